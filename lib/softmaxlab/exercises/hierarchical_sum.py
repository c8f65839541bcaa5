"""Checker for the exercise showing that hierarchical softmax sums to 1, and its tree helpers.

The reader computes the leaf probabilities of hierarchical softmax on a binary tree given
as a children table (the representation of :class:`softmaxlab.hierarchical.BinaryTree`;
:func:`children_table` and :func:`nested_tree` convert from and to nested pairs). The
checker's reference is its own recursive walk down the tree, sharing no code with the
library functions a solution may call.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from softmaxlab._validation import as_real_array
from softmaxlab.exercises._result import (
    CheckResult,
    answer_mismatch,
    checker,
    distinguishing_digits,
    fail,
    fmt,
    tolerance_text,
)

__all__ = ["check_hierarchical_sum", "children_table", "nested_tree", "LEAF_RTOL", "LEAF_ATOL"]

_SEED = 20260310

#: Accuracy asked of the leaf probabilities, relative to the reference ``p``:
#: ``|yours - p| <= LEAF_ATOL + LEAF_RTOL p``. A product of sigmoids is good to a few ulps, and
#: ``1 - sigmoid(s)`` for the right turn loses at most about 1e-16 in absolute terms; float32
#: (1e-7) and probabilities clipped to 1e-12 (to keep a later log finite) are far outside.
LEAF_RTOL = 1e-9
LEAF_ATOL = 1e-14


#: A tree as nested pairs: a class index (a leaf) or a pair ``(left, right)`` of trees.
Nested = int | tuple


def children_table(tree: Nested, order: list[int] | None = None) -> np.ndarray:
    """The children table of a tree written as nested pairs, root = internal node 0.

    Internal nodes are numbered in preorder (root, left subtree, right
    subtree), then renamed by ``order`` if given (``order[i]`` is the new
    number of preorder node ``i``; ``order[0]`` must be 0, the root). Entry
    ``[n, 0]`` is the left child of node ``n``, ``[n, 1]`` the right one: an
    internal node's number, or ``-1 - k`` for the leaf of class ``k``, as in
    :class:`softmaxlab.hierarchical.BinaryTree`.

    Parameters
    ----------
    tree : int or nested tuple
        A class index, or a pair ``(left, right)`` of trees.
    order : list of int, optional
        A renumbering of the internal nodes that keeps the root at 0.

    Returns
    -------
    ndarray of int, shape (K - 1, 2)

    Examples
    --------
    >>> from softmaxlab.exercises import children_table
    >>> children_table(((0, 1), 2)).tolist()
    [[1, -3], [-1, -2]]
    >>> children_table(0).shape     # a single class: no internal node
    (0, 2)
    """
    rows: list[list[int]] = []

    leaves: list[int] = []

    def visit(node: Nested) -> int:
        if not isinstance(node, tuple):
            if isinstance(node, (bool, np.bool_)) or not isinstance(node, (int, np.integer)) or node < 0:
                raise TypeError(f"tree: a leaf must be a class index (an integer >= 0), got {node!r}")
            leaves.append(int(node))
            return -1 - int(node)
        if len(node) != 2:
            raise ValueError(f"tree: every internal node must be a pair (left, right), got {node!r}")
        me = len(rows)
        rows.append([0, 0])
        rows[me] = [visit(node[0]), visit(node[1])]
        return me

    try:
        visit(tree)
    except RecursionError:
        raise ValueError("tree: nested too deeply (or contains itself)") from None
    if sorted(leaves) != list(range(len(leaves))):
        raise ValueError(f"tree: the leaves must be the classes 0..{len(leaves) - 1}, each once, got {sorted(leaves)}")
    table = np.array(rows, dtype=np.int64).reshape(-1, 2)
    if order is not None:
        if len(order) != len(rows) or (rows and order[0] != 0) or sorted(order) != list(range(len(rows))):
            raise ValueError(f"order must be a permutation of 0..{len(rows) - 1} keeping 0 first, got {order!r}")
        renamed = np.empty_like(table)
        remap = np.array(order, dtype=np.int64)
        inner = table >= 0
        renamed[remap] = np.where(inner, remap[np.where(inner, table, 0)], table)
        table = renamed
    return table


def _checked_children_table(children: Any) -> np.ndarray:
    """A children table as an int array of shape (K - 1, 2) that is a tree, or a ValueError naming ``children``.

    A tree: the root 0 is nobody's child, every other internal node is the child
    of exactly one node, and the leaves -1..-K each appear exactly once.
    """
    table = as_real_array(children, "children")
    if table.size and not np.all(table == np.round(table)):
        raise ValueError("children must hold integers")
    if table.ndim != 2 or (table.size and table.shape[1] != 2):
        if not (table.size == 0):
            raise ValueError(f"children must have shape (K - 1, 2), got {table.shape}")
    table = table.astype(np.int64).reshape(-1, 2)
    n_internal = table.shape[0]
    if n_internal == 0:  # a single class
        return table
    entries = table.reshape(-1)
    if np.any(entries == 0):
        raise ValueError("children: internal node 0 appears as a child (a cycle through the root)")
    inner = entries[entries > 0]
    if np.any(inner >= n_internal) or len(set(inner.tolist())) != len(inner) or len(inner) != n_internal - 1:
        raise ValueError(f"children: internal nodes 1..{n_internal - 1} must each be the child of exactly one node")
    leaves = -1 - entries[entries < 0]
    if sorted(leaves.tolist()) != list(range(n_internal + 1)):
        raise ValueError(f"children: the leaves -1..-{n_internal + 1} must each appear exactly once")
    # every internal node must be reachable from the root (no cycle among the others)
    seen, stack = set(), [0]
    while stack:
        node = stack.pop()
        seen.add(node)
        stack.extend(int(c) for c in table[node] if c > 0)
        if len(seen) > n_internal:
            break
    if len(seen) != n_internal:
        raise ValueError("children: some internal nodes are not reachable from the root (a cycle)")
    return table


def nested_tree(children: Any) -> Nested:
    """The inverse of :func:`children_table`: a children table written as nested pairs.

    Examples
    --------
    >>> from softmaxlab.exercises import nested_tree
    >>> nested_tree([[1, -3], [-1, -2]])
    ((0, 1), 2)
    >>> nested_tree([[-1, 1], [-2, -3]])
    (0, (1, 2))
    >>> nested_tree([[0, -1]])
    Traceback (most recent call last):
    ...
    ValueError: children: internal node 0 appears as a child (a cycle through the root)
    """
    children = _checked_children_table(children)
    if children.shape[0] == 0:
        return 0

    def build(c: int) -> Nested:
        return -1 - c if c < 0 else (build(int(children[c, 0])), build(int(children[c, 1])))

    return build(0)


def _log_sigmoid(t: float) -> float:
    """``log(1 / (1 + exp(-t)))`` without overflow, in plain Python floats."""
    return -math.log1p(math.exp(-t)) if t >= 0 else t - math.log1p(math.exp(t))


def _leaf_reference(children: np.ndarray, s: np.ndarray) -> np.ndarray:
    """Walk the tree from the root; each leaf gets the product of the sigmoids of its turns (brute force)."""
    K = children.shape[0] + 1
    log_p = np.full(K, np.nan)
    if K == 1:
        return np.ones(1)
    stack = [(0, 0.0)]  # (internal node, log-probability of reaching it)
    while stack:
        node, reach = stack.pop()
        for side, sign in ((0, 1.0), (1, -1.0)):
            child = int(children[node, side])
            log_turn = reach + _log_sigmoid(sign * float(s[node]))
            if child < 0:
                log_p[-1 - child] = log_turn
            else:
                stack.append((child, log_turn))
    assert not np.isnan(log_p).any(), "every class is a leaf of the test tree"
    return np.exp(log_p)


def _random_nested(rng: np.random.Generator, K: int) -> Nested:
    """A random tree: shuffle the classes, then merge two random subtrees until one is left."""
    forest: list[Nested] = [int(k) for k in rng.permutation(K)]
    while len(forest) > 1:
        i, j = sorted(rng.choice(len(forest), size=2, replace=False))
        right, left = forest.pop(j), forest.pop(i)
        forest.append((left, right))
    return forest[0]


def _balanced_nested(classes: list[int]) -> Nested:
    if len(classes) == 1:
        return classes[0]
    half = (len(classes) + 1) // 2
    return (_balanced_nested(classes[:half]), _balanced_nested(classes[half:]))


def _hierarchical_cases() -> list[tuple[np.ndarray, np.ndarray, str]]:
    rng = np.random.default_rng(_SEED)

    def scores(K: int, scale: float) -> np.ndarray:
        return np.round(rng.normal(0.0, scale, size=K - 1), 3)

    def shuffled_order(n: int) -> list[int]:
        return [0, *(1 + rng.permutation(n - 1)).tolist()] if n > 1 else [0]

    cases: list[tuple[np.ndarray, np.ndarray, str]] = [
        (children_table((0, 1)), np.array([1.5]), "one internal node: a sigmoid"),
        (children_table(((0, 1), 2)), np.array([0.5, -1.0]), "three classes"),
        (children_table(((0, 1), (2, 3))), np.array([1.0, -2.0, 0.5]), "balanced, K = 4"),
        (children_table((((0, 1), 2), 3)), np.zeros(3), "a left-deep chain, all scores 0"),
        (children_table((0, (1, (2, (3, 4))))), np.array([2.0, -1.0, 0.5, 3.0]), "a right-deep chain"),
        (children_table(((3, (0, 4)), (1, 2))), np.array([-0.7, 1.2, 0.3, -2.5]), "classes out of order"),
        (children_table(_balanced_nested(list(range(8)))), np.array([40.0, -40.0, 25.0, -30.0, 35.0, -20.0, 45.0]),
         "balanced, K = 8, large scores"),
        (children_table(((0, 1), (2, 3))), np.array([800.0, -750.0, 710.0]), _HUGE_SCORES),
        (children_table(0), np.zeros(0), "a single class, no internal node"),
    ]
    for K in (3, 5, 6, 9, 12):
        tree = _random_nested(rng, K)
        order = shuffled_order(K - 1)
        cases.append((children_table(tree, order), scores(K, 2.0), f"random tree, K = {K}, nodes numbered at random"))
    big = _random_nested(rng, 64)
    cases.append((children_table(big, shuffled_order(63)), scores(64, 3.0), "random tree, K = 64"))
    return cases


#: The case whose scores overflow exp(|s|): sigmoid(s) must not be computed as exp(s) / (1 + exp(s)).
_HUGE_SCORES = "scores of several hundred: exp(|s|) overflows"


def _tree_text(children: np.ndarray) -> str:
    nested = nested_tree(children)
    text = str(nested) if isinstance(nested, tuple) else f"the single leaf {nested}"
    return text if len(text) <= 120 else f"a tree with {children.shape[0] + 1} leaves"


@checker("Hierarchical softmax sums to 1")
def check_hierarchical_sum(leaf_probabilities: Callable[[np.ndarray, np.ndarray], Any]) -> CheckResult:
    """Check the class probabilities of hierarchical softmax on a binary tree.

    ``leaf_probabilities(children, s)`` gets a tree as its children table
    (an int array of shape ``(K - 1, 2)``: row ``n`` holds the left and right
    child of internal node ``n``, an internal node's number if ``>= 0``, the
    leaf of class ``-1 - c`` if ``c < 0``; node 0 is the root) and one score
    per internal node (a float array of shape ``(K - 1,)``). It must return
    the ``K`` class probabilities: the product, along the path from the root
    to the class's leaf, of ``sigmoid(s_n)`` for each left turn and
    ``sigmoid(-s_n)`` for each right turn. Tested on 15 trees with ``K`` from
    1 to 64 (chains, balanced trees, classes out of order, random trees with
    randomly numbered nodes, scores up to 45 in size, and scores of several
    hundred, where ``exp(s) / (1 + exp(s))`` is inf / inf) against a
    recursive walk; an entry is wrong if it is off by more than
    ``LEAF_ATOL + LEAF_RTOL p = 1e-14 + 1e-9 p``, relative to the reference
    probability ``p``. nan and infinities are always wrong.

    Parameters
    ----------
    leaf_probabilities : callable
        ``leaf_probabilities(children, s) -> array of K probabilities``.

    Returns
    -------
    CheckResult

    Examples
    --------
    >>> import numpy as np
    >>> from softmaxlab.exercises import check_hierarchical_sum
    >>> def sigmoid(t):
    ...     return np.exp(-np.logaddexp(0.0, -t))
    >>> def leaf_probabilities(children, s):
    ...     p = np.ones(len(children) + 1)
    ...     def walk(node, reach):
    ...         for child, turn in zip(children[node], (sigmoid(s[node]), sigmoid(-s[node]))):
    ...             if child < 0:
    ...                 p[-1 - child] = reach * turn
    ...             else:
    ...                 walk(child, reach * turn)
    ...     if len(children):
    ...         walk(0, 1.0)
    ...     return p
    >>> check_hierarchical_sum(leaf_probabilities).passed
    True
    >>> check_hierarchical_sum(lambda children, s: np.full(len(s) + 1, 1 / (len(s) + 1))).passed   # uniform
    False
    """
    cases = _hierarchical_cases()
    for children, s, kind in cases:
        on = f"children = {fmt(children)}, s = {fmt(s, digits=None)}"
        expected = _leaf_reference(children, s)  # before the call: nothing the answer does can change it
        got, bad = answer_mismatch(leaf_probabilities, (children, s), expected, on=on, rtol=LEAF_RTOL, atol=LEAF_ATOL)
        if bad is None:
            continue
        (k,) = bad
        got_text, expected_text = distinguishing_digits(got[k], expected[k])
        with np.errstate(all="ignore"):
            total = float(np.sum(got))
        error = abs(float(got[k]) - float(expected[k]))
        if not np.isfinite(got[k]):
            advice = (
                " exp(s) overflows for scores of several hundred: compute sigmoid(t) as 1 / (1 + exp(-t)) "
                "(or with np.logaddexp), never as exp(t) / (1 + exp(t))."
                if kind == _HUGE_SCORES
                else " That is not a probability."
            )
        elif error <= 1e-6 or error <= 1e-4 * float(expected[k]):
            advice = (
                " That is close, but not accurate to the tolerance: compute in float64, and do not "
                "round, clip or floor the probabilities."
            )
        elif np.isfinite(total) and abs(total - 1.0) <= 1e-9:
            advice = (
                " Your probabilities do sum to 1, but some belong to other classes: check that the left "
                "child gets sigmoid(s_n) and the right child sigmoid(-s_n), that each node uses its own "
                "score, and that entry c < 0 is class -1 - c."
            )
        else:
            advice = f" Your probabilities sum to {distinguishing_digits(total, 1.0)[0]}, not 1."
        fail(
            f"For the tree {_tree_text(children)} ({kind}) with children = {fmt(children)} and scores "
            f"s = {fmt(s, digits=None)}, class {k} should get probability {expected_text}; your "
            f"function gives {got_text}.{advice} Accepted: {tolerance_text(LEAF_RTOL, LEAF_ATOL)}.",
            input=on,
            expected=expected,
            got=got,
            tolerance=tolerance_text(LEAF_RTOL, LEAF_ATOL),
        )
    return (
        f"Your leaf probabilities match a recursive walk down all {len(cases)} test trees (K = 1 to 64, "
        "chains, balanced and random trees, scores up to 800 in size), and they sum to 1 on every one, "
        "as the proof says.",
        (("tree ((0, 1), 2), s = [0.5, -1]",
          fmt(_leaf_reference(children_table(((0, 1), 2)), np.array([0.5, -1.0])))),),
    )
