"""Tests of ``softmaxlab.symbolic.attention``, the SymPy derivations behind ``softmaxlab.attention``: residuals that
simplify to 0, exact values, and numerical cross-checks against the library."""

from __future__ import annotations

import pytest

from softmaxlab import symbolic as S


@pytest.mark.parametrize("d", [1, 2, 5, 16])
def test_dot_product_variance(d):
    assert S.dot_product_variance(d) == d


def test_a_fully_masked_row_has_no_limit_and_a_common_fill_ignores_the_mask():
    import numpy as np

    from softmaxlab import softmax

    limits = S.fully_masked_row_limits_sym()
    assert limits == {"first path": 1, "second path": 0, "common fill minus unmasked": 0}
    s = np.array([0.3, -1.2])
    for c in (10.0, 300.0):                                   # the two paths, numerically
        assert softmax(np.array([s[0] - c, s[1] - 2 * c]))[1] < np.exp(-c + 2)
        assert softmax(np.array([s[0] - 2 * c, s[1] - c]))[0] < np.exp(-c + 2)
