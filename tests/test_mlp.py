"""Tests of softmaxlab.mlp: the one-hidden-layer network of chapter 7's experiment."""

from __future__ import annotations

import numpy as np
import pytest

from softmaxlab import numerical_gradient, train_one_hidden_layer
from softmaxlab.core import log_softmax
from softmaxlab.mlp import HIDDEN_ACTIVATIONS, _Net

RNG = np.random.default_rng(11)
X = RNG.normal(size=(40, 3))
Y = (X[:, 0] + X[:, 1] ** 2 > 0.5).astype(int)


@pytest.mark.parametrize("activation", HIDDEN_ACTIVATIONS)
def test_backward_is_the_gradient_of_the_loss(activation):
    net = _Net(3, 5, 2, activation, np.random.default_rng(0))
    for name, value in net.params.items():
        net.params[name] = value + np.random.default_rng(1).normal(scale=0.3, size=value.shape)
    logits, cache = net.forward(X, training=True)
    grads = net.backward(logits, Y, cache)

    def loss_of(name):
        def f(value):
            saved = net.params[name]
            net.params[name] = value
            out, _ = net.forward(X, training=True)
            net.params[name] = saved
            return -np.mean(log_softmax(out, axis=1)[np.arange(len(Y)), Y])
        return f

    for name, value in net.params.items():
        np.testing.assert_allclose(grads[name], numerical_gradient(loss_of(name), value.copy()),
                                   rtol=1e-5, atol=1e-8, err_msg=f"{activation}: {name}")


@pytest.mark.parametrize("activation", HIDDEN_ACTIVATIONS)
def test_runs_are_seeded_learn_and_softmax_layers_sum_to_one(activation):
    a = train_one_hidden_layer(X[:30], Y[:30], X[30:], Y[30:], width=6, activation=activation, epochs=40, seed=3)
    b = train_one_hidden_layer(X[:30], Y[:30], X[30:], Y[30:], width=6, activation=activation, epochs=40, seed=3)
    for x, y in zip(a[:5], b[:5]):
        np.testing.assert_array_equal(x, y)
    assert a.train_loss[-1] < a.train_loss[0]
    if activation.startswith("softmax"):
        np.testing.assert_allclose(a.hidden.sum(axis=1), 1.0, rtol=1e-12)
    extra = {"softmax_scaled": 1, "softmax_batchnorm": 12, "relu_batchnorm": 12}.get(activation, 0)
    assert a.n_parameters == 3 * 6 + 6 + 6 * 2 + 2 + extra


def test_the_same_seed_starts_every_variant_from_the_same_weights():
    nets = [_Net(3, 4, 2, act, np.random.default_rng(5)) for act in HIDDEN_ACTIVATIONS]
    for net in nets[1:]:
        np.testing.assert_array_equal(net.params["W1"], nets[0].params["W1"])
        np.testing.assert_array_equal(net.params["W2"], nets[0].params["W2"])


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="activation"):
        train_one_hidden_layer(X, Y, X, Y, activation="tanh")
    with pytest.raises(ValueError, match="batch_size"):
        train_one_hidden_layer(X, Y, X, Y, activation="relu_batchnorm", batch_size=1)
    with pytest.raises(ValueError, match="y_test"):
        train_one_hidden_layer(X, Y, X, Y + 5)
