"""The scan of written outputs: every CSV under a folder checked cell by cell, and the sidecar files
that declare a CSV's count columns.

Sidecar format
--------------
``results/<name>.meta.json`` is a JSON object::

    {"format": "rhoresearch.disclosure/1", "counts": ["count"], "threshold": 5,
     "by": null, "margins": [], "row_total": null, "derived": null, "suppress_zero": false}

Only ``format`` and ``counts`` are required. Write it with :func:`write_sidecar`, read it with
:func:`read_sidecar`.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from rhoresearch.disclosure._cells import OTHER_SYMBOLS, Derived
from rhoresearch.disclosure._columns import is_count_column
from rhoresearch.disclosure.audit import DEFAULT_PROTECTION_WIDTH
from rhoresearch.disclosure.checks import _unsafe_cells
from rhoresearch.disclosure.flags import SUPPRESSED
from rhoresearch.disclosure.policies import Policy, policy_from_dict
from rhoresearch.exceptions import InputError
from rhoresearch.validation import DEFAULT_THRESHOLD, as_columns, check_threshold

__all__ = ["SIDECAR_FORMAT", "sidecar_path", "write_sidecar", "read_sidecar", "scan"]

logger = logging.getLogger(__name__)

#: The ``format`` key of a sidecar file.
SIDECAR_FORMAT = "rhoresearch.disclosure/1"

_SCAN_COLUMNS = ["file", "row", "column", "value", "reason"]


def sidecar_path(path: str | os.PathLike[str]) -> Path:
    """The sidecar path of a CSV: ``results/<name>.csv`` -> ``results/<name>.meta.json``.

    Parameters
    ----------
    path : path-like
        A CSV path (any suffix is replaced), or a path already ending ``.meta.json`` (returned as
        is).

    Returns
    -------
    pathlib.Path
        The sidecar's path (whether or not it exists).
    """
    p = Path(path)
    if p.name.endswith(".meta.json"):
        return p
    return p.with_name(
        p.name[: -len(p.suffix)] + ".meta.json" if p.suffix else p.name + ".meta.json"
    )


def write_sidecar(
    path: str | os.PathLike[str],
    *,
    counts: str | Sequence[str] | None,
    threshold: int = DEFAULT_THRESHOLD,
    by: str | Sequence[str] | None = None,
    margins: Iterable[str | Sequence[str] | None] | None = None,
    row_total: str | bool | None = None,
    derived: Derived = None,
    suppress_zero: bool = False,
    total_label: str | None = "Total",
    protection_width: int = DEFAULT_PROTECTION_WIDTH,
    policy: Policy | None = None,
) -> Path:
    """Write the disclosure sidecar of a result CSV, so :func:`scan` knows its count columns.

    Parameters
    ----------
    path : path-like
        The CSV (``results/<name>.csv``) or the sidecar itself (``results/<name>.meta.json``).
    counts : str or list of str
        The count columns of the CSV (may be empty or None for a table with no counts).
    threshold : int, default 5
        The threshold the table was suppressed at.
    by, margins, row_total, derived, suppress_zero, total_label, protection_width
        As given to :func:`rhoresearch.disclosure.suppress` (so :func:`scan` can repeat the
        secondary check and the interval audit).
    policy : Policy, optional
        The disclosure policy the table was made under (:func:`rhoresearch.disclosure.policy`).

    Returns
    -------
    pathlib.Path
        The sidecar written: a JSON object with keys ``format`` (``"rhoresearch.disclosure/1"``),
        ``counts``, ``threshold``, ``by``, ``margins``, ``row_total``, ``derived``,
        ``suppress_zero``, and, only when they are not the defaults, ``total_label``,
        ``protection_width`` and ``policy`` (the policy's fields); keys sorted, two-space indent,
        newline-terminated (stable bytes for the manifest's hashes).
    """
    func = "write_sidecar"
    target = sidecar_path(path)
    if isinstance(margins, str):
        margins_l: list[list[str] | None] = [[margins]]
    else:
        margins_l = [
            None if m is None else as_columns(m, func=func, name="margins") for m in margins or []
        ]
    derived_doc: dict[str, list[str]] | list[str] | None
    if isinstance(derived, Mapping):
        derived_doc = {k: as_columns(v, func=func, name="derived") for k, v in derived.items()}
    else:
        derived_doc = None if derived is None else as_columns(derived, func=func, name="derived")
    doc = {
        "format": SIDECAR_FORMAT,
        "counts": as_columns(counts, func=func, name="counts"),
        "threshold": check_threshold(threshold, func=func),
        "by": None if by is None else as_columns(by, func=func, name="by"),
        "margins": margins_l,
        "row_total": row_total,
        "derived": derived_doc,
        "suppress_zero": bool(suppress_zero),
    }
    if total_label != "Total":
        doc["total_label"] = total_label
    if protection_width != DEFAULT_PROTECTION_WIDTH:
        doc["protection_width"] = protection_width
    if policy is not None and policy != Policy(threshold=check_threshold(threshold, func=func)):
        doc["policy"] = policy.as_dict()
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(doc, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return target


def read_sidecar(path: str | os.PathLike[str]) -> dict[str, Any] | None:
    """Read the disclosure sidecar of a CSV (or the sidecar path itself).

    Parameters
    ----------
    path : path-like
        The CSV or its ``.meta.json``.

    Returns
    -------
    dict or None
        The sidecar's keys (see :func:`write_sidecar`), with defaults filled in for missing
        optional keys; ``None`` when there is no sidecar.

    Raises
    ------
    InputError
        The sidecar is not valid JSON, has another ``format``, or has no ``counts`` list.
    """
    target = sidecar_path(path)
    if not target.exists():
        return None
    try:
        doc = json.loads(target.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{target}: disclosure sidecar is not valid JSON ({exc})") from exc
    if not isinstance(doc, dict) or doc.get("format") != SIDECAR_FORMAT:
        raise InputError(
            f"{target}: disclosure sidecar must be a JSON object with format {SIDECAR_FORMAT!r}; "
            f"got format {doc.get('format') if isinstance(doc, dict) else type(doc).__name__!r}"
        )
    counts = doc.get("counts")
    if not isinstance(counts, list) or not all(isinstance(c, str) for c in counts):
        raise InputError(f"{target}: 'counts' must be a list of column names; got {counts!r}")
    return {
        "format": SIDECAR_FORMAT,
        "counts": counts,
        "threshold": doc.get("threshold", DEFAULT_THRESHOLD),
        "by": doc.get("by"),
        "margins": doc.get("margins") or [],
        "row_total": doc.get("row_total"),
        "derived": doc.get("derived"),
        "suppress_zero": bool(doc.get("suppress_zero", False)),
        "total_label": doc.get("total_label", "Total"),
        "protection_width": doc.get("protection_width", DEFAULT_PROTECTION_WIDTH),
        "policy": None if doc.get("policy") is None else policy_from_dict(doc["policy"]),
    }


def scan(
    folder: str | os.PathLike[str],
    *,
    threshold: int = DEFAULT_THRESHOLD,
    pattern: str = "**/*.csv",
    include_denominators: bool = False,
    suppress_zero: bool = False,
    use_sidecars: bool = True,
    policy: Policy | None = None,
) -> pd.DataFrame:
    """List every unsafe cell in the CSV files under a folder (e.g. ``reports/``).

    Parameters
    ----------
    folder : path-like
        The folder to scan (recursively).
    threshold : int, default 5
        The policy threshold. A file whose sidecar declares a higher threshold is checked at that
        higher one (the stricter of the two).
    pattern : str, default ``"**/*.csv"``
        Glob (relative to ``folder``) of the files to scan.
    include_denominators : bool, default False
        Treat ``denominator``/``population`` columns as counts when the naming convention is used.
    suppress_zero : bool, default False
        Zeros are unsafe too (a sidecar's ``suppress_zero: true`` also makes them unsafe).
    use_sidecars : bool, default True
        Read ``<name>.meta.json`` beside ``<name>.csv`` for its count columns and groupings;
        otherwise (or when there is none) the naming convention of
        :func:`rhoresearch.disclosure.is_count_column` decides.
    policy : Policy, optional
        The report's disclosure policy, for files whose sidecar records none (a sidecar's policy
        is the one its table was saved under, and is used for that file). Its symbol (``*``)
        marks suppressed cells, its threshold and rounding are checked.

    Returns
    -------
    pandas.DataFrame
        One row per unsafe cell, in file then row order. Columns: ``file`` (object, path relative
        to ``folder``, ``/``-separated), ``row`` (Int64, 0-based data row; the CSV line is
        ``row + 2``; missing for a file-level problem), ``column`` (object, or missing), ``value``
        (object, as written in the file), ``reason`` (object). Empty (with these columns) when
        everything is safe. The number of files read is logged (INFO).

    Raises
    ------
    InputError
        ``folder`` is not a folder.

    Notes
    -----
    Values are read as text, so what is checked is exactly what was written (``[c]`` cells, as
    :func:`rhoresearch.disclosure.render` writes them). A file that cannot be parsed, or a count
    cell that is not a number, is reported (reason says which) rather than skipped. A CSV with no
    count column is safe by this scan; the sidecar is the way to declare counts whose names do not
    follow the convention.

    References
    ----------
    Hundepool A, Domingo-Ferrer J, Franconi L, Giessing S, Schulte Nordholt E, Spicer K, de Wolf
    P-P (2012). *Statistical Disclosure Control*. Wiley. Chapters 4 and 5.
    """
    root = Path(folder)
    if not root.is_dir():
        raise InputError(f"scan: {root} is not a folder")
    threshold = check_threshold(threshold, func="scan")
    rows: list[dict[str, Any]] = []
    files = sorted(p for p in root.glob(pattern) if p.is_file())
    for path in files:
        rel = path.relative_to(root).as_posix()
        rows.extend(
            _scan_file(
                path,
                rel,
                threshold=threshold,
                include_denominators=include_denominators,
                suppress_zero=suppress_zero,
                use_sidecars=use_sidecars,
                policy=policy,
            )
        )
    out = pd.DataFrame(
        {
            "file": pd.Series([r["file"] for r in rows], dtype=object),
            "row": pd.Series([r["row"] for r in rows], dtype="Int64"),
            "column": pd.Series([r["column"] for r in rows], dtype=object),
            "value": pd.Series([r["value"] for r in rows], dtype=object),
            "reason": pd.Series([r["reason"] for r in rows], dtype=object),
        },
        columns=_SCAN_COLUMNS,
    )
    logger.info("scan %s: %d file(s), %d unsafe cell(s)", root, len(files), len(out))
    return out


def _scan_file(
    path: Path,
    rel: str,
    *,
    threshold: int,
    include_denominators: bool,
    suppress_zero: bool,
    use_sidecars: bool,
    policy: Policy | None = None,
) -> list[dict[str, Any]]:
    def problem(
        reason: str, row: int | None = None, column: str | None = None, value: object = None
    ) -> dict[str, Any]:
        return {"file": rel, "row": row, "column": column, "value": value, "reason": reason}

    meta = None
    if use_sidecars:
        try:
            meta = read_sidecar(path)
        except InputError as exc:
            return [problem(f"unreadable disclosure sidecar: {exc}")]
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except pd.errors.EmptyDataError:
        return []
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        return [problem(f"could not be read as CSV: {exc}")]
    table = table.replace("", np.nan) if len(table) else table
    derived: Any
    total_label: str | None = "Total"
    width = DEFAULT_PROTECTION_WIDTH
    if meta is not None and meta["policy"] is not None:
        policy = meta["policy"]
    if policy is not None and policy.symbol != SUPPRESSED and len(table):
        table = table.replace(policy.symbol, SUPPRESSED)
    if meta is not None:
        counts = [c for c in meta["counts"] if c in table.columns]
        missing = [c for c in meta["counts"] if c not in table.columns]
        found = [
            problem(f"sidecar names count column {c!r}, absent from the file") for c in missing
        ]
        file_threshold = max(threshold, int(meta["threshold"]))
        zero = suppress_zero or meta["suppress_zero"]
        by, margins, row_total = meta["by"], meta["margins"], meta["row_total"]
        derived = meta["derived"]
        total_label, width = meta["total_label"], int(meta["protection_width"])
        if isinstance(derived, list):
            derived = [c for c in derived if c in table.columns]
        elif isinstance(derived, dict):
            derived = {
                k: [c for c in v if c in table.columns] for k, v in derived.items() if k in counts
            }
    else:
        counts = [
            c
            for c in table.columns
            if is_count_column(c, include_denominators=include_denominators)
        ]
        found = []
        file_threshold, zero = threshold, suppress_zero
        by = margins = row_total = derived = None
    if not counts:
        return found
    # report text in count columns cell by cell instead of failing the whole file
    clean = table.copy()
    for col in counts:
        vals = clean[col].astype(object).to_numpy(copy=True)
        for i, v in enumerate(vals):
            if isinstance(v, str):
                s = v.strip()
                if s in OTHER_SYMBOLS or s == SUPPRESSED:
                    continue
                try:
                    x = float(s.replace(",", ""))
                except ValueError:
                    found.append(problem("count cell is not a number", i, col, v))
                    vals[i] = np.nan
                    continue
                if x < 0:
                    found.append(problem("negative count", i, col, v))
                    vals[i] = np.nan
        clean[col] = pd.Series(vals, index=clean.index, dtype=object)
    groupings_ok = all(
        g is None or all(c in table.columns for c in as_columns(g, func="scan", name="by"))
        for g in [by, *(margins or [])]
    )
    if not groupings_ok:
        found.append(problem("sidecar groupings name columns absent from the file"))
        by = margins = None
    if policy is not None:
        file_threshold = 1 if policy.midpoint6 else max(file_threshold, policy.threshold)
        zero = zero or policy.suppress_zero
    try:
        unsafe = _unsafe_cells(
            clean,
            counts=counts,
            threshold=file_threshold,
            func=f"scan ({rel})",
            derived=derived,
            by=by,
            margins=margins,
            row_total=row_total,
            suppress_zero=zero,
            total_label=total_label,
            protection_width=width,
            policy=policy,
        )
    except InputError as exc:
        return [*found, problem(f"could not be checked: {exc}")]
    for i, col, _val, why in unsafe:
        found.append(problem(why, i, col, table[col].iloc[i]))
    found.sort(key=lambda r: (-1 if r["row"] is None else r["row"], str(r["column"])))
    return found
