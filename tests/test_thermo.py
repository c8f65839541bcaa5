"""Tests of softmaxlab.thermo: the Boltzmann distribution and the quantities read off log Z."""

from __future__ import annotations

import mpmath as mp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from softmaxlab import (
    boltzmann,
    energy_variance,
    entropy,
    free_energy,
    heat_capacity,
    kl_divergence,
    log_partition,
    logsumexp,
    mean_energy,
    softmax,
    thermo_entropy,
    variational_free_energy,
)
from strategies import vectors

energy_vectors = vectors(-50, 50, max_size=8)
temperatures = st.floats(0.05, 50.0)


def reference(energies, temperature, digits=50):
    """log Z, <E>, Var E and S of a finite system, in mpmath at ``digits`` digits."""
    with mp.workdps(digits):
        beta = 1 / mp.mpf(temperature)
        weights = [mp.exp(-beta * mp.mpf(e)) for e in energies]
        z = mp.fsum(weights)
        p = [w / z for w in weights]
        mean = mp.fsum(pi * mp.mpf(e) for pi, e in zip(p, energies))
        var = mp.fsum(pi * (mp.mpf(e) - mean) ** 2 for pi, e in zip(p, energies))
        s = -mp.fsum(pi * mp.log(pi) for pi in p if pi > 0)
        return float(mp.log(z)), float(mean), float(var), float(s)


# --------------------------------------------------------------------------- definitions


def test_boltzmann_is_softmax_of_negative_energy():
    E = np.array([0.3, -1.0, 2.0, 0.0])
    for T in (0.1, 1.0, 7.0):
        np.testing.assert_allclose(boltzmann(E, T), softmax(-E / T), rtol=1e-14)
    np.testing.assert_allclose(boltzmann(E, 2.0), np.exp(-E / 2) / np.exp(-E / 2).sum(), rtol=1e-14)


def test_known_values_two_level_system():
    eps, T = 1.5, 0.8
    x = eps / T
    assert log_partition([0.0, eps], T) == pytest.approx(np.log1p(np.exp(-x)), rel=1e-15)
    assert free_energy([0.0, eps], T) == pytest.approx(-T * np.log1p(np.exp(-x)), rel=1e-15)
    assert mean_energy([0.0, eps], T) == pytest.approx(eps / (np.exp(x) + 1), rel=1e-14)
    assert heat_capacity([0.0, eps], T) == pytest.approx(x**2 * np.exp(x) / (np.exp(x) + 1) ** 2, rel=1e-13)


@settings(max_examples=150)
@given(energy_vectors, temperatures)
def test_against_mpmath_reference(E, T):
    log_z, mean, var, s = reference(E, T)
    assert log_partition(E, T) == pytest.approx(log_z, rel=1e-13, abs=1e-13)
    assert mean_energy(E, T) == pytest.approx(mean, rel=1e-12, abs=1e-12 * (1 + np.abs(E).max()))
    scale = 1 + np.abs(E).max() ** 2
    assert energy_variance(E, T) == pytest.approx(var, rel=1e-9, abs=1e-12 * scale)
    assert thermo_entropy(E, T) == pytest.approx(s, rel=1e-10, abs=1e-13)


# --------------------------------------------------------------------------- identities (numerical side)


@settings(max_examples=100)
@given(vectors(-5, 5, min_size=2, max_size=6), st.floats(0.3, 5.0))
def test_log_z_derivatives_are_mean_and_variance(E, T):
    """-d log Z / d beta = <E> and d^2 log Z / d beta^2 = Var(E), by central differences in beta."""
    beta, h = 1 / T, 1e-4

    def log_z(b):
        return log_partition(E, 1 / b)

    first = (log_z(beta + h) - log_z(beta - h)) / (2 * h)
    second = (log_z(beta + h) - 2 * log_z(beta) + log_z(beta - h)) / h**2
    assert -first == pytest.approx(mean_energy(E, T), abs=1e-6)
    assert second == pytest.approx(energy_variance(E, T), abs=2e-4)


@settings(max_examples=100)
@given(vectors(-5, 5, max_size=6), st.floats(0.3, 5.0))
def test_free_energy_entropy_relations(E, T):
    F, U, S = free_energy(E, T), mean_energy(E, T), thermo_entropy(E, T)
    assert S == pytest.approx((U - F) / T, abs=1e-10)
    h = 1e-5
    dF_dT = (free_energy(E, T + h) - free_energy(E, T - h)) / (2 * h)
    assert dF_dT == pytest.approx(-S, abs=1e-7)
    assert S == pytest.approx(entropy(boltzmann(E, T)), abs=1e-12)


@settings(max_examples=100)
@given(energy_vectors, temperatures)
def test_bounds(E, T):
    n = len(E)
    F = free_energy(E, T)
    assert E.min() - T * np.log(n) - 1e-9 <= F <= E.min() + 1e-9
    assert -1e-12 <= thermo_entropy(E, T) <= np.log(n) + 1e-12
    assert E.min() - 1e-9 <= mean_energy(E, T) <= E.mean() + 1e-9 * (1 + np.abs(E).max())
    assert energy_variance(E, T) >= 0


@settings(max_examples=100)
@given(energy_vectors, temperatures, st.floats(-100, 100))
def test_shifting_energies(E, T, c):
    """Adding c to every energy multiplies Z by exp(-c/T) and leaves probabilities and spread alone."""
    np.testing.assert_allclose(boltzmann(E + c, T), boltzmann(E, T), rtol=1e-9, atol=1e-300)
    assert log_partition(E + c, T) == pytest.approx(log_partition(E, T) - c / T, rel=1e-10, abs=1e-8)
    assert mean_energy(E + c, T) == pytest.approx(mean_energy(E, T) + c, rel=1e-9, abs=1e-8)
    assert energy_variance(E + c, T) == pytest.approx(energy_variance(E, T), rel=1e-6, abs=1e-8)


def test_temperature_limits():
    E = np.array([2.0, 0.5, 0.5, 3.0])
    cold = 1e-3
    np.testing.assert_allclose(boltzmann(E, cold), [0, 0.5, 0.5, 0], atol=1e-300)
    assert free_energy(E, cold) == pytest.approx(0.5 - cold * np.log(2), rel=1e-12)
    assert thermo_entropy(E, cold) == pytest.approx(np.log(2), rel=1e-12)  # two ground states
    assert heat_capacity(E, cold) == 0.0
    hot = 1e8
    np.testing.assert_allclose(boltzmann(E, hot), 0.25, rtol=1e-7)
    assert mean_energy(E, hot) == pytest.approx(E.mean(), rel=1e-7)
    assert thermo_entropy(E, hot) == pytest.approx(np.log(4), rel=1e-12)


def test_entropy_keeps_accuracy_where_the_difference_formula_cancels():
    E = np.array([1000.0, 1050.0])
    S = thermo_entropy(E)
    assert S == pytest.approx(reference([0.0, 50.0], 1.0)[3], rel=1e-13)
    assert (mean_energy(E) - free_energy(E)) == 0.0  # the naive route loses it entirely


def test_huge_energies_do_not_overflow():
    E = np.array([5000.0, 5001.0, 5003.0])
    assert log_partition(E, 0.5) == pytest.approx(-10000 + np.log1p(np.exp(-2) + np.exp(-6)), rel=1e-15)
    assert np.isfinite(mean_energy(E, 0.5)) and np.isfinite(heat_capacity(E, 0.5))


# --------------------------------------------------------------------------- shapes, axes, special values


def test_batches_and_axes():
    rng = np.random.default_rng(0)
    E = rng.normal(size=(3, 5))
    for f in (log_partition, free_energy, mean_energy, energy_variance, heat_capacity, thermo_entropy):
        rows = f(E, 1.3, axis=1)
        assert rows.shape == (3,)
        np.testing.assert_allclose(rows, [f(e, 1.3) for e in E], rtol=1e-14)
        np.testing.assert_allclose(f(E, 1.3, axis=0), [f(e, 1.3) for e in E.T], rtol=1e-14)
        assert f(E, 1.3, axis=1, keepdims=True).shape == (3, 1)
        assert np.ndim(f(E, 1.3, axis=None)) == 0
    np.testing.assert_allclose(boltzmann(E, 2.0, axis=0).sum(axis=0), 1.0)
    assert boltzmann(E, axis=None).shape == E.shape


def test_integer_and_unsigned_energies():
    np.testing.assert_allclose(boltzmann(np.array([0, 1, 2], dtype=np.uint8)), boltzmann([0.0, 1.0, 2.0]))
    assert boltzmann(np.array([0, 1], dtype=np.uint8)).dtype == np.float64
    assert boltzmann(np.array([0, 1], dtype=np.float32)).dtype == np.float32


def test_forbidden_states():
    E = np.array([0.0, 1.0, np.inf])
    np.testing.assert_allclose(boltzmann(E), [*softmax([0.0, -1.0]), 0.0])
    assert mean_energy(E) == pytest.approx(mean_energy(E[:2]))
    assert energy_variance(E) == pytest.approx(energy_variance(E[:2]))
    assert thermo_entropy(E) == pytest.approx(thermo_entropy(E[:2]))
    assert log_partition(E) == pytest.approx(log_partition(E[:2]))


def test_nan_propagates_to_its_slice_only():
    E = np.array([[0.0, np.nan], [0.0, 1.0]])
    for f in (log_partition, mean_energy, energy_variance, thermo_entropy):
        out = f(E)
        assert np.isnan(out[0]) and np.isfinite(out[1])


def test_free_energy_is_negative_logsumexp():
    z = np.array([1.0, -2.0, 0.5])
    assert free_energy(-z, 0.7) == pytest.approx(-logsumexp(z, temperature=0.7), rel=1e-15)


# --------------------------------------------------------------------------- Gibbs' variational principle


@settings(max_examples=100)
@given(
    st.integers(2, 6).flatmap(
        lambda k: st.tuples(
            arrays(np.float64, k, elements=st.floats(-5, 5)),
            arrays(np.float64, k, elements=st.floats(0, 1)).filter(lambda w: w.sum() > 1e-3),
        )
    ),
    st.floats(0.2, 5.0),
)
def test_gibbs_variational_principle(energies_and_weights, T):
    E, w = energies_and_weights
    p = w / w.sum()
    G, F = variational_free_energy(p, E, T), free_energy(E, T)
    gap = T * kl_divergence(p, boltzmann(E, T))
    assert G - F == pytest.approx(gap, abs=1e-9)
    assert G >= F - 1e-12
    assert variational_free_energy(boltzmann(E, T), E, T) == pytest.approx(F, abs=1e-12)


def test_variational_free_energy_batches():
    E = np.array([[0.0, 1.0], [2.0, 0.0]])
    p = boltzmann(E, 0.5, axis=1)
    np.testing.assert_allclose(variational_free_energy(p, E, 0.5, axis=1), free_energy(E, 0.5, axis=1), rtol=1e-13)


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "f", [boltzmann, log_partition, free_energy, mean_energy, energy_variance, heat_capacity, thermo_entropy]
)
def test_bad_temperature_is_named(f):
    for bad in (0.0, -1.0, np.inf, np.nan):
        with pytest.raises(ValueError, match="temperature"):
            f([0.0, 1.0], bad)
    with pytest.raises(TypeError, match="temperature"):
        f([0.0, 1.0], "hot")


@pytest.mark.parametrize("f", [boltzmann, log_partition, mean_energy, thermo_entropy])
def test_bad_energies_are_named(f):
    with pytest.raises(TypeError, match="energies"):
        f([1 + 2j, 0.0])
    with pytest.raises(TypeError, match="energies"):
        f(["a", "b"])
    with pytest.raises(np.exceptions.AxisError, match="axis"):
        f([0.0, 1.0], 1.0, 3)


def test_variational_free_energy_rejects_non_distributions():
    E = [0.0, 1.0, 2.0]
    with pytest.raises(ValueError, match="p must sum to 1"):
        variational_free_energy([0.5, 0.6, 0.0], E)
    with pytest.raises(ValueError, match="p must be non-negative"):
        variational_free_energy([1.2, -0.2, 0.0], E)
    with pytest.raises(ValueError, match="temperature"):
        variational_free_energy([1.0, 0.0, 0.0], E, 0.0)
    with pytest.raises(ValueError, match="broadcast"):
        variational_free_energy([0.5, 0.5], E)
