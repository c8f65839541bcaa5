"""Tests of softmaxlab.exercises.sigmoid_sum: the checker of the sigmoid-sum exercise.

Right answers, written in several ways, pass; a bank of realistic wrong answers (a dict named
``WRONG_*``) fails with a message naming the input it fails on; the untouched scaffold gives
"not attempted" without raising.
"""

from __future__ import annotations

import re

import mpmath
import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings

from exercise_assertions import RaisingArray, assert_fails_naming_input, assert_not_attempted
from softmaxlab.exercises import (
    check_sigmoid_sum,
)
from strategies import vectors

# The sigmoid-sum exercise takes W, b and x themselves: its messages name one of them (or z = W x + b).
NAMES_LAYER = re.compile(r"\b(W|b|x|z = W x \+ b) = \[")


def test_sigmoid_sum_reference_passes():
    r = check_sigmoid_sum(np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([0.0, 1.0]), np.array([1.0, -1.0]))
    assert r.passed, repr(r)
    assert "0.768941" in r.message  # sigmoid(-1) + sigmoid(0)


RIGHT_SIGMOID_LAYERS = {
    "solution's layer (numpy)": (
        np.array([[1.0, -2.0], [0.5, 0.5], [-1.0, 3.0]]), np.array([0.0, 0.1, -0.5]), np.array([1.0, 2.0])
    ),
    "hint 1: all zero, three outputs (sum 3/2)": (np.zeros((3, 2)), np.zeros(3), np.array([5.0, -1.0])),
    "nested lists": ([[1.0], [2.0]], [0.0, 0.0], [1.0]),
    "tuples of ints": (((1, 0), (0, 1)), (0, 0), (2, 3)),
    "integer and float32 arrays": (np.eye(2, dtype=np.int64), np.zeros(2, dtype=np.float32), np.array([1, 1])),
    "SymPy matrices, b and x as columns": (sp.Matrix([[1, 2], [3, 4]]), sp.Matrix([0, 1]), sp.Matrix([1, -1])),
    "numpy columns (K, 1) and (n, 1)": (np.array([[2.0], [1.0]]), np.zeros((2, 1)), np.ones((1, 1))),
    "every output near 0 (sum near 0, not 1)": ([[1.0], [1.0]], [0.0, 0.0], [-50.0]),
    "weighted inputs beyond float64 (exact arithmetic)": ([[1e308], [1e308]], [0.0, 0.0], [1e308]),
    "K = 10, n = 4": (np.arange(40.0).reshape(10, 4) / 40.0, np.linspace(-1, 1, 10), np.array([1.0, -1.0, 0.5, 2.0])),
}


@pytest.mark.parametrize("name", RIGHT_SIGMOID_LAYERS)
def test_sigmoid_sum_accepts_right_examples_written_differently(name):
    r = check_sigmoid_sum(*RIGHT_SIGMOID_LAYERS[name])
    assert r.passed, repr(r)


# Realistic wrong answers: W, b, x and a fragment of the expected message.
WRONG_SIGMOID_LAYERS = {
    "t and -t": (([[1.0], [-1.0]], [0.0, 0.0], [3.0]), "sigmoid(t) + sigmoid(-t) = 1"),
    "zero weights, b = (t, -t)": (([[0.0, 0.0], [0.0, 0.0]], [2.0, -2.0], [1.0, 1.0]), "sigmoid(t) + sigmoid(-t) = 1"),
    "hint 1 with two outputs: all zero, sum exactly 1": ((np.zeros((2, 3)), np.zeros(2), [1.0, 2.0, 3.0]), "exactly 1"),
    "saturated: one output near 1, one near 0": (([[40.0], [-60.0]], [0.0, 0.0], [1.0]), "saturated"),
    "nearly t and -t": (([[1.0], [-1.0]], [0.0, 1e-4], [3.0]), "within 0.001 of 1"),
    "one output (K = 1)": (([[2.0, 1.0]], [0.0], [1.0, 1.0]), "single output"),
    "W transposed (n x K)": (([[1.0, 0.5, -1.0], [-2.0, 0.5, 3.0]], [0.0, 0.1, -0.5], [1.0, 2.0]), "x must have 3"),
    "b with n entries instead of K": (
        ([[1.0, -2.0], [0.5, 0.5], [-1.0, 3.0]], [0.0, 1.0], [1.0, 2.0]), "b must have 3"
    ),
    "x with K entries instead of n": (([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], [0.0, 0.0], [1.0, 2.0]), "x must have 3"),
    "nan weight (0/0 in a computed weight)": (([[1.0, np.nan], [3.0, 4.0]], [0.0, 0.0], [1.0, 2.0]), "inf or nan"),
    "W as a flat list": (([1.0, 2.0], [0.0, 0.0], [1.0]), "matrix"),
    "x as a matrix": (([[1.0, 2.0], [3.0, 4.0]], [0.0, 0.0], [[1.0, 2.0], [3.0, 4.0]]), "vector"),
}


@pytest.mark.parametrize("name", WRONG_SIGMOID_LAYERS)
def test_sigmoid_sum_rejects_realistic_wrong_examples(name):
    (W, b, x), fragment = WRONG_SIGMOID_LAYERS[name]
    r = check_sigmoid_sum(W, b, x)
    assert_fails_naming_input(r, fragment, names_input=NAMES_LAYER)


def test_sigmoid_sum_near_the_threshold_shows_distinguishing_digits():
    r = check_sigmoid_sum([[0.0], [0.0]], [0.0, 0.004], [1.0])  # sigma(0) + sigma(0.004) = 1.000999999...
    assert r.status == "failed" and "1 + 0.000999999" in r.message, repr(r)
    assert check_sigmoid_sum([[0.0], [0.0]], [0.0, 0.0041], [1.0]).passed


def test_sigmoid_sum_failure_names_the_weighted_inputs():
    assert_fails_naming_input(check_sigmoid_sum([[1.0], [-1.0]], [0.0, 0.0], [3.0]), "z = W x + b = [3, -3]")


def test_sigmoid_sum_is_not_fooled_by_rounding_in_w_x():
    # In float64, 1e16 + 1 - 1e16 is 0, so numpy's W @ x + b gives z = (0, -1), whose sigmoids sum to
    # 0.77; exactly, z = (1, -1) and the outputs sum to 1.
    r = check_sigmoid_sum([[1e16, 1.0], [0.0, 0.0]], [-1e16, -1.0], [1.0, 1.0])
    assert r.status == "failed" and "[1, -1]" in r.message and "exactly 1" in r.message, repr(r)


@pytest.mark.parametrize(
    "W, b, x, fragment",
    [
        (RaisingArray(), [0.0, 0.0], [1.0], "W is a RaisingArray that could not be read"),
        ([[1.0], [2.0]], RaisingArray(), [1.0], "b is a RaisingArray that could not be read"),
        ([[1.0], [2.0]], [0.0, 0.0], RaisingArray(), "x is a RaisingArray that could not be read"),
        (np.array([[1 + 1j], [2.0]]), [0.0, 0.0], [1.0], "W holds complex numbers"),
        ([[1.0], [2.0]], {0.0, 1.0}, [1.0], "b is a set"),
        ([[1.0], [2.0]], [0.0, 0.0], np.sin, "x is a function"),
        ([[1.0], [2.0]], [0.0, 0.0], [[1.0, 2.0], [3.0]], "x is a list that could not be read"),
        ([[1.0], [2.0]], [0.0, 0.0], [sp.Symbol("t")], "symbolic expression t"),
        ([[1.0], [2.0]], 0.0, [1.0], "b must be a vector"),
        (np.zeros((2, 0)), [0.0, 0.0], np.zeros(0), "W is empty"),
    ],
    ids=[
        "W raises", "b raises", "x raises", "complex W", "set b", "function x", "ragged x", "symbol", "scalar b",
        "empty",
    ],
)
def test_sigmoid_sum_reads_any_value_without_raising(W, b, x, fragment):
    r = check_sigmoid_sum(W, b, x)
    assert r.status == "failed", repr(r)
    assert fragment in r.message, r.message


def test_sigmoid_sum_scaffold_is_not_attempted():
    assert_not_attempted(check_sigmoid_sum(None, None, None))
    assert_not_attempted(check_sigmoid_sum([[1.0]], None, [1.0]))


@settings(max_examples=40, derandomize=True, database=None)
@given(vectors(-20, 20, min_size=2, max_size=6))
def test_sigmoid_sum_accepts_exactly_the_examples_whose_sum_is_not_1(z):
    W, b, x = np.eye(len(z)), z, np.zeros(len(z))
    with mpmath.workdps(30):
        total = mpmath.fsum(1 / (1 + mpmath.exp(-mpmath.mpf(float(v)))) for v in z)
        expected = abs(total - 1) >= mpmath.mpf("0.001")
    assert check_sigmoid_sum(W, b, x).passed == expected


def test_sigmoid_sum_large_layers_stay_exact_where_rounding_matters():
    # more than 10^4 weights: computed in float64 with an error bound, exactly where the bound is too wide
    W = np.zeros((2, 20000))
    W[0, :2] = [1e16, 1.0]
    x = np.zeros(20000)
    x[:2] = 1.0
    r = check_sigmoid_sum(W, [-1e16, -1.0], x)
    assert r.status == "failed" and "exactly 1" in r.message, repr(r)
    assert check_sigmoid_sum(np.full((300, 300), 0.01), np.zeros(300), np.ones(300)).passed
