"""Wall-clock times of a call, and a cost line fitted through them.

The book asserts its cost claims on counts (exponentials, multiply-adds, bytes moved); times only
illustrate them. The chapters that draw a timing figure all measure the same way:
:func:`median_time` calls the function once to warm up, then often enough per run that a run
lasts ``min_time`` seconds (so the clock's resolution does not matter), then ``repeats`` runs,
and reports the median time per call with its quartiles as the spread. :func:`fit_linear_cost`
fits ``a + b x`` to such medians over the whole range of sizes, with ``a, b >= 0`` and least
squares on the relative errors, so that the small sizes count as much as the large ones.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from softmaxlab._validation import as_real_array, check_int, check_real

__all__ = ["CallTime", "median_time", "LinearCost", "fit_linear_cost"]


class CallTime(NamedTuple):
    """Seconds per call of a function over repeated runs, from :func:`median_time`.

    Attributes
    ----------
    median : float
        Median over the runs of the seconds per call.
    low, high : float
        First and third quartiles of the runs (``numpy.percentile`` 25 and 75): the spread.
    runs : ndarray
        Seconds per call of each run, float64, in the order the runs were made.
    calls_per_run : int
        How many calls each run timed.

    Examples
    --------
    >>> import numpy as np
    >>> t = CallTime(2e-6, 1.9e-6, 2.2e-6, np.array([2e-6, 1.9e-6, 2.2e-6]), 4096)
    >>> f"{t.median * 1e6:.1f} us [{t.low * 1e6:.1f}, {t.high * 1e6:.1f}]"
    '2.0 us [1.9, 2.2]'
    """

    median: float
    low: float
    high: float
    runs: np.ndarray
    calls_per_run: int


def median_time(func: Callable[[], Any], *, min_time: float = 0.01, repeats: int = 7) -> CallTime:
    """Time ``func()``: the median and quartiles of the seconds per call over ``repeats`` runs.

    One call first (a warm-up: first-call costs such as allocation or caching are not part of
    the work), then the number of calls per run doubles from 1 until one run lasts at least
    ``min_time`` seconds; that run and ``repeats - 1`` more of the same length are timed with
    ``time.perf_counter``. Wall-clock times depend on the machine and its load: print them in
    cells tagged ``nbval-ignore-output`` and assert nothing on them.

    Parameters
    ----------
    func : callable
        Called with no arguments (wrap arguments in a ``lambda``); its result is discarded.
    min_time : float, optional
        Shortest duration of one run in seconds, positive and finite (default 0.01).
    repeats : int, optional
        Number of timed runs, at least 1 (default 7).

    Returns
    -------
    CallTime
        ``median``, ``low`` and ``high`` (quartiles 2, 1 and 3 of the runs, in seconds per call),
        ``runs`` (float64 array of ``repeats`` seconds per call) and ``calls_per_run``.

    Raises
    ------
    TypeError
        If ``func`` is not callable, ``min_time`` is not a real number or ``repeats`` not an integer.
    ValueError
        If ``min_time`` is not positive and finite, or ``repeats`` is below 1.

    Examples
    --------
    >>> from softmaxlab.timing import median_time
    >>> t = median_time(lambda: sum(range(1000)), min_time=0.001, repeats=5)
    >>> t.runs.shape, t.low <= t.median <= t.high, t.calls_per_run >= 1
    ((5,), True, True)
    >>> median_time(print, repeats=0)
    Traceback (most recent call last):
    ...
    ValueError: repeats must be an integer >= 1, got 0
    """
    if not callable(func):
        raise TypeError(f"func must be callable (a function of no arguments), got {type(func).__name__}")
    min_time = check_real(min_time, "min_time", positive=True)
    repeats = check_int(repeats, "repeats", minimum=1)

    def run(calls: int) -> float:
        start = time.perf_counter()
        for _ in range(calls):
            func()
        return time.perf_counter() - start

    func()
    calls = 1
    while (elapsed := run(calls)) < min_time:
        calls *= 2
    runs = np.array([elapsed] + [run(calls) for _ in range(repeats - 1)]) / calls
    low, median, high = np.percentile(runs, [25, 50, 75])
    return CallTime(float(median), float(low), float(high), runs, calls)


class LinearCost(NamedTuple):
    """The line ``seconds ~ fixed + per_unit * x`` fitted by :func:`fit_linear_cost`.

    Attributes
    ----------
    fixed : float
        Seconds per call whatever the size (the intercept ``a``).
    per_unit : float
        Seconds per unit of ``x`` (the slope ``b``).
    worst : float
        Largest relative distance ``|(a + b x) / t - 1|`` of a measured time from the line.

    Examples
    --------
    >>> a, b, worst = LinearCost(1e-6, 2e-9, 0.05)
    >>> round((a + b * 1000) * 1e6, 9)
    3.0
    """

    fixed: float
    per_unit: float
    worst: float


def fit_linear_cost(x: ArrayLike, seconds: ArrayLike) -> LinearCost:
    """Fit ``seconds ~ a + b x`` with ``a, b >= 0``, least squares on the relative errors.

    Minimises ``sum_i ((a + b x_i) / t_i - 1)^2``: every size counts by its relative error, so a
    line fitted over sizes that span decades follows the small ones as closely as the large ones.
    With two unknowns the non-negative least-squares solution is the unconstrained one when both
    are non-negative, and otherwise the better of the two one-parameter fits (``a = 0`` or
    ``b = 0``), which is what is computed.

    Parameters
    ----------
    x : array_like
        Sizes (the work variable: classes, entries, levels), 1-d, finite, at least two of them.
    seconds : array_like
        Measured seconds per call at each size (for instance ``CallTime.median``), same shape,
        positive and finite.

    Returns
    -------
    LinearCost
        ``fixed`` (a) and ``per_unit`` (b), in seconds and seconds per unit of ``x``, and
        ``worst``, ``max |(a + b x) / t - 1|``.

    Raises
    ------
    TypeError
        If ``x`` or ``seconds`` is not an array of real numbers.
    ValueError
        If they are not 1-d of the same length (at least 2), or hold nan or infinities, or a
        time is not positive.

    Examples
    --------
    >>> import numpy as np
    >>> from softmaxlab.timing import fit_linear_cost
    >>> x = np.array([10.0, 100.0, 1000.0])
    >>> fit = fit_linear_cost(x, 2e-6 + 3e-9 * x)
    >>> round(fit.fixed * 1e6, 9), round(fit.per_unit * 1e9, 9), fit.worst < 1e-12
    (2.0, 3.0, True)
    >>> fit_linear_cost([1.0, 2.0], [1.0, 0.0])
    Traceback (most recent call last):
    ...
    ValueError: seconds must hold positive finite times, got [1. 0.]
    """
    x = as_real_array(x, "x").astype(np.float64)
    t = as_real_array(seconds, "seconds").astype(np.float64)
    if x.ndim != 1 or x.size < 2:
        raise ValueError(f"x must be 1-d with at least 2 sizes, got shape {x.shape}")
    if t.shape != x.shape:
        raise ValueError(f"seconds must have the shape of x {x.shape}, got {t.shape}")
    if not np.all(np.isfinite(x)):
        raise ValueError(f"x must hold finite sizes, got {x}")
    if not np.all(np.isfinite(t) & (t > 0)):
        raise ValueError(f"seconds must hold positive finite times, got {t}")
    # Scaled so that neither 1 / t nor x / t overflows: a = t_max a', b = t_max b' / x_max.
    t_max, x_max = float(t.max()), float(np.abs(x).max()) or 1.0
    ts = t / t_max
    # the residuals are A @ (a', b') - 1, rows of A = [1, x / x_max] / ts
    A = np.column_stack([np.ones_like(x), x / x_max]) / ts[:, None]
    ones = np.ones_like(t)
    candidates = []
    solution, *_ = np.linalg.lstsq(A, ones, rcond=None)
    if np.all(solution >= 0):
        candidates.append(solution)
    for column in (0, 1):  # one parameter fitted, the other held at 0
        a_col = A[:, column]
        norm = float(a_col @ a_col)
        coef = max(float(a_col @ ones) / norm, 0.0) if norm > 0 else 0.0
        candidates.append(np.where(np.arange(2) == column, coef, 0.0))
    a_scaled, b_scaled = min(candidates, key=lambda c: float(np.sum((A @ c - 1) ** 2)))
    a, b = a_scaled * t_max, b_scaled * t_max / x_max
    worst = float(np.max(np.abs((a + b * x) / t - 1)))
    return LinearCost(float(a), float(b), worst)
