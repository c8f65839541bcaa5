"""Unit and property tests of softmaxlab.core: softmax, log_softmax, logsumexp.

Layout: the mathematical properties (hypothesis), agreement with brute-force
references, axes and shapes, dtypes, the IEEE special values exactly as
CONTRIBUTING.md states them, the block/chunk machinery, and bad input. Accuracy in
ulps against a 50-digit reference is in test_accuracy.py.
"""

from __future__ import annotations

import math
import warnings

import mpmath
import numpy as np
import pytest
import scipy.special
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import accuracy_cases as ac
import softmaxlab
import softmaxlab._kernels as kernels
from softmaxlab import core, log_softmax, logsumexp, softmax

FUNCTIONS = [softmax, log_softmax, logsumexp]
ELEMENTWISE = [softmax, log_softmax]
SCIPY = {softmax: scipy.special.softmax, log_softmax: scipy.special.log_softmax,
         logsumexp: scipy.special.logsumexp}

def finite_floats(lo=-1e3, hi=1e3, width=64):
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False, width=width)


def vectors(lo=-1e3, hi=1e3, min_size=1, max_size=30):
    return hnp.arrays(np.float64, st.integers(min_size, max_size), elements=finite_floats(lo, hi))


def batches(lo=-1e3, hi=1e3):
    return hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=6),
                      elements=finite_floats(lo, hi))


def entropy(x, temperature=1.0):
    p = softmax(x, temperature=temperature)
    return float(-np.sum(p * log_softmax(x, temperature=temperature)))


# ---------------------------------------------------------------------------
# Properties of the definition
# ---------------------------------------------------------------------------


def test_worked_example_from_the_sources():
    x = np.array([3.0, 2.0, 1.0, 0.1])
    expected = np.exp(x) / np.exp(x).sum()
    np.testing.assert_allclose(softmax(x), expected, rtol=1e-15)
    np.testing.assert_array_equal(np.round(softmax(x), 3), [0.642, 0.236, 0.087, 0.035])


@given(batches(-1e300, 1e300), st.integers(-3, 2))
def test_probabilities_are_in_0_1_and_sum_to_1(x, axis):
    axis = axis % x.ndim
    p = softmax(x, axis=axis)
    assert p.shape == x.shape
    assert np.all((p >= 0) & (p <= 1))
    np.testing.assert_allclose(p.sum(axis=axis), 1.0, rtol=4 * x.shape[axis] * np.finfo(float).eps)


@given(vectors(-100, 100), finite_floats(-100, 100))
def test_shift_invariance(x, c):
    for f in ELEMENTWISE:
        np.testing.assert_allclose(f(x + c), f(x), rtol=1e-12, atol=1e-12 if f is log_softmax else 0)
    np.testing.assert_allclose(logsumexp(x + c), logsumexp(x) + c, rtol=1e-13, atol=1e-12)


@given(vectors())
def test_order_is_preserved(x):
    p, lp = softmax(x), log_softmax(x)
    i, j = np.meshgrid(np.arange(x.size), np.arange(x.size), indexing="ij")
    less, equal = x[i] < x[j], x[i] == x[j]
    assert np.all(p[i][less] <= p[j][less]) and np.all(lp[i][less] <= lp[j][less])  # weakly: rounding
    assert np.all(p[i][equal] == p[j][equal]) and np.all(lp[i][equal] == lp[j][equal])


def test_not_scale_invariant():
    x = np.array([1.0, 2.0, 3.0])
    assert not np.allclose(softmax(2 * x), softmax(x))
    np.testing.assert_allclose(softmax(2 * x), softmax(x, temperature=0.5), rtol=1e-15)


@given(vectors(-50, 50, min_size=2), st.floats(0.05, 20.0), st.floats(1.01, 10.0))
def test_entropy_increases_with_temperature(x, t, factor):
    assert entropy(x, t) <= entropy(x, t * factor) + 1e-9


@given(vectors(-50, 50, min_size=2))
def test_large_temperature_flattens_to_uniform(x):
    n = x.size
    gaps = [np.max(np.abs(softmax(x, temperature=t) - 1 / n)) for t in (1.0, 10.0, 1e3, 1e6)]
    assert all(a >= b - 1e-15 for a, b in zip(gaps, gaps[1:]))
    np.testing.assert_allclose(softmax(x, temperature=1e12), 1 / n, rtol=1e-9)
    assert entropy(x, 1e12) == pytest.approx(math.log(n), rel=1e-9)


@given(vectors(-50, 50, min_size=2))
def test_small_temperature_sharpens_to_the_argmax(x):
    top = x == x.max()
    second = np.max(x[~top]) if np.any(~top) else x.max()
    assume(x.max() - second > 1e-3)
    p = softmax(x, temperature=1e-6)
    np.testing.assert_allclose(p, top / top.sum(), atol=1e-12)
    assert np.max(softmax(x, temperature=0.5)) >= np.max(softmax(x)) - 1e-15


@given(vectors(-50, 50), st.floats(0.01, 100.0))
def test_temperature_means_dividing_the_scores(x, t):
    np.testing.assert_allclose(softmax(x, temperature=t), softmax(x / t), rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(log_softmax(x, temperature=t), log_softmax(x / t), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(logsumexp(x, temperature=t), t * logsumexp(x / t), rtol=1e-12, atol=1e-12)


@given(vectors(-1e3, 1e3), st.floats(0.01, 100.0))
def test_logsumexp_is_a_smooth_maximum(x, t):
    value = logsumexp(x, temperature=t)
    assert x.max() <= value <= x.max() + t * math.log(x.size) * (1 + 1e-12) + 1e-12


# ---------------------------------------------------------------------------
# Brute-force references
# ---------------------------------------------------------------------------


@given(vectors(-30, 30))
def test_agrees_with_the_plain_formula_where_it_is_safe(x):
    e = np.exp(x)
    np.testing.assert_allclose(softmax(x), e / e.sum(), rtol=1e-13)
    np.testing.assert_allclose(logsumexp(x), np.log(e.sum()), rtol=1e-14, atol=1e-14)
    np.testing.assert_allclose(log_softmax(x), np.log(e / e.sum()), rtol=1e-12, atol=1e-14)


@settings(max_examples=25)
@given(vectors(-700, 700, max_size=8))
def test_agrees_with_mpmath(x):
    with mpmath.workdps(700):  # enough digits that 1 + s keeps an s as small as exp(-1400)
        e = [mpmath.exp(mpmath.mpf(float(v))) for v in x]
        total = mpmath.fsum(e)
        p = [float(v / total) for v in e]
        lp = [float(mpmath.mpf(float(v)) - mpmath.log(total)) for v in x]
        lse = float(mpmath.log(total))
    # relative to the true value; x - max is rounded first, so allow its |d| * eps effect
    d = x.max() - x
    np.testing.assert_allclose(softmax(x), p, rtol=8e-16 * (4 + 2 * d.max()), atol=1e-300)
    np.testing.assert_allclose(log_softmax(x), lp, rtol=8e-16 * (4 + 2 * d.max()), atol=1e-300)
    assert logsumexp(x) == pytest.approx(lse, rel=1e-15, abs=1e-15 * abs(x.max()))


@given(vectors(-30, 30))
def test_the_three_functions_agree(x):
    np.testing.assert_allclose(log_softmax(x), np.log(softmax(x)), rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(np.exp(log_softmax(x)), softmax(x), rtol=1e-13)
    np.testing.assert_allclose(log_softmax(x), x - logsumexp(x), rtol=1e-13, atol=1e-13)


@given(batches(-1e3, 1e3), st.integers(-3, 2))
def test_agrees_with_scipy_on_batches(x, axis):
    axis = axis % x.ndim
    with np.errstate(under="ignore"):
        np.testing.assert_allclose(softmax(x, axis=axis), SCIPY[softmax](x, axis=axis), rtol=1e-12, atol=1e-300)
        # scipy's log_softmax and logsumexp lose relative accuracy near 0: compare absolutely
        for f in (log_softmax, logsumexp):
            np.testing.assert_allclose(f(x, axis=axis), SCIPY[f](x, axis=axis), rtol=1e-13, atol=1e-13)


def test_log_softmax_keeps_the_tiny_log_probability_of_a_dominant_class():
    x = np.array([0.0, -40.0, -41.0])
    s = math.exp(-40.0) + math.exp(-41.0)
    assert log_softmax(x)[0] == pytest.approx(-math.log1p(s), rel=4e-16)
    assert logsumexp(x) == pytest.approx(math.log1p(s), rel=4e-16)
    assert np.log(softmax(x))[0] == 0.0  # the naive route loses it completely


def test_no_overflow_for_any_finite_input():
    big = np.finfo(np.float64).max
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_array_equal(softmax([big, -big]), [1.0, 0.0])
        np.testing.assert_array_equal(log_softmax([big, -big]), [0.0, -np.inf])
        assert logsumexp([big, big]) == big  # big + log 2 rounds back to big
        assert logsumexp([1000.0, 1000.0]) == pytest.approx(1000 + math.log(2), rel=1e-16)
        np.testing.assert_allclose(softmax([-1000.0, -1000.0]), [0.5, 0.5])


# ---------------------------------------------------------------------------
# Axes, shapes, layouts, return types
# ---------------------------------------------------------------------------


def _along(f, x, axis, **kw):
    """Reference: ``f`` applied to each 1-D slice along ``axis``."""
    return np.apply_along_axis(lambda v: f(v, **kw), axis, x)


@pytest.mark.parametrize("axis", [0, 1, 2, -1, -2, -3])
@pytest.mark.parametrize("layout", ["C", "F", "strided", "transposed"])
def test_every_axis_of_a_3d_array(axis, layout):
    rng = np.random.default_rng(3)
    base = 10 * rng.standard_normal((5, 6, 7))
    x = {"C": base, "F": np.asfortranarray(base), "strided": (10 * rng.standard_normal((10, 6, 14)))[::2, :, ::2],
         "transposed": base.transpose(1, 2, 0)}[layout]
    for f in FUNCTIONS:
        np.testing.assert_allclose(f(x, axis=axis), _along(f, x, axis), rtol=1e-14, atol=1e-300)
    np.testing.assert_allclose(softmax(x, axis=axis).sum(axis=axis), 1.0, rtol=1e-14)
    assert np.all(np.isfinite(log_softmax(x, axis=axis)))


def test_axis_none_treats_the_array_as_one_distribution():
    x = np.arange(12.0).reshape(3, 4) / 3
    flat = x.reshape(-1)
    np.testing.assert_allclose(softmax(x, axis=None), softmax(flat).reshape(3, 4), rtol=1e-15)
    np.testing.assert_allclose(log_softmax(x, axis=None), log_softmax(flat).reshape(3, 4), rtol=1e-15)
    assert logsumexp(x, axis=None) == pytest.approx(logsumexp(flat), rel=1e-15)
    assert softmax(x, axis=None).sum() == pytest.approx(1.0, rel=1e-15)
    np.testing.assert_allclose(softmax(np.asfortranarray(x), axis=None), softmax(x, axis=None), rtol=1e-15)
    np.testing.assert_allclose(softmax(x.T, axis=None), softmax(x, axis=None).T, rtol=1e-15)


@pytest.mark.parametrize("axis", [None, 0, 1, 2, -1, -3])
@pytest.mark.parametrize("order", ["C", "F"])
def test_logsumexp_keepdims(axis, order):
    x = np.asarray(np.random.default_rng(1).standard_normal((2, 3, 4)), order=order)
    kept = logsumexp(x, axis=axis, keepdims=True)
    expected = scipy.special.logsumexp(x, axis=axis, keepdims=True)
    assert kept.shape == expected.shape == np.sum(x, axis=axis, keepdims=True).shape
    np.testing.assert_allclose(kept, expected, rtol=1e-14)
    squeezed = logsumexp(x, axis=axis)
    assert np.shape(squeezed) == np.sum(x, axis=axis).shape
    np.testing.assert_allclose(squeezed, np.reshape(kept, np.shape(squeezed)), rtol=0)


def test_reductions_to_0d_return_numpy_scalars():
    for x, dtype in [([1.0, 2.0], np.float64), (np.float32([1, 2]), np.float32), ([1, 2], np.float64),
                     (np.float16([1, 2]), np.float16)]:
        value = logsumexp(x)
        assert isinstance(value, np.generic) and not isinstance(value, np.ndarray)
        assert value.dtype == dtype
    assert isinstance(logsumexp(np.ones((2, 3)), axis=None), np.float64)
    assert isinstance(logsumexp(5.0, axis=None), np.float64)
    assert logsumexp(np.ones((2, 3)), axis=None, keepdims=True).shape == (1, 1)
    assert logsumexp(np.ones((2, 3))).shape == (2,)


def test_scalars_and_0d_input():
    assert softmax(5.0, axis=None) == 1.0 and softmax(5.0, axis=None).shape == ()
    assert log_softmax(np.float32(5.0), axis=None) == 0.0
    assert logsumexp(-2.5, axis=None) == -2.5
    with pytest.raises(np.exceptions.AxisError, match="axis"):
        softmax(5.0)  # the default axis=-1 does not exist in a 0-d array, as in numpy


def test_array_likes():
    expected = softmax(np.array([[1.0, 2.0], [3.0, 5.0]]))
    np.testing.assert_array_equal(softmax([[1.0, 2.0], [3.0, 5.0]]), expected)
    np.testing.assert_array_equal(softmax(((1.0, 2.0), (3.0, 5.0))), expected)
    np.testing.assert_array_equal(softmax([[1, 2], [3, 5]]), expected)
    np.testing.assert_array_equal(softmax(np.ma.getdata(np.ma.masked_array([[1.0, 2.0], [3.0, 5.0]]))), expected)
    assert softmax(range(3)).shape == (3,)


def test_input_is_not_modified_and_output_is_fresh():
    x = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 7.0]])
    keep = x.copy()
    for f in FUNCTIONS:
        out = f(x)
        assert not np.shares_memory(out, x)
    np.testing.assert_array_equal(x, keep)
    assert softmax(x).flags.c_contiguous


def test_package_exports():
    assert softmaxlab.softmax is softmax and softmaxlab.log_softmax is log_softmax
    assert softmaxlab.logsumexp is logsumexp
    assert {"softmax", "log_softmax", "logsumexp"} <= set(softmaxlab.__all__)


# ---------------------------------------------------------------------------
# dtypes
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_float_dtypes_are_preserved(dtype):
    x = np.array([[0.5, -1.0, 2.0], [3.0, 3.0, -7.0]], dtype=dtype)
    for f in ELEMENTWISE:
        assert f(x).dtype == dtype
    assert logsumexp(x).dtype == dtype
    assert logsumexp(x, axis=None).dtype == dtype


@pytest.mark.parametrize("f", FUNCTIONS)
def test_float16_is_computed_in_float32(f):
    x = (np.random.default_rng(0).standard_normal((4, 50)) * 8).astype(np.float16)
    np.testing.assert_array_equal(f(x), f(x.astype(np.float32)).astype(np.float16))
    # an intermediate that would overflow float16 (x - max = -120000) is fine in float32
    y = np.array([60000.0, -60000.0], dtype=np.float16)
    np.testing.assert_array_equal(softmax(y), [1.0, 0.0])
    assert logsumexp(np.float16([65504, 65504])) == np.float16(65504)


@pytest.mark.parametrize("f", FUNCTIONS)
@pytest.mark.parametrize("dtype", [">f8", ">f4", "<f8"])
def test_byte_order_does_not_matter(f, dtype):
    x = np.random.default_rng(0).standard_normal((4, 50)) * 8
    got = f(x.astype(dtype))
    assert got.dtype == np.dtype(dtype).newbyteorder("=")  # native, as numpy's ufuncs return
    np.testing.assert_array_equal(got, f(x.astype(np.dtype(dtype).newbyteorder("="))))


@pytest.mark.parametrize("f", FUNCTIONS)
def test_long_double_is_computed_in_float64(f):
    x = np.random.default_rng(0).standard_normal((4, 50)) * 8
    got = f(x.astype(np.longdouble))
    assert got.dtype == np.longdouble
    np.testing.assert_array_equal(got, f(x).astype(np.longdouble))


@pytest.mark.parametrize("dtype", [np.int8, np.int32, np.int64, np.uint8, np.uint64, bool])
def test_integers_and_booleans_become_float64(dtype):
    x = np.array([[0, 1, 1], [1, 0, 0]], dtype=dtype)
    as_float = x.astype(np.float64)
    for f in FUNCTIONS:
        out = f(x)
        assert out.dtype == np.float64
        np.testing.assert_array_equal(out, f(as_float))
    # large integers: x - max is taken in float64, no integer wrap-around
    big = np.array([np.iinfo(np.int64).max, np.iinfo(np.int64).min])
    np.testing.assert_array_equal(softmax(big), [1.0, 0.0])
    np.testing.assert_array_equal(softmax(np.array([0, 255], dtype=np.uint8)), softmax([0.0, 255.0]))


def test_float32_results_are_accurate_to_float32():
    x = np.random.default_rng(5).standard_normal((30, 40)).astype(np.float32)
    ref = softmax(x.astype(np.float64))
    np.testing.assert_allclose(softmax(x), ref, rtol=4 * 2.0**-23)
    np.testing.assert_allclose(logsumexp(x), logsumexp(x.astype(np.float64)), rtol=2.0**-23)


# ---------------------------------------------------------------------------
# IEEE special values, exactly as CONTRIBUTING.md states them
# ---------------------------------------------------------------------------

inf, nan = np.inf, np.nan
quiet = pytest.mark.filterwarnings("error")  # special values must not warn


@quiet
def test_minus_inf_entries_get_probability_0():
    x = np.array([1.0, -inf, 2.0, -inf])
    np.testing.assert_allclose(softmax(x), [*softmax([1.0, 2.0])[:1], 0, softmax([1.0, 2.0])[1], 0])
    lp = log_softmax(x)
    assert lp[1] == lp[3] == -inf and np.all(np.isfinite(lp[[0, 2]]))
    assert logsumexp(x) == logsumexp([1.0, 2.0])


@quiet
def test_plus_inf_entries_share_the_mass():
    x = np.array([inf, 1.0, inf, -inf, 3.0])
    np.testing.assert_array_equal(softmax(x), [0.5, 0, 0.5, 0, 0])
    np.testing.assert_array_equal(log_softmax(x), [-math.log(2), -inf, -math.log(2), -inf, -inf])
    assert logsumexp(x) == inf
    np.testing.assert_array_equal(softmax([inf]), [1.0])
    np.testing.assert_array_equal(softmax([inf, inf, inf, 0], temperature=3.0), [1 / 3, 1 / 3, 1 / 3, 0])
    # the limit it stands for: softmax(x + c e) as c grows
    np.testing.assert_allclose(softmax([1e300, 1.0, 1e300, -1e300, 3.0]), softmax(x))


@quiet
def test_all_minus_inf_slice():
    x = np.full(3, -inf)
    assert np.all(np.isnan(softmax(x))) and np.all(np.isnan(log_softmax(x)))
    assert logsumexp(x) == -inf


@quiet
def test_nan_propagates_within_its_own_slice_only():
    x = np.array([[1.0, nan, 2.0], [1.0, 2.0, 3.0], [nan, inf, -inf]])
    for f in ELEMENTWISE:
        out = f(x)
        assert np.all(np.isnan(out[0])) and np.all(np.isnan(out[2]))
        np.testing.assert_array_equal(out[1], f(x[1]))
        along0 = f(x, axis=0)
        assert np.all(np.isnan(along0[:, :2])) and not np.any(np.isnan(along0[:, 2]))
    lse = logsumexp(x)
    assert np.isnan(lse[0]) and np.isnan(lse[2]) and lse[1] == logsumexp(x[1])


@quiet
def test_slices_of_one_entry():
    # no other term carries nan into the result: 1 for finite and +inf, nan for nan and -inf
    x = np.array([[2.0], [inf], [nan], [-inf]])
    for f, finite in [(softmax, 1.0), (log_softmax, 0.0)]:
        out = f(x)
        np.testing.assert_array_equal(out[:2, 0], [finite, finite])
        assert np.all(np.isnan(out[2:, 0])), f.__name__
        out_t = f(x.T, axis=0)  # the same slices along the other axis (3-D path when batched)
        assert np.all(np.isnan(out_t[0, 2:])) and np.all(out_t[0, :2] == finite)
        assert np.isnan(f(np.full((2, 1, 3), nan), axis=1)).all()
    np.testing.assert_array_equal(logsumexp(x), [2.0, inf, nan, -inf])


@quiet
def test_empty_reduction_axis():
    for shape, axis in [((3, 0), -1), ((0, 3), 0), ((0,), 0), ((2, 0, 4), 1)]:
        x = np.zeros(shape)
        for f in ELEMENTWISE:
            out = f(x, axis=axis)
            assert out.shape == shape and out.dtype == np.float64
        lse = logsumexp(x, axis=axis)
        assert lse.shape == np.sum(x, axis=axis).shape and np.all(lse == -inf)
        assert logsumexp(x, axis=axis, keepdims=True).shape == np.sum(x, axis=axis, keepdims=True).shape
    assert logsumexp(np.zeros(0)) == -inf and isinstance(logsumexp(np.zeros(0)), np.float64)
    assert logsumexp(np.zeros((0, 3)), axis=None) == -inf
    assert logsumexp(np.zeros((0, 3))).shape == (0,)  # empty batch, non-empty axis
    assert softmax(np.zeros((0, 3))).shape == (0, 3)
    assert logsumexp(np.zeros((0, 3), np.float32)).dtype == np.float32


@quiet
@pytest.mark.parametrize("order", ["C", "F"])
def test_mixed_special_rows_in_one_batch(order):
    rows = [[1.0, 2.0, 3.0, 4.0], [1.0, -inf, 3.0, -inf], [-inf, -inf, -inf, -inf],
            [inf, 2.0, inf, 0.0], [nan, 1.0, 2.0, 3.0], [0.0, -40.0, -41.0, -745.0],
            [1e308, -1e308, 0.0, 5.0], [2.0, 2.0, 2.0, 2.0]]
    x = np.asarray(rows, order=order)
    for f in FUNCTIONS:
        np.testing.assert_array_equal(f(x), np.array([f(np.array(r)) for r in rows]))
        np.testing.assert_array_equal(f(x.T, axis=0), f(x).T)


@quiet
def test_huge_differences_do_not_warn():
    big = np.finfo(np.float64).max
    np.testing.assert_array_equal(softmax([big, -big, 0.0]), [1.0, 0.0, 0.0])
    assert logsumexp([-big, big]) == big
    np.testing.assert_array_equal(softmax(np.float32([3e38, -3e38])), [1.0, 0.0])


# ---------------------------------------------------------------------------
# Blocks and chunks: tiny blocks force every code path on small arrays
# ---------------------------------------------------------------------------


@pytest.fixture(params=["chunked", "one slice per block"])
def tiny_blocks(request, monkeypatch):
    monkeypatch.setattr(kernels, "BLOCK_BYTES", 64)  # 1024 elements, the minimum
    # slices longer than a block: done in chunks, or (up to this size) one per block
    monkeypatch.setattr(kernels, "LONG_SLICE_BYTES", 64 if request.param == "chunked" else 1 << 20)
    return kernels.block_elements(np.float64)


SHAPES_AXES = [((3000,), 0), ((2, 3000), 1), ((3000, 2), 0), ((2, 5, 700), 1), ((2, 1500, 3), 1),
               ((5, 600), 1), ((2, 700, 4), 1), ((4, 2600), None), ((40, 40), 0)]


@pytest.mark.parametrize("shape,axis", SHAPES_AXES)
@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.float16])
def test_blocked_paths_agree_with_one_block(shape, axis, dtype, tiny_blocks, monkeypatch):
    rng = np.random.default_rng(11)
    x = (6 * rng.standard_normal(shape)).astype(dtype)
    if x.ndim > 1:  # special values in a few slices, ties in another
        x[(0,) * (x.ndim - 1)] = -np.inf
        x.reshape(-1)[7] = np.inf
        x.reshape(-1)[-1] = np.nan
        x.reshape(-1)[-5:-2] = x.max()
    small = {f: f(x, axis=axis) for f in FUNCTIONS}
    monkeypatch.setattr(kernels, "BLOCK_BYTES", 1 << 40)  # everything in one block
    monkeypatch.setattr(kernels, "LONG_SLICE_BYTES", 1 << 40)
    for f in FUNCTIONS:
        # the sums run in another order, so results may differ in the last bits
        np.testing.assert_allclose(small[f], f(x, axis=axis), rtol=32 * np.finfo(dtype).eps, atol=0)


ROUTES = {"one block": (1 << 40, 1 << 40), "blocks": (64, 1 << 20), "long slices": (64, 64)}
REFERENCE_SHAPES = [((7,), -1), ((3, 50), 1), ((300, 64), -1), ((64, 300), 0), ((5, 4, 33), 1),
                    ((5, 4, 33), 0), ((2, 3000), 1), ((3000,), None), ((40, 30), None)]


def _reference_inputs(shape, dtype):
    """Deterministic finite scores of mixed scales, with ties and a dominant slice."""
    rng = np.random.default_rng(math.prod(shape))
    x = rng.standard_normal(shape) * rng.choice([0.1, 3.0, 30.0], size=shape)
    flat = x.reshape(-1)
    flat[-4:] = flat.max()  # a tie for the maximum
    flat[:3] = [60.0, -10.0, -20.0]  # one score far above the others
    return x.astype(dtype)


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("shape,axis", REFERENCE_SHAPES)
@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.float16])
@pytest.mark.parametrize("temperature", [1.0, 0.7])
def test_every_route_computes_the_reference_algorithm(route, shape, axis, dtype, temperature, monkeypatch):
    """The fast routes of softmaxlab._kernels against core._shifted_algorithm, the plain algorithm.

    Both are within 4 ulp of the exact values (test_accuracy.py), so they agree to
    twice that; they differ only in the order of the float64 sums, and in
    logsumexp's direct sum where it is as accurate.
    """
    block, long = ROUTES[route]
    monkeypatch.setattr(kernels, "BLOCK_BYTES", block)
    monkeypatch.setattr(kernels, "LONG_SLICE_BYTES", long)
    x = _reference_inputs(shape, dtype)
    wdtype = np.float32 if dtype == np.float16 else dtype
    flat = x.reshape(-1) if axis is None else x
    expected = [r.reshape(x.shape) if r.size == x.size else r
                for r in core._shifted_algorithm(flat.astype(wdtype), -1 if axis is None else axis, temperature)]
    rtol = 2 * ac.TOLERANCE_ULP * np.finfo(dtype).eps
    tiny = np.finfo(dtype).tiny
    for f, ref in zip(FUNCTIONS, expected):
        got = f(x, axis=axis, temperature=temperature)
        assert got.dtype == dtype
        ref = ref.astype(dtype)
        if f is logsumexp:  # relative to |max| + log1p(s), as in test_accuracy.py
            scale = np.abs(np.max(x, axis=axis)).astype(np.float64) + 1.0
            np.testing.assert_array_less(np.abs(got - ref.reshape(got.shape)), rtol * scale)
        else:
            np.testing.assert_allclose(got, ref, rtol=rtol, atol=tiny)


def test_the_reference_algorithm_is_the_one_chapter_1_states():
    """log1p keeps the dominant class's tiny log-probability; s is summed in float64."""
    x = np.array([[0.0, -40.0], [3.0, 1.0]])
    p, lp, lse = core._shifted_algorithm(x, axis=1)
    assert lp[0, 0] == -math.exp(-40.0) and lse[0] == math.exp(-40.0)
    np.testing.assert_allclose(p[1], [1 / (1 + math.exp(-2.0)), math.exp(-2.0) / (1 + math.exp(-2.0))], rtol=1e-15)
    p32, _, lse32 = core._shifted_algorithm(np.float32([[0.0, -1.0, -2.0]]), axis=1)
    assert p32.dtype == lse32.dtype == np.float32


def _mp_softmax_family(x, temperature):
    """softmax, log_softmax and logsumexp of a finite vector, to 60 digits."""
    with mpmath.workdps(60):
        d = [mpmath.mpf(float(v)) / mpmath.mpf(temperature) for v in x]
        m = max(d)
        log_z = m + mpmath.log(mpmath.fsum(mpmath.exp(v - m) for v in d))
        return ([float(mpmath.exp(v - log_z)) for v in d], [float(v - log_z) for v in d],
                float(log_z * mpmath.mpf(temperature)))


@quiet
@pytest.mark.parametrize("temperature", [1.5, 1e10, 1e308])
def test_a_temperature_brings_overflowing_differences_back_on_every_path(temperature, tiny_blocks):
    """x - max beyond the float range with (x - max) / T within it: x / T - max / T, in every kernel."""
    rng = np.random.default_rng(12)
    x = np.concatenate([[1e308, -1e308, 0.0, 1.7e308, -1.7e308], 1e307 * rng.standard_normal(3000)])
    p, lp, lse = map(np.array, _mp_softmax_family(x, temperature))
    for arr, axis, pick in [(x, -1, lambda r: r), (np.stack([x, x]), 1, lambda r: r[1]),
                            (np.asfortranarray(np.stack([x, x], axis=1)), 0, lambda r: r[:, 1]),
                            (np.stack([x, x], axis=1)[:, None, :], 0, lambda r: r[:, 0, 1])]:
        np.testing.assert_allclose(pick(softmax(arr, axis=axis, temperature=temperature)), p, rtol=1e-13, atol=0)
        np.testing.assert_allclose(pick(log_softmax(arr, axis=axis, temperature=temperature)), lp, rtol=1e-13)
        got = logsumexp(arr, axis=axis, temperature=temperature, keepdims=True)
        np.testing.assert_allclose(got.reshape(-1)[-1], lse, rtol=1e-13)


@quiet
def test_overflowing_differences_with_a_tiny_sum():
    """log_softmax([1e308, -1e308], T=2): the fix of tiny sums recomputes x / T - max / T too."""
    assert log_softmax([1e308, -1e308], temperature=2.0)[1] == -1e308
    assert log_softmax(np.float32([3e38, -3e38]), temperature=2.0)[1] == np.float32(-3e38)
    assert log_softmax([1.5e308, -1.5e308], temperature=1.0)[1] == -np.inf  # -3e308 is beyond the range


def test_long_slices_keep_ties_and_tiny_sums(tiny_blocks):
    n = 5 * tiny_blocks
    x = np.full(n, -745.0)
    x[[10, 3000]] = 0.0  # two maxima in different chunks: s = 1 + the rest
    assert logsumexp(x) == pytest.approx(math.log(2 + (n - 2) * math.exp(-745.0)), rel=1e-15)
    np.testing.assert_allclose(softmax(x)[[10, 3000]], 0.5)
    y = np.full(n, -745.0)
    y[123] = 0.0  # s is a sum of n - 1 subnormals
    expected = (n - 1) * float(mpmath.exp(-745))
    assert -log_softmax(y)[123] == pytest.approx(expected, rel=1e-14)
    assert logsumexp(y) == pytest.approx(expected, rel=1e-14)


def test_a_sum_of_subnormals_is_rescaled():
    x = np.array([0.0] + [-745.0] * 999)
    exact = 999 * mpmath.exp(-745)
    assert -log_softmax(x)[0] == pytest.approx(float(exact), rel=1e-14)
    naive = np.sum(np.exp(x[1:]))  # 999 terms rounded to the smallest subnormal
    assert abs(naive - float(exact)) > 0.5 * float(exact)
    x32 = np.float32([0.0] + [-100.0] * 99)
    assert logsumexp(x32) == pytest.approx(99 * math.exp(-100.0), rel=2.0**-22)


@pytest.mark.parametrize("order", ["C", "F"])
def test_tiny_sums_are_rescaled_along_any_axis(order):
    """The fix for subnormal terms finds its slices in 3-D arrays and transposes too."""
    x = np.full((3, 50, 4), -745.0)
    x[:, 7, :] = 0.0
    x[1, :, 2] = np.linspace(0.0, -3.0, 50)  # an ordinary slice in between
    x = np.asarray(x, order=order)
    expected = float(49 * mpmath.exp(-745))
    lp, lse = log_softmax(x, axis=1), logsumexp(x, axis=1)
    for i, j in [(0, 0), (2, 3), (1, 1)]:
        assert -lp[i, 7, j] == pytest.approx(expected, rel=1e-14)
        assert lse[i, j] == pytest.approx(expected, rel=1e-14)
        np.testing.assert_array_equal(lp[i, :7, j], -745.0)
    np.testing.assert_allclose(lp[1, :, 2], log_softmax(x[1, :, 2]), rtol=1e-15)
    np.testing.assert_allclose(softmax(x, axis=1).sum(axis=1), 1.0, rtol=1e-15)


@quiet
@pytest.mark.parametrize("f", ELEMENTWISE)
def test_small_inputs_take_the_short_path_unless_a_slice_needs_a_fix(f, monkeypatch):
    results = []
    name = "SOFTMAX" if f is softmax else "LOG_SOFTMAX"
    routes = getattr(kernels, name)

    def spy(*args):
        results.append(routes.one_block(*args))
        return results[-1]

    monkeypatch.setattr(kernels, name, routes._replace(one_block=spy))
    x = np.array([[1.0, 2.0, 3.0], [0.0, -1.0, -2.0]])
    np.testing.assert_allclose(f(x), SCIPY[f](x, axis=-1), rtol=1e-15)
    assert results[-1] is not None
    x[1, 0] = np.inf  # a fix-up: the blocked driver does the whole input
    y = f(x)
    assert results[-1] is None
    np.testing.assert_allclose(y[0], f(x[0]), rtol=0)
    calls = len(results)
    f(np.zeros((2, kernels.block_elements(np.float64))))  # more than one block
    assert len(results) == calls


# ---------------------------------------------------------------------------
# logsumexp: the direct sum where it is safe, the shifted algorithm elsewhere
# ---------------------------------------------------------------------------


@quiet
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_logsumexp_redoes_exactly_the_unsafe_slices(dtype, monkeypatch):
    big = 710.0 if dtype == np.float64 else 89.0  # exp overflows
    small = -800.0 if dtype == np.float64 else -110.0  # exp underflows to 0
    rows = {  # row: redone by the shifted algorithm?
        (0.0, 1.0, 2.0, 3.0): False,  # S = 31.2, log S = 3.4
        (-3.0, -3.0, -9.0, -9.0): False,  # S = 0.1, log S = -2.3
        (0.5, -0.5, -9.0, -9.0): True,  # log S = 0.8: absolute error would be relative
        (0.0, -40.0, -40.0, -40.0): True,  # log S = 1.3e-17
        (big, 0.0, 0.0, 0.0): True,  # S overflows
        (small, small, small, small - 1): True,  # S underflows
        (np.inf, 0.0, 0.0, 0.0): True,
        (-np.inf, -np.inf, -np.inf, -np.inf): True,  # S = 0
        (np.nan, np.inf, 0.0, 0.0): False,  # S is nan: so is the answer
    }
    x = np.array(list(rows), dtype=dtype)
    redone = []
    shifted = kernels.shifted_logsumexp

    def spy(view, *args):
        redone.extend(map(tuple, view.tolist()))
        return shifted(view, *args)

    monkeypatch.setattr(kernels, "shifted_logsumexp", spy)
    got = logsumexp(x, axis=1)
    assert redone == [r for r, redo in rows.items() if redo]
    for row, value in zip(rows, got):
        finite = [v for v in row if np.isfinite(v)]
        if np.isnan(row).any():
            assert np.isnan(value)
        elif np.inf in row:
            assert value == np.inf
        elif not finite:
            assert value == -np.inf
        else:
            with mpmath.workdps(50):
                exact = mpmath.log(mpmath.fsum(mpmath.exp(mpmath.mpf(float(v))) for v in finite))
            assert float(value) == pytest.approx(float(exact), rel=4 * float(np.finfo(dtype).eps), abs=0)


@pytest.mark.parametrize("temperature", [0.3, 1.0, 7.0])
def test_logsumexp_direct_and_shifted_agree(temperature):
    rng = np.random.default_rng(5)
    x = np.concatenate([20 * rng.standard_normal((200, 30)), rng.standard_normal((200, 30)) / 30])
    direct = logsumexp(x, axis=1, temperature=temperature)
    shifted = kernels.shifted_logsumexp(x, np.dtype(np.float64), temperature)[:, 0]
    np.testing.assert_allclose(direct, shifted, rtol=4 * np.finfo(np.float64).eps, atol=0)


# ---------------------------------------------------------------------------
# Bad input: every documented error, naming the argument
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("f", FUNCTIONS)
@pytest.mark.parametrize("x,match", [
    (np.array([1 + 2j, 3j]), "x must be real"),
    ([1.0, 2.0j], "x must be real"),
    (["a", "b"], "x must be a real numeric array"),
    (np.array([1, "b"], dtype=object), "x must be a real numeric array"),
    ([1.0, None], "x must be a real numeric array"),
    (np.array(["2021-04-01"], dtype="datetime64[D]"), "x must be a real numeric array"),
    ([[1.0, 2.0], [3.0]], "x must be a real numeric array-like"),
])
def test_bad_x(f, x, match):
    with pytest.raises(TypeError, match=match):
        f(x)


@pytest.mark.parametrize("f", FUNCTIONS)
def test_bad_axis(f):
    x = np.ones((2, 3))
    for axis in (2, -3, 10):
        with pytest.raises(np.exceptions.AxisError, match=rf"axis={axis} is out of range"):
            f(x, axis=axis)
    for axis in (1.0, "0", (0, 1), True, [0]):
        with pytest.raises(TypeError, match="axis must be an int or None"):
            f(x, axis=axis)
    assert f(x, axis=np.int64(1)).shape == f(x, axis=1).shape


@pytest.mark.parametrize("f", FUNCTIONS)
def test_bad_temperature(f):
    x = np.ones(3)
    for t in (0, 0.0, -1.0, -np.inf, np.inf, np.nan, np.float32(0)):
        with pytest.raises(ValueError, match="temperature must be a positive finite number"):
            f(x, temperature=t)
    for t in ("1", None, [1.0], np.array([1.0]), True, np.True_, 1 + 0j):
        with pytest.raises(TypeError, match="temperature must be a positive finite real number"):
            f(x, temperature=t)
    for t in (2, np.float32(2), np.int64(2), np.array(2.0)):
        np.testing.assert_allclose(f(x, temperature=t), f(x, temperature=2.0))


def test_temperature_is_keyword_only():
    with pytest.raises(TypeError):
        softmax([1.0, 2.0], -1, 2.0)
