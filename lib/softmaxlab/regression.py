"""Softmax regression (multinomial logistic regression), trained by plain gradient descent.

The model is ``p(class | x) = softmax(x W + b)``: a linear layer and a
softmax, the output layer of every classification network. Training
minimises the mean cross-entropy (or, for comparison, the squared error
between probabilities and one-hot targets) by full-batch gradient descent,
with the gradients of :mod:`softmaxlab.losses` and nothing else: no
autodiff, no optimiser library, so every step can be read.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from softmaxlab._validation import as_real_array, check_int, check_real
from softmaxlab.core import softmax
from softmaxlab.losses import (
    cross_entropy,
    cross_entropy_grad,
    softmax_squared_error,
    softmax_squared_error_grad,
)

__all__ = ["SoftmaxRegression"]

#: Largest size or step count accepted (a numpy index).
_MAX_SIZE = int(np.iinfo(np.intp).max)

_LOSSES = {
    "cross_entropy": (cross_entropy, cross_entropy_grad),
    "squared_error": (softmax_squared_error, softmax_squared_error_grad),
}


def _check_loss(loss: str) -> str:
    if not isinstance(loss, str):
        raise TypeError(f"loss must be one of {sorted(_LOSSES)} (a string), got {loss!r}")
    if loss not in _LOSSES:
        raise ValueError(f"loss must be one of {sorted(_LOSSES)}, got {loss!r}")
    return loss


def _affine(X: np.ndarray, weights: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """``X W + b``; an overflow gives +-inf or nan, silently."""
    with np.errstate(over="ignore", invalid="ignore"):
        return X @ weights + bias


def _most_probable(logits: np.ndarray) -> np.ndarray:
    if np.isnan(logits).any():
        row = int(np.argwhere(np.isnan(logits))[0, 0])
        raise ValueError(f"X W + b is nan in row {row} (its terms overflow): no class is the most probable")
    return np.argmax(logits, axis=-1)


def _accuracy(logits: np.ndarray, y: np.ndarray) -> float:
    """The fraction of rows whose largest logit is at the label; nan if any logit is nan."""
    if np.isnan(logits).any():
        return float("nan")
    return float(np.mean(np.argmax(logits, axis=-1) == y))


class SoftmaxRegression:
    r"""A linear classifier ``p(class | x) = softmax(x W + b)``, trained by gradient descent.

    Parameters
    ----------
    n_features : int
        Length of each input vector ``x``.
    n_classes : int
        Number of classes ``K >= 2``; labels are ``0, ..., K - 1``.
    loss : {"cross_entropy", "squared_error"}, optional
        The training objective, averaged over the batch: the cross-entropy of
        ``softmax(x W + b)`` against the label (default), or half the squared
        distance between it and the one-hot label (for the learning-slowdown
        comparison; it is not recommended).
    l2 : float, optional
        Weight decay: ``0.5 * l2 * ||W||^2`` is added to the objective (the bias is not decayed).

    Attributes
    ----------
    weights : ndarray, shape (n_features, n_classes)
        ``W``, initially zero (every class equally likely). Assign to it to
        start elsewhere.
    bias : ndarray, shape (n_classes,)
        ``b``, initially zero.
    history : dict of lists
        Filled by :meth:`fit`: ``"loss"`` and ``"accuracy"`` on the training
        data before each step and after the last one, and ``"val_loss"``,
        ``"val_accuracy"`` when validation data are given.

    Raises
    ------
    TypeError
        If ``n_features`` or ``n_classes`` is not an integer, ``loss`` not a
        string, or ``l2`` not a real number; and, in the methods, if ``X`` is
        not a real numeric array or the labels are not integers.
    ValueError
        If ``n_features < 1``, ``n_classes < 2``, ``loss`` is unknown, or
        ``l2`` is negative or not finite; in the methods, if ``X`` has the
        wrong shape or non-finite entries, a label is out of range, or the
        assigned ``weights`` or ``bias`` have the wrong shape or non-finite
        entries.

    Notes
    -----
    Inputs of any real dtype are computed, and results returned, in float64
    (the parameters' dtype). Where ``X W + b`` overflows, the probabilities
    follow :func:`softmaxlab.softmax` (``+inf`` logits share the mass, a nan
    row is nan) and :meth:`predict` raises ValueError for a nan row rather
    than name a class.

    The gradient of the mean loss with respect to the logits ``Z = X W + b``
    is ``G = (softmax(Z) - Y) / n`` for cross-entropy and ``J (p - y) / n``
    row by row for squared error; then ``dW = X^T G + l2 W`` and
    ``db = sum of the rows of G``. Cross-entropy is convex in ``(W, b)``, so
    gradient descent with a small enough step approaches a global minimum.

    Examples
    --------
    >>> import numpy as np
    >>> from softmaxlab import SoftmaxRegression
    >>> X = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    >>> y = np.array([0, 1, 1, 2])                 # the number of ones in x
    >>> model = SoftmaxRegression(2, 3).fit(X, y, learning_rate=1.0, n_steps=500)
    >>> model.predict(X)
    array([0, 1, 1, 2])
    >>> bool(model.history["loss"][-1] < model.history["loss"][0])
    True
    """

    def __init__(self, n_features: int, n_classes: int, *, loss: str = "cross_entropy", l2: float = 0.0) -> None:
        self.n_features = check_int(n_features, "n_features", minimum=1)
        self.n_classes = check_int(n_classes, "n_classes", minimum=2)
        if self.n_features * self.n_classes > _MAX_SIZE // 8:
            raise ValueError(
                f"n_features x n_classes = {self.n_features} x {self.n_classes} weights do not fit in memory"
            )
        self.loss_name = _check_loss(loss)
        self.l2 = check_real(l2, "l2", nonnegative=True)
        self.weights = np.zeros((self.n_features, self.n_classes))
        self.bias = np.zeros(self.n_classes)
        self.history: dict[str, list[float]] = {}

    # ------------------------------------------------------------------ checks
    def _inputs(self, X: ArrayLike, name: str = "X") -> np.ndarray:
        arr = as_real_array(X, name)
        if arr.ndim != 2 or arr.shape[1] != self.n_features:
            raise ValueError(f"{name} must have shape (n_samples, {self.n_features}), got {arr.shape}")
        arr = arr.astype(np.float64, copy=False)
        if arr.size and not (np.isfinite(arr.min()) and np.isfinite(arr.max())):  # nan and +-inf; no mask
            raise ValueError(f"{name} must be finite (no nan or inf)")
        self._parameters()
        return arr

    def _parameters(self) -> None:
        """The weights and bias, which a caller may assign, must have the model's shapes and be finite
        (they are then held as float64 arrays)."""
        for name, shape in (("weights", (self.n_features, self.n_classes)), ("bias", (self.n_classes,))):
            arr = as_real_array(getattr(self, name), name)
            if arr.shape != shape:
                raise ValueError(f"{name} must have shape {shape}, got {arr.shape}")
            if not np.all(np.isfinite(arr)):
                raise ValueError(f"{name} must be finite (no nan or inf)")
            if not (isinstance(getattr(self, name), np.ndarray) and arr.dtype == np.float64):
                setattr(self, name, arr.astype(np.float64))

    def _labels(self, y: ArrayLike, n: int, name: str = "y") -> np.ndarray:
        try:
            arr = np.asarray(y)
        except (TypeError, ValueError) as exc:  # ragged lists and the like
            raise TypeError(f"{name} must be an array of integer class labels: {exc}") from None
        if arr.dtype.kind not in "iu":
            raise TypeError(f"{name} must hold integer class labels, got dtype {arr.dtype}")
        if arr.shape != (n,):
            raise ValueError(f"{name} must have shape ({n},) to match the inputs, got {arr.shape}")
        if np.any((arr < 0) | (arr >= self.n_classes)):
            first_bad = int(arr[(arr < 0) | (arr >= self.n_classes)][0])
            raise ValueError(f"{name} must hold labels in [0, {self.n_classes}); found {first_bad}")
        return arr

    # ------------------------------------------------------------------ model
    def logits(self, X: ArrayLike) -> np.ndarray:
        """The scores ``X W + b``, shape ``(n_samples, n_classes)`` (``+-inf`` or nan where they overflow)."""
        return _affine(self._inputs(X), self.weights, self.bias)

    def predict_proba(self, X: ArrayLike) -> np.ndarray:
        """Class probabilities ``softmax(X W + b)``; each row sums to 1."""
        return softmax(self.logits(X), axis=-1)

    def predict(self, X: ArrayLike) -> np.ndarray:
        """The most probable class of each row of ``X`` (the first one on a tie).

        Raises ValueError where ``X W + b`` is nan (its terms overflow with
        opposite signs), as no class is then the most probable.
        """
        return _most_probable(self.logits(X))

    def accuracy(self, X: ArrayLike, y: ArrayLike) -> float:
        """The fraction of rows of ``X`` whose predicted class is ``y`` (nan for no rows)."""
        X = self._inputs(X)
        y = self._labels(y, len(X))
        return float(np.mean(self.predict(X) == y)) if len(X) else float("nan")

    def loss(self, X: ArrayLike, y: ArrayLike) -> float:
        """The training objective: the mean loss over the rows plus the weight decay."""
        X = self._inputs(X)
        return self._loss(self.logits(X), self._labels(y, len(X)))

    def gradients(self, X: ArrayLike, y: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        """``(dW, db)``: the gradient of :meth:`loss` with respect to the weights and the bias."""
        X = self._inputs(X)
        return self._gradients(X, self.logits(X), self._labels(y, len(X)))

    def _loss(self, logits: np.ndarray, y: np.ndarray) -> float:
        value = float(_LOSSES[self.loss_name][0](logits, y))
        with np.errstate(over="ignore"):
            return value + 0.5 * self.l2 * float(np.sum(self.weights**2))

    def _gradients(self, X: np.ndarray, logits: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        g = _LOSSES[self.loss_name][1](logits, y)  # d loss / d logits
        with np.errstate(over="ignore", invalid="ignore"):
            return X.T @ g + self.l2 * self.weights, g.sum(axis=0)

    def fit(
        self,
        X: ArrayLike,
        y: ArrayLike,
        *,
        learning_rate: float = 0.5,
        n_steps: int = 100,
        X_val: ArrayLike | None = None,
        y_val: ArrayLike | None = None,
    ) -> SoftmaxRegression:
        """Take ``n_steps`` full-batch gradient-descent steps from the current parameters.

        Parameters
        ----------
        X : array_like, shape (n_samples, n_features)
            Training inputs, finite, at least one row.
        y : array_like of int, shape (n_samples,)
            Training labels in ``[0, n_classes)``.
        learning_rate : float, optional
            The step size, positive and finite.
        n_steps : int, optional
            Number (``>= 0``) of updates ``W -= learning_rate * dW``, ``b -= learning_rate * db``.
        X_val, y_val : array_like, optional
            Held-out data, evaluated along the way (never trained on).

        Returns
        -------
        SoftmaxRegression
            ``self``, with :attr:`history` holding ``n_steps + 1`` entries per curve.
        """
        X = self._inputs(X)
        if len(X) == 0:
            raise ValueError("X must have at least one row (sample) to fit on")
        y = self._labels(y, len(X))
        learning_rate = check_real(learning_rate, "learning_rate", positive=True)
        n_steps = check_int(n_steps, "n_steps", minimum=0)
        validate = X_val is not None or y_val is not None
        if validate:
            if X_val is None or y_val is None:
                raise ValueError("X_val and y_val must be given together")
            X_val = self._inputs(X_val, "X_val")
            if len(X_val) == 0:
                raise ValueError("X_val must have at least one row (sample)")
            y_val = self._labels(y_val, len(X_val), "y_val")
        keys = ["loss", "accuracy"] + (["val_loss", "val_accuracy"] if validate else [])
        self.history = {key: [] for key in keys}
        for step in range(n_steps + 1):
            logits = _affine(X, self.weights, self.bias)
            self.history["loss"].append(self._loss(logits, y))
            self.history["accuracy"].append(_accuracy(logits, y))
            if validate:
                val_logits = _affine(X_val, self.weights, self.bias)
                self.history["val_loss"].append(self._loss(val_logits, y_val))
                self.history["val_accuracy"].append(_accuracy(val_logits, y_val))
            if step == n_steps:
                break
            d_weights, d_bias = self._gradients(X, logits, y)
            self.weights -= learning_rate * d_weights
            self.bias -= learning_rate * d_bias
        return self
