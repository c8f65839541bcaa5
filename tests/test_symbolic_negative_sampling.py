"""Tests of ``softmaxlab.symbolic.negative_sampling``, the SymPy derivations behind
``softmaxlab.negative_sampling``: residuals that simplify to 0, exact values, and numerical
cross-checks against the library."""

from __future__ import annotations

import sympy as sp

from softmaxlab.symbolic import (
    negative_sampling_optimum_sym,
)


def test_negative_sampling_optimum_is_shifted_pmi():
    n_wc, n_w, p_c, k = sp.symbols("N_wc N_w P_c k", positive=True)
    (x,) = negative_sampling_optimum_sym()
    assert sp.simplify(sp.expand_log(x - (sp.log(n_wc / (n_w * p_c)) - sp.log(k)), force=True)) == 0
