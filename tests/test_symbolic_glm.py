"""Tests of ``softmaxlab.symbolic.glm``, the SymPy derivations behind ``softmaxlab.glm``: residuals that
simplify to 0, exact values, and numerical cross-checks against the library."""

from __future__ import annotations

import pytest
import sympy as sp

from softmaxlab import symbolic as S
from softmaxlab.symbolic import (
    bernoulli_glm_residuals,
    categorical_glm_residuals,
)


def test_glm_canonical_links():
    assert bernoulli_glm_residuals() == {"log_density": 0, "mean": 0, "variance": 0, "link": 0}
    for n in (2, 3, 4):
        r = categorical_glm_residuals(n)
        assert r["log_density"] == [0] * n
        assert r["mean"] == [0] * n
        assert r["link"] == [0] * n
        assert r["covariance"] == sp.zeros(n, n)


@pytest.mark.parametrize("n_classes", [2, 3, 5])
def test_multinomial_canonical_link(n_classes):
    out = S.multinomial_canonical_link_sym(n_classes)
    assert out["inverse_link_difference"] == [0] * n_classes
    assert out["mean_difference"] == [0] * (n_classes - 1)
    assert out["density_difference"] == [0] * n_classes
