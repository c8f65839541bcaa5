"""Proofs of the SymPy derivations behind the exercise solutions (softmaxlab.symbolic.exercises).

Each derivation is run for several sizes; the residuals must simplify to 0 and
the exact values must be what the solutions state. A numerical spot check ties
each symbolic statement to the numbers the library computes.
"""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from softmaxlab import log_softmax, logsumexp, softmax
from softmaxlab.symbolic import (
    argmax_limit_sym,
    cross_entropy_chain_rule_residual,
    dependence_pattern_sym,
    log_softmax_log1p_residual,
    log_softmax_shift_residual,
    logits,
    monotonicity_residual,
    sigmoid_layer_jacobian_sym,
    sigmoid_layer_sum_facts,
    sigmoid_layer_sum_sym,
    sigmoid_pair_sum_residual,
    softmax_jacobian_signed_form,
    softmax_jacobian_sym,
    softmax_log_offset_sym,
    softmax_of_log_residual,
)


def test_two_sigmoid_outputs_at_t_and_minus_t_sum_to_one():
    assert sigmoid_pair_sum_residual() == 0


@pytest.mark.parametrize("n", [2, 3, 5])
def test_sigmoid_layer_sum_ranges_over_zero_to_n(n):
    facts = sigmoid_layer_sum_facts(n)
    assert facts["at z = 0"] == sp.Rational(n, 2)
    assert facts["all z_j -> -oo"] == 0 and facts["all z_j -> +oo"] == n
    assert facts["dS/dz_j - sigmoid'(z_j)"] == 0


def test_sigmoid_layer_sum_matches_numbers():
    z = logits(3)
    value = sigmoid_layer_sum_sym(3).subs(dict(zip(z, [1, -2, 0.5])))
    assert float(value) == pytest.approx(float(np.sum(1 / (1 + np.exp(-np.array([1, -2, 0.5]))))), rel=1e-14)


@pytest.mark.parametrize("n", [2, 3, 4])
def test_softmax_jacobian_has_the_signed_form(n):
    assert monotonicity_residual(n) == sp.zeros(n, n)


def test_signed_form_entries_have_the_claimed_signs():
    J = softmax_jacobian_signed_form(3)
    for j in range(3):
        for k in range(3):
            assert (J[j, k].is_positive if j == k else J[j, k].is_negative), (j, k, J[j, k])


@pytest.mark.parametrize("n", [2, 3, 4])
def test_dependence_patterns_softmax_full_sigmoid_diagonal(n):
    assert dependence_pattern_sym(softmax_jacobian_sym(n)) == sp.ones(n, n)
    assert dependence_pattern_sym(sigmoid_layer_jacobian_sym(n)) == sp.eye(n)


@pytest.mark.parametrize("n", [1, 2, 3, 4])
def test_log_offset_is_the_same_logsumexp_for_every_output(n):
    offsets = softmax_log_offset_sym(n)
    z = logits(n)
    lse = sp.log(sum(sp.exp(zj) for zj in z))
    assert all(sp.simplify(o - lse) == 0 for o in offsets)


def test_log_offset_matches_numbers():
    z = np.array([0.3, -1.2, 2.0])
    np.testing.assert_allclose(z - np.log(softmax(z)), np.full(3, logsumexp(z)), rtol=1e-14)


@pytest.mark.parametrize("n", [2, 3, 4])
def test_softmax_of_log_plus_constant_gives_back_a(n):
    assert softmax_of_log_residual(n) == [0] * n


@pytest.mark.parametrize("n", [2, 3, 4])
def test_chain_rule_gives_p_minus_y_for_any_target_on_the_simplex(n):
    assert cross_entropy_chain_rule_residual(n) == [0] * n


@pytest.mark.parametrize("n", [1, 2, 3, 4])
def test_log_softmax_shift_identity(n):
    assert log_softmax_shift_residual(n) == [0] * n


@pytest.mark.parametrize("n", [2, 3])
def test_log_softmax_of_the_maximum_is_minus_log1p(n):
    assert log_softmax_log1p_residual(n) == 0


def test_log1p_form_matches_the_library_where_log_loses_it():
    x = np.array([0.0, -40.0])
    s = np.exp(-40.0)
    assert log_softmax(x)[0] == pytest.approx(-np.log1p(s), rel=1e-15)
    assert -np.log1p(s) != 0.0 and np.log(1 + s) == 0.0


@pytest.mark.parametrize("n_max, n_rest", [(1, 0), (1, 2), (2, 1), (3, 2)])
def test_argmax_limit_is_one_over_m_on_the_maxima(n_max, n_rest):
    out = argmax_limit_sym(n_max, n_rest)
    assert out["shift residual"] == [0] * (n_max + n_rest)
    assert out["term limits"] == [1] * n_max + [0] * n_rest
    assert out["limit"] == [sp.Rational(1, n_max)] * n_max + [0] * n_rest


def test_argmax_limit_rejects_bad_sizes():
    with pytest.raises(ValueError, match="n_max"):
        argmax_limit_sym(0, 2)
