"""SymPy derivations for the partition function beyond the canonical ensemble (chapter 4's sections).

The density of states of the Ising ring (a level sum equal to the transfer
matrix's closed form), observables as derivatives of ``log Z`` with respect
to their conjugate field (the magnetisation and its fluctuations from the
field ``h``), and the grand canonical ensemble of a single site, whose mean
occupation is a two-class softmax (the Fermi-Dirac function). Each function
returns expressions and differences that simplify to 0.
"""

from __future__ import annotations

import itertools
from math import comb

import sympy as sp

from softmaxlab.symbolic.core import _size, _softmax_of, sigmoid_sym

__all__ = [
    "ising_ring_density_of_states_sym",
    "conjugate_field_identities",
    "grand_canonical_site_sym",
]


#: Inverse temperature (positive), the Ising coupling and field, a level energy and a chemical potential (real).
beta = sp.Symbol("beta", positive=True)


J, h, epsilon, mu = sp.symbols("J h epsilon mu", real=True)


def ising_ring_density_of_states_sym(n: int = 6) -> dict[str, object]:
    r"""The zero-field Ising ring's partition function as a sum over its energy levels.

    A ring of ``n`` spins with ``b`` unlike neighbour pairs ("broken bonds")
    has energy ``E_b = -J (n - 2 b)``. Going round the ring the spin changes
    sign at every broken bond and must come back to where it started, so
    ``b`` is even; the ``b`` broken bonds can be any of the ``n`` bonds, and
    the first spin is either sign: ``g(E_b) = 2 C(n, b)``. The level sum
    ``sum_b g(E_b) exp(-beta E_b)`` equals the transfer matrix's
    ``(2 cosh(beta J))^n + (2 sinh(beta J))^n``.

    Parameters
    ----------
    n : int, optional
        Number of spins, ``1 <= n <= 16``.

    Returns
    -------
    dict
        ``"levels"`` (the energies ``E_b``, ``b = 0, 2, 4, ...``),
        ``"degeneracies"`` (``2 C(n, b)``, integers summing to ``2**n``),
        ``"Z"`` (the level sum), ``"difference_transfer"`` (minus the closed
        form: 0) and ``"difference_states"`` (the level sum minus the sum over
        all ``2**n`` configurations, for ``n <= 10``, else None: 0).

    Examples
    --------
    >>> out = ising_ring_density_of_states_sym(4)
    >>> out["levels"], out["degeneracies"]
    ([-4*J, 0, 4*J], [2, 12, 2])
    >>> out["difference_transfer"], out["difference_states"]
    (0, 0)
    """
    n = _size(n, "n", 16)
    broken = range(0, n + 1, 2)
    levels = [-J * (n - 2 * b) for b in broken]
    degeneracies = [2 * comb(n, b) for b in broken]
    Z = sum(g * sp.exp(-beta * E) for g, E in zip(degeneracies, levels))
    closed = (2 * sp.cosh(beta * J)) ** n + (2 * sp.sinh(beta * J)) ** n

    def vanishes(expr):
        return sp.simplify(sp.expand(expr.rewrite(sp.exp)))

    difference_states = None
    if n <= 10:
        states = sum(
            sp.exp(beta * J * sum(s[i] * s[(i + 1) % n] for i in range(n)))
            for s in itertools.product((1, -1), repeat=n)
        )
        difference_states = vanishes(Z - states)
    return {
        "levels": levels,
        "degeneracies": degeneracies,
        "Z": Z,
        "difference_transfer": vanishes(Z - closed),
        "difference_states": difference_states,
    }


def conjugate_field_identities(n: int = 4) -> dict[str, object]:
    r"""Magnetisation and its fluctuations as derivatives of ``log Z`` with respect to the field.

    In the Ising ring ``E(s) = -J sum_i s_i s_{i+1} - h M(s)`` with
    ``M = sum_i s_i``, the field ``h`` enters only through ``-h M``: it is the
    field *conjugate* to ``M``. Differentiating ``log Z`` by it brings down
    ``beta M`` from each Boltzmann weight, so

    .. math:: \langle M \rangle = \frac{1}{\beta} \frac{\partial \log Z}{\partial h}, \qquad
              \operatorname{Var}(M) = \frac{1}{\beta^2} \frac{\partial^2 \log Z}{\partial h^2},

    and the susceptibility ``d<M>/dh`` is ``beta Var(M)``: the response to
    the field equals the fluctuations without it. Proved on the ``2**n``
    enumerated configurations.

    Parameters
    ----------
    n : int, optional
        Number of spins, ``1 <= n <= 6``.

    Returns
    -------
    dict
        ``"log_Z"``, ``"mean_difference"`` (``(1/beta) d log Z / dh`` minus the
        Boltzmann average of ``M``: 0), ``"variance_difference"``
        (``(1/beta^2) d^2 log Z / dh^2`` minus the variance of ``M``: 0) and
        ``"susceptibility_difference"`` (``d<M>/dh`` minus ``beta Var(M)``: 0).

    Examples
    --------
    >>> out = conjugate_field_identities(3)
    >>> out["mean_difference"], out["variance_difference"], out["susceptibility_difference"]
    (0, 0, 0)
    """
    n = _size(n, "n", 6)
    states = list(itertools.product((1, -1), repeat=n))
    magnetisation = [sum(s) for s in states]
    energy = [-J * sum(s[i] * s[(i + 1) % n] for i in range(n)) - h * m for s, m in zip(states, magnetisation)]
    weights = [sp.exp(-beta * e) for e in energy]
    Z = sum(weights)
    log_Z = sp.log(Z)
    mean = sum(m * w for m, w in zip(magnetisation, weights)) / Z
    second = sum(m**2 * w for m, w in zip(magnetisation, weights)) / Z
    variance = second - mean**2

    def vanishes(expr):
        return sp.simplify(sp.together(sp.expand(expr)))

    return {
        "log_Z": log_Z,
        "mean_difference": vanishes(sp.diff(log_Z, h) / beta - mean),
        "variance_difference": vanishes(sp.diff(log_Z, h, 2) / beta**2 - variance),
        "susceptibility_difference": vanishes(sp.diff(mean, h) - beta * variance),
    }


def grand_canonical_site_sym() -> dict[str, sp.Expr]:
    r"""A site that holds 0 or 1 particle, in contact with a reservoir: the Fermi-Dirac occupation as a softmax.

    The site is empty (``N = 0``, energy 0) or occupied (``N = 1``, energy
    ``epsilon``). In the grand canonical ensemble at chemical potential
    ``mu`` a state has weight ``exp(-beta (E - mu N))``, so
    ``Xi = 1 + exp(beta (mu - epsilon))``; the occupation probability is the
    two-class softmax of ``(0, beta (mu - epsilon))``, the sigmoid
    ``1 / (exp(beta (epsilon - mu)) + 1)``; and, ``mu`` being the field
    conjugate to ``N``, ``<N> = (1/beta) d log Xi / d mu`` and
    ``Var(N) = (1/beta^2) d^2 log Xi / d mu^2 = <N> (1 - <N>)``.

    Returns
    -------
    dict
        ``"Xi"``, ``"occupation"`` (the two-class softmax's second entry),
        ``"fermi_difference"`` (occupation minus ``1/(exp(beta (epsilon - mu)) + 1)``),
        ``"sigmoid_difference"`` (minus ``sigma(beta (mu - epsilon))``),
        ``"mean_difference"`` (``(1/beta) d log Xi / d mu`` minus the occupation)
        and ``"variance_difference"`` (``(1/beta^2) d^2 log Xi / d mu^2`` minus
        ``<N>(1 - <N>)``): all 0.

    Examples
    --------
    >>> out = grand_canonical_site_sym()
    >>> out["Xi"]
    exp(beta*(-epsilon + mu)) + 1
    >>> [out[k] for k in ("fermi_difference", "sigmoid_difference", "mean_difference", "variance_difference")]
    [0, 0, 0, 0]
    """
    logits = [sp.Integer(0), beta * (mu - epsilon)]  # -beta (E - mu N) for N = 0 and N = 1
    Xi = sum(sp.exp(x) for x in logits)
    occupation = _softmax_of(logits, "logits")[1]
    log_Xi = sp.log(Xi)
    return {
        "Xi": Xi,
        "occupation": occupation,
        "fermi_difference": sp.simplify(occupation - 1 / (sp.exp(beta * (epsilon - mu)) + 1)),
        "sigmoid_difference": sp.simplify(occupation - sigmoid_sym(beta * (mu - epsilon))),
        "mean_difference": sp.simplify(sp.diff(log_Xi, mu) / beta - occupation),
        "variance_difference": sp.simplify(sp.diff(log_Xi, mu, 2) / beta**2 - occupation * (1 - occupation)),
    }
