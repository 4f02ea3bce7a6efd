"""Tests for suppression_summary and suppression_note: what was suppressed, read from the flags."""

from __future__ import annotations

import pandas as pd
import pandas.testing as pdt
import pytest

from rhoresearch import disclosure
from rhoresearch.disclosure import SUPPRESSED as C
from rhoresearch.exceptions import InputError


def _indicator_table():
    t = pd.DataFrame(
        {
            "ethnic_group": ["Asian", "Black", "Mixed", "White", "Other"],
            "count": [20, 3, 12, 100, 40],
            "population": [1000, 800, 500, 9000, 700],
        }
    )
    t["value"] = t["count"] / t["population"] * 100_000
    t["lower_ci"] = t["value"] * 0.8
    t["upper_ci"] = t["value"] * 1.2
    return t


def _summary(rows):
    return pd.DataFrame(
        {
            "column": pd.Series([r[0] for r in rows], dtype=object),
            "reason": pd.Series([r[1] for r in rows], dtype=object),
            "cells": pd.Series([r[2] for r in rows], dtype="int64"),
        }
    )


def test_summary_counts_flags_by_column_and_reason():
    out = disclosure.suppress(_indicator_table(), counts="count")
    pdt.assert_frame_equal(
        disclosure.suppression_summary(out),
        _summary(
            [
                ("count", "primary", 1),
                ("count", "secondary", 1),
                ("value", "derived", 2),
                ("lower_ci", "derived", 2),
                ("upper_ci", "derived", 2),
            ]
        ),
    )


def test_summary_of_a_filtered_table_counts_the_rows_kept():
    out = disclosure.suppress(_indicator_table(), counts="count")
    kept = out[out["ethnic_group"] != "Mixed"]  # drops the secondary cell
    pdt.assert_frame_equal(
        disclosure.suppression_summary(kept),
        _summary(
            [
                ("count", "primary", 1),
                ("value", "derived", 1),
                ("lower_ci", "derived", 1),
                ("upper_ci", "derived", 1),
            ]
        ),
    )


def test_summary_of_a_published_table_counts_symbols_as_prior():
    published = pd.DataFrame({"count": pd.Series([C, 30, C], dtype=object), "g": list("abc")})
    pdt.assert_frame_equal(
        disclosure.suppression_summary(published), _summary([("count", "prior", 2)])
    )


def test_summary_empty_when_nothing_suppressed():
    out = disclosure.suppress(pd.DataFrame({"count": [10, 20]}), counts="count")
    pdt.assert_frame_equal(disclosure.suppression_summary(out), _summary([]))


def test_note_with_threshold():
    out = disclosure.suppress(_indicator_table(), counts="count")
    assert disclosure.suppression_note(out, threshold=5) == (
        "[c] = confidential (suppressed): 1 count below 5, 1 more count so that no suppressed "
        "count can be worked out from totals, and 6 values derived from suppressed counts."
    )


def test_note_without_threshold_says_small_counts():
    out = disclosure.suppress(_indicator_table(), counts="count", threshold=10)
    assert disclosure.suppression_note(out) == (
        "[c] = confidential (suppressed): 1 small count, 1 more count so that no suppressed "
        "count can be worked out from totals, and 6 values derived from suppressed counts."
    )


def test_note_counts_prior_cells_with_the_small_ones_and_mentions_rounding_and_zeros():
    t = pd.DataFrame({"g": list("abcd"), "count": pd.Series([C, 0, 12, 40], dtype=object)})
    out = disclosure.suppress(t, counts="count", suppress_zero=True, rounding=5)
    assert disclosure.suppression_note(out, threshold=5, rounding=5, suppress_zero=True) == (
        "[c] = confidential (suppressed): 2 counts below 5 (or zero). "
        "Counts are rounded to the nearest 5."
    )


def test_note_when_nothing_was_suppressed():
    out = disclosure.suppress(pd.DataFrame({"count": [10, 20]}), counts="count", threshold=10)
    assert disclosure.suppression_note(out, threshold=10) == (
        "No cell needed suppression (counts below 10 are suppressed as [c])."
    )
    assert disclosure.suppression_note(out) == (
        "No cell needed suppression (small counts are suppressed as [c])."
    )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"threshold": 0}, "threshold"), ({"rounding": 2.5}, "rounding")],
)
def test_note_refuses_bad_options(kwargs, message):
    with pytest.raises(InputError, match=message):
        disclosure.suppression_note(pd.DataFrame({"count": [1]}), **kwargs)
