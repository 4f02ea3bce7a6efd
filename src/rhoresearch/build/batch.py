"""Build and verify many reports: the build configuration, parallel workers, the index.

:func:`build` validates every selected report's parameters before anything runs, builds those that
are out of date (in separate processes with ``jobs > 1``), and rebuilds ``reports/index.html``;
:func:`verify` reruns built reports and compares them (:mod:`rhoresearch.build.verify`).
"""

from __future__ import annotations

import concurrent.futures as cf
import functools
import logging
import multiprocessing
from pathlib import Path

from rhoresearch import config
from rhoresearch.build import _fastimport  # noqa: F401  (first: before nbformat)
from rhoresearch.build import html as build_html
from rhoresearch.build.makefile import write_config_stamps
from rhoresearch.build.manifest import code_info, environment_info, write_index
from rhoresearch.build.run import build_report
from rhoresearch.build.spec import ReportSpec, load, resolve_reports_dir, select, validate
from rhoresearch.build.verify import RTOL, Verdict, verify_report
from rhoresearch.exceptions import BuildError, ConfigError

__all__ = ["build", "verify", "index"]

logger = logging.getLogger(__name__)


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
        build_html._get_exporter()  # compile the HTML template once, before the workers fork
        # hash the package sources, ask git and read the package versions once per build: the
        # workers inherit the results (both are cached per process)
        code_info()
        environment_info()
    reports = resolve_reports_dir(reports_dir)
    reports.mkdir(parents=True, exist_ok=True)
    write_config_stamps(specs, reports_dir=reports)
    results: dict[str, str] = {}
    errors: list[str] = []
    if jobs > 1 and len(chosen) > 1:
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
