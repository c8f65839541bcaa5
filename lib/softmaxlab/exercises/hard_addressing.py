"""Checker for the exercise on content addressing as the key strength grows without bound."""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
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

__all__ = ["check_hard_addressing"]

_SEED = 20260715
_ATOL = 1e-12


def _cosine_keys(memory: np.ndarray, key: np.ndarray) -> list[Fraction]:
    """Exact numbers in the order of the cosines: sign(d) d^2 / (|M_i|^2 |k|^2), with d = M_i . k (0 for a zero
    vector). The entries are integers, so Python integers make every comparison exact."""
    k = [int(v) for v in key]
    kk = sum(v * v for v in k)
    out = []
    for row in memory:
        m = [int(v) for v in row]
        mm = sum(v * v for v in m)
        d = sum(a * b for a, b in zip(m, k))
        out.append(Fraction(0) if mm == 0 or kk == 0 else Fraction((1 if d > 0 else -1) * d * d, mm * kk))
    return out


def _hard_reference(memory: np.ndarray, key: np.ndarray) -> np.ndarray:
    """lim_{beta -> inf} content_addressing(memory, key, beta): 1/m on the m rows of largest cosine."""
    keys = _cosine_keys(memory, key)
    best = max(keys)
    at_best = np.array([c == best for c in keys])
    return at_best / at_best.sum()


def _addressing_cases() -> list[tuple[np.ndarray, np.ndarray, str]]:
    a = np.array
    cases = [
        (a([[2.0, 0.0], [1.0, 1.0], [0.0, -3.0]]), a([1.0, 1.0]), "the largest dot product is not the largest cosine"),
        (a([[1.0, 1.0], [3.0, 3.0], [1.0, 0.0]]), a([1.0, 1.0]), "a tie between a row and 3 times that row"),
        (a([[1.0, 2.0, 2.0], [3.0, 6.0, 6.0], [2.0, 3.0, 1.0], [6.0, 9.0, 3.0]]), a([1.0, 2.0, 3.0]),
         "two pairs of parallel rows"),
        (a([[1.0, 0.0], [7.0, 0.0], [2.0, 1.0], [5.0, 0.0]]), a([1.0, 0.0]), "three parallel rows of different length"),
        (a([[1.0, 2.0], [-2.0, -4.0], [0.0, 1.0]]), a([1.0, 2.0]), "a row pointing against the key"),
        (a([[-1.0, 0.0], [0.0, 0.0], [-1.0, -1.0]]), a([1.0, 0.0]), "a zero row beats rows pointing away"),
        (a([[0.0, 1.0], [0.0, 0.0], [0.0, -2.0]]), a([1.0, 0.0]), "a zero row ties with a perpendicular row"),
        (a([[1.0, 2.0], [3.0, -1.0], [0.0, 0.0]]), a([0.0, 0.0]), "a zero key: every cosine is 0"),
        (a([[4.0, -2.0, 1.0], [4.0, -2.0, 1.0], [1.0, 1.0, 1.0]]), a([2.0, -1.0, 0.0]), "two identical rows"),
        (a([[5.0, -1.0, 2.0]]), a([-1.0, 3.0, 2.0]), "a single row"),
        (a([[100000.0, 1.0], [99999.0, 1.0], [0.0, 1.0]]), a([1.0, 0.0]),
         "cosines differing by about 1e-15: no tolerance may merge them"),
        (a([[1e8, 1.0], [1e8 - 1, 1.0], [1.0, 0.0], [2.0, 0.0]]), a([1.0, 0.0]),
         "rows 3 and 4 are the best, rows 1 and 2 round to the same cosine 1 in floats but are not"),
        (a([[3e9, 1.0], [3e9 - 1, 1.0], [7.0, 2.0]]), a([1.0, 0.0]),
         "cosines within 6e-20 of 1 and 4e-29 apart: even long double cannot tell them apart"),
        (a([[3.0, 4.0], [6.0, 8.0], [-3.0, -4.0], [4.0, 3.0]]), a([3.0, 4.0]), "a key parallel to two rows"),
        (a([[1.0, 1.0, 1.0, 1.0], [7.0, 7.0, 7.0, 7.0], [5.0, 5.0, 5.0, 4.0]]), a([2.0, 2.0, 2.0, 2.0]),
         "parallel rows that are parallel to the key too"),
    ]
    rng = np.random.default_rng(_SEED)
    for n, w in [(3, 2), (5, 3), (6, 4), (8, 3), (4, 5)]:
        memory = rng.integers(-5, 6, size=(n, w)).astype(np.float64)
        memory[rng.integers(n)] = 0.0 if n == 8 else memory[rng.integers(n)] * rng.integers(2, 5)
        cases.append((memory, rng.integers(-4, 5, size=w).astype(np.float64), f"random integers, N = {n}, W = {w}"))
    return cases


@checker("Hard addressing as the key strength grows")
def check_hard_addressing(limit: Callable[[np.ndarray, np.ndarray], Any]) -> CheckResult:
    """Check ``limit(memory, key)``, the limit of ``content_addressing(memory, key, beta)`` as ``beta -> inf``.

    The limit puts ``1/m`` on each of the ``m`` memory rows whose cosine
    similarity with the key is largest and 0 on the others; the cosine with a
    zero vector is 0 (so a zero key addresses every row equally). The entries
    are integers stored as floats (up to 3e9), and ties are exact: a row and
    3 times that row tie although their float cosines may differ in the last
    bit, while rows whose cosines differ by 1e-15 or less, or round to the
    same float (even in long double), do not tie. Tested on 20 memories: parallel rows of different
    lengths, rows pointing against the key, zero rows and a zero key,
    identical rows, a single row, near ties and random integer memories; an
    entry is wrong if it is off by more than 1e-12.

    Parameters
    ----------
    limit : callable
        ``limit(memory, key) -> array of shape (N,)`` for a float array
        ``memory`` of shape ``(N, W)`` and ``key`` of shape ``(W,)``.

    Returns
    -------
    CheckResult

    Examples
    --------
    >>> from fractions import Fraction
    >>> import numpy as np
    >>> from softmaxlab.exercises import check_hard_addressing
    >>> def limit(memory, key):
    ...     k = [int(v) for v in key]
    ...     def score(row):
    ...         m = [int(v) for v in row]
    ...         d, mm, kk = sum(a * b for a, b in zip(m, k)), sum(a * a for a in m), sum(b * b for b in k)
    ...         return Fraction(0) if mm * kk == 0 else Fraction(d * abs(d), mm * kk)
    ...     scores = [score(row) for row in memory]
    ...     best = np.array([s == max(scores) for s in scores])
    ...     return best / best.sum()
    >>> check_hard_addressing(limit).passed
    True
    >>> def float_cosine(memory, key):        # floats: a row and 3 times the row do not tie
    ...     cos = memory @ key / (np.linalg.norm(memory, axis=1) * np.linalg.norm(key))
    ...     best = cos == cos.max()
    ...     return best / best.sum()
    >>> check_hard_addressing(float_cosine).passed
    False
    """
    cases = _addressing_cases()
    for memory, key, kind in cases:
        on = f"memory = {fmt(memory, digits=None)}, key = {fmt(key, digits=None)}"
        expected = _hard_reference(memory, key)
        got, bad = answer_mismatch(limit, (memory, key), expected, on=on, rtol=0.0, atol=_ATOL)
        if bad is None:
            continue
        m = int(np.count_nonzero(expected))
        best = [i + 1 for i in np.flatnonzero(expected)]
        shape = f"all weight on row {best[0]}" if m == 1 else f"1/{m} on each of rows {', '.join(map(str, best))}"
        advice = ""
        if np.all(np.isfinite(got)) and abs(float(np.sum(got)) - 1.0) > 1e-9:
            advice = (f" Your weights sum to {fmt(float(np.sum(got)))}; every content weighting sums to 1, "
                      "so the limit does too.")
        elif not np.all(np.isfinite(got)):
            advice = " Your answer holds nan or inf: is the cosine of a zero vector (0/0) defined as 0?"
        got_text, want_text = distinguishing_digits(got, expected)
        fail(
            f"For {on} ({kind}), the limit as beta grows is {want_text} ({shape}); your limit gives {got_text}, "
            f"wrong at row {bad[0] + 1} (allowed: {tolerance_text(0.0, _ATOL)}).{advice}",
            input=on,
            expected=want_text,
            got=got_text,
            tolerance=tolerance_text(0.0, _ATOL),
        )
    return (
        (f"Your limit is right on all {len(cases)} memories: ties between parallel rows found exactly, near ties "
         "kept apart, zero rows and zero keys handled with cosine 0."),
        (("memory = [[1, 1], [3, 3], [1, 0]], key = [1, 1]", fmt(_hard_reference(
            np.array([[1.0, 1.0], [3.0, 3.0], [1.0, 0.0]]), np.array([1.0, 1.0])))),),
    )
