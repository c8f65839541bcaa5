"""SymPy proofs of the chapter-1 identities in ``softmaxlab.symbolic.definition``.

Each identity is proved for every ``n`` listed (``sympy.simplify`` returns
exactly 0), shown not to be vacuous (a similar false claim does not simplify
to 0), and the symbolic definitions are checked against the numerical library
by ``lambdify``. The Jacobian of softmax is proved in
``test_symbolic_derivatives.py`` (n = 1..6); the cross-entropy gradient is
proved here for every label, n = 2..5.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.special
import sympy as sp

from softmaxlab import log_softmax, logsumexp, softmax
from softmaxlab.symbolic import (
    cross_entropy_gradient_sym,
    cross_entropy_sym,
    logits,
    logsumexp_sym,
    sigmoid_sym,
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


@pytest.mark.parametrize("n", range(2, 6))
def test_cross_entropy_gradient_is_p_minus_y_for_every_label(n):
    for label in range(n):
        assert cross_entropy_gradient_sym(n, label) == [0] * n
    with pytest.raises(ValueError, match="label"):
        cross_entropy_sym(n, n)


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
