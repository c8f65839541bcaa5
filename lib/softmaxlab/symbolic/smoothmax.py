"""SymPy derivations for the argmax limit (the results of :mod:`softmaxlab.smoothmax`).

Limits of ``softmax(z / T)`` as ``T -> 0+`` and ``T -> infinity`` (ties included), the ratio
identity behind the ``exp(-gap / T)`` bound, LogSumExp as the smooth maximum, the
pointwise-but-not-uniform convergence near a tie, and the argmax-limit exercise's limits.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import sympy as sp

from softmaxlab.symbolic.core import _real_exprs, _size, logits, softmax_sym
from softmaxlab.symbolic.thermo import T

__all__ = [
    "tempered_softmax_limits",
    "tempered_logsumexp_limits",
    "softmax_ratio_identity",
    "two_state_limits",
    "pointwise_counterexample",
    "argmax_limit_sym",
]


def _exact(values: Sequence, maximum: int, name: str = "values") -> list[sp.Expr]:
    """Check concrete scores and convert them to exact SymPy numbers.

    A list, tuple, 1-D numpy array or SymPy vector of 1 to ``maximum`` finite
    real numbers: Python and numpy integers and floats, fractions, SymPy
    numbers (``Rational(1, 3)``, ``sqrt(2)``, ``pi``). A float becomes the
    rational of its shortest decimal (``0.1`` is ``1/10``, ``5e-324`` is
    ``5/10**324``). Symbols, strings, booleans, complex numbers, nan and
    infinities are refused.
    """
    z = _real_exprs(values, name, minimum=1, maximum=maximum)
    exact = []
    for i, (value, expr) in enumerate(zip(_items(values), z)):
        if not expr.is_number:
            raise TypeError(f"{name}[{i}] must be a number, got the expression {expr}")
        if isinstance(value, (float, np.floating)):
            expr = sp.Rational(str(value))  # the shortest decimal that reads back as this float
        exact.append(expr)
    return exact


def _items(values: Sequence) -> list:
    """The entries of a sequence already checked by ``_real_exprs``, unconverted."""
    if isinstance(values, (sp.MatrixBase, sp.NDimArray)):
        return list(sp.flatten(values.tolist()))
    return [v[()] if isinstance(v, np.ndarray) else v for v in values]


def _gaps(z: list[sp.Expr], name: str = "values") -> tuple[sp.Expr, list[sp.Expr]]:
    """The maximum of exact scores and the gaps ``d_j = max z - z_j``, each decided to be 0 or positive."""
    top = sp.Max(*z)
    gaps = []
    for i, zj in enumerate(z):
        d = top - zj
        if not (d.is_zero or d.is_positive):
            d = sp.simplify(d)
        if not (d.is_zero or d.is_positive):
            raise ValueError(f"{name}[{i}] = {zj}: SymPy cannot decide whether it ties with the maximum {top}")
        gaps.append(sp.Integer(0) if d.is_zero else d)
    return top, gaps


def tempered_softmax_limits(values: Sequence) -> dict[str, list[sp.Expr]]:
    """Exact limits of ``softmax(z / T)`` for concrete scores ``z`` as ``T -> 0+`` and ``T -> infinity``.

    By shift invariance ``softmax(z / T)_i = e_i / sum_j e_j`` with
    ``e_j = exp(-d_j / T)`` and the gaps ``d_j = max z - z_j >= 0``; SymPy takes
    the limit of each ``e_j`` (1 at a maximum, 0 below it as ``T -> 0+``; 1 as
    ``T -> oo``), and the quotient's limit follows, its denominator tending to
    the number of maxima ``m >= 1``. Huge or tiny scores (``1e308``, ``10**400``,
    ``5e-324``) cost no more than small ones.

    Parameters
    ----------
    values : sequence of numbers
        The scores ``z``: a list, tuple, 1-D numpy array or SymPy vector of 1 to
        64 finite real numbers (integers, floats, fractions or SymPy numbers
        such as ``Rational(1, 3)`` or ``sqrt(2)``). Floats are read as the
        rational of their shortest decimal (``0.1`` is ``1/10``). Symbols,
        strings, booleans, complex numbers, nan and infinities raise TypeError
        or ValueError naming ``values``, as does a score SymPy cannot compare
        with the maximum.

    Returns
    -------
    dict
        ``"T -> 0+"``: ``1/m`` on each of the ``m`` maximal entries, 0 elsewhere;
        ``"T -> oo"``: ``1/n`` everywhere.

    Examples
    --------
    >>> tempered_softmax_limits([2, 2, 1])
    {'T -> 0+': [1/2, 1/2, 0], 'T -> oo': [1/3, 1/3, 1/3]}
    >>> tempered_softmax_limits([0.1, 0.2])
    {'T -> 0+': [0, 1], 'T -> oo': [1/2, 1/2]}
    """
    _, gaps = _gaps(_exact(values, 64))
    cold = [sp.limit(sp.exp(-d / T), T, 0, "+") for d in gaps]
    hot = [sp.limit(sp.exp(-d / T), T, sp.oo) for d in gaps]
    return {
        "T -> 0+": [e / sum(cold) for e in cold],
        "T -> oo": [e / sum(hot) for e in hot],
    }


def tempered_logsumexp_limits(values: Sequence) -> dict[str, sp.Expr]:
    """Exact limits of the smooth maximum ``T log sum_j exp(z_j / T)`` for concrete ``z``.

    Written with the gaps ``d_j = max z - z_j >= 0``, the smooth maximum is
    ``max z + T log S(T)`` with ``S(T) = sum_j exp(-d_j / T)``, which lies in
    ``[m, n]`` for ``m`` tied maxima and tends to ``m`` as ``T -> 0+`` (SymPy's
    limit of each term). At high temperature, with ``s = 1/T``,
    ``T log(S / n) = log(S(1/s) / n) / s`` is ``0/0`` at ``s = 0``, and its limit
    is the derivative of the numerator there (l'Hopital), ``-mean(d)``.

    Parameters
    ----------
    values : sequence of numbers
        The scores ``z``, 1 to 64 finite real numbers, read as in
        :func:`tempered_softmax_limits`.

    Returns
    -------
    dict
        ``"T -> 0+"``: ``max(z)``; ``"excess / T, T -> 0+"``: ``log m`` for ``m``
        tied maxima (the excess over the max is about ``T log m``);
        ``"minus T log n, T -> oo"``: ``mean(z)`` (at high temperature the
        smooth max is ``T log n + mean(z) + O(1/T)``).

    Examples
    --------
    >>> tempered_logsumexp_limits([2, 2, 1])
    {'T -> 0+': 2, 'excess / T, T -> 0+': log(2), 'minus T log n, T -> oo': 5/3}
    """
    top, gaps = _gaps(_exact(values, 64))
    cold = sum(sp.limit(sp.exp(-d / T), T, 0, "+") for d in gaps)  # S(T) -> m
    s = sp.Symbol("s", positive=True)
    log_mean = sp.log(sum(sp.exp(-d * s) for d in gaps) / len(gaps))
    return {
        "T -> 0+": top + sp.limit(T, T, 0, "+") * sp.log(cold),
        "excess / T, T -> 0+": sp.log(cold),
        "minus T log n, T -> oo": top + sp.diff(log_mean, s).subs(s, 0),
    }


def softmax_ratio_identity(n: int) -> list[list[sp.Expr]]:
    """``p_i / p_j - exp((z_i - z_j) / T)`` for all pairs, simplified: all 0.

    With ``j`` a maximal entry and ``p_j <= 1`` this gives the bound
    ``p_i <= exp(-(max z - z_i) / T)`` on every non-maximal entry.

    Parameters
    ----------
    n : int
        The number of scores, ``1 <= n <= 16`` (the cost grows quickly with ``n``).

    Examples
    --------
    >>> softmax_ratio_identity(2)
    [[0, 0], [0, 0]]
    """
    n = _size(n, "n", 16)
    z = logits(n)
    p = softmax_sym(z, 1 / T)
    return [[sp.simplify(p[i] / p[j] - sp.exp((z[i] - z[j]) / T)) for j in range(n)] for i in range(n)]


def two_state_limits() -> dict[str, sp.Expr]:
    """Two scores with gap ``g > 0``: the top probability is ``sigmoid(g / T)``.

    Returns
    -------
    dict
        ``"p_top"``, its limits ``"T -> 0+"`` (1) and ``"T -> oo"`` (1/2), and
        ``"p_other / exp(-g/T) - p_top"`` (0): the runner-up is ``exp(-g/T)``
        times ``p_top <= 1``, so it is at most ``exp(-g / T)``.

    Examples
    --------
    >>> out = two_state_limits()
    >>> out["T -> 0+"], out["T -> oo"]
    (1, 1/2)
    """
    g = sp.Symbol("g", positive=True)
    p = softmax_sym([g, sp.Integer(0)], 1 / T)
    return {
        "p_top": sp.simplify(p[0]),
        "T -> 0+": sp.limit(p[0], T, 0, "+"),
        "T -> oo": sp.limit(p[0], T, sp.oo),
        "p_other / exp(-g/T) - p_top": sp.simplify(p[1] / sp.exp(-g / T) - p[0]),
    }


def pointwise_counterexample() -> dict[str, sp.Expr]:
    """Scores ``(epsilon, 0)``: the limit exists for each ``epsilon`` but is not uniform.

    ``f_T(epsilon) = softmax((epsilon, 0) / T)_1 = 1 / (1 + exp(-epsilon / T))``.
    For fixed ``epsilon > 0`` it tends to 1 and at ``epsilon = 0`` it is 1/2, so
    the limit is discontinuous at the tie. Along ``epsilon = T`` the value is
    ``1 / (1 + e^-1)`` for every ``T``: the error ``sup |f_T - 1|`` over
    ``epsilon > 0`` never drops below ``1 - 1/(1 + e^-1)``, however small ``T`` is.

    Returns
    -------
    dict
        ``"f"``, ``"limit, epsilon > 0"``, ``"value at epsilon = 0"``,
        ``"along epsilon = T"`` and ``"error along epsilon = T"``.

    Examples
    --------
    >>> out = pointwise_counterexample()
    >>> out["limit, epsilon > 0"], out["value at epsilon = 0"]
    (1, 1/2)
    >>> out["along epsilon = T"], out["error along epsilon = T"]
    (E/(1 + E), 1/(1 + E))
    """
    eps = sp.Symbol("epsilon", positive=True)
    f = 1 / (1 + sp.exp(-eps / T))
    along = sp.simplify(f.subs(eps, T))
    return {
        "f": f,
        "limit, epsilon > 0": sp.limit(f, T, 0, "+"),
        "value at epsilon = 0": f.subs(eps, 0),
        "along epsilon = T": along,
        "error along epsilon = T": sp.simplify(1 - along),
    }


def argmax_limit_sym(n_max: int, n_rest: int) -> dict[str, list[sp.Expr]]:
    """``lim_{c -> oo} softmax(c z)`` when ``n_max`` entries tie for the maximum ``t`` and the rest lie below.

    The scores are ``z = (t, ..., t, t - g_1, ..., t - g_{n_rest})`` with gaps
    ``g_i > 0`` left symbolic, so the result holds for every such ``z``.

    Parameters
    ----------
    n_max : int
        The number of tied maxima, ``1 <= n_max <= 6`` (the cost grows quickly with the sizes).
    n_rest : int
        The number of entries below the maximum, ``0 <= n_rest <= 6``.

    Returns
    -------
    dict
        ``"shift residual"``: ``softmax(c z) - softmax(c (z - t))``, zeros (so
        each entry is ``e^{-c d_j} / sum_k e^{-c d_k}`` with ``d = t - z >= 0``);
        ``"term limits"``: the limits of ``e^{-c d_j}``, 1 at a maximum and 0
        elsewhere; ``"limit"``: the limits of the entries, ``1/n_max`` at each
        maximum and 0 elsewhere.

    Examples
    --------
    >>> argmax_limit_sym(2, 1)
    {'shift residual': [0, 0, 0], 'term limits': [1, 1, 0], 'limit': [1/2, 1/2, 0]}
    """
    n_max = _size(n_max, "n_max", 6)
    n_rest = _size(n_rest, "n_rest", 6, minimum=0)
    c = sp.Symbol("c", positive=True)
    t = sp.Symbol("t", real=True)
    gaps = list(sp.symbols(f"g_1:{n_rest + 1}", positive=True)) if n_rest else []
    d = [sp.Integer(0)] * n_max + gaps
    z = [t - dj for dj in d]
    terms = [sp.exp(-c * dj) for dj in d]
    shifted = [term / sum(terms) for term in terms]
    residual = [sp.simplify(a - b) for a, b in zip(softmax_sym(z, c), shifted)]
    return {
        "shift residual": residual,
        "term limits": [sp.limit(term, c, sp.oo) for term in terms],
        "limit": [sp.limit(a, c, sp.oo) for a in shifted],
    }
