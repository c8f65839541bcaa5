"""Checker for the exercise on the gradient of the cross-entropy loss.

The reader gives the gradient as SymPy expressions in ``p`` and ``y``; it passes only
when SymPy proves every entry equal to the derivative (a numerical agreement is never a
proof), and a wrong entry is shown with a numerical counterexample.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import mpmath
import numpy as np
import sympy as sp

from softmaxlab.exercises._result import (
    CheckFailed,
    CheckResult,
    NotAttempted,
    adopt_symbols,
    as_expressions,
    call_answer,
    checker,
    distinguishing_digits,
    exact_rational,
    fail,
    fmt,
    proves_equal,
    undefined_value,
)

__all__ = ["check_cross_entropy_gradient"]

_SEED = 20260302

_EVAL_DIGITS = 60          # working precision of the numerical counterexamples
_COUNTEREXAMPLE_RTOL = sp.Float("1e-40", _EVAL_DIGITS)  # a difference beyond rounding at 60 digits
_N_POINTS = 6              # points z per K at which a counterexample is sought


def _p_symbols(K: int) -> list[sp.Symbol]:
    return list(sp.symbols(f"p_1:{K + 1}", positive=True))


def _gradient_reference(K: int, label: int) -> tuple[list[sp.Symbol], list[sp.Expr]]:
    """d CE / d z_j in terms of x_i = exp(z_i) > 0, by the chain rule d/dz_j = x_j d/dx_j."""
    x = list(sp.symbols(f"x_1:{K + 1}", positive=True))
    loss = -sp.log(x[label] / sum(x))
    return x, [sp.cancel(x[j] * sp.diff(loss, x[j])) for j in range(K)]


def _gradient_points(K: int) -> list[np.ndarray]:
    """The points z (fixed by the seed) where a wrong entry is shown to differ."""
    rng = np.random.default_rng(_SEED + 5 + K)
    points = [np.round(rng.normal(0.0, 1.5, size=K), 2) for _ in range(_N_POINTS - 1)]
    points.append(np.round(np.linspace(2.0, -1.0, K), 2))  # one clearly ordered point
    return points


def _as_printed(number: sp.Float) -> sp.Float:
    """A float64 SymPy Float with as many digits as it needs to print its exact value (``1.0000000000000002``)."""
    text = repr(float(number))
    digits = text.split("e")[0].lstrip("-").replace(".", "").lstrip("0")
    return sp.Float(text, max(len(digits), 1))


def _text(expr: Any) -> str:
    """``expr`` for a message, floats with all their digits; never raises, even for a broken printer."""
    try:
        if isinstance(expr, sp.Basic):
            expr = expr.xreplace({f: _as_printed(f) for f in expr.atoms(sp.Float) if f._prec <= 53})
        return str(expr)
    except Exception:  # the reader's object may print badly
        try:
            return str(expr)
        except Exception:  # noqa: BLE001
            return f"<{type(expr).__name__}>"


def _sympy_step(on: str, what: str, func: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
    """Run a SymPy operation on the reader's expressions; anything it raises fails the check."""
    try:
        return func(*args, **kwargs)
    except (CheckFailed, NotAttempted):
        raise
    except (Exception, SystemExit) as exc:  # e.g. a Function subclass of the reader's whose eval raises
        fail(f"For {on}, SymPy could not {what} your answer ({type(exc).__name__}: {_text(exc)}).")


def _rationalized(expr: sp.Expr) -> sp.Expr:
    """Floats read as the exact rationals they print as (as :func:`proves_equal` reads them)."""
    return expr.xreplace({f: exact_rational(f) for f in expr.atoms(sp.Float)})


def _substituted(expr: sp.Expr, mapping: dict[sp.Symbol, sp.Expr]) -> sp.Expr:
    """``expr`` with its floats read as rationals, then ``mapping`` substituted."""
    return _rationalized(expr).xreplace(mapping)


def _tractable(expr: sp.Expr) -> bool:
    """False for powers SymPy's simplification cannot handle in reasonable time.

    ``cancel`` turns ``u**(1000000000001/1000000000000)`` into a polynomial of
    degree 10^12 in ``u**(1/10^12)`` and never returns; such exponents come only
    from float perturbations like ``p**(1 + 1e-12)``, which a counterexample
    disproves anyway.
    """
    for power in expr.atoms(sp.Pow):
        exponent = power.exp
        if exponent.is_Rational and (exponent.q > 64 or abs(exponent.p) > 64):
            return False
    return True


def _proved(answer: sp.Expr, reference: sp.Expr) -> bool:
    """SymPy proves ``answer == reference`` (never raises; False where it cannot, or should not, try)."""
    try:
        exact = _rationalized(answer)
        if not _tractable(exact):
            return False
    except Exception:  # a strange expression: not proved
        return False
    return proves_equal(exact, reference)


def _constant_offset(answer: sp.Expr, target: sp.Expr) -> sp.Expr | None:
    """``answer - target`` when SymPy's expansion makes it a nonzero number (``+ 1e-300``), else None."""
    try:
        exact = _rationalized(answer)
        if not _tractable(exact):
            return None
        offset = sp.expand(exact - target)
        if offset.is_number and offset.is_finite and offset != 0:
            return offset
    except Exception:  # noqa: BLE001 - a strange expression: no constant offset found
        return None
    return None


def _digits_apart(got: sp.Expr, want: sp.Expr) -> tuple[str, str]:
    """Both values with enough digits to tell them apart (beyond float64 if needed)."""
    got_text, want_text = distinguishing_digits(float(got), float(want))
    if got_text != want_text:
        return got_text, want_text
    for digits in range(18, _EVAL_DIGITS):
        got_text = mpmath.nstr(mpmath.mpf(got._mpf_), digits)
        want_text = mpmath.nstr(mpmath.mpf(want._mpf_), digits)
        if got_text != want_text:
            return got_text, want_text
    return str(got), str(want)


def _difference_at(
    answer: sp.Expr, p: list[sp.Symbol], pz: list[sp.Expr], want: sp.Expr, on: str
) -> tuple[str, str, str] | None:
    """How ``answer`` at ``p = pz`` differs from ``want``: (description, got, expected), or None if it agrees."""
    at_point = _sympy_step(on, "evaluate", _substituted, answer, dict(zip(p, pz)))
    value = _sympy_step(on, "evaluate", sp.N, at_point, _EVAL_DIGITS)
    want_text = fmt(float(want))
    bad = undefined_value(value) if isinstance(value, sp.Expr) else None
    if bad is not None:
        return f"it is {bad}; the derivative is {want_text}", bad, want_text
    if not (isinstance(value, sp.Expr) and value.is_number):
        return f"it has no numerical value ({_text(value)}); the derivative is {want_text}", _text(value), want_text
    real, imaginary = value.as_real_imag()
    if abs(imaginary) > _COUNTEREXAMPLE_RTOL * abs(want):
        got_text = f"{fmt(float(real))} + {fmt(float(imaginary))}i"
        return f"it is the complex number {got_text}; the derivative is {want_text}, a real number", got_text, want_text
    difference = abs(real - want)
    if difference > _COUNTEREXAMPLE_RTOL * abs(want):
        got_text, want_text = _digits_apart(real, want)
        return (
            f"it is {got_text}; the derivative is {want_text} (a difference of {fmt(float(difference), 2)})",
            got_text,
            want_text,
        )
    return None


def _counterexample(answer: sp.Expr, p: list[sp.Symbol], y: list[int], j: int, on: str) -> None:
    """Fail with a point z where ``answer`` differs from ``p_j - y_j``, if one of the fixed points is one.

    ``p`` is evaluated from ``z`` at 80 digits, the answer and ``p_j - y_j`` at
    60; a relative difference beyond 1e-40 of the derivative is a counterexample.
    """
    K = len(p)
    label = y.index(1)
    for z in _gradient_points(K):
        exps = [sp.exp(sp.Float(float(v), _EVAL_DIGITS + 20)) for v in z]
        total = sum(exps)
        pz = [e / total for e in exps]
        want = sp.N(pz[j] - y[j], _EVAL_DIGITS)
        found = _difference_at(answer, p, pz, want, on)
        if found is None:
            continue
        description, got_text, want_text = found
        fail(
            f"For {on}, your entry {j + 1}, d CE / d z_{j + 1} = {_text(answer)}, is not the derivative "
            f"of CE = -ln p_{label + 1}. At z = {fmt(z, digits=None)}, where p = {fmt([float(v) for v in pz])}, "
            f"{description}.",
            input=f"{on}, z = {fmt(z, digits=None)}",
            your_entry=_text(answer),
            expected=want_text,
            got=got_text,
        )


@checker("The cross-entropy gradient")
def check_cross_entropy_gradient(gradient: Callable[[sp.Matrix, sp.Matrix], Any]) -> CheckResult:
    """Check the gradient of ``CE = -sum_i y_i ln p_i`` with ``p = softmax(z)``, as SymPy expressions.

    ``gradient(p, y)`` gets ``p``, a ``K x 1`` SymPy Matrix of positive symbols
    ``p_1, ..., p_K`` standing for the softmax outputs, and ``y``, a ``K x 1``
    Matrix holding a one-hot target; it must return ``K`` expressions in the
    ``p_i`` (a list, a tuple, a Matrix, a list of 1 x 1 Matrices), entry ``j``
    being ``d CE / d z_j``. The reader's own symbols ``p_1, ...`` are accepted
    by name, whatever their assumptions. Every ``K`` in 2, 3, 4 and every
    position of the 1 are tested (9 cases, 29 entries). An entry passes only
    when SymPy proves it equal to the derivative of the loss, either directly
    as ``p_j - y_j`` or after substituting ``p_i = e^{z_i} / sum_k e^{z_k}``
    (so equivalent forms such as ``-p_2`` for ``p_1 - 1`` when ``K = 2``
    pass). A numerical agreement is never taken as a proof: floats count as
    the exact numbers they print as, so ``p - y + 1e-10`` fails. A wrong
    entry is shown with a numerical counterexample (at 60 digits); one SymPy
    cannot prove equal and no counterexample was found for fails too, asking
    for a simpler form.

    Parameters
    ----------
    gradient : callable
        ``gradient(p, y) -> K SymPy expressions``.

    Returns
    -------
    CheckResult

    Examples
    --------
    >>> import sympy as sp
    >>> from softmaxlab.exercises import check_cross_entropy_gradient
    >>> check_cross_entropy_gradient(lambda p, y: p - y).passed
    True
    >>> check_cross_entropy_gradient(lambda p, y: y - p).passed
    False
    >>> print(check_cross_entropy_gradient(lambda p, y: p - y + sp.Matrix([1e-10] * len(p))).message)
    ... # doctest: +NORMALIZE_WHITESPACE
    For K = 2, y = [1, 0], your entry 1, d CE / d z_1 = p_1 - 0.9999999999, is not the derivative of
    CE = -ln p_1. At z = [-0.49, -2.94], where p = [0.920561, 0.0794385], it is -0.0794385491; the
    derivative is -0.0794385492 (a difference of 1e-10).
    """
    n_cases = n_entries = 0
    shown = ""
    for K in (2, 3, 4):
        for label in range(K):
            n_cases += 1
            p = _p_symbols(K)  # fresh symbols, Matrices and references for every call
            y = [1 if i == label else 0 for i in range(K)]
            on = f"K = {K}, y = {fmt(y)}"
            value = call_answer(gradient, sp.Matrix(p), sp.Matrix(y), on=on)
            answer = as_expressions(value, K, on=on)
            for j, entry in enumerate(answer):
                bad = _sympy_step(on, "read", undefined_value, entry)
                if bad is not None:
                    written = "" if _text(entry) == bad.split(" ")[0] else f" = {_text(entry)}"
                    fail(
                        f"For {on}, your entry {j + 1}, d CE / d z_{j + 1}{written}, is {bad}, which is "
                        "not a number; the derivative is finite for every p on the simplex.",
                        input=on,
                        got=_text(entry),
                    )
            answer = _sympy_step(on, "read", adopt_symbols, answer, p, on=on, what="your gradient")
            x, reference = _gradient_reference(K, label)
            as_x = {p[i]: x[i] / sum(x) for i in range(K)}
            for j in range(K):
                n_entries += 1
                if _proved(answer[j], p[j] - y[j]):
                    continue
                _counterexample(answer[j], p, y, j, on)
                in_x = _sympy_step(on, "substitute into", _substituted, answer[j], as_x)
                if _proved(in_x, reference[j]):
                    continue
                offset = _constant_offset(answer[j], p[j] - y[j])
                if offset is not None:
                    fail(
                        f"For {on}, your entry {j + 1}, d CE / d z_{j + 1} = {_text(answer[j])}, is not the "
                        f"derivative of CE = -ln p_{label + 1}: it differs from it by the constant "
                        f"{fmt(float(offset), 2)} at every z.",
                        input=on,
                        got=_text(answer[j]),
                        difference=fmt(float(offset), 2),
                    )
                fail(
                    f"For {on}, SymPy could not prove your entry {j + 1}, d CE / d z_{j + 1} = "
                    f"{_text(answer[j])}, equal to the derivative of CE = -ln p_{label + 1}, and it agrees "
                    f"with the derivative to 40 digits at {_N_POINTS} points. Only a proof passes: "
                    "simplify your expression (write it with p_j and y_j only) and run the check again.",
                    input=on,
                    got=_text(answer[j]),
                )
            if K == 3 and label == 1:
                shown = fmt([_text(e) for e in answer])
    return (
        f"SymPy proves every entry of your gradient equal to the derivative of the cross-entropy: "
        f"all {n_entries} entries in the {n_cases} cases (K = 2, 3, 4, the 1 of y in every position).",
        (("your answer for K = 3, y = [0, 1, 0]", shown),),
    )
