"""The interval audit: what an intruder can work out about each suppressed cell from the rest.

A published table with its totals is a set of linear equations: the cells of each group add up to
the group's total (a total row of the table, a ``row_total`` column, or a total published
elsewhere). Given every shown cell, every total and that counts are whole numbers of at least 0 (at
least 1 for a suppressed cell where zeros are shown as 0: an intruder knows a ``[c]`` is not zero),
each suppressed cell can only lie in an interval ``[lower, upper]``, found by linear programming
(minimise, then maximise the cell subject to the equations; Hundepool et al. 2012, section 4.3,
"audit"). A suppressed cell is *exposed* (a leak) when

- its interval lies inside ``1 .. threshold - 1``: the intruder knows it is a small count (the
  workforce case of issue 19: two suppressed cells whose total is 2, each at least 1, are both 1);
- or its interval is narrower than the *protection width* (``upper - lower < protection_width``;
  default 1: a suppressed cell must have at least two possible values, so an exactly recoverable
  ``[c]`` is a leak).

:func:`rhoresearch.disclosure.suppress` runs the audit after secondary suppression and keeps
suppressing until no cell is exposed; :func:`rhoresearch.disclosure.check` (and so
:func:`rhoresearch.disclosure.scan` and the report runtime) refuses a table with an exposed cell;
:func:`interval_audit` lists every suppressed cell's interval.

Which equations are known
-------------------------
For each published grouping (``by``, each of ``margins``, and each row with ``row_total``) and each
count column, the cells of a group add up to its total:

- when one row of the group is its *total row* (a label column not used by the grouping holds
  ``total_label``, in exactly one row of the group), or the group is a row whose ``row_total``
  column holds the total: ``sum(other cells) - total cell = 0``, known from the table itself;
- otherwise the total is published elsewhere (a margin declared by the report): its value is known
  to the intruder, and to the audit only when it is given the table before suppression
  (``original=``; :func:`~rhoresearch.disclosure.suppress` always has it). Without it the
  equation is left out (the lone-cell rule of the secondary check still applies to it).

The linear programme is the continuous relaxation (as tau-ARGUS's audit): its interval contains the
whole-number one, and equals it for a two-way table with its margins (the constraint matrix is
totally unimodular). Bounds are rounded inwards to whole numbers.

References
----------
Hundepool A, Domingo-Ferrer J, Franconi L, Giessing S, Schulte Nordholt E, Spicer K, de Wolf P-P
(2012). *Statistical Disclosure Control*. Wiley. Section 4.3 (secondary cell suppression, the
audit of a suppression pattern by linear programming).

de Wolf P-P, Hundepool A, Giessing S, Salazar J-J, Castro J (2014). *tau-ARGUS user's manual*,
version 4.1, section on the "audit" of a table.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from rhoresearch import lazy
from rhoresearch.disclosure import _cells
from rhoresearch.exceptions import InputError
from rhoresearch.validation import (
    DEFAULT_THRESHOLD,
    as_columns,
    check_frame,
    check_threshold,
    require_columns,
)

# imported by the first linear programme solved, not with the package (rhoresearch.lazy)
optimize = lazy.module("scipy.optimize")

__all__ = ["DEFAULT_PROTECTION_WIDTH", "interval_audit"]

logger = logging.getLogger(__name__)

#: The default protection width: a suppressed cell must have at least two possible values.
DEFAULT_PROTECTION_WIDTH = 1

_EPS = 1e-7


class Relation(NamedTuple):
    """One linear equation ``sum(coefs * cells) = rhs`` over flat cell indices (rhs None: unknown)."""

    cells: np.ndarray
    coefs: np.ndarray
    rhs: float | None
    desc: str


def relations(
    table: pd.DataFrame,
    counts: list[str],
    groups: _cells.Groupings,
    row_total: str | bool | None,
    total_label: str | None,
    *,
    true_values: np.ndarray | None = None,
) -> list[Relation]:
    """The equations a published table gives (see the module notes).

    ``true_values`` (rows x count columns, NaN for unknown) are the counts before suppression:
    with them a total published elsewhere has a known value, and a total row that does not add up
    is not used.
    """
    k = len(counts)
    labels = _cells.label_columns(table, set(counts))
    is_total = {
        c: (table[c].astype(object).to_numpy() == total_label)
        if total_label is not None
        else np.zeros(len(table), dtype=bool)
        for c in labels
    }
    out: list[Relation] = []
    for grouping in groups:
        if grouping is None:
            members: dict[Any, Any] = {(): np.arange(len(table))}
        else:
            members = table.groupby(grouping, sort=False, dropna=False).indices
        outside = [c for c in labels if grouping is None or c not in grouping]
        for key, rows in members.items():
            rows = np.asarray(rows)
            if rows.size < 2:
                continue
            flagged = np.zeros(rows.size, dtype=bool)
            for c in outside:
                flagged |= is_total[c][rows]
            total_row = int(rows[flagged][0]) if flagged.sum() == 1 else None
            desc = (
                "the table"
                if grouping is None
                else str(dict(zip(grouping, _key(key), strict=True)))
            )
            for j, col in enumerate(counts):
                cells = rows * k + j
                coefs = np.ones(rows.size)
                rhs: float | None = None
                if total_row is not None:
                    coefs[rows == total_row] = -1.0
                    rhs = 0.0
                out.append(Relation(cells, coefs, rhs, f"the total of {desc} (column {col!r})"))
    if isinstance(row_total, str) and row_total in counts and k >= 2:
        t = counts.index(row_total)
        for i in range(len(table)):
            coefs = np.ones(k)
            coefs[t] = -1.0
            out.append(Relation(i * k + np.arange(k), coefs, 0.0, f"the row total {row_total!r}"))
    elif row_total is True and k >= 2:
        for i in range(len(table)):
            out.append(Relation(i * k + np.arange(k), np.ones(k), None, "the row total"))
    if true_values is None:
        return out
    flat = true_values.ravel()
    known: list[Relation] = []
    for rel in out:
        vals = flat[rel.cells]
        if rel.rhs is None:
            if not np.isnan(vals).any():
                known.append(rel._replace(rhs=float(np.sum(vals))))
            continue
        total_cell = rel.cells[rel.coefs < 0]
        if np.isnan(flat[total_cell]).any():
            continue
        vals = np.where(np.isnan(vals), 0.0, vals)
        if abs(float(np.dot(rel.coefs, vals))) <= 1e-6 * max(1.0, float(np.abs(vals).max())):
            known.append(rel)
    return known


def total_cells(
    table: pd.DataFrame,
    counts: list[str],
    groups: _cells.Groupings,
    row_total: str | bool | None,
    total_label: str | None,
) -> np.ndarray:
    """(rows x counts) mask of the cells that hold a total (a total row's, a row-total column's)."""
    n, k = len(table), len(counts)
    out = np.zeros(n * k, dtype=bool)
    for rel in relations(table, counts, groups, row_total, total_label):
        if rel.rhs == 0.0:
            out[rel.cells[rel.coefs < 0]] = True
    return out.reshape(n, k)


def _key(key: object) -> tuple[object, ...]:
    return tuple(_cells.plain(v) for v in (key if isinstance(key, tuple) else (key,)))


class Exposure(NamedTuple):
    """A suppressed cell's interval and whether it is exposed."""

    cell: int
    lower: float
    upper: float
    exposed: bool
    reason: str


def exposures(
    values: np.ndarray,
    suppressed: np.ndarray,
    rels: list[Relation],
    *,
    threshold: int,
    protection_width: int,
    zeros_shown: bool,
    true_values: np.ndarray | None = None,
    only_exposed: bool = True,
) -> list[Exposure]:
    """The interval of every suppressed cell bound by an equation (flat arrays of the count cells).

    ``values`` holds the shown cells (NaN where missing or suppressed); ``suppressed`` marks the
    suppressed cells. With ``true_values`` (suppress), a cell whose true value shows it cannot be
    exposed is settled with one linear programme instead of two.
    """
    flat_vals = values.ravel()
    flat_supp = suppressed.ravel()
    usable = [r for r in rels if r.rhs is not None and flat_supp[r.cells].any()]
    if not usable:
        return []
    # the suppressed cells bound together by equations (connected components), solved apart
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for rel in usable:
        hidden = [int(c) for c in rel.cells[flat_supp[rel.cells]]]
        for c in hidden[1:]:
            parent[find(c)] = find(hidden[0])
        find(hidden[0])
    components: dict[int, list[int]] = {}
    for c in parent:
        components.setdefault(find(c), []).append(c)
    out: list[Exposure] = []
    for cells in components.values():
        cells.sort()
        out.extend(
            _component(
                sorted(cells),
                flat_vals,
                flat_supp,
                usable,
                threshold=threshold,
                width=protection_width,
                zeros_shown=zeros_shown,
                truth=None if true_values is None else true_values.ravel(),
                only_exposed=only_exposed,
            )
        )
    out.sort(key=lambda e: e.cell)
    return out


def _component(
    cells: list[int],
    flat_vals: np.ndarray,
    flat_supp: np.ndarray,
    rels: list[Relation],
    *,
    threshold: int,
    width: int,
    zeros_shown: bool,
    truth: np.ndarray | None,
    only_exposed: bool,
) -> list[Exposure]:
    index = {c: i for i, c in enumerate(cells)}
    rows: list[np.ndarray] = []
    rhs: list[float] = []
    for rel in rels:
        hidden = flat_supp[rel.cells]
        if not hidden.any() or int(rel.cells[hidden][0]) not in index:
            continue
        row = np.zeros(len(cells))
        for c, a in zip(rel.cells[hidden], rel.coefs[hidden], strict=True):
            row[index[int(c)]] += a
        shown = rel.cells[~hidden]
        shown_vals = np.where(np.isnan(flat_vals[shown]), 0.0, flat_vals[shown])
        rows.append(row)
        rhs.append(float(rel.rhs or 0.0) - float(np.dot(rel.coefs[~hidden], shown_vals)))
    a_eq = np.vstack(rows)
    b_eq = np.asarray(rhs)
    # feasible points seen so far (the true values, the extremes of the sum of the cells and of
    # two mixed directions, and every solution of the programmes below) settle most cells without
    # their own programmes: a cell seen at values at least `width` apart, one of them at least
    # the threshold, cannot be exposed. No solution at all with every hidden cell at least 1: a
    # suppressed zero (secondary suppression may pick one), the intruder's "a hidden cell is not
    # zero" is then wrong, and the audit uses 0 as the lower bound
    lower_bound = 1.0 if zeros_shown else 0.0
    true_vals = None if truth is None else truth[np.asarray(cells)]
    seen_lo, seen_hi = _sampled(
        a_eq, b_eq, lower_bound, true_vals, threshold=threshold, width=width, lazy=only_exposed
    )
    if seen_lo is None and lower_bound > 0:
        lower_bound = 0.0
        seen_lo, seen_hi = _sampled(
            a_eq, b_eq, lower_bound, true_vals, threshold=threshold, width=width, lazy=only_exposed
        )
    if seen_lo is None:
        logger.debug("interval audit: equations without a solution; cells %s skipped", cells)
        return []
    if not only_exposed:
        seen_lo = seen_hi = None
    out = []
    for i, cell in enumerate(cells):
        true = None if truth is None or np.isnan(truth[cell]) else float(truth[cell])
        if _settled(seen_lo, seen_hi, i, true, threshold=threshold, width=width):
            continue
        hi, x = _bound(a_eq, b_eq, lower_bound, i, maximise=True)
        seen_lo, seen_hi = _seen(seen_lo, seen_hi, x)
        if only_exposed and _settled(seen_lo, seen_hi, i, true, threshold=threshold, width=width):
            continue
        lo, x = _bound(a_eq, b_eq, lower_bound, i, maximise=False)
        seen_lo, seen_hi = _seen(seen_lo, seen_hi, x)
        reason = _exposed(lo, hi, threshold=threshold, width=width)
        if reason or not only_exposed:
            out.append(Exposure(cell, lo, hi, bool(reason), reason))
    return out


def _settled(
    lo: np.ndarray | None,
    hi: np.ndarray | None,
    i: int,
    true: float | None,
    *,
    threshold: int,
    width: int,
) -> bool:
    """Whether the points seen show that cell ``i`` cannot be exposed."""
    if lo is None or hi is None:
        return False
    lo_i = lo[i] if true is None else min(lo[i], true)
    hi_i = hi[i] if true is None else max(hi[i], true)
    return bool(hi_i >= threshold - _EPS and hi_i - lo_i >= width - _EPS)


def _seen(
    lo: np.ndarray | None, hi: np.ndarray | None, x: np.ndarray | None
) -> tuple[np.ndarray | None, np.ndarray | None]:
    if x is None:
        return lo, hi
    if lo is None or hi is None:
        return x.copy(), x.copy()
    return np.minimum(lo, x), np.maximum(hi, x)


def _sampled(
    a_eq: np.ndarray,
    b_eq: np.ndarray,
    lower: float,
    true_vals: np.ndarray | None,
    *,
    threshold: int,
    width: int,
    lazy: bool,
) -> tuple[np.ndarray, np.ndarray] | tuple[None, None]:
    """The smallest and largest value of each cell over a few feasible points: the true values
    (when they are feasible for the intruder) and vertices extreme in the sum of the cells and in
    two mixed directions; ``lazy``: stop as soon as every cell is settled. ``(None, None)`` when
    the equations have no solution."""
    m = a_eq.shape[1]
    mixed = np.where(np.arange(m) % 2 == 0, 1.0, -1.0)
    lo = hi = None
    if true_vals is not None and not np.isnan(true_vals).any() and (true_vals >= lower).all():
        lo, hi = true_vals.astype("float64"), true_vals.astype("float64")
    for n, c in enumerate((-np.ones(m), np.ones(m), mixed, -mixed)):
        res = optimize.linprog(c, A_eq=a_eq, b_eq=b_eq, bounds=(lower, None), method="highs")
        if res.status == 2:  # infeasible
            return None, None
        if res.status == 0:
            lo, hi = _seen(lo, hi, np.asarray(res.x, dtype="float64"))
        if lo is None or hi is None:
            if n == 0 and res.status != 0:
                continue
            return None, None
        if lazy and all(
            _settled(lo, hi, i, None, threshold=threshold, width=width) for i in range(m)
        ):
            break
    if lo is None or hi is None:
        return None, None
    return lo, hi


def _exposed(lo: float, hi: float, *, threshold: int, width: int) -> str:
    if lo >= 1 and hi <= threshold - 1:
        if hi == lo:
            return f"its value can be worked out from the totals: exactly {lo:g}"
        return (
            f"its value can be worked out from the totals to lie between {lo:g} and {hi:g}, "
            f"a count below the threshold of {threshold}"
        )
    if hi - lo < width:
        what = f"exactly {lo:g}" if hi == lo else f"between {lo:g} and {hi:g}"
        return f"its value can be worked out from the totals: {what}"
    return ""


def _bound(
    a_eq: np.ndarray, b_eq: np.ndarray, lower: float, i: int, *, maximise: bool
) -> tuple[float, np.ndarray | None]:
    """The smallest (largest) whole value cell ``i`` can take (``inf`` when unbounded), and the
    solution found."""
    c = np.zeros(a_eq.shape[1])
    c[i] = -1.0 if maximise else 1.0
    res = optimize.linprog(c, A_eq=a_eq, b_eq=b_eq, bounds=(lower, None), method="highs")
    if res.status != 0:  # 3: unbounded
        return (math.inf if maximise else lower), None
    x = float(res.x[i])
    value = float(math.floor(x + _EPS)) if maximise else float(math.ceil(x - _EPS))
    return value, np.asarray(res.x, dtype="float64")


def interval_audit(
    table: pd.DataFrame,
    *,
    counts: str | Sequence[str],
    by: str | Sequence[str] | None = None,
    margins: Any = None,
    row_total: str | bool | None = None,
    total_label: str | None = "Total",
    threshold: int = DEFAULT_THRESHOLD,
    protection_width: int = DEFAULT_PROTECTION_WIDTH,
    suppress_zero: bool = False,
    original: pd.DataFrame | None = None,
    name: str | None = None,
) -> pd.DataFrame:
    """The interval an intruder can work out for every suppressed count, and whether it is exposed.

    Parameters
    ----------
    table : pandas.DataFrame
        A table from :func:`rhoresearch.disclosure.suppress` (or rendered: ``[c]`` cells).
    counts : str or list of str
        The count columns.
    by, margins, row_total : optional
        The published totals, as given to :func:`rhoresearch.disclosure.suppress`. With
        ``by=None`` the whole column's total is published.
    total_label : str or None, default "Total"
        The label of total rows (see the module notes: a group's total row).
    threshold : int, default 5
        Counts from 1 to ``threshold - 1`` are the ones protected.
    protection_width : int, default 1
        A suppressed cell whose interval is narrower (``upper - lower < protection_width``) is
        exposed.
    suppress_zero : bool, default False
        Zeros are suppressed too, so a suppressed cell may be 0 (lower bound 0 instead of 1).
    original : pandas.DataFrame, optional
        The table before suppression (same rows, same count columns): the totals published
        elsewhere then have known values.
    name : str, optional
        The table's name, for messages.

    Returns
    -------
    pandas.DataFrame
        One row per suppressed count cell bound by at least one known equation, in row then column
        order. Columns: ``row`` (object, the index label), ``column`` (object), ``lower`` and
        ``upper`` (float64, the whole-number interval; ``upper`` is ``inf`` when unbounded),
        ``exposed`` (bool), ``reason`` (object, empty when not exposed). Empty (with these
        columns) when no suppressed cell is bound by an equation.

    Raises
    ------
    InputError
        A column is missing, a count is not a number, or an option is out of range.

    References
    ----------
    Hundepool A, et al. (2012). *Statistical Disclosure Control*. Wiley. Section 4.3.
    """
    func = _cells.where("interval_audit", name)
    check_frame(table, func=func, name="table")
    counts_l = as_columns(counts, func=func, name="counts")
    require_columns(table, counts_l, func=func, what="count column")
    threshold = check_threshold(threshold, func=func)
    width = check_width(protection_width, func=func)
    groups = _cells.groupings(by, margins, func=func)
    _cells.check_groupings(table, groups, func=func)
    values, suppressed = _cells.count_matrix(table, counts_l, func=func)
    truth = None
    if original is not None:
        check_frame(original, func=func, name="original")
        require_columns(original, counts_l, func=func, what="count column")
        if len(original) != len(table):
            raise InputError(f"{func}: original has {len(original)} rows; the table {len(table)}")
        truth, _ = _cells.count_matrix(original, counts_l, func=func)
    rels = relations(table, counts_l, groups, row_total, total_label, true_values=truth)
    found = exposures(
        np.where(suppressed, np.nan, values),
        suppressed,
        rels,
        threshold=threshold,
        protection_width=width,
        zeros_shown=not suppress_zero,
        only_exposed=False,
    )
    k = len(counts_l)
    return pd.DataFrame(
        {
            "row": pd.Series([table.index[e.cell // k] for e in found], dtype=object),
            "column": pd.Series([counts_l[e.cell % k] for e in found], dtype=object),
            "lower": pd.Series([e.lower for e in found], dtype="float64"),
            "upper": pd.Series([e.upper for e in found], dtype="float64"),
            "exposed": pd.Series([e.exposed for e in found], dtype=bool),
            "reason": pd.Series([e.reason for e in found], dtype=object),
        }
    )


def check_width(width: Any, *, func: str) -> int:
    """Check a protection width (a whole number of at least 0) and return it as an int."""
    if isinstance(width, bool) or not isinstance(width, (int, np.integer)) or width < 0:
        raise InputError(
            f"{func}: protection_width must be a whole number of at least 0; got {width!r}"
        )
    return int(width)
