"""Build reports: run notebooks with papermill, export HTML, write manifests, the index, verify.

The build reads ``reports.yml`` (format: the comment header of that file; :mod:`.spec`), checks every
report's parameters against its notebook's ``parameters`` cell, then builds each report that is out of
date (:mod:`.run`: papermill in a fresh kernel, offline HTML (:mod:`.html`), manifest
(:mod:`.manifest`), atomic swap into ``reports/<id>/``), many at once (:mod:`.batch`), with the make
fragment that lets ``make`` decide what is out of date (:mod:`.makefile`) and reviewers' reruns
(:mod:`.verify`).

This layer runs notebooks; it never imports the statistics, the workstreams or the demo generators
(an import-linter contract in ``pyproject.toml`` keeps it so).
"""

from rhoresearch.build.batch import build, index, verify
from rhoresearch.build.makefile import write_config_stamps, write_makefile
from rhoresearch.build.manifest import write_index
from rhoresearch.build.run import KERNEL_NAME, build_report, status
from rhoresearch.build.spec import DEFAULT_TIMEOUT, ReportSpec, load, select, validate
from rhoresearch.build.verify import RTOL, Verdict

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
