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
  categorical of :func:`group_order`.

References
----------
Race Disparity Unit. Standards for ethnicity data (2023): detailed groups wherever numbers allow.
NHS England. NHS Data Dictionary: ETHNIC CATEGORY (16 national codes). Office for National
Statistics. Census 2021 dictionary: ethnic group (19 categories).
"""

from __future__ import annotations

import logging
import warnings

import pandas as pd

from rhoresearch import ethnicity
from rhoresearch.exceptions import DataQualityWarning, InputError

__all__ = [
    "GROUPINGS",
    "SCHEMES",
    "check_grouping",
    "group_order",
    "harmonise_groups",
    "reference_label",
    "scheme_of",
]

logger = logging.getLogger(__name__)

#: The values of the ``grouping`` parameter: the five high-level groups, or the detailed ones.
GROUPINGS = ("high_level", "detailed")
#: The schemes a grouping analyses (:mod:`rhoresearch.ethnicity`): high level, NHS 16, Census 19.
SCHEMES = ("high_level", "nhs_code", "census2021")
_UNKNOWN = (ethnicity.NOT_STATED, ethnicity.NOT_KNOWN)


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
