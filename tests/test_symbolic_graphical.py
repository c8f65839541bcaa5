"""Tests of ``softmaxlab.symbolic.graphical``, the SymPy derivations behind ``softmaxlab.graphical``: residuals that
simplify to 0, exact values, and numerical cross-checks against the library."""

from __future__ import annotations

import pytest
import sympy as sp

from softmaxlab import symbolic as S
from softmaxlab.graphical import ising_spin_conditional


@pytest.mark.parametrize("n", [3, 4, 7])
def test_spin_conditional_is_a_two_class_softmax(n):
    out = S.ising_spin_conditional_sym(n)
    assert out["difference"] == [0, 0]
    s = sp.symbols(f"s_1:{n + 1}", real=True)
    assert out["local_field"].free_symbols == {s[1], s[-1], sp.Symbol("J", real=True), sp.Symbol("h", real=True)}


def test_spin_conditional_expression_matches_the_library():
    out = S.ising_spin_conditional_sym(4)
    spins = [1, -1, 1, 1]
    values = {sp.Symbol(f"s_{i + 1}", real=True): v for i, v in enumerate(spins)}
    values.update({sp.Symbol("J", real=True): 0.7, sp.Symbol("h", real=True): -0.3,
                   sp.Symbol("beta", positive=True): 1 / 1.3})
    expected = ising_spin_conditional(spins, 0, 1.3, 0.7, -0.3)
    assert float(out["conditional"].subs(values)) == pytest.approx(expected, rel=1e-13)


def test_exported_from_symbolic():
    for name in ["ising_spin_conditional_sym", "conditional_maxent_lagrange", "softmax_regression_shift_identity",
                 "lda_posterior_sym", "naive_bayes_posterior_sym", "multinomial_canonical_link_sym"]:
        assert name in S.__all__ and callable(getattr(S, name))
