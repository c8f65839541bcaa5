r"""Sampling from a softmax with Gumbel noise: the Gumbel-max trick and the Gumbel-softmax relaxation.

If ``G_1, ..., G_K`` are independent standard Gumbel variables (CDF
``exp(-exp(-g))``), then for any logits ``a``

.. math:: \operatorname{argmax}_i (a_i + G_i) \sim \operatorname{Categorical}(\operatorname{softmax}(a)),

so sampling from a softmax needs no normalisation at all: add noise and take
the argmax (Gumbel 1954; the trick as used in machine learning: Maddison,
Tarlow and Minka 2014). Replacing the argmax by a softmax at temperature
``tau`` gives the Gumbel-softmax, or Concrete, distribution (Jang, Gu and
Poole 2017; Maddison, Mnih and Teh 2017): a point inside the simplex that is
differentiable in ``a`` and tends to the one-hot sample as ``tau -> 0``.
"""

from __future__ import annotations

from numbers import Integral

import numpy as np
from numpy.typing import ArrayLike

from softmaxlab._validation import as_real_array, check_axis, check_temperature, result_dtype
from softmaxlab.core import softmax

__all__ = ["as_generator", "gumbel_max_sample", "gumbel_softmax"]


def as_generator(rng: np.random.Generator | int | None) -> np.random.Generator:
    """Return a numpy ``Generator``: ``rng`` itself, a new one seeded with the int ``rng``, or an unseeded one for ``None``.

    Examples
    --------
    >>> from softmaxlab.gumbel import as_generator
    >>> g = as_generator(0)
    >>> as_generator(g) is g
    True
    """
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None:
        return np.random.default_rng()
    if _is_int(rng) and rng >= 0:
        return np.random.default_rng(int(rng))
    raise TypeError(f"rng must be a numpy.random.Generator, a non-negative int seed or None, got {rng!r}")


def _is_int(value) -> bool:
    return isinstance(value, Integral) and not isinstance(value, (bool, np.bool_))


def _size_tuple(size) -> tuple[int, ...]:
    """``size`` as a tuple of non-negative ints (``None`` is one draw: the empty tuple)."""
    if size is None:
        return ()
    if _is_int(size):
        size = (int(size),)
    if not isinstance(size, (tuple, list)) or not all(_is_int(s) for s in size):
        raise TypeError(f"size must be None, an int or a tuple of ints, got {size!r}")
    size = tuple(int(s) for s in size)
    if any(s < 0 for s in size):
        raise ValueError(f"size must not be negative, got {size!r}")
    return size


def _logits_last(logits: ArrayLike, axis: int) -> tuple[np.ndarray, int]:
    """Validate logits and move the class axis last; returns (array, normalised axis)."""
    arr = as_real_array(logits, "logits")
    if arr.ndim == 0:
        raise ValueError("logits must have at least one dimension (the classes)")
    ax = check_axis(axis, arr.ndim)
    if arr.shape[ax] == 0:
        raise ValueError("logits must have at least one class along axis")
    if np.any(np.isnan(arr)):
        raise ValueError("logits must not contain nan")
    if np.any(arr == np.inf):
        raise ValueError("logits must not contain +inf (the distribution would not be defined by them)")
    if np.any(np.all(arr == -np.inf, axis=ax)):
        raise ValueError("logits must have at least one entry > -inf in every distribution")
    work = np.float64 if arr.dtype != np.float32 else np.float32
    return np.moveaxis(arr.astype(work, copy=False), ax, -1), ax


def gumbel_max_sample(
    logits: ArrayLike,
    rng: np.random.Generator | int | None = None,
    *,
    size: int | tuple[int, ...] | None = None,
    axis: int = -1,
) -> np.ndarray:
    r"""Draw class indices from ``Categorical(softmax(logits))`` by the Gumbel-max trick.

    Each draw is ``argmax_i (logits_i + G_i)`` with fresh standard Gumbel noise
    ``G``; no softmax, exponential or normalisation is computed.

    Parameters
    ----------
    logits : array_like
        Unnormalised log-probabilities along ``axis`` (any shift gives the same
        distribution). ``-inf`` marks a class of probability 0; nan and
        ``+inf`` are rejected.
    rng : numpy.random.Generator or int or None, optional
        Source of randomness, or a seed for a new generator.
    size : int or tuple of ints, optional
        Number of independent draws per distribution; prepended to the output
        shape. ``None`` draws one.
    axis : int, optional
        The class axis of ``logits`` (default: the last).

    Returns
    -------
    ndarray of int64
        Shape ``size + batch``, where ``batch`` is the shape of ``logits``
        without ``axis``.

    Examples
    --------
    >>> import numpy as np
    >>> from softmaxlab import gumbel_max_sample
    >>> p = np.array([0.5, 0.3, 0.2])
    >>> draws = gumbel_max_sample(np.log(p), rng=0, size=100_000)
    >>> np.round(np.bincount(draws) / draws.size, 2)
    array([0.5, 0.3, 0.2])
    >>> gumbel_max_sample([[0.0, -np.inf], [-np.inf, 0.0]], rng=1)   # one draw per row
    array([0, 1])
    >>> gumbel_max_sample([np.nan, 0.0], rng=1)
    Traceback (most recent call last):
        ...
    ValueError: logits must not contain nan
    """
    arr, _ = _logits_last(logits, axis)
    shape = _size_tuple(size)
    noise = as_generator(rng).gumbel(size=shape + arr.shape).astype(arr.dtype, copy=False)
    noise += arr
    return np.argmax(noise, axis=-1).astype(np.int64)


def gumbel_softmax(
    logits: ArrayLike,
    temperature: float = 1.0,
    rng: np.random.Generator | int | None = None,
    *,
    size: int | tuple[int, ...] | None = None,
    axis: int = -1,
    hard: bool = False,
) -> np.ndarray:
    r"""Draw from the Gumbel-softmax (Concrete) distribution: ``softmax((logits + G) / tau)``.

    A continuous relaxation of a categorical sample: a point of the simplex,
    differentiable in ``logits``, which concentrates on the vertices (one-hot
    vectors) as ``tau -> 0`` and tends to the uniform vector as ``tau -> inf``.
    Its argmax is exactly the Gumbel-max sample, for every ``tau``.

    Parameters
    ----------
    logits : array_like
        Unnormalised log-probabilities along ``axis``; ``-inf`` allowed, nan and
        ``+inf`` rejected.
    temperature : float, optional
        ``tau > 0``.
    rng : numpy.random.Generator or int or None, optional
        Source of randomness, or a seed for a new generator.
    size : int or tuple of ints, optional
        Number of independent draws per distribution, prepended to the shape.
    axis : int, optional
        The class axis (default: the last); it stays in place in the output.
    hard : bool, optional
        Return the one-hot vector of the sample's argmax instead (the forward
        value of the straight-through estimator, whose backward pass uses the
        gradient of the soft sample).

    Returns
    -------
    ndarray
        Shape ``size + logits.shape``; each slice along ``axis`` sums to 1.

    Examples
    --------
    >>> import numpy as np
    >>> from softmaxlab import gumbel_softmax, gumbel_max_sample
    >>> logits = np.log([0.6, 0.3, 0.1])
    >>> y = gumbel_softmax(logits, temperature=0.5, rng=3)
    >>> np.round(y, 3), bool(np.isclose(y.sum(), 1.0))
    (array([0.973, 0.027, 0.   ]), True)
    >>> gumbel_softmax(logits, 0.5, rng=3, hard=True)         # same noise: its argmax, one-hot
    array([1., 0., 0.])
    >>> int(np.argmax(y)) == int(gumbel_max_sample(logits, rng=3))   # same noise, same class
    True
    """
    arr, ax = _logits_last(logits, axis)
    temperature = check_temperature(temperature)
    shape = _size_tuple(size)
    noise = as_generator(rng).gumbel(size=shape + arr.shape).astype(arr.dtype, copy=False)
    noise += arr
    if hard:
        out = np.zeros_like(noise)
        np.put_along_axis(out, np.argmax(noise, axis=-1)[..., None], 1.0, axis=-1)
    else:
        out = softmax(noise, axis=-1, temperature=temperature)
    out = np.moveaxis(out, -1, len(shape) + ax)
    return out.astype(result_dtype(np.asarray(logits).dtype), copy=False)
