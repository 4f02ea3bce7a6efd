"""Estimators for weighted surveys: Kish's effective sample size, weighted percentages, weight spread.

A survey with unequal weights (non-response or post-stratification weights) gives each respondent a
weight ``w``. The point estimates here are weighted means; their precision is that of a sample of
Kish's *effective sample size* ``n_eff = (sum w)^2 / sum w^2`` rather than of the ``n`` respondents
(the design effect due to unequal weighting is ``n / n_eff``).

==============================  ====================================================================
function                        what it gives
==============================  ====================================================================
:func:`effective_sample_size`   Kish's effective sample size of a set of weights (one number)
:func:`weighted_percentages`    weighted percentage of a 0/1 outcome by group, Wilson interval on
                                the group's effective sample size
:func:`weight_summary`          spread of the weights by group: sum, effective n, design effect
==============================  ====================================================================

Pure computation: the frame functions take a DataFrame first and keyword-only options, never modify
their input, and return a new tidy frame (one row per group, snake_case columns). What a particular
survey means by a positive answer (turning its answers into 0/1 outcomes) belongs to the code that
reads that survey, not here.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from rhoresearch.exceptions import InputError
from rhoresearch.stats._docs import shared_docs
from rhoresearch.stats.indicators import proportion
from rhoresearch.validation import (
    as_columns,
    check_confidence,
    check_frame,
    format_rows,
    require_columns,
)

__all__ = [
    "WEIGHT_SUMMARY_COLUMNS",
    "effective_sample_size",
    "weighted_percentages",
    "weight_summary",
]

logger = logging.getLogger(__name__)

#: The columns of :func:`weighted_percentages` after ``outcome`` and the ``by`` columns.
_PERCENTAGE_COLUMNS = [
    "n_respondents",
    "n_positive",
    "n_not_positive",
    "weighted_n",
    "effective_n",
    "value",
    "lower_ci",
    "upper_ci",
    "confidence",
    "statistic",
    "method",
]

#: The columns of :func:`weight_summary` after the ``by`` columns.
WEIGHT_SUMMARY_COLUMNS = [
    "n_respondents",
    "weighted_n",
    "effective_n",
    "design_effect",
    "weight_min",
    "weight_median",
    "weight_max",
]


def effective_sample_size(weights: ArrayLike) -> float:
    """Kish's effective sample size of a set of weights: ``(sum w)^2 / sum w^2``.

    Parameters
    ----------
    weights : array-like
        Non-negative weights (a list, an array or a Series such as ``data["weight"]``); missing
        values are ignored.

    Returns
    -------
    float
        The effective sample size: the number of weights when all are equal, less when they vary,
        0 when there are none (or all are 0).

    Raises
    ------
    InputError
        A weight is negative.

    Notes
    -----
    ``n_eff = n / (1 + cv^2)`` where ``cv`` is the coefficient of variation of the weights (with the
    population variance): the number of unweighted observations that would give the same variance of
    a weighted mean, and ``deff = n / n_eff`` is Kish's design effect due to unequal weighting. For
    weights 1, 2, 3: ``n_eff = 6^2 / 14 = 2.571``.

    References
    ----------
    Kish L. Survey Sampling. New York: Wiley, 1965, section 11.7.
    Kish L. Weighting for unequal Pi. J Off Stat 1992;8:183-200.
    """
    w = pd.to_numeric(pd.Series(weights), errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    w = w[~np.isnan(w)]
    if (w < 0).any():
        raise InputError(f"effective_sample_size: weights must be >= 0; got {sorted(w[w < 0])[:5]}")
    total = w.sum()
    squares = (w**2).sum()
    return float(total**2 / squares) if squares > 0 else 0.0


@shared_docs
def weighted_percentages(
    data: pd.DataFrame,
    *,
    outcomes: str | Sequence[str],
    weight: str,
    by: str | Sequence[str] | None = None,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Weighted percentage with a positive outcome, by group, with Wilson intervals on the Kish n_eff.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent with 0/1/missing outcome columns; not modified.
    outcomes : str or sequence of str
        The outcome columns (1 = positive, 0 = not, missing = not counted); one block of rows each.
    weight : str
        The survey weight column (rows whose weight is missing or not above 0 are left out).
    {row_groups}
    {level}

    Returns
    -------
    pandas.DataFrame
        One row per outcome and group, outcomes in the order given: ``outcome`` (the outcome
        column's name), the ``by`` columns, ``n_respondents`` (respondents with a counted answer and
        a weight, int), ``n_positive`` and ``n_not_positive`` (unweighted, int), ``weighted_n``
        (sum of the weights), ``effective_n`` (Kish), ``value`` (weighted percentage, 0-100),
        ``lower_ci``, ``upper_ci``, ``confidence``, ``statistic`` (``"weighted percentage"``),
        ``method`` (``"Wilson on Kish effective sample size"``).

    Raises
    ------
    InputError
        ``data`` is not a DataFrame, a column is missing, an outcome holds a value other than 0, 1
        or missing, or ``confidence`` is out of range.

    Notes
    -----
    The point estimate is the weighted mean ``p = sum(w y) / sum(w)`` over the group's respondents
    with a counted answer. The interval is the Wilson score interval (computed by
    :func:`rhoresearch.stats.indicators.proportion`) for ``p`` with the sample size replaced by
    Kish's effective sample size of the group, ``n_eff = (sum w)^2 / sum w^2``: the interval for
    ``p n_eff`` "successes" out of ``n_eff``. This carries the loss of precision due to unequal
    weights (design effect ``n / n_eff``) into the interval; it does not model clustering or
    stratification of the sample design. Korn & Graubard (1998) proposed intervals of this kind
    (with the effective sample size) for proportions estimated from surveys; Dean & Pagano (2015)
    compare them and find the Wilson form on the effective sample size among those with coverage
    closest to nominal.

    Rows with a missing outcome, or a missing or non-positive weight, are left out of that outcome
    only, and their number is logged.

    For a group with weights 1, 2, 1 and outcomes 1, 0, 1: ``p = 2 / 4 = 50%``, ``n_eff = 4^2 / 6
    = 2.667``, and the interval is Wilson's for 1.333 successes out of 2.667.

    References
    ----------
    Kish L. Survey Sampling. New York: Wiley, 1965.
    Wilson EB. Probable inference, the law of succession, and statistical inference. J Am Stat Assoc
    1927;22:209-12.
    Korn EL, Graubard BI. Confidence intervals for proportions with small expected number of
    positive counts estimated from survey data. Surv Methodol 1998;24:193-201.
    Dean N, Pagano M. Evaluating confidence interval methods for binomial proportions in clustered
    surveys. J Surv Stat Methodol 2015;3:484-503.
    """
    func = "weighted_percentages"
    check_frame(data, func=func)
    outcome_cols = as_columns(outcomes, func=func, name="outcomes")
    if not outcome_cols:
        raise InputError(f"{func}: give at least one outcome column")
    cols = as_columns(by, func=func)
    require_columns(data, [*outcome_cols, weight, *cols], func=func)
    confidence = check_confidence(confidence, func=func)
    w_all = pd.to_numeric(data[weight], errors="coerce")
    frames = []
    for q in outcome_cols:
        y = pd.to_numeric(data[q], errors="coerce")
        bad_y = y.notna() & ~y.isin([0, 1])
        if bad_y.any():
            raise InputError(
                f"{func}: outcome {q!r} must be 0, 1 or missing; rows "
                f"{format_rows(data.index[bad_y])} hold {list(y[bad_y][:5])}"
            )
        keep = y.notna() & w_all.notna() & (w_all > 0)
        n_excluded = int((~keep).sum())
        if n_excluded:
            logger.info("%s %s: %d rows excluded (no answer or weight)", func, q, n_excluded)
        work = data.loc[keep, cols].copy()
        work["_y"] = y[keep].to_numpy(dtype=float)
        work["_w"] = w_all[keep].to_numpy(dtype=float)
        work["_wy"] = work["_w"] * work["_y"]
        work["_w2"] = work["_w"] ** 2
        if cols:
            agg = (
                work.groupby(cols, observed=True, sort=True)
                .agg(
                    n_respondents=("_y", "size"),
                    n_positive=("_y", "sum"),
                    weighted_n=("_w", "sum"),
                    _wy=("_wy", "sum"),
                    _w2=("_w2", "sum"),
                )
                .reset_index()
            )
        else:
            agg = pd.DataFrame(
                {
                    "n_respondents": [len(work)],
                    "n_positive": [work["_y"].sum()],
                    "weighted_n": [work["_w"].sum()],
                    "_wy": [work["_wy"].sum()],
                    "_w2": [work["_w2"].sum()],
                }
            )
        agg["n_respondents"] = agg["n_respondents"].astype("int64")
        agg["n_positive"] = agg["n_positive"].round().astype("int64")
        agg["n_not_positive"] = agg["n_respondents"] - agg["n_positive"]
        agg["effective_n"] = np.where(agg["_w2"] > 0, agg["weighted_n"] ** 2 / agg["_w2"], 0.0)
        p = np.where(agg["weighted_n"] > 0, agg["_wy"] / agg["weighted_n"], np.nan)
        est = pd.DataFrame(
            {
                "_row": np.arange(len(agg)),
                "_num": p * agg["effective_n"].to_numpy(),
                "_den": agg["effective_n"].to_numpy(),
            }
        )
        res = proportion(
            est,
            numerator="_num",
            denominator="_den",
            by="_row",
            confidence=confidence,
            multiplier=100,
        )
        res = res.set_index("_row").reindex(np.arange(len(agg)))
        agg["value"] = 100 * p
        agg["lower_ci"] = res["lower_ci"].to_numpy()
        agg["upper_ci"] = res["upper_ci"].to_numpy()
        agg["confidence"] = confidence
        agg["statistic"] = "weighted percentage"
        agg["method"] = "Wilson on Kish effective sample size"
        agg.insert(0, "outcome", q)
        frames.append(agg[["outcome", *cols, *_PERCENTAGE_COLUMNS]])
    return pd.concat(frames, ignore_index=True)


@shared_docs
def weight_summary(
    data: pd.DataFrame, *, weight: str, by: str | Sequence[str] | None = None
) -> pd.DataFrame:
    """Spread of the survey weights and the precision they cost, by group.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent; not modified.
    weight : str
        The weight column.
    {row_groups}

    Returns
    -------
    pandas.DataFrame
        One row per group: the ``by`` columns, ``n_respondents`` (respondents with a weight, int),
        ``weighted_n`` (sum of weights), ``effective_n`` (Kish's effective sample size),
        ``design_effect`` (``n_respondents / effective_n``, Kish's design effect due to unequal
        weighting), ``weight_min``, ``weight_median``, ``weight_max``.

    Raises
    ------
    InputError
        ``data`` is not a DataFrame or a column is missing.

    Notes
    -----
    Weights 1, 2, 3 give ``weighted_n = 6``, ``effective_n = 36 / 14 = 2.571`` and
    ``design_effect = 3 / 2.571 = 1.167``. Missing weights are not counted.

    References
    ----------
    Kish L. Survey Sampling. New York: Wiley, 1965.
    Kish L. Weighting for unequal Pi. J Off Stat 1992;8:183-200.
    """
    func = "weight_summary"
    check_frame(data, func=func)
    cols = as_columns(by, func=func)
    require_columns(data, [weight, *cols], func=func)
    w = pd.to_numeric(data[weight], errors="coerce")
    work = data[cols].assign(_w=w, _w2=w**2)
    if cols:
        g = work.groupby(cols, observed=True, sort=True)["_w"]
        out = g.agg(
            n_respondents="count",
            weighted_n="sum",
            weight_min="min",
            weight_median="median",
            weight_max="max",
        ).reset_index()
        sq = work.groupby(cols, observed=True, sort=True)["_w2"].sum().to_numpy()
    else:
        out = pd.DataFrame(
            {
                "n_respondents": [int(w.count())],
                "weighted_n": [w.sum()],
                "weight_min": [w.min()],
                "weight_median": [w.median()],
                "weight_max": [w.max()],
            }
        )
        sq = np.array([work["_w2"].sum()])
    out["n_respondents"] = out["n_respondents"].astype("int64")
    out["effective_n"] = out["weighted_n"] ** 2 / sq
    out["design_effect"] = out["n_respondents"] / out["effective_n"]
    return out[[*cols, *WEIGHT_SUMMARY_COLUMNS]]
