"""Workstream 6, mental health: dataset schemas and workstream-specific steps.

The statistics (crude and directly standardised rates, rate ratios, indirectly standardised
ratios, funnel limits, adjusted models) come from :mod:`rhoresearch.stats.indicators` and
:mod:`rhoresearch.stats.models`; this module prepares record-level Mental Health Act extracts for them:

- :data:`DETENTIONS`, :data:`CTOS`, :data:`POPULATION`, :data:`PROVIDERS`: schemas of the inputs;
- :func:`prepare`: harmonised ethnic group, recording status, five-year age band (the 19 bands of
  the 2013 European Standard Population) and sex label added to each record; nothing dropped;
- :func:`counts_from_source`: the same, counted inside a database engine from a file of any size
  or a Spark table (one row per stratum; :func:`exclusions`, :func:`event_counts` accept it);
- :func:`exclusions`: rows excluded from the rates and why;
- :func:`event_counts`: events (detentions or CTOs) and distinct people by stratum;
- :func:`population_by`: population denominators summed to the strata wanted;
- :func:`join_population`: counts joined to population strata (zero-event strata kept);
- :func:`provider_strata`: per-provider stratum counts with national reference rates, the input of
  :func:`rhoresearch.stats.indicators.isr` for a funnel plot of providers;
- :func:`published_rates`: the published national rates by group, for context.

Counting follows NHS Digital's Mental Health Act statistics: a detention counts once; records
with ethnic category not stated (``Z``), not known (``99``) or invalid, unknown age, or sex other
than male or female, are excluded from rates by ethnic group (and counted here).

References
----------
NHS Digital. Mental Health Act Statistics, Annual Figures: methodology, and the code in
NHSDigital/mental-health-act-annual-statistics (rates by ethnicity, standardisation).
Eurostat. Revision of the European Standard Population, 2013 edition.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from rhoresearch import data
from rhoresearch.exceptions import InputError
from rhoresearch.workstreams import _records

__all__ = [
    "AGE_BANDS",
    "GROUPS",
    "SEXES",
    "DETENTIONS",
    "CTOS",
    "POPULATION",
    "PROVIDERS",
    "age_band",
    "choose_year",
    "standard_population",
    "prepare",
    "counts_from_source",
    "ethnicity_completeness",
    "exclusions",
    "event_counts",
    "population_by",
    "join_population",
    "provider_strata",
    "compare_crude_adjusted",
    "findings",
    "published_rates",
    "published_for_year",
]

logger = logging.getLogger(__name__)

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


def age_band(age) -> pd.Series:
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


def choose_year(
    records: pd.DataFrame, year: str = "latest", *, column: str = "financial_year"
) -> str:
    """Check a requested financial year against those in the data and return it.

    Parameters
    ----------
    records : DataFrame
        Records with a ``column`` of financial years. Not modified.
    year : str, default "latest"
        ``"2023-24"`` or ``"latest"``.
    column : str, default "financial_year"
        The year column.

    Returns
    -------
    str
        The financial year.

    Raises
    ------
    InputError
        If the year is not in the data (the message lists those that are).
    """
    _records.require(records, [column], "choose_year")
    years = sorted(records[column].dropna().astype("str").unique().tolist())
    if not years:
        raise InputError("choose_year: no financial year in the data")
    if str(year).strip().lower() == "latest":
        return years[-1]
    if str(year) not in years:
        raise InputError(f"choose_year: {year!r} is not in the data; the years are {years}")
    return str(year)


def standard_population(
    name: str = "esp2013", *, population: pd.DataFrame | None = None
) -> pd.Series:
    """The standard population for direct age standardisation, by the 19 age bands.

    Parameters
    ----------
    name : {"esp2013", "population"}, default "esp2013"
        ``"esp2013"``: the 2013 European Standard Population (100,000 people), as UK public
        health indicators use. ``"population"``: the study population itself, all ethnic groups
        and both sexes together (for England, the Census 2021 population: the standard NHS
        Digital uses for its Mental Health Act rates by ethnic group).
    population : DataFrame, optional
        Required for ``"population"``: :func:`population_by` output with ``age_band`` and
        ``population``.

    Returns
    -------
    Series
        Indexed by age band (:data:`AGE_BANDS`), named ``standard_population``; for
        :func:`rhoresearch.stats.indicators.dsr` (``standard=``).

    Raises
    ------
    InputError
        For another name, or ``"population"`` without a population.

    References
    ----------
    Eurostat. Revision of the European Standard Population: report of Eurostat's task force.
    Luxembourg: Publications Office of the European Union; 2013. NHS Digital, Mental Health Act
    statistics (standardisation by age and sex to the all-ethnicity population).
    """
    from rhoresearch.stats import indicators

    if name == "esp2013":
        esp = indicators.esp2013()
        band = next(c for c in esp.columns if "band" in c or "age" in c)
        value = next(c for c in esp.columns if "pop" in c)
        out = pd.Series(esp[value].to_numpy(dtype=float), index=esp[band].astype("str"))
    elif name == "population":
        if population is None:
            raise InputError('standard_population: name="population" needs population=')
        _records.require(population, ["age_band", "population"], "standard_population")
        out = population.groupby("age_band", observed=True)["population"].sum().astype(float)
        out.index = out.index.astype("str")
    else:
        raise InputError(
            f"standard_population: name must be 'esp2013' or 'population', got {name!r}"
        )
    out = out.reindex(list(AGE_BANDS))
    if out.isna().any():
        raise InputError(
            f"standard_population: no standard for age bands {list(out.index[out.isna()])}"
        )
    return out.rename("standard_population").rename_axis("age_band")


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
    region : str, default "England"
        ``"England"`` keeps every record; otherwise the region name or code to keep.
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
    _records.require(records, ["age", "sex"], func)
    selected = _records.select_region(records, region=region, func=func)
    out = _records.add_ethnic_group(
        selected, ethnicity_column=ethnicity, unknown="exclude", chinese=chinese, func=func
    )
    sex = out["sex"].astype("str").str.strip().str.lower().map(_SEX_CODES)
    sex = pd.Series(pd.Categorical(sex, categories=list(SEXES)), index=out.index)
    return out.assign(age_band=age_band(out["age"]).set_axis(out.index), sex_group=sex)


#: Key of ``DataFrame.attrs`` of :func:`counts_from_source` output with the people counts.
PEOPLE = "people_counts"
_PEOPLE_KEYS = ("financial_year", "ethnic_group", "age_band", "sex_group")


def counts_from_source(
    source,
    *,
    count: str = "detentions",
    region: str = "England",
    ethnicity: str = "ethnic_category",
    chinese: str = "other",
    person: str | None = "person_id",
    people: str = "people",
    connection=None,
) -> pd.DataFrame:
    """Detentions or CTOs counted by stratum inside a database engine, ready for the analyses.

    The record-level step of :func:`prepare` for extracts too large for pandas: the records are
    counted where they are, by :func:`rhoresearch.data.aggregate.stratified_counts` (DuckDB reads a
    Parquet or CSV file without loading it; a Spark DataFrame or ``"spark:<db.table>"`` is
    counted by Spark), and only one row per stratum comes back.

    Parameters
    ----------
    source : path, ``"spark:<db.table>"``, DataFrame, Ibis table or Spark DataFrame
        Records with the columns of :data:`DETENTIONS` or :data:`CTOS` (paths relative to the
        project root are resolved). Not modified.
    count : str, default "detentions"
        Name of the column of record counts (e.g. ``"ctos"``).
    region, ethnicity, chinese
        As for :func:`prepare`.
    person : str or None, default "person_id"
        Person identifier: distinct people are counted too (a second pass). None: not counted.
    people : str, default "people"
        Name of the people column.
    connection : ibis backend, optional
        The engine, as for :func:`rhoresearch.data.aggregate.stratified_counts` (default: a new
        DuckDB connection for a file or frame, its memory capped at
        :data:`rhoresearch.data.aggregate.DEFAULT_MEMORY_LIMIT`, spilling to disk beyond; give
        ``aggregate.duckdb_connection(...)`` to change the limits).

    Returns
    -------
    DataFrame
        One row per combination of recorded ethnic category, ``region_name``, ``region_code``,
        ``provider_code``, ``financial_year``, ``sex`` (as recorded) and ``age_band`` (missing
        kept) in ``region``, with ``ethnic_group``, ``ethnicity_status`` and ``sex_group`` as
        :func:`prepare` adds them, and ``count`` (records). With ``person``,
        ``attrs["people_counts"]`` holds distinct people by ``financial_year``,
        ``ethnic_group``, ``age_band``, ``sex_group`` for :func:`event_counts`.

    Notes
    -----
    :func:`event_counts` on this output gives the same events as on :func:`prepare`'s. People
    are counted distinct within each stratum here (a person whose age band changed within a
    year counts in both bands), where :func:`event_counts` on records counts a person in the
    stratum of their first record only: the counts can differ by those few people, always
    upwards. Ages below 0 or above 130 are not counted (:func:`exclusions` reports them);
    :func:`prepare` gives them no age band.

    References
    ----------
    As :func:`prepare`; DuckDB, https://duckdb.org; Apache Spark, https://spark.apache.org.
    """
    from rhoresearch import config
    from rhoresearch.data import aggregate

    func = "mental_health.counts_from_source"
    out = _records.counted_records(
        source,
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
        return out
    if isinstance(source, str) and not source.startswith("spark:"):
        source = config.resolve_path(source)
    filters = None
    if not (region is None or str(region).strip().lower() == "england"):
        # the same selection as select_region: a region name or code that matches
        want = _records._slug(region)
        names = sorted(v for v in out["region_name"].dropna().unique() if _records._slug(v) == want)
        codes = sorted(v for v in out["region_code"].dropna().unique() if _records._slug(v) == want)

        def filters(t):
            return t.region_name.isin(names) | t.region_code.isin(codes)

    counted, _ = aggregate.stratified_counts(
        source,
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
    out.attrs[PEOPLE] = counted[[*_PEOPLE_KEYS, people]]
    return out


def ethnicity_completeness(
    records: pd.DataFrame, *, by="financial_year", count=None, confidence: float = 0.95
) -> pd.DataFrame:
    """Ethnic category recording status by ``by`` (records or :func:`counts_from_source` rows).

    Parameters
    ----------
    records : DataFrame
        Output of :func:`prepare` or :func:`counts_from_source`. Not modified.
    by : str or list of str, default "financial_year"
        Grouping columns.
    count : str, optional
        The column of record counts of :func:`counts_from_source` output (default: found).
    confidence : float, default 0.95
        Level of the Wilson intervals.

    Returns
    -------
    DataFrame
        As :func:`rhoresearch.workstreams.data_quality.completeness`, the same for records and for counted
        records.

    References
    ----------
    Scobie S, Spencer J, Raleigh V (2021). Ethnicity coding in English health service datasets.
    Nuffield Trust.
    """
    weight = _weight(records, count)
    return _records.completeness(
        records,
        code="ethnic_category",
        by=by,
        weight=None if weight is None else weight.name,
        confidence=confidence,
    )


def _weight(records: pd.DataFrame, count=None) -> pd.Series | None:
    """Records per row of counted records (:func:`counts_from_source`), else None."""
    for col in [count] if count else ("detentions", "ctos"):
        if col in records.columns and pd.api.types.is_integer_dtype(records[col]):
            return records[col].astype("int64")
    return None


def exclusions(records: pd.DataFrame) -> pd.DataFrame:
    """Rows excluded from the rates by ethnic group, and why (data-quality section).

    Parameters
    ----------
    records : DataFrame
        Output of :func:`prepare`. Not modified.

    Returns
    -------
    DataFrame
        ``step``, ``reason``, ``rows``, ``percent`` (of all records), ``applies_to``. The first
        row is the total; then ethnicity not stated / not known / invalid; then, among records with
        a usable ethnic group, age not known and sex not male or female; the last row counts the
        records used in the rates.

    Notes
    -----
    The rates need ethnic group, age band and sex (age and sex for standardisation and the
    model), so records missing any of them are excluded, as in NHS Digital's statistics.
    """
    func = "mental_health.exclusions"
    _records.require(records, ["ethnic_group", "ethnicity_status", "age_band", "sex_group"], func)
    weight = _weight(records)
    w = np.ones(len(records), dtype="int64") if weight is None else weight.to_numpy()
    engine = _records.engine_steps(records)
    total = int(w.sum()) + sum(n for _, _, n, _ in engine)
    steps = [("records", "records in the extract (after region selection)", total, "")]
    steps += engine
    steps += _records.ethnicity_steps(records, unknown="exclude", weight=weight)
    usable = records["ethnic_group"].notna().to_numpy()
    no_age = records["age_band"].isna().to_numpy()
    no_sex = records["sex_group"].isna().to_numpy()
    applies = "rates by ethnic group"
    steps += [
        ("age and sex", "age not known", int(w[usable & no_age].sum()), applies),
        ("age and sex", "sex not male or female", int(w[usable & ~no_age & no_sex].sum()), applies),
        ("used", "records used in the rates", int(w[usable & ~no_age & ~no_sex].sum()), ""),
    ]
    return _records.exclusion_table(steps, total)


def event_counts(
    records: pd.DataFrame,
    *,
    by=("financial_year", "ethnic_group", "age_band", "sex_group"),
    count: str = "detentions",
    person: str = "person_id",
    people: str = "people",
) -> pd.DataFrame:
    """Events and distinct people by stratum.

    Parameters
    ----------
    records : DataFrame
        Output of :func:`prepare`. Not modified.
    by : str or sequence of str
        Strata.
    count : str, default "detentions"
        Name of the output column with the number of events.
    person : str, default "person_id"
        Column identifying a person.
    people : str, default "people"
        Name of the output column with the number of distinct people.

    Returns
    -------
    DataFrame
        One row per observed stratum: the ``by`` columns, ``count`` (events), ``people``
        (distinct people). With ``financial_year`` among ``by``, a person detained in two years
        counts in each.

    Notes
    -----
    Records without a usable ethnic group, age band or sex are left out (counted by
    :func:`exclusions`). A person is counted once, in the stratum of their first record in the
    data (so people counts add up over strata; a person whose age band changed between
    detentions is counted in the first band only).
    """
    func = "mental_health.event_counts"
    by = [by] if isinstance(by, str) else list(by)
    if count in records.columns and person not in records.columns:
        return _counted_event_counts(records, by=by, count=count, people=people, func=func)
    _records.require(records, ["ethnic_group", "age_band", "sex_group", person, *by], func)
    keep = (
        records["ethnic_group"].notna() & records["age_band"].notna() & records["sex_group"].notna()
    )
    for col in by:
        keep &= records[col].notna()
    used = records.loc[keep.to_numpy()]
    events = used.groupby(by, observed=True, sort=True).size().rename(count)
    period_cols = [c for c in by if c in ("financial_year", "year", "period")]
    first = used.drop_duplicates([*period_cols, person], keep="first")
    persons = first.groupby(by, observed=True, sort=True).size().rename(people)
    out = pd.concat([events, persons], axis=1).fillna(0).astype("int64").reset_index()
    logger.info("%s: %d of %d records counted", func, len(used), len(records))
    return out


def _counted_event_counts(records, *, by, count, people, func) -> pd.DataFrame:
    """:func:`event_counts` of :func:`counts_from_source` output (people when available)."""
    _records.require(records, ["ethnic_group", "age_band", "sex_group", count, *by], func)
    keep = (
        records["ethnic_group"].notna() & records["age_band"].notna() & records["sex_group"].notna()
    )
    for col in by:
        keep &= records[col].notna()
    used = records.loc[keep.to_numpy()]
    out = used.groupby(by, observed=True, sort=True)[count].sum().astype("int64").reset_index()
    counted = records.attrs.get(PEOPLE)
    if counted is not None and set(by) == set(_PEOPLE_KEYS):
        plain = _plain_keys(counted, by)[[*by, people]]
        out = _plain_keys(out, by).merge(plain, on=by, how="left")
        out[people] = out[people].fillna(0).astype("int64")
        for c in by:
            if isinstance(records[c].dtype, pd.CategoricalDtype):
                out[c] = pd.Categorical(out[c], dtype=records[c].dtype)
    logger.info(
        "%s: %d of %d records counted", func, int(used[count].sum()), int(records[count].sum())
    )
    return out


def population_by(
    population: pd.DataFrame,
    *,
    by=("ethnic_group", "age_band", "sex"),
    region: str = "England",
    chinese: str = "other",
) -> pd.DataFrame:
    """Population denominators with high-level ethnic group, summed to the strata wanted.

    Parameters
    ----------
    population : DataFrame
        :data:`POPULATION`. Not modified.
    by : sequence of str, default ("ethnic_group", "age_band", "sex")
        Strata; ``ethnic_group`` is derived from ``ethnic_category``.
    region : str, default "England"
        As for :func:`prepare`.
    chinese : {"other", "asian"}, default "other"
        As for :func:`prepare`.

    Returns
    -------
    DataFrame
        The ``by`` columns (``sex`` renamed ``sex_group``, ``age_band`` an ordered categorical)
        and ``population``.

    Raises
    ------
    InputError
        If a population ethnic category is not a valid code (denominators must be clean).
    """
    func = "mental_health.population_by"
    by = [by] if isinstance(by, str) else list(by)
    selected = _records.select_region(population, region=region, func=func)
    prepared = _records.add_ethnic_group(
        selected,
        ethnicity_column="ethnic_category",
        unknown="exclude",
        chinese=chinese,
        func=func,
    )
    bad = prepared["ethnic_group"].isna()
    if bad.any():
        values = sorted(prepared.loc[bad, "ethnic_category"].astype("str").unique().tolist())
        raise InputError(f"{func}: population rows with unusable ethnic_category {values[:10]}")
    prepared = prepared.assign(
        age_band=pd.Categorical(prepared["age_band"], categories=list(AGE_BANDS), ordered=True),
        sex_group=pd.Categorical(prepared["sex"], categories=list(SEXES)),
    )
    cols = ["sex_group" if c == "sex" else c for c in by]
    _records.require(prepared, cols, func)
    out = prepared.groupby(cols, observed=True, sort=True)["population"].sum().reset_index()
    out["population"] = out["population"].astype("int64")
    return out


def join_population(
    counts: pd.DataFrame,
    population: pd.DataFrame,
    *,
    on,
    count_columns=None,
) -> pd.DataFrame:
    """Join event counts to their population strata, keeping strata with no events.

    Parameters
    ----------
    counts : DataFrame
        Output of :func:`event_counts`. Not modified.
    population : DataFrame
        Output of :func:`population_by`, with the strata of ``on`` (minus any period column). Not
        modified.
    on : sequence of str
        Strata of ``counts``. Columns not in ``population`` (e.g. ``financial_year``) are crossed
        with every population stratum, so each year gets the full population.
    count_columns : sequence of str, optional
        Count columns to carry (default: every numeric column of ``counts`` not in ``on``).

    Returns
    -------
    DataFrame
        Every population stratum (x each value of the extra columns), the count columns (0 when
        no event) and ``population``.

    Raises
    ------
    InputError
        If some counted events fall in strata with no population row (they would be lost).
    """
    func = "mental_health.join_population"
    on = [on] if isinstance(on, str) else list(on)
    _records.require(counts, on, func)
    pop_keys = [c for c in on if c in population.columns]
    extra = [c for c in on if c not in population.columns]
    _records.require(population, [*pop_keys, "population"], func)
    if count_columns is None:
        count_columns = [
            c for c in counts.columns if c not in on and pd.api.types.is_numeric_dtype(counts[c])
        ]
    grid = population[[*pop_keys, "population"]]
    if extra:
        values = counts[extra].drop_duplicates().reset_index(drop=True)
        grid = values.merge(grid, how="cross")
    left = _plain_keys(grid, on)
    right = _plain_keys(counts[[*on, *count_columns]], on)
    merged = left.merge(right, on=on, how="outer", indicator=True)
    orphan = merged["_merge"].eq("right_only")
    if orphan.any():
        lost = int(merged.loc[orphan, count_columns].sum().sum())
        example = merged.loc[orphan, on].head(3).to_dict("records")
        raise InputError(
            f"{func}: {lost} event(s) in strata with no population row, e.g. {example}"
        )
    merged = merged.drop(columns="_merge")
    for c in count_columns:
        merged[c] = merged[c].fillna(0).astype("int64")
    merged["population"] = merged["population"].astype("int64")
    for c in on:
        if isinstance(grid[c].dtype, pd.CategoricalDtype):
            merged[c] = pd.Categorical(merged[c], dtype=grid[c].dtype)
    return merged.sort_values(on, kind="stable").reset_index(drop=True)[
        [*on, *count_columns, "population"]
    ]


def _plain_keys(frame: pd.DataFrame, keys) -> pd.DataFrame:
    out = frame.copy()
    for c in keys:
        if isinstance(out[c].dtype, pd.CategoricalDtype):
            out[c] = out[c].astype("str")
    return out


def provider_strata(
    counts: pd.DataFrame,
    population: pd.DataFrame,
    *,
    count: str = "detentions",
    strata=("ethnic_group", "age_band", "sex_group"),
    provider: str = "provider_code",
) -> pd.DataFrame:
    """Per-provider stratum counts and populations with the national reference rates.

    Parameters
    ----------
    counts : DataFrame
        :func:`event_counts` by ``[provider, *strata]``. Not modified.
    population : DataFrame
        :func:`population_by` by ``[provider, *strata]`` (catchment populations). Not modified.
    count : str, default "detentions"
        The event column.
    strata : sequence of str
        Standardisation strata (default ethnic group x age band x sex).
    provider : str, default "provider_code"
        The provider column.

    Returns
    -------
    DataFrame
        One row per provider x stratum: ``provider``, the ``strata``, ``count`` and
        ``population``, ``ref_count`` and ``ref_population`` (all providers together: the
        reference), for :func:`rhoresearch.stats.indicators.isr` with ``by=provider``.

    Notes
    -----
    The expected count of a provider is the sum over strata of its population times the
    national stratum rate (indirect standardisation), so that providers serving younger or more
    ethnically diverse catchments are compared fairly.

    References
    ----------
    Breslow NE, Day NE. Statistical methods in cancer research, volume II. Lyon: IARC; 1987.
    Spiegelhalter DJ. Funnel plots for comparing institutional performance. Stat Med
    2005;24:1185-1202.
    """
    strata = list(strata)
    joined = join_population(counts, population, on=[provider, *strata], count_columns=[count])
    ref = joined.groupby(strata, observed=True)[[count, "population"]].sum()
    ref = ref.rename(columns={count: "ref_count", "population": "ref_population"}).reset_index()
    out = _plain_keys(joined, strata).merge(_plain_keys(ref, strata), on=strata, how="left")
    return out[[provider, *strata, count, "population", "ref_count", "ref_population"]]


#: Measures as named in the notebook's tables, with the phrases of the key findings.
MEASURE_PHRASES = (
    ("Detentions", "be detained under the Mental Health Act", "people"),
    ("People detained", "be detained at least once in the year", "people"),
    ("Community treatment orders", "be placed on a community treatment order", "people"),
)


def compare_crude_adjusted(crude: pd.DataFrame, adjusted: pd.DataFrame, *, keys=("measure",)):
    """Crude and adjusted rate ratios by ethnic group in one long table (forest plots, findings).

    Parameters
    ----------
    crude : DataFrame
        :func:`rhoresearch.stats.indicators.rate_ratio` output (``group="ethnic_group"``) with the
        ``keys`` columns added. Not modified.
    adjusted : DataFrame
        :func:`rhoresearch.stats.models.poisson_model` output (e.g. adjusted for age band and sex) with
        the ``keys`` columns added. Not modified.
    keys : sequence of str, default ("measure",)
        Columns identifying which comparison a row belongs to.

    Returns
    -------
    DataFrame
        ``keys``, ``ethnic_group``, ``comparison`` (``crude``/``adjusted``), ``reference``,
        ``count``, ``reference_count`` (from the crude table, so both rows pass the same
        disclosure control), ``value``, ``lower_ci``, ``upper_ci``, ``p_value``,
        ``is_reference``, ``fit``.
    """
    return _records.crude_and_adjusted(crude, adjusted, group="ethnic_group", keys=keys)


def findings(
    comparison: pd.DataFrame, *, reference: str = "White", adjusted_for: str = "age and sex"
) -> list[str]:
    """Key-finding sentences from a (disclosure-controlled) :func:`compare_crude_adjusted` table.

    Parameters
    ----------
    comparison : DataFrame
        With ``measure`` values of :data:`MEASURE_PHRASES`, after
        :func:`rhoresearch.disclosure.suppress`.
    reference : str, default "White"
        The reference group's name.
    adjusted_for : str, default "age and sex"
        Named in the sentences of adjusted ratios.

    Returns
    -------
    list of str
        One sentence per measure, group and comparison (suppressed groups once), from
        :func:`rhoresearch.report.narrative.ratio_sentence`.
    """
    return _records.findings(
        comparison,
        specs=MEASURE_PHRASES,
        group="ethnic_group",
        reference=reference,
        qualifier=f", after adjusting for {adjusted_for}",
        key="measure",
    )


def published_for_year(published: pd.DataFrame, year: str, *, measure: str) -> pd.DataFrame:
    """Published rates of one measure for ``year``, else for the latest year published.

    Parameters
    ----------
    published : DataFrame
        :func:`published_rates` output. Not modified.
    year : str
        The financial year of the computed rates.
    measure : {"detentions", "ctos"}
        The measure.

    Returns
    -------
    DataFrame
        ``ethnic_group``, ``published_year``, ``published_group``, ``published_rate``,
        ``source_note``: one row per group published for that year (the latest published year
        not after ``year`` when ``year`` itself is not published, else the earliest).
    """
    _records.require(published, ["financial_year", "measure", "ethnic_group"], "published")
    rows = published[published["measure"] == measure]
    if rows.empty:
        raise InputError(f"published_for_year: no published rate for measure {measure!r}")
    years = sorted(rows["financial_year"].unique())
    earlier = [y for y in years if y <= year]
    chosen = year if year in years else (earlier[-1] if earlier else years[0])
    out = rows[rows["financial_year"] == chosen].drop_duplicates("ethnic_group")
    return out.rename(columns={"financial_year": "published_year"})[
        ["ethnic_group", "published_year", "published_group", "published_rate", "source_note"]
    ].reset_index(drop=True)


_MHA_GROUPS = {
    "White": "White",
    "Black": "Black",
    "Black or Black British": "Black",
    "Asian": "Asian",
    "Asian or Asian British": "Asian",
    "Mixed": "Mixed",
    "Other": "Other",
}
_MHA_MEASURES = {"detentions": "detentions", "CTO uses": "ctos"}


def published_rates(reference: pd.DataFrame | None = None) -> pd.DataFrame:
    """Published Mental Health Act rates per 100,000 by high-level ethnic group.

    Parameters
    ----------
    reference : DataFrame, optional
        The reference table ``mha_published_rates_per_100000`` (default: loaded with
        :func:`rhoresearch.data.load_reference`). Not modified.

    Returns
    -------
    DataFrame
        ``financial_year``, ``measure`` (``detentions`` or ``ctos``), ``ethnic_group``,
        ``published_group``, ``published_rate`` (per 100,000), ``source_url``, ``source_note``.
        Detailed groups (e.g. "Black other") are left out.

    Notes
    -----
    Rates only; some rows come from secondary sources quoting NHS Digital (see ``source_note``).
    Populations changed in 2022-23 (Census 2021), so earlier rates are not comparable with later.

    References
    ----------
    NHS Digital. Mental Health Act Statistics, Annual Figures (2016-17 to 2024-25).
    """
    if reference is None:
        reference = data.load_reference("mha_published_rates_per_100000")
    _records.require(
        reference, ["year", "measure", "ethnic_group", "published_rate_per_100000"], "published"
    )
    groups = reference["ethnic_group"].map(_MHA_GROUPS)
    measures = reference["measure"].map(_MHA_MEASURES)
    keep = groups.notna() & measures.notna()
    out = pd.DataFrame(
        {
            "financial_year": reference["year"].astype("str"),
            "measure": measures.astype("str"),
            "ethnic_group": groups.astype("str"),
            "published_group": reference["ethnic_group"].astype("str"),
            "published_rate": reference["published_rate_per_100000"].astype("float64"),
            "source_url": reference.get("source_url", pd.Series(pd.NA)).astype("str"),
            "source_note": reference.get("source_note", pd.Series(pd.NA)).astype("str"),
        }
    ).loc[keep.to_numpy()]
    return out.sort_values(
        ["measure", "financial_year", "ethnic_group"], kind="stable"
    ).reset_index(drop=True)
