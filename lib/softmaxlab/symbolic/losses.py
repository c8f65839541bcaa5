"""SymPy derivations for the loss functions (the results of :mod:`softmaxlab.losses`).

The cross-entropy and its gradient ``p - y`` (also by the chain rule through the Jacobian, as the
cross-entropy gradient exercise asks), binary cross-entropy as two-class cross-entropy, and the
gradient of the distillation loss at a temperature ``T`` and its high-temperature limit.
"""

from __future__ import annotations

import sympy as sp

from softmaxlab._validation import check_int
from softmaxlab.symbolic.core import (
    _simplify_in_exp,
    _size,
    logits,
    sigmoid_sym,
    softmax_sym,
)
from softmaxlab.symbolic.derivatives import _logit_and_target
from softmaxlab.symbolic.thermo import T

__all__ = [
    "cross_entropy_sym",
    "cross_entropy_gradient_sym",
    "binary_cross_entropy_sym",
    "binary_cross_entropy_gradient_residual",
    "binary_cross_entropy_is_two_class_cross_entropy",
    "distillation_gradient_identity",
    "distillation_high_temperature_gradient",
    "cross_entropy_chain_rule_residual",
]


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


def distillation_gradient_identity(n: int) -> list[sp.Expr]:
    """Gradient of the soft-target loss at temperature ``T``, minus ``(q_i - p_i) / T``: all 0.

    The student's logits are ``s``, the teacher's ``t``; the soft targets are
    ``p = softmax(t / T)`` and the student's tempered output ``q = softmax(s / T)``.
    The loss ``-sum_j p_j log q_j`` has gradient ``(q_i - p_i) / T`` with respect
    to ``s_i``: one factor ``1/T`` from the chain rule.

    Parameters
    ----------
    n : int
        The number of classes, ``1 <= n <= 8`` (the cost grows quickly with ``n``).

    Examples
    --------
    >>> distillation_gradient_identity(3)
    [0, 0, 0]
    """
    n = _size(n, "n", 8)
    s = logits(n, "s")
    t = logits(n, "t")
    q = softmax_sym(s, 1 / T)
    p = softmax_sym(t, 1 / T)
    loss = -sum(pj * sp.log(qj) for pj, qj in zip(p, q))
    return [sp.simplify(sp.diff(loss, si) - (qi - pi) / T) for si, qi, pi in zip(s, q, p)]


def distillation_high_temperature_gradient(n: int) -> dict[str, object]:
    """The limit of ``T^2 x`` the soft-target gradient as ``T -> infinity``.

    ``T^2 (q_i - p_i) / T = T (q_i - p_i)`` tends to
    ``((s_i - mean(s)) - (t_i - mean(t))) / n``: a finite limit, so the raw
    gradient shrinks like ``1/T^2`` and multiplying the loss by ``T^2`` keeps its
    scale independent of ``T`` (Hinton, Vinyals and Dean 2015). The limit is
    the gradient of ``sum_i ((s_i - mean s) - (t_i - mean t))^2 / (2n)``: at
    high temperature distillation matches centred logits.

    Parameters
    ----------
    n : int
        The number of classes, ``1 <= n <= 4`` (the cost grows quickly with ``n``).

    Returns
    -------
    dict
        ``"limit"`` (the ``n`` limits), ``"expected"`` (the centred-difference
        formula) and ``"difference"`` (simplified: all 0).

    Examples
    --------
    >>> distillation_high_temperature_gradient(2)["difference"]
    [0, 0]
    """
    n = _size(n, "n", 4)
    s = logits(n, "s")
    t = logits(n, "t")
    q = softmax_sym(s, 1 / T)
    p = softmax_sym(t, 1 / T)
    limit = [sp.limit(T * (qi - pi), T, sp.oo) for qi, pi in zip(q, p)]
    s_bar = sum(s) / n
    t_bar = sum(t) / n
    expected = [((si - s_bar) - (ti - t_bar)) / n for si, ti in zip(s, t)]
    return {
        "limit": limit,
        "expected": expected,
        "difference": [sp.simplify(a - b) for a, b in zip(limit, expected)],
    }


def cross_entropy_chain_rule_residual(n: int) -> list[sp.Expr]:
    """The chain rule for ``CE = -sum_i y_i ln p_i`` minus ``p_j - y_j``, for any target on the simplex.

    ``d CE / d z_j = sum_i (d CE / d p_i)(d p_i / d z_j)`` with ``d CE / d p_i =
    -y_i / p_i`` and the Jacobian ``d p_i / d z_j = p_i (delta_ij - p_j)``.
    The targets ``y`` are symbols with ``y_n = 1 - y_1 - ... - y_{n-1}``, so a
    one-hot target is a special case. Returns one simplified residual per
    ``j``: all 0.

    Parameters
    ----------
    n : int
        The number of classes, ``1 <= n <= 32`` (the cost grows quickly with ``n``).

    Examples
    --------
    >>> cross_entropy_chain_rule_residual(3)
    [0, 0, 0]
    """
    n = _size(n, "n", 32)
    p = list(sp.symbols(f"p_1:{n + 1}", positive=True))
    y_free = list(sp.symbols(f"y_1:{n}", real=True))
    y = [*y_free, 1 - sum(y_free)]
    dce_dp = [-y[i] / p[i] for i in range(n)]
    dp_dz = [[p[i] * (sp.KroneckerDelta(i, j) - p[j]) for j in range(n)] for i in range(n)]
    return [sp.simplify(sum(dce_dp[i] * dp_dz[i][j] for i in range(n)) - (p[j] - y[j])) for j in range(n)]
