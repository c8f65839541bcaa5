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
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, NoReturn

import numpy as np

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
    except Exception as exc:  # the reader's code crashed: report it, do not raise
        fail(f"On {on} {what} raised {type(exc).__name__}: {exc}")


def as_float_array(value: Any, shape: tuple[int, ...], *, on: str, what: str = "your function") -> np.ndarray:
    """Convert the reader's return value to a float64 array of the given shape, or fail.

    Examples
    --------
    >>> from softmaxlab.exercises import as_float_array
    >>> as_float_array([1, 2], (2,), on="z = [0, 0]")
    array([1., 2.])
    """
    if value is None:
        fail(f"On {on} {what} returned None: is a `return` statement missing?")
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        fail(f"On {on} {what} returned {type(value).__name__}, which is not an array of real numbers.")
    if arr.shape != shape:
        fail(
            f"On {on} {what} returned an array of shape {arr.shape}; expected shape {shape}.",
            got=arr if arr.size <= 64 else f"array of shape {arr.shape}",
        )
    return arr


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
