"""Statistical disclosure control: small-number suppression, rounding, checks and a scan of outputs.

Every table that leaves the project (a report's HTML, a CSV under ``results/``, a figure label) goes
through this package. The steps, each explicit:

1. :func:`suppress` makes a table safe: *primary* suppression of small counts, *secondary*
   (complementary) suppression so that no suppressed count can be worked out from the totals of its
   row, column or group, suppression of everything *derived* from a suppressed count (rates,
   percentages, confidence limits), and optional rounding. It returns numbers: a suppressed cell
   holds a missing value, and the flag column ``<column>_suppressed`` holds why (see below).
2. :func:`render` writes the table as it is shown or saved: ``[c]``, the UK Government Statistical
   Service (GSS) symbol for "confidential", in every suppressed cell, flag columns dropped. It is the
   only function that writes ``[c]``; the report runtime calls it before showing or saving a table.
3. :func:`check` refuses (raises :class:`~rhoresearch.exceptions.DisclosureError`) a table that is
   not safe; the report runtime calls it before any table is written or shown.
   :func:`unprotected_totals` lists the totals that still reveal a suppressed cell.
4. :func:`scan` reads every CSV in a folder of built reports and lists every unsafe cell.
5. :func:`interval_audit` works out, by linear programming, the interval an intruder can derive
   for every suppressed cell from the totals (:mod:`~rhoresearch.disclosure.audit`); ``suppress``
   runs it and ``check`` refuses an exposed cell.

Policies (:mod:`~rhoresearch.disclosure.policies`): :func:`policy` makes a named disclosure policy
(``"threshold"``, the default and the behaviour above; ``"nhs-england"``; ``"opensafely"``, with
its ``midpoint6`` option; ``"custom"``), which ``suppress``, ``render``, ``check`` and ``scan``
take as ``policy=``; :func:`describe` writes the sentence stating it in a report.

Modules: :mod:`~rhoresearch.disclosure.suppression` (suppress, secondary suppression, rounding),
:mod:`~rhoresearch.disclosure.flags` (the representation: flag columns, is_suppressed, render,
select, rename), :mod:`~rhoresearch.disclosure.summary` (suppression_summary, suppression_note),
:mod:`~rhoresearch.disclosure.checks` (check, unprotected_totals),
:mod:`~rhoresearch.disclosure.scan` (scan and the sidecar files), and the private ``_columns``
(naming rules) and ``_cells`` (how suppression reads a table's cells).

How a suppressed cell is represented
------------------------------------
Inside the package (what :func:`suppress` returns): the cell holds a missing value, its column stays
numeric (nullable ``Int64`` for whole numbers, ``float64`` with ``NaN`` otherwise), and the flag
column ``flag_column(column)`` (``column + "_suppressed"``, :data:`FLAG_SUFFIX`) holds the reason:
``"primary"``, ``"secondary"``, ``"derived"`` or ``"prior"`` (:data:`REASONS`), missing where the
cell is shown. :func:`suppress` adds a flag column for every count and derived column, so the
columns of its result do not depend on the data. Published (what :func:`render` returns, and what a
CSV holds): ``"[c]"`` in the cell, no flag column. :func:`is_suppressed`, :func:`check`,
:func:`suppression_summary` and :func:`suppress` itself (prior suppressions) accept both. Flag
columns are ordinary columns: they follow rows through filters, sorts, merges and concatenations;
use :func:`select` and :func:`rename` to pick or rename columns with their flags.

Which columns are counts
------------------------
:func:`suppress` and :func:`check` are told (``counts=``). :func:`scan` reads a sidecar file
``<name>.meta.json`` beside ``<name>.csv`` when there is one (written by :func:`write_sidecar`; the
report runtime writes it for every result table), and otherwise applies this naming convention, which
every module that writes result tables follows (see :func:`is_count_column`):

- counts: ``count``, ``counts``, ``n``, ``numerator``, ``events``, ``frequency``; any name starting
  ``n_`` or ``count_`` or ending ``_count``, ``_n``, ``_numerator`` or ``_events``;
- denominators (``denominator``, ``population``, ``*_denominator``, ``*_population``) are counts for
  the scan only with ``include_denominators=True``: a denominator is usually published (it is a
  population) and shown beside a suppressed numerator it reveals nothing once the derived value is
  suppressed too.

Which columns are derived
-------------------------
By default (``derived=None``) the columns derived from the counts are those that exist in the table
among ``value``, ``lower_ci``, ``upper_ci`` (the indicator contract of ``rhoresearch.stats``),
``percentage``, ``percent``, ``pct``, ``proportion``, ``rate``, ``ratio``, ``crude_rate``,
``standard_error``, ``se``, ``z_score``, ``observed_expected``, ``difference``, ``estimate``,
``p_value``, ``relative_likelihood``, and any column whose name starts with ``value_``, ``rate_``,
``pct_``, ``percentage_``, ``proportion_``, ``difference_`` or ends with ``_value``, ``_rate``,
``_pct``, ``_percentage``, ``_proportion``, ``_ratio``, ``_lower_ci``, ``_upper_ci`` (see
:func:`is_derived_column`). With a value and its denominator both shown, the numerator can be
calculated back, so when any count in a row is suppressed every derived column of that row is
suppressed too; denominators themselves stay shown. Names ending ``_suppressed`` are flag columns,
never counts or derived.

The sidecar format is described in :mod:`rhoresearch.disclosure.scan`.

References
----------
Government Statistical Service (2022). *Symbols in tables, definitions and help*
(``[c]`` = confidential). https://gss.civilservice.gov.uk/policy-store/symbols-in-tables-definitions-and-help/

Hundepool A, Domingo-Ferrer J, Franconi L, Giessing S, Schulte Nordholt E, Spicer K, de Wolf P-P
(2012). *Statistical Disclosure Control*. Wiley. Chapters 4 (tabular data; secondary cell
suppression) and 5 (frequency tables).
"""

from __future__ import annotations

from rhoresearch.disclosure import _columns as _columns
from rhoresearch.disclosure import audit as _audit
from rhoresearch.disclosure import checks as _checks
from rhoresearch.disclosure import policies as _policies
from rhoresearch.disclosure import scan as _scan
from rhoresearch.disclosure import summary as _summary
from rhoresearch.disclosure import suppression as _suppression
from rhoresearch.disclosure._columns import *
from rhoresearch.disclosure.audit import *
from rhoresearch.disclosure.checks import *
from rhoresearch.disclosure.flags import (
    REASONS,
    SUPPRESSED,
    flag_column,
    is_suppressed,
    rename,
    render,
    select,
)
from rhoresearch.disclosure.policies import *
from rhoresearch.disclosure.scan import *
from rhoresearch.disclosure.summary import *
from rhoresearch.disclosure.suppression import *
from rhoresearch.validation import DEFAULT_THRESHOLD

__all__ = [
    *_columns.__all__,
    *_audit.__all__,
    *_checks.__all__,
    *_policies.__all__,
    *_scan.__all__,
    *_summary.__all__,
    *_suppression.__all__,
    "SUPPRESSED",
    "REASONS",
    "DEFAULT_THRESHOLD",
    "flag_column",
    "is_suppressed",
    "render",
    "select",
    "rename",
]
