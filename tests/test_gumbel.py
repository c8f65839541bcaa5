"""Tests of softmaxlab.gumbel: the Gumbel-max trick and the Gumbel-softmax relaxation."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from softmaxlab import gumbel_max_sample, gumbel_softmax, softmax
from softmaxlab.gumbel import as_generator
from strategies import vectors


def test_seeded_and_reproducible():
    logits = np.log([0.2, 0.3, 0.5])
    a = gumbel_max_sample(logits, rng=42, size=50)
    b = gumbel_max_sample(logits, rng=np.random.default_rng(42), size=50)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(
        gumbel_softmax(logits, 0.3, rng=7, size=4), gumbel_softmax(logits, 0.3, rng=7, size=4)
    )


@pytest.mark.parametrize("probs", [[0.5, 0.3, 0.2], [0.01, 0.04, 0.15, 0.3, 0.5], [0.9, 0.1]])
def test_gumbel_max_goodness_of_fit(probs):
    """Chi-square test of 200,000 draws against Categorical(probs): p-value well above 0.001."""
    probs = np.array(probs)
    draws = gumbel_max_sample(np.log(probs) + 3.7, rng=2024, size=200_000)  # shifted logits: same law
    counts = np.bincount(draws, minlength=len(probs))
    result = stats.chisquare(counts, draws.size * probs)
    assert result.pvalue > 1e-3


def test_goodness_of_fit_detects_a_wrong_sampler():
    """Normal noise in place of Gumbel noise is not exact; the same test must reject it."""
    probs = np.array([0.6, 0.3, 0.1])
    rng = np.random.default_rng(5)
    noisy = np.argmax(np.log(probs) + rng.normal(size=(200_000, 3)), axis=1)
    counts = np.bincount(noisy, minlength=3)
    assert stats.chisquare(counts, noisy.size * probs).pvalue < 1e-10


def test_shapes_and_axis():
    logits = np.zeros((4, 3))
    assert gumbel_max_sample(logits, rng=0).shape == (4,)
    assert gumbel_max_sample(logits, rng=0, size=10).shape == (10, 4)
    assert gumbel_max_sample(logits, rng=0, size=(2, 5)).shape == (2, 5, 4)
    draws = gumbel_max_sample(logits, rng=0, size=1000, axis=0)
    assert draws.shape == (1000, 3) and draws.max() <= 3 and draws.min() >= 0
    y = gumbel_softmax(logits, 1.0, rng=0, size=6, axis=0)
    assert y.shape == (6, 4, 3)
    np.testing.assert_allclose(y.sum(axis=1), 1.0)
    assert gumbel_max_sample([0.0], rng=0, size=3).tolist() == [0, 0, 0]


def test_batch_rows_follow_their_own_distribution():
    logits = np.log([[0.9, 0.1], [0.1, 0.9]])
    draws = gumbel_max_sample(logits, rng=3, size=20_000)
    freq = draws.mean(axis=0)  # fraction of class 1 per row
    np.testing.assert_allclose(freq, [0.1, 0.9], atol=0.01)


def test_minus_inf_logits_are_never_drawn():
    draws = gumbel_max_sample([0.0, -np.inf, 1.0], rng=9, size=10_000)
    assert not np.any(draws == 1)


@settings(max_examples=50)
@given(vectors(-10, 10, min_size=2, max_size=6), st.floats(0.05, 20.0), st.integers(0, 2**32 - 1))
def test_gumbel_softmax_is_on_the_simplex_and_agrees_with_gumbel_max(logits, tau, seed):
    y = gumbel_softmax(logits, tau, rng=seed, size=5)
    assert np.all(y >= 0)
    np.testing.assert_allclose(y.sum(axis=-1), 1.0, rtol=1e-12)
    hard = gumbel_softmax(logits, tau, rng=seed, size=5, hard=True)
    idx = gumbel_max_sample(logits, rng=seed, size=5)
    np.testing.assert_array_equal(hard.argmax(axis=-1), idx)
    np.testing.assert_array_equal(hard.sum(axis=-1), 1.0)


def test_gumbel_softmax_temperature_limits():
    logits = np.log([0.5, 0.3, 0.2])
    cold = gumbel_softmax(logits, 1e-4, rng=1, size=2000)
    assert np.mean(cold.max(axis=-1) > 0.999) > 0.99  # nearly one-hot
    hot = gumbel_softmax(logits, 1e4, rng=1, size=2000)
    np.testing.assert_allclose(hot, 1 / 3, atol=2e-3)  # nearly uniform


def test_gumbel_softmax_mean_vertex_frequencies():
    """At low temperature the average sample estimates the class probabilities."""
    probs = np.array([0.5, 0.3, 0.2])
    y = gumbel_softmax(np.log(probs), 0.01, rng=11, size=50_000)
    np.testing.assert_allclose(y.mean(axis=0), probs, atol=0.01)


def test_gumbel_softmax_equals_softmax_of_perturbed_logits():
    logits = np.array([1.0, -0.5, 2.0])
    rng = np.random.default_rng(4)
    g = rng.gumbel(size=3)
    np.testing.assert_allclose(gumbel_softmax(logits, 0.7, rng=4), softmax((logits + g) / 0.7), rtol=1e-14)


def test_dtypes():
    assert gumbel_max_sample(np.zeros(3, np.float32), rng=0).dtype == np.int64
    assert gumbel_softmax(np.zeros(3, np.float32), 1.0, rng=0).dtype == np.float32
    assert gumbel_softmax(np.zeros(3, np.int64), 1.0, rng=0).dtype == np.float64


def test_as_generator():
    g = np.random.default_rng(0)
    assert as_generator(g) is g
    assert isinstance(as_generator(None), np.random.Generator)
    for bad in (-1, 1.5, "seed", True):
        with pytest.raises(TypeError, match="rng"):
            as_generator(bad)


def test_bad_input_is_named():
    with pytest.raises(ValueError, match="nan"):
        gumbel_max_sample([0.0, np.nan], rng=0)
    with pytest.raises(ValueError, match=r"\+inf"):
        gumbel_max_sample([0.0, np.inf], rng=0)
    with pytest.raises(ValueError, match="logits must have at least one entry > -inf"):
        gumbel_max_sample([[0.0, 1.0], [-np.inf, -np.inf]], rng=0)
    with pytest.raises(ValueError, match="at least one dimension"):
        gumbel_max_sample(1.0, rng=0)
    with pytest.raises(ValueError, match="at least one class"):
        gumbel_max_sample(np.zeros((2, 0)), rng=0)
    with pytest.raises(TypeError, match="logits"):
        gumbel_max_sample(["a", "b"], rng=0)
    with pytest.raises(ValueError, match="temperature"):
        gumbel_softmax([0.0, 1.0], 0.0, rng=0)
    with pytest.raises(ValueError, match="temperature"):
        gumbel_softmax([0.0, 1.0], -2.0, rng=0)
    with pytest.raises(ValueError, match="size"):
        gumbel_max_sample([0.0, 1.0], rng=0, size=-1)
    with pytest.raises(TypeError, match="size"):
        gumbel_max_sample([0.0, 1.0], rng=0, size="many")
    with pytest.raises(np.exceptions.AxisError, match="axis"):
        gumbel_max_sample([0.0, 1.0], rng=0, axis=1)
