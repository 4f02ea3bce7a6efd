"""Fixtures of the ethnicity tests: the committed reference tables, found through the catalogue."""

from __future__ import annotations

import json
from collections.abc import Callable

import pandas as pd
import pytest

from rhoresearch import config, provenance


def _read_catalogued(name: str) -> pd.DataFrame:
    """Read the reference table ``name`` of ``data/reference/catalogue.json`` with pandas.

    The file's sha256 is checked against the catalogue first, so the tests compare the package with
    the published table the catalogue describes, not with an edited copy. Cells are read as text
    (codes such as ``"99"`` stay text); empty cells are missing.
    """
    catalogue = json.loads((config.reference_dir() / "catalogue.json").read_text("utf-8"))
    entry = catalogue["tables"][name]
    path = config.reference_dir() / entry["file"]
    assert provenance.file_sha256(path) == entry["sha256"], f"{path} differs from the catalogue"
    return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])


@pytest.fixture(scope="session")
def read_reference() -> Callable[[str], pd.DataFrame]:
    """A function reading a catalogued reference table by its catalogue name."""
    return _read_catalogued


@pytest.fixture(scope="session")
def nhs_table() -> pd.DataFrame:
    """The NHS Data Dictionary ETHNIC CATEGORY codes (``code``, ``description``, ...)."""
    return _read_catalogued("nhs_ethnic_category")


@pytest.fixture(scope="session")
def census_table() -> pd.DataFrame:
    """The Census 2021 19 ethnic groups (the "-8 does not apply" row dropped)."""
    table = _read_catalogued("census2021_ethnic_group_classification")
    return table[table["census2021_code"] != "-8"].reset_index(drop=True)
