"""Masking semantics of scaled dot-product attention, as chapter 7 uses them (hypothesis properties).

A masked key gets weight exactly 0, so masking is the same as dropping the key and nothing about a
masked key (its values or its score) reaches the output; a query with every key masked gets nan and
no other query is affected; a leading axis of heads runs one softmax per head.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from softmaxlab import scaled_dot_product_attention, tiled_attention

problems = st.tuples(st.integers(1, 5), st.integers(1, 7), st.integers(1, 4), st.integers(1, 3),
                     st.integers(0, 2**32 - 1))


def _draw(n_q, n_k, d, d_v, seed):
    rng = np.random.default_rng(seed)
    q, k, v = rng.normal(size=(n_q, d)) * 2, rng.normal(size=(n_k, d)) * 2, rng.normal(size=(n_k, d_v))
    mask = rng.random((n_q, n_k)) < 0.6
    return rng, q, k, v, mask


@given(problems)
def test_masking_a_key_is_dropping_it(problem):
    _, q, k, v, mask = _draw(*problem)
    out = scaled_dot_product_attention(q, k, v, mask=mask)
    for i in range(len(q)):
        keep = mask[i]
        if keep.any():
            alone = scaled_dot_product_attention(q[i:i + 1], k[keep], v[keep])[0]
            np.testing.assert_allclose(out[i], alone, rtol=1e-12, atol=1e-14)
        else:
            assert np.all(np.isnan(out[i]))                      # nothing to attend to: 0/0


@given(problems, st.floats(-1e6, 1e6))
def test_nothing_about_a_masked_key_reaches_the_output(problem, junk):
    rng, q, k, v, mask = _draw(*problem)
    masked_everywhere = ~mask.any(axis=0)                      # keys no query may see
    k2, v2 = k.copy(), v.copy()
    k2[masked_everywhere] = junk
    v2[masked_everywhere] = rng.normal(size=v2[masked_everywhere].shape) * 1e6
    np.testing.assert_array_equal(scaled_dot_product_attention(q, k2, v2, mask=mask),
                                  scaled_dot_product_attention(q, k, v, mask=mask))


@given(problems)
def test_a_fully_masked_query_does_not_disturb_the_others_and_tiling_agrees(problem):
    _, q, k, v, mask = _draw(*problem)
    mask[0] = False
    out = scaled_dot_product_attention(q, k, v, mask=mask)
    assert np.all(np.isnan(out[0]))
    rest = scaled_dot_product_attention(q[1:], k, v, mask=mask[1:])
    np.testing.assert_allclose(out[1:], rest, rtol=1e-14, atol=1e-16)     # blocks may round differently
    np.testing.assert_allclose(tiled_attention(q, k, v, mask=mask, block_q=2, block_k=3), out, rtol=1e-12, atol=1e-14)


@given(problems, st.integers(1, 4))
def test_heads_are_independent_softmaxes_over_the_same_keys(problem, n_heads):
    n_q, n_k, d, d_v, seed = problem
    rng = np.random.default_rng(seed)
    q, k, v = (rng.normal(size=(n_heads, n, w)) for n, w in ((n_q, d), (n_k, d), (n_k, d_v)))
    out = scaled_dot_product_attention(q, k, v)
    weights = scaled_dot_product_attention(q, k, np.eye(n_k))
    np.testing.assert_allclose(weights.sum(axis=-1), 1.0, rtol=1e-12)
    for h in range(n_heads):
        np.testing.assert_allclose(out[h], scaled_dot_product_attention(q[h], k[h], v[h]), rtol=1e-12, atol=1e-14)
