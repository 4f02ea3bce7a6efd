"""Shared parameter text (rhoresearch.stats._docs) reaches every rendered statistics docstring."""

from __future__ import annotations

import inspect
import re

import pytest

from rhoresearch import stats
from rhoresearch.stats._docs import PARAMS, shared_docs

PUBLIC_FUNCTIONS = [
    getattr(stats, name) for name in stats.__all__ if inspect.isfunction(getattr(stats, name))
]


def _documented(doc: str, parameter: str) -> bool:
    """Whether the Parameters section has an entry naming ``parameter`` (alone or in a list)."""
    return re.search(rf"^    (\w+, )*{parameter}(, \w+)*( :|$)", doc, re.MULTILINE) is not None


@pytest.mark.parametrize("func", PUBLIC_FUNCTIONS, ids=lambda f: f.__name__)
def test_every_public_docstring_is_complete_after_substitution(func):
    doc = func.__doc__
    assert not re.search(r"^\s*\{\w+\}\s*$", doc, re.MULTILINE), (
        f"{func.__name__}: a field was left"
    )
    parameters = list(inspect.signature(func).parameters)
    sections = ["Parameters"] * bool(parameters) + ["Returns", "References"]
    for section in sections:
        assert f"    {section}\n" in doc, f"{func.__name__}: no {section} section"
    missing = [p for p in parameters if not _documented(doc, p)]
    assert not missing, f"{func.__name__}: parameters {missing} are not documented"


def test_shared_parameter_text_is_indented_as_its_field():
    def f(by=None):
        """Summary.

        Parameters
        ----------
        {by}
        """

    shared_docs(f)
    name_line, description = PARAMS["by"].splitlines()
    assert f"\n        {name_line}\n        {description}\n" in f.__doc__
