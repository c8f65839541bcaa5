"""Tests of ``softmaxlab.symbolic.generative``, the SymPy derivations behind ``softmaxlab.generative``: residuals that
simplify to 0, exact values, and numerical cross-checks against the library."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from softmaxlab import softmax
from softmaxlab import symbolic as S


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
    values = {
        sp.Symbol("Sigma_11", real=True): 2.0, sp.Symbol("Sigma_12", real=True): 0.3,
        sp.Symbol("Sigma_22", real=True): 0.5,
    }
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
