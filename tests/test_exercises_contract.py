"""The contract every checker of softmaxlab.exercises keeps, tested across all of them.

A checker never raises because of the reader's answer: whatever the answer
returns or raises, the result is "failed" (or "not attempted" for the
scaffold) with a message. Every result carries a machine-readable copy.
The tests of each checker's own wrong answers live beside its module's tests.
"""

from __future__ import annotations

import inspect

import numpy as np
import pytest
import sympy as sp

import softmaxlab.exercises
from exercise_assertions import RaisingArray
from softmaxlab.exercises import (
    RESULT_MIME_TYPE,
    CheckResult,
    check_argmax_limit,
    check_cross_entropy_gradient,
    check_inversion,
    check_monotonicity,
    check_non_locality,
    check_stable_log_softmax,
)

# ------------------------------------------------------------------ the docstrings describe the real test sets


@pytest.mark.parametrize(
    "check, cases, phrase",
    [
        (check_monotonicity, "softmaxlab.exercises.monotonicity:_monotonicity_cases", "on {n}"),
        (check_stable_log_softmax, "softmaxlab.exercises.stable_log_softmax:_stability_cases", "The {n} test arrays"),
        (check_argmax_limit, "softmaxlab.exercises.argmax_limit:_limit_cases", "Tested on {n} vectors"),
        (softmaxlab.exercises.check_energy_variance, "softmaxlab.exercises.energy_variance:_variance_cases",
         "at 50 digits on {n} systems"),
        (softmaxlab.exercises.check_spin_conditional, "softmaxlab.exercises.spin_conditional:_probability_cases",
         "at 50 digits, on {n} rings"),
        (softmaxlab.exercises.check_spin_conditional, "softmaxlab.exercises.spin_conditional:_symbolic_rings",
         "on {n} rings of 2 to 6 spins"),
        (softmaxlab.exercises.check_log_partition_bias, "softmaxlab.exercises.log_partition_bias:_bias_cases",
         "at 50 digits on {n} cases"),
        (softmaxlab.exercises.check_gumbel_max, "softmaxlab.exercises.gumbel_max:_gumbel_cases",
         "On each of {n} distributions"),
        (softmaxlab.exercises.check_hierarchical_sum, "softmaxlab.exercises.hierarchical_sum:_hierarchical_cases",
         "Tested on {n} trees"),
        (softmaxlab.exercises.check_sparsemax_threshold, "softmaxlab.exercises.sparsemax_threshold:_threshold_cases",
         "on {n} vectors"),
        (softmaxlab.exercises.check_hard_addressing, "softmaxlab.exercises.hard_addressing:_addressing_cases",
         "Tested on {n} memories"),
        (softmaxlab.exercises.check_masked_attention, "softmaxlab.exercises.masked_attention:_attention_cases",
         "Tested on {n} problems"),
    ],
    ids=["monotonicity", "stable log-softmax", "argmax limit", "energy variance", "spin conditional (numeric)",
         "spin conditional (symbolic)", "log partition bias", "Gumbel-max", "hierarchical sum",
         "sparsemax threshold", "hard addressing", "masked attention"],
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


# ------------------------------------------------------------------ no answer makes a checker raise

CHECKERS = sorted(name for name in softmaxlab.exercises.__all__ if name.startswith("check_"))


class SelfNesting:
    """A sequence whose every item is itself."""

    def __len__(self):
        return 1

    def __getitem__(self, index):
        if index == 0:
            return self
        raise IndexError(index)


class BadRepr:
    def __repr__(self):
        raise ValueError("no repr")


def _raise(exc):
    def answer(*args, **kwargs):
        raise exc

    return answer


# What a clever, careless student may return (or raise). None of it may make a checker raise.
JUNK_RETURNS = {
    "None": None,
    "string": "p - y",
    "set": {1, 2},
    "dict": {"a": 1},
    "complex": 1 + 2j,
    "complex array": np.array([1 + 1j, 2 - 1j, 3 + 0j]),
    "nan": float("nan"),
    "inf": float("inf"),
    "huge": 1e308,
    "empty list": [],
    "ragged list": [[1.0, 2.0], [3.0]],
    "nested lists": [[[0.5]]],
    "object array": np.array([object(), object()]),
    "string array": np.array(["a", "b"]),
    "datetime array": np.array(["2026-01-01"], dtype="datetime64[D]"),
    "raising __array__": RaisingArray(),
    "self-nesting": SelfNesting(),
    "bad repr": BadRepr(),
    "generator": (i for i in range(3)),
    "function": np.sin,
    "sympy nan": sp.nan,
    "sympy zoo": sp.zoo,
    "sympy symbol": sp.Symbol("q"),
    "sympy 3x3 matrix": sp.eye(3),
    "sympy 1x1 matrices": [sp.Matrix([[1]]), sp.Matrix([[2]])],
    "sympy Boolean": sp.true,
    "bool": True,
    "tuple of None": (None, None),
    "masked array": np.ma.masked_array([1.0, 2.0], mask=[True, False]),
    "0-d array": np.array(3.0),
    "long double": np.array([1.0, 2.0], dtype=np.longdouble),
    "float16": np.array([0.5, 0.5], dtype=np.float16),
    "int8 overflow": np.array([127, 127], dtype=np.int8),
}

JUNK_RAISES = {
    "ValueError": ValueError("bad"),
    "ZeroDivisionError": ZeroDivisionError("division by zero"),
    "RecursionError": RecursionError("maximum recursion depth exceeded"),
    "MemoryError": MemoryError(),
    "TypeError": TypeError("unsupported operand"),
    "FloatingPointError": FloatingPointError("overflow"),
    "SystemExit": SystemExit(1),
}


def _call_with_every_argument(check, answer):
    n = len(inspect.signature(check).parameters)
    return check(*([answer] * n))


@pytest.mark.parametrize("name", CHECKERS)
@pytest.mark.parametrize("junk", list(JUNK_RETURNS), ids=list(JUNK_RETURNS))
def test_no_returned_value_makes_a_checker_raise(name, junk):
    check = getattr(softmaxlab.exercises, name)
    value = JUNK_RETURNS[junk]
    result = _call_with_every_argument(check, lambda *args, **kwargs: value)
    assert isinstance(result, CheckResult)
    assert result.status in ("failed", "not attempted"), repr(result)
    assert result.message


@pytest.mark.parametrize("name", CHECKERS)
@pytest.mark.parametrize("junk", list(JUNK_RETURNS), ids=list(JUNK_RETURNS))
def test_no_answer_passed_directly_makes_a_checker_raise(name, junk):
    """The reader passes a value where a function is expected (or the reverse)."""
    check = getattr(softmaxlab.exercises, name)
    result = _call_with_every_argument(check, JUNK_RETURNS[junk])
    assert isinstance(result, CheckResult)
    assert result.status in ("failed", "not attempted"), repr(result)


@pytest.mark.parametrize("name", CHECKERS)
@pytest.mark.parametrize("error", list(JUNK_RAISES), ids=list(JUNK_RAISES))
def test_an_exception_inside_the_answer_is_a_failure_naming_it(name, error):
    check = getattr(softmaxlab.exercises, name)
    result = _call_with_every_argument(check, _raise(JUNK_RAISES[error]))
    assert isinstance(result, CheckResult)
    if name == "check_sigmoid_sum":  # takes numbers, not functions
        assert result.status == "failed"
        return
    assert result.status == "failed", repr(result)
    assert type(JUNK_RAISES[error]).__name__ in result.message, result.message


@pytest.mark.parametrize("name", CHECKERS)
def test_the_result_carries_a_machine_readable_copy(name):
    from IPython.core.formatters import DisplayFormatter

    check = getattr(softmaxlab.exercises, name)
    result = _call_with_every_argument(check, None)
    bundle, _ = DisplayFormatter().format(result)
    assert bundle[RESULT_MIME_TYPE] == {"exercise": result.exercise, "status": result.status, "message": result.message}
    assert "text/html" in bundle and "text/plain" in bundle


# ------------------------------------------------------------------ every checker has a bank of realistic wrong answers

#: checker -> (its test module, the banks of wrong answers it must reject there)
WRONG_ANSWER_BANKS = {
    "check_sigmoid_sum": ("test_exercises_sigmoid_sum", ["WRONG_SIGMOID_LAYERS"]),
    "check_non_locality": ("test_exercises_non_locality", ["WRONG_INFLUENCES"]),
    "check_inversion": ("test_exercises_inversion", ["WRONG_INVERSES"]),
    "check_monotonicity": ("test_exercises_monotonicity", ["WRONG_JACOBIANS"]),
    "check_cross_entropy_gradient": ("test_exercises_cross_entropy_gradient", ["WRONG_GRADIENTS"]),
    "check_stable_log_softmax": ("test_exercises_stable_log_softmax", ["WRONG_LOG_SOFTMAXES"]),
    "check_argmax_limit": ("test_exercises_argmax_limit", ["WRONG_LIMITS"]),
    "check_energy_variance": ("test_exercises_energy_variance", ["WRONG_DERIVATIVES", "WRONG_VARIANCES"]),
    "check_spin_conditional": ("test_exercises_spin_conditional", ["WRONG_LOG_ODDS", "WRONG_P_UP"]),
    "check_log_partition_bias": ("test_exercises_log_partition_bias", ["WRONG_LEADING_TERMS", "WRONG_BIASES"]),
    "check_gumbel_max": ("test_exercises_gumbel_max", ["WRONG_SAMPLERS"]),
    "check_hierarchical_sum": ("test_exercises_hierarchical_sum", ["WRONG_LEAF_PROBABILITIES"]),
    "check_sparsemax_threshold": ("test_exercises_sparsemax_threshold", ["WRONG_THRESHOLDS"]),
    "check_hard_addressing": ("test_exercises_hard_addressing", ["WRONG_LIMITS"]),
    "check_masked_attention": ("test_exercises_masked_attention", ["WRONG_ATTENTIONS"]),
    "check_exp_overflow": ("test_exercises_exp_overflow", ["WRONG_THRESHOLDS"]),
}


def test_every_checker_has_a_bank_of_wrong_answers_listed():
    assert set(WRONG_ANSWER_BANKS) == set(CHECKERS)


@pytest.mark.parametrize("name", CHECKERS)
def test_every_checker_rejects_at_least_eight_realistic_wrong_answers(name):
    import importlib

    module_name, banks = WRONG_ANSWER_BANKS[name]
    module = importlib.import_module(module_name)
    for bank in banks:
        assert len(getattr(module, bank)) >= 8, f"{module_name}.{bank} holds fewer than 8 wrong answers"
