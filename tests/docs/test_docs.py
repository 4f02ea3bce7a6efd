"""The documentation site builds clean and holds what it promises.

The site (``make docs``: Sphinx with MyST, offline, ``-W --keep-going -n``, so any warning or broken
reference fails) is built once per test session from a copy of ``docs/`` under pytest's temporary
folder, unless ``make docs`` has already built it cleanly (``docs/_build/html/.build-ok``) after the
last change to any of its sources: then that build is checked.
"""

from __future__ import annotations

import inspect
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pandas as pd
import pytest
from sphinx.util.inventory import InventoryFile

import rhoresearch
from rhoresearch import stats

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
BUILT = DOCS / "_build" / "html"
CLEAN = BUILT / ".build-ok"
COVERAGE = DOCS / "methods" / "coverage" / "coverage.csv"
SPHINX = Path(sys.executable).with_name("sphinx-build")

pytestmark = pytest.mark.slow


def _sources() -> list[Path]:
    """Every file the site is built from."""
    skip = {DOCS / "_build", DOCS / "api" / "generated"}
    files = [p for p in DOCS.rglob("*") if p.is_file() and not any(s in p.parents for s in skip)]
    files += list((ROOT / "src" / "rhoresearch").rglob("*.py"))
    files += list((ROOT / "notebooks").glob("*.ipynb"))
    files += list((ROOT / "tests" / "fixtures" / "pheindicatormethods").glob("*.csv"))
    files += [
        ROOT / "CHANGELOG.md",
        ROOT / "data" / "reference" / "catalogue.json",
        ROOT / "tests" / "stats" / "test_indicators_backtest.py",
    ]
    return files


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The built site: `make docs`'s clean build if it is up to date, else a fresh strict build."""
    if CLEAN.exists() and CLEAN.stat().st_mtime >= max(p.stat().st_mtime for p in _sources()):
        return BUILT
    tmp = tmp_path_factory.mktemp("docs")
    shutil.copytree(DOCS, tmp / "docs", ignore=shutil.ignore_patterns("_build", "generated"))
    shutil.copy2(ROOT / "CHANGELOG.md", tmp / "CHANGELOG.md")
    run = subprocess.run(
        [str(SPHINX), "-b", "html", "-W", "--keep-going", "-n", "-q", "docs", "html"],
        cwd=tmp,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert run.returncode == 0, f"the docs build is not clean:\n{run.stderr[-6000:]}"
    return tmp / "html"


def test_every_public_stats_function_is_in_the_api_reference(site):
    inventory = InventoryFile.load((site / "objects.inv").open("rb"), "", lambda a, b: b)
    documented = set(inventory.get("py:function", {}))
    public = [n for n in stats.__all__ if inspect.isfunction(getattr(stats, n))]
    assert public, "rhoresearch.stats exports no function"
    missing = [n for n in public if f"rhoresearch.stats.{n}" not in documented]
    assert not missing, f"not in the API reference: {missing}"


def _method_pages(site: Path) -> list[Path]:
    pages = sorted((site / "methods").glob("*.html"))
    return [p for p in pages if p.stem not in {"index", "coverage"}]


def test_every_methods_page_has_formula_reference_agreement_and_coverage(site):
    pages = _method_pages(site)
    assert len(pages) >= 14, [p.name for p in pages]
    for page in pages:
        html = page.read_text(encoding="utf-8")
        for heading in ("Formula", "When to use it", "Reference", "Agreement with", "Coverage"):
            assert heading in html, f"{page.name}: no '{heading}' section"
        assert "Empirical coverage, " in html, f"{page.name}: no coverage table"
        figure = re.search(r'<img [^>]*alt="Coverage[^"]*" src="\.\./_images/([\w-]+\.png)"', html)
        assert figure and (site / "_images" / figure.group(1)).exists(), page.name


def test_the_coverage_study_meets_its_design():
    """At least 10,000 replicates per scenario, every interval family simulated, every figure."""
    table = pd.read_csv(COVERAGE)
    assert (table["replicates"] >= 10_000).all(), table.loc[table["replicates"] < 10_000]
    assert table["coverage"].between(0, 1).all()
    methods = set(table["method"])
    assert {"wilson", "poisson", "dsr", "isr", "ratios", "funnels", "auc", "models"} <= methods
    for method in methods:
        assert (COVERAGE.parent / f"{method}.png").exists(), method
        assert f"{{coverage-table}} {method}" in "".join(
            p.read_text() for p in (DOCS / "methods").glob("*.md")
        ), f"no methods page shows the coverage of {method}"


def test_backtest_agreement_is_computed_and_every_backtest_passes(site):
    html = "".join(p.read_text(encoding="utf-8") for p in _method_pages(site))
    rows = re.findall(r"<td><p>(\d+) of (\d+)</p></td>", html)
    assert len(rows) >= 10
    assert all(passed == total for passed, total in rows), rows


def test_the_pages_the_issue_lists_are_built(site):
    for page in (
        "getting-started",
        "tutorials/jupyterlab",
        "tutorials/add-report",
        "tutorials/own-extract",
        "tutorials/published-statistics",
        "tutorials/spark",
        "reviewers-guide",
        "architecture",
        "data-sources",
        "workstreams",
        "changelog",
        "rap-levels",
        "releasing",
    ):
        assert (site / f"{page}.html").exists(), page
    data_sources = (site / "data-sources.html").read_text(encoding="utf-8")
    assert "Open Government Licence" in data_sources


def test_version_is_the_pyprojects_and_the_changelog_has_it():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    version = pyproject["project"]["version"]
    assert rhoresearch.__version__ == version
    assert re.fullmatch(r"\d+\.\d+\.\d+", version), "not a semantic version"
    changelog = (ROOT / "CHANGELOG.md").read_text()
    assert f"## [{version}]" in changelog, f"CHANGELOG.md has no section for {version}"


def test_readme_links_the_docs():
    assert (
        "docs/" in (ROOT / "README.md").read_text()
        and "make docs" in (ROOT / "README.md").read_text()
    )
