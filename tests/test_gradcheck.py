"""Tests of softmaxlab.gradcheck: central differences and the gradient check."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given

from softmaxlab import (
    GradientCheck,
    check_gradient,
    logsumexp,
    numerical_gradient,
    numerical_jacobian,
    softmax,
    softmax_jacobian,
)
from softmaxlab.gradcheck import DEFAULT_EPS
from strategies import vectors


def test_default_step_is_cube_root_of_machine_epsilon():
    assert DEFAULT_EPS == pytest.approx(6.055e-6, rel=1e-3)


def test_polynomial_derivatives_are_exact_up_to_rounding():
    """Central differences are exact for quadratics: only rounding error remains."""
    x = np.array([1.5, -2.0, 0.25])
    np.testing.assert_allclose(numerical_gradient(lambda v: np.sum(v**2), x), 2 * x, rtol=1e-9)


def test_jacobian_shape_is_output_then_input():
    A = np.arange(6.0).reshape(2, 3)
    J = numerical_jacobian(lambda v: A @ v, np.ones(3))
    assert J.shape == (2, 3)
    np.testing.assert_allclose(J, A, atol=1e-9)
    J2 = numerical_jacobian(lambda M: M.sum(axis=0), np.ones((2, 2)))
    assert J2.shape == (2, 2, 2)


def test_the_function_cannot_alter_the_callers_point():
    x = np.array([1.0, 2.0])

    def destructive(v):
        v *= 0
        return float(v.sum())

    numerical_jacobian(destructive, x)
    np.testing.assert_array_equal(x, [1.0, 2.0])


@given(vectors(-20, 20, max_size=6))
def test_numerical_jacobian_of_softmax(x):
    np.testing.assert_allclose(numerical_jacobian(softmax, x), softmax_jacobian(x), atol=1e-8)


def test_error_vs_step_is_u_shaped():
    """Too large a step: truncation error; too small: rounding error; cbrt(u) in between is best."""
    x = np.array([0.7])
    def f(v):
        return float(np.exp(v[0]))

    err = {h: abs(numerical_gradient(f, x, eps=h)[0] - np.exp(0.7)) for h in (1e-2, DEFAULT_EPS, 1e-12)}
    assert err[DEFAULT_EPS] < err[1e-2] and err[DEFAULT_EPS] < err[1e-12]
    assert err[DEFAULT_EPS] < 1e-9


def test_check_gradient_passes_for_correct_and_fails_for_wrong_derivatives():
    z = np.array([0.3, -1.0, 2.0])
    good = check_gradient(logsumexp, softmax, z)
    assert good and isinstance(good, GradientCheck)
    assert good.max_rel_error < 1e-8
    bad = check_gradient(logsumexp, lambda v: softmax(v) * 1.001, z)
    assert not bad
    assert bad.max_rel_error > 5e-4
    assert "passed=False" in repr(bad)


def test_check_gradient_records_both_derivatives():
    z = np.array([1.0, 2.0])
    result = check_gradient(softmax, softmax_jacobian, z)
    assert result.analytic.shape == result.numerical.shape == (2, 2)
    assert result.max_abs_error < 1e-9


def test_check_gradient_with_all_zero_derivative():
    result = check_gradient(lambda v: 3.0, lambda v: np.zeros_like(v), np.ones(2))
    assert result and result.max_rel_error == 0.0


def test_nan_fails_the_check():
    assert not check_gradient(lambda v: float(np.sum(v)), lambda v: np.full_like(v, np.nan), np.ones(2))


def test_bad_input():
    with pytest.raises(ValueError, match="eps must be a positive"):
        numerical_jacobian(np.sin, [1.0], eps=0.0)
    with pytest.raises(TypeError, match="eps must be"):
        numerical_jacobian(np.sin, [1.0], eps="small")
    with pytest.raises(TypeError, match="f must be callable"):
        numerical_jacobian(3.0, [1.0])
    with pytest.raises(TypeError, match="x must be real"):
        numerical_jacobian(np.sin, [1j])
    with pytest.raises(ValueError, match="f must return a scalar"):
        numerical_gradient(np.sin, [1.0, 2.0])
    with pytest.raises(ValueError, match="grad returned shape"):
        check_gradient(logsumexp, lambda v: softmax(v)[:1], np.ones(3))
    with pytest.raises(ValueError, match="same shape"):
        numerical_jacobian(lambda v: np.ones(int(v[0] > 1) + 1), np.array([1.0]))
