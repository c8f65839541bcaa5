"""SymPy derivations behind the softmax hidden layer of :mod:`softmaxlab.mlp`: how its units are coupled."""

from __future__ import annotations

import sympy as sp

from softmaxlab.symbolic.core import _size

__all__ = [
    "softmax_layer_coupling_sym",
]


def softmax_layer_coupling_sym(n: int = 4) -> dict[str, object]:
    """The Jacobian ``h_i (delta_ij - h_j)`` of a softmax layer of ``n`` units, on the simplex.

    With ``h_n = 1 - h_1 - ... - h_{n-1}`` and every ``h_i > 0``: each column
    sums to 0 (what one unit gains the others lose), and the total magnitude
    off the diagonal, ``sum_{i != j} h_i h_j``, equals the diagonal's,
    ``sum_i h_i (1 - h_i)``.

    Parameters
    ----------
    n : int, optional
        Number of units, ``2 <= n <= 8``.

    Returns
    -------
    dict
        ``"column sums"`` (n entries, each 0) and ``"off-diagonal minus diagonal"`` (0).

    Raises
    ------
    TypeError, ValueError
        If ``n`` is not an integer from 2 to 8.

    Examples
    --------
    >>> softmax_layer_coupling_sym(3)
    {'column sums': [0, 0, 0], 'off-diagonal minus diagonal': 0}
    """
    n = _size(n, "n", 8, minimum=2)
    free = sp.symbols(f"h_1:{n}", positive=True)
    h = [*free, 1 - sum(free)]
    jacobian = sp.Matrix(n, n, lambda i, j: h[i] * ((1 if i == j else 0) - h[j]))
    column_sums = [sp.simplify(sum(jacobian[:, j])) for j in range(n)]
    diagonal = sum(h[i] * (1 - h[i]) for i in range(n))
    off_diagonal = sum(h[i] * h[j] for i in range(n) for j in range(n) if i != j)
    return {"column sums": column_sums, "off-diagonal minus diagonal": sp.simplify(off_diagonal - diagonal)}
