"""Content-based addressing: softmax over the cosine similarities of a key and the rows of a memory.

The Neural Turing Machine reads and writes an external memory ``M`` (``N`` rows
of width ``W``) through weights over its rows. Content addressing compares a key
``k`` emitted by the controller with every row and sharpens the comparison with
a key strength ``beta > 0``::

    w_i = softmax(beta * K(k, M_i))_i,    K(u, v) = u . v / (|u| |v|),

so ``beta`` is an inverse temperature: small ``beta`` blurs the read over many
rows, large ``beta`` retrieves the best-matching row, and in the limit the
weights are ``1/m`` on each of the ``m`` rows of largest cosine (chapter 5's
argmax limit). A read is then ``w @ M``.

The cosine of a zero vector (a zero key, or an empty memory row) is 0/0. Here it
is 0, the value implementations get by adding a small epsilon to the product of
the norms: a zero row is neither similar nor dissimilar to any key, and a zero
key addresses every row equally (uniform weights).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from softmaxlab._validation import as_real_array, check_temperature, result_dtype, working_dtype
from softmaxlab.core import BLOCK_BYTES, softmax

__all__ = ["content_addressing"]


def _unit(v: np.ndarray) -> np.ndarray:
    """``v / |v|`` along the last axis, computed as ``(v / max|v|) / |v / max|v||`` so that no finite
    entry overflows or underflows; 0 for a zero vector, nan for one with a non-finite entry."""
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        peak = np.max(np.abs(v), axis=-1, keepdims=True) if v.shape[-1] else np.zeros(v.shape[:-1] + (1,), v.dtype)
        scaled = np.divide(v, peak, out=np.zeros_like(v), where=peak > 0)
        norm = np.sqrt(np.einsum("...i,...i->...", scaled, scaled))[..., None]
        unit = np.divide(scaled, norm, out=np.zeros_like(v), where=norm > 0)
    unit[~np.isfinite(peak[..., 0])] = np.nan   # inf or nan entries: no direction
    return unit


def content_addressing(memory: ArrayLike, key: ArrayLike, beta: float) -> np.ndarray:
    """Weights ``softmax(beta * cos(key, memory_i))`` over the rows of ``memory`` (NTM content addressing).

    Parameters
    ----------
    memory : array_like, shape (..., N, W)
        ``N`` memory rows of width ``W``.
    key : array_like, shape (..., W)
        The key; its leading axes broadcast with those of ``memory``.
    beta : float
        Key strength, a positive finite number: the inverse temperature of the
        softmax over the cosine similarities.

    Returns
    -------
    ndarray, shape (..., N)
        Weights on the simplex over the rows, in the promoted float dtype of
        ``memory`` and ``key`` (float16 computed in float32, long double in
        float64, integers in float64). The cosine with a zero row, or of a
        zero key with every row, is 0 (a zero key gives uniform weights).
        Rows are rescaled by their largest entry before the norms are taken,
        so huge and tiny entries neither overflow nor underflow. A row with
        an infinite or nan entry has no direction: every weight of that
        address is nan, as is every weight when the key has such an entry.
        ``N = 0`` gives an empty result.

    Raises
    ------
    TypeError
        If ``memory`` or ``key`` is not a real numeric array, or ``beta`` is
        not a real number.
    ValueError
        If ``memory`` has fewer than 2 dimensions, ``key`` fewer than 1, their
        widths differ or their leading axes do not broadcast, or ``beta`` is
        not positive and finite.

    Examples
    --------
    >>> import numpy as np
    >>> memory = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    >>> key = np.array([1.0, 0.2])
    >>> np.round(content_addressing(memory, key, 1.0), 4)      # blurred read
    array([0.4313, 0.1968, 0.3718])
    >>> np.round(content_addressing(memory, key, 100.0), 4)    # sharp: the best-matching row
    array([1., 0., 0.])
    >>> content_addressing(memory, np.zeros(2), 5.0)            # a zero key: uniform
    array([0.33333333, 0.33333333, 0.33333333])
    """
    m = as_real_array(memory, "memory")
    k = as_real_array(key, "key")
    if m.ndim < 2:
        raise ValueError(f"memory must have at least 2 dimensions (..., N, W), got shape {m.shape}")
    if k.ndim < 1:
        raise ValueError(f"key must have at least 1 dimension (..., W), got shape {k.shape}")
    if m.shape[-1] != k.shape[-1]:
        raise ValueError(f"key must have the width of the memory rows, {m.shape[-1]}, got {k.shape[-1]}")
    try:
        batch = np.broadcast_shapes(m.shape[:-2], k.shape[:-1])
    except ValueError:
        raise ValueError(f"the leading axes of memory {m.shape} and key {k.shape} do not broadcast") from None
    beta = check_temperature(beta, "beta")
    work = np.result_type(working_dtype(m.dtype), working_dtype(k.dtype))
    rdtype = np.result_type(result_dtype(m.dtype), result_dtype(k.dtype))
    n, width = m.shape[-2], m.shape[-1]
    scores = np.empty(batch + (n,), dtype=work)
    if scores.size:
        mf = np.broadcast_to(m, batch + m.shape[-2:])
        kf = np.broadcast_to(k, batch + k.shape[-1:])
        rows = max(1, BLOCK_BYTES // (8 * max(width, 1)))   # memory rows per block of about 1 MiB
        for index in np.ndindex(*batch):
            unit_key = _unit(kf[index].astype(work))
            for r0 in range(0, n, rows):
                block = _unit(mf[index][r0:r0 + rows].astype(work))
                scores[index][r0:r0 + rows] = np.clip(block @ unit_key, -1.0, 1.0)  # nan passes through clip
        scores *= beta
    weights = softmax(scores, axis=-1)
    return weights if weights.dtype == rdtype else weights.astype(rdtype)
