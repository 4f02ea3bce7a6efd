"""Tests for rhoresearch.disclosure: suppression, rounding, the check and the scan of outputs."""

from __future__ import annotations

import json
import pickle

import numpy as np
import pandas as pd
import pandas.testing as pdt
import pytest

from rhoresearch import disclosure
from rhoresearch.disclosure import SUPPRESSED as C
from rhoresearch.exceptions import DisclosureError, InputError


def _groups(counts, population=None):
    groups = ["Asian", "Black", "Mixed", "White", "Other"][: len(counts)]
    data = {"ethnic_group": groups, "count": counts}
    if population is not None:
        data["population"] = population
    return pd.DataFrame(data)


def _cells(table, reason=None):
    return sorted(
        (c["row"], c["column"])
        for c in table.attrs["suppressed_cells"]
        if reason is None or c["reason"] == reason
    )


# -- primary ---------------------------------------------------------------------------------------


def test_primary_suppresses_counts_below_threshold_only():
    t = pd.DataFrame({"g": list("abcdef"), "count": [1, 4, 5, 6, 100, 0]})
    out = disclosure.suppress(t, counts="count", secondary=False)
    expected = pd.Series([C, C, 5, 6, 100, 0], dtype=object, name="count")
    pdt.assert_series_equal(out["count"], expected)
    assert _cells(out, "primary") == [(0, "count"), (1, "count")]


def test_threshold_is_configurable():
    t = pd.DataFrame({"g": list("abc"), "count": [7, 8, 50]})
    out = disclosure.suppress(t, counts="count", threshold=8, secondary=False)
    assert out["count"].tolist() == [C, 8, 50]


def test_zero_shown_by_default_and_suppressed_by_option():
    t = pd.DataFrame({"g": list("abcd"), "count": [0, 10, 20, 30]})
    shown = disclosure.suppress(t, counts="count")
    pdt.assert_frame_equal(shown.reset_index(drop=True), t)  # nothing to suppress, dtype kept
    hidden = disclosure.suppress(t, counts="count", suppress_zero=True)
    # the zero alone would be recoverable from the total: the smallest other count goes too
    assert hidden["count"].tolist() == [C, C, 20, 30]
    assert _cells(hidden, "primary") == [(0, "count")]
    assert _cells(hidden, "secondary") == [(1, "count")]


def test_missing_counts_are_left_missing():
    t = pd.DataFrame({"g": list("abc"), "count": [np.nan, 20.0, 30.0]})
    out = disclosure.suppress(t, counts="count")
    pdt.assert_frame_equal(out, t)


# -- secondary -------------------------------------------------------------------------------------


def test_only_small_cell_recoverable_from_total_gets_a_second_cell_suppressed():
    # the "done when": Black = 3 is the only small cell; with the total (175) published,
    # 175 - 20 - 12 - 100 - 40 would give it back, so the next smallest (Mixed, 12) is suppressed.
    t = _groups([20, 3, 12, 100, 40])
    out = disclosure.suppress(t, counts="count")
    assert out["count"].tolist() == [20, C, C, 100, 40]
    assert _cells(out, "primary") == [(1, "count")]
    assert _cells(out, "secondary") == [(2, "count")]
    disclosure.check(out, counts="count", by=None, margins=[None])  # the total reveals nothing
    with pytest.raises(DisclosureError, match="only suppressed cell"):
        disclosure.check(
            disclosure.suppress(t, counts="count", secondary=False), counts="count", margins=[None]
        )


def test_two_small_cells_need_no_secondary():
    t = _groups([20, 3, 2, 100, 40])
    out = disclosure.suppress(t, counts="count")
    assert out["count"].tolist() == [20, C, C, 100, 40]
    assert _cells(out, "secondary") == []


def test_secondary_within_by_groups():
    t = pd.DataFrame(
        {
            "year": [2020] * 3 + [2021] * 3,
            "ethnic_group": ["Asian", "Black", "White"] * 2,
            "count": [30, 2, 50, 40, 60, 70],
        }
    )
    out = disclosure.suppress(t, counts="count", by="year")
    # 2020 has its small cell and the next smallest suppressed; 2021 is untouched
    assert out["count"].tolist() == [C, C, 50, 40, 60, 70]
    disclosure.check(out, counts="count", by="year")


def test_two_way_table_with_row_and_column_totals():
    # a 3 x 3 table (year x group) whose year totals and group totals are both published
    t = pd.DataFrame(
        {
            "year": [2020] * 3 + [2021] * 3 + [2022] * 3,
            "group": ["A", "B", "C"] * 3,
            "count": [3, 20, 10, 12, 4, 30, 15, 25, 40],
        }
    )
    out = disclosure.suppress(t, counts="count", by="year", margins=["group"])
    # primary (2020, A) and (2021, B); the cheapest protection is the rectangle (2020, B), (2021, A)
    assert out["count"].tolist() == [C, C, 10, C, C, 30, 15, 25, 40]
    assert _cells(out, "secondary") == [(1, "count"), (3, "count")]
    disclosure.check(out, counts="count", by="year", margins=["group"])
    # protecting the year totals only would leave the group totals revealing a cell
    by_year_only = disclosure.suppress(t, counts="count", by="year")
    with pytest.raises(DisclosureError, match="recoverable"):
        disclosure.check(by_year_only, counts="count", by="year", margins=["group"])


def test_two_way_iterates_until_stable():
    # one small cell in a 3 x 3 table: suppressing a partner in its row creates a single in another
    # column, which needs another partner, and so on until every row and column has 0 or >= 2.
    t = pd.DataFrame(
        {
            "r": ["x"] * 3 + ["y"] * 3 + ["z"] * 3,
            "c": ["p", "q", "s"] * 3,
            "count": [2, 50, 60, 70, 80, 90, 100, 110, 120],
        }
    )
    out = disclosure.suppress(t, counts="count", by="r", margins=["c"])
    disclosure.check(out, counts="count", by="r", margins=["c"])
    suppressed = out["count"].eq(C)
    assert suppressed.sum() == 4
    assert suppressed.groupby(t["r"]).sum().isin([0, 2]).all()
    assert suppressed.groupby(t["c"]).sum().isin([0, 2]).all()


def test_explicit_total_row_is_not_chosen_and_is_protected():
    t = pd.DataFrame(
        {"ethnic_group": ["Asian", "Black", "White", "Total"], "count": [30, 2, 60, 92]}
    )
    out = disclosure.suppress(t, counts="count")
    assert out["count"].tolist() == [C, C, 60, 92]
    disclosure.check(out, counts="count", margins=[None])


def test_wide_table_with_row_total_column():
    t = pd.DataFrame(
        {
            "ethnic_group": ["Asian", "Black", "White"],
            "appointed": [3, 20, 40],
            "not_appointed": [30, 40, 50],
            "shortlisted": [33, 60, 90],
        }
    )
    counts = ["appointed", "not_appointed", "shortlisted"]
    out = disclosure.suppress(t, counts=counts, row_total="shortlisted")
    disclosure.check(out, counts=counts, margins=[None], row_total="shortlisted")
    # the Asian row: appointed (primary) and one more cell of that row
    assert out.loc[0, "appointed"] == C
    assert (out.loc[0, counts] == C).sum() >= 2
    # the appointed column: a second cell suppressed
    assert (out["appointed"] == C).sum() >= 2


def test_unprotectable_group_is_reported():
    # a by group holding one row with a small count and a second row whose count is missing
    t = pd.DataFrame({"year": [2020, 2020, 2021, 2021], "count": [2, np.nan, 30, 40]})
    out = disclosure.suppress(t, counts="count", by="year")
    assert out["count"].tolist()[0] == C
    assert out.attrs["disclosure"]["unprotected"] == ["the total of year=2020 (column 'count')"]


# -- derived ---------------------------------------------------------------------------------------


def _indicator_table():
    t = _groups([20, 3, 12, 100, 40], population=[1000, 800, 500, 9000, 700])
    t["value"] = t["count"] / t["population"] * 100_000
    t["lower_ci"] = t["value"] * 0.8
    t["upper_ci"] = t["value"] * 1.2
    t["method"] = "Byar"
    return t


def test_derived_columns_blanked_where_counts_are_suppressed():
    t = _indicator_table()
    out = disclosure.suppress(t, counts="count")
    for col in ["value", "lower_ci", "upper_ci"]:
        assert out[col].tolist()[1:3] == [C, C]
        assert out[col].iloc[0] == pytest.approx(t[col].iloc[0])
    # denominators and descriptive columns are left as they were
    pdt.assert_series_equal(out["population"], t["population"])
    pdt.assert_series_equal(out["method"], t["method"])
    assert _cells(out, "derived") == sorted(
        (r, c) for r in (1, 2) for c in ("value", "lower_ci", "upper_ci")
    )


def test_derived_explicit_mapping_for_wide_tables():
    t = pd.DataFrame(
        {
            "g": ["a", "b", "c"],
            "count_f": [2, 30, 40],
            "count_m": [30, 40, 50],
            "rate_f": [0.1, 0.2, 0.3],
            "rate_m": [0.4, 0.5, 0.6],
        }
    )
    out = disclosure.suppress(
        t,
        counts=["count_f", "count_m"],
        derived={"count_f": ["rate_f"], "count_m": ["rate_m"]},
    )
    assert out["rate_f"].tolist() == [C, C, 0.3]
    pdt.assert_series_equal(out["rate_m"], t["rate_m"])


# -- rounding --------------------------------------------------------------------------------------


def test_rounding_to_nearest_five_after_suppression():
    t = pd.DataFrame({"g": list("abcde"), "count": [3, 12, 13, 17, 102], "population": [1] * 5})
    out = disclosure.suppress(t, counts="count", rounding=5)
    assert out["count"].tolist() == [C, C, 15, 15, 100]
    assert out.attrs["disclosure"]["rounding"] == 5
    assert "rounded to the nearest 5" in disclosure.suppression_note(out)


def test_rounding_keeps_integer_dtype_when_nothing_suppressed():
    t = pd.DataFrame({"g": list("ab"), "count": [12, 18]})
    out = disclosure.suppress(t, counts="count", rounding=5)
    pdt.assert_series_equal(out["count"], pd.Series([10, 20], name="count"))


# -- output contract -------------------------------------------------------------------------------


def test_input_not_mutated():
    t = _indicator_table()
    before = t.copy(deep=True)
    disclosure.suppress(t, counts="count", rounding=5, suppress_zero=True)
    pdt.assert_frame_equal(t, before)
    assert t.attrs == {}


def test_index_and_columns_kept():
    t = _indicator_table().set_index("ethnic_group")
    out = disclosure.suppress(t, counts="count")
    assert list(out.columns) == list(t.columns)
    pdt.assert_index_equal(out.index, t.index)
    assert ("Black", "count") in _cells(out)


def test_summary_and_note():
    out = disclosure.suppress(_indicator_table(), counts="count")
    summary = disclosure.suppression_summary(out)
    expected = pd.DataFrame(
        {
            "column": pd.Series(["count", "count", "value", "lower_ci", "upper_ci"], dtype=object),
            "reason": pd.Series(
                ["primary", "secondary", "derived", "derived", "derived"], dtype=object
            ),
            "cells": pd.Series([1, 1, 2, 2, 2], dtype="int64"),
        }
    )
    pdt.assert_frame_equal(summary, expected)
    assert disclosure.suppression_note(out) == (
        "[c] = confidential (suppressed): 1 count below 5, 1 more count so that no suppressed "
        "count can be worked out from totals, and 6 values derived from suppressed counts."
    )


def test_resuppressing_a_suppressed_table_is_stable():
    once = disclosure.suppress(_indicator_table(), counts="count")
    twice = disclosure.suppress(once, counts="count")
    pdt.assert_frame_equal(once, twice)


# -- bad input -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("table", "kwargs", "message"),
    [
        (_groups([1, 2]), {"counts": "deaths"}, r"count column\(s\) \['deaths'\] not found"),
        (
            pd.DataFrame({"count": ["12", "many"]}),
            {"counts": "count"},
            r"not numbers.*'many'",
        ),
        (pd.DataFrame({"count": [3, -1]}), {"counts": "count"}, "negative"),
        (_groups([1, 2]), {"counts": "count", "threshold": 0}, "threshold"),
        (_groups([1, 2]), {"counts": "count", "rounding": 2.5}, "rounding"),
        (_groups([1, 2]), {"counts": "count", "by": "year"}, r"by/margins column\(s\) \['year'\]"),
        (_groups([1, 2]), {"counts": "count", "derived": ["rate"]}, r"derived column\(s\)"),
        (_groups([1, 2]), {"counts": []}, "at least one"),
        ([1, 2], {"counts": "count"}, "DataFrame"),
    ],
)
def test_bad_input_raises_input_error(table, kwargs, message):
    with pytest.raises(InputError, match=message):
        disclosure.suppress(table, **kwargs)


def test_text_counts_that_are_numbers_are_accepted():
    t = pd.DataFrame({"g": list("abc"), "count": pd.Series(["2", "30", "40"], dtype="str")})
    out = disclosure.suppress(t, counts="count")
    assert out["count"].tolist() == [C, C, "40"]


# -- check -----------------------------------------------------------------------------------------


def test_check_returns_safe_table_unchanged():
    t = _groups([20, 30, 0])
    assert disclosure.check(t, counts="count") is t


def test_check_names_table_and_cell():
    t = _groups([20, 3, 12])
    with pytest.raises(DisclosureError) as info:
        disclosure.check(t, counts="count", name="deaths_by_group")
    message = str(info.value)
    assert "'deaths_by_group'" in message
    assert "row 1 (ethnic_group=Black), column 'count', value 3" in message
    assert info.value.cells == [(1, "count", 3)]


def test_check_zero_configurable():
    t = _groups([20, 0, 12])
    disclosure.check(t, counts="count")
    with pytest.raises(DisclosureError, match="zero count"):
        disclosure.check(t, counts="count", suppress_zero=True)


def test_check_derived_shown_beside_suppressed_count():
    t = _indicator_table()
    t["count"] = t["count"].astype(object)
    t.loc[[1, 2], "count"] = C
    with pytest.raises(DisclosureError, match="derived from the suppressed count") as info:
        disclosure.check(t, counts="count")
    assert {(r, c) for r, c, _ in info.value.cells} == {
        (r, c) for r in (1, 2) for c in ("value", "lower_ci", "upper_ci")
    }
    disclosure.check(disclosure.suppress(t, counts="count"), counts="count")


def test_check_single_suppressed_cell_in_group_with_by():
    t = pd.DataFrame({"year": [2020, 2020, 2020], "count": [C, 30, 40]})
    disclosure.check(t, counts="count")  # no grouping declared: no secondary check
    with pytest.raises(DisclosureError, match=r"year=2020.*recoverable"):
        disclosure.check(t, counts="count", by="year")


def test_check_rejects_text_in_counts():
    with pytest.raises(InputError, match="not numbers"):
        disclosure.check(pd.DataFrame({"count": ["ten"]}), counts="count")


def test_disclosure_error_pickles():
    try:
        disclosure.check(_groups([2, 30]), counts="count", name="t")
    except DisclosureError as exc:
        again = pickle.loads(pickle.dumps(exc))
        assert str(again) == str(exc)
        assert again.cells == exc.cells
    else:
        pytest.fail("check did not raise")


# -- naming convention, sidecar and scan -----------------------------------------------------------


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
        ("n", True),
    ],
)
def test_is_count_column(name, expected):
    assert disclosure.is_count_column(name) is expected


def test_denominators_counted_only_on_request():
    assert disclosure.is_count_column("population", include_denominators=True)
    assert disclosure.is_count_column("ref_denominator", include_denominators=True)


def test_sidecar_round_trip(tmp_path):
    csv = tmp_path / "results" / "rates.csv"
    written = disclosure.write_sidecar(csv, counts=["deaths"], threshold=10, by="year")
    assert written == tmp_path / "results" / "rates.meta.json"
    doc = json.loads(written.read_text())
    assert doc["format"] == "rhoresearch.disclosure/1"
    meta = disclosure.read_sidecar(csv)
    assert meta["counts"] == ["deaths"]
    assert meta["threshold"] == 10
    assert meta["by"] == ["year"]
    assert disclosure.read_sidecar(tmp_path / "none.csv") is None


def test_read_sidecar_rejects_bad_format(tmp_path):
    (tmp_path / "x.meta.json").write_text('{"format": "other", "counts": []}')
    with pytest.raises(InputError, match="format"):
        disclosure.read_sidecar(tmp_path / "x.csv")


def test_scan_finds_planted_unsafe_cells(tmp_path):
    results = tmp_path / "report_a" / "results"
    results.mkdir(parents=True)
    safe = disclosure.suppress(_indicator_table(), counts="count")
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

    found = disclosure.scan(tmp_path)
    assert found.attrs["files_scanned"] == 6
    assert list(found.columns) == ["file", "row", "column", "value", "reason"]
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
    disclosure.suppress(_indicator_table(), counts="count").to_csv(tmp_path / "t.csv", index=False)
    found = disclosure.scan(tmp_path)
    assert found.empty
    assert list(found.columns) == ["file", "row", "column", "value", "reason"]


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


def test_large_three_way_table_is_protected_on_every_margin():
    rng = np.random.default_rng(0)
    index = pd.MultiIndex.from_product(
        [[f"P{i}" for i in range(40)], ["Asian", "Black", "Mixed", "White", "Other"], range(3)],
        names=["provider", "ethnic_group", "year"],
    )
    table = index.to_frame(index=False).assign(count=rng.poisson(8, len(index)))
    options = {
        "by": ["provider", "year"],
        "margins": [["provider", "ethnic_group"], ["ethnic_group", "year"]],
    }
    out = disclosure.suppress(table, counts="count", **options)
    assert out.attrs["disclosure"]["unprotected"] == []
    assert disclosure.suppression_summary(out)["cells"].sum() > 0
    disclosure.check(out, counts="count", **options)
