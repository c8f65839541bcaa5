"""SymPy derivations of softmax as the posterior of generative classifiers (:mod:`softmaxlab.generative`).

Bayes' rule with Gaussian class-conditionals of a shared covariance (linear discriminant
analysis) and with naive Bayes: both give a softmax of scores linear in the input.
"""

from __future__ import annotations

import itertools

import sympy as sp

from softmaxlab.symbolic.core import _size, _vector

__all__ = [
    "lda_posterior_sym",
    "naive_bayes_posterior_sym",
]


def lda_posterior_sym(n_classes: int = 2, dim: int = 2) -> dict[str, object]:
    r"""Gaussian classes with a shared covariance: the posterior is softmax of linear scores (LDA).

    With priors ``pi_k`` and class-conditional densities
    ``N(x | mu_k, Sigma)`` (one covariance for every class), Bayes' rule gives
    ``P(k | x) = softmax_k(a_k)`` with ``a_k = log pi_k + log N(x | mu_k, Sigma)``.
    Expanding the quadratic form,

    .. math:: a_k = \underbrace{x^\top \Sigma^{-1} \mu_k
              - \tfrac12 \mu_k^\top \Sigma^{-1} \mu_k + \log \pi_k}_{s_k}
              \; \underbrace{- \tfrac12 x^\top \Sigma^{-1} x - \tfrac12 \log\det(2\pi\Sigma)}_{r(x)},

    and ``r(x)`` is the same for every class, so ``softmax(a) = softmax(s)``:
    linear scores with weights ``w_k = Sigma^{-1} mu_k`` and biases
    ``b_k = -mu_k^T Sigma^{-1} mu_k / 2 + log pi_k``.

    Parameters
    ----------
    n_classes : int, optional
        ``2 <= n_classes <= 4``.
    dim : int, optional
        Dimension of ``x``, ``1 <= dim <= 2`` (a general symbolic covariance
        of dimension 3 takes SymPy minutes).

    Returns
    -------
    dict
        ``"weights"`` (``Sigma^{-1} mu_k``, one column matrix per class),
        ``"biases"``, ``"remainder"`` (``a_1 - s_1``, which depends on ``x`` and
        ``Sigma`` only) and ``"differences"`` (``(a_k - s_k) - (a_1 - s_1)``
        for every class, simplified: all 0).

    Examples
    --------
    >>> out = lda_posterior_sym(3, 1)
    >>> out["differences"]
    [0, 0, 0]
    >>> out["weights"][0]
    Matrix([[mu_1_1/Sigma_11]])
    """
    n_classes = _size(n_classes, "n_classes", 4, minimum=2)
    dim = _size(dim, "dim", 2)
    x = sp.Matrix(_vector("x", dim, real=True))
    entries = {(i, j): sp.Symbol(f"Sigma_{min(i, j) + 1}{max(i, j) + 1}", real=True)
               for i in range(dim) for j in range(dim)}
    if dim == 1:
        entries = {(0, 0): sp.Symbol("Sigma_11", positive=True)}
    Sigma = sp.Matrix(dim, dim, lambda i, j: entries[(i, j)])
    inverse = Sigma.inv()
    log_det = sp.log(Sigma.det())
    pis = _vector("pi", n_classes, positive=True)
    mus = [sp.Matrix(_vector(f"mu_{k + 1}", dim, real=True)) for k in range(n_classes)]

    def log_gaussian(mu):
        d = x - mu
        return -(d.T * inverse * d)[0] / 2 - dim * sp.log(2 * sp.pi) / 2 - log_det / 2

    weights = [sp.simplify(inverse * mu) for mu in mus]
    biases = [-(mu.T * inverse * mu)[0] / 2 + sp.log(pi) for mu, pi in zip(mus, pis)]
    remainders = [
        sp.log(pi) + log_gaussian(mu) - ((x.T * w)[0] + b) for pi, mu, w, b in zip(pis, mus, weights, biases)
    ]
    differences = [sp.simplify(sp.expand(r - remainders[0])) for r in remainders]
    return {
        "weights": weights,
        "biases": [sp.simplify(b) for b in biases],
        "remainder": sp.simplify(remainders[0]),
        "differences": differences,
    }


def naive_bayes_posterior_sym(n_classes: int = 2, n_features: int = 3) -> dict[str, object]:
    r"""Naive Bayes: the posterior is softmax of a sum of log-likelihoods; for binary features, of linear scores.

    With priors ``pi_k`` and features independent given the class,
    ``P(x | k) = prod_j P(x_j | k)``, Bayes' rule is
    ``P(k | x) = softmax_k(log pi_k + sum_j log P(x_j | k))``. For binary
    features, ``P(x_j | k) = theta_{kj}^{x_j} (1 - theta_{kj})^{1 - x_j}``, and
    the sum is linear in ``x``: weights ``w_{kj} = log(theta_{kj} / (1 - theta_{kj}))``
    (a log-odds) and biases ``b_k = log pi_k + sum_j log(1 - theta_{kj})``.
    Both identities are checked at each of the ``2**n_features`` binary inputs.

    Parameters
    ----------
    n_classes : int, optional
        ``2 <= n_classes <= 3``.
    n_features : int, optional
        ``1 <= n_features <= 3`` (each size up multiplies SymPy's work).

    Returns
    -------
    dict
        ``"log_joint"`` (``log pi_k + sum_j log P(x_j | k)`` per class, in the
        real symbols ``x_j``), ``"weights"`` (rows ``w_k``), ``"biases"``,
        ``"bayes_difference"`` (Bayes' rule ``pi_k P(x | k) / sum_l pi_l P(x | l)``
        minus ``softmax(log_joint)_k``) and ``"linear_difference"``
        (``log_joint`` minus ``w_k . x + b_k``), each a list over the binary
        inputs (in the order of ``itertools.product``) of per-class
        differences, simplified: all 0.

    Examples
    --------
    >>> out = naive_bayes_posterior_sym(2, 2)
    >>> out["bayes_difference"][0], out["linear_difference"][-1]
    ([0, 0], [0, 0])
    >>> out["weights"][0][0]
    log(theta_11/(1 - theta_11))
    """
    n_classes = _size(n_classes, "n_classes", 3, minimum=2)
    n_features = _size(n_features, "n_features", 3)
    K, D = range(n_classes), range(n_features)
    pis = _vector("pi", n_classes, positive=True)
    theta = [[sp.Symbol(f"theta_{k + 1}{j + 1}", positive=True) for j in D] for k in K]
    x = _vector("x", n_features, real=True)
    log_joint = [
        sp.log(pis[k]) + sum(x[j] * sp.log(theta[k][j]) + (1 - x[j]) * sp.log(1 - theta[k][j]) for j in D) for k in K
    ]
    weights = [[sp.log(theta[k][j] / (1 - theta[k][j])) for j in D] for k in K]
    biases = [sp.log(pis[k]) + sum(sp.log(1 - theta[k][j]) for j in D) for k in K]
    bayes_difference, linear_difference = [], []
    for bits in itertools.product((0, 1), repeat=n_features):
        at = dict(zip(x, bits))
        joint = [pis[k] * sp.Mul(*[theta[k][j] if bits[j] else 1 - theta[k][j] for j in D]) for k in K]
        posterior = [j_k / sum(joint) for j_k in joint]
        scores = [sp.expand(sp.expand_power_exp(sp.exp(a.subs(at)))) for a in log_joint]  # exp(log joint) = joint
        softmax_of_log_joint = [s / sum(scores) for s in scores]
        bayes_difference.append([sp.simplify(p - q) for p, q in zip(posterior, softmax_of_log_joint)])
        linear_difference.append([
            sp.simplify(sp.expand_log(
                log_joint[k].subs(at) - sum(weights[k][j] * bits[j] for j in D) - biases[k], force=True
            ))
            for k in K
        ])
    return {
        "log_joint": log_joint,
        "weights": weights,
        "biases": biases,
        "bayes_difference": bayes_difference,
        "linear_difference": linear_difference,
    }
