"""Test layer 3: the book's structure.

Every notebook is in the toc and every toc entry exists; every exercise has
exactly one solution; notebooks were executed top to bottom with outputs
stored; outputs hold no absolute paths, memory addresses, errors or bulk.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from conftest import ROOT, all_notebooks

NOTEBOOKS = all_notebooks()
MAX_NOTEBOOK_BYTES = 3_000_000
# Figures are stored at twice their displayed resolution, for print (softmaxlab.plotting.use_book_style):
# about 2.2 times the bytes of the 100-dpi PNGs, whose limit was 400 kB; the largest is now under 600 kB.
MAX_IMAGE_BYTES = 600_000


def toc_files(toc_path: Path = ROOT / "_toc.yml") -> list[str]:
    """The document names listed in a toc file, in order."""
    toc = yaml.safe_load(toc_path.read_text())
    names = [toc["root"]]

    def walk(entries):
        for entry in entries or []:
            if "file" in entry:
                names.append(entry["file"])
            walk(entry.get("sections"))
            walk(entry.get("chapters"))

    for part in toc.get("parts", []):
        walk(part.get("chapters"))
    walk(toc.get("chapters"))
    return names


def resolve(name: str) -> Path | None:
    for suffix in (".ipynb", ".md"):
        path = ROOT / f"{name}{suffix}"
        if path.exists():
            return path
    return None


def test_every_toc_entry_exists():
    missing = [name for name in toc_files() if resolve(name) is None]
    assert not missing, f"_toc.yml lists files that do not exist: {missing}"


def test_every_notebook_is_in_the_toc():
    listed = {resolve(name) for name in toc_files()}
    unlisted = [str(p.relative_to(ROOT)) for p in NOTEBOOKS if p not in listed]
    assert not unlisted, f"notebooks missing from _toc.yml: {unlisted}"


def test_toc_lists_no_file_twice():
    names = toc_files()
    assert len(names) == len(set(names)), "a file appears twice in _toc.yml"


def test_every_exercise_has_exactly_one_solution_and_vice_versa():
    exercises = {p.name for p in (ROOT / "exercises").glob("*.ipynb")}
    solutions = {p.name for p in (ROOT / "solutions").glob("*.ipynb")}
    assert exercises == solutions, (
        f"exercises without solution: {sorted(exercises - solutions)}; "
        f"solutions without exercise: {sorted(solutions - exercises)}"
    )


EXERCISE_LABEL = re.compile(r"[`:]{3,}\{exercise\}[^\n]*\n(?:\s*:[a-z-]+:[^\n]*\n)*?\s*:label:\s*(\S+)")
SOLUTION_REF = re.compile(r"[`:]{3,}\{solution\}\s*(\S+)")


def _source(cell) -> str:
    src = cell["source"]
    return "".join(src) if isinstance(src, list) else src


@pytest.mark.parametrize("path", sorted((ROOT / "solutions").glob("*.ipynb")), ids=lambda p: p.name)
def test_solution_refers_to_its_exercise_label(path):
    exercise = json.loads((ROOT / "exercises" / path.name).read_text())
    solution = json.loads(path.read_text())
    ex_text = "\n".join(_source(c) for c in exercise["cells"] if c["cell_type"] == "markdown")
    sol_text = "\n".join(_source(c) for c in solution["cells"] if c["cell_type"] == "markdown")
    labels = EXERCISE_LABEL.findall(ex_text)
    assert len(labels) == 1, (
        f"{path.name}: the exercise notebook must define exactly one labelled {{exercise}}, found {labels}"
    )
    refs = SOLUTION_REF.findall(sol_text)
    assert len(refs) == 1, f"{path.name}: the solution notebook must hold exactly one {{solution}}, found {refs}"
    assert refs == labels, f"{path.name}: solution refers to {refs}, exercise defines {labels}"


def test_every_exercise_label_in_the_book_has_exactly_one_solution():
    """Book-wide: labels are unique, each {exercise} has one {solution}, each {solution} a real exercise."""
    labels, refs = [], []
    for nb_path in NOTEBOOKS:
        text = "\n".join(_source(c) for c in json.loads(nb_path.read_text())["cells"] if c["cell_type"] == "markdown")
        labels += EXERCISE_LABEL.findall(text)
        refs += SOLUTION_REF.findall(text)
    assert len(labels) == len(set(labels)), f"an exercise label is defined twice: {sorted(labels)}"
    assert sorted(refs) == sorted(labels), (
        f"exercises without exactly one solution: {sorted(set(labels) - set(refs))}; "
        f"solutions of unknown or repeated exercises: "
        f"{sorted(r for r in set(refs) if refs.count(r) > 1 or r not in labels)}"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_notebook_is_executed_in_order_with_stored_outputs(path):
    nb = json.loads(path.read_text())
    assert nb["metadata"].get("kernelspec", {}).get("name") == "python3", f"{path.name}: kernelspec must be python3"
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert code, f"{path.name} has no code cells"
    counts = [c.get("execution_count") for c in code]
    assert counts == list(range(1, len(code) + 1)), (
        f"{path.name}: execution counts {counts} are not 1..{len(code)}; run `make execute`"
    )
    assert any(c.get("outputs") for c in code), f"{path.name}: no stored outputs"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_notebook_outputs_are_clean(path):
    raw = path.read_text()
    assert len(raw.encode()) <= MAX_NOTEBOOK_BYTES, f"{path.name} is {len(raw)} bytes; shrink its figures"
    nb = json.loads(raw)
    for i, cell in enumerate(nb["cells"]):
        for out in cell.get("outputs", []):
            assert out.get("output_type") != "error", f"{path.name} cell {i} stores an error"
            text = json.dumps(out.get("text", "")) + json.dumps(
                {k: v for k, v in out.get("data", {}).items() if not k.startswith("image/")}
            )
            assert not re.search(r"(/work/|/home/|/root/|/tmp/|[A-Z]:\\\\)", text), (
                f"{path.name} cell {i}: absolute path in output"
            )
            assert not re.search(r"\b0x[0-9a-fA-F]{6,}\b", text), f"{path.name} cell {i}: memory address in output"
            for mime, data in out.get("data", {}).items():
                if mime.startswith("image/"):
                    assert len(data) <= MAX_IMAGE_BYTES, f"{path.name} cell {i}: {mime} of {len(data)} bytes"


def page_title(path: Path) -> str:
    """The first heading of a toc page (notebook or Markdown): the text the navigation shows."""
    if path.suffix == ".ipynb":
        text = "\n".join(_source(c) for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "markdown")
    else:
        text = path.read_text()
    match = re.search(r"^# (.+)$", text, flags=re.MULTILINE)
    return match.group(1) if match else ""


def test_no_page_title_holds_math():
    # Every page's navigation shows every title, and pages without math (the index, the search page,
    # the bibliography) load no MathJax: a $...$ title would show there as raw TeX.
    titles = {name: page_title(resolve(name)) for name in toc_files() if resolve(name)}
    with_math = {name: title for name, title in titles.items() if "$" in title or "\\(" in title}
    assert not with_math, f"write these titles without math: {with_math}"
