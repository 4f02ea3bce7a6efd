"""What a running notebook uses to talk to the build: inputs read, tables and figures shown.

This module is the notebook side of the report build (``rhoresearch.build`` is the other side).
When the build runs a notebook it sets ``RHORESEARCH_RUN_DIR`` to the report's temporary folder; the
helpers here then write result tables under ``results/`` and figures under ``figures/``. Run
interactively (JupyterLab), the same calls work and write under ``reports/_interactive/``. The input
ledger lives in :mod:`rhoresearch.provenance`; :func:`run_dir`, :func:`record_input`,
:func:`recorded_inputs`, :func:`file_sha256` and :data:`RUN_DIR_ENV` are re-exported here so a
notebook needs one import.

Every table passes :func:`rhoresearch.disclosure.check` before it is shown or written, at the
threshold given, else the run's threshold (:func:`set_threshold`, which every notebook calls once
with its ``suppression_threshold`` parameter; default
:data:`rhoresearch.validation.DEFAULT_THRESHOLD`). Inside the package suppressed cells are missing
values with a flag column (``<column>_suppressed``); :func:`show_table` and :func:`save_table` show
and write :func:`rhoresearch.disclosure.render` of the table: ``[c]`` in the suppressed cells, flag
columns dropped.

Result tables are written deterministically so that two builds of the same commit and data give the
same bytes: no index, UTF-8, ``\\n`` line ends, floats with 12 significant digits (``%.12g``; enough
for the verification tolerance, rtol 1e-9, and stable against last-bit differences), missing values
as empty fields.
"""

from __future__ import annotations

import base64
import html
import io
import itertools
import logging
import os
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import HTML, display
from matplotlib.figure import Figure

from rhoresearch import disclosure, validation
from rhoresearch.exceptions import InputError
from rhoresearch.provenance import (
    RUN_DIR_ENV,
    file_sha256,
    record_input,
    recorded_inputs,
    run_dir,
)

__all__ = [
    "RUN_DIR_ENV",
    "FLOAT_FORMAT",
    "run_dir",
    "record_input",
    "recorded_inputs",
    "file_sha256",
    "threshold",
    "set_threshold",
    "save_table",
    "show_table",
    "show_figure",
    "write_csv",
]

logger = logging.getLogger(__name__)

#: How floats are written in result CSVs (12 significant digits).
FLOAT_FORMAT = "%.12g"
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
# the threshold set by set_threshold (empty: the default)
_threshold_set: list[int] = []
_TABLE_IDS = itertools.count(1)


def set_threshold(value: int | None) -> None:
    """Set this run's suppression threshold (``None`` goes back to the default).

    Every notebook calls it once in its import cell with its ``suppression_threshold`` parameter;
    :func:`show_table`, :func:`save_table` and the workstream helpers then use it whenever no
    ``threshold=`` is given.

    Parameters
    ----------
    value : int or None
        A whole number of at least 1 (counts from 1 to ``value - 1`` are suppressed), or ``None``.

    Returns
    -------
    None

    Raises
    ------
    rhoresearch.exceptions.InputError
        ``value`` is not a whole number of at least 1 (see
        :func:`rhoresearch.validation.check_threshold`).
    """
    checked = None if value is None else validation.check_threshold(value, func="set_threshold")
    _threshold_set.clear()
    if checked is not None:
        _threshold_set.append(checked)


def threshold() -> int:
    """The suppression threshold of this run.

    Returns
    -------
    int
        The value given to :func:`set_threshold`, else
        :data:`rhoresearch.validation.DEFAULT_THRESHOLD` (5). Nothing is read from the notebook's
        namespace: a notebook passes its parameter explicitly.
    """
    return _threshold_set[0] if _threshold_set else validation.DEFAULT_THRESHOLD


def _check_name(name: str, what: str) -> str:
    if not isinstance(name, str) or not _NAME_RE.match(name):
        raise InputError(
            f"{what}: name {name!r} is not usable as a file name "
            "(expected letters, digits, '_', '.' or '-', starting with a letter or digit)"
        )
    return name


def _rendered(
    table: pd.DataFrame,
    *,
    counts: str | Sequence[str],
    threshold_value: int | None,
    by: str | Sequence[str] | None,
    what: str,
    options: dict[str, Any],
) -> tuple[pd.DataFrame, int]:
    """Check ``table`` for disclosure and render it; return (rendered table, threshold used).

    The check runs on :func:`rhoresearch.disclosure.render` of the table, i.e. on exactly what is
    shown or written (``[c]`` in suppressed cells, flag columns dropped), so it reads the same for a
    table from :func:`~rhoresearch.disclosure.suppress` and one read from a published CSV.
    """
    validation.check_frame(table, func=what, name="table")
    validation.require_columns(table, counts, func=what, what="count column")
    used = (
        threshold()
        if threshold_value is None
        else validation.check_threshold(threshold_value, func=what)
    )
    shown = disclosure.render(table)
    kwargs: dict[str, Any] = {"counts": counts, "threshold": used, **options}
    if by is not None:
        kwargs["by"] = by
    disclosure.check(shown, **kwargs)
    return shown, used


def write_csv(table: pd.DataFrame, path: str | os.PathLike) -> Path:
    """Write ``table`` as a deterministic CSV and return the path.

    Parameters
    ----------
    table : pandas.DataFrame
        Written as it is (no disclosure check, no rendering: use :func:`save_table` for result
        tables).
    path : path-like
        The file; its folder is created. Written atomically (a temporary file, then a rename).

    Returns
    -------
    pathlib.Path
        ``path``.

    Notes
    -----
    No index, UTF-8, ``\\n`` line ends, floats as ``%.12g`` (:data:`FLOAT_FORMAT`), missing values
    as empty fields.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = table.to_csv(index=False, float_format=FLOAT_FORMAT, lineterminator="\n", na_rep="")
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(text.encode("utf-8"))
    os.replace(tmp, path)
    return path


def save_table(
    table: pd.DataFrame,
    name: str,
    *,
    counts: str | Sequence[str],
    threshold: int | None = None,
    by: str | Sequence[str] | None = None,
    **check_options: Any,
) -> Path:
    """Check a result table for disclosure, then write it to ``results/<name>.csv``.

    Parameters
    ----------
    table : pandas.DataFrame
        The tidy table, already suppressed/rounded as needed (see :mod:`rhoresearch.disclosure`):
        numbers with missing values and flag columns (``<column>_suppressed``) where cells are
        suppressed, or ``[c]`` in those cells. It is not modified.
    name : str
        File stem: letters, digits, ``_``, ``.`` or ``-``.
    counts : str or list of str
        The columns holding counts (what the disclosure check inspects).
    threshold : int, optional
        Smallest count that may be shown; default :func:`threshold`.
    by : str or list of str, optional
        Grouping columns, passed to the disclosure check (for secondary suppression checks).
    **check_options
        Further options of :func:`rhoresearch.disclosure.check` (``margins``, ``row_total``,
        ``derived``, ``suppress_zero``), also recorded in the sidecar.

    Returns
    -------
    pathlib.Path
        The CSV written, inside :func:`run_dir`: the columns of ``table`` without its flag
        columns, ``[c]`` in the suppressed cells (:func:`rhoresearch.disclosure.render`).

    Raises
    ------
    rhoresearch.exceptions.DisclosureError
        A count below the threshold (or derivable) would be written; nothing is written.
    rhoresearch.exceptions.InputError
        ``table`` is not a DataFrame, a count column is missing, or ``name`` is not a file stem.

    Notes
    -----
    The CSV is deterministic (see :func:`write_csv`). A sidecar ``results/<name>.meta.json``
    describing the count columns and the threshold is written next to it
    (:func:`rhoresearch.disclosure.write_sidecar`).
    """
    _check_name(name, "save_table")
    shown, used = _rendered(
        table,
        counts=counts,
        threshold_value=threshold,
        by=by,
        what=f"save_table({name!r})",
        options={"name": name, **check_options},
    )
    path = write_csv(shown, run_dir() / "results" / f"{name}.csv")
    extra = {k: v for k, v in check_options.items() if k != "name"}
    if by is not None:
        extra["by"] = by
    disclosure.write_sidecar(
        path, counts=validation.as_columns(counts, name="counts"), threshold=used, **extra
    )
    logger.info("table saved: results/%s.csv (%d rows)", name, len(shown))
    return path


def _display_html(markup: str) -> None:
    display(HTML(markup))


def _text_alignment_css(table: pd.DataFrame, table_id: str) -> str:
    """CSS that left-aligns the text columns of one table (numbers stay right-aligned)."""
    rules = [
        f"#{table_id} td:nth-child({i}), #{table_id} th:nth-child({i}) {{ text-align: left; }}"
        for i, column in enumerate(table.columns, start=1)
        if not pd.api.types.is_numeric_dtype(table[column])
        or pd.api.types.is_bool_dtype(table[column])
    ]
    return f"<style>{' '.join(rules)}</style>" if rules else ""


def _whole(value: Any) -> str:
    return "" if pd.isna(value) else f"{value:,.0f}"


def _whole_number_formatters(table: pd.DataFrame) -> dict[Any, Callable[[Any], str]]:
    """Formatters that show float columns holding only whole numbers (summed counts) without decimals."""
    formatters: dict[Any, Callable[[Any], str]] = {}
    for column in table.columns:
        values = table[column]
        if pd.api.types.is_float_dtype(values):
            finite = values.dropna().to_numpy(dtype=float)
            if finite.size and np.all(np.isfinite(finite)) and np.all(finite == np.round(finite)):
                formatters[column] = _whole
    return formatters


def show_table(
    table: pd.DataFrame,
    *,
    counts: str | Sequence[str],
    threshold: int | None = None,
    by: str | Sequence[str] | None = None,
    caption: str | None = None,
    float_format: str = "{:,.2f}",
    max_rows: int = 200,
    **check_options: Any,
) -> None:
    """Check a table for disclosure, then display it as an HTML table in the notebook.

    Parameters
    ----------
    table : pandas.DataFrame
        The table to show (not modified), as for :func:`save_table`.
    counts : str or list of str
        Count columns, checked against the threshold before anything is shown.
    threshold : int, optional
        Smallest count that may be shown; default :func:`threshold`.
    by : str or list of str, optional
        Grouping columns, passed to the disclosure check.
    caption : str, optional
        Caption above the table.
    float_format : str
        Format for float columns (presentation only; the saved CSV keeps full precision).
    max_rows : int
        At most this many rows are shown; a note says how many were left out.
    **check_options
        Further options of :func:`rhoresearch.disclosure.check` (``margins``, ``row_total``,
        ``derived``, ``suppress_zero``).

    Returns
    -------
    None
        The table is displayed (``text/html``): its columns without the flag columns, ``[c]`` in
        the suppressed cells (:func:`rhoresearch.disclosure.render`); nothing is returned, so
        nothing is echoed.

    Raises
    ------
    rhoresearch.exceptions.DisclosureError
        The table is not safe; nothing is shown.
    """
    shown, _ = _rendered(
        table,
        counts=counts,
        threshold_value=threshold,
        by=by,
        what="show_table",
        options=check_options,
    )
    head = shown.head(max_rows)
    table_id = f"rho-table-{next(_TABLE_IDS)}"
    body = head.to_html(
        index=False,
        border=0,
        classes="rho-table",
        table_id=table_id,
        na_rep="",
        float_format=float_format.format,
        formatters=_whole_number_formatters(head),
        escape=True,
    )
    parts = ['<div class="rho-table-wrap">', _text_alignment_css(head, table_id)]
    if caption:
        parts.append(f'<p class="rho-caption"><strong>{html.escape(caption)}</strong></p>')
    parts.append(body)
    if len(shown) > max_rows:
        parts.append(f"<p><em>{len(shown) - max_rows} more rows not shown.</em></p>")
    parts.append("</div>")
    _display_html("\n".join(parts))


def show_figure(
    fig: Figure, *, name: str, alt: str, caption: str | None = None, dpi: int = 110
) -> None:
    """Display a matplotlib figure as an embedded PNG with alt text and a caption, then close it.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure (drawn from tables that already passed disclosure control).
    name : str
        File stem; the PNG is also written to ``figures/<name>.png`` in :func:`run_dir`.
    alt : str
        Alternative text describing the figure for screen readers (required, non-empty).
    caption : str, optional
        Caption shown under the figure.
    dpi : int
        Resolution of the PNG.

    Returns
    -------
    None
        The figure is displayed as HTML:
        ``<figure><img alt=... src="data:image/png;base64,..."><figcaption>``.

    Raises
    ------
    rhoresearch.exceptions.InputError
        ``name`` is not a file stem or ``alt`` is empty.

    Notes
    -----
    The PNG is written without a timestamp or software tag, so the same figure gives the same
    bytes.
    """
    _check_name(name, "show_figure")
    if not isinstance(alt, str) or not alt.strip():
        raise InputError(f"show_figure({name!r}): 'alt' text is required and must not be empty")
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    data = buffer.getvalue()
    out = run_dir() / "figures" / f"{name}.png"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    encoded = base64.b64encode(data).decode("ascii")
    markup = (
        f'<figure class="rho-figure" id="figure-{html.escape(name)}">'
        f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{encoded}" '
        'style="max-width:100%;height:auto"/>'
        + (f"<figcaption>{html.escape(caption)}</figcaption>" if caption else "")
        + "</figure>"
    )
    _display_html(markup)
