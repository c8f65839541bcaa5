"""Rules table for the SymPy derivations, ``softmaxlab.symbolic`` (all of ``softmaxlab.symbolic.__all__``).

Every function is walked through the bad arguments that apply to it: sizes
(``n``, ``k``, ``n_max``, ...) that are not integers or lie outside the
documented range, including the documented maximum beyond which SymPy would
run for minutes; symbolic arguments that are not SymPy expressions or real
numbers (strings, which SymPy would parse as code, booleans, None, complex
values, containers, matrices of the wrong shape); scores with nan and
infinities where they are not accepted. Each must raise TypeError or
ValueError from softmaxlab's own code, naming the argument, before any heavy
SymPy work (each rejection is timed).

Values are checked at the smallest valid size against references computed
here independently: mpmath at 30 digits (numerical derivatives, quadrature,
root finding), brute-force enumeration, exact fractions, or the numerical
library (``softmaxlab.softmax``, ``softmaxlab.logsumexp``,
``softmaxlab.hierarchical_softmax``) for the IEEE cases (``-oo``, ``+oo``,
nan, empty). Residual functions must return exact zeros of the shape their
size implies. Memory and dtype rules do not apply to symbolic results.
"""

from __future__ import annotations

import inspect
import itertools
import re
import time
from fractions import Fraction

import mpmath
import numpy as np
import pytest
import sympy as sp

import softmaxlab
from rules_support import BAD_ARRAYS, assert_rejects, raised_by_softmaxlab
from softmaxlab import symbolic as S
from softmaxlab.hierarchical import BinaryTree, balanced_tree, huffman_tree

mpmath.mp.dps = 30
INF, NAN = float("inf"), float("nan")
SIZE = object()  # placeholder for the size argument under test in a call template
x_sym = sp.Symbol("x", real=True)


# =========================================================================== sizes

#: (function, size parameter, call template with SIZE where the size goes). The minimum and
#: the maximum are read from the docstring ("``1 <= n <= 128``"), so the test also keeps it true.
SIZED = [
    (S.logits, "n", (SIZE,)),
    (S.softmax_sums_to_one, "n", (SIZE,)),
    (S.softmax_shift_invariance, "n", (SIZE,)),
    (S.softmax_jacobian_sym, "n", (SIZE,)),
    (S.softmax_jacobian_closed_form, "n", (SIZE,)),
    (S.cross_entropy_sym, "n", (SIZE, 0)),
    (S.cross_entropy_gradient_sym, "n", (SIZE, 0)),
    (S.softmax_jacobian_residual, "n", (SIZE,)),
    (S.jacobian_quadratic_form_residual, "n", (SIZE,)),
    (S.logsumexp_gradient_residual, "n", (SIZE,)),
    (S.logsumexp_hessian_sym, "n", (SIZE,)),
    (S.logsumexp_hessian_residual, "n", (SIZE,)),
    (S.softmax_second_derivative_sym, "n", (SIZE,)),
    (S.softmax_second_derivative_closed_form, "n", (SIZE,)),
    (S.softmax_second_derivative_residual, "n", (SIZE,)),
    (S.categorical_glm_residuals, "n", (SIZE,)),
    (S.energies, "n", (SIZE,)),
    (S.base_b_softmax_identity, "n", (SIZE,)),
    (S.mean_energy_identity, "n", (SIZE,)),
    (S.energy_variance_identity, "n", (SIZE,)),
    (S.free_energy_identities, "n", (SIZE,)),
    (S.max_entropy_lagrange, "n", (SIZE,)),
    (S.log_normalizer_derivatives, "n", (SIZE,)),
    (S.variational_gap_identity, "n", (SIZE,)),
    (S.ising_ring_enumerated_sym, "n", (SIZE,)),
    (S.ising_ring_transfer_sym, "n", (SIZE,)),
    (S.distillation_gradient_identity, "n", (SIZE,)),
    (S.distillation_high_temperature_gradient, "n", (SIZE,)),
    (S.softmax_ratio_identity, "n", (SIZE,)),
    (S.dot_product_variance, "d", (SIZE,)),
    (S.gumbel_max_probability, "k", (SIZE,)),
    (S.gumbel_max_value_distribution, "k", (SIZE,)),
    (S.sparsemax_threshold_sym, "k", (SIZE,)),
    (S.sparsemax_support_condition_sym, "k", (SIZE,)),
    (S.sparsemax_support_jacobian_sym, "k", (SIZE,)),
    (S.entmax15_threshold_sym, "k", (SIZE,)),
    (S.online_softmax_step_sym, "j", (SIZE,)),
    (S.merge_invariant_sym, "size_a", (SIZE, 1)),
    (S.merge_invariant_sym, "size_b", (1, SIZE)),
    (S.sigmoid_layer_sum_sym, "n", (SIZE,)),
    (S.sigmoid_layer_sum_facts, "n", (SIZE,)),
    (S.softmax_jacobian_signed_form, "n", (SIZE,)),
    (S.monotonicity_residual, "n", (SIZE,)),
    (S.sigmoid_layer_jacobian_sym, "n", (SIZE,)),
    (S.softmax_log_offset_sym, "n", (SIZE,)),
    (S.softmax_of_log_residual, "n", (SIZE,)),
    (S.cross_entropy_chain_rule_residual, "n", (SIZE,)),
    (S.log_softmax_shift_residual, "n", (SIZE,)),
    (S.log_softmax_log1p_residual, "n", (SIZE,)),
    (S.argmax_limit_sym, "n_max", (SIZE, 0)),
    (S.argmax_limit_sym, "n_rest", (1, SIZE)),
]


def documented_range(func, param: str) -> tuple[int, int]:
    """The ``minimum <= param <= maximum`` a function's docstring states."""
    found = re.findall(rf"``(-?\d+) <= {param} <= (\d+)``", inspect.getdoc(func))
    assert len(found) == 1, f"{func.__name__}: the docstring must state the range of {param} once, found {found}"
    return int(found[0][0]), int(found[0][1])


def fill(template: tuple, value) -> tuple:
    return tuple(value if a is SIZE else a for a in template)


#: Sizes no size argument accepts (None and symbols are valid for ising_ring_transfer_sym's n).
BAD_SIZES = {
    "bool": True,
    "numpy bool": np.bool_(True),
    "float": 2.5,
    "integral float": 2.0,
    "str": "3",
    "None": None,
    "negative": -1,
    "huge": 10**6,
    "10**400": 10**400,
    "array": np.array([2, 3]),
    "nan": NAN,
    "inf": INF,
    "complex": 2 + 0j,
    "symbol": sp.Symbol("n"),
    "SymPy float": sp.Float(2.0),
    "list": [2],
}


def size_cases():
    for func, param, template in SIZED:
        low, high = documented_range(func, param)
        bad = dict(BAD_SIZES, **{"below minimum": low - 1, "above maximum": high + 1})
        if func is S.ising_ring_transfer_sym:
            del bad["None"], bad["symbol"]
        for label, value in bad.items():
            yield pytest.param(func, fill(template, value), param, id=f"{func.__name__}-{param}-{label}")


# =========================================================================== other arguments

z2 = S.logits(2)
tree3 = balanced_tree(3)


def inconsistent_tree() -> BinaryTree:
    t = balanced_tree(3)
    return BinaryTree(children=t.children, nodes=t.nodes + 5, signs=t.signs, depths=t.depths)


#: Lists of scores no symbolic function accepts: (label, value).
BAD_LISTS = [
    *BAD_ARRAYS.items(),
    ("str", "z_1"),
    ("number", 3),
    ("set", {1, 2}),
    ("str entry", ["a", 1]),
    ("bool entry", [True, 1]),
    ("None entry", [None, 1]),
    ("complex entry", [1j, 1]),
    ("I entry", [sp.I, 1]),
    ("nested", [[1, 2], [3, 4]]),
    ("matrix 2x2", sp.Matrix([[1, 2], [3, 4]])),
    ("array 2x2", np.zeros((2, 2))),
    ("0-d array", np.array(1.0)),
    ("relation entry", [sp.Eq(x_sym, 1), 1]),
    ("matrix entry", [sp.Matrix([1, 2]), 1]),
    ("generator", (v for v in (1, 2))),
]

#: Scalars no symbolic scalar argument accepts.
BAD_SCALARS = [
    ("str", "1"),
    ("None", None),
    ("bool", True),
    ("complex", 1j),
    ("I", sp.I),
    ("list", [1]),
    ("array", np.array([1.0, 2.0])),
    ("matrix", sp.Matrix([1])),
    ("relation", sp.Eq(x_sym, 1)),
    ("set", sp.Interval(0, 1)),
]
BAD_FINITE_SCALARS = [*BAD_SCALARS, ("nan", NAN), ("inf", INF), ("oo", sp.oo), ("zoo", sp.zoo), ("sympy nan", sp.nan)]

#: Concrete scores the limits refuse (they must be finite numbers).
BAD_VALUES = [
    *[(label, v) for label, v in BAD_LISTS if label not in ("number",)],
    ("empty", []),
    ("symbol entry", [x_sym, 1]),
    ("nan entry", [NAN, 1]),
    ("inf entry", [INF, 1]),
    ("-oo entry", [-sp.oo, 1]),
    ("too many", "TOO_MANY"),
]


def documented_values_maximum(func) -> int:
    (found,) = re.findall(r"1 to\s+(\d+) finite", inspect.getdoc(func))
    return int(found)


def other_cases():
    rows = []
    for label, value in BAD_LISTS:
        rows += [(S.softmax_sym, (value,), {}, "z", label), (S.logsumexp_sym, (value,), {}, "z", label)]
        rows += [(S.boltzmann_sym, (value,), {}, "E", label), (S.log_partition_sym, (value,), {}, "E", label)]
    for label, value in BAD_FINITE_SCALARS:
        rows += [(S.softmax_sym, (z2, value), {}, "beta", label)]
        rows += [(S.boltzmann_sym, (z2, value), {}, "b", label), (S.log_partition_sym, (z2,), {"b": value}, "b", label)]
    for label, value in BAD_SCALARS:
        rows += [(S.sigmoid_sym, (value,), {}, "t", label)]
    rows += [(S.softmax_sym, ([sp.oo * x_sym, 0],), {}, "z", "infinity of unknown sign")]
    rows += [(S.logsumexp_sym, ([sp.oo * x_sym, 0],), {}, "z", "infinity of unknown sign")]
    for label, value in BAD_VALUES:
        for func in (S.tempered_softmax_limits, S.tempered_logsumexp_limits):
            if isinstance(value, str) and value == "TOO_MANY":
                value = list(range(documented_values_maximum(func) + 1))
            rows += [(func, (value,), {}, "values", label)]
    for label, value in [("int", 3), ("None", None), ("bytes", b"z"), ("list", ["z"])]:
        rows += [(S.logits, (2, value), {}, "name", label), (S.energies, (2, value), {}, "name", label)]
    for label, value in [("empty", ""), ("space", "a b"), ("range syntax", "z:1"), ("comma", "a,b"), ("digit", "1z")]:
        rows += [(S.logits, (2, value), {}, "name", label), (S.energies, (2, value), {}, "name", label)]
    for label, value in [
        ("bool", True), ("float", 0.0), ("str", "0"), ("None", None), ("negative", -1), ("n", 2),
        ("10**400", 10**400), ("array", np.array([0, 1])),
    ]:
        rows += [(S.cross_entropy_sym, (2, value), {}, "label", label)]
        rows += [(S.cross_entropy_gradient_sym, (2, value), {}, "label", label)]
    for label, value in [("k", "k"), ("int", 1), ("None", None), ("list", ["i"]), ("upper", "I")]:
        rows += [(S.softmax_index_form, (value,), {}, "index", label)]
    for label, value in [("int", 1), ("str", "yes"), ("None", None), ("array", np.array([True, False]))]:
        rows += [(S.softmax_jacobian_index_form, (value,), {}, "evaluate", label)]
    for label, value in [
        ("None", None), ("int", 3), ("str", "tree"), ("dict", {"n_classes": 3}), ("inconsistent", inconsistent_tree()),
        ("too large", balanced_tree(documented_tree_maximum(S.hierarchical_softmax_sym) + 1)),
    ]:
        rows += [(S.hierarchical_softmax_sym, (value,), {}, "tree", label)]
    for label, value in [
        ("None", None), ("int", 3), ("inconsistent", inconsistent_tree()),
        ("too large", balanced_tree(documented_tree_maximum(S.hierarchical_sum_minus_one) + 1)),
    ]:
        rows += [(S.hierarchical_sum_minus_one, (value,), {}, "tree", label)]
    side = int(documented_entries_maximum() ** 0.5) + 1
    for label, value in [
        ("None", None), ("list", [[1, 0], [0, 1]]), ("array", np.eye(2)), ("str", "J"), ("symbol", x_sym),
        ("Array", sp.Array([[1, 0], [0, 1]])), ("too many entries", sp.zeros(side, side)),
    ]:
        rows += [(S.dependence_pattern_sym, (value,), {}, "jacobian", label)]
    for label, value in [
        ("rational", sp.Rational(1, 2)), ("negative symbol", sp.Symbol("M", negative=True)),
        ("non-integer symbol", sp.Symbol("M", integer=False)), ("oo", sp.oo), ("I", sp.I), ("float", 4.0),
    ]:
        rows += [(S.ising_ring_transfer_sym, (value,), {}, "n", label)]
    for func in NO_ARGUMENTS:
        rows += [(func, (1,), {}, "positional argument", "unexpected argument")]
    return [pytest.param(f, a, k, n, id=f"{f.__name__}-{n}-{label}") for f, a, k, n, label in rows]


def documented_tree_maximum(func) -> int:
    (found,) = re.findall(r"at most (\d+) classes", inspect.getdoc(func))
    return int(found)


def documented_entries_maximum() -> int:
    (found,) = re.findall(r"at most (\d+) entries", inspect.getdoc(S.dependence_pattern_sym))
    return int(found)


NO_ARGUMENTS = [
    S.two_class_softmax_is_sigmoid,
    S.softmax_jacobian_index_residual,
    S.sigmoid_derivative_residual,
    S.binary_cross_entropy_sym,
    S.binary_cross_entropy_gradient_residual,
    S.binary_cross_entropy_is_two_class_cross_entropy,
    S.bernoulli_glm_residuals,
    S.two_level_system_sym,
    S.ising_chain_heat_capacity_sym,
    S.two_state_limits,
    S.pointwise_counterexample,
    S.two_class_saturation,
    S.hierarchical_path_gradient_sym,
    S.merge_associativity_sym,
    S.nce_optimum_sym,
    S.negative_sampling_optimum_sym,
    S.sigmoid_pair_sum_residual,
    S.gumbel_max_two_class_sym,
]


def assert_rejected_quickly(func, args, kwargs, names):
    start = time.perf_counter()
    if names == "positional argument":  # Python's own TypeError for an argument the function does not take
        with pytest.raises(TypeError, match=names):
            func(*args, **kwargs)
    else:
        assert_rejects(func, args, kwargs, names=names)
    assert time.perf_counter() - start < 2.0, f"{func.__name__} worked before rejecting its argument"


@pytest.mark.parametrize("func, args, param", list(size_cases()))
def test_bad_sizes_are_rejected(func, args, param):
    assert_rejected_quickly(func, args, {}, param)


@pytest.mark.parametrize("func, args, kwargs, names", other_cases())
def test_bad_arguments_are_rejected(func, args, kwargs, names):
    assert_rejected_quickly(func, args, kwargs, names)


@pytest.mark.parametrize("func, param, template", SIZED, ids=[f"{f.__name__}-{p}" for f, p, _ in SIZED])
def test_documented_maximum_is_enforced_and_named(func, param, template):
    low, high = documented_range(func, param)
    with pytest.raises(ValueError) as excinfo:
        func(*fill(template, high + 1))
    assert f"between {low} and {high}" in str(excinfo.value) and param in str(excinfo.value)
    assert raised_by_softmaxlab(excinfo)


# =========================================================================== references


def mp_softmax(z, beta=1):
    e = [mpmath.exp(beta * v) for v in z]
    total = mpmath.fsum(e)
    return [v / total for v in e]


def mp_logsumexp(z):
    return mpmath.log(mpmath.fsum(mpmath.exp(v) for v in z))


def mp_sigmoid(t):
    return 1 / (1 + mpmath.exp(-t))


def point(n: int, seed: int, low=-3.0, high=3.0) -> list[mpmath.mpf]:
    """A seeded point, as exact binary fractions so SymPy and mpmath see the same numbers."""
    return [mpmath.mpf(float(v)) for v in np.random.default_rng(seed).uniform(low, high, n)]


def at(expr, values: dict) -> mpmath.mpf:
    """``expr`` evaluated at ``values`` to 30 digits."""
    return mpmath.mpmathify(sp.N(sp.sympify(expr).subs({k: sp.Float(v, 30) for k, v in values.items()}), 30))


def close(got, want, tol=1e-20):
    assert abs(got - want) <= tol * (1 + abs(want)), (got, want)


def partial(f, z, j, order=1):
    """d^order f / dz_j^order at z (mpmath, 30 digits)."""
    return mpmath.diff(lambda v: f([*z[:j], v, *z[j + 1 :]]), z[j], order)


def mixed(f, z, j, k):
    """d^2 f / (dz_j dz_k) at z."""
    if j == k:
        return partial(f, z, j, 2)
    def g(a, b):
        return f([b if m == k else a if m == j else v for m, v in enumerate(z)])

    return mpmath.diff(g, (z[j], z[k]), (1, 1))


def jacobian_reference(n, seed):
    z = point(n, seed)
    return z, [[partial(lambda v: mp_softmax(v)[i], z, j) for j in range(n)] for i in range(n)]


def check_matrix_against(matrix, z_symbols, z, reference, tol=1e-15):
    values = dict(zip(z_symbols, z))
    for i, row in enumerate(reference):
        for j, want in enumerate(row):
            close(at(matrix[i, j], values), want, tol)


def zeros_like_size(result, n: int, kind: str):
    if kind == "scalar":
        assert result == 0
    elif kind == "list":
        assert result == [sp.Integer(0)] * n
    elif kind == "matrix":
        assert result == sp.zeros(n, n)
    elif kind == "array3":
        assert result == sp.MutableDenseNDimArray.zeros(n, n, n)
    elif kind == "list of lists":
        assert result == [[sp.Integer(0)] * n for _ in range(n)]
    else:
        raise AssertionError(kind)


# =========================================================================== value checks, one per function


def v_logits(n=1):
    out = S.logits(n, "w")
    assert [str(s) for s in out] == [f"w_{i}" for i in range(1, n + 1)] and all(s.is_real for s in out)


def v_energies(n=1):
    out = S.energies(n)
    assert [str(s) for s in out] == [f"E_{i}" for i in range(1, n + 1)] and all(s.is_real for s in out)


def v_softmax_sym(n=1):
    z, b = S.logits(n), sp.Symbol("b", positive=True)
    values = point(n, 1)
    for got, want in zip(S.softmax_sym(z, b), mp_softmax(values, mpmath.mpf(0.75))):
        close(at(got, {**dict(zip(z, values)), b: 0.75}), want)


def v_logsumexp_sym(n=1):
    z, values = S.logits(n), point(n, 2)
    close(at(S.logsumexp_sym(z), dict(zip(z, values))), mp_logsumexp(values))


def v_sigmoid_sym():
    t = sp.Symbol("t", real=True)
    for value in point(3, 3, -40, 40):
        close(at(S.sigmoid_sym(t), {t: value}), mp_sigmoid(value))


def v_boltzmann_sym(n=1):
    E, values = S.energies(n), point(n, 4)
    b = S.thermo.beta
    for got, want in zip(S.boltzmann_sym(E), mp_softmax([-v for v in values], mpmath.mpf(1.5))):
        close(at(got, {**dict(zip(E, values)), b: 1.5}), want)


def v_log_partition_sym(n=1):
    E, values = S.energies(n), point(n, 5)
    close(at(S.log_partition_sym(E, 2), dict(zip(E, values))), mp_logsumexp([-2 * v for v in values]))


def v_jacobian(func, n=1):
    z, reference = jacobian_reference(n, 6)
    check_matrix_against(func(n), S.logits(n), z, reference)


def v_cross_entropy_sym(n=1):
    z = point(n, 7)
    for label in range(n):
        close(at(S.cross_entropy_sym(n, label), dict(zip(S.logits(n), z))), -mpmath.log(mp_softmax(z)[label]))


def v_softmax_index_form():
    zb = sp.IndexedBase("z", real=True)
    i, j = sp.symbols("i j", integer=True, positive=True)
    n = sp.Symbol("n", integer=True, positive=True)
    z = point(2, 8)
    for index, symbol in (("i", i), ("j", j)):
        for entry in (1, 2):
            expr = S.softmax_index_form(index).subs({n: 2, symbol: entry}).doit()
            close(at(expr, {zb[1]: z[0], zb[2]: z[1]}), mp_softmax(z)[entry - 1])


def v_softmax_jacobian_index_form():
    zb = sp.IndexedBase("z", real=True)
    i, j = sp.symbols("i j", integer=True, positive=True)
    n = sp.Symbol("n", integer=True, positive=True)
    z, reference = jacobian_reference(2, 9)
    for evaluate in (True, False):
        form = S.softmax_jacobian_index_form(evaluate=evaluate)
        for a, b in itertools.product((1, 2), repeat=2):
            expr = form.subs({n: 2, i: a, j: b}).doit()
            close(at(expr, {zb[1]: z[0], zb[2]: z[1]}), reference[a - 1][b - 1], 1e-15)


def v_logsumexp_hessian_sym(n=1):
    z = point(n, 10)
    reference = [[mixed(mp_logsumexp, z, a, b) for b in range(n)] for a in range(n)]
    check_matrix_against(S.logsumexp_hessian_sym(n), S.logits(n), z, reference, 1e-12)


def v_second_derivative(func, n=1):
    z = point(n, 11)
    T = func(n)
    values = dict(zip(S.logits(n), z))
    for a, b, c in itertools.product(range(n), repeat=3):
        close(at(T[a, b, c], values), mixed(lambda v, a=a: mp_softmax(v)[a], z, b, c), 1e-12)


def v_binary_cross_entropy_sym():
    t, y = sp.Symbol("t", real=True), sp.Symbol("y", real=True)
    for tv, yv in zip(point(3, 12, -20, 20), point(3, 13, 0, 1)):
        want = -yv * mpmath.log(mp_sigmoid(tv)) - (1 - yv) * mpmath.log(1 - mp_sigmoid(tv))
        close(at(S.binary_cross_entropy_sym(), {t: tv, y: yv}), want, 1e-15)


def v_two_level_system_sym():
    out = S.two_level_system_sym()
    b, eps = S.thermo.beta, out["epsilon"]
    for bv, ev in [(mpmath.mpf("0.5"), mpmath.mpf(2)), (mpmath.mpf(3), mpmath.mpf("0.25"))]:
        def log_z(x):
            return mpmath.log(1 + mpmath.exp(-x * ev))

        values = {b: bv, eps: ev}
        close(at(out["Z"], values), 1 + mpmath.exp(-bv * ev))
        close(at(out["U"], values), -mpmath.diff(log_z, bv), 1e-15)
        close(at(out["C"], values), bv**2 * mpmath.diff(log_z, bv, 2), 1e-12)
        close(at(out["S"], values), -bv * mpmath.diff(log_z, bv) + log_z(bv), 1e-15)


def ising_brute_force(n, K, H):
    """Z of the periodic ring by enumeration of the 2**n states, in mpmath."""
    return mpmath.fsum(
        mpmath.exp(K * sum(s[i] * s[(i + 1) % n] for i in range(n)) + H * sum(s))
        for s in itertools.product((1, -1), repeat=n)
    )


def v_ising_ring_enumerated_sym(n=1):
    K, H = sp.symbols("K H", real=True)
    for Kv, Hv in [(mpmath.mpf("0.3"), mpmath.mpf("-0.7")), (mpmath.mpf(-1), mpmath.mpf("0.2"))]:
        close(at(S.ising_ring_enumerated_sym(n), {K: Kv, H: Hv}), ising_brute_force(n, Kv, Hv))


def v_ising_ring_transfer_sym(n=1):
    K, H = sp.symbols("K H", real=True)
    Kv, Hv = 0.3, -0.7
    matrix = np.array([[np.exp(Kv + Hv), np.exp(-Kv)], [np.exp(-Kv), np.exp(Kv - Hv)]])
    eigenvalues = np.linalg.eigvalsh(matrix)
    out = S.ising_ring_transfer_sym(n)
    assert out["difference"] == 0
    values = {K: Kv, H: Hv}
    assert sorted([float(at(out["lambda_minus"], values)), float(at(out["lambda_plus"], values))]) == pytest.approx(
        sorted(eigenvalues), rel=1e-13
    )
    assert float(at(out["Z"], values)) == pytest.approx(float(np.sum(eigenvalues**n)), rel=1e-13)
    assert float(at(out["Z"], values)) == pytest.approx(float(ising_brute_force(n, Kv, Hv)), rel=1e-13)
    N = sp.Symbol("N", positive=True, integer=True)
    assert "difference" not in S.ising_ring_transfer_sym() and S.ising_ring_transfer_sym()["Z"].has(N)


def v_ising_chain_heat_capacity_sym():
    out = S.ising_chain_heat_capacity_sym()
    b, J = S.thermo.beta, S.thermo.J
    N = sp.Symbol("N", positive=True, integer=True)
    for bv, Jv, n in [(mpmath.mpf("0.7"), mpmath.mpf(1), 4), (mpmath.mpf(2), mpmath.mpf("-0.5"), 3)]:
        def log_z(x):
            return mpmath.log(ising_brute_force(n, x * Jv, 0))

        close(at(out["c_N"], {b: bv, J: Jv, N: n}), bv**2 * mpmath.diff(log_z, bv, 2) / n, 1e-12)
        K = bv * Jv
        close(at(out["c_infinity"], {b: bv, J: Jv}), K**2 * mpmath.sech(K) ** 2)
    assert out["c_infinity - K^2 sech^2 K"] == 0


def v_free_energy_identities(n=1):
    out = S.free_energy_identities(n)
    E, values, Tv = S.energies(n), point(n, 14), mpmath.mpf("0.8")
    subs = {**dict(zip(E, values)), S.thermo.T: Tv}
    p = mp_softmax([-v for v in values], 1 / Tv)
    close(at(out["F"], subs), -Tv * mp_logsumexp([-v / Tv for v in values]))
    close(at(out["U"], subs), mpmath.fsum(pi * e for pi, e in zip(p, values)))
    close(at(out["S"], subs), -mpmath.fsum(pi * mpmath.log(pi) for pi in p))
    assert out["S = (U - F)/T"] == 0 and out["dF/dT = -S"] == 0


def v_max_entropy_lagrange(n=1):
    out = S.max_entropy_lagrange(n)
    z, values, bv = S.logits(n), point(n, 15), mpmath.mpf("1.3")
    for got, want in zip(out["solution"], mp_softmax(values, bv)):
        close(at(got, {**dict(zip(z, values)), S.thermo.beta: bv}), want)
    zeros_like_size(out["difference"], n, "list")
    p = sp.symbols(f"p_1:{n + 1}", positive=True)
    assert out["hessian"] == sp.diag(*[-1 / pi for pi in p])


def v_log_normalizer_derivatives(n=1):
    out = S.log_normalizer_derivatives(n)
    zeros_like_size(out["gradient - softmax"], n, "list")
    zeros_like_size(out["hessian - covariance"], n, "matrix")


def v_distillation_high_temperature_gradient(n=1):
    out = S.distillation_high_temperature_gradient(n)
    s, t = S.logits(n, "s"), S.logits(n, "t")
    sv, tv = point(n, 16), point(n, 17)
    big = mpmath.mpf(10) ** 12  # T (q - p) at a huge T approaches the limit within ~1/T
    q, p = mp_softmax(sv, 1 / big), mp_softmax(tv, 1 / big)
    for i, got in enumerate(out["limit"]):
        close(at(got, {**dict(zip(s, sv)), **dict(zip(t, tv))}), big * (q[i] - p[i]), 1e-10)
    zeros_like_size(out["difference"], n, "list")


def brute_limits(values):
    exact = [Fraction(str(v)) if isinstance(v, float) else Fraction(v) for v in values]
    top = max(exact)
    count = exact.count(top)
    low = [Fraction(1, count) if v == top else Fraction(0) for v in exact]
    return exact, low, [Fraction(1, len(exact))] * len(exact)


LIMIT_INPUTS = [[1], [2, 2, 1], [1e308, 0], [5e-324, 0.0], [10**400, -(10**400)], [0.1, 0.2, 0.1], np.array([3.0, 3.0])]


def v_tempered_softmax_limits():
    for values in LIMIT_INPUTS:
        _, low, high = brute_limits(list(values))
        out = S.tempered_softmax_limits(values)
        assert out["T -> 0+"] == [sp.Rational(f.numerator, f.denominator) for f in low]
        assert out["T -> oo"] == [sp.Rational(f.numerator, f.denominator) for f in high]


def v_tempered_logsumexp_limits():
    for values in LIMIT_INPUTS:
        exact, low, _ = brute_limits(list(values))
        out = S.tempered_logsumexp_limits(values)
        top, count, mean = max(exact), sum(1 for f in low if f), sum(exact) / len(exact)
        assert out["T -> 0+"] == sp.Rational(top.numerator, top.denominator)
        assert out["excess / T, T -> 0+"] == sp.log(count)
        assert out["minus T log n, T -> oo"] == sp.Rational(mean.numerator, mean.denominator)


def v_two_state_limits():
    out = S.two_state_limits()
    g, T = sp.Symbol("g", positive=True), sp.Symbol("T", positive=True)
    for gv, Tv in [(mpmath.mpf(1), mpmath.mpf("0.5")), (mpmath.mpf(3), mpmath.mpf(7))]:
        close(at(out["p_top"], {g: gv, T: Tv}), mp_softmax([gv, 0], 1 / Tv)[0])
    close(mpmath.mpf(sp.N(out["T -> 0+"])), mp_softmax([1, 0], mpmath.mpf(10) ** 6)[0])
    close(mpmath.mpf(sp.N(out["T -> oo"])), mp_softmax([1, 0], mpmath.mpf(10) ** -40)[0])
    assert out["p_other / exp(-g/T) - p_top"] == 0


def v_pointwise_counterexample():
    out = S.pointwise_counterexample()
    eps, T = sp.Symbol("epsilon", positive=True), sp.Symbol("T", positive=True)
    close(at(out["f"], {eps: 0.5, T: 0.25}), mp_softmax([mpmath.mpf("0.5"), 0], 4)[0])
    close(mpmath.mpf(sp.N(out["value at epsilon = 0"])), mp_softmax([0, 0])[0])
    for Tv in (mpmath.mpf(1), mpmath.mpf("1e-9")):
        close(at(out["along epsilon = T"], {T: Tv}), mp_softmax([Tv, 0], 1 / Tv)[0])
        close(at(out["error along epsilon = T"], {T: Tv}), 1 - mp_softmax([Tv, 0], 1 / Tv)[0])
    assert out["limit, epsilon > 0"] == 1


def v_two_class_saturation():
    out = S.two_class_saturation()
    g, T = sp.Symbol("g", positive=True), sp.Symbol("T", positive=True)
    for gv, Tv in [(mpmath.mpf("0.5"), mpmath.mpf(2)), (mpmath.mpf(3), mpmath.mpf("0.7"))]:
        want = mpmath.diff(lambda a: mp_softmax([a, 0], 1 / Tv)[0], gv)
        close(at(out["derivative"], {g: gv, T: Tv}), want, 1e-15)
        close(at(out["at a tie"], {T: Tv}), mpmath.diff(lambda a: mp_softmax([a, 0], 1 / Tv)[0], 0), 1e-15)
    assert out["derivative - s(1-s)/T"] == 0 and out["T -> 0+"] == 0 and out["T -> oo"] == 0


def v_dot_product_variance(d=1):
    # Rademacher entries (mean 0, variance 1): the exact variance of q . k by enumeration of 4**d states
    samples = [sum(a * b for a, b in zip(s[:d], s[d:])) for s in itertools.product((1, -1), repeat=2 * d)]
    mean = Fraction(sum(samples), len(samples))
    variance = Fraction(sum(v * v for v in samples), len(samples)) - mean**2
    assert S.dot_product_variance(d) == variance


#: Breakpoints for integrals against the Gumbel density: beyond them it is below e**-200.
GUMBEL_RANGE = [-8, -2, 0, 2, 6, 20, 80, 220]


def v_gumbel_max_probability(k=1):
    out = S.gumbel_max_probability(k)
    a, values = S.logits(k, "a"), point(k, 18, -1, 1)
    g = sp.Symbol("g", real=True)
    f = sp.lambdify([g, *a], out["integrand"], "mpmath")
    integral = mpmath.quad(lambda x: f(x, *values), GUMBEL_RANGE)
    close(integral, mp_softmax(values)[0], 1e-15)
    close(at(out["probability"], dict(zip(a, values))), mp_softmax(values)[0])
    assert out["difference"] == 0


def v_gumbel_max_two_class_sym():
    out = S.gumbel_max_two_class_sym()
    g, t = sp.symbols("g t", real=True)
    for tv in (mpmath.mpf("-1.5"), mpmath.mpf("0.4")):
        f = sp.lambdify(g, out["integrand"].subs(t, tv), "mpmath")
        close(mpmath.quad(f, GUMBEL_RANGE), mp_sigmoid(tv), 1e-15)
        close(at(out["cdf"], {t: tv}), mp_sigmoid(tv))
    pi_1 = sp.Symbol("pi_1", positive=True)
    assert out["P(class 1)"] == pi_1 and out["P(class 1) - pi_1"] == 0 and out["cdf - sigmoid"] == 0


def v_hierarchical_softmax_sym():
    for tree in (balanced_tree(1), balanced_tree(3), huffman_tree([5, 1, 1, 2])):
        probabilities, s = S.hierarchical_softmax_sym(tree)
        scores = np.random.default_rng(19).uniform(-3, 3, tree.n_internal)
        want = softmaxlab.hierarchical_softmax(scores, tree)
        got = [float(at(p, dict(zip(s, scores)))) for p in probabilities]
        np.testing.assert_allclose(got, want, rtol=1e-13)


def v_sparsemax_threshold_sym(k=1):
    z = point(k, 20)
    tau = mpmath.findroot(lambda t: mpmath.fsum(v - t for v in z) - 1, 0)
    close(at(S.sparsemax_threshold_sym(k), dict(zip(S.logits(k), z))), tau)


def v_sparsemax_support_jacobian_sym(k=1):
    z = point(k, 21)

    def p(v, i):
        tau = mpmath.findroot(lambda t: mpmath.fsum(x - t for x in v) - 1, 0)
        return v[i] - tau

    reference = [[partial(lambda v, i=i: p(v, i), z, j) for j in range(k)] for i in range(k)]
    check_matrix_against(S.sparsemax_support_jacobian_sym(k), S.logits(k), z, reference, 1e-15)


def v_entmax15_threshold_sym(k=1):
    roots, closed = S.entmax15_threshold_sym(k)
    u, values = sp.symbols(f"u_1:{k + 1}", real=True), point(k, 22, -0.2, 0.2)
    mean = mpmath.fsum(values) / k
    # sum (u_i - tau)^2 = 1 is the quadratic k tau^2 - 2 tau sum u + (sum u^2 - 1) = 0
    want = sorted(mpmath.polyroots([k, -2 * k * mean, mpmath.fsum(v * v for v in values) - 1]))
    subs = dict(zip(u, values))
    got = [at(r, subs) for r in roots]
    close(got[0], want[0])
    close(got[1], want[1])
    close(at(closed, subs), want[0])


def v_optimum(func, names, objective):
    (solution,) = func()
    values = {sp.Symbol(name, positive=True): mpmath.mpf(v) for name, v in zip(names, (0.3, 2.0, 0.7, 5.0))}
    found = mpmath.findroot(lambda x: mpmath.diff(lambda y: objective(y, values), x), 0)
    close(at(solution, values), found, 1e-15)


def nce_objective(s, values):
    p, q, k = (values[sp.Symbol(name, positive=True)] for name in ("p", "q", "k"))
    delta = s - mpmath.log(k * q)
    return p * mpmath.log(mp_sigmoid(delta)) + k * q * mpmath.log(mp_sigmoid(-delta))


def negative_sampling_objective(x, values):
    n_wc, n_w, p_c, k = (values[sp.Symbol(name, positive=True)] for name in ("N_wc", "N_w", "P_c", "k"))
    return n_wc * mpmath.log(mp_sigmoid(x)) + k * n_w * p_c * mpmath.log(mp_sigmoid(-x))


def v_sigmoid_layer_sum_sym(n=1):
    z, values = S.logits(n), point(n, 23)
    close(at(S.sigmoid_layer_sum_sym(n), dict(zip(z, values))), mpmath.fsum(mp_sigmoid(v) for v in values))


def v_sigmoid_layer_sum_facts(n=1):
    out = S.sigmoid_layer_sum_facts(n)
    def total(t):  # every z_j = t
        return n * mp_sigmoid(t)

    close(mpmath.mpf(sp.N(out["at z = 0"])), total(0))
    close(mpmath.mpf(sp.N(out["all z_j -> -oo"])), total(-200), 1e-40)
    close(mpmath.mpf(sp.N(out["all z_j -> +oo"])), total(200))
    assert out["dS/dz_j - sigmoid'(z_j)"] == 0


def v_sigmoid_layer_jacobian_sym(n=1):
    z = point(n, 24)
    reference = [[partial(lambda v, i=i: mp_sigmoid(v[i]), z, j) for j in range(n)] for i in range(n)]
    check_matrix_against(S.sigmoid_layer_jacobian_sym(n), S.logits(n), z, reference)


def v_dependence_pattern_sym():
    for n in (1, 2):
        z, values = S.logits(n), point(n, 25)
        for jacobian in (S.softmax_jacobian_sym(n), S.sigmoid_layer_jacobian_sym(n)):
            want = sp.Matrix(n, n, lambda i, j: int(at(jacobian[i, j], dict(zip(z, values))) != 0))
            assert S.dependence_pattern_sym(jacobian) == want
    assert S.dependence_pattern_sym(sp.ImmutableMatrix([[x_sym - x_sym, x_sym]])) == sp.Matrix([[0, 1]])


def v_softmax_log_offset_sym(n=1):
    z, values = S.logits(n), point(n, 26)
    for offset in S.softmax_log_offset_sym(n):
        close(at(offset, dict(zip(z, values))), mp_logsumexp(values))


def v_argmax_limit_sym(n_max=1, n_rest=0):
    out = S.argmax_limit_sym(n_max, n_rest)
    _, low, _ = brute_limits([1] * n_max + [0] * n_rest)
    assert out["limit"] == [sp.Rational(f.numerator, f.denominator) for f in low]
    assert out["term limits"] == [sp.Integer(1)] * n_max + [sp.Integer(0)] * n_rest
    zeros_like_size(out["shift residual"], n_max + n_rest, "list")


def both_sizes(check):
    """Run a value check at the smallest size, 1, and at 2 (where most derivatives first differ from 0)."""

    def run():
        check(1)
        check(2)

    return run


def zero(func, kind, *args):
    """A residual function: exact zeros of the shape its size implies."""

    def check():
        result = func(*args)
        if isinstance(result, dict):
            for value in result.values():
                value_kind = "matrix" if isinstance(value, sp.MatrixBase) else kind
                zeros_like_size(value, args[0] if args else 0, value_kind)
        elif isinstance(result, tuple):
            assert result == (0,) * len(result)
        else:
            zeros_like_size(result, sum(args) if func is S.merge_invariant_sym else (args[0] if args else 0), kind)

    check.__name__ = func.__name__
    return check


#: One row per public function: (function, check). The checks run it at its smallest valid size
#: (and at 2 where the function returns expressions rather than residuals).
VALUE_ROWS = [
    (S.logits, both_sizes(v_logits)),
    (S.softmax_sym, both_sizes(v_softmax_sym)),
    (S.logsumexp_sym, both_sizes(v_logsumexp_sym)),
    (S.sigmoid_sym, v_sigmoid_sym),
    (S.softmax_sums_to_one, zero(S.softmax_sums_to_one, "scalar", 1)),
    (S.softmax_shift_invariance, zero(S.softmax_shift_invariance, "list", 1)),
    (S.two_class_softmax_is_sigmoid, zero(S.two_class_softmax_is_sigmoid, "scalar")),
    (S.softmax_jacobian_sym, both_sizes(lambda n: v_jacobian(S.softmax_jacobian_sym, n))),
    (S.softmax_jacobian_closed_form, both_sizes(lambda n: v_jacobian(S.softmax_jacobian_closed_form, n))),
    (S.cross_entropy_sym, both_sizes(v_cross_entropy_sym)),
    (S.cross_entropy_gradient_sym, zero(S.cross_entropy_gradient_sym, "list", 1, 0)),
    (S.softmax_index_form, v_softmax_index_form),
    (S.softmax_jacobian_index_form, v_softmax_jacobian_index_form),
    (S.softmax_jacobian_index_residual, zero(S.softmax_jacobian_index_residual, "scalar")),
    (S.softmax_jacobian_residual, zero(S.softmax_jacobian_residual, "matrix", 1)),
    (S.jacobian_quadratic_form_residual, zero(S.jacobian_quadratic_form_residual, "scalar", 1)),
    (S.logsumexp_gradient_residual, zero(S.logsumexp_gradient_residual, "list", 1)),
    (S.logsumexp_hessian_sym, both_sizes(v_logsumexp_hessian_sym)),
    (S.logsumexp_hessian_residual, zero(S.logsumexp_hessian_residual, "matrix", 1)),
    (S.softmax_second_derivative_sym, both_sizes(lambda n: v_second_derivative(S.softmax_second_derivative_sym, n))),
    (
        S.softmax_second_derivative_closed_form,
        both_sizes(lambda n: v_second_derivative(S.softmax_second_derivative_closed_form, n)),
    ),
    (S.softmax_second_derivative_residual, zero(S.softmax_second_derivative_residual, "array3", 1)),
    (S.sigmoid_derivative_residual, zero(S.sigmoid_derivative_residual, "scalar")),
    (S.binary_cross_entropy_sym, v_binary_cross_entropy_sym),
    (S.binary_cross_entropy_gradient_residual, zero(S.binary_cross_entropy_gradient_residual, "scalar")),
    (
        S.binary_cross_entropy_is_two_class_cross_entropy,
        zero(S.binary_cross_entropy_is_two_class_cross_entropy, "scalar"),
    ),
    (S.bernoulli_glm_residuals, zero(S.bernoulli_glm_residuals, "scalar")),
    (S.categorical_glm_residuals, zero(S.categorical_glm_residuals, "list", 1)),
    (S.energies, both_sizes(v_energies)),
    (S.boltzmann_sym, both_sizes(v_boltzmann_sym)),
    (S.log_partition_sym, both_sizes(v_log_partition_sym)),
    (S.base_b_softmax_identity, zero(S.base_b_softmax_identity, "list", 1)),
    (S.mean_energy_identity, zero(S.mean_energy_identity, "scalar", 1)),
    (S.energy_variance_identity, zero(S.energy_variance_identity, "scalar", 1)),
    (S.free_energy_identities, both_sizes(v_free_energy_identities)),
    (S.max_entropy_lagrange, both_sizes(v_max_entropy_lagrange)),
    (S.log_normalizer_derivatives, v_log_normalizer_derivatives),
    (S.variational_gap_identity, zero(S.variational_gap_identity, "scalar", 1)),
    (S.two_level_system_sym, v_two_level_system_sym),
    (S.ising_ring_enumerated_sym, both_sizes(v_ising_ring_enumerated_sym)),
    (S.ising_ring_transfer_sym, both_sizes(v_ising_ring_transfer_sym)),
    (S.ising_chain_heat_capacity_sym, v_ising_chain_heat_capacity_sym),
    (S.distillation_gradient_identity, zero(S.distillation_gradient_identity, "list", 1)),
    (S.distillation_high_temperature_gradient, both_sizes(v_distillation_high_temperature_gradient)),
    (S.tempered_softmax_limits, v_tempered_softmax_limits),
    (S.tempered_logsumexp_limits, v_tempered_logsumexp_limits),
    (S.softmax_ratio_identity, zero(S.softmax_ratio_identity, "list of lists", 1)),
    (S.two_state_limits, v_two_state_limits),
    (S.pointwise_counterexample, v_pointwise_counterexample),
    (S.two_class_saturation, v_two_class_saturation),
    (S.dot_product_variance, both_sizes(v_dot_product_variance)),
    (S.gumbel_max_probability, both_sizes(v_gumbel_max_probability)),
    (S.gumbel_max_value_distribution, zero(S.gumbel_max_value_distribution, "scalar", 1)),
    (S.hierarchical_softmax_sym, v_hierarchical_softmax_sym),
    (S.hierarchical_sum_minus_one, zero(S.hierarchical_sum_minus_one, "scalar", balanced_tree(1))),
    (S.hierarchical_path_gradient_sym, lambda: zeros_like_size(S.hierarchical_path_gradient_sym(), 2, "list")),
    (S.sparsemax_threshold_sym, both_sizes(v_sparsemax_threshold_sym)),
    (S.sparsemax_support_condition_sym, zero(S.sparsemax_support_condition_sym, "scalar", 1)),
    (S.sparsemax_support_jacobian_sym, both_sizes(v_sparsemax_support_jacobian_sym)),
    (S.entmax15_threshold_sym, both_sizes(v_entmax15_threshold_sym)),
    (S.online_softmax_step_sym, zero(S.online_softmax_step_sym, "scalar", 1)),
    (S.merge_invariant_sym, zero(S.merge_invariant_sym, "scalar", 1, 1)),
    (S.merge_associativity_sym, zero(S.merge_associativity_sym, "scalar")),
    (S.nce_optimum_sym, lambda: v_optimum(S.nce_optimum_sym, ("p", "q", "k"), nce_objective)),
    (S.negative_sampling_optimum_sym, lambda: v_optimum(
        S.negative_sampling_optimum_sym, ("N_wc", "N_w", "P_c", "k"), negative_sampling_objective
    )),
    (S.sigmoid_layer_sum_sym, both_sizes(v_sigmoid_layer_sum_sym)),
    (S.sigmoid_pair_sum_residual, zero(S.sigmoid_pair_sum_residual, "scalar")),
    (S.sigmoid_layer_sum_facts, both_sizes(v_sigmoid_layer_sum_facts)),
    (S.softmax_jacobian_signed_form, both_sizes(lambda n: v_jacobian(S.softmax_jacobian_signed_form, n))),
    (S.monotonicity_residual, zero(S.monotonicity_residual, "matrix", 1)),
    (S.sigmoid_layer_jacobian_sym, both_sizes(v_sigmoid_layer_jacobian_sym)),
    (S.dependence_pattern_sym, v_dependence_pattern_sym),
    (S.softmax_log_offset_sym, both_sizes(v_softmax_log_offset_sym)),
    (S.softmax_of_log_residual, zero(S.softmax_of_log_residual, "list", 1)),
    (S.cross_entropy_chain_rule_residual, zero(S.cross_entropy_chain_rule_residual, "list", 1)),
    (S.log_softmax_shift_residual, zero(S.log_softmax_shift_residual, "list", 1)),
    (S.log_softmax_log1p_residual, zero(S.log_softmax_log1p_residual, "scalar", 1)),
    (S.argmax_limit_sym, lambda: [v_argmax_limit_sym(*sizes) for sizes in ((1, 0), (2, 1))]),
    (S.gumbel_max_two_class_sym, v_gumbel_max_two_class_sym),
]

#: The public names this table covers: every function with a value row (and so with bad-argument rows).
COVERED = {func.__name__ for func, _ in VALUE_ROWS}


#: The names of softmaxlab.symbolic whose rows are in tests/test_rules_graphical.py (the probabilistic
#: readings of softmax and the estimation of Z) and tests/test_rules_networks.py (softmax inside
#: networks); this table covers all the others.
ELSEWHERE = {
    "ising_spin_conditional_sym", "conditional_maxent_lagrange", "softmax_regression_shift_identity",
    "lda_posterior_sym", "naive_bayes_posterior_sym", "multinomial_canonical_link_sym",
    "importance_weight_moments_sym", "log_estimate_bias_sym",
    "ising_ring_density_of_states_sym", "conjugate_field_identities", "grand_canonical_site_sym",
    "key_strength_sharpening_sym", "cosine_order_sym", "softmax_layer_coupling_sym", "fully_masked_row_limits_sym",
}


def test_the_table_covers_every_public_name_of_its_modules():
    own = set(S.__all__) - ELSEWHERE
    assert COVERED == own, sorted(own ^ COVERED)
    assert COVERED <= set(S.__all__)
    assert len(VALUE_ROWS) == len(COVERED) == 79


@pytest.mark.parametrize("func, check", VALUE_ROWS, ids=[f.__name__ for f, _ in VALUE_ROWS])
def test_value_at_the_smallest_size_matches_an_independent_reference(func, check):
    check()


# =========================================================================== IEEE cases of the definitional functions

IEEE_SCORES = {
    "+inf": [INF, 0.0],
    "two +inf": [INF, INF, 0.0],
    "-inf": [-INF, 0.0],
    "all -inf": [-INF, -INF],
    "nan": [NAN, 0.0],
    "nan beside +inf": [NAN, INF],
    "-inf beside +inf": [-INF, INF],
    "one +inf": [INF],
    "one -inf": [-INF],
    "one nan": [NAN],
    "1e308": [1e308, 0.0],
    "5e-324": [5e-324, 0.0],
    "-1e308": [-1e308, 1e308],
    "empty": [],
}


def as_floats(values) -> np.ndarray:
    return np.array([float(sp.N(v, 30)) for v in values], dtype=float)


@pytest.mark.parametrize("scores", IEEE_SCORES.values(), ids=IEEE_SCORES.keys())
@pytest.mark.parametrize("beta", [1, 2, sp.Rational(1, 2)], ids=["beta=1", "beta=2", "beta=1/2"])
def test_softmax_sym_and_boltzmann_sym_follow_the_core(scores, beta):
    x = np.array(scores, dtype=float)
    with np.errstate(all="ignore"):
        want = softmaxlab.softmax(x, temperature=float(1 / beta))
    np.testing.assert_allclose(as_floats(S.softmax_sym(scores, beta)), want, rtol=1e-15, atol=0)
    np.testing.assert_allclose(as_floats(S.boltzmann_sym([-v for v in scores], beta)), want, rtol=1e-15, atol=0)


@pytest.mark.parametrize("scores", IEEE_SCORES.values(), ids=IEEE_SCORES.keys())
def test_logsumexp_sym_and_log_partition_sym_follow_the_core(scores):
    x = np.array(scores, dtype=float)
    with np.errstate(all="ignore"):
        want = float(softmaxlab.logsumexp(x))
    for got in (S.logsumexp_sym(scores), S.log_partition_sym([-v for v in scores], 1)):
        np.testing.assert_allclose(float(sp.N(got, 30)), want, rtol=1e-15, atol=0)


@pytest.mark.parametrize("t", [INF, -INF, NAN, 1e308, -1e308, 5e-324, 0.0, sp.oo, -sp.oo])
def test_sigmoid_sym_at_the_extremes(t):
    value = float(t)
    want = mp_sigmoid(mpmath.mpf(value)) if not np.isnan(value) else mpmath.nan
    got = float(sp.N(S.sigmoid_sym(t), 30))
    np.testing.assert_allclose(got, float(want), rtol=1e-15, atol=0)


def test_huge_exact_scores_stay_exact():
    """10**400 and 1e308 are scores like any other: no overflow, no float rounding."""
    out = S.softmax_sym([10**400, 0])
    assert out[0] == sp.exp(10**400) / (1 + sp.exp(10**400))
    assert S.tempered_softmax_limits([10**400, 10**400 - 1])["T -> 0+"] == [1, 0]
    assert S.tempered_softmax_limits([1e308, 1e308])["T -> 0+"] == [sp.Rational(1, 2)] * 2
    assert S.tempered_logsumexp_limits([10**400, 1])["T -> 0+"] == 10**400


def test_limits_of_many_huge_scores_finish():
    """Sixteen scores near 1e308 took SymPy's limit minutes (the excess over the maximum); now well under a second."""
    values = [1e308 / (i + 1) for i in range(16)]
    start = time.perf_counter()
    out = S.tempered_logsumexp_limits(values)
    exact = [Fraction(str(v)) for v in values]
    assert out["T -> 0+"] == sp.Integer(int(max(exact))) and out["excess / T, T -> 0+"] == 0
    mean = sum(exact) / len(exact)
    assert out["minus T log n, T -> oo"] == sp.Rational(mean.numerator, mean.denominator)
    assert S.tempered_softmax_limits(values)["T -> 0+"] == [1] + [0] * 15
    assert time.perf_counter() - start < 20


# =========================================================================== inputs unmodified


def test_inputs_are_not_modified():
    z = S.logits(3)
    as_list, as_array, as_matrix = list(z), np.array([0.5, -1.0, 2.0]), sp.Matrix(z)
    snapshots = (list(as_list), as_array.copy(), as_matrix.copy())
    S.softmax_sym(as_list)
    S.logsumexp_sym(as_array)
    S.boltzmann_sym(as_matrix)
    S.log_partition_sym(as_list)
    S.tempered_softmax_limits(as_array)
    S.tempered_logsumexp_limits(as_array)
    assert as_list == snapshots[0] and np.array_equal(as_array, snapshots[1]) and as_matrix == snapshots[2]
    jacobian = S.softmax_jacobian_sym(2)
    before = jacobian.copy()
    S.dependence_pattern_sym(jacobian)
    assert jacobian == before
    tree = balanced_tree(4)
    arrays = [a.copy() for a in (tree.children, tree.nodes, tree.signs, tree.depths)]
    S.hierarchical_softmax_sym(tree)
    S.hierarchical_sum_minus_one(tree)
    for original, after in zip(arrays, (tree.children, tree.nodes, tree.signs, tree.depths)):
        np.testing.assert_array_equal(after, original)


def test_accepted_argument_forms():
    """Sizes as numpy, SymPy and 0-d integers; lists as tuples, arrays and SymPy vectors; numbers as Fractions."""
    assert S.logits(np.int64(2)) == S.logits(sp.Integer(2)) == S.logits(np.array(2)) == S.logits(2)
    z = S.logits(3)
    assert S.softmax_sym(tuple(z)) == S.softmax_sym(sp.Matrix(z)) == S.softmax_sym(sp.Matrix(z).T) == S.softmax_sym(z)
    assert S.softmax_sym([Fraction(1, 2), np.int8(1)]) == S.softmax_sym([sp.Rational(1, 2), sp.Integer(1)])
    assert S.tempered_softmax_limits([Fraction(1, 3), sp.sqrt(2), np.float32(0.1)])["T -> 0+"] == [0, 1, 0]
    assert S.ising_ring_transfer_sym(sp.Integer(2))["difference"] == 0
    assert "difference" not in S.ising_ring_transfer_sym(sp.Symbol("M", positive=True, integer=True))


# =========================================================================== found by the adversarial review


def test_found_logits_with_a_string_size_raised_a_comparison_error():
    """``logits('3')`` failed inside the comparison ``'3' < 1`` ("'<' not supported")."""
    assert_rejects(S.logits, ("3",), names="n")


def test_found_entmax15_threshold_of_size_0_divided_by_zero():
    """``entmax15_threshold_sym(0)`` raised ZeroDivisionError from ``sum(u) / k``."""
    assert_rejects(S.entmax15_threshold_sym, (0,), names="k")


def test_found_entmax15_threshold_of_size_minus_1_returned_a_complex_root():
    """``entmax15_threshold_sym(-1)`` returned ``([], -1.0*I)``, a wrong value; it must raise."""
    assert_rejects(S.entmax15_threshold_sym, (-1,), names="k")


@pytest.mark.parametrize("func, param, template", SIZED, ids=[f"{f.__name__}-{p}" for f, p, _ in SIZED])
def test_found_a_float_size_gave_sympys_message(func, param, template):
    """``n=2.5`` reached SymPy (``symbols('z_1:3.5')``, ``range(2.5)``) and failed with its message."""
    with pytest.raises(TypeError, match=rf"{param} must be an integer.*, got 2\.5") as excinfo:
        func(*fill(template, 2.5))
    assert raised_by_softmaxlab(excinfo)


def test_found_bad_argument_probes_escaped_from_sympy_and_python():
    """159 of 416 probes failed outside softmaxlab; every probe of this table is now rejected by softmaxlab."""
    probes = [p.values for p in size_cases()] + [p.values for p in other_cases()]
    escaped = []
    for probe in probes:
        func, args, kwargs, names = probe if len(probe) == 4 else (probe[0], probe[1], {}, probe[2])
        if names == "positional argument":
            continue
        try:
            func(*args, **kwargs)
        except (TypeError, ValueError) as exc:
            excinfo = pytest.ExceptionInfo.from_exc_info((type(exc), exc, exc.__traceback__))
            if names not in str(exc) or not raised_by_softmaxlab(excinfo):
                escaped.append((func.__name__, names, repr(exc)[:80]))
        else:
            escaped.append((func.__name__, names, "returned"))
    assert len(probes) > 900 and not escaped, escaped[:10]
