"""Stacked shares: 100% bars of each category's make-up by group (e.g. ethnic groups by pay band)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from rhoresearch import disclosure
from rhoresearch.exceptions import InputError
from rhoresearch.report.narrative import format_number
from rhoresearch.report.plotting._common import (
    Draft,
    FigureOptions,
    axis_name,
    cell_numbers,
    check_data,
    figure_docs,
    ordered_labels,
)
from rhoresearch.report.plotting._style import group_colours
from rhoresearch.validation import DEFAULT_THRESHOLD

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["stacked_share"]


@figure_docs
def stacked_share(
    data: pd.DataFrame,
    *,
    category: str,
    group: str,
    value: str,
    title: str,
    xlabel: str,
    ylabel: str = "Share of staff (%)",
    normalise: bool = True,
    order: Sequence | None = None,
    group_order: Sequence | None = None,
    horizontal: bool = False,
    figsize: tuple[float, float] = (8.0, 4.8),
    counts: str | list[str] | None = None,
    threshold: int = DEFAULT_THRESHOLD,
    alt: str | None = None,
) -> Figure:
    """Stacked 100% bars: each category's make-up by group (e.g. ethnic groups by pay band).

    Parameters
    ----------
    data : pandas.DataFrame
        Long table: ``category`` (e.g. Agenda for Change band), ``group`` (ethnic group),
        ``value`` (a count, or a percentage when ``normalise=False``).
    category, group, value : str
        Column names.
    title, xlabel, ylabel : str
        Title and axis labels (``ylabel`` default ``"Share of staff (%)"``).
    normalise : bool, default True
        ``value`` holds counts: each category is scaled to 100%. A category with a suppressed
        count cannot be scaled without revealing it and is drawn empty with ``[c]``. With
        ``False`` the values are percentages drawn as given; a suppressed segment is left out and
        the category marked ``[c]``.
    order, group_order : sequence, optional
        Orders of categories (along the axis) and of groups (stacked from the axis outward).
    horizontal : bool, default False
        Horizontal bars (categories on the y axis).
    figsize : tuple, default (8, 4.8)
    counts : str or list of str, optional
        Count columns to pass to :func:`rhoresearch.disclosure.check` before drawing; default
        with ``normalise=True``: ``value`` (a count column).
    {threshold}
    {alt}

    Returns
    -------
    matplotlib.figure.Figure
        One axes with a legend of groups.

    References
    ----------
    NHS England. *Workforce Race Equality Standard*, indicator 1 (percentage of staff in each
    Agenda for Change band by ethnicity). Kline R (2014). *The "snowy white peaks" of the NHS*.
    Middlesex University.
    """
    if counts is None and normalise:
        counts = value
    opts = FigureOptions("stacked_share", title, counts, threshold, alt)
    check_data(data, [category, group, value], opts.func)
    opts.check(data, xlabel=xlabel, ylabel=ylabel)
    cats = ordered_labels(data[category], order)
    groups = ordered_labels(data[group], group_order)
    vals, sup, _ = cell_numbers(data, value)
    cvals = data[category].astype(str).to_numpy()
    gvals = data[group].astype(str).to_numpy()
    colours = group_colours(groups)
    draft = Draft(opts, figsize)
    ax = draft.ax
    shares = np.full((len(cats), len(groups)), np.nan)
    blocked = np.zeros(len(cats), dtype=bool)
    for ci, c in enumerate(cats):
        sel = cvals == c
        if normalise and sup[sel].any():
            blocked[ci] = True
            continue
        total = np.nansum(vals[sel]) if normalise else 100.0
        for gi, g in enumerate(groups):
            hit = np.flatnonzero(sel & (gvals == g))
            if hit.size > 1:
                raise InputError(
                    f"{opts.func}: {hit.size} rows for {category}={c!r}, {group}={g!r}; expected one"
                )
            if hit.size and np.isfinite(vals[hit[0]]) and total > 0:
                shares[ci, gi] = vals[hit[0]] / total * 100 if normalise else vals[hit[0]]
            if hit.size and sup[hit[0]]:
                blocked[ci] = True
    pos = np.arange(len(cats))
    bottom = np.zeros(len(cats))
    bar = ax.barh if horizontal else ax.bar
    for gi, g in enumerate(groups):
        seg = np.nan_to_num(shares[:, gi])
        kwargs: dict[str, Any] = {"left": bottom} if horizontal else {"bottom": bottom}
        bar(pos, seg, 0.75, color=colours[g], label=g, **kwargs)
        bottom = bottom + seg
    for bi in np.flatnonzero(blocked):
        xy = (bottom[bi] + 1, bi) if horizontal else (bi, bottom[bi] + 1)
        ax.annotate(
            disclosure.SUPPRESSED,
            xy,
            ha="left" if horizontal else "center",
            va="center" if horizontal else "bottom",
            fontsize="small",
        )
    if horizontal:
        ax.set_yticks(pos, cats)
        ax.set_xlim(0, 105)
        ax.invert_yaxis()
        ax.grid(axis="y", visible=False)
    else:
        ax.set_xticks(pos, cats, rotation=0 if len(cats) <= 10 else 45)
        ax.set_ylim(0, 105)
        ax.grid(axis="x", visible=False)
    draft.suppressed.extend(cats[i] for i in np.flatnonzero(blocked))
    ax.legend(
        title=axis_name(group),
        fontsize="small",
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
    )
    for ci, c in enumerate(cats):
        if blocked[ci] and normalise:
            draft.items.append(f"{c}: suppressed")
            continue
        parts = [
            f"{g} {format_number(shares[ci, gi], digits=0)}%"
            for gi, g in enumerate(groups)
            if np.isfinite(shares[ci, gi])
        ]
        draft.items.append(
            f"{c}: "
            + ", ".join(parts)
            + (f" ({disclosure.SUPPRESSED} suppressed)" if blocked[ci] else "")
        )
    return draft.finish(
        "Stacked bar chart",
        f"{ylabel} by {group.replace('_', ' ')} in each category of {xlabel}",
        # the note of suppressed categories goes under the horizontal axis, whichever it is
        xlabel=draft.note(ylabel if horizontal else xlabel),
        ylabel=xlabel if horizontal else ylabel,
    )
