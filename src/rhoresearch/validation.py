"""Argument checks shared by every layer: one rule each, one wording of the error.

Every public function of the package checks its arguments through these helpers (as scikit-learn's
``utils.validation`` does for estimators), so that a column list, a confidence level or a
suppression threshold is accepted or refused the same way everywhere, and the error names the
function, the argument, what is allowed and what was passed.

The rules
---------
- *Column arguments* (``by``, ``counts``, ...): ``None`` (no columns), one column name (a string) or
  a list/tuple of names; anything else is refused (:func:`as_columns`).
- *Columns present*: every named column must be in the frame; the error lists the missing ones and
  the frame's columns (:func:`require_columns`).
- *Confidence levels*: a fraction in [0.9, 1), e.g. 0.95 or 0.998, as the PHE/OHID *Technical Guide:
  Confidence Intervals* and PHEindicatormethods accept; a percentage (95) is refused with a hint
  (:func:`check_confidence`, :func:`confidence_levels`).
- *Suppression thresholds*: a whole number of at least 1; counts from 1 to ``threshold - 1`` are
  suppressed (:func:`check_threshold`, default :data:`DEFAULT_THRESHOLD`).
- *Slugs*: names compared across sources (regions, datasets, organisations) are matched on their
  lower-cased letters and digits only, so ``"North-West"``, ``"north west"`` and ``"NorthWest"`` are
  the same (:func:`slug`).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from rhoresearch.exceptions import InputError

__all__ = [
    "DEFAULT_THRESHOLD",
    "CONFIDENCE_RANGE",
    "as_columns",
    "check_frame",
    "require_columns",
    "check_confidence",
    "confidence_levels",
    "check_threshold",
    "slug",
    "slugs",
    "format_rows",
]

#: Counts from 1 to ``DEFAULT_THRESHOLD - 1`` are suppressed unless a report says otherwise.
DEFAULT_THRESHOLD = 5

#: Confidence levels accepted: ``CONFIDENCE_RANGE[0] <= confidence < CONFIDENCE_RANGE[1]``.
CONFIDENCE_RANGE = (0.9, 1.0)


def _where(func: str | None) -> str:
    return f"{func}: " if func else ""


def check_frame(data: object, *, func: str | None = None, name: str = "data") -> pd.DataFrame:
    """Return ``data`` if it is a DataFrame; raise :class:`InputError` naming ``func`` otherwise."""
    if not isinstance(data, pd.DataFrame):
        raise InputError(
            f"{_where(func)}{name} must be a pandas DataFrame, got {type(data).__name__}"
        )
    return data


def as_columns(value: object, *, func: str | None = None, name: str = "by") -> list[str]:
    """Normalise a column argument to a list of names.

    Parameters
    ----------
    value : None, str or iterable of str
        ``None`` gives ``[]``; a string gives ``[value]``; a list or tuple of strings is copied.
    func, name : str
        The calling function and the argument's name, for the error message.

    Returns
    -------
    list of str

    Raises
    ------
    InputError
        ``value`` is neither ``None``, a string nor an iterable of strings.
    """
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, Iterable) and not isinstance(value, (bytes, dict, pd.DataFrame)):
        out = list(value)
        if all(isinstance(v, str) for v in out):
            return out
    raise InputError(
        f"{_where(func)}{name} must be a column name or a list of column names, got {value!r}"
    )


def require_columns(
    data: pd.DataFrame,
    columns: str | Sequence[str] | None,
    *,
    func: str | None = None,
    what: str = "column",
    distinct: bool = False,
) -> None:
    """Raise :class:`InputError` unless every column in ``columns`` is in ``data``.

    Parameters
    ----------
    data : pandas.DataFrame
    columns : str or sequence of str
    func : str, optional
        The calling function, named in the message.
    what : str, default "column"
        What the columns are (``"count column"``), for the message.
    distinct : bool, default False
        Also refuse a column named for more than one argument.
    """
    check_frame(data, func=func)
    cols = as_columns(columns, func=func, name=what)
    missing = [c for c in cols if c not in data.columns]
    if missing:
        raise InputError(
            f"{_where(func)}{what}(s) {missing} not found in data; "
            f"available columns: {list(map(str, data.columns))}"
        )
    if distinct:
        dup = sorted({c for c in cols if cols.count(c) > 1})
        if dup:
            raise InputError(f"{_where(func)}column(s) {dup} given for more than one argument")


def confidence_levels(confidence: Any, *, func: str | None = None) -> tuple[float, ...]:
    """Check a confidence level or a list of them (the rule in the module notes); return floats.

    Raises
    ------
    InputError
        A level is not a number, lies outside [0.9, 1), or repeats; an empty list.
    """
    if isinstance(confidence, (list, tuple, np.ndarray, pd.Series)):
        values = list(confidence)
        if not values:
            raise InputError(
                f"{_where(func)}confidence is an empty list; give e.g. 0.95 or (0.95, 0.998)"
            )
    else:
        values = [confidence]
    out: list[float] = []
    lo, hi = CONFIDENCE_RANGE
    for c in values:
        if isinstance(c, bool) or not isinstance(c, numbers.Real) or not math.isfinite(float(c)):
            raise InputError(f"{_where(func)}confidence must be a number such as 0.95, got {c!r}")
        x = float(c)
        if not lo <= x < hi:
            hint = f" (did you mean {x / 100:g}?)" if 90 <= x < 100 else ""
            raise InputError(
                f"{_where(func)}confidence must be a fraction in [{lo:g}, {hi:g}), e.g. 0.95 or "
                f"0.998; got {c!r}{hint}"
            )
        out.append(x)
    if len(set(out)) != len(out):
        raise InputError(f"{_where(func)}confidence levels repeat: {values!r}")
    return tuple(out)


def check_confidence(confidence: Any, *, func: str | None = None) -> float:
    """Check one confidence level (the rule in the module notes) and return it as a float."""
    if isinstance(confidence, (list, tuple, np.ndarray, pd.Series)):
        raise InputError(
            f"{_where(func)}confidence must be one number such as 0.95, got {confidence!r}"
        )
    return confidence_levels(confidence, func=func)[0]


def check_threshold(threshold: Any, *, func: str | None = None) -> int:
    """Check a suppression threshold (a whole number of at least 1) and return it as an int."""
    if (
        isinstance(threshold, bool)
        or not isinstance(threshold, (numbers.Integral, np.integer))
        or threshold < 1
    ):
        raise InputError(
            f"{_where(func)}threshold must be a whole number of at least 1; got {threshold!r}"
        )
    return int(threshold)


def slug(text: object) -> str:
    """Lower-cased letters and digits of ``text`` (missing values give ``""``).

    ``slug("North-West") == slug("north west") == slug("NorthWest") == "northwest"``.
    """
    if text is None or (isinstance(text, float) and text != text) or text is pd.NA:
        return ""
    return "".join(ch for ch in str(text).lower() if ch.isalnum())


def slugs(values: pd.Series) -> pd.Series:
    """:func:`slug` of every value of a Series, computed once per distinct value."""
    lookup = {v: slug(v) for v in pd.unique(values.dropna())}
    return values.map(lookup)


def format_rows(index: Sequence[object] | pd.Index, limit: int = 5) -> str:
    """Name the first few offending row labels, and how many more there are."""
    items = list(index)
    labels = [repr(x) if isinstance(x, str) else str(x) for x in items[:limit]]
    more = len(items) - limit
    return ", ".join(labels) + (f" and {more} more" if more > 0 else "")
