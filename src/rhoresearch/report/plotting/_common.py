"""What every figure function shares: argument checks, reading cells, labels, legends, alt text.

Suppressed cells are found with :func:`rhoresearch.disclosure.is_suppressed` (a flag column
``<column>_suppressed``, or ``[c]`` in a table read from a published CSV); they are not plotted and
are marked with :data:`rhoresearch.disclosure.SUPPRESSED`. Missing values without a flag are *not
available* and marked :data:`NOT_AVAILABLE`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from rhoresearch import disclosure, validation
from rhoresearch.exceptions import InputError
from rhoresearch.report.narrative import format_ci

__all__ = ["alt_text"]

#: The GSS symbol for a value that is not available (a missing value that is not suppressed).
NOT_AVAILABLE = "[x]"
#: The line added under a value axis naming the suppressed groups.
SUPPRESSED_NOTE = f"{disclosure.SUPPRESSED} suppressed (small numbers)"
_ALT_ATTR = "_rhoresearch_alt_text"
_MAX_ALT_ITEMS = 12


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


def label_note(label: str, suppressed: list[str], missing: list[str]) -> str:
    """An axis label followed by the lines naming suppressed and not available groups."""
    lines = [label]
    if suppressed:
        lines.append(f"{SUPPRESSED_NOTE}: {', '.join(suppressed)}")
    if missing:
        lines.append(f"{NOT_AVAILABLE} not available: {', '.join(missing)}")
    return "\n".join(lines)


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


def new_figure(figsize: tuple[float, float]) -> Figure:
    """A figure outside pyplot, with constrained layout."""
    return Figure(figsize=figsize, layout="constrained")


def ci_text(v: float, lo: float, hi: float, digits: int) -> str:
    """``"3.72 (2.91 to 4.66)"``: a value and its interval, without the "95% CI" label."""
    return format_ci(v, lo, hi, digits=digits).replace(" (95% CI ", " (")
