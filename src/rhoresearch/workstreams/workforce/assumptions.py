"""The workforce race equality report's assumptions log, worded from its parameters.

References
----------
NHS England. *Workforce Race Equality Standard (WRES) technical guidance*.
"""

from __future__ import annotations

import pandas as pd

from rhoresearch import disclosure
from rhoresearch.validation import check_frame, require_columns
from rhoresearch.workstreams._assumptions import assumptions_log
from rhoresearch.workstreams.workforce.datasets import MINORITY, PARITY_RANGE

__all__ = ["assumptions", "caveats", "quality_summary"]


def assumptions(*, reference_group: str = "White") -> pd.DataFrame:
    """The assumptions behind the workforce report, each with why and its likely effect.

    Parameters
    ----------
    reference_group : str
        The comparator of the staff-survey gaps.

    Returns
    -------
    pandas.DataFrame
        ``assumption``, ``why``, ``likely_effect`` (one row per assumption), for
        :func:`rhoresearch.report.findings.things_to_know`.

    References
    ----------
    NHS England, WRES technical guidance; Uniform Guidelines on Employee Selection Procedures,
    29 CFR 1607.4(D) (the four-fifths rule).
    """
    low, high = PARITY_RANGE
    return assumptions_log(
        [
            (
                "Staff and applicants whose ethnicity is not known are left out of every ratio "
                "and percentage.",
                "They cannot be placed in a group.",
                "Percentages of known ethnicity are higher than WRES publications' (which divide "
                "by all staff) by about the share not known.",
            ),
            (
                f"Staff are compared in two groups: White and {MINORITY}.",
                "The Workforce Race Equality Standard compares these two groups.",
                f"Differences between the groups combined as {MINORITY} are hidden.",
            ),
            (
                f"A relative likelihood outside {low:.2f} to {high:.2f} is read as a difference.",
                "The four-fifths rule used with WRES relative likelihoods.",
                "Small differences inside the range are not flagged, even where the interval "
                "excludes 1.",
            ),
            (
                f"Staff-survey gaps compare each group with {reference_group} staff.",
                "As WRES reports do.",
                "A gap describes the difference between groups, not its cause.",
            ),
        ]
    )


_WHO = {"shortlisted": "shortlisted applicants", "staff_headcount": "staff"}


def quality_summary(unknown: pd.DataFrame, *, year: int) -> pd.DataFrame:
    """The staff and applicants of unknown ethnicity in ``year``, for the things-to-know paragraph.

    Parameters
    ----------
    unknown : pandas.DataFrame
        The suppressed ethnicity-not-known table (``year``, ``measure``, ``numerator``,
        ``denominator``, ``value`` in %). Not modified.
    year : int
        The reporting year.

    Returns
    -------
    pandas.DataFrame
        ``reason`` (who, and their share of all), ``rows`` (the count) and ``applies_to``, with
        the count's suppression flag, one row per measure of ``year``. A suppressed count stays
        suppressed and its share is not written.
    """
    check_frame(unknown, func="workforce.quality_summary", name="unknown")
    require_columns(
        unknown, ["year", "measure", "numerator", "value"], func="workforce.quality_summary"
    )
    chosen = unknown[unknown["year"] == year]
    secret_count = pd.Series(
        disclosure.is_suppressed(chosen, "numerator"), index=chosen.index, dtype=bool
    )
    hidden = secret_count | pd.Series(
        disclosure.is_suppressed(chosen, "value"), index=chosen.index, dtype=bool
    )
    reasons = []
    for measure, share, secret in zip(chosen["measure"], chosen["value"], hidden, strict=True):
        who = _WHO.get(str(measure), str(measure).replace("_", " "))
        known = not secret and pd.notna(pd.to_numeric(share, errors="coerce"))
        reasons.append(
            f"{who} whose ethnicity is not known"
            + (f", {float(share):.1f}% of all {who}" if known else "")
        )
    flag = disclosure.flag_column("rows")
    return pd.DataFrame(
        {
            "reason": reasons,
            "rows": chosen["numerator"].where(~secret_count),
            "applies_to": "every ratio and percentage",
            flag: secret_count.map({True: "suppressed", False: None}),
        }
    ).reset_index(drop=True)


def caveats() -> list[str]:
    """The workforce report's caveats, one sentence each.

    Returns
    -------
    list of str
        For :func:`rhoresearch.report.findings.things_to_know`'s ``caveats``.
    """
    return [
        "Relative likelihoods describe differences; they do not by themselves show their causes "
        "(job mix, grade applied for and international recruitment all differ between groups "
        "and raise the aggregate indicator 2).",
        "Organisation intervals treat each return as a simple random sample; organisations vary "
        "more than chance alone would predict, so funnel limits are a screening aid, not a "
        "verdict.",
        "A change since the previous year whose intervals overlap may be chance.",
        "Medical and dental staff (outside Agenda for Change) and bank staff are not covered by "
        "indicator 1 here.",
    ]
