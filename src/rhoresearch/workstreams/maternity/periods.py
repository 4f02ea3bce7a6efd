"""MBRRACE-UK rolling periods: complete three-year periods, counts summed over them, a choice.

MBRRACE-UK reports maternal deaths over rolling three-year periods (too few deaths in one year
for stable rates by ethnic group): each year's counts enter every period containing it.

References
----------
Knight M, et al. (eds.) on behalf of MBRRACE-UK. Saving Lives, Improving Mothers' Care. Oxford:
National Perinatal Epidemiology Unit, University of Oxford (annual; rolling three-year periods).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from rhoresearch.exceptions import InputError
from rhoresearch.validation import as_columns, require_columns
from rhoresearch.workstreams import _records

__all__ = ["rolling_periods", "rolling_period_counts", "choose_period", "records_in_period"]


def _period_label(start: int, end: int) -> str:
    return f"{start}-{end % 100:02d}"


def rolling_periods(years: Iterable[object], *, length: int = 3) -> pd.DataFrame:
    """The complete rolling periods of ``length`` consecutive years covered by ``years``.

    Parameters
    ----------
    years : iterable of int
        Years present in the data (duplicates allowed).
    length : int, default 3
        Years in each period (MBRRACE-UK reports maternal deaths over three years).

    Returns
    -------
    DataFrame
        One row per period, in order: ``period`` (label as published, e.g. ``"2018-20"``),
        ``start_year``, ``end_year``. A period is listed only when every one of its years is
        present.

    Raises
    ------
    InputError
        If ``length`` is not a positive integer or ``years`` holds a non-integer.

    References
    ----------
    Knight M, et al. (eds.) on behalf of MBRRACE-UK. Saving Lives, Improving Mothers' Care. Oxford:
    NPEU, University of Oxford (annual; rolling three-year periods labelled e.g. "2018-20").

    Examples
    --------
    >>> rolling_periods([2016, 2017, 2018, 2019])["period"].tolist()
    ['2016-18', '2017-19']
    """
    if not isinstance(length, (int, np.integer)) or isinstance(length, bool) or length < 1:
        raise InputError(f"rolling_periods: length must be a positive integer, got {length!r}")
    values = pd.Series(list(years)).dropna()
    try:
        present = sorted({int(y) for y in values})
    except (TypeError, ValueError) as err:
        raise InputError(f"rolling_periods: years must be integers ({err})") from None
    rows = []
    have = set(present)
    for start in present:
        end = start + length - 1
        if all(y in have for y in range(start, end + 1)):
            rows.append((_period_label(start, end) if length > 1 else str(start), start, end))
    return pd.DataFrame(rows, columns=["period", "start_year", "end_year"]).astype(
        {"period": "str", "start_year": "int64", "end_year": "int64"}
    )


def rolling_period_counts(
    counts: pd.DataFrame,
    *,
    year: str = "year",
    by: str | Sequence[str] | None = None,
    length: int = 3,
) -> pd.DataFrame:
    """Sum yearly counts over rolling periods (each year counts in every period containing it).

    Parameters
    ----------
    counts : DataFrame
        Yearly counts, e.g. from :func:`maternal_counts` with ``year`` among ``by``. Not modified.
    year : str, default "year"
        Column with the year.
    by : str or sequence of str, optional
        Other strata to keep (default: every non-numeric column other than ``year``).
    length : int, default 3
        Years per period.

    Returns
    -------
    DataFrame
        One row per period x stratum: ``period`` (ordered categorical, e.g. ``"2016-18"``), the
        ``by`` columns, then every numeric count column of ``counts`` summed over the period's
        years.

    Notes
    -----
    Only complete periods are formed (see :func:`rolling_periods`). Rolling periods overlap, so
    the periods' counts are not independent: compare non-overlapping periods for trend tests.

    References
    ----------
    MBRRACE-UK, Saving Lives, Improving Mothers' Care (three-year rolling rates).
    """
    func = "maternity.rolling_period_counts"
    require_columns(counts, [year], func=func)
    if by is None:
        by = [
            c for c in counts.columns if c != year and not pd.api.types.is_numeric_dtype(counts[c])
        ]
    by = as_columns(by, func=func)
    require_columns(counts, by, func=func)
    value_cols = [
        c
        for c in counts.columns
        if c not in by and c != year and pd.api.types.is_numeric_dtype(counts[c])
    ]
    periods = rolling_periods(counts[year], length=length)
    if periods.empty:
        raise InputError(
            f"{func}: no complete {length}-year period in years "
            f"{sorted(counts[year].dropna().unique().tolist())}"
        )
    parts = []
    for period, start, end in periods.itertuples(index=False):
        sel = counts[counts[year].between(start, end)]
        summed = sel.groupby(by, observed=True, sort=True)[value_cols].sum().reset_index()
        parts.append(summed.assign(period=period))
    out = pd.concat(parts, ignore_index=True)
    out["period"] = pd.Categorical(out["period"], categories=periods["period"], ordered=True)
    return out[["period", *by, *value_cols]]


def choose_period(periods: pd.DataFrame | Sequence[str], period: str = "latest") -> str:
    """Check a requested period against those available and return its label.

    Parameters
    ----------
    periods : DataFrame or sequence of str
        :func:`rolling_period_counts` output (its ``period`` column) or period labels in order.
    period : str, default "latest"
        A label such as ``"2018-20"``, or ``"latest"`` for the last one.

    Returns
    -------
    str
        The period label.

    Raises
    ------
    InputError
        If the period is not available (the message lists those that are).

    References
    ----------
    Knight M, et al. (eds.) on behalf of MBRRACE-UK. Saving Lives, Improving Mothers' Care. Oxford:
    NPEU, University of Oxford (annual; rolling three-year periods labelled e.g. "2018-20").
    """
    if isinstance(periods, pd.DataFrame):
        column = periods["period"]
        labels = (
            list(column.cat.categories)
            if isinstance(column.dtype, pd.CategoricalDtype)
            else list(dict.fromkeys(column.astype("str")))
        )
    else:
        labels = [str(p) for p in periods]
    return _records.choose_label(labels, period, func="choose_period", what="period")


def records_in_period(records: pd.DataFrame, period: str, *, year: str = "year") -> pd.DataFrame:
    """Rows of ``records`` whose year falls in a period labelled like ``"2018-20"`` or ``"2019"``.

    Parameters
    ----------
    records : DataFrame
        Records or counts with a ``year`` column. Not modified.
    period : str
        Period label (``"2018-20"``: 2018 to 2020; ``"1998-00"``: 1998 to 2000; ``"2019"``).
    year : str, default "year"
        The year column.

    Returns
    -------
    DataFrame
        The rows in the period (same columns, index kept).

    Raises
    ------
    InputError
        If the label cannot be read or no row falls in the period.

    References
    ----------
    Knight M, et al. (eds.) on behalf of MBRRACE-UK. Saving Lives, Improving Mothers' Care. Oxford:
    NPEU, University of Oxford (annual; rolling three-year periods labelled e.g. "2018-20").
    """
    require_columns(records, [year], func="records_in_period")
    text = str(period).strip()
    try:
        if "-" in text:
            first, last = text.split("-", 1)
            start = int(first)
            end = start - start % 100 + int(last) if len(last) == 2 else int(last)
            if end < start:
                end += 100
        else:
            start = end = int(text)
    except ValueError:
        raise InputError(
            f"records_in_period: period {period!r} is not a year or a range like '2018-20'"
        ) from None
    out = records[records[year].between(start, end)]
    if out.empty:
        raise InputError(f"records_in_period: no row with {year} in {start}-{end}")
    return out
