"""The technology report's key findings, in words, from its suppressed tables and its parameters."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from rhoresearch import disclosure
from rhoresearch.report import narrative
from rhoresearch.validation import as_columns, check_frame, require_columns
from rhoresearch.workstreams import _wording
from rhoresearch.workstreams.technology.tables import AuditTables

__all__ = ["findings", "window_text", "covariates_text"]


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


def _sickle_cell_sentence(
    ratios: pd.DataFrame, *, year: str, who: str, reference: str, group: str
) -> list[str]:
    rows = ratios[(ratios["financial_year"] == year) & (ratios[group].astype(str) == who)]
    if not len(rows):
        return []
    row = rows.iloc[0]
    head = f"Sickle cell disease admissions, {year}: "
    if disclosure.is_suppressed(row, "value"):
        return [
            head + f"the rate ratio of {who} to {reference} people is "
            f"{narrative.format_number(row['value'], suppressed=True)} (suppressed)."
        ]
    if pd.isna(row["value"]):
        return [head + f"the rate ratio of {who} to {reference} people could not be calculated."]
    sentence = (
        head + f"{who} people were admitted at {narrative.format_number(row['value'], digits=0)} "
        f"times the rate of {reference} people"
    )
    if not (disclosure.is_suppressed(row, "lower_ci") or pd.isna(row["lower_ci"])):
        sentence += (
            f" ({narrative.confidence_label(float(row['confidence']))} "
            f"{narrative.format_number(row['lower_ci'], digits=0)} to "
            f"{narrative.format_number(row['upper_ci'], digits=0)})"
        )
    return [sentence + "."]


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
    sickle_cell_group: str = "Black",
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
        The financial year of the sickle cell findings.
    sickle_cell_group : str, default "Black"
        The group whose sickle cell admission rate ratio is reported.
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
        group and the others; each adjusted odds ratio whose interval excludes 1 (naming the
        covariates); each group whose observed/expected ratio excludes 1; the sickle cell rate
        ratio of ``sickle_cell_group`` in ``year``. Suppressed values are said to be suppressed.

    Raises
    ------
    InputError
        A table or frame lacks a column used.

    References
    ----------
    Sjoding MW, Dickson RP, Iwashyna TJ, Gay SE, Valley TS. Racial bias in pulse oximetry
    measurement. N Engl J Med 2020;383:2477-8.
    """
    func = "findings"
    for name, frame, columns in (
        ("oximetry", oximetry, [subject]),
        ("risk", risk, []),
        ("device_bias", tables.device_bias, [group, "mean_bias", "lower_ci", "upper_ci"]),
        ("occult_hypoxaemia", tables.occult_hypoxaemia, [group, "value", "lower_ci", "upper_ci"]),
        ("odds_ratios", tables.odds_ratios, ["group", "estimate", "lower_ci", "is_reference"]),
        ("calibration", tables.calibration, [group, "measure", "value", "lower_ci", "upper_ci"]),
        ("sickle_cell_rate_ratios", tables.sickle_cell_rate_ratios, ["financial_year", group]),
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
    for _, row in tables.odds_ratios.iterrows():
        if bool(row["is_reference"]) or not _excludes_one(row, "estimate"):
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
    out += _sickle_cell_sentence(
        tables.sickle_cell_rate_ratios,
        year=year,
        who=sickle_cell_group,
        reference=reference,
        group=group,
    )
    summary = (
        f"**{len(oximetry):,} paired oximetry and blood gas readings from "
        f"{oximetry[subject].nunique():,} patients; {len(risk):,} admissions scored by the risk "
        f"model; sickle cell admissions to {year}.** Comparisons are against {reference} patients."
    )
    return "\n".join([summary, "", *(f"- {s}" for s in out)])
