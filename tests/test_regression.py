"""Tests of softmaxlab.regression: softmax regression by gradient descent."""

from __future__ import annotations

import numpy as np
import pytest

from softmaxlab import SoftmaxRegression, check_gradient, softmax


def blobs(seed: int = 0, n: int = 60, k: int = 3, d: int = 2):
    rng = np.random.default_rng(seed)
    centres = rng.normal(scale=4.0, size=(k, d))
    y = rng.integers(0, k, size=n)
    return centres[y] + rng.normal(size=(n, d)), y


def test_starts_uniform():
    X, y = blobs()
    model = SoftmaxRegression(2, 3)
    np.testing.assert_allclose(model.predict_proba(X), 1 / 3)
    assert model.loss(X, y) == pytest.approx(np.log(3))


@pytest.mark.parametrize("loss", ["cross_entropy", "squared_error"])
@pytest.mark.parametrize("l2", [0.0, 0.1])
def test_gradients_match_finite_differences(loss, l2):
    X, y = blobs(1, n=20)
    model = SoftmaxRegression(2, 3, loss=loss, l2=l2)
    rng = np.random.default_rng(2)
    model.weights = rng.normal(size=(2, 3))
    model.bias = rng.normal(size=3)

    def loss_of(theta):
        m = SoftmaxRegression(2, 3, loss=loss, l2=l2)
        m.weights, m.bias = theta[:6].reshape(2, 3), theta[6:]
        return m.loss(X, y)

    def grad_of(theta):
        m = SoftmaxRegression(2, 3, loss=loss, l2=l2)
        m.weights, m.bias = theta[:6].reshape(2, 3), theta[6:]
        dW, db = m.gradients(X, y)
        return np.concatenate([dW.ravel(), db])

    assert check_gradient(loss_of, grad_of, np.concatenate([model.weights.ravel(), model.bias]))


def test_fit_learns_separable_blobs_and_records_history():
    X, y = blobs(3)
    Xv, yv = blobs(3, n=30)
    model = SoftmaxRegression(2, 3).fit(X, y, learning_rate=0.05, n_steps=200, X_val=Xv, y_val=yv)
    assert set(model.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert all(len(v) == 201 for v in model.history.values())
    assert model.history["loss"][-1] < 0.5 * model.history["loss"][0]
    assert np.all(np.diff(model.history["loss"]) <= 1e-12)  # small steps on a convex loss: monotone
    assert model.accuracy(X, y) > 0.9
    np.testing.assert_allclose(model.predict_proba(X).sum(axis=1), 1)
    np.testing.assert_array_equal(model.predict(X), np.argmax(softmax(model.logits(X)), axis=1))


def test_fit_is_deterministic():
    X, y = blobs(4)
    a = SoftmaxRegression(2, 3).fit(X, y, n_steps=20)
    b = SoftmaxRegression(2, 3).fit(X, y, n_steps=20)
    np.testing.assert_array_equal(a.weights, b.weights)


def test_cross_entropy_escapes_a_saturated_start_faster_than_squared_error():
    X, y = blobs(5)
    models = {}
    for loss in ("cross_entropy", "squared_error"):
        m = SoftmaxRegression(2, 3, loss=loss)
        m.bias = np.array([12.0, 0.0, 0.0])  # confidently class 0 for every input
        models[loss] = m.fit(X, y, learning_rate=0.5, n_steps=50)
    assert models["cross_entropy"].accuracy(X, y) > models["squared_error"].accuracy(X, y)


def test_zero_steps_only_records_the_start():
    X, y = blobs()
    model = SoftmaxRegression(2, 3).fit(X, y, n_steps=0)
    assert model.history["loss"] == [pytest.approx(np.log(3))]
    np.testing.assert_array_equal(model.weights, 0)


def test_bad_arguments():
    X, y = blobs()
    with pytest.raises(ValueError, match="n_classes must be an integer >= 2"):
        SoftmaxRegression(2, 1)
    with pytest.raises(TypeError, match="n_features must be an integer"):
        SoftmaxRegression(2.0, 3)
    with pytest.raises(TypeError, match="loss must be one of"):
        SoftmaxRegression(2, 3, loss=["cross_entropy"])
    with pytest.raises(ValueError, match="loss must be one of"):
        SoftmaxRegression(2, 3, loss="hinge")
    with pytest.raises(ValueError, match="l2 must be a non-negative"):
        SoftmaxRegression(2, 3, l2=-1.0)
    model = SoftmaxRegression(2, 3)
    with pytest.raises(ValueError, match=r"X must have shape \(n_samples, 2\)"):
        model.fit(X[:, :1], y)
    with pytest.raises(ValueError, match="y must have shape"):
        model.fit(X, y[:-1])
    with pytest.raises(ValueError, match=r"y must hold labels in \[0, 3\)"):
        model.fit(X, y + 3)
    with pytest.raises(TypeError, match="y must hold integer class labels"):
        model.fit(X, y.astype(float))
    with pytest.raises(ValueError, match="learning_rate must be a positive"):
        model.fit(X, y, learning_rate=0.0)
    with pytest.raises(ValueError, match="X_val and y_val must be given together"):
        model.fit(X, y, X_val=X)
    with pytest.raises(ValueError, match="X_val must have shape"):
        model.fit(X, y, X_val=X[:, :1], y_val=y)
    with pytest.raises(ValueError, match="X must be finite"):
        model.fit(np.where(X > 0, np.nan, X), y)
    with pytest.raises(ValueError, match="X must have at least one row"):
        model.fit(X[:0], y[:0])
    model.weights = np.zeros((3, 3))
    with pytest.raises(ValueError, match=r"weights must have shape \(2, 3\)"):
        model.predict(X)


def test_nan_logits_give_no_class():
    """X W + b is nan where its terms overflow with opposite signs (how BLAS orders them decides which
    inputs do); no class is then the most probable, and no accuracy can be counted."""
    from softmaxlab.regression import _accuracy, _most_probable

    logits = np.array([[0.0, 1.0], [np.nan, np.inf]])
    with pytest.raises(ValueError, match="nan in row 1"):
        _most_probable(logits)
    assert np.isnan(_accuracy(logits, np.array([1, 1])))
    np.testing.assert_array_equal(_most_probable(logits[:1]), [1])
