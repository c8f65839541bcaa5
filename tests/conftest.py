"""Shared pytest configuration: paths of the book and a fixture for its notebooks."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK_DIRS = ("chapters", "exercises", "solutions")


def all_notebooks() -> list[Path]:
    """Every notebook of the book, in a stable order."""
    return sorted(p for d in NOTEBOOK_DIRS for p in (ROOT / d).glob("*.ipynb"))


def collect_ignore_glob_for_doctests():  # pragma: no cover - documentation only
    """Doctests run over lib/softmaxlab; tests/*.py are collected as tests, not doctests."""


collect_ignore = ["execute_notebooks.py"]
