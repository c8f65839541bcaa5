"""Noise-contrastive estimation: fit an unnormalised model by telling data from noise.

A model gives each outcome ``x`` an unnormalised log-density ``s(x)`` whose
normaliser ``Z = sum_x exp(s(x))`` is too expensive to compute. NCE (Gutmann
and Hyvarinen, 2010) adds a learned constant ``c`` and treats
``s(x) + c`` as a *normalised* log-probability; for each data point it draws
``k`` samples from a known noise distribution ``q`` and trains a logistic
classifier to tell the data point (label 1) from the noise (label 0), with the
log-odds the Bayes rule gives for a mixture of 1 part data to ``k`` parts
noise:

    Delta(x) = s(x) + c - log(k q(x)),
    loss     = -log sigmoid(Delta(x_data)) - sum_{j=1..k} log sigmoid(-Delta(x_noise_j)).

The expected loss is minimised exactly when ``s(x) + c = log p_data(x)``
wherever ``q(x) > 0``: the model comes out self-normalised, and when the
shape ``s`` is already right the learned ``c`` converges to ``-log Z``. The
cost per example is ``k + 1`` score evaluations, with no sum over outcomes.

Here ``data_scores`` and ``noise_scores`` are the model's ``s(x) + c``.

Conventions shared by the functions of this module (and by
:mod:`softmaxlab.sampled` and :mod:`softmaxlab.negative_sampling`, which use
the private helpers below): the result's dtype is numpy's promotion of the
array arguments' dtypes (a Python ``int`` or ``float`` does not widen it, as
in numpy's own arithmetic), mapped as in the core: float16 is computed in
float32 and returned as float16, long double computed in float64 and returned
as long double, integers and booleans give float64; a 0-d result is a numpy
scalar. The work is done in blocks of about ``softmaxlab.core.BLOCK_BYTES``:
the only allocations of the input's size are the results (and, for a
per-example loss, a C-ordered copy of an input that is neither C- nor
Fortran-contiguous).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike

from softmaxlab._logistic import sigmoid
from softmaxlab._validation import as_real_array, check_same_shape, result_dtype, result_in_input_dtype, working_dtype
from softmaxlab.core import BLOCK_BYTES

__all__ = ["nce_logits", "nce_loss", "nce_grad"]

#: Elements of float64 work per block.
_BLOCK_ELEMENTS = BLOCK_BYTES // 8


def _promoted(*pairs: tuple[object, np.ndarray]) -> np.dtype:
    """numpy's promotion of ``(argument, array)`` pairs, a Python scalar argument counting as weak (NEP 50)."""
    return np.result_type(*(arg if type(arg) in (bool, int, float) else arr.dtype for arg, arr in pairs))


def _result(result: np.ndarray, dtype: np.dtype) -> np.ndarray | np.generic:
    """:func:`result_in_input_dtype`, with a value beyond a float16 result's range rounded to +-inf silently."""
    with np.errstate(over="ignore"):
        return result_in_input_dtype(result, dtype)


def _rows_per_block(row_elements: int) -> int:
    """How many rows of ``row_elements`` entries make a block (at least one)."""
    return max(1, _BLOCK_ELEMENTS // max(row_elements, 1))


def _map_blocks(func: Callable[..., np.ndarray], arrays: list[np.ndarray], work: np.dtype, out: np.dtype) -> np.ndarray:
    """``func(*arrays)`` elementwise, fed in blocks converted to ``work``, written into a new array of dtype ``out``.

    The arrays must have one shape; the result has it, in the layout of the
    inputs (C or Fortran). Nothing of the input's size is allocated but the result.
    """
    it = np.nditer(
        [*arrays, None],
        flags=["external_loop", "buffered", "zerosize_ok"],
        op_flags=[["readonly"]] * len(arrays) + [["writeonly", "allocate"]],
        op_dtypes=[work] * len(arrays) + [out],
        casting="same_kind",
        buffersize=_BLOCK_ELEMENTS,
    )
    with it:
        for *blocks, result in it:
            result[...] = func(*blocks)
        return it.operands[-1]


def _check_log_probabilities(log_q: np.ndarray, name: str) -> None:
    """Log-probabilities are ``<= 0`` (``-inf`` for probability 0; nan passes through)."""
    if log_q.size and np.any(log_q > 0):
        raise ValueError(f"{name} must hold log-probabilities, <= 0 (or -inf), got a maximum of {log_q.max()!r}")


def _nce_arrays(data_scores, noise_scores, data_log_q, noise_log_q):
    d = as_real_array(data_scores, "data_scores")
    n = as_real_array(noise_scores, "noise_scores")
    if n.ndim == 0 or n.shape[:-1] != d.shape or n.shape[-1] == 0:
        raise ValueError(
            f"noise_scores must have shape data_scores.shape + (k,) = {d.shape} + (k,) with k >= 1, got {n.shape}"
        )
    lq_d = as_real_array(data_log_q, "data_log_q")
    lq_n = as_real_array(noise_log_q, "noise_log_q")
    check_same_shape(d, lq_d, "data_scores", "data_log_q")
    check_same_shape(n, lq_n, "noise_scores", "noise_log_q")
    _check_log_probabilities(lq_d, "data_log_q")
    _check_log_probabilities(lq_n, "noise_log_q")
    dtype = _promoted((data_scores, d), (noise_scores, n), (data_log_q, lq_d), (noise_log_q, lq_n))
    work = working_dtype(dtype)
    return d, n, lq_d, lq_n, dtype, work, np.log(work.type(n.shape[-1]))


def nce_logits(
    data_scores: ArrayLike, noise_scores: ArrayLike, data_log_q: ArrayLike, noise_log_q: ArrayLike
) -> tuple[np.ndarray, np.ndarray]:
    r"""The classifier log-odds ``Delta = score - log(k q)`` for the data point and its ``k`` noise samples.

    Parameters
    ----------
    data_scores : array_like, shape (...)
        The model's normalised-by-``c`` log-probability ``s(x) + c`` at each data point.
    noise_scores : array_like, shape (..., k)
        The same at the ``k >= 1`` noise samples drawn for that data point.
    data_log_q : array_like, shape (...)
        ``log q(x)`` of the noise distribution at the data points: ``<= 0``,
        ``-inf`` where ``q(x) = 0``.
    noise_log_q : array_like, shape (..., k)
        ``log q`` at the noise samples, ``<= 0``.

    Returns
    -------
    delta_data : ndarray or numpy scalar, shape (...)
    delta_noise : ndarray, shape (..., k)
        ``sigmoid(Delta)`` is the classifier's probability that a point is
        data. Elementwise IEEE arithmetic: a ``-inf`` log q (``q = 0``) gives
        ``+inf``, ``inf - inf`` (an infinite score where ``q = 0``) and nan
        give nan in that entry only, and a difference beyond the float range
        gives ``+inf`` or ``-inf``. Empty batches give empty results.

    Raises
    ------
    TypeError
        If an argument is not a real numeric array-like.
    ValueError
        If the shapes do not match, ``k = 0``, or a log q is positive.

    Examples
    --------
    >>> import numpy as np
    >>> dd, dn = nce_logits(np.log(0.5), [np.log(0.5)], np.log(0.5), [np.log(0.5)])
    >>> float(dd), dn.tolist()            # model = noise and k = 1: even odds
    (0.0, [0.0])
    >>> nce_logits(0.0, [0.0, 0.0], -np.inf, [-1.0, -1.0])[0]   # q(x) = 0: surely data
    np.float64(inf)
    """
    d, n, lq_d, lq_n, dtype, work, log_k = _nce_arrays(data_scores, noise_scores, data_log_q, noise_log_q)
    with np.errstate(over="ignore", invalid="ignore"):
        delta_data = _map_blocks(lambda s, q: s - log_k - q, [d, lq_d], work, result_dtype(dtype))
        delta_noise = _map_blocks(lambda s, q: s - log_k - q, [n, lq_n], work, result_dtype(dtype))
        return _result(delta_data, dtype), _result(delta_noise, dtype)


def nce_loss(
    data_scores: ArrayLike, noise_scores: ArrayLike, data_log_q: ArrayLike, noise_log_q: ArrayLike
) -> np.ndarray:
    r"""Per-example NCE loss with ``k = noise_scores.shape[-1]`` noise samples per data point.

    ``-log sigmoid(Delta_data) - sum_j log sigmoid(-Delta_noise_j)`` with
    ``Delta = score - log(k q)`` (:func:`nce_logits`), computed as
    ``log(1 + exp(-Delta_data)) + sum_j log(1 + exp(Delta_noise_j))`` with
    ``numpy.logaddexp``: no finite input overflows and small losses keep
    their relative accuracy.

    Parameters
    ----------
    data_scores, noise_scores, data_log_q, noise_log_q
        As in :func:`nce_logits`.

    Returns
    -------
    ndarray or numpy scalar, shape (...)
        Non-negative. ``+inf`` when a data point has score ``-inf`` or a
        noise sample ``+inf`` (or a ``Delta`` is beyond the float range);
        nan when any ``Delta`` of the example is nan (a nan input, or an
        infinite score where ``q = 0``); other examples are unaffected. An
        empty batch gives an empty result.

    Raises
    ------
    TypeError, ValueError
        As in :func:`nce_logits`.

    Examples
    --------
    >>> import numpy as np
    >>> float(np.round(nce_loss(0.0, [0.0], 0.0, [0.0]), 6))   # even odds: 2 log 2
    1.386294
    >>> nce_loss([800.0, np.nan], [[-800.0], [0.0]], [-1.0, -1.0], [[-1.0], [-1.0]])
    array([ 0., nan])
    """
    d, n, lq_d, lq_n, dtype, work, log_k = _nce_arrays(data_scores, noise_scores, data_log_q, noise_log_q)
    k = n.shape[-1]
    n2, lq_n2 = n.reshape(d.size, k), lq_n.reshape(d.size, k)
    loss = np.empty(d.size, dtype=work)
    step = _rows_per_block(k)
    with np.errstate(over="ignore", invalid="ignore"):
        # log(1 + exp(-Delta_data)), with Delta_data = s - log k - log q as in nce_logits
        np.logaddexp(0, -(d.reshape(-1).astype(work) - log_k - lq_d.reshape(-1)), out=loss)
        for r0 in range(0, d.size, step):
            rows = slice(r0, r0 + step)
            delta = np.subtract(n2[rows], log_k, dtype=work)
            np.subtract(delta, lq_n2[rows], out=delta, dtype=work)
            loss[rows] += np.logaddexp(0, delta, out=delta).sum(axis=-1)
    return _result(loss.reshape(d.shape), dtype)


def nce_grad(
    data_scores: ArrayLike, noise_scores: ArrayLike, data_log_q: ArrayLike, noise_log_q: ArrayLike
) -> tuple[np.ndarray, np.ndarray]:
    r"""Gradient of :func:`nce_loss` with respect to ``data_scores`` and ``noise_scores``.

    ``d loss / d data_score = -sigmoid(-Delta_data)`` (push data up, harder
    the less it looks like data) and ``d loss / d noise_score_j =
    sigmoid(Delta_noise_j)`` (push noise down, harder the more it looks like
    data). The gradient with respect to the normaliser ``c`` is the sum of all
    ``k + 1`` entries.

    Parameters
    ----------
    data_scores, noise_scores, data_log_q, noise_log_q
        As in :func:`nce_logits`.

    Returns
    -------
    grad_data : ndarray or numpy scalar, shape (...)
        In ``[-1, 0]``.
    grad_noise : ndarray, shape (..., k)
        In ``[0, 1]``. Each entry depends on its own ``Delta`` only: an
        infinite ``Delta`` gives the limit (0 or 1 in size), a nan ``Delta``
        gives nan in that entry alone.

    Raises
    ------
    TypeError, ValueError
        As in :func:`nce_logits`.

    Examples
    --------
    >>> gd, gn = nce_grad(0.0, [0.0], 0.0, [0.0])
    >>> float(gd), gn.tolist()
    (-0.5, [0.5])
    """
    d, n, lq_d, lq_n, dtype, work, log_k = _nce_arrays(data_scores, noise_scores, data_log_q, noise_log_q)
    with np.errstate(over="ignore", invalid="ignore"):
        grad_data = _map_blocks(lambda s, q: -sigmoid(-(s - log_k - q)), [d, lq_d], work, result_dtype(dtype))
        grad_noise = _map_blocks(lambda s, q: sigmoid(s - log_k - q), [n, lq_n], work, result_dtype(dtype))
    return _result(grad_data, dtype), _result(grad_noise, dtype)
