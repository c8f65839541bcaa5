"""The book's one figure style.

Every figure in the book calls :func:`use_book_style` once (chapters do it in
their first code cell) and takes its colours from :data:`COLORS`. Figures get
an opaque white background so they stay readable in the HTML theme's dark
mode, a fixed size and resolution, and no SVG (so nbval compares no binary).

Inline figures are stored as PNGs with twice the pixels of their displayed
size ("retina"), with their display width in the output's metadata: the HTML
shows them at ``figure.dpi`` as before, and the PDF edition, which reads that
width at 100 px to the inch, prints them at 200 pixels per inch.
"""

from __future__ import annotations

import matplotlib
import numpy as np
from numpy.typing import ArrayLike

from softmaxlab._validation import as_real_array

__all__ = ["COLORS", "BOOK_STYLE", "use_book_style", "bar_probabilities", "simplex_to_plane"]

#: A colour-blind-safe cycle (Okabe and Ito, 2008).
COLORS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000"]

BOOK_STYLE = {
    "figure.figsize": (6.4, 3.6),
    "figure.dpi": 100,
    "savefig.dpi": 100,
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
    "axes.facecolor": "white",
    "axes.edgecolor": "#333333",
    "axes.labelcolor": "#222222",
    "axes.grid": True,
    "axes.axisbelow": True,
    "grid.color": "#dddddd",
    "grid.linewidth": 0.6,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.prop_cycle": matplotlib.cycler(color=COLORS),
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "legend.frameon": False,
    "font.size": 10,
    "lines.linewidth": 1.8,
    "image.cmap": "viridis",
    "svg.hashsalt": "softmax-book",
}


#: How many stored pixels an inline figure has per pixel of its displayed width.
INLINE_PIXEL_RATIO = 2


def _inline_png(fig) -> tuple[str, dict] | None:
    """A figure as an inline PNG at ``INLINE_PIXEL_RATIO`` times ``figure.dpi``, with its display width.

    Only the width goes into the metadata: a height would be fixed in the HTML's style and
    distort the figure where the page is narrower than the figure.
    """
    from binascii import b2a_base64

    from IPython.core.pylabtools import print_figure

    png = print_figure(fig, fmt="png", dpi=fig.dpi * INLINE_PIXEL_RATIO)
    if png is None:  # an empty figure shows nothing, as with IPython's own formatter
        return None
    pixel_width = int.from_bytes(png[16:20], "big")  # the IHDR chunk's width field
    return b2a_base64(png, newline=False).decode("ascii"), {"width": pixel_width // INLINE_PIXEL_RATIO}


def use_book_style() -> None:
    """Apply the book's matplotlib style globally and set a PNG-only inline format.

    In IPython, figures display as PNGs with ``INLINE_PIXEL_RATIO`` times the
    pixels of their size at ``figure.dpi`` and that size as their metadata width.

    Examples
    --------
    >>> from softmaxlab.plotting import use_book_style
    >>> use_book_style()
    >>> import matplotlib
    >>> matplotlib.rcParams["figure.facecolor"]
    'white'
    """
    matplotlib.rcParams.update(BOOK_STYLE)
    try:  # in a notebook: store PNG only, so outputs carry no SVG dates or ids
        from IPython import get_ipython
        from matplotlib.figure import Figure
        from matplotlib_inline.backend_inline import set_matplotlib_formats

        set_matplotlib_formats("png")
        shell = get_ipython()
        if shell is not None:
            shell.display_formatter.formatters["image/png"].for_type(Figure, _inline_png)
    except Exception:  # pragma: no cover - outside IPython
        pass


def bar_probabilities(ax, probabilities, labels=None, *, color=None, title=None):
    """Draw a probability vector as labelled bars on ``ax`` (values printed on the bars).

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from softmaxlab.plotting import bar_probabilities
    >>> fig, ax = plt.subplots()
    >>> bars = bar_probabilities(ax, [0.2, 0.8], labels=["a", "b"])
    >>> len(bars)
    2
    >>> plt.close(fig)
    """
    probabilities = list(map(float, probabilities))
    if labels is None:
        labels = [f"{i + 1}" for i in range(len(probabilities))]
    bars = ax.bar(labels, probabilities, color=color or COLORS[0])
    for bar, p in zip(bars, probabilities):
        ax.text(bar.get_x() + bar.get_width() / 2, p, f"{p:.3f}", ha="center", va="bottom", fontsize=9)
    ax.set_ylim(0, max(1.0, max(probabilities, default=0) * 1.15))
    ax.set_ylabel("probability")
    if title:
        ax.set_title(title)
    return bars


def simplex_to_plane(p: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Plot coordinates of points of the 3-class simplex, in an equilateral triangle.

    ``p = (p_1, p_2, p_3)`` (the last axis) is drawn at ``p_1 c_1 + p_2 c_2 + p_3 c_3`` with the
    corners ``c_1 = (0, 0)``, ``c_2 = (1, 0)`` and ``c_3 = (1/2, sqrt(3)/2)`` on top: each corner
    is a class with probability 1, the centre the uniform distribution, and the distance to a
    side is proportional to the probability of the opposite corner. Use ``aspect="equal"``.

    Parameters
    ----------
    p : array_like
        Probability vectors of three entries along the last axis (any leading shape).

    Returns
    -------
    x, y : ndarray
        The coordinates, each of shape ``p.shape[:-1]`` (float64).

    Raises
    ------
    TypeError
        If ``p`` is not an array of real numbers.
    ValueError
        If its last axis does not have 3 entries.

    Examples
    --------
    >>> import numpy as np
    >>> from softmaxlab.plotting import simplex_to_plane
    >>> x, y = simplex_to_plane(np.eye(3))      # the three corners
    >>> x.tolist(), y.round(4).tolist()
    ([0.0, 1.0, 0.5], [0.0, 0.0, 0.866])
    >>> [round(float(c), 4) for c in simplex_to_plane([1 / 3, 1 / 3, 1 / 3])]   # the centre
    [0.5, 0.2887]
    """
    p = as_real_array(p, "p").astype(np.float64, copy=False)
    if p.ndim == 0 or p.shape[-1] != 3:
        raise ValueError(f"p must hold 3 probabilities along its last axis, got shape {p.shape}")
    return p[..., 1] + p[..., 2] / 2, p[..., 2] * (np.sqrt(3) / 2)
