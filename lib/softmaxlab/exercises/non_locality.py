"""Checker for the exercise on the non-locality of softmax, and the layers it tests on.

The reader's ``influence(layer, z)`` says which outputs of a layer depend on which
inputs; the checker runs it on five layers whose dependence patterns are known exactly:
:func:`softmax_layer` (every output on every input), :func:`sigmoid_layer` (diagonal),
:func:`block_softmax_layer`, :func:`running_sum_sigmoid_layer` and
:func:`reversed_sigmoid_layer`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from softmaxlab._logistic import sigmoid
from softmaxlab.core import softmax
from softmaxlab.exercises._result import (
    CheckResult,
    as_float_array,
    call_answer,
    checker,
    fail,
    fmt,
)

__all__ = [
    "check_non_locality",
    "sigmoid_layer",
    "softmax_layer",
    "block_softmax_layer",
    "running_sum_sigmoid_layer",
    "reversed_sigmoid_layer",
]

_SEED = 20260301  # one fixed seed: every reader is checked on the same inputs


def sigmoid_layer(z: np.ndarray) -> np.ndarray:
    """A sigmoid output layer: ``a_j = sigmoid(z_j)``. Output j depends on input j only.

    Examples
    --------
    >>> import numpy as np
    >>> from softmaxlab.exercises import sigmoid_layer
    >>> sigmoid_layer(np.array([0.0, 2.0])).round(4)
    array([0.5   , 0.8808])
    """
    return sigmoid(np.asarray(z, dtype=np.float64))


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
    return sigmoid(np.cumsum(np.asarray(z, dtype=np.float64)))


def reversed_sigmoid_layer(z: np.ndarray) -> np.ndarray:
    """``a_j = sigmoid(z_{K+1-j})``: local, but output j depends on input K + 1 - j.

    Examples
    --------
    >>> import numpy as np
    >>> from softmaxlab.exercises import reversed_sigmoid_layer
    >>> reversed_sigmoid_layer(np.array([0.0, 2.0])).round(4)
    array([0.8808, 0.5   ])
    """
    return sigmoid(np.asarray(z, dtype=np.float64)[::-1])


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
