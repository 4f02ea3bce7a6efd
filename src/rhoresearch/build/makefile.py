"""The make fragment: one file target per report, with the dependencies that make it out of date.

``make reports`` includes ``reports/.build.mk`` (written by :func:`write_makefile`); each report is the
file target ``reports/<id>/manifest.json``, depending on its notebook, its own entry of ``reports.yml``
(``reports/.config/<id>.json``, rewritten only when that entry changes: :func:`write_config_stamps`),
every Python source of the package (found recursively, by path relative to the project root), its
declared inputs and the inputs recorded at its last build (``reports/.deps/<id>.mk``:
:func:`write_deps`). :func:`status` applies the same rule in Python (``build`` without ``--force``).
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

from rhoresearch import config
from rhoresearch.build.manifest import read_manifest, source_files
from rhoresearch.build.spec import (
    ReportSpec,
    expand_inputs,
    load,
    resolve_reports_dir,
    spec_root,
    validate,
)

__all__ = [
    "SOURCES_MAKE",
    "status",
    "write_config_stamps",
    "write_makefile",
    "write_deps",
    "mk_path",
]

logger = logging.getLogger(__name__)

#: How make lists the package sources a report depends on: every ``.py`` file below
#: ``src/rhoresearch`` (recursively, so a module in any subpackage counts).
SOURCES_MAKE = "$(shell find src/rhoresearch -name '*.py' -not -path '*/__pycache__/*' | sort)"


def status(spec: ReportSpec, *, reports_dir: str | Path | None = None) -> str:
    """``"up to date"`` or why the report needs building (``"not built"``, ``"x.csv changed"``).

    A report is up to date when its manifest says ``success``, its ``reports.yml`` entry is
    unchanged (sha256 of the expanded entry) and nothing it depends on (notebook, package sources,
    declared inputs, inputs recorded at the last build) is newer than the manifest.
    """
    manifest_path = resolve_reports_dir(reports_dir) / spec.id / "manifest.json"
    manifest = read_manifest(manifest_path)
    if manifest is None:
        failed = resolve_reports_dir(reports_dir) / "_failed" / spec.id / "manifest.json"
        return "last build failed" if failed.exists() else "not built"
    if manifest.get("status") != "success":
        return "last build did not finish"
    if manifest.get("config_sha256") != spec.entry_sha256(spec_root(spec)):
        return "its reports.yml entry changed"
    built = manifest_path.stat().st_mtime
    deps = [spec.notebook, *source_files(), *expand_inputs(spec)]
    deps += [config.resolve_path(i["path"]) for i in manifest.get("inputs", [])]
    for dep in deps:
        try:
            if dep.stat().st_mtime > built:
                return f"{config.relative_to_root(dep)} changed"
        except FileNotFoundError:
            return f"{config.relative_to_root(dep)} is missing"
    return "up to date"


def write_config_stamps(specs: list[ReportSpec], *, reports_dir: str | Path | None = None) -> None:
    """Write ``reports/.config/<id>.json`` for each report, touching only those that changed.

    ``make`` uses these files as the per-report "configuration entry" dependency, so editing one
    entry of ``reports.yml`` rebuilds only that report.
    """
    folder = resolve_reports_dir(reports_dir) / ".config"
    folder.mkdir(parents=True, exist_ok=True)
    for spec in specs:
        text = json.dumps(spec.entry(spec_root(spec)), indent=2, sort_keys=True) + "\n"
        path = folder / f"{spec.id}.json"
        try:
            if path.read_text(encoding="utf-8") == text:
                continue
        except FileNotFoundError:
            pass
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)


def mk_path(path: str | Path, base: Path) -> str:
    """A path as make should see it: relative to ``base`` when inside, spaces escaped."""
    p = Path(path)
    try:
        text = p.resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        text = p.as_posix()
    return text.replace(" ", "\\ ").replace("$", "$$").replace("#", "\\#")


def write_makefile(
    output: str | Path | None = None,
    *,
    config_path: str | Path | None = None,
    reports_dir: str | Path | None = None,
    python: str = "$(PY)",
    base: str | Path | None = None,
) -> Path:
    """Validate the configuration and write the make fragment that builds each report.

    The fragment (default ``reports/.build.mk``; not committed) defines ``REPORT_IDS``,
    ``REPORT_MANIFESTS`` and one file target per report, ``reports/<id>/manifest.json``, which
    depends on its notebook, ``reports/.config/<id>.json`` (changes only when that report's entry
    does), the package sources, its declared inputs and the inputs recorded at its last build
    (read from the manifest when the fragment is generated). The fragment itself depends on
    ``reports.yml`` and the notebooks, so make regenerates it (and revalidates the parameters)
    when they change.
    """
    base_dir = Path(base) if base else config.project_root()
    cfg = Path(config_path or config.build_config_path())
    specs = load(cfg)
    validate(specs)
    reports = resolve_reports_dir(reports_dir)
    write_config_stamps(specs, reports_dir=reports)
    out = Path(output) if output else reports / ".build.mk"
    out.parent.mkdir(parents=True, exist_ok=True)
    r = mk_path(reports, base_dir)
    lines = [
        "# Generated by `python -m rhoresearch makefile` from "
        f"{mk_path(cfg, base_dir)}: do not edit, do not commit.",
        f"RHO_REPORTS_DIR := {r}",
        f"RHO_SOURCES := {SOURCES_MAKE}",
        "REPORT_IDS := " + " ".join(s.id for s in specs),
        "REPORT_MANIFESTS := " + " ".join(f"{r}/{s.id}/manifest.json" for s in specs),
        "",
        f"{mk_path(out, base_dir)}: {mk_path(cfg, base_dir)} "
        + " ".join(sorted({mk_path(s.notebook, base_dir) for s in specs})),
        "",
    ]
    cfg_arg = mk_path(cfg, base_dir)
    for s in specs:
        target = f"{r}/{s.id}/manifest.json"
        deps = [mk_path(s.notebook, base_dir), f"{r}/.config/{s.id}.json", "$(RHO_SOURCES)"]
        declared = [mk_path(p, base_dir) for p in s.inputs]
        lines.append(f"{target}: {' '.join(deps)} $(wildcard {' '.join(declared)})".rstrip())
        lines.append(
            f"\t{python} -m rhoresearch build --force --config {cfg_arg} --reports-dir {r} {s.id}"
        )
        lines.append("")
    lines.append(f"-include $(wildcard {r}/.deps/*.mk)")
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    os.replace(tmp, out)
    logger.info("make fragment written: %s (%d reports)", config.relative_to_root(out), len(specs))
    return out


def write_deps(reports: Path, report_id: str, inputs: list[dict]) -> None:
    """Write ``reports/.deps/<id>.mk``: the inputs read at this build, as make dependencies."""
    base = config.project_root()
    folder = reports / ".deps"
    folder.mkdir(parents=True, exist_ok=True)
    target = f"{mk_path(reports, base)}/{report_id}/manifest.json"
    paths = [mk_path(config.resolve_path(i["path"]), base) for i in inputs]
    lines = ["# inputs read by the last build of this report (generated)"]
    if paths:
        lines.append(f"{target}: {' '.join(paths)}")
        lines.extend(f"{p}:" for p in paths)
    tmp = folder / f".{report_id}.mk.{os.getpid()}.tmp"
    tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    os.replace(tmp, folder / f"{report_id}.mk")
