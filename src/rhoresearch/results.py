"""Results that carry the rows left out to compute them.

A statistic or an analysis step that leaves rows out (a missing count, an unknown ethnic category,
a reading outside the window) returns them explicitly, never in ``DataFrame.attrs``: either a
:class:`Result` (the table and its exclusions) or, for a step whose only output is what it kept, the
exclusions frame beside it. Every exclusions frame has one layout (:data:`EXCLUSION_COLUMNS`):

``step``
    the analysis step that left the rows out (e.g. ``"adjusted model"``);
``reason``
    why, in words a reader understands (e.g. ``"age band missing"``);
``rows``
    how many rows (records, pairs, people: the unit of the input) were left out, a whole number;

and optionally ``applies_to`` (which results the exclusion affects) after them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

import pandas as pd

from rhoresearch.exceptions import InputError

__all__ = ["EXCLUSION_COLUMNS", "Result", "exclusions_table", "combine_exclusions"]

#: The columns of every exclusions frame, in order (``applies_to`` may follow).
EXCLUSION_COLUMNS = ["step", "reason", "rows"]


class Result(NamedTuple):
    """A computed table and the rows left out to compute it.

    Unpack it (``table, excluded = f(...)``) or use the fields.

    Attributes
    ----------
    table : pandas.DataFrame
        The result (its columns documented by the function that returns it).
    exclusions : pandas.DataFrame
        Columns ``step``, ``reason``, ``rows`` (see the module notes); no rows when nothing was left
        out.
    """

    table: pd.DataFrame
    exclusions: pd.DataFrame


def exclusions_table(
    rows: Iterable[tuple] | None = None, *, step: str | None = None, applies_to: bool = False
) -> pd.DataFrame:
    """Build an exclusions frame in the one layout.

    Parameters
    ----------
    rows : iterable of tuples, optional
        ``(step, reason, rows)`` (or ``(step, reason, rows, applies_to)`` with ``applies_to=True``);
        with ``step`` given, ``(reason, rows[, applies_to])``.
    step : str, optional
        The step of every row.
    applies_to : bool, default False
        Whether the tuples carry an ``applies_to`` text.

    Returns
    -------
    pandas.DataFrame
        Columns ``step``, ``reason``, ``rows`` (int64) and, with ``applies_to=True``, ``applies_to``.

    Raises
    ------
    InputError
        A tuple of the wrong length, or a negative or non-whole number of rows.
    """
    columns = EXCLUSION_COLUMNS + (["applies_to"] if applies_to else [])
    records = []
    for row in rows or []:
        row = tuple(row)
        if step is not None:
            row = (step, *row)
        if len(row) != len(columns):
            raise InputError(
                f"exclusions_table: expected {len(columns)} values {columns}, got {row!r}"
            )
        n = row[2]
        if isinstance(n, bool) or int(n) != n or n < 0:
            raise InputError(f"exclusions_table: rows must be a whole number >= 0, got {n!r}")
        records.append((row[0], row[1], int(n), *row[3:]))
    out = pd.DataFrame.from_records(records, columns=columns)
    return out.astype({"rows": "int64"})


def combine_exclusions(*frames: pd.DataFrame) -> pd.DataFrame:
    """Concatenate exclusions frames (one layout), keeping their order."""
    parts = [f for f in frames if f is not None and len(f)]
    if not parts:
        return exclusions_table()
    for f in parts:
        missing = [c for c in EXCLUSION_COLUMNS if c not in f.columns]
        if missing:
            raise InputError(f"combine_exclusions: a frame lacks {missing}; has {list(f.columns)}")
    return pd.concat(parts, ignore_index=True)
