"""Shared pieces of the record-level demonstration generators: maternity and mental health (private).

Both generators write one row per event (a maternity, a birth, a detention, a community treatment
order) with the ethnic category as it arrives in a real extract, and place records in NHS England
regions. What they share lives here, so that neither imports the other:

- :data:`NHS_CODES`: the 16 national ethnic category codes with their Data Dictionary description
  and high-level group, derived from :data:`rhoresearch.ethnicity.NHS_CODES` and
  :func:`rhoresearch.ethnicity.harmonise` (Chinese under Other, as MBRRACE-UK and NHS Digital
  publish); :data:`HIGH_LEVEL` is the generators' order of the groups;
- :data:`REGIONS`: the seven NHS England regions (ODS code, name);
- :func:`ethnic_strings`: a messy extract column (codes bare, lower case, padded or as the
  description; ``Z``, ``99``, blanks, nulls and invalid codes at stated rates), with the counts of
  each form for the truth file;
- :func:`write_parquet` (the files' one Parquet layout) and :func:`six_figures` (the rounding of
  the values written to the truth file).

References
----------
NHS Data Dictionary, ETHNIC CATEGORY (national codes A-S, Z not stated, default code 99 not
known). NHS England, regions and their ODS codes.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from rhoresearch import ethnicity
from rhoresearch.demo._ethnicity import HIGH_LEVEL, REGION_CODES

__all__ = [
    "HIGH_LEVEL",
    "NHS_CODES",
    "REGIONS",
    "NOT_KNOWN_FORMS",
    "INVALID_CODES",
    "INVALID_RATE",
    "RECORDED_FORMS",
    "codes_of",
    "cat_draw",
    "ethnic_strings",
    "six_figures",
    "write_parquet",
]

_NATIONAL = [code for code in ethnicity.NHS_CODES if code not in ("Z", "99")]
#: The 16 national NHS ethnic category codes: code -> (description, high-level group).
NHS_CODES: dict[str, tuple[str, str]] = {
    code: (ethnicity.NHS_CODES[code], str(group))
    for code, group in zip(
        _NATIONAL,
        ethnicity.harmonise(_NATIONAL, to="high_level", chinese="other"),
        strict=True,
    )
}

#: NHS England regions: (ODS code, name).
REGIONS = REGION_CODES

#: Default shares of all rows for each not-known form (``None`` is a null).
NOT_KNOWN_FORMS: dict[str | None, float] = {"Z": 0.015, "99": 0.015, "": 0.006, None: 0.004}
#: Invalid codes, and the share of recorded codes replaced by one.
INVALID_CODES = ("0", "T", "Q", "W")
INVALID_RATE = 0.002
#: Forms of a recorded code: bare, lower case, padded, description.
RECORDED_FORMS = np.array([0.88, 0.04, 0.03, 0.05])


def codes_of(group: str) -> list[str]:
    """NHS codes of one high-level group (Chinese under Other), in code order."""
    return [code for code, (_, g) in NHS_CODES.items() if g == group]


def cat_draw(rng: np.random.Generator, dist: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Draw one category per row from ``dist[rows]`` (rows of probabilities), vectorised."""
    cdf = np.cumsum(dist, axis=1)
    cdf[:, -1] = 1.0
    u = rng.random(rows.size)
    return (u[:, None] >= cdf[rows]).sum(axis=1).astype(np.int8)


def ethnic_strings(
    rng: np.random.Generator,
    codes: np.ndarray,
    *,
    not_known_forms: dict[str | None, float] | None = None,
    invalid_rate: float = INVALID_RATE,
) -> tuple[pa.Array, dict[str, int]]:
    """Write code indices (into the 16 NHS codes) as a messy extract column; return counts.

    ``not_known_forms`` maps each not-known form (``"Z"``, ``"99"``, ``""``, ``None`` for null)
    to its share of all rows; ``invalid_rate`` is the share of recorded codes replaced by an
    invalid code. Recorded codes appear bare, lower case, padded or as the description.
    """
    not_known_forms = NOT_KNOWN_FORMS if not_known_forms is None else not_known_forms
    nhs = list(NHS_CODES)
    n = codes.size
    vocab: list[str | None] = []
    for code in nhs:
        vocab += [code, code.lower(), f" {code} ", NHS_CODES[code][0]]
    base_len = len(vocab)
    not_known = list(not_known_forms)
    vocab += [v for v in not_known if v is not None]
    vocab += list(INVALID_CODES)
    form = cat_draw(rng, RECORDED_FORMS[None, :], np.zeros(n, dtype=np.int8))
    index = codes.astype(np.int32) * 4 + form
    u = rng.random(n)
    cuts = np.cumsum(list(not_known_forms.values()))
    kind = np.searchsorted(cuts, u, side="right")  # 0..3 masked as not known, 4 recorded
    masked = kind < len(not_known)
    null = np.zeros(n, dtype=bool)
    counts = {}
    for k, value in enumerate(not_known):
        sel = kind == k
        counts[{"Z": "Z", "99": "99", "": "blank", None: "null"}[value]] = int(sel.sum())
        if value is None:
            null |= sel
        else:
            index[sel] = base_len + [v for v in not_known if v is not None].index(value)
    invalid = (~masked) & (rng.random(n) < invalid_rate)
    which = rng.integers(0, len(INVALID_CODES), size=n)
    index[invalid] = base_len + len([v for v in not_known if v is not None]) + which[invalid]
    recorded = ~masked & ~invalid
    counts["invalid_code"] = int(invalid.sum())
    counts["recorded"] = int(recorded.sum())
    for f, name in enumerate(("bare_code", "lower_case", "padded", "description")):
        counts[name] = int((recorded & (form == f)).sum())
    dictionary = pa.array([v if v is not None else "" for v in vocab], type=pa.string())
    indices = pa.array(index, mask=null, type=pa.int32())
    return dictionary.take(indices), counts


def write_parquet(table: pa.Table, path: Path) -> None:
    """Write a generated table as Parquet (zstd, dictionary-encoded, with statistics)."""
    pq.write_table(table, path, compression="zstd", use_dictionary=True, write_statistics=True)


def six_figures(x: float) -> float:
    """``x`` to six significant figures, as the truth files record planted values."""
    return float(f"{float(x):.6g}")
