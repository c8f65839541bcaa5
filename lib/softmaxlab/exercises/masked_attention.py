"""Checker for the exercise on attention with a fully masked row (the zero convention)."""

from __future__ import annotations

import math
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

__all__ = ["check_masked_attention"]

_SEED = 20260716
_RTOL = 1e-9


def _masked_reference(q: np.ndarray, k: np.ndarray, v: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """softmax(q k^T / sqrt(d)) v over the allowed keys of each query; the zero vector for a query with none.

    Row by row with math.fsum, shifting by the largest *allowed* score."""
    out = np.zeros((q.shape[0], v.shape[1]))
    scale = 1.0 / math.sqrt(q.shape[1])
    for i in range(q.shape[0]):
        allowed = np.flatnonzero(mask[i])
        if allowed.size == 0:
            continue
        scores = [math.fsum(q[i] * k[j]) * scale for j in allowed]
        top = max(scores)
        exps = [math.exp(s - top) for s in scores]
        total = math.fsum(exps)
        for c in range(v.shape[1]):
            out[i, c] = math.fsum(e * v[j, c] for e, j in zip(exps, allowed)) / total
    return out


def _attention_cases() -> list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, str]]:
    rng = np.random.default_rng(_SEED)

    def draw(n_q, n_k, d, d_v, spread=1.0):
        q = np.round(rng.normal(size=(n_q, d)) * spread, 1)
        k = np.round(rng.normal(size=(n_k, d)) * spread, 1)
        v = np.round(rng.normal(size=(n_k, d_v)), 1)
        return q, k, v

    cases = []
    q, k, v = draw(3, 4, 2, 2)
    cases.append((q, k, v, np.ones((3, 4), dtype=bool), "no key masked"))
    q, k, v = draw(4, 4, 3, 2)
    cases.append((q, k, v, np.tril(np.ones((4, 4), dtype=bool)), "a causal mask"))
    q, k, v = draw(3, 3, 4, 2)
    mask = np.tril(np.ones((3, 3), dtype=bool))
    mask[0] = False
    cases.append((q, k, v, mask, "a causal mask whose first query may attend to nothing"))
    q, k, v = draw(2, 3, 2, 3)
    cases.append((q, k, v, np.zeros((2, 3), dtype=bool), "every key masked for every query"))
    q, k, v = draw(3, 1, 5, 2)
    cases.append((q, k, v, np.array([[True], [False], [True]]), "one key, masked for the second query"))
    q, k, v = draw(3, 5, 7, 2)
    cases.append((q, k, v, rng.random((3, 5)) < 0.5, "a random mask, d = 7"))
    q = np.array([[40.0, 0.0], [0.0, -40.0]])
    k = np.array([[40.0, 10.0], [39.0, -40.0], [-40.0, 40.0]])
    v = np.array([[1.0, -1.0], [2.0, 0.5], [-3.0, 4.0]])
    cases.append((q, k, v, np.ones((2, 3), dtype=bool), "scores near 1100: exp overflows without a shift"))
    q = np.array([[1.0, 0.0], [0.0, 1.0]])
    k = np.array([[2000.0, 0.0], [1.0, 0.5], [0.5, 1.0]])
    v = np.array([[9.0, 9.0], [1.0, 0.0], [0.0, 1.0]])
    cases.append((q, k, v, np.array([[False, True, True], [False, True, True]]),
                  "a masked key whose score is about 1400 above the others"))
    q = np.array([[1e5, 0.0], [0.0, 1.0]])
    k = np.array([[-3e4, 0.0], [-2.9e4, 1.0], [5.0, 5.0]])
    v = np.array([[1.0, 2.0], [-1.0, 0.5], [7.0, 7.0]])
    cases.append((q, k, v, np.array([[True, True, False], [True, True, False]]),
                  "allowed scores near -2e9, below a finite fill of -1e9"))
    q = np.array([[3.0, 1.0, -2.0, 0.5]])
    k = np.array([[1.0, 1.0, 1.0, 1.0], [-1.0, 2.0, 0.0, 1.0], [0.5, -0.5, 2.0, 1.0]])
    v = np.array([[1e6, -2e6], [3e6, 1e6], [-1e6, 5e5]])
    cases.append((q, k, v, np.array([[True, False, True]]), "values of size 1e6"))
    for n_q, n_k, d, d_v in [(2, 6, 3, 1), (5, 4, 2, 3), (4, 7, 6, 2)]:
        q, k, v = draw(n_q, n_k, d, d_v, spread=2.0)
        mask = rng.random((n_q, n_k)) < 0.6
        mask[rng.integers(n_q)] = False
        cases.append((q, k, v, mask, f"a random mask with one fully masked query, d = {d}"))
    return cases


@checker("The row with nothing to attend to")
def check_masked_attention(attend: Callable[[np.ndarray, np.ndarray, np.ndarray, np.ndarray], Any]) -> CheckResult:
    """Check ``attend(q, k, v, mask)``: masked scaled dot-product attention with the zero convention.

    Each query ``i`` attends to the keys ``j`` with ``mask[i, j]`` True, with
    weights ``softmax(q_i . k_j / sqrt(d))`` over those keys, and its output is
    the weighted average of their values; a query whose mask row is all False
    gets the zero vector (the convention of PyTorch's ``_safe_softmax`` and of
    ``jax.nn.softmax`` with ``where``). Tested on 13 problems: no mask, causal
    masks, fully masked queries, every key masked, a single key, ``d = 7``,
    scores near 1100 (an unshifted ``exp`` overflows), a masked key whose
    score is 1400 above the allowed ones (a shift by the maximum over all keys
    underflows the rest), allowed scores near -2e9 (below a finite fill of
    -1e9), values of size 1e6 and random masks; an entry is
    wrong if it differs from a row-by-row reference (``math.fsum``) by more
    than ``1e-12 max|v| + 1e-9 |reference|``.

    Parameters
    ----------
    attend : callable
        ``attend(q, k, v, mask) -> array of shape (n_q, d_v)`` for float
        arrays ``q`` ``(n_q, d)``, ``k`` ``(n_k, d)``, ``v`` ``(n_k, d_v)`` and a
        boolean ``mask`` ``(n_q, n_k)`` (True = may attend).

    Returns
    -------
    CheckResult

    Examples
    --------
    >>> import numpy as np
    >>> from softmaxlab import scaled_dot_product_attention
    >>> from softmaxlab.exercises import check_masked_attention
    >>> def attend(q, k, v, mask):
    ...     out = scaled_dot_product_attention(q, k, v, mask=mask)     # nan where a row is fully masked
    ...     return np.where(mask.any(axis=1, keepdims=True), out, 0.0)
    >>> check_masked_attention(attend).passed
    True
    >>> def minus_1e9(q, k, v, mask):                                    # the finite fill
    ...     s = np.where(mask, q @ k.T / np.sqrt(q.shape[1]), -1e9)
    ...     w = np.exp(s - s.max(axis=1, keepdims=True))
    ...     return (w / w.sum(axis=1, keepdims=True)) @ v
    >>> check_masked_attention(minus_1e9).passed
    False
    """
    cases = _attention_cases()
    for q, k, v, mask, kind in cases:
        on = (f"q = {fmt(q, digits=None)}, k = {fmt(k, digits=None)}, v = {fmt(v, digits=None)}, "
              f"mask = {fmt(mask.astype(int), digits=None)}")
        expected = _masked_reference(q, k, v, mask)
        atol = 1e-12 * float(np.max(np.abs(v)))
        got, bad = answer_mismatch(attend, (q, k, v, mask), expected, on=on, rtol=_RTOL, atol=atol)
        if bad is None:
            continue
        row = bad[0]
        advice = ""
        if not mask[row].any():
            advice = (f" Query {row + 1} may attend to no key: its weights are 0/0, and the convention asked for "
                      "is the zero vector, not nan, not the average of the values.")
        elif not np.all(np.isfinite(got[row])):
            advice = (" Your answer holds nan or inf here: shift the scores by their largest *allowed* value "
                      "before exponentiating.")
        got_text, want_text = distinguishing_digits(got[row], expected[row])
        fail(
            f"For {on} ({kind}), output row {row + 1} should be {want_text}; yours is {got_text} "
            f"(allowed: {tolerance_text(_RTOL, atol)}).{advice}",
            input=on,
            expected=want_text,
            got=got_text,
            tolerance=tolerance_text(_RTOL, atol),
        )
    return (
        (f"Your attention is right on all {len(cases)} problems: masked keys get weight 0, fully masked queries "
         "get the zero vector, and no score overflows or underflows."),
        (("a query whose mask row is all False", "the zero output row"),),
    )
