"""How suppression is represented in a table, and the one function that writes ``[c]``.

Inside the package a suppressed cell holds a *missing value* and its column stays numeric (nullable
``Int64`` for whole numbers, ``float64`` with ``NaN`` for the others); the *flag column*
``<column>_suppressed`` (:func:`flag_column`) says which cells are suppressed and why:

- ``"primary"``: a count below the threshold;
- ``"secondary"``: a count suppressed so that no primary one can be worked out from a total;
- ``"derived"``: a value computed from a suppressed count (rate, percentage, interval ...);
- ``"prior"``: already suppressed in the input (a ``[c]`` cell, e.g. a table read from a published
  CSV);

and a missing value where the cell is shown. Flag columns are ordinary columns: they follow the rows
through a filter, a sort, a merge or a concatenation (a row from a frame without the flag column
gets a missing flag: shown). :func:`select` and :func:`rename` keep them beside their columns when
columns are picked or renamed.

Code asks :func:`is_suppressed` whether a cell is suppressed (never compares a value with
``"[c]"``), and :func:`render` turns a table into what is shown or saved: ``[c]`` in the suppressed
cells, flag columns dropped. Both also accept the published representation (``"[c]"`` strings in
the cells, no flag columns).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Protocol

import numpy as np
import pandas as pd

from rhoresearch.disclosure._columns import FLAG_SUFFIX, is_flag_column
from rhoresearch.exceptions import InputError
from rhoresearch.validation import as_columns, check_frame, require_columns


class _Symbolic(Protocol):
    """What :func:`render` reads of a policy (:class:`rhoresearch.disclosure.Policy`)."""

    @property
    def symbol(self) -> str: ...


__all__ = [
    "SUPPRESSED",
    "FLAG_SUFFIX",
    "REASONS",
    "flag_column",
    "is_flag_column",
    "is_suppressed",
    "render",
    "select",
    "rename",
]

#: The GSS shorthand for a confidential (suppressed) value, written by :func:`render`.
SUPPRESSED = "[c]"

#: The reasons a flag column holds, in the order summaries list them.
REASONS = ("primary", "secondary", "derived", "prior")


def flag_column(column: str) -> str:
    """The name of the flag column marking the suppressed cells of ``column``.

    Parameters
    ----------
    column : str
        A column name.

    Returns
    -------
    str
        ``column + "_suppressed"`` (:data:`FLAG_SUFFIX`).
    """
    return f"{column}{FLAG_SUFFIX}"


def _is_marker(value: object) -> bool:
    """Whether a cell holds the ``[c]`` symbol (surrounding spaces ignored)."""
    return isinstance(value, str) and value.strip() == SUPPRESSED


def _flag_set(value: object) -> bool:
    """Whether one flag cell marks its cell as suppressed (a reason, or True)."""
    if value is None or value is pd.NA:
        return False
    if isinstance(value, (float, np.floating)):
        return not math.isnan(value) and value != 0
    if isinstance(value, str):
        return value.strip() != ""
    return bool(value)


def _flag_mask(flags: pd.Series) -> np.ndarray:
    return np.fromiter((_flag_set(v) for v in flags.astype(object)), dtype=bool, count=len(flags))


def _may_hold_text(series: pd.Series) -> bool:
    return series.dtype == object or isinstance(series.dtype, pd.StringDtype)


def is_suppressed(table: pd.DataFrame | pd.Series, column: str) -> pd.Series | bool:
    """Which cells of ``column`` are suppressed.

    Parameters
    ----------
    table : pandas.DataFrame or pandas.Series
        A table from :func:`rhoresearch.disclosure.suppress` (or one row of it, as a Series), or a
        table in the published representation (``"[c]"`` in suppressed cells).
    column : str
        The column to ask about (it need not exist: then only its flag column is read).

    Returns
    -------
    pandas.Series of bool (for a table) or bool (for a row)
        True where the cell is suppressed: its flag column (:func:`flag_column`) holds a reason (or
        True), or the cell holds the ``[c]`` symbol. A missing value that is not flagged is *not
        available*, not suppressed. The Series has the table's index and is named ``column``.

    References
    ----------
    Government Statistical Service (2022). *Symbols in tables, definitions and help*
    (``[c]`` = confidential). https://gss.civilservice.gov.uk/policy-store/symbols-in-tables-definitions-and-help/
    """
    if isinstance(table, pd.Series):  # one row
        return _flag_set(table.get(flag_column(column))) or _is_marker(table.get(column))
    check_frame(table, func="is_suppressed", name="table")
    return pd.Series(_suppressed_mask(table, column), index=table.index, name=column, dtype=bool)


def _suppressed_mask(table: pd.DataFrame, column: str) -> np.ndarray:
    """:func:`is_suppressed` of a table as a boolean array (for the package's own use)."""
    out = np.zeros(len(table), dtype=bool)
    flag = flag_column(column)
    if flag in table.columns:
        out |= _flag_mask(table[flag])
    if column in table.columns and _may_hold_text(table[column]):
        out |= np.fromiter(
            (_is_marker(v) for v in table[column].astype(object)), dtype=bool, count=len(table)
        )
    return out


def _flag_reasons(table: pd.DataFrame, column: str) -> np.ndarray:
    """The reason of each suppressed cell of ``column`` (``None`` where shown), as an object array.

    A flag holding one of :data:`REASONS` gives that reason; any other set flag (True) or a ``[c]``
    cell without a flag gives ``"prior"``.
    """
    mask = _suppressed_mask(table, column)
    out = np.full(len(table), None, dtype=object)
    flags = (
        table[flag_column(column)].astype(object).to_numpy()
        if flag_column(column) in table.columns
        else np.full(len(table), None, dtype=object)
    )
    for i in np.flatnonzero(mask):
        v = flags[i]
        out[i] = v.strip() if isinstance(v, str) and v.strip() in REASONS else "prior"
    return out


def render(
    table: pd.DataFrame, *, symbol: str = SUPPRESSED, policy: _Symbolic | None = None
) -> pd.DataFrame:
    """The table as it is shown or saved: ``symbol`` in the suppressed cells, flag columns dropped.

    The one place where ``[c]`` is written into a table. A column with a flag column (one in which
    :func:`rhoresearch.disclosure.suppress` suppressed a cell, even if the rows kept since hold none)
    or with a ``[c]`` cell holds objects: ``symbol`` in the suppressed cells, its other values
    unchanged (whole numbers of an integer column as Python ints, floats as floats, missing values as
    ``NaN``), so that it is written in full, as the published table it belongs to is. Other columns
    keep their dtype and values.

    Parameters
    ----------
    table : pandas.DataFrame
        A table from :func:`rhoresearch.disclosure.suppress` (numbers, with missing values and flag
        columns where cells are suppressed), or already rendered; not modified.
    symbol : str, default "[c]"
        The symbol shown in place of a suppressed value.
    policy : Policy, optional
        A disclosure policy (:func:`rhoresearch.disclosure.policy`): its symbol is used (``*``
        for ``nhs-england``).

    Returns
    -------
    pandas.DataFrame
        The same index and rows, and every column except the flag columns (names ending
        ``_suppressed``, :func:`is_flag_column`: the suffix is reserved), in order.

    Raises
    ------
    InputError
        ``table`` is not a DataFrame or ``symbol`` is not a string.

    References
    ----------
    Government Statistical Service (2022). *Symbols in tables, definitions and help*
    (``[c]`` = confidential). https://gss.civilservice.gov.uk/policy-store/symbols-in-tables-definitions-and-help/
    """
    check_frame(table, func="render", name="table")
    if policy is not None:
        symbol = policy.symbol
    if not isinstance(symbol, str):
        raise InputError(f"render: symbol must be a string such as '[c]', got {symbol!r}")
    flags = [c for c in table.columns if is_flag_column(c)]
    out = table.drop(columns=flags)
    for col in out.columns:
        if not isinstance(col, str):
            continue
        hidden = _suppressed_mask(table, col)
        if not hidden.any() and flag_column(col) not in table.columns:
            continue
        values = out[col]
        integral = pd.api.types.is_integer_dtype(values.dtype)
        obj = values.astype(object).to_numpy(copy=True)
        for i in range(len(obj)):
            if hidden[i]:
                obj[i] = symbol
            elif obj[i] is pd.NA:
                obj[i] = np.nan
            elif integral and obj[i] is not None:
                obj[i] = int(obj[i])
        out[col] = pd.Series(obj, index=out.index, name=col, dtype=object)
    return out


def select(table: pd.DataFrame, columns: str | Sequence[str]) -> pd.DataFrame:
    """Pick columns of a suppressed table, keeping the flag column of each.

    Parameters
    ----------
    table : pandas.DataFrame
        A table from :func:`rhoresearch.disclosure.suppress`; not modified.
    columns : str or list of str
        The columns wanted, in order.

    Returns
    -------
    pandas.DataFrame
        ``columns``, then the flag column of each that has one, in the same order.

    Raises
    ------
    InputError
        A column is missing.
    """
    cols = as_columns(columns, func="select", name="columns")
    require_columns(table, cols, func="select")
    flags = [flag_column(c) for c in cols if flag_column(c) in table.columns]
    return table[cols + [f for f in flags if f not in cols]]


def rename(table: pd.DataFrame, columns: Mapping[str, str]) -> pd.DataFrame:
    """Rename columns of a suppressed table and their flag columns with them.

    Parameters
    ----------
    table : pandas.DataFrame
        A table from :func:`rhoresearch.disclosure.suppress`; not modified.
    columns : mapping of str to str
        Old name to new name, as for :meth:`pandas.DataFrame.rename`. Names absent from the table
        are ignored (as pandas does).

    Returns
    -------
    pandas.DataFrame
        A renamed copy: ``old`` becomes ``new`` and ``old_suppressed`` becomes ``new_suppressed``.

    Raises
    ------
    InputError
        ``columns`` is not a mapping of names.
    """
    check_frame(table, func="rename", name="table")
    if not isinstance(columns, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in columns.items()
    ):
        raise InputError(f"rename: columns must map column names to new names, got {columns!r}")
    mapping = dict(columns)
    for old, new in columns.items():
        if flag_column(old) in table.columns:
            mapping[flag_column(old)] = flag_column(new)
    return table.rename(columns=mapping)
