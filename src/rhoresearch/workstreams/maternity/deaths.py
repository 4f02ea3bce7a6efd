"""Workstream 5 maternal deaths: the deaths register as its own dataset, counted for the rates.

MBRRACE-UK counts every woman who died from direct or indirect causes during pregnancy or within 42
days of its end, whatever the pregnancy's outcome (undelivered women, deaths in early pregnancy,
after a miscarriage, ectopic pregnancy or termination), and divides by the maternities (women giving
birth from 24 weeks). A flag on a maternity record can only count the deaths of women who gave birth
from 24 weeks, so the deaths are a dataset of their own, one row per death, with the maternities as
the denominator:

- :data:`MATERNAL_DEATHS`: the schema of the register (one row per death in pregnancy or up to a
  year after, with its timing and cause type);
- :func:`deaths_from_source`: the register counted by stratum inside a database engine, with
  ``maternal_deaths``, the deaths inside the definition;
- :func:`death_exclusions`: the deaths left out of each analysis, and why (outside the
  definition: late or coincidental; ethnicity not usable; covariates missing).

References
----------
Knight M, et al. (eds.) on behalf of MBRRACE-UK. Saving Lives, Improving Mothers' Care. Oxford:
NPEU, University of Oxford (annual): maternal deaths (direct and indirect, during or within 42
days of the end of pregnancy) per 100,000 maternities over rolling three-year periods; late
(42 days to one year) and coincidental deaths are reported apart and are not in the rate.
World Health Organization. ICD-10 to deaths during pregnancy, childbirth and the puerperium:
ICD-MM. Geneva: WHO; 2012 (direct and indirect causes).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from rhoresearch import data
from rhoresearch.data import rules
from rhoresearch.docstrings import fill_docs
from rhoresearch.validation import require_columns
from rhoresearch.workstreams import _records
from rhoresearch.workstreams._records import CountedRecords
from rhoresearch.workstreams.maternity.counts import covariate_steps
from rhoresearch.workstreams.maternity.datasets import AGE_BANDS, IMD_QUINTILES

__all__ = [
    "TIMINGS",
    "CAUSE_TYPES",
    "MATERNAL_TIMINGS",
    "MATERNAL_CAUSES",
    "MATERNAL_DEATHS",
    "deaths_from_source",
    "death_exclusions",
]

#: When a woman died, relative to her pregnancy (MBRRACE-UK surveillance), in order.
TIMINGS = (
    "during pregnancy",
    "within 42 days of end of pregnancy",
    "43 days to one year after end of pregnancy",
)
#: The cause types of MBRRACE-UK (ICD-MM): direct (obstetric), indirect (a condition aggravated
#: by pregnancy), coincidental (unrelated to pregnancy).
CAUSE_TYPES = ("direct", "indirect", "coincidental")
#: The timings and cause types that make a maternal death in the rate.
MATERNAL_TIMINGS = TIMINGS[:2]
MATERNAL_CAUSES = CAUSE_TYPES[:2]

#: One row per death of a woman during pregnancy or up to a year after its end.
MATERNAL_DEATHS = data.dataset_schema(
    "maternal_deaths",
    columns={
        "death_id": data.column("int", unique=True),
        "maternity_id": data.column(
            "int", nullable=True, description="maternity record of the pregnancy, if any"
        ),
        "year": data.column("int", min=1990, max=2100, description="year of death"),
        "ethnic_category": data.column(
            "str", nullable=True, description="woman's ethnic category as recorded (NHS code)"
        ),
        "age_band": data.column("str", nullable=True, allowed=AGE_BANDS, description="her age"),
        "imd_quintile": data.column(
            "int", nullable=True, allowed=IMD_QUINTILES, description="IMD quintile, 1 most deprived"
        ),
        "region_code": data.column("str", nullable=True),
        "region_name": data.column("str", nullable=True),
        "timing": data.column("str", allowed=TIMINGS, description="when she died"),
        "cause_type": data.column("str", allowed=CAUSE_TYPES, description="MBRRACE-UK cause type"),
    },
    description="deaths in pregnancy or up to a year after (MBRRACE-UK surveillance)",
)

_STRATA = ["year", "age_band", "imd_quintile", "timing", "cause_type"]
_DTYPES = {"year": "int64", "imd_quintile": "int64"}


def _in_definition(deaths: pd.DataFrame) -> pd.Series:
    """Whether each row's deaths are maternal deaths (direct or indirect, up to 42 days)."""
    return deaths["timing"].isin(MATERNAL_TIMINGS) & deaths["cause_type"].isin(MATERNAL_CAUSES)


@fill_docs(**_records.DOCS, schemas=":data:`MATERNAL_DEATHS`")
def deaths_from_source(
    source: Any,
    *,
    region: str = "England",
    ethnicity: str = "ethnic_category",
    unknown: str = "exclude",
    chinese: str = "other",
    connection: Any = None,
) -> CountedRecords:
    """The deaths register counted by stratum inside a database engine, ready for the rates.

    {engine}

    Parameters
    ----------
    {source}
    {region}
    ethnicity : str, default "ethnic_category"
        Column with the woman's ethnic category as recorded.
    unknown : {"exclude", "reference"}, default "exclude"
        As for :func:`~rhoresearch.workstreams.maternity.prepare`.
    chinese : {"other", "asian"}, default "other"
        Where Chinese goes: "other" as MBRRACE-UK ("Chinese or other") and NHS codes do.
    {connection}

    Returns
    -------
    CountedRecords
        ``counts``: one row per recorded ethnic category, ``region_name``, ``region_code``,
        ``year``, ``age_band``, ``imd_quintile``, ``timing`` and ``cause_type`` (missing values
        kept as strata), with ``ethnic_group`` and ``ethnicity_status`` as ``prepare`` adds them,
        ``deaths`` (every death of the row) and ``maternal_deaths`` (the deaths inside the
        MBRRACE-UK definition, else 0). Give it to ``maternal_counts(..., deaths=...)``.
        ``exclusions``: the rows the engine could not count (usually none).

    Raises
    ------
    InputError
        No record in ``region``, an option not allowed.
    SchemaError
        The records break a rule of :data:`MATERNAL_DEATHS` (a missing column, a value not of
        its type, a timing or cause type not of :data:`TIMINGS` / :data:`CAUSE_TYPES`, a repeated
        ``death_id``), enforced in the engine in the counting pass.

    Notes
    -----
    A maternal death (MBRRACE-UK, WHO ICD-MM) is a death from direct or indirect causes during
    pregnancy or within 42 days of its end, whatever the outcome of the pregnancy; late deaths
    (43 days to one year) and coincidental deaths are counted in ``deaths`` but not in
    ``maternal_deaths``, and :func:`death_exclusions` lists them.

    References
    ----------
    Knight M, et al. (eds.) on behalf of MBRRACE-UK. Saving Lives, Improving Mothers' Care.
    Oxford: NPEU, University of Oxford (annual).
    """
    func = "maternity.deaths_from_source"
    declared = rules.declared(_records.resolve_source(source), schema=MATERNAL_DEATHS)
    counted = _records.counted_records(
        declared,
        strata=_STRATA,
        events={},
        weight="deaths",
        dtypes=_DTYPES,
        ethnicity_column=ethnicity,
        region=region,
        unknown=unknown,
        chinese=chinese,
        func=func,
        connection=connection,
    )
    counts = counted.counts
    maternal = counts["deaths"].where(_in_definition(counts), 0).astype("int64")
    return CountedRecords(counts.assign(maternal_deaths=maternal), counted.exclusions)


def death_exclusions(
    deaths: pd.DataFrame,
    *,
    excluded: pd.DataFrame | None = None,
    covariates: Sequence[str] = ("age_band", "imd_quintile"),
    unknown: str = "exclude",
    dataset: str | None = "maternal deaths",
) -> pd.DataFrame:
    """Deaths left out of each analysis, and why (for a report's data-quality section).

    Parameters
    ----------
    deaths : DataFrame
        The ``counts`` of :func:`deaths_from_source` (or maternal deaths read from a table of
        counts: no ``timing``, so no definition steps). Not modified.
    excluded : DataFrame, optional
        Its ``exclusions`` (rows the engine could not count).
    covariates : sequence of str, default ("age_band", "imd_quintile")
        Covariates of the adjusted model (maternal deaths missing any are left out of it).
    unknown : {"exclude", "reference"}, default "exclude"
        As given to :func:`deaths_from_source`.
    dataset : str or None, default "maternal deaths"
        The first column's value (None: no ``dataset`` column).

    Returns
    -------
    DataFrame
        As ``exclusions``: (``dataset``,) ``step``, ``reason``, ``rows``, ``percent``,
        ``applies_to``; the first row is every death in the register, then the deaths outside
        the definition (late, coincidental: step ``"definition"``), the ethnicity steps and the
        maternal deaths missing a model covariate.

    References
    ----------
    Knight M, et al. (eds.) on behalf of MBRRACE-UK. Saving Lives, Improving Mothers' Care
    (late and coincidental deaths reported apart from the maternal mortality rate).
    """
    func = "maternity.death_exclusions"
    require_columns(
        deaths, ["deaths", "maternal_deaths", "ethnic_group", "ethnicity_status"], func=func
    )
    weight = deaths["deaths"].astype("int64")
    definition = []
    inside = deaths
    if "timing" in deaths.columns and "cause_type" in deaths.columns:  # a register's rows
        late = ~deaths["timing"].isin(MATERNAL_TIMINGS)
        coincidental = ~late & ~deaths["cause_type"].isin(MATERNAL_CAUSES)
        outside = "maternal mortality (outside the MBRRACE-UK definition)"
        definition = [
            ("definition", f"late deaths ({TIMINGS[2]})", int(weight[late].sum()), outside),
            ("definition", "coincidental deaths", int(weight[coincidental].sum()), outside),
        ]
        inside = deaths[(~late & ~coincidental).to_numpy()]
    model = covariate_steps(
        inside, inside["maternal_deaths"], covariates, func=func, what="maternal deaths"
    )
    table = _records.exclusions(
        deaths, weight=weight, excluded=excluded, unknown=unknown, later=model, dataset=dataset
    )
    if not definition:
        return table
    first = table.iloc[:1]
    rest = table.iloc[1:]
    steps = pd.DataFrame(definition, columns=["step", "reason", "rows", "applies_to"])
    steps["percent"] = steps["rows"] / table["rows"].iloc[0] * 100.0 if len(table) else 0.0
    if dataset is not None:
        steps.insert(0, "dataset", dataset)
    out = pd.concat([first, steps[table.columns], rest], ignore_index=True)
    return out.astype(table.dtypes.to_dict())
