"""Proofs (SymPy) of the partition-function identities of chapter 4, cross-checked against the numerics."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import sympy as sp

from softmaxlab import boltzmann, energy_variance, free_energy, ising_ring_thermodynamics, mean_energy, thermo_entropy
from softmaxlab import symbolic as S
from softmaxlab.symbolic.thermo import J, T, beta


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
def test_maximum_entropy_gives_softmax(n):
    result = S.max_entropy_lagrange(n)
    assert result["difference"] == [0] * n
    p = sp.symbols(f"p_1:{n + 1}", positive=True)
    assert sp.simplify(result["hessian"] + sp.diag(*[1 / pi for pi in p])) == sp.zeros(n, n)


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


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 6])
def test_ising_transfer_matrix_closed_form(n):
    assert S.ising_ring_transfer_sym(n)["difference"] == 0


def test_ising_enumerated_sum_by_hand():
    K, H = sp.symbols("K H", real=True)
    n = 3
    expected = sum(
        sp.exp(K * sum(s[i] * s[(i + 1) % n] for i in range(n)) + H * sum(s))
        for s in itertools.product((1, -1), repeat=n)
    )
    assert sp.simplify(S.ising_ring_enumerated_sym(3) - expected) == 0


def test_ising_transfer_eigenvalues_are_eigenvalues():
    out = S.ising_ring_transfer_sym()
    M = out["matrix"]
    for lam in (out["lambda_plus"], out["lambda_minus"]):
        char = (M - lam * sp.eye(2)).det()
        assert sp.simplify(sp.expand(char.rewrite(sp.exp))) == 0


def test_ising_heat_capacity_closed_forms_match_library():
    out = S.ising_chain_heat_capacity_sym()
    assert out["c_infinity - K^2 sech^2 K"] == 0
    N = sp.Symbol("N", positive=True, integer=True)
    temps = np.array([0.4, 1.0, 3.0])
    for n in (4, 9):
        c_n = sp.lambdify(beta, out["c_N"].subs({N: n, J: 1}), "numpy")
        np.testing.assert_allclose(c_n(1 / temps), ising_ring_thermodynamics(n, temps, method="enumerate").heat_capacity, rtol=1e-10)


@pytest.mark.parametrize("n", [2, 3])
def test_distillation_gradient(n):
    assert S.distillation_gradient_identity(n) == [0] * n


def test_distillation_high_temperature_limit():
    out = S.distillation_high_temperature_gradient(2)
    assert out["difference"] == [0, 0]
    # numerically: T (q - p) approaches the centred-difference limit like 1/T
    s, t = np.array([1.0, -0.5, 2.0]), np.array([0.2, 0.0, -1.0])
    limit = ((s - s.mean()) - (t - t.mean())) / 3
    errors = [np.abs(Tk * (boltzmann(-s, Tk) - boltzmann(-t, Tk)) - limit).max() for Tk in (10.0, 100.0, 1000.0)]
    assert errors[0] > errors[1] > errors[2] and errors[2] < 1e-3


def test_energies_validates_n():
    with pytest.raises(ValueError, match="n"):
        S.energies(0)
    with pytest.raises(ValueError, match="n"):
        S.ising_ring_enumerated_sym(0)
