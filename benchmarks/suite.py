"""Benchmark: the wall time of ``make test``'s pytest run, whole and as the suite stood at a commit.

Issue 18 set two goals for the test suite on this 2-core machine: the suite *as it stood at
174172e* (2,485 tests then) under 3 minutes, and the whole suite (with everything added since:
the bad-input corpus, the browser pages, the policy reports ...) under 6 minutes. Tests moved and
were split since 174172e, so "the suite as it stood" is taken as every current test whose function
name (or notebook) existed at that commit: the names are read from the commit's test files with
``ast`` (``git show``), and a small pytest plugin (:data:`PLUGIN`) keeps only those items. Tests that grew parametrisations since are kept whole, so the figure errs on the slow side.

Each run is ``pytest -q`` with ``make test``'s arguments (``PYTEST_ARGS`` in the Makefile:
``-n 2 --dist loadfile --no-loadscope-reorder``) from the project root, timed from start to exit. Printed last::

    suite_at_<commit>_s=<wall> tests=<n> whole_suite_s=<wall> tests=<n>

Usage: ``.venv/bin/python benchmarks/suite.py [--commit 174172e] [--only old|whole]``. Needs the
git history (a clone, not an export) and a quiet machine: wall time is what is measured.
"""

from __future__ import annotations

import argparse
import ast
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
#: Environment variable naming the file of kept test names (read by the plugin hook below).
NAMES_ENV = "RHORESEARCH_SUITE_NAMES"


def names_at(commit: str) -> set[str]:
    """Every test function name and notebook file name in ``tests/`` and ``notebooks/`` at ``commit``."""
    listing = subprocess.run(
        ["git", "ls-tree", "-r", "--name-only", commit, "tests", "notebooks"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    names: set[str] = set()
    for path in listing:
        if path.endswith(".ipynb"):
            names.add(Path(path).name)
        elif re.search(r"(^|/)test_[^/]*\.py$", path):
            source = subprocess.run(
                ["git", "show", f"{commit}:{path}"], cwd=ROOT, capture_output=True, text=True
            ).stdout
            for node in ast.walk(ast.parse(source)):
                if isinstance(node, ast.FunctionDef) and node.name.startswith("test"):
                    names.add(node.name)
    return names


#: The pytest plugin (``-p rhoresearch_suite_select``), written to a scratch folder on the path
#: (this folder cannot be on the path: ``benchmarks/coverage.py`` would shadow coverage.py).
PLUGIN = """
import os
from pathlib import Path


def pytest_collection_modifyitems(config, items):
    # keep the items whose test function (or notebook) is named in the file of NAMES_ENV
    kept_names = set(Path(os.environ["{names_env}"]).read_text(encoding="utf-8").split())
    kept, dropped = [], []
    for item in items:
        name = getattr(item, "originalname", None) or item.name
        path = item.nodeid.split("::")[0]
        if path.endswith(".ipynb"):
            name = Path(path).name
        (kept if name in kept_names else dropped).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept
""".replace("{names_env}", NAMES_ENV)


def make_test_args() -> list[str]:
    """``make test``'s pytest arguments (``PYTEST_ARGS`` in the Makefile), without ``--durations``."""
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    found = re.search(r"^PYTEST_ARGS \?= (.*)$", text, flags=re.MULTILINE)
    if found is None:
        raise SystemExit("benchmark: PYTEST_ARGS not found in the Makefile")
    return [a for a in found.group(1).split() if not a.startswith("--durations")]


def _run(env: dict[str, str], plugin: list[str]) -> tuple[float, int]:
    start = time.perf_counter()
    proc = subprocess.run(
        [str(BIN / "pytest"), "-q", *make_test_args(), *plugin],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    wall = time.perf_counter() - start
    summary = proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else proc.stderr[-500:]
    print(f"  {summary}", flush=True)
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout[-5000:])
        raise SystemExit(f"benchmark: pytest failed (exit {proc.returncode})")
    passed = re.search(r"(\d+) passed", summary)
    return wall, int(passed.group(1)) if passed else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commit", default="174172e", help="the commit of the old suite")
    parser.add_argument("--only", choices=["old", "whole"], help="run one of the two suites")
    args = parser.parse_args(argv)
    env = dict(os.environ)
    figures = []
    if args.only != "whole":
        scratch = Path(tempfile.mkdtemp(prefix="rhoresearch-suite-"))
        names_file = scratch / "names.txt"
        names_file.write_text("\n".join(sorted(names_at(args.commit))) + "\n", encoding="utf-8")
        (scratch / "rhoresearch_suite_select.py").write_text(PLUGIN, encoding="utf-8")
        path = os.pathsep.join(p for p in (str(scratch), env.get("PYTHONPATH", "")) if p)
        print(f"the suite as it stood at {args.commit}:", flush=True)
        wall, n = _run(
            {**env, NAMES_ENV: str(names_file), "PYTHONPATH": path},
            ["-p", "rhoresearch_suite_select"],
        )
        print(f"  {wall:.1f} s wall, {n} tests", flush=True)
        figures.append(f"suite_at_{args.commit}_s={wall:.1f} tests={n}")
    if args.only != "old":
        print("the whole suite:", flush=True)
        wall, n = _run(env, [])
        print(f"  {wall:.1f} s wall, {n} tests", flush=True)
        figures.append(f"whole_suite_s={wall:.1f} tests={n}")
    print(" ".join(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
