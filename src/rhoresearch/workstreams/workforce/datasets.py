"""Workforce returns: the tables WRES reads, their schemas, the groups, and selecting rows.

The Workforce Race Equality Standard (WRES) is computed from organisations' annual returns: staff in
post by pay band, the workforce returns (shortlisting, appointment, disciplinary process, training),
the NHS Staff Survey and the board's voting membership. Each table is declared as a pandera schema
(:data:`SCHEMAS`, loaded with ``rhoresearch.data.load(path, schema=...)``); ethnic groups are read
into White / ethnic minority / not known (:func:`harmonise_groups`); :func:`select` keeps one
organisation, region or year; :func:`unknown_summary` counts the people whose ethnicity is not
known (excluded from every ratio).

References
----------
NHS England. Workforce Race Equality Standard (WRES) indicators and technical guidance.
https://www.england.nhs.uk/publication/workforce-race-equality-standard-wres-indicators/
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np
import pandas as pd
import pandera.pandas as pa

from rhoresearch import ethnicity
from rhoresearch.exceptions import InputError
from rhoresearch.validation import as_columns, require_columns, slug
from rhoresearch.workstreams import _frames
from rhoresearch.workstreams._wording import document

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
    "groups_note",
    "label",
    "select",
    "unknown_summary",
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
#: The columns every annual return is keyed by.
_RETURN_KEYS = {"year": pa.Column(int, coerce=True), "org_code": pa.Column(str)}


def _at_most(count: str, total: str) -> pa.Check:
    """A check that ``count`` never exceeds ``total`` in a row (e.g. appointed <= shortlisted)."""
    return pa.Check(lambda d: d[count] <= d[total], error=f"{count} <= {total}")


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
        **_RETURN_KEYS,
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
        **_RETURN_KEYS,
        "ethnic_group": _group,
        "staff_headcount": _count,
        "shortlisted": _count,
        "appointed": _count,
        "entered_disciplinary": _count,
        "accessed_training": _count,
    },
    checks=[
        _at_most("appointed", "shortlisted"),
        _at_most("entered_disciplinary", "staff_headcount"),
        _at_most("accessed_training", "staff_headcount"),
    ],
    name="workforce returns",
    strict=False,
)
STAFF_SURVEY_SCHEMA = pa.DataFrameSchema(
    {
        **_RETURN_KEYS,
        "indicator": pa.Column(str, coerce=True),
        "measure": pa.Column(str, pa.Check.isin(list(SURVEY_MEASURES))),
        "ethnic_group": _group,
        "respondents": _count,
        "count": _count,
    },
    checks=[_at_most("count", "respondents")],
    name="workforce staff survey",
    strict=False,
)
BOARD_SCHEMA = pa.DataFrameSchema(
    {
        **_RETURN_KEYS,
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
        "Not known"]``; values that cannot be mapped are counted as not known (and logged, with
        how many rows have each: :func:`rhoresearch.ethnicity.unmapped`).

    Notes
    -----
    Uses :func:`rhoresearch.ethnicity.to_binary` (``errors="not_known"``); White = White
    British, White Irish and any other White background (the WRES definition).

    References
    ----------
    NHS England. WRES technical guidance (White / BME / unknown).
    """
    require_columns(data, [column], func="harmonise_groups")
    values = data[column].replace({"Unknown": NOT_KNOWN, "unknown": NOT_KNOWN})
    unmapped = ethnicity.unmapped(values, to="binary")
    if unmapped:
        logger.warning(
            "harmonise_groups: %d value(s) counted as not known: %s",
            sum(unmapped.values()),
            unmapped,
        )
    out = data.copy()
    out[column] = ethnicity.to_binary(values, errors="not_known")
    return out


def groups_note(data: pd.DataFrame, *, column: str = "ethnic_group") -> str:
    """The report's groups, read from the data, and why it has no detailed grouping.

    Parameters
    ----------
    data : DataFrame
        A table after :func:`harmonise_groups` (the returns). Not modified.
    column : str, default "ethnic_group"
        Its group column.

    Returns
    -------
    str
        E.g. ``"The returns give their counts by three groups: White, Ethnic minority and Not
        known. White is White British, White Irish and any other White background; ethnic
        minority is every other group, Chinese and Arab included (WRES "BME"). The WRES
        technical guidance compares these two groups only, so this report has no grouping
        parameter: the returns carry no detailed ethnic groups to split."``

    References
    ----------
    NHS England. Workforce Race Equality Standard: technical guidance (White / BME / unknown).
    """
    require_columns(data, [column], func="groups_note")
    values = data[column]
    if isinstance(values.dtype, pd.CategoricalDtype):
        present = set(values.dropna().astype("str"))
        names = [str(g) for g in values.cat.categories if str(g) in present]
    else:
        names = [str(g) for g in pd.unique(values.dropna())]
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return (
        f"The returns give their counts by {len(names)} groups: {listed}. {WHITE} is White "
        f"British, White Irish and any other White background; {MINORITY} is every other "
        'group, Chinese and Arab included (WRES "BME"). The WRES technical guidance compares '
        "these two groups only, so this report has no grouping parameter: the returns carry no "
        "detailed ethnic groups to split."
    )


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
    wanted = slug(organisation)
    for row in organisations.itertuples(index=False):
        if slug(row.org_code) == wanted:
            return f"{row.org_name} ({row.org_code})"
    for region in organisations["region"].astype(str).unique():
        if slug(region) == wanted:
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
        Matched on letters and digits, ignoring case (:func:`rhoresearch.validation.slug`), so
        ``"south-west"`` selects "South West" and ``"r0a"`` selects ``"R0A"`` (build-configuration
        ids are lower case).
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
    require_columns(data, ["org_code"], func="select")
    out = data
    if str(organisation).strip().lower() != "all":
        wanted = slug(organisation)
        codes = {slug(c): c for c in data["org_code"].astype(str).unique()}
        regions = (
            {slug(r): r for r in organisations["region"].astype(str).unique()}
            if organisations is not None
            else {}
        )
        if wanted in codes:
            out = out[out["org_code"].astype(str) == codes[wanted]]
        elif organisations is not None and wanted in regions:
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
        require_columns(out, ["year"], func="select")
        if int(year) not in set(out["year"].astype(int)):
            raise InputError(
                f"select: year {year} not in the data (years: {sorted(set(out['year']))})"
            )
        out = out[out["year"].astype(int) == int(year)]
    return out.reset_index(drop=True)


@document()
def unknown_summary(
    data: pd.DataFrame,
    *,
    counts: Sequence[str],
    by: str | Sequence[str] | None = None,
    group: str = "ethnic_group",
    confidence: float = 0.95,
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
    {confidence_wilson}

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
    by = as_columns(by, func="unknown_summary")
    counts = as_columns(counts, func="unknown_summary", name="counts")
    require_columns(data, [group, *counts, *by], func="unknown_summary")
    frames = []
    for col in counts:
        tmp = data[[*by, group, col]].copy()
        tmp["_unknown"] = np.where(tmp[group].astype(str) == NOT_KNOWN, tmp[col], 0)
        tmp["measure"] = col
        frames.append(tmp.rename(columns={col: "_all"}))
    long = pd.concat(frames, ignore_index=True)
    return _frames.percentages(
        long, numerator="_unknown", denominator="_all", by=[*by, "measure"], confidence=confidence
    )
