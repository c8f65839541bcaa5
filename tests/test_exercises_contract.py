"""The contract every checker of softmaxlab.exercises keeps, tested across all of them.
"""

from __future__ import annotations

import re

import pytest

from softmaxlab.exercises import (
    check_argmax_limit,
    check_cross_entropy_gradient,
    check_inversion,
    check_monotonicity,
    check_non_locality,
    check_stable_log_softmax,
)

import exercise_assertions as shared

# A failure message names its input: "z = [...]", "a = [...]", "x = [...]" or "K = ..., y = [...]".
NAMES_INPUT = re.compile(r"\b(z|a|x|y|z = W x \+ b) = \[")


def assert_fails_naming_input(result, *fragments: str) -> None:
    shared.assert_fails_naming_input(result, NAMES_INPUT, *fragments)


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
