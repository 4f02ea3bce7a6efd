"""Unit tests of rhoresearch.workstreams.mental_health on small hand-built frames."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from rhoresearch import stats
from rhoresearch.demo import mental_health as demo_mental_health
from rhoresearch.exceptions import InputError, SchemaError
from rhoresearch.workstreams import mental_health as mh


def _detentions() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "detention_id": [f"D{i}" for i in range(1, 9)],
            "person_id": ["P1", "P1", "P2", "P3", "P4", "P5", "P6", "P1"],
            "financial_year": ["2022-23"] * 7 + ["2023-24"],
            "provider_code": ["X1", "X1", "X1", "X2", "X2", "X2", "X2", "X1"],
            "region_code": ["Y56"] * 4 + ["Y62"] * 4,
            "region_name": ["London"] * 4 + ["North West"] * 4,
            "ethnic_category": ["M", "M", "a", "Z", "99", "N", "A", "m"],
            "age": pd.array([23, 23, 47, 30, 31, None, 95, 24], dtype="Int64"),
            "sex": ["1", "1", "2", "1", "2", "1", "X", "1"],
        }
    )


def test_age_band_esp2013_bands():
    out = mh.age_band(pd.Series([0, 4, 5, 89, 90, 104, None, -1]))
    assert out.astype("object").where(out.notna(), None).tolist() == [
        "0-4",
        "0-4",
        "5-9",
        "85-89",
        "90+",
        "90+",
        None,
        None,
    ]
    assert list(out.cat.categories) == list(mh.AGE_BANDS)
    assert len(mh.AGE_BANDS) == 19


def test_prepare_and_exclusions():
    records = _detentions()
    before = records.copy()
    out = mh.prepare(records)
    assert_frame_equal(records, before)
    assert out["sex_group"].astype("object").where(out["sex_group"].notna(), None).tolist() == [
        "Male",
        "Male",
        "Female",
        "Male",
        "Female",
        "Male",
        None,
        "Male",
    ]
    assert out["age_band"].astype("str").tolist()[:3] == ["20-24", "20-24", "45-49"]
    table = mh.exclusions(out)
    assert table["reason"].tolist() == [
        "records in the extract (after region selection)",
        "ethnic category not stated (Z)",
        "ethnic category not known (99, X, blank or missing)",
        "ethnic category not a valid code",
        "age not known",
        "sex not male or female",
        "records used in the rates",
    ]
    assert table["rows"].tolist() == [8, 1, 1, 0, 1, 1, 4]
    assert table["percent"].iloc[-1] == pytest.approx(50.0)


def test_event_counts_people_and_detentions():
    out = mh.event_counts(mh.prepare(_detentions()), by=["financial_year", "ethnic_group"])
    expected = pd.DataFrame(
        {
            "financial_year": ["2022-23", "2022-23", "2023-24"],
            "ethnic_group": pd.Categorical(
                ["Black", "White", "Black"], categories=list(mh.GROUPS), ordered=True
            ),
            "detentions": [2, 1, 1],
            "people": [1, 1, 1],
        }
    )
    assert_frame_equal(out, expected, check_dtype=False)


def test_prepare_region():
    out = mh.prepare(_detentions(), region="North West")
    assert out["detention_id"].tolist() == ["D5", "D6", "D7", "D8"]


def _population() -> pd.DataFrame:
    rows = []
    for provider, region in (("X1", "London"), ("X2", "North West")):
        for code in ("A", "M", "R"):
            for band in ("20-24", "45-49"):
                for sex in ("Male", "Female"):
                    rows.append((provider, "Y", region, code, band, sex, 1000))
    return pd.DataFrame(
        rows,
        columns=[
            "provider_code",
            "region_code",
            "region_name",
            "ethnic_category",
            "age_band",
            "sex",
            "population",
        ],
    )


def test_population_by_groups_codes_chinese_under_other():
    out = mh.population_by(_population(), by=["ethnic_group"])
    assert out["ethnic_group"].astype("str").tolist() == ["Black", "White", "Other"]
    assert out["population"].tolist() == [8000, 8000, 8000]
    asian = mh.population_by(_population(), by=["ethnic_group"], chinese="asian")
    assert asian["ethnic_group"].astype("str").tolist() == ["Asian", "Black", "White"]
    bad = _population().assign(ethnic_category="Q")
    with pytest.raises(InputError, match="unusable ethnic_category"):
        mh.population_by(bad)


def test_join_population_keeps_zero_strata_and_rejects_orphans():
    pop = mh.population_by(_population(), by=["ethnic_group", "age_band", "sex"])
    counts = mh.event_counts(mh.prepare(_detentions()))
    counts = counts[counts["age_band"].astype("str").isin(["20-24", "45-49"])]
    out = mh.join_population(
        counts, pop, on=["financial_year", "ethnic_group", "age_band", "sex_group"]
    )
    assert len(out) == 2 * len(pop)  # every stratum for each year
    assert int(out["detentions"].sum()) == int(counts["detentions"].sum())
    assert int(out["population"].sum()) == 2 * 24000
    orphan = pd.DataFrame(
        {
            "financial_year": ["2022-23"],
            "ethnic_group": ["Black"],
            "age_band": ["60-64"],
            "sex_group": ["Male"],
            "detentions": [2],
            "people": [1],
        }
    )
    with pytest.raises(InputError, match="no population row"):
        mh.join_population(
            orphan, pop, on=["financial_year", "ethnic_group", "age_band", "sex_group"]
        )


def test_provider_strata_reference_is_all_providers():
    records = mh.prepare(_detentions())
    counts = mh.event_counts(records, by=["provider_code", "ethnic_group", "age_band", "sex_group"])
    counts = counts[counts["age_band"].astype("str").isin(["20-24", "45-49"])]
    pop = mh.population_by(_population(), by=["provider_code", "ethnic_group", "age_band", "sex"])
    out = mh.provider_strata(counts, pop)
    assert list(out.columns) == [
        "provider_code",
        "ethnic_group",
        "age_band",
        "sex_group",
        "detentions",
        "population",
        "ref_count",
        "ref_population",
    ]
    black_young_male = out[
        (out["ethnic_group"] == "Black")
        & (out["age_band"] == "20-24")
        & (out["sex_group"] == "Male")
    ]
    assert black_young_male["ref_count"].tolist() == [3, 3]
    assert black_young_male["ref_population"].tolist() == [2000, 2000]


def test_published_rates_high_level_only():
    out = mh.published_rates()
    assert set(out["measure"]) == {"detentions", "ctos"}
    assert set(out["ethnic_group"]) == {"White", "Black"}
    row = out[(out["financial_year"] == "2022-23") & (out["measure"] == "detentions")]
    assert dict(zip(row["ethnic_group"], row["published_rate"], strict=True)) == {
        "Black": 228.0,
        "White": 64.0,
    }


def test_demo_and_domain_share_age_bands():
    assert demo_mental_health.AGE_BANDS == mh.AGE_BANDS


# ---------------------------------------------------------------------------------------------
# Counted records: exclusions and people come back explicitly, never in DataFrame.attrs
# ---------------------------------------------------------------------------------------------

KEYS = ["financial_year", "ethnic_group", "age_band", "sex_group"]


def test_counts_from_source_returns_exclusions_and_people_explicitly():
    ages = [23, 23, 47, 30, 31, None, 140, 24]
    records = _detentions().assign(age=pd.array(ages, dtype="Int64"))
    # an age outside 0-120 breaks the DETENTIONS schema: the engine names it, nothing is dropped
    with pytest.raises(SchemaError, match="age") as info:
        mh.counts_from_source(records)
    assert "140" in str(info.value)
    records = records.assign(age=records["age"].where(records["age"] != 140))
    counted = mh.counts_from_source(records)
    assert isinstance(counted, mh.CountedEvents)
    counts, excluded, people = counted
    assert counts.attrs == {}
    assert excluded.empty  # every row could be counted
    assert people.columns.tolist() == [*mh.PEOPLE_KEYS, "people"]
    with_people = mh.event_counts(counts, by=KEYS, people_counts=people)
    assert with_people.columns.tolist() == [*KEYS, "detentions", "people"]
    assert with_people["detentions"].tolist() == [2, 1, 1]
    assert with_people["people"].tolist() == [1, 1, 1]  # P1 detained twice in 2022-23
    events_only = mh.event_counts(counts, by=KEYS)
    assert events_only.columns.tolist() == [*KEYS, "detentions"]
    # people counts by other strata cannot be used: events only
    by_provider = mh.event_counts(counts, by=["provider_code", *KEYS[1:]], people_counts=people)
    assert "people" not in by_provider.columns
    table = mh.exclusions(counts, excluded=excluded, dataset="detentions")
    assert table["dataset"].unique().tolist() == ["detentions"]
    assert table["rows"].tolist() == [8, 1, 1, 0, 2, 0, 4]
    without = mh.counts_from_source(records, person=None)
    assert without.people is None


# ---------------------------------------------------------------------------------------------
# Rates, ratios, providers and findings: the notebook's steps as functions
# ---------------------------------------------------------------------------------------------


def _strata(seed: int = 1) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    index = pd.MultiIndex.from_product(
        [
            ["2022-23", "2023-24"],
            ["White", "Black", "Asian"],
            list(mh.AGE_BANDS),
            ["Male", "Female"],
        ],
        names=KEYS,
    )
    frame = index.to_frame(index=False)
    frame["ethnic_group"] = pd.Categorical(
        frame["ethnic_group"], categories=list(mh.GROUPS), ordered=True
    )
    frame["age_band"] = pd.Categorical(
        frame["age_band"], categories=list(mh.AGE_BANDS), ordered=True
    )
    frame["population"] = 20_000
    ratio = frame["ethnic_group"].map({"White": 1.0, "Black": 3.0, "Asian": 1.2}).astype(float)
    frame["detentions"] = rng.poisson(20 * ratio)
    frame["people"] = (frame["detentions"] * 0.7).round().astype("int64")
    ctos = frame.drop(columns=["detentions", "people"]).assign(ctos=rng.poisson(3 * ratio))
    return frame, ctos


def test_measure_rates_crude_then_standardised():
    detentions, ctos = _strata()
    standard = mh.standard_population("esp2013")
    out = mh.measure_rates(detentions, ctos, standard=standard)
    assert out.columns.tolist() == [
        "measure",
        "rate_type",
        "financial_year",
        "ethnic_group",
        "count",
        "population",
        "value",
        "lower_ci",
        "upper_ci",
        "method",
    ]
    assert out["rate_type"].unique().tolist() == ["crude", "age-standardised"]
    assert out["measure"].unique().tolist() == [
        "Detentions",
        "People detained",
        "Community treatment orders",
    ]
    people = out[(out["measure"] == "People detained") & (out["rate_type"] == "crude")]
    direct = stats.rate(
        detentions, count="people", population="population", by=["financial_year", "ethnic_group"]
    )
    assert people["value"].tolist() == pytest.approx(direct["value"].tolist())
    dsr = out[(out["measure"] == "Community treatment orders") & (out["rate_type"] != "crude")]
    direct = stats.dsr(
        ctos,
        count="ctos",
        population="population",
        age="age_band",
        by=["financial_year", "ethnic_group"],
        standard=standard,
    )
    assert dsr["value"].tolist() == pytest.approx(direct["value"].tolist())


def _comparison() -> pd.DataFrame:
    detentions, ctos = _strata()
    crude = mh.measure_ratios(detentions, ctos, year="2023-24", reference="White")
    adjusted = mh.adjusted_ratios(detentions, ctos, year="2023-24", reference="White")
    return mh.compare_crude_adjusted(crude, adjusted, keys="measure")


def test_measure_ratios_and_adjusted_ratios_in_one_year():
    detentions, ctos = _strata()
    crude = mh.measure_ratios(detentions, ctos, year="2023-24", reference="White")
    assert crude["measure"].unique().tolist() == [m.name for m in mh.MEASURES]
    black = crude[(crude["measure"] == "Detentions") & (crude["ethnic_group"] == "Black")]
    direct = stats.rate_ratio(
        detentions[detentions["financial_year"] == "2023-24"],
        count="detentions",
        population="population",
        group="ethnic_group",
        reference="White",
    )
    assert black["value"].tolist() == pytest.approx(
        direct.loc[direct["ethnic_group"] == "Black", "value"].tolist()
    )
    adjusted = mh.adjusted_ratios(detentions, ctos, year="2023-24", reference="White")
    mine = adjusted[adjusted["measure"] == "Community treatment orders"].drop(columns="measure")
    expected = stats.poisson_model(
        ctos[ctos["financial_year"] == "2023-24"],
        count="ctos",
        population="population",
        group="ethnic_group",
        reference="White",
        covariates=["age_band", "sex_group"],
    )
    assert_frame_equal(mine.reset_index(drop=True), expected)
    comparison = mh.compare_crude_adjusted(crude, adjusted, keys="measure")
    assert set(comparison["comparison"].astype(str)) == {"crude", "adjusted"}


def test_findings_are_built_from_the_parameters():
    detentions, ctos = _strata()
    rates = mh.measure_rates(detentions, ctos)
    comparison = _comparison()
    lines = mh.findings(rates, comparison, year="2023-24", region="London")
    assert lines[0].startswith("**London, 2023-24.** Rates per 100,000 population")
    assert "compared with White people" in lines[0]
    standardised = [line for line in lines if "age-standardised detention rate" in line]
    assert len(standardised) == 3
    direct = rates[
        (rates["financial_year"] == "2023-24")
        & (rates["measure"] == "Detentions")
        & (rates["rate_type"] == "age-standardised")
        & (rates["ethnic_group"] == "Black")
    ]
    assert f"{direct['value'].iloc[0]:,.1f} per 100,000 population" in standardised[1]
    assert sum("after adjusting for age and sex" in line for line in lines) == 3 * 2
    earlier = mh.findings(
        rates,
        comparison,
        year="2022-23",
        region="North West",
        reference="Black",
        confidence=0.998,
        adjusted_for="age, sex and deprivation",
    )
    assert earlier[0].startswith("**North West, 2022-23.**")
    assert "compared with Black people" in earlier[0]
    assert standardised != [line for line in earlier if "age-standardised detention rate" in line]
    assert any("99.8% CI" in line for line in earlier)
    assert any("as likely as Black people" in line for line in earlier)
    assert any("after adjusting for age, sex and deprivation" in line for line in earlier)


def test_rates_with_published_one_measure_one_year():
    detentions, ctos = _strata()
    rates = mh.measure_rates(detentions, ctos)
    published = pd.DataFrame(
        {
            "financial_year": ["2022-23", "2022-23"],
            "measure": ["detentions", "detentions"],
            "ethnic_group": ["White", "Black"],
            "published_group": ["White", "Black or Black British"],
            "published_rate": [64.0, 228.0],
            "source_note": ["", ""],
        }
    )
    out = mh.rates_with_published(rates, published, measure="detentions", year="2023-24")
    assert set(out["measure"]) == {"Detentions"}
    assert set(out["financial_year"]) == {"2023-24"}
    assert len(out) == 6  # crude and age-standardised, three groups
    assert set(out["published_year"].dropna()) == {"2022-23"}
    with pytest.raises(InputError, match="measure must be one of"):
        mh.rates_with_published(rates, published, measure="people", year="2023-24")


def test_provider_funnel_and_the_providers_outside():
    records = mh.prepare(_detentions())
    providers = pd.DataFrame(
        {
            "provider_code": ["X1", "X2"],
            "provider_name": ["One", "Two"],
            "region_code": ["Y56", "Y62"],
            "region_name": ["London", "North West"],
            "provider_type": ["NHS trust", "NHS trust"],
        }
    )
    population = _population()
    population = population[population["age_band"].isin(["20-24", "45-49"])]
    records = records[records["age_band"].astype("str").isin(["20-24", "45-49"])]
    funnel = mh.provider_funnel(records, population, providers, year="2022-23")
    assert isinstance(funnel, mh.ProviderFunnel)
    assert funnel.points.columns.tolist() == [
        "provider_code",
        "provider_name",
        "provider_type",
        "count",
        "expected",
        "value",
        "lower_ci",
        "upper_ci",
        "significance",
    ]
    assert funnel.outside.dtype == bool
    assert funnel.outside.index.equals(funnel.points.index)
    assert funnel.points["expected"].sum() == pytest.approx(funnel.points["count"].sum())
    points = pd.DataFrame(
        {
            "provider_code": ["A", "B", "C", "D"],
            "count": [50, 3, 40, 60],
            "significance": ["High (0.001)", None, "Not significant", "Low (0.001)"],
            "significance_suppressed": [None, "derived", None, None],
        }
    )
    outside = pd.Series([True, True, False, True])
    shown = mh.providers_outside(points, outside)
    assert shown["provider_code"].tolist() == ["A", "D"]  # B is outside but suppressed


def test_choose_year_latest_or_one_in_the_data():
    records = _detentions()
    assert mh.choose_year(records) == "2023-24"
    assert mh.choose_year(records, "LATEST") == "2023-24"
    assert mh.choose_year(records, "2022-23") == "2022-23"
    with pytest.raises(InputError, match=r"financial year '2021-22' is not available.*2022-23"):
        mh.choose_year(records, "2021-22")
    with pytest.raises(InputError, match="no financial year is available"):
        mh.choose_year(records.iloc[0:0])
