"""The report page and the index page (rhoresearch.build.html), from hand-made notebooks."""

from __future__ import annotations

import re

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from rhoresearch.build import html as page

MANIFEST = {
    "report_id": "demo",
    "notebook": "notebooks/demo.ipynb",
    "parameters": {"region": "London"},
    "parameter_defaults": {"period": '"2020-22"', "suppression_threshold": "5"},
    "demo_data": True,
    "inputs": [{"path": "data/demo/x.csv", "bytes": 10, "sha256": "ab"}],
    "outputs": [],
    "code": {"commit": "abc", "dirty": False, "version": "9.9.9"},
    "environment": {"python": "3.11"},
    "started_at": "2026-01-02T03:04:05Z",
    "finished_at": "2026-01-02T03:05:05Z",
}


def _html(markup: str):
    return new_output("display_data", data={"text/html": markup, "text/plain": ""})


def _notebook(*, marked: bool) -> nbformat.NotebookNode:
    bullets = "\n".join(f"- finding number {i}" for i in range(1, 9))
    cells = [
        new_markdown_cell("# Notebook title\n\nWhat this report is about."),
        new_code_cell("x = 1", metadata={"tags": ["parameters"]}),
        new_markdown_cell("## Key findings"),
        new_code_cell("", outputs=[new_output("display_data", data={"text/markdown": bullets})]),
        new_markdown_cell("## Data and its quality\n\nSome text.\n\n### A sub-heading"),
        new_code_cell("", outputs=[_html('<table class="rho-table"><caption>T</caption></table>')]),
        new_markdown_cell("## Methods\n\n- Wilson."),
        new_markdown_cell("## Caveats\n\n- Careful."),
    ]
    if marked:
        cells[5].outputs += [
            _html('<div data-rho-section="main-findings"><ul><li>The one</li></ul></div>'),
            _html('<div data-rho-section="things-to-know"><p>Known things</p></div>'),
            new_output(
                "display_data",
                data={page.PAGE_INFO_MIME: {"period": "2021-23"}, "text/plain": ""},
            ),
        ]
    return new_notebook(cells=cells)


def test_a_report_page_has_the_reader_structure():
    text = page.report_html(_notebook(marked=False), MANIFEST, title="Demo report")
    assert text.count("<h1>") == 1 and "<h1>Demo report</h1>" in text
    assert "Notebook title" not in text  # the notebook's own title is not repeated
    assert text.count("<main") == 1 and '<nav class="rho-contents" aria-label="Contents">' in text
    nav = re.search(r"<nav.*?</nav>", text, re.S).group(0)
    targets = re.findall(r'href="#([^"]+)"', nav)
    for target in targets:
        assert f'id="{target}"' in text, target
    assert targets[:2] == ["main-findings", "things-to-know"]
    assert "key-findings" in targets and "methods" in targets and "caveats" in targets
    assert "Period: 2020-22" in text and "Geography: London" in text and "Version: 9.9.9" in text
    assert "Built: 2026-01-02" in text and page.BANNER_TEXT in text
    main = re.search(r'<section id="main-findings".*?</section>', text, re.S).group(0)
    assert main.count("<li>") == 5  # the first five of eight, by the fallback rule
    assert "The first 5 of the 8 findings" in main
    things = re.search(r'<section id="things-to-know".*?</section>', text, re.S).group(0)
    assert "counts from 1 to 4 are suppressed" in things and 'href="#methods"' in things
    assert "<footer" in text and "Provenance" in text and "@media print" in text
    assert "x = 1" not in text and "<script" not in text


def test_the_notebook_s_own_main_findings_and_facts_are_used():
    text = page.report_html(_notebook(marked=True), MANIFEST, title="Demo report")
    main = re.search(r'<section id="main-findings".*?</section>', text, re.S).group(0)
    assert "The one" in main and "finding number" not in main
    things = re.search(r'<section id="things-to-know".*?</section>', text, re.S).group(0)
    assert "Known things" in things
    assert text.count('data-rho-section="main-findings"') == 1  # moved, not copied
    assert "Period: 2021-23" in text
    assert '<meta name="rho-first-finding" content="The one">' in text


def test_the_index_is_a_landing_page_of_cards(tmp_path):
    report = page.report_html(_notebook(marked=True), MANIFEST, title="Demo report")
    (tmp_path / "demo").mkdir()
    (tmp_path / "demo" / "report.html").write_text(report, encoding="utf-8")
    entries = [
        {
            "id": "demo",
            "manifest": dict(MANIFEST, status="success", title="Demo report"),
            "failed": None,
            "built": True,
        },
        {
            "id": "broken",
            "manifest": {"status": "failed", "title": "Broken"},
            "failed": {"finished_at": "t", "error": {"ename": "ValueError", "evalue": "bad"}},
            "built": False,
        },
    ]
    text = page.index_html(entries, generated_at="now", reports_dir=tmp_path)
    assert text.count('<li class="rho-card">') == 2
    assert '<a href="demo/report.html">Demo report</a>' in text
    assert "Main finding:</strong> The one" in text and "Period: 2021-23" in text
    assert "ValueError: bad" in text
    assert 'id="report-filter"' in text and '<label for="report-filter">' in text
    assert "<main" in text and "<h1>rhoresearch reports</h1>" in text
    assert "No reports have been built yet" in page.index_html([], generated_at="now")
