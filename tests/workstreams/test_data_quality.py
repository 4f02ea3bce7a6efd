"""Tests of rhoresearch.workstreams.data_quality and rhoresearch.demo.data_quality."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from rhoresearch import data, ethnicity
from rhoresearch.demo import data_quality as demo_data_quality
from rhoresearch.exceptions import InputError
from rhoresearch.workstreams import data_quality

WB = ethnicity.NHS_CODES["A"]
IND = ethnicity.NHS_CODES["H"]


def test_classify_codes_statuses():
    values = pd.Series(["A", "a ", "A1", "Z", "z", "99", "X", "9", "", None, "Q", "0", "S"])
    got = data_quality.classify_codes(values).astype(str).tolist()
    assert got == [
        "valid",
        "valid",
        "valid",
        "not_stated",
        "not_stated",
        "not_known",
        "not_known",
        "not_known",
        "missing",
        "missing",
        "invalid",
        "invalid",
        "valid",
    ]
    assert list(data_quality.classify_codes(values).cat.categories) == list(data_quality.STATUSES)


def test_completeness_hand_counts():
    rec = pd.DataFrame(
        {
            "provider_code": ["P1"] * 10 + ["P2"] * 4,
            "ethnic_category": ["A"] * 7 + ["Z", "99", ""] + ["H", "H", "Q", "Z"],
        }
    )
    res = data_quality.completeness(rec, by="provider_code")
    got = res[["provider_code", "status", "numerator", "denominator", "value"]]
    expected = pd.DataFrame(
        {
            "provider_code": ["P1"] * 5 + ["P2"] * 5,
            "status": list(data_quality.STATUSES) * 2,
            "numerator": [7.0, 1, 1, 1, 0, 2, 1, 0, 0, 1],
            "denominator": [10.0] * 5 + [4.0] * 5,
            "value": [70.0, 10, 10, 10, 0, 50, 25, 0, 0, 25],
        }
    )
    assert_frame_equal(got, expected, check_dtype=False)
    valid = data_quality.valid_by_provider(rec)
    assert valid["value"].tolist() == [70.0, 50.0]
    assert (valid["method"] == "Wilson").all()


def _linked_from_table(table, cats):
    a, b = [], []
    for i, ca in enumerate(cats):
        for j, cb in enumerate(cats):
            a += [ca] * table[i][j]
            b += [cb] * table[i][j]
    return pd.DataFrame({"person_id": range(1, len(a) + 1), "census_code": a, "hes_code": b})


def test_kappa_hand_example():
    # 2x2 table [[20, 5], [10, 15]], n = 50: p_o = 0.7, p_e = 0.5*0.6 + 0.5*0.4 = 0.5,
    # kappa = (0.7 - 0.5) / 0.5 = 0.4. Fleiss, Cohen & Everitt (1969) variance, by hand:
    # sum_i p_ii [1 - (p_i. + p_.i)(1 - k)]^2 = .4(1 - 1.1*.6)^2 + .3(1 - .9*.6)^2 = 0.10972
    # (1 - k)^2 sum_{i!=j} p_ij (p_.i + p_j.)^2 = .36 (.1*1.1^2 + .2*.9^2) = 0.10188
    # minus (k - p_e(1 - k))^2 = 0.01  ->  0.2016 / (50 * 0.25) = 0.016128, SE = 0.126996
    linked = _linked_from_table([[20, 5], [10, 15]], ["A", "H"])
    res = data_quality.agreement(linked)
    assert res["kappa"].iloc[0] == pytest.approx(0.4, abs=1e-12)
    assert res["kappa_se"].iloc[0] == pytest.approx(math.sqrt(0.016128), rel=1e-9)
    z = 1.959963984540054
    assert res["kappa_lower_ci"].iloc[0] == pytest.approx(0.4 - z * math.sqrt(0.016128), rel=1e-9)
    assert res["value"].iloc[0] == pytest.approx(70.0)
    assert res["numerator"].iloc[0] == 35 and res["denominator"].iloc[0] == 50
    assert res["expected_agreement"].iloc[0] == pytest.approx(50.0)
    assert res["n_excluded"].iloc[0] == 0


def test_agreement_excludes_and_counts_unknown():
    linked = _linked_from_table([[20, 5], [10, 15]], ["A", "H"])
    extra = pd.DataFrame(
        {"person_id": [51, 52, 53], "census_code": ["A", "Z", "H"], "hes_code": ["99", "A", ""]}
    )
    res = data_quality.agreement(pd.concat([linked, extra], ignore_index=True))
    assert res["n_excluded"].iloc[0] == 3
    assert res["kappa"].iloc[0] == pytest.approx(0.4)


def test_agreement_by_group_and_flows():
    linked = _linked_from_table([[20, 5], [10, 15]], ["A", "H"])
    res = data_quality.agreement_by_group(linked).set_index("ethnic_group")
    assert res.loc[WB, "numerator"] == 20 and res.loc[WB, "denominator"] == 25
    assert res.loc[WB, "value"] == pytest.approx(80.0)
    assert res.loc[IND, "value"] == pytest.approx(60.0)
    assert res.loc[WB, "recorded_in_b"] == 30
    # with two groups, each group's yes/no kappa equals the overall kappa
    assert res.loc[WB, "kappa"] == pytest.approx(0.4)
    assert res.loc[ethnicity.NHS_CODES["B"], "denominator"] == 0
    flows = data_quality.disagreement_flows(linked)
    assert flows[["group_a", "group_b", "count"]].values.tolist() == [
        [WB, WB, 20],
        [WB, IND, 5],
        [IND, IND, 15],
        [IND, WB, 10],
    ]
    np.testing.assert_allclose(flows["percent"], [80, 20, 60, 40])


def test_representation_hand_example():
    part = pd.DataFrame(
        {
            "study_id": ["S"] * 3,
            "ethnic_group": ["White", "Black", "Not stated"],
            "participants": [90, 10, 7],
        }
    )
    ref = pd.DataFrame(
        {"study_id": ["S", "S"], "ethnic_group": ["White", "Black"], "reference_share": [0.8, 0.2]}
    )
    res = data_quality.representation(part, ref).set_index("ethnic_group")
    # Black: 10% of participants / 20% of population = 0.5; White 0.9 / 0.8 = 1.125
    assert res.loc["Black", "value"] == pytest.approx(0.5)
    assert res.loc["White", "value"] == pytest.approx(1.125)
    assert res.loc["Black", "representation"] == "under-represented"
    assert res.loc["White", "representation"] == "similar"
    assert (res["n_not_stated"] == 7).all()
    assert res.loc["Black", "lower_ci"] < 0.5 < res.loc["Black", "upper_ci"]


def test_bad_confidence_raises():
    linked = _linked_from_table([[2, 1], [1, 2]], ["A", "H"])
    with pytest.raises(InputError, match="confidence"):
        data_quality.agreement(linked, confidence=95)


# --------------------------------------------------------------------------------------------------
# demonstration data
# --------------------------------------------------------------------------------------------------


def test_demo_same_seed_same_bytes(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    ta = demo_data_quality.generate(a, seed=5, scale=0.05)
    demo_data_quality.generate(b, seed=5, scale=0.05)
    for f in sorted(a.iterdir()):
        assert (b / f.name).read_bytes() == f.read_bytes(), f.name
    assert json.loads((a / "truth.json").read_text()) == ta
    c = tmp_path / "c"
    demo_data_quality.generate(c, seed=6, scale=0.05)
    assert (c / "records.csv").read_bytes() != (a / "records.csv").read_bytes()


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("data_quality")
    truth = demo_data_quality.generate(out, seed=21)
    tables = {
        stem: data.load(out / f"{stem}.csv", schema=schema)
        for stem, schema in data_quality.SCHEMAS.items()
    }
    return truth, tables


def test_demo_completeness_planted(demo):
    truth, t = demo
    rec = t["records"]
    assert 200_000 < len(rec) < 400_000
    valid = data_quality.valid_by_provider(rec)
    assert 45 < valid["value"].min() < 60
    assert valid["value"].max() > 98
    independent = valid[valid["provider_code"].isin(truth["independent_providers"])]
    assert (independent["value"] < 66.7).all()  # more than a third without a known, stated code
    by_year = data_quality.completeness(rec[rec["dataset"] == "Hospital episodes"], by="year")
    ns = by_year[by_year["status"] == "not_stated"]["value"].to_numpy()
    assert (np.diff(ns) > 0).all()  # "not stated" rises over the years
    pc = data_quality.completeness(rec[rec["dataset"] == "Primary care"])
    assert 5 < 100 - pc.loc[pc["status"] == "valid", "value"].iloc[0] < 15


def test_demo_agreement_planted(demo):
    truth, t = demo
    overall = data_quality.agreement(t["linked_ethnicity"], confidence=0.998).iloc[0]
    planted = truth["agreement"]
    assert overall["kappa_lower_ci"] <= planted["expected_kappa"] <= overall["kappa_upper_ci"]
    assert overall["lower_ci"] <= planted["expected_overall_agreement"] * 100 <= overall["upper_ci"]
    groups = data_quality.agreement_by_group(t["linked_ethnicity"], confidence=0.998)
    for code, p in planted["planted_agreement_by_census_group"].items():
        row = groups[groups["ethnic_group"] == ethnicity.NHS_CODES[code]].iloc[0]
        assert row["lower_ci"] <= p * 100 <= row["upper_ci"], code
    ordered = groups.set_index("ethnic_group")["value"]
    assert ordered[WB] > 94 and ordered[ethnicity.NHS_CODES["P"]] < 25


def test_demo_representation_planted(demo):
    truth, t = demo
    res = data_quality.representation(
        t["research_participants"], t["research_reference"], confidence=0.998
    )
    for r in res.itertuples(index=False):
        planted = truth["research"][r.study_id]["planted_ppr"][r.ethnic_group]
        assert r.lower_ci <= planted <= r.upper_ci, (r.study_id, r.ethnic_group)
    under = res[res["ethnic_group"].isin(["Black", "Asian"]) & (res["study_id"] != "S06")]
    assert (under["representation"] == "under-represented").mean() > 0.8


# --------------------------------------------------------------------------------------------------
# build configuration and report level (slow)
# --------------------------------------------------------------------------------------------------


def test_reports_yml_grid_selects_existing_datasets(tmp_path):
    from rhoresearch import build, demo

    demo.generate_all(tmp_path, only=["data_quality"])
    records = data.load(
        tmp_path / "data_quality" / "records.csv", schema=data_quality.RECORDS_SCHEMA
    )
    specs = [s for s in build.load() if s.notebook.name == "03-data-quality-representation.ipynb"]
    assert len(specs) >= 2
    for spec in specs:
        selected = data_quality.select(records, dataset=spec.parameters.get("dataset", "all"))
        assert len(selected) > 0, spec.id


@pytest.mark.slow
def test_default_report_builds_passes_disclosure_and_recovers_truth(tmp_path):
    from rhoresearch import build, config, demo, disclosure

    if not (config.demo_dir() / "data_quality" / "truth.json").exists():
        demo.generate_all(only=["data_quality"])
    spec = {s.id: s for s in build.load()}["data-quality"]
    manifest = build.build_report(spec, reports_dir=tmp_path, force=True, update_index=False)
    assert manifest["status"] == "success"
    folder = tmp_path / "data-quality"
    unsafe = disclosure.scan(folder)
    assert unsafe.empty, unsafe
    truth = json.loads((config.demo_dir() / "data_quality" / "truth.json").read_text())
    overall = pd.read_csv(folder / "results" / "agreement_overall.csv").iloc[0]
    planted = truth["agreement"]["expected_kappa"]
    assert overall["kappa_lower_ci"] - 0.005 <= planted <= overall["kappa_upper_ci"] + 0.005
    ppr = pd.read_csv(folder / "results" / "research_representation.csv")
    black = ppr[(ppr["ethnic_group"] == "Black") & (ppr["study_id"] != "S06")]
    assert (black["representation"] == "under-represented").all()
    html = (folder / "report.html").read_text(encoding="utf-8")
    assert "emonstration data" in html and html.count("<img") >= 5


def test_demo_population_matches_census_reference():
    # the generator's England population by NHS code is Census 2021 TS021 (data/reference)
    ref = data.load_reference("census2021_ts021")
    eng = ref[(ref["geography"] == "England") & (ref["category_level"] == "detail")]
    count = eng.set_index(eng["census2021_ethnic_group_code"].astype(int))["count"]
    census_for_nhs = {
        "A": [13], "B": [14], "C": [15, 16, 17], "D": [11], "E": [10], "F": [9], "G": [12],
        "H": [3], "J": [4], "K": [1], "L": [5], "M": [7], "N": [6], "P": [8], "R": [2],
        "S": [18, 19],
    }  # fmt: skip
    expected = [int(count[census_for_nhs[c]].sum()) for c in demo_data_quality.NHS_CODES]
    assert list(demo_data_quality._ENGLAND_COUNTS) == expected


def test_select_dataset_and_years():
    rec = pd.DataFrame(
        {
            "dataset": ["Hospital episodes", "Primary care", "Primary care"],
            "year": [2022, 2022, 2023],
            "ethnic_category": ["A", "B", "C"],
        }
    )
    assert len(data_quality.select(rec, dataset="primary-care")) == 2
    assert len(data_quality.select(rec, dataset="all", years=[2022])) == 2
    assert data_quality.dataset_label("primary-care", rec) == "Primary care"
    with pytest.raises(InputError, match="not in the data"):
        data_quality.select(rec, dataset="community")
    with pytest.raises(InputError, match="2030"):
        data_quality.select(rec, years=[2030])
