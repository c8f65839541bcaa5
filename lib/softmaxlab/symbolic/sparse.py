"""SymPy derivations for sparsemax and 1.5-entmax (the results of :mod:`softmaxlab.sparse`).

Their thresholds solve the normalisation equations, the support condition, and the sparsemax
Jacobian on a fixed support ``I - 1 1^T / k``.
"""

from __future__ import annotations

import sympy as sp

from softmaxlab.symbolic.core import _size, logits

__all__ = [
    "sparsemax_threshold_sym",
    "sparsemax_support_condition_sym",
    "sparsemax_support_jacobian_sym",
    "entmax15_threshold_sym",
]


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
