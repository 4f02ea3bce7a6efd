"""Keep a 1.3-second import out of every build process (imported first by :mod:`.batch`).

``jsonschema`` (imported by ``nbformat``, hence by papermill and nbconvert) imports the optional
``rfc3987_syntax`` package when it is installed, and that package compiles a Lark grammar at import
time: about 1.3 s of CPU per process on the project's machine, about 90% of the cost of
``import nbformat``. It serves only jsonschema's ``"iri"`` and ``"iri-reference"`` format checks,
which nbformat never asks for (it validates notebooks without a format checker).

Importing this module, before anything imports jsonschema, puts a stand-in ``rfc3987_syntax`` in
:data:`sys.modules` whose ``is_valid_syntax`` imports the real package on its first call and then
behaves exactly as it: nothing is lost, and a process that never checks an IRI never pays for the
grammar. When ``rfc3987_syntax`` is not installed, or jsonschema was already imported, it does
nothing. Measured with ``python -c "import nbformat"``: 1.55 s of CPU without it, 0.2 s with it.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import types
from typing import Any

_NAME = "rfc3987_syntax"


def _real() -> types.ModuleType:
    """Import the real package in place of the stand-in (once) and return it."""
    module = sys.modules.get(_NAME)
    if module is None or getattr(module, "_rhoresearch_stand_in", False):
        sys.modules.pop(_NAME, None)
        module = importlib.import_module(_NAME)
    return module


def _is_valid_syntax(*args: Any, **kwargs: Any) -> Any:
    return _real().is_valid_syntax(*args, **kwargs)


def _getattr(name: str) -> Any:
    """Any other public name: from the real package (dunders are the import system's probes)."""
    if name.startswith("__"):
        raise AttributeError(name)
    return getattr(_real(), name)


def install() -> bool:
    """Put the stand-in in place; True when it did (see the module docstring)."""
    if _NAME in sys.modules or "jsonschema" in sys.modules:
        return False
    try:
        if importlib.util.find_spec(_NAME) is None:
            return False
    except (ImportError, ValueError):
        return False
    stand_in = types.ModuleType(_NAME, "lazy stand-in; see rhoresearch.build._fastimport")
    stand_in.is_valid_syntax = _is_valid_syntax  # type: ignore[attr-defined]
    stand_in._rhoresearch_stand_in = True  # type: ignore[attr-defined]
    stand_in.__getattr__ = _getattr  # type: ignore[method-assign]
    sys.modules[_NAME] = stand_in
    return True


install()
