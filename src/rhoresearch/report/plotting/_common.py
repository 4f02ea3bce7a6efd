"""What every figure function shares: argument checks, reading cells, labels, legends, alt text.

Suppressed cells are found with :func:`rhoresearch.disclosure.is_suppressed` (a flag column
``<column>_suppressed``, or ``[c]`` in a table read from a published CSV); they are not plotted and
are marked with :data:`rhoresearch.disclosure.SUPPRESSED`. Missing values without a flag are *not
available* and marked :data:`NOT_AVAILABLE`.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
import pandas as pd

from rhoresearch import disclosure, lazy, validation
from rhoresearch.docstrings import fill_docs
from rhoresearch.exceptions import InputError
from rhoresearch.report.narrative import format_ci
from rhoresearch.report.plotting._style import OKABE_ITO, group_colours, series_colours

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

# imported by the first figure drawn, not with the package (rhoresearch.lazy)
mfigure = lazy.module("matplotlib.figure")
mtextpath = lazy.module("matplotlib.textpath")

__all__ = ["alt_text"]

#: The GSS symbol for a value that is not available (a missing value that is not suppressed).
NOT_AVAILABLE = "[x]"
#: The line added under the x-axis label naming the suppressed groups.
SUPPRESSED_NOTE = f"{disclosure.SUPPRESSED} suppressed (small numbers)"
_ALT_ATTR = "_rhoresearch_alt_text"
_MAX_ALT_ITEMS = 12

#: The parameters the figure functions share, described once (fields ``{name}`` in their
#: docstrings, filled by :data:`figure_docs`).
FIGURE_PARAMS: dict[str, str] = {
    "title": """
        title : str
            Figure title.
    """,
    "group_ylabel": """
        ylabel : str, optional
            Group axis label (default: ``label`` with underscores as spaces, capitalised).
    """,
    "counts": """
        counts : str or list of str, optional
            Count columns to pass to :func:`rhoresearch.disclosure.check` before drawing.
    """,
    "threshold": """
        threshold : int, default 5
            Threshold for that check.
    """,
    "alt": """
        alt : str, optional
            Alt text to store instead of the generated one.
    """,
    "returns": """
        matplotlib.figure.Figure
            One axes; :func:`alt_text` returns its alt text.
    """,
    "raises": """
        InputError
            A column is missing, the frame is empty, title/xlabel empty, a value is not a number.
        DisclosureError
            ``counts`` given and the frame is not safe.
    """,
}

#: Decorator putting :data:`FIGURE_PARAMS` into a figure function's docstring.
figure_docs = fill_docs(**FIGURE_PARAMS)


def alt_text(fig: Figure) -> str:
    """The alternative text a figure function wrote for ``fig`` (or that was passed as ``alt=``).

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        A figure returned by a function of :mod:`rhoresearch.report.plotting`.

    Returns
    -------
    str
        One or two sentences: the kind of chart, its title, what the axes show and the values
        drawn (at most 12 listed), and which groups are suppressed.

    Raises
    ------
    InputError
        ``fig`` was not made by this package (it has no alt text).
    """
    text = getattr(fig, _ALT_ATTR, None)
    if not text:
        raise InputError(
            "this figure has no alt text from rhoresearch.report.plotting; pass alt= to show_figure"
        )
    return str(text)


def store_alt(fig: Figure, alt: str | None, default: str) -> None:
    """Keep the alt text of a figure: ``alt`` when given, else the generated ``default``."""
    setattr(fig, _ALT_ATTR, alt if alt else default)


def list_items(items: list[str]) -> str:
    """Items of an alt text joined by "; ", at most 12 (then "and n more")."""
    if len(items) > _MAX_ALT_ITEMS:
        return "; ".join(items[:_MAX_ALT_ITEMS]) + f"; and {len(items) - _MAX_ALT_ITEMS} more"
    return "; ".join(items)


def check_data(data: object, columns: Iterable[str | None], func: str) -> pd.DataFrame:
    """Refuse anything but a non-empty DataFrame holding ``columns`` (``None`` entries skipped)."""
    frame = validation.check_frame(data, func=func)
    validation.require_columns(frame, [c for c in columns if c is not None], func=func)
    if frame.empty:
        raise InputError(f"{func}: the frame has no rows to plot")
    return frame


def check_text(func: str, **texts: object) -> None:
    """Refuse an empty title or axis label (every figure has a title and labelled axes)."""
    for key, value in texts.items():
        if not isinstance(value, str) or not value.strip():
            raise InputError(
                f"{func}: {key} must be a non-empty string (every figure has a title and labelled "
                f"axes with units); got {value!r}"
            )


def guard(
    data: pd.DataFrame, counts: str | Sequence[str] | None, threshold: int, title: str
) -> None:
    """With ``counts`` given, run the disclosure check on the frame as it would be shown."""
    if counts is not None:
        disclosure.check(
            disclosure.render(data),
            counts=validation.as_columns(counts, func=f"figure {title!r}", name="counts"),
            threshold=threshold,
            name=f"figure {title!r}",
        )


def cell_numbers(data: pd.DataFrame, column: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The numbers of one column: (float values, suppressed mask, missing mask).

    A suppressed cell (:func:`rhoresearch.disclosure.is_suppressed`) and a missing one are NaN in
    the values; text that is a number (``"1,234.5"``) is read as one; other GSS symbols (``[x]``,
    ``[z]`` ...) are missing.

    Raises
    ------
    InputError
        A cell holds text that is not a number or a symbol.
    """
    series = data[column]
    suppressed = np.asarray(disclosure.is_suppressed(data, column), dtype=bool)
    raw = series.astype(object).to_numpy()
    values = np.full(len(raw), np.nan)
    for i, v in enumerate(raw):
        if suppressed[i] or v is None or v is pd.NA:
            continue
        number: Any = v
        if isinstance(v, str):
            s = v.strip()
            if s == "" or s.startswith("["):
                continue
            number = s.replace(",", "")
        try:
            values[i] = float(number)
        except (TypeError, ValueError) as exc:
            raise InputError(
                f"column {column!r}: row {series.index[i]!r} holds {v!r}; expected a "
                f"number, NaN or {disclosure.SUPPRESSED!r}"
            ) from exc
    missing = np.isnan(values) & ~suppressed
    return values, suppressed, missing


class Estimates(NamedTuple):
    """The numbers of a figure's value column and of its interval (NaN where not drawn)."""

    values: np.ndarray
    suppressed: np.ndarray
    missing: np.ndarray
    lower: np.ndarray
    upper: np.ndarray


class FigureOptions(NamedTuple):
    """The options every figure function takes, carried together to the checks and the alt text.

    ``func`` names the figure function in errors; ``counts`` and ``threshold`` are the disclosure
    guard (:func:`guard`); ``alt`` replaces the generated alt text.
    """

    func: str
    title: str
    counts: str | Sequence[str] | None
    threshold: int
    alt: str | None

    def check(self, data: pd.DataFrame, **texts: object) -> None:
        """Refuse an empty title or axis label (``texts``), then run the disclosure guard."""
        check_text(self.func, title=self.title, **texts)
        guard(data, self.counts, self.threshold, self.title)


def read_estimates(
    data: object,
    opts: FigureOptions,
    columns: Sequence[str | None],
    value: str,
    lower: str | None,
    upper: str | None,
    **texts: object,
) -> Estimates:
    """Check a frame of estimates with intervals and the figure's texts, then read its numbers.

    ``columns`` are the required columns (``None`` skipped) in the order errors name them, the
    interval columns added when present (:func:`interval_columns`); ``texts`` are the axis labels,
    checked with the title and followed by the disclosure guard (:meth:`FigureOptions.check`).
    """
    frame = check_data(data, [*columns, *interval_columns(data, lower, upper)], opts.func)
    opts.check(frame, **texts)
    values, suppressed, missing = cell_numbers(frame, value)
    return Estimates(
        values, suppressed, missing, optional_numbers(frame, lower), optional_numbers(frame, upper)
    )


def interval_columns(data: object, lower: str | None, upper: str | None) -> list[str]:
    """The interval columns to require: default names may be absent (no interval drawn)."""
    present = data.columns if isinstance(data, pd.DataFrame) else ()  # else check_data refuses it
    out = []
    for col, default in ((lower, "lower_ci"), (upper, "upper_ci")):
        if col is not None and not (col == default and col not in present):
            out.append(col)
    return out


def optional_numbers(data: pd.DataFrame, column: str | None) -> np.ndarray:
    """The values of ``column`` (NaN where suppressed or missing), all NaN when there is none."""
    if column is None or column not in data.columns:
        return np.full(len(data), np.nan)
    return cell_numbers(data, column)[0]


def ordered_labels(values: pd.Series, order: Sequence | None) -> list[str]:
    """Distinct labels as text: in ``order``, else categorical order, else first appearance."""
    present = list(dict.fromkeys(str(v) for v in values))
    if order is None:
        if isinstance(values.dtype, pd.CategoricalDtype):
            cats = [str(c) for c in values.cat.categories]
            return [c for c in cats if c in present]
        return present
    wanted = [str(o) for o in order]
    return [o for o in wanted if o in present] + [p for p in present if p not in wanted]


def label_note(
    label: str, suppressed: list[str], missing: list[str], notes: Sequence[str] = ()
) -> str:
    """An axis label followed by the lines naming suppressed and not available groups, then
    ``notes`` (one line each)."""
    lines = [label]
    if suppressed:
        lines.append(f"{SUPPRESSED_NOTE}: {', '.join(suppressed)}")
    if missing:
        lines.append(f"{NOT_AVAILABLE} not available: {', '.join(missing)}")
    lines.extend(notes)
    return "\n".join(lines)


def axis_name(column: str) -> str:
    """A column name as an axis or legend title: underscores as spaces, capitalised."""
    return column.replace("_", " ").capitalize()


class Draft:
    """A figure being drawn: its one axes, the groups it leaves out and the items of its alt text.

    The figure functions draw on :attr:`ax`, record each group they do not draw with :meth:`hide`
    and each drawn value in :attr:`items`, and end with :meth:`finish`.
    """

    def __init__(self, opts: FigureOptions, figsize: tuple[float, float]) -> None:
        self.opts = opts
        self.fig = new_figure(figsize)
        self.ax = self.fig.add_subplot()
        self.suppressed: list[str] = []
        self.missing: list[str] = []
        self.items: list[str] = []

    def hide(self, name: str, suppressed: bool) -> str:
        """Record a group not drawn (suppressed, or not available) and return its mark."""
        (self.suppressed if suppressed else self.missing).append(name)
        self.items.append(f"{name}: {'suppressed' if suppressed else 'not available'}")
        return disclosure.SUPPRESSED if suppressed else NOT_AVAILABLE

    def note(self, label: str) -> str:
        """``label`` with the lines naming the groups not drawn (:func:`label_note`): for the
        x label, whichever axis holds the values (:meth:`finish`)."""
        return label_note(label, self.suppressed, self.missing)

    def finish(
        self, kind: str, summary: str, *, xlabel: str, ylabel: str, tail: str = ""
    ) -> Figure:
        """Title and label the axes and store the alt text; return the figure.

        The figure functions put the lines naming the groups not drawn (and other notes) under
        ``xlabel``, whichever axis holds the values: in a vertical label a list could run past the
        figure's height. The title and the x label are broken into lines that fit the figure
        (:func:`fit_texts`).

        The generated alt text is ``"<kind>: <title>. <summary>. <items>.<tail>"``, the items
        listed by :func:`list_items`; the option ``alt`` replaces it.
        """
        # the title's Text is the one set_title returns: ax.title is only the centred one, and
        # the theme places titles on the left (axes.titlelocation)
        title = self.ax.set_title(self.opts.title)
        self.ax.set_xlabel(xlabel)
        self.ax.set_ylabel(ylabel)
        fit_texts(self.fig, [title, self.ax.xaxis.label])
        items = list_items(self.items)
        store_alt(self.fig, self.opts.alt, f"{kind}: {self.opts.title}. {summary}. {items}.{tail}")
        return self.fig


class Rows:
    """The rows of a frame drawn one per group label (and per ``hue`` level), with their colours.

    Without ``hue`` the groups are coloured by label (:func:`series_colours`: ethnic groups in
    their fixed colours); with it, by hue level (:func:`group_colours`).
    """

    def __init__(
        self,
        data: pd.DataFrame,
        label: str,
        order: Sequence | None,
        hue: str | None,
        hue_order: Sequence | None,
    ) -> None:
        self.hue = hue
        self.labels = ordered_labels(data[label], order)
        self.hues: list[str | None] = [*ordered_labels(data[hue], hue_order)] if hue else [None]
        self._labels = data[label].astype(str).to_numpy()
        self._hues = data[hue].astype(str).to_numpy() if hue else None
        self.colours = group_colours(self.hues) if hue else series_colours(self.labels)

    def positions(self, label: str, hue: str | None) -> np.ndarray:
        """Row positions of one group label and hue level."""
        return np.flatnonzero(
            (self._labels == label) & (True if self._hues is None else self._hues == hue)
        )

    def colour(self, label: str, hue: str | None) -> str:
        """The colour of a group label and hue level."""
        return self.colours[str(hue) if self.hue else label]


class Levels:
    """The levels of an optional grouping column, their rows and their fixed group colours.

    Without a column there is one level, ``None``, holding every row and drawn in blue.
    """

    def __init__(self, data: pd.DataFrame, column: str | None, order: Sequence | None) -> None:
        self.levels: list[str | None] = [*ordered_labels(data[column], order)] if column else [None]
        self._values = data[column].astype(str).to_numpy() if column else None
        self._rows = len(data)
        self._colours = group_colours(self.levels) if column else {}

    def mask(self, level: str | None) -> np.ndarray:
        """Which rows are of ``level`` (every row without a grouping column)."""
        if self._values is None:
            return np.ones(self._rows, dtype=bool)
        return self._values == level

    def colour(self, level: str | None) -> str:
        """The colour of ``level``."""
        return self._colours.get(str(level), OKABE_ITO[5])


def width_for(labels: Sequence[str], base: float = 7.0) -> float:
    """Figure width that leaves the plot room beside long group labels (inches, at most 11)."""
    longest = max((len(str(lab)) for lab in labels), default=0)
    return min(11.0, base + max(0, longest - 18) * 0.08)


def _legend_columns(texts: Sequence[str]) -> int:
    longest = max((len(t) for t in texts), default=0)
    if longest > 30:
        return 1
    return min(len(texts), 2 if longest > 15 else 5)


def legend_below(fig: Figure, ax: Axes, title: str | None) -> None:
    """A legend under the axes (outside the plot, laid out by constrained layout)."""
    handles, texts = ax.get_legend_handles_labels()
    if handles:
        fig.legend(
            handles,
            texts,
            title=title,
            loc="outside lower center",
            ncols=_legend_columns(texts),
            fontsize="small",
        )


def fit_texts(fig: Figure, texts: Sequence[Any]) -> None:
    """Break the lines of ``texts`` (matplotlib ``Text``: a title, an axis label) at spaces where
    they would run past the figure's edge.

    A line wider than its figure would widen the saved image (``bbox_inches="tight"``), which a
    page then shrinks to fit, plot and all; matplotlib's own ``wrap=True`` is undone by that same
    tight box. Where a text may not fit, the figure is laid out once (``draw_without_rendering``)
    to find where each text is anchored; each line is then measured in its text's font
    (``TextToPath``) and broken into the longest lines that fit between the anchor and the edge.
    """
    measure = mtextpath.TextToPath().get_text_width_height_descent
    figure_width = fig.get_figwidth() * 72  # in points, as the measure is

    def widest(lines: Sequence[str], prop: Any) -> float:
        return max(measure(line, prop, ismath=False)[0] for line in lines)

    long = [
        t
        for t in texts
        if t.get_text()
        and widest(t.get_text().split("\n"), t.get_fontproperties()) > 0.6 * figure_width
    ]
    if not long:
        return  # fits wherever the layout puts it
    fig.draw_without_rendering()
    for text in long:
        prop = text.get_fontproperties()
        box = text.get_window_extent()
        x0, x1 = box.x0 * 72 / fig.dpi, box.x1 * 72 / fig.dpi
        align = text.get_horizontalalignment()
        if align == "left":
            room = figure_width - x0
        elif align == "right":
            room = x1
        else:
            middle = (x0 + x1) / 2
            room = 2 * min(middle, figure_width - middle)
        room *= 0.98
        lines: list[str] = []
        for line in text.get_text().split("\n"):
            parts = [line]
            for width in range(len(line) - 1, 9, -1):
                if widest(parts, prop) <= room:
                    break
                parts = textwrap.wrap(line, width, break_long_words=False)
            lines.extend(parts)
        text.set_text("\n".join(lines))


def new_figure(figsize: tuple[float, float]) -> Figure:
    """A figure outside pyplot, with constrained layout."""
    return mfigure.Figure(figsize=figsize, layout="constrained")


def ci_text(v: float, lo: float, hi: float, digits: int) -> str:
    """``"3.72 (2.91 to 4.66)"``: a value and its interval, without the "95% CI" label."""
    return format_ci(v, lo, hi, digits=digits).replace(" (95% CI ", " (")
