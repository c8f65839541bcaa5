"""softmax, log_softmax and logsumexp, computed the accurate way.

All three share one first step, the shifted algorithm recommended by Blanchard,
Higham and Higham (2021, "Accurately computing the log-sum-exp and softmax
functions", IMA J. Numer. Anal. 41(4)):

1. find the maximum ``m`` of each slice and the index ``k`` where it sits;
2. form ``d_j = (x_j - m) / T``, so every ``d_j <= 0`` and ``d_k = 0``;
3. sum the exponentials of the *other* entries, ``s = sum_{j != k} exp(d_j)``.

Then ``logsumexp = m + T * log1p(s)``, ``softmax_j = exp(d_j) / (1 + s)`` and
``log_softmax_j = d_j - log1p(s)``. Keeping the dominant term ``exp(d_k) = 1``
out of ``s`` is what lets ``log1p`` return tiny results (log-probabilities near
0, a logsumexp near 0) to full relative accuracy, where ``log(1 + s)`` would
round ``1 + s`` to 1 and return 0.

Every function works in a single output-sized buffer; the other arrays it
allocates have one entry per slice.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from softmaxlab._validation import (
    as_real_array,
    check_axis,
    check_temperature,
    result_dtype,
    working_dtype,
)

__all__ = ["softmax", "log_softmax", "logsumexp"]


def _prepare(x: ArrayLike, axis: int | None, temperature: float):
    """Validate the arguments; return the array (flattened when axis is None), the axis and T."""
    arr = as_real_array(x, "x")
    temperature = check_temperature(temperature)
    if axis is None:
        return arr.reshape(-1), 0, temperature
    return arr, check_axis(axis, arr.ndim), temperature


def _exp_shifted(arr: np.ndarray, axis: int, temperature: float):
    """Steps 1-3 of the shifted algorithm.

    Returns ``(out, k, m, s)``: ``out`` holds ``exp(d_j)`` except at the argmax
    ``k``, where it holds 0; ``m`` is the maximum and ``s`` the sum of the other
    terms, both with the reduced axis kept. Slices whose maximum is not finite
    come out as nan here and are patched by the callers.
    """
    work = working_dtype(arr.dtype)
    k = np.argmax(arr, axis=axis, keepdims=True)  # nan counts as the maximum
    m = np.take_along_axis(arr, k, axis=axis).astype(work)
    out = np.empty(arr.shape, dtype=work)
    with np.errstate(invalid="ignore"):  # inf - inf in slices patched later
        np.subtract(arr, m, out=out, dtype=work)
        if temperature != 1.0:
            out /= temperature
        np.exp(out, out=out)
    np.put_along_axis(out, k, 0, axis=axis)
    s = np.sum(out, axis=axis, keepdims=True)
    return out, k, m, s


def _infinite_max_share(arr: np.ndarray, axis: int, m: np.ndarray):
    """For slices whose maximum is +inf: the mask of +inf entries and their count."""
    at_inf = (arr == np.inf) & (m == np.inf)
    return at_inf, np.sum(at_inf, axis=axis, keepdims=True)


def softmax(x: ArrayLike, axis: int | None = -1, *, temperature: float = 1.0) -> np.ndarray:
    r"""Softmax along one axis: ``exp(x_i / T) / sum_j exp(x_j / T)``.

    Parameters
    ----------
    x : array_like
        Real scores (logits). Integer input is computed in float64; float16
        is computed in float32 and returned as float16.
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

    Notes
    -----
    Computed as ``exp(d_j) / (1 + s)`` with ``d_j = (x_j - max) / T`` and ``s``
    the sum of the exponentials other than the maximum's, so no finite input
    overflows. IEEE cases: ``-inf`` entries get probability 0; if the maximum
    is ``+inf`` the ``+inf`` entries share the mass equally (the limit of
    ``softmax(x + c e)``); a slice of all ``-inf`` gives nan (0/0); nan
    propagates to its own slice only.

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
    """
    arr, ax, temperature = _prepare(x, axis, temperature)
    shape = np.shape(x)
    if arr.shape[ax] == 0:
        return np.empty(shape, dtype=result_dtype(arr.dtype))
    out, k, m, s = _exp_shifted(arr, ax, temperature)
    np.put_along_axis(out, k, 1, axis=ax)
    out /= 1 + s
    if np.any(m == np.inf):
        at_inf, count = _infinite_max_share(arr, ax, m)
        out = np.where(m == np.inf, at_inf / np.maximum(count, 1), out)
    return out.astype(result_dtype(arr.dtype), copy=False).reshape(shape)


def log_softmax(x: ArrayLike, axis: int | None = -1, *, temperature: float = 1.0) -> np.ndarray:
    r"""Logarithm of softmax, ``x_i / T - logsumexp(x / T)``, without forming softmax.

    Parameters
    ----------
    x : array_like
        Real scores (logits).
    axis : int or None, optional
        The axis of the distribution (default: the last); ``None`` for all of ``x``.
    temperature : float, optional
        ``T > 0``, as in :func:`softmax`.

    Returns
    -------
    ndarray
        Same shape as ``x``; finite wherever ``x`` is finite, even where
        ``softmax`` underflows to 0.

    Notes
    -----
    Computed as ``d_j - log1p(s)`` (see :func:`softmax`). The largest entry's
    log-probability is ``-log1p(s)``, accurate to a few ulp even when it is
    tiny, i.e. when one class takes nearly all the mass. ``log(softmax(x))``
    and ``x - logsumexp(x)`` both lose that value to rounding.

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
    """
    arr, ax, temperature = _prepare(x, axis, temperature)
    shape = np.shape(x)
    if arr.shape[ax] == 0:
        return np.empty(shape, dtype=result_dtype(arr.dtype))
    out, k, m, s = _exp_shifted(arr, ax, temperature)
    with np.errstate(invalid="ignore"):
        np.subtract(arr, m, out=out, dtype=out.dtype)
        if temperature != 1.0:
            out /= temperature
        out -= np.log1p(s)
    if np.any(m == np.inf):
        at_inf, count = _infinite_max_share(arr, ax, m)
        with np.errstate(divide="ignore"):
            share = np.where(at_inf, -np.log(np.maximum(count, 1)), -np.inf)
        out = np.where(m == np.inf, share, out)
    return out.astype(result_dtype(arr.dtype), copy=False).reshape(shape)


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
        Real values.
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

    Notes
    -----
    Computed as ``max + T * log1p(s)`` (see :func:`softmax`). Special values:
    an empty axis or a slice of all ``-inf`` gives ``-inf`` (the log of an
    empty sum); any ``+inf`` gives ``+inf``; nan gives nan.

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
    >>> float(logsumexp([1.0, 2.0, 3.0], temperature=0.01))
    3.0
    """
    arr = as_real_array(x, "x")
    temperature = check_temperature(temperature)
    ax = check_axis(axis, arr.ndim)
    if ax is None:
        flat = arr.reshape(-1)
        value = logsumexp(flat, axis=0, temperature=temperature)
        return np.reshape(value, (1,) * arr.ndim) if keepdims else value
    rdtype = result_dtype(arr.dtype)
    if arr.shape[ax] == 0:
        res = np.full(arr.shape[:ax] + (1,) + arr.shape[ax + 1 :], -np.inf, dtype=rdtype)
    else:
        _, _, m, s = _exp_shifted(arr, ax, temperature)
        with np.errstate(invalid="ignore"):
            res = m + temperature * np.log1p(s)
        res = np.where(np.isinf(m), m, res).astype(rdtype, copy=False)
    if not keepdims:
        res = np.squeeze(res, axis=ax)
    return res[()] if res.ndim == 0 else res
