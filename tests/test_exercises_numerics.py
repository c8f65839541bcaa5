"""Tests of softmaxlab.exercises.numerics: the checker of the stable log-softmax exercise.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from softmaxlab import log_softmax, logsumexp, softmax
from softmaxlab.exercises import (
    check_stable_log_softmax,
)
from softmaxlab.exercises.numerics import _reference as _log_softmax_reference

import exercise_assertions as shared
from exercise_assertions import assert_not_attempted, stub

# A failure message names its input: "z = [...]", "a = [...]", "x = [...]" or "K = ..., y = [...]".
NAMES_INPUT = re.compile(r"\b(z|a|x|y|z = W x \+ b) = \[")


def assert_fails_naming_input(result, *fragments: str) -> None:
    shared.assert_fails_naming_input(result, NAMES_INPUT, *fragments)


# ------------------------------------------------------------------ exercise 6: a stable log-softmax


def log_softmax_reference(x):
    m = np.max(x, axis=-1, keepdims=True)
    d = x - m
    return d - np.log(np.sum(np.exp(d), axis=-1, keepdims=True))


@pytest.mark.parametrize("solution", [log_softmax_reference, log_softmax], ids=["max-shift", "softmaxlab"])
def test_stable_log_softmax_references_pass(solution):
    r = check_stable_log_softmax(solution)
    assert r.passed, repr(r)


WRONG_LOG_SOFTMAXES = {
    "naive log of naive softmax": lambda x: np.log(np.exp(x) / np.sum(np.exp(x), axis=-1, keepdims=True)),
    "x - log sum exp x": lambda x: x - np.log(np.sum(np.exp(x), axis=-1, keepdims=True)),
    "log of a stable softmax": lambda x: np.log(softmax(x)),
    "one shift for the whole batch": lambda x: (x - np.max(x))
    - np.log(np.sum(np.exp(x - np.max(x)), axis=-1, keepdims=True)),
    "shift by the mean": lambda x: (x - np.mean(x, axis=-1, keepdims=True))
    - np.log(np.sum(np.exp(x - np.mean(x, axis=-1, keepdims=True)), axis=-1, keepdims=True)),
    "adds the maximum back": lambda x: x - logsumexp(x, axis=-1, keepdims=True),
    "reduces over the wrong axis": lambda x: (x - np.max(x, axis=0, keepdims=True))
    - np.log(np.sum(np.exp(x - np.max(x, axis=0, keepdims=True)), axis=0, keepdims=True)),
    "clips -inf to the most negative float": lambda x: np.maximum(log_softmax(x), -np.finfo(np.float64).max),
}


@pytest.mark.parametrize("name", WRONG_LOG_SOFTMAXES)
def test_stable_log_softmax_rejects_unstable_or_inaccurate_versions(name):
    assert_fails_naming_input(check_stable_log_softmax(WRONG_LOG_SOFTMAXES[name]))


def test_stable_log_softmax_messages_say_what_went_wrong():
    r = check_stable_log_softmax(WRONG_LOG_SOFTMAXES["naive log of naive softmax"])
    assert r.message.startswith("For x = [1000, 999, 0]") and "overflow" in r.message
    r = check_stable_log_softmax(WRONG_LOG_SOFTMAXES["log of a stable softmax"])
    assert "-inf where the true value is the finite" in r.message
    r = check_stable_log_softmax(WRONG_LOG_SOFTMAXES["adds the maximum back"])
    assert "above the tolerance" in r.message
    r = check_stable_log_softmax(WRONG_LOG_SOFTMAXES["one shift for the whole batch"])
    assert "of row 1 you return inf" in r.message
    r = check_stable_log_softmax(WRONG_LOG_SOFTMAXES["clips -inf to the most negative float"])
    assert "x there is -inf" in r.message


def test_stable_log_softmax_rejects_a_wrong_shape():
    r = check_stable_log_softmax(lambda x: np.sum(log_softmax_reference(x), axis=-1))
    assert r.status == "failed" and "shape" in r.message


def test_stable_log_softmax_scaffold_is_not_attempted():
    assert_not_attempted(check_stable_log_softmax(stub))
    assert_not_attempted(check_stable_log_softmax(None))


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 5), st.floats(1e-9, 1e-3))
def test_stable_log_softmax_rejects_small_relative_errors(position, error):
    def slightly_off(x):
        out = log_softmax_reference(x)
        flat = out.reshape(-1)
        flat[position % flat.size] += error * max(1.0, abs(flat[position % flat.size]))
        return out

    assert not check_stable_log_softmax(slightly_off).passed


@settings(max_examples=40, deadline=None)
@given(
    hnp.arrays(
        np.float64,
        hnp.array_shapes(min_dims=1, max_dims=2, min_side=1, max_side=8),
        elements=st.floats(-1e6, 1e6) | st.just(-np.inf),
    )
)
def test_the_mpmath_reference_agrees_with_softmaxlab(x):
    if np.any(np.all(np.isneginf(x), axis=-1)):
        return  # an all -inf row has no log-softmax (nan): not a test input
    expected = _log_softmax_reference(x)
    got = log_softmax(x)
    assert np.array_equal(np.isneginf(got), np.isneginf(expected))
    finite = np.isfinite(expected)
    np.testing.assert_allclose(got[finite], expected[finite], rtol=1e-13, atol=1e-13)
