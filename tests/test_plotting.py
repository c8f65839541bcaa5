"""Tests of the book's figure style, softmaxlab.plotting."""

from __future__ import annotations

import io

import matplotlib
import matplotlib.colors as mcolors
import matplotlib.image as mimage
import matplotlib.pyplot as plt
import numpy as np
import pytest

from softmaxlab.plotting import BOOK_STYLE, COLORS, bar_probabilities, use_book_style


@pytest.fixture
def book_style():
    with matplotlib.rc_context():
        use_book_style()
        yield
    plt.close("all")


def test_style_is_applied(book_style):
    for key, value in BOOK_STYLE.items():
        if key == "axes.prop_cycle":
            assert matplotlib.rcParams[key].by_key()["color"] == COLORS
        elif isinstance(value, tuple):  # rcParams stores sequences as lists
            assert tuple(matplotlib.rcParams[key]) == value, key
        else:
            assert matplotlib.rcParams[key] == value, key
    assert matplotlib.rcParams["figure.facecolor"] == "white"
    assert matplotlib.rcParams["savefig.facecolor"] == "white"
    assert matplotlib.rcParams["axes.facecolor"] == "white"


def test_applying_twice_changes_nothing(book_style):
    before = dict(matplotlib.rcParams)
    use_book_style()
    assert dict(matplotlib.rcParams) == before


def test_saved_figures_have_an_opaque_white_background(book_style):
    """Dark mode would show through a transparent PNG: every pixel must be opaque."""
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1])
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    buffer.seek(0)
    image = mimage.imread(buffer)
    assert image.shape[2] == 4
    np.testing.assert_array_equal(image[..., 3], 1.0)  # alpha
    np.testing.assert_array_equal(image[0, 0, :3], 1.0)  # a corner is white
    w, h = fig.get_size_inches() * fig.dpi
    assert image.shape[:2] == (round(h), round(w))


def test_the_default_style_would_not_be_opaque():
    """The test above is not vacuous: a transparent save does leave see-through pixels."""
    fig, ax = plt.subplots()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", transparent=True)
    buffer.seek(0)
    assert mimage.imread(buffer)[..., 3].min() < 1.0
    plt.close(fig)


def test_colors_are_distinct_valid_and_colour_blind_safe():
    assert len(COLORS) == len(set(COLORS)) == 8
    assert all(mcolors.is_color_like(c) for c in COLORS)
    okabe_ito = {"#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000"}
    assert {c.upper() for c in COLORS} == okabe_ito


def test_bar_probabilities(book_style):
    fig, ax = plt.subplots()
    p = [0.642, 0.236, 0.087, 0.035]
    bars = bar_probabilities(ax, p, labels=["a", "b", "c", "d"], title="softmax")
    assert [b.get_height() for b in bars] == p
    assert [t.get_text() for t in ax.texts] == ["0.642", "0.236", "0.087", "0.035"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b", "c", "d"]
    assert ax.get_ylabel() == "probability" and ax.get_title() == "softmax"
    assert ax.get_ylim() == (0, 1.0)
    assert mcolors.to_hex(bars[0].get_facecolor()).upper() == COLORS[0].upper()


def test_bar_probabilities_defaults(book_style):
    fig, ax = plt.subplots()
    bars = bar_probabilities(ax, np.array([0.5, 0.5]), color=COLORS[1])
    assert [t.get_text() for t in ax.get_xticklabels()] == ["1", "2"]
    assert mcolors.to_hex(bars[1].get_facecolor()).upper() == COLORS[1].upper()
    assert ax.get_title() == ""
