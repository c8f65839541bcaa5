"""Tests of softmaxlab.bandit: Boltzmann exploration in a Gaussian multi-armed bandit."""

from __future__ import annotations

import numpy as np
import pytest

from softmaxlab import boltzmann_bandit

MEANS = [0.1, 0.5, 0.9, 0.3]


def test_shapes_and_reproducibility():
    a = boltzmann_bandit(MEANS, 0.3, 50, rng=1, n_runs=20)
    b = boltzmann_bandit(MEANS, 0.3, 50, rng=np.random.default_rng(1), n_runs=20)
    for x, y in zip(a, b):
        assert x.shape == (50,)
        np.testing.assert_array_equal(x, y)


def test_regret_is_cumulative_and_bounded():
    res = boltzmann_bandit(MEANS, 0.3, 100, rng=2, n_runs=50)
    steps = np.diff(np.concatenate([[0.0], res.regret]))
    assert np.all(steps >= -1e-12)
    assert np.all(steps <= max(MEANS) - min(MEANS) + 1e-12)
    assert np.all((res.optimal >= 0) & (res.optimal <= 1))


def test_infinite_temperature_is_uniform_play():
    n_steps, n_runs = 200, 400
    res = boltzmann_bandit(MEANS, 1e9, n_steps, rng=3, n_runs=n_runs)
    gap = max(MEANS) - np.mean(MEANS)
    # expected regret per step of uniform play is max - mean; the average over 80,000 pulls is close
    assert res.regret[-1] / n_steps == pytest.approx(gap, rel=0.03)
    assert res.optimal.mean() == pytest.approx(1 / len(MEANS), abs=0.01)


def test_noiseless_rewards_and_cold_agent_is_greedy():
    """With exact rewards and T -> 0, the agent keeps pulling the first arm whose estimate is highest."""
    res = boltzmann_bandit([1.0, 2.0], 1e-6, 30, rng=4, n_runs=10, reward_sd=0.0, initial_value=5.0)
    # optimistic start: both arms get tried, then the better one wins for good
    assert res.optimal[-10:].min() == 1.0


def test_moderate_temperature_beats_both_extremes():
    kwargs = dict(n_steps=300, n_runs=300)
    regret = {T: boltzmann_bandit(MEANS, T, rng=5, **kwargs).regret[-1] for T in (0.005, 0.15, 50.0)}
    assert regret[0.15] < regret[0.005] and regret[0.15] < regret[50.0]


def test_reward_mean_matches_arm_means():
    res = boltzmann_bandit([0.0, 0.0, 0.0], 1.0, 200, rng=6, n_runs=200, reward_sd=1.0)
    assert abs(res.reward.mean()) < 0.02
    assert res.regret[-1] == 0.0


def test_annealing_schedule():
    schedule = np.geomspace(5.0, 0.05, 150)
    res = boltzmann_bandit(MEANS, schedule, 150, rng=7, n_runs=100)
    assert res.optimal[-20:].mean() > res.optimal[:20].mean()


def test_bad_input_is_named():
    with pytest.raises(ValueError, match="arm_means"):
        boltzmann_bandit([1.0], 1.0, 10)
    with pytest.raises(ValueError, match="arm_means"):
        boltzmann_bandit([1.0, np.nan], 1.0, 10)
    with pytest.raises(ValueError, match="temperature"):
        boltzmann_bandit(MEANS, 0.0, 10)
    with pytest.raises(ValueError, match="temperature"):
        boltzmann_bandit(MEANS, [1.0, 2.0], 10)
    with pytest.raises(ValueError, match="n_steps"):
        boltzmann_bandit(MEANS, 1.0, 0)
    with pytest.raises(TypeError, match="n_runs"):
        boltzmann_bandit(MEANS, 1.0, 10, n_runs=2.5)
    with pytest.raises(ValueError, match="reward_sd"):
        boltzmann_bandit(MEANS, 1.0, 10, reward_sd=-1.0)
    with pytest.raises(ValueError, match="initial_value"):
        boltzmann_bandit(MEANS, 1.0, 10, initial_value=np.inf)
    with pytest.raises(TypeError, match="rng"):
        boltzmann_bandit(MEANS, 1.0, 10, rng="seed")


def test_a_tiny_temperature_is_greedy_without_overflow():
    """Q / T overflows for T = 1e-310; the logits are shifted by the largest estimate first."""
    res = boltzmann_bandit([1.0, 2.0], 1e-310, 30, rng=4, n_runs=10, reward_sd=0.0, initial_value=5.0)
    reference = boltzmann_bandit([1.0, 2.0], 1e-6, 30, rng=4, n_runs=10, reward_sd=0.0, initial_value=5.0)
    for x, y in zip(res, reference):
        np.testing.assert_array_equal(x, y)
