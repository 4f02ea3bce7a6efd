"""Main findings and "things you need to know": the two sections a reader meets first.

A report's comparisons (rate ratios, odds ratios, relative likelihoods) are many; the page leads
with at most five of them, chosen by one documented rule (:func:`select_main_findings`) from a tidy
table of candidates (:func:`ratio_candidates` makes one from a comparison table). The full list
stays further down the page. :func:`things_to_know` builds the section that follows, from numbers:
what the data cover, the rows left out and why, the disclosure control applied, caveats and the
analysis's assumptions log.

The candidate table (the input of :func:`select_main_findings`) has one row per comparison:

========================  ==================================================================
column                    meaning
========================  ==================================================================
``finding``               the sentence shown to the reader (built from the numbers)
``measure``               what is compared (an outcome, a question, an indicator)
``group``                 the group compared with the reference
``reference``             the reference group
``comparison``            ``"adjusted"`` or ``"crude"``
``estimate``              the ratio (1 = no difference)
``lower_ci``, ``upper_ci``  its confidence interval
``suppressed``            whether any of its numbers is suppressed (never chosen)
========================  ==================================================================

This follows the presentation of the UK government's Ethnicity facts and figures pages ("main
facts", then "things you need to know").

References
----------
Cabinet Office Race Disparity Unit. *Ethnicity facts and figures: style guide and methodology*.
https://www.ethnicity-facts-figures.service.gov.uk/

Government Statistical Service (2021). *Communicating quality, uncertainty and change*.
https://analysisfunction.civilservice.gov.uk/policy-store/communicating-quality-uncertainty-and-change/
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from rhoresearch import disclosure, validation
from rhoresearch.exceptions import InputError

__all__ = [
    "CANDIDATE_COLUMNS",
    "MAX_MAIN_FINDINGS",
    "ASSUMPTION_COLUMNS",
    "SELECTION_RULE",
    "ratio_candidates",
    "select_main_findings",
    "things_to_know",
]

#: Columns of a candidate-findings table.
CANDIDATE_COLUMNS = (
    "finding",
    "measure",
    "group",
    "reference",
    "comparison",
    "estimate",
    "lower_ci",
    "upper_ci",
    "suppressed",
)
#: Columns of an assumptions log.
ASSUMPTION_COLUMNS = ("assumption", "why", "likely_effect")
#: The most main findings a page shows.
MAX_MAIN_FINDINGS = 5
#: The selection rule in words (shown under the main findings).
SELECTION_RULE = (
    "Chosen by a fixed rule: comparisons whose {confidence} confidence interval excludes 1 (no "
    "difference), the adjusted comparison where there is one, never a suppressed value; the "
    "largest differences first (on the ratio's log scale), at most {n}. Every comparison is "
    "listed further down."
)
_COMPARISON_ORDER = {"adjusted": 0, "crude": 1}
# coverage labels whose numbers are years or periods, written as they are (2024, not 2,024)
_TIME_WORDS = re.compile(r"year|period|date", re.I)


def _number(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("nan")


def ratio_candidates(
    table: pd.DataFrame,
    *,
    measure: str,
    group: str = "ethnic_group",
    reference: str = "reference",
    comparison: str | None = "comparison",
    estimate: str = "value",
    lower: str = "lower_ci",
    upper: str = "upper_ci",
    ratio_name: str = "rate ratio",
    confidence: float = 0.95,
    context: str = "",
) -> pd.DataFrame:
    """Candidate findings from a table of ratios against a reference group.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per comparison (e.g. ``rate_ratios_crude_adjusted``), after disclosure control:
        suppressed cells are missing with a flag column, or ``[c]``. Not modified.
    measure, group, reference, comparison : str
        Columns naming what is compared, the group, its reference group and the kind of
        comparison (``"adjusted"``/``"crude"``; ``None``: every row counts as ``"crude"`` and
        the sentence names no kind, as for a ratio that has no adjusted form).
    estimate, lower, upper : str
        The ratio and its interval.
    ratio_name : str
        What the ratio is called in the sentence (``"rate ratio"``, ``"odds ratio"``).
    confidence : float
        The intervals' level, as a fraction (written into the sentence).
    context : str
        Appended to every sentence (e.g. ``"England, 2021-23"``).

    Returns
    -------
    pandas.DataFrame
        :data:`CANDIDATE_COLUMNS`, one row per row of ``table`` where the group is not its own
        reference. ``finding`` reads, for example, "Maternal death: Black compared with White,
        2.82 times (adjusted rate ratio, 95% CI 1.91 to 4.16)".

    Raises
    ------
    rhoresearch.exceptions.InputError
        A column is missing.
    """
    validation.check_frame(table, func="ratio_candidates", name="table")
    needed = [measure, group, reference, estimate, lower, upper]
    if comparison is not None:
        needed.append(comparison)
    validation.require_columns(table, needed, func="ratio_candidates")
    suppressed = np.zeros(len(table), dtype=bool)
    for column in (estimate, lower, upper):
        suppressed |= np.asarray(disclosure.is_suppressed(table, column), dtype=bool)
    rows = []
    for i, (_, row) in enumerate(table.iterrows()):
        if str(row[group]) == str(row[reference]):
            continue
        kind = str(row[comparison]) if comparison is not None else "crude"
        label = f"{kind} " if comparison is not None else ""
        est, lo, hi = (_number(row[c]) for c in (estimate, lower, upper))
        hidden = bool(suppressed[i]) or not np.all(np.isfinite([est, lo, hi]))
        text = (
            f"{row[measure]}: {row[group]} compared with {row[reference]}, "
            + (
                "value suppressed"
                if hidden
                else f"{est:.2f} times ({label}{ratio_name}, {confidence:.0%} CI "
                f"{lo:.2f} to {hi:.2f})"
            )
            + (f"; {context}" if context else "")
        )
        rows.append(
            {
                "finding": text,
                "measure": str(row[measure]),
                "group": str(row[group]),
                "reference": str(row[reference]),
                "comparison": kind,
                "estimate": est,
                "lower_ci": lo,
                "upper_ci": hi,
                "suppressed": hidden,
            }
        )
    return pd.DataFrame(rows, columns=list(CANDIDATE_COLUMNS)).astype(
        {"estimate": float, "lower_ci": float, "upper_ci": float, "suppressed": bool}
    )


def select_main_findings(
    candidates: pd.DataFrame, *, n: int = MAX_MAIN_FINDINGS, null: float = 1.0
) -> pd.DataFrame:
    """Choose the main findings: at most ``n`` clear differences, largest first.

    The rule, in order:

    1. never a suppressed value (``suppressed`` true, or a missing estimate or limit);
    2. only comparisons whose interval excludes ``null`` (both limits above it, or both below);
    3. for each ``(measure, group)`` the adjusted comparison when it passes 1 and 2, else the
       crude one (an adjusted ratio accounts for the confounders the analysis names);
    4. ranked by the size of the difference, ``|log(estimate / null)|``, largest first (a ratio
       of 0.5 is as large a difference as one of 2); ties kept in the input order;
    5. at most ``n`` rows.

    Parameters
    ----------
    candidates : pandas.DataFrame
        A candidate table (:data:`CANDIDATE_COLUMNS`; ``suppressed`` optional). Not modified.
    n : int
        The most findings chosen (default 5, the page's limit; at most 5).
    null : float
        The value meaning "no difference" (1 for ratios).

    Returns
    -------
    pandas.DataFrame
        The chosen rows of ``candidates`` (same columns) in rank order, plus ``rank`` (1 to n);
        empty when nothing passes.

    Raises
    ------
    rhoresearch.exceptions.InputError
        A column is missing, or ``n`` is not between 1 and 5.

    References
    ----------
    Cabinet Office Race Disparity Unit. *Ethnicity facts and figures*: main facts are the few
    largest, statistically clear differences.
    """
    validation.check_frame(candidates, func="select_main_findings", name="candidates")
    validation.require_columns(
        candidates,
        ["finding", "measure", "group", "comparison", "estimate", "lower_ci", "upper_ci"],
        func="select_main_findings",
    )
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= MAX_MAIN_FINDINGS:
        raise InputError(f"select_main_findings: n must be a whole number from 1 to 5, got {n!r}")
    frame = candidates.reset_index(drop=True)
    est = pd.to_numeric(frame["estimate"], errors="coerce")
    lo = pd.to_numeric(frame["lower_ci"], errors="coerce")
    hi = pd.to_numeric(frame["upper_ci"], errors="coerce")
    hidden = est.isna() | lo.isna() | hi.isna() | (est <= 0)
    if "suppressed" in frame:
        hidden |= frame["suppressed"].fillna(True).astype(bool)
    clear = ~hidden & ((lo > null) | (hi < null))
    keep = frame[clear].assign(
        _order=frame.loc[clear, "comparison"].map(_COMPARISON_ORDER).fillna(2),
        _size=np.abs(np.log(est[clear] / null)),
        _pos=np.arange(int(clear.sum())),
    )
    keep = keep.sort_values(["_order", "_pos"], kind="stable").drop_duplicates(
        ["measure", "group"], keep="first"
    )
    keep = keep.sort_values(["_size", "_pos"], ascending=[False, True], kind="stable").head(n)
    out = keep.drop(columns=["_order", "_size", "_pos"]).reset_index(drop=True)
    out["rank"] = np.arange(1, len(out) + 1)
    return out


def _count(value: Any) -> str:
    number = _number(value)
    return f"{number:,.0f}" if np.isfinite(number) else str(value)


def things_to_know(
    *,
    coverage: Mapping[str, Any],
    exclusions: pd.DataFrame | None = None,
    count: str = "rows",
    reason: str | Sequence[str] = "reason",
    applies_to: str | None = None,
    threshold: int | None = None,
    policy: disclosure.Policy | None = None,
    caveats: Sequence[str] = (),
    assumptions: pd.DataFrame | None = None,
) -> dict[str, Any]:
    """The "things you need to know" section, built from numbers.

    Parameters
    ----------
    coverage : mapping
        What the data cover, as label -> value (e.g. ``{"Period": "2021-23", "Geography":
        "England", "Records": 1843210, "Source": "MBRRACE-UK style extract"}``); numbers are
        written with thousands separators, except under a label naming a year, period or
        date (``{"Year": 2024}`` reads 2024).
    exclusions : pandas.DataFrame, optional
        The rows left out and why (one row per reason; after disclosure control): ``reason`` and
        ``count`` columns; a suppressed count is written as suppressed, a reason with a count of
        0 is not written.
    count : str
        The count column of ``exclusions``.
    reason : str or list of str
        The column(s) saying why (several are joined with ": ", e.g. ``["dataset", "reason"]``).
    applies_to : str, optional
        A column of ``exclusions`` naming the analysis each exclusion applies to (e.g. "adjusted
        model"). With it, each reason says what it applies to and no total is given, since a
        row can be left out of different analyses for different reasons and totals would
        count it twice.
    threshold : int, optional
        The suppression threshold applied (counts below it are suppressed).
    policy : rhoresearch.disclosure.Policy, optional
        The run's disclosure policy (``runtime.policy()``): when given, the disclosure paragraph
        is :func:`rhoresearch.disclosure.describe` of it (its threshold, rounding, symbol and
        secondary suppression), instead of the threshold sentence.
    caveats : sequence of str
        Caveats, one sentence each.
    assumptions : pandas.DataFrame, optional
        The assumptions log: :data:`ASSUMPTION_COLUMNS` (``assumption``, ``why``,
        ``likely_effect``), one row per assumption.

    Returns
    -------
    dict
        ``coverage`` (list of (label, text)), ``quality`` (one paragraph; empty without
        ``exclusions``), the same as ``quality_lead`` (its opening words, or the whole of it when
        nothing was left out) and ``quality_items`` (one str per reason, e.g. ``"12 rows (not
        stated; affects every indicator)"``), so that a page can list the reasons, ``disclosure``
        (one sentence), ``caveats`` (list of str) and ``assumptions`` (list of dicts with the
        three columns), what :func:`rhoresearch.report.runtime.show_things_to_know` displays.

    Raises
    ------
    rhoresearch.exceptions.InputError
        A column is missing, or a threshold is not a whole number of at least 1.
    """
    covered = [
        (
            str(k),
            _count(v)
            if isinstance(v, int | float | np.number) and not _TIME_WORDS.search(str(k))
            else str(v),
        )
        for k, v in coverage.items()
    ]
    if exclusions is not None and len(exclusions):
        why = validation.as_columns(reason, name="reason")
        extra = [] if applies_to is None else [applies_to]
        validation.require_columns(exclusions, [count, *why, *extra], func="things_to_know")
        reasons = exclusions[why].astype(str).agg(": ".join, axis=1)
        if applies_to is not None:
            scope = exclusions[applies_to].fillna("").astype(str).str.strip()
            reasons = reasons.where(scope == "", reasons + "; affects " + scope)
        hidden = np.asarray(disclosure.is_suppressed(exclusions, count), dtype=bool)
        quality_items = [
            f"{'a suppressed number of' if h else _count(n)} {'row' if _number(n) == 1 else 'rows'}"
            f" ({r})"
            for n, r, h in zip(exclusions[count], reasons, hidden, strict=True)
            if h or _number(n) != 0  # a reason that left nothing out is not news
        ]
        shown = pd.to_numeric(exclusions[count].where(~hidden), errors="coerce").sum()
        quality_lead = (
            f"{_count(shown)} rows were left out of the analysis:"
            if applies_to is None
            else "Rows left out, and why:"
        )
    else:
        quality_items = []
    if not quality_items:
        quality_lead = "" if exclusions is None else "No rows were left out of the analysis."
    # the paragraph is the lead and the items: one text, also listed by reason on a page
    quality = f"{quality_lead} {'; '.join(quality_items)}." if quality_items else quality_lead
    if policy is not None:
        control = disclosure.describe(policy)
    elif threshold is None:
        control = "The package's default suppression threshold was applied."
    else:
        used = validation.check_threshold(threshold, func="things_to_know")
        control = (
            f"Counts from 1 to {used - 1} are suppressed, with the counts and "
            f"values from which they could be worked out, shown as {disclosure.SUPPRESSED}."
        )
    log: list[dict[str, str]] = []
    if assumptions is not None:
        validation.require_columns(assumptions, list(ASSUMPTION_COLUMNS), func="things_to_know")
        log = [{c: str(row[c]) for c in ASSUMPTION_COLUMNS} for _, row in assumptions.iterrows()]
    return {
        "coverage": covered,
        "quality": quality,
        "quality_lead": quality_lead,
        "quality_items": quality_items,
        "disclosure": control,
        "caveats": [str(c) for c in caveats],
        "assumptions": log,
    }
