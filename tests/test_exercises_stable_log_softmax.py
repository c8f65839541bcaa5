"""Tests of softmaxlab.exercises.stable_log_softmax: the checker of the stable log-softmax exercise.

Right answers written in several ways pass; a bank of realistic wrong answers
(``WRONG_LOG_SOFTMAXES``) fails with a message naming the input. Hypothesis
tests are derandomized: every run tries the same examples.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from exercise_assertions import assert_fails_naming_input, assert_not_attempted, stub
from softmaxlab import log_softmax, logsumexp, softmax
from softmaxlab.exercises import (
    check_stable_log_softmax,
)
from softmaxlab.exercises.stable_log_softmax import _reference as _log_softmax_reference

# ------------------------------------------------------------------ a stable log-softmax


def log_softmax_reference(x):
    m = np.max(x, axis=-1, keepdims=True)
    d = x - m
    return d - np.log(np.sum(np.exp(d), axis=-1, keepdims=True))


def log_softmax_log1p(x):
    """The refinement of the solution: the maximum's own term kept out of the sum, log1p of the rest."""
    m = np.max(x, axis=-1, keepdims=True)
    d = x - m
    e = np.exp(d)
    s = np.sum(e, axis=-1, keepdims=True) - 1.0
    return d - np.log1p(np.maximum(s, 0.0))


def log_softmax_rows(x):
    """One row at a time, with math.fsum; a 1-D input is a batch of one row."""
    rows = np.atleast_2d(x)
    out = np.empty_like(rows)
    for i, row in enumerate(rows):
        m = max(row)
        log_sum = math.log(math.fsum(math.exp(w - m) for w in row))
        out[i] = [v - m - log_sum for v in row]
    return out.reshape(x.shape)


def log_softmax_long_double(x):
    y = x.astype(np.longdouble)
    m = np.max(y, axis=-1, keepdims=True)
    return ((y - m) - np.log(np.sum(np.exp(y - m), axis=-1, keepdims=True))).astype(np.float64)


def log_softmax_as_list(x):
    return log_softmax_reference(x).tolist()


RIGHT_LOG_SOFTMAXES = {
    "max-shift": log_softmax_reference,
    "softmaxlab": log_softmax,
    "max-shift with log1p": log_softmax_log1p,
    "a Python loop over rows with math.fsum": log_softmax_rows,
    "in long double": log_softmax_long_double,
    "returned as nested lists": log_softmax_as_list,
    "np.amax and np.subtract": lambda x: np.subtract(
        x - np.amax(x, axis=-1, keepdims=True),
        np.log(np.exp(x - np.amax(x, axis=-1, keepdims=True)).sum(axis=-1, keepdims=True)),
    ),
}


@pytest.mark.parametrize("name", RIGHT_LOG_SOFTMAXES)
def test_stable_log_softmax_accepts_right_answers_written_differently(name):
    r = check_stable_log_softmax(RIGHT_LOG_SOFTMAXES[name])
    assert r.passed, repr(r)


def naive_then_shifted_when_infinite(x):
    """log(sum(exp(x))) first; the shifted formula only where that overflowed (or underflowed) to +-inf."""
    with np.errstate(all="ignore"):
        lse = np.log(np.sum(np.exp(x), axis=-1, keepdims=True))
    if np.all(np.isfinite(lse)):
        return x - lse
    return log_softmax_reference(x)


def naive_then_shifted_where_not_finite(x):
    with np.errstate(all="ignore"):
        out = x - np.log(np.sum(np.exp(x), axis=-1, keepdims=True))
    fix = ~np.isfinite(out) & np.isfinite(x)
    return np.where(fix, log_softmax_reference(x), out)


def naive_unless_numpy_reports_overflow(x):
    try:
        with np.errstate(over="raise"):
            return x - np.log(np.sum(np.exp(x), axis=-1, keepdims=True))
    except FloatingPointError:
        return log_softmax_reference(x)


def naive_while_every_entry_is_moderate(x):
    """The unshifted formula whenever every |x_j| <= 700, where each exp is finite and normal."""
    if np.max(np.abs(x[np.isfinite(x)])) > 700:
        return log_softmax_reference(x)
    return x - np.log(np.sum(np.exp(x), axis=-1, keepdims=True))


def plus_inf_at_minus_inf(x):
    out = log_softmax_reference(x)
    out[np.isneginf(x)] = np.inf  # "probability 0: infinitely unlikely"
    return out


def in_float32(x):
    y = x.astype(np.float32)
    m = np.max(y, axis=-1, keepdims=True)
    return (y - m) - np.log(np.sum(np.exp(y - m), axis=-1, keepdims=True))


def shift_without_keepdims(x):
    m = np.max(x, axis=-1)
    d = x - m
    return d - np.log(np.sum(np.exp(d), axis=-1))


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
    "naive, shifted only when the naive sum is infinite": naive_then_shifted_when_infinite,
    "naive, shifted only where the naive result is not finite": naive_then_shifted_where_not_finite,
    "naive unless numpy reports an overflow": naive_unless_numpy_reports_overflow,
    "naive while every |x_j| <= 700": naive_while_every_entry_is_moderate,
    "+inf where x is -inf": plus_inf_at_minus_inf,
    "computed in float32": in_float32,
    "log1p of the whole sum (counts the maximum twice)": lambda x: (x - np.max(x, axis=-1, keepdims=True))
    - np.log1p(np.sum(np.exp(x - np.max(x, axis=-1, keepdims=True)), axis=-1, keepdims=True)),
    "shift by the minimum": lambda x: (x - np.min(x, axis=-1, keepdims=True))
    - np.log(np.sum(np.exp(x - np.min(x, axis=-1, keepdims=True)), axis=-1, keepdims=True)),
    "shift without keepdims": shift_without_keepdims,
    "log of a clipped softmax": lambda x: np.log(np.clip(softmax(x), 1e-300, 1.0)),
    "np.logaddexp.reduce (adds the maximum back)": lambda x: x - np.logaddexp.reduce(x, axis=-1, keepdims=True),
    "returns the softmax": softmax,
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
    assert "above the tolerance" in r.message and "1e-12 max(1, |reference|)" in r.message
    r = check_stable_log_softmax(WRONG_LOG_SOFTMAXES["one shift for the whole batch"])
    assert "of row 1 you return inf" in r.message
    r = check_stable_log_softmax(WRONG_LOG_SOFTMAXES["clips -inf to the most negative float"])
    assert "x there is -inf" in r.message


def test_plus_inf_at_a_minus_inf_input_fails():
    r = check_stable_log_softmax(plus_inf_at_minus_inf)
    assert r.message.startswith("For x = [0, -inf, 1]") and "is -inf, but you return inf" in r.message, r.message


def test_falling_back_only_when_the_naive_sum_is_infinite_fails_where_exp_is_subnormal():
    for answer in (naive_then_shifted_when_infinite, naive_then_shifted_where_not_finite):
        r = check_stable_log_softmax(answer)
        assert r.message.startswith("For x = [-720, -721, -1000]"), r.message
        assert "you return -0.313261687515, the true value is -0.313261687518" in r.message, r.message


def test_a_guard_on_the_size_of_the_entries_fails_where_the_sum_overflows():
    r = check_stable_log_softmax(naive_while_every_entry_is_moderate)
    assert "the sum of 20000 of them overflows" in r.message and "you return -inf" in r.message, r.message


def test_stable_log_softmax_details_show_distinguishing_digits():
    r = check_stable_log_softmax(naive_then_shifted_when_infinite)
    details = dict(r.details)
    assert details["expected"] != details["got"], details
    assert details["tolerance"] == "|yours - reference| <= 1e-12 max(1, |reference|)"


def test_stable_log_softmax_rejects_a_wrong_shape():
    r = check_stable_log_softmax(lambda x: np.sum(log_softmax_reference(x), axis=-1))
    assert r.status == "failed" and "shape" in r.message


def test_stable_log_softmax_scaffold_is_not_attempted():
    assert_not_attempted(check_stable_log_softmax(stub))
    assert_not_attempted(check_stable_log_softmax(None))


@settings(max_examples=25, derandomize=True, database=None)
@given(st.integers(0, 5), st.floats(1e-9, 1e-3))
def test_stable_log_softmax_rejects_small_relative_errors(position, error):
    def slightly_off(x):
        out = log_softmax_reference(x)
        flat = out.reshape(-1)
        flat[position % flat.size] += error * max(1.0, abs(flat[position % flat.size]))
        return out

    assert not check_stable_log_softmax(slightly_off).passed


@settings(max_examples=40, derandomize=True, database=None)
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
