"""Unit tests of rhoresearch.workstreams.maternity on small hand-built frames."""

from __future__ import annotations

import inspect
import re

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from rhoresearch import stats
from rhoresearch.demo import maternity as demo_maternity
from rhoresearch.exceptions import InputError, SchemaError
from rhoresearch.workstreams import _comparisons, maternity, mental_health


def _records(**extra) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "maternity_id": [1, 2, 3, 4, 5, 6, 7, 8],
            "year": [2016, 2016, 2017, 2017, 2018, 2018, 2018, 2019],
            "ethnic_category": [
                "A",
                " n ",
                "Black or Black British - African",
                "Z",
                "99",
                None,
                "Q",
                "h",
            ],
            "age_band": ["25-29", "<20", None, "30-34", "40+", "20-24", "25-29", "35-39"],
            "imd_quintile": pd.array([1, 2, 3, None, 5, 1, 2, 3], dtype="Int64"),
            "region_code": ["Y56", "Y56", "Y62", "Y62", "Y56", "Y59", "Y59", "Y56"],
            "region_name": ["London", "London", "North West", "North West", "London"]
            + ["South East", "South East", "London"],
            "number_of_babies": [1] * 8,
            "maternal_death": [True, False, True, False, False, True, False, False],
        }
    )
    return frame.assign(**extra)


def test_prepare_adds_group_and_status_without_dropping_rows():
    records = _records()
    before = records.copy()
    out = maternity.prepare(records)
    assert_frame_equal(records, before)  # input not modified
    assert len(out) == len(records)
    assert out["ethnic_group"].astype("object").where(
        out["ethnic_group"].notna(), None
    ).tolist() == [
        "White",
        "Black",
        "Black",
        None,
        None,
        None,
        None,
        "Asian",
    ]
    assert out["ethnicity_status"].tolist() == [
        "recorded",
        "recorded",
        "recorded",
        "not stated",
        "not known",
        "not known",
        "invalid code",
        "recorded",
    ]
    assert list(out["ethnic_group"].cat.categories) == ["Asian", "Black", "Mixed", "White", "Other"]


def test_prepare_unknown_reference_counts_unknown_with_white():
    out = maternity.prepare(_records(), unknown="reference")
    assert out["ethnic_group"].astype("str").tolist() == [
        "White",
        "Black",
        "Black",
        "White",
        "White",
        "White",
        "White",
        "Asian",
    ]


def test_prepare_region_selection_and_errors():
    out = maternity.prepare(_records(), region="london")
    assert out["maternity_id"].tolist() == [1, 2, 5, 8]
    assert maternity.prepare(_records(), region="Y62")["maternity_id"].tolist() == [3, 4]
    with pytest.raises(InputError, match="no record in region 'Mars'"):
        maternity.prepare(_records(), region="Mars")
    with pytest.raises(InputError, match="unknown must be"):
        maternity.prepare(_records(), unknown="drop")
    with pytest.raises(InputError, match="not found"):
        maternity.prepare(_records().drop(columns="ethnic_category"))


def test_exclusions_counts_each_reason():
    out = maternity.exclusions(maternity.prepare(_records()))
    expected = pd.DataFrame(
        {
            "step": ["records", "ethnicity", "ethnicity", "ethnicity"]
            + ["covariates", "covariates", "covariates"],
            "reason": [
                "records in the extract (after region selection)",
                "ethnic category not stated (Z)",
                "ethnic category not known (99, X, blank or missing)",
                "ethnic category not a valid code",
                "age_band missing",
                "imd_quintile missing",
                "records with a usable ethnic group missing any model covariate",
            ],
            "rows": [8, 1, 2, 1, 1, 0, 1],
            "percent": [100.0, 12.5, 25.0, 12.5, 12.5, 0.0, 12.5],
            "applies_to": [
                "",
                "every indicator by ethnic group",
                "every indicator by ethnic group",
                "every indicator by ethnic group",
                "adjusted model",
                "adjusted model",
                "adjusted model",
            ],
        }
    )
    assert_frame_equal(out, expected, check_dtype=False)


def test_maternal_counts_by_group_and_year():
    out = maternity.maternal_counts(maternity.prepare(_records()), by=["ethnic_group", "year"])
    assert out["ethnic_group"].astype("str").tolist() == ["Asian", "Black", "Black", "White"]
    assert out["year"].tolist() == [2019, 2016, 2017, 2016]
    assert out["maternities"].tolist() == [1, 1, 1, 1]
    assert out["maternal_deaths"].tolist() == [0, 0, 1, 1]


def test_maternal_counts_leave_out_missing_strata_values():
    out = maternity.maternal_counts(maternity.prepare(_records()), by=["ethnic_group", "age_band"])
    assert int(out["maternities"].sum()) == 3  # the Black record with no age band is left out


def test_perinatal_counts_and_consistency_check():
    births = pd.DataFrame(
        {
            "ethnic_category": ["A", "A", "A", "M", "M"],
            "year": [2020] * 5,
            "stillbirth": [True, False, False, False, True],
            "neonatal_death": [False, True, False, False, False],
        }
    )
    out = maternity.perinatal_counts(maternity.prepare(births), by="ethnic_group")
    expected = pd.DataFrame(
        {
            "ethnic_group": pd.Categorical(
                ["Black", "White"],
                categories=["Asian", "Black", "Mixed", "White", "Other"],
                ordered=True,
            ),
            "births": [2, 3],
            "stillbirths": [1, 1],
            "live_births": [1, 2],
            "neonatal_deaths": [0, 1],
        }
    )
    assert_frame_equal(out, expected)
    bad = births.assign(neonatal_death=[True, True, False, False, False])
    with pytest.raises(InputError, match="both a stillbirth and a neonatal death"):
        maternity.perinatal_counts(maternity.prepare(bad))


def test_rolling_periods_complete_only():
    out = maternity.rolling_periods([2016, 2017, 2018, 2019, 2021, 2022, 2023])
    expected = pd.DataFrame(
        {
            "period": ["2016-18", "2017-19", "2021-23"],
            "start_year": [2016, 2017, 2021],
            "end_year": [2018, 2019, 2023],
        }
    ).astype({"period": "str"})
    assert_frame_equal(out, expected)
    assert maternity.rolling_periods([1998, 1999, 2000])["period"].tolist() == ["1998-00"]
    with pytest.raises(InputError, match="positive integer"):
        maternity.rolling_periods([2016], length=0)


def test_rolling_period_counts_sum_each_year_into_every_period():
    yearly = pd.DataFrame(
        {
            "ethnic_group": ["White"] * 4 + ["Black"] * 4,
            "year": [2016, 2017, 2018, 2019] * 2,
            "maternities": [100, 110, 120, 130, 10, 11, 12, 13],
            "maternal_deaths": [1, 0, 2, 3, 0, 1, 1, 0],
        }
    )
    out = maternity.rolling_period_counts(yearly, by="ethnic_group")
    assert out["period"].astype("str").tolist() == ["2016-18", "2016-18", "2017-19", "2017-19"]
    assert out["ethnic_group"].tolist() == ["Black", "White", "Black", "White"]
    assert out["maternities"].tolist() == [33, 330, 36, 360]
    assert out["maternal_deaths"].tolist() == [2, 3, 2, 5]
    with pytest.raises(InputError, match="no complete 3-year period"):
        maternity.rolling_period_counts(yearly[yearly["year"] < 2018], by="ethnic_group")


def test_published_maternal_mortality_maps_groups():
    ref = pd.DataFrame(
        {
            "period": ["2018-20", "2018-20", "2018-20"],
            "geography": ["England"] * 3,
            "ethnic_group": ["White (inc. not known)", "Black", "Chinese or other"],
            "rate_per_100000_maternities": [9.23, 33.99, 8.22],
            "observation_status": ["Normal value"] * 3,
        }
    )
    out = maternity.published_maternal_mortality(ref)
    assert out["ethnic_group"].tolist() == ["Black", "Other", "White"]
    assert out["published_rate"].tolist() == [33.99, 8.22, 9.23]


def test_published_tables_from_the_committed_reference():
    maternal = maternity.published_maternal_mortality()
    row = maternal[(maternal["period"] == "2018-20") & (maternal["ethnic_group"] == "Black")]
    assert row["published_rate"].tolist() == [33.99]
    assert set(maternal["ethnic_group"]) == {"White", "Mixed", "Asian", "Black", "Other"}
    neonatal = maternity.published_neonatal_mortality()
    assert neonatal["year"].max() == 2020
    assert set(neonatal["ethnic_group"].dropna()) <= set(maternity.GROUPS)


def test_demo_and_domain_share_age_bands():
    assert demo_maternity.AGE_BANDS == maternity.AGE_BANDS


# ---------------------------------------------------------------------------------------------
# Counted records: what the engine could not count comes back beside the counts
# ---------------------------------------------------------------------------------------------


def test_counts_from_source_returns_the_engine_exclusions_explicitly():
    counted = maternity.counts_from_source(_records())
    assert isinstance(counted, maternity.CountedRecords)
    counts, excluded = counted
    assert counts.attrs == {}
    assert excluded.empty and list(excluded.columns) == ["step", "reason", "rows", "applies_to"]
    assert counts["maternities"].sum() == 8
    # rows an engine could not count are added to the total and listed after it
    lost = pd.DataFrame(
        {
            "step": ["records"],
            "reason": ["maternal_deaths missing (not counted)"],
            "rows": [1],
            "applies_to": ["every analysis"],
        }
    )
    with_engine = maternity.exclusions(counts, excluded=lost, dataset="maternities")
    assert with_engine.columns.tolist() == [
        "dataset",
        "step",
        "reason",
        "rows",
        "percent",
        "applies_to",
    ]
    assert with_engine["rows"].tolist()[:2] == [9, 1]  # every record is accounted for
    without = maternity.exclusions(counts)
    assert without["rows"].tolist()[0] == 8
    assert len(without) == len(with_engine) - 1
    # a missing flag breaks the schema (MATERNITIES does not allow it)
    flags = pd.array([True, None] + [False] * 6, dtype="boolean")
    with pytest.raises(SchemaError, match="maternal_death"):
        maternity.counts_from_source(_records(maternal_death=flags))


# ---------------------------------------------------------------------------------------------
# Rates, ratios and findings: the notebook's steps as functions
# ---------------------------------------------------------------------------------------------


def _periods() -> tuple[pd.DataFrame, pd.DataFrame]:
    groups = pd.Categorical(
        ["White", "Black", "Asian"] * 2, categories=list(maternity.GROUPS), ordered=True
    )
    period = pd.Categorical(["2016-18"] * 3 + ["2017-19"] * 3, ordered=True)
    maternal = pd.DataFrame(
        {
            "period": period,
            "ethnic_group": groups,
            "maternities": [100_000, 20_000, 30_000, 110_000, 21_000, 31_000],
            "maternal_deaths": [9, 7, 5, 10, 8, 3],
        }
    )
    perinatal = pd.DataFrame(
        {
            "period": period,
            "ethnic_group": groups,
            "births": [101_000, 20_300, 30_400, 111_000, 21_300, 31_400],
            "stillbirths": [320, 140, 150, 330, 150, 140],
            "live_births": [100_680, 20_160, 30_250, 110_670, 21_150, 31_260],
            "neonatal_deaths": [135, 50, 60, 140, 52, 58],
        }
    )
    return maternal, perinatal


def test_outcome_rates_is_one_rate_per_outcome():
    maternal, perinatal = _periods()
    out = maternity.outcome_rates(maternal, perinatal, confidence=0.95)
    assert out.columns.tolist() == [
        "outcome",
        "period",
        "ethnic_group",
        "count",
        "population",
        "value",
        "lower_ci",
        "upper_ci",
        "unit",
        "method",
    ]
    assert out["outcome"].unique().tolist() == ["Maternal death", "Stillbirth", "Neonatal death"]
    still = out[out["outcome"] == "Stillbirth"].reset_index(drop=True)
    direct = stats.rate(
        perinatal,
        count="stillbirths",
        population="births",
        by=["period", "ethnic_group"],
        multiplier=1_000,
    )
    assert_frame_equal(
        still[["value", "lower_ci", "upper_ci"]], direct[["value", "lower_ci", "upper_ci"]]
    )
    assert set(still["unit"]) == {"per 1,000 total births"}
    only_perinatal = maternity.outcome_rates(None, perinatal)
    assert set(only_perinatal["outcome"]) == {"Stillbirth", "Neonatal death"}
    with pytest.raises(InputError, match="give maternal counts"):
        maternity.outcome_rates(None, None)
    yearly = maternity.yearly_perinatal_rates(perinatal.rename(columns={"period": "year"}))
    assert yearly.columns.tolist() == [
        "outcome",
        "year",
        "ethnic_group",
        "count",
        "population",
        "value",
        "lower_ci",
        "upper_ci",
    ]


def test_outcome_ratios_keep_the_chosen_period_and_match_rate_ratio():
    maternal, perinatal = _periods()
    out = maternity.outcome_ratios(maternal, perinatal, reference="Black", period="2017-19")
    assert set(out["period"].astype(str)) == {"2017-19"}
    assert out["outcome"].unique().tolist() == ["Maternal death", "Stillbirth", "Neonatal death"]
    maternal_rows = out[out["outcome"] == "Maternal death"].set_index("ethnic_group")
    direct = stats.rate_ratio(
        maternal[maternal["period"] == "2017-19"],
        count="maternal_deaths",
        population="maternities",
        group="ethnic_group",
        reference="Black",
    ).set_index("ethnic_group")
    assert maternal_rows.loc["White", "value"] == pytest.approx(direct.loc["White", "value"])
    assert bool(maternal_rows.loc["Black", "is_reference"])
    every = maternity.outcome_ratios(maternal, perinatal)
    assert len(every) == 2 * len(out)


def test_adjusted_ratios_model_the_period_with_age_and_deprivation():
    rng = np.random.default_rng(3)
    n = 4000
    records = pd.DataFrame(
        {
            "year": rng.choice([2017, 2018, 2019, 2020], n),
            "ethnic_category": rng.choice(["A", "N", "H"], n),
            "age_band": rng.choice(["20-24", "25-29", "30-34"], n),
            "imd_quintile": rng.choice([1, 3, 5], n),
            "region_code": "Y56",
            "region_name": "London",
            "maternal_death": rng.random(n) < 0.05,
            "stillbirth": rng.random(n) < 0.05,
        }
    )
    records["neonatal_death"] = ~records["stillbirth"] & (rng.random(n) < 0.03)
    prepared = maternity.prepare(records)
    out = maternity.adjusted_ratios(prepared, prepared, period="2018-20", reference="White")
    assert out["outcome"].unique().tolist() == ["Maternal death", "Stillbirth", "Neonatal death"]
    in_period = maternity.records_in_period(prepared, "2018-20")
    direct = stats.poisson_model(
        maternity.maternal_counts(in_period, by=["ethnic_group", "age_band", "imd_quintile"]),
        count="maternal_deaths",
        population="maternities",
        group="ethnic_group",
        reference="White",
        covariates=["age_band", "imd_quintile"],
        categorical=["imd_quintile"],
    )
    mine = out[out["outcome"] == "Maternal death"].drop(columns="outcome").reset_index(drop=True)
    assert_frame_equal(mine, direct)


def _comparison() -> pd.DataFrame:
    maternal, perinatal = _periods()
    crude = maternity.outcome_ratios(maternal, perinatal, period="2017-19")
    adjusted = crude.rename(columns={"ethnic_group": "group", "value": "estimate"}).assign(
        term="ethnic_group", model="poisson"
    )
    return maternity.compare_crude_adjusted(crude, adjusted, keys="outcome")


def test_findings_are_built_from_the_parameters():
    maternal, perinatal = _periods()
    rates = maternity.outcome_rates(maternal, perinatal)
    comparison = _comparison()
    lines = maternity.findings(rates, comparison, period="2017-19", region="London")
    assert lines[0].startswith("**London, 2017-19.** Rates compare women")
    assert "against the White group" in lines[0]
    assert lines[1] == ""
    assert all(line.startswith("- ") for line in lines[2:])
    # one maternal mortality rate per group, then crude and adjusted ratios per outcome and group
    assert len(lines) == 2 + 3 + 3 * 2 * 2
    rate_lines = lines[2:5]
    assert [line.split(" women")[0][-5:] for line in rate_lines] == ["Asian", "Black", "White"]
    assert "The maternal mortality rate for White women was 9.1 per 100,000" in rate_lines[2]
    assert any("95% CI" in line for line in lines[2:])
    assert any("after adjusting for age and deprivation" in line for line in lines)
    other = maternity.findings(
        rates,
        comparison,
        period="2016-18",
        region="North West",
        reference="Black",
        confidence=0.99,
    )
    assert other[0].startswith("**North West, 2016-18.**")
    assert "against the Black group" in other[0]
    assert "White women was 9.0 per 100,000" in other[4]  # 2016-18: 9 / 100,000
    assert any("99% CI" in line for line in other[2:]) and not any("95% CI" in s for s in other)
    assert any("as likely as Black women" in line for line in other)
    with pytest.raises(InputError, match="confidence"):
        maternity.findings(rates, comparison, period="2017-19", confidence=95)


def test_findings_say_suppressed_once_per_group():
    comparison = _comparison()
    black = comparison["ethnic_group"].astype(str) == "Black"
    hidden = comparison.assign(
        value=comparison["value"].mask(black), value_suppressed=black.map({True: "primary"})
    )
    maternal, perinatal = _periods()
    lines = maternity.findings(
        maternity.outcome_rates(maternal, perinatal), hidden, period="2017-19"
    )
    suppressed = [line for line in lines if "suppressed" in line]
    assert len(suppressed) == 3  # one per outcome, not one per comparison
    assert all("Black" in line for line in suppressed)
    assert not any(
        "Black women were" in line or "Black mothers' babies were" in line for line in lines
    )


def test_rates_with_published_and_the_neonatal_note():
    maternal, perinatal = _periods()
    rates = maternity.outcome_rates(maternal, perinatal)
    published = pd.DataFrame(
        {
            "period": ["2016-18", "2016-18", "2017-19"],
            "ethnic_group": ["White", "Black", "White"],
            "published_group": ["White (inc. not known)", "Black", "White (inc. not known)"],
            "published_rate": [8.0, 30.0, 9.0],
            "observation_status": "Normal value",
            "source": "ONS SDG 3.1.1 (MBRRACE-UK), England",
        }
    )
    out = maternity.rates_with_published(rates, published, period="2016-18")
    assert "outcome" not in out.columns and "unit" not in out.columns
    assert out["ethnic_group"].astype(str).tolist() == ["Asian", "Black", "White"]
    assert out["published_rate"].tolist()[1:] == [30.0, 8.0]
    assert pd.isna(out["published_rate"].iloc[0])
    latest = maternity.rates_with_published(
        rates, published[published["period"] == "2016-18"], period="2017-19"
    )
    assert latest["value"].notna().all()  # the 2017-19 rates ...
    assert set(latest["published_period"].dropna()) == {
        "2016-18"
    }  # ... beside the latest published
    neonatal = pd.DataFrame(
        {
            "year": [2019, 2020, 2020],
            "published_group": ["White British", "White British", "Black African"],
            "published_rate": [2.0, 2.14, 4.66],
        }
    )
    assert maternity.published_neonatal_note(neonatal) == (
        "Published neonatal mortality per 1,000 live births by the baby's ethnic group, England "
        "and Wales, 2020 (ONS SDG 3.2.2, rates only): White British 2.1; Black African 4.7."
    )


def test_one_crude_and_adjusted_helper_for_both_workstreams():
    assert maternity.compare_crude_adjusted is _comparisons.compare_crude_adjusted
    assert mental_health.compare_crude_adjusted is _comparisons.compare_crude_adjusted
    out = _comparison()
    assert out.columns.tolist() == [
        "outcome",
        "ethnic_group",
        "comparison",
        "reference",
        "count",
        "reference_count",
        "value",
        "lower_ci",
        "upper_ci",
        "p_value",
        "is_reference",
        "fit",
    ]
    assert out["comparison"].astype(str).tolist()[:2] == ["crude", "adjusted"]
    assert out["fit"].tolist()[:2] == ["rate ratio", "poisson"]
    # the adjusted row takes the crude row's counts (same disclosure control)
    pairs = out.groupby(["outcome", "ethnic_group"], observed=True)["count"].nunique()
    assert (pairs == 1).all()


def test_choose_period_latest_or_a_published_label():
    counts = maternity.rolling_period_counts(
        maternity.maternal_counts(maternity.prepare(_records(), unknown="reference"))
    )
    assert maternity.choose_period(counts) == "2017-19"
    assert maternity.choose_period(counts, " Latest ") == "2017-19"
    assert maternity.choose_period(["2016-18", "2017-19"], "2016-18") == "2016-18"
    with pytest.raises(InputError, match=r"period '2015-17' is not available.*2016-18"):
        maternity.choose_period(counts, "2015-17")
    with pytest.raises(InputError, match="no period is available"):
        maternity.choose_period([], "latest")


# --------------------------------------------------------------------------------------------------
# docstrings written once for both workstreams (rhoresearch.docstrings.fill_docs)
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("module", [maternity, mental_health], ids=lambda m: m.__name__)
def test_every_docstring_is_filled_and_names_every_parameter(module):
    for name in module.__all__:
        obj = getattr(module, name)
        if not (inspect.isfunction(obj) or inspect.isclass(obj)):
            continue
        doc = inspect.getdoc(obj)
        assert doc, name
        assert not re.search(r"\{\w+\}", doc), f"{name}: a docstring field was left unfilled"
        if inspect.isfunction(obj):
            for param in inspect.signature(obj).parameters:
                listed = rf"^(\w+, )*{param}(, \w+)*( : |$)"
                assert re.search(listed, doc, re.MULTILINE), f"{name}: {param} is not documented"
