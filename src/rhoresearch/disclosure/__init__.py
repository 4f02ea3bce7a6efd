"""Statistical disclosure control: small-number suppression, rounding, checks and a scan of outputs.

Every table that leaves the project (a report's HTML, a CSV under ``results/``, a figure label) goes
through this module. Three steps, each explicit:

1. :func:`suppress` makes a table safe: *primary* suppression of small counts, *secondary*
   (complementary) suppression so that no suppressed count can be worked out from the totals of its
   row, column or group, suppression of everything *derived* from a suppressed count (rates,
   percentages, confidence limits), and optional rounding. Suppressed cells are shown as ``[c]``, the
   UK Government Statistical Service (GSS) symbol for "confidential".
2. :func:`check` refuses (raises :class:`~rhoresearch.exceptions.DisclosureError`) a table that is not
   safe; the report runtime calls it before any table is written or shown.
3. :func:`scan` reads every CSV in a folder of built reports and lists every unsafe cell.

Which columns are counts
------------------------
:func:`suppress` and :func:`check` are told (``counts=``). :func:`scan` reads a sidecar file
``<name>.meta.json`` beside ``<name>.csv`` when there is one (written by :func:`write_sidecar`; the
report runtime writes it for every result table), and otherwise applies this naming convention, which
every module that writes result tables follows (see :func:`is_count_column`):

- counts: ``count``, ``counts``, ``n``, ``numerator``, ``events``, ``frequency``; any name starting
  ``n_`` or ``count_`` or ending ``_count``, ``_n``, ``_numerator`` or ``_events``;
- denominators (``denominator``, ``population``, ``*_denominator``, ``*_population``) are counts for
  the scan only with ``include_denominators=True``: a denominator is usually published (it is a
  population) and shown beside a suppressed numerator it reveals nothing once the derived value is
  suppressed too.

Which columns are derived
-------------------------
By default (``derived=None``) the columns derived from the counts are those that exist in the table
among ``value``, ``lower_ci``, ``upper_ci`` (the indicator contract of ``rhoresearch.stats.indicators``),
``percentage``, ``percent``, ``pct``, ``proportion``, ``rate``, ``ratio``, ``crude_rate``,
``standard_error``, ``se``, ``z_score``, ``observed_expected``, ``difference``, ``estimate``,
``p_value``, ``relative_likelihood``, and any column whose name starts with ``value_``, ``rate_``,
``pct_``, ``percentage_``, ``proportion_``, ``difference_`` or ends with ``_value``, ``_rate``,
``_pct``, ``_percentage``, ``_proportion``, ``_ratio``, ``_lower_ci``, ``_upper_ci`` (see
:func:`is_derived_column`). With a value and its denominator both shown, the numerator can be
calculated back, so when any count in a row is suppressed every derived column of that row is
suppressed too; denominators themselves stay shown.

Sidecar format
--------------
``results/<name>.meta.json`` is a JSON object::

    {"format": "rhoresearch.disclosure/1", "counts": ["count"], "threshold": 5,
     "by": null, "margins": [], "row_total": null, "derived": null, "suppress_zero": false}

Only ``format`` and ``counts`` are required. Write it with :func:`write_sidecar`, read it with
:func:`read_sidecar`.
"""

from __future__ import annotations

import heapq
import json
import logging
import math
import os
from collections.abc import Iterable, Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from rhoresearch.exceptions import DisclosureError, InputError

__all__ = [
    "SUPPRESSED",
    "FLAG_SUFFIX",
    "flag_column",
    "is_suppressed",
    "render",
    "DEFAULT_THRESHOLD",
    "SIDECAR_FORMAT",
    "suppress",
    "check",
    "scan",
    "suppression_summary",
    "suppression_note",
    "is_count_column",
    "is_derived_column",
    "sidecar_path",
    "write_sidecar",
    "read_sidecar",
]

logger = logging.getLogger(__name__)

#: The GSS shorthand for a confidential (suppressed) value.
SUPPRESSED = "[c]"
#: Counts from 1 to ``DEFAULT_THRESHOLD - 1`` are suppressed by default.
DEFAULT_THRESHOLD = 5
#: The ``format`` key of a sidecar file.
SIDECAR_FORMAT = "rhoresearch.disclosure/1"

# Other GSS symbols: shown values that are not numbers (not available, not applicable, low
# reliability, less than half the last digit). A count or derived cell holding one of them is not
# "shown as a number".
_OTHER_SYMBOLS = frozenset({"[x]", "[z]", "[u]", "[low]", "[e]", "[r]", "[p]", "[w]"})

_COUNT_NAMES = frozenset({"count", "counts", "n", "numerator", "events", "frequency"})
_COUNT_PREFIXES = ("n_", "count_")
_COUNT_SUFFIXES = ("_count", "_n", "_numerator", "_events")
_DENOMINATOR_NAMES = frozenset({"denominator", "population"})
_DENOMINATOR_PREFIXES = ("denominator_", "population_")
_DENOMINATOR_SUFFIXES = ("_denominator", "_population")

_DERIVED_NAMES = frozenset(
    {
        "value",
        "lower_ci",
        "upper_ci",
        "percentage",
        "percent",
        "pct",
        "proportion",
        "rate",
        "ratio",
        "crude_rate",
        "standard_error",
        "se",
        "z_score",
        "observed_expected",
        "difference",
        "estimate",
        "p_value",
        "relative_likelihood",
    }
)
_DERIVED_PREFIXES = ("value_", "rate_", "pct_", "percentage_", "proportion_", "difference_")
_DERIVED_SUFFIXES = (
    "_value",
    "_rate",
    "_pct",
    "_percentage",
    "_proportion",
    "_ratio",
    "_lower_ci",
    "_upper_ci",
)

# --------------------------------------------------------------------------------------------------
# naming conventions
# --------------------------------------------------------------------------------------------------


#: Suffix of the boolean column that marks the suppressed cells of a column: ``value`` is suppressed
#: in the rows where ``value_suppressed`` is True (and holds a missing value there).
FLAG_SUFFIX = "_suppressed"


def flag_column(column: str) -> str:
    """The name of the flag column marking the suppressed cells of ``column``."""
    return f"{column}{FLAG_SUFFIX}"


def is_suppressed(table: pd.DataFrame | pd.Series, column: str) -> pd.Series | bool:
    """Which cells of ``column`` are suppressed.

    Parameters
    ----------
    table : pandas.DataFrame or pandas.Series
        A table from :func:`suppress` (or one row of it, as a Series).
    column : str
        The column to ask about.

    Returns
    -------
    pandas.Series of bool (for a table) or bool (for a row)
        True where the cell is suppressed: its flag column (:func:`flag_column`) is True, or the cell
        holds the ``[c]`` symbol (a table read from a published CSV). A missing value that is not
        flagged is *not available*, not suppressed.
    """
    flag = flag_column(column)
    if isinstance(table, pd.Series):  # one row
        marked = table.get(flag, False)
        marked = bool(marked) if marked is not None and marked is not pd.NA and marked == marked else False
        value = table.get(column)
        return marked or (isinstance(value, str) and value.strip() == SUPPRESSED)
    out = pd.Series(False, index=table.index)
    if flag in table.columns:
        out = table[flag].fillna(False).astype(bool)
    if column in table.columns and table[column].dtype == object:
        out = out | table[column].map(lambda v: isinstance(v, str) and v.strip() == SUPPRESSED)
    return out.astype(bool)


def render(table: pd.DataFrame, *, symbol: str = SUPPRESSED) -> pd.DataFrame:
    """The table as it is shown or saved: suppressed cells hold ``symbol``, flag columns dropped.

    The one place where ``[c]`` is written into a table. Columns without suppressed cells keep their
    dtype; a column with any holds objects (its numbers unchanged, whole numbers as integers).

    Parameters
    ----------
    table : pandas.DataFrame
        A table from :func:`suppress` (numbers, with missing values and flag columns where cells are
        suppressed); not modified.
    symbol : str, default "[c]"
        The symbol shown in place of a suppressed value.

    Returns
    -------
    pandas.DataFrame
        The same rows and the non-flag columns, in order.
    """
    flags = [c for c in table.columns if isinstance(c, str) and c.endswith(FLAG_SUFFIX)]
    flagged = {c[: -len(FLAG_SUFFIX)] for c in flags} & set(table.columns)
    out = table.drop(columns=[c for c in flags if c[: -len(FLAG_SUFFIX)] in flagged])
    for col in flagged:
        mask = is_suppressed(table, col).to_numpy()
        if not mask.any():
            continue
        values = out[col]
        integral = pd.api.types.is_integer_dtype(values.dtype)
        obj = values.astype(object).to_numpy(copy=True)
        for i in range(len(obj)):
            if mask[i]:
                obj[i] = symbol
            elif integral and obj[i] is not pd.NA and obj[i] is not None:
                obj[i] = int(obj[i])
            elif obj[i] is pd.NA:
                obj[i] = np.nan
        out[col] = pd.Series(obj, index=out.index, name=col, dtype=object)
    return out


def is_count_column(name: str, *, include_denominators: bool = False) -> bool:
    """Whether a column name denotes a count under the project's naming convention.

    Parameters
    ----------
    name : str
        A column name (compared in lower case).
    include_denominators : bool, default False
        Also treat ``denominator``, ``population``, ``*_denominator``, ``*_population``,
        ``denominator_*`` and ``population_*`` as counts.

    Returns
    -------
    bool
        True for ``count``, ``counts``, ``n``, ``numerator``, ``events``, ``frequency``, names
        starting ``n_`` or ``count_`` and names ending ``_count``, ``_n``, ``_numerator`` or
        ``_events`` (plus denominators when asked).

    Notes
    -----
    Modules that write result tables name their count columns so that this function recognises
    them (or write a sidecar with :func:`write_sidecar`); :func:`scan` relies on it.
    """
    low = str(name).strip().lower()
    if low in _COUNT_NAMES or low.startswith(_COUNT_PREFIXES) or low.endswith(_COUNT_SUFFIXES):
        return True
    if include_denominators:
        return (
            low in _DENOMINATOR_NAMES
            or low.startswith(_DENOMINATOR_PREFIXES)
            or low.endswith(_DENOMINATOR_SUFFIXES)
        )
    return False


def is_derived_column(name: str) -> bool:
    """Whether a column name denotes a value derived from counts (rate, percentage, interval).

    Parameters
    ----------
    name : str
        A column name (compared in lower case).

    Returns
    -------
    bool
        True for the indicator columns ``value``, ``lower_ci``, ``upper_ci`` and the other names and
        patterns listed in the module documentation (``rate``, ``percentage``, ``*_ratio``,
        ``*_lower_ci`` ...).
    """
    low = str(name).strip().lower()
    return (
        low in _DERIVED_NAMES
        or low.startswith(_DERIVED_PREFIXES)
        or low.endswith(_DERIVED_SUFFIXES)
    )


# --------------------------------------------------------------------------------------------------
# argument handling
# --------------------------------------------------------------------------------------------------


def _as_list(value, what: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, Iterable):
        out = list(value)
        if not all(isinstance(v, str) for v in out):
            raise InputError(
                f"{what} must be a column name or a list of column names; got {value!r}"
            )
        return out
    raise InputError(f"{what} must be a column name or a list of column names; got {value!r}")


def _check_frame(table, what: str = "table") -> None:
    if not isinstance(table, pd.DataFrame):
        raise InputError(f"{what} must be a pandas DataFrame; got {type(table).__name__}")


def _check_columns(table: pd.DataFrame, columns: list[str], what: str, name: str) -> None:
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise InputError(
            f"table {name!r}: {what} column(s) {missing} not found; "
            f"the table has columns {list(map(str, table.columns))}"
        )


def _check_threshold(threshold) -> int:
    if isinstance(threshold, bool) or not isinstance(threshold, (int, np.integer)) or threshold < 1:
        raise InputError(f"threshold must be a whole number of at least 1; got {threshold!r}")
    return int(threshold)


def _is_marker(value) -> bool:
    return isinstance(value, str) and value.strip() == SUPPRESSED


def _parse_counts(
    series: pd.Series, *, name: str, allow_markers: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Return (float values with NaN for missing/markers, boolean mask of ``[c]`` cells).

    Raises InputError for text that is neither a number, a GSS symbol (when allowed) nor empty, and
    for negative counts.
    """
    col = series.name
    if pd.api.types.is_bool_dtype(series.dtype):
        raise InputError(f"table {name!r}: count column {col!r} is boolean; expected numbers")
    if pd.api.types.is_numeric_dtype(series.dtype):
        values = series.to_numpy(dtype="float64", na_value=np.nan)
        marked = np.zeros(len(series), dtype=bool)
    else:
        raw = series.astype(object).to_numpy()
        values = np.full(len(raw), np.nan)
        marked = np.zeros(len(raw), dtype=bool)
        bad = []
        for i, v in enumerate(raw):
            if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA:
                continue
            if isinstance(v, str):
                s = v.strip()
                if s == "":
                    continue
                if s == SUPPRESSED and allow_markers:
                    marked[i] = True
                    continue
                if s in _OTHER_SYMBOLS and allow_markers:
                    continue
                try:
                    values[i] = float(s.replace(",", ""))
                    continue
                except ValueError:
                    bad.append((series.index[i], v))
                    continue
            if isinstance(v, (bool, np.bool_)):
                bad.append((series.index[i], v))
                continue
            try:
                values[i] = float(v)
            except (TypeError, ValueError):
                bad.append((series.index[i], v))
        if bad:
            shown = ", ".join(f"row {r!r}: {v!r}" for r, v in bad[:5])
            raise InputError(
                f"table {name!r}: count column {col!r} holds values that are not numbers "
                f"({len(bad)} cell(s); first: {shown}); expected non-negative counts"
                + (f" or {SUPPRESSED!r}" if allow_markers else "")
            )
    negative = np.flatnonzero(values < 0)
    if negative.size:
        shown = ", ".join(f"row {series.index[i]!r}: {values[i]:g}" for i in negative[:5])
        raise InputError(
            f"table {name!r}: count column {col!r} has {negative.size} negative value(s) "
            f"(first: {shown}); counts must be zero or more"
        )
    return values, marked


def _plain(value):
    """A numpy scalar as the Python scalar it holds (for readable messages)."""
    return value.item() if isinstance(value, np.generic) else value


def _shown_as_number(value) -> bool:
    """Whether a derived cell shows a number (anything but NaN, empty, ``[c]`` or another symbol)."""
    if value is None or value is pd.NA:
        return False
    if isinstance(value, (float, np.floating)):
        return not math.isnan(value)
    if isinstance(value, str):
        s = value.strip()
        if s == "" or s == SUPPRESSED or s in _OTHER_SYMBOLS:
            return False
        try:
            float(s.replace(",", ""))
        except ValueError:
            return False
        return True
    return pd.notna(value)


def _derived_map(
    table: pd.DataFrame, counts: list[str], derived, name: str
) -> dict[str, list[str]]:
    """Map each count column to the derived columns to blank when that count is suppressed."""
    if derived is None:
        cols = [c for c in table.columns if c not in counts and is_derived_column(c)]
        return {c: cols for c in counts}
    if isinstance(derived, Mapping):
        out = {c: [] for c in counts}
        for key, cols in derived.items():
            if key not in counts:
                raise InputError(
                    f"table {name!r}: derived maps {key!r}, which is not one of the count columns "
                    f"{counts}"
                )
            cols = _as_list(cols, "derived")
            _check_columns(table, cols, "derived", name)
            out[key] = cols
        overlap = sorted({c for cols in out.values() for c in cols} & set(counts))
    else:
        cols = _as_list(derived, "derived")
        _check_columns(table, cols, "derived", name)
        out = {c: cols for c in counts}
        overlap = sorted(set(cols) & set(counts))
    if overlap:
        raise InputError(f"table {name!r}: column(s) {overlap} given both as counts and as derived")
    return out


def _margins(by, margins) -> list[list[str] | None]:
    """The groupings whose totals are published: ``by`` first, then ``margins``."""
    out: list[list[str] | None] = [None if by is None else _as_list(by, "by")]
    if margins is not None:
        if isinstance(margins, str):
            margins = [margins]
        for m in margins:
            out.append(None if m is None else _as_list(m, "margins"))
    # drop duplicates, keep order
    seen, unique = set(), []
    for m in out:
        key = None if m is None else tuple(m)
        if key not in seen:
            seen.add(key)
            unique.append(m)
    return unique


def _whole_table_margin(margins) -> bool:
    """Whether ``margins`` lists ``None`` (the whole-table total)."""
    if margins is None or isinstance(margins, str):
        return False
    return any(m is None for m in margins)


def _constraints(
    table: pd.DataFrame,
    counts: list[str],
    groupings: list[list[str] | None],
    row_total,
) -> list[tuple[str, np.ndarray]]:
    """Sets of cells whose sum is known, as (description, flat cell indices) pairs.

    A cell (row position i, count column j) has flat index ``i * len(counts) + j``. A set with one
    suppressed cell reveals it. Sets of fewer than two cells are left out (a group with a single
    cell: its total *is* the cell).
    """
    k = len(counts)
    out: list[tuple[str, np.ndarray]] = []
    for grouping in groupings:
        if grouping is None:
            groups = {(): np.arange(len(table))}
            label = "the table total"
        else:
            groups = table.groupby(grouping, sort=False, dropna=False).indices
            label = None
        for key, rows in groups.items():
            rows = np.asarray(rows)
            if rows.size < 2:
                continue
            if label is None:
                key_t = key if isinstance(key, tuple) else (key,)
                desc = "the total of " + ", ".join(
                    f"{c}={_plain(v)!r}" for c, v in zip(grouping, key_t, strict=True)
                )
            else:
                desc = label
            for j, col in enumerate(counts):
                out.append((f"{desc} (column {col!r})", rows * k + j))
    if row_total is not None and row_total is not False and k >= 2:
        for i in range(len(table)):
            desc = (
                f"the row total (column {row_total!r})"
                if isinstance(row_total, str)
                else "the row total of the count columns"
            )
            out.append((desc, i * k + np.arange(k)))
    return out


def _key_columns(table: pd.DataFrame, exclude: set[str]) -> list[str]:
    return [
        c
        for c in table.columns
        if c not in exclude
        and not pd.api.types.is_numeric_dtype(table[c].dtype)
        and not pd.api.types.is_bool_dtype(table[c].dtype)
    ]


def _describe_row(table: pd.DataFrame, i: int, keys: list[str]) -> str:
    label = table.index[i]
    parts = [f"{c}={table.iloc[i][c]!s}" for c in keys[:3]]
    return f"row {label!r}" + (f" ({', '.join(parts)})" if parts else "")


# --------------------------------------------------------------------------------------------------
# suppress
# --------------------------------------------------------------------------------------------------


def suppress(
    table: pd.DataFrame,
    *,
    counts: str | list[str],
    by: str | list[str] | None = None,
    threshold: int = DEFAULT_THRESHOLD,
    rounding: int | None = None,
    derived: list[str] | Mapping[str, list[str]] | None = None,
    suppress_zero: bool = False,
    margins: Iterable | None = None,
    row_total: str | bool | None = None,
    total_label: str | None = "Total",
    secondary: bool = True,
    name: str | None = None,
) -> pd.DataFrame:
    """Suppress small counts, and every count or value from which they could be worked out.

    Parameters
    ----------
    table : pandas.DataFrame
        The table to publish; not modified.
    counts : str or list of str
        The count columns (numbers of people or events). Numbers, NaN, or ``"[c]"`` for a cell
        already suppressed.
    by : str or list of str, optional
        The grouping within which the cells of each count column add up to a total that is
        published or can be derived (e.g. ``by="year"`` for a long table of counts by year and
        ethnic group, where each year's total is known). ``None`` (default): the whole column adds up
        to a known total (the usual case for one row per ethnic group).
    threshold : int, default 5
        Counts from 1 to ``threshold - 1`` are suppressed (primary suppression).
    rounding : int, optional
        Round every count that is shown to the nearest multiple of ``rounding`` (e.g. 5), after
        suppression. Derived columns are not recomputed (see Notes).
    derived : list of str or dict, optional
        Columns derived from the counts, blanked in every row where a count is suppressed. A list
        applies to every count column; a dict maps a count column to its own derived columns (wide
        tables such as ``{"count_female": ["rate_female"], ...}``). Default: the columns of the table
        that :func:`is_derived_column` recognises (``value``, ``lower_ci``, ``upper_ci``, ``rate``,
        ``percentage`` ...).
    suppress_zero : bool, default False
        Also suppress zero counts. By default a zero is shown (GSS: a true zero is shown as 0).
    margins : iterable, optional
        Further groupings whose totals are published, each a column name, a list of column names,
        or ``None`` for the whole column. A long table of counts by ``year`` and ``ethnic_group``
        with both the yearly totals and the ethnic-group totals published (a two-way table with
        row *and* column totals) is ``by="year", margins=["ethnic_group"]``.
    row_total : str or bool, optional
        For wide tables whose count columns add up across a row: the name of the count column that
        holds each row's total of the other count columns (e.g. ``"shortlisted"`` beside
        ``"appointed"`` and ``"not_appointed"``), or ``True`` when the row totals are published
        elsewhere.
    total_label : str or None, default "Total"
        Rows whose label columns (non-numeric columns other than the counts) hold this value are
        total rows (e.g. ``ethnic_group == "Total"``): they take part in the sums like any row
        (a total row is in the same ``by`` group as the rows it totals) but are chosen for
        secondary suppression only when no other cell will do.
    secondary : bool, default True
        Apply secondary suppression. ``False`` gives primary (and derived) suppression only.
    name : str, optional
        The table's name, used in messages (default ``table.attrs["name"]`` or ``"table"``).

    Returns
    -------
    pandas.DataFrame
        A new frame with the same index, columns and row order. The count and derived columns in
        which a cell is suppressed have object dtype and hold ``"[c]"`` there; other columns keep
        their dtype. ``attrs["suppressed_cells"]`` lists every suppressed cell as a dict with keys
        ``row`` (index label), ``column`` and ``reason`` (``"primary"``: a small count,
        ``"secondary"``: a count that would let a suppressed one be worked out from a total,
        ``"derived"``: a value computed from a suppressed count, ``"prior"``: already ``[c]`` in the
        input); the suppressed values themselves are not kept. ``attrs["disclosure"]`` records the
        options (``threshold``, ``rounding``, ``counts``, ``derived``, ``by``, ``margins``,
        ``row_total``, ``suppress_zero``) and ``unprotected`` (descriptions of totals that still
        reveal a suppressed cell because nothing else could be suppressed; normally empty).
        :func:`suppression_summary` and :func:`suppression_note` read these.

    Raises
    ------
    InputError
        ``table`` is not a DataFrame, a column is missing, a count is not a number or is
        negative, or an option is out of range.

    Notes
    -----
    *Primary suppression*: a count ``c`` with ``0 < c < threshold`` (and ``c == 0`` when
    ``suppress_zero``) is replaced by ``[c]``. Missing counts (NaN) are left missing.

    *Secondary suppression*: the cells of a count column within each ``by`` group (and each
    grouping in ``margins``; and across the count columns of a row with ``row_total``) add up to a
    known total, so a group with exactly one suppressed cell gives it away. For each such group the
    procedure suppresses one more cell of that group, chosen in this order of preference: not in a
    total row, not zero (a zero may be a structural zero and protects nothing), lying in another
    group that also has exactly one suppressed cell (so one suppression protects two groups), the
    smallest count, the first in table order. It repeats until no group has exactly one suppressed
    cell, which handles two-way tables (row and column totals) and explicit total rows. This is the
    usual "at least two suppressed cells in every published margin" rule (Hundepool et al. 2012,
    chapters 4 and 5); it makes no cell *exactly* recoverable from a single total, but it is not a full
    audit of the intervals an intruder could derive by combining several totals (linear
    programming, tau-ARGUS), nor does it protect against differencing between separately
    published tables (use the same ``by``/``margins`` and thresholds for tables that share cells).
    A group with a single cell is skipped (its total is the cell itself and must not be published
    elsewhere). Missing (NaN) cells are never chosen.

    *Derived values*: in every row where a count column is suppressed, its derived columns are
    replaced by ``[c]``. With a value and its denominator shown, the numerator follows; denominators
    (populations) are therefore left shown, and should be listed in ``counts`` only when they are
    themselves counts of people small enough to matter.

    *Rounding* (after suppression): every shown count becomes ``base * floor(c / base + 0.5)``
    (nearest multiple, halves up). Derived columns keep the values computed from the exact counts;
    they are not recomputed from the rounded ones (NHS Digital's HES method computes percentages
    from rounded counts: to follow it, round the counts and compute the indicators from the rounded
    frame). ``attrs["disclosure"]["rounding"]`` records the base so reports can say so.

    References
    ----------
    Government Statistical Service (2022). *Symbols in tables, definitions and help*
    (``[c]`` = confidential). https://gss.civilservice.gov.uk/policy-store/symbols-in-tables-definitions-and-help/

    NHS Digital (2018). *Change to disclosure control methodology for HES and ECDS from September
    2018*.

    NHS Digital. codonPython, ``suppression.py`` (``suppress_value``: 1-7 suppressed;
    ``round_value``: to the nearest 5). https://github.com/codonlibrary/codonPython

    Office for National Statistics. *Disclosure control guidance for birth and death statistics*
    (no rate from fewer than 3 deaths).

    Hundepool A, Domingo-Ferrer J, Franconi L, Giessing S, Schulte Nordholt E, Spicer K, de Wolf
    P-P (2012). *Statistical Disclosure Control*. Wiley. Chapters 4 (tabular data; secondary cell
    suppression) and 5 (frequency tables).
    """
    _check_frame(table)
    name = name or str(table.attrs.get("name", "table"))
    counts = _as_list(counts, "counts")
    if not counts:
        raise InputError(f"table {name!r}: counts must name at least one column")
    if len(set(counts)) != len(counts):
        raise InputError(f"table {name!r}: counts lists a column twice: {counts}")
    _check_columns(table, counts, "count", name)
    threshold = _check_threshold(threshold)
    if rounding is not None and (
        isinstance(rounding, bool) or not isinstance(rounding, (int, np.integer)) or rounding < 1
    ):
        raise InputError(f"rounding must be None or a whole number of at least 1; got {rounding!r}")
    groupings = _margins(by, margins)
    for g in groupings:
        if g is not None:
            _check_columns(table, g, "by/margins", name)
    if isinstance(row_total, str):
        if row_total not in counts:
            raise InputError(
                f"table {name!r}: row_total {row_total!r} must be one of the count columns {counts}"
            )
    elif row_total not in (None, True, False):
        raise InputError(f"row_total must be a count column name, True or None; got {row_total!r}")
    dmap = _derived_map(table, counts, derived, name)

    n, k = len(table), len(counts)
    values = np.empty((n, k))
    prior = np.zeros((n, k), dtype=bool)
    for j, col in enumerate(counts):
        values[:, j], prior[:, j] = _parse_counts(table[col], name=name, allow_markers=True)

    small = (values > 0) & (values < threshold)
    if suppress_zero:
        small |= values == 0
    primary = small & ~prior
    supp = (prior | primary).ravel()
    reason = np.full(n * k, "", dtype=object)
    reason[prior.ravel()] = "prior"
    reason[primary.ravel()] = "primary"

    unprotected: list[str] = []
    if secondary:
        keys = _key_columns(table, set(counts) | {c for cols in dmap.values() for c in cols})
        is_total_row = np.zeros(n, dtype=bool)
        if total_label is not None:
            for c in keys:
                is_total_row |= table[c].astype(object).to_numpy() == total_label
        cons = _constraints(table, counts, groupings, row_total)
        _secondary(values.ravel(), supp, reason, cons, is_total_row, k, unprotected)

    supp = supp.reshape(n, k)
    reason = reason.reshape(n, k)

    out = table.copy()
    cells: list[dict] = []
    # counts: rounding of shown values, then [c]
    for j, col in enumerate(counts):
        mask = supp[:, j]
        if rounding is not None:
            shown = ~mask & ~np.isnan(values[:, j])
            if shown.any():
                rounded = rounding * np.floor(values[:, j] / rounding + 0.5)
                out[col] = _replace(out[col], shown, rounded)
        if mask.any():
            col_obj = out[col].astype(object)
            col_obj[mask] = SUPPRESSED
            out[col] = col_obj
            for i in np.flatnonzero(mask):
                cells.append({"row": table.index[i], "column": col, "reason": reason[i, j]})
    # derived columns
    derived_rows: dict[str, np.ndarray] = {}
    for j, col in enumerate(counts):
        for dcol in dmap[col]:
            derived_rows.setdefault(dcol, np.zeros(n, dtype=bool))
            derived_rows[dcol] |= supp[:, j]
    for dcol, mask in derived_rows.items():
        if mask.any():
            col_obj = out[dcol].astype(object)
            col_obj[mask] = SUPPRESSED
            out[dcol] = col_obj
            for i in np.flatnonzero(mask):
                cells.append({"row": table.index[i], "column": dcol, "reason": "derived"})

    out.attrs["suppressed_cells"] = cells
    out.attrs["disclosure"] = {
        "threshold": threshold,
        "rounding": rounding,
        "counts": counts,
        "derived": sorted(derived_rows),
        "by": groupings[0],
        "margins": groupings[1:],
        "row_total": row_total,
        "suppress_zero": bool(suppress_zero),
        "unprotected": unprotected,
    }
    n_by = {
        r: sum(1 for c in cells if c["reason"] == r) for r in ("primary", "secondary", "derived")
    }
    logger.info(
        "suppress %s: %d primary, %d secondary, %d derived cell(s) at threshold %d%s",
        name,
        n_by["primary"],
        n_by["secondary"],
        n_by["derived"],
        threshold,
        f", counts rounded to {rounding}" if rounding else "",
    )
    for text in unprotected:
        logger.warning("suppress %s: %s still reveals a suppressed cell", name, text)
    return out


def _replace(series: pd.Series, mask: np.ndarray, new_values: np.ndarray) -> pd.Series:
    """Return ``series`` with ``new_values`` where ``mask`` (keeping integers integers)."""
    integral = pd.api.types.is_integer_dtype(series.dtype)
    if pd.api.types.is_numeric_dtype(series.dtype) and not series.isna().any():
        base = series.to_numpy(dtype="float64")
        base = np.where(mask, new_values, base)
        return pd.Series(
            base.astype("int64") if integral else base, index=series.index, name=series.name
        )
    obj = series.astype(object).to_numpy(copy=True)
    for i in np.flatnonzero(mask):
        v = new_values[i]
        obj[i] = int(v) if float(v).is_integer() else float(v)
    return pd.Series(obj, index=series.index, name=series.name, dtype=object)


def _secondary(
    values: np.ndarray,
    supp: np.ndarray,
    reason: np.ndarray,
    cons: list[tuple[str, np.ndarray]],
    is_total_row: np.ndarray,
    k: int,
    unprotected: list[str],
) -> None:
    """Suppress cells until no constraint has exactly one suppressed cell (modifies supp/reason).

    Constraints with exactly one suppressed cell are handled lowest index first (``by`` groups,
    then ``margins``, then rows), keeping per-constraint tallies up to date as cells are added, so
    the work is proportional to the table size times the number of cells suppressed.
    """
    member: dict[int, list[int]] = {}
    for ci, (_, cells) in enumerate(cons):
        for cell in cells:
            member.setdefault(int(cell), []).append(ci)
    tally = np.array([int(supp[cells].sum()) for _, cells in cons], dtype=np.int64)
    heap = [ci for ci in range(len(cons)) if tally[ci] == 1]
    heapq.heapify(heap)
    while heap:
        ci = heapq.heappop(heap)
        if tally[ci] != 1:
            continue
        cells = cons[ci][1]
        candidates = [int(c) for c in cells if not supp[c] and not np.isnan(values[c])]
        if not candidates:
            continue  # nothing left to suppress in it: reported below

        def preference(cell: int, ci=ci) -> tuple:
            helps = sum(1 for other in member[cell] if other != ci and tally[other] == 1)
            return (
                bool(is_total_row[cell // k]),
                values[cell] == 0,
                -helps,
                values[cell],
                cell,
            )

        best = min(candidates, key=preference)
        supp[best] = True
        reason[best] = "secondary"
        for other in member[best]:
            tally[other] += 1
            if tally[other] == 1:
                heapq.heappush(heap, other)
    unprotected.extend(desc for ci, (desc, _) in enumerate(cons) if tally[ci] == 1)


# --------------------------------------------------------------------------------------------------
# summary
# --------------------------------------------------------------------------------------------------


def suppression_summary(table: pd.DataFrame) -> pd.DataFrame:
    """How many cells :func:`suppress` suppressed, by column and reason.

    Parameters
    ----------
    table : pandas.DataFrame
        A frame returned by :func:`suppress` (it reads ``attrs["suppressed_cells"]``). A frame
        that did not go through :func:`suppress` gives an empty summary.

    Returns
    -------
    pandas.DataFrame
        One row per (column, reason) with at least one suppressed cell, in table column order then
        ``primary``, ``secondary``, ``derived``, ``prior``. Columns: ``column`` (str), ``reason``
        (str), ``cells`` (int, number of cells).
    """
    _check_frame(table)
    cells = table.attrs.get("suppressed_cells", [])
    order = {"primary": 0, "secondary": 1, "derived": 2, "prior": 3}
    colpos = {c: i for i, c in enumerate(table.columns)}
    tally: dict[tuple[str, str], int] = {}
    for c in cells:
        key = (c["column"], c["reason"])
        tally[key] = tally.get(key, 0) + 1
    rows = sorted(
        tally.items(), key=lambda kv: (colpos.get(kv[0][0], 10**6), order.get(kv[0][1], 9))
    )
    return pd.DataFrame(
        {
            "column": pd.Series([r[0][0] for r in rows], dtype=object),
            "reason": pd.Series([r[0][1] for r in rows], dtype=object),
            "cells": pd.Series([r[1] for r in rows], dtype="int64"),
        }
    )


def suppression_note(table: pd.DataFrame) -> str:
    """A sentence for a report's table note explaining the ``[c]`` cells of a suppressed table.

    Parameters
    ----------
    table : pandas.DataFrame
        A frame returned by :func:`suppress`.

    Returns
    -------
    str
        E.g. ``"[c] = confidential: 2 counts below 5 suppressed, 1 more count suppressed so they
        cannot be worked out from totals, 6 values derived from them suppressed."``, or a sentence
        saying no cell needed suppression. Mentions the rounding base when counts were rounded.
    """
    _check_frame(table)
    info = table.attrs.get("disclosure", {})
    cells = table.attrs.get("suppressed_cells", [])
    threshold = info.get("threshold", DEFAULT_THRESHOLD)
    n = {r: sum(1 for c in cells if c["reason"] == r) for r in ("primary", "secondary", "derived")}
    n["primary"] += sum(1 for c in cells if c["reason"] == "prior")
    parts = []
    if n["primary"]:
        zero = " (or zero)" if info.get("suppress_zero") else ""
        parts.append(f"{n['primary']} {_plural(n['primary'], 'count')} below {threshold}{zero}")
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
    else:
        text = (
            f"No cell needed suppression (counts below {threshold} are suppressed as {SUPPRESSED})."
        )
    if info.get("rounding"):
        text += f" Counts are rounded to the nearest {info['rounding']}."
    return text


def _plural(n: int, word: str) -> str:
    return word if n == 1 else word + "s"


# --------------------------------------------------------------------------------------------------
# check
# --------------------------------------------------------------------------------------------------


def _unsafe_cells(
    table: pd.DataFrame,
    *,
    counts: list[str],
    threshold: int,
    name: str,
    derived,
    by,
    margins,
    row_total,
    suppress_zero: bool,
) -> list[tuple[int, str, object, str]]:
    """Every unsafe cell as (row position, column, shown value, reason)."""
    _check_columns(table, counts, "count", name)
    dmap = _derived_map(table, counts, derived, name)
    n, k = len(table), len(counts)
    values = np.empty((n, k))
    marked = np.zeros((n, k), dtype=bool)
    for j, col in enumerate(counts):
        values[:, j], marked[:, j] = _parse_counts(table[col], name=name, allow_markers=True)
    found: list[tuple[int, str, object, str]] = []
    small = (values > 0) & (values < threshold)
    if suppress_zero:
        small |= values == 0
    for i, j in zip(*np.nonzero(small), strict=True):
        col = counts[j]
        what = "zero count (zeros are suppressed here)" if values[i, j] == 0 else "count"
        found.append(
            (int(i), col, _plain(table[col].iloc[i]), f"{what} below the threshold of {threshold}")
        )
    for j, col in enumerate(counts):
        for dcol in dmap[col]:
            dvals = table[dcol].astype(object).to_numpy()
            for i in np.flatnonzero(marked[:, j]):
                if _shown_as_number(dvals[i]):
                    found.append(
                        (
                            int(i),
                            dcol,
                            _plain(dvals[i]),
                            f"derived from the suppressed count in column {col!r}",
                        )
                    )
    if by is not None or margins or row_total:
        groupings = _margins(by, margins)
        if by is None and not _whole_table_margin(margins):
            groupings = groupings[1:]  # the whole-table total only when margins asks for it
        for g in groupings:
            if g is not None:
                _check_columns(table, g, "by/margins", name)
        flat = marked.ravel()
        for desc, cells in _constraints(table, counts, groupings, row_total):
            hit = cells[flat[cells]]
            if hit.size == 1:
                cell = int(hit[0])
                i, j = divmod(cell, k)
                found.append(
                    (
                        i,
                        counts[j],
                        SUPPRESSED,
                        f"the only suppressed cell in {desc}: recoverable from that total",
                    )
                )
    # de-duplicate, keep order
    seen, unique = set(), []
    for item in found:
        key = (item[0], item[1], item[3])
        if key not in seen:
            seen.add(key)
            unique.append(item)
    return unique


def check(
    table: pd.DataFrame,
    *,
    counts: str | list[str],
    threshold: int = DEFAULT_THRESHOLD,
    name: str | None = None,
    derived: list[str] | Mapping[str, list[str]] | None = None,
    by: str | list[str] | None = None,
    margins: Iterable | None = None,
    row_total: str | bool | None = None,
    suppress_zero: bool = False,
) -> pd.DataFrame:
    """Refuse a table that would disclose a small number; return it unchanged if it is safe.

    Parameters
    ----------
    table : pandas.DataFrame
        The table about to be written or shown (normally the output of :func:`suppress`).
    counts : str or list of str
        The count columns. Numbers, NaN, ``"[c]"`` or another GSS symbol (``[x]``, ``[z]`` ...).
    threshold : int, default 5
        Counts from 1 to ``threshold - 1`` must not be shown.
    name : str, optional
        The table's name for the message (default ``table.attrs["name"]`` or ``"table"``).
    derived : list of str or dict, optional
        Derived columns that must not show a number where a count is ``[c]``; as in
        :func:`suppress` (default: the recognised derived columns of the table).
    by, margins, row_total : optional
        The groupings whose totals are published, as in :func:`suppress`. When given, a group
        whose cells of a count column include exactly one ``[c]`` is unsafe (the total reveals it).
        Without them no secondary check is made.
    suppress_zero : bool, default False
        Zero counts are unsafe too.

    Returns
    -------
    pandas.DataFrame
        ``table`` itself, unchanged, when it is safe.

    Raises
    ------
    DisclosureError
        Naming the table and every unsafe cell (row label and label columns, column, shown value,
        reason); ``error.cells`` holds ``(row label, column, value)`` tuples.
    InputError
        A column is missing, or a count cell is neither a number, empty nor a GSS symbol.

    Notes
    -----
    The message quotes the unsafe values so the analyst can find them; it is meant for the analyst,
    not for publication.

    References
    ----------
    Government Statistical Service (2022). *Symbols in tables, definitions and help*.

    Hundepool A, et al. (2012). *Statistical Disclosure Control*. Wiley. Chapters 4 and 5.
    """
    _check_frame(table)
    name = name or str(table.attrs.get("name", "table"))
    counts_l = _as_list(counts, "counts")
    if not counts_l:
        raise InputError(f"table {name!r}: counts must name at least one column")
    threshold = _check_threshold(threshold)
    found = _unsafe_cells(
        table,
        counts=counts_l,
        threshold=threshold,
        name=name,
        derived=derived,
        by=by,
        margins=margins,
        row_total=row_total,
        suppress_zero=suppress_zero,
    )
    if not found:
        logger.debug("check %s: safe at threshold %d", name, threshold)
        return table
    keys = _key_columns(table, set(counts_l))
    lines = [
        f"{_describe_row(table, i, keys)}, column {col!r}, value {val!r}: {why}"
        for i, col, val, why in found
    ]
    shown = "\n  ".join(lines[:20])
    more = f"\n  ... and {len(lines) - 20} more" if len(lines) > 20 else ""
    raise DisclosureError(
        f"table {name!r} is not safe to publish at threshold {threshold}: "
        f"{len(found)} unsafe cell(s):\n  {shown}{more}\n"
        "Pass it through rhoresearch.disclosure.suppress(...) first.",
        cells=[(table.index[i], col, val) for i, col, val, _ in found],
    )


# --------------------------------------------------------------------------------------------------
# sidecar and scan
# --------------------------------------------------------------------------------------------------


def sidecar_path(path: str | os.PathLike) -> Path:
    """The sidecar path of a CSV: ``results/<name>.csv`` -> ``results/<name>.meta.json``.

    Parameters
    ----------
    path : path-like
        A CSV path (any suffix is replaced), or a path already ending ``.meta.json`` (returned as
        is).

    Returns
    -------
    pathlib.Path
        The sidecar's path (whether or not it exists).
    """
    p = Path(path)
    if p.name.endswith(".meta.json"):
        return p
    return p.with_name(
        p.name[: -len(p.suffix)] + ".meta.json" if p.suffix else p.name + ".meta.json"
    )


def write_sidecar(
    path: str | os.PathLike,
    *,
    counts: str | list[str],
    threshold: int = DEFAULT_THRESHOLD,
    by: str | list[str] | None = None,
    margins: Iterable | None = None,
    row_total: str | bool | None = None,
    derived: list[str] | Mapping[str, list[str]] | None = None,
    suppress_zero: bool = False,
) -> Path:
    """Write the disclosure sidecar of a result CSV, so :func:`scan` knows its count columns.

    Parameters
    ----------
    path : path-like
        The CSV (``results/<name>.csv``) or the sidecar itself (``results/<name>.meta.json``).
    counts : str or list of str
        The count columns of the CSV (may be empty for a table with no counts).
    threshold : int, default 5
        The threshold the table was suppressed at.
    by, margins, row_total, derived, suppress_zero
        As given to :func:`suppress` (so :func:`scan` can repeat the secondary check).

    Returns
    -------
    pathlib.Path
        The sidecar written: a JSON object with keys ``format`` (``"rhoresearch.disclosure/1"``),
        ``counts``, ``threshold``, ``by``, ``margins``, ``row_total``, ``derived``,
        ``suppress_zero``; keys sorted, two-space indent, newline-terminated (stable bytes for the
        manifest's hashes).
    """
    target = sidecar_path(path)
    counts_l = [] if counts is None else _as_list(counts, "counts")
    doc = {
        "format": SIDECAR_FORMAT,
        "counts": counts_l,
        "threshold": _check_threshold(threshold),
        "by": None if by is None else _as_list(by, "by"),
        "margins": [None if m is None else _as_list(m, "margins") for m in (margins or [])]
        if not isinstance(margins, str)
        else [[margins]],
        "row_total": row_total,
        "derived": (
            {k: _as_list(v, "derived") for k, v in derived.items()}
            if isinstance(derived, Mapping)
            else (None if derived is None else _as_list(derived, "derived"))
        ),
        "suppress_zero": bool(suppress_zero),
    }
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(doc, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return target


def read_sidecar(path: str | os.PathLike) -> dict | None:
    """Read the disclosure sidecar of a CSV (or the sidecar path itself).

    Parameters
    ----------
    path : path-like
        The CSV or its ``.meta.json``.

    Returns
    -------
    dict or None
        The sidecar's keys (see :func:`write_sidecar`), with defaults filled in for missing
        optional keys; ``None`` when there is no sidecar.

    Raises
    ------
    InputError
        The sidecar is not valid JSON, has another ``format``, or has no ``counts`` list.
    """
    target = sidecar_path(path)
    if not target.exists():
        return None
    try:
        doc = json.loads(target.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{target}: disclosure sidecar is not valid JSON ({exc})") from exc
    if not isinstance(doc, dict) or doc.get("format") != SIDECAR_FORMAT:
        raise InputError(
            f"{target}: disclosure sidecar must be a JSON object with format {SIDECAR_FORMAT!r}; "
            f"got format {doc.get('format') if isinstance(doc, dict) else type(doc).__name__!r}"
        )
    counts = doc.get("counts")
    if not isinstance(counts, list) or not all(isinstance(c, str) for c in counts):
        raise InputError(f"{target}: 'counts' must be a list of column names; got {counts!r}")
    out = {
        "format": SIDECAR_FORMAT,
        "counts": counts,
        "threshold": doc.get("threshold", DEFAULT_THRESHOLD),
        "by": doc.get("by"),
        "margins": doc.get("margins") or [],
        "row_total": doc.get("row_total"),
        "derived": doc.get("derived"),
        "suppress_zero": bool(doc.get("suppress_zero", False)),
    }
    return out


_SCAN_COLUMNS = ["file", "row", "column", "value", "reason"]


def scan(
    folder: str | os.PathLike,
    *,
    threshold: int = DEFAULT_THRESHOLD,
    pattern: str = "**/*.csv",
    include_denominators: bool = False,
    suppress_zero: bool = False,
    use_sidecars: bool = True,
) -> pd.DataFrame:
    """List every unsafe cell in the CSV files under a folder (e.g. ``reports/``).

    Parameters
    ----------
    folder : path-like
        The folder to scan (recursively).
    threshold : int, default 5
        The policy threshold. A file whose sidecar declares a higher threshold is checked at that
        higher one (the stricter of the two).
    pattern : str, default ``"**/*.csv"``
        Glob (relative to ``folder``) of the files to scan.
    include_denominators : bool, default False
        Treat ``denominator``/``population`` columns as counts when the naming convention is used.
    suppress_zero : bool, default False
        Zeros are unsafe too (a sidecar's ``suppress_zero: true`` also makes them unsafe).
    use_sidecars : bool, default True
        Read ``<name>.meta.json`` beside ``<name>.csv`` for its count columns and groupings;
        otherwise (or when there is none) the naming convention of :func:`is_count_column` decides.

    Returns
    -------
    pandas.DataFrame
        One row per unsafe cell, in file then row order. Columns: ``file`` (str, path relative to
        ``folder``, ``/``-separated), ``row`` (Int64, 0-based data row; the CSV line is ``row + 2``;
        missing for a file-level problem), ``column`` (str or missing), ``value`` (str, as written
        in the file), ``reason`` (str). Empty (with these columns) when everything is safe.
        ``attrs["files_scanned"]`` is the number of CSV files read.

    Raises
    ------
    InputError
        ``folder`` is not a folder.

    Notes
    -----
    Values are read as text, so what is checked is exactly what was written. A file that cannot be
    parsed, or a count cell that is not a number, is reported (reason says which) rather than
    skipped. A CSV with no count column is safe by this scan; the sidecar is the way to declare
    counts whose names do not follow the convention.

    References
    ----------
    Hundepool A, et al. (2012). *Statistical Disclosure Control*. Wiley. Chapters 4 and 5.
    """
    root = Path(folder)
    if not root.is_dir():
        raise InputError(f"scan: {root} is not a folder")
    threshold = _check_threshold(threshold)
    rows: list[dict] = []
    files = sorted(p for p in root.glob(pattern) if p.is_file())
    for path in files:
        rel = path.relative_to(root).as_posix()
        rows.extend(
            _scan_file(
                path,
                rel,
                threshold=threshold,
                include_denominators=include_denominators,
                suppress_zero=suppress_zero,
                use_sidecars=use_sidecars,
            )
        )
    out = pd.DataFrame(
        {
            "file": pd.Series([r["file"] for r in rows], dtype=object),
            "row": pd.Series([r["row"] for r in rows], dtype="Int64"),
            "column": pd.Series([r["column"] for r in rows], dtype=object),
            "value": pd.Series([r["value"] for r in rows], dtype=object),
            "reason": pd.Series([r["reason"] for r in rows], dtype=object),
        },
        columns=_SCAN_COLUMNS,
    )
    out.attrs["files_scanned"] = len(files)
    logger.info("scan %s: %d file(s), %d unsafe cell(s)", root, len(files), len(out))
    return out


def _scan_file(
    path: Path,
    rel: str,
    *,
    threshold: int,
    include_denominators: bool,
    suppress_zero: bool,
    use_sidecars: bool,
) -> list[dict]:
    def problem(reason: str, row=None, column=None, value=None) -> dict:
        return {"file": rel, "row": row, "column": column, "value": value, "reason": reason}

    meta = None
    if use_sidecars:
        try:
            meta = read_sidecar(path)
        except InputError as exc:
            return [problem(f"unreadable disclosure sidecar: {exc}")]
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except pd.errors.EmptyDataError:
        return []
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        return [problem(f"could not be read as CSV: {exc}")]
    table = table.replace("", np.nan) if len(table) else table
    if meta is not None:
        counts = [c for c in meta["counts"] if c in table.columns]
        missing = [c for c in meta["counts"] if c not in table.columns]
        found = [
            problem(f"sidecar names count column {c!r}, absent from the file") for c in missing
        ]
        file_threshold = max(threshold, int(meta["threshold"]))
        zero = suppress_zero or meta["suppress_zero"]
        by, margins, row_total = meta["by"], meta["margins"], meta["row_total"]
        derived = meta["derived"]
        if isinstance(derived, list):
            derived = [c for c in derived if c in table.columns]
        elif isinstance(derived, dict):
            derived = {
                k: [c for c in v if c in table.columns] for k, v in derived.items() if k in counts
            }
    else:
        counts = [
            c
            for c in table.columns
            if is_count_column(c, include_denominators=include_denominators)
        ]
        found = []
        file_threshold, zero = threshold, suppress_zero
        by = margins = row_total = derived = None
    if not counts:
        return found
    # report text in count columns cell by cell instead of failing the whole file
    clean = table.copy()
    for col in counts:
        vals = clean[col].astype(object).to_numpy(copy=True)
        for i, v in enumerate(vals):
            if isinstance(v, str):
                s = v.strip()
                if s in _OTHER_SYMBOLS or s == SUPPRESSED:
                    continue
                try:
                    x = float(s.replace(",", ""))
                except ValueError:
                    found.append(problem("count cell is not a number", i, col, v))
                    vals[i] = np.nan
                    continue
                if x < 0:
                    found.append(problem("negative count", i, col, v))
                    vals[i] = np.nan
        clean[col] = pd.Series(vals, index=clean.index, dtype=object)
    groupings_ok = all(
        g is None or all(c in table.columns for c in _as_list(g, "by"))
        for g in [by, *(margins or [])]
    )
    if not groupings_ok:
        found.append(problem("sidecar groupings name columns absent from the file"))
        by = margins = None
    try:
        unsafe = _unsafe_cells(
            clean,
            counts=counts,
            threshold=file_threshold,
            name=rel,
            derived=derived,
            by=by,
            margins=margins,
            row_total=row_total,
            suppress_zero=zero,
        )
    except InputError as exc:
        return [*found, problem(f"could not be checked: {exc}")]
    for i, col, _val, why in unsafe:
        found.append(problem(why, i, col, table[col].iloc[i]))
    found.sort(key=lambda r: (-1 if r["row"] is None else r["row"], str(r["column"])))
    return found
