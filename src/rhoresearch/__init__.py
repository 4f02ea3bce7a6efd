"""rhoresearch: reproducible evidence on ethnic inequalities in health care.

Importing the package is cheap and changes nothing (no logging set-up, no plotting theme); import the
modules you need: ``rhoresearch.stats.indicators``, ``rhoresearch.ethnicity``, ``rhoresearch.disclosure``,
``rhoresearch.stats.models``, ``rhoresearch.report.plotting``, ``rhoresearch.data``, ``rhoresearch.build``.
"""

import logging
from importlib import metadata

from rhoresearch.exceptions import RhoResearchError, RhoResearchWarning

# A library only creates loggers; entry points configure them. The NullHandler stops Python's
# "last resort" handler from printing library warnings into notebooks and reports.
logging.getLogger("rhoresearch").addHandler(logging.NullHandler())

try:
    #: The package version: the ``version`` of ``pyproject.toml`` (semantic versioning), as installed.
    __version__ = metadata.version("rhoresearch")
except metadata.PackageNotFoundError:  # a source tree never installed (`make env` installs it)
    __version__ = "0+unknown"

__all__ = ["RhoResearchError", "RhoResearchWarning", "__version__"]
