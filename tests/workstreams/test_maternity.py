"""Unit tests of rhoresearch.workstreams.maternity on small hand-built frames."""

from __future__ import annotations

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from rhoresearch.demo import maternity as demo_maternity
from rhoresearch.exceptions import InputError
from rhoresearch.workstreams import maternity


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
