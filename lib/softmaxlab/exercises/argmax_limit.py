"""Checker for the exercise on the zero-temperature limit of softmax."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from softmaxlab.exercises._result import (
    CheckResult,
    answer_mismatch,
    checker,
    distinguishing_digits,
    fail,
    fmt,
    tolerance_text,
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
        (np.array([0.0, -0.0, -1.0]), "+0 and -0 are equal: a tie"),
        # Gaps so small that c * gap stays moderate for every float c (c <= 1.8e308): no finite c
        # resolves them, so softmax(c (z - max z)) at a large c is not the limit (the exercise's hint 3).
        (np.array([5e-324, 0.0]), "a maximum ahead by the smallest subnormal, 5e-324"),
        (np.array([5e-324, 0.0, 5e-324]), "a tie, and a third entry behind by 5e-324"),
        (np.array([-1e-323, -5e-324, -1e-322]), "negative entries a few subnormals apart"),
        (np.array([1e-307, 0.0, -1e-307]), "gaps of 1e-307: c gap is only 18 at c = 1.8e308"),
        (np.array([2.2250738585072014e-308, 2.225073858507201e-308]), "a gap of one subnormal at the smallest normal"),
        (np.array([-np.inf, 1e-310, 0.0]), "a -inf entry and a gap of 1e-310"),
        (np.array([1e-300, 0.0, -1e300]), "a gap of 1e-300 beside a range of 1e300"),
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
    at a large ``c`` is not an answer, whatever ``c``: for gaps of a few
    subnormals (``z = (5e-324, 0)``) even ``c = 1.8e308`` times the gap is
    below 1, and ``softmax(c (z - max z))`` is nearly uniform; rescaling
    ``z`` by its range first does not help where a gap of 1e-300 sits beside
    a range of 1e300. Tested on 36 vectors: random ones, small integers
    (frequent ties), all-equal, ``+0`` and ``-0`` (a tie), a maximum ahead
    by 1e-9, by one ulp or by the smallest subnormal, gaps of 1e-307,
    magnitudes near 1e300, ``-inf`` entries and a single entry; an entry is
    wrong if it is off by more than 1e-12.

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
        expected = _limit_reference(z)
        got, bad = answer_mismatch(limit, (z,), expected, on=on, rtol=0.0, atol=1e-12)
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
        finite = z[np.isfinite(z)]
        gaps = np.diff(np.unique(finite))
        if gaps.size and float(gaps.min()) < 700.0 / np.finfo(np.float64).max:  # c gap < 700 for every float c
            advice += (
                f" The closest entries here differ by {fmt(float(gaps.min()), digits=None)}: even "
                "c = 1.8e308 (the largest float) times that gap is small, so softmax(c z) at any finite c is "
                "far from the limit. Compare the entries with the maximum exactly."
            )
        got_text, want_text = distinguishing_digits(got, expected)
        fail(
            f"For z = {fmt(z, digits=None)} ({kind}), the limit of softmax(c z) as c grows is "
            f"{want_text} ({shape}); your limit gives {got_text}, wrong at entry {bad[0] + 1} "
            f"(allowed: {tolerance_text(0.0, 1e-12)}).{advice}",
            input=fmt(z, digits=None),
            expected=want_text,
            got=got_text,
            tolerance=tolerance_text(0.0, 1e-12),
        )
    return (
        f"Your limit is right on all {len(cases)} test vectors: one-hot at a unique maximum, "
        "1/m on each of m tied maxima, even when the maximum is ahead by a single ulp or by 5e-324.",
        (("z = [3, 1, 3]", fmt(_limit_reference(np.array([3.0, 1.0, 3.0])))),),
    )
