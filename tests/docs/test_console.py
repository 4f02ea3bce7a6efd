"""The console command the docs and README use, ``rhoresearch``, is the same program as
``python -m rhoresearch``."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CONSOLE = Path(sys.executable).with_name("rhoresearch")


def _run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=ROOT)


def test_the_entry_point_is_declared():
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts["rhoresearch"] == "rhoresearch.cli:main"


def test_console_command_and_module_give_the_same_commands():
    assert CONSOLE.exists(), f"{CONSOLE} is missing: `make env` installs the package"
    console = _run(str(CONSOLE), "--help")
    module = _run(sys.executable, "-m", "rhoresearch", "--help")
    assert console.returncode == 0 and module.returncode == 0, console.stderr + module.stderr
    for command in ("build", "verify", "list", "data"):
        assert command in console.stdout
    assert console.stdout == module.stdout


def test_console_command_lists_the_reports():
    listed = _run(str(CONSOLE), "list")
    assert listed.returncode == 0, listed.stderr
    assert "maternity" in listed.stdout
