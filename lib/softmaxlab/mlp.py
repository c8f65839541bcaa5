"""A network with one hidden layer, in numpy, to compare hidden activations (softmax among them).

The network is ``x -> a = x W1 + b1 -> h = act(a) -> o = h W2 + b2 -> softmax(o)``,
trained on the mean cross-entropy by Adam on shuffled mini-batches. The hidden
activation is one of

- ``"relu"``: ``max(a, 0)``; ``"sigmoid"``: ``1 / (1 + exp(-a))``;
- ``"softmax"``: ``softmax(a)`` over the hidden units, so they sum to 1;
- ``"softmax_scaled"``: ``softmax(s a)`` with a learned inverse temperature
  ``s = exp(rho) > 0`` (starting at 1);
- ``"softmax_batchnorm"`` and ``"relu_batchnorm"``: batch normalisation of
  ``a`` (each unit standardised over the mini-batch, then ``gamma u + beta``
  with learned ``gamma``, ``beta``) before the softmax or the ReLU. Evaluation
  uses the mean and variance of the whole training set.

Every variant starts from the same weights for the same seed (normal with
standard deviation ``1 / sqrt(fan_in)``) and sees the mini-batches in the same
order, so runs differ only by the activation. The gradients are written out by
hand (the softmax layer's through its Jacobian-vector product
``h * (g - <g, h>)``) and recorded, to measure how much of the loss's gradient
reaches the first layer.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from softmaxlab._validation import as_real_array, check_int, check_real
from softmaxlab.core import log_softmax, softmax

__all__ = ["HIDDEN_ACTIVATIONS", "TrainingRun", "train_one_hidden_layer"]

#: The hidden activations :func:`train_one_hidden_layer` knows.
HIDDEN_ACTIVATIONS = ("relu", "sigmoid", "softmax", "softmax_scaled", "softmax_batchnorm", "relu_batchnorm")

_EPS_BN = 1e-5
_ADAM = (0.9, 0.999, 1e-8)


class TrainingRun(NamedTuple):
    """What :func:`train_one_hidden_layer` measured, one entry per epoch where it is an array.

    Attributes
    ----------
    train_loss : ndarray, shape (epochs,)
        Mean cross-entropy on the training set after each epoch.
    test_loss : ndarray, shape (epochs,)
        Mean cross-entropy on the test set after each epoch.
    test_accuracy : ndarray, shape (epochs,)
        Fraction of test inputs whose most probable class is right, after each epoch.
    grad_norm : ndarray, shape (epochs,)
        Mean over the epoch's steps of the Frobenius norm of the loss's gradient
        with respect to the first layer's weights ``W1``.
    hidden : ndarray, shape (n_test, width)
        The hidden activations of the test inputs after training.
    n_parameters : int
        Number of trained parameters.

    Examples
    --------
    >>> import numpy as np
    >>> r = TrainingRun(np.ones(2), np.ones(2), np.zeros(2), np.ones(2), np.zeros((3, 4)), 10)
    >>> r.n_parameters
    10
    """

    train_loss: np.ndarray
    test_loss: np.ndarray
    test_accuracy: np.ndarray
    grad_norm: np.ndarray
    hidden: np.ndarray
    n_parameters: int


def _inputs(X: ArrayLike, name: str) -> np.ndarray:
    x = as_real_array(X, name)
    if x.ndim != 2 or x.shape[0] == 0 or x.shape[1] == 0:
        raise ValueError(f"{name} must be a non-empty 2-d array (inputs, features), got shape {x.shape}")
    if not np.all(np.isfinite(x)):
        raise ValueError(f"{name} must be finite (no nan or inf entries)")
    return x.astype(np.float64)


def _labels(y: ArrayLike, n: int, name: str, n_classes: int | None = None) -> np.ndarray:
    labels = as_real_array(y, name)
    if labels.dtype.kind not in "iu":
        raise TypeError(f"{name} must hold integer class labels, got dtype {labels.dtype}")
    if labels.shape != (n,):
        raise ValueError(f"{name} must have shape ({n},), one label per input, got {labels.shape}")
    if labels.size and labels.min() < 0:
        raise ValueError(f"{name} must hold non-negative class labels")
    if n_classes is not None and labels.size and labels.max() >= n_classes:
        raise ValueError(f"{name} holds a class ({labels.max()}) that the training labels do not ({n_classes} classes)")
    return labels.astype(np.intp)


class _Net:
    """Parameters and the forward and backward passes of one network."""

    def __init__(self, d: int, width: int, n_classes: int, activation: str, rng: np.random.Generator):
        self.activation = activation
        self.params = {
            "W1": rng.normal(0.0, 1.0 / math.sqrt(d), (d, width)),
            "b1": np.zeros(width),
            "W2": rng.normal(0.0, 1.0 / math.sqrt(width), (width, n_classes)),
            "b2": np.zeros(n_classes),
        }
        if activation == "softmax_scaled":
            self.params["rho"] = np.zeros(1)                  # s = exp(rho) = 1 at the start
        if activation.endswith("batchnorm"):
            self.params["gamma"] = np.ones(width)
            self.params["beta"] = np.zeros(width)
        self.population: tuple[np.ndarray, np.ndarray] | None = None   # BN statistics for evaluation

    def forward(self, x: np.ndarray, training: bool):
        p = self.params
        a = x @ p["W1"] + p["b1"]
        cache = {"x": x, "a": a}
        if self.activation.endswith("batchnorm"):
            mean, var = (a.mean(axis=0), a.var(axis=0)) if training else self.population
            inv_std = 1.0 / np.sqrt(var + _EPS_BN)
            u = (a - mean) * inv_std
            cache.update(u=u, inv_std=inv_std)
            a = p["gamma"] * u + p["beta"]
        cache["pre"] = a
        if self.activation.startswith("relu"):
            h = np.maximum(a, 0.0)
        elif self.activation == "sigmoid":
            h = 1.0 / (1.0 + np.exp(-a))
        elif self.activation == "softmax_scaled":
            h = softmax(np.exp(p["rho"][0]) * a, axis=1)
        else:
            h = softmax(a, axis=1)
        cache["h"] = h
        return h @ p["W2"] + p["b2"], cache

    def backward(self, logits: np.ndarray, y: np.ndarray, cache: dict) -> dict:
        p, h, pre = self.params, cache["h"], cache["pre"]
        d_logits = softmax(logits, axis=1)
        d_logits[np.arange(len(y)), y] -= 1.0
        d_logits /= len(y)
        grads = {"W2": h.T @ d_logits, "b2": d_logits.sum(axis=0)}
        dh = d_logits @ p["W2"].T
        if self.activation.startswith("relu"):
            d_pre = dh * (pre > 0)
        elif self.activation == "sigmoid":
            d_pre = dh * h * (1.0 - h)
        else:
            dz = h * (dh - np.sum(dh * h, axis=1, keepdims=True))     # the softmax Jacobian times dh
            if self.activation == "softmax_scaled":
                s = np.exp(p["rho"][0])
                grads["rho"] = np.array([np.sum(dz * pre) * s])
                d_pre = s * dz
            else:
                d_pre = dz
        if self.activation.endswith("batchnorm"):
            u = cache["u"]
            grads["gamma"] = np.sum(d_pre * u, axis=0)
            grads["beta"] = d_pre.sum(axis=0)
            du = d_pre * p["gamma"]
            d_pre = cache["inv_std"] * (du - du.mean(axis=0) - u * np.mean(du * u, axis=0))
        grads["W1"] = cache["x"].T @ d_pre
        grads["b1"] = d_pre.sum(axis=0)
        return grads


def _loss_and_accuracy(logits: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    log_p = log_softmax(logits, axis=1)
    return float(-np.mean(log_p[np.arange(len(y)), y])), float(np.mean(np.argmax(logits, axis=1) == y))


def train_one_hidden_layer(
    X_train: ArrayLike,
    y_train: ArrayLike,
    X_test: ArrayLike,
    y_test: ArrayLike,
    *,
    width: int = 32,
    activation: str = "relu",
    epochs: int = 20,
    batch_size: int = 64,
    learning_rate: float = 0.01,
    seed: int = 0,
) -> TrainingRun:
    """Train a one-hidden-layer classifier with the given hidden activation and record what happened.

    Parameters
    ----------
    X_train, X_test : array_like, shape (n, d)
        Inputs (finite); the same number ``d`` of features.
    y_train, y_test : array_like of int, shape (n,)
        Class labels ``0 .. C - 1``, with ``C = max(y_train) + 1 >= 2``.
    width : int, optional
        Number of hidden units (at least 2: a softmax over one unit is constant).
    activation : str, optional
        One of :data:`softmaxlab.mlp.HIDDEN_ACTIVATIONS` (see the module docstring).
    epochs, batch_size : int, optional
        Passes over the shuffled training set, and inputs per Adam step
        (at least 2 with batch normalisation, which needs a variance; a last
        mini-batch of one input is then skipped).
    learning_rate : float, optional
        Adam's step size, positive.
    seed : int, optional
        Seeds the initial weights and the order of the mini-batches.

    Returns
    -------
    TrainingRun
        Losses, test accuracy and first-layer gradient norm per epoch, the
        final hidden activations of the test inputs, the parameter count.

    Raises
    ------
    TypeError
        If an array is not real numeric, a label array not of integers,
        ``activation`` not a string, or a count not an integer.
    ValueError
        If shapes do not fit, inputs are not finite, labels are out of range,
        ``activation`` is unknown, a count is below 1 (``width`` below 2), or
        ``learning_rate`` is not positive and finite.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 2))
    >>> y = (X[:, 0] * X[:, 1] > 0).astype(int)         # XOR of the signs: needs the hidden layer
    >>> run = train_one_hidden_layer(X[:150], y[:150], X[150:], y[150:], width=8, epochs=60)
    >>> bool(run.test_accuracy[-1] > 0.9), run.hidden.shape, run.n_parameters
    (True, (50, 8), 42)
    >>> soft = train_one_hidden_layer(X[:150], y[:150], X[150:], y[150:], width=8, activation="softmax", epochs=2)
    >>> np.allclose(soft.hidden.sum(axis=1), 1.0)       # a softmax layer's units sum to 1
    True
    """
    x_train, x_test = _inputs(X_train, "X_train"), _inputs(X_test, "X_test")
    if x_test.shape[1] != x_train.shape[1]:
        raise ValueError(f"X_test must have the {x_train.shape[1]} features of X_train, got {x_test.shape[1]}")
    labels = _labels(y_train, x_train.shape[0], "y_train")
    n_classes = int(labels.max()) + 1
    if n_classes < 2:
        raise ValueError("y_train must hold at least two classes (labels 0 and 1 at least)")
    test_labels = _labels(y_test, x_test.shape[0], "y_test", n_classes)
    if not isinstance(activation, str):
        raise TypeError(f"activation must be a string, one of {HIDDEN_ACTIVATIONS}, got {activation!r}")
    if activation not in HIDDEN_ACTIVATIONS:
        raise ValueError(f"activation must be one of {HIDDEN_ACTIVATIONS}, got {activation!r}")
    width = check_int(width, "width", minimum=2)
    epochs = check_int(epochs, "epochs", minimum=1)
    batch_size = check_int(batch_size, "batch_size", minimum=2 if activation.endswith("batchnorm") else 1)
    learning_rate = check_real(learning_rate, "learning_rate", positive=True)
    seed = check_int(seed, "seed", minimum=0)

    rng = np.random.default_rng(seed)
    net = _Net(x_train.shape[1], width, n_classes, activation, rng)
    moments = {name: (np.zeros_like(v), np.zeros_like(v)) for name, v in net.params.items()}
    beta1, beta2, eps = _ADAM
    history = np.empty((4, epochs))
    step = 0
    n = x_train.shape[0]
    for epoch in range(epochs):
        order = rng.permutation(n)
        norms = []
        for start in range(0, n, batch_size):
            batch = order[start:start + batch_size]
            if activation.endswith("batchnorm") and len(batch) < 2:
                continue                                          # a batch of one has no variance
            logits, cache = net.forward(x_train[batch], training=True)
            grads = net.backward(logits, labels[batch], cache)
            norms.append(float(np.linalg.norm(grads["W1"])))
            step += 1
            for name, g in grads.items():
                m, v = moments[name]
                m *= beta1
                m += (1 - beta1) * g
                v *= beta2
                v += (1 - beta2) * g * g
                net.params[name] -= learning_rate * (m / (1 - beta1**step)) / (np.sqrt(v / (1 - beta2**step)) + eps)
        if activation.endswith("batchnorm"):
            a = x_train @ net.params["W1"] + net.params["b1"]
            net.population = (a.mean(axis=0), a.var(axis=0))
        train_logits, _ = net.forward(x_train, training=False)
        test_logits, cache = net.forward(x_test, training=False)
        history[0, epoch] = _loss_and_accuracy(train_logits, labels)[0]
        history[1, epoch], history[2, epoch] = _loss_and_accuracy(test_logits, test_labels)
        history[3, epoch] = np.mean(norms) if norms else np.nan
    n_parameters = sum(v.size for v in net.params.values())
    return TrainingRun(history[0], history[1], history[2], history[3], cache["h"], int(n_parameters))
