"""Checker for the monotonicity exercise: the Jacobian of softmax as a function.

The reader's Jacobian is compared with ``diag(a) - a a^T`` on many inputs, with a
tolerance relative to the reference entries.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from softmaxlab.exercises._result import (
    CheckResult,
    answer_mismatch,
    checker,
    distinguishing_digits,
    fail,
    fmt,
    tolerance_text,
)

__all__ = ["MONOTONICITY_ATOL", "MONOTONICITY_RTOL", "check_monotonicity"]

_SEED = 20260302

#: Tolerance of the Jacobian check, relative to the reference entry:
#: ``|yours - reference| <= MONOTONICITY_ATOL + MONOTONICITY_RTOL |reference|``.
#: Every float64 Jacobian built from a stable softmax (shift by the max, or
#: ``exp(z - logsumexp(z))``, in any arrangement) is within 1e-13 of the exact one,
#: entry by entry, on every test input, so the absolute term alone admits it;
#: float32 (even a float64 result cast at the end: 6e-8 relative), central
#: differences (1e-8 relative at best) and every formula mistake are outside.
MONOTONICITY_RTOL = 1e-9
MONOTONICITY_ATOL = 1e-10


def _jacobian_reference(z: np.ndarray) -> np.ndarray:
    """d a_j / d z_k = a_j (delta_jk - a_k), computed here without the library and without cancellation.

    ``a = e / S`` with ``e = exp(z - max z)`` (no overflow); the diagonal
    ``a_j (1 - a_j)`` is computed as ``a_j (sum_{k != j} e_k) / S``, which stays
    accurate to a few ulps also where ``a_j`` rounds to 1.
    """
    z = np.array(z, dtype=np.float64)  # a private copy
    e = np.exp(z - z.max())
    S = e.sum()
    a = e / S
    J = -np.outer(a, a)
    for j in range(z.shape[0]):
        J[j, j] = a[j] * (np.delete(e, j).sum() / S)
    return J


def _monotonicity_cases() -> list[tuple[np.ndarray, str]]:
    rng = np.random.default_rng(_SEED)
    cases: list[tuple[np.ndarray, str]] = []
    for K in range(2, 9):
        for scale in (0.3, 1.0, 3.0, 10.0):
            cases.append((np.round(rng.normal(0.0, scale, size=K), 3), f"random, K = {K}"))
    cases += [
        (np.zeros(3), "a three-way tie"),
        (np.array([2.0, 2.0, -1.0]), "a tie for the maximum"),
        (np.array([0.0, -30.0, -40.0]), "one dominant input"),
        (np.array([1000.0, 0.0, -1000.0]), "large magnitudes"),
        (np.array([-10000.0, -10000.0]), "a tie at a large negative value"),
        (np.array([800.0, 799.0]), "large positive values"),
    ]
    return cases


def _jacobian_advice(got: np.ndarray, expected: np.ndarray) -> str:
    """One sentence about what kind of mistake the wrong Jacobian shows, or ''."""
    K = got.shape[0]
    off = ~np.eye(K, dtype=bool)
    if not np.all(np.isfinite(got)):
        return " Your Jacobian contains inf or nan: build it from a softmax that does not overflow."
    if np.all(got[off] == 0) and np.any(expected[off] != 0):
        return (
            " Your Jacobian is diagonal, like a sigmoid layer's; but each softmax output "
            "depends on every input, through the denominator."
        )
    largest = float(np.max(np.abs(got)))
    size = (
        f" Your Jacobian has an entry of size {fmt(largest)}; every entry of the softmax Jacobian "
        "lies between -1/4 and 1/4."
    )
    if largest > 1:
        return size
    row_sums = got.sum(axis=1)
    if np.max(np.abs(row_sums)) > 1e-6:
        worst = int(np.argmax(np.abs(row_sums)))
        return (
            f" Row {worst + 1} of your Jacobian sums to {fmt(float(row_sums[worst]))}, but every row must sum "
            "to 0: adding the same number to every z_k changes no output."
        )
    if largest > 0.25 + 1e-6:
        return size
    return ""


@checker("Monotonicity of softmax")
def check_monotonicity(jacobian: Callable[[np.ndarray], Any]) -> CheckResult:
    """Check a function returning the Jacobian of softmax, ``J[j, k] = d a_j / d z_k``.

    ``jacobian(z)`` gets (a copy of) a 1-D float array of length ``K`` and must
    return a ``(K, K)`` array (any array-like: list of lists, numpy array,
    SymPy Matrix). It is compared with ``diag(a) - a a^T``, ``a =
    softmax(z)``, entry by entry, with a tolerance relative to the reference
    entry (``|yours - reference| <= 1e-10 + 1e-9 |reference|``), on 34
    inputs: random vectors with ``K`` from 2 to 8 at four scales, ties, one
    dominant input, and magnitudes up to 10^4 (where ``exp(z)`` overflows or
    underflows, so the Jacobian must be built from a stable softmax). A wrong
    entry is reported with its sign (diagonal entries are positive, the
    others negative), with enough digits to see the difference.

    Parameters
    ----------
    jacobian : callable
        ``jacobian(z) -> (K, K) array``.

    Returns
    -------
    CheckResult

    Examples
    --------
    >>> import numpy as np
    >>> from softmaxlab import softmax
    >>> from softmaxlab.exercises import check_monotonicity
    >>> def jacobian(z):
    ...     a = softmax(z)
    ...     return np.diag(a) - np.outer(a, a)
    >>> check_monotonicity(jacobian).passed
    True
    >>> check_monotonicity(lambda z: np.diag(softmax(z) * (1 - softmax(z)))).passed   # forgot j != k
    False
    >>> print(check_monotonicity(lambda z: np.full((len(z), len(z)), 1e12)).message)
    ... # doctest: +NORMALIZE_WHITESPACE
    At z = [-0.24, -0.109] (random, K = 2), entry (1, 2) of your Jacobian, d a_1 / d z_2, is 1e+12; it
    should be -0.24893 (negative, since j != k): off by 1e+12, more than |yours - reference| <= 1e-10 +
    1e-09 |reference| allows. Your Jacobian has an entry of size 1e+12; every entry of the softmax
    Jacobian lies between -1/4 and 1/4.
    """
    rule = tolerance_text(MONOTONICITY_RTOL, MONOTONICITY_ATOL)
    cases = _monotonicity_cases()
    for z, kind in cases:
        on = f"z = {fmt(z, digits=None)}"
        expected = _jacobian_reference(z)  # before the reader's function runs
        got, bad = answer_mismatch(jacobian, (z,), expected, on=on, rtol=MONOTONICITY_RTOL, atol=MONOTONICITY_ATOL)
        if bad is None:
            continue
        j, k = bad
        entry = f"d a_{j + 1} / d z_{k + 1}"
        sign = "positive, since j = k" if j == k else "negative, since j != k"
        if expected[j, k] == 0:
            sign = "0 here: the outputs involved underflow or are exactly 1"
        got_text, expected_text = distinguishing_digits(got[j, k], expected[j, k])
        got_matrix, expected_matrix = distinguishing_digits(got, expected)
        difference = abs(float(got[j, k]) - float(expected[j, k]))
        if np.isfinite(difference):
            verdict = f": off by {fmt(difference, 2)}, more than {rule} allows."
        else:
            verdict = f"; {got_text} is never within {rule}."
        fail(
            f"At {on} ({kind}), entry ({j + 1}, {k + 1}) of your Jacobian, {entry}, is {got_text}; "
            f"it should be {expected_text} ({sign}){verdict}"
            f"{_jacobian_advice(got, expected)}",
            input=fmt(z, digits=None),
            entry=f"({j + 1}, {k + 1}): {entry}",
            tolerance=rule,
            expected=expected_matrix,
            got=got_matrix,
        )
    return (
        f"Your Jacobian equals diag(a) - a a^T on all {len(cases)} test inputs "
        f"(K = 2 to 8, ties, a dominant input, |z| up to 10^4), within {rule}.",
        (("at z = [1, 2, 3]", fmt(_jacobian_reference(np.array([1.0, 2.0, 3.0])), 4)),),
    )
