"""Demonstration data: one seeded generator per workstream, run together by ``make data``.

Each workstream's generator is a module of this package (``rhoresearch.demo.<workstream>``) and exposes::

    generate(out_dir: pathlib.Path, *, seed: int) -> dict

which writes that workstream's files into ``out_dir`` (``data/demo/<name>/``), writes the planted
effects to ``out_dir / "truth.json"`` and returns the same truth dictionary. The same seed gives the
same bytes. :data:`GENERATORS` maps each demo data folder to its generator module: a new workstream
adds one line there.
"""

from __future__ import annotations

import ast
import hashlib
import importlib
import json
import logging
from collections.abc import Callable
from pathlib import Path

from rhoresearch import config
from rhoresearch.provenance import file_sha256

__all__ = ["DEFAULT_SEED", "GENERATORS", "generators", "generate_all", "source_files"]

logger = logging.getLogger(__name__)

DEFAULT_SEED = 20240601


#: The demo data folder (``data/demo/<name>/``) of each workstream and its generator module
#: (``rhoresearch.demo.<module>``).
GENERATORS: dict[str, str] = {
    "data_quality": "data_quality",
    "maternity": "maternity",
    "mental_health": "mental_health",
    "survey": "community_trust",
    "technology": "technology",
    "workforce": "workforce",
}


def generators() -> dict[str, Callable[..., dict]]:
    """Return ``{folder name: generate function}`` for every entry of :data:`GENERATORS`, sorted."""
    found = {}
    for name, module_name in GENERATORS.items():
        module = importlib.import_module(f"rhoresearch.demo.{module_name}")
        found[name] = module.generate
    return dict(sorted(found.items()))


def generate_all(
    out_dir: Path | None = None, *, seed: int = DEFAULT_SEED, only: list[str] | None = None
) -> dict:
    """Run every demonstration-data generator and write ``data/demo/MANIFEST.json``.

    Parameters
    ----------
    out_dir : path, optional
        Where to write (default ``data/demo``); each workstream gets a sub-folder.
    seed : int
        The seed; each generator derives its own stream from it and its name.
    only : list of str, optional
        Names of the generators to run (default all).

    Returns
    -------
    dict
        ``{name: truth}`` for every generator run.
    """
    out_dir = Path(out_dir) if out_dir is not None else config.demo_dir()
    out_dir.mkdir(parents=True, exist_ok=True)
    truths = {}
    for name, generate in generators().items():
        if only and name not in only:
            continue
        target = out_dir / name
        target.mkdir(parents=True, exist_ok=True)
        sub_seed = int.from_bytes(hashlib.sha256(f"{seed}:{name}".encode()).digest()[:4], "big")
        logger.info("demo data: generating %s into %s (seed %d)", name, target, sub_seed)
        truths[name] = generate(target, seed=sub_seed)
    files = sorted(
        p
        for p in out_dir.rglob("*")
        if p.is_file() and p.name not in {"MANIFEST.json", ".generated", "README.md"}
    )
    manifest = {
        "seed": seed,
        "generators": sorted(truths),
        "files": [
            {
                "path": p.relative_to(out_dir).as_posix(),
                "bytes": p.stat().st_size,
                "sha256": file_sha256(p),
            }
            for p in files
        ],
    }
    (out_dir / "MANIFEST.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    logger.info("demo data: %d files written under %s", len(files), out_dir)
    return truths


def source_files() -> list[Path]:
    """The package's Python files the generators run: each generator module and every module of
    ``rhoresearch`` it imports, directly or not (read from the ``import`` statements), sorted.

    ``make data`` regenerates the demonstration data when any of them changes (the list is written
    to ``data/demo/.sources.mk`` at each generation, so a module newly imported counts from then on).
    """
    package = config.PACKAGE_DIR.resolve()

    def files_of(module: str) -> list[Path]:
        """The files that importing ``module`` executes: its package ``__init__``s and itself."""
        parts = module.split(".")[1:]
        out = [package / "__init__.py"]
        for i in range(1, len(parts) + 1):
            base = package.joinpath(*parts[:i])
            out.append(base / "__init__.py" if base.is_dir() else base.with_suffix(".py"))
        return [f for f in out if f.is_file()]

    todo = [f"{__name__}.{m}" for m in GENERATORS.values()]
    seen: set[Path] = set()
    while todo:
        for path in files_of(todo.pop()):
            if path in seen:
                continue
            seen.add(path)
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                    names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
                elif isinstance(node, ast.Import):
                    names = [a.name for a in node.names]
                else:
                    continue
                todo.extend(n for n in names if n.split(".")[0] == "rhoresearch")
    return sorted(seen)
