r"""Boltzmann (softmax) exploration in a multi-armed bandit.

A ``K``-armed bandit pays a noisy reward with unknown mean ``mu_a`` for each
pull of arm ``a``. A Boltzmann-exploring agent keeps a sample-average
estimate ``Q_a`` of each arm's mean and pulls arm ``a`` with probability
``softmax(Q / T)_a`` (Sutton and Barto 2018, section 2.8 and exercise 2.9;
the sources quote the same rule with temperature ``tau``). ``T`` is the
exploration knob: as ``T -> 0`` the agent is greedy and can lock onto a bad
arm; as ``T -> inf`` it pulls arms uniformly at random and never exploits
what it learned. The regret, ``sum_t (max_a mu_a - mu_{a_t})``, is lowest in
between.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from softmaxlab._validation import as_real_array
from softmaxlab.gumbel import as_generator, gumbel_max_sample

__all__ = ["BanditResult", "boltzmann_bandit"]


class BanditResult(NamedTuple):
    """Per-step averages over the independent runs of :func:`boltzmann_bandit`."""

    reward: np.ndarray
    """Mean reward received at each step, shape ``(n_steps,)``."""
    regret: np.ndarray
    """Mean cumulative (expected) regret after each step, ``sum_{s <= t} (max mu - mu_{a_s})``."""
    optimal: np.ndarray
    """Fraction of runs that pulled a best arm at each step."""


def _positive_int(value, name: str) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def boltzmann_bandit(
    arm_means: ArrayLike,
    temperature: float | ArrayLike,
    n_steps: int,
    rng: np.random.Generator | int | None = None,
    *,
    n_runs: int = 1,
    reward_sd: float = 1.0,
    initial_value: float = 0.0,
) -> BanditResult:
    r"""Simulate Boltzmann exploration on a Gaussian ``K``-armed bandit, ``n_runs`` independent times.

    At each step every run pulls arm ``a ~ softmax(Q / T)`` (sampled by the
    Gumbel-max trick), receives ``r ~ Normal(mu_a, reward_sd^2)``, and updates
    the sample average ``Q_a += (r - Q_a) / N_a``.

    Parameters
    ----------
    arm_means : array_like
        The true mean reward ``mu_a`` of each of the ``K >= 2`` arms.
    temperature : float or array_like
        ``T > 0``, or a schedule of ``n_steps`` positive temperatures (annealing).
    n_steps : int
        Pulls per run.
    rng : numpy.random.Generator or int or None, optional
        Source of randomness, or a seed.
    n_runs : int, optional
        Independent runs, simulated together and averaged.
    reward_sd : float, optional
        Standard deviation of the reward noise (``>= 0``).
    initial_value : float, optional
        The estimates ``Q_a`` before any pull (optimistic values encourage
        early exploration).

    Returns
    -------
    BanditResult
        ``(reward, regret, optimal)``, each of shape ``(n_steps,)``.

    Examples
    --------
    >>> import numpy as np
    >>> from softmaxlab import boltzmann_bandit
    >>> means = [0.2, 0.5, 1.0]
    >>> hot = boltzmann_bandit(means, temperature=100.0, n_steps=200, rng=0, n_runs=500)
    >>> round(float(hot.optimal.mean()), 1)            # nearly uniform play: about 1/3
    0.3
    >>> tuned = boltzmann_bandit(means, temperature=0.2, n_steps=200, rng=0, n_runs=500)
    >>> bool(tuned.regret[-1] < hot.regret[-1])
    True
    """
    mu = as_real_array(arm_means, "arm_means").astype(np.float64)
    if mu.ndim != 1 or mu.size < 2 or not np.all(np.isfinite(mu)):
        raise ValueError(f"arm_means must be a 1-d array of at least 2 finite means, got shape {mu.shape}")
    n_steps = _positive_int(n_steps, "n_steps")
    n_runs = _positive_int(n_runs, "n_runs")
    temps = as_real_array(temperature, "temperature").astype(np.float64)
    if temps.ndim == 0:
        temps = np.full(n_steps, float(temps))
    if temps.shape != (n_steps,):
        raise ValueError(f"temperature must be a number or have shape ({n_steps},), got shape {temps.shape}")
    if not np.all(np.isfinite(temps) & (temps > 0)):
        raise ValueError("temperature must be positive and finite at every step")
    sd = float(reward_sd)
    if not (np.isfinite(sd) and sd >= 0):
        raise ValueError(f"reward_sd must be a finite number >= 0, got {reward_sd!r}")
    if not np.isfinite(initial_value):
        raise ValueError(f"initial_value must be finite, got {initial_value!r}")
    gen = as_generator(rng)

    k = mu.size
    q = np.full((n_runs, k), float(initial_value))
    counts = np.zeros((n_runs, k))
    rows = np.arange(n_runs)
    best = mu.max()
    is_best = mu == best
    reward = np.empty(n_steps)
    step_regret = np.empty(n_steps)
    optimal = np.empty(n_steps)
    for t in range(n_steps):
        arms = gumbel_max_sample(q / temps[t], gen)
        r = gen.normal(mu[arms], sd)
        counts[rows, arms] += 1
        q[rows, arms] += (r - q[rows, arms]) / counts[rows, arms]
        reward[t] = r.mean()
        step_regret[t] = best - mu[arms].mean()
        optimal[t] = is_best[arms].mean()
    return BanditResult(reward, np.cumsum(step_regret), optimal)
