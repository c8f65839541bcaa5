"""Tests of softmaxlab.exercises.masked_attention: the checker of the fully-masked-row exercise.

Right answers written in several ways pass; a bank of realistic wrong answers
(``WRONG_ATTENTIONS``) fails with a message naming the input.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

from exercise_assertions import assert_fails_naming_input, assert_not_attempted, stub
from softmaxlab import scaled_dot_product_attention, softmax
from softmaxlab.exercises import check_masked_attention
from softmaxlab.exercises.masked_attention import _attention_cases, _masked_reference

NAMES_PROBLEM = re.compile(r"q = \[\[.*\], k = \[\[.*\], v = \[\[.*\], mask = \[\[")


def attend_library(q, k, v, mask):
    out = scaled_dot_product_attention(q, k, v, mask=mask)
    return np.where(mask.any(axis=1, keepdims=True), out, 0.0)


def attend_loop(q, k, v, mask):
    out = []
    for i in range(len(q)):
        allowed = [j for j in range(len(k)) if mask[i, j]]
        if not allowed:
            out.append([0.0] * v.shape[1])
            continue
        scores = [float(q[i] @ k[j]) / math.sqrt(q.shape[1]) for j in allowed]
        top = max(scores)
        w = [math.exp(s - top) for s in scores]
        out.append([sum(wj * v[j, c] for wj, j in zip(w, allowed)) / sum(w) for c in range(v.shape[1])])
    return out


def attend_where(q, k, v, mask):
    s = np.where(mask, q @ k.T / np.sqrt(q.shape[1]), -np.inf)
    top = np.max(s, axis=1, keepdims=True)
    top = np.where(np.isfinite(top), top, 0.0)
    e = np.exp(s - top)
    total = e.sum(axis=1, keepdims=True)
    w = np.divide(e, total, out=np.zeros_like(e), where=total > 0)
    return w @ v


def attend_softmax_nan_to_num(q, k, v, mask):
    with np.errstate(invalid="ignore"):
        w = softmax(np.where(mask, q @ k.T / np.sqrt(q.shape[1]), -np.inf), axis=1)
    return np.nan_to_num(w, nan=0.0) @ v


def attend_most_negative_float_fill(q, k, v, mask):
    s = np.where(mask, q @ k.T / np.sqrt(q.shape[1]), -np.finfo(np.float64).max)
    w = softmax(s, axis=1)
    return np.where(mask.any(axis=1, keepdims=True), w @ v, 0.0)


RIGHT_ATTENTIONS = {
    "fill with the most negative float, fully masked rows set to 0": attend_most_negative_float_fill,
    "library, nan rows replaced by 0": attend_library,
    "a Python loop, returning a list": attend_loop,
    "-inf scores, shift by the allowed max, guarded division": attend_where,
    "library softmax, nan weights set to 0": attend_softmax_nan_to_num,
}


@pytest.mark.parametrize("name", RIGHT_ATTENTIONS)
def test_right_answers_written_differently_pass(name):
    result = check_masked_attention(RIGHT_ATTENTIONS[name])
    assert result.passed, repr(result)


def _scores(q, k):
    return q @ k.T / np.sqrt(q.shape[1])


def _normalise(e):
    return e / e.sum(axis=1, keepdims=True)


def _naive(q, k, v, mask):
    e = np.exp(_scores(q, k)) * mask
    with np.errstate(invalid="ignore", divide="ignore"):
        w = np.nan_to_num(e / e.sum(axis=1, keepdims=True), nan=0.0)
    return w @ v


def _shift_over_all_keys(q, k, v, mask):
    s = _scores(q, k)
    e = np.exp(s - s.max(axis=1, keepdims=True)) * mask
    total = e.sum(axis=1, keepdims=True)
    return np.divide(e, total, out=np.zeros_like(e), where=total > 0) @ v


WRONG_ATTENTIONS = {
    "masked scores replaced by -1e9": lambda q, k, v, m: softmax(np.where(m, _scores(q, k), -1e9), axis=1) @ v,
    "-1e9 added to masked scores": lambda q, k, v, m: softmax(_scores(q, k) - 1e9 * ~m, axis=1) @ v,
    "the library's nan rows kept": lambda q, k, v, m: scaled_dot_product_attention(q, k, v, mask=m),
    "uniform average of all values for a masked row": lambda q, k, v, m: np.where(
        m.any(axis=1, keepdims=True), attend_library(q, k, v, m), v.mean(axis=0)),
    "no 1/sqrt(d)": lambda q, k, v, m: attend_library(q * np.sqrt(q.shape[1]), k, v, m),
    "1/d instead of 1/sqrt(d)": lambda q, k, v, m: attend_library(q / np.sqrt(q.shape[1]), k, v, m),
    "mask read the wrong way round": lambda q, k, v, m: attend_library(q, k, v, ~m),
    "weights masked after the softmax, not renormalised": lambda q, k, v, m: (softmax(_scores(q, k), axis=1) * m) @ v,
    "exp without a shift": _naive,
    "shift by the largest score of all keys, masked ones included": _shift_over_all_keys,
    "mask ignored": lambda q, k, v, m: scaled_dot_product_attention(q, k, v),
    "-1e9 fill, fully masked rows then set to 0": lambda q, k, v, m: np.where(
        m.any(axis=1, keepdims=True), softmax(np.where(m, _scores(q, k), -1e9), axis=1) @ v, 0.0),
    "the weights instead of the output": lambda q, k, v, m: attend_library(q, k, np.eye(len(k)), m)[:, : v.shape[1]],
}


@pytest.mark.parametrize("name", WRONG_ATTENTIONS)
def test_wrong_answers_fail_naming_the_input(name):
    with np.errstate(all="ignore"):
        result = check_masked_attention(WRONG_ATTENTIONS[name])
    assert_fails_naming_input(result, names_input=NAMES_PROBLEM)


def test_scaffold_is_not_attempted():
    assert_not_attempted(check_masked_attention(None))
    assert_not_attempted(check_masked_attention(stub))


def test_reference_agrees_with_the_library_where_a_key_is_allowed():
    for q, k, v, mask, _ in _attention_cases():
        ref = _masked_reference(q, k, v, mask)
        allowed = mask.any(axis=1)
        np.testing.assert_allclose(ref[allowed], scaled_dot_product_attention(q, k, v, mask=mask)[allowed],
                                   rtol=1e-10, atol=1e-9 * np.abs(v).max())
        assert np.all(ref[~allowed] == 0)


def test_the_hard_cases_are_there():
    kinds = " ".join(kind for *_, kind in _attention_cases())
    assert "overflows" in kinds and "above the others" in kinds and "every key masked" in kinds
    assert sum(not m.any(axis=1).all() for _, _, _, m, _ in _attention_cases()) >= 5
