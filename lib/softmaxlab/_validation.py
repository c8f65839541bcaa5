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
    value = float(temperature)
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be a positive finite number, got {temperature!r}")
    return value
