"""Print built reports to PDF through headless Chromium (``make pdf``).

Each ``reports/<id>/report.html`` is printed to ``reports/<id>/report.pdf`` with the page's print
stylesheet (:mod:`rhoresearch.build.page`: no contents list, tables unboxed, link targets of the
downloads printed). Chromium runs offline: no sandbox, GPU, first-run, background networking,
component updates or sync, and a fresh profile in a temporary folder.

Run ``python -m rhoresearch.build.pdf [--reports-dir DIR] [ID ...]`` (every built report by
default); ``$RHORESEARCH_CHROMIUM`` names another Chromium binary.
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from rhoresearch import config
from rhoresearch.exceptions import BuildError

__all__ = ["CHROMIUM_FLAGS", "chromium", "print_pdf", "print_reports", "main"]

logger = logging.getLogger(__name__)

#: Flags that keep headless Chromium offline and quiet.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def chromium() -> str:
    """The Chromium binary: ``$RHORESEARCH_CHROMIUM``, ``/usr/bin/chromium``, or on ``PATH``.

    Returns
    -------
    str
        Its path.

    Raises
    ------
    rhoresearch.exceptions.BuildError
        No Chromium was found.
    """
    for candidate in (os.environ.get("RHORESEARCH_CHROMIUM"), "/usr/bin/chromium"):
        if candidate and Path(candidate).exists():
            return candidate
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        raise BuildError(
            "make pdf needs Chromium: install Debian's chromium package (as .ci/run does) or set "
            "RHORESEARCH_CHROMIUM to its path"
        )
    return found


def print_pdf(html_path: str | Path, pdf_path: str | Path, *, timeout: float = 120) -> Path:
    """Print one HTML page to PDF with headless Chromium.

    Parameters
    ----------
    html_path : path
        The page (opened as a ``file://`` URL, so its relative links and images resolve).
    pdf_path : path
        The PDF to write (replaced atomically).
    timeout : float
        Seconds before Chromium is stopped.

    Returns
    -------
    pathlib.Path
        ``pdf_path``.

    Raises
    ------
    rhoresearch.exceptions.BuildError
        Chromium failed or wrote no PDF; the message holds its last output lines.
    """
    source = Path(html_path).resolve()
    out = Path(pdf_path).resolve()
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp.pdf")
    with tempfile.TemporaryDirectory(prefix="rho-chromium-") as profile:
        command = [
            chromium(),
            *CHROMIUM_FLAGS,
            f"--user-data-dir={profile}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={tmp}",
            source.as_uri(),
        ]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            raise BuildError(f"print_pdf: Chromium took over {timeout} s on {source}") from exc
    if done.returncode != 0 or not tmp.exists() or tmp.stat().st_size == 0:
        tmp.unlink(missing_ok=True)
        tail = "\n".join((done.stderr or "").splitlines()[-5:])
        raise BuildError(f"print_pdf: Chromium could not print {source}:\n{tail}")
    os.replace(tmp, out)
    logger.info("pdf written: %s", out)
    return out


def print_reports(
    ids: list[str] | None = None, *, reports_dir: str | Path | None = None
) -> list[Path]:
    """Print built reports to ``reports/<id>/report.pdf``.

    Parameters
    ----------
    ids : list of str, optional
        Report ids; default every folder of ``reports_dir`` holding a ``report.html``.
    reports_dir : path, optional
        Default :func:`rhoresearch.config.reports_dir`.

    Returns
    -------
    list of pathlib.Path
        The PDFs written.

    Raises
    ------
    rhoresearch.exceptions.BuildError
        A report is not built, or Chromium failed.
    """
    folder = Path(reports_dir).resolve() if reports_dir else config.reports_dir()
    pages = (
        [folder / i / "report.html" for i in ids]
        if ids
        else sorted(p for p in folder.glob("*/report.html") if not p.parent.name.startswith("."))
    )
    missing = [str(p) for p in pages if not p.exists()]
    if missing:
        raise BuildError(f"print_reports: not built: {', '.join(missing)}")
    return [print_pdf(p, p.with_suffix(".pdf")) for p in pages]


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m rhoresearch.build.pdf [--reports-dir DIR] [ID ...]``."""
    parser = argparse.ArgumentParser(description="Print built reports to PDF (headless Chromium)")
    parser.add_argument("ids", nargs="*", help="report ids (default: every built report)")
    parser.add_argument("--reports-dir", help="reports folder (default: reports/)")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    written = print_reports(args.ids or None, reports_dir=args.reports_dir)
    logger.info("%d PDF(s) written", len(written))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
