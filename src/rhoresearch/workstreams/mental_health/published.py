"""Published national Mental Health Act rates by ethnic group (NHS Digital), for context.

The published tables give rates only (no counts), so they are shown beside the computed rates,
never compared with them statistically.

References
----------
NHS Digital. Mental Health Act Statistics, Annual Figures (2016-17 to 2024-25).
"""

from __future__ import annotations

import pandas as pd

from rhoresearch import data
from rhoresearch.exceptions import InputError
from rhoresearch.validation import require_columns

__all__ = ["published_rates", "published_for_year"]


def published_for_year(published: pd.DataFrame, year: str, *, measure: str) -> pd.DataFrame:
    """Published rates of one measure for ``year``, else for the latest year published.

    Parameters
    ----------
    published : DataFrame
        :func:`published_rates` output. Not modified.
    year : str
        The financial year of the computed rates.
    measure : {"detentions", "ctos"}
        The measure.

    Returns
    -------
    DataFrame
        ``ethnic_group``, ``published_year``, ``published_group``, ``published_rate``,
        ``source_note``: one row per group published for that year (the latest published year
        not after ``year`` when ``year`` itself is not published, else the earliest).

    References
    ----------
    NHS Digital. Mental Health Act Statistics, Annual Figures (2016-17 to 2024-25).
    """
    require_columns(published, ["financial_year", "measure", "ethnic_group"], func="published")
    rows = published[published["measure"] == measure]
    if rows.empty:
        raise InputError(f"published_for_year: no published rate for measure {measure!r}")
    years = sorted(rows["financial_year"].unique())
    earlier = [y for y in years if y <= year]
    chosen = year if year in years else (earlier[-1] if earlier else years[0])
    out = rows[rows["financial_year"] == chosen].drop_duplicates("ethnic_group")
    return out.rename(columns={"financial_year": "published_year"})[
        ["ethnic_group", "published_year", "published_group", "published_rate", "source_note"]
    ].reset_index(drop=True)


_MHA_GROUPS = {
    "White": "White",
    "Black": "Black",
    "Black or Black British": "Black",
    "Asian": "Asian",
    "Asian or Asian British": "Asian",
    "Mixed": "Mixed",
    "Other": "Other",
}
_MHA_MEASURES = {"detentions": "detentions", "CTO uses": "ctos"}


def published_rates(reference: pd.DataFrame | None = None) -> pd.DataFrame:
    """Published Mental Health Act rates per 100,000 by high-level ethnic group.

    Parameters
    ----------
    reference : DataFrame, optional
        The reference table ``mha_published_rates_per_100000`` (default: loaded with
        :func:`rhoresearch.data.load_reference`). Not modified.

    Returns
    -------
    DataFrame
        ``financial_year``, ``measure`` (``detentions`` or ``ctos``), ``ethnic_group``,
        ``published_group``, ``published_rate`` (per 100,000), ``source_url``, ``source_note``.
        Detailed groups (e.g. "Black other") are left out.

    Notes
    -----
    Rates only; some rows come from secondary sources quoting NHS Digital (see ``source_note``).
    Populations changed in 2022-23 (Census 2021), so earlier rates are not comparable with later.

    References
    ----------
    NHS Digital. Mental Health Act Statistics, Annual Figures (2016-17 to 2024-25).
    """
    if reference is None:
        reference = data.load_reference("mha_published_rates_per_100000")
    require_columns(
        reference,
        ["year", "measure", "ethnic_group", "published_rate_per_100000"],
        func="published",
    )
    groups = reference["ethnic_group"].map(_MHA_GROUPS)
    measures = reference["measure"].map(_MHA_MEASURES)
    keep = groups.notna() & measures.notna()
    out = pd.DataFrame(
        {
            "financial_year": reference["year"].astype("str"),
            "measure": measures.astype("str"),
            "ethnic_group": groups.astype("str"),
            "published_group": reference["ethnic_group"].astype("str"),
            "published_rate": reference["published_rate_per_100000"].astype("float64"),
            "source_url": reference.get("source_url", pd.Series(pd.NA)).astype("str"),
            "source_note": reference.get("source_note", pd.Series(pd.NA)).astype("str"),
        }
    ).loc[keep.to_numpy()]
    return out.sort_values(
        ["measure", "financial_year", "ethnic_group"], kind="stable"
    ).reset_index(drop=True)
