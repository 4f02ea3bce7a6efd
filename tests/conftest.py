"""Shared test set-up and the session's shared (expensive) fixtures.

Notebook tests (nbval over ``notebooks/``) and any report code run inside the test session write into a
scratch run folder, never into the user's ``reports/``.

Expensive things are made once per test run, not once per file, and shared by the xdist workers
(``-n 2``) through a folder they all see, with a lock so that one worker makes each thing while the
other waits and then reuses it:

``demo_report(report_id)``
    builds a report of ``reports.yml`` (its demo data and parameters) into a shared reports folder
    and returns ``<folder>/<report_id>`` (``report.html``, ``results/``, ``manifest.json``; the
    folder's ``index.html`` lists every report built so far). The build's own up-to-date check
    (under its per-report lock) makes later calls reuse the build.
``demo_data(name, seed=..., scale=...)``
    runs one demonstration-data generator (``rhoresearch.demo.GENERATORS`` name, e.g.
    ``"maternity"``) into a shared folder and returns ``(folder, truth)``; each distinct
    ``(name, seed, scale)`` is generated once per run.
``shared_tmp``
    the folder both use (one per run, shared by the workers).

The files that take longest are run first (:data:`LONGEST_FIRST`, with ``--no-loadscope-reorder`` in
``make test``), so that the short ones fill the end of the run on both workers; the data layer's
tests run on one worker, with one Spark session (:data:`ONE_WORKER`).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import matplotlib
import pytest
from _buildkit import DEMO_REPORTS
from xdist.scheduler import LoadFileScheduling

matplotlib.use("Agg")

# Set before any kernel starts: nbval kernels inherit this environment.
os.environ.setdefault("RHORESEARCH_RUN_DIR", tempfile.mkdtemp(prefix="rhoresearch-test-run-"))
os.environ.setdefault("MPLBACKEND", "Agg")


#: Test files by the time one xdist worker spends on them, longest first (``make test``'s
#: ``--durations``, on 2 cores): xdist hands out files in collection order, so these start first
#: and the many short files balance the two workers at the end. Other files keep their order.
LONGEST_FIRST = [
    "tests/build/test_bad_inputs.py",  # one build of 50 failing reports
    "tests/report/test_browser.py",  # builds the six default demo reports, then Chromium
    "tests/build/test_spark_notebook.py",  # two notebooks on files and in Spark kernels
    "tests/data/test_aggregate.py",  # with the rest of tests/data/ (ONE_WORKER): one Spark
    "tests/workstreams/test_technology.py",
    "tests/data/test_record_level.py",
    "tests/workstreams/test_grouping_reports.py",
    "tests/build/test_policy_reports.py",
    "tests/build/test_build.py",
    "tests/build/test_build_kernels.py",
    "tests/data/test_published.py",
    "notebooks/05-maternal-neonatal.ipynb",
]


#: Test files that xdist keeps on one worker, as if they were one file: the data layer's tests share
#: the session's local Spark (tests/data/conftest.py), so one JVM serves them all instead of one
#: per worker (a JVM's start and warm-up cost about as much CPU as its queries here).
ONE_WORKER = "tests/data/"


class _LoadFileOneSpark(LoadFileScheduling):
    """``--dist loadfile``, with every file under :data:`ONE_WORKER` in one unit of work."""

    def _split_scope(self, nodeid: str) -> str:
        scope = super()._split_scope(nodeid)
        return ONE_WORKER if scope.startswith(ONE_WORKER) else scope


@pytest.hookimpl(tryfirst=True, optionalhook=True)  # optional: pytest -p no:xdist has no such hook
def pytest_xdist_make_scheduler(config: pytest.Config, log) -> LoadFileScheduling | None:
    return _LoadFileOneSpark(config, log) if config.getvalue("dist") == "loadfile" else None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    rank = {path: i for i, path in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::")[0], len(rank)))


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


@pytest.fixture(scope="session")
def shared_tmp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder for this test run that every xdist worker sees (the base temp folder otherwise)."""
    base = tmp_path_factory.getbasetemp()
    folder = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "shared"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="session")
def demo_report(shared_tmp: Path) -> Callable[[str], Path]:
    """``demo_report(report_id)``: that report of ``reports.yml``, built once per test run."""
    from rhoresearch import build

    folder = shared_tmp / DEMO_REPORTS

    def get(report_id: str) -> Path:
        saved = os.environ.get("RHORESEARCH_REPORTS_DIR")
        os.environ["RHORESEARCH_REPORTS_DIR"] = str(folder)  # the index links the pages here
        try:
            build.build([report_id], reports_dir=folder)  # up to date after the first call
        finally:
            if saved is None:
                os.environ.pop("RHORESEARCH_REPORTS_DIR", None)
            else:
                os.environ["RHORESEARCH_REPORTS_DIR"] = saved
        return folder / report_id

    return get


@pytest.fixture(scope="session")
def demo_data(shared_tmp: Path) -> Callable[..., tuple[Path, dict]]:
    """``demo_data(name, seed=DEFAULT_SEED, scale=None)``: ``(folder, truth)`` of one generator's
    output, generated once per test run for each ``(name, seed, scale)``; ``truth`` is the
    generator's return value as JSON gives it back (the same in every worker)."""
    from rhoresearch import demo

    def get(name: str, *, seed: int = demo.DEFAULT_SEED, scale: float | None = None):
        tag = f"{name}-{seed}" + ("" if scale is None else f"-{scale:g}")
        folder = shared_tmp / "demo-data" / tag
        done = folder / ".complete"
        with _locked(shared_tmp / "demo-data" / f"{tag}.lock"):
            if not done.exists():
                generate = demo.generators()[name]
                kwargs = {} if scale is None else {"scale": scale}
                folder.mkdir(parents=True, exist_ok=True)
                truth = generate(folder, seed=seed, **kwargs)
                done.write_text(json.dumps(truth, default=str), encoding="utf-8")
        return folder, json.loads(done.read_text(encoding="utf-8"))

    return get
