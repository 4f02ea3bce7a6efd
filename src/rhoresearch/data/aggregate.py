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

A source given as :func:`rhoresearch.data.rules.declared` ``(source, schema=...)`` also has its
dataset's declared rules enforced in the same pass (allowed values, ranges, nullability, rules
over several columns as flag columns of the query; unique ids and references to another dataset
by one small query each): the :class:`~rhoresearch.exceptions.SchemaError` of
:func:`rhoresearch.data.rules.validate_source` is raised before any count is returned.

Modules: this one holds the public function and the tidying of its result;
:mod:`~rhoresearch.data._engines` the engines (DuckDB, Spark) and opening a source;
:mod:`~rhoresearch.data._spec` the options; :mod:`~rhoresearch.data._query` the Ibis expression;
:mod:`~rhoresearch.data._checks` the in-engine checks and the errors they raise.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

import ibis.expr.types as ir
import pandas as pd
from ibis.backends import BaseBackend

from rhoresearch import ethnicity
from rhoresearch.data import rules
from rhoresearch.data._checks import build_checks, raise_first_invalid, raise_unknown
from rhoresearch.data._engines import (
    DEFAULT_MEMORY_LIMIT,
    JAVA_HINT,
    Source,
    duckdb_connection,
    engine_errors,
    java_runtime,
    open_source,
    record_inputs,
)
from rhoresearch.data._query import build_expression
from rhoresearch.data._spec import (
    AGE_OUT,
    ESP2013_AGE_BANDS,
    ETH_OUT,
    INVALID_PREFIX,
    RAW,
    RAW_NULL,
    REASON,
    REASON_INVALID_CODE,
    REASON_NOT_KNOWN,
    REASON_NOT_STATED,
    Spec,
    age_labels,
    make_spec,
    null_flag,
)
from rhoresearch.exceptions import InputError, SchemaError

__all__ = [
    "DEFAULT_MEMORY_LIMIT",
    "ESP2013_AGE_BANDS",
    "JAVA_HINT",
    "REASON_INVALID_CODE",
    "REASON_NOT_KNOWN",
    "REASON_NOT_STATED",
    "StratifiedCounts",
    "duckdb_connection",
    "java_runtime",
    "stratified_counts",
]

logger = logging.getLogger(__name__)


class StratifiedCounts(NamedTuple):
    """The two tables :func:`stratified_counts` returns (unpack as ``counts, exclusions = ...``)."""

    counts: pd.DataFrame
    exclusions: pd.DataFrame


# ---------------------------------------------------------------------------------------------
# Public function
# ---------------------------------------------------------------------------------------------


def stratified_counts(
    source: Any,
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
    connection: BaseBackend | None = None,
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
        ..., 85-89, 90+, as :func:`rhoresearch.stats.dsr` expects). Adds ``age_band``.
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
    spec = make_spec(
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
    src = open_source(source, connection=connection, checked_columns=checked)
    if src.path is not None:
        record_inputs(src.path)
    try:
        return _run(src, spec)
    finally:
        for fn in src.cleanup:
            try:
                fn()
            except Exception:  # best-effort clean-up of a temporary view
                logger.debug("could not drop a temporary view", exc_info=True)


def _enforcement(src: Source) -> tuple[rules.Enforcement | None, ir.Table, list[str]]:
    """The declared schema's enforcement, the table with its rule flags, and the flag names."""
    if src.declared is None:
        return None, src.table, []
    others = {}
    for name, other in src.declared.references.items():
        opened = open_source(other, connection=src.backend, checked_columns=[])
        src.cleanup.extend(opened.cleanup)
        if opened.path is not None:
            record_inputs(opened.path)
        others[name] = opened
    enforcement = rules.Enforcement(src, src.declared.schema, others)
    if enforcement.by_filters:  # DuckDB on Parquet or a frame: cheap filtered counts, first
        enforcement.finish(enforcement.filter_counts())
        return None, src.table, []
    table, flags = enforcement.flag_table(src.table)
    return enforcement, table, flags


def _enforce(enforcement: rules.Enforcement | None, result: pd.DataFrame, flags: list[str]) -> None:
    """Raise the declared schema's error if the pass flagged a row (or a unique value repeats)."""
    if enforcement is not None:
        enforcement.finish({f: int(pd.to_numeric(result[f]).fillna(0).sum()) for f in flags})


def _run(src: Source, spec: Spec) -> StratifiedCounts:
    enforcement, t, flags = _enforcement(src)
    file_label = src.label if src.kind in ("parquet", "csv") else None
    missing = [c for c in spec.source_columns() if c not in t.columns]
    if missing:
        raise SchemaError(f"{src.label}: column(s) {missing} not found; it has {list(t.columns)}")
    if spec.age_bands is not None and AGE_OUT in t.columns:
        raise InputError(
            f"stratified_counts: {src.label} already has an {AGE_OUT!r} column; pass age_bands "
            "only to make bands from ages in years (or list 'age_band' in strata to use it)"
        )
    logger.info(
        "stratified_counts: %s on %s by %s; events %s",
        src.label,
        src.backend.name,
        spec.strata,
        list(spec.event_columns),
    )
    try:  # a column of a type that cannot be checked fails here, before any pass over the data
        build_checks(t, spec)
    except SchemaError as exc:
        raise SchemaError(f"{src.label}: {exc}") from exc

    column, scheme = spec.ethnicity_column, spec.harmonise_to
    if column is not None and scheme is not None and spec.person is None:
        return _run_raw(
            src,
            spec,
            file_label,
            column=column,
            scheme=scheme,
            table=t,
            flags=flags,
            enforcement=enforcement,
        )
    mapping = None
    if column is not None and scheme is not None:
        with engine_errors(file_label):
            distinct = src.backend.execute(
                t.select(column, _rho_null=t[column].isnull()).distinct()
            )
        # nulls are told apart by the flag: a backend may return a null text value as "NaN"
        values = distinct.loc[~distinct["_rho_null"].astype(bool), column]
        mapping, unmapped = _ethnicity_mapping(values, spec, scheme=scheme)
        logger.info(
            "stratified_counts: %d distinct ethnicity value(s), %d unmapped",
            len(values),
            len(unmapped),
        )
        if unmapped and spec.errors == "raise":
            raise_unknown(src, spec, unmapped, column)
        # the mapping's raw column must have the source column's type for the join
        mapping = mapping.astype({"_rho_eth_raw": distinct[column].dtype})

    expr, reasons, invalid = build_expression(t, spec, mapping, flags)
    with engine_errors(file_label):
        result = src.backend.execute(expr)
    _enforce(enforcement, result, flags)
    raise_first_invalid(src, spec, result, invalid)
    return _tidy(result, spec, reasons)


def _run_raw(
    src: Source,
    spec: Spec,
    file_label: str | None,
    *,
    column: str,
    scheme: str,
    table: ir.Table,
    flags: list[str],
    enforcement: rules.Enforcement | None,
) -> StratifiedCounts:
    """One pass without person counts: group by the raw ethnicity, harmonise the small result.

    Records and event sums add up across the spellings of a group, so grouping by the raw value
    in the engine and mapping the distinct values afterwards gives the same counts as the join,
    with one scan of the data instead of two. (Distinct people do not add up: with ``person``
    the mapping is joined in the engine instead.)
    """
    expr, reasons, invalid = build_expression(table, spec, "raw", flags)
    with engine_errors(file_label):
        result = src.backend.execute(expr)
    _enforce(enforcement, result, flags)
    # nulls are told apart by the flag: a backend may return a null text value as "NaN"
    is_null = result[RAW_NULL].astype(bool).to_numpy()
    values = result.loc[~is_null, RAW].drop_duplicates()
    mapping, unmapped = _ethnicity_mapping(values, spec, scheme=scheme)
    logger.info(
        "stratified_counts: %d distinct ethnicity value(s), %d unmapped", len(values), len(unmapped)
    )
    if unmapped and spec.errors == "raise":
        raise_unknown(src, spec, unmapped, column)
    raise_first_invalid(src, spec, result, invalid)

    raw = result[RAW].astype(object).where(~is_null, None)
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
    engine_reason = result[REASON].fillna("").astype("str")
    first_reason = engine_reason.where(
        engine_reason.str.startswith(INVALID_PREFIX) | eth_reason.eq(""), eth_reason
    )
    frame = result.drop(columns=[RAW, RAW_NULL, REASON, *flags]).assign(
        **{ETH_OUT: group.astype("str"), REASON: first_reason}
    )
    metrics = ["n_rows", *spec.event_columns]
    frame[metrics] = frame[metrics].fillna(0)
    result = (
        frame.groupby([*spec.strata, *spec.null_flags, REASON], dropna=False, sort=False)[metrics]
        .sum()
        .reset_index()
    )
    return _tidy(result, spec, reasons)


def _tidy(result: pd.DataFrame, spec: Spec, reasons: list[str]) -> StratifiedCounts:
    is_included = result[REASON].fillna("").astype("str").eq("")
    included = result[is_included].drop(columns=REASON)
    excluded = result[~is_included]
    by_reason = excluded.groupby(REASON)["n_rows"].sum()
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
        is_null = included[null_flag(s)].fillna(True).astype(bool).to_numpy()
        if is_null.any():
            counts[s] = counts[s].astype(object).where(~is_null, None)
    if ETH_OUT in spec.strata:
        order = _group_order(spec, counts[ETH_OUT])
        counts[ETH_OUT] = pd.Categorical(
            counts[ETH_OUT].astype("str"), categories=order, ordered=True
        )
    if AGE_OUT in spec.strata and spec.age_bands is not None:
        counts[AGE_OUT] = pd.Categorical(
            counts[AGE_OUT].astype("str"), categories=age_labels(spec.age_bands), ordered=True
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


def _group_order(spec: Spec, values: pd.Series) -> list[str]:
    if spec.harmonise_to is None:
        return sorted(values.dropna().astype("str").unique())
    order = list(ethnicity.labels(spec.harmonise_to))
    seen = [v for v in values.dropna().astype("str").unique() if v not in order]
    return order + sorted(seen)


# ---------------------------------------------------------------------------------------------
# Ethnicity: distinct values -> harmonise (Python) -> mapping table joined in the engine
# ---------------------------------------------------------------------------------------------


def _ethnicity_mapping(values: pd.Series, spec: Spec, *, scheme: str) -> tuple[pd.DataFrame, list]:
    """Map distinct non-null raw values to ``scheme``; return (mapping frame, unmapped values)."""
    values = values.reset_index(drop=True)
    report = ethnicity.harmonise_report(values, to=scheme, **spec.harmonise_options)
    status = dict(zip(report["input_value"], report["status"], strict=True))
    unmapped = [v for v in values if status.get(v) == "unmapped"]
    unmapped_set = set(unmapped)
    # every value left maps, so harmonise neither raises nor warns (the counts of the unmapped
    # values are those of the records, reported by the caller, not of the distinct values)
    mapped = ethnicity.harmonise(
        values[~values.isin(unmapped)], to=scheme, **spec.harmonise_options
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
