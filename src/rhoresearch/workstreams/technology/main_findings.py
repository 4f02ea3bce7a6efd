"""The technology report's candidate main findings: the comparisons that can lead its page.

The page's main findings are chosen from these by
:func:`rhoresearch.report.findings.select_main_findings`. The candidates are the occult
hypoxaemia odds ratios (a device that misses low oxygen more often in one group) and, when a
register count of people living with sickle cell disease is given, admissions per person living
with it. Sickle cell admissions per head of the whole population are left out: they mostly
measure how common the condition is in each group, not how its care differs (issue 19, item 8).

References
----------
Sjoding MW, et al. Racial bias in pulse oximetry measurement. N Engl J Med 2020;383:2477-8.
"""

from __future__ import annotations

import pandas as pd

from rhoresearch.report.findings import CANDIDATE_COLUMNS, ratio_candidates
from rhoresearch.validation import check_frame, require_columns

__all__ = ["main_finding_candidates"]


def main_finding_candidates(
    odds_ratios: pd.DataFrame,
    per_patient: pd.DataFrame | None = None,
    *,
    year: str,
    adjusted: bool = True,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Candidate main findings of the technology report, from its suppressed tables.

    Parameters
    ----------
    odds_ratios : pandas.DataFrame
        The suppressed occult hypoxaemia odds ratios (``group``, ``reference``, ``estimate``,
        ``lower_ci``, ``upper_ci``). Not modified.
    per_patient : pandas.DataFrame, optional
        The suppressed sickle cell admissions per person living with the condition
        (``financial_year``, ``ethnic_group``, ``reference``, ``value``, ``lower_ci``,
        ``upper_ci``); ``None`` when no register count was given. Not modified.
    year : str
        The sickle cell financial year of the report.
    adjusted : bool
        Whether the odds ratios are adjusted (the report has covariates).
    confidence : float
        The intervals' level.

    Returns
    -------
    pandas.DataFrame
        :data:`rhoresearch.report.findings.CANDIDATE_COLUMNS`: the odds ratios, then the
        per-patient rate ratios of ``year``.

    References
    ----------
    Sjoding et al. (2020).
    """
    check_frame(odds_ratios, func="main_finding_candidates", name="odds_ratios")
    require_columns(odds_ratios, ["group", "reference"], func="main_finding_candidates")
    parts = [
        ratio_candidates(
            odds_ratios.assign(
                measure="Occult hypoxaemia", comparison="adjusted" if adjusted else "crude"
            ),
            measure="measure",
            group="group",
            estimate="estimate",
            ratio_name="odds ratio",
            confidence=confidence,
        )
    ]
    if per_patient is not None:
        check_frame(per_patient, func="main_finding_candidates", name="per_patient")
        require_columns(per_patient, ["financial_year"], func="main_finding_candidates")
        parts.append(
            ratio_candidates(
                per_patient[per_patient["financial_year"] == year].assign(
                    measure="Sickle cell admissions per person living with the condition"
                ),
                measure="measure",
                comparison=None,
                confidence=confidence,
                context=str(year),
            )
        )
    return pd.concat(parts, ignore_index=True)[list(CANDIDATE_COLUMNS)]
