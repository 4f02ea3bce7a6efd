"""The kernels a build starts ahead (rhoresearch.build.kernel, rhoresearch.build.batch).

A build starts each report's kernel before the notebook needs it: the first ones while it imports
papermill and checks the parameters, the next one as soon as a notebook has run. These tests check
what that must not change: every report still runs in a kernel started for it alone, with the
report's run folder, id and working directory; kernels started for reports that do not run (invalid
parameters, a failure with ``keep_going=False``, an interrupt) are killed and leave no run folder.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from _buildkit import FIXTURES, make_project, project_env, subprocess_env, without_times

from rhoresearch import build
from rhoresearch.build import kernel as kernels
from rhoresearch.exceptions import BuildError, ParameterError

PY = sys.executable

# records, from inside the kernel, which kernel ran the report and how it was started
_PROBE = """
import json, os, time
from IPython import get_ipython
from rhoresearch.report import runtime

with open("/proc/self/stat") as fh:
    ticks = int(fh.read().rsplit(")", 1)[1].split()[19])
with open("/proc/stat") as fh:
    boot = next(int(line.split()[1]) for line in fh if line.startswith("btime"))
probe = {
    "pid": os.getpid(),
    "kernel_started": boot + ticks / os.sysconf("SC_CLK_TCK"),
    "cwd": os.getcwd(),
    "run_dir": os.environ.get("RHORESEARCH_RUN_DIR"),
    "report_id": os.environ.get("RHORESEARCH_REPORT_ID"),
    "history": get_ipython().history_manager.hist_file,
}
(runtime.run_dir() / "probe.json").write_text(json.dumps(probe, default=str))
"""


def _probe_project(root: Path, n: int) -> list[str]:
    """A project whose reports each write probe.json (their kernel's facts) into their folder."""
    make_project(root)
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("tag = 'a'", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell(_PROBE),
    ]
    nb.metadata["kernelspec"] = {
        "name": "rhoresearch",
        "display_name": "rhoresearch",
        "language": "python",
    }
    nbformat.write(nb, root / "notebooks" / "probe.ipynb")
    ids = [f"probe-{i}" for i in range(n)]
    lines = ["reports:"]
    for i, report_id in enumerate(ids):
        lines += [
            f"  - id: {report_id}",
            "    notebook: notebooks/probe.ipynb",
            f"    title: Probe {i}",
            f"    parameters: {{tag: t{i}}}",
        ]
    (root / "reports.yml").write_text("\n".join(lines) + "\n")
    return ids


def _time(stamp: str) -> float:
    return dt.datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _kernels_of(root: Path) -> list[int]:
    """Processes whose environment names a run folder below ``root`` (the project's kernels)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes().split(b"\0")
        except OSError:
            continue
        for item in environ:
            if item.startswith(b"RHORESEARCH_RUN_DIR=") and str(root).encode() in item:
                found.append(int(entry.name))
    return found


def test_importing_the_build_leaves_papermill_nbconvert_and_pandas_for_later():
    # a build starts its first kernels before these imports (about 1 s of CPU), so that the
    # kernels start up meanwhile, and runs its first notebooks before importing what exporting
    # needs: the package must not import them itself, nor the module that runs notebooks
    # import the exporting
    heavy = "sorted(m for m in ('papermill', 'nbconvert', 'pandas') if m in sys.modules)"
    code = (
        "import sys\nfrom rhoresearch import build\nbuild.build, build.verify, build.status\n"
        f"print({heavy})\nbuild.build_report\nprint({heavy})\n"
    )
    out = subprocess.run([PY, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.splitlines() == ["[]", "['papermill']"]


@pytest.mark.slow
@pytest.mark.parametrize("jobs", [1, 2])
def test_every_report_runs_in_a_kernel_started_for_it(tmp_path, jobs):
    root = tmp_path / "project"
    ids = _probe_project(root, 4)
    with project_env(root):
        t0 = time.time()
        assert build.build(jobs=jobs) == dict.fromkeys(ids, "built")
    probes = [json.loads((root / "reports" / i / "probe.json").read_text()) for i in ids]
    manifests = [json.loads((root / "reports" / i / "manifest.json").read_text()) for i in ids]
    assert len({p["pid"] for p in probes}) == len(ids)  # never a kernel used twice
    for report_id, probe in zip(ids, probes, strict=True):
        assert probe["report_id"] == report_id
        assert Path(probe["run_dir"]).name == f".tmp-{report_id}-{os.getpid()}"
        assert Path(probe["cwd"]) == (root / "notebooks").resolve()
        assert probe["history"] == ":memory:"  # as nbclient starts kernels
        executed = nbformat.read(root / "reports" / report_id / "report.ipynb", as_version=4)
        assert [c.execution_count for c in executed.cells] == [1, 2, 3]  # nothing else ran
        assert probe["kernel_started"] >= t0 - 1
        assert not _alive(probe["pid"])  # stopped after its notebook
    assert not kernels._live
    assert not list((root / "reports").glob(".tmp-*"))
    # each later report's kernel started before the report before it on the same thread was
    # exported (the previous report's manifest is written last)
    started = sorted(probes, key=lambda p: p["kernel_started"])
    finished = sorted(_time(m["finished_at"]) for m in manifests)
    assert started[jobs]["kernel_started"] < finished[0]


@pytest.mark.slow
def test_one_and_two_at_a_time_give_the_same_reports(tmp_path):
    root = make_project(tmp_path / "project")
    with project_env(root):
        one = build.build(["full", "light-*"], reports_dir=tmp_path / "one", jobs=1)
        two = build.build(["full", "light-*"], reports_dir=tmp_path / "two", jobs=2)
    assert one == two == {"full": "built", "light-north": "built", "light-south": "built"}
    for report_id in one:
        a, b = tmp_path / "one" / report_id, tmp_path / "two" / report_id
        files = sorted(p.relative_to(a) for p in (a / "results").rglob("*") if p.is_file())
        assert files and files == sorted(
            p.relative_to(b) for p in (b / "results").rglob("*") if p.is_file()
        )
        for rel in files:
            assert (a / rel).read_bytes() == (b / rel).read_bytes(), rel
        ma = json.loads((a / "manifest.json").read_text())
        mb = json.loads((b / "manifest.json").read_text())
        assert without_times(ma) == without_times(mb)


@pytest.mark.slow
def test_invalid_parameters_kill_the_kernels_started_ahead(tmp_path):
    text = (FIXTURES / "reports.yml").read_text().replace("multiplier: 3", "multiplier: x")
    root = make_project(tmp_path, config_text=text)
    with project_env(root), pytest.raises(ParameterError, match="light-north"):
        build.build(jobs=2)
    assert not kernels._live
    assert not _kernels_of(root)
    assert not list((root / "reports").glob(".tmp-*"))
    assert not list((root / "reports").glob("*/manifest.json"))


@pytest.mark.slow
def test_without_keep_going_nothing_runs_after_a_failure(tmp_path):
    root = make_project(tmp_path)
    with project_env(root), pytest.raises(BuildError, match="failing"):
        build.build(["failing", "light-north", "light-south"], jobs=1, keep_going=False)
    reports = root / "reports"
    assert (reports / "_failed" / "failing" / "manifest.json").exists()
    assert not (reports / "light-north").exists() and not (reports / "light-south").exists()
    assert not kernels._live
    assert not _kernels_of(root)
    assert not list(reports.glob(".tmp-*"))


@pytest.mark.slow
def test_an_interrupted_build_kills_its_kernels(tmp_path):
    config = (FIXTURES / "reports.yml").read_text().replace("seconds: 0.2", "seconds: 120.0")
    root = make_project(tmp_path, config_text=config)
    reports = root / "reports"
    proc = subprocess.Popen(
        [PY, "-m", "rhoresearch", "build", "sleepy", "light-north", "-j", "2"],
        env=subprocess_env(root),
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 90
        while not list(reports.glob(".tmp-sleepy-*/started")):
            assert proc.poll() is None and time.monotonic() < deadline, "cell never started"
            time.sleep(0.2)
        running = _kernels_of(root)
        assert running
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, err
    assert "interrupted" in err and "Traceback" not in err
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in running) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_alive(pid) for pid in running)
    # not a failure of the notebook: no report and no failed run, only the run folder that the
    # next build removes (as after a build that was killed)
    assert not (reports / "sleepy").exists() and not (reports / "_failed" / "sleepy").exists()
    assert list(reports.glob(".tmp-sleepy-*"))
