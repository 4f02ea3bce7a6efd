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

import jinja2
from markupsafe import Markup

__all__ = ["CSS", "render_page"]

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
