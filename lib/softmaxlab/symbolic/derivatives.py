"""SymPy derivations of the derivatives of softmax and of the cross-entropy loss (chapters 2-3)."""

from __future__ import annotations

import sympy as sp

from softmaxlab._validation import check_bool, check_int
from softmaxlab.symbolic.definition import _size, logits, logsumexp_sym, sigmoid_sym, softmax_sym

__all__ = [
    "softmax_jacobian_sym",
    "softmax_jacobian_closed_form",
    "cross_entropy_sym",
    "cross_entropy_gradient_sym",
    "softmax_index_form",
    "softmax_jacobian_index_form",
    "softmax_jacobian_index_residual",
    "softmax_jacobian_residual",
    "jacobian_quadratic_form_residual",
    "logsumexp_gradient_residual",
    "logsumexp_hessian_sym",
    "logsumexp_hessian_residual",
    "softmax_second_derivative_sym",
    "softmax_second_derivative_closed_form",
    "softmax_second_derivative_residual",
    "sigmoid_derivative_residual",
    "binary_cross_entropy_sym",
    "binary_cross_entropy_gradient_residual",
    "binary_cross_entropy_is_two_class_cross_entropy",
    "bernoulli_glm_residuals",
    "categorical_glm_residuals",
]


def softmax_jacobian_sym(n: int) -> sp.Matrix:
    """The Jacobian ``J[i, j] = d softmax(z)_i / d z_j``, differentiated from the definition.

    Parameters
    ----------
    n : int
        The number of scores, ``1 <= n <= 96`` (the cost grows quickly with ``n``).

    Examples
    --------
    >>> J = softmax_jacobian_sym(2)
    >>> J.shape
    (2, 2)
    >>> sp.simplify(J - softmax_jacobian_closed_form(2)) == sp.zeros(2, 2)
    True
    """
    n = _size(n, "n", 96)
    z = logits(n)
    a = softmax_sym(z)
    return sp.Matrix(n, n, lambda i, j: sp.diff(a[i], z[j]))


def softmax_jacobian_closed_form(n: int) -> sp.Matrix:
    """``diag(a) - a a^T`` with ``a = softmax(z)``: entry ``a_i (delta_ij - a_j)``.

    Parameters
    ----------
    n : int
        The number of scores, ``1 <= n <= 512`` (the cost grows quickly with ``n``).

    Examples
    --------
    >>> softmax_jacobian_closed_form(2)[0, 1]
    -exp(z_1)*exp(z_2)/(exp(z_1) + exp(z_2))**2
    """
    n = _size(n, "n", 512)
    a = softmax_sym(logits(n))
    return sp.Matrix(n, n, lambda i, j: a[i] * (sp.KroneckerDelta(i, j) - a[j]))


def cross_entropy_sym(n: int, label: int) -> sp.Expr:
    """``-log softmax(z)_label``: the cross-entropy of a one-hot target at class ``label`` (0-based).

    Parameters
    ----------
    n : int
        The number of classes, ``1 <= n <= 1024`` (the cost grows quickly with ``n``).
    label : int
        The target class, ``0 <= label < n``.

    Examples
    --------
    >>> cross_entropy_sym(2, 0)
    -log(exp(z_1)/(exp(z_1) + exp(z_2)))
    >>> cross_entropy_sym(2, 2)
    Traceback (most recent call last):
    ...
    ValueError: label must be an integer between 0 and 1, got 2
    """
    n = _size(n, "n", 1024)
    label = check_int(label, "label", minimum=0, maximum=n - 1)
    return -sp.log(softmax_sym(logits(n))[label])


def cross_entropy_gradient_sym(n: int, label: int) -> list[sp.Expr]:
    """``d CE / d z_j - (p_j - y_j)`` for each ``j``, simplified: all zeros, i.e. the gradient is ``p - y``.

    Parameters
    ----------
    n : int
        The number of classes, ``1 <= n <= 256`` (the cost grows quickly with ``n``).
    label : int
        The target class, ``0 <= label < n``.

    Examples
    --------
    >>> cross_entropy_gradient_sym(3, 1)
    [0, 0, 0]
    """
    n = _size(n, "n", 256)
    label = check_int(label, "label", minimum=0, maximum=n - 1)
    z = logits(n)
    p = softmax_sym(z)
    loss = cross_entropy_sym(n, label)
    return [_simplify_in_exp(sp.diff(loss, z[j]) - (p[j] - (1 if j == label else 0)), z) for j in range(n)]


# --------------------------------------------------------------------------- helpers


def _positive_symbols(n: int, name: str) -> list[sp.Symbol]:
    return list(sp.symbols(f"{name}_1:{n + 1}", positive=True))


def _simplify_in_exp(expr: sp.Expr, z: list[sp.Symbol]) -> sp.Expr:
    """Simplify an expression in ``exp(z_j)``: with ``z_j = log w_j`` it is a rational function of ``w``.

    Substituting ``w_j = exp(z_j) > 0`` turns every derivative of softmax
    into a rational function, which ``cancel`` reduces to a canonical form in
    a fraction of the time ``simplify`` takes; a zero there is a proof of zero.
    Nonzero results are returned in the original variables, simplified.
    """
    w = _positive_symbols(len(z), "w")
    rational = sp.cancel(sp.together(expr.subs({zj: sp.log(wj) for zj, wj in zip(z, w)})))
    return sp.Integer(0) if rational == 0 else sp.simplify(expr)


# --------------------------------------------------------------------------- the Jacobian in index form


def _index_symbols():
    z = sp.IndexedBase("z", real=True)
    i, j, k = sp.symbols("i j k", integer=True, positive=True)
    n = sp.Symbol("n", integer=True, positive=True)
    return z, i, j, k, n


def softmax_index_form(index: str = "i") -> sp.Expr:
    """``p_i = exp(z_i) / sum_{k=1}^n exp(z_k)`` for symbolic ``n`` and index ``i`` (or ``j``).

    Parameters
    ----------
    index : str
        ``"i"`` (default) or ``"j"``: the index of the entry.

    Examples
    --------
    >>> softmax_index_form()
    exp(z[i])/Sum(exp(z[k]), (k, 1, n))
    >>> softmax_index_form("k")
    Traceback (most recent call last):
    ...
    ValueError: index must be 'i' or 'j', got 'k'
    """
    if not isinstance(index, str):
        raise TypeError(f"index must be the string 'i' or 'j', got {index!r}")
    if index not in ("i", "j"):
        raise ValueError(f"index must be 'i' or 'j', got {index!r}")
    z, i, j, k, n = _index_symbols()
    idx = {"i": i, "j": j}[index]
    return sp.exp(z[idx]) / sp.Sum(sp.exp(z[k]), (k, 1, n))


def softmax_jacobian_index_form(evaluate: bool = True) -> sp.Expr:
    """``d p_i / d z_j`` differentiated by SymPy from :func:`softmax_index_form`, for any ``n``.

    With ``evaluate=False``: the quotient rule as SymPy writes it, the
    derivative of the sum still a sum of Kronecker deltas. With
    ``evaluate=True`` (default) that sum is carried out: ``sum_k delta_jk
    exp(z_k) = exp(z_j)``, valid because ``j`` is one of ``1, ..., n``.

    Parameters
    ----------
    evaluate : bool
        True (default) or False; other values raise TypeError.

    Examples
    --------
    >>> softmax_jacobian_index_form(evaluate=False)
    exp(z[i])*KroneckerDelta(i, j)/Sum(exp(z[k]), (k, 1, n)) - exp(z[i])*Sum(exp(z[k])*KroneckerDelta(j, k), (k, 1, n))/Sum(exp(z[k]), (k, 1, n))**2
    >>> softmax_jacobian_index_form()
    -exp(z[i])*exp(z[j])/Sum(exp(z[k]), (k, 1, n))**2 + exp(z[i])*KroneckerDelta(i, j)/Sum(exp(z[k]), (k, 1, n))
    """
    evaluate = check_bool(evaluate, "evaluate")
    z, i, j, k, n = _index_symbols()
    derivative = sp.diff(softmax_index_form("i"), z[j])
    if not evaluate:
        return derivative
    # sum_k delta_jk exp(z_k) = exp(z_j) for 1 <= j <= n
    return derivative.replace(
        lambda e: isinstance(e, sp.Sum) and e.has(sp.KroneckerDelta),
        lambda e: e.function.subs(k, j) if e.function.has(sp.KroneckerDelta(j, k)) else e,
    ).subs(sp.KroneckerDelta(j, j), 1)


def softmax_jacobian_index_residual() -> sp.Expr:
    """``d p_i / d z_j - p_i (delta_ij - p_j)`` in index form, simplified: 0 for every ``n``.

    Examples
    --------
    >>> softmax_jacobian_index_residual()
    0
    """
    _, i, j, _, _ = _index_symbols()
    p_i, p_j = softmax_index_form("i"), softmax_index_form("j")
    return sp.simplify(softmax_jacobian_index_form() - p_i * (sp.KroneckerDelta(i, j) - p_j))


def softmax_jacobian_residual(n: int) -> sp.Matrix:
    """The Jacobian from the definition minus ``diag(p) - p p^T``, for ``n`` symbols: the zero matrix.

    Parameters
    ----------
    n : int
        The number of scores, ``1 <= n <= 64`` (the cost grows quickly with ``n``).

    Examples
    --------
    >>> softmax_jacobian_residual(4) == sp.zeros(4, 4)
    True
    """
    n = _size(n, "n", 64)
    z = logits(n)
    difference = softmax_jacobian_sym(n) - softmax_jacobian_closed_form(n)
    return difference.applyfunc(lambda e: _simplify_in_exp(e, z))


# --------------------------------------------------------------------------- properties of the Jacobian


def jacobian_quadratic_form_residual(n: int) -> sp.Expr:
    """``v^T J v - Var_p(v)`` with ``J`` from the definition and ``Var_p(v) = sum p v^2 - (sum p v)^2``: 0.

    So ``v^T J v >= 0``: the Jacobian is positive semidefinite, and
    ``v^T J v = 0`` only for ``v`` constant where ``p > 0``.

    Parameters
    ----------
    n : int
        The number of scores, ``1 <= n <= 32`` (the cost grows quickly with ``n``).

    Examples
    --------
    >>> jacobian_quadratic_form_residual(3)
    0
    """
    n = _size(n, "n", 32)
    z = logits(n)
    p = softmax_sym(z)
    v = sp.Matrix(sp.symbols(f"v_1:{n + 1}", real=True))
    quadratic = (v.T * softmax_jacobian_sym(n) * v)[0, 0]
    mean = sum(pi * vi for pi, vi in zip(p, v))
    variance = sum(pi * vi**2 for pi, vi in zip(p, v)) - mean**2
    return _simplify_in_exp(quadratic - variance, z)


# --------------------------------------------------------------------------- logsumexp


def logsumexp_gradient_residual(n: int) -> list[sp.Expr]:
    """``d logsumexp(z) / d z_j - softmax(z)_j`` for each ``j``, simplified: all 0.

    Parameters
    ----------
    n : int
        The number of scores, ``1 <= n <= 512`` (the cost grows quickly with ``n``).

    Examples
    --------
    >>> logsumexp_gradient_residual(3)
    [0, 0, 0]
    """
    n = _size(n, "n", 512)
    z = logits(n)
    lse, p = logsumexp_sym(z), softmax_sym(z)
    return [_simplify_in_exp(sp.diff(lse, zj) - pj, z) for zj, pj in zip(z, p)]


def logsumexp_hessian_sym(n: int) -> sp.Matrix:
    """The Hessian ``d^2 logsumexp(z) / (d z_i d z_j)``, differentiated from the definition.

    Parameters
    ----------
    n : int
        The number of scores, ``1 <= n <= 128`` (the cost grows quickly with ``n``).

    Examples
    --------
    >>> logsumexp_hessian_sym(2)[0, 1]
    -exp(z_1)*exp(z_2)/(exp(z_1) + exp(z_2))**2
    """
    n = _size(n, "n", 128)
    z = logits(n)
    return sp.hessian(logsumexp_sym(z), z)


def logsumexp_hessian_residual(n: int) -> sp.Matrix:
    """The Hessian of logsumexp minus ``diag(p) - p p^T``: the zero matrix.

    With :func:`jacobian_quadratic_form_residual` this proves logsumexp
    convex: its Hessian is the softmax Jacobian, whose quadratic form is a variance.

    Parameters
    ----------
    n : int
        The number of scores, ``1 <= n <= 48`` (the cost grows quickly with ``n``).

    Examples
    --------
    >>> logsumexp_hessian_residual(3) == sp.zeros(3, 3)
    True
    """
    n = _size(n, "n", 48)
    z = logits(n)
    difference = logsumexp_hessian_sym(n) - softmax_jacobian_closed_form(n)
    return difference.applyfunc(lambda e: _simplify_in_exp(e, z))


# --------------------------------------------------------------------------- second derivative


def softmax_second_derivative_sym(n: int) -> sp.Array:
    """``T[i, j, k] = d^2 p_i / (d z_j d z_k)``, differentiated twice from the definition.

    Parameters
    ----------
    n : int
        The number of scores, ``1 <= n <= 12`` (the cost grows quickly with ``n``).

    Examples
    --------
    >>> softmax_second_derivative_sym(2).shape
    (2, 2, 2)
    """
    n = _size(n, "n", 12)
    z = logits(n)
    p = softmax_sym(z)
    return sp.Array([[[sp.diff(p[i], z[j], z[k]) for k in range(n)] for j in range(n)] for i in range(n)])


def softmax_second_derivative_closed_form(n: int) -> sp.Array:
    """``p_i ((delta_ij - p_j)(delta_ik - p_k) - p_j (delta_jk - p_k))``.

    In matrix form, the Hessian of output ``i`` is
    ``p_i ((e_i - p)(e_i - p)^T - (diag(p) - p p^T))``.

    Parameters
    ----------
    n : int
        The number of scores, ``1 <= n <= 32`` (the cost grows quickly with ``n``).

    Examples
    --------
    >>> T = softmax_second_derivative_closed_form(2)
    >>> sp.simplify(T[0, 0, 0] - softmax_second_derivative_sym(2)[0, 0, 0])
    0
    """
    n = _size(n, "n", 32)
    p = softmax_sym(logits(n))
    d = sp.KroneckerDelta
    return sp.Array(
        [
            [[p[i] * ((d(i, j) - p[j]) * (d(i, k) - p[k]) - p[j] * (d(j, k) - p[k])) for k in range(n)] for j in range(n)]
            for i in range(n)
        ]
    )


def softmax_second_derivative_residual(n: int) -> sp.Array:
    """Second derivatives from the definition minus the closed form, simplified: all zeros.

    Parameters
    ----------
    n : int
        The number of scores, ``1 <= n <= 12`` (the cost grows quickly with ``n``).

    Examples
    --------
    >>> softmax_second_derivative_residual(3) == sp.MutableDenseNDimArray.zeros(3, 3, 3)
    True
    """
    n = _size(n, "n", 12)
    z = logits(n)
    difference = softmax_second_derivative_sym(n) - softmax_second_derivative_closed_form(n)
    return difference.applyfunc(lambda e: _simplify_in_exp(e, z))


# --------------------------------------------------------------------------- sigmoid and binary cross-entropy


def _logit_and_target() -> tuple[sp.Symbol, sp.Symbol]:
    return sp.Symbol("t", real=True), sp.Symbol("y", real=True)


def sigmoid_derivative_residual() -> sp.Expr:
    """``sigmoid'(t) - sigmoid(t) (1 - sigmoid(t))``, simplified: 0.

    Examples
    --------
    >>> sigmoid_derivative_residual()
    0
    """
    t, _ = _logit_and_target()
    s = sigmoid_sym(t)
    return sp.simplify(sp.diff(s, t) - s * (1 - s))


def binary_cross_entropy_sym() -> sp.Expr:
    """``-y log sigmoid(t) - (1 - y) log(1 - sigmoid(t))`` in the logit ``t`` and target ``y``.

    Examples
    --------
    >>> binary_cross_entropy_sym()
    -y*log(1/(1 + exp(-t))) - (1 - y)*log(1 - 1/(1 + exp(-t)))
    """
    t, y = _logit_and_target()
    s = sigmoid_sym(t)
    return -y * sp.log(s) - (1 - y) * sp.log(1 - s)


def binary_cross_entropy_gradient_residual() -> sp.Expr:
    """``d BCE / d t - (sigmoid(t) - y)``, simplified: 0. The two-class ``p - y``.

    Examples
    --------
    >>> binary_cross_entropy_gradient_residual()
    0
    """
    t, y = _logit_and_target()
    return sp.simplify(sp.diff(binary_cross_entropy_sym(), t) - (sigmoid_sym(t) - y))


def binary_cross_entropy_is_two_class_cross_entropy() -> sp.Expr:
    """BCE at logit ``t`` minus the softmax cross-entropy at logits ``(t, 0)`` with target ``(y, 1 - y)``: 0.

    Examples
    --------
    >>> binary_cross_entropy_is_two_class_cross_entropy()
    0
    """
    t, y = _logit_and_target()
    p = softmax_sym([t, sp.Integer(0)])
    cross_entropy = -y * sp.log(p[0]) - (1 - y) * sp.log(p[1])
    return sp.simplify(sp.expand_log(binary_cross_entropy_sym() - cross_entropy, force=True))


# --------------------------------------------------------------------------- GLM canonical links


def bernoulli_glm_residuals() -> dict[str, sp.Expr]:
    """The Bernoulli distribution as an exponential family, and its canonical link; every entry is 0.

    With natural parameter ``theta`` and log-partition ``A(theta) = log(1 + e^theta)``:

    - ``"log_density"``: ``y log mu + (1 - y) log(1 - mu) - (y theta - A(theta))`` at ``mu = sigmoid(theta)``;
    - ``"mean"``: ``A'(theta) - sigmoid(theta)`` (the mean is the sigmoid of the natural parameter);
    - ``"variance"``: ``A''(theta) - mu (1 - mu)``;
    - ``"link"``: ``logit(sigmoid(theta)) - theta`` (the canonical link, the logit, inverts the sigmoid).

    Examples
    --------
    >>> bernoulli_glm_residuals()
    {'log_density': 0, 'mean': 0, 'variance': 0, 'link': 0}
    """
    theta, y = sp.Symbol("theta", real=True), sp.Symbol("y", real=True)
    A = sp.log(1 + sp.exp(theta))
    mu = sigmoid_sym(theta)
    log_density = y * sp.log(mu) + (1 - y) * sp.log(1 - mu)
    return {
        "log_density": sp.simplify(sp.expand_log(log_density - (y * theta - A), force=True)),
        "mean": sp.simplify(sp.diff(A, theta) - mu),
        "variance": sp.simplify(sp.diff(A, theta, 2) - mu * (1 - mu)),
        "link": sp.simplify(sp.expand_log(sp.log(mu / (1 - mu)), force=True) - theta),
    }


def categorical_glm_residuals(n: int) -> dict[str, object]:
    """The categorical distribution on ``n`` classes as an exponential family; every residual is 0.

    With natural parameters ``eta`` and log-partition ``A(eta) = logsumexp(eta)``:

    - ``"log_density"``: ``log softmax(eta)_c - (eta_c - A(eta))`` for each class ``c`` (list);
    - ``"mean"``: ``grad A - softmax(eta)`` (list): the mean of the one-hot ``y`` is the softmax;
    - ``"covariance"``: ``hess A - (diag(p) - p p^T)`` (matrix): the covariance of ``y`` is the Jacobian;
    - ``"link"``: ``softmax(log mu) - mu`` for ``mu`` on the simplex (list): the canonical link
      ``eta = log mu`` (up to a constant) is inverted by softmax.

    Parameters
    ----------
    n : int
        The number of classes, ``1 <= n <= 48`` (the cost grows quickly with ``n``).

    Examples
    --------
    >>> r = categorical_glm_residuals(3)
    >>> r["log_density"], r["mean"], r["link"], r["covariance"] == sp.zeros(3, 3)
    ([0, 0, 0], [0, 0, 0], [0, 0, 0], True)
    """
    n = _size(n, "n", 48)
    eta = logits(n, "eta")
    p = softmax_sym(eta)
    A = logsumexp_sym(eta)
    log_density = [_simplify_in_exp(sp.expand_log(sp.log(p[c]), force=True) - (eta[c] - A), eta) for c in range(n)]
    mean = [_simplify_in_exp(sp.diff(A, e) - pe, eta) for e, pe in zip(eta, p)]
    covariance = (sp.hessian(A, eta) - sp.Matrix(n, n, lambda i, j: p[i] * (sp.KroneckerDelta(i, j) - p[j]))).applyfunc(
        lambda e: _simplify_in_exp(e, eta)
    )
    free = _positive_symbols(n - 1, "mu")
    mu = [*free, 1 - sum(free)]
    link = [sp.simplify(a - b) for a, b in zip(softmax_sym([sp.log(m) for m in mu]), mu)]
    return {"log_density": log_density, "mean": mean, "covariance": covariance, "link": link}
