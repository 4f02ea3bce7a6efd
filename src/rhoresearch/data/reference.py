"""The catalogue of committed reference tables, and loading a table only if it is the catalogued file.

``data/reference/catalogue.json`` lists every committed reference table with its title, publisher,
source address, licence, retrieval date, sha256 and columns. :func:`reference_catalogue` returns it
as a tidy frame; :func:`load_reference` checks the file's sha256 against the catalogue before
reading (a changed file raises :class:`~rhoresearch.exceptions.VerificationError`), then loads it
like any other input (:func:`rhoresearch.data.load`, against a schema built from the catalogue's
columns); :func:`verify_reference_catalogue` checks every file at once.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from rhoresearch import config, provenance
from rhoresearch.data.loading import load
from rhoresearch.data.schemas import column, dataset_schema
from rhoresearch.exceptions import InputError, VerificationError

__all__ = [
    "CATALOGUE_FILE",
    "reference_catalogue",
    "reference_path",
    "load_reference",
    "verify_reference_catalogue",
]

#: The catalogue's file name, in ``data/reference/``.
CATALOGUE_FILE = "catalogue.json"


def _catalogue_path() -> Path:
    return config.reference_dir() / CATALOGUE_FILE


def _read_catalogue() -> dict:
    path = _catalogue_path()
    if not path.is_file():
        raise InputError(f"the reference catalogue is missing: {config.relative_to_root(path)}")
    with path.open(encoding="utf-8") as fh:
        return json.load(fh)


def reference_catalogue() -> pd.DataFrame:
    """Return the catalogue of committed reference tables, one row per table.

    Returns
    -------
    DataFrame
        Columns ``name`` (what :func:`load_reference` takes), ``file`` (under
        ``data/reference/``), ``title``, ``publisher``, ``source_url``, ``source_note``,
        ``licence``, ``retrieved`` (ISO date), ``sha256``, ``bytes``, ``rows``, ``columns``
        (the column names, comma-separated), ``key`` (the columns identifying a row,
        comma-separated).

    References
    ----------
    ``data/reference/catalogue.json``.
    """
    tables = _read_catalogue()["tables"]
    records = []
    for name, entry in tables.items():
        records.append(
            {
                "name": name,
                "file": entry["file"],
                "title": entry["title"],
                "publisher": entry["publisher"],
                "source_url": entry["source_url"],
                "source_note": entry.get("source_note", ""),
                "licence": entry["licence"],
                "retrieved": entry["retrieved"],
                "sha256": entry["sha256"],
                "bytes": entry["bytes"],
                "rows": entry["rows"],
                "columns": ", ".join(c["name"] for c in entry["columns"]),
                "key": ", ".join(entry.get("key", [])),
            }
        )
    frame = pd.DataFrame.from_records(records)
    return frame.astype({"bytes": "int64", "rows": "int64"})


def _entry(name: str) -> tuple[str, dict]:
    """The catalogue name and entry of a table given by catalogue name or file name."""
    tables = _read_catalogue()["tables"]
    if name in tables:
        return name, tables[name]
    for key, entry in tables.items():  # also accept the file name, with or without .csv
        if name in (entry["file"], Path(entry["file"]).stem):
            return key, entry
    raise InputError(f"no reference table {name!r}; the catalogue has: {', '.join(sorted(tables))}")


def reference_path(name: str) -> Path:
    """Return the path of a catalogued reference table.

    Parameters
    ----------
    name : str
        The table's catalogue name, or its file name (with or without ``.csv``).

    Returns
    -------
    pathlib.Path
        ``data/reference/<file>`` (the file is not read nor checked: see :func:`load_reference`).

    Raises
    ------
    InputError
        If the name is not catalogued.

    References
    ----------
    ``data/reference/catalogue.json``.
    """
    _, entry = _entry(name)
    return config.reference_dir() / entry["file"]


def _reference_schema(name: str, entry: dict) -> pa.DataFrameSchema:
    """The schema of a catalogued table: its recorded columns, types and key; nothing else."""
    cols = {
        c["name"]: column(
            c["dtype"], nullable=c.get("nullable", False), description=c.get("description")
        )
        for c in entry["columns"]
    }
    return dataset_schema(name, columns=cols, key=entry.get("key") or None, strict=True)


def load_reference(name: str, *, columns: str | Sequence[str] | None = None) -> pd.DataFrame:
    """Load a committed reference table after checking it is the catalogued file.

    Parameters
    ----------
    name : str
        The table's catalogue name (:func:`reference_catalogue`, column ``name``), e.g.
        ``"esp2013"``, ``"census2021_ts021"``, ``"nhs_ethnic_category"``; the file name is also
        accepted.
    columns : sequence of str, optional
        Return only these columns.

    Returns
    -------
    DataFrame
        The table with the columns and types recorded in the catalogue.

    Raises
    ------
    VerificationError
        If the file's sha256 differs from the catalogue's (the file was edited or replaced).
    InputError
        If the name is not catalogued or the file is missing.
    SchemaError
        If the file no longer matches its catalogued columns.

    Notes
    -----
    The file is recorded as a report input (:func:`rhoresearch.provenance.record_input`).

    References
    ----------
    ``data/reference/catalogue.json`` gives each table's publisher, source and licence.
    """
    key, entry = _entry(name)
    path = config.reference_dir() / entry["file"]
    if not path.is_file():
        raise InputError(
            f"reference table {key!r}: file {config.relative_to_root(path)} is missing"
        )
    actual = provenance.file_sha256(path)
    if actual != entry["sha256"]:
        raise VerificationError(
            f"reference table {key!r} ({config.relative_to_root(path)}) has changed: its sha256 is "
            f"{actual} but the catalogue records {entry['sha256']}. Restore the published file, or "
            "record the new version's source, retrieval date and sha256 in "
            f"data/reference/{CATALOGUE_FILE}."
        )
    return load(path, schema=_reference_schema(key, entry), columns=columns)


def verify_reference_catalogue() -> pd.DataFrame:
    """Check every catalogued file against its sha256, and that every file is catalogued.

    Returns
    -------
    DataFrame
        Columns ``file``, ``status`` (``"ok"``, ``"changed"``, ``"missing"`` or
        ``"not catalogued"``), ``expected_sha256``, ``actual_sha256``; one row per catalogued or
        present file (the catalogue itself and README files excepted), sorted by file.

    References
    ----------
    ``data/reference/catalogue.json`` (the sha256 recorded when each table was retrieved).
    """
    tables = _read_catalogue()["tables"]
    directory = config.reference_dir()
    records = []
    catalogued = set()
    for entry in tables.values():
        path = directory / entry["file"]
        catalogued.add(entry["file"])
        actual = provenance.file_sha256(path) if path.is_file() else None
        if actual is None:
            status = "missing"
        else:
            status = "ok" if actual == entry["sha256"] else "changed"
        records.append((entry["file"], status, entry["sha256"], actual))
    for path in sorted(directory.iterdir()):
        if path.is_file() and path.name not in catalogued and path.name != CATALOGUE_FILE:
            if path.name.lower().startswith("readme") or path.name.startswith("."):
                continue
            records.append((path.name, "not catalogued", None, provenance.file_sha256(path)))
    frame = pd.DataFrame(records, columns=["file", "status", "expected_sha256", "actual_sha256"])
    return frame.sort_values("file", kind="stable").reset_index(drop=True)
