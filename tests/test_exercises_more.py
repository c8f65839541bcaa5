"""Tests of the checkers of exercises 8-11 (softmaxlab.exercises.thermo, .sampling, .variants).

For every checker: the reference solution and other correct answers pass;
realistic wrong answers fail with a message naming the input they fail on; the
untouched scaffold (None, or a function raising NotImplementedError) gives
"not attempted" without raising. Then the references the checkers compare
against are tested themselves: against the library, against scipy, and for
the calibration of the Gumbel-max goodness-of-fit test.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from softmaxlab import (
    balanced_tree,
    gumbel_max_sample,
    hierarchical_softmax,
    huffman_tree,
    logsumexp,
    softmax,
    sparsemax,
    sparsemax_threshold,
)
from softmaxlab import energy_variance as library_energy_variance
from softmaxlab.exercises import (
    CheckResult,
    check_energy_variance,
    check_gumbel_max,
    check_hierarchical_sum,
    check_sparsemax_threshold,
    chi_square_test,
    children_table,
    nested_tree,
)
from softmaxlab.exercises.sampling import GUMBEL_LEVEL, N_DRAWS
from softmaxlab.exercises.thermo import _variance_reference
from softmaxlab.exercises.variants import _leaf_reference, _random_nested, _threshold_reference

import exercise_assertions as shared
from exercise_assertions import assert_not_attempted, stub

# A failure message names its input: "E = [...]", "pi = [...]", "z = [...]", "children = [...]" or "n = 2 states".
NAMES_INPUT = re.compile(r"\b(E|pi|z|children|s) = \[|\bn = \d")


def assert_fails_naming_input(result, *fragments: str) -> None:
    shared.assert_fails_naming_input(result, NAMES_INPUT, *fragments)


def sigmoid(t):
    return np.exp(-np.logaddexp(0.0, -t))


# ------------------------------------------------------------------ exercise 8: the energy variance


def log_z_derivatives(p, E):
    mean = p.dot(E)
    return -mean, p.dot(E.applyfunc(lambda e: e**2)) - mean**2


def energy_variance(E, beta):
    p = softmax(-beta * E)
    return np.sum(p * (E - np.sum(p * E)) ** 2)


@pytest.mark.parametrize(
    "derivatives",
    [
        log_z_derivatives,
        lambda p, E: (-sum(p[i] * E[i] for i in range(len(p))),
                      sum(p[i] * (E[i] - p.dot(E)) ** 2 for i in range(len(p)))),
        # uses sum(p) = 1 where the reference would not
        lambda p, E: (-p.dot(E) * sum(p), sum(p) * p.dot(E.applyfunc(lambda e: e**2)) - p.dot(E) ** 2),
        lambda p, E: [-(p.T * E)[0], (p.T * E.applyfunc(lambda e: e**2))[0] - (p.T * E)[0] ** 2],
    ],
    ids=["<E^2> - <E>^2", "centred", "times sum p", "list, matrix products"],
)
def test_energy_variance_accepts_equivalent_derivatives(derivatives):
    r = check_energy_variance(derivatives, energy_variance)
    assert r.passed, repr(r)


@pytest.mark.parametrize(
    "variance",
    [energy_variance, lambda E, beta: library_energy_variance(E, temperature=1.0 / beta)],
    ids=["two-pass", "softmaxlab.energy_variance"],
)
def test_energy_variance_accepts_stable_variances(variance):
    r = check_energy_variance(log_z_derivatives, variance)
    assert r.passed, repr(r)
    assert "Part 1" in r.message and "Part 2" in r.message


WRONG_DERIVATIVES = {
    "first derivative with the wrong sign": lambda p, E: (p.dot(E), log_z_derivatives(p, E)[1]),
    "<E^2> without -<E>^2": lambda p, E: (-p.dot(E), p.dot(E.applyfunc(lambda e: e**2))),
    "negated variance": lambda p, E: (-p.dot(E), -log_z_derivatives(p, E)[1]),
    "unweighted variance": lambda p, E: (-p.dot(E), sum(e**2 for e in E) / len(E) - (sum(E) / len(E)) ** 2),
    "p_i^2 weights": lambda p, E: (-p.dot(E), sum(p[i] ** 2 * E[i] ** 2 for i in range(len(p))) - p.dot(E) ** 2),
    "mean instead of the variance": lambda p, E: (-p.dot(E), p.dot(E)),
}


@pytest.mark.parametrize("name", WRONG_DERIVATIVES)
def test_energy_variance_rejects_wrong_derivatives(name):
    r = check_energy_variance(WRONG_DERIVATIVES[name], energy_variance)
    assert_fails_naming_input(r, "n = 2 states", "At E = [", "is not the derivative of log Z")


def test_energy_variance_explains_sign_and_second_moment():
    r = check_energy_variance(WRONG_DERIVATIVES["first derivative with the wrong sign"], energy_variance)
    assert "d log Z / d beta" in r.message and "wrong sign" in r.message
    r = check_energy_variance(WRONG_DERIVATIVES["negated variance"], energy_variance)
    assert "a variance is never negative" in r.message
    r = check_energy_variance(WRONG_DERIVATIVES["<E^2> without -<E>^2"], energy_variance)
    assert "the second moment" in r.message


def test_energy_variance_rejects_beta_and_z_in_the_answer():
    beta, Z = sp.symbols("beta Z", positive=True)
    r = check_energy_variance(lambda p, E: (-p.dot(E) * Z / Z, beta * p.dot(E)), energy_variance)
    assert_fails_naming_input(r, "uses the symbols beta")
    r = check_energy_variance(lambda p, E: (-p.dot(E),), energy_variance)
    assert r.status == "failed" and "return a pair" in r.message


def _naive_variance(E, beta):
    w = np.exp(-beta * E)
    p = w / w.sum()
    return np.sum(p * (E - np.sum(p * E)) ** 2)


def _finite_difference_variance(E, beta, h=1e-4):
    def log_z(b):
        return float(logsumexp(-b * E))

    return (log_z(beta + h) - 2 * log_z(beta) + log_z(beta - h)) / h**2


WRONG_VARIANCES = {
    "naive exp: Z under/overflows": (_naive_variance, "over- or underflows"),
    "one-pass <E^2> - <E>^2": (lambda E, b: np.sum(softmax(-b * E) * E**2) - np.sum(softmax(-b * E) * E) ** 2,
                               "subtract the mean first"),
    "finite difference of log Z": (_finite_difference_variance, "relative to the exact one"),
    "unweighted np.var": (lambda E, b: np.var(E), "relative to the exact one"),
    "Var(beta E)": (lambda E, b: energy_variance(b * E, 1.0), "relative to the exact one"),
    "softmax(+beta E)": (lambda E, b: energy_variance(-E, b), "relative to the exact one"),
}


@pytest.mark.parametrize("name", WRONG_VARIANCES)
def test_energy_variance_rejects_unstable_or_wrong_variances(name):
    variance, fragment = WRONG_VARIANCES[name]
    r = check_energy_variance(log_z_derivatives, variance)
    assert_fails_naming_input(r, "the energy variance is", fragment)


def test_energy_variance_names_the_overflowing_and_cancelling_inputs():
    r = check_energy_variance(log_z_derivatives, WRONG_VARIANCES["naive exp: Z under/overflows"][0])
    assert r.message.startswith("For E = [1000, 1001, 1002], beta = 1")
    r = check_energy_variance(log_z_derivatives, WRONG_VARIANCES["one-pass <E^2> - <E>^2"][0])
    assert r.message.startswith("For E = [1000000, 1000001, 1000002], beta = 1")


def test_energy_variance_scaffold_is_not_attempted():
    assert_not_attempted(check_energy_variance(stub, stub))
    assert_not_attempted(check_energy_variance(None, None))


def test_energy_variance_reports_a_finished_part_while_the_other_is_a_scaffold():
    r = check_energy_variance(log_z_derivatives, stub)
    assert_not_attempted(r)
    assert r.message.startswith("Part 1: SymPy proves") and "part 2" in r.message
    r = check_energy_variance(None, energy_variance)
    assert_not_attempted(r)
    assert r.message.startswith("Part 2:") and "part 1" in r.message


def test_energy_variance_fails_a_wrong_part_even_if_the_other_is_a_scaffold():
    assert check_energy_variance(None, _naive_variance).status == "failed"
    assert check_energy_variance(WRONG_DERIVATIVES["negated variance"], stub).status == "failed"


@settings(max_examples=40, deadline=None)
@given(
    hnp.arrays(np.float64, st.integers(1, 8), elements=st.floats(-50, 50)),
    st.floats(0.01, 20.0),
)
def test_the_variance_reference_agrees_with_softmaxlab(E, beta):
    exact = _variance_reference(E, beta)
    assert exact >= 0
    np.testing.assert_allclose(library_energy_variance(E, temperature=1 / beta), exact, rtol=1e-9, atol=1e-12)


# ------------------------------------------------------------------ exercise 9: the Gumbel-max trick


def gumbel_max(pi, rng, n):
    return np.argmax(np.log(pi) + rng.gumbel(size=(n, len(pi))), axis=1)


def gumbel_max_from_uniforms(pi, rng, n):
    u = rng.random(size=(len(pi), n))
    return np.argmax(np.log(pi)[:, None] - np.log(-np.log(u)), axis=0)


def burn_then_sample(burn):
    def sample(pi, rng, n):
        rng.random(burn)  # a different stream for the same seed
        return gumbel_max(pi, rng, n)

    return sample


@pytest.mark.parametrize(
    "sample",
    [
        gumbel_max,
        gumbel_max_from_uniforms,
        lambda pi, rng, n: gumbel_max_sample(np.log(pi), rng, size=n),
        lambda pi, rng, n: rng.choice(len(pi), size=n, p=pi),
        *[burn_then_sample(k) for k in (1, 2, 3, 5, 8)],
    ],
    ids=["gumbel", "from uniforms", "softmaxlab", "rng.choice", *[f"burn {k}" for k in (1, 2, 3, 5, 8)]],
)
def test_gumbel_max_accepts_correct_samplers(sample):
    with np.errstate(divide="ignore"):
        r = check_gumbel_max(sample)
    assert r.passed, repr(r)


WRONG_SAMPLERS = {
    "argmax without noise": lambda pi, rng, n: np.full(n, np.argmax(np.log(pi))),
    "pi + G instead of log pi + G": lambda pi, rng, n: np.argmax(pi + rng.gumbel(size=(n, len(pi))), axis=1),
    "uniform noise": lambda pi, rng, n: np.argmax(np.log(pi) + rng.random(size=(n, len(pi))), axis=1),
    "exponential noise (one log)": lambda pi, rng, n: np.argmax(
        np.log(pi) - np.log(rng.random(size=(n, len(pi)))), axis=1
    ),
    "log pi - G": lambda pi, rng, n: np.argmax(np.log(pi) - rng.gumbel(size=(n, len(pi))), axis=1),
    "Gaussian noise": lambda pi, rng, n: np.argmax(np.log(pi) + rng.normal(size=(n, len(pi))), axis=1),
    "one noise vector for every draw": lambda pi, rng, n: np.full(n, np.argmax(np.log(pi) + rng.gumbel(size=len(pi)))),
    "argmin": lambda pi, rng, n: np.argmin(np.log(pi) + rng.gumbel(size=(n, len(pi))), axis=1),
    "clips pi at 0.01 to avoid log 0": lambda pi, rng, n: np.argmax(
        np.log(np.maximum(pi, 0.01)) + rng.gumbel(size=(n, len(pi))), axis=1
    ),
}


@pytest.mark.parametrize("name", WRONG_SAMPLERS)
def test_gumbel_max_rejects_wrong_samplers(name):
    with np.errstate(divide="ignore"):
        r = check_gumbel_max(WRONG_SAMPLERS[name])
    assert_fails_naming_input(r, "your sampler drew" if "log 0" in name else "Pearson's chi-square")


def test_gumbel_max_messages():
    with np.errstate(divide="ignore"):
        r = check_gumbel_max(WRONG_SAMPLERS["pi + G instead of log pi + G"])
        assert r.message.startswith("For pi = [0.8, 0.2] (two classes), your 20000 draws have frequencies")
        r = check_gumbel_max(WRONG_SAMPLERS["clips pi at 0.01 to avoid log 0"])
        assert "class 0, of probability 0" in r.message and "pi = [0, 0.7, 0.3]" in r.message
        r = check_gumbel_max(WRONG_SAMPLERS["log pi - G"])
        assert "pi = [0.5, 0.3, 0.2]" in r.message  # -G is right for K = 2 (a logistic difference), wrong for 3


def test_gumbel_max_requires_the_rng_argument():
    def unseeded(pi, rng, n):
        return gumbel_max(pi, np.random.default_rng(), n)

    with np.errstate(divide="ignore"):
        r = check_gumbel_max(unseeded)
    assert_fails_naming_input(r, "seeded alike gave different draws")


@pytest.mark.parametrize(
    "sample, fragment",
    [
        (lambda pi, rng, n: np.argmax(np.log(pi) + rng.gumbel(size=(n, len(pi))), axis=0), "shape"),
        (lambda pi, rng, n: np.max(np.log(pi) + rng.gumbel(size=(n, len(pi))), axis=1), "not class indices"),
        (lambda pi, rng, n: "abc", "return an array"),
    ],
    ids=["argmax over the draws", "max instead of argmax", "a string"],
)
def test_gumbel_max_rejects_malformed_output(sample, fragment):
    with np.errstate(divide="ignore"):
        r = check_gumbel_max(sample)
    assert r.status == "failed" and fragment in r.message and "pi = [" in r.message


def test_gumbel_max_scaffold_is_not_attempted():
    assert_not_attempted(check_gumbel_max(stub))
    assert_not_attempted(check_gumbel_max(None))


def test_chi_square_test_matches_scipy_without_pooling():
    stats = pytest.importorskip("scipy.stats")
    counts = np.array([480, 330, 190])
    pi = np.array([0.5, 0.3, 0.2])
    statistic, dof, p_value = chi_square_test(counts, pi)
    reference = stats.chisquare(counts, counts.sum() * pi)
    assert dof == 2
    assert statistic == pytest.approx(reference.statistic, rel=1e-12)
    assert p_value == pytest.approx(reference.pvalue, rel=1e-10)


def test_chi_square_test_pools_small_cells_and_skips_impossible_classes():
    # expected counts 1000 * [0.997, 0.002, 0.001]: the two rare classes (2 and 1 expected) are
    # pooled, and the pooled cell (3 expected) is merged into the remaining one: a single cell.
    assert chi_square_test([995, 3, 2], [0.997, 0.002, 0.001]) == (0.0, 0, 1.0)
    statistic, dof, _ = chi_square_test([500, 480, 20, 0], [0.5, 0.49, 0.01, 0.0])
    assert dof == 2 and statistic == pytest.approx(0.0 + 0.4**2 * 0 + (480 - 490) ** 2 / 490 + 10**2 / 10)


def test_chi_square_p_values_of_correct_samples_are_calibrated():
    """Under the null, about 5 % of p-values fall below 0.05 and about 1 % below 0.01."""
    pi = np.array([0.5, 0.25, 0.15, 0.07, 0.03])
    p_values = []
    for seed in range(400):
        draws = gumbel_max_sample(np.log(pi), rng=seed, size=2000)
        p_values.append(chi_square_test(np.bincount(draws, minlength=5), pi)[2])
    p_values = np.array(p_values)
    assert 0.025 <= np.mean(p_values < 0.05) <= 0.08
    assert np.mean(p_values < 0.01) <= 0.03
    assert 0.4 <= np.mean(p_values < 0.5) <= 0.6


def test_the_gumbel_check_has_power_against_a_small_bias():
    """Draws from a distribution 0.03 away from pi in one class fail the check (N_DRAWS = 20000)."""

    def biased(pi, rng, n):
        q = pi.copy()
        if len(q) == 2 and q.min() > 0.1:
            q = q + np.array([0.03, -0.03])
        return rng.choice(len(q), size=n, p=q)

    r = check_gumbel_max(biased)
    assert r.status == "failed" and "pi = [0.8, 0.2]" in r.message
    assert N_DRAWS == 20_000 and GUMBEL_LEVEL == 1e-4


# ------------------------------------------------------------------ exercise 10: hierarchical softmax


def leaf_probabilities(children, s):
    p = np.ones(len(children) + 1)

    def walk(node, reach):
        for child, turn in zip(children[node], (sigmoid(s[node]), sigmoid(-s[node]))):
            if child < 0:
                p[-1 - child] = reach * turn
            else:
                walk(child, reach * turn)

    if len(children):
        walk(0, 1.0)
    return p


def leaf_probabilities_iterative(children, s):
    """Breadth-first, in log space, with 1 - sigmoid(s) for the right child."""
    K = len(children) + 1
    log_p = np.zeros(K)
    frontier = [(0, 0.0)] if K > 1 else []
    while frontier:
        node, reach = frontier.pop(0)
        left, right = children[node]
        for child, value in ((left, reach + np.log(sigmoid(s[node]))), (right, reach + np.log1p(-sigmoid(s[node])))):
            if child < 0:
                log_p[-1 - child] = value
            else:
                frontier.append((child, value))
    return np.exp(log_p)


@pytest.mark.parametrize("solution", [leaf_probabilities, leaf_probabilities_iterative], ids=["recursive", "iterative"])
def test_hierarchical_sum_solutions_pass(solution):
    with np.errstate(divide="ignore"):
        r = check_hierarchical_sum(solution)
    assert r.passed, repr(r)


def _walk_with(left_turn, right_turn, skip_root=False, leaf_index=lambda c: -1 - c):
    def f(children, s):
        p = np.zeros(len(children) + 1) if len(children) else np.ones(1)

        def walk(node, reach, depth):
            for side, child in enumerate(children[node]):
                turn = (left_turn if side == 0 else right_turn)(s[node])
                value = reach if (skip_root and depth == 0) else reach * turn
                if child < 0:
                    p[leaf_index(child)] = value
                else:
                    walk(child, value, depth + 1)

        if len(children):
            walk(0, 1.0, 0)
        return p

    return f


def _heap_order(children, s):
    """Assumes a complete tree numbered like a heap (children of n are 2n + 1 and 2n + 2)."""
    K = len(children) + 1
    depth = int(np.ceil(np.log2(K))) if K > 1 else 0
    p = np.ones(K)
    for k in range(K):
        node = 0
        for bit in format(k, f"0{depth}b") if depth else "":
            if node >= len(s):
                break
            p[k] *= sigmoid(s[node]) if bit == "0" else sigmoid(-s[node])
            node = 2 * node + 1 + int(bit)
    return p


def _parent_only(children, s):
    p = np.ones(len(children) + 1)
    for n, (left, right) in enumerate(children):
        if left < 0:
            p[-1 - left] = sigmoid(s[n])
        if right < 0:
            p[-1 - right] = sigmoid(-s[n])
    return p


WRONG_LEAF_PROBABILITIES = {
    "left and right swapped": (_walk_with(lambda t: sigmoid(-t), sigmoid), "do sum to 1"),
    "sigmoid(s) on both sides": (_walk_with(sigmoid, sigmoid), "not 1"),
    "root factor forgotten": (_walk_with(sigmoid, lambda t: sigmoid(-t), skip_root=True), "not 1"),
    "only the last turn": (_parent_only, "not 1"),
    "assumes heap numbering": (_heap_order, "class 0 should get"),
    "flat softmax of the scores": (lambda children, s: softmax(np.append(s, 0.0)), "do sum to 1"),
    "log-probabilities": (lambda children, s: np.log(leaf_probabilities(children, s)), "not 1"),
    "leaf -c instead of -1 - c": (_walk_with(sigmoid, lambda t: sigmoid(-t), leaf_index=lambda c: -c), "IndexError"),
}


@pytest.mark.parametrize("name", WRONG_LEAF_PROBABILITIES)
def test_hierarchical_sum_rejects_wrong_answers(name):
    answer, fragment = WRONG_LEAF_PROBABILITIES[name]
    r = check_hierarchical_sum(answer)
    assert_fails_naming_input(r, "children = [", fragment)


def test_hierarchical_sum_message_shows_the_tree():
    r = check_hierarchical_sum(WRONG_LEAF_PROBABILITIES["only the last turn"][0])
    assert r.message.startswith("For the tree ((0, 1), 2) (three classes) with children = [[1, -3], [-1, -2]]")
    r = check_hierarchical_sum(WRONG_LEAF_PROBABILITIES["assumes heap numbering"][0])
    assert "(((0, 1), 2), 3)" in r.message  # the left-deep chain


def test_hierarchical_sum_rejects_a_wrong_length():
    r = check_hierarchical_sum(lambda children, s: sigmoid(s))
    assert r.status == "failed" and "shape" in r.message and "children = [" in r.message


def test_hierarchical_sum_scaffold_is_not_attempted():
    assert_not_attempted(check_hierarchical_sum(stub))
    assert_not_attempted(check_hierarchical_sum(None))


@pytest.mark.parametrize("tree", [balanced_tree(1), balanced_tree(2), balanced_tree(7), balanced_tree(16),
                                  huffman_tree([45, 13, 12, 16, 9, 5]), huffman_tree(np.arange(1, 30))],
                         ids=["balanced 1", "balanced 2", "balanced 7", "balanced 16", "huffman 6", "huffman 29"])
def test_the_tree_walk_reference_agrees_with_softmaxlab(tree):
    s = np.random.default_rng(tree.n_classes).normal(0.0, 3.0, size=tree.n_internal)
    np.testing.assert_allclose(_leaf_reference(tree.children, s), hierarchical_softmax(s, tree), rtol=1e-12, atol=1e-300)
    assert nested_tree(children_table(nested_tree(tree.children))) == nested_tree(tree.children)


@settings(max_examples=50, deadline=None)
@given(st.integers(1, 40), st.integers(0, 2**32 - 1), st.floats(0.1, 30.0))
def test_children_tables_round_trip_and_the_reference_sums_to_one(K, seed, scale):
    rng = np.random.default_rng(seed)
    tree = _random_nested(rng, K)
    order = [0, *(1 + rng.permutation(K - 2)).tolist()] if K > 2 else list(range(K - 1))
    table = children_table(tree, order)
    assert table.shape == (K - 1, 2)
    if K > 1:
        assert sorted((-1 - table[table < 0]).tolist()) == list(range(K))  # every class is one leaf
    assert nested_tree(table) == tree
    p = _leaf_reference(table, rng.normal(0.0, scale, size=K - 1))
    assert np.all(p >= 0) and abs(p.sum() - 1.0) < 1e-12


def test_children_table_rejects_a_renumbering_that_moves_the_root():
    with pytest.raises(ValueError, match="order"):
        children_table(((0, 1), 2), order=[1, 0])


# ------------------------------------------------------------------ exercise 11: the sparsemax threshold


def threshold(z):
    m = np.max(z)
    zs = np.sort(z - m)[::-1]
    cs = np.cumsum(zs)
    k = np.arange(1, len(z) + 1)
    k_z = k[1 + k * zs > cs][-1]
    return (cs[k_z - 1] - 1) / k_z + m


def threshold_by_bisection(z):
    lo, hi = np.max(z) - 1.0, np.max(z)
    for _ in range(100):
        mid = 0.5 * (lo + hi)
        if np.sum(np.maximum(z - mid, 0.0)) >= 1.0:
            lo = mid
        else:
            hi = mid
    return lo


def threshold_loop(z):
    """Plain Python: walk down the sorted scores, keeping the last k that passes the test."""
    ordered = sorted(z.tolist(), reverse=True)
    top, total = ordered[0], 0.0
    for k, value in enumerate(ordered, start=1):
        total += value - top
        if 1 + k * (value - top) > total:
            tau = (total - 1) / k + top
    return tau


@pytest.mark.parametrize(
    "solution",
    [threshold, threshold_by_bisection, lambda z: float(sparsemax_threshold(z)), threshold_loop],
    ids=["sort and shift", "bisection", "softmaxlab", "python loop"],
)
def test_sparsemax_threshold_solutions_pass(solution):
    r = check_sparsemax_threshold(solution)
    assert r.passed, repr(r)


def _sorted_rule(order=lambda z: np.sort(z)[::-1], minus=1.0, extra_k=0, condition_k_offset=0, shift=True, first=False):
    def tau(z):
        m = np.max(z) if shift else 0.0
        zs = order(z - m)
        cs = np.cumsum(zs)
        k = np.arange(1, len(z) + 1)
        ok = 1 + (k - condition_k_offset) * zs > cs
        k_z = (k[ok][0] if first else k[ok][-1]) if ok.any() else 1
        return (cs[k_z - 1] - minus) / (k_z + extra_k) + m

    return tau


WRONG_THRESHOLDS = {
    "forgets the -1": _sorted_rule(minus=0.0),
    "k counted from 0 in the test": _sorted_rule(condition_k_offset=1),
    "divides by k + 1": _sorted_rule(extra_k=1),
    "sorts ascending": _sorted_rule(order=np.sort),
    "does not sort": _sorted_rule(order=lambda z: z),
    "smallest k instead of the largest": _sorted_rule(first=True),
    "mean of all entries (full support)": lambda z: (np.sum(z) - 1) / len(z),
    "mean of z": np.mean,
    "logsumexp, softmax's normaliser": lambda z: float(logsumexp(z)),
    "max(z) - 1 (support of one)": lambda z: np.max(z) - 1,
}


@pytest.mark.parametrize("name", WRONG_THRESHOLDS)
def test_sparsemax_threshold_rejects_wrong_thresholds(name):
    r = check_sparsemax_threshold(WRONG_THRESHOLDS[name])
    assert_fails_naming_input(r, "the threshold is tau =", "not 1")


def test_sparsemax_threshold_messages():
    r = check_sparsemax_threshold(WRONG_THRESHOLDS["forgets the -1"])
    assert r.message.startswith("For z = [0.5, 0.2, -1] (two of three entries in the support) the threshold is tau = -0.15")
    assert "too large" in r.message


def test_sparsemax_threshold_accepts_an_unshifted_rule_that_falls_back_to_k_1():
    # At 1e300, 1 + z_(1) rounds to z_(1) and no k passes the test; falling back to k = 1 gives
    # tau = z_(1) - 1, which is z_(1) in float64: as exact as the format allows.
    assert check_sparsemax_threshold(_sorted_rule(shift=False)).passed


def test_sparsemax_threshold_advises_the_shift_when_an_unshifted_rule_crashes():
    def crashing(z):
        zs = np.sort(z)[::-1]
        cs = np.cumsum(zs)
        k = np.arange(1, len(z) + 1)
        k_z = k[1 + k * zs > cs][-1]
        return (cs[k_z - 1] - 1) / k_z

    with np.errstate(over="ignore", invalid="ignore"):
        r = check_sparsemax_threshold(crashing)
    assert r.status == "failed" and "IndexError" in r.message and "subtract max(z) first" in r.message


@pytest.mark.parametrize(
    "answer, fragment",
    [(softmax, "return one number"), (sparsemax, "return one number"), (lambda z: np.nan, "finite number")],
    ids=["softmax vector", "sparsemax vector", "nan"],
)
def test_sparsemax_threshold_rejects_non_thresholds(answer, fragment):
    r = check_sparsemax_threshold(answer)
    assert r.status == "failed" and fragment in r.message and "z = [" in r.message


def test_sparsemax_threshold_scaffold_is_not_attempted():
    assert_not_attempted(check_sparsemax_threshold(stub))
    assert_not_attempted(check_sparsemax_threshold(None))


@settings(max_examples=80, deadline=None)
@given(hnp.arrays(np.float64, st.integers(1, 12), elements=st.floats(-1e4, 1e4) | st.integers(-3, 3).map(float)))
def test_the_bisection_reference_is_the_threshold(z):
    tau = _threshold_reference(z)
    scale = 1.0 + np.max(np.abs(z))
    assert abs(np.sum(np.maximum(z - tau, 0.0)) - 1.0) <= 1e-9 * scale
    np.testing.assert_allclose(tau, sparsemax_threshold(z), rtol=0, atol=1e-12 * scale)
    np.testing.assert_allclose(np.maximum(z - tau, 0.0), sparsemax(z), rtol=0, atol=1e-12 * scale)
