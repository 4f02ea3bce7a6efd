"""Shared wording of the workstreams (private): parameter text for docstrings, cells for sentences.

A parameter that means the same in several functions (``threshold``, ``confidence``, the two
linked sources ...) is described once, so that every docstring that has it reads the same, as
seaborn does with its ``_param_docs``. A docstring holds a field ``{name}`` where the entry goes;
:func:`document` replaces that line, indented as it is, with the entry when the module is imported
(the mechanism of :func:`rhoresearch.docstrings.fill_docs`), so ``help(f)`` and the rendered
documentation show the whole text. The entries come from :data:`PARAMETERS`, from a module's own
mapping, or from the function a workstream function passes the argument on to: :func:`parameters`
reads that function's numpydoc Parameters section, so a wrapper says what the statistics function
says about it. A docstring composed from a template is set by :func:`docstring`.

The key findings of every report quote cells of its suppressed tables: :func:`cell` and
:func:`interval` word one cell, or an estimate with its interval, as
:mod:`rhoresearch.report.narrative` formats numbers, reading each cell's suppression flag
(:func:`rhoresearch.disclosure.is_suppressed`) so that a suppressed value is never printed.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

import pandas as pd

from rhoresearch import disclosure
from rhoresearch.docstrings import fill_docs
from rhoresearch.report import narrative
from rhoresearch.validation import DEFAULT_THRESHOLD, slug

F = TypeVar("F", bound=Callable[..., object])

#: A numpydoc section underline.
_UNDERLINE = re.compile(r"^-{3,}$")

#: What a data file parameter may be (the description of a loader's ``path``).
PATH = "CSV or Parquet; a relative path is resolved against the project root."

#: Parameter entries shared by the workstreams' table, summary and analysis functions.
PARAMETERS: dict[str, str] = {
    "threshold": (
        f"threshold : int, default {DEFAULT_THRESHOLD}\n"
        "    Counts from 1 to ``threshold - 1`` are suppressed."
    ),
    "confidence": "confidence : float, default 0.95\n    Confidence level.",
    "confidence_intervals": (
        "confidence : float, default 0.95\n    Confidence level of the intervals."
    ),
    "confidence_wilson": (
        "confidence : float, default 0.95\n    Confidence level of the Wilson intervals."
    ),
    "confidence_fraction": (
        "confidence : float, default 0.95\n    Confidence level, a fraction in [0.9, 1)."
    ),
    "by": "by : str or list of str, optional\n    Grouping columns.",
    "path": f"path : str or path-like\n    {PATH}",
    # the key findings of a report
    "summary": "tables : SummaryTables\n    From :func:`summary_tables`.",
    "confidence_named": (
        "confidence : float, default 0.95\n"
        "    The confidence level of the intervals, named in the sentences."
    ),
}


def parameters(func: Callable[..., Any]) -> dict[str, str]:
    """The entries of a function's numpydoc Parameters section, by the names they document.

    Parameters
    ----------
    func : callable
        A function whose docstring has a numpydoc ``Parameters`` section.

    Returns
    -------
    dict of str to str
        Each entry's first line up to ``" : "`` (``"by"``, ``"predicted, observed"``) -> the
        entry, dedented: the line naming the parameter and its indented description.

    Raises
    ------
    ValueError
        The docstring has no Parameters section.
    """
    lines = inspect.cleandoc(func.__doc__ or "").splitlines()
    heads = [i for i, line in enumerate(lines[:-1]) if line == "Parameters"]
    heads = [i for i in heads if _UNDERLINE.match(lines[i + 1])]
    if not heads:
        raise ValueError(f"{func.__qualname__} has no numpydoc Parameters section")
    entries: dict[str, list[str]] = {}
    current: list[str] = []
    for i in range(heads[0] + 2, len(lines)):
        line = lines[i]
        if i + 1 < len(lines) and line and _UNDERLINE.match(lines[i + 1]):
            break  # the next section's heading
        if line and not line[0].isspace():
            current = entries.setdefault(line.split(" : ")[0].strip(), [])
        current.append(line)
    return {name: "\n".join(text).rstrip() for name, text in entries.items()}


def document(*sources: Mapping[str, str], **entries: str) -> Callable[[F], F]:
    """Decorator: fill the ``{name}`` fields of a function's docstring with shared entries.

    Parameters
    ----------
    *sources : mapping of str to str
        Entries by name (a module's own, or :func:`parameters` of the function wrapped); an
        earlier mapping wins over a later one.
    **entries : str
        Entries given here; they win over ``sources``, and :data:`PARAMETERS` comes last.

    Returns
    -------
    callable
        The decorator of :func:`rhoresearch.docstrings.fill_docs`: it returns the function
        itself, its ``__doc__`` filled; a name with no entry raises ``KeyError`` at import.
    """
    table = dict(PARAMETERS)
    for source in reversed(sources):
        table.update(source)
    table.update(entries)
    return fill_docs(**table)


def docstring(text: str) -> Callable[[F], F]:
    """Decorator: set a function's docstring to ``text`` (a template filled for that function).

    Parameters
    ----------
    text : str
        The whole docstring.

    Returns
    -------
    callable
        The decorator; it returns the function itself.
    """

    def decorate(func: F) -> F:
        func.__doc__ = text
        return func

    return decorate


def region_name(
    region: object, known: Iterable[object] = (), *, codes: Mapping[str, str] | None = None
) -> str:
    """A region as a page prints it: ``"london"`` -> ``"London"``, ``"north-west"`` -> ``"North West"``.

    Parameters
    ----------
    region : str or None
        The region as a parameter gives it (any case, hyphens or spaces); ``None`` or
        ``"England"`` (any case) mean England.
    known : iterable of str, optional
        The region names as the data spells them: the one whose slug
        (:func:`rhoresearch.validation.slug`) matches is returned as it is.
    codes : mapping of str to str, optional
        Region codes to the names the data give them (``{"E40000003": "London"}``): a region
        given by its code is printed by its name.

    Returns
    -------
    str
        ``"England"``; the matching name of ``known``; else the words of ``region`` (split at
        anything but letters and digits), each capitalised (``"south-west"`` -> ``"South West"``).
    """
    if region is None or slug(region) == "england":
        return "England"
    wanted = slug(region)
    for name in known:
        if slug(name) == wanted:
            return str(name)
    for code, name in (codes or {}).items():
        if slug(code) == wanted:
            return str(name)
    return " ".join(word.capitalize() for word in re.split(r"[^0-9A-Za-z]+", str(region)) if word)


def cell(row: pd.Series | None, column: str = "value") -> str:
    """A row's cell as a sentence shows it (:func:`rhoresearch.report.narrative.format_number`).

    Parameters
    ----------
    row : pandas.Series or None
        One row of a suppressed table; ``None`` when the table has no such row.
    column : str, default "value"
        The cell's column.

    Returns
    -------
    str
        The number, ``[c]`` when the cell is suppressed, ``[x]`` when there is no row or no value.
    """
    if row is None:
        return narrative.format_number(None)
    return narrative.format_number(row[column], suppressed=disclosure.is_suppressed(row, column))


def interval(
    row: pd.Series,
    *,
    estimate: str = "value",
    lower: str = "lower_ci",
    upper: str = "upper_ci",
    confidence: float | None = None,
    digits: int = 1,
    unit: str = "",
) -> str:
    """A row's estimate with its interval, ``value (95% CI lower to upper)``, as a sentence shows it.

    Parameters
    ----------
    row : pandas.Series
        One row of a suppressed table.
    estimate, lower, upper : str
        The columns of the estimate and its limits.
    confidence : float, optional
        The level named; default the row's ``confidence``.
    digits : int, default 1
        Decimal places.
    unit : str, default ""
        Written after each number (e.g. ``"%"``).

    Returns
    -------
    str
        :func:`rhoresearch.report.narrative.format_ci`; ``[c]`` when the estimate is suppressed.
    """
    return narrative.format_ci(
        row[estimate],
        row[lower],
        row[upper],
        digits=digits,
        confidence=float(row["confidence"]) if confidence is None else confidence,
        unit=unit,
        suppressed=bool(disclosure.is_suppressed(row, estimate)),
    )
