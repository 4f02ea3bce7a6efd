"""The project's ground: packaging, the lock, the Makefile, config paths and the exception types."""

from __future__ import annotations

import os
import pickle
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import rhoresearch
from rhoresearch import config, exceptions

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import sync_environment  # noqa: E402


def test_environment_yml_agrees_with_lock():
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "sync_environment.py"), "--check"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


def test_every_direct_dependency_is_pinned_and_in_environment_yml():
    pins = sync_environment.locked_versions()
    env_text = (ROOT / "environment.yml").read_text()
    for name in sync_environment.direct_dependencies():
        assert name in pins, f"{name} not pinned in requirements.lock"
        conda_name = sync_environment.CONDA_NAMES.get(name, name)
        assert f"{conda_name}=={pins[name]}" in env_text, (
            f"{name} {pins[name]} not in environment.yml"
        )
    assert "- -e ." in env_text


def test_lock_pins_are_installed():
    from importlib.metadata import PackageNotFoundError, version

    pins = sync_environment.locked_versions()
    for name in ["pandas", "numpy", "statsmodels", "seaborn", "papermill", "nbval", "jupyterlab"]:
        try:
            assert version(name) == pins[name], name
        except PackageNotFoundError:  # pragma: no cover - a broken env
            pytest.fail(f"{name} is locked but not installed")


def test_pyproject_declares_package_and_python():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["name"] == "rhoresearch"
    assert project["requires-python"] == ">=3.11"
    assert project["version"] == rhoresearch.__version__
    for core in ["jupyterlab", "papermill", "pandas", "statsmodels", "seaborn", "nbval"]:
        assert any(d.startswith(core) for d in project["dependencies"]), core
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")


def test_paths_come_from_package_location_not_cwd(tmp_path, monkeypatch):
    monkeypatch.delenv("RHORESEARCH_ROOT", raising=False)
    monkeypatch.chdir(tmp_path)
    assert config.project_root() == ROOT
    assert config.reference_dir() == ROOT / "data" / "reference"
    assert config.resolve_path("data/demo/x.csv") == ROOT / "data" / "demo" / "x.csv"
    assert config.resolve_path(tmp_path / "a.csv") == tmp_path / "a.csv"


def test_root_override(tmp_path, monkeypatch):
    monkeypatch.setenv("RHORESEARCH_ROOT", str(tmp_path))
    assert config.project_root() == tmp_path.resolve()
    assert config.notebooks_dir() == tmp_path.resolve() / "notebooks"


def test_importing_configures_no_logging():
    code = (
        "import logging, rhoresearch, rhoresearch.config;"
        "print([type(h).__name__ for h in logging.getLogger('rhoresearch').handlers],"
        " len(logging.getLogger().handlers))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["['NullHandler']", "0"]


@pytest.mark.parametrize("name", exceptions.__all__)
def test_exceptions_pickle_and_share_roots(name):
    cls = getattr(exceptions, name)
    if issubclass(cls, Warning):
        assert issubclass(cls, exceptions.RhoResearchWarning)
        return
    assert issubclass(cls, exceptions.RhoResearchError)
    err = cls("what was wrong and where")
    back = pickle.loads(pickle.dumps(err))
    assert type(back) is cls and str(back) == "what was wrong and where"


def test_structured_exceptions_keep_their_evidence():
    err = exceptions.NotebookExecutionError("boom", "r1", "nb.ipynb", 3, "ValueError", "bad")
    back = pickle.loads(pickle.dumps(err))
    assert (back.report_id, back.cell_index, back.ename) == ("r1", 3, "ValueError")
    assert pickle.loads(pickle.dumps(exceptions.UnknownCodeError("x", {"QQ": 2}))).unmapped == {
        "QQ": 2
    }


def _make(*args, env=None):
    return subprocess.run(
        ["make", "--no-print-directory", *args], cwd=ROOT, capture_output=True, text=True, env=env
    )


def test_make_help_is_default_and_lists_every_target():
    out = _make()
    assert out.returncode == 0
    declared = re.findall(r"^([a-zA-Z_-]+):.*## ", (ROOT / "Makefile").read_text(), flags=re.M)
    for target in [
        "env",
        "data",
        "reports",
        "test",
        "verify",
        "lab",
        "lint",
        "format",
        "hooks",
        "clean",
        "lock",
    ]:
        assert target in declared, f"Makefile has no documented '{target}' target"
    for target in declared:
        assert re.search(rf"^\s+{target}\s", out.stdout, flags=re.M), (
            f"make help does not list {target}"
        )


@pytest.mark.parametrize("fake", ["missing", "old"])
def test_make_refuses_a_missing_or_old_python(tmp_path, fake):
    if fake == "missing":
        python = str(tmp_path / "no-such-python3")
    else:
        python = tmp_path / "python3"
        python.write_text('#!/bin/sh\ncase "$*" in *platform*) echo 3.9.18;; *) exit 1;; esac\n')
        python.chmod(0o755)
        python = str(python)
    out = _make("check-python", f"PYTHON={python}")
    assert out.returncode != 0
    lines = [line for line in out.stdout.splitlines() if line.strip()]
    assert lines and "needs Python 3.11 or newer" in lines[0]


def test_readme_starts_with_the_two_commands_and_names_real_targets():
    readme = (ROOT / "README.md").read_text()
    head = readme[: readme.find("\n## ", 10)]
    assert "make reports" in head and "make test" in head
    declared = set(re.findall(r"^([a-zA-Z_-]+):", (ROOT / "Makefile").read_text(), flags=re.M))
    for target in re.findall(r"`make (?:-\S+ )*([a-z][a-z-]*)", readme):
        assert target in declared, f"README mentions `make {target}`, which the Makefile lacks"


def test_ci_runs_make_test_and_gitignore_covers_generated_files():
    assert "make test" in (ROOT / ".ci" / "run").read_text()
    ignored = (ROOT / ".gitignore").read_text()
    for entry in [".venv/", "data/demo/*", "data/raw/*", "reports/"]:
        assert entry in ignored


def test_precommit_hooks_are_local_and_offline():
    text = (ROOT / ".pre-commit-config.yaml").read_text()
    assert "repo: local" in text and "https://" not in text
    for hook in ["ruff", "nbstripout", "large-files"]:
        assert f"id: {hook}" in text


def test_make_test_fails_when_no_tests_are_collected(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    env = {**os.environ, "PYTEST_ADDOPTS": ""}
    out = _make("pytest", f"PYTEST_ARGS={empty} -p no:cacheprovider -o addopts=", env=env)
    assert out.returncode != 0
    assert "collected no tests" in out.stdout + out.stderr


def test_no_source_file_is_ignored_by_git():
    """A module that .gitignore hides works here and is missing from every clone (it happened:
    a `build/` pattern hid the package's build/ subpackage)."""
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    ignored = subprocess.run(
        [
            "git",
            "ls-files",
            "--others",
            "--ignored",
            "--exclude-standard",
            "src",
            "tests",
            "notebooks",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    hidden = [p for p in ignored if p.endswith((".py", ".ipynb")) and "__pycache__" not in p]
    assert not hidden, f"files ignored by .gitignore (add them or fix the pattern): {hidden}"
