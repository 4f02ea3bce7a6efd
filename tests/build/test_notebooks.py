"""Static checks of the workstream notebooks: thin, parameterised, committed without outputs."""

from __future__ import annotations

import ast
import io
import tokenize
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def test_there_is_one_notebook_per_workstream():
    prefixes = sorted(p.name[:3] for p in NOTEBOOKS)
    assert prefixes == ["01-", "02-", "03-", "04-", "05-", "06-"]


@pytest.fixture(params=NOTEBOOKS, ids=lambda p: p.name)
def notebook(request):
    return request.param, nbformat.read(request.param, as_version=4)


def _ends_with_semicolon(source: str) -> bool:
    """Whether IPython would keep the cell's last value quiet (last real token is ';')."""
    tokens = [
        t
        for t in tokenize.generate_tokens(io.StringIO(source).readline)
        if t.type not in {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.ENDMARKER}
        and t.string.strip()
    ]
    return bool(tokens) and tokens[-1].string == ";"


def _code_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code"]


def test_one_parameters_cell_first_among_code_cells(notebook):
    path, nb = notebook
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1, f"{path.name}: expected one cell tagged 'parameters'"
    assert _code_cells(nb)[0] is tagged[0], f"{path.name}: the parameters cell must come first"
    tree = ast.parse(tagged[0].source)
    assert all(isinstance(node, ast.Assign | ast.AnnAssign) for node in tree.body), (
        f"{path.name}: the parameters cell holds only assignments"
    )


def test_committed_without_outputs(notebook):
    path, nb = notebook
    for i, cell in enumerate(_code_cells(nb)):
        assert not cell.outputs, f"{path.name}: code cell {i} has outputs"
        assert cell.execution_count is None, f"{path.name}: code cell {i} has an execution count"


def test_thin_no_definitions_and_no_stray_echo(notebook):
    path, nb = notebook
    for i, cell in enumerate(_code_cells(nb)):
        tree = ast.parse(cell.source)
        for node in ast.walk(tree):
            assert not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef), (
                f"{path.name}: code cell {i} defines a function or class: it belongs in src/"
            )
        last = tree.body[-1] if tree.body else None
        if isinstance(last, ast.Expr) and isinstance(last.value, ast.Call):
            func = last.value.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            assert name != "save_table" or _ends_with_semicolon(cell.source), (
                f"{path.name}: code cell {i} ends with save_table(...), whose return value would be "
                "echoed into the report: end it with ';'"
            )


def test_no_formatting_exemptions_side_channels_or_symbols(notebook):
    """Cells are formatted by ruff (no ``# fmt: skip``), read no ``DataFrame.attrs`` and never
    test or write the ``[c]`` symbol themselves (the disclosure layer does)."""
    path, nb = notebook
    for i, cell in enumerate(_code_cells(nb)):
        assert "fmt: skip" not in cell.source, f"{path.name}: code cell {i} has '# fmt: skip'"
        tree = ast.parse(cell.source)
        for node in ast.walk(tree):
            assert not (isinstance(node, ast.Attribute) and node.attr == "attrs"), (
                f"{path.name}: code cell {i} reads DataFrame.attrs"
            )
            assert not (isinstance(node, ast.Constant) and node.value == "[c]"), (
                f"{path.name}: code cell {i} holds the literal '[c]'"
            )


def test_the_threshold_parameter_is_handed_to_the_runtime(notebook):
    """The runtime does not read the notebook's variables: each notebook passes its threshold."""
    path, nb = notebook
    calls = [
        node
        for cell in _code_cells(nb)
        for node in ast.walk(ast.parse(cell.source))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "set_threshold"
    ]
    assert len(calls) == 1, f"{path.name}: expected one runtime.set_threshold(...) call"
    arg = calls[0].args[0] if calls[0].args else None
    assert isinstance(arg, ast.Name) and arg.id == "suppression_threshold", path.name
