"""Small-number suppression: primary, secondary (complementary) and derived, then rounding.

:func:`suppress` returns numbers: a suppressed cell holds a missing value and the flag column
``<column>_suppressed`` holds the reason (see :mod:`rhoresearch.disclosure.flags`);
:func:`rhoresearch.disclosure.render` writes ``[c]`` when the table is shown or saved.
"""

from __future__ import annotations

import heapq
import logging
from collections.abc import Callable, Iterable, Sequence

import numpy as np
import pandas as pd

from rhoresearch.disclosure import _cells, audit
from rhoresearch.disclosure._cells import Derived
from rhoresearch.disclosure._rounding import after_rounding, midpoint6_table
from rhoresearch.disclosure.audit import DEFAULT_PROTECTION_WIDTH
from rhoresearch.disclosure.flags import _flag_reasons, flag_column
from rhoresearch.disclosure.policies import Policy
from rhoresearch.exceptions import InputError
from rhoresearch.validation import (
    DEFAULT_THRESHOLD,
    as_columns,
    check_frame,
    check_threshold,
    require_columns,
)

__all__ = ["suppress"]

logger = logging.getLogger(__name__)


def suppress(
    table: pd.DataFrame,
    *,
    counts: str | Sequence[str],
    by: str | Sequence[str] | None = None,
    threshold: int = DEFAULT_THRESHOLD,
    rounding: int | None = None,
    derived: Derived = None,
    suppress_zero: bool = False,
    margins: Iterable[str | Sequence[str] | None] | None = None,
    row_total: str | bool | None = None,
    total_label: str | None = "Total",
    secondary: bool = True,
    name: str | None = None,
    policy: Policy | None = None,
    protection_width: int = DEFAULT_PROTECTION_WIDTH,
    recompute: Callable[[pd.DataFrame], pd.DataFrame] | None = None,
) -> pd.DataFrame:
    """Suppress small counts, and every count or value from which they could be worked out.

    Parameters
    ----------
    table : pandas.DataFrame
        The table to publish; not modified.
    counts : str or list of str
        The count columns (numbers of people or events). Numbers, missing values, or cells already
        suppressed: flagged in their flag column (a table from :func:`suppress`) or holding
        ``"[c]"`` (a published table).
    by : str or list of str, optional
        The grouping within which the cells of each count column add up to a total that is
        published or can be derived (e.g. ``by="year"`` for a long table of counts by year and
        ethnic group, where each year's total is known). ``None`` (default): the whole column adds up
        to a known total (the usual case for one row per ethnic group).
    threshold : int, default 5
        Counts from 1 to ``threshold - 1`` are suppressed (primary suppression).
    rounding : int, optional
        Round every count that is shown to the nearest multiple of ``rounding`` (e.g. 5), after
        suppression (a count that would round to less than ``threshold`` is suppressed). Derived
        columns are not recomputed (see Notes).
    derived : list of str or dict, optional
        Columns derived from the counts, blanked in every row where a count is suppressed. A list
        applies to every count column; a dict maps a count column to its own derived columns (wide
        tables such as ``{"count_female": ["rate_female"], ...}``). Default: the columns of the table
        that :func:`rhoresearch.disclosure.is_derived_column` recognises (``value``, ``lower_ci``,
        ``upper_ci``, ``rate``, ``percentage`` ...).
    suppress_zero : bool, default False
        Also suppress zero counts. By default a zero is shown (GSS: a true zero is shown as 0).
    margins : iterable, optional
        Further groupings whose totals are published, each a column name, a list of column names,
        or ``None`` for the whole column. A long table of counts by ``year`` and ``ethnic_group``
        with both the yearly totals and the ethnic-group totals published (a two-way table with
        row *and* column totals) is ``by="year", margins=["ethnic_group"]``.
    row_total : str or bool, optional
        For wide tables whose count columns add up across a row: the name of the count column that
        holds each row's total of the other count columns (e.g. ``"shortlisted"`` beside
        ``"appointed"`` and ``"not_appointed"``), or ``True`` when the row totals are published
        elsewhere.
    total_label : str or None, default "Total"
        Rows whose label columns (non-numeric columns other than the counts) hold this value are
        total rows (e.g. ``ethnic_group == "Total"``): they take part in the sums like any row
        (a total row is in the same ``by`` group as the rows it totals) but are chosen for
        secondary suppression only when no other cell will do.
    secondary : bool, default True
        Apply secondary suppression. ``False`` gives primary (and derived) suppression only.
    name : str, optional
        The table's name, used in messages and the log.
    policy : Policy, optional
        A disclosure policy (:func:`rhoresearch.disclosure.policy`). Its rules replace
        ``threshold`` (the larger of the two is used), ``rounding`` (when not given),
        ``suppress_zero`` and ``secondary``, and add its own: totals kept unrounded or recomputed
        from the rounded parts (a total row is one whose label is ``total_label``), derived values
        recomputed from the rounded counts, midpoint-6 rounding (count columns renamed
        ``<column>_midpoint6``, their derived columns ``<column>_midpoint6_derived``). ``None``
        (default) or the ``threshold`` policy: the behaviour described here, unchanged.
    protection_width : int, default 1
        The interval audit's protection width (:mod:`rhoresearch.disclosure.audit`): a suppressed
        cell whose interval, worked out from the totals, is narrower is exposed. ``0`` leaves only
        the small-count test.
    recompute : callable, optional
        For a policy whose derived values are computed from the rounded counts (``opensafely``):
        a function taking the table with its counts rounded (and totals recomputed) and returning
        it with the derived columns recomputed. Without it each derived value is scaled by the
        ratio of the rounded to the exact count (numerator columns, as
        :func:`rhoresearch.disclosure.is_count_column` names them) and of the exact to the
        rounded denominator (``denominator``, ``population``): exact for a rate or percentage, an
        approximation (within the rounding) for interval limits.

    Returns
    -------
    pandas.DataFrame
        A new frame with the same index and row order: the columns of ``table``, then one flag
        column ``<column>_suppressed`` (:func:`rhoresearch.disclosure.flag_column`) for every count
        or derived column with at least one suppressed cell, in table column order (a flag column
        already in ``table`` is replaced where it stands). Columns:

        - the count and derived columns: numbers, with a missing value in each suppressed cell. A
          column without suppressed cells keeps its dtype and values. One with any becomes:
          nullable ``Int64`` if it held integers, ``float64`` (``NaN``) if floats, ``boolean`` if
          booleans; an object column becomes ``Int64`` or ``float64`` when all its other values are
          Python/numpy integers or floats, and otherwise keeps its dtype and text (e.g. a table read
          from a CSV as text), with ``NaN`` in the suppressed cells.
        - ``<column>_suppressed`` (str): the reason each cell is suppressed, missing where it is
          shown: ``"primary"`` (a small count), ``"secondary"`` (a count that would let a
          suppressed one be worked out from a total), ``"derived"`` (a value computed from a
          suppressed count), ``"prior"`` (``[c]`` in the input); a cell flagged in the input keeps
          its reason.
        - every other column: unchanged.

        :func:`rhoresearch.disclosure.render` turns it into the published table (``[c]`` in the
        suppressed cells, flag columns dropped); :func:`rhoresearch.disclosure.suppression_summary`
        and :func:`rhoresearch.disclosure.suppression_note` read the flags;
        :func:`rhoresearch.disclosure.unprotected_totals` lists any total that still reveals a
        suppressed cell (also logged here as a warning).

    Raises
    ------
    InputError
        ``table`` is not a DataFrame, a column is missing, a count is not a number or is
        negative, or an option is out of range.

    Notes
    -----
    *Primary suppression*: a count ``c`` with ``0 < c < threshold`` (and ``c == 0`` when
    ``suppress_zero``) is suppressed. Missing counts (NaN) are left missing and unflagged.

    *Secondary suppression*: the cells of a count column within each ``by`` group (and each
    grouping in ``margins``; and across the count columns of a row with ``row_total``) add up to a
    known total, so a group with exactly one suppressed cell gives it away. For each such group the
    procedure suppresses one more cell of that group, chosen in this order of preference: not in a
    total row, not zero (a zero may be a structural zero and protects nothing), lying in another
    group that also has exactly one suppressed cell (so one suppression protects two groups), the
    smallest count, the first in table order. It repeats until no group has exactly one suppressed
    cell, which handles two-way tables (row and column totals) and explicit total rows. This is the
    usual "at least two suppressed cells in every published margin" rule (Hundepool et al. 2012,
    chapters 4 and 5). Then the *interval audit* (:mod:`rhoresearch.disclosure.audit`) works out,
    by linear programming over all the published totals together, the interval each suppressed
    cell could lie in (at least 1 where zeros are shown); while a suppressed cell's interval lies
    inside 1 to ``threshold - 1`` or is narrower than ``protection_width``, one more cell of a
    total that binds it is suppressed (same preferences), and the two steps are repeated. It does
    not protect against differencing between separately published tables (use the same
    ``by``/``margins`` and thresholds for tables that share cells). The audit is skipped when
    counts are rounded (rounding protects the differences).
    A group with a single cell is skipped (its total is the cell itself and must not be published
    elsewhere). Missing (NaN) cells are never chosen. A group left with one suppressed cell because
    nothing else could be suppressed is logged as a warning and listed by
    :func:`rhoresearch.disclosure.unprotected_totals`.

    *Derived values*: in every row where a count column is suppressed, its derived columns are
    suppressed too (reason ``"derived"``). With a value and its denominator shown, the numerator
    follows; denominators (populations) are therefore left shown, and should be listed in
    ``counts`` only when they are themselves counts of people small enough to matter. A ``[c]``
    already in a derived column is kept suppressed (``"prior"``).

    *Rounding* (after suppression): every shown count becomes ``base * floor(c / base + 0.5)``
    (nearest multiple, halves up). Derived columns keep the values computed from the exact counts;
    they are not recomputed from the rounded ones (NHS Digital's HES method computes percentages
    from rounded counts: to follow it, round the counts and compute the indicators from the rounded
    frame). A rounded integer column stays integer and a float column without missing values
    stays float; a rounded column with missing values or text holds the rounded whole numbers as
    ``Int64`` (or, beside other GSS symbols, as Python ints in an object column).
    :func:`rhoresearch.disclosure.suppression_note` says so when given ``rounding=``.

    References
    ----------
    Government Statistical Service (2022). *Symbols in tables, definitions and help*
    (``[c]`` = confidential). https://gss.civilservice.gov.uk/policy-store/symbols-in-tables-definitions-and-help/

    NHS Digital (2018). *Change to disclosure control methodology for HES and ECDS from September
    2018*.

    NHS Digital. codonPython, ``suppression.py`` (``suppress_value``: 1-7 suppressed;
    ``round_value``: to the nearest 5). https://github.com/codonlibrary/codonPython

    Office for National Statistics. *Disclosure control guidance for birth and death statistics*
    (no rate from fewer than 3 deaths).

    Hundepool A, Domingo-Ferrer J, Franconi L, Giessing S, Schulte Nordholt E, Spicer K, de Wolf
    P-P (2012). *Statistical Disclosure Control*. Wiley. Chapters 4 (tabular data; secondary cell
    suppression) and 5 (frequency tables).
    """
    func = _cells.where("suppress", name)
    check_frame(table, func=func, name="table")
    counts_l = as_columns(counts, func=func, name="counts")
    if not counts_l:
        raise InputError(f"{func}: counts must name at least one column")
    if len(set(counts_l)) != len(counts_l):
        raise InputError(f"{func}: counts lists a column twice: {counts_l}")
    require_columns(table, counts_l, func=func, what="count column")
    threshold = check_threshold(threshold, func=func)
    protection_width = audit.check_width(protection_width, func=func)
    if policy is not None:
        if not isinstance(policy, Policy):
            raise InputError(f"{func}: policy must be a disclosure Policy; got {policy!r}")
        threshold = max(threshold, policy.threshold)
        rounding = policy.rounding if rounding is None else rounding
        suppress_zero = suppress_zero or policy.suppress_zero
        secondary = secondary and policy.secondary
        protection_width = max(protection_width, policy.protection_width)
        if policy.midpoint6:
            return midpoint6_table(table, counts_l, derived, func=func)
    if rounding is not None and (
        isinstance(rounding, bool) or not isinstance(rounding, (int, np.integer)) or rounding < 1
    ):
        raise InputError(
            f"{func}: rounding must be None or a whole number of at least 1; got {rounding!r}"
        )
    groups = _cells.groupings(by, margins, func=func)
    _cells.check_groupings(table, groups, func=func)
    if isinstance(row_total, str):
        if row_total not in counts_l:
            raise InputError(
                f"{func}: row_total {row_total!r} must be one of the count columns {counts_l}"
            )
    elif row_total not in (None, True, False):
        raise InputError(
            f"{func}: row_total must be a count column name, True or None; got {row_total!r}"
        )
    dmap = _cells.derived_map(table, counts_l, derived, func=func)
    derived_l = _cells.derived_columns(dmap)

    n, k = len(table), len(counts_l)
    values, prior = _cells.count_matrix(table, counts_l, func=func)
    small = (values > 0) & (values < threshold)
    if suppress_zero:
        small |= values == 0
    if rounding is not None:
        # a count that would be shown below the threshold once rounded is hidden too
        small |= (values > 0) & (rounding * np.floor(values / rounding + 0.5) < threshold)
    primary = small & ~prior
    flat = (prior | primary).ravel()
    reasons_flat = np.full(n * k, None, dtype=object)
    for j, col in enumerate(counts_l):
        reasons_flat[j::k] = _flag_reasons(table, col)
    reasons_flat[primary.ravel()] = "primary"

    unprotected: list[str] = []
    if secondary:
        keys = _cells.label_columns(table, set(counts_l) | set(derived_l))
        is_total_row = np.zeros(n, dtype=bool)
        if total_label is not None:
            for c in keys:
                is_total_row |= table[c].astype(object).to_numpy() == total_label
        cons = _cells.constraints(table, counts_l, groups, row_total)
        unprotected = _secondary(values.ravel(), flat, reasons_flat, cons, is_total_row, k)
        if rounding is None:
            rels = audit.relations(
                table, counts_l, groups, row_total, total_label, true_values=values
            )
            unprotected += _audited(
                values,
                flat,
                reasons_flat,
                cons,
                rels,
                is_total_row,
                k,
                threshold=threshold,
                width=protection_width,
                zeros_shown=not suppress_zero,
                row_total_j=counts_l.index(row_total) if isinstance(row_total, str) else None,
            )
            unprotected = list(dict.fromkeys(unprotected))

    supp = flat.reshape(n, k)
    reason = reasons_flat.reshape(n, k)

    out = table.copy()
    flags: dict[str, np.ndarray] = {}
    keep_exact = np.zeros((n, k), dtype=bool)
    if rounding is not None and policy is not None and not policy.round_totals:
        keep_exact = audit.total_cells(table, counts_l, groups, row_total, total_label)
    for j, col in enumerate(counts_l):
        out[col] = _count_column(out[col], values[:, j], supp[:, j], rounding, keep_exact[:, j])
        flags[col] = np.array(
            [r if s else None for r, s in zip(reason[:, j], supp[:, j], strict=True)], dtype=object
        )
    if rounding is not None and policy is not None:
        out = after_rounding(
            out, table, counts_l, dmap, supp, groups, row_total, total_label, policy, recompute
        )
    for dcol in derived_l:
        from_counts = np.zeros(n, dtype=bool)
        for j, col in enumerate(counts_l):
            if dcol in dmap[col]:
                from_counts |= supp[:, j]
        reasons = _flag_reasons(table, dcol)
        reasons[from_counts] = "derived"
        out[dcol] = _blanked(out[dcol], np.array([r is not None for r in reasons], dtype=bool))
        flags[dcol] = reasons
    for col in [c for c in table.columns if c in flags]:
        # a flag column only where a cell is suppressed (or the input had one): like the "[c]"
        # symbol it stands for, it travels with the column through filters, merges and concats
        if flag_column(col) in table.columns or any(r is not None for r in flags[col]):
            out[flag_column(col)] = pd.Series(flags[col], index=out.index, dtype="str")

    tally = {r: sum(int((f == r).sum()) for f in flags.values()) for r in _LOGGED}
    logger.info(
        "suppress %s: %d primary, %d secondary, %d derived cell(s) at threshold %d%s",
        name or "table",
        tally["primary"],
        tally["secondary"],
        tally["derived"],
        threshold,
        f", counts rounded to {rounding}" if rounding else "",
    )
    for text in unprotected:
        logger.warning("suppress %s: %s still reveals a suppressed cell", name or "table", text)
    return out


_LOGGED = ("primary", "secondary", "derived")


def _secondary(
    values: np.ndarray,
    supp: np.ndarray,
    reason: np.ndarray,
    cons: list[tuple[str, np.ndarray]],
    is_total_row: np.ndarray,
    k: int,
) -> list[str]:
    """Suppress cells until no constraint has exactly one suppressed cell (modifies supp/reason).

    Constraints with exactly one suppressed cell are handled lowest index first (``by`` groups,
    then ``margins``, then rows), keeping per-constraint tallies up to date as cells are added, so
    the work is proportional to the table size times the number of cells suppressed. Returns the
    descriptions of the constraints still holding exactly one suppressed cell (nothing left to
    suppress in them).
    """
    member: dict[int, list[int]] = {}
    for ci, (_, cells) in enumerate(cons):
        for cell in cells:
            member.setdefault(int(cell), []).append(ci)
    tally = np.array([int(supp[cells].sum()) for _, cells in cons], dtype=np.int64)
    heap = [ci for ci in range(len(cons)) if tally[ci] == 1]
    heapq.heapify(heap)
    while heap:
        ci = heapq.heappop(heap)
        if tally[ci] != 1:
            continue
        cells = cons[ci][1]
        candidates = [int(c) for c in cells if not supp[c] and not np.isnan(values[c])]
        if not candidates:
            continue  # nothing left to suppress in it: reported below

        def preference(cell: int, ci: int = ci) -> tuple[bool, bool, int, float, int]:
            helps = sum(1 for other in member[cell] if other != ci and tally[other] == 1)
            return (
                bool(is_total_row[cell // k]),
                bool(values[cell] == 0),
                -helps,
                float(values[cell]),
                cell,
            )

        best = min(candidates, key=preference)
        supp[best] = True
        reason[best] = "secondary"
        for other in member[best]:
            tally[other] += 1
            if tally[other] == 1:
                heapq.heappush(heap, other)
    return [desc for ci, (desc, _) in enumerate(cons) if tally[ci] == 1]


def _count_column(
    series: pd.Series,
    values: np.ndarray,
    mask: np.ndarray,
    rounding: int | None,
    exact: np.ndarray | None = None,
) -> pd.Series:
    """A count column after rounding its shown cells (not those ``exact``) and blanking the
    suppressed ones."""
    shown = ~mask & ~np.isnan(values)
    if rounding is None or not shown.any():
        return _blanked(series, mask)
    rounded = rounding * np.floor(values / rounding + 0.5)
    if exact is not None:
        rounded = np.where(exact, values, rounded)
    if pd.api.types.is_numeric_dtype(series.dtype) and not series.isna().any():
        base = np.where(shown, rounded, series.to_numpy(dtype="float64"))
        integral = pd.api.types.is_integer_dtype(series.dtype)
        kept = pd.Series(
            base.astype("int64") if integral else base, index=series.index, name=series.name
        )
        return _blanked(kept, mask)
    # missing values or text: the rounded counts are whole numbers
    obj = series.astype(object).to_numpy(copy=True)
    for i in np.flatnonzero(shown):
        obj[i] = int(rounded[i])
    obj[mask] = None
    return _from_objects(obj, series)


def _blanked(series: pd.Series, mask: np.ndarray) -> pd.Series:
    """``series`` with a missing value where ``mask``, numeric where it can be (see suppress)."""
    if not mask.any():
        return series
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype):
        out = series.astype("boolean")
    elif pd.api.types.is_integer_dtype(dtype):
        out = series.astype("Int64")
    elif pd.api.types.is_float_dtype(dtype):
        out = series.copy()
    else:
        obj = series.astype(object).to_numpy(copy=True)
        obj[mask] = None
        return _from_objects(obj, series)
    out[mask] = pd.NA if isinstance(out.dtype, pd.api.extensions.ExtensionDtype) else np.nan
    return out


def _from_objects(obj: np.ndarray, like: pd.Series) -> pd.Series:
    """Objects as ``Int64`` (all integers), ``float64`` (all floats) or ``like``'s dtype."""
    kinds: set[str] = set()
    for v in obj:
        if _cells.is_missing(v):
            continue
        if isinstance(v, (bool, np.bool_)):
            kinds.add("other")
        elif isinstance(v, (int, np.integer)):
            kinds.add("int")
        elif isinstance(v, (float, np.floating)):
            kinds.add("float")
        else:
            kinds.add("other")
    index, name = like.index, like.name
    if kinds == {"int"}:
        ints = [None if _cells.is_missing(v) else int(v) for v in obj]
        return pd.Series(pd.array(ints, dtype="Int64"), index=index, name=name)
    if kinds <= {"float"}:
        floats = [np.nan if _cells.is_missing(v) else float(v) for v in obj]
        return pd.Series(np.array(floats, dtype="float64"), index=index, name=name)
    filled = np.array([np.nan if _cells.is_missing(v) else v for v in obj], dtype=object)
    dtype = like.dtype if isinstance(like.dtype, pd.StringDtype) else object
    return pd.Series(filled, index=index, name=name, dtype=dtype)


def _audited(
    values: np.ndarray,
    flat: np.ndarray,
    reason: np.ndarray,
    cons: list[tuple[str, np.ndarray]],
    rels: list[audit.Relation],
    is_total_row: np.ndarray,
    k: int,
    *,
    threshold: int,
    width: int,
    zeros_shown: bool,
    row_total_j: int | None,
) -> list[str]:
    """Suppress cells until the interval audit exposes none (modifies flat/reason).

    Each round: the audit (:func:`rhoresearch.disclosure.audit.exposures`) on the current pattern;
    for the first exposed cell, one more cell of an equation that binds it is suppressed (not in a
    total row, not a row-total cell, not zero, the smallest, the first), then the secondary rule
    again. Returns the descriptions of what could not be protected.
    """
    flat_values = values.ravel()
    member: dict[int, list[int]] = {}
    for ri, rel in enumerate(rels):
        for cell in rel.cells:
            member.setdefault(int(cell), []).append(ri)
    left: list[str] = []
    stuck: set[int] = set()
    for _ in range(10 * max(1, flat.size)):
        supp = flat.reshape(values.shape)
        found = [
            e
            for e in audit.exposures(
                np.where(supp, np.nan, values),
                supp,
                rels,
                threshold=threshold,
                protection_width=width,
                zeros_shown=zeros_shown,
                true_values=values,
            )
            if e.cell not in stuck
        ]
        if not found:
            break
        cell = found[0].cell
        candidates = {
            int(c)
            for ri in member.get(cell, [])
            for c in rels[ri].cells
            if not flat[c] and not np.isnan(flat_values[c])
        }
        if not candidates:
            stuck.add(cell)
            left.append(f"the totals binding row {cell // k} column {cell % k} (interval audit)")
            continue

        def preference(c: int) -> tuple[bool, bool, bool, float, int]:
            return (
                bool(is_total_row[c // k]),
                row_total_j is not None and c % k == row_total_j,
                bool(flat_values[c] == 0),
                float(flat_values[c]),
                c,
            )

        best = min(candidates, key=preference)
        flat[best] = True
        reason[best] = "secondary"
        left = _secondary(flat_values, flat, reason, cons, is_total_row, k)
    return left
