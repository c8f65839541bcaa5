"""Tests of softmaxlab.sampled: sampled softmax with the log Q correction."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from softmaxlab import cross_entropy, numerical_gradient, sampled_softmax_grad, sampled_softmax_loss, softmax
from strategies import finite_floats, vector_and_index

finite = finite_floats(-30, 30)


def expected_gradient(o, y, q, m, correct, rng, draws=4000):
    """Monte Carlo mean of the sampled-softmax gradient scattered back to the K classes."""
    K = len(o)
    s = rng.choice(K, size=(draws, m), p=q)
    gt, gs = sampled_softmax_grad(
        np.full(draws, o[y]), o[s], np.full(draws, np.log(q[y])), np.log(q[s]), correct=correct
    )
    g = np.zeros(K)
    g[y] += gt.mean()
    np.add.at(g, s.reshape(-1), gs.reshape(-1) / draws)
    return g


@given(vector_and_index(-30, 30, min_size=2, max_size=10))
@settings(max_examples=100)
def test_every_other_class_once_under_uniform_q_is_the_full_loss(oy):
    o, y = oy
    others = np.delete(o, y)
    lq = np.log(1 / len(o))
    loss = sampled_softmax_loss(o[y], others, lq, np.full(len(others), lq))
    assert loss == pytest.approx(float(cross_entropy(o, y)), rel=1e-12, abs=1e-12)


@given(arrays(np.float64, 6, elements=finite))
@settings(max_examples=100)
def test_uniform_q_makes_the_correction_irrelevant(o):
    lq = np.full(5, np.log(0.1))
    a = sampled_softmax_loss(o[0], o[1:], np.log(0.1), lq)
    b = sampled_softmax_loss(o[0], o[1:], correct=False)
    assert a == pytest.approx(b, rel=1e-12, abs=1e-12)


@given(arrays(np.float64, 5, elements=finite), arrays(np.float64, 5, elements=st.floats(-8, -0.01)))
@settings(max_examples=100)
def test_gradient_matches_finite_differences(o, lq):
    gt, gs = sampled_softmax_grad(o[0], o[1:], lq[0], lq[1:])
    num = numerical_gradient(lambda v: sampled_softmax_loss(v[0], v[1:], lq[0], lq[1:]), o)
    np.testing.assert_allclose(np.concatenate([[gt], gs]), num, atol=1e-7)
    assert gt <= 0 and np.all(gs >= 0)
    assert gt + gs.sum() == pytest.approx(0.0, abs=1e-12)


def test_corrected_gradient_is_consistent_and_uncorrected_is_biased():
    rng = np.random.default_rng(0)
    K, y = 30, 4
    o = rng.normal(size=K) * 2
    exact = softmax(o) - np.eye(K)[y]
    q = 1 / np.arange(1, K + 1)
    q /= q.sum()  # a Zipf proposal, far from uniform
    bias = {}
    for correct in (True, False):
        for m in (5, 200):
            g = expected_gradient(o, y, q, m, correct, np.random.default_rng(1))
            bias[correct, m] = np.abs(g - exact).sum()
    assert bias[True, 200] < 0.1 * bias[True, 5]  # the bias shrinks as m grows
    assert bias[False, 200] > 0.5  # without the correction it does not go away
    assert bias[True, 200] < 0.05


def test_accidental_hits_are_removed():
    o = np.array([1.0, 2.0, 3.0])
    hits = np.array([True, False])
    loss = sampled_softmax_loss(o[0], o[[0, 2]], correct=False, accidental_hits=hits)
    assert loss == pytest.approx(float(cross_entropy(o[[0, 2]], 0)))
    _, gs = sampled_softmax_grad(o[0], o[[0, 2]], correct=False, accidental_hits=hits)
    assert gs[0] == 0.0


def test_batches_and_dtypes():
    rng = np.random.default_rng(2)
    t, s = rng.normal(size=(4, 3)), rng.normal(size=(4, 3, 7))
    lt, ls = np.log(rng.uniform(0.01, 1, size=(4, 3))), np.log(rng.uniform(0.01, 1, size=(4, 3, 7)))
    loss = sampled_softmax_loss(t, s, lt, ls)
    assert loss.shape == (4, 3)
    gt, gs = sampled_softmax_grad(t, s, lt, ls)
    assert gt.shape == (4, 3) and gs.shape == (4, 3, 7)
    assert sampled_softmax_loss(t.astype(np.float32), s.astype(np.float32), correct=False).dtype == np.float32


def test_bad_input():
    with pytest.raises(ValueError, match="sampled_logits"):
        sampled_softmax_loss([1.0, 2.0], [1.0, 2.0], correct=False)
    with pytest.raises(ValueError, match="true_log_q"):
        sampled_softmax_loss(1.0, [1.0, 2.0], [0.0, 0.0], [-1.0, -1.0])
    with pytest.raises(ValueError, match="sampled_log_q"):
        sampled_softmax_loss(1.0, [1.0, 2.0], -1.0, [-1.0])
    with pytest.raises(ValueError, match="log_q"):
        sampled_softmax_loss(1.0, [1.0, 2.0], 0.5, [-1.0, -1.0])
    with pytest.raises(TypeError, match="true_log_q"):
        sampled_softmax_loss(1.0, [1.0, 2.0])
    with pytest.raises(TypeError, match="correct"):
        sampled_softmax_loss(1.0, [1.0, 2.0], correct="yes")
    with pytest.raises(TypeError, match="accidental_hits"):
        sampled_softmax_loss(1.0, [1.0, 2.0], correct=False, accidental_hits=[1, 0])
    with pytest.raises(ValueError, match="accidental_hits"):
        sampled_softmax_loss(1.0, [1.0, 2.0], correct=False, accidental_hits=[True])
    with pytest.raises(TypeError, match="true_logits"):
        sampled_softmax_grad("a", [1.0], correct=False)
