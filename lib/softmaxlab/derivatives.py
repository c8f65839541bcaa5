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


def _probabilities(x: ArrayLike, axis: int, temperature: float) -> tuple[np.ndarray, np.ndarray, int, float]:
    """Validate; return ``(x as array, softmax moved to the last axis in the working dtype, axis, T)``."""
    arr = as_real_array(x, "x")
    if arr.ndim == 0:
        raise ValueError("x must have at least one dimension (the axis of the distribution)")
    if axis is None:
        raise TypeError("axis must be an int; the derivatives need the axis of the distribution")
    ax = check_axis(axis, arr.ndim)
    temperature = check_temperature(temperature)
    work = working_dtype(arr.dtype)
    p = softmax(arr.astype(work, copy=False), axis=ax, temperature=temperature)
    return arr, np.moveaxis(p, ax, -1), ax, temperature


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

    Notes
    -----
    The matrix costs ``K^2`` memory per distribution; prefer the products
    when ``K`` is large. When one logit dominates, ``p`` approaches a one-hot
    vector and ``J`` approaches 0: softmax *saturates*.

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
    """
    arr, p, _, temperature = _probabilities(x, axis, temperature)
    jac = p[..., :, None] * p[..., None, :]
    np.negative(jac, out=jac)
    diagonal = np.einsum("...ii->...i", jac)  # a writeable view of the diagonal
    diagonal += p
    if temperature != 1.0:
        jac /= temperature
    return jac.astype(result_dtype(arr.dtype), copy=False)


def _product(x: ArrayLike, v: ArrayLike, axis: int, temperature: float, name: str) -> np.ndarray:
    """``p * (v - <p, v>) / T`` along ``axis``, the product of the symmetric Jacobian with ``v``."""
    arr, p, ax, temperature = _probabilities(x, axis, temperature)
    vec = as_real_array(v, name)
    try:
        vec = np.broadcast_to(vec, arr.shape)
    except ValueError:
        raise ValueError(
            f"{name} of shape {vec.shape} does not broadcast to the shape {arr.shape} of x"
        ) from None
    dtype = result_dtype(np.result_type(arr.dtype, vec.dtype))
    work = working_dtype(dtype)
    p = p.astype(work, copy=False)
    vec = np.moveaxis(vec, ax, -1).astype(work, copy=False)
    out = vec - np.sum(p * vec, axis=-1, keepdims=True)  # v - E_p[v]
    out *= p
    if temperature != 1.0:
        out /= temperature
    return np.moveaxis(out, -1, ax).astype(dtype, copy=False)


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

    See Also
    --------
    softmax_jacobian : the explicit matrix.
    softmax_vjp : the same product from the left (equal, since ``J`` is symmetric).

    Examples
    --------
    >>> import numpy as np
    >>> from softmaxlab import softmax_jacobian, softmax_jvp
    >>> x, v = np.array([1.0, 2.0, 3.0]), np.array([1.0, 0.0, -1.0])
    >>> bool(np.allclose(softmax_jvp(x, v), softmax_jacobian(x) @ v))
    True
    >>> bool(np.allclose(softmax_jvp(x, np.ones(3)), 0))   # shifting every logit changes nothing
    True
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

    Notes
    -----
    The Jacobian of softmax is symmetric, so this equals :func:`softmax_jvp`
    with ``v = g``; both names exist because they answer different questions
    (forward-mode and reverse-mode differentiation).

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

    Notes
    -----
    ``K^3`` numbers per distribution: meant for small ``K`` (checking
    derivations, second-order analysis), not for training.

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
    arr, p, _, _ = _probabilities(x, axis, 1.0)
    k = p.shape[-1]
    e_minus_p = np.eye(k, dtype=p.dtype) - p[..., None, :]  # [i, j] = delta_ij - p_j
    jac = p[..., :, None] * e_minus_p  # [j, k] = p_j (delta_jk - p_k)
    hess = e_minus_p[..., :, :, None] * e_minus_p[..., :, None, :]
    hess -= jac[..., None, :, :]
    hess *= p[..., :, None, None]
    return hess.astype(result_dtype(arr.dtype), copy=False)
