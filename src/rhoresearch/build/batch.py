"""Build and verify many reports: the build configuration, parallel runs, the index.

:func:`build` validates every selected report's parameters before any notebook runs, builds those
that are out of date, ``jobs`` at a time, and rebuilds ``reports/index.html``; :func:`verify` reruns
built reports and compares them (:mod:`rhoresearch.build.verify`).

Where a build's time goes besides the notebooks' cells (``benchmarks/build.py`` measures it): each
report runs in a kernel started for it, about 0.3 s of the kernel's CPU, and this process imports
papermill, nbconvert and pandas and reads the notebooks' parameters, about 1 s of CPU on one core,
before it can export a report. The runs are threads of this process (``jobs`` of them): each drives
its kernel through papermill and then exports its report, which takes little CPU, since the
notebooks run in the kernels' processes. So that neither a core nor a run waits for a kernel or for
an import:

- one kernel for each thread starts before this process imports papermill and checks the
  parameters (when they are not valid, the kernels are killed and nothing runs);
- the notebooks start as soon as the parameters are checked; what exporting a report needs
  (nbconvert, pandas: :mod:`.export`) is imported while they run;
- kernels for the next reports start meanwhile, one per thread, and one more each time a notebook
  has run; a free thread takes the oldest started kernel, ready by then (threads that finish at
  nearly the same time each find one).

A kernel is never reused: every report runs in a fresh kernel, as when built on its own.
"""

from __future__ import annotations

import atexit
import collections
import functools
import gc
import logging
import queue
import shutil
import threading
from pathlib import Path

from rhoresearch.build import _fastimport  # noqa: F401  (first: before nbformat)
from rhoresearch.build import kernel as kernels
from rhoresearch.build.makefile import status, write_config_stamps
from rhoresearch.build.manifest import code_info, environment_info, write_index
from rhoresearch.build.spec import ReportSpec, load, resolve_reports_dir, select, validate
from rhoresearch.build.verify import RTOL, Verdict, verify_report
from rhoresearch.exceptions import BuildError, ConfigError

__all__ = ["build", "verify", "index"]

logger = logging.getLogger(__name__)


class _Runs:
    """Threads building reports (``todo``, in order, each report taken by the first free thread).

    Kernels are started ahead, each for a given report: one per thread here (before the build's
    imports), ``ahead`` more (default: one per thread) when the notebooks may run (:meth:`go`),
    then one more each time a notebook has run, so that ``ahead`` kernels are starting up or ready
    while the others run notebooks. A thread takes the oldest started kernel with its report (or,
    when none is left, starts one). The threads wait for :meth:`go`; :meth:`results` yields
    ``(report id, state, message)`` as reports finish; :meth:`cancel` kills every kernel.
    """

    def __init__(
        self,
        todo: list[ReportSpec],
        threads: int,
        *,
        reports: Path,
        force: bool,
        keep_going: bool,
        ahead: int | None = None,
    ) -> None:
        self._todo = collections.deque(todo)
        self._started: collections.deque[tuple[ReportSpec, kernels.RunKernel | None]]
        self._started = collections.deque()
        self._lock = threading.Lock()
        self._reports, self._force, self._keep_going = reports, force, keep_going
        self._done: queue.SimpleQueue[tuple[str, str, str, BaseException | None] | None]
        self._done = queue.SimpleQueue()
        self._go = threading.Event()
        self._stop = threading.Event()  # no report starts any more
        self._cancelled = False
        self._ahead = threads if ahead is None else ahead
        for _ in range(threads):
            self._start_next()
        self._threads = [
            threading.Thread(target=self._thread, name=f"rhoresearch-build-{n}", daemon=True)
            for n in range(threads)
        ]
        for thread in self._threads:
            thread.start()

    def go(self) -> None:
        """Let the threads run their notebooks; start the kernels of the next reports."""
        self._go.set()
        for _ in range(self._ahead):
            self._start_next()

    def cancel(self, wait: float = 10.0) -> None:
        """Start no more reports, kill every kernel; wait up to ``wait`` s for the threads."""
        self._stop.set()
        self._cancelled = True
        self._go.set()
        kernels.kill_all()
        for thread in self._threads:
            thread.join(timeout=wait)
        self._discard_started()

    def results(self):
        """``(report id, state, message)`` as reports finish; re-raises what a thread raised."""
        running = len(self._threads)
        while running:
            item = self._done.get()
            if item is None:
                running -= 1
                continue
            report_id, state, message, error = item
            if error is not None:
                self.cancel()
                raise error
            yield report_id, state, message
        self._discard_started()  # started for reports that no thread took (keep_going=False)

    def _start(self, spec: ReportSpec) -> kernels.RunKernel | None:
        """Start the kernel of ``spec``'s run (``None`` if it fails: the run then starts one)."""
        run_dir = kernels.run_folder(self._reports, spec.id)
        try:
            shutil.rmtree(run_dir, ignore_errors=True)
            run_dir.mkdir(parents=True)
            return kernels.RunKernel(spec.id, run_dir, cwd=spec.notebook.parent)
        except Exception:
            logger.debug("%s: could not start its kernel ahead", spec.id, exc_info=True)
            shutil.rmtree(run_dir, ignore_errors=True)
            return None

    def _start_next(self) -> None:
        """Start the kernel of the next report nobody has taken yet (if any)."""
        with self._lock:
            if self._stop.is_set() or not self._todo:
                return
            spec = self._todo.popleft()
        kernel = self._start(spec)
        with self._lock:
            self._started.append((spec, kernel))

    def _take(self) -> tuple[ReportSpec, kernels.RunKernel | None] | None:
        """The next report and its kernel: the oldest started, else the next report."""
        with self._lock:
            if self._stop.is_set():
                return None
            if self._started:
                return self._started.popleft()
            if not self._todo:
                return None
            spec = self._todo.popleft()
        return spec, self._start(spec)

    def _discard_started(self) -> None:
        with self._lock:
            left = list(self._started)
            self._started.clear()
        for _, kernel in left:
            if kernel is not None:
                kernel.stop()
                shutil.rmtree(kernel.run_dir, ignore_errors=True)

    def _on_executed(self, ok: bool) -> None:
        if not ok and not self._keep_going:
            self._stop.set()
        self._start_next()

    def _thread(self) -> None:
        try:
            self._go.wait()
            if self._cancelled:
                return
            from rhoresearch.build.run import build_report

            while (taken := self._take()) is not None:
                spec, kernel = taken
                try:
                    manifest = build_report(  # stops the kernel, used or not
                        spec,
                        reports_dir=self._reports,
                        force=self._force,
                        update_index=False,
                        kernel=kernel,
                        on_executed=self._on_executed,
                    )
                    state = "up to date" if manifest is None else "built"
                    self._done.put((spec.id, state, "", None))
                except BuildError as exc:
                    if not self._keep_going:
                        self._stop.set()
                    self._done.put((spec.id, "failed", str(exc), None))
                if self._cancelled:
                    return
        except BaseException as exc:  # a fault of the build itself (or an interrupt)
            self._stop.set()
            if not self._cancelled:
                self._done.put(("", "error", "", exc))
        finally:
            self._done.put(None)


_exit_freeze = False


def _freeze_at_exit() -> None:
    """At interpreter exit, skip the last garbage collection over everything the build imported.

    Python collects every object once more when it exits; after the build's imports that costs
    about 0.25 s of CPU at the end of every build, for memory the system reclaims anyway. ``atexit``
    functions run before that collection, and :func:`gc.freeze` puts every object out of its reach.
    """
    global _exit_freeze
    if not _exit_freeze:
        atexit.register(gc.freeze)
        _exit_freeze = True


def build(
    ids: list[str] | None = None,
    *,
    config_path: str | Path | None = None,
    reports_dir: str | Path | None = None,
    force: bool = False,
    jobs: int = 1,
    keep_going: bool = True,
) -> dict[str, str]:
    """Validate, then build the selected reports that are out of date, then the index.

    Parameters
    ----------
    ids : list of str, optional
        Report ids or shell patterns (``mental-health-*``); all reports when empty.
    config_path : path, optional
        Build configuration (default ``reports.yml``).
    reports_dir : path, optional
        Output folder (default :func:`rhoresearch.config.reports_dir`).
    force : bool
        Rebuild reports that are up to date.
    jobs : int
        Reports built at once (each in its own kernel).
    keep_going : bool
        Build the other reports after one fails (like ``make -k``).

    Returns
    -------
    dict
        ``{report id: "built" | "up to date" | "failed"}``.

    Raises
    ------
    ParameterError, ConfigError
        Before any notebook runs.
    BuildError
        After the others were built, when any report failed (the message lists them).
    """
    specs = load(config_path)
    chosen = select(specs, ids)
    reports = resolve_reports_dir(reports_dir)
    order = [s.id for s in specs]
    results: dict[str, str] = {}
    todo: list[ReportSpec] = []
    for spec in chosen:  # asked again, under the report's lock, when its turn comes
        if force or status(spec, reports_dir=reports) != "up to date":
            todo.append(spec)
        else:
            logger.info("%s: up to date", spec.id)
            results[spec.id] = "up to date"
    runs = None
    if todo:
        threads = max(1, min(jobs, len(todo)))
        runs = _Runs(todo, threads, reports=reports, force=force, keep_going=keep_going)
    try:
        validate(chosen)  # papermill, while the first kernels start
        if runs is not None:
            from rhoresearch.build.run import build_report  # noqa: F401
        reports.mkdir(parents=True, exist_ok=True)
        write_config_stamps(specs, reports_dir=reports)
    except BaseException:
        if runs is not None:
            runs.cancel()
        raise
    _freeze_at_exit()
    errors: list[str] = []
    if runs is not None:
        runs.go()
        try:
            # while the first notebooks run: what exporting a report needs (nbconvert, pandas), the
            # package versions, the source hash and git, once per build
            from rhoresearch.build.export import export_run  # noqa: F401

            code_info()
            environment_info()
            for report_id, state, message in runs.results():
                results[report_id] = state
                if message:
                    logger.error("%s", message)
                    errors.append(message)
                if state != "up to date":
                    write_index(reports, order=order)
        except BaseException:
            runs.cancel()
            raise
    if not (reports / "index.html").exists():
        write_index(reports, order=order)
    if errors:
        n = len(errors)
        raise BuildError(
            f"{n} report{'s' if n > 1 else ''} failed: "
            + ", ".join(k for k, v in results.items() if v == "failed")
        )
    return results


def verify(
    ids: list[str] | None = None,
    *,
    config_path: str | Path | None = None,
    reports_dir: str | Path | None = None,
    rtol: float = RTOL,
) -> list[Verdict]:
    """Rerun built reports into a temporary folder and compare them with the built ones.

    Parameters
    ----------
    ids : list of str, optional
        Report ids or patterns (default: every report in the configuration).
    config_path, reports_dir : path, optional
        As for :func:`build`.
    rtol : float
        Relative tolerance for numeric result cells (absolute tolerance 1e-12).

    Returns
    -------
    list of Verdict
        One per report: ``verdict`` is ``REPRODUCED``, ``INPUTS CHANGED``, ``DIFFERS`` or
        ``NOT BUILT``, with ``details`` naming what differs (see :mod:`rhoresearch.build.verify`).
    """
    specs = select(load(config_path), ids)
    validate(specs)
    reports = resolve_reports_dir(reports_dir)
    from rhoresearch.build.run import build_report

    verdicts = []
    for spec in specs:
        verdict = verify_report(
            spec,
            reports_dir=reports,
            rebuild=functools.partial(build_report, force=True),
            rtol=rtol,
        )
        logger.debug("%s", verdict.line())
        verdicts.append(verdict)
    return verdicts


def index(*, config_path: str | Path | None = None, reports_dir: str | Path | None = None) -> Path:
    """Rebuild ``reports/index.html`` from the manifests on disk (ordered as in the config)."""
    try:
        order = [s.id for s in load(config_path)]
    except ConfigError:
        order = []
    return write_index(resolve_reports_dir(reports_dir), order=order)
