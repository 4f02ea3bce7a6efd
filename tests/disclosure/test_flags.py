"""Tests for the representation of suppressed cells: flag columns, is_suppressed, render, select,
rename, and flags following rows through filters, concatenations and merges."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pandas.testing as pdt
import pytest

from rhoresearch import disclosure
from rhoresearch.disclosure import SUPPRESSED as C
from rhoresearch.exceptions import InputError


def _flags(*values):
    return pd.Series(list(values), dtype="str")


def _objects(*values):
    return pd.Series(list(values), dtype=object)


def _suppressed_rates():
    """A suppressed table: Mixed (2) primary, Black (12) secondary, their rates derived."""
    t = pd.DataFrame(
        {
            "year": [2020] * 4,
            "ethnic_group": ["Asian", "Black", "Mixed", "White"],
            "count": [30, 12, 2, 90],
            "value": [3.0, 1.2, 0.2, 9.0],
        }
    )
    return disclosure.suppress(t, counts="count")


def test_flag_column_names():
    assert disclosure.flag_column("value") == "value_suppressed"
    assert disclosure.FLAG_SUFFIX == "_suppressed"
    assert disclosure.is_flag_column("n_suppressed")
    assert not disclosure.is_flag_column("_suppressed")
    assert not disclosure.is_flag_column("value")
    assert not disclosure.is_flag_column(3)


def test_flag_columns_are_neither_counts_nor_derived():
    assert disclosure.is_count_column("n_births")
    assert not disclosure.is_count_column("n_suppressed")
    assert disclosure.is_derived_column("value_lower")
    assert not disclosure.is_derived_column("value_suppressed")


# -- is_suppressed ---------------------------------------------------------------------------------


def test_is_suppressed_reads_flags():
    out = _suppressed_rates()
    pdt.assert_series_equal(
        disclosure.is_suppressed(out, "count"),
        pd.Series([False, True, True, False], name="count"),
    )
    pdt.assert_series_equal(
        disclosure.is_suppressed(out, "value"),
        pd.Series([False, True, True, False], name="value"),
    )
    pdt.assert_series_equal(
        disclosure.is_suppressed(out, "ethnic_group"),
        pd.Series([False] * 4, name="ethnic_group"),
    )


def test_is_suppressed_reads_the_published_symbol():
    published = pd.DataFrame({"count": _objects(30, C, " [c] ", 90), "rate": ["1", "[c]", "2", ""]})
    pdt.assert_series_equal(
        disclosure.is_suppressed(published, "count"),
        pd.Series([False, True, True, False], name="count"),
    )
    pdt.assert_series_equal(
        disclosure.is_suppressed(published, "rate"),  # text (str dtype) columns too
        pd.Series([False, True, False, False], name="rate"),
    )


def test_is_suppressed_does_not_take_missing_for_suppressed():
    t = pd.DataFrame({"count": [np.nan, 4.0], "count_suppressed": _flags(None, None)})
    pdt.assert_series_equal(
        disclosure.is_suppressed(t, "count"), pd.Series([False, False], name="count")
    )


@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        (pd.Series([True, False, None], dtype=object), [True, False, False]),
        (pd.Series([True, False, False]), [True, False, False]),
        (pd.Series([True, None, False], dtype="boolean"), [True, False, False]),
        (pd.Series(["secondary", "", np.nan], dtype=object), [True, False, False]),
    ],
)
def test_is_suppressed_accepts_boolean_and_reason_flags(flags, expected):
    t = pd.DataFrame({"count": [np.nan, 5.0, np.nan], "count_suppressed": flags})
    assert disclosure.is_suppressed(t, "count").tolist() == expected


def test_is_suppressed_of_a_row():
    out = _suppressed_rates()
    assert [disclosure.is_suppressed(row, "value") for _, row in out.iterrows()] == [
        False,
        True,
        True,
        False,
    ]
    published = disclosure.render(out)
    assert [disclosure.is_suppressed(row, "count") for _, row in published.iterrows()] == [
        False,
        True,
        True,
        False,
    ]
    assert disclosure.is_suppressed(pd.Series({"count": 3}), "count") is False


# -- render ----------------------------------------------------------------------------------------


def test_render_writes_the_symbol_and_drops_flags():
    out = _suppressed_rates()
    expected = pd.DataFrame(
        {
            "year": [2020] * 4,
            "ethnic_group": ["Asian", "Black", "Mixed", "White"],
            "count": _objects(30, C, C, 90),
            "value": _objects(3.0, C, C, 9.0),
        }
    )
    got = disclosure.render(out)
    pdt.assert_frame_equal(got, expected)
    assert [type(v) for v in got["count"]] == [int, str, str, int]
    assert [type(v) for v in got["value"]] == [float, str, str, float]


def test_render_other_symbol_and_input_untouched():
    out = _suppressed_rates()
    before = out.copy(deep=True)
    got = disclosure.render(out, symbol="*")
    assert got["count"].tolist() == [30, "*", "*", 90]
    pdt.assert_frame_equal(out, before)


def test_render_keeps_dtypes_of_columns_without_a_flag_column():
    t = pd.DataFrame({"count": [5, 6, 7], "rate": [1.5, np.nan, 2.5]})
    pdt.assert_frame_equal(disclosure.render(t), t)


def test_render_writes_a_flagged_column_in_full_when_the_rows_kept_hold_no_suppressed_cell():
    # rows filtered out of a suppressed table: the column still belongs to a table with suppressed
    # cells and is written as the published table writes it (objects, floats in full)
    t = pd.DataFrame(
        {
            "count": pd.array([5, None, 7], dtype="Int64"),
            "count_suppressed": _flags(None, None, None),
            "rate": [1.0 / 3.0, np.nan, 2.5],
            "rate_suppressed": _flags(None, None, None),
            "other": [0.1, 0.2, 0.3],
        }
    )
    got = disclosure.render(t)
    assert list(got.columns) == ["count", "rate", "other"]
    assert got["count"].dtype == object and [type(v) for v in got["count"]] == [int, float, int]
    assert got["rate"].dtype == object and got["rate"].iloc[0] == 1.0 / 3.0
    assert got["other"].dtype == "float64"
    text = got.to_csv(index=False, float_format="%.12g")
    assert "0.3333333333333333," in text  # the flagged column in full, not to 12 digits


def test_render_writes_unflagged_missing_values_as_nan():
    t = pd.DataFrame(
        {
            "count": pd.array([5, None, None], dtype="Int64"),
            "count_suppressed": _flags(None, None, "primary"),
        }
    )
    got = disclosure.render(t)
    assert got["count"].tolist()[0] == 5 and got["count"].tolist()[2] == C
    assert isinstance(got["count"].iloc[1], float) and np.isnan(got["count"].iloc[1])


def test_render_drops_orphan_flag_columns():
    out = _suppressed_rates().drop(columns="value")
    assert list(disclosure.render(out).columns) == ["year", "ethnic_group", "count"]


def test_render_of_a_published_table_is_the_same_table():
    published = disclosure.render(_suppressed_rates())
    pdt.assert_frame_equal(disclosure.render(published), published)


def test_render_refuses_bad_arguments():
    with pytest.raises(InputError, match="DataFrame"):
        disclosure.render([1, 2])
    with pytest.raises(InputError, match="symbol"):
        disclosure.render(_suppressed_rates(), symbol=None)


# -- flags follow the rows -------------------------------------------------------------------------


def test_flags_survive_a_row_filter():
    out = _suppressed_rates()
    kept = out[out["ethnic_group"] != "Asian"]
    pdt.assert_series_equal(
        disclosure.is_suppressed(kept, "count"),
        pd.Series([True, True, False], index=[1, 2, 3], name="count"),
    )
    assert disclosure.render(kept)["value"].tolist() == [C, C, 9.0]
    disclosure.check(kept, counts="count")


def test_flags_survive_a_concat_with_a_table_without_flags():
    a = _suppressed_rates()
    b = pd.DataFrame({"year": [2021], "ethnic_group": ["Asian"], "count": [40], "value": [4.0]})
    both = pd.concat([a, b], ignore_index=True)
    pdt.assert_series_equal(
        disclosure.is_suppressed(both, "count"),
        pd.Series([False, True, True, False, False], name="count"),
    )
    assert disclosure.render(both)["count"].tolist() == [30, C, C, 90, 40]
    summary = disclosure.suppression_summary(both)
    assert summary["cells"].sum() == 4
    disclosure.check(both, counts="count")


def test_flags_survive_a_concat_of_two_suppressed_tables():
    a = _suppressed_rates()
    b = disclosure.suppress(
        pd.DataFrame(
            {
                "year": [2021] * 3,
                "ethnic_group": ["Asian", "Black", "White"],
                "count": [1, 20, 30],
                "value": [0.1, 2.0, 3.0],
            }
        ),
        counts="count",
    )
    both = pd.concat([a, b], ignore_index=True)
    assert disclosure.render(both)["count"].tolist() == [30, C, C, 90, C, C, 30]
    assert disclosure.render(both)["value"].tolist() == [3.0, C, C, 9.0, C, C, 3.0]


def test_select_and_rename_keep_flags_with_their_columns():
    out = _suppressed_rates()
    picked = disclosure.select(out, ["ethnic_group", "count"])
    assert list(picked.columns) == ["ethnic_group", "count", "count_suppressed"]
    renamed = disclosure.rename(picked, {"count": "n_events"})
    assert list(renamed.columns) == ["ethnic_group", "n_events", "n_events_suppressed"]
    assert disclosure.render(renamed)["n_events"].tolist() == [30, C, C, 90]
    # merged into another table, the suppressed counts are prior suppressions there
    odds = pd.DataFrame(
        {"ethnic_group": ["Asian", "Black", "Mixed", "White"], "estimate": [1.1, 1.4, 2.0, 1.0]}
    )
    merged = odds.merge(renamed, on="ethnic_group", how="left")
    safe = disclosure.suppress(merged, counts="n_events", derived=["estimate"])
    assert disclosure.render(safe)["estimate"].tolist() == [1.1, C, C, 1.0]
    assert safe["n_events_suppressed"].tolist()[1:3] == ["secondary", "primary"]


def test_select_and_rename_refuse_bad_arguments():
    with pytest.raises(InputError, match=r"\['nope'\] not found"):
        disclosure.select(_suppressed_rates(), ["nope"])
    with pytest.raises(InputError, match="map column names"):
        disclosure.rename(_suppressed_rates(), ["count"])
