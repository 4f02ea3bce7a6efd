"""Record-level preparation shared by the maternity and mental health workstreams (private).

Adds the harmonised ethnic group and a recording status to record-level extracts (or to records
counted by stratum inside a database engine), selects a region, and tabulates the rows excluded
from an analysis, so that nothing is dropped silently.

Every function returns what it found: rows an engine could not count come back beside the counts
(:class:`CountedRecords`), never in ``DataFrame.attrs``.

:data:`DOCS` and :data:`COMPLETENESS_DOC` hold the numpydoc text that the two workstreams' record
steps share (for :func:`rhoresearch.docstrings.fill_docs`).
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from rhoresearch import config, ethnicity
from rhoresearch.data import aggregate
from rhoresearch.exceptions import DataQualityWarning, InputError
from rhoresearch.results import EXCLUSION_COLUMNS as RESULT_COLUMNS
from rhoresearch.results import exclusions_table
from rhoresearch.validation import require_columns, slug, slugs
from rhoresearch.workstreams import _completeness, _grouping

logger = logging.getLogger(__name__)

#: High-level groups compared (every group but "Not stated" and "Not known"), in display order.
GROUPS = _grouping.group_order("high_level")

#: Columns of a data-quality exclusions table shown in a report (the one layout plus two).
EXCLUSION_COLUMNS = [*RESULT_COLUMNS, "percent", "applies_to"]

#: One exclusion step: ``(step, reason, rows, applies_to)``.
Step = tuple[str, str, int, str]

#: Numpydoc text shared by the record steps of the maternity and mental health workstreams: the
#: fields of their docstrings (:func:`rhoresearch.docstrings.fill_docs`).
DOCS = {
    "region": """region : str, default "England"
    ``"England"`` keeps every record; otherwise the region name or code to keep (matched
    against ``region_name`` and ``region_code`` by :func:`rhoresearch.validation.slug`, so
    case and punctuation do not matter).""",
    "engine": """The record-level step of :func:`prepare` for extracts too large for pandas: the records are
counted where they are, by :func:`rhoresearch.data.aggregate.stratified_counts` (DuckDB reads a
Parquet or CSV file without loading it; a Spark DataFrame or ``"spark:<db.table>"`` is
counted by Spark), and only one row per stratum comes back.""",
    "source": """source : path, ``"spark:<db.table>"``, DataFrame, Ibis table or Spark DataFrame
    Records with the columns of {schemas} (paths relative to the
    project root are resolved). Not modified.""",
    "connection": """connection : ibis backend, optional
    The engine, as for :func:`rhoresearch.data.aggregate.stratified_counts` (default: a new
    DuckDB connection for a file or frame, its memory capped at
    :data:`rhoresearch.data.aggregate.DEFAULT_MEMORY_LIMIT`, spilling to disk beyond; give
    ``aggregate.duckdb_connection(...)`` to change the limits).""",
    "records": """records : DataFrame
    Output of ``prepare`` or the ``counts`` of ``counts_from_source``. Not modified.""",
    "excluded": """excluded : DataFrame, optional
    The ``exclusions`` of ``counts_from_source``: rows the engine could not count
    ({lost}; added to the total and listed after it).""",
    "dataset": """dataset : str, optional
    A name for the records (``{dataset_example}``): given, a first column ``dataset`` holds it,
    so that the tables of several datasets can be stacked.""",
}

#: The docstring of the workstreams' ``ethnicity_completeness`` (fields: ``by_default``,
#: ``count``, and those of :data:`DOCS`).
COMPLETENESS_DOC = """Ethnic category recording status by ``by`` (records or counted records).

Parameters
----------
{records}
by : str or list of str, default {by_default}
    Grouping columns.
{count}
confidence : float, default 0.95
    Level of the Wilson intervals.

Returns
-------
DataFrame
    As :func:`rhoresearch.workstreams._completeness.completeness`: ``by``, ``status``,
    ``status_label``, ``numerator``, ``denominator``, ``value``, ``lower_ci``, ``upper_ci``,
    ``confidence``, ``statistic``, ``method``, ``note``; the same for records and for counted
    records.

References
----------
Scobie S, Spencer J, Raleigh V (2021). Ethnicity coding in English health service datasets.
Nuffield Trust.
"""


class CountedRecords(NamedTuple):
    """Records counted by stratum in an engine, and the rows the engine could not count.

    Attributes
    ----------
    counts : pandas.DataFrame
        One row per stratum (see the workstream's ``counts_from_source``).
    exclusions : pandas.DataFrame
        ``step`` (``"records"``), ``reason`` (e.g. ``"maternal_deaths missing (not counted)"``),
        ``rows``, ``applies_to`` (``"every analysis"``): one row per reason with at least one row
        (usually none). Give it to the workstream's ``exclusions(..., excluded=...)``.
    """

    counts: pd.DataFrame
    exclusions: pd.DataFrame


def unmapped_values(values: pd.Series, *, chinese: str) -> list[object]:
    """The distinct values of ``values`` that are not an ethnic category (invalid codes).

    :func:`rhoresearch.ethnicity.unmapped` of the distinct values (each is read once); blank and
    missing values are not invalid (they are "not known").
    """
    distinct = pd.Series(pd.unique(values.dropna()), dtype=object)
    return list(ethnicity.unmapped(distinct, to="high_level", chinese=chinese))


def add_ethnic_group(
    records: pd.DataFrame,
    *,
    ethnicity_column: str,
    unknown: str,
    chinese: str,
    func: str,
) -> pd.DataFrame:
    """Return a copy with ``ethnic_group`` (high level) and ``ethnicity_status`` columns.

    ``ethnicity_status`` is ``recorded``, ``not stated``, ``not known`` or ``invalid code``;
    ``unknown="reference"`` counts records without a usable group with White (the MBRRACE-UK
    convention), ``"exclude"`` leaves their group missing.
    """
    require_columns(records, [ethnicity_column], func=func)
    if unknown not in ("exclude", "reference"):
        raise InputError(f"{func}: unknown must be 'exclude' or 'reference', got {unknown!r}")
    raw = records[ethnicity_column]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        group = ethnicity.harmonise(raw, to="high_level", errors="not_known", chinese=chinese)
    unmapped = unmapped_values(raw, chinese=chinese)
    invalid = raw.isin(unmapped).to_numpy() if unmapped else np.zeros(len(raw), dtype=bool)
    if unmapped:
        logger.info(
            "%s: %d row(s) with %d invalid ethnic category value(s) counted as not known",
            func,
            int(invalid.sum()),
            len(unmapped),
        )
    status = pd.Series("recorded", index=records.index, dtype="str")
    status = status.mask(group.eq(ethnicity.NOT_STATED).to_numpy(), "not stated")
    status = status.mask(group.eq(ethnicity.NOT_KNOWN).to_numpy(), "not known")
    if unmapped:
        status = status.mask(invalid, "invalid code")
    if unknown == "reference":
        # MBRRACE-UK convention: records with no usable ethnicity are counted with White
        values = group.astype("str").where(status.eq("recorded"), "White")
        group = pd.Series(
            pd.Categorical(values, categories=GROUPS, ordered=True), index=records.index
        )
    else:
        group = group.cat.set_categories(GROUPS, ordered=True)
    return records.assign(ethnic_group=group, ethnicity_status=status)


def recording_completeness(
    records: pd.DataFrame,
    *,
    weight: pd.Series | None,
    by: str | Sequence[str],
    confidence: float,
) -> pd.DataFrame:
    """Ethnic category recording status of prepared or counted records (``ethnic_category``).

    ``weight``: records per row of counted records (its name is the column), None for records;
    the table is :func:`rhoresearch.workstreams._completeness.completeness`'s.
    """
    return _completeness.completeness(
        records,
        code="ethnic_category",
        by=by,
        weight=None if weight is None else str(weight.name),
        confidence=confidence,
    )


def weights(records: pd.DataFrame, weight: pd.Series | None) -> np.ndarray:
    """Records per row: ``weight`` (counted records) as integers, else one for each record."""
    return np.ones(len(records), dtype="int64") if weight is None else weight.to_numpy()


def exclusions(
    records: pd.DataFrame,
    *,
    weight: pd.Series | None,
    excluded: pd.DataFrame | None,
    unknown: str,
    later: Sequence[Step],
    dataset: str | None,
) -> pd.DataFrame:
    """Data-quality table of prepared or counted records: the total, then each step's rows left out.

    The rows, in order: the total (records in ``records``, counted by ``weight``, plus the rows
    the engine could not count), those rows (:func:`engine_steps` of ``excluded``), the
    ethnicity steps (:func:`ethnicity_steps`), then the workstream's own ``later`` steps. The
    columns are :data:`EXCLUSION_COLUMNS` (``percent`` of the total), after a first column
    ``dataset`` when ``dataset`` is given.
    """
    engine = engine_steps(excluded)
    total = int(weights(records, weight).sum()) + sum(n for _, _, n, _ in engine)
    steps = [
        ("records", "records in the extract (after region selection)", total, ""),
        *engine,
        *ethnicity_steps(records, unknown=unknown, weight=weight),
        *later,
    ]
    frame = exclusions_table(steps, applies_to=True)
    frame["percent"] = (frame["rows"] / total * 100.0) if total else float("nan")
    table = frame[EXCLUSION_COLUMNS].reset_index(drop=True)
    if dataset is not None:
        table.insert(0, "dataset", dataset)
    return table


def engine_steps(excluded: pd.DataFrame | None) -> list[Step]:
    """Steps of the rows an engine could not count (:attr:`CountedRecords.exclusions`)."""
    if excluded is None:
        return []
    require_columns(excluded, RESULT_COLUMNS, func="exclusions", what="exclusions column")
    applies = (
        excluded["applies_to"]
        if "applies_to" in excluded.columns
        else pd.Series("", index=excluded.index)
    )
    return [
        (str(s), str(r), int(n), str(a))
        for s, r, n, a in zip(
            excluded["step"], excluded["reason"], excluded["rows"], applies, strict=True
        )
    ]


def ethnicity_steps(
    data: pd.DataFrame, *, unknown: str, weight: pd.Series | None = None
) -> list[Step]:
    """Exclusion steps for the ethnicity recording status of prepared records.

    ``weight``: records per row, for counted rows (:func:`counted_records`); default 1 each.
    """
    if weight is None:
        counts = data["ethnicity_status"].value_counts()
    else:
        counts = weight.groupby(data["ethnicity_status"].to_numpy()).sum()
    applies = (
        "every indicator by ethnic group"
        if unknown == "exclude"
        else "none: counted with White (MBRRACE-UK convention)"
    )
    reasons = {
        "not stated": "ethnic category not stated (Z)",
        "not known": "ethnic category not known (99, X, blank or missing)",
        "invalid code": "ethnic category not a valid code",
    }
    return [
        ("ethnicity", reasons[s], int(counts.get(s, 0)), applies)
        for s in ("not stated", "not known", "invalid code")
    ]


def is_england(region: str | None) -> bool:
    """Whether ``region`` means every record (``None`` or ``"England"``, any case)."""
    return region is None or str(region).strip().lower() == "england"


def select_region(records: pd.DataFrame, *, region: str | None, func: str) -> pd.DataFrame:
    """Rows of ``records`` in ``region`` (``"England"``: all), by region name or code.

    Matching compares :func:`rhoresearch.validation.slug` of both sides, so ``"north-west"``
    selects ``"North West"``.
    """
    if is_england(region):
        return records
    require_columns(records, ["region_name", "region_code"], func=func)
    want = slug(region)
    keep = slugs(records["region_name"]).eq(want) | slugs(records["region_code"]).eq(want)
    keep = keep.fillna(False).to_numpy(dtype=bool)
    if not keep.any():
        known = sorted(records["region_name"].dropna().unique().tolist())
        raise InputError(f"{func}: no record in region {region!r}; the regions are {known}")
    logger.info("%s: %d of %d records in region %s", func, keep.sum(), len(records), region)
    return records.loc[keep]


def choose_label(labels: Sequence[str], wanted: object, *, func: str, what: str) -> str:
    """``wanted`` when it is one of ``labels`` (periods, years in the data); ``"latest"``: the last.

    ``"latest"`` is read in any case and padding. Raises :class:`InputError` naming ``what``
    (``"period"``, ``"financial year"``) when there is no label or ``wanted`` is not one of them
    (the message lists those that are).
    """
    if not labels:
        raise InputError(f"{func}: no {what} is available")
    if str(wanted).strip().lower() == "latest":
        return labels[-1]
    if str(wanted) not in labels:
        raise InputError(f"{func}: {what} {wanted!r} is not available; choose from {list(labels)}")
    return str(wanted)


def resolve_source(source: Any) -> Any:
    """A path relative to the project root made absolute; any other source unchanged."""
    if isinstance(source, str | Path) and not str(source).startswith("spark:"):
        return config.resolve_path(source)
    return source


# ---------------------------------------------------------------------------------------------
# Record-level sources too large for pandas: counted rows from rhoresearch.data.aggregate
# ---------------------------------------------------------------------------------------------


def counted_records(
    source: Any,
    *,
    strata: list[str],
    events: dict[str, str],
    weight: str,
    ethnicity_column: str,
    region: str | None,
    unknown: str,
    chinese: str,
    func: str,
    dtypes: dict[str, str] | None = None,
    age_column: str | None = None,
    connection: Any = None,
) -> CountedRecords:
    """One row per distinct combination of raw ethnicity and ``strata``, with record counts.

    The records are counted by :func:`rhoresearch.data.aggregate.stratified_counts` inside the engine
    (DuckDB for a file or frame, Spark for a Spark DataFrame or ``"spark:<table>"``), grouped by
    the ethnic category *as recorded* and the strata, missing values kept as strata of their own,
    so that the region selection, the harmonised group and the recording status are then added
    to the small result exactly as :func:`add_ethnic_group` adds them to records. ``weight`` is
    the column with the number of records of each row; ``events`` maps output names to the flag
    columns summed.

    Returns
    -------
    CountedRecords
        ``counts`` (the rows described above) and ``exclusions``: the rows the engine had to
        leave out (a missing event flag, an age out of range), one row per reason with at least
        one row, in the exclusions layout with ``applies_to``.
    """
    source = resolve_source(source)
    strata = list(dict.fromkeys([ethnicity_column, "region_name", "region_code", *strata]))
    keep_missing = list(strata)
    options: dict[str, Any] = {}
    if age_column is not None:
        options = {"age_column": age_column, "age_bands": "esp2013"}
        keep_missing.append("age_band")
    counts, excluded = aggregate.stratified_counts(
        source,
        connection=connection,
        strata=strata,
        events=events,
        ethnicity_column=None,
        keep_missing=keep_missing,
        dtypes=dtypes,
        **options,
    )
    counts = counts.rename(columns={"n_rows": weight})
    for col in counts.columns:
        if col in (weight, *events):
            continue
        if col in (dtypes or {}):
            counts[col] = pd.to_numeric(counts[col]).astype("Int64")
        elif col != "age_band":
            counts[col] = counts[col].astype("str")
    selected = select_region(counts, region=region, func=func)
    out = add_ethnic_group(
        selected, ethnicity_column=ethnicity_column, unknown=unknown, chinese=chinese, func=func
    ).reset_index(drop=True)
    lost = [(r, int(n)) for r, n in zip(excluded["reason"], excluded["n_rows"], strict=True) if n]
    if lost:
        logger.warning("%s: rows excluded while counting: %s", func, lost)
    exclusions = exclusions_table(
        [("records", f"{reason} (not counted)", n, "every analysis") for reason, n in lost],
        applies_to=True,
    )
    return CountedRecords(out, exclusions)


def plain_keys(frame: pd.DataFrame, keys: Sequence[str]) -> pd.DataFrame:
    """A copy of ``frame`` with its categorical ``keys`` as strings (for merges on them)."""
    out = frame.copy()
    for c in keys:
        if isinstance(out[c].dtype, pd.CategoricalDtype):
            out[c] = out[c].astype("str")
    return out
