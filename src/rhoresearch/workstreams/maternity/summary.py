"""Workstream 5 results: rates and rate ratios of the three outcomes, and the key findings.

- :data:`OUTCOMES`: maternal death, stillbirth and neonatal death, each with its event count,
  denominator, multiplier, unit and the words of the key findings;
- :func:`outcome_rates`, :func:`yearly_perinatal_rates`: rates with exact / Byar's intervals;
- :func:`outcome_ratios` (crude rate ratios), :func:`adjusted_ratios` (Poisson regression on
  age band and deprivation quintile), combined by
  :func:`~rhoresearch.workstreams._comparisons.compare_crude_adjusted`;
- :func:`rates_with_published`: the computed maternal mortality rates beside the published ones;
- :func:`findings`, :func:`published_neonatal_note`: the report's sentences, from the numbers and
  the notebook's parameters.

References
----------
Knight M, et al. (eds.) on behalf of MBRRACE-UK. Saving Lives, Improving Mothers' Care. Oxford:
NPEU, University of Oxford (annual). MBRRACE-UK Perinatal Mortality Surveillance technical manual.
Breslow NE, Day NE. Statistical methods in cancer research, volume II. Lyon: IARC; 1987.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

import pandas as pd

from rhoresearch import stats
from rhoresearch.docstrings import fill_docs
from rhoresearch.exceptions import InputError
from rhoresearch.validation import as_columns, check_confidence, require_columns
from rhoresearch.workstreams import _comparisons, _rates
from rhoresearch.workstreams.maternity.counts import maternal_counts, perinatal_counts
from rhoresearch.workstreams.maternity.periods import records_in_period
from rhoresearch.workstreams.maternity.published import published_for_period

__all__ = [
    "Outcome",
    "OUTCOMES",
    "RATE_COLUMNS",
    "outcome_rates",
    "yearly_perinatal_rates",
    "outcome_ratios",
    "adjusted_ratios",
    "rates_with_published",
    "findings",
    "published_neonatal_note",
]


@fill_docs(**_comparisons.DOCS)
class Outcome(NamedTuple):
    """One outcome of workstream 5: how it is counted, expressed and spoken of.

    Attributes
    ----------
    name : str
        As named in the tables (``"Stillbirth"``).
    source : {"maternal", "perinatal"}
        Which counts hold it (:func:`maternal_counts` or :func:`perinatal_counts` output).
    events, denominator : str
        The event and denominator columns of those counts.
    multiplier : int
        Rate per ``multiplier`` (100,000 maternities; 1,000 births).
    unit : str
        The rate's unit in words.
    {phrase_attributes}
    """

    name: str
    source: str
    events: str
    denominator: str
    multiplier: int
    unit: str
    outcome: str
    noun: str


#: The three outcomes, in the order of every table (MBRRACE-UK definitions and denominators).
#: Who a sentence speaks of follows the unit of the rate: maternal deaths are per maternity (a
#: woman), stillbirths and neonatal deaths per baby, so their sentences speak of babies ("Black
#: mothers' babies were 2.2 times as likely as White mothers' babies to be stillborn"), never of
#: mothers "as likely to have a stillbirth" (a mother of twins would count twice).
OUTCOMES = (
    Outcome(
        "Maternal death",
        "maternal",
        "maternal_deaths",
        "maternities",
        100_000,
        "per 100,000 maternities",
        "die in pregnancy or within 42 days of its end",
        "women",
    ),
    Outcome(
        "Stillbirth",
        "perinatal",
        "stillbirths",
        "births",
        1_000,
        "per 1,000 total births",
        "be stillborn",
        "mothers' babies",
    ),
    Outcome(
        "Neonatal death",
        "perinatal",
        "neonatal_deaths",
        "live_births",
        1_000,
        "per 1,000 live births",
        "die in the first 28 days of life",
        "mothers' babies",
    ),
)

#: Columns of :func:`outcome_rates` after the period (or year) column.
RATE_COLUMNS = ["ethnic_group", "count", "population", "value", "lower_ci", "upper_ci"]

_STRATA = ["ethnic_group", "age_band", "imd_quintile"]


def _parts(
    maternal: pd.DataFrame | None,
    perinatal: pd.DataFrame | None,
    func: str,
    *,
    multiplier: bool = True,
    unit: bool = False,
) -> list[_rates.Part]:
    """Each outcome whose counts are given, as a part of :func:`~rhoresearch.workstreams._rates.stacked`.

    A part is labelled ``outcome`` (and ``unit``) and gives the statistic the outcome's event
    and denominator columns, and its ``multiplier`` (rates and rate ratios; models take none).
    """
    frames = {"maternal": maternal, "perinatal": perinatal}
    parts = []
    for o in OUTCOMES:
        frame = frames[o.source]
        if frame is None:
            continue
        labels = {"outcome": o.name, "unit": o.unit} if unit else {"outcome": o.name}
        columns: dict[str, Any] = {"count": o.events, "population": o.denominator}
        if multiplier:
            columns["multiplier"] = o.multiplier
        parts.append(_rates.Part(labels, frame, columns))
    if not parts:
        raise InputError(f"{func}: give maternal counts, perinatal counts or both")
    return parts


def outcome_rates(
    maternal: pd.DataFrame | None,
    perinatal: pd.DataFrame | None,
    *,
    by: str = "period",
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Rates of the three outcomes by ``by`` and ethnic group, in one long table.

    Parameters
    ----------
    maternal : DataFrame or None
        Maternities and maternal deaths by ``by`` and ``ethnic_group`` (:func:`maternal_counts`,
        e.g. summed over rolling periods by ``rolling_period_counts``). Not modified. None: no
        maternal death rows.
    perinatal : DataFrame or None
        Births, stillbirths, live births and neonatal deaths by ``by`` and ``ethnic_group``
        (:func:`perinatal_counts`). Not modified. None: no stillbirth or neonatal death rows.
    by : str, default "period"
        The period column (``"period"`` or ``"year"``).
    confidence : float, default 0.95
        Level of the intervals.

    Returns
    -------
    DataFrame
        One row per outcome, ``by`` value and group: ``outcome`` (:data:`OUTCOMES` names),
        ``by``, ``ethnic_group``, ``count`` (events, int), ``population`` (denominator, int),
        ``value`` (rate per the outcome's multiplier), ``lower_ci``, ``upper_ci``, ``unit``,
        ``method``.

    Notes
    -----
    :func:`rhoresearch.stats.rate`: exact Poisson limits below 10 events, Byar's approximation
    from 10.

    References
    ----------
    Breslow NE, Day NE (1987), as above; Ulm K. A simple method to calculate the confidence
    interval of a standardized mortality ratio. Am J Epidemiol 1990;131:373-5. Public Health
    England. Technical Guide: Confidence Intervals (2018).
    """
    confidence = check_confidence(confidence, func="outcome_rates")
    out = _rates.stacked(
        stats.rate,
        _parts(maternal, perinatal, "outcome_rates", unit=True),
        by=[by, "ethnic_group"],
        confidence=confidence,
    )[["outcome", by, *RATE_COLUMNS, "unit", "method"]]
    return out.astype({"count": "int64", "population": "int64"})


def yearly_perinatal_rates(perinatal: pd.DataFrame, *, confidence: float = 0.95) -> pd.DataFrame:
    """Stillbirth and neonatal mortality by year and ethnic group (the trend figures' data).

    Parameters
    ----------
    perinatal : DataFrame
        :func:`perinatal_counts` by ``["ethnic_group", "year"]``. Not modified.
    confidence : float, default 0.95
        Level of the intervals.

    Returns
    -------
    DataFrame
        ``outcome`` (``Stillbirth``, ``Neonatal death``), ``year``, ``ethnic_group``, ``count``,
        ``population``, ``value`` (per 1,000), ``lower_ci``, ``upper_ci``: as
        :func:`outcome_rates` by year, without its ``unit`` and ``method`` columns.

    References
    ----------
    Draper ES, et al. on behalf of MBRRACE-UK. MBRRACE-UK Perinatal Mortality Surveillance:
    technical manual (stillbirths per 1,000 total births, neonatal deaths per 1,000 live births).
    """
    rates = outcome_rates(None, perinatal, by="year", confidence=confidence)
    return rates.drop(columns=["unit", "method"])


def outcome_ratios(
    maternal: pd.DataFrame | None,
    perinatal: pd.DataFrame | None,
    *,
    reference: str = "White",
    period: str | None = None,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Crude rate ratios of the three outcomes against a reference group, by period.

    Parameters
    ----------
    maternal, perinatal : DataFrame or None
        As for :func:`outcome_rates` (with a ``period`` column). Not modified. None: no rows
        for its outcomes.
    reference : str, default "White"
        The reference ethnic group.
    period : str, optional
        Keep this period only (e.g. ``"2018-20"``); default every period.
    confidence : float, default 0.95
        Level of the intervals.

    Returns
    -------
    DataFrame
        :func:`rhoresearch.stats.rate_ratio` output (by ``period``, groups in ``ethnic_group``;
        ``count``, ``reference_count``, ``value``, ``lower_ci``, ``upper_ci``, ``p_value``,
        ``is_reference`` ...) for each outcome, with an ``outcome`` column.

    References
    ----------
    Katz D, Baptista J, Azen SP, Pike MC. Obtaining confidence intervals for the risk ratio in
    cohort studies. Biometrics 1978;34:469-74 (log method).
    """
    confidence = check_confidence(confidence, func="outcome_ratios")
    out = _rates.stacked(
        stats.rate_ratio,
        _parts(maternal, perinatal, "outcome_ratios"),
        group="ethnic_group",
        reference=reference,
        by="period",
        confidence=confidence,
    )
    if period is not None:
        out = out[out["period"] == period]
    return out


def adjusted_ratios(
    maternities: pd.DataFrame | None,
    births: pd.DataFrame | None,
    *,
    period: str | None,
    reference: str = "White",
    covariates: Sequence[str] = ("age_band", "imd_quintile"),
    confidence: float = 0.95,
    deaths: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Rate ratios of the three outcomes adjusted for age band and deprivation (Poisson model).

    Parameters
    ----------
    maternities, births : DataFrame or None
        Output of ``prepare`` or the ``counts`` of ``counts_from_source`` for maternities and
        births. Not modified. None: that dataset is not available (no rows for its outcomes).
    period : str or None
        The period modelled (``"2018-20"``; see ``records_in_period``); None: every row given
        (already selected).
    reference : str, default "White"
        The reference ethnic group.
    covariates : sequence of str, default ("age_band", "imd_quintile")
        Model covariates, all categorical.
    confidence : float, default 0.95
        Level of the intervals.
    deaths : DataFrame, optional
        The maternal deaths (``deaths_from_source`` counts), as for :func:`maternal_counts`;
        default the flags on the maternity records.

    Returns
    -------
    DataFrame
        :func:`rhoresearch.stats.poisson_model` output for each outcome (``term``, ``group``,
        ``estimate``, ``lower_ci``, ``upper_ci``, ``p_value``, ``is_reference``, ``model`` ...),
        with an ``outcome`` column, outcomes in the order of :data:`OUTCOMES`.

    Notes
    -----
    The counts are stratified by ethnic group and the covariates; the model has a log offset of
    the denominator (maternities, births, live births) and switches to a negative binomial model
    when the data are over-dispersed (``model`` column). Records missing a covariate are left
    out (``exclusions`` counts them).

    References
    ----------
    McCullagh P, Nelder JA. Generalized linear models, 2nd edn. London: Chapman & Hall; 1989.
    """
    covariates = as_columns(covariates, func="adjusted_ratios", name="covariates")
    confidence = check_confidence(confidence, func="adjusted_ratios")
    strata = ["ethnic_group", *covariates]

    def chosen(frame: pd.DataFrame) -> pd.DataFrame:
        return frame if period is None else records_in_period(frame, period)

    maternal = None
    if maternities is not None:
        maternal = maternal_counts(
            chosen(maternities),
            by=strata,
            deaths=None if deaths is None else chosen(deaths),
            strict=False,
        )
    perinatal = None
    if births is not None:
        perinatal = perinatal_counts(chosen(births), by=strata)
    return _rates.stacked(
        stats.poisson_model,
        _parts(maternal, perinatal, "adjusted_ratios", multiplier=False),
        group="ethnic_group",
        reference=reference,
        covariates=covariates,
        categorical=[c for c in covariates if c == "imd_quintile"],
        confidence=confidence,
    )


def rates_with_published(
    rates: pd.DataFrame, published: pd.DataFrame, *, period: str
) -> pd.DataFrame:
    """Maternal mortality by ethnic group in ``period`` beside the published national rate.

    Parameters
    ----------
    rates : DataFrame
        :func:`outcome_rates` output (after disclosure control). Not modified.
    published : DataFrame
        ``published_maternal_mortality`` output. Not modified.
    period : str
        The period shown.

    Returns
    -------
    DataFrame
        The maternal death rows of ``period`` (``period``, ``ethnic_group``, ``count``,
        ``population``, ``value``, ``lower_ci``, ``upper_ci``, ``method``, and any flag columns of
        disclosure control) with ``published_period``, ``published_group``, ``published_rate``,
        ``source`` (``published_for_period``: the latest published period if ``period`` is not
        published).

    References
    ----------
    Office for National Statistics. SDG indicator 3.1.1 (https://sdgdata.gov.uk/3-1-1/): rates
    only, the White group including women whose ethnicity was not known.
    """
    require_columns(rates, ["outcome", "period", "ethnic_group"], func="rates_with_published")
    now = rates[(rates["outcome"] == "Maternal death") & (rates["period"] == period)]
    chosen = published_for_period(published, period)
    return now.merge(
        chosen.assign(ethnic_group=chosen["ethnic_group"].astype("str")),
        on="ethnic_group",
        how="left",
    ).drop(columns=["outcome", "unit"])


@fill_docs(**_comparisons.DOCS, adjusted_for_default='"age and deprivation"')
def findings(
    rates: pd.DataFrame,
    comparison: pd.DataFrame,
    *,
    period: str,
    region: str = "England",
    reference: str = "White",
    confidence: float = 0.95,
    adjusted_for: str = "age and deprivation",
) -> list[str]:
    """The key findings in markdown: a heading sentence, the maternal mortality rates, the ratios.

    Parameters
    ----------
    rates : DataFrame
        :func:`outcome_rates` output after :func:`rhoresearch.disclosure.suppress`. Not modified.
    comparison : DataFrame
        ``compare_crude_adjusted`` of :func:`outcome_ratios` and :func:`adjusted_ratios`, after
        :func:`rhoresearch.disclosure.suppress` (suppressed values give "suppressed"
        sentences). Not modified.
    period : str
        The period of the comparison (the notebook's chosen period).
    {findings_options}

    Returns
    -------
    list of str
        Markdown lines: ``"**London, 2018-20.** Rates compare women ... against the White
        group; ..."``, an empty line, then one bullet per group for the maternal mortality rate
        (:func:`rhoresearch.report.narrative.rate_sentence`) and one per outcome, group and
        comparison for the rate ratios (:func:`rhoresearch.report.narrative.ratio_sentence`,
        e.g. "Black women were 3.7 times as likely as White women to die in pregnancy or within
        42 days of its end (95% CI 2.9 to 4.7).").

    References
    ----------
    MBRRACE-UK, Saving Lives, Improving Mothers' Care (how the rates and ratios are reported).
    """
    confidence = check_confidence(confidence, func="maternity.findings")
    require_columns(rates, ["outcome", "period", "ethnic_group"], func="maternity.findings")
    maternal = OUTCOMES[0]
    return _comparisons.key_findings(
        rates[(rates["outcome"] == maternal.name) & (rates["period"] == period)],
        comparison,
        heading=f"**{region}, {period}.** Rates compare women (maternal deaths) and babies "
        "(stillbirths, neonatal deaths) by the mother's recorded ethnic group, against the "
        f"{reference} group; ratios above 1 mean a higher risk than the reference group.",
        rate="maternal mortality rate",
        unit=maternal.unit,
        noun=maternal.noun,
        phrases=OUTCOMES,
        key="outcome",
        reference=reference,
        adjusted_for=adjusted_for,
        confidence=confidence,
    )


def published_neonatal_note(published: pd.DataFrame) -> str:
    """One markdown paragraph listing the latest published neonatal mortality rates.

    Parameters
    ----------
    published : DataFrame
        ``published_neonatal_mortality`` output. Not modified.

    Returns
    -------
    str
        "Published neonatal mortality per 1,000 live births by the baby's ethnic group, England
        and Wales, <year> (ONS SDG 3.2.2, rates only): <group> <rate>; ...", for the latest year.

    References
    ----------
    Office for National Statistics. SDG indicator 3.2.2 (https://sdgdata.gov.uk/3-2-2/).
    """
    require_columns(published, ["year", "published_group", "published_rate"], func="published")
    latest = int(published["year"].max())
    rows = published[published["year"] == latest]
    listing = "; ".join(f"{r.published_group} {r.published_rate:.1f}" for r in rows.itertuples())
    return (
        "Published neonatal mortality per 1,000 live births by the baby's ethnic group, England "
        f"and Wales, {latest} (ONS SDG 3.2.2, rates only): {listing}."
    )
