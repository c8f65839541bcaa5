"""Run exercise notebooks headless and read their check results: the reader's workspace and the grader.

One module holds everything ``make workspace``, ``make progress``
(:mod:`softmaxlab.progress`) and the instructors' grader
(:mod:`softmaxlab.grade`) share:

- :func:`copy_new_exercises` fills the reader's ``workspace/`` with copies of
  the exercise notebooks it does not hold yet, and never overwrites or deletes
  anything already there;
- :func:`match_exercises` tells which exercise a notebook holds: the one with
  its file stem, or else the one with the same name after the number (the
  exercises are numbered in chapter order, and a new chapter's exercise
  renumbers the later ones: ``08_argmax_limit.ipynb`` copied before that is
  still the reader's ``10_argmax_limit``);
- :func:`run_notebook` executes one notebook in a fresh kernel, on a temporary
  copy in a temporary directory, in its own subprocess and process group, and
  kills all of it (the kernel included) when the timeout expires;
- :func:`check_results` and :func:`combine_results` read the machine-readable
  copies of the check results (MIME type
  ``softmaxlab.exercises.RESULT_MIME_TYPE``) from the outputs and turn them
  into one status per notebook: nothing is read from the displayed text;
- :func:`grade_submissions`, :func:`write_grades_csv`, :func:`progress_table`
  and :func:`summary_table` do the bookkeeping and the printing.

Statuses of a notebook (:class:`NotebookOutcome`): ``"passed"`` (every check
in it passed), ``"failed"`` (the first failed check's message; also a notebook
that ran but printed no check result), ``"not attempted"`` (no check failed
and at least one is still the scaffold), ``"error"`` (a cell raised: the
exception's name and message), ``"timeout"``, and, for the grader only,
``"missing"`` (the student did not submit that exercise).

Running notebooks needs ``nbclient``, ``nbformat`` and ``ipykernel``, which are
in the book's environment but not among softmaxlab's own dependencies; they are
imported inside the functions that use them. The kernel is always the current
Python environment's (``sys.executable``), so ``softmaxlab`` is importable in
it.

The isolation protects the reader's files, the submissions folder and the
other notebooks from accidents (an exception, an endless loop, megabytes of
output, files written to the working directory); it is not a sandbox against
code written to do harm, which runs with the rights of whoever grades.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

__all__ = [
    "STATUSES",
    "DEFAULT_TIMEOUT",
    "NotebookOutcome",
    "WorkspaceUpdate",
    "GradeRow",
    "copy_new_exercises",
    "exercise_notebooks",
    "exercise_name",
    "match_exercises",
    "check_results",
    "combine_results",
    "run_notebook",
    "describe",
    "progress_table",
    "grade_submissions",
    "write_grades_csv",
    "summary_table",
]

#: Every status a notebook can end with, in the order the summaries list them.
STATUSES = ("passed", "failed", "not attempted", "error", "timeout", "missing")

#: Seconds a notebook's cells may run (from the moment its kernel is ready) before it is killed.
DEFAULT_TIMEOUT = 120.0

# Copied here rather than imported, so that this module imports without numpy
# (softmaxlab.exercises imports it); tests/test_grading.py checks both agree.
_RESULT_MIME_TYPE = "application/vnd.softmaxlab.check-result+json"
_CHECK_STATUSES = ("passed", "failed", "not attempted")

_MAX_MESSAGE = 500  # characters kept of any message (checker's or exception's)
_MAX_RESULTS = 1000  # check results kept per notebook
_STARTUP_LIMIT = 60.0  # seconds to start the runner and the kernel, not counted in the timeout
NO_RESULT_MESSAGE = "the notebook ran, but its check cell printed no result"


def _clip(text: str, limit: int = _MAX_MESSAGE) -> str:
    """One line, at most ``limit`` characters.

    Examples
    --------
    >>> _clip("two\\n  lines")
    'two lines'
    >>> _clip("x" * 20, limit=10)
    'xxxxxxxxx…'
    """
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


# ------------------------------------------------------------------ the reader's workspace


@dataclass(frozen=True)
class WorkspaceUpdate:
    """What :func:`copy_new_exercises` did: file names copied and file names kept.

    Attributes
    ----------
    copied : list of str
        Exercise notebooks the workspace did not hold, now copied into it.
    kept : list of str
        Exercise notebooks the workspace already held, left exactly as they
        were (the workspace's file names).
    renumbered : dict of str to str
        Among ``kept``, the copies held under an older number: workspace file
        name to the exercise's file name now (``{"08_argmax_limit.ipynb":
        "10_argmax_limit.ipynb"}``).
    """

    copied: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    renumbered: dict[str, str] = field(default_factory=dict)


def exercise_notebooks(folder: str | os.PathLike[str]) -> list[Path]:
    """The notebooks directly inside ``folder``, sorted by name.

    Subfolders (``.ipynb_checkpoints`` among them) and hidden files are not looked at.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from softmaxlab.grading import exercise_notebooks
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     for name in ("02_b.ipynb", "01_a.ipynb", ".hidden.ipynb", "notes.txt"):
    ...         _ = (Path(tmp) / name).write_text("{}")
    ...     [p.name for p in exercise_notebooks(tmp)]
    ['01_a.ipynb', '02_b.ipynb']
    """
    folder = Path(folder)
    return sorted(p for p in folder.glob("*.ipynb") if p.is_file() and not p.name.startswith("."))


def exercise_name(stem: str) -> str:
    """An exercise's name: a notebook's file stem without its leading number.

    Examples
    --------
    >>> from softmaxlab.grading import exercise_name
    >>> exercise_name("08_argmax_limit"), exercise_name("10_argmax_limit"), exercise_name("scratch")
    ('argmax_limit', 'argmax_limit', 'scratch')
    """
    number, sep, name = stem.partition("_")
    return name if sep and number.isdigit() and name else stem


def match_exercises(notebooks: Iterable[str | os.PathLike[str]], exercises: Iterable[str]) -> dict[str, Path]:
    """Which notebook holds which exercise: the same file stem, or else the same name after the number.

    The exercises are numbered in chapter order, so an exercise added to an
    early chapter renumbers the later ones; a reader's copy made before keeps
    its old number. A notebook whose stem is an exercise's holds that exercise;
    one whose name after the number (:func:`exercise_name`) is an exercise's
    holds it when no notebook has that exercise's exact stem. Of two old copies
    of one exercise, the first by name holds it.

    Parameters
    ----------
    notebooks : iterable of path
        The notebooks to match (their file stems are read, nothing else).
    exercises : iterable of str
        The exercises' file stems now, e.g. ``"10_argmax_limit"``.

    Returns
    -------
    dict of str to Path
        Exercise stem to the notebook holding it; exercises no notebook holds
        are absent, and so are notebooks holding no exercise.

    Examples
    --------
    >>> from softmaxlab.grading import match_exercises
    >>> held = match_exercises(["ws/08_argmax_limit.ipynb", "ws/01_sigmoid_sum.ipynb", "ws/scratch.ipynb"],
    ...                        ["01_sigmoid_sum", "08_ising_conditional", "10_argmax_limit"])
    >>> {stem: path.name for stem, path in sorted(held.items())}
    {'01_sigmoid_sum': '01_sigmoid_sum.ipynb', '10_argmax_limit': '08_argmax_limit.ipynb'}
    """
    paths = sorted(Path(p) for p in notebooks)
    stems = sorted(set(exercises))
    by_name: dict[str, list[str]] = {}
    for stem in stems:
        by_name.setdefault(exercise_name(stem), []).append(stem)
    held = {p.stem: p for p in paths if p.stem in stems}
    for path in paths:
        if path.stem in stems:
            continue
        candidates = by_name.get(exercise_name(path.stem), [])
        if len(candidates) == 1 and candidates[0] not in held:  # two exercises of one name: no guessing
            held[candidates[0]] = path
    return held


def copy_new_exercises(exercises: str | os.PathLike[str], workspace: str | os.PathLike[str]) -> WorkspaceUpdate:
    """Copy into ``workspace`` every exercise notebook it does not hold yet (``make workspace``).

    Creates ``workspace`` if needed. A file already in the workspace is never
    overwritten, even if it differs from the exercise (it holds the reader's
    answers), and nothing is ever deleted: files the reader added stay, and so
    do copies of exercises that were later removed upstream. Each new copy is
    created exclusively (``open(..., "xb")``), so even a file that appears
    while this runs is not overwritten. Calling it twice is harmless. A copy
    made before the exercises were renumbered (same name after the number,
    :func:`match_exercises`) is the reader's copy of that exercise: kept, and
    no second blank copy is made next to it.

    Parameters
    ----------
    exercises : path
        The book's ``exercises/`` folder.
    workspace : path
        The reader's ``workspace/`` folder.

    Returns
    -------
    WorkspaceUpdate
        The names copied and the names kept.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from softmaxlab.grading import copy_new_exercises
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     book, mine = Path(tmp) / "exercises", Path(tmp) / "workspace"
    ...     book.mkdir()
    ...     _ = (book / "01_a.ipynb").write_text("scaffold a")
    ...     print(copy_new_exercises(book, mine))
    ...     _ = (mine / "01_a.ipynb").write_text("my answer")
    ...     _ = (book / "02_b.ipynb").write_text("scaffold b")   # a new exercise upstream
    ...     print(copy_new_exercises(book, mine))
    ...     print((mine / "01_a.ipynb").read_text())
    ...     _ = (book / "02_b.ipynb").rename(book / "03_b.ipynb")   # renumbered upstream
    ...     print(copy_new_exercises(book, mine))
    WorkspaceUpdate(copied=['01_a.ipynb'], kept=[], renumbered={})
    WorkspaceUpdate(copied=['02_b.ipynb'], kept=['01_a.ipynb'], renumbered={})
    my answer
    WorkspaceUpdate(copied=[], kept=['01_a.ipynb', '02_b.ipynb'], renumbered={'02_b.ipynb': '03_b.ipynb'})
    """
    exercises, workspace = Path(exercises), Path(workspace)
    if not exercises.is_dir():
        raise FileNotFoundError(f"no exercises folder at {exercises}")
    workspace.mkdir(parents=True, exist_ok=True)
    update = WorkspaceUpdate()
    sources = exercise_notebooks(exercises)
    held = match_exercises(exercise_notebooks(workspace), [source.stem for source in sources])
    for source in sources:
        target = workspace / source.name
        if source.stem in held and held[source.stem].name != source.name:
            update.kept.append(held[source.stem].name)
            update.renumbered[held[source.stem].name] = source.name
            continue
        if target.exists() or target.is_symlink():
            update.kept.append(source.name)
            continue
        data = source.read_bytes()
        try:
            with open(target, "xb") as out:
                try:
                    out.write(data)
                except BaseException:
                    out.close()
                    target.unlink()  # only a file this call created, never a reader's
                    raise
        except FileExistsError:
            update.kept.append(source.name)
            continue
        update.copied.append(source.name)
    return update


# ------------------------------------------------------------------ reading results


def check_results(outputs: Iterable[Mapping[str, Any]]) -> list[dict[str, str]]:
    """The machine-readable check results among notebook outputs, in order.

    Only ``display_data`` and ``execute_result`` outputs carrying the MIME type
    ``softmaxlab.exercises.RESULT_MIME_TYPE`` count; their text and HTML
    are never read. An entry whose status is not one a checker gives is kept
    as a failure, so that it cannot pass unnoticed.

    Parameters
    ----------
    outputs : iterable of dict
        Outputs in nbformat's form (``{"output_type": ..., "data": {...}}``),
        e.g. every output of every code cell of a notebook.

    Returns
    -------
    list of dict
        ``{"exercise", "status", "message"}`` for each result.

    Examples
    --------
    >>> from softmaxlab.exercises import CheckResult, RESULT_MIME_TYPE
    >>> from softmaxlab.grading import check_results
    >>> shown = {"output_type": "execute_result",
    ...          "data": {"text/plain": "[passed] Demo: Fine.",
    ...                   RESULT_MIME_TYPE: CheckResult("Demo", "passed", "Fine.").to_json()}}
    >>> printed = {"output_type": "stream", "name": "stdout", "text": "[failed] Demo: fake"}
    >>> check_results([printed, shown])
    [{'exercise': 'Demo', 'status': 'passed', 'message': 'Fine.'}]
    """
    results = []
    for output in outputs:
        if output.get("output_type") not in ("display_data", "execute_result"):
            continue
        value = (output.get("data") or {}).get(_RESULT_MIME_TYPE)
        if value is None:
            continue
        if isinstance(value, str):  # some writers store JSON MIME data as text
            try:
                value = json.loads(value)
            except ValueError:
                value = None
        if not isinstance(value, Mapping):
            results.append({"exercise": "", "status": "failed", "message": "unreadable check result"})
            continue
        status = value.get("status")
        message = _clip(value.get("message", ""))
        if status not in _CHECK_STATUSES:
            status, message = "failed", f"unknown check status {_clip(repr(status), 60)}"
        results.append({"exercise": _clip(value.get("exercise", ""), 200), "status": status, "message": message})
    return results


def combine_results(results: Sequence[Mapping[str, str]]) -> tuple[str, str]:
    """One status and message for a notebook from all its check results.

    The notebook passed only if every result passed; if any failed, it failed
    with the first failure's message; otherwise (at least one check still the
    scaffold) it is not attempted, with the first such message. A notebook
    with no result at all failed: its check cell printed nothing.

    Examples
    --------
    >>> from softmaxlab.grading import combine_results
    >>> ok = {"status": "passed", "message": "Fine."}
    >>> todo = {"status": "not attempted", "message": "Replace the None."}
    >>> wrong = {"status": "failed", "message": "For x = 1 ..."}
    >>> combine_results([ok, ok])
    ('passed', 'Fine.')
    >>> combine_results([ok, todo, wrong, {"status": "failed", "message": "later"}])
    ('failed', 'For x = 1 ...')
    >>> combine_results([ok, todo])
    ('not attempted', 'Replace the None.')
    >>> combine_results([])
    ('failed', 'the notebook ran, but its check cell printed no result')
    """
    if not results:
        return "failed", NO_RESULT_MESSAGE
    for wanted in ("failed", "not attempted"):
        for result in results:
            if result["status"] == wanted:
                return wanted, result["message"]
    return "passed", results[0]["message"]


# ------------------------------------------------------------------ running one notebook


@dataclass(frozen=True)
class NotebookOutcome:
    """How one notebook ended.

    Attributes
    ----------
    exercise : str
        The notebook's file stem, e.g. ``"04_inversion"``.
    status : str
        One of :data:`STATUSES`.
    message : str
        The checker's message, the exception as ``"Name: message"``, or why
        there is no result; one line, at most a few hundred characters.
    seconds : float or None
        Wall-clock time of the run, kernel start included (None if not run).

    Examples
    --------
    >>> from softmaxlab.grading import NotebookOutcome
    >>> NotebookOutcome("04_inversion", "passed", "All good.", 2.5).passed
    True
    """

    exercise: str
    status: str
    message: str = ""
    seconds: float | None = None

    @property
    def passed(self) -> bool:
        """True when every check in the notebook passed."""
        return self.status == "passed"


def _child_environment(control: Path) -> dict[str, str]:
    """The runner's environment: this Python's kernel only, runtime files in ``control``."""
    env = dict(os.environ)
    kernels = control / "jupyter" / "kernels" / "python3"
    kernels.mkdir(parents=True)
    spec = {
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3",
        "language": "python",
    }
    (kernels / "kernel.json").write_text(json.dumps(spec))
    # JUPYTER_PATH comes first in Jupyter's search path: a python3 kernel of the
    # reader's own (~/.local/share/jupyter) cannot replace this environment's.
    env["JUPYTER_PATH"] = os.pathsep.join(filter(None, [str(control / "jupyter"), env.get("JUPYTER_PATH")]))
    env["JUPYTER_RUNTIME_DIR"] = str(control / "runtime")  # connection files die with the temp dir
    package_root = str(Path(__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_root, env.get("PYTHONPATH")]))
    env["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"
    return env


def _kill_group(pgid: int | None) -> None:
    """SIGKILL a process group this module started; quiet if it is already gone."""
    if pgid is None or pgid <= 1:
        return
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _wait(proc: subprocess.Popen, ready_file: Path, timeout: float, startup_limit: float) -> str:
    """Wait for the runner: ``""`` when it ended, ``"timeout"`` or ``"startup"`` when it ran out of time.

    The notebook's ``timeout`` counts from the moment its kernel is ready
    (``ready_file`` appears); starting the runner and the kernel has its own,
    larger limit, so a busy machine does not eat into the notebook's time.
    """
    start = time.monotonic()
    ready_at = None
    while True:
        try:
            proc.wait(timeout=0.1)
            return ""
        except subprocess.TimeoutExpired:
            pass
        now = time.monotonic()
        if ready_at is None and ready_file.exists():
            ready_at = now
        if ready_at is None and now - start > startup_limit:
            return "startup"
        if ready_at is not None and now - ready_at > timeout:
            return "timeout"


def run_notebook(path: str | os.PathLike[str], timeout: float = DEFAULT_TIMEOUT) -> NotebookOutcome:
    """Execute a notebook headless in a fresh kernel and report its check results.

    The notebook is copied into a new temporary directory, which is the
    kernel's working directory; the original is only read. A runner
    subprocess, started in a new session (``start_new_session=True``), executes
    the copy with ``nbclient`` in a fresh ``python3`` kernel of this Python
    environment, keeps only the check results (never the printed output, so
    megabytes of it cost nothing), and writes them to a small JSON file. When
    ``timeout`` seconds have passed since the kernel was ready (starting it is
    not counted, but may take at most 60 s, or ``timeout`` if longer), the
    runner's process group and the kernel's (the kernel starts its own
    session) are killed with SIGKILL; they are also killed on any other way
    out, Ctrl-C included, and a watchdog in the runner kills the kernel if
    this process itself is killed. The temporary directory, with whatever the
    notebook wrote there, is then deleted.

    Needs ``nbclient``, ``nbformat`` and ``ipykernel`` (the book's environment),
    imported in the runner subprocess.

    Parameters
    ----------
    path : path
        The notebook. Its stored outputs are ignored.
    timeout : float, optional
        Seconds of wall-clock time the notebook's cells may take, counted
        from the moment the kernel is ready (default 120).

    Returns
    -------
    NotebookOutcome
        ``exercise`` is the file stem; ``status`` is "passed", "failed", "not
        attempted" (see :func:`combine_results`), "error" (a cell raised; the
        message is the exception's name and message) or "timeout".
        ``seconds`` is the whole run's wall-clock time, kernel start included.

    Examples
    --------
    >>> from softmaxlab.grading import run_notebook
    >>> run_notebook("exercises/04_inversion.ipynb", timeout=60)  # doctest: +SKIP
    NotebookOutcome(exercise='04_inversion', status='not attempted',
                    message='Your function still raises NotImplementedError: ...', seconds=2.9)
    """
    path = Path(path)
    exercise = path.stem
    if timeout <= 0:
        raise ValueError(f"timeout must be positive, got {timeout}")
    root = Path(tempfile.mkdtemp(prefix="softmaxlab-run-"))
    start = time.monotonic()
    try:
        work, control = root / "work", root / "control"
        work.mkdir()
        control.mkdir()
        copy = work / path.name
        shutil.copyfile(path, copy)
        result_file, pid_file, log_file = control / "result.json", control / "kernel.pid", control / "runner.log"
        ready_file = control / "ready"
        env = _child_environment(control)
        timed_out = False
        kernel_pid = None
        with open(log_file, "wb") as log:
            proc = subprocess.Popen(
                [sys.executable, "-m", "softmaxlab.grading", "--run", str(copy), str(control),
                 str(max(_STARTUP_LIMIT, timeout) + timeout + 30)],
                cwd=work,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            try:
                timed_out = _wait(proc, ready_file, timeout, max(_STARTUP_LIMIT, timeout))
            finally:
                try:
                    kernel_pid = int(pid_file.read_text())
                except (OSError, ValueError):
                    kernel_pid = None
                _kill_group(proc.pid)  # the runner's session is its own group: leftovers only
                _kill_group(kernel_pid)  # the kernel and whatever it started
                proc.wait()
        seconds = round(time.monotonic() - start, 1)
        if timed_out == "startup":
            limit = max(_STARTUP_LIMIT, timeout)
            return NotebookOutcome(exercise, "error", f"the kernel did not start within {limit:g} s", seconds)
        if timed_out:
            return NotebookOutcome(exercise, "timeout", f"did not finish within {timeout:g} s", seconds)
        try:
            report = json.loads(result_file.read_text())
        except (OSError, ValueError):
            tail = log_file.read_bytes()[-2000:].decode("utf-8", "replace").strip().splitlines()
            last = f": {tail[-1]}" if tail else ""
            return NotebookOutcome(
                exercise, "error",
                _clip(f"the notebook runner stopped (exit code {proc.returncode}) without a result{last}"), seconds
            )
        if report.get("error"):
            error = report["error"]
            text = f"{error.get('ename', 'Error')}: {error.get('evalue', '')}".rstrip(": ")
            return NotebookOutcome(exercise, "error", _clip(text), seconds)
        status, message = combine_results(report.get("results", []))
        return NotebookOutcome(exercise, status, message, seconds)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _watchdog(kernel_pid: list[int], limit: float) -> None:
    """In the runner: kill the kernel's group and exit if the parent dies or ``limit`` seconds pass.

    The parent normally enforces the timeout; this covers a parent killed by a
    signal it cannot clean up after (SIGTERM, SIGKILL), since the runner, in a
    session of its own, gets no signal from the terminal.
    """
    import threading

    parent, deadline = os.getppid(), time.monotonic() + limit

    def watch() -> None:
        while os.getppid() == parent and time.monotonic() < deadline:
            time.sleep(0.5)
        _kill_group(kernel_pid[0] if kernel_pid else None)
        os._exit(3)

    threading.Thread(target=watch, daemon=True).start()


def _run_in_child(notebook: Path, control: Path, limit: float) -> int:
    """The runner subprocess of :func:`run_notebook`: execute ``notebook``, write ``result.json``.

    Starts the kernel itself (so that its pid is written to ``kernel.pid`` the
    moment it exists, for the parent to kill), executes every cell with no
    per-cell time limit (the parent enforces the notebook's; a watchdog gives
    up after ``limit`` seconds or when the parent is gone), and records only
    the check results of the outputs, capped in number and length.
    """
    kernel_pid: list[int] = []
    _watchdog(kernel_pid, limit)

    import nbformat
    from jupyter_client.manager import KernelManager
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, DeadKernelError

    results: list[dict[str, str]] = []

    class ResultOnlyClient(NotebookClient):
        """Keeps no outputs in the notebook: only the check results, on the side."""

        def output(self, outs, msg, display_id, cell_index):  # noqa: D102 - nbclient's hook
            if len(results) < _MAX_RESULTS:
                content = msg.get("content", {})
                results.extend(check_results([{"output_type": msg.get("msg_type"), "data": content.get("data")}]))
            return None

    report: dict[str, Any] = {"results": results, "error": None}
    km = None
    try:
        try:
            nb = nbformat.read(notebook, as_version=4)
            for cell in nb.cells:
                if cell.cell_type == "code":
                    cell.outputs = []
                    cell.execution_count = None
            # The connection file in the control folder too: a killed runner cannot leave it in /tmp.
            (control / "runtime").mkdir(exist_ok=True)
            km = KernelManager(kernel_name="python3", connection_file=str(control / "runtime" / "kernel.json"))
            km.start_kernel(cwd=str(notebook.parent), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            pid = getattr(km.provisioner, "pid", None) or km.provisioner.process.pid
            kernel_pid.append(pid)
            tmp = control / "kernel.pid.tmp"
            tmp.write_text(str(pid))
            os.replace(tmp, control / "kernel.pid")
            client = ResultOnlyClient(nb, km=km, timeout=None, record_timing=False, allow_errors=False)
            client.on_notebook_start = lambda **_: (control / "ready").touch()  # the timeout starts now
            client.execute()
        except CellExecutionError as exc:
            report["error"] = {"ename": exc.ename, "evalue": _clip(exc.evalue)}
        except DeadKernelError as exc:
            report["error"] = {"ename": "DeadKernelError", "evalue": _clip(f"the kernel died ({exc})")}
        except Exception as exc:  # an unreadable notebook, a kernel that does not start, ...
            report["error"] = {"ename": type(exc).__name__, "evalue": _clip(str(exc))}
    finally:
        if km is not None:
            try:
                km.shutdown_kernel(now=True)
            except Exception:
                pass
    tmp = control / "result.json.tmp"
    tmp.write_text(json.dumps(report))
    os.replace(tmp, control / "result.json")
    return 0


# ------------------------------------------------------------------ tables and the grader


def describe(outcome: NotebookOutcome) -> str:
    """The status column of ``make progress``: the status, and for a failure or error, why.

    Examples
    --------
    >>> from softmaxlab.grading import NotebookOutcome, describe
    >>> describe(NotebookOutcome("04_inversion", "passed", "All good."))
    'passed'
    >>> describe(NotebookOutcome("04_inversion", "error", "NameError: name 'np' is not defined"))
    "error: NameError: name 'np' is not defined"
    """
    if outcome.status in ("failed", "error", "timeout") and outcome.message:
        return f"{outcome.status}: {outcome.message}"
    return outcome.status


def progress_table(outcomes: Sequence[NotebookOutcome]) -> str:
    """The table ``make progress`` prints, ending with ``N of M exercises passed``.

    Examples
    --------
    >>> from softmaxlab.grading import NotebookOutcome, progress_table
    >>> print(progress_table([
    ...     NotebookOutcome("01_sigmoid_sum", "not attempted", "Replace the None."),
    ...     NotebookOutcome("04_inversion", "passed", "All good."),
    ...     NotebookOutcome("05_stable_log_softmax", "failed", "For z = [1000, 0] ..."),
    ... ]))
    exercise               status
    01_sigmoid_sum         not attempted
    04_inversion           passed
    05_stable_log_softmax  failed: For z = [1000, 0] ...
    1 of 3 exercises passed
    """
    width = max([len("exercise")] + [len(o.exercise) for o in outcomes])
    lines = [f"{'exercise':<{width}}  status"]
    lines += [f"{o.exercise:<{width}}  {describe(o)}" for o in outcomes]
    passed = sum(o.passed for o in outcomes)
    lines.append(f"{passed} of {len(outcomes)} exercises passed")
    return "\n".join(lines)


@dataclass(frozen=True)
class GradeRow:
    """One row of the grades CSV: a student's outcome on one exercise."""

    student: str
    outcome: NotebookOutcome


def _students(submissions: Path) -> list[Path]:
    return sorted(p for p in submissions.iterdir() if p.is_dir() and not p.name.startswith((".", "_")))


def grade_submissions(
    submissions: str | os.PathLike[str],
    exercises: Sequence[str],
    timeout: float = DEFAULT_TIMEOUT,
    on_progress: Callable[..., None] | None = None,
) -> list[GradeRow]:
    """Run every student's exercise notebooks; one row per student and exercise.

    Parameters
    ----------
    submissions : path
        One folder per student (hidden folders and folders starting with ``_``
        are skipped), holding that student's notebooks under the exercises'
        file names (or under an exercise's older number: see
        :func:`match_exercises`). Only read: every notebook runs on a temporary
        copy (:func:`run_notebook`).
    exercises : sequence of str
        The exercises' file stems (``"04_inversion"``); one not submitted gets
        status "missing". Submitted notebooks with other names are not graded
        (``on_progress`` says so).
    timeout : float, optional
        Seconds per notebook.
    on_progress : callable, optional
        Called like ``print`` (text, and ``end=""`` for the part shown
        while a notebook runs) to report progress, one line per notebook.

    Returns
    -------
    list of GradeRow
        Sorted by student, then exercise.
    """
    submissions = Path(submissions)
    say = on_progress or (lambda text, end="\n": None)
    students = _students(submissions)
    wanted = sorted(set(exercises))
    jobs = []
    for folder in students:
        notebooks = exercise_notebooks(folder)
        submitted = match_exercises(notebooks, wanted)
        for path in sorted(set(notebooks) - set(submitted.values())):
            say(f"skipping {folder.name}/{path.name}: not an exercise of the book")
        for stem, path in sorted(submitted.items()):
            if path.stem != stem:
                say(f"grading {folder.name}/{path.name} as {stem} (the same exercise under its old number)")
        jobs += [(folder.name, stem, submitted.get(stem)) for stem in wanted]
    to_run = sum(1 for job in jobs if job[2] is not None)
    rows, done = [], 0
    for student, stem, path in jobs:
        if path is None:
            rows.append(GradeRow(student, NotebookOutcome(stem, "missing", "not submitted")))
            continue
        done += 1
        say(f"[{done}/{to_run}] {student}/{path.name} ...", end="")
        outcome = replace(run_notebook(path, timeout), exercise=stem)
        say(f" {outcome.status} ({outcome.seconds:.1f} s)")
        rows.append(GradeRow(student, outcome))
    return rows


CSV_COLUMNS = ("student", "exercise", "status", "message", "seconds")


def write_grades_csv(rows: Iterable[GradeRow], path: str | os.PathLike[str]) -> None:
    """Write the grades: columns student, exercise, status, message, seconds.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from softmaxlab.grading import GradeRow, NotebookOutcome, write_grades_csv
    >>> rows = [GradeRow("ada", NotebookOutcome("04_inversion", "passed", "All good.", 3.21)),
    ...         GradeRow("ada", NotebookOutcome("05_gradient", "missing", "not submitted"))]
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     write_grades_csv(rows, Path(tmp) / "grades.csv")
    ...     print((Path(tmp) / "grades.csv").read_text(), end="")
    student,exercise,status,message,seconds
    ada,04_inversion,passed,All good.,3.2
    ada,05_gradient,missing,not submitted,
    """
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        for row in rows:
            o = row.outcome
            seconds = "" if o.seconds is None else f"{o.seconds:.1f}"
            writer.writerow([row.student, o.exercise, o.status, o.message, seconds])


def summary_table(rows: Sequence[GradeRow]) -> str:
    """Per exercise, how many students ended with each status.

    Examples
    --------
    >>> from softmaxlab.grading import GradeRow, NotebookOutcome, summary_table
    >>> print(summary_table([
    ...     GradeRow("ada", NotebookOutcome("04_inversion", "passed")),
    ...     GradeRow("bo", NotebookOutcome("04_inversion", "timeout")),
    ...     GradeRow("bo", NotebookOutcome("05_gradient", "missing")),
    ... ]))
    exercise      passed  failed  not attempted  error  timeout  missing
    04_inversion       1       0              0      0        1        0
    05_gradient        0       0              0      0        0        1
    """
    exercises = sorted({row.outcome.exercise for row in rows})
    counts = {e: dict.fromkeys(STATUSES, 0) for e in exercises}
    for row in rows:
        counts[row.outcome.exercise][row.outcome.status] += 1
    width = max([len("exercise")] + [len(e) for e in exercises])
    header = f"{'exercise':<{width}}" + "".join(f"  {s}" for s in STATUSES)
    lines = [header]
    for e in exercises:
        lines.append(f"{e:<{width}}" + "".join(f"  {counts[e][s]:>{len(s)}}" for s in STATUSES))
    return "\n".join(lines)


if __name__ == "__main__":
    # Internal: the runner subprocess of run_notebook (python -m softmaxlab.grading --run NOTEBOOK CONTROL LIMIT).
    if len(sys.argv) == 5 and sys.argv[1] == "--run":
        sys.exit(_run_in_child(Path(sys.argv[2]), Path(sys.argv[3]), float(sys.argv[4])))
    sys.exit("softmaxlab.grading is a library; use python -m softmaxlab.progress or python -m softmaxlab.grade")
