"""Completeness of ethnicity recording: each recorded code's status, and percentages by group.

Shared by the workstreams that report how well ethnicity is recorded (data quality, and the
record-level workstreams through :mod:`rhoresearch.workstreams._records`), so that "valid",
"not stated", "not known", "missing" and "invalid" mean the same everywhere.

References
----------
NHS Data Dictionary, ETHNIC CATEGORY (national codes A-S, Z not stated, default 99 not known).
NHS Digital, GDPPR ethnicity asset (NHSDigital/GDPPR_Analytical_Code). Scobie S, Spencer J,
Raleigh V (2021). Ethnicity coding in English health service datasets. Nuffield Trust / NHS Race
and Health Observatory.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from rhoresearch import ethnicity
from rhoresearch.validation import as_columns, require_columns
from rhoresearch.workstreams import _frames
from rhoresearch.workstreams._wording import document

__all__ = ["STATUSES", "STATUS_LABELS", "classify_codes", "completeness"]

#: Completeness statuses, in display order.
STATUSES = ("valid", "not_stated", "not_known", "missing", "invalid")
#: Reader-facing label of each status.
STATUS_LABELS = {
    "valid": "Valid code (A-S)",
    "not_stated": "Not stated (Z)",
    "not_known": "Not known (99, X, 9)",
    "missing": "Blank or missing",
    "invalid": "Invalid code",
}


def classify_codes(values: pd.Series | Iterable[object]) -> pd.Series:
    """Classify recorded ethnic category codes as valid, not stated, not known, missing or invalid.

    Parameters
    ----------
    values : Series or sequence
        Codes as recorded (``"A"``, ``"a "``, ``"Z"``, ``"99"``, ``"X"``, ``""``, ``"Q"`` ...).
        Not modified.

    Returns
    -------
    Series
        Ordered categorical named ``status`` with categories :data:`STATUSES`, same index as
        ``values``.

    Notes
    -----
    Each distinct value is read once by :func:`rhoresearch.ethnicity.harmonise_report` (to NHS
    codes): values it maps to a national code A-S are ``valid`` (case and padding are tolerated; a
    two-character local code counts by its first character), ``Z`` is ``not_stated``, ``99``,
    HES ``X`` and the withdrawn ``9`` are ``not_known``, blanks and nulls are ``missing``, anything
    else is ``invalid``. The statuses follow the NHS Digital ethnicity asset, which treats Z, X,
    99, 9, blank and NULL as unknown, keeping declined (Z) apart from not asked (99).

    References
    ----------
    NHS Data Dictionary, ETHNIC CATEGORY; Change Request 406 (2004). NHS Digital, GDPPR
    ethnicity asset (NHSDigital/GDPPR_Analytical_Code).
    """
    series = values if isinstance(values, pd.Series) else pd.Series(list(values))
    text = series.astype(object).where(series.notna(), None)
    report = ethnicity.harmonise_report(text, to="nhs_code")
    lookup: dict[object, str] = {}
    for r in report.itertuples(index=False):
        if r.status == "missing":
            status = "missing"
        elif r.status == "unmapped":
            status = "invalid"
        elif r.mapped_to == ethnicity.NOT_STATED:
            status = "not_stated"
        elif r.mapped_to == ethnicity.NOT_KNOWN:
            status = "not_known"
        else:
            status = "valid"
        lookup[r.input_value] = status
    codes, uniques = pd.factorize(text, use_na_sentinel=False)
    mapped = np.array(
        ["missing" if pd.isna(u) else lookup.get(u, "invalid") for u in uniques], dtype=object
    )
    out = pd.Series(mapped[codes] if len(codes) else [], index=series.index, dtype=object)
    return pd.Series(
        pd.Categorical(out, categories=list(STATUSES), ordered=True),
        index=series.index,
        name="status",
    )


@document()
def completeness(
    records: pd.DataFrame,
    *,
    code: str = "ethnic_category",
    by: str | Sequence[str] | None = None,
    weight: str | None = None,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Percentage of records in each completeness status, by dataset, provider, year ...

    Parameters
    ----------
    records : DataFrame
        One row per record, with the ethnic category column ``code`` (plus ``by``); not modified.
        With ``weight``, each row stands for ``records[weight]`` records (counted records, e.g.
        one row per distinct code and stratum from a database).
    code : str, default "ethnic_category"
        The column of recorded codes.
    by : str or list of str, optional
        Grouping columns (e.g. ``["dataset", "year"]``).
    weight : str, optional
        The column with the number of records each row stands for (whole numbers).
    {confidence_wilson}

    Returns
    -------
    DataFrame
        One row per ``by`` group and status (all five statuses, zeros included): the ``by``
        columns, ``status``, ``status_label``, ``numerator`` (records with the status),
        ``denominator`` (records), ``value`` (%), ``lower_ci``, ``upper_ci``, ``confidence``,
        ``statistic``, ``method``, ``note``. Counted records give the same table as the records
        themselves.

    Notes
    -----
    Statuses from :func:`classify_codes`. Every record is counted once; none is excluded.
    Percentages and Wilson intervals from ``rhoresearch.stats.proportion``.

    References
    ----------
    Scobie S, Spencer J, Raleigh V (2021). Ethnicity coding in English health service datasets.
    Nuffield Trust. Wilson EB (1927), JASA 22:209-212.
    """
    by = as_columns(by, func="completeness")
    require_columns(
        records, [code, *by, *([weight] if weight is not None else [])], func="completeness"
    )
    status = classify_codes(records[code])
    rows = [records[c] for c in by] if by else pd.Series("all", index=records.index, name="_all")
    if weight is None:
        table = pd.crosstab(rows, status, dropna=False)
    else:
        table = pd.crosstab(
            rows,
            status.to_numpy(),
            values=records[weight].to_numpy(),
            aggfunc="sum",
            dropna=False,
            colnames=["status"],
        ).fillna(0)
    counts = table.reindex(columns=list(STATUSES), fill_value=0).stack().rename("_n").reset_index()
    if weight is not None:
        counts["_n"] = counts["_n"].astype("int64")
    if not by:
        counts = counts.drop(columns="_all")
    counts["status"] = counts["status"].astype(str)
    counts["_total"] = (
        counts.groupby(by, sort=False)["_n"].transform("sum") if by else counts["_n"].sum()
    )
    counts = counts[counts["_total"] > 0]  # combinations of the by columns with no records
    res = _frames.percentages(
        counts, numerator="_n", denominator="_total", by=[*by, "status"], confidence=confidence
    )
    res.insert(len(by) + 1, "status_label", res["status"].map(STATUS_LABELS))
    order = {s: i for i, s in enumerate(STATUSES)}
    res = res.sort_values(
        [*by, "status"], key=lambda s: s.map(order) if s.name == "status" else s, kind="stable"
    )
    return res.reset_index(drop=True)
