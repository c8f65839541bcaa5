"""Rules table of the thermo group: softmaxlab.thermo, .ising, .bandit and .regression.

Every public function of these modules is walked through the inputs that apply
to it (CONTRIBUTING.md, section 3; tests/rules_support.py): the bad array-likes
of ``BAD_ARRAYS`` in each array argument, every dtype of ``DTYPES``, Fortran,
non-contiguous and gathered layouts, lists, 0-d and empty inputs, ``+-inf``,
nan, ``1e308`` and ``5e-324`` among the energies, extreme temperatures
(``5e-324`` to ``1e308``), bad axes, ``keepdims``, temperatures and parameters
(0, negative, nan, inf, bool, str, None, ``10**400``, arrays where a scalar
belongs), mismatched shapes. Errors must come from softmaxlab and name the
argument. Values are compared with references computed independently here: in
mpmath from the definitions (the Boltzmann weights of every state, every
configuration of an Ising ring), with the documented conventions for the
special systems (no allowed state, ``-inf`` energies, nan) written out, and the
closed forms of the infinite Ising chain. Warnings are errors throughout.

``test_found_*`` are the cases an adversarial review found, each kept as its own test.
"""

from __future__ import annotations

import itertools
import math

import mpmath
import numpy as np
import pytest

import softmaxlab as sl
from rules_support import BAD_ARRAYS, DTYPES, assert_rejects, assert_unmodified, peak_extra_bytes
from softmaxlab.ising import ising_ring_configurations, ising_ring_energy

COVERED = {
    "boltzmann",
    "log_partition",
    "free_energy",
    "mean_energy",
    "energy_variance",
    "heat_capacity",
    "thermo_entropy",
    "variational_free_energy",
    "ising_ring_log_partition",
    "ising_ring_thermodynamics",
    "boltzmann_bandit",
    "SoftmaxRegression",
}

pytestmark = pytest.mark.filterwarnings("error")

INF, NAN = math.inf, math.nan
HUGE = 1.7976931348623157e308

#: The reductions of softmaxlab.thermo: name -> function.
REDUCTIONS = {
    name: getattr(sl, name)
    for name in ("log_partition", "free_energy", "mean_energy", "energy_variance", "heat_capacity", "thermo_entropy")
}
#: Every function taking (energies, temperature, axis): the reductions and boltzmann.
ENERGY_FUNCS = {**REDUCTIONS, "boltzmann": sl.boltzmann}

#: Relative tolerance by input dtype: float16 results are rounded to float16, float32 to float32.
RTOL = {
    "float16": 2e-3,
    "float32": 2e-6,
    "float64": 1e-12,
    "longdouble": 1e-12,
    "big-endian float64": 1e-12,
    "int64": 1e-12,
}

#: Bad temperatures for the scalar temperature of softmaxlab.thermo (and of the bandit).
BAD_TEMPERATURES = [
    (0.0, ValueError),
    (-1.0, ValueError),
    (NAN, ValueError),
    (INF, ValueError),
    (True, TypeError),
    ("hot", TypeError),
    (None, TypeError),
    (10**400, ValueError),
    (np.array([1.0, 2.0]), TypeError),
]
BAD_AXES = [
    (2, np.exceptions.AxisError),
    (-3, np.exceptions.AxisError),
    (1.5, TypeError),
    ("0", TypeError),
    (True, TypeError),
    ((0, 1), TypeError),
]
BAD_BOOLS = [1, "yes", None, np.array([True, False])]


# =========================================================================== references (mpmath)


def to_float(x) -> float:
    """An mpmath number as the nearest float (beyond the range, +-inf)."""
    if isinstance(x, float):
        return x
    if mpmath.isnan(x):
        return NAN
    if abs(x) > mpmath.mpf(HUGE):
        return math.copysign(INF, float(mpmath.sign(x)))
    return float(x)


def ref_system(energies, temperature) -> dict[str, object]:
    """The thermodynamics of one system, from the definitions at 60 digits.

    The special systems follow the documented conventions: nan anywhere -> nan; ``-inf``
    energies -> the limits (they share the probability); no allowed state -> Z = 0.
    """
    E = [float(e) for e in np.asarray(energies, dtype=np.float64).reshape(-1)]
    n = len(E)
    if any(math.isnan(e) for e in E):
        return dict(p=[NAN] * n, log_partition=NAN, free_energy=NAN, mean_energy=NAN,
                    energy_variance=NAN, heat_capacity=NAN, thermo_entropy=NAN)
    hot = [e == -INF for e in E]
    if any(hot):
        k = sum(hot)
        return dict(p=[1 / k if h else 0.0 for h in hot], log_partition=INF, free_energy=-INF, mean_energy=-INF,
                    energy_variance=0.0, heat_capacity=0.0, thermo_entropy=math.log(k))
    allowed = [e for e in E if e != INF]
    if not allowed:
        return dict(p=[NAN] * n, log_partition=-INF, free_energy=INF, mean_energy=NAN,
                    energy_variance=NAN, heat_capacity=NAN, thermo_entropy=NAN)
    with mpmath.workdps(60):
        T = mpmath.mpf(temperature)
        m = min(mpmath.mpf(e) for e in allowed)
        w = [mpmath.exp(-(mpmath.mpf(e) - m) / T) if e != INF else mpmath.mpf(0) for e in E]
        ground = E.index(float(m))
        L = mpmath.log1p(mpmath.fsum(x for i, x in enumerate(w) if i != ground))  # log Z + m / T, even when tiny
        log_p = [-(mpmath.mpf(e) - m) / T - L if e != INF else mpmath.mpf("-inf") for e in E]
        p = [mpmath.exp(lp) for lp in log_p]
        excess = [mpmath.mpf(e) - m if e != INF else mpmath.mpf(0) for e in E]
        delta = mpmath.fsum(pi * u for pi, u in zip(p, excess))
        var = mpmath.fsum(pi * (u - delta) ** 2 for pi, u in zip(p, excess))
        log_z = L - m / T
        return dict(
            p=[to_float(x) for x in p],
            log_partition=to_float(log_z),
            free_energy=to_float(m - T * L),
            mean_energy=to_float(m + delta),
            energy_variance=to_float(var),
            heat_capacity=to_float(var / T**2),
            thermo_entropy=to_float(-mpmath.fsum(pi * lp for pi, lp in zip(p, log_p) if pi > 0)),
            _m=float(m),
        )


def ref_reduce(x, temperature, axis, keepdims, name) -> np.ndarray:
    """The reference of a reduction over ``axis`` of ``x``, shaped as numpy's ``np.sum`` would be."""
    x = np.asarray(x, dtype=np.float64)
    shape = np.sum(np.zeros(x.shape), axis=axis, keepdims=keepdims).shape
    moved = x.reshape(1, -1) if axis is None else np.moveaxis(x, axis, -1).reshape(math.prod(shape), x.shape[axis])
    return np.array([ref_system(row, temperature)[name] for row in moved]).reshape(shape)


def tolerance(name: str, reference: float, system: dict, rtol: float) -> float:
    """The documented accuracy: log Z and F to a few ulp of their parts, <E> of the energies, the
    variance, heat capacity and entropy relative to themselves (with subnormal slack)."""
    m = abs(system.get("_m", 0.0))
    if name == "log_partition":
        return rtol * abs(reference) + rtol * (1.0 if math.isinf(m) else 0.0)
    if name in ("free_energy", "mean_energy"):
        return rtol * (abs(reference) + m)
    return 100 * rtol * abs(reference) + 1e-320


def assert_matches(got, reference, name, system, rtol=1e-13) -> None:
    got, reference = float(got), float(reference)
    if math.isnan(reference):
        assert math.isnan(got), f"{name}: {got!r}, expected nan"
        return
    if math.isinf(reference) or reference == 0.0:
        assert got == reference, f"{name}: {got!r}, expected {reference!r}"
        return
    assert abs(got - reference) <= tolerance(name, reference, system, rtol), f"{name}: {got!r}, expected {reference!r}"


# =========================================================================== softmaxlab.thermo: values

#: (id, energies, temperature): ordinary systems, the IEEE cases and the extremes.
SYSTEMS = [
    ("two-level", [0.0, 1.0], 1.0),
    ("four levels", [0.0, 0.5, 1.5, 3.0], 0.25),
    ("degenerate", [2.0, 2.0, 7.0], 0.3),
    ("energies near 1e6", 1e6 + np.array([0.0, 1.0, 2.0]), 1.0),
    ("first level far above", [1e6, 0.0, 1.0], 1.0),
    ("frozen: subnormal probability", [0.0, 1.0], 1 / 744.5),
    ("cold", [0.0, 1.0, 5.0], 1 / 800),
    ("hot", [0.0, 1.0, 5.0], 1e6),
    ("forbidden state", [0.0, 1.0, INF], 1.0),
    ("all forbidden", [INF, INF], 1.0),
    ("-inf energies", [-INF, 0.0, -INF], 1.0),
    ("-inf and +inf", [-INF, INF, 3.0], 2.0),
    ("nan", [0.0, NAN, 1.0], 1.0),
    ("nan beside -inf", [-INF, NAN], 1.0),
    ("single state", [3.5], 1.0),
    ("single forbidden state", [INF], 1.0),
    ("empty", [], 1.0),
    ("1e308 apart, T = 1e308", [-1e308, 1e308], 1e308),
    ("1e308 and 0", [0.0, 1e308], 1.0),
    ("-1e308 and 0, T = 1e308", [-1e308, 0.0, 1.0], 1e308),
    ("subnormal energies and T", [0.0, 5e-324], 5e-324),
    ("T = 5e-324", [0.0, 1.0], 5e-324),
    ("T = 1e-200", [0.0, 1.0], 1e-200),
    ("T = 1e200", [0.0, 1.0], 1e200),
    ("T = 1e308", [0.0, 0.0, 0.0, 0.0], 1e308),
    ("energies 1e200, T 1e200 / 700", [0.0, 1e200], 1e200 / 700),
    ("energies near -3e5", -3.0e5 + np.array([0.0, 0.5, 2.0, 2.5]), 0.5),
]


@pytest.mark.parametrize("name", sorted(REDUCTIONS))
@pytest.mark.parametrize("label, energies, T", SYSTEMS, ids=[s[0] for s in SYSTEMS])
def test_reduction_values(name, label, energies, T):
    system = ref_system(energies, T)
    got = REDUCTIONS[name](energies, T)
    assert isinstance(got, np.float64)
    assert_matches(got, system[name], name, system)


@pytest.mark.parametrize("label, energies, T", SYSTEMS, ids=[s[0] for s in SYSTEMS])
def test_boltzmann_values(label, energies, T):
    got = sl.boltzmann(energies, T)
    expected = np.array(ref_system(energies, T)["p"], dtype=np.float64)
    assert got.shape == np.shape(energies) and got.dtype == np.float64
    np.testing.assert_allclose(got, expected, rtol=1e-13, atol=1e-320)


#: A batch with an ordinary row, a forbidden row, a -inf row and a nan row.
BATCH = np.array(
    [
        [0.0, 0.3, 1.2, -0.5],
        [INF, INF, INF, INF],
        [2.0, -INF, 0.0, 1.0],
        [0.0, NAN, 1.0, 2.0],
        [1e6, 1e6 + 1, 1e6, 1e6 + 3],
    ]
)


@pytest.mark.parametrize("name", sorted(REDUCTIONS))
@pytest.mark.parametrize("axis", [-1, 0, 1, None])
@pytest.mark.parametrize("keepdims", [False, True])
def test_reduction_axes_and_keepdims(name, axis, keepdims):
    """Shapes as numpy's np.sum (axis=None with keepdims=True: (1, 1), as logsumexp); values per slice."""
    got = REDUCTIONS[name](BATCH, 0.7, axis, keepdims=keepdims)
    expected = ref_reduce(BATCH, 0.7, axis, keepdims, name)
    assert np.shape(got) == expected.shape == sl.logsumexp(np.zeros(BATCH.shape), axis=axis, keepdims=keepdims).shape
    for g, e in zip(np.ravel(got), np.ravel(expected)):
        assert_matches(g, e, name, {"_m": 1e6}, rtol=1e-12)


#: Layouts: (id, make array, axis). The 3-d cases reduce a middle axis, whose other axes do not merge.
LAYOUTS = [
    ("list", lambda x: x.tolist(), -1),
    ("Fortran order", lambda x: np.asfortranarray(x), -1),
    ("Fortran order, axis 0", lambda x: np.asfortranarray(x), 0),
    ("non-contiguous", lambda x: np.repeat(x, 2, axis=1)[:, ::2], -1),
    ("transposed view", lambda x: np.ascontiguousarray(x.T).T, 0),
    ("3-d, middle axis", lambda x: np.stack([x, x[::-1]], axis=0).transpose(1, 2, 0), 1),
    ("3-d transposed, axis None", lambda x: np.stack([x, x], axis=0).transpose(2, 0, 1), None),
]


@pytest.mark.parametrize("name", sorted(ENERGY_FUNCS))
@pytest.mark.parametrize("label, make, axis", LAYOUTS, ids=[layout[0] for layout in LAYOUTS])
def test_layouts(name, label, make, axis):
    base = np.random.default_rng(3).normal(scale=2.0, size=(4, 5))
    x = make(base)
    got = ENERGY_FUNCS[name](x, 0.9, axis)
    arr = np.asarray(x)
    if name == "boltzmann":
        moved = arr.reshape(-1) if axis is None else np.moveaxis(arr, axis, -1).reshape(-1, arr.shape[axis])
        expected = np.array([ref_system(row, 0.9)["p"] for row in np.atleast_2d(moved)]).reshape(moved.shape)
        if axis is None:
            expected = expected.reshape(arr.shape)
        else:
            expected = np.moveaxis(expected.reshape(np.moveaxis(arr, axis, -1).shape), -1, axis)
        np.testing.assert_allclose(got, expected, rtol=1e-13)
    else:
        expected = ref_reduce(arr, 0.9, axis, False, name)
        assert np.shape(got) == expected.shape
        for g, e in zip(np.ravel(got), np.ravel(expected)):
            assert_matches(g, e, name, {"_m": 10.0}, rtol=1e-12)


@pytest.mark.parametrize("name", sorted(ENERGY_FUNCS))
@pytest.mark.parametrize(
    "shape, axis", [((0,), -1), ((2, 0), -1), ((0, 3), -1), ((0, 3), 0), ((2, 0), None), ((), None)]
)
def test_empty_and_0d(name, shape, axis):
    """An empty axis has no states (Z = 0); no slices give an empty result; a 0-d input is one state."""
    x = np.full(shape, 0.5)
    got = ENERGY_FUNCS[name](x, 1.0, axis)
    if name == "boltzmann":
        assert np.shape(got) == shape
        if x.size:
            assert np.all(got == 1.0)
        return
    expected = ref_reduce(x, 1.0, axis, False, name)
    assert np.shape(got) == expected.shape
    np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("name", sorted(ENERGY_FUNCS))
def test_0d_with_an_axis_is_rejected(name):
    assert_rejects(ENERGY_FUNCS[name], (np.float64(1.0), 1.0, -1), names="axis")


@pytest.mark.parametrize("name", sorted(ENERGY_FUNCS))
@pytest.mark.parametrize("dtype_name", sorted(DTYPES))
def test_dtypes(name, dtype_name):
    """float16 and float32 come back in their dtype, long double as long double, integers as float64."""
    dtype, expected_dtype = DTYPES[dtype_name]
    x = np.array([[0.0, 1.0, 3.0, 2.0], [5.0, 5.0, 4.0, 9.0]]).astype(dtype)
    got = ENERGY_FUNCS[name](x, 1.5)
    assert np.asarray(got).dtype == expected_dtype
    values = x.astype(np.float64)
    if name == "boltzmann":
        expected = np.array([ref_system(row, 1.5)["p"] for row in values])
    else:
        expected = np.array([ref_system(row, 1.5)[name] for row in values])
        single = ENERGY_FUNCS[name](x[0], 1.5)
        assert type(single) is expected_dtype.type  # a 0-d result is a numpy scalar of the result dtype
    np.testing.assert_allclose(np.asarray(got, dtype=np.float64), expected, rtol=RTOL[dtype_name] * 10, atol=1e-300)


@pytest.mark.parametrize("name", sorted(ENERGY_FUNCS))
@pytest.mark.parametrize("bad", sorted(BAD_ARRAYS))
def test_bad_energies(name, bad):
    assert_rejects(ENERGY_FUNCS[name], (BAD_ARRAYS[bad],), names="energies", errors=TypeError)


@pytest.mark.parametrize("name", sorted(ENERGY_FUNCS) + ["variational_free_energy"])
@pytest.mark.parametrize("bad, error", BAD_TEMPERATURES, ids=[repr(b)[:20] for b, _ in BAD_TEMPERATURES])
def test_bad_temperature(name, bad, error):
    if name == "variational_free_energy":
        assert_rejects(sl.variational_free_energy, ([0.5, 0.5], [0.0, 1.0], bad), names="temperature", errors=error)
    else:
        assert_rejects(ENERGY_FUNCS[name], ([0.0, 1.0], bad), names="temperature", errors=error)


@pytest.mark.parametrize("name", sorted(ENERGY_FUNCS) + ["variational_free_energy"])
@pytest.mark.parametrize("bad, error", BAD_AXES, ids=[repr(b) for b, _ in BAD_AXES])
def test_bad_axis(name, bad, error):
    x = np.zeros((2, 3))
    if name == "variational_free_energy":
        assert_rejects(sl.variational_free_energy, (np.full((2, 3), 1 / 3), x, 1.0, bad), names="axis", errors=error)
    else:
        assert_rejects(ENERGY_FUNCS[name], (x, 1.0, bad), names="axis", errors=error)


@pytest.mark.parametrize("name", sorted(REDUCTIONS) + ["variational_free_energy"])
@pytest.mark.parametrize("bad", BAD_BOOLS, ids=repr)
def test_bad_keepdims(name, bad):
    func = REDUCTIONS.get(name, sl.variational_free_energy)
    args = ([0.5, 0.5], [0.0, 1.0]) if name == "variational_free_energy" else ([0.0, 1.0],)
    assert_rejects(func, args, {"keepdims": bad}, names="keepdims", errors=TypeError)


# --------------------------------------------------------------------------- variational_free_energy


def ref_variational(p, energies, T) -> float:
    """G(p) = sum p E - T H(p), terms with p = 0 counting 0, at 60 digits."""
    p, E = np.broadcast_arrays(np.asarray(p, dtype=np.float64), np.asarray(energies, dtype=np.float64))
    if np.isnan(p).any() or np.isnan(E[p > 0]).any():
        return NAN
    live = p > 0
    if np.isinf(E[live]).any():
        signs = set(np.sign(E[live][np.isinf(E[live])]))
        return NAN if len(signs) > 1 else math.copysign(INF, signs.pop())
    with mpmath.workdps(60):
        energy = mpmath.fsum(mpmath.mpf(float(a)) * mpmath.mpf(float(b)) for a, b in zip(p[live], E[live]))
        entropy = -mpmath.fsum(mpmath.mpf(float(a)) * mpmath.log(mpmath.mpf(float(a))) for a in p[live])
        return to_float(energy - mpmath.mpf(T) * entropy)


VARIATIONAL = [
    ("Boltzmann", [0.6652409557748219, 0.24472847105479764, 0.09003057317038046], [0.0, 1.0, 2.0], 1.0),
    ("one-hot", [1.0, 0.0, 0.0], [0.0, 1.0, 3.0], 2.0),
    ("zero mass on a forbidden state", [0.5, 0.5, 0.0], [0.0, 1.0, INF], 1.0),
    ("mass on a forbidden state", [0.5, 0.25, 0.25], [0.0, 1.0, INF], 1.0),
    ("mass on -inf", [0.5, 0.5], [-INF, 1.0], 1.0),
    ("mass on both infinities", [0.5, 0.5], [-INF, INF], 1.0),
    ("nan energy with mass", [0.5, 0.5], [NAN, 1.0], 1.0),
    ("nan energy without mass", [1.0, 0.0], [0.0, NAN], 1.0),
    ("T = 1e308: T H overflows", [0.25] * 4, [1e308, 1e308, 1e308, 1e308], 1e308),
    ("huge energies", [0.5, 0.5], [1e308, -1e308], 1e-300),
    ("subnormal probabilities", [1.0 - 1e-16, 5e-324, 1e-16 - 5e-324], [0.0, 1.0, 2.0], 1.0),
]


@pytest.mark.parametrize("label, p, E, T", VARIATIONAL, ids=[v[0] for v in VARIATIONAL])
def test_variational_values(label, p, E, T):
    got = sl.variational_free_energy(p, E, T)
    assert isinstance(got, np.float64)
    expected = ref_variational(p, E, T)
    if math.isnan(expected) or math.isinf(expected):
        assert got == expected or (math.isnan(expected) and math.isnan(got))
    else:
        scale = max(1.0, np.nanmax(np.abs(np.where(np.asarray(p) > 0, E, 0))))
        assert got == pytest.approx(expected, rel=1e-13, abs=1e-13 * scale)


@pytest.mark.parametrize("axis, keepdims", [(-1, False), (0, False), (None, False), (None, True), (1, True)])
def test_variational_axes_and_broadcasting(axis, keepdims):
    rng = np.random.default_rng(5)
    E = rng.normal(size=(3, 4))
    p = sl.boltzmann(E, 0.8, axis=axis)
    got = sl.variational_free_energy(p, E, 0.8, axis, keepdims=keepdims)
    expected_f = sl.free_energy(E, 0.8, axis, keepdims=keepdims)
    assert np.shape(got) == np.shape(expected_f)
    np.testing.assert_allclose(got, expected_f, rtol=1e-12)
    row = sl.variational_free_energy(np.full((5, 4), 0.25), E[0], 0.8)  # energies broadcast against p
    assert row.shape == (5,)
    np.testing.assert_allclose(row, ref_variational([0.25] * 4, E[0], 0.8), rtol=1e-13)


@pytest.mark.parametrize("dtype_name", sorted(DTYPES))
def test_variational_dtypes(dtype_name):
    dtype, expected_dtype = DTYPES[dtype_name]
    p = np.array([0.25, 0.25, 0.5]).astype(dtype) if dtype.kind == "f" else np.array([0, 0, 1], dtype=dtype)
    E = np.array([0.0, 1.0, 2.0]).astype(dtype)
    got = sl.variational_free_energy(p, E, 1.0)
    assert type(got) is expected_dtype.type
    expected = ref_variational(p.astype(np.float64), E.astype(np.float64), 1.0)
    assert float(got) == pytest.approx(expected, rel=RTOL[dtype_name] * 10)


VARIATIONAL_BAD = [
    ("p", (BAD_ARRAYS["strings"], [0.0, 1.0]), TypeError, "p"),
    ("p complex", (BAD_ARRAYS["complex"], [0.0, 1.0]), TypeError, "p"),
    ("p objects", (BAD_ARRAYS["objects"], [0.0, 1.0]), TypeError, "p"),
    ("p ragged", (BAD_ARRAYS["ragged"], [0.0, 1.0]), TypeError, "p"),
    ("p None", (None, [0.0, 1.0]), TypeError, "p"),
    ("energies strings", ([0.5, 0.5], BAD_ARRAYS["strings"]), TypeError, "energies"),
    ("energies complex", ([0.5, 0.5], BAD_ARRAYS["complex"]), TypeError, "energies"),
    ("energies dict", ([0.5, 0.5], BAD_ARRAYS["dict"]), TypeError, "energies"),
    ("negative p", ([1.2, -0.2], [0.0, 1.0]), ValueError, "p must be non-negative"),
    ("p sums to 1.1", ([0.5, 0.6], [0.0, 1.0]), ValueError, "p must sum to 1"),
    ("empty axis", (np.zeros((2, 0)), np.zeros((2, 0))), ValueError, "p must sum to 1"),
    ("shapes", ([0.5, 0.5], [0.0, 1.0, 2.0]), ValueError, "broadcast"),
    ("0-d with an axis", (1.0, 0.0), np.exceptions.AxisError, "axis"),
]


@pytest.mark.parametrize("label, args, error, names", VARIATIONAL_BAD, ids=[v[0] for v in VARIATIONAL_BAD])
def test_variational_bad_arguments(label, args, error, names):
    assert_rejects(sl.variational_free_energy, args, names=names, errors=error)


# --------------------------------------------------------------------------- memory and inputs


def _large(seed: int) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=(10_000, 1_000))


@pytest.mark.parametrize("name", sorted(ENERGY_FUNCS) + ["variational_free_energy"])
def test_memory(name):
    """Peak extra memory on 10^4 x 10^3 float64: boltzmann at most twice its output; the reductions
    at most twice the input, and in fact a few blocks of 1 MiB (their docstrings say so)."""
    x = _large(0)
    if name == "variational_free_energy":
        p = np.full(x.shape, 1e-3)
        _, extra = peak_extra_bytes(sl.variational_free_energy, p, x)
    else:
        result, extra = peak_extra_bytes(ENERGY_FUNCS[name], x)
    if name == "boltzmann":
        assert extra <= 2 * x.nbytes, f"{extra / 1e6:.1f} MB"
    else:
        assert extra <= 16e6, f"{name}: {extra / 1e6:.1f} MB extra on an input of {x.nbytes / 1e6:.0f} MB"


@pytest.mark.parametrize("name", sorted(ENERGY_FUNCS) + ["variational_free_energy"])
def test_inputs_unmodified(name):
    x = np.asfortranarray(np.array([[0.0, INF, -1.0, 3.0], [NAN, 1.0, 2.0, 5e-324], [1e308, -1e308, 0.0, 0.0]]))
    if name == "variational_free_energy":
        p = np.array([0.25, 0.25, 0.0, 0.5])
        assert_unmodified(sl.variational_free_energy, p, x)
    else:
        assert_unmodified(ENERGY_FUNCS[name], x, 1e308)
        assert_unmodified(ENERGY_FUNCS[name], x, 1e-3, None)


# =========================================================================== softmaxlab.ising


def ref_ising(n: int, T: float, J: float, h: float) -> tuple[float, dict[str, float]]:
    """log Z and the per-spin quantities of the ring, over all 2**n configurations at 80 digits."""
    with mpmath.workdps(80):
        T, J, h = mpmath.mpf(T), mpmath.mpf(J), mpmath.mpf(h)
        states = list(itertools.product([1, -1], repeat=n))
        E = [-J * sum(s[i] * s[(i + 1) % n] for i in range(n)) - h * sum(s) for s in states]
        S = [sum(s) for s in states]
        m = min(E)
        w = [mpmath.exp(-(e - m) / T) for e in E]
        Z = mpmath.fsum(w)
        p = [x / Z for x in w]
        delta = mpmath.fsum(pi * (e - m) for pi, e in zip(p, E))
        var = mpmath.fsum(pi * ((e - m) - delta) ** 2 for pi, e in zip(p, E))
        # magnetisation: s paired with -s (weight p e^(-2 h S / T)), one-signed at any h / T
        sign = 1 if h >= 0 else -1
        mag = sign * mpmath.fsum(
            pi * sign * s * -mpmath.expm1(-2 * abs(h) * abs(s) / T) for pi, s in zip(p, S) if sign * s > 0
        )
        log_z = mpmath.log(Z) - m / T
        return to_float(log_z), dict(
            free_energy=to_float(-T * log_z / n),
            energy=to_float((m + delta) / n),
            heat_capacity=to_float(var / T**2 / n),
            magnetization=to_float(mag / n),
        )


def assert_ising(got, reference: dict, J: float, h: float, *, heat_may_be_nan: bool) -> None:
    """The documented accuracy: the free energy and magnetisation relative, the energy to a few ulps of
    |J| + |h|, the heat capacity within 1e-6 relative or (transfer, frustrated rings only) nan."""
    scale = abs(J) + abs(h)
    for name, expected in reference.items():
        value = float(getattr(got, name))
        if math.isinf(expected) or expected == 0.0:
            if name == "heat_capacity" and heat_may_be_nan and math.isnan(value):
                continue
            assert value == expected or abs(value) <= 1e-14 * scale, f"{name}: {value!r}, expected {expected!r}"
            continue
        if name == "heat_capacity":
            if heat_may_be_nan and math.isnan(value):
                continue
            assert value == pytest.approx(expected, rel=2e-6), name
        elif name == "energy":
            assert value == pytest.approx(expected, rel=1e-13, abs=1e-13 * scale), name
        else:
            assert value == pytest.approx(expected, rel=1e-12, abs=1e-300), name


#: (n, T, J, h): ordinary rings, frustrated rings from warm to frozen, and the extremes.
RINGS = [
    (4, 1.0, 1.0, 0.0),
    (5, 0.7, 1.0, 0.3),
    (6, 2.0, -1.0, 0.2),
    (1, 1.0, 0.5, -0.3),
    (2, 16.5, 0.0, 1.375),
    (7, 0.2, -1.0, 0.0),
    (7, 0.05, -1.0, 0.0),
    (7, 0.0037, -1.37, 0.0),
    (3, 0.001, -1.0, 0.01),
    (5, 0.3, -1.0, 1.5),
    (4, 1e-300, 1.0, 0.0),
    (4, 5e-324, 1.0, 0.0),
    (3, 5.3e-319, -4.5, -5.7),
    (4, 1e308, 1.0, 0.0),
    (4, 1.0, 1e300, 0.0),
    (4, 1.0, 1e308, 1e308),
    (5, 1.0, -1e308, 1e308),
    (6, 1.5e135, 3e-5, -1e-3),
    (5, 1.0, 0.3, 1e-300),
    (6, 0.09, 6.2, -0.7),
]


@pytest.mark.parametrize("method", ["transfer", "enumerate"])
@pytest.mark.parametrize("n, T, J, h", RINGS)
def test_ising_values(method, n, T, J, h):
    log_z, reference = ref_ising(n, T, J, h)
    got = sl.ising_ring_thermodynamics(n, T, J, h, method=method)
    frustrated = J < 0 and n % 2 == 1
    assert_ising(got, reference, J, h, heat_may_be_nan=method == "transfer" and frustrated)
    z = sl.ising_ring_log_partition(n, T, J, h, method=method)
    assert isinstance(z, np.float64)
    assert float(z) == log_z or float(z) == pytest.approx(log_z, rel=1e-13)


def ref_chain(T: float, J: float, h: float) -> dict[str, float]:
    """The infinite chain in closed form (the largest eigenvalue and its derivatives), at 60 digits."""
    with mpmath.workdps(60):
        def log_lam(beta, field):
            K, H = beta * J, beta * field
            root = mpmath.sqrt(mpmath.exp(2 * K) * mpmath.sinh(H) ** 2 + mpmath.exp(-2 * K))
            return mpmath.log(mpmath.exp(K) * mpmath.cosh(H) + root)

        beta = 1 / mpmath.mpf(T)
        return dict(
            free_energy=to_float(-log_lam(beta, h) / beta),
            energy=to_float(-mpmath.diff(lambda b: log_lam(b, h), beta)),
            heat_capacity=to_float(beta**2 * mpmath.diff(lambda b: log_lam(b, h), beta, 2)),
            magnetization=to_float(mpmath.diff(lambda f: log_lam(beta, f), h) / beta),
        )


@pytest.mark.parametrize(
    "T, J, h",
    [(1.0, 1.0, 0.0), (0.5, 1.0, 0.2), (3.0, -1.0, 0.7), (0.2, -1.0, 0.0), (0.09, 6.2, -0.7), (40.0, 1.0, 1e-12)],
)
def test_ising_infinite_chain(T, J, h):
    got = sl.ising_ring_thermodynamics(math.inf, T, J, h)
    assert_ising(got, ref_chain(T, J, h), J, h, heat_may_be_nan=False)


@pytest.mark.parametrize("n", [10**4, 2**53 - 1])
def test_ising_long_rings_are_the_chain(n):
    """Far from criticality a long ring's per-spin quantities are the chain's (|r|^n underflows)."""
    T = np.array([0.7, 2.0, 9.0])
    ring, chain = sl.ising_ring_thermodynamics(n, T, 1.0, 0.1), sl.ising_ring_thermodynamics(math.inf, T, 1.0, 0.1)
    for x, y in zip(ring, chain):
        np.testing.assert_allclose(x, y, rtol=1e-12)


@pytest.mark.parametrize("dtype_name", sorted(DTYPES))
@pytest.mark.parametrize("func", ["ising_ring_log_partition", "ising_ring_thermodynamics"])
def test_ising_temperature_dtypes(dtype_name, func):
    dtype, expected_dtype = DTYPES[dtype_name]
    T = np.array([[1.0, 2.0], [3.0, 5.0]]).astype(dtype)
    got = getattr(sl, func)(5, T, 1.0, 0.25)
    for value in got if isinstance(got, tuple) else (got,):
        assert value.dtype == expected_dtype and value.shape == (2, 2)
    reference = sl.ising_ring_thermodynamics(5, T.astype(np.float64), 1.0, 0.25)
    if func == "ising_ring_thermodynamics":
        for x, y in zip(got, reference):
            np.testing.assert_allclose(x.astype(np.float64), y, rtol=RTOL[dtype_name] * 10)


@pytest.mark.parametrize(
    "T, shape",
    [
        (1.0, ()),
        (np.float32(1.0), ()),
        ([1.0, 2.0], (2,)),
        (np.ones((2, 3)), (2, 3)),
        (np.ones((0, 3)), (0, 3)),
        (np.asfortranarray(np.ones((3, 2)) * 0.5), (3, 2)),
    ],
)
@pytest.mark.parametrize("method", ["transfer", "enumerate"])
def test_ising_shapes(T, shape, method):
    th = sl.ising_ring_thermodynamics(4, T, method=method)
    z = sl.ising_ring_log_partition(4, T, method=method)
    for value in (*th, z):
        assert np.shape(value) == shape
        if shape == ():
            assert isinstance(value, np.floating)


#: (function, args, kwargs, error, name): each must be rejected by softmaxlab naming the argument.
ISING_BAD = []
for _f in (sl.ising_ring_log_partition, sl.ising_ring_thermodynamics):
    for _n, _e in [
        (0, ValueError), (-1, ValueError), (2.5, TypeError), (True, TypeError), ("3", TypeError),
        (None, TypeError), (10**400, ValueError), (2**53 + 1, ValueError), (np.array([3, 4]), TypeError),
        (-math.inf, TypeError), (NAN, TypeError),
    ]:
        ISING_BAD.append((_f, (_n, 1.0), {}, _e, "n"))
    for _t, _e in [
        (0.0, ValueError), (-1.0, ValueError), (NAN, ValueError), (INF, ValueError), (True, TypeError),
        ("hot", TypeError), (None, TypeError), (10**400, ValueError), ([1.0, 0.0], ValueError),
        ([[1.0, NAN]], ValueError), (np.array([True]), TypeError),
        *[(v, TypeError) for k, v in BAD_ARRAYS.items() if k != "None"],
    ]:
        ISING_BAD.append((_f, (4, _t), {}, _e, "temperature"))
    for _arg in ("coupling", "field"):
        for _v, _e in [
            (NAN, ValueError), (INF, ValueError), ("a", TypeError), (None, TypeError), (True, TypeError),
            (10**400, ValueError), (np.array([1.0, 2.0]), TypeError),
        ]:
            ISING_BAD.append((_f, (4, 1.0), {_arg: _v}, _e, _arg))
    for _m in ("monte carlo", None, ["transfer"], 1):
        ISING_BAD.append((_f, (4, 1.0), {"method": _m}, ValueError, "method"))
    ISING_BAD.append((_f, (21, 1.0), {"method": "enumerate"}, ValueError, "n"))
ISING_BAD.append((sl.ising_ring_log_partition, (math.inf, 1.0), {}, TypeError, "n"))
ISING_BAD.append((sl.ising_ring_thermodynamics, (math.inf, 1.0), {"method": "enumerate"}, ValueError, "n"))
for _n in (0, 21, 2.0, True):
    ISING_BAD.append((ising_ring_configurations, (_n,), {}, (TypeError, ValueError), "n"))
for _s, _e in [
    (0.0, ValueError), ([1, 0, 1], ValueError), ([1, NAN], ValueError),
    *[(v, TypeError) for v in BAD_ARRAYS.values()],
]:
    ISING_BAD.append((ising_ring_energy, (_s,), {}, _e, "spins"))
for _arg in ("coupling", "field"):
    ISING_BAD.append((ising_ring_energy, ([1, 1],), {_arg: INF}, ValueError, _arg))
    ISING_BAD.append((ising_ring_energy, ([1, 1],), {_arg: "a"}, TypeError, _arg))


@pytest.mark.parametrize(
    "func, args, kwargs, error, names", ISING_BAD, ids=[f"{b[0].__name__}-{b[4]}-{i}" for i, b in enumerate(ISING_BAD)]
)
def test_ising_bad_arguments(func, args, kwargs, error, names):
    assert_rejects(func, args, kwargs, names=names, errors=error)


def test_ising_energy_and_configurations_by_brute_force():
    """Energies of every configuration of small rings, and of a 2-d batch (and an empty ring), by loops."""
    for n in (1, 2, 5):
        configs = ising_ring_configurations(n)
        assert configs.dtype == np.int8 and len({tuple(c) for c in configs}) == 2**n
        for J, h in ((1.0, 0.0), (-0.7, 0.3)):
            got = ising_ring_energy(configs, J, h)
            expected = [-J * sum(c[i] * c[(i + 1) % n] for i in range(n)) - h * sum(c) for c in configs.astype(float)]
            np.testing.assert_array_equal(got, expected)
    batch = ising_ring_configurations(4).reshape(4, 4, 4).transpose(1, 0, 2)  # a non-contiguous 3-d batch
    rows_in_order = batch.reshape(-1, 4)[np.arange(16).reshape(4, 4).T.reshape(-1)]
    np.testing.assert_array_equal(ising_ring_energy(batch), ising_ring_energy(rows_in_order).reshape(4, 4))
    np.testing.assert_array_equal(ising_ring_energy(np.ones((2, 0))), [0.0, 0.0])
    assert ising_ring_energy([1, 1, 1, 1], 1e308, -1e308) == 0.0  # the terms overflow, their sum does not
    assert ising_ring_energy([1, 1, 1, 1], 1e308, 1e308) == -INF


@pytest.mark.parametrize(
    "func, n",
    [
        ("ising_ring_thermodynamics", 10**4),
        ("ising_ring_log_partition", 10**4),
        ("ising_ring_thermodynamics", math.inf),
    ],
)
def test_ising_memory(func, n):
    """Peak extra memory for 2**20 temperatures: at most twice the output (blocks of 4096 temperatures)."""
    T = np.geomspace(0.05, 20.0, 2**20)
    result, extra = peak_extra_bytes(getattr(sl, func), n, T, 1.0, 0.1)
    output = sum(np.asarray(r).nbytes for r in (result if isinstance(result, tuple) else (result,)))
    assert extra <= 2 * output, f"{extra / 1e6:.1f} MB extra, output {output / 1e6:.1f} MB"


def test_ising_inputs_unmodified():
    T = np.asfortranarray(np.array([[0.5, 1.0], [2.0, 1e308]]))
    for method in ("transfer", "enumerate"):
        assert_unmodified(sl.ising_ring_thermodynamics, 5, T, method=method)
        assert_unmodified(sl.ising_ring_log_partition, 5, T, method=method)
    spins = ising_ring_configurations(3)
    assert_unmodified(ising_ring_energy, spins)


# =========================================================================== softmaxlab.bandit

MEANS = [0.2, 0.5, 1.0]

#: (kwargs changed from a valid call, error, name)
BANDIT_BAD = [
    *[({"arm_means": v}, TypeError, "arm_means") for v in BAD_ARRAYS.values()],
    ({"arm_means": [1.0]}, ValueError, "arm_means"),
    ({"arm_means": [[1.0, 2.0]]}, ValueError, "arm_means"),
    ({"arm_means": [1.0, NAN]}, ValueError, "arm_means"),
    ({"arm_means": [1.0, INF]}, ValueError, "arm_means"),
    ({"arm_means": [1.0, 1e308]}, ValueError, "arm_means"),
    *[({"temperature": v}, e, "temperature") for v, e in BAD_TEMPERATURES if not isinstance(v, np.ndarray)],
    ({"temperature": [1.0, 2.0]}, ValueError, "temperature"),
    ({"temperature": [1.0] * 4 + [0.0]}, ValueError, "temperature"),
    ({"temperature": [1.0] * 4 + [NAN]}, ValueError, "temperature"),
    ({"temperature": np.ones(5, dtype=bool)}, TypeError, "temperature"),
    ({"temperature": BAD_ARRAYS["complex"]}, TypeError, "temperature"),
    *[({"n_steps": v}, e, "n_steps") for v, e in [
        (0, ValueError), (-1, ValueError), (2.5, TypeError), (True, TypeError), ("3", TypeError), (None, TypeError),
        (10**400, ValueError),
    ]],
    *[({"n_runs": v}, e, "n_runs") for v, e in [
        (0, ValueError), (2.5, TypeError), (True, TypeError), (None, TypeError), (10**400, ValueError),
    ]],
    *[({"rng": v}, TypeError, "rng") for v in ("seed", -1, 1.5, True)],
    *[({"reward_sd": v}, e, "reward_sd") for v, e in [
        (-1.0, ValueError), (NAN, ValueError), (INF, ValueError), ("a", TypeError), (None, TypeError),
        (True, TypeError), (1e301, ValueError), (10**400, ValueError), (np.array([1.0, 2.0]), TypeError),
    ]],
    *[({"initial_value": v}, e, "initial_value") for v, e in [
        (NAN, ValueError), (INF, ValueError), ("a", TypeError), (None, TypeError), (np.array([1.0, 2.0]), TypeError),
        (1e308, ValueError), (-1e301, ValueError),
    ]],
]


@pytest.mark.parametrize("change, error, names", BANDIT_BAD, ids=[f"{b[2]}-{i}" for i, b in enumerate(BANDIT_BAD)])
def test_bandit_bad_arguments(change, error, names):
    kwargs = dict(arm_means=MEANS, temperature=1.0, n_steps=5, rng=0) | change
    assert_rejects(sl.boltzmann_bandit, (), kwargs, names=names, errors=error)


@pytest.mark.parametrize(
    "temperature", [1e-310, 5e-324, 1e-300, 1e308, np.geomspace(5e-324, 1e308, 40), np.float32(0.5), np.array(2.0)]
)
@pytest.mark.parametrize("initial_value", [0.0, 1e300, -1e300])
def test_bandit_extremes(temperature, initial_value):
    """Any positive finite temperature and magnitudes up to 1e300 give finite results of the right shape;
    the regret grows by at most max mu - min mu per step and the fraction of best arms is in [0, 1]."""
    res = sl.boltzmann_bandit([0.0, 1e300, -1e300], temperature, 40, rng=1, n_runs=7, initial_value=initial_value)
    for x in res:
        assert x.shape == (40,) and x.dtype == np.float64 and np.all(np.isfinite(x))
    steps = np.diff(np.concatenate([[0.0], res.regret]))
    assert np.all(steps >= 0) and np.all(steps <= 2e300 * (1 + 1e-15))
    assert np.all((res.optimal >= 0) & (res.optimal <= 1))


def test_bandit_limits_against_brute_force():
    """T -> 0 is greedy: with exact rewards and an optimistic start every arm is tried once, in some
    order, and then the best one is pulled for good; T -> inf is uniform play, whose regret per step is
    max mu - mean mu (counted here from the arms the runs pulled, by a binomial bound at 5 sigma)."""
    greedy = sl.boltzmann_bandit([1.0, 2.0, 0.5], 1e-310, 12, rng=4, n_runs=50, reward_sd=0.0, initial_value=5.0)
    assert np.all(greedy.optimal[3:] == 1.0)
    np.testing.assert_allclose(greedy.reward[3:], 2.0)
    assert greedy.regret[-1] == pytest.approx(greedy.regret[2], abs=0)
    uniform = sl.boltzmann_bandit(MEANS, 1e308, 300, rng=5, n_runs=300)
    per_step = max(MEANS) - np.mean(MEANS)
    draws = 300 * 300
    sd = np.std(max(MEANS) - np.array(MEANS)) / math.sqrt(draws)
    assert abs(uniform.regret[-1] / 300 - per_step) < 5 * sd
    assert abs(uniform.optimal.mean() - 1 / 3) < 5 * math.sqrt(2 / 9 / draws)


def test_bandit_inputs_unmodified():
    means, schedule = np.array(MEANS), np.geomspace(2.0, 0.1, 6)
    before = schedule.copy(), means.copy()
    sl.boltzmann_bandit(means, schedule, 6, rng=0, n_runs=3)
    np.testing.assert_array_equal(schedule, before[0])
    np.testing.assert_array_equal(means, before[1])


# =========================================================================== softmaxlab.regression

X4 = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
Y4 = np.array([0, 1, 1, 2])

REGRESSION_INIT_BAD = [
    *[((v, 3), {}, e, "n_features") for v, e in [
        (0, ValueError), (-1, ValueError), (2.0, TypeError), (True, TypeError), ("2", TypeError), (None, TypeError),
    ]],
    *[((2, v), {}, e, "n_classes") for v, e in [
        (1, ValueError), (2.0, TypeError), (True, TypeError), (None, TypeError),
    ]],
    ((10**20, 10**20), {}, ValueError, "n_features"),
    *[((2, 3), {"loss": v}, e, "loss") for v, e in [
        (["cross_entropy"], TypeError), ("hinge", ValueError), (None, TypeError), (1, TypeError),
    ]],
    *[((2, 3), {"l2": v}, e, "l2") for v, e in [
        (-1.0, ValueError), (NAN, ValueError), (INF, ValueError), ("a", TypeError), (None, TypeError),
        (True, TypeError), (10**400, ValueError),
    ]],
]


@pytest.mark.parametrize(
    "args, kwargs, error, names", REGRESSION_INIT_BAD, ids=[f"{b[3]}-{i}" for i, b in enumerate(REGRESSION_INIT_BAD)]
)
def test_regression_bad_construction(args, kwargs, error, names):
    assert_rejects(sl.SoftmaxRegression, args, kwargs, names=names, errors=error)


#: (method, args, kwargs, error, name) on a SoftmaxRegression(2, 3).
REGRESSION_BAD = [
    *[(m, (v,) + ((Y4,) if m in ("fit", "loss", "gradients", "accuracy") else ()), {}, TypeError, "X")
      for m in ("fit", "predict", "predict_proba", "logits", "loss", "gradients", "accuracy")
      for v in BAD_ARRAYS.values()],
    *[(m, (v,) + ((Y4,) if m in ("fit", "loss") else ()), {}, ValueError, "X")
      for m in ("fit", "predict", "loss")
      for v in (X4[:, :1], X4[0], np.where(X4 > 0, NAN, X4), np.where(X4 > 0, INF, X4))],
    ("fit", (X4[:0], Y4[:0]), {}, ValueError, "X"),
    *[("fit", (X4, v), {}, e, "y") for v, e in [
        (Y4.astype(float), TypeError), (Y4[:-1], ValueError), (Y4 + 3, ValueError), (-Y4 - 1, ValueError),
        ([[0, 1], [1]], TypeError), (None, TypeError), (Y4.astype(bool), TypeError),
    ]],
    *[("fit", (X4, Y4), {"learning_rate": v}, e, "learning_rate") for v, e in [
        (0.0, ValueError), (-1.0, ValueError), (NAN, ValueError), (INF, ValueError), ("a", TypeError),
        (None, TypeError), (True, TypeError),
    ]],
    *[("fit", (X4, Y4), {"n_steps": v}, e, "n_steps") for v, e in [
        (-1, ValueError), (2.5, TypeError), (True, TypeError), (None, TypeError),
    ]],
    ("fit", (X4, Y4), {"X_val": X4}, ValueError, "X_val"),
    ("fit", (X4, Y4), {"X_val": X4[:, :1], "y_val": Y4}, ValueError, "X_val"),
    ("fit", (X4, Y4), {"X_val": X4, "y_val": Y4[:2]}, ValueError, "y_val"),
    ("fit", (X4, Y4), {"X_val": X4[:0], "y_val": Y4[:0]}, ValueError, "X_val"),
]


@pytest.mark.parametrize(
    "method, args, kwargs, error, names",
    REGRESSION_BAD,
    ids=[f"{b[0]}-{b[4]}-{i}" for i, b in enumerate(REGRESSION_BAD)],
)
def test_regression_bad_arguments(method, args, kwargs, error, names):
    model = sl.SoftmaxRegression(2, 3)
    assert_rejects(getattr(model, method), args, kwargs, names=names, errors=error)


@pytest.mark.parametrize(
    "weights, bias, names",
    [
        (np.zeros((3, 3)), np.zeros(3), "weights"),
        (np.full((2, 3), NAN), np.zeros(3), "weights"),
        (np.zeros((2, 3)), np.zeros(2), "bias"),
        (np.zeros((2, 3)), [INF, 0, 0], "bias"),
        (np.zeros((2, 3)), "b", "bias"),
    ],
)
def test_regression_assigned_parameters_are_checked(weights, bias, names):
    model = sl.SoftmaxRegression(2, 3)
    model.weights, model.bias = weights, bias
    assert_rejects(model.predict_proba, (X4,), names=names)


def ref_regression(X, W, b, y):
    """probabilities, mean cross-entropy and its gradient (dW, db), at 40 digits, from the definitions."""
    with mpmath.workdps(40):
        n, k = len(X), W.shape[1]
        Xm = [[mpmath.mpf(float(v)) for v in row] for row in X]
        Wm = [[mpmath.mpf(float(v)) for v in row] for row in W]
        bm = [mpmath.mpf(float(v)) for v in b]
        logits = [[mpmath.fsum(Xm[i][f] * Wm[f][c] for f in range(W.shape[0])) + bm[c] for c in range(k)]
                  for i in range(n)]
        probs = [[mpmath.exp(z) / mpmath.fsum(mpmath.exp(v) for v in row) for z in row] for row in logits]
        loss = mpmath.fsum(-mpmath.log(probs[i][y[i]]) for i in range(n)) / n
        g = [[(probs[i][c] - (1 if c == y[i] else 0)) / n for c in range(k)] for i in range(n)]
        dW = [[float(mpmath.fsum(Xm[i][f] * g[i][c] for i in range(n))) for c in range(k)] for f in range(W.shape[0])]
        db = [float(mpmath.fsum(g[i][c] for i in range(n))) for c in range(k)]
        return np.array(probs, dtype=float), float(loss), np.array(dW), np.array(db)


@pytest.mark.parametrize("dtype_name", sorted(DTYPES))
def test_regression_values_and_dtypes(dtype_name):
    """Any real dtype of X is computed and returned in float64 (the parameters' dtype)."""
    dtype, _ = DTYPES[dtype_name]
    rng = np.random.default_rng(2)
    model = sl.SoftmaxRegression(2, 3)
    model.weights, model.bias = rng.normal(size=(2, 3)), rng.normal(size=3)
    X = (X4 * 3).astype(dtype)
    probs, loss, dW, db = ref_regression(X.astype(np.float64), model.weights, model.bias, Y4)
    got = model.predict_proba(X)
    assert got.dtype == np.float64
    np.testing.assert_allclose(got, probs, rtol=1e-13)
    assert model.loss(X, Y4) == pytest.approx(loss, rel=1e-13)
    gW, gb = model.gradients(X, Y4)
    np.testing.assert_allclose(gW, dW, rtol=1e-12, atol=1e-16)
    np.testing.assert_allclose(gb, db, rtol=1e-12, atol=1e-16)
    np.testing.assert_array_equal(model.predict(X), np.argmax(probs, axis=1))


def test_regression_extremes_and_layouts():
    """Logits of +-1e308 scale: probabilities by the core's IEEE rules, never a class for a nan row;
    Fortran and non-contiguous X; zero steps; an empty X predicts nothing, its accuracy is nan."""
    model = sl.SoftmaxRegression(2, 2)
    model.weights = np.array([[1.0, -1.0], [0.0, 0.0]])
    big = np.array([[1e308, 0.0], [-1e308, 5e-324]])
    np.testing.assert_allclose(model.predict_proba(big), [[1.0, 0.0], [0.0, 1.0]])
    np.testing.assert_array_equal(model.predict(big), [0, 1])
    X = np.asfortranarray(np.repeat(X4, 2, axis=1)[:, ::2])
    fitted = sl.SoftmaxRegression(2, 3).fit(X, Y4, learning_rate=1.0, n_steps=200)
    np.testing.assert_array_equal(fitted.predict(X4), Y4)
    assert sl.SoftmaxRegression(2, 3).fit(X4, Y4, n_steps=0).history["loss"] == [pytest.approx(math.log(3), rel=1e-15)]
    assert model.predict(np.zeros((0, 2))).shape == (0,)
    assert math.isnan(model.accuracy(np.zeros((0, 2)), np.zeros(0, dtype=int)))


def test_regression_memory():
    """predict_proba on 10^4 x 10^3 float64 (10 classes): a reduction over the features, at most twice
    the input; in fact no copy of X (the logits and the probabilities are 800 kB)."""
    x = _large(1)
    model = sl.SoftmaxRegression(1000, 10)
    _, extra = peak_extra_bytes(model.predict_proba, x)
    assert extra <= 4e6, f"{extra / 1e6:.1f} MB"


def test_regression_inputs_unmodified():
    X, y = np.asfortranarray(X4 * 2.0), Y4.copy()
    model = sl.SoftmaxRegression(2, 3)
    assert_unmodified(lambda a, b: model.fit(a, b, n_steps=3), X, y)
    for method in ("predict", "predict_proba", "logits"):
        assert_unmodified(getattr(model, method), X)


# =========================================================================== found by an adversarial review


def test_found_frustrated_ring_heat_capacity_is_not_negative():
    """ising_ring_thermodynamics(7, 0.0037, -1.37) gave heat capacity -0.0887 and energy -0.97918."""
    _, reference = ref_ising(7, 0.0037, -1.37, 0.0)
    got = sl.ising_ring_thermodynamics(7, 0.0037, -1.37)
    assert reference["heat_capacity"] == 0.0 and reference["energy"] == pytest.approx(-0.978571, abs=1e-6)
    assert_ising(got, reference, -1.37, 0.0, heat_may_be_nan=False)


@pytest.mark.parametrize(
    "call, reference",
    [
        (lambda: sl.heat_capacity([0.0, 1.0], 1e-200), lambda: ref_system([0.0, 1.0], 1e-200)["heat_capacity"]),
        (lambda: sl.ising_ring_thermodynamics(4, 1e-300).heat_capacity,
         lambda: ref_ising(4, 1e-300, 1.0, 0.0)[1]["heat_capacity"]),
        (lambda: sl.ising_ring_log_partition(4, 5e-324), lambda: ref_ising(4, 5e-324, 1.0, 0.0)[0]),
        (lambda: sl.ising_ring_thermodynamics(4, 1e308).free_energy,
         lambda: ref_ising(4, 1e308, 1.0, 0.0)[1]["free_energy"]),
        (lambda: sl.ising_ring_thermodynamics(4, 1.0, 1e300).energy,
         lambda: ref_ising(4, 1.0, 1e300, 0.0)[1]["energy"]),
        (lambda: sl.ising_ring_thermodynamics(4, 1.0, 1e300).heat_capacity,
         lambda: ref_ising(4, 1.0, 1e300, 0.0)[1]["heat_capacity"]),
        (lambda: sl.ising_ring_thermodynamics(4, 1.0, 1e300).magnetization,
         lambda: ref_ising(4, 1.0, 1e300, 0.0)[1]["magnetization"]),
    ],
    ids=[
        "heat_capacity T=1e-200", "ising C T=1e-300", "ising log Z T=5e-324", "ising F T=1e308",
        "ising E J=1e300", "ising C J=1e300", "ising m J=1e300",
    ],
)
def test_found_extreme_parameters_are_not_nan(call, reference):
    """These gave nan or -inf; each is the (correctly rounded) value of the definition."""
    got, expected = float(call()), float(reference())
    assert not math.isnan(got)
    assert got == expected or got == pytest.approx(expected, rel=1e-13)


def test_found_empty_averages_are_nan():
    """mean_energy([]) was 0.0 and thermo_entropy([]) -0.0: averages over no states are nan (Z = 0)."""
    for name in ("mean_energy", "energy_variance", "heat_capacity", "thermo_entropy"):
        assert math.isnan(REDUCTIONS[name]([]))
    assert sl.log_partition([]) == -INF and sl.free_energy([]) == INF
    assert sl.log_partition([]) == sl.logsumexp([])


@pytest.mark.parametrize("name", sorted(REDUCTIONS))
def test_found_keepdims_with_axis_none_keeps_every_axis(name):
    """axis=None with keepdims=True gave shape (1,); logsumexp gives (1, 1)."""
    x = np.zeros((2, 3))
    expected_shape = sl.logsumexp(x, axis=None, keepdims=True).shape
    assert REDUCTIONS[name](x, 1.0, None, keepdims=True).shape == expected_shape == (1, 1)


@pytest.mark.parametrize("T", [1.3e154, 1e155, 1e200, 1e308])
def test_found_heat_capacity_at_huge_temperatures(T):
    """heat_capacity([0, 1], T) raised OverflowError above T = 1.3e154 (T**2 in Python floats).
    About 1 / (4 T^2): subnormal from T = 1e154 on (absolute precision 5e-324), then 0."""
    system = ref_system([0.0, 1.0], T)
    assert_matches(sl.heat_capacity([0.0, 1.0], T), system["heat_capacity"], "heat_capacity", system)


@pytest.mark.parametrize(
    "kwargs, names",
    [
        (dict(arm_means=MEANS, temperature=1e-310), None),
        (dict(arm_means=MEANS, temperature=1.0, initial_value=1e300), None),
        (dict(arm_means=[0.2, 0.5, 1e300], temperature=1.0), None),
        (dict(arm_means=MEANS, temperature=1.0, initial_value=1e308), "initial_value"),
        (dict(arm_means=[0.2, 0.5, 1e308], temperature=1.0), "arm_means"),
        (dict(arm_means=MEANS, temperature=1.0, reward_sd="a"), "reward_sd"),
        (dict(arm_means=MEANS, temperature=1.0, initial_value=None), "initial_value"),
        (dict(arm_means=MEANS, temperature=1.0, initial_value=np.array([1.0, 2.0, 3.0])), "initial_value"),
    ],
    ids=[
        "T=1e-310", "initial 1e300", "means 1e300", "initial 1e308", "means 1e308", "reward_sd str",
        "initial None", "initial array",
    ],
)
def test_found_bandit_errors_name_the_caller_argument(kwargs, names):
    """T = 1e-310 raised 'logits must not contain +inf' (an argument the caller never passed); huge
    values likewise; reward_sd='a', initial_value=None or an array raised numpy's errors."""
    if names is None:
        res = sl.boltzmann_bandit(n_steps=5, rng=0, **kwargs)
        assert all(np.all(np.isfinite(x)) for x in res)
    else:
        assert_rejects(sl.boltzmann_bandit, (), dict(n_steps=5, rng=0, **kwargs), names=names)


def test_found_regression_loss_list_is_named():
    """SoftmaxRegression(2, 3, loss=['cross_entropy']) raised "unhashable type: 'list'"."""
    assert_rejects(sl.SoftmaxRegression, (2, 3), {"loss": ["cross_entropy"]}, names="loss", errors=TypeError)


@pytest.mark.parametrize("name", ["energy_variance", "heat_capacity", "thermo_entropy"])
def test_found_reductions_memory(name):
    """These took 330 MB beyond an 80 MB input; a reduction may take at most twice the input."""
    x = _large(2)
    _, extra = peak_extra_bytes(REDUCTIONS[name], x)
    assert extra <= 2 * x.nbytes, f"{extra / 1e6:.1f} MB"
