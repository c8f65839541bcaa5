"""Rules table for softmaxlab.floating (the numerics chapter's measurement tools).

Every public name is called with bad arguments and must raise TypeError,
ValueError or AxisError from softmaxlab itself, naming the argument; array
arguments reject every entry of ``BAD_ARRAYS``; every float dtype of ``DTYPES``
is accepted except long double, which these functions refuse (its numbers do
not fit the float64 results); results are float64 and inputs are not modified.
"""

from __future__ import annotations

import ml_dtypes
import numpy as np
import pytest

from rules_support import BAD_ARRAYS, DTYPES, assert_rejects, assert_unmodified
from softmaxlab.floating import (
    DoubleDouble,
    FloatFormat,
    float_format,
    log_softmax_condition,
    logsumexp_condition,
    mp_log_softmax,
    mp_logsumexp,
    mp_softmax,
    softmax_condition,
    ulp,
    ulp_error,
)

COVERED = {
    "FloatFormat", "float_format", "ulp", "DoubleDouble", "ulp_error", "mp_softmax", "mp_log_softmax",
    "mp_logsumexp", "softmax_condition", "log_softmax_condition", "logsumexp_condition",
}

#: Functions of (x, axis): the references and the condition numbers.
ALONG_AXIS = [mp_softmax, mp_log_softmax, mp_logsumexp, softmax_condition, log_softmax_condition,
              logsumexp_condition]
MP = [mp_softmax, mp_log_softmax, mp_logsumexp]
X = np.array([[0.5, -1.0, 2.0], [3.0, 3.0, -40.0]])


def _ids(funcs):
    return [f.__name__ for f in funcs]


def test_the_public_names_are_exported_from_the_package():
    import softmaxlab

    for name in COVERED:
        assert getattr(softmaxlab, name) is getattr(__import__("softmaxlab.floating", fromlist=[name]), name)


@pytest.mark.parametrize("func", ALONG_AXIS, ids=_ids(ALONG_AXIS))
@pytest.mark.parametrize("bad", list(BAD_ARRAYS), ids=str)
def test_bad_arrays_are_refused_naming_x(func, bad):
    assert_rejects(func, (BAD_ARRAYS[bad],), names="x", errors=TypeError)


@pytest.mark.parametrize("bad", list(BAD_ARRAYS), ids=str)
def test_ulp_and_ulp_error_refuse_bad_arrays(bad):
    assert_rejects(ulp, (BAD_ARRAYS[bad], np.float32), names="x", errors=TypeError)
    assert_rejects(ulp_error, (BAD_ARRAYS[bad], [1.0, 2.0], np.float64), names="computed", errors=TypeError)
    assert_rejects(ulp_error, ([1.0, 2.0], BAD_ARRAYS[bad], np.float64), names="reference", errors=TypeError)


NOT_FORMATS = [("int64", ValueError), (np.longdouble, ValueError), (np.complex128, ValueError),
               ("no such type", TypeError), (3.5, TypeError)]


@pytest.mark.parametrize("dtype, error", NOT_FORMATS, ids=str)
def test_formats_other_than_the_four_are_refused_naming_dtype(dtype, error):
    assert_rejects(float_format, (dtype,), names="dtype", errors=error)
    assert_rejects(ulp, (1.0, dtype), names="dtype", errors=error)
    assert_rejects(ulp_error, ([1.0], [1.0], dtype), names="dtype", errors=error)


@pytest.mark.parametrize("func", ALONG_AXIS, ids=_ids(ALONG_AXIS))
@pytest.mark.parametrize("axis, error", [(2, np.exceptions.AxisError), (-3, np.exceptions.AxisError),
                                         (1.0, TypeError), (True, TypeError), ("0", TypeError)], ids=str)
def test_bad_axes_are_refused_naming_axis(func, axis, error):
    assert_rejects(func, (X,), {"axis": axis}, names="axis", errors=error)


@pytest.mark.parametrize("func", ALONG_AXIS, ids=_ids(ALONG_AXIS))
def test_a_scalar_needs_axis_none(func):
    assert_rejects(func, (1.5,), names="x", errors=ValueError)
    out = np.asarray(func(1.5, axis=None).hi if func in MP else func(1.5, axis=None))
    # log p = 0 does not move at all: its relative condition is 0/0
    assert np.isnan(out).all() if func is log_softmax_condition else np.isfinite(out).all()


@pytest.mark.parametrize("func", MP, ids=_ids(MP))
@pytest.mark.parametrize("digits, error", [(10, ValueError), (5000, ValueError), (50.0, TypeError),
                                           ("50", TypeError), (True, TypeError)], ids=str)
def test_bad_digits_are_refused(func, digits, error):
    assert_rejects(func, (X,), {"digits": digits}, names="digits", errors=error)


@pytest.mark.parametrize("func", MP, ids=_ids(MP))
@pytest.mark.parametrize("flag", [1, "yes", None], ids=str)
def test_rounded_differences_must_be_a_bool(func, flag):
    assert_rejects(func, (X,), {"rounded_differences": flag}, names="rounded_differences", errors=TypeError)


@pytest.mark.parametrize("func", ALONG_AXIS + [ulp], ids=_ids(ALONG_AXIS + [ulp]))
@pytest.mark.parametrize("name", list(DTYPES))
def test_dtypes(func, name):
    dtype, _ = DTYPES[name]
    x = X.astype(dtype)
    call = (lambda a: func(a, np.float32)) if func is ulp else func
    if dtype == np.longdouble:
        assert_rejects(call, (x,), names="x", errors=ValueError)
        return
    out = assert_unmodified(call, x)
    for part in (out if isinstance(out, DoubleDouble) else (out,)):
        assert np.asarray(part).dtype == np.float64
    expected = call(X.astype(np.float64).astype(dtype).astype(np.float64))
    np.testing.assert_array_equal(np.asarray(out if not isinstance(out, DoubleDouble) else out.hi),
                                  np.asarray(expected if not isinstance(expected, DoubleDouble) else expected.hi))


@pytest.mark.parametrize("func", ALONG_AXIS + [ulp], ids=_ids(ALONG_AXIS + [ulp]))
def test_bfloat16_is_read_exactly(func):
    x = X.astype(ml_dtypes.bfloat16)
    call = (lambda a: func(a, np.float32)) if func is ulp else func
    out, expected = call(x), call(x.astype(np.float64))
    np.testing.assert_array_equal(*(np.asarray(v.hi if isinstance(v, DoubleDouble) else v) for v in (out, expected)))


def test_ulp_error_dtypes_and_unmodified_inputs():
    ref = mp_softmax(X)
    for name in ("float16", "float32", "float64", "big-endian float64"):
        dtype, _ = DTYPES[name]
        computed = X.astype(dtype)
        out = assert_unmodified(ulp_error, computed, ref.hi)
        assert out.dtype == np.float64 and out.shape == X.shape
    assert_rejects(ulp_error, (X.astype(np.longdouble), ref.hi), names="computed", errors=ValueError)
    assert_rejects(ulp_error, (X, ref.hi[:1]), names="reference", errors=ValueError)
    assert_rejects(ulp_error, (X, DoubleDouble(ref.hi, ref.lo[:, :1])), names="reference.lo", errors=ValueError)
    assert_rejects(ulp_error, (X, DoubleDouble(ref.hi, "a")), names="reference.lo", errors=TypeError)


def test_float_format_results():
    f = float_format("float32")
    assert isinstance(f, FloatFormat) and f._fields[0] == "name" and f.name == "float32"
    assert all(isinstance(v, float) for v in f[3:])
    with pytest.raises(AttributeError):
        f.max = 1.0  # a result is immutable


def test_zero_d_results_are_numpy_scalars():
    assert isinstance(ulp(1.0, np.float64), np.floating)
    assert isinstance(ulp_error(np.float64(1.0), 1.0), np.floating)
    assert isinstance(logsumexp_condition([1.0, 2.0]), np.floating)
    assert mp_logsumexp([1.0, 2.0]).hi.shape == ()


def test_ieee_values_never_give_a_wrong_finite_number():
    rows = np.array([[np.nan, 1.0], [np.inf, 1.0], [-np.inf, -np.inf], [-np.inf, 2.0]])
    with np.errstate(all="ignore"):
        for func in (softmax_condition, log_softmax_condition):
            out = func(rows)
            assert np.isnan(out[:3]).all() and np.isnan(out[3, 0])
        assert softmax_condition(rows)[3, 1] == 0 and np.isnan(log_softmax_condition(rows)[3, 1])  # 0/0
        assert np.isnan(logsumexp_condition(rows)[:3]).all()
    assert mp_softmax(rows).hi[3].tolist() == [0.0, 1.0]
    assert np.isnan(mp_log_softmax(rows).hi[0]).all() and mp_logsumexp(rows).hi[1] == np.inf
