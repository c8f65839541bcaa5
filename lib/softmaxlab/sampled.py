"""Sampled softmax: the cross-entropy over the true class and a few sampled classes.

The gradient of ``-log softmax(o)_y`` with respect to the logits is
``softmax(o) - e_y``: the expectation ``E_{k ~ p}[e_k]`` costs a sum over all
``K`` classes. Sampled softmax (Bengio and Senecal, 2008; Jean et al., 2015)
draws ``m`` classes ``s_1, ..., s_m`` from a cheap proposal ``Q`` and computes
the softmax cross-entropy over the ``m + 1`` candidates ``{y, s_1, ..., s_m}``
with each logit corrected by the log of its proposal probability:

    loss = -log [ exp(o_y - log Q(y)) / (exp(o_y - log Q(y)) + sum_j exp(o_{s_j} - log Q(s_j))) ].

The correction ``-log Q`` is importance weighting: it makes the sampled
normaliser a self-normalised importance-sampling estimate of the full one,
so the gradient is consistent (its bias shrinks like ``1 / m``) for any
proposal; without it the estimate is biased towards ``Q`` unless ``Q`` is
uniform. The cost per example is ``O(m)`` logits instead of ``O(K)``.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from softmaxlab._validation import as_real_array, result_dtype, working_dtype
from softmaxlab.core import log_softmax, softmax

__all__ = ["sampled_softmax_loss", "sampled_softmax_grad"]


def _candidates(true_logits, sampled_logits, true_log_q, sampled_log_q, correct, accidental_hits):
    """The ``m + 1`` corrected candidate logits, true class first; shape (..., m + 1)."""
    t = as_real_array(true_logits, "true_logits")
    s = as_real_array(sampled_logits, "sampled_logits")
    if s.ndim == 0 or s.shape[:-1] != t.shape:
        raise ValueError(
            f"sampled_logits must have shape true_logits.shape + (m,) = {t.shape} + (m,), got {s.shape}"
        )
    if not isinstance(correct, (bool, np.bool_)):
        raise TypeError(f"correct must be True or False, got {correct!r}")
    work = np.result_type(working_dtype(t.dtype), working_dtype(s.dtype))
    cand = np.concatenate([t[..., None], s], axis=-1).astype(work)
    if correct:
        lq_t = as_real_array(true_log_q, "true_log_q")
        lq_s = as_real_array(sampled_log_q, "sampled_log_q")
        if lq_t.shape != t.shape:
            raise ValueError(f"true_log_q must have the shape of true_logits, {t.shape}, got {lq_t.shape}")
        if lq_s.shape != s.shape:
            raise ValueError(f"sampled_log_q must have the shape of sampled_logits, {s.shape}, got {lq_s.shape}")
        if np.any(lq_t > 0) or np.any(lq_s > 0):
            raise ValueError("true_log_q and sampled_log_q are log-probabilities and must be <= 0")
        cand[..., 0] -= lq_t
        cand[..., 1:] -= lq_s
    if accidental_hits is not None:
        hits = np.asarray(accidental_hits)
        if hits.dtype != np.bool_ or hits.shape != s.shape:
            raise ValueError(
                f"accidental_hits must be a boolean array of the shape of sampled_logits, {s.shape}, "
                f"got dtype {hits.dtype} and shape {hits.shape}"
            )
        cand[..., 1:][hits] = -np.inf
    return cand, result_dtype(work)


def sampled_softmax_loss(
    true_logits: ArrayLike,
    sampled_logits: ArrayLike,
    true_log_q: ArrayLike | None = None,
    sampled_log_q: ArrayLike | None = None,
    *,
    correct: bool = True,
    accidental_hits: ArrayLike | None = None,
) -> np.ndarray:
    r"""Per-example sampled softmax cross-entropy over the true class and ``m`` sampled classes.

    Parameters
    ----------
    true_logits : array_like, shape (...)
        The logit ``o_y`` of each example's true class.
    sampled_logits : array_like, shape (..., m)
        The logits ``o_{s_j}`` of the ``m`` classes drawn from the proposal
        ``Q`` for that example (with replacement).
    true_log_q, sampled_log_q : array_like, optional
        ``log Q(y)`` and ``log Q(s_j)``, of the shapes above. Required when
        ``correct`` is True; ignored otherwise.
    correct : bool, optional
        Subtract ``log Q`` from every candidate logit (default True). Without
        it the loss is the plain softmax over the candidates, whose gradient
        is biased unless ``Q`` is uniform.
    accidental_hits : array_like of bool, optional
        Shape (..., m): True where a sampled class equals the true class.
        Those candidates are dropped (their logit set to ``-inf``), as
        TensorFlow's ``remove_accidental_hits`` does.

    Returns
    -------
    ndarray, shape (...)
        ``-log_softmax(candidates)[..., 0]``.

    Examples
    --------
    >>> import numpy as np
    >>> o = np.array([2.0, 1.0, 0.0, -1.0])       # K = 4 logits, true class 0
    >>> full = -np.log(np.exp(o[0]) / np.exp(o).sum())
    >>> # sample every other class exactly once from a uniform Q: the full loss comes back
    >>> lq = np.log(np.full(3, 1 / 4))
    >>> bool(np.isclose(sampled_softmax_loss(o[0], o[1:], np.log(1 / 4), lq), full))
    True
    """
    cand, rdtype = _candidates(true_logits, sampled_logits, true_log_q, sampled_log_q, correct, accidental_hits)
    return np.asarray(-log_softmax(cand, axis=-1)[..., 0]).astype(rdtype, copy=False)


def sampled_softmax_grad(
    true_logits: ArrayLike,
    sampled_logits: ArrayLike,
    true_log_q: ArrayLike | None = None,
    sampled_log_q: ArrayLike | None = None,
    *,
    correct: bool = True,
    accidental_hits: ArrayLike | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    r"""Gradient of :func:`sampled_softmax_loss` with respect to the true and the sampled logits.

    With ``w = softmax(candidates)`` (the corrected candidate logits), the
    gradient is ``w - e_0``: ``w_0 - 1`` for the true logit and ``w_j`` for
    each sampled logit; the correction is a constant shift of each logit, so
    it changes ``w`` but adds no term. A class drawn several times receives
    the sum of its entries when scattered back to the ``K`` classes.

    Parameters
    ----------
    true_logits, sampled_logits, true_log_q, sampled_log_q, correct, accidental_hits
        As in :func:`sampled_softmax_loss`.

    Returns
    -------
    grad_true : ndarray, shape (...)
    grad_sampled : ndarray, shape (..., m)

    Examples
    --------
    >>> import numpy as np
    >>> gt, gs = sampled_softmax_grad(0.0, [0.0, 0.0], correct=False)
    >>> float(gt), np.round(gs, 6)
    (-0.6666666666666667, array([0.333333, 0.333333]))
    """
    cand, rdtype = _candidates(true_logits, sampled_logits, true_log_q, sampled_log_q, correct, accidental_hits)
    w = softmax(cand, axis=-1)
    grad_true = np.asarray(w[..., 0] - 1).astype(rdtype, copy=False)
    return (grad_true[()] if grad_true.ndim == 0 else grad_true), w[..., 1:].astype(rdtype, copy=False)
