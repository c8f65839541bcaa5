"""SymPy derivations behind the solutions of the exercises (all but those with modules of their own).

Each function returns residuals that simplify to 0 (or exact values) so that a
solution page can show the derivation and ``tests/test_symbolic_exercises.py``
can prove it with the same code.
"""

from __future__ import annotations

import sympy as sp

from softmaxlab.symbolic.definition import _size, logits, logsumexp_sym, sigmoid_sym, softmax_sym
from softmaxlab.symbolic.derivatives import softmax_jacobian_sym

__all__ = [
    "sigmoid_layer_sum_sym",
    "sigmoid_pair_sum_residual",
    "sigmoid_layer_sum_facts",
    "softmax_jacobian_signed_form",
    "monotonicity_residual",
    "sigmoid_layer_jacobian_sym",
    "dependence_pattern_sym",
    "softmax_log_offset_sym",
    "softmax_of_log_residual",
    "cross_entropy_chain_rule_residual",
    "log_softmax_shift_residual",
    "log_softmax_log1p_residual",
    "argmax_limit_sym",
    "gumbel_max_two_class_sym",
]


def _exp_simplify(expr: sp.Expr, z: list[sp.Symbol]) -> sp.Expr:
    """Simplify an expression in ``exp(z_j)`` via ``w_j = exp(z_j) > 0``, where it is rational."""
    w = sp.symbols(f"w_1:{len(z) + 1}", positive=True)
    rational = sp.expand(expr, power_exp=True).subs({sp.exp(zj): wj for zj, wj in zip(z, w)})
    reduced = sp.cancel(sp.together(rational))
    if reduced == 0:
        return sp.Integer(0)
    return sp.simplify(reduced.subs({wj: sp.exp(zj) for zj, wj in zip(z, w)}))


# ------------------------------------------------------------------ the sigmoid-sum exercise


def sigmoid_layer_sum_sym(n: int) -> sp.Expr:
    """``sum_j sigmoid(z_j)``: the total activation of a sigmoid layer with ``n`` outputs.

    Parameters
    ----------
    n : int
        The number of outputs, ``1 <= n <= 512`` (the cost grows quickly with ``n``).

    Examples
    --------
    >>> sigmoid_layer_sum_sym(2)
    1/(1 + exp(-z_2)) + 1/(1 + exp(-z_1))
    """
    n = _size(n, "n", 512)
    return sum(sigmoid_sym(zj) for zj in logits(n))


def sigmoid_pair_sum_residual() -> sp.Expr:
    """``sigmoid(t) + sigmoid(-t) - 1``, simplified: 0. Two outputs at ``t`` and ``-t`` do sum to 1.

    Examples
    --------
    >>> sigmoid_pair_sum_residual()
    0
    """
    t = sp.Symbol("t", real=True)
    return sp.simplify(sigmoid_sym(t) + sigmoid_sym(-t) - 1)


def sigmoid_layer_sum_facts(n: int) -> dict[str, sp.Expr]:
    """Exact facts about ``S(z) = sum_j sigmoid(z_j)`` for ``n`` outputs.

    Parameters
    ----------
    n : int
        The number of outputs, ``1 <= n <= 96`` (the cost grows quickly with ``n``).

    Returns
    -------
    dict
        ``"at z = 0"``: ``n/2``; ``"all z_j -> -oo"``: 0; ``"all z_j -> +oo"``:
        ``n``; ``"dS/dz_j - sigmoid'(z_j)"``: 0, where ``sigmoid' = sigmoid (1 -
        sigmoid) > 0``. So ``S`` is continuous, strictly increasing in each
        input, and takes every value in ``(0, n)``: it equals 1 only on a
        surface of inputs, not everywhere.

    Examples
    --------
    >>> sigmoid_layer_sum_facts(3)
    {'at z = 0': 3/2, 'all z_j -> -oo': 0, 'all z_j -> +oo': 3, "dS/dz_j - sigmoid'(z_j)": 0}
    """
    n = _size(n, "n", 96)
    z = logits(n)
    total = sigmoid_layer_sum_sym(n)
    t = sp.Symbol("t", real=True)
    along = total.subs({zj: t for zj in z})
    s1 = sigmoid_sym(z[0])
    return {
        "at z = 0": total.subs({zj: 0 for zj in z}),
        "all z_j -> -oo": sp.limit(along, t, -sp.oo),
        "all z_j -> +oo": sp.limit(along, t, sp.oo),
        "dS/dz_j - sigmoid'(z_j)": sp.simplify(sp.diff(total, z[0]) - s1 * (1 - s1)),
    }


# ------------------------------------------------------------------ the monotonicity exercise


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
    return difference.applyfunc(lambda e: _exp_simplify(e, z))


# ------------------------------------------------------------------ the non-locality exercise


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


# ------------------------------------------------------------------ the inversion exercise


def softmax_log_offset_sym(n: int) -> list[sp.Expr]:
    """``z_j - ln softmax(z)_j`` for each ``j``, simplified: every entry is ``ln sum_k e^{z_k}``.

    The offset between ``z`` and ``ln a`` is the same for every ``j``: it is the
    log-partition function ``C = logsumexp(z)``.

    Parameters
    ----------
    n : int
        The number of scores, ``1 <= n <= 32`` (the cost grows quickly with ``n``).

    Examples
    --------
    >>> softmax_log_offset_sym(2)
    [log(exp(z_1) + exp(z_2)), log(exp(z_1) + exp(z_2))]
    """
    n = _size(n, "n", 32)
    z = logits(n)
    a = softmax_sym(z)
    return [sp.simplify(sp.expand_log(zj - sp.log(aj), force=True)) for zj, aj in zip(z, a)]


def softmax_of_log_residual(n: int) -> list[sp.Expr]:
    """``softmax(ln a + C)_j - a_j`` for ``a`` on the simplex and any constant ``C``: zeros.

    The last entry is ``a_n = 1 - a_1 - ... - a_{n-1}``; the first ``n - 1``
    are positive symbols. So every ``z = ln a + C`` maps back to ``a``.

    Parameters
    ----------
    n : int
        The number of classes, ``1 <= n <= 24`` (the cost grows quickly with ``n``).

    Examples
    --------
    >>> softmax_of_log_residual(3)
    [0, 0, 0]
    """
    n = _size(n, "n", 24)
    free = list(sp.symbols(f"a_1:{n}", positive=True))
    a = [*free, 1 - sum(free)]
    C = sp.Symbol("C", real=True)
    back = softmax_sym([sp.log(aj) + C for aj in a])
    return [sp.simplify(sp.powsimp(bj - aj, force=True)) for bj, aj in zip(back, a)]


# ------------------------------------------------------------------ the cross-entropy gradient exercise


def cross_entropy_chain_rule_residual(n: int) -> list[sp.Expr]:
    """The chain rule for ``CE = -sum_i y_i ln p_i`` minus ``p_j - y_j``, for any target on the simplex.

    ``d CE / d z_j = sum_i (d CE / d p_i)(d p_i / d z_j)`` with ``d CE / d p_i =
    -y_i / p_i`` and the Jacobian ``d p_i / d z_j = p_i (delta_ij - p_j)``.
    The targets ``y`` are symbols with ``y_n = 1 - y_1 - ... - y_{n-1}``, so a
    one-hot target is a special case. Returns one simplified residual per
    ``j``: all 0.

    Parameters
    ----------
    n : int
        The number of classes, ``1 <= n <= 32`` (the cost grows quickly with ``n``).

    Examples
    --------
    >>> cross_entropy_chain_rule_residual(3)
    [0, 0, 0]
    """
    n = _size(n, "n", 32)
    p = list(sp.symbols(f"p_1:{n + 1}", positive=True))
    y_free = list(sp.symbols(f"y_1:{n}", real=True))
    y = [*y_free, 1 - sum(y_free)]
    dce_dp = [-y[i] / p[i] for i in range(n)]
    dp_dz = [[p[i] * (sp.KroneckerDelta(i, j) - p[j]) for j in range(n)] for i in range(n)]
    return [sp.simplify(sum(dce_dp[i] * dp_dz[i][j] for i in range(n)) - (p[j] - y[j])) for j in range(n)]


# ------------------------------------------------------------------ the stable log-softmax exercise


def log_softmax_shift_residual(n: int) -> list[sp.Expr]:
    """``ln softmax(z)_j - ((z_j - m) - ln sum_k e^{z_k - m})`` for a symbolic shift ``m``: zeros.

    Any ``m`` works; choosing ``m = max z`` makes every exponent ``<= 0``, so
    nothing overflows and the sum is at least 1, so its log is finite.

    Parameters
    ----------
    n : int
        The number of scores, ``1 <= n <= 12`` (the cost grows quickly with ``n``).

    Examples
    --------
    >>> log_softmax_shift_residual(3)
    [0, 0, 0]
    """
    n = _size(n, "n", 12)
    z = logits(n)
    m = sp.Symbol("m", real=True)
    shifted = [(zj - m) - sp.log(sum(sp.exp(zk - m) for zk in z)) for zj in z]
    direct = [zj - logsumexp_sym(z) for zj in z]
    return [sp.simplify(sp.expand_log(sp.log(sp.exp(d)) - s, force=True)) for d, s in zip(direct, shifted)]


def log_softmax_log1p_residual(n: int) -> sp.Expr:
    """For the largest entry ``z_1``: ``ln softmax(z)_1 + log1p(s)`` with ``s = sum_{k>1} e^{z_k - z_1}``: 0.

    Parameters
    ----------
    n : int
        The number of scores, ``1 <= n <= 64`` (the cost grows quickly with ``n``).

    Examples
    --------
    >>> log_softmax_log1p_residual(3)
    0
    """
    n = _size(n, "n", 64)
    z = logits(n)
    s = sum(sp.exp(zk - z[0]) for zk in z[1:])
    # log a + log(1 + s) = log(a (1 + s)) for positive a and s; show a (1 + s) = 1
    product_minus_one = _exp_simplify(softmax_sym(z)[0] * (1 + s) - 1, z)
    return sp.log(1 + product_minus_one)


# ------------------------------------------------------------------ the argmax-limit exercise


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


# ------------------------------------------------------------------ the Gumbel-max exercise


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
