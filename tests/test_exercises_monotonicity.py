"""Tests of softmaxlab.exercises.monotonicity: the checker of the monotonicity (Jacobian) exercise.

Right answers, written in several ways, pass; a bank of realistic wrong answers (a dict named
``WRONG_*``) fails with a message naming the input it fails on; the untouched scaffold gives
"not attempted" without raising.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
import scipy.special
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from exercise_assertions import assert_fails_naming_input, assert_not_attempted, stub
from softmaxlab import softmax
from softmaxlab.exercises import (
    check_monotonicity,
)


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


def _closed_form(a):
    return np.diag(a) - np.outer(a, a)


RIGHT_JACOBIANS = {
    "diag(a) - a a^T": jacobian_reference,
    "a_j (delta_jk - a_k) by broadcasting": lambda z: softmax(z)[:, None] * (np.eye(len(z)) - softmax(z)[None, :]),
    "the transpose (J is symmetric)": lambda z: jacobian_reference(z).T,
    "loops over j and k": lambda z: [
        [softmax(z)[j] * ((j == k) - softmax(z)[k]) for k in range(len(z))] for j in range(len(z))
    ],
    "a from exp(z - logsumexp(z))": lambda z: _closed_form(np.exp(z - scipy.special.logsumexp(z))),
    "scipy's softmax": lambda z: _closed_form(scipy.special.softmax(z)),
    "shift by the max, by hand": lambda z: _closed_form(np.exp(z - z.max()) / np.exp(z - z.max()).sum()),
    "as a SymPy Matrix": lambda z: sp.Matrix(jacobian_reference(z)),
    "in long double": lambda z: _closed_form(softmax(z.astype(np.longdouble))),
    "within rounding (1 + 1e-12)": lambda z: jacobian_reference(z) * (1 + 1e-12),
    "mutates its input afterwards": lambda z: (jacobian_reference(z), z.fill(np.nan))[0],
}


@pytest.mark.parametrize("name", RIGHT_JACOBIANS)
def test_monotonicity_accepts_right_jacobians(name):
    r = check_monotonicity(RIGHT_JACOBIANS[name])
    assert r.passed, repr(r)


def _forward_differences(z, h=1e-7):
    return np.column_stack([(softmax(z + h * e) - softmax(z)) / h for e in np.eye(len(z))])


def _central_differences(z, h=1e-5):
    return np.column_stack([(softmax(z + h * e) - softmax(z - h * e)) / (2 * h) for e in np.eye(len(z))])


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
    "naive exp overflows": lambda z: _closed_form(_naive_softmax(z)),
    "shifted by the min, overflows": lambda z: _closed_form(np.exp(z - z.min()) / np.exp(z - z.min()).sum()),
    "naive exp with nan_to_num": lambda z: np.nan_to_num(_closed_form(_naive_softmax(z))),
    "float32": lambda z: _closed_form(softmax(z.astype(np.float32))),
    "forward differences": _forward_differences,
    "central differences, h = 1e-5": _central_differences,
    "central differences, h = 1e-4": lambda z: _central_differences(z, h=1e-4),
    "float64 result cast to float32": lambda z: jacobian_reference(z).astype(np.float32),
    "rounded to 8 decimals": lambda z: np.round(jacobian_reference(z), 8),
    "small entries thresholded to 0": lambda z: np.where(
        np.abs(jacobian_reference(z)) < 1e-6, 0.0, jacobian_reference(z)
    ),
    "plus sign on the off-diagonal": lambda z: np.diag(softmax(z)) + np.outer(softmax(z), softmax(z)),
    "a_j (1 - a_k) everywhere (dropped delta)": lambda z: np.outer(softmax(z), 1 - softmax(z)),
    "exp(z - max) not normalised": lambda z: _closed_form(np.exp(z - z.max())),
    "twice the Jacobian": lambda z: 2 * jacobian_reference(z),
    "a constant (zeros)": lambda z: np.zeros((len(z), len(z))),
    "blows up (1e12 everywhere)": lambda z: np.full((len(z), len(z)), 1e12),
    "softmax over the wrong axis": lambda z: _closed_form(softmax(z[None, :], axis=0)[0]),
    "the identity minus a a^T": lambda z: np.eye(len(z)) - np.outer(softmax(z), softmax(z)),
    "softmax(-z) (sign of z)": lambda z: _closed_form(softmax(-z)),
    "a @ a, a scalar instead of the outer product": lambda z: np.diag(softmax(z)) - softmax(z) @ softmax(z),
    "only the upper triangle filled": lambda z: np.triu(jacobian_reference(z)),
    "shifted by the mean, overflows": lambda z: _closed_form(np.exp(z - z.mean()) / np.exp(z - z.mean()).sum()),
}


@pytest.mark.parametrize("name", WRONG_JACOBIANS)
def test_monotonicity_rejects_wrong_jacobians(name):
    r = check_monotonicity(WRONG_JACOBIANS[name])
    assert_fails_naming_input(r, "entry (", "|yours - reference| <= 1e-10 + 1e-09 |reference|")
    # the two numbers in the message differ as printed
    got, expected = re.search(r"is (\S+); it should be (\S+) \(", r.message).groups()
    assert got != expected, r.message


def test_monotonicity_wrong_bank_is_large():
    assert len(WRONG_JACOBIANS) >= 8 and len(RIGHT_JACOBIANS) >= 5


@pytest.mark.parametrize(
    "name, fragments",
    [
        ("naive exp overflows", ["z = [1000, 0, -1000]", "inf or nan"]),  # names the input and explains
        ("the sigmoid's diagonal Jacobian", ["diagonal, like a sigmoid layer"]),
        ("blows up (1e12 everywhere)", ["1e+12", "between -1/4 and 1/4"]),
        ("a_j instead of a_k (transposed index)", ["must sum to 0"]),
    ],
)
def test_monotonicity_explains_the_mistake(name, fragments):
    r = check_monotonicity(WRONG_JACOBIANS[name])
    for fragment in fragments:
        assert fragment in r.message, (fragment, r.message)


def test_monotonicity_shows_enough_digits_to_see_the_difference():
    """An entry off by 1e-6 relative: six digits would print the same number twice."""

    def slightly_off(z):
        J = jacobian_reference(z)
        J[0, 0] *= 1 + 3e-9
        return J

    r = check_monotonicity(slightly_off)
    got, expected = re.search(r"is (\S+); it should be (\S+) \(", r.message).groups()
    assert got != expected, r.message
    assert dict(r.details)["got"] != dict(r.details)["expected"]


def test_monotonicity_tolerance_is_relative_to_the_reference():
    """1e-9 of the reference entry (plus 1e-10) passes; the tolerance does not grow with the answer."""
    assert check_monotonicity(lambda z: jacobian_reference(z) * (1 + 0.5e-9)).passed
    assert not check_monotonicity(lambda z: jacobian_reference(z) * (1 + 5e-9)).passed
    assert not check_monotonicity(lambda z: 1e3 * jacobian_reference(z)).passed
    assert not check_monotonicity(lambda z: np.full((len(z), len(z)), 1e12)).passed


def test_monotonicity_rejects_a_wrong_shape():
    r = check_monotonicity(lambda z: softmax(z))
    assert r.status == "failed" and "shape" in r.message and "z = [" in r.message


def test_monotonicity_rejects_complex_and_text():
    r = check_monotonicity(lambda z: jacobian_reference(z) + 1e-3j)
    assert r.status == "failed" and "complex" in r.message and "z = [" in r.message
    r = check_monotonicity(lambda z: [["a"] * len(z)] * len(z))
    assert r.status == "failed" and "z = [" in r.message


def test_monotonicity_reference_is_computed_before_the_answer_runs():
    """An answer that overwrites its input cannot change what it is compared with."""

    def vandal(z):
        z[:] = 0.0
        return jacobian_reference(z)

    r = check_monotonicity(vandal)
    assert r.status == "failed" and "z = [" in r.message


def test_monotonicity_success_message_states_count_and_tolerance():
    from softmaxlab.exercises.monotonicity import _monotonicity_cases

    r = check_monotonicity(jacobian_reference)
    assert f"all {len(_monotonicity_cases())} test inputs" in r.message
    assert "1e-10 + 1e-09 |reference|" in r.message


def test_monotonicity_scaffold_is_not_attempted():
    assert_not_attempted(check_monotonicity(stub))
    assert_not_attempted(check_monotonicity(None))


@settings(max_examples=30, derandomize=True)
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
