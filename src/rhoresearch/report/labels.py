"""Column labels for readers: one registry of the snake_case columns the reports show.

Result tables keep their tidy snake_case columns (``lower_ci``, ``rate_type``); what a reader sees
on the page is the label registered here: a human header, its unit, and the kind of statistic,
which sets the precision (:func:`format_value`). :func:`rhoresearch.report.runtime.show_table`
uses it for every table; a column missing from the registry is shown with a plain-English form of
its name and logged, and a test keeps every column of every report's results in the registry.

Symbols in cells follow the Government Statistical Service guidance: :data:`SYMBOLS` explains each
one, and :func:`symbol_note` writes the note under a table that uses any of them.

References
----------
Government Statistical Service (2021). *Releasing statistics in spreadsheets* and *Symbols in
tables, definitions and help*. https://analysisfunction.civilservice.gov.uk/policy-store/
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from rhoresearch import disclosure

__all__ = [
    "Label",
    "LABELS",
    "SYMBOLS",
    "PRECISION",
    "label",
    "header",
    "format_value",
    "symbol_note",
]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Label:
    """How one column is shown.

    Attributes
    ----------
    text : str
        The header, in sentence case.
    unit : str or None
        Shown in brackets after the header (``"per 100,000"``, ``"%"``).
    kind : str
        One of :data:`PRECISION`'s keys (``"count"``, ``"rate"``, ...) or ``"text"``/``"code"``
        (shown as they are, no thousands separator: years, codes).
    """

    text: str
    unit: str | None = None
    kind: str = "text"


#: Decimal places per kind of statistic (counts whole, rates and percentages one place, ratios
#: and standardised differences two, p-values three).
PRECISION: dict[str, int] = {
    "count": 0,
    "rate": 1,
    "percent": 1,
    "ratio": 2,
    "decimal": 2,
    "kappa": 2,
    "p_value": 3,
}

_L = Label
#: Every column a report shows, with its header, unit and kind.
LABELS: dict[str, Label] = {
    "agreement": _L("Agreement", "%", "percent"),
    "applies_to": _L("Applies to"),
    "arms": _L("Accuracy root mean square", "percentage points", "decimal"),
    "body": _L("Body"),
    "change": _L("Change", None, "decimal"),
    "comparison": _L("Comparison"),
    "confidence": _L("Confidence level", None, "decimal"),
    "count": _L("Count", None, "count"),
    "dataset": _L("Dataset"),
    "denominator": _L("Denominator", None, "count"),
    "design_effect": _L("Design effect", None, "decimal"),
    "difference": _L("Difference", None, "decimal"),
    "difference_lower_ci": _L("Difference: lower limit", None, "decimal"),
    "difference_upper_ci": _L("Difference: upper limit", None, "decimal"),
    "effective_n": _L("Effective sample size", None, "count"),
    "estimate": _L("Estimate", None, "ratio"),
    "ethnic_group": _L("Ethnic group"),
    "expected": _L("Expected", None, "decimal"),
    "expected_agreement": _L("Agreement expected by chance", "%", "percent"),
    "expected_events": _L("Expected events", None, "decimal"),
    "financial_year": _L("Financial year", None, "code"),
    "fit": _L("Fit"),
    "flag": _L("Flag"),
    "gap": _L("Gap", "percentage points", "decimal"),
    "group": _L("Group"),
    "group_a": _L("Group in first source"),
    "group_b": _L("Group in second source"),
    "indicator": _L("Indicator"),
    "is_reference": _L("Reference group"),
    "kappa": _L("Cohen's kappa", None, "kappa"),
    "kappa_lower_ci": _L("Kappa: lower limit", None, "kappa"),
    "kappa_upper_ci": _L("Kappa: upper limit", None, "kappa"),
    "label": _L("Indicator"),
    "loa_lower": _L("Lower limit of agreement", "percentage points", "decimal"),
    "loa_upper": _L("Upper limit of agreement", "percentage points", "decimal"),
    "lower_ci": _L("Lower limit", None, "decimal"),
    "mean_bias": _L("Mean bias", "percentage points", "decimal"),
    "measure": _L("Measure"),
    "method": _L("Method"),
    "n": _L("Number", None, "count"),
    "n_events": _L("Events", None, "count"),
    "n_excluded": _L("Excluded", None, "count"),
    "n_excluded_group": _L("Excluded from the group", None, "count"),
    "n_non_events": _L("Non-events", None, "count"),
    "n_not_positive": _L("Other answers", None, "count"),
    "n_not_stated": _L("Ethnicity not stated", None, "count"),
    "n_pairs": _L("Paired readings", None, "count"),
    "n_patients": _L("Patients", None, "count"),
    "n_positive": _L("Positive answers", None, "count"),
    "n_respondents": _L("Respondents", None, "count"),
    "n_scored": _L("People scored", None, "count"),
    "n_used": _L("Used", None, "count"),
    "n_white": _L("White", None, "count"),
    "note": _L("Note"),
    "numerator": _L("Numerator", None, "count"),
    "observed": _L("Observed", None, "count"),
    "org_code": _L("Organisation code", None, "code"),
    "org_name": _L("Organisation"),
    "outcome": _L("Outcome"),
    "p_value": _L("p-value", None, "p_value"),
    "participant_share": _L("Share of participants", "%", "percent"),
    "participants": _L("Participants", None, "count"),
    "pay_band": _L("Pay band"),
    "percent": _L("Percentage", "%", "percent"),
    "percentage": _L("Percentage", "%", "percent"),
    "period": _L("Period", None, "code"),
    "population": _L("Population", None, "count"),
    "population_share": _L("Share of the population", "%", "percent"),
    "previous_value": _L("Previous value", None, "decimal"),
    "provider_code": _L("Provider code", None, "code"),
    "provider_name": _L("Provider"),
    "provider_type": _L("Provider type"),
    "published_group": _L("Group in the publication"),
    "published_period": _L("Published period", None, "code"),
    "published_rate": _L("Published rate", None, "rate"),
    "published_year": _L("Published year", None, "code"),
    "question": _L("Question code", None, "code"),
    "question_text": _L("Question"),
    "rate": _L("Rate", None, "rate"),
    "rate_type": _L("Type of rate"),
    "reason": _L("Reason"),
    "recorded_in_b": _L("Recorded in second source as"),
    "reference": _L("Reference group"),
    "reference_count": _L("Reference group count", None, "count"),
    "reference_denominator": _L("Reference group denominator", None, "count"),
    "reference_group": _L("Reference group"),
    "reference_numerator": _L("Reference group numerator", None, "count"),
    "reference_population": _L("Reference group population", None, "count"),
    "reference_rate": _L("Reference group rate", None, "rate"),
    "region": _L("Region"),
    "relative_likelihood": _L("Relative likelihood", None, "ratio"),
    "representation": _L("Representation"),
    "rows": _L("Rows", None, "count"),
    "sd_between": _L("Standard deviation between patients", "percentage points", "decimal"),
    "sd_difference": _L("Standard deviation of differences", "percentage points", "decimal"),
    "sd_within": _L("Standard deviation within patients", "percentage points", "decimal"),
    "sector": _L("Sector"),
    "significance": _L("Significance"),
    "source": _L("Source"),
    "source_note": _L("Source note"),
    "staff_group": _L("Staff group"),
    "standard_error": _L("Standard error", None, "decimal"),
    "statistic": _L("Statistic"),
    "status": _L("Status"),
    "status_label": _L("Recording status"),
    "step": _L("Step"),
    "study_id": _L("Study code", None, "code"),
    "study_title": _L("Study"),
    "threshold": _L("Threshold", None, "decimal"),
    "unit": _L("Unit"),
    "upper_ci": _L("Upper limit", None, "decimal"),
    "value": _L("Value", None, "decimal"),
    "weight_max": _L("Largest weight", None, "decimal"),
    "weight_median": _L("Median weight", None, "decimal"),
    "weight_min": _L("Smallest weight", None, "decimal"),
    "weighted_n": _L("Weighted number", None, "decimal"),
    "year": _L("Year", None, "code"),
    "years": _L("Years", None, "code"),
}

#: What each symbol in a cell means (GSS symbols in tables).
SYMBOLS: dict[str, str] = {
    disclosure.SUPPRESSED: "confidential: suppressed to protect people's privacy "
    "(a small count, or a value from which one could be worked out)",
    "[x]": "not available",
    "[z]": "not applicable",
    "[u]": "low reliability",
    "[low]": "a value that rounds to zero but is not zero",
    "[e]": "estimated",
    "[r]": "revised",
    "[p]": "provisional",
    "[w]": "no or few cases",
}


def _plain(column: str) -> str:
    text = str(column).replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def label(column: Any) -> Label:
    """The :class:`Label` of ``column``; an unregistered column gets a plain-English one (logged).

    Parameters
    ----------
    column : str
        A column name as the result tables hold it.

    Returns
    -------
    Label
        From :data:`LABELS`, else ``Label(<name with spaces, first letter capital>, kind="auto")``
        (numbers with thousands separators, two decimal places unless whole).
    """
    found = LABELS.get(str(column))
    if found is None:
        logger.info("column %r has no label in rhoresearch.report.labels", column)
        return Label(_plain(str(column)), None, "auto")
    return found


def header(column: Any) -> str:
    """The header shown for ``column``: its label's text, then its unit in brackets.

    Parameters
    ----------
    column : str
        A column name.

    Returns
    -------
    str
        For example ``header("agreement") == "Agreement (%)"``.
    """
    found = label(column)
    return f"{found.text} ({found.unit})" if found.unit else found.text


def format_value(value: Any, *, kind: str = "text", float_format: str | None = None) -> str:
    """One cell as shown: symbols and text as they are, numbers with their kind's precision.

    Parameters
    ----------
    value : object
        The cell (after :func:`rhoresearch.disclosure.render`).
    kind : str
        The column's kind (:attr:`Label.kind`).
    float_format : str, optional
        A ``str.format`` pattern for non-whole numbers that overrides the kind's precision (a
        notebook's explicit choice); counts stay whole.

    Returns
    -------
    str
        ``""`` for a missing value; whole numbers of a count or unknown kind with thousands
        separators (``45,783,405``); codes and years unchanged (``2023``); p-values below 0.001
        as ``"<0.001"``; other numbers rounded to :data:`PRECISION` places with separators.
    """
    if value is None or isinstance(value, str):
        return value or ""
    if value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    if math.isnan(number):
        return ""
    if kind in ("code", "text"):
        return str(value) if not float(number).is_integer() else f"{int(number)}"
    if math.isinf(number):
        return "infinite" if number > 0 else "minus infinite"
    if kind == "p_value" and 0 <= number < 0.001:
        return "<0.001"
    if kind == "count" or (kind not in PRECISION and number.is_integer()):
        return f"{number:,.0f}"
    if float_format is not None:
        return float_format.format(number)
    places = PRECISION.get(kind, 2)
    return f"{number:,.{places}f}"


def symbol_note(values: Iterable[Any]) -> str:
    """The note explaining the symbols used among ``values`` (empty when there are none).

    Parameters
    ----------
    values : iterable
        The cells of a shown table.

    Returns
    -------
    str
        For example ``"[c] = confidential: suppressed ..."``, one sentence per symbol in the
        order of :data:`SYMBOLS`.
    """
    used = {v for v in values if isinstance(v, str) and v in SYMBOLS}
    return " ".join(f"{s} = {SYMBOLS[s]}." for s in SYMBOLS if s in used)
