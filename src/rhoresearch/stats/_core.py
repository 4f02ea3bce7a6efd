"""Private numerical core of :mod:`rhoresearch.stats`: grouping, interval formulas, band matching,
the output frame of an indicator and the exclusions table of the ``*_exclusions`` functions.

Everything here works on whole numpy arrays (one element per group), so that an indicator over
20,000 areas costs one ``groupby`` and a handful of array operations, never a Python loop per group.
The public functions, their documentation and their references live in
:mod:`rhoresearch.stats.indicators`, :mod:`~rhoresearch.stats.standardisation`,
:mod:`~rhoresearch.stats.comparisons`, :mod:`~rhoresearch.stats.funnels` and
:mod:`~rhoresearch.stats.models`. Argument checks that every layer shares (column lists, columns
present, confidence levels, naming offending rows) come from :mod:`rhoresearch.validation`; the checks
here are the ones only statistics need (numeric columns, multipliers, numerator <= denominator).
"""

from __future__ import annotations

import numbers
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any, TypeAlias

import numpy as np
import pandas as pd
from scipy import stats

from rhoresearch.exceptions import InputError
from rhoresearch.results import exclusions_table
from rhoresearch.validation import (
    as_columns,
    check_frame,
    format_rows,
    require_columns,
)

#: A column argument: ``None`` (no columns), one column name, or a list/tuple of names.
Columns: TypeAlias = str | Sequence[str] | None

#: A confidence argument: one level in [0.9, 1) or a sequence of levels.
Confidence: TypeAlias = float | Sequence[float]

#: Minimum total count for Byar's method (below it the exact Poisson limits are used) and the
#: minimum total count for a directly standardised rate to be reported (PHE convention).
SMALL_COUNT = 10


# ---------------------------------------------------------------------------------------------
# input checks only statistics need
# ---------------------------------------------------------------------------------------------


def prepare(data: pd.DataFrame, func: str, columns: Sequence[str], by: Columns) -> list[str]:
    """Check ``data`` is a frame holding ``columns`` and the ``by`` columns; return ``by`` as a list.

    A column named for two arguments is refused (``require_columns(distinct=True)``).
    """
    check_frame(data, func=func)
    by_cols = as_columns(by, func=func)
    require_columns(data, [*columns, *by_cols], func=func, distinct=True)
    return by_cols


def numeric(
    data: pd.DataFrame,
    column: str,
    func: str,
    *,
    negative_ok: bool = False,
) -> np.ndarray:
    """Return ``data[column]`` as float64, missing values as NaN.

    Raises InputError naming the column and the rows for non-numeric, infinite or negative values.
    """
    s = data[column]
    if pd.api.types.is_bool_dtype(s.dtype):
        values = s.astype("float64").to_numpy()
    elif pd.api.types.is_numeric_dtype(s.dtype):
        values = s.to_numpy(dtype="float64", na_value=np.nan)
    else:
        conv = pd.to_numeric(s, errors="coerce")
        bad = conv.isna().to_numpy() & s.notna().to_numpy()
        if bad.any():
            raise InputError(
                f"{func}: column {column!r} has non-numeric values in rows "
                f"{format_rows(data.index[bad])} (values {list(s[bad].head(5))}); expected numbers"
            )
        values = conv.to_numpy(dtype="float64", na_value=np.nan)
    inf = np.isinf(values)
    if inf.any():
        raise InputError(
            f"{func}: column {column!r} has infinite values in rows {format_rows(data.index[inf])}"
        )
    if not negative_ok:
        neg = values < 0
        if neg.any():
            raise InputError(
                f"{func}: column {column!r} has negative values in rows "
                f"{format_rows(data.index[neg])} (values {list(values[neg][:5])}); "
                "counts and populations must be >= 0"
            )
    return values


def check_not_above(
    data: pd.DataFrame,
    num: np.ndarray,
    den: np.ndarray,
    numerator: str,
    denominator: str | None,
    func: str,
) -> None:
    """Raise InputError naming the rows where the numerator is above its denominator."""
    bad = num > den
    if bad.any():
        raise InputError(
            f"{func}: numerator {numerator!r} is above denominator {denominator!r} in rows "
            f"{format_rows(data.index[bad])} (numerator {list(num[bad][:5])}, denominator "
            f"{list(den[bad][:5])}); a proportion needs numerator <= denominator"
        )


def check_multiplier(multiplier: object, func: str) -> float:
    """Return ``multiplier`` as a float; InputError unless it is a finite positive number."""
    if isinstance(multiplier, bool) or not isinstance(multiplier, numbers.Real):
        raise InputError(f"{func}: multiplier must be a positive number, got {multiplier!r}")
    value = float(multiplier)
    if not np.isfinite(value) or value <= 0:
        raise InputError(f"{func}: multiplier must be a positive number, got {multiplier!r}")
    return value


def multiplier_label(multiplier: float) -> str:
    """``100000`` for 100000.0, ``2.5`` for 2.5 (the text of ``statistic``)."""
    if float(multiplier).is_integer():
        return str(int(multiplier))
    return f"{multiplier:g}"


def missing_by_column(
    data: pd.DataFrame, columns: Sequence[str]
) -> tuple[dict[str, int], np.ndarray]:
    """Rows with a missing value, per column and overall.

    Returns ``({"missing <column>": rows}, drop)`` with only the columns that have missing values
    (in the order given, each column once) and ``drop`` a boolean array (True where any of the
    columns is missing). A row missing several columns is counted under each.
    """
    reasons: dict[str, int] = {}
    drop = np.zeros(len(data), dtype=bool)
    for col in dict.fromkeys(columns):
        miss = data[col].isna().to_numpy()
        if miss.any():
            reasons[f"missing {col}"] = int(miss.sum())
            drop |= miss
    return reasons, drop


def column_exclusions(
    data: pd.DataFrame,
    columns: Sequence[str],
    *,
    func: str,
    step: str,
    distinct: bool = False,
    positive: str | None = None,
) -> pd.DataFrame:
    """The rows a function leaves out for a missing value in ``columns``, as an exclusions table.

    Checks ``data`` is a frame holding ``columns``, then returns
    :func:`rhoresearch.results.exclusions_table` of :func:`missing_by_column` (one row per column
    with missing values, in the order given); with ``positive``, also the rows where that column
    is not above 0 (:func:`exclusion_reasons`). The ``*_exclusions`` functions of the statistics
    modules are this with their own columns.
    """
    check_frame(data, func=func)
    require_columns(data, columns, func=func, distinct=distinct)
    reasons, _ = exclusion_reasons(data, columns, positive)
    return exclusions_table(reasons.items(), step=step)


def exclusion_reasons(
    data: pd.DataFrame, columns: Sequence[str], positive: str | None = None
) -> tuple[dict[str, int], np.ndarray]:
    """:func:`missing_by_column`, plus ``"<positive> <= 0"`` for rows where that column is not above 0.

    Non-numeric values of ``positive`` count as missing there, not as a reason of their own.
    """
    reasons, drop = missing_by_column(data, columns)
    if positive is not None:
        values = pd.to_numeric(data[positive], errors="coerce").to_numpy(
            dtype=float, na_value=np.nan
        )
        bad = ~np.isnan(values) & (values <= 0)
        if bad.any():
            reasons[f"{positive} <= 0"] = int(bad.sum())
            drop |= bad
    return reasons, drop


# ---------------------------------------------------------------------------------------------
# grouping
# ---------------------------------------------------------------------------------------------


def _sorted_factorize(values: pd.Series) -> tuple[np.ndarray, Any]:
    """Codes and uniques with the uniques sorted (categories in category order), missing last.

    Factorises in first-seen order, then sorts the (few) uniques: cheaper than sorting during the
    factorisation. Values of mixed types that cannot be ordered keep first-seen order.
    """
    codes, uniques = pd.factorize(values, sort=False, use_na_sentinel=False)
    try:
        order = pd.array(uniques).argsort(na_position="last")
    except TypeError:
        return codes.astype("int64"), uniques
    rank = np.empty(len(order), dtype="int64")
    rank[order] = np.arange(len(order))
    return rank[codes], uniques.take(order)


def group_index(data: pd.DataFrame, by: list[str]) -> tuple[np.ndarray, pd.DataFrame]:
    """Integer group code per row, and the group keys (one row per code, in code order).

    Groups are sorted (a categorical column keeps its category order; only present values appear);
    a missing key value is a group of its own, placed last. One factorisation per key column, then
    integer arithmetic: much cheaper than repeated ``groupby`` on string keys.
    """
    if not by:
        return np.zeros(len(data), dtype="int64"), pd.DataFrame(index=[0])
    codes_list, uniques_list = [], []
    for col in by:
        codes, uniques = _sorted_factorize(data[col])
        codes_list.append(codes)
        uniques_list.append(uniques)
    if len(by) == 1:
        return codes_list[0], pd.DataFrame({by[0]: uniques_list[0]})
    combined = np.zeros(len(data), dtype="int64")
    for codes, uniques in zip(codes_list, uniques_list, strict=True):
        combined = combined * len(uniques) + codes
    unique_combined, inverse = np.unique(combined, return_inverse=True)
    keys = {}
    rest = unique_combined
    parts = []
    for uniques in reversed(uniques_list):
        parts.append(rest % len(uniques))
        rest = rest // len(uniques)
    for col, uniques, part in zip(by, uniques_list, reversed(parts), strict=True):
        keys[col] = uniques.take(part) if hasattr(uniques, "take") else np.asarray(uniques)[part]
    return inverse.astype("int64"), pd.DataFrame(keys).reset_index(drop=True)


def bincount(codes: np.ndarray, weights: np.ndarray | None, n: int) -> np.ndarray:
    """Sum of ``weights`` per code (NaN if any weight in the group is NaN); counts when None."""
    if weights is None:
        return np.bincount(codes, minlength=n).astype("float64")
    return np.bincount(codes, weights=weights, minlength=n)


def group_sums(
    data: pd.DataFrame,
    by: list[str],
    values: dict[str, np.ndarray],
    *,
    skipna: dict[str, bool] | None = None,
) -> tuple[pd.DataFrame, dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Sum arrays by the ``by`` columns of ``data``.

    Returns the group keys (see :func:`group_index`), the sums, and the number of missing values per
    group for each array. With ``skipna[name]`` False (the default) a group with any missing value
    sums to NaN.
    """
    skipna = skipna or {}
    codes, keys = group_index(data, by)
    n = len(keys)
    sums, nmiss = {}, {}
    for k, v in values.items():
        nan = np.isnan(v)
        if nan.any():
            nmiss[k] = np.bincount(codes, weights=nan, minlength=n).astype("int64")
            total = np.bincount(codes, weights=np.where(nan, 0.0, v), minlength=n)
            sums[k] = total if skipna.get(k, False) else np.where(nmiss[k] > 0, np.nan, total)
        else:
            nmiss[k] = np.zeros(n, dtype="int64")
            sums[k] = np.bincount(codes, weights=v, minlength=n)
    return keys, sums, nmiss


def expand(
    keys: pd.DataFrame, columns: dict[str, np.ndarray], n_levels: int
) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """Repeat each group row once per confidence level (group-major order)."""
    if n_levels == 1:
        return keys.reset_index(drop=True), columns
    idx = np.repeat(np.arange(len(keys)), n_levels)
    out_keys = keys.iloc[idx].reset_index(drop=True)
    return out_keys, {k: np.repeat(v, n_levels) for k, v in columns.items()}


def by_level(
    conf: tuple[float, ...], func: Callable[[float], tuple[np.ndarray, ...]]
) -> list[np.ndarray]:
    """Evaluate ``func(level)`` for each level and interleave the results group-major."""
    results = [func(c) for c in conf]
    n_out = len(results[0])
    outs = []
    for j in range(n_out):
        outs.append(np.column_stack([r[j] for r in results]).ravel())
    return outs


def notes_array(n: int) -> np.ndarray:
    """An empty note (``""``) per group, to fill with :func:`add_note`."""
    return np.full(n, "", dtype=object)


def add_note(
    notes: np.ndarray,
    mask: np.ndarray,
    text: str | Callable[[Any], str],
    values: np.ndarray | None = None,
) -> None:
    """Append ``text`` to the notes of the rows in ``mask`` (in place, on our own array).

    ``text`` is a string, or a function of the row's entry in ``values`` (called for masked rows only).
    """
    if not np.any(mask):
        return
    current = notes[mask]
    if callable(text):
        if values is None:
            raise TypeError("add_note: a text function needs values")
        addition = np.array([text(v) for v in values[mask]], dtype=object)
    else:
        addition = np.full(current.shape, text, object)
    notes[mask] = np.where(current == "", addition, current + "; " + addition)


def missing_note(notes: np.ndarray, nmiss: np.ndarray, label: str) -> None:
    """Note ``missing <label> in <k> row(s)`` for the groups with ``k > 0`` missing rows."""
    add_note(notes, nmiss > 0, lambda k: f"missing {label} in {k} row(s)", nmiss)


def note_series(notes: np.ndarray) -> pd.Series:
    """The notes as a str column, missing where there is nothing to say."""
    out = pd.Series(notes, dtype="object")
    return out.where(out != "", None).astype("str")


def finish(keys: pd.DataFrame, columns: Mapping[str, Any]) -> pd.DataFrame:
    """Assemble the output frame: group key columns first, then ``columns`` in order."""
    frame = keys.reset_index(drop=True).copy()
    for name, values in columns.items():
        frame[name] = values
    return frame


#: The columns of an indicator that hold one value per group and confidence level (limits).
LIMITS = ("lower_ci", "upper_ci")


def indicator_table(
    keys: pd.DataFrame,
    conf: tuple[float, ...],
    columns: Mapping[str, Any],
    *,
    per_level: Collection[str] = LIMITS,
) -> pd.DataFrame:
    """An indicator's output: the group keys, then ``columns`` in order, a row per group per level.

    Rows are group-major (each group's rows for every confidence level together). Each value of
    ``columns`` is one of:

    - for a name in ``per_level``: an array with one value per group and level, as :func:`by_level`
      returns limits; used as it is;
    - for ``confidence``: the levels ``conf``, repeated for each group;
    - any other numpy array: one value per group, repeated for each level; an object array (text,
      ``None`` where missing) becomes a ``str`` column, and ``note`` (from :func:`notes_array`)
      the column of :func:`note_series`;
    - anything else (a string, a list as long as the output): used as it is.
    """
    per_group = {
        name: value
        for name, value in columns.items()
        if isinstance(value, np.ndarray) and name not in per_level and name != "confidence"
    }
    out_keys, repeated = expand(keys, per_group, len(conf))
    out: dict[str, Any] = {}
    for name, value in columns.items():
        if name == "confidence":
            value = np.tile(conf, len(keys))
        elif name == "note" and name in repeated:
            value = note_series(repeated[name])
        elif name in repeated:
            value = repeated[name]
            if value.dtype == object:
                value = pd.Series(value, dtype="str")
        out[name] = value
    return finish(out_keys, out)


# ---------------------------------------------------------------------------------------------
# interval formulas (vectorised; NaN in, NaN out; no warnings)
# ---------------------------------------------------------------------------------------------


def z_value(confidence: float) -> float:
    """Two-sided standard normal quantile: z such that P(|Z| < z) = confidence."""
    return float(stats.norm.ppf(0.5 + confidence / 2))


def wilson(x: np.ndarray, n: np.ndarray, confidence: float) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score limits for the proportion x / n (Wilson 1927)."""
    z = z_value(confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        root = z * np.sqrt(z**2 + 4 * x * (1 - x / n))
        lower = (2 * x + z**2 - root) / 2 / (n + z**2)
        upper = (2 * x + z**2 + root) / 2 / (n + z**2)
    bad = ~(n > 0)
    lower = np.where(bad, np.nan, lower)
    upper = np.where(bad, np.nan, upper)
    return lower, upper


def byar_lower(x: np.ndarray, confidence: float) -> np.ndarray:
    """Byar's approximation to the lower exact Poisson limit; negative results are NaN."""
    z = z_value(confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = x * (1 - 1 / (9 * x) - z / (3 * np.sqrt(x))) ** 3
    return np.where(out < 0, np.nan, out)


def byar_upper(x: np.ndarray, confidence: float) -> np.ndarray:
    """Byar's approximation to the upper exact Poisson limit."""
    z = z_value(confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        return (x + 1) * (1 - 1 / (9 * (x + 1)) + z / (3 * np.sqrt(x + 1))) ** 3


def exact_lower(x: np.ndarray, confidence: float) -> np.ndarray:
    """Exact (chi-squared) lower Poisson limit; 0 when x is 0."""
    with np.errstate(invalid="ignore"):
        out = stats.chi2.ppf((1 - confidence) / 2, 2 * x) / 2
    return np.where(x == 0, 0.0, out)


def exact_upper(x: np.ndarray, confidence: float) -> np.ndarray:
    """Exact (chi-squared) upper Poisson limit."""
    with np.errstate(invalid="ignore"):
        return stats.chi2.ppf((1 + confidence) / 2, 2 * x + 2) / 2


def poisson_limits(x: np.ndarray, confidence: float) -> tuple[np.ndarray, np.ndarray]:
    """Limits for a Poisson count: exact below 10, Byar's method from 10 (PHE convention)."""
    small = x < SMALL_COUNT
    xs = np.where(small, x, np.nan)
    xb = np.where(small, np.nan, x)
    lower = np.where(small, exact_lower(xs, confidence), byar_lower(xb, confidence))
    upper = np.where(small, exact_upper(xs, confidence), byar_upper(xb, confidence))
    nan = np.isnan(x)
    return np.where(nan, np.nan, lower), np.where(nan, np.nan, upper)


def poisson_method(x: np.ndarray) -> np.ndarray:
    """``"Exact"`` below :data:`SMALL_COUNT`, ``"Byars"`` from it, missing for a missing count."""
    out = np.where(x < SMALL_COUNT, "Exact", "Byars").astype(object)
    out[np.isnan(x)] = None
    return out


def safe_divide(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a / b`` with NaN where ``b`` is 0, without warnings."""
    with np.errstate(divide="ignore", invalid="ignore"):
        out = a / b
    return np.where(b == 0, np.nan, out)


# ---------------------------------------------------------------------------------------------
# age bands
# ---------------------------------------------------------------------------------------------

_RANGE = re.compile(r"^\s*(\d+)\s*(?:-|–|—|to)\s*(\d+)\s*(?:years?)?\s*$")
_OPEN = re.compile(r"^\s*(\d+)\s*(?:\+|and over|and older|or over|or older|plus)\s*$")
_START = re.compile(r"^\s*(\d+)\s*$")
_UNDER = re.compile(r"^\s*(?:<|under|less than)\s*(\d+)\s*$")


def band_key(label: object) -> tuple:
    """Normalise an age band label: '0-4', '00-04', '0 to 4' -> ('band', 0, 4); '90+' -> ('band', 90,
    None); a number or '5' -> ('from', 5) (matched on the band's lower bound); else ('label', text)."""
    if isinstance(label, numbers.Real) and not isinstance(label, bool):
        value = float(label)
        if np.isfinite(value) and value.is_integer():
            return ("from", int(value))
        return ("label", str(label))
    text = str(label).strip().lower()
    if m := _RANGE.match(text):
        return ("band", int(m.group(1)), int(m.group(2)))
    if m := _OPEN.match(text):
        return ("band", int(m.group(1)), None)
    if m := _UNDER.match(text):
        return ("band", 0, int(m.group(1)) - 1)
    if m := _START.match(text):
        return ("from", int(m.group(1)))
    return ("label", text)


def match_bands(
    data: pd.DataFrame, age: str, standard: pd.Series, func: str
) -> tuple[np.ndarray, list[str]]:
    """Map each row's age band to a position in ``standard``; InputError for bands not in it."""
    std_keys = [band_key(x) for x in standard.index]
    exact = {k: i for i, k in enumerate(std_keys)}
    by_start: dict[int, int] = {}
    for i, k in enumerate(std_keys):
        if k[0] == "band":
            by_start.setdefault(k[1], i)
        elif k[0] == "from":
            by_start.setdefault(k[1], i)
    codes, uniques = pd.factorize(data[age], use_na_sentinel=True)
    lookup = np.empty(len(uniques), dtype="int64")
    unmatched = []
    for j, label in enumerate(uniques):
        k = band_key(label)
        if k in exact:
            lookup[j] = exact[k]
        elif k[0] == "from" and k[1] in by_start:
            lookup[j] = by_start[k[1]]
        else:
            lookup[j] = -1
            unmatched.append(label)
    position = np.where(codes >= 0, lookup[np.maximum(codes, 0)], -2)
    if (position == -2).any():
        rows = data.index[position == -2]
        raise InputError(
            f"{func}: column {age!r} has missing age bands in rows {format_rows(rows)}"
        )
    if unmatched:
        bad = position == -1
        raise InputError(
            f"{func}: age bands {unmatched[:10]} in column {age!r} (rows "
            f"{format_rows(data.index[bad])}) do not match the standard population's bands "
            f"{[str(x) for x in standard.index]}"
        )
    return position, [str(x) for x in standard.index]
