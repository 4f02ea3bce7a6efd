"""The mental health report's assumptions log, worded from its parameters.

References
----------
NHS England. *Mental Health Act Statistics, Annual Figures*: methodology.
Eurostat. *Revision of the European Standard Population*, 2013 edition.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from rhoresearch.exceptions import InputError
from rhoresearch.workstreams import _grouping
from rhoresearch.workstreams._assumptions import (
    and_list,
    assumptions_log,
    exclusion_summary,
    records_covered,
)

__all__ = ["assumptions", "caveats", "quality_summary", "not_shown_caveats", "records_covered"]

_NO_ETHNICITY = "no usable ethnic category (not stated, not known or invalid)"

_SECTION_NAMES = {
    "detentions": "detentions",
    "ctos": "community treatment orders",
    "rates": "rates and rate ratios",
    "standardised": "standardised rates",
    "adjusted": "adjusted rate ratios",
    "providers": "the provider comparison",
}
_NOT_SHOWN = "This section is not shown: "

_STANDARDS = {
    "esp2013": (
        "Standardised rates use the 2013 European Standard Population, by age only.",
        "A published standard, the same for every region and year.",
        "Rates are comparable between groups and years but not equal to NHS England's, which "
        "standardise to the England population by age and sex.",
    ),
    "population": (
        "Standardised rates use the England population of all ethnic groups by age band and sex.",
        "As NHS England standardises its rates by ethnic group.",
        "Rates are close to NHS England's; they move a little when the population estimates are "
        "revised.",
    ),
}


def assumptions(
    *,
    grouping: str = "high_level",
    standard: str = "esp2013",
    reference_group: str = "White",
) -> pd.DataFrame:
    """The assumptions behind the mental health report, each with why and its likely effect.

    Parameters
    ----------
    grouping : {"high_level", "detailed"}
        The notebook's grouping of ethnic categories.
    standard : {"esp2013", "population"}
        The standard population of the standardised rates.
    reference_group : str
        The group every ratio compares with.

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
    NHS England, *Mental Health Act Statistics, Annual Figures* (methodology); Eurostat, *Revision
    of the European Standard Population* (2013).
    """
    _grouping.check_grouping(grouping, func="mental_health.assumptions")
    if standard not in _STANDARDS:
        raise InputError(
            "mental_health.assumptions: standard must be 'esp2013' or 'population', got "
            f"{standard!r}"
        )
    grouped = (
        (
            "Ethnic categories are combined into five high-level groups.",
            "As NHS England publishes them; larger groups give steadier rates.",
            "Differences within a broad group (for example Black African and Black Caribbean "
            "people) are hidden.",
        )
        if grouping == "high_level"
        else (
            "The detailed ethnic categories are compared, each on its own.",
            "Differences within broad groups can matter as much as those between them.",
            "Smaller groups: wider intervals and more suppressed counts.",
        )
    )
    return assumptions_log(
        [
            (
                "Records with an unknown or invalid ethnic category, unknown age or sex other "
                "than male or female are left out of the numerators but not the population "
                "denominators.",
                "As NHS England counts them; the population has no unknown group.",
                "Every group's rate is under-stated by about the share left out; ratios between "
                "groups are unaffected only if recording gaps are the same in every group.",
            ),
            grouped,
            _STANDARDS[standard],
            (
                f"Rate ratios compare each group with the {reference_group} group; adjusted "
                "ratios allow for age band and sex only.",
                "Age and sex are in both the records and the population.",
                "Differences in the need for care, routes into care and deprivation remain in the "
                "adjusted ratios, which describe the groups rather than explain them.",
            ),
            (
                "People detained are counted once a year, in the group, age band and sex of "
                "their first detention of the year.",
                "As NHS England counts people detained.",
                "Ratios of people detained are lower than ratios of detentions where some groups "
                "are detained more often in a year.",
            ),
        ]
    )


def not_shown_caveats(why: Mapping[str, str | None]) -> list[str]:
    """What the report cannot show, and why, as caveats: one sentence per reason.

    Parameters
    ----------
    why : mapping
        Section -> :func:`unavailable`'s sentence, or ``None`` when the section is shown.

    Returns
    -------
    list of str
        One sentence per distinct reason, naming every section it removes (e.g. "Rates and
        rate ratios and the provider comparison are not shown: no population table was
        given ..."), in the order of ``why``; empty when every section is shown.
    """
    grouped: dict[str, list[str]] = {}
    for section, text in why.items():
        if text is None:
            continue
        if text.startswith(_NOT_SHOWN):
            reason = text.removeprefix(_NOT_SHOWN)
            grouped.setdefault(reason, []).append(_SECTION_NAMES.get(section, section))
        else:
            grouped.setdefault(text, [])
    sentences = []
    for reason, names in grouped.items():
        if not names:
            sentences.append(reason)
            continue
        lead = and_list(names)
        sentences.append(
            f"{lead[0].upper()}{lead[1:]} {'is' if len(names) == 1 else 'are'} not shown: {reason}"
        )
    return sentences


def quality_summary(quality: pd.DataFrame) -> pd.DataFrame:
    """The data-quality table in short, for the things-to-know paragraph.

    Parameters
    ----------
    quality : pandas.DataFrame
        The suppressed :func:`input_exclusions` table (``dataset``, ``step``, ``reason``,
        ``rows``, ``applies_to``). Not modified.

    Returns
    -------
    pandas.DataFrame
        Per dataset: the records without a usable ethnic category added up (not stated, not
        known and invalid codes are disjoint), the other reasons as they are; the "records"
        and "used" rows (what was read and counted) left out. A total with a suppressed part is
        suppressed.
    """
    return exclusion_summary(
        quality[~quality["step"].isin(["records", "used"])],
        add_up={"ethnicity": _NO_ETHNICITY},
        count="rows",
    )


def caveats() -> list[str]:
    """The mental health report's caveats, one sentence each.

    Returns
    -------
    list of str
        For :func:`rhoresearch.report.findings.things_to_know`'s ``caveats``.
    """
    return [
        "Census-based denominators age between censuses; NHS England changed denominators in "
        "2022-23, so published rates before and after are not comparable.",
        "Severe mental illness, routes into care (police, criminal justice) and deprivation are "
        "associated with both ethnic group and detention and are not adjusted for; the ratios "
        "describe differences between groups, not their causes.",
        "Provider catchment populations are approximations; out-of-area placements are "
        "attributed to the provider that recorded them.",
    ]
