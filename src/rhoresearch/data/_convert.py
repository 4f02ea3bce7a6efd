"""Converting a dataset's columns to their declared types inside the engine (Ibis), with the flag
of each value that does not convert: the first step of :mod:`rhoresearch.data.rules`.

Text is read as the declared type the way :func:`rhoresearch.data.load` reads it on pandas: whole
numbers (up to 1e15), numbers, booleans (true/false, yes/no, 1/0, any case) and ISO dates; a blank
cell is missing, not a failure.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir
import pandera.pandas as pa

__all__ = ["Converted", "convert"]

_TRUE = ("true", "t", "yes", "y", "1")
_FALSE = ("false", "f", "no", "n", "0")
#: The largest integer accepted from text (beyond it a float cannot hold every whole number).
_MAX_INT = 1e15

# ---------------------------------------------------------------------------------------------
# Conversion: each declared column to its declared type, and the flag of a value that does not
# ---------------------------------------------------------------------------------------------


def _kind(dtype: object) -> str:
    text = str(dtype).lower()
    for key, kind in (("int", "integer"), ("float", "number"), ("bool", "boolean")):
        if key in text:
            return kind
    if "datetime" in text or text == "date":
        return "date"
    return "text"


def _blank(col: ir.Value) -> ir.BooleanValue:
    if col.type().is_string():
        return col.isnull() | (col.strip() == "")
    return col.isnull()


def _convert_one(col: ir.Value, kind: str) -> tuple[ir.Value, ir.BooleanValue | None, str]:
    """(converted value, flag of a value that does not convert or None, expected type)."""
    dt = col.type()
    if kind == "integer":
        expected = "an integer"
        if dt.is_integer():
            return col, None, expected
        if dt.is_boolean():
            return col.cast("int64"), None, expected
        f = (col.strip() if dt.is_string() else col).try_cast("float64")
        bad = ~_blank(col) & (f.isnull() | (f != f.floor()) | (f.abs() > _MAX_INT))
        return f.try_cast("int64"), bad, expected
    if kind == "number":
        expected = "a number"
        if dt.is_floating():
            return col, None, expected
        if dt.is_numeric() or dt.is_boolean():
            return col.cast("float64"), None, expected
        f = (col.strip() if dt.is_string() else col).try_cast("float64")
        return f, ~_blank(col) & f.isnull(), expected
    if kind == "boolean":
        expected = "true/false (or yes/no, 1/0)"
        if dt.is_boolean():
            return col, None, expected
        s = col.cast("string").strip().lower()
        value = ibis.cases((s.isin(_TRUE), True), (s.isin(_FALSE), False), else_=ibis.null())
        value = value.cast("boolean")
        return value, ~_blank(col) & value.isnull(), expected
    if kind == "date":
        expected = "a date (YYYY-MM-DD)"
        if dt.is_temporal():
            return col, None, expected
        v = col.cast("string").strip().try_cast("timestamp")
        return v, ~_blank(col) & v.isnull(), expected
    if dt.is_string():
        return col, None, "text"
    return col.cast("string"), None, "text"


def _missing(v: ir.Value) -> ir.BooleanValue:
    """Missing as pandas reads it: null, an empty text, a float NaN."""
    dt = v.type()
    if dt.is_string():
        return v.isnull() | (v == "")
    if dt.is_floating():
        return v.isnull() | v.isnan()
    return v.isnull()


class Converted:
    """The columns of a table converted to their declared types, as expressions on the table.

    ``view[name]`` (or ``view.name``) is the converted value of a declared column (other columns
    as they are), ``view[type_flag(name)]`` the flag of a value that does not convert: the
    rules' flags are then expressions on the table itself, added by one ``mutate`` without a
    projection of converted columns (so that the engine still reads only the columns needed).
    """

    def __init__(self, t: ir.Table, schema: pa.DataFrameSchema):
        self.table = t
        self._parts: dict[str, tuple[ir.Value, ir.BooleanValue | None]] = {}
        for name, col in schema.columns.items():
            if name in t.columns:
                value, bad, _ = _convert_one(t[name], _kind(col.dtype))
                self._parts[name] = (value, bad)

    def __getitem__(self, name: str) -> ir.Value:
        if name.startswith(_TYPE_PREFIX) and name[len(_TYPE_PREFIX) :] in self._parts:
            bad = self._parts[name[len(_TYPE_PREFIX) :]][1]
            return bad if bad is not None else ibis.literal(False)
        if name in self._parts:
            return self._parts[name][0]
        return self.table[name]

    def __getattr__(self, name: str) -> ir.Value:
        if name.startswith("_"):
            raise AttributeError(name)
        return self[name]


def convert(t: ir.Table, schema: pa.DataFrameSchema) -> ir.Table:
    """The table with each declared column converted (one projection; for the separate checks)."""
    view = Converted(t, schema)
    return t.mutate(**{name: view[name] for name in schema.columns if name in t.columns})


_TYPE_PREFIX = "_rho_type_"


def _type_flag(name: str) -> str:
    return f"{_TYPE_PREFIX}{name}"
