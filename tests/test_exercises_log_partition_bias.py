"""The checker of the exercise on the bias of the importance-sampled log Z: right answers pass, wrong ones fail."""

from __future__ import annotations

import itertools
import math
import re

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from exercise_assertions import assert_fails_naming_input, assert_not_attempted, stub
from softmaxlab import logsumexp
from softmaxlab.exercises import check_log_partition_bias
from softmaxlab.exercises.log_partition_bias import (
    LOG_PARTITION_BIAS_RTOL,
    _bias_reference,
)
from softmaxlab.importance import importance_log_partition

NAMES = re.compile(r"\bn = \d|\bz = \[")


def bias_leading_term(p, q, m):
    return -(sum(pk**2 / qk for pk, qk in zip(p, q)) - 1) / (2 * m)


def exact_bias(z, q, m):
    """Every sequence of m draws, in the log domain."""
    log_z = logsumexp(z)
    total = 0.0
    for draws in itertools.product(range(len(z)), repeat=m):
        s = np.array(draws)
        total += np.prod(q[s]) * (logsumexp(z[s] - np.log(q[s])) - np.log(m) - log_z)
    return total


def _own_symbols(p, q, m):
    n = len(p)
    mine_p = sp.symbols(f"p_1:{n + 1}")
    mine_q = sp.symbols(f"q_1:{n + 1}")
    return bias_leading_term(mine_p, mine_q, sp.Symbol("m"))


RIGHT_LEADING_TERMS = {
    "-(sum p^2/q - 1) / (2m)": bias_leading_term,
    "sum (p - q)^2 / q": lambda p, q, m: -sum((pk - qk) ** 2 / qk for pk, qk in zip(p, q)) / (2 * m),
    "variance of the ratio p/q under q": lambda p, q, m: -(sum(qk * (pk / qk) ** 2 for pk, qk in zip(p, q))
                                                           - sum(qk * pk / qk for pk, qk in zip(p, q)) ** 2) / (2 * m),
    "with (sum p)^2": lambda p, q, m: -(sum(pk**2 / qk for pk, qk in zip(p, q)) - sum(p) ** 2) / (2 * m),
    "own symbols without assumptions": _own_symbols,
    "float coefficient": lambda p, q, m: -0.5 * (sum(pk**2 / qk for pk, qk in zip(p, q)) - 1) / m,
    "a 1 x 1 Matrix": lambda p, q, m: sp.Matrix([[bias_leading_term(p, q, m)]]),
    "matrix products": lambda p, q, m: -((p.T * sp.diag(*[1 / qk for qk in q]) * p)[0] - 1) / (2 * m),
    "a list of one": lambda p, q, m: [bias_leading_term(p, q, m)],
}


@pytest.mark.parametrize("name", RIGHT_LEADING_TERMS)
def test_log_partition_bias_accepts_equivalent_leading_terms(name):
    r = check_log_partition_bias(RIGHT_LEADING_TERMS[name], exact_bias)
    assert r.passed, repr(r)
    assert r.message.startswith("Part 1: SymPy proves")


def _chi2(p, q):
    return sum(pk**2 / qk for pk, qk in zip(p, q)) - 1


WRONG_LEADING_TERMS = {
    "unbiased: 0": (lambda p, q, m: 0, "its logarithm is not"),
    "wrong sign": (lambda p, q, m: _chi2(p, q) / (2 * m), "wrong sign"),
    "missing the 1/2": (lambda p, q, m: -_chi2(p, q) / m, "twice the bias"),
    "missing the -1": (lambda p, q, m: -sum(pk**2 / qk for pk, qk in zip(p, q)) / (2 * m), "is not the leading"),
    "chi2(q || p), reversed": (lambda p, q, m: -(sum(qk**2 / pk for pk, qk in zip(p, q)) - 1) / (2 * m),
                               "is not the leading"),
    "1/m^2": (lambda p, q, m: -_chi2(p, q) / (2 * m**2), "is not the leading"),
    "KL(p || q) / m": (lambda p, q, m: -sum(pk * sp.log(pk / qk) for pk, qk in zip(p, q)) / m, "is not the leading"),
    "-KL(q || p), the one-draw bias": (lambda p, q, m: -sum(qk * sp.log(qk / pk) for pk, qk in zip(p, q)),
                                       "is not the leading"),
    "unweighted squared difference": (lambda p, q, m: -sum((pk - qk) ** 2 for pk, qk in zip(p, q)) / (2 * m),
                                      "is not the leading"),
    "p^2/q^2": (lambda p, q, m: -(sum(pk**2 / qk**2 for pk, qk in zip(p, q)) - 1) / (2 * m), "is not the leading"),
    "written for two classes": (lambda p, q, m: -(p[0] ** 2 / q[0] + p[1] ** 2 / q[1] - 1) / (2 * m),
                                "is not the leading"),
    "off by 1e-12 (no proof, numerically close)": (
        lambda p, q, m: bias_leading_term(p, q, m) * (1 + sp.Float("1e-12")), "is not the leading"),
}


@pytest.mark.parametrize("name", WRONG_LEADING_TERMS)
def test_log_partition_bias_rejects_wrong_leading_terms(name):
    answer, fragment = WRONG_LEADING_TERMS[name]
    r = check_log_partition_bias(answer, exact_bias)
    assert_fails_naming_input(r, fragment, names_input=NAMES)
    assert "Part" not in r.message


def test_log_partition_bias_counterexample_shows_differing_digits():
    r = check_log_partition_bias(WRONG_LEADING_TERMS["off by 1e-12 (no proof, numerically close)"][0], exact_bias)
    (got, want) = re.findall(r"it gives (\S+); the leading term is (\S+)\.", r.message)[0]
    assert got != want and len(got) > 8


def test_log_partition_bias_never_passes_without_a_proof(monkeypatch):
    import softmaxlab.exercises.log_partition_bias as module

    monkeypatch.setattr(module, "proves_equal", lambda answer, reference: False)
    r = check_log_partition_bias(bias_leading_term, exact_bias)
    assert_fails_naming_input(r, "SymPy could not prove", "no proof", names_input=NAMES)


def test_log_partition_bias_reads_every_symbolic_return_or_fails_with_a_message():
    Z, sigma = sp.symbols("Z sigma", positive=True)
    for junk, fragment in [
        (lambda p, q, m: -sigma**2 / (2 * m * Z**2), "uses Z, sigma"),
        (lambda p, q, m: sp.nan, "is undefined"),
        (lambda p, q, m: (1, 2), "expected 1"),
        (lambda p, q, m: None, "returned None"),
        (lambda p, q, m: sp.Function("f")(m), "f(m)"),
    ]:
        r = check_log_partition_bias(junk, exact_bias)
        assert_fails_naming_input(r, fragment, names_input=NAMES)


def _count_vectors(z, q, m):
    """The multinomial route: count vectors and their probabilities."""
    log_z = logsumexp(z)
    total = 0.0
    k = len(z)
    for counts in itertools.product(range(m + 1), repeat=k):
        if sum(counts) != m:
            continue
        c = np.array(counts)
        log_prob = math.lgamma(m + 1) + np.sum(c * np.log(q)) - sum(math.lgamma(x + 1) for x in counts)
        used = c > 0
        log_estimate = logsumexp(z[used] - np.log(q[used]) + np.log(c[used])) - np.log(m)
        total += np.exp(log_prob) * (log_estimate - log_z)
    return total


def _ratios(z, q, m):
    """In terms of r_k = p_k / q_k: log Z_hat - log Z = log(mean of r over the draws)."""
    p = np.exp(z - logsumexp(z))
    r = p / q
    total = 0.0
    for draws in itertools.product(range(len(z)), repeat=m):
        s = list(draws)
        total += np.prod(q[s]) * np.log(np.mean(r[s]))
    return total


def _library(z, q, m):
    total = 0.0
    for draws in itertools.product(range(len(z)), repeat=m):
        s = np.array(draws)
        total += np.prod(q[s]) * importance_log_partition(z[s], np.log(q[s]))
    return total - logsumexp(z)


def _mpmath(z, q, m):
    return _bias_reference(z, q, m)


RIGHT_BIASES = {
    "every sequence, log domain": exact_bias,
    "count vectors, multinomial": _count_vectors,
    "ratios p / q": _ratios,
    "softmaxlab.importance": _library,
    "mpmath (the reference itself)": _mpmath,
    "a 1-element list": lambda z, q, m: [exact_bias(z, q, m)],
    "a 0-d array": lambda z, q, m: np.array(exact_bias(z, q, m)),
}


@pytest.mark.parametrize("name", RIGHT_BIASES)
def test_log_partition_bias_accepts_exact_biases(name):
    r = check_log_partition_bias(bias_leading_term, RIGHT_BIASES[name])
    assert r.passed, repr(r)
    assert "Part 2: your exact_bias agrees" in r.message and "every bias is <= 0" in r.message


def _naive_exp(z, q, m):
    Z = np.sum(np.exp(z))
    total = 0.0
    for draws in itertools.product(range(len(z)), repeat=m):
        s = list(draws)
        total += np.prod(q[s]) * np.log(np.mean(np.exp(z[s]) / q[s]) / Z)
    return total


def _monte_carlo(z, q, m, n=200_000):
    rng = np.random.default_rng(0)
    s = rng.choice(len(z), size=(n, m), p=q)
    return float(np.mean(logsumexp(z[s] - np.log(q[s]), axis=1) - np.log(m)) - logsumexp(z))


def _draws_from_p(z, q, m):
    p = np.exp(z - logsumexp(z))
    return exact_bias(z, p / p.sum(), m) if np.allclose(p, q) else _with_probabilities(z, q, m, p)


def _with_probabilities(z, q, m, draw):
    log_z = logsumexp(z)
    total = 0.0
    for draws in itertools.product(range(len(z)), repeat=m):
        s = np.array(draws)
        total += np.prod(draw[s]) * (logsumexp(z[s] - np.log(q[s])) - np.log(m) - log_z)
    return total


def _multisets_unweighted(z, q, m):
    """Each multiset of draws once, with the product of its q's: the multinomial coefficient forgotten."""
    log_z = logsumexp(z)
    total = 0.0
    for draws in itertools.combinations_with_replacement(range(len(z)), m):
        s = np.array(draws)
        total += np.prod(q[s]) * (logsumexp(z[s] - np.log(q[s])) - np.log(m) - log_z)
    return total


def _without_replacement(z, q, m):
    log_z = logsumexp(z)
    if m > len(z):
        return 0.0
    total, weight = 0.0, 0.0
    for draws in itertools.permutations(range(len(z)), m):
        s = np.array(draws)
        total += np.prod(q[s]) * (logsumexp(z[s] - np.log(q[s])) - np.log(m) - log_z)
        weight += np.prod(q[s])
    return total / weight


def _delta_method(z, q, m):
    p = np.exp(z - logsumexp(z))
    return -(np.sum(p**2 / q) - 1) / (2 * m)


def _sum_not_mean(z, q, m):
    return exact_bias(z, q, m) + np.log(m)


def _weights_times_q(z, q, m):
    log_z = logsumexp(z)
    total = 0.0
    for draws in itertools.product(range(len(z)), repeat=m):
        s = np.array(draws)
        total += np.prod(q[s]) * (logsumexp(z[s] + np.log(q[s])) - np.log(m) - log_z)
    return total


OFF = "relative to the exact value"
WRONG_BIASES = {
    "unbiased: 0": (lambda z, q, m: 0.0, "The bias is not 0"),
    "log E[Z_hat] - log Z": (lambda z, q, m: float(logsumexp(z) - logsumexp(z)), "The bias is not 0"),
    "naive exp overflows": (_naive_exp, "over- or underflows"),
    "Monte Carlo, 200000 draws": (_monte_carlo, OFF),
    "draws from p, not q": (_draws_from_p, OFF),
    "multisets without the multinomial coefficient": (_multisets_unweighted, OFF),
    "without replacement": (_without_replacement, OFF),
    "the delta-method approximation": (_delta_method, OFF),
    "sign flipped": (lambda z, q, m: -exact_bias(z, q, m), "minus the bias"),
    "sum instead of mean": (_sum_not_mean, OFF),
    "weights times q": (_weights_times_q, OFF),
    "E[log Z_hat], log Z not subtracted": (lambda z, q, m: exact_bias(z, q, m) + logsumexp(z), OFF),
    "float32": (lambda z, q, m: np.float32(exact_bias(z, q, m)), OFF),
    "rounded to 6 decimals": (lambda z, q, m: round(float(exact_bias(z, q, m)), 6), OFF),
}


@pytest.mark.parametrize("name", WRONG_BIASES)
def test_log_partition_bias_rejects_wrong_biases(name):
    answer, fragment = WRONG_BIASES[name]
    r = check_log_partition_bias(bias_leading_term, answer)
    assert_fails_naming_input(r, fragment, "Accepted: |yours - reference| <=", names_input=NAMES)
    assert "Part" not in r.message


def test_log_partition_bias_tolerance_is_relative_to_the_reference():
    def scaled(factor):
        return lambda z, q, m: exact_bias(z, q, m) * factor

    assert check_log_partition_bias(bias_leading_term, scaled(1 + 0.5 * LOG_PARTITION_BIAS_RTOL)).passed
    r = check_log_partition_bias(bias_leading_term, scaled(1 + 5 * LOG_PARTITION_BIAS_RTOL))
    assert_fails_naming_input(r, "1e-12 + 1e-09 |reference|", names_input=NAMES)
    r = check_log_partition_bias(bias_leading_term, lambda z, q, m: exact_bias(z, q, m) - 1e-10)
    assert r.status == "failed", "the floor is far below 1e-10"


@pytest.mark.parametrize(
    "value, fragment",
    [(float("nan"), "over- or underflows"), (float("-inf"), "over- or underflows"), (0.1 + 0.1j, "complex"),
     (np.array([0.1, 0.2]), "shape"), (None, "returned None"), (sp.Symbol("m"), "symbolic expression")],
    ids=["nan", "-inf", "complex", "two numbers", "None", "symbol"],
)
def test_log_partition_bias_rejects_non_numbers(value, fragment):
    r = check_log_partition_bias(bias_leading_term, lambda z, q, m: value)
    assert_fails_naming_input(r, fragment, names_input=NAMES)


def test_log_partition_bias_does_not_use_inputs_the_answer_mutated():
    def mutating(z, q, m):
        value = exact_bias(z, q, m)
        z[:] = 0.0
        q[:] = 1.0
        return value

    assert check_log_partition_bias(bias_leading_term, mutating).passed


def test_log_partition_bias_scaffold_is_not_attempted():
    assert_not_attempted(check_log_partition_bias(stub, stub))
    assert_not_attempted(check_log_partition_bias(None, None))
    r = check_log_partition_bias(bias_leading_term, stub)
    assert_not_attempted(r)
    assert r.message.startswith("Part 1: SymPy proves") and "part 2" in r.message
    assert check_log_partition_bias(None, _naive_exp).status == "failed"
    assert check_log_partition_bias(WRONG_LEADING_TERMS["wrong sign"][0], stub).status == "failed"


@settings(max_examples=25)
@given(
    st.lists(st.floats(-5, 5), min_size=1, max_size=3),
    st.integers(1, 3),
    st.data(),
)
def test_the_reference_is_the_sum_over_sequences_and_never_positive(z, m, data):
    z = np.array(z)
    counts = np.array(data.draw(st.lists(st.integers(1, 8), min_size=len(z), max_size=len(z))))
    q = counts / counts.sum()
    reference = _bias_reference(z, q, m)
    assert reference <= 1e-15
    np.testing.assert_allclose(exact_bias(z, q, m), reference, rtol=1e-9, atol=1e-12)
