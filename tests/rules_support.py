"""Shared pieces of the rules tables (``tests/test_rules_*.py``).

Every public function of softmaxlab keeps the library's rules (CONTRIBUTING.md):
bad arguments raise TypeError/ValueError/AxisError from softmaxlab itself,
naming the argument; IEEE inputs follow the core's semantics and never give a
wrong finite number; float16 is computed in float32 and returned as float16,
long double in float64 and returned as long double, 0-d results are numpy
scalars; no input is modified; peak extra memory is about the size of the
output (or of the input, for reductions). Each ``tests/test_rules_<group>.py``
holds the table for a group of modules and a set ``COVERED`` of the public
names it covers; ``tests/test_rules_coverage.py`` fails when a public name is
in no table.
"""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import softmaxlab

LIBRARY = Path(softmaxlab.__file__).resolve().parent

#: Array-likes that no numerical function accepts: each must raise TypeError naming the argument.
BAD_ARRAYS: dict[str, Any] = {
    "strings": np.array(["a", "b"]),
    "complex": np.array([1 + 1j, 2 + 0j]),
    "objects": np.array([object(), 1.0], dtype=object),
    "ragged": [[1.0, 2.0], [3.0]],
    "None": None,
    "dict": {"a": 1.0},
}

#: Float dtypes and the dtype each result must come back in.
DTYPES: dict[str, tuple[np.dtype, np.dtype]] = {
    "float16": (np.dtype(np.float16), np.dtype(np.float16)),
    "float32": (np.dtype(np.float32), np.dtype(np.float32)),
    "float64": (np.dtype(np.float64), np.dtype(np.float64)),
    "longdouble": (np.dtype(np.longdouble), np.dtype(np.longdouble)),
    "big-endian float64": (np.dtype(">f8"), np.dtype(np.float64)),
    "int64": (np.dtype(np.int64), np.dtype(np.float64)),
}


def raised_by_softmaxlab(excinfo: pytest.ExceptionInfo) -> bool:
    """True when the innermost frame of the traceback is in softmaxlab's own code (not numpy's or SymPy's)."""
    return LIBRARY in Path(str(excinfo.traceback[-1].path)).resolve().parents


def assert_rejects(
    func: Callable[..., Any],
    args: tuple,
    kwargs: dict | None = None,
    *,
    names: str,
    errors: type[BaseException] | tuple[type[BaseException], ...] = (TypeError, ValueError, np.exceptions.AxisError),
) -> None:
    """``func(*args, **kwargs)`` raises one of ``errors``, from softmaxlab, with ``names`` in the message."""
    with pytest.raises(errors) as excinfo:
        func(*args, **(kwargs or {}))
    assert names in str(excinfo.value), f"{func.__name__}: the message {str(excinfo.value)!r} does not name {names!r}"
    assert raised_by_softmaxlab(excinfo), (
        f"{func.__name__} let {type(excinfo.value).__name__} escape from {excinfo.traceback[-1].path}: {excinfo.value}"
    )


def peak_extra_bytes(func: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[Any, int]:
    """Call ``func`` and return its result and the peak memory it allocated beyond the result itself.

    numpy reports its array allocations to :mod:`tracemalloc`, so this counts
    every temporary array. Arguments should be built before the call.
    """
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        result = func(*args, **kwargs)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    kept = sum(np.asarray(r).nbytes for r in (result if isinstance(result, tuple) else (result,)))
    return result, peak - kept


def assert_unmodified(func: Callable[..., Any], *arrays: np.ndarray, **kwargs: Any) -> Any:
    """Call ``func(*arrays, **kwargs)`` and check that no array argument changed."""
    before = [np.array(a, copy=True) for a in arrays]
    result = func(*arrays, **kwargs)
    for original, after in zip(before, arrays):
        np.testing.assert_array_equal(after, original, err_msg=f"{func.__name__} modified an input")
    return result
