"""Tests of ``softmaxlab.symbolic.attention``, the SymPy derivations behind ``softmaxlab.attention``: residuals that
simplify to 0, exact values, and numerical cross-checks against the library."""

from __future__ import annotations

import pytest
from softmaxlab import symbolic as S


@pytest.mark.parametrize("d", [1, 2, 5, 16])
def test_dot_product_variance(d):
    assert S.dot_product_variance(d) == d
