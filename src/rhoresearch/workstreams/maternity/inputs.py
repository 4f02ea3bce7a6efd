"""Workstream 5 inputs in any form: record-level extracts or published tables of counts, any grouping.

A notebook data parameter (maternities, births, maternal deaths) can be a record-level file or
Spark table (counted where it is, :func:`~rhoresearch.workstreams.maternity.counts_from_source`),
a table of counts by group (an MBRRACE-UK style publication, read by
:func:`rhoresearch.data.published.read_aggregate`), or ``""`` (not available). Either way the rows
come back in one layout, the *counted layout*: one row per stratum with ``ethnic_group``,
``ethnicity_status``, the strata the source has (``year`` or ``period``, ``age_band``,
``imd_quintile``, ``region_name``) and the counts (``maternities``; ``births``, ``stillbirths``,
``neonatal_deaths``; ``deaths``, ``maternal_deaths``), so that every later step is the same.

- :func:`read_inputs`: the three datasets, at the high-level or the detailed grouping;
- :func:`period_counts`: maternal and perinatal counts by period (rolling three-year periods from
  years, or the periods a publication gives) and perinatal counts by year;
- :func:`comparisons`: crude and adjusted rate ratios side by side, the adjusted ones only where
  the inputs have the model's strata;
- :func:`not_available`: one sentence for each section the inputs cannot give, saying why.

Aggregate tables use the notebook's names: ``ethnic_group``; ``maternities`` (or ``population``,
``denominator``); ``maternal_deaths`` (or ``count``); ``births``, ``stillbirths``,
``neonatal_deaths`` (and optionally ``live_births``); optional strata ``year`` or ``period``,
``age_band``, ``imd_quintile``, ``region`` (or ``region_name``, ``region_code``). ``columns``
maps a publication's names to these and ``where`` selects its rows; both apply to every table,
each to the tables having the named columns. A column named as one of these but for case and
punctuation ("Ethnic group", "Maternities") is read as it without a mapping.

References
----------
Knight M, et al. (eds.) on behalf of MBRRACE-UK. Saving Lives, Improving Mothers' Care (counts of
maternal deaths and maternities by ethnic group, rolling three-year periods; "Chinese or other").
Race Disparity Unit. Standards for ethnicity data (2023): detailed groups where numbers allow.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

import pandas as pd

from rhoresearch.exceptions import InputError
from rhoresearch.workstreams import _comparisons, _grouping, _wording
from rhoresearch.workstreams.maternity.aggregates import (
    GROUPINGS,
    auto_columns,
    detailed_groups,
    group_order,
    is_aggregate_input,
    period_labels,
    read_aggregate_input,
)
from rhoresearch.workstreams.maternity.counts import exclusions, maternal_counts, perinatal_counts
from rhoresearch.workstreams.maternity.datasets import counts_from_source
from rhoresearch.workstreams.maternity.deaths import death_exclusions, deaths_from_source
from rhoresearch.workstreams.maternity.periods import records_in_period, rolling_period_counts
from rhoresearch.workstreams.maternity.summary import adjusted_ratios, outcome_ratios

__all__ = [
    "GROUPINGS",
    "DATASETS",
    "Inputs",
    "PeriodCounts",
    "read_inputs",
    "group_order",
    "period_labels",
    "period_counts",
    "comparisons",
    "not_available",
    "data_quality",
]

logger = logging.getLogger(__name__)

#: The datasets of workstream 5, as :class:`Inputs` names them.
DATASETS = ("maternities", "births", "deaths")
#: The label of the one period of a table with neither years nor periods.
ALL_YEARS = "all years"
_COVARIATES = ("age_band", "imd_quintile")


class Inputs(NamedTuple):
    """The three datasets of workstream 5 in the counted layout, and how each was given.

    Attributes
    ----------
    maternities, births, deaths : DataFrame or None
        The counted layout (module docstring); None when the dataset is not available.
    excluded : dict
        Dataset name -> rows an engine could not count (record-level inputs), else None.
    forms : dict
        Dataset name -> ``"records"``, ``"aggregate"`` or ``"not available"``.
    grouping : str
        ``"high_level"`` or ``"detailed"``.
    unknown : str
        ``"exclude"`` or ``"reference"``, as read.
    area : str
        The area as the data name it (``"England"``, ``"London"``), for titles and sentences.
    """

    maternities: pd.DataFrame | None
    births: pd.DataFrame | None
    deaths: pd.DataFrame | None
    excluded: dict[str, pd.DataFrame | None]
    forms: dict[str, str]
    grouping: str
    unknown: str
    area: str


class PeriodCounts(NamedTuple):
    """Counts by period for the rates (None where the inputs cannot give them).

    Attributes
    ----------
    maternal : DataFrame or None
        ``period``, ``ethnic_group``, ``maternities``, ``maternal_deaths``.
    perinatal : DataFrame or None
        ``period``, ``ethnic_group``, ``births``, ``stillbirths``, ``live_births``,
        ``neonatal_deaths``.
    perinatal_yearly : DataFrame or None
        The same by ``year`` (only when the births have years).
    periods : list of str
        The periods available to both, in order.
    """

    maternal: pd.DataFrame | None
    perinatal: pd.DataFrame | None
    perinatal_yearly: pd.DataFrame | None
    periods: list[str]


def _records_input(
    source: Any,
    dataset: str,
    *,
    region: str,
    unknown: str,
    grouping: str,
    maternities: Any = None,
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    if dataset == "deaths":
        counts, excluded = deaths_from_source(source, region=region, unknown=unknown)
    else:
        # births with record-level maternities: each birth's maternity must be among them (the
        # declared reference of BIRTHS, checked in the engine)
        counts, excluded = counts_from_source(
            source, dataset=dataset, region=region, unknown=unknown, maternities=maternities
        )
    if grouping == "detailed":
        counts = detailed_groups(counts, unknown=unknown, func=f"maternity.read_inputs ({dataset})")
    return counts, excluded


def _area(frames: Sequence[pd.DataFrame | None], region: str) -> str:
    """``region`` as the data name it (``"london"`` -> ``"London"``, a code -> its name)."""
    known: list[object] = []
    codes: dict[str, str] = {}
    for frame in frames:
        if frame is not None and "region_name" in frame.columns:
            known += frame["region_name"].dropna().astype("str").unique().tolist()
            if "region_code" in frame.columns:
                pairs = frame[["region_code", "region_name"]].dropna().drop_duplicates()
                codes.update(
                    zip(
                        pairs["region_code"].astype("str"),
                        pairs["region_name"].astype("str"),
                        strict=True,
                    )
                )
    return _wording.region_name(region, known, codes=codes)


def read_inputs(
    maternities: Any,
    births: Any,
    deaths: Any,
    *,
    region: str = "England",
    unknown: str = "exclude",
    grouping: str = "high_level",
    columns: Mapping[str, str] | None = None,
    where: Mapping[str, object] | None = None,
) -> Inputs:
    """Read the maternities, births and maternal deaths, each record-level or aggregate, or absent.

    Parameters
    ----------
    maternities, births, deaths : path, ``"spark:<db.table>"``, DataFrame or ""
        Each a record-level extract (the schemas :data:`MATERNITIES`, :data:`BIRTHS`,
        :data:`MATERNAL_DEATHS`), a table of counts by ethnic group (module docstring), or
        ``""``: not available.
    region : str, default "England"
        ``"England"`` keeps every row; else the region (name or code, any case) to keep.
    unknown : {"exclude", "reference"}, default "exclude"
        Rows of unknown ethnicity: left out of comparisons, or counted with the first group
        (White; White British at the detailed level), the MBRRACE-UK convention.
    grouping : {"high_level", "detailed"}, default "high_level"
        The five high-level groups or the NHS 16 categories (Census 2021 only groups of a
        published table, such as Arab, kept after them).
    columns, where : mapping, optional
        A publication's column names -> the notebook's, and the rows to keep
        (:func:`rhoresearch.data.published.read_table`); record-level inputs ignore them.

    Returns
    -------
    Inputs
        The datasets in the counted layout, the rows engines could not count, how each was
        given, the grouping and the area's name.

    Raises
    ------
    InputError
        An option not allowed; no dataset given; deaths without maternities.
    SchemaError
        An aggregate table with a duplicated group, a negative or non-whole count, a label that
        is not an ethnic group (naming the file, row and value).

    References
    ----------
    MBRRACE-UK, Saving Lives, Improving Mothers' Care. NHS Data Dictionary, ETHNIC CATEGORY.
    """
    func = "maternity.read_inputs"
    _grouping.check_grouping(grouping, func=func)
    if unknown not in ("exclude", "reference"):
        raise InputError(f"{func}: unknown must be 'exclude' or 'reference', got {unknown!r}")
    sources = {"maternities": maternities, "births": births, "deaths": deaths}
    frames: dict[str, pd.DataFrame | None] = {}
    excluded: dict[str, pd.DataFrame | None] = {}
    forms: dict[str, str] = {}
    for dataset, source in sources.items():
        if source is None or (isinstance(source, str) and not source.strip()):
            frames[dataset], excluded[dataset], forms[dataset] = None, None, "not available"
        elif is_aggregate_input(source, dataset, mapped := auto_columns(source, columns)):
            frames[dataset] = read_aggregate_input(
                source,
                dataset,
                region=region,
                unknown=unknown,
                grouping=grouping,
                columns=mapped,
                where=where,
            )
            excluded[dataset], forms[dataset] = None, "aggregate"
        else:
            frames[dataset], excluded[dataset] = _records_input(
                source,
                dataset,
                region=region,
                unknown=unknown,
                grouping=grouping,
                maternities=sources["maternities"]
                if dataset == "births" and forms.get("maternities") == "records"
                else None,
            )
            forms[dataset] = "records"
        logger.info("%s: %s: %s", func, dataset, forms[dataset])
    if all(f is None for f in frames.values()):
        raise InputError(f"{func}: no dataset given (maternities, births and deaths are all '')")
    area = _area(list(frames.values()), region)
    return Inputs(
        frames["maternities"],
        frames["births"],
        frames["deaths"],
        excluded,
        forms,
        grouping,
        unknown,
        area,
    )


def _by_period(frame: pd.DataFrame, values: list[str]) -> pd.DataFrame:
    """Sum ``values`` by period and group: rolling periods from years, else the given periods."""
    usable = frame[frame["ethnic_group"].notna().to_numpy()]
    if "year" in frame.columns:
        yearly = (
            usable.dropna(subset=["year"])
            .groupby(["ethnic_group", "year"], observed=True, sort=True)[values]
            .sum()
        )
        return rolling_period_counts(yearly.reset_index(), by="ethnic_group")
    if "period" in frame.columns:
        out = usable.groupby(["period", "ethnic_group"], observed=True, sort=True)[values].sum()
        out = out.reset_index()
        labels = list(dict.fromkeys(sorted(out["period"].astype("str"))))
        out["period"] = pd.Categorical(out["period"].astype("str"), categories=labels, ordered=True)
        return out
    out = usable.groupby(["ethnic_group"], observed=True, sort=True)[values].sum().reset_index()
    out.insert(0, "period", pd.Categorical([ALL_YEARS] * len(out), categories=[ALL_YEARS]))
    return out


def period_counts(inputs: Inputs) -> PeriodCounts:
    """Maternal and perinatal counts by period (and perinatal counts by year), as far as possible.

    Parameters
    ----------
    inputs : Inputs
        :func:`read_inputs` output.

    Returns
    -------
    PeriodCounts
        ``maternal`` (None without maternities or deaths), ``perinatal`` (None without births),
        ``perinatal_yearly`` (None unless the births have years), ``periods`` (available to
        every table given).

    Raises
    ------
    InputError
        If the maternities and deaths, or the tables given, share no period.

    Notes
    -----
    Years are summed over rolling three-year periods (MBRRACE-UK); a published table by period
    is used as it is; a table with neither is one period, "all years".

    References
    ----------
    MBRRACE-UK, Saving Lives, Improving Mothers' Care (rolling three-year periods).
    """
    func = "maternity.period_counts"
    maternal = perinatal = yearly = None
    if inputs.maternities is not None and inputs.deaths is not None:
        maternal = maternal_counts(
            _by_period(inputs.maternities, ["maternities"]),
            by=["ethnic_group", "period"],
            deaths=_by_period(inputs.deaths, ["maternal_deaths"]),
        )[["period", "ethnic_group", "maternities", "maternal_deaths"]]
    if inputs.births is not None:
        values = ["births", "stillbirths", "live_births", "neonatal_deaths"]
        if "year" in inputs.births.columns:
            yearly = perinatal_counts(inputs.births, by=["ethnic_group", "year"])
            perinatal = rolling_period_counts(yearly, by="ethnic_group")
        else:
            perinatal = _by_period(inputs.births.assign(live_births=_live(inputs.births)), values)
    labels: list[str] | None = None
    for frame in (maternal, perinatal):
        if frame is None:
            continue
        have = list(frame["period"].cat.categories)
        labels = have if labels is None else [p for p in labels if p in have]
    if not labels:
        raise InputError(f"{func}: the tables share no period")
    return PeriodCounts(maternal, perinatal, yearly, labels)


def _live(births: pd.DataFrame) -> pd.Series:
    if "live_births" in births.columns:
        return births["live_births"]
    return births["births"] - births["stillbirths"]


def _covariates_of(*frames: pd.DataFrame | None) -> list[str]:
    """The model covariates every frame has (with at least one value)."""
    return [
        c
        for c in _COVARIATES
        if all(f is not None and c in f.columns and f[c].notna().any() for f in frames)
    ]


def _in_period(frame: pd.DataFrame | None, period: str) -> pd.DataFrame | None:
    if frame is None:
        return None
    if "year" in frame.columns:
        return records_in_period(frame, period)
    if "period" in frame.columns:
        return frame[frame["period"].astype("str") == period]
    return frame


def comparisons(
    inputs: Inputs,
    counts: PeriodCounts,
    *,
    period: str,
    reference: str = "White",
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Crude rate ratios and, where the inputs allow, ratios adjusted for age and deprivation.

    Parameters
    ----------
    inputs : Inputs
        :func:`read_inputs` output.
    counts : PeriodCounts
        :func:`period_counts` output.
    period : str
        The period compared.
    reference : str, default "White"
        The reference group, at the inputs' grouping (``"White British"`` when detailed).
    confidence : float, default 0.95
        Level of the intervals.

    Returns
    -------
    DataFrame
        :func:`~rhoresearch.workstreams._comparisons.compare_crude_adjusted` output (``outcome``,
        ``ethnic_group``, ``comparison``, ``reference``, ``count``, ``reference_count``,
        ``value``, ``lower_ci``, ``upper_ci``, ``p_value``, ``is_reference``, ``fit``): adjusted
        rows only for the outcomes whose inputs have age band and deprivation quintile.

    Raises
    ------
    InputError
        If ``reference`` is not a group of the inputs' grouping.

    References
    ----------
    Rothman KJ, Greenland S, Lash TL. Modern Epidemiology, 3rd ed. 2008 (crude and adjusted).
    """
    func = "maternity.comparisons"
    scheme = _grouping.scheme_of(inputs.grouping, func=func)
    reference = _grouping.reference_label(reference, scheme, short=True, func=func)
    crude = outcome_ratios(
        counts.maternal, counts.perinatal, reference=reference, period=period, confidence=confidence
    )
    maternal_model = len(_covariates_of(inputs.maternities, inputs.deaths)) == len(_COVARIATES)
    births_model = len(_covariates_of(inputs.births)) == len(_COVARIATES)
    adjusted = None
    if maternal_model or births_model:
        adjusted = adjusted_ratios(
            _in_period(inputs.maternities, period) if maternal_model else None,
            _in_period(inputs.births, period) if births_model else None,
            period=None,
            reference=reference,
            confidence=confidence,
            deaths=_in_period(inputs.deaths, period) if maternal_model else None,
        )
    if adjusted is None:  # no model: the crude rows only, in the same layout
        adjusted = pd.DataFrame(
            {
                "outcome": pd.Series(dtype=crude["outcome"].dtype),
                **{c: pd.Series(dtype="str") for c in ("term", "group", "model")},
                **{c: pd.Series(dtype="float64") for c in ("estimate", "lower_ci", "upper_ci")},
                "p_value": pd.Series(dtype="float64"),
                "is_reference": pd.Series(dtype="bool"),
            }
        )
    out = _comparisons.compare_crude_adjusted(crude, adjusted, keys="outcome")
    return out.astype({"outcome": crude["outcome"].dtype})


def not_available(inputs: Inputs, counts: PeriodCounts | None = None) -> dict[str, str]:
    """One sentence for each section of the report that the inputs cannot give, saying why.

    Parameters
    ----------
    inputs : Inputs
        :func:`read_inputs` output.
    counts : PeriodCounts, optional
        :func:`period_counts` output (for the yearly trends).

    Returns
    -------
    dict
        Section -> sentence, for the sections that cannot be produced: ``"maternal"``,
        ``"perinatal"``, ``"adjusted"`` (both outcomes' models), ``"completeness"``,
        ``"perinatal_trend"``. A section absent from the dict can be produced.

    References
    ----------
    Race Disparity Unit. Standards for ethnicity data (2023): say what the data could not show.
    """
    out: dict[str, str] = {}
    forms = inputs.forms
    missing = [d for d in ("maternities", "deaths") if forms[d] == "not available"]
    if missing:
        out["maternal"] = (
            "Maternal mortality is not shown: it needs the maternal deaths and the maternities, "
            f"and no {' or '.join(missing)} were given."
        )
    if forms["births"] == "not available":
        out["perinatal"] = "Stillbirth and neonatal mortality are not shown: no births were given."
    maternal_model = len(_covariates_of(inputs.maternities, inputs.deaths)) == len(_COVARIATES)
    births_model = len(_covariates_of(inputs.births)) == len(_COVARIATES)
    if not maternal_model and not births_model:
        out["adjusted"] = (
            "Adjusted rate ratios are not shown: the model needs counts by age band and "
            "deprivation quintile, and the data given have none; the ratios are crude."
        )
    if forms["maternities"] != "records":
        out["completeness"] = (
            "Recording completeness of ethnic category is not shown: it needs record-level "
            "maternities, and the maternities were "
            + ("not given." if forms["maternities"] == "not available" else "a table of counts.")
        )
    if counts is not None and counts.perinatal is not None and counts.perinatal_yearly is None:
        out["perinatal_trend"] = (
            "Stillbirth and neonatal mortality by year are not shown: the births table has no "
            "years."
        )
    return out


def data_quality(inputs: Inputs, *, period: str | None = None) -> pd.DataFrame:
    """Rows excluded from each analysis, and why, for every dataset given (one table).

    Parameters
    ----------
    inputs : Inputs
        :func:`read_inputs` output.
    period : str, optional
        The period reported: a table of counts by period (rolling periods overlap, so their
        counts cannot be added up) is counted in this period only. Records and tables by year
        are counted whole.

    Returns
    -------
    DataFrame
        ``dataset`` (``maternities``, ``births``, ``maternal deaths``), ``step``, ``reason``,
        ``rows``, ``percent``, ``applies_to``: :func:`exclusions` of the maternities and births
        and :func:`death_exclusions` of the deaths, stacked in that order (covariate steps only
        for the covariates a table has).

    References
    ----------
    MBRRACE-UK, Saving Lives, Improving Mothers' Care ("White (inc. not known)" convention).
    """

    def counted(frame: pd.DataFrame) -> pd.DataFrame:
        if period is not None and "period" in frame.columns and "year" not in frame.columns:
            return frame[frame["period"].astype("str") == period]
        return frame

    parts = []
    for dataset, frame in (("maternities", inputs.maternities), ("births", inputs.births)):
        if frame is None:
            continue
        frame = counted(frame)
        parts.append(
            exclusions(
                frame,
                excluded=inputs.excluded[dataset],
                covariates=[c for c in _COVARIATES if c in frame.columns],
                unknown=inputs.unknown,
                dataset=dataset,
            )
        )
    if inputs.deaths is not None:
        parts.append(
            death_exclusions(
                counted(inputs.deaths),
                excluded=inputs.excluded["deaths"],
                covariates=[c for c in _COVARIATES if c in inputs.deaths.columns],
                unknown=inputs.unknown,
            )
        )
    return pd.concat(parts, ignore_index=True)
