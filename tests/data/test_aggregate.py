"""Tests of rhoresearch.data.aggregate: stratified counts in DuckDB and Spark against plain pandas."""

from __future__ import annotations

import pickle
import re

import duckdb
import ibis
import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from rhoresearch import data, ethnicity, stats
from rhoresearch.data import aggregate
from rhoresearch.demo import maternity as demo_maternity
from rhoresearch.demo import mental_health as demo_mental_health
from rhoresearch.exceptions import InputError, SchemaError, UnknownCodeError
from rhoresearch.workstreams import maternity, mental_health

ETHNIC_VALUES = [
    "A",
    "A",
    "A",
    "a ",
    "White - British",
    "B",
    "C",
    "D",
    "G",
    "H",
    "Indian",
    "J",
    "K",
    "M",
    " N ",
    "Black Caribbean",
    "P",
    "R",
    "S",
    "Z",
    "99",
    "X",
    "",
    None,
]
# the 19 bands of the 2013 European Standard Population
AGE_LABELS = [f"{lo}-{lo + 4}" for lo in range(0, 90, 5)] + ["90+"]
GROUPS = ethnicity.labels("high_level")
KW = dict(
    strata=["sex", "year", "region"],
    events=["admitted", "contacts"],
    person="person_id",
    age_column="age",
    age_bands="esp2013",
)
REASONS = [
    aggregate.REASON_NOT_STATED,
    aggregate.REASON_NOT_KNOWN,
    aggregate.REASON_INVALID_CODE,
    "age missing",
    "age out of range (below 0 or above 130)",
    "sex missing",
    "year missing",
    "region missing",
    "admitted missing",
    "contacts missing",
]


def _records(n: int = 3000, seed: int = 7, invalid: bool = False) -> pd.DataFrame:
    """Record-level frame with messy ethnicity, missing ages and sexes, flags and counts."""
    rng = np.random.default_rng(seed)
    values = [*ETHNIC_VALUES, "Q", "unknown code"] if invalid else ETHNIC_VALUES
    age = rng.integers(0, 100, n).astype("float64")
    age[rng.random(n) < 0.03] = np.nan
    age[:3] = [-1.0, 140.0, 89.5]
    sex = np.array(["F", "M"], dtype=object)[rng.integers(0, 2, n)]
    sex[rng.random(n) < 0.02] = None
    return pd.DataFrame(
        {
            "person_id": rng.integers(0, 900, n).astype("int64"),
            "ethnic_category": pd.Series(
                np.array(values, dtype=object)[rng.integers(0, len(values), n)], dtype=object
            ),
            "age": age,
            "sex": pd.Series(sex, dtype=object),
            "year": rng.choice([2021, 2022, 2023], n).astype("int64"),
            "region": np.array(["London", "North West", "Midlands"], dtype=object)[
                rng.integers(0, 3, n)
            ],
            "admitted": rng.random(n) < 0.2,
            "contacts": rng.poisson(1.2, n).astype("int64"),
        }
    )


def _pandas_reference(df: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The same counts, computed the plain pandas way on the whole frame."""
    report = ethnicity.harmonise_report(df["ethnic_category"])
    unmapped = set(report.loc[report["status"] == "unmapped", "input_value"])
    raw = df["ethnic_category"]
    invalid = raw.isin(unmapped)
    group = ethnicity.harmonise(raw.where(~invalid, "99"))
    age = df["age"]
    reason = pd.Series("", index=df.index, dtype="str")
    ordered = [
        (df["contacts"].isna(), "contacts missing"),
        (df["admitted"].isna(), "admitted missing"),
        (df["region"].isna(), "region missing"),
        (df["year"].isna(), "year missing"),
        (df["sex"].isna(), "sex missing"),
        ((age < 0) | (age > 130), "age out of range (below 0 or above 130)"),
        (age.isna(), "age missing"),
        (invalid, aggregate.REASON_INVALID_CODE),
        (group.eq(ethnicity.NOT_KNOWN) & ~invalid, aggregate.REASON_NOT_KNOWN),
        (group.eq(ethnicity.NOT_STATED), aggregate.REASON_NOT_STATED),
    ]
    for mask, text in ordered:  # lowest priority first: the first reason that applies wins
        reason = reason.mask(mask.to_numpy(dtype=bool), text)
    bands = pd.cut(
        np.floor(age), bins=[*aggregate.ESP2013_AGE_BANDS, np.inf], right=False, labels=AGE_LABELS
    )
    work = df.assign(
        ethnic_group=pd.Categorical(group.astype("str"), categories=GROUPS, ordered=True),
        age_band=bands,
        admitted=df["admitted"].astype("int64"),
    )[reason.eq("").to_numpy()]
    strata = ["ethnic_group", "sex", "year", "region", "age_band"]
    counts = (
        work.groupby(strata, observed=True)
        .agg(
            n_rows=("person_id", "size"),
            admitted=("admitted", "sum"),
            contacts=("contacts", "sum"),
            n_people=("person_id", "nunique"),
        )
        .reset_index()
        .astype({"n_rows": "int64", "admitted": "int64", "contacts": "int64", "n_people": "int64"})
    )
    counts["sex"] = counts["sex"].astype("str")
    counts["region"] = counts["region"].astype("str")
    counts = counts.sort_values(strata, kind="stable").reset_index(drop=True)
    tally = reason[reason.ne("")].value_counts()
    exclusions = pd.DataFrame(
        {
            "reason": pd.Series(REASONS, dtype="str"),
            "n_rows": pd.Series([int(tally.get(r, 0)) for r in REASONS], dtype="int64"),
        }
    )
    return counts, exclusions


@pytest.fixture(scope="module")
def records() -> pd.DataFrame:
    return _records()


@pytest.fixture(scope="module")
def files(records, tmp_path_factory):
    folder = tmp_path_factory.mktemp("records")
    parquet = folder / "records.parquet"
    csv = folder / "records.csv"
    records.to_parquet(parquet, index=False)
    records.to_csv(csv, index=False)
    return {"parquet": parquet, "csv": csv}


@pytest.fixture(scope="module")
def expected(records):
    return _pandas_reference(records)


# ---------------------------------------------------------------------------------------------
# DuckDB against plain pandas
# ---------------------------------------------------------------------------------------------


def test_reference_computation_is_not_trivial(expected):
    counts, exclusions = expected
    assert len(counts) > 300
    assert set(counts["ethnic_group"].astype("str")) == {
        "Asian",
        "Black",
        "Mixed",
        "White",
        "Other",
    }
    by_reason = exclusions.set_index("reason")["n_rows"]
    # not stated, not known, age missing, age out of range, sex missing all occur
    assert (by_reason[[REASONS[i] for i in (0, 1, 3, 4, 5)]] > 0).all()


def test_duckdb_parquet_equals_pandas(files, expected):
    result = aggregate.stratified_counts(files["parquet"], **KW)
    assert_frame_equal(result.counts, expected[0])
    assert_frame_equal(result.exclusions, expected[1])


def test_duckdb_csv_equals_pandas(files, expected):
    result = aggregate.stratified_counts(str(files["csv"]), dtypes={"year": "int64"}, **KW)
    assert_frame_equal(result.counts, expected[0])
    assert_frame_equal(result.exclusions, expected[1])


def test_dataframe_and_ibis_table_sources_equal_pandas(records, expected):
    from_frame = aggregate.stratified_counts(records, **KW)
    assert_frame_equal(from_frame.counts, expected[0])
    assert_frame_equal(from_frame.exclusions, expected[1])
    from_ibis = aggregate.stratified_counts(ibis.memtable(records), **KW)
    assert_frame_equal(from_ibis.counts, expected[0])


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_without_person_one_pass_equals_pandas(files, expected, fmt):
    # without person ids the engine groups by the raw ethnicity value and the small result is
    # harmonised afterwards (one scan instead of two): the same counts
    kwargs = {**KW, "person": None}
    dtypes = {"year": "int64"} if fmt == "csv" else None
    result = aggregate.stratified_counts(files[fmt], dtypes=dtypes, **kwargs)
    assert_frame_equal(result.counts, expected[0].drop(columns="n_people"))
    assert_frame_equal(result.exclusions, expected[1])


def test_every_row_is_counted_or_excluded(records, expected):
    counts, exclusions = aggregate.stratified_counts(records, **KW)
    assert counts["n_rows"].sum() + exclusions["n_rows"].sum() == len(records)
    assert exclusions["reason"].tolist() == REASONS


def test_input_frame_is_not_modified(records):
    before = records.copy()
    aggregate.stratified_counts(records, **KW)
    assert_frame_equal(records, before)


def test_tiny_frame_exact_counts():
    data = pd.DataFrame(
        {
            "ethnic_category": ["A", "a", "M", "N", "Z", None, "H", "M"],
            "sex": ["F", "F", "F", "M", "F", "F", None, "F"],
            "died": [1, 0, 1, 0, 1, 1, 1, 0],
            "person_id": [1, 1, 2, 3, 4, 5, 6, 2],
        }
    )
    counts, exclusions = aggregate.stratified_counts(
        data, strata="sex", events="died", person="person_id"
    )
    expected = pd.DataFrame(
        {
            "ethnic_group": pd.Categorical(
                ["Black", "Black", "White"], categories=GROUPS, ordered=True
            ),
            "sex": pd.Series(["F", "M", "F"], dtype="str"),
            "n_rows": pd.Series([2, 1, 2], dtype="int64"),
            "died": pd.Series([1, 0, 1], dtype="int64"),
            "n_people": pd.Series([1, 1, 1], dtype="int64"),
        }
    )
    assert_frame_equal(counts, expected)
    assert_frame_equal(
        exclusions,
        pd.DataFrame(
            {
                "reason": pd.Series([*REASONS[:3], "sex missing", "died missing"], dtype="str"),
                "n_rows": pd.Series([1, 1, 0, 1, 0], dtype="int64"),
            }
        ),
    )


def test_unknown_ethnicity_options():
    data = pd.DataFrame(
        {"ethnic_category": ["A", "M", "Z", "99", None, "bogus"], "died": [1, 1, 1, 0, 1, 1]}
    )
    _, excl = aggregate.stratified_counts(data, events="died", errors="not_known")
    assert excl.set_index("reason")["n_rows"].to_dict() == {
        aggregate.REASON_NOT_STATED: 1,
        aggregate.REASON_NOT_KNOWN: 2,
        aggregate.REASON_INVALID_CODE: 1,
        "died missing": 0,
    }
    kept, excl = aggregate.stratified_counts(
        data, events="died", errors="not_known", unknown_ethnicity="keep"
    )
    assert kept.set_index(kept["ethnic_group"].astype("str"))["n_rows"].to_dict() == {
        "Black": 1,
        "White": 1,
        "Not stated": 1,
        "Not known": 3,
    }
    assert excl["n_rows"].sum() == 0
    # MBRRACE-UK convention: records without a usable ethnicity are counted with White
    white, _ = aggregate.stratified_counts(
        data, events="died", errors="not_known", unknown_ethnicity="White"
    )
    assert white.set_index(white["ethnic_group"].astype("str"))["died"].to_dict() == {
        "Black": 1,
        "White": 4,
    }


def test_filters_mapping_and_callable(records, expected):
    by_map = aggregate.stratified_counts(records, filters={"year": [2022, 2023]}, **KW).counts
    by_fn = aggregate.stratified_counts(records, filters=lambda t: t.year >= 2022, **KW).counts
    want = expected[0][expected[0]["year"] >= 2022].reset_index(drop=True)
    assert_frame_equal(by_map, want)
    assert_frame_equal(by_fn, want)


def test_without_ethnicity_and_with_existing_age_band():
    data = pd.DataFrame(
        {"age_band": ["0-4", "0-4", "5-9", None], "n": [2, 3, 4, 5], "region": ["X"] * 4}
    )
    counts, excl = aggregate.stratified_counts(
        data, strata=["region", "age_band"], events={"events": "n"}, ethnicity_column=None
    )
    assert counts["events"].tolist() == [5, 4]
    assert counts["age_band"].tolist() == ["0-4", "5-9"]
    assert excl.set_index("reason")["n_rows"].to_dict() == {
        "region missing": 0,
        "age_band missing": 1,
        "events missing": 0,
    }


@pytest.mark.parametrize("person", [None, "p"])
def test_recode_labels_codes_and_counts_the_rest(person):
    data = pd.DataFrame(
        {
            "ethnic_category": ["A", "A", "M", "M", "H", "H"],
            "sex": ["1", " 2", "Male", "9", None, "X"],
            "x": [1, 0, 1, 1, 1, 1],
            "p": [1, 2, 3, 4, 5, 6],
        }
    )
    counts, exclusions = aggregate.stratified_counts(
        data,
        strata="sex",
        events="x",
        person=person,
        recode={"sex": {"1": "Male", 2: "Female", "MALE": "Male"}},
    )
    assert counts.astype({"ethnic_group": "str"})[["ethnic_group", "sex", "n_rows", "x"]].to_dict(
        "records"
    ) == [
        {"ethnic_group": "Black", "sex": "Male", "n_rows": 1, "x": 1},
        {"ethnic_group": "White", "sex": "Female", "n_rows": 1, "x": 0},
        {"ethnic_group": "White", "sex": "Male", "n_rows": 1, "x": 1},
    ]
    by_reason = exclusions.set_index("reason")["n_rows"]
    assert by_reason["sex missing"] == 1
    assert by_reason["sex not a listed code ('1', '2', 'male')"] == 2


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"errors": "ignore"}, "errors must be"),
        ({"harmonise_to": "census2011"}, "harmonise_to must be"),
        ({"age_bands": "esp2013"}, "needs age_column"),
        ({"age_column": "age"}, "only used with age_bands"),
        ({"age_column": "age", "age_bands": [5, 10]}, "starting at 0"),
        ({"unknown_ethnicity": "Martian"}, "unknown_ethnicity must be"),
        ({"strata": ["sex", "sex"]}, "repeats"),
        ({"filters": 3}, "filters must be"),
        ({"strata": "sex", "recode": {"region": {"1": "x"}}}, r"recode\['region'\]"),
    ],
)
def test_bad_options_raise_input_error(records, kwargs, match):
    with pytest.raises(InputError, match=match):
        aggregate.stratified_counts(records, **kwargs)


def test_spark_table_name_without_a_session_is_an_input_error():
    # runs before the module's Spark session starts (or without PySpark installed)
    with pytest.raises(InputError, match=r"'spark:db\.records' needs"):
        aggregate.stratified_counts("spark:db.records")


def test_missing_column_names_the_file(files):
    with pytest.raises(SchemaError, match=r"records\.parquet: column\(s\) \['ward'\] not found"):
        aggregate.stratified_counts(files["parquet"], strata=["ward"])


# ---------------------------------------------------------------------------------------------
# Malformed files: the same error for a small file and a large one with the bad row far in
# ---------------------------------------------------------------------------------------------

LARGE = 2_000_000
LARGE_BAD_ROW = LARGE - 7


def _write_malformed(folder, n: int, bad_row: int, kind: str, fmt: str):
    """Write n records with one bad value at data row ``bad_row`` (1-based), using DuckDB."""
    path = folder / f"bad_{kind}_{n}.{fmt}"
    age = (
        "CASE WHEN i = {b} THEN 'forty' ELSE ((i * 7) % 90)::VARCHAR END"
        if kind == "text"
        else ("((i * 7) % 90)::VARCHAR")
    )
    eth = (
        "CASE WHEN i = {b} THEN 'QQ' ELSE ['A', 'M', 'H', 'Z', 'b'][1 + i % 5] END"
        if kind == "code"
        else "['A', 'M', 'H', 'Z', 'b'][1 + i % 5]"
    )
    query = f"""
        SELECT {eth.format(b=bad_row)} AS ethnic_category, {age.format(b=bad_row)} AS age,
               CASE WHEN i % 2 = 0 THEN 'F' ELSE 'M' END AS sex, (i % 3 = 0) AS died
        FROM range(1, {n + 1}) t(i) ORDER BY i
    """
    option = "(FORMAT csv, HEADER)" if fmt == "csv" else "(FORMAT parquet)"
    con = duckdb.connect()
    con.execute(f"COPY ({query}) TO '{path}' {option}")
    con.close()
    return path


def _error(path, kind):
    kwargs = dict(strata="sex", events="died", age_column="age", age_bands="esp2013")
    expected = SchemaError if kind == "text" else UnknownCodeError
    with pytest.raises(expected) as info:
        aggregate.stratified_counts(path, **kwargs)
    return info.value


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
@pytest.mark.parametrize("kind", ["text", "code"])
def test_malformed_small_and_large_files_give_the_same_error(tmp_path, kind, fmt):
    small = _error(_write_malformed(tmp_path, 50, 7, kind, fmt), kind)
    large = _error(_write_malformed(tmp_path, LARGE, LARGE_BAD_ROW, kind, fmt), kind)
    column, value = ("age", "forty") if kind == "text" else ("ethnic_category", "QQ")
    for err, n, row in ((small, 50, 7), (large, LARGE, LARGE_BAD_ROW)):
        assert err.path.endswith(f"bad_{kind}_{n}.{fmt}")
        assert (err.column, err.row, err.value) == (column, row, value)
        message = str(err)
        assert message.startswith(f"{err.path}: column {column!r}, row {row:,}")
        assert repr(value) in message

    # the same message but for the file name and the row number
    def normalise(err, n, row):
        text = str(err).replace(err.path, "<file>")
        return re.sub(rf"\b{row + 1:,}\b", "<line>", text.replace(f"{row:,}", "<row>"))

    assert normalise(small, 50, 7) == normalise(large, LARGE, LARGE_BAD_ROW)
    assert type(small) is type(large)


@pytest.mark.parametrize("kind", ["text", "code"])
def test_malformed_file_with_person_counts(tmp_path, kind):
    # with person ids the mapping is joined in the engine: same errors
    path = _write_malformed(tmp_path, 30, 4, kind, "parquet")
    expected = SchemaError if kind == "text" else UnknownCodeError
    with pytest.raises(expected, match=r"bad_\w+_30\.parquet: column '\w+', row 4: value") as info:
        aggregate.stratified_counts(
            path, strata="sex", events="died", person="sex", age_column="age", age_bands=[0, 50]
        )
    assert (info.value.row, info.value.path) == (4, str(path))


def test_errors_pickle_with_their_evidence(tmp_path):
    err = _error(_write_malformed(tmp_path, 20, 3, "code", "parquet"), "code")
    again = pickle.loads(pickle.dumps(err))
    assert (str(again), again.unmapped) == (str(err), {"QQ": 1})
    err = _error(_write_malformed(tmp_path, 20, 3, "text", "parquet"), "text")
    again = pickle.loads(pickle.dumps(err))
    assert (str(again), again.column, again.row, again.value) == (str(err), "age", 3, "forty")


def test_negative_and_fractional_counts_are_schema_errors():
    data = pd.DataFrame({"ethnic_category": ["A", "M", "H"], "n": [1.0, 2.5, 3.0]})
    with pytest.raises(SchemaError, match=r"column 'n', row 2 \(index label 1\): value 2\.5"):
        aggregate.stratified_counts(data, events="n")
    data = pd.DataFrame({"ethnic_category": ["A", "M", "H"], "n": [1, 2, -3]}, index=[10, 11, 12])
    with pytest.raises(SchemaError, match=r"row 3 \(index label 12\): value -3 is not a count"):
        aggregate.stratified_counts(data, events="n")


def test_malformed_csv_line_is_a_schema_error(tmp_path):
    path = tmp_path / "broken.csv"
    path.write_text('ethnic_category,died\nA,1\nM,0\n"H",1,extra\nA,0\n')
    with pytest.raises(SchemaError, match=r"broken\.csv: line 4: the file cannot be read"):
        aggregate.stratified_counts(path, events="died")


# ---------------------------------------------------------------------------------------------
# Java check
# ---------------------------------------------------------------------------------------------


def test_java_runtime_missing_gives_none(monkeypatch, tmp_path):
    monkeypatch.setenv("JAVA_HOME", str(tmp_path / "no-java-here"))
    assert aggregate.java_runtime() is None
    assert "apt-get install default-jre-headless" in aggregate.JAVA_HINT


# ---------------------------------------------------------------------------------------------
# Spark (optional extra; local mode)
# ---------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_spark_equals_duckdb_and_pandas(spark, files, expected):
    frame = spark.read.parquet(str(files["parquet"]))
    on_spark = aggregate.stratified_counts(frame, **KW)
    on_duckdb = aggregate.stratified_counts(files["parquet"], **KW)
    assert_frame_equal(on_spark.counts, on_duckdb.counts)
    assert_frame_equal(on_spark.exclusions, on_duckdb.exclusions)
    assert_frame_equal(on_spark.counts, expected[0])
    assert_frame_equal(on_spark.exclusions, expected[1])
    frame.createOrReplaceTempView("rhoresearch_test_records")
    by_name = aggregate.stratified_counts("spark:rhoresearch_test_records", **KW)
    assert_frame_equal(by_name.counts, expected[0])
    one_pass = aggregate.stratified_counts(frame, **{**KW, "person": None})
    assert_frame_equal(one_pass.counts, expected[0].drop(columns="n_people"))
    assert_frame_equal(one_pass.exclusions, expected[1])


@pytest.mark.slow
def test_spark_unknown_code_error(spark, tmp_path):
    path = _write_malformed(tmp_path, 40, 5, "code", "parquet")
    with pytest.raises(
        UnknownCodeError, match=r"the Spark DataFrame: column 'ethnic_category'"
    ) as info:
        aggregate.stratified_counts(spark.read.parquet(str(path)), events="died")
    assert info.value.unmapped == {"QQ": 1}
    assert info.value.value == "QQ"


# ---------------------------------------------------------------------------------------------
# Workstream 5: the same counts as the maternity module's pandas step, on its demo data
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("unknown", "unknown_ethnicity"), [("exclude", "exclude"), ("reference", "White")]
)
def test_maternity_counts_match_the_workstream_step(tmp_path, unknown, unknown_ethnicity):
    demo_maternity.generate(tmp_path, seed=11, scale=0.02)
    path = tmp_path / "maternities.parquet"
    keys = ["ethnic_group", "year", "age_band"]
    records = pd.read_parquet(path)
    theirs = maternity.maternal_counts(maternity.prepare(records, unknown=unknown), by=keys)
    counts, exclusions = aggregate.stratified_counts(
        path,
        strata=["year", "age_band"],
        events={"maternal_deaths": "maternal_death"},
        errors="not_known",  # the demo plants a few invalid codes; they are counted, not fatal
        unknown_ethnicity=unknown_ethnicity,
        harmonise_options={"chinese": "other"},  # MBRRACE-UK groups, as maternity.prepare
    )
    mine = counts.rename(columns={"n_rows": "maternities"})
    assert mine["maternal_deaths"].sum() > 0
    assert_frame_equal(
        mine.astype({"ethnic_group": "str"}).sort_values(keys).reset_index(drop=True),
        theirs.astype({"ethnic_group": "str"}).sort_values(keys).reset_index(drop=True),
    )
    assert counts["n_rows"].sum() + exclusions["n_rows"].sum() == len(records)


def test_mental_health_counts_match_the_workstream_step(tmp_path):
    demo_mental_health.generate(tmp_path, seed=3, scale=0.05)
    path = tmp_path / "detentions.parquet"
    records = pd.read_parquet(path)
    theirs = mental_health.event_counts(mental_health.prepare(records))
    sexes = {"1": "Male", "2": "Female", "male": "Male", "female": "Female", "m": "Male"}
    counts, exclusions = aggregate.stratified_counts(
        path,
        strata=["financial_year", "age_band", "sex"],
        age_column="age",
        age_bands="esp2013",
        recode={"sex": {**sexes, "f": "Female"}},
        person="person_id",
        errors="not_known",
        harmonise_options={"chinese": "other"},
    )
    keys = ["financial_year", "ethnic_group", "age_band", "sex_group"]
    mine = counts.rename(columns={"sex": "sex_group", "n_rows": "detentions", "n_people": "people"})
    mine = mine.astype({k: "str" for k in keys}).sort_values(keys).reset_index(drop=True)
    theirs = theirs.astype({k: "str" for k in keys}).sort_values(keys).reset_index(drop=True)
    assert_frame_equal(mine[[*keys, "detentions"]], theirs[[*keys, "detentions"]])
    # people: distinct per stratum here; the workstream counts a person in their first stratum
    # of the year only, so ours can only be as large or larger
    assert (mine["people"] >= theirs["people"]).all()
    assert counts["n_rows"].sum() + exclusions["n_rows"].sum() == len(records)


def test_default_connection_caps_duckdb_memory():
    con = aggregate.duckdb_connection()
    limit = con.raw_sql("SELECT current_setting('memory_limit')").fetchone()[0]
    assert limit == "2.7 GiB", limit  # DuckDB reports 3 GB (10^9 bytes) in GiB
    uncapped = aggregate.duckdb_connection(memory_limit=None)
    other = uncapped.raw_sql("SELECT current_setting('memory_limit')").fetchone()[0]
    assert other != limit


# ---------------------------------------------------------------------------------------------
# The public names, and the one ESP2013
# ---------------------------------------------------------------------------------------------


def test_public_names_are_importable_from_aggregate():
    for name in aggregate.__all__:
        assert hasattr(aggregate, name), name
    assert {
        "stratified_counts",
        "StratifiedCounts",
        "duckdb_connection",
        "java_runtime",
        "JAVA_HINT",
        "DEFAULT_MEMORY_LIMIT",
        "ESP2013_AGE_BANDS",
        "REASON_NOT_STATED",
        "REASON_NOT_KNOWN",
        "REASON_INVALID_CODE",
    } <= set(aggregate.__all__)


def test_esp2013_age_bands_are_the_standard_of_stats_and_the_reference_table():
    bands = data.load_reference("esp2013")
    bands = bands[bands["scheme"] == "19_band"]
    assert aggregate.ESP2013_AGE_BANDS == tuple(int(lo) for lo in bands["age_lower"])
    assert AGE_LABELS == list(stats.ESP2013.index) == bands["age_band"].tolist()
