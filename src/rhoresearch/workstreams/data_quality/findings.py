"""What a data-quality report shows: its tables after disclosure control, and key findings.

Each ``*_table`` function computes one table of the report and applies
:func:`rhoresearch.disclosure.suppress` with the rules that table needs (which columns are counts,
which are derived from them, which totals are published), so that a notebook only shows and saves
the result. :func:`summary_tables` makes them all; :func:`findings` writes the key-findings bullets
from them and the notebook's parameters.

References
----------
Scobie S, Spencer J, Raleigh V (2021). Ethnicity coding in English health service datasets.
Nuffield Trust. ONS (2023). Understanding consistency of ethnicity data recorded in health-related
administrative datasets in England: 2011 to 2021. NHS Digital, GDPPR ethnicity asset.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple, TypedDict

import numpy as np
import pandas as pd

from rhoresearch import disclosure
from rhoresearch.report import narrative
from rhoresearch.validation import (
    DEFAULT_THRESHOLD,
    as_columns,
    check_threshold,
    require_columns,
)
from rhoresearch.workstreams import _tables, _wording
from rhoresearch.workstreams._completeness import STATUS_LABELS, completeness
from rhoresearch.workstreams.data_quality.datasets import dataset_label
from rhoresearch.workstreams.data_quality.providers import (
    dispersion_note,
    provider_funnel,
    provider_table,
)
from rhoresearch.workstreams.data_quality.research import PPR_RANGE, representation
from rhoresearch.workstreams.data_quality.sources import (
    agreement,
    agreement_by_group,
    disagreement_flows,
)

__all__ = [
    "SummaryTables",
    "completeness_table",
    "LinkedTables",
    "linked_tables",
    "representation_table",
    "summary_tables",
    "commonest_moves",
    "reference_first",
    "findings",
]

#: The entries of the table functions' docstrings that several of them share.
_PARAMETERS = {
    "linked": "linked : DataFrame\n    One row per person, the group in each source; not modified.",
    "sources": "source_a, source_b : str\n    The reference source and the compared source.",
    "scheme": 'scheme : str, default "nhs_code"\n    The groups the two sources are compared in:'
    ' the NHS 16 categories by\n    their descriptions (``"nhs_code"``) or short labels'
    ' (``"detailed"``).',
}

_STATUS_COLUMNS = ["status_label", "numerator", "denominator", "value", "lower_ci", "upper_ci"]
_AGREEMENT_COLUMNS = [
    "numerator",
    "denominator",
    "value",
    "lower_ci",
    "upper_ci",
    "kappa",
    "kappa_lower_ci",
    "kappa_upper_ci",
    "expected_agreement",
    "n_excluded",
]
_BY_GROUP_COLUMNS = [
    "ethnic_group",
    "numerator",
    "denominator",
    "value",
    "lower_ci",
    "upper_ci",
    "recorded_in_b",
    "kappa",
    "kappa_lower_ci",
    "kappa_upper_ci",
]
_FLOW_COLUMNS = ["group_a", "group_b", "count", "denominator", "percent"]
_PPR_COLUMNS = [
    "study_id",
    "study_title",
    "ethnic_group",
    "participants",
    "participant_share",
    "population_share",
    "value",
    "lower_ci",
    "upper_ci",
    "representation",
    "n_not_stated",
]
#: How each table is published (:func:`rhoresearch.workstreams._tables.publish`): its columns and
#: the rules of :func:`rhoresearch.disclosure.suppress` (the counts, what is derived from them,
#: which totals are published). The completeness table is suppressed within its ``by`` groups.
_AGREEMENT_TABLE = _tables.publication(
    _AGREEMENT_COLUMNS,
    counts=["numerator", "denominator", "n_excluded"],
    derived=[
        "value",
        "lower_ci",
        "upper_ci",
        "kappa",
        "kappa_lower_ci",
        "kappa_upper_ci",
        "expected_agreement",
    ],
    secondary=False,
)
#: The columns' totals are published.
_BY_GROUP_TABLE = _tables.publication(
    _BY_GROUP_COLUMNS,
    counts=["numerator", "denominator", "recorded_in_b"],
    derived=["value", "lower_ci", "upper_ci", "kappa", "kappa_lower_ci", "kappa_upper_ci"],
    margins=[None],
)
#: Each group's disagreements add up to a known total, and so do the destinations.
_FLOW_TABLE = _tables.publication(
    _FLOW_COLUMNS, counts="count", derived=["percent"], by="group_a", margins=["group_b"]
)
_PPR_TABLE = _tables.publication(
    _PPR_COLUMNS,
    counts=["participants", "n_not_stated"],
    derived=["participant_share", "value", "lower_ci", "upper_ci", "representation"],
    by="study_id",
)

#: Funnel labels of a provider below the 95% limit (``rhoresearch.stats.SIGNIFICANCE_LEVELS``).
_BELOW_95 = ("Low (0.001)", "Low (0.025)")


class _Sources(TypedDict):
    """The linked file's reference source and the source compared with it."""

    source_a: str
    source_b: str


class SummaryTables(NamedTuple):
    """The disclosure-controlled tables of a data-quality report (see :func:`summary_tables`).

    Attributes
    ----------
    by_year : DataFrame
        :func:`completeness_table` by year.
    by_dataset : DataFrame
        :func:`completeness_table` by dataset and year.
    providers : DataFrame
        ``rhoresearch.workstreams.data_quality.provider_table`` for the year.
    provider_limits : DataFrame
        The providers' funnel limits, one set per dataset (no counts).
    provider_dispersion : DataFrame
        Each dataset's over-dispersion test and the limits drawn (``ProviderFunnel.dispersion``).
    agreement, agreement_by_group, flows : DataFrame
        The tables of :func:`linked_tables`.
    representation : DataFrame
        :func:`representation_table`.
    """

    by_year: pd.DataFrame
    by_dataset: pd.DataFrame
    providers: pd.DataFrame
    provider_limits: pd.DataFrame
    provider_dispersion: pd.DataFrame
    agreement: pd.DataFrame
    agreement_by_group: pd.DataFrame
    flows: pd.DataFrame
    representation: pd.DataFrame


@_wording.document(_PARAMETERS, _tables.POLICY_DOC)
def completeness_table(
    records: pd.DataFrame,
    *,
    by: str | Sequence[str],
    confidence: float = 0.95,
    threshold: int = DEFAULT_THRESHOLD,
    policy: disclosure.Policy | None = None,
) -> pd.DataFrame:
    """Completeness of ethnicity recording by ``by``, suppressed within each ``by`` group.

    Parameters
    ----------
    records : DataFrame
        One row per record; not modified.
    by : str or list of str
        Grouping columns (e.g. ``"year"`` or ``["dataset", "year"]``).
    {confidence_wilson}
    {threshold}
    {policy}

    Returns
    -------
    DataFrame
        The ``by`` columns, ``status_label``, ``numerator``, ``denominator``, ``value`` (%),
        ``lower_ci``, ``upper_ci`` (:func:`~rhoresearch.workstreams.data_quality.completeness`), the
        statuses of each group adding up to its records.
    """
    threshold = check_threshold(threshold, func="completeness_table")
    by = as_columns(by, func="completeness_table")
    res = completeness(records, by=by, confidence=confidence)
    how = _tables.publication([*by, *_STATUS_COLUMNS], counts="numerator", by=by)
    return _tables.publish(res, how, threshold=threshold, policy=policy)


class LinkedTables(NamedTuple):
    """The disclosure-controlled tables of a linked file (see :func:`linked_tables`).

    Attributes
    ----------
    agreement : DataFrame
        Overall agreement between the sources and Cohen's kappa, one row: ``numerator``,
        ``denominator``, ``value`` (% agreement), ``lower_ci``, ``upper_ci``, ``kappa``,
        ``kappa_lower_ci``, ``kappa_upper_ci``, ``expected_agreement``, ``n_excluded``
        (:func:`~rhoresearch.workstreams.data_quality.agreement`).
    agreement_by_group : DataFrame
        Agreement for each self-reported group, with the group's kappa: ``ethnic_group``,
        ``numerator``, ``denominator``, ``value`` (%), ``lower_ci``, ``upper_ci``,
        ``recorded_in_b``, ``kappa``, ``kappa_lower_ci``, ``kappa_upper_ci``
        (:func:`~rhoresearch.workstreams.data_quality.agreement_by_group`); the columns' totals
        are published (``margins=[None]``).
    flows : DataFrame
        The disagreements only, where each self-reported group is recorded instead: ``group_a``,
        ``group_b``, ``count``, ``denominator``, ``percent``: the rows of
        :func:`~rhoresearch.workstreams.data_quality.disagreement_flows` with ``agrees`` false (the
        agreeing counts are in ``agreement_by_group``). Each group's disagreements add up to a
        known total, and so do the destinations, so both are protected (``by="group_a"``,
        ``margins=["group_b"]``).
    """

    agreement: pd.DataFrame
    agreement_by_group: pd.DataFrame
    flows: pd.DataFrame


@_wording.document(_PARAMETERS, _tables.POLICY_DOC)
def linked_tables(
    linked: pd.DataFrame,
    *,
    source_a: str = "census_code",
    source_b: str = "hes_code",
    confidence: float = 0.95,
    threshold: int = DEFAULT_THRESHOLD,
    policy: disclosure.Policy | None = None,
    scheme: str = "nhs_code",
) -> LinkedTables:
    """Agreement between two sources of the same people's ethnicity, and its disagreements, suppressed.

    Parameters
    ----------
    {linked}
    {sources}
    {confidence}
    {threshold}
    {policy}
    {scheme}

    Returns
    -------
    LinkedTables
        ``(agreement, agreement_by_group, flows)``, each suppressed by its own rules (columns and
        rules in :class:`LinkedTables`).
    """
    threshold = check_threshold(threshold, func="linked_tables")
    sources = _Sources(source_a=source_a, source_b=source_b)
    overall = agreement(linked, **sources, scheme=scheme, confidence=confidence)
    by_group = agreement_by_group(linked, **sources, scheme=scheme, confidence=confidence)
    flows = disagreement_flows(linked, **sources, scheme=scheme).table
    return LinkedTables(
        agreement=_tables.publish(overall, _AGREEMENT_TABLE, threshold=threshold, policy=policy),
        agreement_by_group=_tables.publish(
            by_group, _BY_GROUP_TABLE, threshold=threshold, policy=policy
        ),
        flows=_tables.publish(
            flows.loc[~flows["agrees"]], _FLOW_TABLE, threshold=threshold, policy=policy
        ),
    )


@_wording.document(_PARAMETERS, _tables.POLICY_DOC)
def representation_table(
    participants: pd.DataFrame,
    reference: pd.DataFrame,
    *,
    confidence: float = 0.95,
    threshold: int = DEFAULT_THRESHOLD,
    policy: disclosure.Policy | None = None,
) -> pd.DataFrame:
    """Participation-to-prevalence ratios by study and group, with the study's title, suppressed.

    Parameters
    ----------
    participants : DataFrame
        Participants by ``study_id`` and ``ethnic_group`` (``participants``; ``study_title`` if
        present); not modified.
    reference : DataFrame
        Reference shares by ``study_id`` and ``ethnic_group``; not modified.
    {confidence}
    {threshold}
    {policy}

    Returns
    -------
    DataFrame
        ``study_id``, ``study_title`` (the ``study_id`` when the participants have no title),
        ``ethnic_group``, ``participants``, ``participant_share``, ``population_share``, ``value``
        (PPR), ``lower_ci``, ``upper_ci``, ``representation``, ``n_not_stated``
        (:func:`~rhoresearch.workstreams.data_quality.representation`), suppressed within each
        study.
    """
    threshold = check_threshold(threshold, func="representation_table")
    require_columns(participants, ["study_id"], func="representation_table")
    if "study_title" in participants.columns:
        titles = participants[["study_id", "study_title"]].drop_duplicates()
    else:
        ids = participants["study_id"].drop_duplicates()
        titles = pd.DataFrame({"study_id": ids, "study_title": ids.astype(str)})
    ppr = representation(participants, reference, confidence=confidence).merge(
        titles, on="study_id", how="left"
    )
    return _tables.publish(ppr, _PPR_TABLE, threshold=threshold, policy=policy)


@_wording.document(_PARAMETERS, _tables.POLICY_DOC)
def summary_tables(
    records: pd.DataFrame,
    providers: pd.DataFrame,
    linked: pd.DataFrame,
    participants: pd.DataFrame,
    research_reference: pd.DataFrame,
    *,
    year: int,
    source_a: str = "census_code",
    source_b: str = "hes_code",
    confidence: float = 0.95,
    threshold: int = DEFAULT_THRESHOLD,
    policy: disclosure.Policy | None = None,
    funnel_adjustment: str = "auto",
    scheme: str = "nhs_code",
) -> SummaryTables:
    """Every disclosure-controlled table of a data-quality report.

    Parameters
    ----------
    records : DataFrame
        The selected records (``rhoresearch.workstreams.data_quality.select``); not modified.
    providers, linked, participants, research_reference : DataFrame
        The other inputs (see ``rhoresearch.workstreams.data_quality.SCHEMAS``); not modified.
    year : int
        The year of the provider comparison (every year gives the trend).
    {sources}
    {confidence_intervals}
    {threshold}
    {policy}
    funnel_adjustment : {"auto", "none", "multiplicative", "additive"}, default "auto"
        The provider funnels' limits (``adjust`` of
        :func:`~rhoresearch.workstreams.data_quality.provider_funnel`).
    {scheme}

    Returns
    -------
    SummaryTables

    Raises
    ------
    InputError
        ``year`` is not in the records.
    """
    c, t, p = confidence, threshold, policy
    sources = _Sources(source_a=source_a, source_b=source_b)
    funnel = provider_funnel(records, providers, year=year, confidence=c, adjust=funnel_adjustment)
    linked_safe = linked_tables(
        linked, **sources, confidence=c, threshold=t, policy=p, scheme=scheme
    )
    return SummaryTables(
        by_year=completeness_table(records, by="year", confidence=c, threshold=t, policy=p),
        by_dataset=completeness_table(
            records, by=["dataset", "year"], confidence=c, threshold=t, policy=p
        ),
        providers=provider_table(funnel.points, threshold=t, policy=p),
        provider_limits=funnel.limits,
        provider_dispersion=funnel.dispersion,
        agreement=linked_safe.agreement,
        agreement_by_group=linked_safe.agreement_by_group,
        flows=linked_safe.flows,
        representation=representation_table(
            participants, research_reference, confidence=c, threshold=t, policy=p
        ),
    )


def commonest_moves(flows: pd.DataFrame, *, n: int = 2) -> pd.DataFrame:
    """The ``n`` commonest other recordings of each self-reported group that can be shown.

    Parameters
    ----------
    flows : DataFrame
        ``flows`` of :func:`linked_tables` (rows ordered by ``group_a`` then ``count``,
        descending); not modified.
    n : int, default 2
        Rows kept per ``group_a``.

    Returns
    -------
    DataFrame
        The first ``n`` rows of each ``group_a`` among those whose ``count`` is not suppressed,
        same columns, same order.
    """
    require_columns(flows, ["group_a", "count"], func="commonest_moves")
    shown = flows[~np.asarray(disclosure.is_suppressed(flows, "count"), dtype=bool)]
    return shown.groupby("group_a", sort=False).head(n)


def reference_first(
    table: pd.DataFrame, *, reference: str, column: str = "ethnic_group"
) -> pd.DataFrame:
    """The rows of ``table`` with ``column == reference`` first, the others in their order."""
    require_columns(table, [column], func="reference_first")
    first = (table[column] == reference).to_numpy(dtype=bool)
    return pd.concat([table[first], table[~first]]).reset_index(drop=True)


def _numbers(table: pd.DataFrame, column: str = "value") -> pd.Series:
    """The values of ``column`` that are shown: not suppressed, not missing, as floats."""
    hidden = np.asarray(disclosure.is_suppressed(table, column), dtype=bool)
    return pd.to_numeric(table.loc[~hidden, column], errors="coerce").dropna()


@_wording.document()
def findings(
    tables: SummaryTables,
    *,
    dataset: str = "all",
    year: int,
    confidence: float = 0.95,
    source_a: str = "census_code",
    source_b: str = "hes_code",
) -> list[str]:
    """The key findings of a data-quality report, as markdown lines.

    Parameters
    ----------
    {summary}
    dataset : str, default "all"
        The notebook's ``dataset`` parameter (``"all"`` or a dataset such as
        ``"hospital-episodes"``), named in the heading and the completeness sentence as the data
        write it (:func:`~rhoresearch.workstreams.data_quality.dataset_label`).
    year : int
        The year of the completeness figures (compared with the first year of the data).
    {confidence_named}
    source_a, source_b : str
        The linked file's two sources (the notebook's parameters), named in the agreement
        sentence.

    Returns
    -------
    list of str
        A bold heading (the dataset; when one dataset is chosen, that the linked file and the
        studies are the same for every dataset), a blank line, then one ``"- "`` bullet per finding:
        completeness in ``year`` by status; the range of providers' valid-code percentages and how
        many lie below the 95% funnel limit; the change in "not stated" since the first year;
        overall agreement and kappa; the groups with the lowest and highest agreement; the
        study-group combinations under-represented (PPR below 0.8). Suppressed values are said to
        be suppressed ([c]).
    """
    which = dataset_label(dataset, tables.by_dataset)
    by_year = tables.by_year
    latest = by_year[by_year["year"] == year].set_index("status_label")
    first_year = int(by_year["year"].min())
    first = by_year[by_year["year"] == first_year].set_index("status_label")
    valid, stated = STATUS_LABELS["valid"], STATUS_LABELS["not_stated"]
    valid_ci = _wording.interval(latest.loc[valid], confidence=confidence, unit="%")
    share = {status: _wording.cell(latest.loc[STATUS_LABELS[status]]) for status in STATUS_LABELS}
    sentences = [
        f"In {year}, {valid_ci} of records in {which} carried a valid ethnic category code; "
        f"{share['not_stated']}% were not stated, {share['not_known']}% not known, "
        f"{share['missing']}% blank and {share['invalid']}% invalid."
    ]
    providers = tables.providers
    shown = _numbers(providers)
    hidden = np.asarray(disclosure.is_suppressed(providers, "significance"), dtype=bool)
    low = int((providers["significance"].isin(_BELOW_95).to_numpy(dtype=bool) & ~hidden).sum())
    sentences.append(
        f"Across {len(providers)} providers the valid-code percentage ranged from "
        f"{narrative.format_number(shown.min() if len(shown) else None)}% to "
        f"{narrative.format_number(shown.max() if len(shown) else None)}%; {low} lay below the "
        f"95% limit of their dataset's funnel. {dispersion_note(tables.provider_dispersion)}"
    )
    if first_year != year:
        before, now = first.loc[stated], latest.loc[stated]
        change = "changed"
        numbers = _numbers(pd.DataFrame([before, now]))
        if len(numbers) == 2:
            change = {1: "rose", -1: "fell", 0: "was unchanged"}[
                int(np.sign(round(numbers.iloc[1], 1) - round(numbers.iloc[0], 1)))
            ]
        if change == "was unchanged":
            sentences.append(
                f'"Not stated" was {_wording.cell(now)}% of records in both {first_year} and {year}.'
            )
        else:
            sentences.append(
                f'"Not stated" {change} from {_wording.cell(before)}% of records in {first_year} to '
                f"{_wording.cell(now)}% in {year}."
            )
    overall = tables.agreement.iloc[0]
    same = _wording.interval(overall, confidence=confidence, unit="%")
    kappa = _wording.interval(
        overall,
        confidence=confidence,
        estimate="kappa",
        lower="kappa_lower_ci",
        upper="kappa_upper_ci",
        digits=3,
    )
    sentences.append(
        f"The linked file's two sources ({_source_words(source_a)} and {_source_words(source_b)}) "
        f"recorded the same group for {same} of the {_count(overall, 'denominator')} "
        f"people with a known group in both (Cohen's kappa {kappa}); the "
        f'{_count(overall, "n_excluded")} pairs with "not stated" or "not known" in '
        "either are left out here, while the table of where disagreement goes counts everyone of "
        "each self-reported group, an unknown recording as a disagreement."
    )
    groups = tables.agreement_by_group
    ranked = groups.loc[_numbers(groups).sort_values(kind="stable").index]

    def named(rows: pd.DataFrame) -> str:
        return "; ".join(f"{r['ethnic_group']} ({_wording.cell(r)}%)" for _, r in rows.iterrows())

    if len(ranked):
        sentences.append(
            f"Agreement was lowest for {named(ranked.head(3))}; highest for "
            f"{named(ranked.tail(2).iloc[::-1])}."
        )
    ppr = tables.representation
    under = ppr[ppr["representation"] == "under-represented"]
    n_studies = ppr["study_id"].nunique()
    text = (
        f"{len(under)} of {len(ppr)} study-group combinations had a participation-to-prevalence "
        f"ratio below {PPR_RANGE[0]:g} (under-represented)"
    )
    if len(under):
        text += ": " + ", ".join(
            f"{g} in {n} of {n_studies} studies"
            for g, n in under["ethnic_group"].value_counts().items()
        )
    sentences.append(text + ".")
    heading = f"**{which}**"
    if str(dataset).strip().lower() != "all":
        heading += (
            " (completeness and providers; the linked file and the research studies are the same "
            "whatever the dataset)"
        )
    return [heading, "", *(f"- {s}" for s in sentences)]


def _count(row: pd.Series, column: str) -> str:
    """A count cell of a row in words: whole number, ``[c]`` when suppressed."""
    return narrative.format_number(
        row[column], digits=0, suppressed=bool(disclosure.is_suppressed(row, column))
    )


def _source_words(source: str) -> str:
    """A linked-file column in words: ``"census_code"`` -> ``"census"``."""
    words = source.removesuffix("_code").replace("_", " ")
    return words.upper() if len(words) <= 3 else words
