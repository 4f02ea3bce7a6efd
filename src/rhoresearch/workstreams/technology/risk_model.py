"""The algorithm audit: a clinical risk score's calibration, error rates and AUC by ethnic group.

The methods are those of :mod:`rhoresearch.stats.discrimination`; the functions here apply them to
a risk-score extract (:data:`~rhoresearch.workstreams.technology.RISK_SCORE_SCHEMA`: columns
``predicted_risk`` and ``outcome`` by default) and return the rows left out beside each table.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypedDict

import pandas as pd

from rhoresearch.results import Result
from rhoresearch.stats import discrimination
from rhoresearch.workstreams import _wording

__all__ = ["calibration", "classification_rates", "auc"]


class _Columns(TypedDict):
    """The columns an audit reads, given alike to its measure and to its exclusions."""

    predicted: str
    observed: str
    by: str | Sequence[str] | None


#: The entries of the audits' docstrings that are not those of the statistics functions.
_PARAMETERS = {
    "data": "data : pandas.DataFrame\n    One row per scored admission; not modified.",
    "predicted_observed": (
        'predicted, observed : str, default "predicted_risk", "outcome"\n'
        "    Predicted risk and observed outcome (0/1) columns."
    ),
}


@_wording.document(_PARAMETERS, _wording.parameters(discrimination.calibration))
def calibration(
    data: pd.DataFrame,
    *,
    predicted: str = "predicted_risk",
    observed: str = "outcome",
    by: str | Sequence[str] | None = None,
    confidence: float = 0.95,
) -> Result:
    """Calibration of the risk score by group: observed/expected, calibration-in-the-large, slope.

    Parameters
    ----------
    {data}
    predicted : str, default "predicted_risk"
        Predicted probability, strictly between 0 and 1.
    observed : str, default "outcome"
        Observed outcome, 0 or 1.
    {by}
    {confidence}

    Returns
    -------
    rhoresearch.results.Result
        ``table``: :func:`rhoresearch.stats.discrimination.calibration` (three rows per group,
        ``measure`` "observed/expected", "calibration-in-the-large", "calibration slope";
        columns the ``by`` columns, ``measure``, ``n_scored``, ``n_events``, ``expected_events``,
        ``value``, ``lower_ci``, ``upper_ci``, ``confidence``, ``method``). ``exclusions``: rows
        without a prediction, an outcome or a group (``step`` "calibration"; see
        :func:`rhoresearch.stats.discrimination.score_exclusions`).

    References
    ----------
    Cox DR. Two further applications of a model for binary regression. Biometrika 1958;45:562-5.
    Van Calster B, McLernon DJ, van Smeden M, et al. Calibration: the Achilles heel of predictive
    analytics. BMC Med 2019;17:230.
    """
    columns = _Columns(predicted=predicted, observed=observed, by=by)
    table = discrimination.calibration(data, **columns, confidence=confidence)
    return Result(table, discrimination.score_exclusions(data, **columns, step="calibration"))


@_wording.document(_PARAMETERS, _wording.parameters(discrimination.classification_rates))
def classification_rates(
    data: pd.DataFrame,
    *,
    threshold: float,
    predicted: str = "predicted_risk",
    observed: str = "outcome",
    by: str | Sequence[str] | None = None,
    confidence: float = 0.95,
) -> Result:
    """True and false positive rates of the risk score at a threshold, by group.

    Parameters
    ----------
    {data}
    threshold : float
        A predicted risk at or above it counts as a positive (flagged) result.
    {predicted_observed}
    {by}
    {confidence}

    Returns
    -------
    rhoresearch.results.Result
        ``table``: :func:`rhoresearch.stats.discrimination.classification_rates` (two rows per
        group, ``measure`` "false positive rate" and "true positive rate": the ``by`` columns,
        ``measure``, ``numerator``, ``denominator``, ``value`` percentage, ``lower_ci``,
        ``upper_ci``, ``confidence``, ``statistic``, ``method``, ``note``, ``threshold``).
        ``exclusions``: rows without a prediction, an outcome or a group (``step`` "error rates").

    References
    ----------
    Hardt M, Price E, Srebro N. Equality of opportunity in supervised learning. NeurIPS 2016.
    Obermeyer Z, Powers B, Vogeli C, Mullainathan S. Dissecting racial bias in an algorithm used
    to manage the health of populations. Science 2019;366:447-53.
    """
    columns = _Columns(predicted=predicted, observed=observed, by=by)
    table = discrimination.classification_rates(
        data, **columns, threshold=threshold, confidence=confidence
    )
    return Result(table, discrimination.score_exclusions(data, **columns, step="error rates"))


@_wording.document(_PARAMETERS, _wording.parameters(discrimination.auc))
def auc(
    data: pd.DataFrame,
    *,
    predicted: str = "predicted_risk",
    observed: str = "outcome",
    by: str | Sequence[str] | None = None,
    confidence: float = 0.95,
    method: str = "delong",
) -> Result:
    """Area under the ROC curve of the risk score by group (DeLong or Hanley-McNeil intervals).

    Parameters
    ----------
    {data}
    {predicted_observed}
    {by}
    {confidence}
    {method}

    Returns
    -------
    rhoresearch.results.Result
        ``table``: :func:`rhoresearch.stats.discrimination.auc` (one row per group: the ``by``
        columns, ``n_events``, ``n_non_events``, ``value``, ``standard_error``, ``lower_ci``,
        ``upper_ci``, ``confidence``, ``method``). ``exclusions``: rows without a prediction, an
        outcome or a group (``step`` "AUC").

    References
    ----------
    DeLong ER, DeLong DM, Clarke-Pearson DL. Comparing the areas under two or more correlated
    receiver operating characteristic curves: a nonparametric approach. Biometrics 1988;44:837-45.
    Hanley JA, McNeil BJ. The meaning and use of the area under a receiver operating characteristic
    (ROC) curve. Radiology 1982;143:29-36.
    """
    columns = _Columns(predicted=predicted, observed=observed, by=by)
    table = discrimination.auc(data, **columns, confidence=confidence, method=method)
    return Result(table, discrimination.score_exclusions(data, **columns, step="AUC"))
