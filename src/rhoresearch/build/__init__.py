"""Build reports: run notebooks with papermill, export HTML, write manifests and the index.

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

import fnmatch
import glob
import logging
import os
import shutil
import sys
import time
from pathlib import Path

from rhoresearch import config
from rhoresearch.build.spec import DEFAULT_TIMEOUT, ReportSpec, load_config, validate_parameters
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
from rhoresearch.build.verify import RTOL, Verdict, verify_report
from rhoresearch.exceptions import BuildError, ConfigError, NotebookExecutionError

__all__ = [
    "KERNEL_NAME",
    "ReportSpec",
    "load",
    "select",
    "validate",
    "status",
    "build_report",
    "build",
    "write_index",
    "write_config_stamps",
    "write_makefile",
    "verify",
    "index",
    "DEFAULT_TIMEOUT",
    "RTOL",
]

logger = logging.getLogger(__name__)

KERNEL_NAME = "rhoresearch"
_RUN_FILES = {"manifest.json", "report.html", "report.ipynb", "_inputs.jsonl", "kernel.log"}
_KERNEL_LOG_ENV = "_RHORESEARCH_KERNEL_LOG"
_kernel_manager = None


def _kernel_manager_class():
    """A kernel manager that sends the kernel's own stderr to ``kernel.log`` in the run folder.

    Notebook output is captured by the kernel either way; this keeps the kernel's start-up and
    shut-down chatter out of the build's log lines.
    """
    global _kernel_manager
    if _kernel_manager is None:
        from jupyter_client.manager import AsyncKernelManager

        class _RunKernelManager(AsyncKernelManager):
            async def _async_pre_start_kernel(self, **kw):
                cmd, kw = await super()._async_pre_start_kernel(**kw)
                log = os.environ.get(_KERNEL_LOG_ENV)
                if log and "stderr" not in kw:
                    self._rho_log = open(log, "ab")  # closed in cleanup
                    kw["stderr"] = self._rho_log
                return cmd, kw

            async def _async_cleanup_resources(self, restart: bool = False) -> None:
                await super()._async_cleanup_resources(restart=restart)
                log = getattr(self, "_rho_log", None)
                if log is not None:
                    log.close()

        _kernel_manager = _RunKernelManager
    return _kernel_manager


_TIME_FIELDS = ("started_at", "finished_at", "duration_s", "cell_time_s")


def load(config_path: str | Path | None = None) -> list[ReportSpec]:
    """Read the build configuration (default ``reports.yml`` at the project root)."""
    return load_config(config_path or config.build_config_path())


def select(specs: list[ReportSpec], ids: list[str] | None) -> list[ReportSpec]:
    """Keep the reports whose id matches one of ``ids`` (exact or shell pattern); all if empty."""
    if not ids:
        return list(specs)
    chosen, unknown = [], []
    for pattern in ids:
        hits = [s for s in specs if fnmatch.fnmatchcase(s.id, pattern)]
        if not hits:
            unknown.append(pattern)
        chosen.extend(h for h in hits if h not in chosen)
    if unknown:
        raise ConfigError(
            f"no report with id {', '.join(map(repr, unknown))} in the build configuration "
            f"(known: {', '.join(s.id for s in specs) or 'none'})"
        )
    return chosen


def validate(specs: list[ReportSpec]) -> None:
    """Check every report's parameters against its notebook (raises ParameterError)."""
    cache: dict = {}
    for spec in specs:
        validate_parameters(spec, cache=cache)


def _reports_dir(reports_dir) -> Path:
    return Path(reports_dir).resolve() if reports_dir is not None else config.reports_dir()


def _root(spec: ReportSpec) -> Path:
    return spec.config_file.parent if spec.config_file else config.project_root()


def _expand_inputs(spec: ReportSpec) -> list[Path]:
    found: list[Path] = []
    for pattern in spec.inputs:
        if glob.has_magic(pattern):
            found.extend(Path(p) for p in sorted(glob.glob(pattern, recursive=True)))
        else:
            found.append(Path(pattern))
    return found


def status(spec: ReportSpec, *, reports_dir: str | Path | None = None) -> str:
    """``"up to date"`` or why the report needs building (``"not built"``, ``"x.csv changed"``)."""
    manifest_path = _reports_dir(reports_dir) / spec.id / "manifest.json"
    manifest = read_manifest(manifest_path)
    if manifest is None:
        failed = _reports_dir(reports_dir) / "_failed" / spec.id / "manifest.json"
        return "last build failed" if failed.exists() else "not built"
    if manifest.get("status") != "success":
        return "last build did not finish"
    if manifest.get("config_sha256") != spec.entry_sha256(_root(spec)):
        return "its reports.yml entry changed"
    built = manifest_path.stat().st_mtime
    deps = [spec.notebook, *source_files(), *_expand_inputs(spec)]
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
    from rhoresearch.provenance import file_sha256

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


def _defaults(notebook: Path) -> dict:
    """The notebook's ``parameters`` cell as ``{name: default as written}``."""
    import papermill

    try:
        declared = papermill.inspect_notebook(str(notebook))
    except Exception:  # a notebook papermill cannot inspect still builds; no defaults shown
        return {}
    return {name: str(info.get("default")) for name, info in declared.items()}


def _base_manifest(spec: ReportSpec, started: str) -> dict:
    return {
        "parameter_defaults": _defaults(spec.notebook),
        "report_id": spec.id,
        "title": spec.title,
        "notebook": config.relative_to_root(spec.notebook),
        "notebook_sha256": _sha(spec.notebook),
        "parameters": spec.parameters,
        "config_sha256": spec.entry_sha256(_root(spec)),
        "timeout_s": spec.timeout,
        "kernel": KERNEL_NAME,
        "code": code_info(),
        "environment": environment_info(),
        "started_at": started,
    }


def _sha(path: Path) -> str:
    from rhoresearch.provenance import file_sha256

    return file_sha256(path)


def _execute(spec: ReportSpec, run_dir: Path, *, kernel_name: str):
    """Run the notebook into ``run_dir/report.ipynb``; return the executed notebook."""
    import papermill

    from rhoresearch.provenance import RUN_DIR_ENV

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
            kernel_manager_class=_kernel_manager_class(),
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
    import nbformat

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
    from rhoresearch.build.html import report_html

    reports = _reports_dir(reports_dir)
    reports.mkdir(parents=True, exist_ok=True)
    final = (Path(run_root) if run_root else reports) / spec.id
    lock = reports / ".locks" / f"{spec.id}.lock"
    with file_lock(lock) if run_root is None else _null():
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
            from papermill.exceptions import PapermillExecutionError

            failed_dir = reports / ("_failed" if run_root is None else ".verify-failed") / spec.id
            error = _failure(spec, exc, run_dir, reports, manifest, failed_dir)
            if update_index and run_root is None:
                write_index(reports)
            if isinstance(exc, PapermillExecutionError | TimeoutError):
                raise error from None
            raise error from exc
        from rhoresearch.provenance import recorded_inputs

        inputs = recorded_inputs(run_dir)
        (run_dir / "_inputs.jsonl").unlink(missing_ok=True)
        cells = _cells(nb)
        manifest.update(
            inputs=inputs,
            outputs=_outputs(run_dir),
            demo_data=_is_demo(inputs, spec.parameters),
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
            _write_deps(reports, spec.id, inputs)
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


def _write_deps(reports: Path, report_id: str, inputs: list[dict]) -> None:
    """Write ``reports/.deps/<id>.mk``: the inputs read at this build, as make dependencies."""
    base = config.project_root()
    folder = reports / ".deps"
    folder.mkdir(parents=True, exist_ok=True)
    target = f"{_mk(reports, base)}/{report_id}/manifest.json"
    paths = [_mk(config.resolve_path(i["path"]), base) for i in inputs]
    lines = ["# inputs read by the last build of this report (generated)"]
    if paths:
        lines.append(f"{target}: {' '.join(paths)}")
        lines.extend(f"{p}:" for p in paths)
    tmp = folder / f".{report_id}.mk.{os.getpid()}.tmp"
    tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    os.replace(tmp, folder / f"{report_id}.mk")


class _null:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def _worker_init(level: int) -> None:
    config.setup_logging(level)


def _worker(spec: ReportSpec, reports_dir: str, force: bool) -> tuple[str, str, str]:
    try:
        manifest = build_report(spec, reports_dir=reports_dir, force=force, update_index=False)
    except BuildError as exc:
        return spec.id, "failed", str(exc)
    return spec.id, "up to date" if manifest is None else "built", ""


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
        Reports built at once (separate processes when more than 1).
    keep_going : bool
        Build the other reports after one fails (like ``make -k``).

    Returns
    -------
    dict
        ``{report id: "built" | "up to date" | "failed"}``.

    Raises
    ------
    ParameterError, ConfigError
        Before anything runs.
    BuildError
        After the others were built, when any report failed (the message lists them).
    """
    specs = load(config_path)
    chosen = select(specs, ids)
    validate(chosen)
    if jobs > 1:
        from rhoresearch.build import html as _build_html

        _build_html._get_exporter()  # compile the HTML template once, before the workers fork
    reports = _reports_dir(reports_dir)
    reports.mkdir(parents=True, exist_ok=True)
    write_config_stamps(specs, reports_dir=reports)
    results: dict[str, str] = {}
    errors: list[str] = []
    if jobs > 1 and len(chosen) > 1:
        import concurrent.futures as cf
        import multiprocessing

        # fork reuses the imports already made here (papermill, nbconvert); no kernel or thread
        # has been started in this process yet, so forking is safe
        methods = multiprocessing.get_all_start_methods()
        ctx = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
        level = logging.getLogger("rhoresearch").getEffectiveLevel()
        with cf.ProcessPoolExecutor(
            max_workers=jobs, mp_context=ctx, initializer=_worker_init, initargs=(level,)
        ) as pool:
            futures = [pool.submit(_worker, s, str(reports), force) for s in chosen]
            for future in cf.as_completed(futures):
                report_id, state, message = future.result()
                results[report_id] = state
                if message:
                    logger.error("%s", message)
                    errors.append(message)
                write_index(reports, order=[s.id for s in specs])
    else:
        for spec in chosen:
            try:
                manifest = build_report(spec, reports_dir=reports, force=force, update_index=False)
                results[spec.id] = "up to date" if manifest is None else "built"
            except BuildError as exc:
                results[spec.id] = "failed"
                logger.error("%s", exc)
                errors.append(str(exc))
                if not keep_going:
                    break
            finally:
                if results.get(spec.id) != "up to date":
                    write_index(reports, order=[s.id for s in specs])
    if not (reports / "index.html").exists():
        write_index(reports, order=[s.id for s in specs])
    if errors:
        n = len(errors)
        raise BuildError(
            f"{n} report{'s' if n > 1 else ''} failed: "
            + ", ".join(k for k, v in results.items() if v == "failed")
        )
    return results


def write_config_stamps(specs: list[ReportSpec], *, reports_dir: str | Path | None = None) -> None:
    """Write ``reports/.config/<id>.json`` for each report, touching only those that changed.

    ``make`` uses these files as the per-report "configuration entry" dependency, so editing one
    entry of ``reports.yml`` rebuilds only that report.
    """
    import json

    folder = _reports_dir(reports_dir) / ".config"
    folder.mkdir(parents=True, exist_ok=True)
    for spec in specs:
        text = json.dumps(spec.entry(_root(spec)), indent=2, sort_keys=True) + "\n"
        path = folder / f"{spec.id}.json"
        try:
            if path.read_text(encoding="utf-8") == text:
                continue
        except FileNotFoundError:
            pass
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)


def _mk(path: str | Path, base: Path) -> str:
    """A path as make should see it: relative to ``base`` when inside, spaces escaped."""
    p = Path(path)
    try:
        text = p.resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        text = p.as_posix()
    return text.replace(" ", "\\ ").replace("$", "$$").replace("#", "\\#")


def write_makefile(
    output: str | Path | None = None,
    *,
    config_path: str | Path | None = None,
    reports_dir: str | Path | None = None,
    python: str = "$(PY)",
    base: str | Path | None = None,
) -> Path:
    """Validate the configuration and write the make fragment that builds each report.

    The fragment (default ``reports/.build.mk``; not committed) defines ``REPORT_IDS``,
    ``REPORT_MANIFESTS`` and one file target per report, ``reports/<id>/manifest.json``, which
    depends on its notebook, ``reports/.config/<id>.json`` (changes only when that report's entry
    does), the package sources, its declared inputs and the inputs recorded at its last build
    (read from the manifest when the fragment is generated). The fragment itself depends on
    ``reports.yml`` and the notebooks, so make regenerates it (and revalidates the parameters)
    when they change.
    """
    base_dir = Path(base) if base else config.project_root()
    cfg = Path(config_path or config.build_config_path())
    specs = load(cfg)
    validate(specs)
    reports = _reports_dir(reports_dir)
    write_config_stamps(specs, reports_dir=reports)
    out = Path(output) if output else reports / ".build.mk"
    out.parent.mkdir(parents=True, exist_ok=True)
    r = _mk(reports, base_dir)
    lines = [
        "# Generated by `python -m rhoresearch makefile` from "
        f"{_mk(cfg, base_dir)}: do not edit, do not commit.",
        f"RHO_REPORTS_DIR := {r}",
        "RHO_SOURCES := $(shell find src/rhoresearch -name '*.py' -not -path '*/__pycache__/*')",
        "REPORT_IDS := " + " ".join(s.id for s in specs),
        "REPORT_MANIFESTS := " + " ".join(f"{r}/{s.id}/manifest.json" for s in specs),
        "",
        f"{_mk(out, base_dir)}: {_mk(cfg, base_dir)} "
        + " ".join(sorted({_mk(s.notebook, base_dir) for s in specs})),
        "",
    ]
    cfg_arg = _mk(cfg, base_dir)
    for s in specs:
        target = f"{r}/{s.id}/manifest.json"
        deps = [_mk(s.notebook, base_dir), f"{r}/.config/{s.id}.json", "$(RHO_SOURCES)"]
        declared = [_mk(p, base_dir) for p in s.inputs]
        lines.append(f"{target}: {' '.join(deps)} $(wildcard {' '.join(declared)})".rstrip())
        lines.append(
            f"\t{python} -m rhoresearch build --force --config {cfg_arg} --reports-dir {r} {s.id}"
        )
        lines.append("")
    lines.append(f"-include $(wildcard {r}/.deps/*.mk)")
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    os.replace(tmp, out)
    logger.info("make fragment written: %s (%d reports)", config.relative_to_root(out), len(specs))
    return out


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
    reports = _reports_dir(reports_dir)
    verdicts = []
    for spec in specs:
        verdict = verify_report(spec, reports_dir=reports, rtol=rtol)
        logger.debug("%s", verdict.line())
        verdicts.append(verdict)
    return verdicts


def index(*, config_path: str | Path | None = None, reports_dir: str | Path | None = None) -> Path:
    """Rebuild ``reports/index.html`` from the manifests on disk (ordered as in the config)."""
    try:
        order = [s.id for s in load(config_path)]
    except ConfigError:
        order = []
    return write_index(_reports_dir(reports_dir), order=order)
