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
from collections.abc import Callable, Sequence
from typing import NamedTuple

import numpy as np
import pandas as pd

from rhoresearch import lazy
from rhoresearch.exceptions import InputError
from rhoresearch.stats import _core as S
from rhoresearch.stats._docs import shared_docs
from rhoresearch.validation import as_columns, check_frame, confidence_levels, require_columns

# imported by the first interval or test computed, not with the package (rhoresearch.lazy)
stats = lazy.module("scipy.stats")

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


def _group_columns(
    data: pd.DataFrame, func: str, columns: Sequence[str], group: str, by: S.Columns
) -> list[str]:
    """Check ``data`` holds ``columns``, one ``group`` column and the ``by`` columns; return ``by``."""
    check_frame(data, func=func)
    by_cols = as_columns(by, func=func)
    if not isinstance(group, str):
        raise InputError(f"{func}: group must be one column name, got {group!r}")
    if group in by_cols:
        raise InputError(f"{func}: group column {group!r} is also in by")
    require_columns(data, [*columns, group, *by_cols], func=func, distinct=True)
    return by_cols


class _Sums(NamedTuple):
    """Each group's sums and its stratum's reference-group sums, from :func:`_paired`."""

    keys: pd.DataFrame  # the by and group columns, one row per stratum x group
    a: np.ndarray  # numerator (events) of the group
    na: np.ndarray  # its denominator (population)
    b: np.ndarray  # numerator of the stratum's reference group
    nb: np.ndarray  # its denominator
    is_ref: np.ndarray  # the row is the reference group
    has_ref: np.ndarray  # the stratum has the reference group
    nmiss: dict[str, np.ndarray]  # missing rows per group: "a" numerator, "b" denominator


def _paired(
    data: pd.DataFrame,
    func: str,
    a_col: str,
    b_col: str,
    group: str,
    reference: object,
    by: S.Columns,
    *,
    bounded: bool,
) -> _Sums:
    """Aggregate by (by, group) and attach each stratum's reference-group sums."""
    by_cols = _group_columns(data, func, [a_col, b_col], group, by)
    a_row = S.numeric(data, a_col, func)
    b_row = S.numeric(data, b_col, func)
    if bounded:
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
    num, den = sums["a"], sums["b"]
    if by_cols:
        ref_tab = keys.loc[is_ref, by_cols].copy()
        ref_tab["__ra"] = num[is_ref]
        ref_tab["__rb"] = den[is_ref]
        merged = keys[by_cols].merge(ref_tab, on=by_cols, how="left", sort=False)
        ref_num = merged["__ra"].to_numpy(float)
        ref_den = merged["__rb"].to_numpy(float)
        has_ref = merged["__rb"].notna().to_numpy() | merged["__ra"].notna().to_numpy()
        # strata where the reference group exists (even with missing sums)
        ref_flag = keys.loc[is_ref, by_cols].assign(__has=True)
        has_ref = (
            keys[by_cols].merge(ref_flag, on=by_cols, how="left")["__has"].notna().to_numpy()
            | has_ref
        )
    else:
        ref_num = np.full(len(num), num[is_ref][0])
        ref_den = np.full(len(num), den[is_ref][0])
        has_ref = np.ones(len(num), bool)
    return _Sums(keys, num, den, ref_num, ref_den, is_ref, has_ref, nmiss)


class _Method(NamedTuple):
    """What a comparison method adds to the log method shared by :func:`rate_ratio` and
    :func:`proportion_ratio`."""

    se: np.ndarray  # standard error of the log ratio
    p_value: np.ndarray  # two-sided p-value (ratio = 1) of every group with a valid ratio
    zero_upper: Callable[[float, float], np.ndarray]  # (level, z): upper limit when a is 0
    difference_limits: Callable[[float, float], tuple[np.ndarray, np.ndarray]]  # (level, z)


def _rate_method(
    s: _Sums, pa: np.ndarray, pb: np.ndarray, zero: np.ndarray, logm: np.ndarray, mult: float
) -> _Method:
    """Rates: Katz's log method, exact conditional for a zero count; normal rate difference."""
    a, na, b, nb = s.a, s.na, s.b, s.nb
    with np.errstate(divide="ignore", invalid="ignore"):
        se = np.sqrt(1 / a + 1 / b)
        zstat = np.log(pa / pb) / se
        # exact conditional p-value for zero counts: a | a + b ~ Binomial(a + b, na / (na + nb))
        p_zero = np.minimum(1.0, 2 * stats.binom.cdf(0, a + b, na / (na + nb)))
        diff_se = np.sqrt(a / na**2 + b / nb**2) * mult
    p_value = np.where(zero, p_zero, np.where(logm, 2 * stats.norm.sf(np.abs(zstat)), np.nan))

    def zero_upper(c: float, z: float) -> np.ndarray:
        m = a + b
        pi_hi = stats.beta.ppf(0.5 + c / 2, a + 1, np.maximum(m - a, 1e-300))
        return pi_hi / (1 - pi_hi) * nb / na

    def difference_limits(c: float, z: float) -> tuple[np.ndarray, np.ndarray]:
        diff = (pa - pb) * mult
        return diff - z * diff_se, diff + z * diff_se

    return _Method(se, p_value, zero_upper, difference_limits)


def _proportion_method(
    s: _Sums, pa: np.ndarray, pb: np.ndarray, zero: np.ndarray, logm: np.ndarray, mult: float
) -> _Method:
    """Proportions: Katz's log method, 0.5 added for a zero count; Newcombe's difference."""
    a, na, b, nb = s.a, s.na, s.b, s.nb
    with np.errstate(divide="ignore", invalid="ignore"):
        se = np.sqrt(1 / a - 1 / na + 1 / b - 1 / nb)
        # Haldane-Anscombe: 0.5 added to each cell (so 1 to each denominator)
        ac, bc, nac, nbc = a + 0.5, b + 0.5, na + 1, nb + 1
        rr_c = (ac / nac) / (bc / nbc)
        se_c = np.sqrt(1 / ac - 1 / nac + 1 / bc - 1 / nbc)
        zstat = np.where(zero, np.log(rr_c) / se_c, np.log(pa / pb) / se)
    p_value = np.where(zero | logm, 2 * stats.norm.sf(np.abs(zstat)), np.nan)  # every valid row

    def zero_upper(c: float, z: float) -> np.ndarray:
        return rr_c * np.exp(z * se_c)

    def difference_limits(c: float, z: float) -> tuple[np.ndarray, np.ndarray]:
        la, ua = S.wilson(a, na, c)
        lb, ub = S.wilson(b, nb, c)
        d = pa - pb
        dlo = (d - np.sqrt((pa - la) ** 2 + (ub - pb) ** 2)) * mult
        dhi = (d + np.sqrt((ua - pa) ** 2 + (pb - lb) ** 2)) * mult
        return dlo, dhi

    return _Method(se, p_value, zero_upper, difference_limits)


class _Kind(NamedTuple):
    """What :func:`rate_ratio` and :func:`proportion_ratio` compare, and how."""

    names: tuple[str, str, str]  # the numerator, denominator and ratio columns of the output
    statistic: str
    zero_reference: str  # note for a reference group whose numerator is 0
    zero_method: str  # method of a group whose numerator is 0
    bounded: bool  # numerator <= denominator on every row
    method: Callable[[_Sums, np.ndarray, np.ndarray, np.ndarray, np.ndarray, float], _Method]


_RATES = _Kind(
    ("count", "population", "rate"),
    "rate ratio",
    "reference group has 0 events",
    "exact conditional (zero count)",
    False,
    _rate_method,
)
_PROPORTIONS = _Kind(
    ("numerator", "denominator", "proportion"),
    "relative likelihood",
    "reference group numerator is 0",
    "log (Katz), 0.5 added (zero count)",
    True,
    _proportion_method,
)


def _compare(
    data: pd.DataFrame,
    func: str,
    columns: tuple[str, str],
    group: str,
    reference: object,
    by: S.Columns,
    confidence: S.Confidence,
    multiplier: float,
    kind: _Kind,
) -> pd.DataFrame:
    """Ratio (log method) and difference of every group's ``a / na`` against its stratum's reference
    group: :func:`rate_ratio` and :func:`proportion_ratio` differ only in ``kind``."""
    conf = confidence_levels(confidence, func=func)
    mult = S.check_multiplier(multiplier, func)
    s = _paired(data, func, *columns, group, reference, by, bounded=kind.bounded)
    a, na, b, nb, is_ref, has_ref = s.a, s.na, s.b, s.nb, s.is_ref, s.has_ref
    a_label = f"{kind.names[0]} ({columns[0]})"
    n_label = f"{kind.names[1]} ({columns[1]})"
    notes = S.notes_array(len(a))
    S.missing_note(notes, s.nmiss["a"], a_label)
    S.missing_note(notes, s.nmiss["b"], n_label)
    S.add_note(notes, is_ref, "reference group")
    S.add_note(notes, ~has_ref, "reference group absent in this stratum")
    S.add_note(
        notes,
        has_ref & ~is_ref & ((nb == 0) | np.isnan(nb) | np.isnan(b)),
        "reference group rate/proportion not available",
    )
    S.add_note(notes, ~is_ref & (na == 0), f"{n_label} is 0")
    S.add_note(notes, has_ref & ~is_ref & (b == 0), kind.zero_reference)
    pa = S.safe_divide(a, na)
    pb = S.safe_divide(b, nb)
    with np.errstate(divide="ignore", invalid="ignore"):
        rr = pa / pb
    valid = has_ref & (na > 0) & (nb > 0) & (b > 0) & ~np.isnan(a) & ~np.isnan(b)
    zero = valid & (a == 0)
    logm = valid & (a > 0)
    method = kind.method(s, pa, pb, zero, logm, mult)
    diff_ok = has_ref & (na > 0) & (nb > 0)
    keep = diff_ok & ~is_ref

    def limits(c: float) -> tuple[np.ndarray, ...]:
        z = S.z_value(c)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            lo = np.where(logm, rr * np.exp(-z * method.se), np.nan)
            hi = np.where(logm, rr * np.exp(z * method.se), np.nan)
            lo = np.where(zero, 0.0, lo)
            hi = np.where(zero, method.zero_upper(c, z), hi)
            dlo, dhi = method.difference_limits(c, z)
        return (
            np.where(is_ref, np.nan, lo),
            np.where(is_ref, np.nan, hi),
            np.where(keep, dlo, np.nan),
            np.where(keep, dhi, np.nan),
        )

    lower, upper, dlower, dupper = S.by_level(conf, limits)
    method_text = np.where(zero, kind.zero_method, "log (Katz)").astype(object)
    method_text[is_ref] = "reference"
    ratio = kind.names[2]
    return S.indicator_table(
        s.keys,
        conf,
        {
            kind.names[0]: a,
            kind.names[1]: na,
            ratio: pa * mult,
            f"reference_{kind.names[0]}": b,
            f"reference_{kind.names[1]}": nb,
            f"reference_{ratio}": pb * mult,
            "value": np.where(is_ref, 1.0, np.where(valid, rr, np.nan)),
            "lower_ci": lower,
            "upper_ci": upper,
            "difference": np.where(is_ref, 0.0, np.where(diff_ok, (pa - pb) * mult, np.nan)),
            "difference_lower_ci": dlower,
            "difference_upper_ci": dupper,
            "p_value": np.where(is_ref, np.nan, method.p_value),
            "confidence": conf,
            "reference": [reference] * (len(a) * len(conf)),
            "is_reference": is_ref,
            "statistic": kind.statistic,
            "method": method_text,
            "note": notes,
        },
        per_level=(*S.LIMITS, "difference_lower_ci", "difference_upper_ci"),
    )


@shared_docs
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
    {tidy_data}
    {events}
    {group}
    {reference}
    {strata}
    {confidence}
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
    return _compare(
        data,
        "rate_ratio",
        (count, population),
        group,
        reference,
        by,
        confidence,
        multiplier,
        _RATES,
    )


@shared_docs
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
    {tidy_data}
    numerator, denominator : str
        Columns with the counts (e.g. appointed, shortlisted); numerator <= denominator on each row.
    {group}
    {reference}
    {strata}
    {confidence}
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
    return _compare(
        data,
        "proportion_ratio",
        (numerator, denominator),
        group,
        reference,
        by,
        confidence,
        multiplier,
        _PROPORTIONS,
    )


@shared_docs
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
    {confidence}
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
    by_cols = _group_columns(data, func, [participants, population], group, by)
    conf = confidence_levels(confidence, func=func)
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
    return S.indicator_table(
        keys,
        conf,
        {
            "participants": a,
            "population": b,
            "participant_share": share_a,
            "population_share": share_b,
            "value": value,
            "lower_ci": lower,
            "upper_ci": upper,
            "confidence": conf,
            "representation": rep,
            "statistic": "participation to prevalence ratio",
            "method": method,
            "note": notes,
        },
    )
