"""Checker for the exercise on inverting the softmax layer: ``invert(a)`` must return ``ln a + C``.

The test is the definition: softmax of the returned ``z``, computed to 40 digits from its
floats, must give back every ``a_j`` to a tolerance relative to ``a_j``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import mpmath
import numpy as np

from softmaxlab.core import softmax
from softmaxlab.exercises._result import (
    CheckResult,
    as_float_array,
    call_answer,
    checker,
    distinguishing_digits,
    fail,
    fmt,
    tolerance_text,
)

__all__ = ["INVERSION_RTOL", "check_inversion"]

_SEED = 20260301  # one fixed seed: every reader is checked on the same inputs

#: Accuracy asked of the inversion exercise: softmax(z) reproduces every a_j to this relative
#: tolerance. A constant C up to 4e6 in size costs at most 5e-10 (the spacing of floats near C);
#: C = 1e20 rounds every ln a_j + C to the same float.
INVERSION_RTOL = 1e-9


def _inversion_cases() -> list[tuple[np.ndarray, str]]:
    """Probability vectors a = softmax(z), every entry a positive normal float."""
    rng = np.random.default_rng(_SEED + 4)
    cases: list[tuple[np.ndarray, str]] = []
    for K in range(1, 9):
        for scale in (0.5, 3.0, 30.0):
            cases.append((softmax(rng.normal(0.0, scale, size=K)), f"random, K = {K}"))
    cases += [
        (np.full(4, 0.25), "four equal outputs"),
        (np.array([0.4, 0.4, 0.2]), "a tie"),
        (softmax(np.array([0.0, -30.0, -35.0])), "one dominant output"),
        (softmax(np.array([0.0, -700.0])), "an output of about 1e-304"),
        (softmax(np.array([5.0, 5.0, 5.0 - 1e-9])), "nearly equal outputs"),
        (softmax(rng.normal(0.0, 2.0, size=200)), "K = 200"),
    ]
    return cases


def _softmax_relative_errors(z: np.ndarray, a: np.ndarray) -> np.ndarray:
    """softmax(z)_j / a_j - 1 for every j, from the exact floats z and a, to about 30 digits.

    With r the index of the largest z and e_j = (z_j - z_r) - (ln a_j - ln a_r),
    softmax(z)_j / a_j = e^(e_j) / sum_k a_k e^(e_k). The differences z_j - z_r
    are taken exactly (mpmath's exact subtraction of two floats: no digits of
    a huge z are lost to the checker's rounding), the logarithms to 40 digits.
    """
    r = int(np.argmax(z))
    with mpmath.workdps(40):
        log_r = mpmath.log(mpmath.mpf(float(a[r])))
        e = [
            mpmath.fsub(float(zj), float(z[r]), exact=True) - (mpmath.log(mpmath.mpf(float(aj))) - log_r)
            for zj, aj in zip(z, a)
        ]
        top = max(e)
        total = mpmath.fsum(mpmath.mpf(float(aj)) * mpmath.exp(ej - top) for aj, ej in zip(a, e))
        return np.array([float(mpmath.exp(ej - top) / total - 1) for ej in e])


def _softmax_exact(z: np.ndarray) -> np.ndarray:
    """softmax of the exact floats z, rounded once (for messages; z finite)."""
    r = int(np.argmax(z))
    with mpmath.workdps(40):
        e = [mpmath.exp(mpmath.fsub(float(v), float(z[r]), exact=True)) for v in z]
        total = mpmath.fsum(e)
        return np.array([float(v / total) for v in e])


@checker("Inverting the softmax layer")
def check_inversion(invert: Callable[[np.ndarray], Any]) -> CheckResult:
    """Check an inverse of the softmax layer: ``invert(a)`` must return ``ln a + C``.

    Any constant ``C`` is accepted, and it may differ from one vector ``a`` to
    the next (softmax forgets it); an offset that varies with ``j`` is
    rejected, since then ``softmax(z) != a``. The test is the definition:
    ``softmax(z)``, computed to 40 digits from the floats ``z`` returned,
    must reproduce every ``a_j`` to a relative ``1e-9``, a tolerance set by
    ``a`` and not by ``z``. Any ``C`` up to a few million in size passes
    (rounding ``ln a_j + C`` to the floats near ``C`` costs at most ``5e-10``
    for ``|C| <= 4e6``); ``C = 1e20`` rounds every ``ln a_j + C`` to the same
    float and fails, as does a ``z`` with an imaginary part. Tested on 30
    probability vectors of length 1 to 200: random, equal entries, a dominant
    entry and entries near 1e-304.

    Parameters
    ----------
    invert : callable
        ``invert(a) -> z`` for a 1-D array ``a`` of positive numbers summing to 1.

    Returns
    -------
    CheckResult

    Examples
    --------
    >>> import numpy as np
    >>> from softmaxlab.exercises import check_inversion
    >>> check_inversion(np.log).passed
    True
    >>> check_inversion(lambda a: np.log(a) + 42.0).passed   # any constant C
    True
    >>> check_inversion(lambda a: np.log(a) + 1e20).passed   # ln a rounded away
    False
    >>> check_inversion(lambda a: a).passed
    False
    """
    cases = _inversion_cases()
    for a, kind in cases:
        K = a.shape[0]
        on = f"a = {fmt(a, digits=None)}"
        z = as_float_array(call_answer(invert, a.copy(), on=on), (K,), on=on)
        a_text = fmt(a)
        if not np.all(np.isfinite(z)):
            j = int(np.flatnonzero(~np.isfinite(z))[0])
            fail(
                f"For a = {a_text} ({kind}) your z contains {fmt(z[j])} (entry {j + 1}); every a_j is "
                "positive, so every z_j = ln a_j + C is finite.",
                input=fmt(a, digits=None),
                got=z,
            )
        errors = _softmax_relative_errors(z, a)
        j = int(np.argmax(np.abs(errors)))
        if abs(errors[j]) <= INVERSION_RTOL:
            continue
        back = _softmax_exact(z)
        got_text, want_text = distinguishing_digits(back[j], a[j])
        log_a = np.log(a)
        d = z - log_a
        spread = float(np.max(d) - np.min(d))
        big = float(np.max(np.abs(z)))
        if spread <= 2.0 * float(np.spacing(big)):  # no more than rounding z to the floats near its size
            why = (
                f" Your z has entries as large as {fmt(big, 3)}: float64 stores ln a_j + C only to the "
                f"spacing of floats near C ({fmt(float(np.spacing(big)), 2)}), which rounds away "
                "digits of ln a_j. Pick a constant of moderate size, such as C = 0."
            )
        else:
            why = (
                f" z_j - ln a_j is not the same for every j: minus its value at j = 1 it is {fmt(d - d[0])} "
                f"(a spread of {fmt(spread, 3)})."
            )
        fail(
            f"For a = {a_text} ({kind}), softmax of your z = {fmt(z)} is not a: at entry {j + 1} it is "
            f"{got_text} where a_{j + 1} = {want_text} (relative error {fmt(abs(float(errors[j])), 2)}; "
            f"allowed: {tolerance_text(INVERSION_RTOL)}).{why}",
            input=fmt(a, digits=None),
            expected=f"ln a + C = {fmt(log_a)} + C",
            got=z,
            softmax_of_your_z=distinguishing_digits(back, a)[0],
            tolerance=tolerance_text(INVERSION_RTOL),
        )
    return (
        f"softmax(invert(a)) = a on all {len(cases)} test vectors (K = 1 to 200, ties, "
        "a dominant output, outputs near 1e-304): your z is ln a plus a constant each time.",
        (),
    )
