"""What makes a report or the demo data out of date: every module of the package, by relative path.

Sources are found recursively (a module in any subpackage counts) and hashed with their path
relative to the package, so moving a module changes the code hash; ``make`` uses the same lists.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from _buildkit import make_project, project_env

from rhoresearch import build, config, demo
from rhoresearch.build import makefile, manifest
from rhoresearch.cli import _write_sources_fragment

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def package_copy(tmp_path, monkeypatch) -> Path:
    """A copy of the package sources, old-dated, that the build treats as the package."""
    copy = tmp_path / "pkg" / "rhoresearch"
    shutil.copytree(config.PACKAGE_DIR, copy, ignore=shutil.ignore_patterns("__pycache__"))
    past = time.time() - 3600
    for path in copy.rglob("*"):
        os.utime(path, (past, past))
    monkeypatch.setattr(config, "PACKAGE_DIR", copy)
    manifest._code_cache.clear()
    yield copy
    manifest._code_cache.clear()


def test_source_files_include_every_subpackage(package_copy):
    found = {p.relative_to(package_copy).as_posix() for p in manifest.source_files()}
    for expected in ("config.py", "stats/_core.py", "build/run.py", "disclosure/__init__.py"):
        assert expected in found
    assert not any("__pycache__" in f for f in found)


def test_code_hash_changes_when_a_module_moves(package_copy):
    before = manifest.code_info()["source_sha256"]
    manifest._code_cache.clear()
    assert manifest.code_info()["source_sha256"] == before  # stable
    manifest._code_cache.clear()
    (package_copy / "validation.py").rename(package_copy / "stats" / "validation.py")
    assert manifest.code_info()["source_sha256"] != before


def test_editing_a_subpackage_module_makes_a_report_out_of_date(tmp_path, package_copy):
    root = make_project(tmp_path / "project")
    with project_env(root):
        spec = build.select(build.load(), ["full"])[0]
        folder = root / "reports" / "full"
        folder.mkdir(parents=True)
        record = {"status": "success", "config_sha256": spec.entry_sha256(root), "inputs": []}
        (folder / "manifest.json").write_text(json.dumps(record))
        for path in (root / "notebooks").iterdir():
            os.utime(path, (time.time() - 3600,) * 2)
        assert build.status(spec) == "up to date"
        module = package_copy / "stats" / "_core.py"
        os.utime(module, (time.time() + 60,) * 2)
        assert build.status(spec).endswith("stats/_core.py changed")


def test_make_lists_sources_recursively(tmp_path):
    for rel in ("src/rhoresearch/a.py", "src/rhoresearch/sub/deeper/b.py"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("")
    (tmp_path / "src/rhoresearch/sub/__pycache__").mkdir()
    (tmp_path / "src/rhoresearch/sub/__pycache__/b.py").write_text("")
    mk = tmp_path / "show.mk"
    mk.write_text(f"RHO_SOURCES := {makefile.SOURCES_MAKE}\n$(info $(RHO_SOURCES))\nall: ;\n")
    out = subprocess.run(
        ["make", "-s", "-f", str(mk)], cwd=tmp_path, capture_output=True, text=True
    )
    assert out.stdout.split() == ["src/rhoresearch/a.py", "src/rhoresearch/sub/deeper/b.py"]


def test_demo_sources_are_the_generators_and_what_they_import():
    found = {p.relative_to(config.PACKAGE_DIR.resolve()).as_posix() for p in demo.source_files()}
    assert "demo/_ethnicity.py" in found and "demo/maternity.py" in found
    assert any(f.startswith("workstreams/workforce") for f in found)  # PAY_BANDS
    assert any(f.startswith("ethnicity/") for f in found)
    assert not any(f.startswith("build/") for f in found)
    assert "cli.py" not in found


def _demo_project(tmp_path: Path, sources: list[str]) -> Path:
    """A scratch copy of the Makefile with a built environment and demo data, all old-dated."""
    root = tmp_path / "proj"
    (root / ".venv").mkdir(parents=True)
    shutil.copy(ROOT / "Makefile", root / "Makefile")
    for name in ("pyproject.toml", "requirements.lock"):
        shutil.copy(ROOT / name, root / name)
    for rel in sources:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text("")
    (root / "data" / "demo").mkdir(parents=True)
    _write_sources_fragment(root / "data/demo/.sources.mk", [root / s for s in sources], root=root)
    (root / ".venv" / ".rhoresearch-env").write_text("")
    (root / "data" / "demo" / ".generated").write_text("")
    now = time.time()
    for path in root.rglob("*"):
        os.utime(path, (now - 3600, now - 3600))
    for stamp in (".venv/.rhoresearch-env", "data/demo/.generated"):
        os.utime(root / stamp, (now - 60, now - 60))
    return root


def test_editing_a_module_a_generator_imports_regenerates_the_demo_data(tmp_path):
    sources = ["src/rhoresearch/demo/maternity.py", "src/rhoresearch/ethnicity/schemes.py"]
    root = _demo_project(tmp_path, sources)
    fragment = (root / "data/demo/.sources.mk").read_text()
    assert (
        "DEMO_SOURCES := src/rhoresearch/demo/maternity.py src/rhoresearch/ethnicity/" in fragment
    )

    def up_to_date() -> bool:
        run = subprocess.run(
            ["make", "-q", "data/demo/.generated"], cwd=root, capture_output=True, text=True
        )
        assert run.returncode in (0, 1), run.stderr
        return run.returncode == 0

    assert up_to_date()
    os.utime(root / sources[1], None)  # now: newer than the demo data
    assert not up_to_date()
