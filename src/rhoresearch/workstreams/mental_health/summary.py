"""Workstream 6 results: rates and rate ratios of the three measures, providers, key findings.

- :data:`MEASURES`: detentions, people detained and community treatment orders, each with its
  count column and the words of the key findings; :data:`STANDARD_NAMES`, :data:`STANDARDISED`;
- :func:`measure_rates`: crude and directly standardised rates per 100,000 (by age, or by age and
  sex as NHS England standardises);
- :func:`measure_ratios` (crude rate ratios), :func:`adjusted_ratios` (Poisson or negative
  binomial regression on age band and sex), combined by
  :func:`~rhoresearch.workstreams._comparisons.compare_crude_adjusted`; :func:`model_description`
  (the model actually fitted, for captions);
- :func:`rates_with_published`: the computed rates beside the published (crude) ones;
- :func:`provider_funnel`, :func:`providers_outside`: providers compared by indirectly
  standardised ratios on a funnel plot;
- :func:`findings`: the report's key findings, from the numbers and the notebook's parameters.

References
----------
NHS Digital. Mental Health Act Statistics, Annual Figures: methodology. Dobson AJ, Kuulasmaa K,
Eberle E, Scherer J. Confidence intervals for weighted sums of Poisson parameters. Stat Med
1991;10:457-62. Spiegelhalter DJ. Funnel plots for comparing institutional performance. Stat Med
2005;24:1185-1202.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import pandas as pd

from rhoresearch import disclosure, ethnicity, stats
from rhoresearch.docstrings import fill_docs
from rhoresearch.exceptions import InputError
from rhoresearch.validation import as_columns, check_confidence, require_columns
from rhoresearch.workstreams import _comparisons, _rates, _wording
from rhoresearch.workstreams._records import plain_keys
from rhoresearch.workstreams.mental_health.counts import (
    event_counts,
    population_by,
    provider_strata,
)
from rhoresearch.workstreams.mental_health.published import published_for_year

__all__ = [
    "Measure",
    "MEASURES",
    "STANDARD_NAMES",
    "STANDARDISED",
    "MODEL_NAMES",
    "RATE_COLUMNS",
    "ProviderFunnel",
    "PROVIDER_COLUMNS",
    "measure_rates",
    "measure_ratios",
    "adjusted_ratios",
    "model_description",
    "rates_with_published",
    "provider_funnel",
    "providers_outside",
    "findings",
]

_STRATA = ["ethnic_group", "age_band", "sex_group"]


@fill_docs(**_comparisons.DOCS)
class Measure(NamedTuple):
    """One measure of workstream 6: where it is counted and how it is spoken of.

    Attributes
    ----------
    name : str
        As named in the tables (``"People detained"``).
    source : {"detentions", "ctos"}
        Which strata hold it (:func:`measure_rates`' ``detentions`` or ``ctos``).
    column : str
        The count column of those strata (``"detentions"``, ``"people"``, ``"ctos"``).
    {phrase_attributes}
    """

    name: str
    source: str
    column: str
    outcome: str
    noun: str


#: The three measures, in the order of every table.
MEASURES = (
    Measure(
        "Detentions",
        "detentions",
        "detentions",
        "be detained under the Mental Health Act",
        "people",
    ),
    Measure(
        "People detained", "detentions", "people", "be detained at least once in the year", "people"
    ),
    Measure(
        "Community treatment orders",
        "ctos",
        "ctos",
        "be placed on a community treatment order",
        "people",
    ),
)

#: What each ``standard`` of ``standard_population`` is called in a report.
STANDARD_NAMES = {
    "esp2013": "2013 European Standard Population",
    "population": "the England population of all ethnic groups by age and sex, NHS England's standard",
}
#: The ``rate_type`` of the standardised rates with each ``standard`` of ``standard_population``.
STANDARDISED = {"esp2013": "age-standardised", "population": "age- and sex-standardised"}

#: Columns of :func:`measure_rates`.
RATE_COLUMNS = [
    "measure",
    "rate_type",
    "financial_year",
    "ethnic_group",
    "count",
    "population",
    "value",
    "lower_ci",
    "upper_ci",
    "method",
]

#: Columns of the points of :func:`provider_funnel`.
PROVIDER_COLUMNS = [
    "provider_code",
    "provider_name",
    "provider_type",
    "count",
    "expected",
    "value",
    "lower_ci",
    "upper_ci",
    "significance",
]


def _parts(
    detentions: pd.DataFrame | None,
    ctos: pd.DataFrame | None,
    *,
    year: str | None = None,
    **labels: str,
) -> list[_rates.Part]:
    """Each measure as a part of :func:`~rhoresearch.workstreams._rates.stacked`.

    A part is labelled ``measure`` (then ``labels``, e.g. ``rate_type``) and gives the statistic
    the measure's strata (those of ``year`` only, when given) and its count column. A measure
    whose strata are None (not available) or lack its count column (a published table without
    people counts) is left out.
    """
    frames = {"detentions": detentions, "ctos": ctos}
    return [
        _rates.Part(
            {"measure": m.name, **labels},
            frame if year is None else _in_year(frame, year),
            {"count": m.column},
        )
        for m in MEASURES
        if (frame := frames[m.source]) is not None and m.column in frame.columns
    ]


def _in_year(frame: pd.DataFrame, year: str) -> pd.DataFrame:
    return frame[frame["financial_year"] == year]


def _by_age_and_sex(frame: pd.DataFrame, standard: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with a ``stratum`` (age band and sex) and its ``standard_population``."""
    keys = ["age_band", "sex_group"]
    require_columns(standard, [*keys, "standard_population"], func="measure_rates")
    weights = plain_keys(standard, keys)[[*keys, "standard_population"]]
    out = plain_keys(frame, keys).merge(weights, on=keys, how="left")
    out["stratum"] = out["age_band"] + ", " + out["sex_group"]
    for c in keys:
        out[c] = frame[c].to_numpy()
    return out


def measure_rates(
    detentions: pd.DataFrame | None,
    ctos: pd.DataFrame | None,
    *,
    standard: str | pd.Series | pd.DataFrame | None = "esp2013",
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Crude and directly standardised rates per 100,000 of the three measures, by year and group.

    Parameters
    ----------
    detentions : DataFrame or None
        Detentions and people by ``financial_year``, ethnic group, age band and sex (those the
        data have), joined to their population (``join_population`` of ``event_counts``). Not
        modified. None: not available (its measures are left out).
    ctos : DataFrame or None
        The same for community treatment orders (``ctos``). Not modified.
    standard : "esp2013", Series or DataFrame, default "esp2013"
        The standard population of direct standardisation (``standard_population``): by age band
        (``"esp2013"`` or a Series), or by age band and sex (a DataFrame with ``age_band``,
        ``sex_group``, ``standard_population``: ``standard_population("population", ...)``).
        None: crude rates only (data without age bands).
    confidence : float, default 0.95
        Level of the intervals.

    Returns
    -------
    DataFrame
        :data:`RATE_COLUMNS`: ``measure`` (:data:`MEASURES` names), ``rate_type`` (``crude``
        rows of every measure first, then ``age-standardised``, or ``age- and
        sex-standardised`` with a standard by age and sex), ``financial_year``,
        ``ethnic_group``, ``count`` (int), ``population`` (int), ``value`` (per 100,000),
        ``lower_ci``, ``upper_ci``, ``method``.

    Notes
    -----
    Crude rates: :func:`rhoresearch.stats.rate` (Byar's method, exact below 10 events).
    Standardised rates: :func:`rhoresearch.stats.dsr` (Dobson's method) over the 19 age bands,
    sexes together; with a standard by age and sex, over the 38 strata of age band and sex (the
    standard's weight of each stratum given row by row), as NHS England standardises its rates
    by ethnic group.

    References
    ----------
    Breslow NE, Day NE (1987). Dobson AJ, et al. (1991), as above. Eurostat. Revision of the
    European Standard Population, 2013 edition.
    """
    confidence = check_confidence(confidence, func="measure_rates")
    options = {"population": "population", "by": ["financial_year", "ethnic_group"]}
    crude = _rates.stacked(
        stats.rate,
        _parts(detentions, ctos, rate_type="crude"),
        **options,
        confidence=confidence,
    )
    if standard is None:
        return crude[RATE_COLUMNS].astype({"count": "int64", "population": "int64"})
    if isinstance(standard, pd.DataFrame):
        standardised = _rates.stacked(
            stats.dsr,
            _parts(
                None if detentions is None else _by_age_and_sex(detentions, standard),
                None if ctos is None else _by_age_and_sex(ctos, standard),
                rate_type=STANDARDISED["population"],
            ),
            **options,
            age="stratum",
            standard="standard_population",
            confidence=confidence,
        )
    else:
        standardised = _rates.stacked(
            stats.dsr,
            _parts(detentions, ctos, rate_type=STANDARDISED["esp2013"]),
            **options,
            age="age_band",
            standard=standard,
            confidence=confidence,
        )
    out = pd.concat([crude, standardised], ignore_index=True)[RATE_COLUMNS]
    return out.astype({"count": "int64", "population": "int64"})


def measure_ratios(
    detentions: pd.DataFrame | None,
    ctos: pd.DataFrame | None,
    *,
    year: str,
    reference: str = "White",
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Crude rate ratios of the three measures against a reference group, in one year.

    Parameters
    ----------
    detentions, ctos : DataFrame or None
        As for :func:`measure_rates`. Not modified.
    year : str
        The financial year compared.
    reference : str, default "White"
        The reference ethnic group.
    confidence : float, default 0.95
        Level of the intervals.

    Returns
    -------
    DataFrame
        :func:`rhoresearch.stats.rate_ratio` output for each measure (``ethnic_group``,
        ``count``, ``reference_count``, ``value``, ``lower_ci``, ``upper_ci``, ``p_value``,
        ``is_reference`` ...), with a ``measure`` column.

    References
    ----------
    Katz D, Baptista J, Azen SP, Pike MC. Obtaining confidence intervals for the risk ratio in
    cohort studies. Biometrics 1978;34:469-74 (log method).
    """
    confidence = check_confidence(confidence, func="measure_ratios")
    return _rates.stacked(
        stats.rate_ratio,
        _parts(detentions, ctos, year=year),
        population="population",
        group="ethnic_group",
        reference=reference,
        confidence=confidence,
    )


def adjusted_ratios(
    detentions: pd.DataFrame | None,
    ctos: pd.DataFrame | None,
    *,
    year: str,
    reference: str = "White",
    covariates: Sequence[str] = ("age_band", "sex_group"),
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Rate ratios of the three measures adjusted for age band and sex (Poisson model).

    Parameters
    ----------
    detentions, ctos : DataFrame or None
        As for :func:`measure_rates`. Not modified.
    year : str
        The financial year modelled.
    reference : str, default "White"
        The reference ethnic group.
    covariates : sequence of str, default ("age_band", "sex_group")
        Model covariates (categorical).
    confidence : float, default 0.95
        Level of the intervals.

    Returns
    -------
    DataFrame
        :func:`rhoresearch.stats.poisson_model` output for each measure (``term``, ``group``,
        ``estimate``, ``lower_ci``, ``upper_ci``, ``p_value``, ``is_reference``, ``model`` ...),
        with a ``measure`` column.

    Notes
    -----
    Log offset of the population; a negative binomial model replaces the Poisson one when the
    counts are over-dispersed (``model`` column).

    References
    ----------
    McCullagh P, Nelder JA. Generalized linear models, 2nd edn. London: Chapman & Hall; 1989.
    """
    covariates = as_columns(covariates, func="adjusted_ratios", name="covariates")
    confidence = check_confidence(confidence, func="adjusted_ratios")
    return _rates.stacked(
        stats.poisson_model,
        _parts(detentions, ctos, year=year),
        population="population",
        group="ethnic_group",
        reference=reference,
        covariates=covariates,
        confidence=confidence,
    )


#: How the ``fit`` of an adjusted ratio (:func:`rhoresearch.stats.poisson_model`'s ``model``)
#: is named in a caption.
MODEL_NAMES = {"poisson": "Poisson regression", "negative_binomial": "negative binomial regression"}


def model_description(comparison: pd.DataFrame, *, covariates: str = "age band and sex") -> str:
    """The adjusted model as actually fitted, in words (for captions and section text).

    Parameters
    ----------
    comparison : DataFrame
        ``compare_crude_adjusted`` output (``measure``, ``comparison``, ``fit``). Not modified.
    covariates : str, default "age band and sex"
        What the model adjusts for, in words.

    Returns
    -------
    str
        ``"Poisson regression on age band and sex"`` when every measure's model was Poisson;
        ``"negative binomial regression on age band and sex (the counts were over-dispersed)"``
        when every one was negative binomial; otherwise each model with its measures, e.g.
        ``"negative binomial regression (Detentions) and Poisson regression (People detained,
        Community treatment orders) on age band and sex"``.

    References
    ----------
    McCullagh P, Nelder JA. Generalized linear models, 2nd edn. London: Chapman & Hall; 1989.
    Hilbe JM. Negative binomial regression, 2nd edn. Cambridge University Press; 2011.
    """
    require_columns(comparison, ["measure", "comparison", "fit"], func="model_description")
    fits = comparison[comparison["comparison"] == "adjusted"].drop_duplicates("measure")
    by_model: dict[str, list[str]] = {}
    for measure, fit in zip(fits["measure"], fits["fit"], strict=True):
        by_model.setdefault(MODEL_NAMES.get(str(fit), str(fit)), []).append(str(measure))
    if not by_model:
        raise InputError("model_description: comparison has no adjusted ratios")
    if len(by_model) == 1:
        (name,) = by_model
        over = (
            " (the counts were over-dispersed)" if name == MODEL_NAMES["negative_binomial"] else ""
        )
        return f"{name} on {covariates}{over}"
    parts = [f"{name} ({', '.join(measures)})" for name, measures in by_model.items()]
    return f"{' and '.join(parts)} on {covariates}"


def rates_with_published(
    rates: pd.DataFrame, published: pd.DataFrame, *, measure: str, year: str
) -> pd.DataFrame:
    """One measure's rates in ``year`` beside the published national crude rates.

    Parameters
    ----------
    rates : DataFrame
        :func:`measure_rates` output (after disclosure control). Not modified.
    published : DataFrame
        ``published_rates`` output. Not modified.
    measure : {"detentions", "ctos"}
        The measure (Detentions or Community treatment orders).
    year : str
        The financial year shown.

    Returns
    -------
    DataFrame
        The measure's rows of ``year`` (the columns of ``rates``, crude and standardised) with
        ``published_year``, ``published_group``, ``published_rate``, ``source_note`` of the
        group (``published_for_year``) beside the **crude** rows only: the published rates are
        crude rates, not comparable with standardised ones (blank on the standardised rows).

    References
    ----------
    NHS Digital. Mental Health Act Statistics, Annual Figures (published crude rates per 100,000 by
    ethnic group; populations changed in 2022-23).
    """
    names = {m.source: m.name for m in MEASURES if m.column == m.source}
    if measure not in names:
        raise InputError(f"rates_with_published: measure must be one of {list(names)}")
    require_columns(rates, ["measure", "financial_year"], func="rates_with_published")
    now = rates[rates["financial_year"] == year]
    pub = published_for_year(published, year, measure=measure)
    out = now[now["measure"] == names[measure]].merge(pub, on="ethnic_group", how="left")
    crude = out["rate_type"].eq("crude").to_numpy()
    for column in pub.columns.drop("ethnic_group"):
        out[column] = out[column].where(crude)
    return out


class ProviderFunnel(NamedTuple):
    """Providers compared on a funnel plot.

    Attributes
    ----------
    points : pandas.DataFrame
        One row per provider, :data:`PROVIDER_COLUMNS`.
    limits : pandas.DataFrame
        :func:`rhoresearch.stats.funnel_limits` output over the providers' range.
    outside : pandas.Series
        Boolean, aligned with ``points``: outside the 99.8% limits (the ``outside_998`` of
        :func:`rhoresearch.stats.funnel_significance`).
    """

    points: pd.DataFrame
    limits: pd.DataFrame
    outside: pd.Series


def provider_funnel(
    records: pd.DataFrame,
    population: pd.DataFrame,
    providers: pd.DataFrame,
    *,
    year: str,
    region: str = "England",
    count: str = "detentions",
    confidence: float = 0.95,
) -> ProviderFunnel:
    """Each provider's events against those expected from the rates of all providers.

    Parameters
    ----------
    records : DataFrame
        Output of ``prepare`` or the ``counts`` of ``counts_from_source`` (detentions). Not
        modified.
    population : DataFrame
        :data:`~rhoresearch.workstreams.mental_health.POPULATION` (catchment populations by
        provider). Not modified.
    providers : DataFrame
        :data:`~rhoresearch.workstreams.mental_health.PROVIDERS`. Not modified.
    year : str
        The financial year compared.
    region : str, default "England"
        As for ``prepare``.
    count : str, default "detentions"
        The event column.
    confidence : float, default 0.95
        Level of each provider's interval.

    Returns
    -------
    ProviderFunnel
        ``points``: ``provider_code``, ``provider_name``, ``provider_type``, ``count``
        (observed), ``expected``, ``value`` (observed as % of expected), ``lower_ci``,
        ``upper_ci``, ``significance`` (the PHE funnel label); ``limits``: the 95% and 99.8%
        funnel limits from half the smallest provider's count up; ``outside``: whether each
        provider is outside the 99.8% limits.

    Notes
    -----
    Indirect standardisation by ethnic group, five-year age band and sex (``provider_strata``):
    a provider's expected count applies the rates of all providers in the selection to its
    catchment population. Limits: exact Poisson / Byar's limits of the ratio around 1.

    References
    ----------
    Spiegelhalter DJ. Funnel plots for comparing institutional performance. Stat Med
    2005;24:1185-1202. Breslow NE, Day NE (1987), as above.
    """
    confidence = check_confidence(confidence, func="provider_funnel")
    provider_counts = event_counts(
        _in_year(records, year), by=["provider_code", *_STRATA], count=count
    )
    provider_pop = population_by(
        population, by=["provider_code", "ethnic_group", "age_band", "sex"], region=region
    )
    isr = stats.isr(
        provider_strata(provider_counts, provider_pop, count=count),
        count=count,
        population="population",
        ref_count="ref_count",
        ref_population="ref_population",
        by="provider_code",
        confidence=confidence,
        multiplier=100,
    ).merge(providers[["provider_code", "provider_name", "provider_type"]], on="provider_code")
    limits = stats.funnel_limits(
        isr, statistic="ratio", numerator="count", denominator="expected", ratio_type="isr"
    )
    limits = limits[limits["observed_events"] >= isr["count"].min() / 2]
    points = stats.funnel_significance(
        isr, statistic="ratio", numerator="count", denominator="expected"
    )
    return ProviderFunnel(points[PROVIDER_COLUMNS], limits, points["outside_998"].astype(bool))


def providers_outside(points: pd.DataFrame, outside: pd.Series) -> pd.DataFrame:
    """The providers outside the 99.8% funnel limits whose label passed disclosure control.

    Parameters
    ----------
    points : DataFrame
        The ``points`` of :func:`provider_funnel` after :func:`rhoresearch.disclosure.suppress`.
        Not modified.
    outside : Series
        The ``outside`` of :func:`provider_funnel`.

    Returns
    -------
    DataFrame
        The rows of ``points`` outside the 99.8% limits, except those whose ``significance`` is
        suppressed.

    References
    ----------
    Spiegelhalter DJ. Funnel plots for comparing institutional performance. Stat Med
    2005;24:1185-1202 (99.8% limits: about 3 standard deviations).
    """
    require_columns(points, ["significance"], func="providers_outside")
    flagged = outside.reindex(points.index, fill_value=False).astype(bool)
    hidden = disclosure.is_suppressed(points, "significance")
    return points[flagged.to_numpy() & ~pd.Series(hidden, index=points.index).to_numpy()]


def _short_labels(
    rates: pd.DataFrame, comparison: pd.DataFrame, reference: str
) -> tuple[pd.DataFrame, pd.DataFrame, str]:
    """Detailed groups as sentences name them ("Indian", "White British"); others unchanged."""
    short = {**ethnicity.short_labels("nhs_code"), **ethnicity.short_labels("census2021")}
    if reference not in short:
        return rates, comparison, reference

    def named(frame: pd.DataFrame) -> pd.DataFrame:
        labels = frame["ethnic_group"].astype("str")
        return frame.assign(ethnic_group=labels.map(short).fillna(labels))

    return named(rates), named(comparison), short[reference]


@fill_docs(**_comparisons.DOCS, adjusted_for_default='"age and sex"')
def findings(
    rates: pd.DataFrame,
    comparison: pd.DataFrame,
    *,
    year: str,
    region: str = "England",
    reference: str = "White",
    confidence: float = 0.95,
    adjusted_for: str = "age and sex",
    standard_name: str | None = None,
) -> list[str]:
    """The key findings in markdown: a heading sentence, standardised rates, the ratios.

    Parameters
    ----------
    rates : DataFrame
        :func:`measure_rates` output after :func:`rhoresearch.disclosure.suppress`. Not modified.
    comparison : DataFrame
        ``compare_crude_adjusted`` of :func:`measure_ratios` and :func:`adjusted_ratios` after
        :func:`rhoresearch.disclosure.suppress`. Not modified.
    year : str
        The financial year of the comparison.
    {findings_options}
    standard_name : str, optional
        The standard population of the standardised rates, named in the heading
        (:data:`STANDARD_NAMES`).

    Returns
    -------
    list of str
        Markdown lines: ``"**London, 2023-24.** Rates per 100,000 population of each ethnic
        group, compared with White people; ... Standardised rates use the 2013 European Standard
        Population."``, an empty line, one bullet per group for the standardised detention rate
        (``age-standardised`` or ``age- and sex-standardised``; the crude rate when the data
        have no age strata) (:func:`rhoresearch.report.narrative.rate_sentence`), then one per
        measure, group and comparison for the rate ratios
        (:func:`rhoresearch.report.narrative.ratio_sentence`). The region is printed as a name
        (``"north-west"`` -> ``"North West"``); detailed groups by their short names
        (:func:`rhoresearch.ethnicity.short_labels`: "Indian", "White British").

    References
    ----------
    NHS Digital. Mental Health Act Statistics, Annual Figures (how rates by ethnic group are
    reported).
    """
    confidence = check_confidence(confidence, func="mental_health.findings")
    require_columns(
        rates, ["measure", "rate_type", "financial_year", "ethnic_group"], func="findings"
    )
    detentions = MEASURES[0]
    rates, comparison, reference = _short_labels(rates, comparison, reference)
    shown = rates[(rates["financial_year"] == year) & (rates["measure"] == detentions.name)]
    kinds = [k for k in dict.fromkeys(shown["rate_type"].astype("str")) if k != "crude"]
    kind = kinds[0] if kinds else "crude"
    heading = (
        f"**{_wording.region_name(region)}, {year}.** Rates per 100,000 population of each "
        f"ethnic group, compared with {reference} people; ratios above 1 mean higher rates than "
        "the reference group."
    )
    if kinds and standard_name:
        heading += f" Standard population of the standardised rates: {standard_name}."
    return _comparisons.key_findings(
        shown[shown["rate_type"] == kind],
        comparison,
        heading=heading,
        rate=f"{kind} detention rate",
        unit="per 100,000 population",
        noun=detentions.noun,
        phrases=MEASURES,
        key="measure",
        reference=reference,
        adjusted_for=adjusted_for,
        confidence=confidence,
    )
