r"""Importance-sampling estimates of the partition function ``Z`` and of ``log Z``.

To estimate ``Z = sum_k exp(z_k)`` without summing all ``K`` terms, draw
classes ``s_1, ..., s_m`` from a proposal distribution ``q`` and average the
importance weights ``w_j = exp(z_{s_j}) / q(s_j)``:

.. math:: \hat Z = \frac1m \sum_{j=1}^m \frac{e^{z_{s_j}}}{q(s_j)}, \qquad
          \mathbb E[\hat Z] = \sum_k q_k \frac{e^{z_k}}{q_k} = Z ,

an unbiased estimate whose relative variance is ``chi2(p || q) / m`` with
``p = softmax(z)`` and ``chi2(p || q) = sum_k p_k^2 / q_k - 1``: zero for
``q = p``, large when ``q`` misses classes that ``p`` favours. Its logarithm is
*not* unbiased for ``log Z``: by Jensen's inequality ``E[log Z_hat] <= log Z``,
and for large ``m`` the bias is about ``-chi2(p || q) / (2 m)``.

Everything is computed in the log domain: ``log Z_hat = logsumexp(z_s - log q_s) - log m``,
which neither overflows nor underflows where ``Z`` itself would.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike

from softmaxlab._validation import (
    as_real_array,
    check_axis,
    check_bool,
    result_dtype,
)
from softmaxlab.core import logsumexp

__all__ = ["importance_log_partition", "effective_sample_size"]


def _reduce_shape(shape: tuple[int, ...], axis: int | None, keepdims: bool) -> tuple[int, ...]:
    if axis is None:
        return (1,) * len(shape) if keepdims else ()
    if keepdims:
        return shape[:axis] + (1,) + shape[axis + 1 :]
    return shape[:axis] + shape[axis + 1 :]


def importance_log_partition(
    logits: ArrayLike,
    log_proposal: ArrayLike,
    axis: int | None = -1,
    *,
    keepdims: bool = False,
) -> np.ndarray | np.floating:
    r"""``log Z_hat``: the log of the importance-sampling estimate of ``Z = sum_k exp(z_k)``.

    Given the logits ``z_{s_j}`` of ``m`` classes drawn (with replacement)
    from a proposal ``q``, and their log-probabilities ``log q(s_j)``, returns

    .. math:: \log \hat Z = \log\Big(\frac1m \sum_{j=1}^m e^{z_{s_j} - \log q(s_j)}\Big)
              = \operatorname{LSE}(z_s - \log q_s) - \log m .

    ``exp`` of it is unbiased for ``Z``; it is itself biased *downward* for
    ``log Z`` (Jensen), by about ``chi2(p || q) / (2 m)`` for large ``m``.

    Parameters
    ----------
    logits : array_like
        ``z_{s_j}``, the logits of the sampled classes, along ``axis``.
    log_proposal : array_like
        ``log q(s_j)``, each ``<= 0`` (a log-probability), broadcastable
        against ``logits``.
    axis : int or None, optional
        The axis of the ``m`` samples (default: the last); ``None`` for all of
        them.
    keepdims : bool, optional
        Keep the reduced axis with length 1.

    Returns
    -------
    ndarray or numpy scalar
        ``log Z_hat``, computed in float64 and returned in the result dtype
        of the two inputs combined (integers give float64). IEEE cases follow
        :func:`softmaxlab.logsumexp` applied to ``z - log q``: a ``-inf``
        logit contributes 0; a sample with ``log q = -inf`` (it could not
        have been drawn) and a finite or ``+inf`` logit, or a ``+inf`` logit,
        gives ``+inf``; a ``-inf`` logit at ``log q = -inf`` is 0/0, nan; nan
        gives nan. With no samples (an empty axis) the estimate is undefined:
        nan.

    Raises
    ------
    TypeError
        If an argument is not a real numeric array, ``axis`` not an int or
        None, or ``keepdims`` not a bool.
    ValueError
        If the shapes do not broadcast or some ``log_proposal`` exceeds 0.
    numpy.exceptions.AxisError
        If ``axis`` is out of range.

    Examples
    --------
    >>> import numpy as np
    >>> from softmaxlab import logsumexp
    >>> from softmaxlab.importance import importance_log_partition
    >>> z = np.array([2.0, 0.0, -1.0])
    >>> p = np.exp(z - logsumexp(z))
    >>> s = np.array([0, 2])                      # any samples from the optimal proposal q = p ...
    >>> bool(np.isclose(importance_log_partition(z[s], np.log(p[s])), logsumexp(z)))   # ... give log Z exactly
    True
    >>> float(importance_log_partition([0.0, 0.0], np.log([0.5, 0.5])))   # uniform q over 2 classes: Z = 2
    0.6931471805599453
    """
    z_in = as_real_array(logits, "logits")
    lq_in = as_real_array(log_proposal, "log_proposal")
    try:
        shape = np.broadcast_shapes(z_in.shape, lq_in.shape)
    except ValueError:
        raise ValueError(
            f"logits of shape {z_in.shape} and log_proposal of shape {lq_in.shape} do not broadcast"
        ) from None
    ax = check_axis(axis, len(shape))
    keepdims = check_bool(keepdims, "keepdims")
    dtype = np.result_type(result_dtype(z_in.dtype), result_dtype(lq_in.dtype))
    lq = lq_in.astype(np.float64)
    if np.any(lq > 0):
        raise ValueError(f"log_proposal must be <= 0 (log-probabilities); found {float(lq[lq > 0].flat[0]):.6g}")
    z = np.broadcast_to(z_in.astype(np.float64), shape)
    lq = np.broadcast_to(lq, shape)
    m = math.prod(shape) if ax is None else shape[ax]
    if m == 0:
        out = np.full(_reduce_shape(shape, ax, keepdims), np.nan)
    else:
        with np.errstate(invalid="ignore"):  # z - log q = inf - inf only for a +inf logit at q = 0: nan, as IEEE
            shifted = z - lq
        out = np.asarray(logsumexp(shifted, axis=ax, keepdims=keepdims), dtype=np.float64) - math.log(m)
    with np.errstate(over="ignore"):
        out = np.asarray(out).astype(dtype)
    return out[()] if out.ndim == 0 else out


def effective_sample_size(
    log_weights: ArrayLike,
    axis: int | None = -1,
    *,
    keepdims: bool = False,
) -> np.ndarray | np.floating:
    r"""Kish's effective sample size ``(sum_j w_j)^2 / sum_j w_j^2`` of importance weights given as logs.

    ``m`` equal weights give ``m``; one weight that dominates gives about 1.
    For importance sampling from ``q`` towards ``p``, ``ESS / m`` tends to
    ``1 / (1 + chi2(p || q))``. Computed from the weights divided by the
    largest one, ``exp(log w - max log w)``, so weights far beyond the float
    range are fine (only their ratios matter).

    Parameters
    ----------
    log_weights : array_like
        ``log w_j`` along ``axis``, such as ``z_s - log q_s``.
    axis : int or None, optional
        The axis of the samples (default: the last); ``None`` for all.
    keepdims : bool, optional
        Keep the reduced axis with length 1.

    Returns
    -------
    ndarray or numpy scalar
        Between 1 and ``m`` for finite log-weights, computed in float64 and
        returned in the result dtype of ``log_weights``. ``-inf`` log-weights (zero weights) do not count;
        if every weight is zero, or there are none, nan. If some log-weights
        are ``+inf``, the number of them (they share the mass equally, as in
        :func:`softmaxlab.softmax`); nan where a log-weight is nan.

    Raises
    ------
    TypeError
        If ``log_weights`` is not a real numeric array, ``axis`` not an int or
        None, or ``keepdims`` not a bool.
    numpy.exceptions.AxisError
        If ``axis`` is out of range.

    Examples
    --------
    >>> import numpy as np
    >>> from softmaxlab.importance import effective_sample_size
    >>> float(effective_sample_size(np.zeros(8)))               # equal weights
    8.0
    >>> float(effective_sample_size([1000.0, 0.0, 0.0]))        # one weight dominates
    1.0
    >>> float(effective_sample_size([np.inf, np.inf, 0.0]))     # two infinite weights share
    2.0
    """
    lw_in = as_real_array(log_weights, "log_weights")
    ax = check_axis(axis, lw_in.ndim)
    keepdims = check_bool(keepdims, "keepdims")
    lw = lw_in.astype(np.float64)
    m = lw.size if ax is None else lw.shape[ax]
    if m == 0:
        out = np.full(_reduce_shape(lw.shape, ax, keepdims), np.nan)
    else:
        top = np.max(lw, axis=ax, keepdims=True)
        with np.errstate(invalid="ignore"):
            # shift by the largest log-weight (+inf: count the +inf weights; -inf: all zero, nan)
            finite_top = np.where(np.isfinite(top), top, 0.0)
            u = np.where(np.isposinf(top), np.where(np.isposinf(lw), 0.0, -np.inf), lw - finite_top)
            w = np.exp(u)  # <= 1, and the largest is 1: neither sum below can overflow or vanish
            out = np.sum(w, axis=ax, keepdims=True) ** 2 / np.sum(w * w, axis=ax, keepdims=True)
            out = np.where(np.isneginf(top) | np.isnan(top), np.nan, out)
        if not keepdims:
            out = out.reshape(_reduce_shape(lw.shape, ax, False))
    out = np.asarray(out).astype(result_dtype(lw_in.dtype))
    return out[()] if out.ndim == 0 else out
