"""Workforce race equality: the nine WRES indicators from organisations' annual returns.

The Workforce Race Equality Standard (WRES, NHS England) compares the experience of White and ethnic
minority ("BME" in WRES wording) staff through nine indicators: representation by pay band (1), the
relative likelihoods of appointment from shortlisting (2), of entering a formal disciplinary process
(3) and of accessing non-mandatory training (4), four staff-survey measures (5-8) and the board's
make-up against the workforce (9).

The package, one concern per module (every public name is importable from here):

- :mod:`~rhoresearch.workstreams.workforce.datasets`: the tables' schemas (:data:`SCHEMAS`), the
  groups (:func:`harmonise_groups`), selecting an organisation, region or year (:func:`select`,
  :func:`label`), and the people whose ethnicity is not known (:func:`unknown_summary`);
- :mod:`~rhoresearch.workstreams.workforce.indicators`: the indicators of one set of returns
  (:func:`representation_by_band`, :func:`relative_likelihood` and indicators 2-4,
  :func:`survey_percentages`, :func:`board_representation`, :func:`change_since_previous`);
- :mod:`~rhoresearch.workstreams.workforce.organisations`: organisations compared
  (:func:`likelihood_by_organisation`, :func:`appointment_funnel` and what a report shows of it);
- :mod:`~rhoresearch.workstreams.workforce.findings`: the report's disclosure-controlled tables
  (:func:`summary_tables`) and its key findings (:func:`findings`).

Relative likelihoods are ratios of two proportions (``rhoresearch.stats.proportion_ratio``); the
usual reading is that 1.0 is parity and a value outside 0.80 to 1.25 (the "four-fifths rule") is flagged.
Staff whose ethnicity is not known are a third category: they are counted, reported in the
data-quality section (:func:`unknown_summary`) and excluded from the ratios.

References
----------
NHS England. Workforce Race Equality Standard (WRES) indicators.
https://www.england.nhs.uk/publication/workforce-race-equality-standard-wres-indicators/

Equal Employment Opportunity Commission et al. (1978). Uniform Guidelines on Employee Selection
Procedures, 29 CFR 1607.4(D) (the four-fifths rule; 1.25 = 1/0.8).
"""

from rhoresearch.workstreams.workforce.datasets import (
    BOARD_SCHEMA,
    INDICATORS,
    MINORITY,
    NOT_KNOWN,
    ORGANISATIONS_SCHEMA,
    PARITY_RANGE,
    PAY_BANDS,
    RETURNS_SCHEMA,
    SCHEMAS,
    SHORT_LABELS,
    STAFF_IN_POST_SCHEMA,
    STAFF_SURVEY_SCHEMA,
    SURVEY_MEASURES,
    WHITE,
    harmonise_groups,
    label,
    select,
    unknown_summary,
)
from rhoresearch.workstreams.workforce.findings import (
    BAND_TABLE_CHECK,
    SummaryTables,
    all_staff_bands,
    band_table,
    board_table,
    findings,
    likelihood_table,
    summary_tables,
    survey_table,
    unknown_table,
    workforce_share,
)
from rhoresearch.workstreams.workforce.indicators import (
    appointment_likelihood,
    band_shares,
    board_representation,
    change_since_previous,
    disciplinary_likelihood,
    relative_likelihood,
    representation_by_band,
    survey_percentages,
    training_likelihood,
)
from rhoresearch.workstreams.workforce.organisations import (
    ORGANISATION_COLUMNS,
    AppointmentFunnel,
    appointment_funnel,
    funnel_note,
    likelihood_by_organisation,
    organisation_table,
    outside_limits,
)

__all__ = [
    "WHITE",
    "MINORITY",
    "NOT_KNOWN",
    "PAY_BANDS",
    "PARITY_RANGE",
    "INDICATORS",
    "SHORT_LABELS",
    "SURVEY_MEASURES",
    "ORGANISATIONS_SCHEMA",
    "STAFF_IN_POST_SCHEMA",
    "RETURNS_SCHEMA",
    "STAFF_SURVEY_SCHEMA",
    "BOARD_SCHEMA",
    "SCHEMAS",
    "harmonise_groups",
    "label",
    "select",
    "unknown_summary",
    "representation_by_band",
    "band_shares",
    "relative_likelihood",
    "appointment_likelihood",
    "disciplinary_likelihood",
    "training_likelihood",
    "likelihood_by_organisation",
    "AppointmentFunnel",
    "appointment_funnel",
    "ORGANISATION_COLUMNS",
    "organisation_table",
    "outside_limits",
    "funnel_note",
    "survey_percentages",
    "board_representation",
    "change_since_previous",
    "BAND_TABLE_CHECK",
    "SummaryTables",
    "likelihood_table",
    "survey_table",
    "board_table",
    "band_table",
    "all_staff_bands",
    "workforce_share",
    "unknown_table",
    "summary_tables",
    "findings",
]
