"""Workstream 1, community participation and trust: weighted survey indicators by ethnic group.

A patient-experience survey gives one row per respondent with a non-response weight. This module
loads such a file against its schema (:data:`RESPONSES_SCHEMA`), turns the answers into yes/no
outcomes by a documented rule (:func:`binarise`), makes the analysis frame (:func:`prepare`: region,
binarised answers, harmonised ethnic group, and the rows left out, returned beside it), counts
respondents per group (:func:`respondents_by_group`), gives the weighted percentage answering
positively to each question (:func:`question_percentages`) and the odds ratios adjusted for age, sex
and deprivation (:func:`adjusted_odds_ratios`). :func:`suppress_tables` applies disclosure control
to every table the report shows, :func:`suppression_notes` and :func:`findings` word what was
suppressed and the key results.

The statistics come from :mod:`rhoresearch.stats`: the weighted percentages, Kish's effective sample
size and the weight summary from :mod:`rhoresearch.stats.survey`, the logistic model from
:mod:`rhoresearch.stats.models`. What is specific to this survey (its questions, what counts as a
positive answer, which tables are published together) lives here.
"""

from __future__ import annotations

import functools
import logging
import warnings
from collections.abc import Callable, Mapping, Sequence
from os import PathLike
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
import pandera.pandas as pa

from rhoresearch import config, data, disclosure, ethnicity
from rhoresearch.exceptions import InputError
from rhoresearch.report import narrative
from rhoresearch.results import Result, combine_exclusions, exclusions_table
from rhoresearch.stats.survey import WEIGHT_SUMMARY_COLUMNS as _WEIGHT_SUMMARY_COLUMNS
from rhoresearch.stats.survey import weighted_percentages
from rhoresearch.validation import as_columns, check_frame, require_columns, slug
from rhoresearch.workstreams import _grouping, _tables
from rhoresearch.workstreams._grouping import (
    choose_grouping,
    grouping_note,
    panels,
    sparse_exclusions,
    sparse_groups,
    sparse_sentence,
)
from rhoresearch.workstreams._trust_assumptions import assumptions, caveats, suppression_notes
from rhoresearch.workstreams._wording import document, region_name

__all__ = [
    "AGE_BANDS",
    "LIKERT_QUESTIONS",
    "BINARY_QUESTIONS",
    "QUESTIONS",
    "QUESTION_LABELS",
    "COVARIATES",
    "COVARIATE_WORDS",
    "UNKNOWN_GROUPS",
    "ANSWER_COUNTS",
    "RESPONSES_SCHEMA",
    "Prepared",
    "Tables",
    "load_responses",
    "prepare",
    "binarise",
    "respondents_by_group",
    "question_percentages",
    "adjusted_odds_ratios",
    "suppress_tables",
    "choose_grouping",
    "sparse_groups",
    "sparse_exclusions",
    "sparse_sentence",
    "panels",
    "grouping_note",
    "assumptions",
    "caveats",
    "suppression_notes",
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

#: Default adjustment variables of the odds ratios.
COVARIATES = ("age_band", "sex", "imd_quintile")

#: How a covariate is named in a sentence ("of the same age band, sex and deprivation quintile");
#: other covariates are named by their column, underscores as spaces.
COVARIATE_WORDS = {"age_band": "age band", "sex": "sex", "imd_quintile": "deprivation quintile"}

#: Groups whose ethnicity is unknown: counted in every table, left out of comparisons.
UNKNOWN_GROUPS = (ethnicity.NOT_STATED, ethnicity.NOT_KNOWN)

#: The disclosure options of the tables of answers by question and group (percentages, odds
#: ratios): pass them to :func:`rhoresearch.report.runtime.show_table` and ``save_table``.
ANSWER_COUNTS: dict[str, Any] = {
    "counts": ["n_respondents", "n_positive", "n_not_positive"],
    "by": "question_text",
    "row_total": "n_respondents",
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


class Prepared(NamedTuple):
    """The analysis frame of :func:`prepare`, the rows it leaves out and the region it covers.

    Attributes
    ----------
    data : pandas.DataFrame
        One row per respondent of the region: binarised question columns and the ethnic group.
    exclusions : pandas.DataFrame
        ``step``, ``reason``, ``rows``, ``applies_to`` (see :mod:`rhoresearch.results`).
    region : str
        The region as the data spells it, or ``"England"`` for all respondents.
    """

    data: pd.DataFrame
    exclusions: pd.DataFrame
    region: str


class Tables(NamedTuple):
    """The tables a community-trust report shows and saves (after :func:`suppress_tables`).

    Attributes
    ----------
    respondents, weights, percentages, odds_ratios, exclusions : pandas.DataFrame
        Respondents by group, the weight summary by group, the weighted percentages, the adjusted
        odds ratios and the rows left out (columns ``step``, ``reason``, ``n``, ``applies_to``).
    """

    respondents: pd.DataFrame
    weights: pd.DataFrame
    percentages: pd.DataFrame
    odds_ratios: pd.DataFrame
    exclusions: pd.DataFrame


@document()
def load_responses(path: str | PathLike[str]) -> pd.DataFrame:
    """Load a survey response file and validate it against :data:`RESPONSES_SCHEMA`.

    Parameters
    ----------
    {path}

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
) -> Prepared:
    """Select a region, binarise the answers and harmonise ethnicity: the analysis frame.

    Parameters
    ----------
    data : pandas.DataFrame
        Responses as loaded by :func:`load_responses`; not modified.
    region : str, optional
        Keep respondents of this region only (``None`` or ``"England"``: all). Matched on letters
        and digits ignoring case (:func:`rhoresearch.validation.slug`), so ``"north-west"`` selects
        "North West".
    positive : sequence of int, default (4, 5)
        Agreement-scale points counted as positive (see :func:`binarise`).
    ethnicity_column : str, default "ethnic_category"
        Ethnicity as recorded.
    group : str, default "ethnic_group"
        Name of the harmonised ethnic group column added.
    to : str, default "high_level"
        Scheme of :func:`rhoresearch.workstreams._grouping.harmonise`: ``"high_level"`` (Chinese
        under Asian, as Census 2021) or ``"detailed"`` (the NHS 16 categories, short labels).

    Returns
    -------
    Prepared
        ``data``: the selected respondents with binarised question columns and ``group``;
        ``exclusions``: ``step``, ``reason``, ``rows``, ``applies_to``, counting respondents outside
        the region, respondents whose ethnicity is not stated or not known (in every table by group,
        left out of the comparisons) and answers not counted, per question; ``region``: the region
        as the data spells it, or ``"England"``.

    Raises
    ------
    InputError
        ``data`` is not a DataFrame, or the region is not in the data.

    Notes
    -----
    Nothing is dropped except by the region filter: unknown ethnicity stays as the groups
    "Not stated" and "Not known" so that respondent counts show it.
    """
    check_frame(data, func="prepare")
    rows = []
    work = data
    where = "England"
    if region is not None and slug(region) != "england":
        require_columns(data, "region", func="prepare")
        known = sorted(data["region"].dropna().unique())
        where = region_name(region, known)
        if where not in known:
            raise InputError(f"prepare: region {region!r} not in the data (regions: {known})")
        keep = data["region"] == where
        rows.append(("region", f"outside {where}", int((~keep).sum()), "every table"))
        work = data.loc[keep]
    out, answers = binarise(work, positive=positive)
    out[group] = _grouping.harmonise(out[ethnicity_column], to=to, errors="not_known")
    for label in UNKNOWN_GROUPS:
        n = int((out[group] == label).sum())
        rows.append(("ethnic group", f"ethnicity {label.lower()}", n, "comparisons between groups"))
    exclusions = combine_exclusions(exclusions_table(rows, applies_to=True), answers)
    logger.info("community trust prepare: %d respondents kept of %d", len(out), len(data))
    return Prepared(out, exclusions, where)


def binarise(
    data: pd.DataFrame,
    *,
    questions: Sequence[str] | None = None,
    positive: Sequence[int] = (4, 5),
) -> Result:
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
    rhoresearch.results.Result
        ``table``: a copy of ``data`` in which each question column holds ``1.0`` (positive),
        ``0.0`` or NaN (not counted); ``exclusions``: one row per question and reason, ``step``
        (``"answer to <question>"``), ``reason`` (``"not answered"``, ``"don't know"``,
        ``"invalid"``), ``rows`` and ``applies_to`` (``"<question> only"``).

    Notes
    -----
    Agreement scale: 4-5 = 1, 1-3 = 0 (neither agree nor disagree counts as not positive, as in
    the NHS Adult Inpatient Survey's "positive score"), 9 "don't know" and blanks are excluded from
    the denominator. Yes/No: Yes = 1, No = 0, "Don't know" and blanks excluded. Values outside
    these codes are excluded as ``"invalid"`` (the schema normally rejects them first). Excluded
    answers are counted in the exclusions, never silently dropped.

    References
    ----------
    Care Quality Commission. NHS Patient Survey Programme: scoring and positive-response methods
    (Adult Inpatient Survey technical documentation).
    """
    check_frame(data, func="binarise")
    if questions is None:
        questions = [q for q in QUESTIONS if q in data.columns]
    questions = as_columns(questions, func="binarise", name="questions")
    require_columns(data, questions, func="binarise", what="question column")
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
            rows.append((f"answer to {q}", reason, int(mask.sum()), f"{q} only"))
        logger.info(
            "binarise %s: %d positive, %d not, %d excluded",
            q,
            int(np.nansum(value == 1)),
            int(np.nansum(value == 0)),
            int(np.isnan(value).sum()),
        )
    return Result(out, exclusions_table(rows, applies_to=True))


def respondents_by_group(data: pd.DataFrame, *, by: str | Sequence[str]) -> pd.DataFrame:
    """Count respondents per group (including "Not stated" and "Not known").

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent; not modified.
    by : str or sequence of str
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
    cols = as_columns(by, func="respondents_by_group")
    if not cols:
        raise InputError("respondents_by_group: give at least one column in 'by'")
    require_columns(data, cols, func="respondents_by_group")
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


@document()
def question_percentages(
    data: pd.DataFrame,
    *,
    by: str | Sequence[str] | None = "ethnic_group",
    questions: Sequence[str] = QUESTIONS,
    weight: str = "weight",
    confidence: float = 0.95,
    labels: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Weighted percentage answering each question positively, by group, with its wording.

    Parameters
    ----------
    data : pandas.DataFrame
        The analysis frame of :func:`prepare` (1/0/NaN question columns); not modified.
    by : str or sequence of str or None, default "ethnic_group"
        Grouping columns.
    questions : sequence of str, default :data:`QUESTIONS`
        The binarised question columns.
    weight : str, default "weight"
        The survey weight column.
    {confidence_intervals}
    labels : mapping, optional
        Plain-language wording per question (default :data:`QUESTION_LABELS`; a question without
        one is worded by its column name).

    Returns
    -------
    pandas.DataFrame
        The rows of :func:`rhoresearch.stats.survey.weighted_percentages` with ``outcome`` named
        ``question`` and followed by ``question_text``: ``question``, ``question_text``, the ``by``
        columns, ``n_respondents``, ``n_positive``, ``n_not_positive``, ``weighted_n``,
        ``effective_n``, ``value`` (weighted percentage), ``lower_ci``, ``upper_ci``,
        ``confidence``, ``statistic``, ``method`` (the method and its references are there).
    """
    out = weighted_percentages(
        data, outcomes=list(questions), weight=weight, by=by, confidence=confidence
    ).rename(columns={"outcome": "question"})
    out.insert(1, "question_text", out["question"].map(_wording(labels)))
    return out


def _wording(labels: Mapping[str, str] | None) -> Callable[[str], str]:
    """Word a question by ``labels`` (default :data:`QUESTION_LABELS`), else by its name."""
    known = QUESTION_LABELS if labels is None else labels
    return lambda q: known.get(q, q)


def adjusted_odds_ratios(
    data: pd.DataFrame,
    *,
    outcomes: str | Sequence[str],
    group: str,
    reference: str,
    covariates: Sequence[str] = COVARIATES,
    weight: str | None = None,
    respondent: str | None = "respondent_id",
    exclude_groups: Sequence[str] = UNKNOWN_GROUPS,
    confidence: float | Sequence[float] = 0.95,
    labels: Mapping[str, str] | None = None,
    left_out: Sequence[str] = (),
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
    covariates : sequence of str, default :data:`COVARIATES`
        Adjustment variables, entered as categorical terms.
    weight : str, optional
        Survey weight column. The model is fitted by weighted (pseudo-) maximum likelihood and
        its standard errors are robust (sandwich), clustered on ``respondent``.
    respondent : str or None, default "respondent_id"
        Column identifying the respondent (the unit of the sandwich estimator). If ``None`` or not
        in ``data``, each row is its own cluster.
    exclude_groups : sequence of str, default :data:`UNKNOWN_GROUPS`
        Group values left out of the models (counted in ``n_excluded_group``).
    confidence : float or sequence of float, default 0.95
        Confidence level(s).
    labels : mapping, optional
        Plain-language wording per outcome for ``question_text`` (default
        :data:`QUESTION_LABELS`; an outcome without one is worded by its column name).
    left_out : sequence of str, default ()
        Groups too small for the models (:func:`sparse_groups`): left out as ``exclude_groups``
        are, and the model's row counts then hidden (:func:`_tables.left_out_groups`).

    Returns
    -------
    pandas.DataFrame
        The rows of :func:`rhoresearch.stats.models.logistic_model` for the group terms (``group``,
        ``estimate`` the odds ratio, ``lower_ci``, ``upper_ci``, ``p_value``, ``confidence``,
        ``is_reference``, ``n_used``, ``n_excluded`` and the other columns it returns), with
        ``question`` and ``question_text`` first, then ``reference_group``, the group's respondents
        in the model ``n_respondents``, ``n_positive`` and ``n_not_positive`` (for disclosure
        control), and ``n_excluded_group`` (rows left out because their group is in
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
    :func:`rhoresearch.stats.models.logistic_model` with ``weight_type="var"`` and ``cluster`` set
    to the respondent; model-based (unweighted-information) standard errors would be too narrow.

    References
    ----------
    Binder DA. On the variances of asymptotically normal estimators from complex surveys. Int
    Stat Rev 1983;51:279-92. Lumley T, Scott AJ. Fitting regression models to survey data. Stat
    Sci 2017;32:265-78.
    """
    func = "adjusted_odds_ratios"
    outcome_cols = as_columns(outcomes, func=func, name="outcomes")
    covariates = as_columns(covariates, func=func, name="covariates")
    require_columns(data, [*outcome_cols, group, *covariates], func=func)
    if weight is not None:
        require_columns(data, weight, func=func, what="weight column")
    work, n_excluded_group = _tables.comparison_frame(
        data, group=group, covariates=covariates, exclude_groups=[*exclude_groups, *left_out]
    )
    options: dict[str, Any] = {}
    if weight is not None:
        if respondent is None or respondent not in work.columns:
            respondent = "_respondent"
            work[respondent] = np.arange(len(work))
        options = {"weights": weight, "weight_type": "var", "cluster": respondent}
    wording = _wording(labels)
    frames = []
    for q in outcome_cols:
        with warnings.catch_warnings():
            # statsmodels warns that robust covariances are "not fully supported" with weights;
            # for the binomial family (scale fixed at 1) the cluster sandwich with var_weights is
            # the linearisation variance described in the Notes (checked in
            # tests/workstreams/test_community_trust.py)
            warnings.filterwarnings("ignore", message="cov_type not fully supported")
            res = _tables.logistic_by_group(
                work,
                outcome=q,
                group=group,
                counts={"n_respondents": (q, "size"), "n_positive": (q, "sum")},
                reference=reference,
                covariates=covariates,
                confidence=confidence,
                **options,
            )
        res.insert(0, "question", q)
        res.insert(1, "question_text", wording(q))
        res.insert(len(res.columns) - 2, "reference_group", reference)  # before the two counts
        res["n_not_positive"] = res["n_respondents"] - res["n_positive"]
        frames.append(_tables.left_out_groups(res, left_out, n_excluded_group=n_excluded_group))
    return pd.concat(frames, ignore_index=True)


#: Columns of the odds-ratio table as published (its respondent counts are then taken from the
#: suppressed percentage table, see :func:`suppress_tables`).
_ODDS_RATIO_COLUMNS = [
    "question",
    "question_text",
    *_tables.MODEL_ESTIMATES,
    "reference_group",
    *_tables.MODEL_ROWS,
]
#: Columns of the weight summary (:func:`rhoresearch.stats.survey.weight_summary`) derived from its
#: respondent counts: all but the count.
_WEIGHT_DERIVED = [c for c in _WEIGHT_SUMMARY_COLUMNS if c != "n_respondents"]


def suppress_tables(
    *,
    respondents: pd.DataFrame,
    weights: pd.DataFrame,
    percentages: pd.DataFrame,
    odds_ratios: pd.DataFrame,
    exclusions: pd.DataFrame,
    threshold: int,
    group: str = "ethnic_group",
    policy: disclosure.Policy | None = None,
) -> Tables:
    """Disclosure control of every table of the report: small respondent counts and what they reveal.

    Parameters
    ----------
    respondents : pandas.DataFrame
        :func:`respondents_by_group`.
    weights : pandas.DataFrame
        :func:`rhoresearch.stats.survey.weight_summary` by group.
    percentages : pandas.DataFrame
        :func:`question_percentages` by ``group``.
    odds_ratios : pandas.DataFrame
        :func:`adjusted_odds_ratios` (its ``group`` column holds the values of ``group``).
    exclusions : pandas.DataFrame
        ``Prepared.exclusions`` (``step``, ``reason``, ``rows``, ``applies_to``).
    threshold : int
        Respondent counts from 1 to ``threshold - 1`` are suppressed.
    group : str, default "ethnic_group"
        The group column of ``percentages``.
    policy : Policy, optional
        A disclosure policy (:func:`rhoresearch.disclosure.policy`) passed to
        :func:`rhoresearch.disclosure.suppress`; ``None`` (default): the ``threshold`` policy.

    Returns
    -------
    Tables
        The tables as they are shown and saved, each from :func:`rhoresearch.disclosure.suppress`:
        ``respondents`` and ``weights`` (their values derived from suppressed counts blanked),
        ``percentages`` (the "yes" and "no" counts of each group suppressed together, with
        secondary suppression within each question), ``odds_ratios`` (``question``,
        ``question_text``, ``group``, ``estimate``, ``lower_ci``, ``upper_ci``, ``p_value``,
        ``confidence``, ``is_reference``, ``reference_group``, ``n_used``, ``n_excluded``,
        ``n_excluded_group``, then ``n_respondents``, ``n_positive``, ``n_not_positive`` taken
        from the suppressed percentage table), ``exclusions`` (``step``, ``reason``, ``n`` (the
        ``rows``, named as the report's table has always been), ``applies_to``; primary
        suppression only).

    Notes
    -----
    The odds-ratio table shows the respondent counts of the percentage table as suppressed there,
    so that the two tables together reveal nothing that either hides; an odds ratio whose counts are
    suppressed is suppressed too. A count that the odds-ratio table's own secondary suppression
    hides is hidden in the percentage table as well (:func:`_tables.mark_linked`): one pattern
    across the linked tables.
    """
    safe = functools.partial(disclosure.suppress, threshold=threshold, policy=policy)
    respondents_safe = safe(respondents, counts="n_respondents")
    weights_safe = safe(weights, counts="n_respondents", derived=_WEIGHT_DERIVED)
    # one pattern for both tables: a count the odds-ratio table hides (its secondary suppression
    # lacks the unknown-ethnicity rows) is hidden in the percentage table too, until none is added
    marked = percentages
    odds = odds_ratios.assign(group=odds_ratios["group"].astype(str))[_ODDS_RATIO_COLUMNS]
    for _ in range(len(percentages) + 1):
        pct_safe = safe(
            marked,
            **ANSWER_COUNTS,
            derived=["value", "lower_ci", "upper_ci", "weighted_n", "effective_n"],
        )
        # the counts of the percentage table as suppressed there, with their flags
        answers = disclosure.select(
            pct_safe.assign(group=pct_safe[group].astype(str)),
            ["question", "group", *ANSWER_COUNTS["counts"]],
        )
        or_safe = safe(
            odds.merge(answers, on=["question", "group"], how="left"),
            **ANSWER_COUNTS,
            derived=["estimate", "lower_ci", "upper_ci", "p_value"],
        )
        marked, added = _tables.mark_linked(
            marked,
            pct_safe.assign(group=pct_safe[group].astype(str)),
            or_safe,
            keys=["question", "group"],
            counts=ANSWER_COUNTS["counts"],
        )
        if not added:
            break
    exclusions_safe = safe(exclusions.rename(columns={"rows": "n"}), counts="n", secondary=False)
    return Tables(respondents_safe, weights_safe, pct_safe, or_safe, exclusions_safe)


def _join(items: Sequence[str]) -> str:
    """``""``; ``a``; ``a and b``; ``a, b and c``."""
    items = list(items)
    return " and ".join([", ".join(items[:-1]), items[-1]]) if len(items) > 1 else "".join(items)


def findings(
    percentages: pd.DataFrame,
    odds_ratios: pd.DataFrame,
    *,
    reference: str,
    region: str,
    n_respondents: int,
    covariates: Sequence[str] = COVARIATES,
    group: str = "ethnic_group",
    labels: Mapping[str, str] | None = None,
) -> list[str]:
    """Key findings in markdown: a heading, then one bullet per question, from suppressed tables.

    Parameters
    ----------
    percentages : pandas.DataFrame
        :func:`question_percentages` by ``group``, after disclosure control.
    odds_ratios : pandas.DataFrame
        :func:`adjusted_odds_ratios`, after disclosure control.
    reference : str
        The reference group.
    region : str
        Where the respondents live (``Prepared.region``).
    n_respondents : int
        Respondents analysed (``len(Prepared.data)``).
    covariates : sequence of str, default :data:`COVARIATES`
        What the odds ratios were adjusted for, worded by :data:`COVARIATE_WORDS`.
    group : str, default "ethnic_group"
        The group column of ``percentages``.
    labels : mapping, optional
        Plain-language wording per question (default :data:`QUESTION_LABELS`).

    Returns
    -------
    list of str
        Markdown lines: the heading (region, respondents, what the odds ratios compare), a blank
        line, then per question a bullet with the reference group's weighted percentage and its
        interval, the groups whose adjusted odds ratio's interval lies wholly below 1 ("lower"),
        wholly above 1 ("higher"), and the others ("no clear difference"; suppressed ones named as
        such), e.g. ``"- Felt listened to: 81.8% (95% CI 81.4% to 82.2%) of White respondents
        (weighted). Compared with White respondents of the same age band, sex and deprivation
        quintile, the odds were lower for Black (0.74, 95% CI 0.64 to 0.87) respondents. No clear
        difference for Other respondents."``

    Notes
    -----
    Every number and name comes from the arguments: the intervals' level from each row's
    ``confidence``, the adjustment from ``covariates``. Numbers are formatted by
    :func:`rhoresearch.report.narrative.format_ci`; a suppressed value
    (:func:`rhoresearch.disclosure.is_suppressed`) is never printed.
    """
    wording = _wording(labels)
    adjusted = _join([COVARIATE_WORDS.get(c, c.replace("_", " ")) for c in covariates])
    same = f" of the same {adjusted}" if covariates else ""
    heading = (
        f"**{region}: {n_respondents:,} respondents.** Percentages are weighted for non-response; "
        f"odds ratios compare each group with {reference} respondents{same} (above 1: more likely "
        "to say yes)."
    )
    out = [heading, ""]
    for q in percentages["question"].drop_duplicates():
        pct = percentages[percentages["question"] == q]
        ref = pct[pct[group].astype(str) == reference]
        head = f"{wording(q)}:"
        if len(ref):
            row = ref.iloc[0]
            if disclosure.is_suppressed(row, "value"):
                head += f" the percentage of {reference} respondents is suppressed."
            else:
                ci = [row[c] for c in ("value", "lower_ci", "upper_ci")]
                text = narrative.format_ci(*ci, confidence=float(row["confidence"]), unit="%")
                head += f" {text} of {reference} respondents (weighted)."
        ors = odds_ratios[
            (odds_ratios["question"] == q) & ~odds_ratios["is_reference"].astype(bool)
        ]
        lower: list[tuple[float, str]] = []
        higher: list[tuple[float, str]] = []
        unclear: list[str] = []
        hidden: list[str] = []
        for _, row in ors.iterrows():
            est, lo, hi = row["estimate"], row["lower_ci"], row["upper_ci"]
            name = str(row["group"])
            if any(disclosure.is_suppressed(row, c) for c in ("estimate", "lower_ci", "upper_ci")):
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
            parts.append("lower for " + _join([t for _, t in sorted(lower)]) + " respondents")
        if higher:
            items = [t for _, t in sorted(higher, reverse=True)]
            parts.append("higher for " + _join(items) + " respondents")
        sentence = head
        if parts:
            odds = " and ".join(parts)
            sentence += f" Compared with {reference} respondents{same}, the odds were {odds}."
        if unclear:
            sentence += f" No clear difference for {_join(unclear)} respondents."
        if hidden:
            sentence += (
                f" The odds ratios for {_join(hidden)} respondents are suppressed to protect "
                "confidentiality."
            )
        out.append(f"- {sentence}")
    return out
