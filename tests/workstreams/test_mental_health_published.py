"""Workstream 6 on published (aggregate) tables: same numbers as records, clear errors, detail.

Issue 15: the demonstration records aggregated to group totals give exactly the crude rates and
ratios of the record path; a published table with a duplicated group, a negative count or a group
without a population gets a clear error; detailed groups (NHS 16 or Census 2021 19) with the
reference group at the same level.
"""

from __future__ import annotations

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from rhoresearch import config, ethnicity
from rhoresearch.exceptions import InputError, SchemaError
from rhoresearch.workstreams import mental_health as mh

DEMO = config.demo_dir() / "mental_health"
COLUMNS = {
    "Year": "financial_year",
    "Ethnic group": "ethnic_group",
    "Value": "count",
    "People": "people",
    "Population": "population",
}


def _demo_inputs() -> mh.Inputs:
    if not (DEMO / "detentions.parquet").exists():
        pytest.skip("no demo data: run `make data`")
    return mh.read_inputs(
        detentions=DEMO / "detentions.parquet",
        ctos=DEMO / "ctos.parquet",
        population=DEMO / "population.parquet",
        providers=DEMO / "providers.csv",
    )


def _group_totals(events: mh.CountedEvents, count: str) -> pd.DataFrame:
    """A publication of the records the rates use: long format, '2023/24' years, plain labels."""
    strata = mh.event_counts(
        events.counts,
        by=["financial_year", "ethnic_group", "age_band", "sex_group"],
        count=count,
        people_counts=events.people,
    )
    sums = [c for c in (count, "people") if c in strata.columns]
    totals = strata.groupby(["financial_year", "ethnic_group"], observed=True)[sums].sum()
    totals = totals.reset_index().rename(columns={count: "Value", "people": "People"})
    totals["Year"] = totals.pop("financial_year").str.replace("-", "/")
    totals["Ethnic group"] = totals.pop("ethnic_group").astype(str)
    return totals.assign(Measure="All").sort_values(["Year", "Ethnic group"])


def test_demo_records_as_group_totals_give_the_record_paths_crude_rates_and_ratios(tmp_path):
    records = _demo_inputs()
    on_records = mh.rate_strata(records)
    rates = mh.measure_rates(on_records.detentions, on_records.ctos)
    ratios = mh.measure_ratios(on_records.detentions, on_records.ctos, year=on_records.year)
    for key in ("detentions", "ctos"):
        _group_totals(getattr(records, key), key).to_csv(tmp_path / f"{key}.csv", index=False)
    population = records.pop.groupby("ethnic_group", observed=True)["population"].sum()
    population.rename("Population").rename_axis("Ethnic group").reset_index().to_csv(
        tmp_path / "population.csv", index=False
    )
    published = mh.read_inputs(
        detentions=tmp_path / "detentions.csv",
        ctos=tmp_path / "ctos.csv",
        population=tmp_path / "population.csv",
        providers="",
        columns=COLUMNS,
        where={"Measure": "All"},
    )
    assert published.forms == {
        "detentions": "aggregate",
        "ctos": "aggregate",
        "population": "aggregate",
        "providers": "not available",
    }
    on_totals = mh.rate_strata(published)
    assert on_totals.standard is None and on_totals.covariates == []
    crude = rates[rates["rate_type"] == "crude"].reset_index(drop=True)
    assert_frame_equal(mh.measure_rates(on_totals.detentions, on_totals.ctos, standard=None), crude)
    assert_frame_equal(
        mh.measure_ratios(on_totals.detentions, on_totals.ctos, year=on_totals.year), ratios
    )


def _publication(tmp_path, rows: list[tuple[str, object]], population: dict[str, int]) -> dict:
    counts = pd.DataFrame(rows, columns=["Ethnic group", "Value"]).assign(Year="2023-2024")
    counts.to_csv(tmp_path / "counts.csv", index=False)
    pd.DataFrame(
        {"Ethnic group": list(population), "Population": list(population.values())}
    ).to_csv(tmp_path / "population.csv", index=False)
    return {
        "detentions": tmp_path / "counts.csv",
        "ctos": "",
        "population": tmp_path / "population.csv",
        "providers": "",
        "columns": COLUMNS,
    }


POPULATION = {"White": 1000, "Black": 500, "Asian": 400}


def test_a_duplicated_group_is_a_clear_error(tmp_path):
    sources = _publication(tmp_path, [("White", 10), ("Black", 5), ("Black", 6)], POPULATION)
    with pytest.raises(SchemaError, match=r"counts\.csv.*one row per group and stratum") as info:
        mh.read_inputs(**sources)
    assert (info.value.row, info.value.value) == (3, "Black")


def test_a_negative_count_is_a_clear_error(tmp_path):
    sources = _publication(tmp_path, [("White", 10), ("Black", -5)], POPULATION)
    with pytest.raises(SchemaError, match=r"counts\.csv.*'count'.*non-negative.*row 2") as info:
        mh.read_inputs(**sources)
    assert info.value.value == "-5"


def test_a_group_without_a_population_is_a_clear_error(tmp_path):
    sources = _publication(tmp_path, [("White", 10), ("Mixed", 5)], POPULATION)
    with pytest.raises(SchemaError, match="a denominator for every group.*'Mixed'"):
        mh.read_inputs(**sources)


def test_detailed_groups_need_a_detailed_reference_and_detailed_tables(tmp_path):
    assert mh.reference_label("White British", "nhs_code") == "White - British"
    assert mh.reference_label("White", "high_level") == "White"
    with pytest.raises(InputError, match="'White British' for detailed groups"):
        mh.reference_label("White", "nhs_code")
    sources = _publication(tmp_path, [("White", 10), ("Black", 5)], POPULATION)
    with pytest.raises(SchemaError, match="place in the nhs_code scheme"):
        mh.read_inputs(**sources, grouping="detailed")
    with pytest.raises(InputError, match="grouping must be one of"):
        mh.read_inputs(**sources, grouping="fine")


def test_sections_the_data_cannot_give_are_named(tmp_path):
    sources = _publication(tmp_path, [("White", 10), ("Black", 5)], POPULATION)
    inputs = mh.read_inputs(**sources)
    assert mh.unavailable("rates", inputs) is None
    assert "ctos_path is empty" in mh.unavailable("ctos", inputs)
    assert "no age bands" in mh.unavailable("standardised", inputs)
    assert "no age or sex strata" in mh.unavailable("adjusted", inputs)
    assert "providers_path is empty" in mh.unavailable("providers", inputs)
    no_population = mh.read_inputs(**{**sources, "population": ""})
    assert "no rate can be computed" in mh.unavailable("rates", no_population)


def test_age_and_sex_strata_of_a_published_table_allow_standardised_rates(tmp_path):
    bands = list(mh.AGE_BANDS)
    rows = []
    for group, factor in (("White", 1), ("Black", 3)):
        for band in bands:
            for sex in ("Male", "Female"):
                rows.append(("2023/24", group, band.replace("-", " to "), sex, 10 * factor, 5000))
    table = pd.DataFrame(
        rows, columns=["financial_year", "ethnic_group", "age_band", "sex", "count", "population"]
    )
    table.drop(columns="population").to_csv(tmp_path / "counts.csv", index=False)
    table.drop(columns=["financial_year", "count"]).to_csv(tmp_path / "pop.csv", index=False)
    inputs = mh.read_inputs(
        detentions=tmp_path / "counts.csv", ctos="", population=tmp_path / "pop.csv", providers=""
    )
    assert mh.strata(inputs) == ["age_band", "sex_group"]
    strata = mh.rate_strata(inputs, standard="population")
    assert strata.kind == "age- and sex-standardised"
    rates = mh.measure_rates(strata.detentions, strata.ctos, standard=strata.standard)
    standardised = rates[rates["rate_type"] == strata.kind].set_index("ethnic_group")["value"]
    assert standardised["Black"] / standardised["White"] == pytest.approx(3.0)


def test_detailed_groups_of_the_demo_records_add_up_to_the_high_level_groups():
    high = mh.rate_strata(_demo_inputs())
    detailed_inputs = mh.read_inputs(
        detentions=DEMO / "detentions.parquet",
        ctos=DEMO / "ctos.parquet",
        population=DEMO / "population.parquet",
        providers=DEMO / "providers.csv",
        grouping="detailed",
    )
    assert detailed_inputs.scheme == "nhs_code"
    detailed = mh.rate_strata(detailed_inputs)
    groups = detailed.detentions["ethnic_group"].astype(str)
    assert groups.nunique() == 16
    assert "Chinese" in set(groups)  # its own group (short labels, as every detailed report)
    assert "White British" in set(groups) and "White - British" not in set(groups)
    to_high = ethnicity.harmonise(groups, to="high_level", chinese="other").astype(str)
    for frame, columns in ((detailed.detentions, ["detentions", "people", "population"]),):
        summed = (
            frame.assign(ethnic_group=to_high.to_numpy())
            .groupby(["financial_year", "ethnic_group"])[columns]
            .sum()
        )
        expected = (
            high.detentions.assign(ethnic_group=high.detentions["ethnic_group"].astype(str))
            .groupby(["financial_year", "ethnic_group"])[columns]
            .sum()
        )
        assert_frame_equal(summed.sort_index(), expected.sort_index())
    assert "high_level' only" in mh.unavailable("providers", detailed_inputs)


def test_findings_name_detailed_groups_by_their_short_names(tmp_path):
    census = {"Indian": 1000, "White British": 5000, "Arab": 300}
    rows = [("Indian", 40), ("White British", 100), ("Arab", 12)]
    inputs = mh.read_inputs(**_publication(tmp_path, rows, census), grouping="detailed")
    assert inputs.scheme == "census2021"
    reference = mh.reference_label("White British", inputs.scheme, short=True)
    strata = mh.rate_strata(inputs)
    rates = mh.measure_rates(strata.detentions, None, standard=None)
    crude = mh.measure_ratios(strata.detentions, None, year=strata.year, reference=reference)
    lines = mh.findings(rates, mh.compare(crude, None), year=strata.year, reference=reference)
    assert "compared with White British people" in lines[0]
    assert any(line.startswith("- The crude detention rate for Indian people") for line in lines)
    assert any("Arab people were" in line for line in lines)


def test_each_data_parameter_is_read_in_its_own_form(tmp_path):
    if not (DEMO / "detentions.parquet").exists():
        pytest.skip("no demo data: run `make data`")
    sources = _publication(tmp_path, [("White", 10), ("Black", 5)], POPULATION)
    assert mh.data_form(DEMO / "detentions.parquet") == "records"
    assert mh.data_form(DEMO / "population.parquet", value="population") == "records"
    assert mh.data_form(sources["detentions"], columns=COLUMNS) == "aggregate"
    assert mh.data_form(sources["population"], value="population", columns=COLUMNS) == "aggregate"
    assert mh.data_form("") == mh.NOT_AVAILABLE
    with pytest.raises(InputError, match="columns of a record-level file"):
        mh.read_inputs(
            detentions=DEMO / "detentions.parquet",
            ctos="",
            population=DEMO / "population.parquet",
            providers="",
            where={"sex": "1"},
        )
