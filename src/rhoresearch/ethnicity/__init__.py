"""Ethnic group classifications and the harmonisation of messy ethnicity values to them.

Four schemes, each with a fixed display order (see :func:`labels`):

``"nhs_code"``
    The NHS Data Dictionary ETHNIC CATEGORY: national codes A-S (2001 Census based), ``Z`` (not
    stated: asked and declined) and the default ``99`` (not known: not asked, or unable to answer).
    Categories are the Data Dictionary descriptions, e.g. ``"White - British"``,
    ``"Other Ethnic Groups - Chinese"``, then ``"Not stated"`` and ``"Not known"``; the letter of a
    description is in :data:`NHS_CODES` (``code -> description``). HES's ``X`` (not known) and the
    withdrawn default ``9`` ("not given", Change Request 406, 2004) are read as "Not known".
``"census2021"``
    The ONS Census 2021 19 ethnic groups, labelled as in the Census dictionary, e.g.
    ``"Asian, Asian British or Asian Welsh: Indian"``, then ``"Not stated"`` and ``"Not known"``
    (the Census itself imputes; extracts coded to it are not complete).
``"high_level"``
    ``"Asian"``, ``"Black"``, ``"Mixed"``, ``"White"``, ``"Other"`` (the ONS harmonised order), then
    ``"Not stated"`` and ``"Not known"``, kept apart: "not stated" is a person's answer, "not known"
    is a recording gap.
``"binary"`` (through :func:`to_binary`)
    ``"White"`` (White British, White Irish, Gypsy or Irish Traveller, Roma and any other White
    background) against everyone else, labelled ``"Ethnic minority"`` by default (the ONS and NHS
    style guides, and the NHS Race and Health Observatory, prefer it to "BME"/"BAME"; the label is a
    parameter so that a WRES-style "BME" table can be reproduced), with unknowns as a third category.

The traps, handled explicitly:

- **Chinese** is "Other Ethnic Groups - Chinese" (code R) in the NHS 2001-based codes but an Asian
  group in Census 2021. :func:`harmonise` to ``"high_level"`` follows Census 2021 by default
  (``chinese="asian"``); pass ``chinese="other"`` to reproduce NHS Digital publications (Mental
  Health Act statistics) and MBRRACE-UK ("Chinese or other"), which keep Chinese under Other.
- **Census 2021 groups with no NHS code**: Gypsy or Irish Traveller and Roma become
  ``C`` "White - Any other White background"; Arab becomes ``S`` "Other Ethnic Groups - Any other
  ethnic group". The distinction is lost and cannot be recovered; in the other direction ``C`` and
  ``S`` go to "White: Other White" and "Other ethnic group: Any other ethnic group", which then
  also hold people who would have answered Gypsy, Roma or Arab. :func:`lossy_mappings` lists them
  and :func:`harmonise_report` marks such rows ``status="lossy"``.
- **High-level only values** ("White", "Black or Black British", "Asian total") can be harmonised
  to ``"high_level"`` (and the binary split), but not to a detailed scheme: there they are unmapped.
- **Labels as publications print them**: NHS England's Mental Health Act statistics print the
  detailed groups without their upper group ("British", "Irish", "African"), Ethnicity facts and
  figures writes "White other", "Mixed White/Asian", "Asian other", ONS tables print Census labels
  with or without the upper group, and totals rows add "total" ("Indian total"): all are read.
- **Collective labels** that name no single group ("BAME", "BME", "ethnic minorities",
  "Non-white", "Other inc. mixed", "Mixed/ multiple/ other", "All ethnic groups", "Total") are
  never mapped to a group in any scheme: :func:`harmonise` raises with ``errors="raise"`` and
  :func:`harmonise_report` lists them (``status="unmapped"``, a note saying why). "BME" and its
  kin still give the "Ethnic minority" side of :func:`to_binary`, which is what they mean.

What a harmonisation could not map is asked for explicitly, never attached to the result:
:func:`unmapped` (values and counts) and :func:`harmonise_report` (every distinct value, its
count, category and status, blanks and nulls as ``status="missing"``).

Modules
-------
``schemes``
    The code lists and labels (:data:`NHS_CODES`, :data:`CENSUS2021_CODES`, the display orders),
    :func:`labels`, :func:`concordance`, :func:`lossy_mappings`.
``harmonisation``
    :func:`harmonise`, :func:`to_binary`, :func:`harmonise_report`, :func:`unmapped`.
``display``
    :func:`short_labels`.
``_parse``
    Reading one raw value (codes, labels, their variants) as a group.

References
----------
NHS England. NHS Data Dictionary: ETHNIC CATEGORY.
https://www.datadictionary.nhs.uk/data_elements/ethnic_category.html

NHS Data Dictionary Change Request 406 (2004): withdrawal of default code 9 "not given".

Office for National Statistics. Census 2021 dictionary: ethnic group (19 categories).

NHS Digital. Mental Health Act annual statistics, ``Population_2021census.py`` (Census 2021 to NHS
code mapping). https://github.com/NHSDigital/mental-health-act-annual-statistics

ONS Style Guide: race and ethnicity. https://style.ons.gov.uk/house-style/race-and-ethnicity/
"""

from rhoresearch.ethnicity import display as _display
from rhoresearch.ethnicity import harmonisation as _harmonisation
from rhoresearch.ethnicity import schemes as _schemes
from rhoresearch.ethnicity.display import *
from rhoresearch.ethnicity.harmonisation import *
from rhoresearch.ethnicity.schemes import *

__all__ = [
    *_display.__all__,
    *_harmonisation.__all__,
    *_schemes.__all__,
]
