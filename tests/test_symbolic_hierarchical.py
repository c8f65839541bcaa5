"""Tests of ``softmaxlab.symbolic.hierarchical``, the SymPy derivations behind
``softmaxlab.hierarchical``: residuals that simplify to 0, exact values, and numerical cross-checks
against the library."""

from __future__ import annotations

import pytest
import sympy as sp

from softmaxlab.hierarchical import balanced_tree, huffman_tree
from softmaxlab.symbolic import (
    hierarchical_path_gradient_sym,
    hierarchical_softmax_sym,
    hierarchical_sum_minus_one,
)


@pytest.mark.parametrize(
    "tree", [balanced_tree(2), balanced_tree(3), balanced_tree(4), balanced_tree(7), huffman_tree([8, 1, 1, 3, 2, 5])],
    ids=["K=2", "K=3", "K=4", "K=7", "huffman6"],
)
def test_hierarchical_softmax_sums_to_one(tree):
    assert hierarchical_sum_minus_one(tree) == 0


def test_hierarchical_probabilities_are_products_of_path_sigmoids():
    probs, s = hierarchical_softmax_sym(balanced_tree(4))
    def sig(t):
        return 1 / (1 + sp.exp(-t))

    assert sp.simplify(probs[0] - sig(s[0]) * sig(s[1])) == 0
    assert sp.simplify(probs[3] - sig(-s[0]) * sig(-s[2])) == 0


def test_hierarchical_path_gradient():
    assert hierarchical_path_gradient_sym() == [0, 0]
