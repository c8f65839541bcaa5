"""Online softmax: the normaliser in one streaming pass, merged associatively; tiled attention.

The safe softmax reads its input three times (maximum, sum of shifted
exponentials, normalisation). Milakov and Gimelshein (2018) fold the first two
into one pass by keeping a running maximum ``m`` and a running sum ``d`` of
``exp(x_i - m)``, rescaling ``d`` whenever the maximum grows:

    m_j = max(m_{j-1}, x_j),   d_j = d_{j-1} exp(m_{j-1} - m_j) + exp(x_j - m_j).

The pair ``(m, d)`` of a block of entries is a :class:`SoftmaxState`, and two
states of disjoint blocks combine with :func:`merge`,

    (m_a, d_a) + (m_b, d_b) = (m, d_a exp(m_a - m) + d_b exp(m_b - m)),  m = max(m_a, m_b),

an associative operation with identity ``(-inf, 0)``: the blocks can be
reduced in any order and any grouping, e.g. in parallel. ``m + log d`` is the
log-sum-exp of everything merged so far.

:func:`tiled_attention` applies the same bookkeeping to attention, one block
of keys at a time, with an output accumulator rescaled like ``d`` (the
FlashAttention scheme of Dao et al., 2022): the ``n_q x n_k`` score matrix
never exists in full.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from softmaxlab._validation import as_real_array, check_axis, result_dtype, working_dtype
from softmaxlab.attention import MemoryTraffic, _check_qkv

__all__ = [
    "SoftmaxState",
    "softmax_state",
    "merge",
    "online_softmax",
    "online_logsumexp",
    "tiled_attention",
]


class SoftmaxState(NamedTuple):
    """The running summary ``(m, d)`` of a set of scores: ``m`` their maximum, ``d = sum exp(x_i - m)``.

    ``m + log(d)`` is their log-sum-exp and ``exp(x_i - m) / d`` the softmax
    of any one of them. The empty set has the state ``(-inf, 0)``.

    Examples
    --------
    >>> s = softmax_state([1.0, 2.0, 3.0])
    >>> float(s.m), round(float(s.d), 6)
    (3.0, 1.503215)
    >>> round(float(s.logsumexp()), 6)
    3.407606
    """

    m: np.ndarray
    d: np.ndarray

    def logsumexp(self) -> np.ndarray:
        """``m + log(d)``: the log-sum-exp of the scores summarised (``-inf`` for none)."""
        with np.errstate(divide="ignore"):
            out = np.asarray(self.m + np.log(self.d))
        return out[()] if out.ndim == 0 else out


def _shifted_exp(x: np.ndarray, m: np.ndarray) -> np.ndarray:
    """``exp(x - m)`` with the IEEE conventions: where ``x == m == +inf`` it is 1, ``-inf`` it is 0."""
    with np.errstate(invalid="ignore"):
        e = np.exp(x - m)
    both_inf = np.isinf(m) & (x == m)
    if np.any(both_inf):
        e = np.where(both_inf, (m > 0).astype(e.dtype), e)
    return e


def softmax_state(x: ArrayLike, axis: int | None = -1) -> SoftmaxState:
    """The :class:`SoftmaxState` of a block of scores, computed directly (two passes over the block).

    Parameters
    ----------
    x : array_like
        Real scores.
    axis : int or None, optional
        The axis summarised (default: the last); ``None`` for all of ``x``.

    Returns
    -------
    SoftmaxState
        ``m`` and ``d`` with ``axis`` removed. An empty axis gives the
        identity ``(-inf, 0)``; if the maximum is ``+inf``, ``d`` counts the
        ``+inf`` entries (each contributes ``exp(0)``, the argmax limit);
        a slice of all ``-inf`` has ``d = 0``; nan gives nan.

    Examples
    --------
    >>> import numpy as np
    >>> softmax_state([[0.0, 0.0], [np.inf, 1.0]])
    SoftmaxState(m=array([ 0., inf]), d=array([2., 1.]))
    >>> softmax_state(np.zeros((2, 0)))
    SoftmaxState(m=array([-inf, -inf]), d=array([0., 0.]))
    """
    arr = as_real_array(x, "x")
    if axis is None:
        arr, ax = arr.reshape(-1), 0
    else:
        ax = check_axis(axis, arr.ndim)
    work = working_dtype(arr.dtype)
    a = arr.astype(work, copy=False)
    if a.shape[ax] == 0:
        shape = a.shape[:ax] + a.shape[ax + 1 :]
        return SoftmaxState(np.full(shape, -np.inf, dtype=work), np.zeros(shape, dtype=work))
    m = np.max(a, axis=ax, keepdims=True)
    d = _shifted_exp(a, m).sum(axis=ax)
    return SoftmaxState(np.squeeze(m, axis=ax), d)


def _check_state(s, name: str) -> SoftmaxState:
    if not (isinstance(s, tuple) and len(s) == 2):
        raise TypeError(f"{name} must be a SoftmaxState (m, d), got {type(s).__name__}")
    m = as_real_array(s[0], f"{name}.m")
    d = as_real_array(s[1], f"{name}.d")
    return SoftmaxState(m, d)


def merge(a: SoftmaxState, b: SoftmaxState) -> SoftmaxState:
    """Combine the states of two disjoint blocks of scores into the state of their union.

    ``m = max(a.m, b.m)`` and ``d = a.d exp(a.m - m) + b.d exp(b.m - m)``.
    Associative and commutative up to rounding, with identity ``(-inf, 0)``;
    merging the single-entry states ``(x_j, 1)`` one by one is the online
    softmax recurrence.

    Parameters
    ----------
    a, b : SoftmaxState
        States with broadcast-compatible shapes.

    Returns
    -------
    SoftmaxState

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([0.5, 3.0, -1.0, 2.0])
    >>> s = merge(softmax_state(x[:1]), softmax_state(x[1:]))
    >>> bool(np.isclose(s.logsumexp(), np.log(np.exp(x).sum())))
    True
    >>> s = merge(SoftmaxState(-np.inf, 0.0), SoftmaxState(1.0, 1.0))   # the identity on the left
    >>> float(s.m), float(s.d)
    (1.0, 1.0)
    """
    a = _check_state(a, "a")
    b = _check_state(b, "b")
    m = np.maximum(a.m, b.m)
    with np.errstate(invalid="ignore"):
        scale_a = np.where(a.m == m, 1.0, np.exp(a.m - m))
        scale_b = np.where(b.m == m, 1.0, np.exp(b.m - m))
    d = a.d * scale_a + b.d * scale_b
    return SoftmaxState(m[()] if np.ndim(m) == 0 else m, d[()] if np.ndim(d) == 0 else d)


def _check_block_size(block_size: int, name: str = "block_size") -> int:
    if isinstance(block_size, (bool, np.bool_)) or not isinstance(block_size, (int, np.integer)):
        raise TypeError(f"{name} must be a positive int, got {block_size!r}")
    if block_size < 1:
        raise ValueError(f"{name} must be at least 1, got {block_size}")
    return int(block_size)


def _stream_state(a: np.ndarray, ax: int, block_size: int) -> SoftmaxState:
    """Pass 1: fold the blocks of ``a`` along ``ax`` into one state, left to right."""
    shape = a.shape[:ax] + a.shape[ax + 1 :]
    state = SoftmaxState(np.full(shape, -np.inf, dtype=a.dtype), np.zeros(shape, dtype=a.dtype))
    for start in range(0, a.shape[ax], block_size):
        block = np.take(a, np.arange(start, min(start + block_size, a.shape[ax])), axis=ax)
        state = merge(state, softmax_state(block, axis=ax))
    return state


def online_softmax(x: ArrayLike, axis: int | None = -1, *, block_size: int = 256) -> np.ndarray:
    """Softmax by the online normaliser: one pass for ``(m, d)``, one pass to normalise.

    Pass 1 streams over blocks of ``block_size`` entries along ``axis``,
    merging each block's :class:`SoftmaxState` into the running one
    (``block_size=1`` is Milakov and Gimelshein's algorithm entry by entry);
    pass 2 writes ``exp(x_i - m) / d``. Equal to :func:`softmaxlab.softmax` up
    to rounding, with the same special values.

    Parameters
    ----------
    x : array_like
        Real scores.
    axis : int or None, optional
        The axis of each distribution (default: the last); ``None`` for all of ``x``.
    block_size : int, optional
        Entries per block in pass 1 (default 256).

    Returns
    -------
    ndarray
        Same shape as ``x``.

    Examples
    --------
    >>> import numpy as np
    >>> np.round(online_softmax([3.0, 2.0, 1.0, 0.1], block_size=1), 3)
    array([0.642, 0.236, 0.087, 0.035])
    """
    arr = as_real_array(x, "x")
    block_size = _check_block_size(block_size)
    shape = arr.shape
    if axis is None:
        arr, ax = arr.reshape(-1), 0
    else:
        ax = check_axis(axis, arr.ndim)
    a = arr.astype(working_dtype(arr.dtype), copy=False)
    if a.shape[ax] == 0:
        return np.empty(shape, dtype=result_dtype(arr.dtype))
    state = _stream_state(a, ax, block_size)
    m, d = np.expand_dims(state.m, ax), np.expand_dims(state.d, ax)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = _shifted_exp(a, m) / d
    return out.astype(result_dtype(arr.dtype), copy=False).reshape(shape)


def online_logsumexp(x: ArrayLike, axis: int | None = -1, *, block_size: int = 256) -> np.ndarray:
    """Log-sum-exp in a single streaming pass: ``m + log d`` of the merged state.

    Parameters
    ----------
    x : array_like
        Real scores.
    axis : int or None, optional
        The axis reduced (default: the last); ``None`` for all of ``x``.
    block_size : int, optional
        Entries per block (default 256).

    Returns
    -------
    ndarray or numpy scalar
        ``x``'s shape without ``axis``; same special values as
        :func:`softmaxlab.logsumexp`.

    Examples
    --------
    >>> float(online_logsumexp([1000.0, 1000.0], block_size=1))   # 1000 + log 2
    1000.6931471805599
    """
    arr = as_real_array(x, "x")
    block_size = _check_block_size(block_size)
    if axis is None:
        arr, ax = arr.reshape(-1), 0
    else:
        ax = check_axis(axis, arr.ndim)
    a = arr.astype(working_dtype(arr.dtype), copy=False)
    out = np.asarray(_stream_state(a, ax, block_size).logsumexp()).astype(result_dtype(arr.dtype), copy=False)
    return out[()] if out.ndim == 0 else out


def tiled_attention(
    q: ArrayLike,
    k: ArrayLike,
    v: ArrayLike,
    *,
    block_q: int = 64,
    block_k: int = 64,
    scale: float | None = None,
    mask: ArrayLike | None = None,
    return_traffic: bool = False,
):
    """Attention ``softmax(q k^T * scale) v`` computed tile by tile, never forming the score matrix.

    For each block of ``block_q`` queries, the keys and values stream past in
    blocks of ``block_k``. Each tile of scores ``S`` updates a running row
    maximum ``m``, a running normaliser ``l`` and an unnormalised output
    ``O``; when the maximum grows, ``l`` and ``O`` are rescaled by
    ``exp(m_old - m_new)``, exactly as :func:`merge` rescales ``d``. At the
    end ``O / l`` is the attention output, equal to
    :func:`softmaxlab.attention.scaled_dot_product_attention` up to rounding
    (Dao et al., 2022, without the GPU kernel).

    Parameters
    ----------
    q : array_like, shape (..., n_q, d)
    k : array_like, shape (..., n_k, d)
    v : array_like, shape (..., n_k, d_v)
        Queries, keys and values; leading axes broadcast.
    block_q, block_k : int, optional
        Tile sizes (default 64 each): the working set is one
        ``block_q x d`` query tile, one ``block_k x d`` key tile, one
        ``block_k x d_v`` value tile and one ``block_q x block_k`` score tile.
    scale : float, optional
        Multiplies the scores; default ``1 / sqrt(d)``.
    mask : array_like of bool, optional
        Broadcastable to ``(..., n_q, n_k)``; False removes a key for a query
        (its score becomes ``-inf``). A query with every key removed gets nan.
    return_traffic : bool, optional
        Also return the :class:`~softmaxlab.attention.MemoryTraffic` of this
        run: the elements of ``q``, ``k``, ``v`` loaded and of the output
        stored, tallied tile by tile (mask loads are not counted).

    Returns
    -------
    out : ndarray, shape (..., n_q, d_v)
    traffic : MemoryTraffic
        Only if ``return_traffic``. ``score_elements`` is 0: no score or
        probability matrix goes to main memory.

    Examples
    --------
    >>> import numpy as np
    >>> from softmaxlab.attention import scaled_dot_product_attention
    >>> rng = np.random.default_rng(0)
    >>> q, k, v = rng.normal(size=(5, 4)), rng.normal(size=(7, 4)), rng.normal(size=(7, 3))
    >>> out = tiled_attention(q, k, v, block_q=2, block_k=3)
    >>> bool(np.allclose(out, scaled_dot_product_attention(q, k, v)))
    True
    """
    qa, ka, va, mk, scale, work, rdtype = _check_qkv(q, k, v, scale, mask)
    block_q = _check_block_size(block_q, "block_q")
    block_k = _check_block_size(block_k, "block_k")
    n_q, n_k = qa.shape[-2], ka.shape[-2]
    batch = np.broadcast_shapes(qa.shape[:-2], ka.shape[:-2], va.shape[:-2])
    out = np.empty(batch + (n_q, va.shape[-1]), dtype=work)
    reads = writes = 0
    for i in range(0, n_q, block_q):
        qi = qa[..., i : i + block_q, :]
        reads += qi.size
        rows = qi.shape[-2]
        m = np.full(batch + (rows, 1), -np.inf, dtype=work)  # running row max
        l = np.zeros(batch + (rows, 1), dtype=work)  # running normaliser
        acc = np.zeros(batch + (rows, va.shape[-1]), dtype=work)  # unnormalised output
        for j in range(0, n_k, block_k):
            kj, vj = ka[..., j : j + block_k, :], va[..., j : j + block_k, :]
            reads += kj.size + vj.size
            s = (qi @ np.swapaxes(kj, -1, -2)) * scale  # one score tile, in fast memory
            if mk is not None:
                s = np.where(mk[..., i : i + block_q, j : j + block_k], s, -np.inf)
            m_new = np.maximum(m, s.max(axis=-1, keepdims=True))
            with np.errstate(invalid="ignore"):
                rescale = np.where(m == m_new, 1.0, np.exp(m - m_new))
            p = _shifted_exp(s, m_new)
            l = l * rescale + p.sum(axis=-1, keepdims=True)
            acc = acc * rescale + p @ vj
            m = m_new
        with np.errstate(invalid="ignore", divide="ignore"):
            out[..., i : i + block_q, :] = acc / l
        writes += out[..., i : i + block_q, :].size
    out = out.astype(rdtype, copy=False)
    if return_traffic:
        return out, MemoryTraffic(reads=reads, writes=writes, score_elements=0)
    return out
