"""Tests for softmaxlab.interactive: the kernel-free slider figures.

The Python side writes deterministic HTML with the initial state already drawn;
the script ``_static/softmax-figures.js`` makes it live. The HTML is checked by
parsing it here; the script is checked in Chromium on a page two folders deep,
loaded from disk the way the built book loads it (``../_static/...``). The
built book's own figures are checked by the browser layer in test_book.py.
"""

from __future__ import annotations

import html.parser
import json
import math
import re
import shutil

import numpy as np
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import ROOT
from softmaxlab import softmax
from softmaxlab.interactive import InteractiveFigure, softmax_sliders, temperature_slider

SCRIPT = ROOT / "_static" / "softmax-figures.js"
STYLE = ROOT / "_static" / "softmax-figures.css"
SCORES = (3.0, 2.0, 1.0, 0.1)


class Element:
    def __init__(self, tag, attrs):
        self.tag, self.attrs, self.text = tag, dict(attrs), ""

    @property
    def classes(self) -> set[str]:
        return set((self.attrs.get("class") or "").split())


class Parsed(html.parser.HTMLParser):
    """Every element of an HTML fragment, with its attributes and direct text; checks nesting."""

    VOID = {"input", "br", "img", "meta", "link", "hr"}

    def __init__(self, markup: str):
        super().__init__()
        self.elements: list[Element] = []
        self.stack: list[Element] = []
        self.feed(markup)
        self.close()
        assert not self.stack, f"unclosed elements: {[e.tag for e in self.stack]}"

    def handle_starttag(self, tag, attrs):
        element = Element(tag, attrs)
        self.elements.append(element)
        if tag not in self.VOID:
            self.stack.append(element)

    def handle_endtag(self, tag):
        assert self.stack and self.stack[-1].tag == tag, f"</{tag}> closes {self.stack[-1].tag if self.stack else None}"
        self.stack.pop()

    def handle_data(self, data):
        if self.stack:
            self.stack[-1].text += data

    def find(self, cls: str) -> list[Element]:
        return [e for e in self.elements if cls in e.classes]


def _probabilities(parsed: Parsed) -> list[float]:
    return [float(e.text) for e in parsed.find("smx-prob")]


# -- softmax_sliders -----------------------------------------------------------------------------


def test_sliders_html_draws_the_initial_state():
    fig = softmax_sliders(scores=SCORES)
    parsed = Parsed(fig._repr_html_())
    (figure,) = parsed.find("smx-figure")
    assert figure.tag == "figure" and figure.attrs["data-smx-kind"] == "sliders"
    inputs = parsed.find("smx-score-input")
    assert [float(i.attrs["value"]) for i in inputs] == list(SCORES)
    assert all(i.attrs["type"] == "range" and "disabled" in i.attrs for i in inputs)
    assert {(float(i.attrs["min"]), float(i.attrs["max"]), float(i.attrs["step"])) for i in inputs} == {(-5, 5, 0.1)}
    assert [e.text for e in parsed.find("smx-score")] == ["3.0", "2.0", "1.0", "0.1"]
    expected = softmax(np.array(SCORES))
    assert _probabilities(parsed) == [round(float(p), 3) for p in expected]
    bars = parsed.find("smx-bar")
    assert [float(b.attrs["data-p"]) for b in bars] == pytest.approx(expected, abs=5e-7)
    widths = [float(re.match(r"width: ([0-9.]+)%;", b.attrs["style"]).group(1)) for b in bars]
    assert widths == pytest.approx(100 * expected, abs=0.005)
    assert ["smx-bar-max" in b.classes for b in bars] == [True, False, False, False]
    assert parsed.find("smx-sum")[0].text == "1.000"
    # every label points at its slider
    ids = {i.attrs["id"] for i in inputs}
    assert {lab.attrs["for"] for lab in parsed.elements if lab.tag == "label"} == ids


def test_sliders_html_is_deterministic_with_ids_from_the_arguments():
    first = softmax_sliders(scores=SCORES).html
    assert softmax_sliders(scores=list(SCORES)).html == first
    assert softmax_sliders(scores=np.array(SCORES)).html == first
    other = softmax_sliders(scores=(3.0, 2.0, 1.0, 0.2)).html
    fid = re.search(r'<figure[^>]* id="([^"]+)"', first).group(1)
    assert re.fullmatch(r"smx-sliders-[0-9a-f]{10}", fid)
    assert fid not in other
    assert softmax_sliders(scores=SCORES, figure_id="fig-a").html.count('id="fig-a') == 1 + len(SCORES)
    # nothing varies between runs: no random ids, no addresses, no times
    assert not re.search(r"0x[0-9a-f]{6,}|[0-9a-f]{32}|\d{4}-\d\d-\d\d", first)


def test_sliders_repr_and_equality():
    fig = softmax_sliders(scores=(1, 2))
    assert repr(fig) == "softmax_sliders(scores=[1.0, 2.0], low=-5.0, high=5.0, step=0.1)"
    assert fig == softmax_sliders(scores=(1.0, 2.0)) and fig != softmax_sliders(scores=(2.0, 1.0))
    assert isinstance(fig, InteractiveFigure) and fig._repr_html_() == fig.html


def test_sliders_title_is_escaped():
    parsed = Parsed(softmax_sliders(scores=SCORES, title="<b>z</b> & p").html)
    (title,) = parsed.find("smx-title")
    assert title.text == "<b>z</b> & p"
    assert not [e for e in parsed.elements if e.tag == "b"]


def test_sliders_ties_highlight_every_maximum_and_step_sets_the_digits():
    parsed = Parsed(softmax_sliders(scores=(2, 2, -1), low=-2, high=2, step=0.25).html)
    assert ["smx-bar-max" in b.classes for b in parsed.find("smx-bar")] == [True, True, False]
    assert [e.text for e in parsed.find("smx-score")] == ["2.00", "2.00", "-1.00"]
    assert parsed.find("smx-figure")[0].attrs["data-smx-decimals"] == "2"
    parsed = Parsed(softmax_sliders(scores=(0, 1), step=1).html)
    assert [e.text for e in parsed.find("smx-score")] == ["0", "1"]


@settings(max_examples=60)
@given(st.lists(st.floats(-5, 5, allow_nan=False).map(lambda v: round(v, 1)), min_size=2, max_size=10))
def test_sliders_displayed_probabilities_sum_to_one_and_keep_the_order(scores):
    parsed = Parsed(softmax_sliders(scores=scores).html)
    shown = _probabilities(parsed)
    assert abs(sum(shown) - 1) <= 0.0005 * len(scores) + 1e-12
    exact = [float(b.attrs["data-p"]) for b in parsed.find("smx-bar")]
    for i in range(len(scores)):
        for j in range(len(scores)):
            if scores[i] > scores[j]:
                assert exact[i] >= exact[j]
    top = max(range(len(scores)), key=scores.__getitem__)
    assert "smx-bar-max" in parsed.find("smx-bar")[top].classes


@pytest.mark.parametrize(
    ("kwargs", "error", "name"),
    [
        ({"scores": [[1.0, 2.0]]}, ValueError, "scores"),
        ({"scores": [1.0]}, ValueError, "scores"),
        ({"scores": list(range(11))}, ValueError, "scores"),
        ({"scores": [1.0, np.nan]}, ValueError, "scores"),
        ({"scores": [1.0, np.inf]}, ValueError, "scores"),
        ({"scores": [1 + 1j, 0]}, TypeError, "scores"),
        ({"scores": ["a", "b"]}, TypeError, "scores"),
        ({"scores": [1.0, 6.0]}, ValueError, "scores"),
        ({"scores": [0.0, 1.0], "low": 2.0, "high": 1.0}, ValueError, "low"),
        ({"scores": [0.0, 1.0], "low": "0"}, TypeError, "low"),
        ({"scores": [0.0, 1.0], "high": np.inf}, ValueError, "high"),
        ({"scores": [0.0, 1.0], "step": 0.0}, ValueError, "step"),
        ({"scores": [0.0, 1.0], "step": 20.0}, ValueError, "step"),
        ({"scores": [0.0, 1.0], "step": True}, TypeError, "step"),
        ({"scores": [0.0, 1.0], "title": 3}, TypeError, "title"),
        ({"scores": [0.0, 1.0], "figure_id": "a b"}, ValueError, "figure_id"),
        ({"scores": [0.0, 1.0], "figure_id": ""}, ValueError, "figure_id"),
    ],
)
def test_sliders_bad_input_names_the_argument(kwargs, error, name):
    with pytest.raises(error, match=rf"^{name}\b"):
        softmax_sliders(**kwargs)


# -- temperature_slider --------------------------------------------------------------------------


def test_temperature_html_draws_the_initial_state():
    temps = (0.25, 0.5, 1.0, 2.0, 4.0)
    parsed = Parsed(temperature_slider(scores=SCORES, temperatures=temps, temperature=2.0).html)
    (figure,) = parsed.find("smx-figure")
    assert figure.attrs["data-smx-kind"] == "temperature"
    assert json.loads(figure.attrs["data-smx-scores"]) == list(SCORES)
    assert json.loads(figure.attrs["data-smx-temperatures"]) == list(temps)
    (slider,) = parsed.find("smx-temperature-input")
    assert (slider.attrs["min"], slider.attrs["max"], slider.attrs["value"]) == ("0", "4", "3")
    assert parsed.find("smx-temperature-value")[0].text == "2.00"
    p = softmax(np.array(SCORES), temperature=2.0)
    assert _probabilities(parsed) == [round(float(v), 3) for v in p]
    entropy = -float(np.sum(p * np.log(p)))
    assert float(parsed.find("smx-entropy")[0].text) == pytest.approx(entropy, abs=5e-4)
    assert f"ln 4 = {math.log(4):.3f}" in figure_text(parsed)


def figure_text(parsed: Parsed) -> str:
    return " ".join(e.text for e in parsed.elements)


def test_temperature_default_grid_is_log_spaced_through_one():
    parsed = Parsed(temperature_slider(scores=SCORES).html)
    temps = np.array(json.loads(parsed.find("smx-figure")[0].attrs["data-smx-temperatures"]))
    assert temps[0] == pytest.approx(0.05) and temps[-1] == pytest.approx(20.0)
    assert np.all(np.diff(temps) > 0) and 1.0 in temps
    index = int(parsed.find("smx-temperature-input")[0].attrs["value"])
    assert temps[index] == 1.0


def test_temperature_start_is_the_nearest_on_a_log_scale():
    parsed = Parsed(temperature_slider(scores=SCORES, temperatures=(0.1, 1.0, 10.0), temperature=0.4).html)
    assert parsed.find("smx-temperature-input")[0].attrs["value"] == "1"  # log 0.4 is nearer log 1 than log 0.1


def test_temperature_entropy_grows_with_the_temperature():
    temps = np.geomspace(0.05, 20, 9)
    shown = []
    for t in temps:
        parsed = Parsed(temperature_slider(scores=SCORES, temperatures=temps, temperature=t).html)
        shown.append(float(parsed.find("smx-entropy")[0].text))
    assert shown == sorted(shown) and shown[-1] > shown[0]


@pytest.mark.parametrize(
    ("kwargs", "error", "name"),
    [
        ({"scores": [1.0]}, ValueError, "scores"),
        ({"temperatures": [1.0]}, ValueError, "temperatures"),
        ({"temperatures": [[1.0, 2.0]]}, ValueError, "temperatures"),
        ({"temperatures": [2.0, 1.0]}, ValueError, "temperatures"),
        ({"temperatures": [1.0, 1.0]}, ValueError, "temperatures"),
        ({"temperatures": [0.0, 1.0]}, ValueError, "temperatures"),
        ({"temperatures": [1.0, np.inf]}, ValueError, "temperatures"),
        ({"temperatures": ["a", "b"]}, TypeError, "temperatures"),
        ({"temperature": 0.0}, ValueError, "temperature"),
        ({"temperature": -1.0}, ValueError, "temperature"),
        ({"temperature": "1"}, TypeError, "temperature"),
        ({"title": 1}, TypeError, "title"),
        ({"figure_id": "x/y"}, ValueError, "figure_id"),
    ],
)
def test_temperature_bad_input_names_the_argument(kwargs, error, name):
    with pytest.raises(error, match=rf"^{name}\b"):
        temperature_slider(**{"scores": SCORES, **kwargs})


# -- the script and the book's configuration -----------------------------------------------------


def test_the_book_loads_the_script_and_style_on_every_page():
    config = yaml.safe_load((ROOT / "_config.yml").read_text())["sphinx"]["config"]
    assert SCRIPT.name in config["html_js_files"] and STYLE.name in config["html_css_files"]
    script = SCRIPT.read_text()
    assert "Math.exp((z[j] - m) / t)" in script, "the script must shift by the maximum"
    assert not re.search(r"https?://", script + STYLE.read_text()), "the figures must not fetch anything"


@pytest.mark.browser
def test_script_runs_the_figures_on_a_page_two_folders_deep(tmp_path, tmp_path_factory):
    """Load the figures like a chapter page does (../_static/...) from disk; move the sliders."""
    from browser import chromium

    (tmp_path / "_static").mkdir()
    (tmp_path / "chapters").mkdir()
    shutil.copy(SCRIPT, tmp_path / "_static")
    shutil.copy(STYLE, tmp_path / "_static")
    body = softmax_sliders(scores=SCORES).html + temperature_slider(scores=SCORES).html
    page_file = tmp_path / "chapters" / "page.html"
    page_file.write_text(
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>figures</title>'
        '<link rel="stylesheet" href="../_static/softmax-figures.css">'
        f'<script src="../_static/softmax-figures.js"></script></head><body>{body}</body></html>'
    )
    errors: list[str] = []
    with chromium(tmp_path_factory.mktemp("profile")) as context:
        page = context.new_page()
        page.on("console", lambda m: m.type == "error" and errors.append(m.text))
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(page_file.as_uri())
        assert page.locator(".smx-figure[data-smx-ready=true]").count() == 2
        # the script's softmax is stable: no overflow at 1000, no 0/0 at -1000
        assert page.evaluate("SoftmaxFigures.softmax([1000, 1000])") == [0.5, 0.5]
        assert page.evaluate("SoftmaxFigures.softmax([-1000, -1000, -1000])") == pytest.approx([1 / 3] * 3)
        assert page.evaluate("SoftmaxFigures.softmax([710, 0])") == pytest.approx([1.0, math.exp(-710)])
        assert page.evaluate("SoftmaxFigures.softmax([1, 2], 100)") == pytest.approx(
            softmax([1.0, 2.0], temperature=100.0).tolist(), rel=1e-12
        )
        assert page.evaluate("SoftmaxFigures.entropy([0.5, 0.5, 0])") == pytest.approx(math.log(2))
        sliders = page.locator("input.smx-score-input")
        sliders.nth(3).fill("4.5")
        shown = [float(t) for t in page.locator(".smx-sliders .smx-prob").all_text_contents()]
        expected = softmax([3.0, 2.0, 1.0, 4.5])
        assert shown == [round(float(p), 3) for p in expected]
        assert page.locator(".smx-sliders .smx-score").nth(3).text_content() == "4.5"
        assert page.locator(".smx-sliders .smx-bar").nth(3).get_attribute("class") == "smx-bar smx-bar-max"
        assert page.locator(".smx-sliders .smx-note").is_hidden(), "the static-picture note must hide"
        temperature = page.locator("input.smx-temperature-input")
        temperature.fill(temperature.get_attribute("max"))
        assert page.locator(".smx-temperature-value").text_content() == "20.0"
        hot = float(page.locator(".smx-entropy").text_content())
        temperature.fill("0")
        assert page.locator(".smx-temperature-value").text_content() == "0.0500"
        cold = float(page.locator(".smx-entropy").text_content())
        assert cold < 0.01 < 1.38 < hot <= math.log(4) + 5e-4
    assert not errors, errors
