"""Tests of softmaxlab.exercises.exp_overflow: the checker of the exercise on where exp overflows.

Right answers, written in several ways, pass; a bank of realistic wrong answers (a dict named
``WRONG_*``) fails with a message naming the format it fails on; the untouched scaffold gives
"not attempted" without raising.
"""

from __future__ import annotations

import math
import re

import ml_dtypes
import mpmath
import numpy as np
import pytest

from exercise_assertions import assert_fails_naming_input, assert_not_attempted, stub
from softmaxlab import float_format
from softmaxlab.exercises import check_exp_overflow
from softmaxlab.exercises.exp_overflow import _FORMATS, _reference

NAMES_FORMAT = re.compile(r"dtype = (float16|bfloat16|float32|float64)\b")
BF16 = np.dtype(ml_dtypes.bfloat16)


def step(x, dtype, k):
    """``k`` numbers of the format up (k > 0) or down from the positive format number ``x``."""
    bits = np.array([x], dtype=dtype).view(f"u{dtype.itemsize}")
    return (bits + bits.dtype.type(k) if k > 0 else bits - bits.dtype.type(-k)).view(dtype)[0]


def by_rounding_down(dtype):
    """The solution: t = log(max + ulp(max)/2) at 50 digits, rounded down to the format."""
    info = ml_dtypes.finfo(dtype)
    with mpmath.workdps(50):
        t = mpmath.log(mpmath.mpf(float(info.max)) + mpmath.ldexp(1, int(info.maxexp) - info.nmant - 2))
    x = np.array([float(t)]).astype(dtype)[0]
    while float(x) > t:
        x = step(float(x), dtype, -1)
    return x


def by_bisection_on_bits(dtype):
    """Bisect over the bit patterns of the positive numbers, asking numpy's own exp."""
    width = f"u{dtype.itemsize}"
    lo = int(np.array([1.0], dtype=dtype).view(width)[0])                    # exp(1) is finite
    hi = int(np.array([np.inf], dtype=dtype).view(width)[0])                 # exp(inf) is not
    while hi - lo > 1:
        mid = (lo + hi) // 2
        x = np.array([mid], dtype=width).view(dtype)
        with np.errstate(over="ignore"):
            finite = bool(np.isfinite(np.exp(x))[0])
        lo, hi = (mid, hi) if finite else (lo, mid)
    return np.array([lo], dtype=width).view(dtype)[0]


def by_log1p_in_float64(dtype):
    """log(max + ulp/2) = log(max) + log1p(2**-(p+1) / (1 - 2**-p)), in float64, then rounded down."""
    info = ml_dtypes.finfo(dtype)
    p = info.nmant + 1
    t = math.log(float(info.max)) + math.log1p(2.0 ** -(p + 1) / (1 - 2.0 ** -p))
    x = float(np.array([t]).astype(dtype)[0].astype(np.float64))
    if x > t:
        x = float(step(x, dtype, -1).astype(np.float64))
    return x


RIGHT = {
    "rounding down at 50 digits (a scalar of the format)": by_rounding_down,
    "bisection on the bit patterns with numpy's exp": by_bisection_on_bits,
    "log1p in float64, as a Python float": by_log1p_in_float64,
    "the library's float_format": lambda dtype: float_format(dtype).exp_largest_finite_input,
    "a 0-d array": lambda dtype: np.array(float_format(dtype).exp_largest_finite_input),
    "a float64 scalar": lambda dtype: np.float64(float_format(dtype).exp_largest_finite_input),
}


@pytest.mark.parametrize("name", RIGHT)
def test_exp_overflow_right_answers_pass(name):
    r = check_exp_overflow(RIGHT[name])
    assert r.passed, r.message
    assert "all 4 formats" in r.message


def _nearest(dtype, value):
    return np.array([value]).astype(dtype)[0]


WRONG_THRESHOLDS = {
    "log(max), not a number of the format": (lambda d: math.log(ml_dtypes.finfo(d).max), "not a float16 number"),
    "log(max) rounded to nearest": (lambda d: _nearest(d, math.log(ml_dtypes.finfo(d).max)), "rounds to infinity"),
    "log(2**maxexp) rounded to nearest": (lambda d: _nearest(d, ml_dtypes.finfo(d).maxexp * math.log(2)),
                                          "rounds to infinity"),
    "the smallest overflowing input": (lambda d: step(_reference(d), d, 1), "rounds to infinity"),
    "one number of the format too low": (lambda d: step(_reference(d), d, -1), "not the largest"),
    "float32's threshold for every format": (lambda d: 88.72283172607422, "not a float16 number"),
    "np.log of finfo.max, in the format": (lambda d: np.log(ml_dtypes.finfo(d).max), "rounds to infinity"),
    "float64's threshold computed in float32": (lambda d: by_rounding_down(d) if d.itemsize < 8 else
                                                np.float32(by_rounding_down(d)), "dtype = float64"),
    "a crash on bfloat16": (lambda d: by_rounding_down(d) if d == np.float16 else 1 / 0, "raised"),
    "the underflow threshold instead": (lambda d: float_format(d).exp_smallest_nonzero_input, "not the largest"),
    "right except float64, typed digits": (lambda d: 709.78 if d == np.float64 else by_rounding_down(d),
                                           "not the largest"),
    "right in the 2-byte formats, nearest in float32": (
        lambda d: by_rounding_down(d) if d.itemsize == 2 else _nearest(d, math.log(ml_dtypes.finfo(d).max)),
        "dtype = float32"),
    "max itself": (lambda d: ml_dtypes.finfo(d).max, "rounds to infinity"),
}


@pytest.mark.parametrize("name", WRONG_THRESHOLDS)
def test_exp_overflow_rejects_wrong_thresholds(name):
    answer, fragment = WRONG_THRESHOLDS[name]
    r = check_exp_overflow(answer)
    assert_fails_naming_input(r, fragment, names_input=NAMES_FORMAT)
    assert "expected" in dict(r.details) or "raised" in r.message


@pytest.mark.parametrize("value, fragment", [(float("nan"), "finite"), (float("inf"), "finite"), (-np.inf, "finite"),
                                             ("11.0859375", "str"), ([11.0859375, 1.0], "shape"), (1 + 1j, "complex")])
def test_exp_overflow_rejects_non_numbers(value, fragment):
    r = check_exp_overflow(lambda d: value)
    assert r.status == "failed" and "float16" in r.message
    assert fragment in r.message, r.message


def test_exp_overflow_reads_bfloat16_answers_exactly():
    answers = {name: _reference(dtype) for name, dtype in _FORMATS}
    r = check_exp_overflow(lambda d: np.array([answers[d.name]]).astype(d)[0] if d == BF16 else answers[d.name])
    assert r.passed, r.message


def test_exp_overflow_reference_is_the_threshold():
    # the reference agrees with the library's independent computation, and with numpy's exp
    for _, dtype in _FORMATS:
        x = _reference(dtype)
        assert x == float_format(dtype).exp_largest_finite_input
        with np.errstate(over="ignore"):
            assert np.isfinite(np.exp(np.array([x]).astype(dtype)))[0]
            assert np.isinf(np.exp(np.array([step(x, dtype, 1)])))[0]
    assert _reference(np.dtype(np.float16)) == 11.0859375


def test_exp_overflow_scaffold_is_not_attempted():
    assert_not_attempted(check_exp_overflow(stub))
    assert_not_attempted(check_exp_overflow(None))
