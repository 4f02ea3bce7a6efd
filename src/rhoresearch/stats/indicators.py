"""Indicator statistics on tidy tables: proportions, rates, means, standardised rates, ratios, funnels.

Pure computation: every function takes a DataFrame first and column names as keyword arguments,
never modifies its input, and returns a new tidy DataFrame with one row per group (per confidence
level when several are asked for). The methods are those of the UK public health indicator methods
(the PHE/OHID "Technical Guide: Confidence Intervals" and the PHEindicatormethods R package, whose
published test values the project's backtests reproduce):

==========================  ==================================================================
function                    method
==========================  ==================================================================
:func:`proportion`          Wilson score interval
:func:`rate`                exact Poisson limits below 10 events, Byar's method from 10
:func:`mean`                Student's t interval
:func:`dsr`                 directly standardised rate, Dobson interval (optionally adjusted for
                            non-independent events); not reported below 10 events
:func:`isr`                 indirectly standardised ratio (SMR-style) or rate, exact/Byar
:func:`rate_ratio`          ratio of rates vs a reference group, log method; rate difference
:func:`proportion_ratio`    relative likelihood (ratio of proportions) vs a reference group, log
                            method; difference of proportions (Newcombe)
:func:`participation_ratio` participation-to-prevalence ratio
:func:`funnel_limits`       funnel-plot control limits (95% and 99.8%) for proportions, rates, ratios
:func:`funnel_significance` each unit's funnel significance label against the overall value
:func:`funnel_points`       rate-funnel chart points (rate and derived yearly denominator)
==========================  ==================================================================

Shared parameters
-----------------
by : str or list of str or None
    Column(s) to group by; ``None`` gives one row for the whole frame. Groups are sorted; a
    categorical column keeps its category order (only categories present appear); rows with a missing
    group value form their own group.
confidence : float or sequence of float
    Confidence level as a fraction in [0.9, 1), e.g. 0.95 or 0.998. A list or tuple of levels, e.g.
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

import numpy as np
import pandas as pd
from scipy import stats

from rhoresearch.exceptions import InputError
from rhoresearch.stats import _core as S
from rhoresearch.stats._core import ESP2013
from rhoresearch.stats.funnels import funnel_limits, funnel_points, funnel_significance

__all__ = [
    "ESP2013",
    "proportion",
    "rate",
    "mean",
    "dsr",
    "isr",
    "isr_rate",
    "rate_ratio",
    "proportion_ratio",
    "participation_ratio",
    "funnel_limits",
    "funnel_significance",
    "funnel_points",
    "esp2013",
]

logger = logging.getLogger(__name__)


def esp2013() -> pd.DataFrame:
    """Return the 2013 European Standard Population (19 bands) used by :func:`dsr` by default.

    Returns
    -------
    pandas.DataFrame
        Columns ``age_band`` (``"0-4"`` ... ``"85-89"``, ``"90+"``) and ``population`` (per 100,000;
        they sum to 100,000).

    Notes
    -----
    The 90+ band is the sum of the 2013 ESP's 90-94 (800) and 95+ (200) bands. The table is built
    into the package (no file is read).

    References
    ----------
    Eurostat. Revision of the European Standard Population: report of Eurostat's task force. 2013
    edition. Luxembourg: Publications Office of the European Union; 2013. doi:10.2785/11470.
    """
    return ESP2013.rename("population").reset_index()


def _prepare(data, func, columns, by):
    S.check_frame(data, func)
    by_cols = S.as_columns(by, func)
    S.require_columns(data, [*columns, *by_cols], func)
    return by_cols


def _missing_note(notes, nmiss, label):
    S.add_note(notes, nmiss > 0, lambda k: f"missing {label} in {k} row(s)", nmiss)


# =============================================================================================
# single-group indicators
# =============================================================================================


def proportion(data, *, numerator, denominator, by=None, confidence=0.95, multiplier=1):
    """Proportion with Wilson score confidence interval, by group.

    Parameters
    ----------
    data : pandas.DataFrame
        Tidy table, one row per record or per aggregate cell.
    numerator, denominator : str
        Columns with the counts (cases with the condition, and the total). Non-integer values are
        allowed (e.g. weighted counts).
    by : str or list of str, optional
        Grouping column(s); ``None`` gives one row for the whole frame.
    confidence : float or sequence of float, default 0.95
        Level(s) in [0.9, 1); several give one row per group per level.
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
    func = "proportion"
    by_cols = _prepare(data, func, [numerator, denominator], by)
    conf = S.levels(confidence, func)
    mult = S.check_multiplier(multiplier, func)
    num = S.numeric(data, numerator, func)
    den = S.numeric(data, denominator, func)
    S.check_not_above(data, num, den, numerator, denominator, func)
    keys, sums, nmiss = S.group_sums(data, by_cols, {"x": num, "n": den})
    x, n = sums["x"], sums["n"]
    notes = S.notes_array(len(x))
    _missing_note(notes, nmiss["x"], f"numerator ({numerator})")
    _missing_note(notes, nmiss["n"], f"denominator ({denominator})")
    S.add_note(notes, n == 0, "denominator is 0")
    value = S.safe_divide(x, n) * mult
    lower, upper = S.by_level(conf, lambda c: tuple(v * mult for v in S.wilson(x, n, c)))
    keys, cols = S.expand(keys, {"x": x, "n": n, "value": value, "note": notes}, len(conf))
    statistic = "percentage" if mult == 100 else f"proportion of {S.multiplier_label(mult)}"
    return S.finish(
        keys,
        {
            "numerator": cols["x"],
            "denominator": cols["n"],
            "value": cols["value"],
            "lower_ci": lower,
            "upper_ci": upper,
            "confidence": np.tile(conf, len(x)),
            "statistic": statistic,
            "method": "Wilson",
            "note": S.note_series(cols["note"]),
        },
    )


def rate(data, *, count, population, by=None, confidence=0.95, multiplier=100_000):
    """Crude rate with exact Poisson (below 10 events) or Byar's (from 10) confidence interval.

    Parameters
    ----------
    data : pandas.DataFrame
        Tidy table.
    count, population : str
        Columns with the number of events and the population (or person-time) at risk. A count above
        its population is allowed (events can repeat).
    by : str or list of str, optional
        Grouping column(s); ``None`` gives one row for the whole frame.
    confidence : float or sequence of float, default 0.95
        Level(s) in [0.9, 1).
    multiplier : float, default 100_000
        Rate per ``multiplier`` population.

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
    func = "rate"
    by_cols = _prepare(data, func, [count, population], by)
    conf = S.levels(confidence, func)
    mult = S.check_multiplier(multiplier, func)
    x_row = S.numeric(data, count, func)
    n_row = S.numeric(data, population, func)
    keys, sums, nmiss = S.group_sums(data, by_cols, {"x": x_row, "n": n_row})
    x, n = sums["x"], sums["n"]
    notes = S.notes_array(len(x))
    _missing_note(notes, nmiss["x"], f"count ({count})")
    _missing_note(notes, nmiss["n"], f"population ({population})")
    S.add_note(notes, n == 0, "population is 0")
    value = S.safe_divide(x, n) * mult

    def limits(c):
        lo, hi = S.poisson_limits(x, c)
        return S.safe_divide(lo, n) * mult, S.safe_divide(hi, n) * mult

    lower, upper = S.by_level(conf, limits)
    method = S.poisson_method(x)
    keys, cols = S.expand(
        keys, {"x": x, "n": n, "value": value, "method": method, "note": notes}, len(conf)
    )
    return S.finish(
        keys,
        {
            "count": cols["x"],
            "population": cols["n"],
            "value": cols["value"],
            "lower_ci": lower,
            "upper_ci": upper,
            "confidence": np.tile(conf, len(x)),
            "statistic": f"rate per {S.multiplier_label(mult)}",
            "method": pd.Series(cols["method"], dtype="str"),
            "note": S.note_series(cols["note"]),
        },
    )


def mean(data, *, value, by=None, confidence=0.95):
    """Mean with Student's t confidence interval, by group.

    Parameters
    ----------
    data : pandas.DataFrame
        Tidy table, one row per observation.
    value : str
        Column with the observations.
    by : str or list of str, optional
        Grouping column(s); ``None`` gives one row for the whole frame.
    confidence : float or sequence of float, default 0.95
        Level(s) in [0.9, 1).

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
    by_cols = _prepare(data, func, [value], by)
    conf = S.levels(confidence, func)
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

    def limits(c):
        with np.errstate(invalid="ignore", divide="ignore"):
            half = stats.t.ppf(0.5 + c / 2, cnt - 1) * sd / np.sqrt(cnt)
        half = np.where(cnt < 2, np.nan, half)
        return avg - half, avg + half

    lower, upper = S.by_level(conf, limits)
    keys, cols = S.expand(
        keys,
        {"sum": total, "count": cnt, "sd": sd, "value": avg, "note": notes},
        len(conf),
    )
    return S.finish(
        keys,
        {
            "value_sum": cols["sum"],
            "value_count": cols["count"].astype("int64"),
            "stdev": cols["sd"],
            "value": cols["value"],
            "lower_ci": lower,
            "upper_ci": upper,
            "confidence": np.tile(conf, len(total)),
            "statistic": "mean",
            "method": "Student's t-distribution",
            "note": S.note_series(cols["note"]),
        },
    )


# =============================================================================================
# standardised measures
# =============================================================================================


def dsr(
    data,
    *,
    count,
    population,
    age,
    by=None,
    standard="esp2013",
    confidence=0.95,
    multiplier=100_000,
    event_frequency=None,
):
    """Directly standardised rate with Dobson confidence interval.

    Parameters
    ----------
    data : pandas.DataFrame
        Tidy table with one row per group and age band (several rows for the same group and band are
        summed, e.g. one row per sex).
    count, population : str
        Columns with the events and the population in each age band. With ``event_frequency``,
        ``count`` is instead the number of *people* who had that many events (see Notes).
    age : str
        Column with the age band of each row. Labels are matched to the standard's bands after
        normalising: ``"0-4"``, ``"00-04"`` and ``"0 to 4"`` are the same band; ``"90+"``,
        ``"90 and over"`` are an open band; a plain number (``0``, ``5``, ... ``90``) is matched to the
        band that starts there.
    by : str or list of str, optional
        Grouping column(s); ``None`` gives one row for the whole frame.
    standard : {"esp2013"} or str or pandas.Series or pandas.DataFrame, default "esp2013"
        The standard population: ``"esp2013"`` (2013 European Standard Population, 19 bands, see
        :func:`esp2013`); the name of a column of ``data`` holding each row's standard population
        (matched by row, as PHEindicatormethods does); a Series indexed by age band; a dict; or a
        two-column DataFrame (age band, population).
    confidence : float or sequence of float, default 0.95
        Level(s) in [0.9, 1).
    multiplier : float, default 100_000
        Rate per ``multiplier`` population.
    event_frequency : str, optional
        For non-independent events (people with more than one event): the column giving how many
        events each row's people had (1, 2, 3, ...). ``count`` is then the number of people with that
        frequency, and the rows of one group and age band repeat the same population.

    Returns
    -------
    pandas.DataFrame
        One row per group (per level): the ``by`` columns; ``count`` (total events), ``population``
        (total population); ``value`` (the DSR per multiplier); ``lower_ci``, ``upper_ci``;
        ``confidence``; ``statistic`` (``"dsr per <multiplier>"``); ``method`` (``"Dobson"``, or
        ``"Dobson, with confidence adjusted for non-independent events"``); ``note`` (e.g.
        ``"total count below 10: not reported"``).

    Notes
    -----
    With age-specific events :math:`O_i`, populations :math:`n_i` and standard weights :math:`w_i`
    (sum :math:`W`), the DSR is :math:`\\sum_i w_i O_i/n_i / W` and its variance
    :math:`\\sum_i O_i (w_i/n_i)^2 / W^2`. Dobson's limits (Dobson et al. 1991) are
    :math:`DSR + \\sqrt{var/O}\\,(O_{L,U} - O)` with :math:`O = \\sum O_i` and :math:`O_{L,U}` Byar's
    limits for :math:`O`. For non-independent events, with :math:`p_{if}` the people in band
    :math:`i` with :math:`f` events, :math:`O_i = \\sum_f f p_{if}` and the variance becomes
    :math:`\\sum_f f^2 \\sum_i p_{if} (w_i/n_i)^2 / W^2` (the PHEindicatormethods adjustment).

    Edge cases: a total count below 10 gives NaN value and limits with the note ``"total count below
    10: not reported"`` (the PHE rule; the counts are still returned). A missing count in an age band
    counts as 0 (as in PHEindicatormethods) and is noted. A missing or zero population in a band with
    a count, or a group lacking some of the standard's bands, gives NaN with a note. Age bands not in
    the standard raise :class:`InputError` naming them and their rows.

    References
    ----------
    Dobson AJ, Kuulasmaa K, Eberle E, Scherer J. Confidence intervals for weighted sums of Poisson
    parameters. Stat Med 1991;10:457-462.
    Breslow NE, Day NE. Statistical methods in cancer research, volume II. Lyon: IARC; 1987.
    Eurostat. Revision of the European Standard Population. 2013 edition. doi:10.2785/11470.
    Public Health England. Technical Guide: Confidence Intervals; and Technical Guide: Directly
    standardised rates. London: PHE; 2018.
    PHEindicatormethods (R package), function ``calculate_dsr`` (non-independent events, v2.0).
    """
    func = "dsr"
    S.check_frame(data, func)
    std_col = None
    if isinstance(standard, str) and standard.strip().lower() != "esp2013":
        if standard not in data.columns:
            raise InputError(
                f"{func}: standard {standard!r} is neither 'esp2013' nor a column of data; "
                f"available columns: {list(data.columns)}"
            )
        std_col = standard
    extra = [c for c in (event_frequency, std_col) if c is not None]
    by_cols = _prepare(data, func, [count, population, age, *extra], by)
    conf = S.levels(confidence, func)
    mult = S.check_multiplier(multiplier, func)
    x_row = S.numeric(data, count, func)
    n_row = S.numeric(data, population, func)
    if std_col is not None:
        w_row = S.numeric(data, std_col, func)
        if np.isnan(w_row).any():
            raise InputError(
                f"{func}: standard population column {std_col!r} is missing in rows "
                f"{S.fmt_rows(data.index[np.isnan(w_row)])}"
            )
        band_codes, _ = pd.factorize(data[age], use_na_sentinel=True)
        if (band_codes < 0).any():
            raise InputError(
                f"{func}: column {age!r} has missing age bands in rows "
                f"{S.fmt_rows(data.index[band_codes < 0])}"
            )
        n_bands = None
    else:
        table = S.standard_table(standard, func)
        band_codes, _ = S.match_bands(data, age, table, func)
        w_row = table.to_numpy()[band_codes]
        n_bands = len(table)
    nonindependent = event_frequency is not None
    if nonindependent:
        f_row = S.numeric(data, event_frequency, func)
        if np.isnan(f_row).any():
            raise InputError(
                f"{func}: column {event_frequency!r} is missing in rows "
                f"{S.fmt_rows(data.index[np.isnan(f_row)])}"
            )
    else:
        f_row = None
    g_codes, keys = S.group_index(data, by_cols)
    agg = _dsr_sums(
        g_codes, len(keys), band_codes, f_row, x_row, n_row, w_row, func=func, population=population
    )
    O = agg["O"]  # noqa: E741
    nan_pop = agg["nan_pop"]
    zero_pop = agg["zero_pop"]
    xmiss = agg["xmiss"].astype("int64")
    N = np.where(nan_pop > 0, np.nan, agg["N"])
    W = agg["W"]
    value = S.safe_divide(agg["wt"], W) * mult
    var = S.safe_divide(agg["sq"], W**2)
    notes = S.notes_array(len(O))
    S.add_note(notes, xmiss > 0, lambda k: f"{k} missing count(s) ({count}) treated as 0", xmiss)
    invalid = np.zeros(len(O), bool)
    if n_bands is not None:
        lacking = agg["bands"] < n_bands
        S.add_note(notes, lacking, f"age bands missing (the standard has {n_bands})")
        invalid |= lacking
    S.add_note(notes, nan_pop > 0, f"missing population ({population})")
    S.add_note(notes, zero_pop > 0, "population is 0 in an age band with events")
    S.add_note(
        notes,
        (agg["zero_pop_empty"] > 0) & (zero_pop == 0),
        "population is 0 in an age band without events (that band's rate taken as 0)",
    )
    invalid |= (nan_pop > 0) | (zero_pop > 0)
    small = O < S.SMALL_COUNT
    S.add_note(notes, small & ~invalid, "total count below 10: not reported")
    invalid |= small
    value = np.where(invalid, np.nan, value)

    def limits(c):
        with np.errstate(divide="ignore", invalid="ignore"):
            scale = np.sqrt(var / O) * mult
            lo = value + scale * (S.byar_lower(O, c) - O)
            hi = value + scale * (S.byar_upper(O, c) - O)
        return np.where(invalid, np.nan, lo), np.where(invalid, np.nan, hi)

    lower, upper = S.by_level(conf, limits)
    method = (
        "Dobson, with confidence adjusted for non-independent events"
        if nonindependent
        else "Dobson"
    )
    keys, cols = S.expand(keys, {"O": O, "N": N, "value": value, "note": notes}, len(conf))
    return S.finish(
        keys,
        {
            "count": cols["O"],
            "population": cols["N"],
            "value": cols["value"],
            "lower_ci": lower,
            "upper_ci": upper,
            "confidence": np.tile(conf, len(O)),
            "statistic": f"dsr per {S.multiplier_label(mult)}",
            "method": method,
            "note": S.note_series(cols["note"]),
        },
    )


def _dsr_row_sums(g, n_groups, x_row, n_row, w_row, missing_x, missing_n):
    """Per-group sums for :func:`dsr` when each row is one group's age band (independent events)."""
    x = np.where(missing_x, 0.0, x_row)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = w_row / n_row
        no_events = x == 0
        wt = np.where(no_events, 0.0, x * ratio)
        sq = np.where(no_events, 0.0, wt * ratio)
    zero_n = n_row == 0

    def per_group(values=None):
        return np.bincount(g, weights=values, minlength=n_groups).astype(float)

    def flagged(mask):  # rare conditions: skip the pass when no row has them
        return per_group(mask) if mask.any() else np.zeros(n_groups)

    return {
        "O": per_group(x),
        "N": per_group(np.where(missing_n, 0.0, n_row)),
        "W": per_group(w_row),
        "wt": per_group(wt),
        "sq": per_group(sq),
        "nan_pop": flagged(missing_n),
        "zero_pop": flagged(zero_n & ~no_events),
        "zero_pop_empty": flagged(zero_n & no_events),
        "xmiss": flagged(missing_x),
        "bands": per_group(),
    }


def _dsr_sums(g_codes, n_groups, band_codes, f_row, x_row, n_row, w_row, *, func, population):
    """Per-group sums for :func:`dsr`: events, population, standard weight, weighted rate, variance
    term, and counts of the conditions that make a group's DSR missing.

    Cells are (group, band, event frequency); ``f_row`` is None for independent events. Several rows
    in one cell are summed (e.g. one row per sex); with event frequencies, the band's population is
    taken once per band.
    """
    nonindependent = f_row is not None
    if not nonindependent:
        f_row = np.ones(len(x_row))
    # integer codes: group g, band b, frequency f -> one cell per (g, b, f)
    n_b = int(band_codes.max()) + 1 if len(band_codes) else 1
    if nonindependent:
        f_codes, f_values = pd.factorize(f_row, sort=True)
    else:
        f_codes, f_values = np.zeros(len(f_row), dtype="int64"), np.array([1.0])
    n_f = len(f_values)
    cell = (g_codes * n_b + band_codes) * n_f + f_codes
    n_cells = n_groups * n_b * n_f
    missing_x = np.isnan(x_row)
    missing_n = np.isnan(n_row)
    rows = np.bincount(cell, minlength=n_cells)
    if not nonindependent and rows.max(initial=0) <= 1:
        # one row per group and age band (the usual layout): sum straight into the groups
        return _dsr_row_sums(g_codes, n_groups, x_row, n_row, w_row, missing_x, missing_n)
    if rows.max(initial=0) <= 1:
        # fast path: every (group, band, frequency) cell is one row, so rows are the cells
        x = np.where(missing_x, 0.0, x_row)
        xmiss_cell = missing_x.astype(float)
        nmiss_cell = missing_n.astype(float)
        n = np.where(missing_n, 0.0, n_row)
        w = w_row
        rows = np.ones(len(cell), dtype="int64")
        order = np.argsort(cell, kind="stable") if nonindependent else None
        if order is not None:
            cell, x, xmiss_cell, nmiss_cell, n, w = (
                a[order] for a in (cell, x, xmiss_cell, nmiss_cell, n, w)
            )
        present = cell
    else:
        present = np.flatnonzero(rows)
        rows = rows[present]
        x = np.bincount(cell, weights=np.where(missing_x, 0.0, x_row), minlength=n_cells)[present]
        xmiss_cell = np.bincount(cell, weights=missing_x, minlength=n_cells)[present]
        nmiss_cell = np.bincount(cell, weights=missing_n, minlength=n_cells)[present]
        n = np.bincount(cell, weights=np.where(missing_n, 0.0, n_row), minlength=n_cells)[present]
        first_w = np.zeros(n_cells)
        first_w[cell[::-1]] = w_row[::-1]  # the first row's standard population of each cell
        w = first_w[present]
    cell_g = present // (n_b * n_f)
    cell_gb = present // n_f
    f = np.asarray(f_values, dtype=float)[present % n_f]
    if nonindependent:
        # each frequency row of a band repeats the band's population: take it once
        n = n / np.maximum(rows - nmiss_cell, 1)
        hi = np.full(n_groups * n_b, -np.inf)
        lo = np.full(n_groups * n_b, np.inf)
        np.maximum.at(hi, cell_gb, n)
        np.minimum.at(lo, cell_gb, n)
        spread = (hi - lo)[cell_gb]
        if (spread > 1e-9 * np.maximum(1.0, np.abs(n))).any():
            raise InputError(
                f"{func}: with event_frequency, the rows of one group and age band must repeat the "
                f"same population ({population!r}); they differ"
            )
    n = np.where(nmiss_cell > 0, np.nan, n)
    events = x * f
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = w / n
        wt = np.where(events == 0, 0.0, events * ratio)
        sq = np.where(x == 0, 0.0, x * f**2 * ratio**2)
    # the first frequency cell of each (group, band) carries the band's population and weight
    # (cells are in code order here whenever there are several frequencies)
    first = np.ones(len(present), dtype=bool)
    if nonindependent:
        first[1:] = cell_gb[1:] != cell_gb[:-1]

    def per_group(values):
        return np.bincount(cell_g, weights=values, minlength=n_groups)

    return {
        "O": per_group(events),
        "N": per_group(np.where(first, np.nan_to_num(n), 0.0)),
        "W": per_group(np.where(first, w, 0.0)),
        "wt": per_group(wt),
        "sq": per_group(sq),
        "nan_pop": per_group(np.isnan(n).astype(float)),
        "zero_pop": per_group(((n == 0) & (events > 0)).astype(float)),
        "zero_pop_empty": per_group(((n == 0) & (events == 0) & first).astype(float)),
        "xmiss": per_group(xmiss_cell),
        "bands": per_group(first.astype(float)),
    }


def isr(
    data,
    *,
    count,
    population,
    ref_count,
    ref_population,
    by=None,
    confidence=0.95,
    kind="ratio",
    multiplier=None,
):
    """Indirectly standardised ratio (SMR-style) or indirectly standardised rate.

    Parameters
    ----------
    data : pandas.DataFrame
        Tidy table, one row per group and stratum (e.g. age band), with the reference (standard)
        stratum-specific counts and populations on each row (merge them in first).
    count, population : str
        Columns with the observed events and the population of the group in each stratum.
    ref_count, ref_population : str
        Columns with the reference events and population of the same stratum.
    by : str or list of str, optional
        Grouping column(s); ``None`` gives one row for the whole frame.
    confidence : float or sequence of float, default 0.95
        Level(s) in [0.9, 1).
    kind : {"ratio", "rate"}, default "ratio"
        ``"ratio"``: observed / expected x multiplier (default multiplier 1; 100 gives an SMR x 100).
        ``"rate"``: observed / expected x the reference rate (sum ref_count / sum ref_population x
        multiplier; default multiplier 100,000). :func:`isr_rate` is the same with ``kind="rate"``.
    multiplier : float, optional
        See ``kind``.

    Returns
    -------
    pandas.DataFrame
        One row per group (per level): the ``by`` columns; ``count`` (observed events),
        ``population`` (summed), ``expected`` (expected events); ``reference_rate`` (``kind="rate"``
        only, per multiplier); ``value``; ``lower_ci``, ``upper_ci``; ``confidence``; ``statistic``
        (``"indirectly standardised ratio x <m>"`` or ``"indirectly standardised rate per <m>"``);
        ``method`` (``"Exact"`` below 10 observed events, ``"Byars"`` from 10); ``note``.

    Notes
    -----
    Expected events :math:`E = \\sum_i n_i R_i / N_i` over strata, with :math:`R_i, N_i` the reference
    counts and populations. The ratio is :math:`O/E`; its limits are the exact (below 10) or Byar's
    limits for :math:`O` divided by :math:`E` (Breslow & Day 1987; Ulm 1990). A stratum with a
    population of 0 contributes no expected events. A missing count counts as 0 (noted, as for
    :func:`dsr`); a missing population or reference value, a reference population of 0, or an expected
    total of 0 gives NaN with a note. Zero observed events give value 0, lower limit 0 and an exact
    upper limit.

    References
    ----------
    Breslow NE, Day NE. Statistical methods in cancer research, volume II. Lyon: IARC; 1987.
    Ulm K. A simple method to calculate the confidence interval of a standardized mortality ratio.
    Am J Epidemiol 1990;131:373-375.
    Public Health England. Technical Guide: Confidence Intervals. London: PHE; 2018.
    PHEindicatormethods (R package), functions ``calculate_ISRatio`` and ``calculate_ISRate``.
    """
    func = "isr"
    if kind not in ("ratio", "rate"):
        raise InputError(f"{func}: kind must be 'ratio' or 'rate', got {kind!r}")
    by_cols = _prepare(data, func, [count, population, ref_count, ref_population], by)
    conf = S.levels(confidence, func)
    if multiplier is None:
        multiplier = 1 if kind == "ratio" else 100_000
    mult = S.check_multiplier(multiplier, func)
    x_row = S.numeric(data, count, func)
    n_row = S.numeric(data, population, func)
    rc_row = S.numeric(data, ref_count, func)
    rp_row = S.numeric(data, ref_population, func)
    xmiss = np.isnan(x_row)
    with np.errstate(divide="ignore", invalid="ignore"):
        e_row = np.where(n_row == 0, 0.0, n_row * rc_row / rp_row)
    bad_ref = (rp_row == 0) & (n_row > 0)
    e_row = np.where(bad_ref, np.nan, e_row)
    keys, sums, nmiss = S.group_sums(
        data,
        by_cols,
        {
            "x": np.where(xmiss, 0.0, x_row),
            "xmiss": xmiss.astype(float),
            "n": n_row,
            "e": e_row,
            "rc": rc_row,
            "rp": rp_row,
            "badref": bad_ref.astype(float),
        },
    )
    O, E = sums["x"], sums["e"]  # noqa: E741
    notes = S.notes_array(len(O))
    k = sums["xmiss"].astype(int)
    S.add_note(notes, k > 0, lambda i: f"{i} missing count(s) treated as 0", k)
    _missing_note(notes, nmiss["n"], f"population ({population})")
    _missing_note(notes, nmiss["rc"], f"reference count ({ref_count})")
    _missing_note(notes, nmiss["rp"], f"reference population ({ref_population})")
    S.add_note(notes, np.nan_to_num(sums["badref"]) > 0, "reference population is 0")
    S.add_note(notes, E == 0, "expected count is 0")
    if kind == "rate":
        ref_rate = S.safe_divide(sums["rc"], sums["rp"]) * mult
        scale = ref_rate
        statistic = f"indirectly standardised rate per {S.multiplier_label(mult)}"
    else:
        ref_rate = None
        scale = np.full(len(O), mult)
        statistic = f"indirectly standardised ratio x {S.multiplier_label(mult)}"
    value = S.safe_divide(O, E) * scale

    def limits(c):
        lo, hi = S.poisson_limits(O, c)
        return S.safe_divide(lo, E) * scale, S.safe_divide(hi, E) * scale

    lower, upper = S.by_level(conf, limits)
    base = {"O": O, "N": sums["n"], "E": E, "value": value, "note": notes}
    base["method"] = S.poisson_method(O)
    if ref_rate is not None:
        base["ref_rate"] = ref_rate
    keys, cols = S.expand(keys, base, len(conf))
    out = {"count": cols["O"], "population": cols["N"], "expected": cols["E"]}
    if ref_rate is not None:
        out["reference_rate"] = cols["ref_rate"]
    out.update(
        {
            "value": cols["value"],
            "lower_ci": lower,
            "upper_ci": upper,
            "confidence": np.tile(conf, len(O)),
            "statistic": statistic,
            "method": pd.Series(cols["method"], dtype="str"),
            "note": S.note_series(cols["note"]),
        }
    )
    return S.finish(keys, out)


def isr_rate(
    data,
    *,
    count,
    population,
    ref_count,
    ref_population,
    by=None,
    confidence=0.95,
    multiplier=100_000,
):
    """Indirectly standardised rate: :func:`isr` with ``kind="rate"``.

    Parameters
    ----------
    data, count, population, ref_count, ref_population, by, confidence
        As for :func:`isr`.
    multiplier : float, default 100_000
        Rate per ``multiplier`` population.

    Returns
    -------
    pandas.DataFrame
        As :func:`isr` with ``kind="rate"``: the ``by`` columns, ``count``, ``population``,
        ``expected``, ``reference_rate``, ``value`` (observed / expected x reference rate),
        ``lower_ci``, ``upper_ci``, ``confidence``, ``statistic``, ``method``, ``note``.

    Notes
    -----
    See :func:`isr`.

    References
    ----------
    Breslow NE, Day NE. Statistical methods in cancer research, volume II. Lyon: IARC; 1987.
    PHEindicatormethods (R package), function ``calculate_ISRate``.
    """
    return isr(
        data,
        count=count,
        population=population,
        ref_count=ref_count,
        ref_population=ref_population,
        by=by,
        confidence=confidence,
        kind="rate",
        multiplier=multiplier,
    )


# =============================================================================================
# comparisons between groups
# =============================================================================================


def _same(series: pd.Series, reference) -> np.ndarray:
    """Boolean array: which values of ``series`` equal ``reference`` (tolerant of dtypes)."""
    try:
        out = (series == reference).to_numpy(dtype=bool, na_value=False)
    except (TypeError, ValueError):
        out = np.zeros(len(series), bool)
    if not out.any():
        out = (series.astype("str") == str(reference)).to_numpy(dtype=bool, na_value=False)
    return out


def _paired(data, func, a_col, b_col, group, reference, by, *, check_prop):
    """Aggregate by (by, group) and attach each stratum's reference-group sums."""
    S.check_frame(data, func)
    by_cols = S.as_columns(by, func)
    if not isinstance(group, str):
        raise InputError(f"{func}: group must be one column name, got {group!r}")
    if group in by_cols:
        raise InputError(f"{func}: group column {group!r} is also in by")
    S.require_columns(data, [a_col, b_col, group, *by_cols], func)
    a_row = S.numeric(data, a_col, func)
    b_row = S.numeric(data, b_col, func)
    if check_prop:
        S.check_not_above(data, a_row, b_row, a_col, b_col, func)
    ref_rows = _same(data[group], reference)
    if not ref_rows.any():
        present = pd.unique(data[group].dropna())
        raise InputError(
            f"{func}: reference group {reference!r} is not in column {group!r}; "
            f"groups present: {[str(x) for x in present[:20]]}"
        )
    keys, sums, nmiss = S.group_sums(data, [*by_cols, group], {"a": a_row, "b": b_row})
    is_ref = _same(keys[group], reference)
    a, b = sums["a"], sums["b"]
    if by_cols:
        ref_tab = keys.loc[is_ref, by_cols].copy()
        ref_tab["__ra"] = a[is_ref]
        ref_tab["__rb"] = b[is_ref]
        merged = keys[by_cols].merge(ref_tab, on=by_cols, how="left", sort=False)
        ra = merged["__ra"].to_numpy(float)
        rb = merged["__rb"].to_numpy(float)
        has_ref = merged["__rb"].notna().to_numpy() | merged["__ra"].notna().to_numpy()
        # strata where the reference group exists (even with missing sums)
        ref_flag = keys.loc[is_ref, by_cols].assign(__has=True)
        has_ref = (
            keys[by_cols].merge(ref_flag, on=by_cols, how="left")["__has"].notna().to_numpy()
            | has_ref
        )
    else:
        ra = np.full(len(a), a[is_ref][0])
        rb = np.full(len(a), b[is_ref][0])
        has_ref = np.ones(len(a), bool)
    return keys, by_cols, a, b, ra, rb, is_ref, has_ref, nmiss


def _comparison_notes(n, nmiss, a_label, b_label, is_ref, has_ref, ra, rb, a, b):
    notes = S.notes_array(n)
    _missing_note(notes, nmiss["a"], a_label)
    _missing_note(notes, nmiss["b"], b_label)
    S.add_note(notes, is_ref, "reference group")
    S.add_note(notes, ~has_ref, "reference group absent in this stratum")
    S.add_note(
        notes,
        has_ref & ~is_ref & ((rb == 0) | np.isnan(rb) | np.isnan(ra)),
        "reference group rate/proportion not available",
    )
    S.add_note(notes, ~is_ref & (b == 0), f"{b_label} is 0")
    return notes


def _ratio_table(
    keys, conf, inputs, *, value, diff, p_value, is_ref, method, notes, limits, reference, statistic
):
    """Repeat per confidence level and assemble a ratio table: ``inputs`` columns, then the ratio."""
    n = len(value)
    lower, upper, dlower, dupper = limits
    keys, cols = S.expand(
        keys,
        {
            **inputs,
            "value": value,
            "diff": diff,
            "p": p_value,
            "ref": is_ref,
            "method": method,
            "note": notes,
        },
        len(conf),
    )
    return S.finish(
        keys,
        {
            **{name: cols[name] for name in inputs},
            "value": cols["value"],
            "lower_ci": lower,
            "upper_ci": upper,
            "difference": cols["diff"],
            "difference_lower_ci": dlower,
            "difference_upper_ci": dupper,
            "p_value": cols["p"],
            "confidence": np.tile(conf, n),
            "reference": [reference] * (n * len(conf)),
            "is_reference": cols["ref"].astype(bool),
            "statistic": statistic,
            "method": pd.Series(cols["method"], dtype="str"),
            "note": S.note_series(cols["note"]),
        },
    )


def rate_ratio(
    data,
    *,
    count,
    population,
    group,
    reference,
    by=None,
    confidence=0.95,
    multiplier=100_000,
):
    """Rate ratio and rate difference of every group against a reference group.

    Parameters
    ----------
    data : pandas.DataFrame
        Tidy table.
    count, population : str
        Columns with events and population (or person-time).
    group : str
        Column with the groups to compare (e.g. ethnic group).
    reference : scalar
        The reference group, a value of ``group``; every group is compared with it (ratio = group rate
        / reference rate).
    by : str or list of str, optional
        Strata (e.g. year, region): the comparison is made within each stratum.
    confidence : float or sequence of float, default 0.95
        Level(s) in [0.9, 1).
    multiplier : float, default 100_000
        Scale of ``rate``, ``reference_rate`` and the difference.

    Returns
    -------
    pandas.DataFrame
        One row per stratum x group (per level): the ``by`` columns; the ``group`` column;
        ``count``, ``population``, ``rate`` (per multiplier); ``reference_count``,
        ``reference_population``, ``reference_rate``; ``value`` (the rate ratio); ``lower_ci``,
        ``upper_ci``; ``difference`` (rate - reference rate, per multiplier),
        ``difference_lower_ci``, ``difference_upper_ci``; ``p_value`` (two-sided, ratio = 1);
        ``confidence``; ``reference`` (the reference group); ``is_reference``; ``statistic``
        (``"rate ratio"``); ``method``; ``note``.

    Notes
    -----
    Log method: :math:`\\log RR \\pm z\\sqrt{1/a + 1/b}` for counts :math:`a` (group) and :math:`b`
    (reference), p-value from the same Wald statistic. Difference: :math:`r_a - r_b \\pm
    z\\sqrt{a/P_a^2 + b/P_b^2}` (normal approximation).

    Zero counts (documented choice): a group with 0 events (reference > 0) gets ratio 0, lower limit
    0 and the upper limit of the exact conditional method (Clopper-Pearson limit for :math:`a` out of
    :math:`a + b`, converted to a rate ratio), with the exact conditional (binomial) p-value; ``method``
    says ``"exact conditional (zero count)"``. A reference group with 0 events, or a population of 0,
    gives NaN with a note. The reference group's own row has value 1, difference 0, NaN limits and
    p-value, and ``is_reference`` True. A stratum without the reference group gives NaN rows with a
    note. Missing counts or populations: NaN for that group, with a note.

    References
    ----------
    Katz D, Baptista J, Azen SP, Pike MC. Obtaining confidence intervals for the risk ratio in cohort
    studies. Biometrics 1978;34:469-474 (log method).
    Breslow NE, Day NE. Statistical methods in cancer research, volume II. Lyon: IARC; 1987
    (conditional binomial method for two Poisson rates).
    Kirkwood BR, Sterne JAC. Essential medical statistics, 2nd edn. Oxford: Blackwell; 2003, ch. 23
    (rate difference).
    Public Health England. Technical Guide: Confidence Intervals. London: PHE; 2018.
    """
    func = "rate_ratio"
    conf = S.levels(confidence, func)
    mult = S.check_multiplier(multiplier, func)
    keys, by_cols, a, pa, ra, rpa, is_ref, has_ref, nmiss = _paired(
        data, func, count, population, group, reference, by, check_prop=False
    )
    b, pb = ra, rpa
    n = len(a)
    notes = _comparison_notes(
        n,
        {"a": nmiss["a"], "b": nmiss["b"]},
        f"count ({count})",
        f"population ({population})",
        is_ref,
        has_ref,
        b,
        pb,
        a,
        pa,
    )
    S.add_note(notes, has_ref & ~is_ref & (b == 0), "reference group has 0 events")
    rate_a = S.safe_divide(a, pa)
    rate_b = S.safe_divide(b, pb)
    with np.errstate(divide="ignore", invalid="ignore"):
        rr = rate_a / rate_b
        se = np.sqrt(1 / a + 1 / b)
        zstat = np.log(rr) / se
    valid = has_ref & (pa > 0) & (pb > 0) & (b > 0) & ~np.isnan(a) & ~np.isnan(b)
    zero = valid & (a == 0)
    logm = valid & (a > 0)
    value = np.where(valid, rr, np.nan)
    p_value = np.where(logm, 2 * stats.norm.sf(np.abs(zstat)), np.nan)
    # exact conditional p-value for zero counts: a | a + b ~ Binomial(a + b, pa / (pa + pb))
    with np.errstate(divide="ignore", invalid="ignore"):
        pi0 = pa / (pa + pb)
        p_zero = np.minimum(1.0, 2 * stats.binom.cdf(0, a + b, pi0))
    p_value = np.where(zero, p_zero, p_value)
    diff = (rate_a - rate_b) * mult
    with np.errstate(divide="ignore", invalid="ignore"):
        diff_se = np.sqrt(a / pa**2 + b / pb**2) * mult
    diff_ok = has_ref & (pa > 0) & (pb > 0)
    diff = np.where(diff_ok, diff, np.nan)
    value = np.where(is_ref, 1.0, value)
    diff = np.where(is_ref, 0.0, diff)
    p_value = np.where(is_ref, np.nan, p_value)

    def limits(c):
        z = S.z_value(c)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            lo = np.where(logm, rr * np.exp(-z * se), np.nan)
            hi = np.where(logm, rr * np.exp(z * se), np.nan)
            m = a + b
            pi_hi = stats.beta.ppf(0.5 + c / 2, a + 1, np.maximum(m - a, 1e-300))
            hi_zero = pi_hi / (1 - pi_hi) * pb / pa
        lo = np.where(zero, 0.0, lo)
        hi = np.where(zero, hi_zero, hi)
        dlo = np.where(diff_ok & ~is_ref, diff - z * diff_se, np.nan)
        dhi = np.where(diff_ok & ~is_ref, diff + z * diff_se, np.nan)
        ref = is_ref
        return (np.where(ref, np.nan, lo), np.where(ref, np.nan, hi), dlo, dhi)

    lower, upper, dlower, dupper = S.by_level(conf, limits)
    method = np.where(zero, "exact conditional (zero count)", "log (Katz)").astype(object)
    method[is_ref] = "reference"
    return _ratio_table(
        keys,
        conf,
        {
            "count": a,
            "population": pa,
            "rate": rate_a * mult,
            "reference_count": b,
            "reference_population": pb,
            "reference_rate": rate_b * mult,
        },
        value=value,
        diff=diff,
        p_value=p_value,
        is_ref=is_ref,
        method=method,
        notes=notes,
        limits=(lower, upper, dlower, dupper),
        reference=reference,
        statistic="rate ratio",
    )


def proportion_ratio(
    data,
    *,
    numerator,
    denominator,
    group,
    reference,
    by=None,
    confidence=0.95,
    multiplier=1,
):
    """Relative likelihood (ratio of proportions) and difference of every group vs a reference group.

    This is the "relative likelihood" of the Workforce Race Equality Standard: e.g. with ``group`` the
    staff group, ``numerator`` the number appointed and ``denominator`` the number shortlisted,
    ``reference="BME"`` gives, on the White row, the relative likelihood of White applicants being
    appointed compared with BME applicants (WRES indicator 2).

    Parameters
    ----------
    data : pandas.DataFrame
        Tidy table.
    numerator, denominator : str
        Columns with the counts (e.g. appointed, shortlisted); numerator <= denominator on each row.
    group : str
        Column with the groups to compare.
    reference : scalar
        The reference group (a value of ``group``): ratio = group proportion / reference proportion.
    by : str or list of str, optional
        Strata (e.g. year, organisation): the comparison is made within each stratum.
    confidence : float or sequence of float, default 0.95
        Level(s) in [0.9, 1).
    multiplier : float, default 1
        Scale of ``proportion``, ``reference_proportion`` and the difference (100 for percentages).

    Returns
    -------
    pandas.DataFrame
        One row per stratum x group (per level): the ``by`` columns; the ``group`` column;
        ``numerator``, ``denominator``, ``proportion``; ``reference_numerator``,
        ``reference_denominator``, ``reference_proportion``; ``value`` (the ratio); ``lower_ci``,
        ``upper_ci``; ``difference`` (proportion - reference proportion, x multiplier),
        ``difference_lower_ci``, ``difference_upper_ci``; ``p_value`` (two-sided, ratio = 1);
        ``confidence``; ``reference``; ``is_reference``; ``statistic`` (``"relative likelihood"``);
        ``method``; ``note``.

    Notes
    -----
    Log method (Katz et al. 1978): :math:`\\log RR \\pm z\\sqrt{1/a - 1/n_a + 1/b - 1/n_b}`, p-value
    from the same Wald statistic. Difference: Newcombe's hybrid score interval (method 10), built
    from the two Wilson intervals.

    Zero counts (documented choice): with 0 in the group and a positive reference numerator, the
    ratio is 0, the lower limit 0, and the upper limit (and p-value) come from the log method after
    adding 0.5 to every cell (Haldane-Anscombe correction); ``method`` says ``"log (Katz), 0.5
    added (zero count)"``. A reference numerator of 0 gives NaN ratio with a note (the difference is
    still given). Denominator 0: NaN with a note. The reference row has value 1, difference 0 and NaN
    limits; ``is_reference`` is True.

    References
    ----------
    Katz D, Baptista J, Azen SP, Pike MC. Obtaining confidence intervals for the risk ratio in cohort
    studies. Biometrics 1978;34:469-474.
    Newcombe RG. Interval estimation for the difference between independent proportions: comparison
    of eleven methods. Stat Med 1998;17:873-890.
    Wilson EB. Probable inference, the law of succession, and statistical inference. J Am Stat Assoc
    1927;22:209-212.
    NHS England. Workforce Race Equality Standard: technical guidance (relative likelihood).
    """
    func = "proportion_ratio"
    conf = S.levels(confidence, func)
    mult = S.check_multiplier(multiplier, func)
    keys, by_cols, a, na, b, nb, is_ref, has_ref, nmiss = _paired(
        data, func, numerator, denominator, group, reference, by, check_prop=True
    )
    n = len(a)
    notes = _comparison_notes(
        n,
        nmiss,
        f"numerator ({numerator})",
        f"denominator ({denominator})",
        is_ref,
        has_ref,
        b,
        nb,
        a,
        na,
    )
    S.add_note(notes, has_ref & ~is_ref & (b == 0), "reference group numerator is 0")
    pa = S.safe_divide(a, na)
    pb = S.safe_divide(b, nb)
    valid = has_ref & (na > 0) & (nb > 0) & (b > 0) & ~np.isnan(a) & ~np.isnan(b)
    zero = valid & (a == 0)
    logm = valid & (a > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        rr = pa / pb
        se = np.sqrt(1 / a - 1 / na + 1 / b - 1 / nb)
        # Haldane-Anscombe: 0.5 added to each cell (so 1 to each denominator)
        ac, bc, nac, nbc = a + 0.5, b + 0.5, na + 1, nb + 1
        rr_c = (ac / nac) / (bc / nbc)
        se_c = np.sqrt(1 / ac - 1 / nac + 1 / bc - 1 / nbc)
        zstat = np.where(zero, np.log(rr_c) / se_c, np.log(rr) / se)
    value = np.where(valid, rr, np.nan)
    p_value = np.where(valid, 2 * stats.norm.sf(np.abs(zstat)), np.nan)
    diff_ok = has_ref & (na > 0) & (nb > 0)
    diff = np.where(diff_ok, (pa - pb) * mult, np.nan)
    value = np.where(is_ref, 1.0, value)
    diff = np.where(is_ref, 0.0, diff)
    p_value = np.where(is_ref, np.nan, p_value)

    def limits(c):
        z = S.z_value(c)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            lo = np.where(logm, rr * np.exp(-z * se), np.nan)
            hi = np.where(logm, rr * np.exp(z * se), np.nan)
            hi = np.where(zero, rr_c * np.exp(z * se_c), hi)
            lo = np.where(zero, 0.0, lo)
        la, ua = S.wilson(a, na, c)
        lb, ub = S.wilson(b, nb, c)
        d = pa - pb
        dlo = (d - np.sqrt((pa - la) ** 2 + (ub - pb) ** 2)) * mult
        dhi = (d + np.sqrt((ua - pa) ** 2 + (pb - lb) ** 2)) * mult
        keep = diff_ok & ~is_ref
        return (
            np.where(is_ref, np.nan, lo),
            np.where(is_ref, np.nan, hi),
            np.where(keep, dlo, np.nan),
            np.where(keep, dhi, np.nan),
        )

    lower, upper, dlower, dupper = S.by_level(conf, limits)
    method = np.where(zero, "log (Katz), 0.5 added (zero count)", "log (Katz)").astype(object)
    method[is_ref] = "reference"
    return _ratio_table(
        keys,
        conf,
        {
            "numerator": a,
            "denominator": na,
            "proportion": pa * mult,
            "reference_numerator": b,
            "reference_denominator": nb,
            "reference_proportion": pb * mult,
        },
        value=value,
        diff=diff,
        p_value=p_value,
        is_ref=is_ref,
        method=method,
        notes=notes,
        limits=(lower, upper, dlower, dupper),
        reference=reference,
        statistic="relative likelihood",
    )


def participation_ratio(
    data,
    *,
    participants,
    population,
    group,
    by=None,
    confidence=0.95,
    population_sampled=False,
    thresholds=(0.8, 1.2),
):
    """Participation-to-prevalence ratio: a group's share of participants over its population share.

    Parameters
    ----------
    data : pandas.DataFrame
        Tidy table, one row per group (and stratum), or finer rows that are summed.
    participants : str
        Column with the number of participants (e.g. trial or study participants) in the group.
    population : str
        Column with the group's size in the population of interest (e.g. people with the condition,
        census residents). Only its shares matter.
    group : str
        Column with the groups.
    by : str or list of str, optional
        Strata (e.g. study, year); shares are computed within each stratum.
    confidence : float or sequence of float, default 0.95
        Level(s) in [0.9, 1).
    population_sampled : bool, default False
        False: the population shares are taken as known (e.g. a census), and the interval is the Wilson
        interval of the participant share divided by the population share. True: the population
        counts are a sample too, and the interval uses the log method for a ratio of two independent
        proportions (Katz et al. 1978), with 0.5 added to each cell when a count is 0.
    thresholds : tuple of two floats, default (0.8, 1.2)
        Below the first: ``"under-represented"``; above the second: ``"over-represented"``; else
        ``"similar"`` (on the point estimate).

    Returns
    -------
    pandas.DataFrame
        One row per stratum x group (per level): the ``by`` columns; the ``group`` column;
        ``participants``, ``population`` (summed); ``participant_share``, ``population_share``
        (fractions); ``value`` (the ratio); ``lower_ci``, ``upper_ci``; ``confidence``;
        ``representation``; ``statistic`` (``"participation to prevalence ratio"``); ``method``;
        ``note``.

    Notes
    -----
    PPR = (a / A) / (b / B) with a, b the group's participants and population and A, B the stratum
    totals. Rows with a missing group value form their own group and count towards the totals: drop
    or harmonise them first if they should not. A stratum with no participants, or a group with a
    population of 0, gives NaN with a note. A group with no participants has ratio 0, lower limit 0
    and a finite upper limit (Wilson, or log method with 0.5 added).

    References
    ----------
    Poon R, Khanijow K, Umarjee S, et al. Participation of women and sex analyses in late-phase
    clinical trials of new molecular entity drugs and biologics approved by the FDA in 2007-2009.
    J Womens Health 2013;22:604-616 (participation-to-prevalence ratio).
    Scott PE, Unger EF, Jenkins MR, et al. Participation of women in clinical trials supporting FDA
    approval of cardiovascular drugs. J Am Coll Cardiol 2018;71:1960-1969 (0.8-1.2 range).
    Wilson EB. Probable inference, the law of succession, and statistical inference. J Am Stat Assoc
    1927;22:209-212.
    Katz D, Baptista J, Azen SP, Pike MC. Obtaining confidence intervals for the risk ratio in cohort
    studies. Biometrics 1978;34:469-474.
    """
    func = "participation_ratio"
    S.check_frame(data, func)
    conf = S.levels(confidence, func)
    by_cols = S.as_columns(by, func)
    if not isinstance(group, str):
        raise InputError(f"{func}: group must be one column name, got {group!r}")
    if group in by_cols:
        raise InputError(f"{func}: group column {group!r} is also in by")
    S.require_columns(data, [participants, population, group, *by_cols], func)
    try:
        low_t, high_t = (float(t) for t in thresholds)
    except (TypeError, ValueError):
        raise InputError(f"{func}: thresholds must be two numbers, got {thresholds!r}") from None
    a_row = S.numeric(data, participants, func)
    b_row = S.numeric(data, population, func)
    keys, sums, nmiss = S.group_sums(data, [*by_cols, group], {"a": a_row, "b": b_row})
    a, b = sums["a"], sums["b"]
    strata, _ = S.group_index(keys, by_cols)
    A = np.bincount(strata, weights=a)[strata]
    B = np.bincount(strata, weights=b)[strata]
    share_a = S.safe_divide(a, A)
    share_b = S.safe_divide(b, B)
    value = S.safe_divide(share_a, share_b)
    notes = S.notes_array(len(a))
    _missing_note(notes, nmiss["a"], f"participants ({participants})")
    _missing_note(notes, nmiss["b"], f"population ({population})")
    S.add_note(notes, A == 0, "no participants in this stratum")
    S.add_note(notes, b == 0, "population is 0")
    ok = np.isfinite(value)

    def limits(c):
        if not population_sampled:
            lo, hi = S.wilson(a, A, c)
            lo, hi = S.safe_divide(lo, share_b), S.safe_divide(hi, share_b)
        else:
            z = S.z_value(c)
            zero = (a == 0) | (b == 0)
            with np.errstate(divide="ignore", invalid="ignore"):
                ac = np.where(zero, a + 0.5, a)
                bc = np.where(zero, b + 0.5, b)
                Ac = np.where(zero, A + 1, A)
                Bc = np.where(zero, B + 1, B)
                rc = (ac / Ac) / (bc / Bc)
                se = np.sqrt(1 / ac - 1 / Ac + 1 / bc - 1 / Bc)
                lo = np.where(a == 0, 0.0, rc * np.exp(-z * se))
                hi = rc * np.exp(z * se)
        return np.where(ok, lo, np.nan), np.where(ok, hi, np.nan)

    lower, upper = S.by_level(conf, limits)
    rep = np.where(
        value < low_t, "under-represented", np.where(value > high_t, "over-represented", "similar")
    ).astype(object)
    rep[~ok] = None
    method = (
        "log (Katz), population sampled"
        if population_sampled
        else "Wilson (participant share), population share fixed"
    )
    keys, cols = S.expand(
        keys,
        {"a": a, "b": b, "sa": share_a, "sb": share_b, "value": value, "rep": rep, "note": notes},
        len(conf),
    )
    return S.finish(
        keys,
        {
            "participants": cols["a"],
            "population": cols["b"],
            "participant_share": cols["sa"],
            "population_share": cols["sb"],
            "value": cols["value"],
            "lower_ci": lower,
            "upper_ci": upper,
            "confidence": np.tile(conf, len(a)),
            "representation": pd.Series(cols["rep"], dtype="str"),
            "statistic": "participation to prevalence ratio",
            "method": method,
            "note": S.note_series(cols["note"]),
        },
    )
