"""SymPy derivation for negative sampling (:mod:`softmaxlab.negative_sampling`): the loss is minimised
at the shifted pointwise mutual information.
"""

from __future__ import annotations

import sympy as sp

from softmaxlab.symbolic.core import sigmoid_sym

__all__ = [
    "negative_sampling_optimum_sym",
]


def negative_sampling_optimum_sym() -> list[sp.Expr]:
    """Stationary point in ``x`` of the expected negative-sampling objective for one (word, context) cell.

    ``N_wc log sigmoid(x) + k N_w P_c log sigmoid(-x)`` is maximised at
    ``x = log(N_wc / (N_w P_c)) - log k``: the shifted PMI (Levy and Goldberg, 2014).

    Examples
    --------
    >>> r = negative_sampling_optimum_sym()
    >>> N_wc, N_w, P_c, k = sp.symbols("N_wc N_w P_c k", positive=True)
    >>> sp.simplify(sp.expand_log(r[0] - (sp.log(N_wc / (N_w * P_c)) - sp.log(k)), force=True))
    0
    """
    n_wc, n_w, p_c, k = sp.symbols("N_wc N_w P_c k", positive=True)
    x = sp.Symbol("x", real=True)
    objective = n_wc * sp.log(sigmoid_sym(x)) + k * n_w * p_c * sp.log(sigmoid_sym(-x))
    return [sp.simplify(r) for r in sp.solve(sp.diff(objective, x), x)]
