"""Tests of softmaxlab.importance: importance-sampling estimates of log Z and the effective sample size."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from softmaxlab import logsumexp, softmax
from softmaxlab.importance import effective_sample_size, importance_log_partition


def draw(seed, K=50, m=8, R=1, q=None):
    rng = np.random.default_rng(seed)
    z = rng.normal(scale=1.5, size=K)
    q = np.full(K, 1 / K) if q is None else q
    s = rng.choice(K, size=(R, m), p=q)
    return z, q, s


def test_definition():
    z, q, s = draw(0, R=5)
    expected = np.log(np.mean(np.exp(z[s]) / q[s], axis=1))
    np.testing.assert_allclose(importance_log_partition(z[s], np.log(q[s])), expected, rtol=1e-13)


def test_enumerating_every_class_once_with_a_uniform_proposal_is_exact():
    z = np.random.default_rng(1).normal(size=30)
    # each class once, weighted by 1/q = K: the average of K e^{z_k} is Z
    assert importance_log_partition(z, np.full(30, -np.log(30))) == pytest.approx(logsumexp(z), rel=1e-14)


@given(st.integers(0, 10_000), st.integers(2, 40), st.integers(1, 10))
def test_ideal_proposal_gives_log_z_exactly(seed, K, m):
    rng = np.random.default_rng(seed)
    z = rng.normal(scale=3.0, size=K)
    p = softmax(z)
    s = rng.choice(K, size=m, p=p)
    assert importance_log_partition(z[s], np.log(p[s])) == pytest.approx(logsumexp(z), rel=1e-12, abs=1e-12)
    assert effective_sample_size(z[s] - np.log(p[s])) == pytest.approx(m, rel=1e-12)


def test_unbiased_for_z_and_biased_down_for_log_z():
    K, m, R = 40, 5, 40_000
    z, q, s = draw(2, K=K, m=m, R=R)
    log_est = importance_log_partition(z[s], np.log(q[s]))
    ratio = np.exp(log_est - logsumexp(z))
    assert abs(ratio.mean() - 1) < 4 * ratio.std() / np.sqrt(R)
    chi2 = np.sum(softmax(z) ** 2 / q) - 1
    assert abs(ratio.var() / (chi2 / m) - 1) < 0.1
    corrected = np.log(ratio) - (ratio - 1)            # same mean as log(ratio), smaller noise
    assert corrected.mean() < -4 * corrected.std() / np.sqrt(R)


def test_axes_keepdims_and_broadcasting():
    z, q, s = draw(3, R=4, m=6)
    lz, lq = z[s], np.log(q[s])
    full = importance_log_partition(lz, lq)
    assert full.shape == (4,)
    np.testing.assert_allclose(importance_log_partition(lz.T, lq.T, axis=0), full, rtol=1e-14)
    assert importance_log_partition(lz, lq, keepdims=True).shape == (4, 1)
    assert importance_log_partition(lz, lq, axis=None, keepdims=True).shape == (1, 1)
    scalar = importance_log_partition(lz, lq, axis=None)
    assert isinstance(scalar, np.floating)
    np.testing.assert_allclose(scalar, np.log(np.mean(np.exp(lz - lq))), rtol=1e-13)
    # a scalar log-probability broadcasts (a uniform proposal)
    np.testing.assert_allclose(importance_log_partition(lz, np.log(q[0])), full, rtol=1e-14)


def test_no_overflow_where_z_would_overflow():
    z = np.array([1000.0, 999.0])
    got = importance_log_partition(z, np.log([0.5, 0.5]))
    assert got == pytest.approx(np.log(2 * (np.exp(0.0) + np.exp(-1.0)) / 2) + 1000.0, rel=1e-15)


def test_ieee_cases_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        lq = np.log([0.5, 0.5])
        assert importance_log_partition([-np.inf, 0.0], lq) == pytest.approx(np.log(1.0))     # 2 * 1 / 2
        assert importance_log_partition([1.0, 0.0], [-np.inf, -1.0]) == np.inf
        assert importance_log_partition([np.inf, 0.0], lq) == np.inf
        assert np.isnan(importance_log_partition([-np.inf, 0.0], [-np.inf, -1.0]))
        assert np.isnan(importance_log_partition([np.nan, 0.0], lq))
        assert np.isnan(importance_log_partition(np.zeros((2, 0)), np.zeros((2, 0)))).all()
        assert importance_log_partition(np.zeros((2, 0)), np.zeros((2, 0))).shape == (2,)
        assert importance_log_partition([-np.inf, -np.inf], lq) == -np.inf
        got = importance_log_partition([[0.0, np.nan], [0.0, 0.0]], np.log([[0.5, 0.5], [0.5, 0.5]]))
        assert np.isnan(got[0]) and got[1] == pytest.approx(np.log(2))


@pytest.mark.parametrize("dtype, expected", [(np.float16, np.float16), (np.float32, np.float32),
                                             (np.float64, np.float64), (np.longdouble, np.longdouble),
                                             (np.int64, np.float64)])
def test_dtypes(dtype, expected):
    z = np.array([1, 2, 0], dtype=dtype)
    lq = np.log(np.full(3, 1 / 3)).astype(dtype if dtype != np.int64 else np.float64)
    if dtype == np.int64:
        lq = np.array([-1, -1, -1], dtype=np.int64)
    got = importance_log_partition(z, lq)
    assert got.dtype == expected
    assert effective_sample_size(z).dtype == expected


def test_effective_sample_size_values():
    assert effective_sample_size(np.zeros(8)) == 8.0
    assert effective_sample_size([1000.0, 0.0, 0.0]) == pytest.approx(1.0)
    assert effective_sample_size(np.log([1.0, 1.0, 2.0])) == pytest.approx(16 / 6)
    assert effective_sample_size([1e308, 1e308, -np.inf]) == 2.0          # only ratios matter
    assert effective_sample_size([1e308, 1e308 - 1e292]) == 1.0           # log-weights 1e292 apart
    np.testing.assert_allclose(effective_sample_size(np.log([[1.0, 1.0], [1.0, 3.0]]), axis=1), [2.0, 1.6])
    assert effective_sample_size(np.log([[1.0, 1.0], [1.0, 3.0]]), axis=0, keepdims=True).shape == (1, 2)


def test_effective_sample_size_ieee_cases():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert effective_sample_size([np.inf, np.inf, 0.0]) == 2.0
        assert np.isnan(effective_sample_size([-np.inf, -np.inf]))
        assert np.isnan(effective_sample_size([np.nan, 0.0]))
        assert np.isnan(effective_sample_size(np.zeros(0)))
        assert effective_sample_size(np.zeros((3, 0)), axis=1).shape == (3,)


@given(st.lists(st.floats(-50, 50), min_size=1, max_size=30))
def test_effective_sample_size_bounds(log_w):
    ess = effective_sample_size(log_w)
    assert 1 - 1e-12 <= ess <= len(log_w) * (1 + 1e-12)
    # invariant to scaling all weights
    assert effective_sample_size(np.array(log_w) + 123.0) == pytest.approx(ess, rel=1e-12)


def test_effective_sample_size_tends_to_one_over_one_plus_chi2():
    K, m = 100, 20_000
    rng = np.random.default_rng(5)
    z = rng.normal(size=K)
    q = softmax(z / 3)
    s = rng.choice(K, size=m, p=q)
    chi2 = np.sum(softmax(z) ** 2 / q) - 1
    assert effective_sample_size(z[s] - np.log(q[s])) / m == pytest.approx(1 / (1 + chi2), rel=0.05)


def test_inputs_not_modified():
    z, q, s = draw(6, R=3)
    lz, lq = z[s], np.log(q[s])
    a, b = lz.copy(), lq.copy()
    importance_log_partition(lz, lq)
    effective_sample_size(lz)
    np.testing.assert_array_equal(lz, a)
    np.testing.assert_array_equal(lq, b)
