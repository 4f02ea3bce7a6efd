"""The technology report's assumptions log, worded from its parameters.

References
----------
Sjoding MW, Dickson RP, Iwashyna TJ, Gay SE, Valley TS. Racial bias in pulse oximetry measurement.
N Engl J Med 2020;383:2477-8.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from rhoresearch.workstreams._assumptions import and_list, assumptions_log, chance_caveat

__all__ = ["assumptions", "caveats"]

_SJODING = (88.0, 92.0, 96.0)  # SaO2 below, SpO2 from, SpO2 to (Sjoding et al. 2020)


def assumptions(
    *,
    sao2_below: float = 88.0,
    spo2_at_least: float = 92.0,
    spo2_at_most: float = 100.0,
    covariates: Sequence[str] = (),
    risk_threshold: float = 0.2,
    reference_group: str = "White",
) -> pd.DataFrame:
    """The assumptions behind the technology report, each with why and its likely effect.

    Parameters
    ----------
    sao2_below, spo2_at_least, spo2_at_most : float
        The occult hypoxaemia definition: SaO2 below ``sao2_below`` while SpO2 is from
        ``spo2_at_least`` to ``spo2_at_most``.
    covariates : sequence of str
        The adjustment variables of the occult hypoxaemia odds ratios.
    risk_threshold : float
        The predicted risk at or above which the score flags a patient.
    reference_group : str
        The group every ratio compares with.

    Returns
    -------
    pandas.DataFrame
        ``assumption``, ``why``, ``likely_effect`` (one row per assumption), for
        :func:`rhoresearch.report.findings.things_to_know`.

    References
    ----------
    Sjoding et al. (2020), the occult hypoxaemia definition.
    """
    sjoding = (sao2_below, spo2_at_least, spo2_at_most) == _SJODING
    return assumptions_log(
        [
            (
                f"Occult hypoxaemia: arterial SaO2 below {sao2_below:g}% while the oximeter "
                f"reads SpO2 from {spo2_at_least:g}% to {spo2_at_most:g}%.",
                "The definition of Sjoding et al. (2020)."
                if sjoding
                else "Set by the report's parameters (Sjoding et al. 2020 used SaO2 below 88% "
                "with SpO2 92% to 96%).",
                "Rates comparable with Sjoding et al. (2020)."
                if sjoding
                else "Rates not directly comparable with Sjoding et al. (2020); a wider SpO2 "
                "range raises every group's rate.",
            ),
            (
                "The arterial blood gas SaO2 is taken as the true saturation of each paired "
                "reading.",
                "It is the reference standard for oxygen saturation.",
                "Readings taken apart in time widen the limits of agreement; they bias the "
                "comparison between groups only if the timing differs between groups.",
            ),
            (
                f"Occult hypoxaemia odds ratios compare each group with the {reference_group} "
                "group"
                + (f", adjusted for {and_list(covariates)}" if covariates else ", unadjusted")
                + ", with standard errors allowing for repeated readings of a patient.",
                "Patients contribute several readings, and groups differ in case mix.",
                "Other differences in case mix remain in the odds ratios.",
            ),
            (
                f"The risk score flags a patient at a predicted risk of {risk_threshold:g} or "
                "more.",
                "Set by the report's risk_threshold parameter.",
                "True and false positive rates change with the threshold; calibration and the "
                "AUC do not.",
            ),
            (
                "Sickle cell admissions per head of population mostly measure how common the "
                "condition is in each group; admissions per person living with it measure use "
                "of care.",
                "Sickle cell disease is concentrated in Black and mixed White and Black groups.",
                "Population ratios are not evidence of a difference in care; they are not used "
                "as main findings.",
            ),
        ]
    )


def caveats(*, confidence: float = 0.95) -> list[str]:
    """The technology report's caveats, one sentence each.

    Parameters
    ----------
    confidence : float
        The intervals' level.

    Returns
    -------
    list of str
        For :func:`rhoresearch.report.findings.things_to_know`'s ``caveats``.

    References
    ----------
    Sjoding et al. (2020) paired readings taken within 10 minutes.
    """
    return [
        "Ethnic group stands in for skin pigmentation, which is what affects light-based "
        "oximeters; groups contain a wide range of skin tones, and measured pigmentation (e.g. "
        "Monk skin tone) would be better.",
        "Readings were paired when a blood gas was taken: these patients are sicker than most, "
        "and the timing between the two readings matters (Sjoding et al. used readings within "
        "10 minutes).",
        "The occult hypoxaemia percentages treat readings as independent, so patients with many "
        "readings weigh more; the odds ratios allow for repeated readings.",
        "Miscalibration by group can come from differences in the outcome's recording, in the "
        "population the model was developed in, or in care received; the audit shows the gap, "
        "not its cause.",
        chance_caveat(confidence, what="Many groups and measures")[:-1]
        + "; look for consistent patterns across measures and years before drawing conclusions "
        "about a single group.",
    ]
