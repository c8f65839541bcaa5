"""Proofs (SymPy) of the probabilistic readings of softmax (chapter 4's sections), cross-checked against numbers."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from softmaxlab import softmax
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
    values.update({sp.Symbol("J", real=True): 0.7, sp.Symbol("h", real=True): -0.3, sp.Symbol("beta", positive=True): 1 / 1.3})
    assert float(out["conditional"].subs(values)) == pytest.approx(ising_spin_conditional(spins, 0, 1.3, 0.7, -0.3), rel=1e-13)


@pytest.mark.parametrize("sizes", [(1, 2, 1), (2, 3, 2), (1, 4, 3)])
def test_conditional_maxent_gives_softmax_of_linear_scores(sizes):
    out = S.conditional_maxent_lagrange(*sizes)
    n_inputs, n_classes, _ = sizes
    assert out["difference"] == [[0] * n_classes for _ in range(n_inputs)]
    for x, row in enumerate(out["hessian_diagonal"]):
        q = sp.Symbol(f"q_{x + 1}", positive=True)
        for y, entry in enumerate(row):
            assert sp.simplify(entry + q / sp.Symbol(f"p_{y + 1}|{x + 1}", positive=True)) == 0


@pytest.mark.parametrize("sizes", [(2, 1), (3, 2), (4, 3)])
def test_shift_invariance_of_softmax_regression(sizes):
    out = S.softmax_regression_shift_identity(*sizes)
    assert out["difference"] == [0] * sizes[0]
    assert out["gradient_sum"] == [[0] * sizes[1]] * sizes[0]


@pytest.mark.parametrize("sizes", [(2, 1), (3, 1), (2, 2), (3, 2)])
def test_lda_posterior_is_softmax_of_linear_scores(sizes):
    out = S.lda_posterior_sym(*sizes)
    assert out["differences"] == [0] * sizes[0]
    x = sp.symbols(f"x_1:{sizes[1] + 1}", real=True)
    # the remainder is the same for every class and quadratic in x
    assert not any(sym.name.startswith(("mu", "pi")) for sym in out["remainder"].free_symbols)
    assert sp.Poly(sp.expand(out["remainder"]), *x).total_degree() == 2


def test_lda_weights_match_numbers():
    out = S.lda_posterior_sym(2, 2)
    Sigma = np.array([[2.0, 0.3], [0.3, 0.5]])
    mu = np.array([[1.0, -0.5], [0.2, 0.7]])
    values = {sp.Symbol("Sigma_11", real=True): 2.0, sp.Symbol("Sigma_12", real=True): 0.3, sp.Symbol("Sigma_22", real=True): 0.5}
    for k in range(2):
        values.update({sp.Symbol(f"mu_{k + 1}_{j + 1}", real=True): mu[k, j] for j in range(2)})
    for k in range(2):
        w = np.array(out["weights"][k].subs(values), dtype=float).ravel()
        np.testing.assert_allclose(w, np.linalg.solve(Sigma, mu[k]), rtol=1e-13)


@pytest.mark.parametrize("sizes", [(2, 1), (2, 2), (3, 2)])
def test_naive_bayes_posterior(sizes):
    out = S.naive_bayes_posterior_sym(*sizes)
    zeros = [[0] * sizes[0]] * 2 ** sizes[1]
    assert out["bayes_difference"] == zeros
    assert out["linear_difference"] == zeros


def test_naive_bayes_weights_match_numbers():
    out = S.naive_bayes_posterior_sym(2, 2)
    theta = np.array([[0.2, 0.9], [0.6, 0.3]])
    prior = np.array([0.3, 0.7])
    values = {sp.Symbol(f"theta_{k + 1}{j + 1}", positive=True): theta[k, j] for k in range(2) for j in range(2)}
    values.update({sp.Symbol(f"pi_{k + 1}", positive=True): prior[k] for k in range(2)})
    W = np.array([[float(w.subs(values)) for w in row] for row in out["weights"]])
    b = np.array([float(bk.subs(values)) for bk in out["biases"]])
    x = np.array([1.0, 0.0])
    joint = prior * np.prod(np.where(x == 1, theta, 1 - theta), axis=1)
    np.testing.assert_allclose(softmax(W @ x + b), joint / joint.sum(), rtol=1e-13)


@pytest.mark.parametrize("n_classes", [2, 3, 5])
def test_multinomial_canonical_link(n_classes):
    out = S.multinomial_canonical_link_sym(n_classes)
    assert out["inverse_link_difference"] == [0] * n_classes
    assert out["mean_difference"] == [0] * (n_classes - 1)
    assert out["density_difference"] == [0] * n_classes


def test_exported_from_symbolic():
    for name in ["ising_spin_conditional_sym", "conditional_maxent_lagrange", "softmax_regression_shift_identity",
                 "lda_posterior_sym", "naive_bayes_posterior_sym", "multinomial_canonical_link_sym"]:
        assert name in S.__all__ and callable(getattr(S, name))
