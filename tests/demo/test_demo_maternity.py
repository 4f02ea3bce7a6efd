"""The maternity demonstration data: determinism, realism, and recovery of the planted effects.

Recovery tests compute through the same functions the notebook uses (``data.load`` with the
schema, ``maternity.prepare``, ``maternity.*_counts``, ``stats.rate_ratio`` and
``models.poisson_model``). They use 99.8% intervals: about thirty intervals are checked, and at
95% one or two would miss their planted value by chance alone.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from rhoresearch import config, data, demo, ethnicity, stats
from rhoresearch.demo import _record_level
from rhoresearch.demo import maternity as demo_maternity
from rhoresearch.stats import models
from rhoresearch.workstreams import maternity

CONFIDENCE = 0.998
GROUPS = ["Asian", "Black", "Mixed", "Other"]


def _files(folder):
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def test_same_seed_same_bytes_and_seed_matters(tmp_path):
    a = demo_maternity.generate(tmp_path / "a", seed=11, scale=0.003)
    b = demo_maternity.generate(tmp_path / "b", seed=11, scale=0.003)
    demo_maternity.generate(tmp_path / "c", seed=12, scale=0.003)
    assert a == b
    files_a, files_b, files_c = (_files(tmp_path / x) for x in "abc")
    assert sorted(files_a) == [
        "births.parquet",
        "maternal_deaths.parquet",
        "maternities.parquet",
        "truth.json",
    ]
    assert files_a == files_b
    assert files_a["maternities.parquet"] != files_c["maternities.parquet"]
    assert files_a["maternal_deaths.parquet"] != files_c["maternal_deaths.parquet"]
    assert json.loads(files_a["truth.json"]) == a


def test_registered_with_the_demo_registry():
    assert demo.generators()["maternity"] is demo_maternity.generate


@pytest.fixture(scope="module")
def demo_data():
    """The full-size demonstration data the reports read (``make data`` writes it with the
    default seed; generating it again costs seconds), loaded and prepared as the notebook does."""
    folder = config.demo_dir() / "maternity"
    if not (folder / "truth.json").exists():
        pytest.skip("the demonstration data is needed (make data)")
    truth = json.loads((folder / "truth.json").read_text(encoding="utf-8"))
    maternities = maternity.prepare(
        data.load(folder / "maternities.parquet", schema=maternity.MATERNITIES)
    )
    births = maternity.prepare(data.load(folder / "births.parquet", schema=maternity.BIRTHS))
    deaths, _ = maternity.deaths_from_source(folder / "maternal_deaths.parquet")
    return truth, maternities, births, deaths


def test_volumes_and_messy_codes_look_real(demo_data):
    truth, maternities, births, _ = demo_data
    years = maternities["year"].value_counts().sort_index()
    assert years.index.tolist() == list(range(2016, 2023))
    assert years.between(550_000, 680_000).all()  # about 600,000 maternities a year
    assert len(births) == truth["volumes"]["births"]
    raw = maternities["ethnic_category"]
    assert raw.isna().any() and (raw == "").any()
    for value in ["Z", "99", "a", " N ", "Black or Black British - African", "Q"]:
        assert (raw == value).any(), value
    status = maternities["ethnicity_status"].value_counts(normalize=True)
    not_usable = 1 - status["recorded"]
    assert 0.03 <= not_usable <= 0.05  # 3-5% not known, as in real extracts
    assert 0.001 <= status["invalid code"] <= 0.004


def test_minority_mothers_younger_and_more_deprived(demo_data):
    _, maternities, _, _ = demo_data
    m = maternities.dropna(subset=["ethnic_group", "age_band", "imd_quintile"])
    under_25 = m["age_band"].isin(["<20", "20-24"]).groupby(m["ethnic_group"], observed=True).mean()
    most_deprived = (m["imd_quintile"] == 1).groupby(m["ethnic_group"], observed=True).mean()
    for group in GROUPS:
        assert under_25[group] > under_25["White"], group
        assert most_deprived[group] > most_deprived["White"], group


@pytest.mark.parametrize(
    "outcome, count, population, counter",
    [
        ("maternal_death", "maternal_deaths", "maternities", "maternal"),
        ("stillbirth", "stillbirths", "births", "perinatal"),
        ("neonatal_death", "neonatal_deaths", "live_births", "perinatal"),
    ],
)
def test_crude_rate_ratios_cover_planted(demo_data, outcome, count, population, counter):
    truth, maternities, births, deaths = demo_data
    if counter == "maternal":  # deaths from the register, maternities as denominator
        counts = maternity.maternal_counts(maternities, by="ethnic_group", deaths=deaths)
    else:
        counts = maternity.perinatal_counts(births, by="ethnic_group")
    ratios = stats.rate_ratio(
        counts,
        count=count,
        population=population,
        group="ethnic_group",
        reference="White",
        confidence=CONFIDENCE,
    ).set_index("ethnic_group")
    planted = truth["outcomes"][outcome]["expected_crude_rate_ratio"]
    for group in GROUPS:
        lo, hi = ratios.loc[group, ["lower_ci", "upper_ci"]]
        assert lo <= planted[group] <= hi, (outcome, group, lo, planted[group], hi)
    # the crude White rate sits near the planted one
    rate = stats.rate(
        counts[counts["ethnic_group"] == "White"],
        count=count,
        population=population,
        confidence=CONFIDENCE,
        multiplier=truth["outcomes"][outcome]["rate_per"],
    )
    lo, hi = rate.loc[0, ["lower_ci", "upper_ci"]]
    expected = truth["outcomes"][outcome]["expected_crude_rate"]["White"]
    assert lo <= expected <= hi


def test_adjusted_model_recovers_planted_ratios(demo_data):
    truth, maternities, _, deaths = demo_data
    strata = maternity.maternal_counts(
        maternities, by=["ethnic_group", "age_band", "imd_quintile"], deaths=deaths, strict=False
    )
    table = models.poisson_model(
        strata,
        count="maternal_deaths",
        population="maternities",
        group="ethnic_group",
        reference="White",
        covariates=["age_band", "imd_quintile"],
        categorical=["imd_quintile"],
        confidence=CONFIDENCE,
    )
    rows = table[table["term"] == "ethnic_group"].set_index("group")
    planted = truth["outcomes"]["maternal_death"]["adjusted_rate_ratio"]
    for group in GROUPS:
        lo, hi = rows.loc[group, ["lower_ci", "upper_ci"]]
        assert lo <= planted[group] <= hi, (group, lo, planted[group], hi)
    # adjusting matters: the planted Black ratio is below the crude one
    crude = truth["outcomes"]["maternal_death"]["expected_crude_rate_ratio"]["Black"]
    assert planted["Black"] < crude


def test_demo_rates_sit_near_the_published_national_rates(demo_data):
    """The reference tables give rates only (no counts), so no published rate can be recomputed
    from published counts; instead the demo's computed 2018-20 rates are checked against the
    published ones (ONS SDG 3.1.1): White and Black within 25%, and the published Black/White
    ratio (33.99 / 9.23 = 3.68) inside the demo's 99.8% interval."""
    _, maternities, _, deaths = demo_data
    yearly = maternity.maternal_counts(maternities, by=["ethnic_group", "year"], deaths=deaths)
    periods = maternity.rolling_period_counts(yearly, by="ethnic_group")
    p1820 = periods[periods["period"] == "2018-20"]
    rates = stats.rate(
        p1820, count="maternal_deaths", population="maternities", by="ethnic_group"
    ).set_index("ethnic_group")
    published = maternity.published_maternal_mortality()
    published = published[published["period"] == "2018-20"].set_index("ethnic_group")
    for group in ["White", "Black"]:
        assert rates.loc[group, "value"] == pytest.approx(
            published.loc[group, "published_rate"], rel=0.25
        )
    ratio = stats.rate_ratio(
        periods,
        count="maternal_deaths",
        population="maternities",
        group="ethnic_group",
        reference="White",
        by="period",
        confidence=CONFIDENCE,
    )
    black = ratio[(ratio["ethnic_group"] == "Black")]
    published_ratio = (
        published.loc["Black", "published_rate"] / published.loc["White", "published_rate"]
    )
    assert (
        np.mean((black["lower_ci"] <= published_ratio) & (published_ratio <= black["upper_ci"]))
        >= 0.8
    )
    # stillbirth and neonatal mortality in the published ranges (per 1,000)
    _, _, births, _ = demo_data
    peri = maternity.perinatal_counts(births, by="year")
    still = peri["stillbirths"] / peri["births"] * 1000
    neo = peri["neonatal_deaths"] / peri["live_births"] * 1000
    assert still.between(3.2, 4.4).all()
    assert neo.between(1.2, 1.9).all()


def test_the_register_counts_deaths_the_maternity_flags_miss(demo_data):
    """MBRRACE-UK counts every maternal death, with or without a maternity record: the register's
    maternal deaths include those in early pregnancy and of undelivered women (about a quarter,
    as planted), which the flags on maternity records can never count; late and coincidental
    deaths are in the register but not in the rate."""
    truth, maternities, _, deaths = demo_data
    planted = truth["maternal_deaths_register"]["planted"]
    flags = int(maternities["maternal_death"].sum())
    register = int(deaths["maternal_deaths"].sum())
    assert register == truth["observed"]["maternal_deaths"]
    assert flags == truth["observed"]["maternal_deaths_on_maternity_records"]
    off_record = 1 - flags / register
    assert off_record == pytest.approx(1 - planted["share_on_maternity_record"], abs=0.06)
    assert int(deaths["deaths"].sum()) > register  # late and coincidental deaths kept apart
    outside = deaths[deaths["maternal_deaths"] == 0]
    assert set(outside["timing"]) | set(outside["cause_type"]) >= {
        maternity.TIMINGS[2],
        "coincidental",
    }
    # the planted Black/White ratio (about 3.7, as MBRRACE-UK reports) from the register
    counts = maternity.maternal_counts(maternities, by="ethnic_group", deaths=deaths)
    ratio = stats.rate_ratio(
        counts,
        count="maternal_deaths",
        population="maternities",
        group="ethnic_group",
        reference="White",
        confidence=CONFIDENCE,
    ).set_index("ethnic_group")
    assert ratio.loc["Black", "lower_ci"] <= 3.7 <= ratio.loc["Black", "upper_ci"]
    assert ratio.loc["Black", "lower_ci"] > 2  # an effect the report can show


def test_truth_documents_the_effects(tmp_path):
    truth = demo_maternity.generate(tmp_path, seed=3, scale=0.002)
    assert truth["demonstration_data"] is True
    assert truth["seed"] == 3
    assert set(truth["outcomes"]) == {"maternal_death", "stillbirth", "neonatal_death"}
    maternal = truth["outcomes"]["maternal_death"]
    assert maternal["expected_crude_rate_ratio"]["Black"] == pytest.approx(3.7)
    assert maternal["expected_crude_rate"]["White"] == pytest.approx(9.2)
    assert maternal["imd_quintile_rate_ratio"]["1"] > maternal["imd_quintile_rate_ratio"]["5"]
    assert sum(truth["volumes"]["maternities_by_year"].values()) == truth["volumes"]["maternities"]
    # the files hold what the truth says: one row per maternity and per baby, with the outcomes
    maternities = data.load(tmp_path / "maternities.parquet", schema=maternity.MATERNITIES)
    births = data.load(tmp_path / "births.parquet", schema=maternity.BIRTHS)
    assert len(maternities) == truth["volumes"]["maternities"]
    assert len(births) == truth["volumes"]["births"]
    assert len(births) == maternities["number_of_babies"].sum()
    observed = truth["observed"]
    flags = int(maternities["maternal_death"].sum())
    assert flags == observed["maternal_deaths_on_maternity_records"]
    register = data.load(tmp_path / "maternal_deaths.parquet", schema=maternity.MATERNAL_DEATHS)
    maternal = register["timing"].isin(maternity.MATERNAL_TIMINGS) & register["cause_type"].isin(
        maternity.MATERNAL_CAUSES
    )
    assert int(maternal.sum()) == observed["maternal_deaths"]
    assert int((maternal & register["maternity_id"].notna()).sum()) == flags
    assert len(register) == (
        observed["maternal_deaths"] + observed["late_deaths"] + observed["coincidental_deaths"]
    )
    assert int(births["stillbirth"].sum()) == observed["stillbirths"]
    assert int(births["neonatal_death"].sum()) == observed["neonatal_deaths"]
    assert not (births["stillbirth"] & births["neonatal_death"]).any()
    assert int(maternities["age_band"].isna().sum()) == observed["missing_age_band"]


def test_code_list_comes_from_the_ethnicity_module():
    """The generators' 16 codes are the national codes of rhoresearch.ethnicity, grouped as
    harmonise groups them with Chinese under Other (MBRRACE-UK, NHS Digital)."""
    national = [code for code in ethnicity.NHS_CODES if code not in ("Z", "99")]
    assert list(_record_level.NHS_CODES) == national
    for code, (description, group) in _record_level.NHS_CODES.items():
        assert description == ethnicity.NHS_CODES[code]
        assert group == str(ethnicity.harmonise([code], chinese="other")[0]), code
    assert _record_level.codes_of("Other") == ["R", "S"]
    assert _record_level.codes_of("White") == ["A", "B", "C"]
