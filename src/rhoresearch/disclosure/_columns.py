"""Naming rules: which column names denote counts, denominators and values derived from counts.

The modules that write result tables name their columns so that these rules recognise them (or
write a sidecar, :func:`rhoresearch.disclosure.write_sidecar`); :func:`rhoresearch.disclosure.scan`
relies on them, and :func:`rhoresearch.disclosure.suppress` uses :func:`is_derived_column` for its
default ``derived`` columns. A name ending in the flag suffix ``_suppressed``
(:data:`rhoresearch.disclosure.FLAG_SUFFIX`) is a flag column: never a count, never derived.
"""

from __future__ import annotations

__all__ = ["FLAG_SUFFIX", "is_count_column", "is_derived_column", "is_flag_column"]

#: Suffix of the column that marks the suppressed cells of a column: ``value`` is suppressed in the
#: rows where ``value_suppressed`` holds a reason (and ``value`` holds a missing value there).
FLAG_SUFFIX = "_suppressed"

# Each naming rule: (whole names, prefixes, suffixes), compared in lower case.
_COUNT = (
    frozenset({"count", "counts", "n", "numerator", "events", "frequency"}),
    ("n_", "count_"),
    ("_count", "_n", "_numerator", "_events"),
)
_DENOMINATOR = (
    frozenset({"denominator", "population"}),
    ("denominator_", "population_"),
    ("_denominator", "_population"),
)

_DERIVED_NAMES = frozenset(
    {
        "value",
        "lower_ci",
        "upper_ci",
        "percentage",
        "percent",
        "pct",
        "proportion",
        "rate",
        "ratio",
        "crude_rate",
        "standard_error",
        "se",
        "z_score",
        "observed_expected",
        "difference",
        "estimate",
        "p_value",
        "relative_likelihood",
    }
)
_DERIVED_PREFIXES = ("value_", "rate_", "pct_", "percentage_", "proportion_", "difference_")
_DERIVED_SUFFIXES = (
    "_value",
    "_rate",
    "_pct",
    "_percentage",
    "_proportion",
    "_ratio",
    "_lower_ci",
    "_upper_ci",
)
_DERIVED = (_DERIVED_NAMES, _DERIVED_PREFIXES, _DERIVED_SUFFIXES)


def is_flag_column(name: object) -> bool:
    """Whether ``name`` is a flag column's name (a string ending ``_suppressed``).

    Parameters
    ----------
    name : object
        A column label.

    Returns
    -------
    bool
        True for a string ending :data:`FLAG_SUFFIX` (and longer than it). The suffix is reserved:
        :func:`rhoresearch.disclosure.render` drops every such column.
    """
    return isinstance(name, str) and len(name) > len(FLAG_SUFFIX) and name.endswith(FLAG_SUFFIX)


def _follows(name: object, rule: tuple[frozenset[str], tuple[str, ...], tuple[str, ...]]) -> bool:
    """Whether a column name (not a flag column's) follows a naming rule."""
    if is_flag_column(name):
        return False
    names, prefixes, suffixes = rule
    low = str(name).strip().lower()
    return low in names or low.startswith(prefixes) or low.endswith(suffixes)


def is_count_column(name: str, *, include_denominators: bool = False) -> bool:
    """Whether a column name denotes a count under the project's naming convention.

    Parameters
    ----------
    name : str
        A column name (compared in lower case).
    include_denominators : bool, default False
        Also treat ``denominator``, ``population``, ``*_denominator``, ``*_population``,
        ``denominator_*`` and ``population_*`` as counts.

    Returns
    -------
    bool
        True for ``count``, ``counts``, ``n``, ``numerator``, ``events``, ``frequency``, names
        starting ``n_`` or ``count_`` and names ending ``_count``, ``_n``, ``_numerator`` or
        ``_events`` (plus denominators when asked); False for a flag column (``n_suppressed``).

    Notes
    -----
    Modules that write result tables name their count columns so that this function recognises
    them (or write a sidecar with :func:`rhoresearch.disclosure.write_sidecar`);
    :func:`rhoresearch.disclosure.scan` relies on it.
    """
    return _follows(name, _COUNT) or (include_denominators and _follows(name, _DENOMINATOR))


def is_derived_column(name: str) -> bool:
    """Whether a column name denotes a value derived from counts (rate, percentage, interval).

    Parameters
    ----------
    name : str
        A column name (compared in lower case).

    Returns
    -------
    bool
        True for the indicator columns ``value``, ``lower_ci``, ``upper_ci`` and the other names and
        patterns listed in the package documentation (``rate``, ``percentage``, ``*_ratio``,
        ``*_lower_ci`` ...); False for a flag column (``value_suppressed``).
    """
    return _follows(name, _DERIVED)
