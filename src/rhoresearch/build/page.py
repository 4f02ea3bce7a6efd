"""The page template of every report and of the index: one layout, one stylesheet, offline.

A report page is a Jinja2 template around the executed notebook's content (see
:func:`rhoresearch.build.html.report_html`): one title, a metadata line, the demonstration-data
banner where it applies, a contents list, ``<main>`` with the main findings and "things you need
to know" first, then the notebook's sections (each ``##`` heading starts one), the parameters,
and the provenance footer. One width for everything (``--rho-width``), no sideways scrolling of
the page from 390 px up (wide tables scroll inside their own box), and a print stylesheet (no
contents list, tables unboxed, link targets printed).

Colours meet WCAG 2.2 AA contrast (4.5:1 for text); every interactive element has a visible focus
outline.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from rhoresearch import config

__all__ = ["CSS", "render_page", "index_html"]


def _e(value: Any) -> str:
    return html.escape(str(value))


CSS = """
:root { --rho-width: 60rem; --rho-text: #1b1b1b; --rho-muted: #4a4a4a; --rho-link: #1d4f91;
  --rho-rule: #b1b4b6; --rho-pale: #f3f2f1; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif;
  color: var(--rho-text); background: #fff; line-height: 1.5; font-size: 1rem; }
a { color: var(--rho-link); text-underline-offset: 0.15em; }
a:focus, summary:focus, [tabindex]:focus, input:focus { outline: 3px solid #ffdd00;
  outline-offset: 0; box-shadow: 0 0 0 5px #0b0c0c; }
.rho-skip { position: absolute; left: -999rem; }
.rho-skip:focus { left: 1rem; top: 1rem; background: #ffdd00; padding: 0.5rem; z-index: 2; }
.rho-page { max-width: var(--rho-width); margin: 0 auto; padding: 0 1rem; }
.rho-header { padding-top: 1rem; }
.rho-header h1 { font-size: 2rem; line-height: 1.2; margin: 0.5rem 0; overflow-wrap: anywhere; }
.rho-crumb { margin: 0; font-size: 0.95rem; }
.rho-meta { color: var(--rho-muted); margin: 0.25rem 0 0.75rem; }
.rho-meta span + span::before { content: " · "; }
.rho-banner { background: #fff3cd; border: 2px solid #b58100; color: #3d2c00;
  padding: 0.6rem 1rem; border-radius: 4px; font-weight: 600; margin: 0.6rem 0; }
.rho-banner span { font-weight: 400; }
nav.rho-contents { border-left: 4px solid var(--rho-rule); padding: 0.25rem 1rem; margin: 1rem 0; }
nav.rho-contents h2 { font-size: 1.1rem; margin: 0.25rem 0; }
nav.rho-contents ol { margin: 0; padding-left: 1.25rem; }
nav.rho-contents li { margin: 0; padding: 0.1rem 0; break-inside: avoid; }
@media (min-width: 48rem) { nav.rho-contents ol { columns: 2; column-gap: 2.5rem; } }
.rho-intro p { max-width: 45rem; }
main { display: block; }
main h2 { font-size: 1.5rem; margin: 2rem 0 0.5rem; border-top: 1px solid var(--rho-rule);
  padding-top: 1rem; }
main h3 { font-size: 1.2rem; margin: 1.25rem 0 0.5rem; }
main p, main li { max-width: 45rem; overflow-wrap: break-word; }
main img { max-width: 100%; height: auto; }
main pre { white-space: pre-wrap; overflow-wrap: anywhere; }
code { overflow-wrap: anywhere; }
#main-findings { background: var(--rho-pale); border-left: 6px solid var(--rho-link);
  padding: 0.25rem 1rem 0.75rem; margin-top: 1rem; }
#main-findings h2 { border-top: 0; margin-top: 0.75rem; }
#main-findings li { margin: 0.35rem 0; font-size: 1.05rem; }
.rho-note { font-size: 0.9rem; color: var(--rho-muted); }
.rho-download { font-size: 0.95rem; margin-top: 0.25rem; }
.rho-table-wrap { overflow-x: auto; max-width: 100%; margin: 0.5rem 0; }
.rho-table-wrap caption { position: sticky; left: 0; max-width: min(calc(100vw - 2rem), 58rem); }
table.rho-table, table.rho-params, table.rho-prov, .rho-section table {
  border-collapse: collapse; font-size: 0.9rem; font-variant-numeric: tabular-nums; }
table.rho-table caption, table.rho-params caption { text-align: left; font-weight: 600;
  padding: 0.25rem 0; caption-side: top; }
.rho-table th, .rho-table td, .rho-params th, .rho-params td, .rho-prov th, .rho-prov td,
.rho-section table th, .rho-section table td { border-bottom: 1px solid var(--rho-rule);
  padding: 0.3rem 0.6rem; vertical-align: top; text-align: left; }
.rho-table thead th { border-bottom: 2px solid var(--rho-text); vertical-align: bottom; }
.rho-table th.num, .rho-table td.num { text-align: right; white-space: nowrap; }
.rho-table td.txt { min-width: 6rem; }
.rho-table td.short { white-space: nowrap; }
.rho-table td.mid { min-width: 13rem; }
.rho-table td.long { min-width: 16rem; }
.rho-figure { margin: 1rem 0; }
.rho-figure figcaption { font-size: 0.95rem; color: var(--rho-muted); }
details.rho-figure-data { margin: 0 0 1.5rem; }
details.rho-figure-data summary { cursor: pointer; color: var(--rho-link); }
.rho-things dt { font-weight: 600; }
.rho-things dd { margin: 0 0 0.4rem 0; }
.rho-footer { border-top: 2px solid var(--rho-link); margin-top: 3rem; padding: 1rem 0 2rem;
  font-size: 0.9rem; }
.rho-footer h2 { font-size: 1.2rem; }
.rho-footer code { font-size: 0.8rem; overflow-wrap: anywhere; }
.rho-filter label { display: block; font-weight: 600; margin-bottom: 0.25rem; }
.rho-filter input { font: inherit; padding: 0.4rem; width: 100%; max-width: 30rem;
  border: 2px solid var(--rho-text); }
.rho-cards { list-style: none; padding: 0; display: grid; gap: 1rem;
  grid-template-columns: repeat(auto-fill, minmax(17rem, 1fr)); }
.rho-card { border: 1px solid var(--rho-rule); border-top: 5px solid var(--rho-link);
  padding: 0.75rem 1rem; overflow-wrap: anywhere; }
.rho-card h2 { font-size: 1.15rem; margin: 0 0 0.25rem; border: 0; padding: 0; }
.rho-card p { margin: 0.35rem 0; }
.rho-status-failed { color: #a00000; font-weight: 600; }
.rho-status-success { color: #00612c; }
@media (max-width: 40rem) {
  .rho-header h1 { font-size: 1.6rem; }
  main h2 { font-size: 1.3rem; }
}
@media print {
  nav.rho-contents, .rho-skip, .rho-crumb, .rho-filter { display: none; }
  body { font-size: 11pt; }
  .rho-page { max-width: none; padding: 0; }
  .rho-table-wrap { overflow: visible; }
  /* paper does not scroll: a wide table wraps its headers and text, in a smaller type */
  .rho-table { font-size: 8.5pt; }
  .rho-table.rho-wide { font-size: 6.5pt; }
  .rho-table.rho-wide th, .rho-table.rho-wide td { padding-left: 0.2rem; padding-right: 0.2rem; }
  .rho-table th.num, .rho-table td.short { white-space: normal; }
  .rho-table td.txt, .rho-table td.mid, .rho-table td.long { min-width: 0; }
  a[href^="results/"]::after, a[href^="figures/"]::after, a[href^="tables/"]::after {
    content: " (" attr(href) ")"; }
  h2, h3, caption { break-after: avoid; }
  tr, figure, img { break-inside: avoid; }
  #main-findings { border-left-width: 3px; }
}
"""

_REPORT = jinja2.Template(
    """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }}</title>
{% for key, value in meta.items() %}<meta name="rho-{{ key }}" content="{{ value }}">
{% endfor %}<style>{{ css }}</style>
</head>
<body>
<a class="rho-skip" href="#main">Skip to main content</a>
<div class="rho-page">
<header class="rho-header">
{% if home %}<p class="rho-crumb"><a href="{{ home }}">All reports</a></p>{% endif %}
<h1>{{ title }}</h1>
{% if facts %}<p class="rho-meta">{% for label, value in facts %}<span>{{ label }}: {{ value }}</span>{% endfor %}</p>{% endif %}
{{ banner }}
</header>
{% if contents %}<nav class="rho-contents" aria-label="Contents"><h2 id="contents-heading">Contents</h2>
<ol>{% for id, text in contents %}<li><a href="#{{ id }}">{{ text }}</a></li>{% endfor %}</ol></nav>{% endif %}
<main id="main">
{{ body }}
</main>
{{ footer }}
</div>
{{ script }}
</body>
</html>
""",
    autoescape=True,
)


def render_page(
    *,
    title: str,
    body: str,
    footer: str = "",
    facts: list[tuple[str, str]] | None = None,
    banner: str = "",
    contents: list[tuple[str, str]] | None = None,
    meta: dict[str, str] | None = None,
    home: str | None = None,
    script: str = "",
) -> str:
    """One page in the common layout.

    Parameters
    ----------
    title : str
        The page's one ``<h1>`` and its ``<title>``.
    body : str
        HTML inside ``<main>`` (trusted: made by this package).
    footer : str
        HTML after ``<main>`` (the provenance footer).
    facts : list of (label, value)
        The metadata line under the title.
    banner : str
        HTML after the metadata line: the demonstration-data banner and the introduction.
    contents : list of (id, text)
        The contents list; empty: none.
    meta : dict
        ``<meta name="rho-<key>">`` entries (read by the index page).
    home : str, optional
        Link to the index ("All reports").
    script : str
        Trusted inline ``<script>`` (the index's filter box).

    Returns
    -------
    str
        The HTML document.
    """
    return _REPORT.render(
        title=title,
        body=Markup(body),
        footer=Markup(footer),
        facts=facts or [],
        banner=Markup(banner),
        contents=contents or [],
        meta=meta or {},
        home=home,
        css=Markup(CSS),
        script=Markup(script),
    )


_META = re.compile(r'<meta name="rho-([a-z-]+)" content="([^"]*)">')

_FILTER_SCRIPT = """<script>
(function () {
  var box = document.getElementById("report-filter");
  var cards = document.querySelectorAll(".rho-card");
  var count = document.getElementById("filter-count");
  box.addEventListener("input", function () {
    var words = box.value.toLowerCase().split(/\\s+/).filter(Boolean);
    var shown = 0;
    cards.forEach(function (card) {
      var text = card.textContent.toLowerCase();
      var hit = words.every(function (w) { return text.indexOf(w) >= 0; });
      card.hidden = !hit;
      if (hit) { shown += 1; }
    });
    count.textContent = shown + " of " + cards.length + " reports shown";
  });
})();
</script>"""


def _page_meta(path: Path) -> dict[str, str]:
    """The ``rho-*`` meta entries at the top of a built report page (empty when unreadable)."""
    try:
        with path.open(encoding="utf-8") as fh:
            head = fh.read(20_000)
    except OSError:
        return {}
    return {k: html.unescape(v) for k, v in _META.findall(head)}


def index_html(
    entries: list[dict], *, generated_at: str, reports_dir: str | Path | None = None
) -> str:
    """The index page: one card per report, with an offline filter box.

    Parameters
    ----------
    entries : list of dict
        ``{"id", "manifest", "failed", "built"}`` per report (from the manifests on disk).
    generated_at : str
        When the index is written (UTC).
    reports_dir : path, optional
        The reports folder, to read each page's period and first main finding (default
        :func:`rhoresearch.config.reports_dir`).

    Returns
    -------
    str
        The page, in the same template as the reports.
    """
    folder = Path(reports_dir) if reports_dir is not None else config.reports_dir()
    cards = []
    for e in entries:
        m = e.get("manifest") or {}
        failed = e.get("failed")
        title = m.get("title") or e["id"]
        meta = _page_meta(folder / e["id"] / "report.html") if e.get("built") else {}
        heading = (
            f'<a href="{_e(e["id"])}/report.html">{_e(title)}</a>' if e.get("built") else _e(title)
        )
        status = str(m.get("status", "not built"))
        lines = [f'<li class="rho-card"><h2>{heading}</h2>']
        facts = [f"{k.title()}: {_e(meta[k])}" for k in ("period", "geography") if meta.get(k)]
        if facts:
            lines.append(f"<p>{' · '.join(facts)}</p>")
        state = f'<span class="rho-status-{_e(status)}">{_e(status)}</span>'
        if m.get("demo_data"):
            state += " · demonstration data"
        if m.get("finished_at"):
            state += f" · built {_e(str(m['finished_at'])[:16].replace('T', ' '))} UTC"
        lines.append(f"<p>Status: {state}</p>")
        if meta.get("first-finding"):
            lines.append(f"<p><strong>Main finding:</strong> {_e(meta['first-finding'])}</p>")
        if failed:
            error = failed.get("error") or {}
            cell = f"cell {error['cell']}: " if error.get("cell") else ""
            lines.append(
                f'<p><span class="rho-status-failed">Last build failed at '
                f"{_e(failed.get('finished_at'))}</span>: {_e(cell)}"
                f"{_e(error.get('ename', ''))}: {_e(error.get('evalue', ''))} "
                f'(<a href="_failed/{_e(e["id"])}/report.ipynb">executed notebook</a>)</p>'
            )
        if e.get("built"):
            lines.append(
                f'<p><a href="{_e(e["id"])}/report.html">Read the report</a> · '
                f'<a href="{_e(e["id"])}/manifest.json">provenance</a> · '
                f'<a href="{_e(e["id"])}/report.ipynb">notebook</a></p>'
            )
        lines.append(f'<p class="rho-note">Report id: <code>{_e(e["id"])}</code></p></li>')
        cards.append("".join(lines))
    if cards:
        body = (
            f"<p>{len(cards)} reports. Index generated {_e(generated_at)} (UTC) from the manifests "
            "in this folder.</p>"
            '<div class="rho-filter"><label for="report-filter">Filter reports</label>'
            '<input type="search" id="report-filter" autocomplete="off" '
            'aria-describedby="filter-count">'
            f'<p id="filter-count" class="rho-note" aria-live="polite">{len(cards)} of '
            f"{len(cards)} reports shown</p></div>"
            f'<ul class="rho-cards" aria-label="Reports">{"".join(cards)}</ul>'
        )
    else:
        body = "<p>No reports have been built yet: run <code>make reports</code>.</p>"
    return render_page(
        title="rhoresearch reports",
        body=body,
        script=_FILTER_SCRIPT if cards else "",
    )
