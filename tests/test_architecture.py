"""The package's architecture, checked: layers, module size, one helper per job, no side channels.

The layers are declared once, as import-linter contracts in ``pyproject.toml`` (``make test`` runs
``lint-imports``); these tests show that the contracts catch a wrong import, and check the rules that
import-linter cannot see (docs/architecture.md).
"""

from __future__ import annotations

import ast
import functools
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from rhoresearch import lazy

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "rhoresearch"
SOURCES = sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
MAX_LINES = 800


def _rel(path: Path) -> str:
    return path.relative_to(PACKAGE).as_posix()


@functools.cache
def _tree(path: Path) -> ast.Module:
    """The parsed module (parsed once per run: many checks below walk every source file).
    Callers only read it."""
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _lint_imports(src_root: Path) -> subprocess.CompletedProcess:
    """Run lint-imports with the project's contracts on the package found under ``src_root``."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "importlinter" in config["tool"], "the import contracts are missing from pyproject.toml"
    env = {"PYTHONPATH": str(src_root), "PATH": str(Path(sys.executable).parent)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(ROOT / "pyproject.toml"), "--no-cache"],
        capture_output=True,
        text=True,
        cwd=src_root,
        env=env,
        timeout=300,
    )


@pytest.fixture(scope="module")
def package_copy(tmp_path_factory) -> Path:
    """A copy of the package in a scratch folder, to plant wrong imports in."""
    root = tmp_path_factory.mktemp("layers") / "src"
    shutil.copytree(PACKAGE, root / "rhoresearch", ignore=shutil.ignore_patterns("__pycache__"))
    return root


def test_the_package_keeps_its_import_contracts():
    result = _lint_imports(ROOT / "src")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "wrong_import", "contract"),
    [
        ("stats/_core.py", "from rhoresearch.report import runtime", "Layers point down"),
        ("data/__init__.py", "from rhoresearch.workstreams import maternity", "Layers point down"),
        ("build/run.py", "from rhoresearch import stats", "The build runs notebooks"),
        (
            "workstreams/maternity/__init__.py",
            "from rhoresearch.workstreams import workforce",
            "No workstream imports another",
        ),
        ("stats/_core.py", "from rhoresearch import disclosure", "independent of each other"),
    ],
)
def test_a_wrong_import_is_caught(package_copy, module, wrong_import, contract):
    target = package_copy / "rhoresearch" / module
    if not target.exists():  # a module that is a single file rather than a package
        target = target.parent.with_suffix(".py")
    original = target.read_text(encoding="utf-8")
    try:
        target.write_text(original + f"\n{wrong_import}  # planted by the test\n", encoding="utf-8")
        result = _lint_imports(package_copy)
    finally:
        target.write_text(original, encoding="utf-8")
    assert result.returncode != 0, f"lint-imports accepted {wrong_import!r} in {module}"
    assert contract in result.stdout, result.stdout[-3000:]


@pytest.mark.parametrize("path", SOURCES, ids=_rel)
def test_no_module_is_over_the_size_limit(path):
    n = len(path.read_text(encoding="utf-8").splitlines())
    assert n <= MAX_LINES, f"{_rel(path)} has {n} lines: split it by concern (limit {MAX_LINES})"


def _attribute_uses(tree: ast.AST, name: str) -> list[int]:
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and node.attr == name
    ]


@pytest.mark.parametrize("path", SOURCES, ids=_rel)
def test_results_do_not_travel_in_dataframe_attrs(path):
    lines = _attribute_uses(_tree(path), "attrs")
    assert not lines, (
        f"{_rel(path)} uses DataFrame.attrs at lines {lines}: return the value instead"
    )


#: Modules that may name "[c]" outside disclosure, each for a stated reason.
SYMBOL_EXCEPTIONS = {
    # writes already-rendered CSVs into the spreadsheet, where a policy's punctuation-only symbol
    # (NHS England's "*") becomes the GSS shorthand [c]; it decides no suppression, and the build
    # layer may not import disclosure
    "build/spreadsheet.py",
}


@pytest.mark.parametrize(
    "path",
    [
        p
        for p in SOURCES
        if not _rel(p).startswith("disclosure/") and _rel(p) not in SYMBOL_EXCEPTIONS
    ],
    ids=_rel,
)
def test_the_suppression_symbol_is_written_only_by_the_disclosure_layer(path):
    lines = [
        node.lineno
        for node in ast.walk(_tree(path))
        if isinstance(node, ast.Constant) and node.value == "[c]"
    ]
    assert not lines, (
        f"{_rel(path)} has the literal '[c]' at lines {lines}: use disclosure.is_suppressed(...) "
        "to test a cell and disclosure.render(...) / disclosure.SUPPRESSED to show one"
    )


#: Function-level imports allowed, each for a stated reason (docs/architecture.md).
LAZY_IMPORTS = {
    # the command line imports a command's layer when it runs: make starts it once per report
    ("cli.py", "rhoresearch"),
    ("cli.py", "rhoresearch.build"),
    ("cli.py", "rhoresearch.demo"),
    # the build starts its first kernels before the heavy imports, then imports papermill,
    # nbconvert and pandas while those kernels start and the first notebooks run (issue 18)
    ("build/batch.py", "rhoresearch.build.run"),
    ("build/batch.py", "rhoresearch.build.export"),
    ("build/run.py", "rhoresearch.build.export"),
    ("build/spec.py", "papermill"),
    # comparing results tables is verify's job only; a build imports the module, never compares
    ("build/verify.py", "numpy"),
    ("build/verify.py", "pandas"),
}
LAZY_PREFIXES = ("pyspark",)  # an optional extra that needs Java: imported only for Spark sources


@pytest.mark.parametrize("path", SOURCES, ids=_rel)
def test_imports_are_at_module_level(path):
    found = []
    for func in ast.walk(_tree(path)):
        if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for node in ast.walk(func):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            for name in names:
                allowed = (_rel(path), name) in LAZY_IMPORTS or name.startswith(LAZY_PREFIXES)
                if not allowed:
                    found.append(f"line {node.lineno}: {name}")
    assert not found, f"{_rel(path)} imports inside functions ({'; '.join(found)})"


#: Libraries imported when first used, through ``rhoresearch.lazy`` (docs/architecture.md): a
#: notebook that stops at an input check does not load them. Type hints import them under
#: ``if TYPE_CHECKING:``.
LAZY_LIBRARIES = lazy.LIBRARIES


def _eager_imports(node: ast.AST) -> list[tuple[int, str]]:
    """The modules ``node`` imports when it runs (not under ``if TYPE_CHECKING:``)."""
    if isinstance(node, ast.If) and ast.unparse(node.test) in {
        "TYPE_CHECKING",
        "typing.TYPE_CHECKING",
    }:
        return [i for child in node.orelse for i in _eager_imports(child)]
    if isinstance(node, ast.Import):
        return [(node.lineno, a.name) for a in node.names]
    if isinstance(node, ast.ImportFrom):
        return [(node.lineno, node.module or "")]
    return [i for child in ast.iter_child_nodes(node) for i in _eager_imports(child)]


@pytest.mark.parametrize("path", SOURCES, ids=_rel)
def test_plotting_and_modelling_libraries_are_imported_on_first_use(path):
    found = [
        f"line {line}: {name}"
        for line, name in _eager_imports(_tree(path))
        if name.partition(".")[0] in LAZY_LIBRARIES
    ]
    assert not found, (
        f"{_rel(path)} imports {'; '.join(found)} with the module: use "
        f'rhoresearch.lazy (e.g. sm = lazy.module("statsmodels.api")), and for type hints an '
        "import under `if TYPE_CHECKING:`"
    )


def _assigned_names(tree: ast.Module) -> dict[str, int]:
    out = {}
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else []
        if isinstance(node, ast.AnnAssign):
            targets = [node.target]
        for t in targets:
            if isinstance(t, ast.Name) and isinstance(getattr(node, "value", None), ast.Constant):
                out[t.id] = node.lineno
    return out


def test_one_default_threshold():
    defined = [_rel(p) for p in SOURCES if "DEFAULT_THRESHOLD" in _assigned_names(_tree(p))]
    assert defined == ["validation.py"], f"DEFAULT_THRESHOLD is given a value in {defined}"


@pytest.mark.parametrize(
    "helper",
    [
        "as_list",
        "_as_list",
        "as_columns",
        "_slug",
        "alnum_slug",
        "_sha256",
        "file_sha256",
        "require",
    ],
)
def test_one_helper_per_job(helper):
    """The argument checks, slugs and the file hash exist once (validation, provenance)."""
    home = {"as_columns": "validation.py", "file_sha256": "provenance.py"}
    defined = sorted(
        _rel(p)
        for p in SOURCES
        for node in ast.walk(_tree(p))
        if isinstance(node, ast.FunctionDef) and node.name == helper
    )
    expected = [home[helper]] if helper in home else []
    assert defined == expected, f"{helper} is defined in {defined}; expected {expected}"


def test_no_import_cycle_between_build_and_verify():
    verify = _tree(PACKAGE / "build" / "verify.py")
    imported = {
        node.module for node in ast.walk(verify) if isinstance(node, ast.ImportFrom) and node.module
    }
    assert not imported & {"rhoresearch.build", "rhoresearch.build.run", "rhoresearch.build.batch"}
