"""Negative sampling (word2vec): logistic regression of true pairs against sampled negatives.

Skip-gram with negative sampling (Mikolov et al., 2013) scores a (word,
context) pair by ``x = w . c`` and, for each observed pair, draws ``k``
negative contexts from the noise distribution ``P_n(c) proportional to
count(c) ** 0.75`` (the unigram distribution flattened by the power 3/4):

    loss = -log sigmoid(x_pos) - sum_{j=1..k} log sigmoid(-x_neg_j).

It is NCE with the ``log(k q)`` term dropped from the log-odds (NCE with
``k q(x) = 1`` for every ``x``), which is why it does *not* learn a
normalised model. Levy and Goldberg (2014) showed what it does learn: when
the scores are unconstrained, the expected loss is minimised at the
*shifted pointwise mutual information*

    x(w, c) = log [ P(w, c) / (P(w) P_n(c)) ] - log k,

which :func:`shifted_pmi` computes from a co-occurrence table.
"""

from __future__ import annotations

from numbers import Real

import numpy as np
from numpy.typing import ArrayLike

from softmaxlab._logistic import log_sigmoid, sigmoid
from softmaxlab._validation import as_real_array, result_dtype, working_dtype

__all__ = ["unigram_noise", "negative_sampling_loss", "negative_sampling_grad", "shifted_pmi"]


def _check_power(power: float) -> float:
    if isinstance(power, (bool, np.bool_)) or not isinstance(power, (Real, np.floating, np.integer)):
        raise TypeError(f"power must be a real number, got {power!r}")
    if not np.isfinite(power) or power < 0:
        raise ValueError(f"power must be finite and non-negative, got {power!r}")
    return float(power)


def _check_counts(counts: ArrayLike, name: str, ndim: int) -> np.ndarray:
    c = as_real_array(counts, name).astype(np.float64)
    if c.ndim != ndim or c.size == 0:
        raise ValueError(f"{name} must be a non-empty {ndim}-D array, got shape {c.shape}")
    if not np.all(np.isfinite(c)) or np.any(c < 0):
        raise ValueError(f"{name} must be finite and non-negative")
    return c


def unigram_noise(counts: ArrayLike, power: float = 0.75) -> np.ndarray:
    """The noise distribution ``counts ** power / sum(counts ** power)``.

    ``power = 1`` is the unigram distribution, ``0`` the uniform one; word2vec's
    ``3/4`` sits between, raising the probability of rare words relative to
    frequent ones.

    Parameters
    ----------
    counts : array_like, shape (V,)
        Non-negative occurrence counts, not all zero.
    power : float, optional
        Non-negative exponent (default 0.75).

    Returns
    -------
    ndarray, shape (V,)
        Probabilities summing to 1; zero counts get 0 (for ``power > 0``).

    Examples
    --------
    >>> import numpy as np
    >>> np.round(unigram_noise([90, 9, 1]), 4)
    array([0.825 , 0.1467, 0.0282])
    >>> unigram_noise([90, 9, 1], power=1.0)
    array([0.9 , 0.09, 0.01])
    """
    c = _check_counts(counts, "counts", 1)
    power = _check_power(power)
    if not c.sum() > 0:
        raise ValueError("counts must not be all zero")
    w = np.where(c > 0, c**power, 0.0) if power > 0 else np.ones_like(c)
    return w / w.sum()


def _check_pair(pos_scores, neg_scores):
    pos = as_real_array(pos_scores, "pos_scores")
    neg = as_real_array(neg_scores, "neg_scores")
    if neg.ndim == 0 or neg.shape[:-1] != pos.shape:
        raise ValueError(f"neg_scores must have shape pos_scores.shape + (k,) = {pos.shape} + (k,), got {neg.shape}")
    work = np.result_type(working_dtype(pos.dtype), working_dtype(neg.dtype))
    return pos.astype(work, copy=False), neg.astype(work, copy=False), result_dtype(work)


def negative_sampling_loss(pos_scores: ArrayLike, neg_scores: ArrayLike) -> np.ndarray:
    r"""Per-example negative-sampling loss ``-log sigmoid(x_pos) - sum_j log sigmoid(-x_neg_j)``.

    Parameters
    ----------
    pos_scores : array_like, shape (...)
        Scores ``w . c`` of the observed (word, context) pairs.
    neg_scores : array_like, shape (..., k)
        Scores of the ``k`` negative pairs drawn for each observed pair.

    Returns
    -------
    ndarray, shape (...)

    Examples
    --------
    >>> import numpy as np
    >>> float(np.round(negative_sampling_loss(0.0, [0.0, 0.0]), 6))   # 3 log 2
    2.079442
    """
    pos, neg, rd = _check_pair(pos_scores, neg_scores)
    loss = np.asarray(-log_sigmoid(pos) - log_sigmoid(-neg).sum(axis=-1)).astype(rd, copy=False)
    return loss[()] if loss.ndim == 0 else loss


def negative_sampling_grad(pos_scores: ArrayLike, neg_scores: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    r"""Gradient of :func:`negative_sampling_loss`: ``-sigmoid(-x_pos)`` and ``sigmoid(x_neg_j)``.

    Parameters
    ----------
    pos_scores, neg_scores
        As in :func:`negative_sampling_loss`.

    Returns
    -------
    grad_pos : ndarray, shape (...)
    grad_neg : ndarray, shape (..., k)

    Examples
    --------
    >>> gp, gn = negative_sampling_grad(0.0, [0.0, 0.0])
    >>> float(gp), gn.tolist()
    (-0.5, [0.5, 0.5])
    """
    pos, neg, rd = _check_pair(pos_scores, neg_scores)
    gp = np.asarray(-sigmoid(-pos)).astype(rd, copy=False)
    return (gp[()] if gp.ndim == 0 else gp), np.asarray(sigmoid(neg)).astype(rd, copy=False)


def shifted_pmi(cooccurrence: ArrayLike, k: int, power: float = 0.75) -> np.ndarray:
    r"""The minimiser of the expected negative-sampling loss with free scores: ``PMI - log k``.

    For a table ``N[w, c]`` of (word, context) counts, ``k`` negatives per
    pair and contexts drawn from ``P_n = unigram_noise(N.sum(axis=0), power)``,
    the expected loss is a sum over cells of
    ``N[w, c] * (-log sigmoid(x)) + k N[w, :].sum() P_n(c) * (-log sigmoid(-x))``,
    minimised cell by cell at

        x(w, c) = log( N[w, c] / (N[w, :].sum() * P_n(c)) ) - log k

    (Levy and Goldberg, 2014); with ``power = 1`` this is
    ``PMI(w, c) - log k``. Cells with no co-occurrence give ``-inf``; cells
    whose context never occurs (``P_n(c) = 0``) give nan.

    Parameters
    ----------
    cooccurrence : array_like, shape (W, C)
        Non-negative co-occurrence counts; every row must have a positive sum.
    k : int
        Negatives per observed pair, ``k >= 1``.
    power : float, optional
        Exponent of the context noise distribution (default 0.75).

    Returns
    -------
    ndarray, shape (W, C)

    Examples
    --------
    >>> import numpy as np
    >>> N = np.array([[10.0, 0.0], [5.0, 5.0]])
    >>> np.round(shifted_pmi(N, k=1, power=1.0), 4)      # log(N D / (N_w N_c))
    array([[ 0.2877,    -inf],
           [-0.4055,  0.6931]])
    """
    n = _check_counts(cooccurrence, "cooccurrence", 2)
    if isinstance(k, (bool, np.bool_)) or not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"k must be a positive int, got {k!r}")
    rows = n.sum(axis=1, keepdims=True)
    if np.any(rows == 0):
        raise ValueError("cooccurrence must have a positive sum in every row (every word must occur)")
    noise = unigram_noise(n.sum(axis=0), power)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.log(n) - np.log(rows) - np.log(noise) - np.log(k)
