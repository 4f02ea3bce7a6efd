"""One declaration enforced in the engines: rhoresearch.data.rules on DuckDB (files, frames) and Spark."""

from __future__ import annotations

import pandas as pd
import pytest

from rhoresearch import data
from rhoresearch.data import aggregate, rules
from rhoresearch.exceptions import InputError, SchemaError
from rhoresearch.workstreams import maternity as mat

SCHEMA = data.dataset_schema(
    "things",
    columns={
        "thing_id": data.column("int", unique=True),
        "year": data.column("int", min=1990, max=2100),
        "quintile": data.column("int", nullable=True, allowed=[1, 2, 3, 4, 5]),
        "kind": data.column("str", allowed=["a", "b"]),
        "low": data.column("float", min=0, max=100),
        "high": data.column("float", min=0, max=100),
        "flag": data.column("bool"),
    },
    rules=[
        data.row_rule(
            lambda d: d["low"] <= d["high"], description="low <= high", columns=["low", "high"]
        )
    ],
)


def _good(n: int = 6) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "thing_id": range(1, n + 1),
            "year": [2020] * n,
            "quintile": [1, 2, None, 4, 5, 3][:n] + [1] * max(0, n - 6),
            "kind": ["a", "b"] * (n // 2),
            "low": [1.0] * n,
            "high": [2.0] * n,
            "flag": [True, False] * (n // 2),
        }
    )


def _bad() -> pd.DataFrame:
    frame = _good()
    frame.loc[1, "quintile"] = 9
    frame.loc[2, "year"] = 3000
    frame.loc[3, "thing_id"] = 1
    frame.loc[4, "low"] = 50.0
    frame.loc[4, "high"] = 10.0
    return frame


def test_good_data_passes_on_every_path(tmp_path):
    frame = _good()
    frame.to_csv(tmp_path / "good.csv", index=False)
    frame.to_parquet(tmp_path / "good.parquet", index=False)
    assert rules.validate_source(frame, schema=SCHEMA) == 6
    assert rules.validate_source(tmp_path / "good.csv", schema=SCHEMA) == 6
    assert rules.validate_source(tmp_path / "good.parquet", schema=SCHEMA) == 6
    data.load(tmp_path / "good.csv", schema=SCHEMA)  # the same declaration on pandas


@pytest.mark.parametrize("kind", ["csv", "parquet", "pandas"])
def test_every_broken_rule_is_named_with_rows_and_values(tmp_path, kind):
    frame = _bad()
    if kind == "csv":
        source = tmp_path / "bad.csv"
        frame.to_csv(source, index=False)
    elif kind == "parquet":
        source = tmp_path / "bad.parquet"
        frame.to_parquet(source, index=False)
    else:
        source = frame
    with pytest.raises(SchemaError) as info:
        rules.validate_source(source, schema=SCHEMA)
    message = str(info.value)
    first = message.splitlines()[0]
    # the first line: the first problem in full, and where the rest are
    assert "column 'thing_id': expected each value once only; 2 failing rows: row 1" in first
    assert "row 4" in first
    assert "3 more problem(s) on the following lines" in first
    assert "column 'year': expected between 1990 and 2100; 1 failing row: row 3" in message
    assert "3000" in message
    assert "column 'quintile': expected one of [1, 2, 3, 4, 5]; 1 failing row: row 2" in message
    assert "columns ['low', 'high']: expected low <= high; 1 failing row: row 5" in message
    failures = info.value.failures
    assert set(failures["column"]) >= {"thing_id", "year", "quintile"}
    assert info.value.column == "thing_id" and info.value.row == 1
    # the same declaration, on pandas, finds the same problems
    if kind == "csv":
        with pytest.raises(SchemaError) as loaded:
            data.load(source, schema=SCHEMA)
        text = str(loaded.value)
        for fragment in ("column 'year'", "column 'quintile'", "columns ['low', 'high']"):
            assert fragment in text


def test_text_that_does_not_convert_is_a_type_error(tmp_path):
    path = tmp_path / "text.csv"
    path.write_text(
        "thing_id,year,quintile,kind,low,high,flag\n1,2020,1,a,1,2,true\n2,twenty,1,a,1,2,maybe\n"
    )
    with pytest.raises(SchemaError) as info:
        rules.validate_source(path, schema=SCHEMA)
    message = str(info.value)
    assert "column 'year': expected an integer; 1 failing row: row 2 (line 3): 'twenty'" in message
    assert "column 'flag': expected true/false (or yes/no, 1/0)" in message and "'maybe'" in message


def test_missing_column_and_empty_values(tmp_path):
    with pytest.raises(SchemaError, match=r"missing column\(s\) \['flag'\]"):
        rules.validate_source(_good().drop(columns="flag"), schema=SCHEMA)
    frame = _good().assign(kind=["a", "", "b", "a", "b", "a"])
    with pytest.raises(SchemaError, match="column 'kind': expected a value"):
        rules.validate_source(frame, schema=SCHEMA)


def test_declared_source_is_enforced_in_the_counting_pass(tmp_path):
    frame = _bad()
    frame.to_parquet(tmp_path / "bad.parquet", index=False)
    declared = rules.declared(tmp_path / "bad.parquet", schema=SCHEMA)
    with pytest.raises(SchemaError, match="column 'thing_id': expected each value once only"):
        aggregate.stratified_counts(declared, strata="kind", ethnicity_column=None)
    good = _good()
    plain = aggregate.stratified_counts(good, strata="kind", ethnicity_column=None)
    checked = aggregate.stratified_counts(
        rules.declared(good, schema=SCHEMA), strata="kind", ethnicity_column=None
    )
    pd.testing.assert_frame_equal(plain.counts, checked.counts)


def test_uniqueness_of_integer_ids_by_bitmap_and_by_hash(tmp_path):
    frame = _good(8)
    frame.loc[7, "thing_id"] = 10**12  # a range too wide for the bitmap: the hash is used
    frame.to_parquet(tmp_path / "wide.parquet", index=False)
    assert rules.validate_source(tmp_path / "wide.parquet", schema=SCHEMA) == 8
    frame.loc[6, "thing_id"] = 10**12
    frame.to_parquet(tmp_path / "wide.parquet", index=False)
    with pytest.raises(
        SchemaError, match="2 failing rows: row 7: 1000000000000, row 8: 1000000000000"
    ):
        rules.validate_source(tmp_path / "wide.parquet", schema=SCHEMA)


def test_a_birth_must_have_its_maternity(tmp_path):
    maternities = pd.DataFrame(
        {
            "maternity_id": [1, 2],
            "year": [2020, 2020],
            "ethnic_category": ["A", "N"],
            "age_band": ["25-29", "30-34"],
            "imd_quintile": [1, 2],
            "region_code": ["Y56", "Y56"],
            "region_name": ["London", "London"],
            "number_of_babies": [1, 1],
            "maternal_death": [False, False],
        }
    )
    births = pd.DataFrame(
        {
            "birth_id": [10, 11, 12],
            "maternity_id": [1, 2, 7],
            "birth_order": [1, 1, 1],
            **{
                c: list(maternities[c]) + [maternities[c].iloc[0]]
                for c in mat.BIRTHS.columns
                if c in maternities
                and c != "maternity_id"
                and c not in ("number_of_babies", "maternal_death")
            },
            "stillbirth": [False, False, False],
            "neonatal_death": [False, False, False],
        }
    )
    maternities.to_csv(tmp_path / "maternities.csv", index=False)
    with pytest.raises(SchemaError) as info:
        rules.validate_source(
            births, schema=mat.BIRTHS, references={"maternities": tmp_path / "maternities.csv"}
        )
    first = str(info.value).splitlines()[0]
    assert "column 'maternity_id': expected a value of maternities.maternity_id" in first
    assert "1 failing row: row 3 (index label 2): 7" in first
    # not given: not checked
    assert rules.validate_source(births, schema=mat.BIRTHS) == 3


def test_a_check_that_cannot_run_in_an_engine_is_named():
    schema = data.dataset_schema(
        "odd",
        columns={"x": data.column("int")},
        rules=[data.row_rule(lambda d: d["x"].apply(bool), description="odd rule", columns=["x"])],
    )
    with pytest.raises(InputError, match="'odd rule'.*cannot run inside a database engine"):
        rules.validate_source(pd.DataFrame({"x": [1]}), schema=schema)


@pytest.mark.slow  # starts Spark (a JVM), as the other Spark tests of the data layer
def test_spark_table_is_validated_where_it_lives(spark):
    frame = _bad().astype({"quintile": "float64"})
    sdf = spark.createDataFrame(frame)
    with pytest.raises(SchemaError) as info:
        rules.validate_source(sdf, schema=SCHEMA)
    message = str(info.value)
    assert "column 'thing_id': expected each value once only; 2 failing rows" in message
    assert "column 'year': expected between 1990 and 2100; 1 failing row" in message
    assert "3000" in message
    assert "no row order" in message
