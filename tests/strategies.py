"""Hypothesis strategies shared by the property tests: finite floats, vectors and batches of them,
vectors of one length drawn together, a vector with an index into it, and probability vectors.

Bounds are arguments because each function has its own safe range (exp overflows beyond 709, a
sum of exponentials cancels long before that); the profiles that set how many examples each test
draws are in tests/conftest.py.
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from softmaxlab import softmax


def finite_floats(lo: float = -1e3, hi: float = 1e3, width: int = 64) -> st.SearchStrategy[float]:
    """Floats in ``[lo, hi]``, never nan or infinite."""
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False, width=width)


def vectors(lo: float = -1e3, hi: float = 1e3, min_size: int = 1, max_size: int = 30,
            elements: st.SearchStrategy[float] | None = None) -> st.SearchStrategy[np.ndarray]:
    """1-D float64 arrays of ``min_size`` to ``max_size`` entries in ``[lo, hi]`` (or drawn from ``elements``)."""
    if elements is None:
        elements = finite_floats(lo, hi)
    return hnp.arrays(np.float64, st.integers(min_size, max_size), elements=elements)


def batches(lo: float = -1e3, hi: float = 1e3) -> st.SearchStrategy[np.ndarray]:
    """float64 arrays of 1 to 3 dimensions, each of 1 to 6 entries, in ``[lo, hi]``."""
    return hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=6),
                      elements=finite_floats(lo, hi))


def same_length(count: int, lo: float = -1e3, hi: float = 1e3, min_size: int = 1,
                max_size: int = 30) -> st.SearchStrategy[tuple[np.ndarray, ...]]:
    """``count`` vectors of one length (a logit vector and a tangent, two score vectors, ...)."""
    return st.integers(min_size, max_size).flatmap(
        lambda n: st.tuples(*(hnp.arrays(np.float64, n, elements=finite_floats(lo, hi)) for _ in range(count)))
    )


def vector_and_index(lo: float = -1e3, hi: float = 1e3, min_size: int = 1,
                     max_size: int = 30) -> st.SearchStrategy[tuple[np.ndarray, int]]:
    """A vector and a valid index into it (logits and a label)."""
    return st.integers(min_size, max_size).flatmap(
        lambda n: st.tuples(hnp.arrays(np.float64, n, elements=finite_floats(lo, hi)), st.integers(0, n - 1))
    )


def distributions(
    min_size: int = 1, max_size: int = 8, lo: float = -30, hi: float = 30
) -> st.SearchStrategy[np.ndarray]:
    """Probability vectors, some entries exactly 0: softmax of logits in ``[lo, hi]`` or ``-inf``."""
    logits = st.one_of(finite_floats(lo, hi), st.just(-np.inf))
    return vectors(min_size=min_size, max_size=max_size, elements=logits).filter(
        lambda z: np.isfinite(z).any()
    ).map(softmax)
