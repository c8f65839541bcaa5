"""SymPy versions of the definition of softmax and its first properties (chapter 1)."""

from __future__ import annotations

import sympy as sp

__all__ = [
    "logits",
    "softmax_sym",
    "logsumexp_sym",
    "sigmoid_sym",
    "softmax_sums_to_one",
    "softmax_shift_invariance",
    "two_class_softmax_is_sigmoid",
]


def logits(n: int, name: str = "z") -> list[sp.Symbol]:
    """``n`` real symbols ``z_1, ..., z_n``.

    Examples
    --------
    >>> logits(3)
    [z_1, z_2, z_3]
    """
    if n < 1:
        raise ValueError(f"n must be a positive integer, got {n!r}")
    return list(sp.symbols(f"{name}_1:{n + 1}", real=True))


def softmax_sym(z: list[sp.Expr], beta: sp.Expr = sp.Integer(1)) -> list[sp.Expr]:
    """The softmax of the symbols ``z`` at inverse temperature ``beta``, as SymPy expressions.

    Examples
    --------
    >>> z = logits(2)
    >>> softmax_sym(z)[0]
    exp(z_1)/(exp(z_1) + exp(z_2))
    """
    denominator = sum(sp.exp(beta * zj) for zj in z)
    return [sp.exp(beta * zi) / denominator for zi in z]


def logsumexp_sym(z: list[sp.Expr]) -> sp.Expr:
    """``log(sum_j exp(z_j))`` as a SymPy expression.

    Examples
    --------
    >>> logsumexp_sym(logits(2))
    log(exp(z_1) + exp(z_2))
    """
    return sp.log(sum(sp.exp(zj) for zj in z))


def sigmoid_sym(t: sp.Expr) -> sp.Expr:
    """The logistic sigmoid ``1 / (1 + exp(-t))``.

    Examples
    --------
    >>> t = sp.Symbol("t", real=True)
    >>> sigmoid_sym(t)
    1/(1 + exp(-t))
    """
    return 1 / (1 + sp.exp(-t))


def softmax_sums_to_one(n: int) -> sp.Expr:
    """``sum_i softmax(z)_i - 1``, simplified; it is 0 for every ``n``.

    Examples
    --------
    >>> [softmax_sums_to_one(n) for n in (1, 2, 5)]
    [0, 0, 0]
    """
    return sp.simplify(sum(softmax_sym(logits(n))) - 1)


def softmax_shift_invariance(n: int) -> list[sp.Expr]:
    """``softmax(z + c) - softmax(z)`` entry by entry, simplified; each is 0.

    Examples
    --------
    >>> softmax_shift_invariance(3)
    [0, 0, 0]
    """
    z = logits(n)
    c = sp.Symbol("c", real=True)
    shifted = softmax_sym([zi + c for zi in z])
    return [sp.simplify(a - b) for a, b in zip(shifted, softmax_sym(z))]


def two_class_softmax_is_sigmoid() -> sp.Expr:
    """``softmax(z_1, z_2)_1 - sigmoid(z_1 - z_2)``, simplified; it is 0.

    Examples
    --------
    >>> two_class_softmax_is_sigmoid()
    0
    """
    z1, z2 = logits(2)
    return sp.simplify(softmax_sym([z1, z2])[0] - sigmoid_sym(z1 - z2))
