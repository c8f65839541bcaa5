"""Checkers for the exercises on the softmax output layer itself.

The sigmoid-sum exercise contrasts a sigmoid output layer with a softmax one,
the non-locality exercise asks which outputs depend on which inputs, the
inversion exercise inverts the layer.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from typing import Any

import mpmath
import numpy as np

from softmaxlab.core import softmax
from softmaxlab.exercises._result import (
    CheckFailed,
    CheckResult,
    as_float_array,
    call_answer,
    checker,
    distinguishing_digits,
    fail,
    fmt,
    require_answer,
    tolerance_text,
)

__all__ = [
    "INVERSION_RTOL",
    "check_sigmoid_sum",
    "check_non_locality",
    "check_inversion",
    "sigmoid_layer",
    "softmax_layer",
    "block_softmax_layer",
    "running_sum_sigmoid_layer",
    "reversed_sigmoid_layer",
]

_SEED = 20260301  # one fixed seed: every reader is checked on the same inputs


def _sigmoid(z: np.ndarray) -> np.ndarray:
    """The logistic sigmoid, without overflow: exp(-log(1 + exp(-z)))."""
    return np.exp(-np.logaddexp(0.0, -z))


# --------------------------------------------------------------------------------------
# sigmoid outputs need not sum to 1

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


# --------------------------------------------------------------------------------------
# non-locality


def sigmoid_layer(z: np.ndarray) -> np.ndarray:
    """A sigmoid output layer: ``a_j = sigmoid(z_j)``. Output j depends on input j only.

    Examples
    --------
    >>> import numpy as np
    >>> from softmaxlab.exercises import sigmoid_layer
    >>> sigmoid_layer(np.array([0.0, 2.0])).round(4)
    array([0.5   , 0.8808])
    """
    return _sigmoid(np.asarray(z, dtype=np.float64))


def softmax_layer(z: np.ndarray) -> np.ndarray:
    """A softmax output layer: ``a = softmax(z)``. Every output depends on every input.

    Examples
    --------
    >>> import numpy as np
    >>> from softmaxlab.exercises import softmax_layer
    >>> softmax_layer(np.array([0.0, 2.0])).round(4)
    array([0.1192, 0.8808])
    """
    return softmax(np.asarray(z, dtype=np.float64))


def block_softmax_layer(z: np.ndarray) -> np.ndarray:
    """Two independent softmaxes, over the first ``K // 2`` inputs and over the rest.

    Outputs in one block depend on every input of their block and on none of
    the other block (a block-diagonal dependence pattern); a block of one
    input is the constant 1 and depends on nothing.

    Examples
    --------
    >>> import numpy as np
    >>> from softmaxlab.exercises import block_softmax_layer
    >>> block_softmax_layer(np.array([0.0, 0.0, 1.0, 1.0]))
    array([0.5, 0.5, 0.5, 0.5])
    """
    z = np.asarray(z, dtype=np.float64)
    half = z.shape[0] // 2
    return np.concatenate([softmax(z[:half]), softmax(z[half:])])


def running_sum_sigmoid_layer(z: np.ndarray) -> np.ndarray:
    """``a_j = sigmoid(z_1 + ... + z_j)``: output j depends on inputs 1 to j (lower triangular).

    Examples
    --------
    >>> import numpy as np
    >>> from softmaxlab.exercises import running_sum_sigmoid_layer
    >>> running_sum_sigmoid_layer(np.array([1.0, -1.0, 2.0])).round(4)
    array([0.7311, 0.5   , 0.8808])
    """
    return _sigmoid(np.cumsum(np.asarray(z, dtype=np.float64)))


def reversed_sigmoid_layer(z: np.ndarray) -> np.ndarray:
    """``a_j = sigmoid(z_{K+1-j})``: local, but output j depends on input K + 1 - j.

    Examples
    --------
    >>> import numpy as np
    >>> from softmaxlab.exercises import reversed_sigmoid_layer
    >>> reversed_sigmoid_layer(np.array([0.0, 2.0])).round(4)
    array([0.8808, 0.5   ])
    """
    return _sigmoid(np.asarray(z, dtype=np.float64)[::-1])


def _true_dependence(name: str, K: int) -> np.ndarray:
    """The exact pattern D[j, k] = (output j depends on input k), from each layer's formula."""
    j, k = np.indices((K, K))
    if name == "softmax_layer":
        return np.ones((K, K), dtype=bool)
    if name == "sigmoid_layer":
        return j == k
    if name == "block_softmax_layer":  # a softmax over a single input is the constant 1
        sizes = np.where(j < K // 2, K // 2, K - K // 2)
        return ((j < K // 2) == (k < K // 2)) & (sizes >= 2)
    if name == "running_sum_sigmoid_layer":
        return k <= j
    if name == "reversed_sigmoid_layer":
        return j + k == K - 1
    raise ValueError(f"unknown layer {name!r}")


_LAYERS: list[tuple[Callable[[np.ndarray], np.ndarray], str]] = [
    (softmax_layer, "the softmax layer"),
    (sigmoid_layer, "the sigmoid layer"),
    (block_softmax_layer, "two softmaxes side by side (block_softmax_layer)"),
    (running_sum_sigmoid_layer, "a_j = sigmoid(z_1 + ... + z_j) (running_sum_sigmoid_layer)"),
    (reversed_sigmoid_layer, "a_j = sigmoid(z_(K+1-j)) (reversed_sigmoid_layer)"),
]


def _non_locality_points() -> list[tuple[np.ndarray, str]]:
    """The points z of the check, every |z_k| <= 4.

    At each of them a true dependence changes the output by a relative amount
    of at least 3e-4 h for a nudge h (far above rounding for h = 1e-8 to 1e-3),
    while the absolute change can be tiny: at z = (-4, ..., -4) the running-sum
    layer's last output is about 1e-14 and moves by about 1e-14 h, and at
    z = (4, -4, -4) a softmax output of 3e-4 moves by 1e-7 h when another small
    input moves. A threshold on the absolute change misses these.
    """
    rng = np.random.default_rng(_SEED + 3)
    points = [
        (np.zeros(3), "a tie"),
        (np.array([4.0, -4.0, 0.5, 1.0]), "a spread-out point"),
        (np.array([4.0, -4.0, -4.0]), "one dominant input: outputs near 3e-4 that move by about 1e-7 h"),
        (np.full(8, -4.0), "every input at -4: outputs near 1e-14 that move by about 1e-14 h"),
        (np.array([-4.0, 4.0, -4.0, -4.0, -4.0]), "one dominant input among five"),
    ]
    for K in (2, 3, 5, 6):
        points.append((np.round(rng.uniform(-3, 3, size=K), 3), "a random point"))
    return points


def _as_bool_matrix(value: Any, K: int, on: str) -> np.ndarray:
    arr = as_float_array(value, (K, K), on=on, what="your influence function")
    if not np.all((arr == 0) | (arr == 1)):
        fail(
            f"On {on} your influence function returned entries other than True/False (or 1/0): "
            "return whether output j depends on input k, not how much it changes.",
            got=arr,
        )
    return arr.astype(bool)


@checker("Non-locality of softmax")
def check_non_locality(influence: Callable[[Callable[[np.ndarray], np.ndarray], np.ndarray], Any]) -> CheckResult:
    """Check a function that finds out which outputs of a layer depend on which inputs.

    ``influence(layer, z)`` must return a ``(K, K)`` array of booleans whose
    entry ``[j, k]`` says whether output ``j`` of ``layer`` changes when input
    ``k`` changes near the point ``z`` (a 1-D float array of length ``K``).
    The check runs it on five layers with known dependence patterns: softmax
    (every output on every input), sigmoid (diagonal), two softmaxes side by
    side (block diagonal), a running-sum sigmoid (lower triangular, so a
    transposed answer fails) and a reversed sigmoid (anti-diagonal), each at
    9 points with ``|z_k| <= 4``: a tie, random points, a spread-out point
    and points with one dominant input or every input at -4. At all of them a
    true dependence changes the output by a relative ``3e-4 h`` or more for a
    nudge ``h`` (far more than rounding), but some outputs are as small as
    1e-14 and move by as little as ``1e-14 h``, so an answer that thresholds
    the absolute change (``|change| > 1e-12``) fails.

    Parameters
    ----------
    influence : callable
        ``influence(layer, z) -> (K, K) array of bool``.

    Returns
    -------
    CheckResult

    Examples
    --------
    >>> import numpy as np
    >>> from softmaxlab.exercises import check_non_locality
    >>> def influence(layer, z, h=1e-6):
    ...     base = layer(z)
    ...     moved = [layer(z + h * e) for e in np.eye(len(z))]
    ...     return np.array([m != base for m in moved]).T
    >>> check_non_locality(influence).passed
    True
    >>> check_non_locality(lambda layer, z: np.eye(len(z), dtype=bool)).passed  # "every layer is local"
    False
    """
    points = _non_locality_points()
    for layer, description in _LAYERS:
        for z, kind in points:
            K = z.shape[0]
            on = f"{layer.__name__} at z = {fmt(z, digits=None)}"
            got = _as_bool_matrix(call_answer(influence, layer, z.copy(), on=on, what="your influence function"), K, on)
            truth = _true_dependence(layer.__name__, K)
            if np.array_equal(got, truth):
                continue
            j, k = (int(i) for i in np.argwhere(got != truth)[0])
            claim = "depends" if got[j, k] else "does not depend"
            actual = "it does" if truth[j, k] else "it does not"
            advice = ""
            if truth[j, k]:
                base = layer(z)
                moved = layer(z + 1e-6 * np.eye(K)[k])
                change = float(abs(moved[j] - base[j]))
                advice = (
                    f" Here output {j + 1} is {fmt(float(base[j]), 3)} and moves by only about "
                    f"{fmt(change, 2)} when input {k + 1} moves by 1e-6: a small change is still a change. "
                    "Compare the outputs exactly (!=) rather than against a threshold, with a nudge h "
                    "large enough to change z."
                )
            fail(
                f"For {description} at z = {fmt(z, digits=None)} ({kind}), your function says "
                f"output {j + 1} {claim} on input {k + 1}, but {actual}.{advice} "
                f"(Rows are outputs j, columns inputs k, numbered from 1 here and from 0 in numpy.)",
                input=f"{layer.__name__}, z = {fmt(z, digits=None)}",
                expected=truth.astype(int),
                got=got.astype(int),
            )
    return (
        "Your influence function finds the exact dependence pattern of all five test layers at "
        f"{len(points)} points each, even where an output of about 1e-14 barely moves: "
        "every softmax output depends on every input, "
        "each sigmoid output on one input only.",
        (("softmax layer, K = 3", fmt(_true_dependence("softmax_layer", 3).astype(int))),
         ("sigmoid layer, K = 3", fmt(_true_dependence("sigmoid_layer", 3).astype(int)))),
    )


# --------------------------------------------------------------------------------------
# inverting the softmax layer

#: Accuracy asked of the inversion exercise: softmax(z) reproduces every a_j to this relative
#: tolerance. A constant C up to 4e6 in size costs at most 5e-10 (the spacing of floats near C);
#: C = 1e20 rounds every ln a_j + C to the same float.
INVERSION_RTOL = 1e-9


def _inversion_cases() -> list[tuple[np.ndarray, str]]:
    """Probability vectors a = softmax(z), every entry a positive normal float."""
    rng = np.random.default_rng(_SEED + 4)
    cases: list[tuple[np.ndarray, str]] = []
    for K in range(1, 9):
        for scale in (0.5, 3.0, 30.0):
            cases.append((softmax(rng.normal(0.0, scale, size=K)), f"random, K = {K}"))
    cases += [
        (np.full(4, 0.25), "four equal outputs"),
        (np.array([0.4, 0.4, 0.2]), "a tie"),
        (softmax(np.array([0.0, -30.0, -35.0])), "one dominant output"),
        (softmax(np.array([0.0, -700.0])), "an output of about 1e-304"),
        (softmax(np.array([5.0, 5.0, 5.0 - 1e-9])), "nearly equal outputs"),
        (softmax(rng.normal(0.0, 2.0, size=200)), "K = 200"),
    ]
    return cases


def _softmax_relative_errors(z: np.ndarray, a: np.ndarray) -> np.ndarray:
    """softmax(z)_j / a_j - 1 for every j, from the exact floats z and a, to about 30 digits.

    With r the index of the largest z and e_j = (z_j - z_r) - (ln a_j - ln a_r),
    softmax(z)_j / a_j = e^(e_j) / sum_k a_k e^(e_k). The differences z_j - z_r
    are taken exactly (mpmath's exact subtraction of two floats: no digits of
    a huge z are lost to the checker's rounding), the logarithms to 40 digits.
    """
    r = int(np.argmax(z))
    with mpmath.workdps(40):
        log_r = mpmath.log(mpmath.mpf(float(a[r])))
        e = [
            mpmath.fsub(float(zj), float(z[r]), exact=True) - (mpmath.log(mpmath.mpf(float(aj))) - log_r)
            for zj, aj in zip(z, a)
        ]
        top = max(e)
        total = mpmath.fsum(mpmath.mpf(float(aj)) * mpmath.exp(ej - top) for aj, ej in zip(a, e))
        return np.array([float(mpmath.exp(ej - top) / total - 1) for ej in e])


def _softmax_exact(z: np.ndarray) -> np.ndarray:
    """softmax of the exact floats z, rounded once (for messages; z finite)."""
    r = int(np.argmax(z))
    with mpmath.workdps(40):
        e = [mpmath.exp(mpmath.fsub(float(v), float(z[r]), exact=True)) for v in z]
        total = mpmath.fsum(e)
        return np.array([float(v / total) for v in e])


@checker("Inverting the softmax layer")
def check_inversion(invert: Callable[[np.ndarray], Any]) -> CheckResult:
    """Check an inverse of the softmax layer: ``invert(a)`` must return ``ln a + C``.

    Any constant ``C`` is accepted, and it may differ from one vector ``a`` to
    the next (softmax forgets it); an offset that varies with ``j`` is
    rejected, since then ``softmax(z) != a``. The test is the definition:
    ``softmax(z)``, computed to 40 digits from the floats ``z`` returned,
    must reproduce every ``a_j`` to a relative ``1e-9``, a tolerance set by
    ``a`` and not by ``z``. Any ``C`` up to a few million in size passes
    (rounding ``ln a_j + C`` to the floats near ``C`` costs at most ``5e-10``
    for ``|C| <= 4e6``); ``C = 1e20`` rounds every ``ln a_j + C`` to the same
    float and fails, as does a ``z`` with an imaginary part. Tested on 30
    probability vectors of length 1 to 200: random, equal entries, a dominant
    entry and entries near 1e-304.

    Parameters
    ----------
    invert : callable
        ``invert(a) -> z`` for a 1-D array ``a`` of positive numbers summing to 1.

    Returns
    -------
    CheckResult

    Examples
    --------
    >>> import numpy as np
    >>> from softmaxlab.exercises import check_inversion
    >>> check_inversion(np.log).passed
    True
    >>> check_inversion(lambda a: np.log(a) + 42.0).passed   # any constant C
    True
    >>> check_inversion(lambda a: np.log(a) + 1e20).passed   # ln a rounded away
    False
    >>> check_inversion(lambda a: a).passed
    False
    """
    cases = _inversion_cases()
    for a, kind in cases:
        K = a.shape[0]
        on = f"a = {fmt(a, digits=None)}"
        z = as_float_array(call_answer(invert, a.copy(), on=on), (K,), on=on)
        a_text = fmt(a)
        if not np.all(np.isfinite(z)):
            j = int(np.flatnonzero(~np.isfinite(z))[0])
            fail(
                f"For a = {a_text} ({kind}) your z contains {fmt(z[j])} (entry {j + 1}); every a_j is "
                "positive, so every z_j = ln a_j + C is finite.",
                input=fmt(a, digits=None),
                got=z,
            )
        errors = _softmax_relative_errors(z, a)
        j = int(np.argmax(np.abs(errors)))
        if abs(errors[j]) <= INVERSION_RTOL:
            continue
        back = _softmax_exact(z)
        got_text, want_text = distinguishing_digits(back[j], a[j])
        log_a = np.log(a)
        d = z - log_a
        spread = float(np.max(d) - np.min(d))
        big = float(np.max(np.abs(z)))
        if spread <= 2.0 * float(np.spacing(big)):  # no more than rounding z to the floats near its size
            why = (
                f" Your z has entries as large as {fmt(big, 3)}: float64 stores ln a_j + C only to the "
                f"spacing of floats near C ({fmt(float(np.spacing(big)), 2)}), which rounds away "
                "digits of ln a_j. Pick a constant of moderate size, such as C = 0."
            )
        else:
            why = (
                f" z_j - ln a_j is not the same for every j: minus its value at j = 1 it is {fmt(d - d[0])} "
                f"(a spread of {fmt(spread, 3)})."
            )
        fail(
            f"For a = {a_text} ({kind}), softmax of your z = {fmt(z)} is not a: at entry {j + 1} it is "
            f"{got_text} where a_{j + 1} = {want_text} (relative error {fmt(abs(float(errors[j])), 2)}; "
            f"allowed: {tolerance_text(INVERSION_RTOL)}).{why}",
            input=fmt(a, digits=None),
            expected=f"ln a + C = {fmt(log_a)} + C",
            got=z,
            softmax_of_your_z=distinguishing_digits(back, a)[0],
            tolerance=tolerance_text(INVERSION_RTOL),
        )
    return (
        f"softmax(invert(a)) = a on all {len(cases)} test vectors (K = 1 to 200, ties, "
        "a dominant output, outputs near 1e-304): your z is ln a plus a constant each time.",
        (),
    )
