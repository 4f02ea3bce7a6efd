"""Tests for rhoresearch.report.narrative: key-finding sentences from result rows."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from rhoresearch.exceptions import InputError
from rhoresearch.report import narrative


def _ratio_row(**changes):
    row = {
        "ethnic_group": "Black",
        "value": 3.72,
        "lower_ci": 2.91,
        "upper_ci": 4.66,
        "confidence": 0.95,
        "reference": "White",
    }
    row.update(changes)
    return pd.Series(row)


@pytest.mark.parametrize(
    ("args", "kwargs", "expected"),
    [
        ((3.72, 2.91, 4.66), {}, "3.7 (95% CI 2.9 to 4.7)"),
        ((3.72, 2.91, 4.66), {"digits": 2}, "3.72 (95% CI 2.91 to 4.66)"),
        ((3.72, 2.91, 4.66), {"confidence": 0.998}, "3.7 (99.8% CI 2.9 to 4.7)"),
        ((12345.67, 12000, 12700), {"digits": 0}, "12,346 (95% CI 12,000 to 12,700)"),
        ((-0.04, -1.2, 0.3), {}, "0.0 (95% CI -1.2 to 0.3)"),
        ((42.1, 38.0, 46.3), {"unit": "%"}, "42.1% (95% CI 38.0% to 46.3%)"),
        ((34.3, 24.0, 47.5), {"unit": "per 100,000"}, "34.3 per 100,000 (95% CI 24.0 to 47.5)"),
        ((3.7, math.nan, 4.7), {}, "3.7"),
        (("[c]", "[c]", "[c]"), {}, "[c] (suppressed)"),
        ((math.nan, 1.0, 2.0), {}, "not available"),
        (("3.7", "2.9", "4.7"), {}, "3.7 (95% CI 2.9 to 4.7)"),
    ],
)
def test_format_ci(args, kwargs, expected):
    assert narrative.format_ci(*args, **kwargs) == expected


def test_format_ci_rejects_bad_confidence_and_text():
    with pytest.raises(InputError, match="confidence"):
        narrative.format_ci(1, 0, 2, confidence=95)
    with pytest.raises(InputError, match="expected a number"):
        narrative.format_ci("high", 0, 2)


def test_format_number():
    assert narrative.format_number(1234567.891, digits=2) == "1,234,567.89"
    assert narrative.format_number("[c]") == "[c]"
    assert narrative.format_number(None) == "[x]"


def test_ratio_sentence_above_one():
    text = narrative.ratio_sentence(
        _ratio_row(), group_col="ethnic_group", outcome="die", noun="women"
    )
    assert text == "Black women were 3.7 times as likely as White women to die (95% CI 2.9 to 4.7)."


def test_ratio_sentence_below_one_uses_times_as_likely_and_flags_interval_including_one():
    row = _ratio_row(ethnic_group="Asian", value=0.61, lower_ci=0.42, upper_ci=1.05)
    text = narrative.ratio_sentence(
        row,
        group_col="ethnic_group",
        outcome="to be appointed from shortlisting",
        noun="applicants",
        qualifier=", after adjusting for age",
    )
    assert text == (
        "Asian applicants were 0.6 times as likely as White applicants to be appointed from "
        "shortlisting, after adjusting for age (95% CI 0.4 to 1.1; the interval includes 1)."
    )


def test_ratio_sentence_about_one():
    row = _ratio_row(value=1.02, lower_ci=0.91, upper_ci=1.14)
    text = narrative.ratio_sentence(row, group_col="ethnic_group", outcome="be detained")
    assert text == (
        "Black people were about as likely as White people to be detained "
        "(ratio 1.0, 95% CI 0.9 to 1.1; the interval includes 1)."
    )


def test_ratio_sentence_comparator_and_confidence_from_arguments():
    row = _ratio_row().drop(["reference", "confidence"])
    text = narrative.ratio_sentence(
        row,
        group_col="ethnic_group",
        outcome="die",
        comparator="White British",
        noun="",
        confidence=0.9,
    )
    assert text == "Black were 3.7 times as likely as White British to die (90% CI 2.9 to 4.7)."


def test_ratio_sentence_odds():
    row = _ratio_row(value=2.14, lower_ci=1.61, upper_ci=2.83)
    text = narrative.ratio_sentence(
        row, group_col="ethnic_group", outcome="reporting discrimination", kind="odds"
    )
    assert text == (
        "Black people had 2.1 times the odds of White people of reporting discrimination "
        "(95% CI 1.6 to 2.8)."
    )


def test_ratio_sentence_suppressed_and_missing():
    sup = narrative.ratio_sentence(
        _ratio_row(ethnic_group="Mixed", value="[c]", lower_ci="[c]", upper_ci="[c]"),
        group_col="ethnic_group",
        outcome="die",
        noun="women",
    )
    assert sup == (
        "The ratio for Mixed women compared with White women is suppressed to protect "
        "confidentiality ([c])."
    )
    assert "3" not in sup
    missing = narrative.ratio_sentence(
        _ratio_row(value=math.nan), group_col="ethnic_group", outcome="die"
    )
    assert missing.endswith("could not be calculated.")


def test_ratio_sentence_errors():
    with pytest.raises(InputError, match="no group column 'group'"):
        narrative.ratio_sentence(_ratio_row(), group_col="group", outcome="die")
    with pytest.raises(InputError, match="kind"):
        narrative.ratio_sentence(_ratio_row(), group_col="ethnic_group", outcome="die", kind="x")
    with pytest.raises(InputError, match="reference"):
        narrative.ratio_sentence(
            _ratio_row().drop("reference"), group_col="ethnic_group", outcome="die"
        )


def test_rate_sentence():
    row = {"ethnic_group": "Black", "value": 34.27, "lower_ci": 24.0, "upper_ci": 47.51}
    text = narrative.rate_sentence(
        row,
        group_col="ethnic_group",
        measure="maternal mortality rate",
        unit="per 100,000 maternities",
        noun="women",
    )
    assert text == (
        "The maternal mortality rate for Black women was 34.3 per 100,000 maternities "
        "(95% CI 24.0 to 47.5)."
    )
    row["value"] = "[c]"
    assert narrative.rate_sentence(
        row, group_col="ethnic_group", measure="rate", unit="per 1,000", noun="babies"
    ) == ("The rate for Black babies is suppressed to protect confidentiality ([c]).")


def test_percentage_sentence():
    row = {
        "ethnic_group": "Black",
        "value": 0.4213,
        "lower_ci": 0.3801,
        "upper_ci": 0.4632,
        "confidence": 0.998,
    }
    text = narrative.percentage_sentence(
        row, group_col="ethnic_group", outcome="reported discrimination at work", noun="staff"
    )
    assert text == (
        "42.1% of Black staff reported discrimination at work (99.8% CI 38.0% to 46.3%)."
    )
    row["value"] = "[c]"
    assert "suppressed" in narrative.percentage_sentence(
        row, group_col="ethnic_group", outcome="reported discrimination", noun="staff"
    )


def test_row_not_mutated():
    row = _ratio_row()
    before = row.copy()
    narrative.ratio_sentence(row, group_col="ethnic_group", outcome="die")
    pd.testing.assert_series_equal(row, before)


def test_ratio_sentence_reference_row():
    row = _ratio_row(ethnic_group="White", value=1.0, lower_ci=math.nan, upper_ci=math.nan)
    assert (
        narrative.ratio_sentence(row, group_col="ethnic_group", outcome="die", noun="women")
        == "White women are the reference group."
    )
    flagged = _ratio_row(ethnic_group="White British", reference="White", is_reference=True)
    assert narrative.ratio_sentence(flagged, group_col="ethnic_group", outcome="die").endswith(
        "are the reference group."
    )


# -- suppression read from flag columns (the package's numeric representation) --------------------


def _flagged_ratio_row(**changes):
    """A suppressed row as suppress() returns it: missing values and ``<column>_suppressed`` flags."""
    fields = {
        "ethnic_group": "Mixed",
        "value": math.nan,
        "lower_ci": math.nan,
        "upper_ci": math.nan,
        "value_suppressed": "primary",
        "lower_ci_suppressed": "derived",
        "upper_ci_suppressed": "derived",
    }
    return _ratio_row(**{**fields, **changes})


def test_ratio_sentence_flagged_row_reads_as_the_marked_row():
    marked = _ratio_row(ethnic_group="Mixed", value="[c]", lower_ci="[c]", upper_ci="[c]")
    for kind, outcome in (("likely", "die"), ("odds", "dying")):
        expected = narrative.ratio_sentence(
            marked, group_col="ethnic_group", outcome=outcome, noun="women", kind=kind
        )
        got = narrative.ratio_sentence(
            _flagged_ratio_row(), group_col="ethnic_group", outcome=outcome, noun="women", kind=kind
        )
        assert got == expected
    assert got == (
        "The odds ratio for Mixed women compared with White women is suppressed to protect "
        "confidentiality ([c])."
    )


def test_missing_value_without_a_flag_is_not_available_not_suppressed():
    row = _flagged_ratio_row(
        value_suppressed=None, lower_ci_suppressed=None, upper_ci_suppressed=math.nan
    )
    text = narrative.ratio_sentence(row, group_col="ethnic_group", outcome="die")
    assert text == "The ratio for Mixed people compared with White people could not be calculated."
    rate = narrative.rate_sentence(
        {"ethnic_group": "Mixed", "value": math.nan, "lower_ci": 1.0, "upper_ci": 2.0},
        group_col="ethnic_group",
        measure="rate",
        unit="per 1,000",
    )
    assert rate == "The rate for Mixed people is not available."


def test_flag_false_reads_the_number():
    row = _ratio_row(value_suppressed=False, lower_ci_suppressed=False, upper_ci_suppressed=False)
    assert narrative.ratio_sentence(row, group_col="ethnic_group", outcome="die") == (
        "Black people were 3.7 times as likely as White people to die (95% CI 2.9 to 4.7)."
    )


def test_flagged_limits_drop_the_interval_as_marked_limits_do():
    flagged = _ratio_row(lower_ci=math.nan, lower_ci_suppressed="derived")
    marked = _ratio_row(lower_ci="[c]")
    a, b = (
        narrative.ratio_sentence(r, group_col="ethnic_group", outcome="die")
        for r in (flagged, marked)
    )
    assert a == b == "Black people were 3.7 times as likely as White people to die."


def test_rate_and_percentage_sentences_read_flags_in_series_and_mappings():
    flagged = {
        "ethnic_group": "Mixed",
        "value": math.nan,
        "lower_ci": math.nan,
        "upper_ci": math.nan,
        "value_suppressed": "primary",
    }
    rate = "The maternal mortality rate for Mixed women is suppressed to protect confidentiality ([c])."
    pct = (
        "The percentage of Mixed staff who reported discrimination is suppressed to protect "
        "confidentiality ([c])."
    )
    for row in (flagged, pd.Series(flagged)):
        assert (
            narrative.rate_sentence(
                row,
                group_col="ethnic_group",
                measure="maternal mortality rate",
                unit="per 100,000 maternities",
                noun="women",
            )
            == rate
        )
        assert (
            narrative.percentage_sentence(
                row, group_col="ethnic_group", outcome="reported discrimination", noun="staff"
            )
            == pct
        )


def test_format_number_and_format_ci_take_an_explicit_suppressed_flag():
    assert narrative.format_number(math.nan, suppressed=True) == "[c]"
    assert narrative.format_number(math.nan) == "[x]"
    assert narrative.format_number(3.72, suppressed=False) == "3.7"
    assert narrative.format_ci(math.nan, math.nan, math.nan, suppressed=True) == "[c] (suppressed)"
    assert narrative.format_ci(math.nan, math.nan, math.nan) == "not available"
    assert narrative.format_ci(3.72, 2.91, 4.66, suppressed=False) == "3.7 (95% CI 2.9 to 4.7)"


def test_a_limit_that_rounds_to_one_is_printed_with_more_decimals():
    # issue 19: a lower limit of 1.01 printed "1.0" reads as if the interval touched 1
    assert narrative.interval_digits(1.01, 2.1) == 2
    assert narrative.interval_digits(0.5, 0.996) == 3
    assert narrative.interval_digits(1.0, 2.1) == 1
    assert narrative.interval_digits(1.2, 2.1) == 1
    assert narrative.interval_digits("[c]", 2.1) == 1
    assert narrative.format_ci(1.5, 1.01, 2.1) == "1.50 (95% CI 1.01 to 2.10)"
    assert narrative.format_ci(1.5, 1.2, 2.1) == "1.5 (95% CI 1.2 to 2.1)"
    row = {"ethnic_group": "Black", "value": 1.5, "lower_ci": 1.01, "upper_ci": 2.1}
    sentence = narrative.ratio_sentence(
        row, group_col="ethnic_group", outcome="die", comparator="White"
    )
    assert sentence == (
        "Black people were 1.50 times as likely as White people to die (95% CI 1.01 to 2.10)."
    )
