"""softmax, log_softmax and logsumexp, computed the accurate way.

All three share one algorithm, the shifted one recommended by Blanchard, Higham
and Higham (2021, "Accurately computing the log-sum-exp and softmax functions",
IMA J. Numer. Anal. 41(4)), and written out plainly in
``_shifted_algorithm`` below:

1. find the maximum ``m`` of each slice and the index ``k`` where it sits;
2. form ``d_j = (x_j - m) / T``, so every ``d_j <= 0`` and ``d_k = 0``;
3. sum the exponentials of the *other* entries, ``s = sum_{j != k} exp(d_j)``.

Then ``logsumexp = m + T * log1p(s)``, ``softmax_j = exp(d_j) / (1 + s)`` and
``log_softmax_j = d_j - log1p(s)``. Keeping the dominant term ``exp(d_k) = 1``
out of ``s`` is what lets ``log1p`` return tiny results (log-probabilities near
0, a logsumexp near 0) to full relative accuracy, where ``log(1 + s)`` would
round ``1 + s`` to 1 and return 0; adding the 1 to an accurate ``s`` at the end
also makes ``1 + s`` more accurate than a plain sum of all the ``exp(d_j)``.
``s`` is summed in float64 even for float32 input, because numpy's SIMD
float32 ``exp`` already uses most of a 4-ulp error budget.

The public functions compute exactly this, faster: the routes in
``softmaxlab._kernels`` work a cache-sized block at a time, write straight into
the output, find the rare slices that need more (an infinite maximum, nan, a
sum of subnormal terms) from ``s`` and redo only those, and let logsumexp skip
the shift where the plain ``T log sum_j exp(x_j / T)`` is as accurate. Memory:
the output plus one block of scratch (``BLOCK_BYTES``; one slice of at most
``LONG_SLICE_BYTES`` when a slice is longer than a block).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from softmaxlab import _kernels
from softmaxlab._validation import (
    as_real_array,
    check_axis,
    check_bool,
    check_temperature,
    result_dtype,
    working_dtype,
)

__all__ = ["log_softmax", "logsumexp", "softmax"]

#: Size in bytes of the blocks the work is split into (1 MiB): the size of a
#: typical L2 cache, large enough that numpy's per-call overhead is small per
#: element. Other modules that work in blocks use it too.
BLOCK_BYTES = _kernels.BLOCK_BYTES

#: Slices up to this size in bytes (4 MiB) are done one per block; longer ones
#: are done in chunks of a block, in three passes (maximum, sum, output).
LONG_SLICE_BYTES = _kernels.LONG_SLICE_BYTES


def _shifted_algorithm(x: np.ndarray, axis: int = -1, temperature: float = 1.0):
    """softmax, log_softmax and logsumexp of a float32 or float64 array ``x`` along ``axis``.

    The algorithm of the module docstring, for finite ``x``, one numpy call a
    step. The public functions give the same numbers (tests/test_core.py
    compares them on many shapes and dtypes), faster, in less memory, and with
    the IEEE special values handled.
    """
    m = np.max(x, axis=axis, keepdims=True)  # 1. the maximum of each slice ...
    k = np.argmax(x, axis=axis, keepdims=True)  # ... and where it sits
    d = (x - m) / temperature  # 2. every d_j <= 0, and d_k = 0
    e = np.exp(d)
    np.put_along_axis(e, k, 0.0, axis=axis)  # 3. s leaves out exp(d_k) = 1 ...
    s = np.sum(e, axis=axis, keepdims=True, dtype=np.float64)  # ... and is summed in float64
    np.put_along_axis(e, k, 1.0, axis=axis)
    softmax = e / (1 + s).astype(x.dtype)  # exp(d_j) / (1 + s)
    log_softmax = d - np.log1p(s).astype(x.dtype)  # log1p: accurate when s is tiny
    logsumexp = (m + temperature * np.log1p(s)).astype(x.dtype)  # computed in float64, rounded once
    return softmax, log_softmax, logsumexp


class _Prepared(NamedTuple):
    """A validated call: the input array, the caller's axis (normalised), T, and the dtypes."""

    arr: np.ndarray
    axis: int | None
    temperature: float
    working: np.dtype  #: the dtype the arithmetic runs in
    result: np.dtype  #: the dtype returned


#: (working dtype, result dtype) of each input dtype met so far.
_DTYPES: dict[np.dtype, tuple[np.dtype, np.dtype]] = {}


def _prepare(x, axis, temperature) -> _Prepared:
    """Validate the arguments shared by the three functions.

    The plain cases (an int axis in range, a positive finite float T, a dtype
    seen before) skip the general checks: on small inputs these microseconds
    are a good part of the time.
    """
    arr = as_real_array(x, "x")
    ndim = arr.ndim
    if not (axis.__class__ is int and -ndim <= axis < ndim):
        axis = check_axis(axis, ndim)
    if not (temperature.__class__ is float and 0.0 < temperature < math.inf):
        temperature = check_temperature(temperature)
    dtypes = _DTYPES.get(arr.dtype)
    if dtypes is None:
        dtypes = _DTYPES.setdefault(arr.dtype, (working_dtype(arr.dtype), result_dtype(arr.dtype)))
    return _Prepared(arr, None if axis is None else axis % ndim, temperature, *dtypes)


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
    return _kernels.elementwise(_kernels.SOFTMAX, *_prepare(x, axis, temperature))


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
    return _kernels.elementwise(_kernels.LOG_SOFTMAX, *_prepare(x, axis, temperature))


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
    call = _prepare(x, axis, temperature)
    keepdims = check_bool(keepdims, "keepdims")
    if call.arr.size == 0:  # an empty axis: the log of an empty sum
        kept = tuple(1 if call.axis in (None, i) else d for i, d in enumerate(call.arr.shape))
        res = np.full(kept, -np.inf, dtype=call.result)
    else:
        res = _kernels.logsumexp(*call)  # with the reduced axis kept
    if not keepdims:
        res = res.reshape(tuple(d for i, d in enumerate(call.arr.shape) if call.axis not in (None, i)))
    return res[()] if res.ndim == 0 else res
