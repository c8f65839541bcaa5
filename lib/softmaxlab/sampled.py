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

from softmaxlab._validation import (
    as_real_array,
    check_bool,
    check_same_shape,
    result_dtype,
    working_dtype,
)
from softmaxlab.core import log_softmax, softmax
from softmaxlab.nce import _check_log_probabilities, _promoted, _result, _rows_per_block

__all__ = ["sampled_softmax_loss", "sampled_softmax_grad"]


class _Candidates:
    """Validated arguments, and the corrected candidate logits built a block of examples at a time."""

    def __init__(self, true_logits, sampled_logits, true_log_q, sampled_log_q, correct, accidental_hits):
        t = as_real_array(true_logits, "true_logits")
        s = as_real_array(sampled_logits, "sampled_logits")
        if s.ndim == 0 or s.shape[:-1] != t.shape:
            raise ValueError(
                f"sampled_logits must have shape true_logits.shape + (m,) = {t.shape} + (m,), got {s.shape}"
            )
        correct = check_bool(correct, "correct")
        pairs = [(true_logits, t), (sampled_logits, s)]
        self.shape, m = t.shape, s.shape[-1]
        self.lq_t = self.lq_s = self.hits = None
        if correct:
            for name, value in (("true_log_q", true_log_q), ("sampled_log_q", sampled_log_q)):
                if value is None:
                    raise TypeError(
                        f"{name} is required when correct=True (pass correct=False to leave the logits uncorrected)"
                    )
            lq_t = as_real_array(true_log_q, "true_log_q")
            lq_s = as_real_array(sampled_log_q, "sampled_log_q")
            check_same_shape(t, lq_t, "true_logits", "true_log_q")
            check_same_shape(s, lq_s, "sampled_logits", "sampled_log_q")
            _check_log_probabilities(lq_t, "true_log_q")
            _check_log_probabilities(lq_s, "sampled_log_q")
            pairs += [(true_log_q, lq_t), (sampled_log_q, lq_s)]
            self.lq_t, self.lq_s = lq_t.reshape(t.size), lq_s.reshape(t.size, m)
        if accidental_hits is not None:
            hits = as_real_array(accidental_hits, "accidental_hits")
            if hits.dtype != np.bool_:
                raise TypeError(f"accidental_hits must be a boolean array, got dtype {hits.dtype}")
            check_same_shape(s, hits, "sampled_logits", "accidental_hits")
            self.hits = hits.reshape(t.size, m)
        self.dtype = _promoted(*pairs)
        self.work = working_dtype(self.dtype)
        self.t, self.s = t.reshape(t.size), s.reshape(t.size, m)
        self.step = _rows_per_block(m + 1)

    def blocks(self):
        """``(rows, candidates)`` for blocks of examples: the ``m + 1`` corrected logits, true class first."""
        for r0 in range(0, self.t.shape[0], self.step):
            rows = slice(r0, r0 + self.step)
            cand = np.concatenate([self.t[rows, None], self.s[rows]], axis=-1).astype(self.work, copy=False)
            if self.lq_t is not None:
                cand[:, 0] -= self.lq_t[rows]
                cand[:, 1:] -= self.lq_s[rows]
            if self.hits is not None:
                cand[:, 1:][self.hits[rows]] = -np.inf
            yield rows, cand


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
        ``Q`` for that example (with replacement); ``m = 0`` leaves the true
        class alone (loss 0).
    true_log_q, sampled_log_q : array_like, optional
        ``log Q(y)`` and ``log Q(s_j)``, of the shapes above: ``<= 0``, ``-inf``
        for probability 0. Required when ``correct`` is True; ignored (not
        even checked) otherwise.
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
    ndarray or numpy scalar, shape (...)
        ``-log_softmax(candidates)[..., 0]``, non-negative, with the IEEE
        semantics of :func:`softmaxlab.log_softmax` over each example's
        candidates: ``+inf`` when the true candidate is ``-inf`` or another
        one is ``+inf`` and the true one is not, ``log(count)`` when the true
        candidate is one of ``count`` candidates at ``+inf``, nan when every
        candidate is ``-inf``, when one is nan, or when a ``-inf`` logit meets
        a ``log Q = -inf`` (``-inf - (-inf)``). Other examples are unaffected;
        an empty batch gives an empty result. The dtype follows the arrays
        given (see :mod:`softmaxlab.nce`): float16 in, float16 out. As
        :func:`softmaxlab.log_softmax` is accurate for its rounded
        differences, this is for the corrected logits ``o - log Q`` rounded to
        the working dtype: a ``log Q`` far larger in size than the logits'
        differences (``-1e308``, say) leaves little of them.

    Raises
    ------
    TypeError
        If an array argument is not a real numeric array-like (``accidental_hits``
        not boolean), ``correct`` is not a bool, or a log Q is missing.
    ValueError
        If the shapes do not match, or a log Q is positive.

    Examples
    --------
    >>> import numpy as np
    >>> o = np.array([2.0, 1.0, 0.0, -1.0])       # K = 4 logits, true class 0
    >>> full = -np.log(np.exp(o[0]) / np.exp(o).sum())
    >>> # sample every other class exactly once from a uniform Q: the full loss comes back
    >>> lq = np.log(np.full(3, 1 / 4))
    >>> bool(np.isclose(sampled_softmax_loss(o[0], o[1:], np.log(1 / 4), lq), full))
    True
    >>> sampled_softmax_loss([np.inf, 1.0], [[np.inf], [np.nan]], correct=False)
    array([0.69314718,        nan])
    """
    candidates = _Candidates(true_logits, sampled_logits, true_log_q, sampled_log_q, correct, accidental_hits)
    loss = np.empty(candidates.t.shape, dtype=candidates.work)
    with np.errstate(invalid="ignore", over="ignore"):
        for rows, cand in candidates.blocks():
            loss[rows] = log_softmax(cand, axis=-1)[:, 0]
    np.negative(loss, out=loss)
    loss += 0.0  # -0.0 (a certain true class) reads 0.0
    return _result(loss.reshape(candidates.shape), candidates.dtype)


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
    grad_true : ndarray or numpy scalar, shape (...)
        In ``[-1, 0]``.
    grad_sampled : ndarray, shape (..., m)
        In ``[0, 1]``; 0 for accidental hits. ``w`` follows the IEEE semantics
        of :func:`softmaxlab.softmax` over each example's candidates
        (``+inf`` candidates share the mass; nan for an example whose
        candidates are all ``-inf`` or hold a nan, in every entry of that
        example).

    Raises
    ------
    TypeError, ValueError
        As in :func:`sampled_softmax_loss`.

    Examples
    --------
    >>> import numpy as np
    >>> gt, gs = sampled_softmax_grad(0.0, [0.0, 0.0], correct=False)
    >>> float(gt), np.round(gs, 6)
    (-0.6666666666666667, array([0.333333, 0.333333]))
    """
    candidates = _Candidates(true_logits, sampled_logits, true_log_q, sampled_log_q, correct, accidental_hits)
    rdtype = result_dtype(candidates.dtype)
    grad_true = np.empty(candidates.t.shape, dtype=candidates.work)
    grad_sampled = np.empty(candidates.s.shape, dtype=rdtype)
    with np.errstate(invalid="ignore", over="ignore"):
        for rows, cand in candidates.blocks():
            w = softmax(cand, axis=-1)
            grad_true[rows] = w[:, 0] - 1
            grad_sampled[rows] = w[:, 1:]
    shape = candidates.shape
    return _result(grad_true.reshape(shape), candidates.dtype), grad_sampled.reshape(
        *shape, grad_sampled.shape[-1]
    )
