"""Comparisons between groups: rate ratios, relative likelihoods, participation-to-prevalence ratios.

Every group is compared with a declared reference group (or, for :func:`participation_ratio`, its
share of participants with its share of the population), within each stratum of ``by``. Functions take
a tidy frame first and column names as keyword arguments, never modify their input, and return one row
per stratum x group (per confidence level) with the shared indicator columns (see
:mod:`rhoresearch.stats.indicators` for the shared parameters, columns and missing-data rules).

============================  ================================================================
function                      method
============================  ================================================================
:func:`rate_ratio`            ratio of rates vs a reference group, log method (exact conditional
                              for a zero count); rate difference
:func:`proportion_ratio`      relative likelihood (ratio of proportions) vs a reference group, log
                              method; difference of proportions (Newcombe)
:func:`participation_ratio`   participation-to-prevalence ratio
============================  ================================================================
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from rhoresearch.exceptions import InputError
from rhoresearch.stats import _core as S
from rhoresearch.validation import as_columns, check_frame, confidence_levels, require_columns

__all__ = ["rate_ratio", "proportion_ratio", "participation_ratio"]

logger = logging.getLogger(__name__)


def _same(series: pd.Series, reference: object) -> np.ndarray:
    """Boolean array: which values of ``series`` equal ``reference`` (tolerant of dtypes)."""
    try:
        out = (series == reference).to_numpy(dtype=bool, na_value=False)
    except (TypeError, ValueError):
        out = np.zeros(len(series), bool)
    if not out.any():
        out = (series.astype("str") == str(reference)).to_numpy(dtype=bool, na_value=False)
    return out


def _paired(
    data: pd.DataFrame,
    func: str,
    a_col: str,
    b_col: str,
    group: str,
    reference: object,
    by: S.Columns,
    *,
    check_prop: bool,
) -> tuple[
    pd.DataFrame,
    list[str],
    np.ndarray,
    np.ndarray,
    np.ndarray,
    np.ndarray,
    np.ndarray,
    np.ndarray,
    dict[str, np.ndarray],
]:
    """Aggregate by (by, group) and attach each stratum's reference-group sums."""
    check_frame(data, func=func)
    by_cols = as_columns(by, func=func)
    if not isinstance(group, str):
        raise InputError(f"{func}: group must be one column name, got {group!r}")
    if group in by_cols:
        raise InputError(f"{func}: group column {group!r} is also in by")
    require_columns(data, [a_col, b_col, group, *by_cols], func=func, distinct=True)
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


def _comparison_notes(
    n: int,
    nmiss: dict[str, np.ndarray],
    a_label: str,
    b_label: str,
    is_ref: np.ndarray,
    has_ref: np.ndarray,
    ra: np.ndarray,
    rb: np.ndarray,
    a: np.ndarray,
    b: np.ndarray,
) -> np.ndarray:
    notes = S.notes_array(n)
    S.missing_note(notes, nmiss["a"], a_label)
    S.missing_note(notes, nmiss["b"], b_label)
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
    keys: pd.DataFrame,
    conf: tuple[float, ...],
    inputs: dict[str, np.ndarray],
    *,
    value: np.ndarray,
    diff: np.ndarray,
    p_value: np.ndarray,
    is_ref: np.ndarray,
    method: np.ndarray,
    notes: np.ndarray,
    limits: Sequence[np.ndarray],
    reference: object,
    statistic: str,
) -> pd.DataFrame:
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
    data: pd.DataFrame,
    *,
    count: str,
    population: str,
    group: str,
    reference: object,
    by: S.Columns = None,
    confidence: S.Confidence = 0.95,
    multiplier: float = 100_000,
) -> pd.DataFrame:
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
    conf = confidence_levels(confidence, func=func)
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

    def limits(c: float) -> tuple[np.ndarray, ...]:
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
    data: pd.DataFrame,
    *,
    numerator: str,
    denominator: str,
    group: str,
    reference: object,
    by: S.Columns = None,
    confidence: S.Confidence = 0.95,
    multiplier: float = 1,
) -> pd.DataFrame:
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
    conf = confidence_levels(confidence, func=func)
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

    def limits(c: float) -> tuple[np.ndarray, ...]:
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
    data: pd.DataFrame,
    *,
    participants: str,
    population: str,
    group: str,
    by: S.Columns = None,
    confidence: S.Confidence = 0.95,
    population_sampled: bool = False,
    thresholds: tuple[float, float] = (0.8, 1.2),
) -> pd.DataFrame:
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
    check_frame(data, func=func)
    conf = confidence_levels(confidence, func=func)
    by_cols = as_columns(by, func=func)
    if not isinstance(group, str):
        raise InputError(f"{func}: group must be one column name, got {group!r}")
    if group in by_cols:
        raise InputError(f"{func}: group column {group!r} is also in by")
    require_columns(data, [participants, population, group, *by_cols], func=func, distinct=True)
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
    S.missing_note(notes, nmiss["a"], f"participants ({participants})")
    S.missing_note(notes, nmiss["b"], f"population ({population})")
    S.add_note(notes, A == 0, "no participants in this stratum")
    S.add_note(notes, b == 0, "population is 0")
    ok = np.isfinite(value)

    def limits(c: float) -> tuple[np.ndarray, ...]:
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
