"""Scaled dot-product attention: softmax used as a soft, differentiable lookup.

Each query ``q_i`` scores every key ``k_j`` by the dot product, the scores are
scaled by ``1 / sqrt(d)`` (so their spread does not grow with the dimension and
saturate the softmax), turned into weights by a softmax over the keys, and the
output is the weighted average of the values:

    attention(Q, K, V) = softmax(Q K^T / sqrt(d)) V.

This module computes it the standard way, forming for each query the whole
row of ``n_k`` scores and probabilities (the traffic tally counts the
``n_q x n_k`` matrices ``S`` and ``P`` as stored in main memory, as the
standard algorithm does); :func:`softmaxlab.online.tiled_attention` gets the
same result one tile of keys at a time. Both work through the queries in
blocks of 1 to 4 MiB of scores (about a quarter of the output in between), so
the memory they use beyond the output is a few blocks, whatever ``n_q`` and the
batch size (a block of the standard version holds at least one query's ``n_k``
scores; the tiled one never more than a tile).

Both give the same answers at the edges: a query that may attend to no key
(every key masked, or ``n_k = 0``) gets a nan output row, the weights of an
empty set being 0 / 0; a query with a non-finite unmasked score (an infinite
or nan entry of ``q`` or ``k``, or a dot product beyond the float range) gets
nan too, as the weights then cannot be computed.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from softmaxlab._validation import as_real_array, check_bool, check_real, result_dtype, working_dtype
from softmaxlab.core import BLOCK_BYTES, LONG_SLICE_BYTES, softmax

__all__ = ["MemoryTraffic", "scaled_dot_product_attention"]

#: Elements of work (scores, tiles) per block: at most 4 MiB of float64 (a few hundred query rows
#: for a thousand keys; smaller blocks make the matrix products slower, BLAS repacking ``k`` for
#: each), at least 1 MiB, and about a quarter of the output in between (see _block_elements).
_BLOCK = LONG_SLICE_BYTES // 8


def _block_elements(out_size: int) -> int:
    """Elements of scores per block for an output of ``out_size`` elements."""
    return max(BLOCK_BYTES // 8, min(_BLOCK, out_size // 4))


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


class _Problem(NamedTuple):
    """Validated attention arguments."""

    q: np.ndarray
    k: np.ndarray
    v: np.ndarray
    mask: np.ndarray | None  # broadcast (a view) to batch + (n_q, n_k)
    scale: float
    batch: tuple[int, ...]  # of q, k, v and the mask together
    work: np.dtype
    rdtype: np.dtype

    @property
    def n_q(self) -> int:
        return self.q.shape[-2]

    @property
    def n_k(self) -> int:
        return self.k.shape[-2]

    @property
    def d_v(self) -> int:
        return self.v.shape[-1]

    def full(self, a: np.ndarray) -> np.ndarray:
        """``a`` broadcast (a view) to the whole batch."""
        return np.broadcast_to(a, self.batch + a.shape[-2:])


def _check_qkv(q, k, v, scale, mask) -> _Problem:
    """Validate attention arguments, naming the offending one."""
    qa, ka, va = as_real_array(q, "q"), as_real_array(k, "k"), as_real_array(v, "v")
    for name, a in (("q", qa), ("k", ka), ("v", va)):
        if a.ndim < 2:
            raise ValueError(f"{name} must have at least 2 dimensions (..., n, features), got shape {a.shape}")
    if qa.shape[-1] != ka.shape[-1]:
        raise ValueError(f"q and k must have the same feature size, got {qa.shape[-1]} and {ka.shape[-1]}")
    if ka.shape[-2] != va.shape[-2]:
        raise ValueError(f"k and v must have the same number of keys, got {ka.shape[-2]} and {va.shape[-2]}")
    try:
        batch = np.broadcast_shapes(qa.shape[:-2], ka.shape[:-2], va.shape[:-2])
    except ValueError:
        raise ValueError(
            f"the leading (batch) axes of q, k, v must broadcast, got {qa.shape}, {ka.shape}, {va.shape}"
        ) from None
    if scale is None:
        scale = 1.0 / math.sqrt(qa.shape[-1]) if qa.shape[-1] else 1.0
    else:
        scale = check_real(scale, "scale")
    mk = None
    if mask is not None:
        try:
            mk = np.asarray(mask)
        except (ValueError, TypeError):
            raise TypeError(
                "mask must be a boolean array (True = attend), got a ragged or unreadable array-like"
            ) from None
        if mk.dtype != np.bool_:
            raise TypeError(f"mask must be a boolean array (True = attend), got dtype {mk.dtype}")
        target = batch + (qa.shape[-2], ka.shape[-2])
        try:
            full = np.broadcast_shapes(mk.shape, target)
        except ValueError:
            raise ValueError(f"mask of shape {mk.shape} does not broadcast to (..., n_q, n_k) = {target}") from None
        batch = full[:-2]
        mk = np.broadcast_to(mk, full)
    work = np.result_type(*[working_dtype(a.dtype) for a in (qa, ka, va)])
    rdtype = np.result_type(*[result_dtype(a.dtype) for a in (qa, ka, va)])
    return _Problem(qa, ka, va, mk, scale, batch, work, rdtype)


def _batch_chunks(batch: tuple[int, ...], chunk: int):
    """Index tuples into the batch axes, ``chunk`` batch elements at a time (plain ints for one)."""
    total = math.prod(batch)
    if not batch:
        yield ()
    elif chunk <= 1:
        for b in range(total):
            yield tuple(int(i) for i in np.unravel_index(b, batch))
    else:
        for b0 in range(0, total, chunk):
            yield np.unravel_index(np.arange(b0, min(total, b0 + chunk)), batch)


def _part(a: np.ndarray, index: tuple, rows: slice, cols: slice, dtype) -> np.ndarray:
    """``a[index + (rows, cols)]`` in ``dtype`` (copied only if a fancy index or the dtype asks)."""
    return np.asarray(a[index + (rows, cols)], dtype=dtype)


def _scores(p: _Problem, qb: np.ndarray, kb: np.ndarray, mb: np.ndarray | None):
    """The block of scores ``q k^T`` with the sign of ``scale`` applied (0 where ``scale`` is 0),
    ``-inf`` where masked; and which query rows have a non-finite unmasked score."""
    with np.errstate(over="ignore", invalid="ignore"):  # inf or nan in q or k, or an overflow: nan rows
        s = qb @ np.swapaxes(kb, -1, -2)
    bad = ~np.isfinite(s)
    if mb is not None:
        bad &= mb
    bad_rows = bad.any(axis=-1)
    if p.scale < 0:
        np.negative(s, out=s)
    elif p.scale == 0:
        s[...] = 0.0
    if mb is not None:
        s = np.where(mb, s, -np.inf)
    return s, bad_rows


def _block_shape(n_q: int, n_k: int, d: int, d_v: int, block: int = _BLOCK) -> tuple[int, int]:
    """Query rows per block and batch elements per block, for blocks of about ``block`` elements
    of work (scores, and the parts of ``q``, ``k``, ``v`` and the output they involve)."""
    per_element = n_q * (n_k + d + d_v) + n_k * (d + d_v)
    if per_element <= block:
        return max(n_q, 1), max(1, block // max(per_element, 1))
    return max(1, block // max(n_k, d, d_v, 1)), 1


def _sigma(scale: float) -> float:
    """What the shifted scores are multiplied by: ``|scale|`` (1 when 0: the scores are then 0)."""
    return abs(scale) or 1.0


def scaled_dot_product_attention(
    q: ArrayLike,
    k: ArrayLike,
    v: ArrayLike,
    *,
    scale: float | None = None,
    mask: ArrayLike | None = None,
    return_traffic: bool = False,
):
    """``softmax(q k^T * scale) v``: standard attention, each query's whole row of scores at once.

    Parameters
    ----------
    q : array_like, shape (..., n_q, d)
        Queries.
    k : array_like, shape (..., n_k, d)
        Keys.
    v : array_like, shape (..., n_k, d_v)
        Values. Leading (batch) axes of the three broadcast.
    scale : float, optional
        Multiplies the scores; default ``1 / sqrt(d)`` (1 when ``d = 0``). Any
        finite real number: 0 gives equal weights, a negative scale favours
        the keys least like the query.
    mask : array_like of bool, optional
        Broadcastable to ``(..., n_q, n_k)`` (its leading axes broadcast with
        the batch); False removes a key for a query (its score becomes
        ``-inf`` and its weight exactly 0). A query with every key removed
        gets a nan output row.
    return_traffic : bool, optional
        Also return a :class:`MemoryTraffic` tally of the three steps of the
        standard algorithm: the score product (loads ``q``, ``k``; stores
        ``S``), the softmax (loads ``S`` twice, as the online normaliser needs,
        stores ``P``) and the output product (loads ``P``, ``v``; stores the
        output). Mask loads are not counted.

    Returns
    -------
    out : ndarray, shape (..., n_q, d_v)
        Each row a convex combination of the rows of ``v``, in the promoted
        float dtype of ``q``, ``k``, ``v`` (float16 computed in float32, long
        double in float64, integers in float64). The leading axes are the
        broadcast batch axes of ``q``, ``k``, ``v`` and ``mask``. A query with
        no key to attend to (all masked, or ``n_k = 0``) or with a non-finite
        unmasked score (``q`` or ``k`` holding inf or nan, or a dot product
        beyond the float range) gets a nan row; a nan or infinite entry of
        ``v`` makes its column nan. The scaling is applied to the scores minus
        their row maximum, so no scale overflows.
    traffic : MemoryTraffic
        Only if ``return_traffic``.

    Raises
    ------
    TypeError
        If ``q``, ``k`` or ``v`` is not a real numeric array, ``scale`` is not a
        real number, ``mask`` is not boolean, or ``return_traffic`` not a bool.
    ValueError
        If the shapes do not fit (each message names the arrays) or ``scale``
        is not finite.

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
    >>> scaled_dot_product_attention(q, np.zeros((0, 3)), np.zeros((0, 2)))   # no keys: 0 / 0
    array([[nan, nan]])
    """
    p = _check_qkv(q, k, v, scale, mask)
    return_traffic = check_bool(return_traffic, "return_traffic")
    n_q, n_k = p.n_q, p.n_k
    out = np.empty(p.batch + (n_q, p.d_v), dtype=p.rdtype)
    if n_k == 0:
        out.fill(np.nan)  # the weights of an empty set of keys are 0 / 0
    elif out.size:
        rows, chunk = _block_shape(n_q, n_k, p.q.shape[-1], p.d_v, _block_elements(out.size))
        qf, kf, vf = p.full(p.q), p.full(p.k), p.full(p.v)
        sigma = _sigma(p.scale)
        everything = slice(None)
        for index in _batch_chunks(p.batch, chunk):
            kb = _part(kf, index, everything, everything, p.work)
            vb = _part(vf, index, everything, everything, p.work)
            for i in range(0, n_q, rows):
                block = slice(i, i + rows)
                mb = None if p.mask is None else p.mask[index + (block, everything)]
                s, bad = _scores(p, _part(qf, index, block, everything, p.work), kb, mb)  # S = q k^T
                with np.errstate(invalid="ignore", over="ignore"):  # all masked: -inf - -inf = nan, kept
                    s -= s.max(axis=-1, keepdims=True)
                    s *= sigma
                probs = softmax(s, axis=-1)  # P = softmax(S)
                with np.errstate(over="ignore", invalid="ignore"):  # inf or nan in v: 0 * inf is nan
                    res = probs @ vb  # then P v
                res[bad] = np.nan
                out[index + (block, everything)] = res
    if not return_traffic:
        return out
    s = math.prod(p.batch) * n_q * n_k
    reads = p.q.size + p.k.size + 2 * s + s + p.v.size
    writes = s + s + out.size
    return out, MemoryTraffic(reads=reads, writes=writes, score_elements=3 * s + 2 * s)
