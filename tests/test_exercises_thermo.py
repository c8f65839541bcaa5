"""Tests of softmaxlab.exercises.thermo: the checker of the energy-variance exercise.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from softmaxlab import (
    logsumexp,
    softmax,
)
from softmaxlab import energy_variance as library_energy_variance
from softmaxlab.exercises import (
    check_energy_variance,
)
from softmaxlab.exercises.thermo import _variance_reference

import exercise_assertions as shared
from exercise_assertions import assert_not_attempted, stub

# A failure message names its input: "E = [...]", "pi = [...]", "z = [...]", "children = [...]" or "n = 2 states".
NAMES_INPUT = re.compile(r"\b(E|pi|z|children|s) = \[|\bn = \d")


def assert_fails_naming_input(result, *fragments: str) -> None:
    shared.assert_fails_naming_input(result, NAMES_INPUT, *fragments)


def sigmoid(t):
    return np.exp(-np.logaddexp(0.0, -t))


# ------------------------------------------------------------------ exercise 8: the energy variance


def log_z_derivatives(p, E):
    mean = p.dot(E)
    return -mean, p.dot(E.applyfunc(lambda e: e**2)) - mean**2


def energy_variance(E, beta):
    p = softmax(-beta * E)
    return np.sum(p * (E - np.sum(p * E)) ** 2)


@pytest.mark.parametrize(
    "derivatives",
    [
        log_z_derivatives,
        lambda p, E: (-sum(p[i] * E[i] for i in range(len(p))),
                      sum(p[i] * (E[i] - p.dot(E)) ** 2 for i in range(len(p)))),
        # uses sum(p) = 1 where the reference would not
        lambda p, E: (-p.dot(E) * sum(p), sum(p) * p.dot(E.applyfunc(lambda e: e**2)) - p.dot(E) ** 2),
        lambda p, E: [-(p.T * E)[0], (p.T * E.applyfunc(lambda e: e**2))[0] - (p.T * E)[0] ** 2],
    ],
    ids=["<E^2> - <E>^2", "centred", "times sum p", "list, matrix products"],
)
def test_energy_variance_accepts_equivalent_derivatives(derivatives):
    r = check_energy_variance(derivatives, energy_variance)
    assert r.passed, repr(r)


@pytest.mark.parametrize(
    "variance",
    [energy_variance, lambda E, beta: library_energy_variance(E, temperature=1.0 / beta)],
    ids=["two-pass", "softmaxlab.energy_variance"],
)
def test_energy_variance_accepts_stable_variances(variance):
    r = check_energy_variance(log_z_derivatives, variance)
    assert r.passed, repr(r)
    assert "Part 1" in r.message and "Part 2" in r.message


WRONG_DERIVATIVES = {
    "first derivative with the wrong sign": lambda p, E: (p.dot(E), log_z_derivatives(p, E)[1]),
    "<E^2> without -<E>^2": lambda p, E: (-p.dot(E), p.dot(E.applyfunc(lambda e: e**2))),
    "negated variance": lambda p, E: (-p.dot(E), -log_z_derivatives(p, E)[1]),
    "unweighted variance": lambda p, E: (-p.dot(E), sum(e**2 for e in E) / len(E) - (sum(E) / len(E)) ** 2),
    "p_i^2 weights": lambda p, E: (-p.dot(E), sum(p[i] ** 2 * E[i] ** 2 for i in range(len(p))) - p.dot(E) ** 2),
    "mean instead of the variance": lambda p, E: (-p.dot(E), p.dot(E)),
}


@pytest.mark.parametrize("name", WRONG_DERIVATIVES)
def test_energy_variance_rejects_wrong_derivatives(name):
    r = check_energy_variance(WRONG_DERIVATIVES[name], energy_variance)
    assert_fails_naming_input(r, "n = 2 states", "At E = [", "is not the derivative of log Z")


def test_energy_variance_explains_sign_and_second_moment():
    r = check_energy_variance(WRONG_DERIVATIVES["first derivative with the wrong sign"], energy_variance)
    assert "d log Z / d beta" in r.message and "wrong sign" in r.message
    r = check_energy_variance(WRONG_DERIVATIVES["negated variance"], energy_variance)
    assert "a variance is never negative" in r.message
    r = check_energy_variance(WRONG_DERIVATIVES["<E^2> without -<E>^2"], energy_variance)
    assert "the second moment" in r.message


def test_energy_variance_rejects_beta_and_z_in_the_answer():
    beta, Z = sp.symbols("beta Z", positive=True)
    r = check_energy_variance(lambda p, E: (-p.dot(E) * Z / Z, beta * p.dot(E)), energy_variance)
    assert_fails_naming_input(r, "uses the symbols beta")
    r = check_energy_variance(lambda p, E: (-p.dot(E),), energy_variance)
    assert r.status == "failed" and "return a pair" in r.message


def _naive_variance(E, beta):
    w = np.exp(-beta * E)
    p = w / w.sum()
    return np.sum(p * (E - np.sum(p * E)) ** 2)


def _finite_difference_variance(E, beta, h=1e-4):
    def log_z(b):
        return float(logsumexp(-b * E))

    return (log_z(beta + h) - 2 * log_z(beta) + log_z(beta - h)) / h**2


WRONG_VARIANCES = {
    "naive exp: Z under/overflows": (_naive_variance, "over- or underflows"),
    "one-pass <E^2> - <E>^2": (lambda E, b: np.sum(softmax(-b * E) * E**2) - np.sum(softmax(-b * E) * E) ** 2,
                               "subtract the mean first"),
    "finite difference of log Z": (_finite_difference_variance, "relative to the exact one"),
    "unweighted np.var": (lambda E, b: np.var(E), "relative to the exact one"),
    "Var(beta E)": (lambda E, b: energy_variance(b * E, 1.0), "relative to the exact one"),
    "softmax(+beta E)": (lambda E, b: energy_variance(-E, b), "relative to the exact one"),
}


@pytest.mark.parametrize("name", WRONG_VARIANCES)
def test_energy_variance_rejects_unstable_or_wrong_variances(name):
    variance, fragment = WRONG_VARIANCES[name]
    r = check_energy_variance(log_z_derivatives, variance)
    assert_fails_naming_input(r, "the energy variance is", fragment)


def test_energy_variance_names_the_overflowing_and_cancelling_inputs():
    r = check_energy_variance(log_z_derivatives, WRONG_VARIANCES["naive exp: Z under/overflows"][0])
    assert r.message.startswith("For E = [1000, 1001, 1002], beta = 1")
    r = check_energy_variance(log_z_derivatives, WRONG_VARIANCES["one-pass <E^2> - <E>^2"][0])
    assert r.message.startswith("For E = [1000000, 1000001, 1000002], beta = 1")


def test_energy_variance_scaffold_is_not_attempted():
    assert_not_attempted(check_energy_variance(stub, stub))
    assert_not_attempted(check_energy_variance(None, None))


def test_energy_variance_reports_a_finished_part_while_the_other_is_a_scaffold():
    r = check_energy_variance(log_z_derivatives, stub)
    assert_not_attempted(r)
    assert r.message.startswith("Part 1: SymPy proves") and "part 2" in r.message
    r = check_energy_variance(None, energy_variance)
    assert_not_attempted(r)
    assert r.message.startswith("Part 2:") and "part 1" in r.message


def test_energy_variance_fails_a_wrong_part_even_if_the_other_is_a_scaffold():
    assert check_energy_variance(None, _naive_variance).status == "failed"
    assert check_energy_variance(WRONG_DERIVATIVES["negated variance"], stub).status == "failed"


@settings(max_examples=40, deadline=None)
@given(
    hnp.arrays(np.float64, st.integers(1, 8), elements=st.floats(-50, 50)),
    st.floats(0.01, 20.0),
)
def test_the_variance_reference_agrees_with_softmaxlab(E, beta):
    exact = _variance_reference(E, beta)
    assert exact >= 0
    np.testing.assert_allclose(library_energy_variance(E, temperature=1 / beta), exact, rtol=1e-9, atol=1e-12)
