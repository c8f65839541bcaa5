"""Tests of ``softmaxlab.symbolic.gumbel``, the SymPy derivations behind ``softmaxlab.gumbel``: residuals that
simplify to 0, exact values, and numerical cross-checks against the library."""

from __future__ import annotations

import pytest

from softmaxlab import symbolic as S


@pytest.mark.parametrize("k", [1, 2, 3, 4])
def test_gumbel_max_trick(k):
    assert S.gumbel_max_probability(k)["difference"] == 0


@pytest.mark.parametrize("k", [1, 2, 4])
def test_gumbel_max_value_is_gumbel_at_logsumexp(k):
    assert S.gumbel_max_value_distribution(k) == 0
