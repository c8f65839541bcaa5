"""SymPy versions of softmax, logsumexp and the sigmoid, and what follows from the definition alone.

The results of :mod:`softmaxlab.core`: softmax sums to 1 and ignores a common shift, two-class
softmax is the sigmoid, softmax inverts ``log`` up to a constant (the inversion exercise), the
shifted and ``log1p`` forms of log-softmax are exact (the stable log-softmax exercise), and the
outputs of a sigmoid layer need not sum to 1 (the sigmoid-sum exercise).

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
    "sigmoid_layer_sum_sym",
    "sigmoid_pair_sum_residual",
    "sigmoid_layer_sum_facts",
    "softmax_log_offset_sym",
    "softmax_of_log_residual",
    "log_softmax_shift_residual",
    "log_softmax_log1p_residual",
]


#: The non-finite SymPy numbers; a finite argument holds none of them.
_NON_FINITE = (sp.oo, -sp.oo, sp.zoo, sp.nan)


_EXPRESSION = "a real SymPy expression or a real number"


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


def softmax_sym(z: list[sp.Expr], beta: sp.Expr = sp.S.One) -> list[sp.Expr]:
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


def _simplify_in_exp(expr: sp.Expr, z: list[sp.Symbol]) -> sp.Expr:
    """Simplify an expression in ``exp(z_j)``: with ``w_j = exp(z_j) > 0`` it is a rational function of ``w``.

    Substituting ``z_j = log w_j`` (or, where the exponents are sums, expanding
    them and replacing ``exp(z_j)`` by ``w_j``) turns softmax, its derivatives
    and their residuals into rational functions, which ``cancel`` reduces to a
    canonical form in a fraction of the time ``simplify`` takes; a zero there
    is a proof of zero. Nonzero results are returned in the original
    variables, simplified.
    """
    w = _vector("w", len(z), positive=True)
    if sp.cancel(sp.together(expr.subs({zj: sp.log(wj) for zj, wj in zip(z, w)}))) == 0:
        return sp.Integer(0)
    rational = sp.expand(expr, power_exp=True).subs({sp.exp(zj): wj for zj, wj in zip(z, w)})
    if sp.cancel(sp.together(rational)) == 0:
        return sp.Integer(0)
    return sp.simplify(expr)


def sigmoid_layer_sum_sym(n: int) -> sp.Expr:
    """``sum_j sigmoid(z_j)``: the total activation of a sigmoid layer with ``n`` outputs.

    Parameters
    ----------
    n : int
        The number of outputs, ``1 <= n <= 512`` (the cost grows quickly with ``n``).

    Examples
    --------
    >>> sigmoid_layer_sum_sym(2)
    1/(1 + exp(-z_2)) + 1/(1 + exp(-z_1))
    """
    n = _size(n, "n", 512)
    return sum(sigmoid_sym(zj) for zj in logits(n))


def sigmoid_pair_sum_residual() -> sp.Expr:
    """``sigmoid(t) + sigmoid(-t) - 1``, simplified: 0. Two outputs at ``t`` and ``-t`` do sum to 1.

    Examples
    --------
    >>> sigmoid_pair_sum_residual()
    0
    """
    t = sp.Symbol("t", real=True)
    return sp.simplify(sigmoid_sym(t) + sigmoid_sym(-t) - 1)


def sigmoid_layer_sum_facts(n: int) -> dict[str, sp.Expr]:
    """Exact facts about ``S(z) = sum_j sigmoid(z_j)`` for ``n`` outputs.

    Parameters
    ----------
    n : int
        The number of outputs, ``1 <= n <= 96`` (the cost grows quickly with ``n``).

    Returns
    -------
    dict
        ``"at z = 0"``: ``n/2``; ``"all z_j -> -oo"``: 0; ``"all z_j -> +oo"``:
        ``n``; ``"dS/dz_j - sigmoid'(z_j)"``: 0, where ``sigmoid' = sigmoid (1 -
        sigmoid) > 0``. So ``S`` is continuous, strictly increasing in each
        input, and takes every value in ``(0, n)``: it equals 1 only on a
        surface of inputs, not everywhere.

    Examples
    --------
    >>> sigmoid_layer_sum_facts(3)
    {'at z = 0': 3/2, 'all z_j -> -oo': 0, 'all z_j -> +oo': 3, "dS/dz_j - sigmoid'(z_j)": 0}
    """
    n = _size(n, "n", 96)
    z = logits(n)
    total = sigmoid_layer_sum_sym(n)
    t = sp.Symbol("t", real=True)
    along = total.subs({zj: t for zj in z})
    s1 = sigmoid_sym(z[0])
    return {
        "at z = 0": total.subs({zj: 0 for zj in z}),
        "all z_j -> -oo": sp.limit(along, t, -sp.oo),
        "all z_j -> +oo": sp.limit(along, t, sp.oo),
        "dS/dz_j - sigmoid'(z_j)": sp.simplify(sp.diff(total, z[0]) - s1 * (1 - s1)),
    }


def softmax_log_offset_sym(n: int) -> list[sp.Expr]:
    """``z_j - ln softmax(z)_j`` for each ``j``, simplified: every entry is ``ln sum_k e^{z_k}``.

    The offset between ``z`` and ``ln a`` is the same for every ``j``: it is the
    log-partition function ``C = logsumexp(z)``.

    Parameters
    ----------
    n : int
        The number of scores, ``1 <= n <= 32`` (the cost grows quickly with ``n``).

    Examples
    --------
    >>> softmax_log_offset_sym(2)
    [log(exp(z_1) + exp(z_2)), log(exp(z_1) + exp(z_2))]
    """
    n = _size(n, "n", 32)
    z = logits(n)
    a = softmax_sym(z)
    return [sp.simplify(sp.expand_log(zj - sp.log(aj), force=True)) for zj, aj in zip(z, a)]


def softmax_of_log_residual(n: int) -> list[sp.Expr]:
    """``softmax(ln a + C)_j - a_j`` for ``a`` on the simplex and any constant ``C``: zeros.

    The last entry is ``a_n = 1 - a_1 - ... - a_{n-1}``; the first ``n - 1``
    are positive symbols. So every ``z = ln a + C`` maps back to ``a``.

    Parameters
    ----------
    n : int
        The number of classes, ``1 <= n <= 24`` (the cost grows quickly with ``n``).

    Examples
    --------
    >>> softmax_of_log_residual(3)
    [0, 0, 0]
    """
    n = _size(n, "n", 24)
    free = list(sp.symbols(f"a_1:{n}", positive=True))
    a = [*free, 1 - sum(free)]
    C = sp.Symbol("C", real=True)
    back = softmax_sym([sp.log(aj) + C for aj in a])
    return [sp.simplify(sp.powsimp(bj - aj, force=True)) for bj, aj in zip(back, a)]


def log_softmax_shift_residual(n: int) -> list[sp.Expr]:
    """``ln softmax(z)_j - ((z_j - m) - ln sum_k e^{z_k - m})`` for a symbolic shift ``m``: zeros.

    Any ``m`` works; choosing ``m = max z`` makes every exponent ``<= 0``, so
    nothing overflows and the sum is at least 1, so its log is finite.

    Parameters
    ----------
    n : int
        The number of scores, ``1 <= n <= 12`` (the cost grows quickly with ``n``).

    Examples
    --------
    >>> log_softmax_shift_residual(3)
    [0, 0, 0]
    """
    n = _size(n, "n", 12)
    z = logits(n)
    m = sp.Symbol("m", real=True)
    shifted = [(zj - m) - sp.log(sum(sp.exp(zk - m) for zk in z)) for zj in z]
    direct = [zj - logsumexp_sym(z) for zj in z]
    return [sp.simplify(sp.expand_log(sp.log(sp.exp(d)) - s, force=True)) for d, s in zip(direct, shifted)]


def log_softmax_log1p_residual(n: int) -> sp.Expr:
    """For the largest entry ``z_1``: ``ln softmax(z)_1 + log1p(s)`` with ``s = sum_{k>1} e^{z_k - z_1}``: 0.

    Parameters
    ----------
    n : int
        The number of scores, ``1 <= n <= 64`` (the cost grows quickly with ``n``).

    Examples
    --------
    >>> log_softmax_log1p_residual(3)
    0
    """
    n = _size(n, "n", 64)
    z = logits(n)
    s = sum(sp.exp(zk - z[0]) for zk in z[1:])
    # log a + log(1 + s) = log(a (1 + s)) for positive a and s; show a (1 + s) = 1
    product_minus_one = _simplify_in_exp(softmax_sym(z)[0] * (1 + s) - 1, z)
    return sp.log(1 + product_minus_one)


def _vector(stem: str, n: int, **assumptions) -> list[sp.Symbol]:
    return list(sp.symbols(f"{stem}_1:{n + 1}", **assumptions))


def _matrix(stem: str, rows: int, cols: int, **assumptions) -> sp.Matrix:
    return sp.Matrix(rows, cols, lambda i, j: sp.Symbol(f"{stem}_{i + 1}{j + 1}", **assumptions))
