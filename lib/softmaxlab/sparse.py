"""Sparse relatives of softmax: sparsemax, 1.5-entmax and the alpha-entmax family.

Softmax gives every class some probability. *Sparsemax* (Martins and Astudillo,
2016) is the Euclidean projection of the scores onto the probability simplex,

    sparsemax(z) = argmin_{p in simplex} ||p - z||^2 = max(z - tau, 0),

with the threshold ``tau`` chosen so the result sums to 1: every class whose
score is at or below ``tau`` gets *exactly* zero. *alpha-entmax*
(Peters, Niculae and Martins, 2019) interpolates between the two:

    entmax_alpha(z)_i = max((alpha - 1) z_i - tau, 0) ** (1 / (alpha - 1)),

which is softmax in the limit ``alpha -> 1`` and sparsemax at ``alpha = 2``;
``alpha = 1.5`` is sparse yet smoother than sparsemax. For sparsemax and
1.5-entmax the threshold has an exact closed form once the scores are sorted
(:func:`sparsemax`, :func:`entmax15`); :func:`entmax_bisect` finds it for any
``alpha`` by bisection and serves as the reference.

Both maps are differentiable almost everywhere, with the Jacobian
``diag(s) - s s^T / sum(s)`` where ``s = p ** (2 - alpha)`` on the support and 0
off it (``s`` is the support indicator for sparsemax, ``sqrt(p)`` for
1.5-entmax, and ``p`` itself for softmax, giving ``diag(p) - p p^T``).

Special values follow :func:`softmaxlab.softmax`: ``-inf`` scores get 0; if the
largest score is ``+inf`` the ``+inf`` entries share the mass equally; a slice
of all ``-inf`` or containing nan gives nan; an empty axis gives an empty result.
The thresholds behave like :func:`softmaxlab.logsumexp`, the normaliser they
generalise: ``+inf`` if the largest score is ``+inf``, ``-inf`` for a slice of
all ``-inf`` or an empty one, nan for a slice holding nan.

Every function computes in float64 whatever the input's dtype (the threshold is
a sum of up to ``n`` terms, which float32 cannot hold accurately for long
slices) and returns the input's float dtype (float16, float32, float64 or long
double; integers give float64). The work is done in blocks of whole slices of
about ``softmaxlab.core.BLOCK_BYTES`` (1 MiB), so the memory used beyond the
result is a few blocks, not a multiple of the input; only an input that is
neither C- nor Fortran-ordered is first copied.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike

from softmaxlab._validation import (
    as_real_array,
    check_axis,
    check_int,
    check_real,
    check_same_shape,
    flatten_if_axis_none,
    result_dtype,
    scalar_if_0d,
)
from softmaxlab.core import BLOCK_BYTES, softmax

__all__ = [
    "sparsemax",
    "sparsemax_threshold",
    "sparsemax_jacobian",
    "sparsemax_jvp",
    "entmax15",
    "entmax15_threshold",
    "entmax15_jacobian",
    "entmax15_jvp",
    "entmax_bisect",
]

#: Elements of float64 work per block of slices (1 MiB).
_BLOCK = BLOCK_BYTES // 8


# ---------------------------------------------------------------------------------------------
# Layout: an array seen as (P, n, Q) slices along one axis, visited in blocks of whole slices.
# (Also used by softmaxlab.online.)


class _Slices:
    """``arr`` viewed, without copying when it is C- or Fortran-ordered, as ``(P, n, Q)``.

    The slices are ``view[p, :, q]``. ``axis=None`` means one slice of every
    entry (in C order, or in Fortran order for a Fortran-ordered array: the
    order of a copy-free flat view; results are put back in place either way).
    """

    def __init__(self, arr: np.ndarray, axis: int | None):
        self.flat = axis is None
        self.ax = None if axis is None else check_axis(axis, arr.ndim)
        if axis is None:
            self.transposed = arr.ndim > 1 and arr.flags.f_contiguous and not arr.flags.c_contiguous
            base = arr.T if self.transposed else arr
            self.base_shape = base.shape
            src, sax = base.reshape(-1), 0  # a copy only for a non-contiguous array
        else:
            ax = self.ax
            if arr.flags.c_contiguous:
                src, sax, self.transposed = arr, ax, False
            elif arr.flags.f_contiguous:
                src, sax, self.transposed = arr.T, arr.ndim - 1 - ax, True
            else:
                src, sax, self.transposed = np.ascontiguousarray(arr), ax, False
        self.src_shape, self.sax = src.shape, sax
        self.n = src.shape[sax]
        self.p, self.q = math.prod(src.shape[:sax]), math.prod(src.shape[sax + 1 :])
        self.view = src.reshape(self.p, self.n, self.q)

    @property
    def count(self) -> int:
        """Number of slices."""
        return self.p * self.q

    def like(self, other: np.ndarray) -> np.ndarray:
        """``other`` (of ``arr``'s shape) as a ``(P, n, Q)`` view whose slices match ``view``'s."""
        if self.flat:
            base = other.T if self.transposed else other
            return base.reshape(self.p, self.n, self.q)
        src = np.ascontiguousarray(other.T if self.transposed else other)
        return src.reshape(self.p, self.n, self.q)

    def blocks(self, elements: int = _BLOCK):
        """Index tuples into ``view`` of blocks of whole slices of about ``elements`` entries."""
        step = max(1, elements // max(self.n, 1))
        if self.q == 1:
            for p0 in range(0, self.p, step):
                yield (slice(p0, p0 + step), slice(None), 0)
        else:
            for p in range(self.p):
                for q0 in range(0, self.q, step):
                    yield (p, slice(None), slice(q0, q0 + step))

    @staticmethod
    def rows(view: np.ndarray, index: tuple) -> np.ndarray:
        """The slices of block ``index`` of a ``(P, n, Q)`` view as the rows of an ``(r, n)`` array."""
        block = view[index]
        return block if isinstance(index[2], int) else block.T

    @staticmethod
    def store(view: np.ndarray, index: tuple, rows: np.ndarray) -> None:
        """Write ``(r, n)`` rows into block ``index`` of a ``(P, n, Q)`` view (casting to its dtype)."""
        view[index] = rows if isinstance(index[2], int) else rows.T

    @staticmethod
    def reduced(index: tuple) -> tuple:
        """Index of block ``index`` into the ``(P, Q)`` array of per-slice results."""
        return index[0], index[2]

    def new_map(self, dtype) -> tuple[np.ndarray, np.ndarray]:
        """An output of the source's layout, and its ``(P, n, Q)`` view."""
        out = np.empty(self.src_shape, dtype=dtype)
        return out, out.reshape(self.p, self.n, self.q)

    def finish_map(self, out: np.ndarray) -> np.ndarray:
        """The output back in ``arr``'s shape and place."""
        if self.flat:
            out = out.reshape(self.base_shape)
        return out.T if self.transposed else out

    def finish_reduction(self, res: np.ndarray) -> np.ndarray:
        """Per-slice results ``(P, Q)`` in the shape of ``arr`` without the axis."""
        shape = tuple(d for i, d in enumerate(self.src_shape) if i != self.sax)
        res = res.reshape(shape)
        return res.T if self.transposed else res


def _special_rows(rows: np.ndarray, finite_rows: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """Apply ``finite_rows`` (float64, each row shifted to maximum 0) to the rows with a finite
    maximum and give the rest the special values: ``+inf`` entries share the mass, nan otherwise."""
    x = np.asarray(rows, dtype=np.float64)
    m = x.max(axis=1)  # nan if the row holds a nan
    ok = np.isfinite(m)
    with np.errstate(over="ignore"):  # x - m beyond the float range: -inf, whose weight is the right 0
        if ok.all():
            return finite_rows(x - m[:, None])
        out = np.empty(x.shape)
        if ok.any():
            out[ok] = finite_rows(x[ok] - m[ok, None])
    top = m == np.inf
    if top.any():
        at_inf = x[top] == np.inf
        out[top] = at_inf / at_inf.sum(axis=1, keepdims=True)
    out[~ok & ~top] = np.nan  # all -inf, or nan present
    return out


def _map(x: ArrayLike, axis: int | None, finite_rows, dtype=None) -> np.ndarray:
    """A map along ``axis`` computed block by block; ``dtype`` overrides the result dtype."""
    arr = as_real_array(x, "x")
    layout = _Slices(arr, axis)
    out, view = layout.new_map(result_dtype(arr.dtype) if dtype is None else dtype)
    if out.size:
        for index in layout.blocks():
            layout.store(view, index, _special_rows(layout.rows(layout.view, index), finite_rows))
    return layout.finish_map(out)


def _threshold(x: ArrayLike, axis: int | None, tau_rows, scale: float):
    """``tau_rows(z) + scale * max`` for every slice, with the logsumexp-like special values."""
    arr = as_real_array(x, "x")
    layout = _Slices(arr, axis)
    res = np.empty((layout.p, layout.q))
    if layout.n == 0:
        res.fill(-np.inf)  # as logsumexp: no entry carries mass
    elif res.size:
        for index in layout.blocks():
            rows = np.asarray(layout.rows(layout.view, index), dtype=np.float64)
            m = rows.max(axis=1)
            ok = np.isfinite(m)
            tau = m.copy()  # +inf, -inf (all -inf) and nan are their own thresholds
            if ok.any():
                with np.errstate(over="ignore"):
                    z = rows - m[:, None] if ok.all() else rows[ok] - m[ok, None]
                tau[ok] = tau_rows(z) + scale * m[ok]
            res[layout.reduced(index)] = tau
    return scalar_if_0d(layout.finish_reduction(res).astype(result_dtype(arr.dtype), copy=False))


def _sorted_desc(z: np.ndarray) -> np.ndarray:
    return np.sort(z, axis=1)[:, ::-1]


def _last_true(mask: np.ndarray) -> np.ndarray:
    """1-based index of the last True in each row (``mask[:, 0]`` is always True here)."""
    n = mask.shape[1]
    return n - np.argmax(mask[:, ::-1], axis=1)


def _top(zs: np.ndarray, size: np.ndarray) -> np.ndarray:
    """Mask of the first ``size`` entries of each row."""
    return np.arange(zs.shape[1]) < size[:, None]


# ---------------------------------------------------------------------------------------------
# Sparsemax


def _sparsemax_tau(z: np.ndarray) -> np.ndarray:
    """Threshold of each row of ``z`` (float64, maximum 0, entries may be ``-inf``), shape ``(r,)``.

    The support size comes from the sorted cumulative sums; the threshold is then
    summed again over the support alone with numpy's pairwise summation, whose
    error does not grow with the support's length as a running sum's does.
    """
    zs = _sorted_desc(z)
    k = np.arange(1, z.shape[1] + 1, dtype=np.float64)
    with np.errstate(over="ignore", invalid="ignore"):  # sums of entries near -1e308
        # k is in the support iff z_(k) > (sum_{j<=k} z_(j) - 1) / k
        size = _last_true(1 + k * zs > np.cumsum(zs, axis=1))
    return (np.where(_top(zs, size), zs, 0.0).sum(axis=1) - 1) / size


def _sparsemax_rows(z: np.ndarray) -> np.ndarray:
    return np.maximum(z - _sparsemax_tau(z)[:, None], 0)


def sparsemax_threshold(x: ArrayLike, axis: int | None = -1) -> np.ndarray | np.floating:
    r"""The threshold ``tau(x)`` of sparsemax: ``sparsemax(x) = max(x - tau, 0)``.

    With the scores sorted decreasingly, ``z_(1) >= z_(2) >= ...``, the support
    size is ``k* = max{k : 1 + k z_(k) > z_(1) + ... + z_(k)}`` and
    ``tau = (z_(1) + ... + z_(k*) - 1) / k*``.

    Parameters
    ----------
    x : array_like
        Real scores. Computed in float64; returned in ``x``'s float dtype
        (integers give float64).
    axis : int or None, optional
        The axis of each distribution (default: the last); ``None`` for all of ``x``.

    Returns
    -------
    ndarray or numpy scalar
        ``x``'s shape without ``axis`` (a numpy scalar for a 1-D input or
        ``axis=None``). Like :func:`softmaxlab.logsumexp`, the normaliser it
        generalises: ``+inf`` where the largest score is ``+inf``, ``-inf`` for
        a slice of all ``-inf`` or an empty axis, nan for a slice holding nan.
        Always in ``[max(x) - 1, max(x))``.

    Raises
    ------
    TypeError
        If ``x`` is not a real numeric array-like or ``axis`` is not an int or None.
    numpy.exceptions.AxisError
        If ``axis`` is out of range.

    Examples
    --------
    >>> import numpy as np
    >>> float(sparsemax_threshold([2.0, 1.0, -1.0]))    # support {2}: tau = 2 - 1, where the 1.0 sits
    1.0
    >>> sparsemax_threshold([[0.0, 0.0], [3.0, 0.0]])
    array([-0.5,  2. ])
    >>> sparsemax_threshold([[np.inf, 0.0], [-np.inf, -np.inf], [np.nan, 0.0]])
    array([ inf, -inf,  nan])
    >>> float(sparsemax_threshold(np.zeros(0)))
    -inf
    """
    return _threshold(x, axis, _sparsemax_tau, 1.0)


def sparsemax(x: ArrayLike, axis: int | None = -1) -> np.ndarray:
    r"""Sparsemax: the Euclidean projection of ``x`` onto the probability simplex.

    ``sparsemax(x) = argmin_{p >= 0, sum p = 1} ||p - x||^2 = max(x - tau(x), 0)``
    (Martins and Astudillo, 2016), computed by sorting, ``O(n log n)`` per slice.

    Parameters
    ----------
    x : array_like
        Real scores. Computed in float64; returned in ``x``'s float dtype
        (float16, float32, float64 or long double; integers give float64).
    axis : int or None, optional
        The axis along which the output sums to 1 (default: the last);
        ``None`` treats the whole array as one distribution.

    Returns
    -------
    ndarray
        Same shape as ``x``: non-negative, summing to 1 along ``axis``, and
        *exactly* 0 for every score at or below the threshold
        :func:`sparsemax_threshold`. ``-inf`` scores get 0; where the largest
        score is ``+inf`` the ``+inf`` entries share the mass equally; a slice
        of all ``-inf`` or holding nan is nan; an empty ``x`` gives an empty
        result. No finite input overflows (differences beyond the float range
        count as ``-inf``).

    Raises
    ------
    TypeError
        If ``x`` is not a real numeric array-like or ``axis`` is not an int or None.
    numpy.exceptions.AxisError
        If ``axis`` is out of range.

    Notes
    -----
    Shift invariant like softmax, but not scale invariant in the same way:
    ``sparsemax(x / T)`` is exactly one-hot for every ``T`` up to the gap
    between the two largest scores (not only in the limit ``T -> 0``), has
    full support once every score is above ``mean(x) - T / n``, and tends to
    uniform as ``T -> inf``.

    Examples
    --------
    >>> import numpy as np
    >>> sparsemax([2.0, 1.0, -1.0])
    array([1., 0., 0.])
    >>> sparsemax([0.5, 0.2, -1.0])
    array([0.65, 0.35, 0.  ])
    >>> sparsemax([[0.0, 0.0, 0.0], [0.0, -np.inf, np.inf]])
    array([[0.33333333, 0.33333333, 0.33333333],
           [0.        , 0.        , 1.        ]])
    >>> sparsemax([[np.nan, 0.0], [-np.inf, -np.inf]])
    array([[nan, nan],
           [nan, nan]])
    >>> sparsemax(np.array([1.0, 0.5], dtype=np.float32))
    array([0.75, 0.25], dtype=float32)
    """
    return scalar_if_0d(_map(x, axis, _sparsemax_rows))


def _support_weights(p: np.ndarray, power: float) -> np.ndarray:
    return np.where(p > 0, p**power if power else 1.0, 0.0)


def _jacobian(finite_rows, power: float, x: ArrayLike, axis: int | None) -> np.ndarray:
    """``diag(s) - s s^T / sum(s)`` for every slice, ``s`` the support weights, written block by block."""
    arr = as_real_array(x, "x")
    p = _map(arr, axis, finite_rows, dtype=np.float64)
    moved = np.moveaxis(*flatten_if_axis_none(p, axis), -1)
    n = moved.shape[-1]
    out = np.empty(moved.shape + (n,), dtype=result_dtype(arr.dtype))
    if out.size == 0:
        return out
    s = _support_weights(moved.reshape(-1, n), power)
    total = s.sum(axis=1)
    flat = out.reshape(-1, n, n)
    rows = max(1, _BLOCK // n)  # rows of the matrices per block
    with np.errstate(invalid="ignore", divide="ignore"):  # a nan slice has s = 0: 0 / 0 = nan
        for r0 in range(0, len(s), max(1, rows // n)):
            for i0 in range(0, n, rows):
                sb, i1 = s[r0 : r0 + max(1, rows // n)], min(n, i0 + rows)
                jac = sb[:, i0:i1, None] * sb[:, None, :] / total[r0 : r0 + len(sb), None, None]
                np.subtract(0.0, jac, out=jac)  # 0 - 0 is +0 off the support (-0 would print as "-0.")
                jac[:, np.arange(i1 - i0), np.arange(i0, i1)] += sb[:, i0:i1]
                flat[r0 : r0 + len(sb), i0:i1] = jac
    return out


def _jvp_rows(s: np.ndarray, v: np.ndarray) -> np.ndarray:
    """``(diag(s) - s s^T / sum(s)) v = s (v - c)`` for each row, ``c = (s . v) / sum(s)``.

    Rows where ``s . v`` overflows are redone with ``v`` scaled by a power of 2
    (exactly), and rows where ``v - c`` overflows as ``s v - s c``, so a finite
    ``v`` overflows only where the exact result does. Rows where ``v`` is not
    finite are nan.
    """
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        total = s.sum(axis=1, keepdims=True)
        c = (s * v).sum(axis=1, keepdims=True) / total
        out = s * (v - c)
        finite_v = np.isfinite(v).all(axis=1)
        redo = finite_v & ~np.isfinite(out).all(axis=1) & (total[:, 0] > 0)
        if redo.any():
            sr, vr = s[redo], v[redo]
            e = np.frexp(np.abs(vr).max(axis=1, keepdims=True))[1]
            c[redo] = np.ldexp((sr * np.ldexp(vr, -e)).sum(axis=1, keepdims=True) / total[redo], e)
            out[redo] = sr * vr - sr * c[redo]
    if not finite_v.all():
        out[~finite_v] = np.nan
    return out


def _jvp(finite_rows, power: float, x: ArrayLike, v: ArrayLike, axis: int | None):
    arr = as_real_array(x, "x")
    vv = as_real_array(v, "v")
    check_same_shape(arr, vv, "x", "v")
    layout = _Slices(arr, axis)
    v_view = layout.like(vv)
    out, view = layout.new_map(np.result_type(result_dtype(arr.dtype), result_dtype(vv.dtype)))
    if out.size:
        for index in layout.blocks():
            p = _special_rows(layout.rows(layout.view, index), finite_rows)
            vb = np.asarray(layout.rows(v_view, index), dtype=np.float64)
            layout.store(view, index, _jvp_rows(_support_weights(p, power), vb))
    return scalar_if_0d(layout.finish_map(out))


def sparsemax_jacobian(x: ArrayLike, axis: int | None = -1) -> np.ndarray:
    r"""The Jacobian of :func:`sparsemax`: ``J = diag(s) - s s^T / |S|``, with ``s`` the support indicator.

    ``S = {i : sparsemax(x)_i > 0}``. Inside the support the output moves one
    for one with the input minus the support's mean; outside it does not move
    at all. ``J`` is symmetric, so it is also the vector-Jacobian product
    matrix. It is undefined on the measure-zero set where a score sits exactly
    at the threshold; there the one-sided Jacobian that treats it as outside
    the support is returned.

    Parameters
    ----------
    x : array_like
        Real scores. Computed in float64, returned in ``x``'s float dtype.
    axis : int or None, optional
        The axis of each distribution (default: the last); ``None`` for one
        distribution over all entries of ``x`` (in C order).

    Returns
    -------
    ndarray, shape (..., n, n)
        One ``n x n`` matrix per slice; the leading axes are ``x``'s other
        axes in order. ``J[..., i, j] = d sparsemax_i / d x_j``.
        An empty ``x`` gives an empty result. A slice where sparsemax is nan
        (all ``-inf``, or holding nan) gives nan; a slice whose largest score
        is ``+inf`` gives the Jacobian at the tie of its ``+inf`` entries.

    Raises
    ------
    TypeError, numpy.exceptions.AxisError
        For bad ``x`` or ``axis``, as in :func:`sparsemax`.

    Examples
    --------
    >>> sparsemax_jacobian([0.5, 0.2, -1.0])
    array([[ 0.5, -0.5,  0. ],
           [-0.5,  0.5,  0. ],
           [ 0. ,  0. ,  0. ]])
    >>> sparsemax_jacobian([[0.0, 1.0], [0.0, 0.0]], axis=None).shape   # one distribution of 4
    (4, 4)
    """
    return _jacobian(_sparsemax_rows, 0.0, x, axis)


def sparsemax_jvp(x: ArrayLike, v: ArrayLike, axis: int | None = -1) -> np.ndarray:
    r"""The Jacobian-vector product ``J v`` of :func:`sparsemax` at ``x``, in ``O(n)`` without forming ``J``.

    ``(J v)_i = v_i - mean_{j in S} v_j`` for ``i`` in the support ``S``, and 0
    outside it. As ``J`` is symmetric this is also the vector-Jacobian product
    (the backward pass).

    Parameters
    ----------
    x : array_like
        Real scores.
    v : array_like
        A tangent (or upstream gradient) of the same shape as ``x``.
    axis : int or None, optional
        The axis of each distribution (default: the last); ``None`` for one
        distribution over all entries (``v`` still has ``x``'s shape).

    Returns
    -------
    ndarray
        Same shape as ``x``, in the promoted float dtype of ``x`` and ``v``
        (computed in float64). A slice where sparsemax is nan, or where ``v``
        holds nan or ``+-inf`` (``0 * inf`` is undefined), gives nan. The
        support's mean of ``v`` is formed as a weighted mean, so no finite
        ``v`` overflows unless the exact result does.

    Raises
    ------
    TypeError
        If ``x`` or ``v`` is not a real numeric array-like, or ``axis`` is not an int or None.
    ValueError
        If ``v``'s shape is not ``x``'s.
    numpy.exceptions.AxisError
        If ``axis`` is out of range.

    Examples
    --------
    >>> import numpy as np
    >>> sparsemax_jvp([0.5, 0.2, -1.0], [1.0, 0.0, 5.0])
    array([ 0.5, -0.5,  0. ])
    >>> sparsemax_jvp(np.zeros((2, 3)), np.ones((2, 3)), axis=None)   # J 1 = 0
    array([[0., 0., 0.],
           [0., 0., 0.]])
    """
    return _jvp(_sparsemax_rows, 0.0, x, v, axis)


# ---------------------------------------------------------------------------------------------
# 1.5-entmax


def _entmax15_tau(z: np.ndarray) -> np.ndarray:
    """Threshold of each row of ``z / 2`` (float64, maximum 0, entries may be ``-inf``), shape ``(r,)``.

    The support size comes from running sums over the sorted scores; the mean
    and the sum of squared deviations of the support are then computed again
    from the support alone, in two passes with pairwise summation (no
    cancellation, and an error that does not grow with the support's length).
    """
    us = _sorted_desc(z / 2)
    k = np.arange(1, z.shape[1] + 1, dtype=np.float64)
    with np.errstate(over="ignore", invalid="ignore"):  # squares of -5e307, inf - inf after -inf entries
        mean = np.cumsum(us, axis=1) / k
        ss = k * (np.cumsum(us * us, axis=1) / k - mean * mean)  # sum of squared deviations of the top k
        tau = mean - np.sqrt(np.maximum((1 - ss) / k, 0))  # root of sum_{j<=k} (u_(j) - tau)^2 = 1 below the mean
        size = _last_true(tau <= us)
    top = _top(us, size)
    mean = np.where(top, us, 0.0).sum(axis=1) / size
    dev = np.where(top, us - mean[:, None], 0.0)
    ss = np.einsum("ij,ij->i", dev, dev)
    return mean - np.sqrt(np.maximum((1 - ss) / size, 0))


def _entmax15_rows(z: np.ndarray) -> np.ndarray:
    return np.maximum(z / 2 - _entmax15_tau(z)[:, None], 0) ** 2


def entmax15_threshold(x: ArrayLike, axis: int | None = -1) -> np.ndarray | np.floating:
    r"""The threshold ``tau(x)`` of 1.5-entmax: ``entmax15(x) = max(x / 2 - tau, 0) ** 2``.

    With ``u = x / 2`` sorted decreasingly, the support is the largest ``k``
    for which the smaller root ``tau_k = mean_k - sqrt((1 - ss_k) / k)`` of
    ``sum_{j<=k} (u_(j) - tau)^2 = 1`` (``mean_k``, ``ss_k``: mean and sum of
    squared deviations of the top ``k``) satisfies ``tau_k <= u_(k)``
    (Peters, Niculae and Martins, 2019).

    Parameters
    ----------
    x : array_like
        Real scores. Computed in float64; returned in ``x``'s float dtype.
    axis : int or None, optional
        The axis of each distribution (default: the last); ``None`` for all of ``x``.

    Returns
    -------
    ndarray or numpy scalar
        ``x``'s shape without ``axis`` (a numpy scalar for a 1-D input or
        ``axis=None``), in ``[max(x) / 2 - 1, max(x) / 2)``; ``+inf`` where the
        largest score is ``+inf``, ``-inf`` for a slice of all ``-inf`` or an
        empty axis, nan for a slice holding nan (as :func:`sparsemax_threshold`).

    Raises
    ------
    TypeError, numpy.exceptions.AxisError
        For bad ``x`` or ``axis``, as in :func:`sparsemax`.

    Examples
    --------
    >>> import numpy as np
    >>> float(entmax15_threshold([4.0, 0.0]))   # only the first survives: (2 - tau)^2 = 1
    1.0
    >>> entmax15_threshold([[0.0, 0.0], [np.inf, 1.0]])
    array([-0.70710678,         inf])
    """
    return _threshold(x, axis, _entmax15_tau, 0.5)


def entmax15(x: ArrayLike, axis: int | None = -1) -> np.ndarray:
    r"""1.5-entmax: ``max(x / 2 - tau, 0) ** 2`` with the exact sort-based threshold.

    The ``alpha = 1.5`` member of the entmax family (Peters, Niculae and
    Martins, 2019): the maximiser of ``p . x + H_1.5(p)`` over the simplex,
    with the Tsallis entropy ``H_1.5(p) = (1 - sum p^1.5) / 0.75``. Sparse like
    sparsemax, but the probabilities leave 0 quadratically, not linearly, as
    a score crosses the threshold.

    Parameters
    ----------
    x : array_like
        Real scores. Computed in float64 (so float32 and float16 results are the
        float64 ones rounded); returned in ``x``'s float dtype (integers give float64).
    axis : int or None, optional
        The axis along which the output sums to 1 (default: the last);
        ``None`` treats the whole array as one distribution.

    Returns
    -------
    ndarray
        Same shape as ``x``: non-negative, summing to 1 along ``axis``,
        exactly 0 for scores at or below ``2 tau``. Special values as in
        :func:`sparsemax`: ``-inf`` gives 0, ``+inf`` entries share the mass,
        a slice of all ``-inf`` or holding nan is nan, an empty ``x`` gives an
        empty result.

    Raises
    ------
    TypeError, numpy.exceptions.AxisError
        For bad ``x`` or ``axis``, as in :func:`sparsemax`.

    Examples
    --------
    >>> import numpy as np
    >>> entmax15([4.0, 0.0])
    array([1., 0.])
    >>> np.round(entmax15([1.0, 0.5, -3.0]), 6)
    array([0.673993, 0.326007, 0.      ])
    >>> entmax15([0.0, 0.0])
    array([0.5, 0.5])
    >>> entmax15([[0.0, -np.inf, np.inf], [np.nan, 0.0, 1.0]])
    array([[ 0.,  0.,  1.],
           [nan, nan, nan]])
    """
    return scalar_if_0d(_map(x, axis, _entmax15_rows))


def entmax15_jacobian(x: ArrayLike, axis: int | None = -1) -> np.ndarray:
    r"""The Jacobian of :func:`entmax15`: ``diag(s) - s s^T / sum(s)`` with ``s = sqrt(p)`` on the support.

    Parameters
    ----------
    x : array_like
        Real scores. Computed in float64, returned in ``x``'s float dtype.
    axis : int or None, optional
        The axis of each distribution (default: the last); ``None`` for one
        distribution over all entries of ``x`` (in C order).

    Returns
    -------
    ndarray, shape (..., n, n)
        One symmetric ``n x n`` matrix per slice; ``J[..., i, j] = d p_i / d x_j``.
        Special values as in :func:`sparsemax_jacobian`.

    Raises
    ------
    TypeError, numpy.exceptions.AxisError
        For bad ``x`` or ``axis``, as in :func:`sparsemax`.

    Examples
    --------
    >>> import numpy as np
    >>> np.round(entmax15_jacobian([0.0, 0.0, -5.0]), 6)
    array([[ 0.353553, -0.353553,  0.      ],
           [-0.353553,  0.353553,  0.      ],
           [ 0.      ,  0.      ,  0.      ]])
    """
    return _jacobian(_entmax15_rows, 0.5, x, axis)


def entmax15_jvp(x: ArrayLike, v: ArrayLike, axis: int | None = -1) -> np.ndarray:
    r"""The Jacobian-vector product of :func:`entmax15` at ``x``, in ``O(n)``: ``s * (v - (s . v) / sum(s))``.

    ``s = sqrt(entmax15(x))``; the Jacobian is symmetric, so this is also the
    backward pass.

    Parameters
    ----------
    x : array_like
        Real scores.
    v : array_like
        Same shape as ``x``.
    axis : int or None, optional
        The axis of each distribution (default: the last); ``None`` for one
        distribution over all entries (``v`` still has ``x``'s shape).

    Returns
    -------
    ndarray
        Same shape as ``x``; dtype, special values and errors as in :func:`sparsemax_jvp`.

    Raises
    ------
    TypeError, ValueError, numpy.exceptions.AxisError
        As in :func:`sparsemax_jvp`.

    Examples
    --------
    >>> import numpy as np
    >>> x, v = np.array([1.0, 0.5, -3.0]), np.array([1.0, 2.0, 3.0])
    >>> bool(np.allclose(entmax15_jvp(x, v), entmax15_jacobian(x) @ v))
    True
    >>> entmax15_jvp(x, [1.0, np.inf, 0.0])
    array([nan, nan, nan])
    """
    return _jvp(_entmax15_rows, 0.5, x, v, axis)


# ---------------------------------------------------------------------------------------------
# alpha-entmax by bisection

#: Bisection steps allowed: each halves the bracket, and after about 1100 halvings no float64
#: bracket can shrink further (the loop also stops as soon as no bracket changes).
_MAX_ITER = 2000


def _entmax_terms(z: np.ndarray, lam: np.ndarray, eps: float) -> np.ndarray:
    """``max(1 + eps (z - lam), 0) ** (1 / eps)`` as ``exp(log1p(eps (z - lam)) / eps)``."""
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        t = eps * (z - lam)
        np.maximum(t, -1.0, out=t)
        np.log1p(t, out=t)
        t /= eps
        return np.exp(t, out=t)


def entmax_bisect(x: ArrayLike, alpha: float = 1.5, axis: int | None = -1, *, n_iter: int = 100) -> np.ndarray:
    r"""alpha-entmax for any ``alpha >= 1``, with the threshold found by bisection.

    ``p_i = max((alpha - 1) x_i - tau, 0) ** (1 / (alpha - 1))``, where ``tau``
    solves ``sum_i p_i = 1``. With ``eps = alpha - 1``, ``z = x - max x`` and
    ``tau = eps * lam - 1`` this is ``p_i = max(1 + eps (z_i - lam), 0) ** (1 / eps)``,
    computed as ``exp(log1p(eps (z_i - lam)) / eps)``, accurate even for
    ``alpha`` close to 1 (where the power form loses ``1 / eps`` of its
    accuracy). The sum decreases in ``lam``, whose root lies in
    ``[0, (1 - n ** -eps) / eps]`` (below ``log n``); ``n_iter`` halvings in
    float64 pin it to rounding (the loop stops early once the brackets stop
    shrinking), then ``p`` is divided by its sum. ``alpha = 1`` is softmax,
    ``alpha = 2`` is sparsemax, ``alpha = 1.5`` is :func:`entmax15`: this is
    the slow, general reference for those closed forms.

    Parameters
    ----------
    x : array_like
        Real scores. Computed in float64, returned in ``x``'s float dtype.
    alpha : float, optional
        ``alpha >= 1`` (default 1.5), finite. Values just above 1 approach
        softmax; very large values approach the argmax (shared equally by tied
        maxima).
    axis : int or None, optional
        The axis along which the output sums to 1 (default: the last);
        ``None`` treats the whole array as one distribution.
    n_iter : int, optional
        Number of bisection steps, 1 to 2000 (default 100; 60 already reach
        float64 rounding unless the threshold is near 0).

    Returns
    -------
    ndarray
        Same shape, dtype rules and special values as :func:`sparsemax`.
        ``alpha = 1`` returns :func:`softmaxlab.softmax` itself.

    Raises
    ------
    TypeError
        If ``x`` is not a real numeric array-like, ``alpha`` is not a real
        number, ``n_iter`` is not an integer, or ``axis`` is not an int or None.
    ValueError
        If ``alpha`` is below 1 or not finite, or ``n_iter`` is outside 1 to 2000.
    numpy.exceptions.AxisError
        If ``axis`` is out of range.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([1.0, 0.5, -3.0])
    >>> bool(np.allclose(entmax_bisect(x, 2.0), sparsemax(x)))
    True
    >>> bool(np.allclose(entmax_bisect(x, 1.5), entmax15(x)))
    True
    >>> bool(np.allclose(entmax_bisect(x, 1.0), np.exp(x) / np.exp(x).sum()))
    True
    >>> bool(np.allclose(entmax_bisect(x, 1 + 1e-12), np.exp(x) / np.exp(x).sum()))
    True
    """
    alpha = check_real(alpha, "alpha", minimum=1.0)
    n_iter = check_int(n_iter, "n_iter", minimum=1, maximum=_MAX_ITER)
    if alpha == 1.0:
        return scalar_if_0d(softmax(x, axis=axis))
    eps = alpha - 1.0

    def rows(z):
        r, n = z.shape
        lo = np.zeros((r, 1))
        hi = np.full((r, 1), -math.expm1(-eps * math.log(n)) / eps if n > 1 else 0.0)  # the root for n ties
        for _ in range(n_iter):
            mid = (lo + hi) / 2
            too_low = _entmax_terms(z, mid, eps).sum(axis=1, keepdims=True) >= 1  # lam must move up
            new_lo, new_hi = np.where(too_low, mid, lo), np.where(too_low, hi, mid)
            if np.array_equal(new_lo, lo) and np.array_equal(new_hi, hi):
                break
            lo, hi = new_lo, new_hi
        p = _entmax_terms(z, (lo + hi) / 2, eps)
        total = p.sum(axis=1, keepdims=True)
        gone = total[:, 0] == 0  # alpha so large that (1/k) ** eps underflows: the tie of the maxima
        if gone.any():
            p[gone] = z[gone] == 0
            total[gone] = p[gone].sum(axis=1, keepdims=True)
        return p / total

    return scalar_if_0d(_map(x, axis, rows))
