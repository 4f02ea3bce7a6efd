"""HTML for built reports and the index: offline pages with no request leaving the machine.

Reports use nbconvert's ``lab`` template through a small template of our own (held in memory, so
nothing needs installing as package data) that removes every script loaded from a CDN (RequireJS,
MathJax, Mermaid, widgets), adds a header (title, parameters, a demonstration-data banner) and a
footer (provenance), and hides all code. Cells tagged ``parameters``, ``injected-parameters`` or
``remove-cell`` are left out. Figures are embedded as ``data:`` URIs. LaTeX in markdown is shown as
typed (MathJax would need the network).
"""

from __future__ import annotations

import copy
import html
import json
import re

import jinja2
from nbconvert import HTMLExporter
from traitlets.config import Config

__all__ = ["report_html", "index_html", "BANNER_TEXT"]

BANNER_TEXT = "Demonstration data"
_BANNER_DETAIL = (
    "This report was built from synthetic demonstration data made by a seeded generator "
    "(data/demo/). Its numbers illustrate the method; they are not evidence."
)

_CSS = """
.rho-header, .rho-footer { font-family: system-ui, sans-serif; max-width: 1100px;
  margin: 1rem auto; padding: 0 1rem; }
.rho-header h1 { font-size: 1.8rem; margin: 0.5rem 0; }
.rho-banner { background: #fff3cd; border: 2px solid #b58100; color: #3d2c00; padding: 0.6rem 1rem;
  border-radius: 4px; font-weight: 600; margin: 0.6rem 0; }
.rho-banner span { font-weight: 400; }
.rho-params caption { text-align: left; font-weight: 600; padding: 0.2rem 0; }
.rho-params, .rho-prov, .rho-index { border-collapse: collapse; font-size: 0.9rem; }
.rho-params td, .rho-params th, .rho-prov td, .rho-prov th, .rho-index td, .rho-index th {
  border: 1px solid #ccc; padding: 0.2rem 0.5rem; text-align: left; vertical-align: top; }
.rho-footer { border-top: 1px solid #ccc; color: #333; font-size: 0.85rem; margin-top: 2rem; }
.rho-footer code { font-size: 0.8rem; word-break: break-all; }
.rho-index code { font-size: 0.8rem; }
.rho-figure img { max-width: 100%; height: auto; }
.rho-figure figcaption { font-style: italic; font-size: 0.9rem; }
.rho-status-failed { color: #a00000; font-weight: 600; }
.rho-status-success { color: #006000; }
"""

_TEMPLATE = (
    """{%- extends 'index.html.j2' -%}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{% block jupyter_widgets %}{% endblock jupyter_widgets %}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{% block extra_css %}<style type="text/css">"""
    + _CSS
    + """</style>{% endblock extra_css %}
{%- block body_header -%}
{{ super() }}
{{ resources.rho_header }}
{%- endblock body_header -%}
{% block body_footer %}
{{ resources.rho_footer }}
{{ super() }}
{% endblock body_footer %}
"""
)

_SCRIPT_SRC = re.compile(r"<script[^>]*\bsrc=[\"']?(?:https?:)?//[^>]*>\s*</script>", re.I)
_LINK_HREF = re.compile(r"<link[^>]*\bhref=[\"']?(?:https?:)?//[^>]*>", re.I)

_exporter = None


def _get_exporter():
    global _exporter
    if _exporter is None:
        cfg = Config()
        cfg.TagRemovePreprocessor.enabled = True
        cfg.TagRemovePreprocessor.remove_cell_tags = [
            "parameters",
            "injected-parameters",
            "remove-cell",
            "remove_cell",
        ]
        cfg.TagRemovePreprocessor.remove_input_tags = ["remove-input", "remove_input"]
        cfg.HTMLExporter.exclude_input = True
        cfg.HTMLExporter.exclude_input_prompt = True
        cfg.HTMLExporter.exclude_output_prompt = True
        cfg.HTMLExporter.embed_images = True
        _exporter = HTMLExporter(
            config=cfg,
            template_name="lab",
            extra_loaders=[jinja2.DictLoader({"rhoreport.html.j2": _TEMPLATE})],
            template_file="rhoreport.html.j2",
        )
    return _exporter


def _e(value) -> str:
    return html.escape(str(value))


def _value(value) -> str:
    return _e(value if isinstance(value, str) else json.dumps(value, sort_keys=True))


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
    return f'<table class="rho-params"><caption>Parameters</caption>{"".join(rows)}</table>'


def banner() -> str:
    """The demonstration-data banner (HTML)."""
    return (
        f'<div class="rho-banner" role="note"><strong>{BANNER_TEXT}</strong> '
        f"<span>{_e(_BANNER_DETAIL)}</span></div>"
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
    return (
        '<footer class="rho-footer"><h2>Provenance</h2>'
        f'<table class="rho-prov">{body}</table>{inputs_html}'
        "<p>Full details, including package versions and per-cell timings, are in "
        '<a href="manifest.json">manifest.json</a>; the executed notebook is '
        '<a href="report.ipynb">report.ipynb</a>.</p></footer>'
    )


def report_html(nb, manifest: dict, *, title: str) -> str:
    """Export an executed notebook to a self-contained HTML report."""
    header = ['<header class="rho-header">', f"<h1>{_e(title)}</h1>"]
    if manifest.get("demo_data"):
        header.append(banner())
    header.append(
        _params_table(manifest.get("parameters") or {}, manifest.get("parameter_defaults"))
    )
    header.append("</header>")
    nb = copy.deepcopy(nb)
    nb.metadata["title"] = title
    # Warnings and log lines on stderr are for the analyst, not the reader: they stay in
    # report.ipynb and kernel.log; the data-quality section of each report carries the counts.
    for cell in nb.cells:
        if cell.get("cell_type") == "code":
            cell.outputs = [
                out
                for out in cell.get("outputs", [])
                if not (out.get("output_type") == "stream" and out.get("name") == "stderr")
            ]
    resources = {
        "metadata": {"name": title},
        "rho_header": "\n".join(header),
        "rho_footer": _provenance(manifest),
    }
    body, _ = _get_exporter().from_notebook_node(nb, resources=resources)
    body = _SCRIPT_SRC.sub("", body)
    return _LINK_HREF.sub("", body)


def index_html(entries: list[dict], *, generated_at: str) -> str:
    """The index page listing every report (entries derived from manifests on disk)."""
    rows = []
    for e in entries:
        m = e.get("manifest") or {}
        failed = e.get("failed")
        code = m.get("code", {})
        commit = (code.get("commit") or "unknown")[:12] + (" (dirty)" if code.get("dirty") else "")
        params = "<br>".join(
            f"{_e(k)} = <code>{_value(v)}</code>"
            for k, v in sorted((m.get("parameters") or {}).items())
        )
        link = (
            f'<a href="{_e(e["id"])}/report.html">{_e(m.get("title") or e["id"])}</a>'
            if e.get("built")
            else _e(m.get("title") or e["id"])
        )
        status = _e(m.get("status", "not built"))
        status_html = f'<span class="rho-status-{status}">{status}</span>'
        if m.get("demo_data"):
            status_html += "<br><small>demonstration data</small>"
        if failed:
            error = failed.get("error") or {}
            cell = f"cell {error['cell']}: " if error.get("cell") else ""
            status_html += (
                f'<br><span class="rho-status-failed">last build failed at '
                f"{_e(failed.get('finished_at'))}</span>: {_e(cell)}"
                f"{_e(error.get('ename', ''))}: {_e(error.get('evalue', ''))} "
                f'(<a href="_failed/{_e(e["id"])}/report.ipynb">executed notebook</a>)'
            )
        rows.append(
            f"<tr><td>{link}<br><small><code>{_e(e['id'])}</code></small></td>"
            f"<td>{params}</td><td>{status_html}</td>"
            f"<td>{_e(m.get('finished_at', ''))}</td><td><code>{_e(commit)}</code></td></tr>"
        )
    table = (
        '<table class="rho-index"><thead><tr><th>Report</th><th>Parameters</th><th>Status</th>'
        "<th>Built (UTC)</th><th>Commit</th></tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table>"
        if rows
        else "<p>No reports have been built yet: run <code>make reports</code>.</p>"
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"/>'
        '<meta name="viewport" content="width=device-width, initial-scale=1.0">'
        f"<title>rhoresearch reports</title><style>{_CSS} body {{ font-family: system-ui, "
        "sans-serif; margin: 1.5rem; }</style></head><body><h1>rhoresearch reports</h1>"
        f"<p>Index generated {_e(generated_at)} (UTC) from the manifests in this folder.</p>"
        f"{table}</body></html>\n"
    )
