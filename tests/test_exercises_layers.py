"""Tests of softmaxlab.exercises.layers: the checkers of the sigmoid-sum, non-locality and inversion exercises.

For every checker: correct answers, written in several ways, pass; a bank of
realistic wrong answers (a dict named ``WRONG_*``) fails with a message naming
the input it fails on; the untouched scaffold gives "not attempted" without
raising. Hypothesis tests are derandomized: every run tries the same examples.
"""

from __future__ import annotations

import math
import re

import mpmath
import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from softmaxlab import softmax
from softmaxlab.exercises import (
    check_inversion,
    check_non_locality,
    check_sigmoid_sum,
)
from softmaxlab.exercises.layers import (
    INVERSION_RTOL,
    _LAYERS,
    _inversion_cases,
    _non_locality_points,
    _true_dependence,
)

import exercise_assertions as shared
from exercise_assertions import assert_not_attempted, stub

# A failure message names its input: "z = [...]", "a = [...]", "x = [...]" or "K = ..., y = [...]".
NAMES_INPUT = re.compile(r"\b(z|a|x|y|z = W x \+ b) = \[")
# The sigmoid-sum exercise takes W, b and x themselves: its messages name one of them (or z = W x + b).
NAMES_LAYER = re.compile(r"\b(W|b|x|z = W x \+ b) = \[")


def assert_fails_naming_input(result, *fragments: str) -> None:
    shared.assert_fails_naming_input(result, NAMES_INPUT, *fragments)


# ------------------------------------------------------------------ sigmoid outputs need not sum to 1


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
    "b with n entries instead of K": (([[1.0, -2.0], [0.5, 0.5], [-1.0, 3.0]], [0.0, 1.0], [1.0, 2.0]), "b must have 3"),
    "x with K entries instead of n": (([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], [0.0, 0.0], [1.0, 2.0]), "x must have 3"),
    "nan weight (0/0 in a computed weight)": (([[1.0, np.nan], [3.0, 4.0]], [0.0, 0.0], [1.0, 2.0]), "inf or nan"),
    "W as a flat list": (([1.0, 2.0], [0.0, 0.0], [1.0]), "matrix"),
    "x as a matrix": (([[1.0, 2.0], [3.0, 4.0]], [0.0, 0.0], [[1.0, 2.0], [3.0, 4.0]]), "vector"),
}


@pytest.mark.parametrize("name", WRONG_SIGMOID_LAYERS)
def test_sigmoid_sum_rejects_realistic_wrong_examples(name):
    (W, b, x), fragment = WRONG_SIGMOID_LAYERS[name]
    r = check_sigmoid_sum(W, b, x)
    shared.assert_fails_naming_input(r, NAMES_LAYER, fragment)


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


class RaisingArray:
    def __array__(self, *args, **kwargs):
        raise RuntimeError("this object refuses to be an array")

    def __len__(self):
        raise RuntimeError("no length either")


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
    ids=["W raises", "b raises", "x raises", "complex W", "set b", "function x", "ragged x", "symbol", "scalar b", "empty"],
)
def test_sigmoid_sum_reads_any_value_without_raising(W, b, x, fragment):
    r = check_sigmoid_sum(W, b, x)
    assert r.status == "failed", repr(r)
    assert fragment in r.message, r.message


def test_sigmoid_sum_scaffold_is_not_attempted():
    assert_not_attempted(check_sigmoid_sum(None, None, None))
    assert_not_attempted(check_sigmoid_sum([[1.0]], None, [1.0]))


@settings(max_examples=40, deadline=None, derandomize=True, database=None)
@given(hnp.arrays(np.float64, st.integers(2, 6), elements=st.floats(-20, 20)))
def test_sigmoid_sum_accepts_exactly_the_examples_whose_sum_is_not_1(z):
    W, b, x = np.eye(len(z)), z, np.zeros(len(z))
    with mpmath.workdps(30):
        total = mpmath.fsum(1 / (1 + mpmath.exp(-mpmath.mpf(float(v)))) for v in z)
        expected = abs(total - 1) >= mpmath.mpf("0.001")
    assert check_sigmoid_sum(W, b, x).passed == expected


# ------------------------------------------------------------------ non-locality


def influence_reference(layer, z, h=1e-6):
    base = layer(z)
    return np.array([layer(z + h * e) != base for e in np.eye(len(z))]).T


def test_non_locality_reference_passes():
    assert check_non_locality(influence_reference).passed


def _central_exact(layer, z, h=1e-6):
    return np.column_stack([layer(z + h * e) != layer(z - h * e) for e in np.eye(len(z))])


def _loop_with_copies(layer, z, h=1e-6):
    K = len(z)
    base = layer(z)
    D = np.zeros((K, K), dtype=bool)
    for k in range(K):
        moved = z.copy()
        moved[k] += h
        D[:, k] = layer(moved) != base
    return D


RIGHT_INFLUENCES = {
    "h = 1e-6, forward, exact comparison": influence_reference,
    "h = 1e-8": lambda layer, z: influence_reference(layer, z, h=1e-8),
    "h = 1e-4": lambda layer, z: influence_reference(layer, z, h=1e-4),
    "h = 1e-3": lambda layer, z: influence_reference(layer, z, h=1e-3),
    "backward difference": lambda layer, z: np.array([layer(z - 1e-6 * e) != layer(z) for e in np.eye(len(z))]).T,
    "central difference, exact comparison": _central_exact,
    "loop over copies of z": _loop_with_copies,
    "0/1 integers": lambda layer, z: influence_reference(layer, z).astype(int),
    "nested lists of bools": lambda layer, z: influence_reference(layer, z).tolist(),
    "step relative to |z_k|": lambda layer, z: np.array(
        [layer(z + 1e-6 * max(1.0, abs(zk)) * e) != layer(z) for zk, e in zip(z, np.eye(len(z)))]
    ).T,
}


@pytest.mark.parametrize("name", RIGHT_INFLUENCES)
def test_non_locality_accepts_right_answers_written_differently(name):
    r = check_non_locality(RIGHT_INFLUENCES[name])
    assert r.passed, repr(r)


def _threshold(tau, h=1e-6, relative=False):
    def influence(layer, z):
        base = layer(z)
        change = np.array([np.abs(layer(z + h * e) - base) for e in np.eye(len(z))]).T
        return change > (tau * np.abs(base)[:, None] if relative else tau)

    return influence


def _central_threshold(layer, z, h=1e-5):
    change = np.array([layer(z + h * e) - layer(z - h * e) for e in np.eye(len(z))]).T
    return np.abs(change) > 1e-12


def _cumulative_nudges(layer, z, h=1e-6):
    base = layer(z)
    columns = []
    for k in range(len(z)):
        z[k] += h  # never put back: later columns see every earlier nudge too
        columns.append(layer(z) != base)
    return np.column_stack(columns)


WRONG_INFLUENCES = {
    "every layer is local": lambda layer, z: np.eye(len(z), dtype=bool),
    "everything depends on everything": lambda layer, z: np.ones((len(z), len(z)), dtype=bool),
    "transposed": lambda layer, z: influence_reference(layer, z).T,
    "step too small to change z": lambda layer, z: influence_reference(layer, z, h=1e-300),
    "threshold too large": _threshold(1e-3),
    "returns magnitudes, not booleans": lambda layer, z: np.array(
        [np.abs(layer(z + 1e-3 * e) - layer(z)) for e in np.eye(len(z))]
    ).T,
    "absolute threshold 1e-12": _threshold(1e-12),
    "absolute threshold 1e-15, h = 1e-4": _threshold(1e-15, h=1e-4),
    "central difference with threshold 1e-12": _central_threshold,
    "relative threshold 1e-8": _threshold(1e-8, relative=True),
    "np.isclose": lambda layer, z: np.array([~np.isclose(layer(z + 1e-6 * e), layer(z)) for e in np.eye(len(z))]).T,
    "any output changed marks the whole column": lambda layer, z: np.array(
        [np.full(len(z), np.any(layer(z + 1e-6 * e) != layer(z))) for e in np.eye(len(z))]
    ).T,
    "nudges every input at once": lambda layer, z: np.tile((layer(z + 1e-6) != layer(z))[:, None], (1, len(z))),
    "relative step z (1 + h): no nudge at z_k = 0": lambda layer, z: np.array(
        [layer(z * (1 + 1e-6 * e)) != layer(z) for e in np.eye(len(z))]
    ).T,
    "nudges accumulate (z changed in place)": _cumulative_nudges,
    "off by one: nudges input k + 1": lambda layer, z: np.array(
        [layer(z + 1e-6 * np.roll(e, 1)) != layer(z) for e in np.eye(len(z))]
    ).T,
    "float32 nudge against a float64 base": lambda layer, z: np.array(
        [layer(z.astype(np.float32) + np.float32(1e-6) * e.astype(np.float32)) != layer(z) for e in np.eye(len(z))]
    ).T,
}


@pytest.mark.parametrize("name", WRONG_INFLUENCES)
def test_non_locality_rejects_wrong_influence_functions(name):
    assert_fails_naming_input(check_non_locality(WRONG_INFLUENCES[name]))


def test_non_locality_message_names_layer_point_and_entry():
    r = check_non_locality(WRONG_INFLUENCES["every layer is local"])
    assert r.message.startswith("For the softmax layer at z = [0, 0, 0] (a tie), your function says output 1 does not depend on input 2")
    assert dict(r.details)["expected"] == "[[1, 1, 1], [1, 1, 1], [1, 1, 1]]"


def test_non_locality_catches_transposition_on_the_triangular_layer():
    r = check_non_locality(WRONG_INFLUENCES["transposed"])
    assert "running_sum_sigmoid_layer" in r.message


def test_non_locality_threshold_is_caught_with_advice():
    # |change| > 1e-12 after a nudge of 1e-6 (it passed when every point had moderate outputs): wrong at z = (4, -4, -4)
    r = check_non_locality(WRONG_INFLUENCES["absolute threshold 1e-12"])
    assert r.message.startswith("For the softmax layer at z = [4, -4, -4]"), r.message
    assert "output 2 does not depend on input 3, but it does" in r.message
    assert "moves by only about 1.1e-13" in r.message and "exactly (!=)" in r.message
    r = check_non_locality(WRONG_INFLUENCES["absolute threshold 1e-15, h = 1e-4"])
    assert "running_sum_sigmoid_layer" in r.message and "z = [-4, -4, -4, -4, -4, -4, -4, -4]" in r.message


def test_every_point_keeps_its_promise():
    """|z_k| <= 4, and an exact comparison detects every true dependence (and no other) for h = 1e-8 to 1e-3."""
    for z, _ in _non_locality_points():
        assert np.max(np.abs(z)) <= 4
        for layer, _ in _LAYERS:
            truth = _true_dependence(layer.__name__, len(z))
            for h in (1e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3):
                assert np.array_equal(influence_reference(layer, z, h), truth), (layer.__name__, z, h)


def test_non_locality_scaffold_is_not_attempted():
    assert_not_attempted(check_non_locality(stub))
    assert_not_attempted(check_non_locality(None))


# ------------------------------------------------------------------ inversion


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


@settings(max_examples=40, deadline=None, derandomize=True, database=None)
@given(st.floats(-4e6, 4e6))
def test_inversion_accepts_every_constant(C):
    assert check_inversion(lambda a: np.log(a) + C).passed


@settings(max_examples=40, deadline=None, derandomize=True, database=None)
@given(st.floats(1e-7, 1e3))
def test_inversion_rejects_every_offset_that_changes_a(slope):
    # z_j = ln a_j + slope * j: softmax(z) differs from a by a relative slope or more on some entry
    assert slope > INVERSION_RTOL
    assert not check_inversion(lambda a: np.log(a) + slope * np.arange(len(a))).passed


@settings(max_examples=40, deadline=None, derandomize=True, database=None)
@given(hnp.arrays(np.float64, 2, elements=st.floats(-5, 5)))
def test_inversion_rejects_every_non_constant_offset(slope_and_curve):
    slope, curve = slope_and_curve
    if max(abs(slope), abs(curve)) < 1e-6:
        return  # too close to a constant offset to be told apart within the tolerance: tested above

    def invert(a):
        j = np.arange(len(a))
        return np.log(a) + slope * j + curve * j**2

    assert not check_inversion(invert).passed


def test_sigmoid_sum_large_layers_stay_exact_where_rounding_matters():
    # more than 10^4 weights: computed in float64 with an error bound, exactly where the bound is too wide
    W = np.zeros((2, 20000))
    W[0, :2] = [1e16, 1.0]
    x = np.zeros(20000)
    x[:2] = 1.0
    r = check_sigmoid_sum(W, [-1e16, -1.0], x)
    assert r.status == "failed" and "exactly 1" in r.message, repr(r)
    assert check_sigmoid_sum(np.full((300, 300), 0.01), np.zeros(300), np.ones(300)).passed
