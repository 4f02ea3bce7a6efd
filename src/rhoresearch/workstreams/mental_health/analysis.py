"""Workstream 6 analysis plan: the strata the inputs allow, and the tables built on them.

- :func:`rate_strata`: events by year, ethnic group and the strata every input shares (age band,
  sex), joined to the population, with the standard population and the models' covariates the
  data allow (:class:`Strata`);
- :func:`compare`: crude and adjusted ratios in one table (crude only without strata);
- :func:`input_exclusions`: the data-quality table of every available dataset;
- :func:`area_name`: the region as the page prints it; :func:`grouping_note` (shared,
  :mod:`rhoresearch.workstreams._grouping`): how the grouping places Chinese and Arab, with
  ``convention="nhs_england"`` and the scheme the inputs allow (for the methods section).

References
----------
NHS England. Mental Health Act Statistics, Annual Figures: methodology.
"""

from __future__ import annotations

from typing import NamedTuple

import pandas as pd

from rhoresearch.exceptions import InputError
from rhoresearch.workstreams import _wording
from rhoresearch.workstreams._comparisons import compare_crude_adjusted
from rhoresearch.workstreams._grouping import grouping_note
from rhoresearch.workstreams.mental_health.counts import (
    choose_year,
    event_counts,
    exclusions,
    join_population,
    standard_population,
)
from rhoresearch.workstreams.mental_health.inputs import Inputs, strata
from rhoresearch.workstreams.mental_health.summary import STANDARD_NAMES, STANDARDISED

__all__ = [
    "Strata",
    "area_name",
    "compare",
    "grouping_note",
    "input_exclusions",
    "rate_strata",
]


def area_name(region: str, inputs: Inputs) -> str:
    """The region as the page prints it (``"london"`` -> ``"London"``; the data's spelling).

    Parameters
    ----------
    region : str
        The report's ``region`` parameter ("England", a region name or code).
    inputs : Inputs
        :func:`read_inputs` output (its ``region_name`` spellings are used when present).

    Returns
    -------
    str
        "England", the region's name as the data spell it (also when ``region`` is its code),
        else ``region`` with each word
        capitalised (``"north-west"`` -> ``"North West"``).

    References
    ----------
    ONS Style Guide: capitalise the names of regions.
    """
    known: list[object] = []
    codes: dict[str, str] = {}
    for events in (inputs.detentions, inputs.ctos):
        if events is not None and "region_name" in events.counts.columns:
            known += events.counts["region_name"].dropna().unique().tolist()
            if "region_code" in events.counts.columns:
                pairs = events.counts[["region_code", "region_name"]].dropna().drop_duplicates()
                names = pairs["region_name"].astype("str")
                codes.update(zip(pairs["region_code"].astype("str"), names, strict=True))
    return _wording.region_name(region, known, codes=codes)


class Strata(NamedTuple):
    """The strata of the rates and models, as the inputs allow.

    Attributes
    ----------
    detentions, ctos : pandas.DataFrame or None
        Events (and people) by ``keys`` joined to the population (None: not available).
    keys : list of str
        ``financial_year``, ``ethnic_group`` and the strata shared (``age_band``, ``sex_group``).
    year : str
        The financial year analysed.
    standard : pandas.Series, pandas.DataFrame or None
        The standard population (None: no age bands, crude rates only).
    standard_name : str
        How the report names the standard ("" without one).
    covariates : list of str
        The adjusted models' covariates (empty: no adjusted model).
    kind : str
        The ``rate_type`` of the standardised rates (``"age-standardised"``, ``"age- and
        sex-standardised"``; ``""`` without).
    described : str
        The rates shown, in words: ``"crude and age-standardised (2013 European Standard
        Population)"`` or ``"crude"``.
    adjusted_for : str
        The covariates in words (``"age and sex"``).
    """

    detentions: pd.DataFrame | None
    ctos: pd.DataFrame | None
    keys: list[str]
    year: str
    standard: pd.Series | pd.DataFrame | None
    standard_name: str
    covariates: list[str]
    kind: str
    described: str
    adjusted_for: str


def rate_strata(inputs: Inputs, *, year: str = "latest", standard: str = "esp2013") -> Strata:
    """Events by year, group and the strata the data share, joined to their population.

    Parameters
    ----------
    inputs : Inputs
        :func:`read_inputs` output, with a population.
    year : str, default "latest"
        The financial year compared (``choose_year``).
    standard : {"esp2013", "population"}, default "esp2013"
        The standard population (``standard_population``); ``"population"`` is by age and sex
        when the data have sex, by age alone otherwise.

    Returns
    -------
    Strata

    References
    ----------
    NHS England. Mental Health Act Statistics, Annual Figures: methodology.
    """
    if inputs.pop is None:
        raise InputError("rate_strata: no population: rates cannot be computed")
    shared = strata(inputs)
    keys = ["financial_year", "ethnic_group", *shared]
    pop = inputs.pop
    if list(pop.columns) != [*keys[1:], "population"]:
        pop = pop.groupby(keys[1:], observed=True, sort=True)["population"].sum().reset_index()
    joined: dict[str, pd.DataFrame | None] = {}
    for key in ("detentions", "ctos"):
        events = getattr(inputs, key)
        if events is None:
            joined[key] = None
            continue
        counted = event_counts(events.counts, by=keys, count=key, people_counts=events.people)
        joined[key] = join_population(counted, pop, on=keys)
    first = next(f for f in (inputs.detentions, inputs.ctos) if f is not None)
    chosen = choose_year(first.counts, year)
    chosen_standard: pd.Series | pd.DataFrame | None = None
    name = ""
    if "age_band" in shared:
        if standard == "population":
            # NHS England: standardised to the national population, regional rates included
            everyone = inputs.pop_all if inputs.pop_all is not None else pop
            if "sex_group" in shared:
                chosen_standard = standard_population(standard, population=everyone)
                name = STANDARD_NAMES[standard]
            else:
                by_age = everyone.groupby("age_band", observed=True)["population"].sum()
                chosen_standard = by_age.astype(float).rename("standard_population")
                name = "the England population of all ethnic groups by age"
        else:
            chosen_standard = standard_population(standard, population=pop)
            name = STANDARD_NAMES[standard]
    kind = ""
    if chosen_standard is not None:
        kind = STANDARDISED[
            "population" if isinstance(chosen_standard, pd.DataFrame) else "esp2013"
        ]
    described = f"crude and {kind} ({name})" if kind else "crude"
    words = {"age_band": "age", "sex_group": "sex"}
    adjusted_for = " and ".join(words[c] for c in shared)
    return Strata(
        joined["detentions"],
        joined["ctos"],
        keys,
        chosen,
        chosen_standard,
        name,
        shared,
        kind,
        described,
        adjusted_for,
    )


def compare(crude: pd.DataFrame, adjusted: pd.DataFrame | None) -> pd.DataFrame:
    """Crude and adjusted ratios in one table; crude only when no model could be fitted.

    Parameters
    ----------
    crude : pandas.DataFrame
        The crude rate ratios (:func:`measure_ratios`).
    adjusted : pandas.DataFrame or None
        The adjusted rate ratios (:func:`adjusted_ratios`); None when no model was fitted.

    Returns
    -------
    pandas.DataFrame
        One row per measure, group and comparison (``"crude"``, ``"adjusted"``).

    References
    ----------
    Rothman KJ, Greenland S, Lash TL. Modern Epidemiology, 3rd edn. 2008.
    """
    if adjusted is None:
        adjusted = pd.DataFrame(
            columns=[
                "measure",
                "group",
                "estimate",
                "lower_ci",
                "upper_ci",
                "p_value",
                "is_reference",
                "model",
            ]
        )
    return compare_crude_adjusted(crude, adjusted, keys="measure")


def input_exclusions(inputs: Inputs) -> pd.DataFrame:
    """The data-quality table of every available event dataset (``exclusions`` stacked).

    Parameters
    ----------
    inputs : Inputs
        :func:`read_inputs` output.

    Returns
    -------
    pandas.DataFrame
        ``dataset``, ``step``, ``reason``, ``rows``, ``percent``, ``applies_to``.

    References
    ----------
    NHS England. Mental Health Act Statistics, Annual Figures: methodology.
    """
    names = {"detentions": "detentions", "ctos": "community treatment orders"}
    tables = [
        exclusions(events.counts, excluded=events.exclusions, dataset=names[key])
        for key in ("detentions", "ctos")
        if (events := getattr(inputs, key)) is not None
    ]
    if not tables:
        raise InputError("input_exclusions: neither detentions nor CTOs are available")
    return pd.concat(tables, ignore_index=True)
