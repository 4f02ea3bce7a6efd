"""Modules imported when first used: heavy libraries that only some notebook cells need.

:func:`module` returns a stand-in for a module that imports it on the first access to one of its
attributes. A layer keeps its imports at module level, where the import graph can see them, and
writes for a heavy library::

    sm = lazy.module("statsmodels.api")  # imported by the first sm.GLM(...)

so that importing the layer costs nothing until a function that needs the library is called: a
notebook that stops at an input check in its first cells does not pay for statsmodels, matplotlib
and seaborn (docs/architecture.md).

- *The real module*: the first attribute access runs an ordinary import
  (:func:`importlib.import_module`: parent packages first, the module once in :data:`sys.modules`);
  every later access reads the same module. An ``import`` of the module elsewhere gets the real module,
  and the stand-in then reads that one: there is never a second copy of a module or of its classes.
- *Not in sys.modules*: the stand-in is not a module and is not registered as one. The standard
  library's :class:`importlib.util.LazyLoader` puts its lazy module in :data:`sys.modules`, where
  :func:`inspect.getmodule` (which IPython calls to format every traceback) reads each module's
  ``__file__`` and so imports them all: a notebook cell that raises would load every lazy library,
  the very case this module is for. Its lazy module also depends on private details of the import
  system that change between Python versions.
- *Errors*: a package that is missing or fails to import raises at the first attribute access.
- *Threads*: the import system's lock makes the first use safe from any thread.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import Any

__all__ = ["LIBRARIES", "module"]

#: The libraries the package imports only through :func:`module` (checked by
#: ``tests/test_architecture.py``; a notebook's import cell loads none of them,
#: ``tests/test_lazy_imports.py``).
LIBRARIES = ("statsmodels", "matplotlib", "seaborn", "scipy")


class _Deferred:
    """A stand-in for the module ``name``, imported on the first attribute access."""

    __slots__ = ("_name", "_module")

    def __init__(self, name: str) -> None:
        object.__setattr__(self, "_name", name)
        object.__setattr__(self, "_module", None)

    def _load(self) -> types.ModuleType:
        loaded = object.__getattribute__(self, "_module")
        if loaded is None:
            loaded = importlib.import_module(object.__getattribute__(self, "_name"))
            object.__setattr__(self, "_module", loaded)
        return loaded

    def __getattr__(self, attr: str) -> Any:  # called only for names the stand-in lacks
        return getattr(self._load(), attr)

    def __setattr__(self, attr: str, value: Any) -> None:
        setattr(self._load(), attr, value)

    def __dir__(self) -> list[str]:
        return dir(self._load())

    def __repr__(self) -> str:
        name = object.__getattribute__(self, "_name")
        done = object.__getattribute__(self, "_module") is not None
        return f"<lazy module {name!r}, {'imported' if done else 'not imported yet'}>"


def module(name: str) -> Any:
    """A module that is imported on the first access to one of its attributes.

    Parameters
    ----------
    name : str
        The absolute name of the module (``"seaborn"``, ``"statsmodels.api"``).

    Returns
    -------
    module or stand-in
        The module itself when it is already imported; else a stand-in whose first attribute
        access imports the module (:func:`importlib.import_module`) and returns that attribute of
        it. An error of the import (a package that is not installed, or fails when imported) is
        raised there.

    Notes
    -----
    Typed ``Any``: the libraries deferred this way are used through their attributes; their types
    for annotations are imported under ``typing.TYPE_CHECKING``.

    References
    ----------
    Python documentation, :mod:`importlib`: "Implementing lazy imports" (why not its
    ``LazyLoader``: the module docstring).
    """
    if name in sys.modules:
        return sys.modules[name]
    return _Deferred(name)
