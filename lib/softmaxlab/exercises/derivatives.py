"""Checkers for the exercises on derivatives (exercises 2 and 5).

Exercise 2 asks for the Jacobian of softmax as a function (checked numerically
against ``diag(a) - a a^T`` on many inputs); exercise 5 asks for the gradient
of the cross-entropy as SymPy expressions in ``p`` and ``y`` (checked by SymPy
equivalence, with a numerical counterexample when it fails).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import sympy as sp

from softmaxlab.core import softmax
from softmaxlab.exercises._result import (
    CheckResult,
    as_float_array,
    call_answer,
    checker,
    fail,
    first_mismatch,
    fmt,
)

__all__ = ["check_monotonicity", "check_cross_entropy_gradient"]

_SEED = 20260302


# --------------------------------------------------------------------------------------
# Exercise 2: monotonicity


def _jacobian_reference(z: np.ndarray) -> np.ndarray:
    """d a_j / d z_k = a_j (delta_jk - a_k), from the library's (overflow-free) softmax."""
    a = softmax(z)
    return np.diag(a) - np.outer(a, a)


def _monotonicity_cases() -> list[tuple[np.ndarray, str]]:
    rng = np.random.default_rng(_SEED)
    cases: list[tuple[np.ndarray, str]] = []
    for K in range(2, 9):
        for scale in (0.3, 1.0, 3.0, 10.0):
            cases.append((np.round(rng.normal(0.0, scale, size=K), 3), f"random, K = {K}"))
    cases += [
        (np.zeros(3), "a three-way tie"),
        (np.array([2.0, 2.0, -1.0]), "a tie for the maximum"),
        (np.array([0.0, -30.0, -40.0]), "one dominant input"),
        (np.array([1000.0, 0.0, -1000.0]), "large magnitudes"),
        (np.array([-10000.0, -10000.0]), "a tie at a large negative value"),
        (np.array([800.0, 799.0]), "large positive values"),
    ]
    return cases


@checker("Monotonicity of softmax")
def check_monotonicity(jacobian: Callable[[np.ndarray], Any]) -> CheckResult:
    """Check a function returning the Jacobian of softmax, ``J[j, k] = d a_j / d z_k``.

    ``jacobian(z)`` gets a 1-D float array of length ``K`` and must return a
    ``(K, K)`` array. It is compared with ``diag(a) - a a^T``, ``a =
    softmax(z)``, entry by entry (``|error| <= 1e-10 + 1e-7 |J|``) on 34
    inputs: random vectors with ``K`` from 2 to 8 at four scales, ties, one
    dominant input, and magnitudes up to 10^4 (where ``exp(z)`` overflows or
    underflows, so the Jacobian must be built from a stable softmax). A wrong
    entry is reported with its sign: diagonal entries are positive, the
    others negative.

    Parameters
    ----------
    jacobian : callable
        ``jacobian(z) -> (K, K) array``.

    Returns
    -------
    CheckResult

    Examples
    --------
    >>> import numpy as np
    >>> from softmaxlab import softmax
    >>> from softmaxlab.exercises import check_monotonicity
    >>> def jacobian(z):
    ...     a = softmax(z)
    ...     return np.diag(a) - np.outer(a, a)
    >>> check_monotonicity(jacobian).passed
    True
    >>> check_monotonicity(lambda z: np.diag(softmax(z) * (1 - softmax(z)))).passed   # forgot j != k
    False
    """
    for z, kind in _monotonicity_cases():
        K = z.shape[0]
        on = f"z = {fmt(z, digits=None)}"
        got = as_float_array(call_answer(jacobian, z.copy(), on=on), (K, K), on=on)
        expected = _jacobian_reference(z)
        bad = first_mismatch(got, expected, rtol=1e-7, atol=1e-10)
        if bad is None:
            continue
        j, k = bad
        entry = f"d a_{j + 1} / d z_{k + 1}"
        sign = "positive, since j = k" if j == k else "negative, since j != k"
        if expected[j, k] == 0:
            sign = "0 here: the outputs involved underflow or are exactly 1"
        advice = ""
        off = ~np.eye(K, dtype=bool)
        if np.all(got[off] == 0) and np.any(expected[off] != 0):
            advice = (
                " Your Jacobian is diagonal, like a sigmoid layer's; but each softmax output "
                "depends on every input, through the denominator."
            )
        elif not np.all(np.isfinite(got)):
            advice = " Your Jacobian contains inf or nan: build it from a softmax that does not overflow."
        fail(
            f"At z = {fmt(z, digits=None)} ({kind}), entry ({j + 1}, {k + 1}) of your Jacobian, "
            f"{entry}, is {fmt(got[j, k])}; it should be {fmt(expected[j, k])} ({sign}).{advice}",
            input=fmt(z, digits=None),
            expected=expected,
            got=got,
        )
    return (
        f"Your Jacobian equals diag(a) - a a^T on all {len(_monotonicity_cases())} test inputs "
        "(K = 2 to 8, ties, a dominant input, |z| up to 10^4).",
        (("at z = [1, 2, 3]", fmt(_jacobian_reference(np.array([1.0, 2.0, 3.0])), 4)),),
    )


# --------------------------------------------------------------------------------------
# Exercise 5: the cross-entropy gradient


def _p_symbols(K: int) -> list[sp.Symbol]:
    return list(sp.symbols(f"p_1:{K + 1}", positive=True))


def _gradient_reference(K: int, label: int) -> tuple[list[sp.Symbol], list[sp.Expr]]:
    """d CE / d z_j in terms of x_i = exp(z_i) > 0, by the chain rule d/dz_j = x_j d/dx_j."""
    x = list(sp.symbols(f"x_1:{K + 1}", positive=True))
    loss = -sp.log(x[label] / sum(x))
    return x, [sp.cancel(x[j] * sp.diff(loss, x[j])) for j in range(K)]


def _as_expressions(value: Any, K: int, on: str) -> list[sp.Expr]:
    if value is None:
        fail(f"On {on} your function returned None: is a `return` statement missing?")
    if isinstance(value, (sp.MatrixBase, np.ndarray)):
        items = list(np.asarray(value, dtype=object).reshape(-1))
    elif isinstance(value, (list, tuple)):
        items = list(value)
    else:
        fail(f"On {on} your function returned {type(value).__name__}; return K expressions (a list or a Matrix).")
    if len(items) != K:
        fail(f"On {on} your function returned {len(items)} expressions; expected K = {K}, one per z_j.")
    try:
        return [sp.sympify(item) for item in items]
    except (sp.SympifyError, TypeError):
        fail(f"On {on} your function returned something that is not a SymPy expression: {items!r}.")


@checker("The cross-entropy gradient")
def check_cross_entropy_gradient(gradient: Callable[[sp.Matrix, sp.Matrix], Any]) -> CheckResult:
    """Check the gradient of ``CE = -sum_i y_i ln p_i`` with ``p = softmax(z)``, as SymPy expressions.

    ``gradient(p, y)`` gets ``p``, a ``K x 1`` SymPy Matrix of positive symbols
    ``p_1, ..., p_K`` standing for the softmax outputs, and ``y``, a ``K x 1``
    Matrix holding a one-hot target; it must return ``K`` expressions in the
    ``p_i`` (list or Matrix), entry ``j`` being ``d CE / d z_j``. Every ``K``
    in 2, 3, 4 and every position of the 1 are tested. An answer is right
    when, after substituting ``p_i = e^{z_i} / sum_k e^{z_k}``, SymPy proves
    it equal to the derivative of the loss (so equivalent forms such as
    ``-p_2`` for ``p_1 - 1`` when ``K = 2`` pass); a wrong one is shown with
    a numerical counterexample.

    Parameters
    ----------
    gradient : callable
        ``gradient(p, y) -> K SymPy expressions``.

    Returns
    -------
    CheckResult

    Examples
    --------
    >>> from softmaxlab.exercises import check_cross_entropy_gradient
    >>> check_cross_entropy_gradient(lambda p, y: p - y).passed
    True
    >>> check_cross_entropy_gradient(lambda p, y: y - p).passed
    False
    """
    rng = np.random.default_rng(_SEED + 5)
    n_cases = 0
    numeric_only = 0  # entries SymPy could not simplify to 0 but that agree at 5 random points
    for K in (2, 3, 4):
        p = _p_symbols(K)
        for label in range(K):
            n_cases += 1
            y = [1 if i == label else 0 for i in range(K)]
            on = f"K = {K}, y = {fmt(y)}"
            answer = _as_expressions(call_answer(gradient, sp.Matrix(p), sp.Matrix(y), on=on), K, on)
            stray = set().union(*(e.free_symbols for e in answer)) - set(p)
            if stray:
                names = ", ".join(sorted(str(s) for s in stray))
                fail(
                    f"For {on} your gradient uses the symbols {names}; write it in terms of "
                    f"p_1, ..., p_{K} (the softmax outputs) and the numbers y_j only.",
                    input=on,
                    got=fmt([str(e) for e in answer]),
                )
            x, reference = _gradient_reference(K, label)
            as_x = {p[i]: x[i] / sum(x) for i in range(K)}
            for j in range(K):
                difference = sp.cancel(sp.together(answer[j].subs(as_x) - reference[j]))
                if difference == 0 or sp.simplify(difference) == 0:
                    continue
                # not proved equal: look for a point where they differ, to show the reader
                for _ in range(5):
                    z = np.round(rng.normal(0.0, 1.0, size=K), 2)
                    pz = softmax(z)
                    got = complex(answer[j].subs({p[i]: sp.Float(pz[i], 30) for i in range(K)}).evalf(20))
                    want = float(reference[j].subs({x[i]: sp.exp(sp.Float(z[i], 30)) for i in range(K)}).evalf(20))
                    if abs(got.imag) > 1e-12 or abs(got.real - want) > 1e-9 * (1 + abs(want)):
                        value = fmt(got.real) if got.imag == 0 else f"the complex number {fmt(got.real)} + {fmt(got.imag)}i"
                        fail(
                            f"For {on}, your entry {j + 1}, d CE / d z_{j + 1} = {answer[j]}, is not the "
                            f"derivative of CE = -ln p_{label + 1}. At z = {fmt(z, digits=None)} "
                            f"(p = {fmt(pz)}) it gives {value}; the derivative is {fmt(want)}.",
                            input=f"{on}, z = {fmt(z, digits=None)}",
                            expected=fmt(want),
                            got=str(answer[j]),
                        )
                numeric_only += 1
    how = "SymPy proves your gradient equal to" if numeric_only == 0 else (
        f"Your gradient agrees with (SymPy proves all but {numeric_only} entries equal, and those "
        "agree numerically at 5 random points each)"
    )
    return (
        f"{how} the derivative of the cross-entropy in all {n_cases} cases "
        "(K = 2, 3, 4, the 1 of y in every position).",
        (("your answer for K = 3, y = [0, 1, 0]", fmt([str(e) for e in _as_expressions(
            gradient(sp.Matrix(_p_symbols(3)), sp.Matrix([0, 1, 0])), 3, "K = 3")])),),
    )
