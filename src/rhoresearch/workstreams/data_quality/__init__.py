"""Ethnicity data quality and the representation of ethnic groups in research.

Three questions, each a small function returning a tidy table:

- **Completeness**: how many records carry a valid ethnic category code, and how many are "not
  stated" (``Z``), "not known" (``99``, HES ``X``, the withdrawn ``9``), blank, or invalid, by
  dataset, provider and year (:func:`classify_codes`, :func:`completeness`,
  :func:`valid_by_provider`, :func:`provider_funnel`).
- **Agreement** between two sources for the same people (e.g. Census 2021 self-report and hospital
  records): percent agreement and Cohen's kappa overall (:func:`agreement`) and by group
  (:func:`agreement_by_group`), and where disagreement goes (:func:`disagreement_flows`).
- **Representation in research**: each group's share of study participants against its share of
  the population or disease population, the participation-to-prevalence ratio (PPR), with
  under-representation below 0.8 flagged (:func:`representation`).

The package, one concern per module (every public name is importable from here):
:mod:`~rhoresearch.workstreams.data_quality.datasets` (schemas, selection),
:mod:`~rhoresearch.workstreams.data_quality.providers` (completeness by provider),
:mod:`~rhoresearch.workstreams.data_quality.sources` (agreement between sources),
:mod:`~rhoresearch.workstreams.data_quality.research` (representation in research) and
:mod:`~rhoresearch.workstreams.data_quality.findings` (the report's disclosure-controlled tables,
:func:`summary_tables`, and its key findings, :func:`findings`). The completeness statuses are
shared with the record-level workstreams (:mod:`rhoresearch.workstreams._completeness`); proportions
and their Wilson intervals come from :mod:`rhoresearch.stats`, Cohen's kappa from
:func:`rhoresearch.stats.agreement.kappa`; ethnicity codes are read by :mod:`rhoresearch.ethnicity`.

References
----------
NHS Data Dictionary, ETHNIC CATEGORY (national codes A-S, Z not stated, default 99 not known).
Scobie S, Spencer J, Raleigh V (2021). Ethnicity coding in English health service datasets. Nuffield
Trust / NHS Race and Health Observatory. ONS (2023). Understanding consistency of ethnicity data
recorded in health-related administrative datasets in England: 2011 to 2021. Carcel C et al.
(2021). Representation of women in stroke clinical trials. Neurology 97:e1768 (PPR thresholds).
"""

from rhoresearch.workstreams._completeness import (
    STATUS_LABELS,
    STATUSES,
    classify_codes,
    completeness,
)
from rhoresearch.workstreams.data_quality.datasets import (
    LINKED_SCHEMA,
    PARTICIPANTS_SCHEMA,
    PROVIDERS_SCHEMA,
    RECORDS_SCHEMA,
    REFERENCE_SCHEMA,
    SCHEMAS,
    dataset_label,
    select,
)
from rhoresearch.workstreams.data_quality.findings import (
    SummaryTables,
    agreement_by_group_table,
    agreement_table,
    commonest_moves,
    completeness_table,
    findings,
    flows_table,
    reference_first,
    representation_table,
    summary_tables,
)
from rhoresearch.workstreams.data_quality.providers import (
    PROVIDER_COLUMNS,
    ProviderFunnel,
    provider_funnel,
    provider_table,
    valid_by_provider,
)
from rhoresearch.workstreams.data_quality.research import PPR_RANGE, representation
from rhoresearch.workstreams.data_quality.sources import (
    agreement,
    agreement_by_group,
    disagreement_flows,
)

__all__ = [
    "STATUSES",
    "STATUS_LABELS",
    "PPR_RANGE",
    "RECORDS_SCHEMA",
    "PROVIDERS_SCHEMA",
    "LINKED_SCHEMA",
    "PARTICIPANTS_SCHEMA",
    "REFERENCE_SCHEMA",
    "SCHEMAS",
    "select",
    "dataset_label",
    "classify_codes",
    "completeness",
    "valid_by_provider",
    "PROVIDER_COLUMNS",
    "ProviderFunnel",
    "provider_funnel",
    "provider_table",
    "agreement",
    "agreement_by_group",
    "disagreement_flows",
    "representation",
    "SummaryTables",
    "completeness_table",
    "agreement_table",
    "agreement_by_group_table",
    "flows_table",
    "representation_table",
    "summary_tables",
    "commonest_moves",
    "reference_first",
    "findings",
]
