"""The figure functions' shared parameter descriptions reach every rendered docstring."""

from __future__ import annotations

import inspect

import pytest

from rhoresearch.report.plotting import bar_ci, forest_plot


@pytest.mark.parametrize("func", [bar_ci, forest_plot])
def test_figure_docstrings_describe_every_parameter(func):
    doc = inspect.getdoc(func)
    assert "{" not in doc.split("Parameters")[1].split("Returns")[0]  # every field filled
    for name in ("counts", "threshold", "alt", "title", "ylabel"):
        assert f"\n{name} : " in doc
