"""The machinery every exercise checker shares: the result object and its helpers.

A checker is a function decorated with :func:`checker`. Inside it, the reader's
answer is called through :func:`call_answer` (or tested with
:func:`require_answer`), every test that fails calls :func:`fail` with a message
naming the input, and the function returns a short success message. The
decorator turns the three possible endings into a :class:`CheckResult`:

- the answer is still the scaffold (``None``, or a function that raises
  ``NotImplementedError``): ``status == "not attempted"``;
- some test failed: ``status == "failed"``, with the message and the
  ``input`` / ``expected`` / ``got`` rows given to :func:`fail`;
- every test passed: ``status == "passed"``.

A checker never raises because of the reader's answer (an exception inside the
answer becomes a failed result naming the input), so an exercise notebook with
an untouched scaffold executes cleanly. Bugs in a checker itself do raise.

Numbers in messages are formatted by :func:`fmt`: inputs exactly (shortest
round-trip form of each float), computed values to 6 significant digits, so a
result prints the same text on every machine.
"""

from __future__ import annotations

import functools
import html
import math
import numbers
import re
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, NoReturn

import numpy as np
import sympy as sp

__all__ = [
    "RESULT_MIME_TYPE",
    "CheckResult",
    "CheckFailed",
    "NotAttempted",
    "checker",
    "fail",
    "call_answer",
    "require_answer",
    "as_float_array",
    "as_number",
    "as_expressions",
    "adopt_symbols",
    "undefined_value",
    "proves_equal",
    "exact_rational",
    "distinguishing_digits",
    "tolerance_text",
    "fmt",
    "first_mismatch",
]

_STATUSES = ("passed", "failed", "not attempted")

#: The MIME type of the machine-readable copy of a result in a notebook's output.
#: ``make progress`` and ``python -m softmaxlab.grade`` read it; nobody parses the HTML.
RESULT_MIME_TYPE = "application/vnd.softmaxlab.check-result+json"

# Colours from softmaxlab.plotting.COLORS (Okabe-Ito): green, vermillion, grey.
_STYLE = {
    "passed": ("#009E73", "#eef8f4", "\u2714 Passed"),
    "failed": ("#D55E00", "#fdf1ea", "\u2718 Not yet right"),
    "not attempted": ("#777777", "#f4f4f4", "\u2026 Not attempted yet"),
}


@dataclass(frozen=True)
class CheckResult:
    """The outcome of checking one answer to one exercise.

    Attributes
    ----------
    exercise : str
        The exercise's title, e.g. ``"Inverting the softmax layer"``.
    status : {"passed", "failed", "not attempted"}
        What happened.
    message : str
        One or two sentences for the reader; a failure names the input it
        failed on and says what was expected.
    details : tuple of (str, str)
        Extra labelled rows (``("input", "[1, 2]")``, ``("expected", ...)``,
        ``("got", ...)``) shown under the message.

    Notes
    -----
    ``bool(result)`` is ``result.passed``. In a notebook the result renders as
    a coloured box (``_repr_html_``); in a terminal as one line per row
    (``__repr__``). Both are plain functions of the fields, so stored notebook
    outputs are reproducible.

    Examples
    --------
    >>> from softmaxlab.exercises import CheckResult
    >>> r = CheckResult("Demo", "failed", "For x = [1, 2] the sum is wrong.", (("expected", "3"), ("got", "4")))
    >>> r.passed, r.attempted, bool(r)
    (False, True, False)
    >>> r
    [failed] Demo: For x = [1, 2] the sum is wrong.
      expected: 3
      got: 4
    """

    exercise: str
    status: str
    message: str
    details: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        if self.status not in _STATUSES:
            raise ValueError(f"status must be one of {_STATUSES}, got {self.status!r}")

    @property
    def passed(self) -> bool:
        """True when every test passed."""
        return self.status == "passed"

    @property
    def attempted(self) -> bool:
        """False while the answer is still the untouched scaffold."""
        return self.status != "not attempted"

    def __bool__(self) -> bool:
        return self.passed

    def text(self) -> str:
        """The message and its detail rows as plain text, without the status prefix.

        Examples
        --------
        >>> from softmaxlab.exercises import CheckResult
        >>> CheckResult("Demo", "passed", "All good.", (("inputs", "12"),)).text()
        'All good.\\n  inputs: 12'
        """
        rows = [self.message] + [f"  {label}: {value}" for label, value in self.details]
        return "\n".join(rows)

    def __repr__(self) -> str:
        return f"[{self.status}] {self.exercise}: {self.text()}"

    def to_json(self) -> dict[str, str]:
        """The result as a JSON-ready dict: ``exercise``, ``status`` and ``message``.

        Examples
        --------
        >>> from softmaxlab.exercises import CheckResult
        >>> CheckResult("Demo", "passed", "All good.").to_json()
        {'exercise': 'Demo', 'status': 'passed', 'message': 'All good.'}
        """
        return {"exercise": self.exercise, "status": self.status, "message": self.message}

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        # IPython adds text/html and text/plain from the _repr_html_ and __repr__ below.
        return {RESULT_MIME_TYPE: self.to_json()}

    def _repr_html_(self) -> str:
        colour, background, heading = _STYLE[self.status]
        rows = "".join(
            f'<tr><th style="text-align:left;padding:0.1em 0.8em 0.1em 0;vertical-align:top;'
            f'font-weight:600">{html.escape(label)}</th>'
            f'<td style="text-align:left;padding:0.1em 0"><code>{html.escape(value)}</code></td></tr>'
            for label, value in self.details
        )
        table = f'<table style="margin:0.4em 0 0 0;border:none">{rows}</table>' if rows else ""
        return (
            f'<div class="softmaxlab-check softmaxlab-check-{self.status.replace(" ", "-")}" '
            f'style="border-left:0.3em solid {colour};background:{background};color:#222222;'
            f'padding:0.5em 0.9em;margin:0.3em 0">'
            f'<strong style="color:{colour}">{html.escape(heading)}</strong>'
            f' <span style="color:#555555">&middot; {html.escape(self.exercise)}</span>'
            f'<div style="margin-top:0.3em">{html.escape(self.message)}</div>{table}</div>'
        )


class NotAttempted(Exception):
    """Raised inside a checker when the answer is still the scaffold."""


class CheckFailed(Exception):
    """Raised inside a checker by :func:`fail`; carries the message and detail rows."""

    def __init__(self, message: str, details: tuple[tuple[str, str], ...] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


def fail(message: str, **details: Any) -> NoReturn:
    """Stop the check: the answer is wrong. Keyword arguments become detail rows.

    Values that are not strings are formatted with :func:`fmt`; underscores in
    the keyword names become spaces (``max_error=...`` shows as "max error").

    Examples
    --------
    >>> from softmaxlab.exercises import checker, fail
    >>> @checker("Demo")
    ... def check_double(f):
    ...     if f(2) != 4:
    ...         fail("For x = 2 the answer should be 4.", input=2, expected=4, got=f(2))
    ...     return "Doubling works."
    >>> check_double(lambda x: x + 1)
    [failed] Demo: For x = 2 the answer should be 4.
      input: 2
      expected: 4
      got: 3
    """
    rows = tuple(
        (label.replace("_", " "), value if isinstance(value, str) else fmt(value))
        for label, value in details.items()
    )
    raise CheckFailed(message, rows)


def checker(exercise: str) -> Callable[[Callable[..., str]], Callable[..., CheckResult]]:
    """Decorate a checker: its return value (a message) means "passed".

    The decorated function returns a :class:`CheckResult`: ``NotAttempted``
    raised inside becomes "not attempted", ``CheckFailed`` (from :func:`fail`)
    becomes "failed", a returned string becomes "passed". A returned tuple
    ``(message, details)`` adds detail rows to a pass.

    Examples
    --------
    >>> from softmaxlab.exercises import checker, require_answer
    >>> @checker("Demo")
    ... def check_answer(value):
    ...     require_answer(value)
    ...     return "Fine."
    >>> check_answer(None)
    [not attempted] Demo: Replace the None in the scaffold cell with your answer, then run this cell again.
    >>> check_answer(3).passed
    True
    """

    def decorate(func: Callable[..., Any]) -> Callable[..., CheckResult]:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> CheckResult:
            try:
                outcome = func(*args, **kwargs)
            except NotAttempted as exc:
                return CheckResult(exercise, "not attempted", str(exc))
            except CheckFailed as exc:
                return CheckResult(exercise, "failed", exc.message, exc.details)
            if isinstance(outcome, tuple):
                message, rows = outcome
                return CheckResult(exercise, "passed", message, tuple((k, v) for k, v in rows))
            return CheckResult(exercise, "passed", outcome)

        return wrapper

    return decorate


_SCAFFOLD_MESSAGE = "Replace the None in the scaffold cell with your answer, then run this cell again."
_STUB_MESSAGE = (
    "Your function still raises NotImplementedError: replace the `raise` line in the "
    "scaffold cell with your code, then run this cell again."
)


def require_answer(*values: Any) -> None:
    """Raise :class:`NotAttempted` if any of ``values`` is still ``None``.

    Examples
    --------
    >>> from softmaxlab.exercises import require_answer, NotAttempted
    >>> require_answer(1, [2])
    >>> try:
    ...     require_answer(1, None)
    ... except NotAttempted as exc:
    ...     print("not attempted")
    not attempted
    """
    if any(v is None for v in values):
        raise NotAttempted(_SCAFFOLD_MESSAGE)


def call_answer(func: Any, *args: Any, on: str, what: str = "your function") -> Any:
    """Call the reader's function; translate the scaffold and crashes.

    Parameters
    ----------
    func : callable or None
        The reader's answer. ``None`` (the scaffold) raises :class:`NotAttempted`.
    *args
        Passed to ``func``.
    on : str
        How to name the input in a failure message, e.g. ``"z = [1, 2]"``.
    what : str, optional
        How to name the function in a failure message.

    Returns
    -------
    object
        Whatever ``func`` returned. Floating-point warnings raised inside are
        silenced (the checker inspects the values instead); ``NotImplementedError``
        raises :class:`NotAttempted`; any other exception fails the check,
        naming the input.

    Examples
    --------
    >>> from softmaxlab.exercises import checker, call_answer
    >>> @checker("Demo")
    ... def check_reciprocal(f):
    ...     call_answer(f, 0.0, on="x = 0")
    ...     return "No crash."
    >>> check_reciprocal(lambda x: 1 / x)
    [failed] Demo: On x = 0 your function raised ZeroDivisionError: float division by zero
    """
    if func is None:
        raise NotAttempted(_SCAFFOLD_MESSAGE)
    if not callable(func):
        fail(f"Expected a function, got {type(func).__name__}: pass the function itself, without calling it.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            return func(*args)
    except NotImplementedError:
        raise NotAttempted(_STUB_MESSAGE) from None
    except (NotAttempted, CheckFailed):
        raise
    except (Exception, SystemExit) as exc:  # the reader's code crashed (or called exit()): report it, do not raise
        fail(f"On {on} {what} raised {type(exc).__name__}: {exc}")


class _Unreadable(Exception):
    """A value in the reader's answer that is not a number; the message says what it is."""


def _scalar_as_complex(item: Any) -> complex:
    """One entry of the reader's answer as a Python complex, or :class:`_Unreadable`."""
    if isinstance(item, sp.MatrixBase):
        if item.shape != (1, 1):
            raise _Unreadable(f"a {item.shape[0]} x {item.shape[1]} SymPy Matrix inside the array")
        item = item[0, 0]
    if isinstance(item, sp.Basic):
        if item.has(sp.nan):
            return complex(math.nan, 0.0)
        if item.has(sp.zoo):
            return complex(math.nan, math.nan)  # complex infinity: not a real number
        if item in (sp.oo, -sp.oo):
            return complex(float(item), 0.0)
        if item.free_symbols:
            names = ", ".join(sorted(str(s) for s in item.free_symbols))
            raise _Unreadable(f"the symbolic expression {item} (it still contains {names})")
        try:
            return complex(sp.N(item, 20))
        except (TypeError, ValueError) as exc:
            raise _Unreadable(f"the SymPy object {item}, which has no numerical value ({exc})") from None
    if isinstance(item, (bool, np.bool_, int, float, complex, np.number)):
        return complex(item)
    if isinstance(item, numbers.Number) or hasattr(item, "__complex__") or hasattr(item, "__float__"):
        # mpmath's mpf and mpc, fractions.Fraction, decimal.Decimal, ...
        try:
            return complex(item)
        except (TypeError, ValueError, OverflowError):
            return complex(float(item))
    raise _Unreadable(f"a {type(item).__name__} ({_short_repr(item)})")


def _short_repr(value: Any, limit: int = 60) -> str:
    try:
        text = repr(value)
    except Exception:  # the reader's object may have a broken __repr__
        text = f"<{type(value).__name__}>"
    text = re.sub(r" at 0x[0-9a-fA-F]+", "", text)  # default reprs carry an address that changes every run
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _read_numbers(value: Any) -> np.ndarray:
    """The reader's return value as a complex or float array, or :class:`_Unreadable`."""
    if isinstance(value, (str, bytes, dict, set, frozenset)) or callable(value):
        kind = "a function" if callable(value) else f"a {type(value).__name__}"
        raise _Unreadable(f"{kind} ({_short_repr(value)})")
    if isinstance(value, sp.MatrixBase):
        value = value.tolist()
    if isinstance(value, np.ma.MaskedArray):  # a hidden entry is no answer: read it as nan
        value = value.astype(np.complex128 if value.dtype.kind == "c" else np.float64).filled(np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        arr = np.asarray(value)
    if arr.dtype.kind in "biuf":
        return arr.astype(np.float64)
    if arr.dtype.kind == "c":
        return arr.astype(np.complex128)
    if arr.dtype.kind != "O":
        raise _Unreadable(f"an array of {arr.dtype} values")
    if (arr.ndim == 0 and not isinstance(arr.item(), (sp.Basic, numbers.Number))
            and not hasattr(arr.item(), "__float__")):
        raise _Unreadable(f"a {type(arr.item()).__name__} ({_short_repr(arr.item())})")
    out = np.empty(arr.shape, dtype=np.complex128)
    for index, item in np.ndenumerate(arr):
        out[index] = _scalar_as_complex(item)
    if isinstance(value, sp.MatrixBase) or arr.ndim >= 1 and all(
        isinstance(item, sp.MatrixBase) for item in arr.reshape(-1)[:1]
    ):
        out = out.squeeze()
    return out


def as_float_array(
    value: Any,
    shape: tuple[int, ...],
    *,
    on: str,
    what: str = "your function",
    complex_ok: bool = False,
) -> np.ndarray:
    """The reader's return value as a float64 array of the given shape, or a failed check.

    Whatever the reader returned (list, tuple, numpy array of any dtype, SymPy
    Matrix, list of 1 x 1 Matrices, scalar, None, a set, an object whose
    ``__array__`` raises), this either returns an array or fails the check with
    a message saying what was wrong; it never raises anything else. Entries
    with a nonzero imaginary part fail (the answers are real) unless
    ``complex_ok``; complex entries whose imaginary part is exactly 0 are read
    as real. An answer whose shape differs from ``shape`` only by axes of
    length 1 (a column ``(K, 1)`` for a vector ``(K,)``) is reshaped. nan and
    infinities are kept: the comparison with the reference decides about them.

    Examples
    --------
    >>> import sympy as sp
    >>> from softmaxlab.exercises import as_float_array, checker
    >>> as_float_array([1, 2], (2,), on="z = [0, 0]")
    array([1., 2.])
    >>> as_float_array(sp.Matrix([1, sp.Rational(1, 2)]), (2,), on="z = [0, 0]")
    array([1. , 0.5])
    >>> @checker("Demo")
    ... def check_vector(value):
    ...     as_float_array(value, (2,), on="z = [0, 0]")
    ...     return "Readable."
    >>> check_vector([1 + 2j, 0])
    [failed] Demo: On z = [0, 0] your function returned complex numbers (entry 1 is (1+2j)); the answer is real.
    >>> check_vector({1, 2})
    [failed] Demo: On z = [0, 0] your function returned a set ({1, 2}), not an array of numbers.
    """
    if value is None:
        fail(f"On {on} {what} returned None: is a `return` statement missing?")
    try:
        arr = _read_numbers(value)
    except _Unreadable as exc:
        fail(f"On {on} {what} returned {exc}, not an array of numbers.")
    except RecursionError:
        fail(f"On {on} {what} returned a {type(value).__name__} that nests without end, not an array of numbers.")
    except Exception as exc:  # the reader's object raised while being read: report it, do not raise
        fail(
            f"On {on} {what} returned a {type(value).__name__} that could not be read as numbers "
            f"({type(exc).__name__}: {exc})."
        )
    if arr.shape != shape:
        if arr.size == math.prod(shape) and tuple(n for n in arr.shape if n != 1) == tuple(n for n in shape if n != 1):
            arr = arr.reshape(shape)
        else:
            fail(
                f"On {on} {what} returned an array of shape {arr.shape}; expected shape {shape}.",
                got=arr.real if arr.size <= 64 else f"array of shape {arr.shape}",
            )
    if np.iscomplexobj(arr):
        imaginary = np.flatnonzero(arr.imag.reshape(-1) != 0)
        if imaginary.size and not complex_ok:
            index = tuple(int(i) for i in np.unravel_index(int(imaginary[0]), arr.shape))
            where = f"entry {', '.join(str(i + 1) for i in index)} is " if index else "it is "
            fail(f"On {on} {what} returned complex numbers ({where}{arr[index]}); the answer is real.")
        if not complex_ok:
            arr = arr.real.copy()
    return arr


def as_number(value: Any, *, on: str, what: str = "your function") -> float:
    """The reader's scalar answer as a Python float, or a failed check (see :func:`as_float_array`).

    Examples
    --------
    >>> import numpy as np, sympy as sp
    >>> from softmaxlab.exercises import as_number
    >>> as_number(np.float32(0.5), on="z = [1, 2]"), as_number(sp.Matrix([[2]]), on="z = [1, 2]")
    (0.5, 2.0)
    """
    return float(as_float_array(value, (), on=on, what=what))


def distinguishing_digits(got: Any, expected: Any, *, least: int = 6) -> tuple[str, str]:
    """``got`` and ``expected`` formatted with just enough significant digits to tell them apart.

    Starts at ``least`` digits and adds digits until the two texts differ (up to
    17, where every float64 prints exactly). A message built from these never
    shows the same number for the answer and the reference.

    Examples
    --------
    >>> from softmaxlab.exercises import distinguishing_digits
    >>> distinguishing_digits(0.30000000004, 0.3)
    ('0.30000000004', '0.3')
    >>> distinguishing_digits([1.0, 2.5], [1.0, 2.0])
    ('[1, 2.5]', '[1, 2]')
    """
    for digits in range(least, 18):
        got_text, expected_text = fmt(got, digits), fmt(expected, digits)
        if got_text != expected_text:
            return got_text, expected_text
    return fmt(got, None), fmt(expected, None)


def tolerance_text(rtol: float, atol: float = 0.0) -> str:
    """The acceptance rule of a numerical comparison, relative to the reference value.

    Examples
    --------
    >>> from softmaxlab.exercises import tolerance_text
    >>> tolerance_text(1e-9, 1e-12)
    '|yours - reference| <= 1e-12 + 1e-09 |reference|'
    >>> tolerance_text(1e-7)
    '|yours - reference| <= 1e-07 |reference|'
    """
    relative = f"{rtol:g} |reference|"
    if atol == 0:
        return f"|yours - reference| <= {relative}"
    if rtol == 0:
        return f"|yours - reference| <= {atol:g}"
    return f"|yours - reference| <= {atol:g} + {relative}"


# --------------------------------------------------------------------------------------
# Symbolic answers


def as_expressions(value: Any, count: int, *, on: str, what: str = "your function") -> list[sp.Expr]:
    """The reader's answer as ``count`` SymPy expressions, or a failed check.

    Accepts a list or tuple (also of 1 x 1 Matrices), a SymPy Matrix of any
    shape with ``count`` entries, a numpy array, or, when ``count == 1``, a
    single expression or number. Strings are parsed by SymPy. Anything else,
    and any error while reading it, fails the check with a message.

    Examples
    --------
    >>> import sympy as sp
    >>> from softmaxlab.exercises import as_expressions
    >>> p = sp.symbols("p_1:3")
    >>> as_expressions([sp.Matrix([[p[0] - 1]]), p[1]], 2, on="K = 2")
    [p_1 - 1, p_2]
    """
    if value is None:
        fail(f"On {on} {what} returned None: is a `return` statement missing?")
    try:
        if isinstance(value, sp.MatrixBase):
            items = list(value)
        elif isinstance(value, np.ndarray):
            items = list(value.reshape(-1))
        elif isinstance(value, (list, tuple)):
            items = list(value)
        elif count == 1 and isinstance(value, (sp.Basic, int, float, str, np.number)):
            items = [value]
        else:
            fail(
                f"On {on} {what} returned a {type(value).__name__} ({_short_repr(value)}); "
                f"return {count} SymPy expression{'s' if count > 1 else ''} (a list or a Matrix)."
            )
        if len(items) != count:
            got = f"{len(items)} expression{'s' if len(items) != 1 else ''}"
            fail(f"On {on} {what} returned {got}; expected {count}.")
        expressions = []
        for item in items:
            if isinstance(item, sp.MatrixBase):
                if item.shape != (1, 1):
                    fail(f"On {on} {what} returned a {item.shape[0]} x {item.shape[1]} Matrix as one entry.")
                item = item[0, 0]
            expr = sp.sympify(item)
            if not isinstance(expr, sp.Expr):
                fail(f"On {on} {what} returned {_short_repr(item)}, which is not a SymPy expression.")
            expressions.append(expr)
    except CheckFailed:
        raise
    except Exception as exc:  # sympify of an arbitrary object, a broken __len__ or __iter__, ...
        fail(
            f"On {on} {what} returned a {type(value).__name__} that could not be read as SymPy expressions "
            f"({type(exc).__name__}: {exc})."
        )
    return expressions


def adopt_symbols(
    expressions: list[sp.Expr], symbols: Sequence[sp.Symbol], *, on: str, what: str = "your answer"
) -> list[sp.Expr]:
    """Replace the reader's symbols by the checker's symbols of the same name, or fail.

    A reader may build ``p_1`` with ``sp.symbols("p_1")`` (no assumptions)
    while the checker's ``p_1`` is positive; SymPy treats them as different
    symbols. Matching by name accepts the reader's own symbols whatever their
    assumptions. A symbol whose name is not among ``symbols`` fails the check,
    naming it; so does an undefined function such as ``f(x)``.

    Examples
    --------
    >>> import sympy as sp
    >>> from softmaxlab.exercises import adopt_symbols
    >>> mine = sp.Symbol("p_1")                   # no assumptions
    >>> theirs = sp.Symbol("p_1", positive=True)
    >>> adopt_symbols([mine - 1], [theirs], on="K = 1")[0].free_symbols == {theirs}
    True
    """
    by_name = {s.name: s for s in symbols}
    mapping: dict[sp.Basic, sp.Basic] = {}
    stray: set[str] = set()
    try:
        for expr in expressions:
            for symbol in expr.free_symbols:
                target = by_name.get(getattr(symbol, "name", None))
                if target is None:
                    stray.add(str(symbol))
                else:
                    mapping[symbol] = target
            for function in expr.atoms(sp.core.function.AppliedUndef):
                stray.add(str(function))
        if not stray:
            return [expr.xreplace(mapping) for expr in expressions]
    except Exception as exc:  # a reader's own Function subclass may raise when inspected or rebuilt
        fail(f"On {on} SymPy could not read the symbols of {what} ({type(exc).__name__}: {exc}).")
    allowed = ", ".join(sorted(by_name)) or "none"
    fail(f"On {on} {what} uses {', '.join(sorted(stray))}; the symbols it may use are {allowed}.")


def undefined_value(expr: sp.Expr) -> str | None:
    """What makes ``expr`` undefined or infinite (nan, zoo, oo), or None.

    Examples
    --------
    >>> import sympy as sp
    >>> from softmaxlab.exercises import undefined_value
    >>> undefined_value(sp.zoo), undefined_value(sp.nan + sp.Symbol("p")), undefined_value(sp.Symbol("p"))
    ('zoo (complex infinity)', 'nan', None)
    """
    try:
        if expr.has(sp.nan):
            return "nan"
        if expr.has(sp.zoo):
            return "zoo (complex infinity)"
        if expr.has(sp.oo) or expr.has(-sp.oo):
            return "oo (infinity)"
    except Exception as exc:  # a reader's own Function subclass may raise when inspected
        return f"something SymPy cannot inspect ({type(exc).__name__})"
    return None


def exact_rational(number: sp.Float) -> sp.Rational:
    """The rational a SymPy Float prints as: ``0.1`` is 1/10, ``1.000000000001`` is exactly that.

    This is how :func:`proves_equal` reads the floats in a reader's answer.

    Examples
    --------
    >>> import sympy as sp
    >>> from softmaxlab.exercises import exact_rational
    >>> exact_rational(sp.Float(0.1)), exact_rational(sp.Float(1.000000000001))
    (1/10, 1000000000001/1000000000000)
    """
    text = repr(float(number)) if number._prec <= 53 else str(number)
    return sp.Rational(text)


#: Powers with a rational exponent whose numerator or denominator exceeds this are not expanded
#: by :func:`proves_equal`: ``p**(1 + 1e-12)`` would become a polynomial of degree 10^12.
_LARGEST_EXPANDED_EXPONENT = 64


def _has_huge_exponent(expr: sp.Expr) -> bool:
    return any(
        power.exp.is_Rational
        and (power.exp.q > _LARGEST_EXPANDED_EXPONENT or abs(power.exp.p) > _LARGEST_EXPANDED_EXPONENT)
        for power in expr.atoms(sp.Pow)
    )


def proves_equal(answer: sp.Expr, reference: sp.Expr) -> bool:
    """True only when SymPy proves the reader's ``answer`` identically equal to ``reference``; never raises.

    Floats in the answer are first read as the exact rationals they print as
    (``0.5`` as 1/2, ``0.1`` as 1/10), before any arithmetic, so ``p - 1.0*y``
    is proved equal to ``p - y`` while ``0.9999999999*p - y`` is not. An
    answer holding nan, zoo or oo is never equal to a finite reference. A
    numerical agreement is never taken as a proof: a difference SymPy cannot
    simplify to 0 gives False.

    Examples
    --------
    >>> import sympy as sp
    >>> from softmaxlab.exercises import proves_equal
    >>> p = sp.Symbol("p", positive=True)
    >>> proves_equal(sp.exp(sp.log(p)), p), proves_equal(p**(1 + sp.Float(1e-12)), p)
    (True, False)
    """
    try:
        exact = answer.xreplace({f: exact_rational(f) for f in answer.atoms(sp.Float)})
        if undefined_value(exact) is not None and undefined_value(reference) is None:
            return False
        if exact == reference:
            return True
        if _has_huge_exponent(exact) or _has_huge_exponent(reference):
            return False  # not provable in reasonable time; p**(1 + 1e-12) is not p anyway
        difference = sp.cancel(sp.together(exact - reference))
        return bool(difference == 0 or sp.simplify(difference) == 0)
    except Exception:  # SymPy gave up on a strange expression: not proved
        return False



def _fmt_float(x: float, digits: int | None) -> str:
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    if x == 0:
        return "0"  # also -0.0
    if digits is None:  # exact: shortest string that round-trips
        text = repr(float(x))
        return text[:-2] if text.endswith(".0") else text
    text = f"{x:.{digits}g}"
    return text


def fmt(value: Any, digits: int | None = 6, max_items: int = 10) -> str:
    """Format numbers, arrays and nested lists for a message, the same on every machine.

    Parameters
    ----------
    value : scalar, array_like or str
        What to show. Strings pass through.
    digits : int or None, optional
        Significant digits for floats (default 6, which hides last-digit
        differences between CPUs); ``None`` prints each float exactly (the
        shortest string that reads back as the same float), for inputs.
    max_items : int, optional
        Longer vectors show their first and last entries and their length.

    Examples
    --------
    >>> import numpy as np
    >>> from softmaxlab.exercises import fmt
    >>> fmt([1000.0, 0.0, -np.inf])
    '[1000, 0, -inf]'
    >>> fmt(np.array([[1 / 3, 0.5], [2.0, 1e-300]]))
    '[[0.333333, 0.5], [2, 1e-300]]'
    >>> fmt([3.0, 3.000000000001], digits=None)
    '[3, 3.000000000001]'
    >>> fmt(np.arange(100.0))
    '[0, 1, 2, 3, 4, 5, 6, 7, ..., 98, 99] (100 entries)'
    """
    if isinstance(value, str):
        return value
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        return _fmt_float(float(value), digits)
    if isinstance(value, Sequence) or isinstance(value, np.ndarray):
        arr = np.asarray(value, dtype=object)
        if arr.ndim == 0:
            return fmt(arr.item(), digits, max_items)
        if arr.ndim == 1:
            items = list(arr)
            if len(items) > max_items:
                head = [fmt(v, digits, max_items) for v in items[: max_items - 2]]
                tail = [fmt(v, digits, max_items) for v in items[-2:]]
                return "[" + ", ".join(head + ["..."] + tail) + f"] ({len(items)} entries)"
            return "[" + ", ".join(fmt(v, digits, max_items) for v in items) + "]"
        return "[" + ", ".join(fmt(list(row), digits, max_items) for row in arr) + "]"
    return str(value)


def first_mismatch(got: np.ndarray, expected: np.ndarray, *, rtol: float, atol: float) -> tuple[int, ...] | None:
    """Index of the worst entry where ``got`` and ``expected`` differ beyond tolerance, or None.

    Entries agree when both are the same infinity, both nan, or
    ``|got - expected| <= atol + rtol * |expected|``.

    Examples
    --------
    >>> import numpy as np
    >>> from softmaxlab.exercises import first_mismatch
    >>> first_mismatch(np.array([1.0, 2.0, 3.5]), np.array([1.0, 2.0, 3.0]), rtol=1e-9, atol=0.0)
    (2,)
    >>> first_mismatch(np.array([1.0, -np.inf]), np.array([1.0, -np.inf]), rtol=1e-9, atol=0.0) is None
    True
    """
    got = np.asarray(got, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    with np.errstate(all="ignore"):
        same_special = (got == expected) | (np.isnan(got) & np.isnan(expected))
        error = np.abs(got - expected)
        bad = ~same_special & ~(error <= atol + rtol * np.abs(expected))
        if not bad.any():
            return None
        score = np.where(bad, np.nan_to_num(error / (atol + rtol * np.abs(expected)), nan=np.inf, posinf=np.inf), -1.0)
    return tuple(int(i) for i in np.unravel_index(int(np.argmax(score)), got.shape))


def answer_mismatch(
    func: Any, args: tuple, expected: np.ndarray, *, on: str, rtol: float, atol: float, what: str = "your function"
) -> tuple[np.ndarray, tuple[int, ...] | None]:
    """Run the reader's ``func`` on one test input and find its worst entry: the loop body of most checkers.

    ``func`` is called on copies of the array arguments (so the answer cannot
    change the checker's inputs) through :func:`call_answer`, its result read
    by :func:`as_float_array` as an array of ``expected``'s shape, and compared
    with :func:`first_mismatch`. An answer that raises, or returns something
    that is not such an array, fails the check there, with a message naming
    ``on``; a wrong answer is left to the caller, which knows how to explain it.

    Returns
    -------
    got : numpy.ndarray
        The answer as a float64 array of ``expected``'s shape.
    index : tuple of int or None
        The worst entry beyond ``atol + rtol |expected|``, or None when every entry is within it.

    Examples
    --------
    >>> import numpy as np
    >>> from softmaxlab.exercises._result import answer_mismatch
    >>> z = np.array([1.0, 2.0])
    >>> answer_mismatch(np.exp, (z,), np.exp(z), on="z = [1, 2]", rtol=1e-12, atol=0.0)
    (array([2.71828183, 7.3890561 ]), None)
    >>> answer_mismatch(lambda z: z, (z,), np.exp(z), on="z = [1, 2]", rtol=1e-12, atol=0.0)[1]
    (1,)
    """
    copies = tuple(a.copy() if isinstance(a, np.ndarray) else a for a in args)
    got = as_float_array(call_answer(func, *copies, on=on, what=what), expected.shape, on=on, what=what)
    return got, first_mismatch(got, expected, rtol=rtol, atol=atol)


def check_parts(*parts: tuple[str, Callable[[Any], tuple[str, tuple]], Any]) -> tuple[str, tuple]:
    """Check an exercise of several parts, each answered by its own function, and report them together.

    Each part is ``(name, run, answer)``: ``run(answer)`` returns the part's
    success message and detail rows, raises :class:`CheckFailed` (the whole
    check fails there) or :class:`NotAttempted`. The result joins the messages
    and rows of all parts; while some parts are still scaffolds it is "not
    attempted", saying what passed so far and which part is still to do.

    Examples
    --------
    >>> from softmaxlab.exercises._result import NotAttempted, check_parts
    >>> def first(answer):
    ...     return "Part 1 passes.", (("part 1", "ok"),)
    >>> def second(answer):
    ...     if answer is None:
    ...         raise NotAttempted("Replace the None.")
    ...     return "Part 2 passes.", ()
    >>> check_parts(("part 1", first, 1), ("part 2", second, 2))
    ('Part 1 passes. Part 2 passes.', (('part 1', 'ok'),))
    >>> try:
    ...     check_parts(("part 1", first, 1), ("part 2", second, None))
    ... except NotAttempted as exc:
    ...     print(exc)
    Part 1 passes. Still to do, part 2: replace the None.
    """
    passed: list[tuple[str, tuple]] = []
    pending: list[tuple[str, str]] = []
    for name, run, answer in parts:
        try:
            passed.append(run(answer))
        except NotAttempted as exc:
            pending.append((name, str(exc)))
    if pending and not passed:
        raise NotAttempted(pending[0][1])
    if pending:
        name, message = pending[0]
        raise NotAttempted(f"{passed[0][0]} Still to do, {name}: {message[0].lower()}{message[1:]}")
    return " ".join(message for message, _ in passed), tuple(row for _, rows in passed for row in rows)
