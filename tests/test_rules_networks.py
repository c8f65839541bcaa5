"""Rules table for softmax inside networks (chapter 7): content addressing, gating, the small network.

Covers softmaxlab.addressing, softmaxlab.gating and softmaxlab.mlp. Every public
name is called with bad arguments and must raise TypeError or ValueError from
softmaxlab itself, naming the argument; array arguments reject every entry of
``BAD_ARRAYS``; results keep the library's dtype rules (``DTYPES``), IEEE
values give nan where documented and never a wrong finite number, inputs are
not modified, and the memory used beyond the output stays a few times the
output's size.
"""

from __future__ import annotations

import numpy as np
import pytest

from rules_support import BAD_ARRAYS, DTYPES, assert_rejects, assert_unmodified, peak_extra_bytes
from softmaxlab import softmax
from softmaxlab import symbolic as S
from softmaxlab.addressing import content_addressing
from softmaxlab.gating import cv_squared, expert_importance, expert_load, top_k_gating
from softmaxlab.mlp import train_one_hidden_layer

COVERED = {"content_addressing", "top_k_gating", "expert_importance", "expert_load", "cv_squared",
           "train_one_hidden_layer", "key_strength_sharpening_sym", "cosine_order_sym", "softmax_layer_coupling_sym",
           "fully_masked_row_limits_sym"}

NOT_INTEGERS = {"float": (2.5, TypeError), "integral float": (3.0, TypeError), "bool": (True, TypeError),
                "string": ("3", TypeError), "None": (None, TypeError)}
NOT_REALS = {"string": ("1", TypeError), "bool": (True, TypeError), "complex": (1j, TypeError),
             "list": ([1.0], TypeError), "nan": (float("nan"), ValueError), "inf": (float("inf"), ValueError),
             "zero": (0.0, ValueError), "negative": (-2.0, ValueError)}

MEMORY = np.array([[1.0, 2.0, 0.0], [0.0, -1.0, 3.0], [2.0, 2.0, 2.0], [0.0, 0.0, 0.0]])
KEY = np.array([1.0, 1.0, -0.5])
SCORES = np.array([[0.3, -1.2, 2.0, 0.7], [1.0, 1.0, -3.0, 0.0]])


# --------------------------------------------------------------------------- softmaxlab.addressing


@pytest.mark.parametrize("bad", list(BAD_ARRAYS), ids=str)
def test_addressing_rejects_bad_arrays(bad):
    assert_rejects(content_addressing, (BAD_ARRAYS[bad], KEY, 1.0), names="memory", errors=TypeError)
    assert_rejects(content_addressing, (MEMORY, BAD_ARRAYS[bad], 1.0), names="key", errors=TypeError)


@pytest.mark.parametrize("bad", list(NOT_REALS), ids=str)
def test_addressing_rejects_a_bad_beta(bad):
    value, error = NOT_REALS[bad]
    assert_rejects(content_addressing, (MEMORY, KEY, value), names="beta", errors=error)


@pytest.mark.parametrize("memory, key, names", [(np.ones(3), KEY, "memory"), (MEMORY, np.array(1.0), "key"),
                                                (MEMORY, np.ones(2), "key"),
                                                (np.ones((2, 4, 3)), np.ones((3, 3)), "memory")],
                         ids=["1-d memory", "0-d key", "width", "batch"])
def test_addressing_rejects_shapes_that_do_not_fit(memory, key, names):
    assert_rejects(content_addressing, (memory, key, 1.0), names=names, errors=ValueError)


@pytest.mark.parametrize("name", list(DTYPES))
def test_addressing_dtypes_and_inputs_unmodified(name):
    dtype, expected = DTYPES[name]
    out = assert_unmodified(content_addressing, MEMORY.astype(dtype), KEY.astype(dtype) if dtype.kind == "f" else KEY,
                            beta=2.0)
    if dtype.kind == "f":
        assert out.dtype == expected
    np.testing.assert_allclose(out.astype(float), content_addressing(MEMORY, KEY, 2.0),
                               rtol={"float16": 2e-3, "float32": 1e-6}.get(name, 1e-12))


def test_addressing_empty_and_ieee():
    assert content_addressing(np.zeros((3, 0, 2)), np.ones(2), 1.0).shape == (3, 0)
    np.testing.assert_array_equal(content_addressing(np.zeros((2, 0)), np.zeros(0), 1.0), [0.5, 0.5])
    for bad in (np.nan, np.inf, -np.inf):
        memory = MEMORY.copy()
        memory[1, 2] = bad
        assert np.all(np.isnan(content_addressing(memory, KEY, 1.0)))         # no direction: nan, not a guess
        key = KEY.copy()
        key[0] = bad
        assert np.all(np.isnan(content_addressing(MEMORY, key, 1.0)))
    np.testing.assert_allclose(content_addressing(1e-320 * MEMORY, KEY, 1.0), content_addressing(MEMORY, KEY, 1.0),
                               rtol=1e-3)   # subnormal rows keep their direction (to the few digits they hold)
    out = content_addressing(1e307 * MEMORY, 1e307 * KEY, 1e6)
    assert np.all(np.isfinite(out)) and np.isclose(out.sum(), 1.0)


def test_addressing_memory_is_about_the_output():
    memory = np.random.default_rng(0).normal(size=(200_000, 8))            # 12.8 MB of input, 1.6 MB of output
    out, extra = peak_extra_bytes(content_addressing, memory, np.ones(8), 3.0)
    assert extra <= 4 * out.nbytes + 2**21, extra


# --------------------------------------------------------------------------- softmaxlab.gating


@pytest.mark.parametrize("bad", list(BAD_ARRAYS), ids=str)
def test_gating_rejects_bad_arrays(bad):
    assert_rejects(top_k_gating, (BAD_ARRAYS[bad], 1), names="scores", errors=TypeError)
    for func in (expert_importance, expert_load):
        assert_rejects(func, (BAD_ARRAYS[bad],), names="gates", errors=TypeError)
    assert_rejects(cv_squared, (BAD_ARRAYS[bad],), names="values", errors=TypeError)


@pytest.mark.parametrize("bad", list(NOT_INTEGERS) + ["zero", "too many"], ids=str)
def test_top_k_rejects_a_bad_k(bad):
    value, error = {"zero": (0, ValueError), "too many": (5, ValueError)}.get(bad) or NOT_INTEGERS[bad]
    assert_rejects(top_k_gating, (SCORES, value), names="k", errors=error)


@pytest.mark.parametrize("axis, error", [(2, np.exceptions.AxisError), (1.0, TypeError), (None, TypeError)])
def test_top_k_rejects_a_bad_axis(axis, error):
    assert_rejects(top_k_gating, (SCORES, 1), {"axis": axis}, names="axis", errors=error)


def test_gating_rejects_bad_shapes_and_negative_values():
    assert_rejects(top_k_gating, (np.array(1.0), 1), names="scores", errors=ValueError)
    assert_rejects(expert_importance, (np.ones(3),), names="gates", errors=ValueError)
    assert_rejects(expert_load, (np.ones((2, 2, 2)),), names="gates", errors=ValueError)
    assert_rejects(cv_squared, (np.ones((2, 2)),), names="values", errors=ValueError)
    assert_rejects(cv_squared, (np.array([1.0, -1.0]),), names="values", errors=ValueError)


@pytest.mark.parametrize("name", list(DTYPES))
def test_gating_dtypes_and_inputs_unmodified(name):
    dtype, expected = DTYPES[name]
    scores = SCORES.astype(dtype)
    out = assert_unmodified(top_k_gating, scores, k=2)
    assert out.dtype == expected
    np.testing.assert_allclose(out.astype(float), top_k_gating(SCORES.astype(dtype).astype(float), 2),
                               rtol={"float16": 2e-3, "float32": 1e-6}.get(name, 1e-12))
    gates = np.abs(scores)
    assert expert_importance(gates).dtype == np.float64 and expert_load(gates).dtype == np.float64
    assert isinstance(cv_squared(expert_importance(gates)), np.float64)
    assert_unmodified(expert_importance, gates)


def test_gating_empty_and_ieee():
    assert top_k_gating(np.zeros((0, 4)), 2).shape == (0, 4)
    out = top_k_gating(np.array([[1.0, np.nan, 0.0, 2.0], [1.0, 2.0, 3.0, 4.0]]), 2)
    assert np.all(np.isnan(out[0])) and np.all(np.isfinite(out[1]))          # a nan spoils its own row only
    np.testing.assert_allclose(top_k_gating(np.array([1e308, -1e308, 1e308]), 2), [0.5, 0.0, 0.5])
    np.testing.assert_allclose(top_k_gating(np.array([1e308, 1e307]), 2), softmax(np.array([1e308, 1e307])))
    assert np.isnan(expert_importance([[np.nan, 1.0]])[0]) and expert_load([[np.nan, 0.0]]).tolist() == [1.0, 0.0]
    assert np.isnan(cv_squared([1.0, np.inf])) and np.isnan(cv_squared([np.nan, 1.0]))
    assert np.isclose(cv_squared([1e308, 1e308, 0.0]), 0.5)                 # no overflow in the squares


def test_top_k_memory_is_about_the_output():
    scores = np.random.default_rng(0).normal(size=(100_000, 16))
    out, extra = peak_extra_bytes(top_k_gating, scores, 2)
    assert extra <= 6 * out.nbytes, extra


# --------------------------------------------------------------------------- softmaxlab.mlp

XS = np.random.default_rng(2).normal(size=(24, 3))
YS = (XS[:, 0] > 0).astype(int)
RUN_ARGS = (XS[:16], YS[:16], XS[16:], YS[16:])


@pytest.mark.parametrize("bad", list(BAD_ARRAYS), ids=str)
@pytest.mark.parametrize("position, name", [(0, "X_train"), (1, "y_train"), (2, "X_test"), (3, "y_test")])
def test_mlp_rejects_bad_arrays(bad, position, name):
    args = list(RUN_ARGS)
    args[position] = BAD_ARRAYS[bad]
    assert_rejects(train_one_hidden_layer, tuple(args), {"epochs": 1}, names=name, errors=TypeError)


@pytest.mark.parametrize("position, value, name", [
    (0, np.ones((16, 3, 1)), "X_train"), (0, np.zeros((0, 3)), "X_train"), (2, np.ones((8, 2)), "X_test"),
    (0, np.where(XS[:16] > 1, np.nan, XS[:16]), "X_train"), (2, np.full((8, 3), np.inf), "X_test"),
    (1, YS[:10], "y_train"), (1, -YS[:16], "y_train"), (1, np.zeros(16, dtype=int), "y_train"),
    (3, YS[16:] + 2, "y_test")])
def test_mlp_rejects_bad_values_and_shapes(position, value, name):
    args = list(RUN_ARGS)
    args[position] = value
    assert_rejects(train_one_hidden_layer, tuple(args), {"epochs": 1}, names=name, errors=ValueError)


def test_mlp_rejects_float_labels():
    assert_rejects(train_one_hidden_layer, (XS[:16], YS[:16].astype(float), XS[16:], YS[16:]), names="y_train",
                   errors=TypeError)


@pytest.mark.parametrize("argument", ["width", "epochs", "batch_size", "seed"])
@pytest.mark.parametrize("bad", list(NOT_INTEGERS) + ["negative"], ids=str)
def test_mlp_rejects_bad_counts(argument, bad):
    value, error = (-1, ValueError) if bad == "negative" else NOT_INTEGERS[bad]
    assert_rejects(train_one_hidden_layer, RUN_ARGS, {argument: value}, names=argument, errors=error)


@pytest.mark.parametrize("bad", list(NOT_REALS), ids=str)
def test_mlp_rejects_a_bad_learning_rate(bad):
    value, error = NOT_REALS[bad]
    assert_rejects(train_one_hidden_layer, RUN_ARGS, {"learning_rate": value}, names="learning_rate", errors=error)


@pytest.mark.parametrize("activation, error", [("tanh", ValueError), (None, TypeError), (1, TypeError)])
def test_mlp_rejects_an_unknown_activation(activation, error):
    assert_rejects(train_one_hidden_layer, RUN_ARGS, {"activation": activation}, names="activation", errors=error)


def test_mlp_width_one_is_refused():
    assert_rejects(train_one_hidden_layer, RUN_ARGS, {"width": 1}, names="width", errors=ValueError)


@pytest.mark.parametrize("name", list(DTYPES))
def test_mlp_accepts_every_dtype_and_modifies_nothing(name):
    dtype, _ = DTYPES[name]
    x = XS.astype(dtype)
    run = assert_unmodified(train_one_hidden_layer, x[:16], YS[:16], x[16:], YS[16:], epochs=2, width=3)
    assert run.train_loss.dtype == np.float64 and np.all(np.isfinite(run.train_loss))
    assert isinstance(run.n_parameters, int)


# --------------------------------------------------------------------------- the SymPy derivations of chapter 7


@pytest.mark.parametrize("func, minimum, maximum", [(S.key_strength_sharpening_sym, 1, 6),
                                                    (S.softmax_layer_coupling_sym, 2, 8)],
                         ids=["sharpening", "coupling"])
@pytest.mark.parametrize("bad", list(NOT_INTEGERS) + ["too small", "too large"], ids=str)
def test_symbolic_sizes_are_checked(func, minimum, maximum, bad):
    value, error = {"too small": (minimum - 1, ValueError), "too large": (maximum + 1, ValueError)}.get(bad) \
        or NOT_INTEGERS[bad]
    assert_rejects(func, (value,), names="n", errors=error)


def test_symbolic_derivations_accept_numpy_and_sympy_integers_and_prove_their_claims():
    import sympy as sp

    assert S.key_strength_sharpening_sym(np.int64(2))["residuals"] == [0, 0]
    assert S.softmax_layer_coupling_sym(sp.Integer(2))["off-diagonal minus diagonal"] == 0
    assert S.cosine_order_sym() == {"monotone": 0, "square": 0}
    assert S.fully_masked_row_limits_sym() == {"first path": 1, "second path": 0, "common fill minus unmasked": 0}
