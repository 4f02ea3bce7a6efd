"""Tests for rhoresearch.data: validated loading (a corpus of malformed files) and the catalogue."""

from __future__ import annotations

import copy
import gzip
import json
import logging
import pickle
import re
import shutil
from datetime import date
from pathlib import Path

import pandas as pd
import pandera.pandas as pa
import pytest
from pandas.testing import assert_frame_equal

from rhoresearch import config, data, provenance
from rhoresearch.exceptions import InputError, SchemaError, VerificationError

CODES = list("ABCDEFGHJKLMNPRS") + ["Z", "99"]


@pytest.fixture
def schema() -> pa.DataFrameSchema:
    return data.dataset_schema(
        "deaths_by_area",
        columns={
            "area": data.column("str"),
            "ethnicity": data.column("str", allowed=CODES),
            "deaths": data.column("int", min=0),
            "population": {"dtype": "int", "min": 1, "nullable": True},
        },
        key=["area", "ethnicity"],
    )


GOOD = "area,ethnicity,deaths,population\nE1,A,3,1000\nE1,N,2,400\nE2,A,0,900\n"


def _write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8", newline="")
    else:
        path.write_bytes(content)
    return path


def _expected_good() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "area": pd.Series(["E1", "E1", "E2"], dtype="str"),
            "ethnicity": pd.Series(["A", "N", "A"], dtype="str"),
            "deaths": pd.array([3, 2, 0], dtype="Int64"),
            "population": pd.array([1000, 400, 900], dtype="Int64"),
        }
    )


# ---------------------------------------------------------------------------------------------
# The corpus of malformed files: each gives its clear error
# ---------------------------------------------------------------------------------------------

CORPUS = [
    # (file name, content, fragments the message must contain)
    ("empty.csv", b"", ["empty.csv", "empty"]),
    ("blank_lines.csv", b"\n\n  \n", ["blank_lines.csv", "empty"]),
    (
        "header_only.csv",
        "area,ethnicity,deaths,population\n",
        ["header_only.csv", "no data rows", "area, ethnicity, deaths, population"],
    ),
    (
        "semicolons.csv",
        "area;ethnicity;deaths;population\nE1;A;3;1000\n",
        ["semicolons.csv", "missing column(s)", "'deaths'", "';'-separated", "sep=';'"],
    ),
    (
        "tabs.csv",
        "area\tethnicity\tdeaths\tpopulation\nE1\tA\t3\t1000\n",
        ["tabs.csv", "missing column(s)", "'\\t'-separated"],
    ),
    (
        "missing_column.csv",
        "area,ethnicity,population\nE1,A,1000\n",
        [
            "missing_column.csv",
            "missing column(s) ['deaths']",
            "the file has 3 column(s): ['area', 'ethnicity', 'population']",
        ],
    ),
    (
        "text_in_count.csv",
        "area,ethnicity,deaths,population\nE1,A,3,1000\nE1,N,ten,400\n",
        ["text_in_count.csv", "column 'deaths'", "expected an integer", "row 2 (line 3)", "'ten'"],
    ),
    (
        "decimal_count.csv",
        "area,ethnicity,deaths,population\nE1,A,2.5,1000\n",
        ["column 'deaths'", "expected an integer", "row 1 (line 2)", "'2.5'"],
    ),
    (
        "negative_count.csv",
        "area,ethnicity,deaths,population\nE1,A,3,1000\nE1,N,2,400\nE2,A,-2,900\n",
        ["negative_count.csv", "column 'deaths'", "expected >= 0", "row 3 (line 4)", "-2"],
    ),
    (
        "zero_population.csv",
        "area,ethnicity,deaths,population\nE1,A,3,0\n",
        ["column 'population'", "expected >= 1", "row 1 (line 2)", ": 0"],
    ),
    (
        "unknown_code.csv",
        "area,ethnicity,deaths,population\nE1,Q,3,1000\n",
        ["unknown_code.csv", "column 'ethnicity'", "expected one of", "row 1 (line 2)", "'Q'"],
    ),
    (
        "duplicated_keys.csv",
        "area,ethnicity,deaths,population\nE1,A,3,1000\nE1,N,2,400\nE1,A,1,1000\n",
        [
            "duplicated_keys.csv",
            "key ['area', 'ethnicity']",
            "expected one row per key; 2 failing rows: row 1 (line 2): (area='E1', "
            "ethnicity='A'), row 3 (line 4): (area='E1', ethnicity='A')",
        ],
    ),
    (
        "blank_count.csv",
        "area,ethnicity,deaths,population\nE1,A,,1000\n",
        ["column 'deaths'", "blank not allowed", "row 1 (line 2)", "<blank>"],
    ),
    (
        "latin1.csv",
        "area,ethnicity,deaths,population\nSaint-Étienne,A,3,1000\n".encode("latin-1"),
        ["latin1.csv", "not valid UTF-8", "line 2", "Saint-Étienne", "encoding='cp1252'"],
    ),
    (
        "ragged.csv",
        "area,ethnicity,deaths,population\nE1,A,3,1000\nE1,N,2,400,99\n",
        ["ragged.csv", "cannot be read", "line 3"],
    ),
]


@pytest.mark.parametrize(("name", "content", "fragments"), CORPUS, ids=[c[0] for c in CORPUS])
def test_malformed_file_gives_clear_error(tmp_path, schema, name, content, fragments):
    path = _write(tmp_path, name, content)
    before = path.read_bytes()
    with pytest.raises(SchemaError) as info:
        data.load(path, schema=schema)
    message = str(info.value)
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in:\n{message}"
    assert path.read_bytes() == before  # the file is never modified


def test_all_problems_in_one_error(tmp_path, schema):
    path = _write(
        tmp_path,
        "many.csv",
        "area,ethnicity,deaths,population\nE1,A,ten,1000\nE1,Q,-1,400\nE1,A,2,\nE2,B,1,-5\n",
    )
    with pytest.raises(SchemaError) as info:
        data.load(path, schema=schema)
    message = str(info.value)
    assert "many.csv does not match schema 'deaths_by_area'" in message
    assert "column 'deaths': expected an integer; 1 failing row: row 1 (line 2): 'ten'" in message
    assert "column 'deaths': expected >= 0; 1 failing row: row 2 (line 3): -1" in message
    assert "column 'ethnicity': expected one of" in message and "row 2 (line 3): 'Q'" in message
    assert "column 'population': expected >= 1; 1 failing row: row 4 (line 5): -5" in message
    # the first line names the first problem in full and says where the others are
    first = message.splitlines()[0]
    assert "column 'ethnicity': expected one of" in first and "row 2 (line 3): 'Q'" in first
    assert "more problem(s) on the following lines" in first
    assert "key ['area', 'ethnicity']" in message
    # 'ten' failed conversion: it is not reported again as a blank value.
    assert "blank not allowed" not in message
    failures = info.value.failures
    assert list(failures.columns) == ["column", "expected", "row", "value"]
    assert set(failures["column"]) >= {"deaths", "ethnicity", "population"}


def test_error_shows_first_rows_and_counts_the_rest(tmp_path, schema):
    rows = "".join(f"E{i},A,-{i},100\n" for i in range(1, 13))
    path = _write(tmp_path, "lots.csv", "area,ethnicity,deaths,population\n" + rows)
    with pytest.raises(SchemaError) as info:
        data.load(path, schema=schema)
    message = str(info.value)
    assert "row 5 (line 6): -5" in message
    assert "row 6 (line 7)" not in message
    assert "12 failing rows" in message.splitlines()[0]
    assert "; and 7 more" in message.splitlines()[0]


# ---------------------------------------------------------------------------------------------
# Good files, encodings, options
# ---------------------------------------------------------------------------------------------


def test_good_csv(tmp_path, schema):
    path = _write(tmp_path, "good.csv", GOOD)
    assert_frame_equal(data.load(path, schema=schema), _expected_good())


def test_utf8_bom_is_accepted(tmp_path, schema):
    path = _write(tmp_path, "bom.csv", b"\xef\xbb\xbf" + GOOD.encode("utf-8"))
    got = data.load(path, schema=schema)
    assert list(got.columns) == ["area", "ethnicity", "deaths", "population"]
    assert_frame_equal(got, _expected_good())


def test_crlf_and_padded_header(tmp_path, schema):
    text = GOOD.replace(",", " , ", 3).replace("\n", "\r\n")
    got = data.load(_write(tmp_path, "crlf.csv", text), schema=schema)
    assert list(got.columns) == ["area", "ethnicity", "deaths", "population"]


def test_utf16_gzip_and_tsv(tmp_path, schema):
    utf16 = _write(tmp_path, "utf16.csv", GOOD.encode("utf-16"))
    assert_frame_equal(data.load(utf16, schema=schema), _expected_good())
    gz = tmp_path / "good.csv.gz"
    gz.write_bytes(gzip.compress(GOOD.encode("utf-8")))
    assert_frame_equal(data.load(gz, schema=schema), _expected_good())
    tsv = _write(tmp_path, "good.tsv", GOOD.replace(",", "\t"))
    assert_frame_equal(data.load(tsv, schema=schema), _expected_good())


def test_schema_error_carries_evidence_and_pickles(tmp_path, schema):
    path = _write(tmp_path, "neg.csv", "area,ethnicity,deaths,population\nE1,A,-1,10\n")
    with pytest.raises(SchemaError) as info:
        data.load(path, schema=schema)
    clone = pickle.loads(pickle.dumps(info.value))
    assert str(clone) == str(info.value)
    assert clone.path.endswith("neg.csv")
    assert clone.failures[["column", "row"]].values.tolist() == [["deaths", 1]]
    with pytest.raises(SchemaError) as empty:
        data.load(_write(tmp_path, "empty.csv", ""), schema=schema)
    assert empty.value.path.endswith("empty.csv")
    assert empty.value.failures.empty


def test_latin1_with_explicit_encoding(tmp_path, schema):
    content = "area,ethnicity,deaths,population\nSaint-Étienne,A,3,1000\n".encode("latin-1")
    got = data.load(_write(tmp_path, "latin1.csv", content), schema=schema, encoding="cp1252")
    assert got["area"].tolist() == ["Saint-Étienne"]


def test_semicolon_file_with_sep(tmp_path, schema):
    path = _write(tmp_path, "semi.csv", GOOD.replace(",", ";"))
    assert_frame_equal(data.load(path, schema=schema, sep=";"), _expected_good())


def test_header_only_allowed_when_asked(tmp_path, schema):
    path = _write(tmp_path, "header_only.csv", "area,ethnicity,deaths,population\n")
    got = data.load(path, schema=schema, allow_empty=True)
    assert len(got) == 0
    assert list(got.columns) == ["area", "ethnicity", "deaths", "population"]


def test_columns_subset(tmp_path, schema):
    path = _write(tmp_path, "good.csv", GOOD)
    got = data.load(path, schema=schema, columns=["deaths", "area"])
    assert list(got.columns) == ["deaths", "area"]
    assert got["deaths"].tolist() == [3, 2, 0]
    with pytest.raises(SchemaError, match=r"missing column\(s\) \['nope'\]"):
        data.load(path, schema=schema, columns=["area", "nope"])


def test_codes_keep_leading_zeros_and_na_spellings(tmp_path):
    schema = data.dataset_schema(
        "codes", columns={"code": "str", "n": data.column("int", nullable=True)}
    )
    path = _write(tmp_path, "codes.csv", "code,n\n01,1\nN,NA\nNone,\n")
    got = data.load(path, schema=schema)
    assert got["code"].tolist() == ["01", "N", "None"]
    assert got["n"].isna().tolist() == [False, True, True]


def test_bool_date_and_float_columns(tmp_path):
    schema = data.dataset_schema(
        "mixed",
        columns={
            "flag": "bool",
            "when": "date",
            "x": data.column("float", min=0, max=1),
        },
    )
    path = _write(tmp_path, "mixed.csv", "flag,when,x\nyes,2024-03-31,0.5\nFALSE,03/04/2023,1\n")
    got = data.load(path, schema=schema)
    assert got["flag"].tolist() == [True, False]
    assert got["when"].tolist() == [pd.Timestamp("2024-03-31"), pd.Timestamp("2023-04-03")]
    assert got["x"].tolist() == [0.5, 1.0]
    bad = _write(tmp_path, "bad.csv", "flag,when,x\nmaybe,yesterday,1.5\n")
    with pytest.raises(SchemaError) as info:
        data.load(bad, schema=schema)
    message = str(info.value)
    assert "column 'flag': expected true/false" in message and "'maybe'" in message
    assert "column 'when': expected a date" in message and "'yesterday'" in message
    assert "column 'x': expected between 0 and 1" in message and "1.5" in message


def test_strict_schema_rejects_extra_columns(tmp_path):
    schema = data.dataset_schema("strict", columns={"a": "int"}, strict=True)
    with pytest.raises(SchemaError, match="extra"):
        data.load(_write(tmp_path, "extra.csv", "a,extra\n1,2\n"), schema=schema)


def test_plain_pandera_schema_works(tmp_path):
    schema = pa.DataFrameSchema({"deaths": pa.Column(int, pa.Check.ge(0), coerce=True)})
    got = data.load(_write(tmp_path, "p.csv", "deaths\n1\n2\n"), schema=schema)
    assert got["deaths"].tolist() == [1, 2]


def test_missing_and_unsupported_files(tmp_path, schema):
    with pytest.raises(InputError, match="no such data file"):
        data.load(tmp_path / "nope.csv", schema=schema)
    with pytest.raises(InputError, match="unsupported file type"):
        data.load(_write(tmp_path, "x.xlsx", b"PK"), schema=schema)
    with pytest.raises(InputError, match="pandera DataFrameSchema"):
        data.load(_write(tmp_path, "good.csv", GOOD), schema={"a": "int"})


def test_relative_path_resolves_against_project_root():
    entry = data.reference_catalogue().set_index("name").loc["esp2013"]
    schema = data.dataset_schema("esp", columns={"standard_population": "int"})
    got = data.load(f"data/reference/{entry['file']}", schema=schema)
    assert len(got) == entry["rows"]


# ---------------------------------------------------------------------------------------------
# Nothing passed in is modified; inputs recorded; row counts logged
# ---------------------------------------------------------------------------------------------


def test_nothing_passed_in_is_modified(tmp_path, schema):
    path = _write(tmp_path, "good.csv", GOOD)
    schema_before = copy.deepcopy(schema)
    columns = ["deaths", "area"]
    bytes_before = path.read_bytes()
    data.load(path, schema=schema, columns=columns)
    data.load(str(path), schema=schema)
    assert columns == ["deaths", "area"]
    assert path.read_bytes() == bytes_before
    assert schema.unique == schema_before.unique == ["area", "ethnicity"]
    assert list(schema.columns) == list(schema_before.columns)
    assert schema == schema_before


def test_input_is_recorded(tmp_path, schema, monkeypatch):
    recorded = []
    monkeypatch.setattr(provenance, "record_input", lambda p: recorded.append(Path(p)))
    path = _write(tmp_path, "good.csv", GOOD)
    data.load(path, schema=schema)
    assert recorded == [path.resolve()]


def test_row_counts_are_logged(tmp_path, schema, caplog):
    path = _write(tmp_path, "good.csv", GOOD)
    with caplog.at_level(logging.INFO, logger="rhoresearch.data"):
        data.load(path, schema=schema)
    assert any("3 rows in, 3 rows out" in r.getMessage() for r in caplog.records)


# ---------------------------------------------------------------------------------------------
# Parquet
# ---------------------------------------------------------------------------------------------


def test_parquet_roundtrip(tmp_path, schema):
    path = tmp_path / "good.parquet"
    _expected_good().to_parquet(path, index=False)
    assert_frame_equal(data.load(path, schema=schema), _expected_good())
    subset = data.load(path, schema=schema, columns=["area", "deaths"])
    assert list(subset.columns) == ["area", "deaths"]


def test_parquet_errors_name_rows_and_values(tmp_path, schema):
    frame = _expected_good().assign(
        deaths=pd.array([3, -4, 0], dtype="Int64"), ethnicity=["A", "N", "Q"]
    )
    path = tmp_path / "bad.parquet"
    frame.to_parquet(path, index=False)
    with pytest.raises(SchemaError) as info:
        data.load(path, schema=schema)
    message = str(info.value)
    assert "bad.parquet does not match schema 'deaths_by_area'" in message
    assert "column 'deaths': expected >= 0; 1 failing row: row 2: -4" in message
    assert "column 'ethnicity': expected one of" in message and "row 3: 'Q'" in message
    assert "line" not in message.split("\n")[1]


def test_parquet_text_in_count_and_missing_column(tmp_path, schema):
    frame = pd.DataFrame({"area": ["E1", "E2"], "ethnicity": ["A", "A"], "deaths": ["1", "lots"]})
    path = tmp_path / "text.parquet"
    frame.to_parquet(path, index=False)
    with pytest.raises(SchemaError) as info:
        data.load(path, schema=schema)
    message = str(info.value)
    assert "column 'deaths': expected an integer; 1 failing row: row 2: 'lots'" in message
    assert "missing column(s) ['population']" in message


def test_not_a_parquet_file(tmp_path, schema):
    path = _write(tmp_path, "fake.parquet", GOOD)
    with pytest.raises(SchemaError, match=r"fake\.parquet: cannot be read as Parquet"):
        data.load(path, schema=schema)


# ---------------------------------------------------------------------------------------------
# dataset_schema
# ---------------------------------------------------------------------------------------------


def test_dataset_schema_declares_key_and_types(schema):
    assert schema.name == "deaths_by_area"
    assert schema.unique == ["area", "ethnicity"]
    assert str(schema.columns["deaths"].dtype) == "Int64"
    assert schema.columns["population"].nullable


def test_dataset_schema_rejects_bad_specs():
    with pytest.raises(InputError, match="key or reference column"):
        data.dataset_schema("x", columns={"a": "int"}, key=["b"])
    with pytest.raises(InputError, match="column 'a'"):
        data.dataset_schema("x", columns={"a": 3})


# ---------------------------------------------------------------------------------------------
# Reference catalogue
# ---------------------------------------------------------------------------------------------


def _catalogue() -> dict:
    return json.loads((config.reference_dir() / "catalogue.json").read_text(encoding="utf-8"))


def test_every_catalogue_entry_matches_its_file_and_every_file_is_catalogued():
    status = data.verify_reference_catalogue()
    assert not status.empty
    assert (status["status"] == "ok").all(), status[status["status"] != "ok"].to_string()
    files = sorted(
        p.name
        for p in config.reference_dir().iterdir()
        if p.is_file() and p.name != "catalogue.json" and not p.name.lower().startswith("readme")
    )
    assert sorted(status["file"]) == files
    for entry in _catalogue()["tables"].values():
        path = config.reference_dir() / entry["file"]
        assert provenance.file_sha256(path) == entry["sha256"]
        assert path.stat().st_size == entry["bytes"]


def test_catalogue_entries_are_complete():
    for name, entry in _catalogue()["tables"].items():
        for field in ("title", "publisher", "source_url", "licence", "retrieved", "sha256"):
            assert entry[field].strip(), (name, field)
        assert re.fullmatch(r"[0-9a-f]{64}", entry["sha256"])
        date.fromisoformat(entry["retrieved"])
        assert entry["source_url"].startswith("https://")
        header = pd.read_csv(config.reference_dir() / entry["file"], nrows=0).columns.tolist()
        assert header == [c["name"] for c in entry["columns"]], name
        assert set(entry["key"]) <= set(header)


def test_reference_catalogue_frame():
    frame = data.reference_catalogue()
    assert list(frame.columns) == [
        "name",
        "file",
        "title",
        "publisher",
        "source_url",
        "source_note",
        "licence",
        "retrieved",
        "sha256",
        "bytes",
        "rows",
        "columns",
        "key",
    ]
    assert {"esp2013", "census2021_ts021", "nhs_ethnic_category"} <= set(frame["name"])
    assert frame["licence"].str.contains("Open Government Licence v3.0").all()


@pytest.mark.parametrize(
    "name",
    [
        e
        for e in json.loads(
            (config.reference_dir() / "catalogue.json").read_text(encoding="utf-8")
        )["tables"]
    ],
)
def test_every_reference_table_loads(name):
    entry = _catalogue()["tables"][name]
    got = data.load_reference(name)
    assert list(got.columns) == [c["name"] for c in entry["columns"]]
    assert len(got) == entry["rows"]
    assert not got.duplicated(entry["key"]).any()


def test_load_reference_by_file_name_and_records_input(monkeypatch):
    recorded = []
    monkeypatch.setattr(provenance, "record_input", lambda p: recorded.append(Path(p).name))
    got = data.load_reference("esp2013_european_standard_population.csv", columns=["scheme"])
    assert list(got.columns) == ["scheme"]
    assert recorded == ["esp2013_european_standard_population.csv"]


def test_load_reference_unknown_name():
    with pytest.raises(InputError, match="no reference table 'nope'.*esp2013"):
        data.load_reference("nope")


@pytest.fixture
def scratch_root(tmp_path, monkeypatch) -> Path:
    """A copy of data/reference under a scratch project root."""
    shutil.copytree(config.reference_dir(), tmp_path / "data" / "reference")
    monkeypatch.setenv("RHORESEARCH_ROOT", str(tmp_path))
    return tmp_path


def test_changed_reference_file_raises(scratch_root):
    path = config.reference_dir() / data.reference_path("esp2013").name
    assert str(path).startswith(str(scratch_root))
    path.write_text(path.read_text(encoding="utf-8").replace("1000", "1001", 1), encoding="utf-8")
    with pytest.raises(VerificationError, match="'esp2013'.*has changed"):
        data.load_reference("esp2013")
    status = data.verify_reference_catalogue().set_index("file")["status"]
    assert status[path.name] == "changed"


def test_uncatalogued_and_missing_reference_files_are_reported(scratch_root):
    (config.reference_dir() / "stray.csv").write_text("a\n1\n", encoding="utf-8")
    (config.reference_dir() / "esp2013_european_standard_population.csv").unlink()
    status = data.verify_reference_catalogue().set_index("file")["status"]
    assert status["stray.csv"] == "not catalogued"
    assert status["esp2013_european_standard_population.csv"] == "missing"
    with pytest.raises(InputError, match="missing"):
        data.load_reference("esp2013")


# ---------------------------------------------------------------------------------------------
# Backtests of the reference tables against their published totals
# ---------------------------------------------------------------------------------------------


def test_esp2013_schemes_sum_to_100000():
    esp = data.load_reference("esp2013")
    totals = esp.groupby("scheme")["standard_population"].sum()
    assert totals.to_dict() == {"19_band": 100_000, "21_band": 100_000}


def test_ts021_totals():
    ts021 = data.load_reference("census2021_ts021")
    detail = ts021[ts021["category_level"] == "detail"]
    by_geo = detail.groupby("geography_code")["count"].sum()
    # Published usual residents: England 56,490,048; Wales 3,107,494; total 59,597,542.
    assert by_geo.to_dict() == {
        "E92000001": 56_490_048,
        "K04000001": 59_597_542,
        "W92000004": 3_107_494,
    }
    assert (ts021.groupby("geography_code")["all_usual_residents"].nunique() == 1).all()
