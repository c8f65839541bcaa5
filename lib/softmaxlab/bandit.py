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

from softmaxlab._validation import as_real_array, check_int, check_real
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


#: Largest magnitude of ``arm_means``, ``reward_sd`` and ``initial_value``: rewards
#: ``mu + reward_sd z`` (``|z| < 40``), their differences with the estimates and the
#: averages over runs then stay far inside the float range.
MAX_MAGNITUDE = 1e300

#: Beyond this magnitude of ``Q / T`` the Gumbel noise (of order 1) would be rounded
#: away; the logits are then shifted by each run's largest estimate first.
_SHIFT_LOGITS = 2.0**32


def _temperatures(temperature, n_steps: int) -> np.ndarray:
    """The temperature of every step, shape ``(n_steps,)``: a positive finite number, or a schedule of them."""
    if (not isinstance(temperature, np.ndarray) and np.ndim(temperature) == 0
            and not isinstance(temperature, (list, tuple))):
        return np.full(n_steps, check_real(temperature, "temperature", positive=True))
    temps = as_real_array(temperature, "temperature")
    if temps.dtype.kind == "b":
        raise TypeError("temperature must hold real numbers, not booleans")
    if temps.ndim == 0:
        return np.full(n_steps, check_real(temps, "temperature", positive=True))
    if temps.shape != (n_steps,):
        raise ValueError(f"temperature must be a number or have shape ({n_steps},), got shape {temps.shape}")
    temps = temps.astype(np.float64)
    if not np.all(np.isfinite(temps) & (temps > 0)):
        raise ValueError("temperature must be positive and finite at every step")
    return temps


def _mean(values: np.ndarray) -> float:
    """The mean of finite values, without the sum overflowing."""
    mean = values.mean()
    if not np.isfinite(mean):
        mean = (values / values.size).sum()
    return float(mean)


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
        The true mean reward ``mu_a`` of each of the ``K >= 2`` arms: finite,
        at most ``MAX_MAGNITUDE = 1e300`` in magnitude.
    temperature : float or array_like
        ``T > 0`` (finite), or a schedule of ``n_steps`` such temperatures
        (annealing). As ``T -> 0`` the agent pulls an arm of highest estimate
        (ties at random); tiny temperatures such as ``1e-310`` are fine, as
        the logits are shifted by the largest estimate before ``Q / T`` could
        overflow.
    n_steps : int
        Pulls per run, ``>= 1``.
    rng : numpy.random.Generator or int or None, optional
        Source of randomness, or a non-negative seed.
    n_runs : int, optional
        Independent runs (``>= 1``), simulated together and averaged.
    reward_sd : float, optional
        Standard deviation of the reward noise, in ``[0, 1e300]``.
    initial_value : float, optional
        The estimates ``Q_a`` before any pull (optimistic values encourage
        early exploration), in ``[-1e300, 1e300]``.

    Returns
    -------
    BanditResult
        ``(reward, regret, optimal)``, each of shape ``(n_steps,)``, float64.

    Raises
    ------
    TypeError
        If an argument is of the wrong type: ``n_steps`` or ``n_runs`` not an
        integer, ``temperature``, ``reward_sd`` or ``initial_value`` not a real
        number (booleans, strings, None and arrays are refused), ``arm_means``
        not a real numeric array, ``rng`` not a generator, seed or None.
    ValueError
        If a value is out of range: ``arm_means`` not 1-d with at least 2
        finite entries, any magnitude above ``1e300``, a temperature not
        positive and finite (or a schedule of the wrong length), ``n_steps``
        or ``n_runs`` below 1, ``reward_sd`` negative.

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
    if np.abs(mu).max() > MAX_MAGNITUDE:
        raise ValueError(f"arm_means must be at most {MAX_MAGNITUDE:g} in magnitude, got {np.abs(mu).max():g}")
    n_steps = check_int(n_steps, "n_steps", minimum=1, maximum=np.iinfo(np.intp).max)
    n_runs = check_int(n_runs, "n_runs", minimum=1, maximum=np.iinfo(np.intp).max)
    temps = _temperatures(temperature, n_steps)
    sd = check_real(reward_sd, "reward_sd", nonnegative=True, maximum=MAX_MAGNITUDE)
    initial = check_real(initial_value, "initial_value", minimum=-MAX_MAGNITUDE, maximum=MAX_MAGNITUDE)
    gen = as_generator(rng)

    k = mu.size
    q = np.full((n_runs, k), initial)
    counts = np.zeros((n_runs, k))
    rows = np.arange(n_runs)
    best = mu.max()
    is_best = mu == best
    reward = np.empty(n_steps)
    step_regret = np.empty(n_steps)
    optimal = np.empty(n_steps)
    for t in range(n_steps):
        with np.errstate(over="ignore"):
            logits = q / temps[t]
        if not np.abs(logits).max() < _SHIFT_LOGITS:  # softmax(Q / T) = softmax((Q - max Q) / T)
            with np.errstate(over="ignore"):
                logits = (q - q.max(axis=1, keepdims=True)) / temps[t]
        arms = gumbel_max_sample(logits, gen)
        r = gen.normal(mu[arms], sd)
        counts[rows, arms] += 1
        q[rows, arms] += (r - q[rows, arms]) / counts[rows, arms]
        reward[t] = _mean(r)
        step_regret[t] = best - _mean(mu[arms])
        optimal[t] = is_best[arms].mean()
    return BanditResult(reward, np.cumsum(step_regret), optimal)
