"""Tests of ``softmaxlab.symbolic.nce``, the SymPy derivations behind ``softmaxlab.nce``: residuals that
simplify to 0, exact values, and numerical cross-checks against the library."""

from __future__ import annotations

import sympy as sp

from softmaxlab.symbolic import (
    nce_optimum_sym,
)


def test_nce_optimum_is_the_data_log_probability():
    p = sp.Symbol("p", positive=True)
    assert nce_optimum_sym() == [sp.log(p)]
