"""Benchmark: this report build against a plain loop of papermill + nbconvert commands.

Builds the same set of reports two ways in one run, in a scratch project root:

1. this build: ``python -m rhoresearch build --force --jobs 2`` (two reports at a time, each in a
   fresh ``rhoresearch`` kernel started ahead of its run, papermill's Python API, HTML export,
   manifests, index; see :mod:`rhoresearch.build.batch`);
2. the comparator, a plain loop, one notebook after the other: the ``papermill`` command followed
   by ``jupyter nbconvert --to html`` on its output.

The reports are ``--copies`` copies (default 6) of a small but real notebook (pandas, a disclosure-
checked table, a matplotlib figure: ``tests/fixtures/notebooks/report_full.ipynb``) or of the
notebook given with ``--notebook`` (its parameters' defaults must work).

Printed last: ``build_time_ratio_vs_plain_loop=<wall this / wall loop>
overhead_per_report_s=<(wall this x workers - cell time recorded by papermill) / reports>``.
Goals: ratio <= 0.5 with two workers, overhead <= 1.0 s per report.

Wall times need a quiet machine. The line before the last gives the CPU time per report of each way
(all processes: build, workers, kernels; ``getrusage`` of the finished children), which other
processes on the machine do not stretch: the two ways run the same cells, so their difference is
the difference of their overheads.

Usage: ``.venv/bin/python benchmarks/build.py [--copies N] [--jobs 2] [--notebook PATH]``
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
BIN = Path(sys.executable).parent


def _project(root: Path, notebook: Path, copies: int) -> list[str]:
    (root / "notebooks").mkdir(parents=True)
    data = root / "data" / "demo" / "sample"
    data.mkdir(parents=True)
    shutil.copy(FIXTURES / "data" / "counts.csv", data / "counts.csv")
    if (ROOT / "data" / "demo").exists() and notebook.parent == ROOT / "notebooks":
        shutil.rmtree(root / "data" / "demo")
        shutil.copytree(ROOT / "data" / "demo", root / "data" / "demo")
    ids = [f"bench-{i:02d}" for i in range(copies)]
    lines = ["reports:"]
    for report_id in ids:
        shutil.copy(notebook, root / "notebooks" / f"{report_id}.ipynb")
        lines += [
            f"  - id: {report_id}",
            f"    notebook: notebooks/{report_id}.ipynb",
            f"    title: Benchmark report {report_id}",
        ]
    (root / "reports.yml").write_text("\n".join(lines) + "\n")
    return ids


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _run(cmd: list[str], env: dict, cwd: Path) -> None:
    proc = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr[-3000:])
        raise SystemExit(f"benchmark: command failed: {' '.join(cmd)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=6, help="reports to build (default 6)")
    parser.add_argument("--jobs", type=int, default=2, help="workers for this build (default 2)")
    parser.add_argument(
        "--notebook",
        type=Path,
        default=FIXTURES / "notebooks" / "report_full.ipynb",
        help="notebook to copy (default: the small fixture report)",
    )
    args = parser.parse_args(argv)
    notebook = args.notebook.resolve()

    with tempfile.TemporaryDirectory(prefix="rho-bench-") as tmp:
        root = Path(tmp)
        ids = _project(root, notebook, args.copies)
        env = dict(os.environ, RHORESEARCH_ROOT=str(root))
        env.pop("RHORESEARCH_REPORTS_DIR", None)
        env.pop("RHORESEARCH_RUN_DIR", None)

        # 1. this build, two workers
        cpu0 = _children_cpu()
        t0 = time.perf_counter()
        _run(
            [sys.executable, "-m", "rhoresearch", "build", "--force", "--jobs", str(args.jobs)],
            env,
            root,
        )
        wall_build = time.perf_counter() - t0
        cpu_build = _children_cpu() - cpu0
        manifests = [json.loads((root / "reports" / i / "manifest.json").read_text()) for i in ids]
        cell_time = sum(m["cell_time_s"] for m in manifests)
        in_report = sum(m["duration_s"] - m["cell_time_s"] for m in manifests) / len(ids)

        # 2. the plain loop: papermill command, then nbconvert command, per notebook
        out = root / "plain"
        out.mkdir()
        cpu0 = _children_cpu()
        t0 = time.perf_counter()
        for report_id in ids:
            executed = out / f"{report_id}.ipynb"
            _run(
                [
                    str(BIN / "papermill"),
                    "--no-progress-bar",
                    "-k",
                    "rhoresearch",
                    "--cwd",
                    str(root / "notebooks"),
                    str(root / "notebooks" / f"{report_id}.ipynb"),
                    str(executed),
                ],
                env,
                root,
            )
            _run(
                [
                    str(BIN / "jupyter"),
                    "nbconvert",
                    "--to",
                    "html",
                    "--log-level",
                    "WARN",
                    str(executed),
                ],
                env,
                root,
            )
        wall_loop = time.perf_counter() - t0
        cpu_loop = _children_cpu() - cpu0
        assert all((out / f"{i}.html").exists() for i in ids)

    ratio = wall_build / wall_loop
    overhead = (wall_build * args.jobs - cell_time) / len(ids)
    print(f"reports: {len(ids)} copies of {notebook.name}; workers: {args.jobs}")
    print(f"this build: {wall_build:.2f} s wall; cell time recorded by papermill {cell_time:.2f} s")
    print(
        "  per report inside the build (waiting for its kernel, spreadsheet, HTML, manifest): "
        f"{in_report:.2f} s"
    )
    print(f"plain loop (papermill + jupyter nbconvert per notebook): {wall_loop:.2f} s wall")
    print(
        f"CPU time per report (all processes): this build {cpu_build / len(ids):.2f} s, "
        f"plain loop {cpu_loop / len(ids):.2f} s"
    )
    print(f"build_time_ratio_vs_plain_loop={ratio:.3f} overhead_per_report_s={overhead:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
