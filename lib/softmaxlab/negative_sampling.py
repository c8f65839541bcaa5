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

import math

import numpy as np
from numpy.typing import ArrayLike

from softmaxlab._logistic import sigmoid
from softmaxlab._validation import (
    as_real_array,
    check_int,
    check_real,
    result_dtype,
    working_dtype,
)
from softmaxlab.core import log_softmax, softmax
from softmaxlab.nce import _map_blocks, _promoted, _result, _rows_per_block

__all__ = ["unigram_noise", "negative_sampling_loss", "negative_sampling_grad", "shifted_pmi"]

_TINY = np.finfo(np.float64).tiny


def _check_counts(counts: ArrayLike, name: str, ndim: int) -> tuple[np.ndarray, np.dtype]:
    """Non-empty, finite, non-negative counts of ``ndim`` dimensions, as float64 (a view when they are float64)."""
    arr = as_real_array(counts, name)
    if arr.ndim != ndim or arr.size == 0:
        raise ValueError(f"{name} must be a non-empty {ndim}-D array, got shape {arr.shape}")
    c = np.asarray(arr, dtype=np.float64)
    if not np.isfinite(c).all() or (c < 0).any():
        bad = c[~(np.isfinite(c) & (c >= 0))][0]
        raise ValueError(f"{name} must be finite (in float64) and non-negative, got {bad!r}")
    return c, arr.dtype


def _log_ratios(m: np.ndarray, e: np.ndarray) -> np.ndarray:
    """``log(v / max(v))`` for non-negative values ``v = m * 2**e`` given as mantissas and exponents.

    Nothing overflows, and a ratio below the smallest normal float is taken as
    ``log(m / m_max) + (e - e_max) log 2`` rather than rounded; a zero ``v`` gives ``-inf``.
    """
    with np.errstate(divide="ignore", under="ignore"):
        top = np.argmax(e + np.log2(m))  # log2 of each value; -inf for a zero
        r = m / m[top]
        shift = e - e[top]
        logs = np.log(np.ldexp(r, shift))
        small = (r > 0) & (logs < np.log(_TINY))
        if small.any():
            logs[small] = np.log(r[small]) + shift[small] * np.log(2.0)
    return logs


def _sums(n: np.ndarray, axis: int) -> tuple[np.ndarray, np.ndarray]:
    """The sums of ``n`` along ``axis`` as mantissas and exponents, ``m * 2**e``, so none overflows.

    Each line is scaled by a power of two near its own largest entry, so a line
    of tiny entries keeps them.
    """
    _, scale = np.frexp(n.max(axis=axis, keepdims=True))
    m, e = np.frexp(np.ldexp(n, -scale).sum(axis=axis))
    return m, e + scale.reshape(-1)


def _unigram(c: np.ndarray, power: float) -> np.ndarray:
    """``c ** power / sum(c ** power)`` in float64 for finite non-negative ``c`` with a positive entry."""
    if power == 0:
        return np.ones_like(c) / c.size
    with np.errstate(over="ignore", under="ignore"):
        w = np.power(c, power)  # 0 ** power = 0
        total = w.sum()
        smallest = np.min(c, where=c > 0, initial=np.inf) ** power
    if np.isfinite(total) and smallest >= _TINY:
        w /= total  # every weight a normal number: the direct formula is accurate
        return w
    # in log space, relative to the largest count: power * log(c / c_max) <= 0, 0 for the largest
    with np.errstate(invalid="ignore", over="ignore"):
        return softmax(power * _log_ratios(*np.frexp(c)))


def unigram_noise(counts: ArrayLike, power: float = 0.75) -> np.ndarray:
    """The noise distribution ``counts ** power / sum(counts ** power)``.

    ``power = 1`` is the unigram distribution, ``0`` the uniform one; word2vec's
    ``3/4`` sits between, raising the probability of rare words relative to
    frequent ones.

    Parameters
    ----------
    counts : array_like, shape (V,)
        Non-negative finite occurrence counts, not all zero. Computed in
        float64; the result has the dtype of a float ``counts`` (float16 and
        long double included), float64 for integer counts.
    power : float, optional
        Non-negative finite exponent (default 0.75).

    Returns
    -------
    ndarray, shape (V,)
        Probabilities summing to 1; zero counts get 0 (for ``power > 0``; with
        ``power = 0`` every entry gets ``1 / V``). Where ``counts ** power``
        would overflow or underflow (large counts or a large power) the
        weights are formed in log space, so the result stays accurate: with a
        huge power the mass goes to the largest counts, shared equally among
        equal ones, and a probability below the smallest float is 0.

    Raises
    ------
    TypeError
        If ``counts`` is not a real numeric array-like, or ``power`` not a real number.
    ValueError
        If ``counts`` is not 1-D and non-empty, has a negative, nan or
        infinite entry, or is all zero, or if ``power`` is negative, nan or
        infinite.

    Examples
    --------
    >>> import numpy as np
    >>> np.round(unigram_noise([90, 9, 1]), 4)
    array([0.825 , 0.1467, 0.0282])
    >>> unigram_noise([90, 9, 1], power=1.0)
    array([0.9 , 0.09, 0.01])
    >>> unigram_noise([1e200, 1e100], power=2.0)        # 1e400 would overflow
    array([1.e+000, 1.e-200])
    """
    c, dtype = _check_counts(counts, "counts", 1)
    power = check_real(power, "power", nonnegative=True)
    if not np.any(c > 0):
        raise ValueError("counts must not be all zero")
    return _result(_unigram(c, power), dtype)


def _check_pair(pos_scores, neg_scores):
    pos = as_real_array(pos_scores, "pos_scores")
    neg = as_real_array(neg_scores, "neg_scores")
    if neg.ndim == 0 or neg.shape[:-1] != pos.shape:
        raise ValueError(f"neg_scores must have shape pos_scores.shape + (k,) = {pos.shape} + (k,), got {neg.shape}")
    dtype = _promoted((pos_scores, pos), (neg_scores, neg))
    return pos, neg, dtype, working_dtype(dtype)


def negative_sampling_loss(pos_scores: ArrayLike, neg_scores: ArrayLike) -> np.ndarray:
    r"""Per-example negative-sampling loss ``-log sigmoid(x_pos) - sum_j log sigmoid(-x_neg_j)``.

    Computed as ``log(1 + exp(-x_pos)) + sum_j log(1 + exp(x_neg_j))`` with
    ``numpy.logaddexp``, so no finite score overflows and small losses keep
    their relative accuracy.

    Parameters
    ----------
    pos_scores : array_like, shape (...)
        Scores ``w . c`` of the observed (word, context) pairs.
    neg_scores : array_like, shape (..., k)
        Scores of the ``k`` negative pairs drawn for each observed pair
        (``k = 0`` leaves the positive term alone).

    Returns
    -------
    ndarray or numpy scalar, shape (...)
        Non-negative; in the dtype of the scores (see :mod:`softmaxlab.nce`
        for the dtype rules). ``+inf`` when ``x_pos = -inf`` or some
        ``x_neg = +inf``, nan when a score of the example is nan; other
        examples are unaffected. An empty batch gives an empty result.

    Raises
    ------
    TypeError
        If a score array is not a real numeric array-like.
    ValueError
        If ``neg_scores`` does not have shape ``pos_scores.shape + (k,)``.

    Examples
    --------
    >>> import numpy as np
    >>> float(np.round(negative_sampling_loss(0.0, [0.0, 0.0]), 6))   # 3 log 2
    2.079442
    """
    pos, neg, dtype, work = _check_pair(pos_scores, neg_scores)
    k = neg.shape[-1]
    neg2 = neg.reshape(pos.size, k)
    loss = np.empty(pos.size, dtype=work)
    step = _rows_per_block(k)
    with np.errstate(invalid="ignore", over="ignore"):  # a sum beyond the float range is inf
        np.logaddexp(0, np.negative(pos.reshape(-1), dtype=work), out=loss)
        for r0 in range(0, pos.size, step):
            rows = slice(r0, r0 + step)
            loss[rows] += np.logaddexp(0, neg2[rows], dtype=work).sum(axis=-1)
    return _result(loss.reshape(pos.shape), dtype)


def negative_sampling_grad(pos_scores: ArrayLike, neg_scores: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    r"""Gradient of :func:`negative_sampling_loss`: ``-sigmoid(-x_pos)`` and ``sigmoid(x_neg_j)``.

    Parameters
    ----------
    pos_scores, neg_scores
        As in :func:`negative_sampling_loss`.

    Returns
    -------
    grad_pos : ndarray or numpy scalar, shape (...)
        In ``[-1, 0]``.
    grad_neg : ndarray, shape (..., k)
        In ``[0, 1]``. Elementwise: an infinite score gives the limit (0 or
        1 in size), a nan score nan in its own entry only.

    Raises
    ------
    TypeError, ValueError
        As in :func:`negative_sampling_loss`.

    Examples
    --------
    >>> gp, gn = negative_sampling_grad(0.0, [0.0, 0.0])
    >>> float(gp), gn.tolist()
    (-0.5, [0.5, 0.5])
    """
    pos, neg, dtype, work = _check_pair(pos_scores, neg_scores)
    rdtype = result_dtype(dtype)
    with np.errstate(invalid="ignore"):
        grad_pos = _map_blocks(lambda x: -sigmoid(-x), [pos], work, rdtype)
        grad_neg = _map_blocks(sigmoid, [neg], work, rdtype)
    return _result(grad_pos, dtype), _result(grad_neg, dtype)


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
    whose context never occurs (``P_n(c) = 0``, for ``power > 0``) give nan.

    Parameters
    ----------
    cooccurrence : array_like, shape (W, C)
        Non-negative finite co-occurrence counts; every row must have a
        positive sum. Computed in float64; the result has the dtype of a float
        table (float16 and long double included), float64 for integer counts.
    k : int
        Negatives per observed pair, ``k >= 1`` (any size: ``log k`` is taken
        of the exact integer).
    power : float, optional
        Non-negative finite exponent of the context noise distribution (default 0.75).

    Returns
    -------
    ndarray, shape (W, C)
        Finite wherever ``N[w, c] > 0`` (unless the value itself is beyond
        the float range, as a power near the float maximum can make it):
        sums that would overflow (counts near the float maximum) and noise
        probabilities that would underflow (a large power) are taken in log
        space. Where ``N / (N_w P_n)`` leaves the float range the value is
        formed from logarithms, accurate to about ``1e-16`` times their size
        (``log N``, ``log N_w`` and ``log P_n``) rather than to a few ulp.

    Raises
    ------
    TypeError
        If ``cooccurrence`` is not a real numeric array-like, ``k`` not an
        integer or ``power`` not a real number.
    ValueError
        If ``cooccurrence`` is not 2-D and non-empty, has a negative, nan or
        infinite entry, or a row summing to 0; if ``k < 1``; if ``power`` is
        negative, nan or infinite.

    Examples
    --------
    >>> import numpy as np
    >>> N = np.array([[10.0, 0.0], [5.0, 5.0]])
    >>> np.round(shifted_pmi(N, k=1, power=1.0), 4)      # log(N D / (N_w N_c))
    array([[ 0.2877,    -inf],
           [-0.4055,  0.6931]])
    >>> bool(np.allclose(shifted_pmi(N * 1e307, k=1, power=1.0), shifted_pmi(N, k=1, power=1.0)))
    True
    """
    n, dtype = _check_counts(cooccurrence, "cooccurrence", 2)
    k = check_int(k, "k", minimum=1)
    power = check_real(power, "power", nonnegative=True)
    with np.errstate(over="ignore", under="ignore", divide="ignore", invalid="ignore"):
        rows, cols = n.sum(axis=1), n.sum(axis=0)
        if np.any(rows == 0):
            raise ValueError("cooccurrence must have a positive sum in every row (every word must occur)")
        # row sums as m 2^e (rescaled where a sum overflowed), so N / N_w = (N 2^-e) / m never overflows
        m_rows, e_rows = np.frexp(rows) if np.all(np.isfinite(rows)) else _sums(n, axis=1)
        log_rows = np.log(m_rows) + e_rows * np.log(2.0)
        noise = None
        if np.all(np.isfinite(cols)):
            noise = _unigram(cols, power)
            log_noise = np.log(noise)  # zero columns: -inf
        if noise is None or np.any(noise[cols > 0] < _TINY):  # in log space instead
            if power == 0:
                log_noise = np.full(cols.shape, -np.log(np.float64(cols.size)))
            else:
                log_noise = log_softmax(power * _log_ratios(*_sums(n, axis=0)))
            noise = np.exp(log_noise)
        tiny_noise = (noise < _TINY) & (cols > 0)  # such columns are done from the logs
        log_k = np.log(np.float64(k)) if k < 2**1000 else math.log(k)
        out = np.empty(n.shape, dtype=result_dtype(dtype))
        step = _rows_per_block(n.shape[1])
        for r0 in range(0, n.shape[0], step):
            rows_ = slice(r0, r0 + step)
            block = n[rows_]
            # x + log k = log(N / (N_w P_n)): one log of a ratio, accurate even where x is near 0
            ratio = np.ldexp(block, -e_rows[rows_, None])
            ratio /= m_rows[rows_, None]
            redo = ratio < _TINY  # N / N_w underflowed (or N = 0)
            ratio /= noise
            redo |= (ratio < _TINY) | (ratio == np.inf) | tiny_noise
            redo &= block > 0
            x = np.log(ratio)  # N = 0: -inf; a context that never occurs: 0/0 = nan
            if redo.any():  # the same from logs, where a ratio left the normal range
                x[redo] = (np.log(block) - log_rows[rows_, None] - log_noise)[redo]
            x -= log_k
            out[rows_] = x
    return out
