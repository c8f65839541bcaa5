"""Tests of softmaxlab.exercises.hard_addressing: the checker of the hard-addressing exercise.

Right answers written in several ways pass; a bank of realistic wrong answers
(``WRONG_LIMITS``) fails with a message naming the input.
"""

from __future__ import annotations

import re
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp

from exercise_assertions import assert_fails_naming_input, assert_not_attempted, stub
from softmaxlab import content_addressing, softmax
from softmaxlab.exercises import check_hard_addressing
from softmaxlab.exercises.hard_addressing import _addressing_cases, _hard_reference

NAMES_MEMORY = re.compile(r"memory = \[\[.*\], key = \[")


def _score(row, key):
    m, k = [int(v) for v in row], [int(v) for v in key]
    d, mm, kk = sum(a * b for a, b in zip(m, k)), sum(a * a for a in m), sum(b * b for b in k)
    return Fraction(0) if mm * kk == 0 else Fraction(d * abs(d), mm * kk)


def limit_fractions(memory, key):
    scores = [_score(row, key) for row in memory]
    best = np.array([s == max(scores) for s in scores])
    return best / best.sum()


def limit_cross_multiplied(memory, key):
    """Integer cross-multiplication, no fractions: row i beats row j iff s_i n_j > s_j n_i."""
    k = [int(v) for v in key]
    kk = sum(v * v for v in k)
    pairs = []
    for row in memory:
        m = [int(v) for v in row]
        mm, d = sum(v * v for v in m), sum(a * b for a, b in zip(m, k))
        pairs.append((d * abs(d), mm) if mm and kk else (0, 1))
    best = []
    for i, (si, ni) in enumerate(pairs):
        if all(si * nj >= sj * ni for sj, nj in pairs):
            best.append(i)
    return [1 / len(best) if i in best else 0.0 for i in range(len(pairs))]


def limit_sympy(memory, key):
    k = sp.Matrix([sp.Integer(int(v)) for v in key])
    cosines = []
    for row in memory:
        m = sp.Matrix([sp.Integer(int(v)) for v in row])
        cosines.append(sp.Integer(0) if m.norm() == 0 or k.norm() == 0 else m.dot(k) / (m.norm() * k.norm()))
    best = [i for i, c in enumerate(cosines) if all(sp.simplify(c - other) >= 0 for other in cosines)]
    return sp.Matrix([sp.Rational(1, len(best)) if i in best else 0 for i in range(len(cosines))])


RIGHT_LIMITS = {
    "exact fractions": limit_fractions,
    "integer cross-multiplication, a list": limit_cross_multiplied,
    "SymPy cosines, a SymPy Matrix": limit_sympy,
    "fractions, returned as a column": lambda memory, key: limit_fractions(memory, key).reshape(-1, 1),
}


@pytest.mark.parametrize("name", RIGHT_LIMITS)
def test_right_answers_written_differently_pass(name):
    result = check_hard_addressing(RIGHT_LIMITS[name])
    assert result.passed, repr(result)


def _share(mask):
    mask = np.asarray(mask, dtype=float)
    return mask / mask.sum()


def _safe_cosine(memory, key):
    norms = np.linalg.norm(memory, axis=1) * np.linalg.norm(key)
    dots = memory @ key
    return np.divide(dots, norms, out=np.zeros_like(dots), where=norms > 0)


def _exact_but_nan_for_zero_vectors(memory, key):
    if not np.any(key) or not np.all(np.any(memory, axis=1)):
        return np.full(len(memory), np.nan)
    return limit_fractions(memory, key)


def _exact_but_zero_rows_last(memory, key):
    scores = [_score(r, key) if np.any(r) else Fraction(-2) for r in memory]
    return _share([s == max(scores) for s in scores])


def _long_double_within(memory, key, tol=1e-19):
    m, k = memory.astype(np.longdouble), key.astype(np.longdouble)
    norms = np.sqrt((m * m).sum(axis=1)) * np.sqrt((k * k).sum())
    cos = np.where(norms > 0, (m @ k) / np.where(norms > 0, norms, 1), 0)
    return _share(np.abs(cos - cos.max()) <= tol)


def _float_sign_square(memory, key):
    norms2 = (memory * memory).sum(axis=1)
    d = memory @ key
    s = np.where((norms2 > 0) & key.any(), np.sign(d) * d * d / np.where(norms2 > 0, norms2, 1), 0.0)
    return _share(s == s.max())


WRONG_LIMITS = {
    "one-hot argmax of the cosine, ignoring ties": lambda m, k: np.eye(len(m))[np.argmax(_safe_cosine(m, k))],
    "argmax of the dot product": lambda m, k: _share((m @ k) == (m @ k).max()),
    "float cosines compared with ==": lambda m, k: _share(_safe_cosine(m, k) == _safe_cosine(m, k).max()),
    "ties by np.isclose": lambda m, k: _share(np.isclose(_safe_cosine(m, k), _safe_cosine(m, k).max())),
    "float cosines rounded to 12 decimals": lambda m, k: _share(
        np.round(_safe_cosine(m, k), 12) == np.round(_safe_cosine(m, k), 12).max()),
    "absolute cosine (sign lost)": lambda m, k: _share(np.abs(_safe_cosine(m, k)) == np.abs(_safe_cosine(m, k)).max()),
    "softmax at beta = 1e4": lambda m, k: softmax(1e4 * _safe_cosine(m, k)),
    "content_addressing at beta = 1e6": lambda m, k: content_addressing(m, k, 1e6),
    "exact, but 0/0 (nan) for a zero vector": _exact_but_nan_for_zero_vectors,
    "exact, but a zero row ranked last": _exact_but_zero_rows_last,
    "uniform": lambda m, k: np.full(len(m), 1 / len(m)),
    "long double cosines, ties within 1e-19": _long_double_within,
    "sign(d) d^2 / |M|^2 in float64": _float_sign_square,
    "1 on every best row, not divided": lambda m, k: np.asarray(limit_fractions(m, k) > 0, dtype=float),
    "the last best row only": lambda m, k: np.eye(len(m))[len(m) - 1 - np.argmax(limit_fractions(m, k)[::-1])],
    "squared cosine without the sign, exact": lambda m, k: _share(
        [abs(_score(r, k)) == max(abs(_score(x, k)) for x in m) for r in m]),
    "the read vector instead of the weights": lambda m, k: limit_fractions(m, k) @ m,
}


@pytest.mark.parametrize("name", WRONG_LIMITS)
def test_wrong_answers_fail_naming_the_input(name):
    result = check_hard_addressing(WRONG_LIMITS[name])
    assert_fails_naming_input(result, names_input=NAMES_MEMORY)


def test_scaffold_is_not_attempted():
    assert_not_attempted(check_hard_addressing(None))
    assert_not_attempted(check_hard_addressing(stub))


def test_reference_is_the_limit_of_content_addressing_where_floats_can_show_it():
    """Where the best cosine leads by a clear margin, content addressing at a large beta approaches the reference."""
    shown = 0
    for memory, key, _ in _addressing_cases():
        cos = np.unique(np.round(_safe_cosine(memory, key), 9))
        exact = {_score(row, key) for row in memory}
        gaps = np.diff(cos)
        if len(cos) == len(exact) and (gaps.size == 0 or gaps.min() > 1e-3):
            np.testing.assert_allclose(content_addressing(memory, key, 1e5) if key.any() else np.full(len(memory),
                                       1 / len(memory)), _hard_reference(memory, key), atol=1e-9)
            shown += 1
    assert shown >= 5


def test_the_cases_contain_ties_that_floats_miss_and_near_ties_that_floats_merge():
    split = merged = 0
    for memory, key, _ in _addressing_cases():
        ref = _hard_reference(memory, key)
        floats = _share(_safe_cosine(memory, key) == _safe_cosine(memory, key).max())
        if not np.allclose(floats, ref):
            if np.count_nonzero(floats) < np.count_nonzero(ref):
                split += 1
            else:
                merged += 1
    assert split >= 1 and merged >= 1
