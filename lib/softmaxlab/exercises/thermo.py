"""Checker for the exercise on the derivatives of the log-partition function (exercise 8).

Part 1: the reader writes ``d log Z / d beta`` and ``d^2 log Z / d beta^2`` as
SymPy expressions in the Boltzmann probabilities ``p_i`` and the energies
``E_i``; the checker substitutes ``p_i = exp(-beta E_i) / Z`` and asks SymPy
whether the result is the derivative of ``log Z = log sum_i exp(-beta E_i)``
(:func:`softmaxlab.symbolic.log_partition_sym`). A wrong answer is shown with a
numerical counterexample computed by :mod:`softmaxlab.thermo`.

Part 2: the reader computes the energy variance numerically, and the checker
compares it with mpmath at 50 significant digits on energies where ``Z``
over- or underflows and where ``<E^2> - <E>^2`` cancels catastrophically.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import mpmath
import numpy as np
import sympy as sp

from softmaxlab.exercises._result import CheckResult, NotAttempted, call_answer, checker, fail, fmt
from softmaxlab.symbolic.thermo import beta, energies, log_partition_sym
from softmaxlab.thermo import boltzmann, energy_variance, mean_energy

__all__ = ["check_energy_variance", "ENERGY_VARIANCE_RTOL"]

_SEED = 20260308
_SIZES = (2, 3, 4, 1)  # numbers of states tested (the single state last: its failures say least)
_NAMES = ("d log Z / d beta", "d^2 log Z / d beta^2")

#: Accuracy asked of part 2: ``|got - exact| <= ENERGY_VARIANCE_RTOL * exact + 1e-13 (1 + spread)^2``,
#: where ``spread = max E - min E``. Far above the rounding of a two-pass variance, far below the
#: cancellation of ``<E^2> - <E>^2`` at energies near 10^6 and the error of a finite difference.
ENERGY_VARIANCE_RTOL = 1e-7


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


def _check_derivatives(log_z_derivatives: Callable[[sp.Matrix, sp.Matrix], Any]) -> tuple[str, tuple]:
    """Part 1: SymPy equivalence of the two derivatives for 1 to 4 states."""
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
        f"Part 1: {how} the derivatives of log Z for n = {min(_SIZES)} to {max(_SIZES)} states, "
        "d log Z / d beta = -<E> and d^2 log Z / d beta^2 = Var(E).",
        (("your d log Z / d beta, n = 2", str(example[0])), ("your d^2 log Z / d beta^2, n = 2", str(example[1]))),
    )


# --------------------------------------------------------------------------------------
# Part 2: the variance, computed stably


def _variance_reference(E: np.ndarray, b: float) -> float:
    """Var(E) under p_i = exp(-b E_i) / Z, from the exact input floats, at 50 significant digits."""
    with mpmath.workdps(50):
        energies_mp = [mpmath.mpf(float(e)) for e in E]
        low = min(energies_mp)
        weights = [mpmath.exp(-mpmath.mpf(b) * (e - low)) for e in energies_mp]
        Z = mpmath.fsum(weights)
        mean = mpmath.fsum(w * e for w, e in zip(weights, energies_mp)) / Z
        return float(mpmath.fsum(w * (e - mean) ** 2 for w, e in zip(weights, energies_mp)) / Z)


def _variance_cases() -> list[tuple[np.ndarray, float, str]]:
    rng = np.random.default_rng(_SEED + 1)
    cases: list[tuple[np.ndarray, float, str]] = [
        (np.array([0.0, 1.0]), 1.0, "a two-level system"),
        (np.array([0.0, 1.0, 2.0, 5.0]), 0.5, "four levels"),
        (np.array([1000.0, 1001.0, 1002.0]), 1.0, "exp(-beta E) underflows to 0"),
        (np.array([-1000.0, -999.0, -990.0]), 1.0, "exp(-beta E) overflows"),
        (np.array([0.0, 1.0, 5.0]), 800.0, "a very cold system (beta = 800)"),
        (np.array([0.0, 1.0, 5.0]), 1e-6, "a very hot system (beta = 1e-6)"),
        (1e6 + np.array([0.0, 1.0, 2.0]), 1.0, "energies near 10^6: <E^2> - <E>^2 cancels"),
        (np.array([-3.0e5, -3.0e5 + 0.5, -3.0e5 + 2.0, -3.0e5 + 2.5]), 2.0, "energies near -3 x 10^5"),
        (np.full(4, 5.0), 1.0, "one energy level: no spread"),
        (np.array([2.0, 2.0, 7.0]), 0.3, "a degenerate level"),
        (np.array([3.5]), 1.0, "a single state"),
    ]
    for K in (2, 3, 6, 20):
        for scale, b in ((1.0, 1.0), (10.0, 0.2), (3.0, 4.0)):
            cases.append((np.round(rng.normal(0.0, scale, size=K), 3), b, f"random, K = {K}"))
    return cases


def _check_numeric_variance(energy_variance: Callable[[np.ndarray, float], Any]) -> tuple[str, tuple]:
    """Part 2: the reader's variance against the mpmath reference."""
    cases = _variance_cases()
    for E, b, kind in cases:
        on = f"E = {fmt(E, digits=None)}, beta = {fmt(b, digits=None)}"
        value = call_answer(energy_variance, E.copy(), b, on=on, what="your energy_variance")
        try:
            arr = np.asarray(value, dtype=np.float64)
        except (TypeError, ValueError):
            fail(f"On {on} your energy_variance returned {type(value).__name__}, which is not a real number.")
        if arr.size != 1:
            fail(f"On {on} your energy_variance returned an array of shape {arr.shape}; return one number.")
        got = float(arr.reshape(()))
        exact = _variance_reference(E, b)
        spread = float(E.max() - E.min())
        if np.isfinite(got) and abs(got - exact) <= ENERGY_VARIANCE_RTOL * exact + 1e-13 * (1.0 + spread) ** 2:
            continue
        if not np.isfinite(got):
            advice = (
                " exp(-beta E_i) over- or underflows here: compute the probabilities as "
                "softmax(-beta E), which subtracts the largest score first."
            )
        elif got < 0:
            advice = " A variance is never negative: yours lost everything to rounding."
        else:
            advice = (
                f" Your value is off by {fmt(abs(got - exact) / max(exact, 1e-300), 3)} relative to the "
                "exact one. If you used <E^2> - <E>^2, subtract the mean first: sum_i p_i (E_i - <E>)^2 "
                "does not cancel."
                if spread < 1e-3 * float(np.max(np.abs(E))) else
                f" Your value is off by {fmt(abs(got - exact) / max(exact, 1e-300), 3)} relative to the exact one."
            )
        fail(
            f"For E = {fmt(E, digits=None)}, beta = {fmt(b, digits=None)} ({kind}), the energy variance is "
            f"{fmt(exact, 10)}; your energy_variance gives {fmt(got, 10)}.{advice}",
            input=on,
            expected=fmt(exact, 10),
            got=fmt(got, 10),
        )
    return (
        f"Part 2: your energy_variance agrees with a 50-digit reference on all {len(cases)} systems "
        "(exp(-beta E) over- and underflowing, beta from 1e-6 to 800, energies near 10^6, degenerate levels).",
        (("Var(E) for E = [0, 1], beta = 1", fmt(_variance_reference(np.array([0.0, 1.0]), 1.0))),),
    )


_PARTS = ("part 1 (the derivatives)", "part 2 (the stable variance)")


@checker("The energy variance")
def check_energy_variance(
    log_z_derivatives: Callable[[sp.Matrix, sp.Matrix], Any],
    energy_variance: Callable[[np.ndarray, float], Any],
) -> CheckResult:
    """Check the derivatives of ``log Z`` (part 1) and a stable energy variance (part 2).

    Part 1. ``log_z_derivatives(p, E)`` gets two ``n x 1`` SymPy Matrices:
    ``p``, positive symbols ``p_1, ..., p_n`` standing for the Boltzmann
    probabilities ``p_i = exp(-beta E_i) / Z``, and ``E``, real symbols
    ``E_1, ..., E_n`` (the energies). It must return the pair
    ``(d log Z / d beta, d^2 log Z / d beta^2)`` as expressions in the
    ``p_i`` and ``E_i`` only (no ``beta``, no ``Z``), i.e. ``-<E>`` and
    ``Var(E)``. Every ``n`` from 1 to 4 is tested; an answer is right when,
    after substituting ``p_i = exp(-beta E_i) / Z``, SymPy proves it equal to
    the derivative of ``log Z = log sum_i exp(-beta E_i)`` (so equivalent
    forms such as ``sum_i p_i (E_i - <E>)^2`` pass). A wrong one is shown
    with a numerical counterexample.

    Part 2. ``energy_variance(E, beta)`` gets a 1-D float array of energies
    and an inverse temperature ``beta > 0`` and must return the variance of
    the energy under ``p = softmax(-beta E)`` as a number. It is compared
    with mpmath at 50 digits on 23 systems, including energies where
    ``exp(-beta E)`` over- or underflows, ``beta`` from 1e-6 to 800, a single
    state, degenerate levels, and energies near ``10^6`` where
    ``<E^2> - <E>^2`` cancels catastrophically; it must be within
    ``ENERGY_VARIANCE_RTOL * exact + 1e-13 (1 + max E - min E)^2``.

    Each part is checked as soon as it is filled in; the result is "not
    attempted" until both are.

    Parameters
    ----------
    log_z_derivatives : callable
        ``log_z_derivatives(p, E) -> (first, second)``, SymPy expressions.
    energy_variance : callable
        ``energy_variance(E, beta) -> float``.

    Returns
    -------
    CheckResult

    Examples
    --------
    >>> import numpy as np
    >>> from softmaxlab import softmax
    >>> from softmaxlab.exercises import check_energy_variance
    >>> def log_z_derivatives(p, E):
    ...     mean = p.dot(E)
    ...     return -mean, p.dot(E.applyfunc(lambda e: e**2)) - mean**2
    >>> def energy_variance(E, beta):
    ...     p = softmax(-beta * E)
    ...     return np.sum(p * (E - np.sum(p * E)) ** 2)
    >>> check_energy_variance(log_z_derivatives, energy_variance).passed
    True
    >>> check_energy_variance(lambda p, E: (p.dot(E), 0), energy_variance).passed   # wrong sign, no variance
    False
    >>> check_energy_variance(log_z_derivatives, None).status   # part 2 still to do
    'not attempted'
    """
    passed: list[tuple[str, tuple]] = []
    pending: list[tuple[str, str]] = []
    for part, run, answer in zip(_PARTS, (_check_derivatives, _check_numeric_variance), (log_z_derivatives, energy_variance)):
        try:
            passed.append(run(answer))
        except NotAttempted as exc:
            pending.append((part, str(exc)))
    if pending and not passed:
        raise NotAttempted(pending[0][1])
    if pending:
        part, message = pending[0]
        raise NotAttempted(f"{passed[0][0]} Still to do, {part}: {message[0].lower()}{message[1:]}")
    return " ".join(message for message, _ in passed), tuple(row for _, rows in passed for row in rows)
