"""Tests of softmaxlab.exercises: the result object, the helpers, and the checkers of exercises 1-7.

For every checker: the reference solution passes; realistic wrong answers fail
with a message naming the input they fail on; the untouched scaffold (None, or
a function raising NotImplementedError) gives "not attempted" without raising.
Hypothesis then varies the answers (constants, offsets, perturbations) and
tests the references the checkers compare against.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from softmaxlab import log_softmax, logsumexp, softmax
from softmaxlab.exercises import (
    CheckResult,
    call_answer,
    check_argmax_limit,
    check_cross_entropy_gradient,
    check_inversion,
    check_monotonicity,
    check_non_locality,
    check_sigmoid_sum,
    check_stable_log_softmax,
    checker,
    fail,
    first_mismatch,
    fmt,
    require_answer,
)
from softmaxlab.exercises.limits import _limit_reference
from softmaxlab.exercises.numerics import _reference as _log_softmax_reference

import exercise_assertions as shared
from exercise_assertions import assert_not_attempted, stub

# A failure message names its input: "z = [...]", "a = [...]", "x = [...]" or "K = ..., y = [...]".
NAMES_INPUT = re.compile(r"\b(z|a|x|y|z = W x \+ b) = \[")


def assert_fails_naming_input(result, *fragments: str) -> None:
    shared.assert_fails_naming_input(result, NAMES_INPUT, *fragments)


# ------------------------------------------------------------------ the result object and helpers


def test_result_renders_as_text_and_html_without_addresses():
    r = CheckResult("Demo <b>", "failed", "For z = [1, 2] <wrong>.", (("expected", "[0.5, 0.5]"), ("got", "<x>")))
    text = repr(r)
    assert text.startswith("[failed] Demo <b>: For z = [1, 2] <wrong>.")
    assert "  expected: [0.5, 0.5]" in text and "  got: <x>" in text
    page = r._repr_html_()
    assert "&lt;wrong&gt;" in page and "&lt;x&gt;" in page and "<b>" not in page, "HTML must be escaped"
    assert "softmaxlab-check-failed" in page
    for rendered in (text, page):
        assert not re.search(r"0x[0-9a-fA-F]{6,}", rendered)


@pytest.mark.parametrize("status, heading", [("passed", "Passed"), ("failed", "Not yet right"), ("not attempted", "Not attempted yet")])
def test_each_status_has_its_own_heading(status, heading):
    r = CheckResult("Demo", status, "message")
    assert heading in r._repr_html_()
    assert r.passed == (status == "passed")
    assert r.attempted == (status != "not attempted")


def test_result_rejects_an_unknown_status():
    with pytest.raises(ValueError, match="status"):
        CheckResult("Demo", "maybe", "message")


def test_checker_decorator_maps_outcomes_to_statuses():
    @checker("Demo")
    def check(value):
        require_answer(value)
        if value < 0:
            fail("For x = [-1] it is negative.", input=value, max_error=1e-3)
        return "Fine.", (("value", fmt(value)),)

    assert check(None).status == "not attempted"
    bad = check(-1)
    assert bad.status == "failed" and bad.details == (("input", "-1"), ("max error", "0.001"))
    good = check(2.0)
    assert good.passed and good.details == (("value", "2"),)


def test_call_answer_reports_crashes_and_stubs_without_raising():
    @checker("Demo")
    def check(f):
        call_answer(f, np.array([1.0, 2.0]), on="z = [1, 2]")
        return "ok"

    assert_not_attempted(check(stub))
    assert_not_attempted(check(None))
    crashed = check(lambda z: z[5])
    assert crashed.status == "failed" and "z = [1, 2]" in crashed.message and "IndexError" in crashed.message
    called = check(np.log(2.0))  # the reader passed a value instead of the function
    assert called.status == "failed" and "function" in called.message


def test_fmt_is_exact_for_inputs_and_rounded_for_results():
    assert fmt([1e308, -np.inf, np.nan, 0.0, -0.0]) == "[1e+308, -inf, nan, 0, 0]"
    assert fmt(1 / 3) == "0.333333" and fmt(1 / 3, digits=None) == "0.3333333333333333"
    assert fmt(np.eye(2, dtype=int)) == "[[1, 0], [0, 1]]"
    assert fmt(np.arange(12.0), max_items=4) == "[0, 1, ..., 10, 11] (12 entries)"
    assert fmt(True) == "True" and fmt("text") == "text"


def test_first_mismatch_finds_the_worst_entry_and_respects_infinities():
    got = np.array([1.0, 2.1, 3.0, np.nan])
    expected = np.array([1.0, 2.0, 3.0, 4.0])
    assert first_mismatch(got, expected, rtol=0, atol=1e-3) == (3,)  # nan is the worst
    assert first_mismatch(got[:3], expected[:3], rtol=0, atol=1e-3) == (1,)
    assert first_mismatch(np.array([-np.inf]), np.array([-np.inf]), rtol=0, atol=0) is None
    assert first_mismatch(np.array([np.inf]), np.array([-np.inf]), rtol=0, atol=0) == (0,)


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


# ------------------------------------------------------------------ exercise 2: monotonicity


def jacobian_reference(z):
    a = softmax(z)
    return np.diag(a) - np.outer(a, a)


def test_monotonicity_reference_passes():
    assert check_monotonicity(jacobian_reference).passed


def test_monotonicity_accepts_the_library_jacobian():
    from softmaxlab import softmax_jacobian

    assert check_monotonicity(softmax_jacobian).passed


def _naive_softmax(z):
    e = np.exp(z)
    return e / e.sum()


WRONG_JACOBIANS = {
    "wrong sign on the diagonal": lambda z: -np.diag(softmax(z) * (1 - softmax(z)))
    + (jacobian_reference(z) - np.diag(np.diag(jacobian_reference(z)))),
    "everything negated": lambda z: -jacobian_reference(z),
    "the sigmoid's diagonal Jacobian": lambda z: np.diag(np.exp(-np.logaddexp(0, -z)) * np.exp(-np.logaddexp(0, z))),
    "softmax's diagonal only": lambda z: np.diag(softmax(z) * (1 - softmax(z))),
    "a_j instead of a_k (transposed index)": lambda z: softmax(z)[:, None] * (np.eye(len(z)) - softmax(z)[:, None]),
    "off by one (rolled a)": lambda z: np.diag(softmax(z)) - np.outer(softmax(z), np.roll(softmax(z), 1)),
    "missing the diagonal term": lambda z: -np.outer(softmax(z), softmax(z)),
    "the log-softmax Jacobian": lambda z: np.eye(len(z)) - np.outer(np.ones(len(z)), softmax(z)),
    "naive exp overflows": lambda z: np.diag(_naive_softmax(z)) - np.outer(_naive_softmax(z), _naive_softmax(z)),
}


@pytest.mark.parametrize("name", WRONG_JACOBIANS)
def test_monotonicity_rejects_wrong_jacobians(name):
    assert_fails_naming_input(check_monotonicity(WRONG_JACOBIANS[name]), "entry (")


def test_monotonicity_names_the_overflowing_input_and_explains():
    r = check_monotonicity(WRONG_JACOBIANS["naive exp overflows"])
    assert "z = [1000, 0, -1000]" in r.message and "inf or nan" in r.message


def test_monotonicity_says_when_a_jacobian_is_diagonal():
    r = check_monotonicity(WRONG_JACOBIANS["the sigmoid's diagonal Jacobian"])
    assert "diagonal, like a sigmoid layer" in r.message


def test_monotonicity_rejects_a_wrong_shape():
    r = check_monotonicity(lambda z: softmax(z))
    assert r.status == "failed" and "shape" in r.message and "z = [" in r.message


def test_monotonicity_scaffold_is_not_attempted():
    assert_not_attempted(check_monotonicity(stub))
    assert_not_attempted(check_monotonicity(None))


@settings(max_examples=30, deadline=None)
@given(
    j=st.integers(0, 1),
    k=st.integers(0, 1),
    delta=st.floats(1e-6, 1.0) | st.floats(-1.0, -1e-6),
)
def test_monotonicity_rejects_any_perturbed_entry(j, k, delta):
    def perturbed(z):
        J = jacobian_reference(z)
        J[j, k] += delta
        return J

    assert not check_monotonicity(perturbed).passed


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


# ------------------------------------------------------------------ exercise 5: the cross-entropy gradient


@pytest.mark.parametrize(
    "gradient",
    [
        lambda p, y: p - y,
        lambda p, y: [p[j] - y[j] for j in range(len(p))],
        lambda p, y: sp.Matrix([sp.exp(sp.log(p[j])) - y[j] for j in range(len(p))]),
        # writes p_j - 1 at the label as minus the sum of the other outputs: equal because sum(p) = 1
        lambda p, y: [p[j] if y[j] == 0 else -sum(p[i] for i in range(len(p)) if i != j) for j in range(len(p))],
    ],
    ids=["p - y", "list", "exp(log p) - y", "using sum p = 1"],
)
def test_cross_entropy_gradient_accepts_equivalent_forms(gradient):
    r = check_cross_entropy_gradient(gradient)
    assert r.passed, repr(r)


WRONG_GRADIENTS = {
    "y - p (sign)": lambda p, y: y - p,
    "forgot y": lambda p, y: p,
    "d CE / d p": lambda p, y: [-y[j] / p[j] for j in range(len(p))],
    "diagonal of the Jacobian times": lambda p, y: [p[j] * (1 - p[j]) - y[j] for j in range(len(p))],
    "label off by one": lambda p, y: [p[j] - y[(j + 1) % len(p)] for j in range(len(p))],
    "p (1 - y)": lambda p, y: [p[j] * (1 - y[j]) for j in range(len(p))],
}


@pytest.mark.parametrize("name", WRONG_GRADIENTS)
def test_cross_entropy_gradient_rejects_wrong_gradients(name):
    r = check_cross_entropy_gradient(WRONG_GRADIENTS[name])
    assert_fails_naming_input(r, "K = ", "At z = [")


def test_cross_entropy_gradient_rejects_foreign_symbols_and_wrong_length():
    z1 = sp.Symbol("z_1")
    r = check_cross_entropy_gradient(lambda p, y: [z1] * len(p))
    assert r.status == "failed" and "z_1" in r.message and "y = [" in r.message
    r = check_cross_entropy_gradient(lambda p, y: [p[0] - y[0]])
    assert r.status == "failed" and "expected K = 2" in r.message


def test_cross_entropy_gradient_scaffold_is_not_attempted():
    assert_not_attempted(check_cross_entropy_gradient(stub))
    assert_not_attempted(check_cross_entropy_gradient(None))


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


# ------------------------------------------------------------------ the docstrings describe the real test sets


@pytest.mark.parametrize(
    "check, cases, phrase",
    [
        (check_monotonicity, "softmaxlab.exercises.derivatives:_monotonicity_cases", "on {n}"),
        (check_stable_log_softmax, "softmaxlab.exercises.numerics:_stability_cases", "The {n} test arrays"),
        (check_argmax_limit, "softmaxlab.exercises.limits:_limit_cases", "Tested on {n} vectors"),
    ],
    ids=["monotonicity", "stable log-softmax", "argmax limit"],
)
def test_docstrings_state_the_number_of_test_inputs(check, cases, phrase):
    import importlib

    module, name = cases.split(":")
    n = len(getattr(importlib.import_module(module), name)())
    assert phrase.format(n=n) in " ".join(check.__doc__.split()), f"{check.__name__}'s docstring does not say {n}"


@pytest.mark.parametrize(
    "check, forgot_return",
    [
        (check_monotonicity, lambda z: None),
        (check_inversion, lambda a: None),
        (check_stable_log_softmax, lambda x: None),
        (check_argmax_limit, lambda z: None),
        (check_non_locality, lambda layer, z: None),
        (check_cross_entropy_gradient, lambda p, y: None),
    ],
    ids=["monotonicity", "inversion", "log-softmax", "argmax", "non-locality", "cross-entropy"],
)
def test_a_missing_return_is_named(check, forgot_return):
    r = check(forgot_return)
    assert r.status == "failed" and "returned None" in r.message and "return" in r.message
