"""Organisations compared: one relative likelihood per organisation, and the indicator 2 funnel.

:func:`likelihood_by_organisation` gives each organisation's WRES relative likelihood beside the
national one; :func:`appointment_funnel` places each organisation's appointments of ethnic minority
applicants against those expected at the national relative likelihood, with funnel limits;
:func:`organisation_table`, :func:`outside_limits` and :func:`funnel_note` are what a report shows
of it after disclosure control.

References
----------
Spiegelhalter DJ (2005). Funnel plots for comparing institutional performance. Stat Med
24:1185-1202. NHS England. WRES data reports (organisation comparisons).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

from rhoresearch import disclosure
from rhoresearch.exceptions import InputError
from rhoresearch.results import exclusions_table
from rhoresearch.stats import OUTSIDE_998_LEVELS, funnel_limits, funnel_significance
from rhoresearch.validation import DEFAULT_THRESHOLD, check_threshold, require_columns
from rhoresearch.workstreams import _tables
from rhoresearch.workstreams._wording import document
from rhoresearch.workstreams.workforce.datasets import MINORITY, WHITE
from rhoresearch.workstreams.workforce.indicators import (
    appointment_likelihood,
    disciplinary_likelihood,
    training_likelihood,
)

__all__ = [
    "ORGANISATION_COLUMNS",
    "AppointmentFunnel",
    "likelihood_by_organisation",
    "appointment_funnel",
    "organisation_table",
    "outside_limits",
    "funnel_note",
]

_LIKELIHOODS = {
    "2": appointment_likelihood,
    "3": disciplinary_likelihood,
    "4": training_likelihood,
}

#: The columns of :func:`organisation_table` (the published funnel points).
ORGANISATION_COLUMNS = [
    "org_code",
    "org_name",
    "region",
    "observed",
    "expected",
    "value",
    "relative_likelihood",
    "significance",
]

#: How :func:`organisation_table` publishes the points: ``observed`` the count, what is derived
#: from it, no secondary suppression (organisations do not add up to a published total).
_ORGANISATION_TABLE = _tables.publication(
    ORGANISATION_COLUMNS,
    counts="observed",
    derived=["value", "relative_likelihood", "significance"],
    secondary=False,
)

_FUNNEL_STEP = "indicator 2 funnel"


class AppointmentFunnel(NamedTuple):
    """What :func:`appointment_funnel` returns (unpack it or use the fields).

    Attributes
    ----------
    points : pandas.DataFrame
        One row per organisation compared (columns in :func:`appointment_funnel`).
    limits : pandas.DataFrame
        The funnel limits to draw.
    exclusions : pandas.DataFrame
        The organisations left out, by reason: ``step``, ``reason``, ``rows`` (organisations), in
        the layout of :func:`rhoresearch.results.exclusions_table`.
    """

    points: pd.DataFrame
    limits: pd.DataFrame
    exclusions: pd.DataFrame


@document()
def likelihood_by_organisation(
    returns: pd.DataFrame,
    *,
    indicator: str = "2",
    year: int,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """One relative likelihood per organisation for one year, with the national value beside it.

    Parameters
    ----------
    returns : DataFrame
        Workforce returns with ``year`` and ``org_code``; not modified.
    indicator : {"2", "3", "4"}, default "2"
        Which WRES relative likelihood.
    year : int
        The reporting year.
    {confidence}

    Returns
    -------
    DataFrame
        One row per organisation: ``org_code`` and the columns of
        :func:`~rhoresearch.workstreams.workforce.relative_likelihood` plus ``national_value`` (the
        ratio for all organisations together) and ``differs_from_national`` (the organisation's
        interval excludes the national value). Organisations where the ratio cannot be computed (no
        outcome in a group) have NaN values.

    References
    ----------
    NHS England. WRES data reports (organisation comparisons).
    """
    indicator = str(indicator)
    if indicator not in _LIKELIHOODS:
        raise InputError(
            f"likelihood_by_organisation: indicator must be '2', '3' or '4', got {indicator!r}"
        )
    func = _LIKELIHOODS[indicator]
    data = returns[returns["year"].astype(int) == int(year)]
    if data.empty:
        raise InputError(f"likelihood_by_organisation: no rows for year {year}")
    national = func(data, confidence=confidence)["value"].iloc[0]
    res = func(data, by="org_code", confidence=confidence)
    res["national_value"] = national
    res["differs_from_national"] = (res["lower_ci"] > national) | (res["upper_ci"] < national)
    return res


def appointment_funnel(
    returns: pd.DataFrame,
    *,
    year: int,
    organisations: pd.DataFrame | None = None,
) -> AppointmentFunnel:
    """Funnel-plot points and limits comparing organisations' indicator 2 with the national value.

    Parameters
    ----------
    returns : DataFrame
        Workforce returns of every organisation (``year``, ``org_code``, ``ethnic_group``,
        ``shortlisted``, ``appointed``); not modified.
    year : int
        The reporting year.
    organisations : DataFrame, optional
        Adds ``org_name`` and ``region`` to the points.

    Returns
    -------
    AppointmentFunnel
        A named tuple ``(points, limits, exclusions)``:

        ``points``
            One row per organisation with both groups shortlisted and a White appointment:
            ``org_code`` (``org_name``, ``region``), ``observed`` (ethnic minority applicants
            appointed), ``expected`` (the number expected if the organisation's relative
            likelihood equalled the national one: ethnic minority shortlisted x the organisation's
            White appointment rate / national relative likelihood), ``value`` (observed / expected
            x 100), ``relative_likelihood`` (the organisation's), ``national_value``,
            ``significance`` (funnel labels, e.g. ``"Low (0.001)"``: fewer appointments than
            expected beyond the 99.8% limit) and ``outside_998`` (True outside the 99.8% limits).
        ``limits``
            ``rhoresearch.stats.funnel_limits`` output for ratios (``ratio_type="isr"``):
            ``observed_events``, the 95% and 99.8% limits, ``*_exp_events``, ``baseline`` = 100;
            only the points from half the smallest organisation's observed count (at least 5) up,
            so the chart's scale follows the organisations.
        ``exclusions``
            The organisations left out, by reason (``step``, ``reason``, ``rows``; a reason with
            no organisation is not listed).

    Notes
    -----
    A value of 100 means the organisation's relative likelihood equals the national one; a value
    of 50 means it is twice the national one (ethnic minority applicants half as often appointed as
    expected). The expected count treats the organisation's White appointment rate as fixed, as
    indirect standardisation treats reference rates. Limits and significance are exact Poisson
    (below 10 events) or Byar's method, from ``rhoresearch.stats.funnel_limits`` and
    ``rhoresearch.stats.funnel_significance``. An organisation with no ethnic minority or no White
    applicant shortlisted has no relative likelihood, and one with no White applicant appointed no
    expected count: both are left out and counted in ``exclusions``.

    References
    ----------
    Spiegelhalter DJ (2005). Funnel plots for comparing institutional performance. Stat Med
    24:1185-1202. NHS England. WRES indicator 2.
    """
    data = returns[returns["year"].astype(int) == int(year)]
    if data.empty:
        raise InputError(f"appointment_funnel: no rows for year {year}")
    national = appointment_likelihood(data)["value"].iloc[0]
    g = data["ethnic_group"].astype(str)
    wide = (
        data.assign(_g=g)
        .pivot_table(
            index="org_code", columns="_g", values=["shortlisted", "appointed"], aggfunc="sum"
        )
        .fillna(0)
    )

    def column(count: str, group: str) -> pd.Series:
        if (count, group) in wide:
            return wide[(count, group)]
        return pd.Series(0, index=wide.index)  # nobody of the group in any organisation

    sl_w, sl_m = column("shortlisted", WHITE), column("shortlisted", MINORITY)
    ap_w, ap_m = column("appointed", WHITE), column("appointed", MINORITY)
    both_shortlisted = (sl_w > 0) & (sl_m > 0)
    ok = both_shortlisted & (ap_w > 0)
    points = pd.DataFrame(
        {
            "org_code": wide.index[ok],
            "observed": ap_m[ok].to_numpy(dtype=float),
            "expected": (sl_m[ok] * (ap_w[ok] / sl_w[ok]) / national).to_numpy(dtype=float),
        }
    )
    points["value"] = points["observed"] / points["expected"] * 100
    points["relative_likelihood"] = ((ap_w / sl_w) / (ap_m / sl_m))[ok].to_numpy(dtype=float)
    points["national_value"] = national
    points = funnel_significance(
        points, statistic="ratio", numerator="observed", denominator="expected"
    )
    if organisations is not None:
        points = points.merge(
            organisations[["org_code", "org_name", "region"]], on="org_code", how="left"
        )
    reasons = [
        (
            "no White or no ethnic minority applicant shortlisted",
            int((~both_shortlisted).sum()),
        ),
        ("no White applicant appointed", int((both_shortlisted & ~ok).sum())),
    ]
    exclusions = exclusions_table([r for r in reasons if r[1]], step=_FUNNEL_STEP)
    limits = funnel_limits(
        points, statistic="ratio", numerator="observed", denominator="expected", ratio_type="isr"
    )
    # keep the limit lines over the range of the organisations (at a handful of events the upper
    # limit runs to thousands of per cent and flattens the chart)
    floor = max(5.0, 0.5 * float(points["observed"].min())) if len(points) else 5.0
    limits = limits[limits["observed_events"] >= floor].reset_index(drop=True)
    return AppointmentFunnel(points, limits, exclusions)


def organisation_table(
    points: pd.DataFrame,
    *,
    threshold: int = DEFAULT_THRESHOLD,
    policy: disclosure.Policy | None = None,
) -> pd.DataFrame:
    """The funnel points as published: :data:`ORGANISATION_COLUMNS`, small counts suppressed.

    Parameters
    ----------
    points : DataFrame
        ``points`` of :func:`appointment_funnel` (with ``org_name`` and ``region``); not modified.
    threshold : int, default 5
        Observed counts from 1 to ``threshold - 1`` are suppressed.
    policy : Policy, optional
        A disclosure policy (:func:`rhoresearch.disclosure.policy`) passed to
        :func:`rhoresearch.disclosure.suppress`; ``None`` (default): the ``threshold`` policy.

    Returns
    -------
    DataFrame
        The columns :data:`ORGANISATION_COLUMNS`, after :func:`rhoresearch.disclosure.suppress`
        (``observed`` the count; ``value``, ``relative_likelihood`` and ``significance`` derived
        from it; no secondary suppression: organisations do not add up to a published total).
    """
    threshold = check_threshold(threshold, func="organisation_table")
    require_columns(points, ORGANISATION_COLUMNS, func="organisation_table")
    return _tables.publish(points, _ORGANISATION_TABLE, threshold=threshold, policy=policy)


def outside_limits(points: pd.DataFrame, *, top: int | None = None) -> pd.DataFrame:
    """The organisations outside the 99.8% funnel limits, highest relative likelihood first.

    Parameters
    ----------
    points : DataFrame
        :func:`organisation_table` (or ``points`` of :func:`appointment_funnel`); not modified.
    top : int, optional
        Keep this many rows.

    Returns
    -------
    DataFrame
        The rows whose ``significance`` is one of ``rhoresearch.stats.OUTSIDE_998_LEVELS``
        ("High (0.001)", "Low (0.001)") and not suppressed, sorted by ``relative_likelihood``
        (descending), same columns.
    """
    require_columns(points, ["significance", "relative_likelihood"], func="outside_limits")
    hidden = np.asarray(disclosure.is_suppressed(points, "significance"), dtype=bool)
    outside = points["significance"].isin(OUTSIDE_998_LEVELS).to_numpy(dtype=bool) & ~hidden
    out = points[outside].sort_values(
        "relative_likelihood", ascending=False, key=lambda s: pd.to_numeric(s, errors="coerce")
    )
    return out if top is None else out.head(top)


def funnel_note(points: pd.DataFrame, exclusions: pd.DataFrame) -> str:
    """One sentence: how many organisations lie outside the 99.8% limits, how many were left out.

    Parameters
    ----------
    points : DataFrame
        :func:`organisation_table` (suppressed rows are not counted as outside).
    exclusions : DataFrame
        ``exclusions`` of :func:`appointment_funnel`.

    Returns
    -------
    str
        E.g. "12 of 198 organisations lie outside the 99.8% limits (2 left out: no White or no
        ethnic minority applicant shortlisted: 2)."
    """
    n_out = len(outside_limits(points))
    text = f"{n_out} of {len(points)} organisations lie outside the 99.8% limits"
    left_out = int(exclusions["rows"].sum()) if len(exclusions) else 0
    if left_out:
        why = "; ".join(f"{r.reason}: {r.rows}" for r in exclusions.itertuples(index=False))
        text += f" ({left_out} left out: {why})"
    return text + "."
