"""Workstream 6 inputs: the schemas, and detention and CTO records prepared or counted.

- :data:`DETENTIONS`, :data:`CTOS`, :data:`POPULATION`, :data:`PROVIDERS`: schemas of the inputs;
- :func:`age_band`: the 19 five-year bands of the 2013 European Standard Population;
- :func:`prepare`: harmonised ethnic group, recording status, age band and sex label added to
  each record; nothing dropped;
- :func:`counts_from_source`: the same, counted inside a database engine from a file of any size
  or a Spark table (one row per stratum), with the rows it could not count and the people counted.

References
----------
NHS Data Dictionary, ETHNIC CATEGORY and PERSON STATED GENDER CODE. NHS Digital, Mental Health Act
Statistics, Annual Figures: methodology. Eurostat. Revision of the European Standard Population,
2013 edition.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from rhoresearch import data
from rhoresearch.data import aggregate, rules
from rhoresearch.docstrings import fill_docs
from rhoresearch.validation import require_columns, slug
from rhoresearch.workstreams import _records

__all__ = [
    "AGE_BANDS",
    "GROUPS",
    "SEXES",
    "DETENTIONS",
    "CTOS",
    "POPULATION",
    "PROVIDERS",
    "PEOPLE_KEYS",
    "CountedEvents",
    "age_band",
    "prepare",
    "counts_from_source",
]

#: The 19 five-year age bands of the 2013 European Standard Population.
AGE_BANDS = tuple(f"{a}-{a + 4}" for a in range(0, 90, 5)) + ("90+",)
#: High-level ethnic groups compared (Chinese under Other, as NHS Digital publishes).
GROUPS = tuple(_records.GROUPS)
SEXES = ("Male", "Female")
_SEX_CODES = {
    "1": "Male",
    "2": "Female",
    "male": "Male",
    "female": "Female",
    "m": "Male",
    "f": "Female",
}

_EVENT_COLUMNS = {
    "person_id": data.column("str", description="pseudonymised person identifier"),
    "financial_year": data.column("str", checks=[], description='e.g. "2023-24"'),
    "provider_code": data.column("str"),
    "region_code": data.column("str", nullable=True),
    "region_name": data.column("str", nullable=True),
    "ethnic_category": data.column("str", nullable=True, description="NHS ethnic category"),
    "age": data.column("int", nullable=True, min=0, max=120, description="age in years"),
    "sex": data.column("str", nullable=True, description="1 male, 2 female, 9, X"),
}

#: One row per detention under the Mental Health Act.
DETENTIONS = data.dataset_schema(
    "mha_detentions",
    columns={"detention_id": data.column("str", unique=True), **_EVENT_COLUMNS},
    description="record-level Mental Health Act detentions",
)
#: One row per community treatment order.
CTOS = data.dataset_schema(
    "mha_ctos",
    columns={"cto_id": data.column("str", unique=True), **_EVENT_COLUMNS},
    description="record-level community treatment orders",
)
#: The schema of the records counted as ``count`` by :func:`counts_from_source`.
_SCHEMAS = {"detentions": DETENTIONS, "ctos": CTOS}

#: Usual residents by provider catchment, ethnic category, age band and sex.
POPULATION = data.dataset_schema(
    "mha_population",
    columns={
        "provider_code": data.column("str"),
        "region_code": data.column("str"),
        "region_name": data.column("str"),
        "ethnic_category": data.column("str"),
        "age_band": data.column("str", allowed=AGE_BANDS),
        "sex": data.column("str", allowed=SEXES),
        "population": data.column("int", min=0),
    },
    key=["provider_code", "ethnic_category", "age_band", "sex"],
    description="population denominators (Census 2021 based)",
)
#: Providers (codes, names, regions).
PROVIDERS = data.dataset_schema(
    "mha_providers",
    columns={
        "provider_code": data.column("str", unique=True),
        "provider_name": data.column("str"),
        "region_code": data.column("str"),
        "region_name": data.column("str"),
        "provider_type": data.column("str", nullable=True),
    },
)


def age_band(age: pd.Series | Iterable[float | None]) -> pd.Series:
    """Five-year age bands of the 2013 European Standard Population from ages in years.

    Parameters
    ----------
    age : Series or sequence of numbers
        Ages in completed years. Not modified.

    Returns
    -------
    Series
        Ordered categorical with categories :data:`AGE_BANDS` (``"0-4"`` ... ``"85-89"``,
        ``"90+"``); missing, negative or non-numeric ages are missing.

    References
    ----------
    Eurostat. Revision of the European Standard Population: report of Eurostat's task force.
    Luxembourg: Publications Office of the European Union; 2013 (the 19 age bands).

    Examples
    --------
    >>> age_band([0, 4, 5, 89, 90, 104]).tolist()
    ['0-4', '0-4', '5-9', '85-89', '90+', '90+']
    """
    values = pd.to_numeric(pd.Series(age), errors="coerce").astype("float64")
    index = values.index if isinstance(age, pd.Series) else None
    bins = np.floor(values.to_numpy() / 5.0)
    bins = np.where(bins > 18, 18, bins)
    bins = np.where((values.to_numpy() < 0) | np.isnan(bins), -1, bins).astype(int)
    return pd.Series(
        pd.Categorical.from_codes(bins, categories=list(AGE_BANDS), ordered=True),
        index=index,
        name="age_band",
    )


@fill_docs(**_records.DOCS)
def prepare(
    records: pd.DataFrame,
    *,
    region: str = "England",
    ethnicity: str = "ethnic_category",
    chinese: str = "other",
) -> pd.DataFrame:
    """Add ethnic group, recording status, age band and sex label to detention or CTO records.

    Parameters
    ----------
    records : DataFrame
        :data:`DETENTIONS` or :data:`CTOS` records. Not modified.
    {region}
    ethnicity : str, default "ethnic_category"
        Column with the ethnic category as recorded.
    chinese : {"other", "asian"}, default "other"
        Where Chinese goes: "other" as NHS Digital's Mental Health Act statistics do.

    Returns
    -------
    DataFrame
        The records in ``region`` with ``ethnic_group`` (ordered categorical of :data:`GROUPS`;
        missing when not usable), ``ethnicity_status`` (``recorded``, ``not stated``, ``not
        known``, ``invalid code``), ``age_band`` (ordered categorical of :data:`AGE_BANDS`) and
        ``sex_group`` (``Male``/``Female``; missing for other codes).

    Notes
    -----
    Sex codes ``1``/``2`` (NHS person stated gender) and the words male/female are read; ``9``
    (indeterminate), ``X`` (not known) and blanks give a missing ``sex_group`` (excluded from
    rates by sex, as NHS Digital does).

    References
    ----------
    NHS Data Dictionary, ETHNIC CATEGORY and PERSON STATED GENDER CODE. NHS Digital, Mental Health
    Act statistics methodology.
    """
    func = "mental_health.prepare"
    require_columns(records, ["age", "sex"], func=func)
    selected = _records.select_region(records, region=region, func=func)
    out = _records.add_ethnic_group(
        selected, ethnicity_column=ethnicity, unknown="exclude", chinese=chinese, func=func
    )
    sex = out["sex"].astype("str").str.strip().str.lower().map(_SEX_CODES)
    sex = pd.Series(pd.Categorical(sex, categories=list(SEXES)), index=out.index)
    return out.assign(age_band=age_band(out["age"]).set_axis(out.index), sex_group=sex)


#: Strata of the people counts of :func:`counts_from_source` (:attr:`CountedEvents.people`).
PEOPLE_KEYS = ("financial_year", "ethnic_group", "age_band", "sex_group")


class CountedEvents(NamedTuple):
    """Detentions or CTOs counted by stratum in an engine, with what else the engine found.

    Attributes
    ----------
    counts : pandas.DataFrame
        One row per stratum (see :func:`counts_from_source`).
    exclusions : pandas.DataFrame
        The rows the engine could not count (``step``, ``reason``, ``rows``, ``applies_to``;
        usually no row): give it to ``exclusions(counts, excluded=...)``.
    people : pandas.DataFrame or None
        Distinct people by :data:`PEOPLE_KEYS` with a people column (None when people were not
        counted): give it to ``event_counts(counts, people_counts=...)``.
    """

    counts: pd.DataFrame
    exclusions: pd.DataFrame
    people: pd.DataFrame | None


@fill_docs(**_records.DOCS, schemas=":data:`DETENTIONS` or :data:`CTOS`")
def counts_from_source(
    source: Any,
    *,
    count: str = "detentions",
    region: str = "England",
    ethnicity: str = "ethnic_category",
    chinese: str = "other",
    person: str | None = "person_id",
    people: str = "people",
    connection: Any = None,
) -> CountedEvents:
    """Detentions or CTOs counted by stratum inside a database engine, ready for the analyses.

    {engine}

    Parameters
    ----------
    {source}
    count : str, default "detentions"
        Name of the column of record counts (e.g. ``"ctos"``).
    region, ethnicity, chinese
        As for :func:`prepare`.
    person : str or None, default "person_id"
        Person identifier: distinct people are counted too (a second pass). None: not counted.
    people : str, default "people"
        Name of the people column.
    {connection}

    Returns
    -------
    CountedEvents
        A named tuple ``(counts, exclusions, people)``; unpack it
        (``detentions, excluded, people = counts_from_source(...)``).

        ``counts``: one row per combination of recorded ethnic category, ``region_name``,
        ``region_code``, ``provider_code``, ``financial_year``, ``sex`` (as recorded) and
        ``age_band`` (missing kept) in ``region``, with ``ethnic_group``, ``ethnicity_status``
        and ``sex_group`` as :func:`prepare` adds them, and ``count`` (records).

        ``exclusions``: the rows the engine could not count, in the exclusions layout with
        ``applies_to`` (for ``exclusions(counts, excluded=...)``).

        ``people``: with ``person``, distinct people by ``financial_year``, ``ethnic_group``,
        ``age_band``, ``sex_group`` (:data:`PEOPLE_KEYS`) and ``people``, for
        ``event_counts(counts, people_counts=...)``; None without ``person``.

    Notes
    -----
    ``event_counts`` on ``counts`` gives the same events as on :func:`prepare`'s output. People
    are counted distinct within each stratum here (a person whose age band changed within a
    year counts in both bands), where ``event_counts`` on records counts a person in the
    stratum of their first record only: the counts can differ by those few people, always
    upwards. The records are checked against :data:`DETENTIONS` (``count="detentions"``) or
    :data:`CTOS` (``count="ctos"``) in the counting pass (a missing column, a repeated id, an
    age outside 0-120: a :class:`~rhoresearch.exceptions.SchemaError` naming the file, column,
    rule, rows and values); a missing age or a sex code other than 1/2 is not an error (counted
    in the data-quality tables).

    References
    ----------
    As :func:`prepare`; DuckDB, https://duckdb.org; Apache Spark, https://spark.apache.org.
    """
    func = "mental_health.counts_from_source"
    schema = _SCHEMAS.get(count)
    counted_source = _records.resolve_source(source)
    if schema is not None:
        counted_source = rules.declared(counted_source, schema=schema)
    out, excluded = _records.counted_records(
        counted_source,
        strata=["provider_code", "financial_year", "sex"],
        events={},
        weight=count,
        ethnicity_column=ethnicity,
        region=region,
        unknown="exclude",
        chinese=chinese,
        func=func,
        age_column="age",
        connection=connection,
    )
    sex = out["sex"].str.strip().str.lower().map(_SEX_CODES)
    out["sex_group"] = pd.Categorical(sex, categories=list(SEXES))
    out["age_band"] = pd.Categorical(
        out["age_band"].astype("str").where(out["age_band"].notna()),
        categories=list(AGE_BANDS),
        ordered=True,
    )
    if person is None:
        return CountedEvents(out, excluded, None)
    filters = None
    if not _records.is_england(region):
        # the same selection as select_region: a region name or code that matches
        want = slug(region)
        names = _matching(out["region_name"], want)
        codes = _matching(out["region_code"], want)

        def filters(t: Any) -> Any:
            return t.region_name.isin(names) | t.region_code.isin(codes)

    counted, _ = aggregate.stratified_counts(
        _records.resolve_source(source),
        connection=connection,
        strata=["financial_year", "sex"],
        person=person,
        filters=filters,
        ethnicity_column=ethnicity,
        errors="not_known",
        harmonise_options={"chinese": chinese},
        age_column="age",
        age_bands="esp2013",
        recode={"sex": _SEX_CODES},
    )
    counted = counted.rename(columns={"sex": "sex_group", "n_people": people})
    counted["financial_year"] = counted["financial_year"].astype("str")
    counted["sex_group"] = pd.Categorical(counted["sex_group"], categories=list(SEXES))
    counted["ethnic_group"] = counted["ethnic_group"].cat.set_categories(GROUPS, ordered=True)
    return CountedEvents(out, excluded, counted[[*PEOPLE_KEYS, people]])


def _matching(values: pd.Series, want: str) -> list[object]:
    """The distinct values of ``values`` whose slug is ``want``, sorted."""
    return sorted(v for v in values.dropna().unique() if slug(v) == want)
