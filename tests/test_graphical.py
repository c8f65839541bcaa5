"""Tests of softmaxlab.graphical: the Ising ring as a Markov random field, its spin conditionals and Gibbs sampling."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from softmaxlab import boltzmann
from softmaxlab.graphical import ising_ring_gibbs, ising_spin_conditional
from softmaxlab.ising import ising_ring_configurations, ising_ring_energy


def conditional_by_energies(spins, site, T, J, h):
    """P(s_site = +1 | rest) from the definition: the Boltzmann weights of the two completions."""
    up, down = np.array(spins, dtype=float), np.array(spins, dtype=float)
    up[..., site], down[..., site] = 1, -1
    e_up, e_down = ising_ring_energy(up, J, h), ising_ring_energy(down, J, h)
    return 1 / (1 + np.exp(-(e_down - e_up) / T))


def test_conditional_matches_the_joint_distribution_for_every_configuration():
    for n in range(1, 7):
        configs = ising_ring_configurations(n)
        for site in range(n):
            for T, J, h in [(1.0, 1.0, 0.0), (0.7, -0.5, 0.3), (2.5, 1.3, -0.8)]:
                got = ising_spin_conditional(configs, site, T, J, h)
                np.testing.assert_allclose(got, conditional_by_energies(configs, site, T, J, h), rtol=1e-13)


def test_conditional_by_enumeration_of_the_joint():
    """P(s_i = +1 | rest) is the joint probability of the configuration with s_i = +1 over the two completions."""
    n, T, J, h = 5, 0.9, 0.6, 0.25
    configs = ising_ring_configurations(n)
    p = boltzmann(ising_ring_energy(configs, J, h), T)
    index = {tuple(c): i for i, c in enumerate(configs.tolist())}
    for c in configs[:8]:
        for site in range(n):
            up, down = c.copy(), c.copy()
            up[site], down[site] = 1, -1
            expected = p[index[tuple(up.tolist())]] / (p[index[tuple(up.tolist())]] + p[index[tuple(down.tolist())]])
            assert ising_spin_conditional(c, site, T, J, h) == pytest.approx(expected, rel=1e-12)


@given(
    st.integers(1, 9),
    st.integers(0, 2**9 - 1),
    st.integers(-9, 8),
    st.floats(0.05, 20.0),
    st.floats(-3.0, 3.0),
    st.floats(-3.0, 3.0),
)
def test_conditional_properties(n, code, site, T, J, h):
    site = site % n
    spins = 1 - 2 * ((code >> np.arange(n)) & 1)
    p = ising_spin_conditional(spins, site, T, J, h)
    assert 0 <= p <= 1
    assert p == pytest.approx(conditional_by_energies(spins, site, T, J, h), rel=1e-10, abs=1e-300)
    # flipping every spin and the field swaps the two states
    assert ising_spin_conditional(-spins, site, T, J, -h) == pytest.approx(1 - p, abs=1e-12)
    # the spin's own value does not matter
    other = spins.copy()
    other[site] *= -1
    assert ising_spin_conditional(other, site, T, J, h) == p
    # a stronger field makes +1 at least as likely
    assert ising_spin_conditional(spins, site, T, J, h + 0.5) >= p


def test_conditional_shapes_and_dtypes():
    spins = np.array([[1, 1, -1], [-1, -1, 1]], dtype=np.int8)
    out = ising_spin_conditional(spins, -1, 1.0)
    assert out.shape == (2,) and out.dtype == np.float64
    np.testing.assert_array_equal(out, ising_spin_conditional(spins, 2, 1.0))
    scalar = ising_spin_conditional([1, 1, 1], 0, 1.0)
    assert isinstance(scalar, np.floating) and np.ndim(scalar) == 0
    for dtype in (np.float16, np.float32, np.float64, np.longdouble):
        got = ising_spin_conditional(np.array([1, -1, 1], dtype=dtype), 1, 1.0, field=0.3)
        assert got.dtype == dtype
        assert float(got) == pytest.approx(1 / (1 + np.exp(-2 * 2.3)), rel=1e-3)
    assert ising_spin_conditional(np.array([1.0, -1.0], dtype=">f8"), 0, 1.0).dtype == np.float64
    batch = np.ones((2, 3, 4))
    assert ising_spin_conditional(batch, 0, 1.0).shape == (2, 3)


def test_conditional_small_rings():
    # n = 1: the bond s_1 s_1 = 1 is constant, only the field acts
    assert ising_spin_conditional([1], 0, 0.5, coupling=7.0, field=0.2) == pytest.approx(1 / (1 + np.exp(-0.8)))
    # n = 2: both neighbours are the other spin, L = 2 J s_2 + h
    assert ising_spin_conditional([1, -1], 0, 1.0, 1.0, 0.0) == pytest.approx(1 / (1 + np.exp(4.0)))


def test_conditional_extreme_temperatures_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert ising_spin_conditional([1, 1, 1], 1, 1e-300) == 1.0
        assert ising_spin_conditional([-1, 1, -1], 1, 5e-324) == 0.0
        assert ising_spin_conditional([1, 1, -1], 1, 5e-324) == 0.5   # L = 0 at any temperature
        assert ising_spin_conditional([1, 1, 1], 1, 1e300) == pytest.approx(0.5)


def test_conditional_does_not_modify_its_input():
    spins = np.array([1, -1, 1, 1])
    before = spins.copy()
    ising_spin_conditional(spins, 1, 1.0)
    np.testing.assert_array_equal(spins, before)


def test_gibbs_shape_dtype_and_determinism():
    a = ising_ring_gibbs(5, 1.0, n_sweeps=7, n_chains=3, rng=42)
    b = ising_ring_gibbs(5, 1.0, n_sweeps=7, n_chains=3, rng=np.random.default_rng(42))
    assert a.shape == (7, 3, 5) and a.dtype == np.int8
    np.testing.assert_array_equal(a, b)
    assert set(np.unique(a)) <= {-1, 1}


def test_gibbs_initial_state():
    # near T = 0 without a field, an aligned ring stays as it started: every spin sees L = +-2J
    both = ising_ring_gibbs(6, 1e-3, 1.0, 0.0, n_sweeps=5, n_chains=2, rng=0, initial=[[1] * 6, [-1] * 6])
    assert np.all(both[:, 0] == 1) and np.all(both[:, 1] == -1)
    same = ising_ring_gibbs(6, 1e-3, 1.0, 0.0, n_sweeps=2, n_chains=3, rng=0, initial=np.ones(6))
    assert np.all(same == 1)
    with pytest.raises(ValueError, match="initial must have shape"):
        ising_ring_gibbs(3, 1.0, n_sweeps=2, n_chains=2, initial=[1, 1])
    with pytest.raises(ValueError, match="initial must contain only"):
        ising_ring_gibbs(3, 1.0, initial=[1, 0, 1])


def test_gibbs_cold_ring_in_a_field_aligns():
    samples = ising_ring_gibbs(8, 0.05, 1.0, 0.5, n_sweeps=3, n_chains=4, rng=3)
    assert np.all(samples[-1] == 1)
    anti = ising_ring_gibbs(8, 0.05, 1.0, -0.5, n_sweeps=3, n_chains=4, rng=3)
    assert np.all(anti[-1] == -1)


def test_gibbs_single_spin_is_exact_after_one_sweep():
    T, h = 0.8, 0.3
    samples = ising_ring_gibbs(1, T, 5.0, h, n_sweeps=1, n_chains=200_000, rng=5)
    p_up = 1 / (1 + np.exp(-2 * h / T))
    assert abs(np.mean(samples == 1) - p_up) < 4 * np.sqrt(p_up * (1 - p_up) / 200_000)


@pytest.mark.parametrize("n, T, J, h", [(4, 1.0, 1.0, 0.0), (5, 0.7, -1.0, 0.2), (6, 2.0, 0.5, -0.4)])
def test_gibbs_samples_follow_the_enumerated_distribution(n, T, J, h):
    configs = ising_ring_configurations(n)
    exact = boltzmann(ising_ring_energy(configs, J, h), T)
    samples = ising_ring_gibbs(n, T, J, h, n_sweeps=400, n_chains=500, rng=11)[50:].reshape(-1, n)
    index = ((1 - samples.astype(int)) // 2) @ (2 ** np.arange(n - 1, -1, -1))
    freq = np.bincount(index, minlength=2**n) / len(index)
    # 175,000 correlated draws: every state's frequency within 0.01 of its probability
    assert np.abs(freq - exact).max() < 0.01
    assert 0.5 * np.abs(freq - exact).sum() < 0.03
