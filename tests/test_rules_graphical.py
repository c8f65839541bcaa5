"""Rules table for the probabilistic readings of softmax and the estimation of Z (chapter 4's sections).

Covers softmaxlab.graphical and softmaxlab.symbolic.graphical. Every public
name is called with bad arguments and must raise TypeError or ValueError from
softmaxlab itself, naming the argument; array arguments reject every entry of
``BAD_ARRAYS``; results keep the library's dtype rules (``DTYPES``) and never
modify their inputs.
"""

from __future__ import annotations

import numpy as np
import pytest
from rules_support import BAD_ARRAYS, DTYPES, assert_rejects, assert_unmodified

from softmaxlab import symbolic as S
from softmaxlab.graphical import ising_ring_gibbs, ising_spin_conditional

COVERED = {
    "ising_spin_conditional",
    "ising_ring_gibbs",
    "ising_spin_conditional_sym",
    "conditional_maxent_lagrange",
    "softmax_regression_shift_identity",
    "lda_posterior_sym",
    "naive_bayes_posterior_sym",
    "multinomial_canonical_link_sym",
}

#: Values that are not integers at all, and the exception each must raise.
NOT_INTEGERS = {"float": (2.5, TypeError), "integral float": (3.0, TypeError), "bool": (True, TypeError),
                "string": ("3", TypeError), "None": (None, TypeError)}
#: Values that are not real numbers.
NOT_REALS = {"string": ("1", TypeError), "bool": (True, TypeError), "complex": (1j, TypeError),
             "list": ([1.0], TypeError), "nan": (float("nan"), ValueError), "inf": (float("inf"), ValueError)}
#: Temperatures that are real but not positive and finite.
BAD_TEMPERATURES = {"zero": 0.0, "negative": -1.0, "inf": float("inf"), "nan": float("nan")}

SPINS = np.array([[1, -1, 1, 1], [-1, -1, 1, -1]])


# --------------------------------------------------------------------------- softmaxlab.graphical


@pytest.mark.parametrize("bad", list(BAD_ARRAYS), ids=str)
def test_spin_conditional_rejects_bad_spins(bad):
    assert_rejects(ising_spin_conditional, (BAD_ARRAYS[bad], 0, 1.0), names="spins", errors=TypeError)


@pytest.mark.parametrize("spins", [np.array(1), np.zeros((2, 0)), [1, 0, -1], [1.0, np.nan, 1.0], [2, 1, 1]],
                         ids=["scalar", "empty ring", "zero", "nan", "two"])
def test_spin_conditional_rejects_non_spin_values(spins):
    assert_rejects(ising_spin_conditional, (spins, 0, 1.0), names="spins", errors=ValueError)


@pytest.mark.parametrize("bad", list(NOT_INTEGERS), ids=str)
def test_spin_conditional_rejects_a_non_integer_site(bad):
    value, error = NOT_INTEGERS[bad]
    assert_rejects(ising_spin_conditional, (SPINS, value, 1.0), names="site", errors=error)


@pytest.mark.parametrize("site", [4, -5, 100])
def test_spin_conditional_rejects_a_site_out_of_range(site):
    assert_rejects(ising_spin_conditional, (SPINS, site, 1.0), names="site", errors=ValueError)


@pytest.mark.parametrize("bad", list(BAD_TEMPERATURES), ids=str)
def test_spin_conditional_and_gibbs_reject_bad_temperatures(bad):
    assert_rejects(ising_spin_conditional, (SPINS, 0, BAD_TEMPERATURES[bad]), names="temperature", errors=ValueError)
    assert_rejects(ising_ring_gibbs, (4, BAD_TEMPERATURES[bad]), names="temperature", errors=ValueError)


@pytest.mark.parametrize("argument", ["coupling", "field"])
@pytest.mark.parametrize("bad", list(NOT_REALS), ids=str)
def test_spin_conditional_and_gibbs_reject_bad_coupling_and_field(argument, bad):
    value, error = NOT_REALS[bad]
    assert_rejects(ising_spin_conditional, (SPINS, 0, 1.0), {argument: value}, names=argument, errors=error)
    assert_rejects(ising_ring_gibbs, (4, 1.0), {argument: value}, names=argument, errors=error)


@pytest.mark.parametrize("name", list(DTYPES))
def test_spin_conditional_dtypes(name):
    dtype, expected = DTYPES[name]
    out = ising_spin_conditional(SPINS.astype(dtype), 1, 0.7, 0.5, 0.1)
    assert out.dtype == expected
    np.testing.assert_allclose(out.astype(float), ising_spin_conditional(SPINS, 1, 0.7, 0.5, 0.1),
                               rtol=1e-3 if dtype == np.float16 else 1e-7)
    assert_unmodified(ising_spin_conditional, SPINS.astype(dtype), site=1, temperature=0.7)


@pytest.mark.parametrize("argument", ["n", "n_sweeps", "n_chains"])
@pytest.mark.parametrize("bad", list(NOT_INTEGERS) + ["zero", "negative"], ids=str)
def test_gibbs_rejects_bad_sizes(argument, bad):
    value, error = {"zero": (0, ValueError), "negative": (-3, ValueError)}.get(bad) or NOT_INTEGERS[bad]
    kwargs = {"n": 4, "temperature": 1.0, "n_sweeps": 2}
    kwargs[argument] = value
    assert_rejects(ising_ring_gibbs, (), kwargs, names=argument, errors=error)


@pytest.mark.parametrize("rng", [1.5, "seed", -1, True, [1, 2]], ids=str)
def test_gibbs_rejects_a_bad_rng(rng):
    assert_rejects(ising_ring_gibbs, (4, 1.0), {"rng": rng}, names="rng", errors=TypeError)


@pytest.mark.parametrize("bad", [b for b in BAD_ARRAYS if b != "None"], ids=str)
def test_gibbs_rejects_a_bad_initial_state(bad):
    assert_rejects(ising_ring_gibbs, (4, 1.0), {"initial": BAD_ARRAYS[bad]}, names="initial", errors=TypeError)


@pytest.mark.parametrize("initial", [[1, 1, 1], [[1, 1, 1, 1]] * 3, [1, 0, 1, 1], np.ones((1, 1, 4))],
                         ids=["short", "too many chains", "zero", "3-d"])
def test_gibbs_rejects_an_initial_state_of_the_wrong_shape_or_values(initial):
    assert_rejects(ising_ring_gibbs, (4, 1.0), {"initial": initial, "n_chains": 2}, names="initial", errors=ValueError)


def test_gibbs_does_not_modify_the_initial_state():
    start = np.array([[1, -1, 1, -1], [1, 1, 1, 1]])
    assert_unmodified(ising_ring_gibbs, 4, 1.0, initial=start, n_chains=2, n_sweeps=3, rng=0)


# --------------------------------------------------------------------------- softmaxlab.symbolic.graphical

SYMBOLIC_SIZES = [
    (S.ising_spin_conditional_sym, "n", {"n": 3}, 3, 12),
    (S.conditional_maxent_lagrange, "n_inputs", {"n_inputs": 1, "n_classes": 2, "n_features": 1}, 1, 3),
    (S.conditional_maxent_lagrange, "n_classes", {"n_inputs": 1, "n_classes": 2, "n_features": 1}, 2, 4),
    (S.conditional_maxent_lagrange, "n_features", {"n_inputs": 1, "n_classes": 2, "n_features": 1}, 1, 3),
    (S.softmax_regression_shift_identity, "n_classes", {"n_classes": 2, "n_features": 1}, 2, 6),
    (S.softmax_regression_shift_identity, "n_features", {"n_classes": 2, "n_features": 1}, 1, 4),
    (S.lda_posterior_sym, "n_classes", {"n_classes": 2, "dim": 1}, 2, 4),
    (S.lda_posterior_sym, "dim", {"n_classes": 2, "dim": 1}, 1, 2),
    (S.naive_bayes_posterior_sym, "n_classes", {"n_classes": 2, "n_features": 1}, 2, 3),
    (S.naive_bayes_posterior_sym, "n_features", {"n_classes": 2, "n_features": 1}, 1, 3),
    (S.multinomial_canonical_link_sym, "n_classes", {"n_classes": 2}, 2, 6),
]


@pytest.mark.parametrize("func, argument, good, minimum, maximum", SYMBOLIC_SIZES,
                         ids=[f"{f.__name__}-{a}" for f, a, *_ in SYMBOLIC_SIZES])
def test_symbolic_sizes_are_checked_before_any_work(func, argument, good, minimum, maximum):
    for value, error in list(NOT_INTEGERS.values()) + [(minimum - 1, ValueError), (maximum + 1, ValueError), (10**9, ValueError)]:
        kwargs = dict(good)
        kwargs[argument] = value
        assert_rejects(func, (), kwargs, names=argument, errors=error)


def test_symbolic_sizes_accept_numpy_integers():
    assert S.softmax_regression_shift_identity(np.int64(2), np.int32(1))["difference"] == [0, 0]
