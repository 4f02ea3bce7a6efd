"""Build one report: run its notebook with papermill, export HTML, write its manifest.

The build reads ``reports.yml`` (format: the comment header of that file), checks every report's
parameters against its notebook's ``parameters`` cell, then builds each report that is out of date:

1. the notebook runs with papermill on the ``rhoresearch`` kernel (per-cell timeout, progress bar
   only when standard error is a terminal) inside ``reports/.tmp-<id>-<pid>/``, which the kernel
   receives as ``$RHORESEARCH_RUN_DIR`` (see :mod:`rhoresearch.provenance`);
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
declared inputs, inputs recorded at the last build) is newer than the manifest; ``make`` applies
the same rule through the fragment that :func:`write_makefile` generates.

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
from pathlib import Path
from queue import Empty
from typing import Any

import nbformat
import papermill
from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.manager import AsyncKernelManager
from papermill.exceptions import PapermillExecutionError
from traitlets import DottedObjectName, Type

from rhoresearch import config
from rhoresearch.build.html import report_html
from rhoresearch.build.makefile import write_deps
from rhoresearch.build.manifest import (
    code_info,
    environment_info,
    file_lock,
    now_utc,
    read_manifest,
    source_files,
    write_index,
    write_json,
)
from rhoresearch.build.spec import (
    ReportSpec,
    expand_inputs,
    resolve_reports_dir,
    spec_root,
)
from rhoresearch.build.spreadsheet import write_spreadsheet
from rhoresearch.exceptions import NotebookExecutionError
from rhoresearch.provenance import RUN_DIR_ENV, file_sha256, recorded_inputs

__all__ = ["KERNEL_NAME", "status", "build_report"]

logger = logging.getLogger(__name__)

KERNEL_NAME = "rhoresearch"


_RUN_FILES = {"manifest.json", "report.html", "report.ipynb", "_inputs.jsonl", "kernel.log"}


_KERNEL_LOG_ENV = "_RHORESEARCH_KERNEL_LOG"


class _RunKernelClient(AsyncKernelClient):
    """jupyter_client's kernel client, ready as soon as the kernel answers.

    ``wait_for_ready`` is jupyter_client's (``KernelClient._async_wait_for_ready``: kernel_info
    until it is answered and IOPub is connected) except for its last step, which drains IOPub
    until nothing arrives for 0.2 s: a fixed 0.2 s per report. Here the messages already there are
    drained without waiting for more; a late start-up message is harmless, because nbclient only
    reads the IOPub messages whose parent is the request it sent.
    """

    async def wait_for_ready(self, timeout: float | None = None) -> None:
        deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
        while True:
            self.kernel_info()
            try:
                msg = await self.shell_channel.get_msg(timeout=1)
            except Empty:
                pass
            else:
                if msg["msg_type"] == "kernel_info_reply":
                    try:  # IOPub connected? (the reply's busy/idle status comes on it)
                        await self.iopub_channel.get_msg(timeout=0.2)
                    except Empty:
                        pass
                    else:
                        self._handle_kernel_info_reply(msg)
                        break
            if not await self.is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout} seconds")
        while True:
            try:
                await self.iopub_channel.get_msg(timeout=0)
            except Empty:
                break


class _RunKernelManager(AsyncKernelManager):
    """A kernel manager that sends the kernel's own stderr to ``kernel.log`` in the run folder.

    Notebook output is captured by the kernel either way; this keeps the kernel's start-up and
    shut-down chatter out of the build's log lines. Its client is :class:`_RunKernelClient`, and
    after killing the kernel (papermill's ``shutdown_kernel="immediate"``) it checks every 10 ms,
    not every 100 ms, whether the process has ended.
    """

    client_class = DottedObjectName("rhoresearch.build.run._RunKernelClient")
    client_factory = Type(_RunKernelClient, klass=AsyncKernelClient)

    async def _async_wait(self, pollinterval: float = 0.1) -> None:
        await super()._async_wait(pollinterval=min(pollinterval, 0.01))

    async def _async_pre_start_kernel(self, **kw):
        cmd, kw = await super()._async_pre_start_kernel(**kw)
        log = os.environ.get(_KERNEL_LOG_ENV)
        if log and "stderr" not in kw:
            self._rho_log = open(log, "ab")  # closed in _async_cleanup_resources
            kw["stderr"] = self._rho_log
        return cmd, kw

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        log = getattr(self, "_rho_log", None)
        if log is not None:
            log.close()


def status(spec: ReportSpec, *, reports_dir: str | Path | None = None) -> str:
    """``"up to date"`` or why the report needs building (``"not built"``, ``"x.csv changed"``)."""
    manifest_path = resolve_reports_dir(reports_dir) / spec.id / "manifest.json"
    manifest = read_manifest(manifest_path)
    if manifest is None:
        failed = resolve_reports_dir(reports_dir) / "_failed" / spec.id / "manifest.json"
        return "last build failed" if failed.exists() else "not built"
    if manifest.get("status") != "success":
        return "last build did not finish"
    if manifest.get("config_sha256") != spec.entry_sha256(spec_root(spec)):
        return "its reports.yml entry changed"
    built = manifest_path.stat().st_mtime
    deps = [spec.notebook, *source_files(), *expand_inputs(spec)]
    deps += [config.resolve_path(i["path"]) for i in manifest.get("inputs", [])]
    for dep in deps:
        try:
            if dep.stat().st_mtime > built:
                return f"{config.relative_to_root(dep)} changed"
        except FileNotFoundError:
            return f"{config.relative_to_root(dep)} is missing"
    return "up to date"


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


def _outputs(folder: Path) -> list[dict]:
    out = []
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if path.is_file() and rel not in _RUN_FILES and not path.name.startswith("."):
            out.append({"path": rel, "bytes": path.stat().st_size, "sha256": file_sha256(path)})
    return out


def _cells(nb) -> list[dict]:
    cells = []
    for index, cell in enumerate(nb.cells):
        meta = cell.get("metadata", {}).get("papermill", {})
        if cell.cell_type != "code":
            continue
        duration = meta.get("duration")
        cells.append(
            {
                "index": index,
                "execution_count": cell.get("execution_count"),
                "status": meta.get("status"),
                "duration_s": None if duration is None else round(float(duration), 3),
                "injected": "injected-parameters" in cell.get("metadata", {}).get("tags", []),
            }
        )
    return cells


def _is_demo(inputs: list[dict], parameters: dict) -> bool:
    demo = config.demo_dir().resolve()

    def under_demo(value) -> bool:
        try:
            return config.resolve_path(value).resolve().is_relative_to(demo)
        except (OSError, ValueError, TypeError):
            return False

    if any(under_demo(i["path"]) for i in inputs):
        return True
    values = [v for v in parameters.values() if isinstance(v, str)]
    return any(("/" in v or os.sep in v) and under_demo(v) for v in values)


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


def _execute(spec: ReportSpec, run_dir: Path, *, kernel_name: str):
    """Run the notebook into ``run_dir/report.ipynb``; return the executed notebook."""
    saved = {k: os.environ.get(k) for k in (RUN_DIR_ENV, "RHORESEARCH_REPORT_ID", _KERNEL_LOG_ENV)}
    os.environ[RUN_DIR_ENV] = str(run_dir)
    os.environ[_KERNEL_LOG_ENV] = str(run_dir / "kernel.log")
    os.environ["RHORESEARCH_REPORT_ID"] = spec.id
    try:
        return papermill.execute_notebook(
            str(spec.notebook),
            str(run_dir / "report.ipynb"),
            parameters=dict(spec.parameters),
            kernel_name=kernel_name,
            execution_timeout=spec.timeout,
            progress_bar=sys.stderr.isatty(),
            log_output=False,
            request_save_on_cell_execute=True,  # a timed-out or killed run still shows where
            cwd=str(spec.notebook.parent),
            kernel_manager_class=_RunKernelManager,
            shutdown_kernel="immediate",  # everything is captured by now; do not wait for it
        )
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


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
        prefix = ".vtmp-" if run_root else ".tmp-"
        run_dir = reports / f"{prefix}{spec.id}-{os.getpid()}"
        shutil.rmtree(run_dir, ignore_errors=True)
        (run_dir / "results").mkdir(parents=True)
        t0 = time.perf_counter()
        manifest = _base_manifest(spec, now_utc())
        try:
            nb = _execute(spec, run_dir, kernel_name=kernel_name)
        except Exception as exc:
            failed_dir = reports / ("_failed" if run_root is None else ".verify-failed") / spec.id
            error = _failure(spec, exc, run_dir, reports, manifest, failed_dir)
            if update_index and run_root is None:
                write_index(reports)
            if isinstance(exc, PapermillExecutionError | TimeoutError):
                raise error from None
            raise error from exc
        inputs = recorded_inputs(run_dir)
        (run_dir / "_inputs.jsonl").unlink(missing_ok=True)
        demo = _is_demo(inputs, spec.parameters)
        write_spreadsheet(run_dir, title=spec.title, demo=demo)
        cells = _cells(nb)
        manifest.update(
            inputs=inputs,
            outputs=_outputs(run_dir),
            demo_data=demo,
            cells=cells,
            cell_time_s=round(sum(c["duration_s"] or 0.0 for c in cells), 3),
            status="success",
        )
        manifest["finished_at"] = now_utc()
        manifest["duration_s"] = round(time.perf_counter() - t0, 3)
        html_text = report_html(nb, manifest, title=spec.title)
        (run_dir / "report.html").write_text(html_text, encoding="utf-8")
        manifest["duration_s"] = round(time.perf_counter() - t0, 3)
        write_json(run_dir / "manifest.json", manifest)
        final.parent.mkdir(parents=True, exist_ok=True)
        _swap_in(run_dir, final)
        if run_root is None:
            shutil.rmtree(reports / "_failed" / spec.id, ignore_errors=True)
            write_deps(reports, spec.id, inputs)
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
