"""Checker for the exercise on the downward bias of the importance-sampled ``log Z``.

Draw ``m`` classes ``s_1, ..., s_m`` independently from a proposal ``q`` and
estimate ``Z = sum_k exp(z_k)`` by ``Z_hat = (1/m) sum_j exp(z_{s_j}) / q_{s_j}``.
``E[Z_hat] = Z``, but ``E[log Z_hat] < log Z`` unless every weight equals ``Z``.

Part 1: the reader writes the leading term of the bias ``E[log Z_hat] - log Z``
for large ``m`` (the delta method) as a SymPy expression in ``p_k = softmax(z)_k``,
``q_k`` and ``m``. The checker substitutes ``p_k = a_k / sum a`` and
``q_k = b_k / sum b`` with positive symbols (so ``sum p = sum q = 1`` holds
identically) and asks SymPy to prove it equal to ``-chi2(p || q) / (2 m)``,
``chi2(p || q) = sum_k p_k^2 / q_k - 1``. Only a proof passes.

Part 2: the reader computes the exact bias for small ``m`` (a finite sum over
the possible draws), and the checker compares it with the same sum evaluated
by mpmath at 50 digits over the multinomial counts, relative to the reference
(plus a floor for the biases that are 0 up to rounding), on logits where
``exp`` overflows, proposals far from ``p``, ``m = 1`` (where the bias is
``-KL(q || p)``) and ``q = p`` rounded (where it is about 0).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from typing import Any

import mpmath
import numpy as np
import sympy as sp

from softmaxlab.exercises._result import (
    CheckFailed,
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

__all__ = ["LOG_PARTITION_BIAS_ATOL", "LOG_PARTITION_BIAS_RTOL", "check_log_partition_bias"]

_SEED = 20261206
_SIZES = (2, 3, 4, 1)  # numbers of classes tested symbolically (one class last: every answer is 0 there)
_DIGITS = 30

#: Accuracy asked of part 2: ``|got - exact| <= LOG_PARTITION_BIAS_RTOL * |exact| + LOG_PARTITION_BIAS_ATOL``.
#: A sum over the draws in double precision is good to about ``1e-16 (1 + |log Z|)`` per term;
#: the floor covers the cases where the bias is 0 up to rounding (``q`` equal to ``p`` rounded to
#: doubles) and the rounding of ``log Z`` near 800. The delta-method approximation ``-chi2 / (2 m)``
#: (off by 10% to 500% at these small ``m``), a Monte Carlo average of a million draws (off by 1e-4
#: or more) and float32 are far outside.
LOG_PARTITION_BIAS_RTOL = 1e-9
LOG_PARTITION_BIAS_ATOL = 1e-12

m = sp.Symbol("m", positive=True)


def _symbols(n: int) -> tuple[list[sp.Symbol], list[sp.Symbol]]:
    return list(sp.symbols(f"p_1:{n + 1}", positive=True)), list(sp.symbols(f"q_1:{n + 1}", positive=True))


def _reference(n: int) -> tuple[list[sp.Symbol], list[sp.Symbol], sp.Expr]:
    """``-chi2(p || q) / (2 m)`` in positive ``a_k``, ``b_k`` with ``p = a / sum a``, ``q = b / sum b``."""
    a = list(sp.symbols(f"a_1:{n + 1}", positive=True))
    b = list(sp.symbols(f"b_1:{n + 1}", positive=True))
    p = [ak / sum(a) for ak in a]
    q = [bk / sum(b) for bk in b]
    chi2 = sum(pk**2 / qk for pk, qk in zip(p, q)) - 1
    return a, b, -chi2 / (2 * m)


def _read(value: Any, p: list[sp.Symbol], q: list[sp.Symbol], on: str) -> sp.Expr:
    try:
        (expr,) = as_expressions(value, 1, on=on, what="your bias_leading_term")
    except CheckFailed as exc:
        raise CheckFailed(exc.message + " Return one SymPy expression in the p_k, q_k and m.", exc.details) from None
    (expr,) = adopt_symbols([expr], [*p, *q, m], on=on, what="your bias_leading_term")
    return expr


def _counterexample(expr: sp.Expr, ref: sp.Expr, p, q, a, b, rng) -> tuple[list, list, int, float, float] | None:
    """A point (p, q, m) where the two differ at 30 digits, or None after 6 tries."""
    n = len(p)
    for _ in range(6):
        av = [sp.Rational(int(x), 16) for x in rng.integers(1, 33, size=n)]
        bv = [sp.Rational(int(x), 16) for x in rng.integers(1, 33, size=n)]
        mv = sp.Integer(int(rng.integers(1, 50)))
        pv = [x / sum(av) for x in av]
        qv = [x / sum(bv) for x in bv]
        want = float(sp.N(ref.xreplace({**dict(zip(a, av)), **dict(zip(b, bv)), m: mv}), _DIGITS))
        try:
            got = complex(sp.N(expr.xreplace({**dict(zip(p, pv)), **dict(zip(q, qv)), m: mv}), _DIGITS))
        except Exception:  # no number at all: a counterexample all the same
            got = complex(float("nan"))
        if got.imag != 0 or not np.isfinite(got.real) or abs(got.real - want) > 1e-15 * (1 + abs(want)):
            got_real = got.real if got.imag == 0 else float("nan")
            return [float(x) for x in pv], [float(x) for x in qv], int(mv), got_real, want
    return None


def _advice(substituted: sp.Expr, ref: sp.Expr) -> str:
    if proves_equal(substituted, -ref):
        return " It has the wrong sign: log is concave, so by Jensen's inequality E[log Z_hat] <= log E[Z_hat] = log Z."
    if proves_equal(substituted, 2 * ref):
        return " It is twice the bias: the second-order term of log(Z + delta) is -delta^2 / (2 Z^2)."
    if proves_equal(substituted, 0):
        return " The estimate of Z is unbiased, its logarithm is not: expand log(Z + delta) to second order."
    return ""


def _check_leading_term(bias_leading_term: Callable[..., Any]) -> tuple[str, tuple]:
    """Part 1: SymPy proves the answer equal to -chi2(p || q) / (2 m) for 1 to 4 classes."""
    rng = np.random.default_rng(_SEED)
    shown = None
    for n in _SIZES:
        p, q = _symbols(n)
        a, b, ref = _reference(n)
        on = f"n = {n} class{'es' if n > 1 else ''}"
        value = call_answer(bias_leading_term, sp.Matrix(p), sp.Matrix(q), m, on=on, what="your bias_leading_term")
        expr = _read(value, p, q, on)
        if n == 2:
            shown = expr
        undefined = undefined_value(expr)
        if undefined is not None:
            fail(f"For {on} your bias_leading_term = {expr} is undefined (it contains {undefined}); the bias is "
                 "finite whenever every q_k > 0.", input=on, got=str(expr))
        substituted = expr.xreplace({**{pk: ak / sum(a) for pk, ak in zip(p, a)},
                                     **{qk: bk / sum(b) for qk, bk in zip(q, b)}})
        if proves_equal(substituted, ref):
            continue
        found = _counterexample(expr, ref, p, q, a, b, rng)
        if found is None:
            fail(
                f"For {on} SymPy could not prove your bias_leading_term = {expr} equal to the leading term of "
                "E[log Z_hat] - log Z, and at 6 random (p, q, m) it agrees with it to 15 digits, which is no "
                "proof. Simplify it (a sum over k of p_k and q_k, divided by m) and run the check again.",
                input=on, got=str(expr),
            )
        pv, qv, mv, got, want = found
        got_text, want_text = distinguishing_digits(got, want)
        where = f"p = {fmt(pv)}, q = {fmt(qv)}, m = {mv}"
        fail(
            f"For {on}, your bias_leading_term = {expr} is not the leading term of E[log Z_hat] - log Z for large "
            f"m.{_advice(substituted, ref)} At {where} it gives {got_text}; the leading term is {want_text}.",
            input=f"{on}, {where}", expected=want_text, got=str(expr),
        )
    return (
        f"Part 1: SymPy proves your leading term equal to -chi2(p || q) / (2 m) = -(sum_k p_k^2 / q_k - 1) / (2 m) "
        f"for {min(_SIZES)} to {max(_SIZES)} classes.",
        (("your leading term, n = 2", str(shown)),),
    )


# --------------------------------------------------------------------------------------
# Part 2: the exact bias for small m


def _compositions(m_draws: int, k: int):
    """Every count vector (c_1, ..., c_k) of nonnegative integers summing to m_draws."""
    for bars in itertools.combinations(range(m_draws + k - 1), k - 1):
        edges = (-1, *bars, m_draws + k - 1)
        yield tuple(edges[i + 1] - edges[i] - 1 for i in range(k))


def _bias_reference(z: np.ndarray, q: np.ndarray, m_draws: int) -> float:
    """E[log Z_hat] - log Z over the multinomial counts of m draws from q, at 50 digits, from the exact floats."""
    with mpmath.workdps(50):
        zs = [mpmath.mpf(float(v)) for v in z]
        qs = [mpmath.mpf(float(v)) for v in q]
        top = max(zs)
        shifted = [mpmath.exp(v - top) for v in zs]  # exp(z_k - max z): no overflow at any size
        Z = mpmath.fsum(shifted)
        total = mpmath.mpf(0)
        for counts in _compositions(m_draws, len(zs)):
            probability = mpmath.mpf(math.factorial(m_draws))
            for c, qk in zip(counts, qs):
                probability *= qk**c / math.factorial(c)
            estimate = mpmath.fsum(c * w / qk for c, w, qk in zip(counts, shifted, qs) if c) / m_draws
            total += probability * mpmath.log(estimate / Z)
        return float(total)


def _bias_cases() -> list[tuple[np.ndarray, np.ndarray, int, str]]:
    rng = np.random.default_rng(_SEED + 1)
    cases = [
        (np.array([0.0, 0.0]), np.array([0.5, 0.5]), 3, "q = p: every weight is Z, no bias"),
        (np.array([1.0, 0.0]), np.array([0.5, 0.5]), 1, "one draw: the bias is -KL(q || p)"),
        (np.array([2.0, 0.0, -1.0]), np.array([0.25, 0.25, 0.5]), 2, "a proposal that favours the unlikely class"),
        (np.array([2.0, 0.0, -1.0]), np.array([0.75, 0.125, 0.125]), 4, "a proposal close to p"),
        (np.array([800.0, 799.0, 795.0]), np.array([0.5, 0.25, 0.25]), 3, "exp(z) overflows"),
        (np.array([-800.0, -801.0]), np.array([0.375, 0.625]), 5, "exp(z) underflows"),
        (np.array([3.0, 0.0, 0.0, 0.0]), np.array([0.25, 0.25, 0.25, 0.25]), 6, "a uniform proposal, m = 6"),
        (np.array([5.0, 0.0, 0.0]), np.array([0.0625, 0.5, 0.4375]), 2, "the likely class rarely drawn"),
        (np.array([0.0]), np.array([1.0]), 3, "a single class"),
    ]
    p_exact = np.exp(np.array([1.5, 0.5, -0.5]) - np.log(np.sum(np.exp([1.5, 0.5, -0.5]))))
    cases.append((np.array([1.5, 0.5, -0.5]), p_exact / p_exact.sum(), 4, "q = softmax(z) rounded: bias about 0"))
    for k, m_draws in ((2, 6), (3, 3), (4, 2), (5, 3)):
        z = np.round(rng.normal(0.0, 1.5, size=k), 2)
        counts = rng.integers(1, 9, size=k)
        q = counts / 2.0 ** np.ceil(np.log2(counts.sum()))
        q[-1] = 1.0 - q[:-1].sum()  # dyadic, summing to 1 exactly
        cases.append((z, q, m_draws, f"random, K = {k}, m = {m_draws}"))
    return cases


def _check_exact_bias(exact_bias: Callable[..., Any]) -> tuple[str, tuple]:
    """Part 2: the reader's exact bias against the 50-digit multinomial sum, relative tolerance."""
    cases = _bias_cases()
    biases = []
    for z, q, m_draws, kind in cases:
        on = f"z = {fmt(z, digits=None)}, q = {fmt(q, digits=None)}, m = {m_draws}"
        exact = _bias_reference(z, q, m_draws)
        biases.append(exact)
        value = call_answer(exact_bias, z.copy(), q.copy(), m_draws, on=on, what="your exact_bias")
        got = as_number(value, on=on, what="your exact_bias")
        if abs(got - exact) <= LOG_PARTITION_BIAS_RTOL * abs(exact) + LOG_PARTITION_BIAS_ATOL:  # False for nan
            continue
        got_text, exact_text = distinguishing_digits(got, exact)
        if not np.isfinite(got):
            advice = " exp(z) over- or underflows here: work with log-weights and logsumexp, or with p_k / q_k."
        elif got > 0 and exact < 0 and abs(got + exact) <= 1e-6 * abs(exact):
            advice = " That is minus the bias: E[log Z_hat] - log Z is never positive."
        elif exact < -1e-9 and abs(got) <= 1e-9:
            advice = " The bias is not 0: E[Z_hat] = Z, but log is concave, so E[log Z_hat] < log Z."
        else:
            advice = (f" Yours is off by {fmt(abs(got - exact) / max(abs(exact), 1e-300), 3)} relative to the exact "
                      "value. Sum over every possible sequence of m draws (or every count vector, weighted by its "
                      "multinomial probability) rather than approximating or sampling.")
        tolerance = tolerance_text(LOG_PARTITION_BIAS_RTOL, LOG_PARTITION_BIAS_ATOL)
        fail(
            f"For {on} ({kind}), E[log Z_hat] - log Z is {exact_text}; your exact_bias gives {got_text}.{advice} "
            f"Accepted: {tolerance}.",
            input=on, expected=exact_text, got=got_text, tolerance=tolerance,
        )
    worst = min(biases)
    return (
        f"Part 2: your exact_bias agrees with a 50-digit sum over the multinomial counts on all {len(cases)} "
        f"cases (m from 1 to 6, exp(z) over- and underflowing, q = p), to a relative {fmt(LOG_PARTITION_BIAS_RTOL)}; "
        f"every bias is <= 0, down to {fmt(worst)}.",
        (("E[log Z_hat] - log Z for z = [1, 0], q = [0.5, 0.5], m = 1", fmt(biases[1])),),
    )


@checker("The bias of the importance-sampled log Z")
def check_log_partition_bias(
    bias_leading_term: Callable[..., Any], exact_bias: Callable[..., Any]
) -> tuple[str, tuple]:
    """Check the delta-method bias of ``log Z_hat`` (part 1) and the exact bias for small ``m`` (part 2).

    ``Z_hat = (1/m) sum_{j=1}^m exp(z_{s_j}) / q_{s_j}`` with ``s_1, ..., s_m``
    drawn independently from the proposal ``q``; ``p = softmax(z)``.

    Part 1. ``bias_leading_term(p, q, m)`` gets two ``n x 1`` SymPy Matrices of
    positive symbols ``p_1, ..., p_n`` and ``q_1, ..., q_n`` and a positive
    symbol ``m``, and must return the leading term of ``E[log Z_hat] - log Z``
    for large ``m``, ``-chi2(p || q) / (2 m)`` with
    ``chi2(p || q) = sum_k p_k^2 / q_k - 1``, in any equivalent form (the
    check substitutes ``p_k = a_k / sum a``, ``q_k = b_k / sum b``, so forms
    that use ``sum p = sum q = 1`` such as ``sum_k (p_k - q_k)^2 / q_k`` pass).
    Every ``n`` from 1 to 4 is tested; only a SymPy proof passes.

    Part 2. ``exact_bias(z, q, m)`` gets a 1-D float array of logits, a 1-D
    float array of proposal probabilities (all positive, summing to 1)
    and an int ``m >= 1``, and must return ``E[log Z_hat] - log Z`` exactly,
    as a finite sum over the ``K^m`` sequences of draws (or the count
    vectors). It is compared with mpmath at 50 digits on 14 cases, including
    logits of 800 (``exp`` overflows) and of -800, ``m = 1``, a single class,
    and ``q = p`` (bias 0). Accepted: ``|yours - exact| <= 1e-9 |exact| + 1e-12``
    (``LOG_PARTITION_BIAS_RTOL``, ``LOG_PARTITION_BIAS_ATOL``).

    Each part is checked as soon as it is filled in; the result is "not
    attempted" until both are.

    Parameters
    ----------
    bias_leading_term : callable
        ``bias_leading_term(p, q, m) -> SymPy expression``.
    exact_bias : callable
        ``exact_bias(z, q, m) -> float``.

    Returns
    -------
    CheckResult

    Examples
    --------
    >>> import itertools
    >>> import numpy as np
    >>> from softmaxlab import logsumexp
    >>> from softmaxlab.exercises import check_log_partition_bias
    >>> def bias_leading_term(p, q, m):
    ...     return -(sum(pk**2 / qk for pk, qk in zip(p, q)) - 1) / (2 * m)
    >>> def exact_bias(z, q, m):
    ...     log_z = logsumexp(z)
    ...     total = 0.0
    ...     for draws in itertools.product(range(len(z)), repeat=m):
    ...         s = np.array(draws)
    ...         total += np.prod(q[s]) * (logsumexp(z[s] - np.log(q[s])) - np.log(m) - log_z)
    ...     return total
    >>> check_log_partition_bias(bias_leading_term, exact_bias).passed
    True
    >>> check_log_partition_bias(lambda p, q, m: 0, exact_bias).passed   # "unbiased"
    False
    >>> check_log_partition_bias(bias_leading_term, None).status   # part 2 still to do
    'not attempted'
    """
    return check_parts(
        ("part 1 (the leading term)", _check_leading_term, bias_leading_term),
        ("part 2 (the exact bias)", _check_exact_bias, exact_bias),
    )
