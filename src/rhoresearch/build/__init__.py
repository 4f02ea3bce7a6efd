"""Build reports: run notebooks with papermill, export HTML, write manifests, the index, verify.

The build reads ``reports.yml`` (format: the comment header of that file; :mod:`.spec`), checks every
report's parameters against its notebook's ``parameters`` cell, then builds each report that is out of
date (:mod:`.run`: papermill in a fresh kernel (:mod:`.kernel`), offline HTML (:mod:`.html`),
spreadsheet and manifest (:mod:`.export`, :mod:`.manifest`), atomic swap into ``reports/<id>/``),
many at once (:mod:`.batch`), with the make fragment that lets ``make`` decide what is out of date
(:mod:`.makefile`) and reviewers' reruns (:mod:`.verify`).

This layer runs notebooks; it never imports the statistics, the workstreams or the demo generators
(an import-linter contract in ``pyproject.toml`` keeps it so).

``from rhoresearch import build`` costs little (``build_report``, whose module imports papermill,
nbconvert and pandas, is imported on first use), so a build can start its first kernels before
those imports (:mod:`.batch`).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from rhoresearch.build import _fastimport  # noqa: F401  (first: before anything imports nbformat)
from rhoresearch.build.batch import build, index, verify
from rhoresearch.build.kernel import KERNEL_NAME
from rhoresearch.build.makefile import status, write_config_stamps, write_makefile
from rhoresearch.build.manifest import write_index
from rhoresearch.build.spec import DEFAULT_TIMEOUT, ReportSpec, load, select, validate
from rhoresearch.build.verify import RTOL, Verdict

if TYPE_CHECKING:
    from rhoresearch.build.run import build_report

__all__ = [
    "KERNEL_NAME",
    "ReportSpec",
    "load",
    "select",
    "validate",
    "status",
    "build_report",
    "build",
    "write_index",
    "write_config_stamps",
    "write_makefile",
    "verify",
    "index",
    "DEFAULT_TIMEOUT",
    "RTOL",
    "Verdict",
]


def __getattr__(name: str) -> Any:
    # build_report's module imports papermill, nbconvert and pandas (about 1 s of CPU): on first use
    if name == "build_report":
        value = importlib.import_module("rhoresearch.build.run").build_report
        globals()[name] = value
        return value
    raise AttributeError(f"module 'rhoresearch.build' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
