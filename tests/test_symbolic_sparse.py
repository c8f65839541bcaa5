"""Tests of ``softmaxlab.symbolic.sparse``, the SymPy derivations behind ``softmaxlab.sparse``: residuals that
simplify to 0, exact values, and numerical cross-checks against the library."""

from __future__ import annotations

import pytest
import sympy as sp

from softmaxlab.symbolic import (
    entmax15_threshold_sym,
    sparsemax_support_condition_sym,
    sparsemax_support_jacobian_sym,
    sparsemax_threshold_sym,
)


@pytest.mark.parametrize("k", [1, 2, 3, 5])
def test_sparsemax_threshold_and_support_condition(k):
    z = sp.symbols(f"z_1:{k + 1}", real=True)
    assert sp.simplify(sparsemax_threshold_sym(k) - (sum(z) - 1) / k) == 0
    assert sparsemax_support_condition_sym(k) == 0


@pytest.mark.parametrize("k", [1, 2, 4])
def test_sparsemax_jacobian_on_a_fixed_support(k):
    assert sparsemax_support_jacobian_sym(k) == sp.eye(k) - sp.ones(k, k) / k


@pytest.mark.parametrize("k", [1, 2, 3])
def test_entmax15_threshold_is_the_smaller_root(k):
    roots, closed = entmax15_threshold_sym(k)
    assert len(roots) == 2
    assert sp.simplify(roots[0] - closed) == 0
    assert sp.simplify(roots[1] - closed) != 0
    # the other root is mean + sqrt(...): larger
    u = sp.symbols(f"u_1:{k + 1}", real=True)
    mean = sum(u) / k
    assert sp.simplify(roots[0] + roots[1] - 2 * mean) == 0
