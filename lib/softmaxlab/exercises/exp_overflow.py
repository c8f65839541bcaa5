"""Checker for the exercise on where ``exp`` overflows in each floating-point format.

The reader writes ``largest_finite_exp_input(dtype)``: the largest number of the
format ``dtype`` whose exponential, correctly rounded to that format, is finite.
The checker's reference decides each candidate with mpmath at 50 digits against
the exact rounding boundary, stepping through the format's bit patterns, so it
shares no code with :mod:`softmaxlab.floating`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import ml_dtypes
import mpmath
import numpy as np

from softmaxlab.exercises._result import (
    CheckResult,
    as_number,
    call_answer,
    checker,
    fail,
)

__all__ = ["check_exp_overflow"]

_BFLOAT16 = np.dtype(ml_dtypes.bfloat16)

#: The formats the answer is called with, in this order.
_FORMATS = (
    ("float16", np.dtype(np.float16)),
    ("bfloat16", _BFLOAT16),
    ("float32", np.dtype(np.float32)),
    ("float64", np.dtype(np.float64)),
)


def _step(value: float, dtype: np.dtype, up: bool) -> float:
    """The number of ``dtype`` next to ``value`` (a positive number of the format), above or below."""
    bits = np.array([value], dtype=dtype).view(f"u{dtype.itemsize}")
    one = bits.dtype.type(1)
    moved = (bits + one) if up else (bits - one)
    return float(moved.view(dtype)[0].astype(np.float64))


def _overflow_boundary(dtype: np.dtype) -> mpmath.mpf:
    """The real number from which a correctly rounded result is infinite: max + half its spacing.

    The largest number has an odd significand, so a tie at this boundary rounds to the even
    neighbour, which is infinity.
    """
    info = ml_dtypes.finfo(dtype)
    p = info.nmant + 1
    top = mpmath.mpf(float(info.max))
    return top + mpmath.ldexp(1, int(info.maxexp) - p - 1)


def _exp_is_finite(x: float, dtype: np.dtype) -> bool:
    with mpmath.workdps(50):
        return mpmath.exp(mpmath.mpf(x)) < _overflow_boundary(dtype)


def _reference(dtype: np.dtype) -> float:
    """The largest number of ``dtype`` with a finite correctly rounded exponential."""
    with mpmath.workdps(50):
        start = float(mpmath.log(_overflow_boundary(dtype)))
    x = float(np.array([start]).astype(dtype)[0].astype(np.float64))  # the nearest number of the format
    while not _exp_is_finite(x, dtype):
        x = _step(x, dtype, up=False)
    while _exp_is_finite(_step(x, dtype, up=True), dtype):
        x = _step(x, dtype, up=True)
    return x


def _read(value: Any, on: str) -> float:
    """The reader's number as a float; a bfloat16 scalar or array is read through float32 (exactly)."""
    if isinstance(value, (np.ndarray, np.generic)) and value.dtype == _BFLOAT16:
        value = np.asarray(value).astype(np.float32)
    return as_number(value, on=on, what="your function")


def _in_format(x: float, dtype: np.dtype) -> bool:
    with np.errstate(over="ignore"):
        return float(np.array([x]).astype(dtype)[0].astype(np.float64)) == x


def _diagnose(name: str, dtype: np.dtype, got: float, expected: float) -> None:
    on = f"dtype = {name}"
    if not math.isfinite(got):
        fail(f"For {on} your function returned {got!r}; the answer is a finite number of the format, "
             f"{expected!r}.", input=on, expected=repr(expected), got=repr(got))
    if not _in_format(got, dtype):
        with np.errstate(over="ignore"):
            below = float(np.array([got]).astype(dtype)[0].astype(np.float64))
        fail(f"For {on} your function returned {got!r}, which is not a {name} number (it rounds to "
             f"{below!r} in {name}). The answer must be a number of the format itself: round the real "
             f"threshold down to {name}, not to nearest.", input=on, expected=repr(expected), got=repr(got))
    if got > expected:
        fail(f"For {on} your function returned {got!r}, but exp({got!r}) rounds to infinity in {name}: its exact "
             f"value is at least max + half an ulp of max. The largest {name} input with a finite exponential is "
             f"{expected!r}.", input=on, expected=repr(expected), got=repr(got))
    fail(f"For {on} your function returned {got!r}, whose exponential is finite, but so is that of "
         f"{_step(got, dtype, up=True) if got > 0 else expected!r}, a larger {name} number: yours is not the "
         f"largest. The answer is {expected!r}.", input=on, expected=repr(expected), got=repr(got))


@checker("Where exp overflows")
def check_exp_overflow(largest_finite_exp_input: Callable[[np.dtype], Any]) -> CheckResult:
    """Check ``largest_finite_exp_input(dtype)`` on float16, bfloat16, float32 and float64.

    ``largest_finite_exp_input(dtype)`` gets a numpy dtype (``np.dtype(np.float16)``,
    ``np.dtype(ml_dtypes.bfloat16)``, ``np.dtype(np.float32)``, ``np.dtype(np.float64)``,
    in that order) and must return the largest number ``x`` of that format
    whose exponential, correctly rounded to the format (to nearest, ties to
    even), is finite. Any real number type is accepted (a Python float, a
    numpy scalar of any float dtype, bfloat16 included, a 0-d array); it
    must equal the answer exactly, since the answer is one number of the
    format. The reference decides each candidate at 50 digits against the
    rounding boundary ``max + ulp(max) / 2``: the 4 formats are the test set.
    Rounding ``log(max)`` to the nearest number of the format fails (in
    float16 it gives 11.09375, whose exponential overflows); so does
    returning ``log(max)`` itself, which is not a float16 number.

    Parameters
    ----------
    largest_finite_exp_input : callable
        ``largest_finite_exp_input(dtype) -> number``.

    Returns
    -------
    CheckResult

    Examples
    --------
    >>> import math
    >>> import ml_dtypes, mpmath
    >>> import numpy as np
    >>> from softmaxlab.exercises import check_exp_overflow
    >>> def largest_finite_exp_input(dtype):
    ...     info = ml_dtypes.finfo(dtype)
    ...     half_ulp = mpmath.ldexp(1, int(info.maxexp) - (info.nmant + 1) - 1)
    ...     with mpmath.workdps(50):
    ...         t = mpmath.log(mpmath.mpf(float(info.max)) + half_ulp)   # exp(x) finite iff x < t
    ...     x = np.array([float(t)]).astype(dtype)                       # the nearest number ...
    ...     while x[0].astype(float) > t:                                 # ... rounded down if above t
    ...         x = (x.view(f"u{dtype.itemsize}") - 1).view(dtype)
    ...     return x[0]
    >>> check_exp_overflow(largest_finite_exp_input).passed
    True
    >>> check_exp_overflow(lambda dtype: math.log(ml_dtypes.finfo(dtype).max)).passed   # not a float16
    False
    """
    for name, dtype in _FORMATS:
        on = f"dtype = {name}"
        expected = _reference(dtype)  # before the call: nothing the answer does can change it
        got = _read(call_answer(largest_finite_exp_input, dtype, on=on), on)
        if got != expected:
            _diagnose(name, dtype, got, expected)
    return ("Your thresholds are exact in all 4 formats: float16, bfloat16, float32 and float64, each the "
            "largest number of its format whose exponential rounds to a finite number.")
