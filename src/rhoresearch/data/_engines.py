"""The engines record-level data is aggregated on, and opening a source on one of them.

DuckDB (the default) reads Parquet and CSV files directly, a column at a time and in parallel,
spilling to disk beyond :data:`DEFAULT_MEMORY_LIMIT`; pandas DataFrames and Ibis tables run on it
too. A ``pyspark.sql.DataFrame`` (or ``"spark:<database>.<table>"``, a table of the active Spark
session) runs on Spark through Ibis's PySpark backend: PySpark is the optional extra
``rhoresearch[spark]`` and needs a Java runtime (:func:`java_runtime`, :data:`JAVA_HINT`).

:func:`open_source` turns what a caller passed into a :class:`Source` (the Ibis table and the
backend that executes it); :class:`engine_errors` turns an engine's read error on a file into a
:class:`~rhoresearch.exceptions.SchemaError` naming the line.

References
----------
DuckDB configuration options: https://duckdb.org/docs/configuration/overview. Ibis project,
https://ibis-project.org. Apache Spark, https://spark.apache.org.
"""

from __future__ import annotations

import csv
import gzip
import os
import re
import shutil
import subprocess
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.types as ir
import pandas as pd
from ibis.backends import BaseBackend

from rhoresearch import provenance
from rhoresearch.exceptions import InputError, SchemaError

__all__ = [
    "DEFAULT_MEMORY_LIMIT",
    "Declared",
    "JAVA_HINT",
    "Source",
    "csv_options",
    "duckdb_connection",
    "engine_errors",
    "java_runtime",
    "open_source",
    "record_inputs",
]

#: How to get the Java runtime Spark needs (printed by ``scripts/check_java.py`` and ``make``).
JAVA_HINT = (
    "Spark needs a Java runtime (17 or newer). Install one with "
    "'sudo apt-get install default-jre-headless' (Debian/Ubuntu), "
    "'brew install openjdk@17' (macOS) or 'conda install -c conda-forge openjdk=17', "
    "or set JAVA_HOME to an existing JDK. Everything else (DuckDB) works without it."
)

#: DuckDB's memory cap for the connections this layer makes: beyond it, DuckDB spills to disk. Without
#: a cap DuckDB takes up to 80% of the machine's memory (12.7 GB was seen counting distinct people in
#: 100M rows on a 24 GB machine); 3 GB keeps a laptop usable and costs little time.
DEFAULT_MEMORY_LIMIT = "3GB"

_PARQUET_SUFFIXES = (".parquet", ".pq", ".parq")
_CSV_SUFFIXES = (".csv", ".csv.gz", ".tsv", ".tsv.gz", ".txt")
_SPARK_PREFIX = "spark:"


@dataclass(frozen=True)
class Declared:
    """A source and the schema its records must satisfy (:func:`rhoresearch.data.rules.declared`).

    Whatever reads it (:func:`~rhoresearch.data.aggregate.stratified_counts`) enforces the schema
    in the same pass; ``references`` maps the datasets the schema refers to onto their sources.
    """

    source: Any
    schema: Any  # pandera.DataFrameSchema (not imported here: the engines do not need pandera)
    references: Mapping[str, Any] = field(default_factory=dict)


@dataclass
class Source:
    """An opened source: the Ibis table, the connection that runs it, and how to name it."""

    table: ir.Table
    backend: Any
    label: str
    kind: str  # "parquet" | "csv" | "pandas" | "spark" | "ibis"
    path: Path | None = None
    frame: pd.DataFrame | None = None
    cleanup: list[Callable[[], None]] = field(default_factory=list)
    declared: Declared | None = None  # the schema to enforce while reading it


def duckdb_connection(
    *,
    threads: int | None = None,
    memory_limit: str | None = DEFAULT_MEMORY_LIMIT,
    temp_directory: str | os.PathLike | None = None,
) -> BaseBackend:
    """Return a new in-process DuckDB connection (an Ibis backend) for :func:`~rhoresearch.data.aggregate.stratified_counts`.

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
        Pass it as ``connection=`` to :func:`~rhoresearch.data.aggregate.stratified_counts` to run several aggregations
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


def _spark_table(name: str) -> Any:
    """The Spark table ``name`` of the active Spark session (for ``"spark:<table>"`` sources)."""
    try:
        # Imported here, not at module level: PySpark is the optional extra rhoresearch[spark]
        # and needs a Java runtime; DuckDB sources must work without it.
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


def _is_spark_frame(obj: object) -> bool:
    module = type(obj).__module__ or ""
    return module.startswith("pyspark.sql") and hasattr(obj, "createOrReplaceTempView")


def open_source(
    source: Any, *, connection: BaseBackend | None, checked_columns: Sequence[str]
) -> Source:
    """Turn whatever the caller passed into an Ibis table and the backend that executes it."""
    if isinstance(source, Declared):
        columns = [*checked_columns, *source.schema.columns]
        opened = open_source(source.source, connection=connection, checked_columns=columns)
        opened.declared = source
        return opened
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
            with engine_errors(str(path)):
                table = con.read_parquet(target)
            return Source(table, con, str(path), "parquet", path=path)
        if name.endswith(_CSV_SUFFIXES):
            # Every column is read as text and converted by the checks below, so that the types
            # (and the errors) never depend on which rows the CSV sniffer happened to sample.
            with engine_errors(str(path)):
                if on_duckdb:
                    table = con.read_csv(str(path), **csv_options(path))
                else:
                    table = con.read_csv(str(path), header=True)
            return Source(table, con, str(path), "csv", path=path)
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
        return Source(table, con, "the DataFrame", "pandas", frame=frame)
    if _is_spark_frame(source):
        session = source.sparkSession
        con = connection if connection is not None else ibis.pyspark.connect(session)
        view = f"rhoresearch_{uuid.uuid4().hex}"
        source.createOrReplaceTempView(view)
        table = con.table(view)
        return Source(
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
        return Source(source, con, "the Ibis table", "ibis")
    raise InputError(
        "stratified_counts: source must be a path to a Parquet or CSV file, a pandas DataFrame, "
        f"an Ibis table or a Spark DataFrame; got {type(source).__name__}"
    )


def csv_options(path: Path) -> dict:
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


class engine_errors:
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


def record_inputs(path: Path) -> None:
    """Record the file(s) read in the report's manifest (path, bytes, sha256)."""
    files = sorted(path.rglob("*.parquet")) if path.is_dir() else [path]
    for file in files:
        provenance.record_input(file)
