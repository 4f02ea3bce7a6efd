"""The built pages in a real browser: headless Chromium through Playwright (issue 14).

- the fixture report and the index render offline (every request is file:// or data:; anything
  else is blocked and fails the test), with the banner, figures and tables;
- one report of every notebook and the index: axe-core (axe-playwright-python) finds no violation
  of impact "serious" or "critical" under the WCAG 2.2 A/AA tags; no sideways page overflow at 390
  and 1280 px; every link and image resolves offline; at most 5 main findings; every table has a
  caption and every result table a CSV link.

The reports of the second group are built once per session into a temporary folder (about a
minute on an idle machine); set ``RHORESEARCH_BROWSER_REPORTS`` to a folder of reports already
built (with its ``index.html``) to reuse it. One browser serves every test, and each page of the
second group is loaded once and shared by its read-only checks (the overflow check resizes it and
puts it back). Needs Debian's chromium at /usr/bin/chromium (``.ci/run`` installs it); without it
the tests are skipped.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest
from _buildkit import DEMO_REPORTS, ONE_PER_NOTEBOOK, make_project, project_env

from rhoresearch import build
from rhoresearch.exceptions import BuildError

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
_GIVEN = os.environ.get("RHORESEARCH_BROWSER_REPORTS")
#: The reports checked: one per notebook, or, with RHORESEARCH_BROWSER_REPORTS set to a folder of
#: built reports (e.g. ``reports`` after ``make reports``), every report built there.
CHECKED = (
    sorted(p.parent.name for p in Path(_GIVEN).glob("*/report.html"))
    if _GIVEN
    else ONE_PER_NOTEBOOK
)
PAGES = ["index", *CHECKED]

pytestmark = [pytest.mark.slow, pytest.mark.browser]


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing (install Debian's chromium package, as .ci/run does)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        instance = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        yield instance
        instance.close()


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    root = make_project(tmp_path_factory.mktemp("browser"))
    with project_env(root):
        build.build(["full"])
    return root / "reports"


@pytest.fixture(scope="session")
def demo_reports(demo_report, shared_tmp):
    """One report of every notebook, and the index: the session's shared demo builds
    (``demo_report`` in tests/conftest.py, also used by the workstreams' report tests), or the
    folder given in RHORESEARCH_BROWSER_REPORTS."""
    given = os.environ.get("RHORESEARCH_BROWSER_REPORTS")
    if given:
        return Path(given)
    for report_id in ONE_PER_NOTEBOOK:
        try:
            demo_report(report_id)
        except BuildError:
            pass  # a notebook that fails to run fails its own tests below (see _page_path)
    return shared_tmp / DEMO_REPORTS  # where demo_report builds (and writes the index)


def _page_path(folder: Path, name: str) -> Path:
    path = folder / "index.html" if name == "index" else folder / name / "report.html"
    if not path.exists():
        pytest.fail(f"{name} was not built: its executed notebook is in {folder / '_failed'}")
    return path


def _open(browser, url: str, width: int = 1280):
    """Open ``url``; return the page and the list of requests that tried to leave the machine."""
    page = browser.new_page(viewport={"width": width, "height": 900})
    remote: list[str] = []

    def route(r):
        if r.request.url.startswith(("file:", "data:")):
            r.continue_()
        else:
            remote.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.on(
        "request",
        lambda req: None if req.url.startswith(("file:", "data:")) else remote.append(req.url),
    )
    page.goto(url, wait_until="load")
    page.wait_for_load_state("networkidle")
    return page, remote


def test_report_renders_offline_with_banner_and_figures(browser, reports):
    page, remote = _open(browser, (reports / "full" / "report.html").as_uri())
    assert page.title() == "Full sample report"
    assert page.locator("h1").count() == 1
    assert page.locator("h1").inner_text() == "Full sample report"
    banner = page.locator(".rho-banner")
    assert banner.is_visible() and "Demonstration data" in banner.inner_text()
    images = page.locator("figure.rho-figure img")
    assert images.count() == 1
    assert images.first.get_attribute("alt") == "Bar chart of the rate per 1,000 by group"
    assert page.evaluate(
        "() => Array.from(document.images).every(i => i.complete && i.naturalWidth > 0)"
    )
    assert page.locator("table.rho-table").count() == 1
    assert "Provenance" in page.locator("footer.rho-footer").inner_text()
    assert remote == [], f"requests left the machine: {remote}"
    page.close()


def test_index_lists_the_report_and_links_to_it(browser, reports):
    page, remote = _open(browser, (reports / "index.html").as_uri())
    assert page.title() == "rhoresearch reports"
    link = page.locator('.rho-card h2 a[href="full/report.html"]')
    assert link.inner_text() == "Full sample report"
    link.click()
    page.wait_for_load_state("load")
    assert page.title() == "Full sample report"
    assert remote == [], f"requests left the machine: {remote}"
    page.close()


@pytest.fixture(scope="module")
def opened(browser, demo_reports):
    """``opened(name)``: ``(page, remote, path)`` of that page of ``demo_reports``, loaded once at
    1280 px and shared by the read-only checks below (``remote``: the requests that tried to leave
    the machine since it was opened)."""
    pages: dict[str, tuple] = {}

    def get(name: str):
        if name not in pages:
            path = _page_path(demo_reports, name)
            page, remote = _open(browser, path.as_uri())
            pages[name] = (page, remote, path)
        return pages[name]

    yield get
    for page, _, _ in pages.values():
        page.close()


@pytest.mark.parametrize("name", PAGES)
def test_no_serious_or_critical_accessibility_violation(opened, name):
    from axe_playwright_python.sync_playwright import Axe

    page, remote, _ = opened(name)
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    bad = [
        (v["id"], v["impact"], len(v["nodes"]), v["nodes"][0]["target"])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert bad == [], f"{name}: {bad}"
    assert remote == []


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("name", PAGES)
def test_no_sideways_overflow(opened, name, width):
    page, _, _ = opened(name)
    page.set_viewport_size({"width": width, "height": 900})
    try:
        overflow = page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
    finally:
        page.set_viewport_size({"width": 1280, "height": 900})
    assert overflow <= 0, f"{name} overflows by {overflow} px at {width} px"


@pytest.mark.parametrize("name", PAGES)
def test_every_link_and_image_resolves_offline(opened, name):
    page, remote, path = opened(name)
    assert page.evaluate(
        "() => Array.from(document.images).every(i => i.complete && i.naturalWidth > 0)"
    )
    hrefs = page.evaluate("() => Array.from(document.querySelectorAll('a[href]'), a => a.href)")
    ids = set(page.evaluate("() => Array.from(document.querySelectorAll('[id]'), e => e.id)"))
    broken = []
    for href in hrefs:
        url = urlparse(href)
        assert url.scheme == "file", f"{name}: a link leaves the machine: {href}"
        target = Path(unquote(url.path))
        if target == path and url.fragment:
            if url.fragment not in ids:
                broken.append(href)
        elif not target.exists():
            broken.append(href)
    assert broken == [], f"{name}: broken links {broken}"
    assert remote == []


@pytest.mark.parametrize("name", CHECKED)
def test_reader_structure_of_every_report(opened, name):
    page, _, _ = opened(name)
    assert page.locator("h1").count() == 1 and page.locator("main").count() == 1
    assert page.locator('nav[aria-label="Contents"] a').count() >= 5
    items = page.locator("#main-findings li").count()
    assert 1 <= items <= 5, f"{name}: {items} main findings"
    assert page.locator("#things-to-know").count() == 1
    tables = page.locator("main table")
    for i in range(tables.count()):
        table = tables.nth(i)
        assert table.locator("caption").count() == 1, f"{name}: table {i} has no caption"
    blocks = page.locator(".rho-table-block")
    assert blocks.count() >= 1
    for i in range(blocks.count()):
        link = blocks.nth(i).locator(".rho-download a")
        assert link.count() >= 1 and link.first.get_attribute("href").endswith(".csv")
    headers = page.evaluate(
        "() => Array.from(document.querySelectorAll('table.rho-table th'), th => th.textContent)"
    )
    snake = [h for h in headers if "_" in h]
    assert snake == [], f"{name}: snake_case headers {snake}"


def test_the_index_filter_box_works_offline(browser, demo_reports):
    page, _ = _open(browser, _page_path(demo_reports, "index").as_uri())
    cards = page.locator(".rho-card")
    total = cards.count()
    assert total >= len(ONE_PER_NOTEBOOK)
    page.fill("#report-filter", "maternal")
    visible = page.locator(".rho-card:not([hidden])").count()
    assert 1 <= visible < total
    assert f"{visible} of {total}" in page.locator("#filter-count").inner_text()
    page.close()
