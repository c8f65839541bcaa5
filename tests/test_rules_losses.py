"""Rules table of the group "losses": softmaxlab.core, losses, smoothmax, derivatives and gradcheck.

Every covered function is walked through the inputs the library's rules name
(CONTRIBUTING.md, section 3): bad array-likes and dtypes, every float dtype,
layouts, 0-d and empty input, bad axes, temperatures and parameters,
IEEE special values and extremes, mismatched shapes; the memory it takes on a
large input and whether it leaves its inputs alone. Values are compared with
references computed here independently, from the textbook formulas in mpmath
at 400 digits (enough to resolve ``1 - p`` down to the smallest subnormal), with
the documented semantics of infinities and nan; errors with
``rules_support.assert_rejects``. Bugs found before are the named tests at
the end.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import mpmath
import numpy as np
import pytest

from rules_support import (
    BAD_ARRAYS,
    DTYPES,
    assert_rejects,
    assert_unmodified,
    peak_extra_bytes,
)
from softmaxlab import (
    binary_cross_entropy_with_logits,
    check_gradient,
    cross_entropy,
    cross_entropy_grad,
    entropy,
    hardmax,
    kl_divergence,
    log_softmax,
    logsumexp,
    numerical_gradient,
    numerical_jacobian,
    smooth_min,
    softmax,
    softmax_hessian,
    softmax_jacobian,
    softmax_jvp,
    softmax_squared_error,
    softmax_squared_error_grad,
    softmax_vjp,
    softmin,
)

COVERED = {
    "softmax", "log_softmax", "logsumexp",
    "entropy", "kl_divergence", "cross_entropy", "cross_entropy_grad", "binary_cross_entropy_with_logits",
    "softmax_squared_error", "softmax_squared_error_grad",
    "hardmax", "softmin", "smooth_min",
    "softmax_jacobian", "softmax_jvp", "softmax_vjp", "softmax_hessian",
    "numerical_jacobian", "numerical_gradient", "check_gradient",
}

INF, NAN = math.inf, math.nan
DIGITS = 400  # mpmath precision of the references


# --------------------------------------------------------------------------- references (mpmath, textbook formulas)


def _mp(v: float) -> mpmath.mpf:
    return mpmath.mpf(float(v))


def mp_softmax(x, temperature=1.0) -> list:
    """softmax of a 1-d slice as mpf numbers, with the documented special values:
    nan anywhere or all -inf gives nan, +inf entries share the mass, -inf entries get 0."""
    x = [float(v) for v in x]
    if any(math.isnan(v) for v in x) or all(v == -INF for v in x):
        return [mpmath.mpf("nan")] * len(x)
    if INF in x:
        return [mpmath.mpf(1) / x.count(INF) if v == INF else mpmath.mpf(0) for v in x]
    m = max(x)
    with mpmath.workdps(DIGITS):  # exp((x - m) / T): the same ratios, without astronomically large numbers
        e = [mpmath.exp((_mp(v) - _mp(m)) / _mp(temperature)) if v != -INF else mpmath.mpf(0) for v in x]
        total = mpmath.fsum(e)
        return [a / total for a in e]


def mp_logsumexp(x, temperature=1.0):
    x = [float(v) for v in x]
    if any(math.isnan(v) for v in x):
        return mpmath.mpf("nan")
    if INF in x:
        return mpmath.mpf("inf")
    if not x or all(v == -INF for v in x):
        return mpmath.mpf("-inf")
    m, t = _mp(max(x)), _mp(temperature)
    with mpmath.workdps(DIGITS):
        return m + t * mpmath.log(mpmath.fsum(mpmath.exp((_mp(v) - m) / t) for v in x if v != -INF))


def mp_log_softmax(x, temperature=1.0) -> list:
    x = [float(v) for v in x]
    if any(math.isnan(v) for v in x) or all(v == -INF for v in x):
        return [mpmath.mpf("nan")] * len(x)
    if INF in x:
        return [-mpmath.log(x.count(INF)) if v == INF else mpmath.mpf("-inf") for v in x]
    with mpmath.workdps(DIGITS):
        lse = mp_logsumexp(x, temperature) / _mp(temperature)
        return [_mp(v) / _mp(temperature) - lse if v != -INF else mpmath.mpf("-inf") for v in x]


def mp_jacobian(x, temperature=1.0) -> list:
    p = mp_softmax(x, temperature)
    with mpmath.workdps(DIGITS):
        return [[p[i] * ((1 if i == j else 0) - p[j]) / _mp(temperature) for j in range(len(p))] for i in range(len(p))]


def _floats(values) -> np.ndarray:
    with mpmath.workdps(DIGITS):
        return np.array([float(v) for v in values], dtype=float)


def along(ref: Callable, x: np.ndarray, axis, *, reduce: bool = False) -> np.ndarray:
    """Apply a 1-d reference to every slice of ``x`` along ``axis`` (None: the whole array)."""
    x = np.asarray(x, dtype=float)
    if axis is None:
        out = np.asarray(ref(x.reshape(-1)))
        return out.reshape(()) if reduce else out.reshape(x.shape)
    moved = np.moveaxis(x, axis, -1)
    rows = [np.asarray(ref(r)) for r in moved.reshape(-1, moved.shape[-1])]
    if reduce:
        return np.array(rows, dtype=float).reshape(moved.shape[:-1])
    return np.moveaxis(np.array(rows, dtype=float).reshape(moved.shape), -1, axis)


def ref_softmax(x, axis=-1, temperature=1.0):
    return along(lambda r: _floats(mp_softmax(r, temperature)), x, axis)


def ref_log_softmax(x, axis=-1, temperature=1.0):
    return along(lambda r: _floats(mp_log_softmax(r, temperature)), x, axis)


def ref_logsumexp(x, axis=-1, temperature=1.0):
    return along(lambda r: float(mp_logsumexp(r, temperature)), x, axis, reduce=True)


def ref_hardmax(x, axis=-1):
    def one(r):
        if np.isnan(r).any() or np.all(r == -INF):
            return np.full(r.shape, NAN)
        top = r == r.max()
        return top / top.sum()
    return along(one, x, axis)


def ref_entropy(p, axis=-1):
    def one(r):
        if np.isnan(r).any():
            return NAN
        with mpmath.workdps(DIGITS):
            return float(-mpmath.fsum(_mp(v) * mpmath.log(_mp(v)) for v in r if v > 0))
    return along(one, p, axis, reduce=True)


def mp_kl_terms(p, q) -> tuple:
    """(sum of p log(p/q) - p + q, sum q - sum p), as documented: p = 0 counts q, q = 0 < p gives inf."""
    if np.isnan(p).any() or np.isnan(q).any():
        return mpmath.mpf("nan"), mpmath.mpf(0)
    with mpmath.workdps(DIGITS):
        terms = []
        for a, b in zip(map(_mp, p), map(_mp, q)):
            terms.append(b if a == 0 else mpmath.mpf("inf") if b == 0 else a * mpmath.log(a / b) - a + b)
        return mpmath.fsum(terms), mpmath.fsum(map(_mp, q)) - mpmath.fsum(map(_mp, p))


def mp_cross_entropy(z, y) -> mpmath.mpf:
    """-sum y_j log softmax(z)_j, a zero target counting 0 even where log softmax is -inf."""
    logp = mp_log_softmax(z)
    with mpmath.workdps(DIGITS):
        terms = [_mp(b) * a for a, b in zip(logp, y) if b != 0 or mpmath.isnan(a)]
        return -mpmath.fsum(terms) if terms else mpmath.mpf(0)


def mp_residual(z, y) -> list:
    p = mp_softmax(z)
    with mpmath.workdps(DIGITS):
        return [a - _mp(b) for a, b in zip(p, y)]


def mp_softplus(t) -> mpmath.mpf:
    t = float(t)
    if t == INF:
        return mpmath.mpf("inf")
    if t == -INF:
        return mpmath.mpf(0)
    with mpmath.workdps(DIGITS):
        return mpmath.log(1 + mpmath.exp(_mp(t)))


def ref_bce(t, y):
    def one(a, b):
        if math.isnan(a) or math.isnan(b):
            return NAN
        with mpmath.workdps(DIGITS):
            pos = _mp(b) * mp_softplus(-a) if b != 0 else 0
            neg = (1 - _mp(b)) * mp_softplus(a) if b != 1 else 0
            return float(pos + neg)
    return np.vectorize(one, otypes=[float])(np.asarray(t, float), np.asarray(y, float))


def one_hot_rows(labels, k):
    return np.eye(k)[np.asarray(labels)] if k else np.zeros(np.shape(labels) + (0,))


def targets_of(z, labels, axis):
    """Probability targets of the shape of z from integer labels (or the targets themselves)."""
    labels = np.asarray(labels)
    if labels.dtype.kind == "f":
        return labels
    return np.moveaxis(one_hot_rows(labels, np.shape(z)[axis]), -1, axis)


def ref_cross_entropy(z, labels, axis=-1, reduction="mean"):
    y = targets_of(z, labels, axis)
    zm, ym = np.moveaxis(np.asarray(z, float), axis, -1), np.moveaxis(y, axis, -1)
    rows = zip(zm.reshape(-1, zm.shape[-1]), ym.reshape(-1, ym.shape[-1]))
    loss = np.array([float(mp_cross_entropy(a, b)) for a, b in rows])
    return _reduced(loss.reshape(zm.shape[:-1]), reduction)


def ref_squared_error(z, labels, axis=-1, reduction="mean"):
    y = targets_of(z, labels, axis)
    zm, ym = np.moveaxis(np.asarray(z, float), axis, -1), np.moveaxis(y, axis, -1)
    losses = []
    for a, b in zip(zm.reshape(-1, zm.shape[-1]), ym.reshape(-1, ym.shape[-1])):
        with mpmath.workdps(DIGITS):
            losses.append(float(mpmath.fsum(r**2 for r in mp_residual(a, b)) / 2))
    return _reduced(np.array(losses).reshape(zm.shape[:-1]), reduction)


def _reduced(loss, reduction):
    if reduction == "none":
        return loss
    if reduction == "sum":
        return np.sum(loss)
    return np.mean(loss) if loss.size else NAN


def _batch_size(z, axis):
    return max(np.size(z) // max(np.shape(z)[axis], 1), 1)


def ref_cross_entropy_grad(z, labels, axis=-1, reduction="mean"):
    y = targets_of(z, labels, axis)
    scale = _batch_size(z, axis) if reduction == "mean" else 1
    return along2(lambda a, b: _floats([r / scale for r in mp_residual(a, b)]), z, y, axis)


def ref_squared_error_grad(z, labels, axis=-1, reduction="mean"):
    y = targets_of(z, labels, axis)
    scale = _batch_size(z, axis) if reduction == "mean" else 1

    def one(a, b):
        r = mp_residual(a, b)
        jac = mp_jacobian(a)
        with mpmath.workdps(DIGITS):
            return _floats([mpmath.fsum(jac[i][j] * r[j] for j in range(len(r))) / scale for i in range(len(r))])
    return along2(one, z, y, axis)


def along2(ref, a, b, axis):
    """A 1-d reference of two arrays of the same shape, slice by slice along axis."""
    am = np.moveaxis(np.asarray(a, float), axis, -1)
    bm = np.moveaxis(np.broadcast_to(np.asarray(b, float), np.shape(a)), axis, -1)
    rows = [ref(x, y) for x, y in zip(am.reshape(-1, am.shape[-1]), bm.reshape(-1, bm.shape[-1]))]
    return np.moveaxis(np.array(rows, dtype=float).reshape(am.shape), -1, axis)


def ref_jacobian(x, axis=-1, temperature=1.0):
    xm = np.moveaxis(np.asarray(x, float), axis, -1)
    mats = [np.array([_floats(row) for row in mp_jacobian(r, temperature)]) for r in xm.reshape(-1, xm.shape[-1])]
    k = xm.shape[-1]
    return np.array(mats, dtype=float).reshape(xm.shape[:-1] + (k, k))


def ref_jvp(x, v, axis=-1, temperature=1.0):
    def one(a, b):
        jac = mp_jacobian(a, temperature)
        with mpmath.workdps(DIGITS):
            return _floats([mpmath.fsum(jac[i][j] * _mp(b[j]) for j in range(len(b))) for i in range(len(b))])
    return along2(one, x, v, axis)


def ref_hessian(x, axis=-1):
    xm = np.moveaxis(np.asarray(x, float), axis, -1)
    k = xm.shape[-1]
    out = []

    def d(i, j):  # Kronecker delta
        return 1 if i == j else 0

    for r in xm.reshape(-1, k):
        p = mp_softmax(r)
        with mpmath.workdps(DIGITS):
            out.append([[[float(p[i] * ((d(i, j) - p[j]) * (d(i, l) - p[l]) - p[j] * (d(j, l) - p[l])))
                          for l in range(k)] for j in range(k)] for i in range(k)])
    return np.array(out, dtype=float).reshape(xm.shape[:-1] + (k, k, k))


# --------------------------------------------------------------------------- the functions, as the table calls them


def arctan_sum(v):
    """The test function of the derivative checks: sum(arctan(v)), gradient 1 / (1 + v^2); no warning at inf."""
    return float(np.sum(np.arctan(v)))


def arctan_grad(v):
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.asarray(v, float) ** 2)


def ref_arctan_grad(x):
    """The gradient, nan where no central difference exists: f is nan (a nan coordinate), x_j is
    infinite, or x_j +- h_j leaves the float range."""
    x = np.asarray(x, float)
    if np.isnan(x).any():
        return np.full(x.shape, NAN)
    h = 6.06e-6 * np.maximum(1.0, np.abs(x))
    steppable = np.isfinite(x) & (np.abs(x) + h <= np.finfo(float).max)
    return np.where(steppable, arctan_grad(x), NAN)


@dataclass
class Spec:
    """How the table calls one function with a primary array ``x`` and what it must give.

    call(x, **kw) builds any second argument from x's shape; ref(x, **kw) is the
    reference; domain says what x holds ("logits", "probabilities", "point").
    """

    func: Callable
    call: Callable
    ref: Callable
    arg: str = "x"
    domain: str = "logits"
    kind: str = "elementwise"  # "elementwise", "reduction", "matrix", "point"
    params: tuple = ("axis",)
    rtol: float = 1e-13
    atol: Callable = field(default=lambda x, ref: 0.0)
    second: tuple | None = None  # (argument name, call with a bad second array)
    first: Callable | None = None  # call with a bad primary array (default: call)


def _labels(z, axis=-1):
    z = np.asarray(z)
    ax = axis % z.ndim
    return np.zeros(z.shape[:ax] + z.shape[ax + 1 :], dtype=np.int64)


def _binary_row(k: int, first: float) -> np.ndarray:
    """``first`` then the rest, ``1 - first``, halved entry by entry (the last two equal): exact in float16."""
    if k == 0:
        return np.zeros(0)
    row = np.zeros(k)
    row[0] = first if k > 1 else 1.0
    rest = 1.0 - row[0]
    for i in range(1, k):
        row[i] = rest / 2 if i < k - 1 else rest
        rest -= row[i]
    return row


def _like(z, axis, row, dtype=None):
    z = np.asarray(z)
    if z.ndim == 0:
        return row.reshape(()).astype(dtype or float)
    out = np.moveaxis(np.broadcast_to(row, np.moveaxis(z, axis, -1).shape), -1, axis).copy()
    return out.astype(dtype or float)


def _soft_targets(z, axis=-1):
    """Probability targets of z's shape: 3/4 on the first class."""
    z = np.asarray(z)
    return _like(z, axis, _binary_row(z.shape[axis], 0.75))


def _q(p, axis=-1):
    """The distribution p is compared with: 1/2 on the first entry, in p's float dtype."""
    p = np.asarray(p)
    if axis is None or p.ndim == 0:
        return _binary_row(max(p.size, 1) if p.ndim else 1, 0.5)[: p.size].reshape(p.shape).astype(
            p.dtype if p.dtype.kind == "f" else float)
    return _like(p, axis, _binary_row(p.shape[axis], 0.5), p.dtype if p.dtype.kind == "f" else None)


def _tangent(x, axis=-1):
    """The vector of the products, in x's float dtype: (-1, 0, 1, ...) along the axis."""
    x = np.asarray(x)
    return _like(x, axis, np.arange(x.shape[axis]) - 1.0, x.dtype if x.dtype.kind == "f" else None)


def _bce_targets(t):
    t = np.asarray(t)
    return np.linspace(0.0, 1.0, t.size).reshape(t.shape) if t.size > 1 else np.full(t.shape, 0.25)


def _matrix_atol(x, ref):
    return 1e-16 * np.nanmax(np.abs(ref), initial=0.0)


def _product_atol(x, ref):
    return 1e-15 * np.nanmax(np.abs(ref), initial=0.0)


SPECS: dict[str, Spec] = {
    "softmax": Spec(softmax, lambda x, **kw: softmax(x, **kw), ref_softmax, params=("axis", "temperature")),
    "log_softmax": Spec(log_softmax, lambda x, **kw: log_softmax(x, **kw), ref_log_softmax,
                        params=("axis", "temperature")),
    "logsumexp": Spec(logsumexp, lambda x, **kw: logsumexp(x, **kw), ref_logsumexp, kind="reduction",
                      params=("axis", "temperature", "keepdims")),
    "entropy": Spec(entropy, lambda p, **kw: entropy(p, **kw), ref_entropy, arg="p", domain="probabilities",
                    kind="reduction", atol=lambda x, ref: 1e-320),
    "kl_divergence": Spec(
        kl_divergence, lambda p, **kw: kl_divergence(p, _q(p, kw.get("axis", -1)), **kw),
        None, arg="p", domain="probabilities", kind="reduction",
        second=("q", lambda bad: kl_divergence([0.5, 0.5], bad)), first=lambda bad: kl_divergence(bad, [0.5, 0.5])),
    "cross_entropy[labels]": Spec(
        cross_entropy, lambda z, **kw: cross_entropy(z, _labels(z, kw.get("axis", -1)), **kw),
        lambda z, **kw: ref_cross_entropy(z, _labels(z, kw.get("axis", -1)), **kw),
        arg="logits", kind="reduction", params=("axis", "reduction"),
        second=("labels", lambda bad: cross_entropy([[1.0, 2.0]], bad)), first=lambda bad: cross_entropy(bad, 0)),
    "cross_entropy[targets]": Spec(
        cross_entropy, lambda z, **kw: cross_entropy(z, _soft_targets(z, kw.get("axis", -1)), **kw),
        lambda z, **kw: ref_cross_entropy(z, _soft_targets(z, kw.get("axis", -1)), **kw),
        arg="logits", kind="reduction", params=("axis", "reduction"), first=lambda bad: cross_entropy(bad, [1.0, 0.0])),
    "cross_entropy_grad": Spec(
        cross_entropy_grad, lambda z, **kw: cross_entropy_grad(z, _labels(z, kw.get("axis", -1)), **kw),
        lambda z, **kw: ref_cross_entropy_grad(z, _labels(z, kw.get("axis", -1)), **kw),
        arg="logits", params=("axis", "reduction"),
        second=("labels", lambda bad: cross_entropy_grad([[1.0, 2.0]], bad)),
        first=lambda bad: cross_entropy_grad(bad, 0)),
    "cross_entropy_grad[targets]": Spec(
        cross_entropy_grad, lambda z, **kw: cross_entropy_grad(z, _soft_targets(z, kw.get("axis", -1)), **kw),
        lambda z, **kw: ref_cross_entropy_grad(z, _soft_targets(z, kw.get("axis", -1)), **kw),
        arg="logits", params=("axis", "reduction"), atol=_product_atol,
        first=lambda bad: cross_entropy_grad(bad, [1.0, 0.0])),
    "binary_cross_entropy_with_logits": Spec(
        binary_cross_entropy_with_logits, lambda t, **kw: binary_cross_entropy_with_logits(t, _bce_targets(t), **kw),
        lambda t, **kw: _reduced(ref_bce(t, _bce_targets(t)), kw.get("reduction", "mean")),
        arg="logits", kind="reduction", params=("reduction",),
        second=("targets", lambda bad: binary_cross_entropy_with_logits([1.0, 2.0], bad)),
        first=lambda bad: binary_cross_entropy_with_logits(bad, [0.5, 0.5])),
    "softmax_squared_error": Spec(
        softmax_squared_error, lambda z, **kw: softmax_squared_error(z, _labels(z, kw.get("axis", -1)), **kw),
        lambda z, **kw: ref_squared_error(z, _labels(z, kw.get("axis", -1)), **kw),
        arg="logits", kind="reduction", params=("axis", "reduction"),
        second=("labels", lambda bad: softmax_squared_error([[1.0, 2.0]], bad)),
        first=lambda bad: softmax_squared_error(bad, 0)),
    "softmax_squared_error_grad": Spec(
        softmax_squared_error_grad, lambda z, **kw: softmax_squared_error_grad(z, _labels(z, kw.get("axis", -1)), **kw),
        lambda z, **kw: ref_squared_error_grad(z, _labels(z, kw.get("axis", -1)), **kw),
        arg="logits", params=("axis", "reduction"), atol=_product_atol,
        second=("labels", lambda bad: softmax_squared_error_grad([[1.0, 2.0]], bad)),
        first=lambda bad: softmax_squared_error_grad(bad, 0)),
    "hardmax": Spec(hardmax, lambda x, **kw: hardmax(x, **kw), ref_hardmax),
    "softmin": Spec(softmin, lambda x, **kw: softmin(x, **kw),
                    lambda x, **kw: ref_softmax(-np.asarray(x, float), **kw), params=("axis", "temperature")),
    "smooth_min": Spec(smooth_min, lambda x, **kw: smooth_min(x, **kw),
                       lambda x, **kw: -ref_logsumexp(-np.asarray(x, float), **kw), kind="reduction",
                       params=("axis", "temperature", "keepdims")),
    "softmax_jacobian": Spec(softmax_jacobian, lambda x, **kw: softmax_jacobian(x, **kw), ref_jacobian, kind="matrix",
                             params=("axis", "temperature"), atol=_matrix_atol),
    "softmax_jvp": Spec(softmax_jvp, lambda x, **kw: softmax_jvp(x, _tangent(x, kw.get("axis", -1)), **kw),
                        lambda x, **kw: ref_jvp(x, _tangent(x, kw.get("axis", -1)), **kw),
                        params=("axis", "temperature"), atol=_product_atol,
                        second=("v", lambda bad: softmax_jvp([1.0, 2.0], bad)),
                        first=lambda bad: softmax_jvp(bad, [1.0, 0.0])),
    "softmax_vjp": Spec(softmax_vjp, lambda x, **kw: softmax_vjp(x, _tangent(x, kw.get("axis", -1)), **kw),
                        lambda x, **kw: ref_jvp(x, _tangent(x, kw.get("axis", -1)), **kw),
                        params=("axis", "temperature"), atol=_product_atol,
                        second=("g", lambda bad: softmax_vjp([1.0, 2.0], bad)),
                        first=lambda bad: softmax_vjp(bad, [1.0, 0.0])),
    "softmax_hessian": Spec(softmax_hessian, lambda x, **kw: softmax_hessian(x, **kw), ref_hessian, kind="matrix",
                            atol=_matrix_atol),
    "numerical_jacobian": Spec(numerical_jacobian, lambda x, **kw: numerical_jacobian(arctan_sum, x, **kw),
                               lambda x, **kw: ref_arctan_grad(x), domain="point", kind="point", params=("eps",),
                               rtol=1e-8, atol=lambda x, ref: 1e-8),
    "numerical_gradient": Spec(numerical_gradient, lambda x, **kw: numerical_gradient(arctan_sum, x, **kw),
                               lambda x, **kw: ref_arctan_grad(x), domain="point", kind="point", params=("eps",),
                               rtol=1e-8, atol=lambda x, ref: 1e-8),
    "check_gradient": Spec(check_gradient, lambda x, **kw: check_gradient(arctan_sum, arctan_grad, x, **kw),
                           None, domain="point", kind="point", params=("eps", "rtol", "atol"),
                           second=("grad", lambda bad: check_gradient(arctan_sum, lambda v: bad, [1.0, 2.0]))),
}


def ref_kl(p, axis=-1):
    """The documented divergence, sum of p log(p/q) - p + q, and the allowance |sum q - sum p|
    by which the plain sum of p log(p/q), returned where it is accurate, may differ from it."""
    p = np.asarray(p, float)
    q = _q(p, axis).astype(float)
    if axis is None or p.ndim == 0:
        rows, batch = [(p.reshape(-1), q.reshape(-1))], ()
    else:
        pm, qm = np.moveaxis(p, axis, -1), np.moveaxis(q, axis, -1)
        rows, batch = list(zip(pm.reshape(-1, pm.shape[-1]), qm.reshape(-1, qm.shape[-1]))), pm.shape[:-1]
    pairs = [mp_kl_terms(a, b) for a, b in rows]
    value = np.array([float(v) for v, _ in pairs]).reshape(batch)
    allowance = np.abs(np.array([float(d) for _, d in pairs])).reshape(batch)
    return value, allowance


def assert_matches(name: str, got, x, **kw) -> None:
    """got agrees with the reference of SPECS[name] at x (nan where it is nan, inf where it is inf)."""
    spec = SPECS[name]
    if name == "kl_divergence":
        ref, allowance = ref_kl(x, kw.get("axis", -1))
        np.testing.assert_allclose(got, ref, rtol=2.0**-40, atol=np.max(allowance, initial=0.0) + 1e-300)
        return
    if name == "check_gradient":
        assert got.passed and got.analytic.shape == np.shape(x)
        np.testing.assert_allclose(got.numerical, ref_arctan_grad(x), rtol=1e-8, atol=1e-8)
        return
    ref = spec.ref(x, **kw)
    np.testing.assert_allclose(np.asarray(got, dtype=float), ref, rtol=spec.rtol, atol=spec.atol(x, ref),
                               err_msg=f"{name} at {x!r} with {kw}")


# --------------------------------------------------------------------------- inputs


def valid_input(spec: Spec, shape=(2, 4)) -> np.ndarray:
    """A deterministic valid primary input of ``shape`` in the spec's domain."""
    base = np.linspace(-2.0, 3.0, math.prod(shape)).reshape(shape)
    if spec.domain == "probabilities":
        if not shape or shape[-1] == 0:
            return np.ones(shape) if not shape else np.zeros(shape)
        return softmax(base, axis=-1)
    if spec.domain == "point":
        return base.reshape(-1)[: max(math.prod(shape), 1)].reshape(shape) * 0.7
    return base


NAMES = list(SPECS)
ARRAY_SPECS = [n for n in NAMES if SPECS[n].kind != "point"]


# --------------------------------------------------------------------------- 1. bad array-likes


@pytest.mark.parametrize("bad", list(BAD_ARRAYS), ids=list(BAD_ARRAYS))
@pytest.mark.parametrize("name", NAMES)
def test_bad_arrays_are_rejected_naming_the_argument(name, bad):
    spec = SPECS[name]
    assert_rejects(spec.first or spec.call, (BAD_ARRAYS[bad],), names=spec.arg, errors=TypeError)


SECOND = [n for n in NAMES if SPECS[n].second]


@pytest.mark.parametrize("bad", list(BAD_ARRAYS), ids=list(BAD_ARRAYS))
@pytest.mark.parametrize("name", SECOND)
def test_bad_second_arrays_are_rejected_naming_the_argument(name, bad):
    arg, call = SPECS[name].second
    assert_rejects(call, (BAD_ARRAYS[bad],), names=arg, errors=TypeError)


# --------------------------------------------------------------------------- 2. dtypes


ALL_DTYPES = {**DTYPES, "bool": (np.dtype(bool), np.dtype(np.float64))}


@pytest.mark.parametrize("dtype", list(ALL_DTYPES), ids=list(ALL_DTYPES))
@pytest.mark.parametrize("name", NAMES)
def test_dtypes(name, dtype):
    spec = SPECS[name]
    source, expected = ALL_DTYPES[dtype]
    x64 = valid_input(spec)
    if source.kind == "i":
        x64 = np.round(x64 * 3) if spec.domain != "probabilities" else np.eye(4)[[0, 2]]
    if source.kind == "b":  # one-hot rows: valid logits and probabilities alike
        x64 = np.eye(4)[[0, 2]]
    x = x64.astype(source)
    got = spec.call(x)
    x_read = x.astype(np.float64)  # what the function sees, as exact float64
    if spec.kind == "point":  # evaluated in float64 whatever x is
        expected = np.dtype(np.float64)
    if name == "check_gradient":
        assert got.passed and got.numerical.dtype == np.float64
        return
    result = np.asarray(got)
    assert result.dtype == expected, f"{name}: {dtype} in, {result.dtype} out"
    if spec.kind == "reduction" and result.ndim == 0:
        assert isinstance(got, np.generic), f"{name}: a 0-d result must be a numpy scalar"
    # float16 and float32 are computed in float32, the rest in float64; float16 results are rounded to it
    work_eps = np.finfo(np.float32 if source in (np.float16, np.float32) else np.float64).eps
    rtol = max(64 * work_eps, 2 * np.finfo(expected).eps if expected == np.float16 else 0.0, spec.rtol)
    if name == "kl_divergence":
        ref, allowance = ref_kl(x_read)
        np.testing.assert_allclose(result.astype(float), ref, rtol=rtol, atol=allowance.max() + 1e-300)
        return
    ref = spec.ref(x_read)
    atol = rtol * np.nanmax(np.abs(ref), initial=0.0) if spec.atol(x_read, ref) else 0.0
    np.testing.assert_allclose(result.astype(float), ref, rtol=rtol, atol=max(atol, 1e-300))


# --------------------------------------------------------------------------- 3. layouts, 0-d, empty, array-likes


def _layout(x: np.ndarray, layout: str):
    if layout == "Fortran":
        return np.asfortranarray(x)
    if layout == "strided":
        wide = np.zeros(x.shape[:-1] + (2 * x.shape[-1],), dtype=x.dtype)
        wide[..., ::2] = x
        return wide[..., ::2]
    if layout == "reversed":  # negative strides, the same values
        return np.flip(np.flip(x).copy())
    return x.tolist()  # "list"


@pytest.mark.parametrize("layout", ["Fortran", "strided", "reversed", "list"])
@pytest.mark.parametrize("name", NAMES)
def test_layouts_give_the_same_values(name, layout):
    spec = SPECS[name]
    x = valid_input(spec, (3, 4))
    if spec.domain == "point":
        x = x.reshape(3, 4)
    arg = _layout(x, layout)
    got = spec.call(arg)
    assert_matches(name, got, x)


ZERO_D_ERRORS = {  # functions that need an axis of classes: 0-d input is refused, naming it
    "cross_entropy[labels]", "cross_entropy[targets]", "cross_entropy_grad", "cross_entropy_grad[targets]",
    "softmax_squared_error", "softmax_squared_error_grad", "softmax_jacobian", "softmax_jvp", "softmax_vjp",
    "softmax_hessian",
}


@pytest.mark.parametrize("name", NAMES)
def test_0d_input(name):
    spec = SPECS[name]
    x = np.float64(1.0) if spec.domain == "probabilities" else np.float64(0.7)
    if name in ZERO_D_ERRORS:
        assert_rejects(spec.first or spec.call, (x,), names=spec.arg, errors=ValueError)
        return
    kw = {"axis": None} if "axis" in spec.params else {}
    got = spec.call(x, **kw)
    if spec.kind == "reduction" or name == "numerical_gradient":
        assert np.ndim(got) == 0
    if spec.kind == "reduction":
        assert isinstance(got, np.generic)
    assert_matches(name, got, np.asarray(x), **kw)
    if "axis" in spec.params:  # the default axis=-1 does not exist in 0-d input
        assert_rejects(spec.call, (x,), names="axis", errors=(ValueError, np.exceptions.AxisError))


EMPTY_SHAPES = {"empty batch": (0, 3), "empty axis": (3, 0)}


@pytest.mark.parametrize("shape", list(EMPTY_SHAPES), ids=list(EMPTY_SHAPES))
@pytest.mark.parametrize("name", NAMES)
def test_empty_input(name, shape):
    """An empty batch gives an empty result; an empty axis what the docstring says."""
    spec = SPECS[name]
    x = np.zeros(EMPTY_SHAPES[shape])
    empty_axis = shape == "empty axis"
    if spec.domain == "probabilities" and empty_axis:  # no distribution sums to 1 over no entries
        assert_rejects(spec.call, (x,), names=spec.arg, errors=ValueError)
        return
    labelled = {"cross_entropy[labels]", "cross_entropy_grad", "softmax_squared_error", "softmax_squared_error_grad"}
    if name in labelled and empty_axis:
        assert_rejects(spec.call, (x,), names="labels", errors=ValueError)  # no class index exists in [0, 0)
        return
    if name in {"cross_entropy[targets]", "cross_entropy_grad[targets]"} and empty_axis:
        assert_rejects(spec.call, (x,), names="labels", errors=ValueError)
        return
    got = spec.call(x, reduction="none") if "reduction" in spec.params else spec.call(x)
    if name == "check_gradient":
        assert got.passed and got.numerical.shape == x.shape
        return
    result = np.asarray(got)
    if spec.kind == "elementwise" or spec.kind == "point":
        assert result.shape == x.shape
    elif spec.kind == "matrix":
        k = x.shape[-1]
        assert result.shape == x.shape[:-1] + (k,) * (2 if name == "softmax_jacobian" else 3)
    elif name == "binary_cross_entropy_with_logits":
        assert result.shape == x.shape
    else:
        assert result.shape == x.shape[:-1]
        if empty_axis:  # the log of an empty sum
            assert np.all(result == (INF if name == "smooth_min" else -INF))
    if "reduction" in spec.params and not empty_axis:
        assert np.isnan(spec.call(x)) if spec.kind == "reduction" else spec.call(x).shape == x.shape
        if spec.kind == "reduction":
            assert spec.call(x, reduction="sum") == 0


# --------------------------------------------------------------------------- 4. bad axes, temperatures, parameters


BAD_AXES = {"float": 1.0, "str": "0", "bool": True, "list": [0], "too large": 5, "too small": -5}
AXIS_NAMES = [n for n in NAMES if "axis" in SPECS[n].params]


@pytest.mark.parametrize("axis", list(BAD_AXES), ids=list(BAD_AXES))
@pytest.mark.parametrize("name", AXIS_NAMES)
def test_bad_axes(name, axis):
    spec = SPECS[name]
    x = valid_input(spec)
    assert_rejects(lambda a: spec.func(*_args(name, x), axis=a), (BAD_AXES[axis],), names="axis")


def _args(name: str, x: np.ndarray) -> tuple:
    """Positional arguments of a call with a valid x (axis passed apart)."""
    second = {
        "kl_divergence": _q(x), "cross_entropy[labels]": _labels(x), "cross_entropy[targets]": _soft_targets(x),
        "cross_entropy_grad": _labels(x), "cross_entropy_grad[targets]": _soft_targets(x),
        "softmax_squared_error": _labels(x), "softmax_squared_error_grad": _labels(x),
        "softmax_jvp": _tangent(x), "softmax_vjp": _tangent(x), "binary_cross_entropy_with_logits": _bce_targets(x),
    }
    if name in second:
        return x, second[name]
    if name == "check_gradient":
        return arctan_sum, arctan_grad, x
    if SPECS[name].kind == "point":
        return arctan_sum, x
    return (x,)


AXIS_NEEDED = ["cross_entropy[labels]", "cross_entropy_grad", "softmax_squared_error", "softmax_squared_error_grad",
               "softmax_jacobian", "softmax_jvp", "softmax_vjp", "softmax_hessian"]


@pytest.mark.parametrize("name", AXIS_NEEDED)
def test_axis_none_is_refused_where_a_class_axis_is_needed(name):
    x = valid_input(SPECS[name])
    assert_rejects(lambda: SPECS[name].func(*_args(name, x), axis=None), (), names="axis", errors=TypeError)


BAD_TEMPERATURES = {"0": 0, "negative": -1.0, "nan": NAN, "inf": INF, "bool": True, "str": "1", "None": None,
                    "10**400": 10**400, "array": np.array([1.0, 2.0])}
T_NAMES = [n for n in NAMES if "temperature" in SPECS[n].params]


@pytest.mark.parametrize("temperature", list(BAD_TEMPERATURES), ids=list(BAD_TEMPERATURES))
@pytest.mark.parametrize("name", T_NAMES)
def test_bad_temperatures(name, temperature):
    x = valid_input(SPECS[name])
    assert_rejects(lambda t: SPECS[name].func(*_args(name, x), temperature=t), (BAD_TEMPERATURES[temperature],),
                   names="temperature")


BAD_PARAMETERS = [  # (parameter, bad values)
    ("reduction", ["avg", None, 3, ["mean"], np.array(["mean"])]),
    ("keepdims", [1, "yes", None, np.array([True, False])]),
    ("eps", [0, -1e-6, NAN, INF, True, "1e-6", None, 10**400, np.array([1e-6, 1e-6])]),
    ("rtol", [-1.0, NAN, INF, "x", None, True]),
    ("atol", [-1.0, NAN, INF, "x", None, True]),
]
PARAMETER_CASES = [(n, p, i) for p, values in BAD_PARAMETERS for n in NAMES if p in SPECS[n].params
                   for i in range(len(values))]


@pytest.mark.parametrize("name, parameter, i", PARAMETER_CASES)
def test_bad_parameters(name, parameter, i):
    value = dict(BAD_PARAMETERS)[parameter][i]
    x = valid_input(SPECS[name])
    assert_rejects(lambda v: SPECS[name].func(*_args(name, x), **{parameter: v}), (value,), names=parameter)


NOT_CALLABLE = [("numerical_jacobian", "f", lambda: numerical_jacobian(3.0, [1.0])),
                ("numerical_gradient", "f", lambda: numerical_gradient("f", [1.0])),
                ("check_gradient", "f", lambda: check_gradient(None, arctan_grad, [1.0])),
                ("check_gradient", "grad", lambda: check_gradient(arctan_sum, np.zeros(1), [1.0]))]


@pytest.mark.parametrize("name, arg, call", NOT_CALLABLE, ids=[f"{n}-{a}" for n, a, _ in NOT_CALLABLE])
def test_functions_that_are_not_callable(name, arg, call):
    assert_rejects(call, (), names=f"{arg} must be callable", errors=TypeError)


RETURNS = {"complex": lambda v: 1j * np.sum(v), "str": lambda v: "a", "None": lambda v: None,
           "ragged": lambda v: [[1.0], [1.0, 2.0]]}


@pytest.mark.parametrize("returned", list(RETURNS), ids=list(RETURNS))
@pytest.mark.parametrize(
    "name", ["numerical_jacobian", "numerical_gradient", "check_gradient-f", "check_gradient-grad"]
)
def test_functions_returning_non_numbers(name, returned):
    bad = RETURNS[returned]
    call = {"numerical_jacobian": lambda: numerical_jacobian(bad, [1.0, 2.0]),
            "numerical_gradient": lambda: numerical_gradient(bad, [1.0, 2.0]),
            "check_gradient-f": lambda: check_gradient(bad, arctan_grad, [1.0, 2.0]),
            "check_gradient-grad": lambda: check_gradient(arctan_sum, bad, [1.0, 2.0])}[name]
    assert_rejects(call, (), names="grad must return" if name.endswith("grad") else "f must return", errors=TypeError)


MISMATCHED = [
    ("kl_divergence", "q", lambda: kl_divergence([0.5, 0.5], [0.2, 0.3, 0.5])),
    ("cross_entropy", "labels", lambda: cross_entropy(np.zeros((2, 3)), [0, 1, 2])),
    ("cross_entropy", "labels", lambda: cross_entropy(np.zeros((2, 3)), np.full((3, 2), 0.5))),
    ("cross_entropy_grad", "labels", lambda: cross_entropy_grad(np.zeros((2, 3)), [0])),
    ("softmax_squared_error", "labels", lambda: softmax_squared_error(np.zeros((2, 3)), [[0, 1]])),
    ("softmax_squared_error_grad", "labels", lambda: softmax_squared_error_grad(np.zeros((2, 3)), [0, 1, 2])),
    ("binary_cross_entropy_with_logits", "targets", lambda: binary_cross_entropy_with_logits([1.0, 2.0], [1.0])),
    ("softmax_jvp", "v", lambda: softmax_jvp(np.zeros((2, 3)), np.zeros((3, 2)))),
    ("softmax_vjp", "g", lambda: softmax_vjp(np.zeros(3), np.zeros(4))),
    ("check_gradient", "grad", lambda: check_gradient(arctan_sum, lambda v: v[:1], [1.0, 2.0])),
    ("numerical_jacobian", "f", lambda: numerical_jacobian(lambda v: np.ones(1 + int(v[0] > 1.0)), [1.0])),
]


@pytest.mark.parametrize("name, arg, call", MISMATCHED, ids=[f"{n}-{i}" for i, (n, _, _) in enumerate(MISMATCHED)])
def test_mismatched_shapes(name, arg, call):
    assert_rejects(call, (), names=arg, errors=ValueError)


OUT_OF_RANGE = [
    ("entropy", "p", lambda: entropy([1.5, -0.5])),
    ("entropy", "p", lambda: entropy([0.5, 0.6])),
    ("kl_divergence", "q", lambda: kl_divergence([0.5, 0.5], [0.2, 0.2])),
    ("cross_entropy", "labels", lambda: cross_entropy([[1.0, 2.0]], [2])),
    ("cross_entropy", "labels", lambda: cross_entropy([[1.0, 2.0]], [[1.5, -0.5]])),
    ("cross_entropy_grad", "labels", lambda: cross_entropy_grad([[1.0, 2.0]], [-1])),
    ("cross_entropy_grad", "labels", lambda: cross_entropy_grad([[1.0, 2.0]], [True])),
    ("binary_cross_entropy_with_logits", "targets", lambda: binary_cross_entropy_with_logits([1.0], [1.5])),
    ("binary_cross_entropy_with_logits", "targets", lambda: binary_cross_entropy_with_logits([1.0], [-INF])),
]


@pytest.mark.parametrize("name, arg, call", OUT_OF_RANGE, ids=[f"{n}-{i}" for i, (n, _, _) in enumerate(OUT_OF_RANGE)])
def test_values_out_of_range(name, arg, call):
    assert_rejects(call, (), names=arg)


# --------------------------------------------------------------------------- 5. IEEE special values and extremes


LOGITS = {
    "+inf": [0.0, INF, 1.0, INF],
    "-inf": [0.0, -INF, 1.0],
    "all -inf": [-INF, -INF, -INF],
    "nan": [0.0, NAN, 1.0],
    "nan beside +inf": [INF, NAN, 1.0],
    "1e308": [1e308, -1e308, 0.0],
    "1.7e308": [1.7e308, 1.6e308, -1.7e308],
    "5e-324": [5e-324, 0.0, -5e-324],
    "saturated": [40.0, 0.0, -1.0],
    "saturated 700": [700.0, 0.0, -5.0],
    "one entry": [3.0],
}
PROBABILITIES = {
    "nan": [0.5, NAN, 0.5],
    "one-hot": [1.0, 0.0, 0.0],
    "5e-324": [1.0, 5e-324, 0.0],
    "near q": [0.5 + 2e-9, 0.25 - 1e-9, 0.25 - 1e-9],
    "q": [0.5, 0.25, 0.25],
    "one entry": [1.0],
}
PROBABILITY_ERRORS = {
    "+inf": [INF, 0.0], "-inf": [-INF, 1.0], "1e308": [1e308, 0.0], "all nan but negative": [NAN, -0.5]
}
POINTS = {"+inf": [1.0, INF], "-inf": [-INF, 0.5], "nan": [NAN, 0.5], "1e308": [1e308, -1e308],
          "1.797e308": [1.797e308, 0.5], "5e-324": [5e-324, -5e-324]}


def ieee_cases():
    for name, spec in SPECS.items():
        table = {"logits": LOGITS, "probabilities": PROBABILITIES, "point": POINTS}[spec.domain]
        for case in table:
            if name == "check_gradient":
                continue
            yield pytest.param(name, case, id=f"{name}-{case}")


@pytest.mark.filterwarnings("error")  # special values must not warn
@pytest.mark.parametrize("name, case", list(ieee_cases()))
def test_special_values_and_extremes(name, case):
    spec = SPECS[name]
    table = {"logits": LOGITS, "probabilities": PROBABILITIES, "point": POINTS}[spec.domain]
    x = np.array(table[case])
    if name == "binary_cross_entropy_with_logits":
        got = spec.call(x, reduction="none")
        np.testing.assert_allclose(got, ref_bce(x, _bce_targets(x)), rtol=1e-13, atol=0)
        return
    got = spec.call(x)
    assert_matches(name, got, x)


@pytest.mark.filterwarnings("error")  # nothing may warn: overflow to inf is the right answer where it happens
@pytest.mark.parametrize("temperature", [1e-300, 0.5, 2.0, 1e308])
@pytest.mark.parametrize("name", T_NAMES)
def test_temperatures_at_the_extremes(name, temperature):
    x = np.array(LOGITS["1.7e308"]) if temperature > 1 else np.array([0.0, -1e-300, 1e-300])
    got = SPECS[name].call(x, temperature=temperature)
    assert_matches(name, got, x, temperature=temperature)


@pytest.mark.parametrize("case", list(PROBABILITY_ERRORS), ids=list(PROBABILITY_ERRORS))
@pytest.mark.parametrize("name", ["entropy", "kl_divergence", "cross_entropy[targets]"])
def test_infinite_probabilities_are_refused(name, case):
    bad = np.array(PROBABILITY_ERRORS[case])
    if name == "cross_entropy[targets]":
        assert_rejects(cross_entropy, (np.zeros(2), bad), names="labels", errors=ValueError)
    else:
        assert_rejects(SPECS[name].func, (bad, [0.5, 0.5]) if name == "kl_divergence" else (bad,), names="p",
                       errors=ValueError)


@pytest.mark.parametrize("name", ["cross_entropy[labels]", "cross_entropy[targets]", "softmax_squared_error",
                                  "binary_cross_entropy_with_logits"])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_reductions(name, reduction):
    x = valid_input(SPECS[name], (3, 4))
    x[1, 2] = 30.0  # one confident row
    got = SPECS[name].call(x, reduction=reduction)
    assert (np.ndim(got) == 0 and isinstance(got, np.generic)) if reduction != "none" else np.ndim(got) >= 1
    assert_matches(name, got, x, reduction=reduction)


AXIS_NONE_OK = ["softmax", "log_softmax", "logsumexp", "entropy", "kl_divergence", "hardmax", "softmin", "smooth_min"]


@pytest.mark.parametrize("axis", [0, 1, -1, None])
@pytest.mark.parametrize("name", AXIS_NONE_OK)
def test_every_axis(name, axis):
    spec = SPECS[name]
    x = valid_input(spec, (3, 4)) if spec.domain != "probabilities" else None
    if spec.domain == "probabilities":
        x = softmax(np.linspace(-2.0, 3.0, 12).reshape(3, 4), axis=axis)
    got = spec.call(x, axis=axis)
    assert_matches(name, got, x, axis=axis)


@pytest.mark.parametrize("axis", [None, 0, 1])
@pytest.mark.parametrize("name", ["logsumexp", "smooth_min"])
def test_keepdims_shapes_are_numpys(name, axis):
    x = np.arange(6.0).reshape(2, 3)
    assert SPECS[name].call(x, axis=axis, keepdims=True).shape == np.sum(x, axis=axis, keepdims=True).shape


# --------------------------------------------------------------------------- 6. inputs unmodified, memory


@pytest.mark.parametrize("name", NAMES)
def test_inputs_are_not_modified(name):
    spec = SPECS[name]
    x = valid_input(spec, (3, 4))
    args = _args(name, x)
    arrays = [a for a in args if isinstance(a, np.ndarray)]
    others = {i: a for i, a in enumerate(args) if not isinstance(a, np.ndarray)}

    def call(*arrs):
        it = iter(arrs)
        return spec.func(*[others[i] if i in others else next(it) for i in range(len(args))])

    call.__name__ = name
    assert_unmodified(call, *arrays)


BIG = (10_000, 1_000)  # 80 MB of float64


def _cyclic_labels(x):
    return np.arange(x.shape[0]) % x.shape[1]


MEMORY_CASES = {  # name: (function, arguments built from the big input beforehand, the input)
    "softmax": (softmax, lambda x: (x,), "logits"),
    "log_softmax": (log_softmax, lambda x: (x,), "logits"),
    "logsumexp": (logsumexp, lambda x: (x,), "logits"),
    "logsumexp (2.5M, 4)": (logsumexp, lambda x: (x,), (2_500_000, 4)),
    "entropy": (entropy, lambda p: (p,), "probabilities"),
    "entropy axis=None": (lambda p: entropy(p, axis=None), lambda p: (p / p.shape[0],), "probabilities"),
    "kl_divergence": (kl_divergence, lambda p: (p, p[::-1]), "probabilities"),
    "cross_entropy": (cross_entropy, lambda x: (x, _cyclic_labels(x)), "logits"),
    "cross_entropy targets": (cross_entropy, lambda x: (x, x_targets(x)), "logits"),
    "cross_entropy_grad": (cross_entropy_grad, lambda x: (x, _cyclic_labels(x)), "logits"),
    "binary_cross_entropy_with_logits": (
        binary_cross_entropy_with_logits, lambda x: (x, np.full(x.shape, 0.3)), "logits"
    ),
    "softmax_squared_error": (softmax_squared_error, lambda x: (x, _cyclic_labels(x)), "logits"),
    "softmax_squared_error_grad": (softmax_squared_error_grad, lambda x: (x, _cyclic_labels(x)), "logits"),
    "hardmax": (hardmax, lambda x: (x,), "logits"),
    "hardmax float32": (hardmax, lambda x: (x.astype(np.float32),), "logits"),
    "softmin": (softmin, lambda x: (x,), "logits"),
    "smooth_min": (smooth_min, lambda x: (x,), "logits"),
    "softmax_jacobian": (softmax_jacobian, lambda x: (x,), (10_000, 30)),
    "softmax_jvp": (softmax_jvp, lambda x: (x, x[::-1]), "logits"),
    "softmax_vjp": (softmax_vjp, lambda x: (x, x[::-1]), "logits"),
    "softmax_hessian": (softmax_hessian, lambda x: (x,), (1_000, 10)),
    "numerical_jacobian": (numerical_jacobian, lambda x: (arctan_sum, x), (2_000,)),
    "numerical_gradient": (numerical_gradient, lambda x: (arctan_sum, x), (2_000,)),
    "check_gradient": (check_gradient, lambda x: (arctan_sum, arctan_grad, x), (2_000,)),
}


def x_targets(x):
    """Probability targets of x's shape, built before the measurement."""
    return softmax(x[:, ::-1])


@pytest.fixture(scope="module")
def big_inputs():
    rng = np.random.default_rng(2024)
    cache = {}

    def get(kind):
        if kind not in cache:
            x = rng.standard_normal(BIG if isinstance(kind, str) else kind)
            cache[kind] = softmax(x) if kind == "probabilities" else x
        return cache[kind]

    return get


@pytest.mark.parametrize("name", list(MEMORY_CASES))
def test_memory_stays_near_the_output(name, big_inputs):
    """Peak extra memory at most a few blocks of temporaries (16 MB) beyond the output, for outputs
    of 80 MB and inputs of 80 MB: no temporary of the input's size, well within twice the output
    (or the input, for reductions). The gradient checks: a copy of x or two, as much as their output."""
    func, build, kind = MEMORY_CASES[name]
    args = build(big_inputs(kind))
    result, extra = peak_extra_bytes(func, *args)
    if name == "check_gradient":  # a GradientCheck: count the two derivatives it holds as its output
        extra -= result.analytic.nbytes + result.numerical.nbytes
    out = np.asarray(result.numerical if name == "check_gradient" else result).nbytes
    assert extra <= 16e6 and (extra <= 2 * out or kind in ("logits", "probabilities") or extra < 1e5), (
        f"{name}: {extra / 1e6:.1f} MB beyond a result of {out / 1e6:.1f} MB"
    )


LONG = (1, 10_000_000)  # one slice of 80 MB: it cannot be cut into blocks of whole slices
LONG_CASES = {  # name: (function, arguments from the long input, a reduction?)
    "softmax": (softmax, lambda x: (x,), False),
    "log_softmax": (log_softmax, lambda x: (x,), False),
    "logsumexp": (logsumexp, lambda x: (x,), True),
    "entropy axis=None": (lambda p: entropy(p, axis=None), lambda x: (softmax(x, axis=None),), True),
    "kl_divergence axis=None": (lambda p, q: kl_divergence(p, q, axis=None),
                                lambda x: (softmax(x, axis=None), softmax(x[:, ::-1], axis=None)), True),
    "cross_entropy": (cross_entropy, lambda x: (x, [3]), True),
    "cross_entropy_grad": (cross_entropy_grad, lambda x: (x, [3]), False),
    "binary_cross_entropy_with_logits": (binary_cross_entropy_with_logits, lambda x: (x, np.full(x.shape, 0.3)), True),
    "softmax_squared_error_grad": (softmax_squared_error_grad, lambda x: (x, [3]), False),
    "hardmax": (hardmax, lambda x: (x,), False),
    "softmin": (softmin, lambda x: (x,), False),
    "smooth_min": (smooth_min, lambda x: (x,), True),
    "softmax_vjp": (softmax_vjp, lambda x: (x, x[:, ::-1]), False),
}


@pytest.mark.parametrize("name", list(LONG_CASES))
def test_memory_of_one_long_slice(name, big_inputs):
    """A slice longer than a block is a block by itself: then at most twice the output (or the input,
    for reductions), as the rules allow."""
    func, build, reduction = LONG_CASES[name]
    x = big_inputs(LONG)
    args = build(x)
    result, extra = peak_extra_bytes(func, *args)
    bound = 1.1 * x.nbytes if reduction else 2 * np.asarray(result).nbytes
    result_mb = np.asarray(result).nbytes / 1e6
    assert extra <= bound + 2e6, f"{name}: {extra / 1e6:.1f} MB beyond a result of {result_mb:.1f} MB"


# --------------------------------------------------------------------------- 7. bugs found before, by name


def test_kl_divergence_compares_a_distribution_with_each_row_of_a_batch():
    """kl_divergence([0.2, 0.3, 0.5], [[0.5, 0.5, 0], [0.2, 0.3, 0.5]]) was [-0.183, -0.153, inf]."""
    p, q = np.array([0.2, 0.3, 0.5]), np.array([[0.5, 0.5, 0.0], [0.2, 0.3, 0.5]])
    got = kl_divergence(p, q)
    assert got.shape == (2,)
    expected = [float(mp_kl_terms(p, row)[0]) for row in q]
    np.testing.assert_array_equal(got, expected)  # [inf, 0]
    np.testing.assert_array_equal(kl_divergence(q, p), [float(mp_kl_terms(row, p)[0]) for row in q])
    np.testing.assert_array_equal(kl_divergence(p[:, None], q.T, axis=0), got)


@pytest.mark.filterwarnings("error")
def test_temperature_brings_back_differences_beyond_the_float_range():
    """softmax([1e308, -1e308, 0], T=1e308) was [0.731, 0, 0.269]; log_softmax(..., T=2)[1] was -inf."""
    x = np.array([1e308, -1e308, 0.0])
    np.testing.assert_allclose(softmax(x, temperature=1e308), ref_softmax(x, temperature=1e308), rtol=1e-15)
    got = log_softmax(x, temperature=2.0)
    np.testing.assert_allclose(got, ref_log_softmax(x, temperature=2.0), rtol=1e-15)
    assert got[1] == -1e308
    np.testing.assert_allclose(logsumexp([1e308, -1.7e308], temperature=1.5e308),
                               ref_logsumexp(np.array([1e308, -1.7e308]), temperature=1.5e308), rtol=1e-15)


FORMER_MEMORY = {  # peak extra they took on 10^4 x 10^3 float64 (hardmax: float32), logsumexp on (2.5M, 4)
    "binary_cross_entropy_with_logits": "490 MB",
    "softmax_squared_error_grad": "400 MB",
    "cross_entropy_grad": "320 MB",
    "hardmax float32": "170 MB",
    "logsumexp (2.5M, 4)": "106 MB for a 20 MB output",
}


@pytest.mark.parametrize("name", list(FORMER_MEMORY))
def test_functions_that_took_hundreds_of_megabytes(name, big_inputs):
    """These took the peaks in FORMER_MEMORY; now each stays within a few blocks beyond its output."""
    test_memory_stays_near_the_output(name, big_inputs)


def test_check_gradient_names_grad_when_it_is_not_callable():
    """check_gradient(logsumexp, 3, x) said "'int' object is not callable"."""
    assert_rejects(check_gradient, (logsumexp, 3, np.ones(3)), names="grad must be callable", errors=TypeError)


def test_numerical_jacobian_names_the_shapes_that_differ():
    """A shape change was reported as "got (1,) and (1,)"."""
    def f(v):  # f(x) and f(x + h) have shape (1,), f(x - h) (2,)
        return np.ones(2 if v[0] < 1.0 else 1)

    with pytest.raises(ValueError) as excinfo:
        numerical_jacobian(f, np.array([1.0]))
    message = str(excinfo.value)
    assert "(1,)" in message and "(2,)" in message and "x - h e_0" in message
    assert_rejects(numerical_jacobian, (f, np.array([1.0])), names="f must return the same shape", errors=ValueError)
