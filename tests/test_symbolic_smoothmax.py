"""Tests of ``softmaxlab.symbolic.smoothmax``, the SymPy derivations behind ``softmaxlab.smoothmax``: residuals that
simplify to 0, exact values, and numerical cross-checks against the library."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from softmaxlab import hardmax, logsumexp, softmax
from softmaxlab import symbolic as S
from softmaxlab.symbolic import (
    argmax_limit_sym,
)


@pytest.mark.parametrize(
    "z", [[2, 1, 0], [2, 2, 1], [1, 1, 1], [3.5, -1, 3.5, 3.5], [sp.Rational(1, 3), sp.Rational(1, 4)]]
)
def test_softmax_temperature_limits(z):
    out = S.tempered_softmax_limits(z)
    zf = np.array([float(v) for v in z])
    np.testing.assert_array_equal([float(v) for v in out["T -> 0+"]], hardmax(zf))
    assert out["T -> oo"] == [sp.Rational(1, len(z))] * len(z)


@pytest.mark.parametrize("z,m", [([2, 1, 0], 1), ([2, 2, 1], 2), ([5, 5, 5], 3)])
def test_smooth_max_limits(z, m):
    out = S.tempered_logsumexp_limits(z)
    assert out["T -> 0+"] == max(z)
    assert sp.simplify(out["excess / T, T -> 0+"] - sp.log(m)) == 0
    assert out["minus T log n, T -> oo"] == sp.Rational(sum(z), len(z))
    # numerically: at small T the excess over the max is T log m to first order
    T = 1e-3
    excess = float(logsumexp(np.array(z, float), temperature=T)) - max(z)
    assert excess == pytest.approx(T * np.log(m), rel=1e-6, abs=1e-12)


@pytest.mark.parametrize("n", [2, 3])
def test_ratio_identity(n):
    assert S.softmax_ratio_identity(n) == [[0] * n for _ in range(n)]


def test_two_state_and_bound():
    out = S.two_state_limits()
    assert out["T -> 0+"] == 1 and out["T -> oo"] == sp.Rational(1, 2)
    assert out["p_other / exp(-g/T) - p_top"] == 0


def test_pointwise_counterexample():
    out = S.pointwise_counterexample()
    assert out["limit, epsilon > 0"] == 1
    assert out["value at epsilon = 0"] == sp.Rational(1, 2)
    err = float(out["error along epsilon = T"])
    for T in (1.0, 1e-2, 1e-5):
        p = softmax([T, 0.0], temperature=T)[0]
        assert 1 - p == pytest.approx(err, rel=1e-12)


def test_dot_product_variance_numerically():
    rng = np.random.default_rng(0)
    for d in (4, 64):
        q, k = rng.normal(size=(2, 50_000, d))
        assert np.var(np.sum(q * k, axis=1)) == pytest.approx(d, rel=0.03)


def test_bad_arguments():
    with pytest.raises(ValueError, match="values must hold between 1 and"):
        S.tempered_softmax_limits([])
    with pytest.raises(ValueError, match="d"):
        S.dot_product_variance(0)
    with pytest.raises(ValueError, match="k"):
        S.gumbel_max_probability(0)


@pytest.mark.parametrize("n_max, n_rest", [(1, 0), (1, 2), (2, 1), (3, 2)])
def test_argmax_limit_is_one_over_m_on_the_maxima(n_max, n_rest):
    out = argmax_limit_sym(n_max, n_rest)
    assert out["shift residual"] == [0] * (n_max + n_rest)
    assert out["term limits"] == [1] * n_max + [0] * n_rest
    assert out["limit"] == [sp.Rational(1, n_max)] * n_max + [0] * n_rest


def test_argmax_limit_rejects_bad_sizes():
    with pytest.raises(ValueError, match="n_max"):
        argmax_limit_sym(0, 2)
