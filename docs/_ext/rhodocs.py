"""Sphinx directives that put the project's own numbers into the documentation (never typed in).

- ``catalogue-table``: the reference tables of ``data/reference/catalogue.json`` (source, licence,
  retrieval date, sha256);
- ``backtest-agreement``: for the backtests named in its content (``test_rate``, or
  ``test_byars_wilson:Wilson`` for the rows of one label), the rows compared with
  PHEindicatormethods and the largest relative and absolute differences, computed at build time by
  running the backtests of ``tests/stats/test_indicators_backtest.py`` with a recording comparison;
- ``coverage-table``: the rows of ``docs/methods/coverage/coverage.csv`` (written by
  ``benchmarks/coverage.py``) for one method, under-coverage marked;
- ``coverage-summary``: every statistic and scenario that under-covers, across all methods;
- ``stats-others``: every public function of ``rhoresearch.stats`` that the page it is on does not
  already list, so a function added to ``stats.__all__`` is in the API reference at once;
- ``notebook-parameters`` and ``notebook-sections``: a notebook's ``parameters`` cell and its
  ``##`` sections, read from the committed notebook.
"""

from __future__ import annotations

import importlib.util
import inspect
import json
import math
import re
import sys
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

import pandas as pd
from docutils import nodes
from docutils.parsers.rst import directives
from docutils.statemachine import StringList
from sphinx.application import Sphinx
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from rhoresearch import config, stats

#: The project (not this file's folder: the docs can be built from a copy, as the tests do).
ROOT = config.project_root()
CATALOGUE = ROOT / "data" / "reference" / "catalogue.json"
BACKTESTS = ROOT / "tests" / "stats" / "test_indicators_backtest.py"
COVERAGE = ROOT / "docs" / "methods" / "coverage" / "coverage.csv"

logger = logging.getLogger(__name__)


# ---------------------------------------------------------------------------------------------
# tables as docutils nodes
# ---------------------------------------------------------------------------------------------


def _cell(content: Any) -> nodes.entry:
    entry = nodes.entry()
    if isinstance(content, nodes.Node):
        entry += nodes.paragraph("", "", content)
    else:
        entry += nodes.paragraph(text=str(content))
    return entry


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]], caption: str = "") -> nodes.table:
    """A docutils table with a header row (and a title, when given)."""
    tab = nodes.table(classes=["rhodocs"])
    if caption:
        tab += nodes.title(text=caption)
    group = nodes.tgroup(cols=len(headers))
    tab += group
    for _ in headers:
        group += nodes.colspec(colwidth=1)
    head = nodes.thead()
    row = nodes.row()
    for h in headers:
        row += _cell(h)
    head += row
    group += head
    body = nodes.tbody()
    for values in rows:
        row = nodes.row()
        for v in values:
            row += _cell(v)
        body += row
    group += body
    return tab


# ---------------------------------------------------------------------------------------------
# the reference catalogue
# ---------------------------------------------------------------------------------------------


class CatalogueTable(SphinxDirective):
    """Every table of ``data/reference/catalogue.json``."""

    def run(self) -> list[nodes.Node]:
        self.env.note_dependency(str(CATALOGUE))
        tables = json.loads(CATALOGUE.read_text(encoding="utf-8"))["tables"]
        rows = []
        for name, entry in tables.items():
            link = nodes.reference("", entry["publisher"], refuri=entry["source_url"])
            rows.append(
                [
                    nodes.literal(text=f"data/reference/{entry['file']}"),
                    entry["title"],
                    link,
                    entry["licence"].split(" (")[0],
                    entry["retrieved"],
                    nodes.literal(text=entry["sha256"][:12]),
                ]
            )
            del name
        headers = ["file", "what it is", "publisher (source)", "licence", "retrieved", "sha256"]
        return [table(headers, rows)]


# ---------------------------------------------------------------------------------------------
# agreement with PHEindicatormethods: the backtests, run with a recording comparison
# ---------------------------------------------------------------------------------------------

#: For backtests whose file mixes methods: the column of the row that labels it.
ROW_LABELS: dict[str, tuple[str, str]] = {
    "test_byars_wilson": ("byars_wilson.csv", "method"),
    "test_dsr": ("calculate_dsr_expected.csv", "independent_events"),
}


#: Row labels in words.
LABEL_WORDS = {"True": "independent events", "False": "non-independent events"}


def _load_backtests() -> ModuleType:
    spec = importlib.util.spec_from_file_location("rhodocs_backtests", BACKTESTS)
    if spec is None or spec.loader is None:
        raise RuntimeError(f"cannot import {BACKTESTS}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _cases(func: Callable[..., Any]) -> list[tuple[str, dict[str, Any]]]:
    """The parameter sets of a parametrised test: (id, keyword arguments)."""
    cases: list[tuple[str, dict[str, Any]]] = []
    for mark in getattr(func, "pytestmark", []):
        if mark.name != "parametrize":
            continue
        names = mark.args[0]
        names = [n.strip() for n in names.split(",")] if isinstance(names, str) else list(names)
        for param in mark.args[1]:
            values = param.values if hasattr(param, "values") else (param,)
            cases.append((str(getattr(param, "id", "")), dict(zip(names, values, strict=True))))
    return cases


def run_backtests() -> dict[str, dict[str, float]]:
    """Run every backtest once; per test (and per row label), the rows, failures and the largest
    relative and absolute differences of the compared numbers."""
    module = _load_backtests()
    current: dict[str, Any] = {}
    diffs: dict[str, list[tuple[float, float]]] = defaultdict(list)

    def recording_close(actual: Any, expected: Any, rtol: float, what: str = "") -> None:
        a, e = float(actual), float(expected)
        if math.isnan(e) and math.isnan(a):
            return
        absolute = abs(a - e)
        relative = absolute / abs(e) if e != 0 else absolute
        diffs[current["key"]].append((relative, absolute))

    module.close = recording_close
    summary: dict[str, dict[str, float]] = {}
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for name, func in inspect.getmembers(module, inspect.isfunction):
        if not name.startswith("test_"):
            continue
        wants_request = "request" in inspect.signature(func).parameters
        for case_id, kwargs in _cases(func):
            key = name
            if name in ROW_LABELS and "i" in kwargs:
                file, column = ROW_LABELS[name]
                label = str(module.load(file).loc[kwargs["i"], column])
                key = f"{name}:{LABEL_WORDS.get(label, label)}"
            current["key"] = key
            if wants_request:
                kwargs["request"] = SimpleNamespace(
                    node=SimpleNamespace(callspec=SimpleNamespace(id=case_id))
                )
            counts[key][0] += 1
            try:
                func(**kwargs)
            except Exception as exc:  # a failing row is reported, not hidden
                counts[key][1] += 1
                logger.warning(f"backtest {case_id} fails: {type(exc).__name__}: {exc}")
    for key, (n, failed) in counts.items():
        found = diffs.get(key, [])
        summary[key] = {
            "rows": n,
            "failed": failed,
            "numbers": len(found),
            "max_relative": max((r for r, _ in found), default=float("nan")),
            "max_absolute": max((a for _, a in found), default=float("nan")),
        }
    return summary


def _backtests(app: Sphinx) -> dict[str, dict[str, float]]:
    if not hasattr(app, "rhodocs_backtests"):
        app.rhodocs_backtests = run_backtests()  # type: ignore[attr-defined]
    return app.rhodocs_backtests  # type: ignore[attr-defined]


def _fmt(x: float) -> str:
    if math.isnan(x):
        return "(no numbers: categories compared)"
    return "0 (identical)" if x == 0 else f"{x:.1e}"


class BacktestAgreement(SphinxDirective):
    """Rows compared and largest differences for the backtests named in the content."""

    has_content = True

    def run(self) -> list[nodes.Node]:
        self.env.note_dependency(str(BACKTESTS))
        results = _backtests(self.env.app)
        rows = []
        for line in self.content:
            key = line.strip()
            if not key:
                continue
            if key not in results:
                raise self.error(
                    f"backtest-agreement: no backtest {key!r}; known: {sorted(results)}"
                )
            r = results[key]
            passed = f"{int(r['rows'] - r['failed'])} of {int(r['rows'])}"
            rows.append(
                [
                    nodes.literal(text=key),
                    passed,
                    int(r["numbers"]),
                    _fmt(r["max_relative"]),
                    _fmt(r["max_absolute"]),
                ]
            )
        headers = [
            "backtest (tests/stats/test_indicators_backtest.py)",
            "rows that pass",
            "numbers compared",
            "largest relative difference",
            "largest absolute difference",
        ]
        return [table(headers, rows)]


# ---------------------------------------------------------------------------------------------
# the coverage study
# ---------------------------------------------------------------------------------------------


def _coverage() -> pd.DataFrame:
    data = pd.read_csv(COVERAGE)
    data["under"] = data["coverage"] + 2 * data["mc_error"] < data["nominal"]
    return data


def _coverage_rows(data: pd.DataFrame, with_method: bool) -> list[list[Any]]:
    rows = []
    for r in data.itertuples(index=False):
        verdict: Any = (
            nodes.strong(text="under-covers") if r.under else ("over-covers" if (
                r.coverage - 2 * r.mc_error > r.nominal) else "nominal")
        )  # fmt: skip
        row = [r.method] if with_method else []
        row += [
            r.statistic,
            r.scenario,
            f"{r.nominal:g}",
            f"{r.coverage:.4f} ± {r.mc_error:.4f}",
            f"{r.truth_below_lower:.4f} / {r.truth_above_upper:.4f}",
            f"{r.reported:.3f}",
            f"{r.mean_width:.4g}",
            verdict,
        ]
        rows.append(row)
    return rows


HEADERS = [
    "statistic",
    "scenario",
    "nominal",
    "coverage ± Monte Carlo SE",
    "misses: truth below / above",
    "share reported",
    "mean width",
    "verdict",
]


class CoverageTable(SphinxDirective):
    """The coverage rows of one method (its argument), from ``coverage.csv``."""

    required_arguments = 1
    option_spec = {"statistic": directives.unchanged}

    def run(self) -> list[nodes.Node]:
        self.env.note_dependency(str(COVERAGE))
        data = _coverage()
        method = self.arguments[0]
        sub = data[data["method"] == method]
        if "statistic" in self.options:
            sub = sub[sub["statistic"].str.contains(self.options["statistic"], regex=False)]
        if sub.empty:
            raise self.error(f"coverage-table: no rows for method {method!r} in {COVERAGE}")
        reps = int(sub["replicates"].iloc[0])
        caption = f"Empirical coverage, {reps:,} replicates per scenario (benchmarks/coverage.py)"
        return [table(HEADERS, _coverage_rows(sub, False), caption)]


class CoverageSummary(SphinxDirective):
    """Every row of ``coverage.csv`` that under-covers (by more than two Monte Carlo errors), or
    with the ``all`` flag every row."""

    option_spec = {"all": directives.flag}

    def run(self) -> list[nodes.Node]:
        self.env.note_dependency(str(COVERAGE))
        data = _coverage()
        under = data if "all" in self.options else data[data["under"]]
        if under.empty:
            return [
                nodes.paragraph(text="No interval under-covers by more than 2 Monte Carlo SEs.")
            ]
        return [table(["method", *HEADERS], _coverage_rows(under, True))]


# ---------------------------------------------------------------------------------------------
# notebooks: the parameters cell and the report's sections, read from the committed notebook
# ---------------------------------------------------------------------------------------------


def _notebook(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


class NotebookParameters(SphinxDirective):
    """The ``parameters`` cell of a notebook (its argument, relative to the project root)."""

    required_arguments = 1

    def run(self) -> list[nodes.Node]:
        path = ROOT / self.arguments[0]
        self.env.note_dependency(str(path))
        for cell in _notebook(path)["cells"]:
            if "parameters" in cell.get("metadata", {}).get("tags", []):
                source = "".join(cell["source"])
                block = nodes.literal_block(source, source, language="python")
                return [block]
        raise self.error(f"notebook-parameters: {path} has no cell tagged 'parameters'")


class NotebookSections(SphinxDirective):
    """The ``##`` sections of a notebook, as a list: what its report shows, in order."""

    required_arguments = 1

    def run(self) -> list[nodes.Node]:
        path = ROOT / self.arguments[0]
        self.env.note_dependency(str(path))
        items = nodes.bullet_list()
        for cell in _notebook(path)["cells"]:
            if cell["cell_type"] != "markdown":
                continue
            for line in "".join(cell["source"]).splitlines():
                if line.startswith("## "):
                    items += nodes.list_item("", nodes.paragraph(text=line[3:].strip()))
        return [items]


# ---------------------------------------------------------------------------------------------
# the API reference: nothing public left out
# ---------------------------------------------------------------------------------------------


class StatsOthers(SphinxDirective):
    """Entries for the public names of ``rhoresearch.stats`` (functions and constants) that the
    current page does not mention, documented where they are defined, so that a name added to
    ``stats.__all__`` is in the API reference at once."""

    def run(self) -> list[nodes.Node]:
        source = Path(self.env.doc2path(self.env.docname)).read_text(encoding="utf-8")
        others = [n for n in stats.__all__ if not re.search(rf"\b{re.escape(n)}\b", source)]
        if not others:
            return [nodes.paragraph(text="None: every public name is in a section above.")]
        text = ["Public names not yet placed in a section above:", "", "```{eval-rst}"]
        for name in others:  # autodoc writes reStructuredText: parse it as such
            if callable(getattr(stats, name)):
                text.append(f".. autofunction:: rhoresearch.stats.{name}\n")
            else:
                text.append(f".. autodata:: {_defined_in(name)}.{name}\n")
        text += ["```", ""]
        container = nodes.container()
        self.state.nested_parse(StringList(text, source=self.env.docname), 0, container)
        return container.children


def _defined_in(name: str) -> str:
    """The module of ``rhoresearch.stats`` whose source assigns ``name`` (for its ``#:`` comment)."""
    for module_name, module in sorted(sys.modules.items()):
        if not module_name.startswith("rhoresearch.stats.") or not hasattr(module, "__file__"):
            continue
        text = Path(str(module.__file__)).read_text(encoding="utf-8")
        if re.search(rf"^{re.escape(name)}\s*(:[^=]*)?=", text, flags=re.MULTILINE):
            return module_name
    return "rhoresearch.stats"


# ---------------------------------------------------------------------------------------------
# cross-references: a name re-exported by a package resolves to where it is documented
# ---------------------------------------------------------------------------------------------


def resolve_reexport(
    app: Sphinx, env: Any, node: nodes.Element, contnode: nodes.Element
) -> nodes.Element | None:
    """Resolve a Python reference the domain could not (``InputError``, ``rhoresearch.stats.
    indicators.rate``) when exactly one documented ``rhoresearch`` object has that last name and,
    for a dotted target, lives in the same package. Anything else stays a (fatal) warning."""
    if node.get("refdomain") != "py":
        return None
    target = str(node.get("reftarget", "")).lstrip(".~")
    name = target.rsplit(".", 1)[-1]
    package = ".".join(target.split(".")[:2]) if target.startswith("rhoresearch.") else ""
    domain = env.get_domain("py")
    found = [
        (full, obj)
        for full, obj in domain.objects.items()
        if full.startswith("rhoresearch.")
        and full.rsplit(".", 1)[-1] == name
        and full.startswith(package)
        and not obj.aliased
    ]
    if len(found) != 1:
        return None
    from sphinx.util.nodes import make_refnode

    full, obj = found[0]
    return make_refnode(app.builder, node["refdoc"], obj.docname, obj.node_id, contnode, full)


#: Docstring text that docutils misreads, fixed while the docs are built (the source file's owner
#: fixes the docstring; the build warns once the text is gone, so each entry is removed then).
DOCSTRING_FIXES: dict[str, tuple[str, str]] = {
    "rhoresearch.stats.kappa": ("p_e = sum_i p_i. p_.i", "``p_e = sum_i p_i. p_.i``"),
}


def fix_docstring(
    app: Sphinx, what: str, name: str, obj: Any, options: Any, lines: list[str]
) -> None:
    if name not in DOCSTRING_FIXES:
        return
    old, new = DOCSTRING_FIXES[name]
    if not any(old in line for line in lines):
        logger.warning(f"rhodocs: the docstring of {name} no longer holds {old!r}: drop the fix")
        return
    lines[:] = [line.replace(old, new) for line in lines]


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_directive("catalogue-table", CatalogueTable)
    app.add_directive("backtest-agreement", BacktestAgreement)
    app.add_directive("coverage-table", CoverageTable)
    app.add_directive("coverage-summary", CoverageSummary)
    app.add_directive("stats-others", StatsOthers)
    app.add_directive("notebook-parameters", NotebookParameters)
    app.add_directive("notebook-sections", NotebookSections)
    app.connect("missing-reference", resolve_reexport)
    app.connect("autodoc-process-docstring", fix_docstring)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
