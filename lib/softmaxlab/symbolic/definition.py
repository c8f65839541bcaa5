"""SymPy versions of the definition of softmax and its first properties (chapter 1).

Arguments are checked before any SymPy work starts: a size (``n``, ``k``, ...)
must be an integer (Python, numpy or SymPy; not a bool or a float) between 1 and the
maximum its function documents, chosen so that every allowed size finishes in
seconds (the SymPy work grows quickly with the size, and a size like 10**6
would never finish); a symbolic argument must be a SymPy expression or a real
number (Python, numpy or ``fractions.Fraction``; never a string, which
SymPy would parse as code), and a list of them a list, a tuple, a 1-D numpy
array or a SymPy vector. Anything else raises TypeError or ValueError naming
the argument and what it accepts.
"""

from __future__ import annotations

import reprlib
from numbers import Real

import numpy as np
import sympy as sp

from softmaxlab._validation import check_int

__all__ = [
    "logits",
    "softmax_sym",
    "logsumexp_sym",
    "sigmoid_sym",
    "softmax_sums_to_one",
    "softmax_shift_invariance",
    "two_class_softmax_is_sigmoid",
]

#: The non-finite SymPy numbers; a finite argument holds none of them.
_NON_FINITE = (sp.oo, -sp.oo, sp.zoo, sp.nan)

_EXPRESSION = "a real SymPy expression or a real number"


# --------------------------------------------------------------------------- argument checks (shared by the modules)


def _size(value: object, name: str, maximum: int, minimum: int = 1) -> int:
    """A size argument: an integer (not a bool or a float) in ``[minimum, maximum]``, as a Python int.

    Python, numpy and SymPy integers and 0-d integer arrays are accepted.
    """
    if isinstance(value, sp.Integer):
        value = int(value)
    return check_int(value, name, minimum=minimum, maximum=maximum)


def _real_expr(value: object, name: str, *, finite: bool = True) -> sp.Expr:
    """One symbolic argument as a SymPy expression that is not known to be complex.

    Accepts SymPy expressions and real numbers (Python, numpy, Fraction; 0-d
    numeric arrays), which are sympified. Refuses strings (SymPy would parse
    them as code), booleans, None, containers, matrices, relations and sets
    (TypeError), complex values such as ``I`` and, when ``finite``, the
    infinities and nan (ValueError).
    """
    if isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind in "iuf":
        value = value[()]
    if isinstance(value, sp.Basic):
        if not isinstance(value, sp.Expr) or value.is_Matrix:
            raise TypeError(f"{name} must be {_EXPRESSION}, got the {type(value).__name__} {value}")
        expr = value
    elif isinstance(value, Real) and not isinstance(value, (bool, np.bool_)):
        expr = sp.sympify(value)
    else:
        raise TypeError(f"{name} must be {_EXPRESSION}, got {reprlib.repr(value)}")
    if expr.is_extended_real is False:
        raise ValueError(f"{name} must be real, got {expr}")
    if finite and (expr.has(*_NON_FINITE) or expr.is_finite is False):
        raise ValueError(f"{name} must be finite, got {expr}")
    return expr


def _real_exprs(
    values: object, name: str, *, finite: bool = True, minimum: int = 0, maximum: int | None = None
) -> list[sp.Expr]:
    """A list argument: a list, tuple, 1-D numpy array or SymPy vector of :func:`_real_expr` items.

    Its length must lie in ``[minimum, maximum]``; it is checked before the items are.
    """
    if isinstance(values, (list, tuple, sp.Tuple)):
        items = list(values)
    elif isinstance(values, np.ndarray) or isinstance(values, sp.MatrixBase) or isinstance(values, sp.NDimArray):
        shape = tuple(values.shape)
        if sum(1 for extent in shape if extent != 1) > 1 or (isinstance(values, np.ndarray) and values.ndim != 1):
            raise ValueError(f"{name} must be a vector (one row or one column), got shape {shape}")
        items = list(values) if isinstance(values, np.ndarray) else list(sp.flatten(values.tolist()))
    else:
        raise TypeError(
            f"{name} must be a list or tuple of SymPy expressions or real numbers, "
            f"got {type(values).__name__} {reprlib.repr(values)}"
        )
    if len(items) < minimum or (maximum is not None and len(items) > maximum):
        accepted = f"at least {minimum}" if maximum is None else f"between {minimum} and {maximum}"
        raise ValueError(f"{name} must hold {accepted} entries, got {len(items)}")
    return [_real_expr(item, f"{name}[{i}]", finite=finite) for i, item in enumerate(items)]


def _symbol_name(name: object, argument: str = "name") -> str:
    """A stem for indexed symbols: a Python identifier such as ``"z"``."""
    if not isinstance(name, str):
        raise TypeError(f"{argument} must be a string such as 'z', got {name!r}")
    if not name.isidentifier():
        raise ValueError(f"{argument} must be a Python identifier such as 'z', got {name!r}")
    return name


def _unresolved_infinities(values: list[sp.Expr], name: str) -> None:
    """Refuse an infinite entry that is neither ``oo`` nor ``-oo`` (its sign or size is not known)."""
    for value in values:
        if value.has(*_NON_FINITE) and value not in (sp.oo, -sp.oo) and not value.has(sp.nan):
            raise ValueError(
                f"{name} holds {value}, an infinity whose sign is not known: give infinities as oo or -oo, "
                "and beta a known sign"
            )


# --------------------------------------------------------------------------- definitions

#: The largest ``n`` for :func:`logits` (and :func:`~softmaxlab.symbolic.energies`).
_MAX_SYMBOLS = 10_000


def logits(n: int, name: str = "z") -> list[sp.Symbol]:
    """``n`` real symbols ``z_1, ..., z_n``.

    Parameters
    ----------
    n : int
        How many symbols, ``1 <= n <= 10000``.
    name : str
        Their stem, a Python identifier (default ``"z"``).

    Examples
    --------
    >>> logits(3)
    [z_1, z_2, z_3]
    >>> logits(2, "a")
    [a_1, a_2]
    >>> logits(0)
    Traceback (most recent call last):
    ...
    ValueError: n must be an integer between 1 and 10000, got 0
    """
    n = _size(n, "n", _MAX_SYMBOLS)
    name = _symbol_name(name)
    return list(sp.symbols(f"{name}_1:{n + 1}", real=True))


def _infinite_shares(scaled: list[sp.Expr], name: str) -> list[sp.Expr] | None:
    """Softmax of entries of which some are infinite or nan, as :func:`softmaxlab.softmax` defines it.

    None when no entry is ``+oo`` or nan: then the formula itself is right
    (``exp(-oo) = 0``; all ``-oo`` gives ``0/0 = nan``).
    """
    if not any(s.has(*_NON_FINITE) for s in scaled):
        return None
    if any(s.has(sp.nan) for s in scaled):
        return [sp.nan] * len(scaled)
    _unresolved_infinities(scaled, name)
    count = sum(1 for s in scaled if s == sp.oo)
    if count == 0:
        return None
    return [sp.Rational(1, count) if s == sp.oo else sp.Integer(0) for s in scaled]


def softmax_sym(z: list[sp.Expr], beta: sp.Expr = sp.Integer(1)) -> list[sp.Expr]:
    """The softmax of the symbols ``z`` at inverse temperature ``beta``, as SymPy expressions.

    Parameters
    ----------
    z : list of SymPy expressions or real numbers
        The scores (a list, tuple, 1-D numpy array or SymPy vector).
    beta : SymPy expression or real number
        The inverse temperature, finite (default 1).

    Returns
    -------
    list of SymPy expressions
        ``exp(beta z_i) / sum_j exp(beta z_j)``. Concrete infinities follow
        :func:`softmaxlab.softmax`: an entry with ``beta z_i = -oo`` gets 0;
        if some ``beta z_i = +oo``, those entries share the mass equally
        (``1/count``) and the others get 0; every entry ``-oo`` gives nan
        (0/0), a nan anywhere gives nan everywhere; an empty ``z`` gives
        ``[]``. An infinity of unknown sign (``oo * beta`` for a ``beta`` of
        unknown sign) raises ValueError.

    Examples
    --------
    >>> z = logits(2)
    >>> softmax_sym(z)[0]
    exp(z_1)/(exp(z_1) + exp(z_2))
    >>> softmax_sym([sp.oo, sp.oo, 0]), softmax_sym([-sp.oo, 0]), softmax_sym([-sp.oo, -sp.oo])
    ([1/2, 1/2, 0], [0, 1], [nan, nan])
    >>> softmax_sym("z_1")
    Traceback (most recent call last):
    ...
    TypeError: z must be a list or tuple of SymPy expressions or real numbers, got str 'z_1'
    """
    z = _real_exprs(z, "z", finite=False)
    beta = _real_expr(beta, "beta")
    return _softmax_of([beta * zi for zi in z], "beta * z")


def _softmax_of(scaled: list[sp.Expr], name: str) -> list[sp.Expr]:
    """``exp(s_i) / sum_j exp(s_j)`` of checked expressions, with :func:`softmaxlab.softmax`'s infinities."""
    shares = _infinite_shares(scaled, name)
    if shares is not None:
        return shares
    denominator = sum(sp.exp(s) for s in scaled)
    return [sp.exp(s) / denominator for s in scaled]


def logsumexp_sym(z: list[sp.Expr]) -> sp.Expr:
    """``log(sum_j exp(z_j))`` as a SymPy expression.

    Parameters
    ----------
    z : list of SymPy expressions or real numbers
        As for :func:`softmax_sym`.

    Returns
    -------
    SymPy expression
        Concrete infinities follow :func:`softmaxlab.logsumexp`: ``-oo``
        entries drop out, a ``+oo`` entry gives ``oo``, a nan gives nan, and an
        empty ``z`` or every entry ``-oo`` gives ``-oo`` (the log of an empty
        sum), not SymPy's ``log(0) = zoo``.

    Examples
    --------
    >>> logsumexp_sym(logits(2))
    log(exp(z_1) + exp(z_2))
    >>> logsumexp_sym([-sp.oo, 0]), logsumexp_sym([sp.oo, 0]), logsumexp_sym([])
    (0, oo, -oo)
    """
    return _logsumexp_of(_real_exprs(z, "z", finite=False), "z")


def _logsumexp_of(values: list[sp.Expr], name: str) -> sp.Expr:
    """``log sum_j exp(v_j)`` of checked expressions, with :func:`softmaxlab.logsumexp`'s infinities."""
    if any(v.has(sp.nan) for v in values):
        return sp.nan
    _unresolved_infinities(values, name)
    if any(v == sp.oo for v in values):
        return sp.oo
    total = sum(sp.exp(v) for v in values)
    if total == 0:
        return -sp.oo
    return sp.log(total)


def sigmoid_sym(t: sp.Expr) -> sp.Expr:
    """The logistic sigmoid ``1 / (1 + exp(-t))``.

    Parameters
    ----------
    t : SymPy expression or real number
        ``oo`` gives 1, ``-oo`` gives 0 and nan gives nan, as SymPy evaluates them.

    Examples
    --------
    >>> t = sp.Symbol("t", real=True)
    >>> sigmoid_sym(t)
    1/(1 + exp(-t))
    >>> sigmoid_sym(sp.oo), sigmoid_sym(-sp.oo), sigmoid_sym(0)
    (1, 0, 1/2)
    """
    t = _real_expr(t, "t", finite=False)
    return 1 / (1 + sp.exp(-t))


def softmax_sums_to_one(n: int) -> sp.Expr:
    """``sum_i softmax(z)_i - 1``, simplified; it is 0 for every ``n``.

    Parameters
    ----------
    n : int
        The number of scores, ``1 <= n <= 128`` (the cost grows quickly with ``n``).

    Examples
    --------
    >>> [softmax_sums_to_one(n) for n in (1, 2, 5)]
    [0, 0, 0]
    """
    n = _size(n, "n", 128)
    return sp.simplify(sum(softmax_sym(logits(n))) - 1)


def softmax_shift_invariance(n: int) -> list[sp.Expr]:
    """``softmax(z + c) - softmax(z)`` entry by entry, simplified; each is 0.

    Parameters
    ----------
    n : int
        The number of scores, ``1 <= n <= 64`` (the cost grows quickly with ``n``).

    Examples
    --------
    >>> softmax_shift_invariance(3)
    [0, 0, 0]
    """
    n = _size(n, "n", 64)
    z = logits(n)
    c = sp.Symbol("c", real=True)
    shifted = softmax_sym([zi + c for zi in z])
    return [sp.simplify(a - b) for a, b in zip(shifted, softmax_sym(z))]


def two_class_softmax_is_sigmoid() -> sp.Expr:
    """``softmax(z_1, z_2)_1 - sigmoid(z_1 - z_2)``, simplified; it is 0.

    Examples
    --------
    >>> two_class_softmax_is_sigmoid()
    0
    """
    z1, z2 = logits(2)
    return sp.simplify(softmax_sym([z1, z2])[0] - sigmoid_sym(z1 - z2))
