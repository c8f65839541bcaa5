"""SymPy derivations for the Ising ring (the results of :mod:`softmaxlab.ising`).

The partition function summed over all states, its transfer-matrix closed form, and the heat
capacity of the infinite chain.
"""

from __future__ import annotations

import itertools

import sympy as sp

from softmaxlab.symbolic.core import _real_expr, _size
from softmaxlab.symbolic.thermo import J, beta

__all__ = [
    "ising_ring_enumerated_sym",
    "ising_ring_transfer_sym",
    "ising_chain_heat_capacity_sym",
]


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

        closed = sp.expand(lam_p**n + lam_m**n)  # odd powers of the square root cancel
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
