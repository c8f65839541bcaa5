"""Tests of softmaxlab.generative: Bayes' rule for Gaussian classes (LDA) and Bernoulli naive Bayes
as softmax of linear scores."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from softmaxlab import softmax
from softmaxlab.generative import bernoulli_naive_bayes_scores, lda_scores


def random_gaussian_classes(seed, K=3, d=2):
    rng = np.random.default_rng(seed)
    means = rng.normal(scale=2.0, size=(K, d))
    A = rng.normal(size=(d, d))
    covariance = A @ A.T + 0.5 * np.eye(d)
    priors = rng.dirichlet(np.ones(K))
    return means, covariance, priors


@given(st.integers(0, 10_000), st.integers(2, 5), st.integers(1, 4))
def test_lda_posterior_is_bayes_rule(seed, K, d):
    means, covariance, priors = random_gaussian_classes(seed, K, d)
    W, b = lda_scores(means, covariance, priors)
    x = np.random.default_rng(seed + 1).normal(scale=3.0, size=(20, d))
    log_joint = np.column_stack([np.log(priors[k]) + stats.multivariate_normal(means[k], covariance).logpdf(x)
                                 for k in range(K)]).reshape(20, K)
    np.testing.assert_allclose(softmax(x @ W + b, axis=1), softmax(log_joint, axis=1), rtol=1e-9, atol=1e-12)


def test_lda_scores_formula_and_shapes():
    means, covariance, priors = random_gaussian_classes(0, K=4, d=3)
    W, b = lda_scores(means, covariance, priors)
    assert W.shape == (3, 4) and b.shape == (4,)
    np.testing.assert_allclose(W, np.linalg.inv(covariance) @ means.T, rtol=1e-12)
    np.testing.assert_allclose(b, -0.5 * np.sum(means.T * W, axis=0) + np.log(priors), rtol=1e-12)


def test_lda_zero_prior_is_never_predicted():
    W, b = lda_scores([[0.0], [1.0]], [[1.0]], [1.0, 0.0])
    assert b[1] == -np.inf
    np.testing.assert_array_equal(softmax(np.array([[5.0], [-5.0]]) @ W + b, axis=1)[:, 1], 0.0)


def test_lda_dtypes():
    means, covariance, priors = random_gaussian_classes(1)
    W32, b32 = lda_scores(means.astype(np.float32), covariance.astype(np.float32), priors.astype(np.float32))
    assert W32.dtype == np.float32 and b32.dtype == np.float32
    W, b = lda_scores(means, covariance, priors)
    assert W.dtype == np.float64
    Wl, bl = lda_scores(means.astype(np.longdouble), covariance, priors)
    assert Wl.dtype == np.longdouble
    np.testing.assert_allclose(W32, W, rtol=1e-5)


def test_lda_agrees_with_scikit_learn():
    discriminant = pytest.importorskip("sklearn.discriminant_analysis")
    rng = np.random.default_rng(2)
    means, covariance, _ = random_gaussian_classes(2, K=3, d=2)
    y = rng.integers(0, 3, size=300)
    X = means[y] + rng.multivariate_normal(np.zeros(2), covariance, size=300)
    mu = np.array([X[y == k].mean(axis=0) for k in range(3)])
    residual = X - mu[y]
    W, b = lda_scores(mu, residual.T @ residual / len(X), np.bincount(y) / len(y))
    model = discriminant.LinearDiscriminantAnalysis().fit(X, y)
    np.testing.assert_allclose(softmax(X @ W + b, axis=1), model.predict_proba(X), atol=1e-12)


@given(st.integers(0, 10_000), st.integers(2, 4), st.integers(1, 5))
def test_naive_bayes_posterior_is_bayes_rule(seed, K, d):
    rng = np.random.default_rng(seed)
    theta = rng.uniform(0.01, 0.99, size=(K, d))
    priors = rng.dirichlet(np.ones(K))
    W, b = bernoulli_naive_bayes_scores(theta, priors)
    for bits in itertools.product((0.0, 1.0), repeat=d):
        x = np.array(bits)
        joint = priors * np.prod(np.where(x == 1, theta, 1 - theta), axis=1)
        np.testing.assert_allclose(softmax(x @ W + b), joint / joint.sum(), rtol=1e-10)


def test_naive_bayes_agrees_with_scikit_learn():
    naive_bayes = pytest.importorskip("sklearn.naive_bayes")
    rng = np.random.default_rng(3)
    X = (rng.random((200, 6)) < 0.4).astype(float)
    y = rng.integers(0, 3, size=200)
    counts = np.array([X[y == k].sum(axis=0) for k in range(3)])
    n_k = np.bincount(y)
    W, b = bernoulli_naive_bayes_scores((counts + 1) / (n_k[:, None] + 2), n_k / n_k.sum())
    model = naive_bayes.BernoulliNB(alpha=1.0).fit(X, y)
    np.testing.assert_allclose(softmax(X @ W + b, axis=1), model.predict_proba(X), atol=1e-12)


def test_naive_bayes_extreme_probabilities_stay_accurate():
    W, b = bernoulli_naive_bayes_scores([[1e-300, 1 - 1e-16]], [1.0])
    assert np.isfinite(W).all() and np.isfinite(b).all()
    assert W[0, 0] == pytest.approx(np.log(1e-300))
    assert b[0] == pytest.approx(np.log1p(-(1 - 1e-16)) + np.log1p(-1e-300))


def test_inputs_are_not_modified():
    means, covariance, priors = random_gaussian_classes(4)
    copies = [a.copy() for a in (means, covariance, priors)]
    lda_scores(means, covariance, priors)
    for a, c in zip((means, covariance, priors), copies):
        np.testing.assert_array_equal(a, c)
