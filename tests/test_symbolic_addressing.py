"""Tests of ``softmaxlab.symbolic.addressing``, the SymPy derivations behind ``softmaxlab.addressing``: residuals
that simplify to 0, checked against the library's numbers."""

from __future__ import annotations

import numpy as np
import pytest

from softmaxlab import content_addressing
from softmaxlab import symbolic as S


@pytest.mark.parametrize("n", [1, 2, 3, 4])
def test_sharpening_is_a_larger_key_strength(n):
    result = S.key_strength_sharpening_sym(n)
    assert result["residuals"] == [0] * n
    rng = np.random.default_rng(n)
    memory, key = rng.normal(size=(n, 3)), rng.normal(size=3)
    w = content_addressing(memory, key, 2.0)
    np.testing.assert_allclose(w**2.5 / np.sum(w**2.5), content_addressing(memory, key, 5.0), rtol=1e-12)


def test_the_order_of_the_cosines_needs_no_square_roots():
    assert S.cosine_order_sym() == {"monotone": 0, "square": 0}
    rng = np.random.default_rng(0)
    memory, key = rng.integers(-5, 6, size=(30, 3)).astype(float), np.array([1.0, -2.0, 2.0])
    cos = memory @ key / (np.linalg.norm(memory, axis=1) * np.linalg.norm(key))
    d = memory @ key
    score = np.sign(d) * d**2 / np.sum(memory**2, axis=1)
    distinct = np.abs(np.subtract.outer(cos, cos)) > 1e-9
    assert np.all((np.sign(np.subtract.outer(cos, cos)) == np.sign(np.subtract.outer(score, score)))[distinct])
