"""The community trust report's assumptions log and suppression notes, worded from its parameters.

Re-exported as :func:`rhoresearch.workstreams.community_trust.assumptions` and
:func:`~rhoresearch.workstreams.community_trust.suppression_notes` (the workstream's module is at
its size limit).

References
----------
Care Quality Commission. *NHS Patient Survey Programme*: technical documentation (positive scores,
non-response weights). Kish L. *Survey Sampling*. Wiley, 1965.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from rhoresearch import disclosure
from rhoresearch.exceptions import InputError
from rhoresearch.workstreams._assumptions import and_list, assumptions_log, chance_caveat
from rhoresearch.workstreams._grouping import check_grouping

__all__ = ["assumptions", "caveats", "suppression_notes"]

_SURVEY_POSITIVE = (4, 5)  # the NHS Patient Survey Programme's positive answers


def assumptions(
    *,
    positive_answers: Sequence[int] = _SURVEY_POSITIVE,
    covariates: Sequence[str] = (),
    reference_group: str = "White",
) -> pd.DataFrame:
    """The assumptions behind the community trust report, each with why and its likely effect.

    Parameters
    ----------
    positive_answers : sequence of int
        The agreement-scale points (1-5) counted as a positive answer.
    covariates : sequence of str
        The adjustment variables of the odds ratios (none: unadjusted).
    reference_group : str
        The group every odds ratio compares with.

    Returns
    -------
    pandas.DataFrame
        ``assumption``, ``why``, ``likely_effect`` (one row per assumption), for
        :func:`rhoresearch.report.findings.things_to_know`.

    Raises
    ------
    rhoresearch.exceptions.InputError
        ``positive_answers`` is empty or not within 1 to 5.

    References
    ----------
    Care Quality Commission, NHS Patient Survey Programme technical documentation; Kish (1965).
    """
    points = sorted({int(p) for p in positive_answers})
    if not points or not all(1 <= p <= 5 for p in points):
        raise InputError(
            "community_trust.assumptions: positive_answers must be points of the 1-5 scale, got "
            f"{list(positive_answers)!r}"
        )
    usual = tuple(points) == _SURVEY_POSITIVE
    adjusted = (
        (
            f"Odds ratios are adjusted for {and_list(covariates)}.",
            "Groups differ in these, and they are related to how people rate their care.",
            "If one lies on the path between ethnicity and experience (deprivation may), "
            "adjusting for it can understate the differences.",
        )
        if covariates
        else (
            "Odds ratios are not adjusted for anything.",
            "No adjustment variables were given.",
            "Differences in age, sex or deprivation between groups remain in the odds ratios.",
        )
    )
    return assumptions_log(
        [
            (
                f"Answers {and_list(points)} on the 1-5 agreement scale count as positive.",
                "As the NHS Patient Survey Programme's positive scores count them."
                if usual
                else "Set by the report's positive_answers parameter (the NHS Patient Survey "
                "Programme counts 4 and 5).",
                "Percentages comparable with published positive scores."
                if usual
                else "Percentages not comparable with published positive scores.",
            ),
            (
                "Respondents whose ethnicity was not stated or not known are left out of the "
                "comparisons between groups.",
                "They cannot be placed in a group.",
                "No bias if they answered like others of their true group; otherwise group "
                "percentages shift by an unknown amount.",
            ),
            (
                "The survey weights make respondents represent non-respondents of the same age, "
                "sex, area and ethnic group.",
                "Some groups respond less often.",
                "People who have lost trust may be less likely to answer at all, which the "
                "weights cannot correct: positive percentages are likely over-stated.",
            ),
            adjusted,
            (
                f"Every odds ratio compares a group with the {reference_group} group.",
                "A fixed reference makes the questions comparable.",
                "Odds ratios change with the reference; the ranking of the other groups does not.",
            ),
        ]
    )


def caveats(
    *, n_questions: int, confidence: float = 0.95, grouping: str = "high_level"
) -> list[str]:
    """The community trust report's caveats, one sentence each.

    Parameters
    ----------
    n_questions : int
        The number of questions compared.
    confidence : float
        The intervals' level.
    grouping : {"high_level", "detailed"}, default "high_level"
        The report's ethnic grouping.

    Returns
    -------
    list of str
        For :func:`rhoresearch.report.findings.things_to_know`'s ``caveats``.
    """
    check_grouping(grouping, func="community_trust.caveats")
    groups = (
        'Ethnic groups are broad: experiences within "Asian" or "Black" differ (e.g. Black '
        "African and Black Caribbean people); the detailed groups need larger samples."
        if grouping == "high_level"
        else "Detailed groups are small: their intervals are wide, more of their counts are "
        "suppressed, and a group with too few answers to a question is left out of the odds "
        "ratios."
    )
    return [
        groups,
        "An odds ratio is not a ratio of percentages: when a positive answer is common, odds "
        "ratios are further from 1 than the corresponding ratio of percentages.",
        chance_caveat(confidence, what=f"{n_questions} questions and several groups"),
        "Cross-sectional answers describe perceptions at one time; they do not show why groups "
        "differ.",
    ]


#: What each of the community trust report's tables (``community_trust.Tables``, in its order) is
#: called in the report's note on suppression.
_TABLE_NAMES = {
    "respondents": "Respondents by group",
    "weights": "Weights by group",
    "percentages": "Weighted percentages",
    "odds_ratios": "Odds ratios",
    "exclusions": "Exclusions",
}


def suppression_notes(
    tables: Sequence[pd.DataFrame], *, threshold: int, policy: disclosure.Policy | None = None
) -> list[str]:
    """What disclosure control suppressed in each table, as markdown lines.

    Parameters
    ----------
    tables : Tables
        The tables from :func:`rhoresearch.workstreams.community_trust.suppress_tables`.
    threshold : int
        The threshold they were suppressed with.
    policy : Policy, optional
        The disclosure policy they were suppressed with (its threshold, if larger, its rounding
        and its zeros are named); ``None`` (default): the ``threshold`` policy.

    Returns
    -------
    list of str
        A bold heading naming the threshold, a blank line, then one bullet per table with
        :func:`rhoresearch.disclosure.suppression_note`.
    """
    rounding, zero = (None, False) if policy is None else (policy.rounding, policy.suppress_zero)
    threshold = threshold if policy is None else max(threshold, policy.threshold)
    return [
        f"**What was suppressed** (respondent counts from 1 to {threshold - 1}, and anything they "
        "could be worked out from):",
        "",
        *(
            f"- {name}: "
            + disclosure.suppression_note(
                table, threshold=threshold, rounding=rounding, suppress_zero=zero
            )
            for name, table in zip(_TABLE_NAMES.values(), tables, strict=True)
        ),
    ]
