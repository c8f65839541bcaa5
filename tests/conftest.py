"""Shared pytest configuration: the hypothesis profiles, paths of the book, its notebooks and its build."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import matplotlib
from hypothesis import HealthCheck, settings

matplotlib.use("Agg")

# Hypothesis profiles. CI (where the environment variable CI is set) is derandomized: every run
# tries the same examples, so a submission never fails on an example nobody has seen. A developer's
# `make test` explores new random examples each run; `make fuzz` explores much longer.
settings.register_profile("dev", deadline=None, max_examples=60)
settings.register_profile("ci", deadline=None, max_examples=60, derandomize=True, database=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("fuzz", deadline=None, max_examples=2000)
settings.load_profile(os.environ.get("SOFTMAXLAB_HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev"))

# In CI the browser layer never skips: SOFTMAXLAB_SKIP_BROWSER=1 is not honoured there, and a missing
# Chromium fails (tests/test_book.py, tests/test_lab.py).
if os.environ.get("CI"):
    os.environ.setdefault("SOFTMAXLAB_REQUIRE_BROWSER", "1")

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK_DIRS = ("chapters", "exercises", "solutions")


def build_book(*options: str, what: str) -> None:
    """``jupyter-book build`` of the book with warnings as errors (``-W -n --keep-going``) and ``options``."""
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    result = subprocess.run(
        [str(jupyter_book), "build", str(ROOT), *options, "-W", "-n", "--keep-going"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    log = result.stdout + result.stderr
    assert result.returncode == 0, f"{what} does not build with -W -n (warnings are errors):\n{log[-8000:]}"


def all_notebooks() -> list[Path]:
    """Every notebook of the book, in a stable order."""
    return sorted(p for d in NOTEBOOK_DIRS for p in (ROOT / d).glob("*.ipynb"))


collect_ignore = ["execute_notebooks.py"]
