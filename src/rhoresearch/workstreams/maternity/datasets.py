"""Workstream 5 inputs: the record-level schemas, and records prepared or counted for analysis.

- :data:`MATERNITIES` and :data:`BIRTHS`: the schemas of the two record-level inputs (one row per
  maternity, one row per baby), for :func:`rhoresearch.data.load`;
- :func:`prepare`: harmonised ethnic group and recording status added to each record, an optional
  region selection, nothing dropped;
- :func:`counts_from_source`: the same, counted inside a database engine from a file of any size
  or a Spark table (one row per stratum instead of per record), with the rows the engine could
  not count beside them.

References
----------
MBRRACE-UK. Saving Lives, Improving Mothers' Care (definitions of maternal death and maternities);
MBRRACE-UK Perinatal Mortality Surveillance technical manual (births, stillbirths, neonatal deaths).
NHS Data Dictionary, ETHNIC CATEGORY.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from rhoresearch import data
from rhoresearch.data import rules
from rhoresearch.docstrings import fill_docs
from rhoresearch.exceptions import InputError
from rhoresearch.workstreams import _records
from rhoresearch.workstreams._records import CountedRecords

__all__ = [
    "AGE_BANDS",
    "IMD_QUINTILES",
    "GROUPS",
    "MATERNITIES",
    "BIRTHS",
    "CountedRecords",
    "prepare",
    "counts_from_source",
]

#: Mother's age bands, in display order.
AGE_BANDS = ("<20", "20-24", "25-29", "30-34", "35-39", "40+")
#: Index of Multiple Deprivation quintiles (1 = most deprived).
IMD_QUINTILES = (1, 2, 3, 4, 5)
#: High-level ethnic groups compared (NHS codes: Chinese under Other, as MBRRACE-UK does).
GROUPS = tuple(_records.GROUPS)

_COMMON = {
    "year": data.column("int", min=1990, max=2100, description="year of delivery"),
    "ethnic_category": data.column(
        "str", nullable=True, description="mother's ethnic category as recorded (NHS code)"
    ),
    "age_band": data.column("str", nullable=True, allowed=AGE_BANDS, description="mother's age"),
    "imd_quintile": data.column(
        "int", nullable=True, allowed=IMD_QUINTILES, description="IMD quintile, 1 most deprived"
    ),
    "region_code": data.column("str", nullable=True),
    "region_name": data.column("str", nullable=True),
}

#: One row per maternity (a woman giving birth to one or more babies from 24 weeks).
MATERNITIES = data.dataset_schema(
    "maternities",
    columns={
        "maternity_id": data.column("int", unique=True),
        **_COMMON,
        "number_of_babies": data.column("int", min=1, max=8),
        "maternal_death": data.column(
            "bool", description="died in pregnancy or within 42 days (direct/indirect causes)"
        ),
    },
    description="record-level maternities (MBRRACE-UK definition)",
)

#: One row per baby born from 24+0 weeks (live or stillborn), terminations excluded.
BIRTHS = data.dataset_schema(
    "births",
    columns={
        "birth_id": data.column("int", unique=True),
        "maternity_id": data.column("int"),
        "birth_order": data.column("int", min=1, max=8),
        **_COMMON,
        "stillbirth": data.column("bool", description="no signs of life, from 24+0 weeks"),
        "neonatal_death": data.column("bool", description="live born, died before 28 days"),
    },
    rules=[
        data.row_rule(
            lambda d: ~(d["stillbirth"] & d["neonatal_death"]),
            description="a neonatal death is a live birth: not both a stillbirth and a "
            "neonatal death",
            columns=["stillbirth", "neonatal_death"],
        )
    ],
    references={"maternity_id": "maternities.maternity_id"},
    description="record-level births (MBRRACE-UK perinatal surveillance definitions)",
)


@fill_docs(**_records.DOCS)
def prepare(
    records: pd.DataFrame,
    *,
    region: str = "England",
    ethnicity: str = "ethnic_category",
    unknown: str = "exclude",
    chinese: str = "other",
) -> pd.DataFrame:
    """Add the harmonised ethnic group and its recording status to maternity or birth records.

    Parameters
    ----------
    records : DataFrame
        Maternities or births (:data:`MATERNITIES`, :data:`BIRTHS`). Not modified.
    {region}
    ethnicity : str, default "ethnic_category"
        Column with the mother's ethnic category as recorded.
    unknown : {"exclude", "reference"}, default "exclude"
        Records whose ethnicity is not stated, not known or invalid: left without a group (and
        excluded from comparisons, counted by :func:`~rhoresearch.workstreams.maternity.exclusions`),
        or counted with White as MBRRACE-UK and ONS SDG 3.1.1 do ("White (inc. not known)").
    chinese : {"other", "asian"}, default "other"
        Where Chinese goes: "other" as MBRRACE-UK ("Chinese or other") and NHS codes do.

    Returns
    -------
    DataFrame
        The records (same rows, same index) with two more columns: ``ethnic_group`` (ordered
        categorical: Asian, Black, Mixed, White, Other; missing when not usable) and
        ``ethnicity_status`` (``recorded``, ``not stated``, ``not known``, ``invalid code``).

    Raises
    ------
    InputError
        If a column is missing, an option is not allowed, or no record is in ``region``.

    Notes
    -----
    Harmonisation is :func:`rhoresearch.ethnicity.harmonise` (NHS codes in any case or padding,
    Data Dictionary descriptions; ``Z`` not stated; ``99``, ``X`` and blanks not known). Invalid
    codes are counted as not known and logged. Rows outside ``region`` are not returned; how many
    were outside is logged (a selection, not an exclusion).

    References
    ----------
    NHS Data Dictionary, ETHNIC CATEGORY. MBRRACE-UK, Saving Lives, Improving Mothers' Care
    (groups and the "White (inc. not known)" convention).
    """
    func = "maternity.prepare"
    selected = _records.select_region(records, region=region, func=func)
    return _records.add_ethnic_group(
        selected, ethnicity_column=ethnicity, unknown=unknown, chinese=chinese, func=func
    )


#: How the records of each dataset are counted (options of ``_records.counted_records``): the
#: events summed (output name -> flag column) and the name of the record counts.
_SOURCES: dict[str, dict[str, Any]] = {
    "maternities": {"events": {"maternal_deaths": "maternal_death"}, "weight": "maternities"},
    "births": {
        "events": {"stillbirths": "stillbirth", "neonatal_deaths": "neonatal_death"},
        "weight": "births",
    },
}
#: The strata of both datasets (beside ethnic category and region), and their integer columns.
_STRATA: dict[str, Any] = {
    "strata": ["year", "age_band", "imd_quintile"],
    "dtypes": {"year": "int64", "imd_quintile": "int64"},
}


@fill_docs(**_records.DOCS, schemas=":data:`MATERNITIES` or :data:`BIRTHS`")
def counts_from_source(
    source: Any,
    *,
    dataset: str = "maternities",
    region: str = "England",
    ethnicity: str = "ethnic_category",
    unknown: str = "exclude",
    chinese: str = "other",
    maternities: Any = None,
    connection: Any = None,
) -> CountedRecords:
    """Maternities or births counted by stratum inside a database engine, ready for the analyses.

    {engine}

    Parameters
    ----------
    {source}
    dataset : {"maternities", "births"}, default "maternities"
        Which records these are.
    region, ethnicity, unknown, chinese
        As for :func:`prepare`.
    maternities : path, ``"spark:<db.table>"`` or frame, optional
        For births: the maternities (the ``maternities_path`` of notebook 05), so that every
        birth's ``maternity_id`` is checked to be among them (:data:`BIRTHS` declares the
        reference). Not given: not checked.
    {connection}

    Returns
    -------
    CountedRecords
        A named tuple ``(counts, exclusions)``; unpack it
        (``maternities, excluded = counts_from_source(...)``).

        ``counts``: one row per combination of recorded ethnic category, ``region_name``,
        ``region_code``, ``year`` (Int64), ``age_band`` (str, missing kept), ``imd_quintile``
        (Int64, missing kept) in ``region``, with ``ethnic_group`` and ``ethnicity_status`` as
        :func:`prepare` adds them, and the counts: ``maternities`` and ``maternal_deaths``, or
        ``births``, ``stillbirths`` and ``neonatal_deaths``. ``maternal_counts``,
        ``perinatal_counts``, ``records_in_period``, ``exclusions`` and
        ``ethnicity_completeness`` give the same results on it as on :func:`prepare`'s output.

        ``exclusions``: the rows the engine could not count (``step``, ``reason``, ``rows``,
        ``applies_to``; usually no row): give it to ``exclusions(counts, excluded=...)`` so that
        the data-quality table accounts for every record.

    Raises
    ------
    InputError
        For an option not allowed, or no record in ``region``.
    SchemaError
        The records break a rule of :data:`MATERNITIES` or :data:`BIRTHS` (a missing column, a
        value not of its type, outside its allowed values or range, a repeated id, a birth both
        stillborn and a neonatal death, a birth whose maternity is not among ``maternities``):
        enforced in the engine in the counting pass; the first line names the file, column,
        rule, number of failing rows, first rows and values.

    Notes
    -----
    Missing event flags: the schemas do not allow them, so they are an error here (where
    :func:`prepare`'s path counts them as no event).

    References
    ----------
    As :func:`prepare`; DuckDB, https://duckdb.org; Apache Spark, https://spark.apache.org.
    """
    func = "maternity.counts_from_source"
    if dataset not in _SOURCES:
        raise InputError(f"{func}: dataset must be 'maternities' or 'births', got {dataset!r}")
    references = {}
    if maternities is not None and dataset == "births":
        references = {"maternities": _records.resolve_source(maternities)}
    schema = MATERNITIES if dataset == "maternities" else BIRTHS
    declared = rules.declared(_records.resolve_source(source), schema=schema, references=references)
    return _records.counted_records(
        declared,
        **_SOURCES[dataset],
        **_STRATA,
        ethnicity_column=ethnicity,
        region=region,
        unknown=unknown,
        chinese=chinese,
        func=func,
        connection=connection,
    )
