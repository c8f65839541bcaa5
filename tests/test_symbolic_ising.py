"""Tests of ``softmaxlab.symbolic.ising``, the SymPy derivations behind ``softmaxlab.ising``: residuals that
simplify to 0, exact values, and numerical cross-checks against the library."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import sympy as sp

from softmaxlab import ising_ring_thermodynamics
from softmaxlab import symbolic as S
from softmaxlab.symbolic.thermo import J, beta


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
        np.testing.assert_allclose(
            c_n(1 / temps), ising_ring_thermodynamics(n, temps, method="enumerate").heat_capacity, rtol=1e-10
        )
