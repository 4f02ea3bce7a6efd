"""The maternity report's assumptions log, worded from its parameters.

References
----------
Knight M, et al. (eds.) on behalf of MBRRACE-UK. *Saving Lives, Improving Mothers' Care*. Oxford:
NPEU (annual; rolling three-year periods, women of unknown ethnicity counted with White).
Government Statistical Service (2021). *Communicating quality, uncertainty and change*.
"""

from __future__ import annotations

import pandas as pd

from rhoresearch.exceptions import InputError
from rhoresearch.workstreams import _grouping
from rhoresearch.workstreams._assumptions import assumptions_log, exclusion_summary, records_covered

__all__ = ["assumptions", "caveats", "quality_summary", "records_covered"]

_NO_ETHNICITY = "no usable ethnic category (not stated, not known or invalid)"


def assumptions(
    *,
    unknown_ethnicity: str = "exclude",
    grouping: str = "high_level",
    reference_group: str = "White",
) -> pd.DataFrame:
    """The assumptions behind the maternity report, each with why and its likely effect.

    Parameters
    ----------
    unknown_ethnicity : {"exclude", "reference"}
        The notebook's parameter: records of unknown ethnicity left out, or counted with White
        (as MBRRACE-UK does).
    grouping : {"high_level", "detailed"}
        The notebook's grouping of ethnic categories.
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
    MBRRACE-UK, *Saving Lives, Improving Mothers' Care* (methods); Government Statistical Service,
    *Communicating quality, uncertainty and change* (2021).
    """
    if unknown_ethnicity not in ("exclude", "reference"):
        raise InputError(
            "maternity.assumptions: unknown_ethnicity must be 'exclude' or 'reference', got "
            f"{unknown_ethnicity!r}"
        )
    _grouping.check_grouping(grouping, func="maternity.assumptions")
    if unknown_ethnicity == "exclude":
        unknown = (
            "Records whose ethnic category is not stated, not known or invalid are left out of "
            "every comparison between groups (numerators and denominators alike).",
            "They cannot be placed in a group.",
            "No bias if ethnicity is missing at random; if it is missing more often for women who "
            "died or whose baby died, every group's rate is under-stated, and ratios move if that "
            "differs between groups.",
        )
    else:
        unknown = (
            f"Records of unknown ethnicity are counted with the {reference_group} group.",
            "MBRRACE-UK counts them this way, so rates can be set beside its published ones.",
            f"The {reference_group} rate, and so every ratio against it, shifts towards the rate "
            "of women of unknown ethnicity; the larger their share, the larger the shift.",
        )
    grouped = (
        (
            "Ethnic categories are combined into five high-level groups, with Chinese counted "
            "under Other.",
            "As MBRRACE-UK and the NHS codes group them; larger groups give steadier rates of "
            "rare events.",
            "Differences within a broad group (for example Black African and Black Caribbean "
            "women) are hidden.",
        )
        if grouping == "high_level"
        else (
            "The detailed NHS ethnic categories are compared, each on its own.",
            "Differences within broad groups can matter as much as those between them.",
            "Smaller groups: wider intervals and more suppressed counts, so fewer comparisons "
            "can be made.",
        )
    )
    return assumptions_log(
        [
            unknown,
            grouped,
            (
                f"Every ratio compares a group with the {reference_group} group.",
                "A fixed reference makes the ratios comparable across outcomes and periods.",
                "Ratios change with the reference; the ranking of the other groups does not.",
            ),
            (
                "Adjusted ratios allow for the mother's age band and deprivation quintile only; "
                "records missing either are left out of the adjusted model.",
                "These are the strata the data hold for every record.",
                "Other differences (pre-existing conditions, access to care) remain in the "
                "adjusted ratios, which describe the groups rather than explain them.",
            ),
            (
                "Maternal mortality is counted over rolling three-year periods.",
                "Maternal deaths are rare; MBRRACE-UK reports three-year periods for this reason.",
                "Neighbouring periods share two years of data, so trends are smoothed and change "
                "shows late.",
            ),
        ]
    )


def quality_summary(quality: pd.DataFrame) -> pd.DataFrame:
    """The data-quality table in short, for the things-to-know paragraph.

    Parameters
    ----------
    quality : pandas.DataFrame
        The suppressed :func:`data_quality` table (``dataset``, ``step``, ``reason``, ``rows``,
        ``applies_to``). Not modified.

    Returns
    -------
    pandas.DataFrame
        Per dataset: the records without a usable ethnic category added up (not stated, not
        known and invalid codes are disjoint), of the adjusted model's exclusions only the
        records missing any covariate, the other reasons as they are; the "records" rows (what
        was read) left out. A total with a suppressed part is suppressed.
    """
    return exclusion_summary(
        quality[quality["step"] != "records"],
        add_up={"ethnicity": _NO_ETHNICITY},
        last_of=["covariates"],
        count="rows",
    )


def caveats(*, unknown_ethnicity: str = "exclude", reference_group: str = "White") -> list[str]:
    """The maternity report's caveats, one sentence each.

    Parameters
    ----------
    unknown_ethnicity : {"exclude", "reference"}
        The notebook's parameter (see :func:`assumptions`).
    reference_group : str
        The group every ratio compares with.

    Returns
    -------
    list of str
        For :func:`rhoresearch.report.findings.things_to_know`'s ``caveats``.
    """
    published = (
        f"The published {reference_group} rates include women of unknown ethnicity, so they "
        "are not directly comparable with the computed ones."
        if unknown_ethnicity == "exclude"
        else f"Women of unknown ethnicity are counted with the {reference_group} group here, "
        "as in the published rates."
    )
    return [
        "Maternal deaths are rare: even over three years a group may have few deaths, so "
        "intervals are wide and small counts are suppressed. Rolling periods overlap and are "
        "not independent.",
        published,
        "Deprivation is an area measure (IMD quintile of the home postcode), not the family's "
        "own circumstances.",
        "Other factors (pre-existing conditions, access to care, migration history) are not in "
        "the data; the ratios after adjustment are descriptions, not estimates of what causes "
        "the differences.",
    ]
