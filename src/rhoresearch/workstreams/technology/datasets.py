"""The technology workstream's inputs: schemas, loaders and the analysis frame.

Each extract is loaded against its schema (:func:`load_oximetry`, :func:`load_risk_score`,
:func:`load_sickle_cell`); :func:`prepare` adds the harmonised ethnic group and age band to an
oximetry or risk-score extract and returns the rows that cannot enter every comparison.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np
import pandas as pd
import pandera.pandas as pa

from rhoresearch import config, data, ethnicity
from rhoresearch.results import Result, exclusions_table
from rhoresearch.validation import check_frame, require_columns
from rhoresearch.workstreams import _grouping, _wording

__all__ = [
    "SETTINGS",
    "OXIMETRY_SCHEMA",
    "RISK_SCORE_SCHEMA",
    "SICKLE_CELL_ADMISSIONS_SCHEMA",
    "POPULATION_SCHEMA",
    "AGE_BANDS",
    "load_oximetry",
    "load_risk_score",
    "load_sickle_cell",
    "prepare",
]

_F = TypeVar("_F", bound=Callable[..., Any])

#: Care settings of the oximetry pairs.
SETTINGS = ["ICU", "ED", "Ward"]

#: Age bands used as a covariate (adults).
AGE_BANDS = ["18-49", "50-64", "65-79", "80+"]

OXIMETRY_SCHEMA = data.dataset_schema(
    "oximetry_pairs",
    columns={
        "patient_id": data.column("str"),
        "reading_number": data.column("int", min=1),
        "ethnic_category": data.column("str", nullable=True),
        "age": data.column("float", nullable=True, min=0, max=120),
        "sex": data.column("str", nullable=True, allowed=["Female", "Male"]),
        "setting": data.column("str", allowed=SETTINGS),
        "spo2": data.column("float", nullable=True, min=0, max=100),
        "sao2": data.column("float", nullable=True, min=0, max=100),
    },
    key=["patient_id", "reading_number"],
    description="one row per SpO2 / SaO2 pair (%), several per patient",
)
"""Schema of ``oximetry.csv``: one row per SpO2 / SaO2 pair (percent), several per patient."""

RISK_SCORE_SCHEMA = data.dataset_schema(
    "risk_score_predictions",
    columns={
        "admission_id": data.column("str"),
        "ethnic_category": data.column("str", nullable=True),
        "age": data.column("float", nullable=True, min=0, max=120),
        "sex": data.column("str", nullable=True, allowed=["Female", "Male"]),
        "predicted_risk": data.column("float", checks=[pa.Check.gt(0), pa.Check.lt(1)]),
        "outcome": data.column("int", allowed=[0, 1]),
    },
    key=["admission_id"],
    description="one row per scored admission: predicted risk in (0, 1) and outcome 0/1",
)
"""Schema of ``risk_score.csv``: one row per scored admission, predicted risk in (0, 1), outcome 0/1."""

SICKLE_CELL_ADMISSIONS_SCHEMA = data.dataset_schema(
    "sickle_cell_admissions",
    columns={
        "financial_year": data.column("str", checks=[pa.Check.str_matches(r"^\d{4}/\d{2}$")]),
        "region": data.column("str"),
        "ethnic_category": data.column("str", nullable=True),
        "admissions": data.column("int", min=0),
    },
    key=["financial_year", "region", "ethnic_category"],
    description="admissions with sickle cell disease by financial year, region and ethnic code",
)
"""Schema of ``sickle_cell_admissions.csv``: admissions by financial year, region and ethnic code."""

POPULATION_SCHEMA = data.dataset_schema(
    "population",
    columns={
        "region": data.column("str"),
        "ethnic_category": data.column("str"),
        "population": data.column("int", min=0),
    },
    key=["region", "ethnic_category"],
    description="population by region and ethnic code",
)
"""Schema of ``population.csv``: population by region and ethnic code."""


def _load(path: str | os.PathLike[str], schema: pa.DataFrameSchema) -> pd.DataFrame:
    return data.load(config.resolve_path(path), schema=schema)


def _columns(schema: pa.DataFrameSchema) -> str:
    """The columns a schema declares, as a docstring lists them."""
    return ", ".join(f"``{column}``" for column in schema.columns)


#: The docstring of a loader of one file (:func:`_loads`).
_LOAD_DOC = """Load {what} and validate them against :data:`{schema}`.

Parameters
----------
path : str or path-like
    {path}

Returns
-------
pandas.DataFrame
    Columns {columns}.
"""


def _loads(what: str, schema: str) -> Callable[[_F], _F]:
    """Decorator: the docstring of the loader of ``what``, validated against this module's schema
    named ``schema`` (whose columns it lists)."""
    columns = _columns(globals()[schema])
    text = _LOAD_DOC.format(what=what, schema=schema, path=_wording.PATH, columns=columns)
    return _wording.docstring(text)


@_loads("paired oximetry readings", "OXIMETRY_SCHEMA")
def load_oximetry(path: str | os.PathLike[str]) -> pd.DataFrame:
    return _load(path, OXIMETRY_SCHEMA)


@_loads("risk-score predictions and outcomes", "RISK_SCORE_SCHEMA")
def load_risk_score(path: str | os.PathLike[str]) -> pd.DataFrame:
    return _load(path, RISK_SCORE_SCHEMA)


def load_sickle_cell(
    admissions_path: str | os.PathLike[str], population_path: str | os.PathLike[str]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Load sickle cell admissions and the population table, each validated against its schema.

    Parameters
    ----------
    admissions_path, population_path : str or path-like
        CSV or Parquet; a relative path is resolved against the project root.

    Returns
    -------
    (pandas.DataFrame, pandas.DataFrame)
        Admissions (``financial_year``, ``region``, ``ethnic_category``, ``admissions``) and
        population (``region``, ``ethnic_category``, ``population``).
    """
    return (
        _load(admissions_path, SICKLE_CELL_ADMISSIONS_SCHEMA),
        _load(population_path, POPULATION_SCHEMA),
    )


def prepare(
    data: pd.DataFrame,
    *,
    ethnicity_column: str = "ethnic_category",
    group: str = "ethnic_group",
    to: str = "high_level",
    age: str | None = "age",
) -> Result:
    """Harmonise ethnicity and band age: the analysis frame of an oximetry or risk-score extract.

    Parameters
    ----------
    data : pandas.DataFrame
        As loaded by :func:`load_oximetry` or :func:`load_risk_score`; not modified.
    ethnicity_column : str, default "ethnic_category"
        Ethnicity as recorded.
    group : str, default "ethnic_group"
        Name of the harmonised group column added.
    to : str, default "high_level"
        Scheme of :func:`rhoresearch.workstreams._grouping.harmonise` (unmapped values become
        "Not known"): ``"high_level"`` (Chinese under Asian, as Census 2021) or ``"detailed"``
        (the NHS 16 categories, short labels).
    age : str or None, default "age"
        Age in years; adds ``age_band`` (:data:`AGE_BANDS`) when given.

    Returns
    -------
    rhoresearch.results.Result
        ``table``: a copy of ``data`` with ``group`` and ``age_band`` added (no row removed).
        ``exclusions``: ``step``, ``reason``, ``rows``, ``applies_to``: the rows with ethnicity
        not stated and not known (``step`` "ethnic group", left out of comparisons between
        groups) and, with ``age``, the rows without an age (``step`` "age", left out of adjusted
        models); one row per reason, zeros included.

    Raises
    ------
    InputError
        ``data`` is not a DataFrame or a column is missing.
    """
    func = "prepare"
    check_frame(data, func=func)
    require_columns(data, [ethnicity_column, *([age] if age else [])], func=func)
    out = data.copy()
    out[group] = _grouping.harmonise(out[ethnicity_column], to=to, errors="not_known")
    rows = [
        (
            "ethnic group",
            f"ethnicity {label.lower()}",
            int((out[group] == label).sum()),
            "comparisons between groups",
        )
        for label in (ethnicity.NOT_STATED, ethnicity.NOT_KNOWN)
    ]
    if age:
        years = pd.to_numeric(out[age], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        out["age_band"] = pd.Categorical(
            pd.cut(
                years, [-np.inf, 49.5, 64.5, 79.5, np.inf], labels=AGE_BANDS, right=False
            ).astype("object"),
            categories=AGE_BANDS,
            ordered=True,
        )
        rows.append(("age", "age missing", int(np.isnan(years).sum()), "adjusted models"))
    return Result(out, exclusions_table(rows, applies_to=True))
