"""What the stored notebooks show a reader: every solution passes its check, every exercise is untouched.

nbval proves that a fresh run prints what is stored; these tests prove that what
is stored is right. The status is read from the machine-readable copy of each
check result (``RESULT_MIME_TYPE``), as ``make progress`` reads it.
"""

from __future__ import annotations

import nbformat
import pytest

from conftest import ROOT
from softmaxlab.exercises import RESULT_MIME_TYPE

EXERCISES = sorted((ROOT / "exercises").glob("*.ipynb"))


def stored_results(path):
    notebook = nbformat.read(path, as_version=4)
    return [
        output["data"][RESULT_MIME_TYPE]
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
        if RESULT_MIME_TYPE in output.get("data", {})
    ]


@pytest.mark.parametrize("exercise", EXERCISES, ids=[p.stem for p in EXERCISES])
def test_the_exercise_notebook_shows_its_check_as_not_attempted(exercise):
    results = stored_results(exercise)
    assert results, f"{exercise.name} stores no check result"
    assert all(r["status"] == "not attempted" for r in results), results


@pytest.mark.parametrize("exercise", EXERCISES, ids=[p.stem for p in EXERCISES])
def test_the_solution_notebook_passes_the_same_check(exercise):
    solution = ROOT / "solutions" / exercise.name
    results = stored_results(solution)
    titles = {r["exercise"] for r in stored_results(exercise)}
    passed = [r for r in results if r["status"] == "passed" and r["exercise"] in titles]
    assert {r["exercise"] for r in passed} == titles, f"{solution.name} does not store a pass of {titles}"
