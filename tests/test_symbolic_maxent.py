"""Tests of ``softmaxlab.symbolic.maxent``, the SymPy derivations behind ``softmaxlab.maxent``: residuals that
simplify to 0, exact values, and numerical cross-checks against the library."""

from __future__ import annotations

import pytest
import sympy as sp

from softmaxlab import symbolic as S


@pytest.mark.parametrize("n", [2, 3, 4])
def test_maximum_entropy_gives_softmax(n):
    result = S.max_entropy_lagrange(n)
    assert result["difference"] == [0] * n
    p = sp.symbols(f"p_1:{n + 1}", positive=True)
    assert sp.simplify(result["hessian"] + sp.diag(*[1 / pi for pi in p])) == sp.zeros(n, n)


@pytest.mark.parametrize("sizes", [(1, 2, 1), (2, 3, 2), (1, 4, 3)])
def test_conditional_maxent_gives_softmax_of_linear_scores(sizes):
    out = S.conditional_maxent_lagrange(*sizes)
    n_inputs, n_classes, _ = sizes
    assert out["difference"] == [[0] * n_classes for _ in range(n_inputs)]
    for x, row in enumerate(out["hessian_diagonal"]):
        q = sp.Symbol(f"q_{x + 1}", positive=True)
        for y, entry in enumerate(row):
            assert sp.simplify(entry + q / sp.Symbol(f"p_{y + 1}|{x + 1}", positive=True)) == 0
