r"""Softmax from Bayes' rule: generative classifiers whose posterior is a softmax of linear scores.

A generative classifier models each class's inputs, ``p(x | k)``, and a
prior ``pi_k``; Bayes' rule gives the posterior

.. math:: P(k \mid x) = \frac{\pi_k\, p(x \mid k)}{\sum_l \pi_l\, p(x \mid l)}
          = \operatorname{softmax}_k\big(\log \pi_k + \log p(x \mid k)\big),

always a softmax of log-joint probabilities. For two model families the
scores are *linear* in ``x``, the same form as multinomial logistic
regression, with weights read off the class models instead of fitted to
the labels:

* Gaussian classes with one shared covariance (linear discriminant
  analysis): ``w_k = Sigma^{-1} mu_k``, ``b_k = -mu_k^T Sigma^{-1} mu_k / 2 + log pi_k``;
* binary features independent given the class (Bernoulli naive Bayes):
  ``w_kj = log(theta_kj / (1 - theta_kj))``, ``b_k = log pi_k + sum_j log(1 - theta_kj)``.

Both functions return ``(weights, bias)`` with ``P(k | x) = softmax(x @ weights + bias)``.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike

from softmaxlab._validation import as_real_array, result_dtype

__all__ = ["lda_scores", "bernoulli_naive_bayes_scores"]


def _priors(priors: ArrayLike, n_classes: int) -> np.ndarray:
    arr = as_real_array(priors, "priors")
    if arr.shape != (n_classes,):
        raise ValueError(f"priors must have shape ({n_classes},), one per class, got {arr.shape}")
    p = arr.astype(np.float64)
    if not np.all(np.isfinite(p)) or np.any(p < 0):
        raise ValueError("priors must be finite and non-negative")
    tolerance = max(math.sqrt(np.finfo(np.float64).eps), 4 * n_classes * np.finfo(np.float64).eps)
    if abs(p.sum() - 1) > tolerance:
        raise ValueError(f"priors must sum to 1, got a sum of {p.sum():.6g}")
    return p


def _finish(arrays: tuple[np.ndarray, ...], *inputs: np.ndarray) -> tuple[np.ndarray, ...]:
    dtype = np.result_type(*(result_dtype(a.dtype) for a in inputs))
    with np.errstate(over="ignore"):
        return tuple(a.astype(dtype) for a in arrays)


def lda_scores(means: ArrayLike, covariance: ArrayLike, priors: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    r"""Linear scores of Gaussian classes with a shared covariance: ``P(k | x) = softmax(x @ W + b)``.

    With class-conditional densities ``N(x | mu_k, Sigma)`` and priors
    ``pi_k``, ``log pi_k + log N(x | mu_k, Sigma)`` is
    ``x . Sigma^{-1} mu_k - mu_k^T Sigma^{-1} mu_k / 2 + log pi_k`` plus terms
    that are the same for every class, which softmax ignores.

    Parameters
    ----------
    means : array_like, shape (K, d)
        The class means ``mu_k``, finite.
    covariance : array_like, shape (d, d)
        ``Sigma``, symmetric positive definite (finite).
    priors : array_like, shape (K,)
        ``pi_k >= 0``, summing to 1; a prior of 0 gives a bias of ``-inf``
        (the class is never predicted).

    Returns
    -------
    weights : ndarray, shape (d, K)
        Column ``k`` is ``Sigma^{-1} mu_k``.
    bias : ndarray, shape (K,)
        Computed in float64 and returned in the result dtype of the three
        inputs combined.

    Raises
    ------
    TypeError
        If an argument is not a real numeric array.
    ValueError
        If the shapes do not fit together, an entry is not finite, the
        covariance is not symmetric positive definite, or the priors are
        negative or do not sum to 1.

    Examples
    --------
    >>> import numpy as np
    >>> from softmaxlab import softmax
    >>> from softmaxlab.generative import lda_scores
    >>> W, b = lda_scores([[0.0], [2.0]], [[1.0]], [0.5, 0.5])
    >>> W, b                                     # two unit-variance classes at 0 and 2
    (array([[0., 2.]]), array([-0.69314718, -2.69314718]))
    >>> softmax(np.array([1.0]) @ W + b)         # halfway: a tie
    array([0.5, 0.5])
    """
    mu_in = as_real_array(means, "means")
    cov_in = as_real_array(covariance, "covariance")
    if mu_in.ndim != 2 or mu_in.shape[0] < 1 or mu_in.shape[1] < 1:
        raise ValueError(f"means must have shape (K, d) with K, d >= 1, got {mu_in.shape}")
    K, d = mu_in.shape
    if cov_in.shape != (d, d):
        raise ValueError(f"covariance must have shape ({d}, {d}) to match means, got {cov_in.shape}")
    mu, cov = mu_in.astype(np.float64), cov_in.astype(np.float64)
    if not np.all(np.isfinite(mu)):
        raise ValueError("means must be finite")
    if not np.all(np.isfinite(cov)):
        raise ValueError("covariance must be finite")
    if not np.allclose(cov, cov.T, rtol=1e-12, atol=0.0):
        raise ValueError("covariance must be symmetric")
    try:
        chol = np.linalg.cholesky(cov)
    except np.linalg.LinAlgError:
        raise ValueError("covariance must be positive definite (its Cholesky factorisation failed)") from None
    pi = _priors(priors, K)
    weights = np.linalg.solve(chol.T, np.linalg.solve(chol, mu.T))  # Sigma^{-1} mu_k, one column per class
    with np.errstate(divide="ignore"):
        bias = -0.5 * np.einsum("kd,dk->k", mu, weights) + np.log(pi)
    return _finish((weights, bias), mu_in, cov_in, as_real_array(priors, "priors"))


def bernoulli_naive_bayes_scores(probabilities: ArrayLike, priors: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    r"""Linear scores of Bernoulli naive Bayes: ``P(k | x) = softmax(x @ W + b)`` for binary ``x``.

    With ``P(x_j = 1 | k) = theta_kj``, independent given the class,
    ``log pi_k + sum_j log P(x_j | k) = x . w_k + b_k`` for ``x`` in ``{0, 1}^d``,
    with the log-odds ``w_kj = log(theta_kj / (1 - theta_kj))`` and
    ``b_k = log pi_k + sum_j log(1 - theta_kj)``.

    Parameters
    ----------
    probabilities : array_like, shape (K, d)
        ``theta_kj``, strictly between 0 and 1 (estimate them with smoothing,
        such as ``(count + 1) / (n_k + 2)``, so that none is 0 or 1).
    priors : array_like, shape (K,)
        ``pi_k >= 0``, summing to 1.

    Returns
    -------
    weights : ndarray, shape (d, K)
    bias : ndarray, shape (K,)
        Computed in float64 (``log1p`` for ``log(1 - theta)``), returned in
        the result dtype of the inputs combined.

    Raises
    ------
    TypeError
        If an argument is not a real numeric array.
    ValueError
        If the shapes do not fit, a probability is not strictly between 0
        and 1, or the priors are negative or do not sum to 1.

    Examples
    --------
    >>> import numpy as np
    >>> from softmaxlab import softmax
    >>> from softmaxlab.generative import bernoulli_naive_bayes_scores
    >>> theta = np.array([[0.9, 0.2], [0.3, 0.6]])          # two classes, two binary features
    >>> W, b = bernoulli_naive_bayes_scores(theta, [0.5, 0.5])
    >>> x = np.array([1.0, 0.0])
    >>> joint = 0.5 * np.prod(np.where(x == 1, theta, 1 - theta), axis=1)
    >>> bool(np.allclose(softmax(x @ W + b), joint / joint.sum()))
    True
    """
    th_in = as_real_array(probabilities, "probabilities")
    if th_in.ndim != 2 or th_in.shape[0] < 1 or th_in.shape[1] < 1:
        raise ValueError(f"probabilities must have shape (K, d) with K, d >= 1, got {th_in.shape}")
    theta = th_in.astype(np.float64)
    if not np.all((theta > 0) & (theta < 1)):
        raise ValueError("probabilities must lie strictly between 0 and 1 (smooth the counts)")
    pi = _priors(priors, theta.shape[0])
    weights = (np.log(theta) - np.log1p(-theta)).T
    with np.errstate(divide="ignore"):
        bias = np.log(pi) + np.log1p(-theta).sum(axis=1)
    return _finish((weights, bias), th_in, as_real_array(priors, "priors"))
