"""What every demonstration-data generator does the same way (private): its output folder, its
CSV and truth files, and the description of its parameters.

Each generator exposes ``generate(out_dir, *, seed) -> dict`` (:mod:`rhoresearch.demo`); the
parameters every one takes and what it returns are described once, in :data:`GENERATOR_PARAMS`,
and put into each docstring by :data:`generator_docs` (fields ``{parameters}`` and
``{returns}``); the docstring says what the files and the truth hold.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from rhoresearch.docstrings import fill_docs

__all__ = ["GENERATOR_PARAMS", "generator_docs", "output_folder", "write_csv", "write_truth"]

#: The parameters every generator's ``generate`` takes and what it returns, described once
#: (``{parameters}`` opens its Parameters section; a generator's own parameters follow it).
GENERATOR_PARAMS: dict[str, str] = {
    "parameters": """
        Parameters
        ----------
        out_dir : pathlib.Path
            Folder to write into (``data/demo/<name>/`` when run by
            :func:`rhoresearch.demo.generate_all`); created if missing.
        seed : int
            Seed of the random numbers; the same arguments give the same bytes.
    """,
    "returns": """
        Returns
        -------
        dict
            The planted values, as written to ``truth.json`` (what they are: above).
    """,
}

#: Decorator putting :data:`GENERATOR_PARAMS` into a generator's docstring.
generator_docs = fill_docs(**GENERATOR_PARAMS)


def output_folder(out_dir: Path | str) -> Path:
    """``out_dir`` as a path, created (with its parents) if missing."""
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """Write a generated table as CSV: no index, ``\\n`` line ends on every platform."""
    frame.to_csv(path, index=False, lineterminator="\n")


def write_truth(out_dir: Path, truth: dict, *, sort_keys: bool = False) -> None:
    """Write the planted values to ``out_dir / "truth.json"`` (indented JSON, UTF-8)."""
    text = json.dumps(truth, indent=2, sort_keys=sort_keys) + "\n"
    (out_dir / "truth.json").write_text(text, encoding="utf-8")
