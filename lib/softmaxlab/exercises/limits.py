"""Checker for the exercise on the zero-temperature limit of softmax (exercise 7)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from softmaxlab.exercises._result import (
    CheckResult,
    as_float_array,
    call_answer,
    checker,
    fail,
    first_mismatch,
    fmt,
)

__all__ = ["check_argmax_limit"]

_SEED = 20260307


def _limit_reference(z: np.ndarray) -> np.ndarray:
    """lim_{c -> inf} softmax(c z): 1/m on each of the m largest entries, 0 elsewhere (exact)."""
    at_max = z == z.max()
    return at_max / at_max.sum()


def _limit_cases() -> list[tuple[np.ndarray, str]]:
    rng = np.random.default_rng(_SEED)
    cases: list[tuple[np.ndarray, str]] = [
        (np.array([3.0, 1.0, 3.0]), "a tie between two maxima"),
        (np.array([2.0, 2.0, 2.0, 2.0]), "all entries equal"),
        (np.array([-5.0, -3.0, -3.0, -4.0]), "negative entries with a tie"),
        (np.array([0.0, 1e-9]), "a maximum ahead by only 1e-9"),
        (np.array([3.0, np.nextafter(3.0, 4.0)]), "a maximum ahead by one ulp"),
        (np.array([1e300, -1e300, 1e300]), "huge magnitudes with a tie"),
        (np.array([1e-300, 0.0]), "tiny values"),
        (np.array([-np.inf, 0.0, -np.inf]), "-inf entries"),
        (np.array([-np.inf, 5.0, 5.0]), "a -inf entry and a tie"),
        (np.array([7.0]), "a single entry"),
    ]
    for K in range(2, 11):
        cases.append((np.round(rng.normal(0.0, 2.0, size=K), 3), f"random, K = {K}"))
        cases.append((rng.integers(0, 3, size=K).astype(np.float64), f"small integers (ties likely), K = {K}"))
    return cases


@checker("Where the name comes from")
def check_argmax_limit(limit: Callable[[np.ndarray], Any]) -> CheckResult:
    """Check ``limit(z)``, the limit of ``softmax(c z)`` as ``c -> +infinity``.

    The limit puts ``1/m`` on each of the ``m`` entries equal to the maximum
    and 0 elsewhere (the one-hot argmax when the maximum is unique). It is
    exact: entries differing by one ulp are not a tie, so evaluating softmax
    at a large ``c`` is not an answer. Tested on 28 vectors: random ones, small
    integers (frequent ties), all-equal, a maximum ahead by 1e-9 or by one
    ulp, magnitudes near 1e300, ``-inf`` entries and a single entry; an entry
    is wrong if it is off by more than 1e-12.

    Parameters
    ----------
    limit : callable
        ``limit(z) -> array of z's shape`` for a 1-D float array ``z``.

    Returns
    -------
    CheckResult

    Examples
    --------
    >>> import numpy as np
    >>> from softmaxlab.exercises import check_argmax_limit
    >>> def limit(z):
    ...     at_max = z == np.max(z)
    ...     return at_max / at_max.sum()
    >>> check_argmax_limit(limit).passed
    True
    >>> check_argmax_limit(lambda z: np.eye(len(z))[np.argmax(z)]).passed   # ignores ties
    False
    """
    cases = _limit_cases()
    for z, kind in cases:
        on = f"z = {fmt(z, digits=None)}"
        got = as_float_array(call_answer(limit, z.copy(), on=on), z.shape, on=on)
        expected = _limit_reference(z)
        bad = first_mismatch(got, expected, rtol=0.0, atol=1e-12)
        if bad is None:
            continue
        m = int(np.sum(z == z.max()))
        shape = (
            "the one-hot vector of the argmax"
            if m == 1
            else f"1/{m} on each of the {m} tied maxima"
        )
        total = float(np.sum(got)) if np.all(np.isfinite(got)) else float("nan")
        advice = ""
        if np.isfinite(total) and abs(total - 1.0) > 1e-9:
            advice = f" Your vector sums to {fmt(total)}, but every softmax(c z) sums to 1, so the limit does too."
        fail(
            f"For z = {fmt(z, digits=None)} ({kind}), the limit of softmax(c z) as c grows is "
            f"{fmt(expected)} ({shape}); your limit gives {fmt(got)}.{advice}",
            input=fmt(z, digits=None),
            expected=expected,
            got=got,
        )
    return (
        f"Your limit is right on all {len(cases)} test vectors: one-hot at a unique maximum, "
        "1/m on each of m tied maxima, even when the maximum is ahead by a single ulp.",
        (("z = [3, 1, 3]", fmt(_limit_reference(np.array([3.0, 1.0, 3.0])))),),
    )
