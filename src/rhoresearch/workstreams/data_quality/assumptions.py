"""The data quality and representation report's assumptions log, worded from its parameters.

References
----------
NHS England. *Ethnic category data quality* (the Data Dictionary codes A-S, Z and 99).
Spiegelhalter DJ. Funnel plots for comparing institutional performance. Stat Med 2005;24:1185-202.
"""

from __future__ import annotations

import pandas as pd

from rhoresearch.exceptions import InputError
from rhoresearch.workstreams._assumptions import assumptions_log

__all__ = ["assumptions", "caveats"]

_FUNNELS = {
    "auto": "allow for over-dispersion only where the providers vary more than chance allows",
    "none": "assume the providers vary by chance alone",
    "multiplicative": "widen the limits by a multiplicative over-dispersion factor",
    "additive": "widen the limits by an additive random effect",
}


def assumptions(
    *, source_a: str = "census_code", source_b: str = "hes_code", funnel_adjustment: str = "auto"
) -> pd.DataFrame:
    """The assumptions behind the data quality report, each with why and its likely effect.

    Parameters
    ----------
    source_a, source_b : str
        The linked file's reference source and the source compared with it.
    funnel_adjustment : {"auto", "none", "multiplicative", "additive"}
        How the provider funnels allow for over-dispersion.

    Returns
    -------
    pandas.DataFrame
        ``assumption``, ``why``, ``likely_effect`` (one row per assumption), for
        :func:`rhoresearch.report.findings.things_to_know`.

    Raises
    ------
    rhoresearch.exceptions.InputError
        An option not allowed.

    References
    ----------
    Spiegelhalter (2005), funnel plots and over-dispersion.
    """
    if funnel_adjustment not in _FUNNELS:
        raise InputError(
            "data_quality.assumptions: funnel_adjustment must be one of "
            f"{', '.join(_FUNNELS)}, got {funnel_adjustment!r}"
        )
    return assumptions_log(
        [
            (
                "A record counts as complete when its ethnic category is a valid national code; "
                "not stated (Z) counts as not complete.",
                "Only a valid code places the person in a group.",
                "A dataset where many people decline to say looks less complete than one that "
                "fails to ask, although its recording practice may be better.",
            ),
            (
                f"In the linked records, {source_a} is taken as the person's ethnicity and "
                f"{source_b} is compared with it.",
                "Self-reported ethnicity is the standard a recorded code should match.",
                f"Where {source_a} is itself wrong, agreement is under-stated.",
            ),
            (
                f"Provider funnels {_FUNNELS[funnel_adjustment]}.",
                "Set by the report's funnel_adjustment parameter.",
                "Fewer providers fall outside the limits when over-dispersion is allowed for.",
            ),
            (
                "Each study's participants are compared with the population it should serve, "
                "as given in the research reference table.",
                "Representation is judged against need, not against the whole population.",
                "Ratios change with the reference population chosen; participants whose "
                "ethnicity was not stated are left out.",
            ),
        ]
    )


def caveats() -> list[str]:
    """The data quality report's caveats, one sentence each.

    Returns
    -------
    list of str
        For :func:`rhoresearch.report.findings.things_to_know`'s ``caveats``.
    """
    return [
        'A valid code is not necessarily a correct one: "any other" groups are used when the '
        "specific group is unknown, so where agreement with self-report is lowest for them, "
        "their rates are likely overestimated and those of specific groups underestimated.",
        "Agreement percentages depend on which source is taken as the reference; kappa depends "
        "on how common each group is.",
        "Reference shares for disease populations are the analyst's assumptions; the "
        "participation-to-prevalence ratio treats them as known, so its interval covers only "
        "the sampling of participants.",
    ]
