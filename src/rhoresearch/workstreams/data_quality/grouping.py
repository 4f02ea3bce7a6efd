"""Workstream 3's ethnic grouping: the level of the agreement tables and of the research studies.

Agreement between two sources is measured between the NHS 16 ethnic categories at either
grouping (agreement between five broad groups would count White British recorded as Any other
White background as agreement); the ``grouping`` parameter sets their labels:
``"high_level"`` keeps the NHS descriptions the report has always shown (``"White - British"``),
``"detailed"`` uses the short labels every notebook's detailed grouping uses (``"White
British"``). :func:`agreement_grouping` reads ``grouping`` and ``reference_group`` together.
Research studies publish their participants by high-level group only:
:func:`representation_note` says so when detailed groups were asked for.

References
----------
ONS (2023). Understanding consistency of ethnicity data recorded in health-related administrative
datasets in England: 2011 to 2021 (agreement by detailed group). Race Disparity Unit. Standards
for ethnicity data (2023).
"""

from __future__ import annotations

import pandas as pd

from rhoresearch import ethnicity
from rhoresearch.validation import require_columns
from rhoresearch.workstreams import _grouping

__all__ = ["agreement_grouping", "representation_note"]


def agreement_grouping(grouping: str, *, reference: str) -> _grouping.Grouping:
    """The agreement tables' groups and reference group at ``grouping``.

    Parameters
    ----------
    grouping : {"high_level", "detailed"}
        The notebook's ``grouping``.
    reference : str
        The ``reference_group`` parameter: a detailed group in any spelling
        :func:`rhoresearch.ethnicity.harmonise` reads (``"White - British"``, ``"White
        British"``, ``"A"``).

    Returns
    -------
    rhoresearch.workstreams._grouping.Grouping
        ``to`` (the ``scheme`` of :func:`~rhoresearch.workstreams.data_quality.summary_tables`:
        ``"nhs_code"`` at the high level, ``"detailed"`` otherwise), ``reference`` as a label of
        it (``"White - British"``; ``"White British"``), the 16 ``groups``.

    Raises
    ------
    InputError
        An unknown ``grouping``, or a reference that is not one of the NHS 16 categories.

    References
    ----------
    NHS Data Dictionary: ETHNIC CATEGORY.
    """
    func = "data_quality.agreement_grouping"
    _grouping.check_grouping(grouping, func=func)
    short = grouping == "detailed"
    label = _grouping.reference_label(reference, "nhs_code", short=short, func=func)
    to = _grouping.DETAILED if short else "nhs_code"
    groups = _grouping.group_order("nhs_code", short=short)
    return _grouping.Grouping(grouping, to, label, groups, "asian")


def representation_note(participants: pd.DataFrame, *, grouping: str) -> str | None:
    """One sentence when detailed groups were asked for but the studies give high-level ones.

    Parameters
    ----------
    participants : DataFrame
        Participants by ``study_id`` and ``ethnic_group`` (as published). Not modified.
    grouping : {"high_level", "detailed"}
        The notebook's ``grouping``.

    Returns
    -------
    str or None
        None at the high level, or when every label is a detailed group; else e.g.
        ``"The studies give their participants by high-level group only (Asian, Black, Mixed,
        White, Other and Not stated), so representation is shown by high-level group."``

    References
    ----------
    Race Disparity Unit. Standards for ethnicity data (2023): detailed groups where numbers allow.
    """
    _grouping.check_grouping(grouping, func="representation_note")
    require_columns(participants, ["ethnic_group"], func="representation_note")
    if grouping == "high_level":
        return None
    labels = pd.Series(pd.unique(participants["ethnic_group"].dropna()), dtype=object)
    if not ethnicity.unmapped(labels, to="nhs_code"):
        return None
    names = [str(v) for v in labels]
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return (
        f"The studies give their participants by high-level group only ({listed}), so "
        "representation is shown by high-level group."
    )
