"""Tests for rhoresearch.disclosure.suppress: primary, secondary, derived, rounding, and its output
(numbers with missing values and flag columns; ``render`` gives the published table)."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import pandas.testing as pdt
import pytest

from rhoresearch import disclosure
from rhoresearch.disclosure import SUPPRESSED as C
from rhoresearch.exceptions import DisclosureError, InputError

GROUPS = ["Asian", "Black", "Mixed", "White", "Other"]


def _groups(counts, population=None):
    data = {"ethnic_group": GROUPS[: len(counts)], "count": counts}
    if population is not None:
        data["population"] = population
    return pd.DataFrame(data)


def _flags(*values):
    """A flag column as suppress writes it: the reason, missing where the cell is shown."""
    return pd.Series(list(values), dtype="str")


def _objects(*values):
    return pd.Series(list(values), dtype=object)


def _flagged(table, reason=None):
    """(row label, column) of every cell flagged in ``table``, optionally for one reason."""
    out = []
    for col in table.columns:
        flag = disclosure.flag_column(col)
        if flag in table.columns:
            for row, value in table[flag].items():
                if pd.notna(value) and (reason is None or value == reason):
                    out.append((row, col))
    return sorted(out)


def assert_same_cells(got, expected):
    """assert_frame_equal, and the same Python type in every cell of object columns (so that an
    int 20 and a float 20.0, equal under ==, are told apart: they are written differently)."""
    pdt.assert_frame_equal(got, expected, check_exact=True)
    for col in expected.columns:
        if expected[col].dtype == object:
            assert [type(v) for v in got[col]] == [type(v) for v in expected[col]], col


# -- the numeric representation and what render makes of it ---------------------------------------
# Each case: the input, the options, what suppress returns, and what render makes of it. The rendered
# frames are what suppress returned before suppression became numeric (checked against that version
# of the module when this was written): they are the bytes of the results CSVs.

CASES = {
    "integer counts": (
        _groups([20, 3, 12, 100, 40]),
        {"counts": "count"},
        pd.DataFrame(
            {
                "ethnic_group": GROUPS,
                "count": pd.array([20, None, None, 100, 40], dtype="Int64"),
                "count_suppressed": _flags(None, "primary", "secondary", None, None),
            }
        ),
        pd.DataFrame({"ethnic_group": GROUPS, "count": _objects(20, C, C, 100, 40)}),
    ),
    "float rates derived from integer counts": (
        pd.DataFrame(
            {
                "ethnic_group": GROUPS,
                "count": [20, 3, 12, 100, 40],
                "population": [1000, 1500, 2000, 10000, 800],
                "value": [20.0, 2.0, 6.0, 10.0, 50.0],
                "lower_ci": [12.25, 0.41, 3.1, 8.14, 35.7],
                "method": ["Byar", "exact", "Byar", "Byar", "Byar"],
            }
        ),
        {"counts": "count"},
        pd.DataFrame(
            {
                "ethnic_group": GROUPS,
                "count": pd.array([20, None, None, 100, 40], dtype="Int64"),
                "population": [1000, 1500, 2000, 10000, 800],
                "value": [20.0, np.nan, np.nan, 10.0, 50.0],
                "lower_ci": [12.25, np.nan, np.nan, 8.14, 35.7],
                "method": ["Byar", "exact", "Byar", "Byar", "Byar"],
                "count_suppressed": _flags(None, "primary", "secondary", None, None),
                "value_suppressed": _flags(None, "derived", "derived", None, None),
                "lower_ci_suppressed": _flags(None, "derived", "derived", None, None),
            }
        ),
        pd.DataFrame(
            {
                "ethnic_group": GROUPS,
                "count": _objects(20, C, C, 100, 40),
                "population": [1000, 1500, 2000, 10000, 800],
                "value": _objects(20.0, C, C, 10.0, 50.0),
                "lower_ci": _objects(12.25, C, C, 8.14, 35.7),
                "method": ["Byar", "exact", "Byar", "Byar", "Byar"],
            }
        ),
    ),
    "rounding to 5": (
        _groups([3, 12, 13, 17, 102]),
        {"counts": "count", "rounding": 5},
        pd.DataFrame(
            {
                "ethnic_group": GROUPS,
                "count": pd.array([None, None, 15, 15, 100], dtype="Int64"),
                "count_suppressed": _flags("primary", "secondary", None, None, None),
            }
        ),
        pd.DataFrame({"ethnic_group": GROUPS, "count": _objects(C, C, 15, 15, 100)}),
    ),
    "rounding float counts with a missing one": (
        _groups([np.nan, 12.0, 13.0, 17.0, 3.0]),
        {"counts": "count", "rounding": 5},
        pd.DataFrame(
            {
                "ethnic_group": GROUPS,
                "count": pd.array([None, None, 15, 15, None], dtype="Int64"),
                "count_suppressed": _flags(None, "secondary", None, None, "primary"),
            }
        ),
        pd.DataFrame({"ethnic_group": GROUPS, "count": _objects(np.nan, C, 15, 15, C)}),
    ),
    "rounding float counts, nothing suppressed": (
        _groups([12.0, 18.0, 102.5]),
        {"counts": "count", "rounding": 5},
        pd.DataFrame(
            {
                "ethnic_group": GROUPS[:3],
                "count": [10.0, 20.0, 105.0],
            }
        ),
        pd.DataFrame({"ethnic_group": GROUPS[:3], "count": [10.0, 20.0, 105.0]}),
    ),
    "prior [c] in a published table": (
        pd.DataFrame(
            {
                "ethnic_group": GROUPS,
                "count": _objects(20, C, C, 100, 40),
                "value": _objects(0.5, C, C, 0.25, 0.125),
            }
        ),
        {"counts": "count"},
        pd.DataFrame(
            {
                "ethnic_group": GROUPS,
                "count": pd.array([20, None, None, 100, 40], dtype="Int64"),
                "value": [0.5, np.nan, np.nan, 0.25, 0.125],
                "count_suppressed": _flags(None, "prior", "prior", None, None),
                "value_suppressed": _flags(None, "derived", "derived", None, None),
            }
        ),
        pd.DataFrame(
            {
                "ethnic_group": GROUPS,
                "count": _objects(20, C, C, 100, 40),
                "value": _objects(0.5, C, C, 0.25, 0.125),
            }
        ),
    ),
    "prior [c] beside a new small count": (
        pd.DataFrame({"ethnic_group": GROUPS, "count": _objects(20, C, 4, 100, 40)}),
        {"counts": "count"},
        pd.DataFrame(
            {
                "ethnic_group": GROUPS,
                "count": pd.array([20, None, None, 100, 40], dtype="Int64"),
                "count_suppressed": _flags(None, "prior", "primary", None, None),
            }
        ),
        pd.DataFrame({"ethnic_group": GROUPS, "count": _objects(20, C, C, 100, 40)}),
    ),
    "missing counts": (
        _groups([np.nan, 20.0, 30.0, 2.0, 50.0]),
        {"counts": "count"},
        pd.DataFrame(
            {
                "ethnic_group": GROUPS,
                "count": [np.nan, np.nan, 30.0, np.nan, 50.0],
                "count_suppressed": _flags(None, "secondary", None, "primary", None),
            }
        ),
        pd.DataFrame({"ethnic_group": GROUPS, "count": _objects(np.nan, C, 30.0, C, 50.0)}),
    ),
    "missing counts, nothing suppressed": (
        _groups([np.nan, 20.0, 30.0]),
        {"counts": "count"},
        pd.DataFrame(
            {
                "ethnic_group": GROUPS[:3],
                "count": [np.nan, 20.0, 30.0],
            }
        ),
        pd.DataFrame({"ethnic_group": GROUPS[:3], "count": [np.nan, 20.0, 30.0]}),
    ),
    "counts as text": (
        pd.DataFrame({"g": list("abc"), "count": pd.Series(["2", "30", "40"], dtype="str")}),
        {"counts": "count"},
        pd.DataFrame(
            {
                "g": list("abc"),
                "count": pd.Series([np.nan, np.nan, "40"], dtype="str"),
                "count_suppressed": _flags("primary", "secondary", None),
            }
        ),
        pd.DataFrame({"g": list("abc"), "count": _objects(C, C, "40")}),
    ),
    "text derived from counts": (
        pd.DataFrame(
            {
                "g": list("abc"),
                "count": [2, 30, 40],
                "significance": ["higher", "similar", "lower"],
            }
        ),
        {"counts": "count", "derived": ["significance"]},
        pd.DataFrame(
            {
                "g": list("abc"),
                "count": pd.array([None, None, 40], dtype="Int64"),
                "significance": pd.Series([np.nan, np.nan, "lower"], dtype="str"),
                "count_suppressed": _flags("primary", "secondary", None),
                "significance_suppressed": _flags("derived", "derived", None),
            }
        ),
        pd.DataFrame(
            {
                "g": list("abc"),
                "count": _objects(C, C, 40),
                "significance": _objects(C, C, "lower"),
            }
        ),
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_suppress_returns_numbers_with_flags(case):
    table, options, numeric, _ = CASES[case]
    assert_same_cells(disclosure.suppress(table, **options), numeric)


@pytest.mark.parametrize("case", list(CASES))
def test_render_of_suppress_is_the_published_table(case):
    table, options, _, rendered = CASES[case]
    assert_same_cells(disclosure.render(disclosure.suppress(table, **options)), rendered)


@pytest.mark.parametrize("case", list(CASES))
def test_suppressing_the_published_table_again_renders_the_same(case):
    table, options, _, rendered = CASES[case]
    again = disclosure.suppress(disclosure.render(disclosure.suppress(table, **options)), **options)
    assert_same_cells(disclosure.render(again), rendered)


def test_nothing_suppressed_keeps_dtypes_and_adds_no_flags():
    t = pd.DataFrame({"g": list("abcd"), "count": [0, 10, 20, 30], "rate": [0.0, 1.5, 2.5, 3.5]})
    out = disclosure.suppress(t, counts="count")
    pdt.assert_frame_equal(out, t)
    pdt.assert_frame_equal(disclosure.render(out), t)


def test_flags_of_a_suppressed_input_are_kept_and_suppression_is_stable():
    t = _groups([20, 3, 12, 100, 40], population=[1000, 800, 500, 9000, 700])
    t["value"] = t["count"] / t["population"]
    once = disclosure.suppress(t, counts="count")
    twice = disclosure.suppress(once, counts="count")
    pdt.assert_frame_equal(twice, once)
    assert _flagged(twice, "secondary") == [(2, "count")]


def test_flagged_input_cells_are_prior_suppressions():
    # a table whose counts came from a suppressed table (e.g. merged in): the flagged cell stays
    # suppressed, and the total needs a second cell
    t = pd.DataFrame(
        {
            "g": list("abcd"),
            "count": pd.array([None, 30, 40, 50], dtype="Int64"),
            "count_suppressed": _flags("primary", None, None, None),
            "estimate": [1.5, 1.2, 0.9, 1.0],
        }
    )
    out = disclosure.suppress(t, counts="count", derived=["estimate"])
    assert_same_cells(
        out,
        pd.DataFrame(
            {
                "g": list("abcd"),
                "count": pd.array([None, None, 40, 50], dtype="Int64"),
                "count_suppressed": _flags("primary", "secondary", None, None),
                "estimate": [np.nan, np.nan, 0.9, 1.0],
                "estimate_suppressed": _flags("derived", "derived", None, None),
            }
        ),
    )


# -- primary ---------------------------------------------------------------------------------------


def test_primary_suppresses_counts_below_threshold_only():
    t = pd.DataFrame({"g": list("abcdef"), "count": [1, 4, 5, 6, 100, 0]})
    out = disclosure.suppress(t, counts="count", secondary=False)
    pdt.assert_series_equal(
        out["count"], pd.Series(pd.array([None, None, 5, 6, 100, 0], dtype="Int64"), name="count")
    )
    assert _flagged(out, "primary") == [(0, "count"), (1, "count")]
    assert _flagged(out) == [(0, "count"), (1, "count")]


def test_threshold_is_configurable():
    t = pd.DataFrame({"g": list("abc"), "count": [7, 8, 50]})
    out = disclosure.suppress(t, counts="count", threshold=8, secondary=False)
    assert disclosure.render(out)["count"].tolist() == [C, 8, 50]


def test_zero_shown_by_default_and_suppressed_by_option():
    t = pd.DataFrame({"g": list("abcd"), "count": [0, 10, 20, 30]})
    shown = disclosure.suppress(t, counts="count")
    pdt.assert_frame_equal(disclosure.render(shown), t)  # nothing to suppress, dtype kept
    hidden = disclosure.suppress(t, counts="count", suppress_zero=True)
    # the zero alone would be recoverable from the total: the smallest other count goes too
    assert disclosure.render(hidden)["count"].tolist() == [C, C, 20, 30]
    assert _flagged(hidden, "primary") == [(0, "count")]
    assert _flagged(hidden, "secondary") == [(1, "count")]


# -- secondary -------------------------------------------------------------------------------------


def test_only_small_cell_recoverable_from_total_gets_a_second_cell_suppressed():
    # Black = 3 is the only small cell; with the total (175) published, 175 - 20 - 12 - 100 - 40
    # would give it back, so the next smallest (Mixed, 12) is suppressed.
    t = _groups([20, 3, 12, 100, 40])
    out = disclosure.suppress(t, counts="count")
    assert _flagged(out, "primary") == [(1, "count")]
    assert _flagged(out, "secondary") == [(2, "count")]
    disclosure.check(out, counts="count", by=None, margins=[None])  # the total reveals nothing
    with pytest.raises(DisclosureError, match="only suppressed cell"):
        disclosure.check(
            disclosure.suppress(t, counts="count", secondary=False), counts="count", margins=[None]
        )


def test_two_small_cells_need_no_secondary():
    # 3 + 4 = 7 from the total: each could be up to 6, so neither is known to be small
    out = disclosure.suppress(_groups([20, 3, 4, 100, 40]), counts="count")
    assert _flagged(out) == [(1, "count"), (2, "count")]
    assert _flagged(out, "secondary") == []


def test_two_small_cells_whose_sum_is_small_get_a_third():
    # issue 19: 3 + 2 = 5 from the total, each at least 1: both lie in 1..4 (the old rule, "two
    # suppressed cells per total", let this out); the interval audit suppresses one more cell
    out = disclosure.suppress(_groups([20, 3, 2, 100, 40]), counts="count")
    assert _flagged(out, "primary") == [(1, "count"), (2, "count")]
    assert _flagged(out, "secondary") == [(0, "count")]
    audit = disclosure.interval_audit(out, counts="count", original=_groups([20, 3, 2, 100, 40]))
    assert not audit["exposed"].any()
    assert audit["upper"].min() >= 5


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
    assert disclosure.render(out)["count"].tolist() == [C, C, 50, 40, 60, 70]
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
    assert disclosure.render(out)["count"].tolist() == [C, C, 10, C, C, 30, 15, 25, 40]
    assert _flagged(out, "secondary") == [(1, "count"), (3, "count")]
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
    suppressed = disclosure.is_suppressed(out, "count")
    assert suppressed.sum() == 4
    assert suppressed.groupby(t["r"]).sum().isin([0, 2]).all()
    assert suppressed.groupby(t["c"]).sum().isin([0, 2]).all()


def test_explicit_total_row_is_not_chosen_and_is_protected():
    t = pd.DataFrame(
        {"ethnic_group": ["Asian", "Black", "White", "Total"], "count": [30, 2, 60, 92]}
    )
    out = disclosure.suppress(t, counts="count")
    assert disclosure.render(out)["count"].tolist() == [C, C, 60, 92]
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
    hidden = pd.DataFrame({c: disclosure.is_suppressed(out, c) for c in counts})
    # the Asian row: appointed (primary) and one more cell of that row
    assert hidden.loc[0, "appointed"]
    assert hidden.loc[0].sum() >= 2
    # the appointed column: a second cell suppressed
    assert hidden["appointed"].sum() >= 2


def test_unprotectable_group_is_logged_and_listed(caplog):
    # a by group holding one row with a small count and a second row whose count is missing
    t = pd.DataFrame({"year": [2020, 2020, 2021, 2021], "count": [2, np.nan, 30, 40]})
    with caplog.at_level(logging.WARNING, logger="rhoresearch.disclosure"):
        out = disclosure.suppress(t, counts="count", by="year", name="deaths")
    assert _flagged(out) == [(0, "count")]
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings == [
        "suppress deaths: the total of year=2020 (column 'count') still reveals a suppressed cell"
    ]
    pdt.assert_frame_equal(
        disclosure.unprotected_totals(out, counts="count", by="year"),
        pd.DataFrame(
            {
                "total": _objects("the total of year=2020 (column 'count')"),
                "row": _objects(0),
                "column": _objects("count"),
            }
        ),
    )


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
        assert out[col].isna().tolist() == [False, True, True, False, False]
        pdt.assert_series_equal(out[col].iloc[[0, 3, 4]], t[col].iloc[[0, 3, 4]])
    # denominators and descriptive columns are left as they were
    pdt.assert_series_equal(out["population"], t["population"])
    pdt.assert_series_equal(out["method"], t["method"])
    assert _flagged(out, "derived") == sorted(
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
    assert disclosure.render(out)["rate_f"].tolist() == [C, C, 0.3]
    pdt.assert_series_equal(out["rate_m"], t["rate_m"])
    assert "rate_m_suppressed" not in out and "count_m_suppressed" not in out
    assert out["count_f_suppressed"].tolist()[0] == "primary"


# -- rounding --------------------------------------------------------------------------------------


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


def test_no_attrs_written():
    out = disclosure.suppress(_indicator_table(), counts="count", rounding=5)
    assert out.attrs == {}


def test_index_kept_and_flag_columns_appended_in_table_order():
    t = _indicator_table().set_index("ethnic_group")
    out = disclosure.suppress(t, counts="count")
    assert list(out.columns) == [
        *t.columns,
        "count_suppressed",
        "value_suppressed",
        "lower_ci_suppressed",
        "upper_ci_suppressed",
    ]
    pdt.assert_index_equal(out.index, t.index)
    assert ("Black", "count") in _flagged(out)


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
        (pd.DataFrame({"count": [True, False]}), {"counts": "count"}, "boolean"),
        (_groups([1, 2]), {"counts": "count", "threshold": 0}, "threshold"),
        (_groups([1, 2]), {"counts": "count", "rounding": 2.5}, "rounding"),
        (_groups([1, 2]), {"counts": "count", "by": "year"}, r"by/margins column\(s\) \['year'\]"),
        (_groups([1, 2]), {"counts": "count", "derived": ["rate"]}, r"derived column\(s\)"),
        (_groups([1, 2]), {"counts": []}, "at least one"),
        (_groups([1, 2]), {"counts": ["count", "count"]}, "twice"),
        (_groups([1, 2]), {"counts": 3}, "counts must be a column name"),
        (_groups([1, 2]), {"counts": "count", "row_total": "ethnic_group"}, "row_total"),
        ([1, 2], {"counts": "count"}, "DataFrame"),
    ],
)
def test_bad_input_raises_input_error(table, kwargs, message):
    with pytest.raises(InputError, match=message):
        disclosure.suppress(table, **kwargs)


def test_messages_name_the_table():
    with pytest.raises(InputError, match=r"suppress \(table 'deaths'\): count column"):
        disclosure.suppress(_groups([1, 2]), counts="n", name="deaths")


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
    assert disclosure.unprotected_totals(out, counts="count", **options).empty
    summary = disclosure.suppression_summary(out)
    assert summary.loc[summary["reason"] == "primary", "cells"].sum() > 0
    assert summary.loc[summary["reason"] == "secondary", "cells"].sum() > 0
    disclosure.check(out, counts="count", **options)
    disclosure.check(disclosure.render(out), counts="count", **options)
