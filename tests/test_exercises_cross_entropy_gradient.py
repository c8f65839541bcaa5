"""Tests of softmaxlab.exercises.cross_entropy_gradient: the checker of the cross-entropy gradient exercise.

Right answers, written in several ways, pass; a bank of realistic wrong answers (a dict named
``WRONG_*``) fails with a message naming the input it fails on; the untouched scaffold gives
"not attempted" without raising.
"""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from exercise_assertions import assert_fails_naming_input, assert_not_attempted, stub
from softmaxlab.exercises import (
    check_cross_entropy_gradient,
)


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
