"""Private numerical core of :mod:`rhoresearch.stats`: interval formulas, band matching, the output
frame of an indicator and the exclusions table of the ``*_exclusions`` functions; the grouping
(:func:`groups`, :func:`group_index`, :func:`group_sums`) lives in :mod:`rhoresearch.stats._groups`
and is re-exported here.

Everything here works on whole numpy arrays (one element per group), so that an indicator over
20,000 areas costs one grouping and a handful of array operations, never a Python loop per group.
The output frame is built in one step from whole columns, its text columns straight as Arrow
arrays when pandas' ``str`` dtype is Arrow-backed (pandas 3); the result is the frame pandas builds
column by column.
The public functions, their documentation and their references live in
:mod:`rhoresearch.stats.indicators`, :mod:`~rhoresearch.stats.standardisation`,
:mod:`~rhoresearch.stats.comparisons`, :mod:`~rhoresearch.stats.funnels` and
:mod:`~rhoresearch.stats.models`. Argument checks that every layer shares (column lists, columns
present, confidence levels, naming offending rows) come from :mod:`rhoresearch.validation`; the checks
here are the ones only statistics need (numeric columns, multipliers, numerator <= denominator).
"""

from __future__ import annotations

import functools
import numbers
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any, TypeAlias

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from rhoresearch import lazy
from rhoresearch.exceptions import InputError
from rhoresearch.results import exclusions_table
from rhoresearch.stats._groups import RUN_SAMPLE, arrow_strings
from rhoresearch.stats._groups import Groups as Groups
from rhoresearch.stats._groups import group_index as group_index
from rhoresearch.stats._groups import group_sums as group_sums
from rhoresearch.stats._groups import groups as groups
from rhoresearch.validation import (
    as_columns,
    check_frame,
    format_rows,
    require_columns,
)

# imported by the first interval or test computed, not with the package (rhoresearch.lazy)
stats = lazy.module("scipy.stats")

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
    return numeric_range(data, column, func, negative_ok=negative_ok)[0]


def numeric_range(
    data: pd.DataFrame,
    column: str,
    func: str,
    *,
    negative_ok: bool = False,
) -> tuple[np.ndarray, float, float]:
    """:func:`numeric`, with the column's smallest and largest value.

    Both are NaN when a value is missing (so ``low > 0`` says no value is missing or 0, without
    another pass over the rows); 0 for no rows.
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
    low, high = (float(values.min()), float(values.max())) if len(values) else (0.0, 0.0)
    if (negative_ok or low >= 0) and -np.inf < low and high < np.inf:
        return values, low, high  # every value finite (and not negative): no row to name
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
    return values, low, high


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


#: Whether pandas is 3 or later (its ``ArrowStringArray`` takes the ``str`` dtype to build).
_PANDAS_3 = int(pd.__version__.split(".")[0]) >= 3


def _arrow_str_dtype() -> pd.StringDtype | None:
    """pandas' ``str`` dtype when it is Arrow-backed (pandas 3 with pyarrow), else None.

    The output's text columns are then built as Arrow arrays directly; with any other ``str`` dtype
    they are built as pandas builds them (the same columns, more slowly).
    """
    dtype = pd.api.types.pandas_dtype("str")
    if _PANDAS_3 and isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow":
        return dtype
    return None


def _text_column(values: np.ndarray, dtype: pd.StringDtype | None) -> Any:
    """An object array of texts (None where missing) as a ``str`` column: what
    ``pd.Series(values, dtype="str")`` gives (``dtype`` from :func:`_arrow_str_dtype`)."""
    if dtype is not None:
        try:
            arrow = pa.array(values, type=pa.large_string(), from_pandas=True)
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            pass
        else:
            return pd.arrays.ArrowStringArray(arrow, dtype=dtype)
    return pd.Series(values, dtype="str")


def _note_column(notes: np.ndarray, dtype: pd.StringDtype | None) -> Any:
    """The notes (from :func:`notes_array`) as a ``str`` column, missing where there is nothing to
    say (``dtype`` from :func:`_arrow_str_dtype`)."""
    said = notes != ""
    if dtype is None:
        out = pd.Series(notes, dtype="object")
        return out.where(said, None).astype("str")
    if said.any():
        arrow = pa.array(notes, type=pa.large_string(), mask=~said)
    else:
        arrow = pa.nulls(len(notes), pa.large_string())
    return pd.arrays.ArrowStringArray(arrow, dtype=dtype)


def _repeated_text(text: str, n: int, dtype: pd.StringDtype) -> Any:
    """``text`` on each of ``n`` rows as a ``str`` column (``dtype`` from :func:`_arrow_str_dtype`)."""
    return pd.arrays.ArrowStringArray(pa.repeat(pa.scalar(text, pa.large_string()), n), dtype=dtype)


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
      a ``str`` column missing where the note is empty;
    - a pandas array (e.g. from :func:`poisson_method`): one value per group, repeated for each
      level;
    - a string: that text on every row (a ``str`` column);
    - anything else (a list as long as the output): used as it is.

    The frame is built in one step from whole columns (text columns straight as Arrow arrays), not
    a column at a time.
    """
    n_levels = len(conf)
    rows = None if n_levels == 1 else np.repeat(np.arange(len(keys)), n_levels)
    key_frame = (keys if rows is None else keys.iloc[rows]).reset_index(drop=True)
    n_rows = len(key_frame)
    str_dtype = _arrow_str_dtype()
    out: dict[str, Any] = {col: key_frame[col] for col in key_frame.columns}
    later: dict[str, Any] = {}
    for name, value in columns.items():
        if name == "confidence":
            value = np.tile(conf, len(keys))
        elif isinstance(value, np.ndarray) and name not in per_level:
            if rows is not None:
                value = value[rows]
            if name == "note":
                value = _note_column(value, str_dtype)
            elif value.dtype == object:
                value = _text_column(value, str_dtype)
        elif isinstance(value, pd.api.extensions.ExtensionArray):
            if rows is not None:
                value = value.take(rows)
        elif isinstance(value, str) and str_dtype is not None:
            value = _repeated_text(value, n_rows, str_dtype)
        elif not isinstance(value, np.ndarray):
            later[name] = value
        if name in later:
            value = np.zeros(n_rows)  # a place in the column order, filled below
        out[name] = value
    frame = pd.DataFrame(out, index=pd.RangeIndex(n_rows), copy=False)
    for name, value in later.items():
        frame[name] = value
    return frame


# ---------------------------------------------------------------------------------------------
# interval formulas (vectorised; NaN in, NaN out; no warnings)
# ---------------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=64)
def z_value(confidence: float) -> float:
    """Two-sided standard normal quantile: z such that P(|Z| < z) = confidence (kept per level:
    each indicator asks for it once per limit)."""
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
    xb = np.where(small, np.nan, x)
    lower, upper = byar_lower(xb, confidence), byar_upper(xb, confidence)
    if small.any():  # the exact limits only where they are used: few groups, one scipy call each
        lower[small] = exact_lower(x[small], confidence)
        upper[small] = exact_upper(x[small], confidence)
    nan = np.isnan(x)
    return np.where(nan, np.nan, lower), np.where(nan, np.nan, upper)


def poisson_method(x: np.ndarray) -> Any:
    """``"Exact"`` below :data:`SMALL_COUNT`, ``"Byars"`` from it, missing for a missing count.

    A ``str`` array (built from the two texts, not one text object per group) when pandas' ``str``
    dtype is Arrow-backed; else an object array, which :func:`indicator_table` makes ``str``.
    """
    exact = x < SMALL_COUNT
    missing = np.isnan(x)
    dtype = _arrow_str_dtype()
    if dtype is not None:
        choice = pa.array(np.where(exact, 0, 1), mask=missing if missing.any() else None)
        texts = pa.array(["Exact", "Byars"], type=pa.large_string())
        return pd.arrays.ArrowStringArray(texts.take(choice), dtype=dtype)
    out = np.where(exact, "Exact", "Byars").astype(object)
    out[missing] = None
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


def _period(strings: Any) -> int | None:
    """The period of labels that repeat in one order (as age bands do in a table with one row per
    area and band): the row ``p`` where the first label comes again (within the first
    :data:`~rhoresearch.stats._groups.RUN_SAMPLE` rows), when every row ``i >= p`` equals row
    ``i - p``; None otherwise, or when a label is missing."""
    n = len(strings)
    if n < 2 or strings.null_count:
        return None
    head = strings.slice(0, min(n, RUN_SAMPLE))
    repeats = pc.indices_nonzero(pc.equal(head, strings[0])).to_numpy()
    if len(repeats) < 2 or 4 * repeats[1] > n:
        return None
    period = int(repeats[1])
    same = pc.equal(strings.slice(period), strings.slice(0, n - period))
    return period if pc.all(same).as_py() else None


def _exact_bands(column: pd.Series, std_labels: list[Any]) -> np.ndarray | None:
    """Each row's position in the standard's labels when every row's label is one, as written.

    The usual case (labels copied from the standard) costs one lookup per row, with no labels to
    normalise, and when the labels repeat in one order (:func:`_period`), one comparison per row and
    a lookup of one period. Only for Arrow-backed strings, and only labels ``x`` of the standard
    whose text normalises as ``x`` does (:func:`band_key`), so the positions are those
    :func:`match_bands` would find; None when any row is missing or written otherwise.
    """
    strings = arrow_strings(column)
    if strings is None:
        return None
    usable = [i for i, x in enumerate(std_labels) if band_key(str(x)) == band_key(x)]
    labels = pa.array([str(std_labels[i]) for i in usable], type=strings.type)
    period = _period(strings)
    looked_up = strings if period is None else strings.slice(0, period)
    found = pc.index_in(looked_up, value_set=labels)
    if found.null_count:
        return None
    positions = np.asarray(usable, dtype="int64")[found.to_numpy()]
    if period is None:
        return positions
    return np.tile(positions, -(-len(strings) // period))[: len(strings)]


def match_bands(
    data: pd.DataFrame, age: str, standard: pd.Series, func: str
) -> tuple[np.ndarray, list[str]]:
    """Map each row's age band to a position in ``standard``; InputError for bands not in it."""
    std_labels = standard.index.tolist()
    names = [str(x) for x in std_labels]
    exact_rows = _exact_bands(data[age], std_labels)
    if exact_rows is not None:
        return exact_rows, names
    std_keys = [band_key(x) for x in std_labels]
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
            f"{names}"
        )
    return position, names
