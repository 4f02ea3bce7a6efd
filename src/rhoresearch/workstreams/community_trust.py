"""Workstream 1, community participation and trust: weighted survey indicators by ethnic group.

A patient-experience survey gives one row per respondent with a non-response weight. This module
loads such a file against its schema (:data:`RESPONSES_SCHEMA`), turns the answers into yes/no
outcomes by a documented rule (:func:`binarise`), counts respondents per group
(:func:`respondents_by_group`), estimates weighted percentages with intervals that account for the
weights through the Kish effective sample size (:func:`weighted_percentages`), and fits logistic
models adjusted for age, sex and deprivation through :func:`rhoresearch.stats.models.logistic_model`
(:func:`adjusted_odds_ratios`). :func:`prepare` makes the analysis frame (region, binarised answers,
harmonised ethnic group, exclusions counted), :func:`weight_summary` describes the weights and
:func:`findings` words the key results from the suppressed tables.

The statistics themselves (the Wilson interval, the logistic model) come from
:mod:`rhoresearch.stats.indicators` and :mod:`rhoresearch.stats.models`; what is specific to surveys (the
weights, the effective sample size, the binarisation) lives here.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np
import pandas as pd
import pandera.pandas as pa

from rhoresearch import config, data
from rhoresearch.exceptions import InputError
from rhoresearch.workstreams import _frames

__all__ = [
    "AGE_BANDS",
    "LIKERT_QUESTIONS",
    "BINARY_QUESTIONS",
    "QUESTIONS",
    "QUESTION_LABELS",
    "RESPONSES_SCHEMA",
    "load_responses",
    "prepare",
    "binarise",
    "effective_sample_size",
    "respondents_by_group",
    "weighted_percentages",
    "weight_summary",
    "adjusted_odds_ratios",
    "findings",
]

logger = logging.getLogger(__name__)

AGE_BANDS = ["16-24", "25-34", "35-44", "45-54", "55-64", "65-74", "75+"]
#: Agreement questions on a 1-5 scale (1 strongly disagree ... 5 strongly agree; 9 don't know).
LIKERT_QUESTIONS = ["q_trust", "q_involved", "q_listened"]
#: Yes / No / Don't know questions.
BINARY_QUESTIONS = ["q_discrimination"]
QUESTIONS = LIKERT_QUESTIONS + BINARY_QUESTIONS

#: Plain-language wording of each binarised outcome, for tables and figures.
QUESTION_LABELS = {
    "q_trust": "Trusts the health professionals they saw",
    "q_involved": "Felt involved in decisions about their care",
    "q_listened": "Felt listened to",
    "q_discrimination": "Felt discriminated against by health services in the last year",
}

_LIKERT_CODES = [1, 2, 3, 4, 5, 9]
_BINARY_ANSWERS = ["Yes", "No", "Don't know"]

RESPONSES_SCHEMA = data.dataset_schema(
    "survey_responses",
    columns={
        "respondent_id": data.column("str"),
        "ethnic_category": data.column("str", nullable=True),
        "age_band": data.column("str", allowed=AGE_BANDS),
        "sex": data.column("str", nullable=True, allowed=["Female", "Male"]),
        "imd_quintile": data.column("int", allowed=[1, 2, 3, 4, 5]),
        "region": data.column("str"),
        "weight": data.column("float", checks=[pa.Check.gt(0)]),
        **{q: data.column("int", nullable=True, allowed=_LIKERT_CODES) for q in LIKERT_QUESTIONS},
        **{q: data.column("str", nullable=True, allowed=_BINARY_ANSWERS) for q in BINARY_QUESTIONS},
    },
    key=["respondent_id"],
    description="one row per respondent of a patient-experience survey",
)
"""Schema of ``responses.csv``: one row per respondent.

Columns: ``respondent_id`` (unique), ``ethnic_category`` (NHS ethnic category code or description as
recorded, may be blank), ``age_band`` (16-24 ... 75+), ``sex`` (Female, Male), ``imd_quintile``
(1 = most deprived ... 5), ``region``, ``weight`` (> 0), ``q_trust``, ``q_involved``,
``q_listened`` (1-5, 9 = don't know, blank = not answered), ``q_discrimination`` (Yes, No,
Don't know, blank).
"""


def load_responses(path) -> pd.DataFrame:
    """Load a survey response file and validate it against :data:`RESPONSES_SCHEMA`.

    Parameters
    ----------
    path : str or path-like
        CSV or Parquet file; a relative path is resolved against the project root.

    Returns
    -------
    pandas.DataFrame
        The validated responses (see :data:`RESPONSES_SCHEMA` for the columns).

    Raises
    ------
    SchemaError
        The file does not match the schema (file, column, first rows and values named).
    """
    return data.load(config.resolve_path(path), schema=RESPONSES_SCHEMA)


def prepare(
    data: pd.DataFrame,
    *,
    region: str | None = None,
    positive: Sequence[int] = (4, 5),
    ethnicity_column: str = "ethnic_category",
    group: str = "ethnic_group",
    to: str = "high_level",
) -> pd.DataFrame:
    """Select a region, binarise the answers and harmonise ethnicity: the analysis frame.

    Parameters
    ----------
    data : pandas.DataFrame
        Responses as loaded by :func:`load_responses`; not modified.
    region : str, optional
        Keep respondents of this region only (``None`` or ``"England"``: all). Matched ignoring
        case, spaces and hyphens, so ``"north-west"`` selects "North West".
    positive : sequence of int, default (4, 5)
        Agreement-scale points counted as positive (see :func:`binarise`).
    ethnicity_column : str, default "ethnic_category"
        Ethnicity as recorded.
    group : str, default "ethnic_group"
        Name of the harmonised ethnic group column added.
    to : str, default "high_level"
        Scheme of :func:`rhoresearch.ethnicity.harmonise`.

    Returns
    -------
    pandas.DataFrame
        The selected respondents with binarised question columns and ``group``.
        ``attrs["exclusions"]`` is a tidy frame (``step``, ``reason``, ``n``, ``applies_to``)
        counting respondents outside the region, respondents whose ethnicity is not stated or not
        known (in every table by group, left out of the comparisons) and answers not counted per
        question.

    Notes
    -----
    Nothing is dropped except by the region filter: unknown ethnicity stays as the groups
    "Not stated" and "Not known" so that respondent counts show it.
    """
    from rhoresearch import ethnicity

    if not isinstance(data, pd.DataFrame):
        raise InputError(f"prepare: data must be a DataFrame, got {type(data).__name__}")
    rows = []
    work = data
    if region is not None and _slug(region) != "england":
        if "region" not in data.columns:
            raise InputError("prepare: a region was given but data has no 'region' column")
        known = sorted(data["region"].dropna().unique())
        matches = [r for r in known if _slug(r) == _slug(region)]
        if not matches:
            raise InputError(f"prepare: region {region!r} not in the data (regions: {known})")
        region = matches[0]
        keep = data["region"] == region
        rows.append(
            {
                "step": "region",
                "reason": f"outside {region}",
                "n": int((~keep).sum()),
                "applies_to": "every table",
            }
        )
        work = data.loc[keep]
    out = binarise(work, positive=positive)
    out[group] = ethnicity.harmonise(out[ethnicity_column], to=to, errors="not_known")
    for label in (ethnicity.NOT_STATED, ethnicity.NOT_KNOWN):
        rows.append(
            {
                "step": "ethnic group",
                "reason": f"ethnicity {label.lower()}",
                "n": int((out[group] == label).sum()),
                "applies_to": "comparisons between groups",
            }
        )
    excluded = out.attrs["excluded"]
    for rec in excluded.itertuples(index=False):
        rows.append(
            {
                "step": f"answer to {rec.question}",
                "reason": rec.reason,
                "n": int(rec.n),
                "applies_to": f"{rec.question} only",
            }
        )
    out.attrs["exclusions"] = pd.DataFrame(rows, columns=["step", "reason", "n", "applies_to"])
    out.attrs["region"] = "England" if region is None or _slug(region) == "england" else region
    logger.info("survey prepare: %d respondents kept of %d", len(out), len(data))
    return out


def binarise(
    data: pd.DataFrame,
    *,
    questions: Sequence[str] | None = None,
    positive: Sequence[int] = (4, 5),
) -> pd.DataFrame:
    """Turn survey answers into 1 / 0 outcomes (missing where the answer does not count).

    Parameters
    ----------
    data : pandas.DataFrame
        Responses; not modified.
    questions : sequence of str, optional
        Columns to convert (default: those of :data:`QUESTIONS` present in ``data``). Columns in
        :data:`BINARY_QUESTIONS` are read as Yes/No answers, every other as a 1-5 agreement scale.
    positive : sequence of int, default (4, 5)
        Scale points counted as a positive answer ("agree", "strongly agree").

    Returns
    -------
    pandas.DataFrame
        A copy of ``data`` in which each question column holds ``1.0`` (positive), ``0.0`` or NaN
        (not counted). ``attrs["excluded"]`` is a tidy frame with one row per question and reason
        (``question``, ``reason`` in ``"not answered"``, ``"don't know"``, ``"invalid"``, ``n``).

    Notes
    -----
    Agreement scale: 4-5 = 1, 1-3 = 0 (neither agree nor disagree counts as not positive, as in
    the NHS Adult Inpatient Survey's "positive score"), 9 "don't know" and blanks are excluded from
    the denominator. Yes/No: Yes = 1, No = 0, "Don't know" and blanks excluded. Values outside
    these codes are excluded as ``"invalid"`` (the schema normally rejects them first). Excluded
    answers are counted in ``attrs["excluded"]``, never silently dropped.

    References
    ----------
    Care Quality Commission. NHS Patient Survey Programme: scoring and positive-response methods
    (Adult Inpatient Survey technical documentation).
    """
    if not isinstance(data, pd.DataFrame):
        raise InputError(f"binarise: data must be a DataFrame, got {type(data).__name__}")
    questions = (
        [q for q in QUESTIONS if q in data.columns] if questions is None else list(questions)
    )
    missing = [q for q in questions if q not in data.columns]
    if missing:
        raise InputError(
            f"binarise: question columns {missing} not in data (columns: {list(data.columns)})"
        )
    out = data.copy()
    rows = []
    for q in questions:
        s = data[q]
        blank = s.isna().to_numpy()
        if q in BINARY_QUESTIONS:
            text = s.astype("string").str.strip().str.lower()
            yes = (text == "yes").fillna(False).to_numpy(dtype=bool)
            no = (text == "no").fillna(False).to_numpy(dtype=bool)
            dont_know = (text == "don't know").fillna(False).to_numpy(dtype=bool)
            value = np.where(yes, 1.0, np.where(no, 0.0, np.nan))
            invalid = ~(blank | yes | no | dont_know)
        else:
            num = pd.to_numeric(s, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
            is_pos = np.isin(num, list(positive))
            is_neg = np.isin(num, [v for v in (1, 2, 3, 4, 5) if v not in positive])
            dont_know = num == 9
            value = np.where(is_pos, 1.0, np.where(is_neg, 0.0, np.nan))
            invalid = ~(blank | is_pos | is_neg | dont_know)
        out[q] = value
        for reason, mask in (
            ("not answered", blank),
            ("don't know", dont_know),
            ("invalid", invalid),
        ):
            rows.append({"question": q, "reason": reason, "n": int(mask.sum())})
        logger.info(
            "binarise %s: %d positive, %d not, %d excluded",
            q,
            int(np.nansum(value == 1)),
            int(np.nansum(value == 0)),
            int(np.isnan(value).sum()),
        )
    out.attrs["excluded"] = pd.DataFrame(rows, columns=["question", "reason", "n"])
    return out


def effective_sample_size(weights) -> float:
    """Kish's effective sample size of a set of weights: ``(sum w)^2 / sum w^2``.

    Parameters
    ----------
    weights : array-like
        Non-negative weights; missing values are ignored.

    Returns
    -------
    float
        The effective sample size (equal to the number of weights when all are equal; 0 for none).

    Notes
    -----
    ``n_eff = n / (1 + cv^2)`` where ``cv`` is the coefficient of variation of the weights: the
    number of unweighted observations that would give the same variance of a mean (Kish's design
    effect due to unequal weighting, ``deff = n / n_eff``).

    References
    ----------
    Kish L. Survey Sampling. New York: Wiley, 1965. Kish L. Weighting for unequal Pi. J Off Stat
    1992;8:183-200.
    """
    w = pd.to_numeric(pd.Series(weights), errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    w = w[~np.isnan(w)]
    if (w < 0).any():
        raise InputError("effective_sample_size: weights must be >= 0")
    total = w.sum()
    squares = (w**2).sum()
    return float(total**2 / squares) if squares > 0 else 0.0


def _slug(text: str) -> str:
    return " ".join(str(text).lower().replace("-", " ").replace("_", " ").split())


def _join(items: Sequence[str]) -> str:
    """``a``; ``a and b``; ``a, b and c``."""
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def respondents_by_group(data: pd.DataFrame, *, by: str | list[str]) -> pd.DataFrame:
    """Count respondents per group (including "Not stated" and "Not known").

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent; not modified.
    by : str or list of str
        Grouping column(s), e.g. the harmonised ethnic group. Categorical columns keep their
        category order and every category appears (with 0 if empty).

    Returns
    -------
    pandas.DataFrame
        One row per group: the ``by`` columns, ``n_respondents`` and ``percentage`` (of all
        respondents, 0-100).

    Notes
    -----
    Rows with a missing group value are counted under a group value of NaN, never dropped.
    """
    cols = _frames.as_list(by)
    if not cols:
        raise InputError("respondents_by_group: give at least one column in 'by'")
    missing = [c for c in cols if c not in data.columns]
    if missing:
        raise InputError(f"respondents_by_group: columns {missing} not in data")
    counts = (
        data.groupby(cols, observed=False, dropna=False, sort=True)
        .size()
        .rename("n_respondents")
        .reset_index()
    )
    counts["n_respondents"] = counts["n_respondents"].astype("int64")
    total = counts["n_respondents"].sum()
    counts["percentage"] = 100 * counts["n_respondents"] / total if total else np.nan
    return counts


def weighted_percentages(
    data: pd.DataFrame,
    *,
    outcomes: str | Sequence[str],
    weight: str,
    by: str | list[str] | None = None,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Weighted percentage answering positively, by group, with Wilson intervals on the Kish n_eff.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent with 1/0/NaN outcome columns (see :func:`binarise`); not modified.
    outcomes : str or sequence of str
        The outcome columns.
    weight : str
        The survey weight column (> 0).
    by : str or list of str, optional
        Grouping columns; ``None`` gives one row per outcome for all respondents. Categorical
        columns keep their order; empty categories are dropped.
    confidence : float, default 0.95
        Confidence level of the interval.

    Returns
    -------
    pandas.DataFrame
        One row per outcome and group: ``question``, the ``by`` columns, ``n_respondents``
        (respondents with a counted answer), ``n_positive`` and ``n_not_positive`` (unweighted),
        ``weighted_n`` (sum of weights), ``effective_n`` (Kish), ``value`` (weighted percentage,
        0-100), ``lower_ci``, ``upper_ci``, ``confidence``, ``statistic``
        (``"weighted percentage"``), ``method``.

    Notes
    -----
    The point estimate is the weighted mean ``p = sum(w * y) / sum(w)`` over respondents with a
    counted answer. The interval is the Wilson score interval (computed by
    :func:`rhoresearch.stats.indicators.proportion`) for ``p`` with the sample size replaced by Kish's
    effective sample size ``n_eff = (sum w)^2 / sum w^2`` of the group, i.e. for
    ``p * n_eff`` "successes" out of ``n_eff``. This carries the loss of precision due to unequal
    weights (design effect ``n / n_eff``) into the interval; it does not model clustering or
    stratification of the sample design (Korn & Graubard; Dean & Pagano compare such intervals).
    Missing outcomes and missing or non-positive weights are excluded per outcome and their
    numbers logged.

    References
    ----------
    Kish L. Survey Sampling. Wiley, 1965. Wilson EB. Probable inference, the law of succession,
    and statistical inference. J Am Stat Assoc 1927;22:209-12. Korn EL, Graubard BI. Confidence
    intervals for proportions with small expected number of positive counts estimated from survey
    data. Surv Methodol 1998;24:193-201. Dean N, Pagano M. Evaluating confidence interval methods
    for binomial proportions in clustered surveys. J Surv Stat Methodol 2015;3:484-503.
    """
    from rhoresearch.stats import indicators

    outcomes = [outcomes] if isinstance(outcomes, str) else list(outcomes)
    cols = _frames.as_list(by)
    needed = [*outcomes, weight, *cols]
    missing = [c for c in needed if c not in data.columns]
    if missing:
        raise InputError(
            f"weighted_percentages: columns {missing} not in data (columns: {list(data.columns)})"
        )
    w_all = pd.to_numeric(data[weight], errors="coerce")
    frames = []
    for q in outcomes:
        y = pd.to_numeric(data[q], errors="coerce")
        bad_y = y.notna() & ~y.isin([0, 1])
        if bad_y.any():
            raise InputError(
                f"weighted_percentages: outcome {q!r} must be 0, 1 or missing; rows "
                f"{list(data.index[bad_y][:5])} hold {list(y[bad_y][:5])}"
            )
        keep = y.notna() & w_all.notna() & (w_all > 0)
        n_excluded = int((~keep).sum())
        if n_excluded:
            logger.info(
                "weighted_percentages %s: %d rows excluded (no answer or weight)", q, n_excluded
            )
        work = data.loc[keep, cols].copy()
        work["_y"] = y[keep].to_numpy(dtype=float)
        work["_w"] = w_all[keep].to_numpy(dtype=float)
        work["_wy"] = work["_w"] * work["_y"]
        work["_w2"] = work["_w"] ** 2
        if cols:
            grouped = work.groupby(cols, observed=True, sort=True)
            agg = grouped.agg(
                n_respondents=("_y", "size"),
                n_positive=("_y", "sum"),
                weighted_n=("_w", "sum"),
                _wy=("_wy", "sum"),
                _w2=("_w2", "sum"),
            ).reset_index()
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
        res = indicators.proportion(
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
        agg.insert(0, "question", q)
        frames.append(agg.drop(columns=["_wy", "_w2"]))
    columns = [
        "question",
        *cols,
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
    return pd.concat(frames, ignore_index=True)[columns]


def weight_summary(
    data: pd.DataFrame, *, weight: str, by: str | list[str] | None = None
) -> pd.DataFrame:
    """Spread of the survey weights and the precision they cost, by group.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent; not modified.
    weight : str
        The weight column.
    by : str or list of str, optional
        Grouping columns (``None``: all respondents).

    Returns
    -------
    pandas.DataFrame
        One row per group: the ``by`` columns, ``n_respondents``, ``weighted_n`` (sum of weights),
        ``effective_n`` (Kish), ``design_effect`` (``n_respondents / effective_n``, Kish's design
        effect due to unequal weights), ``weight_min``, ``weight_median``, ``weight_max``.

    References
    ----------
    Kish L. Weighting for unequal Pi. J Off Stat 1992;8:183-200.
    """
    cols = _frames.as_list(by)
    missing = [c for c in [weight, *cols] if c not in data.columns]
    if missing:
        raise InputError(f"weight_summary: columns {missing} not in data")
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
    return out[
        [
            *cols,
            "n_respondents",
            "weighted_n",
            "effective_n",
            "design_effect",
            "weight_min",
            "weight_median",
            "weight_max",
        ]
    ]


def adjusted_odds_ratios(
    data: pd.DataFrame,
    *,
    outcomes: str | Sequence[str],
    group: str,
    reference: str,
    covariates: Sequence[str] = ("age_band", "sex", "imd_quintile"),
    weight: str | None = None,
    respondent: str | None = "respondent_id",
    exclude_groups: Sequence[str] = ("Not stated", "Not known"),
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Odds ratios of each outcome for each group against the reference, adjusted for covariates.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent with 1/0/NaN outcome columns (see :func:`binarise`); not modified.
    outcomes : str or sequence of str
        The outcome columns; one model each.
    group : str
        The ethnic group column.
    reference : str
        The reference group (e.g. ``"White"``).
    covariates : sequence of str, default ("age_band", "sex", "imd_quintile")
        Adjustment variables, entered as categorical terms.
    weight : str, optional
        Survey weight column. The model is fitted by weighted (pseudo-) maximum likelihood and
        its standard errors are robust (sandwich), clustered on ``respondent``.
    respondent : str or None, default "respondent_id"
        Column identifying the respondent (the unit of the sandwich estimator). If ``None`` or not
        in ``data``, each row is its own cluster.
    exclude_groups : sequence of str, default ("Not stated", "Not known")
        Group values left out of the models (counted in ``n_excluded_group``).
    confidence : float, default 0.95
        Confidence level.

    Returns
    -------
    pandas.DataFrame
        The rows of :func:`rhoresearch.stats.models.logistic_model` for the group terms (``group``,
        ``estimate`` the odds ratio, ``lower_ci``, ``upper_ci``, ``p_value``, ``n_used``,
        ``n_excluded`` and the other columns it returns), with ``question`` first, the group's
        respondents in the model ``n_respondents``, ``n_positive`` and ``n_not_positive`` (for
        disclosure control), and ``n_excluded_group`` (rows left out because their group is in
        ``exclude_groups``).

    Notes
    -----
    Respondents with a missing outcome or covariate are excluded by the model and counted in
    ``n_excluded``. The odds ratio is conditional on the covariates, not a ratio of percentages.

    With weights, the coefficients solve the weighted score equations
    ``sum_i w_i x_i (y_i - mu_i) = 0`` and the variance is the sandwich
    ``A^-1 B A^-1`` with ``A = sum w_i mu_i (1 - mu_i) x_i x_i'`` and ``B = sum w_i^2 (y_i -
    mu_i)^2 x_i x_i'`` (Binder 1983; Lumley & Scott 2017): the linearisation variance for a
    weighted sample without strata or clusters. It is obtained from
    :func:`rhoresearch.stats.models.logistic_model` with ``weight_type="var"`` and ``cluster`` set to the
    respondent; model-based (unweighted-information) standard errors would be too narrow.

    References
    ----------
    Binder DA. On the variances of asymptotically normal estimators from complex surveys. Int
    Stat Rev 1983;51:279-92. Lumley T, Scott AJ. Fitting regression models to survey data. Stat
    Sci 2017;32:265-78.
    """
    import warnings

    from rhoresearch.stats import models

    outcomes = [outcomes] if isinstance(outcomes, str) else list(outcomes)
    missing = [c for c in [*outcomes, group, *covariates] if c not in data.columns]
    if weight is not None and weight not in data.columns:
        missing.append(weight)
    if missing:
        raise InputError(f"adjusted_odds_ratios: columns {missing} not in data")
    is_excluded = data[group].isin(list(exclude_groups)) | data[group].isna()
    work = data.loc[~is_excluded].copy()
    if isinstance(work[group].dtype, pd.CategoricalDtype):
        work[group] = work[group].cat.remove_unused_categories()
    for c in covariates:
        work[c] = work[c].astype("string")
    options: dict = {}
    if weight is not None:
        if respondent is None or respondent not in work.columns:
            respondent = "_respondent"
            work[respondent] = np.arange(len(work))
        options = {"weights": weight, "weight_type": "var", "cluster": respondent}
    frames = []
    for q in outcomes:
        with warnings.catch_warnings():
            # statsmodels warns that robust covariances are "not fully supported" with weights;
            # for the binomial family (scale fixed at 1) the cluster sandwich with var_weights is
            # the linearisation variance described in the Notes (checked in tests/test_survey.py)
            warnings.filterwarnings("ignore", message="cov_type not fully supported")
            res = models.logistic_model(
                work,
                outcome=q,
                group=group,
                reference=reference,
                covariates=list(covariates),
                confidence=confidence,
                **options,
            )
        res = res.copy()
        res.insert(0, "question", q)
        used = work.dropna(subset=[q, *covariates, *([weight] if weight else [])])
        counts = used.groupby(group, observed=True)[q].agg(["size", "sum"])
        key = res["group"].astype(str)
        sizes = counts["size"].rename(index=str)
        positives = counts["sum"].rename(index=str)
        res["n_respondents"] = key.map(sizes).fillna(0).astype("int64").to_numpy()
        res["n_positive"] = key.map(positives).fillna(0).round().astype("int64").to_numpy()
        res["n_not_positive"] = res["n_respondents"] - res["n_positive"]
        res["n_excluded_group"] = int(is_excluded.sum())
        frames.append(res)
    return pd.concat(frames, ignore_index=True)


def findings(
    percentages: pd.DataFrame,
    odds_ratios: pd.DataFrame,
    *,
    reference: str,
    group: str = "ethnic_group",
    labels: dict[str, str] | None = None,
    adjusted_for: str = "age, sex and deprivation",
) -> list[str]:
    """Key findings in words, one sentence per question, from suppressed result tables.

    Parameters
    ----------
    percentages : pandas.DataFrame
        Output of :func:`weighted_percentages` (by ``group``), after disclosure control.
    odds_ratios : pandas.DataFrame
        Output of :func:`adjusted_odds_ratios`, after disclosure control.
    reference : str
        The reference group.
    group : str, default "ethnic_group"
        The group column of ``percentages``.
    labels : dict, optional
        Plain-language wording per question (default :data:`QUESTION_LABELS`).
    adjusted_for : str, default "age, sex and deprivation"
        How the odds ratios were adjusted, for the sentence.

    Returns
    -------
    list of str
        Per question: the reference group's weighted percentage with its interval, then the groups
        whose adjusted odds ratio's interval lies wholly below 1 ("lower"), wholly above 1
        ("higher"), and the others ("no clear difference"; suppressed ones named as such), e.g.
        ``"Felt listened to: 81.8% (95% CI 81.4% to 82.2%) of White respondents. After adjusting
        for age, sex and deprivation, the odds were lower for Black (0.74, 95% CI 0.64 to 0.87)
        respondents; no clear difference for Other respondents."``

    Notes
    -----
    Numbers are formatted by :func:`rhoresearch.report.narrative.format_ci` ("x (95% CI a to b)"); a
    suppressed value (``[c]``) is never printed.
    """
    from rhoresearch.report import narrative

    labels = QUESTION_LABELS if labels is None else labels
    out = []
    for q in percentages["question"].drop_duplicates():
        pct = percentages[percentages["question"] == q]
        ref = pct[pct[group].astype(str) == reference]
        head = f"{labels.get(q, q)}:"
        if len(ref):
            row = ref.iloc[0]
            conf = float(row["confidence"])
            head += (
                " "
                + narrative.format_ci(
                    row["value"], row["lower_ci"], row["upper_ci"], confidence=conf, unit="%"
                )
                + f" of {reference} respondents (weighted)."
            )
        ors = odds_ratios[
            (odds_ratios["question"] == q) & ~odds_ratios["is_reference"].astype(bool)
        ]
        lower, higher, unclear, hidden = [], [], [], []
        for _, row in ors.iterrows():
            est, lo, hi = row["estimate"], row["lower_ci"], row["upper_ci"]
            name = str(row["group"])
            if any(isinstance(v, str) for v in (est, lo, hi)):
                hidden.append(name)
                continue
            if pd.isna(lo) or pd.isna(hi) or lo <= 1 <= hi:
                unclear.append(name)
                continue
            text = narrative.format_ci(est, lo, hi, digits=2, confidence=float(row["confidence"]))
            text = text.replace(" (", ", ", 1)[:-1] if text.endswith(")") else text
            (lower if hi < 1 else higher).append((float(est), f"{name} ({text})"))
        parts = []
        if lower:
            items = [t for _, t in sorted(lower)]
            parts.append("lower for " + _join(items) + " respondents")
        if higher:
            items = [t for _, t in sorted(higher, reverse=True)]
            parts.append("higher for " + _join(items) + " respondents")
        sentence = head
        if parts:
            sentence += (
                f" Compared with {reference} respondents of the same {adjusted_for}, the odds "
                "were " + " and ".join(parts) + "."
            )
        if unclear:
            sentence += f" No clear difference for {_join(unclear)} respondents."
        if hidden:
            sentence += (
                f" The odds ratios for {_join(hidden)} respondents are suppressed to protect "
                "confidentiality."
            )
        out.append(sentence)
    return out
