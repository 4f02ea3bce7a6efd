"""The evidence an error of the data layer carries for programs, beside its message.

A :class:`~rhoresearch.exceptions.SchemaError` raised while loading a file carries ``path`` and
``failures`` (a frame: ``column``, ``expected``, ``row``, ``value``); one raised while aggregating
records carries ``path``, ``column``, ``row`` and ``value`` (an
:class:`~rhoresearch.exceptions.UnknownCodeError` too). :func:`with_evidence` attaches them, so
that every such error is built in one expression; the attributes travel with the error when it is
pickled (Jupyter kernels, worker processes).
"""

from __future__ import annotations

from typing import TypeVar

__all__ = ["with_evidence"]

_E = TypeVar("_E", bound=BaseException)


def with_evidence(error: _E, **evidence: object) -> _E:
    """Attach ``evidence`` (``path=...``, ``column=...``) to ``error`` as attributes; return it."""
    vars(error).update(evidence)
    return error
