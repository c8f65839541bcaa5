"""Tests of ``softmaxlab.symbolic.ensembles``, the SymPy derivations behind ``softmaxlab.ensembles``: residuals that
simplify to 0, exact values, and numerical cross-checks against the library."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from softmaxlab import ising_ring_log_partition, ising_ring_thermodynamics
from softmaxlab import symbolic as S


@pytest.mark.parametrize("n", [1, 2, 3, 5, 8, 16])
def test_density_of_states_level_sum(n):
    out = S.ising_ring_density_of_states_sym(n)
    assert out["difference_transfer"] == 0
    assert out["difference_states"] == (0 if n <= 10 else None)
    assert sum(out["degeneracies"]) == 2**n


def test_density_of_states_numbers():
    out = S.ising_ring_density_of_states_sym(6)
    value = float(out["Z"].subs({sp.Symbol("beta", positive=True): 1 / 0.8, sp.Symbol("J", real=True): 1.0}))
    assert np.log(value) == pytest.approx(ising_ring_log_partition(6, 0.8, 1.0), rel=1e-13)


@pytest.mark.parametrize("n", [1, 2, 3, 4])
def test_conjugate_field_identities(n):
    out = S.conjugate_field_identities(n)
    assert out["mean_difference"] == out["variance_difference"] == out["susceptibility_difference"] == 0


def test_conjugate_field_numbers():
    out = S.conjugate_field_identities(4)
    beta, J, h = sp.Symbol("beta", positive=True), sp.Symbol("J", real=True), sp.Symbol("h", real=True)
    magnetisation = sp.diff(out["log_Z"], h) / beta / 4
    value = float(magnetisation.subs({beta: 1 / 1.5, J: 0.8, h: 0.3}))
    assert value == pytest.approx(ising_ring_thermodynamics(4, 1.5, 0.8, 0.3).magnetization, rel=1e-12)


def test_grand_canonical_site():
    out = S.grand_canonical_site_sym()
    for key in ("fermi_difference", "sigmoid_difference", "mean_difference", "variance_difference"):
        assert out[key] == 0
    beta, eps, mu = sp.Symbol("beta", positive=True), sp.Symbol("epsilon", real=True), sp.Symbol("mu", real=True)
    value = float(out["occupation"].subs({beta: 2.0, eps: 1.0, mu: 0.25}))
    assert value == pytest.approx(1 / (np.exp(2.0 * 0.75) + 1), rel=1e-14)


def test_exported():
    for name in ["ising_ring_density_of_states_sym", "conjugate_field_identities", "grand_canonical_site_sym"]:
        assert name in S.__all__
