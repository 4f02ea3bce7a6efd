"""Completeness of ethnicity recording by provider: valid-code percentages and a funnel comparison.

:func:`valid_by_provider` gives each provider's percentage of records with a valid ethnic category
code (the statuses of :func:`rhoresearch.workstreams.data_quality.classify_codes`);
:func:`provider_funnel` compares providers in one year with funnel limits around the overall
percentage; :func:`provider_table` is what a report publishes of it.

References
----------
Scobie S, Spencer J, Raleigh V (2021). Ethnicity coding in English health service datasets.
Nuffield Trust. Spiegelhalter DJ (2005). Funnel plots for comparing institutional performance. Stat
Med 24:1185-1202.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import pandas as pd

from rhoresearch.stats import funnel_limits, funnel_significance
from rhoresearch.validation import (
    DEFAULT_THRESHOLD,
    as_columns,
    check_threshold,
    require_columns,
)
from rhoresearch.workstreams import _tables
from rhoresearch.workstreams._completeness import completeness
from rhoresearch.workstreams._wording import document
from rhoresearch.workstreams.data_quality.datasets import select

__all__ = [
    "PROVIDER_COLUMNS",
    "ProviderFunnel",
    "valid_by_provider",
    "provider_funnel",
    "provider_table",
]

#: The columns of :func:`provider_table` (those of them present in the points).
PROVIDER_COLUMNS = [
    "dataset",
    "provider_code",
    "provider_name",
    "sector",
    "numerator",
    "denominator",
    "value",
    "lower_ci",
    "upper_ci",
    "significance",
]


#: How :func:`provider_table` publishes the points: the counts, what is derived from them, no
#: secondary suppression (providers do not add up to a published total).
_PROVIDER_RULES = {
    "counts": ["numerator", "denominator"],
    "derived": ["value", "lower_ci", "upper_ci", "significance"],
    "secondary": False,
}


class ProviderFunnel(NamedTuple):
    """What :func:`provider_funnel` returns (unpack it or use the fields).

    Attributes
    ----------
    points : pandas.DataFrame
        One row per provider (columns in :func:`provider_funnel`).
    limits : pandas.DataFrame
        The funnel limits to draw (``rhoresearch.stats.funnel_limits``, in %).
    """

    points: pd.DataFrame
    limits: pd.DataFrame


@document()
def valid_by_provider(
    records: pd.DataFrame,
    *,
    code: str = "ethnic_category",
    provider: str = "provider_code",
    by: str | Sequence[str] | None = None,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Percentage of records with a valid code, one row per provider (for funnel plots, heat maps).

    Parameters
    ----------
    records : DataFrame
        One row per record; not modified.
    code, provider : str
        Column names of the recorded code and the provider.
    by : str or list of str, optional
        Further grouping (e.g. ``["dataset", "year"]``).
    {confidence_wilson}

    Returns
    -------
    DataFrame
        The ``by`` columns, ``provider_code`` (or ``provider``), ``numerator`` (valid records),
        ``denominator`` (records), ``value`` (% valid), ``lower_ci``, ``upper_ci``,
        ``confidence``, ``statistic``, ``method``, ``note``.

    References
    ----------
    As for :func:`rhoresearch.workstreams.data_quality.completeness`.
    """
    by = as_columns(by, func="valid_by_provider")
    res = completeness(records, code=code, by=[*by, provider], confidence=confidence)
    res = res[res["status"] == "valid"].drop(columns=["status", "status_label"])
    return res.reset_index(drop=True)


def provider_funnel(
    records: pd.DataFrame,
    providers: pd.DataFrame,
    *,
    year: int,
    confidence: float = 0.95,
) -> ProviderFunnel:
    """Providers' valid-code percentages in one year, against funnel limits around the overall one.

    Parameters
    ----------
    records : DataFrame
        One row per record (``dataset``, ``provider_code``, ``year``, ``ethnic_category``); not
        modified.
    providers : DataFrame
        The providers table (``provider_code``, ``provider_name`` and, if present, ``sector``).
    year : int
        The year compared.
    confidence : float, default 0.95
        Confidence level of each provider's Wilson interval.

    Returns
    -------
    ProviderFunnel
        ``(points, limits)``: ``points`` has one row per dataset and provider, the columns of
        :func:`valid_by_provider` (by ``dataset``) plus ``provider_name`` (and ``sector``),
        ``significance`` (the funnel label, e.g. ``"Low (0.025)"``) and ``outside_998``
        (``rhoresearch.stats.funnel_significance``); ``limits`` are the 95% and 99.8% Wilson
        funnel limits in % (``rhoresearch.stats.funnel_limits``).

    Raises
    ------
    InputError
        ``year`` is not in the records.

    References
    ----------
    Spiegelhalter DJ (2005). Funnel plots for comparing institutional performance. Stat Med
    24:1185-1202.
    """
    require_columns(providers, ["provider_code", "provider_name"], func="provider_funnel")
    extra = [c for c in ("provider_code", "provider_name", "sector") if c in providers.columns]
    valid = valid_by_provider(
        select(records, years=[year]), by="dataset", confidence=confidence
    ).merge(providers[extra], on="provider_code", how="left")
    points = funnel_significance(
        valid, statistic="proportion", numerator="numerator", denominator="denominator"
    )
    limits = funnel_limits(
        points,
        statistic="proportion",
        numerator="numerator",
        denominator="denominator",
        multiplier=100,
    )
    return ProviderFunnel(points, limits)


@document()
def provider_table(points: pd.DataFrame, *, threshold: int = DEFAULT_THRESHOLD) -> pd.DataFrame:
    """The provider comparison as published: :data:`PROVIDER_COLUMNS`, small counts suppressed.

    Parameters
    ----------
    points : DataFrame
        ``points`` of :func:`provider_funnel`; not modified.
    {threshold}

    Returns
    -------
    DataFrame
        The columns of :data:`PROVIDER_COLUMNS` present in ``points`` (``sector`` is optional),
        after :func:`rhoresearch.disclosure.suppress`: ``numerator`` and ``denominator`` the
        counts, ``value``, the limits and ``significance`` derived from them; no secondary
        suppression.
    """
    threshold = check_threshold(threshold, func="provider_table")
    columns = [c for c in PROVIDER_COLUMNS if c != "sector" or c in points.columns]
    require_columns(points, columns, func="provider_table")
    return _tables.publish(
        points, _tables.Publication(columns, _PROVIDER_RULES), threshold=threshold
    )
