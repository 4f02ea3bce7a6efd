"""Where a run's inputs came from: file hashes and the ledger of inputs a notebook reads.

When the build runs a notebook it sets ``RHORESEARCH_RUN_DIR`` (:data:`RUN_DIR_ENV`) to the report's
temporary folder. Every loader of the data layer calls :func:`record_input` for each file it reads;
the record (path relative to the project root, size, sha256) is appended to a ledger in that folder,
and the build reads it back with :func:`recorded_inputs` to write the manifest's ``inputs``. Run
interactively, the records stay in this process (and the run folder is ``reports/_interactive``).

:func:`file_sha256` is the package's one file hash.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from pathlib import Path
from typing import Any

from rhoresearch import config

__all__ = ["RUN_DIR_ENV", "run_dir", "file_sha256", "record_input", "recorded_inputs"]

logger = logging.getLogger(__name__)

#: The environment variable naming the folder a run writes into.
RUN_DIR_ENV = "RHORESEARCH_RUN_DIR"
_INPUTS_LEDGER = "_inputs.jsonl"
_session_inputs: dict[str, dict] = {}


def run_dir() -> Path:
    """The folder this run writes into: ``$RHORESEARCH_RUN_DIR``, else ``reports/_interactive``."""
    env = os.environ.get(RUN_DIR_ENV)
    path = Path(env) if env else config.reports_dir() / "_interactive"
    path.mkdir(parents=True, exist_ok=True)
    return path


def file_sha256(path: str | os.PathLike) -> str:
    """Return the hex sha256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def record_input(path: str | os.PathLike) -> dict:
    """Record that the running notebook read ``path`` (for the manifest's ``inputs``).

    Returns the record: ``path`` (relative to the project root when inside it), ``bytes``,
    ``sha256``. Called by every loader in :mod:`rhoresearch.data`; a file read twice is recorded once.
    """
    p = Path(path).resolve()
    record: dict[str, Any] = {
        "path": config.relative_to_root(p),
        "bytes": p.stat().st_size,
        "sha256": file_sha256(p),
    }
    key = str(record["path"])
    if _session_inputs.get(key) != record:
        _session_inputs[key] = record
        if os.environ.get(RUN_DIR_ENV):
            with (run_dir() / _INPUTS_LEDGER).open("a", encoding="utf-8") as fh:
                fh.write(json.dumps(record, sort_keys=True) + "\n")
    logger.debug("input recorded: %s (%d bytes)", record["path"], record["bytes"])
    return record


def recorded_inputs(directory: str | os.PathLike | None = None) -> list[dict]:
    """Return the inputs recorded in a run folder (default: this process's session), sorted by path."""
    if directory is None:
        return sorted(_session_inputs.values(), key=lambda r: r["path"])
    ledger = Path(directory) / _INPUTS_LEDGER
    if not ledger.exists():
        return []
    records = {}
    for line in ledger.read_text(encoding="utf-8").splitlines():
        if line.strip():
            rec = json.loads(line)
            records[rec["path"]] = rec
    return sorted(records.values(), key=lambda r: r["path"])
