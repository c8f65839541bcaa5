"""The checker of the exercise on the conditional of one Ising spin: right answers pass, wrong ones fail."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from exercise_assertions import assert_fails_naming_input, assert_not_attempted, stub
from softmaxlab import softmax
from softmaxlab.exercises import check_spin_conditional
from softmaxlab.exercises.spin_conditional import (
    SPIN_CONDITIONAL_RTOL,
    _probability_reference,
)
from softmaxlab.graphical import ising_spin_conditional
from softmaxlab.ising import ising_ring_energy


def log_odds(beta, J, h, s_left, s_right):
    return 2 * beta * (J * (s_left + s_right) + h)


def p_up(spins, site, beta, J, h):
    n = len(spins)
    a = 2 * beta * (J * (spins[site - 1] + spins[(site + 1) % n]) + h)
    return 1 / (1 + np.exp(-a))


def _own_symbols(beta, J, h, s_left, s_right):
    b, j, f, left, right = sp.symbols("beta J h s_left s_right")  # no assumptions
    return log_odds(b, j, f, left, right)


def _from_the_weights(beta, J, h, s_left, s_right):
    """log of the ratio of the two Boltzmann factors that involve s_i, via exp and log."""
    up = sp.exp(beta * (J * (s_left + s_right) + h))
    down = sp.exp(-beta * (J * (s_left + s_right) + h))
    return sp.log(up / down)


def _brute_force_three_spins(beta, J, h, s_left, s_right):
    """The energy difference of a ring of three spins (left, i, right), written out."""

    def energy(s):
        return -J * (s_left * s + s * s_right + s_right * s_left) - h * (s_left + s + s_right)

    return -beta * (energy(1) - energy(-1))


RIGHT_LOG_ODDS = {
    "2 beta (J (l + r) + h)": log_odds,
    "expanded": lambda beta, J, h, left, right: 2 * beta * J * left + 2 * beta * J * right + 2 * beta * h,
    "own symbols without assumptions": _own_symbols,
    "log of a ratio of exponentials": _from_the_weights,
    "energy difference of a three-spin ring": _brute_force_three_spins,
    "log of a product of exponentials": lambda beta, J, h, left, right: sp.log(
        sp.exp(2 * beta * J * left) * sp.exp(2 * beta * J * right) * sp.exp(2 * beta * h)),
    "log of the ratio of the two sigmoids": lambda beta, J, h, left, right: sp.log(
        (1 / (1 + sp.exp(-log_odds(beta, J, h, left, right))))
        / (1 / (1 + sp.exp(log_odds(beta, J, h, left, right))))),
    "a Piecewise with one branch": lambda beta, J, h, left, right: sp.Piecewise(
        (log_odds(beta, J, h, left, right), True)),
    "float coefficient": lambda beta, J, h, left, right: 2.0 * beta * (J * (left + right) + h),
    "a 1 x 1 Matrix": lambda beta, J, h, left, right: sp.Matrix([[log_odds(beta, J, h, left, right)]]),
    "a list of one": lambda beta, J, h, left, right: [log_odds(beta, J, h, left, right)],
    "logit difference": lambda beta, J, h, left, right: (beta * (J * (left + right) + h)
                                                         - (-beta * (J * (left + right) + h))),
}


@pytest.mark.parametrize("name", RIGHT_LOG_ODDS)
def test_spin_conditional_accepts_equivalent_log_odds(name):
    r = check_spin_conditional(RIGHT_LOG_ODDS[name], p_up)
    assert r.passed, repr(r)
    assert r.message.startswith("Part 1: SymPy proves")


def _leave_out_the_right_neighbour(beta, J, h, left, right):
    return 2 * beta * (2 * J * left + h)


NAMES_RING = __import__("re").compile(r"\bs = \[")

WRONG_LOG_ODDS = {
    "half: the softmax logit": (lambda beta, J, h, left, right: beta * (J * (left + right) + h), "half the log-odds"),
    "wrong sign": (lambda beta, J, h, left, right: -log_odds(beta, J, h, left, right), "wrong sign"),
    "the probability itself": (lambda beta, J, h, left, right: 1 / (1 + sp.exp(-log_odds(beta, J, h, left, right))),
                               "the probability"),
    "field forgotten": (lambda beta, J, h, left, right: 2 * beta * J * (left + right), "is not log P"),
    "product of neighbours": (lambda beta, J, h, left, right: 2 * beta * (J * left * right + h), "is not log P"),
    "left neighbour twice": (_leave_out_the_right_neighbour, "is not log P"),
    "beta read as the temperature": (lambda beta, J, h, left, right: 2 * (J * (left + right) + h) / beta,
                                     "is not log P"),
    "beta not on the field": (lambda beta, J, h, left, right: 2 * beta * J * (left + right) + 2 * h, "is not log P"),
    "field counted twice": (lambda beta, J, h, left, right: 2 * beta * (J * (left + right) + 2 * h), "is not log P"),
    "whole-ring energy of four aligned spins": (lambda beta, J, h, left, right: 2 * beta * (4 * J + h), "is not log P"),
    "log-odds of s_i = -1": (lambda beta, J, h, left, right: -2 * beta * (J * (left + right) + h), "wrong sign"),
    "off by 1e-12 (no proof, numerically close)": (
        lambda beta, J, h, left, right: log_odds(beta, J, h, left, right) * (1 + sp.Float("1e-12")), "is not log P"),
}


@pytest.mark.parametrize("name", WRONG_LOG_ODDS)
def test_spin_conditional_rejects_wrong_log_odds(name):
    answer, fragment = WRONG_LOG_ODDS[name]
    r = check_spin_conditional(answer, p_up)
    assert_fails_naming_input(r, fragment, names_input=NAMES_RING)
    assert "site" in r.message and "Part" not in r.message


def test_spin_conditional_counterexample_shows_differing_digits():
    r = check_spin_conditional(WRONG_LOG_ODDS["off by 1e-12 (no proof, numerically close)"][0], p_up)
    import re

    (got, want) = re.findall(r"yours gives (\S+); the log-odds are (\S+)\.", r.message)[0]
    assert got != want and len(got) > 8


def test_spin_conditional_asks_to_simplify_a_right_answer_sympy_cannot_prove():
    """2 atanh(tanh(x)) is x for real x, but SymPy does not prove it: the check fails, saying why, and never raises."""
    r = check_spin_conditional(lambda beta, J, h, left, right: 2 * sp.atanh(sp.tanh(beta * (J * (left + right) + h))),
                               p_up)
    assert_fails_naming_input(r, "SymPy could not prove", "Simplify it", names_input=NAMES_RING)


def test_spin_conditional_never_passes_without_a_proof(monkeypatch):
    import softmaxlab.exercises.spin_conditional as module

    monkeypatch.setattr(module, "proves_equal", lambda answer, reference: False)
    r = check_spin_conditional(log_odds, p_up)
    assert_fails_naming_input(r, "SymPy could not prove", "no proof", names_input=NAMES_RING)


def test_spin_conditional_rejects_stray_symbols_and_undefined_values():
    Z, s_i = sp.symbols("Z s_i")

    def with_stray(beta, J, h, left, right):
        return log_odds(beta, J, h, left, right) + sp.log(Z) - sp.log(Z) + s_i

    r = check_spin_conditional(with_stray, p_up)
    assert r.status == "failed" and "uses s_i" in r.message
    r = check_spin_conditional(lambda beta, J, h, left, right: sp.nan, p_up)
    assert r.status == "failed" and "undefined" in r.message
    r = check_spin_conditional(lambda beta, J, h, left, right: (beta, J), p_up)
    assert r.status == "failed" and "expected 1" in r.message
    r = check_spin_conditional(lambda beta, J, h, left, right: sp.Function("f")(left), p_up)
    assert r.status == "failed" and "f(s_left)" in r.message


def test_spin_conditional_answer_written_only_for_spins_of_plus_minus_one_passes():
    """An answer that uses s^2 = 1 is right: the neighbours are spins."""

    def squares(beta, J, h, left, right):
        return 2 * beta * (J * (left + right) + h * left**2 * right**2)

    assert check_spin_conditional(squares, p_up).passed


def _softmax_of_logits(spins, site, beta, J, h):
    n = len(spins)
    local = J * (spins[site - 1] + spins[(site + 1) % n]) + h
    return softmax(np.array([beta * local, -beta * local]))[0]


def _from_the_joint(spins, site, beta, J, h):
    """Both full-ring energies through a stable two-class softmax of -beta E."""
    up, down = spins.copy(), spins.copy()
    up[site], down[site] = 1, -1
    return softmax(-beta * np.array([ising_ring_energy(up, J, h), ising_ring_energy(down, J, h)]))[0]


def _branching_sigmoid(spins, site, beta, J, h):
    import math

    n = len(spins)
    a = 2 * beta * (J * (spins[(site - 1) % n] + spins[(site + 1) % n]) + h)
    return 1 / (1 + math.exp(-a)) if a >= 0 else math.exp(a) / (1 + math.exp(a))


RIGHT_P_UP = {
    "1 / (1 + exp(-a))": p_up,
    "softmax of the two logits": _softmax_of_logits,
    "softmax of minus the two whole-ring energies": _from_the_joint,
    "branching sigmoid in plain Python": _branching_sigmoid,
    "softmaxlab.graphical": lambda s, i, b, J, h: ising_spin_conditional(s, i, temperature=1 / b, coupling=J, field=h),
    "scipy.special.expit": lambda s, i, b, J, h: __import__("scipy.special").special.expit(
        2 * b * (J * (s[i - 1] + s[(i + 1) % len(s)]) + h)),
    "a 1-element list": lambda s, i, b, J, h: [p_up(s, i, b, J, h)],
    "a 0-d array": lambda s, i, b, J, h: np.array(p_up(s, i, b, J, h)),
}


@pytest.mark.parametrize("name", RIGHT_P_UP)
def test_spin_conditional_accepts_right_probabilities(name):
    r = check_spin_conditional(log_odds, RIGHT_P_UP[name])
    assert r.passed, repr(r)
    assert "Part 2: your p_up agrees" in r.message


def _naive_local(spins, site, beta, J, h):
    n = len(spins)
    local = J * (spins[site - 1] + spins[(site + 1) % n]) + h
    return np.exp(beta * local) / (np.exp(beta * local) + np.exp(-beta * local))


def _naive_joint(spins, site, beta, J, h):
    up, down = spins.copy(), spins.copy()
    up[site], down[site] = 1, -1
    w_up, w_down = np.exp(-beta * ising_ring_energy(up, J, h)), np.exp(-beta * ising_ring_energy(down, J, h))
    return w_up / (w_up + w_down)


def _no_wrap(spins, site, beta, J, h):
    a = 2 * beta * (J * (spins[site - 1] + spins[site + 1]) + h)
    return 1 / (1 + np.exp(-a))


def _no_wrap_at_the_start(spins, site, beta, J, h):
    left = spins[site - 1] if site > 0 else 0
    a = 2 * beta * (J * (left + spins[(site + 1) % len(spins)]) + h)
    return 1 / (1 + np.exp(-a))


def _probability_of_its_value(spins, site, beta, J, h):
    """P(s_i = current value | rest): the chance of staying."""
    p = p_up(spins, site, beta, J, h)
    return p if spins[site] == 1 else 1 - p


TINY = "1 - P(s_i = -1 | rest) cancels"
OFF = "relative to the exact value"
WRONG_P_UP = {
    "exp overflows: inf / inf": (_naive_local, "exp overflows"),
    "whole-ring weights overflow": (_naive_joint, "exp overflows"),
    "1 - P(-1)": (lambda s, i, b, J, h: 1 - 1 / (1 + np.exp(2 * b * (J * (s[i - 1] + s[(i + 1) % len(s)]) + h))),
                  TINY),
    "tanh form": (lambda s, i, b, J, h: 0.5 * (1 + np.tanh(b * (J * (s[i - 1] + s[(i + 1) % len(s)]) + h))), TINY),
    "half the log-odds": (lambda s, i, b, J, h: 1 / (1 + np.exp(-b * (J * (s[i - 1] + s[(i + 1) % len(s)]) + h))),
                          OFF),
    "beta read as the temperature": (lambda s, i, b, J, h: p_up(s, i, 1 / b, J, h), OFF),
    "field forgotten": (lambda s, i, b, J, h: p_up(s, i, b, J, 0.0), OFF),
    "P(s_i = -1 | rest)": (lambda s, i, b, J, h: 1 / (1 + np.exp(2 * b * (J * (s[i - 1] + s[(i + 1) % len(s)]) + h))),
                           "That is P(s_i = -1 | rest)"),
    "probability of its current value": (_probability_of_its_value, "That is P(s_i = -1 | rest)"),
    "no wrap at the last site": (_no_wrap, "raised IndexError"),
    "no wrap at the first site": (_no_wrap_at_the_start, "the first site"),
    "float32": (lambda s, i, b, J, h: np.float32(p_up(s, i, b, J, h)), OFF),
    "log-odds clipped to +-30": (lambda s, i, b, J, h: 1 / (1 + np.exp(-np.clip(
        2 * b * (J * (s[i - 1] + s[(i + 1) % len(s)]) + h), -30, 30))), "2e-161"),
    "rounded to 6 decimals": (lambda s, i, b, J, h: round(float(p_up(s, i, b, J, h)), 6), OFF),
}


@pytest.mark.parametrize("name", WRONG_P_UP)
def test_spin_conditional_rejects_wrong_probabilities(name):
    answer, fragment = WRONG_P_UP[name]
    r = check_spin_conditional(log_odds, answer)
    assert_fails_naming_input(r, fragment, names_input=NAMES_RING)
    assert "site = " in r.message and "Part" not in r.message


def test_spin_conditional_tolerance_is_relative_to_the_reference():
    def scaled(factor):
        return lambda s, i, b, J, h: p_up(s, i, b, J, h) * factor

    assert check_spin_conditional(log_odds, scaled(1 + 0.5 * SPIN_CONDITIONAL_RTOL)).passed
    r = check_spin_conditional(log_odds, scaled(1 + 3 * SPIN_CONDITIONAL_RTOL))
    assert_fails_naming_input(r, "Accepted: |yours - reference| <= 1e-10 |reference|", names_input=NAMES_RING)
    r = check_spin_conditional(log_odds, lambda s, i, b, J, h: p_up(s, i, b, J, h) + 1e-300)
    assert r.passed, "an absolute error far below every probability is fine"
    r = check_spin_conditional(log_odds, lambda s, i, b, J, h: p_up(s, i, b, J, h) + 1e-150)
    assert_fails_naming_input(r, "2e-161", names_input=NAMES_RING)


@pytest.mark.parametrize(
    "value, fragment",
    [(float("nan"), "exp overflows"), (1.5, "between 0 and 1"), (-0.1, "between 0 and 1"), (0.5 + 0.1j, "complex"),
     (np.array([0.1, 0.9]), "shape"), (None, "returned None"), (sp.Symbol("p"), "symbolic expression")],
    ids=["nan", "above 1", "negative", "complex", "two numbers", "None", "symbol"],
)
def test_spin_conditional_rejects_non_probabilities(value, fragment):
    r = check_spin_conditional(log_odds, lambda s, i, b, J, h: value)
    assert_fails_naming_input(r, fragment, names_input=NAMES_RING)


def test_spin_conditional_does_not_use_a_ring_the_answer_mutated():
    def mutating(spins, site, beta, J, h):
        value = p_up(spins, site, beta, J, h)
        spins[:] = 1
        return value

    assert check_spin_conditional(log_odds, mutating).passed


def test_spin_conditional_scaffold_is_not_attempted():
    assert_not_attempted(check_spin_conditional(stub, stub))
    assert_not_attempted(check_spin_conditional(None, None))
    r = check_spin_conditional(log_odds, stub)
    assert_not_attempted(r)
    assert r.message.startswith("Part 1: SymPy proves") and "part 2" in r.message
    assert check_spin_conditional(None, _naive_local).status == "failed"
    assert check_spin_conditional(WRONG_LOG_ODDS["wrong sign"][0], stub).status == "failed"


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.sampled_from([-1, 1]), min_size=2, max_size=9),
    st.data(),
    st.floats(0.01, 5.0),
    st.floats(-2.0, 2.0),
    st.floats(-2.0, 2.0),
)
def test_the_reference_is_the_library_conditional(spins, data, beta, J, h):
    spins = np.array(spins)
    site = data.draw(st.integers(0, len(spins) - 1))
    np.testing.assert_allclose(
        _probability_reference(spins, site, beta, J, h),
        ising_spin_conditional(spins, site, temperature=1 / beta, coupling=J, field=h),
        rtol=1e-12,
    )


def test_the_symbolic_reference_is_the_exact_conditional_of_the_joint():
    """For a ring of four, the checker's log-odds match log P(+1, rest) - log P(-1, rest) summed from the joint."""
    from softmaxlab.exercises.spin_conditional import J as j
    from softmaxlab.exercises.spin_conditional import _exact_log_odds, ring_energy_sym
    from softmaxlab.exercises.spin_conditional import beta as b
    from softmaxlab.exercises.spin_conditional import h as f

    for rest in itertools.product((1, -1), repeat=3):
        spins = [1, *rest]
        up = sp.exp(-b * ring_energy_sym([1, *rest], j, f))
        down = sp.exp(-b * ring_energy_sym([-1, *rest], j, f))
        assert sp.simplify(sp.log(up / down) - _exact_log_odds(spins, 0)) == 0
