"""Workstream 4's ethnic grouping: high-level groups or the detailed NHS 16 categories.

The report's ``grouping`` parameter is read by :func:`choose_grouping` (with the reference group
at the same level); the device, algorithm and sickle cell steps take its ``to``. Groups too small
for the occult hypoxaemia model are left out with a counted reason (:func:`sparse_groups`,
:func:`sparse_exclusions`, :func:`sparse_sentence`); figures that would draw sixteen groups on one
axes are split by high-level group (:func:`panels`); :func:`grouping_note` words the grouping for
the methods. All come from :mod:`rhoresearch.workstreams._grouping`, shared by the workstreams.

:data:`DETAIL_TO` is the ``to`` of the tables by detailed group (sickle cell rates by detailed
group and by region): the NHS descriptions at the high-level grouping (as the report has always
written them), the short labels of the detailed grouping otherwise.

References
----------
Race Disparity Unit. Standards for ethnicity data (2023). NHS Data Dictionary: ETHNIC CATEGORY.
"""

from __future__ import annotations

from rhoresearch.workstreams._grouping import (
    DETAILED,
    Grouping,
    choose_grouping,
    grouping_note,
    panels,
    sparse_exclusions,
    sparse_groups,
    sparse_sentence,
)

__all__ = [
    "DETAIL_TO",
    "Grouping",
    "choose_grouping",
    "grouping_note",
    "panels",
    "sparse_exclusions",
    "sparse_groups",
    "sparse_sentence",
]

#: grouping -> the ``to`` of the report's tables by detailed group.
DETAIL_TO = {"high_level": "nhs_code", "detailed": DETAILED}
