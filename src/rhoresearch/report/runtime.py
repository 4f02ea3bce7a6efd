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
import contextlib
import html
import io
import itertools
import logging
import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
from IPython.display import HTML, display

from rhoresearch import disclosure, validation
from rhoresearch.exceptions import InputError
from rhoresearch.provenance import (
    RUN_DIR_ENV,
    file_sha256,
    record_input,
    recorded_inputs,
    run_dir,
)
from rhoresearch.report import _html
from rhoresearch.report import findings as _findings

if TYPE_CHECKING:  # matplotlib is imported by the notebooks that draw, not by this module
    from matplotlib.figure import Figure

__all__ = [
    "RUN_DIR_ENV",
    "FLOAT_FORMAT",
    "run_dir",
    "record_input",
    "recorded_inputs",
    "file_sha256",
    "threshold",
    "set_threshold",
    "policy",
    "set_policy",
    "save_table",
    "show_table",
    "show_figure",
    "show_main_findings",
    "show_things_to_know",
    "page_info",
    "PAGE_INFO_MIME",
    "write_csv",
]

logger = logging.getLogger(__name__)

#: How floats are written in result CSVs (12 significant digits).
FLOAT_FORMAT = "%.12g"
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
# the threshold set by set_threshold (empty: the default)
_threshold_set: list[int] = []
# the disclosure policy set by set_policy, as (name, options) (empty: the default, "threshold")
_policy_set: list[tuple[str, dict[str, Any]]] = []
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


def set_policy(name: str | None = "threshold", **options: Any) -> None:
    """Set this run's disclosure policy (``None`` or ``"threshold"`` goes back to the default).

    Every notebook calls it once in its import cell, after :func:`set_threshold`, with its
    ``disclosure_policy`` parameter (``runtime.set_policy(disclosure_policy)``);
    :func:`show_table`, :func:`save_table` and ``show_figure`` then refuse a table that breaks it,
    write its symbol in hidden cells, and record it in each table's sidecar.

    Parameters
    ----------
    name : str or None, default "threshold"
        ``"threshold"``, ``"nhs-england"``, ``"opensafely"`` or ``"custom"``
        (:func:`rhoresearch.disclosure.policy`).
    **options
        The policy's options (e.g. ``midpoint6=True``, ``rounding=10``). Without ``threshold``
        the run's threshold (:func:`threshold`) applies (for a named policy, the larger of it and
        the policy's own).

    Returns
    -------
    None

    Raises
    ------
    rhoresearch.exceptions.InputError
        An unknown policy or option (checked now, not when a table is shown).
    """
    _policy_set.clear()
    if name is not None:
        disclosure.policy(name, **options)
        _policy_set.append((name, dict(options)))


def policy() -> disclosure.Policy:
    """The disclosure policy of this run (:func:`set_policy`; default ``"threshold"``).

    Returns
    -------
    rhoresearch.disclosure.Policy
        With the run's threshold (:func:`threshold`) unless :func:`set_policy` gave one.
    """
    name, options = _policy_set[0] if _policy_set else ("threshold", {})
    return disclosure.policy(name, **{"threshold": threshold(), **options})


def _policy_counts(table: pd.DataFrame, counts: str | Sequence[str]) -> list[str]:
    """The count columns as the run's policy names them (``<column>_midpoint6`` after midpoint-6
    rounding, when the table holds that column instead)."""
    names = validation.as_columns(counts, name="counts")
    suffix = disclosure.MIDPOINT6_SUFFIX
    return [
        c + suffix if c not in table.columns and c + suffix in table.columns else c for c in names
    ]


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
    counts = _policy_counts(table, counts)
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
    rules = policy()
    if rules != disclosure.policy("threshold", threshold=rules.threshold):
        # a policy other than the default: checked against it, hidden cells in its symbol
        kwargs["policy"] = rules
        disclosure.check(shown, **kwargs)
        return disclosure.render(table, policy=rules), max(used, rules.threshold)
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
        path, counts=_policy_counts(shown, counts), threshold=used, policy=policy(), **extra
    )
    logger.info("table saved: results/%s.csv (%d rows)", name, len(shown))
    _link_saved(name, shown)
    return path


def _display_html(markup: str) -> None:
    display(HTML(markup))


def _display_updatable(markup: str) -> Any:
    """Display ``markup`` and return a handle whose ``update(...)`` replaces the output."""
    return display(HTML(markup), display_id=True)


#: The MIME type of the page facts a notebook declares (:func:`page_info`), read by the build.
PAGE_INFO_MIME = "application/vnd.rhoresearch.page+json"
# tables saved in this run (name -> rendered table) and tables shown whose CSV is not yet known
_saved_tables: dict[str, pd.DataFrame] = {}
_pending_links: list[dict[str, Any]] = []
_shown_only = itertools.count(1)


def _rows(table: pd.DataFrame, columns: Sequence[Any]) -> list[tuple[str, ...]]:
    return [tuple(map(str, r)) for r in table[list(columns)].itertuples(index=False, name=None)]


def _matches(shown: pd.DataFrame, saved: pd.DataFrame) -> int:
    """2 when ``saved`` holds exactly the rows of ``shown`` (on its columns), 1 a superset, else 0."""
    if len(shown.columns) < 2 or not set(shown.columns) <= set(saved.columns):
        return 0
    rows, kept = _rows(shown, shown.columns), _rows(saved, shown.columns)
    if rows == kept:
        return 2
    return 1 if rows and set(rows) <= set(kept) else 0


def _saved_name(shown: pd.DataFrame) -> str | None:
    """The saved result table this shown table comes from (exact match first), if any."""
    best: dict[int, str] = {}
    for name, saved in _saved_tables.items():
        score = _matches(shown, saved)
        if score:
            best.setdefault(score, name)
    return best.get(2) or best.get(1)


def _link_saved(name: str, shown: pd.DataFrame) -> None:
    """Called by :func:`save_table`: point tables shown earlier from this table to its CSV."""
    _saved_tables[name] = shown
    for pending in list(_pending_links):
        if _matches(pending["shown"], shown):
            pending["handle"].update(HTML(pending["render"](f"results/{name}.csv")))
            Path(pending["path"]).unlink(missing_ok=True)
            _pending_links.remove(pending)
            with contextlib.suppress(OSError):  # the folder goes once its last stand-in goes
                Path(pending["path"]).parent.rmdir()


def _display_table(
    shown: pd.DataFrame,
    *,
    caption: str | None,
    name: str | None,
    float_format: str | None,
    max_rows: int,
) -> None:
    """Display a rendered table for readers, linked to its CSV (see :func:`show_table`)."""
    number = next(_TABLE_IDS)
    table_id = f"rho-table-{number}"
    text = caption or (labels_caption(name) if name else f"Table {number}")
    shown = shown.reset_index(drop=True)

    def render(href: str) -> str:
        return _html.table_block(
            shown,
            table_id=table_id,
            caption=text,
            href=href,
            float_format=float_format,
            max_rows=max_rows,
        )

    saved = name or _saved_name(shown)
    if saved is not None:
        _display_html(render(f"results/{saved}.csv"))
        return
    stem = f"table-{next(_shown_only)}"
    path = write_csv(shown, run_dir() / "tables" / f"{stem}.csv")
    handle = _display_updatable(render(f"tables/{stem}.csv"))
    _pending_links.append({"shown": shown, "handle": handle, "render": render, "path": path})


def labels_caption(name: str) -> str:
    """A caption made from a result table's file stem (``"rates_by_year"`` -> "Rates by year")."""
    text = name.replace("_", " ").replace("-", " ").strip()
    return text[:1].upper() + text[1:]


def show_table(
    table: pd.DataFrame,
    *,
    counts: str | Sequence[str],
    threshold: int | None = None,
    by: str | Sequence[str] | None = None,
    caption: str | None = None,
    name: str | None = None,
    float_format: str | None = None,
    max_rows: int = 200,
    **check_options: Any,
) -> None:
    """Check a table for disclosure, then display it for readers, linked to its CSV.

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
        The table's ``<caption>``; default: made from ``name``, else "Table <n>".
    name : str, optional
        The stem of the result table this one is saved as (``save_table(table, name)``): the
        page links to ``results/<name>.csv``. Without it the table is paired with the saved
        result table holding its rows (saved before or after it is shown, in this run); a table
        never saved is written to ``tables/table-<n>.csv`` (outside ``results/``) and linked.
    float_format : str, optional
        Format of non-whole numbers overriding the precision of each column's kind
        (:mod:`rhoresearch.report.labels`; presentation only, the CSV keeps full precision).
    max_rows : int
        At most this many rows are shown; a note says how many more the CSV holds.
    **check_options
        Further options of :func:`rhoresearch.disclosure.check` (``margins``, ``row_total``,
        ``derived``, ``suppress_zero``).

    Returns
    -------
    None
        The table is displayed (``text/html``): a ``<table>`` with a ``<caption>``, headers
        from :mod:`rhoresearch.report.labels` (``<th scope="col">``, units in brackets), numbers
        with thousands separators and a precision per statistic, the symbols used (``[c]``)
        explained in a note, a link to the CSV, in a box that scrolls sideways by itself. The
        cells are :func:`rhoresearch.disclosure.render` of the table.

    Raises
    ------
    rhoresearch.exceptions.DisclosureError
        The table is not safe; nothing is shown.
    rhoresearch.exceptions.InputError
        ``name`` is not a file stem.
    """
    if name is not None:
        _check_name(name, "show_table")
    shown, _ = _rendered(
        table,
        counts=counts,
        threshold_value=threshold,
        by=by,
        what="show_table",
        options=check_options,
    )
    _display_table(shown, caption=caption, name=name, float_format=float_format, max_rows=max_rows)


def _png_size(data: bytes) -> tuple[int, int]:
    """Width and height of a PNG from its header (IHDR)."""
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def show_figure(
    fig: Figure,
    *,
    name: str,
    alt: str,
    caption: str | None = None,
    dpi: int = 110,
    data: pd.DataFrame | None = None,
    counts: str | Sequence[str] | None = None,
    threshold: int | None = None,
    by: str | Sequence[str] | None = None,
    **check_options: Any,
) -> None:
    """Display a figure (a 2x PNG) with alt text, a caption and the data behind it, then close it.

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
        Resolution of the figure at its displayed size; the PNG is drawn at twice it and shown at
        half its pixel size, so it stays sharp on high-density screens and when zoomed.
    data : pandas.DataFrame, optional
        The table the figure was drawn from: checked for disclosure like :func:`show_table`,
        written to ``figures/<name>.csv`` and shown in a collapsed ``<details>`` under the
        figure with a download link.
    counts : str or list of str, optional
        The count columns of ``data`` (required with ``data``).
    threshold, by, **check_options
        As for :func:`show_table`, for ``data``.

    Returns
    -------
    None
        The figure is displayed as HTML:
        ``<figure><img alt=... src="data:image/png;base64,..."><figcaption>``, then the data.

    Raises
    ------
    rhoresearch.exceptions.InputError
        ``name`` is not a file stem, ``alt`` is empty, or ``data`` is given without ``counts``.
    rhoresearch.exceptions.DisclosureError
        ``data`` is not safe; nothing is shown.

    Notes
    -----
    The PNG is written without a timestamp or software tag, so the same figure gives the same
    bytes.
    """
    _check_name(name, "show_figure")
    if not isinstance(alt, str) or not alt.strip():
        raise InputError(f"show_figure({name!r}): 'alt' text is required and must not be empty")
    details = ""
    if data is not None:
        if counts is None:
            raise InputError(f"show_figure({name!r}): 'counts' is required with 'data'")
        shown, _ = _rendered(
            data,
            counts=counts,
            threshold_value=threshold,
            by=by,
            what=f"show_figure({name!r})",
            options=check_options,
        )
        write_csv(shown, run_dir() / "figures" / f"{name}.csv")
        # a title in any of an axes' three places (the theme's is on the left), on one line even
        # where plotting broke it to fit its figure
        titles = [
            " ".join(text.split("\n"))
            for ax in fig.axes
            for text in (ax.get_title("left"), ax.get_title("center"), ax.get_title("right"))
            if text
        ]
        details = _html.figure_data_block(
            shown.reset_index(drop=True),
            table_id=f"rho-figure-data-{html.escape(name)}",
            caption=f"Data behind the figure: {titles[0] if titles else labels_caption(name)}",
            href=f"figures/{name}.csv",
        )
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=2 * dpi, bbox_inches="tight", metadata={"Software": None})
    pyplot = sys.modules.get("matplotlib.pyplot")  # a figure drawn through pyplot: release it
    if pyplot is not None:
        pyplot.close(fig)
    png = buffer.getvalue()
    out = run_dir() / "figures" / f"{name}.png"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(png)
    width, height = _png_size(png)
    encoded = base64.b64encode(png).decode("ascii")
    markup = (
        f'<figure class="rho-figure" id="figure-{html.escape(name)}">'
        f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{encoded}" '
        f'width="{width // 2}" height="{height // 2}" style="max-width:100%;height:auto"/>'
        + (f"<figcaption>{html.escape(caption)}</figcaption>" if caption else "")
        + "</figure>"
        + details
    )
    _display_html(markup)


def show_main_findings(candidates: pd.DataFrame, *, confidence: float = 0.95, n: int = 5) -> None:
    """Display the main findings chosen by :func:`rhoresearch.report.findings.select_main_findings`.

    Parameters
    ----------
    candidates : pandas.DataFrame
        Candidate findings (:data:`rhoresearch.report.findings.CANDIDATE_COLUMNS`), from tables
        that passed disclosure control (e.g. :func:`rhoresearch.report.findings.ratio_candidates`
        of a suppressed comparison table).
    confidence : float
        The intervals' level (written into the rule shown under the list).
    n : int
        At most this many (1 to 5).

    Returns
    -------
    None
        Displays a ``<ul>`` of the chosen ``finding`` sentences and the rule; the report page
        places it in its ``main-findings`` section.
    """
    chosen = _findings.select_main_findings(candidates, n=n)
    rule = _findings.SELECTION_RULE.format(confidence=f"{confidence:.0%}", n=n)
    _display_html(_html.main_findings_block(list(chosen["finding"]), rule=rule))


def show_things_to_know(section: dict[str, Any]) -> None:
    """Display a "things you need to know" section (:func:`rhoresearch.report.findings.things_to_know`).

    Parameters
    ----------
    section : dict
        What :func:`rhoresearch.report.findings.things_to_know` returns.

    Returns
    -------
    None
        Displays the section; the report page places it in its ``things-to-know`` section.
    """
    _display_html(_html.things_to_know_block(section))


def page_info(
    *, period: str | None = None, geography: str | None = None, source: str | None = None
) -> None:
    """Declare the report's period, geography and data source for the page's metadata line.

    Parameters
    ----------
    period, geography, source : str, optional
        Shown under the report's title (e.g. ``"2021-23"``, ``"England"``, ``"MBRRACE-UK"``);
        what is not given the build takes from the report's parameters.

    Returns
    -------
    None
        Displays a ``application/vnd.rhoresearch.page+json`` output (:data:`PAGE_INFO_MIME`),
        invisible in JupyterLab, read by :func:`rhoresearch.build.html.report_html`.
    """
    facts = {
        k: str(v)
        for k, v in (("period", period), ("geography", geography), ("source", source))
        if v
    }
    display({PAGE_INFO_MIME: facts, "text/plain": ""}, raw=True)
