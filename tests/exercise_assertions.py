"""Assertions shared by the tests of the exercise checkers (tests/test_exercises*.py)."""

from __future__ import annotations

import re

from softmaxlab.exercises import CheckResult


def stub(*args):
    """An untouched scaffold: the function the reader has not written yet."""
    raise NotImplementedError


def assert_fails_naming_input(result: CheckResult, names_input: re.Pattern, *fragments: str) -> None:
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
