"""Rules table of the group "sparse": softmaxlab.sparse, softmaxlab.gumbel, softmaxlab.attention, softmaxlab.online.

Every public function of the four modules is walked through the inputs the
library's rules name (CONTRIBUTING.md, section 3; tests/rules_support.py): bad
array-likes, dtypes, memory layouts, axes, special values, bad parameters and
mismatched shapes. Errors must come from softmaxlab and name the argument;
values are compared with references computed independently, in 40-digit
mpmath (entmax by bisection on its threshold, softmax and log-sum-exp from
their definitions, attention query by query) or by brute force, never with
typed-in numbers. The memory each array function uses beyond its result is
measured on a 10^4 x 10^3 float64 problem, and no input may be modified.
RuntimeWarnings are errors here: special values must be handled, not stumbled on.
"""

from __future__ import annotations

import functools
import math

import mpmath as mp
import numpy as np
import pytest

import softmaxlab as S
from rules_support import BAD_ARRAYS, DTYPES, assert_rejects, assert_unmodified, peak_extra_bytes
from softmaxlab.gumbel import as_generator

pytestmark = pytest.mark.filterwarnings("error")

COVERED = {
    "sparsemax", "sparsemax_threshold", "sparsemax_jacobian", "sparsemax_jvp",
    "entmax15", "entmax15_threshold", "entmax15_jacobian", "entmax15_jvp", "entmax_bisect",
    "gumbel_max_sample", "gumbel_softmax",
    "scaled_dot_product_attention",
    "softmax_state", "merge", "online_softmax", "online_logsumexp", "tiled_attention",
}  # MemoryTraffic and SoftmaxState are result types (tests/test_rules_coverage.py)

inf, nan = np.inf, np.nan
EPS64 = np.finfo(np.float64).eps
DIGITS = 40


# --------------------------------------------------------------------------- references (40-digit mpmath)


def _mpf(v: float):
    return mp.mpf(float(v))


def _entmax_terms(z, t, e):
    """``max(exp(-e t) + e z_i, 0) ** (1 / e)`` for a slice ``z`` with maximum 0 (None for -inf).

    With ``w = exp(-e t)`` this is alpha-entmax's ``max((alpha-1) z_i - tau, 0) ** (1/(alpha-1))``
    at ``tau = -w``: a tie of maxima gets ``exp(-t)`` exactly, even where ``w`` is far below the
    float range (alpha = 1e300), and the root lies in ``t in [0, log n]``."""
    w = mp.exp(-e * t)
    out = []
    for v in z:
        base = mp.mpf(0) if v is None else max(w + e * v, 0)
        out.append(base if e == 1 else base * base if e == mp.mpf(0.5) else mp.exp(mp.log(base) / e) if base else base)
    return out


def _entmax_probs(z, e):
    """Probabilities and ``w`` of a slice ``z`` (mpf, maximum 0) by 160 bisection steps on ``t``."""
    lo, hi = mp.mpf(0), mp.log(len(z))
    for _ in range(160):
        mid = (lo + hi) / 2
        if mp.fsum(_entmax_terms(z, mid, e)) >= 1:
            lo = mid
        else:
            hi = mid
    t = (lo + hi) / 2
    return _entmax_terms(z, t, e), mp.exp(-e * t)


@functools.cache
def _entmax_row_cached(x: tuple, alpha: float) -> tuple[tuple, float]:
    n = len(x)
    if n == 0:
        return (), -inf
    if any(math.isnan(v) for v in x):
        return (nan,) * n, nan
    if inf in x:
        c = x.count(inf)
        return tuple(1.0 / c if v == inf else 0.0 for v in x), inf
    if all(v == -inf for v in x):
        return (nan,) * n, -inf
    with mp.workdps(DIGITS):
        e = mp.mpf(alpha) - 1
        m = max(_mpf(v) for v in x if v != -inf)
        p, w = _entmax_probs([None if v == -inf else _mpf(v) - m for v in x], e)
        return tuple(float(t) for t in p), float(e * m - w)


def entmax_row_ref(x, alpha: float) -> tuple[list[float], float]:
    """alpha-entmax of one slice (alpha > 1) and its threshold ``tau``,
    in ``p = max((alpha-1) x - tau, 0)^(1/(alpha-1))``, by bisection in 40-digit arithmetic;
    special values as documented (the logsumexp-like threshold)."""
    p, tau = _entmax_row_cached(tuple(float(v) for v in x), float(alpha))
    return list(p), tau


def softmax_row_ref(x) -> tuple[list[float], float]:
    """softmax and logsumexp of one slice with the core's special values, in 40-digit arithmetic."""
    x = [float(v) for v in x]
    n = len(x)
    if n == 0:
        return [], -inf
    if any(math.isnan(v) for v in x):
        return [nan] * n, nan
    if inf in x:
        c = x.count(inf)
        return [1.0 / c if v == inf else 0.0 for v in x], inf
    if all(v == -inf for v in x):
        return [nan] * n, -inf
    with mp.workdps(DIGITS):
        m = max(_mpf(v) for v in x if v != -inf)
        e = [mp.mpf(0) if v == -inf else mp.exp(_mpf(v) - m) for v in x]
        total = mp.fsum(e)
        return [float(t / total) for t in e], float(m + mp.log(total))


def state_row_ref(x) -> tuple[float, float]:
    """``(max, sum exp(x - max))`` of one slice, with the documented special values."""
    x = [float(v) for v in x]
    if not x:
        return -inf, 0.0
    if any(math.isnan(v) for v in x):
        return nan, nan
    m = max(x)
    if m in (inf, -inf):
        return m, float(x.count(inf))
    with mp.workdps(DIGITS):
        return m, float(mp.fsum(mp.exp(_mpf(v) - _mpf(m)) for v in x if v != -inf))


@functools.cache
def _jacobian_cached(x: tuple, alpha: float) -> np.ndarray:
    n = len(x)
    with mp.workdps(DIGITS):
        e = mp.mpf(alpha) - 1
        h = mp.mpf("1e-15")
        top = max(_mpf(v) for v in x)
        z = [_mpf(v) - top for v in x]  # exact: the step must not vanish next to 1e308
        jac = np.empty((n, n))
        for j in range(n):
            up = [v + (h if i == j else 0) for i, v in enumerate(z)]
            down = [v - (h if i == j else 0) for i, v in enumerate(z)]
            shift_up, shift_down = max(up), max(down)
            pu = _entmax_probs([v - shift_up for v in up], e)[0]
            pd = _entmax_probs([v - shift_down for v in down], e)[0]
            jac[:, j] = [float((a - b) / (2 * h)) for a, b in zip(pu, pd)]
    jac.flags.writeable = False
    return jac


def jacobian_ref(x, alpha: float) -> np.ndarray:
    """Jacobian of alpha-entmax at a finite slice by central differences of the 40-digit reference
    (step 1e-15: error of order 1e-30 away from the kinks where a score meets the threshold)."""
    return _jacobian_cached(tuple(float(v) for v in x), float(alpha))


def along(x: np.ndarray, axis, row_fn, *, reduce: bool = False):
    """Apply a reference to every slice of ``x`` along ``axis`` (``None``: all of ``x`` in C order)."""
    x = np.asarray(x, dtype=np.float64)
    if axis is None:
        out = row_fn(x.reshape(-1))
        return np.float64(out) if reduce else np.asarray(out, dtype=float).reshape(x.shape)
    moved = np.moveaxis(x, axis, -1)
    rows = moved.reshape(-1, moved.shape[-1])
    res = [row_fn(r) for r in rows]
    if reduce:
        return np.asarray(res, dtype=float).reshape(moved.shape[:-1])
    out = np.asarray(res, dtype=float).reshape(moved.shape)
    return np.moveaxis(out, -1, axis)


def map_ref(name: str, x, axis=-1, **kw):
    """Reference of a same-shape map of this group."""
    if name in ("sparsemax", "entmax15", "entmax_bisect"):
        alpha = {"sparsemax": 2.0, "entmax15": 1.5}.get(name, kw.get("alpha", 1.5))
        if alpha == 1.0:
            return along(x, axis, lambda r: softmax_row_ref(r)[0])
        return along(x, axis, lambda r: entmax_row_ref(r, alpha)[0])
    if name == "online_softmax":
        return along(x, axis, lambda r: softmax_row_ref(r)[0])
    raise KeyError(name)


def reduction_ref(name: str, x, axis=-1):
    if name == "sparsemax_threshold":
        return along(x, axis, lambda r: entmax_row_ref(r, 2.0)[1], reduce=True)
    if name == "entmax15_threshold":
        return along(x, axis, lambda r: entmax_row_ref(r, 1.5)[1], reduce=True)
    if name == "online_logsumexp":
        return along(x, axis, lambda r: softmax_row_ref(r)[1], reduce=True)
    raise KeyError(name)


def attention_ref(q, k, v, scale=None, mask=None) -> np.ndarray:
    """Attention query by query in 40-digit arithmetic, with the documented edges: nan for a
    query with no key to attend to or with a non-finite unmasked score."""
    q, k, v = (np.asarray(a, dtype=np.float64) for a in (q, k, v))
    batch = np.broadcast_shapes(q.shape[:-2], k.shape[:-2], v.shape[:-2],
                                () if mask is None else np.shape(mask)[:-2])
    n_q, n_k, d_v = q.shape[-2], k.shape[-2], v.shape[-1]
    if mask is not None:
        mask = np.broadcast_to(mask, batch + (n_q, n_k))
    if scale is None:
        scale = 1 / math.sqrt(q.shape[-1]) if q.shape[-1] else 1.0
    qb, kb, vb = (np.broadcast_to(a, batch + a.shape[-2:]) for a in (q, k, v))
    out = np.empty(batch + (n_q, d_v))
    with mp.workdps(DIGITS):
        for b in np.ndindex(*batch):
            for i in range(n_q):
                keys = [j for j in range(n_k) if mask is None or mask[b + (i, j)]]
                with np.errstate(over="ignore", invalid="ignore"):  # inf in q or k, or an overflow: a nan row
                    dots = [np.dot(qb[b][i], kb[b][j]) for j in keys]
                if not keys or not all(np.isfinite(dots)):
                    out[b + (i,)] = nan
                    continue
                s = [_mpf(scale) * mp.fsum(_mpf(a) * _mpf(c) for a, c in zip(qb[b][i], kb[b][j])) for j in keys]
                top = max(s)
                w = [mp.exp(t - top) for t in s]
                total = mp.fsum(w)
                for col in range(d_v):
                    out[b + (i, col)] = float(mp.fsum(wj * _mpf(vb[b][j, col]) for wj, j in zip(w, keys)) / total)
    return out


def assert_matches(got, ref, *, scale: float = 1.0, dtype=None, rtol: float | None = None):
    """``got`` equals ``ref`` where ``ref`` is nan or infinite, and within rounding elsewhere:
    ``2 eps_out |ref| + 16 eps64 scale`` (``scale`` bounds the magnitude of the inputs the
    result was shifted by), plus the smallest subnormal of the output dtype."""
    got_arr, ref = np.asarray(got), np.asarray(ref, dtype=np.float64)
    assert got_arr.shape == ref.shape, (got_arr.shape, ref.shape)
    out_dtype = np.dtype(dtype or got_arr.dtype)
    eps_out = max(np.finfo(out_dtype).eps, EPS64)
    g = got_arr.astype(np.float64)
    special = ~np.isfinite(ref)
    np.testing.assert_array_equal(
        np.isnan(g), np.isnan(ref), err_msg="nan where the reference has none, or none where it has"
    )
    np.testing.assert_array_equal(g[special & ~np.isnan(ref)], ref[special & ~np.isnan(ref)])
    fin = ~special
    tol = max(rtol or 0.0, 2 * eps_out) * np.abs(ref[fin]) + 16 * EPS64 * scale
    tol = tol + float(np.finfo(out_dtype).smallest_subnormal)
    bad = np.abs(g[fin] - ref[fin]) > tol
    assert not bad.any(), (
        f"max error {np.max(np.abs(g[fin] - ref[fin]))}: got {g[fin][bad][:4]}, expected {ref[fin][bad][:4]}"
    )


def finite_scale(x) -> float:
    a = np.asarray(x, dtype=np.float64)
    a = a[np.isfinite(a)]
    return max(1.0, float(np.abs(a).max())) if a.size else 1.0


# --------------------------------------------------------------------------- the functions of x alone

MAPS = {
    "sparsemax": S.sparsemax,
    "entmax15": S.entmax15,
    "entmax_bisect": lambda x, axis=-1: S.entmax_bisect(x, 1.7, axis),
    "online_softmax": lambda x, axis=-1: S.online_softmax(x, axis, block_size=2),
}
MAP_REFS = {
    "sparsemax": lambda x, axis=-1: map_ref("sparsemax", x, axis),
    "entmax15": lambda x, axis=-1: map_ref("entmax15", x, axis),
    "entmax_bisect": lambda x, axis=-1: map_ref("entmax_bisect", x, axis, alpha=1.7),
    "online_softmax": lambda x, axis=-1: map_ref("online_softmax", x, axis),
}
REDUCTIONS = {
    "sparsemax_threshold": S.sparsemax_threshold,
    "entmax15_threshold": S.entmax15_threshold,
    "online_logsumexp": lambda x, axis=-1: S.online_logsumexp(x, axis, block_size=2),
}
def _ones_like(x):
    """A tangent v of ones with x's shape and (real) dtype, for calling the JVPs with x alone."""
    try:
        a = np.asarray(x)
    except ValueError:  # a ragged x: rejected before v is looked at
        return np.ones(2)
    return np.ones(a.shape, dtype=a.dtype if a.dtype.kind in "biuf" else float)


#: Every function that takes an array x (and maybe v) and an axis.
X_FUNCTIONS = {
    **MAPS, **REDUCTIONS,
    "sparsemax_jacobian": S.sparsemax_jacobian,
    "entmax15_jacobian": S.entmax15_jacobian,
    "sparsemax_jvp": lambda x, axis=-1: S.sparsemax_jvp(x, _ones_like(x), axis),
    "entmax15_jvp": lambda x, axis=-1: S.entmax15_jvp(x, _ones_like(x), axis),
    "softmax_state": S.softmax_state,
}
#: The same with x and v both as arguments (for the bad-v rows).
JVPS = {"sparsemax_jvp": S.sparsemax_jvp, "entmax15_jvp": S.entmax15_jvp}

#: Slices exercising the IEEE rules, one per row; every row goes through every map and reduction.
SPECIAL_X = {
    "generic": [[0.3, -1.2, 2.5, 0.0, 1.1], [4.0, 4.0, -3.0, 0.5, 3.9]],
    "ties and -inf": [[0.0, 0.0, -inf, 0.0], [-inf, 1.0, 1.0, -inf]],
    "+inf entries": [[inf, 0.0, inf, -inf], [0.0, inf, 1.0, 2.0]],
    "nan in one slice": [[nan, 0.0, 1.0], [0.0, 1.3, 2.0]],
    "nan beside +inf": [[nan, inf, 1.0], [0.0, -0.7, -2.0]],
    "all -inf": [[-inf, -inf], [0.0, 0.6]],
    "1e308": [[1e308, -1e308, 0.0], [1.7e308, 1.7e308, -1.7e308]],
    "5e-324": [[5e-324, 0.0, -5e-324], [5e-324, 5e-324, 5e-324]],
    "one entry": [[3.0], [-inf], [inf], [nan]],
    "spread and near ties": [[100.0, 99.5, -100.0, 99.9], [1.0, 1.0 - 1e-15, 1.0 - 2e-15, -1.0]],
}


@pytest.mark.parametrize("case", SPECIAL_X)
@pytest.mark.parametrize("name", MAPS)
def test_maps_on_special_values(name, case):
    x = np.array(SPECIAL_X[case])
    assert_matches(MAPS[name](x), MAP_REFS[name](x), scale=finite_scale(x))


@pytest.mark.parametrize("case", SPECIAL_X)
@pytest.mark.parametrize("name", REDUCTIONS)
def test_reductions_on_special_values(name, case):
    x = np.array(SPECIAL_X[case])
    assert_matches(REDUCTIONS[name](x), reduction_ref(name, x), scale=finite_scale(x))


@pytest.mark.parametrize("case", SPECIAL_X)
def test_softmax_state_on_special_values(case):
    x = np.array(SPECIAL_X[case])
    ref = np.array([state_row_ref(r) for r in x])
    state = S.softmax_state(x)
    assert isinstance(state, S.SoftmaxState)
    assert_matches(state.m, ref[:, 0])
    assert_matches(state.d, ref[:, 1])


@pytest.mark.parametrize("case", SPECIAL_X)
@pytest.mark.parametrize("name", ["sparsemax_jvp", "entmax15_jvp"])
def test_jvps_on_special_values(name, case):
    """J v with J from the 40-digit finite differences on finite slices; nan where the map is nan;
    the Jacobian at the tie of the +inf entries where the maximum is +inf."""
    x = np.array(SPECIAL_X[case])
    alpha = 2.0 if name == "sparsemax_jvp" else 1.5
    v = np.linspace(-1.0, 2.0, x.size).reshape(x.shape)
    got = JVPS[name](x, v)
    for row, vrow, grow in zip(x, v, got):
        p, _ = entmax_row_ref(row, alpha)
        if np.isnan(p).any():
            assert np.isnan(grow).all()
        elif np.max(row) == inf:  # s is constant on the tie of the +inf entries: J v = s (v - mean over the tie)
            tie = row == inf
            s = 1.0 if alpha == 2.0 else np.sqrt(1 / tie.sum())
            assert_matches(grow, np.where(tie, s * (vrow - vrow[tie].mean()), 0.0))
        else:
            finite = row > -inf
            jac = np.zeros((len(row), len(row)))
            jac[np.ix_(finite, finite)] = jacobian_ref(row[finite], alpha)
            assert_matches(grow, jac @ vrow, scale=16 * finite_scale(vrow))


@pytest.mark.parametrize("name", ["sparsemax_jacobian", "entmax15_jacobian"])
@pytest.mark.parametrize(
    "case", ["generic", "ties and -inf", "+inf entries", "nan in one slice", "all -inf", "one entry"]
)
def test_jacobians_on_special_values(name, case):
    x = np.array(SPECIAL_X[case])
    alpha = 2.0 if name == "sparsemax_jacobian" else 1.5
    got = getattr(S, name)(x)
    assert got.shape == x.shape + (x.shape[-1],)
    for row, jrow in zip(x, got):
        p, _ = entmax_row_ref(row, alpha)
        if np.isnan(p).any():
            assert np.isnan(jrow).all()
            continue
        if np.max(row) == inf:
            s = np.where(row == inf, 1.0 if alpha == 2.0 else np.sqrt(1 / np.sum(row == inf)), 0.0)
            expected = np.diag(s) - np.outer(s, s) / s.sum()
        else:
            finite = row > -inf
            expected = np.zeros((len(row), len(row)))
            expected[np.ix_(finite, finite)] = jacobian_ref(row[finite], alpha)
        assert_matches(jrow, expected, scale=16.0)
        assert not np.signbit(jrow[jrow == 0]).any()  # +0 off the support, never -0


# --------------------------------------------------------------------------- layouts, axes, 0-d, lists, empty

#: No score of any slice (along any axis) sits at a threshold, where the maps are not differentiable.
BASE3 = np.array([[[0.53, -1.07, 2.11, 0.02], [1.13, 0.91, -0.47, 2.93], [0.26, 0.07, -1.93, 1.57]],
                  [[-0.97, 2.03, 1.87, 0.61], [0.09, -2.89, 1.21, 0.83], [3.71, 0.43, 0.37, -1.09]]])
LAYOUTS = {
    "C": lambda a: np.ascontiguousarray(a),
    "Fortran": lambda a: np.asfortranarray(a),
    "non-contiguous": lambda a: np.repeat(a, 2, axis=-1)[..., ::2],
    "negative strides": lambda a: np.ascontiguousarray(a[::-1, ::-1, ::-1])[::-1, ::-1, ::-1],
}
AXES = [0, 1, 2, -1, None]


def _reference_for(name, x, axis):
    if name in MAP_REFS:
        return MAP_REFS[name](x, axis)
    if name in REDUCTIONS:
        return reduction_ref(name, x, axis)
    raise KeyError(name)


@pytest.mark.parametrize("axis", AXES)
@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("name", [*MAPS, *REDUCTIONS])
def test_layouts_and_axes(name, layout, axis):
    x = LAYOUTS[layout](BASE3)
    got = X_FUNCTIONS[name](x, axis)
    assert_matches(got, _reference_for(name, BASE3, axis), scale=4.0)
    if np.ndim(got) == 0:
        assert isinstance(got, np.floating), type(got)


@pytest.mark.parametrize("axis", AXES)
@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize(
    "name", ["sparsemax_jacobian", "entmax15_jacobian", "sparsemax_jvp", "entmax15_jvp", "softmax_state"]
)
def test_layouts_and_axes_of_derivatives_and_states(name, layout, axis):
    x = LAYOUTS[layout](BASE3)
    v = LAYOUTS[layout](np.arange(BASE3.size, dtype=float).reshape(BASE3.shape) % 5 - 2)
    flat_c = axis is None
    moved = BASE3.reshape(1, -1) if flat_c else np.moveaxis(BASE3, axis, -1).reshape(-1, BASE3.shape[axis])
    vmoved = np.asarray(v).reshape(1, -1) if flat_c else np.moveaxis(np.asarray(v), axis, -1).reshape(moved.shape)
    alpha = 2.0 if name.startswith("sparsemax") else 1.5
    if name.endswith("jacobian"):
        got = getattr(S, name)(x, axis)
        batch = () if flat_c else tuple(np.delete(BASE3.shape, axis))
        assert got.shape == batch + (moved.shape[1],) * 2
        for jrow, row in zip(got.reshape(-1, moved.shape[1], moved.shape[1]), moved):
            assert_matches(jrow, jacobian_ref(row, alpha), scale=16.0)
    elif name.endswith("jvp"):
        got = getattr(S, name)(x, v, axis)
        assert got.shape == BASE3.shape
        gm = got.reshape(1, -1) if flat_c else np.moveaxis(got, axis, -1).reshape(moved.shape)
        for grow, row, vrow in zip(gm, moved, vmoved):
            assert_matches(grow, jacobian_ref(row, alpha) @ vrow, scale=16.0)
    else:
        state = S.softmax_state(x, axis)
        ref = np.array([state_row_ref(r) for r in moved])
        shape = () if flat_c else tuple(np.delete(BASE3.shape, axis))
        assert_matches(state.m, ref[:, 0].reshape(shape))
        assert_matches(state.d, ref[:, 1].reshape(shape))
        if flat_c:
            assert isinstance(state.m, np.floating) and isinstance(state.d, np.floating)


@pytest.mark.parametrize("name", X_FUNCTIONS)
def test_zero_d_input(name):
    """A 0-d x is one distribution of one entry with axis=None; axis=-1 has no axis to use."""
    func = X_FUNCTIONS[name]
    got = func(np.float64(2.5), None)
    if name in MAPS:
        assert isinstance(got, np.float64) and got == 1.0
    elif name in REDUCTIONS:
        assert isinstance(got, np.float64)
        assert_matches(got, reduction_ref(name, np.array(2.5), None))
    elif name.endswith("jacobian"):
        assert got.shape == (1, 1) and got[0, 0] == 0.0
    elif name.endswith("jvp"):
        assert isinstance(got, np.float64) and got == 0.0
    else:
        assert got == (2.5, 1.0) and isinstance(got.m, np.float64)
    assert_rejects(func, (np.float64(2.5), -1), names="axis")


def _parts(result) -> list[np.ndarray]:
    return [np.asarray(p) for p in (result if isinstance(result, tuple) else (result,))]


@pytest.mark.parametrize("name", X_FUNCTIONS)
def test_lists_and_booleans(name):
    """Nested lists are read as arrays; booleans are computed as float64 0 and 1."""
    func = X_FUNCTIONS[name]
    for given, same in (([[1.0, 2.0, -1.0], [3.0, 3.0, 0.0]], np.array([[1.0, 2.0, -1.0], [3.0, 3.0, 0.0]])),
                        (np.array([[True, False, True]]), np.array([[1.0, 0.0, 1.0]]))):
        for got, ref in zip(_parts(func(given)), _parts(func(same))):
            assert got.dtype == np.float64
            np.testing.assert_array_equal(got, ref)


EMPTY = {"(0,)": (0,), "(2, 0)": (2, 0), "(0, 3)": (0, 3)}


@pytest.mark.parametrize("axis", [-1, None])
@pytest.mark.parametrize("shape", EMPTY)
@pytest.mark.parametrize("name", X_FUNCTIONS)
def test_empty_input(name, shape, axis):
    """Maps give an empty result of x's shape; reductions over an empty axis give -inf (the log of
    an empty sum; the threshold of no scores); softmax_state gives the identity (-inf, 0)."""
    x = np.zeros(EMPTY[shape])
    got = X_FUNCTIONS[name](x, axis)
    n = x.size if axis is None else x.shape[-1]
    if name in MAPS or name.endswith("jvp"):
        assert isinstance(got, np.ndarray) and got.shape == x.shape
    elif name.endswith("jacobian"):
        assert got.shape == ((n, n) if axis is None else x.shape + (n,))
    else:
        reduced = () if axis is None else x.shape[:-1]
        values = got if name != "softmax_state" else got.m
        assert np.shape(values) == reduced
        if n == 0:
            assert np.all(np.asarray(values) == -inf)
            if name == "softmax_state":
                assert np.all(np.asarray(got.d) == 0)


@pytest.mark.parametrize("bad", BAD_ARRAYS)
@pytest.mark.parametrize("name", X_FUNCTIONS)
def test_bad_x(name, bad):
    assert_rejects(X_FUNCTIONS[name], (BAD_ARRAYS[bad],), names="x", errors=TypeError)


BAD_AXES = {"out of range": (2, np.exceptions.AxisError), "float": (1.5, TypeError), "str": ("0", TypeError),
            "bool": (True, TypeError), "list": ([0], TypeError), "too negative": (-3, np.exceptions.AxisError)}


@pytest.mark.parametrize("bad", BAD_AXES)
@pytest.mark.parametrize("name", X_FUNCTIONS)
def test_bad_axis(name, bad):
    axis, error = BAD_AXES[bad]
    assert_rejects(X_FUNCTIONS[name], (np.zeros((2, 3)), axis), names="axis", errors=error)


DTYPE_BASE = np.array([[0.53, 0.26, -1.07, 0.02], [2.11, -0.47, 0.91, 1.13]])  # no score at a threshold
INT_BASE = np.array([[7, 0, -3, 2], [6, 1, 0, 3]])


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", X_FUNCTIONS)
def test_dtypes(name, dtype):
    """float16 -> float16 (computed in float32 or float64), float32 -> float32, long double ->
    long double, big-endian -> native, integers -> float64; values of the float64 reference."""
    given, expected = DTYPES[dtype]
    x = (INT_BASE if given.kind == "i" else DTYPE_BASE).astype(given)
    exact = x.astype(np.float64)
    got = X_FUNCTIONS[name](x)
    parts = got if name == "softmax_state" else (got,)
    for part in parts:
        assert np.asarray(part).dtype == expected, (name, dtype, np.asarray(part).dtype)
    work_eps = np.finfo(np.float32).eps if given in (np.float16, np.float32) and name.startswith("online") else None
    if name in MAPS:
        assert_matches(got, MAP_REFS[name](exact), scale=4.0, rtol=8 * work_eps if work_eps else None)
    elif name in REDUCTIONS:
        assert_matches(got, reduction_ref(name, exact), scale=4.0, rtol=8 * work_eps if work_eps else None)
    elif name == "softmax_state":
        ref = np.array([state_row_ref(r) for r in exact])
        assert_matches(got.m, ref[:, 0])
        low_precision = given in (np.float16, np.float32)
        assert_matches(got.d, ref[:, 1], rtol=8 * np.finfo(np.float32).eps if low_precision else None)
    else:
        alpha = 2.0 if name.startswith("sparsemax") else 1.5
        v = ((np.arange(x.size) % 3) - 1).reshape(x.shape).astype(given)
        if name.endswith("jvp"):
            got = JVPS[name](x, v)
            assert got.dtype == expected
        for row, vrow, g in zip(exact, v.astype(np.float64), got):
            jac = jacobian_ref(row, alpha)
            assert_matches(g, jac if name.endswith("jacobian") else jac @ vrow, scale=16.0)


# --------------------------------------------------------------------------- v, alpha, n_iter, block_size

BAD_NUMBERS = {
    "zero": 0, "negative": -1, "nan": nan, "inf": inf, "bool": True, "str": "2", "None": None,
    "10**400": 10**400, "array": np.array([1.5, 2.0]), "float for an int": 2.0,
}


@pytest.mark.parametrize("bad", BAD_ARRAYS)
@pytest.mark.parametrize("name", JVPS)
def test_bad_v(name, bad):
    assert_rejects(JVPS[name], (np.zeros(2), BAD_ARRAYS[bad]), names="v", errors=TypeError)


@pytest.mark.parametrize("shape", [(3,), (2, 1), (6,), (3, 2)])
@pytest.mark.parametrize("axis", [-1, None])
@pytest.mark.parametrize("name", JVPS)
def test_v_of_another_shape(name, axis, shape):
    assert_rejects(JVPS[name], (np.zeros((2, 3)), np.ones(shape), axis), names="v", errors=ValueError)


@pytest.mark.parametrize("case", ["nan", "+inf", "-inf", "1e308", "mixed dtypes"])
@pytest.mark.parametrize("name", JVPS)
def test_v_values(name, case):
    """A slice where v is not finite is nan (0 * inf); a finite v never overflows unless the exact
    result does; x and v promote their dtypes."""
    x = np.array([[0.0, 0.0, -5.0], [1.0, 0.2, 0.1]])
    alpha = 2.0 if name.startswith("sparsemax") else 1.5
    if case == "mixed dtypes":
        got = JVPS[name](x.astype(np.float32), np.ones(x.shape, dtype=np.float64))
        assert got.dtype == np.float64
        got16 = JVPS[name](x.astype(np.float16), np.ones(x.shape, dtype=np.float16))
        assert got16.dtype == np.float16
        return
    special = {"nan": nan, "+inf": inf, "-inf": -inf, "1e308": 1e308}[case]
    v = np.array([[special, special, 0.0], [special, -special, 1.0]])
    got = JVPS[name](x, v)
    if not np.isfinite(special):
        assert np.isnan(got).all()
        return
    for row, vrow, grow in zip(x, v, got):
        jac = jacobian_ref(row, alpha)
        with mp.workdps(DIGITS):  # J v exactly from the reference J, without overflow
            exact = [float(mp.fsum(_mpf(a) * _mpf(b) for a, b in zip(jrow, vrow))) for jrow in jac]
        assert_matches(grow, exact, scale=16 * 1e308)
        assert np.isfinite(grow).all()


@pytest.mark.parametrize("bad", BAD_NUMBERS)
def test_bad_alpha(bad):
    value = BAD_NUMBERS[bad]
    if bad == "float for an int":
        assert_matches(S.entmax_bisect([0.0, 1.0], value), map_ref("entmax_bisect", [0.0, 1.0], alpha=2.0))
        return
    assert_rejects(S.entmax_bisect, ([0.0, 1.0], value), names="alpha")


@pytest.mark.parametrize("bad", BAD_NUMBERS)
def test_bad_n_iter(bad):
    assert_rejects(S.entmax_bisect, ([0.0, 1.0], 1.5), {"n_iter": BAD_NUMBERS[bad]}, names="n_iter")


@pytest.mark.parametrize("alpha", [1.0, 1 + 1e-12, 1 + 1e-6, 1.01, 1.25, 2.0, 3.0, 50.0, 1e3, 1e300])
def test_entmax_bisect_alphas(alpha):
    """From just above softmax to far beyond sparsemax, against the 40-digit bisection; ties included."""
    x = np.array([[0.3, -1.2, 2.5, 0.0, 1.1], [1.0, 1.0, -0.5, 0.0, 1.0 - 1e-9], [0.0, -1e-300, -1.0, -inf, 0.0]])
    assert_matches(S.entmax_bisect(x, alpha), map_ref("entmax_bisect", x, alpha=alpha), rtol=1e-12)


def test_entmax_bisect_n_iter_range():
    x = np.array([0.3, -1.2, 2.5, 0.0])
    assert_matches(S.entmax_bisect(x, 1.5, n_iter=2000), map_ref("entmax15", x))
    assert np.isclose(S.entmax_bisect(x, 1.5, n_iter=1).sum(), 1.0)
    assert_rejects(S.entmax_bisect, (x, 1.5), {"n_iter": 2001}, names="n_iter")


BLOCK_SIZE_FUNCTIONS = {"online_softmax": S.online_softmax, "online_logsumexp": S.online_logsumexp}


@pytest.mark.parametrize("bad", BAD_NUMBERS)
@pytest.mark.parametrize("name", BLOCK_SIZE_FUNCTIONS)
def test_bad_block_size(name, bad):
    func = BLOCK_SIZE_FUNCTIONS[name]
    if bad == "10**400":  # a valid (huge) block: one block per slice
        x = np.array(SPECIAL_X["generic"])
        np.testing.assert_array_equal(func(x, block_size=10**400), func(x, block_size=x.shape[-1]))
        return
    assert_rejects(func, ([0.0, 1.0],), {"block_size": BAD_NUMBERS[bad]}, names="block_size")


@pytest.mark.parametrize("block_size", [1, 2, 3, 5, 1000])
@pytest.mark.parametrize("name", BLOCK_SIZE_FUNCTIONS)
def test_block_sizes_give_the_same_answer(name, block_size):
    x = np.array([[700.0, -700.0, 3.0, 700.0, 2.0], [0.0, -50.0, -inf, -60.0, -inf]])
    got = BLOCK_SIZE_FUNCTIONS[name](x, block_size=block_size)
    ref = map_ref("online_softmax", x) if name == "online_softmax" else reduction_ref(name, x)
    assert_matches(got, ref, scale=700.0)


def test_online_logsumexp_is_accurate_near_the_maximum():
    """m + log1p(s), as logsumexp: a result of 2e-22 keeps its digits (m + log d would give 0)."""
    x = np.array([0.0, -50.0, -inf])
    assert_matches(S.online_logsumexp(x, block_size=1), reduction_ref("online_logsumexp", x), rtol=4 * EPS64)


# --------------------------------------------------------------------------- merge

STATE_PAIRS = {
    "scalars": ((1.0, 2.0), (0.5, 3.0)),
    "identity left": ((-inf, 0.0), (1.0, 1.0)),
    "identity both": ((-inf, 0.0), (-inf, 0.0)),
    "+inf with finite": ((inf, 2.0), (5.0, 1.0)),
    "+inf with +inf": ((inf, 2.0), (inf, 3.0)),
    "nan": ((nan, nan), (1.0, 1.0)),
    "1e308 apart": ((1e308, 1.0), (-1e308, 4.0)),
    "broadcast": ((np.array([0.0, 1.0]), np.array([1.0, 2.0])), (0.5, 1.0)),
}


def merge_ref(a, b):
    """The state of the union, from (m, d) pairs as sums of exponentials, in 40-digit arithmetic."""
    am, ad, bm, bd = np.broadcast_arrays(*(np.asarray(t, dtype=float) for t in (*a, *b)))
    m_out, d_out = np.empty(am.shape), np.empty(am.shape)
    for i in np.ndindex(am.shape):
        ms, ds = (am[i], bm[i]), (ad[i], bd[i])
        if np.isnan(ms).any() or np.isnan(ds).any():
            m_out[i] = d_out[i] = nan
            continue
        m = max(ms)
        m_out[i] = m
        if m in (inf, -inf):
            d_out[i] = sum(d for mm, d in zip(ms, ds) if mm == m)
        else:
            with mp.workdps(DIGITS):
                d_out[i] = float(mp.fsum(_mpf(d) * mp.exp(_mpf(mm) - _mpf(m)) for mm, d in zip(ms, ds) if mm != -inf))
    return m_out, d_out


@pytest.mark.parametrize("case", STATE_PAIRS)
def test_merge_values(case):
    a, b = STATE_PAIRS[case]
    got = S.merge(S.SoftmaxState(*a), S.SoftmaxState(*b))
    m, d = merge_ref(a, b)
    assert_matches(got.m, m)
    assert_matches(got.d, d)
    if np.ndim(got.m) == 0:
        assert isinstance(got.m, np.floating) and isinstance(got.d, np.floating)


@pytest.mark.parametrize("dtype", DTYPES)
def test_merge_dtypes(dtype):
    given, expected = DTYPES[dtype]
    a = S.SoftmaxState(np.array([1, 2]).astype(given), np.array([1, 3]).astype(given))
    b = S.SoftmaxState(np.array([2, 0]).astype(given), np.array([2, 1]).astype(given))
    got = S.merge(a, b)
    assert got.m.dtype == expected and got.d.dtype == expected
    m, d = merge_ref(tuple(np.asarray(t, float) for t in a), tuple(np.asarray(t, float) for t in b))
    assert_matches(got.d, d, rtol=8 * np.finfo(np.float32).eps if given.itemsize <= 4 else None)


MERGE_BAD = {
    "a not a pair": ([1.0, 2.0, 3.0], (0.0, 1.0), "a", TypeError),
    "b None": ((0.0, 1.0), None, "b", TypeError),
    "a.m str": (("x", 1.0), (0.0, 1.0), "a.m", TypeError),
    "b.d complex": ((0.0, 1.0), (0.0, 1j), "b.d", TypeError),
    "a.d negative": ((0.0, -1.0), (0.0, 1.0), "a.d", ValueError),
    "mismatched": ((np.zeros(2), np.ones(2)), (np.zeros(3), np.ones(3)), "a.m (2,)", ValueError),
    "mismatched within a": ((np.zeros(2), np.ones(3)), (0.0, 1.0), "a.d (3,)", ValueError),
}


@pytest.mark.parametrize("case", MERGE_BAD)
def test_merge_rejects(case):
    a, b, names, error = MERGE_BAD[case]
    assert_rejects(S.merge, (a, b), names=names, errors=error)


# --------------------------------------------------------------------------- gumbel

GUMBEL = {"gumbel_max_sample": S.gumbel_max_sample, "gumbel_softmax": S.gumbel_softmax}


def gumbel_ref(logits, seed, size=(), axis=-1, temperature=None, work=np.float64):
    """The documented draw: the generator's Gumbel numbers in C order of size + batch + (K,), added to the
    logits (axis moved last; all entries for axis=None); then argmax, or softmax of the sum / T in 40 digits."""
    arr = np.asarray(logits)
    rows = arr.reshape(1, -1) if axis is None else np.moveaxis(arr, axis, -1)
    batch = () if axis is None else rows.shape[:-1]
    k = rows.shape[-1]
    noise = np.random.default_rng(seed).gumbel(size=tuple(size) + batch + (k,)).astype(work)
    noisy = noise + rows.reshape(batch + (k,)).astype(work)
    if temperature is None:
        return np.argmax(noisy, axis=-1)
    flat = noisy.reshape(-1, k).astype(np.float64) / temperature
    probs = np.array([softmax_row_ref(r)[0] for r in flat]).reshape(noisy.shape)
    if axis is None:
        return probs.reshape(tuple(size) + arr.shape)
    return np.moveaxis(probs, -1, len(size) + (axis % arr.ndim))


GUMBEL_LOGITS = {
    "1-D": (np.log([0.5, 0.3, 0.2]), -1),
    "-inf classes": (np.array([[0.0, -inf, 1.0], [-inf, -inf, 2.0]]), -1),
    "axis 0": (np.array([[0.0, 1.0], [2.0, -1.0], [0.5, 0.5]]), 0),
    "axis None": (np.array([[0.0, -1.0], [2.0, -inf]]), None),
    "0-d with axis None": (np.float64(0.3), None),
    "Fortran": (np.asfortranarray(np.arange(6.0).reshape(2, 3) / 3), 1),
    "1e308": (np.array([1e308, -1e308, 1e308]), -1),
    "5e-324": (np.array([5e-324, 0.0, -5e-324]), -1),
    "list": ([[0.0, 1.0], [1.0, 0.0]], -1),
}


@pytest.mark.parametrize("size", [None, 3, (2, 2), 0])
@pytest.mark.parametrize("case", GUMBEL_LOGITS)
def test_gumbel_draws(case, size):
    logits, axis = GUMBEL_LOGITS[case]
    shape = () if size is None else ((size,) if isinstance(size, int) else size)
    draws = S.gumbel_max_sample(logits, 7, size=size, axis=axis)
    ref = gumbel_ref(logits, 7, shape, axis)
    np.testing.assert_array_equal(draws, ref)
    assert np.asarray(draws).dtype == np.int64
    if np.ndim(draws) == 0:
        assert isinstance(draws, np.int64)
    soft = S.gumbel_softmax(logits, 0.7, 7, size=size, axis=axis)
    assert_matches(soft, gumbel_ref(logits, 7, shape, axis, temperature=0.7), scale=finite_scale(logits) / 0.7)
    hard = S.gumbel_softmax(logits, 0.7, 7, size=size, axis=axis, hard=True)
    assert hard.shape == soft.shape
    if hard.size:
        cls = -1 if axis is None else len(shape) + (axis % np.ndim(logits))
        moved = hard.reshape(shape + (-1,)) if axis is None else np.moveaxis(hard, cls, -1)
        np.testing.assert_array_equal(moved.argmax(axis=-1), ref)
        np.testing.assert_array_equal(moved.sum(axis=-1), 1.0)


@pytest.mark.parametrize("dtype", DTYPES)
def test_gumbel_dtypes(dtype):
    given, expected = DTYPES[dtype]
    logits = np.array([[0, 1, 2], [2, 0, 1]]).astype(given)
    work = np.float32 if given.kind == "f" and given.itemsize <= 4 else np.float64
    np.testing.assert_array_equal(S.gumbel_max_sample(logits, 3, size=4), gumbel_ref(logits, 3, (4,), work=work))
    soft = S.gumbel_softmax(logits, 1.5, 3, size=4)
    assert soft.dtype == expected
    ref = gumbel_ref(logits, 3, (4,), temperature=1.5, work=work)
    assert_matches(soft, ref, scale=3.0, rtol=8 * np.finfo(work).eps)


BAD_LOGITS = {
    "nan": ([0.0, nan], -1, "nan", ValueError),
    "+inf": ([0.0, inf], -1, "+inf", ValueError),
    "all -inf slice": ([[0.0, 1.0], [-inf, -inf]], -1, "logits", ValueError),
    "no class": (np.zeros((2, 0)), -1, "logits", ValueError),
    "empty with axis None": (np.zeros(0), None, "logits", ValueError),
    "0-d with an axis": (1.0, -1, "logits", ValueError),
}


@pytest.mark.parametrize("case", BAD_LOGITS)
@pytest.mark.parametrize("name", GUMBEL)
def test_gumbel_bad_logits(name, case):
    logits, axis, names, error = BAD_LOGITS[case]
    assert_rejects(GUMBEL[name], (logits,), {"axis": axis, "rng": 0}, names=names, errors=error)


@pytest.mark.parametrize("bad", BAD_ARRAYS)
@pytest.mark.parametrize("name", GUMBEL)
def test_gumbel_bad_arrays(name, bad):
    assert_rejects(GUMBEL[name], (BAD_ARRAYS[bad],), {"rng": 0}, names="logits", errors=TypeError)


@pytest.mark.parametrize("bad", BAD_AXES)
@pytest.mark.parametrize("name", GUMBEL)
def test_gumbel_bad_axis(name, bad):
    axis, error = BAD_AXES[bad]
    assert_rejects(GUMBEL[name], (np.zeros((2, 3)),), {"axis": axis, "rng": 0}, names="axis", errors=error)


BAD_SIZES = {"negative": -1, "nan": nan, "inf": inf, "bool": True, "str": "3", "10**400": 10**400,
             "array": np.array([2, 3]), "float": 2.0, "negative in a tuple": (2, -1), "float in a tuple": (2, 1.0)}


@pytest.mark.parametrize("bad", BAD_SIZES)
@pytest.mark.parametrize("name", GUMBEL)
def test_gumbel_bad_size(name, bad):
    assert_rejects(GUMBEL[name], ([0.0, 1.0],), {"size": BAD_SIZES[bad], "rng": 0}, names="size")


BAD_RNGS = {"negative": -1, "nan": nan, "float": 1.5, "bool": True, "str": "seed", "array": np.array([1, 2]),
            "legacy RandomState": np.random.RandomState(0)}


@pytest.mark.parametrize("bad", BAD_RNGS)
@pytest.mark.parametrize("name", GUMBEL)
def test_gumbel_bad_rng(name, bad):
    assert_rejects(GUMBEL[name], ([0.0, 1.0],), {"rng": BAD_RNGS[bad]}, names="rng", errors=TypeError)
    assert_rejects(as_generator, (BAD_RNGS[bad],), names="rng", errors=TypeError)


def test_gumbel_rng_kinds():
    """A Generator is used as is (its state advances), an int seeds a new one (10**400 too), None is unseeded."""
    g = np.random.default_rng(5)
    first = S.gumbel_max_sample([0.0, 0.0, 0.0], g, size=50)
    assert not np.array_equal(first, S.gumbel_max_sample([0.0, 0.0, 0.0], g, size=50))
    np.testing.assert_array_equal(first, S.gumbel_max_sample([0.0, 0.0, 0.0], 5, size=50))
    np.testing.assert_array_equal(
        S.gumbel_max_sample([0.0, 1.0], 10**400, size=5), gumbel_ref([0.0, 1.0], 10**400, (5,))
    )
    assert S.gumbel_max_sample([0.0, 1.0], None, size=3).shape == (3,)


BAD_TEMPERATURES = {k: v for k, v in BAD_NUMBERS.items() if k != "float for an int"}


@pytest.mark.parametrize("bad", BAD_TEMPERATURES)
def test_gumbel_bad_temperature(bad):
    assert_rejects(S.gumbel_softmax, ([0.0, 1.0], BAD_TEMPERATURES[bad], 0), names="temperature")


BAD_FLAGS = {"int": 1, "str": "yes", "None": None, "array": np.array([True, False])}


@pytest.mark.parametrize("bad", BAD_FLAGS)
def test_gumbel_bad_hard(bad):
    value = BAD_FLAGS[bad]
    assert_rejects(S.gumbel_softmax, ([0.0, 1.0], 1.0, 0), {"hard": value}, names="hard", errors=TypeError)


# --------------------------------------------------------------------------- attention

ATTENTION = {"scaled_dot_product_attention": S.scaled_dot_product_attention,
             "tiled_attention": lambda q, k, v, **kw: S.tiled_attention(q, k, v, block_q=2, block_k=2, **kw)}

Q = np.array([[0.5, -1.0], [2.0, 0.25], [-0.5, 0.0]])
K = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [-1.0, 0.5]])
V = np.array([[1.0, 0.0, 2.0], [0.0, 1.0, -1.0], [3.0, 3.0, 0.0], [-2.0, 0.5, 1.0]])
ATTENTION_CASES = {
    "plain": (Q, K, V, {}),
    "scale 0": (Q, K, V, {"scale": 0.0}),
    "negative scale": (Q, K, V, {"scale": -2.0}),
    "huge scale": (Q, K, V, {"scale": 1e308}),
    "tiny scale": (Q, K, V, {"scale": 5e-324}),
    "mask (n_k,)": (Q, K, V, {"mask": np.array([True, False, True, True])}),
    "mask (1, n_k)": (Q, K, V, {"mask": np.array([[False, True, True, False]])}),
    "mask (n_q, 1)": (Q, K, V, {"mask": np.array([[True], [False], [True]])}),
    "mask (1, 1) False": (Q, K, V, {"mask": np.array([[False]])}),
    "mask (n_q, n_k)": (Q, K, V, {"mask": np.array([[1, 0, 0, 1], [0, 0, 0, 0], [1, 1, 1, 1]], dtype=bool)}),
    "mask as a list": (Q, K, V, {"mask": [True, True, False, True]}),
    "batched mask": (Q, K, V, {"mask": np.array([[[True, False, True, True]], [[False, True, True, True]]])}),
    "batched q, shared k v": (np.stack([Q, -Q]), K, V, {}),
    "broadcast batch": (Q[None, None], np.stack([K, K[::-1]])[:, None], V, {}),
    "no keys": (Q, K[:0], V[:0], {}),
    "no queries": (Q[:0], K, V, {}),
    "no features": (Q[:, :0], K[:, :0], V, {}),
    "no value columns": (Q, K, V[:, :0], {}),
    "inf in q": (np.array([[inf, 0.0], [1.0, 0.0]]), K, V, {}),
    "nan in k, masked out": (
        Q, np.array([[nan, 0.0], [0.0, 1.0], [1.0, 1.0], [0.0, 0.0]]), V, {"mask": [False, True, True, True]}
    ),
    "nan in k": (Q, np.array([[nan, 0.0], [0.0, 1.0], [1.0, 1.0], [0.0, 0.0]]), V, {}),
    "overflowing dot product": (np.array([[1e200, 1e200], [1.0, 0.0]]), K * 1e200, V, {}),
    "1e308 in v": (Q, K, V * (1e308 / 3), {}),
    "5e-324 everywhere": (Q * 5e-324, K, V * 5e-324, {}),
    "Fortran and strided": (np.asfortranarray(Q), np.repeat(K, 2, axis=0)[::2], np.asfortranarray(V), {}),
    "lists": (Q.tolist(), K.tolist(), V.tolist(), {}),
    "integers": (
        np.array([[1, 0], [0, 2]]), np.array([[1, 1], [2, 0], [0, 1]]), np.array([[1, 2], [3, 4], [5, 6]]), {}
    ),
}


@pytest.mark.parametrize("case", ATTENTION_CASES)
@pytest.mark.parametrize("name", ATTENTION)
def test_attention_values(name, case):
    q, k, v, kw = ATTENTION_CASES[case]
    got = ATTENTION[name](q, k, v, **kw)
    ref = attention_ref(q, k, v, **kw)
    assert_matches(got, ref, scale=finite_scale(v), rtol=1e-12)


@pytest.mark.parametrize("block_k", [1, 2, 3, 4, 10**400])
@pytest.mark.parametrize("block_q", [1, 2, 3, 10**400])
def test_tiled_attention_tile_sizes(block_q, block_k):
    for mask in (None, np.array([True, False, True, True]), np.array([[True], [False], [True]])):
        got = S.tiled_attention(Q, K, V, block_q=block_q, block_k=block_k, mask=mask)
        assert_matches(got, attention_ref(Q, K, V, mask=mask), scale=3.0, rtol=1e-12)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", ATTENTION)
def test_attention_dtypes(name, dtype):
    given, expected = DTYPES[dtype]
    q, k, v = (np.round(a * 4).astype(given) for a in (Q, K, V))
    got = ATTENTION[name](q, k, v)
    assert got.dtype == expected
    work_eps = np.finfo(np.float32).eps if given in (np.float16, np.float32) else EPS64
    assert_matches(got, attention_ref(*(a.astype(np.float64) for a in (q, k, v))), scale=12.0 * work_eps / EPS64,
                   rtol=64 * work_eps)
    mixed = ATTENTION[name](q.astype(np.float32), k, v.astype(np.float16))
    assert mixed.dtype == np.result_type(np.float32, expected, np.float16)


ATTENTION_BAD = {
    "q complex": ((Q.astype(complex), K, V), {}, "q", TypeError),
    "k str": ((Q, np.array([["a", "b"]]), V), {}, "k", TypeError),
    "v ragged": ((Q, K, [[1.0], [2.0, 3.0]]), {}, "v", TypeError),
    "q 1-D": ((Q[0], K, V), {}, "q", ValueError),
    "v 0-d": ((Q, K, 1.0), {}, "v", ValueError),
    "feature sizes": ((Q, K[:, :1], V), {}, "q and k", ValueError),
    "key counts": ((Q, K, V[:3]), {}, "k and v", ValueError),
    "batches": ((np.stack([Q, Q]), np.stack([K, K, K]), V), {}, "batch", ValueError),
    "mask shape": ((Q, K, V), {"mask": np.ones((2, 4), dtype=bool)}, "mask", ValueError),
    "mask batch": ((np.stack([Q, Q]), K, V), {"mask": np.ones((3, 3, 4), dtype=bool)}, "mask", ValueError),
    "mask ints": ((Q, K, V), {"mask": np.ones((3, 4), dtype=int)}, "mask", TypeError),
    "mask floats": ((Q, K, V), {"mask": np.ones(4)}, "mask", TypeError),
    "mask ragged": ((Q, K, V), {"mask": [[True], [True, False]]}, "mask", TypeError),
    "return_traffic int": ((Q, K, V), {"return_traffic": 1}, "return_traffic", TypeError),
    **{f"scale {bad}": ((Q, K, V), {"scale": value}, "scale", (TypeError, ValueError))
       for bad, value in BAD_NUMBERS.items() if bad not in ("zero", "negative", "None", "float for an int")},
}


@pytest.mark.parametrize("case", ATTENTION_BAD)
@pytest.mark.parametrize("name", ATTENTION)
def test_attention_rejects(name, case):
    args, kw, names, error = ATTENTION_BAD[case]
    func = S.scaled_dot_product_attention if name == "scaled_dot_product_attention" else S.tiled_attention
    assert_rejects(func, args, kw, names=names, errors=error)


@pytest.mark.parametrize("bad", BAD_NUMBERS)
@pytest.mark.parametrize("which", ["block_q", "block_k"])
def test_tiled_attention_bad_tiles(which, bad):
    if bad == "10**400":
        return  # a valid tile size: test_tiled_attention_tile_sizes
    assert_rejects(S.tiled_attention, (Q, K, V), {which: BAD_NUMBERS[bad]}, names=which)


@pytest.mark.parametrize("name", ATTENTION)
def test_attention_traffic(name):
    """The tallies follow the documented model whatever the blocking: the standard algorithm
    moves S and P (5 n_q n_k elements); the tiled one loads q once and k, v once per query block."""
    q, k, v = np.zeros((2, 7, 3)), np.zeros((9, 3)), np.zeros((9, 4))
    if name == "scaled_dot_product_attention":
        _, t = S.scaled_dot_product_attention(q, k, v, return_traffic=True)
        s = 2 * 7 * 9
        assert t == S.MemoryTraffic(q.size + k.size + 3 * s + v.size, 2 * s + 2 * 7 * 4, 5 * s)
    else:
        _, t = S.tiled_attention(q, k, v, block_q=3, block_k=4, return_traffic=True)
        assert t == S.MemoryTraffic(q.size + 3 * (k.size + v.size), 2 * 7 * 4, 0)


# --------------------------------------------------------------------------- the items found by the review


def entmax15_newton_reference(x: np.ndarray) -> np.ndarray:
    """1.5-entmax of one long float64 slice, independently: Newton's method on
    f(tau) = sum max(x/2 - tau, 0)^2 - 1 from tau = max/2 - 1 (f convex and decreasing there, so the
    iterates rise monotonically to the root), every sum exact to rounding with math.fsum."""
    u = x / 2
    tau = float(u.max()) - 1.0
    for _ in range(100):
        d = u[u > tau] - tau
        f = math.fsum(d * d) - 1.0
        step = f / (2.0 * math.fsum(d))
        if step <= 0:
            break
        tau += step
    return np.maximum(u - tau, 0.0) ** 2


def test_found_entmax15_float32_on_a_million_entries():
    """float32 on 10^6 entries summed to 1.0031 with a support of 959,053 instead of 958,752: the
    threshold's running sums were float32. Now the float32 result is the float64 one rounded."""
    x32 = (np.random.default_rng(0).normal(size=10**6) * 1e-3).astype(np.float32)
    x64 = x32.astype(np.float64)
    p64 = S.entmax15(x64)
    ref = entmax15_newton_reference(x64)
    assert np.abs(p64 - ref).max() <= 64 * EPS64 * ref.max()
    p32 = S.entmax15(x32)
    assert p32.dtype == np.float32
    ulp = np.spacing(np.abs(p64).astype(np.float32))
    assert np.all(np.abs(p32.astype(np.float64) - p64) <= ulp)  # within one float32 ulp of the float64 result
    assert np.count_nonzero(p32) == np.count_nonzero(ref)
    assert abs(float(p32.sum(dtype=np.float64)) - 1.0) < 1e-6
    p = S.sparsemax(x32)  # the same running sums were in sparsemax
    assert np.all(np.abs(p.astype(np.float64) - S.sparsemax(x64)) <= np.spacing(S.sparsemax(x64).astype(np.float32)))


def test_found_attention_without_keys_is_nan_in_both():
    """With no keys the standard version returned zeros, the tiled one nan. Both give nan now: the
    weights over an empty set of keys are 0 / 0, as for a query whose every key is masked."""
    for func in (S.scaled_dot_product_attention, S.tiled_attention):
        out = func(Q, K[:0], V[:0])
        assert out.shape == (3, 3) and np.isnan(out).all()
        assert np.isnan(func(Q, K, V, mask=np.zeros(4, dtype=bool))).all()


@pytest.mark.parametrize("shape", [(4,), (1, 4), (3, 1), (1, 1), (2, 1, 4)])
def test_found_tiled_attention_broadcasts_masks(shape):
    """tiled_attention failed on masks of shape (n_k,), (1, n_k), (n_q, 1) and (1, 1) with most tiles."""
    mask = (np.arange(math.prod(shape)).reshape(shape) % 3 != 1)
    for bq, bk in ((1, 1), (2, 3), (64, 64)):
        got = S.tiled_attention(Q, K, V, block_q=bq, block_k=bk, mask=mask)
        assert_matches(got, S.scaled_dot_product_attention(Q, K, V, mask=mask), scale=3.0, rtol=1e-12)
        assert_matches(got, attention_ref(Q, K, V, mask=mask), scale=3.0, rtol=1e-12)


@pytest.mark.parametrize("name", JVPS)
def test_found_jvp_with_axis_none_takes_v_of_x_shape(name):
    """sparsemax_jvp(zeros((2, 3)), ones((2, 3)), axis=None) asked for a flattened v and returned shape (6,)."""
    x = np.array([[0.05, 0.4, -1.0], [0.2, 0.1, 0.3]])  # no score at the threshold
    v = np.array([[1.0, -2.0, 0.5], [3.0, 0.0, 1.0]])
    got = JVPS[name](x, v, axis=None)
    assert got.shape == x.shape
    jac = jacobian_ref(x.reshape(-1), 2.0 if name.startswith("sparsemax") else 1.5)
    assert_matches(got, (jac @ v.reshape(-1)).reshape(x.shape), scale=16.0)
    np.testing.assert_allclose(JVPS[name](np.zeros((2, 3)), np.ones((2, 3)), axis=None), 0.0, atol=1e-15)
    assert_rejects(JVPS[name], (x, v.reshape(-1)), {"axis": None}, names="v", errors=ValueError)


@pytest.mark.parametrize("name", GUMBEL)
def test_found_gumbel_axis_none(name):
    """gumbel_max_sample([0., 1.], 0, axis=None) raised "tuple indices must be integers or slices, not NoneType"."""
    logits = np.array([[0.0, 1.0], [-inf, 2.0]])
    if name == "gumbel_max_sample":
        got = S.gumbel_max_sample(logits, 0, axis=None)
        assert isinstance(got, np.int64) and got == gumbel_ref(logits, 0, axis=None)
        np.testing.assert_array_equal(
            S.gumbel_max_sample([0.0, 1.0], 0, size=5, axis=None), gumbel_ref([0.0, 1.0], 0, (5,), None)
        )
    else:
        got = S.gumbel_softmax(logits, 1.0, 0, axis=None)
        assert got.shape == logits.shape and np.isclose(got.sum(), 1.0) and got[1, 0] == 0
        assert_matches(got, gumbel_ref(logits, 0, (), None, temperature=1.0), scale=3.0)


def test_found_merge_of_mismatched_states_names_them():
    """merge of states of shapes (2,) and (3,) let numpy's broadcast error through."""
    a, b = S.softmax_state(np.zeros((2, 4))), S.softmax_state(np.zeros((3, 4)))
    assert_rejects(S.merge, (a, b), names="a.m (2,), a.d (2,), b.m (3,), b.d (3,)", errors=ValueError)


def test_found_softmax_state_dtypes_and_scalars():
    """softmax_state returned float32 for float16, float64 for long double, and 0-d arrays."""
    for given in (np.float16, np.longdouble):
        state = S.softmax_state(np.array([1.0, 2.0, 0.5], dtype=given))
        assert isinstance(state.m, given) and isinstance(state.d, given)
        assert_matches(state.d, state_row_ref([1.0, 2.0, 0.5])[1], rtol=8 * np.finfo(np.float32).eps)
    state = S.softmax_state([1.0, 2.0])
    assert isinstance(state.m, np.float64) and isinstance(state.d, np.float64)
    merged = S.merge(state, S.SoftmaxState(np.float16(0), np.float16(1)))
    assert isinstance(merged.m, np.float64)


# --------------------------------------------------------------------------- memory and unmodified inputs

MB = 1e6
BIG = (10_000, 1_000)


def _memory_cases():
    rng = np.random.default_rng(0)
    x = rng.normal(size=BIG)
    v = rng.normal(size=BIG)
    small = x[:8]  # Jacobians: 8 x 1000 x 1000 = 64 MB of output
    q, k, vv = rng.normal(size=(BIG[0], 16)), rng.normal(size=(BIG[1], 16)), rng.normal(size=(BIG[1], 250))
    states = (S.softmax_state(x[:, :500], axis=0), S.softmax_state(x[:, 500:], axis=0))
    return {
        "sparsemax": (S.sparsemax, (x,), {}),
        "sparsemax_threshold": (S.sparsemax_threshold, (x,), {}),
        "sparsemax_jvp": (S.sparsemax_jvp, (x, v), {}),
        "sparsemax_jacobian": (S.sparsemax_jacobian, (small,), {}),
        "entmax15": (S.entmax15, (x,), {}),
        "entmax15_threshold": (S.entmax15_threshold, (x,), {}),
        "entmax15_jvp": (S.entmax15_jvp, (x, v), {}),
        "entmax15_jacobian": (S.entmax15_jacobian, (small,), {}),
        "entmax_bisect": (S.entmax_bisect, (x, 1.5), {"n_iter": 3}),
        "gumbel_max_sample": (S.gumbel_max_sample, (x, 0), {}),
        "gumbel_softmax": (S.gumbel_softmax, (x, 1.0, 0), {}),
        "scaled_dot_product_attention": (S.scaled_dot_product_attention, (q, k, vv), {}),
        "tiled_attention": (S.tiled_attention, (q, k, vv), {"block_q": 256, "block_k": 256}),
        "softmax_state": (S.softmax_state, (x,), {}),
        "merge": (S.merge, states, {}),
        "online_softmax": (S.online_softmax, (x,), {}),
        "online_logsumexp": (S.online_logsumexp, (x,), {}),
    }


#: Functions whose result is smaller than their input: bounded by the input's size.
REDUCING = {
    "sparsemax_threshold", "entmax15_threshold", "gumbel_max_sample", "softmax_state", "online_logsumexp", "merge"
}


@pytest.mark.parametrize("name", sorted(COVERED))
def test_memory(name):
    """Peak memory beyond the result: at most twice the result (the input, for reductions), and in
    fact a few blocks (under 32 MB) on a 10^4 x 10^3 float64 problem; before, up to 880 MB."""
    func, args, kw = _memory_cases()[name]
    result, peak = peak_extra_bytes(func, *args, **kw)
    parts = result if isinstance(result, tuple) else (result,)
    out = sum(np.asarray(r).nbytes for r in parts)
    bound = 2 * (args[0].nbytes if name in REDUCING and name != "merge" else out)
    assert peak <= max(bound, 1e6), f"{name}: {peak / MB:.1f} MB beyond a {out / MB:.1f} MB result"
    assert peak <= 32 * MB, f"{name}: {peak / MB:.1f} MB"


def test_found_memory_of_entmax15_and_sparsemax():
    """entmax15 and entmax15_jvp took 880 MB beyond an 80 MB input, entmax15_threshold 720 MB,
    sparsemax 410-490 MB: each now stays within twice its result (its input, for the threshold)."""
    cases = _memory_cases()
    for name in ("entmax15", "entmax15_jvp", "entmax15_threshold", "sparsemax"):
        func, args, kw = cases[name]
        result, peak = peak_extra_bytes(func, *args, **kw)
        assert peak <= 2 * (args[0].nbytes if name.endswith("threshold") else result.nbytes)


UNMODIFIED = {
    **{name: ((np.asfortranarray([[inf, 0.0, inf, -inf], [0.5, nan, 1.0, 2.0], [0.3, -1.2, 2.5, 0.0]]),), {})
       for name in ("sparsemax", "sparsemax_threshold", "sparsemax_jacobian", "entmax15", "entmax15_threshold",
                    "entmax15_jacobian", "online_softmax", "online_logsumexp", "softmax_state")},
    "sparsemax_jvp": ((np.array(SPECIAL_X["generic"]), np.ones((2, 5))), {"axis": None}),
    "entmax15_jvp": ((np.array(SPECIAL_X["generic"])[:, ::2], np.ones((2, 3))), {"axis": 0}),
    "entmax_bisect": ((np.array(SPECIAL_X["+inf entries"]), 1.3), {}),
    "gumbel_max_sample": ((np.array([[0.0, -inf, 1.0]]),), {"size": 3, "rng": 0}),
    "gumbel_softmax": ((np.array([[0.0, -inf, 1.0]]), 0.5), {"size": 3, "rng": 0}),
    "scaled_dot_product_attention": ((Q, K, V), {"mask": np.array([True, False, True, True])}),
    "tiled_attention": ((Q, K, V), {"mask": np.array([True, False, True, True]), "block_q": 2, "block_k": 3}),
    "merge": ((S.SoftmaxState(np.array([0.0, inf]), np.array([1.0, 2.0])),
               S.SoftmaxState(np.array([1.0, 0.0]), np.array([2.0, 1.0]))), {}),
}


@pytest.mark.parametrize("name", sorted(COVERED))
def test_inputs_unmodified(name):
    """No argument changes (arrays, masks, the arrays inside states), and no result is a view of one."""
    args, kw = UNMODIFIED[name]
    func = getattr(S, name)
    inputs = [a for a in (*args, *kw.values()) if isinstance(a, np.ndarray)]
    inputs += [t for a in args if isinstance(a, tuple) for t in a]
    before = [np.array(a, copy=True) for a in inputs]
    result = func(*args, **kw)
    for old, new in zip(before, inputs):
        np.testing.assert_array_equal(new, old, err_msg=f"{name} modified an input")
    for part in _parts(result):
        assert not any(np.shares_memory(part, a) for a in inputs), f"{name} returned a view of an input"
    if all(isinstance(a, np.ndarray) for a in args):
        assert_unmodified(func, *args, **kw)
