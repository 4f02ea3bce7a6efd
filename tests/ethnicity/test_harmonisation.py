"""Tests for rhoresearch.ethnicity.harmonisation: every published code and label, variants, the
traps, missing and unmapped values (through the explicit API), the binary split."""

from __future__ import annotations

import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal, assert_series_equal

from rhoresearch import ethnicity
from rhoresearch.ethnicity import (
    HIGH_LEVEL_ORDER,
    NHS_CODES,
    harmonise,
    harmonise_report,
    to_binary,
    unmapped,
)
from rhoresearch.ethnicity import harmonisation as harmonisation_module
from rhoresearch.exceptions import DataQualityWarning, InputError, UnknownCodeError

# The high-level headings of the reference tables, in the short names the high-level scheme uses.
HEADING = {
    "Asian or Asian British": "Asian",
    "Asian, Asian British or Asian Welsh": "Asian",
    "Black or Black British": "Black",
    "Black, Black British, Black Welsh, Caribbean or African": "Black",
    "Mixed": "Mixed",
    "Mixed or Multiple ethnic groups": "Mixed",
    "White": "White",
    "Other Ethnic Groups": "Other",
    "Other ethnic group": "Other",
}


def _variants(text: str) -> list[str]:
    """Common ways a label arrives: case, padding, doubled spaces, other separators."""
    return [
        text,
        text.upper(),
        text.lower(),
        f"  {text}  ",
        text.replace(" ", "  "),
        text.replace(" - ", ": "),
        text.replace(" - ", " "),
        text.replace(": ", " - "),
        text.replace(",", ""),
        text.replace(" and ", " & "),
    ]


# ---------------------------------------------------------------------------------------------
# Every code and label of the reference tables, and common variants, harmonise correctly
# ---------------------------------------------------------------------------------------------


def test_every_nhs_code_and_description_to_every_scheme(nhs_table):
    for code, desc, heading in zip(
        nhs_table["code"], nhs_table["description"], nhs_table["high_level_group"], strict=True
    ):
        inputs = [code, code.lower(), f" {code} ", desc, *_variants(desc)]
        got = harmonise(inputs, to="nhs_code")
        assert (got == desc).all(), (code, got[got != desc].tolist())
        expected_high = HEADING.get(heading, desc) if isinstance(heading, str) else desc
        got_high = harmonise(inputs, to="high_level", chinese="other")
        assert (got_high == expected_high).all(), (code, got_high.tolist())


def test_every_nhs_code_to_census_and_binary(nhs_table, census_table):
    # The NHS code -> Census group mapping is the one NHS Digital uses (MHA statistics); for
    # C and S, which also hold Census groups without an NHS code, the "other" Census group.
    mapped = census_table.dropna(subset=["nhs_ethnic_category_code_per_nhsd_mha"])
    expected = dict(
        zip(
            mapped["nhs_ethnic_category_code_per_nhsd_mha"], mapped["census2021_label"], strict=True
        )
    )
    expected.update({"Z": "Not stated", "99": "Not known"})
    codes = nhs_table["code"].tolist()
    assert harmonise(codes, to="census2021").tolist() == [expected[c] for c in codes]
    assert harmonise(nhs_table["description"], to="census2021").tolist() == [
        expected[c] for c in codes
    ]
    white = {"A", "B", "C"}
    unknown = {"Z", "99"}
    assert to_binary(codes).tolist() == [
        "White" if c in white else "Not known" if c in unknown else "Ethnic minority" for c in codes
    ]


def test_every_census_label_and_code_to_every_scheme(census_table):
    for row in census_table.itertuples(index=False):
        label = row.census2021_label
        inputs = [label, *_variants(label)]
        assert (harmonise(inputs, to="census2021") == label).all(), label
        by_code = harmonise([row.census2021_code], to="census2021", code_system="census2021")
        assert by_code.tolist() == [label]
        high = harmonise(inputs, to="high_level")
        assert (high == HEADING[row.census2021_high_level_group]).all(), label
        nhs = harmonise(inputs, to="nhs_code")
        if isinstance(row.nhs_ethnic_category_code_per_nhsd_mha, str):
            assert (nhs == NHS_CODES[row.nhs_ethnic_category_code_per_nhsd_mha]).all(), label
        else:  # Gypsy or Irish Traveller, Roma, Arab: the NHS "any other" codes
            assert nhs.iloc[0] in (NHS_CODES["C"], NHS_CODES["S"]), label


def test_census_minus_8_is_not_known():
    got = harmonise(["-8", -8], to="census2021", code_system="census2021")
    assert got.tolist() == ["Not known", "Not known"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Black or Black British - Caribbean", "Black or Black British - Caribbean"),
        ("Mixed: White and Asian", "Mixed - White and Asian"),
        ("BLACK CARIBBEAN", "Black or Black British - Caribbean"),
        ("A", "White - British"),
        ("a ", "White - British"),
        ("99", "Not known"),
        ("Z", "Not stated"),
        ("z", "Not stated"),
        ("X", "Not known"),
        ("9", "Not known"),
        ("Not given", "Not known"),
        ("White - British", "White - British"),
        ("White British", "White - British"),
        ("white-british", "White - British"),
        ("Asian, Asian British or Asian Welsh: Indian", "Asian or Asian British - Indian"),
        ("Asian/Asian British: Pakistani", "Asian or Asian British - Pakistani"),
        ("Black/African/Caribbean/Black British: African", "Black or Black British - African"),
        (
            "Mixed/multiple ethnic groups: White & Black Caribbean",
            "Mixed - White and Black Caribbean",
        ),
        ("Mixed - White & Black African", "Mixed - White and Black African"),
        ("Other Mixed", "Mixed - Any other mixed background"),
        ("Any other mixed background", "Mixed - Any other mixed background"),
        ("White Other", "White - Any other White background"),
        ("Other White", "White - Any other White background"),
        ("White Irish", "White - Irish"),
        ("Irish", "White - Irish"),
        ("Indian", "Asian or Asian British - Indian"),
        ("Bangladeshi", "Asian or Asian British - Bangladeshi"),
        ("Any other Asian background", "Asian or Asian British - Any other Asian background"),
        ("Black African", "Black or Black British - African"),
        ("Black other", "Black or Black British - Any other Black background"),
        ("Any Other Black Background", "Black or Black British - Any other Black background"),
        ("Chinese", "Other Ethnic Groups - Chinese"),
        ("Any Other Ethnic Group", "Other Ethnic Groups - Any other ethnic group"),
        ("Arab", "Other Ethnic Groups - Any other ethnic group"),
        ("Gypsy or Irish Traveller", "White - Any other White background"),
        ("Not Stated", "Not stated"),
        ("Prefer not to say", "Not stated"),
        ("Unknown", "Not known"),
        ("A - White British", "White - British"),
        ("Indian (H)", "Asian or Asian British - Indian"),
        ("A1", "White - British"),
        ("Ns", "Not stated"),
        (99, "Not known"),
        (99.0, "Not known"),
        ('"A"', "White - British"),
    ],
)
def test_common_variants_to_nhs_code(value, expected):
    assert harmonise([value], to="nhs_code").tolist() == [expected]


@pytest.mark.parametrize(
    ("table", "column", "chinese"),
    [
        ("mha_published_rates", "ethnic_group", "asian"),
        ("neonatal_mortality_sdg322", "baby_ethnic_group", "asian"),
        ("maternal_mortality_sdg311", "ethnic_group", "other"),
    ],
)
def test_published_figure_labels_harmonise_to_high_level(read_reference, table, column, chinese):
    values = read_reference(table)[column]
    got = harmonise(values, to="high_level", chinese=chinese)  # raises if any is unmapped
    assert unmapped(values, to="high_level", chinese=chinese) == {}
    assert got.notna().all()


def test_published_labels_spot_checks():
    got = harmonise(
        [
            "Black other",
            "White (inc. not known)",
            "Chinese or other",
            "Mixed/ multiple",
            "Not Stated",
        ],
        to="high_level",
        chinese="other",
    )
    assert got.tolist() == ["Black", "White", "Other", "Mixed", "Not stated"]


# ---------------------------------------------------------------------------------------------
# Output shape: ordered categorical, same index and name, fixed order
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("scheme", ["nhs_code", "census2021", "high_level"])
def test_result_is_ordered_categorical_in_display_order(scheme):
    values = pd.Series(["M", "A", "Z", "H"], index=[10, 3, 7, 1], name="eth")
    got = harmonise(values, to=scheme)
    assert isinstance(got.dtype, pd.CategoricalDtype)
    assert got.dtype.ordered
    assert list(got.cat.categories) == ethnicity.labels(scheme)
    assert got.index.tolist() == [10, 3, 7, 1]
    assert got.name == "eth"
    assert got.sort_values().index.tolist() == (
        [3, 1, 10, 7] if scheme == "nhs_code" else [1, 10, 3, 7]
    )


def test_high_level_exact_series():
    values = pd.Series(["A", "Caribbean", "", None, "Z", "R"], index=list("abcdef"), name="e")
    expected = pd.Series(
        pd.Categorical(
            ["White", "Black", "Not known", "Not known", "Not stated", "Asian"],
            categories=HIGH_LEVEL_ORDER,
            ordered=True,
        ),
        index=list("abcdef"),
        name="e",
    )
    got = harmonise(values)
    assert_series_equal(got, expected)
    assert got.attrs == {}  # nothing travels beside the values
    assert unmapped(values) == {}
    report = harmonise_report(values)
    assert report.loc[report["status"] == "missing", "n"].sum() == 2


def test_accepts_list_array_index_and_categorical():
    expected = ["White", "Black"]
    assert harmonise(["A", "N"]).tolist() == expected
    assert harmonise(np.array(["A", "N"], dtype=object)).tolist() == expected
    assert harmonise(pd.Index(["A", "N"])).tolist() == expected
    assert harmonise(pd.Series(["A", "N"], dtype="category")).tolist() == expected
    assert harmonise(pd.Series(["A", "N"], dtype="str")).tolist() == expected
    assert harmonise([]).tolist() == []


def test_does_not_mutate_input():
    values = pd.Series(["a ", "BLACK CARIBBEAN", None, "Martian"], index=[5, 6, 7, 8], name="x")
    before = values.copy()
    as_list = ["a ", None, "Martian"]
    list_before = list(as_list)
    with pytest.warns(DataQualityWarning):
        harmonise(values, errors="not_known")
    harmonise_report(values, to="nhs_code")
    with pytest.warns(DataQualityWarning):
        to_binary(as_list, errors="not_known")
    assert_series_equal(values, before)
    assert values.attrs == {}
    assert as_list == list_before


def test_each_distinct_value_is_classified_once(monkeypatch):
    calls = []
    original = harmonisation_module.classify

    def counting(value, code_system):
        calls.append(value)
        return original(value, code_system)

    monkeypatch.setattr(harmonisation_module, "classify", counting)
    values = pd.Series(["A", "B", None, "A"] * 25_000)
    got = harmonise(values)
    assert len(calls) == 3  # "A", "B", and one call for all missing values
    assert got.value_counts()["White"] == 75_000


# ---------------------------------------------------------------------------------------------
# Missing and unmapped values
# ---------------------------------------------------------------------------------------------


def test_missing_values_are_not_known_and_not_unmapped():
    values = [None, np.nan, pd.NA, "", "   ", "NULL", "n/a"]
    got = harmonise(values, to="nhs_code")
    assert (got == "Not known").all()
    assert unmapped(values, to="nhs_code") == {}
    report = harmonise_report(values, to="nhs_code")
    assert set(report["status"]) == {"missing"}
    assert report["n"].sum() == 7


def test_unmapped_values_raise_with_every_value_and_count():
    values = ["A", "Martian", "Martian", "Q", "A"]
    with pytest.raises(UnknownCodeError) as info:
        harmonise(values)
    assert info.value.unmapped == {"Martian": 2, "Q": 1}
    message = str(info.value)
    assert "'Martian' (2 rows)" in message
    assert "'Q' (1 rows)" in message
    assert "errors='not_known'" in message


def test_unknown_code_error_pickles():
    with pytest.raises(UnknownCodeError) as info:
        harmonise(["Q"])
    clone = pickle.loads(pickle.dumps(info.value))
    assert clone.unmapped == {"Q": 1}
    assert str(clone) == str(info.value)


def test_errors_not_known_warns_logs_and_counts(caplog):
    values = pd.Series(["A", "Martian", "Martian", "Q", ""])
    with pytest.warns(DataQualityWarning, match="Martian"):
        got = harmonise(values, errors="not_known")
    assert got.tolist() == ["White", "Not known", "Not known", "Not known", "Not known"]
    assert got.attrs == {}
    assert unmapped(values) == {"Martian": 2, "Q": 1}
    report = harmonise_report(values)
    assert report.loc[report["status"] == "missing", "n"].sum() == 1
    assert any("could not be mapped" in r.getMessage() for r in caplog.records)


def test_no_warning_when_everything_maps():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        harmonise(["A", None], errors="not_known")


def test_harmonise_report_frame():
    values = pd.Series(["A", "a ", "Martian", "", None, "White: Roma", "A", "A1", None])
    got = harmonise_report(values, to="nhs_code")
    expected = pd.DataFrame(
        {
            "input_value": pd.Series(
                ["A", None, "", "A1", "Martian", "White: Roma", "a "], dtype=object
            ),
            "n": pd.Series([2, 2, 1, 1, 1, 1, 1], dtype="int64"),
            "mapped_to": pd.Series(
                [
                    "White - British",
                    "Not known",
                    "Not known",
                    "White - British",
                    None,
                    "White - Any other White background",
                    "White - British",
                ],
                dtype="str",
            ),
            "status": pd.Series(
                ["mapped", "missing", "missing", "local_code", "unmapped", "lossy", "mapped"],
                dtype="str",
            ),
        }
    )
    assert_frame_equal(got.drop(columns="note"), expected)
    assert got.loc[got["status"] == "lossy", "note"].str.contains("Roma").all()
    assert got.loc[got["status"] == "unmapped", "note"].str.len().gt(0).all()


def test_report_unmapped_and_error_agree():
    values = ["A", "Martian", "Q", "Q", None]
    report = harmonise_report(values)
    rows = report[report["status"] == "unmapped"]
    from_report = dict(zip(rows["input_value"], rows["n"], strict=True))
    assert from_report == unmapped(values) == {"Martian": 1, "Q": 2}
    with pytest.raises(UnknownCodeError) as info:
        harmonise(values)
    assert info.value.unmapped == from_report
    assert report["n"].sum() == len(values)


def test_unmapped_lists_values_in_order_of_appearance_with_counts():
    values = pd.Series(["Q", "A", "", "Martian", None, "Q", 42, "Martian", "Q"])
    got = unmapped(values, to="nhs_code")
    assert list(got.items()) == [("Q", 3), ("Martian", 2), (42, 1)]
    assert unmapped(["A", "Z", "99", None]) == {}


@pytest.mark.parametrize(
    ("values", "kwargs", "expected"),
    [
        # high-level only values: fine for the high level, unmapped for detailed schemes
        (["White", "A"], {"to": "high_level"}, {}),
        (["White", "A"], {"to": "nhs_code"}, {"White": 1}),
        (["White", "A"], {"to": "census2021"}, {"White": 1}),
        # MBRRACE-UK's group maps only with Chinese under Other
        (["Chinese or other"] * 2, {"to": "high_level"}, {"Chinese or other": 2}),
        (["Chinese or other"] * 2, {"to": "high_level", "chinese": "other"}, {}),
        # the binary split: "BME" maps, MBRRACE's White (inc. not known) cannot be split
        (
            ["BME", "White (inc. not known)", "Q"],
            {"to": "binary"},
            {"White (inc. not known)": 1, "Q": 1},
        ),
        # bare Census numbers only with the Census code system
        (["13"], {"to": "census2021"}, {"13": 1}),
        (["13"], {"to": "census2021", "code_system": "census2021"}, {}),
    ],
)
def test_unmapped_follows_the_scheme_and_options(values, kwargs, expected):
    assert unmapped(values, **kwargs) == expected
    errors = "not_known"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        if kwargs.get("to") == "binary":
            options = {k: v for k, v in kwargs.items() if k != "to"}
            got = to_binary(values, errors=errors, **options)
        else:
            got = harmonise(values, errors=errors, **kwargs)
    # exactly the unmapped rows (and no others) are counted as not known
    assert int((got == "Not known").sum()) == sum(expected.values())


def test_unmapped_rejects_bad_options():
    with pytest.raises(InputError, match="to="):
        unmapped(["A"], to="nhs")
    with pytest.raises(InputError, match="DataFrame"):
        unmapped(pd.DataFrame({"a": ["A"]}))


def test_high_level_only_values_do_not_map_to_detail():
    assert harmonise(["White", "Black or Black British", "Asian"]).tolist() == [
        "White",
        "Black",
        "Asian",
    ]
    with pytest.raises(UnknownCodeError) as info:
        harmonise(["White", "Black or Black British"], to="nhs_code")
    assert set(info.value.unmapped) == {"White", "Black or Black British"}
    report = harmonise_report(["White"], to="census2021")
    assert report["status"].tolist() == ["unmapped"]
    assert "high-level group only" in report["note"].iloc[0]


def test_local_codes_and_abbreviations():
    report = harmonise_report(["A1", "CX", "NA", "NK", "NO"], to="nhs_code")
    status = dict(zip(report["input_value"], report["status"], strict=True))
    assert status == {
        "A1": "local_code",
        "CX": "local_code",
        "NA": "missing",
        "NK": "mapped",
        "NO": "unmapped",
    }


def test_code_and_label_that_disagree_are_unmapped():
    with pytest.raises(UnknownCodeError) as info:
        harmonise(["A - Indian"], to="nhs_code")
    assert info.value.unmapped == {"A - Indian": 1}


def test_census_numbers_only_with_census_code_system():
    assert harmonise(["9"], to="census2021").tolist() == ["Not known"]  # legacy NHS "not given"
    assert harmonise(["9"], to="census2021", code_system="census2021").tolist() == [
        "Mixed or Multiple ethnic groups: White and Asian"
    ]
    with pytest.raises(UnknownCodeError):
        harmonise(["13"], to="census2021")


# ---------------------------------------------------------------------------------------------
# The traps: Chinese, and Census groups with no NHS code
# ---------------------------------------------------------------------------------------------


def test_chinese_trap():
    values = [
        "R",
        "Chinese",
        "Asian, Asian British or Asian Welsh: Chinese",
        "Other Ethnic Groups - Chinese",
    ]
    assert set(harmonise(values, to="high_level")) == {"Asian"}
    assert set(harmonise(values, to="high_level", chinese="other")) == {"Other"}
    assert set(harmonise(values, to="nhs_code")) == {"Other Ethnic Groups - Chinese"}
    assert set(harmonise(values, to="census2021")) == {
        "Asian, Asian British or Asian Welsh: Chinese"
    }
    assert set(to_binary(values)) == {"Ethnic minority"}
    # Nothing else moves with the option.
    others = ["A", "H", "S", "Arab", "Other ethnic group"]
    assert_series_equal(
        harmonise(others, to="high_level"), harmonise(others, to="high_level", chinese="other")
    )
    with pytest.raises(UnknownCodeError):  # MBRRACE's group cannot be split on the Census basis
        harmonise(["Chinese or other"], to="high_level")


# ---------------------------------------------------------------------------------------------
# Binary split
# ---------------------------------------------------------------------------------------------


def test_to_binary_wres_definition():
    values = pd.Series(
        ["A", "B", "C", "White: Roma", "D", "H", "M", "R", "S", "Z", "99", None, "BME"]
    )
    got = to_binary(values)
    assert got.tolist() == (
        ["White"] * 4 + ["Ethnic minority"] * 5 + ["Not known"] * 3 + ["Ethnic minority"]
    )
    assert list(got.cat.categories) == ["White", "Ethnic minority", "Not known"]
    assert got.dtype.ordered


def test_to_binary_labels_are_configurable():
    got = to_binary(["A", "N", "Z"], minority_label="BME", unknown_label="Unknown")
    assert got.tolist() == ["White", "BME", "Unknown"]
    assert list(got.cat.categories) == ["White", "BME", "Unknown"]
    with pytest.raises(InputError, match="minority_label"):
        to_binary(["A"], minority_label="White")


def test_to_binary_unmapped():
    with pytest.raises(UnknownCodeError):
        to_binary(["White (inc. not known)"])
    with pytest.warns(DataQualityWarning):
        got = to_binary(["Martian", "A"], errors="not_known", unknown_label="Unknown")
    assert got.tolist() == ["Unknown", "White"]
    assert got.attrs == {}
    assert unmapped(["Martian", "A"], to="binary") == {"Martian": 1}


# ---------------------------------------------------------------------------------------------
# Options and helpers
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "word"),
    [
        ({"to": "nhs"}, "to="),
        ({"errors": "ignore"}, "errors="),
        ({"chinese": "yes"}, "chinese="),
        ({"code_system": "ons"}, "code_system="),
        ({"to": "binary"}, "to_binary"),
    ],
)
def test_bad_options_raise_input_error(kwargs, word):
    with pytest.raises(InputError, match=word):
        harmonise(["A"], **kwargs)


def test_bad_values_argument():
    with pytest.raises(InputError, match="DataFrame"):
        harmonise(pd.DataFrame({"a": ["A"]}))
    with pytest.raises(InputError, match="sequence"):
        harmonise("A")


@pytest.mark.parametrize("scheme", ["nhs_code", "census2021", "high_level"])
def test_harmonise_is_idempotent(scheme):
    values = pd.Series([*NHS_CODES, None, "White: Roma", "Arab", "Chinese"])
    once = harmonise(values, to=scheme)
    assert_series_equal(harmonise(once, to=scheme), once)


def test_to_binary_is_idempotent():
    once = to_binary(["A", "N", None], minority_label="BME")
    assert_series_equal(to_binary(once, minority_label="BME"), once)
