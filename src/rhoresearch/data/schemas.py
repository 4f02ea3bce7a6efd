"""Declaring datasets: one schema per input, its columns, types, allowed values and row key.

A workstream module declares each input dataset once with :func:`dataset_schema` (a thin layer over
pandera's ``DataFrameSchema``, which may also be used directly) built from :func:`column`
declarations; :func:`rhoresearch.data.load` enforces it on a file.

References
----------
pandera: statistical data validation of pandas objects (Bantilan 2020, Proceedings of the 19th
Python in Science Conference). https://pandera.readthedocs.io
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import pandas as pd
import pandera.pandas as pa

from rhoresearch.exceptions import InputError
from rhoresearch.validation import as_columns

__all__ = ["DTYPES", "REFERENCES", "column", "dataset_schema", "describe_check", "row_rule"]

#: The key of a schema's ``metadata`` holding its references to other datasets
#: (``{column: "dataset.column"}``, from ``references=`` of :func:`dataset_schema`).
REFERENCES = "rhoresearch_references"

#: The type names :func:`column` accepts and the pandas dtypes values are converted to (any other
#: pandas dtype name is used as it is).
DTYPES: dict[str, str] = {
    "str": "str",
    "string": "str",
    "int": "Int64",
    "integer": "Int64",
    "float": "float64",
    "number": "float64",
    "bool": "boolean",
    "boolean": "boolean",
    "date": "datetime64[ns]",
    "datetime": "datetime64[ns]",
}


def column(
    dtype: str = "str",
    *,
    nullable: bool = False,
    allowed: Iterable | None = None,
    min: float | None = None,
    max: float | None = None,
    unique: bool = False,
    required: bool = True,
    checks: Sequence[pa.Check] = (),
    description: str | None = None,
) -> pa.Column:
    """Declare one column of a dataset (a pandera ``Column`` with readable defaults).

    Parameters
    ----------
    dtype : {"str", "int", "float", "bool", "date"} or a pandas dtype name, default "str"
        The type values are converted to on loading. ``"int"`` is pandas' nullable ``Int64``
        (so a missing count is ``<NA>``, not a float), ``"float"`` is ``float64``, ``"bool"`` is
        ``boolean`` (true/false, yes/no, 1/0, any case), ``"date"`` is ``datetime64[ns]`` read
        from ISO 8601 (``2024-03-31``, with or without a time) or UK ``DD/MM/YYYY``; nothing else
        is guessed at (``03/04/2024`` is 3 April).
    nullable : bool, default False
        Whether blank cells are allowed.
    allowed : iterable, optional
        The allowed values (e.g. codes); anything else is an error naming the value.
    min, max : number, optional
        Inclusive bounds (e.g. ``min=0`` for counts).
    unique : bool, default False
        Whether each value may occur once only (for a multi-column key use ``key=`` of
        :func:`dataset_schema`).
    required : bool, default True
        Whether the column must be present.
    checks : sequence of pandera.Check
        Further checks.
    description : str, optional
        What the column holds (shown in error messages' schema name and in documentation).

    Returns
    -------
    pandera.Column
        With ``coerce=True``: values are converted to ``dtype`` and a value that cannot be is an
        error naming it.
    """
    all_checks = list(checks)
    if allowed is not None:
        all_checks.append(pa.Check.isin(list(allowed)))
    if min is not None and max is not None:
        all_checks.append(pa.Check.in_range(min, max))
    elif min is not None:
        all_checks.append(pa.Check.ge(min))
    elif max is not None:
        all_checks.append(pa.Check.le(max))
    return pa.Column(
        DTYPES.get(dtype, dtype),
        checks=all_checks,
        nullable=nullable,
        unique=unique,
        required=required,
        coerce=True,
        description=description,
    )


def row_rule(rule: Callable[[Any], Any], *, description: str, columns: Sequence[str]) -> pa.Check:
    """Declare a rule over several columns of a row, enforced by pandas and by every engine.

    Parameters
    ----------
    rule : callable
        A function of the table returning, per row, True when the row is valid, written with
        operators that pandas and Ibis share, e.g. ``lambda d: d["count"] <= d["total"]`` or
        ``lambda d: ~(d["stillbirth"] & d["neonatal_death"])``. It receives the pandas frame
        (:func:`rhoresearch.data.load`) or the Ibis table (:mod:`rhoresearch.data.rules`), its
        columns converted to their declared types; a missing result counts as valid (the
        columns' own nullability is checked apart).
    description : str
        The rule in words, as error messages name it (e.g. ``"count <= total"``).
    columns : sequence of str
        The columns the rule reads (shown for a failing row).

    Returns
    -------
    pandera.Check
        A dataframe-level check, for ``rules=`` of :func:`dataset_schema`.
    """

    def valid(frame: Any) -> Any:
        out = rule(frame)
        return out.fillna(True) if isinstance(out, pd.Series | pd.DataFrame) else out

    return pa.Check(
        valid, name=description, error=description, statistics={"columns": list(columns)}
    )


def describe_check(check: pa.Check | str) -> str:
    """A check in words (``"between 0 and 100"``, ``"one of [1, 2]"``, ``">= 1"``).

    Takes a pandera check or the text pandera reports for it (its ``error``).
    """
    text = str(check.error or check.name) if isinstance(check, pa.Check) else str(check)
    replacements = {
        "greater_than_or_equal_to": ">= ",
        "less_than_or_equal_to": "<= ",
        "greater_than": "> ",
        "less_than": "< ",
        "not_equal_to": "!= ",
        "equal_to": "== ",
    }
    if text == "not_nullable":
        return "a value (blank not allowed)"
    if text == "column_in_dataframe":
        return "the column to be present"
    if text == "field_uniqueness":
        return "each value once only"
    if text.startswith("isin("):
        allowed = text[len("isin(") : -1]
        if len(allowed) > 200:
            allowed = allowed[:200] + "...]"
        return f"one of {allowed}"
    if text.startswith("in_range("):
        lo, hi = text[len("in_range(") : -1].split(",", 1)
        return f"between {lo.strip()} and {hi.strip()}"
    if text.startswith("str_matches("):
        return f"text matching {text[len('str_matches(') : -1]}"
    if text.startswith(("dtype(", "coerce_dtype(")):
        return f"type {text.split('(', 1)[1].rstrip(')')}"
    for key, symbol in replacements.items():
        if text.startswith(key + "("):
            return f"{symbol}{text[len(key) + 1 : -1]}"
    return text


def dataset_schema(
    name: str,
    *,
    columns: Mapping[str, pa.Column | str | Mapping],
    key: str | Sequence[str] | None = None,
    rules: Sequence[pa.Check] = (),
    references: Mapping[str, str] | None = None,
    strict: bool = False,
    description: str | None = None,
) -> pa.DataFrameSchema:
    """Declare a dataset: its columns and the columns that identify a row.

    Parameters
    ----------
    name : str
        The dataset's name (used in error messages, e.g. ``"maternity_births"``).
    columns : mapping
        ``column name -> spec`` where a spec is a :func:`column` (or any pandera ``Column``), a
        dtype string (``"int"``: shorthand for ``column("int")``) or a dict of :func:`column`
        keyword arguments.
    key : str or sequence of str, optional
        The column(s) whose combination must be unique (one row per stratum); duplicates are an
        error naming the rows and the key values.
    rules : sequence of pandera.Check
        Rules over several columns of a row (:func:`row_rule`), enforced on pandas and in the
        engines alike.
    references : dict, optional
        ``{column: "dataset.column"}``: every value of ``column`` must be a value of the
        column of another dataset (e.g. ``{"maternity_id": "maternities.maternity_id"}`` for
        births); checked by :func:`rhoresearch.data.rules.validate_source` when that dataset
        is given (``references={"maternities": source}``).
    strict : bool, default False
        Whether columns not declared are an error (default: they are kept).
    description : str, optional
        What the dataset is.

    Returns
    -------
    pandera.DataFrameSchema
        For :func:`~rhoresearch.data.load` (or ``schema.validate``).
    """
    built = {}
    for col_name, spec in columns.items():
        if isinstance(spec, pa.Column):
            built[col_name] = spec
        elif isinstance(spec, str):
            built[col_name] = column(spec)
        elif isinstance(spec, Mapping):
            built[col_name] = column(**spec)
        else:
            raise InputError(
                f"dataset_schema({name!r}): column {col_name!r} has spec {spec!r}; expected "
                "column(...), a dtype string or a dict of column() arguments"
            )
    key_columns = as_columns(key, func=f"dataset_schema({name!r})", name="key")
    missing = [k for k in key_columns if k not in built]
    missing += [k for k in (references or {}) if k not in built]
    if missing:
        raise InputError(
            f"dataset_schema({name!r}): key or reference column(s) {missing} are not declared"
        )
    bad = [v for v in (references or {}).values() if len(str(v).split(".")) != 2]
    if bad:
        raise InputError(
            f"dataset_schema({name!r}): references must be 'dataset.column'; got {bad}"
        )
    return pa.DataFrameSchema(
        built,
        checks=list(rules),
        metadata={REFERENCES: dict(references or {})},
        unique=key_columns or None,
        report_duplicates="all",
        strict=strict,
        coerce=True,
        name=name,
        description=description,
    )
