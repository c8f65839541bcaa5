"""Tests of ``softmaxlab.symbolic.losses``, the SymPy derivations behind ``softmaxlab.losses``: residuals that
simplify to 0, exact values, and numerical cross-checks against the library."""

from __future__ import annotations

import numpy as np
import pytest

from softmaxlab import boltzmann
from softmaxlab import symbolic as S
from softmaxlab.symbolic import (
    binary_cross_entropy_gradient_residual,
    binary_cross_entropy_is_two_class_cross_entropy,
    cross_entropy_chain_rule_residual,
    cross_entropy_gradient_sym,
    cross_entropy_sym,
    sigmoid_derivative_residual,
)


@pytest.mark.parametrize("n", range(2, 6))
def test_cross_entropy_gradient_is_p_minus_y_for_every_label(n):
    for label in range(n):
        assert cross_entropy_gradient_sym(n, label) == [0] * n
    with pytest.raises(ValueError, match="label"):
        cross_entropy_sym(n, n)


@pytest.mark.parametrize("n, label", [(2, 0), (3, 2), (5, 1)])
def test_cross_entropy_gradient_is_p_minus_y(n, label):
    assert cross_entropy_gradient_sym(n, label) == [0] * n


def test_sigmoid_and_binary_cross_entropy():
    assert sigmoid_derivative_residual() == 0
    assert binary_cross_entropy_gradient_residual() == 0
    assert binary_cross_entropy_is_two_class_cross_entropy() == 0


@pytest.mark.parametrize("n", [2, 3])
def test_distillation_gradient(n):
    assert S.distillation_gradient_identity(n) == [0] * n


def test_distillation_high_temperature_limit():
    out = S.distillation_high_temperature_gradient(2)
    assert out["difference"] == [0, 0]
    # numerically: T (q - p) approaches the centred-difference limit like 1/T
    s, t = np.array([1.0, -0.5, 2.0]), np.array([0.2, 0.0, -1.0])
    limit = ((s - s.mean()) - (t - t.mean())) / 3
    errors = [np.abs(Tk * (boltzmann(-s, Tk) - boltzmann(-t, Tk)) - limit).max() for Tk in (10.0, 100.0, 1000.0)]
    assert errors[0] > errors[1] > errors[2] and errors[2] < 1e-3


@pytest.mark.parametrize("n", [2, 3, 4])
def test_chain_rule_gives_p_minus_y_for_any_target_on_the_simplex(n):
    assert cross_entropy_chain_rule_residual(n) == [0] * n
