"""Published and aggregate tables: counts and denominators by ethnic group, read as they come.

Most evidence on ethnic inequalities starts from published tables (NHS England's Mental Health
Act annual tables, MBRRACE-UK counts, WRES returns, Census 2021 populations), not record-level
extracts. This module reads such a table into the **standard aggregate layout** a notebook
analyses, and checks it, so that a downloaded publication can be used as it is.

Public API
----------
``read_aggregate(source, *, value="count", strata=(), optional_strata=(), other_values=(),
columns=None, where=None, chinese="asian", name=None) -> pandas.DataFrame``
    A table of counts (``value="count"``) or denominators (``value="population"``; a
    ``denominator`` column is read as ``population``) in the standard layout: ``ethnic_group``
    (the labels as published: anything :func:`rhoresearch.ethnicity.harmonise` reads, e.g.
    ``"Indian"``, ``"Black Caribbean"``, ``"M"``, ``"Asian, Asian British or Asian Welsh:
    Indian"``, ``"Black"``), the ``strata`` (required) and those of ``optional_strata`` that the
    table has (the notebook's own names: ``financial_year``, ``age_band``, ``sex``, ``region``,
    ``provider_code`` ...), and ``value`` (int64). Checked: counts are non-negative whole
    numbers; one row per group and stratum; no mix of a group total ("Asian") with its detailed
    groups ("Indian") in one stratum; every label is an ethnic group. Total rows ("Total", "All
    ethnic groups") are left out (logged): they are sums of the other rows.
``read_table(source, *, columns=None, where=None, name=None) -> pandas.DataFrame``
    Any table with ``columns`` renamed and ``where`` rows kept, every value as read (CSV: text);
    the index numbers the rows as in the source (1 = first data row). The first step of
    :func:`read_aggregate`.
``source_columns(source, *, columns=None) -> list[str]``
    The column names of a source (after ``columns`` renaming), reading only its header or schema
    (a record-level file of any size is not loaded).
``is_aggregate(source, *, value="count", columns=None) -> bool``
    Whether a source is an aggregate table (it has the ``value`` column, or for
    ``value="population"`` a ``denominator`` column, after renaming).
``financial_year(values) -> pandas.Series``
    Financial years written ``"2023/24"``, ``"2023-24"``, ``"2023-2024"``, ``"2023/2024"`` or
    ``"2023 to 2024"`` as one form, ``"2023-24"`` (the form of NHS England's tables).
``to_groups(table, *, to="high_level", chinese="asian", values=None, name=None) -> pandas.DataFrame``
    The rows summed to the groups of a scheme (``"high_level"``, ``"nhs_code"`` or
    ``"census2021"``): ``ethnic_group`` an ordered categorical of the scheme's labels; a label
    with no place in the scheme (a high-level "Black" at ``"nhs_code"``) is an error.
``group_labels(table, *, to="high_level", chinese="asian", name=None) -> pandas.Series``
    The same, row by row (no sum): each label's group in the scheme.
``detailed_scheme(*tables) -> str``
    ``"census2021"`` when every table has a Census 2021 only group (Arab, Gypsy or Irish
    Traveller, Roma), else ``"nhs_code"`` (the NHS 16 categories).
``check_denominators(counts, denominators, *, on=("ethnic_group",), name=None,
denominator_name=None) -> None``
    Every group (and stratum of ``on``) with counts has a denominator row.

``source``: a path (``.csv``, ``.csv.gz``, ``.tsv``, ``.parquet``; relative to the project root),
``"spark:<db.table>"`` (brought back whole: aggregate tables are small) or a DataFrame.
``columns`` maps the publication's column names to the standard names (``{"Ethnic group":
"ethnic_group", "Detentions": "count"}``); ``where`` selects rows (``{"Measure": "All
detentions"}``; a list keeps any of its values; keys are the publication's or the standard names;
financial years match in any form). Each applies only to the tables having the named columns, so
one mapping serves every table a notebook reads.

Errors are :class:`~rhoresearch.exceptions.SchemaError` naming the file, the column, the rule, the
first offending row (and its CSV line) and its value; they carry ``path``, ``column``, ``rule``,
``row`` and ``value`` as attributes (:func:`rhoresearch.data._errors.with_evidence`).

References
----------
NHS England. Mental Health Act Statistics, Annual Figures (tables by ethnic group). Office for
National Statistics. Census 2021, TS021 ethnic group. Race Disparity Unit. Standards for ethnicity
data (2023): report detailed groups where numbers allow.
"""

from __future__ import annotations

import csv
import gzip
import logging
import os
import re
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from rhoresearch import config, ethnicity
from rhoresearch.data._engines import _spark_table
from rhoresearch.data._errors import with_evidence
from rhoresearch.data.loading import load
from rhoresearch.data.schemas import dataset_schema
from rhoresearch.exceptions import DataQualityWarning, InputError, SchemaError
from rhoresearch.validation import as_columns

__all__ = [
    "DENOMINATOR_COLUMNS",
    "TOTAL_LABELS",
    "check_denominators",
    "detailed_scheme",
    "financial_year",
    "group_labels",
    "is_aggregate",
    "read_aggregate",
    "read_table",
    "source_columns",
    "to_groups",
]

logger = logging.getLogger(__name__)

#: Names of the value column of a denominator table (``denominator`` is read as ``population``).
DENOMINATOR_COLUMNS = ("population", "denominator")
#: Labels of total rows (compared in lower case): left out of an aggregate table, logged.
TOTAL_LABELS = frozenset(
    {"total", "all", "all ethnic groups", "all ethnicities", "all people", "all persons", "england"}
)
_SPARK = "spark:"
_PERIOD = "financial_year"
_YEAR = re.compile(r"^\s*(?:fy\s*)?(\d{4})\s*(?:/|-|–|to)\s*(\d{2}|\d{4})\s*$", re.IGNORECASE)
_CENSUS_ONLY = {
    "Other ethnic group: Arab",
    "White: Gypsy or Irish Traveller",
    "White: Roma",
}
_UNKNOWN = {ethnicity.NOT_STATED, ethnicity.NOT_KNOWN}
_ANY_SCHEMA = dataset_schema("published table", columns={})


def _row_text(row: object, is_csv: bool) -> str:
    number = int(row)  # type: ignore[call-overload]  # rows are numbered by the reader
    return f"row {number} (line {number + 1})" if is_csv else f"row {number}"


def _error(
    shown: str,
    *,
    column: str,
    rule: str,
    row: object = None,
    value: object = None,
    is_csv: bool = False,
    detail: str = "",
) -> SchemaError:
    """One SchemaError naming the file, column, rule, row and value (also as attributes)."""
    where = "" if row is None else f"; first at {_row_text(row, is_csv)}: {value!r}"
    message = f"{shown}: column {column!r} breaks the rule: {rule}{where}"
    if detail:
        message += f". {detail}"
    return with_evidence(
        SchemaError(message), path=shown, column=column, rule=rule, row=row, value=value
    )


def _is_csv(path: Path) -> bool:
    suffixes = [s.lower() for s in path.suffixes]
    return suffixes[-1:] in ([".csv"], [".tsv"], [".txt"]) or suffixes[-2:] == [".csv", ".gz"]


def _describe(source: object, name: str | None) -> str:
    if name:
        return name
    if isinstance(source, str | os.PathLike) and not str(source).startswith(_SPARK):
        return config.relative_to_root(config.resolve_path(source))
    if isinstance(source, str):
        return source
    return "the DataFrame"


def _renamed(names: Sequence[str], columns: Mapping[str, str] | None) -> list[str]:
    """``names`` with ``columns`` applied (a mapping key absent from ``names`` is ignored)."""
    mapping = dict(columns or {})
    return [mapping.get(str(n), str(n)) for n in names]


def source_columns(source: Any, *, columns: Mapping[str, str] | None = None) -> list[str]:
    """The column names of ``source`` after ``columns`` renaming, from its header or schema only.

    Parameters
    ----------
    source : path, ``"spark:<db.table>"`` or DataFrame
        A CSV (header line read), a Parquet file or folder (schema read), a Spark table (its
        schema) or a DataFrame. Not modified.
    columns : mapping, optional
        Publication name -> standard name; names absent from the source are ignored.

    Returns
    -------
    list of str
        The column names, renamed.

    Raises
    ------
    InputError
        If the file does not exist.

    References
    ----------
    Apache Parquet format: the schema is stored in the file footer.
    """
    if isinstance(source, pd.DataFrame):
        return _renamed([str(c) for c in source.columns], columns)
    if isinstance(source, str) and source.startswith(_SPARK):
        return _renamed(list(_spark_table(source[len(_SPARK) :]).columns), columns)
    path = config.resolve_path(source)
    if path.is_dir():
        files = sorted(path.rglob("*.parquet"))
        if not files:
            raise InputError(f"{_describe(source, None)}: a folder with no Parquet file")
        path = files[0]
    if not path.is_file():
        raise InputError(f"no such data file: {_describe(source, None)}")
    if _is_csv(path):
        opener: Any = gzip.open if path.suffix.lower() == ".gz" else open
        with opener(path, "rt", encoding="utf-8-sig", errors="replace", newline="") as fh:
            sep = "\t" if path.suffix.lower() == ".tsv" else ","
            header = next(csv.reader(fh, delimiter=sep), [])
        return _renamed([h.strip() for h in header], columns)
    return _renamed(list(pq.read_schema(path).names), columns)


def is_aggregate(
    source: Any, *, value: str = "count", columns: Mapping[str, str] | None = None
) -> bool:
    """Whether ``source`` is an aggregate table: it has the ``value`` column after renaming.

    Parameters
    ----------
    source : path, ``"spark:<db.table>"`` or DataFrame
        As for :func:`source_columns` (only the header is read). Not modified.
    value : str, default "count"
        The value column of the standard layout (``"count"``, or ``"population"``, for which a
        ``denominator`` column counts too).
    columns : mapping, optional
        Publication name -> standard name.

    Returns
    -------
    bool

    References
    ----------
    NHS England. Mental Health Act Statistics, Annual Figures (tables of counts by group).
    """
    names = set(source_columns(source, columns=columns))
    wanted = DENOMINATOR_COLUMNS if value in DENOMINATOR_COLUMNS else (value,)
    return any(v in names for v in wanted)


def _read_whole(source: Any, shown: str) -> tuple[pd.DataFrame, bool]:
    """The whole table, CSV values as text, and whether it is a CSV (for line numbers)."""
    if isinstance(source, pd.DataFrame):
        return source, False
    if isinstance(source, str) and source.startswith(_SPARK):
        return _spark_table(source[len(_SPARK) :]).toPandas(), False
    path = config.resolve_path(source)
    if not path.is_file():
        raise InputError(f"no such data file: {shown}")
    return load(path, schema=_ANY_SCHEMA), _is_csv(path)


def _text(values: pd.Series) -> pd.Series:
    return values.astype("str").str.strip().where(values.notna())


def _wanted(values: pd.Series, wanted: object, *, period: bool) -> pd.Series:
    """Whether each value is ``wanted`` (or one of a list of them), as text."""
    wanted_list = list(wanted) if isinstance(wanted, list | tuple | set | frozenset) else [wanted]
    have = _text(values)
    want = pd.Series([str(w).strip() for w in wanted_list], dtype="object")
    if period:
        have = have.map(lambda v: _year_or_none(v) or v)
        want = want.map(lambda v: _year_or_none(v) or v)
    return have.str.casefold().isin(set(want.str.casefold())).fillna(False).astype(bool)


def read_table(
    source: Any,
    *,
    columns: Mapping[str, str] | None = None,
    where: Mapping[str, object] | None = None,
    name: str | None = None,
) -> pd.DataFrame:
    """Read a whole table with ``columns`` renamed and the rows of ``where`` kept.

    Parameters
    ----------
    source : path, ``"spark:<db.table>"`` or DataFrame
        The table (small: it is read whole). Not modified. Files are recorded for the report's
        manifest (:func:`rhoresearch.provenance.record_input`).
    columns : mapping, optional
        Publication name -> standard name; a name absent from the table is ignored.
    where : mapping, optional
        Column -> value (or list of values) to keep; matched as text, ignoring case and the
        padding; financial years in any of their forms. A column absent from the table is
        ignored. Keys may be the publication's names or the standard names.
    name : str, optional
        How the table is named in errors (default: its path).

    Returns
    -------
    DataFrame
        The selected rows, renamed columns, values as read (CSV: text); the index numbers each
        row as in the source (1 = first data row).

    Raises
    ------
    SchemaError
        If ``where`` keeps no row (naming the column and the values it has), or two columns
        get the same name.

    References
    ----------
    NHS England. Mental Health Act Statistics, Annual Figures (long-format tables with a
    measure column).
    """
    shown = _describe(source, name)
    frame, is_csv = _read_whole(source, shown)
    frame = frame.set_axis(pd.RangeIndex(1, len(frame) + 1), axis=0)
    original = [str(c) for c in frame.columns]
    renamed = _renamed(original, columns)
    if len(set(renamed)) < len(renamed):
        twice = sorted({c for c in renamed if renamed.count(c) > 1})
        raise _error(
            shown,
            column=twice[0],
            rule="each column name once (after columns= renaming)",
            detail=f"the columns are {original}, renamed {renamed}",
        )
    frame = frame.set_axis(renamed, axis=1)
    by_original = dict(zip(original, renamed, strict=True))
    for key, wanted in (where or {}).items():
        column = by_original.get(str(key), str(key))
        if column not in frame.columns:
            logger.debug("%s: where=%r ignored (no column %r)", shown, key, key)
            continue
        keep = _wanted(frame[column], wanted, period=column == _PERIOD)
        if not keep.any():
            present = sorted(_text(frame[column]).dropna().unique().tolist())[:20]
            raise _error(
                shown,
                column=column,
                rule=f"where= selects rows with {column} = {wanted!r}",
                detail=f"no row has that value; the column has {present}",
            )
        frame = frame.loc[keep.to_numpy()]
        logger.info("%s: where %s = %r keeps %d row(s)", shown, column, wanted, len(frame))
    return frame


def _year_or_none(value: object) -> str | None:
    """``"2023-24"`` for any accepted form of a financial year, else None."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    match = _YEAR.match(str(value))
    if match is None:
        return None
    start, end = int(match.group(1)), match.group(2)
    second = int(end) if len(end) == 4 else (start // 100) * 100 + int(end)
    if len(end) == 2 and second < start:
        second += 100
    if second != start + 1:
        return None
    return f"{start}-{second % 100:02d}"


def financial_year(values: pd.Series | Sequence[object]) -> pd.Series:
    """Financial years in one form, ``"2023-24"``, whichever way they were written.

    Parameters
    ----------
    values : Series or sequence
        ``"2023/24"``, ``"2023-24"``, ``"2023-2024"``, ``"2023/2024"``, ``"2023 to 2024"`` or
        ``"FY2023-24"`` (any padding and case); missing values stay missing. Not modified.

    Returns
    -------
    Series
        The years as ``"YYYY-YY"`` (object dtype; the index of ``values``).

    Raises
    ------
    InputError
        For a value that is not a financial year (two consecutive years), naming it.

    References
    ----------
    NHS England. Mental Health Act Statistics, Annual Figures ("2023-24"); GOV.UK style guide
    ("2023 to 2024").

    Examples
    --------
    >>> financial_year(["2023/24", "2023-24", "2023-2024", "1999/00"]).tolist()
    ['2023-24', '2023-24', '2023-24', '1999-00']
    """
    series = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype="object")
    out = series.map(_year_or_none).astype("object")
    bad = series.notna() & out.isna()
    if bad.any():
        first = series[bad].iloc[0]
        raise InputError(
            f"financial_year: {first!r} is not a financial year (write it '2023-24', "
            "'2023/24' or '2023-2024')"
        )
    return out.where(series.notna(), None)


def _whole_numbers(values: pd.Series, *, shown: str, column: str, is_csv: bool) -> pd.Series:
    """The values as int64, or the error naming the first that is not a whole number >= 0."""
    text = _text(values)
    number = pd.to_numeric(text.str.replace(r"(?<=\d),(?=\d{3})", "", regex=True), errors="coerce")
    rules = [
        (
            values.isna() | text.eq(""),
            "a count in every row (no blank)",
            "a suppressed or missing cell cannot be analysed: drop the row with where= or fill it",
        ),
        (number.isna(), "counts are numbers", "a suppression symbol or note cannot be analysed"),
        (number < 0, "counts are non-negative (0 or more)", ""),
        (number % 1 != 0, "counts are whole numbers", "rates or rounded estimates are not counts"),
    ]
    for bad, rule, detail in rules:
        if bad.any():
            row = bad[bad].index[0]
            value = values.loc[row]
            raise _error(
                shown, column=column, rule=rule, row=row, value=value, is_csv=is_csv, detail=detail
            )
    return number.astype("int64")


def _quiet_harmonise(values: pd.Series, **options: Any) -> pd.Series:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        return ethnicity.harmonise(values, **options)


def _groups(labels: pd.Series, chinese: str) -> tuple[pd.Series, pd.Series]:
    """Each label's finest group (Census 2021 if it has one, else high level) and high level."""
    high = _quiet_harmonise(labels, to="high_level", errors="not_known", chinese=chinese)
    fine = _quiet_harmonise(labels, to="census2021", errors="not_known", chinese=chinese)
    fine_text = fine.astype("str").where(fine.astype("str") != ethnicity.NOT_KNOWN)
    high_text = high.astype("str")
    return fine_text.fillna(high_text), high_text


def read_aggregate(
    source: Any,
    *,
    value: str = "count",
    strata: str | Sequence[str] | None = None,
    optional_strata: str | Sequence[str] | None = None,
    other_values: str | Sequence[str] | None = None,
    columns: Mapping[str, str] | None = None,
    where: Mapping[str, object] | None = None,
    chinese: str = "asian",
    name: str | None = None,
) -> pd.DataFrame:
    """Read a published or aggregate table of counts or denominators, and check it.

    Parameters
    ----------
    source : path, ``"spark:<db.table>"`` or DataFrame
        The table, long format: one row per ethnic group (and stratum). Not modified.
    value : {"count", "population"}, default "count"
        The value column: events (``count``) or a denominator (``population``; a
        ``denominator`` column is read as it).
    strata : str or list of str, optional
        Stratum columns the table must have (standard names).
    optional_strata : str or list of str, optional
        Stratum columns kept when the table has them (e.g. ``age_band``, ``sex``).
    other_values : str or list of str, optional
        Further count columns kept when the table has them (e.g. ``people``), checked as
        ``value`` is; not strata.
    columns : mapping, optional
        Publication name -> standard name, e.g. ``{"Ethnic group": "ethnic_group"}``.
    where : mapping, optional
        Column -> value (or list) selecting rows, e.g. ``{"Measure": "All detentions"}``.
    chinese : {"asian", "other"}, default "asian"
        Where the publication puts Chinese (NHS England and MBRRACE-UK: ``"other"``), for the
        check that a group total is not mixed with its detailed groups.
    name : str, optional
        How the table is named in errors (default: its path).

    Returns
    -------
    DataFrame
        ``ethnic_group`` (str, as published), the ``strata``, the ``optional_strata`` present,
        ``value`` and the ``other_values`` present (int64); one row per group and stratum, in the source's order.
        ``financial_year`` values are in the form ``"2023-24"``.

    Raises
    ------
    SchemaError
        Naming the file, column, rule, row and value: a required column missing; a count that
        is blank, not a number, negative or not whole; a label that is not an ethnic group; a
        group twice in one stratum (also "Black Caribbean" and "M", the same group); a group
        total beside its detailed groups; a financial year not in a known form.

    Notes
    -----
    Total rows (``ethnic_group`` one of :data:`TOTAL_LABELS`, e.g. "Total") are sums of the
    others: they are left out and logged. "Not stated" and "Not known" rows are kept (the
    notebook counts them as records of unknown ethnicity).

    References
    ----------
    NHS England. Mental Health Act Statistics, Annual Figures. Office for National Statistics.
    Census 2021, TS021 ethnic group.
    """
    func = "read_aggregate"
    required = as_columns(strata, func=func, name="strata")
    optional = as_columns(optional_strata, func=func, name="optional_strata")
    if value not in ("count", "population"):
        raise InputError(f"{func}: value must be 'count' or 'population', got {value!r}")
    shown = _describe(source, name)
    table = read_table(source, columns=columns, where=where, name=shown)
    is_csv = isinstance(source, str | os.PathLike) and not str(source).startswith(_SPARK)
    is_csv = is_csv and _is_csv(config.resolve_path(source))
    if value == "population" and "population" not in table.columns:
        table = table.rename(columns={"denominator": "population"})
    for column in ["ethnic_group", *required, value]:
        if column not in table.columns:
            raise _error(
                shown,
                column=column,
                rule="the column is present (name it with columns=)",
                detail=f"the table has {list(table.columns)}",
            )
    kept = [c for c in dict.fromkeys([*required, *optional]) if c in table.columns]
    labels = _text(table["ethnic_group"])
    total = labels.str.casefold().isin(TOTAL_LABELS).fillna(False).astype(bool)
    if total.any():
        logger.info("%s: %d total row(s) left out (%s)", shown, int(total.sum()), func)
        table, labels = table.loc[~total.to_numpy()], labels.loc[~total.to_numpy()]
    if table.empty:
        raise _error(shown, column="ethnic_group", rule="at least one row of an ethnic group")
    missing = labels.isna() | labels.eq("")
    if missing.any():
        row = missing[missing].index[0]
        raise _error(
            shown,
            column="ethnic_group",
            rule="an ethnic group in every row",
            row=row,
            value=table.loc[row, "ethnic_group"],
            is_csv=is_csv,
        )
    unreadable = ethnicity.unmapped(
        pd.Series(labels.unique(), dtype="object"), to="high_level", chinese=chinese
    )
    if len(unreadable):
        first = next(iter(unreadable))
        row = labels[labels == first].index[0]
        raise _error(
            shown,
            column="ethnic_group",
            rule="every label is an ethnic group (rhoresearch.ethnicity.harmonise reads it)",
            row=row,
            value=first,
            is_csv=is_csv,
            detail="select the rows of ethnic groups with where=, or map the column with columns=",
        )
    counts = _whole_numbers(table[value], shown=shown, column=value, is_csv=is_csv)
    out = pd.DataFrame({"ethnic_group": labels.astype("object")}, index=table.index)
    for column in kept:
        if column == _PERIOD:
            years = table[column].map(_year_or_none)
            bad = table[column].notna() & years.isna()
            if bad.any():
                raise _error(
                    shown,
                    column=column,
                    rule="a financial year ('2023-24', '2023/24' or '2023-2024')",
                    row=bad[bad].index[0],
                    value=table[column][bad].iloc[0],
                    is_csv=is_csv,
                )
            out[column] = years.astype("object")
        else:
            out[column] = table[column]
    out[value] = counts
    for column in as_columns(other_values, func=func, name="other_values"):
        if column in table.columns:
            out[column] = _whole_numbers(table[column], shown=shown, column=column, is_csv=is_csv)
    _check_groups(out, kept, chinese=chinese, shown=shown, is_csv=is_csv)
    logger.info("%s: %d aggregate row(s) read (%s)", shown, len(out), value)
    return out.reset_index(drop=True)


def _check_groups(
    table: pd.DataFrame, strata: list[str], *, chinese: str, shown: str, is_csv: bool
) -> None:
    """One row per group and stratum; no group total beside its detailed groups."""
    fine, high = _groups(table["ethnic_group"], chinese)
    keys = pd.DataFrame({"_group": fine, **{c: _text(table[c]) for c in strata}})
    twice = keys.duplicated(keep=False)
    if twice.any():
        rows = twice[twice].index[:2].tolist()
        stratum = ", ".join(f"{c}={table.loc[rows[0], c]!r}" for c in strata)
        raise _error(
            shown,
            column="ethnic_group",
            rule="one row per group and stratum",
            row=rows[1],
            value=table.loc[rows[1], "ethnic_group"],
            is_csv=is_csv,
            detail=f"{_row_text(rows[0], is_csv)} ({table.loc[rows[0], 'ethnic_group']!r}) and "
            f"{_row_text(rows[1], is_csv)} are the same group {fine.loc[rows[0]]!r}"
            + (f" in the stratum {stratum}" if stratum else "")
            + "; select one with where=",
        )
    is_total = (fine == high) & ~fine.isin(_UNKNOWN)
    if is_total.any() and (~is_total & ~fine.isin(_UNKNOWN)).any():
        totals = keys.assign(_high=high)[is_total.to_numpy()]
        detail = keys.assign(_high=high)[(~is_total & ~fine.isin(_UNKNOWN)).to_numpy()]
        on = ["_high", *strata]
        both = totals.reset_index().merge(detail[on].drop_duplicates(), on=on)
        if not both.empty:
            row = both["index"].iloc[0]
            raise _error(
                shown,
                column="ethnic_group",
                rule="either group totals or detailed groups, not both in one stratum",
                row=row,
                value=table.loc[row, "ethnic_group"],
                is_csv=is_csv,
                detail=f"the table also has detailed groups of {both['_high'].iloc[0]!r}; "
                "select one level with where= (counting both would count people twice)",
            )


def detailed_scheme(*tables: pd.DataFrame) -> str:
    """The detailed scheme every table supports: Census 2021 (19 groups) or NHS (16).

    Parameters
    ----------
    *tables : DataFrame
        Tables with an ``ethnic_group`` column (:func:`read_aggregate` output, or records with
        harmonisable labels). Not modified.

    Returns
    -------
    str
        ``"census2021"`` when every table has a group only Census 2021 distinguishes (Arab,
        Gypsy or Irish Traveller, Roma), else ``"nhs_code"`` (the NHS ETHNIC CATEGORY 16
        groups, into which Census 2021 groups map: Arab to Any other, Gypsy and Roma to Any
        other White).

    References
    ----------
    NHS England. NHS Data Dictionary: ETHNIC CATEGORY. Office for National Statistics. Census
    2021 dictionary: ethnic group (19 categories).
    """
    if not tables:
        raise InputError("detailed_scheme: give at least one table")
    for table in tables:
        labels = pd.Series(pd.unique(table["ethnic_group"].dropna().astype("str")), dtype=object)
        census = _quiet_harmonise(labels, to="census2021", errors="not_known")
        if not census.astype("str").isin(_CENSUS_ONLY).any():
            return "nhs_code"
    return "census2021"


def to_groups(
    table: pd.DataFrame,
    *,
    to: str = "high_level",
    chinese: str = "asian",
    values: str | Sequence[str] | None = None,
    name: str | None = None,
) -> pd.DataFrame:
    """Sum an aggregate table's rows to the groups of one scheme.

    Parameters
    ----------
    table : DataFrame
        :func:`read_aggregate` output (``ethnic_group`` as published). Not modified.
    to : {"high_level", "nhs_code", "census2021"}, default "high_level"
        The scheme (:func:`rhoresearch.ethnicity.harmonise`).
    chinese : {"asian", "other"}, default "asian"
        Where Chinese goes at ``"high_level"`` (NHS England, MBRRACE-UK: ``"other"``).
    values : str or list of str, optional
        The columns summed (default: ``count`` and ``population`` where present); every other
        column is a stratum.
    name : str, optional
        How the table is named in errors.

    Returns
    -------
    DataFrame
        The strata, ``ethnic_group`` (ordered categorical of the scheme's labels, "Not stated"
        and "Not known" included) and the ``values`` summed (int64), one row per observed
        stratum, sorted.

    Raises
    ------
    SchemaError
        If a label has no place in the scheme (a high-level "Black" cannot be a detailed group),
        naming the value.

    References
    ----------
    NHS England. NHS Data Dictionary: ETHNIC CATEGORY. Office for National Statistics. Census
    2021 dictionary: ethnic group.
    """
    summed = as_columns(values, func="to_groups", name="values") or [
        c for c in ("count", "population") if c in table.columns
    ]
    group = group_labels(table, to=to, chinese=chinese, name=name)
    strata = [c for c in table.columns if c not in (*summed, "ethnic_group")]
    frame = table.assign(ethnic_group=group)
    out = frame.groupby([*strata, "ethnic_group"], observed=True, sort=True, dropna=False)[
        summed
    ].sum()
    out = out.reset_index().astype({c: "int64" for c in summed})
    return out[[*strata, "ethnic_group", *summed]]


def group_labels(
    table: pd.DataFrame, *, to: str = "high_level", chinese: str = "asian", name: str | None = None
) -> pd.Series:
    """Each row's ``ethnic_group`` label as a group of one scheme (rows kept, as :func:`to_groups`).

    Returns an ordered categorical of the scheme's labels ("Not stated", "Not known" included),
    aligned with ``table``; raises :class:`~rhoresearch.exceptions.SchemaError` naming the first
    label with no place in the scheme (a high-level "Black" at ``"nhs_code"``) and its row.
    """
    labels = table["ethnic_group"].astype("object")
    unmapped = ethnicity.unmapped(
        pd.Series(pd.unique(labels.dropna()), dtype=object), to=to, chinese=chinese
    )
    if len(unmapped):
        first = next(iter(unmapped))
        row = int(np.flatnonzero((labels == first).to_numpy())[0]) + 1
        raise _error(
            name or "the table",
            column="ethnic_group",
            rule=f"every label has a place in the {to} scheme",
            row=row,
            value=first,
            detail="a high-level group cannot be split into detailed groups: use "
            "grouping='high_level', or a table of detailed groups",
        )
    return _quiet_harmonise(labels, to=to, errors="raise", chinese=chinese)


def check_denominators(
    counts: pd.DataFrame,
    denominators: pd.DataFrame,
    *,
    on: str | Sequence[str] = ("ethnic_group",),
    name: str | None = None,
    denominator_name: str | None = None,
) -> None:
    """Check that every group (and stratum) with counts has a denominator.

    Parameters
    ----------
    counts : DataFrame
        Counts by ``on`` (at the level analysed, e.g. :func:`to_groups` output). Rows of "Not
        stated" and "Not known" need no denominator. Not modified.
    denominators : DataFrame
        Denominators by ``on`` (or by the columns of ``on`` it has). Not modified.
    on : str or list of str, default ("ethnic_group",)
        The columns that must match; those absent from ``denominators`` are not compared (a
        population by group serves every year).
    name, denominator_name : str, optional
        How the two tables are named in the error.

    Raises
    ------
    SchemaError
        Naming the first group (and stratum) with counts and no denominator row, and the groups
        the denominators have.

    References
    ----------
    Office for National Statistics. Census 2021, TS021 ethnic group (usual residents).
    """
    keys = [c for c in as_columns(on, func="check_denominators", name="on")]
    keys = [c for c in keys if c in denominators.columns]
    if "ethnic_group" not in keys:
        raise InputError("check_denominators: both tables need an ethnic_group column")
    have = counts[~counts["ethnic_group"].astype("str").isin(_UNKNOWN)]
    left = have[keys].astype("str").drop_duplicates()
    right = denominators[keys].astype("str").drop_duplicates()
    merged = left.merge(right, on=keys, how="left", indicator=True)
    lost = merged[merged["_merge"] == "left_only"]
    if lost.empty:
        return
    first = lost.iloc[0]
    stratum = ", ".join(f"{c}={first[c]!r}" for c in keys if c != "ethnic_group")
    groups = sorted(denominators["ethnic_group"].astype("str").unique().tolist())
    raise _error(
        name or "the counts",
        column="ethnic_group",
        rule=f"a denominator for every group (in {denominator_name or 'the denominators'})",
        value=first["ethnic_group"],
        detail=f"no population for {first['ethnic_group']!r}"
        + (f" ({stratum})" if stratum else "")
        + f"; the denominators have {groups}",
    )
