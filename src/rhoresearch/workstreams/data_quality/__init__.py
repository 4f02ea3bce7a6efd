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
:mod:`~rhoresearch.workstreams.data_quality.research` (representation in research),
:mod:`~rhoresearch.workstreams.data_quality.grouping` (the ``grouping`` parameter: the agreement
tables' labels and reference group, and what the research studies allow) and
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
from rhoresearch.workstreams.data_quality import assumptions as _assumptions
from rhoresearch.workstreams.data_quality import datasets as _datasets
from rhoresearch.workstreams.data_quality import findings as _findings
from rhoresearch.workstreams.data_quality import grouping as _grouping
from rhoresearch.workstreams.data_quality import providers as _providers
from rhoresearch.workstreams.data_quality import research as _research
from rhoresearch.workstreams.data_quality import sources as _sources
from rhoresearch.workstreams.data_quality.assumptions import *
from rhoresearch.workstreams.data_quality.datasets import *
from rhoresearch.workstreams.data_quality.findings import *
from rhoresearch.workstreams.data_quality.grouping import *
from rhoresearch.workstreams.data_quality.providers import *
from rhoresearch.workstreams.data_quality.research import *
from rhoresearch.workstreams.data_quality.sources import *

__all__ = [
    *_assumptions.__all__,
    *_datasets.__all__,
    *_findings.__all__,
    *_grouping.__all__,
    *_providers.__all__,
    *_research.__all__,
    *_sources.__all__,
    "STATUSES",
    "STATUS_LABELS",
    "classify_codes",
    "completeness",
]
