"""Tests of softmaxlab.smoothmax: hardmax (the T -> 0 limit), softmin and the smooth minimum."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from softmaxlab import free_energy, hardmax, logsumexp, numerical_gradient, smooth_min, softmax, softmin
from strategies import vectors

score_vectors = vectors(-100, 100, max_size=8)


def test_hardmax_values():
    np.testing.assert_array_equal(hardmax([1.0, 3.0, 2.0]), [0, 1, 0])
    np.testing.assert_array_equal(hardmax([2.0, 2.0, 2.0, 2.0]), [0.25] * 4)
    np.testing.assert_array_equal(hardmax([[5, 1], [1, 1]]), [[1, 0], [0.5, 0.5]])
    np.testing.assert_array_equal(hardmax([[5, 1], [2, 1]], axis=0), [[1, 0.5], [0, 0.5]])
    np.testing.assert_array_equal(hardmax([[5, 1], [2, 1]], axis=None), [[1, 0], [0, 0]])


@settings(max_examples=200)
@given(score_vectors)
def test_hardmax_is_the_zero_temperature_limit_of_softmax(x):
    h = hardmax(x)
    assert h.sum() == pytest.approx(1.0)
    m = np.sum(x == x.max())
    np.testing.assert_allclose(h[x == x.max()], 1 / m)
    # close to the limit once T is well below the gap to the runner-up
    below = x[x < x.max()]
    gap = x.max() - below.max() if below.size else 1.0
    T = gap / 60
    assume(T > 0)  # a gap of a few subnormal steps leaves no positive float that far below it
    np.testing.assert_allclose(softmax(x, temperature=T), h, atol=len(x) * np.exp(-60) + 1e-15)


def test_hardmax_special_values():
    np.testing.assert_array_equal(hardmax([0.0, np.inf, np.inf]), [0, 0.5, 0.5])
    assert np.all(np.isnan(hardmax([0.0, np.nan])))
    assert np.all(np.isnan(hardmax([-np.inf, -np.inf])))
    np.testing.assert_array_equal(hardmax([-np.inf, 0.0]), [0, 1])
    out = hardmax([[0.0, np.nan], [1.0, 2.0]])
    assert np.all(np.isnan(out[0])) and np.array_equal(out[1], [0, 1])
    assert hardmax(np.zeros((2, 0))).shape == (2, 0)
    assert hardmax(np.array([1, 2], dtype=np.float32)).dtype == np.float32
    assert hardmax(np.array([1, 2], dtype=np.uint8)).dtype == np.float64


@settings(max_examples=200)
@given(score_vectors, st.floats(0.01, 100.0))
def test_softmin_is_softmax_of_negation(x, T):
    np.testing.assert_allclose(softmin(x, temperature=T), softmax(-x, temperature=T), rtol=1e-15)
    assert np.argmax(softmin(x, temperature=T)) == np.argmin(x) or np.isclose(
        softmin(x, temperature=T).max(), softmin(x, temperature=T)[np.argmin(x)]
    )


@settings(max_examples=200)
@given(score_vectors, st.floats(0.01, 100.0))
def test_smooth_min_bounds_and_mirror(x, T):
    s = smooth_min(x, temperature=T)
    assert x.min() - T * np.log(len(x)) - 1e-9 <= s <= x.min() + 1e-12
    assert s == pytest.approx(-logsumexp(-x, temperature=T), rel=1e-15)
    assert s == pytest.approx(free_energy(x, T), rel=1e-15)


def test_smooth_min_increases_to_min_as_temperature_falls():
    x = np.array([3.0, 1.0, 1.0, 4.0])
    values = [smooth_min(x, temperature=T) for T in (10.0, 1.0, 0.1, 0.01)]
    assert all(a < b for a, b in zip(values, values[1:]))
    assert values[-1] == pytest.approx(1.0 - 0.01 * np.log(2), abs=1e-12)  # the excess is -T log m


def test_gradient_of_smooth_min_is_softmin():
    x = np.array([0.3, -1.2, 2.0])
    for T in (0.5, 2.0):
        grad = numerical_gradient(lambda v: float(smooth_min(v, temperature=T)), x)
        np.testing.assert_allclose(grad, softmin(x, temperature=T), atol=1e-7)


def test_unsigned_input_is_not_wrapped():
    x = np.array([0, 1, 2], dtype=np.uint8)
    np.testing.assert_allclose(softmin(x), softmin([0.0, 1.0, 2.0]))
    assert smooth_min(x) == pytest.approx(smooth_min([0.0, 1.0, 2.0]))


def test_bad_input_is_named():
    with pytest.raises(TypeError, match="x"):
        hardmax(["a"])
    with pytest.raises(TypeError, match="x"):
        softmin([1j])
    with pytest.raises(ValueError, match="temperature"):
        softmin([1.0, 2.0], temperature=0.0)
    with pytest.raises(ValueError, match="temperature"):
        smooth_min([1.0, 2.0], temperature=-1.0)
    with pytest.raises(np.exceptions.AxisError, match="axis"):
        hardmax([1.0, 2.0], axis=2)
