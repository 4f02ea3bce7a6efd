"""Tests for rhoresearch.ethnicity.display: short labels for tables and figure axes."""

from __future__ import annotations

import pandas as pd
import pytest
from pandas.testing import assert_series_equal

from rhoresearch import ethnicity
from rhoresearch.exceptions import InputError


@pytest.mark.parametrize("scheme", ["nhs_code", "census2021", "high_level"])
def test_short_labels_are_unique_and_cover_the_scheme(scheme):
    short = ethnicity.short_labels(scheme)
    assert list(short) == ethnicity.labels(scheme)
    assert len(set(short.values())) == len(short)


def test_short_labels_examples():
    assert ethnicity.short_labels("nhs_code")["Black or Black British - Caribbean"] == "Caribbean"
    census = ethnicity.short_labels("census2021")
    assert census["White: English, Welsh, Scottish, Northern Irish or British"] == "White British"
    assert census["Mixed or Multiple ethnic groups: White and Asian"] == "White and Asian"


def test_short_labels_rename_a_harmonised_column():
    got = ethnicity.harmonise(["M", "A", "Z"], to="nhs_code")
    renamed = got.cat.rename_categories(ethnicity.short_labels("nhs_code"))
    expected = pd.Series(
        pd.Categorical(
            ["Caribbean", "White British", "Not stated"],
            categories=list(ethnicity.short_labels("nhs_code").values()),
            ordered=True,
        )
    )
    assert_series_equal(renamed, expected)


def test_short_labels_high_level_are_the_groups():
    short = ethnicity.short_labels("high_level")
    assert short == {label: label for label in ethnicity.HIGH_LEVEL_ORDER}


def test_short_labels_rejects_unknown_scheme():
    with pytest.raises(InputError, match="to="):
        ethnicity.short_labels("ons")
