"""Checks that a table is safe to publish: :func:`check` refuses an unsafe table,
:func:`unprotected_totals` lists the published totals that still reveal a suppressed cell.

Both read either representation of a suppressed cell: a missing value flagged in its flag column
(a table from :func:`rhoresearch.disclosure.suppress`) or the ``[c]`` symbol (a rendered or
published table).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from rhoresearch.disclosure import _cells, audit
from rhoresearch.disclosure._cells import Derived
from rhoresearch.disclosure.audit import DEFAULT_PROTECTION_WIDTH
from rhoresearch.disclosure.flags import SUPPRESSED, _suppressed_mask, flag_column
from rhoresearch.disclosure.policies import Policy
from rhoresearch.exceptions import DisclosureError, InputError
from rhoresearch.validation import (
    DEFAULT_THRESHOLD,
    as_columns,
    check_frame,
    check_threshold,
    require_columns,
)

__all__ = ["check", "unprotected_totals"]

logger = logging.getLogger(__name__)

Margins = Iterable[str | Sequence[str] | None] | None


def _unsafe_cells(
    table: pd.DataFrame,
    *,
    counts: list[str],
    threshold: int,
    func: str,
    derived: Derived,
    by: str | Sequence[str] | None,
    margins: Margins,
    row_total: str | bool | None,
    suppress_zero: bool,
    total_label: str | None = "Total",
    protection_width: int = DEFAULT_PROTECTION_WIDTH,
    policy: Policy | None = None,
) -> list[tuple[int, str, object, str]]:
    """Every unsafe cell as (row position, column, shown value, reason)."""
    require_columns(table, counts, func=func, what="count column")
    dmap = _cells.derived_map(table, counts, derived, func=func)
    k = len(counts)
    values, marked = _cells.count_matrix(table, counts, func=func)
    found: list[tuple[int, str, object, str]] = []

    def unsafe(row: int | np.integer, column: str, shown: object, reason: str) -> None:
        found.append((int(row), column, _cells.plain(shown), reason))

    # a cell flagged as suppressed must not still hold its value
    for col in [c for c in table.columns if isinstance(c, str) and flag_column(c) in table.columns]:
        cells = table[col].astype(object).to_numpy()
        for i in np.flatnonzero(_suppressed_mask(table, col)):
            if _cells.holds_value(cells[i]):
                reason = f"flagged as suppressed in {flag_column(col)!r} but still holds a value"
                unsafe(i, col, cells[i], reason)
    small = (values > 0) & (values < threshold) & ~marked
    if suppress_zero:
        small |= (values == 0) & ~marked
    for i, j in zip(*np.nonzero(small), strict=True):
        col = counts[j]
        what = "zero count (zeros are suppressed here)" if values[i, j] == 0 else "count"
        unsafe(i, col, table[col].iloc[i], f"{what} below the threshold of {threshold}")
    if policy is not None and (policy.rounding or policy.midpoint6):
        exact = np.zeros_like(marked)
        if not policy.round_totals and not policy.midpoint6:
            groups = _cells.groupings(by, margins, func=func)
            exact = audit.total_cells(table, counts, groups, row_total, total_label)
        how = "midpoint-6 rounded" if policy.midpoint6 else f"a multiple of {policy.rounding}"
        for i, j in zip(*np.nonzero(~marked & ~np.isnan(values) & ~exact), strict=True):
            if not policy.shows(float(values[i, j])):
                col = counts[j]
                reason = f"count not {how} (policy {policy.name!r})"
                unsafe(i, col, table[col].iloc[i], reason)
    for j, col in enumerate(counts):
        for dcol in dmap[col]:
            dvals = table[dcol].astype(object).to_numpy()
            for i in np.flatnonzero(marked[:, j]):
                if _cells.shown_as_number(dvals[i]):
                    unsafe(
                        i, dcol, dvals[i], f"derived from the suppressed count in column {col!r}"
                    )
    if by is not None or margins or row_total:
        groups = _cells.groupings(by, margins, func=func)
        if by is None and not _cells.whole_table_margin(margins):
            groups = groups[1:]  # the whole-table total only when margins asks for it
        _cells.check_groupings(table, groups, func=func)
        cons = _cells.constraints(table, counts, groups, row_total)
        # a policy that protects by rounding instead of secondary suppression (nhs-england,
        # opensafely) accepts a lone hidden cell: the rounded parts do not give it back exactly
        lone = policy is None or policy.secondary or not (policy.rounding or policy.midpoint6)
        for desc, cell in _cells.lone_suppressed(cons, marked) if lone else []:
            reason = f"the only suppressed cell in {desc}: recoverable from that total"
            unsafe(cell // k, counts[cell % k], SUPPRESSED, reason)
        if marked.any() and (policy is None or not (policy.rounding or policy.midpoint6)):
            rels = audit.relations(table, counts, groups, row_total, total_label)
            for e in audit.exposures(
                np.where(marked, np.nan, values),
                marked,
                rels,
                threshold=threshold,
                protection_width=protection_width,
                zeros_shown=not suppress_zero,
            ):
                unsafe(e.cell // k, counts[e.cell % k], SUPPRESSED, f"interval audit: {e.reason}")
    # de-duplicate, keep order
    seen: set[tuple[int, str, str]] = set()
    unique = []
    for item in found:
        key = (item[0], item[1], item[3])
        if key not in seen:
            seen.add(key)
            unique.append(item)
    return unique


def check(
    table: pd.DataFrame,
    *,
    counts: str | Sequence[str],
    threshold: int = DEFAULT_THRESHOLD,
    name: str | None = None,
    derived: Derived = None,
    by: str | Sequence[str] | None = None,
    margins: Margins = None,
    row_total: str | bool | None = None,
    suppress_zero: bool = False,
    total_label: str | None = "Total",
    protection_width: int = DEFAULT_PROTECTION_WIDTH,
    policy: Policy | None = None,
) -> pd.DataFrame:
    """Refuse a table that would disclose a small number; return it unchanged if it is safe.

    Parameters
    ----------
    table : pandas.DataFrame
        The table about to be written or shown: the output of
        :func:`rhoresearch.disclosure.suppress` (suppressed cells missing and flagged) or of
        :func:`rhoresearch.disclosure.render` (suppressed cells ``"[c]"``); both are accepted.
    counts : str or list of str
        The count columns. Numbers, missing values, ``"[c]"`` or another GSS symbol (``[x]``,
        ``[z]`` ...).
    threshold : int, default 5
        Counts from 1 to ``threshold - 1`` must not be shown.
    name : str, optional
        The table's name for the message.
    derived : list of str or dict, optional
        Derived columns that must not show a number where a count is suppressed; as in
        :func:`rhoresearch.disclosure.suppress` (default: the recognised derived columns of the
        table).
    by, margins, row_total : optional
        The groupings whose totals are published, as in :func:`rhoresearch.disclosure.suppress`.
        When given, a group whose cells of a count column include exactly one suppressed cell is
        unsafe (the total reveals it). Without them no secondary check is made.
    suppress_zero : bool, default False
        Zero counts are unsafe too.
    total_label : str or None, default "Total"
        The label of total rows, as given to :func:`rhoresearch.disclosure.suppress`: with the
        groupings, a group's total row gives the interval audit its equation.
    protection_width : int, default 1
        The interval audit's protection width (:mod:`rhoresearch.disclosure.audit`).
    policy : Policy, optional
        The policy the table was made under: its threshold (the larger of it and ``threshold``),
        its zeros rule, and, for a rounding policy, every shown count must be a multiple of the
        base (total rows excepted where the policy keeps them exact) or midpoint-6 rounded.

    Returns
    -------
    pandas.DataFrame
        ``table`` itself, unchanged, when it is safe (the same object, with the same columns,
        flag columns included).

    Raises
    ------
    DisclosureError
        Naming the table and every unsafe cell (row label and label columns, column, shown value,
        reason); ``error.cells`` holds ``(row label, column, value)`` tuples. Unsafe: a count from 1
        to ``threshold - 1`` shown; a derived value shown beside a suppressed count; a cell flagged
        as suppressed that still holds a value; with groupings, a total revealing its only
        suppressed cell, or a suppressed cell exposed by the interval audit (its interval, worked
        out from the totals the table shows, lies inside 1 to ``threshold - 1`` or is narrower
        than ``protection_width``); under a rounding policy, a count that is not rounded.
    InputError
        A column is missing, or a count cell is neither a number, empty nor a GSS symbol.

    Notes
    -----
    The message quotes the unsafe values so the analyst can find them; it is meant for the analyst,
    not for publication.

    References
    ----------
    Government Statistical Service (2022). *Symbols in tables, definitions and help*.

    Hundepool A, Domingo-Ferrer J, Franconi L, Giessing S, Schulte Nordholt E, Spicer K, de Wolf
    P-P (2012). *Statistical Disclosure Control*. Wiley. Chapters 4 and 5.
    """
    func = _cells.where("check", name)
    check_frame(table, func=func, name="table")
    counts_l = as_columns(counts, func=func, name="counts")
    if not counts_l:
        raise InputError(f"{func}: counts must name at least one column")
    threshold = check_threshold(threshold, func=func)
    protection_width = audit.check_width(protection_width, func=func)
    if policy is not None:
        if not isinstance(policy, Policy):
            raise InputError(f"{func}: policy must be a disclosure Policy; got {policy!r}")
        threshold = max(threshold, policy.threshold)
        suppress_zero = suppress_zero or policy.suppress_zero
        protection_width = max(protection_width, policy.protection_width)
    found = _unsafe_cells(
        table,
        counts=counts_l,
        threshold=1 if policy is not None and policy.midpoint6 else threshold,
        func=func,
        derived=derived,
        by=by,
        margins=margins,
        row_total=row_total,
        suppress_zero=suppress_zero,
        total_label=total_label,
        protection_width=protection_width,
        policy=policy,
    )
    label = name or "table"
    if not found:
        logger.debug("check %s: safe at threshold %d", label, threshold)
        return table
    keys = _cells.label_columns(table, set(counts_l))
    lines = [
        f"{_cells.describe_row(table, i, keys)}, column {col!r}, value {val!r}: {why}"
        for i, col, val, why in found
    ]
    shown = "\n  ".join(lines[:20])
    more = f"\n  ... and {len(lines) - 20} more" if len(lines) > 20 else ""
    raise DisclosureError(
        f"table {label!r} is not safe to publish at threshold {threshold}: "
        f"{len(found)} unsafe cell(s):\n  {shown}{more}\n"
        "Pass it through rhoresearch.disclosure.suppress(...) first.",
        cells=[(table.index[i], col, val) for i, col, val, _ in found],
    )


def unprotected_totals(
    table: pd.DataFrame,
    *,
    counts: str | Sequence[str],
    by: str | Sequence[str] | None = None,
    margins: Margins = None,
    row_total: str | bool | None = None,
    name: str | None = None,
) -> pd.DataFrame:
    """The published totals that still reveal a suppressed cell (their only suppressed cell).

    :func:`rhoresearch.disclosure.suppress` leaves such a total only when nothing else in it could
    be suppressed (e.g. a group of two rows, one small and one missing), and logs a warning; this
    function lists them, for a report's caveats or a test.

    Parameters
    ----------
    table : pandas.DataFrame
        A table from :func:`rhoresearch.disclosure.suppress` (or rendered: ``[c]`` cells).
    counts : str or list of str
        The count columns.
    by, margins, row_total : optional
        The published totals, exactly as given to :func:`rhoresearch.disclosure.suppress`:
        ``by=None`` means the whole column's total is published.
    name : str, optional
        The table's name, for messages.

    Returns
    -------
    pandas.DataFrame
        One row per total with exactly one suppressed cell, in the order ``by`` groups, ``margins``
        groups, rows. Columns: ``total`` (object, e.g. ``"the total of year=2020 (column
        'count')"``), ``row`` (object, the index label of the suppressed cell), ``column``
        (object, its count column). Empty (with these columns) when every total is protected.

    Raises
    ------
    InputError
        ``table`` is not a DataFrame, a column is missing or a count is not a number.

    References
    ----------
    Hundepool A, Domingo-Ferrer J, Franconi L, Giessing S, Schulte Nordholt E, Spicer K, de Wolf
    P-P (2012). *Statistical Disclosure Control*. Wiley. Chapter 4 (secondary cell suppression).
    """
    func = _cells.where("unprotected_totals", name)
    check_frame(table, func=func, name="table")
    counts_l = as_columns(counts, func=func, name="counts")
    if not counts_l:
        raise InputError(f"{func}: counts must name at least one column")
    require_columns(table, counts_l, func=func, what="count column")
    groups = _cells.groupings(by, margins, func=func)
    _cells.check_groupings(table, groups, func=func)
    _, marked = _cells.count_matrix(table, counts_l, func=func)
    cons = _cells.constraints(table, counts_l, groups, row_total)
    k = len(counts_l)
    lone = _cells.lone_suppressed(cons, marked)
    return pd.DataFrame(
        {
            "total": pd.Series([desc for desc, _ in lone], dtype=object),
            "row": pd.Series([table.index[cell // k] for _, cell in lone], dtype=object),
            "column": pd.Series([counts_l[cell % k] for _, cell in lone], dtype=object),
        }
    )
