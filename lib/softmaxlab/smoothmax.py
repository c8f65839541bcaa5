r"""The two ends of the temperature dial: hardmax, and softmax's mirror image softmin.

``softmax(x / T)`` tends, as ``T -> 0+``, to :func:`hardmax`: the one-hot
vector of the argmax, or ``1/m`` on each of ``m`` tied maxima. The smooth
maximum ``logsumexp(x, temperature=T)`` (in :mod:`softmaxlab.core`) tends to
``max(x)``; its gradient is ``softmax(x / T)``. Flipping the sign gives the
smooth minimum ``-T log sum exp(-x / T)`` (:func:`smooth_min`), whose gradient
is :func:`softmin`, ``softmax(-x / T)``: weights that favour the *smallest*
entries, as in soft nearest neighbours, soft-DTW or a Boltzmann distribution
over energies.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from softmaxlab._validation import (
    as_real_array,
    check_bool,
    check_temperature,
    flatten_if_axis_none,
    result_dtype,
    scalar_if_0d,
)
from softmaxlab.core import logsumexp, softmax
from softmaxlab.derivatives import _slice_blocks

__all__ = ["hardmax", "softmin", "smooth_min"]


def _negated(block: np.ndarray) -> np.ndarray:
    """``-block`` as a fresh array; unsigned and boolean input become float64 first, so nothing wraps."""
    if block.dtype.kind != "f":
        return -block.astype(np.float64)
    return -block


def hardmax(x: ArrayLike, axis: int | None = -1) -> np.ndarray:
    r"""The zero-temperature limit of softmax: ``1/m`` on each of the ``m`` maximal entries, 0 elsewhere.

    Parameters
    ----------
    x : array_like
        Real scores.
    axis : int or None, optional
        The axis of the distribution (default: the last); ``None`` for all of ``x``.

    Returns
    -------
    ndarray
        Same shape as ``x``, summing to 1 along ``axis``; equal to
        ``lim_{T -> 0+} softmax(x, temperature=T)``.

    Raises
    ------
    TypeError
        If ``x`` is not a real numeric array or ``axis`` not an int or None.
    numpy.exceptions.AxisError
        If ``axis`` is out of range (0-d ``x`` needs ``axis=None``).

    Notes
    -----
    Special values follow :func:`softmaxlab.softmax`: ``+inf`` entries share
    the mass, nan propagates to its slice, and a slice of all ``-inf`` gives
    nan. An empty ``x`` gives an empty result. The dtype is that of ``x``
    (float64 for integers); computed a block of slices at a time.

    Examples
    --------
    >>> import numpy as np
    >>> from softmaxlab import hardmax, softmax
    >>> hardmax([1.0, 3.0, 2.0])
    array([0., 1., 0.])
    >>> hardmax([3.0, 1.0, 3.0])               # a tie: half each
    array([0.5, 0. , 0.5])
    >>> bool(np.allclose(softmax([3.0, 1.0, 3.0], temperature=0.01), hardmax([3.0, 1.0, 3.0])))
    True
    """
    arr = as_real_array(x, "x")
    flat, ax = flatten_if_axis_none(arr, axis)
    out = np.empty(flat.shape, dtype=result_dtype(arr.dtype))
    if out.size:
        for b in _slice_blocks(flat.shape, ax):
            xb, ob = flat[b], out[b]
            top = np.max(xb, axis=ax, keepdims=True)  # nan if the slice has a nan
            at_top = xb == top
            with np.errstate(invalid="ignore"):  # 0/0 where the maximum is nan
                np.divide(at_top, np.sum(at_top, axis=ax, keepdims=True), out=ob)  # straight into the output
            all_minus_inf = top == -np.inf
            if all_minus_inf.any():
                ob[np.broadcast_to(all_minus_inf, ob.shape)] = np.nan
    return out.reshape(arr.shape)


def softmin(x: ArrayLike, axis: int | None = -1, *, temperature: float = 1.0) -> np.ndarray:
    r"""``softmax(-x / T)``: probabilities that favour the smallest entries.

    Parameters
    ----------
    x : array_like
        Real values (costs, distances, energies).
    axis : int or None, optional
        The axis of the distribution (default: the last); ``None`` for all of ``x``.
    temperature : float, optional
        ``T > 0``; as ``T -> 0+`` the result tends to the one-hot argmin.

    Returns
    -------
    ndarray
        Same shape as ``x``, summing to 1 along ``axis``; the gradient of
        :func:`smooth_min`. Special values, dtypes and errors as in
        :func:`softmaxlab.softmax` with the signs flipped: ``-inf`` entries
        share the mass, ``+inf`` entries get 0, a slice of all ``+inf`` gives
        nan.

    Examples
    --------
    >>> import numpy as np
    >>> from softmaxlab import softmin
    >>> np.round(softmin([1.0, 2.0, 3.0]), 4)
    array([0.6652, 0.2447, 0.09  ])
    >>> softmin([1.0, 2.0, 3.0], temperature=1e-3)
    array([1., 0., 0.])
    """
    arr = as_real_array(x, "x")
    flat, ax = flatten_if_axis_none(arr, axis)
    temperature = check_temperature(temperature)
    out = np.empty(flat.shape, dtype=result_dtype(arr.dtype))
    for b in _slice_blocks(flat.shape, ax):  # -x a block at a time (a slice, when slices are long)
        out[b] = softmax(_negated(flat[b]), axis=ax, temperature=temperature)
    return out.reshape(arr.shape)


def smooth_min(
    x: ArrayLike,
    axis: int | None = -1,
    *,
    keepdims: bool = False,
    temperature: float = 1.0,
) -> np.ndarray | np.floating:
    r"""``-T log sum_j exp(-x_j / T)``: a smooth lower approximation of ``min(x)``.

    Parameters
    ----------
    x : array_like
        Real values.
    axis : int or None, optional
        The axis to reduce (default: the last); ``None`` for all of ``x``.
    keepdims : bool, optional
        Keep the reduced axis with length 1.
    temperature : float, optional
        ``T > 0``.

    Returns
    -------
    ndarray or numpy scalar
        A value in ``[min(x) - T log n, min(x)]``; it increases to ``min(x)``
        as ``T -> 0+``. It is the free energy of energies ``x`` at temperature ``T``.
        Special values, dtypes, shapes and errors as in
        :func:`softmaxlab.logsumexp` with the signs flipped: an empty axis or
        a slice of all ``+inf`` gives ``+inf``, any ``-inf`` gives ``-inf``,
        nan gives nan; a numpy scalar when the result is 0-d.

    Examples
    --------
    >>> import numpy as np
    >>> from softmaxlab import smooth_min
    >>> float(smooth_min([0.0, 0.0]))            # -log 2: below the minimum
    -0.6931471805599453
    >>> float(smooth_min([2.0, 5.0, 9.0], temperature=0.01))
    2.0
    """
    arr = as_real_array(x, "x")
    flat, ax = flatten_if_axis_none(arr, axis)
    keepdims = check_bool(keepdims, "keepdims")
    temperature = check_temperature(temperature)
    res = np.empty(flat.shape[:ax] + flat.shape[ax + 1 :], dtype=result_dtype(arr.dtype))
    for b in _slice_blocks(flat.shape, ax):  # -x a block at a time (a slice, when slices are long)
        res[b[:ax] + b[ax + 1 :]] = logsumexp(_negated(flat[b]), axis=ax, temperature=temperature)
    np.negative(res, out=res)
    if keepdims:
        res = res.reshape(tuple(1 if axis is None or i == ax else d for i, d in enumerate(arr.shape)))
    return scalar_if_0d(res)
