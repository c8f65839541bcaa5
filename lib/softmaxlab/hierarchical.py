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

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike

from softmaxlab._logistic import log_sigmoid, sigmoid
from softmaxlab._validation import as_real_array, result_dtype, working_dtype

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

        Examples
        --------
        >>> huffman_tree([0.5, 0.25, 0.25]).average_depth([0.5, 0.25, 0.25])
        1.5
        """
        w = _check_frequencies(weights, "weights")
        if w.shape[0] != self.n_classes:
            raise ValueError(f"weights must have length {self.n_classes}, got {w.shape[0]}")
        return float(np.dot(w, self.depths) / w.sum())

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
    return BinaryTree(children=children, nodes=nodes, signs=signs, depths=depths)


def _check_n_classes(n_classes: int) -> int:
    if isinstance(n_classes, (bool, np.bool_)) or not isinstance(n_classes, (int, np.integer)):
        raise TypeError(f"n_classes must be a positive int, got {n_classes!r}")
    if n_classes < 1:
        raise ValueError(f"n_classes must be at least 1, got {n_classes}")
    return int(n_classes)


def _check_frequencies(frequencies: ArrayLike, name: str = "frequencies") -> np.ndarray:
    f = as_real_array(frequencies, name).astype(np.float64)
    if f.ndim != 1 or f.shape[0] == 0:
        raise ValueError(f"{name} must be a non-empty 1-D array, got shape {f.shape}")
    if not np.all(np.isfinite(f)) or np.any(f < 0):
        raise ValueError(f"{name} must be finite and non-negative")
    if not f.sum() > 0:
        raise ValueError(f"{name} must have a positive sum")
    return f


def balanced_tree(n_classes: int) -> BinaryTree:
    """The balanced binary tree over ``n_classes`` leaves: every path has ``floor`` or ``ceil(log2 K)`` nodes.

    The classes are split in half (the left half gets the extra class when
    ``K`` is odd) recursively, so class order is kept left to right and, for
    ``K = 2^d``, class ``k``'s code is ``k`` written in ``d`` binary digits.

    Parameters
    ----------
    n_classes : int
        ``K >= 1``. With ``K = 1`` the tree has no internal node and the one
        class has probability 1.

    Returns
    -------
    BinaryTree

    Examples
    --------
    >>> tree = balanced_tree(5)
    >>> tree.depths.tolist()
    [3, 3, 2, 2, 2]
    >>> balanced_tree(8).codes[5]
    '101'
    """
    n_classes = _check_n_classes(n_classes)
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
        Non-negative, finite class counts or probabilities with a positive sum.

    Returns
    -------
    BinaryTree

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
    for m in range(n_classes - 1):
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
    return tree


def hierarchical_log_softmax(node_scores: ArrayLike, tree: BinaryTree) -> np.ndarray:
    """Log-probabilities of every class under hierarchical softmax, from all internal-node scores.

    Parameters
    ----------
    node_scores : array_like, shape (..., K - 1)
        One real score per internal node of ``tree``; the last axis indexes nodes.
    tree : BinaryTree

    Returns
    -------
    ndarray, shape (..., K)
        ``log p(k) = sum_{n on path(k)} log sigmoid(c_{k,n} s_n)``; ``exp`` of
        it sums to 1 over the last axis. Computed with ``log sigmoid(t) =
        -logaddexp(0, -t)``, so large scores neither overflow nor round to
        ``log 0``.

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
    """
    tree = _check_tree(tree)
    s = as_real_array(node_scores, "node_scores")
    if s.ndim == 0 or s.shape[-1] != tree.n_internal:
        raise ValueError(
            f"node_scores must have last axis of length {tree.n_internal} (one per internal node), "
            f"got shape {s.shape}"
        )
    work = working_dtype(s.dtype)
    gathered = s.astype(work, copy=False)[..., tree.nodes] * tree.signs.astype(work)  # (..., K, D)
    terms = np.where(tree.signs != 0, log_sigmoid(gathered), work.type(0))
    return terms.sum(axis=-1).astype(result_dtype(s.dtype), copy=False)


def hierarchical_softmax(node_scores: ArrayLike, tree: BinaryTree) -> np.ndarray:
    """Probabilities of every class under hierarchical softmax: ``exp(hierarchical_log_softmax(...))``.

    Parameters
    ----------
    node_scores : array_like, shape (..., K - 1)
    tree : BinaryTree

    Returns
    -------
    ndarray, shape (..., K)
        Non-negative, summing to 1 along the last axis.

    Examples
    --------
    >>> import numpy as np
    >>> p = hierarchical_softmax([3.0], balanced_tree(2))   # one node: the logistic sigmoid
    >>> np.round(p, 6)
    array([0.952574, 0.047426])
    """
    return np.exp(hierarchical_log_softmax(node_scores, tree))


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
    y = np.asarray(labels)
    if y.dtype.kind not in "iu":
        raise TypeError(f"labels must be integers, got dtype {y.dtype}")
    if y.shape != h.shape[:-1]:
        raise ValueError(f"labels must have shape {h.shape[:-1]} (hidden without its last axis), got {y.shape}")
    if y.size and (y.min() < 0 or y.max() >= tree.n_classes):
        raise ValueError(f"labels must lie in [0, {tree.n_classes}), got values in [{y.min()}, {y.max()}]")
    work = np.result_type(working_dtype(h.dtype), working_dtype(w.dtype))
    return tree, h.astype(work, copy=False), w.astype(work, copy=False), y


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
    ndarray, shape (...)
        The log-likelihood of each label.

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
    tree, h, w, y = _check_path_args(hidden, node_weights, tree, labels)
    nodes, signs = tree.nodes[y], tree.signs[y].astype(h.dtype)  # (..., D)
    scores = np.einsum("...d,...kd->...k", h, w[nodes])  # only the path's rows are read
    terms = np.where(signs != 0, log_sigmoid(signs * scores), h.dtype.type(0))
    return terms.sum(axis=-1)


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
    tree, h, w, y = _check_path_args(hidden, node_weights, tree, labels)
    nodes, signs = tree.nodes[y], tree.signs[y].astype(h.dtype)
    rows = w[nodes]  # (..., D, d)
    scores = np.einsum("...d,...kd->...k", h, rows)
    ds = signs * sigmoid(-signs * scores)  # c * sigmoid(-c s); 0 in the padding
    grad_hidden = np.einsum("...k,...kd->...d", ds, rows)
    grad_w = np.zeros_like(w)
    np.add.at(grad_w, nodes.reshape(-1), (ds[..., None] * h[..., None, :]).reshape(-1, w.shape[1]))
    return grad_hidden, grad_w
