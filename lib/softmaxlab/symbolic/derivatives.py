"""SymPy derivations of the derivatives of softmax and of the cross-entropy loss (chapters 2-3)."""

from __future__ import annotations

import sympy as sp

from softmaxlab.symbolic.definition import logits, softmax_sym

__all__ = [
    "softmax_jacobian_sym",
    "softmax_jacobian_closed_form",
    "cross_entropy_sym",
    "cross_entropy_gradient_sym",
]


def softmax_jacobian_sym(n: int) -> sp.Matrix:
    """The Jacobian ``J[i, j] = d softmax(z)_i / d z_j``, differentiated from the definition.

    Examples
    --------
    >>> J = softmax_jacobian_sym(2)
    >>> J.shape
    (2, 2)
    >>> sp.simplify(J - softmax_jacobian_closed_form(2)) == sp.zeros(2, 2)
    True
    """
    z = logits(n)
    a = softmax_sym(z)
    return sp.Matrix(n, n, lambda i, j: sp.diff(a[i], z[j]))


def softmax_jacobian_closed_form(n: int) -> sp.Matrix:
    """``diag(a) - a a^T`` with ``a = softmax(z)``: entry ``a_i (delta_ij - a_j)``.

    Examples
    --------
    >>> softmax_jacobian_closed_form(2)[0, 1]
    -exp(z_1)*exp(z_2)/(exp(z_1) + exp(z_2))**2
    """
    a = softmax_sym(logits(n))
    return sp.Matrix(n, n, lambda i, j: a[i] * (sp.KroneckerDelta(i, j) - a[j]))


def cross_entropy_sym(n: int, label: int) -> sp.Expr:
    """``-log softmax(z)_label``: the cross-entropy of a one-hot target at class ``label`` (0-based).

    Examples
    --------
    >>> cross_entropy_sym(2, 0)
    -log(exp(z_1)/(exp(z_1) + exp(z_2)))
    """
    if not 0 <= label < n:
        raise ValueError(f"label must be in [0, {n}), got {label!r}")
    return -sp.log(softmax_sym(logits(n))[label])


def cross_entropy_gradient_sym(n: int, label: int) -> list[sp.Expr]:
    """``d CE / d z_j - (p_j - y_j)`` for each ``j``, simplified: all zeros, i.e. the gradient is ``p - y``.

    Examples
    --------
    >>> cross_entropy_gradient_sym(3, 1)
    [0, 0, 0]
    """
    z = logits(n)
    p = softmax_sym(z)
    loss = cross_entropy_sym(n, label)
    return [sp.simplify(sp.diff(loss, z[j]) - (p[j] - (1 if j == label else 0))) for j in range(n)]
