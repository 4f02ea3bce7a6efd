"""HTML for built reports: offline pages for readers, no request leaving the machine.

A report page (:func:`report_html`) is the common page template (:mod:`rhoresearch.build.page`)
around the executed notebook's content, rendered here cell by cell (markdown through nbconvert's
mistune renderer, outputs as the notebook displayed them; no code, no scripts, no CDN):

- one title (the report's; the notebook's own ``#`` heading is dropped), a metadata line (period,
  geography, data source, build date, version: from what the notebook declared with
  :func:`rhoresearch.report.runtime.page_info`, else from its parameters and inputs), the
  demonstration-data banner where it applies;
- a contents list linking every section: each ``##`` heading of the notebook starts one;
- ``<main>``: first the section ``id="main-findings"`` (what the notebook displayed with
  ``runtime.show_main_findings``; a notebook that does not yet call it gets, by a fixed rule, the
  first five bullets of its "Key findings" section, all of which stay further down), then
  ``id="things-to-know"`` (``runtime.show_things_to_know``; otherwise a summary made from the
  parameters with links to the data-quality, methods and caveats sections), then the notebook's
  sections, then the parameters;
- the provenance footer.

Cells tagged ``parameters``, ``injected-parameters`` or ``remove-cell`` are left out, and so is the
input of every cell; stderr (warnings, logs) stays in ``report.ipynb`` and ``kernel.log``. LaTeX in
markdown is shown as typed (MathJax would need the network).
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

from nbconvert.filters.markdown_mistune import markdown2html_mistune

from rhoresearch.build.page import _e, index_html, render_page

__all__ = ["report_html", "index_html", "banner", "BANNER_TEXT", "PAGE_INFO_MIME"]

BANNER_TEXT = "Demonstration data"
_BANNER_DETAIL = (
    "This report was built from synthetic demonstration data made by a seeded generator "
    "(data/demo/). Its numbers illustrate the method; they are not evidence."
)
#: The MIME type of the facts a notebook declares for the metadata line (report.runtime.page_info).
PAGE_INFO_MIME = "application/vnd.rhoresearch.page+json"
_REMOVE_TAGS = {"parameters", "injected-parameters", "remove-cell", "remove_cell"}
_HEADING = re.compile(r"<h([12])(?:\s[^>]*)?>(.*?)</h\1>", re.S)
_ANCHOR = re.compile(r'<a class="anchor-link"[^>]*>.*?</a>', re.S)
_TAG = re.compile(r"<[^>]+>")
_LI = re.compile(r"<li>(.*?)</li>", re.S)
_RESERVED = {"main", "main-findings", "things-to-know", "parameters", "provenance", "contents"}
_MAX_MAIN = 5
_PLACEHOLDERS = {"main findings", "things you need to know", "things to know"}


def _value(value: Any) -> str:
    return _e(value if isinstance(value, str) else json.dumps(value, sort_keys=True))


def _text(markup: str) -> str:
    return html.unescape(_TAG.sub("", markup)).strip()


def banner() -> str:
    """The demonstration-data banner (HTML)."""
    return (
        f'<div class="rho-banner" role="note"><strong>{BANNER_TEXT}</strong> '
        f"<span>{_e(_BANNER_DETAIL)}</span></div>"
    )


def _join(source: Any) -> str:
    return "".join(source) if isinstance(source, list) else str(source or "")


def _get_exporter() -> None:
    """Warm up the markdown renderer (``build.batch`` calls this before its workers fork).

    Kept for that caller: pages no longer go through an nbconvert exporter, so there is no
    template to compile; rendering a line of markdown imports and sets up mistune once.
    """
    _markdown("# warm-up")


def _markdown(source: str) -> str:
    return _ANCHOR.sub("", markdown2html_mistune(source))


def _output_html(out: dict, facts: dict[str, str]) -> str:
    kind = out.get("output_type")
    if kind == "stream":
        if out.get("name") == "stdout" and _join(out.get("text")).strip():
            return f"<pre>{_e(_join(out.get('text')))}</pre>"
        return ""
    if kind not in ("display_data", "execute_result"):
        return ""  # errors: a failed build never reaches the page
    data = out.get("data", {})
    if PAGE_INFO_MIME in data:
        facts.update({k: str(v) for k, v in dict(data[PAGE_INFO_MIME]).items()})
        return ""
    if "text/html" in data:
        return _join(data["text/html"])
    if "image/png" in data:
        png = _join(data["image/png"]).replace("\n", "")
        return f'<img alt="" src="data:image/png;base64,{png}">'
    if "text/markdown" in data:
        return _markdown(_join(data["text/markdown"]))
    if "text/plain" in data and _join(data["text/plain"]).strip():
        return f"<pre>{_e(_join(data['text/plain']))}</pre>"
    return ""


def _pieces(nb, facts: dict[str, str]) -> list[tuple[str, str]]:
    """The notebook as a flat list of ``(kind, html)``: ``h1``/``h2`` headings and content."""
    pieces: list[tuple[str, str]] = []
    for cell in nb.cells:
        tags = set(cell.get("metadata", {}).get("tags", []))
        if tags & _REMOVE_TAGS:
            continue
        if cell.get("cell_type") == "markdown":
            text = _markdown(_join(cell.get("source")))
            pos = 0
            for m in _HEADING.finditer(text):
                if text[pos : m.start()].strip():
                    pieces.append(("html", text[pos : m.start()]))
                pieces.append((f"h{m.group(1)}", _text(m.group(2))))
                pos = m.end()
            if text[pos:].strip():
                pieces.append(("html", text[pos:]))
        elif cell.get("cell_type") == "code":
            for out in cell.get("outputs", []):
                markup = _output_html(out, facts)
                if markup.strip():
                    pieces.append(("html", markup))
    return pieces


def _anchor_id(text: str, used: set[str]) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "section"
    slug, i = base, 2
    while slug in used or slug in _RESERVED:
        slug, i = f"{base}-{i}", i + 1
    used.add(slug)
    return slug


def _sections(pieces: list[tuple[str, str]]) -> tuple[list[str], list[dict]]:
    """Split into the introduction (before the first ``##``) and sections."""
    intro: list[str] = []
    sections: list[dict] = []
    used: set[str] = set()
    for kind, markup in pieces:
        if kind == "h2":
            sections.append({"id": _anchor_id(markup, used), "title": markup, "blocks": []})
        elif kind == "h1":
            continue  # the page has one title: the report's
        elif sections:
            sections[-1]["blocks"].append(markup)
        else:
            intro.append(markup)
    return intro, sections


def _take(sections: list[dict], marker: str) -> str | None:
    """Remove and return the block a notebook displayed with ``data-rho-section=marker``."""
    for section in sections:
        for i, block in enumerate(section["blocks"]):
            if f'data-rho-section="{marker}"' in block:
                return str(section["blocks"].pop(i))
    return None


def _find(sections: list[dict], *words: str) -> dict | None:
    for section in sections:
        if any(w in section["title"].lower() for w in words):
            return section
    return None


def _main_findings(sections: list[dict]) -> str:
    """The main-findings section body: the notebook's, else the first bullets of Key findings."""
    chosen = _take(sections, "main-findings")
    if chosen is not None:
        return chosen
    key = _find(sections, "key finding")
    items = _LI.findall("".join(key["blocks"])) if key else []
    if not items:
        return "<p>This report lists no findings.</p>"
    shown = "".join(f"<li>{item}</li>" for item in items[:_MAX_MAIN])
    rule = (
        f"The first {min(len(items), _MAX_MAIN)} of the {len(items)} findings, in the order the "
        "analysis writes them"
        + (f'; all are listed under <a href="#{key["id"]}">{_e(key["title"])}</a>.' if key else ".")
    )
    return f'<ul>{shown}</ul><p class="rho-note">{rule}</p>'


def _param(manifest: dict, *names: str) -> str | None:
    params = manifest.get("parameters") or {}
    defaults = manifest.get("parameter_defaults") or {}
    for name in names:
        if name in params:
            return str(params[name])
        if name in defaults:
            try:
                return str(json.loads(defaults[name]))
            except (TypeError, ValueError):
                return str(defaults[name])
    return None


def _facts(manifest: dict, declared: dict[str, str]) -> list[tuple[str, str]]:
    inputs = manifest.get("inputs") or []
    if manifest.get("demo_data"):
        source = "demonstration data (synthetic)"
    elif inputs:
        names = [Path(i["path"]).name for i in inputs]
        source = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
    else:
        source = None
    found = {
        "Period": declared.get("period") or _param(manifest, "period", "year", "financial_year"),
        "Geography": declared.get("geography")
        or _param(manifest, "region", "geography", "organisation"),
        "Data": declared.get("source") or source,
        "Built": str(manifest.get("finished_at") or "")[:10] or None,
        "Version": (manifest.get("code") or {}).get("version"),
    }
    return [(k, str(v)) for k, v in found.items() if v]


def _things_to_know(sections: list[dict], manifest: dict, facts: list[tuple[str, str]]) -> str:
    chosen = _take(sections, "things-to-know")
    if chosen is not None:
        return chosen
    parts = ["<ul>"]
    covered = "; ".join(
        f"{k.lower()}: {_e(v)}" for k, v in facts if k in ("Period", "Geography", "Data")
    )
    n_inputs = len(manifest.get("inputs") or [])
    parts.append(
        f"<li>What the data cover: {covered or 'see the parameters'}; {n_inputs} input "
        f"file{'s' if n_inputs != 1 else ''} read (listed under provenance).</li>"
    )
    threshold = _param(manifest, "suppression_threshold")
    if threshold and threshold.isdigit():
        parts.append(
            f"<li>Disclosure control: counts from 1 to {int(threshold) - 1} are suppressed, "
            "with the numbers from which they could be worked out; each table's note explains "
            "its symbols.</li>"
        )
    for words, what in (
        (("quality",), "Data quality: rows left out and why are in"),
        (("method",), "Methods and references:"),
        (("caveat",), "Caveats:"),
    ):
        section = _find(sections, *words)
        if section:
            parts.append(f'<li>{what} <a href="#{section["id"]}">{_e(section["title"])}</a>.</li>')
    parts.append("</ul>")
    return "".join(parts)


def _params_table(parameters: dict, defaults: dict | None = None) -> str:
    """The parameters the report ran with: those set by the build, then the notebook's defaults."""
    rows = [
        f"<tr><th scope='row'>{_e(k)}</th><td><code>{_value(v)}</code></td>"
        "<td>set for this report</td></tr>"
        for k, v in sorted(parameters.items())
    ]
    rows += [
        f"<tr><th scope='row'>{_e(k)}</th><td><code>{_e(v)}</code></td>"
        "<td>notebook default</td></tr>"
        for k, v in sorted((defaults or {}).items())
        if k not in parameters
    ]
    if not rows:
        return "<p>This notebook has no parameters.</p>"
    return (
        '<div class="rho-table-wrap" role="region" tabindex="0" aria-label="Parameters table">'
        '<table class="rho-params"><caption>Parameters of this report</caption><thead><tr>'
        '<th scope="col">Parameter</th><th scope="col">Value</th><th scope="col">Set by</th>'
        f"</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
    )


def _provenance(manifest: dict) -> str:
    code = manifest.get("code", {})
    env = manifest.get("environment", {})
    commit = code.get("commit") or "unknown (not a git checkout)"
    dirty = " with uncommitted changes" if code.get("dirty") else ""
    rows = [
        ("Report", manifest.get("report_id")),
        ("Notebook", manifest.get("notebook")),
        ("Code", f"commit {commit}{dirty}; rhoresearch {code.get('version')}"),
        ("Python", env.get("python")),
        ("Built", f"{manifest.get('started_at')} to {manifest.get('finished_at')} (UTC)"),
    ]
    body = "".join(f"<tr><th scope='row'>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in rows)
    inputs = manifest.get("inputs") or []
    if inputs:
        items = "".join(
            f"<li><code>{_e(i['path'])}</code> ({i['bytes']:,} bytes, sha256 "
            f"<code>{_e(i['sha256'])}</code>)</li>"
            for i in inputs
        )
        inputs_html = f"<p>Input files read:</p><ul>{items}</ul>"
    else:
        inputs_html = "<p>Input files read: none recorded.</p>"
    outputs = {o.get("path") for o in manifest.get("outputs") or []}
    sheet = (
        '<p>Every result table in one spreadsheet: <a href="results/tables.xlsx">tables.xlsx</a>.'
        "</p>"
        if "results/tables.xlsx" in outputs
        else ""
    )
    return (
        '<footer class="rho-footer" id="provenance"><h2>Provenance</h2>'
        f'<div class="rho-table-wrap" role="region" tabindex="0" aria-label="Provenance table">'
        f'<table class="rho-prov">{body}</table></div>{inputs_html}{sheet}'
        "<p>Full details, including package versions and per-cell timings, are in "
        '<a href="manifest.json">manifest.json</a>; the executed notebook is '
        '<a href="report.ipynb">report.ipynb</a>.</p></footer>'
    )


def _first_text(markup: str) -> str:
    items = _LI.findall(markup)
    return _text(items[0]) if items else ""


def report_html(nb, manifest: dict, *, title: str) -> str:
    """Export an executed notebook to a self-contained HTML report page.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        The executed notebook (not modified).
    manifest : dict
        The report's manifest (parameters, inputs, code, times; not modified).
    title : str
        The report's title.

    Returns
    -------
    str
        The page (see the module's description).
    """
    declared: dict[str, str] = {}
    intro, sections = _sections(_pieces(nb, declared))
    facts = _facts(manifest, declared)
    main = _main_findings(sections)
    things = _things_to_know(sections, manifest, facts)
    # a notebook's own "## Main findings" / "## Things you need to know" heading, now empty
    sections = [
        s for s in sections if s["blocks"] or s["title"].strip().lower() not in _PLACEHOLDERS
    ]
    parts = [
        '<section id="main-findings" aria-labelledby="main-findings-heading">'
        f'<h2 id="main-findings-heading">Main findings</h2>{main}</section>'
    ]
    parts.append(
        '<section id="things-to-know" aria-labelledby="things-to-know-heading">'
        f'<h2 id="things-to-know-heading">Things you need to know</h2>{things}</section>'
    )
    contents = [("main-findings", "Main findings"), ("things-to-know", "Things you need to know")]
    for s in sections:
        parts.append(
            f'<section class="rho-section" id="{s["id"]}" aria-labelledby="{s["id"]}-heading">'
            f'<h2 id="{s["id"]}-heading">{_e(s["title"])}</h2>{"".join(s["blocks"])}</section>'
        )
        contents.append((s["id"], s["title"]))
    parts.append(
        '<section id="parameters" aria-labelledby="parameters-heading">'
        '<h2 id="parameters-heading">Parameters</h2>'
        + _params_table(manifest.get("parameters") or {}, manifest.get("parameter_defaults"))
        + "</section>"
    )
    contents += [("parameters", "Parameters"), ("provenance", "Provenance")]
    meta = {k.lower(): v for k, v in facts}
    meta["first-finding"] = _first_text(main)
    return render_page(
        title=title,
        body="".join(parts),
        footer=_provenance(manifest),
        facts=facts,
        banner=(banner() if manifest.get("demo_data") else "")
        + ('<div class="rho-intro">' + "".join(intro) + "</div>" if intro else ""),
        contents=contents,
        meta=meta,
        home="../index.html",
    )
