"""Trend plots: lines over time (one per group) with shaded interval bands."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from rhoresearch import lazy
from rhoresearch.report.narrative import format_number
from rhoresearch.report.plotting._common import (
    Draft,
    FigureOptions,
    Levels,
    axis_name,
    figure_docs,
    legend_below,
    ordered_labels,
    read_estimates,
)
from rhoresearch.validation import DEFAULT_THRESHOLD

if TYPE_CHECKING:
    from matplotlib.figure import Figure

ticker = lazy.module("matplotlib.ticker")  # imported by the first figure, not with the package

__all__ = ["trend_plot"]


@figure_docs
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
    {counts}
    {threshold}
    {alt}

    Returns
    -------
    matplotlib.figure.Figure
        One axes; suppressed points leave a gap in their line and are listed under the y label.
    """
    opts = FigureOptions("trend_plot", title, counts, threshold, alt)
    ys, sup, miss, lo, hi = read_estimates(
        data, opts, [x, y, hue], y, lower, upper, xlabel=xlabel, ylabel=ylabel
    )
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
    groups = Levels(data, hue, hue_order)
    draft = Draft(opts, figsize)
    ax = draft.ax
    for g in groups.levels:
        idx = np.flatnonzero(groups.mask(g))
        idx = idx[np.argsort(xs[idx], kind="stable")]
        colour = groups.colour(g)
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
            draft.suppressed.append(f"{'' if g is None else g + ' '}{xcol.iloc[i]}".strip())
        finite = np.isfinite(gy)
        if finite.any():
            first, last = int(np.flatnonzero(finite)[0]), int(np.flatnonzero(finite)[-1])
            draft.items.append(
                f"{g + ': ' if g is not None else ''}"
                f"{format_number(gy[first])} in {xcol.iloc[idx[first]]} to "
                f"{format_number(gy[last])} in {xcol.iloc[idx[last]]}"
            )
        elif g is not None:
            draft.items.append(f"{g}: no value shown")
    if categorical_x:
        ax.set_xticks(range(len(periods)), periods)
    elif pd.api.types.is_integer_dtype(xcol.dtype):
        ax.xaxis.set_major_locator(ticker.MaxNLocator(integer=True))
    if ylim_zero:
        ax.set_ylim(bottom=0)
    if hue:
        legend_below(draft.fig, ax, axis_name(hue))
    summary = (
        f"{ylabel} by {xlabel}"
        + (f" for {len(groups.levels)} groups" if hue else "")
        + (
            ", with shaded confidence intervals"
            if (np.isfinite(lo) & np.isfinite(hi)).any()
            else ""
        )
    )
    return draft.finish(
        "Line chart",
        summary,
        xlabel=draft.note(xlabel),  # the suppressed points under the horizontal axis
        ylabel=ylabel,
        tail=f" Suppressed: {', '.join(draft.suppressed)}." if draft.suppressed else "",
    )
