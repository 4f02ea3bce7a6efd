"""rhoresearch: reproducible evidence on ethnic inequalities in health care.

Importing the package is cheap and changes nothing (no logging set-up, no plotting theme); import the
modules you need: ``rhoresearch.indicators``, ``rhoresearch.ethnicity``, ``rhoresearch.disclosure``,
``rhoresearch.models``, ``rhoresearch.plotting``, ``rhoresearch.data``, ``rhoresearch.build``.
"""

from rhoresearch.exceptions import RhoResearchError, RhoResearchWarning

__version__ = "0.1.0"

__all__ = ["RhoResearchError", "RhoResearchWarning", "__version__"]
