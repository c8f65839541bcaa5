"""SymPy derivation for multinomial logistic regression (:mod:`softmaxlab.regression`): adding the same
vector to every class's weights leaves the probabilities unchanged, so the weights are determined
only up to that shift.
"""

from __future__ import annotations

import sympy as sp

from softmaxlab.symbolic.core import _matrix, _size, _softmax_of, _vector

__all__ = [
    "softmax_regression_shift_identity",
]


def softmax_regression_shift_identity(n_classes: int = 3, n_features: int = 2) -> dict[str, list[sp.Expr]]:
    r"""Adding one vector to every class's weights (and one number to every bias) changes no probability.

    For ``p(k | x) = softmax_k(w_k . x + b_k)`` and any ``v``, ``c``:
    ``softmax_k((w_k + v) . x + b_k + c) = softmax_k(w_k . x + b_k)``, because
    every score moves by the same ``v . x + c``. So the weights of
    multinomial logistic regression are determined only up to such a shift,
    and the log-likelihood is flat along it: the derivatives of
    ``log p(y | x)`` with respect to ``w_{k,j}`` sum to 0 over ``k``, for every
    label ``y`` and feature ``j``.

    Parameters
    ----------
    n_classes : int, optional
        ``2 <= n_classes <= 6``.
    n_features : int, optional
        ``1 <= n_features <= 4``.

    Returns
    -------
    dict
        ``"difference"``: shifted minus unshifted probabilities (all 0), and
        ``"gradient_sum"``: for each label ``y`` (outer list) and feature
        ``j``, ``sum_k d log p(y|x) / d w_{k,j}`` (all 0).

    Examples
    --------
    >>> out = softmax_regression_shift_identity(3, 2)
    >>> out["difference"], out["gradient_sum"][0]
    ([0, 0, 0], [0, 0])
    """
    n_classes = _size(n_classes, "n_classes", 6, minimum=2)
    n_features = _size(n_features, "n_features", 4)
    W = _matrix("w", n_classes, n_features, real=True)
    b = _vector("b", n_classes, real=True)
    x = _vector("x", n_features, real=True)
    v = _vector("v", n_features, real=True)
    c = sp.Symbol("c", real=True)
    scores = [sum(W[k, j] * x[j] for j in range(n_features)) + b[k] for k in range(n_classes)]
    shifted = [s + sum(vj * xj for vj, xj in zip(v, x)) + c for s in scores]
    p, p_shifted = _softmax_of(scores, "scores"), _softmax_of(shifted, "scores")
    difference = [sp.simplify(a - b_) for a, b_ in zip(p_shifted, p)]
    gradient_sum = []
    for y in range(n_classes):
        log_p = scores[y] - sp.log(sum(sp.exp(s) for s in scores))
        gradient_sum.append(
            [sp.simplify(sum(sp.diff(log_p, W[k, j]) for k in range(n_classes))) for j in range(n_features)]
        )
    return {"difference": difference, "gradient_sum": gradient_sum}
