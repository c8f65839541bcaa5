r"""Conditional maximum entropy: the model ``p(y | x) = softmax_y(lambda . f(x, y))``, fitted by Newton's method.

Among all conditional distributions ``p(y | x)`` whose feature expectations
match the data's,

.. math:: \frac1n \sum_i \sum_y p(y \mid x_i) f(x_i, y) = \frac1n \sum_i f(x_i, y_i),

the one of largest conditional entropy is ``softmax_y(lambda . f(x, y))``,
with one weight ``lambda_j`` (a Lagrange multiplier) per feature; the weights
that satisfy the constraints are those that maximise the conditional
log-likelihood of the data (the two problems are each other's duals). With
the features of :func:`class_features`, ``f(x, y) = x`` copied into class
``y``'s block, the model is multinomial logistic regression (softmax
regression) with weight matrix ``lambda.reshape(K, d)``.

:func:`maxent_fit` maximises the log-likelihood by Newton's method. Its
Hessian is the covariance of the features under the model, summed over the
data; it is singular whenever some combination of features is the same for
every class (with :func:`class_features`, adding one vector to every class's
weights changes no probability), so each Newton step is the minimum-norm
solution of the Newton equations, which never moves along such directions:
from zero weights, the fit converges to the minimum-norm maximiser.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from softmaxlab._validation import as_real_array, check_int, check_real, result_dtype
from softmaxlab.core import log_softmax, softmax

__all__ = ["class_features", "maxent_probabilities", "maxent_fit"]

#: Directions whose curvature is below this fraction of the largest curvature at the start (uniform
#: probabilities) are treated as flat.
_RCOND = 1e-10


def _finite_matrix(X: ArrayLike, name: str, ndim: int) -> np.ndarray:
    arr = as_real_array(X, name)
    if arr.ndim != ndim:
        raise ValueError(f"{name} must be a {ndim}-d array, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must hold finite numbers only (no nan or infinity)")
    return arr


def _labels(labels: ArrayLike, n: int, n_classes: int, name: str = "labels") -> np.ndarray:
    arr = np.asarray(labels)
    if arr.dtype.kind not in "iu":
        raise TypeError(f"{name} must hold integer class labels, got dtype {arr.dtype}")
    if arr.shape != (n,):
        raise ValueError(f"{name} must have shape ({n},), one label per row, got {arr.shape}")
    bad = (arr < 0) | (arr >= n_classes)
    if np.any(bad):
        raise ValueError(f"{name} must lie in [0, {n_classes}); found {int(arr[bad][0])}")
    return arr.astype(np.intp)


def class_features(X: ArrayLike, n_classes: int) -> np.ndarray:
    """The features ``f(x, y)`` of multinomial logistic regression: ``x`` copied into class ``y``'s block.

    ``F[i, y]`` is a vector of length ``n_classes * d`` that is zero except
    for entries ``y*d, ..., y*d + d - 1``, which hold ``X[i]``. Then
    ``F[i, y] . lambda = X[i] . W[y]`` with ``W = lambda.reshape(n_classes, d)``.

    Parameters
    ----------
    X : array_like, shape (n, d)
        The inputs, finite. Append a column of ones for an intercept.
    n_classes : int
        Number of classes ``K >= 2``.

    Returns
    -------
    ndarray, shape (n, n_classes, n_classes * d)
        In the result dtype of ``X`` (integers give float64).

    Raises
    ------
    TypeError
        If ``X`` is not a real numeric array or ``n_classes`` not an integer.
    ValueError
        If ``X`` is not 2-d or not finite, or ``n_classes < 2``.

    Examples
    --------
    >>> from softmaxlab.maxent import class_features
    >>> class_features([[1.0, 2.0]], 3)[0]
    array([[1., 2., 0., 0., 0., 0.],
           [0., 0., 1., 2., 0., 0.],
           [0., 0., 0., 0., 1., 2.]])
    """
    arr = _finite_matrix(X, "X", 2)
    K = check_int(n_classes, "n_classes", minimum=2)
    n, d = arr.shape
    out = np.zeros((n, K, K, d), dtype=result_dtype(arr.dtype))
    for k in range(K):
        out[:, k, k, :] = arr
    return out.reshape(n, K, K * d)


def _features(features: ArrayLike) -> np.ndarray:
    arr = _finite_matrix(features, "features", 3)
    if arr.shape[1] < 1 or arr.shape[2] < 1:
        raise ValueError(f"features must have at least one class and one feature, got shape {arr.shape}")
    return arr


def _weights(weights: ArrayLike, n_features: int) -> np.ndarray:
    arr = as_real_array(weights, "weights")
    if arr.shape != (n_features,):
        raise ValueError(f"weights must have shape ({n_features},), one weight per feature, got {arr.shape}")
    return arr


def maxent_probabilities(features: ArrayLike, weights: ArrayLike) -> np.ndarray:
    """``p(y | x_i) = softmax_y(features[i, y] . weights)`` for every row ``i``.

    Parameters
    ----------
    features : array_like, shape (n, K, D)
        ``f(x_i, y)`` for every row and class (finite).
    weights : array_like, shape (D,)
        ``lambda``; non-finite weights follow :func:`softmaxlab.softmax`'s
        rules for the scores they produce.

    Returns
    -------
    ndarray, shape (n, K)
        Rows that sum to 1, in the result dtype of ``features`` and
        ``weights`` combined (computed in float64).

    Raises
    ------
    TypeError
        If an argument is not a real numeric array.
    ValueError
        If ``features`` is not 3-d and finite, or ``weights`` has the wrong shape.

    Examples
    --------
    >>> import numpy as np
    >>> from softmaxlab.maxent import class_features, maxent_probabilities
    >>> F = class_features([[1.0], [-1.0]], 2)        # one input feature, two classes
    >>> maxent_probabilities(F, [0.5, -0.5])          # scores +-0.5: sigmoid(+-1)
    array([[0.73105858, 0.26894142],
           [0.26894142, 0.73105858]])
    """
    F = _features(features)
    w = _weights(weights, F.shape[2])
    dtype = np.result_type(result_dtype(F.dtype), result_dtype(w.dtype))
    with np.errstate(invalid="ignore", over="ignore"):  # inf * 0 in F @ w gives nan, as the scores say
        scores = F.astype(np.float64) @ w.astype(np.float64)
    return softmax(scores, axis=-1).astype(dtype, copy=False)


def _loss_and_probabilities(F: np.ndarray, w: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    scores = F @ w
    log_p = log_softmax(scores, axis=-1)
    return float(-np.mean(log_p[np.arange(len(y)), y])), np.exp(log_p)


def maxent_fit(
    features: ArrayLike,
    labels: ArrayLike,
    *,
    tol: float = 1e-8,
    max_iter: int = 100,
) -> np.ndarray:
    r"""The conditional maximum-entropy model: weights whose ``softmax_y(lambda . f(x, y))`` matches the
    feature expectations.

    Maximises the mean conditional log-likelihood
    ``(1/n) sum_i log softmax(F[i] @ lambda)[y_i]``, a concave function whose
    gradient is the empirical minus the model's feature expectations; at its
    maximum the expectations match, and by duality the model has the largest
    conditional entropy among all that match them.

    Newton's method: gradient ``g`` and Hessian ``H`` (the features'
    covariance under the model, averaged over rows), step ``H^+ g`` (the
    minimum-norm solution, so directions along which no probability changes
    are never entered; curvatures below ``1e-10`` times the largest one at
    the start count as flat), backtracking until the loss decreases enough (Armijo), the full
    step once it is small. Stops when the step is at most
    ``tol * (1 + max |lambda|)``; Newton's quadratic convergence makes that
    a few steps after the step falls below about ``sqrt(tol)``.

    In exact arithmetic the Hessian's null space is the same at every
    finite ``lambda`` (the directions that change no probability); if the
    curvature along another direction vanishes numerically, the fit is
    running off to infinity along it (separation), and it raises.

    Parameters
    ----------
    features : array_like, shape (n, K, D)
        ``f(x_i, y)`` for every row ``i`` and class ``y`` (finite); see
        :func:`class_features`.
    labels : array_like of int, shape (n,)
        The observed classes, in ``[0, K)``.
    tol : float, optional
        Relative size of the last Newton step, positive.
    max_iter : int, optional
        Most Newton steps, ``>= 1``.

    Returns
    -------
    ndarray of float64, shape (D,)
        ``lambda``: the maximiser of smallest norm. It is computed in float64
        whatever the dtype of ``features``.

    Raises
    ------
    TypeError
        If ``features`` is not a real numeric array, ``labels`` not integers,
        ``tol`` not a real number or ``max_iter`` not an integer.
    ValueError
        If ``features`` is not 3-d and finite or has no rows, ``labels`` has
        the wrong shape or a label outside ``[0, K)``, ``tol`` is not positive,
        ``max_iter < 1``; or if the steps do not shrink within ``max_iter``
        iterations or the curvature vanishes along a direction that changes
        probabilities: then the labels are (quasi-)separable by the features,
        the likelihood has no maximum (the weights grow without bound) and no
        maximum-entropy solution exists.

    Examples
    --------
    >>> import numpy as np
    >>> from softmaxlab.maxent import class_features, maxent_fit, maxent_probabilities
    >>> X = np.array([[0.0, 1.0], [1.0, 1.0], [2.0, 1.0], [3.0, 1.0]])   # a feature and an intercept
    >>> y = np.array([0, 1, 0, 1])
    >>> F = class_features(X, 2)
    >>> w = maxent_fit(F, y)
    >>> p = maxent_probabilities(F, w)
    >>> bool(np.allclose(np.einsum("nkd,nk->d", F, p), F[np.arange(4), y].sum(axis=0)))   # moments match
    True
    >>> maxent_fit(F, np.array([0, 0, 1, 1]))      # separable by x: no maximum  # doctest: +ELLIPSIS
    Traceback (most recent call last):
        ...
    ValueError: maxent_fit did not converge: ... separable ...
    """
    F = _features(features).astype(np.float64)
    n, K, D = F.shape
    if n == 0:
        raise ValueError("features must have at least one row to fit")
    y = _labels(labels, n, K)
    tol = check_real(tol, "tol", positive=True)
    max_iter = check_int(max_iter, "max_iter", minimum=1)
    observed = F[np.arange(n), y].mean(axis=0)  # empirical feature expectations
    w = np.zeros(D)
    loss, p = _loss_and_probabilities(F, w, y)
    structural_rank = None
    for _ in range(max_iter):
        expected = np.einsum("nkd,nk->nd", F, p)  # each row's model expectation of f
        gradient = expected.mean(axis=0) - observed  # of the loss, -log-likelihood
        # the covariance of f under the model, from features centred at each row's expectation
        # (no cancellation: a feature shared by every class centres to rounding error, not to a difference)
        root = np.sqrt(p)[..., None] * (F - expected[:, None, :])
        hessian = root.reshape(n * K, D).T @ root.reshape(n * K, D) / n
        if structural_rank is None:  # at uniform probabilities: the directions that change some probability
            cutoff = _RCOND * max(float(np.linalg.eigvalsh(hessian)[-1]), np.finfo(np.float64).tiny)
        step, rank = _pseudo_solve(hessian, gradient, cutoff)
        if structural_rank is None:
            structural_rank = rank
        elif rank < structural_rank:
            _not_converged("maxent_fit", "the curvature vanished along a direction that changes probabilities", w)
        size = float(np.max(np.abs(step)))
        scale = 1.0 + float(np.max(np.abs(w)))
        if size <= tol * scale:
            return w - step
        t = 1.0
        if size > 1e-4 * scale:  # far from the optimum: backtrack until the loss decreases enough
            slope = float(gradient @ step)
            while t > 1e-12:
                new_loss, _ = _loss_and_probabilities(F, w - t * step, y)
                if new_loss <= loss - 1e-4 * t * slope:
                    break
                t /= 2
        w = w - t * step
        loss, p = _loss_and_probabilities(F, w, y)
    _not_converged("maxent_fit", f"{max_iter} Newton steps did not settle (the last had size {size:.3g})", w)


def _pseudo_solve(matrix: np.ndarray, vector: np.ndarray, cutoff: float) -> tuple[np.ndarray, int]:
    """The minimum-norm solution of ``matrix @ x = vector`` (symmetric positive semi-definite ``matrix``),
    with eigenvalues at most ``cutoff`` treated as 0, and the number of eigenvalues kept."""
    values, vectors = np.linalg.eigh(matrix)
    keep = values > cutoff
    kept = vectors[:, keep]
    return kept @ ((kept.T @ vector) / values[keep]), int(keep.sum())


def _not_converged(name: str, why: str, w: np.ndarray) -> None:
    raise ValueError(
        f"{name} did not converge: {why}, with weights up to {float(np.max(np.abs(w))):.3g}. The labels are "
        "probably separable by the features (or nearly so): the likelihood then has no maximum, the weights "
        "grow without bound, and no maximum-entropy (maximum-likelihood) solution exists"
    )
