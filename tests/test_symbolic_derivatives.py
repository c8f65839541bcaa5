"""Symbolic proofs (SymPy) of the derivative identities of chapters 2 and 3."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from softmaxlab import softmax, softmax_hessian, softmax_jacobian
from softmaxlab.symbolic import (
    bernoulli_glm_residuals,
    binary_cross_entropy_gradient_residual,
    binary_cross_entropy_is_two_class_cross_entropy,
    categorical_glm_residuals,
    cross_entropy_gradient_sym,
    jacobian_quadratic_form_residual,
    logits,
    logsumexp_gradient_residual,
    logsumexp_hessian_residual,
    logsumexp_hessian_sym,
    sigmoid_derivative_residual,
    softmax_jacobian_closed_form,
    softmax_jacobian_index_form,
    softmax_jacobian_index_residual,
    softmax_jacobian_residual,
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


@pytest.mark.parametrize("n, label", [(2, 0), (3, 2), (5, 1)])
def test_cross_entropy_gradient_is_p_minus_y(n, label):
    assert cross_entropy_gradient_sym(n, label) == [0] * n


def test_sigmoid_and_binary_cross_entropy():
    assert sigmoid_derivative_residual() == 0
    assert binary_cross_entropy_gradient_residual() == 0
    assert binary_cross_entropy_is_two_class_cross_entropy() == 0


def test_glm_canonical_links():
    assert bernoulli_glm_residuals() == {"log_density": 0, "mean": 0, "variance": 0, "link": 0}
    for n in (2, 3, 4):
        r = categorical_glm_residuals(n)
        assert r["log_density"] == [0] * n
        assert r["mean"] == [0] * n
        assert r["link"] == [0] * n
        assert r["covariance"] == sp.zeros(n, n)
