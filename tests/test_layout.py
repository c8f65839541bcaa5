"""The repository's layout: one name per concept, so that one hop from a name finds each piece.

A SymPy module ``softmaxlab/symbolic/<name>.py`` proves the results of ``softmaxlab/<name>.py`` and
is tested in ``tests/test_symbolic_<name>.py``. An exercise ``exercises/NN_<name>.ipynb`` has its
solution ``solutions/NN_<name>.ipynb``, its checker ``check_<name>`` in
``softmaxlab/exercises/<name>.py`` (re-exported from ``softmaxlab.exercises``) and the checker's
tests in ``tests/test_exercises_<name>.py``.
"""

from __future__ import annotations

import importlib
import re

import pytest

import softmaxlab.exercises
import softmaxlab.symbolic
from conftest import ROOT

LIB = ROOT / "lib" / "softmaxlab"
EXERCISES = sorted((ROOT / "exercises").glob("*.ipynb"))


def exercise_name(notebook) -> str:
    match = re.fullmatch(r"\d\d_([a-z0-9_]+)\.ipynb", notebook.name)
    assert match, f"{notebook.name}: an exercise notebook is named NN_<name>.ipynb"
    return match.group(1)


@pytest.mark.parametrize("notebook", EXERCISES, ids=lambda p: p.stem)
def test_every_exercise_has_its_solution_checker_module_and_tests(notebook):
    name = exercise_name(notebook)
    assert (ROOT / "solutions" / notebook.name).is_file(), f"no solutions/{notebook.name}"
    assert (LIB / "exercises" / f"{name}.py").is_file(), f"no lib/softmaxlab/exercises/{name}.py"
    module = importlib.import_module(f"softmaxlab.exercises.{name}")
    checker = getattr(module, f"check_{name}", None)
    assert checker is not None, f"softmaxlab.exercises.{name} defines no check_{name}"
    assert getattr(softmaxlab.exercises, f"check_{name}", None) is checker, f"check_{name} is not re-exported"
    assert f"check_{name}" in softmaxlab.exercises.__all__
    assert (ROOT / "tests" / f"test_exercises_{name}.py").is_file(), f"no tests/test_exercises_{name}.py"


def test_every_checker_module_belongs_to_an_exercise():
    names = {exercise_name(notebook) for notebook in EXERCISES}
    modules = {p.stem for p in (LIB / "exercises").glob("*.py") if not p.stem.startswith("_")}
    assert modules <= names, f"checker modules without an exercise notebook: {sorted(modules - names)}"
    checkers = {n.removeprefix("check_") for n in softmaxlab.exercises.__all__ if n.startswith("check_")}
    assert checkers == names, f"checkers and exercises differ: {sorted(checkers ^ names)}"


def test_every_checker_test_file_belongs_to_a_checker_module():
    modules = {p.stem for p in (LIB / "exercises").glob("*.py")}
    shared = {"contract"}  # tests/test_exercises_contract.py walks every checker
    tests = {p.stem.removeprefix("test_exercises_") for p in (ROOT / "tests").glob("test_exercises_*.py")}
    stray = {t for t in tests - shared if t not in modules and f"_{t}" not in modules}
    assert not stray, f"tests/test_exercises_*.py without a module of that name: {sorted(stray)}"


SYMBOLIC = sorted(p.stem for p in (LIB / "symbolic").glob("*.py") if not p.stem.startswith("_"))


@pytest.mark.parametrize("name", SYMBOLIC)
def test_every_symbolic_module_is_named_after_the_numeric_module_it_proves(name):
    """``softmaxlab.symbolic.<name>`` proves the results of ``softmaxlab.<name>``,
    tested in tests/test_symbolic_<name>.py."""
    assert (LIB / f"{name}.py").is_file(), f"softmaxlab.symbolic.{name} has no numeric module softmaxlab.{name}"
    assert (ROOT / "tests" / f"test_symbolic_{name}.py").is_file(), f"no tests/test_symbolic_{name}.py"
    module = importlib.import_module(f"softmaxlab.symbolic.{name}")
    assert set(module.__all__) <= set(softmaxlab.symbolic.__all__), f"softmaxlab.symbolic does not re-export {name}"


def test_every_symbolic_test_file_has_its_module():
    tests = {p.stem.removeprefix("test_symbolic_") for p in (ROOT / "tests").glob("test_symbolic_*.py")}
    assert tests <= set(SYMBOLIC), f"tests/test_symbolic_*.py without a module: {sorted(tests - set(SYMBOLIC))}"
