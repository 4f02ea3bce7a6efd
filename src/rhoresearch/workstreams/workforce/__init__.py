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

from rhoresearch.workstreams.workforce import assumptions as _assumptions
from rhoresearch.workstreams.workforce import datasets as _datasets
from rhoresearch.workstreams.workforce import findings as _findings
from rhoresearch.workstreams.workforce import indicators as _indicators
from rhoresearch.workstreams.workforce import organisations as _organisations
from rhoresearch.workstreams.workforce.assumptions import *
from rhoresearch.workstreams.workforce.datasets import *
from rhoresearch.workstreams.workforce.findings import *
from rhoresearch.workstreams.workforce.indicators import *
from rhoresearch.workstreams.workforce.organisations import *

__all__ = [
    *_assumptions.__all__,
    *_datasets.__all__,
    *_findings.__all__,
    *_indicators.__all__,
    *_organisations.__all__,
]
