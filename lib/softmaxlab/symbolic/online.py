"""SymPy derivations for online softmax (the results of :mod:`softmaxlab.online`).

The one-pass recurrence and the merge of partial states keep their invariant for any choice of
the running maximum, and the maximum itself is associative.
"""

from __future__ import annotations

import sympy as sp

from softmaxlab.symbolic.core import _size, logits

__all__ = [
    "online_softmax_step_sym",
    "merge_invariant_sym",
    "merge_associativity_sym",
]


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
