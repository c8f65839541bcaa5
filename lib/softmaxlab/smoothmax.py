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

from softmaxlab._validation import as_real_array, check_axis, result_dtype
from softmaxlab.core import logsumexp, softmax

__all__ = ["hardmax", "softmin", "smooth_min"]


def _negated(x: ArrayLike) -> np.ndarray:
    arr = as_real_array(x, "x")
    if arr.dtype.kind != "f":  # unsigned and boolean input must not wrap when negated
        arr = arr.astype(np.float64)
    return -arr


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

    Notes
    -----
    Special values follow :func:`softmaxlab.softmax`: ``+inf`` entries share
    the mass, nan propagates to its slice, and a slice of all ``-inf`` gives nan.

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
    shape = arr.shape
    if axis is None:
        arr, ax = arr.reshape(-1), 0
    else:
        ax = check_axis(axis, arr.ndim)
    dtype = result_dtype(arr.dtype)
    if arr.shape[ax] == 0:
        return np.empty(shape, dtype=dtype)
    top = np.max(arr, axis=ax, keepdims=True)
    at_top = arr == top
    with np.errstate(invalid="ignore"):
        out = at_top / np.sum(at_top, axis=ax, keepdims=True)
    out = np.where(top == -np.inf, np.nan, out)
    return out.astype(dtype, copy=False).reshape(shape)


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
        :func:`smooth_min`.

    Examples
    --------
    >>> import numpy as np
    >>> from softmaxlab import softmin
    >>> np.round(softmin([1.0, 2.0, 3.0]), 4)
    array([0.6652, 0.2447, 0.09  ])
    >>> softmin([1.0, 2.0, 3.0], temperature=1e-3)
    array([1., 0., 0.])
    """
    return softmax(_negated(x), axis=axis, temperature=temperature)


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

    Examples
    --------
    >>> import numpy as np
    >>> from softmaxlab import smooth_min
    >>> float(smooth_min([0.0, 0.0]))            # -log 2: below the minimum
    -0.6931471805599453
    >>> float(smooth_min([2.0, 5.0, 9.0], temperature=0.01))
    2.0
    """
    return -logsumexp(_negated(x), axis=axis, keepdims=keepdims, temperature=temperature)
