"""The cells of a table as suppression sees them (shared by suppression, checks and the scan).

Count values parsed to numbers, which cells are already suppressed, the derived columns of each
count column, the groupings whose totals are published and the sets of cells whose sum is known.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from rhoresearch.disclosure._columns import is_derived_column, is_flag_column
from rhoresearch.disclosure.flags import SUPPRESSED, _suppressed_mask
from rhoresearch.exceptions import InputError
from rhoresearch.validation import as_columns, require_columns

# Other GSS symbols: shown values that are not numbers (not available, not applicable, low
# reliability, less than half the last digit). A count or derived cell holding one of them is not
# "shown as a number".
OTHER_SYMBOLS = frozenset({"[x]", "[z]", "[u]", "[low]", "[e]", "[r]", "[p]", "[w]"})

#: A derived-columns argument: a list for every count column, or a mapping per count column.
Derived = str | Sequence[str] | Mapping[str, str | Sequence[str]] | None
#: The groupings whose totals are published: ``None`` is the whole table.
Groupings = list[list[str] | None]


def where(func: str, name: str | None) -> str:
    """The prefix of a message: the function, and the table's name when one was given."""
    return func if name is None else f"{func} (table {name!r})"


def is_missing(value: object) -> bool:
    return (
        value is None
        or value is pd.NA
        or (isinstance(value, (float, np.floating)) and math.isnan(value))
    )


def parse_counts(series: pd.Series, *, func: str) -> tuple[np.ndarray, np.ndarray]:
    """Return (float values with NaN for missing/symbols, boolean mask of ``[c]`` cells).

    Raises InputError for text that is neither a number, a GSS symbol nor empty, and for negative
    counts.
    """
    col = series.name
    if pd.api.types.is_bool_dtype(series.dtype):
        raise InputError(f"{func}: count column {col!r} is boolean; expected numbers")
    if pd.api.types.is_numeric_dtype(series.dtype):
        values = series.to_numpy(dtype="float64", na_value=np.nan)
        marked = np.zeros(len(series), dtype=bool)
    else:
        raw = series.astype(object).to_numpy()
        values = np.full(len(raw), np.nan)
        marked = np.zeros(len(raw), dtype=bool)
        bad: list[tuple[object, object]] = []
        for i, v in enumerate(raw):
            if is_missing(v):
                continue
            if isinstance(v, str):
                s = v.strip()
                if s == "" or s in OTHER_SYMBOLS:
                    continue
                if s == SUPPRESSED:
                    marked[i] = True
                    continue
                try:
                    values[i] = float(s.replace(",", ""))
                except ValueError:
                    bad.append((series.index[i], v))
                continue
            if isinstance(v, (bool, np.bool_)):
                bad.append((series.index[i], v))
                continue
            try:
                values[i] = float(v)
            except (TypeError, ValueError):
                bad.append((series.index[i], v))
        if bad:
            shown = ", ".join(f"row {r!r}: {v!r}" for r, v in bad[:5])
            raise InputError(
                f"{func}: count column {col!r} holds values that are not numbers "
                f"({len(bad)} cell(s); first: {shown}); expected non-negative counts "
                f"or {SUPPRESSED!r}"
            )
    negative = np.flatnonzero(values < 0)
    if negative.size:
        shown = ", ".join(f"row {series.index[i]!r}: {values[i]:g}" for i in negative[:5])
        raise InputError(
            f"{func}: count column {col!r} has {negative.size} negative value(s) "
            f"(first: {shown}); counts must be zero or more"
        )
    return values, marked


def count_matrix(
    table: pd.DataFrame, counts: list[str], *, func: str
) -> tuple[np.ndarray, np.ndarray]:
    """(values, suppressed) of the count columns as (rows x columns) arrays.

    ``suppressed`` is True where a cell is flagged or holds ``[c]``; ``values`` is NaN for missing
    cells and symbols, and holds what a flagged cell still holds (normally missing).
    """
    n, k = len(table), len(counts)
    values = np.empty((n, k))
    suppressed = np.zeros((n, k), dtype=bool)
    for j, col in enumerate(counts):
        values[:, j], marked = parse_counts(table[col], func=func)
        suppressed[:, j] = marked | _suppressed_mask(table, col)
    return values, suppressed


def plain(value: object) -> object:
    """A numpy scalar as the Python scalar it holds (for readable messages)."""
    return value.item() if isinstance(value, np.generic) else value


def holds_value(value: object) -> bool:
    """Whether a cell shows something (anything but a missing value, empty text or a symbol)."""
    if is_missing(value):
        return False
    if isinstance(value, str):
        s = value.strip()
        return not (s == "" or s == SUPPRESSED or s in OTHER_SYMBOLS)
    return True


def shown_as_number(value: object) -> bool:
    """Whether a derived cell shows a number (anything but NaN, empty, ``[c]`` or another symbol)."""
    if is_missing(value):
        return False
    if isinstance(value, str):
        if not holds_value(value):
            return False
        try:
            float(value.strip().replace(",", ""))
        except ValueError:
            return False
        return True
    return bool(pd.notna(value))


def derived_map(
    table: pd.DataFrame, counts: list[str], derived: Derived, *, func: str
) -> dict[str, list[str]]:
    """Map each count column to the derived columns to blank when that count is suppressed."""
    if derived is None:
        cols = [
            c
            for c in table.columns
            if isinstance(c, str) and c not in counts and is_derived_column(c)
        ]
        return {c: cols for c in counts}
    out: dict[str, list[str]]
    if isinstance(derived, Mapping):
        out = {c: [] for c in counts}
        for key, value in derived.items():
            if key not in counts:
                raise InputError(
                    f"{func}: derived maps {key!r}, which is not one of the count columns {counts}"
                )
            cols = as_columns(value, func=func, name="derived")
            require_columns(table, cols, func=func, what="derived column")
            out[key] = cols
        overlap = sorted({c for cols in out.values() for c in cols} & set(counts))
    else:
        cols = as_columns(derived, func=func, name="derived")
        require_columns(table, cols, func=func, what="derived column")
        out = {c: cols for c in counts}
        overlap = sorted(set(cols) & set(counts))
    if overlap:
        raise InputError(f"{func}: column(s) {overlap} given both as counts and as derived")
    return out


def derived_columns(dmap: dict[str, list[str]]) -> list[str]:
    """The derived columns of a :func:`derived_map`, each once, in first-seen order."""
    return list(dict.fromkeys(c for cols in dmap.values() for c in cols))


def groupings(by: str | Sequence[str] | None, margins: Any, *, func: str) -> Groupings:
    """The groupings whose totals are published: ``by`` first, then ``margins``, no repeats."""
    out: Groupings = [None if by is None else as_columns(by, func=func, name="by")]
    if margins is not None:
        if isinstance(margins, str):
            margins = [margins]
        if not isinstance(margins, Iterable):
            raise InputError(
                f"{func}: margins must be a list of groupings (column names, lists of them or "
                f"None), got {margins!r}"
            )
        for m in margins:
            out.append(None if m is None else as_columns(m, func=func, name="margins"))
    seen: set[tuple[str, ...] | None] = set()
    unique: Groupings = []
    for g in out:
        key = None if g is None else tuple(g)
        if key not in seen:
            seen.add(key)
            unique.append(g)
    return unique


def whole_table_margin(margins: Any) -> bool:
    """Whether ``margins`` lists ``None`` (the whole-table total)."""
    if margins is None or isinstance(margins, str) or not isinstance(margins, Iterable):
        return False
    return any(m is None for m in margins)


def check_groupings(table: pd.DataFrame, groups: Groupings, *, func: str) -> None:
    for g in groups:
        if g is not None:
            require_columns(table, g, func=func, what="by/margins column")


def constraints(
    table: pd.DataFrame,
    counts: list[str],
    groups: Groupings,
    row_total: str | bool | None,
) -> list[tuple[str, np.ndarray]]:
    """Sets of cells whose sum is known, as (description, flat cell indices) pairs.

    A cell (row position i, count column j) has flat index ``i * len(counts) + j``. A set with one
    suppressed cell reveals it. Sets of fewer than two cells are left out (a group with a single
    cell: its total *is* the cell).
    """
    k = len(counts)
    out: list[tuple[str, np.ndarray]] = []
    for grouping in groups:
        if grouping is None:
            members: dict[Any, Any] = {(): np.arange(len(table))}
        else:
            members = table.groupby(grouping, sort=False, dropna=False).indices
        for key, rows in members.items():
            rows = np.asarray(rows)
            if rows.size < 2:
                continue
            if grouping is None:
                desc = "the table total"
            else:
                key_t = key if isinstance(key, tuple) else (key,)
                desc = "the total of " + ", ".join(
                    f"{c}={plain(v)!r}" for c, v in zip(grouping, key_t, strict=True)
                )
            for j, col in enumerate(counts):
                out.append((f"{desc} (column {col!r})", rows * k + j))
    if row_total is not None and row_total is not False and k >= 2:
        desc = (
            f"the row total (column {row_total!r})"
            if isinstance(row_total, str)
            else "the row total of the count columns"
        )
        for i in range(len(table)):
            out.append((desc, i * k + np.arange(k)))
    return out


def lone_suppressed(
    cons: list[tuple[str, np.ndarray]], suppressed: np.ndarray
) -> list[tuple[str, int]]:
    """Each known total with exactly one suppressed cell, as (description, flat cell index)."""
    flat = suppressed.ravel()
    out = []
    for desc, cells in cons:
        hit = cells[flat[cells]]
        if hit.size == 1:
            out.append((desc, int(hit[0])))
    return out


def label_columns(table: pd.DataFrame, exclude: set[str]) -> list[str]:
    """The label columns of a table: not numeric, not boolean, not flags, not in ``exclude``."""
    return [
        c
        for c in table.columns
        if c not in exclude
        and not is_flag_column(c)
        and not pd.api.types.is_numeric_dtype(table[c].dtype)
        and not pd.api.types.is_bool_dtype(table[c].dtype)
    ]


def describe_row(table: pd.DataFrame, i: int, keys: list[str]) -> str:
    label = table.index[i]
    parts = [f"{c}={table.iloc[i][c]!s}" for c in keys[:3]]
    return f"row {label!r}" + (f" ({', '.join(parts)})" if parts else "")
