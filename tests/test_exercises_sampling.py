"""Tests of softmaxlab.exercises.sampling: the checker of the Gumbel-max exercise and its goodness-of-fit test.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from softmaxlab import (
    gumbel_max_sample,
)
from softmaxlab.exercises import (
    check_gumbel_max,
    chi_square_test,
)
from softmaxlab.exercises.sampling import GUMBEL_LEVEL, N_DRAWS

import exercise_assertions as shared
from exercise_assertions import assert_not_attempted, stub

# A failure message names its input: "E = [...]", "pi = [...]", "z = [...]", "children = [...]" or "n = 2 states".
NAMES_INPUT = re.compile(r"\b(E|pi|z|children|s) = \[|\bn = \d")


def assert_fails_naming_input(result, *fragments: str) -> None:
    shared.assert_fails_naming_input(result, NAMES_INPUT, *fragments)


def sigmoid(t):
    return np.exp(-np.logaddexp(0.0, -t))


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
