"""Checker for the exercise on the Gumbel-max trick.

A sampler is checked statistically: for each test distribution ``pi`` it draws
``N_DRAWS`` classes from a generator seeded by the checker and compares the
class counts with ``N_DRAWS * pi``: Pearson's chi-square test
(:func:`chi_square_test`), or an exact binomial test where the classes form
only two cells. On two distributions the pairs of consecutive draws are tested
too (each draw needs fresh noise, and the draws must stay in the order they were
made), and the chi-square statistics of all distributions together must not be
implausibly small (frequencies rounded to ``n pi`` are not random draws).
Because the seeds are fixed, the verdict on a given sampler is the same on
every run and every machine.

Calibration. Each of those 12 tests has level ``GUMBEL_LEVEL = 1e-6`` (exact
for the binomial tests, by the chi-square approximation for the others), so by
Bonferroni's inequality a correct sampler that consumes the generator
differently from the reference fails with probability at most about 1.2e-5.
Simulating the check's decision on 2 million sets of multinomial counts (what a
correct sampler produces) measured 1.3e-5 at level 1e-6, 1.2e-4 at 1e-5 and
1.2e-3 at 1e-4: the approximation holds where it is used
(``tests/test_exercises_gumbel_max.py`` repeats the measurement at 1e-3). The usual
mistakes (no noise, noise added to ``pi`` instead of ``log pi``, uniform or
exponential noise, a sign error in ``-log(-log U)``, the wrong temperature, one
noise vector reused for every draw, sorted draws) miss by p-values below 1e-12,
so no choice of seed lets them pass.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import mpmath
import numpy as np

from softmaxlab._validation import as_real_array
from softmaxlab.exercises._result import CheckFailed, CheckResult, as_float_array, call_answer, checker, fail, fmt

__all__ = ["check_gumbel_max", "chi_square_test", "N_DRAWS", "GUMBEL_LEVEL"]

_SEED = 20260309

#: Draws per test distribution.
N_DRAWS = 20_000

#: Significance level of each of the 12 tests of the check; a correct sampler fails the whole
#: check with probability about 1.3e-5 (measured; see the module docstring).
GUMBEL_LEVEL = 1e-6

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
    >>> from softmaxlab.exercises.gumbel_max import chi_square_test
    >>> stat, dof, p = chi_square_test([510, 290, 200], [0.5, 0.3, 0.2])
    >>> round(stat, 4), dof, round(p, 4)
    (0.5333, 2, 0.7659)
    >>> chi_square_test([1000, 0], [0.5, 0.5])[2] < 1e-100
    True
    >>> chi_square_test([5, 5], [0, 0])
    Traceback (most recent call last):
    ...
    ValueError: probabilities must sum to 1, got 0.0
    """
    counts = as_real_array(counts, "counts").astype(np.float64)
    probabilities = as_real_array(probabilities, "probabilities").astype(np.float64)
    if counts.ndim != 1 or probabilities.shape != counts.shape:
        raise ValueError(
            f"counts and probabilities must be 1-D arrays of the same length, got shapes "
            f"{counts.shape} and {probabilities.shape}"
        )
    if not (np.all(np.isfinite(counts)) and np.all(counts >= 0)):
        raise ValueError("counts must be finite and non-negative")
    if counts.sum() == 0:
        raise ValueError("counts must hold at least one draw")
    if not (np.all(np.isfinite(probabilities)) and np.all(probabilities >= 0)):
        raise ValueError("probabilities must be finite and non-negative")
    if abs(math.fsum(probabilities) - 1.0) > 1e-9:
        raise ValueError(f"probabilities must sum to 1, got {math.fsum(probabilities)!r}")
    cells, expected = _cells(probabilities, float(counts.sum()))
    observed = np.array([counts[cell].sum() for cell in cells])
    statistic = float(np.sum((observed - expected) ** 2 / expected))
    dof = len(cells) - 1
    if dof == 0:
        return statistic, 0, 1.0
    return statistic, dof, _chi2_upper(statistic, dof)


def _cells(probabilities: np.ndarray, n: float) -> tuple[list[list[int]], np.ndarray]:
    """The cells of :func:`chi_square_test`: lists of class indices, and their expected counts.

    Classes of probability 0 are left out; those expecting fewer than ``_MIN_EXPECTED`` draws are
    pooled into one cell, which joins the smallest other cell if it still expects too few.
    """
    classes = [int(i) for i in np.flatnonzero(probabilities > 0)]
    cells = [[i] for i in classes]
    expected = [n * float(probabilities[i]) for i in classes]
    small = [j for j, e in enumerate(expected) if e < _MIN_EXPECTED]
    if small:
        pooled = ([i for j in small for i in cells[j]], sum(expected[j] for j in small))
        cells = [c for j, c in enumerate(cells) if j not in small]
        expected = [e for j, e in enumerate(expected) if j not in small]
        if pooled[1] < _MIN_EXPECTED and expected:
            j = int(np.argmin(expected))
            cells[j] = cells[j] + pooled[0]
            expected[j] += pooled[1]
        else:
            cells.append(pooled[0])
            expected.append(pooled[1])
    return cells, np.array(expected)


def _chi2_upper(statistic: float, dof: int) -> float:
    """``P(chi2(dof) >= statistic)``, the regularised upper incomplete gamma function."""
    return float(mpmath.gammainc(dof / 2.0, statistic / 2.0, mpmath.inf, regularized=True))


def _chi2_lower(statistic: float, dof: int) -> float:
    """``P(chi2(dof) <= statistic)``."""
    return float(mpmath.gammainc(dof / 2.0, 0, statistic / 2.0, regularized=True))


def _binomial_p_value(x: int, n: int, q: float) -> float:
    """Two-sided exact test of ``x`` successes in ``n`` trials of probability ``q``: twice the smaller tail.

    The probabilities are summed from their logarithms (``log C(n, k) + k log q + (n - k) log(1 - q)``,
    built up term by term), so tails far below 1e-300 come out as 0 rather than as an error.
    """
    k = np.arange(n)
    log_ratio = np.log((n - k) / (k + 1.0)) + math.log(q) - math.log1p(-q)
    log_pmf = np.concatenate(([n * math.log1p(-q)], n * math.log1p(-q) + np.cumsum(log_ratio)))

    def tail(logs: np.ndarray) -> float:
        top = float(np.max(logs))
        return math.exp(top) * float(np.sum(np.exp(logs - top)))

    lower, upper = tail(log_pmf[: x + 1]), tail(log_pmf[x:])
    return min(1.0, 2.0 * min(lower, upper))


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


#: The distributions whose consecutive draws are also tested in pairs.
_PAIR_CASES = ("three classes", "uniform")


def _describe_pvalue(p: float) -> str:
    return "below 1e-300" if p < 1e-300 else fmt(p, 3)


def _read_draws(value: Any, K: int, on: str) -> np.ndarray:
    """The reader's draws as an int array of shape ``(N_DRAWS,)`` of class indices, or a failed check."""
    try:
        arr = as_float_array(value, (N_DRAWS,), on=on, what="your sampler")
    except CheckFailed as exc:
        if "shape" not in exc.message:
            raise
        raise CheckFailed(
            exc.message + f" Return one class index per draw, {N_DRAWS} in all (did the argmax run over "
            "the right axis?).",
            exc.details,
        ) from None
    with np.errstate(invalid="ignore"):
        valid = np.isfinite(arr) & (arr == np.round(arr)) & (arr >= 0) & (arr < K)
    if not valid.all():
        bad = arr[~valid][:5]
        fail(
            f"On {on} your sampler returned values that are not class indices 0 to {K - 1}, e.g. {fmt(bad)}: "
            "return the argmax (an index), not the maximum (a value), and count the classes from 0.",
            got=bad,
        )
    return arr.astype(np.int64)


def _draws(sample: Callable[..., Any], pi: np.ndarray, seed: int, on: str) -> np.ndarray:
    value = call_answer(sample, pi.copy(), np.random.default_rng(seed), N_DRAWS, on=on, what="your sampler")
    return _read_draws(value, pi.shape[0], on)


def _goodness_of_fit(counts: np.ndarray, pi: np.ndarray) -> tuple[float, int, float, str]:
    """(Pearson's statistic, degrees of freedom, p-value, name of the test) of the class counts against pi.

    The cells are those of :func:`chi_square_test`. With two cells the p-value is that of the exact
    binomial test (the chi-square approximation overstates the evidence for a cell of 20 expected
    draws by a factor of about 10 at the level 1e-6); with more, Pearson's chi-square.
    """
    n = int(counts.sum())
    cells, expected = _cells(pi, float(n))
    observed = np.array([counts[cell].sum() for cell in cells], dtype=np.float64)
    statistic = float(np.sum((observed - expected) ** 2 / expected))
    dof = len(cells) - 1
    if dof == 0:
        return statistic, 0, 1.0, "no test"
    if dof == 1:
        return statistic, 1, _binomial_p_value(int(observed[0]), n, float(expected[0]) / n), "an exact binomial test"
    return statistic, dof, _chi2_upper(statistic, dof), "Pearson's chi-square test"


@checker("The Gumbel-max trick")
def check_gumbel_max(sample: Callable[[np.ndarray, np.random.Generator, int], Any]) -> CheckResult:
    """Check a Gumbel-max sampler: ``argmax_i (log pi_i + G_i)`` with standard Gumbel noise ``G``.

    ``sample(pi, rng, n)`` gets a probability vector ``pi`` (a 1-D float
    array summing to 1, possibly with zeros), a seeded
    ``numpy.random.Generator`` ``rng`` that must supply all the randomness,
    and the number of draws ``n``; it must return ``n`` class indices
    (integers ``0 <= i < K``) in the order they were drawn. On each of 11
    distributions (one to ten classes: a single class, a certain class next
    to one of probability 0, two equal classes, uniform, a dominant class, a
    rare class of probability 0.001, a class of probability 0, random ones)
    the check draws ``n = N_DRAWS`` classes and requires:

    1. the same draws from two generators seeded alike, and (on the first
       distribution) different draws from a generator seeded differently: the
       sampler uses ``rng``, so the check is reproducible;
    2. no draw of a class of probability 0;
    3. class counts that fit ``n pi``: Pearson's chi-square test
       (:func:`chi_square_test`), or an exact binomial test where the
       classes form two cells, not rejecting at level ``GUMBEL_LEVEL = 1e-6``;
    4. on two of the distributions, counts of the pairs of consecutive draws
       ``(2j, 2j + 1)`` that fit ``(n / 2) pi_i pi_k`` at the same level (each
       draw has its own noise; sorted draws fail);
    5. chi-square statistics that are, summed over the distributions, not
       implausibly small at the same level (counts rounded to ``n pi`` are not
       random draws).

    The seeds are fixed, so the verdict is deterministic. A correct sampler,
    whatever its way of using ``rng``, fails with probability about 1.3e-5
    (12 tests at level 1e-6; measured by simulating multinomial counts),
    while the usual mistakes miss by p-values below 1e-12.

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
    ...     with np.errstate(divide="ignore"):
    ...         return np.argmax(np.log(pi) + rng.gumbel(size=(n, len(pi))), axis=1)
    >>> check_gumbel_max(sample).passed
    True
    >>> check_gumbel_max(lambda pi, rng, n: np.argmax(pi + rng.gumbel(size=(n, len(pi))), axis=1)).passed
    False
    >>> check_gumbel_max(lambda pi, rng, n: np.sort(sample(pi, rng, n))).message[:60]   # sorted draws
    'For pi = [0.5, 0.3, 0.2] (three classes), consecutive draws '
    """
    cases = _gumbel_cases()
    worst = (np.inf, "")
    total_statistic, total_dof = 0.0, 0
    for index, (pi, kind) in enumerate(cases):
        seed = _SEED + 100 + index
        on = f"pi = {fmt(pi, digits=None)}"
        where = f"For pi = {fmt(pi)} ({kind}),"
        draws = _draws(sample, pi, seed, on)
        again = _draws(sample, pi, seed, on)
        if not np.array_equal(draws, again):
            fail(
                f"{where} two calls with generators seeded alike gave different draws: take every "
                "random number from the rng argument (rng.gumbel, rng.random), not from np.random or "
                "a generator of your own, so the check is reproducible.",
                input=on,
            )
        counts = np.bincount(draws, minlength=pi.shape[0])
        frequencies = counts / N_DRAWS
        impossible = (pi == 0) & (counts > 0)
        if np.any(impossible):
            i = int(np.argmax(impossible))
            fail(
                f"{where} your sampler drew class {i}, of probability 0, {int(counts[i])} times in "
                f"{N_DRAWS} draws. Its log-probability is -inf, so log pi_i + G_i = -inf never wins "
                "the argmax.",
                input=on,
                expected=pi,
                got=f"frequencies {fmt(frequencies, 4)}",
            )
        statistic, dof, p_value, test = _goodness_of_fit(counts, pi)
        if dof > 0 and p_value < GUMBEL_LEVEL:
            fail(
                f"{where} your {N_DRAWS} draws have frequencies {fmt(frequencies, 4)}; Categorical(pi) "
                f"would give about {fmt(pi, 4)}. Pearson's chi-square is {fmt(statistic, 5)} on {dof} "
                f"degree{'s' if dof > 1 else ''} of freedom; {test} gives the p-value "
                f"{_describe_pvalue(p_value)}, below the level {fmt(GUMBEL_LEVEL)}: these draws do not "
                "follow pi.",
                input=on,
                expected=f"frequencies near {fmt(pi, 4)}",
                got=f"frequencies {fmt(frequencies, 4)}",
                test=f"chi-square {fmt(statistic, 5)} on {dof} dof, p-value {_describe_pvalue(p_value)} ({test})",
            )
        if index == 0:  # once: a sampler that ignores rng gives the same draws whatever the seed
            other = _draws(sample, pi, _SEED + 99, on)
            if np.array_equal(draws, other):
                fail(
                    f"{where} generators seeded differently gave the same {N_DRAWS} draws: your sampler "
                    "does not take its randomness from the rng argument (or uses none). Draw the noise "
                    "with rng.gumbel or from rng.random.",
                    input=on,
                )
        if dof > 0:
            total_statistic += statistic
            total_dof += dof
            if p_value < worst[0]:
                worst = (p_value, f"pi = {fmt(pi, 4)}: chi-square {fmt(statistic, 4)} on {dof} dof, "
                                  f"p-value {fmt(p_value, 3)}")
        if kind in _PAIR_CASES:
            K = pi.shape[0]
            pairs = np.bincount(draws[0::2] * K + draws[1::2], minlength=K * K)
            pair_pi = np.outer(pi, pi).reshape(-1)
            pair_statistic, pair_dof, pair_p, _ = _goodness_of_fit(pairs, pair_pi)
            if pair_p < GUMBEL_LEVEL:
                excess = pairs / pairs.sum() - pair_pi
                top = int(np.argmax(excess))
                fail(
                    f"{where} consecutive draws are not independent: among the {pairs.sum()} pairs (draw "
                    f"2j, draw 2j + 1), the pair ({top // K}, {top % K}) has frequency "
                    f"{fmt(pairs[top] / pairs.sum(), 4)}, where independent draws would give "
                    f"pi_{top // K} pi_{top % K} = {fmt(pair_pi[top], 4)} (chi-square {fmt(pair_statistic, 5)} "
                    f"on {pair_dof} dof, p-value {_describe_pvalue(pair_p)}). Give every draw its own fresh "
                    "noise and return the draws in the order they were made (not sorted).",
                    input=on,
                    expected=f"pair frequencies near {fmt(pair_pi, 4)}",
                    got=f"pair frequencies {fmt(pairs / pairs.sum(), 4)}",
                )
    too_good = _chi2_lower(total_statistic, total_dof)
    if too_good < GUMBEL_LEVEL:
        fail(
            f"Over the {len(cases)} distributions (pi = {fmt(cases[0][0])}, {fmt(cases[1][0])}, ...) your "
            f"frequencies are closer to pi than independent random draws ever come: the chi-square "
            f"statistics sum to {fmt(total_statistic, 4)} on {total_dof} degrees of freedom, where random "
            f"draws give about {total_dof} (probability of so small a sum {_describe_pvalue(too_good)}). "
            "Draw each class at random (argmax of log pi + Gumbel noise); do not round n pi to counts.",
            input=f"pi = {fmt(cases[0][0], digits=None)} and the other {len(cases) - 1} distributions",
            expected=f"a chi-square sum near {total_dof}",
            got=fmt(total_statistic, 4),
        )
    return (
        f"Your sampler is reproducible, takes its randomness from rng, never draws a class of probability 0, "
        f"and its draws fit pi at level {fmt(GUMBEL_LEVEL)} on all {len(cases)} distributions "
        f"({N_DRAWS} draws each, K = 1 to 10), with independent consecutive draws.",
        (("smallest p-value", worst[1]),),
    )
