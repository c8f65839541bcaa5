"""Tests of softmaxlab.nce: the NCE objective, its gradient, and its self-normalising optimum."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from softmaxlab import binary_cross_entropy_with_logits, nce_grad, nce_logits, nce_loss, numerical_gradient
from strategies import finite_floats

finite = finite_floats(-30, 30)
log_probs = st.floats(-20, -1e-3)


@given(finite, arrays(np.float64, 4, elements=finite), log_probs, arrays(np.float64, 4, elements=log_probs))
@settings(max_examples=100)
def test_loss_is_logistic_regression_of_data_against_noise(d, n, lqd, lqn):
    dd, dn = nce_logits(d, n, lqd, lqn)
    assert dd == pytest.approx(d - np.log(4) - lqd)
    bce = binary_cross_entropy_with_logits(dd, 1.0, reduction="sum") + binary_cross_entropy_with_logits(
        dn, np.zeros(4), reduction="sum"
    )
    assert nce_loss(d, n, lqd, lqn) == pytest.approx(float(bce), rel=1e-12, abs=1e-12)


@given(arrays(np.float64, 4, elements=finite), arrays(np.float64, 4, elements=log_probs))
@settings(max_examples=100)
def test_gradient_matches_finite_differences(x, lq):
    gd, gn = nce_grad(x[0], x[1:], lq[0], lq[1:])
    num = numerical_gradient(lambda v: nce_loss(v[0], v[1:], lq[0], lq[1:]), x)
    np.testing.assert_allclose(np.concatenate([[gd], gn]), num, atol=1e-7)


@given(st.integers(2, 12), st.integers(1, 10), st.integers(0, 2**32 - 1))
@settings(max_examples=100)
def test_expected_gradient_vanishes_at_the_data_log_probability(K, k, seed):
    """E_data[grad] + k E_noise[grad] = 0 at s = log p_data, whatever the noise q."""
    rng = np.random.default_rng(seed)
    p, q = rng.dirichlet(np.ones(K)), rng.dirichlet(np.ones(K))
    s = np.log(p)
    gd, gn = nce_grad(s, np.repeat(s[:, None], k, axis=1), np.log(q), np.repeat(np.log(q)[:, None], k, axis=1))
    expected = p * gd + q * gn.sum(axis=1)
    np.testing.assert_allclose(expected, 0.0, atol=1e-12)
    # and anywhere else it does not vanish
    gd2, gn2 = nce_grad(
        s + 0.3, np.repeat(s[:, None] + 0.3, k, axis=1), np.log(q), np.repeat(np.log(q)[:, None], k, axis=1)
    )
    assert np.all(p * gd2 + q * gn2.sum(axis=1) > 0)


def test_learned_normaliser_converges_to_minus_log_z():
    """Fix the shape s(x) of a model, learn only c by gradient descent on the sampled NCE loss."""
    rng = np.random.default_rng(0)
    K, k, N = 20, 10, 20000
    shape = rng.normal(size=K) * 1.5
    p = np.exp(shape) / np.exp(shape).sum()
    q = np.full(K, 1 / K)
    data, noise = rng.choice(K, size=N, p=p), rng.choice(K, size=(N, k), p=q)
    c = 0.0
    for _ in range(200):
        gd, gn = nce_grad(shape[data] + c, shape[noise] + c, np.log(q[data]), np.log(q[noise]))
        c -= 0.5 * (gd.sum() + gn.sum()) / N
    assert c == pytest.approx(-np.log(np.exp(shape).sum()), abs=0.03)


def test_batches_and_scalars():
    assert nce_loss(0.0, [0.0], 0.0, [0.0]) == pytest.approx(2 * np.log(2))
    loss = nce_loss(np.zeros((2, 3)), np.zeros((2, 3, 5)), np.full((2, 3), -1.0), np.full((2, 3, 5), -1.0))
    assert loss.shape == (2, 3)


def test_bad_input():
    with pytest.raises(ValueError, match="noise_scores"):
        nce_loss([0.0, 1.0], [0.0, 1.0], [0.0, 0.0], [0.0, 0.0])
    with pytest.raises(ValueError, match="noise_scores"):
        nce_loss(0.0, np.zeros(0), 0.0, np.zeros(0))
    with pytest.raises(ValueError, match="data_log_q"):
        nce_loss(0.0, [0.0], [0.0, 0.0], [0.0])
    with pytest.raises(ValueError, match="noise_log_q"):
        nce_grad(0.0, [0.0, 1.0], 0.0, [0.0])
    with pytest.raises(ValueError, match="log-probabilities"):
        nce_loss(0.0, [0.0], 0.5, [0.0])
    with pytest.raises(TypeError, match="data_scores"):
        nce_loss("a", [0.0], 0.0, [0.0])
