"""Sickle cell admissions per person living with the condition: the denominator that measures care.

Admissions per head of a group's whole population mostly measure how common sickle cell disease is
in the group (it is concentrated in Black and mixed White and Black people), not inequality in the
care of those who have it. With a count of the people living with the condition by ethnic group (a
register such as the National Haemoglobinopathy Register), :func:`sickle_cell_per_patient` gives
admissions per person with the condition and each group's ratio to the reference group.
:data:`SICKLE_CELL_PATIENTS_SCHEMA` and :func:`load_sickle_cell_patients` declare and read that
count.

References
----------
National Haemoglobinopathy Register (NHR), annual data report. NHS England. Sickle cell disease:
hospital admissions by ethnic group (HES).
"""

from __future__ import annotations

import os

import pandas as pd
import pandera.pandas as pa

from rhoresearch import config, data
from rhoresearch.results import Result
from rhoresearch.validation import check_frame, require_columns
from rhoresearch.workstreams._wording import PATH
from rhoresearch.workstreams.technology.sickle_cell import sickle_cell_rate_ratios

__all__ = [
    "SICKLE_CELL_PATIENTS_SCHEMA",
    "load_sickle_cell_patients",
    "sickle_cell_per_patient",
]

SICKLE_CELL_PATIENTS_SCHEMA = data.dataset_schema(
    "sickle_cell_patients",
    columns={
        "financial_year": data.column("str", checks=[pa.Check.str_matches(r"^\d{4}/\d{2}$")]),
        "ethnic_category": data.column("str"),
        "people": data.column("int", min=0),
    },
    key=["financial_year", "ethnic_category"],
    description="people living with sickle cell disease by financial year and ethnic code",
)
"""Schema of ``sickle_cell_patients.csv``: people living with sickle cell disease by ethnic code."""


def load_sickle_cell_patients(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Load the count of people living with sickle cell disease, validated against its schema.

    Parameters
    ----------
    path : str or path-like
        {path}

    Returns
    -------
    pandas.DataFrame
        Columns ``financial_year``, ``ethnic_category``, ``people``.
    """
    return data.load(config.resolve_path(path), schema=SICKLE_CELL_PATIENTS_SCHEMA)


load_sickle_cell_patients.__doc__ = (load_sickle_cell_patients.__doc__ or "").replace(
    "{path}", PATH
)


def sickle_cell_per_patient(
    admissions: pd.DataFrame,
    patients: pd.DataFrame,
    *,
    reference: str,
    to: str = "high_level",
    confidence: float = 0.95,
) -> Result:
    """Admissions per person living with sickle cell disease, each group against the reference.

    Parameters
    ----------
    admissions : pandas.DataFrame
        Admissions by ``financial_year``, ``region`` and ``ethnic_category``; not modified. Only
        the years of ``patients`` are used.
    patients : pandas.DataFrame
        People living with the condition by ``financial_year`` and ``ethnic_category``
        (:func:`load_sickle_cell_patients`); not modified.
    reference : str
        The reference group (e.g. ``"White"``).
    to : str, default "high_level"
        Ethnicity scheme, as for
        :func:`~rhoresearch.workstreams.technology.sickle_cell_rates`.
    confidence : float, default 0.95
        Confidence level of the intervals.

    Returns
    -------
    rhoresearch.results.Result
        ``table``: the columns of :func:`rhoresearch.stats.rate_ratio` by ``financial_year`` and
        ``ethnic_group`` (``count`` admissions, ``population`` the people living with the
        condition, ``rate`` admissions per person, ``value`` the ratio of admissions per person
        to the reference group's, with its interval). ``exclusions``: as for
        :func:`~rhoresearch.workstreams.technology.sickle_cell_rates`.

    Notes
    -----
    Admissions per person-year of a register snapshot: the people counted in a year stand for the
    person-time of that year. A ratio near 1 says that people with the condition are admitted
    about as often whatever their group, however different the groups' prevalence.

    References
    ----------
    As for :func:`rhoresearch.stats.rate_ratio`; National Haemoglobinopathy Register.
    """
    func = "sickle_cell_per_patient"
    check_frame(patients, func=func, name="patients")
    require_columns(patients, ["financial_year", "ethnic_category", "people"], func=func)
    years = set(patients["financial_year"].astype(str))
    in_years = admissions[admissions["financial_year"].astype(str).isin(years)]
    people = patients.rename(columns={"people": "population"})
    return sickle_cell_rate_ratios(
        in_years,
        people,
        reference=reference,
        by="financial_year",
        to=to,
        confidence=confidence,
        multiplier=1,
    )
