"""Crude and adjusted rate ratios side by side, and the key findings about them (private).

Shared by the maternity (workstream 5) and mental health (workstream 6) workstreams: both compare
ethnic groups by a crude rate ratio (:func:`rhoresearch.stats.rate_ratio`) and by a ratio adjusted
for confounders in a Poisson model (:func:`rhoresearch.stats.poisson_model`), show both in one
table and one forest plot, and say both in words.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import pandas as pd

from rhoresearch import disclosure
from rhoresearch.report import narrative
from rhoresearch.validation import as_columns, check_confidence, require_columns

__all__ = ["DOCS", "Phrase", "compare_crude_adjusted", "key_findings"]

#: Numpydoc text shared by the workstreams' ``findings`` and their outcome definitions (fields of
#: :func:`rhoresearch.docstrings.fill_docs`; ``adjusted_for_default`` is the
#: workstream's own).
DOCS = {
    "findings_options": """region : str, default "England"
    The area, as the notebook names it.
reference : str, default "White"
    The reference group.
confidence : float, default 0.95
    The level of the intervals, as the sentences name it.
adjusted_for : str, default {adjusted_for_default}
    What the adjusted ratios are adjusted for.""",
    "phrase_attributes": """outcome : str
    A verb phrase for the key findings (:func:`rhoresearch.report.narrative.ratio_sentence`).
noun : str
    Who the groups are in the key findings.""",
}


class Phrase(Protocol):
    """How :func:`key_findings` speaks of one outcome or measure (an ``Outcome``, a ``Measure``).

    Attributes
    ----------
    name : str
        The outcome as named in the tables (``"Maternal death"``).
    outcome : str
        A verb phrase for :func:`rhoresearch.report.narrative.ratio_sentence` (``"die in
        pregnancy or within 42 days of its end"``).
    noun : str
        Who the groups are (``"women"``, ``"people"``).
    """

    @property
    def name(self) -> str: ...

    @property
    def outcome(self) -> str: ...

    @property
    def noun(self) -> str: ...


def compare_crude_adjusted(
    crude: pd.DataFrame,
    adjusted: pd.DataFrame,
    *,
    keys: str | Sequence[str],
    group: str = "ethnic_group",
) -> pd.DataFrame:
    """Crude and adjusted rate ratios by group in one long table (forest plots, findings).

    Parameters
    ----------
    crude : DataFrame
        :func:`rhoresearch.stats.rate_ratio` output (``group=group``) with the ``keys`` columns
        added. Not modified.
    adjusted : DataFrame
        :func:`rhoresearch.stats.poisson_model` output with the ``keys`` columns added (only the
        rows of ``term == group`` are used when there is a ``term`` column). Not modified.
    keys : str or sequence of str
        Columns identifying which comparison a row belongs to (present in both), e.g.
        ``"outcome"`` or ``"measure"``.
    group : str, default "ethnic_group"
        The group column of ``crude`` (``group`` in ``adjusted``).

    Returns
    -------
    DataFrame
        ``keys``, ``group`` (ordered categorical, in the order of ``crude``), ``comparison``
        (``crude``/``adjusted``), ``reference``, ``count`` and ``reference_count`` (events in the
        group and in the reference group, both from the crude table, so that the crude and the
        adjusted row pass the same disclosure control; Int64), ``value`` (rate ratio),
        ``lower_ci``, ``upper_ci``, ``p_value``, ``is_reference``, ``fit`` (``rate ratio`` for
        crude rows, the model family, ``poisson`` or ``negative_binomial``, for adjusted ones).
        Sorted by ``keys``, group, then crude before adjusted.

    Raises
    ------
    InputError
        A column is missing.

    Notes
    -----
    Where a crude and an adjusted ratio differ, part of the crude difference goes with differences
    between the groups in the model's covariates (age, deprivation, sex): the two side by side
    show how much. That is a statistical adjustment, not an explanation of cause: deprivation
    may itself lie on the path from ethnicity (and racism) to the outcome, and a report should
    say "after adjusting for", never "explained by".

    References
    ----------
    Rothman KJ, Greenland S, Lash TL. *Modern Epidemiology*, 3rd ed. Lippincott Williams &
    Wilkins; 2008 (crude and adjusted measures, confounding). Katz D, et al. Obtaining confidence
    intervals for the risk ratio in cohort studies. Biometrics 1978;34:469-74 (crude ratios).
    """
    func = "compare_crude_adjusted"
    keys = as_columns(keys, func=func, name="keys")
    require_columns(
        crude,
        [*keys, group, "count", "reference_count", "value", "lower_ci", "upper_ci"],
        func=func,
    )
    require_columns(adjusted, [*keys, "group", "estimate", "lower_ci", "upper_ci"], func=func)
    if "term" in adjusted.columns:
        adjusted = adjusted[adjusted["term"] == group]
    order = (
        list(crude[group].cat.categories)
        if isinstance(crude[group].dtype, pd.CategoricalDtype)
        else list(dict.fromkeys(crude[group].astype("str")))
    )
    base = [*keys, group, "count", "reference_count", "reference"]
    value_cols = ["value", "lower_ci", "upper_ci", "p_value", "is_reference"]
    c = crude[[*base, *value_cols]].copy()
    c[group] = c[group].astype("str")
    a = adjusted.rename(columns={"group": group, "estimate": "value", "model": "fit"})
    a = a[[*keys, group, *value_cols, "fit"]].copy()
    a[group] = a[group].astype("str")
    a = a.merge(c[base], on=[*keys, group], how="left")
    out = pd.concat(
        [c.assign(comparison="crude", fit="rate ratio"), a.assign(comparison="adjusted")],
        ignore_index=True,
    )
    out[group] = pd.Categorical(out[group], categories=order, ordered=True)
    out["comparison"] = pd.Categorical(
        out["comparison"], categories=["crude", "adjusted"], ordered=True
    )
    for col in ("count", "reference_count"):
        out[col] = pd.to_numeric(out[col], errors="coerce").round().astype("Int64")
    out = out.sort_values([*keys, group, "comparison"], kind="stable").reset_index(drop=True)
    return out[
        [*keys, group, "comparison", "reference", "count", "reference_count", *value_cols, "fit"]
    ]


def key_findings(
    rates: pd.DataFrame,
    comparison: pd.DataFrame,
    *,
    heading: str,
    rate: str,
    unit: str,
    noun: str,
    phrases: Sequence[Phrase],
    key: str,
    reference: str,
    adjusted_for: str,
    confidence: float = 0.95,
    group: str = "ethnic_group",
) -> list[str]:
    """A report's key findings in markdown: a heading, one rate by group, then the rate ratios.

    Parameters
    ----------
    rates : DataFrame
        The rows of the rate spoken of, one per group, after
        :func:`rhoresearch.disclosure.suppress` (suppressed values give "suppressed"
        sentences). Not modified.
    comparison : DataFrame
        :func:`compare_crude_adjusted` output after :func:`rhoresearch.disclosure.suppress`. Not
        modified.
    heading : str
        The first line (``"**London, 2018-20.** Rates compare ..."``).
    rate, unit, noun : str
        The rate's name (``"maternal mortality rate"``), its unit (``"per 100,000
        maternities"``) and who the groups are (``"women"``).
    phrases : sequence of Phrase
        The outcomes of ``comparison`` to speak of, in order, and how.
    key : str
        The column of ``comparison`` naming the outcome (``"outcome"``, ``"measure"``).
    reference : str
        The reference group's name.
    adjusted_for : str
        What the adjusted ratios are adjusted for, e.g. ``"age and deprivation"``.
    confidence : float, default 0.95
        The level of the intervals, as the sentences name it.
    group : str, default "ethnic_group"
        The group column.

    Returns
    -------
    list of str
        ``heading``, an empty line, one bullet per row of ``rates``
        (:func:`rhoresearch.report.narrative.rate_sentence`), then one per outcome, group and
        comparison (crude, adjusted) of ``comparison``
        (:func:`rhoresearch.report.narrative.ratio_sentence`; the reference group's own rows
        left out; a group whose ratios are suppressed gets one "suppressed" sentence, not two).

    References
    ----------
    NHS England. Workforce Race Equality Standard technical guidance (ratios read as "x times as
    likely"). Office for National Statistics. Style guide: race and ethnicity.
    """
    confidence = check_confidence(confidence, func="findings")
    require_columns(
        comparison, [key, group, "comparison", "is_reference", "value"], func="findings"
    )
    lines = [heading, ""]
    lines += [
        "- "
        + narrative.rate_sentence(
            row, group_col=group, measure=rate, unit=unit, noun=noun, confidence=confidence
        )
        for _, row in rates.iterrows()
    ]
    qualifier = f", after adjusting for {adjusted_for}"
    for phrase in phrases:
        rows = comparison[
            (comparison[key] == phrase.name) & ~comparison["is_reference"].astype(bool)
        ]
        suppressed = set()
        for _, row in rows.iterrows():
            hidden = bool(disclosure.is_suppressed(row, "value"))
            adjusted = row["comparison"] == "adjusted"
            if adjusted and hidden and row[group] in suppressed:
                continue  # one "suppressed" sentence per group is enough
            if hidden:
                suppressed.add(row[group])
            sentence = narrative.ratio_sentence(
                row,
                group_col=group,
                outcome=phrase.outcome,
                comparator=reference,
                noun=phrase.noun,
                confidence=confidence,
                qualifier=qualifier if adjusted else "",
            )
            lines.append(f"- {sentence}")
    return lines
