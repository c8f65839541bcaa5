"""Checker for the exercise on the sparsemax threshold.

The checker's reference is its own bisection on the normalisation equation
``sum_i max(z_i - tau, 0) = 1``, made exact on the support it finds, so it shares no
code with :mod:`softmaxlab.sparse`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from softmaxlab.exercises._result import (
    CheckFailed,
    CheckResult,
    as_number,
    call_answer,
    checker,
    distinguishing_digits,
    fail,
    fmt,
    tolerance_text,
)

__all__ = ["check_sparsemax_threshold", "THRESHOLD_TOL"]

_SEED = 20260310

#: Accuracy asked of the sparsemax threshold: ``|yours - tau| <= THRESHOLD_TOL (1 + |tau|)``. The
#: sorted rule, and a bisection run until its interval stops shrinking (about 55 halvings), are
#: within 2e-16 of it on the test vectors; a bisection stopped after 30 halvings is off by up to
#: 1e-9, after 40 by up to 7e-13.
THRESHOLD_TOL = 1e-13


def _threshold_reference(z: np.ndarray) -> float:
    """tau with sum_i max(z_i - tau, 0) = 1, by bisection, then made exact on the support it finds.

    ``f(t) = sum_i max(z_i - t, 0) - 1`` is continuous and strictly
    decreasing where it is positive, with ``f(max z - 1) >= 0 > f(max z)``.
    Bisection on the scores shifted by their maximum (so no sum can overflow)
    brackets the root; the support ``{i : z_i > t}`` it finds then gives the
    root exactly as ``(sum of z_i over the support - 1) / size`` (``math.fsum``).
    """
    m = float(np.max(z))
    shifted = z.astype(np.float64) - m
    lo, hi = -1.0, 0.0  # f(lo) >= 0 > f(hi)
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if mid in (lo, hi):
            break
        if math.fsum(np.maximum(shifted - mid, 0.0)) - 1.0 >= 0.0:
            lo = mid
        else:
            hi = mid
    support = shifted[shifted > lo]
    tau = (math.fsum(support) - 1.0) / support.size
    assert abs(tau - lo) <= 1e-12, "bisection and the support formula agree"
    return tau + m


def _threshold_cases() -> list[tuple[np.ndarray, str]]:
    rng = np.random.default_rng(_SEED + 11)
    cases: list[tuple[np.ndarray, str]] = [
        (np.array([0.5, 0.2, -1.0]), "two of three entries in the support"),
        (np.array([2.0, 1.0, -1.0]), "an entry exactly at the threshold"),
        (np.array([1.0, 1.0, 1.0, 0.0]), "a three-way tie for the maximum"),
        (np.array([3.0, 3.0, 3.0, 3.0]), "all entries equal"),
        (np.array([10.0, 0.0, -1.0, 0.0]), "one dominant entry"),
        (np.array([0.1, 0.3, 0.2, 0.25]), "full support, unsorted"),
        (np.array([-0.4, 0.9, 0.3, 0.85, -2.0]), "unsorted, support of two"),
        (np.array([4.2]), "a single entry"),
        (np.array([1e6 + 0.25, 1e6, 1e6 - 3.0]), "large values close together"),
        (np.array([-5000.0, -5000.5, -5001.0, -5000.25]), "large negative values"),
        (np.array([0.5, 0.2, -1e6]), "an entry far below the support"),
        (np.array([0.0, 1e-12, 2e-12]), "tiny differences"),
    ]
    for K in (2, 3, 5, 8, 13):
        for scale in (0.1, 1.0, 10.0):
            cases.append((np.round(rng.normal(0.0, scale, size=K), 3), f"random, K = {K}"))
        cases.append((rng.integers(-2, 3, size=K).astype(np.float64) / 2, f"halves (ties likely), K = {K}"))
    cases.append((np.round(rng.normal(0.0, 0.05, size=100), 4), "K = 100, most entries in the support"))
    # last, so that a wrong formula is reported on an ordinary vector first
    cases.append((np.array([1e300, -1e300, 0.0]), _HUGE))
    return cases


_HUGE = "huge magnitudes"
_HUGE_ADVICE = (
    " At this size 1 + k z_(k) rounds to k z_(k), so the support test fails even for k = 1: "
    "subtract max(z) first and add it back to tau at the end (sparsemax, like softmax, is shift "
    "invariant: tau(z - c) = tau(z) - c)."
)


def _read_threshold(value: Any, on: str) -> float:
    """The reader's tau as a float, or a failed check (any return type; see :func:`as_number`)."""
    try:
        return as_number(value, on=on, what="your threshold")
    except CheckFailed as exc:
        if "shape" not in exc.message:
            raise
        raise CheckFailed(
            exc.message + " Return one number, tau (sparsemax itself is then max(z - tau, 0)).", exc.details
        ) from None


@checker("The sparsemax threshold")
def check_sparsemax_threshold(threshold: Callable[[np.ndarray], Any]) -> CheckResult:
    """Check ``threshold(z)``, the ``tau`` with ``sparsemax(z) = max(z - tau, 0)`` summing to 1.

    ``threshold(z)`` gets a 1-D float array ``z`` (finite, in no particular
    order) and must return the real number ``tau`` solving
    ``sum_i max(z_i - tau, 0) = 1``, exactly up to rounding. It is compared
    with a bisection on that equation, made exact on the support it finds, on
    34 vectors: random ones with ``K`` from 2 to 13, half-integers (many
    ties), entries exactly at the threshold, all entries equal, one dominant
    entry, a single entry, 100 entries, values near 1e6 and -5000, an entry
    of -1e6 far below the support, differences of 1e-12 and, last,
    magnitudes of 1e300 (where ``1 + z_(1)`` rounds to ``z_(1)`` unless the
    scores are shifted by their maximum first). An answer is wrong if
    ``|tau - exact| > THRESHOLD_TOL (1 + |exact|)`` with ``THRESHOLD_TOL =
    1e-13``, relative to the exact threshold: the sorted rule passes, and so
    does a bisection run until its interval stops shrinking (about 55
    halvings), but not one stopped after 30 or 40 halvings.

    Parameters
    ----------
    threshold : callable
        ``threshold(z) -> float``.

    Returns
    -------
    CheckResult

    Examples
    --------
    >>> import numpy as np
    >>> from softmaxlab.exercises import check_sparsemax_threshold
    >>> def threshold(z):
    ...     m = np.max(z)                   # shift, so 1 + k z_(k) is not lost to rounding
    ...     zs = np.sort(z - m)[::-1]
    ...     cs = np.cumsum(zs)
    ...     k = np.arange(1, len(z) + 1)
    ...     k_z = k[1 + k * zs > cs][-1]
    ...     return (cs[k_z - 1] - 1) / k_z + m
    >>> check_sparsemax_threshold(threshold).passed
    True
    >>> check_sparsemax_threshold(lambda z: (np.sum(z) - 1) / len(z)).passed   # assumes full support
    False
    >>> def bisection(z, steps=30):
    ...     lo, hi = np.max(z) - 1.0, np.max(z)
    ...     for _ in range(steps):
    ...         mid = 0.5 * (lo + hi)
    ...         lo, hi = (mid, hi) if np.sum(np.maximum(z - mid, 0.0)) >= 1.0 else (lo, mid)
    ...     return lo
    >>> check_sparsemax_threshold(bisection).passed, check_sparsemax_threshold(lambda z: bisection(z, 60)).passed
    (False, True)
    """
    cases = _threshold_cases()
    tolerance = tolerance_text(THRESHOLD_TOL, THRESHOLD_TOL)
    for z, kind in cases:
        on = f"z = {fmt(z, digits=None)}"
        advice = _HUGE_ADVICE if kind == _HUGE else ""
        expected = _threshold_reference(z)  # before the call: nothing the answer does can change it
        try:
            got = _read_threshold(call_answer(threshold, z.copy(), on=on, what="your threshold"), on)
        except CheckFailed as exc:
            message = exc.message if exc.message.endswith((".", "?", ")")) or not advice else exc.message + "."
            raise CheckFailed(message + advice, exc.details) from None
        if math.isfinite(got) and abs(got - expected) <= THRESHOLD_TOL * (1.0 + abs(expected)):
            continue
        support = np.flatnonzero(z > expected)
        got_text, expected_text = distinguishing_digits(got, expected, least=10)
        if not math.isfinite(got):
            fail(
                f"For z = {fmt(z, digits=None)} ({kind}) your threshold is {fmt(got)}; the exact one is "
                f"the finite number tau = {expected_text}.{advice}",
                input=on,
                expected=expected_text,
                got=fmt(got),
            )
        with np.errstate(all="ignore"):
            p = np.maximum(z - got, 0.0)
            total = math.fsum(p) if np.all(np.isfinite(p)) else float(np.sum(p))
        if total == 1.0:
            sums = "which sums to 1 only after rounding"
        else:
            sums = f"which sums to {distinguishing_digits(total, 1.0)[0]}, not 1"
        direction = "small: too much mass" if got < expected else "large: too little mass"
        close = (
            " That is close, but not exact: if you bisect, keep halving until the interval stops "
            "shrinking (about 55 halvings), or use the sorted rule, which is exact."
            if abs(got - expected) <= 1e-6 * (1.0 + abs(expected))
            else ""
        )
        fail(
            f"For z = {fmt(z, digits=None)} ({kind}) the threshold is tau = {expected_text} "
            f"(support: entries {fmt(support)}, k = {support.size}); your tau = {got_text} makes "
            f"max(z - tau, 0) = {fmt(p)}, {sums} (your tau is too {direction}).{close}{advice} "
            f"Accepted: {tolerance}.",
            input=on,
            expected=expected_text,
            got=got_text,
            tolerance=tolerance,
        )
    example = np.array([0.5, 0.2, -1.0])
    example_tau = _threshold_reference(example)
    return (
        f"Your threshold is exact on all {len(cases)} test vectors (K = 1 to 100, ties, entries exactly "
        "at the threshold, a dominant entry, magnitudes up to 1e300): max(z - tau, 0) sums to 1 each time.",
        (("z = [0.5, 0.2, -1]", f"tau = {fmt(example_tau)}, sparsemax = {fmt(np.maximum(example - example_tau, 0))}"),),
    )
