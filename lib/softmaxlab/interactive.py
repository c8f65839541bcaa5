"""Interactive softmax figures that need no kernel: sliders in plain HTML.

Each function returns an :class:`InteractiveFigure`, an object that Jupyter
displays as HTML (it has ``_repr_html_``). The HTML is a ``<figure>`` whose
parameters sit in ``data-smx-*`` attributes, with its sliders disabled and its
bars drawn for the initial scores, computed here with :func:`softmaxlab.softmax`.
In the HTML book, the small script ``_static/softmax-figures.js`` (loaded on
every page, with ``_static/softmax-figures.css``) finds these figures, enables
the sliders and recomputes softmax in the browser, stably (shifted by the
maximum), whenever a slider moves: no Jupyter kernel, no server, no network.
Anywhere the script is not loaded, the figure remains a correct static picture
of its initial state, with a note saying where it is live.

The HTML depends only on the arguments (element ids are derived from them, no
random ids, no timestamps), so notebooks that display these figures pass
nbval's strict output comparison.
"""

from __future__ import annotations

import hashlib
import json
import math
from html import escape
from numbers import Real

import numpy as np
from numpy.typing import ArrayLike

from softmaxlab._validation import as_real_array, check_temperature
from softmaxlab.core import softmax

__all__ = ["InteractiveFigure", "softmax_sliders", "temperature_slider"]

#: Where the figures come alive; shown under a figure until the script has run.
STATIC_NOTE = (
    "Static picture of the initial state: the sliders move in the HTML edition of the book, "
    "which runs this figure with a small script and needs no Jupyter kernel."
)

MAX_SCORES = 10
MAX_TEMPERATURES = 1001


class InteractiveFigure:
    """An HTML figure made live by the book's ``softmax-figures.js``.

    Jupyter shows it through its ``_repr_html_`` method; the attribute
    ``html`` holds the same markup as a string (for saving to a file or
    embedding in another page).

    Parameters
    ----------
    html : str
        The figure's markup.
    description : str
        Short plain-text description, used as the object's ``repr`` (what a
        text-only front end prints).

    Examples
    --------
    >>> from softmaxlab.interactive import InteractiveFigure
    >>> fig = InteractiveFigure("<figure></figure>", "An empty figure")
    >>> fig
    An empty figure
    >>> fig._repr_html_()
    '<figure></figure>'
    """

    def __init__(self, html: str, description: str) -> None:
        self.html = html
        self.description = description

    def _repr_html_(self) -> str:
        return self.html

    def __repr__(self) -> str:
        return self.description

    def __eq__(self, other: object) -> bool:
        return isinstance(other, InteractiveFigure) and other.html == self.html

    __hash__ = None  # mutable attributes: not hashable


def _number(value: object, name: str) -> float:
    """``value`` as a finite float, or an error naming ``name``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (Real, np.floating, np.integer)):
        raise TypeError(f"{name} must be a finite real number, got {value!r}")
    result = float(value)
    if not math.isfinite(result):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return result


def _vector(values: ArrayLike, name: str, *, min_size: int) -> np.ndarray:
    """``values`` as a finite 1-d float64 array of at least ``min_size`` entries."""
    arr = as_real_array(values, name)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {arr.shape}")
    if not min_size <= arr.size <= MAX_SCORES:
        raise ValueError(f"{name} must have between {min_size} and {MAX_SCORES} entries, got {arr.size}")
    arr = arr.astype(np.float64)
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must contain only finite values, got {arr.tolist()}")
    return arr


def _temperature_grid(temperatures: ArrayLike | None) -> np.ndarray:
    """The slider's temperatures: given (checked) or the default log-spaced grid through 1."""
    if temperatures is None:
        # Rounded to 4 digits, so the HTML (which lists them) is the same on every platform.
        temps = np.array([float(f"{t:.4g}") for t in np.geomspace(0.05, 20.0, 49)])
        temps[np.argmin(np.abs(np.log(temps)))] = 1.0
        return temps
    temps = as_real_array(temperatures, "temperatures").astype(np.float64)
    if temps.ndim != 1 or not 2 <= temps.size <= MAX_TEMPERATURES:
        raise ValueError(
            f"temperatures must be one-dimensional with 2 to {MAX_TEMPERATURES} entries, got shape {temps.shape}"
        )
    if not (np.all(np.isfinite(temps)) and np.all(temps > 0)):
        raise ValueError(f"temperatures must be positive and finite, got {temps.tolist()}")
    if not np.all(np.diff(temps) > 0):
        raise ValueError(f"temperatures must be strictly increasing, got {temps.tolist()}")
    return temps


def _figure_id(kind: str, params: dict) -> str:
    """A stable element id: the figure kind and a hash of its parameters."""
    digest = hashlib.sha1(json.dumps(params, sort_keys=True).encode()).hexdigest()[:10]
    return f"smx-{kind}-{digest}"


def _check_id(figure_id: str | None, default: str) -> str:
    if figure_id is None:
        return default
    if not isinstance(figure_id, str) or not figure_id or not all(c.isalnum() or c in "-_" for c in figure_id):
        raise ValueError(f"figure_id must be a non-empty string of letters, digits, '-' and '_', got {figure_id!r}")
    return figure_id


def _decimals(step: float) -> int:
    """Digits after the decimal point needed to show multiples of ``step`` (at most 6)."""
    for digits in range(7):
        if abs(round(step, digits) - step) <= 1e-9 * step:
            return digits
    return 6


def _fixed(x: float, digits: int) -> str:
    text = f"{x:.{digits}f}"
    return text[1:] if text.startswith("-") and float(text) == 0 else text


# Inline styles: enough for a readable static figure where the book's stylesheet is absent (a
# notebook front end); the stylesheet overrides them (with !important) to follow the theme.
_ROW_STYLE = "display:flex;align-items:center;gap:0.5em;margin:0.2em 0"
_TRACK_STYLE = "flex:1 1 10em;max-width:16em;height:0.9em;background:#e8e8e8;border:1px solid #c9ced3"
_BAR_STYLE = "height:100%;background:{color}"
_BAR_COLOR, _BAR_MAX_COLOR = "#0072B2", "#D55E00"


def _bar_row_html(label_html: str, control_html: str, score_html: str, p: float, largest: bool) -> str:
    bar_class = "smx-bar smx-bar-max" if largest else "smx-bar"
    bar_style = _BAR_STYLE.format(color=_BAR_MAX_COLOR if largest else _BAR_COLOR)
    return (
        f'<div class="smx-row" style="{_ROW_STYLE}">'
        f"{label_html}{control_html}{score_html}"
        f'<div class="smx-track" aria-hidden="true" style="{_TRACK_STYLE}">'
        f'<div class="{bar_class}" style="width: {100 * p:.2f}%;{bar_style}" data-p="{p:.6f}"></div></div>'
        f'<output class="smx-prob">{p:.3f}</output>'
        "</div>"
    )


def softmax_sliders(
    scores: ArrayLike = (3.0, 2.0, 1.0, 0.1),
    *,
    low: float = -5.0,
    high: float = 5.0,
    step: float = 0.1,
    title: str | None = None,
    figure_id: str | None = None,
) -> InteractiveFigure:
    r"""A slider per score ``z_j`` and a bar per probability ``softmax(z)_j``.

    The figure Michael Nielsen made famous, kernel-free: moving a slider
    changes one score and every bar, since each probability depends on all the
    scores; the sum under the bars stays 1 and the largest score keeps the
    largest bar.

    Parameters
    ----------
    scores : array_like
        The initial scores, 2 to 10 finite numbers, each in ``[low, high]``.
    low, high : float, optional
        The range of every slider, ``low < high``.
    step : float, optional
        The slider increment, ``0 < step <= high - low``.
    title : str, optional
        A heading shown above the sliders.
    figure_id : str, optional
        The figure's element id; by default derived from the arguments, so
        two figures with different arguments never clash and the HTML is the
        same on every run. Pass one to show the same figure twice on a page.

    Returns
    -------
    InteractiveFigure
        Displayed as HTML by Jupyter; live in the HTML book.

    Raises
    ------
    TypeError
        If ``scores`` is not a real array or a bound is not a real number.
    ValueError
        If ``scores`` is not 1-d with 2 to 10 finite entries inside
        ``[low, high]``, or the bounds or step are inconsistent.

    See Also
    --------
    temperature_slider : the same bars for fixed scores and a temperature slider.

    Examples
    --------
    >>> from softmaxlab.interactive import softmax_sliders
    >>> fig = softmax_sliders(scores=(3.0, 2.0, 1.0, 0.1))
    >>> fig
    softmax_sliders(scores=[3.0, 2.0, 1.0, 0.1], low=-5.0, high=5.0, step=0.1)
    >>> html = fig._repr_html_()
    >>> html.count('type="range"'), html.count('class="smx-prob"')
    (4, 4)
    >>> '<output class="smx-prob">0.642</output>' in html     # softmax([3, 2, 1, 0.1])[0]
    True
    >>> softmax_sliders(scores=(3.0, 2.0, 1.0, 0.1)).html == html   # deterministic
    True
    """
    z = _vector(scores, "scores", min_size=2)
    low = _number(low, "low")
    high = _number(high, "high")
    step = _number(step, "step")
    if not low < high:
        raise ValueError(f"low must be smaller than high, got low={low!r}, high={high!r}")
    if not 0 < step <= high - low:
        raise ValueError(f"step must be in (0, high - low] = (0, {high - low!r}], got {step!r}")
    outside = [float(v) for v in z if not low <= v <= high]
    if outside:
        raise ValueError(f"scores must lie in [low, high] = [{low!r}, {high!r}], got {outside}")
    if title is not None and not isinstance(title, str):
        raise TypeError(f"title must be a string or None, got {title!r}")

    params = {"scores": z.tolist(), "low": low, "high": high, "step": step, "title": title}
    fid = _check_id(figure_id, _figure_id("sliders", params))
    p = softmax(z)
    largest = p == p.max()
    decimals = _decimals(step)
    rows = []
    for j, (zj, pj) in enumerate(zip(z.tolist(), p.tolist()), start=1):
        input_id = f"{fid}-z{j}"
        shown = _fixed(zj, decimals)
        label = f'<label class="smx-score-label" for="{input_id}"><i>z</i><sub>{j}</sub></label>'
        control = (
            f'<input class="smx-score-input" type="range" id="{input_id}" min="{low!r}" max="{high!r}"'
            f' step="{step!r}" value="{zj!r}" aria-valuetext="{shown}" disabled>'
        )
        score = f'<output class="smx-score" for="{input_id}">{shown}</output>'
        rows.append(_bar_row_html(label, control, score, float(pj), bool(largest[j - 1])))
    heading = f'<p class="smx-title">{escape(title)}</p>' if title else ""
    html = (
        f'<figure class="smx-figure smx-sliders" id="{fid}" data-smx-kind="sliders" data-smx-digits="3"'
        f' data-smx-decimals="{decimals}">'
        f"{heading}"
        '<div class="smx-rows">' + "".join(rows) + "</div>"
        f'<p class="smx-summary">sum of the probabilities: '
        f'<output class="smx-sum">{_fixed(float(p.sum()), 3)}</output></p>'
        "<figcaption>Each slider sets one score <i>z<sub>j</sub></i>; each bar shows"
        " softmax(<i>z</i>)<sub><i>j</i></sub>, computed in your browser. The largest probability is"
        " highlighted.</figcaption>"
        f'<p class="smx-note">{STATIC_NOTE}</p>'
        "</figure>"
    )
    description = f"softmax_sliders(scores={z.tolist()}, low={low!r}, high={high!r}, step={step!r})"
    return InteractiveFigure(html, description)


def temperature_slider(
    scores: ArrayLike = (3.0, 2.0, 1.0, 0.1),
    temperatures: ArrayLike | None = None,
    *,
    temperature: float = 1.0,
    title: str | None = None,
    figure_id: str | None = None,
) -> InteractiveFigure:
    r"""Bars of ``softmax(z / T)`` for fixed scores and a slider for the temperature ``T``.

    Raising ``T`` flattens the distribution towards uniform (its entropy,
    shown under the bars, rises towards ``log n``); lowering it concentrates
    the mass on the largest score (the argmax limit).

    Parameters
    ----------
    scores : array_like
        The fixed scores, 2 to 10 finite numbers.
    temperatures : array_like, optional
        The values the slider steps through, strictly increasing, positive and
        finite, at least 2 of them. Default: 49 values spaced evenly on a log
        scale from 0.05 to 20, with 1 among them.
    temperature : float, optional
        The initial temperature; the slider starts at the nearest value in
        ``temperatures`` (on a log scale).
    title : str, optional
        A heading shown above the slider.
    figure_id : str, optional
        The figure's element id (default: derived from the arguments).

    Returns
    -------
    InteractiveFigure
        Displayed as HTML by Jupyter; live in the HTML book.

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If ``scores`` or ``temperatures`` has the wrong shape, size or values,
        or ``temperature`` is not a positive finite number.

    See Also
    --------
    softmax_sliders : one slider per score at ``T = 1``.
    softmaxlab.softmax : the function drawn, with its ``temperature`` argument.

    Examples
    --------
    >>> from softmaxlab.interactive import temperature_slider
    >>> fig = temperature_slider(scores=(3.0, 2.0, 1.0, 0.1), temperatures=(0.5, 1.0, 2.0, 4.0))
    >>> fig
    temperature_slider(scores=[3.0, 2.0, 1.0, 0.1], temperatures=[0.5, 1.0, 2.0, 4.0], temperature=1.0)
    >>> html = fig._repr_html_()
    >>> html.count('type="range"')
    1
    >>> '<output class="smx-entropy">0.956</output>' in html   # entropy of softmax(z) in nats
    True
    """
    z = _vector(scores, "scores", min_size=2)
    temps = _temperature_grid(temperatures)
    t0 = check_temperature(temperature)
    if title is not None and not isinstance(title, str):
        raise TypeError(f"title must be a string or None, got {title!r}")

    start = int(np.argmin(np.abs(np.log(temps) - np.log(t0))))
    params = {"scores": z.tolist(), "temperatures": temps.tolist(), "start": start, "title": title}
    fid = _check_id(figure_id, _figure_id("temperature", params))
    t = float(temps[start])
    p = softmax(z, temperature=t)
    largest = p == p.max()
    entropy = float(-np.sum(p[p > 0] * np.log(p[p > 0])))
    input_id = f"{fid}-t"
    t_label = f"{t:#.3g}"
    rows = []
    for j, (zj, pj) in enumerate(zip(z.tolist(), p.tolist()), start=1):
        label = f'<span class="smx-score-label" style="min-width:5.5em"><i>z</i><sub>{j}</sub> = {_fixed(zj, 2)}</span>'
        rows.append(_bar_row_html(label, "", "", float(pj), bool(largest[j - 1])))
    heading = f'<p class="smx-title">{escape(title)}</p>' if title else ""
    html = (
        f'<figure class="smx-figure smx-temperature" id="{fid}" data-smx-kind="temperature" data-smx-digits="3"'
        f' data-smx-scores="{escape(json.dumps(z.tolist()))}"'
        f' data-smx-temperatures="{escape(json.dumps(temps.tolist()))}">'
        f"{heading}"
        '<div class="smx-control" style="display:flex;align-items:center;gap:0.6em">'
        f'<label for="{input_id}">temperature <i>T</i></label>'
        f'<input class="smx-temperature-input" type="range" id="{input_id}" min="0" max="{temps.size - 1}"'
        f' step="1" value="{start}" aria-valuetext="T = {t_label}" disabled>'
        f'<output class="smx-temperature-value" for="{input_id}">{t_label}</output>'
        "</div>"
        '<div class="smx-rows">' + "".join(rows) + "</div>"
        f'<p class="smx-summary">sum: <output class="smx-sum">{_fixed(float(p.sum()), 3)}</output>'
        f' &#183; entropy: <output class="smx-entropy">{entropy:.3f}</output> nats'
        f" (uniform: ln {z.size} = {math.log(z.size):.3f})</p>"
        "<figcaption>The bars show softmax(<i>z</i>/<i>T</i>) for the fixed scores on the left, computed"
        " in your browser. Slide right to heat the distribution towards uniform, left to cool it towards"
        " the argmax.</figcaption>"
        f'<p class="smx-note">{STATIC_NOTE}</p>'
        "</figure>"
    )
    description = (
        f"temperature_slider(scores={z.tolist()}, temperatures="
        f"{temps.tolist() if temperatures is not None else '<49 values from 0.05 to 20>'}, temperature={t0!r})"
    )
    return InteractiveFigure(html, description)
