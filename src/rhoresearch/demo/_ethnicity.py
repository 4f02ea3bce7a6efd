"""Shared pieces of the demonstration-data generators (private).

Used by workstreams 1 and 4 (codes, regions, messy values) and, for the Census 2021 counts, by
the other generators.

Ethnic category codes are those of the NHS Data Dictionary data element ETHNIC CATEGORY (national
codes A-S, Z = not stated; default code 99 = not known). Real extracts carry these codes in untidy
forms (lower case, padded, the description instead of the code, blanks), which the generators
reproduce at stated rates so that :func:`rhoresearch.ethnicity.harmonise` has real work to do.

Population shares within each high-level group come from the Census 2021 table TS021 (usual
residents, England; Nomis ``census2021-ts021``), mapped to the NHS letter codes as NHS Digital's
Mental Health Act statistics map them (Gypsy or Irish Traveller and Roma under C; Arab under S).
High-level groups follow Census 2021, as :func:`rhoresearch.ethnicity.harmonise` does by default:
Chinese (NHS code R) is counted under Asian.
"""

from __future__ import annotations

import numpy as np

from rhoresearch import ethnicity

#: NHS ethnic category code -> (description, high-level group), for the 16 national codes A-S: the
#: package's one code list (:data:`rhoresearch.ethnicity.NHS_CODES`), grouped as
#: :func:`rhoresearch.ethnicity.harmonise` groups them (Chinese under Asian, as Census 2021 does).
NHS_CODES: dict[str, tuple[str, str]] = {
    code: (ethnicity.NHS_CODES[code], str(group))
    for code, group in zip(
        ethnicity.NHS_NATIONAL_CODES,
        ethnicity.harmonise(list(ethnicity.NHS_NATIONAL_CODES), to="high_level"),
        strict=True,
    )
}

#: Census 2021 TS021, England, usual residents, mapped to NHS codes (C = 15 + 16 + 17, S = 18 + 19).
CENSUS2021_ENGLAND: dict[str, int] = {
    "A": 41_540_791,
    "B": 494_251,
    "C": 64_218 + 99_138 + 3_585_003,
    "D": 499_310,
    "E": 241_528,
    "F": 474_190,
    "G": 454_350,
    "H": 1_843_248,
    "J": 1_570_285,
    "K": 629_567,
    "L": 952_127,
    "M": 619_419,
    "N": 1_468_474,
    "P": 293_831,
    "R": 431_165,
    "S": 320_203 + 908_950,
}

HIGH_LEVEL = ["White", "Mixed", "Asian", "Black", "Other"]

#: NHS England's seven regions: (ODS code, name).
REGION_CODES = (
    ("Y56", "London"),
    ("Y59", "South East"),
    ("Y58", "South West"),
    ("Y61", "East of England"),
    ("Y60", "Midlands"),
    ("Y63", "North East and Yorkshire"),
    ("Y62", "North West"),
)
#: Their names.
REGIONS = [name for _, name in REGION_CODES]


def codes_of(group: str) -> list[str]:
    """NHS codes of one high-level group, in code order."""
    return [code for code, (_, hl) in NHS_CODES.items() if hl == group]


def within_group_shares(group: str) -> np.ndarray:
    """Census 2021 shares of each NHS code within its high-level group."""
    counts = np.array([CENSUS2021_ENGLAND[c] for c in codes_of(group)], dtype=float)
    return counts / counts.sum()


def draw_codes(rng: np.random.Generator, groups: np.ndarray) -> np.ndarray:
    """Draw a detailed NHS code for each high-level group label, in Census proportions."""
    out = np.empty(len(groups), dtype=object)
    for group in HIGH_LEVEL:
        idx = np.flatnonzero(groups == group)
        if idx.size:
            out[idx] = rng.choice(codes_of(group), size=idx.size, p=within_group_shares(group))
    return out


def messy(
    rng: np.random.Generator,
    codes: np.ndarray,
    *,
    not_stated: float,
    not_known: float,
) -> tuple[np.ndarray, dict]:
    """Write codes as a real extract would, and blank some out as not stated / not known.

    Of the recorded codes, 86% appear as the bare code, 5% in lower case, 3% padded with spaces and
    6% as the Data Dictionary description. A share ``not_stated`` becomes not stated (``Z``, the
    text "Not stated" or a blank cell, which harmonisation reads as not known) and ``not_known``
    becomes the default code ``99``.

    Returns the raw values and the number of values of each kind.
    """
    n = len(codes)
    raw = np.array(codes, dtype=object)
    form = rng.choice(4, size=n, p=[0.86, 0.05, 0.03, 0.06])
    lower = form == 1
    raw[lower] = [c.lower() for c in raw[lower]]
    padded = form == 2
    raw[padded] = [f" {c} " for c in raw[padded]]
    described = form == 3
    raw[described] = [NHS_CODES[c][0] for c in raw[described]]
    missing = rng.random(n)
    stated_kind = rng.choice(3, size=n, p=[0.6, 0.2, 0.2])
    is_not_stated = missing < not_stated
    is_not_known = (missing >= not_stated) & (missing < not_stated + not_known)
    blank = is_not_stated & (stated_kind == 2)
    raw[is_not_stated & (stated_kind == 0)] = "Z"
    raw[is_not_stated & (stated_kind == 1)] = "Not stated"
    raw[blank] = ""
    raw[is_not_known] = "99"
    counts = {
        "recorded": int(n - is_not_stated.sum() - is_not_known.sum()),
        "not_stated": int((is_not_stated & ~blank).sum()),
        "blank": int(blank.sum()),
        "not_known": int(is_not_known.sum()),
        "lower_case": int((lower & ~is_not_stated & ~is_not_known).sum()),
        "padded": int((padded & ~is_not_stated & ~is_not_known).sum()),
        "description": int((described & ~is_not_stated & ~is_not_known).sum()),
    }
    return raw, counts
