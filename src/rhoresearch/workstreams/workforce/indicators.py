"""The WRES indicators of one set of returns: representation, relative likelihoods, survey, board.

The Workforce Race Equality Standard (WRES, NHS England) compares the experience of White and ethnic
minority ("BME" in WRES wording) staff through nine indicators:

1. representation of ethnic minority staff in each Agenda for Change pay band and among very senior
   managers (VSM) against the whole workforce (:func:`representation_by_band`);
2. relative likelihood of White applicants being appointed from shortlisting compared with ethnic
   minority applicants (:func:`appointment_likelihood`);
3. relative likelihood of ethnic minority staff entering the formal disciplinary process compared
   with White staff (:func:`disciplinary_likelihood`);
4. relative likelihood of White staff accessing non-mandatory training and continuing professional
   development compared with ethnic minority staff (:func:`training_likelihood`);
5.-8. staff survey: harassment, bullying or abuse from patients and from staff, belief in equal
   opportunities for career progression, discrimination from a manager or colleague, as
   percentages for White and ethnic minority staff (:func:`survey_percentages`);
9. the difference between the board's voting membership and the overall workforce
   (:func:`board_representation`).

Relative likelihoods are ratios of two proportions (``rhoresearch.stats.proportion_ratio``); the
usual reading is that 1.0 is parity and a value outside 0.80 to 1.25 (the "four-fifths rule") is
flagged. Staff whose ethnicity is not known are a third category: they are counted
(:func:`rhoresearch.workstreams.workforce.unknown_summary`) and excluded from the ratios.

References
----------
NHS England. Workforce Race Equality Standard (WRES) indicators and technical guidance.
https://www.england.nhs.uk/publication/workforce-race-equality-standard-wres-indicators/

Equal Employment Opportunity Commission et al. (1978). Uniform Guidelines on Employee Selection
Procedures, 29 CFR 1607.4(D) (the four-fifths rule; 1.25 = 1/0.8).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from rhoresearch import disclosure, stats
from rhoresearch.exceptions import InputError
from rhoresearch.validation import as_columns, require_columns
from rhoresearch.workstreams import _frames, _wording
from rhoresearch.workstreams.workforce.datasets import (
    MINORITY,
    NOT_KNOWN,
    PARITY_RANGE,
    PAY_BANDS,
    SURVEY_MEASURES,
    WHITE,
)

__all__ = [
    "representation_by_band",
    "band_shares",
    "relative_likelihood",
    "appointment_likelihood",
    "disciplinary_likelihood",
    "training_likelihood",
    "ROLLING_YEARS",
    "pool_years",
    "survey_percentages",
    "board_representation",
    "change_since_previous",
]

Columns = str | Sequence[str] | None
logger = logging.getLogger(__name__)
_F = TypeVar("_F", bound=Callable[..., Any])


def _flag(values: pd.Series) -> pd.Series:
    lo, hi = PARITY_RANGE
    out = pd.Series("within 0.80 to 1.25", index=values.index, dtype="str")
    out = out.mask(values < lo, "below 0.80")
    out = out.mask(values > hi, "above 1.25")
    return out.mask(values.isna(), "not calculable")


# --------------------------------------------------------------------------------------------------
# indicator 1: representation by pay band
# --------------------------------------------------------------------------------------------------


@_wording.document()
def representation_by_band(
    staff: pd.DataFrame,
    *,
    by: Columns = None,
    band: str = "pay_band",
    group: str = "ethnic_group",
    count: str = "headcount",
    confidence: float = 0.95,
) -> pd.DataFrame:
    """WRES indicator 1: the percentage of ethnic minority staff in each pay band.

    Parameters
    ----------
    staff : DataFrame
        Staff in post: ``band``, ``group`` and ``count`` columns (plus ``by``); not modified.
    by : str or list of str, optional
        Further grouping (e.g. ``"year"``, ``["year", "staff_group"]``, ``"org_code"``).
    band, group, count : str
        Column names of the pay band, the White / ethnic minority / not known group, and the
        headcount.
    {confidence_wilson}

    Returns
    -------
    DataFrame
        One row per ``by`` group and band, bands in Agenda for Change order then ``"All staff"``:
        the ``by`` columns, ``pay_band``, ``numerator`` (ethnic minority headcount),
        ``denominator`` (headcount of known ethnicity), ``n_white`` (White headcount, the
        complement, listed so disclosure control can protect it), ``value`` (% ethnic minority),
        ``lower_ci``, ``upper_ci``, ``confidence``, ``statistic``, ``method``, ``note``,
        ``workforce_value`` (% ethnic minority in all staff of the ``by`` group),
        ``difference`` (``value - workforce_value``, percentage points) and ``not_known``
        (headcount of unknown ethnicity, excluded).

    Notes
    -----
    Percentages exclude staff of unknown ethnicity (WRES reports them as a third category).
    Wilson score intervals from ``rhoresearch.stats.proportion``.

    References
    ----------
    NHS England. WRES indicator 1. Kline R (2014). The "snowy white peaks" of the NHS. Middlesex
    University.
    """
    by = as_columns(by, func="representation_by_band")
    require_columns(staff, [band, group, count, *by], func="representation_by_band")
    data = staff[[*by, band, group, count]].copy()
    g = data[group].astype(str)
    data["_minority"] = np.where(g == MINORITY, data[count], 0)
    data["_known"] = np.where(g != NOT_KNOWN, data[count], 0)
    data["_unknown"] = np.where(g == NOT_KNOWN, data[count], 0)
    data["_white"] = np.where(g == WHITE, data[count], 0)
    all_staff = data.assign(**{band: "All staff"})
    data = pd.concat([data, all_staff], ignore_index=True)
    res = stats.proportion(
        data,
        numerator="_minority",
        denominator="_known",
        by=[*by, band],
        confidence=confidence,
        multiplier=100,
    )
    res = res.rename(columns={"_minority": "numerator", "_known": "denominator", band: "pay_band"})
    sums = data.groupby([*by, band], observed=True, sort=False)[["_white", "_unknown"]].sum()
    key = pd.MultiIndex.from_frame(res[[*by, "pay_band"]]) if by else pd.Index(res["pay_band"])
    res.insert(len(by) + 3, "n_white", sums["_white"].reindex(key).to_numpy())
    res["not_known"] = sums["_unknown"].reindex(key).to_numpy()
    overall = res[res["pay_band"] == "All staff"]
    if by:
        key = overall.set_index(by)["value"]
        res["workforce_value"] = (
            key.reindex(pd.MultiIndex.from_frame(res[by])).to_numpy()
            if len(by) > 1
            else key.reindex(res[by[0]]).to_numpy()
        )
    else:
        res["workforce_value"] = float(overall["value"].iloc[0])
    res["difference"] = res["value"] - res["workforce_value"]
    res = _frames.whole_counts(res, ["numerator", "denominator", "n_white", "not_known"])
    order = {b: i for i, b in enumerate([*PAY_BANDS, "All staff"])}
    res = res.sort_values(
        [*by, "pay_band"], key=lambda s: s.map(order) if s.name == "pay_band" else s, kind="stable"
    )
    return res.reset_index(drop=True)


def band_shares(table: pd.DataFrame, *, band: str = "pay_band") -> pd.DataFrame:
    """White and ethnic minority shares of each band, long, from :func:`representation_by_band`.

    Parameters
    ----------
    table : DataFrame
        The output of :func:`representation_by_band`, before or after
        ``rhoresearch.disclosure.suppress`` (suppressed values are read with
        :func:`rhoresearch.disclosure.is_suppressed`); not modified.
    band : str, default "pay_band"
        The band column.

    Returns
    -------
    DataFrame
        Two rows per band (the ``"All staff"`` row left out), in the table's order: ``pay_band``,
        ``ethnic_group`` (``"Ethnic minority"``, ``"White"``), ``share`` (% of staff of known
        ethnicity; missing where the band's value is suppressed or missing) and
        ``share_suppressed`` (True on both rows of a band whose value is suppressed: the flag
        column of ``share``, :func:`rhoresearch.disclosure.flag_column`).

    Notes
    -----
    Drawing the "snowy white peaks" chart from this table, rather than from the raw headcounts,
    keeps the figure's suppression identical to the table's, so the two cannot be combined to work
    out a suppressed count.

    References
    ----------
    Kline R (2014). The "snowy white peaks" of the NHS. Middlesex University.
    """
    require_columns(table, [band, "value"], func="band_shares")
    rows = table[table[band].astype(str) != "All staff"]
    suppressed = np.asarray(disclosure.is_suppressed(rows, "value"), dtype=bool)
    minority = pd.to_numeric(rows["value"].where(~suppressed), errors="coerce").to_numpy(float)
    return pd.DataFrame(
        {
            band: np.repeat(rows[band].astype(str).to_numpy(), 2),
            "ethnic_group": np.tile([MINORITY, WHITE], len(rows)),
            "share": np.column_stack([minority, 100 - minority]).ravel(),
            disclosure.flag_column("share"): np.repeat(suppressed, 2),
        }
    )


# --------------------------------------------------------------------------------------------------
# indicators 2-4: relative likelihoods
# --------------------------------------------------------------------------------------------------


def relative_likelihood(
    data: pd.DataFrame,
    *,
    numerator: str,
    denominator: str,
    focus: str,
    reference: str,
    group: str = "ethnic_group",
    by: Columns = None,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Relative likelihood of an outcome for one group compared with another, flagged.

    Parameters
    ----------
    data : DataFrame
        Counts by ethnic group (one or more rows per group; summed); not modified.
    numerator, denominator : str
        The outcome count (e.g. ``"appointed"``) and the number at risk (``"shortlisted"``).
    focus, reference : str
        The group whose likelihood is the numerator of the ratio, and the comparator
        (e.g. ``focus="White", reference="Ethnic minority"`` for WRES indicator 2).
    group : str, default "ethnic_group"
        The ethnic group column.
    by : str or list of str, optional
        Grouping columns (e.g. ``"year"`` or ``["year", "org_code"]``).
    confidence : float, default 0.95
        Confidence level of the interval.

    Returns
    -------
    DataFrame
        One row per ``by`` group, the columns of ``rhoresearch.stats.proportion_ratio`` for
        the ``focus`` group (``value`` = relative likelihood, ``lower_ci``, ``upper_ci``,
        ``confidence``, ``statistic``, ``method``, ``reference`` ...) plus ``flag``
        (``"within 0.80 to 1.25"``, ``"above 1.25"``, ``"below 0.80"``) and ``significant``
        (the interval excludes 1).

    Notes
    -----
    Relative likelihood = (focus outcome / focus at risk) / (reference outcome / reference at
    risk). 1.0 is parity. Rows of any other group (e.g. not known) are ignored by the ratio; count
    them with :func:`unknown_summary`. The interval is that of ``rhoresearch.stats.proportion_ratio``.

    References
    ----------
    NHS England. WRES technical guidance (relative likelihood). Uniform Guidelines on Employee
    Selection Procedures (1978), 29 CFR 1607.4(D).
    """
    by = as_columns(by, func="relative_likelihood")
    require_columns(data, [numerator, denominator, group, *by], func="relative_likelihood")
    groups = data[group].astype(str)
    for label in (focus, reference):
        if label not in set(groups):
            raise InputError(
                f"relative_likelihood: group {label!r} not found in column {group!r} "
                f"(values: {sorted(set(groups))})"
            )
    subset = data.loc[groups.isin([focus, reference]), [*by, group, numerator, denominator]].copy()
    subset[group] = subset[group].astype(str)
    res = stats.proportion_ratio(
        subset,
        numerator=numerator,
        denominator=denominator,
        group=group,
        reference=reference,
        by=by or None,
        confidence=confidence,
    )
    res = res[res[group].astype(str) == focus].reset_index(drop=True)
    res = _frames.whole_counts(
        res, ["numerator", "denominator", "reference_numerator", "reference_denominator"]
    )
    res["flag"] = _flag(res["value"])
    res["significant"] = (res["lower_ci"] > 1) | (res["upper_ci"] < 1)
    return res


#: WRES indicators 2 to 4: the counts of the returns whose ratio each is, the group whose likelihood
#: is the ratio's numerator and its comparator (given to :func:`relative_likelihood`), and the words
#: of each one's docstring (:data:`_LIKELIHOOD_DOC`).
_LIKELIHOODS: dict[str, dict[str, str]] = {
    "2": {
        "numerator": "appointed",
        "denominator": "shortlisted",
        "focus": WHITE,
        "reference": MINORITY,
        "summary": "White applicants' likelihood of appointment from shortlisting vs ethnic minority.",
        "reading": "Above 1: White applicants more likely to be appointed.",
        "source": "WRES indicator 2.",
    },
    "3": {
        "numerator": "entered_disciplinary",
        "denominator": "staff_headcount",
        "focus": MINORITY,
        "reference": WHITE,
        "summary": "ethnic minority staff's likelihood of a formal disciplinary process vs White.",
        "reading": "Above 1: ethnic minority staff more likely to enter the process.",
        "source": "WRES indicator 3 (entry into a formal disciplinary investigation).",
    },
    "4": {
        "numerator": "accessed_training",
        "denominator": "staff_headcount",
        "focus": WHITE,
        "reference": MINORITY,
        "summary": "White staff's likelihood of accessing non-mandatory training vs ethnic minority.",
        "reading": "Below 1: White staff less likely to access training.",
        "source": "WRES indicator 4.",
    },
}
#: The columns of :data:`_LIKELIHOODS` that are arguments of :func:`relative_likelihood`.
_RATIO_ARGUMENTS = ("numerator", "denominator", "focus", "reference")

#: The docstring of the indicator 2 to 4 functions, filled from their row of :data:`_LIKELIHOODS`.
_LIKELIHOOD_DOC = """WRES indicator {indicator}: {summary}

Parameters
----------
returns : DataFrame
    ``ethnic_group``, ``{denominator}``, ``{numerator}`` (plus ``by``); not modified.
by : str or list of str, optional
    Grouping columns (``"year"``, ``["year", "org_code"]`` ...).
confidence : float, default 0.95
    Confidence level.

Returns
-------
DataFrame
    As :func:`relative_likelihood` with ``focus="{focus}"`` and ``reference="{reference}"``, and
    ``indicator`` = ``"{indicator}"`` first. {reading}

References
----------
NHS England. {source}
"""


def _likelihood_indicator(indicator: str) -> Callable[[_F], _F]:
    """Decorator: the docstring of WRES indicator ``indicator`` (:data:`_LIKELIHOOD_DOC`)."""
    return _wording.docstring(
        _LIKELIHOOD_DOC.format(indicator=indicator, **_LIKELIHOODS[indicator])
    )


def _indicator_likelihood(
    indicator: str, returns: pd.DataFrame, *, by: Columns, confidence: float
) -> pd.DataFrame:
    """:func:`relative_likelihood` of WRES indicator ``indicator``, the ``indicator`` column first."""
    spec = _LIKELIHOODS[indicator]
    ratio = {name: spec[name] for name in _RATIO_ARGUMENTS}
    res = relative_likelihood(returns, **ratio, by=by, confidence=confidence)
    res.insert(0, "indicator", indicator)
    return res


@_likelihood_indicator("2")
def appointment_likelihood(
    returns: pd.DataFrame, *, by: Columns = None, confidence: float = 0.95
) -> pd.DataFrame:
    return _indicator_likelihood("2", returns, by=by, confidence=confidence)


@_likelihood_indicator("3")
def disciplinary_likelihood(
    returns: pd.DataFrame, *, by: Columns = None, confidence: float = 0.95
) -> pd.DataFrame:
    return _indicator_likelihood("3", returns, by=by, confidence=confidence)


@_likelihood_indicator("4")
def training_likelihood(
    returns: pd.DataFrame, *, by: Columns = None, confidence: float = 0.95
) -> pd.DataFrame:
    return _indicator_likelihood("4", returns, by=by, confidence=confidence)


#: WRES indicator 3 is measured over two years: "this indicator will be based on data from a two
#: year rolling average of the current year and the previous year" (WRES technical guidance).
ROLLING_YEARS = {"3": 2}


def pool_years(
    returns: pd.DataFrame,
    *,
    counts: Sequence[str],
    years: int = 2,
    year: str = "year",
    group: str = "ethnic_group",
) -> pd.DataFrame:
    """Counts summed over each year and the ``years - 1`` before it: the WRES rolling average.

    Parameters
    ----------
    returns : DataFrame
        ``year``, ``group`` and the ``counts`` (any other columns are summed over); not modified.
    counts : list of str
        The count columns to pool (e.g. ``["entered_disciplinary", "staff_headcount"]``).
    years : int, default 2
        The years in each window, ending with the year of the row.
    year, group : str
        The year (integer) and ethnic group columns.

    Returns
    -------
    DataFrame
        One row per year whose window is wholly in the data and per group: ``year`` (the last
        year of the window), ``years`` (``"2023-2024"``), ``group`` and the pooled ``counts``.
        Years without all the earlier years of their window are left out (logged).

    Notes
    -----
    A ratio of two-year averages equals the ratio of two-year sums, so the relative likelihood
    of the pooled counts is that of the rolling average; the interval from the sums treats each
    staff member in post in both years as two person-years, as the guidance's average does.

    References
    ----------
    NHS England. Workforce Race Equality Standard: technical guidance, indicator 3 (two-year
    rolling average of the current and the previous year).
    """
    counts = as_columns(counts, func="pool_years")
    require_columns(returns, [year, group, *counts], func="pool_years")
    if years < 1:
        raise InputError(f"pool_years: years must be 1 or more; got {years!r}")
    frame = returns.groupby([year, group], observed=True, sort=True)[counts].sum().reset_index()
    present = {int(y) for y in frame[year].unique()}
    pieces = []
    for last in sorted(present):
        window = [last - k for k in range(years)]
        if not set(window) <= present:
            logger.info("pool_years: %s left out (years %s not all in the data)", last, window)
            continue
        part = frame[frame[year].astype(int).isin(window)]
        part = part.groupby(group, observed=True, sort=False)[counts].sum().reset_index()
        part.insert(0, "years", f"{min(window)}-{last}" if years > 1 else str(last))
        part.insert(0, year, last)
        pieces.append(part)
    if not pieces:
        return pd.DataFrame(columns=[year, "years", group, *counts])
    return pd.concat(pieces, ignore_index=True)


# --------------------------------------------------------------------------------------------------
# indicators 5-8: staff survey
# --------------------------------------------------------------------------------------------------


@_wording.document()
def survey_percentages(
    survey: pd.DataFrame,
    *,
    by: Columns = None,
    reference: str = WHITE,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """WRES indicators 5 to 8: staff-survey percentages for White and ethnic minority staff.

    Parameters
    ----------
    survey : DataFrame
        ``measure``, ``ethnic_group``, ``respondents``, ``count`` (plus ``by``); not modified.
    by : str or list of str, optional
        Further grouping (``"year"``, ``"org_code"``).
    reference : {"White", "Ethnic minority"}, default "White"
        The group the other is compared with in ``gap``.
    {confidence_wilson}

    Returns
    -------
    DataFrame
        One row per ``by`` group, measure and ethnic group (White first): ``indicator``, the
        ``by`` columns, ``measure``, ``ethnic_group``, ``numerator`` (respondents answering yes),
        ``denominator`` (respondents), ``value`` (%), ``lower_ci``, ``upper_ci``, ``confidence``,
        ``statistic``, ``method``, ``note``, ``reference`` and ``gap`` (the other group minus
        the reference group, percentage points, on both rows of a pair).

    Notes
    -----
    Wilson score intervals from ``rhoresearch.stats.proportion``. For indicator 7 (equal
    opportunities) a lower percentage is worse; for 5, 6 and 8 a higher one is.

    References
    ----------
    NHS England. WRES indicators 5-8 (NHS Staff Survey). Wilson EB (1927), JASA 22:209-212.
    """
    by = as_columns(by, func="survey_percentages")
    require_columns(
        survey, ["measure", "ethnic_group", "respondents", "count", *by], func="survey_percentages"
    )
    data = survey[survey["ethnic_group"].astype(str).isin([WHITE, MINORITY])].copy()
    data["ethnic_group"] = data["ethnic_group"].astype(str)
    res = _frames.percentages(
        data,
        numerator="count",
        denominator="respondents",
        by=[*by, "measure", "ethnic_group"],
        confidence=confidence,
    )
    res.insert(0, "indicator", res["measure"].map(SURVEY_MEASURES).astype("str"))
    keys = [*by, "measure"]
    if reference not in (WHITE, MINORITY):
        raise InputError(
            f"survey_percentages: reference must be {WHITE!r} or {MINORITY!r}, got {reference!r}"
        )
    other = MINORITY if reference == WHITE else WHITE
    wide = res.pivot_table(index=keys, columns="ethnic_group", values="value", observed=True)
    res["reference"] = reference
    if WHITE in wide and MINORITY in wide:
        gap = (wide[other] - wide[reference]).rename("gap").reset_index()
        res = res.merge(gap, on=keys, how="left")
    else:
        res["gap"] = np.nan
    order = {m: i for i, m in enumerate(SURVEY_MEASURES)}
    group_order = {WHITE: 0, MINORITY: 1}
    res = res.sort_values(
        [*by, "measure", "ethnic_group"],
        key=lambda s: (
            s.map(order)
            if s.name == "measure"
            else s.map(group_order)
            if s.name == "ethnic_group"
            else s
        ),
        kind="stable",
    )
    return res.reset_index(drop=True)


# --------------------------------------------------------------------------------------------------
# indicator 9: board
# --------------------------------------------------------------------------------------------------


@_wording.document()
def board_representation(
    board: pd.DataFrame,
    staff: pd.DataFrame,
    *,
    by: Columns = None,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """WRES indicator 9: ethnic minority share of board voting members against the workforce.

    Parameters
    ----------
    board : DataFrame
        ``ethnic_group``, ``voting_members`` (plus ``by``); not modified.
    staff : DataFrame
        Staff in post: ``ethnic_group``, ``headcount`` (plus ``by``); not modified.
    by : str or list of str, optional
        Grouping columns present in both (``"year"``, ``"org_code"``).
    {confidence_wilson}

    Returns
    -------
    DataFrame
        Two rows per ``by`` group (``body`` = ``"Board (voting)"`` and ``"Workforce"``): the ``by``
        columns, ``body``, ``numerator`` (ethnic minority members / staff), ``denominator``
        (members / staff of known ethnicity), ``value`` (%), ``lower_ci``, ``upper_ci``,
        ``confidence``, ``statistic``, ``method``, ``note`` and ``difference`` (board minus
        workforce, percentage points, on the board row; NaN on the workforce row, so that
        suppressing the board row hides it).

    Notes
    -----
    Unknown ethnicity is excluded from both denominators. A negative difference means the board
    is less diverse than the workforce.

    References
    ----------
    NHS England. WRES indicator 9.
    """
    by = as_columns(by, func="board_representation")
    require_columns(board, ["ethnic_group", "voting_members", *by], func="board_representation")
    require_columns(staff, ["ethnic_group", "headcount", *by], func="board_representation")
    parts = []
    for body, frame, col in (
        ("Board (voting)", board, "voting_members"),
        ("Workforce", staff, "headcount"),
    ):
        g = frame["ethnic_group"].astype(str)
        tmp = frame[by].copy()
        tmp["body"] = body
        tmp["_m"] = np.where(g == MINORITY, frame[col], 0)
        tmp["_k"] = np.where(g != NOT_KNOWN, frame[col], 0)
        parts.append(tmp)
    data = pd.concat(parts, ignore_index=True)
    res = _frames.percentages(
        data, numerator="_m", denominator="_k", by=[*by, "body"], confidence=confidence
    )
    if by:
        wide = res.pivot_table(index=by, columns="body", values="value", observed=True)
        diff = (wide["Board (voting)"] - wide["Workforce"]).rename("difference").reset_index()
        res = res.merge(diff, on=by, how="left")
    else:
        vals = res.set_index("body")["value"]
        res["difference"] = vals["Board (voting)"] - vals["Workforce"]
    # the difference sits on the board row only, so suppressing that row hides it
    res["difference"] = res["difference"].where(res["body"] == "Board (voting)")
    return res


# --------------------------------------------------------------------------------------------------
# change over time
# --------------------------------------------------------------------------------------------------


def change_since_previous(
    table: pd.DataFrame,
    *,
    keys: str | Sequence[str],
    year: str = "year",
    value: str = "value",
) -> pd.DataFrame:
    """Add each row's value in the previous year and the change since then.

    Parameters
    ----------
    table : DataFrame
        An indicator table with a ``year`` column; not modified.
    keys : str or list of str
        The columns identifying a series across years (e.g. ``["indicator"]`` or
        ``["measure", "ethnic_group"]``).
    year, value : str
        Column names of the year and of the value.

    Returns
    -------
    DataFrame
        The input columns plus ``previous_value`` (the value of the same series in the previous
        year present, NaN for the first) and ``change`` (``value - previous_value``).

    Notes
    -----
    A change between two values whose intervals overlap may be chance; the report shows both
    intervals. No test of the change is made here. Apply it after disclosure control: a
    suppressed value (:func:`rhoresearch.disclosure.is_suppressed`) counts as missing, so neither
    it nor the change from it can be worked out.

    References
    ----------
    NHS England. WRES data reports (year-on-year comparison).
    """
    keys = as_columns(keys, func="change_since_previous", name="keys")
    require_columns(table, [*keys, year, value], func="change_since_previous")
    out = table.sort_values([*keys, year], kind="stable").copy()
    hidden = np.asarray(disclosure.is_suppressed(out, value), dtype=bool)
    numeric = pd.to_numeric(out[value].where(~hidden), errors="coerce")
    if keys:
        out["previous_value"] = numeric.groupby(
            [out[k] for k in keys], observed=True, sort=False
        ).shift(1)
    else:
        out["previous_value"] = numeric.shift(1)
    out["change"] = numeric - out["previous_value"]
    return out.sort_index()
