"""What a running notebook uses to talk to the build: inputs read, tables and figures shown.

This module is the notebook side of the report build (``rhoresearch.build`` is the other side).
When the build runs a notebook it sets ``RHORESEARCH_RUN_DIR`` to the report's temporary folder; the
helpers here then record every input file the notebook reads (for the manifest) and write result
tables under ``results/``. Run interactively (JupyterLab), the same calls work and write under
``reports/_interactive/``.

Result tables are written deterministically so that two builds of the same commit and data give the
same bytes: no index, UTF-8, ``\n`` line ends, floats with 12 significant digits (``%.12g``; enough
for the verification tolerance, rtol 1e-9, and stable against last-bit differences), missing values
as empty fields. Every table and figure passes :func:`rhoresearch.disclosure.check` first.
"""

from __future__ import annotations

import base64
import html
import io
import itertools
import logging
import os
import re
from pathlib import Path

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
    "DEFAULT_THRESHOLD",
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

FLOAT_FORMAT = "%.12g"
DEFAULT_THRESHOLD = 5
_THRESHOLD_PARAMETER = "suppression_threshold"
_threshold_override: list[int] = []
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


def set_threshold(value: int | None) -> None:
    """Set the suppression threshold used when ``threshold=`` is not given (``None`` resets it)."""
    _threshold_override.clear()
    if value is not None:
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise InputError(f"set_threshold: expected a whole number >= 1, got {value!r}")
        _threshold_override.append(value)


def threshold() -> int:
    """The suppression threshold for this run.

    In order: the value given to :func:`set_threshold`; the notebook's ``suppression_threshold``
    parameter (read from the running kernel's namespace, so the ``parameters`` cell and papermill's
    injected values are what count); :data:`DEFAULT_THRESHOLD` (5).
    """
    if _threshold_override:
        return _threshold_override[0]
    try:
        from IPython import get_ipython

        shell = get_ipython()
    except ImportError:  # pragma: no cover - IPython is a dependency of ipykernel
        shell = None
    if shell is not None:
        value = shell.user_ns.get(_THRESHOLD_PARAMETER)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    return DEFAULT_THRESHOLD


def _check_name(name: str, what: str) -> str:
    if not isinstance(name, str) or not _NAME_RE.match(name):
        raise InputError(
            f"{what}: name {name!r} is not usable as a file name "
            "(expected letters, digits, '_', '.' or '-', starting with a letter or digit)"
        )
    return name


def _as_list(columns) -> list[str]:
    if columns is None:
        return []
    return [columns] if isinstance(columns, str) else list(columns)


def _checked(table, *, counts, threshold_value, by, what: str, options: dict) -> int:
    """Run the disclosure check on ``table``; return the threshold used."""
    import pandas as pd

    from rhoresearch import disclosure

    if not isinstance(table, pd.DataFrame):
        raise InputError(f"{what}: expected a pandas DataFrame, got {type(table).__name__}")
    missing = [c for c in _as_list(counts) if c not in table.columns]
    if missing:
        raise InputError(
            f"{what}: count column(s) {', '.join(map(repr, missing))} not in the table "
            f"(columns: {', '.join(map(str, table.columns))})"
        )
    used = threshold() if threshold_value is None else threshold_value
    kwargs = {"counts": counts, "threshold": used, **options}
    if by is not None:
        kwargs["by"] = by
    disclosure.check(table, **kwargs)
    return used


def write_csv(table, path: str | os.PathLike) -> Path:
    """Write ``table`` as a deterministic CSV (see the module notes) and return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = table.to_csv(index=False, float_format=FLOAT_FORMAT, lineterminator="\n", na_rep="")
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(text.encode("utf-8"))
    os.replace(tmp, path)
    return path


def save_table(
    table, name: str, *, counts, threshold: int | None = None, by=None, **check_options
) -> Path:
    """Check a result table for disclosure, then write it to ``results/<name>.csv``.

    Parameters
    ----------
    table : pandas.DataFrame
        The tidy table, already suppressed/rounded as needed (see :mod:`rhoresearch.disclosure`).
        It is not modified.
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
        The CSV written, inside :func:`run_dir`.

    Raises
    ------
    rhoresearch.exceptions.DisclosureError
        A count below the threshold (or derivable) would be written; nothing is written.

    Notes
    -----
    The CSV is deterministic: no index, UTF-8, ``\\n`` line ends, floats as ``%.12g``, missing
    values as empty fields. When :mod:`rhoresearch.disclosure` provides ``write_sidecar``, a sidecar
    describing the count columns and the threshold is written next to it.
    """
    from rhoresearch import disclosure

    _check_name(name, "save_table")
    used = _checked(
        table,
        counts=counts,
        threshold_value=threshold,
        by=by,
        what=f"save_table({name!r})",
        options={"name": name, **check_options},
    )
    path = write_csv(table, run_dir() / "results" / f"{name}.csv")
    sidecar = getattr(disclosure, "write_sidecar", None)
    if sidecar is not None:
        extra = {k: v for k, v in check_options.items() if k != "name"}
        if by is not None:
            extra["by"] = by
        sidecar(path, counts=_as_list(counts), threshold=used, **extra)
    logger.info("table saved: results/%s.csv (%d rows)", name, len(table))
    return path


def _display_html(markup: str) -> None:
    from IPython.display import HTML, display

    display(HTML(markup))


_TABLE_IDS = itertools.count(1)


def _text_alignment_css(table, table_id: str) -> str:
    """CSS that left-aligns the text columns of one table (numbers stay right-aligned)."""
    import pandas as pd

    rules = [
        f"#{table_id} td:nth-child({i}), #{table_id} th:nth-child({i}) {{ text-align: left; }}"
        for i, column in enumerate(table.columns, start=1)
        if not pd.api.types.is_numeric_dtype(table[column])
        or pd.api.types.is_bool_dtype(table[column])
    ]
    return f"<style>{' '.join(rules)}</style>" if rules else ""


def _whole_number_formatters(table) -> dict:
    """Formatters that show float columns holding only whole numbers (summed counts) without decimals."""
    import numpy as np
    import pandas as pd

    formatters = {}
    for column in table.columns:
        values = table[column]
        if pd.api.types.is_float_dtype(values):
            finite = values.dropna().to_numpy(dtype=float)
            if finite.size and np.all(np.isfinite(finite)) and np.all(finite == np.round(finite)):
                formatters[column] = lambda v: "" if pd.isna(v) else f"{v:,.0f}"
    return formatters


def show_table(
    table,
    *,
    counts,
    threshold: int | None = None,
    by=None,
    caption: str | None = None,
    float_format: str = "{:,.2f}",
    max_rows: int = 200,
    **check_options,
) -> None:
    """Check a table for disclosure, then display it as an HTML table in the notebook.

    Parameters
    ----------
    table : pandas.DataFrame
        The table to show (not modified).
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
        The table is displayed (``text/html``); nothing is returned, so nothing is echoed.
    """
    _checked(
        table,
        counts=counts,
        threshold_value=threshold,
        by=by,
        what="show_table",
        options=check_options,
    )
    shown = table.head(max_rows)
    table_id = f"rho-table-{next(_TABLE_IDS)}"
    body = shown.to_html(
        index=False,
        border=0,
        classes="rho-table",
        table_id=table_id,
        na_rep="",
        float_format=lambda v: float_format.format(v),
        formatters=_whole_number_formatters(shown),
        escape=True,
    )
    parts = ['<div class="rho-table-wrap">', _text_alignment_css(shown, table_id)]
    if caption:
        parts.append(f'<p class="rho-caption"><strong>{html.escape(caption)}</strong></p>')
    parts.append(body)
    if len(table) > max_rows:
        parts.append(f"<p><em>{len(table) - max_rows} more rows not shown.</em></p>")
    parts.append("</div>")
    _display_html("\n".join(parts))


def show_figure(fig, *, name: str, alt: str, caption: str | None = None, dpi: int = 110) -> None:
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

    Notes
    -----
    The PNG is written without a timestamp or software tag, so the same figure gives the same
    bytes.
    """
    import matplotlib.pyplot as plt

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
