"""Workstream 5 groupings and published tables of counts, read into the counted layout (private).

The pieces of :func:`~rhoresearch.workstreams.maternity.read_inputs` that concern ethnic groups and
aggregate tables: the groups at each grouping (:func:`group_order`), records regrouped to the NHS 16
categories (:func:`detailed_groups`), an aggregate table recognised (:func:`is_aggregate_input`),
read and checked by :func:`rhoresearch.data.published.read_aggregate`, summed to the grouping and
put in the counted layout (:func:`read_aggregate_input`), and period labels read in any of their
written forms (:func:`period_labels`).

References
----------
Knight M, et al. (eds.) on behalf of MBRRACE-UK. Saving Lives, Improving Mothers' Care ("Chinese or
other"; rolling periods labelled "2018-20"). NHS Data Dictionary, ETHNIC CATEGORY.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

import pandas as pd

from rhoresearch import ethnicity
from rhoresearch.data import published
from rhoresearch.exceptions import InputError
from rhoresearch.validation import slug, slugs
from rhoresearch.workstreams import _grouping, _records

__all__ = [
    "GROUPINGS",
    "STRATA",
    "group_order",
    "detailed_groups",
    "auto_columns",
    "is_aggregate_input",
    "read_aggregate_input",
    "period_labels",
]

logger = logging.getLogger(__name__)

#: The groupings a report can use: the five high-level groups, or the NHS 16 categories.
GROUPINGS = _grouping.GROUPINGS
#: Strata an aggregate table may have (the notebook's names).
STRATA = ("year", "period", "age_band", "imd_quintile", "region", "region_name", "region_code")
_REGIONS = ("region", "region_name", "region_code")
_NOT_KNOWN = {ethnicity.NOT_STATED: "not stated", ethnicity.NOT_KNOWN: "not known"}


def group_order(grouping: str = "high_level") -> list[str]:
    """The groups compared at ``grouping``, in display order.

    Parameters
    ----------
    grouping : {"high_level", "detailed"}, default "high_level"
        Five high-level groups (Chinese under Other), or the NHS 16 categories by their short
        labels (``"White British"``, ``"Indian"``, ``"Caribbean"`` ...).

    Returns
    -------
    list of str
        :func:`rhoresearch.workstreams._grouping.group_order` of the grouping's scheme, short
        labels.

    References
    ----------
    NHS Data Dictionary, ETHNIC CATEGORY (16 national codes). MBRRACE-UK ("Chinese or other").
    """
    return _grouping.group_order(_grouping.scheme_of(grouping, func="group_order"), short=True)


def detailed_groups(counts: pd.DataFrame, *, unknown: str, func: str) -> pd.DataFrame:
    """Counted records with ``ethnic_group`` at the NHS 16 categories (short labels).

    Parameters
    ----------
    counts : DataFrame
        Counted records (``ethnic_category`` as recorded, ``ethnicity_status``). Not modified.
    unknown : {"exclude", "reference"}
        Records without a usable category: no group, or White British (MBRRACE-UK convention).
    func : str
        The caller, for the log.

    Returns
    -------
    DataFrame
        A copy with ``ethnic_group`` an ordered categorical of :func:`group_order` ``("detailed")``.

    References
    ----------
    NHS Data Dictionary, ETHNIC CATEGORY (16 national codes).
    """
    group = _grouping.harmonise_groups(counts, scheme="nhs_code", short=True)
    if unknown == "reference":  # MBRRACE-UK: not known counted with White, here White British
        group = group.fillna(group.cat.categories[0])
    logger.info("%s: ethnic groups at the detailed level (NHS 16 categories)", func)
    return counts.assign(ethnic_group=group.rename("ethnic_group"))


#: For each dataset: (its value columns in the notebook's names, the value each is read as
#: by read_aggregate, the column that tells an aggregate table from records).
_AGGREGATE: dict[str, dict[str, str]] = {
    "maternities": {"maternities": "population"},
    "deaths": {"maternal_deaths": "count"},
    "births": {"births": "population", "stillbirths": "count", "neonatal_deaths": "count"},
}
_STANDARD = {"population": "maternities", "denominator": "maternities", "count": "maternal_deaths"}


def _mapping(columns: Mapping[str, str] | None, ours: str, value: str) -> dict[str, str]:
    """``columns`` composed with ``ours -> value`` (what read_aggregate reads as ``value``)."""
    mapping = {src: (value if dst == ours else dst) for src, dst in (columns or {}).items()}
    mapping.setdefault(ours, value)
    return mapping


#: The notebook's names of aggregate columns (matched to a publication's ignoring case and
#: punctuation: "Ethnic group" is ethnic_group, "Maternities" is maternities).
_KNOWN = (
    "ethnic_group",
    *STRATA,
    "maternities",
    "maternal_deaths",
    "births",
    "stillbirths",
    "live_births",
    "neonatal_deaths",
    "count",
    "population",
    "denominator",
)


def auto_columns(source: Any, columns: Mapping[str, str] | None) -> dict[str, str]:
    """``columns``, plus each source column named as a notebook name but for case and punctuation.

    Parameters
    ----------
    source : path, ``"spark:<db.table>"`` or DataFrame
        The table (only its column names are read).
    columns : mapping or None
        The user's mapping, publication name -> notebook name; it takes precedence.

    Returns
    -------
    dict
        The mapping, e.g. ``{"Ethnic group": "ethnic_group", "Maternities": "maternities"}``.

    References
    ----------
    NHS England and MBRRACE-UK published tables (column headings in words).
    """
    given = dict(columns or {})
    known = {slug(name): name for name in _KNOWN}
    for raw in published.source_columns(source):
        if raw not in given and raw not in known.values() and slug(raw) in known:
            given[raw] = known[slug(raw)]
    return given


def is_aggregate_input(source: Any, dataset: str, columns: Mapping[str, str] | None) -> bool:
    """Whether ``source`` is a table of counts of ``dataset`` rather than records.

    Parameters
    ----------
    source : path, ``"spark:<db.table>"`` or DataFrame
        The data (only its column names are read).
    dataset : {"maternities", "births", "deaths"}
        Which dataset it is given as.
    columns : mapping or None
        Publication name -> notebook name (:func:`auto_columns`).

    Returns
    -------
    bool
        True when it has the dataset's count column (``maternities``, ``population`` or
        ``denominator``; ``stillbirths``; ``maternal_deaths`` or ``count``) after renaming.

    References
    ----------
    MBRRACE-UK, Saving Lives, Improving Mothers' Care (counts of deaths and maternities).
    """
    names = set(published.source_columns(source, columns=columns))
    if dataset == "births":
        return "stillbirths" in names
    ours = next(iter(_AGGREGATE[dataset]))
    candidates = {ours, *(k for k, v in _STANDARD.items() if v == ours)}
    return bool(names & candidates)


def read_aggregate_input(
    source: Any,
    dataset: str,
    *,
    region: str,
    unknown: str,
    grouping: str,
    columns: Mapping[str, str] | None,
    where: Mapping[str, object] | None,
) -> pd.DataFrame:
    """A table of counts of ``dataset``, read, checked and put in the counted layout.

    Parameters
    ----------
    source : path, ``"spark:<db.table>"`` or DataFrame
        The table. Not modified.
    dataset : {"maternities", "births", "deaths"}
        Which dataset it is.
    region, unknown, grouping
        As for :func:`~rhoresearch.workstreams.maternity.read_inputs`.
    columns, where : mapping or None
        As for :func:`rhoresearch.data.published.read_aggregate`.

    Returns
    -------
    DataFrame
        The counted layout (``ethnic_group``, ``ethnicity_status``, ``ethnic_category`` (the
        label as summed), the strata the table has, the counts).

    Raises
    ------
    SchemaError
        From :func:`rhoresearch.data.published.read_aggregate` (a duplicated group, a negative
        or non-whole count, a label that is not an ethnic group) or
        :func:`~rhoresearch.data.published.to_groups`.
    InputError
        Births columns that do not cover the same groups; no row in ``region``.

    References
    ----------
    MBRRACE-UK, Saving Lives, Improving Mothers' Care. NHS Data Dictionary, ETHNIC CATEGORY.
    """
    name = f"{dataset} table {source if isinstance(source, str) else ''}".strip()
    read: dict[str, pd.DataFrame] = {}
    wanted = dict(_AGGREGATE[dataset])
    if dataset == "births" and "live_births" in published.source_columns(source, columns=columns):
        wanted["live_births"] = "count"
    for ours, value in wanted.items():
        mapping = _mapping(columns, ours, value)
        if dataset != "births":  # a publication's own count/population column is accepted too
            for std, target in _STANDARD.items():
                if target == ours:
                    mapping.setdefault(std, value)
        table = published.read_aggregate(
            source,
            value=value,
            optional_strata=STRATA,
            columns=mapping,
            where=where,
            chinese="other",
            name=name,
        )
        read[ours] = table.rename(columns={value: ours})
    first = next(iter(read.values()))
    strata = [c for c in first.columns if c in STRATA]
    keys = ["ethnic_group", *strata]
    table = first
    for ours, other in list(read.items())[1:]:
        table = table.merge(other[[*keys, ours]], on=keys, how="outer")
        if table[ours].isna().any() or table[next(iter(read))].isna().any():
            raise InputError(
                f"maternity.read_inputs: {name}: the {list(read)} columns do not cover the same "
                "groups and strata"
            )
    table = _select_region(table, region=region, name=name)
    scheme = "high_level" if grouping == "high_level" else published.detailed_scheme(table)
    summed = published.to_groups(table, to=scheme, chinese="other", values=list(read), name=name)
    return _counted_layout(summed, values=list(read), unknown=unknown, grouping=grouping)


def _select_region(table: pd.DataFrame, *, region: str, name: str) -> pd.DataFrame:
    present = [c for c in _REGIONS if c in table.columns]
    if not present:
        if not _records.is_england(region):
            logger.info("%s: no region column; the table is taken to be for %s", name, region)
        return table
    if _records.is_england(region):
        return table
    keep = pd.Series(False, index=table.index)
    for column in present:
        keep |= slugs(table[column].astype("str")).eq(slug(region)).fillna(False)
    if not keep.any():
        known = sorted(table[present[0]].astype("str").unique().tolist())
        raise InputError(
            f"maternity.read_inputs: {name}: no row in region {region!r}; the regions are {known}"
        )
    return table.loc[keep.to_numpy()]


def _counted_layout(
    summed: pd.DataFrame, *, values: list[str], unknown: str, grouping: str
) -> pd.DataFrame:
    """:func:`rhoresearch.data.published.to_groups` output in the counted layout."""
    labels = summed["ethnic_group"].astype("str")
    status = labels.map(_NOT_KNOWN).fillna("recorded")
    if grouping == "detailed":
        labels = labels.map(ethnicity.short_labels("nhs_code")).fillna(
            labels.map(ethnicity.short_labels("census2021"))
        )
    order = group_order(grouping)
    if grouping == "detailed":  # Census 2021 only groups (Arab, Gypsy, Roma) after the NHS 16
        order = [*order, *sorted(set(labels[status.eq("recorded")]) - set(order))]
    known = labels.where(status.eq("recorded").to_numpy())
    if unknown == "reference":
        known = known.fillna(order[0] if grouping == "detailed" else "White")
    out = summed.drop(columns="ethnic_group").assign(
        ethnic_category=summed["ethnic_group"].astype("str"),
        ethnic_group=pd.Categorical(known, categories=order, ordered=True),
        ethnicity_status=status.to_numpy(),
    )
    if "region" in out.columns and "region_name" not in out.columns:
        out = out.rename(columns={"region": "region_name"})
    if "period" in out.columns:
        out["period"] = period_labels(out["period"])
    if "imd_quintile" in out.columns:
        out["imd_quintile"] = pd.to_numeric(out["imd_quintile"]).astype("Int64")
    if "year" in out.columns:
        out["year"] = pd.to_numeric(out["year"]).astype("Int64")
    if "stillbirths" in values and "live_births" not in values:
        out["live_births"] = out["births"] - out["stillbirths"]
    if "maternal_deaths" in values:
        out["deaths"] = out["maternal_deaths"]
    return out.reset_index(drop=True)


_PERIOD = re.compile(r"^\s*(\d{4})\s*(?:-|/|–|to)\s*(\d{2}|\d{4})\s*$")


def period_labels(values: pd.Series) -> pd.Series:
    """Periods written ``"2016-18"``, ``"2016/18"``, ``"2016-2018"`` or ``"2016 to 2018"`` as
    ``"2016-18"`` (MBRRACE-UK's form); a single year stays as it is.

    Parameters
    ----------
    values : Series
        Period labels. Not modified.

    Returns
    -------
    Series
        The labels as str, same index.

    Raises
    ------
    InputError
        A label that is neither a year nor a range of years, naming it.

    References
    ----------
    MBRRACE-UK, Saving Lives, Improving Mothers' Care (periods labelled "2018-20").
    """
    out = {}
    for value in pd.unique(values.astype("str")):
        text = str(value).strip()
        match = _PERIOD.match(text)
        if match:
            start, end = int(match.group(1)), match.group(2)
            out[value] = f"{start}-{int(end) % 100:02d}"
        elif text.isdigit() and len(text) == 4:
            out[value] = text
        else:
            raise InputError(
                f"period_labels: period {value!r} is not a year or a range of years "
                "('2016-18', '2016/18', '2016-2018')"
            )
    return values.astype("str").map(out)
