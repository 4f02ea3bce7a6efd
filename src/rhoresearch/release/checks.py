"""The automatic checks of one file of a release pack (common output-checker limits).

References
----------
OpenSAFELY. *Requesting the release of outputs* (https://docs.opensafely.org/releasing-files/):
file types that can be released, a limit of 5,000 rows per table and 16 MB per file, no
record-level data.

Green M, Ritchie F, et al. (2021). *Safe Researcher Training* / SDC handbook: no direct
identifiers (NHS numbers, dates of birth, record identifiers) in outputs.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, NamedTuple

import pandas as pd

from rhoresearch import disclosure

__all__ = [
    "ALLOWED_TYPES",
    "MAX_CSV_ROWS",
    "MAX_BYTES",
    "IDENTIFYING_COLUMN",
    "FileCheck",
    "check_file",
]

#: The file types a release may hold.
ALLOWED_TYPES = ("csv", "png", "svg", "html", "json", "md", "txt")
#: At most this many data rows in a CSV.
MAX_CSV_ROWS = 5_000
#: At most this many bytes in a file (16 MB).
MAX_BYTES = 16 * 1024 * 1024
#: Column names that identify a person or a record (compared in lower case, spaces and dashes as
#: ``_``): identifiers of a patient, person, record, episode, detention, admission, birth ... (e.g.
#: ``patient_id``, ``detention_id``), NHS numbers, dates of birth.
IDENTIFYING_COLUMN = re.compile(
    r"^(patient|person|pseudo|pseudonym|record|episode|spell|subject|participant|individual|"
    r"mother|baby|staff|employee|detention|admission|attendance|appointment|referral|encounter|"
    r"contact|event|birth|death|case|reading|measurement|sample|row)_?(id|key|number|no)$"
    r"|^nhs_?(number|no|num|id)$|^nhsno$"
    r"|^(date_?of_?birth|birth_?date|dob|d_o_b)$"
    r"|^(id|row_id|record_id|uuid)$"
)


class FileCheck(NamedTuple):
    """What :func:`check_file` found: ``passed`` (check names), ``failed`` (reasons), facts."""

    passed: list[str]
    failed: list[str]
    rows: int | None
    smallest_count: float | None
    suppressed_cells: int


def _norm(name: object) -> str:
    return re.sub(r"[\s\-]+", "_", str(name).strip().lower())


def check_file(path: Path, *, policy: disclosure.Policy | None = None) -> FileCheck:
    """Run the automatic checks on one file.

    Parameters
    ----------
    path : pathlib.Path
        The file.
    policy : Policy, optional
        The report's disclosure policy, for a CSV whose sidecar records none.

    Returns
    -------
    FileCheck
        ``passed``: the names of the checks passed (``type``, ``size``, and for a CSV ``rows``,
        ``no identifying column``, ``disclosure scan``); ``failed``: one reason per failed check;
        ``rows`` (CSV data rows), ``smallest_count`` (the smallest non-zero count shown, from the
        count columns its sidecar or the naming convention declares), ``suppressed_cells``.
    """
    passed: list[str] = []
    failed: list[str] = []
    suffix = path.suffix.lower().lstrip(".")
    if suffix in ALLOWED_TYPES:
        passed.append("type")
    else:
        failed.append(
            f"file type .{suffix or '(none)'} is not releasable (allowed: {ALLOWED_TYPES})"
        )
    size = path.stat().st_size
    if size <= MAX_BYTES:
        passed.append("size")
    else:
        failed.append(f"{size:,} bytes: over the limit of {MAX_BYTES:,} (16 MB)")
    if suffix != "csv":
        return FileCheck(passed, failed, None, None, 0)
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        failed.append(f"could not be read as CSV: {exc}")
        return FileCheck(passed, failed, None, None, 0)
    rows = len(table)
    if rows <= MAX_CSV_ROWS:
        passed.append("rows")
    else:
        failed.append(f"{rows:,} rows: over the limit of {MAX_CSV_ROWS:,} rows (record-level?)")
    identifying = [c for c in table.columns if IDENTIFYING_COLUMN.match(_norm(c))]
    if identifying:
        failed.append(f"column(s) {identifying} identify a person or a record")
    else:
        passed.append("no identifying column")
    unsafe = disclosure.scan(path.parent, pattern=path.name, policy=policy)
    if len(unsafe):
        first = unsafe.iloc[0]
        failed.append(
            f"disclosure scan: {len(unsafe)} unsafe cell(s) (first: row {first['row']}, column "
            f"{first['column']!r}: {first['reason']})"
        )
    else:
        passed.append("disclosure scan")
    smallest, hidden = _counts(table, path, policy)
    return FileCheck(passed, failed, rows, smallest, hidden)


def _counts(
    table: pd.DataFrame, path: Path, policy: disclosure.Policy | None
) -> tuple[float | None, int]:
    meta: dict[str, Any] | None = disclosure.read_sidecar(path)
    if meta is not None:
        counts = [c for c in meta["counts"] if c in table.columns]
        policy = meta["policy"] or policy
    else:
        counts = [c for c in table.columns if disclosure.is_count_column(c)]
    symbol = policy.symbol if policy is not None else disclosure.SUPPRESSED
    hidden = int(sum((table[c].str.strip() == symbol).sum() for c in table.columns))
    values = pd.concat(
        [pd.to_numeric(table[c].str.replace(",", ""), errors="coerce") for c in counts]
        or [pd.Series(dtype="float64")]
    )
    positive = values[values > 0]
    return (float(positive.min()) if len(positive) else None), hidden
