"""The ethnic grouping of a report: high-level groups or detailed ones (private, shared).

Every notebook whose data carry ethnic detail has a ``grouping`` parameter: ``"high_level"`` (the
five groups) or ``"detailed"`` (the NHS 16 categories, or the Census 2021 19 groups where a
source uses them). This module is the one place for what that parameter means:

- :data:`GROUPINGS` and :func:`check_grouping` (the parameter's values, one wording of the error);
- :func:`scheme_of`: the :mod:`rhoresearch.ethnicity` scheme a grouping analyses;
- :func:`group_order`: the groups compared at a scheme, in display order (scheme labels such as
  ``"White - British"``, or their short labels such as ``"White British"``);
- :func:`reference_label`: the reference group as a label of the grouping (``"White British"``),
  with an error naming the parameter and the allowed groups;
- :func:`harmonise_groups`: a column of codes or labels harmonised to the grouping, as an ordered
  categorical of :func:`group_order`;
- :func:`harmonise`: :func:`rhoresearch.ethnicity.harmonise` that also takes ``to="detailed"``,
  the reports' label convention for detailed groups (the NHS 16 categories by their short labels,
  ``"White British"``, ``"Indian"``, ``"Caribbean"``), and :func:`choose_grouping`: a notebook's
  ``grouping`` and ``reference_group`` read together (:class:`Grouping`);
- :func:`sparse_groups`, :func:`sparse_exclusions`, :func:`sparse_sentence`: groups too small for a
  model, left out with a counted, stated reason; :func:`panels`: a figure's rows split by
  high-level group when detailed groups would crowd it; :func:`grouping_note`: the grouping and
  where Chinese and Arab are counted, for the methods: one wording for every report, whose
  published convention (:data:`CONVENTIONS`: Census 2021, NHS England, MBRRACE-UK) is a parameter.

References
----------
Race Disparity Unit. Standards for ethnicity data (2023): detailed groups wherever numbers allow.
NHS England. NHS Data Dictionary: ETHNIC CATEGORY (16 national codes). Office for National
Statistics. Census 2021 dictionary: ethnic group (19 categories).
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Sequence
from typing import NamedTuple

import pandas as pd

from rhoresearch import ethnicity
from rhoresearch.exceptions import DataQualityWarning, InputError
from rhoresearch.results import combine_exclusions, exclusions_table
from rhoresearch.validation import require_columns, slug

__all__ = [
    "DETAILED",
    "CENSUS_ONLY",
    "CONVENTIONS",
    "GROUPINGS",
    "MIN_OUTCOMES",
    "SCHEMES",
    "Grouping",
    "Panel",
    "check_grouping",
    "choose_grouping",
    "group_order",
    "grouping_note",
    "harmonise",
    "harmonise_groups",
    "panels",
    "reference_label",
    "scheme_of",
    "sparse_exclusions",
    "sparse_groups",
    "sparse_sentence",
]

logger = logging.getLogger(__name__)

#: The values of the ``grouping`` parameter: the five high-level groups, or the detailed ones.
GROUPINGS = ("high_level", "detailed")
#: The schemes a grouping analyses (:mod:`rhoresearch.ethnicity`): high level, NHS 16, Census 19.
SCHEMES = ("high_level", "nhs_code", "census2021")
_UNKNOWN = (ethnicity.NOT_STATED, ethnicity.NOT_KNOWN)
#: The ``to`` of :func:`harmonise` for the reports' detailed groups: the NHS 16 categories by
#: their short labels (:func:`rhoresearch.ethnicity.short_labels`).
DETAILED = "detailed"
#: Fewest rows with, and without, an outcome that a group needs to have its own term in a
#: logistic model (:func:`sparse_groups`): about ten events per parameter (Peduzzi et al. 1996).
MIN_OUTCOMES = 10


def check_grouping(grouping: object, *, func: str) -> None:
    """Raise :class:`InputError` unless ``grouping`` is one of :data:`GROUPINGS`.

    Parameters
    ----------
    grouping : object
        The ``grouping`` parameter as given.
    func : str
        The caller, for the message.

    Raises
    ------
    InputError
        ``"<func>: grouping must be one of ['high_level', 'detailed'], got 'fine'"``.

    References
    ----------
    Race Disparity Unit. Standards for ethnicity data (2023).
    """
    if grouping not in GROUPINGS:
        raise InputError(f"{func}: grouping must be one of {list(GROUPINGS)}, got {grouping!r}")


def scheme_of(grouping: str, *, detailed: str = "nhs_code", func: str = "scheme_of") -> str:
    """The :mod:`rhoresearch.ethnicity` scheme that ``grouping`` analyses.

    Parameters
    ----------
    grouping : {"high_level", "detailed"}
        The ``grouping`` parameter.
    detailed : {"nhs_code", "census2021"}, default "nhs_code"
        The detailed scheme of the data (records carry NHS codes; a published table may use
        the Census 2021 groups: :func:`rhoresearch.data.published.detailed_scheme`).
    func : str
        The caller, for the message.

    Returns
    -------
    str
        ``"high_level"``, or ``detailed``.

    Raises
    ------
    InputError
        An unknown ``grouping`` (:func:`check_grouping`) or ``detailed`` scheme.

    References
    ----------
    NHS Data Dictionary: ETHNIC CATEGORY. ONS Census 2021 dictionary: ethnic group.
    """
    check_grouping(grouping, func=func)
    if detailed not in SCHEMES[1:]:
        raise InputError(f"{func}: detailed must be one of {list(SCHEMES[1:])}, got {detailed!r}")
    return "high_level" if grouping == "high_level" else detailed


def _check_scheme(scheme: object, func: str) -> None:
    if scheme not in SCHEMES:
        raise InputError(f"{func}: scheme must be one of {list(SCHEMES)}, got {scheme!r}")


def group_order(scheme: str = "high_level", *, short: bool = False) -> list[str]:
    """The groups compared at ``scheme``, in display order ("Not stated", "Not known" left out).

    Parameters
    ----------
    scheme : {"high_level", "nhs_code", "census2021"}, default "high_level"
        The scheme (:func:`scheme_of`).
    short : bool, default False
        Detailed groups by their short labels (:func:`rhoresearch.ethnicity.short_labels`:
        ``"White British"``, ``"Indian"``, ``"Caribbean"``) rather than the scheme's labels
        (``"White - British"``). High-level groups are the same either way.

    Returns
    -------
    list of str
        The five high-level groups (Asian, Black, Mixed, White, Other), the NHS 16 categories
        or the Census 2021 19 groups.

    Raises
    ------
    InputError
        An unknown scheme.

    References
    ----------
    NHS Data Dictionary: ETHNIC CATEGORY. ONS Census 2021 dictionary: ethnic group. ONS Style
    Guide: race and ethnicity (short names of the groups).
    """
    _check_scheme(scheme, "group_order")
    if scheme == "high_level":
        return [g for g in ethnicity.HIGH_LEVEL_ORDER if g not in _UNKNOWN]
    labels = [g for g in ethnicity.labels(scheme) if g not in _UNKNOWN]
    if not short:
        return labels
    names = ethnicity.short_labels(scheme)
    return [names[g] for g in labels]


def reference_label(
    reference: str,
    scheme: str,
    *,
    short: bool = False,
    chinese: str = "other",
    func: str = "reference_label",
) -> str:
    """The reference group as a label of ``scheme`` ("White British" -> "White - British").

    Parameters
    ----------
    reference : str
        The ``reference_group`` parameter: any spelling :func:`rhoresearch.ethnicity.harmonise`
        reads (``"White British"``, ``"White - British"``, ``"A"``).
    scheme : {"high_level", "nhs_code", "census2021"}
        The scheme analysed (:func:`scheme_of`).
    short : bool, default False
        Return the short label (``"White British"``), as :func:`group_order` ``(short=True)``.
    chinese : {"other", "asian"}, default "other"
        Where Chinese is counted at the high level.
    func : str
        The caller, for the message.

    Returns
    -------
    str
        The group's label, one of :func:`group_order` ``(scheme, short=short)``.

    Raises
    ------
    InputError
        If ``reference`` is not a group of ``scheme`` (a high-level "White" with detailed
        groups): the message names ``reference_group``, the grouping and the groups allowed.

    References
    ----------
    Race Disparity Unit. Standards for ethnicity data (2023): the reference group.
    """
    _check_scheme(scheme, func)
    value = pd.Series([reference], dtype=object)
    label = None
    if isinstance(reference, str) and not ethnicity.unmapped(value, to=scheme, chinese=chinese):
        label = str(ethnicity.harmonise(value, to=scheme, chinese=chinese).iloc[0])
    if label not in group_order(scheme):
        grouping = "high_level" if scheme == "high_level" else "detailed"
        level = "high-level" if scheme == "high_level" else "detailed"
        raise InputError(
            f"{func}: reference_group {reference!r} is not a {level} ethnic group ({scheme}); "
            f"with grouping={grouping!r} give one of {group_order(scheme, short=short)} "
            "(e.g. 'White British' for detailed groups)"
        )
    if short and scheme != "high_level":
        return ethnicity.short_labels(scheme)[label]
    return label


def harmonise_groups(
    data: pd.DataFrame,
    *,
    scheme: str,
    column: str = "ethnic_category",
    status: str | None = "ethnicity_status",
    short: bool = False,
    chinese: str = "other",
) -> pd.Series:
    """``column`` harmonised to ``scheme``: an ordered categorical of :func:`group_order`.

    Parameters
    ----------
    data : DataFrame
        Records or counted records. Not modified.
    scheme : {"high_level", "nhs_code", "census2021"}
        The scheme analysed (:func:`scheme_of`).
    column : str, default "ethnic_category"
        The codes or labels as recorded.
    status : str or None, default "ethnicity_status"
        A recording status column (``"recorded"`` or not, as
        :func:`~rhoresearch.workstreams._records.add_ethnic_group` writes it): rows not
        ``"recorded"`` get no group. None: rows whose value is not stated, not known or not a
        valid code get no group.
    short : bool, default False
        Short labels (:func:`group_order`).
    chinese : {"other", "asian"}, default "other"
        Where Chinese goes at the high level (NHS England, MBRRACE-UK: Other).

    Returns
    -------
    Series
        Aligned with ``data``; an ordered categorical whose categories are
        :func:`group_order` ``(scheme, short=short)``; missing where no group applies.

    Notes
    -----
    Invalid codes are read as not known without a warning: the record steps count them
    (``"invalid code"``) before any regrouping.

    References
    ----------
    NHS Data Dictionary: ETHNIC CATEGORY. ONS Census 2021 dictionary: ethnic group.
    """
    _check_scheme(scheme, "harmonise_groups")
    with warnings.catch_warnings():  # invalid codes are counted by the record steps
        warnings.simplefilter("ignore", DataQualityWarning)
        values = ethnicity.harmonise(
            data[column], to=scheme, errors="not_known", chinese=chinese
        ).astype("str")
    if short and scheme != "high_level":
        values = values.map(ethnicity.short_labels(scheme))
    if status is not None:
        values = values.where(data[status].eq("recorded").to_numpy())
    order = group_order(scheme, short=short)
    values = values.where(values.isin(order))
    logger.debug("harmonise_groups: %s to %s (%d groups)", column, scheme, len(order))
    return pd.Series(
        pd.Categorical(values, categories=order, ordered=True), index=data.index, name=column
    )


def harmonise(
    values: pd.Series, *, to: str = "high_level", chinese: str = "asian", errors: str = "raise"
) -> pd.Series:
    """:func:`rhoresearch.ethnicity.harmonise`, with ``to="detailed"`` for the reports' detailed groups.

    Parameters
    ----------
    values : Series
        Codes or labels as recorded. Not modified.
    to : {"high_level", "detailed", "nhs_code", "census2021"}, default "high_level"
        ``"detailed"``: the NHS 16 categories by their short labels (``"White British"``,
        ``"Indian"``, ``"Caribbean"``; :data:`DETAILED`), the label convention every notebook's
        ``grouping="detailed"`` uses; the other values are the schemes of
        :func:`rhoresearch.ethnicity.harmonise`, labels unchanged.
    chinese : {"asian", "other"}, default "asian"
        Where Chinese goes at the high level.
    errors : {"raise", "not_known"}, default "raise"
        As for :func:`rhoresearch.ethnicity.harmonise`.

    Returns
    -------
    Series
        An ordered categorical aligned with ``values``: the groups in display order, then "Not
        stated" and "Not known".

    References
    ----------
    NHS Data Dictionary: ETHNIC CATEGORY. ONS Style Guide: race and ethnicity.
    """
    scheme = "nhs_code" if to == DETAILED else to
    out = ethnicity.harmonise(values, to=scheme, chinese=chinese, errors=errors)
    if to == DETAILED:
        out = out.cat.rename_categories(ethnicity.short_labels("nhs_code"))
    return out


class Grouping(NamedTuple):
    """A notebook's ``grouping`` and ``reference_group``, read together by :func:`choose_grouping`.

    Attributes
    ----------
    grouping : str
        ``"high_level"`` or ``"detailed"``.
    to : str
        What the workstream steps' ``to`` takes: ``"high_level"`` or :data:`DETAILED`.
    reference : str
        The reference group as a label of the grouping (``"White"``, ``"White British"``).
    groups : list of str
        The groups compared, in display order.
    chinese : str
        Where Chinese is counted at the high level (``"asian"`` or ``"other"``).
    """

    grouping: str
    to: str
    reference: str
    groups: list[str]
    chinese: str


def choose_grouping(
    grouping: str, *, reference: str, chinese: str = "asian", func: str = "choose_grouping"
) -> Grouping:
    """Read a notebook's ``grouping`` and ``reference_group`` together.

    Parameters
    ----------
    grouping : {"high_level", "detailed"}
        The ``grouping`` parameter: five high-level groups, or the NHS 16 categories by their
        short labels.
    reference : str
        The ``reference_group`` parameter, at the same level (``"White"``; ``"White British"``).
    chinese : {"asian", "other"}, default "asian"
        Where Chinese is counted at the high level (Census 2021: Asian; NHS England and
        MBRRACE-UK: Other).
    func : str
        The caller, for the messages.

    Returns
    -------
    Grouping

    Raises
    ------
    InputError
        An unknown ``grouping``, or a reference that is not a group at it (naming
        ``reference_group`` and the groups allowed).

    References
    ----------
    Race Disparity Unit. Standards for ethnicity data (2023).
    """
    scheme = scheme_of(grouping, func=func)
    label = reference_label(reference, scheme, short=True, chinese=chinese, func=func)
    to = DETAILED if grouping == "detailed" else "high_level"
    return Grouping(grouping, to, label, group_order(scheme, short=True), chinese)


def _outcome_counts(data: pd.DataFrame, *, group: str, outcomes: Sequence[str]) -> pd.DataFrame:
    """Rows, and rows with and without each outcome, per group (one row per group and outcome)."""
    frames = []
    for outcome in outcomes:
        value = pd.to_numeric(data[outcome], errors="coerce")
        frame = pd.DataFrame(
            {
                "group": data[group].astype("object").to_numpy(),
                "with": value.eq(1).to_numpy(),
                "without": value.eq(0).to_numpy(),
            }
        )
        counted = frame.groupby("group", sort=False).agg(
            rows=("with", "size"), n_with=("with", "sum"), n_without=("without", "sum")
        )
        frames.append(counted.assign(outcome=outcome))
    return pd.concat(frames).reset_index()


def sparse_groups(
    data: pd.DataFrame,
    *,
    group: str,
    outcomes: str | Sequence[str],
    reference: str,
    minimum: int = MIN_OUTCOMES,
    exclude: Sequence[str] = _UNKNOWN,
    func: str = "sparse_groups",
) -> list[str]:
    """The groups too small for their own term in a logistic model of ``outcomes``.

    Parameters
    ----------
    data : DataFrame
        One row per person (or reading) with 0/1 (or True/False) ``outcomes``; missing outcomes
        are not counted. Not modified.
    group : str
        The group column.
    outcomes : str or list of str
        The outcome columns (one model each).
    reference : str
        The reference group: never left out (an error when it is too small).
    minimum : int, default :data:`MIN_OUTCOMES`
        A group needs at least this many rows with, and as many without, every outcome.
    exclude : sequence of str, default ("Not stated", "Not known")
        Groups already left out of the models.
    func : str
        The caller, for the message.

    Returns
    -------
    list of str
        The groups with fewer than ``minimum`` rows with, or without, any outcome, in the order
        of ``data[group]``'s categories (or of first appearance).

    Raises
    ------
    InputError
        If the reference group is too small: no comparison can be made against it.

    Notes
    -----
    A group with no event (or no non-event) has no finite odds ratio; with a handful its
    estimate and interval are unstable. Ten per parameter follows Peduzzi et al. (1996); each
    group's term is a parameter.

    References
    ----------
    Peduzzi P, Concato J, Kemper E, Holford TR, Feinstein AR. A simulation study of the number of
    events per variable in logistic regression analysis. J Clin Epidemiol 1996;49:1373-9.
    """
    names = [outcomes] if isinstance(outcomes, str) else list(outcomes)
    require_columns(data, [group, *names], func=func)
    counts = _outcome_counts(data, group=group, outcomes=names)
    counts = counts[counts["group"].notna() & ~counts["group"].isin(list(exclude))]
    few = counts[(counts["n_with"] < minimum) | (counts["n_without"] < minimum)]
    if reference in set(few["group"].astype("str")):
        raise InputError(
            f"{func}: the reference group {reference!r} has fewer than {minimum} rows with or "
            f"without an outcome ({', '.join(names)}): choose a larger reference_group"
        )
    if isinstance(data[group].dtype, pd.CategoricalDtype):
        order = [str(c) for c in data[group].cat.categories]
    else:
        order = [str(c) for c in pd.unique(data[group].dropna())]
    small = set(few["group"].astype("str"))
    out = [g for g in order if g in small]
    if out:
        logger.info("%s: %d group(s) too small for a model: %s", func, len(out), out)
    return out


def sparse_exclusions(
    data: pd.DataFrame,
    *,
    group: str,
    groups: Sequence[str],
    applies_to: str,
    before: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The rows of the :func:`sparse_groups` left out of a model, one exclusions row per group.

    Parameters
    ----------
    data : DataFrame
        The rows the model would have used. Not modified.
    group : str
        The group column.
    groups : sequence of str
        :func:`sparse_groups` output.
    applies_to : str
        What the rows are left out of (``"odds ratios"``).
    before : DataFrame, optional
        Exclusions of the earlier steps (with ``applies_to``), listed first.

    Returns
    -------
    DataFrame
        ``before``'s rows, then one per group: ``step`` (``"ethnic group"``), ``reason``
        (``"<group>: too few for a model"``), ``rows``, ``applies_to``: the one exclusions layout
        (:func:`rhoresearch.results.exclusions_table`).

    References
    ----------
    Peduzzi P, et al. J Clin Epidemiol 1996;49:1373-9.
    """
    sizes = data[group].astype("object").value_counts()
    rows = [(f"{g}: too few for a model", int(sizes.get(g, 0)), applies_to) for g in groups]
    table = exclusions_table(rows, step="ethnic group", applies_to=True)
    return table if before is None else combine_exclusions(before, table)


def sparse_sentence(
    groups: Sequence[str], *, what: str, model: str, minimum: int = MIN_OUTCOMES
) -> str | None:
    """One sentence naming the groups left out of a model and why, or None when there are none.

    Parameters
    ----------
    groups : sequence of str
        :func:`sparse_groups` output.
    what : str
        What has, or has not, the outcome (``"respondents answering yes"``).
    model : str
        The estimates they are left out of (``"odds ratios"``).
    minimum : int, default :data:`MIN_OUTCOMES`
        The rule's minimum.

    Returns
    -------
    str or None
        E.g. ``"Left out of the odds ratios, with fewer than 10 respondents answering yes (or
        fewer than 10 not) to a question: White and Black African (their counts are in the
        data-quality table)."`` No count is printed.

    References
    ----------
    Peduzzi P, et al. J Clin Epidemiol 1996;49:1373-9.
    """
    if not groups:
        return None
    names = list(groups)
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return (
        f"Left out of the {model}, with fewer than {minimum} {what} (or fewer than {minimum} "
        f"not): {listed} (their rows are counted in the data-quality table)."
    )


class Panel(NamedTuple):
    """A part of a figure's rows (:func:`panels`).

    Attributes
    ----------
    data : DataFrame
        The rows.
    suffix : str
        For the figure's name: ``""`` (one figure), else ``"_<high-level group>"``.
    title : str
        For the figure's title: ``""``, else ``": <high-level group> groups"``.
    """

    data: pd.DataFrame
    suffix: str
    title: str


def panels(
    data: pd.DataFrame, *, column: str = "ethnic_group", grouping: str, chinese: str = "asian"
) -> list[Panel]:
    """A figure's rows as one panel, or, for detailed groups, one panel per high-level group.

    Sixteen lines (or sixteen sets of limits) on one axes cannot be told apart; split by their
    high-level group, each figure has at most five.

    Parameters
    ----------
    data : DataFrame
        The figure's rows. Not modified.
    column : str, default "ethnic_group"
        The group column.
    grouping : {"high_level", "detailed"}
        The notebook's grouping: one panel at the high level.
    chinese : {"asian", "other"}, default "asian"
        The high-level group Chinese is drawn with.

    Returns
    -------
    list of Panel
        In the high-level groups' display order; rows of unknown ethnicity left out when split.

    References
    ----------
    Cleveland WS. The Elements of Graphing Data (1985): small multiples.
    """
    check_grouping(grouping, func="panels")
    if grouping == "high_level":
        return [Panel(data, "", "")]
    require_columns(data, [column], func="panels")
    labels = data[column].astype("object")
    family = ethnicity.harmonise(labels, to="high_level", chinese=chinese, errors="not_known")
    out = []
    for name in group_order("high_level"):
        rows = data[(family == name).to_numpy()]
        if len(rows):
            out.append(Panel(rows, f"_{slug(name)}", f": {name} groups"))
    return out


#: The published conventions a report's methods can follow for Chinese at the high level: where
#: Chinese is counted, how the page names the convention, and what the others do
#: (:func:`grouping_note`).
CONVENTIONS = {
    "census2021": (
        "asian",
        "as in the Census 2021 groups",
        "NHS England and MBRRACE-UK count it under Other",
    ),
    "nhs_england": ("other", "as NHS England publishes", "Census 2021 counts it under Asian"),
    "mbrrace": (
        "other",
        'as MBRRACE-UK ("Chinese or other") and the NHS codes do',
        "Census 2021 counts it under Asian",
    ),
}
#: Small counts in words, for the methods ("five high-level groups").
_NUMBERS = {5: "five"}
#: What a detailed grouping does with the Census 2021 groups that have no NHS code (Arab, Gypsy or
#: Irish Traveller, Roma) when a published table has them (:func:`grouping_note`).
CENSUS_ONLY = {
    "kept": " (a published table by Census 2021 groups keeps Arab, Gypsy or Irish Traveller and "
    "Roma as groups of their own, after the 16)",
    "merged": "; a published table's Census 2021 Gypsy or Irish Traveller and Roma, with no NHS "
    "code either, are counted in Other White",
}


def grouping_note(
    grouping: str,
    *,
    subject: str,
    convention: str = "census2021",
    scheme: str | None = None,
    census_only: str | None = None,
) -> str:
    """The ethnic groups of a report and where Chinese and Arab are counted, for its methods.

    The one wording of every report's "Ethnic groups" bullet; what differs between reports is a
    parameter: what is grouped, the published convention followed at the high level, the
    detailed scheme and what becomes of Census-only groups.

    Parameters
    ----------
    grouping : {"high_level", "detailed"}
        The notebook's grouping.
    subject : str
        What is grouped (``"the respondent's recorded NHS ethnic category"``).
    convention : {"census2021", "nhs_england", "mbrrace"}, default "census2021"
        The published convention for Chinese at the high level (:data:`CONVENTIONS`): Census
        2021 counts it under Asian, NHS England and MBRRACE-UK ("Chinese or other") under Other.
    scheme : {"high_level", "nhs_code", "census2021"}, optional
        The scheme analysed when the data decide it (notebook 06: NHS 16, or Census 2021 19 when
        every table has them); it must agree with ``grouping``. Default :func:`scheme_of`.
    census_only : {"kept", "merged"}, optional
        With detailed NHS groups, what becomes of the Census 2021 groups with no NHS code when a
        published table has them (:data:`CENSUS_ONLY`): kept as groups of their own, or counted
        in Any other ethnic group and Other White. None: the data are records; nothing is said.

    Returns
    -------
    str
        One markdown bullet, e.g. ``'- **Ethnic groups**: the mother's NHS ethnic category
        harmonised to five high-level groups (Asian, Black, Mixed, White, Other;
        `rhoresearch.ethnicity.harmonise`). Chinese is counted under Other, as MBRRACE-UK
        ("Chinese or other") and the NHS codes do (Census 2021 counts it under Asian); Arab has no
        NHS code and is recorded as "Any other ethnic group" (S), so it is counted under Other.'``

    Raises
    ------
    InputError
        An unknown grouping, convention, scheme or ``census_only``, or a scheme that does not
        agree with ``grouping``.

    References
    ----------
    NHS Data Dictionary: ETHNIC CATEGORY. ONS Census 2021 dictionary: ethnic group. MBRRACE-UK,
    Saving Lives, Improving Mothers' Care ("Chinese or other"). NHS England. Mental Health Act
    Statistics, Annual Figures.
    """
    check_grouping(grouping, func="grouping_note")
    if convention not in CONVENTIONS:
        raise InputError(
            f"grouping_note: convention must be one of {list(CONVENTIONS)}, got {convention!r}"
        )
    if census_only is not None and census_only not in CENSUS_ONLY:
        raise InputError(
            f"grouping_note: census_only must be one of {list(CENSUS_ONLY)} or None, "
            f"got {census_only!r}"
        )
    scheme = scheme_of(grouping, func="grouping_note") if scheme is None else scheme
    _check_scheme(scheme, "grouping_note")
    if (scheme == "high_level") != (grouping == "high_level"):
        raise InputError(
            f"grouping_note: scheme {scheme!r} does not agree with grouping {grouping!r}"
        )
    arab = 'Arab has no NHS code and is recorded as "Any other ethnic group" (S)'
    if scheme != "high_level":
        groups = group_order(scheme, short=True)
        listed = f"by their short names ({', '.join(groups[:2])}, ..., {groups[-1]})"
        if scheme == "census2021":
            return (
                f"- **Ethnic groups**: {subject}, the {len(groups)} Census 2021 groups {listed}, "
                "so Chinese and Arab are groups of their own (Chinese an Asian group and Arab an "
                "Other group, as the Census classifies them)."
            )
        extra = CENSUS_ONLY[census_only] if census_only is not None else ""
        return (
            f"- **Ethnic groups**: {subject}, the {len(groups)} NHS ethnic categories {listed}, "
            f"so Chinese is a group of its own; {arab}, so it is counted in Any other ethnic "
            f"group{extra}."
        )
    high = group_order("high_level")
    chinese, source, others = CONVENTIONS[convention]
    where = "Asian" if chinese == "asian" else "Other"
    return (
        f"- **Ethnic groups**: {subject} harmonised to {_NUMBERS.get(len(high), len(high))} "
        f"high-level groups ({', '.join(high)}; `rhoresearch.ethnicity.harmonise`). Chinese is "
        f"counted under {where}, {source} ({others}); {arab}, so it is counted under Other."
    )
