"""Loading data files against declared schemas, and the catalogue of committed reference tables.

Two jobs, one concern (getting data in safely):

**Validated loading.** A workstream module declares each input dataset once, with
:func:`dataset_schema` (columns, types, allowed values, ranges, nullability, the columns that
identify a row) -- a thin layer over pandera's ``DataFrameSchema``, which may also be used directly.
:func:`load` reads a CSV or Parquet file, validates every row (pandera lazy validation, so all
problems are found in one pass) and either returns the frame or raises **one**
:class:`~rhoresearch.exceptions.SchemaError` naming the file, each offending column, the first
offending rows and their values, and what was expected. Rows are numbered from 1 = the first data
row after the header; for a CSV the file line is the row number + 1 (when no field spans lines).

**Reference tables.** ``data/reference/catalogue.json`` lists every committed reference table with
its title, publisher, source address, licence, retrieval date, sha256 and columns.
:func:`reference_catalogue` returns it as a tidy frame; :func:`load_reference` checks the file's
sha256 against the catalogue before reading (a changed file raises
:class:`~rhoresearch.exceptions.VerificationError`), then loads it like any other input.

Every file read is recorded with :func:`rhoresearch.provenance.record_input` (path, bytes, sha256) so
that a report's manifest lists it.

Example
-------
>>> from rhoresearch import data
>>> BIRTHS = data.dataset_schema(
...     "births",
...     columns={
...         "trust_code": data.column("str"),
...         "ethnic_category": data.column("str", nullable=True),
...         "births": data.column("int", min=0),
...     },
...     key=["trust_code", "ethnic_category"],
... )
>>> births = data.load("data/demo/maternity/births.csv", schema=BIRTHS)  # doctest: +SKIP
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import logging
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import NoReturn

import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaError as PanderaSchemaError
from pandera.errors import SchemaErrors as PanderaSchemaErrors

from rhoresearch import config
from rhoresearch import provenance
from rhoresearch.exceptions import InputError, SchemaError, VerificationError

__all__ = [
    "NA_VALUES",
    "column",
    "dataset_schema",
    "load",
    "reference_catalogue",
    "reference_path",
    "load_reference",
    "verify_reference_catalogue",
]

logger = logging.getLogger(__name__)

#: Cell contents read as missing in CSV files (besides an empty cell). Nothing else is: "N" or
#: "None" stay text, so that codes are not lost.
NA_VALUES = ["", "NA", "N/A", "NULL", "null", "NaN", "nan", "#N/A"]

CATALOGUE_FILE = "catalogue.json"
_MAX_ROWS_SHOWN = 5
_DTYPES = {
    "str": "str",
    "string": "str",
    "int": "Int64",
    "integer": "Int64",
    "float": "float64",
    "number": "float64",
    "bool": "boolean",
    "boolean": "boolean",
    "date": "datetime64[ns]",
    "datetime": "datetime64[ns]",
}

# ---------------------------------------------------------------------------------------------
# Declaring schemas
# ---------------------------------------------------------------------------------------------


def column(
    dtype: str = "str",
    *,
    nullable: bool = False,
    allowed: Iterable | None = None,
    min: float | None = None,
    max: float | None = None,
    unique: bool = False,
    required: bool = True,
    checks: Sequence[pa.Check] = (),
    description: str | None = None,
) -> pa.Column:
    """Declare one column of a dataset (a pandera ``Column`` with readable defaults).

    Parameters
    ----------
    dtype : {"str", "int", "float", "bool", "date"} or a pandas dtype name, default "str"
        The type values are converted to on loading. ``"int"`` is pandas' nullable ``Int64``
        (so a missing count is ``<NA>``, not a float), ``"float"`` is ``float64``, ``"bool"`` is
        ``boolean`` (true/false, yes/no, 1/0, any case), ``"date"`` is ``datetime64[ns]`` read
        from ISO 8601 (``2024-03-31``, with or without a time) or UK ``DD/MM/YYYY``; nothing else
        is guessed at (``03/04/2024`` is 3 April).
    nullable : bool, default False
        Whether blank cells are allowed.
    allowed : iterable, optional
        The allowed values (e.g. codes); anything else is an error naming the value.
    min, max : number, optional
        Inclusive bounds (e.g. ``min=0`` for counts).
    unique : bool, default False
        Whether each value may occur once only (for a multi-column key use ``key=`` of
        :func:`dataset_schema`).
    required : bool, default True
        Whether the column must be present.
    checks : sequence of pandera.Check
        Further checks.
    description : str, optional
        What the column holds (shown in error messages' schema name and in documentation).

    Returns
    -------
    pandera.Column
        With ``coerce=True``: values are converted to ``dtype`` and a value that cannot be is an
        error naming it.
    """
    all_checks = list(checks)
    if allowed is not None:
        all_checks.append(pa.Check.isin(list(allowed)))
    if min is not None and max is not None:
        all_checks.append(pa.Check.in_range(min, max))
    elif min is not None:
        all_checks.append(pa.Check.ge(min))
    elif max is not None:
        all_checks.append(pa.Check.le(max))
    return pa.Column(
        _DTYPES.get(dtype, dtype),
        checks=all_checks,
        nullable=nullable,
        unique=unique,
        required=required,
        coerce=True,
        description=description,
    )


def dataset_schema(
    name: str,
    *,
    columns: Mapping[str, pa.Column | str | Mapping],
    key: Sequence[str] | None = None,
    strict: bool = False,
    description: str | None = None,
) -> pa.DataFrameSchema:
    """Declare a dataset: its columns and the columns that identify a row.

    Parameters
    ----------
    name : str
        The dataset's name (used in error messages, e.g. ``"maternity_births"``).
    columns : mapping
        ``column name -> spec`` where a spec is a :func:`column` (or any pandera ``Column``), a
        dtype string (``"int"``: shorthand for ``column("int")``) or a dict of :func:`column`
        keyword arguments.
    key : sequence of str, optional
        The columns whose combination must be unique (one row per stratum); duplicates are an
        error naming the rows and the key values.
    strict : bool, default False
        Whether columns not declared are an error (default: they are kept).
    description : str, optional
        What the dataset is.

    Returns
    -------
    pandera.DataFrameSchema
        For :func:`load` (or ``schema.validate``).
    """
    built = {}
    for col_name, spec in columns.items():
        if isinstance(spec, pa.Column):
            built[col_name] = spec
        elif isinstance(spec, str):
            built[col_name] = column(spec)
        elif isinstance(spec, Mapping):
            built[col_name] = column(**spec)
        else:
            raise InputError(
                f"dataset_schema({name!r}): column {col_name!r} has spec {spec!r}; expected "
                "column(...), a dtype string or a dict of column() arguments"
            )
    key = list(key or [])
    missing = [k for k in key if k not in built]
    if missing:
        raise InputError(f"dataset_schema({name!r}): key column(s) {missing} are not declared")
    return pa.DataFrameSchema(
        built,
        unique=key or None,
        report_duplicates="all",
        strict=strict,
        coerce=True,
        name=name,
        description=description,
    )


# ---------------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------------


def _display_path(path: Path) -> str:
    return config.relative_to_root(path)


def _file_error(shown: str, detail: str) -> SchemaError:
    """A SchemaError about a whole file (``error.path``; ``error.failures`` empty)."""
    error = SchemaError(f"{shown}: {detail}")
    error.path = shown  # type: ignore[attr-defined]
    error.failures = pd.DataFrame(  # type: ignore[attr-defined]
        {"column": [], "expected": [], "row": [], "value": []}, dtype=object
    )
    return error


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
    import pyarrow.parquet as pq

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
    except (ValueError, TypeError, ArithmeticError, _arrow_error()):
        return None


def _arrow_error() -> type[Exception]:
    """pyarrow's conversion error type (pandas' string columns are Arrow-backed)."""
    try:
        import pyarrow

        return pyarrow.lib.ArrowException
    except ImportError:  # pragma: no cover - pyarrow is a dependency
        return ValueError


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


def _describe_check(check: str, schema: pa.DataFrameSchema, column: str) -> str:
    """Human wording for a pandera check name."""
    text = str(check)
    replacements = {
        "greater_than_or_equal_to": ">= ",
        "less_than_or_equal_to": "<= ",
        "greater_than": "> ",
        "less_than": "< ",
        "equal_to": "== ",
    }
    if text == "not_nullable":
        return "a value (blank not allowed)"
    if text == "column_in_dataframe":
        return "the column to be present"
    if text == "field_uniqueness":
        return "each value once only"
    if text == "multiple_fields_uniqueness":
        return f"one row per key {list(schema.unique or [])}"
    if text.startswith("isin("):
        allowed = text[len("isin(") : -1]
        if len(allowed) > 200:
            allowed = allowed[:200] + "...]"
        return f"one of {allowed}"
    if text.startswith("in_range("):
        lo, hi = text[len("in_range(") : -1].split(",", 1)
        return f"between {lo.strip()} and {hi.strip()}"
    if text.startswith(("dtype(", "coerce_dtype(")):
        return f"type {text.split('(', 1)[1].rstrip(')')}"
    for key, symbol in replacements.items():
        if text.startswith(key + "("):
            return f"{symbol}{text[len(key) + 1 : -1]}"
    return text


def _format_value(value: object) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "<blank>"
    return repr(value)


def _row_number(row: object) -> int:
    try:
        return int(row)
    except (TypeError, ValueError):
        return 0


def _row_label(row: object, is_csv: bool) -> str:
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
    """Turn the collected failures into one SchemaError naming file, columns, rows and values."""
    name = schema.name or "the declared schema"
    lines: list[str] = []
    table = pd.DataFrame(failures, columns=["column", "expected", "row", "value"])
    missing_cols = table.loc[table["expected"] == "the column to be present", "column"].tolist()
    if missing_cols:
        present = [str(c) for c in frame.columns]
        lines.append(
            f"missing column(s) {missing_cols}; the file has {len(present)} column(s): {present}"
            + (
                f". The header looks {sniffed!r}-separated, not {sep!r}-separated: pass "
                f"sep={sniffed!r} or re-save the file with commas"
                if sniffed
                else ""
            )
        )
    extra_cols = table.loc[table["expected"] == "no extra columns", "column"].tolist()
    if extra_cols:
        lines.append(
            f"unexpected extra column(s) {extra_cols}: the schema is strict and declares only "
            + ", ".join(map(str, schema.columns))
        )
    rest = table[~table["expected"].isin(["the column to be present", "no extra columns"])]
    key = list(schema.unique or [])
    key_lines: list[str] = []
    dup = rest[rest["expected"].str.startswith("one row per key")]
    if len(dup):
        rows = sorted({int(r) for r in dup["row"].dropna()})
        groups: dict[tuple, list[int]] = {}
        for r in rows:
            values = tuple(frame.loc[r, k] for k in key)
            groups.setdefault(values, []).append(r)
        shown_groups = [
            f"{', '.join(_row_label(r, is_csv) for r in rs)} share "
            + ", ".join(f"{k}={_format_value(v)}" for k, v in zip(key, vals, strict=True))
            for vals, rs in list(groups.items())[:_MAX_ROWS_SHOWN]
        ]
        more = len(groups) - len(shown_groups)
        key_lines.append(
            f"key {key}: expected one row per key, found {len(groups)} duplicated key(s): "
            + "; ".join(shown_groups)
            + (f"; and {more} more" if more > 0 else "")
        )
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
        expected_text = str(expected).removeprefix("type: ")
        group = group.drop_duplicates("row")
        rows_sorted = sorted(
            zip(group["row"], group["value"], strict=True), key=lambda rv: _row_number(rv[0])
        )
        examples = [f"{_row_label(r, is_csv)}: {_format_value(v)}" for r, v in rows_sorted]
        more = len(examples) - _MAX_ROWS_SHOWN
        text = (
            f"column {col!r}: expected {expected_text}; "
            + ", ".join(examples[:_MAX_ROWS_SHOWN])
            + (f"; and {more} more row(s)" if more > 0 else "")
        )
        first = _row_number(rows_sorted[0][0]) if rows_sorted else 0
        per_column.append((column_rank.get(col, len(column_rank)), first, text))
    lines.extend(text for _, _, text in sorted(per_column))
    lines.extend(key_lines)
    numbering = (
        "Rows are numbered from 1 = first data row; line = file line, the header being line 1."
        if is_csv
        else "Rows are numbered from 1 = first row."
    )
    message = (
        f"{shown} does not match schema {name!r} ({len(lines)} problem(s)):\n  - "
        + "\n  - ".join(lines)
        + f"\n{numbering}"
    )
    error = SchemaError(message)
    error.path = shown  # type: ignore[attr-defined]
    error.failures = table  # type: ignore[attr-defined]
    raise error


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
            failures.append((str(col), _describe_check(check, schema, str(col)), row.index, value))
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
    columns: Sequence[str] | None = None,
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
        From :func:`dataset_schema` (or any pandera schema). Not modified.
    columns : sequence of str, optional
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


# ---------------------------------------------------------------------------------------------
# Reference catalogue
# ---------------------------------------------------------------------------------------------


def _catalogue_path() -> Path:
    return config.reference_dir() / CATALOGUE_FILE


def _read_catalogue() -> dict:
    path = _catalogue_path()
    if not path.is_file():
        raise InputError(f"the reference catalogue is missing: {config.relative_to_root(path)}")
    with path.open(encoding="utf-8") as fh:
        return json.load(fh)


def reference_catalogue() -> pd.DataFrame:
    """Return the catalogue of committed reference tables, one row per table.

    Returns
    -------
    DataFrame
        Columns ``name`` (what :func:`load_reference` takes), ``file`` (under
        ``data/reference/``), ``title``, ``publisher``, ``source_url``, ``source_note``,
        ``licence``, ``retrieved`` (ISO date), ``sha256``, ``bytes``, ``rows``, ``columns``
        (the column names, comma-separated), ``key`` (the columns identifying a row,
        comma-separated).

    References
    ----------
    ``data/reference/catalogue.json``.
    """
    tables = _read_catalogue()["tables"]
    records = []
    for name, entry in tables.items():
        records.append(
            {
                "name": name,
                "file": entry["file"],
                "title": entry["title"],
                "publisher": entry["publisher"],
                "source_url": entry["source_url"],
                "source_note": entry.get("source_note", ""),
                "licence": entry["licence"],
                "retrieved": entry["retrieved"],
                "sha256": entry["sha256"],
                "bytes": entry["bytes"],
                "rows": entry["rows"],
                "columns": ", ".join(c["name"] for c in entry["columns"]),
                "key": ", ".join(entry.get("key", [])),
            }
        )
    frame = pd.DataFrame.from_records(records)
    return frame.astype({"bytes": "int64", "rows": "int64"})


def _entry(name: str) -> tuple[str, dict]:
    tables = _read_catalogue()["tables"]
    if name in tables:
        return name, tables[name]
    for key, entry in tables.items():  # also accept the file name, with or without .csv
        if name in (entry["file"], Path(entry["file"]).stem):
            return key, entry
    raise InputError(f"no reference table {name!r}; the catalogue has: {', '.join(sorted(tables))}")


def reference_path(name: str) -> Path:
    """Return the path of a catalogued reference table (``data/reference/<file>``)."""
    _, entry = _entry(name)
    return config.reference_dir() / entry["file"]


def _reference_schema(name: str, entry: dict) -> pa.DataFrameSchema:
    cols = {
        c["name"]: column(
            c["dtype"], nullable=c.get("nullable", False), description=c.get("description")
        )
        for c in entry["columns"]
    }
    return dataset_schema(name, columns=cols, key=entry.get("key") or None, strict=True)


def load_reference(name: str, *, columns: Sequence[str] | None = None) -> pd.DataFrame:
    """Load a committed reference table after checking it is the catalogued file.

    Parameters
    ----------
    name : str
        The table's catalogue name (:func:`reference_catalogue`, column ``name``), e.g.
        ``"esp2013"``, ``"census2021_ts021"``, ``"nhs_ethnic_category"``; the file name is also
        accepted.
    columns : sequence of str, optional
        Return only these columns.

    Returns
    -------
    DataFrame
        The table with the columns and types recorded in the catalogue.

    Raises
    ------
    VerificationError
        If the file's sha256 differs from the catalogue's (the file was edited or replaced).
    InputError
        If the name is not catalogued or the file is missing.
    SchemaError
        If the file no longer matches its catalogued columns.

    Notes
    -----
    The file is recorded as a report input (:func:`rhoresearch.provenance.record_input`).

    References
    ----------
    ``data/reference/catalogue.json`` gives each table's publisher, source and licence.
    """
    key, entry = _entry(name)
    path = config.reference_dir() / entry["file"]
    if not path.is_file():
        raise InputError(
            f"reference table {key!r}: file {config.relative_to_root(path)} is missing"
        )
    actual = provenance.file_sha256(path)
    if actual != entry["sha256"]:
        raise VerificationError(
            f"reference table {key!r} ({config.relative_to_root(path)}) has changed: its sha256 is "
            f"{actual} but the catalogue records {entry['sha256']}. Restore the published file, or "
            "record the new version's source, retrieval date and sha256 in "
            f"data/reference/{CATALOGUE_FILE}."
        )
    return load(path, schema=_reference_schema(key, entry), columns=columns)


def verify_reference_catalogue() -> pd.DataFrame:
    """Check every catalogued file against its sha256, and that every file is catalogued.

    Returns
    -------
    DataFrame
        Columns ``file``, ``status`` (``"ok"``, ``"changed"``, ``"missing"`` or
        ``"not catalogued"``), ``expected_sha256``, ``actual_sha256``; one row per catalogued or
        present file (the catalogue itself and README files excepted), sorted by file.
    """
    tables = _read_catalogue()["tables"]
    directory = config.reference_dir()
    records = []
    catalogued = set()
    for entry in tables.values():
        path = directory / entry["file"]
        catalogued.add(entry["file"])
        actual = provenance.file_sha256(path) if path.is_file() else None
        if actual is None:
            status = "missing"
        else:
            status = "ok" if actual == entry["sha256"] else "changed"
        records.append((entry["file"], status, entry["sha256"], actual))
    for path in sorted(directory.iterdir()):
        if path.is_file() and path.name not in catalogued and path.name != CATALOGUE_FILE:
            if path.name.lower().startswith("readme") or path.name.startswith("."):
                continue
            records.append((path.name, "not catalogued", None, provenance.file_sha256(path)))
    frame = pd.DataFrame(records, columns=["file", "status", "expected_sha256", "actual_sha256"])
    return frame.sort_values("file", kind="stable").reset_index(drop=True)
