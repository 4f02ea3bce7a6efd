"""Loading a CSV or Parquet file against its declared schema: one pass, one error for everything.

:func:`load` reads a file, converts the declared columns, validates every row (pandera lazy
validation, so all problems are found in one pass) and either returns the frame or raises **one**
:class:`~rhoresearch.exceptions.SchemaError` naming the file, each offending column, the first
offending rows and their values, and what was expected (``error.path``; ``error.failures`` holds
every failure as a frame). Rows are numbered from 1 = the first data row after the header; for a
CSV the file line is the row number + 1 (when no field spans lines).

Every file read is recorded with :func:`rhoresearch.provenance.record_input` (path, bytes, sha256)
so that a report's manifest lists it.

References
----------
pandera: statistical data validation of pandas objects (Bantilan 2020, Proceedings of the 19th
Python in Science Conference). https://pandera.readthedocs.io
"""

from __future__ import annotations

import csv
import gzip
import io
import logging
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

import pandas as pd
import pandera.pandas as pa
import pyarrow
import pyarrow.parquet as pq
from pandera.errors import SchemaError as PanderaSchemaError
from pandera.errors import SchemaErrors as PanderaSchemaErrors

from rhoresearch import config, provenance
from rhoresearch.data._errors import MAX_ROWS_SHOWN, Problem, schema_message, with_evidence
from rhoresearch.data.schemas import describe_check
from rhoresearch.exceptions import InputError, SchemaError
from rhoresearch.validation import as_columns

__all__ = ["NA_VALUES", "load"]

logger = logging.getLogger(__name__)

#: Cell contents read as missing in CSV files (besides an empty cell). Nothing else is: "N" or
#: "None" stay text, so that codes are not lost.
NA_VALUES = ["", "NA", "N/A", "NULL", "null", "NaN", "nan", "#N/A"]

#: The columns of ``SchemaError.failures``.
_FAILURE_COLUMNS = ["column", "expected", "row", "value"]


# ---------------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------------


def _display_path(path: Path) -> str:
    return config.relative_to_root(path)


def _schema_error(message: str, *, path: str, failures: pd.DataFrame | None = None) -> SchemaError:
    """The one SchemaError of a file: ``error.path`` and ``error.failures`` (may have no rows)."""
    if failures is None:
        failures = pd.DataFrame({c: [] for c in _FAILURE_COLUMNS}, dtype=object)
    return with_evidence(SchemaError(message), path=path, failures=failures)


def _file_error(shown: str, detail: str) -> SchemaError:
    """A SchemaError about a whole file (``error.path``; ``error.failures`` empty)."""
    return _schema_error(f"{shown}: {detail}", path=shown)


def _decode(raw: bytes, path: Path, encoding: str | None) -> tuple[str, str]:
    """Return the text and the codec that decodes it, or raise naming the undecodable bytes."""
    shown = _display_path(path)
    if encoding is not None:
        try:
            return raw.decode(encoding), encoding
        except (UnicodeDecodeError, LookupError) as exc:
            raise _file_error(shown, f"cannot be decoded as {encoding!r}: {exc}") from exc
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16"), "utf-16"
    try:
        return raw.decode("utf-8-sig"), "utf-8-sig"  # with or without a byte-order mark
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        line_start = raw.rfind(b"\n", 0, exc.start) + 1
        line_end = raw.find(b"\n", exc.start)
        context = raw[line_start : line_end if line_end != -1 else None].decode("latin-1").strip()
        raise _file_error(
            shown,
            f"not valid UTF-8: byte {raw[exc.start : exc.end]!r} at line {line} "
            f"(read as Latin-1 the line is {context!r}). The file looks like Latin-1/Windows-1252 "
            "(e.g. saved by Excel): re-save it as UTF-8, or pass encoding='cp1252' to load().",
        ) from exc


def _read_csv(path: Path, *, encoding: str | None, sep: str) -> pd.DataFrame:
    shown = _display_path(path)
    raw = path.read_bytes()
    if path.suffix == ".gz":
        raw = gzip.decompress(raw)
    text, codec = _decode(raw, path, encoding)
    if not text.strip():
        raise _file_error(shown, "the file is empty (no header row and no data rows)")
    del text  # the C parser reads bytes faster than a Python string
    try:
        frame = pd.read_csv(
            io.BytesIO(raw),
            encoding=codec,
            sep=sep,
            dtype=str,
            keep_default_na=False,
            na_values=NA_VALUES,
            skip_blank_lines=True,
        )
    except (pd.errors.ParserError, csv.Error) as exc:
        raise _file_error(shown, f"cannot be read as a {sep!r}-separated file: {exc}") from exc
    except pd.errors.EmptyDataError as exc:
        raise _file_error(shown, "the file is empty (no header row)") from exc
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame


def _sniff_delimiter(path: Path, encoding: str | None, sep: str) -> str | None:
    """Return the delimiter the header line seems to use if it is not ``sep``."""
    try:
        with path.open(encoding=encoding or "utf-8-sig", errors="replace") as fh:
            header = fh.readline()
    except OSError:  # pragma: no cover - the file was just read
        return None
    for candidate in (";", "\t", "|", ","):
        if candidate != sep and header.count(candidate) >= 1 and header.count(sep) == 0:
            return candidate
    return None


def _read_parquet(path: Path, columns: Sequence[str] | None) -> pd.DataFrame:
    shown = _display_path(path)
    try:
        available = pq.read_schema(path).names
        wanted = None if columns is None else [c for c in available if c in set(columns)]
        return pd.read_parquet(path, columns=wanted)
    except (OSError, ValueError) as exc:
        raise _file_error(shown, f"cannot be read as Parquet: {exc}") from exc


# ---------------------------------------------------------------------------------------------
# Converting and validating
# ---------------------------------------------------------------------------------------------

_TRUE = {"true", "t", "yes", "y", "1"}
_FALSE = {"false", "f", "no", "n", "0"}


def _kind(dtype: object) -> str:
    text = str(dtype).lower()
    if "int" in text:
        return "integer"
    if "float" in text:
        return "number"
    if "bool" in text:
        return "boolean"
    if "datetime" in text or text == "date":
        return "date"
    return "other"


def _fast_numeric(values: pd.Series, kind: str) -> pd.Series | None:
    """Strict vectorised conversion of a clean column (None if any value needs the slow path)."""
    if pd.api.types.is_bool_dtype(values):
        return None
    try:
        if kind == "integer":
            return values.astype("Int64")
        return values.astype("float64")
    # pandas' string columns are Arrow-backed: a failed conversion may raise pyarrow's error
    except (ValueError, TypeError, ArithmeticError, pyarrow.lib.ArrowException):
        return None


def _convert(frame: pd.DataFrame, schema: pa.DataFrameSchema) -> tuple[pd.DataFrame, list]:
    """Convert declared numeric, boolean and date columns; collect the values that do not convert.

    pandera would also coerce, but reports a failed conversion badly (and cannot then run the
    column's other checks); converting first lets every problem in a column be reported at once.
    """
    failures = []
    converted = {}
    for name, col in schema.columns.items():
        if name not in frame.columns or col.dtype is None:
            continue
        kind = _kind(col.dtype)
        values = frame[name]
        if kind == "other":
            continue
        if kind in ("integer", "number"):
            fast = _fast_numeric(values, kind)
            if fast is not None:
                converted[name] = fast
                continue
            if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
                new = values
            else:
                new = pd.to_numeric(
                    values.astype("str").str.strip().where(values.notna()), errors="coerce"
                )
            bad = values.notna() & new.isna()
            if kind == "integer":
                fractional = new.notna() & (new % 1 != 0)
                bad = bad | fractional
                new = new.where(~fractional)
                new = new.astype("Int64")
            expected = "an integer" if kind == "integer" else "a number"
        elif kind == "boolean":
            if pd.api.types.is_bool_dtype(values):
                new = values.astype("boolean")
            else:
                lowered = values.astype("str").str.strip().str.lower()
                new = pd.Series(pd.NA, index=values.index, dtype="boolean")
                new = new.mask(lowered.isin(_TRUE) & values.notna(), True)
                new = new.mask(lowered.isin(_FALSE) & values.notna(), False)
            bad = values.notna() & new.isna()
            expected = "true/false (or yes/no, 1/0)"
        else:  # date
            if pd.api.types.is_datetime64_any_dtype(values):
                new = values
            else:
                text = values.astype("str").str.strip().where(values.notna())
                new = pd.to_datetime(text, errors="coerce", format="ISO8601")
                uk = pd.to_datetime(text, errors="coerce", format="%d/%m/%Y")
                new = new.fillna(uk)
            bad = values.notna() & new.isna()
            expected = "a date (YYYY-MM-DD or DD/MM/YYYY)"
        for row, value in values[bad].items():
            failures.append((name, f"type: {expected}", row, value))
        converted[name] = new
    if converted:
        frame = frame.assign(**converted)
    return frame, failures


#: The prefix of a failure's column that is a rule over several columns (then: their names).
_RULE = "\x00rule:"


def _rule_columns(schema: pa.DataFrameSchema, error: str) -> list[str]:
    """The columns a rule over several columns reads: declared by ``row_rule``, else named in it."""
    for check in schema.checks:
        if str(check.error or check.name) == error and (check.statistics or {}).get("columns"):
            return list(check.statistics["columns"])
    return [str(c) for c in schema.columns if re.search(rf"\b{re.escape(str(c))}\b", error)]


def _describe(check: str, schema: pa.DataFrameSchema) -> str:
    """A pandera failure's check in words (a key names its columns)."""
    if str(check) == "multiple_fields_uniqueness":
        return f"one row per key {list(schema.unique or [])}"
    return describe_check(check)


def _format_value(value: object) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "<blank>"
    return repr(value.item() if hasattr(value, "item") else value)  # 3, not np.int64(3)


def _row_number(row: Any) -> int:
    """A failure's row number (0 when it has none, e.g. a missing column)."""
    try:
        return int(row)
    except (TypeError, ValueError):
        return 0


def _row_label(row: Any, is_csv: bool) -> str:
    """``row 3 (line 4)`` for a CSV (the header is line 1), ``row 3`` otherwise."""
    try:
        number = int(row)
    except (TypeError, ValueError):
        return f"row {row}"
    return f"row {number} (line {number + 1})" if is_csv else f"row {number}"


def _raise_schema_error(
    shown: str,
    schema: pa.DataFrameSchema,
    frame: pd.DataFrame,
    failures: list,
    is_csv: bool,
    sep: str | None,
    sniffed: str | None,
) -> NoReturn:
    """Turn the collected failures into one SchemaError naming file, columns, rows and values.

    Worded by :func:`rhoresearch.data._errors.schema_message`: the first line names the first
    problem in full, then every problem has a line.
    """
    name = schema.name or "the declared schema"
    problems: list[Problem] = []
    table = pd.DataFrame(failures, columns=_FAILURE_COLUMNS)
    missing_cols = table.loc[table["expected"] == "the column to be present", "column"].tolist()
    if missing_cols:
        present = [str(c) for c in frame.columns]
        hint = (
            f"; the header looks {sniffed!r}-separated, not {sep!r}-separated: pass "
            f"sep={sniffed!r} or re-save the file with commas"
            if sniffed
            else ""
        )
        problems.append(
            Problem(
                f"missing column(s) {missing_cols}",
                f"every declared column present (the file has {len(present)} column(s): "
                f"{present}{hint})",
                None,
            )
        )
    extra_cols = table.loc[table["expected"] == "no extra columns", "column"].tolist()
    if extra_cols:
        problems.append(
            Problem(
                f"unexpected extra column(s) {extra_cols}",
                "declared (the schema is strict and declares only "
                + ", ".join(map(str, schema.columns))
                + ")",
                None,
            )
        )
    rest = table[~table["expected"].isin(["the column to be present", "no extra columns"])]
    key = list(schema.unique or [])
    key_problems: list[Problem] = []
    dup = rest[rest["expected"].str.startswith("one row per key")]
    if len(dup):
        rows = sorted({int(r) for r in dup["row"].dropna()})
        examples = [
            (
                _row_label(r, is_csv),
                "(" + ", ".join(f"{k}={_format_value(frame.loc[r, k])}" for k in key) + ")",
            )
            for r in rows[:MAX_ROWS_SHOWN]
        ]
        key_problems.append(Problem(f"key {key}", "one row per key", len(rows), examples))
        rest = rest.drop(dup.index)
    # A value that failed conversion is reported once, not again as "blank" or as a type error.
    converted_bad = {(c, r) for c, e, r, _ in failures if str(e).startswith("type: ")}
    column_rank = {c: i for i, c in enumerate(schema.columns)}
    per_column = []
    for (col, expected), group in rest.groupby(["column", "expected"], sort=False):
        if not str(expected).startswith("type: "):
            group = group[[(col, r) not in converted_bad for r in group["row"]]]
            if group.empty:
                continue
        group = group.drop_duplicates("row")
        rows_sorted = sorted(
            zip(group["row"], group["value"], strict=True), key=lambda rv: _row_number(rv[0])
        )
        is_rule = str(col).startswith(_RULE)
        columns = str(col).removeprefix(_RULE).split(",") if is_rule else [str(col)]
        examples = [
            (
                _row_label(r, is_csv),
                "("
                + ", ".join(f"{c}={_format_value(x)}" for c, x in zip(columns, v, strict=True))
                + ")"
                if is_rule
                else _format_value(v),
            )
            for r, v in rows_sorted
        ]
        problem = Problem(
            f"columns {columns}" if is_rule else f"column {col!r}",
            str(expected).removeprefix("type: "),
            len(rows_sorted),
            examples[:MAX_ROWS_SHOWN],
        )
        first = _row_number(rows_sorted[0][0]) if rows_sorted else 0
        per_column.append((column_rank.get(col, len(column_rank)), first, problem))
    problems.extend(p for _, _, p in sorted(per_column, key=lambda x: (x[0], x[1])))
    problems.extend(key_problems)
    numbering = (
        "Rows are numbered from 1 = first data row; line = file line, the header being line 1."
        if is_csv
        else "Rows are numbered from 1 = first row."
    )
    message = schema_message(shown, name, problems, numbering=numbering)
    raise _schema_error(message, path=shown, failures=table)


def _validate(
    frame: pd.DataFrame,
    schema: pa.DataFrameSchema,
    *,
    shown: str,
    is_csv: bool,
    sep: str | None,
    sniffed: str | None,
) -> pd.DataFrame:
    frame = frame.set_axis(pd.RangeIndex(1, len(frame) + 1), axis=0)
    frame, failures = _convert(frame, schema)
    try:
        validated = schema.validate(frame, lazy=True)
    except PanderaSchemaErrors as exc:
        cases = exc.failure_cases
        for row in cases.itertuples(index=False):
            check = row.check
            col = row.column
            if check == "column_in_dataframe":
                failures.append((str(row.failure_case), "the column to be present", None, None))
                continue
            if check == "column_in_schema":
                failures.append((str(row.failure_case), "no extra columns", None, None))
                continue
            value = row.failure_case
            if row.schema_context == "DataFrameSchema" and check != "multiple_fields_uniqueness":
                # a rule over several columns: one failure per row (pandera gives one per column)
                columns = _rule_columns(schema, str(check))
                value = tuple(frame.loc[row.index, c] for c in columns)
                col = _RULE + ",".join(columns)
            failures.append((str(col), _describe(check, schema), row.index, value))
    except PanderaSchemaError as exc:  # pragma: no cover - lazy=True collects instead
        failures.append(("?", str(exc), None, None))
    else:
        if not failures:
            return validated
    _raise_schema_error(shown, schema, frame, failures, is_csv, sep, sniffed)


def _schema_for(schema: pa.DataFrameSchema, columns: Sequence[str] | None) -> pa.DataFrameSchema:
    if columns is None:
        return schema
    keep = [c for c in schema.columns if c in set(columns)]
    selected = schema.select_columns(keep)
    key = list(schema.unique or [])
    if key and not set(key) <= set(columns):
        selected.unique = None  # select_columns returned a copy: the caller's schema is unchanged
    return selected


def load(
    path: str | os.PathLike,
    *,
    schema: pa.DataFrameSchema,
    columns: str | Sequence[str] | None = None,
    encoding: str | None = None,
    sep: str = ",",
    allow_empty: bool = False,
) -> pd.DataFrame:
    """Read a CSV or Parquet file, validate it against its schema, and return it.

    Parameters
    ----------
    path : str or path-like
        ``.csv`` (also ``.csv.gz``, ``.tsv``, ``.txt``) or ``.parquet``/``.pq``. A relative path
        is resolved against the project root (as notebook parameters are). Never modified.
    schema : pandera.DataFrameSchema
        From :func:`~rhoresearch.data.dataset_schema` (or any pandera schema). Not modified.
    columns : str or sequence of str, optional
        Return only these columns (in this order); only they are validated, and the row key
        only if all its columns are among them.
    encoding : str, optional
        Text encoding of a CSV. Default: UTF-8 with or without a byte-order mark (and UTF-16 with
        one). A file that is not valid UTF-8 is **not** guessed at: the error names the line and
        bytes and suggests ``encoding="cp1252"`` (Excel's usual Latin-1 superset), so that a
        mis-decoded code never passes silently.
    sep : str, default ","
        CSV delimiter (``.tsv``: tab). A header that seems to use another delimiter is named in
        the error.
    allow_empty : bool, default False
        Whether a file with a header but no data rows is acceptable (default: an error).

    Returns
    -------
    DataFrame
        The file's columns (or ``columns``), values converted to the declared types, index
        0..n-1. No row is dropped: the row count out equals the row count in (both logged).

    Raises
    ------
    SchemaError
        One error for everything wrong with the file: empty file, header only, undecodable
        bytes, unreadable CSV, missing columns (with the delimiter the header seems to use),
        values of the wrong type, blank values, values outside the allowed set or range, and
        duplicated keys. It names the file, each column, what was expected, and the first
        offending rows with their values; ``error.failures`` holds every failure as a frame
        (``column``, ``expected``, ``row``, ``value``).
    InputError
        If the file does not exist or its type is not supported.

    Notes
    -----
    CSV cells are read as text and converted to the declared types (so codes such as ``"01"``
    keep their leading zeros in text columns); empty cells and ``NA``, ``N/A``, ``NULL``,
    ``NaN``, ``#N/A`` are missing (:data:`NA_VALUES`). Column names are stripped of surrounding
    spaces. Rows are numbered from 1 (the first data row); for CSV files the message also gives
    the file line (row + 1), exact when no quoted field spans lines.

    The file is recorded with :func:`rhoresearch.provenance.record_input` once it has been read.

    References
    ----------
    pandera: statistical data validation of pandas objects (Bantilan 2020, Proceedings of the
    19th Python in Science Conference). https://pandera.readthedocs.io
    """
    if columns is not None:
        columns = as_columns(columns, func="load", name="columns")
    if not isinstance(schema, pa.DataFrameSchema):
        raise InputError(
            f"schema must be a pandera DataFrameSchema (see data.dataset_schema), not "
            f"{type(schema).__name__}"
        )
    file = config.resolve_path(path)
    shown = _display_path(file)
    if not file.is_file():
        raise InputError(f"no such data file: {shown} (resolved from {os.fspath(path)!r})")
    suffixes = [s.lower() for s in file.suffixes]
    is_parquet = suffixes[-1:] in ([".parquet"], [".pq"])
    is_csv = not is_parquet and (
        suffixes[-1:] in ([".csv"], [".tsv"], [".txt"]) or suffixes[-2:] == [".csv", ".gz"]
    )
    if not (is_parquet or is_csv):
        raise InputError(
            f"{shown}: unsupported file type; expected .csv, .csv.gz, .tsv or .parquet"
        )
    if suffixes[-1:] == [".tsv"] and sep == ",":
        sep = "\t"
    sniffed = None
    if is_csv:
        frame = _read_csv(file, encoding=encoding, sep=sep)
        sniffed = _sniff_delimiter(file, encoding, sep) if file.suffix != ".gz" else None
    else:
        frame = _read_parquet(file, columns)
    n_in = len(frame)
    logger.info("read %s: %d rows, %d columns", shown, n_in, frame.shape[1])
    if n_in == 0 and not allow_empty:
        raise _file_error(
            shown,
            f"has a header but no data rows (columns: {', '.join(map(str, frame.columns))})"
            "; pass allow_empty=True if an empty extract is expected",
        )
    if columns is not None:
        absent = [c for c in columns if c not in frame.columns]
        if absent:
            _raise_schema_error(
                shown,
                schema,
                frame,
                [(c, "the column to be present", None, None) for c in absent],
                is_csv,
                sep,
                sniffed,
            )
    if columns is not None:
        frame = frame.loc[:, list(dict.fromkeys(columns))]
    active = _schema_for(schema, columns)
    validated = _validate(frame, active, shown=shown, is_csv=is_csv, sep=sep, sniffed=sniffed)
    validated = validated.reset_index(drop=True)
    provenance.record_input(file)
    logger.info(
        "loaded %s against schema %r: %d rows in, %d rows out",
        shown,
        active.name,
        n_in,
        len(validated),
    )
    return validated
