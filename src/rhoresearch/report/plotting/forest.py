"""Forest plots: ratios (or any estimates) with their intervals, one row per group."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from rhoresearch import lazy
from rhoresearch.report.narrative import format_number
from rhoresearch.report.plotting._common import (
    Draft,
    FigureOptions,
    Rows,
    axis_name,
    ci_text,
    figure_docs,
    legend_below,
    read_estimates,
    width_for,
)
from rhoresearch.validation import DEFAULT_THRESHOLD

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

ticker = lazy.module("matplotlib.ticker")  # imported by the first figure, not with the package

__all__ = ["forest_plot"]

_LOG_TICKS_FINE = [0.1, 0.2, 0.3, 0.5, 0.7, 1, 1.5, 2, 3, 5, 7, 10]
_LOG_TICKS_COARSE = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000]


def _log_ticks(ax: Axes, lo: float, hi: float) -> None:
    ticks = [t for t in _LOG_TICKS_FINE if lo <= t <= hi]
    if len(ticks) < 3 or hi > 10 or lo < 0.1:
        ticks = [t for t in _LOG_TICKS_COARSE if lo <= t <= hi]
    if len(ticks) >= 2:
        ax.xaxis.set_major_locator(ticker.FixedLocator(ticks))
    ax.xaxis.set_major_formatter(ticker.FuncFormatter(lambda x, _pos: f"{x:g}"))
    ax.xaxis.set_minor_locator(ticker.NullLocator())


@figure_docs
def forest_plot(
    data: pd.DataFrame,
    *,
    label: str,
    title: str,
    xlabel: str,
    estimate: str = "value",
    lower: str = "lower_ci",
    upper: str = "upper_ci",
    hue: str | None = None,
    order: Sequence | None = None,
    reference_line: float | None = 1.0,
    log_scale: bool = True,
    ylabel: str | None = None,
    annotate: bool = True,
    digits: int = 2,
    figsize: tuple[float, float] | None = None,
    counts: str | list[str] | None = None,
    threshold: int = DEFAULT_THRESHOLD,
    alt: str | None = None,
) -> Figure:
    """Forest plot of ratios (or any estimates) with their intervals, one row per group.

    Parameters
    ----------
    data : pandas.DataFrame
        Tidy ratio table: ``label``, ``estimate``, ``lower``, ``upper``; optionally ``reference``
        (the reference group, named under the axis) and ``is_reference`` (that row is marked
        "(reference)").
    label : str
        Column of group labels (rows, top to bottom in ``order``, else categorical order, else
        first appearance).
    {title}
    xlabel : str
        Value axis label with the measure, e.g. ``"Rate ratio (log scale)"``.
    estimate, lower, upper : str
        Columns of the estimate and its limits.
    hue : str, optional
        Column splitting each group into several estimates drawn one under the other (e.g.
        ``"model"`` with ``"crude"``/``"adjusted"``), coloured by hue with a legend; without it
        points are coloured by group.
    order : sequence, optional
        Display order of the labels.
    reference_line : float or None, default 1.0
        Vertical line of no difference (``0`` for differences; ``None`` for none).
    log_scale : bool, default True
        Logarithmic value axis (ratios). Non-positive values cannot be shown on it and are marked.
    {group_ylabel}
    annotate : bool, default True
        Write each estimate and interval at the right, e.g. ``"3.72 (2.91 to 4.66)"``.
    digits : int, default 2
        Decimal places of the annotations.
    figsize : tuple, optional
        Default: 7 inches wide, wider for row labels (group, hue level, "(reference)") longer
        than 18 characters (at most 11), and 0.45 inch per row.
    {counts}
    {threshold}
    {alt}

    Returns
    -------
    {returns}

    Raises
    ------
    {raises}

    References
    ----------
    Lewis S, Clarke M (2001). Forest plots: trying to see the wood and the trees. *BMJ*
    322:1479-1480.
    """
    opts = FigureOptions("forest_plot", title, counts, threshold, alt)
    est, sup, miss, lo, hi = read_estimates(
        data, opts, [label, estimate, hue], estimate, lower, upper, xlabel=xlabel
    )
    groups = Rows(data, label, order, hue, None)
    is_ref = (
        data["is_reference"].fillna(False).astype(bool).to_numpy()
        if "is_reference" in data.columns
        else np.zeros(len(data), dtype=bool)
    )

    rows = []  # (y, row position or None, group label, hue)
    y = 0.0
    for lab in groups.labels:
        for h in groups.hues:
            for pos in groups.positions(lab, h):
                rows.append((y, int(pos), lab, h))
                y -= 1
        y -= 0.4 if hue else 0
    n_rows = len(rows)
    yticklabels = []  # a row's label: its group, its hue level, whether it is the reference
    for _, p, lab, h in rows:
        text = lab if h is None else f"{lab}: {h}"
        if is_ref[p]:
            text += " (reference)"
        yticklabels.append(text)
    if figsize is None:  # wide enough for the row labels as drawn, not just the group names
        figsize = (width_for(yticklabels), max(2.2, 0.45 * n_rows + 1.4))
    draft = Draft(opts, figsize)
    ax = draft.ax

    shown = np.array([not sup[p] and not miss[p] for _, p, _, _ in rows], dtype=bool)
    finite = [est[p] for _, p, _, _ in rows if np.isfinite(est[p])]
    finite += [x for _, p, _, _ in rows for x in (lo[p], hi[p]) if np.isfinite(x)]
    if reference_line is not None:
        finite.append(reference_line)
    if log_scale:
        finite = [x for x in finite if x > 0]
    if finite:
        xmin, xmax = min(finite), max(finite)
    else:
        xmin, xmax = (0.5, 2.0) if log_scale else (-1.0, 1.0)
    if log_scale:
        xmin, xmax = xmin / 1.25, xmax * 1.25
        if xmin == xmax:
            xmin, xmax = xmin / 2, xmax * 2
    else:
        pad = (xmax - xmin) * 0.08 or 1.0
        xmin, xmax = xmin - pad, xmax + pad
    mid = (
        math.sqrt(xmin * xmax)
        if log_scale
        else (reference_line if reference_line is not None else (xmin + xmax) / 2)
    )
    if log_scale and reference_line is not None and reference_line > 0:
        mid = reference_line

    right_labels: list[str] = []
    seen_hue: set = set()
    for (yy, p, lab, h), ok in zip(rows, shown, strict=True):
        name = lab if h is None else f"{lab} ({h})"
        colour = groups.colour(lab, h)
        if not ok:
            mark = draft.hide(name, bool(sup[p]))
            ax.text(
                mid,
                yy,
                mark,
                ha="center",
                va="center",
                color="#555555",
                fontsize="small",
                zorder=3,
                bbox={"facecolor": "white", "edgecolor": "none", "pad": 1.5},
            )
            right_labels.append(mark)
            continue
        v = est[p]
        if log_scale and v <= 0:
            ax.text(xmin, yy, " 0 (not on log scale)", ha="left", va="center", fontsize="small")
            draft.items.append(f"{name}: {format_number(v, digits=digits)}")
            right_labels.append(format_number(v, digits=digits))
            continue
        l_, u_ = lo[p], hi[p]
        if np.isfinite(l_) and np.isfinite(u_):
            l_draw = max(l_, xmin) if log_scale else l_
            ax.plot([l_draw, u_], [yy, yy], color=colour, lw=1.8, solid_capstyle="butt")
        kwargs: dict[str, Any] = {}
        if hue and h not in seen_hue:
            kwargs["label"] = h
            seen_hue.add(h)
        ax.plot([v], [yy], marker="s", ms=7, color=colour, lw=0, **kwargs)
        text = ci_text(v, l_, u_, digits)
        if is_ref[p]:
            text = f"{format_number(v, digits=digits)} (reference)"
        draft.items.append(f"{name}: {text}")
        right_labels.append(text)

    if reference_line is not None:
        ax.axvline(reference_line, color="#333333", lw=1.1, ls="--", zorder=1.5)
    if log_scale:
        ax.set_xscale("log")
    ax.set_xlim(xmin, xmax)
    if log_scale:
        _log_ticks(ax, xmin, xmax)
    yticks = [r[0] for r in rows]
    ax.set_yticks(yticks, yticklabels)
    ax.set_ylim(min(yticks) - 0.7, max(yticks) + 0.7)
    ax.grid(axis="y", visible=False)
    if annotate:
        right = ax.secondary_yaxis("right")
        right.set_yticks(yticks, right_labels)
        right.tick_params(length=0, labelsize="small")
        right.spines["right"].set_visible(False)
    ref_name = None
    if "reference" in data.columns:
        refs = data["reference"].dropna().astype(str).unique()
        if len(refs) == 1:
            ref_name = refs[0]
    if hue:
        legend_below(draft.fig, ax, axis_name(hue))
    summary = (
        f"{xlabel} for {len(rows)} estimate(s)"
        + (f" against {ref_name}" if ref_name else "")
        + (f", with a line at {reference_line:g}" if reference_line is not None else "")
    )
    return draft.finish(
        "Forest plot",
        summary,
        xlabel=draft.note(xlabel + (f"\nReference group: {ref_name}" if ref_name else "")),
        ylabel=ylabel if ylabel is not None else axis_name(label),
    )
