"""Rules table for the probabilistic readings of softmax and the estimation of Z (chapter 4's sections).

Covers softmaxlab.graphical, softmaxlab.maxent, softmaxlab.glm, softmaxlab.generative,
softmaxlab.importance, softmaxlab.ensembles, and their SymPy derivations (softmaxlab.symbolic's
graphical, generative, regression, importance and ensembles modules, the conditional maximum
entropy of softmaxlab.symbolic.maxent and the canonical link of softmaxlab.symbolic.glm). Every public
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
from softmaxlab.ensembles import density_of_states, log_partition_from_levels
from softmaxlab.generative import bernoulli_naive_bayes_scores, lda_scores
from softmaxlab.glm import multinomial_glm_fit
from softmaxlab.graphical import ising_ring_gibbs, ising_spin_conditional
from softmaxlab.importance import effective_sample_size, importance_log_partition
from softmaxlab.maxent import class_features, maxent_fit, maxent_probabilities

COVERED = {
    "ising_spin_conditional",
    "ising_ring_gibbs",
    "ising_spin_conditional_sym",
    "conditional_maxent_lagrange",
    "softmax_regression_shift_identity",
    "lda_posterior_sym",
    "naive_bayes_posterior_sym",
    "multinomial_canonical_link_sym",
    "class_features",
    "maxent_probabilities",
    "maxent_fit",
    "multinomial_glm_fit",
    "lda_scores",
    "bernoulli_naive_bayes_scores",
    "importance_log_partition",
    "effective_sample_size",
    "importance_weight_moments_sym",
    "log_estimate_bias_sym",
    "density_of_states",
    "log_partition_from_levels",
    "ising_ring_density_of_states_sym",
    "conjugate_field_identities",
    "grand_canonical_site_sym",
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


# --------------------------------------------------------------------------- softmaxlab.maxent, softmaxlab.glm

X_FIT = np.column_stack([np.linspace(-2, 2, 12), np.ones(12)])
Y_FIT = np.array([0, 1, 2, 0, 2, 1, 1, 0, 2, 2, 0, 1])
F_FIT = class_features(X_FIT, 3)


@pytest.mark.parametrize("bad", list(BAD_ARRAYS), ids=str)
def test_maxent_and_glm_reject_bad_arrays(bad):
    assert_rejects(class_features, (BAD_ARRAYS[bad], 3), names="X", errors=TypeError)
    assert_rejects(maxent_probabilities, (BAD_ARRAYS[bad], np.zeros(6)), names="features", errors=TypeError)
    assert_rejects(maxent_probabilities, (F_FIT, BAD_ARRAYS[bad]), names="weights", errors=TypeError)
    assert_rejects(maxent_fit, (BAD_ARRAYS[bad], Y_FIT), names="features", errors=TypeError)
    assert_rejects(multinomial_glm_fit, (BAD_ARRAYS[bad], Y_FIT, 3), names="X", errors=TypeError)


@pytest.mark.parametrize("labels, error", [(Y_FIT.astype(float), TypeError), (np.array(["a"] * 12), TypeError),
                                           (Y_FIT[:5], ValueError), (Y_FIT.reshape(3, 4), ValueError),
                                           (np.where(Y_FIT == 2, 3, Y_FIT), ValueError),
                                           (np.where(Y_FIT == 2, -1, Y_FIT), ValueError)],
                         ids=["floats", "strings", "short", "2-d", "too large", "negative"])
def test_fits_reject_bad_labels(labels, error):
    assert_rejects(maxent_fit, (F_FIT, labels), names="labels", errors=error)
    assert_rejects(multinomial_glm_fit, (X_FIT, labels, 3), names="labels", errors=error)


@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf], ids=str)
def test_fits_reject_non_finite_inputs(value):
    X = X_FIT.copy()
    X[3, 0] = value
    assert_rejects(class_features, (X, 3), names="X", errors=ValueError)
    assert_rejects(multinomial_glm_fit, (X, Y_FIT, 3), names="X", errors=ValueError)
    F = F_FIT.copy()
    F[2, 1, 3] = value
    assert_rejects(maxent_fit, (F, Y_FIT), names="features", errors=ValueError)
    assert_rejects(maxent_probabilities, (F, np.zeros(6)), names="features", errors=ValueError)


@pytest.mark.parametrize("shape", [(12,), (12, 3, 6, 1), (0, 3, 6), (12, 0, 6), (12, 3, 0)], ids=str)
def test_features_of_the_wrong_shape(shape):
    assert_rejects(maxent_fit, (np.zeros(shape), Y_FIT[: shape[0]] if len(shape) > 1 else Y_FIT), names="features",
                   errors=ValueError)
    if shape[0] != 0:    # no rows is a valid input to maxent_probabilities (an empty result), not to a fit
        assert_rejects(maxent_probabilities, (np.zeros(shape), np.zeros(shape[-1])), names="features",
                       errors=ValueError)
    else:
        assert maxent_probabilities(np.zeros(shape), np.zeros(shape[-1])).shape == (0, 3)


def test_shapes_that_do_not_fit_together():
    assert_rejects(maxent_probabilities, (F_FIT, np.zeros(5)), names="weights", errors=ValueError)
    assert_rejects(class_features, (np.zeros(4), 3), names="X", errors=ValueError)
    assert_rejects(multinomial_glm_fit, (np.zeros((0, 2)), np.zeros(0, dtype=int), 3), names="X", errors=ValueError)


@pytest.mark.parametrize("bad", list(NOT_INTEGERS) + ["one"], ids=str)
def test_n_classes_must_be_an_integer_of_at_least_two(bad):
    value, error = (1, ValueError) if bad == "one" else NOT_INTEGERS[bad]
    assert_rejects(class_features, (X_FIT, value), names="n_classes", errors=error)
    assert_rejects(multinomial_glm_fit, (X_FIT, Y_FIT, value), names="n_classes", errors=error)


@pytest.mark.parametrize("argument, value, error", [
    ("tol", 0.0, ValueError), ("tol", -1e-8, ValueError), ("tol", np.nan, ValueError), ("tol", "small", TypeError),
    ("max_iter", 0, ValueError), ("max_iter", 2.5, TypeError), ("max_iter", True, TypeError)])
def test_fit_options(argument, value, error):
    assert_rejects(maxent_fit, (F_FIT, Y_FIT), {argument: value}, names=argument, errors=error)
    assert_rejects(multinomial_glm_fit, (X_FIT, Y_FIT, 3), {argument: value}, names=argument, errors=error)


@pytest.mark.parametrize("reference, error", [(3, ValueError), (-4, ValueError), (1.0, TypeError), (None, TypeError)])
def test_glm_reference(reference, error):
    assert_rejects(multinomial_glm_fit, (X_FIT, Y_FIT, 3), {"reference": reference}, names="reference", errors=error)


@pytest.mark.parametrize("name", list(DTYPES))
def test_maxent_dtypes(name):
    dtype, expected = DTYPES[name]
    assert class_features(X_FIT.astype(dtype), 3).dtype == expected
    P = maxent_probabilities(F_FIT.astype(dtype), np.linspace(-1, 1, 6).astype(dtype))
    assert P.dtype == expected
    assert maxent_fit(F_FIT.astype(dtype), Y_FIT).dtype == np.float64          # fitted parameters: float64
    assert multinomial_glm_fit(X_FIT.astype(dtype), Y_FIT, 3).dtype == np.float64
    assert_unmodified(maxent_fit, F_FIT.astype(dtype), Y_FIT)
    assert_unmodified(multinomial_glm_fit, X_FIT.astype(dtype), Y_FIT, n_classes=3)


# --------------------------------------------------------------------------- softmaxlab.generative

MEANS = np.array([[0.0, 1.0], [1.0, -1.0], [2.0, 0.5]])
COV = np.array([[1.0, 0.2], [0.2, 0.5]])
PRIORS = np.array([0.2, 0.3, 0.5])
THETA = np.array([[0.1, 0.8], [0.5, 0.5], [0.9, 0.3]])


@pytest.mark.parametrize("bad", list(BAD_ARRAYS), ids=str)
def test_generative_rejects_bad_arrays(bad):
    assert_rejects(lda_scores, (BAD_ARRAYS[bad], COV, PRIORS), names="means", errors=TypeError)
    assert_rejects(lda_scores, (MEANS, BAD_ARRAYS[bad], PRIORS), names="covariance", errors=TypeError)
    assert_rejects(lda_scores, (MEANS, COV, BAD_ARRAYS[bad]), names="priors", errors=TypeError)
    assert_rejects(bernoulli_naive_bayes_scores, (BAD_ARRAYS[bad], PRIORS), names="probabilities", errors=TypeError)
    assert_rejects(bernoulli_naive_bayes_scores, (THETA, BAD_ARRAYS[bad]), names="priors", errors=TypeError)


@pytest.mark.parametrize("args, names", [
    ((MEANS[0], COV, PRIORS), "means"),
    ((MEANS, COV[:1], PRIORS), "covariance"),
    ((MEANS, np.array([[1.0, 0.5], [0.2, 1.0]]), PRIORS), "covariance"),                 # not symmetric
    ((MEANS, np.array([[1.0, 2.0], [2.0, 1.0]]), PRIORS), "covariance"),                 # not positive definite
    ((MEANS, np.array([[1.0, np.nan], [np.nan, 1.0]]), PRIORS), "covariance"),
    ((np.where(MEANS == 1.0, np.inf, MEANS), COV, PRIORS), "means"),
    ((MEANS, COV, PRIORS[:2]), "priors"),
    ((MEANS, COV, np.array([0.2, 0.3, 0.6])), "priors"),
    ((MEANS, COV, np.array([-0.2, 0.7, 0.5])), "priors"),
    ((MEANS, COV, np.array([np.nan, 0.5, 0.5])), "priors"),
], ids=["means 1-d", "covariance shape", "asymmetric", "indefinite", "nan covariance", "inf mean",
        "priors shape", "priors sum", "negative prior", "nan prior"])
def test_lda_rejects_bad_values(args, names):
    assert_rejects(lda_scores, args, names=names, errors=ValueError)


@pytest.mark.parametrize("theta", [np.array([[0.0, 0.5]] * 3), np.array([[1.0, 0.5]] * 3),
                                   np.array([[np.nan, 0.5]] * 3), np.array([[1.5, 0.5]] * 3),
                                   np.zeros(3), np.zeros((3, 0))],
                         ids=["zero", "one", "nan", "above one", "1-d", "no features"])
def test_naive_bayes_rejects_bad_probabilities(theta):
    assert_rejects(bernoulli_naive_bayes_scores, (theta, PRIORS), names="probabilities", errors=ValueError)


@pytest.mark.parametrize("name", list(DTYPES))
def test_generative_dtypes(name):
    dtype, expected = DTYPES[name]
    if dtype.kind in "iu":
        means, cov = np.array([[0, 1], [1, 0], [2, 1]]), np.array([[2, 1], [1, 2]])
        W, b = lda_scores(means.astype(dtype), cov.astype(dtype), PRIORS)
        assert W.dtype == b.dtype == expected
        return
    W, b = lda_scores(MEANS.astype(dtype), COV.astype(dtype), PRIORS.astype(dtype))
    assert W.dtype == b.dtype == expected
    W, b = bernoulli_naive_bayes_scores(THETA.astype(dtype), PRIORS.astype(dtype))
    assert W.dtype == b.dtype == expected
    assert_unmodified(lda_scores, MEANS.astype(dtype), COV.astype(dtype), PRIORS.astype(dtype))


# --------------------------------------------------------------------------- softmaxlab.importance

LOGITS = np.array([[0.5, -1.0, 2.0], [0.0, 1.0, 1.0]])
LOG_Q = np.log(np.full((2, 3), 0.25))


@pytest.mark.parametrize("bad", list(BAD_ARRAYS), ids=str)
def test_importance_rejects_bad_arrays(bad):
    assert_rejects(importance_log_partition, (BAD_ARRAYS[bad], LOG_Q), names="logits", errors=TypeError)
    assert_rejects(importance_log_partition, (LOGITS, BAD_ARRAYS[bad]), names="log_proposal", errors=TypeError)
    assert_rejects(effective_sample_size, (BAD_ARRAYS[bad],), names="log_weights", errors=TypeError)


def test_importance_rejects_bad_values_and_shapes():
    assert_rejects(importance_log_partition, (LOGITS, np.log(np.full((2, 3), 1.5))), names="log_proposal",
                   errors=ValueError)
    assert_rejects(importance_log_partition, (LOGITS, np.zeros((2, 2))), names="log_proposal", errors=ValueError)


@pytest.mark.parametrize("axis, error", [(2, np.exceptions.AxisError), (-3, np.exceptions.AxisError),
                                         (1.0, TypeError), ("0", TypeError), (True, TypeError)])
def test_importance_axis(axis, error):
    assert_rejects(importance_log_partition, (LOGITS, LOG_Q), {"axis": axis}, names="axis", errors=error)
    assert_rejects(effective_sample_size, (LOGITS,), {"axis": axis}, names="axis", errors=error)


@pytest.mark.parametrize("keepdims", [1, "yes", None])
def test_importance_keepdims(keepdims):
    assert_rejects(importance_log_partition, (LOGITS, LOG_Q), {"keepdims": keepdims}, names="keepdims",
                   errors=TypeError)
    assert_rejects(effective_sample_size, (LOGITS,), {"keepdims": keepdims}, names="keepdims", errors=TypeError)


@pytest.mark.parametrize("name", list(DTYPES))
def test_importance_dtypes(name):
    dtype, expected = DTYPES[name]
    logits = LOGITS.astype(dtype)
    log_q = (np.full((2, 3), -2) if dtype.kind in "iu" else LOG_Q).astype(dtype)
    assert importance_log_partition(logits, log_q).dtype == expected
    assert effective_sample_size(logits).dtype == expected
    assert isinstance(importance_log_partition(logits[0], log_q[0]), np.generic)
    assert_unmodified(importance_log_partition, logits, log_q)
    assert_unmodified(effective_sample_size, logits)


# --------------------------------------------------------------------------- softmaxlab.ensembles

LEVELS = np.array([-2.0, 0.0, 2.0])
DEGENERACIES = np.array([2, 4, 2])


@pytest.mark.parametrize("bad", list(BAD_ARRAYS), ids=str)
def test_ensembles_reject_bad_arrays(bad):
    assert_rejects(density_of_states, (BAD_ARRAYS[bad],), names="values", errors=TypeError)
    assert_rejects(log_partition_from_levels, (BAD_ARRAYS[bad], DEGENERACIES), names="levels", errors=TypeError)
    assert_rejects(log_partition_from_levels, (LEVELS, BAD_ARRAYS[bad]), names="degeneracies", errors=TypeError)


@pytest.mark.parametrize("values", [np.array(1.0), np.zeros((2, 2, 2)), [1.0, np.nan]], ids=["0-d", "3-d", "nan"])
def test_density_of_states_rejects_bad_values(values):
    assert_rejects(density_of_states, (values,), names="values", errors=ValueError)


@pytest.mark.parametrize("g", [[2, -1, 2], [2, np.inf, 2], [1, 2]], ids=["negative", "infinite", "shape"])
def test_log_partition_from_levels_rejects_bad_degeneracies(g):
    assert_rejects(log_partition_from_levels, (LEVELS, g), names="degeneracies", errors=ValueError)


@pytest.mark.parametrize("bad", list(BAD_TEMPERATURES), ids=str)
def test_log_partition_from_levels_rejects_bad_temperatures(bad):
    assert_rejects(log_partition_from_levels, (LEVELS, DEGENERACIES, BAD_TEMPERATURES[bad]), names="temperature",
                   errors=ValueError)
    assert_rejects(log_partition_from_levels, (LEVELS, DEGENERACIES, "1"), names="temperature", errors=TypeError)


@pytest.mark.parametrize("axis, error", [(1, np.exceptions.AxisError), (1.0, TypeError), (True, TypeError)])
def test_log_partition_from_levels_axis(axis, error):
    assert_rejects(log_partition_from_levels, (LEVELS, DEGENERACIES), {"axis": axis}, names="axis", errors=error)
    assert_rejects(log_partition_from_levels, (LEVELS, DEGENERACIES), {"keepdims": 1}, names="keepdims",
                   errors=TypeError)


@pytest.mark.parametrize("name", list(DTYPES))
def test_ensembles_dtypes(name):
    dtype, expected = DTYPES[name]
    levels, g = density_of_states(LEVELS.astype(dtype))
    assert levels.dtype == expected and g.dtype == np.int64
    out = log_partition_from_levels(LEVELS.astype(dtype), DEGENERACIES.astype(dtype), 0.7)
    assert out.dtype == expected and isinstance(out, np.generic)
    assert_unmodified(density_of_states, LEVELS.astype(dtype))
    assert_unmodified(log_partition_from_levels, LEVELS.astype(dtype), DEGENERACIES.astype(dtype))


# --------------------------------------------------------------------------- their SymPy derivations

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
    (S.importance_weight_moments_sym, "n", {"n": 2}, 2, 5),
    (S.ising_ring_density_of_states_sym, "n", {"n": 2}, 1, 16),
    (S.conjugate_field_identities, "n", {"n": 2}, 1, 6),
]


@pytest.mark.parametrize("func, argument, good, minimum, maximum", SYMBOLIC_SIZES,
                         ids=[f"{f.__name__}-{a}" for f, a, *_ in SYMBOLIC_SIZES])
def test_symbolic_sizes_are_checked_before_any_work(func, argument, good, minimum, maximum):
    out_of_range = [(minimum - 1, ValueError), (maximum + 1, ValueError), (10**9, ValueError)]
    for value, error in list(NOT_INTEGERS.values()) + out_of_range:
        kwargs = dict(good)
        kwargs[argument] = value
        assert_rejects(func, (), kwargs, names=argument, errors=error)


def test_symbolic_sizes_accept_numpy_integers():
    assert S.softmax_regression_shift_identity(np.int64(2), np.int32(1))["difference"] == [0, 0]


@pytest.mark.parametrize("func", [S.log_estimate_bias_sym, S.grand_canonical_site_sym])
def test_derivations_without_arguments_take_none(func):
    with pytest.raises(TypeError):
        func(3)
