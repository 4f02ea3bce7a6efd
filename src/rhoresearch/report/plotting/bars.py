"""Bar charts: horizontal bars with interval whiskers, one bar per group (and per hue level)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from rhoresearch import disclosure
from rhoresearch.exceptions import InputError
from rhoresearch.report.narrative import format_ci, format_number
from rhoresearch.report.plotting._common import (
    NOT_AVAILABLE,
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
    width_for,
)
from rhoresearch.report.plotting._style import group_colours, series_colours
from rhoresearch.validation import DEFAULT_THRESHOLD

__all__ = ["bar_ci"]


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
    title : str
        Figure title.
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
    ylabel : str, optional
        Group axis label (default from ``label``).
    annotate : bool, default False
        Write the value at the end of each bar.
    digits : int, default 1
        Decimal places of annotations and alt text.
    figsize : tuple, optional
        Default: 7 inches wide, 0.4 inch per bar.
    counts, threshold, alt
        As in :func:`forest_plot`.

    Returns
    -------
    matplotlib.figure.Figure
        One axes; :func:`alt_text` returns its alt text.

    Raises
    ------
    InputError, DisclosureError
        As in :func:`forest_plot`.
    """
    func = "bar_ci"
    check_data(data, [label, value, hue, *interval_columns(data, lower, upper)], func)
    check_text(func, title=title, xlabel=xlabel)
    guard(data, counts, threshold, title)
    labels = ordered_labels(data[label], order)
    hues = ordered_labels(data[hue], hue_order) if hue else [None]
    vals, sup, miss = cell_numbers(data, value)
    lo, hi = optional_numbers(data, lower), optional_numbers(data, upper)
    lab_values = data[label].astype(str).to_numpy()
    hue_values = data[hue].astype(str).to_numpy() if hue else None
    colours = group_colours(hues) if hue else series_colours(labels)

    n_bars = len(labels) * len(hues)
    if figsize is None:
        figsize = (width_for(labels), max(2.2, 0.4 * n_bars + 1.6))
    fig = new_figure(figsize)
    ax = fig.add_subplot()
    height = 0.8 / len(hues)
    finite = [x for x in np.concatenate([vals, lo, hi]) if np.isfinite(x)]
    if reference_line is not None:
        finite.append(reference_line)
    right_end = max(finite) if finite else 1.0
    left_end = min(0.0, min(finite)) if finite else 0.0
    mark_x = left_end + (right_end - left_end) * 0.02

    sup_labels: list[str] = []
    miss_labels: list[str] = []
    alt_items: list[str] = []
    ticks, ticklabels = [], []
    legend_done: set = set()
    for gi, lab in enumerate(labels):
        centre = -gi
        ticks.append(centre)
        ticklabels.append(lab)
        for hi_, h in enumerate(hues):
            yy = centre + (len(hues) - 1) * height / 2 - hi_ * height
            mask = (lab_values == lab) & (True if hue is None else hue_values == h)
            hit = np.flatnonzero(mask)
            if hit.size == 0:
                continue
            if hit.size > 1:
                raise InputError(
                    f"{func}: {hit.size} rows for {label}={lab!r}"
                    + (f", {hue}={h!r}" if hue else "")
                    + "; expected one (pass hue= for a second grouping)"
                )
            p = int(hit[0])
            name = lab if h is None else f"{lab} ({h})"
            colour = colours[str(h) if hue else lab]
            if sup[p] or miss[p]:
                mark = disclosure.SUPPRESSED if sup[p] else NOT_AVAILABLE
                ax.text(mark_x, yy, mark, va="center", ha="left", fontsize="small", color="#555555")
                (sup_labels if sup[p] else miss_labels).append(name)
                alt_items.append(f"{name}: {'suppressed' if sup[p] else 'not available'}")
                continue
            ax.barh(
                yy,
                vals[p],
                height=height * 0.9,
                color=colour,
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
            alt_items.append(f"{name}: {text}")
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
        legend_below(fig, ax, hue.replace("_", " ").capitalize() if hue else None)
    ax.set_yticks(ticks, ticklabels)
    ax.grid(axis="y", visible=False)
    ax.set_xlim(left=left_end, right=right_end * 1.12 if right_end > 0 else None)
    ax.set_xlabel(label_note(xlabel, sup_labels, miss_labels))
    ax.set_ylabel(ylabel if ylabel is not None else label.replace("_", " ").capitalize())
    ax.set_title(title)
    default = (
        f"Bar chart: {title}. {xlabel} by {label.replace('_', ' ')}"
        + (f" and {hue.replace('_', ' ')}" if hue else "")
        + (
            f", with a reference line at {format_number(reference_line, digits=digits)}"
            if reference_line is not None
            else ""
        )
        + f". {list_items(alt_items)}."
    )
    store_alt(fig, alt, default)
    return fig
