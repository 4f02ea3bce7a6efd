"""Ethnic group classifications and the harmonisation of messy ethnicity values to them.

Four schemes, each with a fixed display order (see :func:`labels`):

``"nhs_code"``
    The NHS Data Dictionary ETHNIC CATEGORY: national codes A-S (2001 Census based), ``Z`` (not
    stated: asked and declined) and the default ``99`` (not known: not asked, or unable to answer).
    Categories are the Data Dictionary descriptions, e.g. ``"White - British"``,
    ``"Other Ethnic Groups - Chinese"``, then ``"Not stated"`` and ``"Not known"``; the letter of a
    description is in :data:`NHS_CODES` (``code -> description``). HES's ``X`` (not known) and the
    withdrawn default ``9`` ("not given", Change Request 406, 2004) are read as "Not known".
``"census2021"``
    The ONS Census 2021 19 ethnic groups, labelled as in the Census dictionary, e.g.
    ``"Asian, Asian British or Asian Welsh: Indian"``, then ``"Not stated"`` and ``"Not known"``
    (the Census itself imputes; extracts coded to it are not complete).
``"high_level"``
    ``"Asian"``, ``"Black"``, ``"Mixed"``, ``"White"``, ``"Other"`` (the ONS harmonised order), then
    ``"Not stated"`` and ``"Not known"``, kept apart: "not stated" is a person's answer, "not known"
    is a recording gap.
``"binary"`` (through :func:`to_binary`)
    ``"White"`` (White British, White Irish, Gypsy or Irish Traveller, Roma and any other White
    background) against everyone else, labelled ``"Ethnic minority"`` by default (the ONS and NHS
    style guides, and the NHS Race and Health Observatory, prefer it to "BME"/"BAME"; the label is a
    parameter so that a WRES-style "BME" table can be reproduced), with unknowns as a third category.

The traps, handled explicitly:

- **Chinese** is "Other Ethnic Groups - Chinese" (code R) in the NHS 2001-based codes but an Asian
  group in Census 2021. :func:`harmonise` to ``"high_level"`` follows Census 2021 by default
  (``chinese="asian"``); pass ``chinese="other"`` to reproduce NHS Digital publications (Mental
  Health Act statistics) and MBRRACE-UK ("Chinese or other"), which keep Chinese under Other.
- **Census 2021 groups with no NHS code**: Gypsy or Irish Traveller and Roma become
  ``C`` "White - Any other White background"; Arab becomes ``S`` "Other Ethnic Groups - Any other
  ethnic group". The distinction is lost and cannot be recovered; in the other direction ``C`` and
  ``S`` go to "White: Other White" and "Other ethnic group: Any other ethnic group", which then
  also hold people who would have answered Gypsy, Roma or Arab. :func:`lossy_mappings` lists them
  and :func:`harmonise_report` marks such rows ``status="lossy"``.
- **High-level only values** ("White", "Black or Black British", "BME") can be harmonised to
  ``"high_level"`` (and the binary split), but not to a detailed scheme: there they are unmapped.

References
----------
NHS England. NHS Data Dictionary: ETHNIC CATEGORY.
https://www.datadictionary.nhs.uk/data_elements/ethnic_category.html

NHS Data Dictionary Change Request 406 (2004): withdrawal of default code 9 "not given".

Office for National Statistics. Census 2021 dictionary: ethnic group (19 categories).

NHS Digital. Mental Health Act annual statistics, ``Population_2021census.py`` (Census 2021 to NHS
code mapping). https://github.com/NHSDigital/mental-health-act-annual-statistics

ONS Style Guide: race and ethnicity. https://style.ons.gov.uk/house-style/race-and-ethnicity/
"""

from __future__ import annotations

import logging
import math
import re
import warnings
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from rhoresearch.exceptions import DataQualityWarning, InputError, UnknownCodeError

__all__ = [
    "SCHEMES",
    "NOT_STATED",
    "NOT_KNOWN",
    "NHS_CODES",
    "CENSUS2021_CODES",
    "NHS_CODE_ORDER",
    "CENSUS2021_ORDER",
    "HIGH_LEVEL_ORDER",
    "DEFAULT_REFERENCE",
    "DEFAULT_MINORITY_LABEL",
    "labels",
    "short_labels",
    "harmonise",
    "harmonise_report",
    "to_binary",
    "concordance",
    "lossy_mappings",
]

logger = logging.getLogger(__name__)

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


_W, _M, _A, _B, _O = "White", "Mixed", "Asian", "Black", "Other"
_CONCEPTS: list[_Concept] = [
    _Concept("white_british", "A", 13, _W, _W, "White"),
    _Concept("white_irish", "B", 14, _W, _W, "White"),
    _Concept(
        "white_gypsy",
        "C",
        15,
        _W,
        _W,
        "White",
        "Census 2021 'Gypsy or Irish Traveller' has no NHS code; it becomes C "
        "'White - Any other White background' and cannot be told apart from other White groups",
    ),
    _Concept(
        "white_roma",
        "C",
        16,
        _W,
        _W,
        "White",
        "Census 2021 'Roma' has no NHS code; it becomes C 'White - Any other White background' "
        "and cannot be told apart from other White groups",
    ),
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
    _Concept(
        "other_arab",
        "S",
        18,
        _O,
        _O,
        "minority",
        "Census 2021 'Arab' has no NHS code; it becomes S 'Other Ethnic Groups - Any other ethnic "
        "group' and cannot be told apart from other groups",
    ),
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
]
_BY_KEY = {c.key: c for c in _CONCEPTS}
_MISSING = "__missing__"

# ---------------------------------------------------------------------------------------------
# Aliases: normalised label -> concept key
# ---------------------------------------------------------------------------------------------

_PREFIXES = {
    "white": ["white"],
    "mixed": [
        "mixed",
        "mixed or multiple ethnic groups",
        "mixed or multiple ethnic group",
        "mixed or multiple",
        "mixed multiple ethnic groups",
        "mixed multiple ethnic group",
        "mixed multiple",
        "mixed ethnic group",
        "mixed ethnic groups",
        "dual heritage",
        "mixed heritage",
    ],
    "asian": [
        "asian",
        "asian or asian british",
        "asian asian british",
        "asian british",
        "asian asian british or asian welsh",
        "asian asian british asian welsh",
        "asian or asian british or asian welsh",
    ],
    "black": [
        "black",
        "black or black british",
        "black black british",
        "black british",
        "black black british black welsh caribbean or african",
        "black black british caribbean or african",
        "black african caribbean or black british",
        "black african caribbean black british",
        "black or black british or black welsh",
    ],
    "other": ["other", "other ethnic group", "other ethnic groups", "other ethnic"],
}

_ANY_OTHER = ["other", "any other", "any other background", "other background"]

# concept -> (prefix families, details that need a prefix, values accepted on their own)
_DETAILS: dict[str, tuple[list[str], list[str], list[str]]] = {
    "white_british": (
        ["white"],
        [
            "british",
            "english welsh scottish northern irish or british",
            "english welsh scottish northern irish british",
            "english welsh scottish or northern irish or british",
            "english welsh scottish or northern irish",
            "english welsh scottish northern irish",
            "uk",
            "english",
        ],
        ["white british", "british white", "white uk", "white english"],
    ),
    "white_irish": (["white"], ["irish"], ["irish", "white irish"]),
    "white_gypsy": (
        ["white"],
        [
            "gypsy or irish traveller",
            "gypsy irish traveller",
            "gypsy and irish traveller",
            "gypsy traveller",
            "gypsy",
            "irish traveller",
            "traveller",
        ],
        ["gypsy or irish traveller", "gypsy irish traveller", "gypsy", "irish traveller"],
    ),
    "white_roma": (["white"], ["roma"], ["roma"]),
    "white_other": (
        ["white"],
        [
            *_ANY_OTHER,
            "any other white background",
            "other white",
            "any other white",
            "other white background",
            "other white ethnic group",
        ],
        ["any other white background", "other white", "any other white"],
    ),
    "mixed_wbc": (
        ["mixed"],
        ["white and black caribbean", "white black caribbean", "black caribbean and white"],
        ["white and black caribbean", "mixed white and black caribbean"],
    ),
    "mixed_wba": (
        ["mixed"],
        ["white and black african", "white black african", "black african and white"],
        ["white and black african"],
    ),
    "mixed_wa": (
        ["mixed"],
        ["white and asian", "white asian", "asian and white"],
        ["white and asian"],
    ),
    "mixed_other": (
        ["mixed"],
        [
            *_ANY_OTHER,
            "any other mixed background",
            "other mixed",
            "any other mixed",
            "other mixed background",
            "other mixed or multiple ethnic groups",
            "other mixed or multiple ethnic group",
            "any other mixed or multiple ethnic background",
            "any other mixed multiple ethnic background",
            "other mixed multiple ethnic groups",
            "any other mixed or multiple background",
        ],
        [
            "any other mixed background",
            "other mixed",
            "any other mixed",
            "other mixed or multiple ethnic groups",
            "any other mixed or multiple ethnic background",
        ],
    ),
    "asian_indian": (["asian"], ["indian"], ["indian"]),
    "asian_pakistani": (["asian"], ["pakistani"], ["pakistani"]),
    "asian_bangladeshi": (["asian"], ["bangladeshi"], ["bangladeshi"]),
    "asian_chinese": (["asian", "other"], ["chinese"], ["chinese"]),
    "asian_other": (
        ["asian"],
        [
            *_ANY_OTHER,
            "any other asian background",
            "other asian",
            "any other asian",
            "other asian background",
        ],
        ["any other asian background", "other asian", "any other asian"],
    ),
    "black_caribbean": (["black"], ["caribbean"], ["caribbean"]),
    "black_african": (["black"], ["african"], ["african"]),
    "black_other": (
        ["black"],
        [
            *_ANY_OTHER,
            "any other black background",
            "other black",
            "any other black",
            "other black background",
            "any other black african or caribbean background",
            "other black african or caribbean",
        ],
        [
            "any other black background",
            "other black",
            "any other black",
            "any other black african or caribbean background",
        ],
    ),
    "other_arab": (["other"], ["arab"], ["arab"]),
    "other_any": (
        ["other"],
        [
            "any other ethnic group",
            "any other",
            "any other background",
            "any other ethnic background",
            "other ethnic group",
            "other",
        ],
        ["any other ethnic group", "any other ethnic background", "other any other ethnic group"],
    ),
}

_STANDALONE: dict[str, list[str]] = {
    "not_stated": [
        "not stated",
        "z",
        "declined",
        "refused",
        "declined to state",
        "declined to disclose",
        "prefer not to say",
        "not declared",
        "not disclosed",
        "patient declined",
        "i do not wish to disclose my ethnic origin",
        "do not wish to disclose",
        "not stated z",
        "do not wish to state",
        "do not wish to disclose",
        "not wish to state",
        "prefer not to state",
        "declined to give",
        "patient declined to give",
        "ns",
        "nd",
    ],
    "not_known": [
        "not known",
        "unknown",
        "not given",
        "not recorded",
        "unspecified",
        "not specified",
        "does not apply",
        "not known 99",
        "nk",
        "nr",
        "x",
    ],
    "coarse_white": ["white", "all white", "white total"],
    "coarse_mixed": list(_PREFIXES["mixed"]),
    "coarse_asian": list(_PREFIXES["asian"]),
    "coarse_black": list(_PREFIXES["black"]),
    "coarse_other": list(_PREFIXES["other"]),
    "coarse_chinese_or_other": [
        "chinese or other",
        "chinese or other ethnic group",
        "chinese and other",
        "chinese or other ethnic groups",
        "chinese and other ethnic groups",
    ],
    "coarse_white_inc_not_known": ["white inc not known", "white including not known"],
    "coarse_minority": [
        "bme",
        "bame",
        "ethnic minority",
        "ethnic minorities",
        "minority ethnic",
        "black and minority ethnic",
        "black asian and minority ethnic",
        "non white",
        "ethnic minority groups",
        "minority ethnic groups",
        "all other ethnic groups",
    ],
}

# Spellings of a missing value (compared after upper-casing and stripping).
_MISSING_TOKENS = {"", "NA", "N/A", "NAN", "NULL", "NONE", "<NA>", "#N/A", "-", "--", "."}


def _normalise(text: str) -> str:
    """Lower-case, ``&`` -> ``and``, punctuation to spaces, single spaces."""
    text = text.lower().replace("&", " and ")
    text = re.sub(r"[^a-z0-9]+", " ", text)
    return " ".join(text.split())


def _build_aliases() -> dict[str, str]:
    aliases: dict[str, str] = {}

    def add(alias: str, key: str) -> None:
        alias = _normalise(alias)
        previous = aliases.setdefault(alias, key)
        if previous != key:  # a bug in the tables above: caught by the tests at import
            raise RuntimeError(f"ethnicity alias {alias!r} maps to both {previous} and {key}")

    for key, (families, details, standalone) in _DETAILS.items():
        for family in families:
            for prefix in _PREFIXES[family]:
                for detail in details:
                    add(f"{prefix} {detail}", key)
                    if detail not in _ANY_OTHER:
                        add(f"{detail} {prefix}", key)
        for alias in standalone:
            add(alias, key)
    for key, values in _STANDALONE.items():
        for alias in values:
            add(alias, key)
    # The full descriptions of both schemes (already covered; kept explicit so a table edit that
    # breaks one is caught here).
    for code, desc in NHS_CODES.items():
        key = next(c.key for c in _CONCEPTS if c.nhs == code and c.lossy_nhs is None)
        add(desc, key)
    for code, label in CENSUS2021_CODES.items():
        key = next(c.key for c in _CONCEPTS if c.census == code)
        add(label, key)
    return aliases


def _build_codes() -> dict[str, str]:
    codes = {c.nhs: c.key for c in _CONCEPTS if c.nhs is not None and c.lossy_nhs is None}
    codes.update({"X": "not_known", "9": "not_known", "-8": "not_known"})
    return codes


_ALIASES = _build_aliases()
_CODES = _build_codes()
_CENSUS_NUMERIC = {
    str(code): key for key, code in ((c.key, c.census) for c in _CONCEPTS) if isinstance(code, int)
}
_CENSUS_NUMERIC["-8"] = "not_known"
_NATIONAL_LETTERS = set("ABCDEFGHJKLMNPRSZ")
_NOT_LOCAL_CODES = {"NA", "NK", "NS", "ND", "NR", "NO", "NONE"}
_CODED_LABEL = re.compile(r"^\s*\(?([A-HJ-NPRSZ]|99|X)\)?(?:\s*[-:.)=]\s*|\s+)(.+)$", re.IGNORECASE)
# A two-character local code (upper case, as systems such as ESR write them) before a label.
_LOCAL_LABEL = re.compile(r"^\s*([A-HJ-NPRSZ][A-Z0-9])(?:\s*[-:.)=]\s*|\s+)(.+)$")
# The word a label under each national letter starts with (for local codes with local labels).
_GROUP_WORD = {
    **dict.fromkeys("ABC", "white"),
    **dict.fromkeys("DEFG", "mixed"),
    **dict.fromkeys("HJKL", "asian"),
    **dict.fromkeys("MNP", "black"),
    "R": "chinese",
    "S": "other",
    "Z": "not",
}
_LABEL_CODED = re.compile(r"^(.+?)\s*[(\[]\s*([A-HJ-NPRSZ]|99|X)\s*[)\]]\s*$", re.IGNORECASE)


# ---------------------------------------------------------------------------------------------
# Classifying one distinct value
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Match:
    key: str | None  # concept key, _MISSING, or None (unmapped)
    how: str  # "code", "label", "local_code", "missing", "unmapped"
    note: str = ""


def _is_missing(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and value.strip().upper() in _MISSING_TOKENS


def _as_text(value: object) -> str:
    """Integral numbers (99.0 from a float column) become '99'; everything else str()."""
    if isinstance(value, (bool, np.bool_)):
        return str(value)
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    text = str(value).strip().strip("\"'").strip()
    if re.fullmatch(r"-?\d+\.0+", text):
        text = text.split(".")[0]
    return text


def _classify(value: object, code_system: str) -> _Match:
    if _is_missing(value):
        return _Match(_MISSING, "missing", "blank or missing value")
    text = _as_text(value)
    upper = text.upper()
    if code_system == "census2021" and upper in _CENSUS_NUMERIC:
        return _Match(_CENSUS_NUMERIC[upper], "code")
    if upper in _CODES:
        return _Match(_CODES[upper], "code")
    norm = _normalise(text)
    if norm in _ALIASES:
        return _Match(_ALIASES[norm], "label")
    for pattern, code_group, label_group in ((_CODED_LABEL, 1, 2), (_LABEL_CODED, 2, 1)):
        m = pattern.match(text)
        if m:
            code_key = _CODES.get(m.group(code_group).upper())
            label_key = _ALIASES.get(_normalise(m.group(label_group)))
            if code_key is not None and code_key == label_key:
                return _Match(code_key, "label")
            if code_key is not None and label_key is not None:
                return _Match(None, "unmapped", "code and label disagree")
    m = _LOCAL_LABEL.match(text)
    if m and m.group(1) not in _NOT_LOCAL_CODES:
        local, label = m.group(1), _normalise(m.group(2))
        national = local[0]
        label_key = _ALIASES.get(label)
        same_group = label_key is not None and (
            _BY_KEY[label_key].high_nhs == _BY_KEY[_CODES[national]].high_nhs
        )
        if same_group or label.split(" ")[0] == _GROUP_WORD[national]:
            return _Match(
                _CODES[national],
                "local_code",
                f"local code {local} ({m.group(2).strip()!r}) read as its national code {national}",
            )
    if (
        len(upper) == 2
        and upper[0] in _NATIONAL_LETTERS
        and upper[1].isalnum()
        and upper not in _NOT_LOCAL_CODES
        and upper != "99"
    ):
        return _Match(_CODES[upper[0]], "local_code", f"local sub-code of national code {upper[0]}")
    return _Match(None, "unmapped", "not a recognised code or label")


# ---------------------------------------------------------------------------------------------
# Targets
# ---------------------------------------------------------------------------------------------


def _target_value(concept: _Concept, to: str, chinese: str, binary_labels: dict) -> str | None:
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


def _resolve(values, *, to, chinese, code_system, binary_labels=None):
    """Factorise, classify each distinct value once; return the series, row codes and outcomes.

    ``codes[i]`` indexes ``rows`` (missing values point at a last row for them).
    """
    series = _as_series(values)
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    uniques = list(uniques)
    counts = np.bincount(codes[codes >= 0], minlength=len(uniques))
    rows = []  # (input value, n, target label or None, status, note)
    for value, n in zip(uniques, counts, strict=True):
        match = _classify(value, code_system)
        rows.append((value, int(n), *_outcome(match, to, chinese, binary_labels)))
    n_na = int((codes == -1).sum())
    if n_na:
        match = _classify(None, code_system)
        rows.append((None, n_na, *_outcome(match, to, chinese, binary_labels)))
        codes = np.where(codes == -1, len(rows) - 1, codes)
    return series, codes, rows


def _outcome(match: _Match, to: str, chinese: str, binary_labels) -> tuple[str | None, str, str]:
    if match.key == _MISSING:
        missing = binary_labels["unknown"] if to == "binary" else NOT_KNOWN
        return missing, "missing", match.note
    if match.key is None:
        return None, "unmapped", match.note
    concept = _BY_KEY[match.key]
    target = _target_value(concept, to, chinese, binary_labels)
    if target is None:
        if concept.key.startswith("coarse_"):
            note = f"a high-level group only: it has no single place in the {to} scheme"
        else:
            note = f"no place in the {to} scheme"
        return None, "unmapped", note
    if to == "nhs_code" and concept.lossy_nhs:
        return target, "lossy", concept.lossy_nhs
    return target, ("local_code" if match.how == "local_code" else "mapped"), match.note


def _display(value: object) -> object:
    return None if _is_missing(value) and not isinstance(value, str) else value


def _finish(series, codes, rows, *, to, errors, order, not_known_label, what):
    unmapped = {_display(v): n for v, n, target, status, _ in rows if status == "unmapped"}
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
    result.attrs["unmapped"] = unmapped
    result.attrs["n_missing"] = sum(n for _, n, _, status, _ in rows if status == "missing")
    result.attrs["scheme"] = what
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
# Public API
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


_SHORT_HIGH = {
    "Asian, Asian British or Asian Welsh: Other Asian": "Other Asian",
    "Black, Black British, Black Welsh, Caribbean or African: Other Black": "Other Black",
    "Mixed or Multiple ethnic groups: Other Mixed or Multiple ethnic groups": "Other Mixed",
    "White: English, Welsh, Scottish, Northern Irish or British": "White British",
    "White: Irish": "White Irish",
    "White: Other White": "Other White",
    "Other ethnic group: Any other ethnic group": "Any other ethnic group",
    "White - British": "White British",
    "White - Irish": "White Irish",
    "White - Any other White background": "Other White",
    "Mixed - Any other mixed background": "Other Mixed",
    "Asian or Asian British - Any other Asian background": "Other Asian",
    "Black or Black British - Any other Black background": "Other Black",
    "Other Ethnic Groups - Any other ethnic group": "Any other ethnic group",
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


def _binary_labels(minority_label: str, unknown_label: str) -> dict[str, str]:
    return {"White": "White", "minority": minority_label, "unknown": unknown_label}


def harmonise(
    values,
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
        The target scheme (see the module docstring and :func:`labels`).
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
        display order of the scheme (:func:`labels`). ``result.attrs["unmapped"]`` is a dict
        ``input value -> count`` of the values that could not be mapped (empty if none),
        ``result.attrs["n_missing"]`` the number of blank or missing values, and
        ``result.attrs["scheme"]`` the target.

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
    :func:`lossy_mappings`. A value given as code and label (``"A - White British"``,
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
        to=to,
        errors=errors,
        order=_order(to),
        not_known_label=NOT_KNOWN,
        what=to,
    )


def harmonise_report(
    values,
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
    to, chinese, code_system
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
    Never raises for unmapped values: it is the tool for finding them.

    References
    ----------
    As for :func:`harmonise`.
    """
    _check_options(to, "not_known", chinese, code_system)
    binary = _binary_labels(DEFAULT_MINORITY_LABEL, NOT_KNOWN) if to == "binary" else None
    _series, _codes, rows = _resolve(
        values, to=to, chinese=chinese, code_system=code_system, binary_labels=binary
    )
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
    values,
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
        ``values``, with ``attrs["unmapped"]`` as in :func:`harmonise`.

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
        to="binary",
        errors=errors,
        order=_order("binary", binary),
        not_known_label=unknown_label,
        what="binary",
    )


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
    detailed.sort(key=lambda c: c.census if isinstance(c.census, int) else rank[c.census])
    return pd.DataFrame(
        {
            "nhs_code": pd.Series([c.nhs for c in detailed], dtype="str"),
            "nhs_label": pd.Series([NHS_CODES[c.nhs] for c in detailed], dtype="str"),
            "census2021_code": pd.array(
                [c.census if isinstance(c.census, int) else None for c in detailed], dtype="Int64"
            ),
            "census2021_label": pd.Series(
                [_target_value(c, "census2021", "asian", binary) for c in detailed], dtype="str"
            ),
            "high_level": pd.Series([c.high for c in detailed], dtype="str"),
            "high_level_nhs2001": pd.Series([c.high_nhs for c in detailed], dtype="str"),
            "binary": pd.Series([binary[c.binary] for c in detailed], dtype="str"),
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
        if c.lossy_nhs:
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
