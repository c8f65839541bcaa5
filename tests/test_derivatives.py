"""Tests of softmaxlab.derivatives: the Jacobian, its products, the second derivative."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings

from softmaxlab import (
    numerical_jacobian,
    softmax,
    softmax_hessian,
    softmax_jacobian,
    softmax_jvp,
    softmax_vjp,
)
from strategies import same_length, vectors

logit_vectors = vectors(-30, 30, max_size=8)
logits_and_tangents = same_length(2, -30, 30, max_size=8)  # a logit vector and a tangent of its length


# --------------------------------------------------------------------------- the Jacobian


def test_jacobian_two_equal_logits():
    np.testing.assert_array_equal(softmax_jacobian([0.0, 0.0]), [[0.25, -0.25], [-0.25, 0.25]])


def test_jacobian_is_diag_minus_outer_product():
    x = np.array([0.3, -1.2, 2.0, 0.0])
    p = softmax(x)
    np.testing.assert_allclose(softmax_jacobian(x), np.diag(p) - np.outer(p, p), rtol=0, atol=1e-16)


def test_jacobian_matches_finite_differences():
    rng = np.random.default_rng(0)
    for k in (1, 2, 3, 7):
        x = rng.normal(size=k) * 3
        np.testing.assert_allclose(softmax_jacobian(x), numerical_jacobian(softmax, x), atol=1e-9)


@given(logit_vectors)
def test_jacobian_properties(x):
    J = softmax_jacobian(x)
    p = softmax(x)
    np.testing.assert_allclose(J, J.T, atol=0)  # symmetric, exactly
    np.testing.assert_allclose(J @ np.ones(len(x)), 0, atol=1e-15)  # J 1 = 0
    eigenvalues = np.linalg.eigvalsh(J)
    assert eigenvalues.min() >= -1e-15  # positive semidefinite
    assert eigenvalues.max() <= 0.5 + 1e-15  # largest eigenvalue at most 1/2
    np.testing.assert_allclose(np.trace(J), 1 - np.sum(p**2), atol=1e-15)


@given(logits_and_tangents)
def test_quadratic_form_is_variance(xv):
    x, v = xv
    p = softmax(x)
    variance = np.sum(p * (v - np.sum(p * v)) ** 2)
    np.testing.assert_allclose(v @ softmax_jacobian(x) @ v, variance, rtol=1e-9, atol=1e-12)


def test_rank_is_k_minus_one_with_null_space_ones():
    rng = np.random.default_rng(1)
    for k in (2, 3, 5, 10):
        J = softmax_jacobian(rng.normal(size=k))
        assert np.linalg.matrix_rank(J) == k - 1
        eigenvalues, vectors_ = np.linalg.eigh(J)
        null = vectors_[:, 0]
        np.testing.assert_allclose(np.abs(null), 1 / np.sqrt(k), atol=1e-10)


def test_largest_eigenvalue_bound_is_attained_for_two_equal_logits():
    assert np.linalg.eigvalsh(softmax_jacobian([1.0, 1.0])).max() == 0.5


def test_jacobian_batched_along_any_axis():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(4, 3, 5))
    J = softmax_jacobian(x, axis=1)
    assert J.shape == (4, 5, 3, 3)
    for a in range(4):
        for b in range(5):
            np.testing.assert_allclose(J[a, b], softmax_jacobian(x[a, :, b]), atol=1e-16)


def test_jacobian_temperature_scales_by_one_over_t():
    x = np.array([1.0, 0.5, -2.0])
    T = 0.25
    np.testing.assert_allclose(
        softmax_jacobian(x, temperature=T), numerical_jacobian(lambda v: softmax(v, temperature=T), x), atol=1e-8
    )
    np.testing.assert_allclose(softmax_jacobian(x, temperature=T), softmax_jacobian(x / T) / T, atol=1e-15)


def test_jacobian_saturates():
    norms = [np.linalg.norm(softmax_jacobian([g, 0.0, 0.0]), 2) for g in (0.0, 10.0, 50.0, 800.0)]
    assert norms[0] > norms[1] > norms[2] > norms[3] >= 0
    assert norms[-1] == 0.0  # no overflow, no nan


def test_jacobian_dtypes():
    assert softmax_jacobian(np.zeros(3, np.float32)).dtype == np.float32
    assert softmax_jacobian(np.zeros(3, np.float16)).dtype == np.float16
    assert softmax_jacobian([1, 2, 3]).dtype == np.float64


def test_jacobian_infinities():
    J = softmax_jacobian([0.0, -np.inf, 1.0])
    assert np.all(np.isfinite(J))
    np.testing.assert_array_equal(J[1], 0)
    np.testing.assert_array_equal(softmax_jacobian([np.inf, 0.0]), 0)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (dict(x=1.0), ValueError, "x must have at least one dimension"),
        (dict(x=["a", "b"]), TypeError, "x must be a real numeric"),
        (dict(x=[1 + 1j]), TypeError, "x must be real"),
        (dict(x=[1.0, 2.0], axis=1), np.exceptions.AxisError, "axis=1"),
        (dict(x=[1.0, 2.0], axis=None), TypeError, "axis must be an int"),
        (dict(x=[1.0, 2.0], temperature=0.0), ValueError, "temperature"),
    ],
)
def test_jacobian_bad_input(kwargs, error, match):
    with pytest.raises(error, match=match):
        softmax_jacobian(**kwargs)


# --------------------------------------------------------------------------- products


@given(logits_and_tangents)
def test_jvp_and_vjp_equal_explicit_products(xv):
    x, v = xv
    J = softmax_jacobian(x)
    np.testing.assert_allclose(softmax_jvp(x, v), J @ v, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(softmax_vjp(x, v), v @ J, rtol=1e-9, atol=1e-12)


@given(logits_and_tangents)
def test_jvp_sums_to_zero(xv):
    x, v = xv
    scale = max(1.0, float(np.abs(v).max()))
    assert abs(softmax_jvp(x, v).sum()) <= 1e-12 * scale


def test_jvp_is_a_directional_derivative():
    rng = np.random.default_rng(3)
    x, v = rng.normal(size=6), rng.normal(size=6)
    directional = numerical_jacobian(lambda t: softmax(x + t[0] * v), np.array([0.0]))[:, 0]
    np.testing.assert_allclose(softmax_jvp(x, v), directional, atol=1e-9)


def test_vjp_is_the_backward_pass_of_a_loss():
    """d/dx of L(softmax(x)) with L(p) = sum(w * p**2) is vjp(x, 2 w p)."""
    rng = np.random.default_rng(4)
    x, w = rng.normal(size=5), rng.normal(size=5)
    def loss(v):
        return np.sum(w * softmax(v) ** 2)

    np.testing.assert_allclose(softmax_vjp(x, 2 * w * softmax(x)), numerical_jacobian(loss, x), atol=1e-9)


@pytest.mark.parametrize("axis", [0, 1, 2, -1])
def test_products_batched_along_any_axis(axis):
    rng = np.random.default_rng(5)
    x, v = rng.normal(size=(3, 4, 5)), rng.normal(size=(3, 4, 5))
    J = softmax_jacobian(x, axis=axis)  # batch + (K, K)
    xm, vm = np.moveaxis(x, axis, -1), np.moveaxis(v, axis, -1)
    expected = np.moveaxis(np.einsum("...ij,...j->...i", J, vm), -1, axis)
    np.testing.assert_allclose(softmax_jvp(x, v, axis=axis), expected, atol=1e-15)
    np.testing.assert_allclose(softmax_vjp(x, v, axis=axis), expected, atol=1e-15)
    assert xm.shape[:-1] == J.shape[:-2]


def test_products_broadcast_the_vector():
    x = np.random.default_rng(6).normal(size=(4, 3))
    v = np.array([1.0, 0.0, -1.0])
    np.testing.assert_allclose(softmax_jvp(x, v), softmax_jvp(x, np.tile(v, (4, 1))), atol=0)


def test_products_temperature():
    x, v = np.array([0.2, -0.4, 1.0]), np.array([1.0, 2.0, -1.0])
    np.testing.assert_allclose(softmax_jvp(x, v, temperature=0.5), softmax_jacobian(x, temperature=0.5) @ v, atol=1e-15)


def test_products_dtypes():
    x32 = np.zeros(3, np.float32)
    assert softmax_jvp(x32, x32).dtype == np.float32
    assert softmax_vjp(np.zeros(3, np.float16), np.ones(3, np.float16)).dtype == np.float16
    assert softmax_jvp([1, 2], [1, 0]).dtype == np.float64


def test_products_bad_input():
    with pytest.raises(ValueError, match="v of shape"):
        softmax_jvp([1.0, 2.0, 3.0], [1.0, 2.0])
    with pytest.raises(ValueError, match="g of shape"):
        softmax_vjp(np.zeros((2, 3)), np.zeros((3, 2)))
    with pytest.raises(TypeError, match="g must be real"):
        softmax_vjp([1.0, 2.0], [1j, 0])


# --------------------------------------------------------------------------- second derivative


def test_hessian_matches_finite_differences_of_the_jacobian():
    rng = np.random.default_rng(7)
    for k in (2, 3, 5):
        x = rng.normal(size=k)
        numerical = numerical_jacobian(softmax_jacobian, x)  # [i, j, k] = d J_ij / d x_k
        np.testing.assert_allclose(softmax_hessian(x), numerical, atol=1e-8)


@given(logit_vectors)
@settings(max_examples=50)
def test_hessian_symmetry_and_sum(x):
    H = softmax_hessian(x)
    np.testing.assert_allclose(H, np.swapaxes(H, -1, -2), atol=1e-15)
    np.testing.assert_allclose(H.sum(axis=0), 0, atol=1e-14)


def test_hessian_compact_matrix_form():
    x = np.array([0.5, -0.3, 1.1, 0.0])
    p, J, H = softmax(x), softmax_jacobian(x), softmax_hessian(x)
    for i in range(4):
        e = np.eye(4)[i] - p
        np.testing.assert_allclose(H[i], p[i] * (np.outer(e, e) - J), atol=1e-15)


def test_hessian_batched():
    x = np.random.default_rng(8).normal(size=(3, 2, 4))
    H = softmax_hessian(x, axis=1)
    assert H.shape == (3, 4, 2, 2, 2)
    np.testing.assert_allclose(H[1, 2], softmax_hessian(x[1, :, 2]), atol=1e-16)
