"""Checker for the exercise on the Gumbel-max trick (exercise 9).

A sampler is checked statistically: for each test distribution ``pi`` it draws
``N_DRAWS`` classes from a generator seeded by the checker, and Pearson's
chi-square test compares the class counts with ``N_DRAWS * pi``. Because the
seed is fixed, the verdict on a given sampler is the same on every run and
every machine; because the level is small (``GUMBEL_LEVEL`` per
distribution, about 1e-3 for the whole check by Bonferroni's inequality), a
correct sampler that consumes the generator differently from the reference
still passes with probability about 0.999, while the usual mistakes (no noise,
noise added to ``pi`` instead of ``log pi``, uniform or exponential noise, one
noise vector reused for every draw) miss by chi-square values in the hundreds
or thousands.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import mpmath
import numpy as np

from softmaxlab.exercises._result import CheckResult, call_answer, checker, fail, fmt

__all__ = ["check_gumbel_max", "chi_square_test", "N_DRAWS", "GUMBEL_LEVEL"]

_SEED = 20260309

#: Draws per test distribution.
N_DRAWS = 20_000

#: Significance level of each chi-square test; with 9 tests the whole check
#: rejects a correct sampler with probability at most 9e-4.
GUMBEL_LEVEL = 1e-4

#: Classes whose expected count is below this are pooled into one cell, so the
#: chi-square approximation to Pearson's statistic holds (Cochran's rule).
_MIN_EXPECTED = 5.0


def chi_square_test(counts: Any, probabilities: Any) -> tuple[float, int, float]:
    """Pearson's goodness-of-fit test of class counts against a categorical distribution.

    Classes with probability 0 are left out (the caller checks that they were
    never drawn); classes whose expected count is below 5 are pooled into
    one cell (and that cell into the smallest remaining one if it is still
    below 5), so the statistic is close to its chi-square distribution.

    Parameters
    ----------
    counts : array_like of int, shape (K,)
        How often each class was drawn.
    probabilities : array_like, shape (K,)
        The distribution the draws should follow (sums to 1).

    Returns
    -------
    statistic : float
        ``sum_cells (observed - expected)^2 / expected``.
    dof : int
        Degrees of freedom: the number of cells minus 1.
    p_value : float
        ``P(chi2(dof) >= statistic)``, from the regularised upper incomplete
        gamma function (mpmath); 1.0 when there is a single cell.

    Examples
    --------
    >>> from softmaxlab.exercises.sampling import chi_square_test
    >>> stat, dof, p = chi_square_test([510, 290, 200], [0.5, 0.3, 0.2])
    >>> round(stat, 4), dof, round(p, 4)
    (0.5333, 2, 0.7659)
    >>> chi_square_test([1000, 0], [0.5, 0.5])[2] < 1e-100
    True
    """
    counts = np.asarray(counts, dtype=np.float64)
    probabilities = np.asarray(probabilities, dtype=np.float64)
    n = counts.sum()
    keep = probabilities > 0
    observed = list(counts[keep])
    expected = list(n * probabilities[keep])
    small = [i for i, e in enumerate(expected) if e < _MIN_EXPECTED]
    if small:
        pooled = (sum(observed[i] for i in small), sum(expected[i] for i in small))
        observed = [o for i, o in enumerate(observed) if i not in small]
        expected = [e for i, e in enumerate(expected) if i not in small]
        if pooled[1] < _MIN_EXPECTED and expected:
            j = int(np.argmin(expected))
            observed[j] += pooled[0]
            expected[j] += pooled[1]
        else:
            observed.append(pooled[0])
            expected.append(pooled[1])
    observed_arr, expected_arr = np.array(observed), np.array(expected)
    statistic = float(np.sum((observed_arr - expected_arr) ** 2 / expected_arr))
    dof = len(expected) - 1
    if dof == 0:
        return statistic, 0, 1.0
    p_value = float(mpmath.gammainc(dof / 2.0, statistic / 2.0, mpmath.inf, regularized=True))
    return statistic, dof, p_value


def _gumbel_cases() -> list[tuple[np.ndarray, str]]:
    rng = np.random.default_rng(_SEED)
    return [
        (np.array([0.8, 0.2]), "two classes"),
        (np.array([0.5, 0.3, 0.2]), "three classes"),
        (np.array([0.25, 0.25, 0.25, 0.25]), "uniform"),
        (np.array([0.9, 0.05, 0.03, 0.02]), "one dominant class"),
        (np.array([0.0, 0.7, 0.3]), "a class of probability 0"),
        (np.array([0.999, 0.001]), "a rare class"),
        (np.array([0.5, 0.5]), "two equal classes"),
        (rng.dirichlet(np.ones(10)), "random, K = 10"),
        (rng.dirichlet(np.full(6, 0.3)), "random and uneven, K = 6"),
        (np.array([0.0, 1.0]), "a certain class"),
        (np.array([1.0]), "a single class"),
    ]


def _describe_pvalue(p: float) -> str:
    return "below 1e-300" if p < 1e-300 else fmt(p, 3)


def _draws(sample: Callable[..., Any], pi: np.ndarray, seed: int, on: str) -> np.ndarray:
    K = pi.shape[0]
    value = call_answer(sample, pi.copy(), np.random.default_rng(seed), N_DRAWS, on=on, what="your sampler")
    try:
        arr = np.asarray(value)
        numeric = arr.dtype.kind in "iuf"
    except (TypeError, ValueError):
        numeric = False
    if not numeric:
        fail(f"On {on} your sampler returned {type(value).__name__}; return an array of {N_DRAWS} class indices.")
    if arr.shape != (N_DRAWS,):
        fail(
            f"On {on} your sampler returned an array of shape {arr.shape}; expected shape ({N_DRAWS},), "
            f"one class index per draw (did the argmax run over the right axis?).",
        )
    if not np.all(np.isfinite(arr)) or not np.all(arr == np.round(arr)) or arr.min() < 0 or arr.max() >= K:
        bad = arr[~(np.isfinite(arr) & (arr == np.round(arr)) & (arr >= 0) & (arr < K))][:5]
        fail(
            f"On {on} your sampler returned values that are not class indices 0 to {K - 1}, e.g. {fmt(bad)}: "
            "return the argmax (an index), not the maximum (a value).",
            got=bad,
        )
    return arr.astype(np.int64)


@checker("The Gumbel-max trick")
def check_gumbel_max(sample: Callable[[np.ndarray, np.random.Generator, int], Any]) -> CheckResult:
    """Check a Gumbel-max sampler: ``argmax_i (log pi_i + G_i)`` with standard Gumbel noise ``G``.

    ``sample(pi, rng, n)`` gets a probability vector ``pi`` (a 1-D float
    array summing to 1, possibly with zeros), a seeded
    ``numpy.random.Generator`` ``rng`` that must supply all the randomness,
    and the number of draws ``n``; it must return ``n`` class indices
    (integers ``0 <= i < K``). On each of 11 distributions (K = 1 to 10,
    uniform, a dominant class, a rare class of probability 0.001, classes of
    probability 0) the check draws ``n = N_DRAWS`` classes and requires:

    1. the same draws from two generators seeded alike (the sampler uses
       ``rng``, so the check is reproducible);
    2. no draw of a class of probability 0;
    3. Pearson's chi-square test of the counts against ``n pi``
       (:func:`chi_square_test`) not rejecting at level ``GUMBEL_LEVEL = 1e-4``.

    The seeds are fixed, so the verdict is deterministic; a correct sampler
    fails with probability about 1e-3 whatever its way of using ``rng``.

    Parameters
    ----------
    sample : callable
        ``sample(pi, rng, n) -> array of n ints``.

    Returns
    -------
    CheckResult

    Examples
    --------
    >>> import numpy as np
    >>> from softmaxlab.exercises import check_gumbel_max
    >>> def sample(pi, rng, n):
    ...     return np.argmax(np.log(pi) + rng.gumbel(size=(n, len(pi))), axis=1)
    >>> check_gumbel_max(sample).passed
    True
    >>> check_gumbel_max(lambda pi, rng, n: np.argmax(pi + rng.gumbel(size=(n, len(pi))), axis=1)).passed
    False
    """
    cases = _gumbel_cases()
    worst = (np.inf, "")
    for index, (pi, kind) in enumerate(cases):
        seed = _SEED + 100 + index
        on = f"pi = {fmt(pi, digits=None)}"
        draws = _draws(sample, pi, seed, on)
        again = _draws(sample, pi, seed, on)
        if not np.array_equal(draws, again):
            fail(
                f"For pi = {fmt(pi)} ({kind}), two calls with generators seeded alike gave different "
                "draws: take every random number from the rng argument (rng.gumbel, rng.random), "
                "not from np.random or a generator of your own, so the check is reproducible.",
                input=f"pi = {fmt(pi, digits=None)}",
            )
        counts = np.bincount(draws, minlength=pi.shape[0])
        frequencies = counts / N_DRAWS
        impossible = (pi == 0) & (counts > 0)
        if np.any(impossible):
            i = int(np.argmax(impossible))
            fail(
                f"For pi = {fmt(pi)} ({kind}), your sampler drew class {i}, of probability 0, "
                f"{int(counts[i])} times in {N_DRAWS} draws. Its log-probability is -inf, so "
                "log pi_i + G_i = -inf never wins the argmax.",
                input=f"pi = {fmt(pi, digits=None)}",
                expected=pi,
                got=f"frequencies {fmt(frequencies, 4)}",
            )
        statistic, dof, p_value = chi_square_test(counts, pi)
        if dof > 0 and p_value < GUMBEL_LEVEL:
            fail(
                f"For pi = {fmt(pi)} ({kind}), your {N_DRAWS} draws have frequencies "
                f"{fmt(frequencies, 4)}; Categorical(pi) would give about {fmt(pi, 4)}. Pearson's "
                f"chi-square is {fmt(statistic, 5)} on {dof} degree{'s' if dof > 1 else ''} of freedom "
                f"(p-value {_describe_pvalue(p_value)}, below the level {fmt(GUMBEL_LEVEL)}): "
                "these draws do not follow pi.",
                input=f"pi = {fmt(pi, digits=None)}",
                expected=f"frequencies near {fmt(pi, 4)}",
                got=f"frequencies {fmt(frequencies, 4)}",
                chi_square=f"{fmt(statistic, 5)} on {dof} dof, p-value {_describe_pvalue(p_value)}",
            )
        if dof > 0 and p_value < worst[0]:
            worst = (p_value, f"pi = {fmt(pi, 4)}: chi-square {fmt(statistic, 4)} on {dof} dof, p-value {fmt(p_value, 3)}")
    return (
        f"Your sampler is reproducible, never draws a class of probability 0, and passes Pearson's "
        f"chi-square test at level {fmt(GUMBEL_LEVEL)} on all {len(cases)} distributions "
        f"({N_DRAWS} draws each, K = 1 to 10).",
        (("smallest p-value", worst[1]),),
    )
