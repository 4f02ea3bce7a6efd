"""Results with their exclusions: one layout (step, reason, rows), returned, never in attrs."""

from __future__ import annotations

import pandas as pd
import pytest

from rhoresearch import results
from rhoresearch.exceptions import InputError


def test_exclusions_table_has_the_one_layout():
    got = results.exclusions_table([("model", "age missing", 3), ("model", "count missing", 0)])
    expected = pd.DataFrame(
        {
            "step": ["model", "model"],
            "reason": ["age missing", "count missing"],
            "rows": pd.Series([3, 0], dtype="int64"),
        }
    )
    pd.testing.assert_frame_equal(got, expected)


def test_exclusions_with_a_common_step_and_applies_to():
    got = results.exclusions_table([("blank code", 2, "all tables")], step="load", applies_to=True)
    assert list(got.columns) == ["step", "reason", "rows", "applies_to"]
    assert got.iloc[0].tolist() == ["load", "blank code", 2, "all tables"]


def test_empty_exclusions_keep_their_columns_and_types():
    got = results.exclusions_table()
    assert list(got.columns) == results.EXCLUSION_COLUMNS
    assert got.empty and got["rows"].dtype == "int64"


@pytest.mark.parametrize("bad", [("s", "r", -1), ("s", "r", 1.5), ("s", "r")])
def test_bad_exclusion_rows_are_refused(bad):
    with pytest.raises(InputError):
        results.exclusions_table([bad])


def test_result_unpacks_into_table_and_exclusions():
    table = pd.DataFrame({"value": [1.0]})
    excluded = results.exclusions_table([("s", "r", 1)])
    got_table, got_excluded = results.Result(table, excluded)
    assert got_table is table and got_excluded is excluded


def test_combine_exclusions_concatenates_in_order_and_checks_the_layout():
    a = results.exclusions_table([("a", "x", 1)])
    b = results.exclusions_table([("b", "y", 2)])
    got = results.combine_exclusions(a, results.exclusions_table(), b)
    assert got["step"].tolist() == ["a", "b"]
    assert results.combine_exclusions().empty
    with pytest.raises(InputError, match="lacks"):
        results.combine_exclusions(pd.DataFrame({"step": ["a"], "n": [1]}))
