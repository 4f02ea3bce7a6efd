"""Reading one ethnicity value as it arrives: which group a code or a label names.

Extracts hold NHS codes (``"A"``, ``"a "``, ``"99"``, HES ``"X"``, the withdrawn default ``"9"``,
two-character local codes such as ``"A1"``), NHS and Census 2021 descriptions, common variants
(``"BLACK CARIBBEAN"``, ``"Mixed: White & Asian"``, ``"Other White"``), high-level groups and
collective labels (``"BME"``), in any case and punctuation. :func:`classify` names the concept of
:mod:`rhoresearch.ethnicity.schemes` that one such value stands for, or says why it cannot.

Labels are compared after :func:`normalise` (lower case, ``&`` as ``and``, punctuation as spaces).
The alias table is built from the group headings and details of both schemes (every heading
with every detail, in either order) plus values accepted on their own; an alias that would name
two groups is a bug in the tables and fails at import.

References
----------
NHS Data Dictionary, ETHNIC CATEGORY, and Change Request 406 (2004, withdrawal of default code 9
"not given"). NHS Digital, GDPPR ethnicity asset (unknown = Z, X, 99, 9, blank).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from rhoresearch.ethnicity.schemes import _BY_KEY, _CONCEPTS, CENSUS2021_CODES, NHS_CODES

__all__ = ["MISSING", "Match", "classify", "is_missing", "normalise"]

#: The concept key of a blank or missing value (no ethnicity recorded).
MISSING = "__missing__"

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
        [
            "white british",
            "british white",
            "white uk",
            "white english",
            # NHS England Mental Health Act statistics print the detailed groups without their
            # upper group ("British", "Irish", "African"); ONS tables without "White:"
            "british",
            "english welsh scottish northern irish or british",
            "english welsh scottish northern irish british",
        ],
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
        [
            "any other ethnic group",
            "any other ethnic background",
            "other any other ethnic group",
            # Ethnicity facts and figures: "Any other" in the Other group's rows
            "any other",
        ],
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
    # Collective labels that name no single group (published totals and residual groupings):
    # never mapped to a group, in any scheme (harmonise raises; harmonise_report lists them)
    "collective": [
        "all",
        "all ethnic groups",
        "all ethnicities",
        "all groups",
        "all people",
        "all persons",
        "total",
        "totals",
        "grand total",
        "england total",
        "other inc mixed",
        "other including mixed",
        "other incl mixed",
        "mixed and other",
        "mixed or other",
        "mixed multiple other",
        "mixed multiple or other",
        "mixed multiple and other",
        "mixed and other ethnic groups",
        "other and mixed",
        "asian and other",
        "black and other",
        "black mixed and other",
        "chinese and mixed",
        "minority ethnic including white minorities",
        "ethnic minorities excluding white minorities",
        "ethnic minorities excl white minorities",
        "all minority ethnic groups",
        "known ethnicity",
        "ethnicity known",
    ],
}

#: Words a published totals row adds to a group's label ("Indian total", "Total: Asian").
_TOTAL_WORDS = ("total", "totals", "all")

# Spellings of a missing value (compared after upper-casing and stripping).
_MISSING_TOKENS = {"", "NA", "N/A", "NAN", "NULL", "NONE", "<NA>", "#N/A", "-", "--", "."}


def normalise(text: str) -> str:
    """Lower-case, ``&`` -> ``and``, punctuation to spaces, single spaces."""
    text = text.lower().replace("&", " and ")
    text = re.sub(r"[^a-z0-9]+", " ", text)
    return " ".join(text.split())


def _without_total(norm: str) -> str:
    """A normalised label without the word that makes it a totals row (``indian total``)."""
    words = norm.split(" ")
    if len(words) > 1 and words[-1] in _TOTAL_WORDS[:2]:
        return " ".join(words[:-1])
    if len(words) > 1 and words[0] in _TOTAL_WORDS:
        return " ".join(words[1:])
    return norm


def _build_aliases() -> dict[str, str]:
    aliases: dict[str, str] = {}

    collective = {normalise(a) for a in _STANDALONE["collective"]}

    def add(alias: str, key: str) -> None:
        alias = normalise(alias)
        if alias in collective and key != "collective":
            # a heading-and-detail combination that publications print for a collective group
            # ("Mixed/ multiple/ other": the Mixed and Other groups together) is collective
            return
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
    for census_code, label in CENSUS2021_CODES.items():
        key = next(c.key for c in _CONCEPTS if c.census == census_code)
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
class Match:
    """What one value names: a concept key, :data:`MISSING`, or None (unmapped), and how."""

    key: str | None  # concept key, MISSING, or None (unmapped)
    how: str  # "code", "label", "local_code", "missing", "unmapped"
    note: str = ""


def is_missing(value: object) -> bool:
    """Whether ``value`` is a null or a blank or null-like string (``""``, ``"NA"``, ``"NULL"``...)."""
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


def classify(value: object, code_system: str) -> Match:
    """Classify one distinct value (``code_system``: ``"nhs"`` or ``"census2021"``, for bare numbers)."""
    if is_missing(value):
        return Match(MISSING, "missing", "blank or missing value")
    text = _as_text(value)
    upper = text.upper()
    if code_system == "census2021" and upper in _CENSUS_NUMERIC:
        return Match(_CENSUS_NUMERIC[upper], "code")
    if upper in _CODES:
        return Match(_CODES[upper], "code")
    norm = normalise(text)
    if norm in _ALIASES:
        return Match(_ALIASES[norm], "label")
    bare = _without_total(norm)
    if bare != norm and bare in _ALIASES:
        return Match(_ALIASES[bare], "label", f"a totals row of {bare!r}")
    for pattern, code_group, label_group in ((_CODED_LABEL, 1, 2), (_LABEL_CODED, 2, 1)):
        m = pattern.match(text)
        if m:
            code_key = _CODES.get(m.group(code_group).upper())
            label_key = _ALIASES.get(normalise(m.group(label_group)))
            if code_key is not None and code_key == label_key:
                return Match(code_key, "label")
            if code_key is not None and label_key is not None:
                return Match(None, "unmapped", "code and label disagree")
    m = _LOCAL_LABEL.match(text)
    if m and m.group(1) not in _NOT_LOCAL_CODES:
        local, label = m.group(1), normalise(m.group(2))
        national = local[0]
        label_key = _ALIASES.get(label)
        same_group = label_key is not None and (
            _BY_KEY[label_key].high_nhs == _BY_KEY[_CODES[national]].high_nhs
        )
        if same_group or label.split(" ")[0] == _GROUP_WORD[national]:
            return Match(
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
        return Match(_CODES[upper[0]], "local_code", f"local sub-code of national code {upper[0]}")
    return Match(None, "unmapped", "not a recognised code or label")
