"""Tests of softmaxlab.losses: entropy, cross-entropy, KL, binary cross-entropy, squared error."""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from softmaxlab import (
    binary_cross_entropy_with_logits,
    check_gradient,
    cross_entropy,
    cross_entropy_grad,
    entropy,
    kl_divergence,
    log_softmax,
    logsumexp,
    numerical_jacobian,
    softmax,
    softmax_jacobian,
    softmax_squared_error,
    softmax_squared_error_grad,
)
from strategies import distributions, finite_floats, vector_and_index

finite = finite_floats(-30, 30)
logits_and_label = vector_and_index(-30, 30, max_size=8)


# --------------------------------------------------------------------------- entropy and KL


def test_entropy_known_values():
    assert entropy([1.0, 0.0]) == 0.0
    assert entropy([0.5, 0.5]) == pytest.approx(np.log(2), rel=1e-15)
    assert entropy(np.full(8, 1 / 8)) == pytest.approx(np.log(8), rel=1e-15)
    np.testing.assert_allclose(entropy([[0.25] * 4, [1, 0, 0, 0]]), [np.log(4), 0.0])


@given(distributions())
def test_entropy_bounds(p):
    h = entropy(p)
    assert -1e-15 <= h <= np.log(len(p)) + 1e-12


def test_entropy_axis_none_and_other_axis():
    p = np.array([[0.1, 0.2], [0.3, 0.4]])
    assert entropy(p, axis=None) == pytest.approx(-np.sum(p * np.log(p)))
    np.testing.assert_allclose(entropy(p.T / p.T.sum(axis=0), axis=0), entropy(p / p.sum(axis=1, keepdims=True)))


def test_entropy_dtypes_and_scalar():
    assert entropy(np.array([0.5, 0.5], np.float32)).dtype == np.float32
    assert isinstance(entropy([0.5, 0.5]), np.floating)


def distribution_pairs(k_max: int = 6):
    """Two distributions of the same length; q is kept > 0 so every term below is finite."""
    return st.integers(2, k_max).flatmap(
        lambda k: st.tuples(distributions(k, k), arrays(np.float64, k, elements=finite).map(softmax))
    ).map(lambda pq: (pq[0], 0.5 * pq[1] + 0.5 / len(pq[1])))


@given(distribution_pairs())
def test_cross_entropy_is_entropy_plus_kl(pq):
    p, q = pq
    h_pq = -np.sum(np.where(p > 0, p * np.log(q), 0.0))
    np.testing.assert_allclose(h_pq, entropy(p) + kl_divergence(p, q), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(cross_entropy(np.log(q), p), h_pq, rtol=1e-10, atol=1e-12)


@given(distributions(2, 6))
def test_kl_is_non_negative_and_zero_on_the_diagonal(p):
    q = softmax(np.linspace(-1, 1, len(p)))
    assert kl_divergence(p, q) >= -1e-15
    assert kl_divergence(p, p) == 0.0


def test_kl_is_asymmetric_and_infinite_off_support():
    p, q = np.array([0.9, 0.1]), np.array([0.5, 0.5])
    assert kl_divergence(p, q) != pytest.approx(kl_divergence(q, p))
    assert kl_divergence([0.5, 0.5], [1.0, 0.0]) == np.inf
    assert kl_divergence([1.0, 0.0], [0.5, 0.5]) == pytest.approx(np.log(2))


def test_kl_broadcasts():
    p = softmax(np.random.default_rng(0).normal(size=(4, 3)))
    q = np.array([0.2, 0.3, 0.5])
    np.testing.assert_allclose(kl_divergence(p, q), [kl_divergence(row, q) for row in p])


@pytest.mark.parametrize("func", [entropy, lambda p: kl_divergence(p, [0.5, 0.5])])
def test_information_measures_reject_non_distributions(func):
    with pytest.raises(ValueError, match="non-negative"):
        func([1.5, -0.5])
    with pytest.raises(ValueError, match="sum to 1"):
        func([0.5, 0.6])
    with pytest.raises(TypeError, match="must be real"):
        func([0.5j, 0.5])


def test_kl_names_the_bad_argument():
    with pytest.raises(ValueError, match="^q must sum to 1"):
        kl_divergence([0.5, 0.5], [0.2, 0.2])
    with pytest.raises(ValueError, match="do not broadcast"):
        kl_divergence([0.5, 0.5], [0.2, 0.3, 0.5])


def test_nan_propagates_to_its_own_slice():
    h = entropy([[np.nan, 0.5], [0.5, 0.5]])
    assert np.isnan(h[0]) and h[1] == pytest.approx(np.log(2))


# --------------------------------------------------------------------------- cross-entropy


def test_cross_entropy_is_logsumexp_minus_the_true_logit():
    z = np.array([[2.0, 1.0, 0.1], [0.5, 2.5, 0.0]])
    expected = logsumexp(z) - z[[0, 1], [0, 1]]
    np.testing.assert_allclose(cross_entropy(z, [0, 1], reduction="none"), expected, rtol=1e-15)
    assert cross_entropy(z, [0, 1]) == pytest.approx(expected.mean(), rel=1e-15)
    assert cross_entropy(z, [0, 1], reduction="sum") == pytest.approx(expected.sum(), rel=1e-15)


@given(logits_and_label)
def test_integer_labels_equal_one_hot_targets(zl):
    z, label = zl
    y = np.eye(len(z))[label]
    assert cross_entropy(z, label) == pytest.approx(cross_entropy(z, y), rel=1e-12, abs=1e-300)
    np.testing.assert_allclose(cross_entropy_grad(z, label), cross_entropy_grad(z, y), atol=1e-300)


def exact_p_minus_y(z, y):
    """softmax(z) - y to 50 digits (y a probability vector); where y_i > 1/2 as (1 - y_i) - sum_{j != i} p_j,
    which needs no digits beyond the 50 even where p_i is 1 to within 1e-300."""
    with mpmath.workdps(50):
        e = [mpmath.exp(mpmath.mpf(float(v))) for v in z]
        p = [a / mpmath.fsum(e) for a in e]
        y = [mpmath.mpf(float(b)) for b in y]
        return np.array([float((1 - b) - mpmath.fsum(p[:i] + p[i + 1 :]) if b > 0.5 else p[i] - b)
                         for i, b in enumerate(y)])


@given(logits_and_label)
@settings(max_examples=50)
def test_gradient_is_p_minus_y_and_matches_finite_differences(zl):
    z, label = zl
    y = np.eye(len(z))[label]
    np.testing.assert_allclose(cross_entropy_grad(z, label), exact_p_minus_y(z, y), rtol=1e-14, atol=1e-300)
    assert check_gradient(lambda v: cross_entropy(v, label), lambda v: cross_entropy_grad(v, label), z)


@pytest.mark.parametrize("gap", [5.0, 20.0, 40.0, 700.0])
def test_saturated_gradients_keep_their_relative_accuracy(gap):
    """p_c - 1 at a confident right answer is minus the others' mass, not 0 or a rounding of 1."""
    z = np.array([gap, 0.0, -1.0])
    exact = exact_p_minus_y(z, [1.0, 0.0, 0.0])
    for labels in (0, np.array([1.0, 0.0, 0.0])):
        got = cross_entropy_grad(z, labels)
        np.testing.assert_allclose(got, exact, rtol=1e-14)
        assert got[0] < 0
    soft = np.array([0.75, 0.25, 0.0])  # a soft target near the prediction's mass: (1 - y_k) - others
    np.testing.assert_allclose(cross_entropy_grad(z, soft), exact_p_minus_y(z, soft), rtol=1e-14)
    sse = 0.5 * float(mpmath.fsum(mpmath.mpf(float(v)) ** 2 for v in exact))
    assert softmax_squared_error(z, 0) == pytest.approx(sse, rel=1e-14)


def test_fused_loss_is_finite_where_log_of_softmax_is_not():
    z = np.array([0.0, 1000.0])
    with np.errstate(divide="ignore"):
        naive = -np.log(softmax(z))[0]
    assert naive == np.inf
    assert cross_entropy(z, 0) == 1000.0
    assert cross_entropy(np.array([0.0, 100.0], np.float32), 0) == np.float32(100.0)


def test_zero_targets_ignore_infinite_log_probabilities():
    assert cross_entropy([0.0, -np.inf], [1.0, 0.0]) == 0.0
    assert cross_entropy([0.0, -np.inf], 1) == np.inf


def test_batch_along_another_axis_and_reductions():
    rng = np.random.default_rng(1)
    z = rng.normal(size=(3, 4, 5))  # classes along axis 1
    labels = rng.integers(0, 4, size=(3, 5))
    per_sample = cross_entropy(z, labels, axis=1, reduction="none")
    assert per_sample.shape == (3, 5)
    expected = -np.take_along_axis(log_softmax(z, axis=1), labels[:, None, :], axis=1)[:, 0, :]
    np.testing.assert_allclose(per_sample, expected, rtol=1e-14)
    g = cross_entropy_grad(z, labels, axis=1)
    np.testing.assert_allclose(g * 15, cross_entropy_grad(z, labels, axis=1, reduction="sum"), rtol=1e-14)
    assert check_gradient(
        lambda v: cross_entropy(v, labels, axis=1), lambda v: cross_entropy_grad(v, labels, axis=1), z
    )


def test_probability_targets_gradient_matches_finite_differences():
    rng = np.random.default_rng(2)
    z, y = rng.normal(size=(4, 3)), softmax(rng.normal(size=(4, 3)))
    assert check_gradient(lambda v: cross_entropy(v, y), lambda v: cross_entropy_grad(v, y), z)


def test_scalar_returns_and_dtypes():
    assert isinstance(cross_entropy([1.0, 2.0], 1), np.floating)
    assert cross_entropy(np.array([1.0, 2.0], np.float32), 1).dtype == np.float32
    assert cross_entropy(np.array([1.0, 2.0], np.float16), 1).dtype == np.float16
    assert cross_entropy([1, 2], 1).dtype == np.float64
    assert cross_entropy_grad(np.array([1.0, 2.0], np.float32), 1).dtype == np.float32


def test_empty_batch():
    assert np.isnan(cross_entropy(np.zeros((0, 3)), np.zeros(0, int)))
    assert cross_entropy(np.zeros((0, 3)), np.zeros(0, int), reduction="sum") == 0.0


@pytest.mark.parametrize(
    "logits, labels, kwargs, error, match",
    [
        ([[1.0, 2.0]], [2], {}, ValueError, r"labels must be class indices in \[0, 2\); found 2"),
        ([[1.0, 2.0]], [-1], {}, ValueError, "found -1"),
        ([[1.0, 2.0]], [0, 1], {}, ValueError, "labels has shape"),
        ([[1.0, 2.0]], [0.0], {}, ValueError, "probability targets and must have the shape"),
        ([[1.0, 2.0]], [[1.5, -0.5]], {}, ValueError, "labels must be non-negative"),
        ([[1.0, 2.0]], [[0.5, 0.6]], {}, ValueError, "labels must sum to 1"),
        ([[1.0, 2.0]], [True], {}, TypeError, "integer class indices or floating"),
        ([[1.0, 2.0]], ["a"], {}, TypeError, "labels must be a real numeric array"),
        ([[1.0, 2.0]], [0], {"reduction": "avg"}, ValueError, "reduction must be one of"),
        ([[1.0, 2.0]], [0], {"axis": 2}, np.exceptions.AxisError, "axis=2"),
        (1.0, 0, {}, ValueError, "logits must have at least one dimension"),
        ([["a", "b"]], [0], {}, TypeError, "logits must be a real numeric"),
    ],
)
@pytest.mark.parametrize("func", [cross_entropy, cross_entropy_grad, softmax_squared_error, softmax_squared_error_grad])
def test_bad_input(func, logits, labels, kwargs, error, match):
    with pytest.raises(error, match=match):
        func(logits, labels, **kwargs)


# --------------------------------------------------------------------------- the two-model comparison


def test_two_models_with_equal_accuracy_and_different_cross_entropy():
    model_1 = np.array([[0.3, 0.3, 0.4], [0.3, 0.4, 0.3], [0.1, 0.2, 0.7]])
    model_2 = np.array([[0.1, 0.2, 0.7], [0.1, 0.7, 0.2], [0.3, 0.4, 0.3]])
    labels = np.array([2, 1, 0])
    for model in (model_1, model_2):
        assert np.mean(model.argmax(axis=1) == labels) == pytest.approx(2 / 3)
    ce_1, ce_2 = cross_entropy(np.log(model_1), labels), cross_entropy(np.log(model_2), labels)
    assert ce_1 == pytest.approx(-(np.log(0.4) + np.log(0.4) + np.log(0.1)) / 3)
    assert ce_2 == pytest.approx(-(np.log(0.7) + np.log(0.7) + np.log(0.3)) / 3)
    assert ce_1 > 2 * ce_2


# --------------------------------------------------------------------------- binary cross-entropy


@given(st.floats(-50, 50), st.floats(0, 1))
def test_bce_is_two_class_cross_entropy(t, y):
    two_class = cross_entropy(np.array([t, 0.0]), np.array([y, 1 - y]))
    assert binary_cross_entropy_with_logits(t, y) == pytest.approx(two_class, rel=1e-12, abs=1e-15)


@given(st.floats(-30, 30), st.floats(0, 1))
def test_bce_gradient_is_sigmoid_minus_target(t, y):
    sigmoid = 1 / (1 + np.exp(-t))
    grad = numerical_jacobian(lambda v: binary_cross_entropy_with_logits(v, np.float64(y)), np.array(t))
    assert grad == pytest.approx(sigmoid - y, abs=1e-7)


def test_bce_extremes_and_infinities():
    assert binary_cross_entropy_with_logits(-800.0, 1.0) == 800.0
    assert binary_cross_entropy_with_logits(800.0, 0.0) == 800.0
    assert binary_cross_entropy_with_logits(800.0, 1.0) == 0.0
    assert binary_cross_entropy_with_logits(np.inf, 1.0) == 0.0
    assert binary_cross_entropy_with_logits(-np.inf, 1.0) == np.inf
    # log1p keeps the tiny loss of a confident right answer
    assert binary_cross_entropy_with_logits(40.0, 1.0) == pytest.approx(np.exp(-40.0), rel=1e-14)


def test_bce_reductions_and_bad_input():
    t, y = np.array([1.0, -2.0, 0.5]), np.array([1.0, 0.0, 0.3])
    per = binary_cross_entropy_with_logits(t, y, reduction="none")
    assert per.shape == (3,)
    assert binary_cross_entropy_with_logits(t, y) == pytest.approx(per.mean())
    assert binary_cross_entropy_with_logits(t, y, reduction="sum") == pytest.approx(per.sum())
    with pytest.raises(ValueError, match="targets must be probabilities"):
        binary_cross_entropy_with_logits(t, [1.0, 2.0, 0.0])
    with pytest.raises(ValueError, match="targets must have the same shape as logits"):
        binary_cross_entropy_with_logits(t, [1.0, 0.0])
    with pytest.raises(TypeError, match="logits must be real"):
        binary_cross_entropy_with_logits([1j], [1.0])
    with pytest.raises(ValueError, match="reduction"):
        binary_cross_entropy_with_logits(t, y, reduction="max")


# --------------------------------------------------------------------------- squared error


@given(logits_and_label)
@settings(max_examples=50)
def test_squared_error_gradient_is_jacobian_times_residual(zl):
    z, label = zl
    y = np.eye(len(z))[label]
    p = softmax(z)
    np.testing.assert_allclose(softmax_squared_error_grad(z, label), softmax_jacobian(z) @ (p - y), atol=1e-15)
    assert check_gradient(lambda v: softmax_squared_error(v, label), lambda v: softmax_squared_error_grad(v, label), z)


def test_squared_error_saturates_where_cross_entropy_does_not():
    for gap in (5.0, 10.0, 20.0):
        z = np.array([gap, 0.0, 0.0])  # confident in class 0; the label is 1
        se = np.linalg.norm(softmax_squared_error_grad(z, 1))
        ce = np.linalg.norm(cross_entropy_grad(z, 1))
        assert se < 4 * np.exp(-gap) and ce > 1.3


def test_squared_error_values():
    assert softmax_squared_error([0.0, 0.0], 0) == 0.25
    assert softmax_squared_error([0.0, 0.0], [0.5, 0.5]) == 0.0
    assert softmax_squared_error([[0.0, 0.0], [0.0, 0.0]], [0, 1], reduction="sum") == 0.5
