"""A dataset's declared rules enforced inside the engine (DuckDB, Spark), without loading records.

The one declaration of a dataset is its schema (:func:`rhoresearch.data.dataset_schema`, a pandera
``DataFrameSchema``): :func:`rhoresearch.data.load` enforces it with pandera on pandas;
:func:`validate_source` enforces the **same object** on a Parquet or CSV file read by DuckDB, a
Spark table, a pandas frame or an Ibis table, by compiling it to Ibis expressions
(:func:`compile_rules`): the declared type (values that do not convert), nullability, allowed
values, bounds, text patterns, column uniqueness, the row key, the rules over several columns
(``rules=`` of ``dataset_schema``: a function of the table that both pandas and Ibis evaluate) and
the references to another dataset (``references=``: a birth's maternity among the maternities).

Why not ``pandera.ibis``: pandera 0.35 validates an Ibis table with one query per check and per
column (14 jobs on Spark for a 3-column schema, 47 s on a 4-row table), checks the storage type
without converting (every column of a CSV read as text fails), materialises every failing row in
pandas, gives no row numbers, and has no reference between datasets. Here every row rule is one
boolean column of a **single aggregate query** (one scan; a column key adds one grouped query),
and the first rows of a broken rule are located only when there is one (a re-read of the file
with row numbers, as :mod:`rhoresearch.data._checks` does for the aggregation).

The error is :class:`~rhoresearch.exceptions.SchemaError` worded by
:func:`rhoresearch.data._errors.schema_message`: its first line names the first problem in full
(column, rule, failing rows, the first row numbers and values); ``error.failures`` lists every
problem (``column``, ``expected``, ``n_rows``, ``row``, ``value``).

References
----------
pandera: statistical data validation of pandas objects (Bantilan 2020, Proceedings of the 19th
Python in Science Conference), https://pandera.readthedocs.io. Ibis project, https://ibis-project.org.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, NoReturn

import ibis
import ibis.expr.types as ir
import pandas as pd
import pandera.pandas as pa

from rhoresearch.data._checks import locate_many, row_label
from rhoresearch.data._convert import (
    Converted,
    _convert_one,
    _kind,
    _missing,
    _type_flag,
    convert,
)
from rhoresearch.data._engines import (
    Declared,
    Source,
    engine_errors,
    open_source,
    record_inputs,
)
from rhoresearch.data._errors import MAX_ROWS_SHOWN, Problem, schema_message, with_evidence
from rhoresearch.data.schemas import REFERENCES, describe_check
from rhoresearch.exceptions import InputError, SchemaError

__all__ = [
    "ANY_BROKEN",
    "Declared",
    "Enforcement",
    "Rule",
    "compile_rules",
    "convert",
    "declared",
    "validate_source",
]

logger = logging.getLogger(__name__)


#: A function of the converted table (a :class:`Converted` view) giving, per row, True where the
#: rule is broken.
Flag = Callable[[Any], ir.BooleanValue]


@dataclass(frozen=True)
class Rule:
    """One declared rule as Ibis: what it is about, its wording, and the flag of a failing row.

    ``flag`` takes the *converted* table (:func:`convert`) and returns a boolean per row (True:
    the row breaks the rule; null counts as not broken). ``kind`` is ``"type"``, ``"nullable"``,
    ``"check"``, ``"unique"``, ``"key"``, ``"rule"`` (over several columns) or ``"reference"``.
    """

    column: str | None
    rule: str
    kind: str
    flag: Flag
    columns: tuple[str, ...] = ()  # the columns shown for a failing row

    @property
    def subject(self) -> str:
        if self.kind == "key":
            return f"key {list(self.columns)}"
        if self.column is None:
            return f"columns {list(self.columns)}"
        return f"column {self.column!r}"


# ---------------------------------------------------------------------------------------------
# Compiling the declaration
# ---------------------------------------------------------------------------------------------


def _check_flag(check: pa.Check, name: str) -> Flag:
    """The failing-row flag of one pandera check of column ``name`` (nulls are not checked)."""
    stats = dict(check.statistics or {})
    kind = check.name

    def flag(t: ir.Table) -> ir.BooleanValue:
        v = t[name]
        if kind == "isin":
            ok = v.isin(list(stats["allowed_values"]))
        elif kind == "notin":
            ok = ~v.isin(list(stats["forbidden_values"]))
        elif kind == "in_range":
            lo, hi = stats["min_value"], stats["max_value"]
            ok = (v >= lo if stats.get("include_min", True) else v > lo) & (
                v <= hi if stats.get("include_max", True) else v < hi
            )
        elif kind == "greater_than_or_equal_to":
            ok = v >= stats["min_value"]
        elif kind == "greater_than":
            ok = v > stats["min_value"]
        elif kind == "less_than_or_equal_to":
            ok = v <= stats["max_value"]
        elif kind == "less_than":
            ok = v < stats["max_value"]
        elif kind == "equal_to":
            ok = v == stats["value"]
        elif kind == "not_equal_to":
            ok = v != stats["value"]
        elif kind == "str_matches":
            ok = v.re_search(f"^(?:{stats['pattern']})")
        elif kind == "str_contains":
            ok = v.re_search(str(stats["pattern"]))
        elif kind == "str_startswith":
            ok = v.startswith(str(stats["string"]))
        elif kind == "str_endswith":
            ok = v.endswith(str(stats["string"]))
        elif kind == "str_length":
            n = v.length()
            lo, hi = stats.get("min_value"), stats.get("max_value")
            ok = ibis.literal(True)
            if lo is not None:
                ok = ok & (n >= lo)
            if hi is not None:
                ok = ok & (n <= hi)
        else:  # a custom check: its function, if it is written so that Ibis can run it
            ok = _custom(check, v, what=f"column {name!r}")
        return ~_missing(v) & ~ok.fill_null(True)

    return flag


def _custom(check: pa.Check, obj: Any, *, what: str) -> ir.BooleanValue:
    fn = check._check_fn
    try:
        out = fn(obj, **(check._check_kwargs or {}))
    except Exception as exc:
        raise InputError(
            f"the check {describe_check(check)!r} of {what} cannot run inside a database engine "
            f"({type(exc).__name__}: {exc}); write it with operators that pandas and Ibis share "
            "(e.g. lambda d: d['count'] <= d['total'])"
        ) from exc
    if not isinstance(out, ir.BooleanValue):
        raise InputError(
            f"the check {describe_check(check)!r} of {what} returned {type(out).__name__} on an "
            "Ibis table, not a boolean per row; it cannot run inside a database engine"
        )
    return out


def _type_rule(name: str) -> Flag:
    def flag(t: Any) -> ir.BooleanValue:
        return t[_type_flag(name)]

    return flag


def _nullable_rule(name: str) -> Flag:
    def flag(t: Any) -> ir.BooleanValue:
        return _missing(t[name]) & ~t[_type_flag(name)]

    return flag


def compile_rules(schema: pa.DataFrameSchema) -> list[Rule]:
    """Every rule of ``schema`` as Ibis flags, in the order the declaration lists them.

    Per column (in declared order): its type, its nullability, its checks, its uniqueness; then
    the row key, the rules over several columns and the references to other datasets.

    Raises
    ------
    InputError
        A custom check that cannot run on an Ibis table (see ``rules=`` of
        :func:`rhoresearch.data.dataset_schema`).
    """
    rules: list[Rule] = []
    for name, col in schema.columns.items():
        kind = _kind(col.dtype)
        _, _, expected = _convert_one(ibis.literal("", type="string"), kind)
        if kind != "text":
            rules.append(Rule(name, expected, "type", _type_rule(name), (name,)))
        if not col.nullable:
            rules.append(
                Rule(
                    name,
                    "a value (blank not allowed)",
                    "nullable",
                    _nullable_rule(name),
                    (name,),
                )
            )
        for check in col.checks:
            rules.append(
                Rule(name, describe_check(check), "check", _check_flag(check, name), (name,))
            )
        if col.unique:
            rules.append(Rule(name, "each value once only", "unique", _duplicated([name]), (name,)))
    key = list(schema.unique or [])
    if key:
        rules.append(Rule(None, "one row per key", "key", _duplicated(key), tuple(key)))
    for check in schema.checks:
        wording = describe_check(check)
        columns = tuple(check.statistics.get("columns", ())) if check.statistics else ()

        def flag(t: ir.Table, c: pa.Check = check, w: str = wording) -> ir.BooleanValue:
            return ~_custom(c, t, what=f"rule {w!r}").fill_null(True)

        rules.append(Rule(None, wording, "rule", flag, columns))
    return rules


def _duplicated(columns: list[str]) -> Flag:
    """Flag of the rows whose value (or key) occurs more than once (a window: failure path only)."""

    def flag(t: ir.Table) -> ir.BooleanValue:
        window = ibis.window(group_by=[t[c] for c in columns])
        one = t[columns[0]].isnull().ifelse(1, 1)
        duplicated = one.sum().over(window) > 1
        if len(columns) == 1:  # a unique column: missing values are not duplicates
            duplicated = duplicated & t[columns[0]].notnull()
        return duplicated

    return flag


# ---------------------------------------------------------------------------------------------
# Validating a source
# ---------------------------------------------------------------------------------------------


def _reference_rules(
    schema: pa.DataFrameSchema, references: Mapping[str, Source]
) -> list[tuple[Rule, str, str]]:
    """(rule, dataset, column) for each declared reference whose dataset was given."""
    out = []
    declared = (schema.metadata or {}).get(REFERENCES, {})
    for column, target in declared.items():
        dataset, _, other_column = str(target).partition(".")
        if dataset not in references:
            logger.info(
                "%s: reference %s -> %s not checked (not given)", schema.name, column, target
            )
            continue
        wording = f"a value of {dataset}.{other_column} (every {column} is in {dataset})"
        out.append(
            (
                Rule(column, wording, "reference", lambda t: ibis.literal(False), (column,)),
                dataset,
                other_column,
            )
        )
    return out


def declared(
    source: Any, *, schema: pa.DataFrameSchema, references: Mapping[str, Any] | None = None
) -> Declared:
    """Mark ``source`` with the schema its records must satisfy, for the engines that read it.

    :func:`rhoresearch.data.aggregate.stratified_counts` given the result enforces every rule
    of ``schema`` in its own pass over the records (the row rules are flag columns summed in the
    same grouped query; unique columns, the key and references add one small query each), and
    raises the error :func:`validate_source` would raise before returning any count.

    Parameters
    ----------
    source : path, ``"spark:<db.table>"``, pandas.DataFrame, ibis Table or pyspark.sql.DataFrame
        As for :func:`rhoresearch.data.aggregate.stratified_counts`. Not modified.
    schema : pandera.DataFrameSchema
        The dataset's declaration (:func:`rhoresearch.data.dataset_schema`).
    references : dict, optional
        As for :func:`validate_source`.

    Returns
    -------
    Declared
        The source and its schema (``source``, ``schema``, ``references``).
    """
    if not isinstance(schema, pa.DataFrameSchema):
        raise InputError(
            f"declared: schema must be a pandera DataFrameSchema (see data.dataset_schema), "
            f"not {type(schema).__name__}"
        )
    return Declared(source, schema, dict(references or {}))


def validate_source(
    source: Any,
    *,
    schema: pa.DataFrameSchema,
    references: Mapping[str, Any] | None = None,
    connection: Any = None,
) -> int:
    """Enforce a declared schema on records where they are (DuckDB, Spark), in one scan.

    Parameters
    ----------
    source : path, ``"spark:<db.table>"``, pandas.DataFrame, ibis Table or pyspark.sql.DataFrame
        The records, as for :func:`rhoresearch.data.aggregate.stratified_counts`. Not modified.
    schema : pandera.DataFrameSchema
        The dataset's declaration (:func:`rhoresearch.data.dataset_schema`).
    references : dict, optional
        ``{dataset name: source}``: the datasets that the schema's ``references=`` point at
        (e.g. ``{"maternities": "maternities.parquet"}`` for births); references to datasets not
        given are not checked (logged).
    connection : ibis backend, optional
        The engine (default: a new DuckDB connection for a file or frame).

    Returns
    -------
    int
        The number of rows checked.

    Raises
    ------
    SchemaError
        A declared column is missing, or rows break a declared rule: the first line names the
        file, the first problem's column, rule, number of failing rows, first row numbers and
        values; the next lines list every problem. ``error.path``, ``error.column``,
        ``error.row``, ``error.value`` (the first problem) and ``error.failures`` (a frame:
        ``column``, ``expected``, ``n_rows``, ``row``, ``value``; the first few rows of each
        problem) carry the same evidence.
    InputError
        ``schema`` is not a pandera schema, or a custom check cannot run on an Ibis table.

    Notes
    -----
    One aggregate query sums a flag per rule (and counts distinct values of each unique
    column); a multi-column key adds one grouped query and each reference one anti-join. Only
    when a rule is broken are its first rows located: a file or frame is re-read with row
    numbers (1 = first data row; CSV: line = row + 1); a Spark or Ibis table has no row order,
    so its values are shown without row numbers.

    References
    ----------
    pandera (Bantilan 2020), https://pandera.readthedocs.io; Ibis, https://ibis-project.org.
    """
    if not isinstance(schema, pa.DataFrameSchema):
        raise InputError(
            f"validate_source: schema must be a pandera DataFrameSchema (see "
            f"data.dataset_schema), not {type(schema).__name__}"
        )
    src = open_source(source, connection=connection, checked_columns=list(schema.columns))
    opened = [src]
    try:
        if src.path is not None:
            record_inputs(src.path)
        others = {
            name: open_source(other, connection=src.backend, checked_columns=[])
            for name, other in (references or {}).items()
        }
        opened += list(others.values())
        return _validate(src, schema, others)
    finally:
        for s in opened:
            for fn in s.cleanup:
                try:
                    fn()
                except Exception:  # best-effort clean-up of a temporary view
                    logger.debug("could not drop a temporary view", exc_info=True)


#: The flag column :meth:`Enforcement.flag_table` adds: the row breaks a row rule.
ANY_BROKEN = "_rho_rule_broken"
#: The prefix of the counts of :meth:`Enforcement.filter_counts` (then the rule's number).
_FILTER = "_rho_filter_"


class Enforcement:
    """The rules of one schema on one opened source, and the queries that enforce them.

    The row rules (type, nullability, checks, rules over several columns) are flag columns that
    any query can sum (:meth:`flag_table`): :func:`validate_source` sums them on their own, and
    :func:`rhoresearch.data.aggregate.stratified_counts` in its own grouped pass (no second scan).
    :meth:`finish` runs what needs a query of its own (unique columns, the row key, references),
    locates the first rows of every broken rule and raises one error.
    """

    def __init__(self, src: Source, schema: pa.DataFrameSchema, others: Mapping[str, Source]):
        self.src = src
        self.name = schema.name or "the declared schema"
        self.schema = schema
        self.others = others
        t = src.table
        missing = [c for c, col in schema.columns.items() if col.required and c not in t.columns]
        if missing:
            problem = Problem(
                f"missing column(s) {missing}",
                f"every declared column present (the source has {len(t.columns)} column(s): "
                f"{list(t.columns)})",
                None,
            )
            self._raise([problem], [(str(missing[0]), problem.rule, None, None, None)])
        if schema.strict:
            extra = [c for c in t.columns if c not in schema.columns]
            if extra:
                problem = Problem(
                    f"unexpected extra column(s) {extra}", "declared (the schema is strict)", None
                )
                self._raise([problem], [(str(extra[0]), problem.rule, None, None, None)])
        present = schema.select_columns([c for c in schema.columns if c in t.columns])
        present.checks = schema.checks
        present.unique = schema.unique if set(schema.unique or []) <= set(t.columns) else None
        self.present = present
        self.rules = compile_rules(present)
        self.refs = _reference_rules(schema, others)
        self.row_rules = [i for i, r in enumerate(self.rules) if r.kind not in ("unique", "key")]

    @property
    def by_filters(self) -> bool:
        """Whether the row rules are counted by filters of their own (DuckDB on Parquet or frames).

        DuckDB pushes a simple filter into the Parquet scan (dictionary pages, min/max
        statistics): one filtered count per rule costs a few milliseconds per 10 million rows,
        where a flag column in the counting pass costs a decoded value per row. A CSV (every
        query re-parses the file) and Spark (every query is a job) get the flag column instead.
        """
        return getattr(self.src.backend, "name", "") == "duckdb" and self.src.kind != "csv"

    def filter_counts(self) -> dict[str, int]:
        """The rows breaking each row rule, one filtered count each, in one query (see above)."""
        t = self.src.table
        view = Converted(t, self.present)
        parts = []
        for i in self.row_rules:
            flag = self.rules[i].flag(view)
            if isinstance(flag, ir.Column):
                bad = t.filter(flag.fill_null(False))
                parts.append(bad.aggregate(k=ibis.literal(i), n=bad.count()))
        if not parts:
            return {}
        union = parts[0] if len(parts) == 1 else ibis.union(*parts)
        file_label = self.src.label if self.src.kind == "parquet" else None
        with engine_errors(file_label):
            got = self.src.backend.execute(union)
        return {f"{_FILTER}{int(k)}": _int(n) for k, n in zip(got["k"], got["n"], strict=True)}

    def flag_table(self, t: ir.Table) -> tuple[ir.Table, list[str]]:
        """``t`` with one boolean column, True on a row that breaks a row rule, and its name.

        One flag for all the row rules keeps the pass cheap; which rules are broken is worked
        out (by :meth:`finish`) only when a row is flagged.
        """
        view = Converted(t, self.present)
        flags = [self.rules[i].flag(view).fill_null(False) for i in self.row_rules]
        any_broken: ir.BooleanValue = ibis.literal(False)
        for f in flags:
            any_broken = any_broken | f
        return t.mutate(**{ANY_BROKEN: any_broken}), [ANY_BROKEN]

    def finish(self, row_counts: Mapping[str, int]) -> None:
        """Run the checks of their own (unique, key, references); raise if any rule is broken.

        ``row_counts``: the number of rows flagged by each column of :meth:`flag_table`.
        """
        src = self.src
        ct = convert(src.table, self.present)
        file_label = src.label if src.kind in ("parquet", "csv") else None
        n_bad = {
            int(k[len(_FILTER) :]): n for k, n in row_counts.items() if k.startswith(_FILTER) and n
        }
        with engine_errors(file_label):
            if any(row_counts.get(f, 0) for f in [ANY_BROKEN]):  # which rules, how many rows
                view = Converted(src.table, self.present)
                flags = {f"_rho_n{i}": self.rules[i].flag(view) for i in self.row_rules}
                sums = {
                    k: f.fill_null(False).cast("int64").sum()
                    for k, f in flags.items()
                    if isinstance(f, ir.Column)
                }
                got = src.backend.execute(src.table.aggregate(**sums)).iloc[0]
                n_bad = {i: _int(got.get(f"_rho_n{i}")) for i in self.row_rules}
                n_bad = {i: n for i, n in n_bad.items() if n}
            for i, rule in enumerate(self.rules):
                if rule.kind == "unique" and _n_duplicates(src, ct, str(rule.column)):
                    n_bad[i] = -1  # counted when the rows are located
                elif rule.kind == "key":
                    dup = ct.group_by(list(rule.columns)).aggregate(_rho_k=ct.count())
                    dup = dup.filter(dup._rho_k > 1)
                    n = src.backend.execute(dup.aggregate(_rho_s=dup._rho_k.sum()))
                    if _int(n["_rho_s"].iloc[0]):
                        n_bad[i] = _int(n["_rho_s"].iloc[0])
            ref_bad: dict[int, int] = {}
            for j, (rule, dataset, other_column) in enumerate(self.refs):
                other = self.others[dataset]
                if other_column not in other.table.columns:
                    raise SchemaError(
                        f"{other.label}: column {other_column!r} not found (the schema "
                        f"{self.name!r} says {rule.column!r} refers to {dataset}.{other_column})"
                    )
                column = str(rule.column)
                n = int(src.backend.execute(_orphans(ct, column, other, self.schema).count()))
                if n:
                    ref_bad[j] = n
        if not n_bad and not ref_bad:
            logger.info("%s matches schema %r", src.label, self.name)
            return
        # which rows: every broken rule's flag on one re-read of the source (row numbers)
        located_flags: dict[str, Flag] = {f"_rho_f{i}": self.rules[i].flag for i in sorted(n_bad)}
        shown: dict[str, list[str]] = {f"_rho_f{i}": list(self.rules[i].columns) for i in n_bad}
        for j in ref_bad:
            rule, dataset, _ = self.refs[j]
            column = str(rule.column)
            # the missing values are found here (the other dataset is on this engine), their
            # first rows on the re-read
            orphans = _orphans(ct, column, self.others[dataset], self.schema)
            values = src.backend.execute(orphans.select(column).distinct().limit(50))[column]
            wanted = [v.item() if hasattr(v, "item") else v for v in values]
            located_flags[f"_rho_r{j}"] = _isin_flag(column, wanted)
            shown[f"_rho_r{j}"] = list(rule.columns)
        present = self.present

        def build(t: ir.Table) -> ir.Table:
            view = Converted(t, present)
            return t.mutate(**{k: flag(view) for k, flag in located_flags.items()})

        located = locate_many(src, build, shown)
        problems: list[Problem] = []
        failures: list[tuple] = []
        for i in sorted(n_bad):
            rows = located[f"_rho_f{i}"]
            count = rows.n_bad if n_bad[i] < 0 else n_bad[i]
            _add(problems, failures, src, self.rules[i], count, rows.rows)
        for j, n in ref_bad.items():
            _add(problems, failures, src, self.refs[j][0], n, located[f"_rho_r{j}"].rows)
        self._raise(problems, failures)

    def _raise(self, problems: list[Problem], failures: list[tuple]) -> NoReturn:
        _raise(self.src, self.name, problems, failures)


def _validate(src: Source, schema: pa.DataFrameSchema, others: Mapping[str, Source]) -> int:
    enforcement = Enforcement(src, schema, others)
    if enforcement.by_filters:
        enforcement.finish(enforcement.filter_counts())
        return _int(src.backend.execute(src.table.count()))
    t, flags = enforcement.flag_table(src.table)
    metrics: dict[str, ir.Value] = {"_rho_n": t.count()}
    metrics.update({f: t[f].cast("int64").sum() for f in flags})
    file_label = src.label if src.kind in ("parquet", "csv") else None
    with engine_errors(file_label):
        summary = src.backend.execute(t.aggregate(**metrics)).iloc[0]
    enforcement.finish({f: _int(summary[f]) for f in flags})
    return _int(summary["_rho_n"])


def _n_duplicates(src: Source, ct: ir.Table, column: str) -> int:
    """Non-missing values of ``column`` minus its distinct values (0: each value once only)."""
    c = ct[column]
    if _bitmap_ok(src, c):
        stats = src.backend.execute(ct.aggregate(n=c.count(), lo=c.min(), hi=c.max())).iloc[0]
        return _int(stats["n"]) - _distinct_by_bitmap(src, ct, column, stats)
    stats = src.backend.execute(ct.aggregate(n=c.count(), d=c.nunique())).iloc[0]
    return _int(stats["n"]) - _int(stats["d"])


#: The widest id range counted with a bitmap (2**31 bits: 256 MiB); wider ids use a hash.
_MAX_BITMAP = 2**31


def _bitmap_ok(src: Source, column: ir.Value) -> bool:
    """Whether distinct integer ids can be counted with DuckDB's bitmap (no hash table)."""
    return (
        getattr(src.backend, "name", "") == "duckdb"
        and column.type().is_integer()
        and (src.kind in ("parquet", "csv"))
    )


def _distinct_by_bitmap(src: Source, ct: ir.Table, column: str, stats: pd.Series) -> int:
    """Distinct values of an integer column: ``bit_count(bitstring_agg(...))`` on DuckDB.

    One bit per possible value between the minimum and the maximum (exact, and far cheaper than
    the hash table of ``count(DISTINCT ...)``: 0.2 s against 4 s for 4 million ids); a range
    wider than :data:`_MAX_BITMAP` or many times the number of values falls back to the hash.
    """
    n = _int(stats["n"])
    lo, hi = stats["lo"], stats["hi"]
    if not n:
        return 0
    lo, hi = int(lo), int(hi)
    span = hi - lo + 1
    if span > _MAX_BITMAP or span > 64 * n + 2**20:
        return _int(src.backend.execute(ct[column].nunique()))
    sql = ibis.to_sql(
        ct.select(_rho_v=ct[column]).filter(ibis._._rho_v.notnull()), dialect="duckdb"
    )
    query = f"SELECT bit_count(bitstring_agg(_rho_v, {lo}, {hi})) AS n FROM ({sql}) AS v"
    # not a `with` block: DuckDB's cursor is the connection itself, and closing it would close it
    cursor = src.backend.raw_sql(query)
    return int(cursor.fetchall()[0][0])


def _isin_flag(column: str, values: list) -> Flag:
    def flag(t: ir.Table) -> ir.BooleanValue:
        return t[column].isin(values)

    return flag


def _other_values(other: Source, column: str, schema: pa.DataFrameSchema, t: ir.Table) -> ir.Value:
    declared = (schema.metadata or {}).get(REFERENCES, {})
    other_column = str(declared[column]).partition(".")[2]
    kind = _kind(schema.columns[column].dtype)
    value, _, _ = _convert_one(other.table[other_column], kind)
    return other.table.select(_rho_v=value)._rho_v


def _orphans(ct: ir.Table, column: str, other: Source, schema: pa.DataFrameSchema) -> ir.Table:
    values = _other_values(other, column, schema, ct)
    return ct.filter(ct[column].notnull() & ~ct[column].isin(values))


def _int(value: object) -> int:
    """A count from an engine (0 for a null sum over no rows)."""
    return 0 if value is None or pd.isna(value) else int(value)  # type: ignore[call-overload]


def _value_text(value: object) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "<blank>"
    return repr(value.item() if hasattr(value, "item") else value)


def _add(
    problems: list[Problem],
    failures: list[tuple],
    src: Source,
    rule: Rule,
    n: int,
    rows: pd.DataFrame,
) -> None:
    examples = []
    for record in rows.head(MAX_ROWS_SHOWN).itertuples(index=False):
        row = record.row
        file = record.file
        values = [getattr(record, f"v{k}") for k in range(len(rule.columns))]
        if len(values) == 1:
            shown = _value_text(values[0])
        else:
            shown = (
                "("
                + ", ".join(
                    f"{c}={_value_text(v)}" for c, v in zip(rule.columns, values, strict=True)
                )
                + ")"
            )
        examples.append((row_label(src, row, file), shown))
        failures.append(
            (
                rule.column or ",".join(rule.columns),
                rule.rule,
                n,
                row,
                values[0] if values else None,
            )
        )
    if not examples:
        failures.append((rule.column or ",".join(rule.columns), rule.rule, n, None, None))
    problems.append(Problem(rule.subject, rule.rule, n, examples))


def _raise(src: Source, name: str, problems: list[Problem], failures: list[tuple]) -> NoReturn:
    if src.kind == "csv":
        numbering = (
            "Rows are numbered from 1 = first data row; line = file line, the header being line 1."
        )
    elif src.kind in ("spark", "ibis"):
        numbering = "A Spark or Ibis table has no row order: values are shown without row numbers."
    else:
        numbering = "Rows are numbered from 1 = first row."
    message = schema_message(src.label, name, problems, numbering=numbering)
    table = pd.DataFrame(failures, columns=["column", "expected", "n_rows", "row", "value"])
    first = table.iloc[0]
    raise with_evidence(
        SchemaError(message),
        path=src.label,
        failures=table,
        column=first["column"],
        row=None if pd.isna(first["row"]) else int(first["row"]),
        value=first["value"],
    )
