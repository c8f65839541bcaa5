"""Tests of softmaxlab.exercises.derivatives: the checkers of the monotonicity (Jacobian) and cross-entropy gradient exercises.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from softmaxlab import softmax
from softmaxlab.exercises import (
    check_cross_entropy_gradient,
    check_monotonicity,
)

import exercise_assertions as shared
from exercise_assertions import assert_not_attempted, stub

# A failure message names its input: "z = [...]", "a = [...]", "x = [...]" or "K = ..., y = [...]".
NAMES_INPUT = re.compile(r"\b(z|a|x|y|z = W x \+ b) = \[")


def assert_fails_naming_input(result, *fragments: str) -> None:
    shared.assert_fails_naming_input(result, NAMES_INPUT, *fragments)


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
