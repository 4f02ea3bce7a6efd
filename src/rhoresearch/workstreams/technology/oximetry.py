"""The device audit: pulse oximetry (SpO2) against arterial blood gas (SaO2), by ethnic group.

:func:`device_bias` (mean bias, limits of agreement and ARMS, through
:func:`rhoresearch.stats.measurement.bland_altman`), :func:`flag_occult_hypoxaemia` (the pairs at
risk and which of them hide hypoxaemia), :func:`occult_hypoxaemia_rates` (Wilson percentages) and
:func:`occult_hypoxaemia_odds_ratios` (logistic model with patient-clustered standard errors).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TypedDict

import numpy as np
import pandas as pd

from rhoresearch.exceptions import InputError
from rhoresearch.results import Result, exclusions_table
from rhoresearch.stats import measurement
from rhoresearch.validation import as_columns, check_frame, require_columns
from rhoresearch.workstreams import _frames, _tables, _wording

__all__ = [
    "device_bias",
    "flag_occult_hypoxaemia",
    "occult_hypoxaemia_rates",
    "occult_hypoxaemia_odds_ratios",
]

logger = logging.getLogger(__name__)


class _Columns(TypedDict):
    """The columns the device audit reads, given alike to its statistics and to its exclusions."""

    measured: str
    reference: str
    subject: str
    by: str | Sequence[str] | None


#: The device audit's names of columns of :func:`rhoresearch.stats.measurement.bland_altman`.
_DEVICE_BIAS_NAMES = {"n_subjects": "n_patients", "rms_difference": "arms"}

#: The ``method`` of :func:`device_bias` (the oximetry name for the subject: the patient).
_DEVICE_BIAS_METHOD = "Bland-Altman 2007 (repeated measures); patient-clustered CI for the mean"

#: The entries of this module's docstrings that several of its functions share.
_PARAMETERS = {
    "data": "data : pandas.DataFrame\n    One row per paired reading; not modified.",
    "flagged": (
        "flagged : pandas.DataFrame\n    The table of :func:`flag_occult_hypoxaemia`; not modified."
    ),
}


@_wording.document(_PARAMETERS, _wording.parameters(measurement.bland_altman))
def device_bias(
    data: pd.DataFrame,
    *,
    measured: str = "spo2",
    reference: str = "sao2",
    subject: str = "patient_id",
    by: str | Sequence[str] | None = None,
    confidence: float = 0.95,
    agreement: float = 0.95,
) -> Result:
    """Mean bias, limits of agreement and ARMS of a device against a reference, by group.

    Parameters
    ----------
    {data}
    measured, reference : str, default "spo2", "sao2"
        The device reading and the reference reading (same units, e.g. % saturation).
    subject : str, default "patient_id"
        Identifies the person: readings of one person are not independent.
    {by}
    {confidence}
    {agreement}

    Returns
    -------
    rhoresearch.results.Result
        ``table``: one row per group: the ``by`` columns, ``n_pairs``, ``n_patients``,
        ``mean_bias`` (mean of ``measured - reference`` over pairs), ``lower_ci``, ``upper_ci``
        (for the mean bias), ``sd_between`` and ``sd_within`` (between- and within-patient SD of
        the differences), ``sd_difference`` (total SD), ``loa_lower``, ``loa_upper`` (limits of
        agreement), ``arms`` (accuracy root mean square), ``confidence``, ``agreement``,
        ``method``. ``exclusions``: the pairs left out (``step`` "device bias", ``reason``
        ``"missing <column>"``, ``rows``; see
        :func:`rhoresearch.stats.measurement.bland_altman_exclusions`).

    Notes
    -----
    Bias is ``d = measured - reference`` (positive: the device over-reads); the statistics are
    those of :func:`rhoresearch.stats.measurement.bland_altman` with the patient as the subject
    (limits of agreement allowing repeated readings per patient, Bland & Altman 2007; a
    patient-clustered interval for the mean bias). ARMS is ``sqrt(mean(d^2))`` (ISO 80601-2-61),
    over all pairs given (restrict SaO2 to 70-100% beforehand to follow the standard).

    References
    ----------
    Bland JM, Altman DG. Agreement between methods of measurement with multiple observations per
    individual. J Biopharm Stat 2007;17:571-82. Bland JM, Altman DG. Statistical methods for
    assessing agreement between two methods of clinical measurement. Lancet 1986;i:307-10.
    ISO 80601-2-61:2017, Medical electrical equipment: particular requirements for pulse oximeter
    equipment. Sjoding MW, Dickson RP, Iwashyna TJ, Gay SE, Valley TS. Racial bias in pulse
    oximetry measurement. N Engl J Med 2020;383:2477-8.
    """
    columns = _Columns(measured=measured, reference=reference, subject=subject, by=by)
    table = measurement.bland_altman(data, **columns, confidence=confidence, agreement=agreement)
    table = table.rename(columns=_DEVICE_BIAS_NAMES)
    table["method"] = _DEVICE_BIAS_METHOD
    excluded = measurement.bland_altman_exclusions(data, **columns, step="device bias")
    return Result(table, excluded)


@_wording.document(_PARAMETERS)
def flag_occult_hypoxaemia(
    data: pd.DataFrame,
    *,
    measured: str = "spo2",
    reference: str = "sao2",
    sao2_below: float = 88.0,
    spo2_at_least: float = 92.0,
    spo2_at_most: float = 100.0,
) -> Result:
    """Keep the pairs at risk (SpO2 in range) and flag occult hypoxaemia among them.

    Parameters
    ----------
    {data}
    measured, reference : str, default "spo2", "sao2"
        Oximeter and arterial saturation columns (%).
    sao2_below : float, default 88
        Hypoxaemia: reference saturation strictly below this.
    spo2_at_least, spo2_at_most : float, default 92, 100
        The pairs at risk: oximeter reading in ``[spo2_at_least, spo2_at_most]``. Sjoding et al.
        used 92-96; 92-100 counts every reading that would look reassuring.

    Returns
    -------
    rhoresearch.results.Result
        ``table``: the rows of ``data`` at risk, with a new column ``occult_hypoxaemia`` (1 if the
        reference is below ``sao2_below``, else 0). ``exclusions``: ``step`` "occult
        hypoxaemia", ``reason`` ``"a reading missing"`` and ``"SpO2 outside <at least>-<at
        most>% (not at risk)"``, ``rows`` (pairs), ``applies_to`` "occult hypoxaemia"; both rows
        always, zeros included.

    Raises
    ------
    InputError
        ``data`` is not a DataFrame, a column is missing, or the window is empty
        (``spo2_at_least > spo2_at_most``).

    Notes
    -----
    Occult hypoxaemia: arterial oxygen saturation below 88% while the pulse oximeter reads 92% or
    more, counted per paired measurement (Sjoding et al. 2020). A reading that is missing (or not a
    number) leaves its pair out, counted as "a reading missing". The thresholds and the window are
    parameters; :func:`rhoresearch.workstreams.technology.findings` words them as given.

    References
    ----------
    Sjoding MW, Dickson RP, Iwashyna TJ, Gay SE, Valley TS. Racial bias in pulse oximetry
    measurement. N Engl J Med 2020;383:2477-8.
    """
    func = "flag_occult_hypoxaemia"
    check_frame(data, func=func)
    require_columns(data, [measured, reference], func=func)
    if not spo2_at_least <= spo2_at_most:
        raise InputError(
            f"{func}: the SpO2 window is empty: spo2_at_least={spo2_at_least!r} is above "
            f"spo2_at_most={spo2_at_most!r}"
        )
    spo2, sao2 = (
        pd.to_numeric(data[c], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        for c in (measured, reference)
    )
    missing = np.isnan(spo2) | np.isnan(sao2)
    at_risk = ~missing & (spo2 >= spo2_at_least) & (spo2 <= spo2_at_most)
    out = data.loc[at_risk].copy()
    out["occult_hypoxaemia"] = (sao2[at_risk] < sao2_below).astype("int64")
    outside = int((~missing & ~at_risk).sum())
    excluded = exclusions_table(
        [
            ("a reading missing", int(missing.sum()), "occult hypoxaemia"),
            (
                f"SpO2 outside {spo2_at_least:g}-{spo2_at_most:g}% (not at risk)",
                outside,
                "occult hypoxaemia",
            ),
        ],
        step="occult hypoxaemia",
        applies_to=True,
    )
    logger.info(
        "%s: %d pairs at risk, %d occult hypoxaemia, %d missing, %d outside range",
        func,
        int(at_risk.sum()),
        int(out["occult_hypoxaemia"].sum()),
        int(missing.sum()),
        outside,
    )
    return Result(out, excluded)


@_wording.document(_PARAMETERS)
def occult_hypoxaemia_rates(
    flagged: pd.DataFrame,
    *,
    by: str | Sequence[str] | None = None,
    subject: str = "patient_id",
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Percentage of at-risk pairs with occult hypoxaemia, by group, with Wilson intervals.

    Parameters
    ----------
    {flagged}
    {by}
    subject : str, default "patient_id"
        Patient identifier, to report the number of patients per group.
    {confidence_fraction}

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`rhoresearch.stats.proportion` with ``multiplier=100`` (the ``by``
        columns, ``numerator`` pairs with occult hypoxaemia, ``denominator`` pairs at risk, both
        whole numbers, ``value`` percentage, ``lower_ci``, ``upper_ci``, ``confidence``, ``statistic``,
        ``method``, ``note``) and ``n_patients`` (patients contributing pairs).

    Notes
    -----
    The Wilson interval treats pairs as independent, as Sjoding et al. reported; with several
    pairs per patient it is too narrow when patients differ. The odds ratio from
    :func:`occult_hypoxaemia_odds_ratios` uses patient-clustered standard errors.

    References
    ----------
    Wilson EB. J Am Stat Assoc 1927;22:209-12. Sjoding MW et al. N Engl J Med 2020;383:2477-8.
    """
    func = "occult_hypoxaemia_rates"
    check_frame(flagged, func=func, name="flagged")
    cols = as_columns(by, func=func)
    require_columns(flagged, ["occult_hypoxaemia", subject, *cols], func=func)
    work = flagged[[*cols, subject, "occult_hypoxaemia"]].copy()
    work["_pairs"] = 1
    res = _frames.percentages(
        work,
        numerator="occult_hypoxaemia",
        denominator="_pairs",
        by=cols or None,
        confidence=confidence,
    )
    if cols:
        patients = (
            work.groupby(cols, observed=True)[subject].nunique().rename("n_patients").reset_index()
        )
        res = res.merge(patients, on=cols, how="left")
    else:
        res["n_patients"] = work[subject].nunique()
    return res


@_wording.document(_PARAMETERS)
def occult_hypoxaemia_odds_ratios(
    flagged: pd.DataFrame,
    *,
    group: str,
    reference: str,
    covariates: Sequence[str] = ("age_band", "sex", "setting"),
    cluster: str = "patient_id",
    exclude_groups: Sequence[str] = ("Not stated", "Not known"),
    confidence: float = 0.95,
    left_out: Sequence[str] = (),
) -> pd.DataFrame:
    """Odds ratios of occult hypoxaemia by group against the reference, with clustered SEs.

    Parameters
    ----------
    {flagged}
    group : str
        Ethnic group column.
    reference : str
        Reference group (e.g. ``"White"``).
    covariates : sequence of str, default ("age_band", "sex", "setting")
        Adjustment variables (categorical).
    cluster : str, default "patient_id"
        Readings of one patient are correlated: standard errors are clustered on it.
    exclude_groups : sequence of str, default ("Not stated", "Not known")
        Groups left out (counted in ``n_excluded_group``).
    {confidence_fraction}
    left_out : sequence of str, default ()
        Groups too small for the model (:func:`rhoresearch.workstreams._grouping.sparse_groups`):
        left out as ``exclude_groups`` are, and the model's row counts then hidden.

    Returns
    -------
    pandas.DataFrame
        The rows of :func:`rhoresearch.stats.logistic_model` (``group``, ``estimate`` odds ratio,
        ``lower_ci``, ``upper_ci``, ``p_value``, ``n_used``, ``n_excluded`` ...) with, per group,
        the pairs in the model ``n_pairs``, those with occult hypoxaemia ``n_events`` and the
        patients ``n_patients`` (for disclosure control), and ``n_excluded_group`` (pairs of the
        ``exclude_groups`` or without a group).

    Notes
    -----
    A population-averaged (marginal) odds ratio per pair, with cluster-robust (sandwich) standard
    errors for repeated pairs per patient (Liang & Zeger 1986), as the model wrapper computes them.

    References
    ----------
    Liang KY, Zeger SL. Longitudinal data analysis using generalized linear models. Biometrika
    1986;73:13-22. Sjoding MW et al. N Engl J Med 2020;383:2477-8.
    """
    func = "occult_hypoxaemia_odds_ratios"
    check_frame(flagged, func=func, name="flagged")
    covariate_cols = as_columns(covariates, func=func, name="covariates")
    require_columns(flagged, ["occult_hypoxaemia", group, cluster, *covariate_cols], func=func)
    work, n_excluded_group = _tables.comparison_frame(
        flagged, group=group, covariates=covariate_cols, exclude_groups=[*exclude_groups, *left_out]
    )
    res = _tables.logistic_by_group(
        work,
        outcome="occult_hypoxaemia",
        group=group,
        counts={
            "n_pairs": ("occult_hypoxaemia", "size"),
            "n_events": ("occult_hypoxaemia", "sum"),
            "n_patients": (cluster, "nunique"),
        },
        reference=reference,
        covariates=covariate_cols,
        cluster=cluster,
        confidence=confidence,
    )
    return _tables.left_out_groups(res, left_out, n_excluded_group=n_excluded_group)
