"""Checking derivatives against central differences.

The central difference ``(f(x + h e_j) - f(x - h e_j)) / (2h)`` approximates
``df/dx_j`` with a truncation error of about ``h^2 |f'''| / 6`` and a rounding
error of about ``u |f| / h``, where ``u = 2^-53 ~ 1.1e-16`` is the unit
roundoff of float64. The total error is smallest at
``h = (3 u |f| / |f'''|)^(1/3)``: of order ``u^(1/3) ~ 4.8e-6``, times a factor
that depends on ``f``, where both errors are of order ``u^(2/3) ~ 2e-11``
relative. The default step here is the conventional
``eps^(1/3) = (2u)^(1/3) ~ 6.06e-6``, with ``eps = 2^-52`` the machine epsilon
(``np.finfo(np.float64).eps``), scaled by ``max(1, |x_j|)``.

The book and the tests use the same two functions: :func:`numerical_jacobian`
for an array-valued function and :func:`check_gradient` to compare an
analytic derivative with it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from softmaxlab._validation import as_real_array, check_real

__all__ = ["numerical_jacobian", "numerical_gradient", "check_gradient", "GradientCheck"]

DEFAULT_EPS = float(np.finfo(np.float64).eps) ** (1 / 3)


def _check_callable(func: object, name: str) -> None:
    if not callable(func):
        raise TypeError(f"{name} must be callable, got {type(func).__name__}")


def _evaluate(func: Callable, point: np.ndarray, name: str, at: str) -> np.ndarray:
    """``func(point)`` as a float64 array; a TypeError naming ``name`` unless it returns real numbers."""
    value = func(point)
    try:
        arr = as_real_array(value, f"{name}({at})")
    except TypeError as exc:
        raise TypeError(f"{name} must return a real number or array of them: {exc}") from None
    return arr.astype(np.float64, copy=False)


def numerical_jacobian(
    f: Callable[[np.ndarray], ArrayLike], x: ArrayLike, eps: float = DEFAULT_EPS
) -> np.ndarray:
    r"""Central-difference Jacobian of ``f`` at ``x``: ``J[out_index + in_index] = d f[out] / d x[in]``.

    Parameters
    ----------
    f : callable
        Maps a float64 array of the shape of ``x`` to an array (or scalar).
        It receives a fresh copy at every call, so it may not modify the
        caller's ``x``.
    x : array_like
        The point, real; it is evaluated in float64.
    eps : float, optional
        The relative step: coordinate ``j`` moves by ``h_j = eps * max(1, |x_j|)``
        each way. The default ``eps^(1/3) ~ 6.06e-6`` (``eps = 2^-52``, the
        machine epsilon) balances truncation and rounding error, to within a
        factor that depends on ``f``, for smooth ``f`` evaluated in float64.

    Returns
    -------
    ndarray
        Shape ``np.shape(f(x)) + np.shape(x)``, float64. For a scalar ``f``
        that is the gradient, of the shape of ``x``. Column ``j`` is nan where
        no step can be taken: ``x_j`` infinite or nan, ``x_j +- h_j`` beyond
        the float range, or ``h_j`` lost to rounding (a tiny ``eps``).

    Raises
    ------
    TypeError
        If ``f`` is not callable or returns something other than real
        numbers, ``x`` is not a real array, or ``eps`` is not a real number.
    ValueError
        If ``eps`` is not positive and finite, or ``f`` returns arrays of
        different shapes at different points.

    Notes
    -----
    ``2 * x.size`` evaluations of ``f``, one point at a time, so the memory
    used beyond the result is a copy of ``x`` and what ``f`` itself needs.
    The step actually taken, ``(x_j + h) - (x_j - h)`` after rounding, is the
    one divided by, which removes the error of representing ``x_j + h``.

    Examples
    --------
    >>> import numpy as np
    >>> from softmaxlab import numerical_jacobian, softmax, softmax_jacobian
    >>> x = np.array([1.0, 2.0, 0.5])
    >>> bool(np.allclose(numerical_jacobian(softmax, x), softmax_jacobian(x), atol=1e-9))
    True
    >>> np.round(numerical_jacobian(lambda v: np.sum(v ** 3), [1.0, 2.0]), 6)   # gradient 3 v^2
    array([ 3., 12.])
    """
    _check_callable(f, "f")
    x0 = as_real_array(x, "x").astype(np.float64, copy=False)  # never written to: f gets copies
    eps = check_real(eps, "eps", positive=True)
    y0 = _evaluate(f, x0.copy(), "f", "x")
    jac = np.empty(y0.shape + (x0.size,), dtype=np.float64)
    flat = x0.reshape(-1)
    for j in range(flat.size):
        x_j = float(flat[j])
        h = eps * max(1.0, abs(x_j))
        values = []
        for sign, moved in (("+", x_j + h), ("-", x_j - h)):
            point = flat.copy()
            point[j] = moved
            value = _evaluate(f, point.reshape(x0.shape), "f", f"x {sign} h e_{j}")
            if value.shape != y0.shape:
                raise ValueError(
                    f"f must return the same shape at every point: f(x) has shape {y0.shape}, "
                    f"but f(x {sign} h e_{j}) has shape {value.shape}"
                )
            values.append(value)
            del point
        step = (x_j + h) - (x_j - h)
        if math.isfinite(step) and step > 0:
            with np.errstate(all="ignore"):  # f may be infinite or nan there: so is the derivative
                jac[..., j] = (values[0] - values[1]) / step
        else:
            jac[..., j] = np.nan
    return jac.reshape(y0.shape + x0.shape)


def numerical_gradient(
    f: Callable[[np.ndarray], float], x: ArrayLike, eps: float = DEFAULT_EPS
) -> np.ndarray:
    r"""Central-difference gradient of a scalar function ``f`` at ``x`` (same shape as ``x``).

    Parameters
    ----------
    f : callable
        Maps an array of the shape of ``x`` to a scalar.
    x : array_like
        The point.
    eps : float, optional
        The relative step, as in :func:`numerical_jacobian`.

    Returns
    -------
    ndarray
        The gradient, float64, of the shape of ``x``.

    Raises
    ------
    ValueError
        If ``f`` does not return a scalar; otherwise as :func:`numerical_jacobian`.
    TypeError
        As :func:`numerical_jacobian`.

    Examples
    --------
    >>> import numpy as np
    >>> from softmaxlab import logsumexp, numerical_gradient, softmax
    >>> z = np.array([0.5, -1.0, 2.0])
    >>> bool(np.allclose(numerical_gradient(logsumexp, z), softmax(z)))   # grad LSE = softmax
    True
    """
    x0 = as_real_array(x, "x")
    grad = numerical_jacobian(f, x0, eps)
    if grad.shape != x0.shape:
        raise ValueError(f"f must return a scalar; it returned shape {grad.shape[: grad.ndim - x0.ndim]}")
    return grad


@dataclass(frozen=True, repr=False)
class GradientCheck:
    """The outcome of :func:`check_gradient`; true in a boolean context when the check passed.

    Attributes
    ----------
    analytic, numerical : ndarray
        The derivative under test and its central-difference estimate.
    max_abs_error : float
        ``max |analytic - numerical|``.
    max_rel_error : float
        ``max |analytic - numerical| / max(|analytic|, |numerical|)`` over the
        entries where either is nonzero (0 if there are none).
    passed : bool
        ``|analytic - numerical| <= atol + rtol * |numerical|`` everywhere.
    """

    analytic: np.ndarray
    numerical: np.ndarray
    max_abs_error: float
    max_rel_error: float
    passed: bool

    def __bool__(self) -> bool:
        return self.passed

    def __repr__(self) -> str:
        return (
            f"GradientCheck(passed={self.passed}, max_abs_error={self.max_abs_error:.1e}, "
            f"max_rel_error={self.max_rel_error:.1e})"
        )


def check_gradient(
    f: Callable[[np.ndarray], ArrayLike],
    grad: Callable[[np.ndarray], ArrayLike],
    x: ArrayLike,
    *,
    eps: float = DEFAULT_EPS,
    rtol: float = 1e-6,
    atol: float = 1e-8,
) -> GradientCheck:
    r"""Compare an analytic derivative with central differences at ``x``.

    Parameters
    ----------
    f : callable
        The function, scalar- or array-valued.
    grad : callable
        Its claimed derivative: returns an array of shape
        ``np.shape(f(x)) + np.shape(x)`` (the gradient, for a scalar ``f``;
        the Jacobian otherwise).
    x : array_like
        The point.
    eps : float, optional
        The relative step of :func:`numerical_jacobian`.
    rtol, atol : float, optional
        The check passes when ``|analytic - numerical| <= atol + rtol * |numerical|``
        for every entry, and that is all it guarantees. The defaults sit about
        three orders of magnitude above the ~1e-11 error of a central
        difference of a smooth float64 function of moderate size, so a correct
        derivative passes there, and one wrong by more than the tolerance in
        some entry fails. One wrong by less passes (``J + 5e-9``, or
        ``J * (1 + 5e-7)``), and where every entry of the derivative is below
        ``atol`` any claim of that size passes, zero included (softmax at
        ``(30, 0, 0)``, whose Jacobian entries are below 2e-13). The tolerance
        cannot be made much smaller in general: the central difference itself
        has an absolute error of about ``u |f| / h``, so derivatives far below
        that cannot be checked by it at all.

    Returns
    -------
    GradientCheck
        Truthy when the check passed; holds both derivatives and the errors.

    Raises
    ------
    TypeError
        If ``f`` or ``grad`` is not callable or returns something other than
        real numbers, ``x`` is not a real array, or ``eps``, ``rtol`` or
        ``atol`` is not a real number.
    ValueError
        If ``grad(x)`` does not have the shape of the numerical derivative,
        ``eps`` is not positive and finite, or ``rtol`` or ``atol`` is
        negative or not finite.

    Notes
    -----
    A nan in either derivative (a nan ``grad``, or a coordinate where
    :func:`numerical_jacobian` cannot step) fails the check.

    Examples
    --------
    >>> import numpy as np
    >>> from softmaxlab import check_gradient, cross_entropy, cross_entropy_grad
    >>> z = np.array([2.0, -1.0, 0.5])
    >>> bool(check_gradient(lambda v: cross_entropy(v, 1), lambda v: cross_entropy_grad(v, 1), z))
    True
    >>> result = check_gradient(np.sin, lambda v: np.diag(-np.sin(v)), z)   # a wrong derivative
    >>> result.passed
    False
    >>> from softmaxlab import softmax, softmax_jacobian
    >>> bool(check_gradient(softmax, lambda v: softmax_jacobian(v) * (1 + 5e-7), z))   # within rtol
    True
    >>> bool(check_gradient(softmax, lambda v: np.zeros((3, 3)), [30.0, 0.0, 0.0]))   # below atol
    True
    """
    _check_callable(f, "f")
    _check_callable(grad, "grad")
    x0 = as_real_array(x, "x").astype(np.float64, copy=False)
    eps = check_real(eps, "eps", positive=True)
    rtol = check_real(rtol, "rtol", nonnegative=True)
    atol = check_real(atol, "atol", nonnegative=True)
    numerical = numerical_jacobian(f, x0, eps)
    analytic = _evaluate(grad, x0.copy(), "grad", "x")
    if analytic.shape != numerical.shape:
        raise ValueError(
            f"grad returned shape {analytic.shape}, but the derivative of f at x has shape {numerical.shape}"
        )
    diff = np.abs(analytic - numerical)
    scale = np.maximum(np.abs(analytic), np.abs(numerical))
    nonzero = scale > 0
    max_abs = float(diff.max(initial=0.0))
    max_rel = float((diff[nonzero] / scale[nonzero]).max(initial=0.0))
    passed = bool(np.all(diff <= atol + rtol * np.abs(numerical)))
    return GradientCheck(analytic, numerical, max_abs, max_rel, passed)
