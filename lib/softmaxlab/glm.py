r"""The multinomial generalised linear model with its canonical link, fitted by iteratively reweighted least squares.

A generalised linear model (GLM) relates the mean ``mu`` of a response from
an exponential family to a linear predictor ``eta = x . beta`` through a link
``g(mu) = eta``. For a categorical response with ``K`` classes, coded
one-hot, the canonical link is the *baseline-category logit*
``eta_k = log(mu_k / mu_r)`` against a reference class ``r``, and its inverse
is softmax:

.. math:: \mu_k = \operatorname{softmax}(\eta_1, \dots, \eta_K)_k, \qquad \eta_r = 0 .

So the multinomial GLM is softmax regression with the reference class's
weights pinned at 0: the same probabilities, the weights moved by a common
vector (softmax is unchanged by adding one vector to every class's weights).

The fit is Fisher scoring in its classic GLM form, iteratively reweighted
least squares (IRLS): with the working weights ``W_i = diag(mu_i) - mu_i mu_i^T``
(the covariance of the one-hot response, over the non-reference classes)
and the working response ``z_i = eta_i + W_i^{-1} (y_i - mu_i)``, each
iteration solves the weighted least-squares problem
``min sum_i (z_i - B^T x_i)^T W_i (z_i - B^T x_i)``. For a canonical link
Fisher scoring is Newton's method.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from softmaxlab._validation import check_int, check_real
from softmaxlab.core import log_softmax
from softmaxlab.maxent import _RCOND, _finite_matrix, _labels, _not_converged, _pseudo_solve

__all__ = ["multinomial_glm_fit"]


def _deviance(X: np.ndarray, B: np.ndarray, y: np.ndarray, reference: int) -> tuple[float, np.ndarray]:
    """``-2 log-likelihood`` and the probabilities of coefficients ``B`` (d, K - 1)."""
    eta = np.insert(X @ B, reference, 0.0, axis=1)
    log_mu = log_softmax(eta, axis=1)
    return float(-2 * np.sum(log_mu[np.arange(len(y)), y])), np.exp(log_mu)


def multinomial_glm_fit(
    X: ArrayLike,
    labels: ArrayLike,
    n_classes: int,
    *,
    reference: int = 0,
    tol: float = 1e-8,
    max_iter: int = 100,
) -> np.ndarray:
    r"""Maximum-likelihood coefficients of the multinomial GLM with the canonical (baseline-category logit) link.

    Iteratively reweighted least squares, halving a step while it would
    increase the deviance (as R's ``glm`` does), until the change of the
    coefficients is at most ``tol * (1 + max |B|)``.

    Parameters
    ----------
    X : array_like, shape (n, d)
        The design matrix, finite (append a column of ones for an intercept).
    labels : array_like of int, shape (n,)
        The observed classes, in ``[0, n_classes)``.
    n_classes : int
        ``K >= 2``.
    reference : int, optional
        The baseline class ``r`` whose linear predictor is fixed at 0,
        ``-K <= reference < K``.
    tol : float, optional
        Relative size of the last change of the coefficients, positive.
    max_iter : int, optional
        Most iterations, ``>= 1``.

    Returns
    -------
    ndarray of float64, shape (d, n_classes)
        ``B``: column ``k`` holds ``beta_k``, column ``reference`` zeros;
        ``P(k | x) = softmax(x @ B)_k``.

    Raises
    ------
    TypeError
        If ``X`` is not a real numeric array, ``labels`` not integers, or
        ``n_classes``, ``reference``, ``max_iter`` not integers or ``tol`` not a
        real number.
    ValueError
        If ``X`` is not 2-d and finite or has no rows, ``labels`` has the
        wrong shape or values, ``reference`` is out of range, ``tol`` is not
        positive or ``max_iter < 1``; or if the iterations do not settle
        within ``max_iter`` or the working weights vanish along a direction
        of the design (the classes are (quasi-)separable, and the
        maximum-likelihood estimate does not exist).

    Examples
    --------
    >>> import numpy as np
    >>> from softmaxlab import softmax
    >>> from softmaxlab.glm import multinomial_glm_fit
    >>> X = np.column_stack([np.ones(6), [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]])
    >>> y = np.array([0, 1, 0, 2, 1, 2])
    >>> B = multinomial_glm_fit(X, y, 3)
    >>> B[:, 0]                                   # the reference class
    array([0., 0.])
    >>> p = softmax(X @ B, axis=1)
    >>> Y = np.eye(3)[y]
    >>> bool(np.allclose(X.T @ (Y - p), 0, atol=1e-10))   # the score equations hold
    True
    """
    X_arr = _finite_matrix(X, "X", 2).astype(np.float64)
    n, d = X_arr.shape
    if n == 0:
        raise ValueError("X must have at least one row to fit")
    K = check_int(n_classes, "n_classes", minimum=2)
    y = _labels(labels, n, K)
    r = check_int(reference, "reference", minimum=-K, maximum=K - 1) % K
    tol = check_real(tol, "tol", positive=True)
    max_iter = check_int(max_iter, "max_iter", minimum=1)
    others = [k for k in range(K) if k != r]
    Y = np.eye(K)[y][:, others]  # one-hot response without the reference class
    B = np.zeros((d, K - 1))
    deviance, mu = _deviance(X_arr, B, y, r)
    structural_rank = None
    for _ in range(max_iter):
        m = mu[:, others]  # (n, K-1)
        eta = X_arr @ B
        # W_i z_i = W_i eta_i + (y_i - mu_i): the working response times its weights, without inverting W_i
        W = np.einsum("nk,kl->nkl", m, np.eye(K - 1)) - np.einsum("nk,nl->nkl", m, m)  # (n, K-1, K-1)
        Wz = np.einsum("nkl,nl->nk", W, eta) + (Y - m)
        # normal equations of the weighted least squares: sum_i (W_i kron x_i x_i^T) vec(B) = sum_i (W_i z_i) kron x_i
        lhs = np.einsum("nkl,ni,nj->kilj", W, X_arr, X_arr, optimize=True).reshape((K - 1) * d, (K - 1) * d)
        rhs = np.einsum("nk,ni->ki", Wz, X_arr).reshape(-1)
        if structural_rank is None:  # at uniform probabilities: the rank of the design
            cutoff = _RCOND * max(float(np.linalg.eigvalsh(lhs)[-1]), np.finfo(np.float64).tiny)
        solution, rank = _pseudo_solve(lhs, rhs, cutoff)
        if structural_rank is None:
            structural_rank = rank
        elif rank < structural_rank:
            _not_converged("multinomial_glm_fit", "the working weights vanished along a direction of the design", B)
        B_new = solution.reshape(K - 1, d).T
        change = B_new - B
        step = 1.0
        new_deviance, new_mu = _deviance(X_arr, B + change, y, r)
        while new_deviance > deviance * (1 + 1e-12) and step > 1e-10:  # step halving
            step /= 2
            new_deviance, new_mu = _deviance(X_arr, B + step * change, y, r)
        size = float(np.max(np.abs(step * change)))
        B, deviance, mu = B + step * change, new_deviance, new_mu
        if size <= tol * (1.0 + float(np.max(np.abs(B)))):
            return np.insert(B, r, 0.0, axis=1)
    _not_converged("multinomial_glm_fit", f"{max_iter} iterations did not settle (the last change was {size:.3g})", B)
