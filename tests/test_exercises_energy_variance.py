"""Tests of softmaxlab.exercises.energy_variance: the checker of the energy-variance exercise.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from exercise_assertions import assert_fails_naming_input, assert_not_attempted, stub
from softmaxlab import energy_variance as library_energy_variance
from softmaxlab import (
    logsumexp,
    softmax,
)
from softmaxlab.exercises import (
    check_energy_variance,
)
from softmaxlab.exercises.energy_variance import ENERGY_VARIANCE_RTOL, _variance_reference
from strategies import vectors

# ------------------------------------------------------------------ the energy variance


def log_z_derivatives(p, E):
    mean = p.dot(E)
    return -mean, p.dot(E.applyfunc(lambda e: e**2)) - mean**2


def energy_variance(E, beta):
    p = softmax(-beta * E)
    return np.sum(p * (E - np.sum(p * E)) ** 2)


def _fresh_symbols(p, E):
    """The reader's own symbols: same names, no assumptions."""
    n = len(p)
    return sp.Matrix(sp.symbols(f"p_1:{n + 1}")), sp.Matrix(sp.symbols(f"E_1:{n + 1}"))


def _own_symbols(p, E):
    mine_p, mine_E = _fresh_symbols(p, E)
    return log_z_derivatives(mine_p, mine_E)


def _as_strings(p, E):
    n = len(p)
    mean = " + ".join(f"p_{i}*E_{i}" for i in range(1, n + 1))
    second = " + ".join(f"p_{i}*E_{i}**2" for i in range(1, n + 1))
    return f"-({mean})", f"{second} - ({mean})**2"


def _eliminate_first_p(p, E):
    """Uses sum p = 1 to write p_1 as 1 - p_2 - ... - p_n."""
    q = sp.Matrix([1 - sum(p[1:], sp.Integer(0)), *p[1:]])
    return log_z_derivatives(q, E)


RIGHT_DERIVATIVES = {
    "<E^2> - <E>^2": log_z_derivatives,
    "centred": lambda p, E: (-sum(p[i] * E[i] for i in range(len(p))),
                             sum(p[i] * (E[i] - p.dot(E)) ** 2 for i in range(len(p)))),
    # uses sum(p) = 1 where the reference would not
    "times sum p": lambda p, E: (-p.dot(E) * sum(p), sum(p) * p.dot(E.applyfunc(lambda e: e**2)) - p.dot(E) ** 2),
    "list, matrix products": lambda p, E: [-(p.T * E)[0], (p.T * E.applyfunc(lambda e: e**2))[0] - (p.T * E)[0] ** 2],
    "1 x 1 Matrices": lambda p, E: (-(p.T * E), p.T * E.applyfunc(lambda e: e**2) - (p.T * E) ** 2),
    "a 2 x 1 Matrix": lambda p, E: sp.Matrix(log_z_derivatives(p, E)),
    "own symbols without assumptions": _own_symbols,
    "strings": _as_strings,
    "float coefficients": lambda p, E: (
        -1.0 * p.dot(E), 1.0 * p.dot(E.applyfunc(lambda e: e**2)) - 1.0 * p.dot(E) ** 2
    ),
    "p_1 = 1 - the others": _eliminate_first_p,
    "divided by sum p": lambda p, E: (-p.dot(E) / sum(p), log_z_derivatives(p, E)[1] / sum(p) ** 2),
}


@pytest.mark.parametrize("name", RIGHT_DERIVATIVES)
def test_energy_variance_accepts_equivalent_derivatives(name):
    r = check_energy_variance(RIGHT_DERIVATIVES[name], energy_variance)
    assert r.passed, repr(r)
    assert r.message.startswith("Part 1: SymPy proves")


def _mean_shifted_one_pass(E, b):
    p = softmax(-b * E)
    d = E - np.sum(p * E)
    return np.sum(p * d**2) - np.sum(p * d) ** 2


def _min_shifted_one_pass(E, b):
    p = softmax(-b * E)
    d = E - np.min(E)
    return np.sum(p * d**2) - np.sum(p * d) ** 2


def _log_space(E, b):
    log_p = -b * E - logsumexp(-b * E)
    p = np.exp(log_p)
    mean = np.dot(p, E)
    return float(np.dot(p, (E - mean) ** 2))


def _plain_python(E, b):
    """Loops and math.fsum, shifted by the lowest energy."""
    import math

    low = min(E.tolist())
    w = [math.exp(-b * (e - low)) for e in E.tolist()]
    Z = math.fsum(w)
    mean = math.fsum(wi * e for wi, e in zip(w, E.tolist())) / Z
    return math.fsum(wi * (e - mean) ** 2 for wi, e in zip(w, E.tolist())) / Z


def _mpmath_variance(E, b):
    import mpmath

    with mpmath.workdps(40):
        Es = [mpmath.mpf(float(e)) for e in E]
        w = [mpmath.exp(-mpmath.mpf(b) * (e - min(Es))) for e in Es]
        Z = mpmath.fsum(w)
        mean = mpmath.fsum(wi * e for wi, e in zip(w, Es)) / Z
        return mpmath.fsum(wi * (e - mean) ** 2 for wi, e in zip(w, Es)) / Z  # an mpf


RIGHT_VARIANCES = {
    "two-pass": energy_variance,
    "softmaxlab.energy_variance": lambda E, beta: library_energy_variance(E, temperature=1.0 / beta),
    "one pass after shifting by the mean": _mean_shifted_one_pass,
    "one pass after shifting by the minimum": _min_shifted_one_pass,
    "log-probabilities from logsumexp": _log_space,
    "plain Python with fsum": _plain_python,
    "mpmath, returned as an mpf": _mpmath_variance,
    "a 1-element list": lambda E, b: [energy_variance(E, b)],
    "a 1 x 1 SymPy Matrix": lambda E, b: sp.Matrix([[sp.Float(float(energy_variance(E, b)))]]),
    "a 0-d array": lambda E, b: np.array(energy_variance(E, b)),
}


@pytest.mark.parametrize("name", RIGHT_VARIANCES)
def test_energy_variance_accepts_stable_variances(name):
    r = check_energy_variance(log_z_derivatives, RIGHT_VARIANCES[name])
    assert r.passed, repr(r)
    assert "Part 1" in r.message and "Part 2" in r.message


def _hard_coded_two_states(p, E):
    return -(p[0] * E[0] + p[1] * E[1]), p[0] * E[0] ** 2 + p[1] * E[1] ** 2 - (p[0] * E[0] + p[1] * E[1]) ** 2


WRONG_DERIVATIVES = {
    "first derivative with the wrong sign": lambda p, E: (p.dot(E), log_z_derivatives(p, E)[1]),
    "<E^2> without -<E>^2": lambda p, E: (-p.dot(E), p.dot(E.applyfunc(lambda e: e**2))),
    "negated variance": lambda p, E: (-p.dot(E), -log_z_derivatives(p, E)[1]),
    "unweighted variance": lambda p, E: (-p.dot(E), sum(e**2 for e in E) / len(E) - (sum(E) / len(E)) ** 2),
    "p_i^2 weights": lambda p, E: (-p.dot(E), sum(p[i] ** 2 * E[i] ** 2 for i in range(len(p))) - p.dot(E) ** 2),
    "mean instead of the variance": lambda p, E: (-p.dot(E), p.dot(E)),
    "<E^2> - <E> (mean not squared)": lambda p, E: (-p.dot(E), p.dot(E.applyfunc(lambda e: e**2)) - p.dot(E)),
    "p treated as a constant: second derivative 0": lambda p, E: (-p.dot(E), sp.Integer(0)),
    "centred but not squared": lambda p, E: (-p.dot(E), sum(p[i] * (E[i] - p.dot(E)) for i in range(len(p)))),
    "unweighted mean energy": lambda p, E: (-sum(E) / len(E), log_z_derivatives(p, E)[1]),
    "the pair swapped": lambda p, E: tuple(reversed(log_z_derivatives(p, E))),
    "written for two states": _hard_coded_two_states,
    "nan for both": lambda p, E: (sp.nan, sp.nan),
    "off by 1e-12 (no proof, numerically close)": lambda p, E: (-p.dot(E) * (1 + sp.Float("1e-12")),
                                                               log_z_derivatives(p, E)[1]),
}


@pytest.mark.parametrize("name", WRONG_DERIVATIVES)
def test_energy_variance_rejects_wrong_derivatives(name):
    r = check_energy_variance(WRONG_DERIVATIVES[name], energy_variance)
    expected = "is undefined" if name == "nan for both" else "is not the derivative of log Z"
    assert_fails_naming_input(r, "states", expected)
    if name not in ("nan for both", "written for two states"):
        assert "n = 2 states" in r.message and "At E = [" in r.message


def test_energy_variance_explains_sign_and_second_moment():
    r = check_energy_variance(WRONG_DERIVATIVES["first derivative with the wrong sign"], energy_variance)
    assert "d log Z / d beta" in r.message and "wrong sign" in r.message
    r = check_energy_variance(WRONG_DERIVATIVES["negated variance"], energy_variance)
    assert "a variance is never negative" in r.message
    r = check_energy_variance(WRONG_DERIVATIVES["<E^2> without -<E>^2"], energy_variance)
    assert "the second moment" in r.message


def test_energy_variance_counterexample_shows_the_differing_digits():
    r = check_energy_variance(WRONG_DERIVATIVES["off by 1e-12 (no proof, numerically close)"], energy_variance)
    (got,) = re.findall(r"it gives (\S+);", r.message)
    (want,) = re.findall(r"the derivative is (\S+)\.", r.message)
    assert got != want and len(got) > 8


def test_energy_variance_never_passes_without_a_proof(monkeypatch):
    """An answer SymPy cannot prove fails, even when no counterexample turns up."""
    import softmaxlab.exercises.energy_variance as thermo

    monkeypatch.setattr(thermo, "proves_equal", lambda answer, reference: False)
    r = check_energy_variance(log_z_derivatives, energy_variance)
    assert_fails_naming_input(r, "SymPy could not prove", "no proof", "Simplify")
    assert "Part" not in r.message


def test_energy_variance_reads_every_return_type_or_fails_with_a_message():
    for junk, fragment in [
        ((None, None), "not a SymPy expression"),
        ([[1.0, 2.0], [3.0]], "not a SymPy expression"),
        ((sp.nan, sp.nan), "is undefined"),
        ((sp.zoo, 0), "is undefined"),
        ((-sp.oo, 0), "is undefined"),
        ((sp.Matrix([[1]]), sp.Matrix([[2]])), "is not the derivative"),
        (sp.eye(3), "expected 2"),
        ("p - y", "return 2 SymPy expressions"),
        ((sp.Function("f")(sp.Symbol("p_1")), 0), "f(p_1)"),
    ]:
        r = check_energy_variance(lambda p, E, junk=junk: junk, energy_variance)
        assert_fails_naming_input(r, fragment)


def test_energy_variance_rejects_beta_and_z_in_the_answer():
    beta, Z = sp.symbols("beta Z", positive=True)
    r = check_energy_variance(lambda p, E: (-p.dot(E) * Z / Z, beta * p.dot(E)), energy_variance)
    assert_fails_naming_input(r, "uses the symbols beta")
    r = check_energy_variance(lambda p, E: (-p.dot(E) * Z, p.dot(E)), energy_variance)
    assert_fails_naming_input(r, "uses the symbols Z", "beta and Z enter through the p_i")
    r = check_energy_variance(lambda p, E: (-p.dot(E),), energy_variance)
    assert r.status == "failed" and "Return the pair" in r.message


def test_energy_variance_does_not_use_inputs_the_answer_mutated():
    def mutating(p, E):
        answer = log_z_derivatives(p, E)
        p[0] = 0
        E[0] = 0
        return answer

    assert check_energy_variance(mutating, energy_variance).passed

    def mutating_variance(E, b):
        value = energy_variance(E, b)
        E[:] = 0.0
        return value

    assert check_energy_variance(log_z_derivatives, mutating_variance).passed


def _naive_variance(E, beta):
    w = np.exp(-beta * E)
    p = w / w.sum()
    return np.sum(p * (E - np.sum(p * E)) ** 2)


def _finite_difference_variance(E, beta, h=1e-4):
    def log_z(b):
        return float(logsumexp(-b * E))

    return (log_z(beta + h) - 2 * log_z(beta) + log_z(beta - h)) / h**2


def _one_pass_shifted_by(where):
    def variance(E, b):
        p = softmax(-b * E)
        d = E - where(E)
        return np.sum(p * d**2) - np.sum(p * d) ** 2

    return variance


def _float32(E, b):
    E32 = E.astype(np.float32)
    p = softmax(-np.float32(b) * E32)
    return np.sum(p * (E32 - np.sum(p * E32)) ** 2)


def _clipped_exponent(E, b):
    w = np.exp(np.clip(-b * E, -700.0, 700.0))
    p = w / w.sum()
    return np.sum(p * (E - np.sum(p * E)) ** 2)


def _weighted_cov(E, b):
    return float(np.cov(E, aweights=softmax(-b * E))) if len(E) > 1 else 0.0


CANCELS = "subtract the mean first"
OFF = "relative to the exact one"
WRONG_VARIANCES = {
    "naive exp: Z under/overflows": (_naive_variance, "over- or underflows"),
    "one-pass <E^2> - <E>^2": (lambda E, b: np.sum(softmax(-b * E) * E**2) - np.sum(softmax(-b * E) * E) ** 2,
                               CANCELS),
    "one pass after shifting by the first energy": (_one_pass_shifted_by(lambda E: E[0]), CANCELS),
    "one pass after shifting by the last energy": (_one_pass_shifted_by(lambda E: E[-1]), CANCELS),
    "one pass after shifting by the unweighted mean": (_one_pass_shifted_by(np.mean), CANCELS),
    "finite difference of log Z": (_finite_difference_variance, OFF),
    "unweighted np.var": (lambda E, b: np.var(E), OFF),
    "Var(beta E)": (lambda E, b: energy_variance(b * E, 1.0), OFF),
    "softmax(+beta E)": (lambda E, b: energy_variance(-E, b), OFF),
    "beta^2 Var(E), the heat capacity": (lambda E, b: b**2 * energy_variance(E, b), OFF),
    "beta read as the temperature": (lambda E, b: energy_variance(E, 1.0 / b), OFF),
    "standard deviation": (lambda E, b: np.sqrt(energy_variance(E, b)), OFF),
    "float32": (_float32, OFF),
    "exponent clipped at -700": (_clipped_exponent, OFF),
    "np.cov with weights (unbiased)": (_weighted_cov, OFF),
    "ddof = 1": (lambda E, b: energy_variance(E, b) * len(E) / max(len(E) - 1, 1), OFF),
    "result rounded to float32": (lambda E, b: np.float32(energy_variance(E, b)), OFF),
    "rounded to 6 decimals": (lambda E, b: round(float(energy_variance(E, b)), 6), OFF),
    "floored at 1e-12 to avoid 0": (lambda E, b: max(float(energy_variance(E, b)), 1e-12), "the energy variance is 0;"),
}


@pytest.mark.parametrize("name", WRONG_VARIANCES)
def test_energy_variance_rejects_unstable_or_wrong_variances(name):
    variance, fragment = WRONG_VARIANCES[name]
    r = check_energy_variance(log_z_derivatives, variance)
    assert_fails_naming_input(r, "the energy variance is", fragment, "Accepted: |yours - reference| <=")
    assert r.message.count("beta = ") >= 1 and dict(r.details)["input"].startswith("E = [")


def test_energy_variance_names_the_overflowing_and_cancelling_inputs():
    r = check_energy_variance(log_z_derivatives, WRONG_VARIANCES["naive exp: Z under/overflows"][0])
    assert r.message.startswith("For E = [1000, 1001, 1002], beta = 1")
    r = check_energy_variance(log_z_derivatives, WRONG_VARIANCES["one-pass <E^2> - <E>^2"][0])
    assert r.message.startswith("For E = [1000000, 1000001, 1000002], beta = 1")


def test_energy_variance_first_energy_shift_is_rejected_beside_the_unpopulated_level():
    r = check_energy_variance(log_z_derivatives, WRONG_VARIANCES["one pass after shifting by the first energy"][0])
    assert r.message.startswith("For E = [1000000, 0, 1], beta = 1 (the first energy far above")
    assert "is 0.196612; your energy_variance gives 0.196411" in r.message


def test_energy_variance_tolerance_is_relative_to_the_reference():
    """Huge answers do not widen the tolerance; an answer within it passes, one just outside fails."""
    r = check_energy_variance(log_z_derivatives, lambda E, b: 1e12)
    assert_fails_naming_input(r, "E = [0, 1], beta = 1")

    def scaled(factor):
        return lambda E, b: energy_variance(E, b) * factor

    assert check_energy_variance(log_z_derivatives, scaled(1 + 0.5 * ENERGY_VARIANCE_RTOL)).passed
    r = check_energy_variance(log_z_derivatives, scaled(1 + 3 * ENERGY_VARIANCE_RTOL))
    assert_fails_naming_input(r, "E = [0, 1], beta = 1")
    (want, got) = re.findall(r"the energy variance is (\S+); your energy_variance gives (\S+)\.", r.message)[0]
    assert want != got and len(want) >= 10  # digits enough to see the difference


@pytest.mark.parametrize(
    "value, fragment",
    [
        (float("nan"), "over- or underflows"),
        (float("inf"), "over- or underflows"),
        (-0.5, "never negative"),
        (0.2 + 0.1j, "complex"),
        (np.array([0.1, 0.2]), "shape"),
        (None, "returned None"),
        ({0.2}, "set"),
        (sp.Symbol("beta"), "symbolic expression"),
    ],
    ids=["nan", "inf", "negative", "complex", "array", "None", "set", "symbol"],
)
def test_energy_variance_rejects_non_numbers(value, fragment):
    r = check_energy_variance(log_z_derivatives, lambda E, b: value)
    assert_fails_naming_input(r, fragment)


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


@settings(max_examples=40)
@given(
    vectors(-50, 50, max_size=8),
    st.floats(0.01, 20.0),
)
def test_the_variance_reference_agrees_with_softmaxlab(E, beta):
    exact = _variance_reference(E, beta)
    assert exact >= 0
    np.testing.assert_allclose(library_energy_variance(E, temperature=1 / beta), exact, rtol=1e-9, atol=1e-12)
