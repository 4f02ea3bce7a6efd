"""Maternal deaths as their own dataset (issue 19 item 4): the register, its counts and exclusions.

MBRRACE-UK counts every direct and indirect death during pregnancy or within 42 days of its end,
whatever the pregnancy's outcome, per 100,000 maternities; the flag on a maternity record misses the
deaths of women with no maternity record (early pregnancy, undelivered, miscarriage, termination).
"""

from __future__ import annotations

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from rhoresearch import data
from rhoresearch.exceptions import InputError, SchemaError
from rhoresearch.workstreams import maternity

WITHIN, DURING, LATE = (
    "within 42 days of end of pregnancy",
    "during pregnancy",
    "43 days to one year after end of pregnancy",
)


def _maternities() -> pd.DataFrame:
    """Four maternities: two White (2018), two Black (2018); none flagged."""
    return pd.DataFrame(
        {
            "maternity_id": [1, 2, 3, 4],
            "year": [2018, 2018, 2018, 2018],
            "ethnic_category": ["A", "A", "N", "N"],
            "age_band": ["25-29", "30-34", "25-29", "30-34"],
            "imd_quintile": [1, 2, 1, 2],
            "region_code": ["Y56"] * 4,
            "region_name": ["London"] * 4,
            "number_of_babies": [1, 1, 1, 1],
            "maternal_death": [False, False, False, False],
        }
    )


def _register() -> pd.DataFrame:
    """Deaths: a Black woman undelivered (no maternity record), a White woman within 42 days,
    a late death and a coincidental death (both outside the rate), one of unknown ethnicity."""
    return pd.DataFrame(
        {
            "death_id": [1, 2, 3, 4, 5],
            "maternity_id": [None, 1, 2, None, None],
            "year": [2018] * 5,
            "ethnic_category": ["N", "A", "A", "A", "99"],
            "age_band": ["25-29", "25-29", "30-34", "30-34", "25-29"],
            "imd_quintile": [1, 1, 2, 2, 1],
            "region_code": ["Y56"] * 5,
            "region_name": ["London"] * 5,
            "timing": [DURING, WITHIN, LATE, WITHIN, WITHIN],
            "cause_type": ["indirect", "direct", "direct", "coincidental", "direct"],
        }
    )


def test_the_register_schema_and_its_definition_constants(tmp_path):
    _register().to_csv(tmp_path / "deaths.csv", index=False)
    loaded = data.load(tmp_path / "deaths.csv", schema=maternity.MATERNAL_DEATHS)
    assert len(loaded) == 5
    assert loaded["maternity_id"].isna().sum() == 3
    assert maternity.MATERNAL_TIMINGS == (DURING, WITHIN)
    assert maternity.MATERNAL_CAUSES == ("direct", "indirect")
    _register().assign(timing=["soon"] * 5).to_csv(tmp_path / "bad.csv", index=False)
    with pytest.raises(SchemaError, match="timing"):
        data.load(tmp_path / "bad.csv", schema=maternity.MATERNAL_DEATHS)


def test_deaths_from_source_counts_only_the_definition():
    deaths, excluded = maternity.deaths_from_source(_register())
    assert excluded.empty
    assert int(deaths["deaths"].sum()) == 5
    assert int(deaths["maternal_deaths"].sum()) == 3  # late and coincidental left out
    by_group = deaths.groupby("ethnic_group", observed=True)["maternal_deaths"].sum()
    assert by_group.to_dict() == {"Black": 1, "White": 1}  # the 99 has no group
    with pytest.raises(SchemaError, match="timing"):
        maternity.deaths_from_source(_register().assign(timing="later"))
    with pytest.raises(SchemaError, match="death_id"):
        maternity.deaths_from_source(_register().assign(death_id=1))


def test_maternal_counts_take_the_deaths_from_the_register():
    """Fails on the old behaviour: the flags of the maternity records give no death at all,
    although a Black woman died undelivered and a White woman within 42 days."""
    maternities, _ = maternity.counts_from_source(_maternities())
    deaths, _ = maternity.deaths_from_source(_register())
    flags = maternity.maternal_counts(maternities, by="ethnic_group")
    assert int(flags["maternal_deaths"].sum()) == 0
    counts = maternity.maternal_counts(maternities, by="ethnic_group", deaths=deaths)
    expected = pd.DataFrame(
        {
            "ethnic_group": pd.Categorical(
                ["Black", "White"], categories=maternity.GROUPS, ordered=True
            ),
            "maternities": [2, 2],
            "maternal_deaths": [1, 1],
        }
    )
    assert_frame_equal(counts, expected)
    # the same from records prepared in pandas
    records = maternity.prepare(_maternities())
    assert_frame_equal(
        maternity.maternal_counts(records, by="ethnic_group", deaths=deaths), expected
    )


def test_deaths_outside_the_maternities_are_an_error_or_left_out():
    maternities, _ = maternity.counts_from_source(_maternities())
    deaths, _ = maternity.deaths_from_source(_register().assign(year=2019))
    with pytest.raises(InputError, match="no maternities"):
        maternity.maternal_counts(maternities, by=["ethnic_group", "year"], deaths=deaths)
    kept = maternity.maternal_counts(
        maternities, by=["ethnic_group", "year"], deaths=deaths, strict=False
    )
    assert int(kept["maternal_deaths"].sum()) == 0


def test_death_exclusions_list_late_and_coincidental_deaths():
    deaths, excluded = maternity.deaths_from_source(_register())
    table = maternity.death_exclusions(deaths, excluded=excluded)
    rows = dict(zip(table["reason"], table["rows"], strict=True))
    assert table["dataset"].eq("maternal deaths").all()
    assert table["rows"].iloc[0] == 5
    assert rows[f"late deaths ({LATE})"] == 1
    assert rows["coincidental deaths"] == 1
    assert rows["ethnic category not known (99, X, blank or missing)"] == 1
    assert table.loc[table["step"] == "definition", "applies_to"].str.contains("MBRRACE").all()
