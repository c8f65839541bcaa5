"""Tests of softmaxlab.ising: the periodic Ising ring by enumeration and by the transfer matrix."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from softmaxlab import (
    free_energy,
    heat_capacity,
    ising_ring_log_partition,
    ising_ring_thermodynamics,
    log_partition,
    mean_energy,
)
from softmaxlab.ising import MAX_ENUMERATED_SPINS, ising_ring_configurations, ising_ring_energy


def test_configurations():
    c = ising_ring_configurations(3)
    assert c.shape == (8, 3) and c.dtype == np.int8
    assert len({tuple(row) for row in c}) == 8
    assert set(np.unique(c)) == {-1, 1}
    np.testing.assert_array_equal(c[0], [1, 1, 1])
    np.testing.assert_array_equal(c[-1], [-1, -1, -1])


def test_energy_values():
    assert ising_ring_energy([1, 1, 1], coupling=2.0) == -6.0
    assert ising_ring_energy([1, -1, 1, -1], coupling=1.0) == 4.0
    assert ising_ring_energy([1, -1, -1], coupling=1.0, field=0.5) == pytest.approx(1.0 + 0.5)
    np.testing.assert_array_equal(ising_ring_energy([[1, 1], [1, -1]]), [-2.0, 2.0])
    assert ising_ring_energy([1]) == -1.0  # a ring of one spin is bonded to itself


def test_energy_by_brute_force_loop():
    rng = np.random.default_rng(1)
    for _ in range(20):
        n = int(rng.integers(1, 9))
        s = rng.choice([-1, 1], size=n)
        J, h = rng.normal(size=2)
        expected = -J * sum(s[i] * s[(i + 1) % n] for i in range(n)) - h * s.sum()
        assert ising_ring_energy(s, J, h) == pytest.approx(expected, abs=1e-12)


def test_enumeration_is_thermo_over_all_states():
    n, T, J, h = 6, 1.7, 0.8, 0.3
    E = ising_ring_energy(ising_ring_configurations(n), J, h)
    assert ising_ring_log_partition(n, T, J, h, method="enumerate") == pytest.approx(log_partition(E, T), rel=1e-14)
    th = ising_ring_thermodynamics(n, T, J, h, method="enumerate")
    assert th.free_energy == pytest.approx(free_energy(E, T) / n, rel=1e-14)
    assert th.energy == pytest.approx(mean_energy(E, T) / n, rel=1e-13)
    assert th.heat_capacity == pytest.approx(heat_capacity(E, T) / n, rel=1e-12)


@settings(max_examples=60)
@given(
    st.integers(1, 11),
    st.floats(0.05, 20.0),
    st.floats(-2.0, 2.0),
    st.floats(-1.5, 1.5),
)
def test_transfer_matrix_matches_enumeration(n, T, J, h):
    exact = ising_ring_thermodynamics(n, T, J, h, method="enumerate")
    closed = ising_ring_thermodynamics(n, T, J, h, method="transfer")
    scale = abs(J) + abs(h) + 1
    assert ising_ring_log_partition(n, T, J, h) == pytest.approx(
        ising_ring_log_partition(n, T, J, h, method="enumerate"), rel=1e-12
    )
    assert closed.free_energy == pytest.approx(exact.free_energy, rel=1e-12, abs=1e-12)
    assert closed.energy == pytest.approx(exact.energy, abs=1e-11 * scale)
    assert closed.magnetization == pytest.approx(exact.magnetization, abs=1e-11)
    if math.isnan(closed.heat_capacity):  # only where both transfer formulas cancel: frustrated rings
        assert J < 0 and n % 2 == 1
    else:
        assert closed.heat_capacity == pytest.approx(exact.heat_capacity, rel=2e-6, abs=1e-300)


def test_zero_field_closed_form():
    T = np.array([0.3, 1.0, 2.5])
    for n in (2, 5, 12):
        K = 1.3 / T
        expected = np.log((2 * np.cosh(K)) ** n + (2 * np.sinh(K)) ** n)
        np.testing.assert_allclose(ising_ring_log_partition(n, T, 1.3), expected, rtol=1e-14)


def test_frustrated_odd_ring_stays_accurate():
    """J < 0 and n odd: Z is a difference of two nearly equal powers; the closed form must not cancel.
    The heat capacity, far below its scale (J/T)^2 at low T, is either accurate or nan."""
    T = np.array([0.02, 0.05, 0.2])
    exact = ising_ring_log_partition(7, T, -1.0, method="enumerate")
    np.testing.assert_allclose(ising_ring_log_partition(7, T, -1.0), exact, rtol=1e-13)
    a = ising_ring_thermodynamics(7, T, -1.0, method="enumerate")
    b = ising_ring_thermodynamics(7, T, -1.0)
    for name in ("free_energy", "energy", "magnetization"):
        np.testing.assert_allclose(getattr(b, name), getattr(a, name), rtol=1e-12, atol=1e-300)
    computed = ~np.isnan(b.heat_capacity)
    assert computed[-1]  # at T = 0.2 |J| the heat capacity is 6e-7 of its scale: still computed
    np.testing.assert_allclose(b.heat_capacity[computed], a.heat_capacity[computed], rtol=1e-6)


def test_frustrated_ring_far_below_the_coupling():
    """Z = 6 e^(1/T) (+ 2 e^(-3/T)) for the 3-ring at J = -1: 1 - |r|^n underflows, log Z does not."""
    assert ising_ring_log_partition(3, 0.001, -1.0) == 1000 + np.log(6)
    assert ising_ring_log_partition(3, 0.001, -1.0, method="enumerate") == pytest.approx(1000 + np.log(6), rel=1e-15)
    frozen = ising_ring_thermodynamics(3, 0.001, -1.0, 0.01)   # the 6 ground states have net spin +-1:
    tanh = np.tanh(0.01 / 0.001)                               # <S> = tanh(h / T), <E> = -1 - h <S>
    assert frozen.magnetization == pytest.approx(tanh / 3, rel=1e-12)
    assert frozen.energy == pytest.approx((-1.0 - 0.01 * tanh) / 3, rel=1e-12)
    exact = ising_ring_thermodynamics(3, 0.001, -1.0, 0.01, method="enumerate")
    for x, y in zip(frozen, exact):
        assert x == pytest.approx(y, rel=1e-12) or np.isnan(x)


def test_thermodynamic_limit():
    T = np.linspace(0.2, 5, 30)
    K = 1 / T
    inf = ising_ring_thermodynamics(math.inf, T)
    np.testing.assert_allclose(inf.heat_capacity, K**2 / np.cosh(K) ** 2, rtol=1e-11)
    np.testing.assert_allclose(inf.energy, -np.tanh(K), rtol=1e-13)
    np.testing.assert_allclose(inf.free_energy, -T * np.log(2 * np.cosh(K)), rtol=1e-14)
    h = 0.2
    field = ising_ring_thermodynamics(math.inf, T, 1.0, h)
    expected_m = np.sinh(h / T) / np.sqrt(np.sinh(h / T) ** 2 + np.exp(-4 / T))
    np.testing.assert_allclose(field.magnetization, expected_m, rtol=1e-12)
    big = ising_ring_thermodynamics(2000, T, 1.0, h)
    for x, y in zip(big, field):
        np.testing.assert_allclose(x, y, rtol=1e-8, atol=1e-10)


def test_generating_function_identities_on_the_ring():
    """-d log Z/d beta = <E> and (T/n) d log Z/d h = m, by differences of the closed form."""
    n, T, J, h = 9, 1.4, 1.0, 0.25
    th = ising_ring_thermodynamics(n, T, J, h)
    d = 1e-5
    beta = 1 / T
    log_z_above = ising_ring_log_partition(n, 1 / (beta + d), J, h)
    log_z_below = ising_ring_log_partition(n, 1 / (beta - d), J, h)
    dlogz_dbeta = (log_z_above - log_z_below) / (2 * d)
    assert -dlogz_dbeta / n == pytest.approx(th.energy, abs=1e-8)
    dlogz_dh = (ising_ring_log_partition(n, T, J, h + d) - ising_ring_log_partition(n, T, J, h - d)) / (2 * d)
    assert T * dlogz_dh / n == pytest.approx(th.magnetization, abs=1e-8)


def test_symmetries():
    T = np.array([0.5, 2.0])
    a = ising_ring_thermodynamics(6, T, 1.0, 0.4)
    b = ising_ring_thermodynamics(6, T, 1.0, -0.4)
    np.testing.assert_allclose(a.magnetization, -b.magnetization, rtol=1e-13)
    np.testing.assert_allclose(a.free_energy, b.free_energy, rtol=1e-14)
    zero = ising_ring_thermodynamics(6, T, 1.0, 0.0, method="enumerate")
    np.testing.assert_allclose(zero.magnetization, 0.0, atol=1e-15)
    # even rings: the sublattice flip maps J to -J at zero field
    np.testing.assert_allclose(
        ising_ring_log_partition(8, T, 1.0), ising_ring_log_partition(8, T, -1.0), rtol=1e-14
    )


def test_scalar_and_array_temperatures():
    assert isinstance(ising_ring_log_partition(4, 1.0), np.float64)
    th = ising_ring_thermodynamics(4, 1.0)
    assert all(isinstance(x, np.float64) for x in th)
    assert ising_ring_log_partition(4, np.float32(1.0)).dtype == np.float32
    assert ising_ring_log_partition(4, [[1.0, 2.0]]).shape == (1, 2)


def test_bad_input_is_named():
    with pytest.raises(ValueError, match="n must be an integer between 1 and"):
        ising_ring_log_partition(0, 1.0)
    with pytest.raises(TypeError, match="n must be an integer"):
        ising_ring_log_partition(2.5, 1.0)
    with pytest.raises(TypeError, match="n must be an integer"):
        ising_ring_log_partition(math.inf, 1.0)
    with pytest.raises(ValueError, match="n must be an integer between 1 and 20"):
        ising_ring_configurations(MAX_ENUMERATED_SPINS + 1)
    with pytest.raises(ValueError, match="temperature"):
        ising_ring_thermodynamics(4, [1.0, 0.0])
    with pytest.raises(ValueError, match="temperature"):
        ising_ring_log_partition(4, -1.0)
    with pytest.raises(ValueError, match="method"):
        ising_ring_log_partition(4, 1.0, method="monte carlo")
    with pytest.raises(ValueError, match="n must be finite"):
        ising_ring_thermodynamics(math.inf, 1.0, method="enumerate")
    with pytest.raises(ValueError, match="coupling"):
        ising_ring_log_partition(4, 1.0, coupling=np.inf)
    with pytest.raises(TypeError, match="field"):
        ising_ring_log_partition(4, 1.0, field="strong")
    with pytest.raises(ValueError, match="spins"):
        ising_ring_energy([1, 0, 1])


def test_chain_far_below_its_coupling_in_a_field():
    """The chain's heat capacity at T << J comes from eigenvector components of order e^(-2J/T): written
    down, not taken from an eigensolver (whose small components are accurate only to 1e-16 absolutely)."""
    T, J, h = 0.09, 6.2, -0.7
    chain = ising_ring_thermodynamics(math.inf, T, J, h).heat_capacity
    ring = ising_ring_thermodynamics(15, T, J, h, method="enumerate").heat_capacity
    assert chain == pytest.approx(ring, rel=1e-9)
