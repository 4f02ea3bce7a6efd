"""The classification schemes: their codes, labels, display order and concordance.

One copy of each code list in the package: the NHS Data Dictionary ETHNIC CATEGORY
(:data:`NHS_CODES`: 16 national codes A-S, ``Z`` not stated and the default ``99`` not known), the
ONS Census 2021 19 ethnic groups (:data:`CENSUS2021_CODES`) and the high-level groups
(:data:`HIGH_LEVEL_ORDER`). Tests check the first two against the committed reference tables
``data/reference/nhs_data_dictionary_ethnic_category.csv`` and
``data/reference/census2021_ethnic_group_classification.csv``.

Each detailed group is a *concept* placed in every scheme (``_CONCEPTS``): its NHS code, its Census
2021 code, its high-level group on the Census 2021 and on the NHS 2001 basis, and its side of the
binary split. :func:`concordance` and :func:`lossy_mappings` publish that table;
:mod:`rhoresearch.ethnicity.harmonisation` maps values through it.

References
----------
NHS England. NHS Data Dictionary: ETHNIC CATEGORY.
https://www.datadictionary.nhs.uk/data_elements/ethnic_category.html

Office for National Statistics. Census 2021 dictionary: ethnic group (19 categories).

NHS Digital. Mental Health Act annual statistics, ``Population_2021census.py`` (Census 2021 to NHS
code mapping). https://github.com/NHSDigital/mental-health-act-annual-statistics
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from rhoresearch.exceptions import InputError

__all__ = [
    "SCHEMES",
    "NOT_STATED",
    "NOT_KNOWN",
    "NHS_CODES",
    "NHS_NATIONAL_CODES",
    "CENSUS2021_CODES",
    "NHS_CODE_ORDER",
    "CENSUS2021_ORDER",
    "HIGH_LEVEL_ORDER",
    "DEFAULT_REFERENCE",
    "DEFAULT_MINORITY_LABEL",
    "labels",
    "concordance",
    "lossy_mappings",
]

SCHEMES = ("nhs_code", "census2021", "high_level")
NOT_STATED = "Not stated"
NOT_KNOWN = "Not known"
DEFAULT_MINORITY_LABEL = "Ethnic minority"

#: NHS Data Dictionary ETHNIC CATEGORY national codes and the default code, in Data Dictionary order.
NHS_CODES: dict[str, str] = {
    "A": "White - British",
    "B": "White - Irish",
    "C": "White - Any other White background",
    "D": "Mixed - White and Black Caribbean",
    "E": "Mixed - White and Black African",
    "F": "Mixed - White and Asian",
    "G": "Mixed - Any other mixed background",
    "H": "Asian or Asian British - Indian",
    "J": "Asian or Asian British - Pakistani",
    "K": "Asian or Asian British - Bangladeshi",
    "L": "Asian or Asian British - Any other Asian background",
    "M": "Black or Black British - Caribbean",
    "N": "Black or Black British - African",
    "P": "Black or Black British - Any other Black background",
    "R": "Other Ethnic Groups - Chinese",
    "S": "Other Ethnic Groups - Any other ethnic group",
    "Z": NOT_STATED,
    "99": NOT_KNOWN,
}

#: Census 2021 ethnic group codes 1-19 and their dictionary labels, in Census order.
CENSUS2021_CODES: dict[int, str] = {
    1: "Asian, Asian British or Asian Welsh: Bangladeshi",
    2: "Asian, Asian British or Asian Welsh: Chinese",
    3: "Asian, Asian British or Asian Welsh: Indian",
    4: "Asian, Asian British or Asian Welsh: Pakistani",
    5: "Asian, Asian British or Asian Welsh: Other Asian",
    6: "Black, Black British, Black Welsh, Caribbean or African: African",
    7: "Black, Black British, Black Welsh, Caribbean or African: Caribbean",
    8: "Black, Black British, Black Welsh, Caribbean or African: Other Black",
    9: "Mixed or Multiple ethnic groups: White and Asian",
    10: "Mixed or Multiple ethnic groups: White and Black African",
    11: "Mixed or Multiple ethnic groups: White and Black Caribbean",
    12: "Mixed or Multiple ethnic groups: Other Mixed or Multiple ethnic groups",
    13: "White: English, Welsh, Scottish, Northern Irish or British",
    14: "White: Irish",
    15: "White: Gypsy or Irish Traveller",
    16: "White: Roma",
    17: "White: Other White",
    18: "Other ethnic group: Arab",
    19: "Other ethnic group: Any other ethnic group",
}

#: The 16 national codes (A-S, without I, O and Q), in Data Dictionary order: the detailed groups,
#: without "not stated" (Z) and the default "not known" (99).
NHS_NATIONAL_CODES: tuple[str, ...] = tuple(code for code in NHS_CODES if code not in ("Z", "99"))

NHS_CODE_ORDER: list[str] = list(NHS_CODES.values())
CENSUS2021_ORDER: list[str] = [*CENSUS2021_CODES.values(), NOT_STATED, NOT_KNOWN]
HIGH_LEVEL_ORDER: list[str] = ["Asian", "Black", "Mixed", "White", "Other", NOT_STATED, NOT_KNOWN]

#: The default reference group of each scheme (a comparison declares its reference; these are the
#: defaults the workstream notebooks start from): White British at the detailed levels, White at the
#: high level and in the binary split.
DEFAULT_REFERENCE: dict[str, str] = {
    "nhs_code": NHS_CODES["A"],
    "census2021": CENSUS2021_CODES[13],
    "high_level": "White",
    "binary": "White",
}


@dataclass(frozen=True)
class _Concept:
    """One ethnic group as the union of the schemes sees it (None: no place in that scheme)."""

    key: str
    nhs: str | None  # NHS code
    census: int | str | None  # Census 2021 code, or NOT_STATED / NOT_KNOWN
    high: str | None  # high level, Census 2021 basis
    high_nhs: str | None  # high level, NHS 2001 basis (Chinese under Other)
    binary: str | None  # "White", "minority", "unknown"
    lossy_nhs: str | None = None  # why the NHS code loses information, if it does


def _no_nhs_code(census: int, nhs: str, others: str) -> str:
    """Why a Census 2021 group without an NHS code loses information under the code it becomes."""
    name = CENSUS2021_CODES[census].split(": ", 1)[1]
    return (
        f"Census 2021 {name!r} has no NHS code; it becomes {nhs} {NHS_CODES[nhs]!r} and cannot "
        f"be told apart from {others}"
    )


_W, _M, _A, _B, _O = "White", "Mixed", "Asian", "Black", "Other"
_CONCEPTS: list[_Concept] = [
    _Concept("white_british", "A", 13, _W, _W, "White"),
    _Concept("white_irish", "B", 14, _W, _W, "White"),
    _Concept("white_gypsy", "C", 15, _W, _W, "White", _no_nhs_code(15, "C", "other White groups")),
    _Concept("white_roma", "C", 16, _W, _W, "White", _no_nhs_code(16, "C", "other White groups")),
    _Concept("white_other", "C", 17, _W, _W, "White"),
    _Concept("mixed_wbc", "D", 11, _M, _M, "minority"),
    _Concept("mixed_wba", "E", 10, _M, _M, "minority"),
    _Concept("mixed_wa", "F", 9, _M, _M, "minority"),
    _Concept("mixed_other", "G", 12, _M, _M, "minority"),
    _Concept("asian_indian", "H", 3, _A, _A, "minority"),
    _Concept("asian_pakistani", "J", 4, _A, _A, "minority"),
    _Concept("asian_bangladeshi", "K", 1, _A, _A, "minority"),
    _Concept("asian_other", "L", 5, _A, _A, "minority"),
    _Concept("black_caribbean", "M", 7, _B, _B, "minority"),
    _Concept("black_african", "N", 6, _B, _B, "minority"),
    _Concept("black_other", "P", 8, _B, _B, "minority"),
    _Concept("asian_chinese", "R", 2, _A, _O, "minority"),
    _Concept("other_arab", "S", 18, _O, _O, "minority", _no_nhs_code(18, "S", "other groups")),
    _Concept("other_any", "S", 19, _O, _O, "minority"),
    _Concept("not_stated", "Z", NOT_STATED, NOT_STATED, NOT_STATED, "unknown"),
    _Concept("not_known", "99", NOT_KNOWN, NOT_KNOWN, NOT_KNOWN, "unknown"),
    # High-level-only values: usable for the high level and the binary split, not for detail.
    _Concept("coarse_white", None, None, _W, _W, "White"),
    _Concept("coarse_mixed", None, None, _M, _M, "minority"),
    _Concept("coarse_asian", None, None, _A, _A, "minority"),
    _Concept("coarse_black", None, None, _B, _B, "minority"),
    _Concept("coarse_other", None, None, _O, _O, "minority"),
    # MBRRACE-UK / ONS SDG 3.1.1 groups.
    _Concept("coarse_chinese_or_other", None, None, None, _O, "minority"),
    _Concept("coarse_white_inc_not_known", None, None, _W, _W, None),
    _Concept("coarse_minority", None, None, None, None, "minority"),
    # Collective labels ("All ethnic groups", "Other inc. mixed"): no group in any scheme.
    _Concept("collective", None, None, None, None, None),
]

#: The concepts that are collective labels: they name no single ethnic group, so they are
#: never mapped to one (``"BAME"``, ``"Non-white"``, ``"Other inc. mixed"``, ``"Total"``).
_COLLECTIVE_KEYS = frozenset({"coarse_minority", "collective"})
_BY_KEY = {c.key: c for c in _CONCEPTS}


# ---------------------------------------------------------------------------------------------
# A concept's place in a scheme, and the checks of the options the public functions share
# ---------------------------------------------------------------------------------------------


def _target_value(concept: _Concept, to: str, chinese: str, binary_labels: dict) -> str | None:
    """The category of scheme ``to`` that holds ``concept`` (None: it has no single place there)."""
    if to == "nhs_code":
        return None if concept.nhs is None else NHS_CODES[concept.nhs]
    if to == "census2021":
        if concept.census is None:
            return None
        return (
            CENSUS2021_CODES[concept.census] if isinstance(concept.census, int) else concept.census
        )
    if to == "high_level":
        return concept.high if chinese == "asian" else concept.high_nhs
    if to == "binary":
        return None if concept.binary is None else binary_labels[concept.binary]
    raise InputError(f"unknown scheme {to!r}")  # pragma: no cover - checked by _check_options


def _order(to: str, binary_labels: dict | None = None) -> list[str]:
    """The categories of scheme ``to`` in display order (a new list)."""
    if to == "nhs_code":
        return list(NHS_CODE_ORDER)
    if to == "census2021":
        return list(CENSUS2021_ORDER)
    if to == "high_level":
        return list(HIGH_LEVEL_ORDER)
    if binary_labels is None:
        binary_labels = _binary_labels(DEFAULT_MINORITY_LABEL, NOT_KNOWN)
    return [binary_labels["White"], binary_labels["minority"], binary_labels["unknown"]]


def _check_options(to: str, errors: str, chinese: str, code_system: str) -> None:
    """Raise :class:`InputError` for an option that is not one of those allowed."""
    if to not in (*SCHEMES, "binary"):
        raise InputError(f"to={to!r} is not a scheme; expected one of {', '.join(SCHEMES)}")
    if errors not in ("raise", "not_known"):
        raise InputError(f"errors={errors!r} is not allowed; expected 'raise' or 'not_known'")
    if chinese not in ("asian", "other"):
        raise InputError(f"chinese={chinese!r} is not allowed; expected 'asian' or 'other'")
    if code_system not in ("nhs", "census2021"):
        raise InputError(
            f"code_system={code_system!r} is not allowed; expected 'nhs' or 'census2021'"
        )


def _binary_labels(minority_label: str, unknown_label: str) -> dict[str, str]:
    """The binary split's labels by role (``"White"``, ``"minority"``, ``"unknown"``)."""
    return {"White": "White", "minority": minority_label, "unknown": unknown_label}


# ---------------------------------------------------------------------------------------------
# Public functions
# ---------------------------------------------------------------------------------------------


def labels(to: str = "high_level", *, minority_label: str = DEFAULT_MINORITY_LABEL) -> list[str]:
    """Return the categories of a scheme in their fixed display order.

    Parameters
    ----------
    to : {"high_level", "nhs_code", "census2021", "binary"}
        The scheme.
    minority_label : str, default "Ethnic minority"
        The second category of the binary split (``to="binary"`` only).

    Returns
    -------
    list of str
        The categories, ending with ``"Not stated"`` and ``"Not known"`` (the binary split ends
        with ``"Not known"`` only).

    References
    ----------
    NHS Data Dictionary, ETHNIC CATEGORY; ONS Census 2021 dictionary, ethnic group.
    """
    _check_options(to, "raise", "asian", "nhs")
    return _order(to, _binary_labels(minority_label, NOT_KNOWN))


def concordance() -> pd.DataFrame:
    """Return the concordance between the schemes, one row per detailed group.

    Returns
    -------
    DataFrame
        Columns ``nhs_code`` (letter, ``"Z"`` or ``"99"``), ``nhs_label``, ``census2021_code``
        (nullable integer; missing for not stated / not known), ``census2021_label``,
        ``high_level`` (Census 2021 basis: Chinese under Asian), ``high_level_nhs2001`` (Chinese
        under Other), ``binary`` (``"White"``, ``"Ethnic minority"`` or ``"Not known"``) and
        ``lossy`` (True where the NHS code merges the Census group with others). Rows in Census
        order, then not stated and not known.

    References
    ----------
    NHS Data Dictionary, ETHNIC CATEGORY; ONS Census 2021 dictionary; NHS Digital Mental Health
    Act statistics, ``Population_2021census.py``.
    """
    binary = _binary_labels(DEFAULT_MINORITY_LABEL, NOT_KNOWN)
    rank = {NOT_STATED: 100, NOT_KNOWN: 101}
    detailed = [c for c in _CONCEPTS if c.nhs is not None]
    detailed.sort(key=lambda c: c.census if isinstance(c.census, int) else rank[str(c.census)])
    return pd.DataFrame(
        {
            "nhs_code": pd.Series([c.nhs for c in detailed], dtype="str"),
            "nhs_label": pd.Series([NHS_CODES[str(c.nhs)] for c in detailed], dtype="str"),
            "census2021_code": pd.array(
                [c.census if isinstance(c.census, int) else None for c in detailed], dtype="Int64"
            ),
            "census2021_label": pd.Series(
                [_target_value(c, "census2021", "asian", binary) for c in detailed], dtype="str"
            ),
            "high_level": pd.Series([c.high for c in detailed], dtype="str"),
            "high_level_nhs2001": pd.Series([c.high_nhs for c in detailed], dtype="str"),
            "binary": pd.Series([binary[str(c.binary)] for c in detailed], dtype="str"),
            "lossy": pd.Series([c.lossy_nhs is not None for c in detailed], dtype=bool),
        }
    )


def lossy_mappings() -> pd.DataFrame:
    """List the mappings between schemes that lose or change information.

    Returns
    -------
    DataFrame
        Columns ``from_scheme``, ``from_value``, ``to_scheme``, ``to_value``, ``loss`` (what is
        lost or changed). Rows:

        - Census 2021 Gypsy or Irish Traveller and Roma -> NHS ``C`` "White - Any other White
          background"; Arab -> NHS ``S`` "Other Ethnic Groups - Any other ethnic group";
        - NHS ``C`` -> Census "White: Other White" and ``S`` -> "Other ethnic group: Any other
          ethnic group" (the reverse: they also hold people the Census would place in Gypsy or
          Irish Traveller, Roma or Arab);
        - Chinese: NHS ``R`` is under "Other Ethnic Groups"; Census 2021 places Chinese under
          Asian (the high-level group depends on ``chinese=``).

    References
    ----------
    NHS Digital Mental Health Act statistics, ``Population_2021census.py`` (no NHS code for Gypsy
    or Irish Traveller, Roma, Arab). ONS Census 2021 dictionary.
    """
    rows = []
    for c in _CONCEPTS:
        if c.lossy_nhs and isinstance(c.census, int) and c.nhs is not None:
            rows.append(
                (
                    "census2021",
                    CENSUS2021_CODES[c.census],
                    "nhs_code",
                    NHS_CODES[c.nhs],
                    c.lossy_nhs,
                )
            )
    rows.append(
        (
            "nhs_code",
            NHS_CODES["C"],
            "census2021",
            CENSUS2021_CODES[17],
            "NHS C also covers people the Census would record as Gypsy or Irish Traveller "
            "or Roma; they are counted as Other White",
        )
    )
    rows.append(
        (
            "nhs_code",
            NHS_CODES["S"],
            "census2021",
            CENSUS2021_CODES[19],
            "NHS S also covers people the Census would record as Arab; they are counted as "
            "Any other ethnic group",
        )
    )
    rows.append(
        (
            "nhs_code",
            NHS_CODES["R"],
            "high_level",
            "Asian",
            "Chinese is under 'Other Ethnic Groups' in the NHS codes and under Asian in "
            "Census 2021; harmonise(..., chinese='asian') (default) follows the Census, "
            "chinese='other' follows NHS Digital and MBRRACE-UK publications",
        )
    )
    return pd.DataFrame(
        rows, columns=["from_scheme", "from_value", "to_scheme", "to_value", "loss"]
    )
