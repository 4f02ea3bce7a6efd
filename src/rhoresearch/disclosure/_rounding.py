"""What a policy does after rounding (private to suppression): totals kept exact or recomputed
from the rounded parts, derived values recomputed from the rounded counts, midpoint-6 tables."""

from __future__ import annotations

import logging
from collections.abc import Callable

import numpy as np
import pandas as pd

from rhoresearch.disclosure import _cells, audit
from rhoresearch.disclosure._cells import Derived
from rhoresearch.disclosure._columns import is_count_column
from rhoresearch.disclosure.policies import (
    MIDPOINT6_DERIVED_SUFFIX,
    MIDPOINT6_SUFFIX,
    Policy,
    midpoint6,
)
from rhoresearch.exceptions import InputError

logger = logging.getLogger(__name__)

_DENOMINATORS = ("denominator", "population")


def after_rounding(
    out: pd.DataFrame,
    table: pd.DataFrame,
    counts: list[str],
    dmap: dict[str, list[str]],
    supp: np.ndarray,
    groups: _cells.Groupings,
    row_total: str | bool | None,
    total_label: str | None,
    policy: Policy,
    recompute: Callable[[pd.DataFrame], pd.DataFrame] | None,
) -> pd.DataFrame:
    """``out`` (counts rounded, suppressed cells blank) after the policy's totals and derived rules."""
    k = len(counts)
    if policy.recompute_totals:
        rels = [
            r
            for r in audit.relations(table, counts, groups, row_total, total_label)
            if r.rhs == 0.0
        ]
        # parts before the totals made of them: a total that is a part elsewhere is done first
        for _ in range(2):
            for rel in rels:
                total = int(rel.cells[rel.coefs < 0][0])
                i, j = divmod(total, k)
                if supp[i, j]:
                    continue
                parts = rel.cells[rel.coefs > 0]
                vals = [out[counts[c % k]].iloc[c // k] for c in parts if not supp[c // k, c % k]]
                summed = float(np.nansum([np.nan if pd.isna(v) else float(v) for v in vals]))
                col = counts[j]
                out[col] = (
                    out[col].astype("float64") if _needs_float(out[col], summed) else out[col]
                )
                out.iloc[i, out.columns.get_loc(col)] = summed
    if policy.derived != "rounded":
        return out
    if recompute is not None:
        done = recompute(out.copy())
        if not isinstance(done, pd.DataFrame) or len(done) != len(out):
            raise InputError("suppress: recompute must return a DataFrame with the same rows")
        for col in _cells.derived_columns(dmap):
            out[col] = done[col].to_numpy()
        return out
    return _rescaled(out, table, counts, dmap)


def _needs_float(series: pd.Series, value: float) -> bool:
    return pd.api.types.is_integer_dtype(series.dtype) and not float(value).is_integer()


def _rescaled(
    out: pd.DataFrame, table: pd.DataFrame, counts: list[str], dmap: dict[str, list[str]]
) -> pd.DataFrame:
    """Derived values scaled by (rounded / exact numerator) * (exact / rounded denominator)."""
    factor = {}
    for col in counts:
        exact, _ = _cells.parse_counts(table[col], func="suppress")
        shown, _ = _cells.parse_counts(out[col].astype(object), func="suppress")
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(exact > 0, shown / exact, 1.0)
        ratio = np.where(np.isnan(ratio), 1.0, ratio)
        low = col.strip().lower()
        is_den = low in _DENOMINATORS or low.endswith(tuple("_" + d for d in _DENOMINATORS))
        if is_den:
            factor[col] = np.where(ratio > 0, 1.0 / ratio, np.nan)
        elif is_count_column(col):
            factor[col] = ratio
    derived = _cells.derived_columns(dmap)
    for dcol in derived:
        if not pd.api.types.is_numeric_dtype(out[dcol].dtype) or pd.api.types.is_bool_dtype(
            out[dcol].dtype
        ):
            continue  # a label that happens to look derived (rate_type), or a flag: unchanged
        scale = np.ones(len(out))
        for col, cols in dmap.items():
            if dcol in cols and col in factor:
                scale = scale * factor[col]
        vals = pd.to_numeric(out[dcol], errors="coerce").to_numpy(dtype="float64")
        out[dcol] = vals * scale
    return out


def midpoint6_table(
    table: pd.DataFrame, counts: list[str], derived: Derived, *, func: str
) -> pd.DataFrame:
    """OpenSAFELY's midpoint-6 rounding of every count column, renamed with its suffix; derived
    columns rescaled to the rounded counts and renamed ``<column>_midpoint6_derived``."""
    dmap = _cells.derived_map(table, counts, derived, func=func)
    out = table.copy()
    for col in counts:
        values, marked = _cells.parse_counts(table[col], func=func)
        if marked.any():
            raise InputError(
                f"{func}: midpoint-6 rounding needs every count of {col!r}; some are [c]"
            )
        out[col] = midpoint6(values)
    out = _rescaled(out, table, counts, dmap)
    names = {c: c + MIDPOINT6_SUFFIX for c in counts}
    names.update({d: d + MIDPOINT6_DERIVED_SUFFIX for d in _cells.derived_columns(dmap)})
    logger.info("suppress: midpoint-6 rounding of %s", ", ".join(counts))
    return out.rename(columns=names)
