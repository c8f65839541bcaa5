"""SymPy derivations for the softmax variants (chapter 6).

Hierarchical softmax sums to 1 and has the path gradient ``c sigmoid(-c s)``;
the sparsemax and 1.5-entmax thresholds solve their normalisation equations;
the sparsemax Jacobian on a fixed support is ``I - 1 1^T / k``; the online
softmax recurrence and the merge of partial states keep their invariant for
any choice of the running maximum, and the maximum itself is associative; NCE
is minimised at the data log-probability and negative sampling at the shifted
PMI. Each function returns expressions that simplify to 0 (or the derived
object), so chapters can show them and tests can assert them.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from softmaxlab.hierarchical import BinaryTree
from softmaxlab.symbolic.definition import _size, logits, sigmoid_sym

__all__ = [
    "hierarchical_softmax_sym",
    "hierarchical_sum_minus_one",
    "hierarchical_path_gradient_sym",
    "sparsemax_threshold_sym",
    "sparsemax_support_condition_sym",
    "sparsemax_support_jacobian_sym",
    "entmax15_threshold_sym",
    "online_softmax_step_sym",
    "merge_invariant_sym",
    "merge_associativity_sym",
    "nce_optimum_sym",
    "negative_sampling_optimum_sym",
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


def sparsemax_threshold_sym(k: int) -> sp.Expr:
    """Solve ``sum_{i=1..k} (z_i - tau) = 1`` for ``tau``: the threshold when the support is the top ``k``.

    Parameters
    ----------
    k : int
        The size of the support, ``1 <= k <= 512`` (the cost grows quickly with ``k``).

    Examples
    --------
    >>> sparsemax_threshold_sym(3)
    z_1/3 + z_2/3 + z_3/3 - 1/3
    """
    k = _size(k, "k", 512)
    z = logits(k)
    tau = sp.Symbol("tau", real=True)
    (solution,) = sp.solve(sp.Eq(sum(zi - tau for zi in z), 1), tau)
    return sp.expand(solution)


def sparsemax_support_condition_sym(k: int) -> sp.Expr:
    """``k (z_k - tau_k) - (1 + k z_k - sum_{j<=k} z_j)``, simplified: 0.

    So ``z_(k) > tau_k`` (class ``k`` gets positive mass) is exactly the
    sort-based test ``1 + k z_(k) > z_(1) + ... + z_(k)``.

    Parameters
    ----------
    k : int
        The size of the support, ``1 <= k <= 512`` (the cost grows quickly with ``k``).

    Examples
    --------
    >>> sparsemax_support_condition_sym(4)
    0
    """
    k = _size(k, "k", 512)
    z = logits(k)
    return sp.simplify(k * (z[-1] - sparsemax_threshold_sym(k)) - (1 + k * z[-1] - sum(z)))


def sparsemax_support_jacobian_sym(k: int) -> sp.Matrix:
    """The Jacobian of ``p_i = z_i - tau(z)`` on a fixed support of size ``k``: ``I - 1 1^T / k``.

    Parameters
    ----------
    k : int
        The size of the support, ``1 <= k <= 48`` (the cost grows quickly with ``k``).

    Examples
    --------
    >>> sparsemax_support_jacobian_sym(2)
    Matrix([
    [ 1/2, -1/2],
    [-1/2,  1/2]])
    """
    k = _size(k, "k", 48)
    z = logits(k)
    tau = sparsemax_threshold_sym(k)
    p = [zi - tau for zi in z]
    return sp.Matrix(k, k, lambda i, j: sp.diff(p[i], z[j]))


def entmax15_threshold_sym(k: int) -> tuple[list[sp.Expr], sp.Expr]:
    """Roots of ``sum_{i=1..k} (u_i - tau)^2 = 1`` and the closed form ``mean - sqrt((1 - ss) / k)``.

    ``u_i = z_i / 2`` are the halved scores of the top ``k``, ``ss`` the sum of
    their squared deviations from their mean. The smaller root is the 1.5-entmax
    threshold (the larger one would put ``tau`` above the scores).

    Parameters
    ----------
    k : int
        The size of the support, ``1 <= k <= 16`` (the cost grows quickly with ``k``).

    Returns
    -------
    roots : list of the two roots
    closed_form : the smaller root as used by :func:`softmaxlab.entmax15`

    Examples
    --------
    >>> roots, closed = entmax15_threshold_sym(2)
    >>> [sp.simplify(r - closed) == 0 for r in roots]
    [True, False]
    """
    k = _size(k, "k", 16)
    u = list(sp.symbols(f"u_1:{k + 1}", real=True))
    tau = sp.Symbol("tau", real=True)
    roots = sp.solve(sp.Eq(sum((ui - tau) ** 2 for ui in u), 1), tau)
    mean = sum(u) / k
    ss = sum((ui - mean) ** 2 for ui in u)
    closed = mean - sp.sqrt((1 - ss) / k)
    return sorted(roots, key=lambda r: sp.simplify(r - closed) != 0), closed


def online_softmax_step_sym(j: int) -> sp.Expr:
    """One step of the online normaliser keeps the invariant ``d_j = sum_{i<=j} exp(x_i - m_j)``.

    Assume ``d_{j-1} = sum_{i<j} exp(x_i - m_{j-1})``. Then
    ``d_{j-1} exp(m_{j-1} - m_j) + exp(x_j - m_j) - sum_{i<=j} exp(x_i - m_j)``
    simplifies to 0 *whatever* the new reference ``m_j`` is; choosing
    ``m_j = max(m_{j-1}, x_j)`` only keeps every exponent ``<= 0``.

    Parameters
    ----------
    j : int
        The number of entries seen after the step, ``1 <= j <= 24`` (the cost grows quickly with ``j``).

    Examples
    --------
    >>> online_softmax_step_sym(4)
    0
    """
    j = _size(j, "j", 24)
    x = logits(j, "x")
    m_prev, m_new = sp.symbols("m_prev m_new", real=True)
    d_prev = sum(sp.exp(xi - m_prev) for xi in x[:-1])
    d_new = d_prev * sp.exp(m_prev - m_new) + sp.exp(x[-1] - m_new)
    return sp.simplify(d_new - sum(sp.exp(xi - m_new) for xi in x))


def merge_invariant_sym(size_a: int, size_b: int) -> sp.Expr:
    """Merging two states gives the state of the union, for any reference ``m``: the difference is 0.

    ``d_a exp(m_a - m) + d_b exp(m_b - m) - sum_{x in A u B} exp(x - m)``
    with ``d_a = sum_A exp(x - m_a)``, ``d_b = sum_B exp(x - m_b)``.

    Parameters
    ----------
    size_a : int
        The number of entries of the first state, ``1 <= size_a <= 96`` (the cost grows quickly with the sizes).
    size_b : int
        The number of entries of the second state, ``1 <= size_b <= 96``.

    Examples
    --------
    >>> merge_invariant_sym(2, 3)
    0
    """
    size_a = _size(size_a, "size_a", 96)
    size_b = _size(size_b, "size_b", 96)
    xa = logits(size_a, "a")
    xb = logits(size_b, "b")
    m_a, m_b, m = sp.symbols("m_a m_b m", real=True)
    d_a = sum(sp.exp(x - m_a) for x in xa)
    d_b = sum(sp.exp(x - m_b) for x in xb)
    merged = d_a * sp.exp(m_a - m) + d_b * sp.exp(m_b - m)
    return sp.simplify(merged - sum(sp.exp(x - m) for x in xa + xb))


def merge_associativity_sym() -> tuple[sp.Expr, sp.Expr]:
    """Both groupings of three merges agree: ``(max difference, d difference)``, each simplified to 0.

    The merged ``d`` of ``(a + b) + c`` and of ``a + (b + c)`` are compared
    as ``d exp(m)``, the invariant sum of exponentials, after checking that the
    two maxima are the same expression.

    Examples
    --------
    >>> merge_associativity_sym()
    (0, 0)
    """
    ma, mb, mc = sp.symbols("m_a m_b m_c", real=True)
    da, db, dc = sp.symbols("d_a d_b d_c", positive=True)

    def merge(a, b):
        m = sp.Max(a[0], b[0])
        return m, a[1] * sp.exp(a[0] - m) + b[1] * sp.exp(b[0] - m)

    left = merge(merge((ma, da), (mb, db)), (mc, dc))
    right = merge((ma, da), merge((mb, db), (mc, dc)))
    return sp.simplify(left[0] - right[0]), sp.simplify(left[1] * sp.exp(left[0]) - right[1] * sp.exp(right[0]))


def nce_optimum_sym() -> list[sp.Expr]:
    """Stationary points in ``s`` of the expected NCE objective for one outcome: ``[log(p)]``.

    The outcome has data probability ``p`` and noise probability ``q``; the
    objective ``p log sigmoid(s - log(k q)) + k q log sigmoid(log(k q) - s)``
    (per unit of data) is maximised where the model's log-probability ``s``
    equals ``log p``: NCE is self-normalising.

    Examples
    --------
    >>> nce_optimum_sym()
    [log(p)]
    """
    p, q, k = sp.symbols("p q k", positive=True)
    s = sp.Symbol("s", real=True)
    delta = s - sp.log(k * q)
    objective = p * sp.log(sigmoid_sym(delta)) + k * q * sp.log(sigmoid_sym(-delta))
    return [sp.simplify(r) for r in sp.solve(sp.diff(objective, s), s)]


def negative_sampling_optimum_sym() -> list[sp.Expr]:
    """Stationary point in ``x`` of the expected negative-sampling objective for one (word, context) cell.

    ``N_wc log sigmoid(x) + k N_w P_c log sigmoid(-x)`` is maximised at
    ``x = log(N_wc / (N_w P_c)) - log k``: the shifted PMI (Levy and Goldberg, 2014).

    Examples
    --------
    >>> r = negative_sampling_optimum_sym()
    >>> N_wc, N_w, P_c, k = sp.symbols("N_wc N_w P_c k", positive=True)
    >>> sp.simplify(sp.expand_log(r[0] - (sp.log(N_wc / (N_w * P_c)) - sp.log(k)), force=True))
    0
    """
    n_wc, n_w, p_c, k = sp.symbols("N_wc N_w P_c k", positive=True)
    x = sp.Symbol("x", real=True)
    objective = n_wc * sp.log(sigmoid_sym(x)) + k * n_w * p_c * sp.log(sigmoid_sym(-x))
    return [sp.simplify(r) for r in sp.solve(sp.diff(objective, x), x)]
