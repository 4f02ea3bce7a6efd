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

**Record-level data.** :mod:`rhoresearch.data.aggregate` (imported on its own: it loads the
engines) counts records, events and people by stratum inside DuckDB or Spark
(:func:`~rhoresearch.data.aggregate.stratified_counts`).

Modules
-------
``schemas``
    :func:`column`, :func:`dataset_schema`, :func:`row_rule` (declaring a dataset: one
    declaration, enforced on pandas by ``load`` and in the engines by ``rules``).
``loading``
    :func:`load`, :data:`NA_VALUES` (reading, converting, validating; the one SchemaError).
``reference``
    :func:`reference_catalogue`, :func:`reference_path`, :func:`load_reference`,
    :func:`verify_reference_catalogue`.
``aggregate``
    :func:`~rhoresearch.data.aggregate.stratified_counts` and the engines it runs on.
``rules`` (imported on its own, like ``aggregate``)
    :func:`~rhoresearch.data.rules.validate_source`, :func:`~rhoresearch.data.rules.declared`:
    the same schema enforced inside DuckDB or Spark, without loading records into pandas.


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

from rhoresearch.data.loading import NA_VALUES, load
from rhoresearch.data.reference import (
    load_reference,
    reference_catalogue,
    reference_path,
    verify_reference_catalogue,
)
from rhoresearch.data.schemas import column, dataset_schema, row_rule

__all__ = [
    "NA_VALUES",
    "column",
    "dataset_schema",
    "row_rule",
    "load",
    "reference_catalogue",
    "reference_path",
    "load_reference",
    "verify_reference_catalogue",
]
