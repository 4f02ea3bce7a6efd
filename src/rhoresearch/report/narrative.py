"""Sentences for a report's key findings, written from result rows.

A report opens with a short summary of key findings in words, each number with its interval. These
functions turn one row of an indicator table (the tidy frames of ``rhoresearch.stats.indicators`` and
``rhoresearch.stats.models``: a group column, ``value``, ``lower_ci``, ``upper_ci``, ``confidence`` and,
for ratios, ``reference``) into such a sentence, so every report words its findings the same way:

- numbers: ``3.7 (95% CI 2.9 to 4.7)`` -- "to", never a hyphen, between the limits (ONS style, and
  unambiguous with negative numbers); thousands separated by commas;
- ratios: always "*x* times as likely as", also below 1 ("0.6 times as likely", never "40% less
  likely": one scale for every group, as WRES relative likelihoods are reported); a ratio that rounds
  to 1 reads "about as likely as"; an interval that includes 1 is said to;
- suppressed values are said to be suppressed, missing ones not available: a sentence is always
  returned, never a number that did not pass disclosure control.

The rows are expected to have been through :func:`rhoresearch.disclosure.suppress`. A cell of a row
is suppressed when :func:`rhoresearch.disclosure.is_suppressed` says so: its flag column
(``value_suppressed`` for ``value``) is true, or it holds ``[c]`` (a row read from a published
table). A missing value without a flag is *not available*. A bare value given to
:func:`format_number` or :func:`format_ci` is suppressed when it is ``[c]`` or when the caller says
so (``suppressed=True``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, TypeAlias

import numpy as np
import pandas as pd

from rhoresearch import disclosure
from rhoresearch.disclosure import SUPPRESSED
from rhoresearch.docstrings import fill_docs
from rhoresearch.exceptions import InputError

__all__ = [
    "format_number",
    "format_ci",
    "interval_digits",
    "confidence_label",
    "ratio_sentence",
    "rate_sentence",
    "percentage_sentence",
]

#: One row of a result table: a Series (``table.iloc[i]``, ``iterrows()``) or a mapping.
Row: TypeAlias = pd.Series | Mapping[str, Any]

_SUPPRESSED_TEXT = f"suppressed to protect confidentiality ({SUPPRESSED})"
#: How a sentence says that a rate or percentage is not shown, by the state of its cell.
_NOT_SHOWN = {"suppressed": _SUPPRESSED_TEXT, "missing": "not available"}
_CELL = "value"

#: The parameters the sentence functions share, described once (``{name}`` fields in their docstrings).
_PARAMS = {
    "group_col": """
        group_col : str
            The column naming the group (e.g. ``"ethnic_group"``).
    """,
    "noun": """
        noun : str, default "people"
            Who the groups are: ``"women"``, ``"staff"``, ``"babies"``, ``"respondents"`` (``""``
            for none).
    """,
    "columns": """
        estimate, lower, upper : str
            Column names of the estimate and its limits.
    """,
    "confidence": """
        confidence : float, optional
            Default: the row's ``confidence`` column, else 0.95.
    """,
    "digits": """
        digits : int, default 1
            Decimal places.
    """,
}


def _marked(value: object) -> bool:
    """Whether a bare value is the suppression symbol (a value read from a published table)."""
    return isinstance(value, str) and bool(
        disclosure.is_suppressed(pd.Series({_CELL: value}, dtype=object), _CELL)
    )


def _state(value: object, *, suppressed: bool = False) -> tuple[str, float]:
    """Classify a cell: ("number", x), ("suppressed", nan) or ("missing", nan)."""
    if suppressed or _marked(value):
        return "suppressed", math.nan
    if isinstance(value, str):
        s = value.strip()
        if s == "" or s.startswith("["):
            return "missing", math.nan
        try:
            return "number", float(s.replace(",", ""))
        except ValueError as exc:
            raise InputError(f"expected a number or {SUPPRESSED!r}; got {value!r}") from exc
    if value is None or value is pd.NA:
        return "missing", math.nan
    if isinstance(value, (bool, np.bool_)):
        raise InputError(f"expected a number or {SUPPRESSED!r}; got {value!r}")
    try:
        x = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError) as exc:
        raise InputError(f"expected a number or {SUPPRESSED!r}; got {value!r}") from exc
    if math.isnan(x):
        return "missing", math.nan
    return "number", x


def format_number(value: object, *, digits: int = 1, suppressed: bool = False) -> str:
    """Format one number for a report: fixed decimals, thousands separated by commas.

    Parameters
    ----------
    value : float, int, str
        The number; ``"[c]"`` (suppressed) gives ``"[c]"``, NaN/None gives ``"[x]"`` (not
        available, GSS symbol).
    digits : int, default 1
        Decimal places.
    suppressed : bool, default False
        The value is suppressed (its flag column is true; the value itself is then a missing
        value): gives ``"[c]"``.

    Returns
    -------
    str
        E.g. ``format_number(12345.678)`` is ``"12,345.7"``; ``-0.04`` with one digit is ``"0.0"``
        (no negative zero).
    """
    state, x = _state(value, suppressed=suppressed)
    if state == "suppressed":
        return SUPPRESSED
    if state == "missing":
        return "[x]"
    text = f"{x:,.{digits}f}"
    if text.startswith("-") and float(text.replace(",", "")) == 0:
        text = text[1:]
    return text


def interval_digits(lower: object, upper: object, *, digits: int = 1) -> int:
    """Decimal places for an interval whose limits must not read as 1 when they are not.

    A ratio's lower limit of 1.01 printed with one decimal reads "1.0", as if the interval touched
    1; the reader cannot tell whether it excludes 1. One more decimal place is used (up to two
    more) while a limit that is not 1 rounds to 1 at ``digits`` places.

    Parameters
    ----------
    lower, upper : float or str
        The limits (numbers, ``"[c]"`` or NaN; only numbers count).
    digits : int, default 1
        The decimal places wanted.

    Returns
    -------
    int
        ``digits``, or more when a limit would print as 1 without being 1: ``interval_digits(1.01,
        2.1)`` is 2, ``interval_digits(1.0, 2.1)`` and ``interval_digits(1.2, 2.1)`` are 1.

    References
    ----------
    Office for National Statistics. *Uncertainty and how we measure it* (intervals reported so
    that whether they include the null value is visible).
    """
    limits = [x for state, x in (_state(lower), _state(upper)) if state == "number"]
    out = digits
    while out < digits + 2 and any(x != 1 and round(x, out) == 1 for x in limits):
        out += 1
    return out


def confidence_label(confidence: float = 0.95) -> str:
    """``0.95`` -> ``"95% CI"``, ``0.998`` -> ``"99.8% CI"``.

    Raises
    ------
    InputError
        ``confidence`` is not a fraction strictly between 0 and 1.
    """
    state, c = _state(confidence)
    if state != "number" or not 0 < c < 1:
        raise InputError(
            f"confidence must be a fraction between 0 and 1 (e.g. 0.95); got {confidence!r}"
        )
    return f"{round(c * 100, 6):g}% CI"


def format_ci(
    value: object,
    lower: object,
    upper: object,
    *,
    digits: int = 1,
    confidence: float = 0.95,
    unit: str = "",
    suppressed: bool = False,
) -> str:
    """A value with its confidence interval: ``"3.7 (95% CI 2.9 to 4.7)"``.

    Parameters
    ----------
    value, lower, upper : float or str
        The estimate and its limits (numbers, ``"[c]"`` or NaN).
    digits : int, default 1
        Decimal places for all three; more when a limit would read as 1 without being 1
        (:func:`interval_digits`; not for percentages).
    confidence : float, default 0.95
        The interval's confidence level, as a fraction.
    unit : str, default ""
        A unit starting with ``%`` is appended to all three numbers (``"42.1% (95% CI 38.0% to
        46.3%)"``); any other unit follows the value only (``"34.3 per 100,000 maternities (95% CI
        24.0 to 47.5)"``).
    suppressed : bool, default False
        The value is suppressed (its flag column is true): the caller has the row and knows
        (``suppressed=disclosure.is_suppressed(row, "value")``).

    Returns
    -------
    str
        ``"[c] (suppressed)"`` when the value is suppressed, ``"not available"`` when it is
        missing, the value alone when either limit is missing, else value and interval.
    """
    vs, _ = _state(value, suppressed=suppressed)
    if vs == "suppressed":
        return f"{SUPPRESSED} (suppressed)"
    if vs == "missing":
        return "not available"
    label = confidence_label(confidence)
    suffix = unit if unit.startswith("%") else ""
    digits = interval_digits(lower, upper, digits=digits) if not suffix else digits

    def lim(x: object) -> str:
        return format_number(x, digits=digits) + suffix

    head = lim(value) + (f" {unit}" if unit and not suffix else "")
    ls, _ = _state(lower)
    us, _ = _state(upper)
    if ls != "number" or us != "number":
        return head
    return f"{head} ({label} {lim(lower)} to {lim(upper)})"


def _get(row: Row, key: str, what: str) -> Any:
    if isinstance(row, pd.Series):
        if key not in row.index:
            raise InputError(f"row has no {what} column {key!r}; it has {list(row.index)}")
        return row[key]
    if isinstance(row, Mapping):
        if key not in row:
            raise InputError(f"row has no {what} column {key!r}; it has {list(row)}")
        return row[key]
    raise InputError(f"row must be a pandas Series or a mapping; got {type(row).__name__}")


def _flagged(row: Row, key: str) -> bool:
    """Whether the cell ``key`` of a row is suppressed (:func:`rhoresearch.disclosure.is_suppressed`)."""
    series = row if isinstance(row, pd.Series) else pd.Series(dict(row), dtype=object)
    return bool(disclosure.is_suppressed(series, key))


def _cell(row: Row, key: str, what: str) -> tuple[str, float]:
    """The state and number of one cell of a row, its flag column read."""
    value = _get(row, key, what)
    return _state(value, suppressed=_flagged(row, key))


def _confidence(row: Row, confidence: float | None) -> float:
    if confidence is not None:
        return confidence
    if isinstance(row, (pd.Series, Mapping)) and "confidence" in row:
        state, c = _state(row["confidence"])
        if state == "number":
            return c
    return 0.95


def _estimate(
    row: Row,
    columns: tuple[str, str, str],
    confidence: float | None,
    digits: int,
    unit: str,
    scale: float = 1.0,
) -> tuple[str, str]:
    """The state of a row's estimate and, for a number, the estimate and interval as text.

    ``columns`` are those of the estimate and its limits. The state is that of :func:`_state`
    (``"number"``, ``"suppressed"`` or ``"missing"``); the text (:func:`format_ci`) is empty
    unless a number; the numbers are multiplied by ``scale`` first.
    """
    estimate, lower, upper = columns
    state, v = _cell(row, estimate, "estimate")
    if state != "number":
        return state, ""
    text = format_ci(
        v * scale,
        _cell(row, lower, "lower limit")[1] * scale,
        _cell(row, upper, "upper limit")[1] * scale,
        digits=digits,
        confidence=_confidence(row, confidence),
        unit=unit,
    )
    return state, text


def _who(group: object, noun: str) -> str:
    group = str(group).strip()
    return f"{group} {noun}".strip() if noun else group


def _to(outcome: str) -> str:
    outcome = outcome.strip()
    return outcome if outcome.startswith("to ") else f"to {outcome}"


@fill_docs(**_PARAMS)
def ratio_sentence(
    row: Row,
    *,
    group_col: str,
    outcome: str,
    comparator: str | None = None,
    noun: str = "people",
    kind: str = "likely",
    estimate: str = "value",
    lower: str = "lower_ci",
    upper: str = "upper_ci",
    confidence: float | None = None,
    digits: int = 1,
    qualifier: str = "",
) -> str:
    """One sentence for a ratio between a group and the reference group.

    Parameters
    ----------
    row : pandas.Series or mapping
        One row of a ratio table (``rate_ratio``, ``proportion_ratio``, model output).
    {group_col}
    outcome : str
        What the ratio is about, as a verb phrase: ``"die"``, ``"be detained under the Mental
        Health Act"`` (``"to "`` is added unless already there). For ``kind="odds"`` a gerund:
        ``"reporting discrimination"``.
    comparator : str, optional
        The reference group's label; default the row's ``reference`` column.
    {noun}
    kind : {"likely", "odds"}, default "likely"
        ``"likely"`` for risk and rate ratios and relative likelihoods; ``"odds"`` for odds ratios.
    {columns}
    {confidence}
    {digits}
    qualifier : str, default ""
        Appended after the outcome, before the interval: ``", after adjusting for age and
        deprivation"``.

    Returns
    -------
    str
        E.g. ``"Black women were 3.7 times as likely as White women to die (95% CI 2.9 to 4.7)."``;
        below 1: ``"... were 0.6 times as likely as ..."``; a ratio that rounds to 1:
        ``"... were about as likely as White women to die (ratio 1.0, 95% CI 0.9 to 1.1)."``. When
        the interval includes 1 the parenthesis adds ``"; the interval includes 1"``. Odds:
        ``"Black people had 2.1 times the odds of White people of reporting discrimination (95% CI
        1.6 to 2.8)."``. Suppressed: ``"The ratio for Mixed women compared with White women is
        suppressed to protect confidentiality ([c])."``; missing: ``"... could not be
        calculated."``; the reference group's own row (``is_reference`` true, or the group equal to
        the comparator): ``"White women are the reference group."``

    Raises
    ------
    InputError
        A named column is missing, a value is not a number or ``[c]``, or ``kind`` is unknown.

    Notes
    -----
    One style for every ratio, above or below 1 ("0.6 times as likely"), so groups read on the same
    scale and no percentage-difference arithmetic is left to the reader (the WRES reports relative
    likelihoods this way).

    References
    ----------
    NHS England. *Workforce Race Equality Standard* technical guidance (relative likelihood).

    Office for National Statistics. *Style guide: race and ethnicity*; *Uncertainty and how we
    measure it* (confidence intervals written "x to y").
    """
    if kind not in ("likely", "odds"):
        raise InputError(f"kind must be 'likely' or 'odds'; got {kind!r}")
    group = _get(row, group_col, "group")
    if comparator is None:
        comparator = _get(row, "reference", "reference (or pass comparator=)")
    subject, other = _who(group, noun), _who(comparator, noun)
    is_reference = str(group).strip() == str(comparator).strip()
    if not is_reference and "is_reference" in row:
        flag = row["is_reference"]
        is_reference = bool(flag) if isinstance(flag, (bool, np.bool_)) else False
    if is_reference:
        return f"{subject[0].upper()}{subject[1:]} are the reference group."
    vs, v = _cell(row, estimate, "estimate")
    what = "odds ratio" if kind == "odds" else "ratio"
    if vs == "suppressed":
        return f"The {what} for {subject} compared with {other} is {_SUPPRESSED_TEXT}."
    if vs == "missing":
        return f"The {what} for {subject} compared with {other} could not be calculated."
    conf = _confidence(row, confidence)
    ls, lo = _cell(row, lower, "lower limit")
    us, hi = _cell(row, upper, "upper limit")
    interval = ""
    if ls == "number" and us == "number":
        digits = interval_digits(lo, hi, digits=digits)
        interval = (
            f"{confidence_label(conf)} {format_number(lo, digits=digits)} to "
            f"{format_number(hi, digits=digits)}"
        )
        if lo <= 1 <= hi:
            interval += "; the interval includes 1"
    value_text = format_number(v, digits=digits)
    about = float(value_text.replace(",", "")) == 1
    if kind == "odds":
        gerund = outcome.strip()
        if about:
            body = f"{subject} had about the same odds as {other} of {gerund}{qualifier}"
            paren = f"odds ratio {value_text}" + (f", {interval}" if interval else "")
        else:
            body = f"{subject} had {value_text} times the odds of {other} of {gerund}{qualifier}"
            paren = interval
    else:
        if about:
            body = f"{subject} were about as likely as {other} {_to(outcome)}{qualifier}"
            paren = f"ratio {value_text}" + (f", {interval}" if interval else "")
        else:
            body = (
                f"{subject} were {value_text} times as likely as {other} {_to(outcome)}{qualifier}"
            )
            paren = interval
    return f"{body[0].upper()}{body[1:]}" + (f" ({paren})." if paren else ".")


@fill_docs(**_PARAMS)
def rate_sentence(
    row: Row,
    *,
    group_col: str,
    measure: str,
    unit: str,
    noun: str = "people",
    estimate: str = "value",
    lower: str = "lower_ci",
    upper: str = "upper_ci",
    confidence: float | None = None,
    digits: int = 1,
) -> str:
    """One sentence for a rate (crude or standardised) in a group.

    Parameters
    ----------
    row : pandas.Series or mapping
        One row of a rate table (``rate``, ``dsr``).
    {group_col}
    measure : str
        The rate's name: ``"maternal mortality rate"``, ``"age-standardised detention rate"``.
    unit : str
        ``"per 100,000 maternities"``, ``"per 100,000 population"``.
    {noun}
    {columns}
    {confidence}
    {digits}

    Returns
    -------
    str
        E.g. ``"The maternal mortality rate for Black women was 34.3 per 100,000 maternities (95%
        CI 24.0 to 47.5)."``; suppressed: ``"The maternal mortality rate for Mixed women is
        suppressed to protect confidentiality ([c])."``; missing: ``"... is not available."``

    References
    ----------
    Office for Health Improvement and Disparities. *Public health indicator methods* (rates and
    their confidence intervals).
    """
    subject = _who(_get(row, group_col, "group"), noun)
    state, text = _estimate(row, (estimate, lower, upper), confidence, digits, unit)
    head = f"The {measure.strip()} for {subject}"
    if state != "number":
        return f"{head} is {_NOT_SHOWN[state]}."
    return f"{head[0].upper()}{head[1:]} was {text}."


@fill_docs(**_PARAMS)
def percentage_sentence(
    row: Row,
    *,
    group_col: str,
    outcome: str,
    noun: str = "people",
    scale: float = 100.0,
    estimate: str = "value",
    lower: str = "lower_ci",
    upper: str = "upper_ci",
    confidence: float | None = None,
    digits: int = 1,
) -> str:
    """One sentence for a percentage (a proportion) in a group.

    Parameters
    ----------
    row : pandas.Series or mapping
        One row of a proportion table.
    {group_col}
    outcome : str
        What the percentage is of, as a past-tense verb phrase: ``"reported discrimination at
        work"``.
    {noun}
    scale : float, default 100
        Multiplier from the stored value to a percentage (100 for a fraction, 1 if the value is
        already a percentage).
    {columns}
    {confidence}
    {digits}

    Returns
    -------
    str
        E.g. ``"42.1% of Black staff reported discrimination at work (95% CI 38.0% to 46.3%)."``;
        suppressed: ``"The percentage of Mixed staff who reported discrimination at work is
        suppressed to protect confidentiality ([c])."``

    References
    ----------
    Wilson EB (1927). Probable inference, the law of succession, and statistical inference.
    *Journal of the American Statistical Association* 22:209-212 (the score interval used for
    proportions).
    """
    subject = _who(_get(row, group_col, "group"), noun)
    state, text = _estimate(row, (estimate, lower, upper), confidence, digits, "%", scale)
    if state != "number":
        return f"The percentage of {subject} who {outcome.strip()} is {_NOT_SHOWN[state]}."
    number, _, rest = text.partition(" ")
    return f"{number} of {subject} {outcome.strip()}" + (f" {rest}." if rest else ".")
