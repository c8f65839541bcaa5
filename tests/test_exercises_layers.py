"""Tests of softmaxlab.exercises.layers: the checkers of the sigmoid-sum, non-locality and inversion exercises.

For every checker: correct answers pass; realistic wrong answers fail with a
message naming the input they fail on; the untouched scaffold gives "not
attempted" without raising.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from softmaxlab.exercises import (
    check_inversion,
    check_non_locality,
    check_sigmoid_sum,
)

import exercise_assertions as shared
from exercise_assertions import assert_not_attempted, stub

# A failure message names its input: "z = [...]", "a = [...]", "x = [...]" or "K = ..., y = [...]".
NAMES_INPUT = re.compile(r"\b(z|a|x|y|z = W x \+ b) = \[")


def assert_fails_naming_input(result, *fragments: str) -> None:
    shared.assert_fails_naming_input(result, NAMES_INPUT, *fragments)


# ------------------------------------------------------------------ exercise 1: sigmoid outputs need not sum to 1


def test_sigmoid_sum_reference_passes():
    r = check_sigmoid_sum(np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([0.0, 1.0]), np.array([1.0, -1.0]))
    assert r.passed, repr(r)
    assert "0.768941" in r.message  # sigmoid(-1) + sigmoid(0)


@pytest.mark.parametrize(
    "W, b, x, fragment",
    [
        ([[1.0], [-1.0]], [0.0, 0.0], [3.0], "sigmoid(t) + sigmoid(-t) = 1"),  # the symmetric trap
        ([[0.0, 0.0], [0.0, 0.0]], [2.0, -2.0], [1.0, 1.0], "sigmoid(t) + sigmoid(-t) = 1"),
        ([[2.0, 1.0]], [0.0], [1.0, 1.0], "single output"),  # K = 1
        ([[1.0, 2.0], [3.0, 4.0]], [0.0, 0.0], [1.0, 2.0, 3.0], "x must have 2 entries"),
        ([[1.0, 2.0], [3.0, 4.0]], [0.0], [1.0, 2.0], "b must have 2 entries"),
        ([[1.0, np.nan], [3.0, 4.0]], [0.0, 0.0], [1.0, 2.0], "inf or nan"),
        ([1.0, 2.0], [0.0, 0.0], [1.0], "matrix"),
    ],
    ids=["t and -t", "b = (t, -t)", "one output", "x too long", "b too short", "nan weight", "W not 2-D"],
)
def test_sigmoid_sum_rejects_non_examples(W, b, x, fragment):
    r = check_sigmoid_sum(W, b, x)
    assert r.status == "failed", repr(r)
    assert fragment in r.message


def test_sigmoid_sum_failure_names_the_weighted_inputs():
    assert_fails_naming_input(check_sigmoid_sum([[1.0], [-1.0]], [0.0, 0.0], [3.0]), "z = [3, -3]")


def test_sigmoid_sum_scaffold_is_not_attempted():
    assert_not_attempted(check_sigmoid_sum(None, None, None))
    assert_not_attempted(check_sigmoid_sum([[1.0]], None, [1.0]))


@settings(max_examples=40, deadline=None)
@given(hnp.arrays(np.float64, st.integers(2, 6), elements=st.floats(-20, 20)))
def test_sigmoid_sum_accepts_exactly_the_examples_whose_sum_is_not_1(z):
    W, b, x = np.eye(len(z)), z, np.zeros(len(z))
    total = float(np.sum(1 / (1 + np.exp(-z))))
    assert check_sigmoid_sum(W, b, x).passed == (abs(total - 1) >= 1e-3)


# ------------------------------------------------------------------ exercise 3: non-locality


def influence_reference(layer, z, h=1e-6):
    base = layer(z)
    return np.array([layer(z + h * e) != base for e in np.eye(len(z))]).T


def test_non_locality_reference_passes():
    assert check_non_locality(influence_reference).passed


def test_non_locality_accepts_a_central_difference_with_a_threshold():
    def influence(layer, z, h=1e-5):
        change = np.array([layer(z + h * e) - layer(z - h * e) for e in np.eye(len(z))]).T
        return np.abs(change) > 1e-12

    assert check_non_locality(influence).passed


WRONG_INFLUENCES = {
    "every layer is local": lambda layer, z: np.eye(len(z), dtype=bool),
    "everything depends on everything": lambda layer, z: np.ones((len(z), len(z)), dtype=bool),
    "transposed": lambda layer, z: influence_reference(layer, z).T,
    "step too small to change z": lambda layer, z: influence_reference(layer, z, h=1e-300),
    "threshold too large": lambda layer, z: np.array(
        [np.abs(layer(z + 1e-6 * e) - layer(z)) > 1e-3 for e in np.eye(len(z))]
    ).T,
    "returns magnitudes, not booleans": lambda layer, z: np.array(
        [np.abs(layer(z + 1e-3 * e) - layer(z)) for e in np.eye(len(z))]
    ).T,
}


@pytest.mark.parametrize("name", WRONG_INFLUENCES)
def test_non_locality_rejects_wrong_influence_functions(name):
    r = check_non_locality(WRONG_INFLUENCES[name])
    assert r.status == "failed", repr(r)
    assert re.search(r"z = \[", r.message), r.message


def test_non_locality_message_names_layer_point_and_entry():
    r = check_non_locality(WRONG_INFLUENCES["every layer is local"])
    assert r.message.startswith("For the softmax layer at z = [0, 0, 0] (a tie), your function says output 1 does not depend on input 2")
    assert dict(r.details)["expected"] == "[[1, 1, 1], [1, 1, 1], [1, 1, 1]]"


def test_non_locality_catches_transposition_on_the_triangular_layer():
    r = check_non_locality(WRONG_INFLUENCES["transposed"])
    assert "running_sum_sigmoid_layer" in r.message


def test_non_locality_scaffold_is_not_attempted():
    assert_not_attempted(check_non_locality(stub))
    assert_not_attempted(check_non_locality(None))


# ------------------------------------------------------------------ exercise 4: inversion


def test_inversion_reference_passes():
    assert check_inversion(np.log).passed


@pytest.mark.parametrize(
    "invert",
    [
        lambda a: np.log(a) - np.log(a[0]),  # a per-vector constant
        lambda a: np.log(a) - np.mean(np.log(a)),
        lambda a: np.log(a / a.max()),
        lambda a: np.log(a) + 1e6,
    ],
    ids=["minus ln a_1", "centred", "ln(a / max a)", "C = 1e6"],
)
def test_inversion_accepts_any_constant(invert):
    assert check_inversion(invert).passed


WRONG_INVERSES = {
    "returns a": lambda a: a,
    "exp a": np.exp,
    "ln a plus j": lambda a: np.log(a) + np.arange(len(a)),
    "ln a plus a": lambda a: np.log(a) + a,
    "2 ln a": lambda a: 2 * np.log(a),
    "log10 a": np.log10,
    "ln a with a reversed": lambda a: np.log(a[::-1]),
}


@pytest.mark.parametrize("name", WRONG_INVERSES)
def test_inversion_rejects_wrong_inverses(name):
    assert_fails_naming_input(check_inversion(WRONG_INVERSES[name]), "softmax(z) =")


def test_inversion_rejects_infinite_output():
    r = check_inversion(lambda a: np.where(a < 1e-300, -np.inf, np.log(a)))
    assert_fails_naming_input(r, "inf or nan")


def test_inversion_scaffold_is_not_attempted():
    assert_not_attempted(check_inversion(stub))
    assert_not_attempted(check_inversion(None))


@settings(max_examples=40, deadline=None)
@given(st.floats(-1e6, 1e6))
def test_inversion_accepts_every_constant(C):
    assert check_inversion(lambda a: np.log(a) + C).passed


@settings(max_examples=40, deadline=None)
@given(hnp.arrays(np.float64, 2, elements=st.floats(-5, 5)))
def test_inversion_rejects_every_non_constant_offset(slope_and_curve):
    slope, curve = slope_and_curve
    if max(abs(slope), abs(curve)) < 1e-6:
        return  # a constant offset: accepted, tested above

    def invert(a):
        j = np.arange(len(a))
        return np.log(a) + slope * j + curve * j**2

    assert not check_inversion(invert).passed
