"""Harmonising ethnicity values to a scheme, and reporting how each value was read.

:func:`harmonise` (and :func:`to_binary` for the White / ethnic minority split) returns the
harmonised values and nothing else. What a data-quality section needs about the input is asked
for explicitly: :func:`harmonise_report` tabulates every distinct value (its count, category and
status: mapped, lossy, local code, missing, unmapped) and :func:`unmapped` gives just the values
that could not be mapped, with their counts.

Each distinct value is classified once (:func:`rhoresearch.ethnicity._parse.classify`), so a
column of millions of rows with a few dozen spellings costs one pass.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from rhoresearch.ethnicity._parse import MISSING, Match, classify, is_missing
from rhoresearch.ethnicity.schemes import (
    _BY_KEY,
    _COLLECTIVE_KEYS,
    DEFAULT_MINORITY_LABEL,
    NOT_KNOWN,
    _binary_labels,
    _check_options,
    _order,
    _target_value,
)
from rhoresearch.exceptions import DataQualityWarning, InputError, UnknownCodeError

__all__ = ["harmonise", "harmonise_report", "to_binary", "unmapped"]

logger = logging.getLogger(__name__)

#: One distinct input value and what became of it: (value, rows, category or None, status, note).
_Row = tuple[Any, int, str | None, str, str]


def _as_series(values: object) -> pd.Series:
    if isinstance(values, pd.Series):
        return values
    if isinstance(values, pd.DataFrame):
        raise InputError("harmonise takes one column of values (a Series), not a DataFrame")
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise InputError(
            f"harmonise takes a sequence of values (Series, list, array), not {type(values).__name__}"
        )
    if isinstance(values, (np.ndarray, pd.Index, pd.Categorical)):
        return pd.Series(values)
    return pd.Series(list(values), dtype=object)


def _resolve(
    values: object,
    *,
    to: str,
    chinese: str,
    code_system: str,
    binary_labels: dict[str, str] | None = None,
) -> tuple[pd.Series, np.ndarray, list[_Row]]:
    """Factorise, classify each distinct value once; return the series, row codes and outcomes.

    ``codes[i]`` indexes ``rows`` (missing values point at a last row for them). ``rows`` are in
    order of first appearance.
    """
    series = _as_series(values)
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    counts = np.bincount(codes[codes >= 0], minlength=len(uniques))
    rows: list[_Row] = []
    for value, n in zip(list(uniques), counts, strict=True):
        match = classify(value, code_system)
        rows.append((value, int(n), *_outcome(match, to, chinese, binary_labels)))
    n_na = int((codes == -1).sum())
    if n_na:
        match = classify(None, code_system)
        rows.append((None, n_na, *_outcome(match, to, chinese, binary_labels)))
        codes = np.where(codes == -1, len(rows) - 1, codes)
    return series, codes, rows


def _outcome(
    match: Match, to: str, chinese: str, binary_labels: dict[str, str] | None
) -> tuple[str | None, str, str]:
    """The category, status and note of one classified value in scheme ``to``."""
    if match.key == MISSING:
        missing = binary_labels["unknown"] if to == "binary" and binary_labels else NOT_KNOWN
        return missing, "missing", match.note
    if match.key is None:
        return None, "unmapped", match.note
    concept = _BY_KEY[match.key]
    target = _target_value(concept, to, chinese, binary_labels or {})
    if target is None:
        if concept.key in _COLLECTIVE_KEYS:
            note = (
                "a collective label naming no single ethnic group (such as 'BAME', 'Non-white', "
                "'Other inc. mixed', a total): never mapped to a group"
            )
        elif concept.key.startswith("coarse_"):
            note = f"a high-level group only: it has no single place in the {to} scheme"
        else:
            note = f"no place in the {to} scheme"
        return None, "unmapped", note
    if to == "nhs_code" and concept.lossy_nhs:
        return target, "lossy", concept.lossy_nhs
    return target, ("local_code" if match.how == "local_code" else "mapped"), match.note


def _distinct_outcomes(values: object, *, to: str, chinese: str, code_system: str) -> list[_Row]:
    """Check the options and classify each distinct value, for the reporting functions.

    Never raises for unmapped values; the binary split gets its default labels.
    """
    _check_options(to, "not_known", chinese, code_system)
    binary = _binary_labels(DEFAULT_MINORITY_LABEL, NOT_KNOWN) if to == "binary" else None
    return _resolve(values, to=to, chinese=chinese, code_system=code_system, binary_labels=binary)[
        2
    ]


def _display(value: object) -> object:
    """A missing value as None (a blank string stays itself), for reports and error messages."""
    return None if is_missing(value) and not isinstance(value, str) else value


def _unmapped(rows: list[_Row]) -> dict[Any, int]:
    """``input value -> rows`` of the values that could not be mapped, in order of appearance."""
    return {_display(v): n for v, n, _, status, _ in rows if status == "unmapped"}


def _finish(
    series: pd.Series,
    codes: np.ndarray,
    rows: list[_Row],
    *,
    errors: str,
    order: list[str],
    not_known_label: str,
    what: str,
) -> pd.Series:
    """Raise or warn about unmapped values, then assemble the ordered categorical result."""
    unmapped = _unmapped(rows)
    if unmapped and errors == "raise":
        listing = "; ".join(f"{v!r} ({n} rows)" for v, n in unmapped.items())
        raise UnknownCodeError(
            f"{len(unmapped)} distinct value(s) could not be mapped to {what}: {listing}. "
            "Fix the values, or pass errors='not_known' to count them as 'Not known' "
            "(they are then reported by harmonise_report).",
            unmapped,
        )
    position = {label: i for i, label in enumerate(order)}
    lookup = np.array(
        [
            position[target if target is not None else not_known_label]
            for _, _, target, _, _ in rows
        ],
        dtype=np.int64,
    )
    cat_codes = lookup[codes] if len(rows) else np.zeros(0, dtype=np.int64)
    result = pd.Series(
        pd.Categorical.from_codes(cat_codes.astype(np.int64), categories=order, ordered=True),
        index=series.index,
        name=series.name,
    )
    if unmapped:
        n = sum(unmapped.values())
        listing = ", ".join(f"{v!r} ({c})" for v, c in unmapped.items())
        message = (
            f"{n} value(s) in {len(unmapped)} distinct spelling(s) could not be mapped to {what} "
            f"and were counted as {not_known_label!r}: {listing}"
        )
        logger.warning(message)
        warnings.warn(message, DataQualityWarning, stacklevel=3)
    logger.debug("harmonised %d values (%d distinct) to %s", len(series), len(rows), what)
    return result


# ---------------------------------------------------------------------------------------------
# Public functions
# ---------------------------------------------------------------------------------------------


def harmonise(
    values: Iterable[Any],
    *,
    to: str = "high_level",
    errors: str = "raise",
    chinese: str = "asian",
    code_system: str = "nhs",
) -> pd.Series:
    """Map ethnicity codes and labels as they arrive in extracts to one scheme.

    Parameters
    ----------
    values : Series or sequence
        Codes or labels in any mix: NHS codes (``"A"``, ``"a "``, ``"99"``, ``"Z"``, HES ``"X"``,
        legacy ``"9"``, two-character local codes such as ``"A1"``), NHS descriptions
        (``"Black or Black British - Caribbean"``, ``"White - British"``), Census 2021 labels
        (``"Asian, Asian British or Asian Welsh: Indian"``), common variants (``"BLACK
        CARIBBEAN"``, ``"Mixed: White & Asian"``, ``"Other White"``), high-level groups
        (``"Black"``), in any case, with extra spaces and punctuation. Not modified.
    to : {"high_level", "nhs_code", "census2021"}, default "high_level"
        The target scheme (see :mod:`rhoresearch.ethnicity` and
        :func:`~rhoresearch.ethnicity.labels`).
    errors : {"raise", "not_known"}, default "raise"
        What to do with values that cannot be mapped: raise :class:`UnknownCodeError` listing
        every one with its count, or count them as ``"Not known"`` (logged, and a
        :class:`DataQualityWarning` issued).
    chinese : {"asian", "other"}, default "asian"
        For ``to="high_level"``: Chinese under Asian (Census 2021, ONS) or under Other (NHS
        2001-based codes, NHS Digital and MBRRACE-UK publications).
    code_system : {"nhs", "census2021"}, default "nhs"
        How bare numbers are read: ``"nhs"`` reads ``"99"`` and the legacy ``"9"`` as not known;
        ``"census2021"`` reads 1-19 as Census 2021 codes and -8 as not known (``99`` is still not
        known). Letters are NHS codes in both.

    Returns
    -------
    Series
        Ordered categorical with the same index and name as ``values``, categories in the fixed
        display order of the scheme (:func:`~rhoresearch.ethnicity.labels`). Nothing else is
        returned or attached: the values that could not be mapped (with their counts) are given
        by :func:`unmapped`, and every distinct value with its count and status (``"missing"``
        for blanks and nulls) by :func:`harmonise_report`.

    Raises
    ------
    UnknownCodeError
        With ``errors="raise"``, if any value cannot be mapped (its ``unmapped`` attribute holds
        the counts).
    InputError
        If an option is not one of those allowed.

    Notes
    -----
    Missing-data policy: blank strings, ``None``, ``NaN`` and spellings of a null (``"NA"``,
    ``"NULL"``, ``"-"``) become ``"Not known"`` -- the record has no ethnicity, as with code 99 --
    and are never "unmapped"; :func:`harmonise_report` keeps them apart (``status="missing"``).
    ``Z`` (declined) stays ``"Not stated"``.

    High-level-only inputs (``"White"``, ``"Black or Black British"``) map to ``"high_level"`` but
    are unmapped for the detailed schemes. Census groups without an NHS code (Gypsy or Irish
    Traveller, Roma, Arab) map to the NHS "any other" codes with the loss listed by
    :func:`~rhoresearch.ethnicity.lossy_mappings`. A value given as code and label (``"A - White British"``,
    ``"Indian (H)"``) is accepted when both agree and unmapped when they do not.

    Each distinct value is classified once (``pandas.factorize``) and the result assembled from
    integer codes, so millions of rows with a few dozen spellings cost one pass.

    References
    ----------
    NHS Data Dictionary, ETHNIC CATEGORY, and Change Request 406 (2004). ONS Census 2021
    dictionary, ethnic group. NHS Digital, GDPPR ethnicity asset (unknown = Z, X, 99, 9, blank).
    """
    _check_options(to, errors, chinese, code_system)
    if to == "binary":
        raise InputError("use to_binary() for the binary White / ethnic minority split")
    series, codes, rows = _resolve(values, to=to, chinese=chinese, code_system=code_system)
    return _finish(
        series,
        codes,
        rows,
        errors=errors,
        order=_order(to),
        not_known_label=NOT_KNOWN,
        what=to,
    )


def harmonise_report(
    values: Iterable[Any],
    *,
    to: str = "high_level",
    chinese: str = "asian",
    code_system: str = "nhs",
) -> pd.DataFrame:
    """Tabulate how each distinct input value harmonises (for a report's data-quality section).

    Parameters
    ----------
    values : Series or sequence
        As for :func:`harmonise`. Not modified.
    to : {"high_level", "nhs_code", "census2021", "binary"}, default "high_level"
        The target scheme, as for :func:`harmonise`; ``"binary"`` reports the split of
        :func:`to_binary` (default labels).
    chinese, code_system
        As for :func:`harmonise`.

    Returns
    -------
    DataFrame
        One row per distinct input value, most frequent first (ties by value, missing last):

        - ``input_value``: the value as it arrived (missing values as ``<NA>``);
        - ``n``: how many rows have it;
        - ``mapped_to``: the category of the target scheme (missing and blank values: ``"Not
          known"``; unmapped values: ``<NA>``, which ``harmonise(errors="not_known")`` counts as
          ``"Not known"``);
        - ``status``: ``"mapped"``, ``"lossy"`` (mapped, but a Census group without an NHS code),
          ``"local_code"`` (a two-character local code read by its first character),
          ``"missing"`` (blank or null) or ``"unmapped"``;
        - ``note``: why, for every status but ``"mapped"``.

    Notes
    -----
    Never raises for unmapped values: it is the tool for finding them. The rows with
    ``status="unmapped"`` are what :func:`unmapped` returns; the ``n`` of the rows with
    ``status="missing"`` add up to the number of blank or missing values.

    References
    ----------
    As for :func:`harmonise`.
    """
    rows = _distinct_outcomes(values, to=to, chinese=chinese, code_system=code_system)
    frame = pd.DataFrame(
        {
            "input_value": pd.Series([_display(r[0]) for r in rows], dtype=object),
            "n": pd.Series([r[1] for r in rows], dtype="int64"),
            "mapped_to": pd.Series([r[2] for r in rows], dtype="str"),
            "status": pd.Series([r[3] for r in rows], dtype="str"),
            "note": pd.Series([r[4] for r in rows], dtype="str"),
        }
    )
    order = frame["input_value"].map(lambda v: "\uffff" if v is None else str(v))
    frame = (
        frame.assign(_key=order)
        .sort_values(["n", "_key"], ascending=[False, True], kind="stable")
        .drop(columns="_key")
        .reset_index(drop=True)
    )
    return frame


def to_binary(
    values: Iterable[Any],
    *,
    minority_label: str = DEFAULT_MINORITY_LABEL,
    unknown_label: str = NOT_KNOWN,
    errors: str = "raise",
    code_system: str = "nhs",
) -> pd.Series:
    """Split ethnicity values into White, ethnic minority, and not known (workforce indicators).

    Parameters
    ----------
    values : Series or sequence
        As for :func:`harmonise`, plus collective labels (``"BME"``, ``"BAME"``, ``"Ethnic
        minority"``). Not modified.
    minority_label : str, default "Ethnic minority"
        Label for everyone not in a White group. The ONS and NHS style guides and the NHS Race
        and Health Observatory prefer "ethnic minority" (or naming the groups) to "BME"/"BAME";
        pass ``"BME"`` to reproduce a WRES table's wording.
    unknown_label : str, default "Not known"
        Label for not stated, not known and missing values (kept as a third category, as in WRES
        reports; the relative-likelihood indicators use only the first two).
    errors : {"raise", "not_known"}, default "raise"
        As for :func:`harmonise` (unmapped values go to ``unknown_label``).
    code_system : {"nhs", "census2021"}, default "nhs"
        As for :func:`harmonise`.

    Returns
    -------
    Series
        Ordered categorical ``["White", minority_label, unknown_label]``, same index and name as
        ``values``. The values that could not be mapped are given by
        ``unmapped(values, to="binary")``.

    Notes
    -----
    White = White British, White Irish, Gypsy or Irish Traveller, Roma and any other White
    background (NHS codes A, B, C; the WRES definition). Every other known group, Chinese and
    Mixed included, is the minority category. Missing values and ``Z``/``99`` go to
    ``unknown_label``. MBRRACE's "White (inc. not known)" cannot be split and is unmapped.

    References
    ----------
    NHS England. Workforce Race Equality Standard: technical guidance and data reports (White =
    White British, White Irish, any other White background; BME = all other categories; unknown
    reported separately). ONS Style Guide: race and ethnicity.
    """
    _check_options("binary", errors, "asian", code_system)
    if minority_label in ("White", unknown_label) or unknown_label == "White":
        raise InputError(
            f"minority_label={minority_label!r} and unknown_label={unknown_label!r} must differ "
            "from each other and from 'White'"
        )
    binary = _binary_labels(minority_label, unknown_label)
    series, codes, rows = _resolve(
        values, to="binary", chinese="asian", code_system=code_system, binary_labels=binary
    )
    return _finish(
        series,
        codes,
        rows,
        errors=errors,
        order=_order("binary", binary),
        not_known_label=unknown_label,
        what="binary",
    )


def unmapped(
    values: Iterable[Any],
    *,
    to: str = "high_level",
    chinese: str = "asian",
    code_system: str = "nhs",
) -> dict[Any, int]:
    """Return the values that cannot be mapped to a scheme, with how many rows have each.

    Parameters
    ----------
    values : Series or sequence
        As for :func:`harmonise`. Not modified.
    to : {"high_level", "nhs_code", "census2021", "binary"}, default "high_level"
        The target scheme (``"binary"``: the split of :func:`to_binary`).
    chinese, code_system
        As for :func:`harmonise` (``chinese`` matters: MBRRACE-UK's "Chinese or other" maps to
        the high level only with ``chinese="other"``).

    Returns
    -------
    dict
        ``input value -> number of rows``, in order of first appearance; empty when every value
        maps. These are the values ``harmonise(values, to=..., errors="not_known")`` counts as
        "Not known" (and ``errors="raise"`` refuses); blank and missing values are never
        unmapped (they are "Not known" by the missing-data policy of :func:`harmonise`).

    Raises
    ------
    InputError
        If an option is not one of those allowed.

    Notes
    -----
    The same facts as the rows of ``harmonise_report(values, to=...)`` with
    ``status="unmapped"`` (columns ``input_value`` and ``n``), without the rest of the table.

    References
    ----------
    As for :func:`harmonise`.
    """
    rows = _distinct_outcomes(values, to=to, chinese=chinese, code_system=code_system)
    return _unmapped(rows)
