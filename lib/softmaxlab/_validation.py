"""Input checks shared by every public function.

Each check raises an exception whose message names the offending argument,
so a reader who passes the wrong thing learns which one and why.
"""

from __future__ import annotations

import math
from numbers import Real

import numpy as np
from numpy.typing import ArrayLike


def as_real_array(x: ArrayLike, name: str = "x") -> np.ndarray:
    """Return ``x`` as a real numpy array, rejecting complex and non-numeric input."""
    try:
        arr = np.asarray(x)
    except (ValueError, TypeError) as exc:  # ragged nested lists and the like
        raise TypeError(f"{name} must be a real numeric array-like: {exc}") from None
    if arr.dtype.kind == "c":
        raise TypeError(f"{name} must be real, got complex dtype {arr.dtype}")
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{name} must be a real numeric array, got dtype {arr.dtype}")
    return arr


def working_dtype(dtype: np.dtype) -> np.dtype:
    """The floating dtype a computation runs in: float16 widens to float32, integers to float64,
    and long double narrows to float64 (the library accumulates in float64)."""
    if dtype.kind != "f" or dtype.itemsize > 8:
        return np.dtype(np.float64)
    if dtype.itemsize == 2:
        return np.dtype(np.float32)
    return dtype.newbyteorder("=")  # native: ufuncs' dtype= does not take a byte order


def result_dtype(dtype: np.dtype) -> np.dtype:
    """The dtype a result is returned in: floats keep their dtype (in native byte order, as
    numpy's ufuncs return it), integers become float64."""
    return dtype.newbyteorder("=") if dtype.kind == "f" else np.dtype(np.float64)


def check_axis(axis: int | None, ndim: int, name: str = "axis") -> int | None:
    """Normalise a single axis (negative counts from the end); ``None`` passes through."""
    if axis is None:
        return None
    if isinstance(axis, (bool, np.bool_)) or not isinstance(axis, (int, np.integer)):
        raise TypeError(f"{name} must be an int or None, got {axis!r}")
    if not -ndim <= axis < ndim:
        raise np.exceptions.AxisError(
            f"{name}={axis} is out of range for an array with {ndim} dimension(s)"
        )
    return int(axis) % ndim


def check_temperature(temperature: float, name: str = "temperature") -> float:
    """Return ``temperature`` as a float, requiring a positive finite real number.

    Python and numpy real scalars and 0-d real arrays are accepted; booleans are not.
    """
    if isinstance(temperature, np.ndarray) and temperature.ndim == 0 and temperature.dtype.kind in "iuf":
        temperature = temperature[()]
    if isinstance(temperature, (bool, np.bool_)) or not isinstance(temperature, (Real, np.floating, np.integer)):
        raise TypeError(f"{name} must be a positive finite real number, got {temperature!r}")
    try:
        value = float(temperature)
    except OverflowError:  # an int such as 10**400
        raise ValueError(
            f"{name} must be a positive finite number, got an integer of {len(str(abs(int(temperature))))} "
            "digits, too large for a float"
        ) from None
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be a positive finite number, got {temperature!r}")
    return value


def _as_python_scalar(value: object) -> object:
    """A 0-d numpy array becomes its scalar, so ``np.array(3)`` is read like ``3``."""
    if isinstance(value, np.ndarray) and value.ndim == 0:
        return value[()]
    return value


def check_int(
    value: object, name: str, *, minimum: int | None = None, maximum: int | None = None
) -> int:
    """Return ``value`` as a Python int, requiring an integer (not a bool) within ``[minimum, maximum]``.

    Python and numpy integers and 0-d integer arrays are accepted; floats, even
    integral ones like ``2.0``, are not.

    Examples
    --------
    >>> from softmaxlab._validation import check_int
    >>> check_int(3, "n", minimum=1)
    3
    >>> check_int(0, "n", minimum=1)
    Traceback (most recent call last):
    ...
    ValueError: n must be an integer >= 1, got 0
    >>> check_int(2.5, "n")
    Traceback (most recent call last):
    ...
    TypeError: n must be an integer, got 2.5
    """
    value = _as_python_scalar(value)
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an integer, got {value!r}")
    number = int(value)
    if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
        if maximum is None:
            accepted = f">= {minimum}"
        elif minimum is None:
            accepted = f"<= {maximum}"
        else:
            accepted = f"between {minimum} and {maximum}"
        raise ValueError(f"{name} must be an integer {accepted}, got {value!r}")
    return number


def check_real(
    value: object,
    name: str,
    *,
    positive: bool = False,
    nonnegative: bool = False,
    finite: bool = True,
    minimum: float | None = None,
    maximum: float | None = None,
) -> float:
    """Return ``value`` as a Python float, requiring a real number (not a bool, string or array).

    ``finite`` rejects nan and infinities (nan is always rejected), ``positive``
    requires ``> 0``, ``nonnegative`` requires ``>= 0``, ``minimum`` and
    ``maximum`` bound it inclusively. An integer too large for a float (such as
    ``10**400``) raises ValueError naming the argument.

    Examples
    --------
    >>> from softmaxlab._validation import check_real
    >>> check_real(0.5, "power", nonnegative=True)
    0.5
    >>> check_real(float("nan"), "power")
    Traceback (most recent call last):
    ...
    ValueError: power must be a finite real number, got nan
    >>> check_real("a", "reward_sd")
    Traceback (most recent call last):
    ...
    TypeError: reward_sd must be a real number, got 'a'
    """
    value = _as_python_scalar(value)
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (Real, np.floating, np.integer)):
        raise TypeError(f"{name} must be a real number, got {value!r}")
    kind = "positive " if positive else "non-negative " if nonnegative else ""
    kind += "finite real number" if finite else "real number (not nan)"
    try:
        number = float(value)
    except OverflowError:
        raise ValueError(f"{name} must be a {kind} representable as a float, got {value!r}") from None
    if math.isnan(number) or (finite and math.isinf(number)):
        raise ValueError(f"{name} must be a {kind}, got {value!r}")
    if (positive and not number > 0) or (nonnegative and not number >= 0):
        raise ValueError(f"{name} must be a {kind}, got {value!r}")
    if minimum is not None and number < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value!r}")
    if maximum is not None and number > maximum:
        raise ValueError(f"{name} must be <= {maximum}, got {value!r}")
    return number


def check_bool(value: object, name: str) -> bool:
    """Return ``value`` as a bool, requiring a Python or numpy bool.

    Examples
    --------
    >>> from softmaxlab._validation import check_bool
    >>> check_bool(True, "keepdims")
    True
    >>> check_bool(1, "keepdims")
    Traceback (most recent call last):
    ...
    TypeError: keepdims must be True or False, got 1
    """
    value = _as_python_scalar(value)
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {value!r}")
    return bool(value)


def flatten_if_axis_none(arr: np.ndarray, axis: int | None, name: str = "axis") -> tuple[np.ndarray, int]:
    """``axis=None`` means "over every entry": the flattened array and axis 0; else the checked axis.

    Examples
    --------
    >>> import numpy as np
    >>> from softmaxlab._validation import flatten_if_axis_none
    >>> flat, axis = flatten_if_axis_none(np.zeros((2, 3)), None)
    >>> flat.shape, axis
    ((6,), 0)
    >>> flatten_if_axis_none(np.zeros((2, 3)), -1)[1]
    1
    """
    if axis is None:
        return arr.reshape(-1), 0
    return arr, check_axis(axis, arr.ndim, name)


def scalar_if_0d(result: np.ndarray) -> np.ndarray | np.generic:
    """A 0-d result as a numpy scalar (as ``np.sum`` returns one); other results unchanged.

    Examples
    --------
    >>> import numpy as np
    >>> from softmaxlab._validation import scalar_if_0d
    >>> type(scalar_if_0d(np.array(2.0))).__name__, scalar_if_0d(np.zeros(2)).shape
    ('float64', (2,))
    """
    return result[()] if isinstance(result, np.ndarray) and result.ndim == 0 else result


def check_same_shape(a: np.ndarray, b: np.ndarray, name_a: str, name_b: str) -> None:
    """Require two arrays of the same shape, naming both in the error.

    Examples
    --------
    >>> import numpy as np
    >>> from softmaxlab._validation import check_same_shape
    >>> check_same_shape(np.zeros(3), np.zeros(2), "x", "v")
    Traceback (most recent call last):
    ...
    ValueError: v must have the same shape as x, (3,), got (2,)
    """
    if a.shape != b.shape:
        raise ValueError(f"{name_b} must have the same shape as {name_a}, {a.shape}, got {b.shape}")


def result_in_input_dtype(result: np.ndarray, input_dtype: np.dtype) -> np.ndarray | np.generic:
    """Cast a result computed in :func:`working_dtype` back to :func:`result_dtype` of the input,
    then return a 0-d result as a numpy scalar: float16 in, float16 out; long double in, long double out.

    Examples
    --------
    >>> import numpy as np
    >>> from softmaxlab._validation import result_in_input_dtype
    >>> result_in_input_dtype(np.ones(2, dtype=np.float32), np.dtype(np.float16)).dtype
    dtype('float16')
    >>> type(result_in_input_dtype(np.array(1.0), np.dtype(np.longdouble))).__name__
    'longdouble'
    """
    target = result_dtype(input_dtype)
    if result.dtype != target:
        result = result.astype(target)
    return scalar_if_0d(result)
