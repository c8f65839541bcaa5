"""Test layer 5, continued: a reader works an exercise in JupyterLab, in a real browser.

``make lab`` starts JupyterLab through ``tools/lab.py`` on the reader's copies of the exercises.
This module starts it the same way, on a copy of the inversion exercise in a temporary folder (on a
free loopback port, with a token, its state in the temporary folder too), and checks:

- the server makes no request of its own to the network: the update check, the news feed and
  the extension manager's PyPI listing are off (``tools/jupyter/``);
- the kernel is this Python's (the book's ``.venv``), not one installed for the user elsewhere;
- in Debian's Chromium, driven by Playwright, a reader opens the notebook, replaces the scaffold
  with a correct answer and runs all cells: the check cell shows the passed result; with a wrong
  answer it shows the failed result naming the input; with the correct answer back, the notebook
  is saved. The file on disk then holds the passed result (its machine-readable
  ``application/vnd.softmaxlab.check-result+json`` copy), and the grader behind ``make progress``
  (``softmaxlab.grading``), re-executing the saved notebook, reports the exercise passed. The
  page requests nothing outside the server. A screenshot of the passed state is written to
  ``_build/screenshots/lab-inversion-passed.png``.

Chromium is found, or its absence reported, exactly as in ``tests/test_book.py``.
"""

from __future__ import annotations

import importlib.util
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from browser import chromium
from conftest import ROOT
from test_book import SCREENSHOTS

RESULT_MIME_TYPE = "application/vnd.softmaxlab.check-result+json"
CORRECT = "def invert(a):\n    return np.log(a)"
WRONG = "def invert(a):\n    return a"

#: Seconds allowed for: the server to answer, a kernel to run the notebook, a page element to show.
SERVER_TIMEOUT = 90
RUN_TIMEOUT_MS = 60_000
UI_TIMEOUT_MS = 30_000


def inversion_notebook() -> Path:
    found = sorted((ROOT / "exercises").glob("*_inversion.ipynb"))
    assert len(found) == 1, f"expected one exercises/*_inversion.ipynb, found {found}"
    return found[0]


@dataclass
class Lab:
    base: str  # http://127.0.0.1:PORT/
    token: str
    notebook: Path  # the reader's copy, in the server's root folder
    log: Path

    def api(self, path: str, method: str = "GET"):
        """An authenticated request to the server's REST API; the decoded JSON reply (or None)."""
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        request = urllib.request.Request(
            self.base + path, method=method, headers={"Authorization": f"token {self.token}"}
        )
        with opener.open(request, timeout=10) as response:
            body = response.read()
        return json.loads(body) if body.strip() else None

    def log_tail(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]


def _wait_for_url(log: Path, server: subprocess.Popen, token: str) -> str:
    """The lab URL tools/lab.py prints once the server answers."""
    deadline = time.monotonic() + SERVER_TIMEOUT
    while time.monotonic() < deadline:
        for line in log.read_text(errors="replace").splitlines():
            line = line.strip()
            if line.startswith("http://127.0.0.1:") and line.endswith(f"/lab?token={token}"):
                return line
        if server.poll() is not None:
            break
        time.sleep(0.25)
    pytest.fail(f"JupyterLab did not start (tools/lab.py):\n{log.read_text(errors='replace')[-4000:]}")


def _stop(server: subprocess.Popen, lab: Lab | None) -> None:
    """Shut the server down (its kernels with it); kill whatever of it is left."""
    import psutil

    try:
        family = [psutil.Process(server.pid), *psutil.Process(server.pid).children(recursive=True)]
    except psutil.NoSuchProcess:
        family = []
    if lab is not None and server.poll() is None:
        try:
            lab.api("api/shutdown", method="POST")
        except OSError:
            pass
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
    # Kernels run in sessions of their own; none may outlive the test.
    gone, alive = psutil.wait_procs(family, timeout=5)
    for process in alive:
        try:
            process.kill()
        except psutil.NoSuchProcess:
            pass


@pytest.fixture(scope="module")
def lab(tmp_path_factory) -> Lab:
    """JupyterLab as ``make lab`` starts it, on a copy of the inversion exercise; stopped afterwards."""
    folder = tmp_path_factory.mktemp("lab")
    root = folder / "workspace"
    root.mkdir()
    notebook = Path(shutil.copy(inversion_notebook(), root))
    token = secrets.token_hex(16)
    log = folder / "lab.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [sys.executable, str(ROOT / "tools" / "lab.py"), str(root), "--port", "0",
             "--state", str(folder / "state")],
            env={**os.environ, "JUPYTER_TOKEN": token},
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    running = None
    try:
        url = _wait_for_url(log, server, token)
        running = Lab(base=url[: -len(f"lab?token={token}")], token=token, notebook=notebook, log=log)
        yield running
    finally:
        _stop(server, running)


def test_lab_server_fetches_nothing(lab):
    """The update check, the news feed and the extension manager's PyPI listing are off."""
    assert lab.api("lab/api/update") == {"notification": None}
    assert lab.api("lab/api/news") == {"news": []}
    assert lab.api("lab/api/extensions?query=softmax&page=1&per_page=30") == []
    notification = lab.api("lab/api/settings/@jupyterlab/apputils-extension:notification")
    defaults = {key: spec.get("default") for key, spec in notification["schema"]["properties"].items()}
    assert defaults["fetchNews"] == "false" and defaults["checkForUpdates"] is False
    assert lab.api("api/kernelspecs")["default"] == "python3"
    log = lab.log_tail()
    assert "Extension Manager is 'readonly'" in log, log


def test_lab_kernel_is_the_books_python(tmp_path):
    """In the environment tools/lab.py gives JupyterLab, python3 is this Python's own kernel spec."""
    spec = importlib.util.spec_from_file_location("softmaxlab_lab_launcher", ROOT / "tools" / "lab.py")
    launcher = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(launcher)
    env = launcher.lab_environment(tmp_path, "unused")
    listed = subprocess.run(
        [sys.executable, "-m", "jupyter", "kernelspec", "list", "--json"],
        env=env, capture_output=True, text=True, check=True,
    )
    specs = json.loads(listed.stdout)["kernelspecs"]
    python3 = specs["python3"]
    assert Path(python3["resource_dir"]).resolve().is_relative_to(Path(sys.prefix).resolve()), python3
    # jupyter_client runs the spec's "python" as the server's own interpreter, sys.executable here.
    assert python3["spec"]["argv"][0] in {"python", "python3", sys.executable}, python3


# ----------------------------------------------------------------------------------------------
# The browser


@pytest.fixture(scope="module")
def lab_browser(tmp_path_factory):
    """A headless Chromium with a fresh profile (tests/browser.py)."""
    with chromium(tmp_path_factory.mktemp("chromium-profile")) as context:
        yield context


class LabPage:
    """The notebook open in JupyterLab, and what a reader does with it."""

    def __init__(self, page, lab: Lab):
        self.page = page
        self.lab = lab
        self.blocked: list[str] = []

        def route(route_, request):
            if request.url.startswith(lab.base):
                route_.continue_()
            else:  # JupyterLab must work offline
                self.blocked.append(request.url)
                route_.abort()

        page.route("**/*", route)
        page.set_default_timeout(UI_TIMEOUT_MS)
        page.goto(f"{lab.base}lab/tree/{lab.notebook.name}?token={lab.token}", wait_until="load")
        self.panel = page.locator(".jp-NotebookPanel").filter(has=page.locator(".jp-Notebook"))
        self.panel.first.wait_for(state="visible")
        self.answer_cell = self.code_cell("def invert(a)")
        self.check_cell = self.code_cell("check_inversion(invert)")
        self.answer_cell.wait_for(state="visible")
        self.wait_for_idle_kernel()

    def code_cell(self, text: str):
        return self.page.locator(".jp-Notebook .jp-CodeCell").filter(
            has=self.page.locator(".cm-content", has_text=text)
        )

    def wait_for_idle_kernel(self, timeout: int = RUN_TIMEOUT_MS) -> None:
        """Wait until the status bar says "<kernel> | Idle": the kernel is connected and waiting.

        (The toolbar's execution indicator says idle from the start, before any kernel is there;
        cells run before the kernel is connected are cleared instead of executed.)
        """
        self.page.wait_for_function(
            "() => Array.from(document.querySelectorAll('.jp-StatusBar-TextItem'))"
            ".some(item => /\\|\\s*Idle\\s*$/.test(item.textContent))",
            timeout=timeout,
        )

    def write_answer(self, source: str) -> None:
        """Replace the scaffold cell's content, as a reader does (select all, type the new code)."""
        editor = self.answer_cell.locator(".cm-content")
        editor.click()
        self.page.keyboard.press("Control+a")
        self.page.keyboard.press("Delete")
        self.page.keyboard.insert_text(source)
        self.page.keyboard.press("Escape")  # back to command mode
        shown = editor.evaluate("el => Array.from(el.querySelectorAll('.cm-line')).map(l => l.textContent).join('\\n')")
        assert shown == source, f"the scaffold cell shows {shown!r} after typing {source!r}"

    def menu(self, menu: str, item: str) -> None:
        """Click ``item`` in the menu bar's ``menu``."""
        self.page.locator(".lm-MenuBar-itemLabel").get_by_text(menu, exact=True).click()
        self.page.locator(".lm-Menu .lm-Menu-itemLabel").get_by_text(item, exact=True).click()

    def run_all(self) -> None:
        """Edit > Clear Outputs of All Cells, Run > Run All Cells; wait until the check cell has run."""
        self.menu("Edit", "Clear Outputs of All Cells")
        self.page.wait_for_function(
            "cell => !/[0-9*]/.test(cell.querySelector('.jp-InputPrompt').textContent)",
            arg=self.check_cell.element_handle(),
        )
        self.menu("Run", "Run All Cells")
        self.page.wait_for_function(
            "cell => /\\[[0-9]+\\]/.test(cell.querySelector('.jp-InputPrompt').textContent)",
            arg=self.check_cell.element_handle(),
            timeout=RUN_TIMEOUT_MS,
        )
        self.wait_for_idle_kernel()

    def check_output(self):
        return self.check_cell.locator(".jp-OutputArea-output")

    def expect_result(self, status: str):
        """The check cell's result box of this status (``passed``/``failed``), once it shows."""
        box = self.check_output().locator(f".softmaxlab-check-{status}")
        try:
            box.wait_for(state="visible")
        except Exception as exc:
            shown = " | ".join(self.check_output().all_inner_texts())
            raise AssertionError(f"the check cell shows no {status} result; it shows: {shown!r}") from exc
        return box

    def save(self) -> None:
        """Ctrl+S, then wait until JupyterLab no longer marks the notebook's tab as modified."""
        self.panel.first.locator(".jp-Notebook").click(position={"x": 5, "y": 5})
        self.page.keyboard.press("Escape")
        self.page.keyboard.press("Control+s")
        tab = self.page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab", has_text=self.lab.notebook.name)
        tab.first.wait_for(state="visible")
        self.page.wait_for_function(
            "name => Array.from(document.querySelectorAll('.lm-DockPanel-tabBar .lm-TabBar-tab'))"
            ".some(t => t.textContent.includes(name) && !t.classList.contains('jp-mod-dirty'))",
            arg=self.lab.notebook.name,
        )


def stored_check_result(notebook: Path) -> tuple[str, dict | None]:
    """The scaffold cell's source and the check cell's stored result, as saved on disk."""
    cells = json.loads(notebook.read_text())["cells"]
    answer = next(c for c in cells if c["cell_type"] == "code" and "def invert(a)" in "".join(c["source"]))
    check = next(c for c in cells if c["cell_type"] == "code" and "check_inversion(invert)" in "".join(c["source"]))
    results = [o["data"][RESULT_MIME_TYPE] for o in check.get("outputs", []) if RESULT_MIME_TYPE in o.get("data", {})]
    return "".join(answer["source"]), (results[0] if results else None)


def graded_workspace(workspace: Path) -> dict[str, str]:
    """Status per exercise notebook of ``workspace``, as ``make progress`` finds them.

    That is :func:`softmaxlab.grading.run_notebook` on every notebook the workspace holds (each
    re-executed in a fresh kernel). Where softmaxlab has no grading module, the fallback does the
    same with nbclient directly: re-execute each saved notebook, read its check result's JSON.
    """
    try:
        from softmaxlab.grading import exercise_notebooks, run_notebook
    except ImportError:  # fallback: no grader in this checkout
        import nbclient
        import nbformat

        statuses = {}
        for notebook in sorted(workspace.glob("*.ipynb")):
            nb = nbformat.read(notebook, as_version=4)
            client = nbclient.NotebookClient(
                nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(workspace)}}
            )
            client.execute()
            copy = workspace.parent / f"reexecuted-{notebook.name}"
            nbformat.write(nb, copy)
            result = stored_check_result(copy)[1]
            statuses[notebook.stem] = "no result" if result is None else (
                result["status"] if result["status"] == "passed" else f"{result['status']}: {result['message']}"
            )
        return statuses
    outcomes = [run_notebook(path, timeout=60) for path in exercise_notebooks(workspace)]
    return {o.exercise: o.status if o.passed else f"{o.status}: {o.message}" for o in outcomes}


@pytest.mark.browser
def test_working_the_inversion_exercise(lab_browser, lab):
    page = lab_browser.new_page()
    try:
        reader = LabPage(page, lab)

        reader.write_answer(CORRECT)
        reader.run_all()
        passed = reader.expect_result("passed")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        passed.scroll_into_view_if_needed()
        shot = SCREENSHOTS / "lab-inversion-passed.png"
        page.screenshot(path=str(shot))
        assert shot.stat().st_size > 10_000

        reader.write_answer(WRONG)
        reader.run_all()
        failed = reader.expect_result("failed")
        assert reader.check_output().locator(".softmaxlab-check-passed").count() == 0
        assert "a = [" in failed.inner_text(), failed.inner_text()

        reader.write_answer(CORRECT)
        reader.run_all()
        reader.expect_result("passed")
        reader.save()

        deadline = time.monotonic() + 30
        while True:
            source, result = stored_check_result(lab.notebook)
            if (source, (result or {}).get("status")) == (CORRECT, "passed") or time.monotonic() > deadline:
                break
            time.sleep(0.25)
        assert source == CORRECT, f"the saved scaffold cell holds {source!r}"
        assert result is not None and result["status"] == "passed", f"the saved check result is {result}"
        assert graded_workspace(lab.notebook.parent) == {lab.notebook.stem: "passed"}
        assert not reader.blocked, f"JupyterLab requested things outside the server: {reader.blocked}"
    except BaseException:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "lab-inversion-failure.png"))
        print(f"JupyterLab's log (end):\n{lab.log_tail()}\nscreenshot: {SCREENSHOTS / 'lab-inversion-failure.png'}")
        raise
    finally:
        page.close()
