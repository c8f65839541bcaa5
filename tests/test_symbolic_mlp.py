"""Tests of ``softmaxlab.symbolic.mlp``, the SymPy derivation behind the softmax hidden layer of
``softmaxlab.mlp``: the coupling of its units, checked against the library's Jacobian."""

from __future__ import annotations

import numpy as np
import pytest

from softmaxlab import softmax, softmax_jacobian
from softmaxlab import symbolic as S


@pytest.mark.parametrize("n", [2, 3, 4, 5])
def test_softmax_layer_coupling(n):
    result = S.softmax_layer_coupling_sym(n)
    assert result["column sums"] == [0] * n
    assert result["off-diagonal minus diagonal"] == 0
    a = np.random.default_rng(n).normal(size=n)
    J = softmax_jacobian(a)
    np.testing.assert_allclose(J.sum(axis=0), 0.0, atol=1e-16)
    off = np.abs(J - np.diag(np.diag(J))).sum()
    np.testing.assert_allclose(off, np.trace(J), rtol=1e-14)
    np.testing.assert_allclose(np.trace(J), 1 - np.sum(softmax(a) ** 2), rtol=1e-14)
