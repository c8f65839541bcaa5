"""SymPy derivations for estimating the partition function by importance sampling (:mod:`softmaxlab.importance`).

The importance weight ``w = exp(z_s) / q_s`` of a class ``s`` drawn from ``q``
has mean ``Z`` (the estimate is unbiased) and relative variance
``chi2(p || q) = sum_k p_k^2 / q_k - 1``, which vanishes at the optimal
proposal ``q = softmax(z)``. Its logarithm is biased: a second-order Taylor
expansion of ``log`` about ``Z`` (the delta method) gives
``E[log Z_hat] - log Z ~ -Var(Z_hat) / (2 Z^2) = -chi2 / (2 m)``.
Each function returns expressions and differences that simplify to 0.
"""

from __future__ import annotations

import sympy as sp

from softmaxlab.symbolic.core import _size, _softmax_of, logits

__all__ = [
    "importance_weight_moments_sym",
    "log_estimate_bias_sym",
]


def importance_weight_moments_sym(n: int = 3) -> dict[str, object]:
    r"""Mean and variance of one importance weight ``exp(z_s) / q_s`` with ``s ~ q``, over ``n`` classes.

    ``E[w] = sum_k q_k exp(z_k) / q_k = Z``: unbiased. ``Var(w) / Z^2 =
    sum_k p_k^2 / q_k - 1 = chi2(p || q)`` with ``p = softmax(z)``, and at
    ``q = p`` every weight equals ``Z``: the variance is 0.

    Parameters
    ----------
    n : int, optional
        Number of classes, ``2 <= n <= 5`` (larger sizes take SymPy minutes).

    Returns
    -------
    dict
        ``"mean_minus_Z"`` (0), ``"relative_variance"`` (``Var(w) / Z^2`` in
        terms of ``z`` and the proposal probabilities ``q_1, ..., q_n``, with
        ``q_n = 1 - q_1 - ... - q_{n-1}``), ``"chi2_difference"`` (relative
        variance minus ``sum_k p_k^2 / q_k - 1``: 0) and
        ``"variance_at_optimum"`` (the relative variance at ``q = softmax(z)``: 0).

    Examples
    --------
    >>> out = importance_weight_moments_sym(3)
    >>> out["mean_minus_Z"], out["chi2_difference"], out["variance_at_optimum"]
    (0, 0, 0)
    """
    n = _size(n, "n", 5, minimum=2)
    z = logits(n)
    free = list(sp.symbols(f"q_1:{n}", positive=True))
    q = free + [1 - sum(free)]
    Z = sum(sp.exp(zk) for zk in z)
    weights = [sp.exp(zk) / qk for zk, qk in zip(z, q)]
    mean = sum(qk * wk for qk, wk in zip(q, weights))
    second = sum(qk * wk**2 for qk, wk in zip(q, weights))
    relative_variance = sp.simplify((second - mean**2) / Z**2)
    p = _softmax_of(z, "z")
    chi2 = sum(pk**2 / qk for pk, qk in zip(p, q)) - 1
    at_optimum = relative_variance.subs(dict(zip(free, p[:-1])))
    return {
        "mean_minus_Z": sp.simplify(mean - Z),
        "relative_variance": relative_variance,
        "chi2_difference": sp.simplify(relative_variance - chi2),
        "variance_at_optimum": sp.simplify(at_optimum),
    }


def log_estimate_bias_sym() -> dict[str, sp.Expr]:
    r"""The delta-method bias of ``log Z_hat``: ``E[log Z_hat] - log Z ~ -Var(Z_hat) / (2 Z^2)``.

    Write ``Z_hat = Z + delta`` with ``E[delta] = 0`` and
    ``E[delta^2] = sigma^2 / m`` (the variance of one weight over the number
    of samples). Expanding ``log(Z + delta)`` to second order and taking
    expectations term by term gives ``log Z - sigma^2 / (2 m Z^2)``; the
    third-order term, of order ``m^-2``, is dropped. Since ``log`` is
    concave, the exact bias is never positive (Jensen).

    Returns
    -------
    dict
        ``"series"`` (``log(Z + delta)`` to second order in ``delta``),
        ``"bias"`` (its expectation minus ``log Z``), ``"difference"`` (bias
        minus ``-sigma^2 / (2 m Z^2)``: 0) and ``"concavity"`` (the second
        derivative of ``log`` at ``Z``, ``-1/Z^2 < 0``).

    Examples
    --------
    >>> out = log_estimate_bias_sym()
    >>> out["bias"], out["difference"]
    (-sigma**2/(2*Z**2*m), 0)
    """
    Z, sigma, m = sp.symbols("Z sigma m", positive=True)
    delta, d1, d2 = sp.symbols("delta E_delta E_delta2", real=True)
    series = sp.series(sp.log(Z + delta), delta, 0, 3).removeO()
    # expectation term by term: E[delta] = 0, E[delta^2] = sigma^2 / m
    expected = sp.expand(series).subs(delta**2, d2).subs(delta, d1).subs({d1: 0, d2: sigma**2 / m})
    bias = sp.simplify(expected - sp.log(Z))
    return {
        "series": series,
        "bias": bias,
        "difference": sp.simplify(bias + sigma**2 / (2 * m * Z**2)),
        "concavity": sp.diff(sp.log(Z), Z, 2),
    }
