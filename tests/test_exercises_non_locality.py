"""Tests of softmaxlab.exercises.non_locality: the checker of the non-locality exercise.

Right answers, written in several ways, pass; a bank of realistic wrong answers (a dict named
``WRONG_*``) fails with a message naming the input it fails on; the untouched scaffold gives
"not attempted" without raising.
"""

from __future__ import annotations

import numpy as np
import pytest

from exercise_assertions import assert_fails_naming_input, assert_not_attempted, stub
from softmaxlab.exercises import (
    check_non_locality,
)
from softmaxlab.exercises.non_locality import (
    _LAYERS,
    _non_locality_points,
    _true_dependence,
)


def influence_reference(layer, z, h=1e-6):
    base = layer(z)
    return np.array([layer(z + h * e) != base for e in np.eye(len(z))]).T


def test_non_locality_reference_passes():
    assert check_non_locality(influence_reference).passed


def _central_exact(layer, z, h=1e-6):
    return np.column_stack([layer(z + h * e) != layer(z - h * e) for e in np.eye(len(z))])


def _loop_with_copies(layer, z, h=1e-6):
    K = len(z)
    base = layer(z)
    D = np.zeros((K, K), dtype=bool)
    for k in range(K):
        moved = z.copy()
        moved[k] += h
        D[:, k] = layer(moved) != base
    return D


RIGHT_INFLUENCES = {
    "h = 1e-6, forward, exact comparison": influence_reference,
    "h = 1e-8": lambda layer, z: influence_reference(layer, z, h=1e-8),
    "h = 1e-4": lambda layer, z: influence_reference(layer, z, h=1e-4),
    "h = 1e-3": lambda layer, z: influence_reference(layer, z, h=1e-3),
    "backward difference": lambda layer, z: np.array([layer(z - 1e-6 * e) != layer(z) for e in np.eye(len(z))]).T,
    "central difference, exact comparison": _central_exact,
    "loop over copies of z": _loop_with_copies,
    "0/1 integers": lambda layer, z: influence_reference(layer, z).astype(int),
    "nested lists of bools": lambda layer, z: influence_reference(layer, z).tolist(),
    "step relative to |z_k|": lambda layer, z: np.array(
        [layer(z + 1e-6 * max(1.0, abs(zk)) * e) != layer(z) for zk, e in zip(z, np.eye(len(z)))]
    ).T,
}


@pytest.mark.parametrize("name", RIGHT_INFLUENCES)
def test_non_locality_accepts_right_answers_written_differently(name):
    r = check_non_locality(RIGHT_INFLUENCES[name])
    assert r.passed, repr(r)


def _threshold(tau, h=1e-6, relative=False):
    def influence(layer, z):
        base = layer(z)
        change = np.array([np.abs(layer(z + h * e) - base) for e in np.eye(len(z))]).T
        return change > (tau * np.abs(base)[:, None] if relative else tau)

    return influence


def _central_threshold(layer, z, h=1e-5):
    change = np.array([layer(z + h * e) - layer(z - h * e) for e in np.eye(len(z))]).T
    return np.abs(change) > 1e-12


def _cumulative_nudges(layer, z, h=1e-6):
    base = layer(z)
    columns = []
    for k in range(len(z)):
        z[k] += h  # never put back: later columns see every earlier nudge too
        columns.append(layer(z) != base)
    return np.column_stack(columns)


WRONG_INFLUENCES = {
    "every layer is local": lambda layer, z: np.eye(len(z), dtype=bool),
    "everything depends on everything": lambda layer, z: np.ones((len(z), len(z)), dtype=bool),
    "transposed": lambda layer, z: influence_reference(layer, z).T,
    "step too small to change z": lambda layer, z: influence_reference(layer, z, h=1e-300),
    "threshold too large": _threshold(1e-3),
    "returns magnitudes, not booleans": lambda layer, z: np.array(
        [np.abs(layer(z + 1e-3 * e) - layer(z)) for e in np.eye(len(z))]
    ).T,
    "absolute threshold 1e-12": _threshold(1e-12),
    "absolute threshold 1e-15, h = 1e-4": _threshold(1e-15, h=1e-4),
    "central difference with threshold 1e-12": _central_threshold,
    "relative threshold 1e-8": _threshold(1e-8, relative=True),
    "np.isclose": lambda layer, z: np.array([~np.isclose(layer(z + 1e-6 * e), layer(z)) for e in np.eye(len(z))]).T,
    "any output changed marks the whole column": lambda layer, z: np.array(
        [np.full(len(z), np.any(layer(z + 1e-6 * e) != layer(z))) for e in np.eye(len(z))]
    ).T,
    "nudges every input at once": lambda layer, z: np.tile((layer(z + 1e-6) != layer(z))[:, None], (1, len(z))),
    "relative step z (1 + h): no nudge at z_k = 0": lambda layer, z: np.array(
        [layer(z * (1 + 1e-6 * e)) != layer(z) for e in np.eye(len(z))]
    ).T,
    "nudges accumulate (z changed in place)": _cumulative_nudges,
    "off by one: nudges input k + 1": lambda layer, z: np.array(
        [layer(z + 1e-6 * np.roll(e, 1)) != layer(z) for e in np.eye(len(z))]
    ).T,
    "float32 nudge against a float64 base": lambda layer, z: np.array(
        [layer(z.astype(np.float32) + np.float32(1e-6) * e.astype(np.float32)) != layer(z) for e in np.eye(len(z))]
    ).T,
}


@pytest.mark.parametrize("name", WRONG_INFLUENCES)
def test_non_locality_rejects_wrong_influence_functions(name):
    assert_fails_naming_input(check_non_locality(WRONG_INFLUENCES[name]))


def test_non_locality_message_names_layer_point_and_entry():
    r = check_non_locality(WRONG_INFLUENCES["every layer is local"])
    assert r.message.startswith(
        "For the softmax layer at z = [0, 0, 0] (a tie), your function says output 1 does not depend on input 2"
    )
    assert dict(r.details)["expected"] == "[[1, 1, 1], [1, 1, 1], [1, 1, 1]]"


def test_non_locality_catches_transposition_on_the_triangular_layer():
    r = check_non_locality(WRONG_INFLUENCES["transposed"])
    assert "running_sum_sigmoid_layer" in r.message


def test_non_locality_threshold_is_caught_with_advice():
    # |change| > 1e-12 after a nudge of 1e-6 (it passed when every point had moderate outputs): wrong at z = (4, -4, -4)
    r = check_non_locality(WRONG_INFLUENCES["absolute threshold 1e-12"])
    assert r.message.startswith("For the softmax layer at z = [4, -4, -4]"), r.message
    assert "output 2 does not depend on input 3, but it does" in r.message
    assert "moves by only about 1.1e-13" in r.message and "exactly (!=)" in r.message
    r = check_non_locality(WRONG_INFLUENCES["absolute threshold 1e-15, h = 1e-4"])
    assert "running_sum_sigmoid_layer" in r.message and "z = [-4, -4, -4, -4, -4, -4, -4, -4]" in r.message


def test_every_point_keeps_its_promise():
    """|z_k| <= 4, and an exact comparison detects every true dependence (and no other) for h = 1e-8 to 1e-3."""
    for z, _ in _non_locality_points():
        assert np.max(np.abs(z)) <= 4
        for layer, _ in _LAYERS:
            truth = _true_dependence(layer.__name__, len(z))
            for h in (1e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3):
                assert np.array_equal(influence_reference(layer, z, h), truth), (layer.__name__, z, h)


def test_non_locality_scaffold_is_not_attempted():
    assert_not_attempted(check_non_locality(stub))
    assert_not_attempted(check_non_locality(None))
