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

from collections.abc import Iterable, Mapping, Sequence

import pandera.pandas as pa

from rhoresearch.exceptions import InputError
from rhoresearch.validation import as_columns

__all__ = ["DTYPES", "column", "dataset_schema"]

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


def dataset_schema(
    name: str,
    *,
    columns: Mapping[str, pa.Column | str | Mapping],
    key: str | Sequence[str] | None = None,
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
    if missing:
        raise InputError(f"dataset_schema({name!r}): key column(s) {missing} are not declared")
    return pa.DataFrameSchema(
        built,
        unique=key_columns or None,
        report_duplicates="all",
        strict=strict,
        coerce=True,
        name=name,
        description=description,
    )
