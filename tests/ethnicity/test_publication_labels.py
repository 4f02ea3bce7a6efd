"""Ethnicity labels as UK statistical publications print them, against their expected codes.

The corpus (``publication_labels.csv``, one row per label, its publication in ``source``) holds
the detailed labels of NHS England's Mental Health Act statistics (printed without their upper
group), the Race Disparity Unit's Ethnicity facts and figures forms, ONS Census 2021 and 2011
labels with and without the upper group, NHS Data Dictionary descriptions, totals rows and the
collective labels that name no single group. ``nhs_code`` is the expected NHS ethnic category
(blank: a high-level group only; ``collective``: never mapped) and ``high_level`` the expected
high-level group (Census 2021 basis: Chinese is Asian).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from rhoresearch import ethnicity
from rhoresearch.exceptions import UnknownCodeError

CORPUS = pd.read_csv(
    Path(__file__).with_name("publication_labels.csv"), dtype=str, keep_default_na=False
)
DETAILED = CORPUS[~CORPUS["nhs_code"].isin(["", "collective"])]
HIGH_ONLY = CORPUS[CORPUS["nhs_code"] == ""]
COLLECTIVE = CORPUS[CORPUS["nhs_code"] == "collective"]


def test_corpus_is_large_and_names_its_sources():
    assert len(CORPUS) >= 150
    assert CORPUS["source"].str.len().gt(20).all()
    assert len(COLLECTIVE) >= 7
    for label in ["BAME", "BME", "ethnic minorities", "Non-white", "Other inc. mixed"]:
        assert label in set(COLLECTIVE["label"])


@pytest.mark.parametrize(
    ("label", "code"), list(zip(DETAILED["label"], DETAILED["nhs_code"], strict=True))
)
def test_detailed_label_maps_to_its_nhs_code(label, code):
    got = ethnicity.harmonise([label], to="nhs_code", errors="raise")
    assert str(got.iloc[0]) == ethnicity.NHS_CODES[code], label


def test_every_label_maps_to_its_high_level_group():
    usable = CORPUS[CORPUS["nhs_code"] != "collective"]
    got = ethnicity.harmonise(usable["label"], to="high_level", errors="raise")
    wrong = usable.assign(got=got.astype("str").to_numpy())
    wrong = wrong[wrong["got"] != wrong["high_level"]]
    assert wrong.empty, wrong[["label", "high_level", "got"]].to_string()


@pytest.mark.parametrize("label", list(HIGH_ONLY["label"]))
def test_high_level_only_label_is_not_given_a_detailed_group(label):
    with pytest.raises(UnknownCodeError):
        ethnicity.harmonise([label], to="nhs_code", errors="raise")


@pytest.mark.parametrize("to", ["high_level", "nhs_code", "census2021"])
def test_collective_labels_are_never_mapped(to):
    labels = list(COLLECTIVE["label"])
    for label in labels:
        with pytest.raises(UnknownCodeError) as info:
            ethnicity.harmonise([label], to=to, errors="raise")
        assert label in info.value.unmapped
    report = ethnicity.harmonise_report(pd.Series(labels), to=to)
    assert set(report["status"]) == {"unmapped"}
    assert report["note"].str.contains("collective label naming no single ethnic group").all()
    assert report["mapped_to"].isna().all()


def test_totals_row_of_a_group_is_that_group_and_total_alone_is_collective():
    got = ethnicity.harmonise(["Indian total", "Total: Indian"], to="nhs_code")
    assert got.astype("str").tolist() == [ethnicity.NHS_CODES["H"]] * 2
    report = ethnicity.harmonise_report(pd.Series(["Indian total"]), to="nhs_code")
    assert "totals row" in report["note"].iloc[0]
    assert ethnicity.unmapped(pd.Series(["Total", "Grand total"]), to="high_level") == {
        "Total": 1,
        "Grand total": 1,
    }
