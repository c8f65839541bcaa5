"""Tests of softmaxlab.online: softmax states, their associative merge, online softmax, tiled attention."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from softmaxlab import (
    SoftmaxState,
    logsumexp,
    merge,
    online_logsumexp,
    online_softmax,
    scaled_dot_product_attention,
    softmax,
    softmax_state,
    tiled_attention,
)
from strategies import finite_floats, vectors

finite = finite_floats(-700, 700)
with_infinities = st.one_of(finite, st.just(-np.inf), st.just(np.inf))
score_vectors = vectors(-700, 700, max_size=60)


def random_blocks(x: np.ndarray, rng: np.random.Generator) -> list[np.ndarray]:
    """Cut x into a random number of contiguous, possibly empty, pieces."""
    cuts = np.sort(rng.integers(0, len(x) + 1, size=rng.integers(0, 8)))
    return np.split(x, cuts)


def reduce_in_random_tree(states: list[SoftmaxState], rng: np.random.Generator) -> SoftmaxState:
    """Merge neighbours in a random order until one state is left: a random bracketing."""
    states = list(states)
    while len(states) > 1:
        i = int(rng.integers(0, len(states) - 1))
        states[i : i + 2] = [merge(states[i], states[i + 1])]
    return states[0]


# --------------------------------------------------------------------------- states and merge


def test_state_of_a_block():
    s = softmax_state([1.0, 2.0, 3.0])
    assert s.m == 3.0
    assert s.d == pytest.approx(np.exp(-2) + np.exp(-1) + 1)
    assert s.logsumexp() == pytest.approx(np.log(np.exp([1.0, 2.0, 3.0]).sum()))


@given(score_vectors, st.integers(0, 2**32 - 1))
@settings(max_examples=300)
def test_merge_of_random_splits_in_random_order_gives_the_whole(x, seed):
    rng = np.random.default_rng(seed)
    whole = softmax_state(x)
    merged = reduce_in_random_tree([softmax_state(b) for b in random_blocks(x, rng)], rng)
    assert merged.m == whole.m  # the maximum is exact, whatever the grouping
    assert merged.d == pytest.approx(whole.d, rel=1e-13)
    assert merged.logsumexp() == pytest.approx(logsumexp(x), rel=1e-14, abs=1e-14)


@given(*(vectors(-700, 700, min_size=0, max_size=10) for _ in range(3)))
@settings(max_examples=200)
def test_merge_is_associative_and_commutative(a, b, c):
    sa, sb, sc = softmax_state(a), softmax_state(b), softmax_state(c)
    left, right = merge(merge(sa, sb), sc), merge(sa, merge(sb, sc))
    assert left.m == right.m
    assert left.d == pytest.approx(right.d, rel=1e-14)
    swapped = merge(sb, sa)
    assert swapped.m == merge(sa, sb).m and swapped.d == pytest.approx(merge(sa, sb).d, rel=1e-15)


@given(vectors(min_size=0, max_size=10, elements=with_infinities))
@settings(max_examples=200)
def test_identity_and_special_values(x):
    s = softmax_state(x)
    e = SoftmaxState(np.float64(-np.inf), np.float64(0.0))
    for m in (merge(e, s), merge(s, e)):
        assert m.m == s.m and m.d == s.d
    assert s.logsumexp() == pytest.approx(logsumexp(x), rel=1e-14, abs=1e-14)  # incl. +-inf


def test_merge_batched_states():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(4, 30)) * 50
    s = merge(softmax_state(x[:, :7]), softmax_state(x[:, 7:]))
    np.testing.assert_allclose(s.logsumexp(), logsumexp(x, axis=-1), rtol=1e-14)


# --------------------------------------------------------------------------- online softmax


@given(score_vectors, st.integers(1, 70))
@settings(max_examples=200)
def test_online_softmax_equals_softmax(x, block):
    np.testing.assert_allclose(online_softmax(x, block_size=block), softmax(x), rtol=1e-13, atol=1e-300)
    assert online_logsumexp(x, block_size=block) == pytest.approx(logsumexp(x), rel=1e-14, abs=1e-14)


def documented_softmax(x: np.ndarray) -> np.ndarray:
    """The IEEE conventions of the core (CONTRIBUTING.md), spelled out: nan in, or all -inf: nan; +inf entries share."""
    if np.isnan(x).any() or np.all(x == -np.inf):
        return np.full(x.shape, np.nan)
    if np.isposinf(x).any():
        return (x == np.inf) / np.count_nonzero(x == np.inf)
    e = np.exp(x - x.max())
    return e / e.sum()


@given(vectors(max_size=12, elements=st.one_of(with_infinities, st.just(np.nan))))
@settings(max_examples=200)
def test_online_softmax_special_values(x):
    expected = documented_softmax(x)
    got = online_softmax(x, block_size=3)
    np.testing.assert_array_equal(np.isnan(got), np.isnan(expected))
    ok = ~np.isnan(expected)
    np.testing.assert_allclose(got[ok], expected[ok], rtol=1e-13)


def test_online_softmax_axes_and_dtypes():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(3, 5, 7))
    for axis in (0, 1, 2, -2):
        np.testing.assert_allclose(online_softmax(x, axis=axis, block_size=2), softmax(x, axis=axis))
        np.testing.assert_allclose(online_logsumexp(x, axis=axis, block_size=2), logsumexp(x, axis=axis))
    np.testing.assert_allclose(online_softmax(x, axis=None, block_size=4), softmax(x, axis=None))
    assert online_softmax(x.astype(np.float32)).dtype == np.float32
    assert online_softmax(x.astype(np.float16)).dtype == np.float16
    assert online_softmax(np.arange(4)).dtype == np.float64
    assert online_softmax(np.zeros((2, 0))).shape == (2, 0)
    assert np.all(online_logsumexp(np.zeros((2, 0))) == -np.inf)


def test_no_overflow_for_large_inputs():
    x = np.array([1000.0, 999.0, -1000.0, 1000.0])
    np.testing.assert_allclose(online_softmax(x, block_size=1), softmax(x), rtol=1e-15)


# --------------------------------------------------------------------------- tiled attention


@given(
    st.integers(1, 20), st.integers(1, 20), st.integers(1, 6), st.integers(1, 5),
    st.integers(1, 8), st.integers(1, 8), st.integers(0, 2**32 - 1),
)
@settings(max_examples=100)
def test_tiled_attention_equals_standard(n_q, n_k, d, d_v, bq, bk, seed):
    rng = np.random.default_rng(seed)
    q, k, v = rng.normal(size=(n_q, d)) * 3, rng.normal(size=(n_k, d)) * 3, rng.normal(size=(n_k, d_v))
    np.testing.assert_allclose(
        tiled_attention(q, k, v, block_q=bq, block_k=bk), scaled_dot_product_attention(q, k, v), rtol=1e-12, atol=1e-13
    )


def test_tiled_attention_batched_masked_and_scaled():
    rng = np.random.default_rng(2)
    q, k, v = rng.normal(size=(2, 3, 17, 8)), rng.normal(size=(2, 3, 23, 8)), rng.normal(size=(2, 3, 23, 4))
    mask = np.tril(np.ones((17, 23), dtype=bool), k=3)
    mask[4] = False  # one query sees nothing: nan in both
    ref = scaled_dot_product_attention(q, k, v, mask=mask, scale=0.7)
    out = tiled_attention(q, k, v, mask=mask, scale=0.7, block_q=5, block_k=4)
    np.testing.assert_array_equal(np.isnan(out), np.isnan(ref))
    assert np.all(np.isnan(out[..., 4, :]))
    np.testing.assert_allclose(out[~np.isnan(ref)], ref[~np.isnan(ref)], rtol=1e-12, atol=1e-13)
    # a shared (unbatched) key/value set broadcasts against batched queries
    np.testing.assert_allclose(
        tiled_attention(q, k[0, 0], v[0, 0], block_q=4, block_k=6), scaled_dot_product_attention(q, k[0, 0], v[0, 0])
    )


def test_tiled_attention_float32():
    rng = np.random.default_rng(3)
    q, k, v = (rng.normal(size=(33, 16)).astype(np.float32) for _ in range(3))
    out = tiled_attention(q, k, v, block_q=8, block_k=8)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, scaled_dot_product_attention(q, k, v), rtol=1e-5, atol=1e-6)


def test_memory_traffic_counts():
    n, d, b = 96, 8, 32
    rng = np.random.default_rng(4)
    q, k, v = rng.normal(size=(n, d)), rng.normal(size=(n, d)), rng.normal(size=(n, d))
    _, std = scaled_dot_product_attention(q, k, v, return_traffic=True)
    _, tiled = tiled_attention(q, k, v, block_q=b, block_k=b, return_traffic=True)
    assert std.score_elements == 5 * n * n  # S written, read twice; P written, read once
    assert std.total == 3 * n * d + 5 * n * n + n * d
    assert tiled.score_elements == 0
    assert tiled.reads == n * d + (n // b) * 2 * n * d  # q once, k and v once per query block
    assert tiled.writes == n * d
    assert tiled.total < std.total


# --------------------------------------------------------------------------- bad input


def test_bad_input():
    with pytest.raises(TypeError, match="x"):
        online_softmax([1j, 2.0])
    with pytest.raises(ValueError, match="block_size"):
        online_softmax([1.0, 2.0], block_size=0)
    with pytest.raises(TypeError, match="block_size"):
        online_logsumexp([1.0, 2.0], block_size=1.5)
    with pytest.raises(np.exceptions.AxisError, match="axis"):
        softmax_state([1.0, 2.0], axis=2)
    with pytest.raises(TypeError, match="a"):
        merge([1.0, 2.0, 3.0], softmax_state([1.0]))
    with pytest.raises(TypeError, match="b.d"):
        merge(softmax_state([1.0]), (1.0, "x"))
    q = np.zeros((3, 4))
    with pytest.raises(ValueError, match="q and k"):
        tiled_attention(q, np.zeros((5, 3)), np.zeros((5, 2)))
    with pytest.raises(ValueError, match="k and v"):
        tiled_attention(q, np.zeros((5, 4)), np.zeros((6, 2)))
    with pytest.raises(ValueError, match="block_q"):
        tiled_attention(q, q, q, block_q=0)
    with pytest.raises(TypeError, match="mask"):
        tiled_attention(q, q, q, mask=np.ones((3, 3)))
    with pytest.raises(ValueError, match="mask"):
        tiled_attention(q, q, q, mask=np.ones((2, 3), dtype=bool))
    with pytest.raises(ValueError, match="scale"):
        tiled_attention(q, q, q, scale=np.inf)
