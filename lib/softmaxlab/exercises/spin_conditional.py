"""Checker for the exercise on the conditional distribution of one spin of the Ising ring.

The periodic Ising ring has the energy ``E(s) = -J sum_i s_i s_{i+1} - h sum_i s_i``
and the Boltzmann (Gibbs) distribution ``P(s) = exp(-beta E(s)) / Z``. Given all
the other spins, spin ``i`` takes the value ``+1`` with a probability that
depends on its two neighbours only, and it is a two-class softmax: a sigmoid of
the log-odds ``2 beta (J (s_left + s_right) + h)``.

Part 1: the reader writes the log-odds ``log P(s_i = +1 | rest) / P(s_i = -1 | rest)``
as a SymPy expression in ``beta``, ``J``, ``h``, ``s_left`` and ``s_right``. For
every pair of neighbour values and rings of 2 to 6 spins whose other spins are
fixed, the checker computes the exact log-odds from the ring's joint
distribution, ``-beta (E(s with s_i = +1) - E(s with s_i = -1))``, and asks
SymPy to prove the answer equal to it (the neighbours substituted); only a
proof passes.

Part 2: the reader computes ``P(s_i = +1 | rest)`` numerically for a ring of
spins, and the checker compares it with the ratio of the two Boltzmann weights
of the whole ring computed by mpmath at 50 digits, relative to the reference,
on rings where ``exp(beta J n)`` overflows, where the probability is as small
as 1e-161 (``1 - P(s_i = -1 | rest)`` is 0 there), at the first and last site
(the ring wraps around) and for a ring of two spins (both neighbours are the
other spin).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import mpmath
import numpy as np
import sympy as sp

from softmaxlab.exercises._result import (
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

__all__ = ["check_spin_conditional", "SPIN_CONDITIONAL_RTOL"]

_SEED = 20261205
_DIGITS = 30

#: Accuracy asked of part 2, relative to the reference probability:
#: ``|got - exact| <= SPIN_CONDITIONAL_RTOL * exact``. A sigmoid of the log-odds in double
#: precision is good to about ``|log-odds| * 1e-16`` (the rounding of the argument of ``exp``),
#: at most 1e-13 on the test rings; ``1 - P(s_i = -1 | rest)`` where the probability is tiny,
#: float32 and a log-odds clipped to +-30 are far outside.
SPIN_CONDITIONAL_RTOL = 1e-10

beta = sp.Symbol("beta", positive=True)
J, h = sp.symbols("J h", real=True)
s_left, s_right = sp.symbols("s_left s_right", real=True)
_SYMBOLS = (beta, J, h, s_left, s_right)


def ring_energy_sym(spins: list[int], coupling: sp.Expr = J, field: sp.Expr = h) -> sp.Expr:
    """``E(s) = -J sum_i s_i s_{i+1} - h sum_i s_i`` of a periodic ring, exactly."""
    n = len(spins)
    bonds = sum(sp.Integer(spins[i] * spins[(i + 1) % n]) for i in range(n))
    return -coupling * bonds - field * sum(sp.Integer(s) for s in spins)


def _with(spins: list[int], site: int, value: int) -> list[int]:
    out = list(spins)
    out[site] = value
    return out


def _exact_log_odds(spins: list[int], site: int) -> sp.Expr:
    """``log P(+1 | rest) - log P(-1 | rest)`` from the joint: the two Boltzmann weights' log-ratio."""
    return sp.expand(-beta * (ring_energy_sym(_with(spins, site, 1)) - ring_energy_sym(_with(spins, site, -1))))


def _symbolic_rings() -> list[tuple[list[int], int]]:
    """(ring, site) for every neighbour pair: rings of 3 to 6 spins, and of 2 (both neighbours the other spin)."""
    rng = np.random.default_rng(_SEED)
    rings = []
    for n, site in ((3, 1), (4, 0), (5, 4), (6, 2)):
        for left, right in itertools.product((1, -1), repeat=2):
            spins = [int(v) for v in rng.choice([-1, 1], size=n)]
            spins[(site - 1) % n], spins[(site + 1) % n] = left, right
            rings.append((spins, site))
    rings += [([1, 1], 0), ([-1, 1], 1), ([1, -1], 1), ([-1, -1], 0)]
    return rings


def _counterexample(expr: sp.Expr, reference: sp.Expr, rng: np.random.Generator) -> tuple[dict, float, float] | None:
    """(beta, J, h) where the two differ at 30 digits, with both values, or None after 6 tries."""
    for _ in range(6):
        values = {
            beta: sp.Rational(repr(float(np.round(rng.uniform(0.2, 2.0), 2)))),
            J: sp.Rational(repr(float(np.round(rng.normal(0.0, 1.5), 2)))),
            h: sp.Rational(repr(float(np.round(rng.normal(0.0, 1.0), 2)))),
        }
        want = float(sp.N(reference.xreplace(values), _DIGITS))
        try:
            got = complex(sp.N(expr.xreplace(values), _DIGITS))
        except Exception:  # no number: a counterexample all the same
            return values, float("nan"), want
        if got.imag != 0 or not np.isfinite(got.real) or abs(got.real - want) > 1e-15 * (1 + abs(want)):
            return values, got.real if got.imag == 0 else float("nan"), want
    return None


def _advice(expr: sp.Expr, reference: sp.Expr) -> str:
    if proves_equal(expr, -reference):
        return " It has the wrong sign: the log-odds of s_i = +1 grow with the field h and with aligned neighbours."
    if proves_equal(expr, reference / 2):
        return (
            " That is half the log-odds: beta (J (s_left + s_right) + h) is the logit of s_i = +1 in the two-class "
            "softmax, and the logit of s_i = -1 is its negative; the log-odds are their difference."
        )
    if proves_equal(expr, 1 / (1 + sp.exp(-reference))):
        return " That is the probability P(s_i = +1 | rest) itself; return its log-odds, the argument of the sigmoid."
    return ""


def _check_log_odds(log_odds: Callable[..., Any]) -> tuple[str, tuple]:
    """Part 1: SymPy proves the answer equal to the log-odds of the joint, for each neighbour pair."""
    on = "beta, J, h, s_left, s_right (SymPy symbols)"
    value = call_answer(log_odds, *_SYMBOLS, on=on, what="your log_odds")
    (expr,) = adopt_symbols(as_expressions(value, 1, on=on, what="your log_odds"), _SYMBOLS, on=on,
                            what="your log_odds")
    undefined = undefined_value(expr)
    if undefined is not None:
        fail(f"For {on} your log_odds = {expr} is undefined (it contains {undefined}): the log-odds are finite.",
             input=on, got=str(expr))
    rng = np.random.default_rng(_SEED + 1)
    rings = _symbolic_rings()
    for spins, site in rings:
        n = len(spins)
        left, right = spins[(site - 1) % n], spins[(site + 1) % n]
        reference = _exact_log_odds(spins, site)
        answer = expr.xreplace({s_left: sp.Integer(left), s_right: sp.Integer(right)})
        if proves_equal(answer, reference):
            continue
        where = f"s = {fmt(spins, digits=None)}, site {site} (s_left = {left}, s_right = {right})"
        found = _counterexample(answer, reference, rng)
        if found is None:
            fail(
                f"For {where} SymPy could not prove your log_odds = {expr} equal to the log-odds of the ring's "
                "joint distribution, and at 6 random (beta, J, h) it agrees with them to 15 digits, which is no "
                "proof. Simplify it (write it without exp and log) and run the check again.",
                input=where, got=str(expr),
            )
        values, got, want = found
        got_text, want_text = distinguishing_digits(got, want)
        at = ", ".join(f"{symbol} = {values[symbol]}" for symbol in (beta, J, h))
        fail(
            f"For {where}, your log_odds = {expr} is not log P(s_i = +1 | rest) / P(s_i = -1 | rest), which is "
            f"{reference} here.{_advice(answer, reference)} At {at} yours gives {got_text}; the log-odds are "
            f"{want_text}.",
            input=where, expected=str(reference), got=str(answer),
        )
    return (
        f"Part 1: SymPy proves your log-odds equal to those of the ring's joint distribution for every pair of "
        f"neighbours, on {len(rings)} rings of 2 to 6 spins: P(s_i = +1 | rest) = sigmoid({expr}).",
        (("your log-odds", str(expr)),),
    )


# --------------------------------------------------------------------------------------
# Part 2: the probability, numerically


def _probability_reference(spins: np.ndarray, site: int, b: float, coupling: float, field: float) -> float:
    """P(s_site = +1 | rest) as the ratio of the two Boltzmann weights of the whole ring, at 50 digits."""
    with mpmath.workdps(50):
        def weight(value: int) -> mpmath.mpf:
            s = [int(v) for v in spins]
            s[site] = value
            n = len(s)
            energy = -mpmath.mpf(coupling) * sum(s[i] * s[(i + 1) % n] for i in range(n)) - mpmath.mpf(field) * sum(s)
            return mpmath.exp(-mpmath.mpf(b) * energy)

        up, down = weight(1), weight(-1)
        return float(up / (up + down))


def _probability_cases() -> list[tuple[np.ndarray, int, float, float, float, str]]:
    rng = np.random.default_rng(_SEED + 2)
    cases = [
        (np.array([1, 1, 1, 1, 1]), 2, 1.0, 1.0, 0.0, "aligned neighbours"),
        (np.array([1, -1, 1, 1, -1]), 0, 0.5, 1.0, 0.3, "the first site: its left neighbour is the last spin"),
        (np.array([-1, 1, -1, 1, 1, -1]), 5, 0.8, 1.0, -0.2, "the last site: its right neighbour is the first spin"),
        (np.array([1, -1, 1, 1]), 2, 1.3, -1.0, 0.0, "an antiferromagnet (J < 0)"),
        (np.array([1, -1]), 0, 0.7, 1.0, 0.4, "a ring of two: both neighbours are the other spin"),
        (np.array([-1, -1]), 1, 1.1, 0.5, 0.0, "a ring of two"),
        (np.array([1, -1, 1]), 1, 2.0, 1.0, 0.0, "the spin's own value differs from its likely one"),
        (np.array([1, 1, -1, 1]), 0, 0.9, 0.0, 0.6, "no coupling: only the field"),
        (np.array([1] * 8), 3, 300.0, 1.0, 0.5, "a cold ring: exp(beta J n) and exp(beta (2 J + h)) overflow"),
        (np.array([-1] * 6), 2, 50.0, 2.0, 0.3, "a cold ring aligned down: P(+1) is about 2e-161"),
        (np.array([-1, 1, -1, -1, 1]), 3, 20.0, 1.0, -0.5, "P(+1) about 1e-9: 1 - P(-1) loses digits"),
        (np.array([1, 1, 1]), 0, 1e-6, 1.0, 1.0, "a hot ring: P(+1) close to 1/2"),
    ]
    for n in (3, 5, 7, 10):
        spins = rng.choice([-1, 1], size=n)
        site = int(rng.integers(n))
        draws = (rng.uniform(0.1, 3.0), rng.normal(0.0, 1.0), rng.normal())
        b, coupling, field = (float(np.round(v, 3)) for v in draws)
        cases.append((spins, site, b, coupling, field, f"random, n = {n}"))
    return cases


def _check_probability(p_up: Callable[..., Any]) -> tuple[str, tuple]:
    """Part 2: the reader's probability against the 50-digit ratio of Boltzmann weights, relative tolerance."""
    cases = _probability_cases()
    for spins, site, b, coupling, field, kind in cases:
        on = (f"s = {fmt(spins, digits=None)}, site = {site}, beta = {fmt(b, digits=None)}, "
              f"J = {fmt(coupling, digits=None)}, h = {fmt(field, digits=None)}")
        exact = _probability_reference(spins, site, b, coupling, field)
        value = call_answer(p_up, spins.copy(), site, b, coupling, field, on=on, what="your p_up")
        got = as_number(value, on=on, what="your p_up")
        if abs(got - exact) <= SPIN_CONDITIONAL_RTOL * exact:  # False for nan
            continue
        got_text, exact_text = distinguishing_digits(got, exact)
        if not np.isfinite(got):
            advice = (" exp overflows here: compute the probability as a sigmoid of the log-odds (or a softmax of "
                      "the two logits), which never divides inf by inf.")
        elif got < 0 or got > 1:
            advice = " A probability lies between 0 and 1."
        elif abs(got - (1 - exact)) <= 1e-9:
            advice = (" That is P(s_i = -1 | rest), one minus the probability asked for; the spin's own value in "
                      "`spins` plays no part.")
        elif exact < 1e-6 and abs(got - exact) > 0.5 * exact:
            advice = (" The probability is tiny here: 1 - P(s_i = -1 | rest) cancels to nothing; compute "
                      "P(s_i = +1 | rest) directly, as the sigmoid of its log-odds.")
        else:
            advice = f" Yours is off by {fmt(abs(got - exact) / exact, 3)} relative to the exact value."
        fail(
            f"For {on} ({kind}), P(s_i = +1 | rest) is {exact_text}; your p_up gives {got_text}.{advice} "
            f"Accepted: {tolerance_text(SPIN_CONDITIONAL_RTOL)}.",
            input=on, expected=exact_text, got=got_text, tolerance=tolerance_text(SPIN_CONDITIONAL_RTOL),
        )
    return (
        f"Part 2: your p_up agrees with the ratio of the ring's Boltzmann weights at 50 digits on all {len(cases)} "
        "rings (both ends of the ring, rings of two spins, exp(beta J n) overflowing, probabilities down to "
        f"1e-161), to a relative {fmt(SPIN_CONDITIONAL_RTOL)}.",
        (("P(+1 | rest) for s = [1, 1, 1, 1, 1], beta = J = 1", fmt(_probability_reference(*cases[0][:5]))),),
    )


@checker("The conditional of one spin")
def check_spin_conditional(log_odds: Callable[..., Any], p_up: Callable[..., Any]) -> tuple[str, tuple]:
    """Check the log-odds of one Ising spin given the rest (part 1) and its probability (part 2).

    Part 1. ``log_odds(beta, J, h, s_left, s_right)`` gets SymPy symbols
    (``beta`` positive, the others real) and must return
    ``log P(s_i = +1 | rest) / P(s_i = -1 | rest)`` for the periodic ring with
    energy ``E(s) = -J sum_i s_i s_{i+1} - h sum_i s_i`` and ``P(s) ~ exp(-beta E(s))``,
    as an expression in those symbols (the reader's own symbols of the same
    names are accepted). For each pair of neighbour values the checker
    substitutes them and asks SymPy to prove the result equal to the log-odds
    computed from the joint distribution of whole rings (the other spins fixed),
    on 20 rings of 2 to 6 spins. Only a proof passes: a wrong answer is shown
    with a numerical counterexample, one SymPy cannot prove fails with the
    advice to simplify it.

    Part 2. ``p_up(spins, site, beta, J, h)`` gets a 1-D int array of ``+1``
    and ``-1`` (a ring of ``n >= 2`` spins), a site ``0 <= site < n`` and three
    floats, and must return ``P(s_site = +1 | the other spins)`` as a number.
    It is compared with the ratio of the ring's two Boltzmann weights computed
    by mpmath at 50 digits, on 16 rings, including the first and last site,
    rings of two spins, a cold ring where ``exp(beta J n)`` overflows and
    probabilities down to 1e-161. The tolerance is relative to the reference:
    ``|yours - exact| <= SPIN_CONDITIONAL_RTOL * exact`` with
    ``SPIN_CONDITIONAL_RTOL = 1e-10``.

    Each part is checked as soon as it is filled in; the result is "not
    attempted" until both are.

    Parameters
    ----------
    log_odds : callable
        ``log_odds(beta, J, h, s_left, s_right) -> SymPy expression``.
    p_up : callable
        ``p_up(spins, site, beta, J, h) -> float``.

    Returns
    -------
    CheckResult

    Examples
    --------
    >>> import numpy as np
    >>> from softmaxlab.exercises import check_spin_conditional
    >>> def log_odds(beta, J, h, s_left, s_right):
    ...     return 2 * beta * (J * (s_left + s_right) + h)
    >>> def p_up(spins, site, beta, J, h):
    ...     n = len(spins)
    ...     a = 2 * beta * (J * (spins[site - 1] + spins[(site + 1) % n]) + h)
    ...     return 1 / (1 + np.exp(-a))
    >>> check_spin_conditional(log_odds, p_up).passed
    True
    >>> check_spin_conditional(lambda beta, J, h, l, r: beta * (J * (l + r) + h), p_up).passed   # half of it
    False
    >>> check_spin_conditional(log_odds, None).status   # part 2 still to do
    'not attempted'
    """
    return check_parts(
        ("part 1 (the log-odds)", _check_log_odds, log_odds),
        ("part 2 (the probability)", _check_probability, p_up),
    )

