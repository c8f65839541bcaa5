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

from softmaxlab._validation import (
    as_real_array,
    check_bool,
    check_int,
    result_dtype,
    scalar_if_0d,
    working_dtype,
)
from softmaxlab.attention import MemoryTraffic, _batch_chunks, _block_shape, _check_qkv, _part, _scores, _sigma
from softmaxlab.sparse import _Slices

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
            return scalar_if_0d(np.asarray(self.m + np.log(self.d)))


def _shifted_exp(x: np.ndarray, m: np.ndarray) -> np.ndarray:
    """``exp(x - m)`` with the IEEE conventions: where ``x == m == +inf`` it is 1, ``-inf`` it is 0.

    A difference beyond the float range is ``-inf``, whose exponential is the right 0.
    """
    with np.errstate(invalid="ignore", over="ignore"):
        e = np.exp(x - m)
    both_inf = np.isinf(m) & (x == m)
    if np.any(both_inf):
        e = np.where(both_inf, (m > 0).astype(e.dtype), e)
    return e


def _row_state(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(m, d)`` of each row of a 2-D block (one ``exp`` per entry)."""
    m = rows.max(axis=1, keepdims=True)  # nan if the row holds a nan
    return m[:, 0], _shifted_exp(rows, m).sum(axis=1)


def softmax_state(x: ArrayLike, axis: int | None = -1) -> SoftmaxState:
    """The :class:`SoftmaxState` of a block of scores, computed directly (two passes over the block).

    Parameters
    ----------
    x : array_like
        Real scores. float32 and float64 are computed in their own precision,
        float16 in float32, long double in float64 and integers in float64;
        ``m`` and ``d`` come back in ``x``'s float dtype (float64 for integers).
    axis : int or None, optional
        The axis summarised (default: the last); ``None`` for all of ``x``.

    Returns
    -------
    SoftmaxState
        ``m`` and ``d`` with ``axis`` removed (numpy scalars for a 1-D input or
        ``axis=None``). An empty axis gives the identity ``(-inf, 0)``; if the
        maximum is ``+inf``, ``d`` counts the ``+inf`` entries (each contributes
        ``exp(0)``, the argmax limit); a slice of all ``-inf`` has ``d = 0``;
        nan gives nan in both.

    Raises
    ------
    TypeError
        If ``x`` is not a real numeric array-like or ``axis`` is not an int or None.
    numpy.exceptions.AxisError
        If ``axis`` is out of range.

    Examples
    --------
    >>> import numpy as np
    >>> softmax_state([[0.0, 0.0], [np.inf, 1.0]])
    SoftmaxState(m=array([ 0., inf]), d=array([2., 1.]))
    >>> softmax_state(np.zeros((2, 0)))
    SoftmaxState(m=array([-inf, -inf]), d=array([0., 0.]))
    >>> softmax_state(np.array([1.0, 2.0], dtype=np.float16)).m
    np.float16(2.0)
    """
    arr = as_real_array(x, "x")
    layout = _Slices(arr, axis)
    work = working_dtype(arr.dtype)
    m = np.full((layout.p, layout.q), -np.inf, dtype=work)
    d = np.zeros((layout.p, layout.q), dtype=work)
    if layout.n and layout.count:
        for index in layout.blocks():
            m[layout.reduced(index)], d[layout.reduced(index)] = _row_state(
                layout.rows(layout.view, index).astype(work, copy=False)
            )
    rdtype = result_dtype(arr.dtype)
    return SoftmaxState(*(scalar_if_0d(layout.finish_reduction(a).astype(rdtype, copy=False)) for a in (m, d)))


def _check_state(s, name: str) -> SoftmaxState:
    if not (isinstance(s, tuple) and len(s) == 2):
        raise TypeError(f"{name} must be a SoftmaxState (m, d), got {type(s).__name__}")
    m = as_real_array(s[0], f"{name}.m")
    d = as_real_array(s[1], f"{name}.d")
    if np.any(d < 0):
        raise ValueError(f"{name}.d must be >= 0 (a sum of exponentials), got a negative entry")
    return SoftmaxState(m, d)


def _merge(am, ad, bm, bd):
    """The merge formula on arrays of one dtype (two ``exp`` calls, over the states' shape)."""
    m = np.maximum(am, bm)
    with np.errstate(invalid="ignore", over="ignore"):
        scale_a = np.where(am == m, 1.0, np.exp(am - m))
        scale_b = np.where(bm == m, 1.0, np.exp(bm - m))
    return m, ad * scale_a + bd * scale_b


def merge(a: SoftmaxState, b: SoftmaxState) -> SoftmaxState:
    """Combine the states of two disjoint blocks of scores into the state of their union.

    ``m = max(a.m, b.m)`` and ``d = a.d exp(a.m - m) + b.d exp(b.m - m)``.
    Associative and commutative up to rounding, with identity ``(-inf, 0)``;
    merging the single-entry states ``(x_j, 1)`` one by one is the online
    softmax recurrence.

    Parameters
    ----------
    a, b : SoftmaxState
        States (or pairs ``(m, d)`` of real array-likes) whose four arrays
        broadcast together; ``d >= 0``.

    Returns
    -------
    SoftmaxState
        Of the broadcast shape (numpy scalars when 0-d), in the promoted float
        dtype of the four arrays (float64 for integers and Python numbers;
        float16 computed in float32, long double in float64). Special values
        as in :func:`softmax_state`: a ``+inf`` maximum counts its entries, the
        identity changes nothing, nan propagates.

    Raises
    ------
    TypeError
        If ``a`` or ``b`` is not a pair, or holds a non-numeric or complex array.
    ValueError
        If the shapes do not broadcast together (the message names them all),
        or a ``d`` is negative.

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
    arrays = (a.m, a.d, b.m, b.d)
    try:
        np.broadcast_shapes(*(x.shape for x in arrays))
    except ValueError:
        raise ValueError(
            "the states a and b must have shapes that broadcast together, got "
            f"a.m {a.m.shape}, a.d {a.d.shape}, b.m {b.m.shape}, b.d {b.d.shape}"
        ) from None
    dtype = np.result_type(*(x.dtype for x in arrays))
    work = working_dtype(dtype)
    m, d = _merge(*(x.astype(work, copy=False) for x in arrays))
    rdtype = result_dtype(dtype)
    return SoftmaxState(scalar_if_0d(m.astype(rdtype, copy=False)), scalar_if_0d(d.astype(rdtype, copy=False)))


def _check_block_size(block_size: int, name: str = "block_size") -> int:
    return check_int(block_size, name, minimum=1)


def _stream_rows(rows: np.ndarray, block_size: int) -> tuple[np.ndarray, np.ndarray]:
    """Pass 1 over the rows of a 2-D block: fold its column blocks into ``(m, s)``, left to right.

    The state is carried as ``(m, s)`` with ``s = d - 1``, the sum of the terms
    other than one maximum's, so that ``log1p(s)`` keeps a log-sum-exp near
    ``m`` accurate (as :func:`softmaxlab.logsumexp` does); the merge is the
    same. Each column block costs one ``exp`` per entry, each merge two per row.
    """
    r, n = rows.shape
    m = np.full(r, -np.inf, dtype=rows.dtype)
    s = np.full(r, -1.0, dtype=rows.dtype)  # the empty set: d = 0
    for start in range(0, n, block_size):
        block = rows[:, start : start + block_size]
        bm = block.max(axis=1, keepdims=True)
        e = _shifted_exp(block, bm)
        at_max = (np.arange(r), np.argmax(block, axis=1))
        top = e[at_max]  # the maximum's term: 1, or 0 for a block of all -inf (nan rows stay nan)
        e[at_max] = 0
        bs = e.sum(axis=1) + (top - 1)  # exact: top - 1 is 0 or -1
        bm = bm[:, 0]
        new_m = np.maximum(m, bm)
        with np.errstate(invalid="ignore", over="ignore"):
            scale_a = np.where(m == new_m, 1.0, np.exp(m - new_m))
            scale_b = np.where(bm == new_m, 1.0, np.exp(bm - new_m))
        # s = d - 1 of the union, without forming d = 1 + s: the larger state keeps its own s
        s = np.where(m == new_m, s + (1 + bs) * scale_b, bs + (1 + s) * scale_a)
        m = new_m
    return m, s


def _stream_blocks(arr: np.ndarray, axis: int | None):
    """The layout of ``arr`` and, block by block of whole slices (about a MiB), the slices in the working dtype."""
    layout = _Slices(arr, axis)
    work = working_dtype(arr.dtype)

    def blocks():
        for index in layout.blocks():
            yield index, layout.rows(layout.view, index).astype(work, copy=False)

    return layout, work, blocks()


def online_softmax(x: ArrayLike, axis: int | None = -1, *, block_size: int = 256) -> np.ndarray:
    """Softmax by the online normaliser: one pass for ``(m, d)``, one pass to normalise.

    Pass 1 streams over blocks of ``block_size`` entries along ``axis``,
    merging each block's :class:`SoftmaxState` into the running one
    (``block_size=1`` is Milakov and Gimelshein's algorithm entry by entry);
    pass 2 writes ``exp(x_i - m) / d``. Equal to :func:`softmaxlab.softmax` up
    to rounding, with the same special values and dtype rules. The slices are
    processed a group of about a MiB at a time, so the memory used beyond the
    result is a few such blocks (or a few slices, for slices longer than that).

    Parameters
    ----------
    x : array_like
        Real scores. float16 is computed in float32 and returned as float16,
        long double computed in float64 and returned as long double, integers
        computed and returned in float64.
    axis : int or None, optional
        The axis of each distribution (default: the last); ``None`` for all of ``x``.
    block_size : int, optional
        Entries per block in pass 1 (default 256), at least 1.

    Returns
    -------
    ndarray
        Same shape as ``x``. ``-inf`` entries get 0; if a slice's maximum is
        ``+inf`` its ``+inf`` entries share the mass equally; a slice of all
        ``-inf`` or holding nan gives nan; an empty ``x`` gives an empty result.

    Raises
    ------
    TypeError
        If ``x`` is not a real numeric array-like, ``axis`` is not an int or
        None, or ``block_size`` is not an integer.
    ValueError
        If ``block_size`` is below 1.
    numpy.exceptions.AxisError
        If ``axis`` is out of range.

    Examples
    --------
    >>> import numpy as np
    >>> np.round(online_softmax([3.0, 2.0, 1.0, 0.1], block_size=1), 3)
    array([0.642, 0.236, 0.087, 0.035])
    >>> online_softmax([0.0, np.inf, np.inf, -np.inf])
    array([0. , 0.5, 0.5, 0. ])
    """
    arr = as_real_array(x, "x")
    block_size = _check_block_size(block_size)
    layout, work, blocks = _stream_blocks(arr, axis)
    out, view = layout.new_map(result_dtype(arr.dtype))
    if out.size:
        for index, rows in blocks:
            m, s = _stream_rows(rows, block_size)
            with np.errstate(invalid="ignore", divide="ignore"):
                layout.store(view, index, _shifted_exp(rows, m[:, None]) / (1 + s)[:, None])
    return scalar_if_0d(layout.finish_map(out))


def online_logsumexp(x: ArrayLike, axis: int | None = -1, *, block_size: int = 256) -> np.ndarray:
    """Log-sum-exp in a single streaming pass: ``m + log d`` of the merged state.

    Computed as ``m + log1p(s)`` with ``s = d - 1`` carried through the merges
    (the sum of the terms other than one maximum's), so a result near the
    maximum keeps its accuracy, as in :func:`softmaxlab.logsumexp`.

    Parameters
    ----------
    x : array_like
        Real scores; dtype rules as in :func:`online_softmax`.
    axis : int or None, optional
        The axis reduced (default: the last); ``None`` for all of ``x``.
    block_size : int, optional
        Entries per block (default 256), at least 1.

    Returns
    -------
    ndarray or numpy scalar
        ``x``'s shape without ``axis`` (a numpy scalar when that is 0-d); same
        special values as :func:`softmaxlab.logsumexp`: ``-inf`` for an empty
        axis or a slice of all ``-inf``, ``+inf`` if any entry is ``+inf``,
        nan for a slice holding nan.

    Raises
    ------
    TypeError, ValueError, numpy.exceptions.AxisError
        For bad arguments, as in :func:`online_softmax`.

    Examples
    --------
    >>> float(online_logsumexp([1000.0, 1000.0], block_size=1))   # 1000 + log 2
    1000.6931471805599
    >>> float(online_logsumexp([0.0, -50.0]))    # exp(-50), where log(d) gives 0
    1.9287498479639178e-22
    """
    arr = as_real_array(x, "x")
    block_size = _check_block_size(block_size)
    layout, work, blocks = _stream_blocks(arr, axis)
    res = np.full((layout.p, layout.q), -np.inf, dtype=work)  # an empty axis: the log of an empty sum
    if layout.n:
        for index, rows in blocks:
            m, s = _stream_rows(rows, block_size)
            with np.errstate(divide="ignore", invalid="ignore"):
                res[layout.reduced(index)] = np.where(np.isinf(m), m, m + np.log1p(s))
    return scalar_if_0d(layout.finish_reduction(res).astype(result_dtype(arr.dtype), copy=False))


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
    (Dao et al., 2022, without the GPU kernel), with the same answers at the
    edges.

    Parameters
    ----------
    q : array_like, shape (..., n_q, d)
    k : array_like, shape (..., n_k, d)
    v : array_like, shape (..., n_k, d_v)
        Queries, keys and values; leading axes broadcast.
    block_q, block_k : int, optional
        Tile sizes (default 64 each), at least 1: the working set is one
        ``block_q x d`` query tile, one ``block_k x d`` key tile, one
        ``block_k x d_v`` value tile and one ``block_q x block_k`` score tile
        (per batch element; batch elements are taken a group at a time).
    scale : float, optional
        Multiplies the scores; default ``1 / sqrt(d)`` (1 when ``d = 0``); any
        finite real number, as in
        :func:`~softmaxlab.attention.scaled_dot_product_attention`. The
        running maximum is kept of the unscaled scores and the scale applied to
        differences from it, so no scale overflows.
    mask : array_like of bool, optional
        Broadcastable to ``(..., n_q, n_k)``, its leading axes broadcasting
        with the batch (shapes such as ``(n_k,)``, ``(1, n_k)``, ``(n_q, 1)``
        work for every tile size); False removes a key for a query (its score
        becomes ``-inf``). A query with every key removed gets nan.
    return_traffic : bool, optional
        Also return the :class:`~softmaxlab.attention.MemoryTraffic` of this
        run: the elements of ``q``, ``k``, ``v`` loaded and of the output
        stored, tallied tile by tile (``q`` once, ``k`` and ``v`` once per
        block of queries; mask loads are not counted).

    Returns
    -------
    out : ndarray, shape (..., n_q, d_v)
        dtype and special values as in
        :func:`~softmaxlab.attention.scaled_dot_product_attention`: nan rows
        for a query with no key to attend to (all masked, or ``n_k = 0``: the
        weights of an empty set are 0 / 0) and for a non-finite unmasked
        score.
    traffic : MemoryTraffic
        Only if ``return_traffic``. ``score_elements`` is 0: no score or
        probability matrix goes to main memory.

    Raises
    ------
    TypeError
        For non-numeric arrays, a non-real ``scale``, a non-boolean ``mask``,
        a non-integer tile size or a non-bool ``return_traffic``.
    ValueError
        For shapes that do not fit, a non-finite ``scale`` or a tile size below 1.

    Examples
    --------
    >>> import numpy as np
    >>> from softmaxlab.attention import scaled_dot_product_attention
    >>> rng = np.random.default_rng(0)
    >>> q, k, v = rng.normal(size=(5, 4)), rng.normal(size=(7, 4)), rng.normal(size=(7, 3))
    >>> out = tiled_attention(q, k, v, block_q=2, block_k=3)
    >>> bool(np.allclose(out, scaled_dot_product_attention(q, k, v)))
    True
    >>> keys = np.array([True, False, True, True, False, True, True])   # one mask for every query
    >>> bool(np.allclose(tiled_attention(q, k, v, block_q=2, block_k=3, mask=keys),
    ...                  scaled_dot_product_attention(q, k, v, mask=keys)))
    True
    """
    p = _check_qkv(q, k, v, scale, mask)
    block_q = _check_block_size(block_q, "block_q")
    block_k = _check_block_size(block_k, "block_k")
    return_traffic = check_bool(return_traffic, "return_traffic")
    n_q, n_k, d_v = p.n_q, p.n_k, p.d_v
    out = np.empty(p.batch + (n_q, d_v), dtype=p.rdtype)
    if out.size:
        rows = min(block_q, max(n_q, 1))
        chunk = _block_shape(rows, min(block_k, n_k), p.q.shape[-1], d_v)[1]  # batch elements at a time
        qf, kf, vf = p.full(p.q), p.full(p.k), p.full(p.v)
        sigma = _sigma(p.scale)
        everything = slice(None)
        for index in _batch_chunks(p.batch, chunk):
            for i in range(0, n_q, block_q):
                block = slice(i, i + block_q)
                qi = _part(qf, index, block, everything, p.work)
                lead = qi.shape[:-1]
                m = np.full(lead + (1,), -np.inf, dtype=p.work)  # running row maximum of the scores
                l = np.zeros(lead + (1,), dtype=p.work)  # running normaliser
                acc = np.zeros(lead + (d_v,), dtype=p.work)  # unnormalised output
                bad = np.zeros(lead, dtype=bool)
                for j in range(0, n_k, block_k):
                    keys = slice(j, j + block_k)
                    kj = _part(kf, index, keys, everything, p.work)
                    vj = _part(vf, index, keys, everything, p.work)
                    mj = None if p.mask is None else p.mask[index + (block, keys)]
                    s, bad_j = _scores(p, qi, kj, mj)  # one tile of scores, in fast memory
                    bad |= bad_j
                    m_new = np.maximum(m, s.max(axis=-1, keepdims=True))
                    with np.errstate(invalid="ignore", over="ignore"):
                        rescale = np.where(m == m_new, 1.0, np.exp((m - m_new) * sigma))
                        s -= m_new
                        s *= sigma
                        e = np.exp(s, out=s)
                    if np.any(m_new == -np.inf):  # nothing to attend to yet: exp(-inf - -inf) is 0, not nan
                        e[np.broadcast_to(m_new == -np.inf, e.shape)] = 0.0
                    l = l * rescale + e.sum(axis=-1, keepdims=True)
                    with np.errstate(over="ignore", invalid="ignore"):  # inf or nan in v: 0 * inf is nan
                        acc = acc * rescale + e @ vj
                    m = m_new
                with np.errstate(invalid="ignore", divide="ignore"):
                    res = acc / l  # 0 / 0 = nan for a query that attended to nothing
                res[bad] = np.nan
                out[index + (block, everything)] = res
    if not return_traffic:
        return out
    blocks_q = -(-n_q // block_q)
    reads = p.q.size + blocks_q * (p.k.size + p.v.size)
    return out, MemoryTraffic(reads=reads, writes=out.size, score_elements=0)
