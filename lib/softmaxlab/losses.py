"""Information measures and the losses built on softmax.

Entropy ``H(p) = -sum p log p``, cross-entropy ``H(p, q) = -sum p log q`` and
the Kullback-Leibler divergence ``KL(p || q) = sum p log(p / q)`` satisfy
``H(p, q) = H(p) + KL(p || q)``. Training a classifier minimises the
cross-entropy between the targets and ``softmax(logits)``; this module computes
it *fused*, from :func:`softmaxlab.log_softmax`, so it is finite wherever the
logits are, and gives its gradient ``softmax(logits) - targets``.

Conventions: natural logarithms (nats); ``0 log 0 = 0``; targets are either
integer class labels (0-based) or probability vectors along ``axis``.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from softmaxlab._validation import as_real_array, check_axis, result_dtype, working_dtype
from softmaxlab.core import log_softmax, softmax
from softmaxlab.derivatives import softmax_vjp

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


# --------------------------------------------------------------------------- checks


def _check_reduction(reduction: str) -> str:
    if reduction not in _REDUCTIONS:
        raise ValueError(f"reduction must be one of {_REDUCTIONS}, got {reduction!r}")
    return reduction


def _sum_tolerance(dtype: np.dtype, k: int) -> float:
    """How far from 1 a sum of ``k`` probabilities in ``dtype`` may drift by rounding alone."""
    eps = float(np.finfo(working_dtype(dtype)).eps)
    return max(np.sqrt(eps), 4 * k * eps)


def _check_distribution(p: ArrayLike, axis: int | None, name: str) -> tuple[np.ndarray, int]:
    """Return ``(p as a float array, normalised axis)``; require entries >= 0 summing to 1 along it.

    nan entries are let through (they propagate to their own slice's result).
    """
    arr = as_real_array(p, name)
    if arr.dtype.kind != "f":
        arr = arr.astype(np.float64)
    if axis is None:
        arr, ax = arr.reshape(-1), 0
    else:
        if arr.ndim == 0:
            raise ValueError(f"{name} must have at least one dimension (the axis of the distribution)")
        ax = check_axis(axis, arr.ndim)
    negative = arr < 0
    if np.any(negative):
        where = tuple(int(i) for i in np.argwhere(negative)[0])
        raise ValueError(f"{name} must be non-negative probabilities; found {float(arr[where]):.6g} at index {where}")
    total = np.sum(arr, axis=ax, dtype=working_dtype(arr.dtype))
    bad = np.abs(total - 1) > _sum_tolerance(arr.dtype, arr.shape[ax])
    if np.any(bad):
        where = tuple(int(i) for i in np.argwhere(np.atleast_1d(bad))[0]) if np.ndim(bad) else ()
        at = f" (batch index {where})" if where else ""
        raise ValueError(
            f"{name} must sum to 1 along axis {axis}; a slice{at} sums to {float(np.asarray(total)[where]):.6g}"
        )
    return arr, ax


def _logits_and_targets(logits: ArrayLike, labels: ArrayLike, axis: int) -> tuple[np.ndarray, int, np.ndarray, bool]:
    """Validate a (logits, labels) pair.

    Returns ``(logits, axis, targets, integer)``: integer labels come back with
    the axis re-inserted (length 1, for ``take_along_axis``); probability
    targets come back as a float array of the shape of ``logits``.
    """
    z = as_real_array(logits, "logits")
    if z.ndim == 0:
        raise ValueError("logits must have at least one dimension (the class axis)")
    if axis is None:
        raise TypeError("axis must be an int (the class axis of logits)")
    ax = check_axis(axis, z.ndim)
    k = z.shape[ax]
    batch = z.shape[:ax] + z.shape[ax + 1 :]
    try:
        y = np.asarray(labels)
    except (ValueError, TypeError) as exc:
        raise TypeError(f"labels must be an array of class indices or probabilities: {exc}") from None
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
        return z, ax, np.expand_dims(y.astype(np.intp), ax), True
    if y.dtype.kind == "f":
        if y.shape != z.shape:
            raise ValueError(
                f"labels of floating dtype are probability targets and must have the shape {z.shape} "
                f"of logits, got {y.shape} (integer class labels need an integer dtype)"
            )
        y, _ = _check_distribution(y, ax, "labels")
        return z, ax, y, False
    raise TypeError(
        f"labels must be integer class indices or floating probability targets, got dtype {y.dtype}"
    )


def _reduce(loss: np.ndarray, reduction: str, dtype: np.dtype) -> np.ndarray | np.floating:
    loss = loss.astype(dtype, copy=False)
    if reduction == "none":
        return loss[()] if loss.ndim == 0 else loss
    if reduction == "sum":
        return np.sum(loss, dtype=working_dtype(dtype)).astype(dtype)[()]
    if loss.size == 0:  # the mean of no losses
        return dtype.type(np.nan)
    return np.mean(loss, dtype=working_dtype(dtype)).astype(dtype)[()]


def _one_hot(targets: np.ndarray, shape: tuple[int, ...], ax: int, dtype: np.dtype) -> np.ndarray:
    y = np.zeros(shape, dtype=dtype)
    np.put_along_axis(y, targets, 1, axis=ax)
    return y


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
        Divide by ``log 2`` for bits.

    Raises
    ------
    ValueError
        If ``p`` has a negative entry or a slice that does not sum to 1.

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
    arr, ax = _check_distribution(p, axis, "p")
    work = arr.astype(working_dtype(arr.dtype), copy=False)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(work > 0, work * np.log(work), np.where(np.isnan(work), np.nan, 0.0))
    h = -np.sum(terms, axis=ax)
    h = np.asarray(h + 0.0).astype(result_dtype(arr.dtype), copy=False)  # + 0.0 turns -0.0 into 0.0
    return h[()] if h.ndim == 0 else h


def kl_divergence(p: ArrayLike, q: ArrayLike, axis: int | None = -1) -> np.ndarray | np.floating:
    r"""Kullback-Leibler divergence ``KL(p || q) = sum_i p_i log(p_i / q_i)`` in nats.

    Parameters
    ----------
    p, q : array_like
        Probability distributions along ``axis`` (non-negative, summing to 1),
        of broadcastable shapes.
    axis : int or None, optional
        The axis of the distributions (default: the last); ``None`` for the whole arrays.

    Returns
    -------
    ndarray or numpy scalar
        ``>= 0``, zero exactly when ``p == q``; terms with ``p_i = 0`` count 0,
        and ``+inf`` where some ``q_i = 0 < p_i``. Not symmetric in ``p``, ``q``.

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
    """
    pa, ax = _check_distribution(p, axis, "p")
    qa, _ = _check_distribution(q, axis, "q")
    try:
        pa, qa = np.broadcast_arrays(pa, qa)
    except ValueError:
        raise ValueError(f"p of shape {pa.shape} and q of shape {qa.shape} do not broadcast") from None
    dtype = np.result_type(result_dtype(pa.dtype), result_dtype(qa.dtype))
    work = working_dtype(dtype)
    pw, qw = pa.astype(work, copy=False), qa.astype(work, copy=False)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(pw > 0, pw * (np.log(pw) - np.log(qw)), np.where(np.isnan(pw) | np.isnan(qw), np.nan, 0.0))
    kl = np.asarray(np.sum(terms, axis=ax) + 0.0).astype(dtype, copy=False)
    return kl[()] if kl.ndim == 0 else kl


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
        The loss in nats; the dtype of ``logits`` (float64 for integers).

    Raises
    ------
    ValueError
        Labels out of range or of the wrong shape; negative or non-normalised
        probability targets; an unknown ``reduction``.
    TypeError
        Non-numeric logits or labels, boolean labels, an ``axis`` that is not an int.

    See Also
    --------
    cross_entropy_grad : its gradient with respect to the logits, ``softmax(logits) - y``.

    Notes
    -----
    Computed from :func:`softmaxlab.log_softmax`, never as
    ``log(softmax(logits))``: when a probability underflows to 0 the latter
    returns ``inf``, whereas the fused form returns the right finite loss
    (``logsumexp(z) - z_c``). Target entries equal to 0 contribute 0 even
    where the log-probability is ``-inf``. A mean over an empty batch is nan.

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
    logp = log_softmax(z.astype(working_dtype(z.dtype), copy=False), axis=ax)
    if integer:
        loss = -np.squeeze(np.take_along_axis(logp, y, axis=ax), axis=ax)
    else:
        yw = y.astype(logp.dtype, copy=False)
        with np.errstate(invalid="ignore"):
            terms = np.where(yw != 0, yw * logp, 0.0)
        loss = -np.sum(terms, axis=ax)
    return _reduce(np.asarray(loss + 0.0), reduction, result_dtype(z.dtype))


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
    """
    reduction = _check_reduction(reduction)
    z, ax, y, integer = _logits_and_targets(logits, labels, axis)
    p = softmax(z.astype(working_dtype(z.dtype), copy=False), axis=ax)
    if integer:
        y = _one_hot(y, z.shape, ax, p.dtype)
    grad = p - y
    if reduction == "mean":
        n = grad.size // max(z.shape[ax], 1)
        grad /= max(n, 1)
    return (grad + 0.0).astype(result_dtype(z.dtype), copy=False)


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
    if y.shape != t.shape:
        raise ValueError(f"targets has shape {y.shape}, but logits has shape {t.shape}; they must match")
    if np.any((y < 0) | (y > 1)):
        bad = y[(y < 0) | (y > 1)].reshape(-1)[0]
        raise ValueError(f"targets must be probabilities in [0, 1]; found {bad!r}")
    dtype = result_dtype(t.dtype)
    work = working_dtype(dtype)
    tw, yw = t.astype(work, copy=False), y.astype(work, copy=False)
    tail = np.log1p(np.exp(-np.abs(tw)))
    with np.errstate(invalid="ignore"):
        softplus_pos = np.maximum(tw, 0) + tail  # log(1 + e^t)
        softplus_neg = np.maximum(-tw, 0) + tail  # log(1 + e^-t)
        loss = np.where(yw > 0, yw * softplus_neg, 0.0) + np.where(yw < 1, (1 - yw) * softplus_pos, 0.0)
    return _reduce(np.asarray(loss), reduction, dtype)


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
        the simplex is at most 2).

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
    """
    reduction = _check_reduction(reduction)
    z, ax, y, integer = _logits_and_targets(logits, labels, axis)
    p = softmax(z.astype(working_dtype(z.dtype), copy=False), axis=ax)
    if integer:
        y = _one_hot(y, z.shape, ax, p.dtype)
    loss = 0.5 * np.sum((p - y) ** 2, axis=ax)
    return _reduce(np.asarray(loss), reduction, result_dtype(z.dtype))


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
    zw = z.astype(working_dtype(z.dtype), copy=False)
    p = softmax(zw, axis=ax)
    if integer:
        y = _one_hot(y, z.shape, ax, p.dtype)
    grad = softmax_vjp(zw, p - y, axis=ax)
    if reduction == "mean":
        n = grad.size // max(z.shape[ax], 1)
        grad /= max(n, 1)
    return (grad + 0.0).astype(result_dtype(z.dtype), copy=False)
