"""Checker for the exercise on the derivatives of the log-partition function (exercise 8).

The reader writes ``d log Z / d beta`` and ``d^2 log Z / d beta^2`` as SymPy
expressions in the Boltzmann probabilities ``p_i`` and the energies ``E_i``;
the checker substitutes ``p_i = exp(-beta E_i) / Z`` and asks SymPy whether the
result is the derivative of ``log Z = log sum_i exp(-beta E_i)``
(:func:`softmaxlab.symbolic.log_partition_sym`). A wrong answer is shown with a
numerical counterexample computed by :mod:`softmaxlab.thermo`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import sympy as sp

from softmaxlab.exercises._result import CheckResult, call_answer, checker, fail, fmt
from softmaxlab.symbolic.thermo import beta, energies, log_partition_sym
from softmaxlab.thermo import boltzmann, energy_variance, mean_energy

__all__ = ["check_energy_variance"]

_SEED = 20260308
_SIZES = (2, 3, 4, 1)  # numbers of states tested (the single state last: its failures say least)
_NAMES = ("d log Z / d beta", "d^2 log Z / d beta^2")


def _p_symbols(n: int) -> list[sp.Symbol]:
    return list(sp.symbols(f"p_1:{n + 1}", positive=True))


def _weights(n: int) -> list[sp.Symbol]:
    """Positive symbols ``w_i`` standing for the Boltzmann weights ``exp(-beta E_i)``."""
    return list(sp.symbols(f"w_1:{n + 1}", positive=True))


def _reference(n: int) -> tuple[list[sp.Symbol], list[sp.Symbol], list[sp.Expr]]:
    """The two derivatives of ``log Z``, differentiated by SymPy, then written in ``w_i = exp(-beta E_i)``.

    Every ``beta`` in the derivatives sits inside some ``exp(-beta E_i)``, so the
    result is a rational function of the ``w_i`` and ``E_i``: ``cancel`` decides
    equality with an answer exactly.
    """
    E = energies(n)
    w = _weights(n)
    log_Z = log_partition_sym(E)
    as_w = {sp.exp(-beta * e): wi for e, wi in zip(E, w)}
    derivatives = [sp.diff(log_Z, beta, order).subs(as_w) for order in (1, 2)]
    assert all(beta not in d.free_symbols for d in derivatives), "a derivative kept a stray beta"
    return E, w, derivatives


def _as_pair(value: Any, on: str) -> list[sp.Expr]:
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        fail(
            f"On {on} your function returned {type(value).__name__}; return a pair "
            "(d log Z / d beta, d^2 log Z / d beta^2) of SymPy expressions."
        )
    try:
        return [sp.sympify(item) for item in value]
    except (sp.SympifyError, TypeError):
        fail(f"On {on} your function returned something that is not a pair of SymPy expressions: {value!r}.")


def _is_zero(expr: sp.Expr) -> bool:
    difference = sp.cancel(sp.together(expr))
    return difference == 0 or sp.simplify(difference) == 0


def _numeric(expr: sp.Expr, p: list[sp.Symbol], E: list[sp.Symbol], pv: np.ndarray, Ev: np.ndarray) -> complex:
    values = {**{pi: sp.Float(float(x), 30) for pi, x in zip(p, pv)}, **{e: sp.Float(float(x), 30) for e, x in zip(E, Ev)}}
    return complex(sp.N(expr.subs(values), 20))


@checker("The energy variance")
def check_energy_variance(log_z_derivatives: Callable[[sp.Matrix, sp.Matrix], Any]) -> CheckResult:
    """Check the first two derivatives of ``log Z`` written through the Boltzmann probabilities.

    ``log_z_derivatives(p, E)`` gets two ``n x 1`` SymPy Matrices: ``p``,
    positive symbols ``p_1, ..., p_n`` standing for the Boltzmann
    probabilities ``p_i = exp(-beta E_i) / Z``, and ``E``, real symbols
    ``E_1, ..., E_n`` (the energies). It must return the pair
    ``(d log Z / d beta, d^2 log Z / d beta^2)`` as expressions in the
    ``p_i`` and ``E_i`` only (no ``beta``, no ``Z``), i.e. ``-<E>`` and
    ``Var(E) = <E^2> - <E>^2``. Every ``n`` from 1 to 4 is tested; an answer
    is right when, after substituting ``p_i = exp(-beta E_i) / Z``, SymPy
    proves it equal to the derivative of ``log Z = log sum_i exp(-beta E_i)``
    (so equivalent forms such as ``sum_i p_i (E_i - <E>)^2`` pass). A wrong
    one is shown with a numerical counterexample.

    Parameters
    ----------
    log_z_derivatives : callable
        ``log_z_derivatives(p, E) -> (first, second)``.

    Returns
    -------
    CheckResult

    Examples
    --------
    >>> from softmaxlab.exercises import check_energy_variance
    >>> def log_z_derivatives(p, E):
    ...     mean = p.dot(E)
    ...     return -mean, p.dot(E.applyfunc(lambda e: e**2)) - mean**2
    >>> check_energy_variance(log_z_derivatives).passed
    True
    >>> check_energy_variance(lambda p, E: (p.dot(E), 0)).passed   # wrong sign, no variance
    False
    """
    rng = np.random.default_rng(_SEED)
    numeric_only = 0  # entries SymPy could not simplify to 0 but that agree at 5 random points
    for n in _SIZES:
        p = _p_symbols(n)
        E, w, reference = _reference(n)
        on = f"n = {n} state{'s' if n > 1 else ''}"
        answer = _as_pair(call_answer(log_z_derivatives, sp.Matrix(p), sp.Matrix(E), on=on), on)
        for name, expr in zip(_NAMES, answer):
            stray = expr.free_symbols - set(p) - set(E)
            if stray:
                names = ", ".join(sorted(str(s) for s in stray))
                fail(
                    f"For {on} your {name} uses the symbols {names}; write it in terms of the "
                    f"probabilities p_i and the energies E_i only "
                    "(beta and Z enter through the p_i).",
                    input=on,
                    got=str(expr),
                )
        as_w = {p[i]: w[i] / sum(w) for i in range(n)}
        for order, (name, expr, ref) in enumerate(zip(_NAMES, answer, reference), start=1):
            substituted = expr.subs(as_w)
            if _is_zero(substituted - ref):
                continue
            advice = ""
            if _is_zero(substituted + ref):
                advice = (
                    " It has the wrong sign: the derivative of exp(-beta E_i) with respect to "
                    "beta is -E_i exp(-beta E_i)"
                    if order == 1
                    else " It has the wrong sign: a variance is never negative"
                ) + "."
            elif order == 2:
                second_moment = sum(wi * e**2 for wi, e in zip(w, E)) / sum(w)
                if _is_zero(substituted - second_moment):
                    advice = (
                        " That is <E^2>, the second moment; differentiating the denominator Z "
                        "contributes the -<E>^2."
                    )
            # show where it goes wrong, at a point where the two sides differ
            for _ in range(5):
                Ev = np.round(rng.normal(0.0, 1.5, size=n), 2)
                b = float(np.round(rng.uniform(0.3, 2.0), 2))
                pv = boltzmann(Ev, temperature=1.0 / b)
                want = -float(mean_energy(Ev, 1.0 / b)) if order == 1 else float(energy_variance(Ev, 1.0 / b))
                got = _numeric(expr, p, E, pv, Ev)
                if abs(got.imag) > 1e-12 or abs(got.real - want) > 1e-9 * (1 + abs(want)):
                    value = fmt(got.real) if got.imag == 0 else f"the complex number {fmt(got.real)} + {fmt(got.imag)}i"
                    fail(
                        f"For {on}, your {name} = {expr} is not the derivative of log Z = "
                        f"log sum_i exp(-beta E_i).{advice} At E = {fmt(Ev, digits=None)}, beta = {fmt(b, digits=None)} "
                        f"(p = {fmt(pv)}) it gives {value}; the derivative is {fmt(want)}.",
                        input=f"{on}, E = {fmt(Ev, digits=None)}, beta = {fmt(b, digits=None)}",
                        expected=fmt(want),
                        got=str(expr),
                    )
            numeric_only += 1
    how = "SymPy proves your derivatives equal to" if numeric_only == 0 else (
        f"Your derivatives agree with (SymPy proves all but {numeric_only} of them equal, and those "
        "agree numerically at 5 random points each)"
    )
    example = _as_pair(log_z_derivatives(sp.Matrix(_p_symbols(2)), sp.Matrix(energies(2))), "n = 2")
    return (
        f"{how} the derivatives of log Z for n = {min(_SIZES)} to {max(_SIZES)} states: "
        "d log Z / d beta = -<E> and d^2 log Z / d beta^2 = Var(E), the energy variance.",
        (("your d log Z / d beta, n = 2", str(example[0])), ("your d^2 log Z / d beta^2, n = 2", str(example[1]))),
    )
