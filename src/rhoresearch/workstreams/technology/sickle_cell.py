"""Service data: sickle cell disease admissions per 100,000 population by ethnic group.

:func:`sickle_cell_rates` and :func:`sickle_cell_rate_ratios` (Byar / exact Poisson rates and rate
ratios through :mod:`rhoresearch.stats`); :func:`choose_year` picks the financial year a report
describes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypedDict

import pandas as pd

from rhoresearch import ethnicity, stats
from rhoresearch.exceptions import InputError
from rhoresearch.results import Result, exclusions_table
from rhoresearch.validation import as_columns, check_frame, require_columns
from rhoresearch.workstreams import _grouping
from rhoresearch.workstreams._wording import document

__all__ = ["choose_year", "sickle_cell_rates", "sickle_cell_rate_ratios"]


def choose_year(admissions: pd.DataFrame, financial_year: str = "latest") -> str:
    """The financial year a report describes: the latest in the data, or one that is there.

    Parameters
    ----------
    admissions : pandas.DataFrame
        Admissions with a ``financial_year`` column (``"2022/23"``); not modified.
    financial_year : str, default "latest"
        ``"latest"`` or a year such as ``"2022/23"``.

    Returns
    -------
    str
        The year.

    Raises
    ------
    InputError
        ``admissions`` has no ``financial_year`` column or no rows, or the year asked for is not in
        it (the message lists the years there).
    """
    func = "choose_year"
    check_frame(admissions, func=func, name="admissions")
    require_columns(admissions, ["financial_year"], func=func)
    years = sorted(admissions["financial_year"].dropna().astype(str).unique())
    if not years:
        raise InputError(f"{func}: admissions has no financial year")
    if financial_year == "latest":
        return years[-1]
    if financial_year not in years:
        raise InputError(
            f"{func}: financial_year {financial_year!r} is not in the data; years: {years} "
            "(or 'latest')"
        )
    return financial_year


class _Events(TypedDict):
    """The ``count`` and ``population`` arguments of the rate functions of :mod:`rhoresearch.stats`."""

    count: str
    population: str


#: The columns of :func:`_sickle_cell_frame` that the rates are computed from: the admissions
#: (``count``) and the population.
_EVENTS = _Events(count="count", population="population")


def _sickle_cell_frame(
    admissions: pd.DataFrame,
    population: pd.DataFrame,
    *,
    by: list[str],
    to: str,
    group: str,
    func: str,
) -> Result:
    """Admissions with their population by ``by``; the admissions of unknown ethnicity left out."""
    check_frame(admissions, func=func, name="admissions")
    check_frame(population, func=func, name="population")
    require_columns(
        admissions, ["ethnic_category", "admissions", *(c for c in by if c != group)], func=func
    )
    require_columns(population, ["ethnic_category", "population"], func=func)
    adm = admissions.copy()
    pop = population.copy()
    adm[group] = _grouping.harmonise(adm["ethnic_category"], to=to)
    pop[group] = _grouping.harmonise(pop["ethnic_category"], to=to)
    unknown = adm[group].isin([ethnicity.NOT_STATED, ethnicity.NOT_KNOWN])
    left_out = adm.loc[unknown].groupby(group, observed=True)["admissions"].sum()
    excluded = exclusions_table(
        [
            (f"ethnic group {str(label).lower()}", int(n), "rates by group")
            for label, n in left_out.items()
        ],
        step="ethnic group",
        applies_to=True,
    )
    adm = adm.loc[~unknown]
    pop_cols = [c for c in by if c in population.columns and c != group]
    adm_sum = adm.groupby(by, observed=True)["admissions"].sum().reset_index()
    pop_keys = [*pop_cols, group] if group in by else pop_cols
    pop_sum = pop.groupby(pop_keys, observed=True)["population"].sum().reset_index()
    merged = (
        adm_sum.merge(pop_sum, on=pop_keys, how="left")
        if pop_keys
        else adm_sum.assign(population=pop["population"].sum())
    )
    return Result(merged.rename(columns={"admissions": "count"}), excluded)


@document()
def sickle_cell_rates(
    admissions: pd.DataFrame,
    population: pd.DataFrame,
    *,
    by: str | Sequence[str] = ("financial_year", "ethnic_group"),
    to: str = "high_level",
    group: str = "ethnic_group",
    confidence: float = 0.95,
    multiplier: float = 100_000,
) -> Result:
    """Sickle cell disease admissions per 100,000 population by ethnic group (and year, region).

    Parameters
    ----------
    admissions : pandas.DataFrame
        Admissions by ``financial_year``, ``region`` and ``ethnic_category``; not modified.
    population : pandas.DataFrame
        Population by ``region`` and ``ethnic_category``; not modified. The same population is
        used for every year (Census 2021 held fixed).
    by : str or sequence of str, default ("financial_year", "ethnic_group")
        Grouping; ``group`` is the harmonised ethnic group column made here.
    to : {"high_level", "detailed", "nhs_code", "census2021"}, default "high_level"
        Ethnicity scheme (:func:`rhoresearch.workstreams._grouping.harmonise`; ``"detailed"``:
        the NHS 16 categories by their short labels).
    group : str, default "ethnic_group"
        Name of the harmonised ethnic group column.
    {confidence_fraction}
    multiplier : float, default 100_000
        Rate per this many people.

    Returns
    -------
    rhoresearch.results.Result
        ``table``: the columns of :func:`rhoresearch.stats.rate` (the ``by`` columns, ``count``
        admissions, ``population``, ``value``, ``lower_ci``, ``upper_ci``, ``confidence``,
        ``statistic``, ``method``, ``note``). ``exclusions``: the admissions with ethnicity not
        stated or not known, which have no population and are left out of the rates (``step``
        "ethnic group", ``reason`` "ethnic group not stated" / "ethnic group not known",
        ``rows`` admissions, ``applies_to`` "rates by group"; a row for each present).

    Notes
    -----
    Counts are admissions, not people: a person admitted three times counts three times. Rates
    use Byar's method from 10 events and exact Poisson limits below (via
    :func:`rhoresearch.stats.rate`).

    References
    ----------
    Breslow NE, Day NE. Statistical Methods in Cancer Research, vol. II. IARC, 1987 (Byar's
    approximation). NHS England. Sickle cell disease: hospital admissions by ethnic group (HES).
    """
    func = "sickle_cell_rates"
    cols = as_columns(by, func=func)
    merged, excluded = _sickle_cell_frame(
        admissions, population, by=cols, to=to, group=group, func=func
    )
    res = stats.rate(merged, **_EVENTS, by=cols, confidence=confidence, multiplier=multiplier)
    return Result(res, excluded)


def sickle_cell_rate_ratios(
    admissions: pd.DataFrame,
    population: pd.DataFrame,
    *,
    reference: str,
    by: str | Sequence[str] | None = "financial_year",
    to: str = "high_level",
    group: str = "ethnic_group",
    confidence: float = 0.95,
    multiplier: float = 100_000,
) -> Result:
    """Rate ratios of sickle cell admissions for each ethnic group against a reference group.

    Parameters
    ----------
    admissions, population : pandas.DataFrame
        As for :func:`sickle_cell_rates`; not modified.
    reference : str
        Reference group (e.g. ``"White"``).
    by : str or sequence of str, optional, default "financial_year"
        Further grouping within which the ratios are computed.
    to, group, confidence
        As for :func:`sickle_cell_rates`.
    multiplier : float, default 100_000
        The rates of the table (``rate``, ``reference_rate``, ``difference``) are per this many
        people; the ratios do not depend on it.

    Returns
    -------
    rhoresearch.results.Result
        ``table``: the columns of :func:`rhoresearch.stats.rate_ratio`. ``exclusions``: as for
        :func:`sickle_cell_rates`.

    References
    ----------
    As for :func:`rhoresearch.stats.rate_ratio`.
    """
    func = "sickle_cell_rate_ratios"
    extra = as_columns(by, func=func)
    merged, excluded = _sickle_cell_frame(
        admissions, population, by=[*extra, group], to=to, group=group, func=func
    )
    res = stats.rate_ratio(
        merged,
        **_EVENTS,
        group=group,
        reference=reference,
        by=extra or None,
        confidence=confidence,
        multiplier=multiplier,
    )
    return Result(res, excluded)
