"""Tests of ``softmaxlab.symbolic.derivatives``, the SymPy derivations behind ``softmaxlab.derivatives``: residuals that
simplify to 0, exact values, and numerical cross-checks against the library."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from softmaxlab import softmax, softmax_hessian, softmax_jacobian
from softmaxlab import symbolic as S
from softmaxlab.symbolic import (
    dependence_pattern_sym,
    jacobian_quadratic_form_residual,
    logits,
    logsumexp_gradient_residual,
    logsumexp_hessian_residual,
    logsumexp_hessian_sym,
    monotonicity_residual,
    sigmoid_layer_jacobian_sym,
    softmax_jacobian_closed_form,
    softmax_jacobian_index_form,
    softmax_jacobian_index_residual,
    softmax_jacobian_residual,
    softmax_jacobian_signed_form,
    softmax_jacobian_sym,
    softmax_second_derivative_closed_form,
    softmax_second_derivative_residual,
    softmax_second_derivative_sym,
)


@pytest.mark.parametrize("n", range(1, 7))
def test_jacobian_from_definition_is_diag_minus_outer(n):
    assert softmax_jacobian_residual(n) == sp.zeros(n, n)


@pytest.mark.parametrize("n", [2, 3])
def test_jacobian_residual_agrees_with_plain_simplify(n):
    """The fast rational-function check and sympy.simplify reach the same verdict."""
    assert sp.simplify(softmax_jacobian_sym(n) - softmax_jacobian_closed_form(n)) == sp.zeros(n, n)


def test_jacobian_in_index_form_for_symbolic_n():
    assert softmax_jacobian_index_residual() == 0
    unevaluated = softmax_jacobian_index_form(evaluate=False)
    assert unevaluated.has(sp.Sum) and unevaluated.has(sp.KroneckerDelta)


@pytest.mark.parametrize("n", range(2, 6))
def test_quadratic_form_is_a_variance(n):
    assert jacobian_quadratic_form_residual(n) == 0


@pytest.mark.parametrize("n", range(1, 6))
def test_gradient_of_logsumexp_is_softmax(n):
    assert logsumexp_gradient_residual(n) == [0] * n


@pytest.mark.parametrize("n", range(1, 6))
def test_hessian_of_logsumexp_is_the_jacobian(n):
    assert logsumexp_hessian_residual(n) == sp.zeros(n, n)


def test_logsumexp_hessian_of_two_variables_is_psd_and_singular():
    H = logsumexp_hessian_sym(2)
    assert sp.simplify(H.det()) == 0
    z1, z2 = logits(2)
    trace = sp.simplify(H.trace())
    assert trace.subs({z1: 0.3, z2: -1.2}) > 0


@pytest.mark.parametrize("n", range(2, 5))
def test_second_derivative_closed_form(n):
    assert softmax_second_derivative_residual(n) == sp.MutableDenseNDimArray.zeros(n, n, n)


def test_symbolic_derivatives_agree_with_the_numerical_library():
    values = [0.4, -1.1, 2.0]
    z = logits(3)
    subs = dict(zip(z, values))
    J = np.array(softmax_jacobian_sym(3).subs(subs).evalf(), dtype=float)
    np.testing.assert_allclose(J, softmax_jacobian(values), atol=1e-14)
    T = np.array(softmax_second_derivative_closed_form(3).applyfunc(lambda e: e.subs(subs)).tolist(), dtype=float)
    np.testing.assert_allclose(T, softmax_hessian(values), atol=1e-14)
    T_def = np.array(softmax_second_derivative_sym(3).applyfunc(lambda e: e.subs(subs)).tolist(), dtype=float)
    np.testing.assert_allclose(T_def, T, atol=1e-14)
    p = np.array([float(e.subs(subs)) for e in (sp.exp(zi) / sum(map(sp.exp, z)) for zi in z)])
    np.testing.assert_allclose(p, softmax(values), rtol=1e-14)


def test_two_class_saturation():
    out = S.two_class_saturation()
    assert out["derivative - s(1-s)/T"] == 0
    assert out["T -> 0+"] == 0 and out["T -> oo"] == 0
    T = sp.Symbol("T", positive=True)
    assert sp.simplify(out["at a tie"] - 1 / (4 * T)) == 0


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
