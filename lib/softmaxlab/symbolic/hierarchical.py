"""SymPy derivations for hierarchical softmax (the results of :mod:`softmaxlab.hierarchical`).

The leaf probabilities, products of sigmoids along the path, sum to 1 on any tree, and the
gradient along a path is ``c sigmoid(-c s)``.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from softmaxlab.hierarchical import BinaryTree
from softmaxlab.symbolic.core import sigmoid_sym

__all__ = [
    "hierarchical_softmax_sym",
    "hierarchical_sum_minus_one",
    "hierarchical_path_gradient_sym",
]


def _tree(tree: object, maximum: int) -> BinaryTree:
    """A :class:`~softmaxlab.hierarchical.BinaryTree` with at most ``maximum`` classes."""
    if not isinstance(tree, BinaryTree):
        raise TypeError(
            f"tree must be a BinaryTree from balanced_tree or huffman_tree, got {type(tree).__name__} {tree!r}"
        )
    try:
        n_classes, n_internal = tree.n_classes, tree.n_internal
        consistent = (
            n_classes >= 1
            and tree.children.shape == (n_internal, 2)
            and n_internal == n_classes - 1
            and tree.nodes.ndim == 2
            and tree.nodes.shape[0] == n_classes
            and tree.signs.shape == tree.nodes.shape
            and tree.nodes.dtype.kind in "iu"
            and bool(np.all((tree.nodes >= 0) & (tree.nodes < max(n_internal, 1))))
            and bool(np.all(np.isin(tree.signs, (-1, 0, 1))))
        )
    except (AttributeError, TypeError, ValueError):
        consistent = False
    if not consistent:
        raise ValueError("tree is not a consistent BinaryTree: build it with balanced_tree or huffman_tree")
    if n_classes > maximum:
        raise ValueError(f"tree must have at most {maximum} classes here, got {n_classes}")
    return tree


def hierarchical_softmax_sym(tree) -> tuple[list[sp.Expr], list[sp.Symbol]]:
    """The class probabilities of a :class:`~softmaxlab.hierarchical.BinaryTree` as products of sigmoids.

    Parameters
    ----------
    tree : BinaryTree
        Any tree from :func:`~softmaxlab.hierarchical.balanced_tree` or
        :func:`~softmaxlab.hierarchical.huffman_tree`, with at most 1024 classes.
        Anything else raises TypeError, and a tree whose arrays do not
        describe a tree or with more classes raises ValueError, naming ``tree``.

    Returns
    -------
    probabilities : list of sympy expressions, one per class
    scores : list of the node-score symbols ``s_0, ..., s_{K-2}``

    Examples
    --------
    >>> from softmaxlab.hierarchical import balanced_tree
    >>> p, s = hierarchical_softmax_sym(balanced_tree(3))
    >>> p[2]
    1/(exp(s_0) + 1)
    """
    tree = _tree(tree, 1024)
    s = list(sp.symbols(f"s_0:{tree.n_internal}", real=True))
    probs = []
    for k in range(tree.n_classes):
        factors = [sigmoid_sym(int(c) * s[int(n)]) for n, c in zip(tree.nodes[k], tree.signs[k]) if c != 0]
        probs.append(sp.Mul(*factors))
    return probs, s


def hierarchical_sum_minus_one(tree) -> sp.Expr:
    """``sum_k p(k) - 1`` for hierarchical softmax on ``tree``, simplified: 0 for every tree.

    Written in ``u_n = exp(s_n)`` every sigmoid is rational
    (``u / (1 + u)`` or ``1 / (1 + u)``), so ``cancel`` decides the identity exactly.

    Parameters
    ----------
    tree : BinaryTree
        As for :func:`hierarchical_softmax_sym`, with at most 16 classes (the cost
        grows quickly with the tree).

    Examples
    --------
    >>> from softmaxlab.hierarchical import balanced_tree, huffman_tree
    >>> hierarchical_sum_minus_one(balanced_tree(4)), hierarchical_sum_minus_one(huffman_tree([5, 1, 1, 2, 9]))
    (0, 0)
    """
    tree = _tree(tree, 16)
    probs, s = hierarchical_softmax_sym(tree)
    u = sp.symbols(f"u_0:{tree.n_internal}", positive=True)
    total = sum(probs) - 1
    return sp.cancel(sp.simplify(total.subs({si: sp.log(ui) for si, ui in zip(s, u)})))


def hierarchical_path_gradient_sym() -> list[sp.Expr]:
    """``d/ds log sigmoid(c s) - c sigmoid(-c s)`` for ``c = +1`` and ``c = -1``, simplified: ``[0, 0]``.

    Examples
    --------
    >>> hierarchical_path_gradient_sym()
    [0, 0]
    """
    s = sp.Symbol("s", real=True)
    return [sp.simplify(sp.diff(sp.log(sigmoid_sym(c * s)), s) - c * sigmoid_sym(-c * s)) for c in (1, -1)]
