"""The fast routes of softmax, log_softmax and logsumexp (private to :mod:`softmaxlab.core`).

They compute the numbers of ``core._shifted_algorithm``, the algorithm chapter 1
explains (shift by the maximum ``m``, ``s`` = the sum of the other
exponentials in float64, ``log1p(s)``, a division), with the same arithmetic,
only laid out for speed and memory. ``tests/test_core.py`` checks every route
against that function, and the IEEE special values against the documented
semantics. What each route buys, measured on the 2-core AVX-512 machine the
book is built on (process CPU time, median of 9 rounds; "without" is the same
call with that route switched off; ``make bench`` has the ratios to scipy):

* **Layout.** The array is viewed, without copying, as ``(P, n)`` or
  ``(P, n, Q)`` with the reduction over the middle axis ``n``
  (:func:`layout`). A Fortran-ordered array is handled through its transpose;
  any other layout is first copied to C order.
* **One row, or one block, in one go** (:func:`_one_row_softmax`,
  :func:`_one_block_softmax` and their log_softmax twins). An input of at most
  one block is done with a dozen numpy calls and none of the bookkeeping
  below; one row with scalars for ``k``, ``m`` and ``s``. On small inputs
  numpy's cost per call, not the arithmetic, sets the time: softmax of 256
  float64 numbers takes 7.6 microseconds with this route, 20.7 without; a
  float64 (32, 10) batch 16.3 against 25.5.
* **Blocks** (:func:`elementwise`, :class:`SliceSweep`). Whole slices are done
  a block of about ``BLOCK_BYTES`` (1 MiB) at a time, so that after a block is
  read from memory once every later step (subtract, exp, sum, divide) runs in
  cache, and the output is written once. softmax and log_softmax write straight
  into the output array; the only other allocations are one block of scratch
  and two numbers per slice (scipy makes three temporaries of the input's
  size). float32 (65536, 64): 10.4 ms, against 11.9 ms as one block of all.
* **Long slices** (``_long_*``). A slice longer than ``LONG_SLICE_BYTES``
  (4 MiB) is done in chunks, in three passes (maximum, sum, output), so the
  scratch stays one block whatever the length: 10**7 float32 entries take
  18.3 ms with 1 MiB of scratch, against 19.9 ms with 40 MB as one block.
* **A row-sized ufunc buffer** (:func:`_row_sized_ufunc_buffer`) for the
  broadcasts ``x - m`` and ``e / (1 + s)`` on rows of 256 to 8191 entries:
  float32 (4096, 4096) 29.2 ms against 30.9 ms.
* **Fix-ups at the end** (:func:`_fix_special_slices`). The rare slices that
  need more (a maximum of +inf, a tiny ``s``, one entry) are found from ``s``
  alone and redone once at the end, so the common path has no branches.
* **Direct logsumexp** (:func:`logsumexp_slices`). Where ``S = sum_j
  exp(x_j / T)`` neither overflows nor risks subnormal terms and
  ``|log S| >= 1``, ``T log S`` is as accurate as the shifted formula and reads
  the input once instead of twice; other slices are redone by the shifted
  algorithm. (4096, 4096): 14.7 ms against 17.3 ms always shifted in float32,
  21.5 against 27.2 in float64.

What the routes cannot remove, on float32 (65536, 64) (16 blocks of 4096 rows,
from cache): numpy's argmax along the short rows (1.3 ms), the subtraction
(1.0 ms), ``exp`` (1.9 ms), the float64 sum (1.3 ms; 0.4 ms in float32,
which would cost the accuracy ``SUM_DTYPE`` explains) and the division
(0.9 ms): 6.4 ms, 0.37 of scipy's 17.4 ms before the data is read from memory
or the output written. On a float32 row of 10**5 entries the float64 sum takes
27 microseconds where scipy's float32 sum takes 19, which is the whole gap
(108 against 98): softmax of single float32 rows and of in-cache float32
batches stays at about 1.0 to 1.25 times scipy's time; log_softmax and
logsumexp, which scipy computes with more passes, stay below it.

Two refinements of the arithmetic live here too, each tested: a difference
``x_j - m`` beyond the float range with ``T > 1`` is computed as
``x_j / T - m / T`` (:func:`_shift_overflowed`), and an ``s`` whose terms may be
subnormal is recomputed from ``exp(d_j + 64)`` and scaled back
(:meth:`SliceSweep.fix_tiny_sums`).
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable
from typing import NamedTuple

import numpy as np

#: Size in bytes of the blocks the work is split into: the size of a typical L2
#: cache, large enough that numpy's per-call overhead is small per element.
BLOCK_BYTES = 1 << 20

#: Slices up to this size in bytes are done one per block (from L3 cache rather
#: than L2); longer ones are done in chunks, in three passes.
LONG_SLICE_BYTES = 1 << 22

#: ``s`` is summed, and ``log1p(s)`` and logsumexp computed, in float64 even
#: for float32 and float16 input: numpy's float32 ``exp`` (SIMD) is off by up
#: to 3.57 * 2**-24 relative (2.3 ulp), which leaves little room in a 4-ulp
#: budget for the rounding errors of a float32 sum.
SUM_DTYPE = np.dtype(np.float64)

#: softmax divides by ``1 + s`` rounded to the working dtype: a float64 division
#: of float32 data costs a quarter of float32 softmax's time and gains half an
#: ulp at worst (3.49 against 2.99 ulp on the random vectors of
#: tests/test_accuracy.py). Multiplying by ``1 / (1 + s)`` instead, rounded once
#: from a wider format, has the same error bound and costs less (10 against 36
#: microseconds on 10**5 float64 numbers, 7 against 12 on float32), but it
#: rounds differently, and on the vectors of tests/test_accuracy.py it makes
#: float64 softmax less accurate than scipy's on more of them: not taken.


#: When ``s`` is tiny its terms ``exp(d_j)`` may be subnormal, each rounded to an
#: absolute (not relative) precision, and a log-probability or logsumexp equal to
#: about ``s`` would inherit those errors. Such an ``s`` is recomputed from
#: ``exp(d_j + C)``, all normal numbers; every ``d_j`` in it is below -54, so
#: ``d_j + C`` is exact, and ``exp(-C)`` scales the sum back in float64.
_RESCALE = 64.0


# ---------------------------------------------------------------------------
# Layout: a copy-free (P, n) or (P, n, Q) view, and the blocks to visit.
# ---------------------------------------------------------------------------


class Layout(NamedTuple):
    """A C-contiguous array holding the input, and how it relates to the caller's array."""

    source: np.ndarray  #: the input, or its transpose (a view), or a C-ordered copy
    axis: int | None  #: the reduction axis in ``source`` (None: all of it)
    transposed: bool  #: ``source`` is the caller's array transposed

    def view(self, array: np.ndarray | None = None) -> np.ndarray:
        """``array`` (default: ``source``), of ``source``'s shape, as ``(P, n)`` or ``(P, n, Q)``."""
        array = self.source if array is None else array
        if self.axis is None:
            return array.reshape(1, -1)
        p = math.prod(array.shape[: self.axis])
        q = math.prod(array.shape[self.axis + 1 :])
        n = array.shape[self.axis]
        return array.reshape(p, n) if q == 1 else array.reshape(p, n, q)

    def restore(self, array: np.ndarray) -> np.ndarray:
        """``array``, laid out like ``source``, in the caller's axis order."""
        return array.T if self.transposed else array


def layout(arr: np.ndarray, axis: int | None) -> Layout:
    """The :class:`Layout` of ``arr`` reduced along ``axis`` (the caller's axis, normalised)."""
    if arr.flags.c_contiguous:
        return Layout(arr, axis, False)
    if arr.flags.f_contiguous:
        return Layout(arr.T, None if axis is None else arr.ndim - 1 - axis, True)
    return Layout(np.ascontiguousarray(arr), axis, False)


def block_elements(dtype: np.dtype) -> int:
    """Elements of ``dtype`` in one block (:data:`BLOCK_BYTES`, at least 1024)."""
    return max(BLOCK_BYTES // np.dtype(dtype).itemsize, 1024)


def _long_elements(dtype: np.dtype) -> int:
    return max(LONG_SLICE_BYTES // np.dtype(dtype).itemsize, block_elements(dtype))


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


def _scratch_elements(view: np.ndarray, block: int, long: int) -> int:
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


# ---------------------------------------------------------------------------
# The arithmetic shared by every route.
# ---------------------------------------------------------------------------


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


def _tiny_sum_of(dtype) -> float:
    f = np.finfo(dtype)
    return math.ldexp(1.0, f.minexp + 2 * (f.nmant + 1))


#: Per working dtype: below this, ``s`` is a sum of terms ``exp(d_j)`` that may be
#: subnormal (a dict: looked up on every call, where ``np.finfo`` is not free).
_TINY_SUM = {np.dtype(t): _tiny_sum_of(t) for t in (np.float32, np.float64)}


def _no_slice_needs_a_fix(s: np.ndarray, dtype) -> bool:
    """True if every ``s`` is at least ``_TINY_SUM[dtype]``: no slice needs a fix-up.

    A slice that needs one has a tiny or nan ``s`` (see :func:`_fix_special_slices`).
    argmin finds a nan first, and costs less than a reduction on small input.
    """
    s = s.reshape(-1)
    least = s[0] if s.size == 1 else s[s.argmin()]
    return bool(least >= _TINY_SUM[dtype])


def _row_sums(e: np.ndarray) -> np.ndarray:
    """``sum(e, axis=1, keepdims=True)`` in float64.

    float64 slices longer than 128 use numpy's pairwise summation (a BLAS or
    einsum dot product is faster, but its long sequential runs cost float64
    softmax up to 5 ulp); shorter ones, where numpy's per-row overhead
    dominates, and all float32 blocks, are summed by einsum with a float64
    accumulator (for float32, exact enough in any order, and twice as fast as
    ``np.sum(e, dtype=np.float64)``).
    """
    if e.dtype == SUM_DTYPE and (e.shape[1] > 128 or e.ndim != 2):
        return np.add.reduce(e, axis=1, keepdims=True)  # np.sum, without its overhead
    if e.ndim == 2:
        return np.einsum("ij->i", e, dtype=SUM_DTYPE)[:, None]
    return np.einsum("ijk->ik", e, dtype=SUM_DTYPE)[:, None, :]


class _UfuncBufferSize:
    """A context in which numpy's ufunc buffer holds ``size`` elements."""

    __slots__ = ("_old", "_size")

    def __init__(self, size: int):
        self._size = size

    def __enter__(self):
        self._old = np.setbufsize(self._size)

    def __exit__(self, *exc):
        np.setbufsize(self._old)


_UNCHANGED = contextlib.nullcontext()


def _row_sized_ufunc_buffer(view: np.ndarray):
    """A context in which numpy's ufunc buffer is no longer than a row of ``view``, if that helps.

    ``x - m`` and ``e / (1 + s)`` broadcast one value per row. When rows are
    shorter than numpy's ufunc buffer (8192 elements) numpy copies that value
    into a buffer row by row, which makes the operation about 1.6 times slower
    (28 against 18 microseconds on a float32 (128, 1000) array); a buffer no
    longer than a row avoids it. Setting the size costs about 1.3
    microseconds each way, so small inputs keep the default, and so do rows
    shorter than 256, where a short buffer is slower still.
    """
    n = view.shape[1] if view.ndim == 2 else 0
    if 256 <= n < 8192 and view.size >= 1 << 15:
        return _UfuncBufferSize(1 << (n.bit_length() - 1))
    return _UNCHANGED


# ---------------------------------------------------------------------------
# One sweep over the blocks of a view, and the per-slice m and s it records.
# ---------------------------------------------------------------------------


class SliceSweep:
    """The canonical view of one call, its scratch buffers, and each slice's ``m`` and ``s``.

    ``m`` (the maximum, in the working dtype) and ``s`` (float64) are filled
    slice by slice by the kernels; the rare slices that need more work (an
    infinite maximum, a tiny ``s``) are fixed afterwards, all at once.
    """

    def __init__(self, view: np.ndarray, wdtype: np.dtype, buffers: int, per_slice: bool = True):
        self.view = view
        self.dtype = np.dtype(wdtype)
        self.block = block_elements(wdtype)
        self.long = view.shape[1] > _long_elements(wdtype)
        self._buffers = buffers
        self._scratch = None  # allocated on first use: softmax may never need it
        self.reduced = (view.shape[0], 1, *view.shape[2:])
        # (logsumexp's direct sum finishes each block at once and needs neither)
        self.m = np.empty(self.reduced, dtype=wdtype) if per_slice else None
        self.s = np.empty(self.reduced, dtype=SUM_DTYPE) if per_slice else None
        self._row_starts: dict[tuple[int, ...], np.ndarray] = {}

    def run_blocks(self, kernel, *args):
        """``kernel(self, block, *args)`` for every block (see :func:`_row_sized_ufunc_buffer`)."""
        with _row_sized_ufunc_buffer(self.view):
            for b in _blocks(self.view, self.block):
                kernel(self, b, *args)

    def scratch(self, i: int, shape: tuple[int, ...]) -> np.ndarray:
        """Scratch buffer ``i`` as a C-contiguous array of ``shape``."""
        if self._scratch is None:
            size = _scratch_elements(self.view, self.block, _long_elements(self.dtype))
            self._scratch = np.empty((self._buffers, size), dtype=self.dtype)
        return self._scratch[i, : math.prod(shape)].reshape(shape)

    def flat_index(self, k: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
        """Flat indices, in a C-contiguous array of ``shape``, of the entries ``k`` along axis 1."""
        if shape not in self._row_starts:
            rows, n, *q = shape
            if q:
                start = np.arange(0, rows * n * q[0], n * q[0])[:, None, None] + np.arange(q[0])
            else:
                start = np.arange(0, rows * n, n)[:, None]
            self._row_starts[shape] = start
        return self._row_starts[shape] + (k * shape[2] if len(shape) == 3 else k)

    def plus_inf(self) -> np.ndarray | None:
        """The mask of slices whose maximum is +inf, or None if there are none."""
        where = self.m == np.inf
        return where if where.any() else None

    def fix_tiny_sums(self, temperature: float) -> np.ndarray | None:
        """Recompute each ``s`` below :data:`_TINY_SUM` from ``exp(d_j + C)`` (see :data:`_RESCALE`).

        Returns the mask of the slices fixed, or None if there were none.
        """
        where = self.s < _TINY_SUM[self.dtype]
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


# ---------------------------------------------------------------------------
# Kernels on one block of whole slices (reduction over axis 1).
# ---------------------------------------------------------------------------


def _maximum(sweep, xb):
    """The flat indices in a C-contiguous array of ``xb``'s shape of the maximum
    of each slice of block ``xb`` (nan counts as the maximum), and the maxima."""
    k = xb.argmax(axis=1, keepdims=True)  # argmax: numpy's max along short rows is twice as slow
    at_max = sweep.flat_index(k, xb.shape)
    if xb.flags.c_contiguous:
        return at_max, xb.reshape(-1)[at_max]
    return at_max, np.take_along_axis(xb, k, axis=1)


def _exp_others(sweep, b, d, e, temperature):
    """Steps 1-3 for block ``b``: ``d = (x - m) / T``, and into the C-contiguous ``e``
    (which may be ``d``) ``exp(d)`` but 0 at the argmax. Records ``m`` and ``s``.

    Returns the flat indices in ``e`` of the argmax of each slice, and ``s``.
    """
    xb = sweep.view[b]
    at_max, m_values = _maximum(sweep, xb)
    m = sweep.m[b]
    m[...] = m_values
    np.exp(_shift(xb, m, d, temperature), out=e)
    e.reshape(-1)[at_max] = 0
    s = sweep.s[b]
    s[...] = _row_sums(e)
    return at_max, s


def _softmax_block(sweep, b, out, temperature):
    ob = out[b]
    direct = ob.dtype == sweep.dtype and ob.flags.c_contiguous
    w = ob if direct else sweep.scratch(0, ob.shape)
    at_max, s = _exp_others(sweep, b, w, w, temperature)
    w.reshape(-1)[at_max] = 1  # exp(d_k) = exp(0) = 1
    total = (1 + s).astype(w.dtype, copy=False)
    if ob.dtype == w.dtype:  # (the casting keyword alone costs a microsecond)
        np.divide(w, total, out=ob)
    else:
        np.divide(w, total, out=ob, casting="same_kind")


def _log_softmax_block(sweep, b, out, temperature):
    ob = out[b]
    d = ob if ob.dtype == sweep.dtype else sweep.scratch(1, ob.shape)
    _, s = _exp_others(sweep, b, d, sweep.scratch(0, ob.shape), temperature)
    log1p_s = np.log1p(s)
    if log1p_s.dtype != d.dtype:
        log1p_s = log1p_s.astype(d.dtype)
    np.subtract(d, log1p_s, out=ob, casting="same_kind")


def _logsumexp_block(sweep, b, temperature):
    e = sweep.scratch(0, sweep.view[b].shape)
    _exp_others(sweep, b, e, e, temperature)


# ---------------------------------------------------------------------------
# Kernels for slices longer than LONG_SLICE_BYTES: chunks of the reduction axis.
# ---------------------------------------------------------------------------


def _long_sums(sweep, group, chunks, temperature, store=None):
    """Passes 1 and 2 over one group of long slices: record ``m`` and ``s``.

    For 2-D views the term left out of ``s`` is the one at the argmax; for 3-D
    views (no cheap argmax along a middle axis) the entries equal to the
    maximum are left out and counted instead, and ``count - 1`` of them added
    back. With ``store`` the exponentials are kept there (all of them).
    """
    x = sweep.view
    m = sweep.m[group]
    if x.ndim == 2:
        k = int(np.argmax(x[group]))
        m[...] = x[group][0, k]
    else:
        k = None
        m[...] = np.max(x[group], axis=1, keepdims=True)
    partial, count = [], 0
    for c in chunks:
        xc = x[c]
        e = store[c] if store is not None else sweep.scratch(0, xc.shape)
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
    sweep.s[group] = s if k is not None else s + (count - 1)
    return m, sweep.s[group]


def _softmax_long(sweep, out, temperature):
    x = sweep.view
    same = out.dtype == sweep.dtype
    for group, chunks in _long_slices(x, sweep.block):
        m, s = _long_sums(sweep, group, chunks, temperature, store=out if same else None)
        total = (1 + s).astype(sweep.dtype, copy=False)  # as in _softmax_block
        for c in chunks:
            if same:
                np.divide(out[c], total, out=out[c], casting="same_kind")
            else:  # recompute in the working precision rather than round twice
                w = sweep.scratch(0, x[c].shape)
                np.exp(_shift(x[c], m, w, temperature), out=w)
                np.divide(w, total, out=out[c], casting="same_kind")


def _log_softmax_long(sweep, out, temperature):
    x = sweep.view
    for group, chunks in _long_slices(x, sweep.block):
        m, s = _long_sums(sweep, group, chunks, temperature)
        log1p_s = np.log1p(s).astype(sweep.dtype, copy=False)
        for c in chunks:
            d = out[c] if out.dtype == sweep.dtype else sweep.scratch(0, x[c].shape)
            np.subtract(_shift(x[c], m, d, temperature), log1p_s, out=out[c], casting="same_kind")


def _logsumexp_long(sweep, temperature):
    for group, chunks in _long_slices(sweep.view, sweep.block):
        _long_sums(sweep, group, chunks, temperature)


# ---------------------------------------------------------------------------
# Inputs of one block, in one go.
# ---------------------------------------------------------------------------


def _one_row_terms(x, wdtype, temperature, keep_d: bool):
    """Steps 1-3 for one row ``x`` (1-D): ``(k, d, e, s)`` with scalars ``k`` and ``s``, or None.

    The fewest numpy calls: on rows of up to a few thousand entries each call
    costs about as much as the arithmetic. None if ``s`` is tiny or nan (the
    blocked route has the fix-ups).
    """
    k = int(x.argmax())  # nan counts as the maximum
    if temperature == 1.0:
        with np.errstate(invalid="ignore", over="ignore"):  # as in _shift
            d = np.subtract(x, x[k], dtype=wdtype)
    else:
        d = _shift(x, wdtype.type(x[k]), np.empty(x.shape, dtype=wdtype), temperature)
    e = np.exp(d) if keep_d else np.exp(d, out=d)
    e[k] = 0
    if e.dtype == SUM_DTYPE:  # the sum of _row_sums, for one row (the same roundings)
        s = np.add.reduce(e) if e.size > 128 else np.einsum("i->", e, dtype=SUM_DTYPE)
    else:  # float32: any float64 order is exact enough, and on short rows this one costs less
        s = np.add.reduce(e, dtype=SUM_DTYPE) if e.size <= 8192 else np.einsum("i->", e, dtype=SUM_DTYPE)
    return (k, d, e, s) if s >= _TINY_SUM[wdtype] else None  # (nan fails too)


def _one_row_softmax(x, wdtype, temperature) -> np.ndarray | None:
    terms = _one_row_terms(x, wdtype, temperature, keep_d=False)
    if terms is None:
        return None
    k, _, e, s = terms
    e[k] = 1  # exp(d_k) = exp(0) = 1
    e /= wdtype.type(1 + s)
    return e


def _one_row_log_softmax(x, wdtype, temperature) -> np.ndarray | None:
    terms = _one_row_terms(x, wdtype, temperature, keep_d=True)
    if terms is None:
        return None
    d = terms[1]
    d -= wdtype.type(np.log1p(terms[3]))
    return d


def _one_block_terms(view, wdtype, temperature, keep_d: bool):
    """Steps 1-3 for a ``(P, n)`` view of one block: ``(at_max, d, e, s)``, or None.

    The arithmetic of :func:`_exp_others` without its bookkeeping; ``at_max``
    holds flat indices. None if a slice needs a fix-up (a tiny or nan ``s``,
    :func:`_no_slice_needs_a_fix`): the blocked route then does the whole input.
    """
    p, n = view.shape
    at_max = np.arange(0, p * n, n) + view.argmax(axis=1)  # nan counts as the maximum
    m = view.reshape(-1)[at_max].astype(wdtype, copy=False)[:, None]
    with _row_sized_ufunc_buffer(view):
        d = _shift(view, m, np.empty(view.shape, dtype=wdtype), temperature)
    e = np.exp(d) if keep_d else np.exp(d, out=d)
    e.reshape(-1)[at_max] = 0
    s = _row_sums(e)
    return (at_max, d, e, s) if _no_slice_needs_a_fix(s, wdtype) else None


def _one_block_softmax(view, wdtype, temperature) -> np.ndarray | None:
    terms = _one_block_terms(view, wdtype, temperature, keep_d=False)
    if terms is None:
        return None
    at_max, _, e, s = terms
    e.reshape(-1)[at_max] = 1
    with _row_sized_ufunc_buffer(view):
        e /= (1 + s).astype(wdtype, copy=False)
    return e


def _one_block_log_softmax(view, wdtype, temperature) -> np.ndarray | None:
    terms = _one_block_terms(view, wdtype, temperature, keep_d=True)
    if terms is None:
        return None
    d = terms[1]
    with _row_sized_ufunc_buffer(view):
        d -= np.log1p(terms[3]).astype(wdtype, copy=False)
    return d


# ---------------------------------------------------------------------------
# softmax and log_softmax: what differs between them, and the driver.
# ---------------------------------------------------------------------------


class Elementwise(NamedTuple):
    """The routes of one same-shape function (:data:`SOFTMAX` or :data:`LOG_SOFTMAX`)."""

    one_row: Callable  #: (1-D row of at most a block, working dtype, T) -> result or None
    one_block: Callable  #: ((P, n) view of at most a block, working dtype, T) -> result or None
    block: Callable  #: (sweep, block index, output view, T): one block of whole slices
    long: Callable  #: (sweep, output view, T): slices longer than LONG_SLICE_BYTES
    scratch_buffers: Callable  #: (result dtype, working dtype) -> scratch buffers a block needs
    shared_mass: Callable  #: (mask of the +inf entries, their count) -> the slice's values
    log_of_dominant: bool  #: whether the maximum's value is -log1p(s) (fixed when s is rescaled)


SOFTMAX = Elementwise(
    one_row=_one_row_softmax,
    one_block=_one_block_softmax,
    block=_softmax_block,
    long=_softmax_long,
    scratch_buffers=lambda rdtype, wdtype: 1,
    shared_mass=lambda at_inf, count: at_inf / count,
    log_of_dominant=False,
)

LOG_SOFTMAX = Elementwise(
    one_row=_one_row_log_softmax,
    one_block=_one_block_log_softmax,
    block=_log_softmax_block,
    long=_log_softmax_long,
    # a second buffer only when the result is cast (float16)
    scratch_buffers=lambda rdtype, wdtype: 2 if rdtype != wdtype else 1,
    shared_mass=lambda at_inf, count: np.where(at_inf, -np.log(count), -np.inf),
    log_of_dominant=True,
)


def elementwise(routes: Elementwise, arr, axis, temperature, wdtype, rdtype) -> np.ndarray:
    """softmax or log_softmax (by ``routes``) of ``arr`` along ``axis``: same shape in and out."""
    if arr.flags.c_contiguous and 0 < arr.size <= block_elements(wdtype) and (axis is None or axis == arr.ndim - 1):
        # the common small cases, without the layout's bookkeeping
        if axis is None or arr.size == arr.shape[-1]:
            res = routes.one_row(arr.reshape(-1), wdtype, temperature)
        else:
            res = routes.one_block(arr.reshape(-1, arr.shape[-1]), wdtype, temperature)
        if res is not None:
            return (res if res.dtype == rdtype else res.astype(rdtype)).reshape(arr.shape)
    lay = layout(arr, axis)
    view = lay.view()
    if view.ndim == 2 and 0 < view.size <= block_elements(wdtype):
        res = routes.one_block(view, wdtype, temperature)
        if res is not None:
            return lay.restore(res.astype(rdtype, copy=False).reshape(lay.source.shape))
    out = np.empty(lay.source.shape, dtype=rdtype)
    if out.size == 0:
        return lay.restore(out)
    oview = lay.view(out)
    sweep = SliceSweep(view, wdtype, routes.scratch_buffers(rdtype, wdtype))
    if sweep.long:
        routes.long(sweep, oview, temperature)
    else:
        sweep.run_blocks(routes.block, oview, temperature)
    if not _no_slice_needs_a_fix(sweep.s, wdtype):
        _fix_special_slices(routes, sweep, oview, temperature)
    return lay.restore(out)


def _fix_special_slices(routes, sweep, oview, temperature):
    """Redo the slices of softmax or log_softmax that the kernels leave wrong.

    Every such slice has a tiny or nan ``s`` (the one test that
    :func:`elementwise` makes): a maximum of +inf gives nan differences
    inf - inf and a zero sum; nan, or all -inf, gives nan; a slice of one
    entry has ``s = 0``.
    """
    view = sweep.view
    if routes.log_of_dominant and (tiny := sweep.fix_tiny_sums(temperature)) is not None:
        # only the maximum's log-probability, -log1p(s), differs from d_j then
        index = _select(view, tiny)
        k = np.argmax(view[index], axis=1)[:, None]
        rows = oview[index]
        np.put_along_axis(rows, k, 0.0 - np.log1p(sweep.s[tiny])[:, None], axis=1)  # d_k = 0
        oview[index] = rows
    if (inf := sweep.plus_inf()) is not None:
        # the +inf entries share the mass equally (the argmax limit)
        index = _select(view, inf)
        at_inf = view[index] == np.inf
        oview[index] = routes.shared_mass(at_inf, at_inf.sum(axis=1, keepdims=True))
    if view.shape[1] == 1:
        # a slice of one entry has no other term to carry nan into the
        # result: nan and -inf (0/0) must give nan explicitly
        undefined = np.isnan(sweep.m) | (sweep.m == -np.inf)
        if undefined.any():
            oview[_select(view, undefined)] = np.nan


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


def _direct_block(sweep, b, temperature, res, redo):
    """``S = sum_j exp(x_j / T)`` with no shift for the slices of block ``b``, and
    their maxima: from them the logsumexp into ``res`` at once (:func:`_finish_direct`),
    or, with ``res`` None, ``S`` into ``sweep.s`` and the maxima into ``sweep.m``.

    The maximum is needed only as a lower bound of the result; it is found
    after the sum, from cache.
    """
    xb = sweep.view[b]
    total = _row_sums(_exp_scaled(xb, sweep.scratch(0, xb.shape), temperature))
    m = _maximum(sweep, xb)[1]
    if res is None:
        sweep.s[b] = total
        sweep.m[b] = m
    else:
        _finish_direct(total, m, temperature, sweep.dtype, res[b], redo[b])


def _direct_long(sweep, temperature):
    """``S`` and the maximum into ``sweep.s`` and ``sweep.m`` for slices longer than a block, chunk by chunk."""
    x = sweep.view
    for group, chunks in _long_slices(x, sweep.block):
        sums, maxima = [], []
        for c in chunks:
            sums.append(_row_sums(_exp_scaled(x[c], sweep.scratch(0, x[c].shape), temperature)))
            maxima.append(np.max(x[c], axis=1, keepdims=True))
        sweep.s[group] = np.sum(np.concatenate(sums, axis=1), axis=1, keepdims=True)
        sweep.m[group] = np.max(np.concatenate(maxima, axis=1), axis=1, keepdims=True)


def _finish_direct(total, m, temperature, wdtype, res, redo):
    """``res = max(T log S, m)`` from the float64 sums ``total`` (overwritten) and
    the maxima ``m``, computed in float64 and rounded once to the dtype of ``res``;
    ``redo`` marks the slices where that is not accurate: S tiny, zero or
    infinite, or ``|log S| < 1``, but not nan (nan is the answer).
    """
    np.less(total, _TINY_SUM[np.dtype(wdtype)], out=redo)
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


def shifted_logsumexp(view, wdtype, temperature) -> np.ndarray:
    """``m + T log1p(s)`` for every slice of ``view`` (float64, reduced shape)."""
    sweep = SliceSweep(view, wdtype, 1)
    if sweep.long:
        _logsumexp_long(sweep, temperature)
    else:
        sweep.run_blocks(_logsumexp_block, temperature)
    return sweep.finish_logsumexp(temperature)


#: logsumexp turns each block's sums into results at once when a block holds at
#: least this many slices: no per-slice arrays of the output's size then. With
#: fewer (long slices) that would cost the per-call time of a few numpy calls a
#: block (a few percent), and the per-slice arrays are small beside the input.
_SLICES_PER_BLOCK = 256


def logsumexp_slices(view, wdtype, temperature, rdtype) -> np.ndarray:
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
    sweep = SliceSweep(view, wdtype, 1, per_slice=False)
    res = np.empty(sweep.reduced, dtype=rdtype)  # float64 loops below, cast on output
    redo = np.empty(sweep.reduced, dtype=bool)
    if sweep.long or view.shape[1] * _SLICES_PER_BLOCK > sweep.block:
        sweep.m = np.empty(sweep.reduced, dtype=wdtype)
        sweep.s = np.empty(sweep.reduced, dtype=SUM_DTYPE)
        if sweep.long:
            _direct_long(sweep, temperature)
        else:
            for b in _blocks(view, sweep.block):  # (no broadcasting: the default ufunc buffer)
                _direct_block(sweep, b, temperature, None, None)
        _finish_direct(sweep.s, sweep.m, temperature, wdtype, res, redo)
    else:
        for b in _blocks(view, sweep.block):
            _direct_block(sweep, b, temperature, res, redo)
    if redo.any():
        for b in _blocks(view, sweep.block):  # a block at a time: the copies stay small
            where = redo[b]
            if where.any():
                sub = view[b]
                res[b][where] = shifted_logsumexp(sub[_select(sub, where)], wdtype, temperature)[:, 0]
    return res


def logsumexp(arr, axis, temperature, wdtype, rdtype) -> np.ndarray:
    """logsumexp of a non-empty ``arr`` along ``axis`` (the caller's), with ``keepdims=True``."""
    lay = layout(arr, axis)
    res = logsumexp_slices(lay.view(), wdtype, temperature, rdtype)
    kept = tuple(1 if lay.axis is None or i == lay.axis else d for i, d in enumerate(lay.source.shape))
    return lay.restore(res.reshape(kept)).astype(rdtype, copy=False)
