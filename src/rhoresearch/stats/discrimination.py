"""How well a score or predicted risk separates and predicts a binary outcome, by group.

==============================  ====================================================================
function                        what it gives
==============================  ====================================================================
:func:`auc`                     area under the ROC curve (c statistic) with DeLong or Hanley-McNeil
                                intervals
:func:`hanley_mcneil_se`        Hanley & McNeil's standard error of an AUC (one number)
:func:`calibration`             observed/expected, calibration-in-the-large and calibration slope
:func:`classification_rates`    true and false positive rates at a threshold (Wilson intervals)
:func:`score_exclusions`        the rows the functions above leave out, by reason (the one
                                exclusions layout of :mod:`rhoresearch.results`)
==============================  ====================================================================

Pure computation: the frame functions take a DataFrame first and keyword-only options, never modify
their input, and return a new tidy frame (one row per group and measure, snake_case columns). Rows
without a score, an outcome or a ``by`` value are left out (logged; :func:`score_exclusions` counts
them). Outcomes must be 0 or 1. Confidence levels follow the one rule of
:mod:`rhoresearch.validation` (a fraction in [0.9, 1)).
"""

from __future__ import annotations

import logging
import numbers
from collections.abc import Callable, Iterator, Sequence
from functools import partial
from typing import Any

import numpy as np
import pandas as pd

from rhoresearch import lazy
from rhoresearch.exceptions import InputError
from rhoresearch.stats import _core as S
from rhoresearch.stats._docs import shared_docs
from rhoresearch.stats.indicators import proportion, rate
from rhoresearch.validation import (
    as_columns,
    check_confidence,
    check_frame,
    format_rows,
    require_columns,
)

# imported by the first interval or test computed, not with the package (rhoresearch.lazy)
stats = lazy.module("scipy.stats")

# imported by the first model fitted, not with the package (rhoresearch.lazy)
sm = lazy.module("statsmodels.api")

__all__ = [
    "auc",
    "hanley_mcneil_se",
    "calibration",
    "classification_rates",
    "score_exclusions",
]

logger = logging.getLogger(__name__)

_AUC_METHODS = {"delong": "DeLong", "hanley_mcneil": "Hanley-McNeil"}

#: The columns of :func:`calibration` after the ``by`` columns.
_CALIBRATION_COLUMNS = [
    "measure",
    "n_scored",
    "n_events",
    "expected_events",
    "value",
    "lower_ci",
    "upper_ci",
    "confidence",
    "method",
]


# --------------------------------------------------------------------------------------------------
# shared steps
# --------------------------------------------------------------------------------------------------


def _scores(
    data: pd.DataFrame,
    *,
    predicted: str,
    observed: str,
    by: str | Sequence[str] | None,
    func: str,
    probabilities: bool,
) -> tuple[pd.DataFrame, list[str]]:
    """Check the inputs; return the complete rows (``by`` columns, ``_p``, ``_y``) and ``by``.

    Outcomes must be 0 or 1; with ``probabilities`` the scores must lie strictly between 0 and 1.
    """
    check_frame(data, func=func)
    cols = as_columns(by, func=func)
    require_columns(data, [predicted, observed, *cols], func=func)
    p = S.numeric(data, predicted, func, negative_ok=True)
    y = S.numeric(data, observed, func, negative_ok=True)
    bad_y = ~np.isnan(y) & ~np.isin(y, [0, 1])
    if bad_y.any():
        raise InputError(
            f"{func}: column {observed!r} must be 0 or 1; rows {format_rows(data.index[bad_y])} "
            f"hold {list(y[bad_y][:5])}"
        )
    bad_p = ~np.isnan(p) & ((p <= 0) | (p >= 1))
    if probabilities and bad_p.any():
        raise InputError(
            f"{func}: column {predicted!r} must lie strictly between 0 and 1; rows "
            f"{format_rows(data.index[bad_p])} hold {list(p[bad_p][:5])}"
        )
    keep = ~np.isnan(p) & ~np.isnan(y)
    for col in cols:
        keep &= data[col].notna().to_numpy()
    if (~keep).any():
        logger.info("%s: %d rows excluded (a value missing)", func, int((~keep).sum()))
    work = data.loc[keep, cols].copy()
    work["_p"] = p[keep]
    work["_y"] = y[keep]
    return work, cols


def _groups(work: pd.DataFrame, cols: list[str]) -> Iterator[tuple[dict[str, Any], pd.DataFrame]]:
    """``(key dict, sub-frame)`` per group, sorted (categories in their order); one if no ``cols``."""
    if not cols:
        yield {}, work
        return
    for key, sub in work.groupby(cols, observed=True, sort=True):
        key = key if isinstance(key, tuple) else (key,)
        yield dict(zip(cols, key, strict=True)), sub


#: ``rows(key, predicted, observed, confidence, z)``: one group's output rows (dicts).
_GroupRows = Callable[[dict[str, Any], np.ndarray, np.ndarray, float, float], list[dict[str, Any]]]


def _per_group(
    work: pd.DataFrame,
    cols: list[str],
    confidence: float,
    columns: Sequence[str],
    rows: _GroupRows,
) -> pd.DataFrame:
    """Each group's rows of the scored rows ``work`` (from :func:`_scores`), as a frame with the
    ``by`` columns ``cols``, ``columns`` and ``confidence``: :func:`auc` and :func:`calibration`
    differ only in ``rows``."""
    z = S.z_value(confidence)
    out = pd.DataFrame(
        [
            row
            for key, sub in _groups(work, cols)
            for row in rows(key, sub["_p"].to_numpy(), sub["_y"].to_numpy(), confidence, z)
        ],
        columns=[*cols, *columns],
    )
    out["confidence"] = confidence
    return out


def score_exclusions(
    data: pd.DataFrame,
    *,
    predicted: str,
    observed: str,
    by: str | Sequence[str] | None = None,
    step: str = "scored rows",
) -> pd.DataFrame:
    """The rows :func:`auc`, :func:`calibration` and :func:`classification_rates` leave out.

    Parameters
    ----------
    data : pandas.DataFrame
        The frame given to those functions; not modified.
    predicted, observed, by
        As for those functions.
    step : str, default "scored rows"
        The ``step`` of every row.

    Returns
    -------
    pandas.DataFrame
        The exclusions layout of :func:`rhoresearch.results.exclusions_table`: ``step``, ``reason``
        (``"missing <column>"``), ``rows``; one row per column with missing values, in the order
        predicted, observed, by; no rows when every row is complete. A row missing several values
        is counted under each.

    Raises
    ------
    InputError
        ``data`` is not a DataFrame or a column is missing.

    References
    ----------
    Steyerberg EW. Clinical Prediction Models, 2nd ed. Springer, 2019 (complete-case validation).
    """
    func = "score_exclusions"
    columns = [predicted, observed, *as_columns(by, func=func)]
    return S.column_exclusions(data, columns, func=func, step=step)


# --------------------------------------------------------------------------------------------------
# AUC
# --------------------------------------------------------------------------------------------------


def _midranks(x: np.ndarray) -> np.ndarray:
    return stats.rankdata(x, method="average")


def _auc_delong(pos: np.ndarray, neg: np.ndarray) -> tuple[float, float]:
    """AUC and DeLong's standard error from the scores of events ``pos`` and non-events ``neg``."""
    m, n = pos.size, neg.size
    tz = _midranks(np.concatenate([pos, neg]))
    tx = _midranks(pos)
    ty = _midranks(neg)
    auc_value = (tz[:m].sum() - m * (m + 1) / 2) / (m * n)
    v10 = (tz[:m] - tx) / n
    v01 = 1 - (tz[m:] - ty) / m
    s10 = v10.var(ddof=1) if m > 1 else np.nan
    s01 = v01.var(ddof=1) if n > 1 else np.nan
    return float(auc_value), float(np.sqrt(s10 / m + s01 / n))


def hanley_mcneil_se(value: float, *, n_events: int, n_non_events: int) -> float:
    """Hanley & McNeil's standard error of an area under the ROC curve.

    Parameters
    ----------
    value : float
        The AUC, in [0, 1].
    n_events, n_non_events : int
        Numbers of people with (``m``) and without (``n``) the outcome, each at least 1.

    Returns
    -------
    float
        ``sqrt((A(1 - A) + (m - 1)(Q1 - A^2) + (n - 1)(Q2 - A^2)) / (m n))`` with
        ``Q1 = A / (2 - A)`` and ``Q2 = 2 A^2 / (1 + A)`` (a negative variance gives 0).

    Raises
    ------
    InputError
        ``value`` outside [0, 1] or not a number; a count below 1 or not a whole number.

    Notes
    -----
    The formula assumes the scores of the two classes follow exponential distributions; it needs
    only the AUC and the two counts, so it also serves to plan a study's size. For the
    published example (A = 0.893, 51 abnormal and 58 normal images) it gives 0.0325 (published:
    0.032).

    References
    ----------
    Hanley JA, McNeil BJ. The meaning and use of the area under a receiver operating characteristic
    (ROC) curve. Radiology 1982;143:29-36.
    """
    func = "hanley_mcneil_se"
    if (
        isinstance(value, bool)
        or not isinstance(value, numbers.Real)
        or not np.isfinite(value)
        or not 0 <= value <= 1
    ):
        raise InputError(f"{func}: value must be an AUC in [0, 1], got {value!r}")
    for name, count in (("n_events", n_events), ("n_non_events", n_non_events)):
        if (
            isinstance(count, bool)
            or not isinstance(count, (numbers.Integral, np.integer))
            or count < 1
        ):
            raise InputError(f"{func}: {name} must be a whole number of at least 1, got {count!r}")
    return _hanley_mcneil(float(value), int(n_events), int(n_non_events))


def _hanley_mcneil(a: float, m: int, n: int) -> float:
    q1 = a / (2 - a)
    q2 = 2 * a**2 / (1 + a)
    var = (a * (1 - a) + (m - 1) * (q1 - a**2) + (n - 1) * (q2 - a**2)) / (m * n)
    return float(np.sqrt(max(var, 0.0)))


@shared_docs
def auc(
    data: pd.DataFrame,
    *,
    predicted: str,
    observed: str,
    by: str | Sequence[str] | None = None,
    confidence: float = 0.95,
    method: str = "delong",
) -> pd.DataFrame:
    """Area under the ROC curve (c statistic) by group, with DeLong or Hanley-McNeil intervals.

    Parameters
    ----------
    {scored_data}
    predicted : str
        The score (any real numbers; higher = more likely to have the outcome).
    {observed}
    {row_groups}
    {level}
    method : {"delong", "hanley_mcneil"}, default "delong"
        Standard error of the AUC.

    Returns
    -------
    pandas.DataFrame
        One row per group: the ``by`` columns, ``n_events``, ``n_non_events``, ``value`` (AUC),
        ``standard_error``, ``lower_ci``, ``upper_ci``, ``confidence``, ``method`` (``"DeLong"``
        or ``"Hanley-McNeil"``).

    Raises
    ------
    InputError
        A column is missing, an outcome is not 0 or 1, a score is not a number, ``method`` is
        unknown or ``confidence`` is out of range.

    Notes
    -----
    AUC is the Mann-Whitney probability that a random person with the outcome has a higher score
    than a random person without it, ties counting one half:
    ``AUC = (sum of the mid-ranks of the events - m (m + 1) / 2) / (m n)`` for ``m`` events and
    ``n`` non-events. DeLong's variance is ``S10 / m + S01 / n`` from the variances of the
    structural components ``V10_i = (R_i - R^x_i) / n`` and ``V01_j = 1 - (R_j - R^y_j) / m``
    (mid-ranks in the pooled sample, ``R``, and within each class, ``R^x``, ``R^y``; the fast
    algorithm of Sun & Xu 2014). Hanley-McNeil's is :func:`hanley_mcneil_se`. Intervals are
    ``AUC +/- z se``, clipped to [0, 1] (as pROC does). Groups without both events and non-events
    get a missing AUC. For events scored 0.9, 0.8, 0.4 and non-events 0.7, 0.4, 0.2, 0.1 the AUC is
    10.5 / 12 (the tie at 0.4 counts one half).

    References
    ----------
    DeLong ER, DeLong DM, Clarke-Pearson DL. Comparing the areas under two or more correlated
    receiver operating characteristic curves: a nonparametric approach. Biometrics 1988;44:837-45.
    Sun X, Xu W. Fast implementation of DeLong's algorithm for comparing the areas under correlated
    receiver operating characteristic curves. IEEE Signal Process Lett 2014;21:1389-93.
    Hanley JA, McNeil BJ. The meaning and use of the area under a receiver operating characteristic
    (ROC) curve. Radiology 1982;143:29-36.
    """
    func = "auc"
    if method not in _AUC_METHODS:
        raise InputError(f"{func}: method must be 'delong' or 'hanley_mcneil', got {method!r}")
    confidence = check_confidence(confidence, func=func)
    work, cols = _scores(
        data, predicted=predicted, observed=observed, by=by, func=func, probabilities=False
    )
    out = _per_group(
        work,
        cols,
        confidence,
        ["n_events", "n_non_events", "value", "standard_error", "lower_ci", "upper_ci"],
        partial(_auc_rows, hanley_mcneil=method == "hanley_mcneil"),
    )
    out["method"] = _AUC_METHODS[method]
    return out


def _auc_rows(
    key: dict[str, Any],
    p: np.ndarray,
    y: np.ndarray,
    confidence: float,
    z: float,
    *,
    hanley_mcneil: bool,
) -> list[dict[str, Any]]:
    """:func:`auc`'s row for one group (scores ``p``, outcomes ``y``)."""
    pos, neg = p[y == 1], p[y == 0]
    m, n = pos.size, neg.size
    if m == 0 or n == 0:
        value = se = np.nan
    else:
        value, se = _auc_delong(pos, neg)
        if hanley_mcneil:
            se = _hanley_mcneil(value, m, n)
    return [
        key
        | {
            "n_events": int(m),
            "n_non_events": int(n),
            "value": value,
            "standard_error": se,
            "lower_ci": max(value - z * se, 0.0) if np.isfinite(se) else np.nan,
            "upper_ci": min(value + z * se, 1.0) if np.isfinite(se) else np.nan,
        }
    ]


# --------------------------------------------------------------------------------------------------
# calibration
# --------------------------------------------------------------------------------------------------


def _glm_interval(
    y: np.ndarray, X: np.ndarray, offset: np.ndarray | None, index: int, z: float
) -> tuple[float, float, float]:
    """Estimate and Wald limits of coefficient ``index`` of a binomial GLM."""
    fit = sm.GLM(y, X, family=sm.families.Binomial(), offset=offset).fit()
    est = float(fit.params[index])
    se = float(fit.bse[index])
    return est, est - z * se, est + z * se


@shared_docs
def calibration(
    data: pd.DataFrame,
    *,
    predicted: str,
    observed: str,
    by: str | Sequence[str] | None = None,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Calibration of predicted risks by group: observed/expected, calibration-in-the-large, slope.

    Parameters
    ----------
    {scored_data}
    predicted : str
        Predicted probability, strictly between 0 and 1.
    {observed}
    {row_groups}
    {level}

    Returns
    -------
    pandas.DataFrame
        Three rows per group, one per ``measure``: ``"observed/expected"`` (ratio of observed to
        expected events; 1 = calibrated), ``"calibration-in-the-large"`` (log-odds; 0 =
        calibrated), ``"calibration slope"`` (1 = calibrated). Columns: the ``by`` columns,
        ``measure``, ``n_scored``, ``n_events``, ``expected_events`` (sum of the predicted risks),
        ``value``, ``lower_ci``, ``upper_ci``, ``confidence``, ``method``.

    Raises
    ------
    InputError
        A column is missing, a prediction is not strictly between 0 and 1, an outcome is not 0 or 1,
        or ``confidence`` is out of range.

    Notes
    -----
    Observed/expected is ``sum(y) / sum(p)`` with the interval of
    :func:`rhoresearch.stats.indicators.rate` (``count`` = observed events, ``population`` =
    expected events, ``multiplier=1``: exact Poisson below 10 events, Byar's method from 10), the
    usual treatment of the expected count as fixed (as for a standardised ratio).
    Calibration-in-the-large is the intercept ``a`` of ``logit P(y=1) = a + offset(logit p)``;
    the calibration slope is ``b`` of ``logit P(y=1) = a + b logit p`` (Cox 1958); both are fitted
    by maximum likelihood (a binomial GLM) with Wald intervals, and are missing for a group whose
    outcomes are all 0 or all 1. A slope below 1 means predictions are too extreme; a positive
    calibration-in-the-large means risk is under-predicted. With five people predicted 0.2 (one
    event) and five predicted 0.5 (three events), observed/expected is 4 / 3.5 and the slope model
    is saturated: it reproduces the observed 0.2 and 0.6.

    References
    ----------
    Cox DR. Two further applications of a model for binary regression. Biometrika 1958;45:562-5.
    Van Calster B, McLernon DJ, van Smeden M, et al. Calibration: the Achilles heel of predictive
    analytics. BMC Med 2019;17:230.
    Steyerberg EW. Clinical Prediction Models, 2nd ed. Springer, 2019, chapter 15.
    """
    func = "calibration"
    confidence = check_confidence(confidence, func=func)
    work, cols = _scores(
        data, predicted=predicted, observed=observed, by=by, func=func, probabilities=True
    )
    return _per_group(work, cols, confidence, _CALIBRATION_COLUMNS, _calibration_rows)


def _calibration_rows(
    key: dict[str, Any], p: np.ndarray, y: np.ndarray, confidence: float, z: float
) -> list[dict[str, Any]]:
    """:func:`calibration`'s three rows for one group (predicted risks ``p``, outcomes ``y``)."""
    lp = np.log(p / (1 - p))
    n, events, expected = len(y), float(y.sum()), float(p.sum())
    oe = rate(
        pd.DataFrame({"count": [events], "population": [expected]}),
        count="count",
        population="population",
        confidence=confidence,
        multiplier=1,
    ).iloc[0]
    base = key | {"n_scored": n, "n_events": int(events), "expected_events": expected}
    if 0 < events < n:
        citl = _glm_interval(y, np.ones((n, 1)), lp, 0, z)
        slope = _glm_interval(y, np.column_stack([np.ones(n), lp]), None, 1, z)
    else:
        citl = slope = (np.nan, np.nan, np.nan)
    return [
        base
        | {
            "measure": "observed/expected",
            "value": float(oe["value"]),
            "lower_ci": float(oe["lower_ci"]),
            "upper_ci": float(oe["upper_ci"]),
            "method": f"ratio of sums; {oe['method']} interval",
        },
        base
        | dict(zip(["value", "lower_ci", "upper_ci"], citl, strict=True))
        | {
            "measure": "calibration-in-the-large",
            "method": "logistic intercept, logit(p) offset; Wald",
        },
        base
        | dict(zip(["value", "lower_ci", "upper_ci"], slope, strict=True))
        | {
            "measure": "calibration slope",
            "method": "logistic slope on logit(p) (Cox 1958); Wald",
        },
    ]


# --------------------------------------------------------------------------------------------------
# classification at a threshold
# --------------------------------------------------------------------------------------------------


@shared_docs
def classification_rates(
    data: pd.DataFrame,
    *,
    predicted: str,
    observed: str,
    threshold: float,
    by: str | Sequence[str] | None = None,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """True and false positive rates of a score at a threshold, by group, with Wilson intervals.

    Parameters
    ----------
    {scored_data}
    predicted : str
        The score or predicted probability.
    {observed}
    threshold : float
        A score at or above it counts as a positive (flagged) result.
    {row_groups}
    {level}

    Returns
    -------
    pandas.DataFrame
        Two rows per group, ``measure`` ``"false positive rate"`` (flagged among those without the
        outcome) and ``"true positive rate"`` (sensitivity: flagged among those with it), sorted by
        the ``by`` columns then ``measure`` (without ``by``: the true positive rate first), with
        the columns of
        :func:`rhoresearch.stats.indicators.proportion` at ``multiplier=100`` (the ``by`` columns,
        ``measure``, ``numerator`` flagged, ``denominator``, ``value`` percentage, ``lower_ci``,
        ``upper_ci``, ``confidence``, ``statistic``, ``method``, ``note``) and ``threshold``.

    Raises
    ------
    InputError
        A column is missing, an outcome is not 0 or 1, a score or ``threshold`` is not a number, or
        ``confidence`` is out of range.

    Notes
    -----
    Equal true and false positive rates across groups is the "equalised odds" criterion (Hardt et
    al. 2016); a lower true positive rate in one group means its cases are missed more often. The
    Wilson interval treats people as independent. For outcomes 1, 1, 1, 0, 0, 0 scored 0.9, 0.3,
    0.1, 0.25, 0.05, 0.6 at threshold 0.25 both rates are 2/3.

    References
    ----------
    Hardt M, Price E, Srebro N. Equality of opportunity in supervised learning. NeurIPS 2016.
    Obermeyer Z, Powers B, Vogeli C, Mullainathan S. Dissecting racial bias in an algorithm used
    to manage the health of populations. Science 2019;366:447-53.
    Wilson EB. Probable inference, the law of succession, and statistical inference. J Am Stat Assoc
    1927;22:209-12.
    """
    func = "classification_rates"
    if (
        isinstance(threshold, bool)
        or not isinstance(threshold, numbers.Real)
        or not np.isfinite(threshold)
    ):
        raise InputError(f"{func}: threshold must be a number, got {threshold!r}")
    confidence = check_confidence(confidence, func=func)
    work, cols = _scores(
        data, predicted=predicted, observed=observed, by=by, func=func, probabilities=False
    )
    work["_flag"] = (work["_p"] >= threshold).astype(float)
    frames = []
    for measure, outcome in (("true positive rate", 1.0), ("false positive rate", 0.0)):
        sub = work.loc[work["_y"] == outcome].copy()
        sub["_one"] = 1.0
        res = proportion(
            sub,
            numerator="_flag",
            denominator="_one",
            by=cols or None,
            confidence=confidence,
            multiplier=100,
        )
        res.insert(len(cols), "measure", measure)
        frames.append(res)
    out = pd.concat(frames, ignore_index=True)
    out["threshold"] = threshold
    if cols:
        out = out.sort_values([*cols, "measure"], kind="stable", ignore_index=True)
    return out
