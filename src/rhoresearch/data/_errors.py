"""The evidence an error of the data layer carries, and the one wording of a schema error.

A :class:`~rhoresearch.exceptions.SchemaError` raised while loading or validating a file carries
``path`` and ``failures`` (a frame: ``column``, ``expected``, ``row``, ``value``); one raised while
aggregating records carries ``path``, ``column``, ``row`` and ``value`` (an
:class:`~rhoresearch.exceptions.UnknownCodeError` too). :func:`with_evidence` attaches them, so
that every such error is built in one expression; the attributes travel with the error when it is
pickled (Jupyter kernels, worker processes).

:func:`schema_message` words every schema error, whether it was found by pandas (loading a file)
or inside an engine (DuckDB, Spark): its **first line** names the first problem in full (column,
rule, number of failing rows, first rows and values) and says how many more there are and where,
because a report build prints only the first line of a notebook's error; each problem then has a
line of its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypeVar

__all__ = ["MAX_ROWS_SHOWN", "Problem", "schema_message", "with_evidence"]

_E = TypeVar("_E", bound=BaseException)

#: How many offending rows a problem shows (the count says how many there are).
MAX_ROWS_SHOWN = 5


def with_evidence(error: _E, **evidence: object) -> _E:
    """Attach ``evidence`` (``path=...``, ``column=...``) to ``error`` as attributes; return it."""
    vars(error).update(evidence)
    return error


@dataclass(frozen=True)
class Problem:
    """One broken rule: the column(s), the rule, how many rows break it and the first of them.

    ``subject`` is worded (``"column 'spo2'"``, ``"key ['a', 'b']"``); ``examples`` holds
    ``(where, value)`` pairs already worded (``"row 3 (line 4)"``, ``"'180'"``); ``n_rows`` is None
    for a problem of the whole file (a missing column).
    """

    subject: str
    rule: str
    n_rows: int | None
    examples: list[tuple[str, str]] = field(default_factory=list)

    def text(self) -> str:
        """``column 'spo2': expected between 0 and 100; 1 failing row: row 3 (line 4): '180'``."""
        head = f"{self.subject}: expected {self.rule}"
        if self.n_rows is None:
            return head
        shown = ", ".join(f"{where}: {value}" for where, value in self.examples)
        more = self.n_rows - len(self.examples)
        rows = "1 failing row" if self.n_rows == 1 else f"{self.n_rows:,} failing rows"
        tail = f": {shown}" if shown else ""
        if more > 0 and shown:
            tail += f"; and {more:,} more"
        return f"{head}; {rows}{tail}"


def schema_message(shown: str, name: str, problems: list[Problem], *, numbering: str) -> str:
    """The message of a schema error: the first problem in full on the first line, then all.

    ``numbering`` says how rows are numbered (appended last).
    """
    first = problems[0].text()
    rest = len(problems) - 1
    where = (
        f" [{rest} more problem(s) on the following lines of this error; in a built report, in "
        "the executed notebook]"
        if rest
        else ""
    )
    lines = [f"{shown} does not match schema {name!r}: {first}{where}"]
    if rest:
        lines += [f"  - {p.text()}" for p in problems]
    lines.append(numbering)
    return "\n".join(lines)
