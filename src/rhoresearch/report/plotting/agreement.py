"""Agreement plots: Bland-Altman difference against mean, by group."""

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
    cell_numbers,
    check_data,
    figure_docs,
    label_note,
)
from rhoresearch.validation import DEFAULT_THRESHOLD, check_confidence

if TYPE_CHECKING:
    from matplotlib.figure import Figure

# imported by the first interval or test computed, not with the package (rhoresearch.lazy)
stats = lazy.module("scipy.stats")

__all__ = ["bland_altman"]


@figure_docs
def bland_altman(
    data: pd.DataFrame,
    *,
    measured: str,
    reference: str,
    title: str,
    xlabel: str,
    ylabel: str,
    group: str | None = None,
    group_order: Sequence | None = None,
    agreement: float = 0.95,
    points: bool = True,
    threshold: int = DEFAULT_THRESHOLD,
    figsize: tuple[float, float] = (7.5, 5.0),
    alt: str | None = None,
) -> Figure:
    """Bland-Altman plot: difference (measured - reference) against their mean, by group.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per paired measurement (e.g. pulse oximeter SpO2 and arterial SaO2).
    measured, reference : str
        Columns of the device's measurement and the reference measurement.
    title, xlabel, ylabel : str
        Title and axis labels with units (``"Mean of SpO2 and SaO2 (%)"``, ``"SpO2 - SaO2
        (percentage points)"``).
    group : str, optional
        Group column (e.g. ethnic group): each group's points, bias line and limits of agreement in
        its colour.
    group_order : sequence, optional
    agreement : float, default 0.95
        Coverage of the limits of agreement (z = 1.96 for 0.95).
    points : bool, default True
        Draw the individual pairs (they are measurements, not counts); ``False`` draws only the
        bias and limit lines.
    threshold : int, default 5
        A group with fewer than ``threshold`` complete pairs is not drawn (its mean would be a
        mean of very few values; NHS Digital suppresses sub-national means of 1-7 values) and is
        listed as suppressed under the y label.
    figsize : tuple, default (7.5, 5)
    {alt}

    Returns
    -------
    matplotlib.figure.Figure
        One axes. The alt text gives each group's number of pairs, bias and limits.

    Notes
    -----
    For each group: :math:`d = \\text{measured} - \\text{reference}`, bias :math:`\\bar d`, limits
    of agreement :math:`\\bar d \\pm z\\,s_d` with :math:`s_d` the sample standard deviation
    (ddof=1) and :math:`z` the normal quantile for ``agreement``. Rows with either measurement
    missing are left out and counted under the y label.

    References
    ----------
    Bland JM, Altman DG (1986). Statistical methods for assessing agreement between two methods of
    clinical measurement. *Lancet* 327:307-310.
    """
    opts = FigureOptions("bland_altman", title, None, threshold, alt)  # no counts: measurements
    check_data(data, [measured, reference, group], opts.func)
    opts.check(data, xlabel=xlabel, ylabel=ylabel)
    agreement = check_confidence(agreement, func=opts.func)
    m, _, _ = cell_numbers(data, measured)
    r, _, _ = cell_numbers(data, reference)
    complete = np.isfinite(m) & np.isfinite(r)
    n_dropped = int((~complete).sum())
    diff, avg = m - r, (m + r) / 2
    z = float(stats.norm.ppf(0.5 + agreement / 2))
    groups = Levels(data, group, group_order)
    draft = Draft(opts, figsize)
    ax = draft.ax
    xmin = np.nanmin(avg[complete]) if complete.any() else 0.0
    xmax = np.nanmax(avg[complete]) if complete.any() else 1.0
    for g in groups.levels:
        sel = complete & groups.mask(g)
        n = int(sel.sum())
        name = g if g is not None else "All"
        if n < threshold:
            draft.suppressed.append(name)
            draft.items.append(f"{name}: suppressed (fewer than {threshold} pairs)")
            continue
        colour = groups.colour(g)
        if points:
            ax.scatter(avg[sel], diff[sel], s=10, alpha=0.35, color=colour, lw=0)
        bias = float(np.mean(diff[sel]))
        sd = float(np.std(diff[sel], ddof=1)) if n > 1 else float("nan")
        lo_, hi_ = bias - z * sd, bias + z * sd
        ax.hlines(bias, xmin, xmax, color=colour, lw=1.8, label=f"{name}: bias {bias:.2f}")
        ax.hlines([lo_, hi_], xmin, xmax, color=colour, lw=1, ls="--")
        draft.items.append(
            f"{name}: {n} pairs, bias {format_number(bias, digits=2)}, limits of agreement "
            f"{format_number(lo_, digits=2)} to {format_number(hi_, digits=2)}"
        )
    ax.axhline(0, color="#444444", lw=0.8)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize="small", loc="best", title="Solid: bias; dashed: limits")
    return draft.finish(
        "Bland-Altman plot",
        f"{ylabel} against {xlabel}"
        + (f" by {group.replace('_', ' ')}" if group else "")
        + f", with bias and {agreement * 100:g}% limits of agreement",
        xlabel=label_note(  # notes under the horizontal axis, where they have room
            xlabel,
            draft.suppressed,
            [],
            [f"{n_dropped} incomplete pair(s) left out"] if n_dropped else [],
        ),
        ylabel=ylabel,
    )
