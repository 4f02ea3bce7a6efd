"""HTML fragments a notebook displays: tables for readers, figure data, main findings, things to know.

Private to :mod:`rhoresearch.report`: :mod:`rhoresearch.report.runtime` checks disclosure and
writes files, then calls these to make the markup. The fragments carry ``data-rho-section``
markers that the page template of :mod:`rhoresearch.build.html` reads to place them (main findings
and things to know go to the top of the page).
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from rhoresearch.report import labels

__all__ = ["table_block", "figure_data_block", "main_findings_block", "things_to_know_block"]

#: A table with more columns than this is marked ``rho-wide``: printed in a smaller type, so that
#: it fits the width of a page (a screen scrolls it sideways instead).
WIDE_COLUMNS = 9

_NUMERIC_KINDS = {"count", "rate", "percent", "ratio", "decimal", "kappa", "p_value", "auto"}


def _e(value: Any) -> str:
    return html.escape(str(value))


def _is_numeric(values: pd.Series) -> bool:
    """A column shown right-aligned: numbers, possibly with symbols such as ``[c]`` among them."""
    if pd.api.types.is_bool_dtype(values):
        return False
    if pd.api.types.is_numeric_dtype(values):
        return True
    seen = False
    for v in values:
        if v is None or (isinstance(v, float) and pd.isna(v)):
            continue
        if isinstance(v, str):
            if v in labels.SYMBOLS or v == "":
                continue
            return False
        if isinstance(v, int | float):
            seen = True
            continue
        return False
    return seen


def _whole_numbers(values: pd.Series) -> bool:
    numbers = pd.to_numeric(values, errors="coerce").dropna()
    return bool(len(numbers)) and bool(
        np.all(np.isfinite(numbers)) and np.all(numbers == np.round(numbers))
    )


#: Text columns left-aligned, numbers right-aligned (the page stylesheet repeats this).
_ALIGN = (
    "<style>.rho-table th.txt,.rho-table td.txt{text-align:left}"
    ".rho-table th.num,.rho-table td.num{text-align:right}</style>"
)


def table_html(
    shown: pd.DataFrame,
    *,
    table_id: str,
    caption: str,
    float_format: str | None = None,
) -> str:
    """A ``<table>`` with a ``<caption>``, ``<th scope="col">`` human headers and formatted cells."""
    kinds = []
    heads = []
    for column in shown.columns:
        found = labels.label(column)
        numeric = _is_numeric(shown[column])
        kind = found.kind if numeric or found.kind in ("code", "text") else "text"
        if numeric and kind == "text":
            kind = "auto"
        if kind in ("decimal", "auto") and _whole_numbers(shown[column]):
            kind = "count"  # summed counts held as floats
        cls = "num" if numeric and kind != "code" else "txt"
        widest = shown[column].astype(str).str.len().max() if len(shown) else 0
        if cls == "txt" and widest > 40:
            cls = "txt long"  # long text gets room to read, the box scrolls instead
        elif cls == "txt" and widest > 24:
            cls = "txt mid"  # a few words (a source, a group's name) on one or two lines
        elif cls == "txt":
            cls = "txt short"  # a label or a code: on one line, as wide as it needs
        kinds.append((kind, cls))
        heads.append(
            f'<th scope="col" class="{"num" if numeric and kind != "code" else "txt"}">'
            f"{_e(labels.header(column))}</th>"
        )
    rows = []
    for values in shown.itertuples(index=False, name=None):
        cells = "".join(
            f'<td class="{cls}">'
            f"{_e(labels.format_value(v, kind=kind, float_format=float_format))}</td>"
            for v, (kind, cls) in zip(values, kinds, strict=True)
        )
        rows.append(f"<tr>{cells}</tr>")
    return (
        f'<table class="rho-table{" rho-wide" if len(shown.columns) > WIDE_COLUMNS else ""}" '
        f'id="{_e(table_id)}"><caption>{_e(caption)}</caption>'
        f"<thead><tr>{''.join(heads)}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def _notes(shown: pd.DataFrame, *, href: str, total_rows: int, left_out: int) -> str:
    note = labels.symbol_note(v for column in shown.columns for v in shown[column])
    parts = []
    if note:
        parts.append(f'<p class="rho-note">{_e(note)}</p>')
    if left_out:
        parts.append(f'<p class="rho-note">{left_out:,} more rows are in the CSV file.</p>')
    parts.append(
        f'<p class="rho-download"><a href="{_e(href)}" download>Download this table '
        f"(CSV, {total_rows:,} rows)</a></p>"
    )
    return "".join(parts)


def table_block(
    shown: pd.DataFrame,
    *,
    table_id: str,
    caption: str,
    href: str,
    float_format: str | None = None,
    max_rows: int = 200,
) -> str:
    """A table for readers: a scrolling box (its own, never the page's), notes and the CSV link."""
    head = shown.head(max_rows)
    return (
        f'<div class="rho-table-block" data-rho-table="{_e(table_id)}">{_ALIGN}'
        f'<div class="rho-table-wrap" role="region" tabindex="0" '
        f'aria-labelledby="{_e(table_id)}-caption">'
        + table_html(head, table_id=table_id, caption=caption, float_format=float_format).replace(
            "<caption>", f'<caption id="{_e(table_id)}-caption">', 1
        )
        + "</div>"
        + _notes(head, href=href, total_rows=len(shown), left_out=len(shown) - len(head))
        + "</div>"
    )


def figure_data_block(shown: pd.DataFrame, *, table_id: str, caption: str, href: str) -> str:
    """The data behind a figure: a collapsed ``<details>`` table and a download link."""
    return (
        '<details class="rho-figure-data"><summary>Show the data behind this figure</summary>'
        + table_block(shown, table_id=table_id, caption=caption, href=href, max_rows=500)
        + "</details>"
    )


def main_findings_block(findings: Sequence[str], *, rule: str) -> str:
    """The main findings (at most 5 sentences) and the rule that chose them."""
    items = "".join(f"<li>{_e(f)}</li>" for f in findings)
    body = f"<ul>{items}</ul>" if items else "<p>No comparison passed the rule.</p>"
    return (
        f'<div class="rho-main-findings" data-rho-section="main-findings">{body}'
        f'<p class="rho-note">{_e(rule)}</p></div>'
    )


def things_to_know_block(section: Mapping[str, Any]) -> str:
    """The "things you need to know" section from :func:`rhoresearch.report.findings.things_to_know`."""
    parts = ['<div class="rho-things" data-rho-section="things-to-know">']
    coverage = section.get("coverage") or []
    if coverage:
        parts.append("<h3>What the data cover</h3><dl>")
        parts += [f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in coverage]
        parts.append("</dl>")
    items = section.get("quality_items") or []
    if items:  # one reason a line: several reasons in one sentence are hard to read
        parts.append(f"<h3>Data quality</h3><p>{_e(section.get('quality_lead', ''))}</p><ul>")
        parts += [f"<li>{_e(item)}</li>" for item in items]
        parts.append("</ul>")
    elif section.get("quality"):
        parts.append(f"<h3>Data quality</h3><p>{_e(section['quality'])}</p>")
    parts.append(f"<h3>Disclosure control</h3><p>{_e(section.get('disclosure', ''))}</p>")
    caveats = section.get("caveats") or []
    if caveats:
        parts.append("<h3>Caveats</h3><ul>" + "".join(f"<li>{_e(c)}</li>" for c in caveats))
        parts.append("</ul>")
    log = section.get("assumptions") or []
    if log:
        rows = "".join(
            f"<tr><td>{_e(a['assumption'])}</td><td>{_e(a['why'])}</td>"
            f"<td>{_e(a['likely_effect'])}</td></tr>"
            for a in log
        )
        parts.append(
            '<h3>Assumptions</h3><div class="rho-table-wrap" role="region" tabindex="0" '
            'aria-label="Assumptions log"><table class="rho-table"><caption>Assumptions log: '
            "each assumption, why it was made and its likely effect</caption><thead><tr>"
            '<th scope="col" class="txt">Assumption</th><th scope="col" class="txt">Why</th>'
            '<th scope="col" class="txt">Likely effect</th></tr></thead>'
            f"<tbody>{rows}</tbody></table></div>"
        )
    parts.append("</div>")
    return "".join(parts)
