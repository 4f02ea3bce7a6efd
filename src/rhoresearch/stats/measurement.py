"""Agreement between two methods of measurement: Bland-Altman bias and limits of agreement.

==================================  ================================================================
function                            what it gives
==================================  ================================================================
:func:`bland_altman`                mean bias (measured - reference) with a subject-clustered
                                    interval, limits of agreement allowing repeated measurements per
                                    subject, root mean square difference; by group
:func:`bland_altman_exclusions`     the rows :func:`bland_altman` leaves out, by reason (the one
                                    exclusions layout of :mod:`rhoresearch.results`)
==================================  ================================================================

Pure computation: the frame functions take a DataFrame first and keyword-only options, never modify
their input, and return a new tidy frame (one row per group, snake_case columns). Confidence levels
follow the one rule of :mod:`rhoresearch.validation` (a fraction in [0.9, 1)).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from rhoresearch import lazy
from rhoresearch.stats import _core as S
from rhoresearch.stats._docs import shared_docs
from rhoresearch.validation import as_columns, check_confidence, check_frame, require_columns

# imported by the first interval or test computed, not with the package (rhoresearch.lazy)
stats = lazy.module("scipy.stats")

__all__ = ["BLAND_ALTMAN_COLUMNS", "bland_altman", "bland_altman_exclusions"]

logger = logging.getLogger(__name__)

#: The columns of :func:`bland_altman` after the ``by`` columns.
BLAND_ALTMAN_COLUMNS = [
    "n_pairs",
    "n_subjects",
    "mean_bias",
    "lower_ci",
    "upper_ci",
    "sd_between",
    "sd_within",
    "sd_difference",
    "loa_lower",
    "loa_upper",
    "rms_difference",
    "confidence",
    "agreement",
    "method",
]


def _needed(measured: str, reference: str, subject: str | None, by: list[str]) -> list[str]:
    """The columns a pair needs to be used, in the order exclusions are reported."""
    return [measured, reference, *([subject] if subject is not None else []), *by]


def _one_group(d: np.ndarray, subj: np.ndarray, confidence: float, loa_z: float) -> dict[str, Any]:
    """Bland-Altman statistics of one group's differences ``d`` with subject labels ``subj``."""
    n = d.size
    codes, inverse = np.unique(subj, return_inverse=True)
    k = codes.size
    m = np.bincount(inverse).astype(float)
    sums = np.bincount(inverse, weights=d)
    mean = d.mean()
    subject_means = sums / m
    ss_within = float(((d - subject_means[inverse]) ** 2).sum())
    ms_within = ss_within / (n - k) if n > k else np.nan
    ms_between = float((m * (subject_means - mean) ** 2).sum() / (k - 1)) if k > 1 else np.nan
    divisor = (n**2 - (m**2).sum()) / ((k - 1) * n) if k > 1 else np.nan
    if k > 1 and n > k and divisor > 0:
        var_between = max((ms_between - ms_within) / divisor, 0.0)
        var_within = ms_within
    else:  # one measurement per subject (or one subject): ordinary SD of the differences
        var_between = 0.0
        var_within = float(d.var(ddof=1)) if n > 1 else np.nan
    sd = float(np.sqrt(var_between + var_within))
    # mean bias: subject-clustered (sandwich) standard error, t with k - 1 degrees of freedom
    if k > 1:
        resid = sums - m * mean
        se = float(np.sqrt(k / (k - 1) * (resid**2).sum()) / n)
        t = float(stats.t.ppf(0.5 + confidence / 2, k - 1))
    else:
        se, t = np.nan, np.nan
    return {
        "n_pairs": int(n),
        "n_subjects": int(k),
        "mean_bias": float(mean),
        "lower_ci": mean - t * se,
        "upper_ci": mean + t * se,
        "sd_between": float(np.sqrt(var_between)),
        "sd_within": float(np.sqrt(var_within)),
        "sd_difference": sd,
        "loa_lower": float(mean - loa_z * sd),
        "loa_upper": float(mean + loa_z * sd),
        "rms_difference": float(np.sqrt(np.mean(d**2))),
    }


@shared_docs
def bland_altman(
    data: pd.DataFrame,
    *,
    measured: str,
    reference: str,
    subject: str | None = None,
    by: str | Sequence[str] | None = None,
    confidence: float = 0.95,
    agreement: float = 0.95,
) -> pd.DataFrame:
    """Mean bias and limits of agreement of a method against a reference, by group.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per pair of measurements (the same subject measured both ways); not modified.
    measured, reference : str
        The method assessed and the reference method (numeric columns, same units).
    subject : str, optional
        Identifies the subject measured, when subjects contribute several pairs (repeated
        measurements are not independent). ``None``: every pair is its own subject (the classic
        analysis of Bland & Altman 1986).
    {row_groups}
    {level}
    agreement : float, default 0.95
        Coverage of the limits of agreement, a fraction in [0.9, 1) (0.95: mean +/- 1.96 SD).

    Returns
    -------
    pandas.DataFrame
        One row per group: the ``by`` columns, ``n_pairs`` (pairs used), ``n_subjects``,
        ``mean_bias`` (mean of ``measured - reference`` over pairs), ``lower_ci``, ``upper_ci`` (the
        interval for the mean bias, at level ``confidence``), ``sd_between`` and ``sd_within`` (between- and within-subject SD of the
        differences), ``sd_difference`` (total SD, ``sqrt(sd_between^2 + sd_within^2)``),
        ``loa_lower``, ``loa_upper`` (limits of agreement), ``rms_difference`` (root mean square
        of the differences), ``confidence``, ``agreement``, ``method``.

    Raises
    ------
    InputError
        ``data`` is not a DataFrame, a column is missing, a measurement column holds non-numeric
        or infinite values, or a level is outside [0.9, 1).

    Notes
    -----
    The difference is ``d = measured - reference`` (positive: the method reads high). With ``n``
    pairs from ``k`` subjects, subject ``i`` contributing ``m_i`` pairs with sum ``S_i``:

    - *Limits of agreement*: the SD of all differences understates how far a new measurement can
      fall when subjects contribute several pairs, so the SD follows Bland & Altman (2007, section
      3, "true value varies"): a one-way analysis of variance of ``d`` by subject gives the
      within-subject mean square ``MSw`` and the between-subject mean square ``MSb``;
      ``sd_between^2 = (MSb - MSw) / ((n^2 - sum m_i^2) / ((k - 1) n))`` (0 if negative),
      ``sd_within^2 = MSw``, and the limits are ``mean_bias +/- z sqrt(sd_between^2 +
      sd_within^2)`` with ``z`` the normal quantile for ``agreement``. With one pair per subject
      this is the classic ``mean +/- z SD`` (Bland & Altman 1986).
    - *Interval for the mean bias*: a subject-clustered (sandwich) standard error
      ``se = sqrt(k / (k - 1) sum_i (S_i - m_i mean)^2) / n`` and a t quantile with ``k - 1``
      degrees of freedom; with one pair per subject ``se = SD / sqrt(n)``, the ordinary t interval.
    - ``rms_difference = sqrt(mean(d^2))`` combines bias and spread (for pulse oximeters it is the
      *accuracy root mean square*, ARMS, of ISO 80601-2-61).

    Pairs missing ``measured``, ``reference``, ``subject`` or a ``by`` value are left out and their
    number logged; :func:`bland_altman_exclusions` (same arguments) counts them by reason. A group
    with one pair has missing SDs and interval; a group with one subject has a missing interval.

    For differences 1 and 3 from subject A and 5 from subject B: ``mean_bias = 3``, ``MSw = 2``,
    ``MSb = 6``, divisor ``4/3``, so ``sd_between^2 = 3``, ``sd_within^2 = 2`` and
    ``sd_difference = sqrt(5)``; ``se = sqrt(2 * 8) / 3 = 4/3``.

    References
    ----------
    Bland JM, Altman DG. Statistical methods for assessing agreement between two methods of clinical
    measurement. Lancet 1986;i:307-10.
    Bland JM, Altman DG. Agreement between methods of measurement with multiple observations per
    individual. J Biopharm Stat 2007;17:571-82.
    Liang KY, Zeger SL. Longitudinal data analysis using generalized linear models. Biometrika
    1986;73:13-22 (the clustered standard error).
    ISO 80601-2-61:2017. Medical electrical equipment: particular requirements for basic safety and
    essential performance of pulse oximeter equipment (ARMS).
    """
    func = "bland_altman"
    check_frame(data, func=func)
    cols = as_columns(by, func=func)
    needed = _needed(measured, reference, subject, cols)
    require_columns(data, needed, func=func)
    confidence = check_confidence(confidence, func=func)
    agreement = check_confidence(agreement, func=func)
    loa_z = S.z_value(agreement)
    diff = S.numeric(data, measured, func, negative_ok=True) - S.numeric(
        data, reference, func, negative_ok=True
    )
    keep = ~np.isnan(diff)
    for col in needed[2:]:
        keep &= data[col].notna().to_numpy()
    n_excluded = int((~keep).sum())
    if n_excluded:
        logger.info("%s: %d pairs excluded (a value missing)", func, n_excluded)
    work = data.loc[keep, cols].copy()
    work["_d"] = diff[keep]
    if subject is not None:
        work["_subject"] = data.loc[keep, subject].astype("string").to_numpy()
    else:
        work["_subject"] = np.arange(len(work))
    groups = work.groupby(cols, observed=True, sort=True) if cols else [((), work)]
    rows = []
    for key, sub in groups:
        key = key if isinstance(key, tuple) else (key,)
        rows.append(
            dict(zip(cols, key, strict=True))
            | _one_group(sub["_d"].to_numpy(), sub["_subject"].to_numpy(), confidence, loa_z)
        )
    out = pd.DataFrame(rows, columns=[*cols, *BLAND_ALTMAN_COLUMNS[:-3]])
    out["confidence"] = confidence
    out["agreement"] = agreement
    out["method"] = (
        "Bland-Altman 2007 (repeated measures); subject-clustered CI for the mean"
        if subject is not None
        else "Bland-Altman 1986; t interval for the mean"
    )
    return out


def bland_altman_exclusions(
    data: pd.DataFrame,
    *,
    measured: str,
    reference: str,
    subject: str | None = None,
    by: str | Sequence[str] | None = None,
    step: str = "Bland-Altman",
) -> pd.DataFrame:
    """The pairs :func:`bland_altman` leaves out (a value missing), by reason.

    Parameters
    ----------
    data : pandas.DataFrame
        The frame given to :func:`bland_altman`; not modified.
    measured, reference, subject, by
        As for :func:`bland_altman`.
    step : str, default "Bland-Altman"
        The ``step`` of every row.

    Returns
    -------
    pandas.DataFrame
        The exclusions layout of :func:`rhoresearch.results.exclusions_table`: ``step``, ``reason``
        (``"missing <column>"``), ``rows`` (pairs); one row per column with missing values, in the
        order measured, reference, subject, by; no rows when every pair is complete. A pair
        missing several values is counted under each.

    Raises
    ------
    InputError
        ``data`` is not a DataFrame or a column is missing.

    References
    ----------
    Bland JM, Altman DG. Agreement between methods of measurement with multiple observations per
    individual. J Biopharm Stat 2007;17:571-82.
    """
    func = "bland_altman_exclusions"
    needed = _needed(measured, reference, subject, as_columns(by, func=func))
    return S.column_exclusions(data, needed, func=func, step=step)
