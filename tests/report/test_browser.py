"""Open a built report and the index in headless Chromium: it renders, figures show, and no request
leaves the machine (every request is file:// or data:; anything else is blocked and fails the test).

Needs Debian's chromium at /usr/bin/chromium (``.ci/run`` installs it); without it the tests are
skipped with the reason.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from _buildkit import make_project, project_env

from rhoresearch import build

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

pytestmark = [pytest.mark.slow, pytest.mark.browser]


@pytest.fixture(scope="module")
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


def _open(browser, url: str):
    """Open ``url``; return the page and the list of requests that tried to leave the machine."""
    page = browser.new_page()
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
    assert page.locator("h1").first.inner_text() == "Full sample report"
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
    link = page.locator('a[href="full/report.html"]')
    assert link.inner_text() == "Full sample report"
    link.click()
    page.wait_for_load_state("load")
    assert page.title() == "Full sample report"
    assert remote == [], f"requests left the machine: {remote}"
    page.close()
