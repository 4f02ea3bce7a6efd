"""The package's exception and warning types.

One root error (:class:`RhoResearchError`) and one root warning (:class:`RhoResearchWarning`), so
that callers can catch everything this package raises with one ``except`` clause. Each specific
error says *what* was wrong and *where* (file, column, row, value) in its message; the structured
attributes below carry the same evidence for programs.

Every error here pickles (they are raised inside Jupyter kernels and worker processes), which is why
each subclass passes its whole message to ``Exception.__init__`` and keeps extra state in attributes
with defaults.
"""

from __future__ import annotations

__all__ = [
    "RhoResearchError",
    "RhoResearchWarning",
    "InputError",
    "SchemaError",
    "UnknownCodeError",
    "DisclosureError",
    "ConfigError",
    "ParameterError",
    "BuildError",
    "NotebookExecutionError",
    "VerificationError",
    "DataQualityWarning",
]


class RhoResearchError(Exception):
    """Root of every error raised by rhoresearch."""


class RhoResearchWarning(UserWarning):
    """Root of every warning issued by rhoresearch."""


class InputError(RhoResearchError, ValueError):
    """An argument or a table passed in is not usable (missing column, negative count, bad option)."""


class SchemaError(InputError):
    """A data file does not match its declared schema.

    The message names the file, the column, the first offending rows and their values.
    """


class UnknownCodeError(InputError):
    """Values that cannot be mapped to a classification (e.g. unknown ethnic category codes).

    Attributes
    ----------
    unmapped : dict
        Each unmapped input value and how many times it occurred.
    """

    def __init__(self, message: str, unmapped: dict | None = None):
        super().__init__(message)
        self.unmapped = dict(unmapped or {})

    def __reduce__(self):
        return (type(self), (self.args[0], self.unmapped), self.__dict__)


class DisclosureError(RhoResearchError):
    """A table would reveal a small number (or a value from which one can be derived).

    Attributes
    ----------
    cells : list
        The unsafe cells, as ``(row label, column, value)`` tuples.
    """

    def __init__(self, message: str, cells: list | None = None):
        super().__init__(message)
        self.cells = list(cells or [])

    def __reduce__(self):
        return (type(self), (self.args[0], self.cells), self.__dict__)


class ConfigError(RhoResearchError):
    """The build configuration (``reports.yml``) is malformed or refers to something missing."""


class ParameterError(ConfigError):
    """A report's parameters do not match the notebook's ``parameters`` cell."""


class BuildError(RhoResearchError):
    """A report could not be built."""


class NotebookExecutionError(BuildError):
    """A notebook raised an exception while it was being executed.

    Attributes
    ----------
    report_id, notebook, cell_index, ename, evalue : str or int or None
        Which report, which notebook, which cell (0-based index) and which exception.
    """

    def __init__(
        self,
        message: str,
        report_id: str | None = None,
        notebook: str | None = None,
        cell_index: int | None = None,
        ename: str | None = None,
        evalue: str | None = None,
    ):
        super().__init__(message)
        self.report_id = report_id
        self.notebook = notebook
        self.cell_index = cell_index
        self.ename = ename
        self.evalue = evalue

    def __reduce__(self):
        return (
            type(self),
            (self.args[0], self.report_id, self.notebook, self.cell_index, self.ename, self.evalue),
        )


class VerificationError(RhoResearchError):
    """A rerun of a report did not reproduce its inputs, code or results."""


class DataQualityWarning(RhoResearchWarning):
    """Rows were excluded or recoded (unknown codes, missing denominators); counts are kept."""
