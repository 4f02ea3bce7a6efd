"""The one validation layer: argument checks shared by every module."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rhoresearch import validation
from rhoresearch.exceptions import InputError


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, []), ("a", ["a"]), (["a", "b"], ["a", "b"]), (("a",), ["a"])],
)
def test_as_columns_accepts_none_a_name_or_names(value, expected):
    assert validation.as_columns(value, func="f") == expected


@pytest.mark.parametrize("value", [1, ["a", 2], {"a": 1}, b"a", 3.5])
def test_as_columns_refuses_anything_else_naming_function_and_argument(value):
    with pytest.raises(InputError, match=r"^f: counts must be a column name or a list"):
        validation.as_columns(value, func="f", name="counts")


def test_require_columns_names_the_missing_and_the_available():
    frame = pd.DataFrame({"a": [1], "b": [2]})
    validation.require_columns(frame, ["a", "b"], func="f")
    with pytest.raises(InputError, match=r"f: count column\(s\) \['c'\] not found.*\['a', 'b'\]"):
        validation.require_columns(frame, ["a", "c"], func="f", what="count column")
    with pytest.raises(InputError, match="more than one argument"):
        validation.require_columns(frame, ["a", "a"], func="f", distinct=True)
    with pytest.raises(InputError, match="must be a pandas DataFrame, got list"):
        validation.require_columns([1], ["a"], func="f")


@pytest.mark.parametrize("level", [0.9, 0.95, 0.998, np.float64(0.99)])
def test_confidence_in_the_one_range(level):
    assert validation.check_confidence(level) == float(level)


@pytest.mark.parametrize(
    ("level", "message"),
    [
        (0.8, r"fraction in \[0.9, 1\)"),
        (1.0, r"fraction in \[0.9, 1\)"),
        (95, r"did you mean 0.95\?"),
        (True, "must be a number"),
        ("0.95", "must be a number"),
        (float("nan"), "must be a number"),
        ([0.95], "one number"),
    ],
)
def test_confidence_outside_the_range_is_refused(level, message):
    with pytest.raises(InputError, match=message):
        validation.check_confidence(level, func="f")


def test_several_confidence_levels():
    assert validation.confidence_levels([0.95, 0.998]) == (0.95, 0.998)
    with pytest.raises(InputError, match="repeat"):
        validation.confidence_levels([0.95, 0.95])
    with pytest.raises(InputError, match="empty"):
        validation.confidence_levels([])


@pytest.mark.parametrize("value", [1, 5, 10, np.int64(7)])
def test_threshold_whole_number_at_least_one(value):
    assert validation.check_threshold(value) == int(value)


@pytest.mark.parametrize("value", [0, -1, 2.5, "5", True, None])
def test_threshold_refused(value):
    with pytest.raises(InputError, match="threshold must be a whole number of at least 1"):
        validation.check_threshold(value)


def test_default_threshold_is_five():
    assert validation.DEFAULT_THRESHOLD == 5


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("North-West", "northwest"),
        ("north west", "northwest"),
        ("NorthWest", "northwest"),
        (" London ", "london"),
        ("E12000007", "e12000007"),
        (None, ""),
        (float("nan"), ""),
    ],
)
def test_slug_letters_and_digits_lower_cased(text, expected):
    assert validation.slug(text) == expected


def test_slugs_of_a_series_keep_missing_values():
    got = validation.slugs(pd.Series(["North-West", None, "north west"]))
    pd.testing.assert_series_equal(got, pd.Series(["northwest", None, "northwest"]))


def test_format_rows_names_the_first_few_and_counts_the_rest():
    assert validation.format_rows(list(range(8)), limit=3) == "0, 1, 2 and 5 more"
    assert validation.format_rows(["a"]) == "'a'"
