"""Stratified counts from record-level data, computed inside a database engine.

Record-level extracts (one row per birth, per detention, per episode) run to hundreds of millions
of rows, more than pandas can hold. :func:`stratified_counts` turns them into the small tidy table
of counts the indicators need (records, events and distinct people by ethnic group, age band, sex,
period, geography), with every excluded row counted by reason. The computation is written once as
an `Ibis <https://ibis-project.org>`_ expression and runs on whichever engine holds the data:

- **DuckDB** (the default): Parquet and CSV files are read directly by the engine, a column at a
  time and in parallel, spilling to disk if needed, so files larger than memory work on a laptop;
  pandas DataFrames and Ibis tables work too;
- **Spark**: a ``pyspark.sql.DataFrame`` (for example a table in a secure data environment such as
  Databricks) is aggregated where it lives, through Ibis's PySpark backend, by the same code.
  PySpark is the optional extra ``rhoresearch[spark]`` and needs a Java runtime
  (:func:`java_runtime`).

Only the result (one row per stratum) comes back to Python. Ethnicity values are never
harmonised one row at a time: only the *distinct* raw values are mapped, by
:func:`rhoresearch.ethnicity.harmonise` in Python. When distinct people are counted, the small
mapping table is joined back inside the engine (people do not add up across the spellings of a
group); otherwise the engine groups by the raw value and the small result is mapped and summed
afterwards, which needs one scan of the data instead of two.

Malformed data gives one clear error whatever the file size: a value that is not of the declared
type (text in a count column, a negative count, an age that is not a number) raises
:class:`~rhoresearch.exceptions.SchemaError`, and an ethnicity value that cannot be mapped raises
:class:`~rhoresearch.exceptions.UnknownCodeError`, each naming the file, the column, the row
number of the first offending row and its value. The check is part of the aggregation query (the
offending rows are counted in the same pass), so valid data costs nothing extra; the failing row
is located only when there is one.
"""

from __future__ import annotations

import csv
import gzip
import logging
import os
import re
import shutil
import subprocess
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import ibis
import ibis.expr.types as ir
import pandas as pd

from rhoresearch import ethnicity
from rhoresearch.exceptions import InputError, SchemaError, UnknownCodeError

__all__ = [
    "ESP2013_AGE_BANDS",
    "JAVA_HINT",
    "StratifiedCounts",
    "duckdb_connection",
    "java_runtime",
    "stratified_counts",
]

logger = logging.getLogger(__name__)

#: Lower bounds of the 19 age bands of the 2013 European Standard Population (0-4 ... 85-89, 90+),
#: the bands :func:`rhoresearch.stats.indicators.dsr` standardises over.
ESP2013_AGE_BANDS: tuple[int, ...] = tuple(range(0, 95, 5))

#: How to get the Java runtime Spark needs (printed by ``scripts/check_java.py`` and ``make``).
JAVA_HINT = (
    "Spark needs a Java runtime (17 or newer). Install one with "
    "'sudo apt-get install default-jre-headless' (Debian/Ubuntu), "
    "'brew install openjdk@17' (macOS) or 'conda install -c conda-forge openjdk=17', "
    "or set JAVA_HOME to an existing JDK. Everything else (DuckDB) works without it."
)

#: Exclusion reasons for the ethnic category (the wording of the workstream modules).
REASON_NOT_STATED = "ethnic category not stated (Z)"
REASON_NOT_KNOWN = "ethnic category not known (99, X, blank or missing)"
REASON_INVALID_CODE = "ethnic category not a valid code"

_MAX_AGE = 130
_MAX_COUNT = 1e15
_PARQUET_SUFFIXES = (".parquet", ".pq", ".parq")
_CSV_SUFFIXES = (".csv", ".csv.gz", ".tsv", ".tsv.gz", ".txt")
_ETH_OUT = "ethnic_group"
_AGE_OUT = "age_band"
_REASON = "_rho_reason"
_ROW = "_rho_row"
_FILE = "_rho_file"
_INVALID_PREFIX = "\x00invalid:"
_RAW = "_rho_eth_raw_value"
_SPARK_PREFIX = "spark:"
_RAW_NULL = "_rho_eth_raw_null"


class StratifiedCounts(NamedTuple):
    """The two tables :func:`stratified_counts` returns (unpack as ``counts, exclusions = ...``)."""

    counts: pd.DataFrame
    exclusions: pd.DataFrame


@dataclass
class _Source:
    """An opened source: the Ibis table, the connection that runs it, and how to name it."""

    table: ir.Table
    backend: Any
    label: str
    kind: str  # "parquet" | "csv" | "pandas" | "spark" | "ibis"
    path: Path | None = None
    frame: pd.DataFrame | None = None
    cleanup: list[Callable[[], None]] = field(default_factory=list)


@dataclass(frozen=True)
class _Check:
    """A column whose values are converted and checked: the clean value and the bad-row flag."""

    column: str
    value: ir.Value
    bad: ir.BooleanValue | None
    expected: str


# ---------------------------------------------------------------------------------------------
# Engines
# ---------------------------------------------------------------------------------------------


#: DuckDB's memory cap for the connections this layer makes: beyond it, DuckDB spills to disk. Without
#: a cap DuckDB takes up to 80% of the machine's memory (12.7 GB was seen counting distinct people in
#: 100M rows on a 24 GB machine); 3 GB keeps a laptop usable and costs little time.
DEFAULT_MEMORY_LIMIT = "3GB"


def duckdb_connection(
    *,
    threads: int | None = None,
    memory_limit: str | None = DEFAULT_MEMORY_LIMIT,
    temp_directory: str | os.PathLike | None = None,
):
    """Return a new in-process DuckDB connection (an Ibis backend) for :func:`stratified_counts`.

    Parameters
    ----------
    threads : int, optional
        Worker threads DuckDB may use (default: one per core).
    memory_limit : str or None, default :data:`DEFAULT_MEMORY_LIMIT` (``"3GB"``)
        The most memory DuckDB may use before it spills to disk; None leaves DuckDB's own default
        (80% of the machine's memory).
    temp_directory : path, optional
        Where DuckDB spills when a query needs more than ``memory_limit`` (default: DuckDB's).

    Returns
    -------
    ibis.backends.duckdb.Backend
        Pass it as ``connection=`` to :func:`stratified_counts` to run several aggregations
        under the same limits.

    Notes
    -----
    Each call makes an independent in-memory database; nothing is written to disk except spill
    files.

    References
    ----------
    DuckDB configuration options: https://duckdb.org/docs/configuration/overview
    """
    config: dict[str, Any] = {}
    if threads is not None:
        if not isinstance(threads, int) or threads < 1:
            raise InputError(
                f"duckdb_connection: threads must be a positive integer, got {threads!r}"
            )
        config["threads"] = threads
    if memory_limit is not None:
        config["memory_limit"] = str(memory_limit)
    if temp_directory is not None:
        config["temp_directory"] = str(temp_directory)
    return ibis.duckdb.connect(**config)


def java_runtime() -> str | None:
    """Return the version of the Java runtime Spark would use, or None if there is none usable.

    Returns
    -------
    str or None
        The version string (e.g. ``"17.0.15"``) of ``$JAVA_HOME/bin/java`` or of ``java`` on the
        ``PATH``, or None when no Java is found or it is older than 17 (what PySpark 4 needs).

    Notes
    -----
    :data:`JAVA_HINT` says how to install one. ``scripts/check_java.py`` (run by ``make``) prints
    the result; the Spark tests skip with that hint when this returns None.

    References
    ----------
    Apache Spark 4 documentation, "Downloading": Spark runs on Java 17/21.
    """
    home = os.environ.get("JAVA_HOME")
    java = str(Path(home) / "bin" / "java") if home else shutil.which("java")
    if not java or not Path(java).exists():
        return None
    try:
        done = subprocess.run(
            [java, "-version"], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.search(r'version "([^"]+)"', done.stderr + done.stdout)
    if not match:
        return None
    version = match.group(1)
    major = version.split(".")[0]
    if major == "1":  # "1.8.0_372" style
        major = version.split(".")[1]
    try:
        if int(major) < 17:
            return None
    except ValueError:
        return None
    return version


def _spark_table(name: str):
    """The Spark table ``name`` of the active Spark session (for ``"spark:<table>"`` sources)."""
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:
        raise InputError(
            f"stratified_counts: 'spark:{name}' needs PySpark (pip install 'rhoresearch[spark]')"
        ) from exc
    session = SparkSession.getActiveSession()
    if session is None:
        raise InputError(
            f"stratified_counts: 'spark:{name}' needs an active Spark session (in Databricks "
            "there is one; elsewhere start one with SparkSession.builder.getOrCreate())"
        )
    try:
        return session.table(name)
    except Exception as exc:  # AnalysisException: no such table
        raise InputError(f"stratified_counts: Spark has no table {name!r}: {exc}") from exc


def _is_spark_frame(obj) -> bool:
    module = type(obj).__module__ or ""
    return module.startswith("pyspark.sql") and hasattr(obj, "createOrReplaceTempView")


def _open(source, *, connection, checked_columns: Sequence[str]) -> _Source:
    """Turn whatever the caller passed into an Ibis table and the backend that executes it."""
    if isinstance(source, str) and source.startswith(_SPARK_PREFIX):
        source = _spark_table(source[len(_SPARK_PREFIX) :])
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        if not path.exists():
            raise InputError(f"stratified_counts: {path}: no such file or folder")
        name = path.name.lower()
        con = connection if connection is not None else duckdb_connection()
        on_duckdb = getattr(con, "name", "") == "duckdb"
        if path.is_dir() or name.endswith(_PARQUET_SUFFIXES):
            target = str(path / "**" / "*.parquet") if path.is_dir() else str(path)
            with _engine_errors(str(path)):
                table = con.read_parquet(target)
            return _Source(table, con, str(path), "parquet", path=path)
        if name.endswith(_CSV_SUFFIXES):
            # Every column is read as text and converted by the checks below, so that the types
            # (and the errors) never depend on which rows the CSV sniffer happened to sample.
            with _engine_errors(str(path)):
                if on_duckdb:
                    table = con.read_csv(str(path), **_csv_options(path))
                else:
                    table = con.read_csv(str(path), header=True)
            return _Source(table, con, str(path), "csv", path=path)
        raise InputError(
            f"stratified_counts: {path}: expected a Parquet file or folder ({', '.join(_PARQUET_SUFFIXES)}) "
            f"or a CSV file ({', '.join(_CSV_SUFFIXES)})"
        )
    if isinstance(source, pd.DataFrame):
        frame = source
        text = {
            c: frame[c].astype("str").where(frame[c].notna(), None)
            for c in checked_columns
            if c in frame.columns and frame[c].dtype == object
        }
        if text:  # mixed-type object columns cannot become Arrow columns: check them as text
            frame = frame.assign(**text)
        try:
            table = ibis.memtable(frame)
        except Exception as exc:  # pyarrow.ArrowInvalid / ArrowTypeError
            raise SchemaError(
                f"stratified_counts: the DataFrame cannot be converted to a table: {exc}. "
                "Give each column one type (numbers or text)"
            ) from exc
        con = connection if connection is not None else duckdb_connection()
        return _Source(table, con, "the DataFrame", "pandas", frame=frame)
    if _is_spark_frame(source):
        session = source.sparkSession
        con = connection if connection is not None else ibis.pyspark.connect(session)
        view = f"rhoresearch_{uuid.uuid4().hex}"
        source.createOrReplaceTempView(view)
        table = con.table(view)
        return _Source(
            table,
            con,
            "the Spark DataFrame",
            "spark",
            cleanup=[lambda: session.catalog.dropTempView(view)],
        )
    if isinstance(source, ir.Table):
        try:
            con = source.get_backend()
        except Exception:  # an unbound table (a memtable): run it on DuckDB
            con = None
        if connection is not None:
            con = connection
        if con is None:
            con = duckdb_connection()
        return _Source(source, con, "the Ibis table", "ibis")
    raise InputError(
        "stratified_counts: source must be a path to a Parquet or CSV file, a pandas DataFrame, "
        f"an Ibis table or a Spark DataFrame; got {type(source).__name__}"
    )


def _csv_options(path: Path) -> dict:
    """DuckDB CSV options with no sniffing: the header gives the columns, all read as text.

    Without sniffing, the reader behaves the same on a file of 50 rows and of 50 million (the
    sniffer samples the first rows only), and a malformed line is reported with its number.
    """
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    try:
        with opener(path, "rt", encoding="utf-8-sig", newline="") as handle:
            header = handle.readline().rstrip("\r\n")
    except (OSError, UnicodeDecodeError) as exc:
        raise SchemaError(f"{path}: the first line cannot be read as UTF-8 text: {exc}") from exc
    if not header:
        raise SchemaError(f"{path}: the file is empty (no header line with the column names)")
    delim = max(",\t|;", key=header.count)
    names = next(csv.reader([header], delimiter=delim))
    if len(set(names)) != len(names) or any(not n.strip() for n in names):
        raise SchemaError(
            f"{path}: line 1 (the header) has blank or repeated column names: {names}"
        )
    return {
        "columns": {name: "VARCHAR" for name in names},
        "header": True,
        "auto_detect": False,
        "delim": delim,
        "quote": '"',
        "escape": '"',
    }


class _engine_errors:
    """Turn an engine's read error on a file (a malformed CSV line) into a SchemaError."""

    def __init__(self, label: str | None):
        self.label = label

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc is None or self.label is None or isinstance(exc, InputError):
            return False
        module = type(exc).__module__ or ""
        if not module.startswith(("duckdb", "_duckdb")):
            return False
        text = str(exc)
        line = re.search(r"[Ll]ine:?\s*(\d+)", text)
        original = re.search(r"Original Line:\s*(.*)", text)
        first = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
        where = f"line {int(line.group(1)):,}: " if line else ""
        shown = f" The line reads: {original.group(1)[:200]!r}." if original else ""
        raise SchemaError(
            f"{self.label}: {where}the file cannot be read as a table ({first}).{shown} "
            "Check the delimiter, quoting and number of fields on that line."
        ) from exc


# ---------------------------------------------------------------------------------------------
# Column checks (built from a table, so that they can be rebuilt on a re-read of the file)
# ---------------------------------------------------------------------------------------------


def _blank(col: ir.Value) -> ir.BooleanValue:
    return col.isnull() | (col.strip() == "")


def _check_count(t: ir.Table, column: str) -> _Check:
    col = t[column]
    dt = col.type()
    expected = "a count (a whole number, 0 or more; or true/false)"
    if dt.is_boolean():
        return _Check(column, col.cast("int64"), None, expected)
    if dt.is_integer():
        return _Check(column, col.cast("int64"), col < 0, expected)
    if dt.is_floating() or dt.is_decimal():
        f = col.cast("float64")
        bad = (f < 0) | (f != f.floor()) | (f > _MAX_COUNT)
        return _Check(column, f.try_cast("int64"), bad, expected)
    if dt.is_string():
        s = col.strip().lower()
        flag = s.cases(("true", 1.0), ("false", 0.0), else_=None)
        f = flag.fill_null(s.try_cast("float64"))
        bad = ~_blank(col) & (f.isnull() | (f < 0) | (f != f.floor()) | (f > _MAX_COUNT))
        return _Check(column, f.try_cast("int64"), bad, expected)
    raise SchemaError(
        f"column {column!r} has type {dt}; an event column must hold counts or true/false flags"
    )


def _check_number(t: ir.Table, column: str) -> _Check:
    col = t[column]
    dt = col.type()
    expected = "a number"
    if dt.is_numeric():
        return _Check(column, col.cast("float64"), None, expected)
    if dt.is_string():
        f = col.strip().try_cast("float64")
        return _Check(column, f, ~_blank(col) & f.isnull(), expected)
    raise SchemaError(f"column {column!r} has type {dt}; it must hold numbers")


def _check_dtype(t: ir.Table, column: str, dtype: str) -> _Check:
    col = t[column]
    target = ibis.dtype(dtype)
    expected = f"of type {target}"
    if col.type() == target:
        return _Check(column, col, None, expected)
    if target.is_integer():
        if col.type().is_integer():
            return _Check(column, col.cast(target), None, expected)
        f = (col.strip() if col.type().is_string() else col).try_cast("float64")
        bad = (
            ~_blank(col) & (f.isnull() | (f != f.floor()))
            if col.type().is_string()
            else (col.notnull() & (f.isnull() | (f != f.floor())))
        )
        return _Check(column, f.try_cast(target), bad, f"a whole number ({target})")
    if col.type().is_string():
        v = col.strip().try_cast(target)
        return _Check(column, v, ~_blank(col) & v.isnull(), expected)
    v = col.try_cast(target)
    return _Check(column, v, col.notnull() & v.isnull(), expected)


def _build_checks(t: ir.Table, spec: _Spec) -> list[_Check]:
    checks = [_check_count(t, c) for c in spec.event_columns.values()]
    if spec.age_column is not None:
        checks.append(_check_number(t, spec.age_column))
    checks.extend(_check_dtype(t, c, d) for c, d in spec.dtypes.items())
    return checks


# ---------------------------------------------------------------------------------------------
# The specification of one aggregation
# ---------------------------------------------------------------------------------------------


@dataclass
class _Spec:
    strata: list[str]  # output stratum columns, in order
    raw_strata: list[str]  # source columns used as strata as they are
    event_columns: dict[str, str]  # output name -> source column
    person: str | None
    ethnicity_column: str | None
    harmonise_to: str | None
    errors: str
    unknown_ethnicity: str
    harmonise_options: dict
    age_column: str | None
    age_bands: tuple[int, ...] | None
    dtypes: dict[str, str]
    recode: dict[str, dict[str, str]]
    filters: list
    keep_missing: list[str] = field(default_factory=list)  # strata whose nulls are a stratum

    @property
    def null_flags(self) -> list[str]:
        return [_null_flag(s) for s in self.keep_missing]

    def source_columns(self) -> list[str]:
        cols = [*self.raw_strata, *self.event_columns.values(), *self.dtypes]
        for c in (self.person, self.ethnicity_column, self.age_column):
            if c is not None:
                cols.append(c)
        for f in self.filters:
            if isinstance(f, tuple):
                cols.append(f[0])
        return list(dict.fromkeys(cols))


def _null_flag(stratum: str) -> str:
    return f"_rho_isnull_{stratum}"


def _as_list(value, name: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, Sequence) and all(isinstance(v, str) for v in value):
        return list(value)
    raise InputError(
        f"stratified_counts: {name} must be a column name or a list of them; got {value!r}"
    )


def _age_labels(bands: tuple[int, ...]) -> list[str]:
    labels = [f"{lo}-{hi - 1}" for lo, hi in zip(bands[:-1], bands[1:], strict=True)]
    return [*labels, f"{bands[-1]}+"]


def _make_spec(
    *,
    strata,
    events,
    person,
    filters,
    ethnicity_column,
    harmonise_to,
    errors,
    unknown_ethnicity,
    harmonise_options,
    age_column,
    age_bands,
    dtypes,
    recode,
    keep_missing=None,
) -> _Spec:
    strata = _as_list(strata, "strata")
    if len(set(strata)) != len(strata):
        raise InputError(f"stratified_counts: strata repeats a column: {strata}")
    if isinstance(events, Mapping):
        event_columns = {str(k): str(v) for k, v in events.items()}
    else:
        event_columns = {c: c for c in _as_list(events, "events")}
    if errors not in ("raise", "not_known"):
        raise InputError(
            f"stratified_counts: errors must be 'raise' or 'not_known'; got {errors!r}"
        )
    if harmonise_to is not None and harmonise_to not in ethnicity.SCHEMES:
        raise InputError(
            f"stratified_counts: harmonise_to must be one of {ethnicity.SCHEMES} or None; "
            f"got {harmonise_to!r}"
        )
    if ethnicity_column is not None and _ETH_OUT not in strata:
        strata = [_ETH_OUT, *strata]
    if ethnicity_column is None and _ETH_OUT in strata:
        raise InputError(
            f"stratified_counts: strata has {_ETH_OUT!r} but ethnicity_column is None; name the "
            "column that holds the ethnic category"
        )
    if unknown_ethnicity not in ("exclude", "keep"):
        groups = ethnicity.labels(harmonise_to) if harmonise_to else None
        if groups is not None and unknown_ethnicity not in groups:
            raise InputError(
                "stratified_counts: unknown_ethnicity must be 'exclude', 'keep' or a group of the "
                f"{harmonise_to!r} scheme to count them with ({groups}); got {unknown_ethnicity!r}"
            )
    if age_bands is not None:
        if age_column is None:
            raise InputError("stratified_counts: age_bands needs age_column (ages in years)")
        if isinstance(age_bands, str):
            if age_bands.lower() != "esp2013":
                raise InputError(
                    f"stratified_counts: age_bands must be 'esp2013' or a list of lower bounds; "
                    f"got {age_bands!r}"
                )
            age_bands = ESP2013_AGE_BANDS
        age_bands = tuple(int(b) for b in age_bands)
        if not age_bands or age_bands[0] != 0 or list(age_bands) != sorted(set(age_bands)):
            raise InputError(
                "stratified_counts: age_bands must be increasing lower bounds starting at 0, e.g. "
                f"(0, 5, 10, ..., 90); got {age_bands}"
            )
        if _AGE_OUT not in strata:
            strata = [*strata, _AGE_OUT]
    elif age_column is not None:
        raise InputError(
            "stratified_counts: age_column is only used with age_bands; to stratify by an age band "
            "column that is already in the data, list it in strata"
        )
    derived = {_ETH_OUT} if ethnicity_column is not None else set()
    if age_bands is not None:
        derived.add(_AGE_OUT)
    raw_strata = [s for s in strata if s not in derived]
    out_names = [*strata, "n_rows", *event_columns, "n_people"]
    if len(set(out_names)) != len(out_names):
        raise InputError(
            f"stratified_counts: output column names collide: strata {strata}, events "
            f"{list(event_columns)} (n_rows and n_people are reserved)"
        )
    recode = dict(recode or {})
    for column, codes in recode.items():
        if column not in raw_strata or not isinstance(codes, Mapping) or not codes:
            raise InputError(
                f"stratified_counts: recode[{column!r}] must be a non-empty mapping "
                "{code: label} for a column listed in strata (not ethnic_group or age_band); "
                f"strata are {strata}"
            )
    recode = {
        str(c): {str(k).strip().lower(): str(v) for k, v in codes.items()}
        for c, codes in recode.items()
    }
    flist: list = []
    if filters is None:
        pass
    elif isinstance(filters, Mapping):
        flist = [(str(k), v) for k, v in filters.items()]
    elif callable(filters):
        flist = [filters]
    elif isinstance(filters, Sequence) and all(callable(f) for f in filters):
        flist = list(filters)
    else:
        raise InputError(
            "stratified_counts: filters must be a mapping {column: value or list of values} or "
            "a function (or list of functions) taking the table and returning a condition; "
            f"got {type(filters).__name__}"
        )
    keep_missing = _as_list(keep_missing, "keep_missing")
    bad = [s for s in keep_missing if s not in strata or s == _ETH_OUT or s in recode]
    if bad:
        raise InputError(
            f"stratified_counts: keep_missing {bad} must name strata (not ethnic_group, nor a "
            f"recoded stratum); strata are {strata}"
        )
    return _Spec(
        keep_missing=keep_missing,
        strata=strata,
        raw_strata=raw_strata,
        event_columns=event_columns,
        person=person,
        ethnicity_column=ethnicity_column,
        harmonise_to=harmonise_to,
        errors=errors,
        unknown_ethnicity=unknown_ethnicity,
        harmonise_options=dict(harmonise_options or {}),
        age_column=age_column,
        age_bands=age_bands,
        dtypes={str(k): str(v) for k, v in (dtypes or {}).items()},
        recode=recode,
        filters=flist,
    )


# ---------------------------------------------------------------------------------------------
# Ethnicity: distinct values -> harmonise (Python) -> mapping table joined in the engine
# ---------------------------------------------------------------------------------------------


def _ethnicity_mapping(values: pd.Series, spec: _Spec) -> tuple[pd.DataFrame, list]:
    """Map distinct non-null raw values; return (mapping frame, unmapped values)."""
    values = values.reset_index(drop=True)
    report = ethnicity.harmonise_report(values, to=spec.harmonise_to, **spec.harmonise_options)
    status = dict(zip(report["input_value"], report["status"], strict=True))
    unmapped = [v for v in values if status.get(v) == "unmapped"]
    unmapped_set = set(unmapped)
    # every value left maps, so harmonise neither raises nor warns (the counts of the unmapped
    # values are those of the records, reported by the caller, not of the distinct values)
    mapped = ethnicity.harmonise(
        values[~values.isin(unmapped)], to=spec.harmonise_to, **spec.harmonise_options
    )
    group = mapped.astype("str").reindex(values.index, fill_value=ethnicity.NOT_KNOWN)
    groups: list[str] = []
    reasons: list[str | None] = []
    keep = spec.unknown_ethnicity
    for raw, g in zip(values, group, strict=True):
        if raw in unmapped_set:
            reason = REASON_INVALID_CODE
        elif status.get(raw) == "missing" or g == ethnicity.NOT_KNOWN:
            reason = REASON_NOT_KNOWN
        elif g == ethnicity.NOT_STATED:
            reason = REASON_NOT_STATED
        else:
            reason = None
        if reason is not None and keep != "exclude":
            if keep != "keep":
                g = keep
            reason = None
        groups.append(g)
        reasons.append(reason)
    mapping = pd.DataFrame(
        {
            "_rho_eth_raw": values,
            "_rho_eth_group": pd.Series(groups, dtype="str"),
            # "" for no reason, not a null: Spark turns the nulls of a pandas text column into
            # the string "NaN" when it registers the table (pyspark 4.0 with pandas 3)
            "_rho_eth_reason": pd.Series([r or "" for r in reasons], dtype="str"),
        }
    )
    return mapping, unmapped


# ---------------------------------------------------------------------------------------------
# The expression
# ---------------------------------------------------------------------------------------------


def _filter_condition(t: ir.Table, spec: _Spec) -> ir.BooleanValue | None:
    conditions = []
    for f in spec.filters:
        if isinstance(f, tuple):
            column, value = f
            if isinstance(value, list | tuple | set | frozenset):
                conditions.append(t[column].isin(list(value)))
            else:
                conditions.append(t[column] == value)
        else:
            cond = f(t)
            if not isinstance(cond, ir.BooleanValue):
                raise InputError(
                    "stratified_counts: a filter function must return a boolean Ibis expression "
                    f"(e.g. lambda t: t.year >= 2020); got {type(cond).__name__}"
                )
            conditions.append(cond)
    if not conditions:
        return None
    out = conditions[0]
    for c in conditions[1:]:
        out = out & c
    return out


def _expression(t: ir.Table, spec: _Spec, mapping: pd.DataFrame | str | None):
    """Build the aggregation and return (expression, reasons in priority order, invalid map).

    ``mapping`` is the harmonisation table to join (a DataFrame), ``"raw"`` to group by the raw
    ethnicity value instead (mapped afterwards on the small result), or None (no harmonisation).
    """
    checks = _build_checks(t, spec)
    bad_flags = {f"_rho_bad_{i}": ch.bad for i, ch in enumerate(checks) if ch.bad is not None}
    converted = {ch.column: ch.value for ch in checks}
    invalid = {
        f"{_INVALID_PREFIX}{ch.column}": (f"_rho_bad_{i}", ch)
        for i, ch in enumerate(checks)
        if ch.bad is not None
    }
    # bad flags are computed on the raw columns (one mutate: every expression sees the raw table)
    t = t.mutate(**bad_flags, **converted)
    condition = _filter_condition(t, spec)
    if condition is not None:
        keep = condition.fill_null(False)
        for flag in bad_flags:
            keep = keep | t[flag].fill_null(False)
        t = t.filter(keep)

    cases: list[tuple[ir.BooleanValue, Any]] = [
        (t[flag].fill_null(False), reason) for reason, (flag, _) in invalid.items()
    ]
    reasons: list[str] = []
    group_keys = list(spec.strata)
    if isinstance(mapping, str):  # "raw": group by the raw value; reasons applied afterwards
        raw = t[spec.ethnicity_column]
        t = t.mutate(**{_RAW: raw, _RAW_NULL: raw.isnull()})
        position = group_keys.index(_ETH_OUT)
        group_keys[position : position + 1] = [_RAW, _RAW_NULL]
        if spec.unknown_ethnicity == "exclude":
            reasons += [REASON_NOT_STATED, REASON_NOT_KNOWN, REASON_INVALID_CODE]
    elif spec.ethnicity_column is not None:
        raw = t[spec.ethnicity_column]
        if mapping is not None:
            m = ibis.memtable(mapping)
            t = t.left_join(m, raw == m["_rho_eth_raw"]).drop("_rho_eth_raw")
            group = t["_rho_eth_group"]
            eth_reason = t["_rho_eth_reason"]
            raw = t[spec.ethnicity_column]
        else:  # already harmonised: the values are the groups
            group = raw.cast("string")
            eth_reason = ibis.null("string")
        if spec.unknown_ethnicity == "exclude":
            cases.append((raw.isnull(), REASON_NOT_KNOWN))
            cases.append((eth_reason.notnull() & (eth_reason != ""), eth_reason))
            reasons += [REASON_NOT_STATED, REASON_NOT_KNOWN, REASON_INVALID_CODE]
            group_value = group
        else:
            fill = (
                ethnicity.NOT_KNOWN if spec.unknown_ethnicity == "keep" else spec.unknown_ethnicity
            )
            group_value = ibis.ifelse(raw.isnull(), ibis.literal(fill), group)
        t = t.mutate(**{_ETH_OUT: group_value})
    if spec.age_bands is not None:
        age = t[spec.age_column]
        whole = age.floor()
        labels = _age_labels(spec.age_bands)
        band_cases = [
            (whole < hi, label) for hi, label in zip(spec.age_bands[1:], labels[:-1], strict=True)
        ]
        band = ibis.cases(*band_cases, else_=labels[-1])
        missing = f"{spec.age_column} missing"
        out_of_range = f"{spec.age_column} out of range (below 0 or above {_MAX_AGE})"
        no_age = age.isnull() | age.isnan()
        if _AGE_OUT in spec.keep_missing:  # a missing age is its own (null) band
            band = ibis.ifelse(no_age, ibis.null("string"), band)
            t = t.mutate(**{_null_flag(_AGE_OUT): no_age.fill_null(True)})
        else:
            cases.append((no_age, missing))
            reasons.append(missing)
        cases.append(((age < 0) | (age > _MAX_AGE), out_of_range))
        reasons.append(out_of_range)
        t = t.mutate(**{_AGE_OUT: band})
    recoded = {}
    for s in spec.raw_strata:
        if s in spec.keep_missing:
            # nulls kept as a stratum, told apart by a flag (a backend may return a null text
            # value as the string "NaN")
            t = t.mutate(**{_null_flag(s): t[s].isnull()})
            continue
        cases.append((t[s].isnull(), f"{s} missing"))
        reasons.append(f"{s} missing")
        if s in spec.recode:
            codes = spec.recode[s]
            key = t[s].cast("string").strip().lower()
            value = key.substitute(codes, else_=ibis.null("string"))
            listed = ", ".join(repr(k) for k in list(codes)[:6]) + (
                ", ..." if len(codes) > 6 else ""
            )
            reason = f"{s} not a listed code ({listed})"
            cases.append((value.isnull(), reason))
            reasons.append(reason)
            recoded[s] = value
    for name, column in spec.event_columns.items():
        cases.append((t[column].isnull(), f"{name} missing"))
        reasons.append(f"{name} missing")
    reasons = list(dict.fromkeys(reasons))
    # included rows get "" rather than a null: some backends return nulls of text columns as
    # the string "NaN" under pandas 3 (ibis 12's PySpark conversion does)
    reason = ibis.cases(*cases, else_=ibis.literal("")) if cases else ibis.literal("")
    # one projection: the reason and the recoded labels both read the unrecoded columns
    t = t.mutate(**{_REASON: reason}, **recoded)

    metrics: dict[str, ir.Value] = {"n_rows": t.count()}
    for name, column in spec.event_columns.items():
        metrics[name] = t[column].sum()
    if spec.person is not None:
        metrics["n_people"] = t[spec.person].nunique()
    expr = t.group_by([*group_keys, *spec.null_flags, _REASON]).aggregate(**metrics)
    return expr, reasons, invalid


# ---------------------------------------------------------------------------------------------
# Failure path: locate the first offending row
# ---------------------------------------------------------------------------------------------


def _reread(src: _Source) -> tuple[ir.Table, Any] | None:
    """Re-open a file or frame with a row number column, on a one-thread DuckDB (file order)."""
    if src.kind in ("parquet", "csv"):
        con = duckdb_connection(threads=1)
        path = src.path
        if src.kind == "parquet":
            target = str(path / "**" / "*.parquet") if path.is_dir() else str(path)
            t = con.read_parquet(target, file_row_number=True, filename=True)
            t = t.mutate(**{_ROW: t.file_row_number + 1, _FILE: t.filename})
        else:
            t = con.read_csv(str(path), **_csv_options(path))
            t = t.mutate(**{_ROW: ibis.row_number() + 1, _FILE: ibis.literal(str(path))})
        return t, con
    if src.kind == "pandas":
        frame = src.frame.reset_index(drop=True)
        frame = frame.assign(**{_ROW: pd.RangeIndex(1, len(frame) + 1), _FILE: "the DataFrame"})
        return ibis.memtable(frame), duckdb_connection(threads=1)
    return None


def _first_offending(
    src: _Source, build: Callable[[ir.Table], ir.BooleanValue], value_column: str
) -> tuple[Any, int | None, str | None, int]:
    """Return (value, row number or None, file or None, number of offending rows)."""
    reread = _reread(src)
    if reread is not None:
        t, con = reread
        bad = t.filter(build(t).fill_null(False))
        with _engine_errors(src.label if src.kind == "csv" else None):
            first = con.execute(
                bad.order_by([_FILE, _ROW]).select(value_column, _ROW, _FILE).limit(1)
            )
            n_bad = int(con.execute(bad.count()))
        if len(first):
            value = _plain(first[value_column].iloc[0])
            return value, int(first[_ROW].iloc[0]), str(first[_FILE].iloc[0]), n_bad
        return None, None, None, n_bad
    bad = src.table.filter(build(src.table).fill_null(False))
    first = src.backend.execute(bad.select(value_column).limit(1))
    n_bad = int(src.backend.execute(bad.count()))
    value = _plain(first[value_column].iloc[0]) if len(first) else None
    return value, None, None, n_bad


def _plain(value):
    """A numpy scalar as the Python value (for messages: 2.5, not np.float64(2.5))."""
    return value.item() if hasattr(value, "item") else value


def _where(src: _Source, row: int | None, file: str | None) -> str:
    if row is None:
        return "row number not available (a Spark or Ibis table has no row order)"
    if src.kind == "csv":
        return f"row {row:,} (line {row + 1:,} of the file, counting the header)"
    if src.kind == "pandas":
        label = _plain(src.frame.index[row - 1])
        return f"row {row:,} (index label {label!r})"
    if src.path is not None and src.path.is_dir() and file:
        return f"row {row:,} of {file}"
    return f"row {row:,}"


def _raise_invalid(src: _Source, spec: _Spec, check: _Check, n_rows: int) -> None:
    column = check.column

    def build(t: ir.Table) -> ir.BooleanValue:
        ch = next(c for c in _build_checks(t, spec) if c.column == column)
        return ch.bad

    value, row, file, n_bad = _first_offending(src, build, column)
    where = _where(src, row, file)
    err = SchemaError(
        f"{src.label}: column {column!r}, {where}: value {value!r} is not {check.expected}. "
        f"{max(n_bad, n_rows):,} row(s) have an invalid value in this column. Correct the "
        "extract (or its export settings) and run again."
    )
    err.path, err.column, err.row, err.value = src.label, column, row, value
    raise err


def _raise_unknown(src: _Source, spec: _Spec, unmapped: list) -> None:
    column = spec.ethnicity_column
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
    err = UnknownCodeError(
        f"{src.label}: column {column!r}, {where}: value {value!r} is not an ethnic category "
        f"that can be mapped to {spec.harmonise_to!r}. Unmapped values: {listing}{more}. Fix the "
        "values, or pass errors='not_known' to count these rows as excluded "
        f"({REASON_INVALID_CODE!r}).",
        tally,
    )
    err.path, err.column, err.row, err.value = src.label, column, row, value
    raise err


# ---------------------------------------------------------------------------------------------
# Public function
# ---------------------------------------------------------------------------------------------


def stratified_counts(
    source,
    *,
    strata: str | Sequence[str] | None = None,
    events: str | Sequence[str] | Mapping[str, str] | None = None,
    person: str | None = None,
    filters: Mapping[str, Any] | Callable | Sequence[Callable] | None = None,
    ethnicity_column: str | None = "ethnic_category",
    harmonise_to: str | None = "high_level",
    errors: str = "raise",
    unknown_ethnicity: str = "exclude",
    harmonise_options: Mapping[str, Any] | None = None,
    age_column: str | None = None,
    age_bands: Sequence[int] | str | None = None,
    dtypes: Mapping[str, str] | None = None,
    recode: Mapping[str, Mapping[Any, str]] | None = None,
    keep_missing: str | Sequence[str] | None = None,
    connection=None,
) -> StratifiedCounts:
    """Count records, events and people by stratum from record-level data, inside an engine.

    Parameters
    ----------
    source : path, ``"spark:<table>"``, pandas.DataFrame, ibis Table or pyspark.sql.DataFrame
        The records, one row each. A path to a Parquet file, a folder of Parquet files or a CSV
        file is read by DuckDB without loading it into memory; a DataFrame runs on DuckDB; an
        Ibis table on its own backend; a Spark DataFrame, or the name of a table of the active
        Spark session given as ``"spark:<database>.<table>"`` (so that a notebook's data path
        parameter can point at a Spark table), on Spark. Not modified.
        Files read are recorded for the report's manifest
        (:func:`rhoresearch.provenance.record_input`).
    strata : str or list of str, optional
        Columns to count by (sex, period, geography, an age band column that is already in the
        data, ...). ``"ethnic_group"`` (the harmonised ethnicity) is added first unless listed,
        and ``"age_band"`` last when ``age_bands`` is given; list them to place them elsewhere.
    events : str, list of str or dict, optional
        Columns of 0/1 flags (or true/false) or non-negative whole counts to sum per stratum;
        a dict ``{output name: column}`` renames them.
    person : str, optional
        Person identifier column: adds ``n_people``, the number of distinct identifiers.
    filters : dict or callable or list of callables, optional
        Rows to analyse: ``{column: value}`` or ``{column: [values]}`` (all must hold), or
        functions taking the Ibis table and returning a condition, e.g.
        ``lambda t: t.year >= 2020``. Columns named in ``dtypes`` are converted first. Rows
        outside the filters are not analysed and not counted as exclusions.
    ethnicity_column : str or None, default "ethnic_category"
        Column holding the ethnic category as it arrives (NHS codes, labels, messy spellings).
        None: no ethnicity stratum.
    harmonise_to : {"high_level", "nhs_code", "census2021"} or None, default "high_level"
        Scheme to harmonise to with :func:`rhoresearch.ethnicity.harmonise`; None takes the
        column's values as the groups (already harmonised data; only missing values excluded).
    errors : {"raise", "not_known"}, default "raise"
        Ethnicity values that cannot be mapped: raise :class:`UnknownCodeError` (naming the
        file, column, first row and value), or count those rows as excluded.
    unknown_ethnicity : {"exclude", "keep"} or str, default "exclude"
        Rows whose ethnic category is not stated, not known, missing or (with
        ``errors="not_known"``) invalid: excluded and counted by reason; kept as the groups
        "Not stated" / "Not known"; or counted with the named group (e.g. ``"White"``, the
        MBRRACE-UK convention "White (inc. not known)").
    harmonise_options : dict, optional
        Further options of :func:`~rhoresearch.ethnicity.harmonise`, e.g. ``{"chinese": "other"}``.
    age_column, age_bands : str and ``"esp2013"`` or list of int, optional
        Age in years and the lower bounds of the bands to make from it (``"esp2013"``: 0-4, 5-9,
        ..., 85-89, 90+, as :func:`rhoresearch.stats.indicators.dsr` expects). Adds ``age_band``.
    dtypes : dict, optional
        ``{column: type}`` for further columns to convert and check (Ibis type names such as
        ``"int64"``, ``"float64"``, ``"date"``, ``"string"``). CSV columns are read as text, so
        declare numeric strata (e.g. ``{"year": "int64"}``) to get numbers.
    recode : dict, optional
        ``{stratum: {code: label}}`` to label the codes of a stratum column in the engine, e.g.
        ``{"sex": {"1": "Male", "2": "Female"}}`` (codes compared as trimmed lower-case text);
        rows with any other code are excluded as ``"<stratum> not a listed code (...)"``.
    keep_missing : str or list of str, optional
        Strata (including ``"age_band"`` made from ``age_column``) whose missing values form a
        stratum of their own (a missing value in ``counts``) instead of being excluded, e.g. to
        count records by recording status before deciding what an analysis excludes. Not
        ``ethnic_group`` (see ``unknown_ethnicity``) nor a recoded stratum.
    connection : ibis backend, optional
        The engine to use for a path or DataFrame (default: a new DuckDB connection, see
        :func:`duckdb_connection` to set threads and memory limit), or for a Spark DataFrame an
        ``ibis.pyspark.connect(spark)`` backend.

    Returns
    -------
    StratifiedCounts
        A named tuple of two DataFrames:

        ``counts``, one row per stratum with at least one record, sorted by the strata:

        - the strata columns (``ethnic_group`` is an ordered categorical in the display order of
          the scheme; ``age_band`` an ordered categorical of labels such as ``"0-4"`` and
          ``"90+"``);
        - ``n_rows`` (int64): records in the stratum;
        - one int64 column per event: the sum of the flags or counts;
        - ``n_people`` (int64, only with ``person``): distinct non-missing person identifiers.

        ``exclusions``, one row per possible reason in priority order (zeros included):

        - ``reason`` (str): e.g. ``"ethnic category not stated (Z)"``,
          ``"ethnic category not known (99, X, blank or missing)"``,
          ``"ethnic category not a valid code"``, ``"<age_column> missing"``,
          ``"<age_column> out of range (below 0 or above 130)"``, ``"<stratum> missing"``,
          ``"<stratum> not a listed code (...)"`` (with ``recode``), ``"<event> missing"``;
        - ``n_rows`` (int64): rows excluded for that reason.

        ``counts.n_rows.sum() + exclusions.n_rows.sum()`` is the number of rows analysed (after
        ``filters``).

    Raises
    ------
    SchemaError
        A column is missing, or a value is not of its expected type (text or a negative or
        fractional number in an event column, a non-number in ``age_column``, a value that is
        not of its ``dtypes`` type), or a CSV line is malformed. The message names the file,
        column, row number (1-based data row; CSV: also the line) and value of the first
        offending row and how many rows are affected; the error carries ``path``, ``column``,
        ``row`` and ``value`` attributes.
    UnknownCodeError
        With ``errors="raise"``, an ethnicity value that cannot be mapped (same details, and
        ``unmapped``: each such value and its number of rows).
    InputError
        An option is not one of those allowed.

    Notes
    -----
    One query: the checks, the ethnic group, the age bands and an exclusion reason per row are
    columns of the same expression, grouped by the strata and the reason. The ethnic group
    comes from the distinct raw values, harmonised by :func:`~rhoresearch.ethnicity.harmonise`:
    with ``person``, a first pass fetches them and the mapping is joined in the engine; without
    it, the engine groups by the raw value and the (small) result is mapped and summed, one
    scan in all. Both give the same counts. A row is excluded for the first reason that applies, in the order of the
    ``exclusions`` table: ethnic category (not stated, not known or missing, invalid), age
    (missing, out of range), each stratum missing, each event missing. Blank strings in text
    columns count as missing for checked columns.

    People are counted distinct within each stratum; a person with records in two strata
    counts in both, so ``n_people`` does not add up across strata.

    Strata with no records are absent; add them (with zero counts) when joining a population
    denominator. Counts are exact and unsuppressed: apply
    :func:`rhoresearch.disclosure.suppress` before anything leaves the analysis.

    References
    ----------
    NHS Data Dictionary, ETHNIC CATEGORY. Eurostat (2013), Revision of the European Standard
    Population (age bands). Ibis project, https://ibis-project.org (one expression, several
    engines); DuckDB, https://duckdb.org; Apache Spark, https://spark.apache.org.
    """
    spec = _make_spec(
        strata=strata,
        events=events,
        person=person,
        filters=filters,
        ethnicity_column=ethnicity_column,
        harmonise_to=harmonise_to,
        errors=errors,
        unknown_ethnicity=unknown_ethnicity,
        harmonise_options=harmonise_options,
        age_column=age_column,
        age_bands=age_bands,
        dtypes=dtypes,
        recode=recode,
        keep_missing=keep_missing,
    )
    checked = [*spec.event_columns.values(), *spec.dtypes]
    if spec.age_column:
        checked.append(spec.age_column)
    src = _open(source, connection=connection, checked_columns=checked)
    if src.path is not None:
        _record_inputs(src.path)
    try:
        return _run(src, spec)
    finally:
        for fn in src.cleanup:
            try:
                fn()
            except Exception:  # best-effort clean-up of a temporary view
                logger.debug("could not drop a temporary view", exc_info=True)


def _record_inputs(path: Path) -> None:
    """Record the file(s) read in the report's manifest (path, bytes, sha256)."""
    from rhoresearch import provenance

    files = sorted(path.rglob("*.parquet")) if path.is_dir() else [path]
    for file in files:
        provenance.record_input(file)


def _run(src: _Source, spec: _Spec) -> StratifiedCounts:
    t = src.table
    file_label = src.label if src.kind in ("parquet", "csv") else None
    missing = [c for c in spec.source_columns() if c not in t.columns]
    if missing:
        raise SchemaError(f"{src.label}: column(s) {missing} not found; it has {list(t.columns)}")
    if spec.age_bands is not None and _AGE_OUT in t.columns:
        raise InputError(
            f"stratified_counts: {src.label} already has an {_AGE_OUT!r} column; pass age_bands "
            "only to make bands from ages in years (or list 'age_band' in strata to use it)"
        )
    logger.info(
        "stratified_counts: %s on %s by %s; events %s",
        src.label,
        src.backend.name,
        spec.strata,
        list(spec.event_columns),
    )
    try:
        build_checks = _build_checks(t, spec)
    except SchemaError as exc:
        raise SchemaError(f"{src.label}: {exc}") from exc
    del build_checks

    harmonising = spec.ethnicity_column is not None and spec.harmonise_to is not None
    if harmonising and spec.person is None:
        return _run_raw(src, spec, file_label)
    mapping = None
    if harmonising:
        with _engine_errors(file_label):
            distinct = src.backend.execute(
                t.select(
                    spec.ethnicity_column, _rho_null=t[spec.ethnicity_column].isnull()
                ).distinct()
            )
        # nulls are told apart by the flag: a backend may return a null text value as "NaN"
        values = distinct.loc[~distinct["_rho_null"].astype(bool), spec.ethnicity_column]
        mapping, unmapped = _ethnicity_mapping(values, spec)
        logger.info(
            "stratified_counts: %d distinct ethnicity value(s), %d unmapped",
            len(values),
            len(unmapped),
        )
        if unmapped and spec.errors == "raise":
            _raise_unknown(src, spec, unmapped)
        # the mapping's raw column must have the source column's type for the join
        mapping = mapping.astype({"_rho_eth_raw": distinct[spec.ethnicity_column].dtype})

    expr, reasons, invalid = _expression(t, spec, mapping)
    with _engine_errors(file_label):
        result = src.backend.execute(expr)
    _raise_first_invalid(src, spec, result, invalid)
    return _tidy(result, spec, reasons)


def _run_raw(src: _Source, spec: _Spec, file_label: str | None) -> StratifiedCounts:
    """One pass without person counts: group by the raw ethnicity, harmonise the small result.

    Records and event sums add up across the spellings of a group, so grouping by the raw value
    in the engine and mapping the distinct values afterwards gives the same counts as the join,
    with one scan of the data instead of two. (Distinct people do not add up: with ``person``
    the mapping is joined in the engine instead.)
    """
    expr, reasons, invalid = _expression(src.table, spec, "raw")
    with _engine_errors(file_label):
        result = src.backend.execute(expr)
    # nulls are told apart by the flag: a backend may return a null text value as "NaN"
    is_null = result[_RAW_NULL].astype(bool).to_numpy()
    values = result.loc[~is_null, _RAW].drop_duplicates()
    mapping, unmapped = _ethnicity_mapping(values, spec)
    logger.info(
        "stratified_counts: %d distinct ethnicity value(s), %d unmapped", len(values), len(unmapped)
    )
    if unmapped and spec.errors == "raise":
        _raise_unknown(src, spec, unmapped)
    _raise_first_invalid(src, spec, result, invalid)

    raw = result[_RAW].astype(object).where(~is_null, None)
    group = raw.map(dict(zip(mapping["_rho_eth_raw"], mapping["_rho_eth_group"], strict=True)))
    eth_reason = raw.map(
        dict(zip(mapping["_rho_eth_raw"], mapping["_rho_eth_reason"], strict=True))
    )
    if spec.unknown_ethnicity == "exclude":
        null_group, null_reason = ethnicity.NOT_KNOWN, REASON_NOT_KNOWN
    elif spec.unknown_ethnicity == "keep":
        null_group, null_reason = ethnicity.NOT_KNOWN, ""
    else:
        null_group, null_reason = spec.unknown_ethnicity, ""
    group = group.where(~is_null, null_group)
    eth_reason = eth_reason.where(~is_null, null_reason).fillna("").astype("str")
    engine_reason = result[_REASON].fillna("").astype("str")
    first_reason = engine_reason.where(
        engine_reason.str.startswith(_INVALID_PREFIX) | eth_reason.eq(""), eth_reason
    )
    frame = result.drop(columns=[_RAW, _RAW_NULL, _REASON]).assign(
        **{_ETH_OUT: group.astype("str"), _REASON: first_reason}
    )
    metrics = ["n_rows", *spec.event_columns]
    frame[metrics] = frame[metrics].fillna(0)
    result = (
        frame.groupby([*spec.strata, *spec.null_flags, _REASON], dropna=False, sort=False)[metrics]
        .sum()
        .reset_index()
    )
    return _tidy(result, spec, reasons)


def _raise_first_invalid(src: _Source, spec: _Spec, result: pd.DataFrame, invalid: dict) -> None:
    """If the pass counted invalid values, locate the first and raise SchemaError."""
    reason = result[_REASON]
    bad = result[reason.isin(list(invalid))]
    for key in invalid:
        n = int(bad.loc[bad[_REASON] == key, "n_rows"].sum()) if len(bad) else 0
        if n:
            _raise_invalid(src, spec, invalid[key][1], n)


def _tidy(result: pd.DataFrame, spec: _Spec, reasons: list[str]) -> StratifiedCounts:
    is_included = result[_REASON].fillna("").astype("str").eq("")
    included = result[is_included].drop(columns=_REASON)
    excluded = result[~is_included]
    by_reason = excluded.groupby(_REASON)["n_rows"].sum()
    exclusions = pd.DataFrame(
        {
            "reason": pd.Series(reasons, dtype="str"),
            "n_rows": pd.Series([int(by_reason.get(r, 0)) for r in reasons], dtype="int64"),
        }
    )
    extra = [r for r in by_reason.index if r not in reasons]
    if extra:  # cannot happen: every reason is listed; kept so that nothing is ever lost
        exclusions = pd.concat(
            [exclusions, pd.DataFrame({"reason": extra, "n_rows": by_reason[extra].to_numpy()})],
            ignore_index=True,
        )
    value_columns = ["n_rows", *spec.event_columns]
    if spec.person is not None:
        value_columns.append("n_people")
    counts = included[[*spec.strata, *value_columns]].copy()
    for c in value_columns:
        counts[c] = counts[c].fillna(0).astype("int64")
    for s in spec.keep_missing:
        is_null = included[_null_flag(s)].fillna(True).astype(bool).to_numpy()
        if is_null.any():
            counts[s] = counts[s].astype(object).where(~is_null, None)
    if _ETH_OUT in spec.strata:
        order = _group_order(spec, counts[_ETH_OUT])
        counts[_ETH_OUT] = pd.Categorical(
            counts[_ETH_OUT].astype("str"), categories=order, ordered=True
        )
    if _AGE_OUT in spec.strata and spec.age_bands is not None:
        counts[_AGE_OUT] = pd.Categorical(
            counts[_AGE_OUT].astype("str"), categories=_age_labels(spec.age_bands), ordered=True
        )
    counts = counts.sort_values(spec.strata, kind="stable").reset_index(drop=True)
    n_excluded = int(exclusions["n_rows"].sum())
    logger.info(
        "stratified_counts: %d strata, %d rows counted, %d excluded%s",
        len(counts),
        int(counts["n_rows"].sum()),
        n_excluded,
        "".join(
            f"; {r}: {n}" for r, n in zip(exclusions.reason, exclusions.n_rows, strict=True) if n
        ),
    )
    return StratifiedCounts(counts, exclusions)


def _group_order(spec: _Spec, values: pd.Series) -> list[str]:
    if spec.harmonise_to is None:
        return sorted(values.dropna().astype("str").unique())
    order = list(ethnicity.labels(spec.harmonise_to))
    seen = [v for v in values.dropna().astype("str").unique() if v not in order]
    return order + sorted(seen)
