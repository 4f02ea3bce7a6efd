"""Tests of rhoresearch.workstreams.data_quality and rhoresearch.demo.data_quality."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from rhoresearch import data, disclosure, ethnicity
from rhoresearch.demo import data_quality as demo_data_quality
from rhoresearch.exceptions import InputError
from rhoresearch.workstreams import _completeness, data_quality

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
    flows, excluded = data_quality.disagreement_flows(linked)
    assert excluded.empty and list(excluded.columns) == ["step", "reason", "rows"]
    assert not flows.attrs  # nothing travels in attrs
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


@pytest.mark.parametrize("confidence", [95, 0.5, 0.89, 1.0, "0.95"])
def test_bad_confidence_raises(confidence):
    # the one rule of rhoresearch.validation: a fraction in [0.9, 1)
    linked = _linked_from_table([[2, 1], [1, 2]], ["A", "H"])
    with pytest.raises(InputError, match="confidence"):
        data_quality.agreement(linked, confidence=confidence)
    with pytest.raises(InputError, match="confidence"):
        data_quality.agreement_by_group(linked, confidence=confidence)


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
def test_default_report_builds_passes_disclosure_and_recovers_truth(demo_report):
    from rhoresearch import config

    if not (config.demo_dir() / "data_quality" / "truth.json").exists():
        pytest.skip("demonstration data for data_quality not generated (make data)")
    folder = demo_report("data-quality")  # built once per test run (tests/conftest.py)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["status"] == "success"
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
    # the generator's code list is the national codes of rhoresearch.ethnicity, in order
    assert demo_data_quality.NHS_CODES == tuple("ABCDEFGHJKLMNPRS")


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


# --------------------------------------------------------------------------------------------------
# completeness is shared; exclusions are returned; the report's tables and findings
# --------------------------------------------------------------------------------------------------


def test_completeness_is_the_shared_module():
    assert data_quality.completeness is _completeness.completeness
    assert data_quality.classify_codes is _completeness.classify_codes
    assert data_quality.STATUSES == _completeness.STATUSES


def test_disagreement_flows_returns_the_pairs_left_out():
    linked = pd.DataFrame(
        {
            "census_code": ["A", "A", "H", "Z", "99", "A"],
            "hes_code": ["A", "H", "H", "A", "A", "Z"],
        }
    )
    res = data_quality.disagreement_flows(linked)
    assert res.table["count"].sum() == 4  # the two unknown in census_code left out
    expected = pd.DataFrame(
        {
            "step": ["disagreement flows"],
            "reason": ["group not stated or not known in census_code"],
            "rows": [2],
        }
    )
    assert_frame_equal(res.exclusions, expected, check_dtype=False)
    strict = data_quality.disagreement_flows(linked, include_unknown=False)
    assert strict.exclusions["rows"].tolist() == [2, 1]
    assert strict.exclusions["reason"].iloc[1] == "group not stated or not known in hes_code"


def test_commonest_moves_and_reference_first():
    flows = pd.DataFrame(
        {
            "group_a": ["X", "X", "X", "Y", "Y"],
            "group_b": ["p", "q", "r", "p", "q"],
            "count": [50.0, np.nan, 20.0, 9.0, 7.0],
            "count_suppressed": [False, True, False, False, False],
        }
    )
    moves = data_quality.commonest_moves(flows, n=2)
    assert moves["group_b"].tolist() == ["p", "r", "p", "q"]
    table = pd.DataFrame({"ethnic_group": ["a", "b", "c"], "value": [1, 2, 3]})
    first = data_quality.reference_first(table, reference="b")
    assert first["ethnic_group"].tolist() == ["b", "a", "c"]


def _small_data_quality():
    rng = np.random.default_rng(3)
    rows = []
    for dataset, providers in (("Hospital episodes", ["P1", "P2"]), ("Primary care", ["G1"])):
        for year, stated in ((2022, 0.04), (2023, 0.08)):
            for p in providers:
                codes = rng.choice(
                    ["A", "H", "Z", "99", ""], size=400, p=[0.7, 0.2 - stated, stated, 0.05, 0.05]
                )
                rows += [(dataset, p, year, c) for c in codes]
    records = pd.DataFrame(rows, columns=["dataset", "provider_code", "year", "ethnic_category"])
    records.insert(0, "record_id", range(1, len(records) + 1))
    providers = pd.DataFrame(
        {
            "provider_code": ["P1", "P2", "G1"],
            "provider_name": ["One", "Two", "Surgery"],
            "dataset": ["Hospital episodes", "Hospital episodes", "Primary care"],
            "sector": ["NHS", "Independent", "NHS"],
        }
    )
    linked = _linked_from_table([[200, 20, 10], [30, 100, 5], [10, 10, 60]], ["A", "H", "N"])
    participants = pd.DataFrame(
        {
            "study_id": ["S1"] * 3 + ["S2"] * 3,
            "study_title": ["Trial one"] * 3 + ["Trial two"] * 3,
            "ethnic_group": ["White", "Asian", "Black"] * 2,
            "participants": [900, 50, 50, 800, 150, 50],
        }
    )
    reference = pd.DataFrame(
        {
            "study_id": ["S1"] * 3 + ["S2"] * 3,
            "ethnic_group": ["White", "Asian", "Black"] * 2,
            "reference_share": [0.8, 0.1, 0.1, 0.8, 0.1, 0.1],
        }
    )
    return records, providers, linked, participants, reference


def test_summary_tables_keep_the_published_columns():
    records, providers, linked, participants, reference = _small_data_quality()
    tables = data_quality.summary_tables(
        records, providers, linked, participants, reference, year=2023, threshold=5
    )

    def shown(table):
        return [c for c in table.columns if not c.endswith(disclosure.FLAG_SUFFIX)]

    assert shown(tables.by_year)[:2] == ["year", "status_label"]
    assert shown(tables.by_dataset)[:3] == ["dataset", "year", "status_label"]
    assert shown(tables.providers) == data_quality.PROVIDER_COLUMNS
    assert len(tables.providers) == 3 and "upper_2s_limit" in tables.provider_limits
    assert shown(tables.agreement)[-1] == "n_excluded"
    assert tables.flows["group_a"].ne(tables.flows["group_b"]).all()
    assert tables.representation["study_title"].iloc[0] == "Trial one"
    with pytest.raises(InputError, match="2030"):
        data_quality.summary_tables(records, providers, linked, participants, reference, year=2030)


def test_linked_tables_publish_each_statistic_by_its_rules():
    # a small count (2 people recorded H in A but N in B) is suppressed, with what derives from it
    linked = _linked_from_table([[200, 20, 2], [30, 100, 5], [10, 10, 60]], ["A", "H", "N"])
    tables = data_quality.linked_tables(linked, threshold=5)

    def shown(table):
        return [c for c in table.columns if not c.endswith(disclosure.FLAG_SUFFIX)]

    overall = data_quality.agreement(linked)
    assert shown(tables.agreement)[:5] == [
        "numerator",
        "denominator",
        "value",
        "lower_ci",
        "upper_ci",
    ]
    assert tables.agreement["value"].iloc[0] == pytest.approx(overall["value"].iloc[0])
    assert shown(tables.agreement_by_group)[0] == "ethnic_group"
    assert shown(tables.agreement_by_group)[-1] == "kappa_upper_ci"
    flows = tables.flows
    assert shown(flows) == ["group_a", "group_b", "count", "denominator", "percent"]
    assert flows["group_a"].ne(flows["group_b"]).all()
    small = np.asarray(disclosure.is_suppressed(flows, "count"), dtype=bool)
    assert small.any() and np.asarray(disclosure.is_suppressed(flows, "percent"))[small].all()
    with pytest.raises(InputError, match="threshold"):
        data_quality.linked_tables(linked, threshold=0)


def test_findings_are_built_from_the_numbers_and_the_dataset_parameter():
    records_all, providers, linked, participants, reference = _small_data_quality()
    records = data_quality.select(records_all, dataset="hospital-episodes")
    tables = data_quality.summary_tables(
        records, providers, linked, participants, reference, year=2023, threshold=5
    )
    lines = data_quality.findings(tables, dataset="hospital-episodes", year=2023)
    # issue 19: one dataset chosen, the heading says what does not follow the choice
    assert lines[:2] == [
        "**Hospital episodes** (completeness and providers; the linked file and the research "
        "studies are the same whatever the dataset)",
        "",
    ]
    bullets = lines[2:]
    assert len(bullets) == 6 and all(b.startswith("- ") for b in bullets)
    by_year = tables.by_year.set_index(["year", "status_label"])["value"]
    valid = by_year[(2023, "Valid code (A-S)")]
    assert bullets[0].startswith(f"- In 2023, {valid:.1f}% (95% CI ")
    assert "of records in Hospital episodes carried a valid ethnic category code" in bullets[0]
    assert bullets[1].startswith("- Across 2 providers the valid-code percentage ranged from")
    assert "below the 95% limit of their dataset's funnel" in bullets[1]
    before, after = by_year[(2022, "Not stated (Z)")], by_year[(2023, "Not stated (Z)")]
    verb = "rose" if round(after, 1) > round(before, 1) else "fell"
    assert bullets[2] == (
        f'- "Not stated" {verb} from {before:.1f}% of records in 2022 to {after:.1f}% in 2023.'
    )
    assert "(Cohen's kappa 0." in bullets[3]
    # issue 19: the agreement's denominator (pairs known in both) and what it leaves out, said
    overall = tables.agreement.iloc[0]
    assert bullets[3].startswith("- The linked file's two sources (census and HES) recorded")
    assert f"of the {int(overall['denominator']):,} people with a known group in both" in bullets[3]
    assert f"the {int(overall['n_excluded']):,} pairs with" in bullets[3]
    # issue 19: one funnel per dataset, its limits said
    assert "compared with that dataset's own percentage" in bullets[1]
    # agreement by group: A 200/230 = 87.0%, H 100/135 = 74.1%, N 60/80 = 75.0%
    assert bullets[4] == (
        f"- Agreement was lowest for {IND} (74.1%); {ethnicity.NHS_CODES['N']} (75.0%); "
        f"{WB} (87.0%); highest for {WB} (87.0%); {ethnicity.NHS_CODES['N']} (75.0%)."
    )
    # PPR: Asian 0.05 / 0.1 = 0.5 in S1, Black 0.5 in both studies
    assert bullets[5] == (
        "- 3 of 6 study-group combinations had a participation-to-prevalence ratio below 0.8 "
        "(under-represented): Black in 2 of 2 studies, Asian in 1 of 2 studies."
    )
    everything = data_quality.summary_tables(
        records_all, providers, linked, participants, reference, year=2023
    )
    assert data_quality.findings(everything, dataset="all", year=2023)[0] == "**all datasets**"
    assert "90% CI" in data_quality.findings(tables, dataset="all", year=2023, confidence=0.9)[2]


@pytest.mark.parametrize("by", [None, "year", ["provider_code", "year"]])
def test_counted_records_give_the_same_completeness(by):
    rec = pd.DataFrame(
        {
            "provider_code": ["P1"] * 6 + ["P2"] * 5,
            "year": [2022, 2022, 2023, 2023, 2023, 2023, 2022, 2022, 2022, 2023, 2023],
            "ethnic_category": ["A", "A", "Z", "99", None, "A", "H", "q", "", "H", "Z"],
        }
    )
    counted = (
        rec.assign(ethnic_category=rec["ethnic_category"].astype(object))
        .groupby(["provider_code", "year", "ethnic_category"], dropna=False)
        .size()
        .rename("records")
        .reset_index()
    )
    assert len(counted) < len(rec)
    assert_frame_equal(
        data_quality.completeness(counted, by=by, weight="records"),
        data_quality.completeness(rec, by=by),
    )


def _provider_records(valid: dict[tuple[str, str], tuple[int, int]]) -> pd.DataFrame:
    rows = []
    for (dataset, provider), (n_valid, n) in valid.items():
        codes = ["A"] * n_valid + ["Z"] * (n - n_valid)
        rows += [(dataset, provider, 2023, code) for code in codes]
    return pd.DataFrame(rows, columns=["dataset", "provider_code", "year", "ethnic_category"])


def test_provider_funnel_compares_each_dataset_with_its_own_target():
    # issue 19: one pooled funnel put every provider of the better-recording dataset "High" and
    # every one of the other "Low"; each dataset has its own funnel now
    counts = {("Hospital episodes", f"H{i}"): (95, 100) for i in range(3)}
    counts |= {("Primary care", f"G{i}"): (70, 100) for i in range(3)}
    records = _provider_records(counts)
    providers = pd.DataFrame(
        {"provider_code": [p for _, p in counts], "provider_name": [p for _, p in counts]}
    )
    funnel = data_quality.provider_funnel(records, providers, year=2023)
    assert set(funnel.points["significance"].astype(str)) == {"Not significant"}
    assert sorted(funnel.limits["dataset"].unique()) == ["Hospital episodes", "Primary care"]
    baselines = funnel.limits.groupby("dataset")["baseline"].first()
    assert baselines.to_dict() == pytest.approx({"Hospital episodes": 95.0, "Primary care": 70.0})
    assert list(funnel.dispersion.columns) == data_quality.DISPERSION_COLUMNS
    assert not funnel.dispersion["over_dispersed"].any()
    assert set(funnel.dispersion["limits"]) == {"Wilson"}


def test_provider_funnel_widens_over_dispersed_limits():
    counts = {
        ("Primary care", f"G{i}"): (n_valid, 1000)
        for i, n_valid in enumerate([600, 700, 750, 800, 820, 850, 880, 900, 950, 980])
    }
    records = _provider_records(counts)
    providers = pd.DataFrame({"provider_code": [p for _, p in counts], "provider_name": "x"})
    auto = data_quality.provider_funnel(records, providers, year=2023)
    plain = data_quality.provider_funnel(records, providers, year=2023, adjust="none")
    row = auto.dispersion.iloc[0]
    assert row["over_dispersed"] and row["phi"] > 10
    assert row["limits"].startswith("multiplicative over-dispersion (phi")
    assert auto.points["outside_998"].sum() < plain.points["outside_998"].sum()
    note = data_quality.dispersion_note(auto.dispersion)
    assert "widened for over-dispersion" in note and "Primary care" in note
    with pytest.raises(InputError, match="adjust must be one of"):
        data_quality.provider_funnel(records, providers, year=2023, adjust="wide")
