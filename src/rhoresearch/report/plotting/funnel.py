"""Funnel plots: each unit's value against its size, with control limits around the centre."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from rhoresearch.exceptions import InputError
from rhoresearch.report.narrative import format_number
from rhoresearch.report.plotting._common import (
    Draft,
    FigureOptions,
    cell_numbers,
    check_data,
    figure_docs,
    label_note,
    list_items,
)
from rhoresearch.report.plotting._style import OKABE_ITO
from rhoresearch.validation import DEFAULT_THRESHOLD

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["funnel_plot"]

_LOWER_NAMES = ("lower", "lower_limit", "lower_ci", "lcl")
_UPPER_NAMES = ("upper", "upper_limit", "upper_ci", "ucl")
_PHE_LIMIT = re.compile(r"^(lower|upper)_(.+)_limit$")
_PHE_LEVELS = {"2s": "95% limits", "3s": "99.8% limits"}


def _level_name(level) -> str:
    try:
        return f"{float(level) * 100:g}% limits"
    except (TypeError, ValueError):
        return str(level)


def _line(x_values: np.ndarray, y_values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    keep = np.isfinite(x_values) & np.isfinite(y_values)
    order = np.argsort(x_values[keep], kind="stable")
    return x_values[keep][order], y_values[keep][order]


def _limit_lines(limits: pd.DataFrame, limit_x: str | None, level, lower, upper) -> list[dict]:
    """The limit lines as dicts: name, (x, y) of the lower line and of the upper line.

    Three layouts are read: long (``lower``/``upper`` columns with a ``confidence`` column, or the
    names passed), PHE/``rhoresearch.stats.funnel_limits`` (``lower_2s_limit``, ``upper_3s_limit`` ...,
    each drawn against ``*_population_1_year`` or ``*_exp_events`` when present, else against
    ``limit_x``) and wide (``lower_95``/``upper_95`` ...).
    """

    def num(col):
        return cell_numbers(limits, col)[0]

    lower = lower or next((c for c in _LOWER_NAMES if c in limits.columns), None)
    upper = upper or next((c for c in _UPPER_NAMES if c in limits.columns), None)
    lines: list[dict] = []
    if lower is not None and upper is not None:
        if limit_x is None:
            raise InputError("funnel_plot: pass limit_x, the x column of limits")
        if level is None and "confidence" in limits.columns:
            level = "confidence"
        parts = limits.groupby(level, sort=True) if level is not None else [(None, limits)]
        for lev, part in parts:
            x_all = cell_numbers(part, limit_x)[0]
            lines.append(
                {
                    "name": "Control limits" if lev is None else _level_name(lev),
                    "lower": _line(x_all, cell_numbers(part, lower)[0]),
                    "upper": _line(x_all, cell_numbers(part, upper)[0]),
                }
            )
        return lines
    phe: dict[str, dict[str, str]] = {}
    for c in limits.columns:
        m = _PHE_LIMIT.match(str(c))
        if m:
            phe.setdefault(m.group(2), {})[m.group(1)] = str(c)
    for key in sorted(phe):
        cols = phe[key]
        if "lower" not in cols or "upper" not in cols:
            continue
        line: dict[str, Any] = {"name": _PHE_LEVELS.get(key, key)}
        for side in ("lower", "upper"):
            x_col = next(
                (
                    c
                    for c in (f"{side}_{key}_population_1_year", f"{side}_{key}_exp_events")
                    if c in limits.columns
                ),
                limit_x,
            )
            if x_col is None:
                raise InputError("funnel_plot: pass limit_x, the x column of limits")
            line[side] = _line(num(x_col), num(cols[side]))
        lines.append(line)
    if lines:
        return lines
    pairs: dict[str, dict[str, str]] = {}
    for c in limits.columns:
        low = str(c).lower()
        for side, names in (("lower", _LOWER_NAMES), ("upper", _UPPER_NAMES)):
            for n in names:
                if low.startswith(n + "_"):
                    pairs.setdefault(low[len(n) + 1 :], {})[side] = c
    for suffix, cols in sorted(pairs.items()):
        if "lower" in cols and "upper" in cols and limit_x is not None:
            digits = suffix.replace("p", "")
            name = f"{float('0.' + digits) * 100:g}% limits" if digits.isdigit() else suffix
            x_all = num(limit_x)
            lines.append(
                {
                    "name": name,
                    "lower": _line(x_all, num(cols["lower"])),
                    "upper": _line(x_all, num(cols["upper"])),
                }
            )
    if not lines:
        raise InputError(
            "funnel_plot: could not find the limit columns in limits (expected lower_2s_limit/"
            "upper_2s_limit ..., lower/upper with a confidence column, or lower_95/upper_95 "
            "pairs); pass lower= and upper="
        )
    return lines


@figure_docs
def funnel_plot(
    points: pd.DataFrame,
    limits: pd.DataFrame,
    *,
    title: str,
    xlabel: str,
    ylabel: str,
    x: str = "denominator",
    y: str = "value",
    label: str | None = None,
    limit_x: str | None = None,
    lower: str | None = None,
    upper: str | None = None,
    level: str | None = None,
    centre: float | str | None = None,
    label_outside: bool = True,
    figsize: tuple[float, float] = (7.5, 5.0),
    counts: str | list[str] | None = None,
    threshold: int = DEFAULT_THRESHOLD,
    alt: str | None = None,
) -> Figure:
    """Funnel plot: each unit's value against its size, with control limits around the centre.

    Parameters
    ----------
    points : pandas.DataFrame
        One row per unit (organisation, provider): ``x`` (its denominator, population or expected
        events) and ``y`` (its value), optionally ``label``. For rate funnels use
        ``rhoresearch.stats.funnel_points`` and ``x="denominator_derived", y="rate_chart"``.
    limits : pandas.DataFrame
        The control limits, in any of three layouts: the frame of
        ``rhoresearch.stats.funnel_limits`` (``lower_2s_limit``/``upper_2s_limit`` for 95%,
        ``lower_3s_limit``/``upper_3s_limit`` for 99.8%, drawn against
        ``*_population_1_year`` (rates) or ``*_exp_events`` (ratios) when present, else against
        ``limit_x``; centre ``baseline``); long (``lower``/``upper``, ``lower_limit``/
        ``upper_limit`` or ``lower_ci``/``upper_ci``, with a ``confidence`` column giving one pair
        of lines per level); or wide (``lower_95``/``upper_95``, ``lower_998``/``upper_998``).
    title, xlabel, ylabel : str
        Title and axis labels with units (e.g. ``"Staff in post (denominator)"``, ``"Staff
        reporting discrimination (%)"``).
    x, y : str, default "denominator", "value"
        Columns of ``points``.
    label : str, optional
        Column naming units; units outside the outermost limits are labelled with it.
    limit_x : str, optional
        The x column of ``limits`` (default: ``x`` when ``limits`` has it, else its first column,
        e.g. ``population`` in ``funnel_limits`` output).
    lower, upper, level : str, optional
        Column names in ``limits`` for the long layout when they are not the defaults.
    centre : float or str, optional
        The centre line: a number, or a column of ``limits``; default the ``baseline``,
        ``target``, ``centre`` or ``average`` column when there is one.
    label_outside : bool, default True
        Label units outside the outermost limits.
    figsize : tuple, default (7.5, 5)
    counts : str or list of str, optional
        Count columns of ``points`` to pass to :func:`rhoresearch.disclosure.check` before
        drawing.
    {threshold}
    {alt}

    Returns
    -------
    matplotlib.figure.Figure
        One axes; :func:`alt_text` says how many units lie above and below the outermost limits.

    Notes
    -----
    A unit is "outside" when its value is above the upper or below the lower line of the outermost
    (last: widest) pair of limits, interpolated linearly at the unit's ``x`` (units beyond the
    range of the limit lines are not classified). Units whose ``y`` is suppressed or missing are
    not drawn; the y-axis label says how many.

    References
    ----------
    Spiegelhalter DJ (2005). Funnel plots for comparing institutional performance. *Statistics in
    Medicine* 24:1185-1202.

    Public Health England. PHEindicatormethods (R package), ``calculate_funnel_limits``.
    """
    opts = FigureOptions("funnel_plot", title, counts, threshold, alt)
    func = opts.func
    check_data(points, [x, y, label], func)
    if not isinstance(limits, pd.DataFrame):
        raise InputError(f"{func}: limits must be a pandas DataFrame; got {type(limits).__name__}")
    if limit_x is None:
        limit_x = x if x in limits.columns else (limits.columns[0] if len(limits.columns) else None)
    check_data(limits, [limit_x, lower, upper, level], f"{func} (limits)")
    opts.check(points, xlabel=xlabel, ylabel=ylabel)
    xs, _, _ = cell_numbers(points, x)
    ys, sup, miss = cell_numbers(points, y)
    lines = _limit_lines(limits, limit_x, level, lower, upper)

    draft = Draft(opts, figsize)
    ax = draft.ax
    styles = ["--", ":", "-."]
    for k, line in enumerate(lines):
        ls = styles[k % len(styles)]
        ax.plot(*line["lower"], color="#444444", ls=ls, lw=1.2, label=line["name"])
        ax.plot(*line["upper"], color="#444444", ls=ls, lw=1.2)
    if centre is None:
        centre = next(
            (c for c in ("baseline", "target", "centre", "center", "average") if c in limits),
            None,
        )
    centre_value = None
    if isinstance(centre, str):
        if centre not in limits.columns:
            raise InputError(f"{func}: centre column {centre!r} not found in limits")
        cvals = cell_numbers(limits, centre)[0]
        centre_value = float(np.nanmean(cvals)) if np.isfinite(cvals).any() else None
    elif centre is not None:
        centre_value = float(centre)
    if centre_value is not None:
        ax.axhline(centre_value, color="#000000", lw=1, label="Overall")

    shown = ~sup & ~miss & np.isfinite(xs)
    outer = lines[-1]
    (lo_x, lo_y), (up_x, up_y) = outer["lower"], outer["upper"]
    lo_at = np.interp(xs, lo_x, lo_y, left=np.nan, right=np.nan)
    up_at = np.interp(xs, up_x, up_y, left=np.nan, right=np.nan)
    with np.errstate(invalid="ignore"):
        above = shown & (ys > up_at)
        below = shown & (ys < lo_at)
    inside = shown & ~above & ~below
    ax.scatter(xs[inside], ys[inside], s=28, color=OKABE_ITO[5], label="Units", zorder=3)
    if above.any():
        ax.scatter(
            xs[above], ys[above], s=36, color=OKABE_ITO[6], marker="^", label="Above", zorder=3
        )
    if below.any():
        ax.scatter(
            xs[below], ys[below], s=36, color=OKABE_ITO[1], marker="v", label="Below", zorder=3
        )
    names = points[label].astype(str).to_numpy() if label else np.full(len(points), "")
    if label and label_outside:
        for i in np.flatnonzero(above | below):
            ax.annotate(
                names[i],
                (xs[i], ys[i]),
                xytext=(4, 3),
                textcoords="offset points",
                fontsize="x-small",
            )
    ax.set_xlim(left=0 if np.nanmin(np.append(xs[shown], 0)) >= 0 else None)
    ax.legend(fontsize="small", loc="best")
    n_sup = int(sup.sum())
    n_miss = int((~sup & ~shown).sum())
    outside_names = ""
    if label:
        hi_names = [names[i] for i in np.flatnonzero(above)]
        lo_names = [names[i] for i in np.flatnonzero(below)]
        if hi_names:
            outside_names += f" Above: {list_items(hi_names)}."
        if lo_names:
            outside_names += f" Below: {list_items(lo_names)}."
    draft.items.append(f"{int(above.sum())} above and {int(below.sum())} below the outer limits")
    summary = (
        f"{ylabel} against {xlabel} for {int(shown.sum())} unit(s), with "
        f"{' and '.join(line['name'] for line in lines)}"
        + (f" around {format_number(centre_value, digits=2)}" if centre_value is not None else "")
    )
    return draft.finish(
        "Funnel plot",
        summary,
        xlabel=label_note(  # notes under the horizontal axis, where they have room
            xlabel,
            [f"{n_sup} unit(s) not shown"] if n_sup else [],
            [f"{n_miss} unit(s) not shown"] if n_miss else [],
        ),
        ylabel=ylabel,
        tail=outside_names + (f" {n_sup} unit(s) suppressed." if n_sup else ""),
    )
