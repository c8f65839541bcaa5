"""SymPy derivation behind the scaling of attention (:mod:`softmaxlab.attention`): the variance of a
dot product of ``d`` independent unit-variance entries is ``d``, hence the division by ``sqrt(d)``.
"""

from __future__ import annotations

import sympy as sp

from softmaxlab.symbolic.core import _size

__all__ = [
    "dot_product_variance",
]


def dot_product_variance(d: int) -> sp.Expr:
    """Variance of ``q . k`` for ``q, k`` in ``R^d`` with independent zero-mean, unit-variance entries: ``d``.

    Expands ``(sum_i q_i k_i)^2`` and takes expectations monomial by monomial
    (``E[x] = 0``, ``E[x^2] = 1``, independence); no distribution beyond the
    first two moments is assumed. Dividing the scores by ``sqrt(d)`` restores
    unit variance, which is why scaled dot-product attention does it.

    Parameters
    ----------
    d : int
        The dimension, ``1 <= d <= 64`` (the cost grows quickly with ``d``).

    Examples
    --------
    >>> dot_product_variance(3)
    3
    """
    d = _size(d, "d", 64)
    q = sp.symbols(f"q_1:{d + 1}", real=True)
    k = sp.symbols(f"k_1:{d + 1}", real=True)
    variables = [*q, *k]
    moments = {0: 1, 1: 0, 2: 1}

    def expectation(poly_expr: sp.Expr) -> sp.Expr:
        poly = sp.Poly(sp.expand(poly_expr), *variables)
        total = sp.Integer(0)
        for powers, coefficient in poly.terms():
            term = coefficient
            for power in powers:
                term *= moments[power]
            total += term
        return total

    s = sum(qi * ki for qi, ki in zip(q, k))
    mean = expectation(s)
    return sp.simplify(expectation(s**2) - mean**2)
