"""Test layers 4 and 5: the book builds with warnings as errors, and works in a real browser.

Layer 4. The build is the one ``make book`` runs (Jupyter Book, cache-mode
execution), with ``-W -n --keep-going``; it leaves ``_build/html``.

Layer 5. Playwright drives Debian's Chromium (``/usr/bin/chromium``; the
browsers Playwright downloads itself are not needed) over every page of that
build, served by a loopback HTTP server the test starts, and over chapter 1
opened straight from disk (``file://``). Every page must show zero console
errors, zero failed requests, zero requests outside the book's own origin or
folder (anything else is blocked and reported: the book must work offline),
every math expression rendered by the local MathJax with no error nodes, every
image loaded, and every internal link pointing at a page and anchor that exist.
The interactive figures of chapters 1 and 5 must respond to their sliders.
Screenshots of chapter 1 in the light and the dark theme are written to
``_build/screenshots/``. axe-core checks every page in both themes for
accessibility: no critical or serious violation may remain, and the full results
go to ``_build/screenshots/axe-report.json``. Every figure of the chapters has a
numbered caption and an alt text in the built pages (tests/test_accessibility.py
holds the helpers and the checks that need no build).

Without Chromium the browser tests FAIL, with a message saying what to
install (``sudo apt-get install chromium`` on Debian and Ubuntu; ``make test``
first installs it itself where that needs no password: ``tools/require-program``),
so that a missing browser is never mistaken for a passing layer; in CI (the
environment variable ``CI`` set: ``tests/conftest.py`` then sets
``SOFTMAXLAB_REQUIRE_BROWSER=1``) that is always so. A reader who deliberately
wants to run the other layers without a browser sets
``SOFTMAXLAB_SKIP_BROWSER=1``, which turns the failure into a skip (outside
CI only). ``SOFTMAXLAB_CHROMIUM=/path/to/chrome`` picks another Chromium-based
browser.
"""

from __future__ import annotations

import functools
import html.parser
import http.server
import json
import math
import re
import threading
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlsplit

import pytest

from browser import chromium
from conftest import ROOT, build_book
from test_accessibility import NOTEBOOKS, failing_violations, figure_problems_in_html, run_axe, write_axe_report
from test_structure import toc_files

HTML = ROOT / "_build" / "html"
SCREENSHOTS = ROOT / "_build" / "screenshots"
REPORT = ROOT / "_build" / "browser-report.json"
AXE_REPORT = SCREENSHOTS / "axe-report.json"

#: Pages the build adds to the toc's: Sphinx's index, module index and search, sphinx-proof's index.
GENERATED_PAGES = ["genindex", "py-modindex", "search", "prf-prf"]

# ----------------------------------------------------------------------------------------------
# Layer 4: the build


@pytest.fixture(scope="module")
def built_book() -> Path:
    build_book(what="the book")
    return HTML


def test_book_builds_with_warnings_as_errors(built_book):
    assert (built_book / "index.html").exists()


def test_every_toc_page_is_rendered(built_book):
    missing = [name for name in toc_files() if not (built_book / f"{name}.html").exists()]
    assert not missing, f"pages missing from the build: {missing}"


def test_chapter_one_has_math_and_figures(built_book):
    page = (built_book / "chapters" / "01_definition.html").read_text()
    assert "math notranslate" in page, "chapter 1 renders no math"
    assert page.count("<img") >= 2, "chapter 1 shows fewer than two figures"


def test_every_figure_is_captioned_in_the_html(built_book):
    """Each figure is a <figure> with "Fig. N.M" (chapters) or a number in its <figcaption>; its <img alt> is its
    description. The chapters, exercises and solutions."""
    problems = []
    for path in NOTEBOOKS:
        page = built_book / path.parent.name / f"{path.stem}.html"
        problems += [f"{path.parent.name}/{path.stem}: {p}" for p in figure_problems_in_html(path, page.read_text())]
    assert not problems, "\n  ".join(["figures without a numbered caption or alt text:", *problems])


def test_every_notebook_is_downloadable_as_ipynb(built_book):
    """Each notebook page links its own .ipynb (the download button), and the file is there."""
    for name in toc_files():
        if not (ROOT / f"{name}.ipynb").exists():
            continue
        page = (built_book / f"{name}.html").read_text()
        depth = name.count("/")
        href = "../" * depth + f"_sources/{name}.ipynb"
        assert f'href="{href}"' in page, f"{name}.html has no download link to {href}"
        assert (built_book / "_sources" / f"{name}.ipynb").is_file(), f"{href} is missing from the build"


def test_api_page_documents_every_public_module():
    """reference/api.md autodocs every public module of softmaxlab, and nothing that is gone."""
    lib = ROOT / "lib" / "softmaxlab"
    modules = set()
    for path in lib.rglob("*.py"):
        parts = list(path.relative_to(lib).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        if parts and not any(p.startswith("_") for p in parts):
            modules.add("softmaxlab." + ".".join(parts))
    api = (ROOT / "reference" / "api.md").read_text()
    documented = set(re.findall(r"^\.\. automodule:: (\S+)", api, flags=re.M)) - {"softmaxlab"}
    assert modules - documented == set(), f"modules missing from reference/api.md: {sorted(modules - documented)}"
    assert documented - modules == set(), f"reference/api.md documents missing modules: {sorted(documented - modules)}"


# ----------------------------------------------------------------------------------------------
# Layer 5: the browser


@pytest.fixture(scope="module")
def browser_context(tmp_path_factory):
    """A headless Chromium with a fresh profile (user-data-dir); module-wide, pages are cheap."""
    with chromium(tmp_path_factory.mktemp("chromium-profile")) as context:
        yield context


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass


@pytest.fixture(scope="module")
def book_server(built_book):
    """``make serve`` in miniature: _build/html on a free loopback port; yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(built_book))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()


class PageVisit:
    """Everything one page load did: requests, failures, console errors; the open page itself."""

    def __init__(self, context, url: str, allowed_prefix: str, *, color_scheme: str = "light", settle: bool = True):
        self.requests: list[str] = []
        self.blocked: list[str] = []
        self.failed: list[str] = []
        self.errors: list[str] = []
        self.page = context.new_page()
        # Reduced motion: the figures' bars then resize at once, so measured widths are final.
        self.page.emulate_media(color_scheme=color_scheme, reduced_motion="reduce")
        self.allowed_prefix = allowed_prefix

        def route(route_, request):
            if request.url.startswith(allowed_prefix):
                route_.continue_()
            else:  # never let the book reach the network
                self.blocked.append(request.url)
                route_.abort()

        self.page.route("**/*", route)
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("requestfailed", self._request_failed)
        self.page.on("response", lambda r: r.status >= 400 and self.failed.append(f"{r.status} {r.url}"))
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(f"console: {m.text}"))
        self.page.on("pageerror", lambda e: self.errors.append(f"page error: {e}"))
        self.page.goto(url, wait_until="load")
        if settle:
            self.settle()

    def settle(self):
        """Wait for MathJax to finish typesetting and for every image to load (or fail)."""
        self.page.evaluate(WAIT_FOR_PAGE)

    def _request_failed(self, request):
        if request.url not in self.blocked:
            self.failed.append(f"{request.failure} {request.url}")

    def problems(self) -> list[str]:
        return (
            [f"request outside the book: {u}" for u in self.blocked]
            + [f"failed request: {f}" for f in self.failed]
            + self.errors
        )

    def close(self):
        self.page.close()


#: Resolves once MathJax (if the page loads it) has typeset and every image has loaded or failed.
WAIT_FOR_PAGE = """async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) { await MathJax.startup.promise; }
  const images = Array.from(document.images);
  images.forEach(img => { img.loading = "eager"; });
  await Promise.all(images.map(img => img.complete ? null :
      new Promise(done => { img.addEventListener("load", done); img.addEventListener("error", done); })));
}"""

#: Facts about the rendered page that the checks need.
PAGE_FACTS = """() => ({
  mathElements: document.querySelectorAll(".math").length,
  unrenderedMath: Array.from(document.querySelectorAll(".math"))
      .filter(el => !el.querySelector("mjx-container")).map(el => el.textContent.slice(0, 80)),
  renderedMath: document.querySelectorAll("mjx-container").length,
  mathErrors: Array.from(document.querySelectorAll("mjx-merror"))
      .map(el => el.getAttribute("data-mjx-error") || el.textContent),
  brokenImages: Array.from(document.images)
      .filter(img => !(img.complete && img.naturalWidth > 0)).map(img => img.currentSrc || img.src),
  images: document.images.length,
  markupErrors: Array.from(document.querySelectorAll(".problematic, .system-message"))
      .map(el => el.textContent.slice(0, 80)),
  links: Array.from(document.querySelectorAll("a[href]")).map(a => a.href),
  ids: Array.from(document.querySelectorAll("[id]")).map(el => el.id)
      .concat(Array.from(document.querySelectorAll("a[name]")).map(a => a.name)),
})"""


class _IdCollector(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        for key, value in attrs:
            if key == "id" or (tag == "a" and key == "name"):
                self.ids.add(value or "")


@functools.cache
def ids_in(path: Path) -> frozenset[str]:
    collector = _IdCollector()
    collector.feed(path.read_text(errors="replace"))
    return frozenset(collector.ids)


def broken_links(links: list[str], page_ids: list[str], page_url: str, base: str, root: Path) -> list[str]:
    """Links into the book (``base`` prefix) whose file or anchor does not exist."""
    broken = []
    page_path = urlsplit(page_url).path
    for link in links:
        if not link.startswith(base):
            continue
        target, fragment = urldefrag(link)
        rel = unquote(urlsplit(target).path[len(urlsplit(base).path):])
        path = root / rel
        if path.is_dir():
            path = path / "index.html"
        if not path.is_file():
            broken.append(f"{link} (no such file)")
            continue
        if not fragment:
            continue
        anchor = unquote(fragment)
        if urlsplit(target).path == page_path:
            present = anchor in page_ids
        else:
            present = path.suffix == ".html" and anchor in ids_in(path)
        if not present:
            broken.append(f"{link} (no such anchor)")
    return broken


@pytest.fixture(scope="module")
def browser_report():
    """What the browser layer saw, page by page; written to _build/browser-report.json at the end."""
    report: dict = {"pages": {}}
    yield report
    pages = report["pages"].values()
    report["totals"] = {
        "pages": len(report["pages"]),
        "requests": sum(p["requests"] for p in pages),
        "requests_outside_the_book": sum(p["outside"] for p in pages),
        "rendered_math": sum(p["math"] for p in pages),
        "images": sum(p["images"] for p in pages),
        "internal_links": sum(p["internal_links"] for p in pages),
    }
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(json.dumps(report, indent=1, sort_keys=True) + "\n")


def _pages() -> list[str]:
    return [*toc_files(), *GENERATED_PAGES]


def test_every_built_page_is_checked(built_book):
    """The browser layer visits every HTML page of the book (none slips past the checks)."""
    built = {
        str(p.relative_to(built_book).with_suffix(""))
        for p in built_book.rglob("*.html")
        if not p.relative_to(built_book).parts[0].startswith("_")
    }
    unchecked = built - set(_pages()) - {"index"}  # index.html only redirects to the root page
    assert not unchecked, (
        f"pages the browser layer does not visit: {sorted(unchecked)} (a new generated page belongs "
        "in GENERATED_PAGES; stale pages of an earlier build go away with `make clean`)"
    )


@pytest.mark.browser
@pytest.mark.parametrize("name", _pages())
def test_page_in_browser(name, browser_context, book_server, built_book, browser_report):
    visit = PageVisit(browser_context, f"{book_server}{name}.html", book_server)
    try:
        facts = visit.page.evaluate(PAGE_FACTS)
        browser_report["pages"][name] = {
            "requests": len(visit.requests),
            "outside": len(visit.blocked),
            "math": facts["renderedMath"],
            "images": facts["images"],
            "internal_links": sum(link.startswith(book_server) for link in facts["links"]),
        }
        problems = visit.problems()
        problems += [f"MathJax error: {e}" for e in facts["mathErrors"]]
        problems += [f"math not rendered: {m!r}" for m in facts["unrenderedMath"]]
        problems += [f"image not loaded: {src}" for src in facts["brokenImages"]]
        problems += [f"reST/MyST markup error shown on the page: {m!r}" for m in facts["markupErrors"]]
        problems += [
            f"broken internal link: {link}"
            for link in broken_links(facts["links"], facts["ids"], visit.page.url, book_server, built_book)
        ]
        if name.startswith("chapters/"):
            if facts["renderedMath"] == 0:
                problems.append("a chapter page with no rendered math")
        assert not problems, f"{name}.html:\n  " + "\n  ".join(problems)
        assert visit.requests and all(u.startswith(book_server) for u in visit.requests)
    finally:
        visit.close()


@pytest.fixture(scope="module")
def axe_report():
    """axe-core's results per theme and page; written to _build/screenshots/axe-report.json at the end."""
    pages: dict[str, dict] = {}
    yield pages
    if pages:
        write_axe_report(AXE_REPORT, pages)


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("name", _pages())
def test_page_accessibility(name, scheme, browser_context, book_server, axe_report):
    """axe-core (every rule it enables by default) finds no critical or serious violation."""
    visit = PageVisit(browser_context, f"{book_server}{name}.html", book_server, color_scheme=scheme)
    try:
        theme = visit.page.evaluate("() => document.documentElement.dataset.theme")
        assert theme == scheme, f"the theme is {theme!r} under prefers-color-scheme: {scheme}"
        # The page's own requests and errors, checked before axe-core runs: axe preloads the
        # stylesheets and resolves the theme's @import "../basic.css" against the page instead
        # of the stylesheet, asking for a /basic.css that no page refers to.
        assert not visit.problems(), visit.problems()
        results = run_axe(visit.page)
        axe_report[f"{scheme}:{name}"] = results
        failing = failing_violations(results)
        assert not failing, f"{name}.html, {scheme} theme, axe-core violations:\n  " + "\n  ".join(failing)
    finally:
        visit.close()


def test_index_redirects_to_the_first_page(browser_context, book_server, built_book):
    visit = PageVisit(browser_context, book_server, book_server, settle=False)
    try:
        visit.page.wait_for_url(f"{book_server}{toc_files()[0]}.html")
        visit.page.wait_for_load_state("load")
        visit.settle()
        assert not visit.problems(), visit.problems()
    finally:
        visit.close()


# -- the interactive figures --------------------------------------------------------------------

FIGURE_STATE = """fig => Array.from(fig.querySelectorAll(".smx-row")).map(row => ({
  shown: row.querySelector(".smx-prob").textContent,
  p: parseFloat(row.querySelector(".smx-bar").getAttribute("data-p")),
  width: row.querySelector(".smx-bar").getBoundingClientRect().width,
  highlighted: row.querySelector(".smx-bar").classList.contains("smx-bar-max"),
}))"""


def _entropy(ps: list[float]) -> float:
    return -sum(p * math.log(p) for p in ps if p > 0)


def check_slider_figure(page) -> int:
    """Move the score sliders through several settings; return how many were checked."""
    figure = page.locator("figure.smx-sliders").first
    assert figure.get_attribute("data-smx-ready") == "true", "the slider figure's script did not run"
    sliders = figure.locator("input.smx-score-input")
    n = sliders.count()
    assert n >= 2
    assert all(sliders.nth(i).is_enabled() for i in range(n))
    low, high = float(sliders.first.get_attribute("min")), float(sliders.first.get_attribute("max"))
    settings = [
        [high - i * (high - low) / n for i in range(n)],  # decreasing scores
        [low + i * (high - low) / n for i in range(n)],  # increasing scores
        [low] * (n - 1) + [high],  # one dominant score
        [0.5 * (low + high)] * n,  # all tied: uniform
        [round(low + (high - low) * ((7 * i + 3) % 11) / 10, 1) for i in range(n)],
    ]
    before = figure.evaluate(FIGURE_STATE)
    for scores in settings:
        for i, z in enumerate(scores):
            sliders.nth(i).fill(str(z))
        state = figure.evaluate(FIGURE_STATE)
        shown = [float(row["shown"]) for row in state]
        ps = [row["p"] for row in state]
        widths = [row["width"] for row in state]
        expected = [math.exp(z - max(scores)) for z in scores]
        expected = [e / sum(expected) for e in expected]
        assert ps == pytest.approx(expected, rel=1e-9, abs=1e-12), (scores, ps)
        assert abs(sum(shown) - 1) <= 0.0005 * n + 1e-12, f"displayed probabilities {shown} do not sum to 1"
        assert float(figure.locator(".smx-sum").text_content()) == pytest.approx(1.0, abs=0.0005)
        top = max(range(n), key=lambda i: scores[i])
        assert widths[top] == pytest.approx(max(widths), abs=0.5), f"largest score {top} lacks the largest bar"
        assert state[top]["highlighted"]
        assert widths != [row["width"] for row in before] or scores == settings[0]
        before = state
    return len(settings)


def check_temperature_figure(page) -> list[float]:
    """Step the temperature slider from coldest to hottest; return the entropies seen."""
    figure = page.locator("figure.smx-temperature").first
    assert figure.get_attribute("data-smx-ready") == "true", "the temperature figure's script did not run"
    slider = figure.locator("input.smx-temperature-input")
    assert slider.is_enabled()
    steps = int(slider.get_attribute("max"))
    entropies, tops, shown_h = [], [], []
    for index in range(0, steps + 1, max(1, steps // 12)):
        slider.fill(str(index))
        state = figure.evaluate(FIGURE_STATE)
        ps = [row["p"] for row in state]
        shown = [float(row["shown"]) for row in state]
        assert abs(sum(shown) - 1) <= 0.0005 * len(shown) + 1e-12
        entropies.append(_entropy(ps))
        tops.append(max(ps))
        shown_h.append(float(figure.locator(".smx-entropy").text_content()))
        assert shown_h[-1] == pytest.approx(entropies[-1], abs=0.0005)
    assert all(b >= a - 1e-12 for a, b in zip(entropies, entropies[1:])), f"entropy fell as T rose: {entropies}"
    assert entropies[-1] > entropies[0] + 0.1, "the distribution did not get flatter as T rose"
    assert all(b <= a + 1e-12 for a, b in zip(tops, tops[1:])), f"the top probability grew with T: {tops}"
    return entropies


@pytest.mark.browser
def test_chapter_one_sliders(browser_context, book_server):
    visit = PageVisit(browser_context, f"{book_server}chapters/01_definition.html", book_server)
    try:
        assert visit.page.locator("figure.smx-sliders").count() >= 1, "chapter 1 has no slider figure"
        assert check_slider_figure(visit.page) >= 5
        assert not visit.problems(), visit.problems()
    finally:
        visit.close()


@pytest.mark.browser
def test_chapter_five_temperature_slider(browser_context, book_server):
    visit = PageVisit(browser_context, f"{book_server}chapters/05_argmax_limit.html", book_server)
    try:
        assert visit.page.locator("figure.smx-temperature").count() >= 1, "chapter 5 has no temperature slider"
        check_temperature_figure(visit.page)
        assert not visit.problems(), visit.problems()
    finally:
        visit.close()


@pytest.mark.browser
def test_chapter_one_from_disk(browser_context, built_book):
    """Opened as a file (no server): everything loads from the book's folder, math and sliders work."""
    folder = built_book.resolve().as_uri() + "/"
    visit = PageVisit(browser_context, f"{folder}chapters/01_definition.html", folder)
    try:
        facts = visit.page.evaluate(PAGE_FACTS)
        assert facts["renderedMath"] > 0 and not facts["mathErrors"] and not facts["unrenderedMath"]
        assert not facts["brokenImages"], facts["brokenImages"]
        assert check_slider_figure(visit.page) >= 5
        assert not visit.problems(), visit.problems()
        assert all(u.startswith(folder) for u in visit.requests)
    finally:
        visit.close()


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_chapter_one_screenshots(scheme, browser_context, book_server):
    visit = PageVisit(browser_context, f"{book_server}chapters/01_definition.html", book_server, color_scheme=scheme)
    try:
        theme = visit.page.evaluate("() => document.documentElement.dataset.theme")
        assert theme == scheme, f"the theme is {theme!r} under prefers-color-scheme: {scheme}"
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page_png = SCREENSHOTS / f"chapter01-{scheme}.png"
        figure_png = SCREENSHOTS / f"chapter01-sliders-{scheme}.png"
        visit.page.screenshot(path=str(page_png), full_page=True)
        figure = visit.page.locator("figure.smx-sliders").first
        figure.scroll_into_view_if_needed()
        figure.screenshot(path=str(figure_png))
        assert page_png.stat().st_size > 10_000 and figure_png.stat().st_size > 1_000
        assert not visit.problems(), visit.problems()
    finally:
        visit.close()


def test_each_exercise_page_links_to_its_solution_and_back(built_book):
    """Exercise pages link to their solution page; the solution's title links back to the exercise."""
    pages = sorted((built_book / "exercises").glob("*.html"))
    assert pages, "no exercise pages were built"
    for page in pages:
        solution = built_book / "solutions" / page.name
        assert solution.exists(), f"no solution page for {page.name}"
        assert f'href="../solutions/{page.name}' in page.read_text(), f"{page.name} does not link to its solution"
        back = rf'href="\.\./exercises/{re.escape(page.name)}#ex-'
        assert re.search(back, solution.read_text()), f"solutions/{page.name} does not link back to its exercise"
