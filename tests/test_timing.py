"""Tests of softmaxlab.timing: how median_time counts calls and runs, and fit_linear_cost against NNLS."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.optimize import nnls

import softmaxlab.timing as timing
from rules_support import BAD_ARRAYS, assert_rejects
from softmaxlab.timing import CallTime, LinearCost, fit_linear_cost, median_time


class FakeClock:
    """A perf_counter that advances by ``cost`` seconds at every call of ``work``."""

    def __init__(self, cost: float):
        self.now = 0.0
        self.cost = cost
        self.calls = 0

    def perf_counter(self) -> float:
        return self.now

    def work(self) -> None:
        self.calls += 1
        self.now += self.cost


@pytest.fixture
def clock(monkeypatch):
    fake = FakeClock(0.003)
    monkeypatch.setattr(timing.time, "perf_counter", fake.perf_counter)
    return fake


def test_median_time_doubles_the_calls_until_a_run_lasts_min_time(clock):
    t = median_time(clock.work, min_time=0.01, repeats=5)
    assert isinstance(t, CallTime)
    assert t.calls_per_run == 4  # 1 call lasts 0.003 s, 2 calls 0.006 s, 4 calls 0.012 s >= 0.01 s
    assert clock.calls == 1 + (1 + 2 + 4) + 4 * (5 - 1)  # warm-up, the doubling, the other runs
    np.testing.assert_allclose(t.runs, np.full(5, 0.003), rtol=1e-12)
    assert t.runs.dtype == np.float64
    assert t.median == pytest.approx(0.003) and t.low == pytest.approx(0.003) and t.high == pytest.approx(0.003)


def test_median_time_quartiles_are_numpys(monkeypatch):
    costs = iter([0.0, 5.0, 1.0, 4.0, 2.0, 3.0] + [0.0] * 10)  # warm-up, then one call per run

    class Clock:
        now = 0.0

    def work():
        Clock.now += next(costs)

    monkeypatch.setattr(timing.time, "perf_counter", lambda: Clock.now)
    t = median_time(work, min_time=0.5, repeats=5)
    assert t.calls_per_run == 1
    assert t.runs.tolist() == [5.0, 1.0, 4.0, 2.0, 3.0]
    assert (t.low, t.median, t.high) == tuple(np.percentile(t.runs, [25, 50, 75]))
    assert (t.low, t.median, t.high) == (2.0, 3.0, 4.0)


def test_median_time_one_repeat_and_a_real_clock():
    t = median_time(lambda: sum(range(100)), min_time=1e-4, repeats=1)
    assert t.runs.shape == (1,) and t.low == t.median == t.high == t.runs[0] > 0
    assert t.runs[0] * t.calls_per_run >= 1e-4


@pytest.mark.parametrize(
    "kwargs, error, names",
    [
        ({"func": 3}, TypeError, "func must be callable"),
        ({"func": None}, TypeError, "func must be callable"),
        *[({"min_time": v}, e, "min_time") for v, e in [
            (0.0, ValueError), (-1.0, ValueError), (math.nan, ValueError), (math.inf, ValueError),
            ("0.1", TypeError), (True, TypeError), (None, TypeError), (np.array([0.1, 0.2]), TypeError),
        ]],
        *[({"repeats": v}, e, "repeats") for v, e in [
            (0, ValueError), (-3, ValueError), (2.0, TypeError), (True, TypeError), (None, TypeError),
        ]],
    ],
)
def test_median_time_bad_arguments(kwargs, error, names):
    arguments = {"func": lambda: None} | kwargs
    func = arguments.pop("func")
    assert_rejects(median_time, (func,), arguments, names=names, errors=error)


def test_median_time_rejects_before_calling(clock):
    with pytest.raises(ValueError):
        median_time(clock.work, repeats=0)
    assert clock.calls == 0


def _nnls_reference(x, t):
    (a, b), _ = nnls(np.column_stack([np.ones_like(x), x]) / t[:, None], np.ones_like(t))
    return a, b


def _relative_residual(a, b, x, t):
    return float(np.sum(((a + b * x) / t - 1) ** 2))


def test_fit_linear_cost_recovers_an_exact_line():
    x = np.array([16.0, 64.0, 256.0, 1024.0, 4096.0])
    fit = fit_linear_cost(x, 1.5e-6 + 2.5e-9 * x)
    assert isinstance(fit, LinearCost)
    assert fit.fixed == pytest.approx(1.5e-6, rel=1e-12) and fit.per_unit == pytest.approx(2.5e-9, rel=1e-12)
    assert fit.worst < 1e-12


@pytest.mark.parametrize("seed", range(30))
def test_fit_linear_cost_is_the_nonnegative_least_squares_fit(seed):
    """Against scipy's NNLS, including data whose unconstrained fit has a < 0 or b < 0."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 12))
    x = np.sort(rng.uniform(0, 10.0 ** rng.integers(1, 7), n))
    kind = seed % 3
    if kind == 0:  # noisy line
        t = (2e-6 + 3e-9 * x) * rng.lognormal(0, 0.2, n)
    elif kind == 1:  # falling times: the best non-negative slope is 0
        t = 5e-6 * (1 - 0.5 * x / x.max()) + 1e-9
    else:  # steep growth from nearly 0: the best non-negative intercept may be 0
        t = 1e-9 * x**1.5 + 1e-12
    a, b = _nnls_reference(x, t)
    fit = fit_linear_cost(x, t)
    assert fit.fixed >= 0 and fit.per_unit >= 0
    reference = _relative_residual(a, b, x, t)
    assert _relative_residual(fit.fixed, fit.per_unit, x, t) <= reference * (1 + 1e-9) + 1e-25
    assert fit.worst == pytest.approx(np.max(np.abs((fit.fixed + fit.per_unit * x) / t - 1)))


def test_fit_linear_cost_extreme_scales():
    """Sizes of 1e202 and times of 1e-300 neither overflow nor lose the fit; all sizes 0 fit a constant."""
    x = np.array([1e200, 1e201, 1e202])
    fit = fit_linear_cost(x, 1e-6 + 1e-210 * x)
    assert fit.fixed == pytest.approx(1e-6, rel=1e-9) and fit.per_unit == pytest.approx(1e-210, rel=1e-9)
    assert fit.worst < 1e-9
    tiny = fit_linear_cost([1.0, 2.0, 3.0], [1e-300, 2e-300, 3e-300])
    assert tiny.fixed == pytest.approx(0.0, abs=1e-310) and tiny.per_unit == pytest.approx(1e-300, rel=1e-9)
    zero_sizes = fit_linear_cost([0.0, 0.0], [1e-6, 1e-6])
    assert zero_sizes.fixed == pytest.approx(1e-6) and zero_sizes.per_unit == 0.0


@pytest.mark.parametrize(
    "x, seconds, error, names",
    [
        *[(v, [1.0, 2.0], TypeError, "x") for v in BAD_ARRAYS.values()],
        *[([1.0, 2.0], v, TypeError, "seconds") for v in BAD_ARRAYS.values()],
        ([1.0], [1.0], ValueError, "x must be 1-d with at least 2"),
        ([[1.0, 2.0]], [[1.0, 2.0]], ValueError, "x must be 1-d"),
        ([1.0, 2.0, 3.0], [1.0, 2.0], ValueError, "seconds must have the shape of x"),
        ([1.0, math.nan], [1.0, 2.0], ValueError, "x must hold finite"),
        ([1.0, math.inf], [1.0, 2.0], ValueError, "x must hold finite"),
        ([1.0, 2.0], [1.0, 0.0], ValueError, "seconds must hold positive finite"),
        ([1.0, 2.0], [1.0, -1.0], ValueError, "seconds must hold positive finite"),
        ([1.0, 2.0], [1.0, math.nan], ValueError, "seconds must hold positive finite"),
        ([1.0, 2.0], [1.0, math.inf], ValueError, "seconds must hold positive finite"),
    ],
)
def test_fit_linear_cost_bad_arguments(x, seconds, error, names):
    assert_rejects(fit_linear_cost, (x, seconds), names=names, errors=error)


def test_fit_linear_cost_does_not_modify_its_inputs():
    x, t = np.array([1.0, 2.0, 4.0]), np.array([3.0, 5.0, 9.5])
    fit_linear_cost(x, t)
    assert x.tolist() == [1.0, 2.0, 4.0] and t.tolist() == [3.0, 5.0, 9.5]
