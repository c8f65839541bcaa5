"""Tests of softmaxlab.maxent (conditional maximum entropy) and softmaxlab.glm (the multinomial GLM by IRLS)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import optimize

from softmaxlab import entropy, log_softmax, softmax
from softmaxlab.glm import multinomial_glm_fit
from softmaxlab.maxent import class_features, maxent_fit, maxent_probabilities


def noisy_problem(seed, n=300, d=3, K=4, scale=1.0):
    """Inputs with an intercept column and labels drawn from a softmax model (not separable)."""
    rng = np.random.default_rng(seed)
    X = np.column_stack([rng.normal(size=(n, d - 1)), np.ones(n)])
    W = rng.normal(scale=scale, size=(K, d))
    p = softmax(X @ W.T, axis=1)
    y = np.array([rng.choice(K, p=row) for row in p])
    return X, y


def moment_gap(F, y, w):
    p = maxent_probabilities(F, w)
    return np.abs(np.einsum("nkd,nk->d", F, p) - F[np.arange(len(y)), y].sum(axis=0)).max() / len(y)


def test_class_features_layout():
    F = class_features(np.array([[1.0, 2.0], [3.0, 4.0]]), 3)
    assert F.shape == (2, 3, 6)
    np.testing.assert_array_equal(F[1, 2], [0, 0, 0, 0, 3, 4])
    W = np.arange(6.0).reshape(3, 2)
    np.testing.assert_allclose(F @ W.reshape(-1), np.array([[1.0, 2.0], [3.0, 4.0]]) @ W.T)
    assert class_features(np.ones((1, 1), dtype=np.float32), 2).dtype == np.float32
    assert class_features(np.ones((1, 1), dtype=np.int64), 2).dtype == np.float64


def test_probabilities_are_softmax_of_the_linear_scores():
    X, _ = noisy_problem(0, n=20)
    W = np.random.default_rng(1).normal(size=(4, 3))
    P = maxent_probabilities(class_features(X, 4), W.reshape(-1))
    np.testing.assert_allclose(P, softmax(X @ W.T, axis=1), rtol=1e-14)
    np.testing.assert_allclose(P.sum(axis=1), 1, rtol=1e-15)


def test_probabilities_dtypes_and_extreme_weights():
    F = class_features([[1.0], [-1.0]], 2)
    assert maxent_probabilities(F.astype(np.float32), np.array([1.0, 0.0], dtype=np.float32)).dtype == np.float32
    assert maxent_probabilities(F.astype(np.float32), [1.0, 0.0]).dtype == np.float64   # float64 weights
    # an infinite weight meets the zeros of the other class's features: inf * 0 = nan, so the scores are nan
    assert np.all(np.isnan(maxent_probabilities(F, [np.inf, 0.0])))
    assert maxent_probabilities(F, [1e308, -1e308])[0, 0] == 1.0


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_fit_matches_the_moments_and_a_generic_optimiser(seed):
    X, y = noisy_problem(seed)
    F = class_features(X, 4)
    w = maxent_fit(F, y)
    assert moment_gap(F, y, w) < 1e-10

    def loss(v):
        return -np.mean(log_softmax(F @ v, axis=1)[np.arange(len(y)), y])

    reference = optimize.minimize(loss, np.zeros(F.shape[2]), method="BFGS", options={"gtol": 1e-10}).x
    np.testing.assert_allclose(maxent_probabilities(F, w), maxent_probabilities(F, reference), atol=1e-6)
    assert loss(w) <= loss(reference) + 1e-12


def test_fit_is_the_minimum_norm_maximiser():
    X, y = noisy_problem(3)
    F = class_features(X, 4)
    W = maxent_fit(F, y).reshape(4, 3)
    # adding one vector to every class changes nothing, and the fit has none of it: columns sum to 0
    np.testing.assert_allclose(W.sum(axis=0), 0, atol=1e-10)
    shifted = (W + np.array([0.3, -1.0, 2.0])).reshape(-1)
    np.testing.assert_allclose(maxent_probabilities(F, shifted), maxent_probabilities(F, W.reshape(-1)), rtol=1e-12)


def test_a_feature_shared_by_every_class_gets_no_weight():
    X, y = noisy_problem(4)
    F = class_features(X, 4)
    shared = np.repeat(np.random.default_rng(0).normal(size=(len(y), 1, 1)), 4, axis=1)  # same for every class
    w = maxent_fit(np.concatenate([F, shared], axis=2), y)
    assert abs(w[-1]) < 1e-10
    np.testing.assert_allclose(w[:-1], maxent_fit(F, y), atol=1e-9)


def test_fit_has_the_largest_conditional_entropy_among_distributions_with_the_same_moments():
    X, y = noisy_problem(5, n=200)
    F = class_features(X, 4)
    P = maxent_probabilities(F, maxent_fit(F, y))
    Y = np.eye(4)[y]                                   # the data themselves match the moments
    for t in [0.01, 0.1, 0.5, 1.0]:
        Q = (1 - t) * P + t * Y                        # and so does every mixture (the constraints are linear)
        assert np.abs(np.einsum("nkd,nk->d", F, Q - P)).max() < 1e-9
        assert entropy(Q, axis=1).mean() < entropy(P, axis=1).mean()


def test_general_features_not_of_the_class_form():
    """A feature tensor with class-shared and class-specific parts: the moments still match."""
    rng = np.random.default_rng(6)
    n, K = 250, 3
    F = rng.normal(size=(n, K, 4))
    y = np.array([rng.choice(K, p=row) for row in softmax(F @ np.array([0.5, -1.0, 0.2, 0.8]), axis=1)])
    w = maxent_fit(F, y)
    assert moment_gap(F, y, w) < 1e-10


@given(st.integers(0, 10_000), st.integers(2, 5), st.integers(1, 4))
def test_fit_property_moments_match_or_separable(seed, K, d):
    rng = np.random.default_rng(seed)
    n = 60
    X = np.column_stack([rng.normal(size=(n, d - 1)), np.ones(n)]) if d > 1 else np.ones((n, 1))
    y = rng.integers(0, K, size=n)
    F = class_features(X, K)
    try:
        w = maxent_fit(F, y)
    except ValueError as exc:
        assert "separable" in str(exc)
        return
    assert moment_gap(F, y, w) < 1e-8
    assert np.all(np.isfinite(w))


def test_separable_labels_raise():
    X = np.column_stack([np.arange(6.0), np.ones(6)])
    with pytest.raises(ValueError, match="separable"):
        maxent_fit(class_features(X, 2), np.array([0, 0, 0, 1, 1, 1]))
    # quasi-separation: class 2 alone is separable from the others
    Xq = np.column_stack([[0.0, 1.0, 0.0, 1.0, 5.0, 6.0], np.ones(6)])
    with pytest.raises(ValueError, match="separable"):
        maxent_fit(class_features(Xq, 3), np.array([0, 1, 1, 0, 2, 2]))


def test_fit_agrees_with_scikit_learn():
    sklearn = pytest.importorskip("sklearn.linear_model")
    X, y = noisy_problem(7, n=400)
    Z = X[:, :-1]
    F = class_features(X, 4)
    W = maxent_fit(F, y).reshape(4, 3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = sklearn.LogisticRegression(C=np.inf, solver="newton-cholesky", tol=1e-12, max_iter=1000).fit(Z, y)
    np.testing.assert_allclose(model.predict_proba(Z), maxent_probabilities(F, W.reshape(-1)), atol=1e-8)
    theirs = np.column_stack([model.coef_, model.intercept_])
    shift = W - theirs
    np.testing.assert_allclose(shift, np.broadcast_to(shift.mean(axis=0), shift.shape), atol=1e-6)


def test_fit_does_not_modify_inputs():
    X, y = noisy_problem(8, n=50)
    F = class_features(X, 4)
    F0, y0 = F.copy(), y.copy()
    maxent_fit(F, y)
    multinomial_glm_fit(X, y, 4)
    np.testing.assert_array_equal(F, F0)
    np.testing.assert_array_equal(y, y0)


# --------------------------------------------------------------------------- the multinomial GLM


@pytest.mark.parametrize("reference", [0, 2, -1])
def test_glm_is_softmax_regression_up_to_the_shift(reference):
    X, y = noisy_problem(9)
    B = multinomial_glm_fit(X, y, 4, reference=reference)
    np.testing.assert_array_equal(B[:, reference], 0)
    W = maxent_fit(class_features(X, 4), y).reshape(4, 3)
    np.testing.assert_allclose(softmax(X @ B, axis=1), softmax(X @ W.T, axis=1), atol=1e-10)
    np.testing.assert_allclose(B.T, W - W[reference], atol=1e-8)


def test_glm_score_equations():
    X, y = noisy_problem(10, n=500, d=4, K=3)
    B = multinomial_glm_fit(X, y, 3)
    residual = np.eye(3)[y] - softmax(X @ B, axis=1)
    np.testing.assert_allclose(X.T @ residual, 0, atol=1e-9)


def test_glm_two_classes_is_logistic_regression():
    rng = np.random.default_rng(11)
    X = np.column_stack([rng.normal(size=200), np.ones(200)])
    y = (rng.random(200) < 1 / (1 + np.exp(-(1.5 * X[:, 0] - 0.5)))).astype(int)
    B = multinomial_glm_fit(X, y, 2)
    beta = B[:, 1]

    def nll(b):
        t = X @ b
        return np.sum(np.logaddexp(0, t) - y * t)

    reference = optimize.minimize(nll, np.zeros(2), method="BFGS", options={"gtol": 1e-10}).x
    np.testing.assert_allclose(beta, reference, atol=1e-5)


def test_glm_separable_raises():
    X = np.column_stack([np.arange(6.0), np.ones(6)])
    with pytest.raises(ValueError, match="separable"):
        multinomial_glm_fit(X, np.array([0, 0, 0, 1, 1, 1]), 2)


def test_glm_returns_float64_and_unused_classes_are_refused():
    X, y = noisy_problem(12, n=100, K=3)
    assert multinomial_glm_fit(X.astype(np.float32), y, 3).dtype == np.float64
    # a class with no observation has no finite maximum likelihood (its probability wants to be 0)
    with pytest.raises(ValueError, match="separable"):
        multinomial_glm_fit(X, y, 4)
