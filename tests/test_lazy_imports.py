"""Heavy libraries are imported when first used (rhoresearch.lazy; docs/architecture.md).

A notebook's first cells (parameters, imports, the disclosure policy) must not load statsmodels,
matplotlib or seaborn: a notebook that stops at an input check, as every case of the bad-input corpus
does, then never pays for them. The first figure or model loads them.
"""

from __future__ import annotations

import inspect
import json
import subprocess
import sys
import traceback
from collections.abc import Iterator
from pathlib import Path

import pytest

from rhoresearch import lazy

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("0[1-6]-*.ipynb"))
HEAVY = lazy.LIBRARIES

# Run in a fresh interpreter: the first two code cells of each notebook (its parameters and its
# imports, each notebook in a namespace of its own), then the house style, then a statistic that
# needs statsmodels; "loaded" lists the heavy modules imported (a lazy stand-in is not a module and
# is not in sys.modules).
_PROBE = """
import json, sys

HEAVY = {heavy!r}
CELLS = {cells!r}


def loaded():
    return sorted(name for name in list(sys.modules) if name.partition(".")[0] in HEAVY)


steps = {{}}
for notebook, code in CELLS.items():
    exec(compile(code, notebook, "exec"), {{}})
steps["import cells"] = loaded()

from rhoresearch.report import plotting

plotting.set_theme()
steps["set_theme"] = loaded()

import numpy as np
from rhoresearch import stats

stats.kappa(np.array([[20, 5], [10, 15]]))
steps["kappa"] = loaded()
print(json.dumps(steps))
"""


def _first_cells(path: Path) -> str:
    """The parameters cell and the import cell of a notebook (its first two code cells)."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    code = ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
    return code[0] + "\n" + code[1]


def test_the_notebooks_import_cells_load_no_plotting_or_modelling_library():
    cells = {p.name: _first_cells(p) for p in NOTEBOOKS}
    assert len(cells) == 6, f"expected notebooks 01-06, found {sorted(cells)}"
    for name, code in cells.items():
        assert "import" in code and "runtime.set_policy" in code, f"{name}: not its import cell"
    probe = _PROBE.format(heavy=HEAVY, cells=cells)
    run = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT / "notebooks",
    )
    assert run.returncode == 0, run.stderr[-3000:]
    steps = json.loads(run.stdout.strip().splitlines()[-1])
    assert steps["import cells"] == [], (
        "importing what the notebooks' first cells import loaded "
        f"{sorted({m.partition('.')[0] for m in steps['import cells']})}: a heavy library is "
        "imported at module level instead of through rhoresearch.lazy "
        f"({steps['import cells'][:10]})"
    )
    assert {"matplotlib", "matplotlib.figure", "seaborn"} <= set(steps["set_theme"])
    assert "statsmodels.stats.inter_rater" not in steps["set_theme"]
    assert "statsmodels.stats.inter_rater" in steps["kappa"]


# ---- the helper itself, on a small package written for the test ----------------------------------

_PACKAGE = {
    # the parent imports one of its submodules while it loads (as matplotlib imports its colors)
    "__init__.py": "import sys\nsys._lazy_test_log.append('pkg')\nfrom pkg import inner\n",
    "inner.py": "import sys\nimport pkg\nsys._lazy_test_log.append('inner')\nVALUE = 1\n",
    "child.py": "import sys\nimport pkg\nsys._lazy_test_log.append('child')\nVALUE = pkg.inner.VALUE + 1\n",
    "broken.py": "raise RuntimeError('broken on import')\n",
}


@pytest.fixture
def pkg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """A package ``pkg`` on sys.path whose modules log their import; the log is yielded."""
    root = tmp_path / "pkg"
    root.mkdir()
    for name, text in _PACKAGE.items():
        (root / name).write_text(text, encoding="utf-8")
    log: list[str] = []
    monkeypatch.setattr(sys, "_lazy_test_log", log, raising=False)
    monkeypatch.syspath_prepend(str(tmp_path))
    yield log
    for name in [n for n in sys.modules if n == "pkg" or n.startswith("pkg.")]:
        del sys.modules[name]


def test_nothing_is_imported_until_an_attribute_is_used(pkg):
    child = lazy.module("pkg.child")
    assert pkg == [] and "pkg" not in sys.modules  # not even the parent package
    assert "not imported yet" in repr(child)
    assert child.VALUE == 2
    assert pkg == ["pkg", "inner", "child"]  # the parent first, as an ordinary import
    import pkg.child as imported

    assert child.__name__ == "pkg.child" and imported.VALUE == 2
    assert sys.modules["pkg.child"] is imported  # one real module, which the stand-in reads
    assert "imported" in repr(child) and "yet" not in repr(child)


def test_an_import_elsewhere_first_gives_the_same_module(pkg):
    inner = lazy.module("pkg.inner")
    import pkg.inner as real

    assert pkg == ["pkg", "inner"]  # imported once, by the ordinary import
    assert inner.VALUE == 1 and pkg == ["pkg", "inner"]  # the stand-in reads that module
    real.VALUE = 5
    assert inner.VALUE == 5


def test_an_imported_module_is_returned_as_it_is(pkg):
    import pkg.inner

    assert lazy.module("pkg.inner") is pkg.inner
    assert lazy.module("json") is sys.modules["json"]


def test_a_traceback_does_not_import_a_stand_in(pkg):
    child = lazy.module("pkg.child")
    try:
        raise ValueError("a cell that stops at an input check")
    except ValueError:
        traceback.format_exc()
    inspect.getmodule(inspect.currentframe())  # reads every module's file (IPython tracebacks)
    assert pkg == [] and "pkg.child" not in sys.modules
    assert child.VALUE == 2


def test_a_missing_or_broken_module_fails_when_first_used(pkg):
    missing = lazy.module("no_such_package_rhoresearch_test")
    with pytest.raises(ModuleNotFoundError):
        missing.anything  # noqa: B018 (the access is the import)
    with pytest.raises(ModuleNotFoundError):
        lazy.module("pkg.no_such_module").anything  # noqa: B018
    broken = lazy.module("pkg.broken")
    with pytest.raises(RuntimeError, match="broken on import"):
        broken.anything  # noqa: B018
