"""SymPy derivations for the partition function (the results of :mod:`softmaxlab.thermo`).

Softmax as the Boltzmann distribution ``p_i = exp(-beta E_i) / Z``; ``log Z`` as the generating
function of the energy (mean, variance, free energy); the variational form of logsumexp; the
exponential family's log-normalizer; the two-level system. The symbols ``beta``, ``T`` (positive)
and the Ising coupling and field ``J``, ``h`` (real) are defined here and shared.
"""

from __future__ import annotations

import sympy as sp

from softmaxlab.symbolic.core import (
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
    "log_normalizer_derivatives",
    "variational_gap_identity",
    "two_level_system_sym",
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
