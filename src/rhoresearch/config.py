"""Project paths and logging set-up.

Paths are derived from the location of this package (``src/rhoresearch/`` inside the project), never
from the current working directory, so that ``make``, JupyterLab, papermill kernels and tests agree on
where things are wherever they are started from. ``RHORESEARCH_ROOT`` overrides the project root (used
by tests that build into a scratch copy).

Library modules only create their logger (``logging.getLogger(__name__)``); logging is configured by
entry points (the command line, the build) through :func:`setup_logging`.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

__all__ = [
    "PACKAGE_DIR",
    "project_root",
    "data_dir",
    "reference_dir",
    "demo_dir",
    "raw_dir",
    "reports_dir",
    "notebooks_dir",
    "build_config_path",
    "resolve_path",
    "relative_to_root",
    "setup_logging",
]

PACKAGE_DIR = Path(__file__).resolve().parent


def project_root() -> Path:
    """Return the project root: ``$RHORESEARCH_ROOT`` if set, else two levels above the package."""
    env = os.environ.get("RHORESEARCH_ROOT")
    if env:
        return Path(env).resolve()
    return PACKAGE_DIR.parent.parent


def data_dir() -> Path:
    """``<root>/data``."""
    return project_root() / "data"


def reference_dir() -> Path:
    """``<root>/data/reference``: committed published reference tables."""
    return data_dir() / "reference"


def demo_dir() -> Path:
    """``<root>/data/demo``: generated demonstration data (not committed)."""
    return data_dir() / "demo"


def raw_dir() -> Path:
    """``<root>/data/raw``: users' own extracts (not committed, never modified)."""
    return data_dir() / "raw"


def reports_dir() -> Path:
    """``<root>/reports`` unless ``$RHORESEARCH_REPORTS_DIR`` is set."""
    env = os.environ.get("RHORESEARCH_REPORTS_DIR")
    return Path(env).resolve() if env else project_root() / "reports"


def notebooks_dir() -> Path:
    """``<root>/notebooks``: one notebook per workstream."""
    return project_root() / "notebooks"


def build_config_path() -> Path:
    """``<root>/reports.yml``: the list of reports to build."""
    return project_root() / "reports.yml"


def resolve_path(path: str | os.PathLike) -> Path:
    """Resolve ``path`` against the project root when it is relative.

    Notebook parameters hold paths relative to the project root (``"data/demo/..."``) so that the
    same value works from JupyterLab, papermill and the tests.
    """
    p = Path(path).expanduser()
    return p if p.is_absolute() else (project_root() / p)


def relative_to_root(path: str | os.PathLike) -> str:
    """Return ``path`` relative to the project root as a POSIX string when it lies inside it."""
    p = Path(path).resolve()
    try:
        return p.relative_to(project_root()).as_posix()
    except ValueError:
        return p.as_posix()


def setup_logging(
    level: int | str = logging.INFO, *, log_file: str | os.PathLike | None = None
) -> None:
    """Configure the ``rhoresearch`` logger for an entry point (command line, build).

    Plain ``time level name: message`` lines go to standard error and, if given, to ``log_file``.
    Calling it again replaces the handlers it installed before.
    """
    logger = logging.getLogger("rhoresearch")
    for handler in list(logger.handlers):
        if getattr(handler, "_rhoresearch", False):
            logger.removeHandler(handler)
    fmt = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s", "%H:%M:%S")
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if log_file is not None:
        Path(log_file).parent.mkdir(parents=True, exist_ok=True)
        handlers.append(logging.FileHandler(log_file, encoding="utf-8"))
    for handler in handlers:
        handler.setFormatter(fmt)
        handler._rhoresearch = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
    logger.setLevel(level)
    logger.propagate = False
