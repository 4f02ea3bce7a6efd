"""Published national rates by ethnic group (ONS SDG 3.1.1 and 3.2.2), for context.

The published tables give rates only (no counts), so no interval can be recomputed: they are shown
beside the computed rates, never compared with them statistically.

References
----------
Office for National Statistics. SDG indicator 3.1.1, maternal mortality ratio (England, by
ethnicity), from MBRRACE-UK. https://sdgdata.gov.uk/3-1-1/
Office for National Statistics. SDG indicator 3.2.2, neonatal mortality rate by ethnicity of the
baby, England and Wales. https://sdgdata.gov.uk/3-2-2/
"""

from __future__ import annotations

import pandas as pd

from rhoresearch import data
from rhoresearch.validation import require_columns

__all__ = [
    "published_maternal_mortality",
    "published_neonatal_mortality",
    "published_for_period",
]

_SDG311_GROUPS = {
    "White (inc. not known)": "White",
    "Mixed/multiple ethnic groups": "Mixed",
    "Asian": "Asian",
    "Black": "Black",
    "Chinese or other": "Other",
}
_SDG322_GROUPS = {
    "White British": "White",
    "White Other": "White",
    "Mixed/ multiple": "Mixed",
    "Indian": "Asian",
    "Pakistani": "Asian",
    "Bangladeshi": "Asian",
    "Any other Asian background": "Asian",
    "Black African": "Black",
    "Black Caribbean": "Black",
    "Any other Black background": "Black",
    "Any Other ethnic group": "Other",
}


def published_maternal_mortality(reference: pd.DataFrame | None = None) -> pd.DataFrame:
    """Published maternal mortality rates by ethnic group (ONS SDG 3.1.1, from MBRRACE-UK).

    Parameters
    ----------
    reference : DataFrame, optional
        The reference table ``sdg311_maternal_mortality_rate_by_ethnicity_england`` (default:
        loaded with :func:`rhoresearch.data.load_reference`). Not modified.

    Returns
    -------
    DataFrame
        ``period``, ``ethnic_group`` (high level), ``published_group`` (as published),
        ``published_rate`` (per 100,000 maternities), ``observation_status``, ``source``.

    Notes
    -----
    Rates only (no counts are published with them), so no interval can be recomputed. The
    published White group includes women whose ethnicity was not known.

    References
    ----------
    Office for National Statistics. SDG indicator 3.1.1, maternal mortality ratio (England, by
    ethnicity), from MBRRACE-UK. https://sdgdata.gov.uk/3-1-1/
    """
    if reference is None:
        reference = data.load_reference("sdg311_maternal_mortality_rate_by_ethnicity_england")
    require_columns(
        reference, ["period", "ethnic_group", "rate_per_100000_maternities"], func="published"
    )
    out = pd.DataFrame(
        {
            "period": reference["period"].astype("str"),
            "ethnic_group": reference["ethnic_group"].map(_SDG311_GROUPS).astype("str"),
            "published_group": reference["ethnic_group"].astype("str"),
            "published_rate": reference["rate_per_100000_maternities"].astype("float64"),
            "observation_status": reference.get("observation_status", pd.Series(pd.NA)).astype(
                "str"
            ),
            "source": "ONS SDG 3.1.1 (MBRRACE-UK), England",
        }
    )
    return out.sort_values(["period", "ethnic_group"], kind="stable").reset_index(drop=True)


def published_neonatal_mortality(reference: pd.DataFrame | None = None) -> pd.DataFrame:
    """Published neonatal mortality by the baby's ethnic group (ONS SDG 3.2.2), detailed groups.

    Parameters
    ----------
    reference : DataFrame, optional
        The reference table ``sdg322_neonatal_mortality_rate_by_baby_ethnicity_england_wales``
        (default: loaded with :func:`rhoresearch.data.load_reference`). Not modified.

    Returns
    -------
    DataFrame
        ``year``, ``ethnic_group`` (high level; missing for "Not Stated"), ``published_group``,
        ``published_rate`` (per 1,000 live births), ``observation_status``, ``source``.

    Notes
    -----
    Rates only, for England and Wales, by the *baby's* ethnicity and for detailed groups: the
    high-level group is given for orientation; no high-level rate can be derived without counts.

    References
    ----------
    Office for National Statistics. SDG indicator 3.2.2, neonatal mortality rate by ethnicity of
    the baby, England and Wales. https://sdgdata.gov.uk/3-2-2/
    """
    if reference is None:
        reference = data.load_reference(
            "sdg322_neonatal_mortality_rate_by_baby_ethnicity_england_wales"
        )
    col = "neonatal_mortality_rate_per_1000_live_births"
    require_columns(reference, ["year", "baby_ethnic_group", col], func="published")
    out = pd.DataFrame(
        {
            "year": reference["year"].astype("int64"),
            "ethnic_group": reference["baby_ethnic_group"].map(_SDG322_GROUPS).astype("str"),
            "published_group": reference["baby_ethnic_group"].astype("str"),
            "published_rate": pd.to_numeric(reference[col], errors="coerce").astype("float64"),
            "observation_status": reference.get("observation_status", pd.Series(pd.NA)).astype(
                "str"
            ),
            "source": "ONS SDG 3.2.2, England and Wales (baby's ethnicity)",
        }
    )
    return out.sort_values(["year", "published_group"], kind="stable").reset_index(drop=True)


def published_for_period(published: pd.DataFrame, period: str) -> pd.DataFrame:
    """The published rates of ``period``, else of the latest published period (labelled).

    Parameters
    ----------
    published : DataFrame
        :func:`published_maternal_mortality` output. Not modified.
    period : str
        The period of the computed rates.

    Returns
    -------
    DataFrame
        ``ethnic_group``, ``published_period``, ``published_group``, ``published_rate``,
        ``source``: one row per group, for ``period`` when published, else for the latest
        published period (the column says which).

    References
    ----------
    Office for National Statistics. SDG indicator 3.1.1, maternal mortality ratio (England, by
    ethnicity), from MBRRACE-UK. https://sdgdata.gov.uk/3-1-1/
    """
    require_columns(published, ["period", "ethnic_group", "published_rate"], func="published")
    chosen = period if (published["period"] == period).any() else published["period"].max()
    rows = published[published["period"] == chosen]
    return rows.rename(columns={"period": "published_period"})[
        ["ethnic_group", "published_period", "published_group", "published_rate", "source"]
    ].reset_index(drop=True)
