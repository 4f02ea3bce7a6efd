"""Figures for the reports: forest plots, bars with intervals, funnel plots, trends, agreement plots.

Every function takes a tidy frame (the output of ``rhoresearch.stats.indicators``/``models`` after
``rhoresearch.disclosure.suppress``), returns a :class:`matplotlib.figure.Figure` and never calls
``plt.show()``. Figures are built with the object-oriented API (``matplotlib.figure.Figure``), not
through ``pyplot``: no global figure state, nothing opened on screen, safe under the Agg backend and
in worker processes, and a notebook shows a figure once (when it is displayed or passed to
``runtime.show_figure``).

Conventions
-----------
- *Theme*: importing this module changes nothing; call :func:`set_theme` once (notebooks do, after
  their imports) for the house style.
- *Colours*: one colour-blind-safe palette (Okabe & Ito 2008), with a fixed colour per high-level
  ethnic group (:data:`GROUP_COLOURS`) so a group has the same colour in every figure of every
  report; :func:`group_colours` gives colours for any ordered list of groups (detailed groups get
  shades of their high-level group's colour). Labels that are not ethnic groups (indicators, pay
  bands) are drawn in one neutral grey unless ``hue`` colours them.
- *Text*: every figure has a title and labelled axes; the value axis label is a required argument
  and should carry the unit (``"Rate per 100,000 maternities"``, ``"Rate ratio (log scale)"``).
- *Suppressed values*: cells holding ``"[c]"`` are not plotted; the group keeps its place on the axis
  with a ``[c]`` marker, and the value axis label ends with a line saying which groups were
  suppressed. Missing values (NaN) are treated the same way and marked ``[x]`` (not available).
- *Disclosure*: pass ``counts=`` (count column names) to run
  :func:`rhoresearch.disclosure.check` on the frame before drawing; it raises
  :class:`~rhoresearch.exceptions.DisclosureError` for an unsafe frame.
- *Alt text*: each function writes a suggested alternative text (the kind of chart, its title and
  the values it shows) which :func:`alt_text` returns; pass ``alt=`` to replace it. Use it with
  ``runtime.show_figure(fig, name=..., alt=plotting.alt_text(fig))``.
- Input frames are never modified.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd
from matplotlib import ticker
from matplotlib.colors import to_hex, to_rgb
from matplotlib.figure import Figure

from rhoresearch import disclosure
from rhoresearch.exceptions import InputError
from rhoresearch.report.narrative import format_ci, format_number

__all__ = [
    "OKABE_ITO",
    "GROUP_COLOURS",
    "set_theme",
    "group_colours",
    "alt_text",
    "forest_plot",
    "bar_ci",
    "funnel_plot",
    "trend_plot",
    "bland_altman",
    "stacked_share",
]

logger = logging.getLogger(__name__)

#: The Okabe-Ito colour-blind-safe palette (black first, as published).
OKABE_ITO: list[str] = [
    "#000000",  # black
    "#E69F00",  # orange
    "#56B4E9",  # sky blue
    "#009E73",  # bluish green
    "#F0E442",  # yellow
    "#0072B2",  # blue
    "#D55E00",  # vermillion
    "#CC79A7",  # reddish purple
]

#: The fixed colour of each high-level ethnic group (and of the binary split's minority label).
GROUP_COLOURS: dict[str, str] = {
    "Asian": "#E69F00",
    "Black": "#0072B2",
    "Mixed": "#CC79A7",
    "White": "#009E73",
    "Other": "#D55E00",
    "Not stated": "#7F7F7F",
    "Not known": "#BDBDBD",
    "Ethnic minority": "#56B4E9",
}

# colours for labels that are not ethnic groups (e.g. "crude", "adjusted"), in order
_FALLBACK = ["#000000", "#56B4E9", "#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#F0E442"]

# keywords that place a detailed label in its high-level family (first match in the label wins)
_FAMILY_WORDS = {
    "not stated": "Not stated",
    "not known": "Not known",
    "unknown": "Not known",
    "not declared": "Not stated",
    "ethnic minorit": "Ethnic minority",
    "minority": "Ethnic minority",
    "bame": "Ethnic minority",
    "bme": "Ethnic minority",
    "mixed": "Mixed",
    "multiple": "Mixed",
    "asian": "Asian",
    "indian": "Asian",
    "pakistani": "Asian",
    "bangladeshi": "Asian",
    "chinese": "Asian",
    "black": "Black",
    "caribbean": "Black",
    "african": "Black",
    "white": "White",
    "british": "White",
    "irish": "White",
    "gypsy": "White",
    "roma": "White",
    "arab": "Other",
    "other": "Other",
}

_SUPPRESSED_NOTE = "[c] suppressed (small numbers)"
_NEUTRAL = "#4D4D4D"  # one series of labels that are not ethnic groups
_ALT_ATTR = "_rhoresearch_alt_text"
_MAX_ALT_ITEMS = 12


# --------------------------------------------------------------------------------------------------
# theme and colours
# --------------------------------------------------------------------------------------------------


def set_theme(*, context: str = "notebook", font_scale: float = 1.0) -> None:
    """Apply the house style to matplotlib (explicitly; importing the module changes nothing).

    Parameters
    ----------
    context : {"paper", "notebook", "talk", "poster"}, default "notebook"
        Seaborn's scaling context.
    font_scale : float, default 1.0
        Extra font scaling.

    Returns
    -------
    None

    Notes
    -----
    Seaborn's ``whitegrid`` style with the Okabe-Ito palette as the colour cycle, left-aligned bold
    titles, no top/right spines, 150 dpi saved figures with tight bounding boxes. Figures made
    before the call keep their style.

    References
    ----------
    Okabe M, Ito K (2008). *Color Universal Design (CUD): how to make figures and presentations
    that are friendly to colorblind people*. https://jfly.uni-koeln.de/color/

    Waskom ML (2021). seaborn: statistical data visualization. *Journal of Open Source Software*
    6(60):3021.
    """
    import seaborn as sns

    sns.set_theme(
        context=context,
        style="whitegrid",
        palette=OKABE_ITO,
        font_scale=font_scale,
        rc={
            "axes.titlelocation": "left",
            "axes.titleweight": "bold",
            "axes.spines.top": False,
            "axes.spines.right": False,
            "figure.dpi": 100,
            "savefig.dpi": 150,
            "savefig.bbox": "tight",
            "legend.frameon": False,
        },
    )


_HEAD_SPLIT = re.compile(r"\s*(?::|\s-\s|\(|\[)")


def _family(label: str) -> str | None:
    """The high-level group a label belongs to, or None when it is not an ethnic group label.

    Only the head of the label is read (the text before ``:``, `` - `` or a bracket, as in
    ``"Black or Black British - Caribbean"`` and ``"White: Irish"``) and only when it is at most
    six words long, so that labels such as ``"2. Appointment (White vs ethnic minority)"`` are not
    taken for groups.
    """
    text = str(label).strip()
    if text in GROUP_COLOURS:
        return text
    head = _HEAD_SPLIT.split(text.lower(), maxsplit=1)[0].strip()
    if not head or len(head.split()) > 6:
        return None
    if "white and " in head:
        return "Mixed"  # "White and Black Caribbean", "White and Asian"
    any_other = head.startswith("any other ")
    if any_other:
        head = head[len("any other ") :]
    best, pos = None, len(head) + 1
    for word, family in _FAMILY_WORDS.items():
        i = head.find(word)
        if i != -1 and i < pos:
            best, pos = family, i
    if best is None and any_other:
        return "Other"
    return best


def _series_colours(labels: Sequence[str]) -> dict[str, str]:
    """Colours by group when the labels are ethnic groups, else one neutral colour for all."""
    if any(_family(lab) is not None for lab in labels):
        return group_colours(labels)
    return {lab: _NEUTRAL for lab in labels}


def _mix(colour: str, amount: float) -> str:
    """Lighten (amount > 0, toward white) or darken (amount < 0, toward black) a colour."""
    rgb = np.array(to_rgb(colour))
    target = np.ones(3) if amount > 0 else np.zeros(3)
    return to_hex(rgb + (target - rgb) * abs(amount))


def group_colours(groups: Iterable) -> dict[str, str]:
    """Colours for an ordered list of groups: fixed per ethnic group, colour-blind safe.

    Parameters
    ----------
    groups : iterable of str
        Group labels in display order (duplicates are ignored). High-level labels (``"Asian"``,
        ``"Black"``, ``"Mixed"``, ``"White"``, ``"Other"``, ``"Not stated"``, ``"Not known"``,
        ``"Ethnic minority"``) get :data:`GROUP_COLOURS`; detailed labels (``"Black or Black
        British - Caribbean"``, ``"White: English, Welsh, Scottish, Northern Irish or British"``)
        get shades of their high-level group's colour (darker to lighter in the order given); other
        labels (``"crude"``, ``"adjusted"``) get Okabe-Ito colours not already used.

    Returns
    -------
    dict
        ``{label: "#rrggbb"}`` in the order given.
    """
    labels = list(dict.fromkeys(str(g) for g in groups))
    families = {lab: _family(lab) for lab in labels}
    members: dict[str, list[str]] = {}
    for lab, fam in families.items():
        if fam is not None:
            members.setdefault(fam, []).append(lab)
    out: dict[str, str] = {}
    for fam, labs in members.items():
        base = GROUP_COLOURS[fam]
        if len(labs) == 1:
            out[labs[0]] = base
            continue
        for lab, amount in zip(labs, np.linspace(-0.35, 0.55, len(labs)), strict=True):
            out[lab] = base if abs(amount) < 1e-9 else _mix(base, float(amount))
    used = {c.lower() for c in out.values()}
    spare = [c for c in _FALLBACK if c.lower() not in used] or list(_FALLBACK)
    k = 0
    for lab in labels:
        if lab not in out:
            out[lab] = spare[k % len(spare)]
            k += 1
    return {lab: out[lab] for lab in labels}


# --------------------------------------------------------------------------------------------------
# shared helpers
# --------------------------------------------------------------------------------------------------


def alt_text(fig: Figure) -> str:
    """The alternative text a figure function wrote for ``fig`` (or that was passed as ``alt=``).

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        A figure returned by a function of this module.

    Returns
    -------
    str
        One or two sentences: the kind of chart, its title, what the axes show and the values
        drawn (at most 12 listed), and which groups are suppressed.

    Raises
    ------
    InputError
        ``fig`` was not made by this module (it has no alt text).
    """
    text = getattr(fig, _ALT_ATTR, None)
    if not text:
        raise InputError(
            "this figure has no alt text from rhoresearch.report.plotting; pass alt= to show_figure"
        )
    return text


def _check_data(data, columns: Sequence[str], func: str) -> None:
    if not isinstance(data, pd.DataFrame):
        raise InputError(f"{func}: data must be a pandas DataFrame; got {type(data).__name__}")
    missing = [c for c in columns if c is not None and c not in data.columns]
    if missing:
        raise InputError(
            f"{func}: column(s) {missing} not found; the frame has columns {list(data.columns)}"
        )
    if data.empty:
        raise InputError(f"{func}: the frame has no rows to plot")


def _check_text(func: str, **texts) -> None:
    for key, value in texts.items():
        if not isinstance(value, str) or not value.strip():
            raise InputError(
                f"{func}: {key} must be a non-empty string (every figure has a title and labelled "
                f"axes with units); got {value!r}"
            )


def _guard(data, counts, threshold, title) -> None:
    if counts is not None:
        disclosure.check(data, counts=counts, threshold=threshold, name=f"figure {title!r}")


def _numbers(series: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(float values, suppressed mask, missing mask) of a column that may hold ``[c]``."""
    raw = series.astype(object).to_numpy()
    values = np.full(len(raw), np.nan)
    suppressed = np.zeros(len(raw), dtype=bool)
    for i, v in enumerate(raw):
        if isinstance(v, str):
            s = v.strip()
            if s == disclosure.SUPPRESSED:
                suppressed[i] = True
                continue
            if s == "" or s.startswith("["):
                continue
            number = s.replace(",", "")
        elif v is None or v is pd.NA:
            continue
        else:
            number = v
        try:
            values[i] = float(number)
        except (TypeError, ValueError) as exc:
            raise InputError(
                f"column {series.name!r}: row {series.index[i]!r} holds {v!r}; expected a "
                f"number, NaN or {disclosure.SUPPRESSED!r}"
            ) from exc
    missing = np.isnan(values) & ~suppressed
    return values, suppressed, missing


def _interval_columns(data: pd.DataFrame, lower, upper, func: str) -> list[str]:
    """The interval columns to require: default names may be absent (no interval drawn)."""
    out = []
    for col, default in ((lower, "lower_ci"), (upper, "upper_ci")):
        if col is not None and not (col == default and col not in data.columns):
            out.append(col)
    return out


def _optional_numbers(data: pd.DataFrame, col: str | None) -> np.ndarray:
    if col is None or col not in data.columns:
        return np.full(len(data), np.nan)
    return _numbers(data[col])[0]


def _ordered_labels(values: pd.Series, order) -> list[str]:
    present = list(dict.fromkeys(str(v) for v in values))
    if order is None:
        if isinstance(values.dtype, pd.CategoricalDtype):
            cats = [str(c) for c in values.cat.categories]
            return [c for c in cats if c in present]
        return present
    order = [str(o) for o in order]
    return [o for o in order if o in present] + [p for p in present if p not in order]


def _label_note(label: str, suppressed: list[str], missing: list[str]) -> str:
    lines = [label]
    if suppressed:
        lines.append(f"{_SUPPRESSED_NOTE}: {', '.join(suppressed)}")
    if missing:
        lines.append(f"[x] not available: {', '.join(missing)}")
    return "\n".join(lines)


def _width_for(labels: Sequence[str], base: float = 7.0) -> float:
    """Figure width that leaves the plot room beside long group labels (inches, at most 11)."""
    longest = max((len(str(lab)) for lab in labels), default=0)
    return min(11.0, base + max(0, longest - 18) * 0.08)


def _legend_columns(texts: Sequence[str]) -> int:
    longest = max((len(t) for t in texts), default=0)
    if longest > 30:
        return 1
    return min(len(texts), 2 if longest > 15 else 5)


def _legend_below(fig: Figure, ax, title: str | None) -> None:
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


def _new_figure(figsize) -> Figure:
    return Figure(figsize=figsize, layout="constrained")


def _store_alt(fig: Figure, alt: str | None, default: str) -> None:
    setattr(fig, _ALT_ATTR, alt if alt else default)


def _list_items(items: list[str]) -> str:
    if len(items) > _MAX_ALT_ITEMS:
        return "; ".join(items[:_MAX_ALT_ITEMS]) + f"; and {len(items) - _MAX_ALT_ITEMS} more"
    return "; ".join(items)


def _ci_text(v, lo, hi, digits) -> str:
    return format_ci(v, lo, hi, digits=digits).replace(" (95% CI ", " (")


_LOG_TICKS_FINE = [0.1, 0.2, 0.3, 0.5, 0.7, 1, 1.5, 2, 3, 5, 7, 10]
_LOG_TICKS_COARSE = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000]


def _log_ticks(ax, lo: float, hi: float) -> None:
    ticks = [t for t in _LOG_TICKS_FINE if lo <= t <= hi]
    if len(ticks) < 3 or hi > 10 or lo < 0.1:
        ticks = [t for t in _LOG_TICKS_COARSE if lo <= t <= hi]
    if len(ticks) >= 2:
        ax.xaxis.set_major_locator(ticker.FixedLocator(ticks))
    ax.xaxis.set_major_formatter(ticker.FuncFormatter(lambda x, _pos: f"{x:g}"))
    ax.xaxis.set_minor_locator(ticker.NullLocator())


# --------------------------------------------------------------------------------------------------
# forest plot
# --------------------------------------------------------------------------------------------------


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
    threshold: int = disclosure.DEFAULT_THRESHOLD,
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
    title : str
        Figure title.
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
    ylabel : str, optional
        Group axis label (default: ``label`` with underscores as spaces, capitalised).
    annotate : bool, default True
        Write each estimate and interval at the right, e.g. ``"3.72 (2.91 to 4.66)"``.
    digits : int, default 2
        Decimal places of the annotations.
    figsize : tuple, optional
        Default: 7 inches wide, 0.45 inch per row.
    counts : str or list of str, optional
        Count columns to pass to :func:`rhoresearch.disclosure.check` before drawing.
    threshold : int, default 5
        Threshold for that check.
    alt : str, optional
        Alt text to store instead of the generated one.

    Returns
    -------
    matplotlib.figure.Figure
        One axes; :func:`alt_text` returns its alt text.

    Raises
    ------
    InputError
        A column is missing, the frame is empty, title/xlabel empty, a value is not a number.
    DisclosureError
        ``counts`` given and the frame is not safe.

    References
    ----------
    Lewis S, Clarke M (2001). Forest plots: trying to see the wood and the trees. *BMJ*
    322:1479-1480.
    """
    func = "forest_plot"
    _check_data(data, [label, estimate, hue, *_interval_columns(data, lower, upper, func)], func)
    _check_text(func, title=title, xlabel=xlabel)
    _guard(data, counts, threshold, title)
    labels = _ordered_labels(data[label], order)
    hues = _ordered_labels(data[hue], None) if hue else [None]
    est, sup, miss = _numbers(data[estimate])
    lo, hi = _optional_numbers(data, lower), _optional_numbers(data, upper)
    is_ref = (
        data["is_reference"].fillna(False).astype(bool).to_numpy()
        if "is_reference" in data.columns
        else np.zeros(len(data), dtype=bool)
    )
    lab_values = data[label].astype(str).to_numpy()
    hue_values = data[hue].astype(str).to_numpy() if hue else None

    rows = []  # (y, row position or None, group label, hue)
    y = 0.0
    for lab in labels:
        for h in hues:
            hit = np.flatnonzero((lab_values == lab) & (True if hue is None else hue_values == h))
            for pos in hit:
                rows.append((y, int(pos), lab, h))
                y -= 1
        y -= 0.4 if hue else 0
    n_rows = len(rows)
    if figsize is None:
        figsize = (_width_for(labels), max(2.2, 0.45 * n_rows + 1.4))
    fig = _new_figure(figsize)
    ax = fig.add_subplot()
    colours = group_colours(hues) if hue else _series_colours(labels)

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

    sup_labels, miss_labels, alt_items, right_labels = [], [], [], []
    seen_hue: set = set()
    for (yy, p, lab, h), ok in zip(rows, shown, strict=True):
        name = lab if h is None else f"{lab} ({h})"
        colour = colours[h if hue else lab]
        if not ok:
            mark = "[c]" if sup[p] else "[x]"
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
            (sup_labels if sup[p] else miss_labels).append(name)
            alt_items.append(f"{name}: {'suppressed' if sup[p] else 'not available'}")
            right_labels.append(mark)
            continue
        v = est[p]
        if log_scale and v <= 0:
            ax.text(xmin, yy, " 0 (not on log scale)", ha="left", va="center", fontsize="small")
            alt_items.append(f"{name}: {format_number(v, digits=digits)}")
            right_labels.append(format_number(v, digits=digits))
            continue
        l_, u_ = lo[p], hi[p]
        if np.isfinite(l_) and np.isfinite(u_):
            l_draw = max(l_, xmin) if log_scale else l_
            ax.plot([l_draw, u_], [yy, yy], color=colour, lw=1.8, solid_capstyle="butt")
        kwargs = {}
        if hue and h not in seen_hue:
            kwargs["label"] = h
            seen_hue.add(h)
        ax.plot([v], [yy], marker="s", ms=7, color=colour, lw=0, **kwargs)
        text = _ci_text(v, l_, u_, digits)
        if is_ref[p]:
            text = f"{format_number(v, digits=digits)} (reference)"
        alt_items.append(f"{name}: {text}")
        right_labels.append(text)

    if reference_line is not None:
        ax.axvline(reference_line, color="#333333", lw=1.1, ls="--", zorder=1.5)
    if log_scale:
        ax.set_xscale("log")
    ax.set_xlim(xmin, xmax)
    if log_scale:
        _log_ticks(ax, xmin, xmax)
    yticks = [r[0] for r in rows]
    yticklabels = []
    for _, p, lab, h in rows:
        text = lab if h is None else f"{lab}: {h}"
        if is_ref[p]:
            text += " (reference)"
        yticklabels.append(text)
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
    full_xlabel = xlabel + (f"\nReference group: {ref_name}" if ref_name else "")
    ax.set_xlabel(_label_note(full_xlabel, sup_labels, miss_labels))
    ax.set_ylabel(ylabel if ylabel is not None else label.replace("_", " ").capitalize())
    ax.set_title(title)
    if hue:
        _legend_below(fig, ax, hue.replace("_", " ").capitalize())
    default = (
        f"Forest plot: {title}. {xlabel} for {len(rows)} estimate(s)"
        + (f" against {ref_name}" if ref_name else "")
        + (f", with a line at {reference_line:g}" if reference_line is not None else "")
        + f". {_list_items(alt_items)}."
    )
    _store_alt(fig, alt, default)
    return fig


# --------------------------------------------------------------------------------------------------
# bars with intervals
# --------------------------------------------------------------------------------------------------


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
    threshold: int = disclosure.DEFAULT_THRESHOLD,
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
    _check_data(data, [label, value, hue, *_interval_columns(data, lower, upper, func)], func)
    _check_text(func, title=title, xlabel=xlabel)
    _guard(data, counts, threshold, title)
    labels = _ordered_labels(data[label], order)
    hues = _ordered_labels(data[hue], hue_order) if hue else [None]
    vals, sup, miss = _numbers(data[value])
    lo, hi = _optional_numbers(data, lower), _optional_numbers(data, upper)
    lab_values = data[label].astype(str).to_numpy()
    hue_values = data[hue].astype(str).to_numpy() if hue else None
    colours = group_colours(hues) if hue else _series_colours(labels)

    n_bars = len(labels) * len(hues)
    if figsize is None:
        figsize = (_width_for(labels), max(2.2, 0.4 * n_bars + 1.6))
    fig = _new_figure(figsize)
    ax = fig.add_subplot()
    height = 0.8 / len(hues)
    finite = [x for x in np.concatenate([vals, lo, hi]) if np.isfinite(x)]
    if reference_line is not None:
        finite.append(reference_line)
    right_end = max(finite) if finite else 1.0
    left_end = min(0.0, min(finite)) if finite else 0.0
    mark_x = left_end + (right_end - left_end) * 0.02

    sup_labels, miss_labels, alt_items = [], [], []
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
            colour = colours[h if hue else lab]
            if sup[p] or miss[p]:
                mark = "[c]" if sup[p] else "[x]"
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
        _legend_below(fig, ax, hue.replace("_", " ").capitalize() if hue else None)
    ax.set_yticks(ticks, ticklabels)
    ax.grid(axis="y", visible=False)
    ax.set_xlim(left=left_end, right=right_end * 1.12 if right_end > 0 else None)
    ax.set_xlabel(_label_note(xlabel, sup_labels, miss_labels))
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
        + f". {_list_items(alt_items)}."
    )
    _store_alt(fig, alt, default)
    return fig


# --------------------------------------------------------------------------------------------------
# funnel plot
# --------------------------------------------------------------------------------------------------

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
    names passed), PHE/``indicators.funnel_limits`` (``lower_2s_limit``, ``upper_3s_limit`` ...,
    each drawn against ``*_population_1_year`` or ``*_exp_events`` when present, else against
    ``limit_x``) and wide (``lower_95``/``upper_95`` ...).
    """

    def num(col):
        return _numbers(limits[col])[0]

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
            x_all = _numbers(part[limit_x])[0]
            lines.append(
                {
                    "name": "Control limits" if lev is None else _level_name(lev),
                    "lower": _line(x_all, _numbers(part[lower])[0]),
                    "upper": _line(x_all, _numbers(part[upper])[0]),
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
        line = {"name": _PHE_LEVELS.get(key, key)}
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
    threshold: int = disclosure.DEFAULT_THRESHOLD,
    alt: str | None = None,
) -> Figure:
    """Funnel plot: each unit's value against its size, with control limits around the centre.

    Parameters
    ----------
    points : pandas.DataFrame
        One row per unit (organisation, provider): ``x`` (its denominator, population or expected
        events) and ``y`` (its value), optionally ``label``. For rate funnels use
        ``indicators.funnel_points`` and ``x="denominator_derived", y="rate_chart"``.
    limits : pandas.DataFrame
        The control limits, in any of three layouts: the frame of
        ``rhoresearch.stats.indicators.funnel_limits`` (``lower_2s_limit``/``upper_2s_limit`` for 95%,
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
    counts, threshold, alt
        As in :func:`forest_plot` (the check applies to ``points``).

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
    func = "funnel_plot"
    _check_data(points, [x, y, label], func)
    if not isinstance(limits, pd.DataFrame):
        raise InputError(f"{func}: limits must be a pandas DataFrame; got {type(limits).__name__}")
    if limit_x is None:
        limit_x = x if x in limits.columns else (limits.columns[0] if len(limits.columns) else None)
    _check_data(limits, [limit_x, lower, upper, level], f"{func} (limits)")
    _check_text(func, title=title, xlabel=xlabel, ylabel=ylabel)
    _guard(points, counts, threshold, title)
    xs, _, _ = _numbers(points[x])
    ys, sup, miss = _numbers(points[y])
    lines = _limit_lines(limits, limit_x, level, lower, upper)

    fig = _new_figure(figsize)
    ax = fig.add_subplot()
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
        cvals = _numbers(limits[centre])[0]
        centre_value = float(np.nanmean(cvals)) if np.isfinite(cvals).any() else None
    elif centre is not None:
        centre_value = float(centre)
    if centre_value is not None:
        ax.axhline(centre_value, color="#000000", lw=1, label="Overall")

    shown = ~sup & ~miss & np.isfinite(xs)
    outer = lines[-1]
    lo_at = np.interp(xs, *outer["lower"], left=np.nan, right=np.nan)
    up_at = np.interp(xs, *outer["upper"], left=np.nan, right=np.nan)
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
    names = points[label].astype(str).to_numpy() if label else None
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
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    n_sup = int(sup.sum())
    n_miss = int((~sup & ~shown).sum())
    note = ylabel
    if n_sup:
        note += f"\n{_SUPPRESSED_NOTE}: {n_sup} unit(s) not shown"
    if n_miss:
        note += f"\n[x] not available: {n_miss} unit(s) not shown"
    ax.set_ylabel(note)
    outside_names = ""
    if label:
        hi_names = [names[i] for i in np.flatnonzero(above)]
        lo_names = [names[i] for i in np.flatnonzero(below)]
        if hi_names:
            outside_names += f" Above: {_list_items(hi_names)}."
        if lo_names:
            outside_names += f" Below: {_list_items(lo_names)}."
    default = (
        f"Funnel plot: {title}. {ylabel} against {xlabel} for {int(shown.sum())} unit(s), with "
        f"{' and '.join(line['name'] for line in lines)}"
        + (f" around {format_number(centre_value, digits=2)}" if centre_value is not None else "")
        + f". {int(above.sum())} above and {int(below.sum())} below the outer limits."
        + outside_names
        + (f" {n_sup} unit(s) suppressed." if n_sup else "")
    )
    _store_alt(fig, alt, default)
    return fig


# --------------------------------------------------------------------------------------------------
# trend plot
# --------------------------------------------------------------------------------------------------


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
    threshold: int = disclosure.DEFAULT_THRESHOLD,
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
    _check_data(data, [x, y, hue, *_interval_columns(data, lower, upper, func)], func)
    _check_text(func, title=title, xlabel=xlabel, ylabel=ylabel)
    _guard(data, counts, threshold, title)
    ys, sup, miss = _numbers(data[y])
    lo, hi = _optional_numbers(data, lower), _optional_numbers(data, upper)
    xcol = data[x]
    categorical_x = not (
        pd.api.types.is_numeric_dtype(xcol.dtype)
        or pd.api.types.is_datetime64_any_dtype(xcol.dtype)
    )
    if categorical_x:
        periods = _ordered_labels(xcol, None)
        pos = {p: i for i, p in enumerate(periods)}
        xs = np.array([pos[str(v)] for v in xcol], dtype=float)
    else:
        xs = xcol.to_numpy()
    groups = _ordered_labels(data[hue], hue_order) if hue else [None]
    colours = group_colours([g for g in groups if g is not None]) if hue else {}
    fig = _new_figure(figsize)
    ax = fig.add_subplot()
    hue_values = data[hue].astype(str).to_numpy() if hue else None
    sup_items, alt_items = [], []
    for g in groups:
        idx = np.flatnonzero(hue_values == g) if hue else np.arange(len(data))
        idx = idx[np.argsort(xs[idx], kind="stable")]
        colour = colours.get(g, OKABE_ITO[5]) if hue else OKABE_ITO[5]
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
        _legend_below(fig, ax, hue.replace("_", " ").capitalize())
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(_label_note(ylabel, sup_items, []))
    default = (
        f"Line chart: {title}. {ylabel} by {xlabel}"
        + (f" for {len(groups)} groups" if hue else "")
        + (
            ", with shaded confidence intervals"
            if (np.isfinite(lo) & np.isfinite(hi)).any()
            else ""
        )
        + f". {_list_items(alt_items)}."
        + (f" Suppressed: {', '.join(sup_items)}." if sup_items else "")
    )
    _store_alt(fig, alt, default)
    return fig


# --------------------------------------------------------------------------------------------------
# Bland-Altman
# --------------------------------------------------------------------------------------------------


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
    threshold: int = disclosure.DEFAULT_THRESHOLD,
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
    alt : str, optional

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
    from scipy import stats

    func = "bland_altman"
    _check_data(data, [measured, reference, group], func)
    _check_text(func, title=title, xlabel=xlabel, ylabel=ylabel)
    if not 0 < agreement < 1:
        raise InputError(f"{func}: agreement must be a fraction between 0 and 1; got {agreement!r}")
    m, _, _ = _numbers(data[measured])
    r, _, _ = _numbers(data[reference])
    complete = np.isfinite(m) & np.isfinite(r)
    n_dropped = int((~complete).sum())
    diff, avg = m - r, (m + r) / 2
    z = float(stats.norm.ppf(0.5 + agreement / 2))
    groups = _ordered_labels(data[group], group_order) if group else [None]
    colours = group_colours([g for g in groups if g is not None]) if group else {}
    gvals = data[group].astype(str).to_numpy() if group else None
    fig = _new_figure(figsize)
    ax = fig.add_subplot()
    xmin = np.nanmin(avg[complete]) if complete.any() else 0.0
    xmax = np.nanmax(avg[complete]) if complete.any() else 1.0
    small, alt_items = [], []
    for g in groups:
        sel = complete & ((gvals == g) if group else True)
        n = int(sel.sum())
        name = g if g is not None else "All"
        if n < threshold:
            small.append(name)
            alt_items.append(f"{name}: suppressed (fewer than {threshold} pairs)")
            continue
        colour = colours.get(g, OKABE_ITO[5]) if group else OKABE_ITO[5]
        if points:
            ax.scatter(avg[sel], diff[sel], s=10, alpha=0.35, color=colour, lw=0)
        bias = float(np.mean(diff[sel]))
        sd = float(np.std(diff[sel], ddof=1)) if n > 1 else float("nan")
        lo_, hi_ = bias - z * sd, bias + z * sd
        ax.hlines(bias, xmin, xmax, color=colour, lw=1.8, label=f"{name}: bias {bias:.2f}")
        ax.hlines([lo_, hi_], xmin, xmax, color=colour, lw=1, ls="--")
        alt_items.append(
            f"{name}: {n} pairs, bias {format_number(bias, digits=2)}, limits of agreement "
            f"{format_number(lo_, digits=2)} to {format_number(hi_, digits=2)}"
        )
    ax.axhline(0, color="#444444", lw=0.8)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize="small", loc="best", title="Solid: bias; dashed: limits")
    note = ylabel
    if small:
        note += f"\n{_SUPPRESSED_NOTE}: {', '.join(small)}"
    if n_dropped:
        note += f"\n{n_dropped} incomplete pair(s) left out"
    ax.set_ylabel(note)
    ax.set_xlabel(xlabel)
    ax.set_title(title)
    default = (
        f"Bland-Altman plot: {title}. {ylabel} against {xlabel}"
        + (f" by {group.replace('_', ' ')}" if group else "")
        + f", with bias and {agreement * 100:g}% limits of agreement. {_list_items(alt_items)}."
    )
    _store_alt(fig, alt, default)
    return fig


# --------------------------------------------------------------------------------------------------
# stacked shares
# --------------------------------------------------------------------------------------------------


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
    threshold: int = disclosure.DEFAULT_THRESHOLD,
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
    counts, threshold, alt
        As in :func:`forest_plot`. With ``normalise=True`` the ``value`` column is checked as a
        count column unless ``counts`` says otherwise.

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
    func = "stacked_share"
    _check_data(data, [category, group, value], func)
    _check_text(func, title=title, xlabel=xlabel, ylabel=ylabel)
    if counts is None and normalise:
        counts = value
    _guard(data, counts, threshold, title)
    cats = _ordered_labels(data[category], order)
    groups = _ordered_labels(data[group], group_order)
    vals, sup, _ = _numbers(data[value])
    cvals = data[category].astype(str).to_numpy()
    gvals = data[group].astype(str).to_numpy()
    colours = group_colours(groups)
    fig = _new_figure(figsize)
    ax = fig.add_subplot()
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
                    f"{func}: {hit.size} rows for {category}={c!r}, {group}={g!r}; expected one"
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
        kwargs = {"left": bottom} if horizontal else {"bottom": bottom}
        bar(pos, seg, 0.75, color=colours[g], label=g, **kwargs)
        bottom = bottom + seg
    for ci in np.flatnonzero(blocked):
        xy = (bottom[ci] + 1, ci) if horizontal else (ci, bottom[ci] + 1)
        ax.annotate(
            "[c]",
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
    blocked_names = [cats[i] for i in np.flatnonzero(blocked)]
    value_label = _label_note(ylabel, blocked_names, [])
    if horizontal:
        ax.set_xlabel(value_label)
        ax.set_ylabel(xlabel)
    else:
        ax.set_ylabel(value_label)
        ax.set_xlabel(xlabel)
    ax.set_title(title)
    ax.legend(
        title=group.replace("_", " ").capitalize(),
        fontsize="small",
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
    )
    items = []
    for ci, c in enumerate(cats):
        if blocked[ci] and normalise:
            items.append(f"{c}: suppressed")
            continue
        parts = [
            f"{g} {format_number(shares[ci, gi], digits=0)}%"
            for gi, g in enumerate(groups)
            if np.isfinite(shares[ci, gi])
        ]
        items.append(f"{c}: " + ", ".join(parts) + (" ([c] suppressed)" if blocked[ci] else ""))
    default = (
        f"Stacked bar chart: {title}. {ylabel} by {group.replace('_', ' ')} in each "
        f"category of {xlabel}. {_list_items(items)}."
    )
    _store_alt(fig, alt, default)
    return fig
