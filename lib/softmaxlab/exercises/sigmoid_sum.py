"""Checker for the exercise showing that the outputs of a sigmoid layer need not sum to 1.

The reader gives a concrete sigmoid output layer (weights, biases, inputs). The weighted
inputs and the sum of the outputs are computed exactly, so neither rounding nor overflow
decides the verdict; the message shows what a softmax layer gives on the same inputs.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import mpmath
import numpy as np

from softmaxlab.exercises._result import (
    CheckFailed,
    CheckResult,
    as_float_array,
    checker,
    distinguishing_digits,
    fail,
    fmt,
    require_answer,
)

__all__ = ["check_sigmoid_sum"]

_GIVEN = "the layer"  # how as_float_array names the reader's W, b, x (rephrased by _read_given)


def _read_given(value: Any, name: str, ndim: int) -> np.ndarray:
    """The reader's ``W`` (``ndim = 2``), ``b`` or ``x`` (``ndim = 1``) as a finite float64 array, or a failed check.

    Any value is read through :func:`as_float_array` (lists, tuples, arrays of
    any real dtype, SymPy matrices; a column or row vector counts as a vector),
    so nothing the reader passes makes the check raise.
    """
    try:
        shape = tuple(int(n) for n in np.shape(value))  # numpy may raise on the reader's object
    except Exception:
        shape = ()  # as_float_array reads it again and reports what is wrong
    prefix = f"On {_GIVEN} {name} returned "
    try:
        arr = as_float_array(value, shape, on=_GIVEN, what=name)
    except CheckFailed as exc:  # as_float_array speaks of a function's return value; W, b, x are values
        message = exc.message
        if message.startswith(prefix + "complex numbers"):
            message = f"{name} holds complex numbers{message[len(prefix) + len('complex numbers'):]}"
            message = message.replace("the answer is real", "weights, biases and inputs are real")
        elif message.startswith(prefix):
            message = f"{name} is {message[len(prefix):]}"
        raise CheckFailed(message, exc.details) from None
    if ndim == 1 and arr.ndim == 2 and 1 in arr.shape:
        arr = arr.reshape(-1)  # a column (or row) vector is a vector
    if arr.ndim != ndim:
        kind = "a vector (1-D)" if ndim == 1 else "a matrix (2-D: one row per output)"
        fail(f"{name} must be {kind}; your {name} = {fmt(arr)} has shape {arr.shape}.", **{name: arr})
    if arr.size == 0:
        fail(f"{name} is empty (shape {arr.shape}); a layer needs at least one weight, bias and input.")
    if not np.all(np.isfinite(arr)):
        fail(
            f"{name} contains inf or nan ({name} = {fmt(arr)}); a network's weights, biases and inputs are finite.",
            **{name: arr},
        )
    return arr


def _scaled(values: np.ndarray) -> list[int]:
    """Each float times 2**1074, exactly, as a Python int (every float64 is an integer multiple of 2**-1074)."""
    out = []
    for v in values.reshape(-1).tolist():
        numerator, denominator = float(v).as_integer_ratio()  # the denominator is a power of 2
        out.append(numerator << (1074 - (denominator.bit_length() - 1)))
    return out


def _exact_affine(W: np.ndarray, x: np.ndarray, b: np.ndarray) -> list[Fraction]:
    """``W @ x + b`` in exact rational arithmetic: nothing rounds, nothing overflows."""
    K, n = W.shape
    Ws, xs, bs = _scaled(W), _scaled(x), _scaled(b)
    scale = 1 << 2148
    return [
        Fraction(sum(Ws[i * n + k] * xs[k] for k in range(n)) + (bs[i] << 1074), scale) for i in range(K)
    ]


def _fmt_exact(values: list[Fraction]) -> str:
    """Exact rationals (weighted inputs) for a message: 6 digits, also beyond the float64 range."""
    texts = []
    for v in values:
        try:
            texts.append(fmt(float(v)))
        except OverflowError:  # |z| beyond 1.8e308: the rational is exact, its float is not
            with mpmath.workdps(20):
                texts.append(mpmath.nstr(mpmath.mpf(v.numerator) / v.denominator, 6))
    if len(texts) > 10:
        texts = texts[:8] + ["..."] + texts[-2:]
        return "[" + ", ".join(texts) + f"] ({len(values)} entries)"
    return "[" + ", ".join(texts) + "]"


def _weighted_inputs(W: np.ndarray, x: np.ndarray, b: np.ndarray) -> list[Fraction]:
    """``z = W x + b``, exact, or rounded only where rounding cannot change the verdict.

    Up to 10^4 weights, exactly (:func:`_exact_affine`). A larger layer is first
    computed in float64 with a rigorous bound on the rounding error of each
    ``z_i``; since ``sigmoid' <= 1/4``, the sum of the outputs moves by at most a
    quarter of the summed bounds, and when that cannot carry ``|sum - 1|``
    across 0.001 the float ``z`` decides as the exact one would. Otherwise (or
    on overflow) the exact computation is done after all.
    """
    K, n = W.shape
    if W.size > 10_000:
        with np.errstate(all="ignore"):
            z = W @ x + b
            magnitude = np.abs(W) @ np.abs(x) + np.abs(b)
        u = 2.0**-53
        bound = 2.0 * ((n + 2) * u * magnitude + (n + 2) * 2.0**-1074)  # a factor 2 for rounding in the bound itself
        if np.all(np.isfinite(z)) and np.all(np.isfinite(bound)):
            with mpmath.workdps(30):
                total = mpmath.fsum(1 / (1 + mpmath.exp(-mpmath.mpf(float(v)))) for v in z)
                margin = abs(abs(total - 1) - mpmath.mpf("0.001"))
            if margin > float(np.sum(bound)) / 4 and (K != 2 or abs(z[0] + z[1]) > 4 * float(np.sum(bound))):
                return [Fraction(float(v)) for v in z]
    return _exact_affine(W, x, b)


@checker("Sigmoid outputs need not sum to 1")
def check_sigmoid_sum(W: Any, b: Any, x: Any) -> CheckResult:
    """Check a concrete sigmoid output layer whose activations do not sum to 1.

    The layer computes ``a = sigmoid(W @ x + b)`` with ``K >= 2`` outputs; the
    example counts when ``|sum(a) - 1| >= 0.001`` (a clear difference, not a
    rounding accident). The weighted inputs ``z = W x + b`` and the sum are
    computed exactly (rational arithmetic on the given floats, then 30-digit
    sigmoids), so neither rounding nor overflow in ``W @ x`` can turn a layer
    whose outputs sum to 1 into an example, or the reverse.

    Parameters
    ----------
    W : array_like, shape (K, n)
        Weights of the output layer.
    b : array_like, shape (K,)
        Biases (a column ``(K, 1)`` is accepted too).
    x : array_like, shape (n,)
        The activations feeding the layer (the previous layer's output; a
        column ``(n, 1)`` is accepted too).

    Returns
    -------
    CheckResult
        Passed with the outputs and their sum; failed with the reason (values
        that are not real numbers, shapes, a single output, or outputs that do
        sum to 1, such as weighted inputs ``t`` and ``-t``); "not attempted"
        while any argument is ``None``.

    Examples
    --------
    >>> from softmaxlab.exercises import check_sigmoid_sum
    >>> check_sigmoid_sum([[1.0], [2.0]], [0.0, 0.0], [1.0]).passed
    True
    >>> r = check_sigmoid_sum([[1.0], [-1.0]], [0.0, 0.0], [3.0])  # sigmoid(t) + sigmoid(-t) = 1
    >>> r.passed, r.details[0]
    (False, ('z = W x + b', '[3, -3]'))
    >>> check_sigmoid_sum(None, None, None).status
    'not attempted'
    """
    require_answer(W, b, x)
    W = _read_given(W, "W", 2)
    b = _read_given(b, "b", 1)
    x = _read_given(x, "x", 1)
    K, n = W.shape
    if x.shape != (n,):
        fail(
            f"Your x = {fmt(x, digits=None)} has {x.shape[0]} entries, but W has shape {W.shape} "
            f"(one column per input), so x must have {n}.",
            W=W,
            x=fmt(x, digits=None),
        )
    if b.shape != (K,):
        fail(
            f"Your b = {fmt(b, digits=None)} has {b.shape[0]} entries, but W has {K} rows (one per output), "
            f"so b must have {K}.",
            W=W,
            b=fmt(b, digits=None),
        )
    if K < 2:
        fail(
            f"Your layer has a single output (W has one row; x = {fmt(x, digits=None)}). The question is "
            "about an output layer with several neurons (one per class): use K >= 2 rows in W.",
            W=W,
        )
    z_exact = _weighted_inputs(W, x, b)
    with mpmath.workdps(30):
        z_mp = [mpmath.mpf(v.numerator) / v.denominator for v in z_exact]
        a_mp = [1 / (1 + mpmath.exp(-v)) for v in z_mp]
        total_mp = mpmath.fsum(a_mp)
        top = max(z_mp)
        e = [mpmath.exp(v - top) for v in z_mp]
        soft = np.array([float(v / mpmath.fsum(e)) for v in e])
        a = np.array([float(v) for v in a_mp])
        total = float(total_mp)
        off_by = float(abs(total_mp - 1))
    z_text = _fmt_exact(z_exact)
    if off_by < 1e-3:
        if K == 2 and z_exact[0] + z_exact[1] == 0:
            why = (
                f" Your weighted inputs are t and -t (t = {_fmt_exact(z_exact[:1])[1:-1]}), and "
                "sigmoid(t) + sigmoid(-t) = 1 for every t: the one case where two sigmoid outputs "
                "always sum to 1."
            )
        elif max(a) > 0.999:
            why = (
                " One output is saturated near 1 and the others are near 0, so the sum is within 0.001 "
                "of 1 although it is not exactly 1: use weighted inputs of moderate size."
            )
        elif K == 2:
            why = " Two outputs whose weighted inputs are nearly t and -t sum to nearly 1: move them apart."
        else:
            why = ""
        if total_mp == 1:
            total_text, how_close = "1", "exactly 1"
        else:
            sign = "+" if total_mp > 1 else "-"
            total_text = f"1 {sign} {distinguishing_digits(off_by, 1e-3, least=3)[0]}"  # never "1 + 0.001"
            how_close = f"{total_text}, within 0.001 of 1 (the example counts when |sum of a - 1| >= 0.001)"
        fail(
            f"For W, b, x giving z = W x + b = {z_text}, the sigmoid outputs a = {fmt(a)} sum to "
            f"{how_close}.{why} Choose an example whose outputs clearly do not sum to 1.",
            **{"z = W x + b": z_text, "a = sigmoid(z)": a, "sum of a": total_text},
        )
    total_text, _ = distinguishing_digits(total, 1.0)
    return (
        f"Your sigmoid layer outputs a = {fmt(a)}, which sum to {total_text}, not 1. "
        f"A softmax layer on the same weighted inputs gives {fmt(soft)}, which sums to 1.",
        (("z = W x + b", z_text), ("a = sigmoid(z)", fmt(a)), ("sum of a", total_text)),
    )
