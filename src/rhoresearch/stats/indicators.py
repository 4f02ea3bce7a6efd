"""Indicator statistics on tidy tables: proportions, crude rates and means, by group.

Pure computation: every function takes a DataFrame first and column names as keyword arguments,
never modifies its input, and returns a new tidy DataFrame with one row per group (per confidence
level when several are asked for). The methods are those of the UK public health indicator methods
(the PHE/OHID "Technical Guide: Confidence Intervals" and the PHEindicatormethods R package, whose
published test values the project's backtests reproduce). The indicator functions of
:mod:`rhoresearch.stats` live in four modules; this one defines the first three, and every one is
called through the public namespace (``from rhoresearch import stats; stats.dsr(...)``):

============================  ==================================================================
function                      method
============================  ==================================================================
:func:`proportion`            Wilson score interval
:func:`rate`                  exact Poisson limits below 10 events, Byar's method from 10
:func:`mean`                  Student's t interval
:func:`dsr`                   directly standardised rate, Dobson interval
                              (:mod:`rhoresearch.stats.standardisation`)
:func:`isr`, :func:`isr_rate` indirectly standardised ratio (SMR-style) or rate, exact/Byar
                              (:mod:`~rhoresearch.stats.standardisation`)
:func:`rate_ratio`            ratio of rates vs a reference group, log method; rate difference
                              (:mod:`rhoresearch.stats.comparisons`)
:func:`proportion_ratio`      relative likelihood (ratio of proportions), log method; difference
                              (Newcombe) (:mod:`~rhoresearch.stats.comparisons`)
:func:`participation_ratio`   participation-to-prevalence ratio
                              (:mod:`~rhoresearch.stats.comparisons`)
:func:`funnel_limits`,        funnel-plot control limits (95% and 99.8%), each unit's significance,
:func:`funnel_significance`,  rate-funnel chart points (:mod:`rhoresearch.stats.funnels`)
:func:`funnel_points`
============================  ==================================================================

Shared parameters
-----------------
by : str or list of str or None
    Column(s) to group by; ``None`` gives one row for the whole frame. Groups are sorted; a
    categorical column keeps its category order (only categories present appear); rows with a missing
    group value form their own group.
confidence : float or sequence of float
    Confidence level as a fraction in [0.9, 1), e.g. 0.95 or 0.998 (the rule of
    :func:`rhoresearch.validation.confidence_levels`). A list or tuple of levels, e.g.
    ``(0.95, 0.998)``, gives one row per group per level (long format, group-major), each row naming
    its level in the ``confidence`` column.
multiplier : float
    Scale of ``value`` and its limits (1 = proportion, 100 = percentage, 100_000 = per 100,000).

Shared columns: ``value``, ``lower_ci``, ``upper_ci`` (already multiplied), ``confidence`` (the
fraction), ``statistic`` (what the value is, e.g. ``"rate per 100000"``), ``method`` (the interval
method) and ``note`` (why a value is missing, or what was assumed; missing when there is nothing to
say).

Missing data and edge cases (every function)
--------------------------------------------
- A group with a missing numerator/count or denominator/population in any row gets NaN ``value``
  and limits, and its ``note`` says how many rows were missing (the PHE convention: a sum with a
  missing part is missing). The standardised measures (:func:`dsr`, :func:`isr`) instead treat a
  missing count in an age band as 0, as PHEindicatormethods does, and say so in ``note``.
- A zero denominator or population gives NaN ``value`` and limits, with a ``note``; never an error.
- Bad input raises :class:`rhoresearch.exceptions.InputError` naming the column and the rows:
  missing columns, non-numeric or infinite values, negative counts or populations, a numerator above
  its denominator (proportions), a confidence level outside [0.9, 1), a reference group absent from
  the data, age bands that do not match the standard population.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import numpy as np
import pandas as pd

from rhoresearch import lazy
from rhoresearch.stats import _core as S
from rhoresearch.stats._docs import shared_docs
from rhoresearch.validation import confidence_levels

# imported by the first interval or test computed, not with the package (rhoresearch.lazy)
stats = lazy.module("scipy.stats")

__all__ = ["proportion", "rate", "mean"]

logger = logging.getLogger(__name__)


def _ratio_of_sums(
    data: pd.DataFrame,
    func: str,
    columns: tuple[str, str],
    by: S.Columns,
    confidence: S.Confidence,
    multiplier: float,
    *,
    names: tuple[str, str],
    limits: Callable[[np.ndarray, np.ndarray, float], tuple[np.ndarray, np.ndarray]],
    statistic: Callable[[float], str],
    method: Callable[[np.ndarray], str | np.ndarray],
    bounded: bool,
) -> pd.DataFrame:
    """Sum of a numerator over sum of a denominator by group, with limits: :func:`proportion` and
    :func:`rate` differ only in the arguments.

    ``columns`` are the numerator and denominator columns and ``names`` what they are called in
    the output and the notes; ``limits(x, n, level)`` gives the limits of ``x / n`` (before the
    multiplier), ``statistic(multiplier)`` the ``statistic`` text, ``method(x)`` the ``method``
    (one text, or one per group); ``bounded`` requires numerator <= denominator on every row.
    """
    numerator, denominator = columns
    by_cols = S.prepare(data, func, [numerator, denominator], by)
    conf = confidence_levels(confidence, func=func)
    mult = S.check_multiplier(multiplier, func)
    num = S.numeric(data, numerator, func)
    den = S.numeric(data, denominator, func)
    if bounded:
        S.check_not_above(data, num, den, numerator, denominator, func)
    keys, sums, nmiss = S.group_sums(data, by_cols, {"x": num, "n": den})
    x, n = sums["x"], sums["n"]
    notes = S.notes_array(len(x))
    S.missing_note(notes, nmiss["x"], f"{names[0]} ({numerator})")
    S.missing_note(notes, nmiss["n"], f"{names[1]} ({denominator})")
    S.add_note(notes, n == 0, f"{names[1]} is 0")
    value = S.safe_divide(x, n) * mult
    lower, upper = S.by_level(conf, lambda c: tuple(v * mult for v in limits(x, n, c)))
    return S.indicator_table(
        keys,
        conf,
        {
            names[0]: x,
            names[1]: n,
            "value": value,
            "lower_ci": lower,
            "upper_ci": upper,
            "confidence": conf,
            "statistic": statistic(mult),
            "method": method(x),
            "note": notes,
        },
    )


def _poisson_rate_limits(
    x: np.ndarray, n: np.ndarray, confidence: float
) -> tuple[np.ndarray, np.ndarray]:
    """Exact (below 10) or Byar's limits of the count ``x``, divided by the population ``n``."""
    lo, hi = S.poisson_limits(x, confidence)
    return S.safe_divide(lo, n), S.safe_divide(hi, n)


@shared_docs
def proportion(
    data: pd.DataFrame,
    *,
    numerator: str,
    denominator: str,
    by: S.Columns = None,
    confidence: S.Confidence = 0.95,
    multiplier: float = 1,
) -> pd.DataFrame:
    """Proportion with Wilson score confidence interval, by group.

    Parameters
    ----------
    data : pandas.DataFrame
        Tidy table, one row per record or per aggregate cell.
    numerator, denominator : str
        Columns with the counts (cases with the condition, and the total). Non-integer values are
        allowed (e.g. weighted counts).
    {by}
    {confidence}
    multiplier : float, default 1
        1 for a proportion, 100 for a percentage.

    Returns
    -------
    pandas.DataFrame
        One row per group (per level): the ``by`` columns; ``numerator``, ``denominator`` (summed);
        ``value`` (numerator / denominator x multiplier); ``lower_ci``, ``upper_ci``;
        ``confidence``; ``statistic`` (``"percentage"`` or ``"proportion of <multiplier>"``);
        ``method`` (``"Wilson"``); ``note``.

    Notes
    -----
    With :math:`z = \\Phi^{-1}(1/2 + c/2)`, :math:`x` the numerator and :math:`n` the denominator,
    the limits are

    .. math:: \\frac{2x + z^2 \\mp z\\sqrt{z^2 + 4x(1 - x/n)}}{2(n + z^2)}

    (Wilson 1927, as in Newcombe & Altman 2000 and the PHE technical guide). Missing numerator or
    denominator in a group: NaN value and limits, with a note. Denominator 0: NaN, with a note. A
    numerator above its denominator in any row raises :class:`InputError`.

    References
    ----------
    Wilson EB. Probable inference, the law of succession, and statistical inference. J Am Stat Assoc
    1927;22:209-212.
    Newcombe RG, Altman DG. Proportions and their differences. In: Altman DG et al. (eds).
    Statistics with confidence, 2nd edn. London: BMJ Books; 2000. p. 46-48.
    Public Health England. Technical Guide: Confidence Intervals. London: PHE; 2018.
    PHEindicatormethods (R package), function ``phe_proportion`` / ``calculate_proportion``.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"g": ["a", "b"], "x": [20, 65], "n": [100, 100]})
    >>> proportion(t, numerator="x", denominator="n", by="g")[["g", "value"]]
       g  value
    0  a   0.20
    1  b   0.65
    """
    return _ratio_of_sums(
        data,
        "proportion",
        (numerator, denominator),
        by,
        confidence,
        multiplier,
        names=("numerator", "denominator"),
        limits=S.wilson,
        statistic=lambda m: "percentage" if m == 100 else f"proportion of {S.multiplier_label(m)}",
        method=lambda x: "Wilson",
        bounded=True,
    )


@shared_docs
def rate(
    data: pd.DataFrame,
    *,
    count: str,
    population: str,
    by: S.Columns = None,
    confidence: S.Confidence = 0.95,
    multiplier: float = 100_000,
) -> pd.DataFrame:
    """Crude rate with exact Poisson (below 10 events) or Byar's (from 10) confidence interval.

    Parameters
    ----------
    {tidy_data}
    {events}
    {by}
    {confidence}
    {rate_multiplier}

    Returns
    -------
    pandas.DataFrame
        One row per group (per level): the ``by`` columns; ``count``, ``population`` (summed);
        ``value`` (count / population x multiplier); ``lower_ci``, ``upper_ci``; ``confidence``;
        ``statistic`` (``"rate per <multiplier>"``); ``method`` (``"Exact"`` when the count is below
        10, ``"Byars"`` otherwise, missing when the count is missing); ``note``.

    Notes
    -----
    For a count :math:`O < 10` the limits are the exact Poisson limits
    :math:`\\chi^2_{\\alpha/2}(2O)/2` and :math:`\\chi^2_{1-\\alpha/2}(2O + 2)/2` (Ulm 1990); from 10,
    Byar's approximation :math:`O(1 - 1/(9O) - z/(3\\sqrt{O}))^3` and
    :math:`(O+1)(1 - 1/(9(O+1)) + z/(3\\sqrt{O+1}))^3` (Breslow & Day 1987). The limits are divided by
    the population and multiplied. A zero count gives a lower limit of 0. Missing count or population
    in a group: NaN, with a note. Population 0: NaN, with a note.

    References
    ----------
    Breslow NE, Day NE. Statistical methods in cancer research, volume II: the design and analysis of
    cohort studies. Lyon: IARC; 1987 (Byar's method).
    Ulm K. A simple method to calculate the confidence interval of a standardized mortality ratio.
    Am J Epidemiol 1990;131:373-375 (exact Poisson limits via chi-squared).
    Public Health England. Technical Guide: Confidence Intervals. London: PHE; 2018.
    PHEindicatormethods (R package), function ``phe_rate`` / ``calculate_rate``.
    """
    return _ratio_of_sums(
        data,
        "rate",
        (count, population),
        by,
        confidence,
        multiplier,
        names=("count", "population"),
        limits=_poisson_rate_limits,
        statistic=lambda m: f"rate per {S.multiplier_label(m)}",
        method=S.poisson_method,
        bounded=False,
    )


@shared_docs
def mean(
    data: pd.DataFrame,
    *,
    value: str,
    by: S.Columns = None,
    confidence: S.Confidence = 0.95,
) -> pd.DataFrame:
    """Mean with Student's t confidence interval, by group.

    Parameters
    ----------
    data : pandas.DataFrame
        Tidy table, one row per observation.
    value : str
        Column with the observations.
    {by}
    {confidence}

    Returns
    -------
    pandas.DataFrame
        One row per group (per level): the ``by`` columns; ``value_sum``, ``value_count`` (number of
        non-missing observations), ``stdev`` (sample standard deviation, n - 1); ``value`` (the
        mean); ``lower_ci``, ``upper_ci``; ``confidence``; ``statistic`` (``"mean"``); ``method``
        (``"Student's t-distribution"``); ``note``.

    Notes
    -----
    Limits :math:`\\bar{x} \\pm t_{n-1, 1/2 + c/2}\\, s/\\sqrt{n}`. Missing observations are
    excluded and counted in ``note``; negative values are allowed. A group with fewer than two
    observations has NaN limits (and NaN ``stdev``), with a note.

    References
    ----------
    Student. The probable error of a mean. Biometrika 1908;6:1-25.
    Public Health England. Technical Guide: Confidence Intervals. London: PHE; 2018.
    PHEindicatormethods (R package), function ``phe_mean`` / ``calculate_mean``.
    """
    func = "mean"
    by_cols = S.prepare(data, func, [value], by)
    conf = confidence_levels(confidence, func=func)
    v = S.numeric(data, value, func, negative_ok=True)
    codes, keys = S.group_index(data, by_cols)
    k = len(keys)
    missing = np.isnan(v)
    filled = np.where(missing, 0.0, v)
    cnt = np.bincount(codes, weights=~missing, minlength=k).astype(float)
    total = np.bincount(codes, weights=filled, minlength=k)
    nmiss = np.bincount(codes, weights=missing, minlength=k).astype(int)
    centre = S.safe_divide(total, cnt)
    resid = np.where(missing, 0.0, v - centre[codes])
    with np.errstate(divide="ignore", invalid="ignore"):
        sd = np.sqrt(np.bincount(codes, weights=resid**2, minlength=k) / (cnt - 1))
    sd = np.where(cnt < 2, np.nan, sd)
    notes = S.notes_array(len(total))
    S.add_note(notes, nmiss > 0, lambda k: f"{k} missing value(s) in {value} excluded", nmiss)
    S.add_note(notes, cnt < 2, "fewer than 2 observations: no interval")
    avg = S.safe_divide(total, cnt)

    def limits(c: float) -> tuple[np.ndarray, ...]:
        with np.errstate(invalid="ignore", divide="ignore"):
            half = stats.t.ppf(0.5 + c / 2, cnt - 1) * sd / np.sqrt(cnt)
        half = np.where(cnt < 2, np.nan, half)
        return avg - half, avg + half

    lower, upper = S.by_level(conf, limits)
    return S.indicator_table(
        keys,
        conf,
        {
            "value_sum": total,
            "value_count": cnt.astype("int64"),
            "stdev": sd,
            "value": avg,
            "lower_ci": lower,
            "upper_ci": upper,
            "confidence": conf,
            "statistic": "mean",
            "method": "Student's t-distribution",
            "note": notes,
        },
    )
