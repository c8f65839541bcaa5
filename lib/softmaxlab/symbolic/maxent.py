"""SymPy derivations of softmax as the maximum-entropy distribution (the results of :mod:`softmaxlab.maxent`).

Lagrange stationarity under a mean-energy constraint gives the Boltzmann distribution; under
conditional feature constraints it gives softmax of linear scores.
"""

from __future__ import annotations

import sympy as sp

from softmaxlab.symbolic.core import _size, _softmax_of, _vector, logits, softmax_sym
from softmaxlab.symbolic.thermo import beta

__all__ = [
    "max_entropy_lagrange",
    "conditional_maxent_lagrange",
]


def max_entropy_lagrange(n: int) -> dict[str, object]:
    """Maximise ``H(p) = -sum p_i log p_i`` subject to ``sum p_i = 1`` and ``sum p_i z_i = mu``.

    The Lagrangian is ``L = H(p) + alpha (sum p - 1) + beta (sum p z - mu)``.
    Setting ``dL/dp_i = 0`` gives ``p_i = exp(alpha - 1 + beta z_i)``; the
    normalisation fixes ``alpha``, and the result is ``softmax(beta z)``: the
    maximum-entropy distribution with a given expected score is a softmax
    (with ``z = -E``, the Boltzmann distribution). ``beta`` is whatever value
    makes the expected score equal ``mu``.

    Parameters
    ----------
    n : int
        The number of states, ``1 <= n <= 16`` (the cost grows quickly with ``n``).

    Returns
    -------
    dict
        ``"lagrangian"``, ``"stationarity"`` (the equations ``dL/dp_i = 0``),
        ``"p"`` (each ``p_i`` solved from its equation), ``"alpha"`` (from the
        normalisation), ``"solution"`` (the ``p_i`` with ``alpha`` substituted),
        ``"difference"`` (solution minus ``softmax(beta z)``, simplified: all 0)
        and ``"hessian"`` (of ``H``: ``-diag(1/p_i)``, negative definite, so the
        stationary point is the maximum).

    Examples
    --------
    >>> result = max_entropy_lagrange(3)
    >>> result["difference"]
    [0, 0, 0]
    >>> result["p"][0]
    exp(alpha + beta*z_1 - 1)
    """
    n = _size(n, "n", 16)
    z = logits(n)
    p = list(sp.symbols(f"p_1:{n + 1}", positive=True))
    alpha, mu = sp.symbols("alpha mu", real=True)
    H = -sum(pi * sp.log(pi) for pi in p)
    L = H + alpha * (sum(p) - 1) + beta * (sum(pi * zi for pi, zi in zip(p, z)) - mu)
    stationarity = [sp.Eq(sp.diff(L, pi), 0) for pi in p]
    solved = [sp.solve(eq, pi)[0] for eq, pi in zip(stationarity, p)]
    alpha_value = sp.solve(sp.Eq(sum(solved), 1), alpha)[0]
    solution = [sp.simplify(s.subs(alpha, alpha_value)) for s in solved]
    difference = [sp.simplify(s - q) for s, q in zip(solution, softmax_sym(z, beta))]
    hessian = sp.hessian(H, p)
    return {
        "lagrangian": L,
        "stationarity": stationarity,
        "p": solved,
        "alpha": alpha_value,
        "solution": solution,
        "difference": difference,
        "hessian": hessian,
    }


def conditional_maxent_lagrange(n_inputs: int = 2, n_classes: int = 3, n_features: int = 2) -> dict[str, object]:
    r"""Conditional maximum entropy with feature constraints gives softmax of linear scores.

    Inputs ``x = 1, ..., n_inputs`` occur with empirical frequencies ``q_x``;
    the model is a conditional distribution ``p(y | x)`` over ``n_classes``
    classes; features ``f_j(x, y)`` (symbols ``f_{j,x,y}``) have empirical
    expectations ``c_j``. Maximise the conditional entropy
    ``H = -sum_x q_x sum_y p(y|x) log p(y|x)`` subject to matching every
    feature expectation, ``sum_x q_x sum_y p(y|x) f_j(x, y) = c_j``, and to
    normalisation, ``sum_y p(y|x) = 1`` for each ``x``. With multipliers
    ``lambda_j`` and ``alpha_x`` the Lagrangian's stationarity,

    .. math:: -q_x (\log p(y|x) + 1) + q_x \sum_j \lambda_j f_j(x, y) + \alpha_x = 0,

    gives ``p(y|x) proportional to exp(sum_j lambda_j f_j(x, y))``, and the
    normalisation turns it into ``softmax_y(lambda . f(x, y))``: with the
    features ``f(x, y) = x e_y`` (the input copied into class ``y``'s block)
    this is multinomial logistic regression, the weights being the multipliers.

    Parameters
    ----------
    n_inputs : int, optional
        Number of distinct inputs, ``1 <= n_inputs <= 3``.
    n_classes : int, optional
        Number of classes, ``2 <= n_classes <= 4``.
    n_features : int, optional
        Number of feature functions, ``1 <= n_features <= 3`` (larger sizes
        take SymPy minutes).

    Returns
    -------
    dict
        ``"lagrangian"``, ``"stationarity"`` (the equations ``dL/dp(y|x) = 0``,
        row by row), ``"p"`` (each ``p(y|x)`` solved from its equation),
        ``"alpha"`` (each ``alpha_x`` from the normalisation), ``"solution"``
        (``p(y|x)`` with ``alpha`` substituted), ``"difference"`` (solution minus
        ``softmax_y(sum_j lambda_j f_{j,x,y})``, simplified: all 0, one list per
        input) and ``"hessian_diagonal"`` (``d^2 H / d p(y|x)^2 = -q_x / p(y|x)``,
        negative: ``H`` is strictly concave and the only mixed second
        derivatives are 0, so the stationary point is the maximum).

    Examples
    --------
    >>> out = conditional_maxent_lagrange(1, 2, 1)
    >>> out["difference"]
    [[0, 0]]
    >>> out["solution"][0][0]
    exp(f_1_1_1*lambda_1)/(exp(f_1_1_1*lambda_1) + exp(f_1_1_2*lambda_1))
    """
    n_inputs = _size(n_inputs, "n_inputs", 3)
    n_classes = _size(n_classes, "n_classes", 4, minimum=2)
    n_features = _size(n_features, "n_features", 3)
    X, Y, D = range(n_inputs), range(n_classes), range(n_features)
    q = _vector("q", n_inputs, positive=True)
    p = [[sp.Symbol(f"p_{y + 1}|{x + 1}", positive=True) for y in Y] for x in X]
    f = [[[sp.Symbol(f"f_{j + 1}_{x + 1}_{y + 1}", real=True) for y in Y] for x in X] for j in D]
    lam = _vector("lambda", n_features, real=True)
    alpha = _vector("alpha", n_inputs, real=True)
    c = _vector("c", n_features, real=True)
    H = -sum(q[x] * p[x][y] * sp.log(p[x][y]) for x in X for y in Y)
    L = (
        H
        + sum(lam[j] * (sum(q[x] * p[x][y] * f[j][x][y] for x in X for y in Y) - c[j]) for j in D)
        + sum(alpha[x] * (sum(p[x]) - 1) for x in X)
    )
    stationarity = [[sp.Eq(sp.diff(L, p[x][y]), 0) for y in Y] for x in X]
    solved = [[sp.solve(stationarity[x][y], p[x][y])[0] for y in Y] for x in X]
    alpha_values = [sp.solve(sp.Eq(sum(solved[x]), 1), alpha[x])[0] for x in X]
    solution = [[sp.simplify(solved[x][y].subs(alpha[x], alpha_values[x])) for y in Y] for x in X]
    scores = [[sum(lam[j] * f[j][x][y] for j in D) for y in Y] for x in X]
    difference = [
        [sp.simplify(s - t) for s, t in zip(solution[x], _softmax_of(scores[x], "scores"))] for x in X
    ]
    hessian_diagonal = [[sp.simplify(sp.diff(H, p[x][y], 2)) for y in Y] for x in X]
    return {
        "lagrangian": L,
        "stationarity": stationarity,
        "p": solved,
        "alpha": alpha_values,
        "solution": solution,
        "difference": difference,
        "hessian_diagonal": hessian_diagonal,
    }
