"""Scaled dot-product attention: softmax used as a soft, differentiable lookup.

Each query ``q_i`` scores every key ``k_j`` by the dot product, the scores are
scaled by ``1 / sqrt(d)`` (so their spread does not grow with the dimension and
saturate the softmax), turned into weights by a softmax over the keys, and the
output is the weighted average of the values:

    attention(Q, K, V) = softmax(Q K^T / sqrt(d)) V.

This module computes it the standard way, materialising the ``n_q x n_k``
matrices of scores and probabilities; :func:`softmaxlab.online.tiled_attention`
gets the same result without them.
"""

from __future__ import annotations

import math
from numbers import Real
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from softmaxlab._validation import as_real_array, result_dtype, working_dtype
from softmaxlab.core import softmax

__all__ = ["MemoryTraffic", "scaled_dot_product_attention"]


class MemoryTraffic(NamedTuple):
    """Elements moved between main memory and fast memory by one attention computation.

    The model: every array the algorithm names lives in main memory, each step
    (a matrix product, a softmax pass, a tile update) loads its operands into
    fast memory once and stores its result once.

    Attributes
    ----------
    reads : int
        Elements loaded from main memory (``q``, ``k``, ``v`` and any score
        or probability matrix).
    writes : int
        Elements stored to main memory.
    score_elements : int
        The part of ``reads + writes`` that is traffic of ``n_q x n_k``
        score or probability matrices, the quadratic term tiling removes.

    Examples
    --------
    >>> MemoryTraffic(reads=10, writes=4, score_elements=6).total
    14
    """

    reads: int
    writes: int
    score_elements: int

    @property
    def total(self) -> int:
        """``reads + writes``."""
        return self.reads + self.writes


def _check_qkv(q, k, v, scale, mask):
    """Validate attention arguments; return arrays in the working dtype, mask, scale, dtypes."""
    qa, ka, va = as_real_array(q, "q"), as_real_array(k, "k"), as_real_array(v, "v")
    for name, a in (("q", qa), ("k", ka), ("v", va)):
        if a.ndim < 2:
            raise ValueError(f"{name} must have at least 2 dimensions (..., n, features), got shape {a.shape}")
    if qa.shape[-1] != ka.shape[-1]:
        raise ValueError(f"q and k must have the same feature size, got {qa.shape[-1]} and {ka.shape[-1]}")
    if ka.shape[-2] != va.shape[-2]:
        raise ValueError(f"k and v must have the same number of keys, got {ka.shape[-2]} and {va.shape[-2]}")
    try:
        np.broadcast_shapes(qa.shape[:-2], ka.shape[:-2], va.shape[:-2])
    except ValueError:
        raise ValueError(
            f"the leading (batch) axes of q, k, v must broadcast, got {qa.shape}, {ka.shape}, {va.shape}"
        ) from None
    if scale is None:
        scale = 1.0 / math.sqrt(qa.shape[-1]) if qa.shape[-1] else 1.0
    elif isinstance(scale, (bool, np.bool_)) or not isinstance(scale, (Real, np.floating, np.integer)):
        raise TypeError(f"scale must be a real number or None, got {scale!r}")
    elif not math.isfinite(float(scale)):
        raise ValueError(f"scale must be finite, got {scale!r}")
    scale = float(scale)
    mk = None
    if mask is not None:
        mk = np.asarray(mask)
        if mk.dtype != np.bool_:
            raise TypeError(f"mask must be a boolean array (True = attend), got dtype {mk.dtype}")
        try:
            np.broadcast_shapes(mk.shape, qa.shape[:-1] + (ka.shape[-2],))
        except ValueError:
            raise ValueError(
                f"mask of shape {mk.shape} does not broadcast to (..., n_q, n_k) = "
                f"{qa.shape[:-1] + (ka.shape[-2],)}"
            ) from None
        if mk.ndim < 2:
            mk = mk.reshape((1,) * (2 - mk.ndim) + mk.shape)
    dtypes = [working_dtype(a.dtype) for a in (qa, ka, va)]
    work = np.result_type(*dtypes)
    rdtype = np.result_type(*[result_dtype(a.dtype) for a in (qa, ka, va)])
    return (qa.astype(work, copy=False), ka.astype(work, copy=False), va.astype(work, copy=False),
            mk, scale, work, rdtype)


def scaled_dot_product_attention(
    q: ArrayLike,
    k: ArrayLike,
    v: ArrayLike,
    *,
    scale: float | None = None,
    mask: ArrayLike | None = None,
    return_traffic: bool = False,
):
    """``softmax(q k^T * scale) v``: standard attention, with the score matrix in memory.

    Parameters
    ----------
    q : array_like, shape (..., n_q, d)
        Queries.
    k : array_like, shape (..., n_k, d)
        Keys.
    v : array_like, shape (..., n_k, d_v)
        Values. Leading (batch) axes of the three broadcast.
    scale : float, optional
        Multiplies the scores; default ``1 / sqrt(d)``.
    mask : array_like of bool, optional
        Broadcastable to ``(..., n_q, n_k)``; False removes a key for a query
        (its score becomes ``-inf`` and its weight exactly 0). A query with
        every key removed gets a nan output row.
    return_traffic : bool, optional
        Also return a :class:`MemoryTraffic` tally of the three steps: the
        score product (loads ``q``, ``k``; stores ``S``), the softmax (loads
        ``S`` twice, as the online normaliser needs, stores ``P``) and the
        output product (loads ``P``, ``v``; stores the output). Mask loads
        are not counted.

    Returns
    -------
    out : ndarray, shape (..., n_q, d_v)
        Each row a convex combination of the rows of ``v``.
    traffic : MemoryTraffic
        Only if ``return_traffic``.

    Examples
    --------
    >>> import numpy as np
    >>> k = np.eye(3)
    >>> v = np.array([[1.0, 0.0], [0.0, 1.0], [5.0, 5.0]])
    >>> q = 50.0 * np.array([[0.0, 1.0, 0.0]])      # a sharp query: looks up key 1
    >>> np.round(scaled_dot_product_attention(q, k, v), 6)
    array([[0., 1.]])
    >>> mask = np.array([[True, False, True]])
    >>> np.round(scaled_dot_product_attention(q, k, v, mask=mask), 4)
    array([[3. , 2.5]])
    """
    qa, ka, va, mk, scale, work, rdtype = _check_qkv(q, k, v, scale, mask)
    scores = (qa @ np.swapaxes(ka, -1, -2)) * scale  # step 1: S = q k^T, stored
    if mk is not None:
        scores = np.where(mk, scores, -np.inf)
    probs = softmax(scores, axis=-1)  # step 2: P = softmax(S), stored
    out = probs @ va  # step 3: out = P v
    out = out.astype(rdtype, copy=False)
    if not return_traffic:
        return out
    s = scores.size
    reads = qa.size + ka.size + 2 * s + probs.size + va.size
    writes = s + probs.size + out.size
    return out, MemoryTraffic(reads=reads, writes=writes, score_elements=3 * s + 2 * probs.size)
