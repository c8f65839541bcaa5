"""Checker for the exercise on the derivatives of the log-partition function.

Part 1: the reader writes ``d log Z / d beta`` and ``d^2 log Z / d beta^2`` as
SymPy expressions in the Boltzmann probabilities ``p_i`` and the energies
``E_i``; the checker substitutes ``p_i = exp(-beta E_i) / Z`` and asks SymPy
(:func:`~softmaxlab.exercises.proves_equal`) to prove the result equal to the
derivative of ``log Z = log sum_i exp(-beta E_i)``
(:func:`softmaxlab.symbolic.log_partition_sym`). Only a proof passes: a wrong
answer is shown with a numerical counterexample (both sides evaluated at 30
digits), and an answer SymPy cannot prove, but for which no counterexample
turns up, fails with the advice to simplify it.

Part 2: the reader computes the energy variance numerically, and the checker
compares it with mpmath at 50 significant digits on energies where ``Z``
over- or underflows and where ``<E^2> - <E>^2`` cancels catastrophically, also
after shifting the energies by the first one (rather than by the minimum or
the mean). The tolerance is relative to the reference variance.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import mpmath
import numpy as np
import sympy as sp

from softmaxlab.exercises._result import (
    CheckFailed,
    CheckResult,
    adopt_symbols,
    as_expressions,
    as_number,
    call_answer,
    check_parts,
    checker,
    distinguishing_digits,
    fail,
    fmt,
    proves_equal,
    tolerance_text,
    undefined_value,
)
from softmaxlab.symbolic.thermo import beta, energies, log_partition_sym

__all__ = ["check_energy_variance", "ENERGY_VARIANCE_RTOL"]

_SEED = 20260308
_SIZES = (2, 3, 4, 1)  # numbers of states tested (the single state last: its failures say least)
_NAMES = ("d log Z / d beta", "d^2 log Z / d beta^2")
_POINTS = 6  # random (E, beta) tried for a counterexample when SymPy does not prove an answer
_DIGITS = 30  # working precision of those evaluations

#: Accuracy asked of part 2, relative to the reference variance:
#: ``|got - exact| <= ENERGY_VARIANCE_RTOL * exact + (1e-12 (1 + |<E>|))^2``. The second term
#: only matters where the variance is 0 (or underflows): it is the square of the rounding of
#: the mean energy, which a two-pass variance adds. A two-pass variance is good to about 1e-14,
#: one from log-probabilities (``-beta E - logsumexp(-beta E)``, which rounds each logit to
#: ``eps |beta E|``) to about 1.5e-9 on the test systems; the cancellation of ``<E^2> - <E>^2``
#: at energies near 10^6 (1e-4, also after shifting every energy by the first one), a finite
#: difference of log Z and a result rounded to float32 (up to 6e-8) are all far outside.
ENERGY_VARIANCE_RTOL = 1e-8


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


def _read_pair(value: Any, p: list[sp.Symbol], E: list[sp.Symbol], on: str) -> list[sp.Expr]:
    """The reader's pair as two SymPy expressions in the checker's ``p_i`` and ``E_i``, or a failed check."""
    try:
        answer = as_expressions(value, 2, on=on, what="your log_z_derivatives")
    except CheckFailed as exc:
        raise CheckFailed(
            exc.message + " Return the pair (d log Z / d beta, d^2 log Z / d beta^2) of SymPy expressions.",
            exc.details,
        ) from None
    allowed = {s.name for s in (*p, *E)}
    for name, expr in zip(_NAMES, answer):
        stray = sorted({str(s) for s in expr.free_symbols if getattr(s, "name", None) not in allowed})
        if stray:
            fail(
                f"For {on} your {name} uses the symbols {', '.join(stray)}; write it in terms of the "
                f"probabilities p_1..p_{len(p)} and the energies E_1..E_{len(E)} only "
                "(beta and Z enter through the p_i).",
                input=on,
                got=str(expr),
            )
    return adopt_symbols(answer, [*p, *E], on=on, what="your log_z_derivatives")


def _random_point(rng: np.random.Generator, n: int) -> tuple[list[float], float]:
    Ev = [float(x) for x in np.round(rng.normal(0.0, 1.5, size=n), 2)]
    return Ev, float(np.round(rng.uniform(0.3, 2.0), 2))


def _evaluate(expr: sp.Expr, values: dict) -> complex | None:
    """``expr`` at exact values, to ``_DIGITS`` digits; None if SymPy cannot give a number."""
    try:
        number = sp.N(expr.xreplace(values), _DIGITS)
        return complex(number)
    except Exception:  # a strange expression: no number to show
        return None


def _counterexample(
    expr: sp.Expr, ref: sp.Expr, p: list[sp.Symbol], E: list[sp.Symbol], w: list[sp.Symbol], rng: np.random.Generator
) -> tuple[list[float], float, list[float], complex | None, float] | None:
    """A point (E, beta) where the answer and the derivative differ, evaluated at 30 digits, or None."""
    n = len(p)
    for _ in range(_POINTS):
        Ev, b = _random_point(rng, n)
        exact_E = [sp.Rational(repr(x)) for x in Ev]
        with mpmath.workdps(_DIGITS + 10):
            weights = [mpmath.exp(-mpmath.mpf(repr(b)) * mpmath.mpf(repr(x))) for x in Ev]
            Z = mpmath.fsum(weights)
            probabilities = [sp.Float(wi / Z, _DIGITS + 5) for wi in weights]
            weight_values = [sp.Float(wi, _DIGITS + 5) for wi in weights]
        want = _evaluate(ref, {**dict(zip(w, weight_values)), **dict(zip(E, exact_E))})
        got = _evaluate(expr, {**dict(zip(p, probabilities)), **dict(zip(E, exact_E))})
        assert want is not None and abs(want.imag) < 1e-20, "the reference has a value"
        pv = [float(x) for x in probabilities]
        if got is None or not np.isfinite(got.real) or not np.isfinite(got.imag) or got.imag != 0:
            return Ev, b, pv, got, want.real
        if abs(got.real - want.real) > 1e-15 * (1.0 + abs(want.real)):
            return Ev, b, pv, got, want.real
    return None


def _advice(order: int, substituted: sp.Expr, ref: sp.Expr, w: list[sp.Symbol], E: list[sp.Symbol]) -> str:
    if proves_equal(substituted, -ref):
        if order == 1:
            return (
                " It has the wrong sign: the derivative of exp(-beta E_i) with respect to beta is "
                "-E_i exp(-beta E_i)."
            )
        return " It has the wrong sign: a variance is never negative."
    if order == 2:
        second_moment = sum(wi * e**2 for wi, e in zip(w, E)) / sum(w)
        if proves_equal(substituted, second_moment):
            return " That is <E^2>, the second moment; differentiating the denominator Z contributes the -<E>^2."
    return ""


def _check_derivatives(log_z_derivatives: Callable[[sp.Matrix, sp.Matrix], Any]) -> tuple[str, tuple]:
    """Part 1: SymPy proves the two derivatives for 1 to 4 states; nothing else passes."""
    rng = np.random.default_rng(_SEED)
    shown: list[sp.Expr] = []
    for n in _SIZES:
        p = _p_symbols(n)
        E, w, reference = _reference(n)
        on = f"n = {n} state{'s' if n > 1 else ''}"
        value = call_answer(log_z_derivatives, sp.Matrix(p), sp.Matrix(E), on=on, what="your log_z_derivatives")
        answer = _read_pair(value, p, E, on)
        if n == 2:
            shown = answer
        as_w = {p[i]: w[i] / sum(w) for i in range(n)}
        for order, (name, expr, ref) in enumerate(zip(_NAMES, answer, reference), start=1):
            undefined = undefined_value(expr)
            if undefined is not None:
                fail(
                    f"For {on} your {name} = {expr} is undefined (it contains {undefined}): the "
                    "derivatives of log Z are finite numbers for every beta and every set of energies.",
                    input=on,
                    got=str(expr),
                )
            substituted = expr.xreplace(as_w)
            if proves_equal(substituted, ref):
                continue
            advice = _advice(order, substituted, ref, w, E)
            found = _counterexample(expr, ref, p, E, w, rng)
            if found is None:
                fail(
                    f"For {on} SymPy could not prove your {name} = {expr} equal to the derivative of "
                    f"log Z = log sum_i exp(-beta E_i), and at {_POINTS} random points it agrees with it "
                    "to 15 digits, which is no proof. Simplify it (sp.simplify, or write it with sums "
                    "of p_i E_i and p_i E_i^2 and use sum_i p_i = 1) and run the check again.",
                    input=on,
                    got=str(expr),
                )
            Ev, b, pv, got, want = found
            if got is None:
                value_text = "no number"
            elif got.imag != 0:
                value_text = f"the complex number {fmt(got.real)} + {fmt(got.imag)}i"
            else:
                value_text = distinguishing_digits(got.real, want)[0]
            want_text = distinguishing_digits(got.real, want)[1] if got is not None else fmt(want)
            where = f"E = {fmt(Ev, digits=None)}, beta = {fmt(b, digits=None)}"
            fail(
                f"For {on}, your {name} = {expr} is not the derivative of log Z = "
                f"log sum_i exp(-beta E_i).{advice} At {where} (p = {fmt(pv)}) it gives {value_text}; "
                f"the derivative is {want_text}.",
                input=f"{on}, {where}",
                expected=want_text,
                got=str(expr),
            )
    return (
        f"Part 1: SymPy proves your derivatives equal to the derivatives of log Z for n = {min(_SIZES)} "
        f"to {max(_SIZES)} states, d log Z / d beta = -<E> and d^2 log Z / d beta^2 = Var(E).",
        (("your d log Z / d beta, n = 2", str(shown[0])), ("your d^2 log Z / d beta^2, n = 2", str(shown[1]))),
    )


# --------------------------------------------------------------------------------------
# Part 2: the variance, computed stably


def _moments_reference(E: np.ndarray, b: float) -> tuple[float, float]:
    """(<E>, Var(E)) under p_i = exp(-b E_i) / Z, from the exact input floats, at 50 significant digits."""
    with mpmath.workdps(50):
        energies_mp = [mpmath.mpf(float(e)) for e in E]
        low = min(energies_mp)
        weights = [mpmath.exp(-mpmath.mpf(b) * (e - low)) for e in energies_mp]
        Z = mpmath.fsum(weights)
        mean = mpmath.fsum(w * e for w, e in zip(weights, energies_mp)) / Z
        variance = mpmath.fsum(w * (e - mean) ** 2 for w, e in zip(weights, energies_mp)) / Z
        return float(mean), float(variance)


def _variance_reference(E: np.ndarray, b: float) -> float:
    """Var(E) under p_i = exp(-b E_i) / Z, from the exact input floats, at 50 significant digits."""
    return _moments_reference(E, b)[1]


def _variance_atol(mean: float) -> float:
    """The absolute part of the tolerance: the square of the rounding of the mean energy."""
    return (1e-12 * (1.0 + abs(mean))) ** 2


#: What the description of a case says when the first energy is far above the populated ones.
_FIRST_FAR = "the first energy far above the populated levels"


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
        (np.array([1e6, 0.0, 1.0]), 1.0, f"{_FIRST_FAR}: shifting by E_1 does not help"),
        (np.array([3e5, 10.0, 10.5, 12.0]), 2.0, _FIRST_FAR),
        (np.array([5e7, 0.0, 1.0, 3.0]), 1e-3, f"{_FIRST_FAR}, a hot system"),
        (np.array([0.0, 0.5, 2.0, 8e5]), 1.0, "the last energy far above the others"),
        (np.full(4, 5.0), 1.0, "one energy level: no spread"),
        (np.array([2.0, 2.0, 7.0]), 0.3, "a degenerate level"),
        (np.array([3.5]), 1.0, "a single state"),
    ]
    for K in (2, 3, 6, 20):
        for scale, b in ((1.0, 1.0), (10.0, 0.2), (3.0, 4.0)):
            cases.append((np.round(rng.normal(0.0, scale, size=K), 3), b, f"random, K = {K}"))
    return cases


def _check_numeric_variance(energy_variance: Callable[[np.ndarray, float], Any]) -> tuple[str, tuple]:
    """Part 2: the reader's variance against the mpmath reference, within a tolerance relative to it."""
    cases = _variance_cases()
    for E, b, kind in cases:
        on = f"E = {fmt(E, digits=None)}, beta = {fmt(b, digits=None)}"
        mean, exact = _moments_reference(E, b)  # before the call: nothing the answer does can change it
        value = call_answer(energy_variance, E.copy(), b, on=on, what="your energy_variance")
        got = as_number(value, on=on, what="your energy_variance")
        atol = _variance_atol(mean)
        if abs(got - exact) <= ENERGY_VARIANCE_RTOL * exact + atol:  # False for nan
            continue
        got_text, exact_text = distinguishing_digits(got, exact)
        if not np.isfinite(got):
            advice = (
                " exp(-beta E_i) over- or underflows here: compute the probabilities as "
                "softmax(-beta E), which subtracts the largest score first."
            )
        elif got < 0:
            advice = " A variance is never negative: yours lost everything to rounding."
        else:
            off = ""
            if exact > 0:
                off = f" Your value is off by {fmt(abs(got - exact) / exact, 3)} relative to the exact one."
            scale = float(np.max(np.abs(E)))
            if scale > 1e3 * max(np.sqrt(exact), 1e-300) or scale > 1e4:
                advice = off + (
                    " If you used <E^2> - <E>^2 (also after shifting the energies by one of them), "
                    "subtract the mean first: sum_i p_i (E_i - <E>)^2 does not cancel."
                )
            else:
                advice = off
        fail(
            f"For {on} ({kind}), the energy variance is {exact_text}; your energy_variance gives "
            f"{got_text}.{advice} Accepted: {tolerance_text(ENERGY_VARIANCE_RTOL, atol)}.",
            input=on,
            expected=exact_text,
            got=got_text,
            tolerance=tolerance_text(ENERGY_VARIANCE_RTOL, atol),
        )
    return (
        f"Part 2: your energy_variance agrees with a 50-digit reference on all {len(cases)} systems "
        "(exp(-beta E) over- and underflowing, beta from 1e-6 to 800, energies near 10^6, an unpopulated "
        f"level far above the rest, degenerate levels), to a relative {fmt(ENERGY_VARIANCE_RTOL)}.",
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
    ``Var(E)``. Every ``n`` from 1 to 4 is tested; an answer is right only
    when, after substituting ``p_i = exp(-beta E_i) / Z``, SymPy proves it
    equal to the derivative of ``log Z = log sum_i exp(-beta E_i)`` (so
    equivalent forms such as ``sum_i p_i (E_i - <E>)^2`` pass, and the
    reader's own symbols are accepted by name whatever their assumptions).
    A wrong one is shown with a numerical counterexample; one SymPy cannot
    prove fails even if no counterexample turns up, with the advice to
    simplify it. nan, zoo and oo are never derivatives.

    Part 2. ``energy_variance(E, beta)`` gets a 1-D float array of energies
    and an inverse temperature ``beta > 0`` and must return the variance of
    the energy under ``p = softmax(-beta E)`` as a number. It is compared
    with mpmath at 50 digits on 27 systems, including energies where
    ``exp(-beta E)`` over- or underflows, ``beta`` from 1e-6 to 800, a single
    state, degenerate levels, energies near ``10^6`` where
    ``<E^2> - <E>^2`` cancels catastrophically, and a first (or last) energy
    far above the populated levels, where ``<E^2> - <E>^2`` of the energies
    shifted by that energy cancels just as badly. The tolerance is relative
    to the reference: ``|yours - exact| <= ENERGY_VARIANCE_RTOL * exact +
    (1e-12 (1 + |<E>|))^2`` with ``ENERGY_VARIANCE_RTOL = 1e-8``, the second
    term being the square of the rounding of the mean energy (it matters only
    where the variance is 0).

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
    return check_parts(
        (_PARTS[0], _check_derivatives, log_z_derivatives),
        (_PARTS[1], _check_numeric_variance, energy_variance),
    )
