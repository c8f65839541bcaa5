"""Tests of softmaxlab.exercises._result: the result object and the helpers every checker uses."""

from __future__ import annotations

import re

import numpy as np
import pytest

from exercise_assertions import assert_not_attempted, stub
from softmaxlab.exercises import (
    CheckResult,
    call_answer,
    checker,
    fail,
    first_mismatch,
    fmt,
    require_answer,
)

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


@pytest.mark.parametrize(
    "status, heading", [("passed", "Passed"), ("failed", "Not yet right"), ("not attempted", "Not attempted yet")]
)
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
