"""Build a report's release pack: ``reports/<id>/release/`` with ``release.md`` and ``release.json``."""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path
from typing import Any, NamedTuple

from rhoresearch import build, disclosure
from rhoresearch.build.spec import default_value, resolve_reports_dir
from rhoresearch.exceptions import InputError
from rhoresearch.release.checks import ALLOWED_TYPES, MAX_BYTES, MAX_CSV_ROWS, check_file

__all__ = ["ReleaseResult", "pack"]

logger = logging.getLogger(__name__)

RELEASE_FORMAT = "rhoresearch.release/1"


class ReleaseResult(NamedTuple):
    """What :func:`pack` did.

    Attributes
    ----------
    folder : pathlib.Path
        ``reports/<id>/release/``.
    released : list of str
        The files copied (paths relative to the report folder).
    refused : dict of str to list of str
        Each file not copied, with the reasons.
    """

    folder: Path
    released: list[str]
    refused: dict[str, list[str]]

    @property
    def ok(self) -> bool:
        """Whether every candidate file passed its checks."""
        return not self.refused


def _report_policy(manifest: dict[str, Any]) -> disclosure.Policy:
    # the manifest records notebook defaults as their source text ('"threshold"')
    defaults = {
        k: default_value(v)[1] if isinstance(v, str) else v
        for k, v in manifest.get("parameter_defaults", {}).items()
    }
    params = {**defaults, **manifest.get("parameters", {})}
    name = params.get("disclosure_policy") or "threshold"
    threshold = params.get("suppression_threshold")
    return disclosure.policy(name, threshold=threshold if isinstance(threshold, int) else None)


#: Files a report holds that a release leaves out, and why (said in release.md): the spreadsheet
#: repeats the results CSVs, which are released, in a format an output checker cannot read as text.
NOT_CANDIDATES = {
    "results/tables.xlsx": "the spreadsheet repeats the results CSVs released here (xlsx is "
    "not a releasable type); rebuild it outside the secure environment from the released CSVs",
}


def _candidates(folder: Path) -> list[Path]:
    """The files a release may hold: report.html, results/*, figures/* (sidecars read, not sent;
    :data:`NOT_CANDIDATES` left out)."""
    out = [folder / "report.html"] if (folder / "report.html").is_file() else []
    for sub in ("results", "figures"):
        if (folder / sub).is_dir():
            out.extend(
                p
                for p in sorted((folder / sub).rglob("*"))
                if p.is_file()
                and not p.name.endswith(".meta.json")
                and not p.name.startswith(".")
                and p.relative_to(folder).as_posix() not in NOT_CANDIDATES
            )
    return out


def _context(rel: str, title: str, folder: Path) -> str:
    path = folder / rel
    if rel == "report.html":
        return f"The report '{title}' as one offline HTML page (code hidden; every table and figure below appears in it)."
    stem = path.stem.replace("_", " ")
    if rel.startswith("figures/") and path.suffix == ".csv":
        return f"The data behind the figure '{stem}' of '{title}' (as shown with it)."
    if rel.startswith("figures/"):
        data = " Its data: the CSV of the same name." if path.with_suffix(".csv").is_file() else ""
        return f"Figure '{stem}' of '{title}'.{data}"
    return f"Results table '{stem}' of '{title}' (tidy CSV, one row per group)."


def _controls(path: Path, policy: disclosure.Policy) -> dict[str, Any]:
    meta = disclosure.read_sidecar(path) if path.suffix == ".csv" else None
    used = policy
    if meta is not None:
        used = meta["policy"] or disclosure.policy(policy, threshold=meta["threshold"])
    return {
        "policy": used.name,
        "threshold": used.threshold,
        "rounding": used.rounding,
        "midpoint6": used.midpoint6,
        "secondary_suppression": bool(used.secondary and not used.rounding and not used.midpoint6),
        "interval_audit": bool(used.secondary and not used.rounding and not used.midpoint6),
        "symbol": used.symbol,
        "counts": None if meta is None else meta["counts"],
        "description": disclosure.describe(used),
    }


def pack(
    report_id: str,
    *,
    config_path: str | Path | None = None,
    reports_dir: str | Path | None = None,
) -> ReleaseResult:
    """Build ``reports/<id>/release/`` from a built report.

    Parameters
    ----------
    report_id : str
        The report's id in the build configuration.
    config_path : path-like, optional
        The build configuration (default ``reports.yml``).
    reports_dir : path-like, optional
        The reports folder (default ``reports/``).

    Returns
    -------
    ReleaseResult
        The folder, the files copied and the files refused with their reasons. ``release.md``
        and ``release.json`` are written in the folder in any case (refused files listed with
        their reasons); a previous ``release/`` is replaced.

    Raises
    ------
    InputError
        The id is not configured, or the report is not built (no successful manifest).

    Notes
    -----
    Candidates: ``report.html``, every file under ``results/`` and ``figures/`` (the disclosure
    sidecars ``*.meta.json`` are read for each table's controls, not released). Checks
    (:func:`rhoresearch.release.check_file`): allowed type, at most 16 MB, and for a CSV at most
    5,000 rows, no column identifying a person or a record, and a clean
    :func:`rhoresearch.disclosure.scan` against the table's policy.
    """
    specs = [s for s in build.load(config_path) if s.id == report_id]
    if not specs:
        raise InputError(f"release: no report {report_id!r} in the build configuration")
    spec = specs[0]
    folder = resolve_reports_dir(reports_dir) / report_id
    manifest_path = folder / "manifest.json"
    if not manifest_path.is_file():
        raise InputError(
            f"release {report_id}: not built ({manifest_path} is missing); build it first"
        )
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    if manifest.get("status") != "success":
        raise InputError(f"release {report_id}: the last build did not succeed ({manifest_path})")
    policy = _report_policy(manifest)
    out = folder / "release"
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    entries: list[dict[str, Any]] = []
    released: list[str] = []
    refused: dict[str, list[str]] = {}
    for path in _candidates(folder):
        rel = path.relative_to(folder).as_posix()
        result = check_file(path, policy=policy)
        entry = {
            "file": rel,
            "context": _context(rel, spec.title, folder),
            "controls": _controls(path, policy),
            "rows": result.rows,
            "smallest_count_shown": result.smallest_count,
            "suppressed_cells": result.suppressed_cells,
            "checks_passed": result.passed,
            "checks_failed": result.failed,
            "released": not result.failed,
        }
        entries.append(entry)
        if result.failed:
            refused[rel] = result.failed
            logger.error(
                "release %s: %s not released: %s", report_id, rel, "; ".join(result.failed)
            )
            continue
        target = out / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
        released.append(rel)
    doc = {
        "format": RELEASE_FORMAT,
        "report_id": report_id,
        "title": spec.title,
        "notebook": manifest.get("notebook"),
        "parameters": manifest.get("parameters", {}),
        "demo_data": manifest.get("demo_data"),
        "code": manifest.get("code"),
        "policy": policy.as_dict(),
        "policy_description": disclosure.describe(policy),
        "limits": {
            "types": list(ALLOWED_TYPES),
            "max_bytes": MAX_BYTES,
            "max_csv_rows": MAX_CSV_ROWS,
        },
        "files": entries,
        "left_out": {rel: why for rel, why in NOT_CANDIDATES.items() if (folder / rel).is_file()},
    }
    (out / "release.json").write_text(
        json.dumps(doc, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    (out / "release.md").write_text(_markdown(doc), encoding="utf-8")
    logger.info(
        "release %s: %d file(s) in %s, %d refused", report_id, len(released), out, len(refused)
    )
    return ReleaseResult(out, released, refused)


def _markdown(doc: dict[str, Any]) -> str:
    lines = [
        f"# Output release request: {doc['title']}",
        "",
        f"Report `{doc['report_id']}` from notebook `{doc['notebook']}`"
        + (" (demonstration data)." if doc.get("demo_data") else "."),
        "",
        f"{doc['policy_description']}",
        "",
        f"Automatic checks: file types {', '.join(doc['limits']['types'])}; at most "
        f"{doc['limits']['max_bytes'] // (1024 * 1024)} MB a file; at most "
        f"{doc['limits']['max_csv_rows']:,} rows a CSV; no column identifying a person or a "
        "record; every table scanned against its disclosure policy.",
        "",
        "| file | what it is | controls | smallest count shown | hidden cells | checks passed | released |",
        "|---|---|---|---|---|---|---|",
    ]
    for e in doc["files"]:
        c = e["controls"]
        controls = f"policy {c['policy']}, threshold {c['threshold']}"
        controls += f", rounded to {c['rounding']}" if c["rounding"] else ", not rounded"
        controls += ", midpoint-6" if c["midpoint6"] else ""
        controls += ", secondary suppression" if c["secondary_suppression"] else ""
        controls += " and interval audit" if c["interval_audit"] else ""
        smallest = "" if e["smallest_count_shown"] is None else f"{e['smallest_count_shown']:g}"
        status = "yes" if e["released"] else "NO: " + "; ".join(e["checks_failed"])
        lines.append(
            f"| `{e['file']}` | {e['context']} | {controls} | {smallest} | "
            f"{e['suppressed_cells']} | {', '.join(e['checks_passed'])} | {status} |"
        )
    for rel, why in doc.get("left_out", {}).items():
        lines += ["", f"Not part of this request: `{rel}`: {why}."]
    return "\n".join(lines) + "\n"
