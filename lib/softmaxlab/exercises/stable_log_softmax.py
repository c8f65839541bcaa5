"""Checker for the exercise on computing log-softmax stably.

The reference is mpmath at 50 significant digits applied to the exact input
floats, so it does not share any rounding with the reader's code or with
``softmaxlab.log_softmax``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import mpmath
import numpy as np

from softmaxlab.exercises._result import (
    CheckResult,
    as_float_array,
    call_answer,
    checker,
    distinguishing_digits,
    fail,
    fmt,
)

__all__ = ["check_stable_log_softmax", "LOG_SOFTMAX_RTOL"]

_SEED = 20260306

#: Accuracy asked of the stable log-softmax exercise: ``|got - exact| <= LOG_SOFTMAX_RTOL * max(1, |exact|)``.
#: About 4500 ulp: generous for rounding, far below the error of adding the maximum back.
LOG_SOFTMAX_RTOL = 1e-12
_TOLERANCE_TEXT = "|yours - reference| <= 1e-12 max(1, |reference|)"


def _reference_row(x: np.ndarray) -> np.ndarray:
    """log-softmax of one finite-or-minus-inf row, at 50 digits, rounded once to float64.

    Equal entries are computed once (a row of 20000 equal values costs one exp).
    """
    values, inverse, counts = np.unique(x, return_inverse=True, return_counts=True)
    with mpmath.workdps(50):
        finite = [(mpmath.mpf(float(v)), int(n)) for v, n in zip(values, counts) if np.isfinite(v)]
        m = max(v for v, _ in finite)
        log_z = mpmath.log(mpmath.fsum(n * mpmath.exp(v - m) for v, n in finite))
        out = np.array([float(mpmath.mpf(float(v)) - m - log_z) if np.isfinite(v) else -np.inf for v in values])
    return out[inverse.reshape(-1)]


def _reference(x: np.ndarray) -> np.ndarray:
    if x.ndim == 1:
        return _reference_row(x)
    return np.stack([_reference_row(row) for row in x])


@functools.lru_cache(maxsize=1)
def _cases_with_references() -> tuple[tuple[np.ndarray, str, np.ndarray], ...]:
    """The test arrays with their references, computed once per process (the 20000-entry one takes 0.2 s)."""
    cases = []
    for x, kind in _stability_cases():
        expected = _reference(x)
        x.setflags(write=False)
        expected.setflags(write=False)
        cases.append((x, kind, expected))
    return tuple(cases)


def _stability_cases() -> list[tuple[np.ndarray, str]]:
    rng = np.random.default_rng(_SEED)
    cases: list[tuple[np.ndarray, str]] = [
        (np.array([1000.0, 999.0, 0.0]), "large positive values: exp overflows"),
        (np.array([710.0, 0.0]), "exp(710) overflows float64"),
        (np.array([-1000.0, -1001.0, -1002.0]), "large negative values: exp underflows to 0"),
        (np.full(3, -10000.0), "a three-way tie at -10^4"),
        (np.array([1e300, 0.0, -1e300]), "huge magnitudes"),
        (np.array([1e308, 1e308]), "a tie near the largest float"),
        (np.array([-1e308, -1e308, -1e308]), "a tie near the most negative float"),
        (np.array([1e15, 1e15 + 0.5, 1e15 - 2.0]), "large values close together"),
        (np.array([0.0, -40.0, -60.0]), "one dominant entry"),
        (np.array([800.0, 0.0, 0.0, 0.0]), "one dominant entry at 800"),
        (np.full(4, 5.0), "four equal entries"),
        (np.array([3.0, 3.0, 1.0]), "a tie for the maximum"),
        (np.array([7.5]), "a single entry"),
        (np.array([-1e300]), "a single huge negative entry"),
        (np.array([0.0, -np.inf, 1.0]), "a -inf entry (probability exactly 0)"),
        (np.array([-np.inf, 2.0, 2.0]), "a -inf entry and a tie"),
        (np.array([0.0, -745.0]), "exp(-745) is the smallest subnormal"),
        (np.array([0.0, -740.0, -750.0]), "entries whose exp is subnormal or 0"),
        (np.round(rng.normal(0.0, 10.0, size=1000), 6), "1000 entries"),
        (
            np.array([[0.0, 1.0, 2.0], [-1000.0, -1001.0, -1002.0], [1000.0, 1000.0, 999.0]]),
            "a batch of rows on very different scales",
        ),
        # Where exp(x) itself is subnormal (x below -708) it keeps only a few digits, or none: the
        # naive log(sum(exp(x))) is finite but wrong there, so computing it first and falling back
        # to the shifted formula only when it overflows to inf (or underflows to -inf) fails.
        (np.array([-720.0, -721.0, -1000.0]), "every exp is subnormal or 0: the unshifted sum loses digits"),
        (np.array([-740.0, -741.5]), "exp(x) about 4e-322, a subnormal with two digits"),
        (np.array([-730.2, -735.0, -739.9]), "every exp subnormal"),
        (np.array([-744.0, -746.0]), "exp(-744) is a few subnormal units, exp(-746) rounds to 0"),
        (np.array([-738.0]), "a single entry whose exp is subnormal"),
        (np.array([-np.inf, -742.0, -743.0]), "a -inf entry beside subnormal exps"),
        (
            np.array([[-730.0, -731.0, -735.0], [0.0, 1.0, 2.0]]),
            "a batch with a row whose exps are subnormal",
        ),
        # Every exp(700) is finite, but 20000 of them sum beyond the largest float: a guard that takes
        # the unshifted route whenever every |x_j| <= 700 (or 709) overflows here.
        (np.full(20000, 700.0), "each exp(700) is finite, the sum of 20000 of them overflows"),
    ]
    for K in (1, 2, 3, 5, 10, 30):
        for scale in (1.0, 30.0, 1000.0):
            for offset in (0.0, -500.0, 1e6):
                x = np.round(rng.normal(offset, scale, size=K), 4)
                cases.append((x, f"random, K = {K}"))
    offsets = 10.0 ** rng.uniform(-2, 6, size=(20, 1)) * rng.choice([-1.0, 1.0], size=(20, 1))
    cases.append((np.round(offsets + rng.normal(0.0, 5.0, size=(20, 7)), 4), "a batch of 20 random rows"))
    return cases


@checker("A stable log-softmax")
def check_stable_log_softmax(log_softmax: Callable[[np.ndarray], Any]) -> CheckResult:
    """Check an implementation of log-softmax along the last axis that never overflows.

    ``log_softmax(x)`` gets a float64 array, 1-D or 2-D (a batch of rows), and
    must return an array of the same shape holding ``x_j - ln sum_k exp(x_k)``
    for each row. Each entry is compared with a 50-digit mpmath reference: it
    must be ``-inf`` exactly where ``x_j = -inf`` (``+inf`` or a huge negative
    number there fails), finite everywhere else, and within
    ``1e-12 * max(1, |exact|)`` of the exact value. The 83 test arrays
    include values near +-1e308, 1000 (where ``exp`` overflows), 20000
    entries at 700 (each ``exp`` finite, their sum not), ties, one
    dominant entry, ``-inf`` entries, entries whose ``exp`` is subnormal, a
    single entry, 1000 entries, and batches whose rows live on very different
    scales (where one shift for the whole batch makes rows underflow). Seven
    of them have a row whose largest entry is below -708, where ``exp(x)`` is
    subnormal and keeps few digits or none: there the unshifted ``log(sum(exp(x)))`` is finite but
    wrong, so computing it first and falling back to the shifted formula only
    when it is infinite fails.

    Parameters
    ----------
    log_softmax : callable
        ``log_softmax(x) -> array of x's shape``.

    Returns
    -------
    CheckResult

    Examples
    --------
    >>> import numpy as np
    >>> from softmaxlab import log_softmax
    >>> from softmaxlab.exercises import check_stable_log_softmax
    >>> check_stable_log_softmax(log_softmax).passed
    True
    >>> naive = lambda x: np.log(np.exp(x) / np.exp(x).sum(axis=-1, keepdims=True))
    >>> check_stable_log_softmax(naive).passed
    False
    """
    cases = _cases_with_references()
    for x, kind, expected in cases:
        on = f"x = {fmt(x, digits=None)}"
        overflowed: list[str] = []
        with np.errstate(over="call", call=lambda kind_, flag: overflowed.append(kind_)):
            result = call_answer(log_softmax, x.copy(), on=on)
        got = as_float_array(result, x.shape, on=on)
        note = " (numpy reported an overflow inside your function)" if overflowed else ""
        special = np.isinf(expected)  # -inf exactly where x is -inf, and nowhere else
        with np.errstate(invalid="ignore"):
            tolerance = LOG_SOFTMAX_RTOL * np.maximum(1.0, np.abs(np.where(special, 0.0, expected)))
            close = np.abs(got - expected) <= tolerance  # False for nan and for any infinity
        good = np.where(special, got == expected, close & np.isfinite(got))
        if good.all():
            continue
        index = tuple(int(i) for i in np.argwhere(~good)[0])
        where = f"entry {index[-1] + 1}" + (f" of row {index[0] + 1}" if x.ndim == 2 else "")
        got_v, want_v = float(got[index]), float(expected[index])
        if special[index]:
            problem = f"x there is -inf, so its log-probability is -inf, but you return {fmt(got_v)}"
        elif not np.isfinite(got_v):
            problem = f"you return {fmt(got_v)} where the true value is the finite {fmt(want_v)}"
        else:
            got_text, want_text = distinguishing_digits(got_v, want_v)
            problem = (
                f"you return {got_text}, the true value is {want_text}: an error of "
                f"{fmt(abs(got_v - want_v), 2)}, above the tolerance of {fmt(float(tolerance[index]), 2)} "
                f"({_TOLERANCE_TEXT})"
            )
        if x.size <= 10:
            got_text, want_text = distinguishing_digits(got, expected)
        else:  # the whole array would print shortened: show the wrong entry
            got_text, want_text = (f"{text} at {where}" for text in distinguishing_digits(got_v, want_v))
        fail(
            f"For {on if x.size <= 10 else 'x = ' + fmt(x)} ({kind}), at {where} {problem}{note}.",
            input=fmt(x, digits=None),
            expected=want_text,
            got=got_text,
            tolerance=_TOLERANCE_TEXT,
        )
    n_numbers = sum(x.size for x, _, _ in cases)
    return (
        f"Your log_softmax is finite wherever the true value is, -inf exactly at -inf inputs, and "
        f"within 1e-12 * max(1, |value|) of a 50-digit reference on all {len(cases)} test arrays "
        f"({n_numbers} numbers: |x| up to 1e308, ties, a dominant entry, subnormal probabilities, batches).",
        (),
    )
