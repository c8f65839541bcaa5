"""Test layer 4: the book builds with warnings as errors.

The build is the one ``make book`` runs (Jupyter Book, cache-mode execution),
with ``-W -n --keep-going``; it leaves ``_build/html`` for the browser layer.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT
from test_structure import toc_files

HTML = ROOT / "_build" / "html"


@pytest.fixture(scope="module")
def built_book() -> Path:
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    result = subprocess.run(
        [str(jupyter_book), "build", str(ROOT), "-W", "-n", "--keep-going"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    log = result.stdout + result.stderr
    assert result.returncode == 0, f"jupyter-book build failed (warnings are errors):\n{log[-8000:]}"
    return HTML


def test_book_builds_with_warnings_as_errors(built_book):
    assert (built_book / "index.html").exists()


def test_every_toc_page_is_rendered(built_book):
    missing = [name for name in toc_files() if not (built_book / f"{name}.html").exists()]
    assert not missing, f"pages missing from the build: {missing}"


def test_chapter_one_has_math_and_figures(built_book):
    page = (built_book / "chapters" / "01_definition.html").read_text()
    assert "math notranslate" in page, "chapter 1 renders no math"
    assert page.count("<img") >= 2, "chapter 1 shows fewer than two figures"
