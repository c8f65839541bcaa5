"""Accessibility: figures a reader can find and a screen reader can read, pages axe-core accepts.

Every figure of the chapters, exercises and solutions (a code cell whose output is an image, or one of the interactive
figures of ``softmaxlab.interactive``) carries myst-nb cell metadata::

    "mystnb": {"figure": {"caption": "...", "name": "fig-..."}, "image": {"alt": "..."}}

so the book shows it with a numbered caption and gives its <img> an alt text that describes
what it shows (without it, a screen reader reads out the image's file name). The checks here
need no build: each figure has a caption, a unique ``fig-`` name and (for images) an alt text;
the chapter's text refers to it with ``{numref}``; and no caption or alt text types a number
that the notebook's code prints (as tests/test_glue.py demands of the prose).

The browser part lives in tests/test_book.py, beside the fixtures that build and serve the
book once: ``test_page_accessibility`` runs axe-core (the copy shipped by the
``axe-playwright-python`` package) over every page it visits, in the light and the dark theme,
fails on any critical or serious violation, and writes the full axe results to
``_build/screenshots/axe-report.json``; ``test_every_figure_is_captioned_in_the_html`` checks the
built pages. The helpers they use are here.
"""

from __future__ import annotations

import html.parser
import json
import re
from pathlib import Path

import nbformat
import pytest

from conftest import ROOT
from test_glue import GLUED, NUMBER, printed_numbers, typed_in_code

CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))
#: Every notebook whose figures the book shows: the chapters, the exercises and the solutions.
NOTEBOOKS = CHAPTERS + sorted((ROOT / "exercises").glob("*.ipynb")) + sorted((ROOT / "solutions").glob("*.ipynb"))
FIGURE_NAME = re.compile(r"fig-[a-z0-9]+(?:-[a-z0-9]+)*")
#: Impacts that fail the browser test; "moderate" and "minor" are reported, not failed.
FAILING_IMPACTS = ("critical", "serious")
MIN_CAPTION_CHARS = 40
MIN_ALT_CHARS = 100


# ----------------------------------------------------------------------------------------------
# The figures of the chapters, from the notebooks


def figure_kind(cell) -> str | None:
    """The kind of figure a cell shows: "image", "interactive" (an HTML figure) or None."""
    if cell.cell_type != "code":
        return None
    kinds = set()
    for output in cell.get("outputs", []):
        data = output.get("data", {})
        if any(key.startswith("image/") for key in data):
            kinds.add("image")
        elif 'class="smx-figure' in str(data.get("text/html", "")):
            kinds.add("interactive")
    return "image" if "image" in kinds else ("interactive" if kinds else None)


def chapter_figures(path: Path) -> list[dict]:
    """One entry per figure cell of a notebook: index, kind, and its name, caption and alt text."""
    notebook = nbformat.read(path, as_version=4)
    figures = []
    for index, cell in enumerate(notebook.cells):
        kind = figure_kind(cell)
        if kind is None:
            continue
        meta = cell.metadata.get("mystnb", {})
        figures.append(
            {
                "index": index,
                "kind": kind,
                "name": meta.get("figure", {}).get("name", ""),
                "caption": meta.get("figure", {}).get("caption", ""),
                "alt": meta.get("image", {}).get("alt", ""),
            }
        )
    return figures


def _chapter_id(path: Path) -> str:
    return f"{path.parent.name}/{path.stem}"


def test_the_chapters_have_figures():
    assert sum(len(chapter_figures(p)) for p in CHAPTERS) >= 40


def test_the_solutions_have_figures():
    assert sum(len(chapter_figures(p)) for p in NOTEBOOKS if p.parent.name == "solutions") >= 12


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_chapter_id)
def test_every_figure_has_a_caption_a_name_and_alt_text(path):
    problems = []
    for fig in chapter_figures(path):
        where = f"cell {fig['index']}"
        if not FIGURE_NAME.fullmatch(fig["name"]):
            problems.append(f"{where}: mystnb.figure.name {fig['name']!r} is not of the form fig-words-like-this")
        if len(fig["caption"]) < MIN_CAPTION_CHARS:
            problems.append(f"{where}: mystnb.figure.caption is missing or shorter than {MIN_CAPTION_CHARS} characters")
        if fig["kind"] == "image":
            alt = fig["alt"]
            if len(alt) < MIN_ALT_CHARS:
                problems.append(f"{where}: mystnb.image.alt is missing or shorter than {MIN_ALT_CHARS} characters")
            if re.search(r"\.(png|svg|jpe?g)\b|_images/", alt):
                problems.append(f"{where}: the alt text names a file instead of describing the figure")
            if "$" in alt or "\\" in alt:
                problems.append(f"{where}: the alt text holds LaTeX, which a screen reader reads out verbatim")
            if alt == fig["caption"]:
                problems.append(f"{where}: the alt text repeats the caption instead of describing the picture")
    assert not problems, f"{path.name}:\n  " + "\n  ".join(problems)


def test_figure_names_are_unique_across_the_book():
    seen: dict[str, str] = {}
    duplicates = []
    for path in NOTEBOOKS:
        for fig in chapter_figures(path):
            if fig["name"] in seen:
                duplicates.append(f"{fig['name']} in {seen[fig['name']]} and {path.name}")
            seen[fig["name"]] = path.name
    assert not duplicates, duplicates


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_chapter_id)
def test_the_text_refers_to_every_figure_by_number(path):
    notebook = nbformat.read(path, as_version=4)
    prose = "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "markdown")
    referenced = set(re.findall(r"\{numref\}`(?:[^`<]*<)?(fig-[^`>]+)>?`", prose))
    unreferenced = [fig["name"] for fig in chapter_figures(path) if fig["name"] not in referenced]
    assert not unreferenced, f"{path.name}: figures the text never cites with {{numref}}: {unreferenced}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_chapter_id)
def test_no_caption_or_alt_text_copies_a_printed_number(path):
    """A caption describes; a computed value it needs comes through {glue:text}, never typed."""
    notebook = nbformat.read(path, as_version=4)
    printed, literals = printed_numbers(notebook), typed_in_code(notebook)
    copied = []
    for fig in chapter_figures(path):
        for field in ("caption", "alt"):
            for number in NUMBER.findall(GLUED.sub("", fig[field])):
                if number in printed and number.lstrip("-") not in literals:
                    copied.append((fig["name"], field, number))
    assert not copied, f"{path.name}: numbers copied from outputs into figure texts: {copied}"


# ----------------------------------------------------------------------------------------------
# The figures of the chapters, in the built HTML (used by tests/test_book.py)


class _FigureParser(html.parser.HTMLParser):
    """Collects each <figure id=...>: its caption number and text, and the alt of its images."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.figures: dict[str, dict] = {}
        self.images: list[str | None] = []
        self._stack: list[dict | None] = []  # one entry per open <figure>
        self._in_caption = 0
        self._span: list[str] = []

    def _current(self) -> dict | None:
        return next((f for f in reversed(self._stack) if f is not None), None)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "figure":
            fig = None
            if (attrs.get("id") or "").startswith("fig-"):
                fig = self.figures.setdefault(attrs["id"], {"number": "", "caption": "", "alts": []})
            self._stack.append(fig)
        elif tag == "img":
            self.images.append(attrs.get("alt"))
            fig = self._current()
            if fig is not None:
                fig["alts"].append(attrs.get("alt"))
        elif tag == "figcaption" and self._stack and self._stack[-1] is not None:
            self._in_caption += 1
        elif tag == "span" and self._in_caption:
            self._span.append(attrs.get("class") or "")

    def handle_endtag(self, tag):
        if tag == "figure" and self._stack:
            self._stack.pop()
        elif tag == "figcaption" and self._in_caption:
            self._in_caption -= 1
        elif tag == "span" and self._in_caption and self._span:
            self._span.pop()

    def handle_data(self, data):
        fig = self._current()
        if self._in_caption and fig is not None:
            if "caption-number" in (self._span[-1] if self._span else ""):
                fig["number"] += data
            else:
                fig["caption"] += data


def built_figures(page_html: str) -> tuple[dict[str, dict], list[str | None]]:
    """The named figures of a built page (number, caption text, alts) and the alt of every <img>."""
    parser = _FigureParser()
    parser.feed(page_html)
    return parser.figures, parser.images


def figure_problems_in_html(path: Path, page_html: str) -> list[str]:
    """What is wrong with the figures of notebook ``path`` in its built page.

    A chapter's figures are numbered "Fig. <chapter>.N"; those of exercises and solutions carry
    whatever number the toc gives their part, but a number all the same.
    """
    problems = []
    figures, images = built_figures(page_html)
    chapter = rf"{int(path.stem[:2])}\.\d+" if path.parent.name == "chapters" else r"\d+(?:\.\d+)*"
    for fig in chapter_figures(path):
        built = figures.get(fig["name"])
        if built is None:
            problems.append(f"{fig['name']}: no <figure id={fig['name']!r}> on the page")
            continue
        if not re.fullmatch(rf"Fig\. {chapter}\s*", built["number"]):
            problems.append(f"{fig['name']}: caption number {built['number']!r}, expected 'Fig. {chapter}'")
        if not built["caption"].strip():
            problems.append(f"{fig['name']}: empty <figcaption>")
        if fig["kind"] == "image" and built["alts"] != [fig["alt"]]:
            problems.append(f"{fig['name']}: <img alt> is {built['alts']!r}, not the metadata's alt text")
    for alt in images:
        if alt is None or re.search(r"_images/|\.(png|svg|jpe?g)$", alt):
            problems.append(f"an <img> whose alt text is {alt!r}")
    return problems


# ----------------------------------------------------------------------------------------------
# axe-core in the browser (used by tests/test_book.py)


def run_axe(page) -> dict:
    """Run axe-core on an open Playwright page; return its results (JSON-able)."""
    from axe_playwright_python.sync_playwright import Axe

    # Every rule axe enables by default; full details for violations and incomplete checks.
    options = {"resultTypes": ["violations", "incomplete"]}
    return Axe().run(page, options=options).response


def failing_violations(results: dict) -> list[str]:
    """One line per critical or serious violation: rule, impact, count, the first few targets."""
    lines = []
    for violation in results.get("violations", []):
        if violation.get("impact") in FAILING_IMPACTS:
            targets = [" ".join(map(str, node["target"])) for node in violation["nodes"][:3]]
            lines.append(
                f"{violation['id']} ({violation['impact']}, {len(violation['nodes'])} elements: "
                f"{violation['help']}): {targets}"
            )
    return lines


def violation_counts(results: dict) -> dict[str, int]:
    """{"rule (impact)": number of elements} for every violation, failing or not."""
    return {f"{v['id']} ({v['impact']})": len(v["nodes"]) for v in results.get("violations", [])}


def write_axe_report(path: Path, pages: dict[str, dict]) -> None:
    """The full axe results per page and theme, with a summary first."""
    summary: dict[str, dict] = {}
    for _key, results in sorted(pages.items()):
        for rule, count in violation_counts(results).items():
            entry = summary.setdefault(rule, {"pages": 0, "elements": 0})
            entry["pages"] += 1
            entry["elements"] += count
    report = {
        "axe_version": next((r.get("testEngine", {}).get("version") for r in pages.values()), None),
        "pages_checked": len(pages),
        "violations_by_rule": summary,
        "pages": pages,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=1, sort_keys=True) + "\n")


def test_alt_text_parser_reads_a_sphinx_figure():
    page = (
        '<figure class="align-default" id="fig-demo"><div class="cell_output">'
        '<img alt="Bars &amp; a curve" src="../_images/x.png" /></div>'
        '<figcaption><p><span class="caption-number">Fig. 1.2 </span>'
        '<span class="caption-text">Look at the bars.</span></p></figcaption></figure>'
        '<img alt="../_images/y.png" src="../_images/y.png" />'
    )
    figures, images = built_figures(page)
    assert figures == {"fig-demo": {"number": "Fig. 1.2 ", "caption": "Look at the bars.", "alts": ["Bars & a curve"]}}
    assert images == ["Bars & a curve", "../_images/y.png"]
