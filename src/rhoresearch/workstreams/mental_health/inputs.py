"""Workstream 6 inputs in any form: record-level files, published tables, Spark tables, or none.

Every data parameter of notebook 06 (detentions, CTOs, population, providers) accepts a
record-level file, an aggregate (published) table of counts, a ``"spark:<db.table>"`` table, or
``""`` (not available). :func:`read_inputs` reads them all into one :class:`Inputs`, in the shapes
the analysis steps take whatever the form:

- events (detentions, CTOs) as counted records (:class:`~rhoresearch.workstreams.mental_health.
  CountedEvents`): record-level sources are counted by
  :func:`~rhoresearch.workstreams.mental_health.counts_from_source` as before; an aggregate table
  (:func:`rhoresearch.data.published.read_aggregate`: ``ethnic_group``, ``count``, the strata
  ``financial_year`` (required), ``age_band``, ``sex``, ``region_name``/``region_code``,
  ``provider_code`` where published, an optional ``people`` column) becomes one row per label and
  stratum with the same columns;
- the population as :func:`~rhoresearch.workstreams.mental_health.population_by` gives it
  (ethnic group and the strata the table has);
- the providers as read.

``grouping="detailed"`` analyses the NHS 16 ethnic categories (or the Census 2021 19 groups when
every table uses them: :func:`rhoresearch.data.published.detailed_scheme`), by their short labels
(:func:`rhoresearch.ethnicity.short_labels`: "White British", "Indian", "Caribbean", as every
report's detailed groups); the reference group is given at the same level
(:func:`reference_label` with ``short=True``: "White British"). :func:`strata` says which
strata the data allow (age band, sex) and :func:`unavailable` words each section the data cannot
give (one sentence, from the inputs).

References
----------
NHS England. Mental Health Act Statistics, Annual Figures. Race Disparity Unit. Standards for
ethnicity data (2023): detailed groups wherever numbers allow.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, NamedTuple

import pandas as pd

from rhoresearch import data, ethnicity
from rhoresearch.data import aggregate, published
from rhoresearch.exceptions import InputError
from rhoresearch.results import exclusions_table
from rhoresearch.validation import require_columns
from rhoresearch.workstreams import _grouping, _records
from rhoresearch.workstreams._grouping import GROUPINGS, group_order, reference_label
from rhoresearch.workstreams.mental_health.counts import population_by
from rhoresearch.workstreams.mental_health.datasets import (
    _SEX_CODES,
    AGE_BANDS,
    PEOPLE_KEYS,
    POPULATION,
    PROVIDERS,
    SEXES,
    CountedEvents,
    counts_from_source,
)

__all__ = [
    "GROUPINGS",
    "NOT_AVAILABLE",
    "Inputs",
    "data_form",
    "group_order",
    "read_inputs",
    "reference_label",
    "strata",
    "unavailable",
]

logger = logging.getLogger(__name__)

#: The form of a data parameter set to ``""``.
NOT_AVAILABLE = "not available"
_EVENT_STRATA = ["financial_year", "age_band", "sex", "region_name", "region_code", "provider_code"]
_POP_STRATA = ["age_band", "sex", "region_name", "region_code", "provider_code"]


class Inputs(NamedTuple):
    """Every input of notebook 06, read.

    Attributes
    ----------
    detentions, ctos : CountedEvents or None
        Counted records (None: not available).
    population : pandas.DataFrame or None
        As read: :data:`POPULATION` records, or the aggregate table (``ethnic_group`` labels).
    pop : pandas.DataFrame or None
        Denominators by ``ethnic_group`` (and ``age_band``, ``sex_group`` where the table has
        them), in ``region``.
    providers : pandas.DataFrame or None
        :data:`PROVIDERS`.
    forms : dict
        Dataset -> ``"records"``, ``"aggregate"`` or ``"not available"``.
    scheme : str
        ``"high_level"``, ``"nhs_code"`` or ``"census2021"``.
    pop_all : pandas.DataFrame or None
        As ``pop``, for every region of the population table (England for national data): the
        standard of NHS England's age- and sex-standardised rates, regional ones included.
    """

    detentions: CountedEvents | None
    ctos: CountedEvents | None
    population: pd.DataFrame | None
    pop: pd.DataFrame | None
    providers: pd.DataFrame | None
    forms: dict[str, str]
    scheme: str
    pop_all: pd.DataFrame | None


def data_form(
    source: Any, *, value: str = "count", columns: Mapping[str, str] | None = None
) -> str:
    """``"records"``, ``"aggregate"`` or ``"not available"`` (``""``), from the header only.

    Parameters
    ----------
    source : path, ``"spark:<db.table>"``, DataFrame or ""
        A data parameter. Not modified.
    value : {"count", "population"}
        The value column of its aggregate form.
    columns : mapping, optional
        The ``columns`` parameter (publication name -> standard name).

    Returns
    -------
    str

    References
    ----------
    NHS England. Mental Health Act Statistics, Annual Figures (tables of counts).
    """
    if isinstance(source, str) and not source.strip():
        return NOT_AVAILABLE
    if value == "population":
        names = published.source_columns(source, columns=columns)
        return "records" if set(POPULATION.columns) <= set(names) else "aggregate"
    return "aggregate" if published.is_aggregate(source, columns=columns) else "records"


def _categorical(values: pd.Series, scheme: str) -> pd.Series:
    """Labels of ``scheme`` as the groups compared: detailed ones by their short labels."""
    short = scheme != "high_level"
    order = group_order(scheme, short=short)
    text = values.astype("str")
    if short:  # "White - British" -> "White British", the label every detailed report uses
        text = text.map(ethnicity.short_labels(scheme)).fillna(text)
    text = text.where(text.isin(order))
    return pd.Series(
        pd.Categorical(text, categories=order, ordered=True), index=values.index, name=values.name
    )


def _age_bands(values: pd.Series, name: str) -> pd.Series:
    """Age bands as the 19 of :data:`AGE_BANDS` ("0 to 4", "00-04", "90 and over" read alike)."""
    text = values.astype("str").str.strip().str.lower()
    text = text.str.replace(r"\s*(to|-)\s*", "-", regex=True).str.replace(" and over", "+")
    text = text.str.replace(r"\b0(\d)", r"\1", regex=True)
    bad = values.notna() & ~text.isin(AGE_BANDS)
    if bad.any():
        raise InputError(
            f"{name}: age_band {values[bad].iloc[0]!r} is not one of the 19 five-year bands of "
            f"the 2013 European Standard Population ({AGE_BANDS[0]} ... {AGE_BANDS[-1]})"
        )
    return pd.Series(
        pd.Categorical(text.where(values.notna()), categories=list(AGE_BANDS), ordered=True),
        index=values.index,
    )


def _in_region(table: pd.DataFrame, region: str, name: str) -> pd.DataFrame:
    if _records.is_england(region):
        return table
    if "region_name" not in table.columns and "region_code" not in table.columns:
        raise InputError(
            f"{name}: region {region!r} needs a region_name or region_code column (the table "
            "has neither: use region='England', or a table by region)"
        )
    filled = table.assign(
        region_name=table.get("region_name", table.get("region_code")),
        region_code=table.get("region_code", table.get("region_name")),
    )
    return table.loc[_records.select_region(filled, region=region, func=name).index]


def _aggregate_events(
    source: Any,
    *,
    count: str,
    region: str,
    scheme: str,
    chinese: str,
    columns: Mapping[str, str] | None,
    where: Mapping[str, object] | None,
) -> CountedEvents:
    """An aggregate table of events as counted records (one row per label and stratum)."""
    name = f"{count} (aggregate)"
    table = published.read_aggregate(
        source,
        strata=["financial_year"],
        optional_strata=_EVENT_STRATA,
        other_values="people",
        columns=columns,
        where=where,
        chinese=chinese,
    )
    table = _in_region(table, region, name)
    group = published.group_labels(table, to=scheme, chinese=chinese).astype("str")
    status = pd.Series("recorded", index=table.index)
    status = status.mask(group.eq(ethnicity.NOT_STATED).to_numpy(), "not stated")
    status = status.mask(group.eq(ethnicity.NOT_KNOWN).to_numpy(), "not known")
    out = table.rename(columns={"ethnic_group": "ethnic_category", "count": count})
    out["ethnic_group"] = _categorical(group.set_axis(out.index), scheme)
    out["ethnicity_status"] = status.to_numpy()
    if "age_band" in out.columns:
        out["age_band"] = _age_bands(out["age_band"], name)
    if "sex" in out.columns:
        sex = out["sex"].astype("str").str.strip().str.lower().map(_SEX_CODES)
        out["sex_group"] = pd.Categorical(sex, categories=list(SEXES))
    return CountedEvents(out.reset_index(drop=True), exclusions_table([], applies_to=True), None)


def _regroup_records(
    counted: CountedEvents, source: Any, *, scheme: str, region: str
) -> CountedEvents:
    """Record-level counts with ``ethnic_group`` at a detailed scheme (people recounted)."""
    counts = counted.counts.assign(
        ethnic_group=_grouping.harmonise_groups(
            counted.counts, scheme=scheme, short=True, chinese="other"
        )
    )
    people = None
    if counted.people is not None:
        recount, _ = aggregate.stratified_counts(
            _records.resolve_source(source),
            strata=["financial_year", "sex"],
            person="person_id",
            ethnicity_column="ethnic_category",
            harmonise_to=scheme,
            errors="not_known",
            age_column="age",
            age_bands="esp2013",
            recode={"sex": _SEX_CODES},
            filters=None if _records.is_england(region) else _region_filter(counts),
        )
        recount = recount.rename(columns={"sex": "sex_group", "n_people": "people"})
        recount["financial_year"] = recount["financial_year"].astype("str")
        recount["sex_group"] = pd.Categorical(recount["sex_group"], categories=list(SEXES))
        recount["ethnic_group"] = _categorical(recount["ethnic_group"].astype("str"), scheme)
        people = recount[[*PEOPLE_KEYS, "people"]]
    return CountedEvents(counts, counted.exclusions, people)


def _region_filter(counts: pd.DataFrame) -> Any:
    names = sorted(counts["region_name"].dropna().unique().tolist())

    def keep(t: Any) -> Any:
        return t.region_name.isin(names)

    return keep


def _read_small(
    source: Any, *, schema: Any, columns: Mapping[str, str] | None, where: Any
) -> pd.DataFrame:
    """A small record-form table (population, providers): a file, or a Spark table, validated."""
    if isinstance(source, str) and source.startswith("spark:"):
        frame = published.read_table(source, columns=columns, where=where)
        return schema.validate(frame.reset_index(drop=True), lazy=True)
    if columns or where:
        frame = published.read_table(source, columns=columns, where=where)
        return schema.validate(frame.reset_index(drop=True), lazy=True)
    return data.load(source, schema=schema)


def _read_population(
    source: Any,
    form: str,
    *,
    chinese: str,
    columns: Mapping[str, str] | None,
    where: Mapping[str, object] | None,
) -> pd.DataFrame:
    """The population as read: :data:`POPULATION` records, or an aggregate table."""
    if form == "records":
        return _read_small(source, schema=POPULATION, columns=columns, where=where)
    return published.read_aggregate(
        source,
        value="population",
        optional_strata=_POP_STRATA,
        columns=columns,
        where=where,
        chinese=chinese,
    )


def _denominators(
    population: pd.DataFrame, form: str, *, region: str, scheme: str, chinese: str
) -> pd.DataFrame:
    """Denominators by group (and age band, sex, where the table has them) in ``region``."""
    if form == "records":
        if scheme == "high_level":
            return population_by(population, region=region)
        table = _records.select_region(population, region=region, func="population")
        table = table.rename(columns={"ethnic_category": "ethnic_group"})
    else:
        table = _in_region(population, region, "population (aggregate)")
    group = published.group_labels(table, to=scheme, chinese=chinese).astype("str")
    unknown = group.isin([ethnicity.NOT_STATED, ethnicity.NOT_KNOWN])
    if unknown.any():
        raise InputError(
            f"population: rows of unknown ethnicity ({table.loc[unknown, 'ethnic_group'].iloc[0]!r})"
            ": denominators must be by ethnic group"
        )
    pop = pd.DataFrame({"ethnic_group": _categorical(group, scheme)}, index=table.index)
    if "age_band" in table.columns:
        pop["age_band"] = _age_bands(table["age_band"], "population")
    if "sex" in table.columns:
        sex = table["sex"].astype("str").str.strip().str.lower().map(_SEX_CODES)
        pop["sex_group"] = pd.Categorical(sex, categories=list(SEXES))
    pop["population"] = table["population"].astype("int64")
    keys = [c for c in ("ethnic_group", "age_band", "sex_group") if c in pop.columns]
    out = pop.groupby(keys, observed=True, sort=True)["population"].sum().reset_index()
    return out.astype({"population": "int64"})


def read_inputs(
    *,
    detentions: Any,
    ctos: Any,
    population: Any,
    providers: Any,
    region: str = "England",
    grouping: str = "high_level",
    columns: Mapping[str, str] | None = None,
    where: Mapping[str, object] | None = None,
    chinese: str = "other",
) -> Inputs:
    """Read every input of notebook 06, whatever its form.

    Parameters
    ----------
    detentions, ctos : path, ``"spark:<db.table>"``, DataFrame or ""
        Record-level files or tables (:data:`DETENTIONS`, :data:`CTOS`), aggregate tables of
        counts (:func:`rhoresearch.data.published.read_aggregate`), or ``""`` (not available).
    population : path, ``"spark:<db.table>"``, DataFrame or ""
        :data:`POPULATION` (by provider catchment, ethnic category, age band and sex) or an
        aggregate table of ``population`` (or ``denominator``) by ``ethnic_group`` and any of
        ``age_band``, ``sex``, ``region_name``/``region_code``, ``provider_code``.
    providers : path, ``"spark:<db.table>"``, DataFrame or ""
        :data:`PROVIDERS`.
    region : str, default "England"
        An NHS England region name or code (tables must then have a region column).
    grouping : {"high_level", "detailed"}, default "high_level"
        The five high-level groups, or the detailed groups (NHS 16, or Census 2021 19 where every
        table uses them).
    columns, where : mapping, optional
        :func:`rhoresearch.data.published.read_table`'s: applied to the aggregate and small
        tables that have the named columns. Record-level event files are read as they are.
    chinese : {"other", "asian"}, default "other"
        Where Chinese goes at the high level (NHS England: Other).

    Returns
    -------
    Inputs

    Raises
    ------
    InputError, SchemaError
        For an input that cannot be read (naming the file, column, row and value), an unknown
        ``grouping``, or a record-level event file named in ``columns``/``where``.

    References
    ----------
    NHS England. Mental Health Act Statistics, Annual Figures.
    """
    _grouping.check_grouping(grouping, func="mental_health.read_inputs")
    sources = {"detentions": detentions, "ctos": ctos, "population": population}
    forms = {
        key: data_form(src, value="population" if key == "population" else "count", columns=columns)
        for key, src in sources.items()
    }
    forms["providers"] = data_form(providers, value="population", columns=columns)
    if forms["providers"] != NOT_AVAILABLE:
        forms["providers"] = "records"
    scheme = "high_level"
    if grouping == "detailed":
        scheme = _detailed_scheme(sources, forms, columns=columns, where=where)
    events: dict[str, CountedEvents | None] = {}
    for key, count in (("detentions", "detentions"), ("ctos", "ctos")):
        if forms[key] == NOT_AVAILABLE:
            events[key] = None
        elif forms[key] == "aggregate":
            events[key] = _aggregate_events(
                sources[key],
                count=count,
                region=region,
                scheme=scheme,
                chinese=chinese,
                columns=columns,
                where=where,
            )
        else:
            _check_record_names(sources[key], columns, where)
            counted = counts_from_source(sources[key], count=count, region=region)
            if scheme != "high_level":
                counted = _regroup_records(counted, sources[key], scheme=scheme, region=region)
            events[key] = counted
    population_read, pop, everyone = None, None, None
    if forms["population"] != NOT_AVAILABLE:
        population_read = _read_population(
            population, forms["population"], chinese=chinese, columns=columns, where=where
        )
        options = {"scheme": scheme, "chinese": chinese}
        pop = _denominators(population_read, forms["population"], region=region, **options)
        everyone = pop
        if not _records.is_england(region):
            everyone = _denominators(
                population_read, forms["population"], region="England", **options
            )
    providers_read = None
    if forms["providers"] != NOT_AVAILABLE:
        providers_read = _read_small(providers, schema=PROVIDERS, columns=columns, where=where)
    logger.info("mental health inputs: %s, groups %s", forms, scheme)
    inputs = Inputs(
        events["detentions"],
        events["ctos"],
        population_read,
        pop,
        providers_read,
        forms,
        scheme,
        everyone,
    )
    _check_denominators(inputs)
    return inputs


def _check_record_names(
    source: Any, columns: Mapping[str, str] | None, where: Mapping[str, object] | None
) -> None:
    names = set(published.source_columns(source))
    named = sorted(names & {*(columns or {}), *(where or {})})
    if named:
        raise InputError(
            f"{source}: columns=/where= name {named}, columns of a record-level file; they apply "
            "to aggregate and small tables only: rename or filter the records at source"
        )


def _detailed_scheme(
    sources: dict[str, Any],
    forms: dict[str, str],
    *,
    columns: Mapping[str, str] | None,
    where: Mapping[str, object] | None,
) -> str:
    """Census 2021 when every aggregate table uses it (records carry NHS codes), else NHS."""
    if any(f == "records" for f in forms.values() if f != NOT_AVAILABLE):
        return "nhs_code"
    tables = [
        published.read_table(src, columns=columns, where=where)
        for key, src in sources.items()
        if forms[key] == "aggregate"
    ]
    return published.detailed_scheme(*tables) if tables else "nhs_code"


def strata(inputs: Inputs) -> list[str]:
    """The strata every available event table and the population share: age band, then sex.

    Parameters
    ----------
    inputs : Inputs
        :func:`read_inputs` output.

    Returns
    -------
    list of str
        A sub-list of ``["age_band", "sex_group"]``: standardised rates need ``age_band``,
        models adjust for what is there.

    References
    ----------
    NHS England. Mental Health Act Statistics, Annual Figures: methodology (standardisation by
    age and sex).
    """
    if inputs.pop is None:
        return []
    shared = []
    for column in ("age_band", "sex_group"):
        tables = [e.counts for e in (inputs.detentions, inputs.ctos) if e is not None]
        if column in inputs.pop.columns and all(column in t.columns for t in tables):
            shared.append(column)
    return shared


_WHY = {
    "detentions": "no detentions table was given (detentions_path is empty)",
    "ctos": "no community treatment order table was given (ctos_path is empty)",
    "population": "no population table was given (population_path is empty), so no rate can "
    "be computed",
    "providers": "no providers table was given (providers_path is empty)",
}


def unavailable(section: str, inputs: Inputs) -> str | None:
    """The one sentence that replaces a section the inputs cannot give, or None.

    Parameters
    ----------
    section : {"detentions", "ctos", "rates", "standardised", "adjusted", "providers"}
        The section.
    inputs : Inputs
        :func:`read_inputs` output.

    Returns
    -------
    str or None
        E.g. "Age-standardised rates are not shown: the detentions table has no age bands."

    References
    ----------
    Office for National Statistics. Code of Practice for Statistics: explain what the statistics
    cannot show.
    """
    have = strata(inputs)
    if section in ("detentions", "ctos"):
        return None if getattr(inputs, section) is not None else _sentence(_WHY[section])
    if inputs.pop is None:
        return _sentence(_WHY["population"])
    if section == "rates":
        return None
    if section == "standardised":
        if "age_band" in have:
            return None
        return (
            "Standardised rates are not shown: the data have no age bands shared by the counts "
            "and the population, so only crude rates can be computed."
        )
    if section == "adjusted":
        if have:
            return None
        return (
            "Adjusted rate ratios are not shown: the data have no age or sex strata, so only "
            "crude ratios can be computed."
        )
    if section == "providers":
        if inputs.providers is None:
            return _sentence(_WHY["providers"])
        counts = inputs.detentions.counts if inputs.detentions is not None else None
        if counts is None or "provider_code" not in counts.columns:
            return "Providers are not compared: the detentions table has no provider_code."
        if inputs.population is None or "provider_code" not in inputs.population.columns:
            return "Providers are not compared: the population has no provider catchments."
        if inputs.scheme != "high_level":
            return (
                "Providers are compared with grouping='high_level' only: catchment populations "
                "by detailed ethnic group, age band and sex are too small for expected counts."
            )
        if inputs.forms.get("population") != "records" or len(have) < 2:
            return (
                "Providers are not compared: the comparison needs catchment populations by "
                "ethnic group, age band and sex."
            )
        return None
    raise InputError(f"unavailable: unknown section {section!r}")


def _sentence(why: str) -> str:
    return f"This section is not shown: {why}."


def _check_denominators(inputs: Inputs) -> None:
    """Check that every group with counts has a denominator (the first missing one named)."""
    if inputs.pop is None:
        return
    for key in ("detentions", "ctos"):
        events = getattr(inputs, key)
        if events is None:
            continue
        counts = events.counts[events.counts["ethnic_group"].notna()]
        require_columns(counts, ["ethnic_group"], func="check_inputs")
        published.check_denominators(
            counts.assign(ethnic_group=counts["ethnic_group"].astype("str")),
            inputs.pop.assign(ethnic_group=inputs.pop["ethnic_group"].astype("str")),
            name=f"the {key} table",
            denominator_name="the population table",
        )
