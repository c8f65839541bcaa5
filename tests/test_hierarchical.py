"""Tests of softmaxlab.hierarchical: trees, hierarchical softmax, its path log-likelihood and gradients."""

from __future__ import annotations

import heapq
import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from softmaxlab import (
    BinaryTree,
    balanced_tree,
    hierarchical_log_prob,
    hierarchical_log_prob_grad,
    hierarchical_log_softmax,
    hierarchical_softmax,
    huffman_tree,
    numerical_gradient,
)
from strategies import finite_floats

finite = finite_floats(-40, 40)
counts = st.lists(st.integers(0, 1000), min_size=1, max_size=40).filter(lambda c: sum(c) > 0)


def brute_force_probabilities(tree: BinaryTree, scores: np.ndarray) -> np.ndarray:
    """Walk from the root for each class, multiplying sigmoids, straight from the children table."""
    probs = np.zeros(tree.n_classes)

    def walk(node: int, mass: float):
        for child, turn in zip(tree.children[node], (scores[node], -scores[node])):
            p = mass / (1 + np.exp(-turn))
            if child < 0:
                probs[-1 - child] = p
            else:
                walk(int(child), p)

    if tree.n_classes == 1:
        probs[0] = 1.0
    else:
        walk(0, 1.0)
    return probs


def optimal_code_cost(freqs: list[float]) -> float:
    """The minimum of sum_k f_k L_k over prefix codes: Huffman's cost, summed independently with a heap."""
    heap = list(map(float, freqs))
    heapq.heapify(heap)
    cost = 0.0
    while len(heap) > 1:
        a, b = heapq.heappop(heap), heapq.heappop(heap)
        cost += a + b
        heapq.heappush(heap, a + b)
    return cost


# --------------------------------------------------------------------------- trees


@pytest.mark.parametrize("k", [1, 2, 3, 4, 5, 7, 8, 31, 64, 100])
def test_balanced_tree_shape(k):
    tree = balanced_tree(k)
    assert tree.n_classes == k and tree.n_internal == k - 1
    assert tree.depths.min() >= int(np.floor(np.log2(k))) and tree.depths.max() == int(np.ceil(np.log2(k)))
    codes = tree.codes
    assert len(set(codes)) == k
    # prefix-free: no code is a prefix of another
    assert not any(a != b and b.startswith(a) for a, b in itertools.permutations(codes, 2))
    # Kraft equality of a full binary tree
    assert sum(2.0 ** -len(c) for c in codes) == pytest.approx(1.0)
    # every internal node is used, each appears exactly once as a child except the root
    inner = tree.children[tree.children >= 0]
    assert sorted(inner.tolist()) == list(range(1, k - 1)) if k > 1 else inner.size == 0


def test_balanced_power_of_two_codes_are_binary_numbers():
    tree = balanced_tree(16)
    assert tree.codes == [format(k, "04b") for k in range(16)]


def test_huffman_textbook_example():
    freqs = [45, 13, 12, 16, 9, 5]  # the classic example: a 0, b 101, c 100, d 111, e 1101, f 1100
    tree = huffman_tree(freqs)
    assert tree.depths.tolist() == [1, 3, 3, 3, 4, 4]
    assert tree.average_depth(freqs) == pytest.approx(2.24)


@given(counts)
@settings(max_examples=100)
def test_huffman_is_optimal_and_within_entropy_bound(c):
    tree = huffman_tree(c)
    f = np.array(c, dtype=float)
    cost = float(np.dot(f, tree.depths))
    assert cost == pytest.approx(optimal_code_cost(c), rel=1e-12)
    p = f / f.sum()
    nz = p[p > 0]
    h = -np.sum(nz * np.log2(nz))
    length = tree.average_depth(c)
    if len(c) > 1:
        assert h - 1e-12 <= length < h + 1 + 1e-12
    assert sum(2.0 ** -len(code) for code in tree.codes) == pytest.approx(1.0)


def test_huffman_is_deterministic_with_ties():
    a, b = huffman_tree([1, 1, 1, 1, 1]), huffman_tree([1, 1, 1, 1, 1])
    assert a.codes == b.codes
    np.testing.assert_array_equal(a.children, b.children)


def test_tree_arrays_are_read_only():
    tree = balanced_tree(4)
    with pytest.raises(ValueError):
        tree.nodes[0, 0] = 1


# --------------------------------------------------------------------------- probabilities


@given(st.integers(1, 40).flatmap(lambda k: st.tuples(st.just(k), arrays(np.float64, max(k - 1, 0), elements=finite))))
@settings(max_examples=100)
def test_balanced_hierarchical_softmax_sums_to_one_and_matches_brute_force(ks):
    k, s = ks
    tree = balanced_tree(k)
    p = hierarchical_softmax(s, tree)
    assert p.shape == (k,)
    assert np.all(p >= 0)
    assert p.sum() == pytest.approx(1.0, abs=1e-12)
    np.testing.assert_allclose(p, brute_force_probabilities(tree, s), rtol=1e-10, atol=1e-300)


@given(counts.flatmap(lambda c: st.tuples(st.just(c), arrays(np.float64, len(c) - 1, elements=finite))))
@settings(max_examples=100)
def test_huffman_hierarchical_softmax_sums_to_one_and_matches_brute_force(cs):
    c, s = cs
    tree = huffman_tree(c)
    p = hierarchical_softmax(s, tree)
    assert p.sum() == pytest.approx(1.0, abs=1e-12)
    np.testing.assert_allclose(p, brute_force_probabilities(tree, s), rtol=1e-10, atol=1e-300)


def test_log_softmax_is_stable_for_huge_scores():
    tree = balanced_tree(4)
    lp = hierarchical_log_softmax([800.0, -800.0, 0.0], tree)
    assert np.all(np.isfinite(lp))
    np.testing.assert_allclose(lp, [-800.0, 0.0 - 0.0, -800.0 - np.log(2), -800.0 - np.log(2)], atol=1e-12)


def test_log_softmax_batches_and_dtypes():
    rng = np.random.default_rng(0)
    tree = balanced_tree(6)
    s = rng.normal(size=(3, 2, 5))
    lp = hierarchical_log_softmax(s, tree)
    assert lp.shape == (3, 2, 6)
    np.testing.assert_allclose(np.exp(lp).sum(-1), 1.0)
    assert hierarchical_log_softmax(s.astype(np.float32), tree).dtype == np.float32
    assert hierarchical_log_softmax(s.astype(np.float16), tree).dtype == np.float16
    assert hierarchical_log_softmax(np.zeros(5, dtype=int), tree).dtype == np.float64


def test_two_classes_is_the_logistic_sigmoid():
    t = np.linspace(-5, 5, 11)
    p = hierarchical_softmax(t[:, None], balanced_tree(2))
    np.testing.assert_allclose(p[:, 0], 1 / (1 + np.exp(-t)))


# --------------------------------------------------------------------------- path likelihood and gradients


@pytest.mark.parametrize("make", [lambda: balanced_tree(37), lambda: huffman_tree(np.arange(1, 38) ** 2)])
def test_path_log_prob_equals_full_computation(make):
    tree = make()
    rng = np.random.default_rng(1)
    h, w = rng.normal(size=(10, 6)), rng.normal(size=(tree.n_internal, 6))
    y = rng.integers(0, tree.n_classes, size=10)
    full = hierarchical_log_softmax(h @ w.T, tree)[np.arange(10), y]
    np.testing.assert_allclose(hierarchical_log_prob(h, w, tree, y), full, rtol=1e-12)


def test_path_gradients_match_finite_differences():
    tree = huffman_tree([5, 3, 8, 1, 1, 2, 9])
    rng = np.random.default_rng(2)
    h, w = rng.normal(size=(4, 3)), rng.normal(size=(tree.n_internal, 3))
    y = np.array([0, 3, 6, 3])
    gh, gw = hierarchical_log_prob_grad(h, w, tree, y)
    num_h = numerical_gradient(lambda hh: hierarchical_log_prob(hh, w, tree, y).sum(), h)
    num_w = numerical_gradient(lambda ww: hierarchical_log_prob(h, ww, tree, y).sum(), w)
    np.testing.assert_allclose(gh, num_h, atol=1e-8)
    np.testing.assert_allclose(gw, num_w, atol=1e-8)
    # only rows on the labels' paths are touched
    used = np.unique(np.concatenate([tree.nodes[k, : tree.depths[k]] for k in np.unique(y)]))
    assert np.all(gw[np.setdiff1d(np.arange(tree.n_internal), used)] == 0)


def test_one_gradient_step_raises_the_likelihood():
    tree = balanced_tree(50)
    rng = np.random.default_rng(3)
    h, w = rng.normal(size=(8, 4)), rng.normal(size=(49, 4))
    y = rng.integers(0, 50, size=8)
    before = hierarchical_log_prob(h, w, tree, y).sum()
    _, gw = hierarchical_log_prob_grad(h, w, tree, y)
    after = hierarchical_log_prob(h, w + 0.01 * gw, tree, y).sum()
    assert after > before


def test_single_class_tree():
    tree = balanced_tree(1)
    assert hierarchical_softmax(np.zeros((2, 0)), tree).tolist() == [[1.0], [1.0]]
    assert hierarchical_log_prob(np.ones((2, 3)), np.zeros((0, 3)), tree, np.array([0, 0])).tolist() == [0.0, 0.0]


# --------------------------------------------------------------------------- bad input


def test_bad_trees_and_frequencies():
    with pytest.raises(ValueError, match="n_classes"):
        balanced_tree(0)
    with pytest.raises(TypeError, match="n_classes"):
        balanced_tree(2.5)
    with pytest.raises(ValueError, match="frequencies"):
        huffman_tree([1.0, -1.0])
    with pytest.raises(ValueError, match="frequencies"):
        huffman_tree([0.0, 0.0])
    with pytest.raises(ValueError, match="frequencies"):
        huffman_tree([1.0, np.nan])
    with pytest.raises(ValueError, match="frequencies"):
        huffman_tree([])
    with pytest.raises(TypeError, match="frequencies"):
        huffman_tree(["a", "b"])
    with pytest.raises(ValueError, match="weights"):
        balanced_tree(3).average_depth([1.0, 1.0])


def test_bad_scores_and_labels():
    tree = balanced_tree(4)
    with pytest.raises(ValueError, match="node_scores"):
        hierarchical_softmax([1.0, 2.0], tree)
    with pytest.raises(TypeError, match="node_scores"):
        hierarchical_softmax([1j, 0, 0], tree)
    with pytest.raises(TypeError, match="tree"):
        hierarchical_softmax([0.0, 0.0, 0.0], "tree")
    h, w = np.zeros((2, 3)), np.zeros((3, 3))
    with pytest.raises(ValueError, match="labels"):
        hierarchical_log_prob(h, w, tree, np.array([0, 4]))
    with pytest.raises(ValueError, match="labels"):
        hierarchical_log_prob(h, w, tree, np.array([0]))
    with pytest.raises(TypeError, match="labels"):
        hierarchical_log_prob(h, w, tree, np.array([0.0, 1.0]))
    with pytest.raises(ValueError, match="node_weights"):
        hierarchical_log_prob(h, np.zeros((3, 2)), tree, np.array([0, 1]))
    with pytest.raises(ValueError, match="hidden"):
        hierarchical_log_prob(np.float64(1.0), w, tree, np.array(0))
