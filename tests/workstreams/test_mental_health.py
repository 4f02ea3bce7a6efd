"""Unit tests of rhoresearch.workstreams.mental_health on small hand-built frames."""

from __future__ import annotations

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from rhoresearch.demo import mental_health as demo_mental_health
from rhoresearch.exceptions import InputError
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
