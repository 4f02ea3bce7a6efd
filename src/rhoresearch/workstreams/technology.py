"""Workstream 4, technology and innovation: bias audits of devices and algorithms by ethnic group.

Inputs are loaded against their schemas (:func:`load_oximetry`, :func:`load_risk_score`,
:func:`load_sickle_cell`) and made ready by :func:`prepare` (harmonised ethnic group, age band,
exclusions counted). Three audits, each a set of functions that take tidy DataFrames and return tidy
DataFrames:

Device (pulse oximetry against arterial blood gas)
    :func:`device_bias` (mean bias SpO2 - SaO2 with a patient-clustered interval, 95% limits of
    agreement allowing repeated readings per patient, ARMS), :func:`flag_occult_hypoxaemia` and
    :func:`occult_hypoxaemia_rates` (Wilson intervals), :func:`occult_hypoxaemia_odds_ratios`
    (logistic model with patient-clustered standard errors).
Algorithm (a clinical risk score's predictions and observed outcomes)
    :func:`calibration` (observed/expected, calibration-in-the-large, calibration slope),
    :func:`classification_rates` (true and false positive rates at a threshold),
    :func:`auc` (area under the ROC curve with DeLong or Hanley-McNeil intervals).
Service data (sickle cell disease admissions)
    :func:`sickle_cell_rates` and :func:`sickle_cell_rate_ratios` (through
    :mod:`rhoresearch.stats.indicators`).

:func:`findings` words the key results from the suppressed tables.

Generic statistics (Wilson, Byar, logistic models) come from :mod:`rhoresearch.stats.indicators` and
:mod:`rhoresearch.stats.models`; the audit-specific metrics (Bland-Altman, ARMS, AUC, calibration) are here.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np
import pandas as pd
import pandera.pandas as pa
from scipy import stats

from rhoresearch import config, data
from rhoresearch.exceptions import InputError
from rhoresearch.workstreams import _frames

__all__ = [
    "SETTINGS",
    "OXIMETRY_SCHEMA",
    "RISK_SCORE_SCHEMA",
    "SICKLE_CELL_ADMISSIONS_SCHEMA",
    "POPULATION_SCHEMA",
    "load_oximetry",
    "load_risk_score",
    "load_sickle_cell",
    "AGE_BANDS",
    "prepare",
    "device_bias",
    "flag_occult_hypoxaemia",
    "occult_hypoxaemia_rates",
    "occult_hypoxaemia_odds_ratios",
    "calibration",
    "classification_rates",
    "auc",
    "sickle_cell_rates",
    "sickle_cell_rate_ratios",
    "findings",
]

logger = logging.getLogger(__name__)

SETTINGS = ["ICU", "ED", "Ward"]

OXIMETRY_SCHEMA = data.dataset_schema(
    "oximetry_pairs",
    columns={
        "patient_id": data.column("str"),
        "reading_number": data.column("int", min=1),
        "ethnic_category": data.column("str", nullable=True),
        "age": data.column("float", nullable=True, min=0, max=120),
        "sex": data.column("str", nullable=True, allowed=["Female", "Male"]),
        "setting": data.column("str", allowed=SETTINGS),
        "spo2": data.column("float", nullable=True, min=0, max=100),
        "sao2": data.column("float", nullable=True, min=0, max=100),
    },
    key=["patient_id", "reading_number"],
    description="one row per SpO2 / SaO2 pair (%), several per patient",
)
"""Schema of ``oximetry.csv``: one row per SpO2 / SaO2 pair (percent), several per patient."""

RISK_SCORE_SCHEMA = data.dataset_schema(
    "risk_score_predictions",
    columns={
        "admission_id": data.column("str"),
        "ethnic_category": data.column("str", nullable=True),
        "age": data.column("float", nullable=True, min=0, max=120),
        "sex": data.column("str", nullable=True, allowed=["Female", "Male"]),
        "predicted_risk": data.column("float", checks=[pa.Check.gt(0), pa.Check.lt(1)]),
        "outcome": data.column("int", allowed=[0, 1]),
    },
    key=["admission_id"],
    description="one row per scored admission: predicted risk in (0, 1) and outcome 0/1",
)
"""Schema of ``risk_score.csv``: one row per scored admission, predicted risk in (0, 1), outcome 0/1."""

SICKLE_CELL_ADMISSIONS_SCHEMA = data.dataset_schema(
    "sickle_cell_admissions",
    columns={
        "financial_year": data.column("str", checks=[pa.Check.str_matches(r"^\d{4}/\d{2}$")]),
        "region": data.column("str"),
        "ethnic_category": data.column("str", nullable=True),
        "admissions": data.column("int", min=0),
    },
    key=["financial_year", "region", "ethnic_category"],
    description="admissions with sickle cell disease by financial year, region and ethnic code",
)
"""Schema of ``sickle_cell_admissions.csv``: admissions by financial year, region and ethnic code."""

POPULATION_SCHEMA = data.dataset_schema(
    "population",
    columns={
        "region": data.column("str"),
        "ethnic_category": data.column("str"),
        "population": data.column("int", min=0),
    },
    key=["region", "ethnic_category"],
    description="population by region and ethnic code",
)
"""Schema of ``population.csv``: population by region and ethnic code."""


def _load(path, schema):
    return data.load(config.resolve_path(path), schema=schema)


def load_oximetry(path) -> pd.DataFrame:
    """Load paired oximetry readings and validate them against :data:`OXIMETRY_SCHEMA`.

    Parameters
    ----------
    path : str or path-like
        CSV or Parquet; relative paths are resolved against the project root.

    Returns
    -------
    pandas.DataFrame
        Columns ``patient_id``, ``reading_number``, ``ethnic_category``, ``age``, ``sex``,
        ``setting``, ``spo2``, ``sao2``.
    """
    return _load(path, OXIMETRY_SCHEMA)


def load_risk_score(path) -> pd.DataFrame:
    """Load risk-score predictions and outcomes, validated against :data:`RISK_SCORE_SCHEMA`.

    Parameters
    ----------
    path : str or path-like
        CSV or Parquet; relative paths are resolved against the project root.

    Returns
    -------
    pandas.DataFrame
        Columns ``admission_id``, ``ethnic_category``, ``age``, ``sex``, ``predicted_risk``,
        ``outcome``.
    """
    return _load(path, RISK_SCORE_SCHEMA)


def load_sickle_cell(admissions_path, population_path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Load sickle cell admissions and the population table, each validated against its schema.

    Parameters
    ----------
    admissions_path, population_path : str or path-like
        CSV or Parquet; relative paths are resolved against the project root.

    Returns
    -------
    (pandas.DataFrame, pandas.DataFrame)
        Admissions (``financial_year``, ``region``, ``ethnic_category``, ``admissions``) and
        population (``region``, ``ethnic_category``, ``population``).
    """
    return (
        _load(admissions_path, SICKLE_CELL_ADMISSIONS_SCHEMA),
        _load(population_path, POPULATION_SCHEMA),
    )


# --------------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------------


def _require(data: pd.DataFrame, columns: Sequence[str], func: str) -> None:
    if not isinstance(data, pd.DataFrame):
        raise InputError(f"{func}: data must be a DataFrame, got {type(data).__name__}")
    missing = [c for c in columns if c not in data.columns]
    if missing:
        raise InputError(f"{func}: columns {missing} not in data (columns: {list(data.columns)})")


def _groups(data: pd.DataFrame, cols: list[str]):
    """Yield ``(key dict, sub-frame)`` per group in sorted / category order (one group if none)."""
    if not cols:
        yield {}, data
        return
    for key, sub in data.groupby(cols, observed=True, sort=True):
        key = key if isinstance(key, tuple) else (key,)
        yield dict(zip(cols, key, strict=True)), sub


def _numeric(data: pd.DataFrame, column: str) -> np.ndarray:
    return pd.to_numeric(data[column], errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def _z(confidence: float) -> float:
    if not 0 < confidence < 1:
        raise InputError(f"confidence must be a fraction between 0 and 1, got {confidence!r}")
    return float(stats.norm.ppf(0.5 + confidence / 2))


#: Age bands used as a covariate (adults).
AGE_BANDS = ["18-49", "50-64", "65-79", "80+"]


def prepare(
    data: pd.DataFrame,
    *,
    ethnicity_column: str = "ethnic_category",
    group: str = "ethnic_group",
    to: str = "high_level",
    age: str | None = "age",
) -> pd.DataFrame:
    """Harmonise ethnicity and band age: the analysis frame of an oximetry or risk-score extract.

    Parameters
    ----------
    data : pandas.DataFrame
        As loaded by :func:`load_oximetry` or :func:`load_risk_score`; not modified.
    ethnicity_column : str, default "ethnic_category"
        Ethnicity as recorded.
    group : str, default "ethnic_group"
        Name of the harmonised group column added.
    to : str, default "high_level"
        Scheme of :func:`rhoresearch.ethnicity.harmonise` (unmapped values become "Not known").
    age : str or None, default "age"
        Age in years; adds ``age_band`` (:data:`AGE_BANDS`) when given.

    Returns
    -------
    pandas.DataFrame
        A copy with ``group`` and ``age_band`` added. ``attrs["exclusions"]`` (``step``,
        ``reason``, ``n``, ``applies_to``) counts rows with ethnicity not stated or not known and
        rows without an age.
    """
    from rhoresearch import ethnicity

    _require(data, [ethnicity_column, *([age] if age else [])], "prepare")
    out = data.copy()
    out[group] = ethnicity.harmonise(out[ethnicity_column], to=to, errors="not_known")
    rows = [
        {
            "step": "ethnic group",
            "reason": f"ethnicity {label.lower()}",
            "n": int((out[group] == label).sum()),
            "applies_to": "comparisons between groups",
        }
        for label in (ethnicity.NOT_STATED, ethnicity.NOT_KNOWN)
    ]
    if age:
        years = _numeric(out, age)
        out["age_band"] = pd.Categorical(
            pd.cut(
                years, [-np.inf, 49.5, 64.5, 79.5, np.inf], labels=AGE_BANDS, right=False
            ).astype("object"),
            categories=AGE_BANDS,
            ordered=True,
        )
        rows.append(
            {
                "step": "age",
                "reason": "age missing",
                "n": int(np.isnan(years).sum()),
                "applies_to": "adjusted models",
            }
        )
    out.attrs["exclusions"] = pd.DataFrame(rows, columns=["step", "reason", "n", "applies_to"])
    return out


# --------------------------------------------------------------------------------------------------
# device audit
# --------------------------------------------------------------------------------------------------


def _bland_altman_one(d: np.ndarray, subj: np.ndarray, confidence: float, loa_z: float) -> dict:
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
    else:  # one reading per patient (or one patient): ordinary SD of the differences
        var_between = 0.0
        var_within = float(d.var(ddof=1)) if n > 1 else np.nan
    sd = float(np.sqrt(var_between + var_within))
    # mean bias: patient-clustered (sandwich) standard error, t with k - 1 df
    if k > 1:
        resid = sums - m * mean
        se = float(np.sqrt(k / (k - 1) * (resid**2).sum()) / n)
        t = float(stats.t.ppf(0.5 + confidence / 2, k - 1))
    else:
        se, t = np.nan, np.nan
    return {
        "n_pairs": int(n),
        "n_patients": int(k),
        "mean_bias": float(mean),
        "lower_ci": mean - t * se,
        "upper_ci": mean + t * se,
        "sd_between": float(np.sqrt(var_between)),
        "sd_within": float(np.sqrt(var_within)),
        "sd_difference": sd,
        "loa_lower": float(mean - loa_z * sd),
        "loa_upper": float(mean + loa_z * sd),
        "arms": float(np.sqrt(np.mean(d**2))),
    }


def device_bias(
    data: pd.DataFrame,
    *,
    measured: str = "spo2",
    reference: str = "sao2",
    subject: str = "patient_id",
    by: str | list[str] | None = None,
    confidence: float = 0.95,
    agreement: float = 0.95,
) -> pd.DataFrame:
    """Mean bias, limits of agreement and ARMS of a device against a reference, by group.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per paired reading; not modified.
    measured, reference : str, default "spo2", "sao2"
        The device reading and the reference reading (same units, e.g. % saturation).
    subject : str, default "patient_id"
        Identifies the person: readings of one person are not independent.
    by : str or list of str, optional
        Grouping columns (e.g. the ethnic group); ``None`` for all pairs together.
    confidence : float, default 0.95
        Confidence level of the interval for the mean bias.
    agreement : float, default 0.95
        Coverage of the limits of agreement (0.95: mean +/- 1.96 SD).

    Returns
    -------
    pandas.DataFrame
        One row per group: the ``by`` columns, ``n_pairs``, ``n_patients``, ``mean_bias`` (mean of
        ``measured - reference`` over pairs), ``lower_ci``, ``upper_ci`` (for the mean bias),
        ``sd_between`` and ``sd_within`` (between- and within-patient SD of the differences),
        ``sd_difference`` (total SD, ``sqrt(sd_between^2 + sd_within^2)``), ``loa_lower``,
        ``loa_upper`` (limits of agreement), ``arms`` (accuracy root mean square), ``confidence``,
        ``agreement``, ``method``. ``attrs["excluded"]`` counts pairs without both readings.

    Notes
    -----
    Bias is ``d = measured - reference`` (positive: the device over-reads). With several pairs
    per patient the SD of all differences understates the variation a new reading can show, so the
    SD follows Bland & Altman (2007), section 3 ("true value varies"): a one-way analysis of
    variance of ``d`` by patient gives the within-patient mean square ``MSw`` and between-patient
    mean square ``MSb``; with ``n`` pairs in ``k`` patients with ``m_i`` pairs each,
    ``sd_between^2 = (MSb - MSw) / ((n^2 - sum m_i^2) / ((k - 1) n))`` (0 if negative) and
    ``sd_within^2 = MSw``; limits of agreement are ``mean_bias +/- z * sqrt(sd_between^2 +
    sd_within^2)``. The interval for the mean bias uses a patient-clustered (sandwich) standard
    error, ``se = sqrt(k / (k - 1) * sum_i (S_i - m_i * mean)^2) / n`` with ``S_i`` the sum of
    patient ``i``'s differences, and a t quantile with ``k - 1`` degrees of freedom.
    ARMS is ``sqrt(mean(d^2))`` (ISO 80601-2-61), combining bias and precision; it is over all pairs
    given (restrict SaO2 to 70-100% beforehand to follow the standard). Pairs missing either reading
    are excluded and counted.

    References
    ----------
    Bland JM, Altman DG. Agreement between methods of measurement with multiple observations per
    individual. J Biopharm Stat 2007;17:571-82. Bland JM, Altman DG. Statistical methods for
    assessing agreement between two methods of clinical measurement. Lancet 1986;i:307-10.
    ISO 80601-2-61:2017, Medical electrical equipment: particular requirements for pulse oximeter
    equipment. Sjoding MW et al. Racial bias in pulse oximetry measurement. N Engl J Med
    2020;383:2477-8.
    """
    cols = _frames.as_list(by)
    _require(data, [measured, reference, subject, *cols], "device_bias")
    z_loa = _z(agreement)
    _z(confidence)
    diff = _numeric(data, measured) - _numeric(data, reference)
    keep = ~np.isnan(diff)
    n_excluded = int((~keep).sum())
    if n_excluded:
        logger.info("device_bias: %d pairs excluded (a reading missing)", n_excluded)
    work = data.loc[keep, [subject, *cols]].copy()
    work["_d"] = diff[keep]
    rows = []
    for key, sub in _groups(work, cols):
        res = _bland_altman_one(
            sub["_d"].to_numpy(), sub[subject].astype("string").to_numpy(), confidence, z_loa
        )
        rows.append(key | res)
    out = pd.DataFrame(rows)
    out["confidence"] = confidence
    out["agreement"] = agreement
    out["method"] = "Bland-Altman 2007 (repeated measures); patient-clustered CI for the mean"
    out.attrs["excluded"] = pd.DataFrame({"reason": ["a reading missing"], "n_pairs": [n_excluded]})
    return out


def flag_occult_hypoxaemia(
    data: pd.DataFrame,
    *,
    measured: str = "spo2",
    reference: str = "sao2",
    sao2_below: float = 88.0,
    spo2_at_least: float = 92.0,
    spo2_at_most: float = 100.0,
) -> pd.DataFrame:
    """Keep the pairs at risk (SpO2 in range) and flag occult hypoxaemia among them.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per paired reading; not modified.
    measured, reference : str, default "spo2", "sao2"
        Oximeter and arterial saturation columns (%).
    sao2_below : float, default 88
        Hypoxaemia: reference saturation strictly below this.
    spo2_at_least, spo2_at_most : float, default 92, 100
        The pairs at risk: oximeter reading in ``[spo2_at_least, spo2_at_most]``. Sjoding et al.
        used 92-96; 92-100 counts every reading that would look reassuring.

    Returns
    -------
    pandas.DataFrame
        The rows of ``data`` at risk, with a new column ``occult_hypoxaemia`` (1 if the reference
        is below ``sao2_below``, else 0). ``attrs["excluded"]`` is a frame (``reason``, ``n_pairs``)
        counting pairs with a missing reading and pairs outside the SpO2 range.

    Notes
    -----
    Occult hypoxaemia: arterial oxygen saturation below 88% while the pulse oximeter reads 92% or
    more, counted per paired measurement (Sjoding et al. 2020).

    References
    ----------
    Sjoding MW, Dickson RP, Iwashyna TJ, Gay SE, Valley TS. Racial bias in pulse oximetry
    measurement. N Engl J Med 2020;383:2477-8.
    """
    _require(data, [measured, reference], "flag_occult_hypoxaemia")
    spo2 = _numeric(data, measured)
    sao2 = _numeric(data, reference)
    missing = np.isnan(spo2) | np.isnan(sao2)
    at_risk = ~missing & (spo2 >= spo2_at_least) & (spo2 <= spo2_at_most)
    out = data.loc[at_risk].copy()
    out["occult_hypoxaemia"] = (sao2[at_risk] < sao2_below).astype("int64")
    out.attrs["excluded"] = pd.DataFrame(
        {
            "reason": [
                "a reading missing",
                f"SpO2 outside {spo2_at_least:g}-{spo2_at_most:g}% (not at risk)",
            ],
            "n_pairs": [int(missing.sum()), int((~missing & ~at_risk).sum())],
        }
    )
    logger.info(
        "flag_occult_hypoxaemia: %d pairs at risk, %d occult hypoxaemia, %d missing, %d outside range",
        int(at_risk.sum()),
        int(out["occult_hypoxaemia"].sum()),
        int(missing.sum()),
        int((~missing & ~at_risk).sum()),
    )
    return out


def occult_hypoxaemia_rates(
    flagged: pd.DataFrame,
    *,
    by: str | list[str] | None = None,
    subject: str = "patient_id",
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Percentage of at-risk pairs with occult hypoxaemia, by group, with Wilson intervals.

    Parameters
    ----------
    flagged : pandas.DataFrame
        Output of :func:`flag_occult_hypoxaemia`; not modified.
    by : str or list of str, optional
        Grouping columns.
    subject : str, default "patient_id"
        Patient identifier, to report the number of patients per group.
    confidence : float, default 0.95
        Confidence level.

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`rhoresearch.stats.indicators.proportion` with ``multiplier=100`` (the
        ``by`` columns, ``numerator`` pairs with occult hypoxaemia, ``denominator`` pairs at risk,
        ``value`` percentage, ``lower_ci``, ``upper_ci``, ``confidence``, ``statistic``,
        ``method``) and ``n_patients`` (patients contributing pairs).

    Notes
    -----
    The Wilson interval treats pairs as independent, as Sjoding et al. reported; with several
    pairs per patient it is too narrow when patients differ. The odds ratio from
    :func:`occult_hypoxaemia_odds_ratios` uses patient-clustered standard errors.

    References
    ----------
    Wilson EB. J Am Stat Assoc 1927;22:209-12. Sjoding MW et al. N Engl J Med 2020;383:2477-8.
    """
    from rhoresearch.stats import indicators

    cols = _frames.as_list(by)
    _require(flagged, ["occult_hypoxaemia", subject, *cols], "occult_hypoxaemia_rates")
    work = flagged[[*cols, subject, "occult_hypoxaemia"]].copy()
    work["_pairs"] = 1
    res = indicators.proportion(
        work,
        numerator="occult_hypoxaemia",
        denominator="_pairs",
        by=cols or None,
        confidence=confidence,
        multiplier=100,
    )
    if cols:
        patients = (
            work.groupby(cols, observed=True)[subject].nunique().rename("n_patients").reset_index()
        )
        res = res.merge(patients, on=cols, how="left")
    else:
        res["n_patients"] = work[subject].nunique()
    return res


def occult_hypoxaemia_odds_ratios(
    flagged: pd.DataFrame,
    *,
    group: str,
    reference: str,
    covariates: Sequence[str] = ("age_band", "sex", "setting"),
    cluster: str = "patient_id",
    exclude_groups: Sequence[str] = ("Not stated", "Not known"),
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Odds ratios of occult hypoxaemia by group against the reference, with clustered SEs.

    Parameters
    ----------
    flagged : pandas.DataFrame
        Output of :func:`flag_occult_hypoxaemia`; not modified.
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
    confidence : float, default 0.95
        Confidence level.

    Returns
    -------
    pandas.DataFrame
        The rows of :func:`rhoresearch.stats.models.logistic_model` (``group``, ``estimate`` odds ratio,
        ``lower_ci``, ``upper_ci``, ``p_value``, ``n_used``, ``n_excluded`` ...) with, per group,
        the pairs in the model ``n_pairs``, those with occult hypoxaemia ``n_events`` and the
        patients ``n_patients`` (for disclosure control), and ``n_excluded_group``.

    Notes
    -----
    A population-averaged (marginal) odds ratio per pair, with cluster-robust (sandwich) standard
    errors for repeated pairs per patient (Liang & Zeger 1986), as the model wrapper computes them.

    References
    ----------
    Liang KY, Zeger SL. Longitudinal data analysis using generalized linear models. Biometrika
    1986;73:13-22. Sjoding MW et al. N Engl J Med 2020;383:2477-8.
    """
    from rhoresearch.stats import models

    _require(
        flagged, ["occult_hypoxaemia", group, cluster, *covariates], "occult_hypoxaemia_odds_ratios"
    )
    is_excluded = flagged[group].isin(list(exclude_groups)) | flagged[group].isna()
    work = flagged.loc[~is_excluded].copy()
    if isinstance(work[group].dtype, pd.CategoricalDtype):
        work[group] = work[group].cat.remove_unused_categories()
    for c in covariates:
        work[c] = work[c].astype("string")
    res = models.logistic_model(
        work,
        outcome="occult_hypoxaemia",
        group=group,
        reference=reference,
        covariates=list(covariates),
        cluster=cluster,
        confidence=confidence,
    ).copy()
    used = work.dropna(subset=["occult_hypoxaemia", group, cluster, *covariates])
    per_group = used.groupby(group, observed=True).agg(
        n_pairs=("occult_hypoxaemia", "size"),
        n_events=("occult_hypoxaemia", "sum"),
        n_patients=(cluster, "nunique"),
    )
    per_group.index = per_group.index.astype(str)
    key = res["group"].astype(str)
    for column in ("n_pairs", "n_events", "n_patients"):
        res[column] = key.map(per_group[column]).fillna(0).astype("int64").to_numpy()
    res["n_excluded_group"] = int(is_excluded.sum())
    return res


# --------------------------------------------------------------------------------------------------
# algorithm audit
# --------------------------------------------------------------------------------------------------


def _prepare_scores(data, predicted, observed, cols, func, *, probabilities=True):
    """Rows with a score and a 0/1 outcome (``_p``, ``_y``); scores in (0, 1) if ``probabilities``."""
    _require(data, [predicted, observed, *cols], func)
    p = _numeric(data, predicted)
    y = _numeric(data, observed)
    bad_y = ~np.isnan(y) & ~np.isin(y, [0, 1])
    if bad_y.any():
        raise InputError(
            f"{func}: column {observed!r} must be 0 or 1; rows {list(data.index[bad_y][:5])} hold "
            f"{list(y[bad_y][:5])}"
        )
    bad_p = ~np.isnan(p) & ((p <= 0) | (p >= 1))
    if probabilities and bad_p.any():
        raise InputError(
            f"{func}: column {predicted!r} must lie strictly between 0 and 1; rows "
            f"{list(data.index[bad_p][:5])} hold {list(p[bad_p][:5])}"
        )
    keep = ~np.isnan(p) & ~np.isnan(y)
    if (~keep).any():
        logger.info(
            "%s: %d rows excluded (prediction or outcome missing)", func, int((~keep).sum())
        )
    work = data.loc[keep, cols].copy()
    work["_p"] = p[keep]
    work["_y"] = y[keep]
    return work, int((~keep).sum())


def _glm_interval(y, X, offset, index, z):
    import statsmodels.api as sm

    fit = sm.GLM(y, X, family=sm.families.Binomial(), offset=offset).fit()
    est = float(fit.params[index])
    se = float(fit.bse[index])
    return est, est - z * se, est + z * se


def calibration(
    data: pd.DataFrame,
    *,
    predicted: str = "predicted_risk",
    observed: str = "outcome",
    by: str | list[str] | None = None,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Calibration of predicted risks by group: observed/expected, calibration-in-the-large, slope.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per scored person; not modified.
    predicted : str, default "predicted_risk"
        Predicted probability, strictly between 0 and 1.
    observed : str, default "outcome"
        Observed outcome, 0 or 1.
    by : str or list of str, optional
        Grouping columns.
    confidence : float, default 0.95
        Confidence level.

    Returns
    -------
    pandas.DataFrame
        Three rows per group, one per ``measure``: ``"observed/expected"`` (ratio of observed to
        expected events; 1 = calibrated), ``"calibration-in-the-large"`` (log-odds; 0 =
        calibrated), ``"calibration slope"`` (1 = calibrated). Columns: the ``by`` columns,
        ``measure``, ``n_scored``, ``n_events``, ``expected_events``, ``value``, ``lower_ci``,
        ``upper_ci``, ``confidence``, ``method``. ``attrs["excluded"]`` counts rows without a
        prediction or outcome.

    Notes
    -----
    Observed/expected is ``sum(y) / sum(p)`` with the interval of
    :func:`rhoresearch.stats.indicators.rate` (``count = observed events``, ``population = expected
    events``, ``multiplier=1``: exact Poisson below 10 events, Byar's method from 10), the usual
    treatment of the expected count as fixed (as for a standardised ratio).
    Calibration-in-the-large is the intercept ``a`` of ``logit P(y=1) = a + offset(logit p)``;
    the calibration slope is ``b`` of ``logit P(y=1) = a + b logit p`` (Cox 1958); both fitted by
    maximum likelihood (statsmodels GLM) with Wald intervals. A slope below 1 means predictions are
    too extreme; a positive calibration-in-the-large means risk is under-predicted.

    References
    ----------
    Cox DR. Two further applications of a model for binary regression. Biometrika 1958;45:562-5.
    Van Calster B, McLernon DJ, van Smeden M, et al. Calibration: the Achilles heel of predictive
    analytics. BMC Med 2019;17:230. Steyerberg EW. Clinical Prediction Models, 2nd ed. Springer,
    2019, chapter 15.
    """
    from rhoresearch.stats import indicators

    cols = _frames.as_list(by)
    z = _z(confidence)
    work, n_excluded = _prepare_scores(data, predicted, observed, cols, "calibration")
    rows = []
    for key, sub in _groups(work, cols):
        p = sub["_p"].to_numpy()
        y = sub["_y"].to_numpy()
        lp = np.log(p / (1 - p))
        n, events, expected = len(y), float(y.sum()), float(p.sum())
        oe = indicators.rate(
            pd.DataFrame({"count": [events], "population": [expected]}),
            count="count",
            population="population",
            confidence=confidence,
            multiplier=1,
        ).iloc[0]
        base = key | {"n_scored": n, "n_events": int(events), "expected_events": expected}
        rows.append(
            base
            | {
                "measure": "observed/expected",
                "value": float(oe["value"]),
                "lower_ci": float(oe["lower_ci"]),
                "upper_ci": float(oe["upper_ci"]),
                "method": f"ratio of sums; {oe['method']} interval",
            }
        )
        if 0 < events < n:
            citl = _glm_interval(y, np.ones((n, 1)), lp, 0, z)
            slope = _glm_interval(y, np.column_stack([np.ones(n), lp]), None, 1, z)
        else:
            citl = slope = (np.nan, np.nan, np.nan)
        rows.append(
            base
            | dict(zip(["value", "lower_ci", "upper_ci"], citl, strict=True))
            | {
                "measure": "calibration-in-the-large",
                "method": "logistic intercept, logit(p) offset; Wald",
            }
        )
        rows.append(
            base
            | dict(zip(["value", "lower_ci", "upper_ci"], slope, strict=True))
            | {
                "measure": "calibration slope",
                "method": "logistic slope on logit(p) (Cox 1958); Wald",
            }
        )
    out = pd.DataFrame(rows)
    out["confidence"] = confidence
    out = out[
        [
            *cols,
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
    ]
    out.attrs["excluded"] = pd.DataFrame(
        {"reason": ["prediction or outcome missing"], "n": [n_excluded]}
    )
    return out


def classification_rates(
    data: pd.DataFrame,
    *,
    predicted: str = "predicted_risk",
    observed: str = "outcome",
    threshold: float,
    by: str | list[str] | None = None,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """True and false positive rates of a risk score at a threshold, by group, with Wilson intervals.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per scored person; not modified.
    predicted, observed : str
        Predicted probability and observed outcome (0/1) columns.
    threshold : float
        A prediction at or above it counts as a positive (flagged) result.
    by : str or list of str, optional
        Grouping columns.
    confidence : float, default 0.95
        Confidence level.

    Returns
    -------
    pandas.DataFrame
        Two rows per group, ``measure`` ``"true positive rate"`` (sensitivity: flagged among those
        with the outcome) and ``"false positive rate"`` (flagged among those without), with the
        columns of :func:`rhoresearch.stats.indicators.proportion` at ``multiplier=100`` (``numerator``,
        ``denominator``, ``value`` percentage, ``lower_ci``, ``upper_ci``, ``confidence``,
        ``statistic``, ``method``) and ``threshold``.

    Notes
    -----
    Equal true and false positive rates across groups is the "equalised odds" criterion (Hardt et
    al. 2016); a lower true positive rate in one group means its cases are missed more often.
    Rows without a prediction or outcome are excluded and logged.

    References
    ----------
    Hardt M, Price E, Srebro N. Equality of opportunity in supervised learning. NeurIPS 2016.
    Obermeyer Z, Powers B, Vogeli C, Mullainathan S. Dissecting racial bias in an algorithm used
    to manage the health of populations. Science 2019;366:447-53. Wilson EB. J Am Stat Assoc
    1927;22:209-12.
    """
    from rhoresearch.stats import indicators

    cols = _frames.as_list(by)
    work, _ = _prepare_scores(data, predicted, observed, cols, "classification_rates")
    work["_flag"] = (work["_p"] >= threshold).astype(float)
    frames = []
    for measure, outcome in (("true positive rate", 1.0), ("false positive rate", 0.0)):
        sub = work.loc[work["_y"] == outcome].copy()
        sub["_one"] = 1.0
        res = indicators.proportion(
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


def _midranks(x: np.ndarray) -> np.ndarray:
    return stats.rankdata(x, method="average")


def _auc_delong(pos: np.ndarray, neg: np.ndarray) -> tuple[float, float]:
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


def _auc_hanley_mcneil(auc_value: float, m: int, n: int) -> float:
    a = auc_value
    q1 = a / (2 - a)
    q2 = 2 * a**2 / (1 + a)
    var = (a * (1 - a) + (m - 1) * (q1 - a**2) + (n - 1) * (q2 - a**2)) / (m * n)
    return float(np.sqrt(max(var, 0.0)))


def auc(
    data: pd.DataFrame,
    *,
    predicted: str = "predicted_risk",
    observed: str = "outcome",
    by: str | list[str] | None = None,
    confidence: float = 0.95,
    method: str = "delong",
) -> pd.DataFrame:
    """Area under the ROC curve (c statistic) by group, with DeLong or Hanley-McNeil intervals.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per scored person; not modified.
    predicted, observed : str
        Predicted score and observed outcome (0/1) columns.
    by : str or list of str, optional
        Grouping columns.
    confidence : float, default 0.95
        Confidence level.
    method : {"delong", "hanley_mcneil"}, default "delong"
        Standard error of the AUC.

    Returns
    -------
    pandas.DataFrame
        One row per group: the ``by`` columns, ``n_events``, ``n_non_events``, ``value`` (AUC),
        ``standard_error``, ``lower_ci``, ``upper_ci``, ``confidence``, ``method``.

    Notes
    -----
    AUC is the Mann-Whitney probability that a random person with the outcome has a higher score
    than a random person without it, ties counting one half:
    ``AUC = (sum of the mid-ranks of the events - m (m + 1) / 2) / (m n)`` for ``m`` events and
    ``n`` non-events. DeLong's variance is ``S10 / m + S01 / n`` from the variances of the
    structural components ``V10_i = (R_i - R^x_i) / n`` and ``V01_j = 1 - (R_j - R^y_j) / m``
    (mid-ranks in the pooled sample, ``R``, and within each class, ``R^x``, ``R^y``; Sun & Xu
    2014). Hanley-McNeil's is ``(A(1-A) + (m-1)(Q1-A^2) + (n-1)(Q2-A^2)) / (mn)`` with
    ``Q1 = A/(2-A)``, ``Q2 = 2A^2/(1+A)``. Intervals are ``AUC +/- z se``, clipped to [0, 1] (as
    pROC does). Groups without both events and non-events get NaN.

    References
    ----------
    DeLong ER, DeLong DM, Clarke-Pearson DL. Comparing the areas under two or more correlated
    receiver operating characteristic curves: a nonparametric approach. Biometrics 1988;44:837-45.
    Sun X, Xu W. Fast implementation of DeLong's algorithm for comparing the areas under correlated
    receiver operating characteristic curves. IEEE Signal Process Lett 2014;21:1389-93.
    Hanley JA, McNeil BJ. The meaning and use of the area under a receiver operating characteristic
    (ROC) curve. Radiology 1982;143:29-36.
    """
    if method not in ("delong", "hanley_mcneil"):
        raise InputError(f"auc: method must be 'delong' or 'hanley_mcneil', got {method!r}")
    cols = _frames.as_list(by)
    z = _z(confidence)
    work, _ = _prepare_scores(data, predicted, observed, cols, "auc", probabilities=False)
    rows = []
    for key, sub in _groups(work, cols):
        y = sub["_y"].to_numpy()
        p = sub["_p"].to_numpy()
        pos, neg = p[y == 1], p[y == 0]
        m, n = pos.size, neg.size
        if m == 0 or n == 0:
            value = se = np.nan
        else:
            value, se = _auc_delong(pos, neg)
            if method == "hanley_mcneil":
                se = _auc_hanley_mcneil(value, m, n)
        rows.append(
            key
            | {
                "n_events": int(m),
                "n_non_events": int(n),
                "value": value,
                "standard_error": se,
                "lower_ci": max(value - z * se, 0.0) if np.isfinite(se) else np.nan,
                "upper_ci": min(value + z * se, 1.0) if np.isfinite(se) else np.nan,
            }
        )
    out = pd.DataFrame(rows)
    out["confidence"] = confidence
    out["method"] = "DeLong" if method == "delong" else "Hanley-McNeil"
    return out


# --------------------------------------------------------------------------------------------------
# sickle cell service data
# --------------------------------------------------------------------------------------------------


def _sickle_cell_frame(admissions, population, *, by, to, group):
    from rhoresearch import ethnicity

    _require(admissions, ["ethnic_category", "admissions"], "sickle_cell_rates")
    _require(population, ["ethnic_category", "population"], "sickle_cell_rates")
    cols = _frames.as_list(by)
    adm = admissions.copy()
    pop = population.copy()
    adm[group] = ethnicity.harmonise(adm["ethnic_category"], to=to)
    pop[group] = ethnicity.harmonise(pop["ethnic_category"], to=to)
    unknown = adm[group].isin([ethnicity.NOT_STATED, ethnicity.NOT_KNOWN])
    excluded = (
        adm.loc[unknown]
        .groupby(group, observed=True)["admissions"]
        .sum()
        .rename("admissions")
        .reset_index()
        .rename(columns={group: "reason"})
    )
    excluded["reason"] = "ethnic group " + excluded["reason"].astype("string").str.lower()
    adm = adm.loc[~unknown]
    pop_cols = [c for c in cols if c in population.columns and c != group]
    adm_sum = adm.groupby(cols, observed=True)["admissions"].sum().reset_index()
    pop_keys = [*pop_cols, group] if group in cols else pop_cols
    pop_sum = pop.groupby(pop_keys, observed=True)["population"].sum().reset_index()
    merged = (
        adm_sum.merge(pop_sum, on=pop_keys, how="left")
        if pop_keys
        else adm_sum.assign(population=pop["population"].sum())
    )
    return merged, excluded


def sickle_cell_rates(
    admissions: pd.DataFrame,
    population: pd.DataFrame,
    *,
    by: str | list[str] = ("financial_year", "ethnic_group"),
    to: str = "high_level",
    group: str = "ethnic_group",
    confidence: float = 0.95,
    multiplier: float = 100_000,
) -> pd.DataFrame:
    """Sickle cell disease admissions per 100,000 population by ethnic group (and year, region).

    Parameters
    ----------
    admissions : pandas.DataFrame
        Admissions by ``financial_year``, ``region`` and ``ethnic_category``; not modified.
    population : pandas.DataFrame
        Population by ``region`` and ``ethnic_category``; not modified. The same population is
        used for every year (Census 2021 held fixed).
    by : str or list of str, default ("financial_year", "ethnic_group")
        Grouping; ``group`` is the harmonised ethnic group column made here.
    to : {"high_level", "nhs_code", "census2021"}, default "high_level"
        Ethnicity scheme (:func:`rhoresearch.ethnicity.harmonise`).
    group : str, default "ethnic_group"
        Name of the harmonised ethnic group column.
    confidence : float, default 0.95
        Confidence level.
    multiplier : float, default 100_000
        Rate per this many people.

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`rhoresearch.stats.indicators.rate` (the ``by`` columns, ``count``
        admissions, ``population``, ``value``, ``lower_ci``, ``upper_ci``, ``confidence``,
        ``statistic``, ``method``). ``attrs["excluded"]`` (``reason``, ``admissions``) counts the
        admissions with ethnicity not stated or not known, which have no population and are left
        out of the rates.

    Notes
    -----
    Counts are admissions, not people: a person admitted three times counts three times. Rates
    use Byar's method from 10 events and exact Poisson limits below (via
    :func:`rhoresearch.stats.indicators.rate`).

    References
    ----------
    Breslow NE, Day NE. Statistical Methods in Cancer Research, vol. II. IARC, 1987 (Byar's
    approximation). NHS England. Sickle cell disease: hospital admissions by ethnic group (HES).
    """
    from rhoresearch.stats import indicators

    merged, excluded = _sickle_cell_frame(admissions, population, by=by, to=to, group=group)
    cols = _frames.as_list(by)
    res = indicators.rate(
        merged.rename(columns={"admissions": "count"}),
        count="count",
        population="population",
        by=cols,
        confidence=confidence,
        multiplier=multiplier,
    )
    res.attrs["excluded"] = excluded
    return res


def sickle_cell_rate_ratios(
    admissions: pd.DataFrame,
    population: pd.DataFrame,
    *,
    reference: str,
    by: str | list[str] | None = "financial_year",
    to: str = "high_level",
    group: str = "ethnic_group",
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Rate ratios of sickle cell admissions for each ethnic group against a reference group.

    Parameters
    ----------
    admissions, population : pandas.DataFrame
        As for :func:`sickle_cell_rates`; not modified.
    reference : str
        Reference group (e.g. ``"White"``).
    by : str or list of str, optional, default "financial_year"
        Further grouping within which the ratios are computed.
    to, group, confidence
        As for :func:`sickle_cell_rates`.

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`rhoresearch.stats.indicators.rate_ratio`. ``attrs["excluded"]`` as for
        :func:`sickle_cell_rates`.

    References
    ----------
    As for :func:`rhoresearch.stats.indicators.rate_ratio`.
    """
    from rhoresearch.stats import indicators

    extra = _frames.as_list(by)
    merged, excluded = _sickle_cell_frame(
        admissions, population, by=[*extra, group], to=to, group=group
    )
    res = indicators.rate_ratio(
        merged.rename(columns={"admissions": "count"}),
        count="count",
        population="population",
        group=group,
        reference=reference,
        by=extra or None,
        confidence=confidence,
    )
    res.attrs["excluded"] = excluded
    return res


def findings(
    bias: pd.DataFrame,
    occult: pd.DataFrame,
    odds_ratios: pd.DataFrame,
    calibration_table: pd.DataFrame,
    *,
    reference: str,
    group: str = "ethnic_group",
    exclude_groups: Sequence[str] = ("Not stated", "Not known"),
) -> list[str]:
    """Key findings in words, from the suppressed device and algorithm audit tables.

    Parameters
    ----------
    bias : pandas.DataFrame
        :func:`device_bias` by ``group``, after disclosure control.
    occult : pandas.DataFrame
        :func:`occult_hypoxaemia_rates` by ``group``, after disclosure control.
    odds_ratios : pandas.DataFrame
        :func:`occult_hypoxaemia_odds_ratios`, after disclosure control.
    calibration_table : pandas.DataFrame
        :func:`calibration` by ``group``, after disclosure control.
    reference : str
        Reference group.
    group : str, default "ethnic_group"
        Group column of ``bias``, ``occult`` and ``calibration_table``.
    exclude_groups : sequence of str, default ("Not stated", "Not known")
        Groups not described (unknown ethnicity).

    Returns
    -------
    list of str
        Sentences: mean bias per group, occult hypoxaemia in the reference group and the odds
        ratios whose intervals exclude 1, and groups whose observed/expected ratio excludes 1.
    """
    from rhoresearch.report import narrative

    skip = {str(g) for g in exclude_groups}
    bias = bias[~bias[group].astype(str).isin(skip)]
    occult = occult[~occult[group].astype(str).isin(skip)]
    calibration_table = calibration_table[~calibration_table[group].astype(str).isin(skip)]
    out = []
    parts = []
    for _, row in bias.iterrows():
        parts.append(
            f"{row[group]} {narrative.format_ci(row['mean_bias'], row['lower_ci'], row['upper_ci'], digits=2, confidence=float(row['confidence']))}"
        )
    if parts:
        out.append(
            "Mean bias of the pulse oximeter (SpO2 minus SaO2, percentage points; positive = "
            "over-reading): " + "; ".join(parts) + "."
        )
    ref = occult[occult[group].astype(str) == reference]
    if len(ref):
        row = ref.iloc[0]
        out.append(
            "Occult hypoxaemia (SaO2 below 88% while SpO2 read 92% or more) was found in "
            + narrative.format_ci(row["value"], row["lower_ci"], row["upper_ci"], unit="%")
            + f" of readings from {reference} patients; for the other groups: "
            + "; ".join(
                f"{r[group]} {narrative.format_ci(r['value'], r['lower_ci'], r['upper_ci'], unit='%')}"
                for _, r in occult.iterrows()
                if str(r[group]) != reference
            )
            + "."
        )
    for _, row in odds_ratios.iterrows():
        lo, hi = row["lower_ci"], row["upper_ci"]
        if bool(row["is_reference"]) or isinstance(lo, str) or pd.isna(lo) or lo <= 1 <= hi:
            continue
        out.append(
            narrative.ratio_sentence(
                row,
                group_col="group",
                outcome="occult hypoxaemia on a reading",
                comparator=reference,
                noun="patients",
                kind="odds",
                estimate="estimate",
                qualifier=", after adjusting for age, sex and setting",
            )
        )
    oe = calibration_table[calibration_table["measure"] == "observed/expected"]
    for _, row in oe.iterrows():
        lo, hi = row["lower_ci"], row["upper_ci"]
        if isinstance(lo, str) or pd.isna(lo) or lo <= 1 <= hi:
            continue
        word = "under-predicted" if lo > 1 else "over-predicted"
        out.append(
            f"The risk score {word} risk for {row[group]} patients: observed/expected "
            + narrative.format_ci(row["value"], lo, hi, digits=2)
            + " (1 = calibrated)."
        )
    return out
