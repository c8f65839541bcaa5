"""The PDF edition (``make pdf``, ``make pdf-student``): the book through LaTeX and xelatex.

Both editions are built once per test run, the way the Makefile builds them
(``_ext/pdf_edition.py``: Jupyter Book's LaTeX builder over the stored outputs,
here with ``-W -n --keep-going``, then latexmk with xelatex), into
``_build/pdf/``. Each must build without a LaTeX error, an unresolved
reference or a glyph missing from its fonts, and its text (``pdftotext``)
must hold every chapter's and every exercise's title, taken from ``_toc.yml``
and the notebooks; the full edition holds the solutions, the student edition
none. Every figure of the HTML is embedded (``pdfimages -list`` against the
images in the stored outputs and the markdown, plus the interactive figures'
static pictures), no word runs off the paper, the page count is in a range
set by the number of documents. Pages are rendered to PNG under
``_build/screenshots/`` for a person to look at.

Without xelatex, latexmk or poppler-utils these tests FAIL, saying what to
install (``make test`` installs them itself where that needs no password:
``tools/require-program``). ``SOFTMAXLAB_SKIP_PDF=1`` turns that failure into
a skip outside CI, as ``SOFTMAXLAB_SKIP_BROWSER=1`` does for the browser layer;
in CI (``CI`` set) or with ``SOFTMAXLAB_REQUIRE_PDF=1`` it never skips.
"""

from __future__ import annotations

import base64
import importlib.util
import json
import os
import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest
import yaml

from conftest import ROOT
from test_structure import toc_files

SCREENSHOTS = ROOT / "_build" / "screenshots"
PROGRAMS = ("xelatex", "latexmk", "pdftotext", "pdfimages", "pdftoppm", "pdfinfo")
INSTALL_HINT = (
    "The PDF layer needs xelatex, latexmk and poppler-utils: `make test` installs them where it can; "
    "the Makefile's PDF_TOOLS lists the Debian packages. To run the other layers without the PDF "
    "layer (never in CI): SOFTMAXLAB_SKIP_PDF=1 make test"
)


def _load_pdf_edition():
    spec = importlib.util.spec_from_file_location("pdf_edition", ROOT / "_ext" / "pdf_edition.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


pdf_edition = _load_pdf_edition()


# ------------------------------------------------------------------ what the book holds


def _source(name: str) -> Path:
    for suffix in (".ipynb", ".md"):
        if (ROOT / f"{name}{suffix}").exists():
            return ROOT / f"{name}{suffix}"
    raise FileNotFoundError(name)


def _notebook(path: Path) -> dict | None:
    return json.loads(path.read_text()) if path.suffix == ".ipynb" else None


def _markdown(path: Path) -> str:
    nb = _notebook(path)
    if nb is None:
        return path.read_text()
    return "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")


def title_of(name: str) -> str:
    """A document's title: its first level-1 heading."""
    match = re.search(r"^# (.+)$", _markdown(_source(name)), flags=re.M)
    assert match, f"{name} has no '# ' title"
    return match.group(1).strip()


def exercise_title_of(name: str) -> str:
    match = re.search(r"^(?::{3,}|`{3,})\{exercise\}[ \t]*(.+)$", _markdown(_source(name)), flags=re.M)
    assert match, f"{name} has no titled {{exercise}} directive"
    return match.group(1).strip()


def edition_docs(edition: str) -> list[str]:
    names = toc_files()
    return names if edition == "full" else [n for n in names if not n.startswith("solutions/")]


REMOVED_OUTPUT_TAGS = {"remove-cell", "remove-output", "remove_cell", "remove_output"}


def _tags(cell: dict) -> set[str]:
    return set(cell.get("metadata", {}).get("tags", []))


def figures_in(name: str) -> int:
    """How many images the HTML page of a document shows: image outputs, interactive figures, markdown images."""
    path = _source(name)
    text = _markdown(path)
    count = len(re.findall(r"!\[[^\]]*\]\(", text)) + len(re.findall(r"\{(?:figure|image|glue:figure)\}", text))
    for cell in (_notebook(path) or {}).get("cells", []):
        if cell["cell_type"] != "code" or _tags(cell) & REMOVED_OUTPUT_TAGS:
            continue
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if any(kind in data for kind in ("image/png", "image/jpeg")):
                count += 1
            elif 'class="smx-figure' in "".join(data.get("text/html", "")):
                count += 1
    return count


def _words(text: str) -> str:
    """Text for comparison: NFKC (math italic letters, ligatures), plain quotes, one space, lower case."""
    text = unicodedata.normalize("NFKC", text)
    text = text.translate(str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u2212": "-"}))
    return " ".join(text.split()).lower()


def title_pieces(title: str) -> list[str]:
    """The parts of a title that survive typesetting unchanged: the text between inline math and markup."""
    plain = re.sub(r"\$[^$]*\$|`[^`]*`", "|", title).replace("*", "")
    return [_words(piece) for piece in plain.split("|") if piece.strip(" :,.;")]


# ------------------------------------------------------------------ without a build (fast)


def test_pdf_config_keeps_the_book_config_and_turns_execution_off():
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    pdf = pdf_edition.pdf_config(config)
    assert pdf["execute"]["execute_notebooks"] == "off"
    assert pdf["latex"]["latex_engine"] == "xelatex"
    assert pdf["latex"]["latex_documents"]["targetname"] == f"{pdf_edition.TEX_NAME}.tex"
    assert "pdf_edition" in pdf["sphinx"]["local_extensions"]
    assert pdf["sphinx"]["config"]["extensions"] == [*config["sphinx"]["config"]["extensions"], "pdf_edition"]
    for key, value in config.items():
        if key not in ("execute", "sphinx", "latex"):
            assert pdf[key] == value, key
    for key, value in config["sphinx"]["config"].items():
        if key != "extensions":
            assert pdf["sphinx"]["config"][key] == value, key


def test_student_pdf_files_drop_the_solutions(tmp_path):
    config_path, toc_path = pdf_edition.write_pdf_files("student", tmp_path)
    toc = yaml.safe_load(toc_path.read_text())
    config = yaml.safe_load(config_path.read_text())
    listed = json.dumps(toc)
    assert "solutions/" not in listed and "exercises/" in listed
    assert config["sphinx"]["config"]["hide_solutions"] is True
    assert config["execute"]["execute_notebooks"] == "off"
    assert {"pdf_edition", "student_edition"} <= set(config["sphinx"]["config"]["extensions"])
    with pytest.raises(ValueError, match="edition must be one of"):
        pdf_edition.write_pdf_files("teacher", tmp_path)


def _interactive_notebooks() -> list[Path]:
    return [
        _source(name) for name in toc_files()
        if _source(name).suffix == ".ipynb" and 'class=\\"smx-figure' in _source(name).read_text()
    ]


@pytest.mark.parametrize("path", _interactive_notebooks(), ids=lambda p: p.name)
def test_interactive_figures_get_a_static_picture_and_the_note(path):
    notebook = json.loads(path.read_text())
    expected = sum(
        'class="smx-figure' in "".join(o.get("data", {}).get("text/html", ""))
        for c in notebook["cells"] for o in c.get("outputs", [])
    )
    assert pdf_edition.static_interactive_figures(notebook) == expected > 0
    for cell in notebook["cells"]:
        meta = cell.get("metadata", {}).get("mystnb", {})
        if pdf_edition.SLIDERS_NOTE in meta.get("figure", {}).get("caption", ""):
            picture = next(o["data"]["image/png"] for o in cell["outputs"] if "image/png" in o.get("data", {}))
            png = base64.b64decode(picture)
            assert png.startswith(b"\x89PNG")
            width = int.from_bytes(png[16:20], "big")
            assert width >= 1200, f"the static picture is {width} px wide, not print resolution"
            assert not any("text/html" in o.get("data", {}) for o in cell["outputs"])
            assert meta["image"]["alt"].startswith("Bars of the probabilities")
            expected -= 1
    assert expected == 0, "an interactive figure's caption lacks the note about the sliders"


def test_latex_errors_reads_errors_and_missing_glyphs():
    log = "ok\n! Undefined control sequence.\nl.12 \\foo\nMissing character: There is no ⊕ in font FreeSerif!\n"
    errors = pdf_edition.latex_errors(log)
    assert errors[0] == "! Undefined control sequence. l.12 \\foo"
    assert errors[1].startswith("Missing character")
    assert pdf_edition.latex_errors("Output written on book.pdf (3 pages).\n") == []


def test_require_program_accepts_a_file_for_a_package_without_programs(tmp_path):
    font = tmp_path / "fonts" / "Font.otf"
    font.parent.mkdir()
    font.write_bytes(b"")
    result = subprocess.run(
        [str(ROOT / "tools" / "require-program"), "--for", "make pdf", "fonts-some", str(font)],
        capture_output=True, text=True,
    )
    assert result.returncode == 0 and result.stderr == ""


# ------------------------------------------------------------------ the builds


def _require_tools() -> None:
    missing = [program for program in PROGRAMS if shutil.which(program) is None]
    if not missing:
        return
    message = f"missing {', '.join(missing)}. {INSTALL_HINT}"
    opted_out = os.environ.get("SOFTMAXLAB_SKIP_PDF") == "1"
    required = bool(os.environ.get("CI")) or os.environ.get("SOFTMAXLAB_REQUIRE_PDF") == "1"
    if opted_out and not required:
        pytest.skip(message)
    pytest.fail(message, pytrace=False)


class Built:
    """One built edition: the PDF, its text page by page, its TeX log."""

    def __init__(self, edition: str, pdf: Path):
        self.edition = edition
        self.pdf = pdf
        text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True)
        self.pages = text.stdout.split("\f")
        self.words = _words(text.stdout)
        self.log = (pdf_edition.OUT / edition / "_build" / "latex" / f"{pdf_edition.TEX_NAME}.log").read_text(
            errors="replace"
        )

    def page_count(self) -> int:
        info = subprocess.run(["pdfinfo", str(self.pdf)], capture_output=True, text=True, check=True).stdout
        return int(re.search(r"^Pages:\s+(\d+)", info, flags=re.M).group(1))

    def contains(self, piece: str) -> bool:
        return piece in self.words or piece in self.words.replace("- ", "")


@pytest.fixture(scope="module", params=["full", "student"])
def built(request) -> Built:
    _require_tools()
    try:
        pdf = pdf_edition.build_pdf(request.param, strict=True)
    except pdf_edition.PdfBuildError as error:
        pytest.fail(str(error), pytrace=False)
    return Built(request.param, pdf)


def test_pdf_builds_without_latex_errors_or_unresolved_references(built):
    assert built.pdf.stat().st_size > 0
    assert pdf_edition.latex_errors(built.log) == []
    for sign in ("There were undefined references", "There were multiply-defined labels",
                 "undefined on input line", "Citation `"):
        assert sign not in built.log, f"{built.edition}: the LaTeX log says: {sign}"
    assert "??" not in built.words, f"{built.edition}: an unresolved reference ('??') in the text"


def test_every_chapter_and_exercise_title_is_in_the_pdf(built):
    missing = []
    for name in edition_docs(built.edition):
        titles = [title_of(name)] + ([exercise_title_of(name)] if name.startswith("exercises/") else [])
        for title in titles:
            missing += [f"{name}: {piece!r}" for piece in title_pieces(title) if not built.contains(piece)]
    assert not missing, f"{built.edition}: titles not found by pdftotext:\n" + "\n".join(missing)


def test_solutions_only_in_the_full_edition(built):
    solutions = [name for name in toc_files() if name.startswith("solutions/")]
    assert solutions
    found = [name for name in solutions if all(built.contains(p) for p in title_pieces(title_of(name)))]
    boxes = built.words.count(_words("Solution to Exercise"))
    if built.edition == "full":
        assert found == solutions
        assert boxes >= len(solutions)
    else:
        assert found == [] and boxes == 0, f"the student PDF holds solutions: {found}"


MIN_PRINT_PPI = 200


def test_every_figure_of_the_html_is_embedded(built):
    expected = sum(figures_in(name) for name in edition_docs(built.edition))
    listing = subprocess.run(["pdfimages", "-list", str(built.pdf)], capture_output=True, text=True, check=True)
    rows = [line.split() for line in listing.stdout.splitlines()[2:] if line.strip()]
    images = [row for row in rows if row[2] == "image"]
    assert len(images) == expected, f"{built.edition}: {len(images)} images embedded, the HTML shows {expected}"
    # Print resolution: notebook figures are stored at twice their displayed size and placed at that
    # size (softmaxlab.plotting.use_book_style, pdf_edition's pxunit); interactive ones at 300 dpi.
    low = [row for row in images if min(int(row[12]), int(row[13])) < MIN_PRINT_PPI]
    assert not low, f"{built.edition}: images printed below {MIN_PRINT_PPI} ppi (page, x-ppi, y-ppi): {low}"


def test_no_word_runs_off_the_paper(built):
    command = ["pdftotext", "-bbox", str(built.pdf), "-"]
    boxes = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    offenders = []
    for number, page in enumerate(re.split(r"<page ", boxes)[1:], start=1):
        width = float(re.match(r'width="([0-9.]+)"', page).group(1))
        words = re.findall(r'<word xMin="([0-9.-]+)" yMin="[^"]*" xMax="([0-9.-]+)"[^>]*>([^<]*)<', page)
        for x_min, x_max, word in words:
            if float(x_min) < 0 or float(x_max) > width:
                offenders.append(f"page {number}: {word!r} at x = {x_min}..{x_max} (page width {width})")
    assert not offenders, f"{built.edition}: text beyond the paper's edge:\n" + "\n".join(offenders[:20])


def test_page_count_in_range(built):
    documents = len(edition_docs(built.edition))
    pages = built.page_count()
    # Every document starts a chapter on a new page; a runaway (an output printed without wrapping or
    # truncation, a figure per page) would take far more than 40 pages a document.
    assert documents <= pages <= 40 * documents, f"{built.edition}: {pages} pages for {documents} documents"


# Only the student edition's parameter: the full edition is built first (the fixture's first parameter).
@pytest.mark.parametrize("built", ["student"], indirect=True)
def test_student_edition_is_the_full_one_without_the_solutions(built):
    full = pdf_edition.OUT / pdf_edition.EDITIONS["full"]
    if not full.exists():
        pytest.skip("the full edition was not built in this run")
    full_pages = Built("full", full).page_count()
    solutions = sum(name.startswith("solutions/") for name in toc_files())
    assert built.page_count() + solutions <= full_pages


def _render(built: Built, page: int, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    stem = SCREENSHOTS / f"pdf-{built.edition}-{name}"
    subprocess.run(
        ["pdftoppm", "-png", "-r", "80", "-singlefile", "-f", str(page), "-l", str(page), str(built.pdf), str(stem)],
        check=True,
    )
    return stem.with_suffix(".png")


def test_pages_rendered_for_a_person_to_look_at(built):
    """The first page of chapter 1, and the page of the first interactive figure (full) or exercise (student)."""
    import matplotlib.image

    chapter = [name for name in toc_files() if name.startswith("chapters/")][0]
    first = _words(title_of(chapter))
    chapter_page = next(i for i, text in enumerate(built.pages, 1)  # "CHAPTER ONE / THE SOFTMAX FUNCTION"
                        if _words(text).startswith("chapter") and first in _words(text)[:200])
    if built.edition == "full":
        note = _words(pdf_edition.SLIDERS_NOTE)[:40]
        other = next(i for i, text in enumerate(built.pages, 1) if note in _words(text))
    else:
        statement = _words("Exercise 1 (")
        other = next(i for i, text in enumerate(built.pages, 1) if statement in _words(text))
    for page, name in ((chapter_page, "chapter-1"), (other, "figure" if built.edition == "full" else "exercise")):
        png = _render(built, page, name)
        pixels = matplotlib.image.imread(png)
        assert pixels.shape[0] > 800 and pixels.shape[1] > 500
        assert pixels.std() > 0.05, f"{png} is (nearly) blank"
