"""Small helpers shared by the workstream modules (private).

Count tidying that several analysis modules use in the same form (:func:`whole_counts`,
:func:`percentages`); nothing here is specific to one workstream. Shared docstring text is filled
by :func:`rhoresearch.docstrings.fill_docs`. Argument checks (column lists,
columns present, slugs) are those of :mod:`rhoresearch.validation`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from rhoresearch import stats


def whole_counts(frame: pd.DataFrame, columns: Iterable[str]) -> pd.DataFrame:
    """A copy of ``frame`` with summed counts as whole numbers (``Int64``) when every one is whole.

    Float ``columns`` whose finite values are all whole become nullable ``Int64``; other columns
    are unchanged. ``frame`` is not modified.
    """
    out = frame.copy()
    for col in columns:
        if col in out and pd.api.types.is_float_dtype(out[col]):
            vals = out[col]
            finite = vals.dropna()
            if np.all(np.isfinite(finite)) and np.all(finite == np.round(finite)):
                out[col] = vals.round().astype("Int64")
    return out


def percentages(
    frame: pd.DataFrame,
    *,
    numerator: str,
    denominator: str,
    by: str | Sequence[str] | None,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """:func:`rhoresearch.stats.proportion` in % (its sums are ``numerator``/``denominator``).

    The sums are whole numbers (``Int64``) when every one is whole (:func:`whole_counts`).
    """
    res = stats.proportion(
        frame,
        numerator=numerator,
        denominator=denominator,
        by=by,
        confidence=confidence,
        multiplier=100,
    )
    return whole_counts(res, ["numerator", "denominator"])
