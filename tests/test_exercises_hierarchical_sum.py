"""Tests of softmaxlab.exercises.hierarchical_sum: the checker of the hierarchical-sum exercise.

Right answers, written in several ways, pass; a bank of realistic wrong answers (a dict named
``WRONG_*``) fails with a message naming the input it fails on; the untouched scaffold gives
"not attempted" without raising.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from exercise_assertions import assert_fails_naming_input, assert_not_attempted, stub
from softmaxlab import (
    balanced_tree,
    hierarchical_softmax,
    huffman_tree,
    softmax,
)
from softmaxlab.exercises import (
    check_hierarchical_sum,
    children_table,
    nested_tree,
)
from softmaxlab.exercises.hierarchical_sum import LEAF_RTOL, _leaf_reference, _random_nested
from softmaxlab.hierarchical import _tree_from_children


def sigmoid(t):
    return np.exp(-np.logaddexp(0.0, -t))


def leaf_probabilities(children, s):
    p = np.ones(len(children) + 1)

    def walk(node, reach):
        for child, turn in zip(children[node], (sigmoid(s[node]), sigmoid(-s[node]))):
            if child < 0:
                p[-1 - child] = reach * turn
            else:
                walk(child, reach * turn)

    if len(children):
        walk(0, 1.0)
    return p


def leaf_probabilities_iterative(children, s):
    """Breadth-first, in log space, with 1 - sigmoid(s) for the right child."""
    K = len(children) + 1
    log_p = np.zeros(K)
    frontier = [(0, 0.0)] if K > 1 else []
    while frontier:
        node, reach = frontier.pop(0)
        left, right = children[node]
        for child, value in ((left, reach + np.log(sigmoid(s[node]))), (right, reach + np.log1p(-sigmoid(s[node])))):
            if child < 0:
                log_p[-1 - child] = value
            else:
                frontier.append((child, value))
    return np.exp(log_p)


def leaf_probabilities_by_paths(children, s):
    """Vectorised: the library's path arrays (nodes, signs) from the table, then one sum of log-sigmoids."""
    K = len(children) + 1
    if K == 1:
        return np.ones(1)
    tree = _tree_from_children(np.asarray(children), K)
    return hierarchical_softmax(s, tree)


def leaf_probabilities_naive_sigmoid(children, s):
    """1 / (1 + exp(-t)): overflows to inf inside for t = -800, but 1 / inf = 0 is the right limit."""
    def sig(t):
        return 1.0 / (1.0 + np.exp(-t))

    p = np.ones(len(children) + 1)
    stack = [(0, 1.0)] if len(children) else []
    while stack:
        node, reach = stack.pop()
        for child, turn in zip(children[node], (sig(s[node]), 1.0 - sig(s[node]))):
            if child < 0:
                p[~child] = reach * turn  # ~c == -1 - c
            else:
                stack.append((child, reach * turn))
    return p


def leaf_probabilities_tanh(children, s):
    """sigmoid(t) = (1 + tanh(t / 2)) / 2, classes by abs(c) - 1, returned as a list."""
    p = [1.0] * (len(children) + 1)

    def walk(node, reach):
        for child, sign in zip(children[node], (1.0, -1.0)):
            turn = 0.5 * (1.0 + math.tanh(sign * float(s[node]) / 2))
            if child < 0:
                p[abs(int(child)) - 1] = reach * turn
            else:
                walk(int(child), reach * turn)

    if len(children):
        walk(0, 1.0)
    return p


RIGHT_LEAF_PROBABILITIES = {
    "recursive": leaf_probabilities,
    "iterative, log space": leaf_probabilities_iterative,
    "vectorised paths (softmaxlab)": leaf_probabilities_by_paths,
    "naive sigmoid, 1 - sigmoid, ~c": leaf_probabilities_naive_sigmoid,
    "tanh, a list": leaf_probabilities_tanh,
    "a column": lambda children, s: leaf_probabilities(children, s)[:, None],
    "renormalised": lambda children, s: leaf_probabilities(children, s) / np.sum(leaf_probabilities(children, s)),
    "float128 inside": lambda children, s: leaf_probabilities(children, s.astype(np.longdouble)),
}


@pytest.mark.parametrize("name", RIGHT_LEAF_PROBABILITIES)
def test_hierarchical_sum_solutions_pass(name):
    with np.errstate(all="ignore"):
        r = check_hierarchical_sum(RIGHT_LEAF_PROBABILITIES[name])
    assert r.passed, repr(r)


def _walk_with(left_turn, right_turn, skip_root=False, leaf_index=lambda c: -1 - c):
    def f(children, s):
        p = np.zeros(len(children) + 1) if len(children) else np.ones(1)

        def walk(node, reach, depth):
            for side, child in enumerate(children[node]):
                turn = (left_turn if side == 0 else right_turn)(s[node])
                value = reach if (skip_root and depth == 0) else reach * turn
                if child < 0:
                    p[leaf_index(child)] = value
                else:
                    walk(child, value, depth + 1)

        if len(children):
            walk(0, 1.0, 0)
        return p

    return f


def _heap_order(children, s):
    """Assumes a complete tree numbered like a heap (children of n are 2n + 1 and 2n + 2)."""
    K = len(children) + 1
    depth = int(np.ceil(np.log2(K))) if K > 1 else 0
    p = np.ones(K)
    for k in range(K):
        node = 0
        for bit in format(k, f"0{depth}b") if depth else "":
            if node >= len(s):
                break
            p[k] *= sigmoid(s[node]) if bit == "0" else sigmoid(-s[node])
            node = 2 * node + 1 + int(bit)
    return p


def _parent_only(children, s):
    p = np.ones(len(children) + 1)
    for n, (left, right) in enumerate(children):
        if left < 0:
            p[-1 - left] = sigmoid(s[n])
        if right < 0:
            p[-1 - right] = sigmoid(-s[n])
    return p


def _child_score(children, s):
    """Uses the score of the node it turns into (or the parent's at a leaf) instead of the node's own."""
    p = np.ones(len(children) + 1)

    def walk(node, reach):
        for side, child in enumerate(children[node]):
            score = s[child] if child >= 0 else s[node]
            turn = sigmoid(score) if side == 0 else sigmoid(-score)
            if child < 0:
                p[-1 - child] = reach * turn
            else:
                walk(child, reach * turn)

    if len(children):
        walk(0, 1.0)
    return p


def _depth_score(children, s):
    """Indexes the scores by depth (s[0] at the root, s[1] one level down, ...)."""
    p = np.ones(len(children) + 1)

    def walk(node, reach, depth):
        for side, child in enumerate(children[node]):
            turn = sigmoid(s[depth]) if side == 0 else sigmoid(-s[depth])
            if child < 0:
                p[-1 - child] = reach * turn
            else:
                walk(child, reach * turn, depth + 1)

    if len(children):
        walk(0, 1.0, 0)
    return p


def _exp_over_one_plus_exp(t):
    return np.exp(t) / (1.0 + np.exp(t))


def _wrong_complement(children, s):
    """The right child gets 1 - reach * sigmoid(s) instead of reach * (1 - sigmoid(s))."""
    p = np.ones(len(children) + 1)

    def walk(node, reach):
        left, right = children[node]
        for child, value in ((left, reach * sigmoid(s[node])), (right, 1.0 - reach * sigmoid(s[node]))):
            if child < 0:
                p[-1 - child] = value
            else:
                walk(child, value)

    if len(children):
        walk(0, 1.0)
    return p


WRONG_LEAF_PROBABILITIES = {
    "left and right swapped": (_walk_with(lambda t: sigmoid(-t), sigmoid), "do sum to 1"),
    "sigmoid(s) on both sides": (_walk_with(sigmoid, sigmoid), "not 1"),
    "root factor forgotten": (_walk_with(sigmoid, lambda t: sigmoid(-t), skip_root=True), "not 1"),
    "only the last turn": (_parent_only, "not 1"),
    "assumes heap numbering": (_heap_order, "class 0 should get"),
    "flat softmax of the scores": (lambda children, s: softmax(np.append(s, 0.0)), "do sum to 1"),
    "log-probabilities": (lambda children, s: np.log(leaf_probabilities(children, s)), "not 1"),
    "leaf -c instead of -1 - c": (_walk_with(sigmoid, lambda t: sigmoid(-t), leaf_index=lambda c: -c), "IndexError"),
    "the child's score instead of the node's": (_child_score, "should get probability"),
    "scores indexed by depth": (_depth_score, "should get probability"),
    "right child gets 1 - reach sigmoid(s)": (_wrong_complement, "not 1"),
    "float32": (lambda children, s: leaf_probabilities(children, s.astype(np.float32)).astype(np.float32),
                "compute in float64"),
    "clipped at 1e-12 to keep log finite": (lambda children, s: np.clip(leaf_probabilities(children, s), 1e-12, 1.0),
                                            "do not round, clip or floor"),
    "sigmoid as exp(t) / (1 + exp(t))": (_walk_with(_exp_over_one_plus_exp, lambda t: _exp_over_one_plus_exp(-t)),
                                         "never as exp(t) / (1 + exp(t))"),
    "rounded to 6 decimals": (lambda children, s: np.round(leaf_probabilities(children, s), 6), "not accurate"),
    "uniform": (lambda children, s: np.full(len(s) + 1, 1 / (len(s) + 1)), "do sum to 1"),
}


@pytest.mark.parametrize("name", WRONG_LEAF_PROBABILITIES)
def test_hierarchical_sum_rejects_wrong_answers(name):
    answer, fragment = WRONG_LEAF_PROBABILITIES[name]
    with np.errstate(all="ignore"):
        r = check_hierarchical_sum(answer)
    assert_fails_naming_input(r, "children = [", fragment)
    if "IndexError" not in r.message:
        assert "Accepted: |yours - reference| <= 1e-14 + 1e-09 |reference|" in r.message


def test_hierarchical_sum_tolerance_is_relative_to_the_reference():
    def scaled(factor):
        return lambda children, s: leaf_probabilities(children, s) * factor

    assert check_hierarchical_sum(scaled(1 + 0.5 * LEAF_RTOL)).passed
    r = check_hierarchical_sum(scaled(1 + 3 * LEAF_RTOL))
    assert_fails_naming_input(r, "children = [")
    (want, got) = re.findall(r"should get probability (\S+); your function gives (\S+?)\. ", r.message)[0]
    assert want != got  # digits enough to see the difference
    r = check_hierarchical_sum(lambda children, s: np.full(len(s) + 1, 1e12))
    assert_fails_naming_input(r, "children = [")


def test_hierarchical_sum_ignores_what_the_answer_does_to_its_inputs():
    def mutating(children, s):
        p = leaf_probabilities(children, s)
        children[:] = 0
        s[:] = 0.0
        return p

    assert check_hierarchical_sum(mutating).passed


def test_hierarchical_sum_message_shows_the_tree():
    r = check_hierarchical_sum(WRONG_LEAF_PROBABILITIES["only the last turn"][0])
    assert r.message.startswith("For the tree ((0, 1), 2) (three classes) with children = [[1, -3], [-1, -2]]")
    r = check_hierarchical_sum(WRONG_LEAF_PROBABILITIES["assumes heap numbering"][0])
    assert "(((0, 1), 2), 3)" in r.message  # the left-deep chain


def test_hierarchical_sum_rejects_a_wrong_length():
    r = check_hierarchical_sum(lambda children, s: sigmoid(s))
    assert r.status == "failed" and "shape" in r.message and "children = [" in r.message


def test_hierarchical_sum_scaffold_is_not_attempted():
    assert_not_attempted(check_hierarchical_sum(stub))
    assert_not_attempted(check_hierarchical_sum(None))


@pytest.mark.parametrize("tree", [balanced_tree(1), balanced_tree(2), balanced_tree(7), balanced_tree(16),
                                  huffman_tree([45, 13, 12, 16, 9, 5]), huffman_tree(np.arange(1, 30))],
                         ids=["balanced 1", "balanced 2", "balanced 7", "balanced 16", "huffman 6", "huffman 29"])
def test_the_tree_walk_reference_agrees_with_softmaxlab(tree):
    s = np.random.default_rng(tree.n_classes).normal(0.0, 3.0, size=tree.n_internal)
    np.testing.assert_allclose(
        _leaf_reference(tree.children, s), hierarchical_softmax(s, tree), rtol=1e-12, atol=1e-300
    )
    assert nested_tree(children_table(nested_tree(tree.children))) == nested_tree(tree.children)


@settings(max_examples=50)
@given(st.integers(1, 40), st.integers(0, 2**32 - 1), st.floats(0.1, 30.0))
def test_children_tables_round_trip_and_the_reference_sums_to_one(K, seed, scale):
    rng = np.random.default_rng(seed)
    tree = _random_nested(rng, K)
    order = [0, *(1 + rng.permutation(K - 2)).tolist()] if K > 2 else list(range(K - 1))
    table = children_table(tree, order)
    assert table.shape == (K - 1, 2)
    if K > 1:
        assert sorted((-1 - table[table < 0]).tolist()) == list(range(K))  # every class is one leaf
    assert nested_tree(table) == tree
    p = _leaf_reference(table, rng.normal(0.0, scale, size=K - 1))
    assert np.all(p >= 0) and abs(p.sum() - 1.0) < 1e-12


def test_children_table_rejects_a_renumbering_that_moves_the_root():
    with pytest.raises(ValueError, match="order"):
        children_table(((0, 1), 2), order=[1, 0])


@pytest.mark.parametrize(
    "children, message",
    [
        ([[0, -1]], "cycle through the root"),  # raised RecursionError
        ([[1, -1], [2, -2], [1, -3]], "exactly one node"),
        ([[1, -1], [-1, -2]], "exactly once"),
        ([[1, -1, 0]], "shape"),
        ("ab", "children"),
    ],
)
def test_nested_tree_rejects_a_table_that_is_not_a_tree(children, message):
    with pytest.raises((TypeError, ValueError), match=message):
        nested_tree(children)


@pytest.mark.parametrize(
    "tree, message",
    [
        (((0, 1), (2,)), "must be a pair"),  # raised IndexError
        (((0, 0), 1), "each once"),
        (((0, 1.5), 2), "class index"),
        ((0, (1, -2)), "class index"),
    ],
)
def test_children_table_rejects_what_is_not_a_tree_of_pairs(tree, message):
    with pytest.raises((TypeError, ValueError), match=message):
        children_table(tree)
