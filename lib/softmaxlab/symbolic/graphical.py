"""SymPy derivation of softmax as a conditional of an undirected graphical model (:mod:`softmaxlab.graphical`).

In the Ising ring, one spin given its neighbours is a two-class softmax, a sigmoid.
"""

from __future__ import annotations

import sympy as sp

from softmaxlab.symbolic.core import _size, _softmax_of, _vector, sigmoid_sym

__all__ = [
    "ising_spin_conditional_sym",
]


#: Inverse temperature (positive), and the Ising coupling and field (real).
beta = sp.Symbol("beta", positive=True)


J, h = sp.symbols("J h", real=True)


def ising_spin_conditional_sym(n: int = 4) -> dict[str, object]:
    r"""The conditional of one spin of an Ising ring given the others: a two-class softmax, a sigmoid.

    The ring ``s_1, ..., s_n`` has the Gibbs distribution
    ``P(s) = exp(-beta E(s)) / Z`` with ``E(s) = -J sum_i s_i s_{i+1} - h sum_i s_i``
    (``s_{n+1} = s_1``). Dividing the joint weight with ``s_1 = +1`` by the
    sum of the weights with ``s_1 = +1`` and ``s_1 = -1`` cancels ``Z`` and
    every factor that does not touch ``s_1``, leaving

    .. math:: P(s_1 = +1 \mid s_2, \dots, s_n)
              = \operatorname{softmax}(\beta L, -\beta L)_1 = \sigma(2 \beta L),
              \qquad L = J (s_n + s_2) + h,

    which depends on the two neighbours only (the Markov property).

    Parameters
    ----------
    n : int
        The ring's length, ``3 <= n <= 12`` (shorter rings have a spin bonded
        to itself or twice to the same neighbour).

    Returns
    -------
    dict
        ``"energy"`` (``E`` in the symbols ``s_1, ..., s_n``, ``J``, ``h``),
        ``"conditional"`` (the ratio of joint weights),
        ``"local_field"`` (``L``), ``"softmax"`` (``softmax(beta L, -beta L)_1``),
        ``"sigmoid"`` (``sigma(2 beta L)``) and ``"difference"``: the
        conditional minus the softmax and minus the sigmoid, simplified (both 0).

    Examples
    --------
    >>> out = ising_spin_conditional_sym(3)
    >>> out["difference"]
    [0, 0]
    >>> out["local_field"]
    J*(s_2 + s_3) + h
    """
    n = _size(n, "n", 12, minimum=3)
    s = _vector("s", n, real=True)
    energy = -J * sum(s[i] * s[(i + 1) % n] for i in range(n)) - h * sum(s)

    def weight(first):
        return sp.exp(-beta * energy.subs(s[0], first))

    conditional = weight(1) / (weight(1) + weight(-1))
    local = J * (s[1] + s[-1]) + h
    two_class = _softmax_of([beta * local, -beta * local], "beta * L")[0]
    logistic = sigmoid_sym(2 * beta * local)
    difference = [sp.simplify(sp.powsimp(sp.expand(conditional - target))) for target in (two_class, logistic)]
    return {
        "energy": energy,
        "conditional": conditional,
        "local_field": local,
        "softmax": two_class,
        "sigmoid": logistic,
        "difference": difference,
    }
