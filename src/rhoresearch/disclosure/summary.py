"""What was suppressed in a table, read from its flag columns: a summary table and a sentence."""

from __future__ import annotations

import pandas as pd

from rhoresearch.disclosure._columns import is_flag_column
from rhoresearch.disclosure.flags import REASONS, SUPPRESSED, _flag_reasons
from rhoresearch.exceptions import InputError
from rhoresearch.validation import check_frame, check_threshold

__all__ = ["suppression_summary", "suppression_note"]


def suppression_summary(table: pd.DataFrame) -> pd.DataFrame:
    """How many cells of a table are suppressed, by column and reason.

    Parameters
    ----------
    table : pandas.DataFrame
        A table from :func:`rhoresearch.disclosure.suppress` (its flag columns are read), possibly
        filtered or concatenated since; or a published table (``[c]`` cells, reason ``"prior"``).
        A table with nothing suppressed gives an empty summary.

    Returns
    -------
    pandas.DataFrame
        One row per (column, reason) with at least one suppressed cell, in table column order then
        ``primary``, ``secondary``, ``derived``, ``prior``. Columns: ``column`` (object, the column
        name), ``reason`` (object, one of those four; a flag set to True without a reason counts as
        ``"prior"``), ``cells`` (int64, number of cells).

    References
    ----------
    Hundepool A, et al. (2012). *Statistical Disclosure Control*. Wiley. Chapters 4 and 5
    (primary and secondary suppression).
    """
    check_frame(table, func="suppression_summary", name="table")
    rows: list[tuple[str, str, int]] = []
    for col in table.columns:
        if not isinstance(col, str) or is_flag_column(col):
            continue
        reasons = pd.Series(_flag_reasons(table, col), dtype=object).dropna()
        for reason in REASONS:
            n = int((reasons == reason).sum())
            if n:
                rows.append((col, reason, n))
    return pd.DataFrame(
        {
            "column": pd.Series([r[0] for r in rows], dtype=object),
            "reason": pd.Series([r[1] for r in rows], dtype=object),
            "cells": pd.Series([r[2] for r in rows], dtype="int64"),
        }
    )


def suppression_note(
    table: pd.DataFrame,
    *,
    threshold: int | None = None,
    rounding: int | None = None,
    suppress_zero: bool = False,
) -> str:
    """A sentence for a report's table note explaining the ``[c]`` cells of a suppressed table.

    Parameters
    ----------
    table : pandas.DataFrame
        A table from :func:`rhoresearch.disclosure.suppress` (its flag columns are read).
    threshold : int, optional
        The threshold the table was suppressed at, as given to
        :func:`rhoresearch.disclosure.suppress`. Without it the sentence says "small counts"
        instead of "counts below <threshold>".
    rounding : int, optional
        The rounding base given to :func:`rhoresearch.disclosure.suppress`, if any: the sentence
        then says the counts are rounded.
    suppress_zero : bool, default False
        As given to :func:`rhoresearch.disclosure.suppress`: the sentence then says zeros are
        suppressed too.

    Returns
    -------
    str
        E.g. ``"[c] = confidential (suppressed): 2 counts below 5, 1 more count so that no
        suppressed count can be worked out from totals, and 6 values derived from suppressed
        counts."``, or a sentence saying no cell needed suppression. Cells suppressed before
        (``"prior"``) count with the small counts. Mentions the rounding base when given.

    Raises
    ------
    InputError
        ``table`` is not a DataFrame, or ``threshold`` or ``rounding`` is not a whole number of at
        least 1.

    References
    ----------
    Government Statistical Service (2022). *Symbols in tables, definitions and help*
    (``[c]`` = confidential). https://gss.civilservice.gov.uk/policy-store/symbols-in-tables-definitions-and-help/
    """
    check_frame(table, func="suppression_note", name="table")
    if threshold is not None:
        threshold = check_threshold(threshold, func="suppression_note")
    if rounding is not None and (
        isinstance(rounding, bool) or not isinstance(rounding, int) or rounding < 1
    ):
        raise InputError(
            f"suppression_note: rounding must be None or a whole number of at least 1; "
            f"got {rounding!r}"
        )
    summary = suppression_summary(table)
    n = {r: int(summary.loc[summary["reason"] == r, "cells"].sum()) for r in REASONS}
    small = n["primary"] + n["prior"]
    below = "small" if threshold is None else None
    zero = " (or zero)" if suppress_zero else ""
    parts = []
    if small:
        what = _plural(small, "count")
        parts.append(
            f"{small} {below} {what}{zero}" if below else f"{small} {what} below {threshold}{zero}"
        )
    if n["secondary"]:
        parts.append(
            f"{n['secondary']} more {_plural(n['secondary'], 'count')} so that "
            "no suppressed count can be worked out from totals"
        )
    if n["derived"]:
        parts.append(
            f"{n['derived']} {_plural(n['derived'], 'value')} derived from suppressed counts"
        )
    if parts:
        if len(parts) > 1:
            parts[-1] = "and " + parts[-1]
        text = f"{SUPPRESSED} = confidential (suppressed): " + ", ".join(parts) + "."
    elif threshold is None:
        text = f"No cell needed suppression (small counts are suppressed as {SUPPRESSED})."
    else:
        text = (
            f"No cell needed suppression (counts below {threshold} are suppressed as {SUPPRESSED})."
        )
    if rounding:
        text += f" Counts are rounded to the nearest {rounding}."
    return text


def _plural(n: int, word: str) -> str:
    return word if n == 1 else word + "s"
