"""Tests for the naming convention, the sidecar files and the scan of written CSVs."""

from __future__ import annotations

import json
import logging

import numpy as np
import pandas as pd
import pandas.testing as pdt
import pytest

from rhoresearch import disclosure
from rhoresearch.disclosure import SUPPRESSED as C
from rhoresearch.exceptions import InputError

SCAN_COLUMNS = ["file", "row", "column", "value", "reason"]


def _indicator_table():
    t = pd.DataFrame(
        {
            "ethnic_group": ["Asian", "Black", "Mixed", "White", "Other"],
            "count": [20, 3, 12, 100, 40],
            "population": [1000, 800, 500, 9000, 700],
        }
    )
    t["value"] = t["count"] / t["population"] * 100_000
    return t


def _published(table, **options):
    """What a report writes: suppressed, then rendered."""
    return disclosure.render(disclosure.suppress(table, **options))


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("count", True),
        ("n", True),
        ("numerator", True),
        ("events", True),
        ("n_deaths", True),
        ("deaths_count", True),
        ("count_female", True),
        ("Count", True),
        ("denominator", False),
        ("population", False),
        ("value", False),
        ("country", False),
        ("count_suppressed", False),
    ],
)
def test_is_count_column(name, expected):
    assert disclosure.is_count_column(name) is expected


def test_denominators_counted_only_on_request():
    assert disclosure.is_count_column("population", include_denominators=True)
    assert disclosure.is_count_column("ref_denominator", include_denominators=True)
    assert not disclosure.is_count_column("ref_denominator")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("value", True),
        ("lower_ci", True),
        ("rate_female", True),
        ("crude_rate", True),
        ("kappa_upper_ci", True),
        ("method", False),
        ("population", False),
    ],
)
def test_is_derived_column(name, expected):
    assert disclosure.is_derived_column(name) is expected


def test_sidecar_round_trip(tmp_path):
    csv = tmp_path / "results" / "rates.csv"
    written = disclosure.write_sidecar(
        csv, counts=["deaths"], threshold=10, by="year", margins=["group"], derived=["rate"]
    )
    assert written == tmp_path / "results" / "rates.meta.json"
    assert written.read_text().endswith("\n")
    doc = json.loads(written.read_text())
    assert doc == {
        "format": "rhoresearch.disclosure/1",
        "counts": ["deaths"],
        "threshold": 10,
        "by": ["year"],
        "margins": [["group"]],
        "row_total": None,
        "derived": ["rate"],
        "suppress_zero": False,
    }
    # the keys added for policies and the interval audit are written only when not the defaults
    defaults = {"total_label": "Total", "protection_width": 1, "policy": None}
    assert disclosure.read_sidecar(csv) == {**doc, **defaults}
    assert disclosure.read_sidecar(tmp_path / "none.csv") is None


def test_sidecar_records_a_policy_and_total_label(tmp_path):
    csv = tmp_path / "rates.csv"
    nhs = disclosure.policy("nhs-england")
    disclosure.write_sidecar(csv, counts=["n"], total_label="All", policy=nhs)
    meta = disclosure.read_sidecar(csv)
    assert meta["policy"] == nhs
    assert meta["total_label"] == "All"


def test_sidecar_path():
    assert disclosure.sidecar_path("a/b.csv").as_posix() == "a/b.meta.json"
    assert disclosure.sidecar_path("a/b.meta.json").as_posix() == "a/b.meta.json"


def test_read_sidecar_rejects_bad_format(tmp_path):
    (tmp_path / "x.meta.json").write_text('{"format": "other", "counts": []}')
    with pytest.raises(InputError, match="format"):
        disclosure.read_sidecar(tmp_path / "x.csv")


def test_scan_finds_planted_unsafe_cells(tmp_path, caplog):
    results = tmp_path / "report_a" / "results"
    results.mkdir(parents=True)
    safe = _published(_indicator_table(), counts="count")
    safe.to_csv(results / "safe.csv", index=False)
    # planted 1: a small count under the naming convention
    pd.DataFrame({"ethnic_group": ["Asian", "Black"], "n_births": [40, 2]}).to_csv(
        results / "small.csv", index=False
    )
    # planted 2: a derived value shown beside a suppressed count
    leak = safe.copy()
    leak.loc[1, "value"] = "375.0"
    leak.to_csv(results / "leak.csv", index=False)
    # planted 3: a count column not following the convention, declared in a sidecar
    pd.DataFrame({"ethnic_group": ["Asian", "Black"], "deaths": [40, 3]}).to_csv(
        results / "sidecar.csv", index=False
    )
    disclosure.write_sidecar(results / "sidecar.csv", counts=["deaths"], threshold=5)
    # planted 4: text in a count column
    pd.DataFrame({"g": ["a"], "count": ["lots"]}).to_csv(results / "text.csv", index=False)
    # not a count by convention: ignored
    pd.DataFrame({"g": ["a"], "score": [1]}).to_csv(tmp_path / "other.csv", index=False)

    with caplog.at_level(logging.INFO, logger="rhoresearch.disclosure"):
        found = disclosure.scan(tmp_path)
    assert f"scan {tmp_path}: 6 file(s), 4 unsafe cell(s)" in [
        r.getMessage() for r in caplog.records
    ]
    assert found.attrs == {}
    assert list(found.columns) == SCAN_COLUMNS
    got = {
        (f, r, c, v)
        for f, r, c, v in found[["file", "row", "column", "value"]].itertuples(index=False)
    }
    assert got == {
        ("report_a/results/leak.csv", 1, "value", "375.0"),
        ("report_a/results/small.csv", 1, "n_births", "2"),
        ("report_a/results/sidecar.csv", 1, "deaths", "3"),
        ("report_a/results/text.csv", 0, "count", "lots"),
    }


def test_scan_of_safe_folder_is_empty(tmp_path):
    _published(_indicator_table(), counts="count").to_csv(tmp_path / "t.csv", index=False)
    text = (tmp_path / "t.csv").read_text()
    assert text.count(C) == 4  # two counts and their two values, written as [c]
    found = disclosure.scan(tmp_path)
    pdt.assert_frame_equal(
        found,
        pd.DataFrame(
            {
                "file": pd.Series([], dtype=object),
                "row": pd.Series([], dtype="Int64"),
                "column": pd.Series([], dtype=object),
                "value": pd.Series([], dtype=object),
                "reason": pd.Series([], dtype=object),
            }
        ),
    )


def test_scan_sidecar_threshold_is_stricter(tmp_path):
    pd.DataFrame({"count": [7, 30]}).to_csv(tmp_path / "t.csv", index=False)
    assert disclosure.scan(tmp_path).empty
    disclosure.write_sidecar(tmp_path / "t.csv", counts=["count"], threshold=10)
    assert disclosure.scan(tmp_path)["value"].tolist() == ["7"]


def test_scan_rejects_missing_folder(tmp_path):
    with pytest.raises(InputError, match="not a folder"):
        disclosure.scan(tmp_path / "nope")


def test_scan_repeats_the_secondary_check_declared_in_the_sidecar(tmp_path):
    table = pd.DataFrame({"year": [2020, 2020, 2020, 2021, 2021], "count": [C, 30, 40, C, C]})
    table.to_csv(tmp_path / "by_year.csv", index=False)
    assert disclosure.scan(tmp_path).empty  # no grouping known: nothing recoverable
    disclosure.write_sidecar(tmp_path / "by_year.csv", counts="count", by="year")
    found = disclosure.scan(tmp_path)
    assert found[["row", "column", "value"]].values.tolist() == [[0, "count", "[c]"]]
    assert "year='2020'" in found["reason"].iloc[0]


def test_scan_reports_unreadable_sidecar_and_missing_columns(tmp_path):
    pd.DataFrame({"g": ["a", "b"], "deaths": [40, 30]}).to_csv(tmp_path / "t.csv", index=False)
    disclosure.write_sidecar(tmp_path / "t.csv", counts=["deaths", "births"], by="region")
    found = disclosure.scan(tmp_path)
    assert sorted(found["reason"]) == [
        "sidecar groupings name columns absent from the file",
        "sidecar names count column 'births', absent from the file",
    ]
    (tmp_path / "t.meta.json").write_text("{not json")
    assert disclosure.scan(tmp_path)["reason"].str.startswith("unreadable disclosure sidecar").all()


def test_scan_of_a_suppressed_table_written_with_numbers_for_nan(tmp_path):
    # missing counts are written as empty cells and are not unsafe
    t = pd.DataFrame({"g": list("abc"), "count": [np.nan, 20.0, 30.0]})
    _published(t, counts="count").to_csv(tmp_path / "t.csv", index=False)
    assert disclosure.scan(tmp_path).empty
