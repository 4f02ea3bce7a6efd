"""Verification: rerun a built report into a temporary folder and compare it with the built one.

The verdict for each report is one of:

- ``REPRODUCED``: the inputs have the recorded hashes, the code is the recorded commit (or, for a
  build from a dirty tree, the same sources), and every result table matches within the tolerance;
- ``INPUTS CHANGED: <file> ...``: an input file's sha256 (or presence) differs from the manifest;
  the rerun is skipped, since its results could not be expected to agree;
- ``DIFFERS: ...``: the code, the set of result tables, a table's shape or columns, or cells beyond
  the tolerance differ (the first differing cells are shown), or the rerun failed;
- ``NOT BUILT``: there is no successful build to compare with.

Numeric columns are compared with ``numpy.isclose(rerun, built, rtol=RTOL, atol=ATOL)`` and
missing values equal to missing values; other columns must be equal as text.
"""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rhoresearch import config
from rhoresearch.build.manifest import code_info, read_manifest
from rhoresearch.build.spec import ReportSpec
from rhoresearch.exceptions import BuildError
from rhoresearch.provenance import file_sha256

__all__ = ["RTOL", "ATOL", "Verdict", "check_inputs", "compare_results", "verify_report"]

logger = logging.getLogger(__name__)

RTOL = 1e-9
ATOL = 1e-12
_MAX_CELLS = 5


@dataclass
class Verdict:
    """Outcome of verifying one report."""

    report_id: str
    verdict: str
    details: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.verdict == "REPRODUCED"

    def line(self) -> str:
        """One line: ``<id>: VERDICT: detail; detail``."""
        if self.details:
            return f"{self.report_id}: {self.verdict}: " + "; ".join(self.details)
        return f"{self.report_id}: {self.verdict}"


def check_inputs(manifest: dict) -> list[str]:
    """Compare the recorded inputs with the files on disk now; one message per changed file."""
    changed = []
    for record in manifest.get("inputs", []):
        path = config.resolve_path(record["path"])
        if not path.exists():
            changed.append(f"{record['path']} is missing")
            continue
        digest = file_sha256(path)
        if digest != record["sha256"]:
            changed.append(
                f"{record['path']} sha256 {record['sha256'][:12]}... is now {digest[:12]}..."
            )
    return changed


def _compare_code(built: dict, now: dict) -> list[str]:
    out = []
    if built.get("commit") != now.get("commit"):
        out.append(f"code commit {built.get('commit')} is now {now.get('commit')}")
    elif built.get("dirty") or now.get("dirty"):
        if built.get("source_sha256") != now.get("source_sha256"):
            out.append("uncommitted source changes differ from the build's")
    return out


def _plain(value):
    return value.item() if hasattr(value, "item") else value


def _compare_table(name: str, built_path: Path, rerun_path: Path, rtol: float, atol: float):
    import numpy as np  # here: a build (which imports this module) never compares tables
    import pandas as pd

    a = pd.read_csv(built_path, keep_default_na=True)
    b = pd.read_csv(rerun_path, keep_default_na=True)
    if list(a.columns) != list(b.columns):
        return [f"{name}: columns {list(a.columns)} are now {list(b.columns)}"]
    if a.shape != b.shape:
        return [f"{name}: shape {a.shape} is now {b.shape}"]
    cells = []
    for column in a.columns:
        x, y = a[column], b[column]
        if pd.api.types.is_numeric_dtype(x) and pd.api.types.is_numeric_dtype(y):
            xv, yv = x.to_numpy(dtype=float), y.to_numpy(dtype=float)
            same = np.isclose(yv, xv, rtol=rtol, atol=atol, equal_nan=True)
        else:
            same = (x.astype("string").fillna("\0") == y.astype("string").fillna("\0")).to_numpy()
        for row in np.flatnonzero(~same):
            cells.append((int(row), column, _plain(x.iloc[row]), _plain(y.iloc[row])))
    if not cells:
        return []
    cells.sort()
    shown = ", ".join(f"row {r} {c}: {v!r} -> {w!r}" for r, c, v, w in cells[:_MAX_CELLS])
    more = f" (+{len(cells) - _MAX_CELLS} more)" if len(cells) > _MAX_CELLS else ""
    return [f"{name}: {len(cells)} cell(s) differ beyond rtol={rtol:g}: {shown}{more}"]


def compare_results(
    built_dir: Path, rerun_dir: Path, *, rtol: float = RTOL, atol: float = ATOL
) -> list[str]:
    """Compare ``results/*.csv`` of two report folders, table by table."""
    built = {p.name: p for p in sorted((Path(built_dir) / "results").glob("*.csv"))}
    rerun = {p.name: p for p in sorted((Path(rerun_dir) / "results").glob("*.csv"))}
    out = []
    for name in sorted(set(built) - set(rerun)):
        out.append(f"results/{name} not produced by the rerun")
    for name in sorted(set(rerun) - set(built)):
        out.append(f"results/{name} is new in the rerun")
    for name in sorted(set(built) & set(rerun)):
        out.extend(_compare_table(f"results/{name}", built[name], rerun[name], rtol, atol))
    return out


def verify_report(
    spec: ReportSpec,
    *,
    reports_dir: Path,
    rebuild: Callable[..., Any],
    rtol: float = RTOL,
    atol: float = ATOL,
) -> Verdict:
    """Rerun one built report into a temporary folder and compare it with the built one.

    Parameters
    ----------
    spec : ReportSpec
        The report as the configuration declares it now.
    reports_dir : path
        Where the built report lives.
    rebuild : callable
        Builds a report: called as ``rebuild(spec, reports_dir=..., run_root=...)`` (the build's
        :func:`rhoresearch.build.run.build_report` with ``force=True``); passed in so that this module
        does not import the runner.
    rtol, atol : float
        Tolerances for numeric result cells.
    """

    built_dir = Path(reports_dir) / spec.id
    manifest = read_manifest(built_dir / "manifest.json")
    if not manifest or manifest.get("status") != "success":
        return Verdict(spec.id, "NOT BUILT", ["no successful build to compare with"])
    changed = check_inputs(manifest)
    if changed:
        return Verdict(spec.id, "INPUTS CHANGED", changed)
    details = _compare_code(manifest.get("code", {}), code_info())
    if manifest.get("parameters") != spec.parameters:
        details.append("reports.yml parameters differ from the build's; rerun uses the build's")
    # rerun with the built report's parameters and notebook
    rerun_spec = type(spec)(
        id=spec.id,
        notebook=config.resolve_path(manifest.get("notebook", spec.notebook)),
        title=spec.title,
        parameters=manifest.get("parameters", spec.parameters),
        inputs=spec.inputs,
        timeout=spec.timeout,
        config_file=spec.config_file,
    )
    run_root = Path(reports_dir) / f".verify-{spec.id}-{os.getpid()}"
    try:
        try:
            rebuild(rerun_spec, reports_dir=reports_dir, run_root=run_root)
        except BuildError as exc:
            return Verdict(spec.id, "DIFFERS", [*details, f"the rerun failed: {exc}"])
        rerun_manifest = read_manifest(run_root / spec.id / "manifest.json") or {}
        built_inputs = {i["path"]: i["sha256"] for i in manifest.get("inputs", [])}
        rerun_inputs = {i["path"]: i["sha256"] for i in rerun_manifest.get("inputs", [])}
        if built_inputs != rerun_inputs:
            extra = sorted(set(rerun_inputs) ^ set(built_inputs))
            details.append(f"the rerun read different input files: {', '.join(extra)}")
        differences = compare_results(built_dir, run_root / spec.id, rtol=rtol, atol=atol)
        details.extend(differences)
        if details and not differences:
            details.append(f"the result tables reproduce within rtol={rtol:g}")
    finally:
        shutil.rmtree(run_root, ignore_errors=True)
    return Verdict(spec.id, "DIFFERS" if details else "REPRODUCED", details)
