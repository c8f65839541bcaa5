"""Rules table of the sampling group: softmaxlab.hierarchical, .sampled, .nce and .negative_sampling.

Every public function of these modules is walked through the inputs that apply
to it (CONTRIBUTING.md, section 3; tests/rules_support.py): the bad array-likes
of ``BAD_ARRAYS`` in each array argument, every dtype of ``DTYPES``, Fortran
and non-contiguous layouts, lists, 0-d and empty inputs, ``+-inf``, nan,
``1e308`` and ``5e-324``, bad parameters (0, negative, nan, inf, bool, str,
None, ``10**400``, arrays where a scalar belongs), mismatched shapes and bad
trees. None of these functions takes an axis or a temperature. Errors must come
from softmaxlab and name the argument; values are compared with references
computed independently here, in 60-digit mpmath from the definitions (paths
read from the tree's children table, not from its path tables) or, for the
trees, with exact rational arithmetic. Warnings are errors throughout.

``test_found_*`` are the cases an adversarial review found, each kept as its own test.
"""

from __future__ import annotations

import functools
import heapq
import math
from collections.abc import Callable
from fractions import Fraction
from typing import Any, NamedTuple

import mpmath
import numpy as np
import pytest

import softmaxlab as sl
from rules_support import BAD_ARRAYS, DTYPES, assert_rejects, assert_unmodified, peak_extra_bytes
from softmaxlab.hierarchical import BinaryTree

COVERED = {
    "balanced_tree",
    "huffman_tree",
    "hierarchical_softmax",
    "hierarchical_log_softmax",
    "hierarchical_log_prob",
    "hierarchical_log_prob_grad",
    "sampled_softmax_loss",
    "sampled_softmax_grad",
    "nce_logits",
    "nce_loss",
    "nce_grad",
    "unigram_noise",
    "negative_sampling_loss",
    "negative_sampling_grad",
    "shifted_pmi",
}

pytestmark = pytest.mark.filterwarnings("error")

INF, NAN = math.inf, math.nan

#: Relative tolerance of a result against the reference, by input dtype: float16 is computed in
#: float32 and rounded to float16; long double and integers are computed in float64.
RTOL = {
    "float16": 2e-3,
    "float32": 2e-6,
    "float64": 1e-12,
    "longdouble": 1e-12,
    "big-endian float64": 1e-12,
    "int64": 1e-12,
}


# --------------------------------------------------------------------------- references (mpmath, from the definitions)


def mp(x: float) -> mpmath.mpf:
    return mpmath.mpf(float(x))


def log_sigmoid(t):
    return -mpmath.log(1 + mpmath.exp(-t))


def sigmoid(t):
    return 1 / (1 + mpmath.exp(-t))


def softplus(t):
    return mpmath.log(1 + mpmath.exp(t))


def floats(values, shape) -> np.ndarray:
    """mpmath values (or floats) to a float64 array of ``shape``: correctly rounded, beyond the range +-inf."""
    return np.array([float(v) for v in values], dtype=np.float64).reshape(shape)


def f64(x) -> np.ndarray:
    """An argument as the float64 values the library computes with (long double is computed in float64)."""
    return np.asarray(x).astype(np.float64)


def paths_from_children(tree: BinaryTree) -> list[list[tuple[int, int]]]:
    """Each class's path as (internal node, +1 left / -1 right), walked down the children table."""
    paths: dict[int, list[tuple[int, int]]] = {}

    def walk(node: int, path: list[tuple[int, int]]) -> None:
        for col, child in enumerate(tree.children[node]):
            step = [*path, (node, 1 if col == 0 else -1)]
            if child < 0:
                paths[-1 - int(child)] = step
            else:
                walk(int(child), step)

    if tree.n_classes == 1:
        return [[]]
    walk(0, [])
    return [paths[k] for k in range(tree.n_classes)]


def ref_hierarchical_log_softmax(node_scores, tree):
    s = f64(node_scores)
    paths = paths_from_children(tree)
    out = []
    with mpmath.workdps(60):
        for row in s.reshape(math.prod(s.shape[:-1]), tree.n_internal):
            if np.isnan(row).any():  # an undefined distribution: the whole row is nan
                out += [NAN] * tree.n_classes
                continue
            out += [mpmath.fsum(log_sigmoid(c * mp(row[n])) for n, c in path) for path in paths]
    return floats(out, s.shape[:-1] + (tree.n_classes,))


def ref_hierarchical_softmax(node_scores, tree):
    return np.exp(ref_hierarchical_log_softmax(node_scores, tree))


def _path_scores(h_row, w, path):
    """Exact dot products ``h . w[n]`` along a path (mpmath products and sums, no overflow)."""
    return [(n, c, mpmath.fsum(mp(a) * mp(b) for a, b in zip(h_row, w[n]))) for n, c in path]


def ref_hierarchical_log_prob(hidden, node_weights, tree, labels):
    h, w, y = f64(hidden), f64(node_weights), np.asarray(labels)
    paths = paths_from_children(tree)
    out = []
    with mpmath.workdps(60):
        for h_row, label in zip(h.reshape(y.size, h.shape[-1]), y.reshape(-1)):
            out.append(mpmath.fsum(log_sigmoid(c * s) for _, c, s in _path_scores(h_row, w, paths[label])))
    return floats(out, y.shape)


def ref_hierarchical_log_prob_grad(hidden, node_weights, tree, labels):
    h, w, y = f64(hidden), f64(node_weights), np.asarray(labels)
    paths = paths_from_children(tree)
    grad_h, grad_w = [], [[mpmath.mpf(0)] * w.shape[1] for _ in range(w.shape[0])]
    with mpmath.workdps(60):
        for h_row, label in zip(h.reshape(y.size, h.shape[-1]), y.reshape(-1)):
            g = [mpmath.mpf(0)] * h.shape[-1]
            for n, c, s in _path_scores(h_row, w, paths[label]):
                ds = c * sigmoid(-c * s)
                g = [gi + ds * mp(wi) for gi, wi in zip(g, w[n])]
                grad_w[n] = [gi + ds * mp(hi) for gi, hi in zip(grad_w[n], h_row)]
            grad_h += g
    return floats(grad_h, h.shape), floats([v for row in grad_w for v in row], w.shape)


def _candidates(
    true_logits, sampled_logits, true_log_q=None, sampled_log_q=None, *, correct=True, accidental_hits=None
):
    """Each example's corrected candidate logits, true class first, as mpmath lists (hits dropped).

    The documented contract: the corrected logits ``o - log Q`` are rounded to float64 (one IEEE
    subtraction, done here on Python floats), and the loss is the exact one of those.
    """
    t, s = f64(true_logits).reshape(-1), f64(sampled_logits)
    m = s.shape[-1]
    s = s.reshape(t.size, m)
    lq_t = f64(true_log_q).reshape(-1) if correct else np.zeros(t.shape)
    lq_s = f64(sampled_log_q).reshape(t.size, m) if correct else np.zeros(s.shape)
    hits = np.zeros(s.shape, bool) if accidental_hits is None else np.asarray(accidental_hits).reshape(t.size, m)
    for b in range(t.size):
        yield [mp(float(t[b]) - float(lq_t[b]))] + [
            mpmath.mpf("-inf") if hits[b, j] else mp(float(s[b, j]) - float(lq_s[b, j])) for j in range(m)
        ]


def _softmax_weights(c):
    """softmax of one candidate list with the core's IEEE semantics (nan, all -inf, +inf sharing the mass)."""
    if any(mpmath.isnan(v) for v in c) or all(v == -INF for v in c):
        return [mpmath.mpf("nan")] * len(c)
    if any(v == INF for v in c):
        count = sum(v == INF for v in c)
        return [mpmath.mpf(1) / count if v == INF else mpmath.mpf(0) for v in c]
    top = max(c)
    e = [mpmath.exp(v - top) for v in c]  # shifted: top + log(sum) would round at this precision near 1e308
    total = mpmath.fsum(e)
    return [v / total for v in e]


def ref_sampled_softmax_loss(*args, **kwargs):
    shape = np.shape(args[0])
    out = []
    with mpmath.workdps(60):
        for c in _candidates(*args, **kwargs):
            w0 = _softmax_weights(c)[0]
            out.append(-mpmath.log(w0) if not mpmath.isnan(w0) else NAN)
    return floats(out, shape)


def ref_sampled_softmax_grad(*args, **kwargs):
    shape, sshape = np.shape(args[0]), np.shape(args[1])
    gt, gs = [], []
    with mpmath.workdps(60):
        for c in _candidates(*args, **kwargs):
            w = _softmax_weights(c)
            gt.append(w[0] - 1)
            gs += w[1:]
    return floats(gt, shape), floats(gs, sshape)


def _nce_deltas(data_scores, noise_scores, data_log_q, noise_log_q):
    d, n, lq_d, lq_n = f64(data_scores), f64(noise_scores), f64(data_log_q), f64(noise_log_q)
    log_k = mpmath.log(n.shape[-1])
    dd = [mp(a) - log_k - mp(b) for a, b in zip(d.reshape(-1), lq_d.reshape(-1))]
    dn = [mp(a) - log_k - mp(b) for a, b in zip(n.reshape(-1), lq_n.reshape(-1))]
    return d.shape, n.shape, dd, dn


def ref_nce_logits(*args):
    with mpmath.workdps(60):
        shape, nshape, dd, dn = _nce_deltas(*args)
        return floats(dd, shape), floats(dn, nshape)


def ref_nce_loss(*args):
    with mpmath.workdps(60):
        shape, nshape, dd, dn = _nce_deltas(*args)
        k = nshape[-1]
        return floats(
            [softplus(-dd[b]) + mpmath.fsum(softplus(v) for v in dn[b * k : (b + 1) * k]) for b in range(len(dd))],
            shape,
        )


def ref_nce_grad(*args):
    with mpmath.workdps(60):
        shape, nshape, dd, dn = _nce_deltas(*args)
        return floats([-sigmoid(-v) for v in dd], shape), floats([sigmoid(v) for v in dn], nshape)


def ref_negative_sampling_loss(pos_scores, neg_scores):
    pos, neg = f64(pos_scores), f64(neg_scores)
    k = neg.shape[-1]
    flat = neg.reshape(pos.size, k)
    with mpmath.workdps(60):
        return floats(
            [softplus(-mp(p)) + mpmath.fsum(softplus(mp(v)) for v in row) for p, row in zip(pos.reshape(-1), flat)],
            pos.shape,
        )


def ref_negative_sampling_grad(pos_scores, neg_scores):
    pos, neg = f64(pos_scores), f64(neg_scores)
    with mpmath.workdps(60):
        return floats([-sigmoid(-mp(p)) for p in pos.reshape(-1)], pos.shape), floats(
            [sigmoid(mp(v)) for v in neg.reshape(-1)], neg.shape
        )


def _unigram_mp(counts, power):
    """``c ** p / sum c ** p`` as mpmath values (``0 ** 0 = 1``: power 0 is uniform over every entry)."""
    c, p = [mp(x) for x in counts], mp(power)
    w = [x**p if x > 0 or p == 0 else mpmath.mpf(0) for x in c]
    total = mpmath.fsum(w)
    return [v / total for v in w]


def ref_unigram_noise(counts, power=0.75):
    with mpmath.workdps(60):
        return floats(_unigram_mp(f64(counts), power), np.shape(counts))


def ref_shifted_pmi(cooccurrence, k, power=0.75):
    n = f64(cooccurrence)
    with mpmath.workdps(60):
        cells = [[mp(v) for v in row] for row in n]
        rows = [mpmath.fsum(row) for row in cells]
        cols = [mpmath.fsum(col) for col in zip(*cells)]
        p = mp(power)
        w = [c**p if c > 0 or p == 0 else mpmath.mpf(0) for c in cols]
        noise = [v / mpmath.fsum(w) for v in w]
        out = []
        for i, row in enumerate(cells):
            for j, v in enumerate(row):
                if noise[j] == 0:
                    out.append(NAN)
                elif v == 0:
                    out.append(-INF)
                else:
                    out.append(mpmath.log(v / (rows[i] * noise[j])) - mpmath.log(k))
        return floats(out, n.shape)


# --------------------------------------------------------------------------- expectations


class Rejects(NamedTuple):
    """The call raises TypeError, ValueError or AxisError from softmaxlab, naming ``names``."""

    names: str


class Matches(NamedTuple):
    """The result equals ``reference(*args, **kwargs)`` (nan and infinities exactly, the rest within the tolerance).

    ``dtype`` is every output's dtype; ``scalar`` says whether the first output is a numpy scalar.
    """

    reference: Callable[..., Any]
    rtol: float = 1e-12
    atol: float = 0.0
    dtype: np.dtype | None = None
    scalar: bool | None = None

    def check(self, got, args, kwargs):
        ref = self.reference(*args, **kwargs)
        got_t, ref_t = (got, ref) if isinstance(ref, tuple) else ((got,), (ref,))
        assert len(got_t) == len(ref_t)
        if self.scalar is not None:
            assert isinstance(got_t[0], np.generic) == self.scalar, f"0-d result as {type(got_t[0]).__name__}"
        for g, r in zip(got_t, ref_t):
            assert isinstance(g, (np.ndarray, np.generic)), type(g)
            if self.dtype is not None:
                assert g.dtype == self.dtype, f"dtype {g.dtype}, expected {self.dtype}"
            if g.dtype.itemsize < 8:  # the reference rounded to a narrower result: beyond its range, +-inf
                with np.errstate(over="ignore"):
                    r = np.asarray(r).astype(g.dtype).astype(np.float64)
            assert_close(g, r, self.rtol, self.atol)


class Holds(NamedTuple):
    """``check(result, *args, **kwargs)`` holds (for the trees, whose reference is a property)."""

    check: Callable[..., None]


def assert_close(got, ref, rtol, atol=0.0):
    got = np.asarray(got).astype(np.float64)
    ref = np.asarray(ref, dtype=np.float64)
    assert got.shape == ref.shape, f"shape {got.shape}, expected {ref.shape}"
    np.testing.assert_array_equal(
        np.isnan(got), np.isnan(ref), err_msg=f"nan where the reference has none: {got} vs {ref}"
    )
    inf = np.isinf(ref)
    np.testing.assert_array_equal(got[inf], ref[inf], err_msg=f"infinities: {got} vs {ref}")
    finite = np.isfinite(ref)
    assert np.all(np.isfinite(got[finite])), f"non-finite where the reference is finite: {got} vs {ref}"
    err = np.abs(got[finite] - ref[finite])
    assert np.all(err <= atol + rtol * np.abs(ref[finite])), f"{got} vs reference {ref}"


# --------------------------------------------------------------------------- the functions and their valid base calls

TREE = sl.huffman_tree([5, 1, 1, 3, 2, 8])  # K = 6, paths of 1 to 4 nodes
TREE1 = sl.balanced_tree(1)
SCORES = np.array([[0.5, -1.25, 2.0, 0.0, -3.5], [1.5, 0.25, -0.75, 4.0, -2.0]])  # (2, K - 1)
HIDDEN = np.array([[0.5, -1.0, 2.0], [1.0, 0.25, -0.5], [-2.0, 1.5, 0.75], [0.0, 1.0, -1.0]])  # (4, d = 3)
WEIGHTS = np.array([[0.25, 1.0, -0.5], [-1.0, 0.5, 0.5], [2.0, -0.25, 1.0], [0.5, 0.5, 0.5], [-0.75, 1.5, 0.25]])
LABELS = np.array([0, 5, 2, 3])
TRUE = np.array([1.5, -0.5, 3.0])  # 3 examples
SAMPLED = np.array([[0.5, 2.0, -1.0, 0.0], [1.0, 1.0, -2.0, 4.0], [-3.0, 0.5, 2.5, 1.0]])  # m = 4
TRUE_LQ = np.array([-1.5, -2.0, -0.5])
SAMPLED_LQ = np.array([[-1.0, -2.5, -3.0, -1.0], [-0.25, -0.25, -4.0, -2.0], [-1.0, -1.5, -2.0, -3.0]])
HITS = np.array([[False, True, False, False], [False] * 4, [False, False, False, True]])
COUNTS = np.array([90.0, 9.0, 1.0, 0.0, 30.0])
TABLE = np.array([[10.0, 0.0, 4.0], [5.0, 5.0, 1.0], [1.0, 2.0, 30.0], [0.0, 7.0, 3.0]])


class Spec(NamedTuple):
    """A function, a valid call, the names of its array arguments by position, and its reference."""

    name: str
    func: Callable[..., Any]
    args: tuple
    kwargs: dict
    arrays: dict  # argument name -> position (int) or keyword (str); real-valued arrays
    reference: Callable[..., Any]
    reduction: bool
    rtol: float = 1e-12
    atol: float = 0.0
    others: dict = {}  # non-real array arguments (labels, accidental_hits); never modified


SPECS = [
    Spec(
        "hierarchical_log_softmax",
        sl.hierarchical_log_softmax,
        (SCORES, TREE),
        {},
        {"node_scores": 0},
        ref_hierarchical_log_softmax,
        False,
    ),
    Spec(
        "hierarchical_softmax",
        sl.hierarchical_softmax,
        (SCORES, TREE),
        {},
        {"node_scores": 0},
        ref_hierarchical_softmax,
        False,
    ),
    Spec(
        "hierarchical_log_prob",
        sl.hierarchical_log_prob,
        (HIDDEN, WEIGHTS, TREE, LABELS),
        {},
        {"hidden": 0, "node_weights": 1},
        ref_hierarchical_log_prob,
        True,
        others={"labels": 3},
    ),
    Spec(
        "hierarchical_log_prob_grad",
        sl.hierarchical_log_prob_grad,
        (HIDDEN, WEIGHTS, TREE, LABELS),
        {},
        {"hidden": 0, "node_weights": 1},
        ref_hierarchical_log_prob_grad,
        False,
        atol=1e-15,
        others={"labels": 3},
    ),
    Spec(
        "sampled_softmax_loss",
        sl.sampled_softmax_loss,
        (TRUE, SAMPLED, TRUE_LQ, SAMPLED_LQ),
        {"accidental_hits": HITS},
        {"true_logits": 0, "sampled_logits": 1, "true_log_q": 2, "sampled_log_q": 3},
        ref_sampled_softmax_loss,
        True,
        atol=1e-14,
        others={"accidental_hits": "accidental_hits"},
    ),
    Spec(
        "sampled_softmax_grad",
        sl.sampled_softmax_grad,
        (TRUE, SAMPLED, TRUE_LQ, SAMPLED_LQ),
        {"accidental_hits": HITS},
        {"true_logits": 0, "sampled_logits": 1, "true_log_q": 2, "sampled_log_q": 3},
        ref_sampled_softmax_grad,
        False,
        atol=1e-15,
        others={"accidental_hits": "accidental_hits"},
    ),
    Spec(
        "nce_logits",
        sl.nce_logits,
        (TRUE, SAMPLED, TRUE_LQ, SAMPLED_LQ),
        {},
        {"data_scores": 0, "noise_scores": 1, "data_log_q": 2, "noise_log_q": 3},
        ref_nce_logits,
        False,
        atol=1e-14,
    ),
    Spec(
        "nce_loss",
        sl.nce_loss,
        (TRUE, SAMPLED, TRUE_LQ, SAMPLED_LQ),
        {},
        {"data_scores": 0, "noise_scores": 1, "data_log_q": 2, "noise_log_q": 3},
        ref_nce_loss,
        True,
    ),
    Spec(
        "nce_grad",
        sl.nce_grad,
        (TRUE, SAMPLED, TRUE_LQ, SAMPLED_LQ),
        {},
        {"data_scores": 0, "noise_scores": 1, "data_log_q": 2, "noise_log_q": 3},
        ref_nce_grad,
        False,
    ),
    Spec(
        "negative_sampling_loss",
        sl.negative_sampling_loss,
        (TRUE, SAMPLED),
        {},
        {"pos_scores": 0, "neg_scores": 1},
        ref_negative_sampling_loss,
        True,
    ),
    Spec(
        "negative_sampling_grad",
        sl.negative_sampling_grad,
        (TRUE, SAMPLED),
        {},
        {"pos_scores": 0, "neg_scores": 1},
        ref_negative_sampling_grad,
        False,
    ),
    Spec("unigram_noise", sl.unigram_noise, (COUNTS,), {"power": 0.75}, {"counts": 0}, ref_unigram_noise, False),
    Spec(
        "shifted_pmi",
        sl.shifted_pmi,
        (TABLE, 5),
        {"power": 0.75},
        {"cooccurrence": 0},
        ref_shifted_pmi,
        False,
        atol=1e-14,
    ),
]
SPEC = {s.name: s for s in SPECS}


def with_args(spec: Spec, changes: dict, **kwargs) -> tuple[tuple, dict]:
    """The spec's call with the arguments at ``changes``' positions (or keywords) replaced."""
    args, kw = list(spec.args), {**spec.kwargs, **kwargs}
    for pos, value in changes.items():
        if isinstance(pos, int):
            args[pos] = value
        else:
            kw[pos] = value
    return tuple(args), kw


def row(spec: Spec, label: str, changes: dict, expect, **kwargs):
    args, kw = with_args(spec, changes, **kwargs)
    return pytest.param(spec.func, args, kw, expect, id=f"{spec.name}-{label}")


def value(spec: Spec, **options) -> Matches:
    options.setdefault("rtol", spec.rtol)
    options.setdefault("atol", spec.atol)
    return Matches(spec.reference, **options)


def noncontiguous(x) -> np.ndarray:
    x = np.asarray(x)
    wide = np.zeros(x.shape + (2,), dtype=x.dtype)
    wide[..., 0] = x
    return wide[..., 0]


# ----------------------------------------------------------------- rows common to the array functions


def common_rows() -> list:
    rows = []
    for spec in SPECS:
        real = spec.arrays
        rows.append(row(spec, "base", {}, value(spec)))
        rows.append(
            row(
                spec,
                "lists",
                {
                    p: np.asarray(spec.args[p] if isinstance(p, int) else spec.kwargs[p]).tolist()
                    for p in list(real.values()) + list(spec.others.values())
                },
                value(spec),
            )
        )
        rows.append(row(spec, "fortran", {p: np.asfortranarray(spec.args[p]) for p in real.values()}, value(spec)))
        rows.append(row(spec, "non-contiguous", {p: noncontiguous(spec.args[p]) for p in real.values()}, value(spec)))
        for name, pos in {**real, **spec.others}.items():
            for bad_name, bad in BAD_ARRAYS.items():
                if bad is None and name == "accidental_hits":
                    continue  # None is its default: no hits
                rows.append(row(spec, f"{name}-{bad_name}", {pos: bad}, Rejects(name)))
        for dt_name, (dt, out) in DTYPES.items():
            changes = {p: np.asarray(spec.args[p]).astype(dt) for p in real.values()}
            rows.append(
                row(
                    spec,
                    dt_name,
                    changes,
                    value(
                        spec,
                        rtol=max(RTOL[dt_name], spec.rtol),
                        dtype=out,
                        atol=spec.atol if RTOL[dt_name] < 1e-9 else 1e-3,
                    ),
                )
            )
    return rows


# The functions whose first output is per example: with one example (0-d batch) it is a numpy scalar of the dtype.
SCALAR_BATCH = {
    "hierarchical_log_prob": lambda dt: ((HIDDEN[1].astype(dt), WEIGHTS.astype(dt), TREE, np.int64(5)), {}),
    "sampled_softmax_loss": lambda dt: (
        (TRUE[0].astype(dt), SAMPLED[0].astype(dt), TRUE_LQ[0].astype(dt), SAMPLED_LQ[0].astype(dt)),
        {},
    ),
    "sampled_softmax_grad": lambda dt: ((TRUE[0].astype(dt), SAMPLED[0].astype(dt)), {"correct": False}),
    "nce_logits": lambda dt: (
        (TRUE[0].astype(dt), SAMPLED[0].astype(dt), TRUE_LQ[0].astype(dt), SAMPLED_LQ[0].astype(dt)),
        {},
    ),
    "nce_loss": lambda dt: (
        (TRUE[1].astype(dt), SAMPLED[1].astype(dt), TRUE_LQ[1].astype(dt), SAMPLED_LQ[1].astype(dt)),
        {},
    ),
    "nce_grad": lambda dt: (
        (TRUE[2].astype(dt), SAMPLED[2].astype(dt), TRUE_LQ[2].astype(dt), SAMPLED_LQ[2].astype(dt)),
        {},
    ),
    "negative_sampling_loss": lambda dt: ((TRUE[0].astype(dt), SAMPLED[0].astype(dt)), {}),
    "negative_sampling_grad": lambda dt: ((TRUE[1].astype(dt), SAMPLED[1].astype(dt)), {}),
}


def float16_overflow_rows() -> list:
    """float16 results beyond float16's range (computed in float32) come back as +-inf, silently."""
    h, big = np.float16, np.float16(60000)
    calls = {
        "nce_logits": ((big, np.full(2, big), -big, np.full(2, -big)), {}),
        "nce_loss": ((-big, np.full(2, big), h(-1), np.full(2, h(-1))), {}),
        "negative_sampling_loss": ((np.full(2, -big), np.full((2, 2), big)), {}),
        "sampled_softmax_loss": ((-big, np.full(2, big)), {"correct": False}),
        "hierarchical_log_softmax": ((np.full((2, 5), -big), TREE), {}),
        "hierarchical_log_prob": ((np.full((2, 3), big), np.full((5, 3), -big), TREE, np.array([4, 5])), {}),
        "hierarchical_log_prob_grad": ((np.full((2, 3), big), np.full((5, 3), big), TREE, np.array([4, 5])), {}),
        "shifted_pmi": ((np.full((2, 2), big), 3), {}),
    }
    return [
        pytest.param(
            SPEC[name].func,
            args,
            kwargs,
            value(SPEC[name], rtol=2e-3, atol=1e-3, dtype=np.float16),
            id=f"{name}-float16-beyond-range",
        )
        for name, (args, kwargs) in calls.items()
    ]


def scalar_rows() -> list:
    rows = []
    for name, make in SCALAR_BATCH.items():
        spec = SPEC[name]
        for dt_name, (dt, out) in DTYPES.items():
            args, kwargs = make(dt)
            tol = max(RTOL[dt_name], spec.rtol)
            rows.append(
                pytest.param(
                    spec.func,
                    args,
                    kwargs,
                    value(spec, rtol=tol, atol=spec.atol if tol < 1e-9 else 1e-3, dtype=out, scalar=True),
                    id=f"{name}-0-d-{dt_name}",
                )
            )
        rows.append(pytest.param(spec.func, *make(np.float64), value(spec, scalar=True), id=f"{name}-python-scalars"))
    # Python floats do not widen float16 (NEP 50), numpy float64 scalars do
    spec = SPEC["negative_sampling_loss"]
    rows.append(
        pytest.param(
            spec.func,
            (np.float16(1.0), [0.5, -1.0]),
            {},
            value(spec, rtol=2e-3, dtype=np.float64),
            id="negative_sampling_loss-list-widens-float16",
        )
    )
    rows.append(
        pytest.param(
            sl.nce_loss,
            (np.float16(1.0), np.zeros(2, np.float16), -1.0, np.full(2, -1.0, np.float16)),
            {},
            value(SPEC["nce_loss"], rtol=2e-3, dtype=np.float16, scalar=True),
            id="nce_loss-python-float-keeps-float16",
        )
    )
    return rows


# ----------------------------------------------------------------- by function: IEEE values, shapes, parameters


def hierarchical_rows() -> list:
    rows = []
    for name in ("hierarchical_log_softmax", "hierarchical_softmax"):
        spec = SPEC[name]
        ieee = {
            "inf": [[INF, -INF, 0.5, INF, -2.0], [-INF] * 5],
            "nan": [[NAN, 0.0, 0.0, 0.0, 0.0], [0.0, 1.0, NAN, -1.0, 2.0], [0.5, 0.5, 0.5, 0.5, 0.5]],
            "nan-beside-inf": [[INF, NAN, -INF, 1.0, 1.0]],
            "1e308": [[1e308, -1e308, 1e308, -1e308, 1e308], [-1e308] * 5],
            "5e-324": [[5e-324, -5e-324, 0.0, 5e-324, 1.0]],
            "large-finite": [[800.0, -800.0, 40.0, -40.0, 0.0]],
        }
        for label, scores in ieee.items():
            rows.append(row(spec, label, {0: np.array(scores)}, value(spec)))
        rows.append(row(spec, "empty-batch", {0: np.zeros((0, 5))}, value(spec)))
        rows.append(row(spec, "empty-batch-3d", {0: np.zeros((2, 0, 5))}, value(spec)))
        rows.append(row(spec, "one-class", {0: np.zeros((3, 0)), 1: TREE1}, value(spec)))
        rows.append(row(spec, "one-vector", {0: SCORES[0]}, value(spec)))
        rows.append(row(spec, "batch-3d", {0: np.stack([SCORES, -SCORES, 2 * SCORES])}, value(spec)))
        rows.append(row(spec, "balanced", {0: SCORES[:, :3], 1: sl.balanced_tree(4)}, value(spec)))
        rows.append(
            row(spec, "chain-tree", {0: np.linspace(-3, 3, 19), 1: sl.huffman_tree(2.0 ** -np.arange(20))}, value(spec))
        )
        rows.append(row(spec, "0-d", {0: np.float64(1.0)}, Rejects("node_scores")))
        rows.append(row(spec, "wrong-length", {0: np.zeros((2, 4))}, Rejects("node_scores")))
        rows += tree_argument_rows(spec, 1)
    for name in ("hierarchical_log_prob", "hierarchical_log_prob_grad"):
        spec = SPEC[name]
        ieee = {
            "inf-hidden": {0: np.array([[INF, 0.0, 1.0], [1.0, 1.0, 1.0], [-INF, 0.0, 0.0], [0.5, 0.5, 0.5]])},
            "nan-hidden": {0: np.array([[NAN, 0.0, 1.0], [1.0, 1.0, 1.0], [0.0, 0.0, 0.0], [0.5, 0.5, 0.5]])},
            "inf-weights": {1: np.where(np.arange(15).reshape(5, 3) == 4, INF, WEIGHTS)},
            "nan-weights": {1: np.where(np.arange(15).reshape(5, 3) == 7, NAN, WEIGHTS)},
            "1e308": {0: HIDDEN * 5e307, 1: WEIGHTS},
            "1e308-both": {
                0: np.array([[1e300], [1e300], [-1e300], [1.0]]),
                1: np.array([[1e300], [1.0], [-1e300], [1e308], [2.0]]),
            },
            "partial-overflow": {
                0: np.array([[1e308, 1e308, -1e308]] * 4),
                1: np.array([[1.0, 1.0, 1.0], [1.0, -1.0, 1.0], [1.0, 1.0, -1.0], [0.5, 0.5, 1.0], [-1.0, 1.0, 1.0]]),
            },
            "5e-324": {0: np.full((4, 3), 5e-324), 1: np.full((5, 3), 5e-324)},
        }
        for label, changes in ieee.items():
            rows.append(row(spec, label, changes, value(spec)))
        rows.append(row(spec, "empty-batch", {0: np.zeros((0, 3)), 3: np.zeros(0, int)}, value(spec)))
        rows.append(row(spec, "no-features", {0: np.zeros((4, 0)), 1: np.zeros((5, 0))}, value(spec)))
        rows.append(
            row(spec, "one-class", {0: HIDDEN, 1: np.zeros((0, 3)), 2: TREE1, 3: np.zeros(4, int)}, value(spec))
        )
        rows.append(row(spec, "batch-3d", {0: HIDDEN.reshape(2, 2, 3), 3: LABELS.reshape(2, 2)}, value(spec)))
        rows.append(row(spec, "uint-labels", {3: LABELS.astype(np.uint8)}, value(spec)))
        rows.append(row(spec, "hidden-0-d", {0: np.float64(1.0), 3: np.int64(0)}, Rejects("hidden")))
        rows.append(row(spec, "weights-shape", {1: WEIGHTS[:, :2]}, Rejects("node_weights")))
        rows.append(row(spec, "weights-rows", {1: WEIGHTS[:4]}, Rejects("node_weights")))
        rows.append(row(spec, "weights-1d", {1: WEIGHTS[0]}, Rejects("node_weights")))
        rows.append(row(spec, "labels-shape", {3: LABELS[:3]}, Rejects("labels")))
        rows.append(row(spec, "labels-float", {3: LABELS.astype(float)}, Rejects("labels")))
        rows.append(row(spec, "labels-bool", {3: LABELS > 2}, Rejects("labels")))
        rows.append(row(spec, "labels-too-large", {3: np.array([0, 6, 1, 1])}, Rejects("labels")))
        rows.append(row(spec, "labels-negative", {3: np.array([0, -1, 1, 1])}, Rejects("labels")))
        rows += tree_argument_rows(spec, 2)
    return rows


def tree_argument_rows(spec: Spec, pos: int) -> list:
    bad_children = np.array(TREE.children)
    bad_children[[1, 2]] = bad_children[[2, 1]]  # the path tables no longer match
    cycle = np.array([[1, -1], [2, -2], [1, -3]])  # node 1 and 2 point at each other
    t4 = sl.balanced_tree(4)
    rows = [
        row(spec, "tree-None", {pos: None}, Rejects("tree")),
        row(spec, "tree-str", {pos: "tree"}, Rejects("tree")),
        row(spec, "tree-int", {pos: 6}, Rejects("tree")),
        row(spec, "tree-children-array", {pos: TREE.children}, Rejects("tree")),
        row(
            spec,
            "tree-inconsistent",
            {pos: BinaryTree(bad_children, TREE.nodes, TREE.signs, TREE.depths)},
            Rejects("tree"),
        ),
        row(spec, "tree-cycle", {pos: BinaryTree(cycle, t4.nodes, t4.signs, t4.depths)}, Rejects("tree")),
        row(spec, "tree-lists", {pos: BinaryTree([[1, -1]], [[0]], [[1.0]], [1])}, Rejects("tree")),
        row(
            spec,
            "tree-other-size",
            {pos: sl.balanced_tree(3)},
            Rejects("node_" if "softmax" in spec.name else "node_weights"),
        ),
    ]
    return rows


def check_balanced(tree, n_classes):
    k = int(n_classes)

    def depths(n):  # the recursive halving the docstring states: the left half gets the extra class
        return [0] if n == 1 else [d + 1 for d in depths((n + 1) // 2)] + [d + 1 for d in depths(n // 2)]

    assert isinstance(tree, BinaryTree) and tree.n_classes == k and tree.n_internal == k - 1
    paths = paths_from_children(tree)
    assert [len(p) for p in paths] == depths(k) == tree.depths.tolist()
    for cls, path in enumerate(paths):  # the path tables agree with the children table
        assert tree.nodes[cls, : len(path)].tolist() == [n for n, _ in path]
        assert tree.signs[cls, : len(path)].tolist() == [float(c) for _, c in path]
    codes = tree.codes
    assert sum(Fraction(1, 2 ** len(c)) for c in codes) == 1  # a full binary tree: Kraft equality
    assert not any(a != b and b.startswith(a) for a in codes for b in codes)  # prefix-free
    assert codes == sorted(codes)  # class order kept left to right


def check_huffman(tree, frequencies):
    f = [Fraction(float(v)) for v in np.asarray(frequencies, dtype=np.float64)]
    heap = list(f)  # the optimal cost sum_k f_k L_k, merged exactly with a heap
    heapq.heapify(heap)
    optimal = Fraction(0)
    while len(heap) > 1:
        a, b = heapq.heappop(heap), heapq.heappop(heap)
        optimal += a + b
        heapq.heappush(heap, a + b)
    paths = paths_from_children(tree)
    assert [len(p) for p in paths] == tree.depths.tolist()
    assert sum(fk * len(p) for fk, p in zip(f, paths)) == optimal
    if len(f) > 1:
        assert sum(Fraction(1, 2 ** len(p)) for p in paths) == 1


def tree_rows() -> list:
    rows = []
    for n in (1, 2, 3, 5, 8, 16, 37, np.int64(6), np.array(7), np.uint8(9)):
        rows.append(
            pytest.param(
                sl.balanced_tree, (n,), {}, Holds(check_balanced), id=f"balanced_tree-{int(n)}-{type(n).__name__}"
            )
        )
    bad_n = {
        "0": 0,
        "negative": -3,
        "float": 2.5,
        "float-integral": 4.0,
        "nan": NAN,
        "inf": INF,
        "bool": True,
        "str": "4",
        "None": None,
        "10**400": 10**400,
        "2**32+1": 2**32 + 1,
        "array": np.array([4]),
        "complex": 4 + 0j,
    }
    for label, n in bad_n.items():
        rows.append(pytest.param(sl.balanced_tree, (n,), {}, Rejects("n_classes"), id=f"balanced_tree-{label}"))
    good_f = {
        "textbook": [45, 13, 12, 16, 9, 5],
        "one": [3.0],
        "zeros": [0.0, 4.0, 0.0, 1.0, 2.0],
        "ties": [1, 1, 1, 1, 1],
        "1e308": [1e308, 1e308, 1e308, 1e308, 5e307],
        "1e308-and-tiny": [1e308, 1e308, 1e-300, 5e-324, 1.0],
        "5e-324": [5e-324, 5e-324, 1e-323],
        "powers-of-two": 2.0 ** -np.arange(20),
        "list": [3, 1, 4, 1, 5, 9, 2, 6],
        "non-contiguous": noncontiguous([3.0, 1.0, 4.0, 1.0, 5.0]),
        "bool": [True, False, True],
    }
    for label, f in good_f.items():
        rows.append(pytest.param(sl.huffman_tree, (f,), {}, Holds(check_huffman), id=f"huffman_tree-{label}"))
    for dt_name, (dt, _) in DTYPES.items():
        f = np.array([45, 13, 12, 16, 9, 5]).astype(dt)
        rows.append(pytest.param(sl.huffman_tree, (f,), {}, Holds(check_huffman), id=f"huffman_tree-{dt_name}"))
    bad_f = {
        "empty": [],
        "0-d": np.float64(3.0),
        "2-d": [[1.0, 2.0]],
        "negative": [1.0, -1.0],
        "nan": [1.0, NAN],
        "inf": [1.0, INF],
        "all-zero": [0.0, 0.0],
        "longdouble-beyond-float64": np.array([1.0, 1e400], np.longdouble)
        if np.finfo(np.longdouble).max > 1e400
        else [1.0, INF],
    }
    for label, f in {**bad_f, **BAD_ARRAYS}.items():
        rows.append(pytest.param(sl.huffman_tree, (f,), {}, Rejects("frequencies"), id=f"huffman_tree-{label}"))
    return rows


def sampled_rows() -> list:
    rows = []
    for name in ("sampled_softmax_loss", "sampled_softmax_grad"):
        spec = SPEC[name]
        s = SAMPLED
        ieee = {
            "true-minus-inf": {0: np.array([-INF, 0.0, 1.0])},
            "sampled-plus-inf": {1: np.where(np.arange(12).reshape(3, 4) == 5, INF, s)},
            "true-and-sampled-plus-inf": {
                0: np.array([INF, INF, 0.0]),
                1: np.where(np.arange(12).reshape(3, 4) % 5 == 0, INF, s),
            },
            "all-minus-inf": {0: np.array([-INF, 0.0, 0.0]), 1: np.where(np.arange(12).reshape(3, 4) < 4, -INF, s)},
            "nan": {1: np.where(np.arange(12).reshape(3, 4) == 6, NAN, s)},
            "nan-beside-inf": {0: np.array([INF, 0.0, 0.0]), 1: np.where(np.arange(12).reshape(3, 4) == 1, NAN, s)},
            "log-q-minus-inf": {
                2: np.array([-INF, -1.0, -1.0]),
                3: np.where(np.arange(12).reshape(3, 4) == 9, -INF, SAMPLED_LQ),
            },
            "minus-inf-minus-minus-inf": {0: np.array([-INF, 0.0, 0.0]), 2: np.array([-INF, -1.0, -1.0])},
            "1e308": {0: TRUE * 2.5e307, 1: SAMPLED * 2.5e307},
            "1e308-log-q": {2: np.full(3, -1e308), 3: np.full((3, 4), -1e308)},
            "5e-324": {0: np.full(3, 5e-324), 1: np.full((3, 4), -5e-324)},
            "large-finite": {
                0: np.array([800.0, -800.0, 0.0]),
                1: np.array([[-800.0] * 4, [800.0] * 4, [0.0, 700.0, -700.0, 1.0]]),
            },
        }
        for label, changes in ieee.items():
            rows.append(row(spec, label, changes, value(spec)))
        rows.append(row(spec, "uncorrected", {}, value(spec), correct=False))
        rows.append(
            row(
                spec,
                "uncorrected-ignores-log-q",
                {2: "junk", 3: None},
                value(spec),
                correct=False,
                accidental_hits=None,
            )
        )
        rows.append(row(spec, "no-hits", {}, value(spec), accidental_hits=None))
        rows.append(row(spec, "m-0", {1: np.zeros((3, 0)), 3: np.zeros((3, 0))}, value(spec), accidental_hits=None))
        rows.append(
            row(
                spec,
                "empty-batch",
                {0: np.zeros(0), 1: np.zeros((0, 4)), 2: np.zeros(0), 3: np.zeros((0, 4))},
                value(spec),
                accidental_hits=np.zeros((0, 4), bool),
            )
        )
        rows.append(
            row(
                spec,
                "batch-3d",
                {0: np.zeros((2, 3)), 1: np.ones((2, 3, 2)), 2: np.full((2, 3), -1.0), 3: np.full((2, 3, 2), -2.0)},
                value(spec),
                accidental_hits=None,
            )
        )
        rows.append(row(spec, "sampled-0-d", {1: np.float64(1.0)}, Rejects("sampled_logits"), accidental_hits=None))
        rows.append(row(spec, "sampled-shape", {1: SAMPLED[:2]}, Rejects("sampled_logits")))
        rows.append(row(spec, "true-log-q-shape", {2: TRUE_LQ[:2]}, Rejects("true_log_q")))
        rows.append(row(spec, "sampled-log-q-shape", {3: SAMPLED_LQ[:, :3]}, Rejects("sampled_log_q")))
        rows.append(row(spec, "true-log-q-positive", {2: np.array([0.5, -1.0, -1.0])}, Rejects("true_log_q")))
        rows.append(row(spec, "sampled-log-q-positive", {3: np.abs(SAMPLED_LQ)}, Rejects("sampled_log_q")))
        rows.append(row(spec, "sampled-log-q-inf", {3: np.full((3, 4), INF)}, Rejects("sampled_log_q")))
        rows.append(row(spec, "true-log-q-missing", {2: None}, Rejects("true_log_q")))
        rows.append(row(spec, "hits-int", {}, Rejects("accidental_hits"), accidental_hits=HITS.astype(int)))
        rows.append(row(spec, "hits-shape", {}, Rejects("accidental_hits"), accidental_hits=HITS[:2]))
        for label, bad in {"int": 1, "str": "yes", "None": None, "array": np.array([True]), "float": 1.0}.items():
            rows.append(row(spec, f"correct-{label}", {}, Rejects("correct"), correct=bad))
    return rows


def nce_rows() -> list:
    rows = []
    for name in ("nce_logits", "nce_loss", "nce_grad"):
        spec = SPEC[name]
        ieee = {
            "inf-scores": {0: np.array([INF, -INF, 0.0]), 1: np.where(np.arange(12).reshape(3, 4) % 3 == 0, INF, -INF)},
            "nan": {0: np.array([NAN, 0.0, 0.0]), 1: np.where(np.arange(12).reshape(3, 4) == 6, NAN, SAMPLED)},
            "log-q-minus-inf": {
                2: np.array([-INF, -1.0, -1.0]),
                3: np.where(np.arange(12).reshape(3, 4) == 9, -INF, SAMPLED_LQ),
            },
            "inf-minus-minus-inf": {0: np.array([-INF, 0.0, 0.0]), 2: np.array([-INF, -1.0, -1.0])},
            "1e308": {0: TRUE * 2.5e307, 1: SAMPLED * 2.5e307, 2: np.full(3, -1e308), 3: np.full((3, 4), -1e308)},
            "sum-beyond-range": {0: np.full(3, -1e308), 1: np.full((3, 4), 1e308)},
            "5e-324": {0: np.full(3, 5e-324), 1: np.full((3, 4), -5e-324), 2: np.full(3, -5e-324)},
            "large-finite": {
                0: np.array([800.0, -800.0, 40.0]),
                1: np.array([[-800.0] * 4, [800.0] * 4, [0.0, 700.0, -700.0, 1.0]]),
            },
        }
        for label, changes in ieee.items():
            rows.append(row(spec, label, changes, value(spec)))
        rows.append(row(spec, "k-1", {1: SAMPLED[:, :1], 3: SAMPLED_LQ[:, :1]}, value(spec)))
        rows.append(
            row(
                spec,
                "empty-batch",
                {0: np.zeros(0), 1: np.zeros((0, 4)), 2: np.zeros(0), 3: np.zeros((0, 4))},
                value(spec),
            )
        )
        rows.append(
            row(
                spec,
                "batch-3d",
                {0: np.zeros((2, 3)), 1: np.ones((2, 3, 2)), 2: np.full((2, 3), -1.0), 3: np.full((2, 3, 2), -2.0)},
                value(spec),
            )
        )
        rows.append(row(spec, "k-0", {1: np.zeros((3, 0)), 3: np.zeros((3, 0))}, Rejects("noise_scores")))
        rows.append(row(spec, "noise-0-d", {1: np.float64(0.0), 3: np.float64(0.0)}, Rejects("noise_scores")))
        rows.append(row(spec, "noise-shape", {1: SAMPLED[:2]}, Rejects("noise_scores")))
        rows.append(row(spec, "data-log-q-shape", {2: TRUE_LQ[:2]}, Rejects("data_log_q")))
        rows.append(row(spec, "noise-log-q-shape", {3: SAMPLED_LQ[:, :3]}, Rejects("noise_log_q")))
        rows.append(row(spec, "data-log-q-positive", {2: np.array([-1.0, 0.25, -1.0])}, Rejects("data_log_q")))
        rows.append(row(spec, "noise-log-q-positive", {3: -SAMPLED_LQ}, Rejects("noise_log_q")))
        rows.append(row(spec, "noise-log-q-plus-inf", {3: np.full((3, 4), INF)}, Rejects("noise_log_q")))
    return rows


def negative_sampling_rows() -> list:
    rows = []
    for name in ("negative_sampling_loss", "negative_sampling_grad"):
        spec = SPEC[name]
        ieee = {
            "inf": {0: np.array([INF, -INF, 0.0]), 1: np.where(np.arange(12).reshape(3, 4) % 3 == 0, INF, -INF)},
            "nan": {0: np.array([NAN, 0.0, 0.0]), 1: np.where(np.arange(12).reshape(3, 4) == 6, NAN, SAMPLED)},
            "1e308": {0: TRUE * 2.5e307, 1: SAMPLED * 2.5e307},
            "sum-beyond-range": {0: np.full(3, -1e308), 1: np.full((3, 4), 1e308)},
            "5e-324": {0: np.full(3, 5e-324), 1: np.full((3, 4), -5e-324)},
            "large-finite": {
                0: np.array([800.0, -800.0, 40.0]),
                1: np.array([[-800.0] * 4, [800.0] * 4, [0.0, 700.0, -700.0, 1.0]]),
            },
        }
        for label, changes in ieee.items():
            rows.append(row(spec, label, changes, value(spec)))
        rows.append(row(spec, "k-0", {1: np.zeros((3, 0))}, value(spec)))
        rows.append(row(spec, "empty-batch", {0: np.zeros(0), 1: np.zeros((0, 4))}, value(spec)))
        rows.append(row(spec, "batch-3d", {0: np.zeros((2, 3)), 1: np.ones((2, 3, 2))}, value(spec)))
        rows.append(row(spec, "neg-0-d", {1: np.float64(0.0)}, Rejects("neg_scores")))
        rows.append(row(spec, "neg-shape", {1: SAMPLED[:2]}, Rejects("neg_scores")))
    spec = SPEC["unigram_noise"]
    good = {
        "power-1": ({}, {"power": 1.0}),
        "power-0": ({}, {"power": 0.0}),
        "power-int": ({}, {"power": 2}),
        "power-numpy": ({}, {"power": np.float32(0.5)}),
        "power-0-d-array": ({}, {"power": np.array(0.5)}),
        "power-1000": ({0: [2.0, 3.0]}, {"power": 1000.0}),
        "power-1e308": ({0: [1e10, 1e11, 1e11, 0.0]}, {"power": 1e308}),
        "1e200-squared": ({0: [1e200, 1e100]}, {"power": 2.0}),
        "1e308": ({0: [1e308, 1e308, 1.0]}, {"power": 1.0}),
        "tiny-counts": ({0: [5e-324, 5e-324, 1e-300]}, {"power": 2.0}),
        "tiny-and-huge": ({0: [1e-300, 1e300]}, {"power": 0.001}),
        "one-count": ({0: [7.0]}, {}),
        "int-counts": ({0: [90, 9, 1]}, {}),
        "bool-counts": ({0: [True, False, True]}, {}),
    }
    for label, (changes, kwargs) in good.items():
        rows.append(row(spec, label, changes, value(spec), **kwargs))
    rows.append(row(spec, "all-zero", {0: [0.0, 0.0]}, Rejects("counts")))
    rows.append(row(spec, "negative", {0: [1.0, -1.0]}, Rejects("counts")))
    rows.append(row(spec, "nan", {0: [1.0, NAN]}, Rejects("counts")))
    rows.append(row(spec, "inf", {0: [1.0, INF]}, Rejects("counts")))
    rows.append(row(spec, "empty", {0: []}, Rejects("counts")))
    rows.append(row(spec, "0-d", {0: np.float64(3.0)}, Rejects("counts")))
    rows.append(row(spec, "2-d", {0: [[1.0, 2.0]]}, Rejects("counts")))
    rows += power_rows(spec)
    spec = SPEC["shifted_pmi"]
    good = {
        "power-1": ({}, {"power": 1.0}),
        "power-0": ({}, {"power": 0.0}),
        "k-1": ({1: 1}, {}),
        "k-numpy": ({1: np.int64(3)}, {}),
        "k-10**30": ({1: 10**30}, {}),
        "k-10**400": ({1: 10**400}, {}),
        "zero-column": ({0: [[1.0, 0.0, 2.0], [3.0, 0.0, 1.0]]}, {}),
        "zero-column-power-0": ({0: [[1.0, 0.0, 2.0], [3.0, 0.0, 1.0]]}, {"power": 0.0}),
        "1e308": ({0: np.full((2, 2), 1e308)}, {}),
        "1e308-power-1": ({0: [[1e308, 1e308, 1.0], [1.0, 1e308, 1e308]]}, {"power": 1.0}),
        "1e308-and-tiny": ({0: [[1e308, 1e-300], [1e-300, 5e-324]]}, {"power": 1.0}),
        "5e-324": ({0: np.full((2, 3), 5e-324)}, {}),
        "power-100": ({0: [[1.0, 2.0], [3.0, 1.0]]}, {"power": 100.0}),
        "int-counts": ({0: TABLE.astype(int)}, {}),
        "one-cell": ({0: [[4.0]]}, {}),
    }
    for label, (changes, kwargs) in good.items():
        tol = {"1e308-and-tiny": dict(rtol=1e-12, atol=1e-12)}.get(
            label, {}
        )  # logs of 1e-300 / 1e308: see the docstring
        rows.append(row(spec, label, changes, value(spec, **tol), **kwargs))
    rows.append(row(spec, "zero-row", {0: [[1.0, 1.0], [0.0, 0.0]]}, Rejects("cooccurrence")))
    rows.append(row(spec, "negative", {0: [[1.0, -1.0]]}, Rejects("cooccurrence")))
    rows.append(row(spec, "nan", {0: [[1.0, NAN]]}, Rejects("cooccurrence")))
    rows.append(row(spec, "inf", {0: [[1.0, INF]]}, Rejects("cooccurrence")))
    rows.append(row(spec, "1-d", {0: [1.0, 2.0]}, Rejects("cooccurrence")))
    rows.append(row(spec, "empty", {0: np.zeros((0, 3))}, Rejects("cooccurrence")))
    rows.append(row(spec, "0-d", {0: np.float64(1.0)}, Rejects("cooccurrence")))
    for label, k in {
        "0": 0,
        "negative": -2,
        "float": 2.0,
        "nan": NAN,
        "inf": INF,
        "bool": True,
        "str": "5",
        "None": None,
        "array": np.array([5]),
        "10**400-negative": -(10**400),
    }.items():
        rows.append(row(spec, f"k-{label}", {1: k}, Rejects("k")))
    rows += power_rows(spec)
    return rows


def power_rows(spec: Spec) -> list:
    bad = {
        "negative": -0.5,
        "nan": NAN,
        "inf": INF,
        "bool": True,
        "str": "1",
        "None": None,
        "10**400": 10**400,
        "array": np.array([0.75]),
        "complex": 1j,
    }
    return [row(spec, f"power-{label}", {}, Rejects("power"), power=p) for label, p in bad.items()]


CASES = (
    common_rows()
    + float16_overflow_rows()
    + scalar_rows()
    + hierarchical_rows()
    + tree_rows()
    + sampled_rows()
    + nce_rows()
    + negative_sampling_rows()
)


@pytest.mark.parametrize(("func", "args", "kwargs", "expect"), CASES)
def test_rules(func, args, kwargs, expect):
    if isinstance(expect, Rejects):
        assert_rejects(func, args, kwargs, names=expect.names)
        return
    got = func(*args, **kwargs)
    if isinstance(expect, Holds):
        expect.check(got, *args, **kwargs)
    else:
        expect.check(got, args, kwargs)


# --------------------------------------------------------------------------- inputs unmodified, memory


@pytest.mark.parametrize("layout", ["float64", "fortran-float16", "longdouble-with-nan"])
@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
def test_inputs_unmodified(spec, layout):
    positions = list(spec.arrays.values()) + list(spec.others.values())
    arrays = []
    for p in positions:
        a = np.array(spec.args[p] if isinstance(p, int) else spec.kwargs[p])
        if p in spec.arrays.values() and layout == "fortran-float16":
            a = np.asfortranarray(a.astype(np.float16))
        elif (
            p in spec.arrays.values()
            and layout == "longdouble-with-nan"
            and spec.name not in ("unigram_noise", "shifted_pmi")
        ):
            a = a.astype(np.longdouble)
            a.reshape(-1)[0] = np.nan
        arrays.append(a)

    def call(*given):
        args, kwargs = with_args(spec, dict(zip(positions, given)))
        return spec.func(*args, **kwargs)

    call.__name__ = spec.name
    assert_unmodified(call, *arrays)


ROWS, COLS = 10_000, 1_000  # 80 MB of float64


@functools.cache
def _large(seed):
    x = np.random.default_rng(seed).normal(size=(ROWS, COLS))
    x.setflags(write=False)
    return x


MEMORY = {
    # name: (arguments, bytes of the reference: the output, or the input for reductions)
    "hierarchical_log_softmax": lambda x: ((x, sl.balanced_tree(COLS + 1)), x.nbytes),
    "hierarchical_softmax": lambda x: ((x, sl.balanced_tree(COLS + 1)), x.nbytes),
    "hierarchical_log_prob": lambda x: (
        (x, np.ones((1023, COLS)), sl.balanced_tree(1024), np.arange(ROWS) % 1024),
        x.nbytes,
    ),
    "hierarchical_log_prob_grad": lambda x: (
        (x, np.ones((1023, COLS)), sl.balanced_tree(1024), np.arange(ROWS) % 1024),
        x.nbytes,
    ),
    "sampled_softmax_loss": lambda x: ((x[:, 0], x, np.full(ROWS, -1.0), np.full(x.shape, -2.0)), x.nbytes),
    "sampled_softmax_grad": lambda x: ((x[:, 0], x, np.full(ROWS, -1.0), np.full(x.shape, -2.0)), x.nbytes),
    "nce_logits": lambda x: ((x[:, 0], x, np.full(ROWS, -1.0), np.full(x.shape, -2.0)), x.nbytes),
    "nce_loss": lambda x: ((x[:, 0], x, np.full(ROWS, -1.0), np.full(x.shape, -2.0)), x.nbytes),
    "nce_grad": lambda x: ((x[:, 0], x, np.full(ROWS, -1.0), np.full(x.shape, -2.0)), x.nbytes),
    "negative_sampling_loss": lambda x: ((x[:, 0], x), x.nbytes),
    "negative_sampling_grad": lambda x: ((x[:, 0], x), x.nbytes),
    "unigram_noise": lambda x: ((np.abs(x.reshape(-1)),), x.nbytes),
    "shifted_pmi": lambda x: ((np.abs(x) + 1.0, 5), x.nbytes),
}


@pytest.mark.parametrize("name", list(MEMORY))
def test_memory(name):
    """Peak extra memory on 10^4 x 10^3 float64: at most twice the output (the input, for a reduction)."""
    args, reference = MEMORY[name](_large(0))
    result, extra = peak_extra_bytes(SPEC[name].func, *args)
    assert extra <= 2 * reference, f"{name}: {extra / 1e6:.1f} MB extra, against {reference / 1e6:.1f} MB"


# --------------------------------------------------------------------------- found by an adversarial review


def test_found_unigram_noise_huge_power_is_not_nan():
    got = sl.unigram_noise([2, 3], power=1000.0)  # gave [0, nan]: 3 ** 1000 overflowed
    assert_close(got, ref_unigram_noise([2, 3], 1000.0), 1e-12)
    assert got[1] == 1.0 and 0 < got[0] < 1e-175


def test_found_unigram_noise_large_counts_are_not_nan():
    got = sl.unigram_noise([1e200, 1e100], 2.0)  # gave [nan, 0]: 1e400 overflowed
    assert_close(got, ref_unigram_noise([1e200, 1e100], 2.0), 1e-12)


def test_found_hierarchical_gradient_of_an_overflowing_score_is_not_nan():
    # the score 1e300 * 1e300 overflows; 0 * sigmoid(nan) in the padding gave nan gradients
    args = ([1e300], [[1e300], [1.0]], sl.huffman_tree([5, 1, 1]), 0)
    grad_h, grad_w = sl.hierarchical_log_prob_grad(*args)
    ref_h, ref_w = ref_hierarchical_log_prob_grad(*args)
    assert_close(grad_h, ref_h, 1e-12)
    assert_close(grad_w, ref_w, 1e-12)
    assert np.all(np.isfinite(grad_h)) and np.all(np.isfinite(grad_w))


@pytest.mark.parametrize(
    "call",
    [
        lambda dt: sl.nce_logits(dt(0), np.zeros(2, dt), dt(-1), np.full(2, -1, dt)),
        lambda dt: sl.nce_loss(dt(0), np.zeros(2, dt), dt(-1), np.full(2, -1, dt)),
        lambda dt: sl.nce_grad(dt(0), np.zeros(2, dt), dt(-1), np.full(2, -1, dt)),
        lambda dt: sl.sampled_softmax_loss(dt(1), np.zeros(2, dt), correct=False),
        lambda dt: sl.sampled_softmax_grad(dt(1), np.zeros(2, dt), dt(-1), np.full(2, -1, dt)),
        lambda dt: sl.negative_sampling_loss(dt(0), np.zeros(2, dt)),
        lambda dt: sl.negative_sampling_grad(dt(0), np.zeros(2, dt)),
        lambda dt: sl.hierarchical_log_prob(np.ones(2, dt), np.ones((1, 2), dt), sl.balanced_tree(2), 0),
        lambda dt: sl.hierarchical_log_prob_grad(np.ones(2, dt), np.ones((1, 2), dt), sl.balanced_tree(2), 0),
    ],
    ids=[
        "nce_logits",
        "nce_loss",
        "nce_grad",
        "sampled_softmax_loss",
        "sampled_softmax_grad",
        "negative_sampling_loss",
        "negative_sampling_grad",
        "hierarchical_log_prob",
        "hierarchical_log_prob_grad",
    ],
)
@pytest.mark.parametrize("dt", [np.float16, np.longdouble], ids=["float16", "longdouble"])
def test_found_results_keep_float16_and_long_double_and_0d_is_a_numpy_scalar(call, dt):
    # float16 came back as float32, long double as float64, and a 0-d result as a 0-d array
    results = call(dt)
    for r in results if isinstance(results, tuple) else (results,):
        assert r.dtype == np.dtype(dt)
        assert r.ndim > 0 or isinstance(r, np.generic)


def test_found_sampled_softmax_loss_of_a_float16_scalar_is_a_float16_scalar():
    loss = sl.sampled_softmax_loss(np.float16(1), np.zeros(2, np.float16), correct=False)
    assert type(loss) is np.float16
    assert_close(loss, ref_sampled_softmax_loss(1.0, np.zeros(2), correct=False), 2e-3)


def test_found_shifted_pmi_huge_k_is_computed():
    # np.log(10**30) raised a TypeError from numpy
    n = np.ones((2, 2))
    assert_close(sl.shifted_pmi(n, 10**30), ref_shifted_pmi(n, 10**30), 1e-12)


def test_found_unigram_noise_power_beyond_float_names_power():
    # 10**400 reached np.isfinite and raised its TypeError
    assert_rejects(sl.unigram_noise, ([1, 2],), {"power": 10**400}, names="power")


def test_found_shifted_pmi_of_counts_near_the_float_maximum():
    # the column sums overflowed and the error said "counts must be finite"
    table = [[1e308] * 2] * 2
    got = sl.shifted_pmi(table, 1)
    assert_close(got, ref_shifted_pmi(table, 1), 0, atol=1e-15)  # x = 0 exactly, by symmetry
    with pytest.raises(ValueError, match="cooccurrence"):
        sl.shifted_pmi([[1e308, INF], [1.0, 1.0]], 1)
