"""Tests of softmaxlab.exercises.argmax_limit: the checker of the argmax-limit exercise.

Right answers written in several ways pass; a bank of realistic wrong answers
(``WRONG_LIMITS``) fails with a message naming the input. Hypothesis tests are
derandomized: every run tries the same examples.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from exercise_assertions import assert_fails_naming_input, assert_not_attempted, stub
from softmaxlab import softmax
from softmaxlab.exercises import (
    check_argmax_limit,
)
from softmaxlab.exercises.argmax_limit import _limit_reference
from strategies import vectors

# ------------------------------------------------------------------ the argmax limit


def limit_reference(z):
    at_max = z == np.max(z)
    return at_max / at_max.sum()


def test_argmax_limit_reference_passes():
    assert check_argmax_limit(limit_reference).passed


def limit_loop(z):
    M = max(z)
    m = sum(1 for v in z if v == M)
    return [1.0 / m if v == M else 0.0 for v in z]


RIGHT_LIMITS = {
    "z == max, divided by the count": limit_reference,
    "np.where with 1/m": lambda z: np.where(z == z.max(), 1.0 / np.count_nonzero(z == z.max()), 0.0),
    "a Python loop, returning a list": limit_loop,
    "shifted z compared with 0": lambda z: (z - z.max() == 0) / np.sum(z - z.max() == 0),
    "softmax of a 0 / -inf mask": lambda z: softmax(np.where(z == z.max(), 0.0, -np.inf)),
    "np.flatnonzero of the maxima": lambda z: np.bincount(
        np.flatnonzero(z == np.max(z)), minlength=len(z)
    ) / len(np.flatnonzero(z == np.max(z))),
    "np.isclose with rtol = atol = 0": lambda z: np.isclose(z, z.max(), rtol=0, atol=0)
    / np.isclose(z, z.max(), rtol=0, atol=0).sum(),
}


@pytest.mark.parametrize("name", RIGHT_LIMITS)
def test_argmax_limit_accepts_right_answers_written_differently(name):
    r = check_argmax_limit(RIGHT_LIMITS[name])
    assert r.passed, repr(r)


WRONG_LIMITS = {
    "one-hot, ignoring ties": lambda z: np.eye(len(z))[np.argmax(z)],
    "1 on every maximum": lambda z: (z == np.max(z)).astype(float),
    "softmax at a large c": lambda z: softmax(1e6 * z),
    "ties by np.isclose": lambda z: np.isclose(z, np.max(z)) / np.sum(np.isclose(z, np.max(z))),
    "uniform": lambda z: np.full(len(z), 1 / len(z)),
    "argmin": lambda z: np.eye(len(z))[np.argmin(z)],
    "softmax(1e308 (z - max z))": lambda z: softmax(1e308 * (z - z.max())),
    "softmax(largest float (z - max z))": lambda z: softmax(np.finfo(np.float64).max * (z - z.max())),
    "softmax(inf (z - max z))": lambda z: softmax(np.inf * (z - z.max())),
    "ties within 1e-12 of the maximum": lambda z: (z >= z.max() - 1e-12) / np.sum(z >= z.max() - 1e-12),
    "compared in float32": lambda z: (z.astype(np.float32) == np.float32(z.max()))
    / np.sum(z.astype(np.float32) == np.float32(z.max())),
    "rounded to 6 decimals first": lambda z: (np.round(z, 6) == np.round(z, 6).max())
    / np.sum(np.round(z, 6) == np.round(z, 6).max()),
    "divides by K instead of the number of maxima": lambda z: (z == z.max()) / len(z),
    "1/m at the first maximum only": lambda z: np.eye(len(z))[np.argmax(z)] / np.sum(z == z.max()),
    "softmax(z / 1e-300) without the shift": lambda z: softmax(z / 1e-300),
    "softmax at c = 1e20 after rescaling z by its range": lambda z: softmax(
        1e20 * (z - z.max()) / (np.ptp(z[np.isfinite(z)]) or 1.0)
    ),
}


@pytest.mark.parametrize("name", WRONG_LIMITS)
def test_argmax_limit_rejects_wrong_limits(name):
    assert_fails_naming_input(check_argmax_limit(WRONG_LIMITS[name]), "your limit gives")


def test_argmax_limit_messages_explain_ties_and_sums():
    r = check_argmax_limit(WRONG_LIMITS["one-hot, ignoring ties"])
    assert r.message.startswith("For z = [3, 1, 3] (a tie between two maxima)") and "1/2 on each of the 2" in r.message
    r = check_argmax_limit(WRONG_LIMITS["1 on every maximum"])
    assert "sums to 2" in r.message
    r = check_argmax_limit(WRONG_LIMITS["ties by np.isclose"])
    assert "z = [0, 1e-09]" in r.message


def test_softmax_at_any_finite_c_fails_on_subnormal_gaps():
    for name in ("softmax(1e308 (z - max z))", "softmax(largest float (z - max z))"):
        r = check_argmax_limit(WRONG_LIMITS[name])
        assert r.message.startswith("For z = [5e-324, 0]"), r.message
        assert "your limit gives [0.5, 0.5]" in r.message and "differ by 5e-324" in r.message
        assert "|yours - reference| <= 1e-12" in r.message


def test_argmax_limit_messages_show_distinguishing_digits():
    r = check_argmax_limit(lambda z: limit_reference(z) * (1 - 1e-9))  # slightly below 1/m everywhere
    assert "your limit gives [0.333333333, 0, 0.333333333, 0.333333333]" not in r.message
    details = dict(r.details)
    assert details["expected"] != details["got"], details


def test_argmax_limit_scaffold_is_not_attempted():
    assert_not_attempted(check_argmax_limit(stub))
    assert_not_attempted(check_argmax_limit(None))


@settings(max_examples=50, derandomize=True, database=None)
@given(vectors(max_size=8, elements=st.integers(-3, 3).map(float)))
def test_the_limit_reference_is_the_limit_of_softmax(z):
    # on integers, gaps are >= 1, so at c = 60 every non-maximal entry is below exp(-60) / 1
    np.testing.assert_allclose(softmax(60.0 * z), _limit_reference(z), atol=1e-20 + 1e-25, rtol=1e-12)
