"""SymPy derivations behind attention (:mod:`softmaxlab.attention`): the variance of a dot product of
``d`` independent unit-variance entries is ``d``, hence the division by ``sqrt(d)``; and a query whose
every key is masked has no softmax.
"""

from __future__ import annotations

import sympy as sp

from softmaxlab.symbolic.core import _size

__all__ = [
    "dot_product_variance",
    "fully_masked_row_limits_sym",
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


def fully_masked_row_limits_sym() -> dict[str, sp.Expr]:
    """The weights of a row whose every key is masked have no limit: different paths to ``-inf`` disagree.

    With two scores ``s_1, s_2`` and ``c -> +inf``, the first weight of
    ``softmax(s_1 - c, s_2 - 2c)`` tends to 1 and that of
    ``softmax(s_1 - 2c, s_2 - c)`` to 0, while a common fill,
    ``softmax(s_1 - c, s_2 - c)``, equals the unmasked ``softmax(s_1, s_2)`` for
    every ``c`` (shift invariance).

    Returns
    -------
    dict
        ``"first path"`` (1), ``"second path"`` (0) and ``"common fill minus unmasked"`` (0).

    Examples
    --------
    >>> fully_masked_row_limits_sym()
    {'first path': 1, 'second path': 0, 'common fill minus unmasked': 0}
    """
    c = sp.symbols("c", positive=True)
    s1, s2 = sp.symbols("s_1 s_2", real=True)

    def first_weight(a: sp.Expr, b: sp.Expr) -> sp.Expr:
        return sp.simplify(sp.exp(a) / (sp.exp(a) + sp.exp(b)))

    return {"first path": sp.limit(first_weight(s1 - c, s2 - 2 * c), c, sp.oo),
            "second path": sp.limit(first_weight(s1 - 2 * c, s2 - c), c, sp.oo),
            "common fill minus unmasked": sp.simplify(first_weight(s1 - c, s2 - c) - first_weight(s1, s2))}
