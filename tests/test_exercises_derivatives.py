"""Tests of softmaxlab.exercises.derivatives: the checkers of the monotonicity (Jacobian) and cross-entropy gradient exercises.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
import scipy.special
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


# ------------------------------------------------------------------ monotonicity


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
    "small entries thresholded to 0": lambda z: np.where(np.abs(jacobian_reference(z)) < 1e-6, 0.0, jacobian_reference(z)),
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


def test_monotonicity_names_the_overflowing_input_and_explains():
    r = check_monotonicity(WRONG_JACOBIANS["naive exp overflows"])
    assert "z = [1000, 0, -1000]" in r.message and "inf or nan" in r.message


def test_monotonicity_says_when_a_jacobian_is_diagonal():
    r = check_monotonicity(WRONG_JACOBIANS["the sigmoid's diagonal Jacobian"])
    assert "diagonal, like a sigmoid layer" in r.message


def test_monotonicity_says_when_entries_are_too_large():
    r = check_monotonicity(WRONG_JACOBIANS["blows up (1e12 everywhere)"])
    assert "1e+12" in r.message and "between -1/4 and 1/4" in r.message


def test_monotonicity_says_when_rows_do_not_sum_to_zero():
    r = check_monotonicity(WRONG_JACOBIANS["a_j instead of a_k (transposed index)"])
    assert "must sum to 0" in r.message


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
    from softmaxlab.exercises.derivatives import _monotonicity_cases

    r = check_monotonicity(jacobian_reference)
    assert f"all {len(_monotonicity_cases())} test inputs" in r.message
    assert "1e-10 + 1e-09 |reference|" in r.message


def test_monotonicity_scaffold_is_not_attempted():
    assert_not_attempted(check_monotonicity(stub))
    assert_not_attempted(check_monotonicity(None))


@settings(max_examples=30, deadline=None, derandomize=True)
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


# ------------------------------------------------------------------ the cross-entropy gradient


def _own_symbols(p, y):
    """``p - y`` with the reader's own symbols, built without any assumption."""
    mine = sp.Matrix(sp.symbols(f"p_1:{len(p) + 1}"))
    return mine - y


def _chain_rule(p, y):
    """sum_i (d CE / d p_i)(d p_i / d z_j), not simplified."""
    K = len(p)
    return [sum(-y[i] / p[i] * p[i] * ((1 if i == j else 0) - p[j]) for i in range(K)) for j in range(K)]


RIGHT_GRADIENTS = {
    "p - y": lambda p, y: p - y,
    "list": lambda p, y: [p[j] - y[j] for j in range(len(p))],
    "tuple": lambda p, y: tuple(p[j] - y[j] for j in range(len(p))),
    "row Matrix": lambda p, y: (p - y).T,
    "exp(log p) - y": lambda p, y: sp.Matrix([sp.exp(sp.log(p[j])) - y[j] for j in range(len(p))]),
    # writes p_j - 1 at the label as minus the sum of the other outputs: equal because sum(p) = 1
    "using sum p = 1": lambda p, y: [
        p[j] if y[j] == 0 else -sum(p[i] for i in range(len(p)) if i != j) for j in range(len(p))
    ],
    "own symbols without assumptions": _own_symbols,
    "list of 1 x 1 Matrices": lambda p, y: [sp.Matrix([[p[j] - y[j]]]) for j in range(len(p))],
    "numpy object array": lambda p, y: np.array([p[j] - y[j] for j in range(len(p))], dtype=object),
    "float coefficients 1.0": lambda p, y: [1.0 * p[j] - 1.0 * y[j] for j in range(len(p))],
    "chain rule, not simplified": _chain_rule,
    "p y-weighted: p sum(y) - y": lambda p, y: [p[j] * sum(y) - y[j] for j in range(len(p))],
    "strings": lambda p, y: [f"p_{j + 1} - {y[j]}" for j in range(len(p))],
}


@pytest.mark.parametrize("name", RIGHT_GRADIENTS)
def test_cross_entropy_gradient_accepts_equivalent_forms(name):
    r = check_cross_entropy_gradient(RIGHT_GRADIENTS[name])
    assert r.passed, repr(r)
    assert "SymPy proves every entry" in r.message and "all 29 entries in the 9 cases" in r.message


WRONG_GRADIENTS = {
    "y - p (sign)": lambda p, y: y - p,
    "forgot y": lambda p, y: p,
    "d CE / d p": lambda p, y: [-y[j] / p[j] for j in range(len(p))],
    "diagonal of the Jacobian times": lambda p, y: [p[j] * (1 - p[j]) - y[j] for j in range(len(p))],
    "label off by one": lambda p, y: [p[j] - y[(j + 1) % len(p)] for j in range(len(p))],
    "p (1 - y)": lambda p, y: [p[j] * (1 - y[j]) for j in range(len(p))],
    "p - y + 1e-10": lambda p, y: [p[j] - y[j] + 1e-10 for j in range(len(p))],
    "0.9999999999 p - y": lambda p, y: [0.9999999999 * p[j] - y[j] for j in range(len(p))],
    "p**(1 + 1e-12) - y": lambda p, y: [p[j] ** (1 + 1e-12) - y[j] for j in range(len(p))],
    "twice p - y": lambda p, y: 2 * (p - y),
    "squared error through the diagonal": lambda p, y: [(p[j] - y[j]) * p[j] * (1 - p[j]) for j in range(len(p))],
    "the loss itself": lambda p, y: [-y[j] * sp.log(p[j]) for j in range(len(p))],
    "p_j - 1 everywhere (dropped delta)": lambda p, y: [p[j] - 1 for j in range(len(p))],
    "class 1 hard-coded": lambda p, y: [p[j] - (1 if j == 0 else 0) for j in range(len(p))],
    "|p - y|": lambda p, y: [sp.sqrt((p[j] - y[j]) ** 2) for j in range(len(p))],
    "a constant (zeros)": lambda p, y: [0] * len(p),
    "chain rule without the sum": lambda p, y: [-y[j] * (1 - p[j]) for j in range(len(p))],
    "y_j / p_j - 1 style": lambda p, y: [p[j] - y[j] / p[j] for j in range(len(p))],
    "complex: sqrt(p - 1)": lambda p, y: [sp.sqrt(p[j] - 1) + p[j] - y[j] for j in range(len(p))],
    "sympy nan": lambda p, y: [sp.nan] * len(p),
    "sympy zoo": lambda p, y: [sp.zoo] * len(p),
    "divides by 1 - sum p": lambda p, y: [p[j] - y[j] + 1 / (1 - sum(p)) for j in range(len(p))],
}


@pytest.mark.parametrize("name", WRONG_GRADIENTS)
def test_cross_entropy_gradient_rejects_wrong_gradients(name):
    r = check_cross_entropy_gradient(WRONG_GRADIENTS[name])
    assert_fails_naming_input(r, "K = ", "your entry")
    assert "prove" not in r.message or "could not prove" in r.message, r.message


@pytest.mark.parametrize(
    "name", ["p - y + 1e-10", "0.9999999999 p - y", "p**(1 + 1e-12) - y", "y - p (sign)", "forgot y"]
)
def test_cross_entropy_gradient_shows_a_counterexample_with_distinct_numbers(name):
    r = check_cross_entropy_gradient(WRONG_GRADIENTS[name])
    assert "At z = [" in r.message, r.message
    details = dict(r.details)
    assert details["got"] != details["expected"], r.details


def test_cross_entropy_gradient_wrong_bank_is_large():
    assert len(WRONG_GRADIENTS) >= 8 and len(RIGHT_GRADIENTS) >= 5


def test_cross_entropy_gradient_names_undefined_values():
    r = check_cross_entropy_gradient(WRONG_GRADIENTS["sympy nan"])
    assert "is nan" in r.message and "y = [" in r.message
    r = check_cross_entropy_gradient(WRONG_GRADIENTS["sympy zoo"])
    assert "zoo" in r.message and "y = [" in r.message


def test_cross_entropy_gradient_never_passes_on_numbers_alone():
    """Values that agree to 60 digits but are not proved equal fail, saying why."""
    r = check_cross_entropy_gradient(lambda p, y: [p[j] - y[j] + sp.Float("1e-50", 60) for j in range(len(p))])
    assert r.status == "failed" and "differs from it by the constant 1e-50" in r.message, r.message
    assert "K = 2, y = [1, 0]" in r.message
    # right on the simplex, but SymPy does not prove the Piecewise: no pass, and no false counterexample
    r = check_cross_entropy_gradient(
        lambda p, y: [sp.Piecewise((p[j] - y[j], p[j] < 2), (0, True)) for j in range(len(p))]
    )
    assert r.status == "failed" and "could not prove" in r.message and "simplify" in r.message, r.message
    assert "At z" not in r.message


def test_cross_entropy_gradient_rejects_foreign_symbols_and_wrong_length():
    z1 = sp.Symbol("z_1")
    r = check_cross_entropy_gradient(lambda p, y: [z1] * len(p))
    assert r.status == "failed" and "z_1" in r.message and "y = [" in r.message and "p_1, p_2" in r.message
    r = check_cross_entropy_gradient(lambda p, y: [p[0] - y[0]])
    assert r.status == "failed" and "expected 2" in r.message and "K = 2" in r.message
    r = check_cross_entropy_gradient(lambda p, y: [sp.Function("f")(p[j]) for j in range(len(p))])
    assert r.status == "failed" and "f(p_1)" in r.message


@pytest.mark.parametrize(
    "value, fragment",
    [((None, None), "None"), ([[1.0, 2.0], [3.0]], "not a SymPy expression"), (sp.eye(3), "9 expressions")],
    ids=["tuple of None", "ragged list", "3 x 3 Matrix"],
)
def test_cross_entropy_gradient_fails_unreadable_answers_with_a_message(value, fragment):
    r = check_cross_entropy_gradient(lambda p, y: value)
    assert r.status == "failed" and fragment in r.message and "y = [" in r.message, repr(r)


def test_cross_entropy_gradient_calls_the_answer_only_inside_the_checks():
    """The success path does not call the reader's function again (unprotected) for its display."""
    calls = []

    def counting(p, y):
        calls.append(len(p))
        return p - y

    assert check_cross_entropy_gradient(counting).passed
    assert calls == [2] * 2 + [3] * 3 + [4] * 4

    def fine_then_raising(p, y):
        calls.append(0)
        if len(calls) > 30:
            raise RuntimeError("called once too often")
        return p - y

    calls.clear()
    r = check_cross_entropy_gradient(fine_then_raising)
    assert r.passed, repr(r)


def test_cross_entropy_gradient_is_not_fooled_by_a_mutated_p():
    def mutating(p, y):
        result = p - y
        p[0] = 0
        y[0] = 5
        return result

    assert check_cross_entropy_gradient(mutating).passed

    def answers_with_the_mutated_matrix(p, y):
        p[0] = 1
        return p - y

    assert not check_cross_entropy_gradient(answers_with_the_mutated_matrix).passed


def test_cross_entropy_gradient_survives_a_raising_sympy_function():
    class Trap(sp.Function):
        @classmethod
        def eval(cls, arg):
            if arg.is_number:
                raise RuntimeError("trap")
            return None

    r = check_cross_entropy_gradient(lambda p, y: [p[j] - y[j] + Trap(p[j]) for j in range(len(p))])
    assert r.status == "failed" and "y = [" in r.message, repr(r)


def test_cross_entropy_gradient_stays_fast():
    import time

    start = time.perf_counter()
    for name in ("p - y + 1e-10", "p**(1 + 1e-12) - y", "|p - y|"):
        check_cross_entropy_gradient(WRONG_GRADIENTS[name])
    check_cross_entropy_gradient(RIGHT_GRADIENTS["using sum p = 1"])
    assert time.perf_counter() - start < 20


def test_cross_entropy_gradient_scaffold_is_not_attempted():
    assert_not_attempted(check_cross_entropy_gradient(stub))
    assert_not_attempted(check_cross_entropy_gradient(None))
