"""Tests of softmaxlab.ensembles: densities of states and the partition function over energy levels."""

from __future__ import annotations

import warnings
from math import comb

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from softmaxlab import ising_ring_log_partition, log_partition
from softmaxlab.ensembles import density_of_states, log_partition_from_levels
from softmaxlab.ising import ising_ring_configurations, ising_ring_energy


@pytest.mark.parametrize("n", [1, 2, 3, 4, 7, 10])
def test_ising_ring_degeneracies(n):
    levels, g = density_of_states(ising_ring_energy(ising_ring_configurations(n), 1.0, 0.0))
    broken = np.arange(0, n + 1, 2)
    np.testing.assert_array_equal(levels, -(n - 2 * broken).astype(float))
    np.testing.assert_array_equal(g, [2 * comb(n, b) for b in broken])
    assert g.sum() == 2**n and g.dtype == np.int64


@given(st.lists(st.integers(-5, 5), min_size=1, max_size=40), st.floats(0.05, 50.0))
def test_level_sum_equals_state_sum(energies, T):
    energies = np.array(energies, dtype=float)
    levels, g = density_of_states(energies)
    assert g.sum() == energies.size
    assert np.all(np.diff(levels) > 0)
    assert log_partition_from_levels(levels, g, T) == pytest.approx(log_partition(energies, T), rel=1e-12, abs=1e-12)


def test_joint_density_of_states_gives_z_at_every_field():
    n, J = 8, 0.7
    S = ising_ring_configurations(n).astype(float)
    bonds = np.sum(S * np.roll(S, -1, axis=1), axis=1)
    M = S.sum(axis=1)
    joint, g = density_of_states(np.column_stack([bonds, M]))
    assert joint.shape[1] == 2 and g.sum() == 2**n
    for T, h in [(0.5, 0.0), (1.3, 0.4), (3.0, -1.0)]:
        got = log_partition_from_levels(-J * joint[:, 0] - h * joint[:, 1], g, T)
        assert got == pytest.approx(ising_ring_log_partition(n, T, J, h), rel=1e-12)


def test_levels_dtype_and_negative_zero():
    levels, g = density_of_states(np.array([-0.0, 0.0, 2.0], dtype=np.float32))
    assert levels.dtype == np.float32 and not np.signbit(levels[0]) and g.tolist() == [2, 1]
    assert density_of_states([3, 1, 3])[0].dtype == np.float64
    assert density_of_states(np.array([np.inf, 1.0, np.inf]))[1].tolist() == [1, 2]


def test_levels_with_zero_degeneracy_and_extremes():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert log_partition_from_levels([0.0, -np.inf], [1, 0]) == 0.0      # an empty level drops out
        assert log_partition_from_levels([0.0, np.nan], [2, 0]) == pytest.approx(np.log(2))
        assert log_partition_from_levels([0.0, -np.inf], [1, 1]) == np.inf
        assert log_partition_from_levels([np.inf, np.inf], [1, 3]) == -np.inf
        assert np.isnan(log_partition_from_levels([0.0, np.nan], [1, 1]))
        assert np.isnan(log_partition_from_levels([0.0, 1.0], [1, np.nan]))
        assert log_partition_from_levels(np.zeros(0), np.zeros(0)) == -np.inf
        assert log_partition_from_levels([0.0], [0]) == -np.inf
        # huge degeneracies and energies: nothing overflows
        assert log_partition_from_levels([1e300], [1e300], temperature=1e300) == pytest.approx(np.log(1e300) - 1)


def test_axis_keepdims_and_broadcasting():
    levels = np.array([[0.0, 1.0, 2.0], [0.0, 2.0, 4.0]])
    g = np.array([1, 2, 1])
    out = log_partition_from_levels(levels, g, 0.5)
    assert out.shape == (2,)
    np.testing.assert_allclose(out[1], log_partition([0.0, 2.0, 2.0, 4.0], 0.5), rtol=1e-13)
    np.testing.assert_allclose(log_partition_from_levels(levels.T, g[:, None], 0.5, axis=0), out, rtol=1e-14)
    assert log_partition_from_levels(levels, g, 0.5, keepdims=True).shape == (2, 1)
    assert isinstance(log_partition_from_levels(levels, g, 0.5, axis=None), np.floating)


def test_dtypes():
    assert log_partition_from_levels(np.array([0.0, 1.0], dtype=np.float32), [1, 2]).dtype == np.float64
    levels32 = np.array([0.0, 1.0], dtype=np.float32)
    assert log_partition_from_levels(levels32, np.array([1, 2], dtype=np.float32)).dtype == np.float32
    assert log_partition_from_levels(np.array([0, 1]), np.array([1, 2])).dtype == np.float64


def test_continuous_density_of_states():
    """A non-integer degeneracy: the two-level system's excited level weighted by a bin width."""
    assert log_partition_from_levels([0.0, 1.0], [1.0, 0.5], 1.0) == pytest.approx(np.log(1 + 0.5 * np.exp(-1.0)))
