"""Information measures and the losses built on softmax.

Entropy ``H(p) = -sum p log p``, cross-entropy ``H(p, q) = -sum p log q`` and
the Kullback-Leibler divergence ``KL(p || q) = sum p log(p / q)`` satisfy
``H(p, q) = H(p) + KL(p || q)``. Training a classifier minimises the
cross-entropy between the targets and ``softmax(logits)``; this module computes
it *fused*, from :func:`softmaxlab.log_softmax`, so it is finite wherever the
logits are, and gives its gradient ``softmax(logits) - targets``.

Conventions: natural logarithms (nats); ``0 log 0 = 0``; targets are either
integer class labels (0-based) or probability vectors along ``axis``.

Every function works a block of slices at a time (about 64 Ki elements), so
its temporaries are of the size of a block, not of the input; the functions
that return an array of the input's shape write into it block by block.
Probability arguments are checked as they are read: entries ``>= 0`` summing
to 1 along ``axis`` within rounding (``max(sqrt(eps), 4 K eps)`` with the
``eps`` of their dtype); a nan entry is let through and makes its own slice nan.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from softmaxlab._validation import (
    as_real_array,
    check_axis,
    check_same_shape,
    flatten_if_axis_none,
    result_dtype,
    result_in_input_dtype,
    working_dtype,
)
from softmaxlab.core import log_softmax, logsumexp, softmax
from softmaxlab.derivatives import _BLOCK_ELEMENTS, _slice_blocks, _times_jacobian

__all__ = [
    "entropy",
    "cross_entropy",
    "cross_entropy_grad",
    "kl_divergence",
    "binary_cross_entropy_with_logits",
    "softmax_squared_error",
    "softmax_squared_error_grad",
]

_REDUCTIONS = ("mean", "sum", "none")

#: ``p - y`` is taken as ``(1 - y_k) - sum_{j != k} p_j`` where ``1 - p_k`` is below this
#: (:func:`_residual`); above it, ``p_k - y_k`` as rounded is within ``2**-46`` relative,
#: and exactly the ``softmax(z) - y`` of the textbook formula.
_NEAR_ONE = 2.0**-7

#: ``atanh(t) - t = t^3 sum_j t^(2j) / (2j + 3)``: 13 terms reach 1e-18 relative for ``|t| <= 0.2``.
_ATANH_TAIL = tuple(1.0 / (2 * j + 3) for j in range(13))


# --------------------------------------------------------------------------- checks


def _check_reduction(reduction: str) -> str:
    if not isinstance(reduction, str):
        raise TypeError(f"reduction must be one of {_REDUCTIONS} (a string), got {reduction!r}")
    if reduction not in _REDUCTIONS:
        raise ValueError(f"reduction must be one of {_REDUCTIONS}, got {reduction!r}")
    return reduction


def _sum_tolerance(dtype: np.dtype, k: int) -> float:
    """How far from 1 a sum of ``k`` probabilities stored in ``dtype`` may drift by rounding
    alone: ``max(sqrt(eps), 4 k eps)`` with the ``eps`` of ``dtype`` (of float64 for integers),
    so float16 probabilities rounded from exact ones pass."""
    eps = float(np.finfo(dtype if dtype.kind == "f" else np.float64).eps)
    return max(np.sqrt(eps), 4 * k * eps)


def _start(index: tuple, local: tuple) -> tuple[int, ...]:
    """The index in the whole array of entry ``local`` of the block ``array[index]``."""
    return tuple(int(i) + (s.start or 0) for i, s in zip(local, index))


def _drop(index: tuple, axis: int) -> tuple:
    """A block index without its ``axis`` entry: the block of a reduction's result."""
    return index[:axis] + index[axis + 1 :]


def _chunks(index: tuple, axis: int, length: int) -> list[tuple]:
    """Block ``index`` cut along ``axis`` (of ``length``) into pieces of at most a block."""
    if length <= _BLOCK_ELEMENTS:
        return [index]
    return [index[:axis] + (slice(s, s + _BLOCK_ELEMENTS),) + index[axis + 1 :]
            for s in range(0, length, _BLOCK_ELEMENTS)]


def _check_nonnegative(w: np.ndarray, index: tuple, name: str) -> None:
    """Raise a ValueError naming ``name`` if the block ``w = array[index]`` has a negative entry."""
    negative = w < 0
    if negative.any():
        local = tuple(np.argwhere(negative)[0])
        raise ValueError(
            f"{name} must be non-negative probabilities; found {float(w[local]):.6g} at index {_start(index, local)}"
        )


def _check_sums(total: np.ndarray, index: tuple, name: str, axis: int | None, tol: float) -> None:
    """Raise a ValueError naming ``name`` if a sum in ``total`` (the block ``index`` of the
    slice sums) is not 1 within ``tol``; a nan sum (a nan entry) passes."""
    bad = np.abs(total - 1) > tol
    if np.any(bad):
        local = tuple(np.argwhere(np.atleast_1d(bad))[0]) if np.ndim(bad) else ()
        at = f" (batch index {_start(index, local)})" if local else ""
        raise ValueError(
            f"{name} must sum to 1 along axis {axis}; a slice{at} sums to {float(np.asarray(total)[local]):.6g}"
        )


def _logits_and_targets(logits: ArrayLike, labels: ArrayLike, axis: int) -> tuple[np.ndarray, int, np.ndarray, bool]:
    """Validate a (logits, labels) pair.

    Returns ``(logits, axis, targets, integer)``: integer labels come back with
    the axis re-inserted (length 1, for ``take_along_axis``); probability
    targets come back as they are (a real array of the shape of ``logits``),
    to be checked block by block with :func:`_targets_block`.
    """
    z = as_real_array(logits, "logits")
    if z.ndim == 0:
        raise ValueError("logits must have at least one dimension (the class axis)")
    if axis is None:
        raise TypeError("axis must be an int (the class axis of logits), got None")
    ax = check_axis(axis, z.ndim)
    k = z.shape[ax]
    batch = z.shape[:ax] + z.shape[ax + 1 :]
    y = as_real_array(labels, "labels")
    if y.dtype.kind in "iu":
        if y.shape != batch:
            raise ValueError(
                f"labels has shape {y.shape}, but logits of shape {z.shape} with axis={axis} need "
                f"integer labels of shape {batch} (or probability targets of shape {z.shape})"
            )
        out_of_range = (y < 0) | (y >= k)
        if np.any(out_of_range):
            bad = y[out_of_range].reshape(-1)[0]
            raise ValueError(f"labels must be class indices in [0, {k}); found {int(bad)}")
        return z, ax, np.expand_dims(y.astype(np.intp, copy=False), ax), True
    if y.dtype.kind == "f":
        if y.shape != z.shape:
            raise ValueError(
                f"labels of floating dtype are probability targets and must have the shape {z.shape} "
                f"of logits, got {y.shape} (integer class labels need an integer dtype)"
            )
        return z, ax, y, False
    raise TypeError(
        f"labels must be integer class indices or floating probability targets, got dtype {y.dtype}"
    )


def _targets_block(y: np.ndarray, index: tuple, axis: int, given_axis: int, dtype: np.dtype) -> np.ndarray:
    """Block ``index`` of probability targets ``y`` in ``dtype``, checked (a ValueError naming labels)."""
    yb = y[index]
    _check_nonnegative(yb, index, "labels")
    tol = _sum_tolerance(y.dtype, y.shape[axis])
    _check_sums(np.sum(yb, axis=axis, dtype=working_dtype(y.dtype)), _drop(index, axis), "labels", given_axis, tol)
    return yb.astype(dtype, copy=False)


def _reduce(loss: np.ndarray, reduction: str, input_dtype: np.dtype) -> np.ndarray | np.floating:
    """Per-sample losses (in the working dtype) reduced, in the result dtype of ``input_dtype``."""
    if reduction == "sum":
        loss = np.asarray(np.sum(loss, dtype=loss.dtype))
    elif reduction == "mean":  # the mean of no losses is nan
        loss = np.asarray(np.mean(loss, dtype=loss.dtype) if loss.size else np.nan, dtype=loss.dtype)
    return result_in_input_dtype(loss, input_dtype)


def _residual(p: np.ndarray, y: np.ndarray, axis: int, integer: bool) -> np.ndarray:
    """``p - y`` along ``axis``, in place in ``p`` (a fresh array or a view of the output):
    integer labels ``y`` (with ``axis`` of length 1) or probability targets.

    Where the largest probability ``p_k`` is within :data:`_NEAR_ONE` of 1 and
    ``y_k`` exceeds 1/2, ``p_k - y_k`` is computed as
    ``(1 - y_k) - sum_{j != k} p_j``: ``p_k`` is within a few ulp of 1 of its
    exact value, so ``p_k - 1`` is all rounding error once ``p_k`` is 1 to
    within a few ulp (``p - y = 0`` instead of ``-e^-40`` at logits
    ``(40, 0)``, label 0), while the other probabilities keep their relative
    accuracy. Elsewhere ``p - y`` as rounded, whose error is then at most a
    few ulp of 1, below ``2**-46`` relative.
    """
    if p.size == 0:
        return p
    if integer:
        k, y_k = y, 1.0
    else:
        k = np.argmax(p, axis=axis, keepdims=True)
        y_k = np.take_along_axis(y, k, axis=axis)
    p_k = np.take_along_axis(p, k, axis=axis)
    g_k = p_k - y_k
    near = (p_k > 1 - _NEAR_ONE) & (y_k > 0.5)
    if near.any():
        np.put_along_axis(p, k, 0, axis=axis)
        g_k = np.where(near, (1.0 - y_k) - np.sum(p, axis=axis, keepdims=True), g_k)
    if not integer:
        np.subtract(p, y, out=p)
    np.put_along_axis(p, k, g_k, axis=axis)
    return p


def _fix_overflowed_terms(terms: np.ndarray, logp: np.ndarray, z: np.ndarray, y: np.ndarray, axis: int) -> None:
    """Where a finite logit's log-probability ``z_j - logsumexp(z)`` is beyond the float range
    (-inf; logits spanning more than ``1.8e308``), recompute the term ``y_j log p_j`` as
    ``y_j z_j - y_j logsumexp(z)``: two finite terms of one sign, finite when ``y_j < 1``
    brings the product back into range. In place; a cheap test when nothing overflowed."""
    wide = np.isneginf(logp) & np.isfinite(z) & (y != 0)
    if not wide.any():
        return
    lse = np.broadcast_to(logsumexp(z.astype(logp.dtype, copy=False), axis=axis, keepdims=True), terms.shape)
    with np.errstate(over="ignore"):
        terms[wide] = y[wide] * z[wide].astype(logp.dtype) - y[wide] * lse[wide]


def _kl_terms(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """``p log(p / q) - p + q`` entrywise: every term ``>= 0``, 0 exactly where ``p == q``.

    With ``t = (p - q) / (p + q)``, ``log(p / q) = 2 atanh(t)`` and the term is
    ``(p + q) t^2 + 2 p (atanh(t) - t)``, whose second part is below a tenth of
    the first for ``|t| <= 0.2`` (``p / q`` in ``[2/3, 3/2]``); there
    ``atanh(t) - t`` is summed from its series, so the term keeps its relative
    accuracy however close ``p`` is to ``q`` (``p - q`` is exact there). Elsewhere
    ``p log(p / q) - (p - q)`` loses at most a factor of about 6 to
    cancellation; ``log(p / q)`` is ``log p - log q`` where ``p / q`` leaves
    the normal range. ``p = 0`` gives ``q``; ``q = 0 < p`` gives ``inf``.
    """
    tiny = np.finfo(p.dtype).tiny
    with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
        d = p - q
        t = d / (p + q)
        t2 = t * t
        tail = np.full_like(t2, _ATANH_TAIL[-1])
        for c in _ATANH_TAIL[-2::-1]:
            tail *= t2
            tail += c
        near = (p + q) * t2 + 2 * p * (t * t2 * tail)
        r = p / q
        log_r = np.where((r >= tiny) & (r < np.inf), np.log(r), np.log(p) - np.log(q))
        far = p * log_r - d
        terms = np.where(np.abs(t) <= 0.2, near, far)
        return np.where(p == 0, q, terms)


def _bce(t: np.ndarray, y: np.ndarray) -> np.ndarray:
    """``y softplus(-t) + (1 - y) softplus(t)`` entrywise; a term with weight 0 counts 0 even where
    its softplus is infinite, and nan in ``t`` or ``y`` gives nan."""
    with np.errstate(invalid="ignore", over="ignore"):
        tail = np.log1p(np.exp(-np.abs(t)))
        softplus_pos = np.maximum(t, 0) + tail  # log(1 + e^t)
        softplus_neg = np.maximum(-t, 0) + tail  # log(1 + e^-t)
        return np.where(y == 0, 0.0, y * softplus_neg) + np.where(y == 1, 0.0, (1 - y) * softplus_pos)


# --------------------------------------------------------------------------- information measures


def entropy(p: ArrayLike, axis: int | None = -1) -> np.ndarray | np.floating:
    r"""Shannon entropy ``H(p) = -sum_i p_i log p_i`` in nats, with ``0 log 0 = 0``.

    Parameters
    ----------
    p : array_like
        Probabilities: non-negative, summing to 1 along ``axis``.
    axis : int or None, optional
        The axis of the distribution (default: the last); ``None`` treats the
        whole array as one distribution.

    Returns
    -------
    ndarray or numpy scalar
        The entropy of each distribution, in ``[0, log K]``: 0 for a one-hot
        vector, ``log K`` for the uniform distribution on ``K`` outcomes.
        Divide by ``log 2`` for bits. A numpy scalar for one distribution;
        float16 is computed in float32 and returned as float16, long double
        computed in float64 and returned as long double, integers give float64.

    Raises
    ------
    TypeError
        If ``p`` is not a real numeric array, or ``axis`` not an int or None.
    ValueError
        If ``p`` has a negative entry (``-inf`` included) or a slice that does
        not sum to 1 (``+inf`` included; an empty axis sums to 0), or ``p`` is
        0-d with an ``axis``.
    numpy.exceptions.AxisError
        If ``axis`` is out of range.

    Notes
    -----
    A sum of terms of one sign, so accurate to a few ulp; a subnormal ``p_i``
    contributes with the absolute precision of subnormal numbers. A nan entry
    makes its own slice's entropy nan. An empty batch gives an empty result.

    Examples
    --------
    >>> import numpy as np
    >>> from softmaxlab import entropy
    >>> bool(entropy([0.5, 0.5]) == np.log(2))
    True
    >>> float(entropy([1.0, 0.0, 0.0]))
    0.0
    >>> np.round(entropy([[0.25] * 4, [0.7, 0.1, 0.1, 0.1]]), 4)
    array([1.3863, 0.9404])
    """
    arr = as_real_array(p, "p")
    if axis is not None and arr.ndim == 0:
        raise ValueError("p must have at least one dimension (the axis of the distribution), or use axis=None")
    arr, ax = flatten_if_axis_none(arr, axis)
    work = working_dtype(arr.dtype)
    n = arr.shape[ax]
    tol = _sum_tolerance(arr.dtype, n)
    h = np.empty(arr.shape[:ax] + arr.shape[ax + 1 :], dtype=work)
    for b in _slice_blocks(arr.shape, ax):
        total = minus_h = 0.0
        for c in _chunks(b, ax, n):
            w = arr[c].astype(work, copy=False)
            _check_nonnegative(w, c, "p")
            with np.errstate(divide="ignore", invalid="ignore", over="ignore"):  # (entries > 1 are refused below)
                terms = np.where(w > 0, w * np.log(w), np.where(np.isnan(w), np.nan, 0.0))
            total = total + np.sum(w, axis=ax)
            minus_h = minus_h + np.sum(terms, axis=ax)
        _check_sums(total, _drop(b, ax), "p", axis, tol)
        h[_drop(b, ax)] = -minus_h
    h += 0.0  # -0.0 becomes 0.0
    return result_in_input_dtype(h, arr.dtype)

def kl_divergence(p: ArrayLike, q: ArrayLike, axis: int | None = -1) -> np.ndarray | np.floating:
    r"""Kullback-Leibler divergence ``KL(p || q) = sum_i p_i log(p_i / q_i)`` in nats.

    Parameters
    ----------
    p, q : array_like
        Probability distributions along ``axis`` (non-negative, summing to 1),
        of broadcastable shapes.
    axis : int or None, optional
        The axis of the distributions (default: the last), counted in the
        shape ``p`` and ``q`` broadcast to, so a single distribution is
        compared with every row of a batch; ``None`` for the whole arrays.

    Returns
    -------
    ndarray or numpy scalar
        ``>= 0``, zero exactly when ``p == q``; terms with ``p_i = 0`` count 0,
        and ``+inf`` where some ``q_i = 0 < p_i``. Not symmetric in ``p``, ``q``.
        The dtype is that of ``p`` and ``q`` together (float16 computed in
        float32, long double in float64, integers give float64).

    Raises
    ------
    TypeError
        If ``p`` or ``q`` is not a real numeric array, or ``axis`` not an int or None.
    ValueError
        If ``p`` or ``q`` has a negative entry or a slice that does not sum to 1
        (an empty axis sums to 0), if they do not broadcast, or if they are 0-d
        with an ``axis``.
    numpy.exceptions.AxisError
        If ``axis`` is out of range.

    Notes
    -----
    The plain ``sum_i p_i (log p_i - log q_i)`` has terms of both signs; where
    they cancel (``p`` close to ``q``) its rounding errors, about ``1e-16``
    each, can exceed the divergence itself and even make it negative. So
    each slice is also computed as ``sum_i [p_i log(p_i / q_i) - p_i + q_i]``,
    equal for normalised ``p`` and ``q`` (the extra terms sum to
    ``sum q - sum p = 0``) but with every term ``>= 0`` and accurate to a few
    ulp (a series where ``p_i / q_i`` is near 1); the plain sum is returned
    where its error bound is below ``2**-40`` of that value, this one
    elsewhere. The result is never negative. (For inputs normalised only to
    within rounding the two differ by their ``sum q - sum p``.) A nan entry
    makes its own slice nan.

    Examples
    --------
    >>> import numpy as np
    >>> from softmaxlab import entropy, kl_divergence
    >>> p, q = np.array([0.5, 0.5, 0.0]), np.array([0.25, 0.25, 0.5])
    >>> bool(kl_divergence(p, q) == np.log(2))
    True
    >>> float(kl_divergence(q, p))            # q puts mass where p has none
    inf
    >>> float(kl_divergence(p, p))
    0.0
    >>> kl_divergence([0.2, 0.3, 0.5], [[0.5, 0.5, 0.0], [0.2, 0.3, 0.5]])   # p against each row
    array([inf,  0.])
    >>> print(f"{kl_divergence([0.5, 0.5], [0.5 + 1e-9, 0.5 - 1e-9]):.6g}")   # sum (p - q)^2 / 2q, not rounding noise
    2e-18
    """
    pa, qa = as_real_array(p, "p"), as_real_array(q, "q")
    try:
        shape = np.broadcast_shapes(pa.shape, qa.shape)
    except ValueError:
        raise ValueError(f"p of shape {pa.shape} and q of shape {qa.shape} do not broadcast") from None
    if axis is not None and len(shape) == 0:
        raise ValueError("p and q must have at least one dimension (the axis of the distributions), or use axis=None")
    # the axis is one of the broadcast shape: a 1-d p against a batch of q is compared with every row
    pb, ax = flatten_if_axis_none(np.broadcast_to(pa, shape), axis)
    qb, _ = flatten_if_axis_none(np.broadcast_to(qa, shape), axis)
    dtype = np.result_type(result_dtype(pa.dtype), result_dtype(qa.dtype))
    work = working_dtype(dtype)
    n = pb.shape[ax]
    tol_p, tol_q = _sum_tolerance(pa.dtype, n), _sum_tolerance(qa.dtype, n)
    kl = np.empty(pb.shape[:ax] + pb.shape[ax + 1 :], dtype=work)
    rounding = (4 + n) * float(np.finfo(work).eps)  # relative error bound of the plain sum, per unit of scale
    for b in _slice_blocks(pb.shape, ax):
        total_p = total_q = accurate = plain = scale = 0.0
        for c in _chunks(b, ax, n):
            pw, qw = pb[c].astype(work, copy=False), qb[c].astype(work, copy=False)
            _check_nonnegative(pw, c, "p")
            _check_nonnegative(qw, c, "q")
            total_p = total_p + np.sum(pw, axis=ax)
            total_q = total_q + np.sum(qw, axis=ax)
            accurate = accurate + np.sum(_kl_terms(pw, qw), axis=ax)
            with np.errstate(divide="ignore", invalid="ignore", over="ignore"):  # (entries > 1 are refused below)
                log_p, log_q = np.log(pw), np.log(qw)
                terms = np.where(pw > 0, pw * (log_p - log_q), np.where(np.isnan(pw) | np.isnan(qw), np.nan, 0.0))
                plain = plain + np.sum(terms, axis=ax)
                scale = scale + np.sum(np.where(pw > 0, pw * (np.abs(log_p) + np.abs(log_q)), 0.0), axis=ax)
        _check_sums(total_p, _drop(b, ax), "p", axis, tol_p)
        _check_sums(total_q, _drop(b, ax), "q", axis, tol_q)
        # the plain sum of p log(p / q) where its rounding errors (at most about
        # rounding * scale) are below 2**-40 of the divergence, the sum of terms >= 0 elsewhere
        with np.errstate(invalid="ignore"):
            kl[_drop(b, ax)] = np.where(rounding * scale <= 2.0**-40 * accurate, plain + 0.0, accurate)
    return result_in_input_dtype(kl, dtype)

# --------------------------------------------------------------------------- softmax cross-entropy


def cross_entropy(
    logits: ArrayLike, labels: ArrayLike, axis: int = -1, reduction: str = "mean"
) -> np.ndarray | np.floating:
    r"""Cross-entropy between targets and ``softmax(logits)``, fused and stable.

    For one sample with logits ``z`` and target distribution ``y``,
    ``CE = -sum_k y_k log softmax(z)_k``, which for an integer label ``c`` is
    ``-log softmax(z)_c = logsumexp(z) - z_c``.

    Parameters
    ----------
    logits : array_like
        Real scores, at least 1-d; ``axis`` is the class axis, the others are batch axes.
    labels : array_like
        Either integer class indices in ``[0, K)`` of the batch shape (the
        shape of ``logits`` without ``axis``), or floating probability targets
        of the shape of ``logits`` (non-negative, summing to 1 along ``axis``).
    axis : int, optional
        The class axis (default: the last).
    reduction : {"mean", "sum", "none"}, optional
        Average over the batch (default), sum, or return one loss per sample.

    Returns
    -------
    ndarray or numpy scalar
        The loss in nats; the dtype of ``logits`` (float64 for integers,
        float16 computed in float32, long double in float64); a numpy scalar
        for ``"mean"`` and ``"sum"``.

    Raises
    ------
    ValueError
        Labels out of range or of the wrong shape; negative or non-normalised
        probability targets; an unknown ``reduction``; 0-d logits.
    TypeError
        Non-numeric logits or labels, boolean labels, an ``axis`` that is not
        an int (None included), a ``reduction`` that is not a string.
    numpy.exceptions.AxisError
        If ``axis`` is out of range.

    See Also
    --------
    cross_entropy_grad : its gradient with respect to the logits, ``softmax(logits) - y``.

    Notes
    -----
    Computed from :func:`softmaxlab.log_softmax`, never as
    ``log(softmax(logits))``: when a probability underflows to 0 the latter
    returns ``inf``, whereas the fused form returns the right finite loss
    (``logsumexp(z) - z_c``). Target entries equal to 0 contribute 0 even
    where the log-probability is ``-inf``. A mean over an empty batch is nan,
    a sum 0. Special logits follow :func:`softmaxlab.log_softmax`: a class
    whose logit is ``-inf`` costs ``inf``, ``+inf`` logits share the mass, a
    nan logit or target makes its sample's loss nan. Where logits span more
    than the float range, a log-probability below ``-1.8e308`` is ``-inf``,
    and its term ``y_j log p_j`` is computed as ``y_j z_j - y_j logsumexp(z)``,
    finite when the target brings it back into range.

    Examples
    --------
    >>> import numpy as np
    >>> from softmaxlab import cross_entropy
    >>> logits = np.array([[2.0, 1.0, 0.1], [0.5, 2.5, 0.0]])
    >>> np.round(cross_entropy(logits, [0, 1], reduction="none"), 4)
    array([0.417 , 0.1967])
    >>> y = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])   # the same, as probabilities
    >>> bool(np.isclose(cross_entropy(logits, y), cross_entropy(logits, [0, 1])))
    True
    >>> float(cross_entropy([0.0, 1000.0], 0))      # log(softmax) would give inf
    1000.0
    >>> cross_entropy(logits, [0, 3])
    Traceback (most recent call last):
        ...
    ValueError: labels must be class indices in [0, 3); found 3
    """
    reduction = _check_reduction(reduction)
    z, ax, y, integer = _logits_and_targets(logits, labels, axis)
    work = working_dtype(z.dtype)
    loss = np.empty(z.shape[:ax] + z.shape[ax + 1 :], dtype=work)
    for b in _slice_blocks(z.shape, ax):
        logp = log_softmax(z[b].astype(work, copy=False), axis=ax)
        if integer:
            block = -np.take_along_axis(logp, y[b], axis=ax)
        else:
            yw = _targets_block(y, b, ax, axis, logp.dtype)
            with np.errstate(invalid="ignore"):
                terms = np.where(yw != 0, yw * logp, 0.0)
            _fix_overflowed_terms(terms, logp, z[b], yw, ax)
            block = -np.sum(terms, axis=ax, keepdims=True)
        loss[_drop(b, ax)] = np.squeeze(block, axis=ax)
    loss += 0.0  # -0.0 becomes 0.0
    return _reduce(loss, reduction, z.dtype)

def cross_entropy_grad(
    logits: ArrayLike, labels: ArrayLike, axis: int = -1, reduction: str = "mean"
) -> np.ndarray:
    r"""Gradient of :func:`cross_entropy` with respect to the logits: ``softmax(logits) - y``.

    Parameters
    ----------
    logits, labels, axis, reduction
        As in :func:`cross_entropy`.

    Returns
    -------
    ndarray
        Same shape as ``logits``. With ``reduction="mean"`` every sample's
        ``p - y`` is divided by the batch size; with ``"sum"`` and ``"none"``
        it is ``p - y`` itself (for ``"none"``: row ``i`` is the gradient of
        loss ``i``, which depends on that row alone).

    Raises
    ------
    TypeError, ValueError, numpy.exceptions.AxisError
        As in :func:`cross_entropy`.

    Notes
    -----
    Where a sample's largest probability ``p_k`` is above ``1 - 2**-7`` and its
    target ``y_k`` above 1/2, ``p_k - y_k`` is computed as
    ``(1 - y_k) - sum_{j != k} p_j``: for a confident right prediction
    ``p_k - 1`` would be rounding error (0 at logits ``(40, 0)``), while this
    keeps the entry's relative accuracy and the row summing to 0. Elsewhere
    it is ``softmax(logits) - y`` exactly as rounded, within ``2**-46``
    relative. Special values as in :func:`softmaxlab.softmax`.

    Examples
    --------
    >>> import numpy as np
    >>> from softmaxlab import cross_entropy_grad, softmax
    >>> z = np.array([2.0, 1.0, 0.1])
    >>> g = cross_entropy_grad(z, 0)
    >>> bool(np.allclose(g, softmax(z) - [1, 0, 0]))
    True
    >>> float(g.sum())                  # p and y both sum to 1
    0.0
    >>> cross_entropy_grad([40.0, 0.0], 0)          # confident and right: -e^-40, e^-40
    array([-4.24835426e-18,  4.24835426e-18])
    """
    reduction = _check_reduction(reduction)
    z, ax, y, integer = _logits_and_targets(logits, labels, axis)
    work = working_dtype(z.dtype)
    grad = np.empty(z.shape, dtype=result_dtype(z.dtype))
    n = max(grad.size // max(z.shape[ax], 1), 1)  # the batch size
    for b in _slice_blocks(z.shape, ax):
        p = softmax(z[b].astype(work, copy=False), axis=ax)
        g = _residual(p, y[b] if integer else _targets_block(y, b, ax, axis, work), ax, integer)
        if reduction == "mean":
            g /= n
        grad[b] = g
    return grad

# --------------------------------------------------------------------------- binary case


def binary_cross_entropy_with_logits(
    logits: ArrayLike, targets: ArrayLike, reduction: str = "mean"
) -> np.ndarray | np.floating:
    r"""Binary cross-entropy of ``sigmoid(logits)`` against targets in [0, 1], fused and stable.

    ``BCE(t, y) = -y log sigmoid(t) - (1 - y) log(1 - sigmoid(t))
    = y softplus(-t) + (1 - y) softplus(t)``, with
    ``softplus(t) = log(1 + e^t) = max(t, 0) + log1p(e^{-|t|})``.
    It is :func:`cross_entropy` for two classes with logits ``(t, 0)``.

    Parameters
    ----------
    logits : array_like
        Real scores ``t`` (the log-odds of the positive class), any shape.
    targets : array_like
        Probabilities of the positive class in ``[0, 1]`` (0/1 labels or soft
        targets), of the same shape as ``logits``.
    reduction : {"mean", "sum", "none"}, optional
        Average over all elements (default), sum, or elementwise losses.

    Returns
    -------
    ndarray or numpy scalar
        The loss in nats; its gradient with respect to ``t`` is ``sigmoid(t) - y``.
        The dtype of ``logits`` (float64 for integers, float16 computed in
        float32, long double in float64); a numpy scalar for ``"mean"`` and
        ``"sum"`` (and for 0-d input).

    Raises
    ------
    TypeError
        Non-numeric logits or targets, a ``reduction`` that is not a string.
    ValueError
        Targets outside ``[0, 1]`` or of another shape than the logits, an
        unknown ``reduction``.

    Notes
    -----
    Both terms are non-negative, so the loss is accurate to a few ulp, also
    for the tiny loss of a confident right answer (``log1p(e^-40)`` at
    ``t = 40, y = 1``). A term whose weight ``y`` or ``1 - y`` is 0 counts 0,
    so ``t = +inf, y = 1`` gives 0 and ``t = -inf, y = 1`` gives ``inf``; a
    nan logit or target gives nan. The mean of no elements is nan, their sum 0.

    Examples
    --------
    >>> import numpy as np
    >>> from softmaxlab import binary_cross_entropy_with_logits, cross_entropy
    >>> bool(binary_cross_entropy_with_logits(0.0, 1.0) == np.log(2))
    True
    >>> t, y = np.array([3.0, -1.0]), np.array([1.0, 0.0])
    >>> bool(np.isclose(binary_cross_entropy_with_logits(t, y),
    ...                 cross_entropy(np.stack([t, 0 * t], -1), [0, 1])))
    True
    >>> float(binary_cross_entropy_with_logits(-800.0, 1.0))   # log(sigmoid) would give inf
    800.0
    """
    reduction = _check_reduction(reduction)
    t = as_real_array(logits, "logits")
    y = as_real_array(targets, "targets")
    check_same_shape(t, y, "logits", "targets")
    work = working_dtype(result_dtype(t.dtype))
    losses = np.empty(t.shape, dtype=work) if reduction == "none" else None
    total = work.type(0)
    for b in _slice_blocks(t.shape, None):
        yb = np.asarray(y[b])
        outside = (yb < 0) | (yb > 1)
        if outside.any():
            raise ValueError(f"targets must be probabilities in [0, 1]; found {float(yb[outside].reshape(-1)[0])!r}")
        block = _bce(t[b].astype(work, copy=False), yb.astype(work, copy=False))
        if losses is None:
            total += np.sum(block, dtype=work)
        else:
            losses[b] = block
    if losses is not None:
        return result_in_input_dtype(losses, t.dtype)
    if reduction == "mean":  # the mean of no losses is nan
        total = total / t.size if t.size else work.type(np.nan)
    return result_in_input_dtype(np.asarray(total, dtype=work), t.dtype)

# --------------------------------------------------------------------------- squared error


def softmax_squared_error(
    logits: ArrayLike, labels: ArrayLike, axis: int = -1, reduction: str = "mean"
) -> np.ndarray | np.floating:
    r"""Half the squared distance between ``softmax(logits)`` and the targets: ``0.5 ||p - y||^2``.

    The loss that cross-entropy replaces: as a function of the logits its
    gradient is ``J (p - y)`` with ``J`` the softmax Jacobian, which vanishes
    when softmax saturates, even for a confidently wrong prediction.

    Parameters
    ----------
    logits, labels, axis, reduction
        As in :func:`cross_entropy` (integer labels or probability targets).

    Returns
    -------
    ndarray or numpy scalar
        Per sample in ``[0, 1]`` (the squared distance between two points of
        the simplex is at most 2); dtype and scalars as in :func:`cross_entropy`.

    Raises
    ------
    TypeError, ValueError, numpy.exceptions.AxisError
        As in :func:`cross_entropy`.

    Notes
    -----
    ``p - y`` is computed as in :func:`cross_entropy_grad`, so the loss of a
    confident right prediction keeps its relative accuracy (``e^-80`` at
    logits ``(40, 0)``, label 0, where ``p - y`` as rounded gives half of it).

    See Also
    --------
    softmax_squared_error_grad : its gradient with respect to the logits.

    Examples
    --------
    >>> import numpy as np
    >>> from softmaxlab import softmax_squared_error
    >>> float(softmax_squared_error([0.0, 0.0], 0))   # p = (1/2, 1/2), y = (1, 0)
    0.25
    >>> float(np.round(softmax_squared_error([10.0, 0.0, 0.0], 1), 6))   # confidently wrong
    0.999864
    >>> bool(np.isclose(softmax_squared_error([40.0, 0.0], 0), np.exp(-80.0), rtol=1e-14))   # confidently right
    True
    """
    reduction = _check_reduction(reduction)
    z, ax, y, integer = _logits_and_targets(logits, labels, axis)
    work = working_dtype(z.dtype)
    loss = np.empty(z.shape[:ax] + z.shape[ax + 1 :], dtype=work)
    for b in _slice_blocks(z.shape, ax):
        p = softmax(z[b].astype(work, copy=False), axis=ax)
        r = _residual(p, y[b] if integer else _targets_block(y, b, ax, axis, work), ax, integer)
        np.square(r, out=r)
        loss[_drop(b, ax)] = 0.5 * np.sum(r, axis=ax)
    return _reduce(loss, reduction, z.dtype)

def softmax_squared_error_grad(
    logits: ArrayLike, labels: ArrayLike, axis: int = -1, reduction: str = "mean"
) -> np.ndarray:
    r"""Gradient of :func:`softmax_squared_error` with respect to the logits: ``J (p - y)``.

    Computed in O(K) as the vector-Jacobian product
    :func:`softmaxlab.softmax_vjp` ``(logits, p - y)``, i.e.
    ``p * ((p - y) - <p, p - y>)``.

    Parameters
    ----------
    logits, labels, axis, reduction
        As in :func:`cross_entropy_grad`.

    Returns
    -------
    ndarray
        Same shape as ``logits``.

    Raises
    ------
    TypeError, ValueError, numpy.exceptions.AxisError
        As in :func:`cross_entropy`.

    Notes
    -----
    ``p - y`` as in :func:`cross_entropy_grad` and the product as in
    :func:`softmaxlab.softmax_jvp`, both accurate where softmax saturates:
    the point of this function is how small the gradient gets there.

    Examples
    --------
    >>> import numpy as np
    >>> from softmaxlab import softmax_squared_error_grad, cross_entropy_grad
    >>> z = np.array([10.0, 0.0, 0.0])         # confident, and wrong: the label is 1
    >>> np.round(softmax_squared_error_grad(z, 1), 6)       # almost no signal
    array([ 1.36e-04, -9.10e-05, -4.50e-05])
    >>> float(np.linalg.norm(cross_entropy_grad(z, 1)).round(4))   # cross-entropy: about sqrt(2)
    1.4141
    """
    reduction = _check_reduction(reduction)
    z, ax, y, integer = _logits_and_targets(logits, labels, axis)
    work = working_dtype(z.dtype)
    grad = np.empty(z.shape, dtype=result_dtype(z.dtype))
    n = max(grad.size // max(z.shape[ax], 1), 1)  # the batch size
    direct = grad.dtype == work  # then the residual and the product are made in the output itself
    for b in _slice_blocks(z.shape, ax):
        p = softmax(z[b].astype(work, copy=False), axis=ax)
        r = grad[b] if direct else np.empty(p.shape, dtype=work)
        np.copyto(r, p)
        _residual(r, y[b] if integer else _targets_block(y, b, ax, axis, work), ax, integer)
        if r.size:
            _times_jacobian(np.moveaxis(p, ax, -1), np.moveaxis(r, ax, -1), np.moveaxis(r, ax, -1), 1.0)
        if reduction == "mean":
            r /= n
        if not direct:
            grad[b] = r
    return grad
