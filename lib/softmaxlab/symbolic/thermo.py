"""SymPy derivations for the partition function (chapter 4).

Softmax as the Boltzmann distribution ``p_i = exp(-beta E_i) / Z``; ``log Z`` as
the generating function of the energy; the maximum-entropy derivation with
Lagrange multipliers; the variational form of logsumexp; the exponential
family; the two-level system and the Ising ring; the temperature scaling of
distillation gradients. Each function returns expressions that are 0 (or a
dictionary of derived expressions) so that chapters show them and tests prove them.
"""

from __future__ import annotations

import itertools

import sympy as sp

from softmaxlab.symbolic.definition import (
    _MAX_SYMBOLS,
    _logsumexp_of,
    _real_expr,
    _real_exprs,
    _size,
    _softmax_of,
    logits,
    softmax_sym,
)

__all__ = [
    "energies",
    "boltzmann_sym",
    "log_partition_sym",
    "base_b_softmax_identity",
    "mean_energy_identity",
    "energy_variance_identity",
    "free_energy_identities",
    "max_entropy_lagrange",
    "log_normalizer_derivatives",
    "variational_gap_identity",
    "two_level_system_sym",
    "ising_ring_enumerated_sym",
    "ising_ring_transfer_sym",
    "ising_chain_heat_capacity_sym",
    "distillation_gradient_identity",
    "distillation_high_temperature_gradient",
]

#: Inverse temperature, temperature, and the Ising coupling and field (all positive real symbols
#: except the field and coupling, which are real).
beta, T = sp.symbols("beta T", positive=True)
J, h = sp.symbols("J h", real=True)


def energies(n: int, name: str = "E") -> list[sp.Symbol]:
    """``n`` real energy symbols ``E_1, ..., E_n``.

    Parameters
    ----------
    n : int
        How many symbols, ``1 <= n <= 10000``.
    name : str
        Their stem, a Python identifier (default ``"E"``).

    Examples
    --------
    >>> energies(3)
    [E_1, E_2, E_3]
    """
    n = _size(n, "n", _MAX_SYMBOLS)
    return logits(n, name)


def boltzmann_sym(E: list[sp.Expr], b: sp.Expr = beta) -> list[sp.Expr]:
    """The Boltzmann probabilities ``exp(-b E_i) / sum_j exp(-b E_j)``: softmax of ``-E`` at inverse temperature ``b``.

    Parameters
    ----------
    E : list of SymPy expressions or real numbers
        The energies (a list, tuple, 1-D numpy array or SymPy vector).
    b : SymPy expression or real number
        The inverse temperature, finite (default the positive symbol ``beta``).

    Returns
    -------
    list of SymPy expressions
        Concrete infinities as in :func:`~softmaxlab.symbolic.softmax_sym`
        applied to ``-b E``: a state with ``b E_i = +oo`` gets probability 0,
        states with ``b E_i = -oo`` share the mass, a nan gives nan everywhere,
        and an empty ``E`` gives ``[]``.

    Examples
    --------
    >>> boltzmann_sym(energies(2))[0]
    exp(-E_1*beta)/(exp(-E_2*beta) + exp(-E_1*beta))
    >>> boltzmann_sym([0, sp.oo])
    [1, 0]
    """
    E = _real_exprs(E, "E", finite=False)
    b = _real_expr(b, "b")
    return _softmax_of([b * -e for e in E], "-b * E")


def log_partition_sym(E: list[sp.Expr], b: sp.Expr = beta) -> sp.Expr:
    """``log Z = log sum_i exp(-b E_i)``.

    Parameters
    ----------
    E : list of SymPy expressions or real numbers
        The energies, as for :func:`boltzmann_sym`.
    b : SymPy expression or real number
        The inverse temperature, finite (default the positive symbol ``beta``).

    Returns
    -------
    SymPy expression
        Concrete infinities as in :func:`~softmaxlab.symbolic.logsumexp_sym`
        applied to ``-b E``: ``oo`` if some ``b E_i = -oo``, a nan gives nan,
        and an empty ``E`` or every ``b E_i = +oo`` gives ``-oo`` (``Z = 0``).

    Examples
    --------
    >>> log_partition_sym(energies(2))
    log(exp(-E_2*beta) + exp(-E_1*beta))
    >>> log_partition_sym([]), log_partition_sym([0, sp.oo])
    (-oo, 0)
    """
    E = _real_exprs(E, "E", finite=False)
    b = _real_expr(b, "b")
    return _logsumexp_of([-b * e for e in E], "-b * E")


def base_b_softmax_identity(n: int) -> list[sp.Expr]:
    """``b**z_i / sum_j b**z_j - softmax(log(b) z)_i``, simplified: all 0.

    The sources' "softmax in base b" is ordinary softmax at inverse temperature
    ``beta = log b`` (``b > 1`` sharpens, ``0 < b < 1`` reverses the order).

    Parameters
    ----------
    n : int
        The number of scores, ``1 <= n <= 256`` (the cost grows quickly with ``n``).

    Examples
    --------
    >>> base_b_softmax_identity(3)
    [0, 0, 0]
    """
    n = _size(n, "n", 256)
    z = logits(n)
    b = sp.Symbol("b", positive=True)
    base_b = [b**zi / sum(b**zj for zj in z) for zi in z]
    return [sp.simplify((u - v).rewrite(sp.exp)) for u, v in zip(base_b, softmax_sym(z, sp.log(b)))]


def _mean(p: list[sp.Expr], values: list[sp.Expr]) -> sp.Expr:
    return sum(pi * vi for pi, vi in zip(p, values))


def mean_energy_identity(n: int) -> sp.Expr:
    """``-d log Z / d beta - <E>``, simplified: 0. The first derivative of ``log Z`` is the mean energy.

    Parameters
    ----------
    n : int
        The number of states, ``1 <= n <= 32`` (the cost grows quickly with ``n``).

    Examples
    --------
    >>> mean_energy_identity(3)
    0
    """
    n = _size(n, "n", 32)
    E = energies(n)
    return sp.simplify(-sp.diff(log_partition_sym(E), beta) - _mean(boltzmann_sym(E), E))


def energy_variance_identity(n: int) -> sp.Expr:
    """``d^2 log Z / d beta^2 - Var(E)``, simplified: 0. The second derivative is the energy variance.

    Parameters
    ----------
    n : int
        The number of states, ``1 <= n <= 8`` (the cost grows quickly with ``n``).

    Examples
    --------
    >>> energy_variance_identity(3)
    0
    """
    n = _size(n, "n", 8)
    E = energies(n)
    p = boltzmann_sym(E)
    mean = _mean(p, E)
    variance = _mean(p, [(e - mean) ** 2 for e in E])
    return sp.simplify(sp.diff(log_partition_sym(E), beta, 2) - variance)


def free_energy_identities(n: int) -> dict[str, sp.Expr]:
    """Free energy ``F = -T log Z`` and entropy, in terms of the temperature ``T``.

    Returns a dictionary with the expressions ``F``, ``U`` (mean energy), ``S``
    (Shannon entropy ``-sum p log p``) and two differences, each simplifying to 0:
    ``S - (U - F)/T`` under ``"S = (U - F)/T"`` and ``dF/dT + S`` under ``"dF/dT = -S"``.

    Parameters
    ----------
    n : int
        The number of states, ``1 <= n <= 8`` (the cost grows quickly with ``n``).

    Examples
    --------
    >>> ids = free_energy_identities(2)
    >>> ids["S = (U - F)/T"], ids["dF/dT = -S"]
    (0, 0)
    """
    n = _size(n, "n", 8)
    E = energies(n)
    p = boltzmann_sym(E, 1 / T)
    F = -T * log_partition_sym(E, 1 / T)
    U = _mean(p, E)
    S = -sum(pi * sp.log(pi) for pi in p)
    return {
        "F": F,
        "U": U,
        "S": S,
        "S = (U - F)/T": sp.simplify(sp.expand_log(S - (U - F) / T, force=True)),
        "dF/dT = -S": sp.simplify(sp.expand_log(sp.diff(F, T) + S, force=True)),
    }


def max_entropy_lagrange(n: int) -> dict[str, object]:
    """Maximise ``H(p) = -sum p_i log p_i`` subject to ``sum p_i = 1`` and ``sum p_i z_i = mu``.

    The Lagrangian is ``L = H(p) + alpha (sum p - 1) + beta (sum p z - mu)``.
    Setting ``dL/dp_i = 0`` gives ``p_i = exp(alpha - 1 + beta z_i)``; the
    normalisation fixes ``alpha``, and the result is ``softmax(beta z)``: the
    maximum-entropy distribution with a given expected score is a softmax
    (with ``z = -E``, the Boltzmann distribution). ``beta`` is whatever value
    makes the expected score equal ``mu``.

    Parameters
    ----------
    n : int
        The number of states, ``1 <= n <= 16`` (the cost grows quickly with ``n``).

    Returns
    -------
    dict
        ``"lagrangian"``, ``"stationarity"`` (the equations ``dL/dp_i = 0``),
        ``"p"`` (each ``p_i`` solved from its equation), ``"alpha"`` (from the
        normalisation), ``"solution"`` (the ``p_i`` with ``alpha`` substituted),
        ``"difference"`` (solution minus ``softmax(beta z)``, simplified: all 0)
        and ``"hessian"`` (of ``H``: ``-diag(1/p_i)``, negative definite, so the
        stationary point is the maximum).

    Examples
    --------
    >>> result = max_entropy_lagrange(3)
    >>> result["difference"]
    [0, 0, 0]
    >>> result["p"][0]
    exp(alpha + beta*z_1 - 1)
    """
    n = _size(n, "n", 16)
    z = logits(n)
    p = list(sp.symbols(f"p_1:{n + 1}", positive=True))
    alpha, mu = sp.symbols("alpha mu", real=True)
    H = -sum(pi * sp.log(pi) for pi in p)
    L = H + alpha * (sum(p) - 1) + beta * (sum(pi * zi for pi, zi in zip(p, z)) - mu)
    stationarity = [sp.Eq(sp.diff(L, pi), 0) for pi in p]
    solved = [sp.solve(eq, pi)[0] for eq, pi in zip(stationarity, p)]
    alpha_value = sp.solve(sp.Eq(sum(solved), 1), alpha)[0]
    solution = [sp.simplify(s.subs(alpha, alpha_value)) for s in solved]
    difference = [sp.simplify(s - q) for s, q in zip(solution, softmax_sym(z, beta))]
    hessian = sp.hessian(H, p)
    return {
        "lagrangian": L,
        "stationarity": stationarity,
        "p": solved,
        "alpha": alpha_value,
        "solution": solution,
        "difference": difference,
        "hessian": hessian,
    }


def log_normalizer_derivatives(n: int) -> dict[str, object]:
    """The categorical distribution as an exponential family with log-normaliser ``A(z) = logsumexp(z)``.

    ``p(i | z) = exp(z_i - A(z))``. The gradient of ``A`` is ``softmax(z)`` (the
    mean of the one-hot sufficient statistic) and its Hessian is
    ``diag(p) - p p^T`` (the covariance of that statistic, positive
    semi-definite, so ``A`` is convex).

    Parameters
    ----------
    n : int
        The number of scores, ``1 <= n <= 24`` (the cost grows quickly with ``n``).

    Returns
    -------
    dict
        ``"gradient - softmax"`` (a list of zeros) and ``"hessian - covariance"``
        (a zero matrix).

    Examples
    --------
    >>> out = log_normalizer_derivatives(3)
    >>> out["gradient - softmax"]
    [0, 0, 0]
    >>> out["hessian - covariance"].is_zero_matrix
    True
    """
    n = _size(n, "n", 24)
    z = logits(n)
    A = sp.log(sum(sp.exp(zi) for zi in z))
    p = softmax_sym(z)
    gradient = [sp.simplify(sp.diff(A, zi) - pi) for zi, pi in zip(z, p)]
    covariance = sp.Matrix(n, n, lambda i, j: p[i] * (sp.KroneckerDelta(i, j) - p[j]))
    hessian = sp.simplify(sp.hessian(A, z) - covariance)
    return {"gradient - softmax": gradient, "hessian - covariance": hessian}


def variational_gap_identity(n: int) -> sp.Expr:
    """``logsumexp(z) - [p . z + H(p)] - KL(p || softmax(z))`` for any ``p`` on the simplex, simplified: 0.

    Since ``KL >= 0`` with equality only at ``p = softmax(z)``, this proves
    ``logsumexp(z) = max_p [p . z + H(p)]``, attained only at the softmax.
    ``p`` is parametrised by ``p_1, ..., p_{n-1}`` and ``p_n = 1 - sum``.

    Parameters
    ----------
    n : int
        The number of scores, ``1 <= n <= 128`` (the cost grows quickly with ``n``).

    Examples
    --------
    >>> variational_gap_identity(3)
    0
    """
    n = _size(n, "n", 128)
    z = logits(n)
    free = list(sp.symbols(f"p_1:{n}", positive=True))
    p = [*free, 1 - sum(free)]
    q = softmax_sym(z)
    lse = sp.log(sum(sp.exp(zi) for zi in z))
    objective = sum(pi * zi for pi, zi in zip(p, z)) - sum(pi * sp.log(pi) for pi in p)
    kl = sum(pi * (sp.log(pi) - sp.log(qi)) for pi, qi in zip(p, q))
    gap = lse - objective - kl
    return sp.simplify(sp.expand(sp.expand_log(gap, force=True)))


def two_level_system_sym() -> dict[str, sp.Expr]:
    """The two-level system, energies ``0`` and ``epsilon > 0``, derived from ``log Z``.

    Returns ``Z``, the mean energy ``U = -d log Z / d beta``, the heat capacity
    ``C = beta^2 d^2 log Z / d beta^2`` (the Schottky anomaly) and the entropy
    ``S = beta U + log Z``, all as functions of ``beta`` and ``epsilon``.

    Examples
    --------
    >>> sys2 = two_level_system_sym()
    >>> sys2["Z"]
    1 + exp(-beta*epsilon)
    >>> sys2["U"]
    epsilon/(exp(beta*epsilon) + 1)
    """
    eps = sp.Symbol("epsilon", positive=True)
    Z = 1 + sp.exp(-beta * eps)
    logZ = sp.log(Z)
    U = sp.simplify(-sp.diff(logZ, beta))
    C = sp.simplify(beta**2 * sp.diff(logZ, beta, 2))
    S = beta * U + logZ
    return {"epsilon": eps, "Z": Z, "U": U, "C": C, "S": S}


def _ising_symbols():
    K, H = sp.symbols("K H", real=True)  # K = beta J, H = beta h
    return K, H


def ising_ring_enumerated_sym(n: int) -> sp.Expr:
    """``Z`` of a periodic Ising ring of ``n`` spins, summed over all ``2**n`` states.

    Energy ``E(s) = -J sum_i s_i s_{i+1} - h sum_i s_i`` with ``s_{n+1} = s_1``;
    the result is written with ``K = beta J`` and ``H = beta h``.

    Parameters
    ----------
    n : int
        The number of spins, ``1 <= n <= 12`` (the sum has ``2**n`` terms).

    Examples
    --------
    >>> ising_ring_enumerated_sym(2)
    exp(-2*H + 2*K) + exp(2*H + 2*K) + 2*exp(-2*K)
    """
    n = _size(n, "n", 12)
    K, H = _ising_symbols()
    total = sp.Integer(0)
    for spins in itertools.product((1, -1), repeat=n):
        bonds = sum(spins[i] * spins[(i + 1) % n] for i in range(n))
        total += sp.exp(K * bonds + H * sum(spins))
    return total


def _spin_count(n: object) -> int | sp.Expr | None:
    """The ``n`` of :func:`ising_ring_transfer_sym`: None, a checked int, or a symbolic count."""
    if n is None:
        return None
    if isinstance(n, sp.Basic) and not (isinstance(n, sp.Expr) and n.is_Integer):
        n = _real_expr(n, "n")
        if n.is_number or not n.free_symbols:
            raise TypeError(f"n must be an integer, a SymPy expression with free symbols or None, got {n}")
        if n.is_integer is False or n.is_positive is False:
            raise ValueError(
                f"n must be a positive integer symbol or expression, got {n}, known to be non-positive or non-integer"
            )
        return n
    try:
        return _size(n, "n", 12)
    except TypeError:
        raise TypeError(f"n must be an integer, a SymPy expression with free symbols or None, got {n!r}") from None


def ising_ring_transfer_sym(n: int | sp.Symbol | None = None) -> dict[str, sp.Expr]:
    """The transfer-matrix closed form ``Z = lambda_+**n + lambda_-**n`` of the periodic Ising ring.

    ``lambda_pm = e^K cosh H pm sqrt(e^{2K} sinh^2 H + e^{-2K})`` are the
    eigenvalues of the 2x2 matrix ``T[s, s'] = exp(K s s' + H (s + s') / 2)``.

    Parameters
    ----------
    n : int or Symbol, optional
        The number of spins: an integer ``1 <= n <= 12`` (then the closed form is
        compared with the enumeration of all ``2**n`` states), a SymPy
        expression with free symbols that is not known to be a non-positive or
        non-integer number (then there is no ``"difference"``), or None
        (default: the positive integer symbol ``N``). A SymPy integer counts as
        an int.

    Returns
    -------
    dict
        ``"matrix"``, ``"lambda_plus"``, ``"lambda_minus"``, ``"Z"`` and, when ``n``
        is an int, ``"difference"``: ``Z`` minus :func:`ising_ring_enumerated_sym`,
        simplified (0).

    Examples
    --------
    >>> ising_ring_transfer_sym(4)["difference"]
    0
    """
    n = _spin_count(n)
    K, H = _ising_symbols()
    N = sp.Symbol("N", positive=True, integer=True) if n is None else n
    matrix = sp.Matrix([[sp.exp(K + H), sp.exp(-K)], [sp.exp(-K), sp.exp(K - H)]])
    root = sp.sqrt(sp.exp(2 * K) * sp.sinh(H) ** 2 + sp.exp(-2 * K))
    lam_p = sp.exp(K) * sp.cosh(H) + root
    lam_m = sp.exp(K) * sp.cosh(H) - root
    out = {"matrix": matrix, "lambda_plus": lam_p, "lambda_minus": lam_m, "Z": lam_p**N + lam_m**N}
    if isinstance(n, int):  # a checked count
        x, y = sp.symbols("x y", positive=True)  # x = e^K, y = e^H: everything becomes rational

        def rational(expr):
            expr = sp.expand(expr.rewrite(sp.exp))
            expr = expr.subs({K: sp.log(x), H: sp.log(y)})
            return sp.expand(sp.powsimp(expr, force=True))

        closed = sp.expand((lam_p**n + lam_m**n))  # odd powers of the square root cancel
        out["difference"] = sp.simplify(rational(closed) - rational(ising_ring_enumerated_sym(n)))
    return out


def ising_chain_heat_capacity_sym() -> dict[str, sp.Expr]:
    """Heat capacity per spin of the zero-field Ising ring, finite ``N`` and ``N -> infinity``.

    At ``h = 0`` the eigenvalues are ``2 cosh(beta J)`` and ``2 sinh(beta J)``, so
    ``log Z = log((2 cosh K)^N + (2 sinh K)^N)`` with ``K = beta J``. The heat
    capacity per spin is ``c = beta^2 d^2 log Z / d beta^2 / N``; as ``N -> infinity``
    only ``lambda_+`` survives and ``c = K^2 sech^2 K``.

    Returns
    -------
    dict
        ``"log_Z"`` and ``"c_N"`` (finite ring; symbols ``beta, J, N``),
        ``"c_infinity"`` and ``"c_infinity - K^2 sech^2 K"`` (simplified: 0).

    Examples
    --------
    >>> ising_chain_heat_capacity_sym()["c_infinity - K^2 sech^2 K"]
    0
    """
    N = sp.Symbol("N", positive=True, integer=True)
    log_Z = sp.log((2 * sp.cosh(beta * J)) ** N + (2 * sp.sinh(beta * J)) ** N)
    c_N = beta**2 * sp.diff(log_Z, beta, 2) / N
    c_inf = sp.simplify(beta**2 * sp.diff(sp.log(2 * sp.cosh(beta * J)), beta, 2))
    K = beta * J
    check = sp.simplify((c_inf - K**2 / sp.cosh(K) ** 2).rewrite(sp.exp))
    return {"log_Z": log_Z, "c_N": c_N, "c_infinity": c_inf, "c_infinity - K^2 sech^2 K": check}


def distillation_gradient_identity(n: int) -> list[sp.Expr]:
    """Gradient of the soft-target loss at temperature ``T``, minus ``(q_i - p_i) / T``: all 0.

    The student's logits are ``s``, the teacher's ``t``; the soft targets are
    ``p = softmax(t / T)`` and the student's tempered output ``q = softmax(s / T)``.
    The loss ``-sum_j p_j log q_j`` has gradient ``(q_i - p_i) / T`` with respect
    to ``s_i``: one factor ``1/T`` from the chain rule.

    Parameters
    ----------
    n : int
        The number of classes, ``1 <= n <= 8`` (the cost grows quickly with ``n``).

    Examples
    --------
    >>> distillation_gradient_identity(3)
    [0, 0, 0]
    """
    n = _size(n, "n", 8)
    s = logits(n, "s")
    t = logits(n, "t")
    q = softmax_sym(s, 1 / T)
    p = softmax_sym(t, 1 / T)
    loss = -sum(pj * sp.log(qj) for pj, qj in zip(p, q))
    return [sp.simplify(sp.diff(loss, si) - (qi - pi) / T) for si, qi, pi in zip(s, q, p)]


def distillation_high_temperature_gradient(n: int) -> dict[str, object]:
    """The limit of ``T^2 x`` the soft-target gradient as ``T -> infinity``.

    ``T^2 (q_i - p_i) / T = T (q_i - p_i)`` tends to
    ``((s_i - mean(s)) - (t_i - mean(t))) / n``: a finite limit, so the raw
    gradient shrinks like ``1/T^2`` and multiplying the loss by ``T^2`` keeps its
    scale independent of ``T`` (Hinton, Vinyals and Dean 2015). The limit is
    the gradient of ``sum_i ((s_i - mean s) - (t_i - mean t))^2 / (2n)``: at
    high temperature distillation matches centred logits.

    Parameters
    ----------
    n : int
        The number of classes, ``1 <= n <= 4`` (the cost grows quickly with ``n``).

    Returns
    -------
    dict
        ``"limit"`` (the ``n`` limits), ``"expected"`` (the centred-difference
        formula) and ``"difference"`` (simplified: all 0).

    Examples
    --------
    >>> distillation_high_temperature_gradient(2)["difference"]
    [0, 0]
    """
    n = _size(n, "n", 4)
    s = logits(n, "s")
    t = logits(n, "t")
    q = softmax_sym(s, 1 / T)
    p = softmax_sym(t, 1 / T)
    limit = [sp.limit(T * (qi - pi), T, sp.oo) for qi, pi in zip(q, p)]
    s_bar = sum(s) / n
    t_bar = sum(t) / n
    expected = [((si - s_bar) - (ti - t_bar)) / n for si, ti in zip(s, t)]
    return {
        "limit": limit,
        "expected": expected,
        "difference": [sp.simplify(a - b) for a, b in zip(limit, expected)],
    }
