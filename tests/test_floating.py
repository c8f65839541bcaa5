"""softmaxlab.floating: format facts, ulps, 50-digit references and condition numbers."""

from __future__ import annotations

import math

import ml_dtypes
import mpmath
import numpy as np
import pytest

from softmaxlab import log_softmax, logsumexp, softmax
from softmaxlab.floating import (
    DoubleDouble,
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

FORMATS = ["float16", "bfloat16", "float32", "float64"]
BF16 = np.dtype(ml_dtypes.bfloat16)


def rounded_exp_class(x: float, dtype) -> str:
    """What exp(x), correctly rounded to ``dtype``, is: "inf", "zero", "subnormal" or "normal"."""
    f = float_format(dtype)
    with mpmath.workprec(300):
        e = mpmath.exp(mpmath.mpf(x))
        ulp_max = mpmath.ldexp(1, int(math.log2(f.max)) - f.precision + 1)
        if e >= mpmath.mpf(f.max) + ulp_max / 2:
            return "inf"
        if e <= mpmath.mpf(f.smallest_subnormal) / 2:
            return "zero"
        if e < mpmath.mpf(f.smallest_normal) - mpmath.mpf(f.smallest_subnormal) / 2:
            return "subnormal"
        return "normal"


def neighbours(v: float, dtype) -> tuple[float, float]:
    """The numbers of ``dtype`` just below and just above ``v``, by stepping the bit pattern."""
    dt = np.dtype(dtype)
    bits = np.array([v], dtype=dt).view(f"u{dt.itemsize}")
    larger, smaller = (bits + bits.dtype.type(1)).view(dt), (bits - bits.dtype.type(1)).view(dt)
    up, down = (larger, smaller) if v > 0 else (smaller, larger)  # the bits count the magnitude
    return float(down[0].astype(np.float64)), float(up[0].astype(np.float64))


@pytest.mark.parametrize("name", FORMATS)
def test_exp_thresholds_are_where_the_rounded_exponential_changes(name):
    f = float_format(name)
    below, above = neighbours(f.exp_largest_finite_input, name)
    assert rounded_exp_class(f.exp_largest_finite_input, name) == "normal"
    assert rounded_exp_class(above, name) == "inf"
    assert f.exp_largest_finite_input <= f.log_max < above
    below, above = neighbours(f.exp_smallest_nonzero_input, name)
    assert rounded_exp_class(f.exp_smallest_nonzero_input, name) == "subnormal"
    assert rounded_exp_class(below, name) == "zero"
    below, above = neighbours(f.exp_smallest_normal_input, name)
    assert rounded_exp_class(f.exp_smallest_normal_input, name) == "normal"
    assert rounded_exp_class(below, name) == "subnormal"


@pytest.mark.parametrize("name", FORMATS)
def test_format_facts_agree_with_finfo(name):
    f = float_format(name)
    info = ml_dtypes.finfo(BF16) if name == "bfloat16" else np.finfo(name)
    assert f.bits == 16 if name in ("float16", "bfloat16") else f.bits == np.dtype(name).itemsize * 8
    assert f.precision == info.nmant + 1 and f.unit_roundoff == float(info.eps) / 2
    assert (f.max, f.smallest_normal, f.smallest_subnormal) == (
        float(info.max), float(info.smallest_normal), float(info.smallest_subnormal))
    assert f.log_max == pytest.approx(math.log(f.max), rel=1e-15)
    assert float_format(">f8" if name == "float64" else name) == f


@pytest.mark.parametrize("name", ["float16", "float32", "float64"])
def test_numpy_exp_overflows_where_the_format_says(name):
    f = float_format(name)
    _, above = neighbours(f.exp_largest_finite_input, name)
    with np.errstate(over="ignore"):
        assert np.isfinite(np.exp(np.array(f.exp_largest_finite_input, dtype=name)))
        assert np.isinf(np.exp(np.array(above, dtype=name)))


def test_float16_overflow_threshold_is_about_11_09():
    assert float_format(np.float16).exp_largest_finite_input == 11.0859375
    assert float_format(np.float16).log_max == pytest.approx(11.0898664884610)


@pytest.mark.parametrize("name", ["float16", "float32", "float64"])
def test_ulp_is_numpy_spacing(name):
    rng = np.random.default_rng(0)
    f = float_format(name)
    x = np.exp(rng.uniform(math.log(f.smallest_subnormal), math.log(f.max), 2000)).astype(name)
    x = x[np.isfinite(x) & (x > 0)]
    np.testing.assert_array_equal(ulp(x, name), np.spacing(x).astype(np.float64))
    np.testing.assert_array_equal(ulp(-x, name), np.spacing(x).astype(np.float64))
    assert ulp(0.0, name) == f.smallest_subnormal


def test_ulp_of_bfloat16_is_the_step_of_its_bit_pattern():
    rng = np.random.default_rng(1)
    x = np.abs(rng.standard_normal(500) * 10.0 ** rng.uniform(-30, 30, 500)).astype(BF16)
    x = x[x > 0]
    step = (x.view(np.uint16) + 1).view(BF16).astype(np.float64) - x.astype(np.float64)
    np.testing.assert_array_equal(ulp(x, BF16), step)


def test_ulp_special_values():
    out = ulp([np.inf, -np.inf, np.nan, 2.0 ** 200], np.float32)
    assert out[0] == out[1] == np.inf and np.isnan(out[2]) and out[3] == 2.0 ** (200 - 23)


def test_ulp_error_counts_ulps_and_halves():
    one = np.float32(1.0)
    assert ulp_error(one + np.float32(2.0**-23) * 3, 1.0) == 3.0
    ref = DoubleDouble(np.array([1.0]), np.array([2.0**-60]))
    assert ulp_error(np.array([1.0]), ref)[0] == pytest.approx(2.0**-60 / 2.0**-52)
    x = np.array([0.1, 1e-300, 123.456])
    # a float64 value rounded to float16 is within half an ulp
    assert np.all(ulp_error(x.astype(np.float16), x) <= 0.5)


def test_ulp_error_special_values():
    ref = DoubleDouble(np.array([np.inf, np.inf, 1.0, np.nan, np.nan, -np.inf]), np.zeros(6))
    got = ulp_error(np.array([np.inf, 1.0, np.inf, np.nan, 0.0, -np.inf]), ref)
    np.testing.assert_array_equal(got, [0.0, np.inf, np.inf, 0.0, np.inf, 0.0])
    assert ulp_error(np.array([np.nan]), np.array([1.0]))[0] == np.inf


def test_ulp_error_needs_a_format_for_integers_and_matching_shapes():
    with pytest.raises(ValueError, match="dtype"):
        ulp_error(np.array([1, 2]), [1.0, 2.0])
    assert ulp_error(np.array([1, 2]), [1.0, 2.0], np.float32).tolist() == [0.0, 0.0]
    with pytest.raises(ValueError, match="reference"):
        ulp_error(np.zeros(3), np.zeros(2))


def test_references_agree_with_the_library_in_float64():
    rng = np.random.default_rng(2)
    for n in (1, 2, 7, 100):
        x = rng.standard_normal(n) * 20
        # the library's bound: 4 ulp of the formula on the rounded differences fl(x_j - max)
        assert np.max(ulp_error(softmax(x), mp_softmax(x, rounded_differences=True))) <= 4
        assert np.max(ulp_error(log_softmax(x), mp_log_softmax(x, rounded_differences=True))) <= 4
        assert ulp_error(logsumexp(x), mp_logsumexp(x)) <= 4


def test_references_are_consistent_to_far_beyond_float64():
    x = np.array([3.0, -1.5, 0.25, 700.0, 699.0])
    p, lp, lse = mp_softmax(x), mp_log_softmax(x), mp_logsumexp(x)
    assert abs(math.fsum(np.r_[p.hi, p.lo]) - 1) < 1e-30
    with mpmath.workdps(50):
        for j in range(x.size):
            total = mpmath.mpf(lp.hi[j]) + mpmath.mpf(lp.lo[j])
            assert abs(mpmath.exp(total) - (mpmath.mpf(p.hi[j]) + mpmath.mpf(p.lo[j]))) < mpmath.mpf(10) ** -28
        lse_value = mpmath.mpf(float(lse.hi)) + mpmath.mpf(float(lse.lo))
        log_p3 = mpmath.mpf(lp.hi[3]) + mpmath.mpf(lp.lo[3])
        assert abs(lse_value - (x[3] - log_p3)) < 1e-28


def test_references_along_axes():
    x = np.random.default_rng(3).standard_normal((3, 4))
    np.testing.assert_allclose(mp_softmax(x, axis=0).hi, softmax(x, axis=0), rtol=1e-15)
    np.testing.assert_allclose(mp_log_softmax(x, axis=None).hi, log_softmax(x, axis=None), rtol=1e-14)
    np.testing.assert_allclose(mp_logsumexp(x, axis=1).hi, logsumexp(x, axis=1), rtol=1e-15)
    assert mp_logsumexp(x, axis=None).hi.shape == ()
    assert mp_logsumexp(np.zeros((2, 0))).hi.tolist() == [-np.inf, -np.inf]
    assert mp_softmax(np.zeros((0, 3))).hi.shape == (0, 3)


def test_references_special_values_follow_the_library():
    rows = np.array([[0.0, -np.inf, 1.0], [np.inf, 1.0, np.inf], [-np.inf] * 3, [np.nan, 1.0, 2.0]])
    with np.errstate(all="ignore"):
        np.testing.assert_array_equal(mp_softmax(rows).hi, softmax(rows))
        np.testing.assert_allclose(mp_log_softmax(rows).hi, log_softmax(rows), rtol=1e-15)
        np.testing.assert_array_equal(mp_logsumexp(rows).hi, logsumexp(rows))


def test_rounded_differences_round_in_the_input_format():
    x = np.array([0.3, -30.7], dtype=np.float32)
    d = float(np.float32(x[1]) - np.float32(x[0]))  # numpy's float32 subtraction is correctly rounded
    with mpmath.workdps(50):
        expected = mpmath.exp(d) / (1 + mpmath.exp(d))
    assert mp_softmax(x, rounded_differences=True).hi[1] == float(expected)
    assert mp_softmax(x).hi[1] != float(expected)
    y = np.array([0.3, -30.7], dtype=BF16)
    dy = float(y[1].astype(np.float64) - y[0].astype(np.float64))
    rounded = float(np.array([dy]).astype(BF16)[0])
    with mpmath.workdps(50):
        assert mp_logsumexp(y, rounded_differences=True).hi == float(
            mpmath.mpf(float(y[0])) + mpmath.log1p(mpmath.exp(rounded)))


def test_condition_numbers_are_the_worst_first_order_amplification():
    # perturbing every input by a relative delta with the signs of x_i d f_j / d x_i changes f_j by
    # delta * kappa_j relative, to first order: measured at 50 digits
    rng = np.random.default_rng(4)
    delta = mpmath.mpf(10) ** -20
    with mpmath.workdps(50):
        for _ in range(5):
            x = rng.standard_normal(5) * 4
            kappa_lse = float(logsumexp_condition(x))
            grad = softmax(x)
            xs = [mpmath.mpf(v) * (1 + delta * np.sign(v * g)) for v, g in zip(x, grad)]
            f0 = mpmath.log(mpmath.fsum(mpmath.exp(mpmath.mpf(v)) for v in x))
            f1 = mpmath.log(mpmath.fsum(mpmath.exp(v) for v in xs))
            assert float(abs(f1 - f0) / abs(f0) / delta) == pytest.approx(kappa_lse, rel=1e-12)
            p, kappa = softmax(x), softmax_condition(x)
            kappa_log = log_softmax_condition(x)
            for j in range(5):
                signs = [np.sign(v * ((i == j) - p[i])) for i, v in enumerate(x)]
                xs = [mpmath.mpf(v) * (1 + delta * s) for v, s in zip(x, signs)]
                ls0 = mpmath.mpf(x[j]) - f0
                ls1 = xs[j] - mpmath.log(mpmath.fsum(mpmath.exp(v) for v in xs))
                # the same signs maximise both: log p_j moves by the relative change of p_j
                assert float(abs(ls1 - ls0) / delta) == pytest.approx(kappa[j], rel=1e-12)
                assert float(abs(ls1 - ls0) / abs(ls0) / delta) == pytest.approx(kappa_log[j], rel=1e-12)


def test_condition_numbers_without_cancellation():
    # p_0 = 1 - 4e-18: 1 - p_0 would round to 0; the exclusive sums keep it
    x = np.array([1.0, -40.0])
    p1 = math.exp(-41) / (1 + math.exp(-41))
    assert softmax_condition(x)[0] == pytest.approx(1.0 * p1 + 40.0 * p1, rel=1e-14)
    assert log_softmax_condition(x)[0] == pytest.approx(41.0 * p1 / math.log1p(math.exp(-41)), rel=1e-14)


def test_condition_numbers_special_values_and_axes():
    rows = np.array([[0.0, -np.inf, 1.0], [np.inf, 1.0, 2.0], [-np.inf] * 3, [np.nan, 1.0, 2.0]])
    kappa = softmax_condition(rows)
    assert np.isfinite(kappa[0, [0, 2]]).all() and np.isnan(kappa[0, 1]) and np.isnan(kappa[1:]).all()
    lse = logsumexp_condition(rows)
    assert np.isfinite(lse[0]) and np.isnan(lse[1:]).all()
    assert np.isinf(logsumexp_condition([-math.log(2), -math.log(2)]))
    x = np.random.default_rng(5).standard_normal((3, 4))
    np.testing.assert_allclose(softmax_condition(x, axis=0), softmax_condition(x.T).T, rtol=1e-15)
    np.testing.assert_allclose(log_softmax_condition(x, axis=None), log_softmax_condition(x.ravel()).reshape(3, 4))
    assert logsumexp_condition(x, axis=None).shape == ()
    assert softmax_condition(np.zeros((2, 0))).shape == (2, 0)
    assert logsumexp_condition(np.zeros((0, 3))).shape == (0,)
    assert softmax_condition(np.array([1.0, 2.0], dtype=BF16)).dtype == np.float64
