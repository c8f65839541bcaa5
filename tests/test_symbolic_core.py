"""Tests of ``softmaxlab.symbolic.core``, the SymPy derivations behind ``softmaxlab.core``: residuals that
simplify to 0, exact values, and numerical cross-checks against the library."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.special
import sympy as sp

from softmaxlab import log_softmax, logsumexp, softmax
from softmaxlab.symbolic import (
    log_softmax_log1p_residual,
    log_softmax_shift_residual,
    logits,
    logsumexp_sym,
    sigmoid_layer_sum_facts,
    sigmoid_layer_sum_sym,
    sigmoid_pair_sum_residual,
    sigmoid_sym,
    softmax_log_offset_sym,
    softmax_of_log_residual,
    softmax_shift_invariance,
    softmax_sums_to_one,
    softmax_sym,
    two_class_softmax_is_sigmoid,
)

c = sp.Symbol("c", real=True)


beta = sp.Symbol("beta", positive=True)


def test_logits_are_n_real_symbols():
    z = logits(4)
    assert [str(s) for s in z] == ["z_1", "z_2", "z_3", "z_4"]
    assert all(s.is_real for s in z)
    assert [str(s) for s in logits(2, name="a")] == ["a_1", "a_2"]
    with pytest.raises(ValueError, match="n must be an integer between 1 and"):
        logits(0)


@pytest.mark.parametrize("n", range(1, 9))
def test_outputs_sum_to_one(n):
    assert softmax_sums_to_one(n) == 0


@pytest.mark.parametrize("n", range(1, 6))
def test_outputs_sum_to_one_at_every_temperature(n):
    assert sp.simplify(sum(softmax_sym(logits(n), beta)) - 1) == 0


@pytest.mark.parametrize("n", range(1, 7))
def test_shift_invariance(n):
    assert softmax_shift_invariance(n) == [0] * n


@pytest.mark.parametrize("n", range(1, 5))
def test_logsumexp_shifts_with_its_argument(n):
    z = logits(n)
    residual = logsumexp_sym([zi + c for zi in z]) - logsumexp_sym(z) - c
    assert sp.simplify(sp.expand_log(residual, force=True)) == 0


def test_two_class_softmax_is_the_logistic_sigmoid():
    assert two_class_softmax_is_sigmoid() == 0
    z1, z2 = logits(2)
    # and the second class gets sigmoid(z_2 - z_1) = 1 - sigmoid(z_1 - z_2)
    assert sp.simplify(softmax_sym([z1, z2])[1] - sigmoid_sym(z2 - z1)) == 0
    assert sp.simplify(sigmoid_sym(z2 - z1) - (1 - sigmoid_sym(z1 - z2))) == 0


def test_the_identities_are_not_vacuous():
    z = logits(3)
    unnormalised = sum(sp.exp(zi) for zi in z)
    assert sp.simplify(unnormalised - 1) != 0
    scaled = softmax_sym([2 * zi for zi in z])
    assert any(sp.simplify(a - b) != 0 for a, b in zip(scaled, softmax_sym(z)))  # not scale invariant
    linear = [zi / sum(z) for zi in z]  # "divide by the sum" is shift-variant
    assert any(sp.simplify(a.subs({zi: zi + c for zi in z}, simultaneous=True) - a) != 0 for a in linear)
    z1, z2 = logits(2)
    assert sp.simplify(softmax_sym([z1, z2])[0] - sigmoid_sym(z1 + z2)) != 0


@pytest.mark.parametrize("n", range(1, 7))
def test_symbolic_and_numeric_agree(n):
    z = logits(n)
    rng = np.random.default_rng(n)
    p = sp.lambdify(z, softmax_sym(z), "numpy")
    p_beta = sp.lambdify([*z, beta], softmax_sym(z, beta), "numpy")
    lse = sp.lambdify(z, logsumexp_sym(z), "numpy")
    log_p = sp.lambdify(z, [sp.log(a) for a in softmax_sym(z)], "numpy")
    for _ in range(20):
        x = rng.uniform(-20, 20, n)
        np.testing.assert_allclose(softmax(x), p(*x), rtol=1e-13)
        np.testing.assert_allclose(log_softmax(x), log_p(*x), rtol=1e-12, atol=1e-14)
        assert logsumexp(x) == pytest.approx(lse(*x), rel=1e-14)
        b = rng.uniform(0.1, 5.0)
        np.testing.assert_allclose(softmax(x, temperature=1 / b), p_beta(*x, b), rtol=1e-12)


def test_symbolic_sigmoid_is_scipys_expit():
    t = sp.Symbol("t", real=True)
    f = sp.lambdify(t, sigmoid_sym(t), "numpy")
    grid = np.linspace(-30, 30, 61)
    np.testing.assert_allclose(f(grid), scipy.special.expit(grid), rtol=1e-14)
    z1, z2 = logits(2)
    two = sp.lambdify([z1, z2], softmax_sym([z1, z2])[0], "numpy")
    np.testing.assert_allclose(two(grid, 0.5), softmax(np.stack([grid, np.full_like(grid, 0.5)], axis=1))[:, 0],
                               rtol=1e-13)


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
