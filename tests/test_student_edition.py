"""The student edition (``make book-student``): the book without its Solutions part.

It is built the way the Makefile builds it (config and toc derived from the
book's own by ``_ext/student_edition.py``), with ``-W -n --keep-going`` into
``_build/student``. Notebook execution is off in that config: every notebook's
stored outputs are exactly what a fresh run prints (nbval strict checks that in
this same test run), so executing them again would only double the cost of the
test. The build must leave no solution page and no link to one.
"""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import ROOT, build_book
from test_structure import toc_files

OUT = ROOT / "_build" / "student"
HTML = OUT / "_build" / "html"


def _load_student_edition():
    spec = importlib.util.spec_from_file_location("student_edition", ROOT / "_ext" / "student_edition.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


student_edition = _load_student_edition()


# ------------------------------------------------------------------ the derived config and toc (fast)


def test_student_toc_drops_exactly_the_solutions():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    student = student_edition.student_toc(toc)
    captions = [part.get("caption") for part in student["parts"]]
    assert "Solutions" not in captions and "Exercises" in captions
    full = set(toc_files())

    def files(entries):
        for entry in entries or []:
            yield entry["file"]
            yield from files(entry.get("sections"))
            yield from files(entry.get("chapters"))

    kept = {name for part in student["parts"] for name in files(part["chapters"])} | {student["root"]}
    assert kept == {name for name in full if not name.startswith("solutions/")}


def test_student_config_keeps_the_book_config_and_hides_solutions():
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    student = student_edition.student_config(config)
    assert student["execute"]["execute_notebooks"] == "off"
    assert student["sphinx"]["config"]["hide_solutions"] is True
    assert "student_edition" in student["sphinx"]["local_extensions"]
    for key, value in config.items():  # everything else is the book's own configuration
        if key not in ("title", "execute", "sphinx"):
            assert student[key] == value, key
    for key, value in config["sphinx"].items():
        if key not in ("config", "local_extensions"):
            assert student["sphinx"][key] == value, key
    for key, value in config["sphinx"].get("config", {}).items():
        if key == "extensions":  # an explicit list must name the extension, or it is not loaded
            assert student["sphinx"]["config"][key] == [*value, "student_edition"]
        else:
            assert student["sphinx"]["config"][key] == value, key


def _markdown(path: Path) -> str:
    nb = json.loads(path.read_text())
    return "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")


@pytest.mark.parametrize("path", sorted((ROOT / "exercises").glob("*.ipynb")), ids=lambda p: p.name)
def test_links_to_solutions_sit_in_only_not_student_blocks(path):
    """The full book links each exercise to its solution; the student edition drops the link."""
    text = _markdown(path)
    links = re.findall(r"\{(?:doc|ref)\}`[^`]*solutions/[^`]*`|\{ref\}`[^`]*sol-[^`]*`", text)
    guarded = re.findall(r":{3,}\{only\} not student\n(.*?)\n:{3,}", text, flags=re.S)
    guarded_links = [link for block in guarded for link in re.findall(r"\{(?:doc|ref)\}`[^`]*`", block)]
    assert any(path.stem in link for link in guarded_links), f"{path.name} does not link to its solution"
    unguarded = [link for link in links if link not in guarded_links]
    assert not unguarded, f"{path.name}: links to solutions outside an `only not student` block: {unguarded}"


# ------------------------------------------------------------------ the build


@pytest.fixture(scope="module")
def student_html() -> Path:
    subprocess.run([sys.executable, str(ROOT / "_ext" / "student_edition.py"), str(OUT)], check=True, cwd=ROOT)
    build_book("--config", str(OUT / "_config.yml"), "--toc", str(OUT / "_toc.yml"), "--path-output", str(OUT),
               what="the student edition")
    return HTML


def test_student_edition_builds_without_warnings(student_html):
    assert (student_html / "index.html").exists()


def test_student_edition_has_every_page_but_the_solutions(student_html):
    expected = [name for name in toc_files() if not name.startswith("solutions/")]
    missing = [name for name in expected if not (student_html / f"{name}.html").exists()]
    assert not missing, f"pages missing from the student edition: {missing}"
    assert not list(student_html.glob("solutions/*.html")), "the student edition contains solution pages"


def test_student_edition_has_no_link_or_pointer_to_a_solution(student_html):
    offenders = []
    for page in student_html.rglob("*.html"):
        text = page.read_text(errors="replace")
        if re.search(r"""href=["'][^"']*solutions/""", text) or "Solution to Exercise" in text:
            offenders.append(str(page.relative_to(student_html)))
    assert not offenders, f"pages linking to solutions: {offenders}"
    assert "solutions/" not in (student_html / "searchindex.js").read_text()


def test_student_exercise_pages_keep_statement_hints_and_check(student_html):
    for path in sorted((ROOT / "exercises").glob("*.ipynb")):
        page = (student_html / "exercises" / f"{path.stem}.html").read_text()
        assert 'class="exercise admonition"' in page, f"{path.stem}: the exercise statement is missing"
        assert "Hint 1" in page, f"{path.stem}: hints missing"
        assert "softmaxlab-check" in page, f"{path.stem}: the check cell's output is missing"
        assert "worked solution" not in page, f"{path.stem}: the pointer to the solution survived"
