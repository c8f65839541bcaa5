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
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from softmaxlab._logistic import log_sigmoid, sigmoid
from softmaxlab._validation import as_real_array, result_dtype, working_dtype

__all__ = ["nce_logits", "nce_loss", "nce_grad"]


def nce_logits(
    data_scores: ArrayLike, noise_scores: ArrayLike, data_log_q: ArrayLike, noise_log_q: ArrayLike
) -> tuple[np.ndarray, np.ndarray]:
    r"""The classifier log-odds ``Delta = score - log(k q)`` for the data point and its ``k`` noise samples.

    Parameters
    ----------
    data_scores : array_like, shape (...)
        The model's normalised-by-``c`` log-probability ``s(x) + c`` at each data point.
    noise_scores : array_like, shape (..., k)
        The same at the ``k`` noise samples drawn for that data point.
    data_log_q : array_like, shape (...)
        ``log q(x)`` of the noise distribution at the data points.
    noise_log_q : array_like, shape (..., k)
        ``log q`` at the noise samples.

    Returns
    -------
    delta_data : ndarray, shape (...)
    delta_noise : ndarray, shape (..., k)
        ``sigmoid(Delta)`` is the classifier's probability that a point is data.

    Examples
    --------
    >>> import numpy as np
    >>> dd, dn = nce_logits(np.log(0.5), [np.log(0.5)], np.log(0.5), [np.log(0.5)])
    >>> float(dd), dn.tolist()            # model = noise and k = 1: even odds
    (0.0, [0.0])
    """
    d = as_real_array(data_scores, "data_scores")
    n = as_real_array(noise_scores, "noise_scores")
    if n.ndim == 0 or n.shape[:-1] != d.shape or n.shape[-1] == 0:
        raise ValueError(
            f"noise_scores must have shape data_scores.shape + (k,) = {d.shape} + (k,) with k >= 1, got {n.shape}"
        )
    lq_d = as_real_array(data_log_q, "data_log_q")
    lq_n = as_real_array(noise_log_q, "noise_log_q")
    if lq_d.shape != d.shape:
        raise ValueError(f"data_log_q must have the shape of data_scores, {d.shape}, got {lq_d.shape}")
    if lq_n.shape != n.shape:
        raise ValueError(f"noise_log_q must have the shape of noise_scores, {n.shape}, got {lq_n.shape}")
    if np.any(lq_d > 0) or np.any(lq_n > 0):
        raise ValueError("data_log_q and noise_log_q are log-probabilities and must be <= 0")
    work = np.result_type(*(working_dtype(a.dtype) for a in (d, n, lq_d, lq_n)))
    log_k = np.log(work.type(n.shape[-1]))
    delta_data = d.astype(work) - log_k - lq_d
    delta_noise = n.astype(work) - log_k - lq_n
    return delta_data, delta_noise


def nce_loss(
    data_scores: ArrayLike, noise_scores: ArrayLike, data_log_q: ArrayLike, noise_log_q: ArrayLike
) -> np.ndarray:
    r"""Per-example NCE loss with ``k = noise_scores.shape[-1]`` noise samples per data point.

    ``-log sigmoid(Delta_data) - sum_j log sigmoid(-Delta_noise_j)`` with
    ``Delta = score - log(k q)`` (:func:`nce_logits`); stable for any finite
    scores.

    Parameters
    ----------
    data_scores, noise_scores, data_log_q, noise_log_q
        As in :func:`nce_logits`.

    Returns
    -------
    ndarray, shape (...)

    Examples
    --------
    >>> import numpy as np
    >>> float(np.round(nce_loss(0.0, [0.0], 0.0, [0.0]), 6))   # even odds: 2 log 2
    1.386294
    """
    dd, dn = nce_logits(data_scores, noise_scores, data_log_q, noise_log_q)
    loss = -log_sigmoid(dd) - log_sigmoid(-dn).sum(axis=-1)
    loss = np.asarray(loss).astype(result_dtype(dd.dtype), copy=False)
    return loss[()] if loss.ndim == 0 else loss


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
    grad_data : ndarray, shape (...)
    grad_noise : ndarray, shape (..., k)

    Examples
    --------
    >>> gd, gn = nce_grad(0.0, [0.0], 0.0, [0.0])
    >>> float(gd), gn.tolist()
    (-0.5, [0.5])
    """
    dd, dn = nce_logits(data_scores, noise_scores, data_log_q, noise_log_q)
    rd = result_dtype(dd.dtype)
    gd = np.asarray(-sigmoid(-dd)).astype(rd, copy=False)
    return (gd[()] if gd.ndim == 0 else gd), np.asarray(sigmoid(dn)).astype(rd, copy=False)
