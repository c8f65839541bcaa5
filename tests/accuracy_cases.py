"""Test vectors and a 50-digit mpmath reference for softmax, log_softmax and logsumexp.

Shared by ``tests/test_accuracy.py`` (which asserts the error bounds) and
``benchmarks/accuracy_report.py`` (which prints them beside scipy's), so both
measure the very same vectors the very same way.

The reference follows Blanchard, Higham and Higham (2021): rounding
``x_j - max`` in working precision is unavoidable, so each output is compared
with the exact formula applied to the rounded differences ``d_j = fl(x_j - m)``
(:func:`reference`); :func:`reference` with ``exact_input=True`` uses the exact
differences instead, to show what that first rounding costs. Errors are in
units in the last place (ulp) of the true value in the tested dtype, so a
value near 0 is measured relative to its own size (:func:`ulp_error`), except
logsumexp, measured relative to ``|m| + log1p(s)`` (the cancellation in
``m + log1p(s)`` when ``m`` is slightly negative is inherent in the problem).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

import mpmath
import numpy as np

DIGITS = 50
DTYPES = (np.float64, np.float32)
N_RANDOM = 1000
SEED = 20210401  # any fixed seed; the date of the Blanchard-Higham-Higham paper
TOLERANCE_ULP = 4.0

#: Families beyond the hard cases above that probe numpy's float32 exp at its least
#: accurate arguments; in float32 they are checked by their own test.
FLOAT32_EXP_FAMILY = "worst float32 exp"


# ---------------------------------------------------------------------------
# The test vectors
# ---------------------------------------------------------------------------


def random_vectors(dtype, count: int = N_RANDOM, seed: int = SEED) -> list[np.ndarray]:
    """``count`` seeded vectors of lengths 2..1000 (log-uniform) at mixed scales and offsets.

    >>> v = random_vectors(np.float32, count=3)
    >>> [x.dtype.name for x in v], all(2 <= x.size <= 1000 for x in v)
    (['float32', 'float32', 'float32'], True)
    """
    rng = np.random.default_rng([seed, np.dtype(dtype).itemsize])
    vectors = []
    for i in range(count):
        n = (2, 1000)[i] if i < 2 else int(round(math.exp(rng.uniform(math.log(2), math.log(1000)))))
        scale = 10.0 ** rng.uniform(-3, 3)
        offset = rng.standard_normal() * 10.0 ** rng.uniform(-3, 3)
        noise = rng.standard_normal(n) if i % 2 == 0 else rng.uniform(-1, 1, n)
        vectors.append((offset + scale * noise).astype(dtype))
    return vectors


def adversarial_vectors(dtype) -> list[tuple[str, np.ndarray]]:
    """The hard cases, as ``(family, vector)`` pairs.

    Values near the overflow threshold of exp (about 709.78 in float64, 88.72
    in float32) and near minus it; a huge range of magnitudes; one dominant
    entry (the case where log(1 + s) loses everything); ties; a single
    element; entries whose exponentials underflow to subnormals; logsumexp
    near 0.

    >>> sorted({family for family, _ in adversarial_vectors(np.float64)})[:3]
    ['dominant', 'huge range', 'logsumexp near 0']
    """
    f = np.finfo(dtype)
    edge = 700.0 if dtype == np.float64 else 88.0
    # d below which exp(d) is subnormal, and below which it underflows to 0
    sub_hi, sub_lo = math.log(float(f.tiny)), math.log(float(f.smallest_subnormal))
    rng = np.random.default_rng([SEED, 7, np.dtype(dtype).itemsize])
    cases: list[tuple[str, np.ndarray]] = []

    def add(family, values):
        cases.append((family, np.asarray(values, dtype=np.float64).astype(dtype)))

    for n in (2, 3, 10, 100, 1000):
        add("near +overflow", edge + 10 * rng.uniform(-1, 1, n))
        add("near +overflow", edge - np.abs(rng.standard_normal(n)))
        add("near -overflow", -edge + 10 * rng.uniform(-1, 1, n))
        add("near -overflow", -edge - np.abs(rng.standard_normal(n)))
    big = math.log10(float(f.max)) - 1
    for n in (2, 5, 50, 500):
        signs = rng.choice([-1.0, 1.0], n)
        add("huge range", signs * 10.0 ** rng.uniform(-big, big, n))
        add("huge range", 10.0 ** rng.uniform(-big, big, n))
    gap = (20.0, 45.0) if dtype == np.float64 else (9.0, 20.0)
    for n in (2, 3, 10, 100, 1000):
        for top in (0.0, 1.5, -3.0, 1e4):
            others = top - rng.uniform(*gap, n - 1)
            add("dominant", rng.permutation(np.append(others, top)))
    for n in (2, 3, 10):
        for d in (1.0, 5.0, 16.0, 30.0, 36.0, 38.0, 745.0):
            add("dominant", [0.0] + [-d] * (n - 1))
    for n, k in ((2, 2), (3, 2), (10, 3), (100, 50), (1000, 1000)):
        top = rng.standard_normal() * 10
        x = top - rng.uniform(0, 5, n)
        x[rng.choice(n, k, replace=False)] = top
        add("ties", x)
    add("ties", np.full(7, -123.25))
    for v in (0.0, 1.0, -1.0, 1e-30, edge, -edge, float(f.max) / 2, -float(f.max) / 2):
        add("single element", [v])
    for n in (2, 10, 200, 1000):
        add("subnormal exp", np.append(0.0, rng.uniform(sub_lo + 0.5, sub_hi - 0.01, n - 1)))
        add("subnormal exp", np.append(3.0, 3.0 + rng.uniform(sub_lo - 5, sub_hi, n - 1)))
        # s itself subnormal: a sum of many rounded subnormals would be far off
        add("subnormal exp", np.append(0.0, np.full(n - 1, sub_lo + 0.3)))
        add("subnormal exp", np.append(-1e-300, -1e-300 + rng.uniform(sub_lo, sub_lo + 2, n - 1)))
    for m in (-1e-3, -1e-6, -0.5):
        for d in (8.0, 15.0, 30.0):
            add("logsumexp near 0", [m, m - d, m - d - 1.0])
        add("logsumexp near 0", [m, m - 0.1])
    for n in (50, 1000):
        add("nearly equal", -rng.uniform(0, 1e-9, n))
    # The arguments where numpy's float32 exp (AVX2 SIMD) is least accurate, up
    # to 3.57 * 2**-24 relative (found by scanning every float32 in [-87, 0]);
    # with 1 + s rounded to float32 before the division, the first vector's
    # softmax was 4.3 ulp off.
    add(FLOAT32_EXP_FAMILY, [0.0, -17.672317504882812, -1.750399112701416, -1.5610531568527222,
                              -2.802263021469116])
    for a in (-62.02950668334961, -38.46604537963867, -28.762775421142578, -28.06679916381836,
              -0.33940762281417847, -0.3452081084251404):
        for n in (2, 3, 5):
            add(FLOAT32_EXP_FAMILY, np.append([0.0, a], -rng.uniform(0, 3, n - 2)))
    return cases


@cache
def cases(dtype) -> tuple[tuple[str, np.ndarray], ...]:
    """Every test vector of ``dtype``: the random ones first, then the adversarial ones."""
    dtype = np.dtype(dtype).type
    return tuple([("random", x) for x in random_vectors(dtype)] + adversarial_vectors(dtype))


# ---------------------------------------------------------------------------
# The reference, and errors in ulp
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Reference:
    """50-digit values, each stored as a double-double ``hi + lo`` (enough for ulp errors)."""

    softmax: tuple[np.ndarray, np.ndarray]
    log_softmax: tuple[np.ndarray, np.ndarray]
    logsumexp: tuple[float, float]
    logsumexp_scale: float  # |m| + log1p(s): what logsumexp errors are relative to


def _split(values) -> tuple[np.ndarray, np.ndarray]:
    hi = np.array([float(v) for v in values])
    lo = np.array([float(v - h) if math.isfinite(h) else 0.0 for v, h in zip(values, hi)])
    return hi, lo


def reference(x: np.ndarray, *, exact_input: bool = False) -> Reference:
    """softmax, log_softmax and logsumexp of the vector ``x`` to 50 digits.

    By default the formulas are applied to the rounded differences
    ``fl(x_j - max)`` computed in ``x.dtype``; with ``exact_input`` to the
    exact ``x_j - max``.

    >>> r = reference(np.array([0.0, np.log(3.0)]))
    >>> [round(float(p), 12) for p in r.softmax[0]]
    [0.25, 0.75]
    """
    with mpmath.workdps(DIGITS):
        k = int(np.argmax(x))
        m = mpmath.mpf(float(x[k]))
        if exact_input:
            d = [mpmath.mpf(float(v)) - m for v in x]
        else:
            with np.errstate(over="ignore"):
                d = [mpmath.mpf(float(v)) for v in x - x[k]]
        e = [mpmath.exp(v) for v in d]
        s = mpmath.fsum(e[:k] + e[k + 1 :])  # exp(d_k) = 1 left out
        # log1p(s), not log(1 + s): at 50 digits 1 + s would still lose an s below 1e-50
        log_total = mpmath.log1p(s)
        inverse = 1 / (1 + s)
        return Reference(
            softmax=_split([v * inverse for v in e]),
            log_softmax=_split([v - log_total for v in d]),
            logsumexp=tuple(float(a[0]) for a in _split([m + log_total])),
            logsumexp_scale=float(abs(m) + log_total),
        )


def ulp(a, dtype) -> np.ndarray:
    """The unit in the last place, in ``dtype``, of the (float64) magnitudes ``a``.

    >>> float(ulp(1.0, np.float32)) == 2.0 ** -23, float(ulp(0.0, np.float64)) == 2.0 ** -1074
    (True, True)
    """
    f = np.finfo(dtype)
    a = np.abs(np.asarray(a, dtype=np.float64))
    _, e = np.frexp(a)  # a = mantissa * 2**e, mantissa in [0.5, 1); e = 0 for a = 0
    e = np.where(a < f.tiny, f.minexp + 1, e)  # subnormals (and 0) all have the smallest ulp
    return np.ldexp(1.0, e - (f.nmant + 1))


def ulp_error(computed, ref: tuple, dtype, scale=None) -> np.ndarray:
    """``|computed - ref| / ulp(ref)`` elementwise (``ulp(scale)`` when ``scale`` is given).

    Equal infinities count as exact; nan anywhere gives an infinite error.

    >>> float(ulp_error(np.float32(1.0) + np.float32(2.0**-23), (1.0, 0.0), np.float32))
    1.0
    """
    hi, lo = (np.asarray(r, dtype=np.float64) for r in ref)
    c = np.asarray(computed).astype(np.float64)
    with np.errstate(invalid="ignore"):
        diff = np.abs((c - hi) - lo)
    unit = ulp(hi if scale is None else scale, dtype)
    err = np.where(c == hi, np.abs(lo) / unit, diff / unit)  # c == hi covers equal infinities
    return np.where(np.isnan(err), np.inf, err)


@dataclass(frozen=True)
class Errors:
    """Largest ulp error of each output on one vector."""

    softmax: float
    log_softmax: float
    logsumexp: float


def errors(x: np.ndarray, ref: Reference, softmax, log_softmax, logsumexp) -> Errors:
    """Max ulp errors on ``x`` of three functions (any of them may be None)."""
    dtype = x.dtype.type

    def worst(fn, r, **kw):
        if fn is None:
            return math.nan
        with np.errstate(all="ignore"):
            value = fn(x)
        return float(np.max(ulp_error(value, r, dtype, **kw)))

    return Errors(
        softmax=worst(softmax, ref.softmax),
        log_softmax=worst(log_softmax, ref.log_softmax),
        logsumexp=worst(logsumexp, ref.logsumexp, scale=ref.logsumexp_scale),
    )


@cache
def references(dtype, exact_input: bool = False) -> tuple[Reference, ...]:
    """The reference of every vector of :func:`cases` (computed once per process)."""
    return tuple(reference(x, exact_input=exact_input) for _, x in cases(dtype))
