"""Tests of softmaxlab.negative_sampling: the word2vec loss, the 3/4 noise, and the shifted-PMI optimum."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from softmaxlab import (
    nce_loss,
    negative_sampling_grad,
    negative_sampling_loss,
    numerical_gradient,
    shifted_pmi,
    unigram_noise,
)
from strategies import finite_floats, vectors

finite = finite_floats(-30, 30)


def expected_loss(x, N, k, noise):
    """The expected negative-sampling loss of a table of free scores x[w, c]."""
    pos = N * negative_sampling_loss(x, np.zeros(x.shape + (0,)))
    neg = k * N.sum(axis=1, keepdims=True) * noise * negative_sampling_loss(np.zeros_like(x), x[..., None])
    return float(pos.sum() + neg.sum() - k * N.sum() * np.log(2))  # drop the constant pos(0) term


def test_unigram_noise():
    c = np.array([90.0, 9.0, 1.0, 0.0])
    np.testing.assert_allclose(unigram_noise(c, 1.0), c / 100)
    np.testing.assert_allclose(unigram_noise(c, 0.0), 0.25)
    p = unigram_noise(c)
    np.testing.assert_allclose(p, c**0.75 / (c**0.75).sum())
    assert p[3] == 0.0 and p[2] > 0.01 and p[0] < 0.9  # rare words gain, frequent ones lose


@given(arrays(np.float64, 5, elements=finite))
@settings(max_examples=100)
def test_gradient_matches_finite_differences(x):
    gp, gn = negative_sampling_grad(x[0], x[1:])
    num = numerical_gradient(lambda v: negative_sampling_loss(v[0], v[1:]), x)
    np.testing.assert_allclose(np.concatenate([[gp], gn]), num, atol=1e-7)


@given(finite, vectors(-30, 30, max_size=6))
@settings(max_examples=100)
def test_negative_sampling_is_nce_with_k_q_equal_one(pos, neg):
    k = len(neg)
    lq = -np.log(k)
    assert negative_sampling_loss(pos, neg) == pytest.approx(
        float(nce_loss(pos, neg, lq, np.full(k, lq))), rel=1e-12, abs=1e-12
    )


@given(st.integers(0, 2**32 - 1), st.integers(1, 15), st.sampled_from([0.75, 1.0, 0.5]))
@settings(max_examples=50)
def test_shifted_pmi_zeroes_the_expected_gradient(seed, k, power):
    rng = np.random.default_rng(seed)
    N = rng.integers(1, 50, size=(4, 6)).astype(float)
    noise = unigram_noise(N.sum(axis=0), power)
    x = shifted_pmi(N, k, power)
    gp, gn = negative_sampling_grad(x, x[..., None])
    grad = N * gp + k * N.sum(axis=1, keepdims=True) * noise * gn[..., 0]
    np.testing.assert_allclose(grad, 0.0, atol=1e-10)
    base = expected_loss(x, N, k, noise)
    for _ in range(5):
        assert expected_loss(x + 0.05 * rng.normal(size=x.shape), N, k, noise) > base


def test_pmi_closed_form_and_zero_counts():
    N = np.array([[10.0, 0.0], [5.0, 5.0]])
    D = N.sum()
    with np.errstate(divide="ignore"):
        pmi = np.log(N * D / (N.sum(1, keepdims=True) * N.sum(0)))
    np.testing.assert_allclose(shifted_pmi(N, 5, power=1.0), pmi - np.log(5))
    assert shifted_pmi(N, 1)[0, 1] == -np.inf


def test_bad_input():
    with pytest.raises(ValueError, match="counts"):
        unigram_noise([1.0, -1.0])
    with pytest.raises(ValueError, match="counts"):
        unigram_noise([0.0, 0.0])
    with pytest.raises(ValueError, match="power"):
        unigram_noise([1.0, 2.0], power=-1)
    with pytest.raises(TypeError, match="power"):
        unigram_noise([1.0, 2.0], power="1")
    with pytest.raises(ValueError, match="neg_scores"):
        negative_sampling_loss([1.0, 2.0], [1.0, 2.0])
    with pytest.raises(TypeError, match="pos_scores"):
        negative_sampling_grad("x", [1.0])
    with pytest.raises(ValueError, match="k"):
        shifted_pmi(np.ones((2, 2)), 0)
    with pytest.raises(ValueError, match="cooccurrence"):
        shifted_pmi(np.ones(3), 1)
    with pytest.raises(ValueError, match="cooccurrence"):
        shifted_pmi(np.array([[1.0, 1.0], [0.0, 0.0]]), 1)
