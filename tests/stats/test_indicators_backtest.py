"""Backtests: rhoresearch.stats.indicators reproduces every row of PHEindicatormethods' published test values.

The expected values are in ``tests/fixtures/pheindicatormethods/`` (numbers only, from the R package's test
fixtures; provenance in its README). Tolerances as that README says: relative 1e-9 for the values
taken from the package's xlsx fixtures, 1e-6 for the funnel files and the non-independent DSR rows
(rounded in the source). Each test is parametrised over every row of its file; the R call that made
the expected value is named in each test's docstring.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from rhoresearch import stats as ind
from rhoresearch.stats import _core as _stats

DATA = Path(__file__).resolve().parents[1] / "fixtures" / "pheindicatormethods"
TIGHT = 1e-9
LOOSE = 1e-6


@cache
def load(name: str) -> pd.DataFrame:
    return pd.read_csv(DATA / name, keep_default_na=True, na_values=["NA"])


def rows(name: str, *, where=None):
    table = load(name)
    if where is not None:
        table = table[where(table)]
    return [pytest.param(i, id=f"{name.removesuffix('.csv')}-{i}") for i in table.index]


def close(actual, expected, rtol, what=""):
    """Both missing, or equal within rtol (absolute floor 1e-12 for exact zeros)."""
    actual = float(actual)
    expected = float(expected)
    if np.isnan(expected):
        assert np.isnan(actual), f"{what}: expected missing, got {actual!r}"
        return
    assert not np.isnan(actual), f"{what}: expected {expected!r}, got missing"
    assert actual == pytest.approx(expected, rel=rtol, abs=1e-12), what


# ---------------------------------------------------------------------------------------------
# Byar's and Wilson limits (internal formulas)
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("i", rows("byars_wilson.csv"))
def test_byars_wilson(i):
    """R: byars_lower/byars_upper(x, confidence); wilson_lower/wilson_upper(x, n, confidence)."""
    row = load("byars_wilson.csv").loc[i]
    x = np.array([row.x])
    if row.method == "Byars":
        lower = _stats.byar_lower(x, row.confidence)[0]
        upper = _stats.byar_upper(x, row.confidence)[0]
    else:
        lower, upper = (v[0] for v in _stats.wilson(x, np.array([row.n]), row.confidence))
    close(lower, row.lowercl, TIGHT, "lower")
    close(upper, row.uppercl, TIGHT, "upper")


# ---------------------------------------------------------------------------------------------
# proportions and rates
# ---------------------------------------------------------------------------------------------


def _single_or_grouped(name, i, func, num_col, den_col, **kw):
    table = load(name)
    row = table.loc[i]
    if row.source.endswith("_g"):
        # grouped: the sum of the ungrouped rows of the same area (one per multiplier)
        raw = table[(~table.source.str.endswith("_g")) & (table.confidence == 0.95)]
        data = raw[raw.area == row.area][["area", "numerator", "denominator"]]
    else:
        data = pd.DataFrame([row[["area", "numerator", "denominator"]]])
        data = data.astype({"numerator": "float64", "denominator": "float64"})
    result = func(
        data,
        **{num_col: "numerator", den_col: "denominator"},
        by="area",
        confidence=row.confidence,
        multiplier=row.multiplier,
        **kw,
    )
    assert len(result) == 1
    return row, result.iloc[0]


@pytest.mark.parametrize("i", rows("phe_proportion.csv"))
def test_proportion(i):
    """R: phe_proportion(df, numerator, denominator, multiplier=, confidence=) (grouped for _g)."""
    row, got = _single_or_grouped(
        "phe_proportion.csv", i, ind.proportion, "numerator", "denominator"
    )
    close(got.numerator, row.numerator, TIGHT, "numerator")
    close(got.denominator, row.denominator, TIGHT, "denominator")
    for col, exp in (("value", "value"), ("lower_ci", "lowercl"), ("upper_ci", "uppercl")):
        close(got[col], row[exp], TIGHT, col)
    assert got.statistic == row.statistic
    assert got.method == row.method


@pytest.mark.parametrize("i", rows("phe_rate.csv"))
def test_rate(i):
    """R: phe_rate(df, numerator, denominator, multiplier=, confidence=) (grouped for _g)."""
    row, got = _single_or_grouped("phe_rate.csv", i, ind.rate, "count", "population")
    for col, exp in (("value", "value"), ("lower_ci", "lowercl"), ("upper_ci", "uppercl")):
        close(got[col], row[exp], TIGHT, col)
    assert got.statistic == row.statistic
    if pd.isna(row.method):
        assert pd.isna(got.method)
    else:
        assert got.method == row.method


@pytest.mark.parametrize("i", rows("phe_mean_expected.csv"))
def test_mean(i):
    """R: phe_mean(df, x, confidence=) grouped by area, and ungrouped for 'ALL (ungrouped)'."""
    row = load("phe_mean_expected.csv").loc[i]
    data = load("phe_mean_inputs.csv")
    if row.group == "ALL (ungrouped)":
        got = ind.mean(data, value="x", confidence=row.confidence).iloc[0]
    else:
        res = ind.mean(data, value="x", by="area", confidence=row.confidence)
        got = res[res.area == row.group].iloc[0]
    for col, exp in (
        ("value_sum", "value_sum"),
        ("value_count", "value_count"),
        ("stdev", "stdev"),
        ("value", "value"),
        ("lower_ci", "lowercl"),
        ("upper_ci", "uppercl"),
    ):
        close(got[col], row[exp], TIGHT, col)
    assert got.method == row.method


# ---------------------------------------------------------------------------------------------
# directly and indirectly standardised
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("i", rows("calculate_dsr_expected.csv"))
def test_dsr(i):
    """R: calculate_dsr(df, x, n, stdpop=stdpop, multiplier=, confidence=) grouped by area;
    independent_events=FALSE rows: calculate_dsr(..., eventfreq=eventfreq, ageband=ageband)."""
    row = load("calculate_dsr_expected.csv").loc[i]
    if row.independent_events:
        data = load("calculate_dsr_inputs.csv")
        data = data[data.area == row.area]
        kw = {"count": "count", "event_frequency": None}
        rtol = TIGHT
    else:
        data = load("calculate_dsr_nonindependent_inputs.csv")
        data = data[data.area == row.area]
        kw = {"count": "persons", "event_frequency": "eventfreq"}
        rtol = LOOSE
    res = ind.dsr(
        data,
        population="pop",
        age="ageband",
        by="area",
        standard="stdpop",
        confidence=row.confidence,
        multiplier=row.multiplier,
        **kw,
    )
    assert len(res) == 1
    got = res.iloc[0]
    close(got["count"], row.total_count, TIGHT, "count")
    close(got.population, row.total_pop, TIGHT, "population")
    for col, exp in (("value", "value"), ("lower_ci", "lowercl"), ("upper_ci", "uppercl")):
        close(got[col], row[exp], rtol, col)
    assert got.method == row.method
    if row.total_count < 10:
        assert "total count below 10: not reported" in got.note
    else:
        assert got.statistic == row.statistic


@pytest.mark.parametrize("i", rows("isr_expected.csv"))
def test_isr(i):
    """R: calculate_ISRate(df, x, n, x_ref, n_ref, multiplier=, confidence=) and
    calculate_ISRatio(df, x, n, x_ref, n_ref, refvalue=, confidence=), grouped by area."""
    row = load("isr_expected.csv").loc[i]
    data = load("isr_inputs.csv")
    data = data[data.dataset == row.dataset]
    common = {
        "count": "count",
        "population": "pop",
        "ref_count": "refcount",
        "ref_population": "refpop",
        "by": "area",
        "confidence": row.confidence,
    }
    if row.function == "calculate_ISRate":
        res = ind.isr_rate(data, multiplier=row.multiplier, **common)
    else:
        res = ind.isr(data, kind="ratio", multiplier=row.refvalue, **common)
    got = res[res.area == row.area].iloc[0]
    close(got["count"], row.observed, TIGHT, "count")
    close(got.expected, row.expected, TIGHT, "expected")
    if row.function == "calculate_ISRate":
        close(got.reference_rate, row.ref_rate, TIGHT, "reference_rate")
    for col, exp in (("value", "value"), ("lower_ci", "lowercl"), ("upper_ci", "uppercl")):
        close(got[col], row[exp], TIGHT, col)
    assert got.method == row.method
    assert got.statistic == row.statistic


# ---------------------------------------------------------------------------------------------
# funnels
# ---------------------------------------------------------------------------------------------


@cache
def proportion_significance() -> pd.DataFrame:
    return ind.funnel_significance(
        load("funnel_proportion_significance.csv"),
        statistic="proportion",
        numerator="numerator",
        denominator="denominator",
    )


@pytest.mark.parametrize("i", rows("funnel_proportion_significance.csv"))
def test_funnel_proportion_significance(i):
    """R: assign_funnel_significance(df, numerator, denominator, statistic="proportion")."""
    got = proportion_significance().loc[i]
    assert got.significance == got.expected_significance


@cache
def ratio_significance() -> pd.DataFrame:
    return ind.funnel_significance(
        load("funnel_ratio_significance.csv"),
        statistic="ratio",
        numerator="observed",
        denominator="expected",
    )


@pytest.mark.parametrize("i", rows("funnel_ratio_significance.csv"))
def test_funnel_ratio_significance(i):
    """R: assign_funnel_significance(df, observed, expected, statistic="ratio")."""
    got = ratio_significance().loc[i]
    assert got.significance == got.expected_significance


RATE_SIG_SCENARIOS = [
    f"{kind}_per_{mult}_{zeros}_0"
    for kind in ("dsr", "crude")
    for mult in (100000, 100)
    for zeros in ("with", "without")
]


@cache
def rate_significance(scenario: str) -> pd.DataFrame:
    kind, _, mult, zeros, _ = scenario.split("_")
    data = load("funnel_rate_significance.csv")
    if zeros == "without":
        data = data[data["count"] != 0]
    rate_col = "rate_dsr" if kind == "dsr" else f"rate_crude_per_{mult}"
    return ind.funnel_significance(
        data,
        statistic="rate",
        numerator="count",
        denominator="pop",
        rate=rate_col,
        rate_type=kind,
        multiplier=int(mult),
    )


def _rate_sig_params():
    table = load("funnel_rate_significance.csv")
    out = []
    for scenario in RATE_SIG_SCENARIOS:
        for i in table.index:
            # 'without_0' calls leave out the rows with 0 events: those rows have no result
            if scenario.endswith("without_0") and table.loc[i, "count"] == 0:
                continue
            out.append(pytest.param(scenario, i, id=f"{scenario}-{i}"))
    return out


@pytest.mark.parametrize(("scenario", "i"), _rate_sig_params())
def test_funnel_rate_significance(scenario, i):
    """R: assign_funnel_significance(df, count, pop, rate, statistic="rate", rate_type=,
    multiplier=), with and without the rows that have 0 events."""
    got = rate_significance(scenario).loc[i]
    assert got.significance == got[scenario]


@cache
def limits(name: str) -> pd.DataFrame:
    if name == "funnel_proportion_limits.csv":
        data = load("funnel_proportion_significance.csv")
    elif name == "funnel_proportion_limits_denominator_lt_31000.csv":
        data = load("funnel_proportion_significance.csv")
        data = data[data.denominator < 31000]
    if name.startswith("funnel_proportion_limits"):
        return ind.funnel_limits(
            data,
            statistic="proportion",
            numerator="numerator",
            denominator="denominator",
            multiplier=100,
        )
    if name == "funnel_ratio_limits.csv":
        data = load("funnel_ratio_significance.csv")
        kw = {"statistic": "ratio", "numerator": "observed", "denominator": "expected"}
        count = ind.funnel_limits(data, ratio_type="count", **kw)
        isr = ind.funnel_limits(data, ratio_type="isr", **kw)
        return count.join(isr.add_suffix("_isr"))
    scenario = {
        "funnel_rate_limits_dsr.csv": ("funnel_rate_limits_dsr_inputs.csv", "dsr", None),
        "funnel_rate_limits_crude_lt10.csv": (
            "funnel_rate_limits_crude_lt10_inputs.csv",
            "crude",
            None,
        ),
        "funnel_rate_limits_crude_zero_events.csv": (
            "funnel_rate_limits_crude_zero_events_inputs.csv",
            "crude",
            "pop",
        ),
    }[name]
    return ind.funnel_limits(
        load(scenario[0]),
        statistic="rate",
        numerator="ev",
        rate="rate",
        denominator=scenario[2],
        rate_type=scenario[1],
        multiplier=100000,
        years_of_data=3,
    )


@pytest.mark.parametrize(
    "i",
    rows("funnel_proportion_limits.csv")
    + rows("funnel_proportion_limits_denominator_lt_31000.csv"),
)
def test_funnel_proportion_limits(request, i):
    """R: calculate_funnel_limits(df, numerator, denominator, statistic="proportion",
    multiplier=100), on all inputs and on those with denominator < 31000."""
    name = request.node.callspec.id.rsplit("-", 1)[0] + ".csv"
    expected = load(name).loc[i]
    got = limits(name).loc[i]
    assert got.population == expected.Population
    for col in ("lower_2s_limit", "upper_2s_limit", "lower_3s_limit", "upper_3s_limit", "baseline"):
        close(got[col], expected[col], LOOSE, col)


@pytest.mark.parametrize("i", rows("funnel_ratio_limits.csv"))
def test_funnel_ratio_limits(i):
    """R: calculate_funnel_limits(df, observed, expected, statistic="ratio", ratio_type="count")
    and ratio_type="isr"."""
    expected = load("funnel_ratio_limits.csv").loc[i]
    got = limits("funnel_ratio_limits.csv").loc[i]
    assert got.observed_events == expected.Observed_events
    for tag in ("lower_2s", "upper_2s", "lower_3s", "upper_3s"):
        close(got[f"{tag}_exp_events"], expected[f"{tag}_exp_events"], LOOSE, tag)
        close(got[f"{tag}_limit"], expected[f"{tag}_count"], LOOSE, f"{tag} count")
        close(got[f"{tag}_limit_isr"], expected[f"{tag}_isr"], LOOSE, f"{tag} isr")


RATE_LIMIT_FILES = [
    "funnel_rate_limits_dsr.csv",
    "funnel_rate_limits_crude_lt10.csv",
    "funnel_rate_limits_crude_zero_events.csv",
]


@pytest.mark.parametrize(
    ("name", "i"),
    [
        pytest.param(name, i, id=f"{name.removesuffix('.csv')}-{i}")
        for name in RATE_LIMIT_FILES
        for i in load(name).index
    ],
)
def test_funnel_rate_limits(name, i):
    """R: calculate_funnel_limits(df, ev, rate=rate, statistic="rate", rate_type=,
    multiplier=1e5, years_of_data=3) (denominator=pop for the zero-events scenario)."""
    expected = load(name).loc[i]
    got = limits(name).loc[i]
    assert got.events == expected.Events
    for tag in ("lower_2s", "upper_2s", "lower_3s", "upper_3s"):
        close(got[f"{tag}_population_1_year"], expected[f"{tag}_population_1_year"], LOOSE, tag)
        close(got[f"{tag}_limit"], expected[f"{tag}_limit"], LOOSE, tag)
    close(got.baseline, expected.baseline, LOOSE, "baseline")
    assert got.statistic == expected.statistic
    assert got.method == expected.method


@cache
def points(scenario: str) -> pd.DataFrame:
    table = load("calculate_funnel_points.csv")
    data = table[table.scenario == scenario]
    first = data.iloc[0]
    return ind.funnel_points(
        data,
        numerator="ev",
        rate="rate",
        denominator="pop" if first.denominator_supplied else None,
        rate_type=first.rate_type,
        years_of_data=int(first.years_of_data),
        multiplier=int(first.multiplier),
    )


@pytest.mark.parametrize("i", rows("calculate_funnel_points.csv"))
def test_funnel_points(i):
    """R: calculate_funnel_points(df, ev, rate=rate, rate_type=, years_of_data=, multiplier=)
    (denominator=pop where denominator_supplied)."""
    scenario = load("calculate_funnel_points.csv").loc[i, "scenario"]
    got = points(scenario).loc[i]
    close(got.rate_chart, got.expected_rate_chart, LOOSE, "rate_chart")
    close(got.denominator_derived, got.expected_denominator_derived, LOOSE, "denominator")


def test_every_file_is_backtested():
    """Every CSV in the peer folder is read by a test above (inputs through their expected files)."""
    used = {
        "byars_wilson.csv",
        "phe_proportion.csv",
        "phe_rate.csv",
        "phe_mean_inputs.csv",
        "phe_mean_expected.csv",
        "calculate_dsr_inputs.csv",
        "calculate_dsr_nonindependent_inputs.csv",
        "calculate_dsr_expected.csv",
        "isr_inputs.csv",
        "isr_expected.csv",
        "funnel_proportion_significance.csv",
        "funnel_proportion_limits.csv",
        "funnel_proportion_limits_denominator_lt_31000.csv",
        "funnel_ratio_significance.csv",
        "funnel_ratio_limits.csv",
        "funnel_rate_significance.csv",
        "funnel_rate_limits_dsr_inputs.csv",
        "funnel_rate_limits_dsr.csv",
        "funnel_rate_limits_crude_lt10_inputs.csv",
        "funnel_rate_limits_crude_lt10.csv",
        "funnel_rate_limits_crude_zero_events_inputs.csv",
        "funnel_rate_limits_crude_zero_events.csv",
        "calculate_funnel_points.csv",
    }
    assert {p.name for p in DATA.glob("*.csv")} == used
