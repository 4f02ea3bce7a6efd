"""Build one report: run its notebook with papermill, export HTML, write its manifest.

The build reads ``reports.yml`` (format: the comment header of that file), checks every report's
parameters against its notebook's ``parameters`` cell, then builds each report that is out of date:

1. the notebook runs with papermill on a fresh ``rhoresearch`` kernel (per-cell timeout, progress
   bar only when standard error is a terminal) inside ``reports/.tmp-<id>-<pid>/``, which the
   kernel receives as ``$RHORESEARCH_RUN_DIR`` (see :mod:`rhoresearch.provenance`); the kernel is
   started for this run, possibly before the run begins (:mod:`rhoresearch.build.kernel`);
2. ``report.html``, ``report.ipynb``, ``results/*.csv``, ``figures/*.png`` and, last,
   ``manifest.json`` are written there (plus ``kernel.log``, the kernel's own stderr);
3. the folder replaces ``reports/<id>/`` by rename only when complete, so a build killed part-way
   leaves the previous good report (or nothing) and a ``.tmp-*`` folder that the next build removes;
4. ``reports/index.html`` is rebuilt from the manifests on disk, under a lock.

A notebook that fails leaves the previous good report untouched; its executed copy (with the
traceback) is kept in ``reports/_failed/<id>/report.ipynb`` beside a ``manifest.json`` with
``status: "failed"``, and :class:`~rhoresearch.exceptions.NotebookExecutionError` says, in one
line, which report, notebook, cell and exception. The next successful build removes it.

A report is up to date when its manifest says ``success``, its ``reports.yml`` entry is unchanged
(sha256 of the expanded entry) and nothing it depends on (notebook, ``src/rhoresearch/*.py``,
declared inputs, inputs recorded at the last build) is newer than the manifest
(:func:`rhoresearch.build.makefile.status`); ``make`` applies the same rule through the fragment
that :func:`write_makefile` generates.

Determinism: ``results/*.csv`` are written byte-for-byte reproducibly (see
:mod:`rhoresearch.provenance`) and manifests are sorted JSON whose only varying fields are times
(``started_at``, ``finished_at``, ``duration_s``, ``cell_time_s`` and the cells' ``duration_s``).
``outputs`` lists the deterministic outputs (results and figures), not the HTML or notebook, which
carry times.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import nbformat
import papermill
from papermill.exceptions import PapermillExecutionError

from rhoresearch import config
from rhoresearch.build.kernel import KERNEL_NAME, RunKernel, run_folder
from rhoresearch.build.makefile import status, write_deps
from rhoresearch.build.manifest import (
    code_info,
    environment_info,
    file_lock,
    now_utc,
    write_index,
    write_json,
)
from rhoresearch.build.spec import ReportSpec, resolve_reports_dir, spec_root
from rhoresearch.exceptions import NotebookExecutionError
from rhoresearch.provenance import file_sha256

__all__ = ["KERNEL_NAME", "status", "build_report"]

logger = logging.getLogger(__name__)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _clean_stale(reports_dir: Path, report_id: str) -> None:
    """Remove temporary folders left by builds of ``report_id`` that were killed."""
    for prefix in (".tmp-", ".old-", ".vtmp-", ".verify-"):
        for path in reports_dir.glob(f"{prefix}{report_id}-*"):
            pid = path.name.rsplit("-", 1)[-1]
            if pid.isdigit() and not _pid_alive(int(pid)):
                logger.info("removing %s left by an interrupted build", path.name)
                shutil.rmtree(path, ignore_errors=True)


def _source_cell(nb, index: int) -> int:
    """1-based position of executed cell ``index`` in the source notebook (injected cell left out)."""
    injected = sum(
        1
        for c in nb.cells[:index]
        if "injected-parameters" in c.get("metadata", {}).get("tags", [])
    )
    return index - injected + 1


_defaults_cache: dict[tuple, dict] = {}


def _defaults(notebook: Path) -> dict:
    """The notebook's ``parameters`` cell as ``{name: default as written}`` (read once per
    process for each version of the notebook: grid reports share one)."""
    try:
        stat = notebook.stat()
    except OSError:
        return {}
    key: tuple[Any, ...] = (str(notebook), stat.st_mtime_ns, stat.st_size)
    if key not in _defaults_cache:
        try:
            declared = papermill.inspect_notebook(str(notebook))
        except Exception:  # a notebook papermill cannot inspect still builds; no defaults shown
            declared = {}
        _defaults_cache[key] = {name: str(info.get("default")) for name, info in declared.items()}
    return dict(_defaults_cache[key])


def _base_manifest(spec: ReportSpec, started: str) -> dict:
    return {
        "parameter_defaults": _defaults(spec.notebook),
        "report_id": spec.id,
        "title": spec.title,
        "notebook": config.relative_to_root(spec.notebook),
        "notebook_sha256": file_sha256(spec.notebook),
        "parameters": spec.parameters,
        "config_sha256": spec.entry_sha256(spec_root(spec)),
        "timeout_s": spec.timeout,
        "kernel": KERNEL_NAME,
        "code": code_info(),
        "environment": environment_info(),
        "started_at": started,
    }


def _execute(spec: ReportSpec, run_dir: Path, *, kernel: RunKernel):
    """Run the notebook on ``kernel`` into ``run_dir/report.ipynb``; return the executed notebook.

    papermill's own run (``kernel_name``, ``cwd``) on a kernel started for this run
    (:class:`~rhoresearch.build.kernel.RunKernel`: the same kernel spec and command line, the
    notebook's folder as working directory), which the caller stops.
    """
    return papermill.execute_notebook(
        str(spec.notebook),
        str(run_dir / "report.ipynb"),
        parameters=dict(spec.parameters),
        kernel_name=kernel.km.kernel_name,
        execution_timeout=spec.timeout,
        progress_bar=sys.stderr.isatty(),
        log_output=False,
        request_save_on_cell_execute=True,  # a timed-out or killed run still shows where
        km=kernel.km,
    )


def _failure(
    spec, exc, run_dir: Path, reports_dir: Path, manifest: dict, failed_dir: Path
) -> NotebookExecutionError:
    """Keep the failed run in ``failed_dir`` (``_failed/<id>/``); return the one-line error."""
    nb_path = run_dir / "report.ipynb"
    cell_index = getattr(exc, "cell_index", None)
    ename = getattr(exc, "ename", None) or type(exc).__name__
    evalue = str(getattr(exc, "evalue", None) or exc)
    exec_count = getattr(exc, "exec_count", None)
    position = None
    if nb_path.exists():
        try:
            nb = nbformat.read(nb_path, as_version=4)
            if cell_index is None:  # timeout or lost kernel: the last cell that started
                for i, cell in enumerate(nb.cells):
                    if cell.get("metadata", {}).get("papermill", {}).get("start_time"):
                        cell_index = i
                        exec_count = cell.get("execution_count")
            if cell_index is not None:
                # papermill prepends an error banner to the saved copy; count on the source cells
                marker = [
                    c
                    for c in nb.cells
                    if "papermill-error-cell-tag" not in c.get("metadata", {}).get("tags", [])
                ]
                nb.cells = marker
                position = _source_cell(nb, cell_index)
        except Exception:  # the failure report itself must not fail
            position = None
    evalue = evalue.strip().splitlines()[0] if evalue.strip() else ""
    with file_lock(reports_dir / ".locks" / "_failed.lock"):
        shutil.rmtree(failed_dir, ignore_errors=True)
        failed_dir.parent.mkdir(parents=True, exist_ok=True)
        (run_dir / "_inputs.jsonl").unlink(missing_ok=True)
        os.replace(run_dir, failed_dir)
    where = "an unknown cell" if position is None else f"cell {position}"
    if exec_count:
        where += f" (In [{exec_count}])"
    notebook = config.relative_to_root(spec.notebook)
    kept = config.relative_to_root(failed_dir / "report.ipynb")
    message = (
        f"report '{spec.id}' failed: {notebook} {where} raised {ename}: {evalue} "
        f"(executed copy with the traceback: {kept})"
    )
    finished = now_utc()
    write_json(
        failed_dir / "manifest.json",
        dict(
            manifest,
            status="failed",
            finished_at=finished,
            error={"cell": position, "ename": ename, "evalue": evalue, "message": message},
        ),
    )
    return NotebookExecutionError(
        message,
        report_id=spec.id,
        notebook=notebook,
        cell_index=position,
        ename=ename,
        evalue=evalue,
    )


def _swap_in(run_dir: Path, final: Path) -> None:
    """Replace ``final`` by ``run_dir`` (two renames; the old folder is removed afterwards)."""
    old = final.with_name(f".old-{final.name}-{os.getpid()}")
    if final.exists():
        os.replace(final, old)
    os.replace(run_dir, final)
    shutil.rmtree(old, ignore_errors=True)


def build_report(
    spec: ReportSpec,
    *,
    reports_dir: str | Path | None = None,
    force: bool = False,
    update_index: bool = True,
    kernel_name: str = KERNEL_NAME,
    run_root: str | Path | None = None,
    kernel: RunKernel | None = None,
    on_executed: Callable[[bool], None] | None = None,
) -> dict | None:
    """Build one report (parameters must already be validated).

    Parameters
    ----------
    spec : ReportSpec
        The report (from :func:`load`).
    reports_dir : path, optional
        Where reports live (default :func:`rhoresearch.config.reports_dir`).
    force : bool
        Build even when the report is up to date.
    update_index : bool
        Rebuild ``index.html`` afterwards.
    kernel_name : str
        Jupyter kernel to run on.
    run_root : path, optional
        Build into ``run_root/<id>/`` instead of replacing ``reports/<id>/`` (used by verify).
    kernel : RunKernel, optional
        A kernel already started for this run, in its run folder
        (:func:`rhoresearch.build.kernel.run_folder`); default: one is started here. It is stopped
        before this returns, used or not.
    on_executed : callable, optional
        Called with ``True`` (or ``False`` when the notebook failed) as soon as the notebook has
        run, before its kernel is stopped and the report exported: the batch build starts the
        kernel of a later report there.

    Returns
    -------
    dict or None
        The manifest written, or ``None`` when the report was up to date.

    Raises
    ------
    NotebookExecutionError
        The notebook raised; one line names the report, notebook, cell and exception.
    """
    reports = resolve_reports_dir(reports_dir)
    reports.mkdir(parents=True, exist_ok=True)
    final = (Path(run_root) if run_root else reports) / spec.id
    lock = reports / ".locks" / f"{spec.id}.lock"
    run_dir = run_folder(reports, spec.id, verify=run_root is not None)
    try:
        with file_lock(lock) if run_root is None else contextlib.nullcontext():
            if not force and run_root is None:
                why = status(spec, reports_dir=reports)
                if why == "up to date":
                    logger.info("%s: up to date", spec.id)
                    return None
                logger.info("%s: building (%s)", spec.id, why)
            else:
                logger.info("%s: building", spec.id)
            _clean_stale(reports, spec.id)
            t0 = time.perf_counter()
            if kernel is None or kernel.run_dir != run_dir:
                if kernel is not None:
                    kernel.stop()
                shutil.rmtree(run_dir, ignore_errors=True)
                run_dir.mkdir(parents=True)
                kernel = RunKernel(
                    spec.id, run_dir, cwd=spec.notebook.parent, kernel_name=kernel_name
                )
            (run_dir / "results").mkdir(exist_ok=True)
            manifest = _base_manifest(spec, now_utc())
            try:
                nb = _execute(spec, run_dir, kernel=kernel)
            except Exception as exc:
                if kernel.killed:  # the build was interrupted: not a failure of the notebook
                    raise
                if on_executed is not None:
                    on_executed(False)
                kernel.stop()
                failed_dir = (
                    reports / ("_failed" if run_root is None else ".verify-failed") / spec.id
                )
                error = _failure(spec, exc, run_dir, reports, manifest, failed_dir)
                if update_index and run_root is None:
                    write_index(reports)
                if isinstance(exc, PapermillExecutionError | TimeoutError):
                    raise error from None
                raise error from exc
            if on_executed is not None:
                on_executed(True)
            kernel.stop()
            # here: nbconvert and pandas are not needed to run notebooks (a batch build imports
            # them while its first notebooks run)
            from rhoresearch.build.export import export_run

            manifest = export_run(spec, nb, run_dir, manifest, t0)
            final.parent.mkdir(parents=True, exist_ok=True)
            _swap_in(run_dir, final)
            if run_root is None:
                shutil.rmtree(reports / "_failed" / spec.id, ignore_errors=True)
                write_deps(reports, spec.id, manifest["inputs"])
    finally:
        if kernel is not None:
            kernel.stop()
            if run_dir.exists() and not (run_dir / "report.ipynb").exists():
                shutil.rmtree(run_dir, ignore_errors=True)  # a kernel started, no notebook run
    logger.info(
        "%s: built in %.1f s (cells %.1f s) -> %s",
        spec.id,
        manifest["duration_s"],
        manifest["cell_time_s"],
        config.relative_to_root(final / "report.html"),
    )
    if update_index and run_root is None:
        write_index(reports)
    return manifest
