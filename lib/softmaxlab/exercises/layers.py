"""Checkers for the exercises on the softmax output layer itself (exercises 1, 3 and 4).

Exercise 1 contrasts a sigmoid output layer with a softmax one, exercise 3 asks
which outputs depend on which inputs, exercise 4 inverts the layer.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from softmaxlab.core import softmax
from softmaxlab.exercises._result import (
    CheckResult,
    as_float_array,
    call_answer,
    checker,
    fail,
    fmt,
    require_answer,
)

__all__ = [
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
# Exercise 1: sigmoid outputs need not sum to 1


def _as_real(value: Any, name: str, ndim: int) -> np.ndarray:
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        fail(f"{name} must be an array of real numbers; got {type(value).__name__}.")
    if arr.ndim != ndim:
        kind = "a vector (1-D)" if ndim == 1 else "a matrix (2-D)"
        fail(f"{name} must be {kind}; got an array of shape {arr.shape}.", **{name: arr})
    if not np.all(np.isfinite(arr)):
        fail(f"{name} contains inf or nan; a network's weights, biases and inputs are finite.", **{name: arr})
    return arr


@checker("Sigmoid outputs need not sum to 1")
def check_sigmoid_sum(W: Any, b: Any, x: Any) -> CheckResult:
    """Check a concrete sigmoid output layer whose activations do not sum to 1.

    The layer computes ``a = sigmoid(W @ x + b)`` with ``K >= 2`` outputs; the
    example counts when ``|sum(a) - 1| >= 0.001`` (a clear difference, not a
    rounding accident).

    Parameters
    ----------
    W : array_like, shape (K, n)
        Weights of the output layer.
    b : array_like, shape (K,)
        Biases.
    x : array_like, shape (n,)
        The activations feeding the layer (the previous layer's output).

    Returns
    -------
    CheckResult
        Passed with the outputs and their sum; failed with the reason (shapes,
        a single output, or outputs that do sum to 1, such as weighted inputs
        ``t`` and ``-t``); "not attempted" while any argument is ``None``.

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
    W = _as_real(W, "W", 2)
    b = _as_real(b, "b", 1)
    x = _as_real(x, "x", 1)
    K, n = W.shape
    if x.shape != (n,):
        fail(f"W has shape {W.shape}, so x must have {n} entries; it has {x.shape[0]}.", W=W, x=x)
    if b.shape != (K,):
        fail(f"W has {K} rows (one per output), so b must have {K} entries; it has {b.shape[0]}.", W=W, b=b)
    if K < 2:
        fail(
            "Your layer has a single output. The question is about an output layer with several "
            "neurons (one per class): use K >= 2 rows in W.",
            W=W,
        )
    z = W @ x + b
    a = _sigmoid(z)
    total = math.fsum(a)
    if abs(total - 1.0) < 1e-3:
        why = ""
        if K == 2 and abs(z[0] + z[1]) <= 1e-9 * (1 + abs(z[0])):
            why = (
                " Your weighted inputs are t and -t, and sigmoid(t) + sigmoid(-t) = 1 for every t: "
                "the one case where two sigmoid outputs always sum to 1."
            )
        fail(
            f"For W, b, x giving z = {fmt(z)}, the sigmoid outputs a = {fmt(a)} sum to "
            f"{fmt(total, 10)}, which is 1 (to within 0.001).{why} Choose an example whose outputs "
            "clearly do not sum to 1.",
            **{"z = W x + b": z, "a = sigmoid(z)": a, "sum of a": fmt(total, 10)},
        )
    return (
        f"Your sigmoid layer outputs a = {fmt(a)}, which sum to {fmt(total)}, not 1. "
        f"A softmax layer on the same weighted inputs gives {fmt(softmax(z))}, which sums to 1.",
        (("z = W x + b", fmt(z)), ("a = sigmoid(z)", fmt(a)), ("sum of a", fmt(total))),
    )


# --------------------------------------------------------------------------------------
# Exercise 3: non-locality


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
    rng = np.random.default_rng(_SEED + 3)
    points = [
        (np.zeros(3), "a tie"),
        (np.array([4.0, -4.0, 0.5, 1.0]), "a spread-out point"),
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
    ties, random points and a spread-out point with ``|z_k| <= 4`` (where every
    true dependence changes the output by far more than rounding).

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
    for layer, description in _LAYERS:
        for z, kind in _non_locality_points():
            K = z.shape[0]
            on = f"{layer.__name__} at z = {fmt(z, digits=None)}"
            got = _as_bool_matrix(call_answer(influence, layer, z.copy(), on=on, what="your influence function"), K, on)
            truth = _true_dependence(layer.__name__, K)
            if not np.array_equal(got, truth):
                j, k = (int(i) for i in np.argwhere(got != truth)[0])
                claim = "depends" if got[j, k] else "does not depend"
                actual = "it does" if truth[j, k] else "it does not"
                fail(
                    f"For {description} at z = {fmt(z, digits=None)} ({kind}), your function says "
                    f"output {j + 1} {claim} on input {k + 1}, but {actual}. "
                    f"(Rows are outputs j, columns inputs k, numbered from 1 here and from 0 in numpy.)",
                    input=f"{layer.__name__}, z = {fmt(z, digits=None)}",
                    expected=truth.astype(int),
                    got=got.astype(int),
                )
    return (
        "Your influence function finds the exact dependence pattern of all five test layers at "
        f"{len(_non_locality_points())} points each: every softmax output depends on every input, "
        "each sigmoid output on one input only.",
        (("softmax layer, K = 3", fmt(_true_dependence("softmax_layer", 3).astype(int))),
         ("sigmoid layer, K = 3", fmt(_true_dependence("sigmoid_layer", 3).astype(int)))),
    )


# --------------------------------------------------------------------------------------
# Exercise 4: inverting the softmax layer


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


@checker("Inverting the softmax layer")
def check_inversion(invert: Callable[[np.ndarray], Any]) -> CheckResult:
    """Check an inverse of the softmax layer: ``invert(a)`` must return ``ln a + C``.

    Any constant ``C`` is accepted, and it may differ from one vector ``a`` to
    the next (softmax forgets it); an offset that varies with ``j`` is
    rejected, since then ``softmax(z) != a``. Tested on probability vectors of
    length 1 to 200: random, equal entries, a dominant entry and entries near
    1e-304. The test is ``max_j d_j - min_j d_j <= 1e-9 (1 + max_j |z_j|)``
    with ``d = z - ln a``.

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
    >>> check_inversion(lambda a: a).passed
    False
    """
    for a, kind in _inversion_cases():
        K = a.shape[0]
        on = f"a = {fmt(a, digits=None)}"
        z = as_float_array(call_answer(invert, a.copy(), on=on), (K,), on=on)
        if not np.all(np.isfinite(z)):
            fail(
                f"For a = {fmt(a)} ({kind}) your z contains inf or nan; every a_j is positive, "
                "so every z_j is finite.",
                input=fmt(a, digits=None),
                got=z,
            )
        d = z - np.log(a)
        spread = float(d.max() - d.min())
        if spread > 1e-9 * (1.0 + float(np.abs(z).max())):
            fail(
                f"For a = {fmt(a)} ({kind}) your z = {fmt(z)} is not ln a + C: z_j - ln a_j = "
                f"{fmt(d)} changes with j (by {fmt(spread, 3)}). Check: softmax(z) = "
                f"{fmt(softmax(z))}, not a.",
                input=fmt(a, digits=None),
                expected=f"ln a + C = {fmt(np.log(a))} + C",
                got=z,
            )
    return (
        f"softmax(invert(a)) = a on all {len(_inversion_cases())} test vectors (K = 1 to 200, ties, "
        "a dominant output, outputs near 1e-304): your z is ln a plus a constant each time.",
        (),
    )
