"""Over-dispersion of proportions in a funnel plot (Spiegelhalter 2005, section 5).

The companion of :mod:`rhoresearch.stats.funnels` (its axis, input and label helpers; a module of
its own to keep each under the project's module size): :func:`funnel_dispersion` (the test: phi
from winsorised z-scores, chi-squared p-value, tau^2), :func:`funnel_limits_adjusted` (limits
widened by phi, multiplicative, or by tau^2, additive random effects; the layout of
``funnel_limits``) and :func:`funnel_significance_adjusted` (each unit against them; the labels of
``funnel_significance``). Proportions only.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from rhoresearch import lazy
from rhoresearch.exceptions import InputError
from rhoresearch.stats import _core as S
from rhoresearch.stats.funnels import (
    OUTSIDE_998_LEVELS,
    SIGNIFICANCE_LEVELS,
    _axis_points,
    _numeric_inputs,
    _signif_ceiling,
    _signif_floor,
)
from rhoresearch.validation import check_frame

# imported by the first interval or test computed, not with the package (rhoresearch.lazy)
stats = lazy.module("scipy.stats")

__all__ = [
    "funnel_dispersion",
    "funnel_limits_adjusted",
    "funnel_significance_adjusted",
    "DISPERSION_COLUMNS",
    "ADJUSTMENTS",
]


# ---------------------------------------------------------------------------------------------
# over-dispersion (Spiegelhalter 2005, section 5): proportions
# ---------------------------------------------------------------------------------------------

#: The columns of :func:`funnel_dispersion`.
DISPERSION_COLUMNS = [
    "n_units",
    "target",
    "phi",
    "chi_squared",
    "df",
    "p_value",
    "over_dispersed",
    "tau2",
    "winsorised",
]

#: The ways :func:`funnel_limits_adjusted` widens the limits.
ADJUSTMENTS = ("none", "multiplicative", "additive")


def _proportion_z(data: pd.DataFrame, numerator: str, denominator: str, func: str) -> tuple:
    """Target, per-unit standard errors and z-scores of proportions (Spiegelhalter 2005, eq. 3)."""
    num, den = _numeric_inputs(data, func, [numerator, denominator])
    ok = ~np.isnan(num) & ~np.isnan(den) & (den > 0)
    if ok.sum() < 2:
        raise InputError(f"{func}: at least two units with complete values are needed")
    S.check_not_above(data, num, den, numerator, denominator, func)
    target = float(num[ok].sum() / den[ok].sum())
    se = np.sqrt(target * (1 - target) / den[ok])
    if not np.all(se > 0):
        raise InputError(f"{func}: the overall proportion is 0 or 1; no dispersion to measure")
    return target, se, (num[ok] / den[ok] - target) / se, den[ok]


def funnel_dispersion(
    data: pd.DataFrame,
    *,
    numerator: str,
    denominator: str,
    winsorise: float = 0.1,
    level: float = 0.05,
) -> pd.DataFrame:
    """Whether units' proportions vary more than chance allows: the over-dispersion test.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per unit; not modified.
    numerator, denominator : str
        The count columns of each unit's proportion.
    winsorise : float, default 0.1
        The fraction of z-scores pulled in at each end before ``phi`` is estimated (0 for none).
    level : float, default 0.05
        The test's significance level: ``over_dispersed`` is ``p_value < level``.

    Returns
    -------
    pandas.DataFrame
        One row, :data:`DISPERSION_COLUMNS`: ``n_units`` (I), ``target`` (overall proportion p0),
        ``phi`` (the over-dispersion factor, the mean squared winsorised z-score), ``chi_squared``
        (I x phi), ``df`` (I - 1), ``p_value`` (upper tail of chi-squared on I - 1 df),
        ``over_dispersed`` (bool), ``tau2`` (the additive random-effects variance, 0 when
        I x phi <= I - 1) and ``winsorised`` (the fraction used).

    Notes
    -----
    z_i = (y_i - p0) / sqrt(p0 (1 - p0) / n_i). The z-scores are winsorised (values beyond the
    ``winsorise`` and ``1 - winsorise`` quantiles set to those quantiles), phi = sum(z_w^2) / I, and
    I x phi is compared with chi-squared on I - 1 degrees of freedom. tau^2 = (I phi - (I - 1)) /
    (sum w_i - sum w_i^2 / sum w_i) with w_i = 1 / s_i^2 (DerSimonian and Laird's moment
    estimator on the winsorised z-scores). Rows with missing counts are left out.

    References
    ----------
    Spiegelhalter DJ. Funnel plots for comparing institutional performance. Stat Med
    2005;24:1185-1202 (section 5, over-dispersion). Spiegelhalter DJ. Handling over-dispersion of
    performance indicators. Qual Saf Health Care 2005;14:347-51. DerSimonian R, Laird N.
    Meta-analysis in clinical trials. Control Clin Trials 1986;7:177-88.
    """
    func = "funnel_dispersion"
    check_frame(data, func=func)
    if not 0 <= winsorise < 0.5:
        raise InputError(f"{func}: winsorise must be in [0, 0.5); got {winsorise!r}")
    if not 0 < level < 1:
        raise InputError(f"{func}: level must be between 0 and 1; got {level!r}")
    target, se, z, _ = _proportion_z(data, numerator, denominator, func)
    lo, hi = np.quantile(z, [winsorise, 1 - winsorise]) if winsorise else (-np.inf, np.inf)
    zw = np.clip(z, lo, hi)
    units = len(z)
    phi = float(np.sum(zw**2) / units)
    w = 1 / se**2
    tau2 = max(0.0, (units * phi - (units - 1)) / (w.sum() - (w**2).sum() / w.sum()))
    p_value = float(stats.chi2.sf(units * phi, units - 1))
    return pd.DataFrame(
        [[units, target, phi, units * phi, units - 1, p_value, p_value < level, tau2, winsorise]],
        columns=DISPERSION_COLUMNS,
    )


def _adjusted_sd(se: np.ndarray, dispersion: pd.Series, adjustment: str) -> np.ndarray:
    """The standard errors a funnel uses: as they are, times sqrt(phi), or with tau^2 added."""
    if adjustment == "multiplicative":
        return se * math.sqrt(max(1.0, float(dispersion["phi"])))
    if adjustment == "additive":
        return np.sqrt(se**2 + float(dispersion["tau2"]))
    return se


def funnel_limits_adjusted(
    data: pd.DataFrame,
    *,
    numerator: str,
    denominator: str,
    adjustment: str,
    multiplier: float = 100,
    winsorise: float = 0.1,
) -> pd.DataFrame:
    """Proportion funnel limits widened for over-dispersion (multiplicative or additive).

    Parameters
    ----------
    data : pandas.DataFrame
        One row per unit; not modified.
    numerator, denominator : str
        The count columns.
    adjustment : {"none", "multiplicative", "additive"}
        ``"multiplicative"``: p0 +/- z sqrt(phi p0 (1 - p0) / n) (phi below 1 taken as 1);
        ``"additive"``: p0 +/- z sqrt(p0 (1 - p0) / n + tau^2); ``"none"``: the normal
        approximation without adjustment.
    multiplier : float, default 100
        The scale of the limits (100 for percentages).
    winsorise : float, default 0.1
        As for :func:`funnel_dispersion`.

    Returns
    -------
    pandas.DataFrame
        The layout of :func:`funnel_limits` for proportions (100 rows: ``population``,
        ``lower_2s_limit``, ``upper_2s_limit``, ``lower_3s_limit``, ``upper_3s_limit``,
        ``baseline``, ``statistic``, ``method``), the limits clipped to [0, multiplier];
        ``method`` names the adjustment and phi or tau^2.

    References
    ----------
    Spiegelhalter DJ. Funnel plots for comparing institutional performance. Stat Med
    2005;24:1185-1202 (section 5).
    """
    func = "funnel_limits_adjusted"
    if adjustment not in ADJUSTMENTS:
        raise InputError(f"{func}: adjustment must be one of {ADJUSTMENTS}; got {adjustment!r}")
    mult = S.check_multiplier(multiplier, func)
    dispersion = funnel_dispersion(
        data, numerator=numerator, denominator=denominator, winsorise=winsorise
    ).iloc[0]
    target, _, _, den = _proportion_z(data, numerator, denominator, func)
    lo_d, hi_d = float(den.min()), float(den.max())
    axis_min = 0.0 if hi_d > 2 * lo_d else _signif_floor(lo_d)
    x = _axis_points(axis_min, _signif_ceiling(hi_d), 0)
    x = x[x > 0]
    sd = _adjusted_sd(np.sqrt(target * (1 - target) / x), dispersion, adjustment)
    out = pd.DataFrame({"population": x})
    for tag, p in (("2s", 0.975), ("3s", 0.999)):
        z = stats.norm.ppf(p)
        out[f"lower_{tag}_limit"] = np.clip((target - z * sd) * mult, 0, mult)
        out[f"upper_{tag}_limit"] = np.clip((target + z * sd) * mult, 0, mult)
    out["baseline"] = target * mult
    out["statistic"] = "proportion"
    out["method"] = {
        "none": "normal approximation",
        "multiplicative": f"multiplicative over-dispersion (phi {dispersion['phi']:.2f})",
        "additive": f"additive random effects (tau^2 {dispersion['tau2']:.3g})",
    }[adjustment]
    return out


def funnel_significance_adjusted(
    data: pd.DataFrame,
    *,
    numerator: str,
    denominator: str,
    adjustment: str,
    winsorise: float = 0.1,
) -> pd.DataFrame:
    """Each unit against the over-dispersion-adjusted limits of :func:`funnel_limits_adjusted`.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per unit; not modified.
    numerator, denominator : str
        The count columns.
    adjustment : {"none", "multiplicative", "additive"}
        As for :func:`funnel_limits_adjusted`.
    winsorise : float, default 0.1
        As for :func:`funnel_dispersion`.

    Returns
    -------
    pandas.DataFrame
        A copy of ``data`` with ``significance`` (the categories of :data:`SIGNIFICANCE_LEVELS`;
        missing for rows with missing counts) and ``outside_998``, as :func:`funnel_significance`.

    References
    ----------
    Spiegelhalter DJ. Funnel plots for comparing institutional performance. Stat Med
    2005;24:1185-1202 (section 5).
    """
    func = "funnel_significance_adjusted"
    if adjustment not in ADJUSTMENTS:
        raise InputError(f"{func}: adjustment must be one of {ADJUSTMENTS}; got {adjustment!r}")
    dispersion = funnel_dispersion(
        data, numerator=numerator, denominator=denominator, winsorise=winsorise
    ).iloc[0]
    target = float(dispersion["target"])
    num, den = _numeric_inputs(data, func, [numerator, denominator])
    ok = ~np.isnan(num) & ~np.isnan(den) & (den > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        sd = _adjusted_sd(np.sqrt(target * (1 - target) / den), dispersion, adjustment)
        z = (num / den - target) / sd
    label = np.full(len(num), "Not significant", dtype=object)
    for bound, text in ((stats.norm.ppf(0.975), "(0.025)"), (stats.norm.ppf(0.999), "(0.001)")):
        label = np.where(z > bound, f"High {text}", label)
        label = np.where(z < -bound, f"Low {text}", label)
    label = np.where(ok, label, np.array(None, dtype=object))
    out = data.copy()
    out["significance"] = pd.Categorical(label, categories=SIGNIFICANCE_LEVELS)
    out["outside_998"] = out["significance"].isin(OUTSIDE_998_LEVELS).to_numpy(dtype=bool)
    return out
