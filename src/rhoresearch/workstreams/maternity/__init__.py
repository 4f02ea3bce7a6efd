"""Workstream 5, maternal and neonatal outcomes: dataset schemas and workstream-specific steps.

The statistics themselves (rates, exact and Byar's intervals, rate ratios, adjusted models) come
from :mod:`rhoresearch.stats`; this package prepares record-level maternity, birth and death extracts, or
published tables of counts, for them and words the results. Its modules, one concern each:

- :mod:`~rhoresearch.workstreams.maternity.datasets`: :data:`MATERNITIES` and :data:`BIRTHS` (the
  schemas of the two record-level inputs, one row per maternity, one per baby), :func:`prepare`
  (harmonised ethnic group and recording status added to each record, an optional region
  selection, nothing dropped) and :func:`counts_from_source` (the same, counted inside a database
  engine from a file of any size or a Spark table, with the rows it could not count);
- :mod:`~rhoresearch.workstreams.maternity.deaths`: :data:`MATERNAL_DEATHS` (the deaths
  register, one row per death, its own dataset with the maternities as denominator),
  :func:`deaths_from_source`, :func:`death_exclusions`;
- :mod:`~rhoresearch.workstreams.maternity.inputs`: :func:`read_inputs` (each dataset
  record-level, a published table of counts, or not available; high-level or detailed groups),
  :func:`period_counts`, :func:`comparisons`, :func:`not_available`, :func:`data_quality`;
  its groupings and aggregate tables in :mod:`~rhoresearch.workstreams.maternity.aggregates`
  (:func:`group_order`, :func:`period_labels`);
- :mod:`~rhoresearch.workstreams.maternity.wording`: :func:`forest_caption`,
  :func:`model_sentence` (the model actually fitted), :func:`grouping_note` (the grouping and
  where Chinese and Arab are counted);
- :mod:`~rhoresearch.workstreams.maternity.counts`: :func:`maternal_counts`,
  :func:`perinatal_counts` (stratified events and denominators), :func:`exclusions` (rows
  excluded from each analysis and why), :func:`ethnicity_completeness`;
- :mod:`~rhoresearch.workstreams.maternity.periods`: :func:`rolling_periods`,
  :func:`rolling_period_counts`, :func:`choose_period`, :func:`records_in_period` (MBRRACE-UK
  rolling three-year periods);
- :mod:`~rhoresearch.workstreams.maternity.summary`: :data:`OUTCOMES`, :func:`outcome_rates`,
  :func:`yearly_perinatal_rates`, :func:`outcome_ratios`, :func:`adjusted_ratios`,
  :func:`compare_crude_adjusted` (shared with workstream 6), :func:`rates_with_published`,
  :func:`findings`, :func:`published_neonatal_note`;
- :mod:`~rhoresearch.workstreams.maternity.published`: :func:`published_maternal_mortality`,
  :func:`published_neonatal_mortality`, :func:`published_for_period` (the published national
  rates, for context beside computed ones).

Definitions (MBRRACE-UK; ONS): a maternal death is a death during pregnancy or within 42 days of
its end from direct or indirect causes, whatever the outcome of the pregnancy (counted from the
deaths register, not from flags on maternity records), per 100,000 maternities (women giving
birth to a live or stillborn baby from 24 weeks); stillbirths are per 1,000 total births and neonatal deaths (before
28 completed days) per 1,000 live births.

References
----------
Knight M, et al. (eds.) on behalf of MBRRACE-UK. Saving Lives, Improving Mothers' Care. Oxford:
National Perinatal Epidemiology Unit, University of Oxford (annual; rolling three-year periods).
Draper ES, et al. on behalf of MBRRACE-UK. MBRRACE-UK Perinatal Mortality Surveillance: technical
manual. Leicester: The Infant Mortality and Morbidity Studies, University of Leicester.
Office for National Statistics. Sustainable Development Goals indicators 3.1.1 and 3.2.2 (UK data).
"""

from rhoresearch.workstreams._comparisons import compare_crude_adjusted
from rhoresearch.workstreams.maternity import assumptions as _assumptions
from rhoresearch.workstreams.maternity import counts as _counts
from rhoresearch.workstreams.maternity import datasets as _datasets
from rhoresearch.workstreams.maternity import deaths as _deaths
from rhoresearch.workstreams.maternity import inputs as _inputs
from rhoresearch.workstreams.maternity import periods as _periods
from rhoresearch.workstreams.maternity import published as _published
from rhoresearch.workstreams.maternity import wording as _wording
from rhoresearch.workstreams.maternity.assumptions import *
from rhoresearch.workstreams.maternity.counts import *
from rhoresearch.workstreams.maternity.datasets import *
from rhoresearch.workstreams.maternity.deaths import *
from rhoresearch.workstreams.maternity.inputs import *
from rhoresearch.workstreams.maternity.periods import *
from rhoresearch.workstreams.maternity.published import *
from rhoresearch.workstreams.maternity.summary import (
    OUTCOMES,
    Outcome,
    adjusted_ratios,
    findings,
    outcome_rates,
    outcome_ratios,
    published_neonatal_note,
    rates_with_published,
    yearly_perinatal_rates,
)
from rhoresearch.workstreams.maternity.wording import *

__all__ = [
    *_assumptions.__all__,
    *_counts.__all__,
    *_datasets.__all__,
    *_deaths.__all__,
    *_inputs.__all__,
    *_wording.__all__,
    *_periods.__all__,
    *_published.__all__,
    "OUTCOMES",
    "Outcome",
    "outcome_rates",
    "yearly_perinatal_rates",
    "outcome_ratios",
    "adjusted_ratios",
    "compare_crude_adjusted",
    "rates_with_published",
    "findings",
    "published_neonatal_note",
]
