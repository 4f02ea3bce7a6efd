"""Display helpers for a scheme's categories: short labels for tables and figure axes.

The categories themselves, in their fixed display order, come from
:func:`rhoresearch.ethnicity.labels`; nothing here changes them or their order.
"""

from __future__ import annotations

from rhoresearch.ethnicity.schemes import (
    CENSUS2021_CODES,
    DEFAULT_MINORITY_LABEL,
    NHS_CODES,
    NOT_KNOWN,
    _binary_labels,
    _check_options,
    _order,
)

__all__ = ["short_labels"]

#: Short labels that are not just the part after the group heading, by NHS code and Census 2021
#: code (the categories come from the scheme's one code list).
_SHORT_NHS = {
    "A": "White British",
    "B": "White Irish",
    "C": "Other White",
    "G": "Other Mixed",
    "L": "Other Asian",
    "P": "Other Black",
    "S": "Any other ethnic group",
}
_SHORT_CENSUS = {
    5: "Other Asian",
    8: "Other Black",
    12: "Other Mixed",
    13: "White British",
    14: "White Irish",
    17: "Other White",
    19: "Any other ethnic group",
}
_SHORT_HIGH = {
    **{CENSUS2021_CODES[code]: short for code, short in _SHORT_CENSUS.items()},
    **{NHS_CODES[code]: short for code, short in _SHORT_NHS.items()},
}


def short_labels(to: str = "nhs_code") -> dict[str, str]:
    """Return short display labels for a scheme's categories (for tables and figure axes).

    Parameters
    ----------
    to : {"nhs_code", "census2021", "high_level"}
        The scheme.

    Returns
    -------
    dict
        ``category -> short label`` for every category of the scheme in display order, e.g.
        ``"Black or Black British - Caribbean" -> "Caribbean"`` and
        ``"Mixed or Multiple ethnic groups: White and Asian" -> "White and Asian"``. Short labels
        are unique within a scheme. Use with ``series.cat.rename_categories(short_labels(to))``.

    Notes
    -----
    Short labels drop the group heading; they are for display beside the heading (a facet or
    a grouped axis) or where the group is obvious. Palette-independent: no colours here.

    References
    ----------
    ONS Style Guide: race and ethnicity (name the group; "White British", "Other White").
    https://style.ons.gov.uk/house-style/race-and-ethnicity/
    """
    _check_options(to, "raise", "asian", "nhs")
    out = {}
    for category in _order(to, _binary_labels(DEFAULT_MINORITY_LABEL, NOT_KNOWN)):
        if category in _SHORT_HIGH:
            out[category] = _SHORT_HIGH[category]
        elif " - " in category:
            out[category] = category.split(" - ", 1)[1]
        elif ": " in category:
            out[category] = category.split(": ", 1)[1]
        else:
            out[category] = category
    return out
