"""The technology report's key findings, in words, from its suppressed tables and its parameters."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from rhoresearch import disclosure
from rhoresearch.report import narrative
from rhoresearch.validation import as_columns, check_frame, require_columns
from rhoresearch.workstreams import _wording
from rhoresearch.workstreams.technology.tables import AuditTables

__all__ = [
    "findings",
    "window_text",
    "covariates_text",
    "SJODING_2020",
    "occult_hypoxaemia_definition",
    "occult_hypoxaemia_method",
]

#: The occult hypoxaemia definition of Sjoding et al. (2020) and what they found: SaO2 below 88%
#: while SpO2 read 92% to 96%, in 11.7% of such readings from Black and 3.6% from White patients.
SJODING_2020: dict[str, float] = {
    "sao2_below": 88.0,
    "spo2_at_least": 92.0,
    "spo2_at_most": 96.0,
    "black_percent": 11.7,
    "white_percent": 3.6,
}

_SJODING = "Sjoding et al. (2020)"


def window_text(spo2_at_least: float, spo2_at_most: float) -> str:
    """The SpO2 readings at risk, in words: ``"92% or more"`` or ``"92% to 96%"``.

    Parameters
    ----------
    spo2_at_least, spo2_at_most : float
        The window of :func:`~rhoresearch.workstreams.technology.flag_occult_hypoxaemia`; an upper
        end of 100% (or more) is no limit.

    Returns
    -------
    str
    """
    if spo2_at_most >= 100:
        return f"{spo2_at_least:g}% or more"
    return f"{spo2_at_least:g}% to {spo2_at_most:g}%"


def _is_sjoding(sao2_below: float, spo2_at_least: float, spo2_at_most: float) -> bool:
    """Whether a definition is that of Sjoding et al. (2020) (:data:`SJODING_2020`)."""
    return (float(sao2_below), float(spo2_at_least), float(spo2_at_most)) == (
        SJODING_2020["sao2_below"],
        SJODING_2020["spo2_at_least"],
        SJODING_2020["spo2_at_most"],
    )


def occult_hypoxaemia_definition(
    *, sao2_below: float, spo2_at_least: float, spo2_at_most: float
) -> str:
    """The report's occult hypoxaemia definition in words, set beside Sjoding's only when the same.

    Parameters
    ----------
    sao2_below, spo2_at_least, spo2_at_most : float
        The definition given to :func:`~rhoresearch.workstreams.technology.flag_occult_hypoxaemia`.

    Returns
    -------
    str
        A paragraph: the definition used (from the arguments); then, when it is that of
        :data:`SJODING_2020`, their percentages (11.7% Black, 3.6% White) as a comparison; otherwise
        their definition and that the percentages are not comparable with theirs (a wider SpO2
        window takes in readings at which occult hypoxaemia is rarer), with the parameter that
        reproduces their window.

    References
    ----------
    Sjoding MW, Dickson RP, Iwashyna TJ, Gay SE, Valley TS. Racial bias in pulse oximetry
    measurement. N Engl J Med 2020;383:2477-8.
    """
    window = window_text(spo2_at_least, spo2_at_most)
    used = (
        f"Occult hypoxaemia here is an arterial saturation (SaO2) below {sao2_below:g}% while the "
        f"oximeter (SpO2) read {window}."
    )
    theirs = window_text(SJODING_2020["spo2_at_least"], SJODING_2020["spo2_at_most"])
    if _is_sjoding(sao2_below, spo2_at_least, spo2_at_most):
        return (
            f"{used} This is the definition of {_SJODING}, who found occult hypoxaemia in "
            f"{SJODING_2020['black_percent']:g}% of such readings from Black patients and "
            f"{SJODING_2020['white_percent']:g}% from White patients: the percentages below can be "
            "set beside theirs."
        )
    return (
        f"{used} {_SJODING} used SaO2 below {SJODING_2020['sao2_below']:g}% with SpO2 {theirs}; "
        "with another definition the percentages below are not comparable with theirs (a wider "
        "SpO2 window takes in readings at which occult hypoxaemia is rarer). Their definition is "
        f"reproduced with sao2_below = {SJODING_2020['sao2_below']:g}, spo2_at_least = "
        f"{SJODING_2020['spo2_at_least']:g} and spo2_at_most = {SJODING_2020['spo2_at_most']:g}."
    )


def occult_hypoxaemia_method(
    *,
    sao2_below: float,
    spo2_at_least: float,
    spo2_at_most: float,
    covariates: str | Sequence[str],
) -> str:
    """The methods bullet of occult hypoxaemia, from the report's parameters.

    Parameters
    ----------
    sao2_below, spo2_at_least, spo2_at_most : float
        The definition given to :func:`~rhoresearch.workstreams.technology.flag_occult_hypoxaemia`.
    covariates : str or sequence of str
        The covariates of the odds ratios.

    Returns
    -------
    str
        A Markdown bullet: the definition, whether it is that of Sjoding et al. (2020), Wilson
        intervals, and the logistic model with its covariates and cluster-robust errors.

    References
    ----------
    Sjoding MW et al. N Engl J Med 2020;383:2477-8. Liang KY, Zeger SL. Biometrika 1986;73:13-22.
    """
    same = _is_sjoding(sao2_below, spo2_at_least, spo2_at_most)
    source = (
        f"the definition of {_SJODING}"
        if same
        else f"{_SJODING} used SpO2 "
        f"{window_text(SJODING_2020['spo2_at_least'], SJODING_2020['spo2_at_most'])}"
    )
    adjusted = covariates_text(covariates)
    model = f"adjusted for {adjusted}" if adjusted else "without adjustment"
    return (
        f"- **Occult hypoxaemia**: SaO2 below {sao2_below:g}% among readings with SpO2 "
        f"{window_text(spo2_at_least, spo2_at_most)} ({source}); percentages with Wilson score "
        f"intervals; odds ratios from logistic regression {model}, with cluster-robust (patient) "
        "standard errors (Liang & Zeger 1986), via `rhoresearch.stats.logistic_model`."
    )


def covariates_text(covariates: str | Sequence[str]) -> str:
    """Model covariates in words: ``["age_band", "sex", "setting"]`` -> ``"age band, sex and setting"``.

    Parameters
    ----------
    covariates : str or sequence of str
        Column names; underscores read as spaces.

    Returns
    -------
    str
        ``""`` for no covariates.
    """
    words = [c.replace("_", " ") for c in as_columns(covariates, name="covariates")]
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def _excludes_one(row: pd.Series, estimate: str = "value") -> bool:
    """Whether a ratio's interval lies wholly above or below 1 (shown, not suppressed)."""
    if disclosure.is_suppressed(row, estimate) or disclosure.is_suppressed(row, "lower_ci"):
        return False
    lo, hi = row["lower_ci"], row["upper_ci"]
    if pd.isna(lo) or pd.isna(hi):
        return False
    return not float(lo) <= 1 <= float(hi)


def _equal_opportunity(error_rates: pd.DataFrame, *, reference: str, group: str) -> list[str]:
    """The true positive rates by group in a sentence (equal opportunity, Hardt et al. 2016)."""
    tpr = error_rates[error_rates["measure"].astype(str) == "true positive rate"]
    ref = tpr[tpr[group].astype(str) == reference]
    if not len(ref):
        return []
    threshold = ""
    if "threshold" in tpr.columns and pd.notna(ref.iloc[0]["threshold"]):
        threshold = f" (predicted risk of {float(ref.iloc[0]['threshold']):g} or more)"
    others = "; ".join(
        f"{row[group]} {_wording.interval(row, unit='%')}"
        for _, row in tpr.iterrows()
        if str(row[group]) != reference
    )
    return [
        f"Equal opportunity: of the patients who had the outcome, the risk score flagged"
        f"{threshold} {_wording.interval(ref.iloc[0], unit='%')} of {reference} patients"
        + (f"; for the other groups: {others}" if others else "")
        + " (true positive rates; equal rates in every group is equal opportunity)."
    ]


def _sickle_cell_note(year: str) -> str:
    """Why the sickle cell rate ratios per head of population are not among the findings."""
    return (
        f"Sickle cell disease admissions ({year}) are not compared between groups here: their rates "
        "are per head of each group's whole population, so a ratio between groups measures how "
        "common the condition is in each, not inequality in care; people living with the "
        "condition, the denominator that would, are not in this data."
    )


def _sickle_cell_per_patient(
    table: pd.DataFrame | None, *, year: str, reference: str, group: str, skip: set[str]
) -> list[str]:
    """Admissions per person with the condition, one sentence per group; else why not compared."""
    if table is None or not len(table):
        return [_sickle_cell_note(year)]
    out = []
    for _, row in table[~table[group].astype(str).isin(skip)].iterrows():
        if str(row[group]) == reference:
            continue
        out.append(
            narrative.ratio_sentence(
                row,
                group_col=group,
                outcome="be admitted to hospital with it",
                comparator=reference,
                noun="people living with sickle cell disease",
                qualifier=f" (admissions per person, {row['financial_year']})",
            )
        )
    out.append(
        "Per head of each group's whole population the sickle cell ratios measure how common the "
        "condition is, not care: they are in the tables but not compared here."
    )
    return out


def findings(
    tables: AuditTables,
    *,
    oximetry: pd.DataFrame,
    risk: pd.DataFrame,
    reference: str,
    sao2_below: float,
    spo2_at_least: float,
    spo2_at_most: float,
    covariates: str | Sequence[str],
    year: str,
    subject: str = "patient_id",
    group: str = "ethnic_group",
    exclude_groups: Sequence[str] = ("Not stated", "Not known"),
) -> str:
    """Key findings of the technology report, as Markdown, from its suppressed tables.

    Every number comes from the tables, every threshold and list from the arguments, so the words
    match the analysis that was run (the occult hypoxaemia definition and the model's covariates
    are parameters of the report).

    Parameters
    ----------
    tables : AuditTables
        The tables after :func:`~rhoresearch.workstreams.technology.suppress_tables`.
    oximetry, risk : pandas.DataFrame
        The prepared oximetry pairs and scored admissions (only their sizes are reported).
    reference : str
        The reference group of the comparisons.
    sao2_below, spo2_at_least, spo2_at_most : float
        The occult hypoxaemia definition given to
        :func:`~rhoresearch.workstreams.technology.flag_occult_hypoxaemia`.
    covariates : str or sequence of str
        The covariates given to
        :func:`~rhoresearch.workstreams.technology.occult_hypoxaemia_odds_ratios`.
    year : str
        The financial year of the sickle cell admissions.
    subject : str, default "patient_id"
        The patient column of ``oximetry``.
    group : str, default "ethnic_group"
        The group column of the tables (the odds ratios use ``group``).
    exclude_groups : sequence of str, default ("Not stated", "Not known")
        Groups not described (unknown ethnicity).

    Returns
    -------
    str
        A bold line (pairs, patients, admissions scored, the sickle cell year, the reference
        group), a blank line, then one bullet each for: the mean bias per group; occult
        hypoxaemia (SaO2 below ``sao2_below`` while SpO2 read in the window) in the reference
        group and the others; one adjusted odds ratio sentence for every known group (naming the
        covariates; an interval that includes 1 is said to); each group whose observed/expected
        ratio excludes 1; equal opportunity, the true positive rate of every group at the
        threshold of ``tables.error_rates``; with ``tables.sickle_cell_per_patient``, the ratio of
        sickle cell admissions per person living with the condition of every known group, else
        why the ratios per head of population are not among the findings. Suppressed values are
        said to be suppressed.

    Raises
    ------
    InputError
        A table or frame lacks a column used.

    References
    ----------
    Sjoding MW, Dickson RP, Iwashyna TJ, Gay SE, Valley TS. Racial bias in pulse oximetry
    measurement. N Engl J Med 2020;383:2477-8. Hardt M, Price E, Srebro N. Equality of opportunity
    in supervised learning. NeurIPS 2016.
    """
    func = "findings"
    for name, frame, columns in (
        ("oximetry", oximetry, [subject]),
        ("risk", risk, []),
        ("device_bias", tables.device_bias, [group, "mean_bias", "lower_ci", "upper_ci"]),
        ("occult_hypoxaemia", tables.occult_hypoxaemia, [group, "value", "lower_ci", "upper_ci"]),
        ("odds_ratios", tables.odds_ratios, ["group", "estimate", "lower_ci", "is_reference"]),
        ("calibration", tables.calibration, [group, "measure", "value", "lower_ci", "upper_ci"]),
        ("error_rates", tables.error_rates, [group, "measure", "value", "lower_ci", "upper_ci"]),
    ):
        check_frame(frame, func=func, name=name)
        require_columns(frame, columns, func=func)
    skip = {str(g) for g in exclude_groups}

    def known(frame: pd.DataFrame) -> pd.DataFrame:
        return frame[~frame[group].astype(str).isin(skip)]

    bias, occult, calibration = (
        known(tables.device_bias),
        known(tables.occult_hypoxaemia),
        known(tables.calibration),
    )
    out = []
    if len(bias):
        out.append(
            "Mean bias of the pulse oximeter (SpO2 minus SaO2, percentage points; positive = "
            "over-reading): "
            + "; ".join(
                f"{row[group]} {_wording.interval(row, estimate='mean_bias', digits=2)}"
                for _, row in bias.iterrows()
            )
            + "."
        )
    ref = occult[occult[group].astype(str) == reference]
    if len(ref):
        others = "; ".join(
            f"{row[group]} {_wording.interval(row, unit='%')}"
            for _, row in occult.iterrows()
            if str(row[group]) != reference
        )
        out.append(
            f"Occult hypoxaemia (SaO2 below {sao2_below:g}% while SpO2 read "
            f"{window_text(spo2_at_least, spo2_at_most)}) was found in "
            f"{_wording.interval(ref.iloc[0], unit='%')} of readings from {reference} patients; for the other "
            f"groups: {others}."
        )
    adjusted = covariates_text(covariates)
    qualifier = f", after adjusting for {adjusted}" if adjusted else ", without adjustment"
    odds_ratios = tables.odds_ratios[~tables.odds_ratios["group"].astype(str).isin(skip)]
    for _, row in odds_ratios.iterrows():
        if bool(row["is_reference"]):
            continue
        out.append(
            narrative.ratio_sentence(
                row,
                group_col="group",
                outcome="occult hypoxaemia on a reading",
                comparator=reference,
                noun="patients",
                kind="odds",
                estimate="estimate",
                qualifier=qualifier,
            )
        )
    for _, row in calibration[calibration["measure"] == "observed/expected"].iterrows():
        if not _excludes_one(row):
            continue
        word = "under-predicted" if float(row["lower_ci"]) > 1 else "over-predicted"
        out.append(
            f"The risk score {word} risk for {row[group]} patients: observed/expected "
            f"{_wording.interval(row, digits=2)} (1 = calibrated)."
        )
    out += _equal_opportunity(known(tables.error_rates), reference=reference, group=group)
    out += _sickle_cell_per_patient(
        tables.sickle_cell_per_patient, year=year, reference=reference, group=group, skip=skip
    )
    summary = (
        f"**{len(oximetry):,} paired oximetry and blood gas readings from "
        f"{oximetry[subject].nunique():,} patients; {len(risk):,} admissions scored by the risk "
        f"model; sickle cell admissions to {year}.** Comparisons are against {reference} patients."
    )
    return "\n".join([summary, "", *(f"- {s}" for s in out)])
