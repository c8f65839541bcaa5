"""What the tests of the exercise checkers (tests/test_exercises_*.py) share: the scaffold stub, an
unreadable answer, and the assertions on a failed or not-attempted check."""

from __future__ import annotations

import re

from softmaxlab.exercises import CheckResult

#: How a failure message names its input: "z = [...]", "a = [...]", "x = [...]", "K = ..., y = [...]",
#: "E = [...]", "pi = [...]", "children = [...]", "s = [...]" or "n = 2 states".
NAMES_INPUT = re.compile(r"\b(z|a|x|y|E|pi|children|s|z = W x \+ b) = \[|\bn = \d")


def stub(*args):
    """An untouched scaffold: the function the reader has not written yet."""
    raise NotImplementedError


class RaisingArray:
    """An answer numpy cannot read: its ``__array__`` and ``__len__`` raise a RuntimeError."""

    def __array__(self, *args, **kwargs):
        raise RuntimeError("this object refuses to be an array")

    def __len__(self):
        raise RuntimeError("no length either")


def assert_fails_naming_input(result: CheckResult, *fragments: str, names_input: re.Pattern = NAMES_INPUT) -> None:
    """The check failed, its message names the input (matches ``names_input``) and holds each fragment."""
    assert isinstance(result, CheckResult)
    assert result.status == "failed", repr(result)
    assert not result.passed and not bool(result)
    assert names_input.search(result.message), f"message does not name the input: {result.message}"
    for fragment in fragments:
        assert fragment in result.message, f"{fragment!r} not in {result.message!r}"


def assert_not_attempted(result: CheckResult) -> None:
    """The check reports an untouched scaffold as not attempted."""
    assert result.status == "not attempted", repr(result)
    assert not result.passed and not result.attempted
    assert "scaffold" in result.message or "NotImplementedError" in result.message
