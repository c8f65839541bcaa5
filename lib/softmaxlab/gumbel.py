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

import math

import numpy as np
from numpy.typing import ArrayLike

from softmaxlab._validation import (
    as_real_array,
    check_axis,
    check_bool,
    check_int,
    check_temperature,
    result_dtype,
    scalar_if_0d,
    working_dtype,
)
from softmaxlab.core import BLOCK_BYTES, softmax

__all__ = ["as_generator", "gumbel_max_sample", "gumbel_softmax"]

#: Noise elements drawn per block (1 MiB of float64).
_BLOCK = BLOCK_BYTES // 8


def as_generator(rng: np.random.Generator | int | None) -> np.random.Generator:
    """Return a numpy ``Generator``: ``rng`` itself, a new one seeded with the int ``rng``, or an
    unseeded one for ``None``.

    Raises
    ------
    TypeError
        If ``rng`` is none of these (a bool, a float, a negative int, ...).

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
    try:
        seed = check_int(rng, "rng", minimum=0)
    except (TypeError, ValueError):
        raise TypeError(f"rng must be a numpy.random.Generator, a non-negative int seed or None, got {rng!r}") from None
    return np.random.default_rng(seed)


def _size_tuple(size) -> tuple[int, ...]:
    """``size`` as a tuple of non-negative ints (``None`` is one draw: the empty tuple)."""
    if size is None:
        return ()
    try:
        return tuple(check_int(s, "size", minimum=0) for s in (size if isinstance(size, (tuple, list)) else (size,)))
    except TypeError:
        raise TypeError(f"size must be None, an int or a tuple of ints, got {size!r}") from None


class _Logits:
    """Validated logits as ``(B, K)`` rows (one distribution per row) in the working dtype."""

    def __init__(self, logits: ArrayLike, axis: int | None, size):
        arr = as_real_array(logits, "logits")
        if axis is None:
            rows = arr.reshape(1, -1)  # one distribution over every entry, in C order
            self.batch, self.ax = (), None
        else:
            if arr.ndim == 0:
                raise ValueError("logits must have at least one dimension (the classes), or pass axis=None")
            ax = check_axis(axis, arr.ndim)
            moved = np.moveaxis(arr, ax, -1)
            if moved.shape[-1] == 0:
                raise ValueError("logits must have at least one class along axis")
            rows = moved.reshape(-1, moved.shape[-1])  # a copy only if the class axis is not contiguous
            self.batch, self.ax = moved.shape[:-1], ax
        self.shape = arr.shape
        self.k = rows.shape[1]
        if self.k == 0:
            raise ValueError("logits must have at least one class along axis")
        if np.isnan(rows).any():
            raise ValueError("logits must not contain nan")
        if (rows == np.inf).any():
            raise ValueError("logits must not contain +inf (the distribution would not be defined by them)")
        if rows.size and (rows == -np.inf).all(axis=1).any():
            raise ValueError("logits must have at least one entry > -inf in every distribution")
        self.rows = rows.astype(working_dtype(arr.dtype), copy=False)
        self.rdtype = result_dtype(arr.dtype)
        self.size = _size_tuple(size)
        draws = math.prod(self.size) * math.prod(self.batch)
        if draws * self.k > np.iinfo(np.intp).max:
            raise ValueError(f"size {self.size!r} asks for more noise than an array can hold")
        self.draws = draws

    def noise_blocks(self, gen: np.random.Generator):
        """``(r0, r1, noise + logits)`` for blocks of rows of the ``(draws, K)`` perturbed logits.

        The noise is drawn block after block in C order, the same numbers as one
        draw of the whole array.
        """
        step = max(1, _BLOCK // self.k)
        n_rows = len(self.rows)
        for r0 in range(0, self.draws, step):
            r1 = min(self.draws, r0 + step)
            noise = gen.gumbel(size=(r1 - r0, self.k)).astype(self.rows.dtype, copy=False)
            noise += self.rows if n_rows == 1 else self.rows[np.arange(r0, r1) % n_rows]
            yield r0, r1, noise


def gumbel_max_sample(
    logits: ArrayLike,
    rng: np.random.Generator | int | None = None,
    *,
    size: int | tuple[int, ...] | None = None,
    axis: int | None = -1,
) -> np.ndarray:
    r"""Draw class indices from ``Categorical(softmax(logits))`` by the Gumbel-max trick.

    Each draw is ``argmax_i (logits_i + G_i)`` with fresh standard Gumbel noise
    ``G``; no softmax, exponential or normalisation is computed.

    Parameters
    ----------
    logits : array_like
        Unnormalised log-probabilities along ``axis`` (any shift gives the same
        distribution). ``-inf`` marks a class of probability 0; nan and
        ``+inf`` are rejected, and so is a distribution of all ``-inf`` or of
        no class. float32 logits are perturbed in float32, float16 in float32,
        others in float64.
    rng : numpy.random.Generator or int or None, optional
        Source of randomness, or a seed for a new generator.
    size : int or tuple of ints, optional
        Number of independent draws per distribution; prepended to the output
        shape. ``None`` draws one.
    axis : int or None, optional
        The class axis of ``logits`` (default: the last); ``None`` for one
        distribution over all entries, the draws then being flat (C-order)
        indices into ``logits``.

    Returns
    -------
    ndarray of int64 or numpy int64
        Shape ``size + batch``, where ``batch`` is the shape of ``logits``
        without ``axis`` (empty for ``axis=None``); a numpy scalar when that
        shape is empty.

    Raises
    ------
    TypeError
        If ``logits`` is not a real numeric array-like, ``rng`` not a
        generator, seed or None, ``size`` not an int or tuple of ints, or
        ``axis`` not an int or None.
    ValueError
        For logits that define no distribution (see above), a negative or
        too large ``size``, or 0-d logits with an integer ``axis``.
    numpy.exceptions.AxisError
        If ``axis`` is out of range.

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
    >>> gumbel_max_sample([[0.0, -np.inf], [-np.inf, -np.inf]], rng=1, size=3, axis=None)   # flat indices
    array([0, 0, 0])
    >>> gumbel_max_sample([np.nan, 0.0], rng=1)
    Traceback (most recent call last):
        ...
    ValueError: logits must not contain nan
    """
    lg = _Logits(logits, axis, size)
    gen = as_generator(rng)
    out = np.empty(lg.draws, dtype=np.int64)
    for r0, r1, noisy in lg.noise_blocks(gen):
        out[r0:r1] = np.argmax(noisy, axis=1)
    return scalar_if_0d(out.reshape(lg.size + lg.batch))


def gumbel_softmax(
    logits: ArrayLike,
    temperature: float = 1.0,
    rng: np.random.Generator | int | None = None,
    *,
    size: int | tuple[int, ...] | None = None,
    axis: int | None = -1,
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
        ``+inf`` rejected (as in :func:`gumbel_max_sample`).
    temperature : float, optional
        ``tau > 0``, finite.
    rng : numpy.random.Generator or int or None, optional
        Source of randomness, or a seed for a new generator.
    size : int or tuple of ints, optional
        Number of independent draws per distribution, prepended to the shape.
    axis : int or None, optional
        The class axis (default: the last); it stays in place in the output.
        ``None`` makes all of ``logits`` one distribution.
    hard : bool, optional
        Return the one-hot vector of the sample's argmax instead (the forward
        value of the straight-through estimator, whose backward pass uses the
        gradient of the soft sample).

    Returns
    -------
    ndarray
        Shape ``size + logits.shape``; each slice along ``axis`` (all of
        ``logits``'s axes for ``axis=None``) sums to 1. In ``logits``'s float
        dtype (float16 computed in float32, long double in float64; integers
        give float64).

    Raises
    ------
    TypeError
        As in :func:`gumbel_max_sample`; also if ``temperature`` is not a real
        number or ``hard`` not a bool.
    ValueError
        As in :func:`gumbel_max_sample`; also if ``temperature`` is not
        positive and finite.
    numpy.exceptions.AxisError
        If ``axis`` is out of range.

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
    lg = _Logits(logits, axis, size)
    temperature = check_temperature(temperature)
    hard = check_bool(hard, "hard")
    gen = as_generator(rng)
    out = np.empty((lg.draws, lg.k), dtype=lg.rdtype)
    for r0, r1, noisy in lg.noise_blocks(gen):
        if hard:
            out[r0:r1] = 0
            out[np.arange(r0, r1), np.argmax(noisy, axis=1)] = 1
        else:
            out[r0:r1] = softmax(noisy, axis=-1, temperature=temperature)
    if lg.ax is None:
        return scalar_if_0d(out.reshape(lg.size + lg.shape))
    return np.moveaxis(out.reshape(lg.size + lg.batch + (lg.k,)), -1, len(lg.size) + lg.ax)
