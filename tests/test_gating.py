"""Tests of softmaxlab.gating: top-k softmax gates and the load-balance measures of mixtures of experts."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from softmaxlab import cv_squared, expert_importance, expert_load, softmax, top_k_gating

rows = st.tuples(st.integers(1, 6), st.integers(1, 9), st.integers(0, 2**32 - 1))


@given(rows, st.data())
def test_top_k_keeps_k_experts_on_the_simplex_and_renormalises(shape, data):
    n, e, seed = shape
    k = data.draw(st.integers(1, e))
    scores = np.random.default_rng(seed).normal(size=(n, e)) * 3
    gates = top_k_gating(scores, k)
    assert np.all(np.count_nonzero(gates, axis=1) <= k)
    np.testing.assert_allclose(gates.sum(axis=1), 1.0, rtol=1e-12)
    full = softmax(scores)
    for row, g, p in zip(scores, gates, full):
        kept = np.argsort(-row, kind="stable")[:k]
        np.testing.assert_allclose(g[kept], p[kept] / p[kept].sum(), rtol=1e-12)   # softmax, zeroed, renormalised
        assert np.all(g[np.setdiff1d(np.arange(e), kept)] == 0)


@given(rows, st.floats(-50, 50))
def test_top_k_is_shift_invariant(shape, shift):
    n, e, seed = shape
    scores = np.random.default_rng(seed).normal(size=(n, e))
    k = max(1, e // 2)
    np.testing.assert_allclose(top_k_gating(scores + shift, k), top_k_gating(scores, k), rtol=1e-9, atol=1e-300)


def test_k_equal_to_the_number_of_experts_is_softmax_and_ties_keep_the_lower_index():
    scores = np.array([[1.0, 3.0, 3.0, 0.0]])
    np.testing.assert_allclose(top_k_gating(scores, 4), softmax(scores), rtol=1e-15)
    np.testing.assert_array_equal(top_k_gating(scores, 1), [[0.0, 1.0, 0.0, 0.0]])


def test_ieee_values_follow_softmax_over_the_kept_scores():
    assert np.all(np.isnan(top_k_gating(np.array([1.0, np.nan, 0.0]), 1)))
    np.testing.assert_array_equal(top_k_gating(np.array([np.inf, 1.0, np.inf]), 2), [0.5, 0.0, 0.5])
    np.testing.assert_array_equal(top_k_gating(np.array([-np.inf, 2.0, -np.inf]), 2), [0.0, 1.0, 0.0])
    assert np.all(np.isnan(top_k_gating(np.full(3, -np.inf), 2)))


def test_axis_and_bad_k():
    scores = np.random.default_rng(0).normal(size=(4, 3))
    np.testing.assert_array_equal(top_k_gating(scores, 2, axis=0), top_k_gating(scores.T, 2).T)
    for k in (0, 4):
        with pytest.raises(ValueError, match="k"):
            top_k_gating(scores, k)


def test_importance_load_and_their_balance():
    gates = np.array([[0.7, 0.3, 0.0], [0.6, 0.0, 0.4], [0.0, 0.5, 0.5]])
    np.testing.assert_allclose(expert_importance(gates), [1.3, 0.8, 0.9])
    np.testing.assert_array_equal(expert_load(gates), [2.0, 2.0, 2.0])
    assert cv_squared(expert_load(gates)) == 0.0
    assert np.isclose(cv_squared([3.0, 0.0, 0.0, 0.0]), 3.0)         # all on one of E experts: E - 1
    assert np.isnan(cv_squared([0.0, 0.0])) and np.isnan(cv_squared([]))


@given(st.lists(st.floats(0, 1e6), min_size=1, max_size=10).filter(lambda v: max(v) > 0), st.floats(1e-3, 1e3))
def test_cv_squared_is_scale_free_and_at_most_e_minus_one(values, c):
    v = np.array(values)
    assert 0 <= cv_squared(v) <= len(v) - 1 + 1e-9
    assert np.isclose(cv_squared(c * v), cv_squared(v), rtol=1e-9, atol=1e-12)
