"""Published / aggregate tables: columns=, where=, financial years, and the aggregate checks."""

from __future__ import annotations

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from rhoresearch.data import published
from rhoresearch.exceptions import InputError, SchemaError

COLUMNS = {"Year": "financial_year", "Ethnic group": "ethnic_group", "Value": "count"}

PUBLICATION = """Year,Measure,Ethnic group,Value
2023/24,All detentions,Indian,500
2023/24,All detentions,Pakistani,400
2023/24,All detentions,Black Caribbean,"1,200"
2023/24,All detentions,White British,20000
2023/24,All detentions,Total,22100
2023/24,People detained,Indian,300
"""


def _csv(tmp_path, text, name="table.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_financial_years_written_three_ways_read_alike():
    got = published.financial_year(["2023/24", "2023-24", "2023-2024", " 2023 to 2024", None])
    assert got.tolist() == ["2023-24", "2023-24", "2023-24", "2023-24", None]
    assert published.financial_year(["1999/00", "2099-2100"]).tolist() == ["1999-00", "2099-00"]


@pytest.mark.parametrize("bad", ["2023/25", "2023", "23/24", "year"])
def test_a_value_that_is_not_a_financial_year_is_refused(bad):
    with pytest.raises(InputError, match=repr(bad)):
        published.financial_year([bad])


def test_publication_read_with_columns_and_where(tmp_path):
    path = _csv(tmp_path, PUBLICATION)
    got = published.read_aggregate(
        path, strata="financial_year", columns=COLUMNS, where={"Measure": "All detentions"}
    )
    expected = pd.DataFrame(
        {
            "ethnic_group": ["Indian", "Pakistani", "Black Caribbean", "White British"],
            "financial_year": ["2023-24"] * 4,
            "count": [500, 400, 1200, 20000],
        }
    )
    assert_frame_equal(got, expected, check_dtype=False)
    assert got["count"].dtype == "int64"


def test_columns_and_where_ignore_names_a_table_does_not_have(tmp_path):
    frame = pd.DataFrame({"ethnic_group": ["A", "M"], "population": [10, 20]})
    got = published.read_aggregate(
        frame,
        value="population",
        columns={"Ethnic group": "ethnic_group", "Value": "count"},
        where={"Measure": "All detentions", "financial_year": "2023/24"},
    )
    assert got["population"].tolist() == [10, 20]


def test_where_on_a_financial_year_matches_any_form(tmp_path):
    text = "financial_year,ethnic_group,count\n2022-23,A,1\n2023-24,A,2\n"
    got = published.read_aggregate(
        _csv(tmp_path, text), strata="financial_year", where={"financial_year": "2023/2024"}
    )
    assert got["count"].tolist() == [2]


def test_where_selecting_nothing_names_the_values_present(tmp_path):
    with pytest.raises(SchemaError, match="'all detentions x'.*no row.*'People detained'") as info:
        published.read_aggregate(
            _csv(tmp_path, PUBLICATION), columns=COLUMNS, where={"Measure": "all detentions x"}
        )
    assert info.value.column == "Measure"


def test_denominator_column_is_read_as_population():
    frame = pd.DataFrame({"ethnic_group": ["White", "Black"], "denominator": [100, 50]})
    got = published.read_aggregate(frame, value="population")
    assert list(got.columns) == ["ethnic_group", "population"]


@pytest.mark.parametrize(
    ("value", "rule"),
    [
        ("-3", "non-negative"),
        ("2.5", "whole numbers"),
        ("", "a count in every row"),
        ("x", "counts are numbers"),
    ],
)
def test_bad_counts_name_file_column_rule_row_and_value(tmp_path, value, rule):
    text = f"ethnic_group,count\nWhite,10\nBlack,{value}\n"
    path = _csv(tmp_path, text)
    with pytest.raises(SchemaError, match=rule) as info:
        published.read_aggregate(path)
    error = info.value
    assert "table.csv" in str(error) and "'count'" in str(error)
    assert "row 2 (line 3)" in str(error)
    assert (error.column, error.row) == ("count", 2)
    assert error.path.endswith("table.csv")


def test_a_group_twice_in_one_stratum_is_an_error_also_under_two_spellings(tmp_path):
    text = "ethnic_group,count\nBlack Caribbean,10\nWhite,5\nM,3\n"
    with pytest.raises(SchemaError, match="one row per group and stratum") as info:
        published.read_aggregate(_csv(tmp_path, text))
    assert info.value.row == 3 and info.value.value == "M"
    assert "row 1 (line 2)" in str(info.value)


def test_the_same_group_in_two_strata_is_fine(tmp_path):
    text = "financial_year,ethnic_group,count\n2022/23,White,10\n2023/24,White,5\n"
    got = published.read_aggregate(_csv(tmp_path, text), strata="financial_year")
    assert got["financial_year"].tolist() == ["2022-23", "2023-24"]


def test_group_totals_beside_their_detailed_groups_are_refused(tmp_path):
    text = "ethnic_group,count\nAsian or Asian British,900\nIndian,500\nPakistani,400\n"
    with pytest.raises(SchemaError, match="either group totals or detailed groups"):
        published.read_aggregate(_csv(tmp_path, text))
    # Chinese is not a detailed group of Asian where the publication puts it under Other
    text = "ethnic_group,count\nAsian,900\nChinese,50\n"
    assert len(published.read_aggregate(_csv(tmp_path, text), chinese="other")) == 2


def test_a_label_that_is_not_an_ethnic_group_is_named(tmp_path):
    text = "ethnic_group,count\nWhite,10\nNorth West,5\n"
    with pytest.raises(SchemaError, match="ethnic group.*'North West'") as info:
        published.read_aggregate(_csv(tmp_path, text))
    assert info.value.row == 2


def test_total_rows_are_left_out(tmp_path):
    text = "ethnic_group,count\nWhite,10\nAll ethnic groups,15\nBlack,5\n"
    got = published.read_aggregate(_csv(tmp_path, text))
    assert got["ethnic_group"].tolist() == ["White", "Black"]


def test_a_missing_column_is_named_with_the_columns_present(tmp_path):
    columns = {"Ethnic group": "ethnic_group", "Value": "count"}
    with pytest.raises(SchemaError, match="'financial_year'.*columns=.*'Year'") as info:
        published.read_aggregate(
            _csv(tmp_path, PUBLICATION), strata="financial_year", columns=columns
        )
    assert info.value.column == "financial_year"


def test_parquet_and_header_only_reads(tmp_path):
    frame = pd.DataFrame({"Ethnic group": ["A", "B"], "Value": [1, 2]})
    frame.to_parquet(tmp_path / "t.parquet")
    path = _csv(tmp_path, PUBLICATION)
    assert published.source_columns(path, columns=COLUMNS) == [
        "financial_year",
        "Measure",
        "ethnic_group",
        "count",
    ]
    assert published.is_aggregate(path, columns=COLUMNS)
    assert not published.is_aggregate(path)
    assert published.is_aggregate(tmp_path / "t.parquet", columns=COLUMNS)
    got = published.read_aggregate(tmp_path / "t.parquet", columns=COLUMNS)
    assert got["count"].tolist() == [1, 2]


def test_to_groups_sums_to_a_scheme_and_refuses_what_it_cannot_split():
    table = pd.DataFrame(
        {"ethnic_group": ["Indian", "Pakistani", "Chinese", "White British"], "count": [5, 4, 3, 9]}
    )
    high = published.to_groups(table, chinese="other")
    assert dict(zip(high["ethnic_group"].astype(str), high["count"], strict=True)) == {
        "Asian": 9,
        "White": 9,
        "Other": 3,
    }
    assert published.to_groups(table)["count"].tolist() == [12, 9]  # Chinese under Asian
    detailed = published.to_groups(table, to="nhs_code")
    assert len(detailed) == 4
    with pytest.raises(SchemaError, match="place in the nhs_code scheme.*'Black'"):
        published.to_groups(pd.DataFrame({"ethnic_group": ["Black"], "count": [1]}), to="nhs_code")


def test_detailed_scheme_is_census_only_when_every_table_has_census_groups():
    census = pd.DataFrame({"ethnic_group": ["Arab", "Indian"]})
    nhs = pd.DataFrame({"ethnic_group": ["S", "H"]})
    assert published.detailed_scheme(census) == "census2021"
    assert published.detailed_scheme(census, nhs) == "nhs_code"


def test_a_group_without_a_denominator_is_named():
    counts = pd.DataFrame({"ethnic_group": ["White", "Black", "Not known"], "count": [1, 2, 3]})
    population = pd.DataFrame({"ethnic_group": ["White"], "population": [100]})
    with pytest.raises(SchemaError, match="a denominator for every group.*'Black'") as info:
        published.check_denominators(counts, population, name="counts.csv")
    assert info.value.value == "Black"
    ok = pd.DataFrame({"ethnic_group": ["White", "Black"], "population": [100, 50]})
    published.check_denominators(counts, ok)  # "Not known" needs no denominator


def test_other_value_columns_are_checked_like_counts_and_are_not_strata(tmp_path):
    twice = "ethnic_group,count,people\nWhite,10,8\nWhite,5,4\n"
    with pytest.raises(SchemaError, match="one row per group and stratum"):
        published.read_aggregate(_csv(tmp_path, twice), other_values="people")
    negative = "ethnic_group,count,people\nWhite,10,-1\n"
    with pytest.raises(SchemaError, match="'people'.*non-negative"):
        published.read_aggregate(_csv(tmp_path, negative), other_values="people")
    fine = "ethnic_group,count,people\nWhite,10,8\nBlack,5,4\n"
    got = published.read_aggregate(_csv(tmp_path, fine), other_values=["people", "absent"])
    assert got.columns.tolist() == ["ethnic_group", "count", "people"]
    assert got["people"].tolist() == [8, 4]


@pytest.mark.slow
def test_a_published_table_in_spark_reads_as_from_a_file(spark, tmp_path):
    path = _csv(tmp_path, PUBLICATION)
    frame = pd.read_csv(path, dtype=str)
    spark.createDataFrame(frame).createOrReplaceTempView("published_mha")
    options = {
        "strata": "financial_year",
        "columns": COLUMNS,
        "where": {"Measure": "All detentions"},
    }
    assert published.is_aggregate("spark:published_mha", columns=COLUMNS)
    assert_frame_equal(
        published.read_aggregate("spark:published_mha", **options),
        published.read_aggregate(path, **options),
    )
