"""The aggregation as one Ibis expression: checks, filters, ethnic group, age band, exclusion reason.

:func:`build_expression` writes the whole count as one query that any Ibis backend runs (DuckDB,
Spark): the checks of :mod:`rhoresearch.data._checks` flag invalid values, the filters select the
rows analysed, each row gets its ethnic group (from the harmonisation table joined in the engine,
or the raw value to be mapped afterwards), its age band and the first reason that excludes it
(``""`` when it is counted), and the rows are grouped by the strata and the reason.

References
----------
Ibis project, https://ibis-project.org (one expression, several engines).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import ibis
import ibis.expr.types as ir
import pandas as pd

from rhoresearch import ethnicity
from rhoresearch.data._checks import build_checks
from rhoresearch.data._spec import (
    AGE_OUT,
    ETH_OUT,
    ETHNICITY_REASONS,
    INVALID_PREFIX,
    MAX_AGE,
    RAW,
    RAW_NULL,
    REASON,
    REASON_NOT_KNOWN,
    Spec,
    age_labels,
    null_flag,
)
from rhoresearch.exceptions import InputError

__all__ = ["build_expression"]


def _filter_condition(t: ir.Table, spec: Spec) -> ir.BooleanValue | None:
    conditions = []
    for f in spec.filters:
        if isinstance(f, tuple):
            column, value = f
            if isinstance(value, list | tuple | set | frozenset):
                conditions.append(t[column].isin(list(value)))
            else:
                conditions.append(t[column] == value)
        else:
            cond = f(t)
            if not isinstance(cond, ir.BooleanValue):
                raise InputError(
                    "stratified_counts: a filter function must return a boolean Ibis expression "
                    f"(e.g. lambda t: t.year >= 2020); got {type(cond).__name__}"
                )
            conditions.append(cond)
    if not conditions:
        return None
    out = conditions[0]
    for c in conditions[1:]:
        out = out & c
    return out


def build_expression(
    t: ir.Table, spec: Spec, mapping: pd.DataFrame | str | None, sums: Sequence[str] = ()
):
    """Build the aggregation and return (expression, reasons in priority order, invalid map).

    ``mapping`` is the harmonisation table to join (a DataFrame), ``"raw"`` to group by the raw
    ethnicity value instead (mapped afterwards on the small result), or None (no harmonisation).
    ``sums``: boolean columns of ``t`` (the flags of a declared schema's rules) summed per group
    too, over every row (filters do not hide a broken rule).
    """
    checks = build_checks(t, spec)
    bad_flags = {f"_rho_bad_{i}": ch.bad for i, ch in enumerate(checks) if ch.bad is not None}
    converted = {ch.column: ch.value for ch in checks}
    invalid = {
        f"{INVALID_PREFIX}{ch.column}": (f"_rho_bad_{i}", ch)
        for i, ch in enumerate(checks)
        if ch.bad is not None
    }
    # bad flags are computed on the raw columns (one mutate: every expression sees the raw table)
    t = t.mutate(**bad_flags, **converted)
    condition = _filter_condition(t, spec)
    if condition is not None:
        keep = condition.fill_null(False)
        for flag in [*bad_flags, *sums]:
            keep = keep | t[flag].fill_null(False)
        t = t.filter(keep)

    cases: list[tuple[ir.BooleanValue, Any]] = [
        (t[flag].fill_null(False), reason) for reason, (flag, _) in invalid.items()
    ]
    reasons: list[str] = []
    group_keys = list(spec.strata)
    if isinstance(mapping, str):  # "raw": group by the raw value; reasons applied afterwards
        raw = t[spec.ethnicity_column]
        t = t.mutate(**{RAW: raw, RAW_NULL: raw.isnull()})
        position = group_keys.index(ETH_OUT)
        group_keys[position : position + 1] = [RAW, RAW_NULL]
        if spec.unknown_ethnicity == "exclude":
            reasons += ETHNICITY_REASONS
    elif spec.ethnicity_column is not None:
        raw = t[spec.ethnicity_column]
        if mapping is not None:
            m = ibis.memtable(mapping)
            t = t.left_join(m, raw == m["_rho_eth_raw"]).drop("_rho_eth_raw")
            group = t["_rho_eth_group"]
            eth_reason = t["_rho_eth_reason"]
            raw = t[spec.ethnicity_column]
        else:  # already harmonised: the values are the groups
            group = raw.cast("string")
            eth_reason = ibis.null("string")
        if spec.unknown_ethnicity == "exclude":
            cases.append((raw.isnull(), REASON_NOT_KNOWN))
            cases.append((eth_reason.notnull() & (eth_reason != ""), eth_reason))
            reasons += ETHNICITY_REASONS
            group_value = group
        else:
            fill = (
                ethnicity.NOT_KNOWN if spec.unknown_ethnicity == "keep" else spec.unknown_ethnicity
            )
            group_value = ibis.ifelse(raw.isnull(), ibis.literal(fill), group)
        t = t.mutate(**{ETH_OUT: group_value})
    if spec.age_bands is not None:
        age = t[spec.age_column]
        whole = age.floor()
        labels = age_labels(spec.age_bands)
        band_cases = [
            (whole < hi, label) for hi, label in zip(spec.age_bands[1:], labels[:-1], strict=True)
        ]
        band = ibis.cases(*band_cases, else_=labels[-1])
        missing = f"{spec.age_column} missing"
        out_of_range = f"{spec.age_column} out of range (below 0 or above {MAX_AGE})"
        no_age = age.isnull() | age.isnan()
        if AGE_OUT in spec.keep_missing:  # a missing age is its own (null) band
            band = ibis.ifelse(no_age, ibis.null("string"), band)
            t = t.mutate(**{null_flag(AGE_OUT): no_age.fill_null(True)})
        else:
            cases.append((no_age, missing))
            reasons.append(missing)
        cases.append(((age < 0) | (age > MAX_AGE), out_of_range))
        reasons.append(out_of_range)
        t = t.mutate(**{AGE_OUT: band})
    recoded = {}
    for s in spec.raw_strata:
        if s in spec.keep_missing:
            # nulls kept as a stratum, told apart by a flag (a backend may return a null text
            # value as the string "NaN")
            t = t.mutate(**{null_flag(s): t[s].isnull()})
            continue
        cases.append((t[s].isnull(), f"{s} missing"))
        reasons.append(f"{s} missing")
        if s in spec.recode:
            codes = spec.recode[s]
            key = t[s].cast("string").strip().lower()
            value = key.substitute(codes, else_=ibis.null("string"))
            listed = ", ".join(repr(k) for k in list(codes)[:6]) + (
                ", ..." if len(codes) > 6 else ""
            )
            reason = f"{s} not a listed code ({listed})"
            cases.append((value.isnull(), reason))
            reasons.append(reason)
            recoded[s] = value
    for name, column in spec.event_columns.items():
        cases.append((t[column].isnull(), f"{name} missing"))
        reasons.append(f"{name} missing")
    reasons = list(dict.fromkeys(reasons))
    # included rows get "" rather than a null: some backends return nulls of text columns as
    # the string "NaN" under pandas 3 (ibis 12's PySpark conversion does)
    reason = ibis.cases(*cases, else_=ibis.literal("")) if cases else ibis.literal("")
    # one projection: the reason and the recoded labels both read the unrecoded columns
    t = t.mutate(**{REASON: reason}, **recoded)

    metrics: dict[str, ir.Value] = {"n_rows": t.count()}
    for flag in sums:
        metrics[flag] = t[flag].cast("int64").sum()
    for name, column in spec.event_columns.items():
        metrics[name] = t[column].sum()
    if spec.person is not None:
        metrics["n_people"] = t[spec.person].nunique()
    expr = t.group_by([*group_keys, *spec.null_flags, REASON]).aggregate(**metrics)
    return expr, reasons, invalid
