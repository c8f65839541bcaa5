"""Tests of ``softmaxlab.symbolic.thermo``, the SymPy derivations behind ``softmaxlab.thermo``: residuals that
simplify to 0, exact values, and numerical cross-checks against the library."""

from __future__ import annotations

import pytest
import sympy as sp

from softmaxlab import energy_variance, free_energy, mean_energy, thermo_entropy
from softmaxlab import symbolic as S
from softmaxlab.symbolic.thermo import T, beta


@pytest.mark.parametrize("n", [1, 2, 3])
def test_generating_function_identities(n):
    assert S.mean_energy_identity(n) == 0
    assert S.energy_variance_identity(n) == 0


@pytest.mark.parametrize("n", [2, 3])
def test_free_energy_and_entropy(n):
    ids = S.free_energy_identities(n)
    assert ids["S = (U - F)/T"] == 0
    assert ids["dF/dT = -S"] == 0


def test_free_energy_expressions_match_numerics():
    ids = S.free_energy_identities(3)
    E = [0.3, -1.1, 2.0]
    values = {sp.Symbol(f"E_{i + 1}", real=True): e for i, e in enumerate(E)}
    values[T] = 0.7
    assert float(ids["F"].subs(values)) == pytest.approx(free_energy(E, 0.7), rel=1e-13)
    assert float(ids["U"].subs(values)) == pytest.approx(mean_energy(E, 0.7), rel=1e-13)
    assert float(ids["S"].subs(values)) == pytest.approx(thermo_entropy(E, 0.7), rel=1e-13)


@pytest.mark.parametrize("n", [2, 3, 4])
def test_base_b_is_a_choice_of_beta(n):
    assert S.base_b_softmax_identity(n) == [0] * n


@pytest.mark.parametrize("n", [2, 3, 4])
def test_exponential_family(n):
    out = S.log_normalizer_derivatives(n)
    assert out["gradient - softmax"] == [0] * n
    assert out["hessian - covariance"].is_zero_matrix


@pytest.mark.parametrize("n", [2, 3, 4])
def test_variational_identity(n):
    assert S.variational_gap_identity(n) == 0


def test_two_level_system():
    sys2 = S.two_level_system_sym()
    eps = sys2["epsilon"]
    x = beta * eps
    assert sp.simplify((sys2["C"] - x**2 * sp.exp(x) / (1 + sp.exp(x)) ** 2).rewrite(sp.exp)) == 0
    assert sp.simplify(sys2["U"] - eps * sp.exp(-x) / (1 + sp.exp(-x))) == 0
    # numbers agree with softmaxlab.thermo
    values = {beta: 1 / 0.6, eps: 1.0}
    assert float(sys2["U"].subs(values)) == pytest.approx(mean_energy([0.0, 1.0], 0.6), rel=1e-13)
    assert float(sys2["C"].subs(values)) == pytest.approx(energy_variance([0.0, 1.0], 0.6) / 0.6**2, rel=1e-12)
    assert float(sys2["S"].subs(values)) == pytest.approx(thermo_entropy([0.0, 1.0], 0.6), rel=1e-13)


def test_energies_validates_n():
    with pytest.raises(ValueError, match="n"):
        S.energies(0)
    with pytest.raises(ValueError, match="n"):
        S.ising_ring_enumerated_sym(0)
