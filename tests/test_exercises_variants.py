"""Tests of softmaxlab.exercises.variants: the checkers of the hierarchical-softmax and sparsemax-threshold exercises.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from softmaxlab import (
    balanced_tree,
    hierarchical_softmax,
    huffman_tree,
    logsumexp,
    softmax,
    sparsemax,
    sparsemax_threshold,
)
from softmaxlab.exercises import (
    check_hierarchical_sum,
    check_sparsemax_threshold,
    children_table,
    nested_tree,
)
from softmaxlab.exercises.variants import LEAF_RTOL, THRESHOLD_TOL, _leaf_reference, _random_nested, _threshold_reference
from softmaxlab.hierarchical import _tree_from_children

import exercise_assertions as shared
from exercise_assertions import assert_not_attempted, stub

# A failure message names its input: "E = [...]", "pi = [...]", "z = [...]", "children = [...]" or "n = 2 states".
NAMES_INPUT = re.compile(r"\b(E|pi|z|children|s) = \[|\bn = \d")


def assert_fails_naming_input(result, *fragments: str) -> None:
    shared.assert_fails_naming_input(result, NAMES_INPUT, *fragments)


def sigmoid(t):
    return np.exp(-np.logaddexp(0.0, -t))


# ------------------------------------------------------------------ hierarchical softmax


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
    sig = lambda t: 1.0 / (1.0 + np.exp(-t))
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
    np.testing.assert_allclose(_leaf_reference(tree.children, s), hierarchical_softmax(s, tree), rtol=1e-12, atol=1e-300)
    assert nested_tree(children_table(nested_tree(tree.children))) == nested_tree(tree.children)


@settings(max_examples=50, deadline=None)
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


# ------------------------------------------------------------------ the sparsemax threshold


def threshold(z):
    m = np.max(z)
    zs = np.sort(z - m)[::-1]
    cs = np.cumsum(zs)
    k = np.arange(1, len(z) + 1)
    k_z = k[1 + k * zs > cs][-1]
    return (cs[k_z - 1] - 1) / k_z + m


def threshold_by_bisection(z):
    lo, hi = np.max(z) - 1.0, np.max(z)
    for _ in range(100):
        mid = 0.5 * (lo + hi)
        if np.sum(np.maximum(z - mid, 0.0)) >= 1.0:
            lo = mid
        else:
            hi = mid
    return lo


def threshold_loop(z):
    """Plain Python: walk down the sorted scores, keeping the last k that passes the test."""
    ordered = sorted(z.tolist(), reverse=True)
    top, total = ordered[0], 0.0
    for k, value in enumerate(ordered, start=1):
        total += value - top
        if 1 + k * (value - top) > total:
            tau = (total - 1) / k + top
    return tau


def threshold_by_bisection_to_the_end(z):
    """Halve until the midpoint is one of the ends: the interval cannot shrink any further."""
    lo, hi = np.max(z) - 1.0, np.max(z)
    while True:
        mid = 0.5 * (lo + hi)
        if mid in (lo, hi):
            return lo
        if np.sum(np.maximum(z - mid, 0.0)) >= 1.0:
            lo = mid
        else:
            hi = mid


def threshold_michelot(z):
    """Michelot's projection: start from full support, drop the entries below tau, repeat (shifted)."""
    m = np.max(z)
    support = z - m
    while True:
        tau = (np.sum(support) - 1.0) / len(support)
        kept = support[support > tau]
        if len(kept) == len(support):
            return tau + m
        support = kept


def threshold_bisection_then_support(z, steps=30):
    """A rough bisection (on the shifted scores) only to find the support, then the exact formula on it."""
    m = np.max(z)
    shifted = z - m
    lo, hi = -1.0, 0.0
    for _ in range(steps):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if np.sum(np.maximum(shifted - mid, 0.0)) >= 1.0 else (lo, mid)
    support = shifted[shifted > lo]
    return (np.sum(support) - 1.0) / len(support) + m


def threshold_mpmath(z):
    import mpmath

    with mpmath.workdps(40):
        top = mpmath.mpf(float(np.max(z)))
        zs = sorted((mpmath.mpf(float(v)) - top for v in z), reverse=True)
        total, tau = mpmath.mpf(0), None
        for k, v in enumerate(zs, start=1):
            total += v
            if 1 + k * v > total:
                tau = (total - 1) / k
        return tau + top  # an mpf


RIGHT_THRESHOLDS = {
    "sort and shift": threshold,
    "bisection, 100 halvings": threshold_by_bisection,
    "bisection until it stops shrinking": threshold_by_bisection_to_the_end,
    "softmaxlab": lambda z: float(sparsemax_threshold(z)),
    "python loop": threshold_loop,
    "Michelot, shifted": threshold_michelot,
    "rough bisection, then the support formula": threshold_bisection_then_support,
    "mpmath, returned as an mpf": threshold_mpmath,
    "a 1-element array": lambda z: np.array([threshold(z)]),
    "a 1 x 1 SymPy Matrix": lambda z: __import__("sympy").Matrix([[threshold(z)]]),
}


@pytest.mark.parametrize("name", RIGHT_THRESHOLDS)
def test_sparsemax_threshold_solutions_pass(name):
    r = check_sparsemax_threshold(RIGHT_THRESHOLDS[name])
    assert r.passed, repr(r)


def _sorted_rule(order=lambda z: np.sort(z)[::-1], minus=1.0, extra_k=0, condition_k_offset=0, shift=True, first=False):
    def tau(z):
        m = np.max(z) if shift else 0.0
        zs = order(z - m)
        cs = np.cumsum(zs)
        k = np.arange(1, len(z) + 1)
        ok = 1 + (k - condition_k_offset) * zs > cs
        k_z = (k[ok][0] if first else k[ok][-1]) if ok.any() else 1
        return (cs[k_z - 1] - minus) / (k_z + extra_k) + m

    return tau


def _bisection(steps):
    def tau(z):
        lo, hi = np.max(z) - 1.0, np.max(z)
        for _ in range(steps):
            mid = 0.5 * (lo + hi)
            lo, hi = (mid, hi) if np.sum(np.maximum(z - mid, 0.0)) >= 1.0 else (lo, mid)
        return lo

    return tau


def _michelot_unshifted(z):
    support = z.copy()
    while True:
        tau = (np.sum(support) - 1.0) / len(support)
        kept = support[support > tau]
        if len(kept) == len(support):
            return tau
        support = kept


WRONG_THRESHOLDS = {
    "forgets the -1": (_sorted_rule(minus=0.0), "not 1"),
    "k counted from 0 in the test": (_sorted_rule(condition_k_offset=1), "not 1"),
    "divides by k + 1": (_sorted_rule(extra_k=1), "not 1"),
    "sorts ascending": (_sorted_rule(order=np.sort), "not 1"),
    "does not sort": (_sorted_rule(order=lambda z: z), "not 1"),
    "smallest k instead of the largest": (_sorted_rule(first=True), "not 1"),
    "mean of all entries (full support)": (lambda z: (np.sum(z) - 1) / len(z), "not 1"),
    "mean of z": (np.mean, "not 1"),
    "logsumexp, softmax's normaliser": (lambda z: float(logsumexp(z)), "not 1"),
    "max(z) - 1 (support of one)": (lambda z: np.max(z) - 1, "not 1"),
    "bisection stopped after 30 halvings": (_bisection(30), "not exact"),
    "bisection stopped after 40 halvings": (_bisection(40), "not exact"),
    "tau in float32": (lambda z: np.float32(threshold(z)), "not exact"),
    "rounded to 9 decimals": (lambda z: round(float(threshold(z)), 9), "not exact"),
    "Michelot without the shift": (_michelot_unshifted, "subtract max(z) first"),
}


@pytest.mark.parametrize("name", WRONG_THRESHOLDS)
def test_sparsemax_threshold_rejects_wrong_thresholds(name):
    answer, fragment = WRONG_THRESHOLDS[name]
    with np.errstate(all="ignore"):
        r = check_sparsemax_threshold(answer)
    assert_fails_naming_input(r, fragment)
    if "Michelot" not in name:
        assert "the threshold is tau =" in r.message
        assert "Accepted: |yours - reference| <= 1e-13 + 1e-13 |reference|" in r.message


def test_sparsemax_threshold_tolerance_is_relative_to_the_threshold():
    """Not to max |z|: an entry of -1e6 far below the support does not loosen it."""
    off = lambda delta: (lambda z: threshold(z) + delta * (1 + abs(threshold(z))))
    assert check_sparsemax_threshold(off(0.5 * THRESHOLD_TOL)).passed
    r = check_sparsemax_threshold(off(3 * THRESHOLD_TOL))
    assert_fails_naming_input(r, "not exact")
    (want, got) = re.findall(r"the threshold is tau = (\S+) .*your tau = (\S+) makes", r.message)[0]
    assert want != got  # digits enough to see the difference

    def off_only_far_below(z):
        return threshold(z) + (1e-9 if np.min(z) < -1e5 else 0.0)

    r = check_sparsemax_threshold(off_only_far_below)
    assert_fails_naming_input(r, "z = [0.5, 0.2, -1000000]")


def test_sparsemax_threshold_messages():
    r = check_sparsemax_threshold(WRONG_THRESHOLDS["forgets the -1"][0])
    assert r.message.startswith("For z = [0.5, 0.2, -1] (two of three entries in the support) the threshold is tau = -0.15")
    assert "too large" in r.message


def test_sparsemax_threshold_accepts_an_unshifted_rule_that_falls_back_to_k_1():
    # At 1e300, 1 + z_(1) rounds to z_(1) and no k passes the test; falling back to k = 1 gives
    # tau = z_(1) - 1, which is z_(1) in float64: as exact as the format allows.
    assert check_sparsemax_threshold(_sorted_rule(shift=False)).passed


def test_sparsemax_threshold_advises_the_shift_when_an_unshifted_rule_crashes():
    def crashing(z):
        zs = np.sort(z)[::-1]
        cs = np.cumsum(zs)
        k = np.arange(1, len(z) + 1)
        k_z = k[1 + k * zs > cs][-1]
        return (cs[k_z - 1] - 1) / k_z

    with np.errstate(over="ignore", invalid="ignore"):
        r = check_sparsemax_threshold(crashing)
    assert r.status == "failed" and "IndexError" in r.message and "subtract max(z) first" in r.message


@pytest.mark.parametrize(
    "answer, fragment",
    [
        (softmax, "Return one number"),
        (sparsemax, "Return one number"),
        (lambda z: np.nan, "finite number"),
        (lambda z: np.inf, "finite number"),
        (lambda z: threshold(z) + 1e-3j, "complex"),
        (lambda z: None, "returned None"),
        (lambda z: RaisingArray(), "RuntimeError"),
        (lambda z: {threshold(z)}, "set"),
    ],
    ids=["softmax vector", "sparsemax vector", "nan", "inf", "complex", "None", "raising __array__", "set"],
)
def test_sparsemax_threshold_rejects_non_thresholds(answer, fragment):
    r = check_sparsemax_threshold(answer)
    assert r.status == "failed" and fragment in r.message and "z = [" in r.message


class RaisingArray:
    def __array__(self, *args, **kwargs):
        raise RuntimeError("no array")


def test_sparsemax_threshold_scaffold_is_not_attempted():
    assert_not_attempted(check_sparsemax_threshold(stub))
    assert_not_attempted(check_sparsemax_threshold(None))


@settings(max_examples=80, deadline=None)
@given(hnp.arrays(np.float64, st.integers(1, 12), elements=st.floats(-1e4, 1e4) | st.integers(-3, 3).map(float)))
def test_the_bisection_reference_is_the_threshold(z):
    tau = _threshold_reference(z)
    scale = 1.0 + np.max(np.abs(z))
    assert abs(np.sum(np.maximum(z - tau, 0.0)) - 1.0) <= 1e-9 * scale
    np.testing.assert_allclose(tau, sparsemax_threshold(z), rtol=0, atol=1e-12 * scale)
    np.testing.assert_allclose(np.maximum(z - tau, 0.0), sparsemax(z), rtol=0, atol=1e-12 * scale)


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
