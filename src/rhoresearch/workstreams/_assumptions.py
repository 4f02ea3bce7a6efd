"""The assumptions log of a report: one helper that every workstream's ``assumptions`` uses.

Each workstream words its own assumptions from the report's parameters (for example
:func:`rhoresearch.workstreams.maternity.assumptions`); this module turns those rows into the tidy
frame that :func:`rhoresearch.report.findings.things_to_know` shows as the page's assumptions log,
and counts what the data cover from a data-quality table.

References
----------
Government Statistical Service (2021). *Communicating quality, uncertainty and change* (state the
assumptions made and their likely effect on the statistics).
https://analysisfunction.civilservice.gov.uk/policy-store/communicating-quality-uncertainty-and-change/
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from rhoresearch import disclosure
from rhoresearch.exceptions import InputError
from rhoresearch.report.findings import ASSUMPTION_COLUMNS
from rhoresearch.validation import check_frame, require_columns

__all__ = [
    "assumptions_log",
    "and_list",
    "chance_caveat",
    "exclusion_summary",
    "records_covered",
]


def assumptions_log(rows: Iterable[Sequence[str]]) -> pd.DataFrame:
    """An assumptions log from ``(assumption, why, likely_effect)`` rows.

    Parameters
    ----------
    rows : iterable of 3-sequences of str
        One row per assumption, each a non-empty sentence.

    Returns
    -------
    pandas.DataFrame
        :data:`rhoresearch.report.findings.ASSUMPTION_COLUMNS` (``assumption``, ``why``,
        ``likely_effect``), one row per assumption, in the order given.

    Raises
    ------
    rhoresearch.exceptions.InputError
        A row does not have three non-empty texts.
    """
    table = [tuple(str(part).strip() for part in row) for row in rows]
    for row in table:
        if len(row) != len(ASSUMPTION_COLUMNS) or not all(row):
            raise InputError(
                f"assumptions_log: each row needs {len(ASSUMPTION_COLUMNS)} non-empty texts "
                f"({', '.join(ASSUMPTION_COLUMNS)}), got {row!r}"
            )
    return pd.DataFrame(table, columns=list(ASSUMPTION_COLUMNS))


def and_list(items: Iterable[object]) -> str:
    """Join words for a sentence: ``["a", "b", "c"]`` -> ``"a, b and c"`` (``""`` for none)."""
    words = [str(i) for i in items]
    if len(words) < 2:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def records_covered(
    quality: pd.DataFrame,
    *,
    step: str = "records",
    dataset: str = "dataset",
    count: str = "rows",
) -> dict[str, object]:
    """What the data cover, from a data-quality table: the records of each dataset.

    Parameters
    ----------
    quality : pandas.DataFrame
        A data-quality table with one row per dataset whose ``step`` column is ``step`` (the
        records read; e.g. ``maternity.data_quality``), after disclosure control. Not modified.
    step, dataset, count : str
        The step marking the records row, and the dataset and count columns.

    Returns
    -------
    dict
        ``"Records (<dataset>)"`` -> the count, in the table's order (a suppressed count as
        shown), for :func:`rhoresearch.report.findings.things_to_know`'s ``coverage``.
    """
    check_frame(quality, func="records_covered", name="quality")
    if quality.empty:
        return {}
    require_columns(quality, ["step", dataset, count], func="records_covered")
    rows = quality[quality["step"] == step]
    return {f"Records ({d})": n for d, n in zip(rows[dataset], rows[count], strict=True)}


def exclusion_summary(
    quality: pd.DataFrame,
    *,
    add_up: Mapping[str, str],
    last_of: Sequence[str] = (),
    count: str = "rows",
) -> pd.DataFrame:
    """A data-quality table shortened for a paragraph: disjoint reasons added up.

    Parameters
    ----------
    quality : pandas.DataFrame
        ``dataset``, ``step``, ``reason``, ``count``, ``applies_to`` (one row per reason), after
        disclosure control. Not modified.
    add_up : mapping
        Step -> the reason written for its total, for steps whose reasons are disjoint (each
        row left out for one of them only, e.g. ethnic category not stated, not known, invalid).
    last_of : sequence of str
        Steps of which only the last row is kept (a step ending with its union, e.g. "missing
        any model covariate").
    count : str
        The count column.

    Returns
    -------
    pandas.DataFrame
        ``dataset``, ``step``, ``reason``, ``count``, ``applies_to`` and the count's suppression
        flag, one row per dataset and added-up step, per kept row otherwise, in the table's
        order. A total with a suppressed part is suppressed (it would give the part away).

    Raises
    ------
    rhoresearch.exceptions.InputError
        A column is missing.
    """
    check_frame(quality, func="exclusion_summary", name="quality")
    require_columns(
        quality, ["dataset", "step", "reason", count, "applies_to"], func="exclusion_summary"
    )
    hidden = pd.Series(disclosure.is_suppressed(quality, count), index=quality.index, dtype=bool)
    rows: list[dict[str, object]] = []
    for (dataset, step), group in quality.groupby(["dataset", "step"], sort=False):
        if step in add_up:
            secret = bool(hidden[group.index].any())
            total = np.nan if secret else pd.to_numeric(group[count]).sum()
            parts = [(add_up[str(step)], total, secret, group["applies_to"].iloc[0])]
        else:
            kept = group.tail(1) if step in last_of else group
            parts = [
                (r, np.nan if hidden[i] else n, bool(hidden[i]), a)
                for i, r, n, a in zip(
                    kept.index, kept["reason"], kept[count], kept["applies_to"], strict=True
                )
            ]
        rows += [
            {
                "dataset": dataset,
                "step": step,
                "reason": reason,
                count: value,
                "applies_to": applies,
                disclosure.flag_column(count): "suppressed" if secret else None,
            }
            for reason, value, secret, applies in parts
        ]
    return pd.DataFrame(
        rows,
        columns=["dataset", "step", "reason", count, "applies_to", disclosure.flag_column(count)],
    )


def chance_caveat(confidence: float, *, what: str) -> str:
    """The multiple-comparisons caveat, with the rate of chance findings from ``confidence``.

    Parameters
    ----------
    confidence : float
        The intervals' level, e.g. 0.95 (about 1 in 20 intervals exclude "no difference" by
        chance when there is none).
    what : str
        What is compared, e.g. "Four questions and several groups".

    Returns
    -------
    str
        One sentence.
    """
    if not 0 < confidence < 1:
        raise InputError(f"chance_caveat: confidence must be between 0 and 1, got {confidence!r}")
    one_in = round(1 / (1 - confidence))
    return (
        f'{what} are compared, so some intervals will exclude "no difference" by chance alone '
        f"(about 1 in {one_in} at {confidence:.0%} confidence when there is no real difference)."
    )
