"""Tests of the book's figure style, softmaxlab.plotting."""

from __future__ import annotations

import base64
import io

import matplotlib
import matplotlib.colors as mcolors
import matplotlib.image as mimage
import matplotlib.pyplot as plt
import numpy as np
import pytest

from rules_support import BAD_ARRAYS, assert_rejects
from softmaxlab.plotting import BOOK_STYLE, COLORS, bar_probabilities, simplex_to_plane, use_book_style


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


def test_inline_png_has_twice_the_pixels_of_its_display_width(book_style):
    """The notebooks' PNGs: print resolution in the pixels, the HTML size in the metadata width."""
    from softmaxlab.plotting import INLINE_PIXEL_RATIO, _inline_png

    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1])
    data, metadata = _inline_png(fig)
    image = mimage.imread(io.BytesIO(base64.b64decode(data)))
    assert INLINE_PIXEL_RATIO == 2 and set(metadata) == {"width"}  # no height: it would fix the aspect in HTML
    # the display width is that of the plain PNG at figure.dpi (IPython's default format), to a pixel
    from IPython.core.pylabtools import print_figure

    plain = mimage.imread(io.BytesIO(print_figure(fig, fmt="png")))
    assert abs(metadata["width"] - plain.shape[1]) <= 1
    assert image.shape[1] // INLINE_PIXEL_RATIO == metadata["width"]
    assert image.shape[2] == 4 and np.all(image[..., 3] == 1.0)


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


def test_simplex_to_plane_corners_centre_and_sides():
    x, y = simplex_to_plane(np.eye(3))
    np.testing.assert_allclose(x, [0.0, 1.0, 0.5], atol=0)
    np.testing.assert_allclose(y, [0.0, 0.0, np.sqrt(3) / 2], rtol=1e-15)
    cx, cy = simplex_to_plane(np.full(3, 1 / 3))
    # the centre is as far from each side: its height is a third of the triangle's
    assert cx == pytest.approx(0.5) and cy == pytest.approx(np.sqrt(3) / 6)
    # a point on the side opposite corner 3 (p_3 = 0) lies on the x axis, at p_2 from corner 1
    assert simplex_to_plane([0.25, 0.75, 0.0]) == (0.75, 0.0)


def test_simplex_to_plane_distance_to_each_side_is_the_opposite_probability():
    p = np.random.default_rng(0).dirichlet(np.ones(3), size=200)
    x, y = simplex_to_plane(p)
    height = np.sqrt(3) / 2
    corners = np.array([[0.0, 0.0], [1.0, 0.0], [0.5, height]])
    for k in range(3):
        a, b = corners[(k + 1) % 3], corners[(k + 2) % 3]  # the side opposite corner k
        cross = (b[0] - a[0]) * (y - a[1]) - (b[1] - a[1]) * (x - a[0])
        np.testing.assert_allclose(np.abs(cross) / np.hypot(*(b - a)) / height, p[:, k], atol=1e-14)


def test_simplex_to_plane_shapes_and_dtypes():
    p = np.full((4, 5, 3), 1 / 3, dtype=np.float32)
    x, y = simplex_to_plane(p)
    assert x.shape == y.shape == (4, 5) and x.dtype == y.dtype == np.float64
    x, y = simplex_to_plane([[1, 0, 0], [0, 0, 1]])
    assert x.tolist() == [0.0, 0.5]
    before = p.copy()
    simplex_to_plane(p)
    np.testing.assert_array_equal(p, before)


@pytest.mark.parametrize(
    "p, error",
    [*[(v, TypeError) for v in BAD_ARRAYS.values()], (0.5, ValueError), ([0.5, 0.5], ValueError),
     (np.ones((3, 4)), ValueError), (np.ones((2, 0)), ValueError)],
)
def test_simplex_to_plane_bad_input(p, error):
    assert_rejects(simplex_to_plane, (p,), names="p", errors=error)
