"""What a running notebook uses to talk to the build: inputs read, tables and figures shown.

This module is the notebook side of the report build (``rhoresearch.build`` is the other side).
When the build runs a notebook it sets ``RHORESEARCH_RUN_DIR`` to the report's temporary folder; the
helpers here then record every input file the notebook reads (for the manifest) and write result
tables under ``results/``. Run interactively (JupyterLab), the same calls work and write under
``reports/_interactive/``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from pathlib import Path

from rhoresearch import config

__all__ = ["RUN_DIR_ENV", "run_dir", "record_input", "recorded_inputs", "file_sha256"]

logger = logging.getLogger(__name__)

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
    record = {
        "path": config.relative_to_root(p),
        "bytes": p.stat().st_size,
        "sha256": file_sha256(p),
    }
    if _session_inputs.get(record["path"]) != record:
        _session_inputs[record["path"]] = record
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
