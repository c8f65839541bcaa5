"""SymPy derivations behind content addressing (:mod:`softmaxlab.addressing`): the key strength as an
inverse temperature, and why the order of the cosines needs no square roots."""

from __future__ import annotations

import sympy as sp

from softmaxlab.symbolic.core import _size

__all__ = [
    "key_strength_sharpening_sym",
    "cosine_order_sym",
]


def _softmax(scores: list[sp.Expr]) -> list[sp.Expr]:
    exps = [sp.exp(s) for s in scores]
    return [e / sum(exps) for e in exps]


def key_strength_sharpening_sym(n: int = 3) -> dict[str, object]:
    """Sharpening the weights at key strength ``beta`` by a power ``gamma`` gives the weights at ``gamma beta``.

    With symbolic cosines ``c_1, ..., c_n`` and ``w(beta) = softmax(beta c)``,
    the NTM's sharpening step ``w_i^gamma / sum_j w_j^gamma`` equals
    ``w(gamma beta)`` exactly: the key strength is an inverse temperature, and
    the weights at one strength determine all others.

    Parameters
    ----------
    n : int, optional
        Number of memory rows, ``1 <= n <= 6``.

    Returns
    -------
    dict
        ``"sharpened"`` (the sharpened weights), ``"rescaled"`` (``w(gamma beta)``)
        and ``"residuals"`` (their differences, simplified: each 0).

    Raises
    ------
    TypeError, ValueError
        If ``n`` is not an integer from 1 to 6.

    Examples
    --------
    >>> key_strength_sharpening_sym(3)["residuals"]
    [0, 0, 0]
    """
    n = _size(n, "n", 6)
    beta, gamma = sp.symbols("beta gamma", positive=True)
    c = sp.symbols(f"c_1:{n + 1}", real=True)
    w = _softmax([beta * ci for ci in c])
    sharpened = [wi**gamma / sum(wj**gamma for wj in w) for wi in w]
    rescaled = _softmax([gamma * beta * ci for ci in c])
    residuals = [sp.simplify(sp.powsimp(sp.expand_power_base(a - b, force=True), force=True))
                 for a, b in zip(sharpened, rescaled)]
    return {"sharpened": sharpened, "rescaled": rescaled, "residuals": residuals}


def cosine_order_sym() -> dict[str, sp.Expr]:
    """The cosines of a key with memory rows are in the order of ``sign(d) d^2 / |M|^2``, ``d = M . k``.

    Two residuals, each 0: ``d/dx (x |x|) - 2|x|`` (so ``x |x|`` is strictly
    increasing: the map keeps the order of the cosines), and
    ``cos^2 - d^2 / (|M|^2 |k|^2)`` for ``cos = d / (|M| |k|)`` (squaring removes
    the square roots; ``|k|^2`` is common to every row).

    Returns
    -------
    dict
        ``"monotone"`` and ``"square"``, the two residuals.

    Examples
    --------
    >>> cosine_order_sym()
    {'monotone': 0, 'square': 0}
    """
    x = sp.symbols("x", real=True)
    d, norm_m2, norm_k2 = sp.symbols("d n_M n_k", positive=True)
    cosine = d / (sp.sqrt(norm_m2) * sp.sqrt(norm_k2))
    return {"monotone": sp.simplify(sp.diff(x * sp.Abs(x), x) - 2 * sp.Abs(x)),
            "square": sp.simplify(cosine**2 - d**2 / (norm_m2 * norm_k2))}
