"""Floating-point facts and error measurement for softmax, log_softmax and logsumexp.

Four formats matter for softmax in practice: float16 and bfloat16 (2 bytes,
bfloat16 through the ``ml_dtypes`` package), float32 and float64.
:func:`float_format` computes, for one of them, its range and precision and
the three inputs where ``exp`` changes behaviour: the largest input whose
exponential is still finite, and the smallest whose exponential is normal and
nonzero. All three assume a correctly rounded ``exp`` (round to nearest, ties
to even) and are found exactly with mpmath.

:func:`mp_softmax`, :func:`mp_log_softmax` and :func:`mp_logsumexp` compute
the three functions at ``digits`` significant digits (50 by default), taking
the stored input as exact or, with ``rounded_differences=True``, after the one
rounding no algorithm can avoid: the differences ``fl(x_j - max)`` in the
input's format (Blanchard, Higham and Higham, 2021). Their results come as a
:class:`DoubleDouble`, the unevaluated sum ``hi + lo`` of two float64 arrays,
which is all :func:`ulp_error` needs to count a float64 result's error to a
small fraction of an ulp. :func:`ulp` is the unit in the last place in a
format.

The componentwise relative condition numbers (:func:`softmax_condition`,
:func:`log_softmax_condition`, :func:`logsumexp_condition`) say how much a
relative change of ``u`` in every input can change each output, relative to
its size: the error that is inherent in the problem, before any algorithm.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import ml_dtypes
import mpmath
import numpy as np
from numpy.typing import ArrayLike, DTypeLike

from softmaxlab._validation import (
    as_real_array,
    check_axis,
    check_bool,
    check_int,
    check_same_shape,
    scalar_if_0d,
)
from softmaxlab.core import log_softmax, logsumexp

__all__ = [
    "DoubleDouble",
    "FloatFormat",
    "float_format",
    "log_softmax_condition",
    "logsumexp_condition",
    "mp_log_softmax",
    "mp_logsumexp",
    "mp_softmax",
    "softmax_condition",
    "ulp",
    "ulp_error",
]

BFLOAT16 = np.dtype(ml_dtypes.bfloat16)
FORMATS = {
    "float16": np.dtype(np.float16),
    "bfloat16": BFLOAT16,
    "float32": np.dtype(np.float32),
    "float64": np.dtype(np.float64),
}
_ACCEPTED = "float16, bfloat16, float32 or float64"


class FloatFormat(NamedTuple):
    """Range, precision and the thresholds of ``exp`` of one floating-point format.

    ``precision`` counts the significand's bits, the implicit leading one
    included; ``unit_roundoff`` is ``2**-precision``, the largest relative
    error of rounding to nearest. The ``exp_*`` fields are numbers of the
    format (inputs), assuming ``exp`` correctly rounded.
    """

    name: str
    bits: int
    precision: int
    unit_roundoff: float
    max: float
    smallest_normal: float
    smallest_subnormal: float
    log_max: float
    exp_largest_finite_input: float
    exp_smallest_normal_input: float
    exp_smallest_nonzero_input: float


class DoubleDouble(NamedTuple):
    """A value held as the unevaluated sum ``hi + lo`` of two float64 arrays (about 32 digits).

    ``hi`` is the value rounded to float64 (``inf`` or 0 beyond float64's
    range); ``lo`` the rest, rounded (0 where ``hi`` is not finite).
    """

    hi: np.ndarray
    lo: np.ndarray


def _format_of(dtype: object, name: str = "dtype") -> np.dtype:
    """One of the four formats, from anything ``np.dtype`` reads (byte order ignored)."""
    try:
        dt = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"{name} must be a floating dtype ({_ACCEPTED}), got {dtype!r}") from None
    if dt.kind == "f":
        dt = dt.newbyteorder("=")
    for fmt in FORMATS.values():
        if dt == fmt:
            return fmt
    raise ValueError(f"{name} must be {_ACCEPTED}, got {dt}")


def _finfo(fmt: np.dtype):
    return ml_dtypes.finfo(fmt) if fmt == BFLOAT16 else np.finfo(fmt)


def _as_values(x: ArrayLike, name: str = "x") -> tuple[np.ndarray, np.dtype]:
    """``x`` as a float64 array holding the same numbers exactly, and the format it came in.

    Integers and booleans count as float64 (as the library computes them);
    long double is refused, as its numbers do not fit in float64.
    """
    if isinstance(x, np.ndarray) and x.dtype == BFLOAT16:
        return x.astype(np.float64), BFLOAT16
    arr = as_real_array(x, name)
    if arr.dtype.kind == "f" and arr.dtype.itemsize > 8:
        raise ValueError(f"{name} must be in {_ACCEPTED} (or integers); long double numbers are not read exactly")
    fmt = _format_of(arr.dtype) if arr.dtype.kind == "f" else FORMATS["float64"]
    return arr.astype(np.float64), fmt


# ---------------------------------------------------------------------------
# Rounding exact numbers to a format, in mpmath
# ---------------------------------------------------------------------------


def _round_to(value, fmt: np.dtype, mode: str):
    """``value`` (mpf) rounded to ``fmt``: "nearest" (ties to even, overflow to inf), "down" or "up"."""
    info = _finfo(fmt)
    p, emin = info.nmant + 1, int(info.minexp)
    if value == 0 or not mpmath.isfinite(value):
        return value
    sign = -1 if value < 0 else 1
    a = abs(value)
    _, e = mpmath.frexp(a)  # a = f 2**e, 1/2 <= f < 1: the leading bit has exponent e - 1
    spacing = mpmath.ldexp(1, max(int(e) - 1, emin) - p + 1)
    q = a / spacing  # exact: a division by a power of two
    if mode == "nearest":
        n = mpmath.floor(q)
        rest = q - n
        if rest > 0.5 or (rest == 0.5 and int(n) % 2 == 1):
            n += 1
    else:
        toward_larger_magnitude = (mode == "up") == (sign > 0)
        n = mpmath.ceil(q) if toward_larger_magnitude else mpmath.floor(q)
    result = sign * n * spacing
    if mode == "nearest" and abs(result) > mpmath.mpf(float(info.max)):
        return sign * mpmath.inf
    return result


def float_format(dtype: DTypeLike) -> FloatFormat:
    """Range, precision and the thresholds of ``exp`` of float16, bfloat16, float32 or float64.

    Parameters
    ----------
    dtype : dtype-like
        ``np.float16``, ``ml_dtypes.bfloat16`` (or ``"bfloat16"``),
        ``np.float32`` or ``np.float64``, in any byte order.

    Returns
    -------
    FloatFormat
        ``log_max`` is ``log(max)``, the real number above which ``exp``
        exceeds the format's range; ``exp_largest_finite_input`` the largest
        number of the format whose exponential, correctly rounded, is finite;
        ``exp_smallest_normal_input`` and ``exp_smallest_nonzero_input`` the
        smallest numbers whose exponential rounds to a normal number, and to
        a number other than 0.

    Raises
    ------
    TypeError
        If ``dtype`` is not a dtype.
    ValueError
        If it is another dtype (integers, long double, ...).

    Examples
    --------
    >>> import numpy as np
    >>> f16 = float_format(np.float16)
    >>> f16.precision, f16.max, round(f16.log_max, 4), f16.exp_largest_finite_input
    (11, 65504.0, 11.0899, 11.0859375)
    >>> with np.errstate(over="ignore"):                  # the next float16 overflows
    ...     bool(np.isinf(np.exp(np.float16(11.09375))))
    True
    >>> f16.exp_smallest_nonzero_input, f16.exp_smallest_normal_input
    (-17.328125, -9.703125)
    >>> b16 = float_format("bfloat16")
    >>> b16.precision, b16.unit_roundoff, round(b16.log_max, 2)
    (8, 0.00390625, 88.72)
    >>> float_format(np.float64).exp_largest_finite_input
    709.782712893384
    """
    fmt = _format_of(dtype)
    info = _finfo(fmt)
    p = info.nmant + 1
    with mpmath.workprec(200):
        top = mpmath.mpf(float(info.max))
        tiny = mpmath.mpf(float(info.smallest_normal))
        sub = mpmath.mpf(float(info.smallest_subnormal))
        # exp(x) rounds to inf from max + half a spacing of max on (the tie goes to the even inf)
        overflow_at = top + mpmath.ldexp(1, int(info.maxexp) - p - 1)
        # ... to 0 up to half the smallest subnormal (the tie goes to the even 0)
        zero_at = sub / 2
        # ... to the smallest normal number from half a subnormal spacing below it
        normal_at = tiny - sub / 2
        largest_finite = _round_to(mpmath.log(overflow_at), fmt, "down")
        smallest_nonzero = _round_to(mpmath.log(zero_at), fmt, "up")
        smallest_normal = _round_to(mpmath.log(normal_at), fmt, "up")
        log_max = float(mpmath.log(top))
    return FloatFormat(
        name=fmt.name,
        bits=8 * fmt.itemsize,
        precision=p,
        unit_roundoff=2.0**-p,
        max=float(info.max),
        smallest_normal=float(info.smallest_normal),
        smallest_subnormal=float(info.smallest_subnormal),
        log_max=log_max,
        exp_largest_finite_input=float(largest_finite),
        exp_smallest_normal_input=float(smallest_normal),
        exp_smallest_nonzero_input=float(smallest_nonzero),
    )


def ulp(x: ArrayLike, dtype: DTypeLike) -> np.ndarray:
    """The unit in the last place, in the format ``dtype``, of the numbers ``x``.

    For ``|x|`` in ``[2**e, 2**(e + 1))`` it is ``2**(e - precision + 1)``;
    below the smallest normal number (0 included) it is the smallest
    subnormal number; beyond the format's largest number the same rule goes
    on (so an overflowed true value still has an ulp).

    Parameters
    ----------
    x : array_like
        Real numbers (any float type, bfloat16 included, or integers).
    dtype : dtype-like
        float16, bfloat16, float32 or float64.

    Returns
    -------
    ndarray or numpy scalar
        float64, the shape of ``x``; ``inf`` for infinite ``x``, nan for nan.

    Raises
    ------
    TypeError
        If ``x`` is not a real numeric array-like or ``dtype`` not a dtype.
    ValueError
        If ``dtype`` is not one of the four formats, or ``x`` is long double.

    Examples
    --------
    >>> import numpy as np
    >>> ulp(1.0, np.float32) == 2.0 ** -23, ulp(0.0, np.float64) == 2.0 ** -1074
    (np.True_, np.True_)
    >>> ulp([1.0, 1000.0, np.inf], np.float16)
    array([0.00097656, 0.5       ,        inf])
    >>> float(ulp(1.0, "bfloat16"))
    0.0078125
    """
    values, _ = _as_values(x)
    fmt = _format_of(dtype)
    info = _finfo(fmt)
    p, emin = info.nmant + 1, int(info.minexp)
    a = np.abs(values)
    _, e = np.frexp(a)
    exponent = np.where(a < float(info.smallest_normal), emin, e - 1)
    with np.errstate(invalid="ignore"):
        out = np.ldexp(1.0, exponent - p + 1)
    out = np.where(np.isfinite(a), out, a)  # inf stays inf, nan stays nan
    return scalar_if_0d(out)


def _as_double_double(reference, name: str = "reference") -> DoubleDouble:
    if isinstance(reference, DoubleDouble):
        hi, lo = reference
        return DoubleDouble(_as_values(hi, f"{name}.hi")[0], _as_values(lo, f"{name}.lo")[0])
    values = _as_values(reference, name)[0]
    return DoubleDouble(values, np.zeros_like(values))


def ulp_error(computed: ArrayLike, reference: DoubleDouble | ArrayLike, dtype: DTypeLike | None = None) -> np.ndarray:
    """``|computed - reference|`` in units in the last place of ``reference`` in the format ``dtype``.

    Parameters
    ----------
    computed : array_like
        The values to judge (float16, bfloat16, float32, float64 or integers).
    reference : DoubleDouble or array_like
        The true values, the shape of ``computed``: a :class:`DoubleDouble`
        from :func:`mp_softmax` and its kin, or plain numbers.
    dtype : dtype-like, optional
        The format whose ulps count; by default that of ``computed`` (which
        must then be one of the four formats).

    Returns
    -------
    ndarray or numpy scalar
        float64 errors, the shape of ``computed``. Equal values (equal
        infinities included) count the reference's ``lo`` only, so a result
        rounded from the true value has an error of at most 1/2; an
        infinite or nan ``computed`` where the reference is finite, or a
        finite one where it is infinite, has error ``inf``; where the
        reference is nan (undefined) a nan result has error 0 and any other
        ``inf``.

    Raises
    ------
    TypeError
        If an argument is not a real numeric array-like or ``dtype`` not a dtype.
    ValueError
        If the shapes differ, ``dtype`` is not one of the four formats, or it
        is omitted and ``computed`` is not in one of them.

    Examples
    --------
    >>> import numpy as np
    >>> one_up = np.float32(1.0) + np.float32(2.0 ** -23)
    >>> float(ulp_error(one_up, 1.0))                 # one ulp of float32 above 1
    1.0
    >>> ref = mp_softmax(np.array([0.0, 0.1]))
    >>> ulp_error(np.array([0.475, 0.525], dtype=np.float16), ref).round(2)
    array([0.31, 0.16])
    >>> ulp_error([np.nan, np.inf], DoubleDouble(np.array([np.nan, 1.0]), np.zeros(2)), np.float64)
    array([ 0., inf])
    """
    values, fmt = _as_values(computed, "computed")
    if dtype is not None:
        fmt = _format_of(dtype)
    elif isinstance(computed, np.ndarray) and computed.dtype.kind in "biu":
        raise ValueError("dtype must be given when computed holds integers (which format's ulps count?)")
    hi, lo = _as_double_double(reference)
    check_same_shape(values, hi, "computed", "reference")
    check_same_shape(hi, lo, "reference.hi", "reference.lo")
    with np.errstate(invalid="ignore"):
        diff = np.abs((values - hi) - lo)
        err = np.where(values == hi, np.abs(lo), diff) / ulp(hi, fmt)
    both_nan = np.isnan(values) & np.isnan(hi)
    err = np.where(np.isnan(err) | (np.isinf(values) != np.isinf(hi)), np.inf, err)
    err = np.where(values == hi, np.where(np.isinf(hi), 0.0, err), err)
    return scalar_if_0d(np.where(both_nan, 0.0, err))


# ---------------------------------------------------------------------------
# 50-digit references
# ---------------------------------------------------------------------------


def _slices(x: ArrayLike, axis: int | None):
    """The slices of ``x`` as the rows of a 2-D float64 array, and how to put results back."""
    values, fmt = _as_values(x)
    shape = values.shape
    if axis is None:
        values, ax = values.reshape(1, -1), -1
    else:
        if values.ndim == 0:
            raise ValueError("x must have at least one dimension when axis is an int (or pass axis=None)")
        ax = check_axis(axis, values.ndim)
    moved = np.moveaxis(values, ax, -1)
    rows = moved.reshape(math.prod(moved.shape[:-1]), moved.shape[-1])
    return rows, fmt, shape, ax, moved.shape


def _check_digits(digits: int) -> int:
    return check_int(digits, "digits", minimum=20, maximum=1000)


def _slice_terms(row: np.ndarray, fmt: np.dtype, rounded: bool):
    """For one slice: ("nan" | "empty" | "inf", count) or ("ok", m, d) with d_j = x_j - m (mpf)."""
    if np.isnan(row).any():
        return ("nan",)
    if row.size == 0 or np.all(row == -np.inf):
        return ("empty",)
    top = float(row.max())
    if top == np.inf:
        return ("inf", int(np.sum(row == np.inf)))
    m = mpmath.mpf(top)
    d = []
    for v in row:
        diff = mpmath.mpf(float(v)) - m if v != -np.inf else -mpmath.inf
        d.append(_round_to(diff, fmt, "nearest") if rounded else diff)
    return ("ok", m, d)


def _split(values, shape) -> DoubleDouble:
    hi = np.array([float(v) for v in values], dtype=np.float64).reshape(shape)
    lo = np.array(
        [float(v - h) if math.isfinite(h) and mpmath.isfinite(v) else 0.0 for v, h in zip(values, hi.ravel())],
        dtype=np.float64,
    ).reshape(shape)
    return DoubleDouble(hi, lo)


def _mp_rows(kind: str, x, axis, digits, rounded_differences) -> DoubleDouble:
    digits = _check_digits(digits)
    rounded = check_bool(rounded_differences, "rounded_differences")
    rows, fmt, shape, ax, moved_shape = _slices(x, axis)
    out = []
    with mpmath.workdps(digits):
        for row in rows:
            terms = _slice_terms(row, fmt, rounded)
            if kind == "logsumexp":
                if terms[0] == "ok":
                    _, m, d = terms
                    out.append(m + mpmath.log(mpmath.fsum(mpmath.exp(v) for v in d)))
                else:
                    out.append({"nan": mpmath.nan, "empty": -mpmath.inf, "inf": mpmath.inf}[terms[0]])
            elif terms[0] == "ok":
                _, m, d = terms
                log_total = mpmath.log(mpmath.fsum(mpmath.exp(v) for v in d))
                out.extend(mpmath.exp(v - log_total) if kind == "softmax" else v - log_total for v in d)
            elif terms[0] == "inf":
                share = mpmath.mpf(1) / terms[1]
                for v in row:
                    if kind == "softmax":
                        out.append(share if v == np.inf else mpmath.mpf(0))
                    else:
                        out.append(mpmath.log(share) if v == np.inf else -mpmath.inf)
            else:
                out.extend([mpmath.nan] * row.size)
        if kind == "logsumexp":
            return _split(out, () if axis is None else moved_shape[:-1])
        hi, lo = _split(out, moved_shape)
    if axis is None:
        return DoubleDouble(hi.reshape(shape), lo.reshape(shape))
    return DoubleDouble(np.moveaxis(hi, -1, ax), np.moveaxis(lo, -1, ax))


_MP_DOC = """
    Parameters
    ----------
    x : array_like
        Real scores in float16, bfloat16, float32 or float64 (integers count
        as float64), read exactly.
    axis : int or None, optional
        The axis of each distribution (default: the last); ``None`` for all of ``x``.
    digits : int, optional
        Significant decimal digits of the arithmetic, 20 to 1000 (default 50).
    rounded_differences : bool, optional
        If True, apply the formula to ``fl(x_j - max)``, the differences
        rounded to nearest in ``x``'s format, instead of the exact ones.
"""


def mp_softmax(x: ArrayLike, axis: int | None = -1, *, digits: int = 50,
               rounded_differences: bool = False) -> DoubleDouble:
    """Softmax of ``x`` computed in mpmath at ``digits`` digits.
    {params}
    Returns
    -------
    DoubleDouble
        Arrays of ``x``'s shape. Special values as in :func:`softmaxlab.softmax`:
        a ``-inf`` entry gets 0, ``+inf`` entries share the mass, a slice
        holding nan or only ``-inf`` gives nan.

    Raises
    ------
    TypeError
        If ``x`` is not a real numeric array-like, ``axis`` not an int or
        None, ``digits`` not an integer or ``rounded_differences`` not a bool.
    ValueError
        If ``x`` is long double or 0-d (with an axis), or ``digits`` out of range.
    numpy.exceptions.AxisError
        If ``axis`` is out of range.

    Examples
    --------
    >>> import numpy as np
    >>> mp_softmax(np.array([0.0, np.log(3.0)])).hi     # log(3.0) is rounded: hi is, too
    array([0.25, 0.75])
    >>> x = np.array([0.3, -30.7], dtype=np.float32)
    >>> exact, rounded = mp_softmax(x).hi[1], mp_softmax(x, rounded_differences=True).hi[1]
    >>> float(exact)
    3.4424744410317636e-14
    >>> bool(0 < abs(rounded / exact - 1) < 31 * 2.0**-24)    # fl(x_1 - x_0) is off by at most 31 u
    True
    """
    return _mp_rows("softmax", x, axis, digits, rounded_differences)


def mp_log_softmax(x: ArrayLike, axis: int | None = -1, *, digits: int = 50,
                   rounded_differences: bool = False) -> DoubleDouble:
    """Log-softmax of ``x`` computed in mpmath at ``digits`` digits.
    {params}
    Returns
    -------
    DoubleDouble
        Arrays of ``x``'s shape; ``-inf`` where softmax is 0, nan where it is nan.

    Raises
    ------
    TypeError, ValueError, numpy.exceptions.AxisError
        For bad arguments, as in :func:`mp_softmax`.

    Examples
    --------
    >>> import numpy as np
    >>> ref = mp_log_softmax(np.array([0.0, -40.0]))    # the dominant class: -log1p(e**-40)
    >>> float(ref.hi[0])
    -4.248354255291589e-18
    """
    return _mp_rows("log_softmax", x, axis, digits, rounded_differences)


def mp_logsumexp(x: ArrayLike, axis: int | None = -1, *, digits: int = 50,
                 rounded_differences: bool = False) -> DoubleDouble:
    """Log-sum-exp of ``x`` computed in mpmath at ``digits`` digits.
    {params}
    Returns
    -------
    DoubleDouble
        Arrays of ``x``'s shape without ``axis`` (0-d arrays for a vector):
        ``-inf`` for an empty or all ``-inf`` slice, ``+inf`` if one entry is
        ``+inf``, nan for a slice holding nan.

    Raises
    ------
    TypeError, ValueError, numpy.exceptions.AxisError
        For bad arguments, as in :func:`mp_softmax`.

    Examples
    --------
    >>> import numpy as np
    >>> ref = mp_logsumexp(np.array([1000.0, 1000.0]))
    >>> float(ref.hi), float(ref.lo) != 0
    (1000.6931471805599, True)
    >>> float(mp_logsumexp(np.array([0.0, -40.0])).hi)      # near 0: log1p(e**-40)
    4.248354255291589e-18
    """
    return _mp_rows("logsumexp", x, axis, digits, rounded_differences)


for _f in (mp_softmax, mp_log_softmax, mp_logsumexp):
    _f.__doc__ = _f.__doc__.replace("    {params}", _MP_DOC.rstrip("\n"))


# ---------------------------------------------------------------------------
# Condition numbers
# ---------------------------------------------------------------------------


def _exclusive_sums(v: np.ndarray) -> np.ndarray:
    """``sum_{i != j} v_i`` for every ``j`` along the last axis, without subtracting (v >= 0)."""
    before = np.cumsum(v, axis=-1)
    after = np.cumsum(v[..., ::-1], axis=-1)[..., ::-1]
    out = np.zeros_like(v)
    out[..., 1:] += before[..., :-1]
    out[..., :-1] += after[..., 1:]
    return out


def _condition_parts(x: ArrayLike, axis: int | None):
    rows, _, shape, ax, moved_shape = _slices(x, axis)
    with np.errstate(all="ignore"):
        ls = log_softmax(rows, axis=-1) if rows.size else rows.copy()
        p = np.exp(ls)
        weight = np.where(np.isneginf(rows), 0.0, np.abs(rows) * p)  # a -inf entry cannot move
        bad = np.any(np.isnan(rows) | (rows == np.inf), axis=-1, keepdims=True) | np.all(
            np.isneginf(rows), axis=-1, keepdims=True)
    return rows, ls, p, weight, bad, (shape, ax, moved_shape)


def logsumexp_condition(x: ArrayLike, axis: int | None = -1) -> np.ndarray:
    """Relative condition number of logsumexp: ``sum_i |x_i| softmax(x)_i / |logsumexp(x)|``.

    A relative change of at most ``u`` in every entry changes logsumexp by at
    most about ``u`` times this number, relative to its value.

    Parameters
    ----------
    x : array_like
        Real scores (float16, bfloat16, float32, float64 or integers),
        computed in float64.
    axis : int or None, optional
        The axis reduced (default: the last); ``None`` for all of ``x``.

    Returns
    -------
    ndarray or numpy scalar
        float64, ``x``'s shape without ``axis``; ``inf`` where logsumexp is 0
        and the numerator is not; nan for 0/0 and for slices holding nan,
        ``+inf`` or only ``-inf`` (``-inf`` entries themselves contribute 0).

    Raises
    ------
    TypeError, ValueError, numpy.exceptions.AxisError
        For bad arguments, as in :func:`mp_softmax`.

    Examples
    --------
    >>> import numpy as np
    >>> float(logsumexp_condition([1.0, 2.0, 3.0])) < 1        # positive entries: at most 1
    True
    >>> float(logsumexp_condition([0.0, -40.0]))                 # near 0, yet well conditioned
    40.0
    >>> float(logsumexp_condition([-np.log(2), -np.log(2)]))      # the value is 0: no relative accuracy
    inf
    """
    rows, _, _, weight, bad, (_, _, moved_shape) = _condition_parts(x, axis)
    with np.errstate(all="ignore"):
        value = logsumexp(rows, axis=-1)
        out = np.where(bad[:, 0], np.nan, np.sum(weight, axis=-1) / np.abs(value))
    return scalar_if_0d(out.reshape(() if axis is None else moved_shape[:-1]))


def softmax_condition(x: ArrayLike, axis: int | None = -1) -> np.ndarray:
    """Relative condition number of each softmax output: ``sum_i |x_i| |delta_ij - p_i|``.

    Equal to ``|x_j| (1 - p_j) + sum_{i != j} |x_i| p_i``, each sum formed
    without cancellation. A relative change of at most ``u`` in every entry
    changes ``p_j`` by at most about ``u`` times this number, relative to ``p_j``.

    Parameters
    ----------
    x : array_like
        Real scores (float16, bfloat16, float32, float64 or integers),
        computed in float64.
    axis : int or None, optional
        The axis of each distribution (default: the last); ``None`` for all of ``x``.

    Returns
    -------
    ndarray
        float64, ``x``'s shape; nan at infinite entries and on slices holding
        nan, ``+inf`` or only ``-inf``.

    Raises
    ------
    TypeError, ValueError, numpy.exceptions.AxisError
        For bad arguments, as in :func:`mp_softmax`.

    Examples
    --------
    >>> import numpy as np
    >>> softmax_condition([0.0, 0.0])                  # inputs of 0 cannot move relatively
    array([0., 0.])
    >>> softmax_condition([1000.0, 1001.0]).round(1)    # large inputs: a relative u moves them far
    array([1462.8,  538.2])
    """
    return _softmax_like_condition(x, axis, log=False)


def log_softmax_condition(x: ArrayLike, axis: int | None = -1) -> np.ndarray:
    """Relative condition number of each log-softmax output: softmax's divided by ``|log p_j|``.

    Parameters
    ----------
    x : array_like
        Real scores (float16, bfloat16, float32, float64 or integers),
        computed in float64.
    axis : int or None, optional
        The axis of each distribution (default: the last); ``None`` for all of ``x``.

    Returns
    -------
    ndarray
        float64, ``x``'s shape; ``inf`` where ``log p_j = 0`` but the
        numerator is not, nan for 0/0, at infinite entries and on slices
        holding nan, ``+inf`` or only ``-inf``.

    Raises
    ------
    TypeError, ValueError, numpy.exceptions.AxisError
        For bad arguments, as in :func:`mp_softmax`.

    Examples
    --------
    >>> import numpy as np
    >>> log_softmax_condition([0.0, -40.0]).round(3)     # the dominant class: about 40, not 1e17
    array([40.,  1.])
    """
    return _softmax_like_condition(x, axis, log=True)


def _softmax_like_condition(x, axis, *, log: bool) -> np.ndarray:
    rows, ls, p, weight, bad, (shape, ax, moved_shape) = _condition_parts(x, axis)
    with np.errstate(all="ignore"):
        out = np.abs(rows) * _exclusive_sums(p) + _exclusive_sums(weight)
        if log:
            out = out / np.abs(ls)
        out = np.where(bad | ~np.isfinite(rows), np.nan, out)
    if axis is None:
        return out.reshape(shape)
    return np.moveaxis(out.reshape(moved_shape), -1, ax)
