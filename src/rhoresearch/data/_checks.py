"""The checks of the values an aggregation reads, run inside the engine, and the errors they raise.

Each checked column (the events, the age, the columns given ``dtypes``) becomes a :class:`Check`:
the converted value and a flag for a row whose value is not of the expected type. The flags are
part of the aggregation query (:mod:`rhoresearch.data._query`), so valid data costs nothing extra;
only when a pass counts invalid rows is the first one located (a re-read of the file or frame with
row numbers, on a one-thread DuckDB so that file order is kept) and one error raised naming the
file, the column, the row and the value: :class:`~rhoresearch.exceptions.SchemaError` for a value
of the wrong type, :class:`~rhoresearch.exceptions.UnknownCodeError` for an ethnicity value that
cannot be mapped. Both carry ``path``, ``column``, ``row`` and ``value`` attributes.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple, NoReturn

import ibis
import ibis.expr.types as ir
import pandas as pd

from rhoresearch.data._engines import Source, csv_options, duckdb_connection, engine_errors
from rhoresearch.data._errors import MAX_ROWS_SHOWN, with_evidence
from rhoresearch.data._spec import REASON, REASON_INVALID_CODE, Spec
from rhoresearch.exceptions import SchemaError, UnknownCodeError

__all__ = [
    "Check",
    "Located",
    "build_checks",
    "locate_many",
    "offending_rows",
    "raise_first_invalid",
    "raise_unknown",
    "row_label",
]

#: The largest count accepted (beyond it a float cannot hold every whole number).
_MAX_COUNT = 1e15
#: Columns a re-read adds: the 1-based row number and the file of each row.
_ROW = "_rho_row"
_FILE = "_rho_file"
#: The flag column a ``build`` function of :func:`offending_rows` may return in a table.
_FLAG = "_rho_flag"


@dataclass(frozen=True)
class Check:
    """A column whose values are converted and checked: the clean value and the bad-row flag."""

    column: str
    value: ir.Value
    bad: ir.BooleanValue | None
    expected: str


# ---------------------------------------------------------------------------------------------
# Column checks (built from a table, so that they can be rebuilt on a re-read of the file)
# ---------------------------------------------------------------------------------------------


def _blank(col: ir.Value) -> ir.BooleanValue:
    return col.isnull() | (col.strip() == "")


def _check_count(t: ir.Table, column: str) -> Check:
    col = t[column]
    dt = col.type()
    expected = "a count (a whole number, 0 or more; or true/false)"
    if dt.is_boolean():
        return Check(column, col.cast("int64"), None, expected)
    if dt.is_integer():
        return Check(column, col.cast("int64"), col < 0, expected)
    if dt.is_floating() or dt.is_decimal():
        f = col.cast("float64")
        bad = (f < 0) | (f != f.floor()) | (f > _MAX_COUNT)
        return Check(column, f.try_cast("int64"), bad, expected)
    if dt.is_string():
        s = col.strip().lower()
        flag = s.cases(("true", 1.0), ("false", 0.0), else_=None)
        f = flag.fill_null(s.try_cast("float64"))
        bad = ~_blank(col) & (f.isnull() | (f < 0) | (f != f.floor()) | (f > _MAX_COUNT))
        return Check(column, f.try_cast("int64"), bad, expected)
    raise SchemaError(
        f"column {column!r} has type {dt}; an event column must hold counts or true/false flags"
    )


def _check_number(t: ir.Table, column: str) -> Check:
    col = t[column]
    dt = col.type()
    expected = "a number"
    if dt.is_numeric():
        return Check(column, col.cast("float64"), None, expected)
    if dt.is_string():
        f = col.strip().try_cast("float64")
        return Check(column, f, ~_blank(col) & f.isnull(), expected)
    raise SchemaError(f"column {column!r} has type {dt}; it must hold numbers")


def _check_dtype(t: ir.Table, column: str, dtype: str) -> Check:
    col = t[column]
    target = ibis.dtype(dtype)
    expected = f"of type {target}"
    if col.type() == target:
        return Check(column, col, None, expected)
    if target.is_integer():
        if col.type().is_integer():
            return Check(column, col.cast(target), None, expected)
        f = (col.strip() if col.type().is_string() else col).try_cast("float64")
        bad = (
            ~_blank(col) & (f.isnull() | (f != f.floor()))
            if col.type().is_string()
            else (col.notnull() & (f.isnull() | (f != f.floor())))
        )
        return Check(column, f.try_cast(target), bad, f"a whole number ({target})")
    if col.type().is_string():
        v = col.strip().try_cast(target)
        return Check(column, v, ~_blank(col) & v.isnull(), expected)
    v = col.try_cast(target)
    return Check(column, v, col.notnull() & v.isnull(), expected)


def build_checks(t: ir.Table, spec: Spec) -> list[Check]:
    checks = [_check_count(t, c) for c in spec.event_columns.values()]
    if spec.age_column is not None:
        checks.append(_check_number(t, spec.age_column))
    checks.extend(_check_dtype(t, c, d) for c, d in spec.dtypes.items())
    return checks


# ---------------------------------------------------------------------------------------------
# Failure path: locate the first offending row
# ---------------------------------------------------------------------------------------------


def _reread(src: Source) -> tuple[ir.Table, Any] | None:
    """Re-open a file or frame with a row number column, on a one-thread DuckDB (file order)."""
    path = src.path
    if src.kind in ("parquet", "csv") and path is not None:
        con = duckdb_connection(threads=1)
        if src.kind == "parquet":
            target = str(path / "**" / "*.parquet") if path.is_dir() else str(path)
            t = con.read_parquet(target, file_row_number=True, filename=True)
            t = t.mutate(**{_ROW: t.file_row_number + 1, _FILE: t.filename})
        else:
            t = con.read_csv(str(path), **csv_options(path))
            t = t.mutate(**{_ROW: ibis.row_number() + 1, _FILE: ibis.literal(str(path))})
        return t, con
    if src.kind == "pandas" and src.frame is not None:
        frame = src.frame.reset_index(drop=True)
        frame = frame.assign(**{_ROW: pd.RangeIndex(1, len(frame) + 1), _FILE: "the DataFrame"})
        return ibis.memtable(frame), duckdb_connection(threads=1)
    return None


class Located(NamedTuple):
    """The first offending rows (``row``, ``file``, ``v0``, ``v1``, ...) and how many there are."""

    rows: pd.DataFrame
    n_bad: int


def offending_rows(
    src: Source,
    build: Callable[[ir.Table], ir.BooleanValue | ir.Table],
    columns: list[str],
    *,
    limit: int = MAX_ROWS_SHOWN,
) -> Located:
    """The first ``limit`` rows flagged by ``build`` (in file order) and the number flagged.

    ``build`` takes a table (the source, or its re-read with row numbers) and returns the flag,
    or a table derived from it (its columns kept) with the flag as column ``_rho_flag``; ``rows`` has ``row`` (1-based, or None for a Spark or Ibis table: no row order), ``file`` and
    the raw values of ``columns`` as ``v0``, ``v1``, ...
    """
    values = {f"v{k}": c for k, c in enumerate(columns)}

    def flagged(t: ir.Table) -> ir.Table:
        out = build(t)
        if isinstance(out, ir.Table):
            return out.filter(out[_FLAG].fill_null(False))
        return t.filter(out.fill_null(False))

    reread = _reread(src)
    if reread is not None:
        t, con = reread
        bad = flagged(t)
        picked = bad.order_by([_FILE, _ROW]).select(
            row=bad[_ROW], file=bad[_FILE], **{k: bad[c] for k, c in values.items()}
        )
        with engine_errors(src.label if src.kind == "csv" else None):
            first = con.execute(picked.limit(limit))
            n_bad = int(con.execute(bad.count()))
        return Located(first.reset_index(drop=True), n_bad)
    bad = flagged(src.table)
    first = src.backend.execute(bad.select(**{k: bad[c] for k, c in values.items()}).limit(limit))
    first.insert(0, "file", None)
    first.insert(0, "row", None)
    return Located(first.reset_index(drop=True), int(src.backend.execute(bad.count())))


def locate_many(
    src: Source,
    build: Callable[[ir.Table], ir.Table],
    flags: dict[str, list[str]],
    *,
    limit: int = MAX_ROWS_SHOWN,
) -> dict[str, Located]:
    """:func:`offending_rows` for several flags, reading the source once.

    ``build`` adds the boolean columns named by ``flags`` (flag -> the columns shown for it) to a
    table. The rows with any flag are kept once (a temporary table of the re-read, with row
    numbers), then each flag's first rows and count come from them.
    """
    reread = _reread(src)
    if reread is None:  # Spark or Ibis: no row order, one query per flag

        def one(flag: str) -> Callable[[ir.Table], ir.Table]:
            def built(t: ir.Table) -> ir.Table:
                out = build(t)
                return out.mutate(**{_FLAG: out[flag]})

            return built

        return {f: offending_rows(src, one(f), cols, limit=limit) for f, cols in flags.items()}
    t, con = reread
    flagged = build(t)
    any_flag = ibis.literal(False)
    for f in flags:
        any_flag = any_flag | flagged[f].fill_null(False)
    shown = list(dict.fromkeys(c for cols in flags.values() for c in cols))
    bad = flagged.filter(any_flag).select(_ROW, _FILE, *shown, *flags)
    with engine_errors(src.label if src.kind == "csv" else None):
        kept = con.create_table(f"_rho_bad_{uuid.uuid4().hex}", bad, temp=True)
        out = {}
        for f, cols in flags.items():
            rows = kept.filter(kept[f].fill_null(False))
            picked = rows.order_by([_FILE, _ROW]).select(
                row=rows[_ROW], file=rows[_FILE], **{f"v{k}": rows[c] for k, c in enumerate(cols)}
            )
            out[f] = Located(
                con.execute(picked.limit(limit)).reset_index(drop=True),
                int(con.execute(rows.count())),
            )
    return out


def _first_offending(
    src: Source, build: Callable[[ir.Table], ir.BooleanValue], value_column: str
) -> tuple[Any, int | None, str | None, int]:
    """Return (value, row number or None, file or None, number of offending rows)."""
    located = offending_rows(src, build, [value_column], limit=1)
    if not len(located.rows):
        return None, None, None, located.n_bad
    first = located.rows.iloc[0]
    row = None if first["row"] is None or pd.isna(first["row"]) else int(first["row"])
    file = None if first["file"] is None else str(first["file"])
    return _plain(first["v0"]), row, file, located.n_bad


def _plain(value):
    """A numpy scalar as the Python value (for messages: 2.5, not np.float64(2.5))."""
    return value.item() if hasattr(value, "item") else value


def row_label(src: Source, row: Any, file: Any) -> str:
    """Where a row is: ``row 3 (line 4 of the file, counting the header)``, ``row 3 of x``."""
    if row is None or pd.isna(row):
        return "row number not available (a Spark or Ibis table has no row order)"
    row = int(row)
    if src.kind == "csv":
        return f"row {row:,} (line {row + 1:,})"
    if src.kind == "pandas" and src.frame is not None:
        label = _plain(src.frame.index[row - 1])
        return f"row {row:,} (index label {label!r})"
    if src.path is not None and src.path.is_dir() and file:
        return f"row {row:,} of {file}"
    return f"row {row:,}"


def _where(src: Source, row: int | None, file: str | None) -> str:
    if row is not None and src.kind == "csv":
        return f"row {row:,} (line {row + 1:,} of the file, counting the header)"
    return row_label(src, row, file)


def _raise_invalid(src: Source, spec: Spec, check: Check, n_rows: int) -> NoReturn:
    """Locate the first row with an invalid value in ``check.column`` and raise SchemaError."""
    column = check.column

    def build(t: ir.Table) -> ir.BooleanValue:
        ch = next(c for c in build_checks(t, spec) if c.column == column)
        return ch.bad

    value, row, file, n_bad = _first_offending(src, build, column)
    where = _where(src, row, file)
    message = (
        f"{src.label}: column {column!r}, {where}: value {value!r} is not {check.expected}. "
        f"{max(n_bad, n_rows):,} row(s) have an invalid value in this column. Correct the "
        "extract (or its export settings) and run again."
    )
    raise with_evidence(SchemaError(message), path=src.label, column=column, row=row, value=value)


def raise_unknown(src: Source, spec: Spec, unmapped: list, column: str) -> NoReturn:
    """Locate the first row of ``column`` whose value cannot be mapped; raise UnknownCodeError.

    The error's ``unmapped`` holds each such value and its number of rows (most frequent first).
    """
    t = src.table
    offending = t.filter(t[column].isin(unmapped))
    counts = src.backend.execute(offending.group_by(column).aggregate(n=offending.count()))
    tally = {
        (v.item() if hasattr(v, "item") else v): int(n)
        for v, n in zip(counts[column], counts["n"], strict=True)
    }
    tally = dict(sorted(tally.items(), key=lambda kv: (-kv[1], str(kv[0]))))
    value, row, file, _ = _first_offending(src, lambda t: t[column].isin(unmapped), column)
    where = _where(src, row, file)
    listing = ", ".join(
        f"{v!r} ({n:,} row{'' if n == 1 else 's'})" for v, n in list(tally.items())[:10]
    )
    more = f" and {len(tally) - 10} more" if len(tally) > 10 else ""
    error = UnknownCodeError(
        f"{src.label}: column {column!r}, {where}: value {value!r} is not an ethnic category "
        f"that can be mapped to {spec.harmonise_to!r}. Unmapped values: {listing}{more}. Fix the "
        "values, or pass errors='not_known' to count these rows as excluded "
        f"({REASON_INVALID_CODE!r}).",
        tally,
    )
    raise with_evidence(error, path=src.label, column=column, row=row, value=value)


def raise_first_invalid(src: Source, spec: Spec, result: pd.DataFrame, invalid: dict) -> None:
    """If the pass counted invalid values, locate the first and raise SchemaError."""
    reason = result[REASON]
    bad = result[reason.isin(list(invalid))]
    for key in invalid:
        n = int(bad.loc[bad[REASON] == key, "n_rows"].sum()) if len(bad) else 0
        if n:
            _raise_invalid(src, spec, invalid[key][1], n)
