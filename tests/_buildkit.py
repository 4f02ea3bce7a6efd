"""Shared helpers for the build tests: a scratch project root made from tests/fixtures/."""

from __future__ import annotations

import contextlib
import os
import shutil
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent / "fixtures"
TIME_FIELDS = ("started_at", "finished_at", "duration_s", "cell_time_s")
#: One default report of every notebook (ids of reports.yml), as the ``demo_report`` fixture builds them.
ONE_PER_NOTEBOOK = [
    "community-trust",
    "workforce",
    "data-quality",
    "technology-bias",
    "maternity",
    "mental-health",
]
#: The folder (under the run's shared folder) where ``demo_report`` builds and writes the index.
DEMO_REPORTS = "demo-reports"


def make_project(root: Path, *, config_text: str | None = None) -> Path:
    """Copy the fixture notebooks and build configuration into ``root``; add the sample data."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copytree(FIXTURES / "notebooks", root / "notebooks", dirs_exist_ok=True)
    (root / "reports.yml").write_text(
        config_text or (FIXTURES / "reports.yml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    data = root / "data" / "demo" / "sample"
    data.mkdir(parents=True, exist_ok=True)
    shutil.copy(FIXTURES / "data" / "counts.csv", data / "counts.csv")
    return root


@contextlib.contextmanager
def project_env(root: Path):
    """Point rhoresearch (and the kernels it starts) at the scratch project ``root``."""
    keys = ("RHORESEARCH_ROOT", "RHORESEARCH_REPORTS_DIR")
    saved = {k: os.environ.get(k) for k in keys}
    os.environ["RHORESEARCH_ROOT"] = str(root)
    os.environ.pop("RHORESEARCH_REPORTS_DIR", None)
    try:
        yield root
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def subprocess_env(root: Path) -> dict:
    env = dict(os.environ)
    env["RHORESEARCH_ROOT"] = str(root)
    env.pop("RHORESEARCH_REPORTS_DIR", None)
    return env


def without_times(manifest: dict) -> dict:
    """A manifest with its time fields removed (what must agree between two builds)."""
    out = {k: v for k, v in manifest.items() if k not in TIME_FIELDS}
    out["cells"] = [{k: v for k, v in c.items() if k != "duration_s"} for c in manifest["cells"]]
    return out
