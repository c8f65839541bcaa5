"""The lint layer: ruff (pinned in requirements.lock, configured in pyproject.toml) over the
library, the tests, the Sphinx extensions, the benchmarks, the tools and every notebook's code.

It catches what a reader trips over first in a notebook or a module: imports nothing uses,
variables assigned and never read, lines too long to read beside a figure, imports in no order.
Fix a failure with `.venv/bin/ruff check --fix .` (then read the diff) or by hand.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _ruff() -> str:
    # The venv's ruff, the one the lock pins; not whatever ruff is first on PATH.
    candidate = Path(sys.executable).with_name("ruff")
    if candidate.exists():
        return str(candidate)
    found = shutil.which("ruff")
    if found is None:
        pytest.fail("ruff is not installed: it is pinned in requirements.lock; run `make test` to install it")
    return found


def test_ruff_finds_nothing():
    result = subprocess.run(
        [_ruff(), "check", "--no-cache", "--output-format", "concise", "."],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, f"ruff found problems:\n{result.stdout}{result.stderr}"


def test_ruff_lints_every_kind_of_file():
    # The layer would pass vacuously if ruff skipped the notebooks or a folder: list what it reads.
    result = subprocess.run(
        [_ruff(), "check", "--no-cache", "--show-files", "."],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    files = {Path(line).resolve() for line in result.stdout.splitlines() if line.strip()}
    expected = [
        ROOT / "lib/softmaxlab/core.py",
        ROOT / "tests/test_lint.py",
        ROOT / "_ext/student_edition.py",
        ROOT / "benchmarks/bench_core.py",
        ROOT / "tools/lab.py",
        ROOT / "chapters/01_definition.ipynb",
        ROOT / "exercises/02_monotonicity.ipynb",
        ROOT / "solutions/02_monotonicity.ipynb",
    ]
    missing = [str(path.relative_to(ROOT)) for path in expected if path not in files]
    assert not missing, f"ruff does not read {missing}"
    notebooks = {path for path in files if path.suffix == ".ipynb"}
    folders = ("chapters", "exercises", "solutions")
    on_disk = {path.resolve() for folder in folders for path in (ROOT / folder).glob("*.ipynb")}
    assert on_disk <= notebooks, f"ruff skips {sorted(str(p.relative_to(ROOT)) for p in on_disk - notebooks)}"
