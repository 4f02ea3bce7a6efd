"""Ethnicity data-quality inputs: the tables' schemas, and selecting a dataset and years.

The data-quality workstream reads five tables, each declared as a pandera schema (:data:`SCHEMAS`,
loaded with ``rhoresearch.data.load(path, schema=...)``): records with their ethnic category code as
recorded, the providers, the same people's ethnicity in two linked sources, and research
participants with the reference shares they should match. :func:`select` keeps one dataset (or
all) and some years; :func:`dataset_label` names the selection.

References
----------
NHS Data Dictionary, ETHNIC CATEGORY (national codes A-S, Z not stated, default 99 not known).
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa

from rhoresearch.exceptions import InputError
from rhoresearch.validation import require_columns, slug

__all__ = [
    "RECORDS_SCHEMA",
    "PROVIDERS_SCHEMA",
    "LINKED_SCHEMA",
    "PARTICIPANTS_SCHEMA",
    "REFERENCE_SCHEMA",
    "SCHEMAS",
    "select",
    "dataset_label",
]

RECORDS_SCHEMA = pa.DataFrameSchema(
    {
        "record_id": pa.Column(int, coerce=True, unique=True),
        "dataset": pa.Column(str),
        "provider_code": pa.Column(str),
        "year": pa.Column(int, coerce=True),
        "ethnic_category": pa.Column(str, nullable=True, coerce=True),
    },
    name="ethnicity records",
    strict=False,
)
PROVIDERS_SCHEMA = pa.DataFrameSchema(
    {
        "provider_code": pa.Column(str, unique=True),
        "provider_name": pa.Column(str),
        "dataset": pa.Column(str),
        "sector": pa.Column(str, pa.Check.isin(["NHS", "Independent"]), required=False),
        "region": pa.Column(str, required=False),
    },
    name="providers",
    strict=False,
)
LINKED_SCHEMA = pa.DataFrameSchema(
    {
        "person_id": pa.Column(int, coerce=True, unique=True),
        "census_code": pa.Column(str, nullable=True, coerce=True),
        "hes_code": pa.Column(str, nullable=True, coerce=True),
    },
    name="linked ethnicity",
    strict=False,
)
PARTICIPANTS_SCHEMA = pa.DataFrameSchema(
    {
        "study_id": pa.Column(str),
        "study_title": pa.Column(str, required=False),
        "condition": pa.Column(str, required=False),
        "ethnic_group": pa.Column(str),
        "participants": pa.Column(int, pa.Check.ge(0), coerce=True),
    },
    name="research participants",
    strict=False,
)
REFERENCE_SCHEMA = pa.DataFrameSchema(
    {
        "study_id": pa.Column(str),
        "ethnic_group": pa.Column(str),
        "reference_share": pa.Column(float, [pa.Check.ge(0), pa.Check.le(1)], coerce=True),
        "reference_basis": pa.Column(str, required=False),
        "reference_source": pa.Column(str, required=False),
    },
    name="research reference shares",
    strict=False,
)
#: File stem -> schema, for ``rhoresearch.data.load``.
SCHEMAS = {
    "records": RECORDS_SCHEMA,
    "providers": PROVIDERS_SCHEMA,
    "linked_ethnicity": LINKED_SCHEMA,
    "research_participants": PARTICIPANTS_SCHEMA,
    "research_reference": REFERENCE_SCHEMA,
}


def select(
    records: pd.DataFrame,
    *,
    dataset: str = "all",
    years: list[int] | None = None,
) -> pd.DataFrame:
    """Keep the records of one dataset (or all) and, optionally, some years.

    Parameters
    ----------
    records : DataFrame
        Records with ``dataset`` (and ``year``); not modified.
    dataset : str, default "all"
        ``"all"`` or a dataset name, matched ignoring case, spaces and hyphens
        (``"hospital-episodes"`` selects "Hospital episodes").
    years : list of int, optional
        Keep these years only.

    Returns
    -------
    DataFrame
        The selected rows, same columns, index reset.

    Raises
    ------
    InputError
        The dataset or a year is not in the data.
    """
    require_columns(records, ["dataset"], func="select")
    out = records
    if slug(dataset) != "all":
        names = {slug(d): d for d in records["dataset"].astype(str).unique()}
        if slug(dataset) not in names:
            raise InputError(
                f"select: dataset {dataset!r} not in the data; datasets: {sorted(names.values())}"
            )
        out = out[out["dataset"].astype(str) == names[slug(dataset)]]
    if years is not None:
        require_columns(out, ["year"], func="select")
        absent = sorted(set(int(y) for y in years) - set(out["year"].astype(int)))
        if absent:
            raise InputError(f"select: year(s) {absent} not in the data")
        out = out[out["year"].astype(int).isin([int(y) for y in years])]
    return out.reset_index(drop=True)


def dataset_label(dataset: str, records: pd.DataFrame) -> str:
    """The dataset's name as written in the data for a selection value ("all datasets" for all).

    Parameters
    ----------
    dataset : str
        As for :func:`select`.
    records : DataFrame
        Any table with a ``dataset`` column (the records, or a table made from them).

    Returns
    -------
    str
        ``"all datasets"``, the name in the data matching ``dataset`` (letters and digits,
        ignoring case), or ``dataset`` itself when none does.
    """
    if slug(dataset) == "all":
        return "all datasets"
    require_columns(records, ["dataset"], func="dataset_label")
    names = {slug(d): d for d in records["dataset"].astype(str).unique()}
    return names.get(slug(dataset), str(dataset))
