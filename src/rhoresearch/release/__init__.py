"""The output-release pack: what a trusted research environment's output checker needs.

``python -m rhoresearch release ID`` (``make release REPORT=ID``) calls :func:`pack`, which builds
``reports/<id>/release/`` from a built report: only the files a checker can release (the results
CSVs, the figures with the CSV of the data behind each, the HTML report), each checked
automatically, and ``release.md`` / ``release.json`` saying, for every file, what it is, the
disclosure controls applied (policy, threshold, rounding, secondary suppression), the smallest count
shown and the checks passed. A file that fails a check is not copied; :func:`pack` names it and
why, and the command exits non-zero.

This layer may import :mod:`rhoresearch.build` (the report's configuration and folder) and
:mod:`rhoresearch.disclosure` (the scan of each table against its policy); nothing below imports it
(an import-linter contract in ``pyproject.toml``).
"""

from rhoresearch.release.checks import (
    ALLOWED_TYPES,
    IDENTIFYING_COLUMN,
    MAX_BYTES,
    MAX_CSV_ROWS,
    check_file,
)
from rhoresearch.release.pack import ReleaseResult, pack

__all__ = [
    "ALLOWED_TYPES",
    "IDENTIFYING_COLUMN",
    "MAX_BYTES",
    "MAX_CSV_ROWS",
    "ReleaseResult",
    "check_file",
    "pack",
]
