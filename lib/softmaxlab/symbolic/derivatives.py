"""SymPy derivations of the derivatives of softmax (the results of :mod:`softmaxlab.derivatives`).

The Jacobian ``diag(p) - p p^T`` in matrix and index form, its quadratic form, the gradient and
Hessian of logsumexp, the second derivative of softmax, the sigmoid's derivative and its
saturation, and the monotonicity and non-locality exercises' Jacobians and dependence patterns.
"""

from __future__ import annotations

import sympy as sp

from softmaxlab._validation import check_bool
from softmaxlab.symbolic.core import (
    _simplify_in_exp,
    _size,
    logits,
    logsumexp_sym,
    sigmoid_sym,
    softmax_sym,
)
from softmaxlab.symbolic.thermo import T

__all__ = [
    "softmax_jacobian_sym",
    "softmax_jacobian_closed_form",
    "softmax_index_form",
    "softmax_jacobian_index_form",
    "softmax_jacobian_index_residual",
    "softmax_jacobian_residual",
    "jacobian_quadratic_form_residual",
    "logsumexp_gradient_residual",
    "logsumexp_hessian_sym",
    "logsumexp_hessian_residual",
    "softmax_second_derivative_sym",
    "softmax_second_derivative_closed_form",
    "softmax_second_derivative_residual",
    "sigmoid_derivative_residual",
    "two_class_saturation",
    "softmax_jacobian_signed_form",
    "monotonicity_residual",
    "sigmoid_layer_jacobian_sym",
    "dependence_pattern_sym",
]


def softmax_jacobian_sym(n: int) -> sp.Matrix:
    """The Jacobian ``J[i, j] = d softmax(z)_i / d z_j``, differentiated from the definition.

    Parameters
    ----------
    n : int
        The number of scores, ``1 <= n <= 96`` (the cost grows quickly with ``n``).

    Examples
    --------
    >>> J = softmax_jacobian_sym(2)
    >>> J.shape
    (2, 2)
    >>> sp.simplify(J - softmax_jacobian_closed_form(2)) == sp.zeros(2, 2)
    True
    """
    n = _size(n, "n", 96)
    z = logits(n)
    a = softmax_sym(z)
    return sp.Matrix(n, n, lambda i, j: sp.diff(a[i], z[j]))


def softmax_jacobian_closed_form(n: int) -> sp.Matrix:
    """``diag(a) - a a^T`` with ``a = softmax(z)``: entry ``a_i (delta_ij - a_j)``.

    Parameters
    ----------
    n : int
        The number of scores, ``1 <= n <= 512`` (the cost grows quickly with ``n``).

    Examples
    --------
    >>> softmax_jacobian_closed_form(2)[0, 1]
    -exp(z_1)*exp(z_2)/(exp(z_1) + exp(z_2))**2
    """
    n = _size(n, "n", 512)
    a = softmax_sym(logits(n))
    return sp.Matrix(n, n, lambda i, j: a[i] * (sp.KroneckerDelta(i, j) - a[j]))


def _index_symbols():
    z = sp.IndexedBase("z", real=True)
    i, j, k = sp.symbols("i j k", integer=True, positive=True)
    n = sp.Symbol("n", integer=True, positive=True)
    return z, i, j, k, n


def softmax_index_form(index: str = "i") -> sp.Expr:
    """``p_i = exp(z_i) / sum_{k=1}^n exp(z_k)`` for symbolic ``n`` and index ``i`` (or ``j``).

    Parameters
    ----------
    index : str
        ``"i"`` (default) or ``"j"``: the index of the entry.

    Examples
    --------
    >>> softmax_index_form()
    exp(z[i])/Sum(exp(z[k]), (k, 1, n))
    >>> softmax_index_form("k")
    Traceback (most recent call last):
    ...
    ValueError: index must be 'i' or 'j', got 'k'
    """
    if not isinstance(index, str):
        raise TypeError(f"index must be the string 'i' or 'j', got {index!r}")
    if index not in ("i", "j"):
        raise ValueError(f"index must be 'i' or 'j', got {index!r}")
    z, i, j, k, n = _index_symbols()
    idx = {"i": i, "j": j}[index]
    return sp.exp(z[idx]) / sp.Sum(sp.exp(z[k]), (k, 1, n))


def softmax_jacobian_index_form(evaluate: bool = True) -> sp.Expr:
    """``d p_i / d z_j`` differentiated by SymPy from :func:`softmax_index_form`, for any ``n``.

    With ``evaluate=False``: the quotient rule as SymPy writes it, the
    derivative of the sum still a sum of Kronecker deltas. With
    ``evaluate=True`` (default) that sum is carried out: ``sum_k delta_jk
    exp(z_k) = exp(z_j)``, valid because ``j`` is one of ``1, ..., n``.

    Parameters
    ----------
    evaluate : bool
        True (default) or False; other values raise TypeError.

    Examples
    --------
    >>> softmax_jacobian_index_form(evaluate=False)
    exp(z[i])*KroneckerDelta(i, j)/Sum(exp(z[k]), (k, 1, n))
      - exp(z[i])*Sum(exp(z[k])*KroneckerDelta(j, k), (k, 1, n))/Sum(exp(z[k]), (k, 1, n))**2
    >>> softmax_jacobian_index_form()
    -exp(z[i])*exp(z[j])/Sum(exp(z[k]), (k, 1, n))**2 + exp(z[i])*KroneckerDelta(i, j)/Sum(exp(z[k]), (k, 1, n))
    """
    evaluate = check_bool(evaluate, "evaluate")
    z, i, j, k, n = _index_symbols()
    derivative = sp.diff(softmax_index_form("i"), z[j])
    if not evaluate:
        return derivative
    # sum_k delta_jk exp(z_k) = exp(z_j) for 1 <= j <= n
    return derivative.replace(
        lambda e: isinstance(e, sp.Sum) and e.has(sp.KroneckerDelta),
        lambda e: e.function.subs(k, j) if e.function.has(sp.KroneckerDelta(j, k)) else e,
    ).subs(sp.KroneckerDelta(j, j), 1)


def softmax_jacobian_index_residual() -> sp.Expr:
    """``d p_i / d z_j - p_i (delta_ij - p_j)`` in index form, simplified: 0 for every ``n``.

    Examples
    --------
    >>> softmax_jacobian_index_residual()
    0
    """
    _, i, j, _, _ = _index_symbols()
    p_i, p_j = softmax_index_form("i"), softmax_index_form("j")
    return sp.simplify(softmax_jacobian_index_form() - p_i * (sp.KroneckerDelta(i, j) - p_j))


def softmax_jacobian_residual(n: int) -> sp.Matrix:
    """The Jacobian from the definition minus ``diag(p) - p p^T``, for ``n`` symbols: the zero matrix.

    Parameters
    ----------
    n : int
        The number of scores, ``1 <= n <= 64`` (the cost grows quickly with ``n``).

    Examples
    --------
    >>> softmax_jacobian_residual(4) == sp.zeros(4, 4)
    True
    """
    n = _size(n, "n", 64)
    z = logits(n)
    difference = softmax_jacobian_sym(n) - softmax_jacobian_closed_form(n)
    return difference.applyfunc(lambda e: _simplify_in_exp(e, z))


def jacobian_quadratic_form_residual(n: int) -> sp.Expr:
    """``v^T J v - Var_p(v)`` with ``J`` from the definition and ``Var_p(v) = sum p v^2 - (sum p v)^2``: 0.

    So ``v^T J v >= 0``: the Jacobian is positive semidefinite, and
    ``v^T J v = 0`` only for ``v`` constant where ``p > 0``.

    Parameters
    ----------
    n : int
        The number of scores, ``1 <= n <= 32`` (the cost grows quickly with ``n``).

    Examples
    --------
    >>> jacobian_quadratic_form_residual(3)
    0
    """
    n = _size(n, "n", 32)
    z = logits(n)
    p = softmax_sym(z)
    v = sp.Matrix(sp.symbols(f"v_1:{n + 1}", real=True))
    quadratic = (v.T * softmax_jacobian_sym(n) * v)[0, 0]
    mean = sum(pi * vi for pi, vi in zip(p, v))
    variance = sum(pi * vi**2 for pi, vi in zip(p, v)) - mean**2
    return _simplify_in_exp(quadratic - variance, z)


def logsumexp_gradient_residual(n: int) -> list[sp.Expr]:
    """``d logsumexp(z) / d z_j - softmax(z)_j`` for each ``j``, simplified: all 0.

    Parameters
    ----------
    n : int
        The number of scores, ``1 <= n <= 512`` (the cost grows quickly with ``n``).

    Examples
    --------
    >>> logsumexp_gradient_residual(3)
    [0, 0, 0]
    """
    n = _size(n, "n", 512)
    z = logits(n)
    lse, p = logsumexp_sym(z), softmax_sym(z)
    return [_simplify_in_exp(sp.diff(lse, zj) - pj, z) for zj, pj in zip(z, p)]


def logsumexp_hessian_sym(n: int) -> sp.Matrix:
    """The Hessian ``d^2 logsumexp(z) / (d z_i d z_j)``, differentiated from the definition.

    Parameters
    ----------
    n : int
        The number of scores, ``1 <= n <= 128`` (the cost grows quickly with ``n``).

    Examples
    --------
    >>> logsumexp_hessian_sym(2)[0, 1]
    -exp(z_1)*exp(z_2)/(exp(z_1) + exp(z_2))**2
    """
    n = _size(n, "n", 128)
    z = logits(n)
    return sp.hessian(logsumexp_sym(z), z)


def logsumexp_hessian_residual(n: int) -> sp.Matrix:
    """The Hessian of logsumexp minus ``diag(p) - p p^T``: the zero matrix.

    With :func:`jacobian_quadratic_form_residual` this proves logsumexp
    convex: its Hessian is the softmax Jacobian, whose quadratic form is a variance.

    Parameters
    ----------
    n : int
        The number of scores, ``1 <= n <= 48`` (the cost grows quickly with ``n``).

    Examples
    --------
    >>> logsumexp_hessian_residual(3) == sp.zeros(3, 3)
    True
    """
    n = _size(n, "n", 48)
    z = logits(n)
    difference = logsumexp_hessian_sym(n) - softmax_jacobian_closed_form(n)
    return difference.applyfunc(lambda e: _simplify_in_exp(e, z))


def softmax_second_derivative_sym(n: int) -> sp.Array:
    """``T[i, j, k] = d^2 p_i / (d z_j d z_k)``, differentiated twice from the definition.

    Parameters
    ----------
    n : int
        The number of scores, ``1 <= n <= 12`` (the cost grows quickly with ``n``).

    Examples
    --------
    >>> softmax_second_derivative_sym(2).shape
    (2, 2, 2)
    """
    n = _size(n, "n", 12)
    z = logits(n)
    p = softmax_sym(z)
    return sp.Array([[[sp.diff(p[i], z[j], z[k]) for k in range(n)] for j in range(n)] for i in range(n)])


def softmax_second_derivative_closed_form(n: int) -> sp.Array:
    """``p_i ((delta_ij - p_j)(delta_ik - p_k) - p_j (delta_jk - p_k))``.

    In matrix form, the Hessian of output ``i`` is
    ``p_i ((e_i - p)(e_i - p)^T - (diag(p) - p p^T))``.

    Parameters
    ----------
    n : int
        The number of scores, ``1 <= n <= 32`` (the cost grows quickly with ``n``).

    Examples
    --------
    >>> T = softmax_second_derivative_closed_form(2)
    >>> sp.simplify(T[0, 0, 0] - softmax_second_derivative_sym(2)[0, 0, 0])
    0
    """
    n = _size(n, "n", 32)
    p = softmax_sym(logits(n))
    d = sp.KroneckerDelta
    return sp.Array(
        [
            [[p[i] * ((d(i, j) - p[j]) * (d(i, k) - p[k]) - p[j] * (d(j, k) - p[k])) for k in range(n)]
             for j in range(n)]
            for i in range(n)
        ]
    )


def softmax_second_derivative_residual(n: int) -> sp.Array:
    """Second derivatives from the definition minus the closed form, simplified: all zeros.

    Parameters
    ----------
    n : int
        The number of scores, ``1 <= n <= 12`` (the cost grows quickly with ``n``).

    Examples
    --------
    >>> softmax_second_derivative_residual(3) == sp.MutableDenseNDimArray.zeros(3, 3, 3)
    True
    """
    n = _size(n, "n", 12)
    z = logits(n)
    difference = softmax_second_derivative_sym(n) - softmax_second_derivative_closed_form(n)
    return difference.applyfunc(lambda e: _simplify_in_exp(e, z))


def _logit_and_target() -> tuple[sp.Symbol, sp.Symbol]:
    return sp.Symbol("t", real=True), sp.Symbol("y", real=True)


def sigmoid_derivative_residual() -> sp.Expr:
    """``sigmoid'(t) - sigmoid(t) (1 - sigmoid(t))``, simplified: 0.

    Examples
    --------
    >>> sigmoid_derivative_residual()
    0
    """
    t, _ = _logit_and_target()
    s = sigmoid_sym(t)
    return sp.simplify(sp.diff(s, t) - s * (1 - s))


def two_class_saturation() -> dict[str, sp.Expr]:
    """Derivative of ``softmax((z_1, z_2) / T)_1`` with respect to ``z_1`` at a gap ``g = z_1 - z_2 > 0``.

    It is ``s (1 - s) / T`` with ``s = sigmoid(g / T)``: it vanishes as
    ``T -> 0+`` (saturation: the output no longer responds to the input) and
    as ``T -> infinity``, and is at most ``1 / (4T)``, reached at a tie.

    Returns
    -------
    dict
        ``"derivative"``, ``"derivative - s(1-s)/T"`` (0), ``"T -> 0+"`` (0),
        ``"T -> oo"`` (0) and ``"at a tie"`` (``1/(4T)``).

    Examples
    --------
    >>> out = two_class_saturation()
    >>> out["T -> 0+"], out["T -> oo"], out["at a tie"]
    (0, 0, 1/(4*T))
    """
    z1, z2 = logits(2)
    g = sp.Symbol("g", positive=True)
    p1 = softmax_sym([z1, z2], 1 / T)[0]
    derivative = sp.simplify(sp.diff(p1, z1).subs(z1, z2 + g))
    s = 1 / (1 + sp.exp(-g / T))
    return {
        "derivative": derivative,
        "derivative - s(1-s)/T": sp.simplify(derivative - s * (1 - s) / T),
        "T -> 0+": sp.limit(derivative, T, 0, "+"),
        "T -> oo": sp.limit(derivative, T, sp.oo),
        "at a tie": sp.simplify(sp.limit(derivative, g, 0)),
    }


def softmax_jacobian_signed_form(n: int) -> sp.Matrix:
    """The softmax Jacobian written so its signs are visible.

    Entry ``(j, j)`` is ``e^{z_j} sum_{k != j} e^{z_k} / S^2`` (positive) and
    entry ``(j, k)``, ``j != k``, is ``-e^{z_j} e^{z_k} / S^2`` (negative),
    with ``S = sum_k e^{z_k}``.

    Parameters
    ----------
    n : int
        The number of scores, ``1 <= n <= 96`` (the cost grows quickly with ``n``).

    Examples
    --------
    >>> softmax_jacobian_signed_form(2)[0, 0]
    exp(z_1)*exp(z_2)/(exp(z_1) + exp(z_2))**2
    """
    n = _size(n, "n", 96)
    z = logits(n)
    S = sum(sp.exp(zk) for zk in z)

    def entry(j: int, k: int) -> sp.Expr:
        if j == k:
            return sp.exp(z[j]) * sum(sp.exp(z[i]) for i in range(n) if i != j) / S**2
        return -sp.exp(z[j]) * sp.exp(z[k]) / S**2

    return sp.Matrix(n, n, entry)


def monotonicity_residual(n: int) -> sp.Matrix:
    """The Jacobian differentiated from the definition minus :func:`softmax_jacobian_signed_form`: zeros.

    Parameters
    ----------
    n : int
        The number of scores, ``1 <= n <= 8`` (the cost grows quickly with ``n``).

    Examples
    --------
    >>> monotonicity_residual(3) == sp.zeros(3, 3)
    True
    """
    n = _size(n, "n", 8)
    z = logits(n)
    difference = softmax_jacobian_sym(n) - softmax_jacobian_signed_form(n)
    return difference.applyfunc(lambda e: _simplify_in_exp(e, z))


def sigmoid_layer_jacobian_sym(n: int) -> sp.Matrix:
    """``d sigmoid(z_j) / d z_k`` for a sigmoid layer: diagonal.

    Parameters
    ----------
    n : int
        The number of outputs, ``1 <= n <= 128`` (the cost grows quickly with ``n``).

    Examples
    --------
    >>> sigmoid_layer_jacobian_sym(2)[0, 1]
    0
    """
    n = _size(n, "n", 128)
    z = logits(n)
    a = [sigmoid_sym(zj) for zj in z]
    return sp.Matrix(n, n, lambda j, k: sp.diff(a[j], z[k]))


def dependence_pattern_sym(jacobian: sp.Matrix) -> sp.Matrix:
    """1 where an entry of a Jacobian is not identically 0 (output j depends on input k), else 0.

    Parameters
    ----------
    jacobian : Matrix
        A SymPy matrix (mutable or immutable) of at most 36 entries (each is
        simplified); anything else raises TypeError naming ``jacobian``.

    Examples
    --------
    >>> from softmaxlab.symbolic import softmax_jacobian_sym
    >>> dependence_pattern_sym(softmax_jacobian_sym(2))
    Matrix([
    [1, 1],
    [1, 1]])
    >>> dependence_pattern_sym(sigmoid_layer_jacobian_sym(2))
    Matrix([
    [1, 0],
    [0, 1]])
    """
    if not isinstance(jacobian, sp.MatrixBase):
        raise TypeError(f"jacobian must be a SymPy Matrix, got {type(jacobian).__name__} {jacobian!r}")
    if jacobian.rows * jacobian.cols > 36:
        raise ValueError(f"jacobian must have at most 36 entries, got a {jacobian.rows}x{jacobian.cols} matrix")
    return jacobian.applyfunc(lambda e: sp.Integer(0) if sp.simplify(e) == 0 else sp.Integer(1))
