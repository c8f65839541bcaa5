"""SymPy derivations of softmax as the inverse link of a generalised linear model (:mod:`softmaxlab.glm`).

The Bernoulli and categorical GLMs' log-likelihood gradients, and the multinomial distribution's
canonical link, the baseline-category logit, whose inverse is softmax.
"""

from __future__ import annotations

import sympy as sp

from softmaxlab.symbolic.core import (
    _simplify_in_exp,
    _size,
    _softmax_of,
    _vector,
    logits,
    logsumexp_sym,
    sigmoid_sym,
    softmax_sym,
)

__all__ = [
    "bernoulli_glm_residuals",
    "categorical_glm_residuals",
    "multinomial_canonical_link_sym",
]


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
    free = _vector("mu", n - 1, positive=True)
    mu = [*free, 1 - sum(free)]
    link = [sp.simplify(a - b) for a, b in zip(softmax_sym([sp.log(m) for m in mu]), mu)]
    return {"log_density": log_density, "mean": mean, "covariance": covariance, "link": link}


def multinomial_canonical_link_sym(n_classes: int = 3) -> dict[str, object]:
    r"""The multinomial GLM: canonical link = baseline-category logit, inverse link = softmax.

    A categorical outcome ``y`` (one-hot) with means ``mu_1, ..., mu_K``
    (positive, summing to 1) has the probability
    ``prod_k mu_k^{y_k} = exp(sum_{k<K} y_k eta_k - b(eta))``, an exponential
    family with natural parameters ``eta_k = log(mu_k / mu_K)`` (the canonical
    link: log-odds against the reference class ``K``) and cumulant function
    ``b(eta) = log(1 + sum_{k<K} exp(eta_k))``. Its inverse link maps
    ``(eta_1, ..., eta_{K-1}, 0)`` to ``softmax``, and ``db / d eta_k = mu_k``.
    A GLM with this link, ``eta_k = x . beta_k``, is softmax regression with
    the reference class's weights fixed at 0.

    Parameters
    ----------
    n_classes : int, optional
        ``2 <= n_classes <= 6``.

    Returns
    -------
    dict
        ``"link"`` (``eta_k`` in terms of ``mu``), ``"cumulant"`` (``b`` in terms
        of ``eta``), ``"inverse_link_difference"`` (``softmax(eta, 0)`` at
        ``eta = link(mu)`` minus ``mu``), ``"mean_difference"``
        (``db/d eta_k`` minus ``softmax(eta, 0)_k``) and
        ``"density_difference"`` (``sum_{k<K} y_k eta_k - b`` minus
        ``sum_k y_k log mu_k`` at each one-hot ``y``): all 0.

    Examples
    --------
    >>> out = multinomial_canonical_link_sym(3)
    >>> out["inverse_link_difference"], out["mean_difference"], out["density_difference"]
    ([0, 0, 0], [0, 0], [0, 0, 0])
    >>> out["link"]
    [log(mu_1/mu_3), log(mu_2/mu_3)]
    """
    n_classes = _size(n_classes, "n_classes", 6, minimum=2)
    mu = _vector("mu", n_classes, positive=True)
    total = sum(mu)  # the constraint sum_k mu_k = 1 is applied by replacing this sum with 1

    def on_simplex(expr):
        return sp.simplify(sp.expand_log(sp.factor_terms(sp.together(expr)), force=True).subs(total, 1))

    eta = _vector("eta", n_classes - 1, real=True)
    link = [sp.log(m / mu[-1]) for m in mu[:-1]]
    cumulant = sp.log(1 + sum(sp.exp(e) for e in eta))
    inverse = _softmax_of(eta + [sp.Integer(0)], "eta")
    inverse_link_difference = [on_simplex(sp.simplify(i.subs(dict(zip(eta, link)))) - m) for i, m in zip(inverse, mu)]
    mean_difference = [sp.simplify(sp.diff(cumulant, e) - i) for e, i in zip(eta, inverse)]
    density_difference = []
    for k in range(n_classes):
        y = [1 if m == k else 0 for m in range(n_classes)]
        log_normaliser = sp.log(sp.together(cumulant.subs(dict(zip(eta, link))).args[0]))
        canonical = sum(yk * lk for yk, lk in zip(y, link)) - log_normaliser
        density_difference.append(on_simplex(canonical - sum(yk * sp.log(m) for yk, m in zip(y, mu))))
    return {
        "link": link,
        "cumulant": cumulant,
        "inverse_link_difference": inverse_link_difference,
        "mean_difference": mean_difference,
        "density_difference": density_difference,
    }
