"""Completeness of ethnicity recording by provider: valid-code percentages and a funnel comparison.

:func:`valid_by_provider` gives each provider's percentage of records with a valid ethnic category
code (the statuses of :func:`rhoresearch.workstreams.data_quality.classify_codes`);
:func:`provider_funnel` compares providers in one year, one funnel per dataset around that
dataset's percentage, with limits widened when the providers are over-dispersed;
:func:`provider_table` is what a report publishes of it.

References
----------
Scobie S, Spencer J, Raleigh V (2021). Ethnicity coding in English health service datasets.
Nuffield Trust. Spiegelhalter DJ (2005). Funnel plots for comparing institutional performance. Stat
Med 24:1185-1202.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
import pandas as pd

from rhoresearch import disclosure
from rhoresearch.exceptions import InputError
from rhoresearch.stats import (
    funnel_dispersion,
    funnel_limits,
    funnel_limits_adjusted,
    funnel_significance,
    funnel_significance_adjusted,
)
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

logger = logging.getLogger(__name__)

__all__ = [
    "PROVIDER_COLUMNS",
    "DISPERSION_COLUMNS",
    "ProviderFunnel",
    "dispersion_note",
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
        One row per dataset and provider (columns in :func:`provider_funnel`).
    limits : pandas.DataFrame
        The funnel limits to draw, one set per dataset (``dataset`` first, then the columns of
        ``rhoresearch.stats.funnel_limits``, in %).
    dispersion : pandas.DataFrame
        One row per dataset: :data:`DISPERSION_COLUMNS` of the test and the limits used.
    """

    points: pd.DataFrame
    limits: pd.DataFrame
    dispersion: pd.DataFrame


#: The columns of ``ProviderFunnel.dispersion``: the dataset, the over-dispersion test
#: (``rhoresearch.stats.dispersion.funnel_dispersion``) and the limits drawn.
DISPERSION_COLUMNS = ["dataset", "n_units", "phi", "p_value", "over_dispersed", "tau2", "limits"]

#: ``adjust`` of :func:`provider_funnel`: ``"auto"`` widens the limits when the test finds
#: over-dispersion, the others always use the limits they name.
_ADJUST = ("auto", "none", "multiplicative", "additive")


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
    adjust: str = "auto",
    level: float = 0.05,
) -> ProviderFunnel:
    """Providers' valid-code percentages in one year, one funnel per dataset around its own target.

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
    adjust : {"auto", "none", "multiplicative", "additive"}, default "auto"
        The funnel limits: ``"none"``, the Wilson funnel; ``"multiplicative"`` or ``"additive"``,
        limits widened for over-dispersion; ``"auto"``, the multiplicative limits for a dataset
        whose providers are over-dispersed at ``level``, else the Wilson funnel.
    level : float, default 0.05
        The significance level of the over-dispersion test.

    Returns
    -------
    ProviderFunnel
        ``(points, limits, dispersion)``: ``points`` has one row per dataset and provider, the
        columns of :func:`valid_by_provider` (by ``dataset``) plus ``provider_name`` (and
        ``sector``), ``significance`` (the funnel label against its dataset's limits, e.g.
        ``"Low (0.025)"``) and ``outside_998``; ``limits`` the 95% and 99.8% limits of each
        dataset in %; ``dispersion`` one row per dataset (:data:`DISPERSION_COLUMNS`).

    Raises
    ------
    InputError
        ``year`` is not in the records, or ``adjust`` is unknown.

    Notes
    -----
    Datasets differ in how completely they record ethnicity (primary care is not hospital
    episodes), so each dataset's providers are compared with that dataset's overall percentage,
    never with a target pooled across datasets. Providers vary more than binomial sampling
    allows (case mix, systems, local practice): the test compares I x phi, phi the mean squared
    winsorised z-score, with chi-squared on I - 1 degrees of freedom, and over-dispersed limits
    are widened by sqrt(phi) (Spiegelhalter 2005, section 5); a dataset with fewer than two
    providers keeps the Wilson funnel.

    References
    ----------
    Spiegelhalter DJ (2005). Funnel plots for comparing institutional performance. Stat Med
    24:1185-1202. Spiegelhalter DJ (2005). Handling over-dispersion of performance indicators.
    Qual Saf Health Care 14:347-51.
    """
    if adjust not in _ADJUST:
        raise InputError(f"provider_funnel: adjust must be one of {_ADJUST}; got {adjust!r}")
    require_columns(providers, ["provider_code", "provider_name"], func="provider_funnel")
    extra = [c for c in ("provider_code", "provider_name", "sector") if c in providers.columns]
    valid = valid_by_provider(
        select(records, years=[year]), by="dataset", confidence=confidence
    ).merge(providers[extra], on="provider_code", how="left")
    num, den = "numerator", "denominator"
    points, limits, tests = [], [], []
    for name, part in valid.groupby("dataset", sort=False, observed=True):
        if len(part) > 1:
            test = funnel_dispersion(part, numerator=num, denominator=den).iloc[0]
            test["over_dispersed"] = bool(test["p_value"] < level)
        else:
            test = pd.Series(
                {
                    "n_units": len(part),
                    "phi": np.nan,
                    "p_value": np.nan,
                    "over_dispersed": False,
                    "tau2": np.nan,
                },
                dtype=object,
            )
        use = "multiplicative" if adjust == "auto" and test["over_dispersed"] else adjust
        if use in ("auto", "none") or len(part) < 2:
            points.append(
                funnel_significance(part, statistic="proportion", numerator=num, denominator=den)
            )
            lim = funnel_limits(
                part, statistic="proportion", numerator=num, denominator=den, multiplier=100
            )
        else:
            points.append(
                funnel_significance_adjusted(part, numerator=num, denominator=den, adjustment=use)
            )
            lim = funnel_limits_adjusted(
                part, numerator=num, denominator=den, adjustment=use, multiplier=100
            )
        limits.append(lim.assign(dataset=name)[["dataset", *lim.columns]])
        tests.append({**test[DISPERSION_COLUMNS[1:-1]].to_dict(), "dataset": name})
        tests[-1]["limits"] = lim["method"].iloc[0]
        logger.info(
            "provider_funnel: %s, %d providers, limits %s", name, len(part), tests[-1]["limits"]
        )
    dispersion = pd.DataFrame(tests, columns=DISPERSION_COLUMNS)
    return ProviderFunnel(
        pd.concat(points).loc[valid.index], pd.concat(limits, ignore_index=True), dispersion
    )


@document(_tables.POLICY_DOC)
def provider_table(
    points: pd.DataFrame,
    *,
    threshold: int = DEFAULT_THRESHOLD,
    policy: disclosure.Policy | None = None,
) -> pd.DataFrame:
    """The provider comparison as published: :data:`PROVIDER_COLUMNS`, small counts suppressed.

    Parameters
    ----------
    points : DataFrame
        ``points`` of :func:`provider_funnel`; not modified.
    {threshold}
    {policy}

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
        points, _tables.Publication(columns, _PROVIDER_RULES), threshold=threshold, policy=policy
    )


def dispersion_note(dispersion: pd.DataFrame) -> str:
    """The funnels' limits in words, from ``ProviderFunnel.dispersion``.

    Parameters
    ----------
    dispersion : DataFrame
        :data:`DISPERSION_COLUMNS`, one row per dataset.

    Returns
    -------
    str
        E.g. ``"Each dataset's providers are compared with that dataset's own percentage. Providers
        varied more than chance allows (over-dispersion test p < 0.001) in Primary care (phi 8.77):
        its limits are widened by the square root of phi (multiplicative over-dispersion,
        Spiegelhalter 2005)."``; datasets drawn with the Wilson funnel are named as such.
    """
    require_columns(dispersion, DISPERSION_COLUMNS, func="dispersion_note")
    text = "Each dataset's providers are compared with that dataset's own percentage."
    widened = dispersion[~dispersion["limits"].astype(str).eq("Wilson")]
    plain = dispersion[dispersion["limits"].astype(str).eq("Wilson")]

    def p_text(p: float) -> str:
        return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"

    if len(widened):
        named = "; ".join(
            f"{row['dataset']} ({row['limits']}, test {p_text(float(row['p_value']))})"
            for _, row in widened.iterrows()
        )
        text += (
            " Providers varied more than chance allows, so the limits are widened for "
            f"over-dispersion (Spiegelhalter 2005): {named}."
        )
    if len(plain):
        names = ", ".join(str(d) for d in plain["dataset"])
        text += f" Wilson score limits without adjustment: {names}."
    return text
