"""The reader's workspace, ``make progress`` and the instructors' grader (``softmaxlab.grading``).

Kernels run in three places, each once per test session: the grader over
``tests/fixtures/submissions`` (a correct, a wrong, a raising and an endless
inversion notebook; the correct one writes files, the wrong one prints
megabytes and carries a stored output that claims a pass, the endless one
starts a helper process first), ``make progress``
over a workspace with a passed, a failed, a not attempted and a silent
notebook, and nothing else. Everything else (workspace copies, exclusions,
exit codes) needs no kernel.

Notebooks are found by glob (``exercises/*_inversion.ipynb``), so renumbering
the exercises does not break these tests: the fixture's notebooks are copied
under the inversion exercise's current name before grading.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import yaml

from conftest import NOTEBOOK_DIRS, ROOT, all_notebooks
from softmaxlab import grade, grading, progress, workspace
from softmaxlab.exercises import RESULT_MIME_TYPE

EXERCISES = ROOT / "exercises"
FIXTURE = ROOT / "tests" / "fixtures" / "submissions"
STUDENTS = ("alice", "bob", "carol", "dave")
CORRECT = "def invert(a):\n    return np.log(a)\n"
WRONG = "def invert(a):\n    return a\n"
#: The grader's timeout in these tests: the endless notebook costs this much.
GRADE_TIMEOUT = 10


def inversion_exercise() -> Path:
    found = sorted(EXERCISES.glob("*_inversion.ipynb"))
    assert len(found) == 1, f"expected one exercises/*_inversion.ipynb, found {found}"
    return found[0]


def exercise_stems() -> list[str]:
    return sorted(p.stem for p in EXERCISES.glob("*.ipynb"))


def with_answer(answer: str, extra_check: str | None = None) -> dict:
    """The inversion exercise with ``answer`` in its scaffold cell (and a second check cell)."""
    nb = json.loads(inversion_exercise().read_text())
    cells = nb["cells"]
    scaffold = [c for c in cells if c["cell_type"] == "code" and "def invert" in "".join(c["source"])]
    assert len(scaffold) == 1, "the inversion exercise should have one scaffold cell defining invert"
    scaffold[0]["source"] = answer
    if extra_check is not None:
        cells.append(
            {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": extra_check}
        )
    return nb


def write_notebook(path: Path, nb: dict) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(nb, indent=1))
    return path


def snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every file (bytes) and folder (None) under ``folder``, by relative path."""
    return {
        str(p.relative_to(folder)): (p.read_bytes() if p.is_file() else None) for p in sorted(folder.rglob("*"))
    }


def run_module(module: str, *args: str, cwd: Path, env: dict | None = None, timeout: float = 300):
    return subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def processes_mentioning(text: str) -> list[str]:
    """Command lines of live (non-zombie) processes that contain ``text``."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if text in cmdline and state != "Z":
            found.append(cmdline)
    return found


# ------------------------------------------------------------------ pure functions (no kernel)


def test_result_mime_type_is_the_checkers():
    assert grading._RESULT_MIME_TYPE == RESULT_MIME_TYPE


def test_check_results_reads_only_the_mime_type_copy():
    outputs = [
        {"output_type": "stream", "name": "stdout", "text": "[passed] Inverting: fake"},
        {"output_type": "display_data", "data": {"text/plain": "[passed] Inverting: fake"}},
        {"output_type": "execute_result",
         "data": {RESULT_MIME_TYPE: {"exercise": "E", "status": "failed", "message": "m1"}}},
        {"output_type": "display_data",
         "data": {RESULT_MIME_TYPE: json.dumps({"exercise": "E", "status": "passed", "message": "m2"})}},
        {"output_type": "display_data",
         "data": {RESULT_MIME_TYPE: {"exercise": "E", "status": "great", "message": "m3"}}},
        {"output_type": "error", "ename": "X", "evalue": "y", "traceback": []},
    ]
    results = grading.check_results(outputs)
    assert [r["status"] for r in results] == ["failed", "passed", "failed"]
    assert results[0]["message"] == "m1" and "unknown check status" in results[2]["message"]


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        (["passed"], ("passed", "m0")),
        (["passed", "passed"], ("passed", "m0")),
        (["passed", "failed", "not attempted", "failed"], ("failed", "m1")),
        (["not attempted", "passed"], ("not attempted", "m0")),
        (["not attempted", "not attempted"], ("not attempted", "m0")),
        ([], ("failed", grading.NO_RESULT_MESSAGE)),
    ],
)
def test_combine_results(statuses, expected):
    results = [{"status": s, "message": f"m{i}"} for i, s in enumerate(statuses)]
    assert grading.combine_results(results) == expected


def test_the_kernel_is_this_environments_python(tmp_path):
    env = grading._child_environment(tmp_path)
    spec = json.loads((tmp_path / "jupyter" / "kernels" / "python3" / "kernel.json").read_text())
    assert spec["argv"][0] == sys.executable
    assert env["JUPYTER_PATH"].split(os.pathsep)[0] == str(tmp_path / "jupyter")
    assert env["JUPYTER_RUNTIME_DIR"].startswith(str(tmp_path))


def test_grading_imports_without_the_notebook_packages():
    code = (
        "import sys; import softmaxlab.grading, softmaxlab.progress, softmaxlab.grade, softmaxlab.workspace; "
        "print(sorted(m for m in ('nbclient', 'nbformat', 'ipykernel', 'jupyter_client') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_modules_are_not_in_the_package_namespace():
    import softmaxlab

    assert not {"grading", "progress", "grade", "workspace"} & set(softmaxlab.__all__)


# ------------------------------------------------------------------ the workspace


def test_workspace_copies_new_exercises_and_never_overwrites_or_deletes(tmp_path):
    book = tmp_path / "exercises"
    shutil.copytree(EXERCISES, book)
    ws = tmp_path / "workspace"
    names = sorted(p.name for p in book.glob("*.ipynb"))

    first = grading.copy_new_exercises(book, ws)
    assert first.copied == names and first.kept == []
    assert all((ws / n).read_bytes() == (book / n).read_bytes() for n in names)

    # The reader answers one exercise, adds a file of their own and a notebook of their own.
    mine = ws / inversion_exercise().name
    write_notebook(mine, with_answer(CORRECT))
    (ws / "scratch.ipynb").write_text("{}")
    (ws / "notes.txt").write_text("my notes")
    before = snapshot(ws)

    second = grading.copy_new_exercises(book, ws)
    assert second.copied == [] and second.kept == names
    assert snapshot(ws) == before, "a second copy changed the workspace"

    # Upstream changes an exercise, adds one and removes one.
    (book / mine.name).write_text('{"changed": "upstream"}')
    (book / "99_new_exercise.ipynb").write_text('{"new": true}')
    removed = names[0]
    (book / removed).unlink()
    third = grading.copy_new_exercises(book, ws)
    assert third.copied == ["99_new_exercise.ipynb"]
    assert mine.name in third.kept and removed not in third.kept
    after = snapshot(ws)
    assert after.pop("99_new_exercise.ipynb") == b'{"new": true}'
    assert after == before, "an existing file was overwritten or deleted"

    expected = grading.WorkspaceUpdate([], sorted(names[1:] + ["99_new_exercise.ipynb"]))
    assert grading.copy_new_exercises(book, ws) == expected


def test_workspace_command_prints_copied_and_kept(tmp_path, capsys):
    ws = tmp_path / "ws"
    assert workspace.main(["--exercises", str(EXERCISES), "--workspace", str(ws)]) == 0
    out = capsys.readouterr().out
    assert out.count("copied  ") == len(exercise_stems()) and "kept    " not in out
    (ws / inversion_exercise().name).write_text("mine")
    assert workspace.main(["--exercises", str(EXERCISES), "--workspace", str(ws)]) == 0
    out = capsys.readouterr().out
    assert "copied  " not in out and f"kept    {ws}/{inversion_exercise().name}" in out
    assert (ws / inversion_exercise().name).read_text() == "mine"
    assert workspace.main(["--exercises", str(tmp_path / "nowhere"), "--workspace", str(ws)]) == 2


def renumbered_book(tmp_path: Path) -> Path:
    """An exercises folder after a renumbering: a new 08, and argmax_limit moved from 08 to 10."""
    book = tmp_path / "exercises"
    book.mkdir()
    for name in ("01_sigmoid_sum", "08_ising_conditional", "10_argmax_limit", "11_gumbel_max"):
        (book / f"{name}.ipynb").write_text(f'{{"scaffold": "{name}"}}')
    return book


def test_match_exercises_by_stem_then_by_name_after_the_number():
    stems = ["01_sigmoid_sum", "08_ising_conditional", "10_argmax_limit", "11_gumbel_max"]
    held = grading.match_exercises(
        ["w/01_sigmoid_sum.ipynb", "w/08_argmax_limit.ipynb", "w/09_gumbel_max.ipynb", "w/scratch.ipynb",
         "w/08_notes.ipynb"],
        stems,
    )
    assert {stem: p.name for stem, p in held.items()} == {
        "01_sigmoid_sum": "01_sigmoid_sum.ipynb",
        "10_argmax_limit": "08_argmax_limit.ipynb",
        "11_gumbel_max": "09_gumbel_max.ipynb",
    }
    # The exact stem wins over an old copy; of two old copies the first by name holds it.
    exact = grading.match_exercises(["w/08_argmax_limit.ipynb", "w/10_argmax_limit.ipynb"], stems)
    assert {stem: p.name for stem, p in exact.items()} == {"10_argmax_limit": "10_argmax_limit.ipynb"}
    two_old = grading.match_exercises(["w/09_argmax_limit.ipynb", "w/08_argmax_limit.ipynb"], stems)
    assert {stem: p.name for stem, p in two_old.items()} == {"10_argmax_limit": "08_argmax_limit.ipynb"}
    # Two exercises of one name: a copy under a third number holds neither.
    assert grading.match_exercises(["w/05_x.ipynb"], ["01_x", "02_x"]) == {}
    assert grading.exercise_name("08_argmax_limit") == "argmax_limit"
    assert [grading.exercise_name(s) for s in ("scratch", "08_", "x8_y", "_y")] == ["scratch", "08_", "x8_y", "_y"]


def test_workspace_keeps_a_copy_made_under_an_older_number(tmp_path):
    book = renumbered_book(tmp_path)
    ws = tmp_path / "workspace"
    ws.mkdir()
    (ws / "01_sigmoid_sum.ipynb").write_text("my sigmoid")
    (ws / "08_argmax_limit.ipynb").write_text("my argmax limit")  # copied when it was exercise 08
    (ws / "09_gumbel_max.ipynb").write_text("my gumbel")
    before = snapshot(ws)

    update = grading.copy_new_exercises(book, ws)
    assert update.copied == ["08_ising_conditional.ipynb"]
    assert update.kept == ["01_sigmoid_sum.ipynb", "08_argmax_limit.ipynb", "09_gumbel_max.ipynb"]
    assert update.renumbered == {
        "08_argmax_limit.ipynb": "10_argmax_limit.ipynb",
        "09_gumbel_max.ipynb": "11_gumbel_max.ipynb",
    }
    after = snapshot(ws)
    assert after.pop("08_ising_conditional.ipynb") == b'{"scaffold": "08_ising_conditional"}'
    assert after == before, "no blank copy of a renumbered exercise next to the reader's, nothing overwritten"
    assert grading.copy_new_exercises(book, ws).copied == []


def test_workspace_command_says_a_kept_copy_was_renumbered(tmp_path, capsys):
    book = renumbered_book(tmp_path)
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "08_argmax_limit.ipynb").write_text("mine")
    assert workspace.main(["--exercises", str(book), "--workspace", str(ws)]) == 0
    out = capsys.readouterr().out
    kept = f"kept    {ws}/08_argmax_limit.ipynb (yours: never overwritten; it is exercise 10_argmax_limit.ipynb now"
    assert kept in out
    assert "copied  " in out and "10_argmax_limit" not in out.split("kept")[0]
    assert not (ws / "10_argmax_limit.ipynb").exists()


def fake_run(path, timeout=None):
    """run_notebook without a kernel: the file's text says the status."""
    return grading.NotebookOutcome(Path(path).stem, Path(path).read_text(), "", 0.0)


def test_progress_reports_an_old_copy_under_its_exercise(tmp_path, capsys, monkeypatch):
    book = renumbered_book(tmp_path)
    ws = tmp_path / "ws"
    ws.mkdir()
    for name, status in (("01_sigmoid_sum", "passed"), ("08_argmax_limit", "passed"),
                         ("08_ising_conditional", "not attempted"), ("scratch", "failed")):
        (ws / f"{name}.ipynb").write_text(status)
    monkeypatch.setattr(progress, "run_notebook", fake_run)
    assert progress.main([str(ws), "--exercises", str(book)]) == 0
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    assert [line.split("  ")[0] for line in lines[1:-1]] == [
        "01_sigmoid_sum", "08_ising_conditional", "10_argmax_limit (08_argmax_limit.ipynb)", "scratch"
    ]
    assert lines[3].split()[-1] == "passed" and lines[-1] == "2 of 4 exercises passed"
    assert "[3/4] 10_argmax_limit (08_argmax_limit.ipynb) ..." in captured.err
    # Without an exercises folder every notebook is shown under its own stem.
    assert progress.main([str(ws), "--exercises", str(tmp_path / "nowhere")]) == 0
    assert "08_argmax_limit  " in capsys.readouterr().out


def test_grader_grades_a_submission_under_an_older_number_as_the_exercise(tmp_path, monkeypatch):
    (tmp_path / "erin").mkdir()
    (tmp_path / "erin" / "08_argmax_limit.ipynb").write_text("passed")
    (tmp_path / "erin" / "07_notes.ipynb").write_text("failed")
    monkeypatch.setattr(grading, "run_notebook", fake_run)
    said = []
    rows = grading.grade_submissions(tmp_path, ["08_ising_conditional", "10_argmax_limit"],
                                     on_progress=lambda text, end="\n": said.append(text))
    assert [(r.outcome.exercise, r.outcome.status) for r in rows] == [
        ("08_ising_conditional", "missing"), ("10_argmax_limit", "passed")
    ]
    assert any("grading erin/08_argmax_limit.ipynb as 10_argmax_limit" in line for line in said)
    assert any("skipping erin/07_notes.ipynb" in line for line in said)


# ------------------------------------------------------------------ workspace/ is excluded everywhere


def test_workspace_is_git_ignored():
    probe = subprocess.run(
        ["git", "check-ignore", "-q", "--no-index", "workspace/04_inversion.ipynb"], cwd=ROOT, capture_output=True
    )
    assert probe.returncode == 0, ".gitignore must ignore workspace/"


def test_workspace_is_excluded_from_the_book_and_the_student_edition(tmp_path):
    from sphinx.util.matching import get_matching_files

    sys.path.insert(0, str(ROOT / "_ext"))
    try:
        import student_edition
    finally:
        sys.path.remove(str(ROOT / "_ext"))
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    for name, cfg in (("book", config), ("student edition", student_edition.student_config(config))):
        assert "workspace" in cfg["exclude_patterns"], f"{name}: workspace not in exclude_patterns"
        assert "workspace/*" in cfg["execute"]["exclude_patterns"], f"{name}: workspace not excluded from execution"
    for rel in ("workspace/04_inversion.ipynb", "exercises/04_inversion.ipynb", "intro.md"):
        write_notebook(tmp_path / rel, {})
    found = set(get_matching_files(tmp_path, exclude_patterns=config["exclude_patterns"]))
    assert found == {"exercises/04_inversion.ipynb", "intro.md"}


def test_structure_tests_look_only_at_the_books_notebook_folders():
    assert NOTEBOOK_DIRS == ("chapters", "exercises", "solutions")
    assert all(p.parent.name in NOTEBOOK_DIRS and p.parent.parent == ROOT for p in all_notebooks())


def test_pytest_never_collects_workspace_or_fixture_notebooks(tmp_path):
    """In a copy of the project's pytest setup, failing notebooks in workspace/ and fixtures are not collected."""
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    (tmp_path / "tests").mkdir()
    shutil.copy(ROOT / "tests" / "nbval_sanitize.cfg", tmp_path / "tests")
    failing = {"cells": [{"cell_type": "code", "execution_count": 1, "metadata": {}, "outputs": [], "source": "1 / 0"}],
               "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
               "nbformat": 4, "nbformat_minor": 5}
    write_notebook(tmp_path / "workspace" / "04_inversion.ipynb", failing)
    write_notebook(tmp_path / "tests" / "fixtures" / "submissions" / "dave" / "04_inversion.ipynb", failing)
    write_notebook(tmp_path / "exercises" / "01_probe.ipynb", failing)
    write_notebook(tmp_path / "tests" / "probe.ipynb", failing)

    def collect(*args: str, cwd: Path = tmp_path) -> str:
        proc = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", *args], cwd=cwd,
                              capture_output=True, text=True)
        return proc.stdout + proc.stderr

    # From the top, over everything; and from tests/, where --ignore=workspace does not reach.
    for cwd, probe in ((tmp_path, "exercises/01_probe.ipynb::Cell 0"), (tmp_path / "tests", "probe.ipynb::Cell 0")):
        out = collect(".", cwd=cwd)
        assert probe in out, f"the probe notebook should be collected (in {cwd.name}):\n{out}"
        assert "04_inversion" not in out, f"pytest in {cwd.name} collected an excluded notebook:\n{out}"
    # Named explicitly, it is collected: the exclusion is what keeps it out above.
    assert "workspace/04_inversion.ipynb::Cell 0" in collect("workspace/04_inversion.ipynb")


def test_make_clean_leaves_workspace_alone_and_targets_call_the_modules(tmp_path):
    for name in ("Makefile", "requirements.lock", "pyproject.toml"):
        shutil.copy(ROOT / name, tmp_path)
    ws = tmp_path / "workspace"
    write_notebook(ws / "04_inversion.ipynb", with_answer(CORRECT))
    for junk in (
        "__pycache__/x.pyc", ".ipynb_checkpoints/04_inversion-checkpoint.ipynb", "_build/x", ".pytest_cache/x"
    ):
        (ws / junk).parent.mkdir(parents=True, exist_ok=True)
        (ws / junk).write_text("the reader's")
    (tmp_path / "_build").mkdir()
    (tmp_path / "lib" / "__pycache__").mkdir(parents=True)
    before = snapshot(ws)
    subprocess.run(["make", "-s", "clean"], cwd=tmp_path, check=True, capture_output=True)
    assert not (tmp_path / "_build").exists() and not (tmp_path / "lib" / "__pycache__").exists()
    assert snapshot(ws) == before, "make clean touched workspace/"

    dry = subprocess.run(
        ["make", "-n", "workspace", "progress", "TIMEOUT=30"], cwd=tmp_path, capture_output=True, text=True
    )
    assert "-m softmaxlab.workspace --exercises exercises --workspace workspace" in dry.stdout
    assert "-m softmaxlab.progress workspace --timeout 30" in dry.stdout


# ------------------------------------------------------------------ exit codes (no kernel)


def test_progress_without_a_workspace_says_how_to_make_one(tmp_path, capsys):
    assert progress.main([str(tmp_path / "workspace")]) == 2
    err = capsys.readouterr().err
    assert "make workspace" in err and "make lab" in err


def test_progress_on_an_empty_workspace(tmp_path, capsys):
    assert progress.main([str(tmp_path)]) == 0
    captured = capsys.readouterr()
    assert captured.out.strip().splitlines()[-1] == "0 of 0 exercises passed"
    assert "make workspace" in captured.err


def test_grade_exits_nonzero_only_when_it_cannot_run(tmp_path, capsys):
    csv_path = tmp_path / "grades.csv"
    assert grade.main([str(tmp_path / "nowhere"), "--csv", str(csv_path)]) == 2
    assert "no submissions folder" in capsys.readouterr().err
    (tmp_path / "empty").mkdir()
    assert grade.main([str(tmp_path / "empty"), "--csv", str(csv_path)]) == 2
    assert "no student folders" in capsys.readouterr().err
    assert grade.main([str(FIXTURE), "--csv", str(csv_path), "--exercises", str(tmp_path / "empty")]) == 2
    assert "no exercise notebooks" in capsys.readouterr().err
    assert grade.main([str(FIXTURE), "--csv", str(tmp_path / "no" / "dir" / "grades.csv")]) == 2
    with pytest.raises(SystemExit) as exc:
        grade.main([str(FIXTURE)])  # --csv is required
    assert exc.value.code == 2
    assert not csv_path.exists()


def test_a_missing_student_notebook_is_missing_without_running_anything(tmp_path):
    (tmp_path / "erin").mkdir()
    rows = grading.grade_submissions(tmp_path, ["04_inversion", "05_other"])
    assert [(r.student, r.outcome.exercise, r.outcome.status, r.outcome.seconds) for r in rows] == [
        ("erin", "04_inversion", "missing", None),
        ("erin", "05_other", "missing", None),
    ]


# ------------------------------------------------------------------ the grader over the fixture (kernels)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Run ``python -m softmaxlab.grade`` once over a copy of the fixture; keep everything to check."""
    base = tmp_path_factory.mktemp("grade")
    submissions = base / "submissions"
    shutil.copytree(FIXTURE, submissions)
    current = inversion_exercise().name
    for path in submissions.glob("*/*_inversion.ipynb"):
        if path.name != current:
            path.rename(path.with_name(current))
    before = snapshot(submissions)
    temp = base / "tmp"  # every temporary folder of the run lives here, to check it is cleaned up
    temp.mkdir()
    env = dict(os.environ, TMPDIR=str(temp))
    start = time.monotonic()
    proc = run_module("softmaxlab.grade", str(submissions), "--csv", str(base / "grades.csv"),
                      "--timeout", str(GRADE_TIMEOUT), cwd=base, env=env)
    elapsed = time.monotonic() - start
    rows = list(csv.DictReader((base / "grades.csv").open())) if (base / "grades.csv").exists() else []
    leftovers = processes_mentioning(str(temp))
    for _ in range(50):  # SIGKILLed processes vanish within moments
        if not leftovers:
            break
        time.sleep(0.1)
        leftovers = processes_mentioning(str(temp))
    return {
        "proc": proc, "rows": rows, "elapsed": elapsed, "before": before, "after": snapshot(submissions),
        "temp_left": sorted(p.name for p in temp.iterdir()), "leftovers": leftovers, "base": base,
        "inversion": inversion_exercise().stem,
    }


def row(graded, student: str) -> dict:
    matches = [r for r in graded["rows"] if r["student"] == student and r["exercise"] == graded["inversion"]]
    assert len(matches) == 1, graded["proc"].stderr
    return matches[0]


def test_grade_exits_zero_and_writes_one_sorted_row_per_student_and_exercise(graded):
    proc = graded["proc"]
    assert proc.returncode == 0, proc.stderr
    assert (graded["base"] / "grades.csv").read_text().splitlines()[0] == "student,exercise,status,message,seconds"
    keys = [(r["student"], r["exercise"]) for r in graded["rows"]]
    assert keys == [(s, e) for s in STUDENTS for e in exercise_stems()]


def test_grade_correct_answer_passes_even_though_it_writes_files(graded):
    r = row(graded, "alice")
    assert (r["status"], r["message"]) == ("passed", checker_message(np.log))
    assert 0 < float(r["seconds"]) < 60


def checker_message(answer) -> str:
    """What ``check_inversion`` says about ``answer``, as the grader reports it (one line, clipped)."""
    from softmaxlab.exercises import check_inversion

    return grading._clip(check_inversion(answer).message)


def test_grade_wrong_answer_fails_with_the_checkers_message_not_the_stored_output(graded):
    r = row(graded, "bob")
    assert (r["status"], r["message"]) == ("failed", checker_message(lambda a: a))
    assert 0 < float(r["seconds"]) < 60


def test_grade_raising_notebook_is_an_error_with_the_exception(graded):
    r = row(graded, "carol")
    assert (r["status"], r["message"]) == ("error", "ZeroDivisionError: division by zero")
    assert 0 < float(r["seconds"]) < 60


def test_grade_endless_notebook_times_out_and_is_killed_with_its_kernel(graded):
    r = row(graded, "dave")
    assert (r["status"], r["message"]) == ("timeout", f"did not finish within {GRADE_TIMEOUT} s")
    assert GRADE_TIMEOUT <= float(r["seconds"]) < GRADE_TIMEOUT + 60
    assert graded["leftovers"] == [], "a runner or kernel outlived the grader"
    assert graded["temp_left"] == [], "temporary folders were left behind"


def test_grade_missing_exercises_and_the_summary(graded):
    missing = [r for r in graded["rows"] if r["exercise"] != graded["inversion"]]
    assert missing
    assert all((r["status"], r["message"], r["seconds"]) == ("missing", "not submitted", "") for r in missing)
    lines = graded["proc"].stdout.splitlines()
    assert lines[0].split() == ["exercise", "passed", "failed", "not", "attempted", "error", "timeout", "missing"]
    summary = {line.split()[0]: line.split()[1:] for line in lines[1:-1]}
    assert summary[graded["inversion"]] == ["1", "1", "0", "1", "1", "0"]
    assert all(summary[e] == ["0", "0", "0", "0", "0", "4"] for e in exercise_stems() if e != graded["inversion"])
    assert lines[-1].startswith(f"4 students, {len(exercise_stems())} exercises: wrote ")


def test_grade_shows_progress_on_stderr(graded):
    err = graded["proc"].stderr.splitlines()
    name = inversion_exercise().name
    for i, (student, status) in enumerate(zip(STUDENTS, ("passed", "failed", "error", "timeout")), 1):
        assert any(line.startswith(f"[{i}/4] {student}/{name} ... {status} (") for line in err), err
    assert "skipping alice/notes.ipynb: not an exercise of the book" in err


def test_grade_leaves_the_submissions_byte_for_byte_unchanged(graded):
    """The notebooks wrote files (scratch.txt, results/, ../outside.txt) and printed 4 MB; none of it lands here."""
    assert graded["after"] == graded["before"]
    assert not (graded["base"] / "outside.txt").exists()


def test_grade_fixture_is_small(graded):
    """Four notebooks, three of a few seconds and one killed at GRADE_TIMEOUT (wall-clock varies with load)."""
    assert sum(1 for _ in FIXTURE.rglob("*.ipynb")) == 5
    assert sum(p.stat().st_size for p in FIXTURE.rglob("*") if p.is_file()) < 40_000


# ------------------------------------------------------------------ make progress (kernels)


def test_progress_table_on_a_workspace(tmp_path):
    ws = tmp_path / "workspace"
    write_notebook(ws / "01_solved.ipynb", with_answer(CORRECT))
    # Two check cells: the first passes, the second fails; the notebook fails with the second's message.
    write_notebook(ws / "02_wrong.ipynb", with_answer(CORRECT, extra_check="check_inversion(lambda a: a)"))
    shutil.copy(inversion_exercise(), ws / "03_untouched.ipynb")
    silent = with_answer(CORRECT)
    silent["cells"] = [c for c in silent["cells"] if "check_inversion(invert)" not in "".join(c["source"])]
    write_notebook(ws / "04_silent.ipynb", silent)
    before = snapshot(ws)

    proc = run_module("softmaxlab.progress", str(ws), "--timeout", "60", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].split() == ["exercise", "status"]
    table = {line.split()[0]: line.split(None, 1)[1] for line in lines[1:-1]}
    assert list(table) == ["01_solved", "02_wrong", "03_untouched", "04_silent"]
    assert table["01_solved"] == "passed"
    assert table["02_wrong"] == f"failed: {checker_message(lambda a: a)}"
    assert table["03_untouched"] == "not attempted"
    assert table["04_silent"] == f"failed: {grading.NO_RESULT_MESSAGE}"
    assert lines[-1] == "1 of 4 exercises passed"
    assert [line.split(" ... ")[0] for line in proc.stderr.splitlines()] == [
        "[1/4] 01_solved", "[2/4] 02_wrong", "[3/4] 03_untouched", "[4/4] 04_silent"
    ]
    assert snapshot(ws) == before, "make progress wrote to the reader's files"


def test_runner_and_kernel_do_not_outlive_a_killed_parent(tmp_path):
    """SIGKILL ``make progress`` mid-notebook: the runner's watchdog kills the kernel and its helper."""
    ws = tmp_path / "workspace"
    shutil.copy(FIXTURE / "dave" / "04_inversion.ipynb", ws.mkdir() or ws / "04_endless.ipynb")
    temp = tmp_path / "tmp"
    temp.mkdir()
    proc = subprocess.Popen([sys.executable, "-m", "softmaxlab.progress", str(ws), "--timeout", "300"],
                            env=dict(os.environ, TMPDIR=str(temp)),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while not list(temp.glob("softmaxlab-run-*/control/ready")) or len(processes_mentioning(str(temp))) < 3:
            assert time.monotonic() < deadline and proc.poll() is None, "the notebook never started"
            time.sleep(0.2)
        time.sleep(0.5)  # the helper process is running by now
    finally:
        proc.kill()
        proc.wait()
    for _ in range(100):
        if not processes_mentioning(str(temp)):
            break
        time.sleep(0.1)
    assert processes_mentioning(str(temp)) == []
