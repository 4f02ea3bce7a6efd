"""Numpydoc text written once and shared by the docstrings that need it.

A parameter that several public functions take with the same meaning (``by``, ``confidence``, a
figure's ``counts``), a paragraph that two workstreams' steps share, or a whole docstring for
functions documented alike is written once, in a module-level constant, and each docstring names it
as a field ``{name}``. :func:`fill_docs` fills the fields when the function is defined, so ``help(f)``
and the rendered documentation show every parameter in full: the pattern of pandas' ``@doc`` and
seaborn's ``DocstringComponents``.

- A piece of several lines (a parameter's entry: its ``name : type`` line and its indented
  description) is dedented, then indented as the line that holds its field, so an entry fits any
  docstring however it was written.
- A field alone on its line whose piece is empty removes the line.
- A piece may hold fields of its own; they are filled in turn.
- Only ``{word}`` is a field, and not inside a formula (``\\text{if}``, ``x_{i}``, ``e^{b}``): other
  braces (``{"exclude", "reference"}``) stay as written.
- A field with no piece raises ``KeyError`` when the module is imported, so a misspelt field never
  reaches a rendered docstring.

Example::

    _DOCS = {"digits": '''
        digits : int, default 1
            Decimal places.
    '''}

    @fill_docs(**_DOCS)
    def f(x, *, digits=1):
        '''One line.

        Parameters
        ----------
        x : float
            A number.
        {digits}
        '''
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable
from typing import TypeVar

__all__ = ["fill_docs"]

_Documented = TypeVar("_Documented")

#: A field of a docstring: ``{name}``, not written as part of a formula (after a letter, digit, ``_``,
#: ``^``, ``\\`` or ``}``, as in ``:math:`\\text{if}``` or ``x_{i}``, braces are the formula's).
_FIELD = re.compile(r"(?<![\w}^\\])\{(\w+)\}")


def fill_docs(
    template: str | None = None, /, **pieces: str
) -> Callable[[_Documented], _Documented]:
    """Write numpydoc text shared by several docstrings into the one decorated.

    Parameters
    ----------
    template : str, optional
        The docstring to fill, written once for functions that are documented alike (e.g. the
        same step of two workstreams); default: the decorated object's own docstring.
    **pieces : str
        The text of each field (see the module notes).

    Returns
    -------
    callable
        A decorator that sets the ``__doc__`` of a function or class and returns it unchanged
        otherwise.

    Raises
    ------
    KeyError
        When the docstring has a field with no piece.

    References
    ----------
    pandas: ``pandas.util._decorators.doc``. Waskom ML. seaborn: statistical data visualization.
    J Open Source Softw 2021;6:3021 (``seaborn._docstrings.DocstringComponents``).
    """
    texts = {name: textwrap.dedent(text).strip("\n") for name, text in pieces.items()}

    def decorate(obj: _Documented) -> _Documented:
        doc = template if template is not None else obj.__doc__
        if doc is not None:  # None under python -OO
            obj.__doc__ = _filled(doc, texts)
        return obj

    return decorate


def _filled(doc: str, pieces: dict[str, str]) -> str:
    """``doc`` with each ``{name}`` replaced by ``pieces[name]`` (see :func:`fill_docs`)."""
    for _ in range(4):
        names = set(_FIELD.findall(doc))
        if not names:
            return doc
        missing = sorted(names - set(pieces))
        if missing:
            raise KeyError(f"docstring fields with no text: {missing}")
        out = []
        for line in doc.split("\n"):
            indent = line[: len(line) - len(line.lstrip())]
            filled = _FIELD.sub(lambda match: pieces[match.group(1)], line)
            if filled.strip() or not line.strip():
                out += [part.rstrip() for part in filled.replace("\n", "\n" + indent).split("\n")]
        doc = "\n".join(out)
    raise KeyError(f"docstring fields nested too deep: {sorted(set(_FIELD.findall(doc)))}")
