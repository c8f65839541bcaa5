"""Tests of softmaxlab.addressing: NTM content addressing, softmax(beta * cosine) over memory rows."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from softmaxlab import content_addressing, softmax


def reference_weights(memory, key, beta):
    """Straight from the definition, with the zero-vector convention cos = 0."""
    norms = np.linalg.norm(memory, axis=1) * np.linalg.norm(key)
    dots = memory @ key
    cos = np.divide(dots, norms, out=np.zeros_like(dots), where=norms > 0)
    return softmax(beta * cos)


cases = st.tuples(st.integers(1, 8), st.integers(1, 5), st.integers(0, 2**32 - 1))
betas = st.floats(0.01, 200.0)


def _draw(n, w, seed):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, w)), rng.normal(size=w)


@given(cases, betas)
def test_weights_are_on_the_simplex_and_match_the_definition(case, beta):
    memory, key = _draw(*case)
    w = content_addressing(memory, key, beta)
    assert np.all(w >= 0) and np.isclose(w.sum(), 1.0, rtol=1e-12)
    np.testing.assert_allclose(w, reference_weights(memory, key, beta), rtol=1e-9, atol=1e-300)


@given(cases, betas, st.floats(1e-3, 1e3))
def test_scaling_the_key_or_a_row_by_a_positive_number_changes_nothing(case, beta, c):
    memory, key = _draw(*case)
    w = content_addressing(memory, key, beta)
    np.testing.assert_allclose(content_addressing(memory, c * key, beta), w, rtol=1e-9, atol=1e-300)
    scaled = memory.copy()
    scaled[0] *= c
    np.testing.assert_allclose(content_addressing(scaled, key, beta), w, rtol=1e-9, atol=1e-300)


@given(cases, st.floats(0.05, 20.0), st.floats(0.1, 10.0))
def test_beta_acts_as_an_inverse_temperature_a_power_of_the_weights(case, beta, factor):
    """w(c beta) is proportional to w(beta)^c: the weights at one key strength determine all others."""
    memory, key = _draw(*case)
    w = content_addressing(memory, key, beta)
    powered = w**factor / np.sum(w**factor)
    np.testing.assert_allclose(content_addressing(memory, key, factor * beta), powered, rtol=1e-8, atol=1e-300)


@given(cases, st.floats(0.05, 20.0))
def test_a_larger_beta_sharpens_entropy_falls_and_the_order_is_kept(case, beta):
    memory, key = _draw(*case)
    w1, w2 = content_addressing(memory, key, beta), content_addressing(memory, key, 2 * beta)
    entropy = [-np.sum(w * np.log(w)) for w in (w1, w2)]
    assert entropy[1] <= entropy[0] + 1e-12
    assert np.all(np.argsort(w1, kind="stable") == np.argsort(w2, kind="stable")) or np.allclose(w1, w1[0])


def test_zero_key_gives_uniform_weights_and_zero_row_has_cosine_zero():
    memory = np.array([[1.0, 0.0], [0.0, 0.0], [-1.0, 0.0]])
    np.testing.assert_array_equal(content_addressing(memory, np.zeros(2), 3.0), np.full(3, 1 / 3))
    w = content_addressing(memory, np.array([1.0, 0.0]), 2.0)
    np.testing.assert_allclose(w, softmax(np.array([2.0, 0.0, -2.0])), rtol=1e-15)


def test_huge_and_tiny_rows_neither_overflow_nor_underflow():
    key = np.array([1.0, 1.0])
    for c in (1e300, 1e-310):
        memory = c * np.array([[1.0, 1.0], [1.0, 0.0]])
        np.testing.assert_allclose(content_addressing(memory, key, 4.0),
                                   softmax(4.0 * np.array([1.0, np.sqrt(0.5)])), rtol=1e-12)


def test_a_row_or_key_with_a_non_finite_entry_gives_nan_weights():
    memory = np.array([[np.inf, 1.0], [1.0, 0.0]])
    assert np.all(np.isnan(content_addressing(memory, np.ones(2), 1.0)))
    assert np.all(np.isnan(content_addressing(np.eye(2), np.array([np.nan, 1.0]), 1.0)))


def test_batches_broadcast_like_one_address_at_a_time():
    rng = np.random.default_rng(3)
    memory, keys = rng.normal(size=(5, 4)), rng.normal(size=(3, 4))
    batched = content_addressing(memory, keys, 2.5)
    assert batched.shape == (3, 5)
    for i in range(3):
        np.testing.assert_allclose(batched[i], content_addressing(memory, keys[i], 2.5), rtol=1e-14)


@pytest.mark.parametrize("beta", [0.0, -1.0, np.inf, np.nan])
def test_beta_must_be_positive_and_finite(beta):
    with pytest.raises(ValueError, match="beta"):
        content_addressing(np.eye(2), np.ones(2), beta)
