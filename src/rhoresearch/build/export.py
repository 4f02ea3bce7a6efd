"""Export a run whose notebook has run: the spreadsheet, the page, and last the manifest.

Called by :func:`rhoresearch.build.run.build_report` in the run folder, before the folder is swapped
in. This module imports the page (nbconvert's markdown renderer) and the spreadsheet writer
(gptables, pandas): about 0.5 s of CPU that a batch build spends while its first notebooks run,
not before (:mod:`rhoresearch.build.batch`).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from rhoresearch import config
from rhoresearch.build.html import report_html
from rhoresearch.build.manifest import now_utc, write_json
from rhoresearch.build.spec import ReportSpec
from rhoresearch.build.spreadsheet import write_spreadsheet
from rhoresearch.provenance import file_sha256, recorded_inputs

__all__ = ["RUN_FILES", "export_run"]

#: Files of a run folder that are not outputs (not listed in the manifest's ``outputs``).
RUN_FILES = {"manifest.json", "report.html", "report.ipynb", "_inputs.jsonl", "kernel.log"}


def _outputs(folder: Path) -> list[dict]:
    out = []
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if path.is_file() and rel not in RUN_FILES and not path.name.startswith("."):
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


def export_run(spec: ReportSpec, nb, run_dir: Path, manifest: dict, t0: float) -> dict:
    """Write the spreadsheet, the page and, last, the manifest of an executed run.

    Parameters
    ----------
    spec : ReportSpec
        The report.
    nb : nbformat.NotebookNode
        The executed notebook (papermill's, with each cell's timings).
    run_dir : pathlib.Path
        The run folder, holding the results, figures and ``_inputs.jsonl`` the notebook wrote.
    manifest : dict
        The manifest as started by the build (not modified).
    t0 : float
        ``time.perf_counter()`` when the build of this report started (for ``duration_s``).

    Returns
    -------
    dict
        The manifest written to ``run_dir/manifest.json``: ``manifest`` with the inputs read, the
        outputs, the cells, ``cell_time_s``, ``status: "success"`` and the finishing times.
    """
    inputs = recorded_inputs(run_dir)
    (run_dir / "_inputs.jsonl").unlink(missing_ok=True)
    demo = _is_demo(inputs, spec.parameters)
    write_spreadsheet(run_dir, title=spec.title, demo=demo)
    cells = _cells(nb)
    manifest = dict(
        manifest,
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
    return manifest
