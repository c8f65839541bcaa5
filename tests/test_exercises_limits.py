"""Tests of softmaxlab.exercises.limits: the checker of the argmax-limit exercise.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from softmaxlab import softmax
from softmaxlab.exercises import (
    check_argmax_limit,
)
from softmaxlab.exercises.limits import _limit_reference

import exercise_assertions as shared
from exercise_assertions import assert_not_attempted, stub

# A failure message names its input: "z = [...]", "a = [...]", "x = [...]" or "K = ..., y = [...]".
NAMES_INPUT = re.compile(r"\b(z|a|x|y|z = W x \+ b) = \[")


def assert_fails_naming_input(result, *fragments: str) -> None:
    shared.assert_fails_naming_input(result, NAMES_INPUT, *fragments)


# ------------------------------------------------------------------ exercise 7: the argmax limit


def limit_reference(z):
    at_max = z == np.max(z)
    return at_max / at_max.sum()


def test_argmax_limit_reference_passes():
    assert check_argmax_limit(limit_reference).passed


WRONG_LIMITS = {
    "one-hot, ignoring ties": lambda z: np.eye(len(z))[np.argmax(z)],
    "1 on every maximum": lambda z: (z == np.max(z)).astype(float),
    "softmax at a large c": lambda z: softmax(1e6 * z),
    "ties by np.isclose": lambda z: np.isclose(z, np.max(z)) / np.sum(np.isclose(z, np.max(z))),
    "uniform": lambda z: np.full(len(z), 1 / len(z)),
    "argmin": lambda z: np.eye(len(z))[np.argmin(z)],
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


def test_argmax_limit_scaffold_is_not_attempted():
    assert_not_attempted(check_argmax_limit(stub))
    assert_not_attempted(check_argmax_limit(None))


@settings(max_examples=50, deadline=None)
@given(hnp.arrays(np.float64, st.integers(1, 8), elements=st.integers(-3, 3).map(float)))
def test_the_limit_reference_is_the_limit_of_softmax(z):
    # on integers, gaps are >= 1, so at c = 60 every non-maximal entry is below exp(-60) / 1
    np.testing.assert_allclose(softmax(60.0 * z), _limit_reference(z), atol=1e-20 + 1e-25, rtol=1e-12)
