"""The record-level step of workstreams 5 and 6 counted in an engine equals the pandas step.

``maternity.counts_from_source`` and ``mental_health.counts_from_source`` count records with
:func:`rhoresearch.data.aggregate.stratified_counts` (DuckDB, or Spark) so that the notebooks work on
extracts too large for pandas; every analysis must give the same results on their output as on
``prepare``'s.
"""

from __future__ import annotations

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from rhoresearch import data
from rhoresearch.data import aggregate
from rhoresearch.demo import maternity as demo_maternity
from rhoresearch.demo import mental_health as demo_mental_health
from rhoresearch.exceptions import InputError, SchemaError
from rhoresearch.workstreams import data_quality
from rhoresearch.workstreams import maternity as mat
from rhoresearch.workstreams import mental_health as mh

MODEL = ["ethnic_group", "year", "age_band", "imd_quintile"]
MH_KEYS = ["financial_year", "ethnic_group", "age_band", "sex_group"]


@pytest.fixture(scope="module")
def maternity_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("maternity")
    demo_maternity.generate(folder, seed=5, scale=0.02)
    return {"maternities": folder / "maternities.parquet", "births": folder / "births.parquet"}


@pytest.fixture(scope="module")
def mental_health_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("mental_health")
    demo_mental_health.generate(folder, seed=5, scale=0.05)
    return {"detentions": folder / "detentions.parquet", "ctos": folder / "ctos.parquet"}


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.astype({c: "str" for c in ("age_band",) if c in frame.columns})


def _same_maternity_results(
    old: pd.DataFrame, new: pd.DataFrame, dataset: str, unknown: str, excluded: pd.DataFrame
):
    counts = mat.maternal_counts if dataset == "maternities" else mat.perinatal_counts
    assert_frame_equal(
        counts(new, by=["ethnic_group", "year"]), counts(old, by=["ethnic_group", "year"])
    )
    assert_frame_equal(_plain(counts(new, by=MODEL)), _plain(counts(old, by=MODEL)))
    period = mat.records_in_period(new, "2018-20")
    assert_frame_equal(
        _plain(counts(period, by=MODEL)),
        _plain(counts(mat.records_in_period(old, "2018-20"), by=MODEL)),
    )
    assert_frame_equal(
        mat.exclusions(new, excluded=excluded, unknown=unknown),
        mat.exclusions(old, unknown=unknown),
    )
    assert_frame_equal(
        mat.ethnicity_completeness(new, by="year"),
        data_quality.completeness(old, code="ethnic_category", by="year"),
    )
    assert_frame_equal(
        mat.ethnicity_completeness(old, by="year"),
        data_quality.completeness(old, code="ethnic_category", by="year"),
    )


@pytest.mark.parametrize("dataset", ["maternities", "births"])
@pytest.mark.parametrize(
    ("region", "unknown"), [("England", "exclude"), ("north-west", "reference")]
)
def test_maternity_counts_from_source_equal_the_pandas_step(
    maternity_files, dataset, region, unknown
):
    schema = mat.MATERNITIES if dataset == "maternities" else mat.BIRTHS
    path = maternity_files[dataset]
    old = mat.prepare(data.load(path, schema=schema), region=region, unknown=unknown)
    new, excluded = mat.counts_from_source(path, dataset=dataset, region=region, unknown=unknown)
    assert len(new) < len(old)  # one row per stratum, not per record
    assert new[dataset].sum() == len(old)
    assert excluded.empty  # the demo's flags are all recorded: the engine counts every row
    _same_maternity_results(old, new, dataset, unknown, excluded)


def test_maternity_counts_from_a_frame_with_every_kind_of_gap():
    records = pd.DataFrame(
        {
            "maternity_id": range(1, 10),
            "year": pd.array([2016, 2016, 2017, 2017, 2018, 2018, 2018, 2019, 2019], dtype="Int64"),
            "ethnic_category": [
                "A",
                " n ",
                "Black or Black British - African",
                "Z",
                "99",
                None,
                "Q",
                "h",
                "",
            ],
            "age_band": ["25-29", "<20", None, "30-34", "40+", "20-24", "25-29", "35-39", None],
            "imd_quintile": pd.array([1, 2, 3, None, 5, 1, 2, 3, None], dtype="Int64"),
            "region_code": ["Y56", "Y56", "Y62", "Y62", "Y56", "Y59", "Y59", "Y56", "Y56"],
            "region_name": [
                "London",
                "London",
                "North West",
                "North West",
                "London",
                "South East",
                "South East",
                "London",
                "London",
            ],
            "number_of_babies": [1, 1, 2, 1, 1, 1, 1, 1, 1],
            "maternal_death": [True, False, True, False, False, True, False, False, True],
        }
    )
    before = records.copy()
    for unknown in ("exclude", "reference"):
        old = mat.prepare(records, unknown=unknown)
        new, excluded = mat.counts_from_source(records, unknown=unknown)
        _same_maternity_results(old, new, "maternities", unknown, excluded)
        excl = mat.exclusions(new, excluded=excluded, unknown=unknown).set_index("reason")["rows"]
        assert excl["ethnic category not a valid code"] == 1
        # among records with a usable group (with "reference" the blank one is counted as White)
        assert excl["age_band missing"] == (1 if unknown == "exclude" else 2)
    assert_frame_equal(records, before)
    with pytest.raises(InputError, match="no record in region 'Wales'"):
        mat.counts_from_source(records, region="Wales")
    with pytest.raises(InputError, match="dataset must be"):
        mat.counts_from_source(records, dataset="babies")


def test_births_both_stillbirth_and_neonatal_death_is_an_error(maternity_files):
    births = pd.read_parquet(maternity_files["births"]).head(50).copy()
    births.loc[births.index[3], ["stillbirth", "neonatal_death"]] = True
    with pytest.raises(SchemaError) as info:
        mat.counts_from_source(births, dataset="births")
    first = str(info.value).splitlines()[0]
    assert "columns ['stillbirth', 'neonatal_death']" in first
    assert "not both a stillbirth and a neonatal death; 1 failing row: row 4" in first
    assert "(stillbirth=True, neonatal_death=True)" in first


def test_missing_event_flag_is_an_error_naming_the_row():
    # the maternities schema does not allow a missing flag: enforced in the counting pass
    records = pd.DataFrame(
        {
            "maternity_id": [1, 2, 3],
            "year": [2018, 2018, 2019],
            "ethnic_category": ["A", "M", "H"],
            "age_band": ["25-29", "<20", "40+"],
            "imd_quintile": [1, 2, 3],
            "region_code": ["Y56"] * 3,
            "region_name": ["London"] * 3,
            "number_of_babies": [1, 1, 1],
            "maternal_death": pd.array([True, None, False], dtype="boolean"),
        }
    )
    with pytest.raises(SchemaError) as info:
        mat.counts_from_source(records)
    assert (
        "column 'maternal_death': expected a value (blank not allowed); 1 failing row: row 2"
        in str(info.value).splitlines()[0]
    )


@pytest.mark.parametrize(("count", "region"), [("detentions", "England"), ("ctos", "London")])
def test_mental_health_counts_from_source_equal_the_pandas_step(mental_health_files, count, region):
    schema = mh.DETENTIONS if count == "detentions" else mh.CTOS
    path = mental_health_files[count]
    old = mh.prepare(data.load(path, schema=schema), region=region)
    new, excluded, people = mh.counts_from_source(path, count=count, region=region)
    assert new[count].sum() == len(old)
    theirs = mh.event_counts(old, by=MH_KEYS, count=count)
    mine = mh.event_counts(new, by=MH_KEYS, count=count, people_counts=people)
    assert_frame_equal(mine.drop(columns="people"), theirs.drop(columns="people"))
    # people: distinct per stratum here, first stratum of the year there: never fewer
    assert (mine["people"] >= theirs["people"]).all()
    assert mine["people"].sum() <= theirs["people"].sum() * 1.01
    year = mh.choose_year(old)
    assert mh.choose_year(new) == year
    by = ["provider_code", "ethnic_group", "age_band", "sex_group"]
    assert_frame_equal(
        mh.event_counts(new[new["financial_year"] == year], by=by, count=count),
        mh.event_counts(old[old["financial_year"] == year], by=by, count=count).drop(
            columns="people"
        ),
    )
    assert_frame_equal(mh.exclusions(new, excluded=excluded), mh.exclusions(old))
    assert_frame_equal(
        mh.ethnicity_completeness(new),
        data_quality.completeness(old, code="ethnic_category", by="financial_year"),
    )


def test_mental_health_people_counted_per_stratum():
    records = pd.DataFrame(
        {
            "detention_id": ["a", "b", "c", "d", "e"],
            "person_id": ["p1", "p1", "p2", "p3", "p3"],
            "financial_year": ["2023-24"] * 5,
            "provider_code": ["R1"] * 5,
            "region_code": ["Y56"] * 5,
            "region_name": ["London"] * 5,
            "ethnic_category": ["M", "M", "A", "Z", "Z"],
            "age": pd.array([29, 30, 40, 50, None], dtype="Int64"),
            "sex": ["1", "1", "2", "9", "1"],
        }
    )
    new, excluded, people = mh.counts_from_source(records)
    old = mh.prepare(records)
    mine = mh.event_counts(new, by=MH_KEYS, people_counts=people)
    theirs = mh.event_counts(old, by=MH_KEYS)
    assert mine["detentions"].tolist() == theirs["detentions"].tolist() == [1, 1, 1]
    # p1 changed age band (25-29 to 30-34) within the year: counted in both bands here
    assert mine["people"].tolist() == [1, 1, 1]
    assert theirs["people"].tolist() == [1, 0, 1]
    assert_frame_equal(mh.exclusions(new, excluded=excluded), mh.exclusions(old))


def test_keep_missing_counts_nulls_as_a_stratum():
    records = pd.DataFrame(
        {
            "code": ["A", "M", None, "", None, "A"],
            "year": [2020, 2021, None, 2021, 2020, 2020],
            "age": [3, None, 50, 7, 95, -2],
            "died": [1, 0, 1, 1, 1, 0],
        }
    )
    counts, excluded = aggregate.stratified_counts(
        records,
        strata=["code", "year"],
        events="died",
        ethnicity_column=None,
        keep_missing=["code", "year", "age_band"],
        age_column="age",
        age_bands="esp2013",
    )
    assert counts["n_rows"].sum() == 5
    assert counts["code"].isna().sum() == 2
    assert counts["age_band"].isna().sum() == 1  # the missing age
    assert excluded.set_index("reason")["n_rows"].to_dict() == {
        "age out of range (below 0 or above 130)": 1,
        "died missing": 0,
    }
    with pytest.raises(InputError, match="keep_missing"):
        aggregate.stratified_counts(records, strata="year", keep_missing="code")


# ---------------------------------------------------------------------------------------------
# Spark: the same notebook step on a Spark DataFrame and a "spark:" table
# ---------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_counts_from_source_on_spark_equal_duckdb(spark, maternity_files, mental_health_files):
    path = maternity_files["births"]
    on_duckdb = mat.counts_from_source(path, dataset="births", region="London")
    frame = spark.read.parquet(str(path))
    on_spark = mat.counts_from_source(frame, dataset="births", region="London")
    frame.createOrReplaceTempView("rhoresearch_births")
    by_name = mat.counts_from_source("spark:rhoresearch_births", dataset="births", region="London")
    for other in (on_spark, by_name):
        assert_frame_equal(
            _plain(mat.perinatal_counts(other.counts, by=MODEL)),
            _plain(mat.perinatal_counts(on_duckdb.counts, by=MODEL)),
        )
        assert_frame_equal(
            mat.exclusions(other.counts, excluded=other.exclusions),
            mat.exclusions(on_duckdb.counts, excluded=on_duckdb.exclusions),
        )
        assert_frame_equal(
            mat.ethnicity_completeness(other.counts), mat.ethnicity_completeness(on_duckdb.counts)
        )
    path = mental_health_files["detentions"]
    on_duckdb = mh.counts_from_source(path, region="London")
    spark.read.parquet(str(path)).createOrReplaceTempView("rhoresearch_detentions")
    on_spark = mh.counts_from_source("spark:rhoresearch_detentions", region="London")
    assert_frame_equal(
        mh.event_counts(on_spark.counts, by=MH_KEYS, people_counts=on_spark.people),
        mh.event_counts(on_duckdb.counts, by=MH_KEYS, people_counts=on_duckdb.people),
    )
    assert_frame_equal(
        mh.exclusions(on_spark.counts, excluded=on_spark.exclusions),
        mh.exclusions(on_duckdb.counts, excluded=on_duckdb.exclusions),
    )
    assert_frame_equal(
        mh.ethnicity_completeness(on_spark.counts), mh.ethnicity_completeness(on_duckdb.counts)
    )
