"""The one mechanism for numpydoc text shared between docstrings (rhoresearch.docstrings)."""

from __future__ import annotations

import inspect

import pytest

from rhoresearch.docstrings import fill_docs

_ENTRIES = {
    "digits": """
        digits : int, default 1
            Decimal places.
    """,
    "by": "by : str or list of str, optional\n    Grouping columns.",
}


def test_an_entry_is_dedented_and_indented_as_its_field():
    @fill_docs(**_ENTRIES)
    def f(x: float, *, digits: int = 1, by: str | None = None) -> str:
        """One line.

        Parameters
        ----------
        x : float
            A number.
        {digits}
        {by}
        """
        return f"{x:.{digits}f}"

    assert inspect.getdoc(f).splitlines()[-5:] == [
        "    A number.",
        "digits : int, default 1",
        "    Decimal places.",
        "by : str or list of str, optional",
        "    Grouping columns.",
    ]
    assert f(1.25) == "1.2"  # the function itself is returned, unchanged


def test_nested_fields_inline_fields_empty_pieces_and_templates():
    pieces = {
        "entry": "region : str\n    The area, default {default}.\n\n    {more}",
        "more": "Case does not matter.",
        "default": '"England"',
        "gone": "",
    }

    @fill_docs(**pieces)
    def f():
        """Summary with {"a", "b"} kept.

        Parameters
        ----------
        {entry}
        {gone}
        """

    assert f.__doc__ == (
        'Summary with {"a", "b"} kept.\n\n        Parameters\n        ----------\n'
        '        region : str\n            The area, default "England".\n\n'
        "            Case does not matter.\n"
    )
    g = fill_docs("Summary.\n\nParameters\n----------\n{entry}\n", **pieces)(lambda: None)
    assert inspect.getdoc(g).splitlines()[4:] == [
        "region : str",
        '    The area, default "England".',
        "",
        "    Case does not matter.",
    ]


def test_braces_of_formulas_and_percent_signs_are_left_alone():
    def f():
        """95% and 99.8% limits; :math:`\\text{if} x_{i} e^{b} \\frac{a}{b}`; {"a"}."""

    before = f.__doc__
    assert fill_docs(**_ENTRIES)(f).__doc__ == before


@pytest.mark.parametrize("doc", ["One line.\n\n    {nothing}\n", "Default {regoin}."])
def test_a_field_with_no_piece_fails_when_the_function_is_defined(doc):
    def f() -> None:
        pass

    f.__doc__ = doc
    with pytest.raises(KeyError, match="nothing|regoin"):
        fill_docs(**_ENTRIES)(f)


def test_a_function_without_docstring_is_left_as_it_is():
    def f() -> None:
        pass

    assert fill_docs(**_ENTRIES)(f).__doc__ is None
