"""The shared grouping helper: the parameter's values, the groups, the reference group, regrouping."""

import pandas as pd
import pytest

from rhoresearch import ethnicity
from rhoresearch.exceptions import InputError
from rhoresearch.workstreams import _grouping


def test_a_bad_grouping_names_the_parameter_and_the_allowed_values():
    with pytest.raises(
        InputError, match=r"notebook 01: grouping must be one of \['high_level', 'detailed'\]"
    ):
        _grouping.check_grouping("fine", func="notebook 01")
    with pytest.raises(InputError, match="got 'High level'"):
        _grouping.scheme_of("High level")
    _grouping.check_grouping("detailed", func="x")  # allowed: no error


def test_the_groups_at_each_scheme_in_display_order():
    assert _grouping.group_order("high_level") == ["Asian", "Black", "Mixed", "White", "Other"]
    nhs = _grouping.group_order("nhs_code")
    assert len(nhs) == 16 and nhs[0] == "White - British"
    short = _grouping.group_order("nhs_code", short=True)
    assert short[0] == "White British" and "Caribbean" in short and "Chinese" in short
    census = _grouping.group_order("census2021", short=True)
    assert len(census) == 19 and {"Arab", "Roma", "White British"} <= set(census)
    assert _grouping.scheme_of("detailed", detailed="census2021") == "census2021"
    with pytest.raises(InputError, match="scheme must be one of"):
        _grouping.group_order("detailed")


def test_the_reference_group_must_be_at_the_grouping():
    assert _grouping.reference_label("White British", "nhs_code") == "White - British"
    assert _grouping.reference_label("white - british", "nhs_code", short=True) == "White British"
    assert _grouping.reference_label("White", "high_level") == "White"
    with pytest.raises(InputError) as caught:
        _grouping.reference_label("White", "nhs_code", short=True, func="notebook 04")
    message = str(caught.value)
    assert "notebook 04: reference_group 'White'" in message
    assert "grouping='detailed'" in message and "'White British'" in message
    with pytest.raises(InputError, match="reference_group 'Martian' is not a high-level"):
        _grouping.reference_label("Martian", "high_level")


def test_codes_are_harmonised_to_the_grouping_with_unknowns_and_bad_codes_left_out():
    records = pd.DataFrame(
        {
            "ethnic_category": ["A", "N", "M", "R", "Z", "99", "QQ", "H"],
            "ethnicity_status": ["recorded"] * 5 + ["not known", "invalid code", "not known"],
        }
    )
    short = _grouping.harmonise_groups(records, scheme="nhs_code", short=True)
    assert short.tolist()[:4] == ["White British", "African", "Caribbean", "Chinese"]
    assert short.iloc[4:].isna().all()  # not stated, not known, invalid; H not "recorded"
    assert list(short.cat.categories) == _grouping.group_order("nhs_code", short=True)
    high = _grouping.harmonise_groups(records, scheme="high_level", status=None)
    assert high.tolist()[:4] == ["White", "Black", "Black", "Other"]  # Chinese under Other
    assert high.iloc[4:7].isna().all() and high.iloc[7] == "Asian"
    assert records["ethnic_category"].iloc[0] == "A"  # input not modified
    again = ethnicity.harmonise(short.dropna(), to="high_level", chinese="other")
    assert again.astype(str).tolist() == ["White", "Black", "Black", "Other"]
