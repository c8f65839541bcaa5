"""Derivatives of softmax: the Jacobian, its products with vectors, and the second derivative.

With ``p = softmax(x / T)`` along one axis of length ``K``, the Jacobian is

.. math::

    J_{ij} = \\frac{\\partial p_i}{\\partial x_j} = \\frac{1}{T}\\, p_i (\\delta_{ij} - p_j),
    \\qquad J = \\frac{1}{T} (\\operatorname{diag}(p) - p p^\\top).

``J`` is symmetric, so the Jacobian-vector product ``J v`` and the
vector-Jacobian product ``g^T J`` are the same formula,
``p * (v - <p, v>) / T``: three passes over ``K`` numbers, where forming ``J``
costs ``K^2``. Backpropagation only ever needs the product, never ``J``.

Every function works along any ``axis`` of a batch: the other axes index
independent distributions.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np
from numpy.typing import ArrayLike

from softmaxlab._validation import (
    as_real_array,
    check_axis,
    check_temperature,
    result_dtype,
    working_dtype,
)
from softmaxlab.core import softmax

__all__ = ["softmax_jacobian", "softmax_jvp", "softmax_vjp", "softmax_hessian"]

#: Elements per block of the batched computations here, in :mod:`softmaxlab.losses`
#: and in :mod:`softmaxlab.smoothmax`: the temporaries of a block (a few arrays of
#: this size, 512 KiB each in float64) stay in cache, and none has the input's size.
_BLOCK_ELEMENTS = 1 << 16


def _slice_blocks(shape: tuple[int, ...], axis: int | None, block: int = _BLOCK_ELEMENTS) -> Iterator[tuple]:
    """Index tuples that cut an array of ``shape`` into blocks of whole slices along
    ``axis`` (``None``: every element on its own), of about ``block`` elements each.

    The blocks are cut along the other axes, outermost first; each index is a
    tuple of slices, so indexing gives a view and never a copy. A slice longer
    than ``block`` is a block by itself. An empty array is one block.
    """
    batch = [i for i in range(len(shape)) if i != axis]
    index = [slice(None)] * len(shape)

    def cut(j: int, size: int) -> Iterator[tuple]:
        # ``size``: the elements of a block in which the axes batch[j:] are whole
        if size <= block or j == len(batch):
            yield tuple(index)
            return
        b = batch[j]
        unit = size // shape[b]
        step = max(1, block // unit)
        for start in range(0, shape[b], step):
            index[b] = slice(start, min(start + step, shape[b]))
            if unit > block:
                yield from cut(j + 1, unit)
            else:
                yield tuple(index)
        index[b] = slice(None)

    yield from cut(0, math.prod(shape))


def _complement(p: np.ndarray, axis: int) -> np.ndarray:
    """``1 - p`` along ``axis``, accurate where ``p`` is near 1.

    ``1 - p_k`` for the largest entry (the only one that can exceed 1/2) is
    the sum of the others, accurate to a few ulp of itself; ``1 - p_k`` rounds
    ``p_k``'s own error of about an ulp of 1 into it, which is everything when
    ``p_k`` is 1 to within a few ulp. Elsewhere ``1 - p_j >= 1/2`` is exact
    to an ulp. ``p`` is changed and restored.
    """
    c = 1.0 - p
    if p.shape[axis] == 0 or p.size == 0:
        return c
    k = np.argmax(p, axis=axis, keepdims=True)  # nan counts as the maximum: its slice is nan anyway
    top = np.take_along_axis(p, k, axis=axis)
    np.put_along_axis(p, k, 0, axis=axis)
    np.put_along_axis(c, k, np.sum(p, axis=axis, keepdims=True), axis=axis)
    np.put_along_axis(p, k, top, axis=axis)
    return c


def _check(x: ArrayLike, axis: int, temperature: float) -> tuple[np.ndarray, int, float]:
    """Validate; return ``(x as a real array, the axis made non-negative, T)``."""
    arr = as_real_array(x, "x")
    if arr.ndim == 0:
        raise ValueError("x must have at least one dimension (the axis of the distribution)")
    if axis is None:
        raise TypeError("axis must be an int (the axis of the distribution), got None")
    ax = check_axis(axis, arr.ndim)
    return arr, ax, check_temperature(temperature)


def _probabilities(xb: np.ndarray, temperature: float) -> np.ndarray:
    """softmax of a block along its last axis, in the working dtype (a fresh array)."""
    return softmax(xb.astype(working_dtype(xb.dtype), copy=False), axis=-1, temperature=temperature)


def softmax_jacobian(x: ArrayLike, axis: int = -1, *, temperature: float = 1.0) -> np.ndarray:
    r"""The Jacobian of softmax, ``d softmax(x / T)_i / d x_j = p_i (delta_ij - p_j) / T``.

    Parameters
    ----------
    x : array_like
        Real scores (logits), at least 1-d.
    axis : int, optional
        The axis of the distribution (default: the last). The other axes are
        batch axes.
    temperature : float, optional
        ``T > 0``; the Jacobian of ``softmax(x, temperature=T)`` with respect
        to ``x`` is ``(diag(p) - p p^T) / T``.

    Returns
    -------
    ndarray
        Shape ``batch + (K, K)``, where ``batch`` is the shape of ``x`` without
        ``axis`` and ``K = x.shape[axis]``; entry ``[..., i, j]`` is the
        derivative of output ``i`` with respect to input ``j``. Symmetric,
        positive semidefinite, with rows summing to 0.

    See Also
    --------
    softmax_jvp, softmax_vjp : the products ``J v`` and ``g^T J`` in O(K),
        without forming ``J``.

    Raises
    ------
    TypeError
        If ``x`` is not a real array, ``axis`` is not an int (None included:
        the derivatives need the axis of the distribution), or ``temperature``
        is not a real number.
    ValueError
        If ``x`` is 0-d, or ``temperature`` is not positive and finite.
    numpy.exceptions.AxisError
        If ``axis`` is out of range.

    Notes
    -----
    The matrix costs ``K^2`` memory per distribution; prefer the products
    when ``K`` is large. When one logit dominates, ``p`` approaches a one-hot
    vector and ``J`` approaches 0: softmax *saturates*. The diagonal
    ``p_i (1 - p_i)`` takes ``1 - p_k`` of the largest probability as the sum
    of the others, so every entry keeps its relative accuracy there too
    (``J[0, 0]`` at ``x = (40, 0)`` is ``4.2e-18``, not the 0 that
    ``p - p**2`` gives). Special values follow :func:`softmaxlab.softmax`: a
    ``-inf`` entry has a zero row and column, ``+inf`` entries give the
    Jacobian of their shared mass, a slice with nan (or of all ``-inf``) is
    nan. An empty axis gives shape ``batch + (0, 0)``.

    Examples
    --------
    >>> import numpy as np
    >>> from softmaxlab import softmax_jacobian
    >>> softmax_jacobian([0.0, 0.0])
    array([[ 0.25, -0.25],
           [-0.25,  0.25]])
    >>> J = softmax_jacobian([1.0, 2.0, 3.0])
    >>> bool(np.allclose(J, J.T)), bool(np.allclose(J.sum(axis=1), 0))
    (True, True)
    >>> softmax_jacobian(np.zeros((4, 3, 5)), axis=1).shape   # batch (4, 5), K = 3
    (4, 5, 3, 3)
    >>> float(softmax_jacobian([40.0, 0.0])[0, 0])              # p_1 (1 - p_1) = e^-40, saturated
    4.248354255291589e-18
    """
    arr, ax, temperature = _check(x, axis, temperature)
    xs = np.moveaxis(arr, ax, -1)  # a view: batch + (K,)
    k = xs.shape[-1]
    jac = np.empty(xs.shape + (k,), dtype=result_dtype(arr.dtype))
    for b in _slice_blocks(xs.shape, xs.ndim - 1, max(_BLOCK_ELEMENTS // max(k, 1), k)):
        p = _probabilities(xs[b], temperature)
        direct = jac.dtype == p.dtype  # then in place
        jb = jac[b] if direct else np.empty(p.shape + (k,), dtype=p.dtype)
        np.multiply(p[..., :, None], p[..., None, :], out=jb)
        np.negative(jb, out=jb)
        diagonal = np.einsum("...ii->...i", jb)  # a writeable view of the diagonal
        np.multiply(p, _complement(p, -1), out=diagonal)  # p_i (1 - p_i)
        if temperature != 1.0:
            jb /= temperature
        if not direct:
            jac[b] = jb
    return jac


def _product(x: ArrayLike, v: ArrayLike, axis: int, temperature: float, name: str) -> np.ndarray:
    """``p * (v - <p, v>) / T`` along ``axis``, the product of the symmetric Jacobian with ``v``.

    Computed as ``p * (D - (v_k - v)) / T`` with ``k`` the argmax of ``p`` and
    ``D = sum_j p_j (v_k - v_j) = v_k - <p, v>``: where ``p`` is nearly one-hot
    ``<p, v>`` is within rounding of ``v_k`` and ``v_k - <p, v>`` would be all
    rounding error, while ``D`` weighs the differences by the small ``p_j``
    and keeps its relative accuracy. A block of slices at a time, written
    into the output.
    """
    arr, ax, temperature = _check(x, axis, temperature)
    vec = as_real_array(v, name)
    try:
        vec = np.broadcast_to(vec, arr.shape)
    except ValueError:
        raise ValueError(
            f"{name} of shape {vec.shape} does not broadcast to the shape {arr.shape} of x"
        ) from None
    dtype = result_dtype(np.result_type(arr.dtype, vec.dtype))
    work = working_dtype(dtype)
    out = np.empty(arr.shape, dtype=dtype)
    if out.size == 0:
        return out
    xs, vs, outs = (np.moveaxis(a, ax, -1) for a in (arr, vec, out))  # views: slices along the last axis
    for b in _slice_blocks(xs.shape, xs.ndim - 1):
        p = softmax(xs[b].astype(work, copy=False), axis=-1, temperature=temperature)
        direct = dtype == work  # then in place
        w = outs[b] if direct else np.empty(p.shape, dtype=work)
        _times_jacobian(p, vs[b].astype(work, copy=False), w, temperature)
        if not direct:
            outs[b] = w
    return out


def _times_jacobian(p: np.ndarray, v: np.ndarray, out: np.ndarray, temperature: float) -> np.ndarray:
    """``out = p * (v - <p, v>) / T`` along the last axis, as ``p * (D - (v_k - v)) / T``
    (see :func:`_product`); ``out`` may be ``v``."""
    np.subtract(np.take_along_axis(v, np.argmax(p, axis=-1, keepdims=True), axis=-1), v, out=out)
    d = np.einsum("...k,...k->...", p, out)[..., None]  # D = <p, v_k - v>
    np.subtract(d, out, out=out)  # v - <p, v>
    out *= p
    if temperature != 1.0:
        out /= temperature
    return out


def softmax_jvp(x: ArrayLike, v: ArrayLike, axis: int = -1, *, temperature: float = 1.0) -> np.ndarray:
    r"""Jacobian-vector product ``J v`` of softmax, in O(K) without forming ``J``.

    The directional derivative of ``p = softmax(x / T)`` in direction ``v``:
    ``(J v)_i = p_i (v_i - sum_j p_j v_j) / T``, i.e. ``p * (v - E_p[v]) / T``.

    Parameters
    ----------
    x : array_like
        Real scores (logits), at least 1-d.
    v : array_like
        The tangent vector(s); broadcast to the shape of ``x``.
    axis : int, optional
        The axis of the distribution (default: the last); the others are batch axes.
    temperature : float, optional
        ``T > 0``, as in :func:`softmaxlab.softmax`.

    Returns
    -------
    ndarray
        Same shape as ``x``: ``d/dt softmax(x + t v) / T`` at ``t = 0``. Its
        entries sum to 0 along ``axis`` (the outputs keep summing to 1).

    Raises
    ------
    TypeError, ValueError, numpy.exceptions.AxisError
        As in :func:`softmax_jacobian`; also a TypeError if ``v`` is not a real
        array, and a ValueError if it does not broadcast to the shape of ``x``.

    See Also
    --------
    softmax_jacobian : the explicit matrix.
    softmax_vjp : the same product from the left (equal, since ``J`` is symmetric).

    Notes
    -----
    Computed as ``p * (D - (v_k - v)) / T`` with ``k`` the most probable
    entry and ``D = sum_j p_j (v_k - v_j)``, which equals ``v_k - <p, v>``
    but keeps its relative accuracy when ``p`` is nearly one-hot (where
    ``v_k - <p, v>`` is lost to rounding). The dtype is that of ``x`` and
    ``v`` together (float16 computed in float32, long double in float64,
    integers in float64). An empty ``x`` gives an empty result; an infinite
    or nan entry of ``v`` makes its slice nan (``0 * inf``).

    Examples
    --------
    >>> import numpy as np
    >>> from softmaxlab import softmax_jacobian, softmax_jvp
    >>> x, v = np.array([1.0, 2.0, 3.0]), np.array([1.0, 0.0, -1.0])
    >>> bool(np.allclose(softmax_jvp(x, v), softmax_jacobian(x) @ v))
    True
    >>> bool(np.allclose(softmax_jvp(x, np.ones(3)), 0))   # shifting every logit changes nothing
    True
    >>> softmax_jvp([40.0, 0.0], [1.0, 0.0])                # saturated: e^-40 (1, -1), not (0, -e^-40)
    array([ 4.24835426e-18, -4.24835426e-18])
    """
    return _product(x, v, axis, temperature, "v")


def softmax_vjp(x: ArrayLike, g: ArrayLike, axis: int = -1, *, temperature: float = 1.0) -> np.ndarray:
    r"""Vector-Jacobian product ``g^T J`` of softmax, in O(K): the backward pass of softmax.

    Given the gradient ``g = dL/dp`` of a loss with respect to ``p = softmax(x / T)``,
    returns ``dL/dx = J^T g = p * (g - <p, g>) / T``.

    Parameters
    ----------
    x : array_like
        Real scores (logits), at least 1-d.
    g : array_like
        The upstream gradient(s) ``dL/dp``; broadcast to the shape of ``x``.
    axis : int, optional
        The axis of the distribution (default: the last); the others are batch axes.
    temperature : float, optional
        ``T > 0``, as in :func:`softmaxlab.softmax`.

    Returns
    -------
    ndarray
        ``dL/dx``, same shape as ``x``.

    Raises
    ------
    TypeError, ValueError, numpy.exceptions.AxisError
        As in :func:`softmax_jvp`, naming ``g``.

    Notes
    -----
    The Jacobian of softmax is symmetric, so this equals :func:`softmax_jvp`
    with ``v = g``, computed the same way (accurate where ``p`` saturates);
    both names exist because they answer different questions (forward-mode
    and reverse-mode differentiation).

    Examples
    --------
    >>> import numpy as np
    >>> from softmaxlab import softmax_jacobian, softmax_vjp
    >>> x, g = np.array([[0.5, -1.0, 2.0]]), np.array([[1.0, 2.0, 3.0]])
    >>> bool(np.allclose(softmax_vjp(x, g), g @ softmax_jacobian(x)[0]))
    True
    >>> softmax_vjp(np.zeros((3, 2)), [[1.0], [0.0], [0.0]], axis=0)   # batch along axis 1
    array([[ 0.22222222,  0.22222222],
           [-0.11111111, -0.11111111],
           [-0.11111111, -0.11111111]])
    """
    return _product(x, g, axis, temperature, "g")


def softmax_hessian(x: ArrayLike, axis: int = -1) -> np.ndarray:
    r"""Second derivatives of softmax: ``H[..., i, j, k] = d^2 p_i / (d x_j d x_k)``.

    With ``J = diag(p) - p p^T`` and ``e_i`` the ``i``-th unit vector, the
    Hessian of output ``i`` is

    ``H[i] = p_i ((e_i - p)(e_i - p)^T - J)``,

    entry by entry ``p_i ((delta_ij - p_j)(delta_ik - p_k) - p_j (delta_jk - p_k))``.

    Parameters
    ----------
    x : array_like
        Real scores (logits), at least 1-d.
    axis : int, optional
        The axis of the distribution (default: the last); the others are batch axes.

    Returns
    -------
    ndarray
        Shape ``batch + (K, K, K)``; symmetric in its last two indices, and
        ``H.sum(axis=-3) == 0`` (the outputs always sum to 1).

    Raises
    ------
    TypeError, ValueError, numpy.exceptions.AxisError
        As in :func:`softmax_jacobian`.

    Notes
    -----
    ``K^3`` numbers per distribution: meant for small ``K`` (checking
    derivations, second-order analysis), not for training. ``1 - p_i`` is
    taken as the sum of the other probabilities for the largest one, so the
    entries keep their relative accuracy where softmax saturates; an entry
    that is a difference of comparable terms (near a zero of the second
    derivative, such as ``p_i`` near 1/2 for ``K = 2``) is accurate to a few
    ulp of those terms. Special values and empty input as in
    :func:`softmax_jacobian`.

    Examples
    --------
    >>> import numpy as np
    >>> from softmaxlab import softmax_hessian
    >>> H = softmax_hessian([0.0, 0.0])
    >>> H[0]                      # p_1 = sigmoid(z_1 - z_2) has sigmoid'' = 0 at 0
    array([[0., 0.],
           [0., 0.]])
    >>> H = softmax_hessian([1.0, 0.0, -1.0])
    >>> bool(np.allclose(H, np.swapaxes(H, -1, -2))), bool(np.allclose(H.sum(axis=0), 0))
    (True, True)
    """
    arr, ax, _ = _check(x, axis, 1.0)
    xs = np.moveaxis(arr, ax, -1)  # a view: batch + (K,)
    k = xs.shape[-1]
    hess = np.empty(xs.shape + (k, k), dtype=result_dtype(arr.dtype))
    for b in _slice_blocks(xs.shape, xs.ndim - 1, max(_BLOCK_ELEMENTS // max(k * k, 1), k)):
        p = _probabilities(xs[b], 1.0)
        e_minus_p = np.repeat(-p[..., None, :], k, axis=-2)  # [i, j] = delta_ij - p_j
        np.einsum("...ii->...i", e_minus_p)[...] = _complement(p, -1)  # 1 - p_i, accurately
        jac = p[..., :, None] * e_minus_p  # [j, k] = p_j (delta_jk - p_k)
        direct = hess.dtype == p.dtype  # then in place
        hb = hess[b] if direct else np.empty(p.shape + (k, k), dtype=p.dtype)
        np.multiply(e_minus_p[..., :, :, None], e_minus_p[..., :, None, :], out=hb)
        hb -= jac[..., None, :, :]
        hb *= p[..., :, None, None]
        if not direct:
            hess[b] = hb
    return hess
