"""softmax, log_softmax and logsumexp, computed the accurate way.

All three share one first step, the shifted algorithm recommended by Blanchard,
Higham and Higham (2021, "Accurately computing the log-sum-exp and softmax
functions", IMA J. Numer. Anal. 41(4)):

1. find the maximum ``m`` of each slice and the index ``k`` where it sits;
2. form ``d_j = (x_j - m) / T``, so every ``d_j <= 0`` and ``d_k = 0`` (where
   ``x_j - m`` overflows and ``T > 1``, as ``x_j / T - m / T``, which may be finite);
3. sum the exponentials of the *other* entries, ``s = sum_{j != k} exp(d_j)``.

Then ``logsumexp = m + T * log1p(s)``, ``softmax_j = exp(d_j) / (1 + s)`` and
``log_softmax_j = d_j - log1p(s)``. Keeping the dominant term ``exp(d_k) = 1``
out of ``s`` is what lets ``log1p`` return tiny results (log-probabilities near
0, a logsumexp near 0) to full relative accuracy, where ``log(1 + s)`` would
round ``1 + s`` to 1 and return 0; adding the 1 to an accurate ``s`` at the end
also makes ``1 + s`` more accurate than a plain sum of all the ``exp(d_j)``.

logsumexp first tries the plain formula ``T log sum_j exp(x_j / T)``: where
that sum neither overflows nor underflows and ``|log S| >= 1``, it is as
accurate as the shifted one (even against the exact input, as it never rounds
``x_j - m``) and reads the input once instead of twice; the other slices are
redone with the shift. softmax and log_softmax always shift.

Two refinements keep every output within a few ulp (tests/test_accuracy.py):
``s`` is accumulated in float64 for float32 input, because numpy's SIMD float32
``exp`` already uses most of the error budget; and an ``s`` so small that its
terms are subnormal numbers (absolute, not relative, precision) is recomputed
from ``exp(d_j + 64)``, then scaled back.

How the work is laid out (none of this changes the arithmetic):

* The array is viewed, without copying, as ``(P, n)`` or ``(P, n, Q)`` with the
  reduction over the middle axis ``n``. A Fortran-ordered array is handled
  through its transpose; any other layout is first copied to C order.
* Slices are processed in blocks of about ``BLOCK_BYTES`` bytes, so that after a
  block is read once from memory every later pass (subtract, exp, sum, divide)
  runs in cache. softmax and log_softmax write straight into the one output
  array; the only other allocations are a block-sized work buffer and a few
  numbers per slice. logsumexp allocates nothing of the input's size.
* A slice longer than ``LONG_SLICE_BYTES`` is done in three passes over
  chunks of it: the maximum, the sum, then the output.
* The rare slices that need more (a maximum of +inf, a tiny ``s``) are
  recorded and fixed once at the end, so the common path has no branches.
* A 2-D input that fits in one block is done in one go with a dozen numpy
  calls, skipping the bookkeeping above, unless one of its slices needs a
  fix: on small inputs numpy's cost per call, not the arithmetic, sets the time.
"""

from __future__ import annotations

import functools
import math

import numpy as np
from numpy.typing import ArrayLike

from softmaxlab._validation import (
    as_real_array,
    check_axis,
    check_bool,
    check_temperature,
    result_dtype,
    working_dtype,
)

__all__ = ["softmax", "log_softmax", "logsumexp"]

#: Size in bytes of the blocks the work is split into: the size of a typical L2
#: cache, large enough that numpy's per-call overhead is small per element.
BLOCK_BYTES = 1 << 20

#: Slices up to this size in bytes are done one per block (from L3 cache rather
#: than L2); longer ones are done in chunks, in three passes.
LONG_SLICE_BYTES = 1 << 22

#: ``s`` is summed, and ``log1p(s)`` and logsumexp computed, in float64 even
#: for float32 and float16 input: numpy's float32 ``exp`` (SIMD) is off by up
#: to 3.57 * 2**-24 relative (2.3 ulp), which leaves little room in a 4-ulp
#: budget for the rounding errors of a float32 sum. softmax divides by
#: ``1 + s`` rounded to the working dtype: a float64 division of float32 data
#: costs a quarter of float32 softmax's time and gains half an ulp at worst
#: (3.49 against 2.99 ulp on the random vectors of tests/test_accuracy.py).
_ACC = np.float64

#: When ``s`` is tiny its terms ``exp(d_j)`` may be subnormal, each rounded to an
#: absolute (not relative) precision, and a log-probability or logsumexp equal to
#: about ``s`` would inherit those errors. Such an ``s`` is recomputed from
#: ``exp(d_j + C)``, all normal numbers; every ``d_j`` in it is below -54, so
#: ``d_j + C`` is exact, and ``exp(-C)`` scales the sum back in float64.
_RESCALE = 64.0


# ---------------------------------------------------------------------------
# Layout: a copy-free (P, n) or (P, n, Q) view, and the blocks to visit.
# ---------------------------------------------------------------------------


def _c_ordered(arr: np.ndarray, axis: int | None):
    """Return ``(src, axis, transposed)`` with ``src`` C-contiguous.

    A Fortran-ordered ``arr`` is replaced by its transpose (a view) and the
    axis renumbered; any other non-contiguous array is copied.
    """
    if arr.flags.c_contiguous:
        return arr, axis, False
    if arr.flags.f_contiguous:
        return arr.T, (None if axis is None else arr.ndim - 1 - axis), True
    return np.ascontiguousarray(arr), axis, False


def _canonical(src: np.ndarray, axis: int | None) -> np.ndarray:
    """View a C-contiguous array as ``(P, n)`` (when ``Q == 1``) or ``(P, n, Q)``."""
    if axis is None:
        return src.reshape(1, -1)
    p = math.prod(src.shape[:axis])
    q = math.prod(src.shape[axis + 1 :])
    n = src.shape[axis]
    return src.reshape(p, n) if q == 1 else src.reshape(p, n, q)


def _block_elements(dtype: np.dtype) -> int:
    return max(BLOCK_BYTES // np.dtype(dtype).itemsize, 1024)


def _long_elements(dtype: np.dtype) -> int:
    return max(LONG_SLICE_BYTES // np.dtype(dtype).itemsize, _block_elements(dtype))


def _blocks(view: np.ndarray, block: int):
    """Index tuples of blocks of whole slices of about ``block`` elements (at least one slice)."""
    p, n = view.shape[:2]
    q = view.shape[2] if view.ndim == 3 else 1
    if q == 1 or n * q <= block:
        step = max(1, block // (n * q))
        for p0 in range(0, p, step):
            yield (slice(p0, p0 + step),)
    else:  # split the trailing axis
        step = max(1, block // n)
        for i in range(p):
            for q0 in range(0, q, step):
                yield (slice(i, i + 1), slice(None), slice(q0, q0 + step))


def _long_slices(view: np.ndarray, block: int):
    """For slices longer than a block: each group of slices and the chunks of ``n`` covering it."""
    p, n = view.shape[:2]
    q = view.shape[2] if view.ndim == 3 else 1
    bq = min(q, max(1, block // 256))
    cn = max(1, block // bq)
    chunks = [slice(c0, c0 + cn) for c0 in range(0, n, cn)]
    for i in range(p):
        for q0 in range(0, q, bq):
            group = (slice(i, i + 1), slice(None), slice(q0, q0 + bq))[: view.ndim]
            yield group, [(group[0], c, *group[2:]) for c in chunks]


def _work_size(view: np.ndarray, block: int, long: int) -> int:
    """Elements in the largest block :func:`_blocks` (or a long slice's chunk) makes."""
    n, q = view.shape[1], (view.shape[2] if view.ndim == 3 else 1)
    if n > long:
        return block
    return min(view.size, max(block, n if q == 1 or n * q <= block else n * max(1, block // n)))


def _select(view: np.ndarray, where: np.ndarray) -> tuple:
    """Index into ``view`` of the slices where the per-slice mask ``where`` is true.

    ``view[index]`` is a ``(count, n)`` array of those slices.
    """
    found = np.nonzero(where[:, 0])
    return found if view.ndim == 2 else (found[0], slice(None), found[1])


class _Call:
    """One call's view of the data, its scratch buffers and its per-slice results.

    ``m`` (the maximum, in the working dtype) and ``s`` (float64) are filled
    slice by slice by the kernels; the rare slices that need more work (an
    infinite maximum, a tiny ``s``) are fixed afterwards, all at once.
    """

    def __init__(self, view: np.ndarray, wdtype: np.dtype, buffers: int, per_slice: bool = True):
        self.view = view
        self.dtype = np.dtype(wdtype)
        self.block = _block_elements(wdtype)
        self.long = view.shape[1] > _long_elements(wdtype)
        self._buffers = buffers
        self._work = None  # allocated on first use: softmax may never need it
        self.reduced = (view.shape[0], 1, *view.shape[2:])
        # (logsumexp's direct sum finishes each block at once and needs neither)
        self.m = np.empty(self.reduced, dtype=wdtype) if per_slice else None
        self.s = np.empty(self.reduced, dtype=_ACC) if per_slice else None
        self._bases: dict[tuple[int, ...], np.ndarray] = {}

    def run_blocks(self, kernel, *args):
        """``kernel(self, block, *args)`` for every block, with a row-sized ufunc buffer.

        ``x - m`` and ``e / (1 + s)`` broadcast one value per row. When rows are
        shorter than numpy's ufunc buffer (8192 elements) numpy copies that value
        into a buffer row by row, which doubles the cost of the operation; a
        buffer no longer than a row avoids it. Setting the buffer size costs
        about 15 microseconds each way, so inputs of one block keep the default.
        """
        n = self.view.shape[1] if self.view.ndim == 2 else 0
        row_buffer = 256 <= n < 8192 and self.view.size > self.block
        old = np.setbufsize(1 << (n.bit_length() - 1)) if row_buffer else None
        try:
            for b in _blocks(self.view, self.block):
                kernel(self, b, *args)
        finally:
            if old is not None:
                np.setbufsize(old)

    def buffer(self, i: int, shape: tuple[int, ...]) -> np.ndarray:
        """Work buffer ``i`` as a C-contiguous array of ``shape``."""
        if self._work is None:
            size = _work_size(self.view, self.block, _long_elements(self.dtype))
            self._work = np.empty((self._buffers, size), dtype=self.dtype)
        return self._work[i, : math.prod(shape)].reshape(shape)

    def flat_index(self, k: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
        """Flat indices, in a C-contiguous array of ``shape``, of the entries ``k`` along axis 1."""
        if shape not in self._bases:
            rows, n, *q = shape
            if q:
                base = np.arange(0, rows * n * q[0], n * q[0])[:, None, None] + np.arange(q[0])
            else:
                base = np.arange(0, rows * n, n)[:, None]
            self._bases[shape] = base
        return self._bases[shape] + (k * shape[2] if len(shape) == 3 else k)

    def plus_inf(self) -> np.ndarray | None:
        """The mask of slices whose maximum is +inf, or None if there are none."""
        where = self.m == np.inf
        return where if where.any() else None

    def fix_tiny_sums(self, temperature: float) -> np.ndarray | None:
        """Recompute each ``s`` below :func:`_tiny_sum` from ``exp(d_j + C)`` (see :data:`_RESCALE`).

        Returns the mask of the slices fixed, or None if there were none.
        """
        where = self.s < _tiny_sum(self.dtype)
        if not where.any():
            return None
        index = _select(self.view, where)
        x = self.view[index].astype(self.dtype, copy=False)  # (indexing copies)
        k = np.argmax(x, axis=1)[:, None]
        e = _shift(x, np.take_along_axis(x, k, axis=1), np.empty_like(x), temperature)
        e += _RESCALE  # exact: every d_j here is below -54
        np.exp(e, out=e)
        np.put_along_axis(e, k, 0, axis=1)
        self.s[where] = _row_sums(e)[:, 0] * math.exp(-_RESCALE)
        return where

    def finish_logsumexp(self, temperature: float) -> np.ndarray:
        """``m + T log1p(s)`` for every slice, in float64 (inf where that is beyond the float range)."""
        self.fix_tiny_sums(temperature)
        with np.errstate(over="ignore"):
            res = self.m + temperature * np.log1p(self.s)
        return np.where(np.isinf(self.m), self.m, res)


def _ordinary(s: np.ndarray, dtype) -> bool:
    """True if every ``s`` is at least :func:`_tiny_sum`: no slice needs a fix-up.

    A slice that needs one has a tiny or nan ``s`` (see :func:`_fix_special_slices`).
    argmin finds a nan first, and costs less than a reduction on small input.
    """
    s = s.reshape(-1)
    return bool(s[s.argmin()] >= _tiny_sum(dtype))


def _row_sums(e: np.ndarray) -> np.ndarray:
    """``sum(e, axis=1, keepdims=True)`` in float64.

    float64 slices longer than 128 use numpy's pairwise summation (a BLAS or
    einsum dot product is faster, but its long sequential runs cost float64
    softmax up to 5 ulp); shorter ones, where numpy's per-row overhead
    dominates, and all float32 blocks, are summed by einsum with a float64
    accumulator (for float32, exact enough in any order, and twice as fast as
    ``np.sum(e, dtype=np.float64)``).
    """
    if e.dtype == _ACC and (e.shape[1] > 128 or e.ndim != 2):
        return np.add.reduce(e, axis=1, keepdims=True)  # np.sum, without its overhead
    if e.ndim == 2:
        return np.einsum("ij->i", e, dtype=_ACC)[:, None]
    return np.einsum("ijk->ik", e, dtype=_ACC)[:, None, :]


def _shift(x: np.ndarray, m: np.ndarray, out: np.ndarray, temperature: float) -> np.ndarray:
    """``out = (x - m) / T`` (``out`` must not be ``x``).

    inf - inf (in slices fixed afterwards) gives nan, and a difference beyond
    the float range gives -inf, whose exp is the right 0: both silently.
    (Only here: every ufunc call inside ``np.errstate`` costs almost a
    microsecond more, which small inputs would feel.) With ``T > 1`` such a
    difference may come back into range once divided, so there an overflow
    raises and :func:`_shift_overflowed` redoes the block; the ordinary path
    is unchanged.
    """
    with np.errstate(invalid="ignore", over="raise" if temperature > 1.0 else "ignore"):
        try:
            np.subtract(x, m, out=out)
        except FloatingPointError:  # some x - m beyond the float range
            return _shift_overflowed(x, m, out, temperature)
        if temperature != 1.0:
            out /= temperature
    return out


def _shift_overflowed(x: np.ndarray, m: np.ndarray, out: np.ndarray, temperature: float) -> np.ndarray:
    """``out = (x - m) / T`` where some ``x - m`` overflowed and ``T > 1``.

    Those entries are computed as ``x / T - m / T``: both terms are within
    the float range, of opposite signs (``x < 0 < m``), so the difference has
    no cancellation and is accurate to an ulp or two, finite when the exact
    value is and -inf when that overflows too. The other entries keep
    ``(x - m) / T``, exact in ``x - m`` where ``x`` is close to ``m``.
    """
    with np.errstate(invalid="ignore", over="ignore"):
        np.subtract(x, m, out=out)
        out /= temperature
        wide = np.isneginf(out) & np.isfinite(x)
        scaled_m = np.broadcast_to(m, out.shape)[wide] / temperature
        out[wide] = np.divide(x[wide], temperature, dtype=out.dtype) - scaled_m
    return out


@functools.cache  # called on every call of the three functions; np.finfo is not free
def _tiny_sum(dtype: np.dtype) -> float:
    """Below this, ``s`` is a sum of terms ``exp(d_j)`` that may be subnormal in ``dtype``."""
    f = np.finfo(dtype)
    return math.ldexp(1.0, f.minexp + 2 * (f.nmant + 1))


# ---------------------------------------------------------------------------
# Kernels on one block of whole slices (reduction over axis 1).
# ---------------------------------------------------------------------------


def _maximum(call, xb):
    """The flat indices in a C-contiguous array of ``xb``'s shape of the maximum
    of each slice of block ``xb`` (nan counts as the maximum), and the maxima."""
    k = xb.argmax(axis=1, keepdims=True)  # argmax: numpy's max along short rows is twice as slow
    at_max = call.flat_index(k, xb.shape)
    if xb.flags.c_contiguous:
        return at_max, xb.reshape(-1)[at_max]
    return at_max, np.take_along_axis(xb, k, axis=1)


def _exp_others(call, b, d, e, temperature):
    """Steps 1-3 for block ``b``: ``d = (x - m) / T``, and into the C-contiguous ``e``
    (which may be ``d``) ``exp(d)`` but 0 at the argmax. Records ``m`` and ``s``.

    Returns the flat indices in ``e`` of the argmax of each slice, and ``s``.
    """
    xb = call.view[b]
    at_max, m_values = _maximum(call, xb)
    m = call.m[b]
    m[...] = m_values
    np.exp(_shift(xb, m, d, temperature), out=e)
    e.reshape(-1)[at_max] = 0
    s = call.s[b]
    s[...] = _row_sums(e)
    return at_max, s


def _softmax_block(call, b, out, temperature):
    ob = out[b]
    direct = ob.dtype == call.dtype and ob.flags.c_contiguous
    w = ob if direct else call.buffer(0, ob.shape)
    at_max, s = _exp_others(call, b, w, w, temperature)
    w.reshape(-1)[at_max] = 1  # exp(d_k) = exp(0) = 1
    total = (1 + s).astype(w.dtype, copy=False)
    if ob.dtype == w.dtype:  # (the casting keyword alone costs a microsecond)
        np.divide(w, total, out=ob)
    else:
        np.divide(w, total, out=ob, casting="same_kind")


def _log_softmax_block(call, b, out, temperature):
    ob = out[b]
    d = ob if ob.dtype == call.dtype else call.buffer(1, ob.shape)
    _, s = _exp_others(call, b, d, call.buffer(0, ob.shape), temperature)
    log1p_s = np.log1p(s)
    if log1p_s.dtype != d.dtype:
        log1p_s = log1p_s.astype(d.dtype)
    np.subtract(d, log1p_s, out=ob, casting="same_kind")


def _logsumexp_block(call, b, temperature):
    e = call.buffer(0, call.view[b].shape)
    _exp_others(call, b, e, e, temperature)


# ---------------------------------------------------------------------------
# Kernels for slices longer than LONG_SLICE_BYTES: chunks of the reduction axis.
# ---------------------------------------------------------------------------


def _long_sums(call, group, chunks, temperature, store=None):
    """Passes 1 and 2 over one group of long slices: record ``m`` and ``s``.

    For 2-D views the term left out of ``s`` is the one at the argmax; for 3-D
    views (no cheap argmax along a middle axis) the entries equal to the
    maximum are left out and counted instead, and ``count - 1`` of them added
    back. With ``store`` the exponentials are kept there (all of them).
    """
    x = call.view
    m = call.m[group]
    if x.ndim == 2:
        k = int(np.argmax(x[group]))
        m[...] = x[group][0, k]
    else:
        k = None
        m[...] = np.max(x[group], axis=1, keepdims=True)
    partial, count = [], 0
    for c in chunks:
        xc = x[c]
        e = store[c] if store is not None else call.buffer(0, xc.shape)
        _shift(xc, m, e, temperature)
        if k is None:
            at_max = e == 0
            count = count + np.sum(at_max, axis=1, keepdims=True)
        else:
            at_max = (0, k - c[1].start) if c[1].start <= k < c[1].stop else None
        np.exp(e, out=e)
        if at_max is not None:
            e[at_max] = 0
        partial.append(_row_sums(e))
        if store is not None and at_max is not None:
            e[at_max] = 1
    s = np.sum(np.concatenate(partial, axis=1), axis=1, keepdims=True)
    call.s[group] = s if k is not None else s + (count - 1)
    return m, call.s[group]


def _softmax_long(call, out, temperature):
    x = call.view
    same = out.dtype == call.dtype
    for group, chunks in _long_slices(x, call.block):
        m, s = _long_sums(call, group, chunks, temperature, store=out if same else None)
        total = (1 + s).astype(call.dtype, copy=False)  # as in _softmax_block
        for c in chunks:
            if same:
                np.divide(out[c], total, out=out[c], casting="same_kind")
            else:  # recompute in the working precision rather than round twice
                w = call.buffer(0, x[c].shape)
                np.exp(_shift(x[c], m, w, temperature), out=w)
                np.divide(w, total, out=out[c], casting="same_kind")


def _log_softmax_long(call, out, temperature):
    x = call.view
    for group, chunks in _long_slices(x, call.block):
        m, s = _long_sums(call, group, chunks, temperature)
        log1p_s = np.log1p(s).astype(call.dtype, copy=False)
        for c in chunks:
            d = out[c] if out.dtype == call.dtype else call.buffer(0, x[c].shape)
            np.subtract(_shift(x[c], m, d, temperature), log1p_s, out=out[c], casting="same_kind")


def _logsumexp_long(call, temperature):
    for group, chunks in _long_slices(call.view, call.block):
        _long_sums(call, group, chunks, temperature)


# ---------------------------------------------------------------------------
# logsumexp: the direct sum where it is safe, the shifted algorithm elsewhere.
# ---------------------------------------------------------------------------


def _exp_scaled(x, e, temperature):
    """``e = exp(x / T)``; inf where it overflows, silently (those slices are redone)."""
    with np.errstate(over="ignore"):
        if temperature != 1.0:
            np.divide(x, temperature, out=e, dtype=e.dtype)
            return np.exp(e, out=e)
        return np.exp(x, out=e, dtype=e.dtype)  # dtype: for int8, numpy would use float16


def _direct_block(call, b, temperature, res, redo):
    """``S = sum_j exp(x_j / T)`` with no shift for the slices of block ``b``, and
    their maxima: from them the logsumexp into ``res`` at once (:func:`_finish_direct`),
    or, with ``res`` None, ``S`` into ``call.s`` and the maxima into ``call.m``.

    The maximum is needed only as a lower bound of the result; it is found
    after the sum, from cache.
    """
    xb = call.view[b]
    total = _row_sums(_exp_scaled(xb, call.buffer(0, xb.shape), temperature))
    m = _maximum(call, xb)[1]
    if res is None:
        call.s[b] = total
        call.m[b] = m
    else:
        _finish_direct(total, m, temperature, call.dtype, res[b], redo[b])


def _direct_long(call, temperature):
    """``S`` and the maximum into ``call.s`` and ``call.m`` for slices longer than a block, chunk by chunk."""
    x = call.view
    for group, chunks in _long_slices(x, call.block):
        sums, maxima = [], []
        for c in chunks:
            sums.append(_row_sums(_exp_scaled(x[c], call.buffer(0, x[c].shape), temperature)))
            maxima.append(np.max(x[c], axis=1, keepdims=True))
        call.s[group] = np.sum(np.concatenate(sums, axis=1), axis=1, keepdims=True)
        call.m[group] = np.max(np.concatenate(maxima, axis=1), axis=1, keepdims=True)


def _finish_direct(total, m, temperature, wdtype, res, redo):
    """``res = max(T log S, m)`` from the float64 sums ``total`` (overwritten) and
    the maxima ``m``, computed in float64 and rounded once to the dtype of ``res``;
    ``redo`` marks the slices where that is not accurate: S tiny, zero or
    infinite, or ``|log S| < 1``, but not nan (nan is the answer).
    """
    np.less(total, _tiny_sum(wdtype), out=redo)
    redo |= total == np.inf
    with np.errstate(divide="ignore", invalid="ignore"):
        np.log(total, out=total)
    redo |= (total < 1.0) & (total > -1.0)
    if temperature != 1.0:
        with np.errstate(over="ignore"):  # T log S beyond the float range: inf, rightly
            total *= temperature
    # rounding must not take the result below the maximum (a log-probability
    # x_j - logsumexp above 0): where the other terms are negligible it is m
    np.maximum(total, m, out=res)


def _shifted_logsumexp(view, wdtype, temperature) -> np.ndarray:
    """``m + T log1p(s)`` for every slice of ``view`` (float64, reduced shape)."""
    call = _Call(view, wdtype, 1)
    if call.long:
        _logsumexp_long(call, temperature)
    else:
        call.run_blocks(_logsumexp_block, temperature)
    return call.finish_logsumexp(temperature)


#: logsumexp turns each block's sums into results at once when a block holds at
#: least this many slices: no per-slice arrays of the output's size then. With
#: fewer (long slices) that would cost the per-call time of a few numpy calls a
#: block (a few percent), and the per-slice arrays are small beside the input.
_SLICES_PER_BLOCK = 256


def _logsumexp_slices(view, wdtype, temperature, rdtype) -> np.ndarray:
    """logsumexp of every slice of a canonical view, shape ``(P, 1[, Q])``, in ``rdtype``
    (computed in float64 and rounded once).

    Where ``S = sum_j exp(x_j / T)`` neither overflows nor risks subnormal
    terms, ``T log S`` is as accurate as the shifted algorithm and reads the
    input from memory once instead of twice (the maximum, needed only as a
    lower bound here, is taken after the sum, from cache). Each
    ``exp(x_j / T)`` is within an ulp or two, so ``log S`` has an *absolute*
    error of a few ulp of 1: a few ulp *relative* to the result when
    ``|log S| >= 1``. The slices where that fails (``e**-1 < S < e``, ``S``
    infinite, zero or tiny) are redone by the shifted algorithm, a block of
    slices at a time; a nan anywhere in a slice makes ``S`` nan, the right
    answer.

    Memory: besides the result, one byte per slice (the slices to redo) and
    work of the size of a block; short slices (see :data:`_SLICES_PER_BLOCK`)
    have each block's sums turned into results at once, long ones keep a sum
    and a maximum per slice, a small fraction of the input.
    """
    if view.shape[1] == 1:  # logsumexp of one entry is that entry
        return view.astype(rdtype)
    call = _Call(view, wdtype, 1, per_slice=False)
    res = np.empty(call.reduced, dtype=rdtype)  # float64 loops below, cast on output
    redo = np.empty(call.reduced, dtype=bool)
    if call.long or view.shape[1] * _SLICES_PER_BLOCK > call.block:
        call.m = np.empty(call.reduced, dtype=wdtype)
        call.s = np.empty(call.reduced, dtype=_ACC)
        if call.long:
            _direct_long(call, temperature)
        else:
            for b in _blocks(view, call.block):  # (no broadcasting: the default ufunc buffer)
                _direct_block(call, b, temperature, None, None)
        _finish_direct(call.s, call.m, temperature, wdtype, res, redo)
    else:
        for b in _blocks(view, call.block):
            _direct_block(call, b, temperature, res, redo)
    if redo.any():
        for b in _blocks(view, call.block):  # a block at a time: the copies stay small
            where = redo[b]
            if where.any():
                sub = view[b]
                res[b][where] = _shifted_logsumexp(sub[_select(sub, where)], wdtype, temperature)[:, 0]
    return res


# ---------------------------------------------------------------------------
# Drivers and the fixes of the rare slices.
# ---------------------------------------------------------------------------


def _prepare(x, axis, temperature):
    """Validate; return the array, C-ordered source, its axis, whether transposed, T."""
    arr = as_real_array(x, "x")
    temperature = check_temperature(temperature)
    ax = check_axis(axis, arr.ndim)
    src, sax, transposed = _c_ordered(arr, ax)
    return arr, ax, src, sax, transposed, temperature


def _small(kind, view, wdtype, temperature) -> np.ndarray | None:
    """softmax or log_softmax of a ``(P, n)`` view of one block, or None if a slice needs a fix-up.

    The arithmetic of :func:`_softmax_block` and :func:`_log_softmax_block`
    in a dozen numpy calls: the blocked driver's bookkeeping costs about 30
    microseconds a call, more than the arithmetic on inputs of a few hundred
    entries. A tiny or nan ``s`` (:func:`_ordinary`) sends the whole input to
    the blocked driver, which has the fix-ups.
    """
    p, n = view.shape
    at_max = np.arange(0, p * n, n) + view.argmax(axis=1)  # flat; nan counts as the maximum
    m = view.reshape(-1)[at_max].astype(wdtype, copy=False)[:, None]
    d = _shift(view, m, np.empty(view.shape, dtype=wdtype), temperature)
    e = np.exp(d, out=d) if kind == "softmax" else np.exp(d)
    e.reshape(-1)[at_max] = 0
    s = _row_sums(e)
    if not _ordinary(s, wdtype):
        return None
    if kind == "softmax":
        e.reshape(-1)[at_max] = 1  # exp(d_k) = exp(0) = 1
        e /= (1 + s).astype(wdtype, copy=False)
        return e
    d -= np.log1p(s).astype(wdtype, copy=False)
    return d


def _elementwise(kind, x, axis, temperature):
    """Shared driver of softmax and log_softmax: same shape in, same shape out."""
    arr, _, src, ax, transposed, temperature = _prepare(x, axis, temperature)
    rdtype, wdtype = result_dtype(arr.dtype), working_dtype(arr.dtype)
    view = _canonical(src, ax)
    if view.ndim == 2 and 0 < view.size <= _block_elements(wdtype):
        res = _small(kind, view, wdtype, temperature)
        if res is not None:
            out = res.astype(rdtype, copy=False).reshape(src.shape)
            return out.T if transposed else out
    out = np.empty(src.shape, dtype=rdtype)
    if src.size == 0:
        return out.T if transposed else out
    oview = _canonical(out, ax)
    # log_softmax needs a second buffer only when the result is cast (float16)
    call = _Call(view, wdtype, 2 if kind == "log_softmax" and rdtype != wdtype else 1)
    if call.long:
        (_softmax_long if kind == "softmax" else _log_softmax_long)(call, oview, temperature)
    else:
        call.run_blocks(_softmax_block if kind == "softmax" else _log_softmax_block, oview, temperature)
    if not _ordinary(call.s, wdtype):
        _fix_special_slices(kind, call, oview, temperature)
    return out.T if transposed else out


def _fix_special_slices(kind, call, oview, temperature):
    """Redo the slices of softmax or log_softmax that the kernels leave wrong.

    Every such slice has a tiny or nan ``s`` (the one test that
    :func:`_elementwise` makes): a maximum of +inf gives nan differences
    inf - inf and a zero sum; nan, or all -inf, gives nan; a slice of one
    entry has ``s = 0``.
    """
    view = call.view
    if kind == "log_softmax" and (tiny := call.fix_tiny_sums(temperature)) is not None:
        # only the maximum's log-probability, -log1p(s), differs from d_j then
        index = _select(view, tiny)
        k = np.argmax(view[index], axis=1)[:, None]
        rows = oview[index]
        np.put_along_axis(rows, k, 0.0 - np.log1p(call.s[tiny])[:, None], axis=1)  # d_k = 0
        oview[index] = rows
    if (inf := call.plus_inf()) is not None:
        # the +inf entries share the mass equally (the argmax limit)
        index = _select(view, inf)
        at_inf = view[index] == np.inf
        count = at_inf.sum(axis=1, keepdims=True)
        if kind == "softmax":
            oview[index] = at_inf / count
        else:
            oview[index] = np.where(at_inf, -np.log(count), -np.inf)
    if view.shape[1] == 1:
        # a slice of one entry has no other term to carry nan into the
        # result: nan and -inf (0/0) must give nan explicitly
        undefined = np.isnan(call.m) | (call.m == -np.inf)
        if undefined.any():
            oview[_select(view, undefined)] = np.nan


def softmax(x: ArrayLike, axis: int | None = -1, *, temperature: float = 1.0) -> np.ndarray:
    r"""Softmax along one axis: ``exp(x_i / T) / sum_j exp(x_j / T)``.

    Parameters
    ----------
    x : array_like
        Real scores (logits). Integer and boolean input is computed in
        float64; float16 is computed in float32 and returned as float16,
        long double is computed in float64 and returned as long double.
    axis : int or None, optional
        The axis along which the probabilities sum to 1 (default: the last).
        ``None`` treats the whole array as one distribution.
    temperature : float, optional
        ``T > 0``. Large ``T`` flattens the distribution towards uniform, small
        ``T`` sharpens it towards the one-hot argmax.

    Returns
    -------
    ndarray
        Same shape as ``x``, entries in [0, 1] summing to 1 along ``axis``.

    Raises
    ------
    TypeError
        If ``x`` is complex or not numeric, ``axis`` is not an int or None, or
        ``temperature`` is not a real number.
    ValueError
        If ``temperature`` is not positive and finite (an integer too large
        for a float, such as ``10**400``, included).
    numpy.exceptions.AxisError
        If ``axis`` is out of range.

    See Also
    --------
    log_softmax : its logarithm, accurate where softmax underflows.
    logsumexp : the normalising constant, in the log domain.
    scipy.special.softmax : the same function, computed with temporaries.

    Notes
    -----
    Computed as ``exp(d_j) / (1 + s)`` with ``d_j = (x_j - max) / T`` and ``s``
    the sum of the exponentials other than the maximum's, so no finite input
    overflows and the result is within a few ulp of the exact softmax of the
    (rounded) differences ``d_j`` (Blanchard, Higham and Higham, 2021). Where
    ``x_j - max`` is beyond the float range (entries of both signs near
    ``1e308``) but ``T > 1`` brings it back, ``d_j`` is ``x_j / T - max / T``.

    IEEE cases: ``-inf`` entries get probability 0; if the maximum is ``+inf``
    the ``+inf`` entries share the mass equally (the limit of
    ``softmax(x + c e)`` as ``c -> inf``, ``e`` the indicator of those
    entries); a slice of all ``-inf`` gives nan (0/0); nan propagates to its
    own slice only. An empty ``x`` gives an empty result.

    Examples
    --------
    >>> import numpy as np
    >>> from softmaxlab import softmax
    >>> np.round(softmax([3.0, 2.0, 1.0, 0.1]), 3)
    array([0.642, 0.236, 0.087, 0.035])
    >>> softmax([1000.0, 1000.0])        # the naive formula gives nan here
    array([0.5, 0.5])
    >>> np.round(softmax([1.0, 2.0], temperature=100.0), 4)
    array([0.4975, 0.5025])
    >>> softmax([0.0, -np.inf, np.inf, np.inf])
    array([0. , 0. , 0.5, 0.5])
    >>> softmax([[1.0, 1.0], [0.0, np.log(3.0)]], axis=1)
    array([[0.5 , 0.5 ],
           [0.25, 0.75]])
    >>> softmax(np.zeros(3, dtype=np.float16)).dtype
    dtype('float16')
    >>> np.round(softmax([1e308, -1e308, 0.0], temperature=1e308), 4)   # softmax([1, -1, 0])
    array([0.6652, 0.09  , 0.2447])
    """
    return _elementwise("softmax", x, axis, temperature)


def log_softmax(x: ArrayLike, axis: int | None = -1, *, temperature: float = 1.0) -> np.ndarray:
    r"""Logarithm of softmax, ``x_i / T - logsumexp(x / T)``, without forming softmax.

    Parameters
    ----------
    x : array_like
        Real scores (logits). Integer and boolean input is computed in
        float64; float16 is computed in float32 and returned as float16,
        long double is computed in float64 and returned as long double.
    axis : int or None, optional
        The axis of the distribution (default: the last); ``None`` for all of ``x``.
    temperature : float, optional
        ``T > 0``, as in :func:`softmax`.

    Returns
    -------
    ndarray
        Same shape as ``x``; finite wherever ``x`` is finite, even where
        ``softmax`` underflows to 0.

    Raises
    ------
    TypeError, ValueError, numpy.exceptions.AxisError
        For bad arguments, as in :func:`softmax`.

    See Also
    --------
    softmax, logsumexp
    scipy.special.log_softmax : loses the small log-probabilities (see Notes).

    Notes
    -----
    Computed as ``d_j - log1p(s)`` (see :func:`softmax`). The largest entry's
    log-probability is ``-log1p(s)``, accurate to a few ulp even when it is
    tiny, i.e. when one class takes nearly all the mass. ``log(softmax(x))``
    and ``x - logsumexp(x)`` both lose that value to rounding (``1 + s``
    rounds to 1), and so does ``scipy.special.log_softmax``.

    IEEE cases: ``-inf`` entries give ``-inf``; if the maximum is ``+inf`` the
    ``+inf`` entries give ``-log(count)`` and the others ``-inf``; a slice of
    all ``-inf`` gives nan; nan propagates to its own slice only.

    Examples
    --------
    >>> import numpy as np
    >>> from softmaxlab import log_softmax
    >>> log_softmax([0.0, -1000.0])      # log(softmax) would give -inf
    array([    0., -1000.])
    >>> float(log_softmax([0.0, -40.0])[0])   # -exp(-40), to full precision
    -4.248354255291589e-18
    >>> bool(np.allclose(np.exp(log_softmax([3.0, 2.0, 1.0])).sum(), 1.0))
    True
    >>> float(log_softmax([1e308, -1e308], temperature=2.0)[1])   # x - max overflows, (x - max) / T does not
    -1e+308
    """
    return _elementwise("log_softmax", x, axis, temperature)


def logsumexp(
    x: ArrayLike,
    axis: int | None = -1,
    *,
    keepdims: bool = False,
    temperature: float = 1.0,
) -> np.ndarray | np.floating:
    r"""``T * log(sum_j exp(x_j / T))`` along one axis: the smooth maximum.

    Parameters
    ----------
    x : array_like
        Real values. Integer and boolean input is computed in float64;
        float16 is computed in float32 and returned as float16, long double
        in float64 and returned as long double.
    axis : int or None, optional
        The axis to reduce (default: the last); ``None`` reduces all of ``x``.
    keepdims : bool, optional
        Keep the reduced axis with length 1, as in numpy reductions.
    temperature : float, optional
        ``T > 0``. As ``T -> 0`` the result decreases to ``max(x)``; it always
        lies in ``[max(x), max(x) + T log n]``.

    Returns
    -------
    ndarray or numpy scalar
        The reduction; a numpy scalar when the result is 0-d.

    Raises
    ------
    TypeError, ValueError, numpy.exceptions.AxisError
        For bad arguments, as in :func:`softmax`. ``keepdims`` must be True or False (TypeError).

    See Also
    --------
    softmax, log_softmax
    scipy.special.logsumexp : the same function (with optional weights).

    Notes
    -----
    Where no term overflows or underflows and the result is at least ``T``
    in magnitude, computed directly as ``T * log(sum(exp(x / T)))``: as
    accurate there, and one pass over the data instead of two. Elsewhere
    computed as ``max + T * log1p(s)`` (see :func:`softmax`), so a result near
    0 keeps its relative accuracy unless ``max`` itself cancels against
    ``T * log1p(s)``. Never below ``max(x)``. Special values: an empty axis or
    a slice of all ``-inf`` gives ``-inf`` (the log of an empty sum); any
    ``+inf`` gives ``+inf``; nan gives nan.

    Examples
    --------
    >>> import numpy as np
    >>> from softmaxlab import logsumexp
    >>> float(logsumexp([1000.0, 1000.0]))          # 1000 + log 2, no overflow
    1000.6931471805599
    >>> float(logsumexp([0.0, -50.0]))              # exp(-50), where log(1 + s) gives 0
    1.9287498479639178e-22
    >>> logsumexp([[0.0, 0.0], [1.0, -np.inf]], axis=1)
    array([0.69314718, 1.        ])
    >>> logsumexp([[0.0, 0.0], [1.0, -np.inf]], axis=1, keepdims=True).shape
    (2, 1)
    >>> float(logsumexp([1.0, 2.0, 3.0], temperature=0.01))
    3.0
    >>> logsumexp(np.zeros((2, 0)))                 # the log of an empty sum
    array([-inf, -inf])
    """
    arr, ax, src, sax, transposed, temperature = _prepare(x, axis, temperature)
    keepdims = check_bool(keepdims, "keepdims")
    rdtype, wdtype = result_dtype(arr.dtype), working_dtype(arr.dtype)
    kept = tuple(1 if ax is None or i == ax else d for i, d in enumerate(arr.shape))
    if arr.size == 0:  # an empty axis: the log of an empty sum
        res = np.full(kept, -np.inf, dtype=rdtype)
    else:
        view = _canonical(src, sax)
        res = _logsumexp_slices(view, wdtype, temperature, rdtype)
        res = res.reshape(tuple(1 if sax is None or i == sax else d for i, d in enumerate(src.shape)))
        res = (res.T if transposed else res).astype(rdtype, copy=False)
    if not keepdims:
        res = res.reshape(tuple(d for i, d in enumerate(arr.shape) if ax is not None and i != ax))
    return res[()] if res.ndim == 0 else res
