"""Tests of softmaxlab.attention: standard scaled dot-product attention and its traffic tally."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from softmaxlab import MemoryTraffic, scaled_dot_product_attention, softmax


def reference_attention(q, k, v, scale=None):
    """Row by row, straight from the definition."""
    scale = 1 / np.sqrt(q.shape[-1]) if scale is None else scale
    out = np.empty((q.shape[0], v.shape[1]))
    for i, qi in enumerate(q):
        w = np.exp(scale * (k @ qi) - np.max(scale * (k @ qi)))
        out[i] = (w / w.sum()) @ v
    return out


@given(st.integers(1, 12), st.integers(1, 12), st.integers(1, 6), st.integers(1, 4), st.integers(0, 2**32 - 1))
@settings(max_examples=100)
def test_matches_definition_and_outputs_are_convex_combinations(n_q, n_k, d, d_v, seed):
    rng = np.random.default_rng(seed)
    q, k, v = rng.normal(size=(n_q, d)) * 2, rng.normal(size=(n_k, d)) * 2, rng.normal(size=(n_k, d_v))
    out = scaled_dot_product_attention(q, k, v)
    np.testing.assert_allclose(out, reference_attention(q, k, v), rtol=1e-12, atol=1e-13)
    assert np.all(out <= v.max(axis=0) + 1e-12) and np.all(out >= v.min(axis=0) - 1e-12)


def test_sharp_query_looks_up_one_value_and_mask_removes_keys():
    k, v = np.eye(3), np.array([[1.0, 0.0], [0.0, 1.0], [5.0, 5.0]])
    q = 60.0 * np.array([[0.0, 1.0, 0.0]])
    np.testing.assert_allclose(scaled_dot_product_attention(q, k, v), [[0.0, 1.0]], atol=1e-12)
    mask = np.array([True, False, True])
    np.testing.assert_allclose(scaled_dot_product_attention(q, k, v, mask=mask), [[3.0, 2.5]])
    assert np.all(np.isnan(scaled_dot_product_attention(q, k, v, mask=np.zeros(3, dtype=bool))))


def test_default_scale_is_one_over_sqrt_d():
    rng = np.random.default_rng(0)
    q, k, v = rng.normal(size=(4, 16)), rng.normal(size=(5, 16)), rng.normal(size=(5, 2))
    np.testing.assert_allclose(
        scaled_dot_product_attention(q, k, v), softmax(q @ k.T / 4.0) @ v, rtol=1e-14
    )
    np.testing.assert_allclose(
        scaled_dot_product_attention(q, k, v, scale=1.0), softmax(q @ k.T) @ v, rtol=1e-14
    )


def test_batches_and_dtypes():
    rng = np.random.default_rng(1)
    q, k, v = rng.normal(size=(2, 3, 4, 5)), rng.normal(size=(2, 3, 6, 5)), rng.normal(size=(2, 3, 6, 7))
    out = scaled_dot_product_attention(q, k, v)
    assert out.shape == (2, 3, 4, 7)
    np.testing.assert_allclose(out[1, 2], reference_attention(q[1, 2], k[1, 2], v[1, 2]), rtol=1e-12)
    assert scaled_dot_product_attention(*(a.astype(np.float32) for a in (q, k, v))).dtype == np.float32


def test_traffic_tally():
    q, k, v = np.zeros((10, 4)), np.zeros((12, 4)), np.zeros((12, 3))
    _, t = scaled_dot_product_attention(q, k, v, return_traffic=True)
    assert isinstance(t, MemoryTraffic)
    assert t.reads == 40 + 48 + 2 * 120 + 120 + 36
    assert t.writes == 120 + 120 + 30
    assert t.score_elements == 5 * 120 and t.total == t.reads + t.writes


def test_bad_input():
    q = np.zeros((3, 4))
    with pytest.raises(TypeError, match="q"):
        scaled_dot_product_attention(q.astype(complex), q, q)
    with pytest.raises(ValueError, match="v must"):
        scaled_dot_product_attention(q, q, np.zeros(3))
    with pytest.raises(ValueError, match="q and k"):
        scaled_dot_product_attention(q, np.zeros((5, 3)), np.zeros((5, 2)))
    with pytest.raises(ValueError, match="k and v"):
        scaled_dot_product_attention(q, np.zeros((5, 4)), np.zeros((6, 2)))
    with pytest.raises(ValueError, match="batch"):
        scaled_dot_product_attention(np.zeros((2, 3, 4)), np.zeros((3, 5, 4)), np.zeros((3, 5, 2)))
    with pytest.raises(TypeError, match="scale"):
        scaled_dot_product_attention(q, q, q, scale="1")
    with pytest.raises(TypeError, match="mask"):
        scaled_dot_product_attention(q, q, q, mask=np.ones((3, 3), dtype=int))
