"""Small frame helpers shared by the workstream modules (private).

Argument normalisation, column checks and count tidying that several analysis modules use in
the same form; nothing here is specific to one workstream.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from rhoresearch.exceptions import InputError


def as_list(by) -> list[str]:
    """``None`` -> ``[]``, a string -> ``[by]``, any other iterable -> ``list(by)``."""
    if by is None:
        return []
    return [by] if isinstance(by, str) else list(by)


def whole_counts(frame: pd.DataFrame, columns) -> pd.DataFrame:
    """Show summed counts as whole numbers (nullable ``Int64``) when every value is whole."""
    for col in columns:
        if col in frame and pd.api.types.is_float_dtype(frame[col]):
            vals = frame[col]
            finite = vals.dropna()
            if np.all(np.isfinite(finite)) and np.all(finite == np.round(finite)):
                frame[col] = vals.round().astype("Int64")
    return frame


def percentages(frame: pd.DataFrame, *, numerator, denominator, by, confidence=0.95):
    """``indicators.proportion`` in %, sums renamed ``numerator``/``denominator`` (whole if whole)."""
    from rhoresearch.stats import indicators

    res = indicators.proportion(
        frame,
        numerator=numerator,
        denominator=denominator,
        by=by,
        confidence=confidence,
        multiplier=100,
    )
    res = res.rename(columns={numerator: "numerator", denominator: "denominator"})
    return whole_counts(res, ["numerator", "denominator"])


def require(data: pd.DataFrame, columns, func: str) -> None:
    """Raise InputError naming the missing columns of ``data``."""
    if not isinstance(data, pd.DataFrame):
        raise InputError(f"{func}: expected a pandas DataFrame, got {type(data).__name__}")
    missing = [c for c in columns if c not in data.columns]
    if missing:
        raise InputError(
            f"{func}: column(s) {missing} not found; the table has {list(data.columns)}"
        )


def alnum_slug(text) -> str:
    """Lower case letters and digits only: ``"Hospital-episodes"`` -> ``"hospitalepisodes"``."""
    return "".join(ch for ch in str(text).lower() if ch.isalnum())
