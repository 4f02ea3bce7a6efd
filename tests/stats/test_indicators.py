"""Unit tests for rhoresearch.stats.indicators: small hand-built frames, edge cases, errors.

Reference values in comments: PHEindicatormethods test fixtures (tests/fixtures/pheindicatormethods) or
the published worked examples named beside them.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from rhoresearch import stats
from rhoresearch import stats as ind
from rhoresearch.exceptions import InputError

ESP_BANDS = list(ind.ESP2013.index)


@pytest.fixture(autouse=True)
def _no_warnings():
    """No indicator function may emit a warning (e.g. divide by zero) on these inputs."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


def dsr_frame(counts=None, label_map=None):
    """The PHEindicatormethods 'testdata_big' area with ESP2013 bands (typo '55-69' fixed)."""
    counts = counts or [127, 25, 18, 21, 12, 27, 48, 27, 29, 32, 32, 34, 45, 65, 38, 68, 74, 82, 91]
    pops = [636, 558, 609, 543, 384, 594, 669, 843, 660, 576, 606, 522, 426, 273, 300, 288, 153]
    pops += [123, 207]
    bands = [label_map(b) if label_map else b for b in ESP_BANDS]
    return pd.DataFrame({"area": "big", "age": bands, "count": counts, "pop": pops})


# ---------------------------------------------------------------------------------------------
# proportion
# ---------------------------------------------------------------------------------------------


def test_proportion_exact_frame():
    data = pd.DataFrame({"g": ["b", "a", "b"], "x": [10, 20, 10], "n": [50, 100, 50]})
    got = ind.proportion(data, numerator="x", denominator="n", by="g")
    # Wilson limits for 20/100 from PHEindicatormethods testdata_Prop (Area3)
    expected = pd.DataFrame(
        {
            "g": pd.Series(["a", "b"], dtype="str"),
            "numerator": [20.0, 20.0],
            "denominator": [100.0, 100.0],
            "value": [0.2, 0.2],
            "lower_ci": [0.1333669333310325, 0.1333669333310325],
            "upper_ci": [0.28882916559315885, 0.28882916559315885],
            "confidence": [0.95, 0.95],
            "statistic": "proportion of 1",
            "method": "Wilson",
            "note": pd.Series([np.nan, np.nan], dtype="str"),
        }
    )
    assert_frame_equal(got, expected, check_exact=False, rtol=1e-12)


def test_proportion_several_levels_long_format():
    data = pd.DataFrame({"g": ["a", "b"], "x": [20, 65], "n": [100, 100]})
    got = ind.proportion(data, numerator="x", denominator="n", by="g", confidence=(0.95, 0.998))
    assert list(got.g) == ["a", "a", "b", "b"]
    assert list(got.confidence) == [0.95, 0.998, 0.95, 0.998]
    # PHEindicatormethods testdata_Prop Area4 (65/100) at 99.8%
    assert got.lower_ci.iloc[3] == pytest.approx(0.4954946574070431, rel=1e-12)
    assert got.upper_ci.iloc[3] == pytest.approx(0.7783540614089697, rel=1e-12)


def test_proportion_whole_frame_and_multiplier():
    data = pd.DataFrame({"x": [1, 19], "n": [40, 60]})
    got = ind.proportion(data, numerator="x", denominator="n", multiplier=100)
    assert len(got) == 1
    assert list(got.columns[:2]) == ["numerator", "denominator"]
    assert got.value.iloc[0] == pytest.approx(20.0)
    assert got.statistic.iloc[0] == "percentage"


def test_proportion_missing_and_zero_denominator_give_nan_with_note():
    data = pd.DataFrame(
        {"g": ["a", "a", "b", "c"], "x": [1.0, np.nan, 0.0, 3.0], "n": [10.0, 10.0, 0.0, 10.0]}
    )
    got = ind.proportion(data, numerator="x", denominator="n", by="g").set_index("g")
    assert np.isnan(got.loc["a", ["value", "lower_ci", "upper_ci"]].astype(float)).all()
    assert got.loc["a", "note"] == "missing numerator (x) in 1 row(s)"
    assert np.isnan(got.loc["b", ["value", "lower_ci", "upper_ci"]].astype(float)).all()
    assert got.loc["b", "note"] == "denominator is 0"
    assert got.loc["c", "value"] == pytest.approx(0.3)
    assert pd.isna(got.loc["c", "note"])


def test_categorical_group_order_is_kept():
    cat = pd.Categorical(["White", "Black", "Asian"], categories=["White", "Asian", "Black"])
    data = pd.DataFrame({"eth": cat, "x": [1, 2, 3], "n": [10, 10, 10]})
    got = ind.proportion(data, numerator="x", denominator="n", by="eth")
    assert list(got.eth) == ["White", "Asian", "Black"]
    assert isinstance(got.eth.dtype, pd.CategoricalDtype)


def test_group_with_missing_key_is_its_own_group():
    data = pd.DataFrame({"g": ["a", None, "a"], "x": [1, 2, 3], "n": [10, 10, 10]})
    got = ind.proportion(data, numerator="x", denominator="n", by="g")
    assert len(got) == 2
    assert got.g.iloc[0] == "a" and pd.isna(got.g.iloc[1])
    assert got.numerator.tolist() == [4.0, 2.0]


def test_by_several_columns():
    data = pd.DataFrame(
        {"y": [2021, 2020, 2021, 2020], "g": ["a", "a", "b", "b"], "x": [1, 2, 3, 4], "n": [9] * 4}
    )
    got = ind.proportion(data, numerator="x", denominator="n", by=["y", "g"])
    assert got[["y", "g", "numerator"]].values.tolist() == [
        [2020, "a", 2.0],
        [2020, "b", 4.0],
        [2021, "a", 1.0],
        [2021, "b", 3.0],
    ]


# ---------------------------------------------------------------------------------------------
# bad input
# ---------------------------------------------------------------------------------------------


def test_numerator_above_denominator_names_rows():
    data = pd.DataFrame({"x": [1, 12], "n": [10, 10]}, index=["r1", "r2"])
    with pytest.raises(InputError, match=r"'x'.*'n'.*'r2'"):
        ind.proportion(data, numerator="x", denominator="n")


def test_negative_count_names_column_and_rows():
    data = pd.DataFrame({"x": [1, -2, 3], "n": [10, 10, 10]})
    with pytest.raises(InputError, match=r"column 'x' has negative values in rows 1"):
        ind.rate(data, count="x", population="n")


def test_non_numeric_values_name_rows():
    data = pd.DataFrame({"x": ["1", "two", "3"], "n": [10, 10, 10]})
    with pytest.raises(InputError, match=r"column 'x' has non-numeric values in rows 1.*'two'"):
        ind.rate(data, count="x", population="n")


def test_missing_column():
    data = pd.DataFrame({"x": [1], "n": [10]})
    with pytest.raises(InputError, match=r"\['pop'\] not found"):
        ind.rate(data, count="x", population="pop")


def test_column_named_for_two_arguments_and_bad_by():
    data = pd.DataFrame({"g": ["a", "b"], "x": [1, 2]})
    with pytest.raises(InputError, match=r"rate: column\(s\) \['x'\] given for more than one"):
        ind.rate(data, count="x", population="x")
    with pytest.raises(InputError, match=r"rate_ratio: by must be a column name or a list"):
        ind.rate_ratio(data, count="x", population="x", group="g", reference="a", by=5)
    with pytest.raises(InputError, match=r"proportion: data must be a pandas DataFrame"):
        ind.proportion({"x": [1]}, numerator="x", denominator="x")


@pytest.mark.parametrize("level", [0.5, 1.0, 95, 0.89, "0.95", True, (0.95, 0.95), ()])
def test_confidence_outside_range(level):
    data = pd.DataFrame({"x": [1], "n": [10]})
    with pytest.raises(InputError, match="confidence"):
        ind.proportion(data, numerator="x", denominator="n", confidence=level)


def test_reference_group_not_in_data():
    data = pd.DataFrame({"g": ["a", "b"], "x": [1, 2], "n": [10, 10]})
    with pytest.raises(InputError, match=r"reference group 'White' is not in column 'g'"):
        ind.rate_ratio(data, count="x", population="n", group="g", reference="White")


def test_age_bands_not_matching_standard():
    data = dsr_frame(label_map=lambda b: "55-69" if b == "55-59" else b)
    with pytest.raises(InputError, match=r"\['55-69'\].*do not match the standard"):
        ind.dsr(data, count="count", population="pop", age="age")


# ---------------------------------------------------------------------------------------------
# rate and mean
# ---------------------------------------------------------------------------------------------


def test_rate_exact_below_ten_byar_from_ten():
    data = pd.DataFrame({"g": ["a", "b"], "x": [5, 20], "n": [100, 100]})
    got = ind.rate(data, count="x", population="n", by="g", multiplier=100)
    # PHEindicatormethods testdata_Rate Area2 (5/100) and Area3 (20/100), per 100
    assert got.method.tolist() == ["Exact", "Byars"]
    assert got.lower_ci.tolist() == pytest.approx([1.62348639011842, 12.211428834875937], rel=1e-12)
    assert got.upper_ci.tolist() == pytest.approx([11.668332079322669, 30.889880369197066])


def test_rate_zero_count_and_zero_population():
    data = pd.DataFrame({"g": ["a", "b"], "x": [0, 3], "n": [1000, 0]})
    got = ind.rate(data, count="x", population="n", by="g").set_index("g")
    assert got.loc["a", "value"] == 0 and got.loc["a", "lower_ci"] == 0
    # exact upper limit for 0 events: chi2(0.975, 2) / 2 = -log(0.025)
    assert got.loc["a", "upper_ci"] == pytest.approx(-np.log(0.025) / 1000 * 1e5, rel=1e-12)
    assert np.isnan(got.loc["b", "value"]) and got.loc["b", "note"] == "population is 0"


def test_mean_student_t():
    values = [1.0, 2.0, 4.0, 7.0, np.nan]
    data = pd.DataFrame({"v": values})
    got = ind.mean(data, value="v").iloc[0]
    ok = np.array(values[:4])
    half = 3.182446305284263 * ok.std(ddof=1) / 2  # t(0.975, 3)
    assert got.value == pytest.approx(3.5)
    assert got.lower_ci == pytest.approx(3.5 - half, rel=1e-9)
    assert got.value_count == 4
    assert got.note == "1 missing value(s) in v excluded"


def test_mean_single_observation_has_no_interval():
    got = ind.mean(pd.DataFrame({"g": ["a"], "v": [3.0]}), value="v", by="g").iloc[0]
    assert got.value == 3.0 and np.isnan(got.lower_ci) and np.isnan(got.stdev)


# ---------------------------------------------------------------------------------------------
# dsr
# ---------------------------------------------------------------------------------------------


def test_dsr_esp2013_default_matches_peer_value():
    got = ind.dsr(dsr_frame(), count="count", population="pop", age="age").iloc[0]
    # PHEindicatormethods testresults_DSR testdata_big per 100,000, 95%
    assert got.value == pytest.approx(10430.247991469423, rel=1e-12)
    assert got.lower_ci == pytest.approx(9717.709067985681, rel=1e-12)
    assert got.upper_ci == pytest.approx(11178.94091547925, rel=1e-12)
    assert got["count"] == 895 and got.population == 8970


@pytest.mark.parametrize(
    "label_map",
    [
        lambda b: b.replace("-", " to "),
        lambda b: "-".join(p.zfill(2) for p in b.split("-")) if "-" in b else b,
        lambda b: int(b.split("-")[0].rstrip("+")),
        lambda b: b.replace("+", " and over"),
    ],
    ids=["to", "zero-padded", "lower-bound-numbers", "and-over"],
)
def test_dsr_age_label_variants(label_map):
    got = ind.dsr(dsr_frame(label_map=label_map), count="count", population="pop", age="age")
    assert got.value.iloc[0] == pytest.approx(10430.247991469423, rel=1e-12)


def test_dsr_custom_standard_series_dataframe_and_column():
    data = dsr_frame()
    std = pd.Series(np.linspace(1000, 3000, 19), index=ESP_BANDS)
    a = ind.dsr(data, count="count", population="pop", age="age", standard=std)
    b = ind.dsr(data, count="count", population="pop", age="age", standard=std.reset_index())
    c = ind.dsr(
        data.assign(w=std.to_numpy()), count="count", population="pop", age="age", standard="w"
    )
    expected = (data["count"] / data["pop"] * std.to_numpy()).sum() / std.sum() * 1e5
    assert a.value.iloc[0] == pytest.approx(expected, rel=1e-12)
    assert_frame_equal(a, b)
    assert_frame_equal(a, c)


def test_dsr_below_ten_events_not_reported_with_reason():
    data = dsr_frame(counts=[0] * 15 + [1, 2, 3, 3])
    got = ind.dsr(data, count="count", population="pop", age="age", confidence=(0.95, 0.998))
    assert len(got) == 2
    assert got[["value", "lower_ci", "upper_ci"]].isna().all().all()
    assert (got.note == "total count below 10: not reported").all()
    assert (got["count"] == 9).all()


def test_dsr_missing_band_and_duplicate_rows():
    full = dsr_frame()
    split = pd.concat([full.assign(sex="F"), full.assign(sex="M")])
    doubled = ind.dsr(split, count="count", population="pop", age="age").iloc[0]
    single = ind.dsr(full, count="count", population="pop", age="age").iloc[0]
    assert doubled.value == pytest.approx(single.value, rel=1e-12)  # rates unchanged when doubled
    lacking = ind.dsr(full.iloc[:-1], count="count", population="pop", age="age").iloc[0]
    assert np.isnan(lacking.value)
    assert "age bands missing" in lacking.note


def test_dsr_by_group_and_zero_population_band():
    a = dsr_frame().assign(area="a")
    b = dsr_frame().assign(area="b")
    b.loc[b.age == "90+", "pop"] = 0  # 91 events in a band with no population
    got = ind.dsr(pd.concat([a, b]), count="count", population="pop", age="age", by="area")
    assert got.area.tolist() == ["a", "b"]
    assert np.isfinite(got.value.iloc[0]) and np.isnan(got.value.iloc[1])
    assert "population is 0 in an age band with events" in got.note.iloc[1]


def test_dsr_non_independent_population_must_repeat():
    data = pd.concat([dsr_frame().assign(freq=1), dsr_frame().assign(freq=2)], ignore_index=True)
    data.loc[data.index[-1], "pop"] += 1
    with pytest.raises(InputError, match="must repeat the same population"):
        ind.dsr(data, count="count", population="pop", age="age", event_frequency="freq")


def test_dsr_non_independent_one_frequency_equals_independent():
    data = dsr_frame().assign(freq=1)
    a = ind.dsr(data, count="count", population="pop", age="age", event_frequency="freq")
    b = ind.dsr(data, count="count", population="pop", age="age")
    cols = ["count", "population", "value", "lower_ci", "upper_ci"]
    assert_frame_equal(a[cols], b[cols], check_exact=False, rtol=1e-12)


# ---------------------------------------------------------------------------------------------
# isr
# ---------------------------------------------------------------------------------------------


def test_isr_zero_observed():
    data = pd.DataFrame({"x": [0, 0], "n": [100, 200], "rx": [10, 30], "rn": [1000, 1000]})
    got = ind.isr(data, count="x", population="n", ref_count="rx", ref_population="rn").iloc[0]
    assert got.expected == pytest.approx(7.0)
    assert got.value == 0 and got.lower_ci == 0
    assert got.upper_ci == pytest.approx(-np.log(0.025) / 7.0, rel=1e-12)
    assert got.method == "Exact"


# ---------------------------------------------------------------------------------------------
# ratios
# ---------------------------------------------------------------------------------------------


def test_rate_ratio_log_method_and_reference_row():
    data = pd.DataFrame({"g": ["ref", "x"], "d": [20, 65], "p": [1000, 1000]})
    got = ind.rate_ratio(data, count="d", population="p", group="g", reference="ref")
    ref, x = got.iloc[0], got.iloc[1]
    assert ref.is_reference and ref.value == 1 and np.isnan(ref.lower_ci)
    se = np.sqrt(1 / 65 + 1 / 20)
    z = 1.959963984540054
    assert x.value == pytest.approx(3.25)
    assert x.lower_ci == pytest.approx(3.25 * np.exp(-z * se), rel=1e-12)
    assert x.upper_ci == pytest.approx(3.25 * np.exp(z * se), rel=1e-12)
    assert x.difference == pytest.approx(4500.0)
    dse = np.sqrt(65 / 1000**2 + 20 / 1000**2) * 1e5
    assert x.difference_lower_ci == pytest.approx(4500 - z * dse, rel=1e-12)
    assert x.reference == "ref"
    assert x.method == "log (Katz)"


def test_rate_ratio_zero_count_exact_conditional():
    data = pd.DataFrame({"g": ["ref", "x"], "d": [10, 0], "p": [1000, 500]})
    x = ind.rate_ratio(data, count="d", population="p", group="g", reference="ref").iloc[1]
    assert x.value == 0 and x.lower_ci == 0
    # 0 of m = 10 events: Clopper-Pearson upper limit for pi = 1 - 0.025 ** (1 / 10)
    pi = 1 - 0.025 ** (1 / 10)
    assert x.upper_ci == pytest.approx(pi / (1 - pi) * 1000 / 500, rel=1e-9)
    assert x.method == "exact conditional (zero count)"
    # two-sided exact conditional p: 2 * P(X = 0), X ~ Bin(10, 500 / 1500)
    assert x.p_value == pytest.approx(min(1, 2 * (2 / 3) ** 10), rel=1e-9)


def test_rate_ratio_reference_zero_and_strata():
    data = pd.DataFrame(
        {
            "year": [1, 1, 2, 2, 3],
            "g": ["ref", "x", "ref", "x", "x"],
            "d": [0, 5, 4, 8, 3],
            "p": [100, 100, 100, 100, 100],
        }
    )
    got = ind.rate_ratio(data, count="d", population="p", group="g", reference="ref", by="year")
    x1 = got[(got.year == 1) & (got.g == "x")].iloc[0]
    assert np.isnan(x1.value) and "reference group has 0 events" in x1.note
    x2 = got[(got.year == 2) & (got.g == "x")].iloc[0]
    assert x2.value == pytest.approx(2.0)
    x3 = got[got.year == 3].iloc[0]
    assert np.isnan(x3.value) and "reference group absent in this stratum" in x3.note


def test_proportion_ratio_wres_and_newcombe_difference():
    # WRES indicator 2 worked example: 46.99% White vs 14.65% BME appointed -> 3.2 times
    data = pd.DataFrame({"eth": ["White", "BME"], "appointed": [4699, 1465], "short": [10000] * 2})
    got = ind.proportion_ratio(
        data, numerator="appointed", denominator="short", group="eth", reference="BME"
    ).set_index("eth")
    assert round(got.loc["White", "value"], 1) == 3.2
    assert got.loc["BME", "is_reference"]
    # Newcombe (1998) example: 56/70 vs 48/80, method 10 gives 0.0524 to 0.3339
    data = pd.DataFrame({"g": ["a", "b"], "x": [56, 48], "n": [70, 80]})
    a = ind.proportion_ratio(data, numerator="x", denominator="n", group="g", reference="b").iloc[0]
    assert a.difference == pytest.approx(0.2)
    assert a.difference_lower_ci == pytest.approx(0.0524, abs=5e-5)
    assert a.difference_upper_ci == pytest.approx(0.3339, abs=5e-5)
    se = np.sqrt(1 / 56 - 1 / 70 + 1 / 48 - 1 / 80)
    assert a.lower_ci == pytest.approx((0.8 / 0.6) * np.exp(-1.959963984540054 * se), rel=1e-12)


def test_proportion_ratio_zero_numerator():
    data = pd.DataFrame({"g": ["a", "b"], "x": [0, 10], "n": [50, 100]})
    a = ind.proportion_ratio(data, numerator="x", denominator="n", group="g", reference="b").iloc[0]
    assert a.value == 0 and a.lower_ci == 0
    rr_c = (0.5 / 51) / (10.5 / 101)
    se_c = np.sqrt(1 / 0.5 - 1 / 51 + 1 / 10.5 - 1 / 101)
    assert a.upper_ci == pytest.approx(rr_c * np.exp(1.959963984540054 * se_c), rel=1e-12)
    assert a.method == "log (Katz), 0.5 added (zero count)"


def test_participation_ratio():
    data = pd.DataFrame({"g": ["a", "b"], "trial": [20, 80], "pop": [40, 60]})
    got = ind.participation_ratio(data, participants="trial", population="pop", group="g")
    assert got.value.tolist() == pytest.approx([0.5, 80 / 60])
    assert got.representation.tolist() == ["under-represented", "over-represented"]
    assert got.lower_ci.iloc[0] == pytest.approx(0.1333669333310325 / 0.4, rel=1e-12)
    sampled = ind.participation_ratio(
        data, participants="trial", population="pop", group="g", population_sampled=True
    )
    se = np.sqrt(1 / 20 - 1 / 100 + 1 / 40 - 1 / 100)
    assert sampled.upper_ci.iloc[0] == pytest.approx(0.5 * np.exp(1.959963984540054 * se))


# ---------------------------------------------------------------------------------------------
# funnels
# ---------------------------------------------------------------------------------------------


def test_funnel_significance_labels_and_missing():
    data = pd.DataFrame({"x": [50, 90, 10, np.nan], "n": [100, 100, 100, 100]})
    got = ind.funnel_significance(data, statistic="proportion", numerator="x", denominator="n")
    assert list(got.significance.cat.categories) == [
        "High (0.001)",
        "High (0.025)",
        "Low (0.001)",
        "Low (0.025)",
        "Not significant",
        "Not applicable for events less than 10 for dsrs",
    ]
    assert got.significance.tolist()[:3] == ["Not significant", "High (0.001)", "Low (0.001)"]
    assert pd.isna(got.significance.iloc[3])


def test_funnel_limits_shape():
    data = pd.DataFrame({"obs": [5, 20, 80], "exp": [6.0, 15.0, 100.0]})
    got = ind.funnel_limits(
        data, statistic="ratio", numerator="obs", denominator="exp", ratio_type="isr"
    )
    assert len(got) == 100
    assert (got.lower_2s_limit < 100).all() and (got.upper_2s_limit > 100).all()
    assert (got.lower_3s_limit <= got.lower_2s_limit).all()


def test_funnel_bad_statistic():
    with pytest.raises(InputError, match="statistic"):
        ind.funnel_limits(pd.DataFrame({"x": [1]}), statistic="mean", numerator="x")


# ---------------------------------------------------------------------------------------------
# inputs are never modified
# ---------------------------------------------------------------------------------------------


CALLS = {
    "proportion": lambda d: ind.proportion(d, numerator="x", denominator="n", by="g"),
    "rate": lambda d: ind.rate(d, count="x", population="n", by=["g"], confidence=(0.95, 0.998)),
    "mean": lambda d: ind.mean(d, value="x", by="g"),
    "isr": lambda d: ind.isr(d, count="x", population="n", ref_count="rx", ref_population="rn"),
    "rate_ratio": lambda d: ind.rate_ratio(d, count="x", population="n", group="g", reference="a"),
    "proportion_ratio": lambda d: ind.proportion_ratio(
        d, numerator="x", denominator="n", group="g", reference="a"
    ),
    "participation_ratio": lambda d: ind.participation_ratio(
        d, participants="x", population="n", group="g"
    ),
    "funnel_significance": lambda d: ind.funnel_significance(
        d, statistic="proportion", numerator="x", denominator="n"
    ),
    "funnel_limits": lambda d: ind.funnel_limits(
        d, statistic="proportion", numerator="x", denominator="n", multiplier=100
    ),
    "funnel_points": lambda d: ind.funnel_points(
        d,
        numerator="x",
        rate="r",
        rate_type="crude",
        years_of_data=1,
        multiplier=1,
        denominator="n",
    ),
}


@pytest.mark.parametrize("name", sorted(CALLS))
def test_input_frame_is_not_modified(name):
    data = pd.DataFrame(
        {
            "g": ["a", "b", "a", "c"],
            "x": [1.0, 5.0, np.nan, 3.0],
            "n": [10, 20, 30, 40],
            "r": [0.1, 0.25, 0.0, 0.075],
            "rx": [5, 5, 5, 5],
            "rn": [100, 100, 100, 100],
        },
        index=[10, 11, 12, 13],
    )
    if name in ("funnel_significance", "funnel_limits", "funnel_points"):
        data = data.dropna()
    before = data.copy(deep=True)
    CALLS[name](data)
    assert_frame_equal(data, before)


def test_dsr_input_not_modified():
    data = dsr_frame()
    before = data.copy(deep=True)
    ind.dsr(data, count="count", population="pop", age="age", by="area")
    assert_frame_equal(data, before)


def test_the_public_namespace_holds_every_indicator_method():
    # design.md: at least proportion, rate, dsr, isr and rate_ratio are importable from
    # rhoresearch.stats; every indicator function is, each defined once in its module
    assert {"proportion", "rate", "dsr", "isr", "rate_ratio"} <= set(stats.__all__)
    for name in [
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
        "ESP2013",
    ]:
        assert name in stats.__all__, name
        obj = getattr(stats, name)
        assert not callable(obj) or obj.__module__.startswith("rhoresearch.stats."), name


def test_esp2013_table():
    table = ind.esp2013()
    assert table.population.sum() == 100_000
    assert table.age_band.tolist()[0] == "0-4" and table.age_band.tolist()[-1] == "90+"


# ---------------------------------------------------------------------------------------------
# the benchmark's comparator stays out of the package
# ---------------------------------------------------------------------------------------------


def test_phstatsmethods_is_not_a_dependency_and_benchmark_says_how_to_install_it():
    import importlib.util
    import subprocess
    import sys
    import tomllib
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    project = tomllib.loads((root / "pyproject.toml").read_text())["project"]
    declared = " ".join(
        project["dependencies"] + sum(project["optional-dependencies"].values(), [])
    )
    assert "phstatsmethods" not in declared.lower()
    assert "phstatsmethods" not in (root / "requirements.lock").read_text().lower()
    if importlib.util.find_spec("PHStatsMethods") is not None:
        pytest.skip("PHStatsMethods is installed here: the benchmark would run in full")
    run = subprocess.run(
        [sys.executable, str(root / "benchmarks" / "indicators.py")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 2
    assert "pip install" in run.stderr and "phstatsmethods" in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1
