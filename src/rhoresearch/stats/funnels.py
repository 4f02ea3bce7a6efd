"""Funnel-plot control limits and significance (re-exported by :mod:`rhoresearch.stats.indicators`).

=============================  ==================================================================
function                       what it gives
=============================  ==================================================================
:func:`funnel_limits`          the 95% and 99.8% control limits: 100 chart points
:func:`funnel_significance`    each unit's significance label and ``outside_998`` (a boolean:
                               outside the 99.8% limits)
:func:`funnel_points`          rate-funnel chart points (rate and derived yearly denominator)
:func:`funnel_exclusions`      the units :func:`funnel_limits` leaves out, by reason
=============================  ==================================================================

Over-dispersion (Spiegelhalter 2005, section 5: the test, multiplicative and additive limits) is in
:mod:`rhoresearch.stats.dispersion`, which uses this module's axis and input helpers.

The limits follow the PHE Fingertips funnel-plot method as implemented in PHEindicatormethods
(``calculate_funnel_limits``, ``assign_funnel_significance``, ``calculate_funnel_points``): for
proportions the limits are where the Wilson score interval of a unit would just touch the overall
proportion (Spiegelhalter 2005, with the Wilson score inversion); for rates and ratios they are exact
Poisson limits found by the same bisection the PHE method uses, so that the 100 chart points agree with
the published ones to better than 1e-6.
"""

from __future__ import annotations

import logging
import math
from typing import Any

import numpy as np
import pandas as pd

from rhoresearch import lazy
from rhoresearch.exceptions import InputError
from rhoresearch.stats import _core as S
from rhoresearch.stats._docs import shared_docs
from rhoresearch.validation import check_frame, format_rows, require_columns

# imported by the first interval or test computed, not with the package (rhoresearch.lazy)
stats = lazy.module("scipy.stats")

__all__ = [
    "funnel_limits",
    "funnel_significance",
    "funnel_points",
    "funnel_exclusions",
    "SIGNIFICANCE_LEVELS",
    "OUTSIDE_998_LEVELS",
]

logger = logging.getLogger(__name__)

#: The significance labels, in PHEindicatormethods' order (the ``significance`` categories).
SIGNIFICANCE_LEVELS = [
    "High (0.001)",
    "High (0.025)",
    "Low (0.001)",
    "Low (0.025)",
    "Not significant",
    "Not applicable for events less than 10 for dsrs",
]

#: The labels of a unit outside the 99.8% limits (``outside_998`` is True for these).
OUTSIDE_998_LEVELS = ("High (0.001)", "Low (0.001)")

_STATISTICS = ("proportion", "rate", "ratio")


# ---------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------


def _r_nchar(value: float) -> int:
    """Number of characters R's ``as.character`` gives a non-negative whole number.

    R writes a double in scientific notation when that is strictly shorter (``100000`` is
    ``"1e+05"``, 5 characters); the PHE axis rounding counts these characters, so we do too.
    """
    digits = str(int(value))
    fixed = len(digits)
    significant = len(digits.rstrip("0")) or 1
    exponent = fixed - 1
    sci = (1 if significant == 1 else significant + 1) + (4 if exponent < 100 else 5)
    return fixed if fixed <= sci else sci


def _signif_floor(x: float, down: float = 0.95) -> float:
    if x == 0:
        return 0.0
    n = _r_nchar(math.floor(x * down)) - 1
    return math.floor(x * down / 10**n) * 10**n


def _signif_ceiling(x: float, up: float = 1.05) -> float:
    if x == 0:
        return 0.0
    n = _r_nchar(math.ceil(x * up)) - 2
    return math.ceil(x * up / 10**n) * 10**n


def _axis_points(axis_min: float, axis_max: float, offset_shift: int) -> np.ndarray:
    """The 100 x-axis points, spaced geometrically (as in the PHE method)."""
    points = [max(1.0, float(axis_min))]
    for j in range(2, 101):
        offset = j - offset_shift
        prev = points[-1]
        nxt = round((axis_max / prev) ** (1 / (101 - offset)) * prev)
        points.append(float(max(nxt, prev + 1)))
    return np.array(points)


def _wilson_funnel(
    p: float, population: Any, average: float, side: str, multiplier: float
) -> np.ndarray:
    """Value at which a unit's Wilson score limit touches ``average`` (one-sided probability p)."""
    z2 = stats.norm.ppf(p) ** 2
    pop = np.asarray(population, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        first = average * (pop / z2 + 1)
        adj = np.sqrt(
            (-8 * average * (pop / z2 + 1)) ** 2
            - 64
            * (1 / z2 + 1 / pop)
            * average
            * (pop * (average * (pop / z2 + 2) - 1) + z2 * (average - 1))
        )
        last = 1 / z2 + 1 / pop
        out = (first - adj / 8) / last if side == "low" else (first + adj / 8) / last
        return out / pop * multiplier


def _poisson_funnel(obs: np.ndarray, p: float, side: str) -> np.ndarray:
    """Poisson mean at which ``obs`` sits on a one-sided limit with tail probability ``p``.

    ``side="low"``: the mean with P(K >= obs) = p (an upper control limit in expected events);
    ``side="high"``: the mean with P(K <= obs) = p. Solved by bisection on v = mean / (mean + obs +
    1), halving the step until it is at most 1e-7, exactly as the PHE (Excel and R) method does.
    """
    obs = np.asarray(obs, dtype=float)
    v = np.full(obs.shape, 0.5)
    dv = 0.5
    while dv > 1e-7:
        dv /= 2
        mu = (1 + obs) * v / (1 - v)
        if side == "low":
            go_down = _series_probability(mu, obs, "upper") > p
        else:
            go_down = _series_probability(mu, obs, "lower") < p
        v = np.where(go_down, v - dv, v + dv)
    return (1 + obs) * v / (1 - v)


def _series_probability(mu: np.ndarray, obs: np.ndarray, tail: str) -> np.ndarray:
    """P(K >= obs) (``tail="upper"``) or P(K <= obs) for K ~ Poisson(mu), as the PHE method sums it.

    The PHE method sums the Poisson series term by term and stops at the first k > mu whose term is
    at most 1e-10 of the sum so far; probabilities are then relative to that truncated total. The
    truncation moves them by about 1e-9, which decides the last bisection step when the root sits
    on a grid point, so we reproduce it: find that stopping index K by integer bisection (the
    condition pmf(k) <= 1e-10 cdf(k - 1) is monotone above mu) and renormalise to cdf(K - 1).
    """
    lo = np.floor(mu) + 1
    hi = lo + np.ceil(20 * np.sqrt(mu) + 100)
    while np.any(hi > lo):
        mid = np.floor((lo + hi) / 2)
        stop = stats.poisson.pmf(mid, mu) <= 1e-10 * stats.poisson.cdf(mid - 1, mu)
        hi = np.where(stop, mid, hi)
        lo = np.where(stop, lo, mid + 1)
    last = lo - 1  # the last term summed
    total = stats.poisson.cdf(last, mu)
    if tail == "upper":
        part = np.where(
            obs <= last, stats.poisson.sf(obs - 1, mu) - stats.poisson.sf(last, mu), 0.0
        )
    else:
        part = stats.poisson.cdf(np.minimum(obs, last), mu)
    return part / total


def _ratio_limit(obs: np.ndarray, expected: np.ndarray, p: float, side: str) -> np.ndarray:
    """Exact (below 10) or Byar's limit of obs / expected at two-sided level p."""
    obs = np.asarray(obs, dtype=float)
    small = obs < S.SMALL_COUNT
    if side == "low":
        val = np.where(small, S.exact_lower(np.where(small, obs, 1.0), p), 0.0)
        z = S.z_value(p)
        with np.errstate(divide="ignore", invalid="ignore"):
            byar = obs * (1 - 1 / (9 * obs) - z / 3 / np.sqrt(obs)) ** 3
        val = np.where(small, val, byar)
        val = np.where(obs == 0, 0.0, val)
    else:
        val = np.where(
            small,
            S.exact_upper(np.where(small, obs, 1.0), p),
            S.byar_upper(np.where(small, 1.0, obs), p),
        )
    with np.errstate(divide="ignore", invalid="ignore"):
        return val / np.asarray(expected, dtype=float)


def _check_statistic(statistic: str, func: str, denominator: str | None) -> None:
    """InputError unless ``statistic`` is known and, for proportions and ratios, has a denominator."""
    if statistic not in _STATISTICS:
        raise InputError(f"{func}: statistic must be one of {_STATISTICS}, got {statistic!r}")
    if statistic in ("proportion", "ratio") and denominator is None:
        raise InputError(f"{func}: statistic={statistic!r} needs a denominator column")


def _check_rate(func: str, rate: str | None, rate_type: str | None, name: str, value: Any) -> None:
    """InputError unless a rate funnel has its ``rate`` column, a known ``rate_type`` and ``name``."""
    if rate is None or rate_type not in ("dsr", "crude") or value is None:
        raise InputError(
            f"{func}: statistic='rate' needs rate (a column), rate_type ('dsr' or 'crude') "
            f"and {name}; got rate={rate!r}, rate_type={rate_type!r}, {name}={value!r}"
        )


def _check_years(years_of_data: object, func: str) -> float:
    """``years_of_data`` as a number; InputError unless it is a positive number."""
    if not isinstance(years_of_data, (int, float)) or years_of_data <= 0:
        raise InputError(f"{func}: years_of_data must be a positive number")
    return years_of_data


def _derived_denominator(
    num: np.ndarray,
    rate_values: np.ndarray,
    den: np.ndarray | None,
    rate_type: str | None,
    multiplier: float,
    func: str,
    *,
    what: str = "funnels",
) -> np.ndarray:
    """Denominators for rate funnels, derived from count and rate as PHE does.

    ``multiplier x events / rate``; for crude rates with 0 events, the population ``den`` (which
    must then be given: InputError naming ``what`` needs it); missing for dsr units with 0 events.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        derived = multiplier * num / rate_values
    if rate_type == "dsr":
        return np.where(num == 0, np.nan, derived)
    if den is None:
        if (num == 0).any():
            raise InputError(
                f"{func}: crude rate {what} need a denominator column when a count is 0"
            )
        return derived
    return np.where(num == 0, den, derived)


def _format_multiplier(multiplier: float) -> str:
    return f"{int(multiplier):,}" if float(multiplier).is_integer() else f"{multiplier:,}"


def _numeric_inputs(data: pd.DataFrame, func: str, columns: list[str | None]) -> list[Any]:
    """Check the frame and columns; each column as a float array (None for a column not given)."""
    check_frame(data, func=func)
    require_columns(data, [c for c in columns if c is not None], func=func, distinct=True)
    return [None if c is None else S.numeric(data, c, func) for c in columns]


def _limit_inputs(
    statistic: str, numerator: str, denominator: str | None, rate: str | None
) -> list[str]:
    """The columns a unit needs to count towards :func:`funnel_limits` (the others are left out)."""
    second = rate if statistic == "rate" else denominator
    return [numerator] + ([second] if second is not None else [])


# ---------------------------------------------------------------------------------------------
# public functions
# ---------------------------------------------------------------------------------------------


@shared_docs
def funnel_limits(
    data: pd.DataFrame,
    *,
    statistic: str,
    numerator: str,
    denominator: str | None = None,
    rate: str | None = None,
    multiplier: float | None = None,
    ratio_type: str | None = None,
    rate_type: str | None = None,
    years_of_data: float | None = None,
) -> pd.DataFrame:
    """Funnel-plot control limits (95% and 99.8%) for proportions, rates or ratios: 100 chart points.

    Parameters
    ----------
    {unit_data}
    {funnel_statistic}
    {funnel_numerator}
    {funnel_denominator}
    {funnel_rate}
    multiplier : float
        Proportion: e.g. 100 for percentages. Rate: the rate's multiplier (e.g. 100_000). Not used for
        ratios.
    ratio_type : {"count", "isr"}, optional
        Ratio: ``"count"`` gives limits of observed / expected - 1; ``"isr"`` gives observed /
        expected x 100.
    {funnel_rate_type}
    years_of_data : float, optional
        Rate: the number of years the data cover (limits are plotted against yearly population).

    Returns
    -------
    pandas.DataFrame
        100 rows, one per x-axis point. The first column is ``population`` (proportion),
        ``observed_events`` (ratio) or ``events`` (rate). Then ``lower_2s_limit``, ``upper_2s_limit``
        (95%: one-sided 0.025) and ``lower_3s_limit``, ``upper_3s_limit`` (99.8%: 0.001);
        ratio: also ``lower_2s_exp_events`` ... ``upper_3s_exp_events`` (the expected events at which
        the point lies on each limit); rate: also ``lower_2s_population_1_year`` ...
        ``upper_3s_population_1_year`` (the yearly population at which the events lie on the limit).
        ``baseline`` (the overall value x multiplier; 0 for count ratios, 100 for isr ratios),
        ``statistic`` and ``method`` (``"Wilson"`` or ``"Poisson"``).

    Notes
    -----
    The overall value is sum(numerator) / sum(denominator) (rates: over the derived denominators,
    ``multiplier x events / rate``; for dsr, units with 0 events are left out of the denominators).
    The x-axis runs from 0 (or, when the largest denominator is at most twice the smallest, from a
    rounded-down smallest denominator) to a rounded-up largest one, in 100 geometrically spaced
    integer steps, as in PHEindicatormethods. Proportion limits are the Wilson-score funnel
    (Spiegelhalter 2005), clipped to [0, multiplier] (PHEindicatormethods clips the upper limit at 100
    whatever the multiplier; the two agree for percentages). Rate and ratio limits use exact Poisson
    limits. Rows with a missing numerator, or a missing denominator (proportion, ratio) or rate
    (rate), are left out of the overall value and the axis range, and logged;
    :func:`funnel_exclusions` (same arguments) returns how many, by reason, and
    :func:`funnel_significance` gives those rows a missing label.

    References
    ----------
    Spiegelhalter DJ. Funnel plots for comparing institutional performance. Stat Med
    2005;24:1185-1202.
    Wilson EB. Probable inference, the law of succession, and statistical inference. J Am Stat Assoc
    1927;22:209-212.
    Public Health England. Fingertips technical guidance: funnel plots / PH methods.
    PHEindicatormethods (R package), function ``calculate_funnel_limits`` (v2.1).
    """
    func = "funnel_limits"
    _check_statistic(statistic, func, denominator)
    if statistic == "rate":
        _check_rate(func, rate, rate_type, "years_of_data", years_of_data)
        _check_years(years_of_data, func)
    if statistic == "ratio" and ratio_type not in ("count", "isr"):
        raise InputError(f"{func}: ratio_type must be 'count' or 'isr', got {ratio_type!r}")
    mult = 1.0  # not used for ratios
    if statistic in ("proportion", "rate"):
        if multiplier is None:
            raise InputError(f"{func}: statistic={statistic!r} needs a multiplier")
        mult = S.check_multiplier(multiplier, func)
    years: float = years_of_data if years_of_data is not None else 1.0  # used for rates only
    num, den, rate_values = _numeric_inputs(data, func, [numerator, denominator, rate])
    if statistic == "proportion":
        S.check_not_above(data, num, den, numerator, denominator, func)
    _, drop = S.missing_by_column(data, _limit_inputs(statistic, numerator, denominator, rate))
    keep = ~drop
    if statistic in ("proportion", "ratio"):
        derived = den
    else:
        derived = _derived_denominator(num, rate_values, den, rate_type, mult, func)
    excluded = int((~keep).sum())
    if excluded:
        logger.info("%s: %d row(s) with missing values left out", func, excluded)
    num_k, der_k = num[keep], derived[keep]
    if num_k.size == 0:
        raise InputError(f"{func}: no rows with complete values to compute limits from")
    with np.errstate(invalid="ignore", divide="ignore"):
        average = float(np.sum(num_k) / np.nansum(der_k))
    lo_d, hi_d = float(np.nanmin(der_k)), float(np.nanmax(der_k))
    if hi_d > 2 * lo_d:
        axis_min = 0.0
    elif statistic == "rate":
        axis_min = _signif_floor(lo_d / years) * years
    else:
        axis_min = _signif_floor(lo_d)
    if statistic == "rate":
        axis_max = _signif_ceiling(hi_d / years) * years
        axis_min = math.floor(axis_min * average)
        axis_max = math.ceil(axis_max * average)
    else:
        axis_max = _signif_ceiling(hi_d)
    x = _axis_points(axis_min, axis_max, 1 if statistic == "ratio" else 0)

    if statistic == "proportion":
        out = pd.DataFrame({"population": x})
        for tag, p in (("2s", 0.975), ("3s", 0.999)):
            out[f"lower_{tag}_limit"] = np.maximum(0.0, _wilson_funnel(p, x, average, "low", mult))
            out[f"upper_{tag}_limit"] = np.minimum(
                mult, _wilson_funnel(p, x, average, "high", mult)
            )
        out = out[
            ["population", "lower_2s_limit", "upper_2s_limit", "lower_3s_limit", "upper_3s_limit"]
        ]
        out["baseline"] = average * mult
        out["statistic"] = "proportion"
        out["method"] = "Wilson"
    elif statistic == "ratio":
        out = pd.DataFrame({"observed_events": x})
        for tag, p in (("2s", 0.025), ("3s", 0.001)):
            lower_e = _poisson_funnel(x, p, "high")
            upper_e = _poisson_funnel(x, p, "low")
            out[f"lower_{tag}_exp_events"] = lower_e
            out[f"lower_{tag}_limit"] = x / lower_e
            out[f"upper_{tag}_exp_events"] = upper_e
            out[f"upper_{tag}_limit"] = x / upper_e
        limits = [c for c in out.columns if c.endswith("_limit")]
        if ratio_type == "count":
            out[limits] = out[limits] - 1
            out["baseline"] = 0.0
        else:
            out[limits] = out[limits] * 100
            out["baseline"] = 100.0
        out["statistic"] = f"ratio ({ratio_type})"
        out["method"] = "Poisson"
    else:
        out = pd.DataFrame({"events": x})
        for tag, p in (("2s", 0.025), ("3s", 0.001)):
            for side, solve in (("lower", "high"), ("upper", "low")):
                pop = _poisson_funnel(x, p, solve) / average
                out[f"{side}_{tag}_population_1_year"] = pop / years
                out[f"{side}_{tag}_limit"] = x / pop * mult
        out["baseline"] = average * mult
        out["statistic"] = f"rate ({rate_type} per {_format_multiplier(mult)})"
        out["method"] = "Poisson"
    return out


@shared_docs
def funnel_significance(
    data: pd.DataFrame,
    *,
    statistic: str,
    numerator: str,
    denominator: str | None = None,
    rate: str | None = None,
    rate_type: str | None = None,
    multiplier: float | None = None,
) -> pd.DataFrame:
    """Label each unit as within or outside the 95% / 99.8% funnel limits around the overall value.

    Parameters
    ----------
    {unit_data}
    {funnel_statistic}
    {funnel_numerator}
    {funnel_denominator}
    {funnel_rate}
    {funnel_rate_type}
    multiplier : float, optional
        Rate: the rate's multiplier (e.g. 100_000).

    Returns
    -------
    pandas.DataFrame
        A copy of ``data`` with a ``significance`` column (categorical, categories in this order):
        ``"High (0.001)"``, ``"High (0.025)"``, ``"Low (0.001)"``, ``"Low (0.025)"``,
        ``"Not significant"``, and for dsr rates with fewer than 10 events ``"Not applicable for events
        less than 10 for dsrs"``; missing for rows with missing inputs. "High (0.001)" means above the
        99.8% limit, "High (0.025)" above the 95% limit only. The labels are exactly those of
        PHEindicatormethods. Then ``outside_998`` (bool): True when the unit lies outside the 99.8%
        limits (``significance`` is ``"High (0.001)"`` or ``"Low (0.001)"``,
        :data:`OUTSIDE_998_LEVELS`), False otherwise (inside them, not applicable, or no label):
        select the outliers with ``points[points["outside_998"]]`` rather than by matching the text.

    Notes
    -----
    Proportions: the unit's proportion is compared with the Wilson-score funnel limits at its
    denominator around the overall proportion sum(numerator) / sum(denominator). Ratios: the exact
    (below 10 events) or Byar's interval of observed / expected is compared with 1. Rates: the same
    interval of events / derived denominator (``multiplier x events / rate``; for crude rates with 0
    events, the population) is compared with the overall rate, sum(events) / sum(derived
    denominators). Rows with missing inputs get a missing label and are left out of the overall value.
    Negative values, a zero denominator and (for proportions) a numerator above its denominator raise
    :class:`InputError`.

    References
    ----------
    Spiegelhalter DJ. Funnel plots for comparing institutional performance. Stat Med
    2005;24:1185-1202.
    Breslow NE, Day NE. Statistical methods in cancer research, volume II. Lyon: IARC; 1987.
    Public Health England. Fingertips technical guidance: funnel plots / PH methods.
    PHEindicatormethods (R package), function ``assign_funnel_significance`` (v2.1).
    """
    func = "funnel_significance"
    _check_statistic(statistic, func, denominator)
    mult = 1.0  # used for rates only
    if statistic == "rate":
        _check_rate(func, rate, rate_type, "multiplier", multiplier)
        mult = S.check_multiplier(multiplier, func)
    num, den, rate_values = _numeric_inputs(data, func, [numerator, denominator, rate])
    if den is not None:
        zero = den == 0
        if zero.any():
            raise InputError(
                f"{func}: denominator {denominator!r} is 0 in rows {format_rows(data.index[zero])}; "
                "denominators must be greater than 0"
            )
    if statistic == "proportion":
        S.check_not_above(data, num, den, numerator, denominator, func)
    n = len(num)
    label = np.full(n, "Not significant", dtype=object)
    if statistic == "proportion":
        ok = ~np.isnan(num) & ~np.isnan(den)
        average = np.sum(num[ok]) / np.sum(den[ok])
        p = S.safe_divide(num, den)
        checks = [
            (p < _wilson_funnel(0.999, den, average, "low", 1), "Low (0.001)"),
            (p < _wilson_funnel(0.975, den, average, "low", 1), "Low (0.025)"),
            (p > _wilson_funnel(0.999, den, average, "high", 1), "High (0.001)"),
            (p > _wilson_funnel(0.975, den, average, "high", 1), "High (0.025)"),
        ]
    else:
        if statistic == "ratio":
            ok = ~np.isnan(num) & ~np.isnan(den)
            expected, target = den, np.ones(n)
        else:
            has_rate = ~np.isnan(rate_values)
            if rate_type == "dsr":
                # below 10 events a dsr unit is labelled 'not applicable' whatever its rate
                ok = ~np.isnan(num) & (has_rate | (num < S.SMALL_COUNT))
            elif den is not None:
                ok = ~np.isnan(num) & np.where(num == 0, ~np.isnan(den), has_rate)
            else:
                ok = ~np.isnan(num) & has_rate
            expected = _derived_denominator(num, rate_values, den, rate_type, mult, func)
            with np.errstate(invalid="ignore", divide="ignore"):
                average = np.sum(num[ok]) / np.nansum(expected[ok])
            target = np.full(n, average)
        checks = [
            (target < _ratio_limit(num, expected, 0.998, "low"), "High (0.001)"),
            (target < _ratio_limit(num, expected, 0.95, "low"), "High (0.025)"),
            (target > _ratio_limit(num, expected, 0.998, "high"), "Low (0.001)"),
            (target > _ratio_limit(num, expected, 0.95, "high"), "Low (0.025)"),
        ]
    for mask, text in reversed(checks):
        label = np.where(np.nan_to_num(mask, nan=0).astype(bool), text, label)
    if statistic == "rate" and rate_type == "dsr":
        label = np.where(num < S.SMALL_COUNT, SIGNIFICANCE_LEVELS[-1], label)
    label = np.where(ok, label, np.array(None, dtype=object))
    out = data.copy()
    out["significance"] = pd.Categorical(label, categories=SIGNIFICANCE_LEVELS)
    out["outside_998"] = out["significance"].isin(OUTSIDE_998_LEVELS).to_numpy(dtype=bool)
    return out


def funnel_points(
    data: pd.DataFrame,
    *,
    numerator: str,
    rate: str,
    rate_type: str,
    years_of_data: float,
    multiplier: float,
    denominator: str | None = None,
) -> pd.DataFrame:
    """Chart points for a rate funnel: the rate to plot and the yearly denominator it sits at.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per unit.
    numerator : str
        Column with events.
    rate : str
        Column with the rate per ``multiplier`` (crude or dsr).
    rate_type : {"dsr", "crude"}
        Kind of rate.
    years_of_data : float
        Years the data cover.
    multiplier : float
        The rate's multiplier.
    denominator : str, optional
        Population column (crude rates: used for units with 0 events, and then required).

    Returns
    -------
    pandas.DataFrame
        A copy of ``data`` with ``rate_chart`` (the rate to plot; missing for dsr units with fewer
        than 10 events) and ``denominator_derived`` (``multiplier x events / rate / years_of_data``;
        for crude rates with 0 events, population / years_of_data; missing for dsr below 10 events).

    Notes
    -----
    Plot ``rate_chart`` against ``denominator_derived`` over the lines of :func:`funnel_limits`
    (``*_population_1_year`` against ``*_limit``).

    References
    ----------
    Spiegelhalter DJ. Funnel plots for comparing institutional performance. Stat Med
    2005;24:1185-1202.
    PHEindicatormethods (R package), function ``calculate_funnel_points`` (v2.1).
    """
    func = "funnel_points"
    if rate_type not in ("dsr", "crude"):
        raise InputError(f"{func}: rate_type must be 'dsr' or 'crude', got {rate_type!r}")
    years = _check_years(years_of_data, func)
    multiplier = S.check_multiplier(multiplier, func)
    num, rate_values, den = _numeric_inputs(data, func, [numerator, rate, denominator])
    derived = (
        _derived_denominator(num, rate_values, den, rate_type, multiplier, func, what="points")
        / years
    )
    chart = rate_values
    if rate_type == "dsr":
        small = num < S.SMALL_COUNT
        chart = np.where(small, np.nan, rate_values)
        derived = np.where(small, np.nan, derived)
    out = data.copy()
    out["rate_chart"] = chart
    out["denominator_derived"] = derived
    return out


def funnel_exclusions(
    data: pd.DataFrame,
    *,
    statistic: str,
    numerator: str,
    denominator: str | None = None,
    rate: str | None = None,
    step: str = "funnel limits",
) -> pd.DataFrame:
    """The units :func:`funnel_limits` leaves out (a missing input), by reason.

    Parameters
    ----------
    data : pandas.DataFrame
        The frame given to :func:`funnel_limits`, one row per unit.
    statistic : {"proportion", "rate", "ratio"}
        As for :func:`funnel_limits`.
    numerator, denominator, rate : str
        As for :func:`funnel_limits`: a unit needs ``numerator`` and, for proportions and ratios,
        ``denominator``, for rates ``rate``.
    step : str, default "funnel limits"
        The ``step`` of every row.

    Returns
    -------
    pandas.DataFrame
        The exclusions layout of :func:`rhoresearch.results.exclusions_table`: ``step``, ``reason``
        (``"missing <column>"``), ``rows`` (units); one row per input column with missing values, no
        rows when every unit has its inputs. A unit missing both inputs is counted under each.

    Notes
    -----
    These units are also the ones :func:`funnel_significance` gives a missing label (for dsr rates,
    units below 10 events are labelled "not applicable" even when their rate is missing).

    References
    ----------
    Spiegelhalter DJ. Funnel plots for comparing institutional performance. Stat Med
    2005;24:1185-1202.
    """
    func = "funnel_exclusions"
    _check_statistic(statistic, func, denominator)
    if statistic == "rate" and rate is None:
        raise InputError(f"{func}: statistic='rate' needs rate (a column)")
    columns = _limit_inputs(statistic, numerator, denominator, rate)
    return S.column_exclusions(data, columns, func=func, step=step)
