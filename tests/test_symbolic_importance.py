"""Tests of ``softmaxlab.symbolic.importance``, the SymPy derivations behind ``softmaxlab.importance``: residuals that
simplify to 0, exact values, and numerical cross-checks against the library."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from softmaxlab import softmax
from softmaxlab import symbolic as S


@pytest.mark.parametrize("n", [2, 3, 4])
def test_importance_weight_moments(n):
    out = S.importance_weight_moments_sym(n)
    assert out["mean_minus_Z"] == 0
    assert out["chi2_difference"] == 0
    assert out["variance_at_optimum"] == 0


def test_relative_variance_matches_numbers():
    out = S.importance_weight_moments_sym(3)
    z = np.array([0.5, -1.0, 2.0])
    q = np.array([0.2, 0.5, 0.3])
    values = {sp.Symbol(f"z_{i + 1}", real=True): z[i] for i in range(3)}
    values.update({sp.Symbol(f"q_{i + 1}", positive=True): q[i] for i in range(2)})
    chi2 = np.sum(softmax(z) ** 2 / q) - 1
    assert float(out["relative_variance"].subs(values)) == pytest.approx(chi2, rel=1e-13)


def test_log_estimate_bias():
    out = S.log_estimate_bias_sym()
    Z, sigma, m = sp.symbols("Z sigma m", positive=True)
    assert out["difference"] == 0
    assert sp.simplify(out["bias"] + sigma**2 / (2 * m * Z**2)) == 0
    assert out["concavity"] == -1 / Z**2


def test_exported():
    for name in ["importance_weight_moments_sym", "log_estimate_bias_sym"]:
        assert name in S.__all__
