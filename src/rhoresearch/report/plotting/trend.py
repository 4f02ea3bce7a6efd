"""Trend plots: lines over time (one per group) with shaded interval bands."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib import ticker
from matplotlib.figure import Figure

from rhoresearch.report.narrative import format_number
from rhoresearch.report.plotting._common import (
    cell_numbers,
    check_data,
    check_text,
    guard,
    interval_columns,
    label_note,
    legend_below,
    list_items,
    new_figure,
    optional_numbers,
    ordered_labels,
    store_alt,
)
from rhoresearch.report.plotting._style import OKABE_ITO, group_colours
from rhoresearch.validation import DEFAULT_THRESHOLD

__all__ = ["trend_plot"]


def trend_plot(
    data: pd.DataFrame,
    *,
    x: str,
    title: str,
    xlabel: str,
    ylabel: str,
    y: str = "value",
    hue: str | None = None,
    lower: str | None = "lower_ci",
    upper: str | None = "upper_ci",
    hue_order: Sequence | None = None,
    ylim_zero: bool = True,
    figsize: tuple[float, float] = (7.5, 4.5),
    counts: str | list[str] | None = None,
    threshold: int = DEFAULT_THRESHOLD,
    alt: str | None = None,
) -> Figure:
    """Lines over time (one per group) with shaded interval bands.

    Parameters
    ----------
    data : pandas.DataFrame
        Tidy table: ``x`` (period: year, date, or ordered labels), ``y``, optionally
        ``lower``/``upper`` and ``hue``.
    x : str
        The period column. Numeric or datetime values are placed on a continuous axis; anything
        else is treated as ordered categories in order of first appearance.
    title, xlabel, ylabel : str
        Title and axis labels (``ylabel`` with unit).
    y : str, default "value"
    hue : str, optional
        Group column: one line per group, coloured by :func:`group_colours`.
    lower, upper : str or None
        Interval columns (bands); ``None`` or absent: no bands.
    hue_order : sequence, optional
    ylim_zero : bool, default True
        Start the value axis at zero (rates, percentages).
    figsize : tuple, default (7.5, 4.5)
    counts, threshold, alt
        As in :func:`forest_plot`.

    Returns
    -------
    matplotlib.figure.Figure
        One axes; suppressed points leave a gap in their line and are listed under the y label.
    """
    func = "trend_plot"
    check_data(data, [x, y, hue, *interval_columns(data, lower, upper)], func)
    check_text(func, title=title, xlabel=xlabel, ylabel=ylabel)
    guard(data, counts, threshold, title)
    ys, sup, miss = cell_numbers(data, y)
    lo, hi = optional_numbers(data, lower), optional_numbers(data, upper)
    xcol = data[x]
    categorical_x = not (
        pd.api.types.is_numeric_dtype(xcol.dtype)
        or pd.api.types.is_datetime64_any_dtype(xcol.dtype)
    )
    if categorical_x:
        periods = ordered_labels(xcol, None)
        pos = {p: i for i, p in enumerate(periods)}
        xs = np.array([pos[str(v)] for v in xcol], dtype=float)
    else:
        xs = xcol.to_numpy()
    groups = ordered_labels(data[hue], hue_order) if hue else [None]
    colours = group_colours([g for g in groups if g is not None]) if hue else {}
    fig = new_figure(figsize)
    ax = fig.add_subplot()
    hue_values = data[hue].astype(str).to_numpy() if hue else None
    sup_items, alt_items = [], []
    for g in groups:
        idx = np.flatnonzero(hue_values == g) if hue else np.arange(len(data))
        idx = idx[np.argsort(xs[idx], kind="stable")]
        colour = colours.get(str(g), OKABE_ITO[5]) if hue else OKABE_ITO[5]
        gx, gy = xs[idx], np.where(sup[idx] | miss[idx], np.nan, ys[idx])
        ax.plot(gx, gy, marker="o", ms=4, color=colour, label=g)
        glo, ghi = lo[idx], hi[idx]
        band = np.isfinite(glo) & np.isfinite(ghi) & np.isfinite(gy)
        if band.any():
            ax.fill_between(
                gx,
                np.where(band, glo, np.nan),
                np.where(band, ghi, np.nan),
                color=colour,
                alpha=0.18,
                lw=0,
            )
        for i in idx[sup[idx]]:
            sup_items.append(f"{'' if g is None else g + ' '}{xcol.iloc[i]}".strip())
        finite = np.isfinite(gy)
        if finite.any():
            first, last = int(np.flatnonzero(finite)[0]), int(np.flatnonzero(finite)[-1])
            alt_items.append(
                f"{g + ': ' if g is not None else ''}"
                f"{format_number(gy[first])} in {xcol.iloc[idx[first]]} to "
                f"{format_number(gy[last])} in {xcol.iloc[idx[last]]}"
            )
        elif g is not None:
            alt_items.append(f"{g}: no value shown")
    if categorical_x:
        ax.set_xticks(range(len(periods)), periods)
    elif pd.api.types.is_integer_dtype(xcol.dtype):
        ax.xaxis.set_major_locator(ticker.MaxNLocator(integer=True))
    if ylim_zero:
        ax.set_ylim(bottom=0)
    if hue:
        legend_below(fig, ax, hue.replace("_", " ").capitalize())
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(label_note(ylabel, sup_items, []))
    default = (
        f"Line chart: {title}. {ylabel} by {xlabel}"
        + (f" for {len(groups)} groups" if hue else "")
        + (
            ", with shaded confidence intervals"
            if (np.isfinite(lo) & np.isfinite(hi)).any()
            else ""
        )
        + f". {list_items(alt_items)}."
        + (f" Suppressed: {', '.join(sup_items)}." if sup_items else "")
    )
    store_alt(fig, alt, default)
    return fig
