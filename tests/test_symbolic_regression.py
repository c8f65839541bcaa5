"""Tests of ``softmaxlab.symbolic.regression``, the SymPy derivations behind ``softmaxlab.regression``: residuals that
simplify to 0, exact values, and numerical cross-checks against the library."""

from __future__ import annotations

import pytest

from softmaxlab import symbolic as S


@pytest.mark.parametrize("sizes", [(2, 1), (3, 2), (4, 3)])
def test_shift_invariance_of_softmax_regression(sizes):
    out = S.softmax_regression_shift_identity(*sizes)
    assert out["difference"] == [0] * sizes[0]
    assert out["gradient_sum"] == [[0] * sizes[1]] * sizes[0]
