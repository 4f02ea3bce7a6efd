"""Provenance for built reports: code and environment facts, manifests, the index page, locks."""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import json
import logging
import os
import platform
import subprocess
from importlib import metadata
from pathlib import Path
from typing import Any

from rhoresearch import __version__, config
from rhoresearch.build.page import index_html

__all__ = [
    "KEY_PACKAGES",
    "code_info",
    "environment_info",
    "source_files",
    "now_utc",
    "write_json",
    "read_manifest",
    "file_lock",
    "write_index",
]

logger = logging.getLogger(__name__)

KEY_PACKAGES = (
    "rhoresearch",
    "numpy",
    "pandas",
    "scipy",
    "statsmodels",
    "matplotlib",
    "seaborn",
    "pandera",
    "pyarrow",
    "duckdb",
    "papermill",
    "nbconvert",
    "nbclient",
    "nbformat",
    "ipykernel",
    "jupyter_client",
)


def now_utc() -> str:
    """Current UTC time, ISO 8601 to the millisecond (``2026-01-31T12:00:00.123Z``)."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def source_files() -> list[Path]:
    """The package sources a report depends on (every ``*.py`` below ``src/rhoresearch/``), sorted."""
    return sorted(config.PACKAGE_DIR.rglob("*.py"))


def _git(*args: str) -> str | None:
    try:
        out = subprocess.run(
            ["git", "-C", str(config.PACKAGE_DIR), *args],
            capture_output=True,
            text=True,
            timeout=20,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip()


_code_cache: dict = {}


def code_info() -> dict:
    """``{commit, dirty, version, source_sha256}`` of the code that builds the reports.

    ``commit`` is the git HEAD of the checkout holding the package (``None`` outside git);
    ``dirty`` says whether tracked files differ from it; ``source_sha256`` hashes the package
    sources (every ``.py`` below the package, each with its path relative to the package), so a
    dirty build can still be compared, and moving or renaming a module changes it.
    """
    if _code_cache:
        return dict(_code_cache)
    commit = _git("rev-parse", "HEAD")
    status = _git("status", "--porcelain", "--untracked-files=no") if commit else None
    digest = hashlib.sha256()
    for path in source_files():
        rel = path.relative_to(config.PACKAGE_DIR).as_posix()
        digest.update(rel.encode() + b"\0" + path.read_bytes() + b"\0")
    _code_cache.update(
        commit=commit or None,
        dirty=bool(status) if commit else None,
        version=__version__,
        source_sha256=digest.hexdigest(),
    )
    return dict(_code_cache)


_environment_cache: dict = {}


def environment_info() -> dict:
    """``{python, platform, packages: {name: version}}`` for the key packages.

    Read once per process (the installed packages do not change during a build; reading their
    metadata costs about 0.1 s), like :func:`code_info`; a copy is returned each time.
    """
    if not _environment_cache:
        packages: dict[str, str | None] = {}
        for name in KEY_PACKAGES:
            try:
                packages[name] = metadata.version(name)
            except metadata.PackageNotFoundError:
                packages[name] = None
        _environment_cache.update(
            python=platform.python_version(),
            implementation=platform.python_implementation(),
            platform=f"{platform.system()}-{platform.machine()}",
            packages=packages,
        )
    return json.loads(json.dumps(_environment_cache))


def write_json(path: Path, data) -> None:
    """Write JSON with sorted keys and a final newline, atomically (temp file then rename)."""
    path = Path(path)
    text = json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def read_manifest(path: Path) -> dict | None:
    """Return a manifest's content, or ``None`` when it is missing or unreadable."""
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


@contextlib.contextmanager
def file_lock(path: Path):
    """Hold an exclusive ``flock`` on ``path`` (created if needed) for the ``with`` block."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def write_index(reports_dir: Path, *, order: list[str] | None = None) -> Path:
    """Rebuild ``reports/index.html`` from the manifests on disk, under a lock.

    Every folder ``reports/<id>/manifest.json`` and every failed attempt under
    ``reports/_failed/<id>/manifest.json`` is listed; ``order`` (report ids, e.g. the order of
    ``reports.yml``) puts those first, the others follow sorted.
    """
    reports_dir = Path(reports_dir)
    reports_dir.mkdir(parents=True, exist_ok=True)
    with file_lock(reports_dir / ".index.lock"):
        built = {
            p.parent.name: read_manifest(p)
            for p in reports_dir.glob("*/manifest.json")
            if not p.parent.name.startswith((".", "_"))
        }
        failed = {
            p.parent.name: read_manifest(p) for p in reports_dir.glob("_failed/*/manifest.json")
        }
        ids = list(dict.fromkeys([*(order or []), *sorted(set(built) | set(failed))]))
        entries: list[dict[str, Any]] = [
            {"id": i, "manifest": built.get(i), "failed": failed.get(i), "built": i in built}
            for i in ids
            if built.get(i) or failed.get(i)
        ]
        for e in entries:
            if e["manifest"] is None:
                e["manifest"] = dict(e["failed"] or {}, status="failed")
        out = reports_dir / "index.html"
        tmp = out.with_name(f".index.html.{os.getpid()}.tmp")
        tmp.write_text(
            index_html(entries, generated_at=now_utc(), reports_dir=reports_dir), encoding="utf-8"
        )
        os.replace(tmp, out)
    logger.debug("index written: %s (%d reports)", out, len(entries))
    return out
