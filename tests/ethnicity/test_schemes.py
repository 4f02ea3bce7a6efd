"""Tests for rhoresearch.ethnicity.schemes: the code lists against the published tables, the
display orders, the concordance and the lossy mappings."""

from __future__ import annotations

import re

import pytest

from rhoresearch import config, ethnicity
from rhoresearch.ethnicity import (
    CENSUS2021_CODES,
    CENSUS2021_ORDER,
    DEFAULT_REFERENCE,
    HIGH_LEVEL_ORDER,
    NHS_CODE_ORDER,
    NHS_CODES,
    NHS_NATIONAL_CODES,
    NOT_KNOWN,
    NOT_STATED,
    harmonise,
    harmonise_report,
)
from rhoresearch.exceptions import InputError

# ---------------------------------------------------------------------------------------------
# The package's one copy of each code list equals the committed reference table
# ---------------------------------------------------------------------------------------------


def test_nhs_codes_equal_the_data_dictionary_table(nhs_table):
    # same codes, same descriptions, same (Data Dictionary) order
    assert list(zip(nhs_table["code"], nhs_table["description"], strict=True)) == list(
        NHS_CODES.items()
    )
    assert NHS_CODE_ORDER == nhs_table["description"].tolist()
    assert (NHS_CODES["Z"], NHS_CODES["99"]) == (NOT_STATED, NOT_KNOWN)


def test_nhs_national_codes_are_the_detailed_groups(nhs_table):
    detailed = nhs_table.loc[nhs_table["high_level_group"].notna(), "code"]
    assert NHS_NATIONAL_CODES == tuple(detailed)
    assert len(NHS_NATIONAL_CODES) == 16


def test_census_codes_equal_the_classification_table(census_table):
    expected = [
        (int(code), label)
        for code, label in zip(
            census_table["census2021_code"], census_table["census2021_label"], strict=True
        )
    ]
    assert list(CENSUS2021_CODES.items()) == expected
    assert CENSUS2021_ORDER == [label for _, label in expected] + [NOT_STATED, NOT_KNOWN]


def test_display_orders():
    assert NHS_CODE_ORDER[0] == "White - British"
    assert NHS_CODE_ORDER[-2:] == ["Not stated", "Not known"]
    assert len(NHS_CODE_ORDER) == 18
    assert len(CENSUS2021_ORDER) == 21
    assert CENSUS2021_ORDER[:1] == ["Asian, Asian British or Asian Welsh: Bangladeshi"]
    assert HIGH_LEVEL_ORDER == [
        "Asian",
        "Black",
        "Mixed",
        "White",
        "Other",
        "Not stated",
        "Not known",
    ]
    assert ethnicity.labels("binary") == ["White", "Ethnic minority", "Not known"]
    assert ethnicity.labels("binary", minority_label="BME") == ["White", "BME", "Not known"]


@pytest.mark.parametrize("scheme", ["nhs_code", "census2021", "high_level", "binary"])
def test_default_reference_is_a_category_of_its_scheme(scheme):
    assert DEFAULT_REFERENCE[scheme] in ethnicity.labels(scheme)


def test_default_reference_values():
    assert DEFAULT_REFERENCE["nhs_code"] == "White - British"
    assert DEFAULT_REFERENCE["census2021"] == (
        "White: English, Welsh, Scottish, Northern Irish or British"
    )
    assert DEFAULT_REFERENCE["high_level"] == "White"


# ---------------------------------------------------------------------------------------------
# Concordance and lossy mappings
# ---------------------------------------------------------------------------------------------


def test_lossy_mappings_are_listed():
    lossy = ethnicity.lossy_mappings()
    assert list(lossy.columns) == ["from_scheme", "from_value", "to_scheme", "to_value", "loss"]
    census_rows = lossy[lossy["from_scheme"] == "census2021"]
    assert dict(zip(census_rows["from_value"], census_rows["to_value"], strict=True)) == {
        "White: Gypsy or Irish Traveller": NHS_CODES["C"],
        "White: Roma": NHS_CODES["C"],
        "Other ethnic group: Arab": NHS_CODES["S"],
    }
    assert lossy["loss"].str.len().gt(20).all()
    assert (lossy["from_value"] == NHS_CODES["R"]).any()


def test_lossy_rows_match_harmonise():
    for row in ethnicity.lossy_mappings().itertuples(index=False):
        if row.from_scheme == "census2021":
            assert harmonise([row.from_value], to="nhs_code").tolist() == [row.to_value]
            report = harmonise_report([row.from_value], to="nhs_code")
            assert report["status"].tolist() == ["lossy"]
        if row.from_scheme == "nhs_code" and row.to_scheme == "census2021":
            assert harmonise([row.from_value], to="census2021").tolist() == [row.to_value]


def test_concordance_covers_every_census_group():
    table = ethnicity.concordance()
    assert table["census2021_code"].dropna().astype(int).tolist() == list(range(1, 20))
    assert table["nhs_code"].tolist()[-2:] == ["Z", "99"]
    assert table.loc[table["lossy"], "census2021_code"].astype(int).tolist() == [15, 16, 18]
    chinese = table[table["nhs_code"] == "R"].iloc[0]
    assert (chinese["high_level"], chinese["high_level_nhs2001"]) == ("Asian", "Other")


def test_labels_rejects_unknown_scheme():
    with pytest.raises(InputError, match="nhs_code"):
        ethnicity.labels("ons")


def test_package_reexports_every_public_name():
    from rhoresearch.ethnicity import display, harmonisation, schemes

    for module in (schemes, harmonisation, display):
        for name in module.__all__:
            assert getattr(ethnicity, name) is getattr(module, name), name
            assert name in ethnicity.__all__, name
    assert sorted(ethnicity.__all__) == sorted(
        [*schemes.__all__, *harmonisation.__all__, *display.__all__]
    )


# Files that still hold a copy of the NHS descriptions, to be switched to rhoresearch.ethnicity by
# their owners (issue 12). The test fails when a new copy appears, and when a listed file no longer
# holds one (then remove it from this set).
def test_the_nhs_code_list_exists_once_in_the_package():
    package = config.PACKAGE_DIR
    # a code paired with its description, as in a mapping: "A": "White - British" or
    # "A": ("White - British", ...)
    pairs = [
        re.compile(rf"""["']{code}["']\s*:\s*\(?\s*["']{re.escape(NHS_CODES[code])}["']""")
        for code in NHS_NATIONAL_CODES
    ]
    holders = set()
    for path in package.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        if sum(bool(p.search(text)) for p in pairs) >= 3:
            holders.add(path.relative_to(package).as_posix())
    assert holders == {"ethnicity/schemes.py"}
