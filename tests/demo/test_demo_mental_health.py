"""The mental health demonstration data: determinism, realism, and recovery of planted effects.

Recovery tests compute through the functions the notebook uses and check 99.8% intervals (many
intervals are checked; at 95% one would miss by chance now and then).
"""

from __future__ import annotations

import json

import pandas as pd
import pytest

from rhoresearch import config, data, demo, stats
from rhoresearch.demo import mental_health as demo_mental_health
from rhoresearch.stats import models
from rhoresearch.workstreams import mental_health as mh

CONFIDENCE = 0.998
GROUPS = ["Asian", "Black", "Mixed", "Other"]
STRATA = ["ethnic_group", "age_band", "sex_group"]


def _files(folder):
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def test_same_seed_same_bytes_and_seed_matters(tmp_path):
    a = demo_mental_health.generate(tmp_path / "a", seed=5, scale=0.02)
    b = demo_mental_health.generate(tmp_path / "b", seed=5, scale=0.02)
    demo_mental_health.generate(tmp_path / "c", seed=6, scale=0.02)
    assert a == b
    files_a, files_b, files_c = (_files(tmp_path / x) for x in "abc")
    assert sorted(files_a) == [
        "ctos.parquet",
        "detentions.parquet",
        "population.parquet",
        "providers.csv",
        "truth.json",
    ]
    assert files_a == files_b
    assert files_a["detentions.parquet"] != files_c["detentions.parquet"]
    assert json.loads(files_a["truth.json"]) == a
    assert demo.generators()["mental_health"] is demo_mental_health.generate


@pytest.fixture(scope="module")
def demo_data(tmp_path_factory):
    folder = tmp_path_factory.mktemp("mental_health")
    truth = demo_mental_health.generate(folder, seed=demo.DEFAULT_SEED)
    detentions = mh.prepare(data.load(folder / "detentions.parquet", schema=mh.DETENTIONS))
    ctos = mh.prepare(data.load(folder / "ctos.parquet", schema=mh.CTOS))
    population = data.load(folder / "population.parquet", schema=mh.POPULATION)
    providers = data.load(folder / "providers.csv", schema=mh.PROVIDERS)
    return truth, detentions, ctos, population, providers


def test_population_matches_census_2021_ts021(demo_data):
    truth, *_, population, _ = demo_data
    ts021 = pd.read_csv(config.reference_dir() / "census2021_ts021_ethnic_group_england_wales.csv")
    england = ts021[ts021.iloc[:, 0] == "E92000001"]
    total = england.iloc[0, 6]  # all usual residents, England
    assert population["population"].sum() == pytest.approx(total, rel=1e-5)
    by_group = mh.population_by(population, by=["ethnic_group"], chinese="asian")
    by_group = by_group.set_index(by_group["ethnic_group"].astype("str"))["population"]
    census = {
        "Asian": "Asian, Asian British or Asian Welsh",
        "Black": "Black, Black British, Black Welsh, Caribbean or African",
        "Mixed": "Mixed or Multiple ethnic groups",
        "White": "White",
        "Other": "Other ethnic group",
    }
    aggregate = england[england.iloc[:, 2] == "aggregate"].set_index(england.columns[4])
    for group, label in census.items():
        assert by_group[group] == pytest.approx(aggregate.loc[label].iloc[4], rel=1e-4), group


def test_minority_populations_younger(demo_data):
    *_, population, _ = demo_data
    pop = mh.population_by(population, by=["ethnic_group", "age_band"])
    pop["age_start"] = pop["age_band"].cat.codes * 5
    mean_age = (
        (pop["age_start"] * pop["population"]).groupby(pop["ethnic_group"], observed=True).sum()
    )
    mean_age = mean_age / pop.groupby("ethnic_group", observed=True)["population"].sum()
    for group in GROUPS:
        assert mean_age[group] < mean_age["White"] - 5, group


def test_records_realistic(demo_data):
    truth, detentions, ctos, _, providers = demo_data
    per_year = detentions.groupby("financial_year").size()
    assert per_year.between(35_000, 60_000).all()
    assert detentions["person_id"].duplicated().any()  # repeat detentions exist
    assert 40 <= len(providers) <= 60
    status = detentions["ethnicity_status"].value_counts(normalize=True)
    assert 0.03 <= 1 - status["recorded"] <= 0.07
    assert len(ctos) > 10_000


def _year(detentions, population, year, count):
    counts = mh.event_counts(
        detentions[detentions["financial_year"] == year], by=STRATA, count=count
    )
    return mh.join_population(counts, mh.population_by(population), on=STRATA)


@pytest.mark.parametrize("measure", ["detentions", "ctos"])
def test_crude_and_standardised_cover_planted(demo_data, measure):
    truth, detentions, ctos, population, _ = demo_data
    records = detentions if measure == "detentions" else ctos
    year = "2022-23"
    # numerators lose the records with unusable ethnicity, age or sex; denominators do not
    factor = truth["year_factor"][year] * truth["expected_share_of_records_usable"]
    joined = _year(records, population, year, measure)
    ratios = stats.rate_ratio(
        joined,
        count=measure,
        population="population",
        group="ethnic_group",
        reference="White",
        confidence=CONFIDENCE,
    ).set_index("ethnic_group")
    planted = truth["measures"][measure]
    for group in GROUPS:
        lo, hi = ratios.loc[group, ["lower_ci", "upper_ci"]]
        expected = planted["expected_crude_rate_ratio"][group]
        assert lo <= expected <= hi, (measure, group, lo, expected, hi)
    dsr = stats.dsr(
        joined,
        count=measure,
        population="population",
        age="age_band",
        by="ethnic_group",
        confidence=CONFIDENCE,
    ).set_index("ethnic_group")
    for group in ["White", *GROUPS]:
        lo, hi = dsr.loc[group, ["lower_ci", "upper_ci"]]
        expected = planted["expected_dsr_esp2013"][group] * factor
        assert lo <= expected <= hi, (measure, group, lo, expected, hi)
    fit = models.poisson_model(
        joined,
        count=measure,
        population="population",
        group="ethnic_group",
        reference="White",
        covariates=["age_band", "sex_group"],
        family="poisson",
        confidence=CONFIDENCE,
    ).set_index("group")
    for group in GROUPS:
        lo, hi = fit.loc[group, ["lower_ci", "upper_ci"]]
        expected = planted["expected_age_sex_rate_ratio"][group]
        assert lo <= expected <= hi, (measure, group, lo, expected, hi)


def test_crude_and_standardised_ratios_differ_for_young_groups(demo_data):
    truth, *_ = demo_data
    planted = truth["measures"]["detentions"]
    mixed_crude = planted["expected_crude_rate_ratio"]["Mixed"]
    mixed_std = planted["expected_dsr_ratio_esp2013"]["Mixed"]
    assert mixed_std > mixed_crude * 1.05


def test_people_detained_fewer_than_detentions(demo_data):
    truth, detentions, _, population, _ = demo_data
    joined = _year(detentions, population, "2023-24", "detentions")
    ratio = stats.rate_ratio(
        joined,
        count="people",
        population="population",
        group="ethnic_group",
        reference="White",
        confidence=CONFIDENCE,
    ).set_index("ethnic_group")
    expected = truth["measures"]["detentions"]["expected_people_rate_ratio"]["Black"]
    lo, hi = ratio.loc["Black", ["lower_ci", "upper_ci"]]
    assert lo <= expected <= hi
    assert joined["people"].sum() < joined["detentions"].sum()


def test_planted_outlier_providers_are_flagged(demo_data):
    truth, detentions, _, population, _ = demo_data
    records = detentions[detentions["financial_year"] == "2023-24"]
    counts = mh.event_counts(records, by=["provider_code", *STRATA])
    pop = mh.population_by(population, by=["provider_code", "ethnic_group", "age_band", "sex"])
    strata = mh.provider_strata(counts, pop)
    isr = stats.isr(
        strata,
        count="detentions",
        population="population",
        ref_count="ref_count",
        ref_population="ref_population",
        by="provider_code",
        confidence=CONFIDENCE,
    ).set_index("provider_code")
    for code, mult in truth["providers"]["outliers"].items():
        lo, hi = isr.loc[code, ["lower_ci", "upper_ci"]]
        assert (lo > 1) if mult > 1 else (hi < 1), (code, lo, hi)
        expected = truth["measures"]["detentions"]["expected_provider_isr"][code]
        assert lo <= expected <= hi
