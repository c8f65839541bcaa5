"""Tests of softmaxlab.exercises.sparsemax_threshold: the checker of the sparsemax-threshold exercise.

Right answers, written in several ways, pass; a bank of realistic wrong answers (a dict named
``WRONG_*``) fails with a message naming the input it fails on; the untouched scaffold gives
"not attempted" without raising.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from exercise_assertions import RaisingArray, assert_fails_naming_input, assert_not_attempted, stub
from softmaxlab import (
    logsumexp,
    softmax,
    sparsemax,
    sparsemax_threshold,
)
from softmaxlab.exercises import (
    check_sparsemax_threshold,
)
from softmaxlab.exercises.sparsemax_threshold import THRESHOLD_TOL, _threshold_reference
from strategies import vectors


def threshold(z):
    m = np.max(z)
    zs = np.sort(z - m)[::-1]
    cs = np.cumsum(zs)
    k = np.arange(1, len(z) + 1)
    k_z = k[1 + k * zs > cs][-1]
    return (cs[k_z - 1] - 1) / k_z + m


def threshold_by_bisection(z):
    lo, hi = np.max(z) - 1.0, np.max(z)
    for _ in range(100):
        mid = 0.5 * (lo + hi)
        if np.sum(np.maximum(z - mid, 0.0)) >= 1.0:
            lo = mid
        else:
            hi = mid
    return lo


def threshold_loop(z):
    """Plain Python: walk down the sorted scores, keeping the last k that passes the test."""
    ordered = sorted(z.tolist(), reverse=True)
    top, total = ordered[0], 0.0
    for k, value in enumerate(ordered, start=1):
        total += value - top
        if 1 + k * (value - top) > total:
            tau = (total - 1) / k + top
    return tau


def threshold_by_bisection_to_the_end(z):
    """Halve until the midpoint is one of the ends: the interval cannot shrink any further."""
    lo, hi = np.max(z) - 1.0, np.max(z)
    while True:
        mid = 0.5 * (lo + hi)
        if mid in (lo, hi):
            return lo
        if np.sum(np.maximum(z - mid, 0.0)) >= 1.0:
            lo = mid
        else:
            hi = mid


def threshold_michelot(z):
    """Michelot's projection: start from full support, drop the entries below tau, repeat (shifted)."""
    m = np.max(z)
    support = z - m
    while True:
        tau = (np.sum(support) - 1.0) / len(support)
        kept = support[support > tau]
        if len(kept) == len(support):
            return tau + m
        support = kept


def threshold_bisection_then_support(z, steps=30):
    """A rough bisection (on the shifted scores) only to find the support, then the exact formula on it."""
    m = np.max(z)
    shifted = z - m
    lo, hi = -1.0, 0.0
    for _ in range(steps):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if np.sum(np.maximum(shifted - mid, 0.0)) >= 1.0 else (lo, mid)
    support = shifted[shifted > lo]
    return (np.sum(support) - 1.0) / len(support) + m


def threshold_mpmath(z):
    import mpmath

    with mpmath.workdps(40):
        top = mpmath.mpf(float(np.max(z)))
        zs = sorted((mpmath.mpf(float(v)) - top for v in z), reverse=True)
        total, tau = mpmath.mpf(0), None
        for k, v in enumerate(zs, start=1):
            total += v
            if 1 + k * v > total:
                tau = (total - 1) / k
        return tau + top  # an mpf


RIGHT_THRESHOLDS = {
    "sort and shift": threshold,
    "bisection, 100 halvings": threshold_by_bisection,
    "bisection until it stops shrinking": threshold_by_bisection_to_the_end,
    "softmaxlab": lambda z: float(sparsemax_threshold(z)),
    "python loop": threshold_loop,
    "Michelot, shifted": threshold_michelot,
    "rough bisection, then the support formula": threshold_bisection_then_support,
    "mpmath, returned as an mpf": threshold_mpmath,
    "a 1-element array": lambda z: np.array([threshold(z)]),
    "a 1 x 1 SymPy Matrix": lambda z: __import__("sympy").Matrix([[threshold(z)]]),
}


@pytest.mark.parametrize("name", RIGHT_THRESHOLDS)
def test_sparsemax_threshold_solutions_pass(name):
    r = check_sparsemax_threshold(RIGHT_THRESHOLDS[name])
    assert r.passed, repr(r)


def _sorted_rule(order=lambda z: np.sort(z)[::-1], minus=1.0, extra_k=0, condition_k_offset=0, shift=True, first=False):
    def tau(z):
        m = np.max(z) if shift else 0.0
        zs = order(z - m)
        cs = np.cumsum(zs)
        k = np.arange(1, len(z) + 1)
        ok = 1 + (k - condition_k_offset) * zs > cs
        k_z = (k[ok][0] if first else k[ok][-1]) if ok.any() else 1
        return (cs[k_z - 1] - minus) / (k_z + extra_k) + m

    return tau


def _bisection(steps):
    def tau(z):
        lo, hi = np.max(z) - 1.0, np.max(z)
        for _ in range(steps):
            mid = 0.5 * (lo + hi)
            lo, hi = (mid, hi) if np.sum(np.maximum(z - mid, 0.0)) >= 1.0 else (lo, mid)
        return lo

    return tau


def _michelot_unshifted(z):
    support = z.copy()
    while True:
        tau = (np.sum(support) - 1.0) / len(support)
        kept = support[support > tau]
        if len(kept) == len(support):
            return tau
        support = kept


WRONG_THRESHOLDS = {
    "forgets the -1": (_sorted_rule(minus=0.0), "not 1"),
    "k counted from 0 in the test": (_sorted_rule(condition_k_offset=1), "not 1"),
    "divides by k + 1": (_sorted_rule(extra_k=1), "not 1"),
    "sorts ascending": (_sorted_rule(order=np.sort), "not 1"),
    "does not sort": (_sorted_rule(order=lambda z: z), "not 1"),
    "smallest k instead of the largest": (_sorted_rule(first=True), "not 1"),
    "mean of all entries (full support)": (lambda z: (np.sum(z) - 1) / len(z), "not 1"),
    "mean of z": (np.mean, "not 1"),
    "logsumexp, softmax's normaliser": (lambda z: float(logsumexp(z)), "not 1"),
    "max(z) - 1 (support of one)": (lambda z: np.max(z) - 1, "not 1"),
    "bisection stopped after 30 halvings": (_bisection(30), "not exact"),
    "bisection stopped after 40 halvings": (_bisection(40), "not exact"),
    "tau in float32": (lambda z: np.float32(threshold(z)), "not exact"),
    "rounded to 9 decimals": (lambda z: round(float(threshold(z)), 9), "not exact"),
    "Michelot without the shift": (_michelot_unshifted, "subtract max(z) first"),
}


@pytest.mark.parametrize("name", WRONG_THRESHOLDS)
def test_sparsemax_threshold_rejects_wrong_thresholds(name):
    answer, fragment = WRONG_THRESHOLDS[name]
    with np.errstate(all="ignore"):
        r = check_sparsemax_threshold(answer)
    assert_fails_naming_input(r, fragment)
    if "Michelot" not in name:
        assert "the threshold is tau =" in r.message
        assert "Accepted: |yours - reference| <= 1e-13 + 1e-13 |reference|" in r.message


def test_sparsemax_threshold_tolerance_is_relative_to_the_threshold():
    """Not to max |z|: an entry of -1e6 far below the support does not loosen it."""
    def off(delta):
        return lambda z: threshold(z) + delta * (1 + abs(threshold(z)))

    assert check_sparsemax_threshold(off(0.5 * THRESHOLD_TOL)).passed
    r = check_sparsemax_threshold(off(3 * THRESHOLD_TOL))
    assert_fails_naming_input(r, "not exact")
    (want, got) = re.findall(r"the threshold is tau = (\S+) .*your tau = (\S+) makes", r.message)[0]
    assert want != got  # digits enough to see the difference

    def off_only_far_below(z):
        return threshold(z) + (1e-9 if np.min(z) < -1e5 else 0.0)

    r = check_sparsemax_threshold(off_only_far_below)
    assert_fails_naming_input(r, "z = [0.5, 0.2, -1000000]")


def test_sparsemax_threshold_messages():
    r = check_sparsemax_threshold(WRONG_THRESHOLDS["forgets the -1"][0])
    assert r.message.startswith(
        "For z = [0.5, 0.2, -1] (two of three entries in the support) the threshold is tau = -0.15"
    )
    assert "too large" in r.message


def test_sparsemax_threshold_accepts_an_unshifted_rule_that_falls_back_to_k_1():
    # At 1e300, 1 + z_(1) rounds to z_(1) and no k passes the test; falling back to k = 1 gives
    # tau = z_(1) - 1, which is z_(1) in float64: as exact as the format allows.
    assert check_sparsemax_threshold(_sorted_rule(shift=False)).passed


def test_sparsemax_threshold_advises_the_shift_when_an_unshifted_rule_crashes():
    def crashing(z):
        zs = np.sort(z)[::-1]
        cs = np.cumsum(zs)
        k = np.arange(1, len(z) + 1)
        k_z = k[1 + k * zs > cs][-1]
        return (cs[k_z - 1] - 1) / k_z

    with np.errstate(over="ignore", invalid="ignore"):
        r = check_sparsemax_threshold(crashing)
    assert r.status == "failed" and "IndexError" in r.message and "subtract max(z) first" in r.message


@pytest.mark.parametrize(
    "answer, fragment",
    [
        (softmax, "Return one number"),
        (sparsemax, "Return one number"),
        (lambda z: np.nan, "finite number"),
        (lambda z: np.inf, "finite number"),
        (lambda z: threshold(z) + 1e-3j, "complex"),
        (lambda z: None, "returned None"),
        (lambda z: RaisingArray(), "RuntimeError"),
        (lambda z: {threshold(z)}, "set"),
    ],
    ids=["softmax vector", "sparsemax vector", "nan", "inf", "complex", "None", "raising __array__", "set"],
)
def test_sparsemax_threshold_rejects_non_thresholds(answer, fragment):
    r = check_sparsemax_threshold(answer)
    assert r.status == "failed" and fragment in r.message and "z = [" in r.message


def test_sparsemax_threshold_scaffold_is_not_attempted():
    assert_not_attempted(check_sparsemax_threshold(stub))
    assert_not_attempted(check_sparsemax_threshold(None))


@settings(max_examples=80)
@given(vectors(max_size=12, elements=st.floats(-1e4, 1e4) | st.integers(-3, 3).map(float)))
def test_the_bisection_reference_is_the_threshold(z):
    tau = _threshold_reference(z)
    scale = 1.0 + np.max(np.abs(z))
    assert abs(np.sum(np.maximum(z - tau, 0.0)) - 1.0) <= 1e-9 * scale
    np.testing.assert_allclose(tau, sparsemax_threshold(z), rtol=0, atol=1e-12 * scale)
    np.testing.assert_allclose(np.maximum(z - tau, 0.0), sparsemax(z), rtol=0, atol=1e-12 * scale)
