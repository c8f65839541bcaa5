"""Hierarchical softmax: a K-way choice as a walk down a binary tree of two-way choices.

The classes ``0, ..., K-1`` are the leaves of a binary tree with ``K - 1``
internal nodes (Morin and Bengio, 2005). Internal node ``n`` carries a score
``s_n`` (in a network, ``s_n = h . v_n`` for a hidden vector ``h`` and a
weight row ``v_n``), and the walk goes left with probability ``sigmoid(s_n)``
and right with probability ``sigmoid(-s_n) = 1 - sigmoid(s_n)``. The
probability of a class is the product of the probabilities of the turns on the
path from the root to its leaf,

    p(k) = prod_{n on path(k)} sigmoid(c_{k,n} s_n),   c_{k,n} = +1 (left) or -1 (right),

and these products sum to 1 over the leaves, because at every node the two
branches share the mass of the node. Evaluating ``p(y)`` for one class reads
only the ``depth(y)`` nodes on its path: ``O(log K)`` work for a balanced tree
instead of softmax's ``O(K)``. A Huffman tree built from class frequencies
(word2vec's choice, Mikolov et al., 2013) gives frequent classes short paths,
so the *average* path length is within one bit of the entropy of the class
distribution.

Trees are :class:`BinaryTree` objects made by :func:`balanced_tree` or
:func:`huffman_tree`; internal node 0 is the root.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike

from softmaxlab._logistic import log_sigmoid, sigmoid
from softmaxlab._validation import as_real_array, check_int, result_dtype, working_dtype
from softmaxlab.nce import _promoted, _result, _rows_per_block

__all__ = [
    "BinaryTree",
    "balanced_tree",
    "huffman_tree",
    "hierarchical_log_softmax",
    "hierarchical_softmax",
    "hierarchical_log_prob",
    "hierarchical_log_prob_grad",
]


@dataclass(frozen=True, eq=False)
class BinaryTree:
    """A full binary tree whose leaves are the classes and whose internal nodes carry scores.

    Build one with :func:`balanced_tree` or :func:`huffman_tree` rather than by hand.

    Attributes
    ----------
    children : ndarray of int, shape (K - 1, 2)
        ``children[n] = (left, right)`` for internal node ``n``; an entry
        ``c >= 0`` is internal node ``c``, an entry ``c < 0`` is the leaf of
        class ``-1 - c``. Internal node 0 is the root.
    nodes : ndarray of int, shape (K, D)
        ``nodes[k, :depths[k]]`` are the internal nodes on the path from the
        root to class ``k``, root first; the rest of the row is 0 (padding).
        ``D`` is the largest depth.
    signs : ndarray of float, shape (K, D)
        ``+1`` where that path turns left, ``-1`` where it turns right, 0 in
        the padding.
    depths : ndarray of int, shape (K,)
        Path length (number of internal nodes, i.e. code length) of each class.

    Examples
    --------
    >>> tree = balanced_tree(4)
    >>> tree.n_classes, tree.n_internal, tree.max_depth
    (4, 3, 2)
    >>> tree.codes
    ['00', '01', '10', '11']
    >>> tree.nodes[3].tolist(), tree.signs[3].tolist()
    ([0, 2], [-1.0, -1.0])
    """

    children: np.ndarray
    nodes: np.ndarray = field(repr=False)
    signs: np.ndarray = field(repr=False)
    depths: np.ndarray = field(repr=False)
    _built: bool = field(default=False, init=False, repr=False)  # made (read-only) by balanced_tree or huffman_tree

    @property
    def n_classes(self) -> int:
        """The number of leaves ``K``."""
        return int(self.depths.shape[0])

    @property
    def n_internal(self) -> int:
        """The number of internal nodes, ``K - 1``: the length of a score vector."""
        return int(self.children.shape[0])

    @property
    def max_depth(self) -> int:
        """The longest path, i.e. the most sigmoids any class needs."""
        return int(self.nodes.shape[1])

    @property
    def codes(self) -> list[str]:
        """Each class's path as a bit string, with ``'0'`` for a left turn and ``'1'`` for a right turn."""
        return [
            "".join("0" if s > 0 else "1" for s in self.signs[k, : self.depths[k]])
            for k in range(self.n_classes)
        ]

    def average_depth(self, weights: ArrayLike) -> float:
        """The mean path length ``sum_k w_k depth_k / sum_k w_k`` under class weights ``w``.

        ``weights`` must be finite, non-negative, with a positive sum, one per
        class; weights near the float maximum are rescaled first, so their sum
        does not overflow.

        Examples
        --------
        >>> huffman_tree([0.5, 0.25, 0.25]).average_depth([0.5, 0.25, 0.25])
        1.5
        >>> balanced_tree(4).average_depth([1e308, 1e308, 1e308, 1e308])
        2.0
        """
        _ = self._walk  # a consistent tree
        w = _check_frequencies(weights, "weights")
        if w.shape[0] != self.n_classes:
            raise ValueError(f"weights must have length {self.n_classes}, got {w.shape[0]}")
        return float(np.dot(w, self.depths) / w.sum())

    @functools.cached_property
    def _walk(self) -> tuple[list[tuple[np.ndarray, np.ndarray, np.ndarray]], np.ndarray, np.ndarray]:
        """How :func:`hierarchical_log_softmax` visits the tree: level by level from the root.

        With ``turn`` indexing the concatenation ``[log sigmoid(s), log sigmoid(-s)]``
        (left turns, then right turns), each level is ``(nodes, parents, turns)``:
        the log-probability of reaching ``nodes`` is that of reaching ``parents``
        plus that of the ``turns``. Then each leaf adds its last turn the same way.
        Computed once per tree; a tree made by hand (not by :func:`balanced_tree`
        or :func:`huffman_tree`) is first checked for consistency: ValueError if
        it is not a tree or its path tables do not match its children.
        """
        children = self.children
        arrays = all(isinstance(a, np.ndarray) for a in (self.children, self.nodes, self.signs, self.depths))
        n_classes = self.n_classes if arrays and self.depths.ndim == 1 else 0
        n_internal = n_classes - 1
        # every node is a child once, but the root (the one class is the root when K = 1)
        expected = np.concatenate([np.arange(-n_classes, 0), np.arange(1, n_internal)]) if n_internal else []
        consistent = (
            n_classes >= 1
            and children.shape == (n_internal, 2)
            and children.dtype.kind in "iu"
            and np.array_equal(np.sort(children.reshape(-1)), expected)
        )
        levels, visited = [], 0
        frontier = np.zeros(1 if consistent and n_internal else 0, dtype=np.int64)
        while frontier.size:
            visited += frontier.size
            node, col = np.nonzero(children[frontier] >= 0)
            kids = children[frontier][node, col].astype(np.int64)
            if kids.size:
                levels.append((kids, frontier[node], frontier[node] + col * n_internal))
            frontier = kids
        if self._built:
            pass
        elif consistent and visited == n_internal:  # no cycle apart from the root's tree; and the path tables agree
            rebuilt = _tree_from_children(children.astype(np.int64), n_classes)
            consistent = all(
                a.shape == b.shape and np.array_equal(a, b)
                for a, b in ((self.nodes, rebuilt.nodes), (self.signs, rebuilt.signs), (self.depths, rebuilt.depths))
            )
        else:
            consistent = False
        if not consistent:
            raise ValueError("tree is not a consistent BinaryTree: build it with balanced_tree or huffman_tree")
        node, col = np.nonzero(children < 0)
        leaf = -1 - children[node, col].astype(np.int64)
        leaf_parent = np.zeros(n_classes, dtype=np.int64)
        leaf_turn = np.zeros(n_classes, dtype=np.int64)
        leaf_parent[leaf], leaf_turn[leaf] = node, node + col * n_internal
        return levels, leaf_parent, leaf_turn

    def __repr__(self) -> str:
        return f"BinaryTree(n_classes={self.n_classes}, max_depth={self.max_depth})"


def _tree_from_children(children: np.ndarray, n_classes: int) -> BinaryTree:
    """Record every root-to-leaf path of a children table, walking up from all leaves at once."""
    n_internal = n_classes - 1
    parent = np.full(n_internal, -1, dtype=np.int64)  # parent of each internal node (root: -1)
    side = np.zeros(n_internal, dtype=np.float64)  # +1 if it is a left child, -1 if right
    leaf_parent = np.zeros(n_classes, dtype=np.int64)
    leaf_side = np.zeros(n_classes, dtype=np.float64)
    for col, sign in ((0, 1.0), (1, -1.0)):
        c = children[:, col]
        internal = c >= 0
        parent[c[internal]] = np.nonzero(internal)[0]
        side[c[internal]] = sign
        leaf_parent[-1 - c[~internal]] = np.nonzero(~internal)[0]
        leaf_side[-1 - c[~internal]] = sign
    # Walk up: column j of `up` is the (j+1)-th node above each leaf (-1 once past the root).
    up_nodes, up_signs = [], []
    if n_classes > 1:
        node, sign = leaf_parent, leaf_side
        while np.any(node >= 0):
            active = node >= 0
            up_nodes.append(np.where(active, node, 0))
            up_signs.append(np.where(active, sign, 0.0))
            safe = np.where(active, node, 0)
            sign = np.where(active, side[safe], 0.0)
            node = np.where(active, parent[safe], -1)
    width = len(up_nodes)
    up_n = np.stack(up_nodes, axis=1) if width else np.zeros((n_classes, 0), dtype=np.int64)
    up_s = np.stack(up_signs, axis=1) if width else np.zeros((n_classes, 0), dtype=np.float64)
    depths = np.count_nonzero(up_s, axis=1).astype(np.int64)
    # Reverse each row's first depth[k] entries so paths read root first.
    j = np.arange(width)
    src = depths[:, None] - 1 - j
    valid = src >= 0
    src = np.where(valid, src, 0)
    nodes = np.where(valid, np.take_along_axis(up_n, src, axis=1), 0)
    signs = np.where(valid, np.take_along_axis(up_s, src, axis=1), 0.0)
    for a in (children, nodes, signs, depths):
        a.setflags(write=False)
    tree = BinaryTree(children=children, nodes=nodes, signs=signs, depths=depths)
    object.__setattr__(tree, "_built", True)
    return tree


#: The most classes a tree may have: its path tables take about ``16 K log2 K`` bytes, a
#: terabyte at this size.
MAX_CLASSES = 2**32


def _check_frequencies(frequencies: ArrayLike, name: str = "frequencies") -> np.ndarray:
    """Finite non-negative float64 weights with a positive sum; rescaled by a power of two if their sum overflows."""
    f = as_real_array(frequencies, name).astype(np.float64)
    if f.ndim != 1 or f.shape[0] == 0:
        raise ValueError(f"{name} must be a non-empty 1-D array, got shape {f.shape}")
    if not np.all(np.isfinite(f)) or np.any(f < 0):
        bad = f[~(np.isfinite(f) & (f >= 0))][0]
        raise ValueError(f"{name} must be finite (in float64) and non-negative, got {bad!r}")
    if not np.any(f > 0):
        raise ValueError(f"{name} must have a positive sum")
    with np.errstate(over="ignore"):
        total = f.sum()
    if not np.isfinite(total):  # exact: sums and comparisons keep their order, none overflows now
        f = np.ldexp(f, -np.frexp(f.max())[1])
    return f


def balanced_tree(n_classes: int) -> BinaryTree:
    """The balanced binary tree over ``n_classes`` leaves: every path has ``floor`` or ``ceil(log2 K)`` nodes.

    The classes are split in half (the left half gets the extra class when
    ``K`` is odd) recursively, so class order is kept left to right and, for
    ``K = 2^d``, class ``k``'s code is ``k`` written in ``d`` binary digits.

    Parameters
    ----------
    n_classes : int
        ``1 <= K <= 2**32`` (``MAX_CLASSES``). With ``K = 1`` the tree has no
        internal node and the one class has probability 1.

    Returns
    -------
    BinaryTree

    Raises
    ------
    TypeError
        If ``n_classes`` is not an integer (booleans and floats such as ``4.0`` are not).
    ValueError
        If ``n_classes`` is outside ``[1, 2**32]``.

    Examples
    --------
    >>> tree = balanced_tree(5)
    >>> tree.depths.tolist()
    [3, 3, 2, 2, 2]
    >>> balanced_tree(8).codes[5]
    '101'
    """
    n_classes = check_int(n_classes, "n_classes", minimum=1, maximum=MAX_CLASSES)
    children = np.zeros((n_classes - 1, 2), dtype=np.int64)
    # Level by level: the intervals [lo, hi) of classes still to split, numbered in order.
    lo, hi = np.array([0]), np.array([n_classes])
    next_id = 1
    while lo.size and n_classes > 1:
        ids = np.arange(next_id - lo.size, next_id)
        mid = lo + (hi - lo + 1) // 2
        halves = [(lo, mid), (mid, hi)]
        sizes = [mid - lo, hi - mid]
        # internal children of this level get consecutive ids, left before right per parent
        inner = np.stack([sizes[0] > 1, sizes[1] > 1], axis=1)  # (n, 2)
        child_ids = next_id + np.cumsum(inner.reshape(-1)).reshape(inner.shape) - 1
        for col in (0, 1):
            a, b = halves[col]
            children[ids, col] = np.where(inner[:, col], child_ids[:, col], -1 - a)
        order = np.nonzero(inner.reshape(-1))[0]
        lo = np.stack([lo, mid], axis=1).reshape(-1)[order]
        hi = np.stack([mid, hi], axis=1).reshape(-1)[order]
        next_id += order.size
    return _tree_from_children(children, n_classes)


def huffman_tree(frequencies: ArrayLike) -> BinaryTree:
    """The Huffman tree of class frequencies: the prefix code of least average length.

    Repeatedly merges the two subtrees of smallest total frequency (Huffman,
    1952), in ``O(K log K)`` time (a sort, then two queues). Ties are broken
    deterministically (single classes before merged subtrees, lower class
    index first), so the same frequencies always give the same tree. The average path length ``L`` under
    the normalised frequencies ``p`` satisfies ``H(p) <= L < H(p) + 1`` with
    ``H`` the entropy in bits.

    Parameters
    ----------
    frequencies : array_like, shape (K,)
        Non-negative, finite class counts or probabilities with a positive
        sum, computed in float64. Frequencies whose sum would overflow are
        rescaled by a power of two first: exactly, but for frequencies below
        about 1e-308 times the largest, which may round.

    Returns
    -------
    BinaryTree
        Zero frequencies are allowed (their classes get the longest codes);
        a single class gives the tree with no internal node.

    Raises
    ------
    TypeError
        If ``frequencies`` is not a real numeric array-like.
    ValueError
        If it is not 1-D and non-empty, has a negative, nan or infinite entry
        (in float64: a long double beyond its range is infinite), or sums to 0.

    Examples
    --------
    >>> tree = huffman_tree([45, 13, 12, 16, 9, 5])
    >>> tree.depths.tolist()
    [1, 3, 3, 3, 4, 4]
    >>> round(tree.average_depth([45, 13, 12, 16, 9, 5]), 2)
    2.24
    """
    f = _check_frequencies(frequencies)
    n_classes = f.shape[0]
    # Two-queue Huffman (van Leeuwen, 1976): leaves sorted by weight, and merged subtrees, whose
    # weights come out non-decreasing, in a second queue. Subtree m (0-based merge order) becomes
    # internal node K - 2 - m, so the last merge, the root, is node 0.
    leaves = np.argsort(f, kind="stable").tolist()
    leaf_w = f[leaves].tolist()
    merged_w: list[float] = []
    left: list[int] = []
    right: list[int] = []
    i = j = 0  # heads of the leaf queue and of the merged queue
    for _merge in range(n_classes - 1):
        picks = []
        for _ in range(2):
            if j >= len(merged_w) or (i < n_classes and leaf_w[i] <= merged_w[j]):  # ties: leaf first
                picks.append((leaf_w[i], -1 - leaves[i]))
                i += 1
            else:
                picks.append((merged_w[j], n_classes - 2 - j))
                j += 1
        merged_w.append(picks[0][0] + picks[1][0])
        left.append(picks[0][1])
        right.append(picks[1][1])
    children = np.array([left[::-1], right[::-1]], dtype=np.int64).T.reshape(-1, 2)
    return _tree_from_children(np.ascontiguousarray(children), n_classes)


def _check_tree(tree: BinaryTree) -> BinaryTree:
    if not isinstance(tree, BinaryTree):
        raise TypeError(f"tree must be a BinaryTree (from balanced_tree or huffman_tree), got {type(tree).__name__}")
    _ = tree._walk  # checks a tree once: ValueError if it is not consistent
    return tree


def _log_probabilities(scores: np.ndarray, tree: BinaryTree) -> np.ndarray:
    """``log p(k)`` for a block of score rows ``(B, K - 1)`` in a float dtype: ``(B, K)`` in that dtype.

    The log-probability of reaching each node is its parent's plus the log
    sigmoid of the turn, level by level from the root (``O(K)`` per row, for
    any tree), summed root first; a row holding a nan is nan throughout.
    """
    levels, leaf_parent, leaf_turn = tree._walk
    turns = np.concatenate([log_sigmoid(scores), log_sigmoid(-scores)], axis=1)  # left turns, then right
    reach = np.zeros_like(scores)
    for nodes, parents, node_turns in levels:
        reach[:, nodes] = reach[:, parents] + turns[:, node_turns]
    out = reach[:, leaf_parent]
    out += turns[:, leaf_turn]
    out += 0.0  # a certain class reads 0.0, not -0.0
    undefined = np.isnan(scores).any(axis=1)
    if undefined.any():
        out[undefined] = np.nan
    return out


def _hierarchical(node_scores: ArrayLike, tree: BinaryTree, exponentiate: bool) -> np.ndarray:
    """Shared body of hierarchical_log_softmax and hierarchical_softmax, a block of rows at a time."""
    tree = _check_tree(tree)
    s = as_real_array(node_scores, "node_scores")
    if s.ndim == 0 or s.shape[-1] != tree.n_internal:
        raise ValueError(
            f"node_scores must have last axis of length {tree.n_internal} (one per internal node), "
            f"got shape {s.shape}"
        )
    work, n_classes = working_dtype(s.dtype), tree.n_classes
    rows = math.prod(s.shape[:-1])
    out = np.empty((rows, n_classes), dtype=result_dtype(s.dtype))
    if n_classes == 1:
        out.fill(1.0 if exponentiate else 0.0)
    else:
        s2 = s.reshape(rows, n_classes - 1)
        step = _rows_per_block(4 * n_classes)
        with np.errstate(invalid="ignore", over="ignore"):  # log-probabilities beyond the range: -inf
            for r0 in range(0, rows, step):
                block = _log_probabilities(s2[r0 : r0 + step].astype(work, copy=False), tree)
                out[r0 : r0 + step] = np.exp(block, out=block) if exponentiate else block
    return out.reshape(*s.shape[:-1], n_classes)


def hierarchical_log_softmax(node_scores: ArrayLike, tree: BinaryTree) -> np.ndarray:
    """Log-probabilities of every class under hierarchical softmax, from all internal-node scores.

    Parameters
    ----------
    node_scores : array_like, shape (..., K - 1)
        One real score per internal node of ``tree``; the last axis indexes
        nodes. Float16 is computed in float32 and returned as float16, long
        double computed in float64 and returned as long double, integers give
        float64.
    tree : BinaryTree

    Returns
    -------
    ndarray, shape (..., K)
        ``log p(k) = sum_{n on path(k)} log sigmoid(c_{k,n} s_n)``; ``exp`` of
        it sums to 1 over the last axis. Computed with ``log sigmoid(t) =
        -logaddexp(0, -t)``, so large scores neither overflow nor round to
        ``log 0``, in blocks of rows, with ``O(K)`` work per row for any tree.
        Infinite scores give the limits: a score of ``+inf`` sends all of its
        node's mass left (log-probability ``-inf`` for the classes on the
        right), ``-inf`` all of it right; a log-probability below the float
        range is ``-inf``. A row holding a nan score is nan throughout (its
        distribution is undefined); other rows are unaffected. With ``K = 1``
        every log-probability is 0; an empty batch gives an empty result.

    Raises
    ------
    TypeError
        If ``node_scores`` is not a real numeric array-like or ``tree`` not a BinaryTree.
    ValueError
        If the last axis of ``node_scores`` does not have length ``K - 1``.

    Examples
    --------
    >>> import numpy as np
    >>> tree = balanced_tree(4)
    >>> lp = hierarchical_log_softmax([0.0, 0.0, 0.0], tree)    # all scores 0: uniform
    >>> np.round(np.exp(lp), 6)
    array([0.25, 0.25, 0.25, 0.25])
    >>> lp = hierarchical_log_softmax([2.0, -1.0, 0.5], tree)
    >>> float(np.round(np.exp(lp).sum(), 12))
    1.0
    >>> hierarchical_log_softmax([np.inf, 0.0, 0.0], tree)    # the root always turns left
    array([-0.69314718, -0.69314718,        -inf,        -inf])
    """
    return _hierarchical(node_scores, tree, exponentiate=False)


def hierarchical_softmax(node_scores: ArrayLike, tree: BinaryTree) -> np.ndarray:
    """Probabilities of every class under hierarchical softmax: ``exp(hierarchical_log_softmax(...))``.

    Parameters
    ----------
    node_scores : array_like, shape (..., K - 1)
    tree : BinaryTree

    Returns
    -------
    ndarray, shape (..., K)
        Non-negative, summing to 1 along the last axis; the exponential is
        taken in the working dtype, before a float16 result is rounded. The
        edge cases of :func:`hierarchical_log_softmax` carry over (probability
        0 for log-probability ``-inf``, a row with a nan score nan throughout).

    Raises
    ------
    TypeError, ValueError
        As in :func:`hierarchical_log_softmax`.

    Examples
    --------
    >>> import numpy as np
    >>> p = hierarchical_softmax([3.0], balanced_tree(2))   # one node: the logistic sigmoid
    >>> np.round(p, 6)
    array([0.952574, 0.047426])
    """
    return _hierarchical(node_scores, tree, exponentiate=True)


def _check_path_args(hidden, node_weights, tree, labels):
    tree = _check_tree(tree)
    h = as_real_array(hidden, "hidden")
    w = as_real_array(node_weights, "node_weights")
    if h.ndim == 0:
        raise ValueError("hidden must have at least 1 dimension (the feature axis is last)")
    if w.ndim != 2 or w.shape[0] != tree.n_internal or w.shape[1] != h.shape[-1]:
        raise ValueError(
            f"node_weights must have shape ({tree.n_internal}, {h.shape[-1]}) = (internal nodes, features), "
            f"got {w.shape}"
        )
    y = as_real_array(labels, "labels")
    if y.dtype.kind not in "iu":
        raise TypeError(f"labels must be integers, got dtype {y.dtype}")
    if y.shape != h.shape[:-1]:
        raise ValueError(f"labels must have shape {h.shape[:-1]} (hidden without its last axis), got {y.shape}")
    if y.size and (y.min() < 0 or y.max() >= tree.n_classes):
        raise ValueError(f"labels must lie in [0, {tree.n_classes}), got values in [{y.min()}, {y.max()}]")
    dtype = _promoted((hidden, h), (node_weights, w))
    flat_h, flat_y = h.reshape(y.size, h.shape[-1]), y.reshape(y.size)
    return tree, flat_h, w, flat_y, dtype, working_dtype(dtype), h.shape


def _path_blocks(tree, h, w, y, work):
    """For blocks of examples: ``(rows, h, path weight rows, signs, scores)``, in ``work``.

    The path's weight rows are ``(B, D, d)``, zero in the padding; scores are
    ``h . v_n``, ``(B, D)``. A score that overflowed only in the dot product's
    partial sums (finite inputs, a finite true value) is recomputed from
    inputs scaled by powers of two; one beyond the float range stays ``+-inf``.
    """
    depth, features = tree.max_depth, h.shape[1]
    step = _rows_per_block(2 * max(depth, 1) * max(features, 1))
    for r0 in range(0, y.shape[0], step):
        rows = slice(r0, r0 + step)
        labels = y[rows]
        signs = tree.signs[labels].astype(work)
        path = w[tree.nodes[labels]].astype(work, copy=False)
        path[signs == 0] = 0
        hb = h[rows].astype(work, copy=False)
        scores = np.einsum("bd,bkd->bk", hb, path)  # only the path's rows are read
        b, j = np.nonzero(~np.isfinite(scores))
        if b.size:
            hh, ww = hb[b], path[b, j]
            finite = np.isfinite(hh).all(axis=1) & np.isfinite(ww).all(axis=1)
            b, j, hh, ww = b[finite], j[finite], hh[finite], ww[finite]
            eh, ew = np.frexp(np.abs(hh).max(axis=1))[1], np.frexp(np.abs(ww).max(axis=1))[1]
            dots = np.einsum("nd,nd->n", np.ldexp(hh, -eh[:, None]), np.ldexp(ww, -ew[:, None]))
            scores[b, j] = np.ldexp(dots, eh + ew)
        yield rows, hb, path, signs, scores


def hierarchical_log_prob(
    hidden: ArrayLike, node_weights: ArrayLike, tree: BinaryTree, labels: ArrayLike
) -> np.ndarray:
    """``log p(label | hidden)`` under hierarchical softmax, touching only the label's path.

    With node scores ``s_n = hidden . node_weights[n]``, only the ``depth(y)``
    nodes on the path to ``y`` are scored: ``O(d log K)`` work per example for
    a balanced tree, against ``O(d K)`` for the full softmax over ``K`` classes.

    Parameters
    ----------
    hidden : array_like, shape (..., d)
        Hidden vectors, features on the last axis.
    node_weights : array_like, shape (K - 1, d)
        One weight row per internal node.
    tree : BinaryTree
    labels : array_like of int, shape (...)
        One class in ``[0, K)`` per hidden vector.

    Returns
    -------
    ndarray or numpy scalar, shape (...)
        The log-likelihood of each label, ``<= 0``, in the promoted dtype of
        ``hidden`` and ``node_weights`` (float16 computed in float32 and
        returned as float16, long double in float64 and returned as long
        double, integers as float64). A score beyond the float range is
        ``+-inf`` and gives the limit (log-probability 0 or ``-inf``); a nan
        in a score on the path (a nan input, or ``inf * 0`` and ``inf - inf``
        inside the dot product) gives nan for that example only; entries off
        the path are never read. An empty batch gives an empty result.

    Raises
    ------
    TypeError
        If ``hidden`` or ``node_weights`` is not a real numeric array-like,
        ``labels`` not integers, or ``tree`` not a BinaryTree.
    ValueError
        If the shapes do not match or a label is outside ``[0, K)``.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> tree = balanced_tree(16)
    >>> h, V = rng.normal(size=(3, 5)), rng.normal(size=(15, 5))
    >>> y = np.array([0, 7, 15])
    >>> all_classes = hierarchical_log_softmax(h @ V.T, tree)
    >>> bool(np.allclose(hierarchical_log_prob(h, V, tree, y), all_classes[np.arange(3), y]))
    True
    """
    tree, h, w, y, dtype, work, shape = _check_path_args(hidden, node_weights, tree, labels)
    out = np.empty(y.shape, dtype=work)
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        for rows, _, _, signs, scores in _path_blocks(tree, h, w, y, work):
            terms = log_sigmoid(signs * scores)
            terms[signs == 0] = 0
            out[rows] = terms.sum(axis=-1)
    return _result(out.reshape(shape[:-1]), dtype)


def hierarchical_log_prob_grad(
    hidden: ArrayLike, node_weights: ArrayLike, tree: BinaryTree, labels: ArrayLike
) -> tuple[np.ndarray, np.ndarray]:
    """Gradients of the summed log-likelihood ``sum log p(label | hidden)`` for hierarchical softmax.

    On the path of ``y``, ``d log p / d s_n = c_n sigmoid(-c_n s_n)`` (the
    probability of the turn *not* taken, signed), so

        d/d hidden = sum_n c_n sigmoid(-c_n s_n) v_n,
        d/d v_n    = c_n sigmoid(-c_n s_n) hidden   (summed over the examples whose path uses n).

    Parameters
    ----------
    hidden, node_weights, tree, labels
        As in :func:`hierarchical_log_prob`.

    Returns
    -------
    grad_hidden : ndarray, shape (..., d)
        Per-example gradient with respect to ``hidden``.
    grad_node_weights : ndarray, shape (K - 1, d)
        Gradient with respect to ``node_weights``, summed over the examples;
        only the rows on the labels' paths are non-zero (a trainer would
        update just those ``depth`` rows in place).

        Both in the dtype of :func:`hierarchical_log_prob`. A score beyond the
        float range gives its limit (a turn taken for sure contributes
        exactly 0, whatever the size of ``hidden`` and the weights); nan
        scores give nan in the entries they reach; the sums themselves are
        plain floating-point sums, ``+-inf`` (or nan, with both signs) only
        where one overflows.

    Raises
    ------
    TypeError, ValueError
        As in :func:`hierarchical_log_prob`.

    Examples
    --------
    >>> import numpy as np
    >>> tree = balanced_tree(4)
    >>> h, V = np.array([1.0, 0.0]), np.zeros((3, 2))   # all scores 0: each turn has probability 1/2
    >>> gh, gV = hierarchical_log_prob_grad(h, V, tree, np.array(0))
    >>> gV                                            # class 0 turns left twice, at nodes 0 and 1
    array([[0.5, 0. ],
           [0.5, 0. ],
           [0. , 0. ]])
    """
    tree, h, w, y, dtype, work, shape = _check_path_args(hidden, node_weights, tree, labels)
    grad_hidden = np.empty(h.shape, dtype=result_dtype(dtype))
    grad_w = np.zeros(w.shape, dtype=work)
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        for rows, hb, path, signs, scores in _path_blocks(tree, h, w, y, work):
            ds = signs * sigmoid(-signs * scores)  # c * sigmoid(-c s)
            on_path = signs != 0
            ds[~on_path] = 0
            grad_hidden[rows] = np.einsum("bk,bkd->bd", ds, path)
            # d/d v_n = sum over the block's examples b of A[n, b] h_b, with A[n, b] = ds of b's turn at n
            example, _ = np.nonzero(on_path)
            nodes, slot = np.unique(tree.nodes[y[rows]][on_path], return_inverse=True)
            a = np.zeros((nodes.size, hb.shape[0]), dtype=work)
            a[slot, example] = ds[on_path]  # a path visits a node once: no repeated (slot, example)
            if np.isfinite(hb).all():
                grad_w[nodes] += a @ hb
            else:  # 0 * inf in the product would reach nodes off the example's path: add one by one
                np.add.at(grad_w, nodes[slot], ds[on_path][:, None] * hb[example])
    return grad_hidden.reshape(shape), _result(grad_w, dtype)
