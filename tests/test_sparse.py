"""Tests of softmaxlab.sparse: sparsemax, 1.5-entmax, alpha-entmax, thresholds, Jacobians.

References used here are independent of the library's sort-based formulas:
sparsemax against the exact Euclidean projection onto the simplex found by
enumerating every candidate support (an exhaustive active-set solution of the
QP), entmax against a root finder (scipy's brentq) on the normalisation
equation, and the variational definition (maximise p.z + Tsallis entropy).
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import brentq

from softmaxlab import (
    entmax15,
    entmax15_jacobian,
    entmax15_jvp,
    entmax15_threshold,
    entmax_bisect,
    numerical_jacobian,
    softmax,
    softmax_jacobian,
    sparsemax,
    sparsemax_jacobian,
    sparsemax_jvp,
    sparsemax_threshold,
)
from strategies import vectors

score_vectors = vectors(-20, 20, max_size=7)


def projection_by_support_enumeration(z: np.ndarray) -> np.ndarray:
    """argmin ||p - z||^2 over the simplex: the candidate support that satisfies the optimality (KKT) conditions.

    For a support S the closest point of the face's affine hull is z_S - tau_S with
    tau_S = (sum z_S - 1) / |S|. It is the projection exactly when it is feasible
    (z_i > tau_S on S) and no other score would enter (z_j <= tau_S off S); of all
    2^n - 1 supports, the one with the largest such margin is returned (near ties
    give the same point up to the margin). Comparing distances instead cannot
    separate supports whose points differ by less than the rounding of a distance:
    z = (1e-8, 0.5, 0.5) has the full support, p_1 = 2e-8 / 3.
    """
    n = len(z)
    best, best_margin = None, -np.inf
    for size in range(1, n + 1):
        for support in itertools.combinations(range(n), size):
            inside = np.zeros(n, dtype=bool)
            inside[list(support)] = True
            tau = (z[inside].sum() - 1) / size
            margin = min((z[inside] - tau).min(), (tau - z[~inside]).min() if size < n else np.inf)
            if margin > best_margin:
                best, best_margin = np.where(inside, z - tau, 0.0), margin
    assert best_margin > -1e-9 * max(1.0, np.abs(z).max())
    return np.maximum(best, 0)


def entmax_by_root_finding(z: np.ndarray, alpha: float) -> np.ndarray:
    """alpha-entmax with tau from brentq on sum max((alpha-1) z - tau, 0)^(1/(alpha-1)) = 1."""
    u = (alpha - 1) * z
    power = 1 / (alpha - 1)

    def excess(tau):
        return np.sum(np.maximum(u - tau, 0) ** power) - 1

    tau = brentq(excess, u.max() - 1 - 1e-9, u.max(), xtol=1e-15, rtol=1e-15, maxiter=500)
    return np.maximum(u - tau, 0) ** power


def tsallis_objective(p: np.ndarray, z: np.ndarray) -> float:
    """p . z + (1 - sum p^1.5) / 0.75: the function 1.5-entmax maximises over the simplex."""
    return float(p @ z + (1 - np.sum(p**1.5)) / 0.75)


# --------------------------------------------------------------------------- sparsemax


def test_sparsemax_examples():
    np.testing.assert_allclose(sparsemax([0.5, 0.2, -1.0]), [0.65, 0.35, 0.0])
    assert sparsemax([2.0, 1.0, -1.0]).tolist() == [1.0, 0.0, 0.0]
    np.testing.assert_allclose(sparsemax([0.0, 0.0, 0.0, 0.0]), [0.25] * 4)
    assert sparsemax([5.0]).tolist() == [1.0]


@given(score_vectors)
@settings(max_examples=300)
def test_sparsemax_is_the_euclidean_projection(z):
    p = sparsemax(z)
    np.testing.assert_allclose(p, projection_by_support_enumeration(z), atol=1e-10)


@given(score_vectors)
@settings(max_examples=300)
def test_sparsemax_on_simplex_with_exact_zeros_below_threshold(z):
    p = sparsemax(z)
    tau = sparsemax_threshold(z)
    assert np.all(p >= 0)
    assert p.sum() == pytest.approx(1.0, abs=1e-12)
    # exact zeros, not tiny numbers, below the threshold; an entry within rounding of it
    # (sparsemax works on z - max z, so z_j - tau is rounded) may come out a few ulps above 0
    slack = 8 * np.finfo(np.float64).eps * max(1.0, float(np.abs(z).max()))
    assert np.all(p[z <= tau - slack] == 0.0)
    assert np.all(p[z <= tau] <= slack)
    np.testing.assert_allclose(p[z > tau], (z - tau)[z > tau], atol=1e-12)


@given(score_vectors, st.floats(-100, 100))
@settings(max_examples=100)
def test_sparsemax_shift_invariance_and_permutation_equivariance(z, c):
    np.testing.assert_allclose(sparsemax(z + c), sparsemax(z), atol=1e-11)
    perm = np.random.default_rng(len(z)).permutation(len(z))
    np.testing.assert_allclose(sparsemax(z[perm]), sparsemax(z)[perm], atol=1e-12)


def test_sparsemax_is_one_hot_once_the_gap_reaches_one():
    assert sparsemax([3.0, 2.0, 0.0]).tolist() == [1.0, 0.0, 0.0]  # gap exactly 1
    assert sparsemax([3.0, 2.01, 0.0])[1] > 0


def test_sparsemax_matches_entmax_alpha_two():
    rng = np.random.default_rng(0)
    z = rng.normal(size=(50, 9)) * 3
    np.testing.assert_allclose(sparsemax(z), entmax_bisect(z, 2.0), atol=1e-12)


def test_sparsemax_axis_none_and_dtypes():
    rng = np.random.default_rng(1)
    z = rng.normal(size=(3, 4, 5))
    for axis in (0, 1, 2, -1):
        p = sparsemax(z, axis=axis)
        np.testing.assert_allclose(p.sum(axis=axis), 1.0)
        np.testing.assert_allclose(np.moveaxis(p, axis, -1), sparsemax(np.moveaxis(z, axis, -1)))
    np.testing.assert_allclose(sparsemax(z, axis=None), sparsemax(z.reshape(-1)).reshape(z.shape))
    assert sparsemax(z.astype(np.float32)).dtype == np.float32
    assert sparsemax(z.astype(np.float16)).dtype == np.float16
    assert sparsemax(np.array([1, 2, 3])).dtype == np.float64
    np.testing.assert_allclose(sparsemax(z.astype(np.float32)), sparsemax(z), atol=1e-6)


def test_sparsemax_large_inputs_do_not_overflow():
    p = sparsemax([1e300, 1e300 - 1e285, -1e300])
    assert p.tolist() == [1.0, 0.0, 0.0]
    np.testing.assert_allclose(sparsemax([1e8 + 0.3, 1e8]), [0.65, 0.35], atol=1e-8)


def test_special_values_follow_softmax():
    inf, nan = np.inf, np.nan
    x = np.array([[0.0, -inf, 1.0], [inf, 0.0, inf], [-inf, -inf, -inf], [0.0, nan, 1.0]])
    for f in (sparsemax, entmax15, lambda a: entmax_bisect(a, 1.3)):
        p = f(x)
        assert p[0, 1] == 0.0 and p[0].sum() == pytest.approx(1.0)
        assert p[1].tolist() == [0.5, 0.0, 0.5]
        assert np.all(np.isnan(p[2])) and np.all(np.isnan(p[3]))


def test_empty_axis():
    assert sparsemax(np.zeros((2, 0))).shape == (2, 0)
    assert entmax15(np.zeros((0, 3))).shape == (0, 3)
    # like logsumexp, the normaliser they generalise: the threshold of no scores is -inf
    assert sparsemax_threshold(np.zeros((2, 0))).tolist() == [-np.inf, -np.inf]
    assert entmax15_threshold(np.zeros((0, 3))).shape == (0,)


# --------------------------------------------------------------------------- 1.5-entmax


def test_entmax15_examples():
    assert entmax15([4.0, 0.0]).tolist() == [1.0, 0.0]
    np.testing.assert_allclose(entmax15([0.0, 0.0, 0.0]), [1 / 3] * 3)
    # two-point support: (u1 - tau)^2 + (u2 - tau)^2 = 1 solved by hand for u = (0.5, 0.25)
    tau = (1.5 - np.sqrt(1.5**2 - 8 * (0.3125 - 1))) / 4
    np.testing.assert_allclose(entmax15([1.0, 0.5, -3.0]), [(0.5 - tau) ** 2, (0.25 - tau) ** 2, 0.0])


@given(score_vectors)
@settings(max_examples=300)
def test_entmax15_matches_root_finding_reference(z):
    np.testing.assert_allclose(entmax15(z), entmax_by_root_finding(z, 1.5), atol=1e-9)


@given(score_vectors)
@settings(max_examples=300)
def test_entmax15_on_simplex_with_exact_zeros(z):
    p = entmax15(z)
    tau = entmax15_threshold(z)
    assert np.all(p >= 0)
    assert p.sum() == pytest.approx(1.0, abs=1e-12)
    assert np.all(p[z / 2 <= tau] == 0.0)
    np.testing.assert_allclose(p, np.maximum(z / 2 - tau, 0) ** 2, atol=1e-12)


@given(score_vectors, st.integers(0, 2**32 - 1))
@settings(max_examples=100)
def test_entmax15_maximises_the_tsallis_objective(z, seed):
    p = entmax15(z)
    best = tsallis_objective(p, z)
    rng = np.random.default_rng(seed)
    for q in rng.dirichlet(np.ones(len(z)), size=20):
        for t in (1e-3, 0.1, 1.0):
            assert tsallis_objective((1 - t) * p + t * q, z) <= best + 1e-12


def test_entmax15_matches_bisection_on_batches():
    rng = np.random.default_rng(2)
    z = rng.standard_t(2, size=(200, 12)) * 4
    np.testing.assert_allclose(entmax15(z), entmax_bisect(z, 1.5), atol=1e-12)
    np.testing.assert_allclose(entmax15(z.T, axis=0), entmax15(z).T)


def test_sparsity_orders_softmax_entmax_sparsemax():
    rng = np.random.default_rng(3)
    z = rng.normal(size=(500, 10)) * 2
    zeros = [np.count_nonzero(f(z) == 0) for f in (softmax, entmax15, sparsemax)]
    assert zeros[0] == 0 < zeros[1] < zeros[2]


# --------------------------------------------------------------------------- alpha-entmax limits


def test_alpha_one_is_softmax_and_the_limit_is_approached_linearly():
    z = np.array([1.0, 2.0, 3.0, -1.0])
    assert np.array_equal(entmax_bisect(z, 1.0), softmax(z))
    errors = [np.abs(entmax_bisect(z, 1 + eps) - softmax(z)).max() for eps in (1e-2, 1e-3, 1e-4)]
    assert errors[0] > errors[1] > errors[2]
    ratios = np.array(errors[:-1]) / np.array(errors[1:])
    np.testing.assert_allclose(ratios, 10.0, rtol=0.05)  # error proportional to alpha - 1


@given(score_vectors, st.floats(1.05, 4.0))
@settings(max_examples=100)
def test_entmax_bisect_matches_root_finding(z, alpha):
    np.testing.assert_allclose(entmax_bisect(z, alpha), entmax_by_root_finding(z, alpha), atol=1e-8)


# --------------------------------------------------------------------------- Jacobians


@given(score_vectors)
@settings(max_examples=100)
def test_jacobians_match_finite_differences_away_from_the_threshold(z):
    for f, jac, tau_fn, scale in (
        (sparsemax, sparsemax_jacobian, sparsemax_threshold, 1.0),
        (entmax15, entmax15_jacobian, entmax15_threshold, 0.5),
    ):
        gap = np.min(np.abs(scale * z - tau_fn(z)))
        if gap < 1e-3:  # a score on the threshold: not differentiable there
            continue
        np.testing.assert_allclose(jac(z), numerical_jacobian(f, z), atol=1e-6)


@given(score_vectors, st.integers(0, 2**32 - 1))
@settings(max_examples=100)
def test_jvp_equals_jacobian_times_vector(z, seed):
    v = np.random.default_rng(seed).normal(size=z.shape)
    np.testing.assert_allclose(sparsemax_jvp(z, v), sparsemax_jacobian(z) @ v, atol=1e-12)
    np.testing.assert_allclose(entmax15_jvp(z, v), entmax15_jacobian(z) @ v, atol=1e-12)


def test_jacobian_structure():
    z = np.array([0.5, 0.2, -1.0, 0.4])
    J = sparsemax_jacobian(z)
    support = sparsemax(z) > 0
    k = support.sum()
    np.testing.assert_allclose(J[np.ix_(support, support)], np.eye(k) - 1 / k)
    assert np.all(J[~support] == 0) and np.all(J[:, ~support] == 0)
    for jac in (sparsemax_jacobian, entmax15_jacobian):
        Jz = jac(z)
        np.testing.assert_allclose(Jz, Jz.T)
        np.testing.assert_allclose(Jz.sum(axis=0), 0, atol=1e-15)  # outputs keep summing to 1


def test_entmax_jacobian_family_reaches_softmax_jacobian():
    """With s = p^(2 - alpha), diag(s) - s s^T / sum(s) is softmax's Jacobian at alpha = 1."""
    z = np.array([0.3, -0.2, 1.1])
    p = softmax(z)
    np.testing.assert_allclose(np.diag(p) - np.outer(p, p), softmax_jacobian(z), atol=1e-15)


def test_jacobian_batch_shapes():
    z = np.random.default_rng(4).normal(size=(2, 5, 3))
    assert sparsemax_jacobian(z).shape == (2, 5, 3, 3)
    assert entmax15_jacobian(z, axis=1).shape == (2, 3, 5, 5)
    v = np.ones_like(z)
    np.testing.assert_allclose(sparsemax_jvp(z, v, axis=1), 0.0, atol=1e-15)  # J 1 = 0


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize("f", [sparsemax, entmax15, sparsemax_threshold, entmax15_threshold, entmax_bisect])
def test_bad_x(f):
    with pytest.raises(TypeError, match="x"):
        f([1 + 1j, 0])
    with pytest.raises(TypeError, match="x"):
        f(["a", "b"])
    with pytest.raises(np.exceptions.AxisError, match="axis"):
        f([1.0, 2.0], axis=1)
    with pytest.raises(TypeError, match="axis"):
        f([1.0, 2.0], axis=0.5)


def test_bad_alpha_v_and_n_iter():
    with pytest.raises(ValueError, match="alpha"):
        entmax_bisect([1.0, 2.0], 0.5)
    with pytest.raises(ValueError, match="alpha"):
        entmax_bisect([1.0, 2.0], np.nan)
    with pytest.raises(TypeError, match="alpha"):
        entmax_bisect([1.0, 2.0], "2")
    with pytest.raises(ValueError, match="n_iter"):
        entmax_bisect([1.0, 2.0], 1.5, n_iter=0)
    with pytest.raises(ValueError, match="v"):
        sparsemax_jvp([1.0, 2.0], [1.0])
    with pytest.raises(TypeError, match="v"):
        entmax15_jvp([1.0, 2.0], ["a", "b"])
