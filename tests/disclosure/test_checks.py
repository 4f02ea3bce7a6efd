"""Tests for check and unprotected_totals, on both representations of a suppressed cell."""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pandas.testing as pdt
import pytest

from rhoresearch import disclosure
from rhoresearch.disclosure import SUPPRESSED as C
from rhoresearch.exceptions import DisclosureError, InputError


def _groups(counts):
    groups = ["Asian", "Black", "Mixed", "White", "Other"][: len(counts)]
    return pd.DataFrame({"ethnic_group": groups, "count": counts})


def _indicator_table():
    t = _groups([20, 3, 12, 100, 40]).assign(population=[1000, 800, 500, 9000, 700])
    t["value"] = t["count"] / t["population"] * 100_000
    t["lower_ci"] = t["value"] * 0.8
    t["upper_ci"] = t["value"] * 1.2
    return t


def _both(table):
    """The numeric (flagged) and the published ([c]) representation of a suppressed table."""
    return {"numeric": table, "rendered": disclosure.render(table)}


def test_check_returns_safe_table_unchanged():
    t = _groups([20, 30, 0])
    assert disclosure.check(t, counts="count") is t


@pytest.mark.parametrize("representation", ["numeric", "rendered"])
def test_check_accepts_a_suppressed_table_in_either_representation(representation):
    out = disclosure.suppress(_indicator_table(), counts="count")
    table = _both(out)[representation]
    assert disclosure.check(table, counts="count", margins=[None]) is table


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


def test_check_derived_shown_beside_a_published_suppressed_count():
    t = _indicator_table()
    t["count"] = t["count"].astype(object)
    t.loc[[1, 2], "count"] = C
    with pytest.raises(DisclosureError, match="derived from the suppressed count") as info:
        disclosure.check(t, counts="count")
    assert {(r, c) for r, c, _ in info.value.cells} == {
        (r, c) for r in (1, 2) for c in ("value", "lower_ci", "upper_ci")
    }
    disclosure.check(disclosure.suppress(t, counts="count"), counts="count")


def test_check_derived_shown_beside_a_flagged_count():
    out = disclosure.suppress(_indicator_table(), counts="count")
    leak = out.drop(columns="value_suppressed")
    leak.loc[1, "value"] = 375.0
    with pytest.raises(DisclosureError) as info:
        disclosure.check(leak, counts="count")
    assert info.value.cells == [(1, "value", 375.0)]


def test_check_flagged_cell_still_holding_its_value():
    out = disclosure.suppress(_indicator_table(), counts="count")
    filled = out.fillna({"count": 0})  # the flags still say suppressed
    with pytest.raises(
        DisclosureError, match="flagged as suppressed in 'count_suppressed'"
    ) as info:
        disclosure.check(filled, counts="count")
    assert info.value.cells == [(1, "count", 0), (2, "count", 0)]


def test_check_single_suppressed_cell_in_group_with_by():
    published = pd.DataFrame({"year": [2020, 2020, 2020], "count": [C, 30, 40]})
    numeric = pd.DataFrame(
        {
            "year": [2020, 2020, 2020],
            "count": pd.array([None, 30, 40], dtype="Int64"),
            "count_suppressed": pd.Series(["primary", None, None], dtype="str"),
        }
    )
    for t in (published, numeric):
        disclosure.check(t, counts="count")  # no grouping declared: no secondary check
        with pytest.raises(DisclosureError, match=r"year=2020.*recoverable") as info:
            disclosure.check(t, counts="count", by="year")
        assert info.value.cells == [(0, "count", C)]


def test_check_missing_unflagged_counts_are_not_available_not_suppressed():
    t = pd.DataFrame({"year": [2020] * 3, "count": [np.nan, 30.0, 40.0], "value": [1.0, 2, 3]})
    assert disclosure.check(t, counts="count", by="year") is t


def test_check_rejects_text_in_counts():
    with pytest.raises(InputError, match="not numbers"):
        disclosure.check(pd.DataFrame({"count": ["ten"]}), counts="count")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"counts": []}, "at least one"),
        ({"counts": "deaths"}, r"count column\(s\) \['deaths'\] not found"),
        ({"counts": "count", "threshold": 1.5}, "threshold"),
        ({"counts": "count", "by": "year"}, r"by/margins column\(s\) \['year'\]"),
    ],
)
def test_check_refuses_bad_arguments(kwargs, message):
    with pytest.raises(InputError, match=message):
        disclosure.check(_groups([20, 30]), **kwargs)


def test_disclosure_error_pickles():
    with pytest.raises(DisclosureError) as info:
        disclosure.check(_groups([2, 30]), counts="count", name="t")
    again = pickle.loads(pickle.dumps(info.value))
    assert str(again) == str(info.value)
    assert again.cells == info.value.cells == [(0, "count", 2)]


# -- unprotected_totals ----------------------------------------------------------------------------


def _unprotected(rows):
    return pd.DataFrame(
        {
            "total": pd.Series([r[0] for r in rows], dtype=object),
            "row": pd.Series([r[1] for r in rows], dtype=object),
            "column": pd.Series([r[2] for r in rows], dtype=object),
        }
    )


@pytest.mark.parametrize("representation", ["numeric", "rendered"])
def test_unprotected_totals_lists_totals_with_one_suppressed_cell(representation):
    t = pd.DataFrame(
        {"year": [2020, 2020, 2021, 2021, 2021], "count": [2, np.nan, 30, 40, 3]},
        index=list("abcde"),
    )
    out = disclosure.suppress(t, counts="count", by="year")
    got = disclosure.unprotected_totals(_both(out)[representation], counts="count", by="year")
    pdt.assert_frame_equal(
        got, _unprotected([("the total of year=2020 (column 'count')", "a", "count")])
    )


def test_unprotected_totals_of_primary_only_suppression():
    out = disclosure.suppress(_groups([20, 3, 12, 100, 40]), counts="count", secondary=False)
    pdt.assert_frame_equal(
        disclosure.unprotected_totals(out, counts="count"),
        _unprotected([("the table total (column 'count')", 1, "count")]),
    )
    protected = disclosure.suppress(_groups([20, 3, 12, 100, 40]), counts="count")
    pdt.assert_frame_equal(
        disclosure.unprotected_totals(protected, counts="count"), _unprotected([])
    )


def test_unprotected_totals_refuses_missing_columns():
    with pytest.raises(InputError, match=r"by/margins column\(s\) \['year'\]"):
        disclosure.unprotected_totals(_groups([1, 2]), counts="count", by="year")
