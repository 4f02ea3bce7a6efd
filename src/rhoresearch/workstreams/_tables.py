"""Tables as a report publishes them (private): disclosure rules as data, and model tables' counts.

A table that a report shows and saves is a computed frame, the columns of it that are published,
and the options of :func:`rhoresearch.disclosure.suppress` that protect it (which columns are
counts, which are derived from them, within which groups the counts add up, whether secondary
suppression applies). A workstream states them once per table, as a :class:`Publication` beside
the table's column list, and :func:`publish` applies it, so every ``*_table`` function reads: check
the threshold, compute, publish.

An odds-ratio table is published with the counts behind each group's estimate:
:func:`comparison_frame` makes the frame a logistic model compares groups on (groups of unknown
ethnicity left out and counted, covariates as categories) and :func:`logistic_by_group` fits
:func:`rhoresearch.stats.logistic_model` on it and adds each group's counts of the rows used.

References
----------
Hundepool A, et al. Statistical Disclosure Control. Wiley, 2012, chapters 4 and 5.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from rhoresearch import disclosure, stats

#: The columns of :func:`rhoresearch.stats.logistic_model` that an odds-ratio table publishes for
#: each group: the estimate, its interval and level, and whether the group is the reference.
MODEL_ESTIMATES = stats.ESTIMATE_COLUMNS
#: The row counts an odds-ratio table publishes after them: the model's rows used and left out
#: (missing values), and the rows of the groups not compared (:func:`comparison_frame`).
MODEL_ROWS = ["n_used", "n_excluded", "n_excluded_group"]


class Publication(NamedTuple):
    """How one table is published: its columns and its disclosure rules.

    Attributes
    ----------
    columns : sequence of str
        The columns published, in order.
    rules : mapping of str to object
        Keyword arguments of :func:`rhoresearch.disclosure.suppress` other than ``threshold``
        (``counts``, ``derived``, ``by``, ``margins``, ``secondary`` ...).
    """

    columns: Sequence[str]
    rules: Mapping[str, Any]


def publication(columns: Sequence[str], **rules: Any) -> Publication:
    """A :class:`Publication` of ``columns`` with the ``rules`` given as keyword arguments."""
    return Publication(list(columns), rules)


#: The docstring entry of the ``policy`` parameter every suppressing workstream function takes
#: (for :func:`rhoresearch.workstreams._wording.document`).
POLICY_DOC = {
    "policy": (
        "policy : Policy, optional\n"
        "    A disclosure policy (:func:`rhoresearch.disclosure.policy`) passed to\n"
        "    :func:`rhoresearch.disclosure.suppress`; ``None`` (default): the ``threshold`` policy."
    )
}


def publish(
    table: pd.DataFrame,
    how: Publication,
    *,
    threshold: int,
    policy: disclosure.Policy | None = None,
) -> pd.DataFrame:
    """``how.columns`` of ``table`` after :func:`rhoresearch.disclosure.suppress` with ``how.rules``.

    Parameters
    ----------
    table : pandas.DataFrame
        The computed table (it may have more columns); not modified.
    how : Publication
        The columns and rules.
    threshold : int
        Counts from 1 to ``threshold - 1`` are suppressed (already checked by the caller).
    policy : Policy, optional
        A disclosure policy (:func:`rhoresearch.disclosure.policy`) passed to
        :func:`rhoresearch.disclosure.suppress`; ``None`` (default): the ``threshold`` policy.

    Returns
    -------
    pandas.DataFrame
        As :func:`rhoresearch.disclosure.suppress` returns it.
    """
    return disclosure.suppress(
        table[list(how.columns)], threshold=threshold, policy=policy, **how.rules
    )


class ComparisonFrame(NamedTuple):
    """What :func:`comparison_frame` returns.

    Attributes
    ----------
    data : pandas.DataFrame
        The rows of the groups compared, covariates as text.
    n_excluded_group : int
        The rows left out because their group is excluded or missing.
    """

    data: pd.DataFrame
    n_excluded_group: int


def comparison_frame(
    data: pd.DataFrame, *, group: str, covariates: Sequence[str], exclude_groups: Sequence[str]
) -> ComparisonFrame:
    """The rows a model compares groups on: excluded groups left out, covariates as categories.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per person (or reading); not modified.
    group : str
        The group column; a categorical one loses the categories left empty.
    covariates : sequence of str
        Adjustment columns, turned into text so that the model enters them as categories.
    exclude_groups : sequence of str
        Group values left out (e.g. ethnicity not stated or not known), as are missing groups.

    Returns
    -------
    ComparisonFrame
        ``(data, n_excluded_group)``: a copy of the rows kept, and how many rows were left out.
    """
    is_excluded = data[group].isin(list(exclude_groups)) | data[group].isna()
    work = data.loc[~is_excluded].copy()
    if isinstance(work[group].dtype, pd.CategoricalDtype):
        work[group] = work[group].cat.remove_unused_categories()
    for c in covariates:
        work[c] = work[c].astype("string")
    return ComparisonFrame(work, int(is_excluded.sum()))


def logistic_by_group(
    work: pd.DataFrame,
    *,
    outcome: str,
    group: str,
    counts: Mapping[str, tuple[str, str]],
    **model: Any,
) -> pd.DataFrame:
    """:func:`rhoresearch.stats.logistic_model`, with each group's counts of the rows it used.

    Parameters
    ----------
    work : pandas.DataFrame
        The frame of :func:`comparison_frame`; not modified.
    outcome, group : str
        The 0/1 outcome and the group column.
    counts : mapping of str to (str, str)
        New column -> (column, aggregation) over each group's rows used by the model, e.g.
        ``{"n_events": ("occult_hypoxaemia", "sum"), "n_patients": ("patient_id", "nunique")}``;
        whole numbers, 0 for a group without rows.
    **model
        The other arguments of :func:`rhoresearch.stats.logistic_model` (``reference``,
        ``covariates``, ``cluster``, ``weights``, ``confidence`` ...).

    Returns
    -------
    pandas.DataFrame
        The rows of :func:`rhoresearch.stats.logistic_model` (one per ``group`` value and level)
        with the ``counts`` columns added.

    Notes
    -----
    The rows used are those with every model column present (outcome, group, covariates, weights,
    cluster), the rows the model itself keeps.
    """
    res = stats.logistic_model(work, outcome=outcome, group=group, **model).copy()
    needed = [outcome, group, *model.get("covariates", ())]
    needed += [model[k] for k in ("weights", "cluster") if model.get(k) is not None]
    used = work.dropna(subset=needed)
    per_group = used.groupby(group, observed=True).agg(**counts)
    per_group.index = per_group.index.astype(str)
    key = res["group"].astype(str)
    for column in counts:
        res[column] = key.map(per_group[column]).fillna(0).round().astype("int64").to_numpy()
    return res


def left_out_groups(
    res: pd.DataFrame, left_out: Sequence[str], *, n_excluded_group: int
) -> pd.DataFrame:
    """A model table's ``n_excluded_group``, and its row counts hidden when groups were left out.

    Parameters
    ----------
    res : pandas.DataFrame
        :func:`logistic_by_group` output; not modified.
    left_out : sequence of str
        Groups left out for being too small for the model
        (:func:`rhoresearch.workstreams._grouping.sparse_groups`).
    n_excluded_group : int
        The rows left out because of their group (:func:`comparison_frame`).

    Returns
    -------
    pandas.DataFrame
        A copy with ``n_excluded_group``; with ``left_out``, the :data:`MODEL_ROWS` are missing
        (``Int64``): the model's rows used and left out would add up, with the counts shown
        elsewhere, to the size of a left-out group, which may be a small number.

    References
    ----------
    Hundepool A, et al. Statistical Disclosure Control. Wiley, 2012, section 4.2 (linked tables).
    """
    out = res.assign(n_excluded_group=n_excluded_group)
    if len(left_out):
        out[MODEL_ROWS] = pd.NA
        out = out.astype(dict.fromkeys(MODEL_ROWS, "Int64"))
    return out


def mark_linked(
    table: pd.DataFrame,
    shown: pd.DataFrame,
    linked: pd.DataFrame,
    *,
    keys: Sequence[str],
    counts: Sequence[str],
) -> tuple[pd.DataFrame, bool]:
    """``table`` with each count that a linked table hides, but ``shown`` shows, marked suppressed.

    Two tables that publish the same cells must hide the same ones: a cell shown in one and hidden
    in the other (each table's secondary suppression chose differently) tells a reader nothing,
    but a value derived from it in the second table (an odds ratio) is then hidden for no reason,
    and the two patterns together may give a cell away. The caller suppresses ``table`` again
    with the marks, and repeats until nothing is added (:func:`rhoresearch.disclosure.suppress`
    keeps a flagged input cell's reason).

    Parameters
    ----------
    table : pandas.DataFrame
        The first table before suppression (the same index as ``shown``); not modified.
    shown : pandas.DataFrame
        ``table`` after suppression, with the ``keys`` columns as in ``linked``.
    linked : pandas.DataFrame
        The second table after suppression, with ``keys`` and ``counts``.
    keys : list of str
        The columns that identify a cell's row in both tables.
    counts : list of str
        The count columns the tables share.

    Returns
    -------
    tuple of (pandas.DataFrame, bool)
        The marked copy (each such cell missing and flagged ``"secondary"``) and whether any cell
        was marked.

    References
    ----------
    Hundepool A, et al. Statistical Disclosure Control. Wiley, 2012, section 4.2 (linked tables).
    """
    rows_of = shown.assign(_row=shown.index)
    out = table.copy()
    added = False
    for column in counts:
        hidden = linked.loc[disclosure.is_suppressed(linked, column), list(keys)]
        if not len(hidden):
            continue
        pairs = rows_of.merge(hidden, on=list(keys), how="inner")
        shown_here = np.asarray(disclosure.is_suppressed(pairs, column), dtype=bool)
        rows = pairs.loc[~shown_here, "_row"]
        if len(rows):
            flag = disclosure.flag_column(column)
            out[column] = out[column].astype("Int64")
            out.loc[rows, column] = pd.NA
            if flag not in out.columns:
                out[flag] = pd.Series(pd.NA, index=out.index, dtype=object)
            out.loc[rows, flag] = "secondary"
            added = True
    return out, added
