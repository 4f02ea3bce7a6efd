"""Workstream 4, technology and innovation: bias audits of devices and algorithms by ethnic group.

Inputs are loaded against their schemas (:func:`load_oximetry`, :func:`load_risk_score`,
:func:`load_sickle_cell`) and made ready by :func:`prepare` (harmonised ethnic group, age band).
Three audits, each a set of functions that take tidy DataFrames and return tidy DataFrames; a
function that leaves rows out returns a :class:`rhoresearch.results.Result` (``table``,
``exclusions``):

Device (pulse oximetry against arterial blood gas; :mod:`.oximetry`)
    :func:`device_bias` (mean bias SpO2 - SaO2 with a patient-clustered interval, 95% limits of
    agreement allowing repeated readings per patient, ARMS), :func:`flag_occult_hypoxaemia` and
    :func:`occult_hypoxaemia_rates` (Wilson intervals), :func:`occult_hypoxaemia_odds_ratios`
    (logistic model with patient-clustered standard errors).
Algorithm (a clinical risk score's predictions and observed outcomes; :mod:`.risk_model`)
    :func:`calibration` (observed/expected, calibration-in-the-large, calibration slope),
    :func:`classification_rates` (true and false positive rates at a threshold),
    :func:`auc` (area under the ROC curve with DeLong or Hanley-McNeil intervals).
Service data (sickle cell disease admissions; :mod:`.sickle_cell`)
    :func:`sickle_cell_rates` and :func:`sickle_cell_rate_ratios` (per head of population);
    :func:`sickle_cell_per_patient` (per person living with the condition, :mod:`.patients`);
    :func:`choose_year`.

The grouping (:mod:`.grouping`): :func:`choose_grouping` reads the ``grouping`` parameter (high-level
groups or the NHS 16 categories) with the reference group; groups too small for a model are left
out with a counted reason; figures of many groups are split by high-level group.

The report (:mod:`.tables`, :mod:`.findings`): :func:`exclusions_by_dataset` (the data-quality
table), :func:`suppress_tables` (disclosure control of every published table, an
:class:`AuditTables`), :func:`suppression_notes`, and :func:`findings` (the key findings in words,
worded from the suppressed tables and the report's parameters).

The methods are generic and live in :mod:`rhoresearch.stats`: Bland-Altman in
:mod:`rhoresearch.stats.measurement`, AUC, calibration and classification rates in
:mod:`rhoresearch.stats.discrimination`, Wilson, Byar and logistic models in
:mod:`rhoresearch.stats`.

References
----------
Sjoding MW, Dickson RP, Iwashyna TJ, Gay SE, Valley TS. Racial bias in pulse oximetry measurement.
N Engl J Med 2020;383:2477-8.
"""

from rhoresearch.workstreams.technology import assumptions as _assumptions
from rhoresearch.workstreams.technology import datasets as _datasets
from rhoresearch.workstreams.technology import findings as _findings
from rhoresearch.workstreams.technology import grouping as _grouping
from rhoresearch.workstreams.technology import main_findings as _main_findings
from rhoresearch.workstreams.technology import oximetry as _oximetry
from rhoresearch.workstreams.technology import patients as _patients
from rhoresearch.workstreams.technology import risk_model as _risk_model
from rhoresearch.workstreams.technology import sickle_cell as _sickle_cell
from rhoresearch.workstreams.technology import tables as _tables
from rhoresearch.workstreams.technology.assumptions import *
from rhoresearch.workstreams.technology.datasets import *
from rhoresearch.workstreams.technology.findings import *
from rhoresearch.workstreams.technology.grouping import *
from rhoresearch.workstreams.technology.main_findings import *
from rhoresearch.workstreams.technology.oximetry import *
from rhoresearch.workstreams.technology.patients import *
from rhoresearch.workstreams.technology.risk_model import *
from rhoresearch.workstreams.technology.sickle_cell import *
from rhoresearch.workstreams.technology.tables import *

__all__ = [
    *_assumptions.__all__,
    *_main_findings.__all__,
    *_datasets.__all__,
    *_findings.__all__,
    *_grouping.__all__,
    *_oximetry.__all__,
    *_patients.__all__,
    *_risk_model.__all__,
    *_sickle_cell.__all__,
    *_tables.__all__,
]
