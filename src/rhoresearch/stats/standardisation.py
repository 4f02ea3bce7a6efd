"""Standardised rates and ratios: directly (DSR, Dobson) and indirectly (ISR, exact/Byar) standardised.

Functions take a tidy frame with one row per group and age band (or stratum), column names as
keyword arguments, never modify their input, and return one row per group (per confidence level)
with the shared indicator columns (see :mod:`rhoresearch.stats.indicators` for the shared parameters,
columns and missing-data rules).

==========================  ==================================================================
function                    method
==========================  ==================================================================
:func:`dsr`                 directly standardised rate, Dobson interval (optionally adjusted for
                            non-independent events); not reported below 10 events
:func:`isr`                 indirectly standardised ratio (SMR-style) or rate, exact/Byar
:func:`isr_rate`            :func:`isr` with ``kind="rate"``
:func:`esp2013`             the 2013 European Standard Population (:data:`ESP2013`) as a frame
==========================  ==================================================================

:data:`ESP2013` is the package's one copy of the 2013 European Standard Population (19 bands); a test
checks it against ``data/reference/esp2013_european_standard_population.csv``.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import pandas as pd

from rhoresearch.exceptions import InputError
from rhoresearch.stats import _core as S
from rhoresearch.stats._docs import shared_docs
from rhoresearch.validation import check_frame, confidence_levels, format_rows

__all__ = ["ESP2013", "esp2013", "dsr", "isr", "isr_rate"]

logger = logging.getLogger(__name__)

#: The 2013 European Standard Population, 19 five-year age bands (0-4 ... 85-89, 90+), per 100,000.
#: Source: Eurostat (2013), "Revision of the European Standard Population: report of Eurostat's task
#: force", Publications Office of the European Union, doi:10.2785/11470, table 5.1 (the 90+ band is the
#: sum of 90-94 and 95+); the same 19 bands are used by ONS and by the PHEindicatormethods package.
ESP2013 = pd.Series(
    [5000, 5500, 5500, 5500, 6000, 6000, 6500, 7000, 7000, 7000]
    + [7000, 6500, 6000, 5500, 5000, 4000, 2500, 1500, 1000],
    index=pd.Index(
        ["0-4", "5-9", "10-14", "15-19", "20-24", "25-29", "30-34", "35-39", "40-44", "45-49"]
        + ["50-54", "55-59", "60-64", "65-69", "70-74", "75-79", "80-84", "85-89", "90+"],
        name="age_band",
    ),
    name="population",
    dtype="float64",
)


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
    into the package (no file is read): :data:`ESP2013` is its one copy, and a test checks it equals
    the 19-band scheme of ``data/reference/esp2013_european_standard_population.csv``.

    References
    ----------
    Eurostat. Revision of the European Standard Population: report of Eurostat's task force. 2013
    edition. Luxembourg: Publications Office of the European Union; 2013. doi:10.2785/11470.
    """
    return ESP2013.rename("population").reset_index()


def _standard_table(standard: object, func: str) -> pd.Series:
    """Return a standard population as a float Series indexed by age band label."""
    if isinstance(standard, str):
        if standard.strip().lower() == "esp2013":
            return ESP2013.copy()
        raise InputError(f"{func}: unknown standard {standard!r}; give 'esp2013' or a table")
    if isinstance(standard, pd.DataFrame):
        if standard.shape[1] != 2:
            raise InputError(
                f"{func}: a standard population DataFrame needs two columns (age band, population); "
                f"got columns {list(standard.columns)}"
            )
        series = pd.Series(standard.iloc[:, 1].to_numpy(), index=standard.iloc[:, 0].to_numpy())
    elif isinstance(standard, pd.Series):
        series = standard.copy()
    elif isinstance(standard, dict):
        series = pd.Series(standard)
    else:
        raise InputError(
            f"{func}: standard must be 'esp2013', a column name, a Series or a two-column DataFrame "
            f"(age band, population); got {type(standard).__name__}"
        )
    values = pd.to_numeric(series, errors="coerce")
    bad = values.isna() | (values < 0)
    if bad.any():
        raise InputError(
            f"{func}: the standard population has missing, non-numeric or negative values for "
            f"age bands {list(series.index[bad.to_numpy()][:5])}"
        )
    keys = [S.band_key(x) for x in series.index]
    if len(set(keys)) != len(keys):
        raise InputError(f"{func}: the standard population repeats age bands: {list(series.index)}")
    return pd.Series(values.to_numpy(dtype="float64"), index=series.index, name="population")


def _complete(data: pd.DataFrame, column: str, func: str, label: str) -> np.ndarray:
    """``data[column]`` as numbers (:func:`~rhoresearch.stats._core.numeric`); InputError naming
    the rows where it is missing (``label`` says which column it is)."""
    values = S.numeric(data, column, func)
    if np.isnan(values).any():
        raise InputError(
            f"{func}: {label} is missing in rows {format_rows(data.index[np.isnan(values)])}"
        )
    return values


@shared_docs
def dsr(
    data: pd.DataFrame,
    *,
    count: str,
    population: str,
    age: str,
    by: S.Columns = None,
    standard: str | pd.Series | pd.DataFrame | dict[str, float] = "esp2013",
    confidence: S.Confidence = 0.95,
    multiplier: float = 100_000,
    event_frequency: str | None = None,
) -> pd.DataFrame:
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
    {by}
    standard : {"esp2013"} or str or pandas.Series or pandas.DataFrame, default "esp2013"
        The standard population: ``"esp2013"`` (2013 European Standard Population, 19 bands, see
        :func:`esp2013`); the name of a column of ``data`` holding each row's standard population
        (matched by row, as PHEindicatormethods does); a Series indexed by age band; a dict; or a
        two-column DataFrame (age band, population).
    {confidence}
    {rate_multiplier}
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
    check_frame(data, func=func)
    std_col = None
    if isinstance(standard, str) and standard.strip().lower() != "esp2013":
        if standard not in data.columns:
            raise InputError(
                f"{func}: standard {standard!r} is neither 'esp2013' nor a column of data; "
                f"available columns: {list(data.columns)}"
            )
        std_col = standard
    extra = [c for c in (event_frequency, std_col) if c is not None]
    by_cols = S.prepare(data, func, [count, population, age, *extra], by)
    conf = confidence_levels(confidence, func=func)
    mult = S.check_multiplier(multiplier, func)
    x_row, x_low, _ = S.numeric_range(data, count, func)
    n_row, n_low, _ = S.numeric_range(data, population, func)
    if std_col is not None:
        w_row = _complete(data, std_col, func, f"standard population column {std_col!r}")
        band_codes, _ = pd.factorize(data[age], use_na_sentinel=True)
        if (band_codes < 0).any():
            raise InputError(
                f"{func}: column {age!r} has missing age bands in rows "
                f"{format_rows(data.index[band_codes < 0])}"
            )
        n_bands = None
    else:
        table = _standard_table(standard, func)
        band_codes, _ = S.match_bands(data, age, table, func)
        w_row = table.to_numpy()[band_codes]
        n_bands = len(table)
    nonindependent = event_frequency is not None
    f_row: np.ndarray | None = None
    if event_frequency is not None:
        f_row = _complete(data, event_frequency, func, f"column {event_frequency!r}")
    grouped = S.groups(data, by_cols)
    keys = grouped.keys
    agg = _dsr_sums(
        grouped,
        band_codes,
        f_row,
        x_row,
        n_row,
        w_row,
        func=func,
        population=population,
        checked=(bool(np.isnan(x_low)), not n_low > 0),
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

    def limits(c: float) -> tuple[np.ndarray, ...]:
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
    return S.indicator_table(
        keys,
        conf,
        {
            "count": O,
            "population": N,
            "value": value,
            "lower_ci": lower,
            "upper_ci": upper,
            "confidence": conf,
            "statistic": f"dsr per {S.multiplier_label(mult)}",
            "method": method,
            "note": notes,
        },
    )


def _dsr_row_sums(
    grouped: S.Groups,
    x_row: np.ndarray,
    n_row: np.ndarray,
    w_row: np.ndarray,
    missing_x: np.ndarray,
    missing_n: np.ndarray,
    n_may_be_zero: bool = True,
) -> dict[str, np.ndarray]:
    """Per-group sums for :func:`dsr` when each row is one group's age band (independent events).

    One sum per array (:meth:`~rhoresearch.stats._groups.Groups.sum`). The rare conditions (a missing count or population, a population of
    0) are looked for once each and cost nothing more when no row has them: with every population
    above 0, ``x * w / n`` is already 0 where ``x`` is 0, so no masking pass is needed. With
    ``n_may_be_zero`` False (every population known to be above 0) the zeros are not looked for.
    """
    any_missing_x = bool(missing_x.any())
    any_missing_n = bool(missing_n.any())
    x = np.where(missing_x, 0.0, x_row) if any_missing_x else x_row
    zero_n = n_row == 0 if n_may_be_zero else np.zeros(len(n_row), dtype=bool)
    any_zero_n = bool(zero_n.any())
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = w_row / n_row
        wt = x * ratio
        sq = wt * ratio
    if any_zero_n or any_missing_n:  # x * inf or x * NaN where there are no events: take 0
        no_events = x == 0
        wt[no_events] = 0.0
        sq[no_events] = 0.0
    zeros = np.zeros(grouped.n)

    def per_group(values: np.ndarray | None = None) -> np.ndarray:
        return grouped.sum(values).astype(float, copy=False)

    return {
        "O": per_group(x),
        "N": per_group(np.where(missing_n, 0.0, n_row) if any_missing_n else n_row),
        "W": per_group(w_row),
        "wt": per_group(wt),
        "sq": per_group(sq),
        "nan_pop": per_group(missing_n) if any_missing_n else zeros,
        "zero_pop": per_group(zero_n & (x != 0)) if any_zero_n else zeros.copy(),
        "zero_pop_empty": per_group(zero_n & (x == 0)) if any_zero_n else zeros.copy(),
        "xmiss": per_group(missing_x) if any_missing_x else zeros.copy(),
        "bands": per_group(),
    }


def _dsr_sums(
    grouped: S.Groups,
    band_codes: np.ndarray,
    f_row: np.ndarray | None,
    x_row: np.ndarray,
    n_row: np.ndarray,
    w_row: np.ndarray,
    *,
    func: str,
    population: str,
    checked: tuple[bool, bool] = (True, True),
) -> dict[str, np.ndarray]:
    """Per-group sums for :func:`dsr`: events, population, standard weight, weighted rate, variance
    term, and counts of the conditions that make a group's DSR missing.

    Cells are (group, band, event frequency); ``f_row`` is None for independent events. Several rows
    in one cell are summed (e.g. one row per sex); with event frequencies, the band's population is
    taken once per band. ``checked`` says whether a count may be missing and whether a population
    may be missing or 0 (False when the column's smallest value shows it cannot: no pass needed).
    """
    nonindependent = f_row is not None
    g_codes, n_groups = grouped.codes(), grouped.n
    # integer codes: group g, band b, frequency f -> one cell per (g, b, f)
    n_b = int(band_codes.max()) + 1 if len(band_codes) else 1
    x_may_miss, n_may_miss = checked
    missing_x = np.isnan(x_row) if x_may_miss else np.zeros(len(x_row), dtype=bool)
    missing_n = np.isnan(n_row) if n_may_miss else np.zeros(len(n_row), dtype=bool)
    if f_row is None:
        f_values = np.array([1.0])
        cell = g_codes * n_b + band_codes
        rows = np.bincount(cell, minlength=n_groups * n_b)
        if rows.max(initial=0) <= 1:
            # one row per group and age band (the usual layout): sum straight into the groups
            return _dsr_row_sums(grouped, x_row, n_row, w_row, missing_x, missing_n, n_may_miss)
    else:
        f_codes, f_values = pd.factorize(f_row, sort=True)
        cell = (g_codes * n_b + band_codes) * len(f_values) + f_codes
        rows = np.bincount(cell, minlength=n_groups * n_b * len(f_values))
    n_f = len(f_values)
    n_cells = n_groups * n_b * n_f
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

    def per_group(values: np.ndarray) -> np.ndarray:
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


@shared_docs
def isr(
    data: pd.DataFrame,
    *,
    count: str,
    population: str,
    ref_count: str,
    ref_population: str,
    by: S.Columns = None,
    confidence: S.Confidence = 0.95,
    kind: str = "ratio",
    multiplier: float | None = None,
) -> pd.DataFrame:
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
    {by}
    {confidence}
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
    by_cols = S.prepare(data, func, [count, population, ref_count, ref_population], by)
    conf = confidence_levels(confidence, func=func)
    if multiplier is None:
        multiplier = 1 if kind == "ratio" else 100_000
    mult = S.check_multiplier(multiplier, func)
    # each column's smallest value (NaN when one is missing) says whether a mask pass is needed
    x_row, x_low, _ = S.numeric_range(data, count, func)
    n_row, n_low, _ = S.numeric_range(data, population, func)
    rc_row, rc_low, _ = S.numeric_range(data, ref_count, func)
    rp_row, rp_low, _ = S.numeric_range(data, ref_population, func)
    any_xmiss = bool(np.isnan(x_low))
    with np.errstate(divide="ignore", invalid="ignore"):
        e_row = n_row * rc_row / rp_row
    if not n_low > 0:
        e_row[n_row == 0] = 0.0
    any_bad_ref = False
    if not rp_low > 0:
        bad_ref = (rp_row == 0) & (n_row > 0)
        any_bad_ref = bool(bad_ref.any())
        if any_bad_ref:
            e_row[bad_ref] = np.nan
    # one pass per sum: the flags and reference columns only when they can change the result
    # (a reference column's sum is used by kind="rate"; its missing rows are noted either way)
    values = {"x": x_row, "n": n_row, "e": e_row}
    if any_xmiss:
        xmiss = np.isnan(x_row)
        values["x"] = np.where(xmiss, 0.0, x_row)
        values["xmiss"] = xmiss.astype(float)
    for name, column, low in (("rc", rc_row, rc_low), ("rp", rp_row, rp_low)):
        if kind == "rate" or np.isnan(low):
            values[name] = column
    if any_bad_ref:
        values["badref"] = bad_ref.astype(float)
    keys, sums, nmiss = S.group_sums(data, by_cols, values)
    O, E = sums["x"], sums["e"]  # noqa: E741
    none = np.zeros(len(O), dtype="int64")
    notes = S.notes_array(len(O))
    if any_xmiss:
        k = sums["xmiss"].astype(int)
        S.add_note(notes, k > 0, lambda i: f"{i} missing count(s) treated as 0", k)
    S.missing_note(notes, nmiss["n"], f"population ({population})")
    S.missing_note(notes, nmiss.get("rc", none), f"reference count ({ref_count})")
    S.missing_note(notes, nmiss.get("rp", none), f"reference population ({ref_population})")
    if any_bad_ref:
        S.add_note(notes, sums["badref"] > 0, "reference population is 0")
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

    def limits(c: float) -> tuple[np.ndarray, ...]:
        lo, hi = S.poisson_limits(O, c)
        return S.safe_divide(lo, E) * scale, S.safe_divide(hi, E) * scale

    lower, upper = S.by_level(conf, limits)
    out: dict[str, Any] = {"count": O, "population": sums["n"], "expected": E}
    if ref_rate is not None:
        out["reference_rate"] = ref_rate
    out.update(
        {
            "value": value,
            "lower_ci": lower,
            "upper_ci": upper,
            "confidence": conf,
            "statistic": statistic,
            "method": S.poisson_method(O),
            "note": notes,
        }
    )
    return S.indicator_table(keys, conf, out)


@shared_docs
def isr_rate(
    data: pd.DataFrame,
    *,
    count: str,
    population: str,
    ref_count: str,
    ref_population: str,
    by: S.Columns = None,
    confidence: S.Confidence = 0.95,
    multiplier: float = 100_000,
) -> pd.DataFrame:
    """Indirectly standardised rate: :func:`isr` with ``kind="rate"``.

    Parameters
    ----------
    data, count, population, ref_count, ref_population, by, confidence
        As for :func:`isr`.
    {rate_multiplier}

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
