"""Bar charts: horizontal bars with interval whiskers, one bar per group (and per hue level)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from rhoresearch.exceptions import InputError
from rhoresearch.report.narrative import format_ci, format_number
from rhoresearch.report.plotting._common import (
    Draft,
    FigureOptions,
    Rows,
    axis_name,
    figure_docs,
    legend_below,
    read_estimates,
    width_for,
)
from rhoresearch.validation import DEFAULT_THRESHOLD

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["bar_ci"]


@figure_docs
def bar_ci(
    data: pd.DataFrame,
    *,
    label: str,
    title: str,
    xlabel: str,
    value: str = "value",
    lower: str | None = "lower_ci",
    upper: str | None = "upper_ci",
    hue: str | None = None,
    order: Sequence | None = None,
    hue_order: Sequence | None = None,
    reference_line: float | None = None,
    reference_label: str | None = None,
    ylabel: str | None = None,
    annotate: bool = False,
    digits: int = 1,
    figsize: tuple[float, float] | None = None,
    counts: str | list[str] | None = None,
    threshold: int = DEFAULT_THRESHOLD,
    alt: str | None = None,
) -> Figure:
    """Horizontal bars with interval whiskers, one bar per group (and per hue level).

    Parameters
    ----------
    data : pandas.DataFrame
        Tidy indicator table: ``label``, ``value`` and optionally ``lower``/``upper``.
    label : str
        Column of group labels (one bar each, top to bottom).
    {title}
    xlabel : str
        Value axis label with unit, e.g. ``"Detentions per 100,000 population"``.
    value, lower, upper : str
        Columns of the value and its interval (``lower``/``upper`` may be ``None`` or absent:
        no whiskers).
    hue : str, optional
        Column of a second grouping (e.g. year): bars side by side within each group, coloured by
        hue with a legend. Without it bars are coloured by group (:func:`group_colours`).
    order, hue_order : sequence, optional
        Display orders.
    reference_line : float, optional
        A vertical line (e.g. the England value), labelled ``reference_label`` in a legend.
    reference_label : str, optional
        Legend text for the line (default ``"Reference"``).
    {group_ylabel}
    annotate : bool, default False
        Write the value at the end of each bar.
    digits : int, default 1
        Decimal places of annotations and alt text.
    figsize : tuple, optional
        Default: 7 inches wide, 0.4 inch per bar.
    {counts}
    {threshold}
    {alt}

    Returns
    -------
    {returns}

    Raises
    ------
    {raises}
    """
    opts = FigureOptions("bar_ci", title, counts, threshold, alt)
    vals, sup, miss, lo, hi = read_estimates(
        data, opts, [label, value, hue], value, lower, upper, xlabel=xlabel
    )
    rows = Rows(data, label, order, hue, hue_order)
    labels, hues = rows.labels, rows.hues

    n_bars = len(labels) * len(hues)
    if figsize is None:
        figsize = (width_for(labels), max(2.2, 0.4 * n_bars + 1.6))
    draft = Draft(opts, figsize)
    ax = draft.ax
    height = 0.8 / len(hues)
    finite = [x for x in np.concatenate([vals, lo, hi]) if np.isfinite(x)]
    if reference_line is not None:
        finite.append(reference_line)
    right_end = max(finite) if finite else 1.0
    left_end = min(0.0, min(finite)) if finite else 0.0
    mark_x = left_end + (right_end - left_end) * 0.02

    ticks, ticklabels = [], []
    legend_done: set = set()
    for gi, lab in enumerate(labels):
        centre = -gi
        ticks.append(centre)
        ticklabels.append(lab)
        for hi_, h in enumerate(hues):
            yy = centre + (len(hues) - 1) * height / 2 - hi_ * height
            hit = rows.positions(lab, h)
            if hit.size == 0:
                continue
            if hit.size > 1:
                raise InputError(
                    f"{opts.func}: {hit.size} rows for {label}={lab!r}"
                    + (f", {hue}={h!r}" if hue else "")
                    + "; expected one (pass hue= for a second grouping)"
                )
            p = int(hit[0])
            name = lab if h is None else f"{lab} ({h})"
            if sup[p] or miss[p]:
                mark = draft.hide(name, bool(sup[p]))
                ax.text(mark_x, yy, mark, va="center", ha="left", fontsize="small", color="#555555")
                continue
            ax.barh(
                yy,
                vals[p],
                height=height * 0.9,
                color=rows.colour(lab, h),
                label=h if (hue and h not in legend_done) else None,
            )
            legend_done.add(h)
            if np.isfinite(lo[p]) and np.isfinite(hi[p]):
                ax.errorbar(
                    vals[p],
                    yy,
                    xerr=[[vals[p] - lo[p]], [hi[p] - vals[p]]],
                    fmt="none",
                    ecolor="#222222",
                    elinewidth=1.2,
                    capsize=3,
                )
            text = format_ci(vals[p], lo[p], hi[p], digits=digits)
            draft.items.append(f"{name}: {text}")
            if annotate:
                end = hi[p] if np.isfinite(hi[p]) else vals[p]
                ax.text(
                    end,
                    yy,
                    " " + format_number(vals[p], digits=digits),
                    va="center",
                    fontsize="small",
                )
    if reference_line is not None:
        ax.axvline(
            reference_line,
            color="#444444",
            ls="--",
            lw=1,
            label=reference_label or "Reference",
        )
    if ax.get_legend_handles_labels()[0]:
        legend_below(draft.fig, ax, axis_name(hue) if hue else None)
    ax.set_yticks(ticks, ticklabels)
    ax.grid(axis="y", visible=False)
    ax.set_xlim(left=left_end, right=right_end * 1.12 if right_end > 0 else None)
    summary = (
        f"{xlabel} by {label.replace('_', ' ')}"
        + (f" and {hue.replace('_', ' ')}" if hue else "")
        + (
            f", with a reference line at {format_number(reference_line, digits=digits)}"
            if reference_line is not None
            else ""
        )
    )
    return draft.finish(
        "Bar chart",
        summary,
        xlabel=draft.note(xlabel),
        ylabel=ylabel if ylabel is not None else axis_name(label),
    )
