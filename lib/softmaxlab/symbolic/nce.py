"""SymPy derivation for noise-contrastive estimation (:mod:`softmaxlab.nce`): the loss is minimised at the
data log-probability minus the log of the noise rate.
"""

from __future__ import annotations

import sympy as sp

from softmaxlab.symbolic.core import sigmoid_sym

__all__ = [
    "nce_optimum_sym",
]


def nce_optimum_sym() -> list[sp.Expr]:
    """Stationary points in ``s`` of the expected NCE objective for one outcome: ``[log(p)]``.

    The outcome has data probability ``p`` and noise probability ``q``; the
    objective ``p log sigmoid(s - log(k q)) + k q log sigmoid(log(k q) - s)``
    (per unit of data) is maximised where the model's log-probability ``s``
    equals ``log p``: NCE is self-normalising.

    Examples
    --------
    >>> nce_optimum_sym()
    [log(p)]
    """
    p, q, k = sp.symbols("p q k", positive=True)
    s = sp.Symbol("s", real=True)
    delta = s - sp.log(k * q)
    objective = p * sp.log(sigmoid_sym(delta)) + k * q * sp.log(sigmoid_sym(-delta))
    return [sp.simplify(r) for r in sp.solve(sp.diff(objective, s), s)]
