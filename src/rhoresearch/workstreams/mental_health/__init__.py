"""Workstream 6, mental health: dataset schemas and workstream-specific steps.

The statistics (crude and directly standardised rates, rate ratios, indirectly standardised
ratios, funnel limits, adjusted models) come from :mod:`rhoresearch.stats`; this package prepares
record-level Mental Health Act extracts for them and words the results. Its modules, one concern
each:

- :mod:`~rhoresearch.workstreams.mental_health.datasets`: :data:`DETENTIONS`, :data:`CTOS`,
  :data:`POPULATION`, :data:`PROVIDERS` (schemas of the inputs), :func:`age_band`,
  :func:`prepare` (harmonised ethnic group, recording status, five-year age band of the 2013
  European Standard Population and sex label added to each record; nothing dropped) and
  :func:`counts_from_source` (the same, counted inside a database engine from a file of any size
  or a Spark table, with the rows it could not count and the people counted);
- :mod:`~rhoresearch.workstreams.mental_health.counts`: :func:`choose_year`,
  :func:`event_counts` (events and distinct people by stratum), :func:`exclusions`,
  :func:`ethnicity_completeness`, :func:`population_by`, :func:`join_population`,
  :func:`standard_population`, :func:`provider_strata`;
- :mod:`~rhoresearch.workstreams.mental_health.summary`: :data:`MEASURES`,
  :func:`measure_rates`, :func:`measure_ratios`, :func:`adjusted_ratios`, :func:`model_description`,
  :func:`compare_crude_adjusted` (shared with workstream 5), :func:`rates_with_published`,
  :func:`provider_funnel`, :func:`providers_outside`, :func:`findings`;
- :mod:`~rhoresearch.workstreams.mental_health.inputs`: :func:`read_inputs` (every input as a
  record-level file, a published aggregate table, a Spark table or none; ``grouping`` high-level
  or detailed), :func:`strata`, :func:`unavailable` (the sentence replacing a section the data
  cannot give), :func:`reference_label`;
- :mod:`~rhoresearch.workstreams.mental_health.analysis`: :func:`rate_strata`, :func:`compare`,
  :func:`input_exclusions`, :func:`area_name`, :func:`grouping_note`;
- :mod:`~rhoresearch.workstreams.mental_health.published`: :func:`published_rates`,
  :func:`published_for_year` (the published national rates, for context).

Counting follows NHS Digital's Mental Health Act statistics: a detention counts once; records
with ethnic category not stated (``Z``), not known (``99``) or invalid, unknown age, or sex other
than male or female, are excluded from rates by ethnic group (and counted).

References
----------
NHS Digital. Mental Health Act Statistics, Annual Figures: methodology, and the code in
NHSDigital/mental-health-act-annual-statistics (rates by ethnicity, standardisation).
Eurostat. Revision of the European Standard Population, 2013 edition.
"""

from rhoresearch.workstreams._comparisons import compare_crude_adjusted
from rhoresearch.workstreams.mental_health import analysis as _analysis
from rhoresearch.workstreams.mental_health import assumptions as _assumptions
from rhoresearch.workstreams.mental_health import counts as _counts
from rhoresearch.workstreams.mental_health import datasets as _datasets
from rhoresearch.workstreams.mental_health import inputs as _inputs
from rhoresearch.workstreams.mental_health import published as _published
from rhoresearch.workstreams.mental_health.analysis import *
from rhoresearch.workstreams.mental_health.assumptions import *
from rhoresearch.workstreams.mental_health.counts import *
from rhoresearch.workstreams.mental_health.datasets import *
from rhoresearch.workstreams.mental_health.inputs import *
from rhoresearch.workstreams.mental_health.published import *
from rhoresearch.workstreams.mental_health.summary import (
    MEASURES,
    MODEL_NAMES,
    STANDARD_NAMES,
    STANDARDISED,
    Measure,
    ProviderFunnel,
    adjusted_ratios,
    findings,
    measure_rates,
    measure_ratios,
    model_description,
    provider_funnel,
    providers_outside,
    rates_with_published,
)

__all__ = [
    *_assumptions.__all__,
    *_analysis.__all__,
    *_counts.__all__,
    *_datasets.__all__,
    *_inputs.__all__,
    *_published.__all__,
    "MEASURES",
    "MODEL_NAMES",
    "STANDARD_NAMES",
    "STANDARDISED",
    "Measure",
    "ProviderFunnel",
    "measure_rates",
    "measure_ratios",
    "adjusted_ratios",
    "model_description",
    "compare_crude_adjusted",
    "rates_with_published",
    "provider_funnel",
    "providers_outside",
    "findings",
]
