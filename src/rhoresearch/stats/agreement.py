"""Agreement between two raters (or two sources) on a nominal classification: Cohen's kappa.

============================  ================================================================
function                      method
============================  ================================================================
:func:`kappa`                 Cohen's kappa with the large-sample standard error of Fleiss, Cohen
                              and Everitt (1969) and a normal (Wald) interval, from a square
                              contingency table or from paired ratings (per ``by`` group)
============================  ================================================================

The function takes a tidy frame (or a table of counts) first and keyword-only options, never
modifies its input, and returns one row per group with the shared columns ``value``, ``lower_ci``,
``upper_ci``, ``confidence``, ``statistic`` and ``method``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from rhoresearch import lazy
from rhoresearch.exceptions import InputError
from rhoresearch.validation import (
    as_columns,
    check_confidence,
    check_frame,
    format_rows,
    require_columns,
)

# imported by the first interval or test computed, not with the package (rhoresearch.lazy)
stats = lazy.module("scipy.stats")

# imported by the first kappa computed, not with the package (rhoresearch.lazy)
inter_rater = lazy.module("statsmodels.stats.inter_rater")

__all__ = ["KAPPA_COLUMNS", "kappa"]

#: The columns :func:`kappa` returns after the ``by`` columns, in order.
KAPPA_COLUMNS = [
    "n",
    "observed_agreement",
    "expected_agreement",
    "value",
    "se",
    "lower_ci",
    "upper_ci",
    "confidence",
    "statistic",
    "method",
]

_STATISTIC = "Cohen's kappa"
_METHOD = "Fleiss-Cohen-Everitt SE, normal interval"


def _table_counts(table: pd.DataFrame | np.ndarray, func: str) -> np.ndarray:
    """A square table of non-negative finite counts as a float array."""
    values = table.to_numpy() if isinstance(table, pd.DataFrame) else np.asarray(table)
    try:
        counts = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as exc:
        raise InputError(f"{func}: the table must hold counts (numbers)") from exc
    if counts.ndim != 2 or counts.shape[0] != counts.shape[1] or counts.shape[0] == 0:
        raise InputError(
            f"{func}: the table must be square (one rater in rows, the other in columns, the same "
            f"categories in the same order); got shape {counts.shape}"
        )
    if not np.all(np.isfinite(counts)) or (counts < 0).any():
        raise InputError(f"{func}: the table's counts must be finite and >= 0")
    return counts


def _kappa_row(counts: np.ndarray, z: float) -> dict[str, float]:
    """The statistics of one square table (NaN where kappa is undefined)."""
    n = float(counts.sum())
    row: dict[str, float] = {
        "n": n,
        "observed_agreement": np.nan,
        "expected_agreement": np.nan,
        "value": np.nan,
        "se": np.nan,
        "lower_ci": np.nan,
        "upper_ci": np.nan,
    }
    if n == 0:
        return row
    row["observed_agreement"] = float(np.trace(counts) / n)
    row["expected_agreement"] = float(counts.sum(axis=1) @ counts.sum(axis=0) / n**2)
    if counts.shape[0] < 2:
        return row
    with np.errstate(divide="ignore", invalid="ignore"):
        res = inter_rater.cohens_kappa(counts)
        k, se = float(res.kappa), float(res.std_kappa)
    if not np.isfinite(k):  # every rating in one category: chance agreement is 1
        return row
    row.update(
        {
            "value": k,
            "se": se,
            "lower_ci": max(k - z * se, -1.0),
            "upper_ci": min(k + z * se, 1.0),
        }
    )
    return row


def _ratings_table(
    data: pd.DataFrame, rater_a: str, rater_b: str, categories: list[object]
) -> np.ndarray:
    a = pd.Categorical(data[rater_a], categories=categories)
    b = pd.Categorical(data[rater_b], categories=categories)
    table = pd.crosstab(a, b, dropna=False).reindex(
        index=categories, columns=categories, fill_value=0
    )
    return table.to_numpy(dtype=float)


def _categories(
    data: pd.DataFrame, rater_a: str, rater_b: str, categories: Sequence[object] | None, func: str
) -> list[object]:
    """The categories of the ratings: given, those of a categorical column, or every value seen."""
    values = pd.concat([data[rater_a], data[rater_b]], ignore_index=True)
    if categories is None:
        dtypes = [data[rater_a].dtype, data[rater_b].dtype]
        found: list[object] = []
        for dtype in dtypes:
            if isinstance(dtype, pd.CategoricalDtype):
                found += [c for c in dtype.categories if c not in found]
        seen = pd.unique(values.dropna())
        extra = [v for v in seen if v not in found]
        if extra and not found:
            try:
                extra = sorted(extra)
            except TypeError:
                extra = sorted(extra, key=str)
        return found + extra
    cats = list(categories)
    if len(set(cats)) != len(cats):
        raise InputError(f"{func}: categories repeat: {cats!r}")
    unknown = sorted({str(v) for v in pd.unique(values.dropna()) if v not in set(cats)})
    if unknown:
        raise InputError(f"{func}: ratings {unknown} are not among the categories {cats!r}")
    return cats


def kappa(
    data: pd.DataFrame | np.ndarray,
    *,
    rater_a: str | None = None,
    rater_b: str | None = None,
    by: str | Sequence[str] | None = None,
    categories: Sequence[object] | None = None,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Cohen's kappa for two raters on a nominal scale, with its standard error and interval.

    Parameters
    ----------
    data : DataFrame or 2-D array
        Either a square contingency table of counts (one rater in rows, the other in columns, the
        same categories in the same order), or, with ``rater_a`` and ``rater_b``, one row per rated
        subject holding both ratings. Not modified.
    rater_a, rater_b : str, optional
        The columns of paired ratings (give both, or neither for a contingency table).
    by : str or list of str, optional
        Grouping columns (paired ratings only): one kappa per group.
    categories : sequence, optional
        The categories of the scale, in order (paired ratings only). Default: the categories of
        categorical rating columns, else every value seen, sorted. Categories nobody used still
        count towards neither agreement, so they do not change kappa.
    confidence : float, default 0.95
        Confidence level of the interval, in [0.9, 1).

    Returns
    -------
    DataFrame
        One row (per ``by`` group, in sorted order): the ``by`` columns, ``n`` (subjects rated by
        both; a whole number unless the table holds weighted counts), ``observed_agreement`` (p_o,
        a fraction), ``expected_agreement`` (p_e, the agreement expected by chance from the two
        margins), ``value`` (kappa), ``se`` (its large-sample standard error), ``lower_ci``,
        ``upper_ci``, ``confidence``, ``statistic`` ("Cohen's kappa") and ``method``. ``value``,
        ``se`` and the limits are NaN when kappa is undefined: no subjects, or every rating in one
        category (p_e = 1).

    Raises
    ------
    InputError
        A table that is not square or holds negative or non-finite counts; ``rater_a`` without
        ``rater_b`` (or ``by`` or ``categories`` with a table); a missing rating; a rating outside
        ``categories``; a confidence level outside [0.9, 1).

    Notes
    -----
    kappa = (p_o - p_e) / (1 - p_e), where p_o is the proportion of subjects on the diagonal and
    p_e = sum_i p_i. p_.i (Cohen 1960). Its variance is the large-sample (non-null) formula of
    Fleiss, Cohen and Everitt (1969)::

        var = [sum_i p_ii (1 - (p_i. + p_.i)(1 - kappa))^2
               + (1 - kappa)^2 sum_{i != j} p_ij (p_.i + p_j.)^2
               - (kappa - p_e (1 - kappa))^2] / (n (1 - p_e)^2)

    as computed by ``statsmodels.stats.inter_rater.cohens_kappa``. The interval is kappa +/- z SE,
    z the standard normal quantile, clipped to [-1, 1]. Missing ratings are refused rather than
    dropped: decide first whether "not known" is a category or a reason to exclude the subject.

    References
    ----------
    Cohen J (1960). A coefficient of agreement for nominal scales. Educational and Psychological
    Measurement 20:37-46.
    Fleiss JL, Cohen J, Everitt BS (1969). Large sample standard errors of kappa and weighted kappa.
    Psychological Bulletin 72:323-327.
    """
    func = "kappa"
    confidence = check_confidence(confidence, func=func)
    z = float(stats.norm.ppf(0.5 + confidence / 2))
    if (rater_a is None) != (rater_b is None):
        raise InputError(f"{func}: give both rater_a and rater_b (paired ratings) or neither")
    if rater_a is None or rater_b is None:
        if by is not None or categories is not None:
            raise InputError(
                f"{func}: by and categories apply to paired ratings (rater_a, rater_b), "
                "not to a contingency table"
            )
        out = pd.DataFrame([_kappa_row(_table_counts(data, func), z)])
    else:
        frame = check_frame(data, func=func)
        by_cols = as_columns(by, func=func)
        require_columns(frame, [rater_a, rater_b, *by_cols], func=func, distinct=True)
        missing = frame[rater_a].isna() | frame[rater_b].isna()
        if missing.any():
            raise InputError(
                f"{func}: missing ratings in rows {format_rows(frame.index[missing])}; "
                "drop them or give them a category first"
            )
        cats = _categories(frame, rater_a, rater_b, categories, func)
        if by_cols:
            rows = []
            for key, part in frame.groupby(by_cols, sort=True, observed=True):
                keys = key if isinstance(key, tuple) else (key,)
                row: dict[str, object] = dict(zip(by_cols, keys, strict=True))
                row.update(_kappa_row(_ratings_table(part, rater_a, rater_b, cats), z))
                rows.append(row)
            out = pd.DataFrame(rows, columns=[*by_cols, *KAPPA_COLUMNS[:7]])
        else:
            out = pd.DataFrame([_kappa_row(_ratings_table(frame, rater_a, rater_b, cats), z)])
    if len(out) and np.all(out["n"] == np.round(out["n"])):
        out["n"] = out["n"].astype("int64")
    out["confidence"] = confidence
    out["statistic"] = _STATISTIC
    out["method"] = _METHOD
    return out.reset_index(drop=True)
