"""Tests of softmaxlab.exercises.inversion: the checker of the inversion exercise.

Right answers, written in several ways, pass; a bank of realistic wrong answers (a dict named
``WRONG_*``) fails with a message naming the input it fails on; the untouched scaffold gives
"not attempted" without raising.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from exercise_assertions import assert_fails_naming_input, assert_not_attempted, stub
from softmaxlab.exercises import (
    check_inversion,
)
from softmaxlab.exercises.inversion import (
    INVERSION_RTOL,
    _inversion_cases,
)
from strategies import vectors


def test_inversion_reference_passes():
    assert check_inversion(np.log).passed


RIGHT_INVERSES = {
    "ln a": np.log,
    "minus ln a_1": lambda a: np.log(a) - np.log(a[0]),
    "centred": lambda a: np.log(a) - np.mean(np.log(a)),
    "ln(a / max a)": lambda a: np.log(a / a.max()),
    "C = 1e6": lambda a: np.log(a) + 1e6,
    "C = -1e6": lambda a: np.log(a) - 1e6,
    "C = 4e6": lambda a: np.log(a) + 4e6,
    "math.log in a list": lambda a: [math.log(v) for v in a],
    "SymPy column Matrix": lambda a: sp.Matrix([sp.log(sp.Float(float(v), 30)) for v in a]),
    "numpy column": lambda a: np.log(a).reshape(-1, 1),
    "log2 times ln 2": lambda a: np.log2(a) * np.log(2.0),
    "-ln(1 / a)": lambda a: -np.log(1.0 / a),
    "long double": lambda a: np.log(a.astype(np.longdouble)),
    "C = -min ln a (up to 700)": lambda a: np.log(a) - np.min(np.log(a)),
}


@pytest.mark.parametrize("name", RIGHT_INVERSES)
def test_inversion_accepts_right_answers_written_differently(name):
    r = check_inversion(RIGHT_INVERSES[name])
    assert r.passed, repr(r)


WRONG_INVERSES = {
    "returns a": lambda a: a,
    "exp a": np.exp,
    "ln a plus j": lambda a: np.log(a) + np.arange(len(a)),
    "ln a plus a": lambda a: np.log(a) + a,
    "2 ln a": lambda a: 2 * np.log(a),
    "log10 a": np.log10,
    "ln a with a reversed": lambda a: np.log(a[::-1]),
    "a constant 1e12": lambda a: np.full(np.shape(a), 1e12),
    "ln a + 1e20": lambda a: np.log(a) + 1e20,
    "ln a + 1e300": lambda a: np.log(a) + 1e300,
    "ln a + 1e10: digits rounded away": lambda a: np.log(a) + 1e10,
    "-ln a (sign)": lambda a: -np.log(a),
    "ln a in float32": lambda a: np.log(a.astype(np.float32)),
    "ln of a clipped at 1e-300": lambda a: np.log(np.maximum(a, 1e-300)),
    "ln(a + 1e-12), 'to avoid log 0'": lambda a: np.log(a + 1e-12),
    "logit ln(a / (1 - a))": lambda a: np.log(a / (1 - a)),
    "log1p(a)": np.log1p,
    "ln a rounded to 6 decimals": lambda a: np.round(np.log(a), 6),
    "ln a - ln a (all zero)": lambda a: np.log(a) - np.log(a),
    "ln a plus 1e-6 j": lambda a: np.log(a) + 1e-6 * np.arange(len(a)),
}


@pytest.mark.parametrize("name", WRONG_INVERSES)
def test_inversion_rejects_wrong_inverses(name):
    r = check_inversion(WRONG_INVERSES[name])
    assert_fails_naming_input(r)
    assert "softmax of your z" in r.message or "your z contains" in r.message, r.message


def test_inversion_rejects_complex_output():
    # the imaginary part must not be dropped
    r = check_inversion(lambda a: np.log(a) + 1j * np.arange(len(a)))
    assert_fails_naming_input(r, "complex numbers")


def test_inversion_huge_answers_fail_relative_to_the_reference():
    r = check_inversion(WRONG_INVERSES["a constant 1e12"])
    assert "relative error 0.87" in r.message and "1e-09 |reference|" in r.message
    assert "is not the same for every j: minus its value at j = 1 it is [0, -1.01111]" in r.message, r.message
    r = check_inversion(WRONG_INVERSES["ln a + 1e20"])
    assert "as large as 1e+20" in r.message and "rounds away" in r.message


def test_inversion_messages_show_distinguishing_digits():
    r = check_inversion(WRONG_INVERSES["ln a plus 1e-6 j"])
    assert "it is 0.2667696 where a_1 = 0.2667698" in r.message, r.message
    row = dict(r.details)["softmax of your z"]
    assert row != dict(r.details)["input"]


def test_inversion_rejects_infinite_output():
    r = check_inversion(lambda a: np.where(a < 1e-300, -np.inf, np.log(a)))
    assert_fails_naming_input(r, "-inf (entry 2)")


def test_inversion_scaffold_is_not_attempted():
    assert_not_attempted(check_inversion(stub))
    assert_not_attempted(check_inversion(None))


def test_inversion_cases_are_valid_probability_vectors():
    for a, _ in _inversion_cases():
        assert np.all(a > np.finfo(np.float64).tiny) and abs(math.fsum(a) - 1) < 1e-13


@settings(max_examples=40, derandomize=True, database=None)
@given(st.floats(-4e6, 4e6))
def test_inversion_accepts_every_constant(C):
    assert check_inversion(lambda a: np.log(a) + C).passed


@settings(max_examples=40, derandomize=True, database=None)
@given(st.floats(1e-7, 1e3))
def test_inversion_rejects_every_offset_that_changes_a(slope):
    # z_j = ln a_j + slope * j: softmax(z) differs from a by a relative slope or more on some entry
    assert slope > INVERSION_RTOL
    assert not check_inversion(lambda a: np.log(a) + slope * np.arange(len(a))).passed


@settings(max_examples=40, derandomize=True, database=None)
@given(vectors(-5, 5, min_size=2, max_size=2))
def test_inversion_rejects_every_non_constant_offset(slope_and_curve):
    slope, curve = slope_and_curve
    if max(abs(slope), abs(curve)) < 1e-6:
        return  # too close to a constant offset to be told apart within the tolerance: tested above

    def invert(a):
        j = np.arange(len(a))
        return np.log(a) + slope * j + curve * j**2

    assert not check_inversion(invert).passed
