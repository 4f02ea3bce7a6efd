"""Workstream 6 counts: events and people by stratum, denominators, and the records left out.

- :func:`choose_year`: the financial year analysed;
- :func:`event_counts`: events (detentions or CTOs) and distinct people by stratum, from records
  (:func:`~rhoresearch.workstreams.mental_health.prepare`) or from records counted in an engine
  (:func:`~rhoresearch.workstreams.mental_health.counts_from_source`);
- :func:`exclusions`: rows excluded from the rates and why; :func:`ethnicity_completeness`;
- :func:`population_by`, :func:`join_population`, :func:`standard_population`: denominators and
  the standard population of direct standardisation;
- :func:`provider_strata`: per-provider stratum counts with national reference rates, the input of
  :func:`rhoresearch.stats.isr` for a funnel plot of providers.

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
from collections.abc import Sequence

import numpy as np
import pandas as pd

from rhoresearch import stats
from rhoresearch.docstrings import fill_docs
from rhoresearch.exceptions import InputError
from rhoresearch.validation import as_columns, require_columns
from rhoresearch.workstreams import _records
from rhoresearch.workstreams._records import plain_keys
from rhoresearch.workstreams.mental_health.datasets import AGE_BANDS, PEOPLE_KEYS, SEXES

__all__ = [
    "choose_year",
    "standard_population",
    "ethnicity_completeness",
    "exclusions",
    "event_counts",
    "population_by",
    "join_population",
    "provider_strata",
]

logger = logging.getLogger(__name__)


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

    References
    ----------
    NHS Digital. Mental Health Act Statistics, Annual Figures (financial years, e.g. "2023-24").
    """
    require_columns(records, [column], func="choose_year")
    years = sorted(records[column].dropna().astype("str").unique().tolist())
    return _records.choose_label(years, year, func="choose_year", what="financial year")


def standard_population(
    name: str = "esp2013", *, population: pd.DataFrame | None = None
) -> pd.Series | pd.DataFrame:
    """The standard population of direct standardisation: by age band, or by age band and sex.

    Parameters
    ----------
    name : {"esp2013", "population"}, default "esp2013"
        ``"esp2013"``: the 2013 European Standard Population (100,000 people, by age band), as UK
        public health indicators use. ``"population"``: the population given, all ethnic groups
        together, by age band **and sex**: give the national one (for England, the Census 2021
        population), the standard NHS England uses for its Mental Health Act rates by ethnic
        group, regional rates included, standardised by age and sex.
    population : DataFrame, optional
        Required for ``"population"``: :func:`population_by` output with ``age_band``,
        ``sex_group`` and ``population``.

    Returns
    -------
    Series or DataFrame
        ``"esp2013"``: a Series indexed by age band (:data:`AGE_BANDS`), named
        ``standard_population``. ``"population"``: a DataFrame with ``age_band``, ``sex_group``
        and ``standard_population``, one row per age band and sex. Either is the ``standard=`` of
        ``measure_rates`` (a DataFrame standardises by age and sex).

    Raises
    ------
    InputError
        For another name, or ``"population"`` without a population, or with an age band or sex
        missing from it.

    References
    ----------
    Eurostat. Revision of the European Standard Population: report of Eurostat's task force.
    Luxembourg: Publications Office of the European Union; 2013. NHS England. Mental Health Act
    Statistics, Annual Figures: rates by ethnic group standardised by age and sex to the
    all-ethnicity population (NHSDigital/mental-health-act-annual-statistics,
    ``eth_detentions_sr.py``).
    """
    if name == "esp2013":
        esp = stats.esp2013()
        band = next(c for c in esp.columns if "band" in c or "age" in c)
        value = next(c for c in esp.columns if "pop" in c)
        out = pd.Series(esp[value].to_numpy(dtype=float), index=esp[band].astype("str"))
        out = out.reindex(list(AGE_BANDS))
        if out.isna().any():
            raise InputError(
                f"standard_population: no standard for age bands {list(out.index[out.isna()])}"
            )
        return out.rename("standard_population").rename_axis("age_band")
    if name != "population":
        raise InputError(
            f"standard_population: name must be 'esp2013' or 'population', got {name!r}"
        )
    if population is None:
        raise InputError('standard_population: name="population" needs population=')
    require_columns(population, ["age_band", "sex_group", "population"], func="standard_population")
    summed = (
        plain_keys(population, ["age_band", "sex_group"])
        .groupby(["age_band", "sex_group"])["population"]
        .sum()
    )
    grid = pd.MultiIndex.from_product([list(AGE_BANDS), list(SEXES)], names=summed.index.names)
    summed = summed.astype(float).reindex(grid)
    if summed.isna().any():
        lacking = [f"{a} {s}" for a, s in summed.index[summed.isna()]]
        raise InputError(f"standard_population: no population for {lacking[:5]}")
    return summed.rename("standard_population").reset_index()


_COUNT_DOC = """count : str, optional
    The column of record counts of counted records (default: ``detentions`` or ``ctos``,
    whichever is there)."""


@fill_docs(
    _records.COMPLETENESS_DOC, **_records.DOCS, by_default='"financial_year"', count=_COUNT_DOC
)
def ethnicity_completeness(
    records: pd.DataFrame,
    *,
    by: str | Sequence[str] = "financial_year",
    count: str | None = None,
    confidence: float = 0.95,
) -> pd.DataFrame:
    return _records.recording_completeness(
        records, weight=_weight(records, count), by=by, confidence=confidence
    )


def _weight(records: pd.DataFrame, count: str | None = None) -> pd.Series | None:
    """Records per row of counted records (``counts_from_source``), else None."""
    for col in [count] if count else ("detentions", "ctos"):
        if col in records.columns and pd.api.types.is_integer_dtype(records[col]):
            return records[col].astype("int64")
    return None


@fill_docs(**_records.DOCS, lost="an age out of range", dataset_example='"detentions"')
def exclusions(
    records: pd.DataFrame,
    *,
    excluded: pd.DataFrame | None = None,
    dataset: str | None = None,
) -> pd.DataFrame:
    """Rows excluded from the rates by ethnic group, and why (data-quality section).

    Parameters
    ----------
    {records}
    {excluded}
    {dataset}

    Returns
    -------
    DataFrame
        (``dataset``,) ``step``, ``reason``, ``rows``, ``percent`` (of all records),
        ``applies_to``. The first row is the total; then the rows the engine could not count;
        then ethnicity not stated / not known / invalid; then, among records with a usable
        ethnic group, age not known and sex not male or female; the last row counts the records
        used in the rates.

    Notes
    -----
    The rates need ethnic group, age band and sex (age and sex for standardisation and the
    model), so records missing any of them are excluded, as in NHS Digital's statistics.

    References
    ----------
    NHS Digital. Mental Health Act Statistics, Annual Figures: methodology (records with unknown
    ethnicity, age or sex are left out of rates by ethnic group).
    """
    func = "mental_health.exclusions"
    require_columns(records, ["ethnic_group", "ethnicity_status"], func=func)
    weight = _weight(records)
    w = _records.weights(records, weight)
    usable = records["ethnic_group"].notna().to_numpy()
    no_age = _missing(records, "age_band")
    no_sex = _missing(records, "sex_group")
    applies = "rates by ethnic group"
    steps = []
    if "age_band" in records.columns:
        steps.append(("age and sex", "age not known", int(w[usable & no_age].sum()), applies))
    if "sex_group" in records.columns:
        lost = int(w[usable & ~no_age & no_sex].sum())
        steps.append(("age and sex", "sex not male or female", lost, applies))
    steps.append(
        ("used", "records used in the rates", int(w[usable & ~no_age & ~no_sex].sum()), "")
    )
    return _records.exclusions(
        records, weight=weight, excluded=excluded, unknown="exclude", later=steps, dataset=dataset
    )


def _missing(records: pd.DataFrame, column: str) -> np.ndarray:
    """Whether each row lacks ``column`` (never, when the table has no such column)."""
    if column not in records.columns:
        return np.zeros(len(records), dtype=bool)
    return records[column].isna().to_numpy()


def event_counts(
    records: pd.DataFrame,
    *,
    by: str | Sequence[str] = ("financial_year", "ethnic_group", "age_band", "sex_group"),
    count: str = "detentions",
    person: str = "person_id",
    people: str = "people",
    people_counts: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Events and distinct people by stratum.

    Parameters
    ----------
    records : DataFrame
        Output of ``prepare`` (one row per record, with ``person``), or the ``counts`` of
        ``counts_from_source`` (one row per stratum, with a ``count`` column). Not modified.
    by : str or sequence of str
        Strata.
    count : str, default "detentions"
        Name of the output column with the number of events (for counted records: the column
        of record counts).
    person : str, default "person_id"
        Column identifying a person (records only).
    people : str, default "people"
        Name of the output column with the number of distinct people.
    people_counts : DataFrame, optional
        For counted records: the ``people`` of ``counts_from_source``. When ``by`` are the
        strata of :data:`~rhoresearch.workstreams.mental_health.PEOPLE_KEYS`, a ``people``
        column is taken from it; otherwise (or without it) counted records give events only.

    Returns
    -------
    DataFrame
        One row per observed stratum: the ``by`` columns, ``count`` (events), ``people``
        (distinct people; see ``people_counts`` for counted records). With ``financial_year``
        among ``by``, a person detained in two years counts in each.

    Notes
    -----
    Records without a usable ethnic group, age band or sex are left out (counted by
    :func:`exclusions`). A person is counted once, in the stratum of their first record in the
    data (so people counts add up over strata; a person whose age band changed between
    detentions is counted in the first band only).

    References
    ----------
    NHS Digital. Mental Health Act Statistics, Annual Figures: methodology (detentions and people
    detained).
    """
    func = "mental_health.event_counts"
    cols = as_columns(by, func=func)
    if count in records.columns and person not in records.columns:
        return _counted_event_counts(
            records, by=cols, count=count, people=people, people_counts=people_counts, func=func
        )
    used = _usable(records, cols, column=person, func=func)
    events = used.groupby(cols, observed=True, sort=True).size().rename(count)
    period_cols = [c for c in cols if c in ("financial_year", "year", "period")]
    first = used.drop_duplicates([*period_cols, person], keep="first")
    persons = first.groupby(cols, observed=True, sort=True).size().rename(people)
    out = pd.concat([events, persons], axis=1).fillna(0).astype("int64").reset_index()
    logger.info("%s: %d of %d records counted", func, len(used), len(records))
    return out


def _usable(records: pd.DataFrame, by: list[str], *, column: str, func: str) -> pd.DataFrame:
    """The rows of ``records`` with an ethnic group, age band, sex and every ``by`` value.

    ``column``: the person identifier of records, or the record counts of counted records
    (checked present with the others). Aggregate tables without age bands or sex (published
    counts by group only) are not filtered on them.
    """
    require_columns(records, ["ethnic_group", column, *by], func=func)
    keep = records["ethnic_group"].notna()
    for col in dict.fromkeys(["age_band", "sex_group", *by]):
        if col in records.columns:
            keep &= records[col].notna()
    return records.loc[keep.to_numpy()]


def _counted_event_counts(
    records: pd.DataFrame,
    *,
    by: list[str],
    count: str,
    people: str,
    people_counts: pd.DataFrame | None,
    func: str,
) -> pd.DataFrame:
    """:func:`event_counts` of counted records (people when ``people_counts`` fits ``by``)."""
    used = _usable(records, by, column=count, func=func)
    summed = [count]
    if people_counts is None and people in records.columns:
        summed.append(people)  # an aggregate table with its own people column
    out = used.groupby(by, observed=True, sort=True)[summed].sum().astype("int64").reset_index()
    if people_counts is not None and set(by) == set(PEOPLE_KEYS):
        require_columns(people_counts, [*by, people], func=func, what="people_counts column")
        plain = plain_keys(people_counts, by)[[*by, people]]
        out = plain_keys(out, by).merge(plain, on=by, how="left")
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
    by: str | Sequence[str] = ("ethnic_group", "age_band", "sex"),
    region: str = "England",
    chinese: str = "other",
) -> pd.DataFrame:
    """Population denominators with high-level ethnic group, summed to the strata wanted.

    Parameters
    ----------
    population : DataFrame
        :data:`~rhoresearch.workstreams.mental_health.POPULATION`. Not modified.
    by : sequence of str, default ("ethnic_group", "age_band", "sex")
        Strata; ``ethnic_group`` is derived from ``ethnic_category``.
    region : str, default "England"
        As for ``prepare``.
    chinese : {"other", "asian"}, default "other"
        As for ``prepare``.

    Returns
    -------
    DataFrame
        The ``by`` columns (``sex`` renamed ``sex_group``, ``age_band`` an ordered categorical)
        and ``population``.

    Raises
    ------
    InputError
        If a population ethnic category is not a valid code (denominators must be clean).

    References
    ----------
    Office for National Statistics. Census 2021, TS021 ethnic group (usual residents).
    """
    func = "mental_health.population_by"
    by = as_columns(by, func=func)
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
    require_columns(prepared, cols, func=func)
    out = prepared.groupby(cols, observed=True, sort=True)["population"].sum().reset_index()
    out["population"] = out["population"].astype("int64")
    return out


def join_population(
    counts: pd.DataFrame,
    population: pd.DataFrame,
    *,
    on: str | Sequence[str],
    count_columns: Sequence[str] | None = None,
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

    References
    ----------
    NHS Digital. Mental Health Act Statistics, Annual Figures: methodology (rates with
    population denominators; groups with no detention have a rate of 0).
    """
    func = "mental_health.join_population"
    on = as_columns(on, func=func, name="on")
    require_columns(counts, on, func=func)
    pop_keys = [c for c in on if c in population.columns]
    extra = [c for c in on if c not in population.columns]
    require_columns(population, [*pop_keys, "population"], func=func)
    if count_columns is None:
        count_columns = [
            c for c in counts.columns if c not in on and pd.api.types.is_numeric_dtype(counts[c])
        ]
    else:
        count_columns = as_columns(count_columns, func=func, name="count_columns")
    grid = population[[*pop_keys, "population"]]
    if extra:
        values = counts[extra].drop_duplicates().reset_index(drop=True)
        grid = values.merge(grid, how="cross")
    left = plain_keys(grid, on)
    right = plain_keys(counts[[*on, *count_columns]], on)
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


def provider_strata(
    counts: pd.DataFrame,
    population: pd.DataFrame,
    *,
    count: str = "detentions",
    strata: Sequence[str] = ("ethnic_group", "age_band", "sex_group"),
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
        reference), for :func:`rhoresearch.stats.isr` with ``by=provider``.

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
    strata = as_columns(strata, func="provider_strata", name="strata")
    joined = join_population(counts, population, on=[provider, *strata], count_columns=[count])
    ref = joined.groupby(strata, observed=True)[[count, "population"]].sum()
    ref = ref.rename(columns={count: "ref_count", "population": "ref_population"}).reset_index()
    out = plain_keys(joined, strata).merge(plain_keys(ref, strata), on=strata, how="left")
    return out[[provider, *strata, count, "population", "ref_count", "ref_population"]]
