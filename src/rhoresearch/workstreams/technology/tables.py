"""The report's tables: the data-quality table, and disclosure control of every table it publishes.

:func:`exclusions_by_dataset` gathers the rows each step left out into the data-quality table;
:func:`suppress_tables` applies disclosure control to every table of notebook 04 (one rule per
table, so the tables shown, saved and drawn are the same); :func:`suppression_notes` says what was
suppressed. :class:`AuditTables` holds the tables by name.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

import pandas as pd

from rhoresearch import disclosure
from rhoresearch.exceptions import InputError
from rhoresearch.results import EXCLUSION_COLUMNS, combine_exclusions
from rhoresearch.stats.measurement import BLAND_ALTMAN_COLUMNS as _BLAND_ALTMAN_COLUMNS
from rhoresearch.validation import check_frame, check_threshold, require_columns
from rhoresearch.workstreams import _tables
from rhoresearch.workstreams.technology.oximetry import _DEVICE_BIAS_NAMES

__all__ = [
    "DEVICE_BIAS_DERIVED",
    "AUC_DERIVED",
    "ODDS_RATIO_COLUMNS",
    "AuditTables",
    "exclusions_by_dataset",
    "suppress_tables",
    "suppression_notes",
]

#: Columns of :func:`~rhoresearch.workstreams.technology.device_bias` derived from its counts: the
#: statistics of :func:`rhoresearch.stats.measurement.bland_altman` (all its columns but the counts
#: and the levels), as the device audit names them.
DEVICE_BIAS_DERIVED = [
    _DEVICE_BIAS_NAMES.get(column, column)
    for column in _BLAND_ALTMAN_COLUMNS
    if column not in ("n_pairs", "n_subjects", "confidence", "agreement", "method")
]

#: Columns of :func:`~rhoresearch.workstreams.technology.auc` derived from its counts.
AUC_DERIVED = ["value", "standard_error", "lower_ci", "upper_ci"]

#: Columns of the published odds-ratio table taken from the model (its counts come from the
#: occult hypoxaemia table: ``n_pairs``, ``n_events``, ``n_patients`` follow these).
ODDS_RATIO_COLUMNS = [*_tables.MODEL_ESTIMATES, "reference", *_tables.MODEL_ROWS]

#: The rules of :func:`rhoresearch.disclosure.suppress` for each of the :class:`AuditTables`, as
#: :func:`suppress_tables` applies them (the region table's ethnic-group totals, ``margins``, are
#: added there: the group column is its argument).
_RULES: dict[str, dict[str, Any]] = {
    "device_bias": {"counts": ["n_pairs", "n_patients"], "derived": DEVICE_BIAS_DERIVED},
    "occult_hypoxaemia": {"counts": ["numerator", "n_patients"]},
    "odds_ratios": {
        "counts": ["n_events", "n_patients"],
        "derived": ["estimate", "lower_ci", "upper_ci", "p_value"],
    },
    "calibration": {
        "counts": "n_events",
        "by": "measure",
        "derived": ["value", "lower_ci", "upper_ci", "expected_events"],
    },
    "error_rates": {"counts": "numerator", "by": "measure"},
    "auc": {"counts": ["n_events", "n_non_events"], "derived": AUC_DERIVED},
    "sickle_cell_rates": {"counts": "count", "by": "financial_year"},
    "sickle_cell_rate_ratios": {"counts": ["count", "reference_count"], "by": "financial_year"},
    "sickle_cell_detailed": {"counts": "count"},
    "sickle_cell_by_region": {"counts": "count", "by": "region"},
    "sickle_cell_per_patient": {
        "counts": ["count", "reference_count", "population", "reference_population"],
        "by": "financial_year",
    },
    "exclusions": {"counts": "n", "secondary": False},
}

#: What :func:`suppression_notes` calls each table (the tables it reports on, in order).
_TABLE_NAMES = {
    "device_bias": "Oximeter bias",
    "occult_hypoxaemia": "Occult hypoxaemia",
    "odds_ratios": "Occult hypoxaemia odds ratios",
    "calibration": "Calibration",
    "error_rates": "True and false positive rates",
    "auc": "AUC",
    "sickle_cell_rates": "Sickle cell rates by year",
    "sickle_cell_detailed": "Sickle cell rates by detailed group",
    "sickle_cell_by_region": "Sickle cell rates by region and detailed group",
    "sickle_cell_per_patient": "Sickle cell admissions per person with the condition",
}


class AuditTables(NamedTuple):
    """The tables of the technology report, by name (before or after :func:`suppress_tables`).

    Attributes
    ----------
    device_bias : pandas.DataFrame
        :func:`~rhoresearch.workstreams.technology.device_bias` by ethnic group.
    occult_hypoxaemia : pandas.DataFrame
        :func:`~rhoresearch.workstreams.technology.occult_hypoxaemia_rates` by ethnic group.
    odds_ratios : pandas.DataFrame
        :func:`~rhoresearch.workstreams.technology.occult_hypoxaemia_odds_ratios`; after
        suppression, the columns :data:`ODDS_RATIO_COLUMNS` then ``n_pairs``, ``n_events``,
        ``n_patients`` as shown in the occult hypoxaemia table.
    calibration, error_rates, auc : pandas.DataFrame
        :func:`~rhoresearch.workstreams.technology.calibration`,
        :func:`~rhoresearch.workstreams.technology.classification_rates` and
        :func:`~rhoresearch.workstreams.technology.auc` by ethnic group.
    sickle_cell_rates, sickle_cell_rate_ratios : pandas.DataFrame
        :func:`~rhoresearch.workstreams.technology.sickle_cell_rates` by financial year and ethnic
        group, and :func:`~rhoresearch.workstreams.technology.sickle_cell_rate_ratios` by year.
    sickle_cell_detailed, sickle_cell_by_region : pandas.DataFrame
        Sickle cell rates for one year by detailed ethnic group, and by region and detailed group.
    exclusions : pandas.DataFrame
        :func:`exclusions_by_dataset`; after suppression its ``rows`` column is named ``n`` (as in
        the published ``exclusions.csv``).
    sickle_cell_per_patient : pandas.DataFrame or None
        :func:`~rhoresearch.workstreams.technology.sickle_cell_per_patient` (admissions per person
        living with the condition, ratios to the reference group); ``None`` without a count of
        the people living with it.
    """

    device_bias: pd.DataFrame
    occult_hypoxaemia: pd.DataFrame
    odds_ratios: pd.DataFrame
    calibration: pd.DataFrame
    error_rates: pd.DataFrame
    auc: pd.DataFrame
    sickle_cell_rates: pd.DataFrame
    sickle_cell_rate_ratios: pd.DataFrame
    sickle_cell_detailed: pd.DataFrame
    sickle_cell_by_region: pd.DataFrame
    exclusions: pd.DataFrame
    sickle_cell_per_patient: pd.DataFrame | None = None


def exclusions_by_dataset(
    exclusions: Mapping[str, pd.DataFrame | Sequence[pd.DataFrame]],
) -> pd.DataFrame:
    """The data-quality table: every step's exclusions, labelled by dataset.

    Parameters
    ----------
    exclusions : mapping of str to DataFrame or list of DataFrames
        Dataset label (``"oximetry pairs"``) to its exclusions frames in the one layout of
        :mod:`rhoresearch.results` (``step``, ``reason``, ``rows``, ``applies_to``), e.g. the
        ``exclusions`` of :func:`~rhoresearch.workstreams.technology.prepare` and
        :func:`~rhoresearch.workstreams.technology.flag_occult_hypoxaemia`. Not modified.

    Returns
    -------
    pandas.DataFrame
        Columns ``dataset``, ``step``, ``reason``, ``rows``, ``applies_to``: the frames' rows in
        the order given (zero rows kept: they say a step was checked).

    Raises
    ------
    InputError
        A frame lacks a column of the layout or ``applies_to``.
    """
    func = "exclusions_by_dataset"
    columns = [*EXCLUSION_COLUMNS, "applies_to"]
    parts = []
    for dataset, frames in exclusions.items():
        frames = [frames] if isinstance(frames, pd.DataFrame) else list(frames)
        for frame in frames:
            check_frame(frame, func=func, name=f"exclusions of {dataset!r}")
            require_columns(frame, columns, func=func)
        combined = combine_exclusions(*frames)
        if len(combined):
            parts.append(combined[columns].assign(dataset=dataset))
    if not parts:
        return pd.DataFrame(columns=["dataset", *columns]).astype({"rows": "int64"})
    return pd.concat(parts, ignore_index=True)[["dataset", *columns]]


def _companion_counts(
    table: pd.DataFrame, companion: pd.DataFrame, *, on: str, columns: Mapping[str, str]
) -> pd.DataFrame:
    """Left-join columns of an already suppressed table onto ``table``, flag columns included.

    ``columns`` maps the companion's column names to the names they take in ``table``. A table
    published beside another that shares its cells must show those cells as suppressed there, so
    that the two together reveal nothing either hides; its own suppression then treats them as
    already suppressed.
    """
    picked = disclosure.rename(disclosure.select(companion, [on, *columns]), columns)
    return table.merge(picked, on=on, how="left")


def suppress_tables(
    *,
    device_bias: pd.DataFrame,
    occult_hypoxaemia: pd.DataFrame,
    odds_ratios: pd.DataFrame,
    calibration: pd.DataFrame,
    error_rates: pd.DataFrame,
    auc: pd.DataFrame,
    sickle_cell_rates: pd.DataFrame,
    sickle_cell_rate_ratios: pd.DataFrame,
    sickle_cell_detailed: pd.DataFrame,
    sickle_cell_by_region: pd.DataFrame,
    exclusions: pd.DataFrame,
    reference: str,
    threshold: int,
    group: str = "ethnic_group",
    sickle_cell_per_patient: pd.DataFrame | None = None,
    policy: disclosure.Policy | None = None,
) -> AuditTables:
    """Disclosure control of every table of the technology report.

    Parameters
    ----------
    device_bias, occult_hypoxaemia, odds_ratios, calibration, error_rates, auc : pandas.DataFrame
        The audit tables by ``group`` (see :class:`AuditTables`); not modified.
    sickle_cell_rates, sickle_cell_rate_ratios, sickle_cell_detailed, sickle_cell_by_region
        The sickle cell tables (see :class:`AuditTables`); not modified.
    exclusions : pandas.DataFrame
        :func:`exclusions_by_dataset`; not modified.
    reference : str
        The reference group of the odds ratios (shown in their ``reference`` column).
    threshold : int
        Counts from 1 to ``threshold - 1`` are suppressed.
    group : str, default "ethnic_group"
        The group column of the audit tables.
    sickle_cell_per_patient : pandas.DataFrame, optional
        Admissions per person living with sickle cell disease (see :class:`AuditTables`); not
        modified.
    policy : Policy, optional
        A disclosure policy (:func:`rhoresearch.disclosure.policy`) passed to
        :func:`rhoresearch.disclosure.suppress`; ``None`` (default): the ``threshold`` policy.

    Returns
    -------
    AuditTables
        Every table after :func:`rhoresearch.disclosure.suppress`, with these rules:

        - device bias: ``n_pairs``, ``n_patients``; derived :data:`DEVICE_BIAS_DERIVED`;
        - occult hypoxaemia: ``numerator``, ``n_patients``;
        - odds ratios: :data:`ODDS_RATIO_COLUMNS` (``group`` as text, ``reference`` added) with
          the pairs, events and patients of the *suppressed* occult hypoxaemia table (its
          ``denominator``, ``numerator`` and ``n_patients`` as ``n_pairs``, ``n_events``,
          ``n_patients``), so the two tables together reveal nothing either hides; counts
          ``n_events``, ``n_patients``; derived ``estimate``, ``lower_ci``, ``upper_ci``,
          ``p_value``;
        - calibration: ``n_events`` by ``measure``; derived ``value``, ``lower_ci``, ``upper_ci``,
          ``expected_events``;
        - error rates: ``numerator`` by ``measure``;
        - AUC: ``n_events``, ``n_non_events``; derived :data:`AUC_DERIVED`;
        - sickle cell rates: ``count`` by ``financial_year``; rate ratios: ``count``,
          ``reference_count`` by ``financial_year``; detailed: ``count``; by region: ``count`` by
          ``region`` with the ``ethnic_group`` totals also published;
        - per person with the condition: ``count``, ``reference_count``, ``population`` and
          ``reference_population`` (people with the condition) by ``financial_year``;
        - exclusions: ``rows`` renamed ``n`` (the published column), primary suppression only.

    Raises
    ------
    InputError
        A table lacks a column a rule names, or ``threshold`` is not a whole number of at least 1.

    References
    ----------
    Hundepool A, et al. Statistical Disclosure Control. Wiley, 2012, chapters 4 and 5.
    """
    func = "suppress_tables"
    t = check_threshold(threshold, func=func)
    require_columns(occult_hypoxaemia, [group, "numerator", "denominator", "n_patients"], func=func)
    require_columns(odds_ratios, [c for c in ODDS_RATIO_COLUMNS if c != "reference"], func=func)
    require_columns(exclusions, ["rows"], func=func)
    if not isinstance(reference, str):
        raise InputError(f"{func}: reference must be a group label, got {reference!r}")

    def safe(name: str, table: pd.DataFrame, **extra: Any) -> pd.DataFrame:
        return disclosure.suppress(table, threshold=t, policy=policy, **_RULES[name], **extra)

    occult_safe = safe("occult_hypoxaemia", occult_hypoxaemia)
    model = odds_ratios.assign(group=odds_ratios["group"].astype(str), reference=reference)
    odds_table = _companion_counts(
        model[ODDS_RATIO_COLUMNS],
        occult_safe.assign(group=occult_safe[group].astype(str)),
        on="group",
        columns={"denominator": "n_pairs", "numerator": "n_events", "n_patients": "n_patients"},
    )
    return AuditTables(
        device_bias=safe("device_bias", device_bias),
        occult_hypoxaemia=occult_safe,
        odds_ratios=safe("odds_ratios", odds_table),
        calibration=safe("calibration", calibration),
        error_rates=safe("error_rates", error_rates),
        auc=safe("auc", auc),
        sickle_cell_rates=safe("sickle_cell_rates", sickle_cell_rates),
        sickle_cell_rate_ratios=safe("sickle_cell_rate_ratios", sickle_cell_rate_ratios),
        sickle_cell_detailed=safe("sickle_cell_detailed", sickle_cell_detailed),
        sickle_cell_by_region=safe("sickle_cell_by_region", sickle_cell_by_region, margins=[group]),
        exclusions=safe("exclusions", exclusions.rename(columns={"rows": "n"})),
        sickle_cell_per_patient=None
        if sickle_cell_per_patient is None
        else safe("sickle_cell_per_patient", sickle_cell_per_patient),
    )


def suppression_notes(
    tables: AuditTables, *, threshold: int, policy: disclosure.Policy | None = None
) -> str:
    """What disclosure control suppressed in each table, as Markdown for the data-quality section.

    Parameters
    ----------
    tables : AuditTables
        The tables returned by :func:`suppress_tables`.
    threshold : int
        The threshold they were suppressed with.
    policy : Policy, optional
        The disclosure policy they were suppressed with (its threshold, if larger, its rounding
        and its zeros are named); ``None`` (default): the ``threshold`` policy.

    Returns
    -------
    str
        A bold heading naming the threshold, then one bullet per table with
        :func:`rhoresearch.disclosure.suppression_note`.
    """
    t = check_threshold(threshold, func="suppression_notes")
    rules = disclosure.policy("threshold", threshold=t) if policy is None else policy
    t = max(t, rules.threshold)
    lines = [
        f"**What was suppressed** (counts from 1 to {t - 1}, and anything they could be worked "
        "out from):",
        "",
    ]
    lines += [
        f"- {name}: "
        + disclosure.suppression_note(
            getattr(tables, field),
            threshold=t,
            rounding=rules.rounding,
            suppress_zero=rules.suppress_zero,
        )
        for field, name in _TABLE_NAMES.items()
        if getattr(tables, field) is not None
    ]
    return "\n".join(lines)
