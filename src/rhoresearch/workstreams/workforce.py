"""Workforce race equality: the nine WRES indicators from organisations' annual returns.

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

Relative likelihoods are ratios of two proportions (``rhoresearch.stats.indicators.proportion_ratio``);
the usual reading is that 1.0 is parity and a value outside 0.80 to 1.25 (the "four-fifths rule")
is flagged. Staff whose ethnicity is not known are a third category: they are counted, reported in
the data-quality section (:func:`unknown_summary`) and excluded from the ratios.

The tables read by these functions are declared as pandera schemas (:data:`SCHEMAS`) and loaded
with ``rhoresearch.data.load(path, schema=...)``.

References
----------
NHS England. Workforce Race Equality Standard (WRES) indicators.
https://www.england.nhs.uk/publication/workforce-race-equality-standard-wres-indicators/

Equal Employment Opportunity Commission et al. (1978). Uniform Guidelines on Employee Selection
Procedures, 29 CFR 1607.4(D) (the four-fifths rule; 1.25 = 1/0.8).
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import pandera.pandas as pa

from rhoresearch import ethnicity
from rhoresearch.exceptions import InputError
from rhoresearch.stats import indicators
from rhoresearch.workstreams import _frames

__all__ = [
    "WHITE",
    "MINORITY",
    "NOT_KNOWN",
    "PAY_BANDS",
    "PARITY_RANGE",
    "INDICATORS",
    "SHORT_LABELS",
    "SURVEY_MEASURES",
    "ORGANISATIONS_SCHEMA",
    "STAFF_IN_POST_SCHEMA",
    "RETURNS_SCHEMA",
    "STAFF_SURVEY_SCHEMA",
    "BOARD_SCHEMA",
    "SCHEMAS",
    "harmonise_groups",
    "label",
    "select",
    "unknown_summary",
    "representation_by_band",
    "band_shares",
    "relative_likelihood",
    "appointment_likelihood",
    "disciplinary_likelihood",
    "training_likelihood",
    "likelihood_by_organisation",
    "appointment_funnel",
    "survey_percentages",
    "board_representation",
    "change_since_previous",
]

logger = logging.getLogger(__name__)

WHITE = "White"
MINORITY = ethnicity.DEFAULT_MINORITY_LABEL
NOT_KNOWN = ethnicity.NOT_KNOWN
PAY_BANDS = (
    "Band 1",
    "Band 2",
    "Band 3",
    "Band 4",
    "Band 5",
    "Band 6",
    "Band 7",
    "Band 8a",
    "Band 8b",
    "Band 8c",
    "Band 8d",
    "Band 9",
    "VSM",
)
#: Relative likelihoods outside this range are flagged (the four-fifths rule: 0.80 and 1/0.80).
PARITY_RANGE = (0.80, 1.25)

#: WRES indicator number -> short description (as used in tables and the summary).
INDICATORS = {
    "1": "Ethnic minority staff in each pay band vs the overall workforce (%)",
    "2": "Relative likelihood of White applicants being appointed from shortlisting compared with "
    "ethnic minority applicants",
    "3": "Relative likelihood of ethnic minority staff entering the formal disciplinary process "
    "compared with White staff",
    "4": "Relative likelihood of White staff accessing non-mandatory training and CPD compared "
    "with ethnic minority staff",
    "5": "Staff experiencing harassment, bullying or abuse from patients, relatives or the public "
    "in the last 12 months (%)",
    "6": "Staff experiencing harassment, bullying or abuse from staff in the last 12 months (%)",
    "7": "Staff believing the organisation provides equal opportunities for career progression or "
    "promotion (%)",
    "8": "Staff personally experiencing discrimination at work from a manager, team leader or "
    "other colleagues in the last 12 months (%)",
    "9": "Board voting membership vs the overall workforce: ethnic minority percentage-point "
    "difference",
}
#: Short labels of the indicators, for figure axes and tables.
SHORT_LABELS = {
    "2": "2. Appointment from shortlisting (White vs ethnic minority)",
    "3": "3. Formal disciplinary process (ethnic minority vs White)",
    "4": "4. Non-mandatory training (White vs ethnic minority)",
    "harassment_from_patients": "5. Harassment from patients or public",
    "harassment_from_staff": "6. Harassment from staff",
    "equal_opportunities": "7. Believe in equal opportunities",
    "discrimination_from_manager": "8. Discrimination from manager or colleague",
}
#: Staff-survey measure name -> WRES indicator number.
SURVEY_MEASURES = {
    "harassment_from_patients": "5",
    "harassment_from_staff": "6",
    "equal_opportunities": "7",
    "discrimination_from_manager": "8",
}

_count = pa.Column(int, pa.Check.ge(0), coerce=True)
_group = pa.Column(str, coerce=True)

ORGANISATIONS_SCHEMA = pa.DataFrameSchema(
    {
        "org_code": pa.Column(str, unique=True),
        "org_name": pa.Column(str),
        "region": pa.Column(str),
        "trust_type": pa.Column(str, required=False),
    },
    name="workforce organisations",
    strict=False,
)
STAFF_IN_POST_SCHEMA = pa.DataFrameSchema(
    {
        "year": pa.Column(int, coerce=True),
        "org_code": pa.Column(str),
        "staff_group": pa.Column(str, required=False),
        "pay_band": pa.Column(str, pa.Check.isin(PAY_BANDS)),
        "ethnic_group": _group,
        "headcount": _count,
    },
    name="workforce staff in post",
    strict=False,
)
RETURNS_SCHEMA = pa.DataFrameSchema(
    {
        "year": pa.Column(int, coerce=True),
        "org_code": pa.Column(str),
        "ethnic_group": _group,
        "staff_headcount": _count,
        "shortlisted": _count,
        "appointed": _count,
        "entered_disciplinary": _count,
        "accessed_training": _count,
    },
    checks=[
        pa.Check(lambda d: d["appointed"] <= d["shortlisted"], error="appointed <= shortlisted"),
        pa.Check(
            lambda d: d["entered_disciplinary"] <= d["staff_headcount"],
            error="entered_disciplinary <= staff_headcount",
        ),
        pa.Check(
            lambda d: d["accessed_training"] <= d["staff_headcount"],
            error="accessed_training <= staff_headcount",
        ),
    ],
    name="workforce returns",
    strict=False,
)
STAFF_SURVEY_SCHEMA = pa.DataFrameSchema(
    {
        "year": pa.Column(int, coerce=True),
        "org_code": pa.Column(str),
        "indicator": pa.Column(str, coerce=True),
        "measure": pa.Column(str, pa.Check.isin(list(SURVEY_MEASURES))),
        "ethnic_group": _group,
        "respondents": _count,
        "count": _count,
    },
    checks=[pa.Check(lambda d: d["count"] <= d["respondents"], error="count <= respondents")],
    name="workforce staff survey",
    strict=False,
)
BOARD_SCHEMA = pa.DataFrameSchema(
    {
        "year": pa.Column(int, coerce=True),
        "org_code": pa.Column(str),
        "ethnic_group": _group,
        "voting_members": _count,
    },
    name="workforce board",
    strict=False,
)
#: File stem -> schema, for ``rhoresearch.data.load``.
SCHEMAS = {
    "organisations": ORGANISATIONS_SCHEMA,
    "staff_in_post": STAFF_IN_POST_SCHEMA,
    "workforce_returns": RETURNS_SCHEMA,
    "staff_survey": STAFF_SURVEY_SCHEMA,
    "board": BOARD_SCHEMA,
}


# --------------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------------


def _flag(values: pd.Series) -> pd.Series:
    lo, hi = PARITY_RANGE
    out = pd.Series("within 0.80 to 1.25", index=values.index, dtype="str")
    out = out.mask(values < lo, "below 0.80")
    out = out.mask(values > hi, "above 1.25")
    return out.mask(values.isna(), "not calculable")


def harmonise_groups(data: pd.DataFrame, *, column: str = "ethnic_group") -> pd.DataFrame:
    """Return a copy with ``column`` mapped to White / ethnic minority / not known.

    Parameters
    ----------
    data : DataFrame
        Any table with an ethnic group column; not modified.
    column : str, default "ethnic_group"
        The column holding ethnic groups as recorded (``"White"``, ``"BME"``, ``"BAME"``, NHS
        codes, detailed labels, ``"Unknown"``/blank ...).

    Returns
    -------
    DataFrame
        The same rows with ``column`` as an ordered categorical ``["White", "Ethnic minority",
        "Not known"]``; values that cannot be mapped are counted as not known (and logged).

    Notes
    -----
    Uses :func:`rhoresearch.ethnicity.to_binary` (``errors="not_known"``); White = White
    British, White Irish and any other White background (the WRES definition).

    References
    ----------
    NHS England. WRES technical guidance (White / BME / unknown).
    """
    _frames.require(data, [column], "harmonise_groups")
    values = data[column].replace({"Unknown": NOT_KNOWN, "unknown": NOT_KNOWN})
    mapped = ethnicity.to_binary(values, errors="not_known")
    out = data.copy()
    out[column] = mapped
    unmapped = mapped.attrs.get("unmapped", {})
    if unmapped:
        logger.warning(
            "harmonise_groups: %d value(s) counted as not known: %s",
            sum(unmapped.values()),
            unmapped,
        )
    return out


def label(organisation: str, organisations: pd.DataFrame | None = None) -> str:
    """The display name of a selection: "all organisations", a region, or "<name> (<code>)".

    Parameters
    ----------
    organisation : str
        As for :func:`select`.
    organisations : DataFrame, optional
        The organisations table (``org_code``, ``org_name``, ``region``).

    Returns
    -------
    str
        A label for titles and captions; the input itself when it matches nothing.
    """
    if str(organisation).strip().lower() == "all":
        return "all organisations"
    if organisations is None:
        return str(organisation)
    wanted = _frames.alnum_slug(organisation)
    for row in organisations.itertuples(index=False):
        if _frames.alnum_slug(row.org_code) == wanted:
            return f"{row.org_name} ({row.org_code})"
    for region in organisations["region"].astype(str).unique():
        if _frames.alnum_slug(region) == wanted:
            return f"{region} region"
    return str(organisation)


def select(
    data: pd.DataFrame,
    *,
    organisation: str = "all",
    organisations: pd.DataFrame | None = None,
    year: int | None = None,
) -> pd.DataFrame:
    """Keep the rows of one organisation, one region, or all, for one year or all years.

    Parameters
    ----------
    data : DataFrame
        A workforce table with ``org_code`` (and ``year``); not modified.
    organisation : str, default "all"
        ``"all"``, an organisation code (``"RXX"``) or a region name (needs ``organisations``).
        Matched ignoring case, spaces and hyphens, so ``"south-west"`` selects "South West" and
        ``"r0a"`` selects ``"R0A"`` (build-configuration ids are lower case).
    organisations : DataFrame, optional
        The organisations table (``org_code``, ``region``), to select a region.
    year : int, optional
        Keep this year only (default all years).

    Returns
    -------
    DataFrame
        The selected rows, same columns.

    Raises
    ------
    InputError
        The organisation or region, or the year, is not in the data.
    """
    _frames.require(data, ["org_code"], "select")
    out = data
    if str(organisation).strip().lower() != "all":
        wanted = _frames.alnum_slug(organisation)
        codes = {_frames.alnum_slug(c): c for c in data["org_code"].astype(str).unique()}
        regions = (
            {_frames.alnum_slug(r): r for r in organisations["region"].astype(str).unique()}
            if organisations is not None
            else {}
        )
        if wanted in codes:
            out = out[out["org_code"].astype(str) == codes[wanted]]
        elif wanted in regions:
            in_region = organisations.loc[
                organisations["region"].astype(str) == regions[wanted], "org_code"
            ]
            out = out[out["org_code"].isin(in_region)]
        else:
            raise InputError(
                f"select: organisation {organisation!r} is neither an org_code in the data nor a "
                "region of the organisations table; use 'all', a code such as "
                f"{sorted(codes.values())[:3]} or a region such as {sorted(regions.values())[:2]}"
            )
    if year is not None:
        _frames.require(out, ["year"], "select")
        if int(year) not in set(out["year"].astype(int)):
            raise InputError(
                f"select: year {year} not in the data (years: {sorted(set(out['year']))})"
            )
        out = out[out["year"].astype(int) == int(year)]
    return out.reset_index(drop=True)


def unknown_summary(
    data: pd.DataFrame,
    *,
    counts: list[str],
    by=None,
    group: str = "ethnic_group",
) -> pd.DataFrame:
    """Count how many people in each count column have no known ethnicity (data quality).

    Parameters
    ----------
    data : DataFrame
        A table of counts by ethnic group; not modified.
    counts : list of str
        The count columns (e.g. ``["staff_headcount", "shortlisted"]``).
    by : str or list of str, optional
        Grouping columns (e.g. ``"year"``).
    group : str, default "ethnic_group"
        The ethnic group column (White / ethnic minority / not known).

    Returns
    -------
    DataFrame
        One row per ``by`` group and count column: the ``by`` columns, ``measure`` (the count
        column), ``numerator`` (not known), ``denominator`` (everyone), ``value`` (% not known),
        ``lower_ci``, ``upper_ci`` (Wilson), ``confidence``, ``statistic``, ``method``, ``note``.

    Notes
    -----
    People whose ethnicity is not known are excluded from every relative likelihood; this table
    says how many. Percentages from ``rhoresearch.stats.indicators.proportion``.

    References
    ----------
    Wilson EB (1927). Probable inference, the law of succession, and statistical inference. JASA
    22:209-212.
    """
    by = _frames.as_list(by)
    _frames.require(data, [group, *counts, *by], "unknown_summary")
    frames = []
    for col in counts:
        tmp = data[[*by, group, col]].copy()
        tmp["_unknown"] = np.where(tmp[group].astype(str) == NOT_KNOWN, tmp[col], 0)
        tmp["measure"] = col
        frames.append(tmp.rename(columns={col: "_all"}))
    long = pd.concat(frames, ignore_index=True)
    return _frames.percentages(long, numerator="_unknown", denominator="_all", by=[*by, "measure"])


# --------------------------------------------------------------------------------------------------
# indicator 1: representation by pay band
# --------------------------------------------------------------------------------------------------


def representation_by_band(
    staff: pd.DataFrame,
    *,
    by=None,
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
    confidence : float, default 0.95
        Confidence level of the Wilson intervals.

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
    Wilson score intervals from ``rhoresearch.stats.indicators.proportion``.

    References
    ----------
    NHS England. WRES indicator 1. Kline R (2014). The "snowy white peaks" of the NHS. Middlesex
    University.
    """
    by = _frames.as_list(by)
    _frames.require(staff, [band, group, count, *by], "representation_by_band")
    data = staff[[*by, band, group, count]].copy()
    g = data[group].astype(str)
    data["_minority"] = np.where(g == MINORITY, data[count], 0)
    data["_known"] = np.where(g != NOT_KNOWN, data[count], 0)
    data["_unknown"] = np.where(g == NOT_KNOWN, data[count], 0)
    data["_white"] = np.where(g == WHITE, data[count], 0)
    all_staff = data.assign(**{band: "All staff"})
    data = pd.concat([data, all_staff], ignore_index=True)
    res = indicators.proportion(
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
        ``rhoresearch.disclosure.suppress`` (``value`` may hold ``"[c]"``); not modified.
    band : str, default "pay_band"
        The band column.

    Returns
    -------
    DataFrame
        Two rows per band (the ``"All staff"`` row left out), in the table's order: ``pay_band``,
        ``ethnic_group`` (``"Ethnic minority"``, ``"White"``) and ``share`` (% of staff of known
        ethnicity; ``"[c]"`` where the band's value is suppressed, NaN where it is missing).

    Notes
    -----
    Drawing the "snowy white peaks" chart from this table, rather than from the raw headcounts,
    keeps the figure's suppression identical to the table's, so the two cannot be combined to work
    out a suppressed count.

    References
    ----------
    Kline R (2014). The "snowy white peaks" of the NHS. Middlesex University.
    """
    _frames.require(table, [band, "value"], "band_shares")
    rows = table[table[band].astype(str) != "All staff"]
    suppressed = rows["value"].astype(str) == "[c]"
    minority = rows["value"].where(~suppressed, "[c]")
    numeric = pd.to_numeric(rows["value"].where(~suppressed), errors="coerce")
    white = (100 - numeric).astype(object).where(~suppressed, "[c]")
    out = pd.DataFrame(
        {
            band: np.repeat(rows[band].astype(str).to_numpy(), 2),
            "ethnic_group": np.tile([MINORITY, WHITE], len(rows)),
            "share": np.column_stack([minority.to_numpy(object), white.to_numpy(object)]).ravel(),
        }
    )
    return out


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
    by=None,
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
        One row per ``by`` group, the columns of ``rhoresearch.stats.indicators.proportion_ratio`` for
        the ``focus`` group (``value`` = relative likelihood, ``lower_ci``, ``upper_ci``,
        ``confidence``, ``statistic``, ``method``, ``reference`` ...) plus ``flag``
        (``"within 0.80 to 1.25"``, ``"above 1.25"``, ``"below 0.80"``) and ``significant``
        (the interval excludes 1).

    Notes
    -----
    Relative likelihood = (focus outcome / focus at risk) / (reference outcome / reference at
    risk). 1.0 is parity. Rows of any other group (e.g. not known) are ignored by the ratio; count
    them with :func:`unknown_summary`. The interval is that of ``indicators.proportion_ratio``.

    References
    ----------
    NHS England. WRES technical guidance (relative likelihood). Uniform Guidelines on Employee
    Selection Procedures (1978), 29 CFR 1607.4(D).
    """
    by = _frames.as_list(by)
    _frames.require(data, [numerator, denominator, group, *by], "relative_likelihood")
    groups = data[group].astype(str)
    for label in (focus, reference):
        if label not in set(groups):
            raise InputError(
                f"relative_likelihood: group {label!r} not found in column {group!r} "
                f"(values: {sorted(set(groups))})"
            )
    subset = data.loc[groups.isin([focus, reference]), [*by, group, numerator, denominator]].copy()
    subset[group] = subset[group].astype(str)
    res = indicators.proportion_ratio(
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


def appointment_likelihood(returns: pd.DataFrame, *, by=None, confidence: float = 0.95):
    """WRES indicator 2: White applicants' likelihood of appointment from shortlisting vs ethnic minority.

    Parameters
    ----------
    returns : DataFrame
        ``ethnic_group``, ``shortlisted``, ``appointed`` (plus ``by``); not modified.
    by : str or list of str, optional
        Grouping columns (``"year"``, ``["year", "org_code"]`` ...).
    confidence : float, default 0.95
        Confidence level.

    Returns
    -------
    DataFrame
        As :func:`relative_likelihood`, with ``indicator`` = ``"2"``. Above 1: White applicants
        more likely to be appointed.

    References
    ----------
    NHS England. WRES indicator 2.
    """
    res = relative_likelihood(
        returns, numerator="appointed", denominator="shortlisted", focus=WHITE,
        reference=MINORITY, by=by, confidence=confidence,
    )  # fmt: skip
    res.insert(0, "indicator", "2")
    return res


def disciplinary_likelihood(returns: pd.DataFrame, *, by=None, confidence: float = 0.95):
    """WRES indicator 3: ethnic minority staff's likelihood of a formal disciplinary process vs White.

    Parameters
    ----------
    returns : DataFrame
        ``ethnic_group``, ``staff_headcount``, ``entered_disciplinary`` (plus ``by``).
    by : str or list of str, optional
        Grouping columns.
    confidence : float, default 0.95
        Confidence level.

    Returns
    -------
    DataFrame
        As :func:`relative_likelihood`, with ``indicator`` = ``"3"``. Above 1: ethnic minority staff
        more likely to enter the process.

    References
    ----------
    NHS England. WRES indicator 3 (entry into a formal disciplinary investigation).
    """
    res = relative_likelihood(
        returns, numerator="entered_disciplinary", denominator="staff_headcount", focus=MINORITY,
        reference=WHITE, by=by, confidence=confidence,
    )  # fmt: skip
    res.insert(0, "indicator", "3")
    return res


def training_likelihood(returns: pd.DataFrame, *, by=None, confidence: float = 0.95):
    """WRES indicator 4: White staff's likelihood of accessing non-mandatory training vs ethnic minority.

    Parameters
    ----------
    returns : DataFrame
        ``ethnic_group``, ``staff_headcount``, ``accessed_training`` (plus ``by``).
    by : str or list of str, optional
        Grouping columns.
    confidence : float, default 0.95
        Confidence level.

    Returns
    -------
    DataFrame
        As :func:`relative_likelihood`, with ``indicator`` = ``"4"``. Below 1: White staff less
        likely to access training.

    References
    ----------
    NHS England. WRES indicator 4.
    """
    res = relative_likelihood(
        returns, numerator="accessed_training", denominator="staff_headcount", focus=WHITE,
        reference=MINORITY, by=by, confidence=confidence,
    )  # fmt: skip
    res.insert(0, "indicator", "4")
    return res


_LIKELIHOODS = {
    "2": appointment_likelihood,
    "3": disciplinary_likelihood,
    "4": training_likelihood,
}


def likelihood_by_organisation(
    returns: pd.DataFrame,
    *,
    indicator: str = "2",
    year: int,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """One relative likelihood per organisation for one year, with the national value beside it.

    Parameters
    ----------
    returns : DataFrame
        Workforce returns with ``year`` and ``org_code``; not modified.
    indicator : {"2", "3", "4"}, default "2"
        Which WRES relative likelihood.
    year : int
        The reporting year.
    confidence : float, default 0.95
        Confidence level.

    Returns
    -------
    DataFrame
        One row per organisation: ``org_code`` and the columns of :func:`relative_likelihood`
        plus ``national_value`` (the ratio for all organisations together) and
        ``differs_from_national`` (the organisation's interval excludes the national value).
        Organisations where the ratio cannot be computed (no outcome in a group) have NaN values.

    References
    ----------
    NHS England. WRES data reports (organisation comparisons).
    """
    indicator = str(indicator)
    if indicator not in _LIKELIHOODS:
        raise InputError(
            f"likelihood_by_organisation: indicator must be '2', '3' or '4', got {indicator!r}"
        )
    func = _LIKELIHOODS[indicator]
    data = returns[returns["year"].astype(int) == int(year)]
    if data.empty:
        raise InputError(f"likelihood_by_organisation: no rows for year {year}")
    national = func(data, confidence=confidence)["value"].iloc[0]
    res = func(data, by="org_code", confidence=confidence)
    res["national_value"] = national
    res["differs_from_national"] = (res["lower_ci"] > national) | (res["upper_ci"] < national)
    return res


def appointment_funnel(
    returns: pd.DataFrame,
    *,
    year: int,
    organisations: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Funnel-plot points and limits comparing organisations' indicator 2 with the national value.

    Parameters
    ----------
    returns : DataFrame
        Workforce returns of every organisation (``year``, ``org_code``, ``ethnic_group``,
        ``shortlisted``, ``appointed``); not modified.
    year : int
        The reporting year.
    organisations : DataFrame, optional
        Adds ``org_name`` and ``region`` to the points.

    Returns
    -------
    points : DataFrame
        One row per organisation with both groups shortlisted: ``org_code`` (``org_name``,
        ``region``), ``observed`` (ethnic minority applicants appointed), ``expected`` (the number
        expected if the organisation's relative likelihood equalled the national one: ethnic
        minority shortlisted x the organisation's White appointment rate / national relative
        likelihood), ``value`` (observed / expected x 100), ``relative_likelihood`` (the
        organisation's), ``national_value``, ``significance`` (funnel labels, e.g.
        ``"Low (0.001)"``: fewer appointments than expected beyond the 99.8% limit).
    limits : DataFrame
        ``rhoresearch.stats.indicators.funnel_limits`` output for ratios (``ratio_type="isr"``):
        ``observed_events``, the 95% and 99.8% limits, ``*_exp_events``, ``baseline`` = 100;
        only the points from half the smallest organisation's observed count (at least 5) up,
        so the chart's scale follows the organisations.

    Notes
    -----
    A value of 100 means the organisation's relative likelihood equals the national one; a value
    of 50 means it is twice the national one (ethnic minority applicants half as often appointed as
    expected). The expected count treats the organisation's White appointment rate as fixed, as
    indirect standardisation treats reference rates. Limits and significance are exact Poisson (below
    10 events) or Byar's method, from ``indicators.funnel_limits`` and
    ``indicators.funnel_significance``. Organisations with no ethnic minority or no White applicant
    shortlisted are left out (counted in ``points.attrs["excluded"]``).

    References
    ----------
    Spiegelhalter DJ (2005). Funnel plots for comparing institutional performance. Stat Med
    24:1185-1202. NHS England. WRES indicator 2.
    """
    data = returns[returns["year"].astype(int) == int(year)]
    if data.empty:
        raise InputError(f"appointment_funnel: no rows for year {year}")
    national = appointment_likelihood(data)["value"].iloc[0]
    g = data["ethnic_group"].astype(str)
    wide = (
        data.assign(_g=g)
        .pivot_table(
            index="org_code", columns="_g", values=["shortlisted", "appointed"], aggfunc="sum"
        )
        .fillna(0)
    )
    sl_w = wide[("shortlisted", WHITE)] if ("shortlisted", WHITE) in wide else 0
    sl_m = wide[("shortlisted", MINORITY)] if ("shortlisted", MINORITY) in wide else 0
    ap_w = wide[("appointed", WHITE)] if ("appointed", WHITE) in wide else 0
    ap_m = wide[("appointed", MINORITY)] if ("appointed", MINORITY) in wide else 0
    ok = (sl_w > 0) & (sl_m > 0) & (ap_w > 0)
    points = pd.DataFrame(
        {
            "org_code": wide.index[ok],
            "observed": ap_m[ok].to_numpy(dtype=float),
            "expected": (sl_m[ok] * (ap_w[ok] / sl_w[ok]) / national).to_numpy(dtype=float),
        }
    )
    points["value"] = points["observed"] / points["expected"] * 100
    points["relative_likelihood"] = ((ap_w / sl_w) / (ap_m / sl_m))[ok].to_numpy(dtype=float)
    points["national_value"] = national
    points = indicators.funnel_significance(
        points, statistic="ratio", numerator="observed", denominator="expected"
    )
    if organisations is not None:
        points = points.merge(
            organisations[["org_code", "org_name", "region"]], on="org_code", how="left"
        )
    points.attrs["excluded"] = int((~ok).sum())
    limits = indicators.funnel_limits(
        points, statistic="ratio", numerator="observed", denominator="expected", ratio_type="isr"
    )
    # keep the limit lines over the range of the organisations (at a handful of events the upper
    # limit runs to thousands of per cent and flattens the chart)
    floor = max(5.0, 0.5 * float(points["observed"].min())) if len(points) else 5.0
    limits = limits[limits["observed_events"] >= floor].reset_index(drop=True)
    return points, limits


# --------------------------------------------------------------------------------------------------
# indicators 5-8: staff survey
# --------------------------------------------------------------------------------------------------


def survey_percentages(
    survey: pd.DataFrame,
    *,
    by=None,
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
    confidence : float, default 0.95
        Confidence level of the Wilson intervals.

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
    Wilson score intervals from ``rhoresearch.stats.indicators.proportion``. For indicator 7 (equal
    opportunities) a lower percentage is worse; for 5, 6 and 8 a higher one is.

    References
    ----------
    NHS England. WRES indicators 5-8 (NHS Staff Survey). Wilson EB (1927), JASA 22:209-212.
    """
    by = _frames.as_list(by)
    _frames.require(
        survey, ["measure", "ethnic_group", "respondents", "count", *by], "survey_percentages"
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


def board_representation(
    board: pd.DataFrame,
    staff: pd.DataFrame,
    *,
    by=None,
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
    confidence : float, default 0.95
        Confidence level of the Wilson intervals.

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
    by = _frames.as_list(by)
    _frames.require(board, ["ethnic_group", "voting_members", *by], "board_representation")
    _frames.require(staff, ["ethnic_group", "headcount", *by], "board_representation")
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
    keys,
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
    suppressed value (``"[c]"``) counts as missing, so neither it nor the change from it can be
    worked out.

    References
    ----------
    NHS England. WRES data reports (year-on-year comparison).
    """
    keys = _frames.as_list(keys)
    _frames.require(table, [*keys, year, value], "change_since_previous")
    out = table.sort_values([*keys, year], kind="stable").copy()
    numeric = pd.to_numeric(out[value], errors="coerce")
    if keys:
        out["previous_value"] = numeric.groupby(
            [out[k] for k in keys], observed=True, sort=False
        ).shift(1)
    else:
        out["previous_value"] = numeric.shift(1)
    out["change"] = numeric - out["previous_value"]
    return out.sort_index()
