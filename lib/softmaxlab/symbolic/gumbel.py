"""SymPy derivations for the Gumbel-max trick (the results of :mod:`softmaxlab.gumbel`).

The argmax of ``z + Gumbel noise`` is distributed as ``softmax(z)`` (in general and, as the
Gumbel-max exercise asks, for two classes), and its maximum is Gumbel around ``logsumexp(z)``.
"""

from __future__ import annotations

import sympy as sp

from softmaxlab.symbolic.core import _size, logits, sigmoid_sym, softmax_sym

__all__ = [
    "gumbel_max_probability",
    "gumbel_max_value_distribution",
    "gumbel_max_two_class_sym",
]


def gumbel_max_probability(k: int) -> dict[str, sp.Expr]:
    """Prove the Gumbel-max trick for ``k`` classes: ``P(argmax_j (a_j + G_j) = 1) = softmax(a)_1``.

    ``G_j`` are independent standard Gumbel variables (CDF ``exp(-exp(-x))``).
    The probability that class 1 wins is the integral over the value ``g`` of
    its perturbed score of its density times the probability that every other
    class stays below: ``int f(g - a_1) prod_{j>1} F(g - a_j) dg``. The
    substitution ``u = exp(-g)`` turns it into ``int_0^oo exp(a_1 - u sum_j exp(a_j)) du``.

    Parameters
    ----------
    k : int
        The number of classes, ``1 <= k <= 6`` (the cost grows quickly with ``k``).

    Returns
    -------
    dict
        ``"integrand"`` (in ``g``), ``"substituted"`` (in ``u``), ``"probability"``
        and ``"difference"`` (probability minus ``softmax(a)_1``, simplified: 0).

    Examples
    --------
    >>> gumbel_max_probability(2)["difference"]
    0
    """
    k = _size(k, "k", 6)
    a = logits(k, "a")
    g = sp.Symbol("g", real=True)
    u = sp.Symbol("u", positive=True)

    def cdf(x):
        return sp.exp(-sp.exp(-x))

    def pdf(x):
        return sp.exp(-x - sp.exp(-x))

    integrand = pdf(g - a[0])
    for aj in a[1:]:
        integrand *= cdf(g - aj)
    substituted = sp.simplify(sp.powsimp(sp.expand(integrand.subs(g, -sp.log(u)) / u), combine="exp"))
    probability = sp.simplify(sp.integrate(substituted, (u, 0, sp.oo)))
    return {
        "integrand": integrand,
        "substituted": substituted,
        "probability": probability,
        "difference": sp.simplify(probability - softmax_sym(a)[0]),
    }


def gumbel_max_value_distribution(k: int) -> sp.Expr:
    """CDF of ``max_j (a_j + G_j)`` minus the Gumbel CDF centred at ``logsumexp(a)``, simplified: 0.

    The winning perturbed score is itself Gumbel distributed, with location
    ``logsumexp(a)``: the Gumbel family is closed under max, and its location
    parameter combines by logsumexp.

    Parameters
    ----------
    k : int
        The number of classes, ``1 <= k <= 512`` (the cost grows quickly with ``k``).

    Examples
    --------
    >>> gumbel_max_value_distribution(3)
    0
    """
    k = _size(k, "k", 512)
    a = logits(k, "a")
    x = sp.Symbol("x", real=True)
    cdf_max = sp.Mul(*[sp.exp(-sp.exp(-(x - aj))) for aj in a])
    lse = sp.log(sum(sp.exp(aj) for aj in a))
    gumbel = sp.exp(-sp.exp(-(x - lse)))
    return sp.simplify(sp.powsimp(sp.expand(sp.log(cdf_max) - sp.log(gumbel), force=True), combine="exp"))


def gumbel_max_two_class_sym() -> dict[str, sp.Expr]:
    """The Gumbel-max trick for two classes, through the difference of two Gumbel variables.

    For independent standard Gumbel ``G_1, G_2`` (density ``exp(-g - exp(-g))``,
    CDF ``exp(-exp(-g))``), ``P(G_1 - G_2 <= t) = int f(g) F(g + t) dg``; the
    substitution ``u = exp(-g)`` turns the integrand into
    ``exp(-u (1 + exp(-t)))`` on ``(0, oo)``, whose integral is the sigmoid of
    ``t``: the difference is standard logistic. Class 1 wins
    ``argmax(log pi_1 + G_1, log pi_2 + G_2)`` when
    ``G_2 - G_1 < log pi_1 - log pi_2``, with probability
    ``sigmoid(log(pi_1 / pi_2)) = pi_1 / (pi_1 + pi_2) = pi_1``.

    Returns
    -------
    dict
        ``"integrand"`` (in ``g``, for the CDF of ``G_1 - G_2`` at ``t``),
        ``"substituted"`` (in ``u``), ``"cdf"`` (the integral),
        ``"cdf - sigmoid"`` (simplified: 0), ``"P(class 1)"`` (with
        ``pi_2 = 1 - pi_1``: ``pi_1``) and ``"P(class 1) - pi_1"`` (0).

    Examples
    --------
    >>> out = gumbel_max_two_class_sym()
    >>> out["substituted"]
    exp(-u - u*exp(-t))
    >>> out["cdf - sigmoid"], out["P(class 1)"], out["P(class 1) - pi_1"]
    (0, pi_1, 0)
    """
    g, t = sp.symbols("g t", real=True)
    u = sp.Symbol("u", positive=True)
    pi_1 = sp.Symbol("pi_1", positive=True)

    def pdf(x: sp.Expr) -> sp.Expr:
        return sp.exp(-x - sp.exp(-x))

    def cdf(x: sp.Expr) -> sp.Expr:
        return sp.exp(-sp.exp(-x))

    # P(G_1 - G_2 <= t) = P(G_1 <= G_2 + t): integrate over the value g of G_2
    integrand = pdf(g) * cdf(g + t)
    substituted = sp.simplify(sp.powsimp(sp.expand(integrand.subs(g, -sp.log(u)) / u), combine="exp"))
    difference_cdf = sp.simplify(sp.integrate(substituted, (u, 0, sp.oo)))
    # class 1 wins when G_2 - G_1 < log pi_1 - log pi_2; G_2 - G_1 has the same (logistic) law
    p_class_1 = sp.simplify(difference_cdf.subs(t, sp.log(pi_1) - sp.log(1 - pi_1)))
    return {
        "integrand": integrand,
        "substituted": substituted,
        "cdf": difference_cdf,
        "cdf - sigmoid": sp.simplify(difference_cdf - sigmoid_sym(t)),
        "P(class 1)": p_class_1,
        "P(class 1) - pi_1": sp.simplify(p_class_1 - pi_1),
    }
