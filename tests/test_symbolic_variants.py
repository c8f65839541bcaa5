"""Proofs (SymPy) of the chapter 6 derivations in softmaxlab.symbolic.variants."""

from __future__ import annotations

import pytest
import sympy as sp

from softmaxlab.hierarchical import balanced_tree, huffman_tree
from softmaxlab.symbolic import (
    entmax15_threshold_sym,
    hierarchical_path_gradient_sym,
    hierarchical_softmax_sym,
    hierarchical_sum_minus_one,
    merge_associativity_sym,
    merge_invariant_sym,
    negative_sampling_optimum_sym,
    nce_optimum_sym,
    online_softmax_step_sym,
    sparsemax_support_condition_sym,
    sparsemax_support_jacobian_sym,
    sparsemax_threshold_sym,
)


@pytest.mark.parametrize(
    "tree", [balanced_tree(2), balanced_tree(3), balanced_tree(4), balanced_tree(7), huffman_tree([8, 1, 1, 3, 2, 5])],
    ids=["K=2", "K=3", "K=4", "K=7", "huffman6"],
)
def test_hierarchical_softmax_sums_to_one(tree):
    assert hierarchical_sum_minus_one(tree) == 0


def test_hierarchical_probabilities_are_products_of_path_sigmoids():
    probs, s = hierarchical_softmax_sym(balanced_tree(4))
    sig = lambda t: 1 / (1 + sp.exp(-t))  # noqa: E731
    assert sp.simplify(probs[0] - sig(s[0]) * sig(s[1])) == 0
    assert sp.simplify(probs[3] - sig(-s[0]) * sig(-s[2])) == 0


def test_hierarchical_path_gradient():
    assert hierarchical_path_gradient_sym() == [0, 0]


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


@pytest.mark.parametrize("j", [1, 2, 5])
def test_online_softmax_recurrence_keeps_its_invariant(j):
    assert online_softmax_step_sym(j) == 0


def test_merge_invariant_and_associativity():
    assert merge_invariant_sym(1, 1) == 0
    assert merge_invariant_sym(3, 2) == 0
    assert merge_associativity_sym() == (0, 0)


def test_nce_optimum_is_the_data_log_probability():
    p = sp.Symbol("p", positive=True)
    assert nce_optimum_sym() == [sp.log(p)]


def test_negative_sampling_optimum_is_shifted_pmi():
    n_wc, n_w, p_c, k = sp.symbols("N_wc N_w P_c k", positive=True)
    (x,) = negative_sampling_optimum_sym()
    assert sp.simplify(sp.expand_log(x - (sp.log(n_wc / (n_w * p_c)) - sp.log(k)), force=True)) == 0
