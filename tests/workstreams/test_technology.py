"""Tests of rhoresearch.workstreams.technology and the technology demonstration data (workstream 4).

The generic methods (Bland-Altman, AUC, calibration, classification rates) are tested in
tests/stats/test_measurement.py and tests/stats/test_discrimination.py; here: what the workstream
adds (the oximetry definitions, the exclusions it returns, the report's tables and findings).
"""

from __future__ import annotations

import hashlib
import json
import math

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal
from scipy import stats

from rhoresearch import demo, disclosure, ethnicity
from rhoresearch.demo import technology as demo_technology
from rhoresearch.exceptions import InputError
from rhoresearch.results import Result, exclusions_table
from rhoresearch.stats import discrimination, measurement
from rhoresearch.workstreams import technology

# --------------------------------------------------------------------------------------------------
# device audit
# --------------------------------------------------------------------------------------------------


def test_device_bias_is_bland_altman_with_the_patient_as_subject():
    data = pd.DataFrame(
        {
            "patient_id": ["p1", "p1", "p2", "p3"],
            "spo2": [91.0, 93.0, 95.0, np.nan],
            "sao2": [90.0, 90.0, 90.0, 88.0],
        }
    )
    result = technology.device_bias(data)
    assert isinstance(result, Result)
    table, excluded = result
    generic = measurement.bland_altman(
        data, measured="spo2", reference="sao2", subject="patient_id"
    )
    expected = generic.rename(columns={"n_subjects": "n_patients", "rms_difference": "arms"})
    expected["method"] = "Bland-Altman 2007 (repeated measures); patient-clustered CI for the mean"
    assert_frame_equal(table, expected)
    assert table.loc[0, "mean_bias"] == pytest.approx(3.0)  # differences 1, 3 and 5
    assert table.loc[0, "arms"] == pytest.approx(math.sqrt((1 + 9 + 25) / 3))
    assert_frame_equal(excluded, exclusions_table([("missing spo2", 1)], step="device bias"))


def test_device_bias_by_group_counts_pairs_and_patients():
    data = pd.DataFrame(
        {
            "patient_id": ["a", "a", "b", "b"],
            "group": ["x", "x", "y", "y"],
            "spo2": [95.0, np.nan, 97.0, 93.0],
            "sao2": [94.0, 90.0, 95.0, 92.0],
        }
    )
    table, excluded = technology.device_bias(data, by="group")
    assert list(table["group"]) == ["x", "y"]
    assert list(table["n_pairs"]) == [1, 2]
    assert list(table["n_patients"]) == [1, 1]
    assert excluded["rows"].sum() == 1


# --------------------------------------------------------------------------------------------------
# occult hypoxaemia
# --------------------------------------------------------------------------------------------------


def test_flag_occult_hypoxaemia_definition_and_exclusions():
    data = pd.DataFrame(
        {
            "patient_id": list("abcdef"),
            "spo2": [92.0, 95.0, 91.0, 97.0, np.nan, 100.0],
            "sao2": [87.9, 88.0, 80.0, 85.0, 80.0, 99.0],
        }
    )
    flagged, excluded = technology.flag_occult_hypoxaemia(data)
    assert list(flagged["patient_id"]) == ["a", "b", "d", "f"]
    assert list(flagged["occult_hypoxaemia"]) == [1, 0, 1, 0]
    expected = exclusions_table(
        [
            ("a reading missing", 1, "occult hypoxaemia"),
            ("SpO2 outside 92-100% (not at risk)", 1, "occult hypoxaemia"),  # c is below 92%
        ],
        step="occult hypoxaemia",
        applies_to=True,
    )
    assert_frame_equal(excluded, expected)


def test_flag_occult_hypoxaemia_window_is_a_parameter():
    data = pd.DataFrame({"spo2": [92.0, 96.0, 97.0, 100.0], "sao2": [85.0, 85.0, 85.0, 85.0]})
    flagged, excluded = technology.flag_occult_hypoxaemia(data, spo2_at_most=96.0, sao2_below=90)
    assert list(flagged["spo2"]) == [92.0, 96.0]
    assert list(excluded["reason"]) == ["a reading missing", "SpO2 outside 92-96% (not at risk)"]
    assert list(excluded["rows"]) == [0, 2]
    with pytest.raises(InputError, match="window is empty"):
        technology.flag_occult_hypoxaemia(data, spo2_at_least=97.0, spo2_at_most=96.0)


def test_occult_hypoxaemia_rates_wilson_by_hand():
    flagged = pd.DataFrame(
        {
            "patient_id": ["a", "a", "b", "c", "d"],
            "g": ["x"] * 5,
            "occult_hypoxaemia": [1, 0, 0, 1, 0],
        }
    )
    out = technology.occult_hypoxaemia_rates(flagged, by="g")
    z = stats.norm.ppf(0.975)
    x, n = 2, 5
    centre = (x + z**2 / 2) / (n + z**2)
    half = z * math.sqrt(x * (n - x) / n + z**2 / 4) / (n + z**2)
    row = out.iloc[0]
    assert row["value"] == pytest.approx(40.0)
    assert row["lower_ci"] == pytest.approx(100 * (centre - half))
    assert row["upper_ci"] == pytest.approx(100 * (centre + half))
    assert row["n_patients"] == 4


# --------------------------------------------------------------------------------------------------
# algorithm audit: the workstream's defaults and the exclusions beside each table
# --------------------------------------------------------------------------------------------------


def _scored() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "predicted_risk": [0.9, 0.3, 0.1, 0.25, 0.05, 0.6, np.nan],
            "outcome": [1, 1, 1, 0, 0, 0, 1],
            "ethnic_group": ["a"] * 7,
        }
    )


@pytest.mark.parametrize(
    ("name", "extra", "step"),
    [
        ("calibration", {}, "calibration"),
        ("auc", {}, "AUC"),
        ("classification_rates", {"threshold": 0.25}, "error rates"),
    ],
)
def test_risk_model_functions_return_the_stats_table_and_the_rows_left_out(name, extra, step):
    data = _scored()
    table, excluded = getattr(technology, name)(data, by="ethnic_group", **extra)
    generic = getattr(discrimination, name)(
        data, predicted="predicted_risk", observed="outcome", by="ethnic_group", **extra
    )
    assert_frame_equal(table, generic)
    assert_frame_equal(excluded, exclusions_table([("missing predicted_risk", 1)], step=step))


# --------------------------------------------------------------------------------------------------
# sickle cell
# --------------------------------------------------------------------------------------------------


def _sickle_cell() -> tuple[pd.DataFrame, pd.DataFrame]:
    admissions = pd.DataFrame(
        {
            "financial_year": ["2020/21"] * 4 + ["2021/22"],
            "region": ["London"] * 5,
            "ethnic_category": ["A", "N", "M", "Z", "A"],
            "admissions": [10, 300, 200, 7, 12],
        }
    )
    population = pd.DataFrame(
        {
            "region": ["London"] * 3,
            "ethnic_category": ["A", "N", "M"],
            "population": [1_000_000, 50_000, 50_000],
        }
    )
    return admissions, population


def test_sickle_cell_rates_exclude_unknown_ethnicity():
    admissions, population = _sickle_cell()
    out, excluded = technology.sickle_cell_rates(
        admissions[admissions["financial_year"] == "2020/21"], population
    )
    out = out.set_index(out["ethnic_group"].astype(str))
    assert out.loc["Black", "count"] == 500
    assert out.loc["Black", "population"] == 100_000
    assert out.loc["Black", "value"] == pytest.approx(500.0)
    assert out.loc["White", "value"] == pytest.approx(1.0)
    expected = exclusions_table(
        [("ethnic group not stated", 7, "rates by group")], step="ethnic group", applies_to=True
    )
    assert_frame_equal(excluded, expected)


def test_sickle_cell_rate_ratios_return_the_same_exclusions():
    admissions, population = _sickle_cell()
    ratios, excluded = technology.sickle_cell_rate_ratios(admissions, population, reference="White")
    black = ratios[(ratios["ethnic_group"] == "Black") & (ratios["financial_year"] == "2020/21")]
    assert black["value"].iloc[0] == pytest.approx(500.0)
    assert excluded["rows"].tolist() == [7]


def test_choose_year():
    admissions, _ = _sickle_cell()
    assert technology.choose_year(admissions) == "2021/22"
    assert technology.choose_year(admissions, "2020/21") == "2020/21"
    with pytest.raises(InputError, match="2019/20.*2020/21"):
        technology.choose_year(admissions, "2019/20")


# --------------------------------------------------------------------------------------------------
# findings: every number from the tables, every threshold and covariate from the arguments
# --------------------------------------------------------------------------------------------------


def _ci_rows(groups, values, lower, upper, column="value"):
    return pd.DataFrame(
        {
            "ethnic_group": groups,
            column: values,
            "lower_ci": lower,
            "upper_ci": upper,
            "confidence": 0.95,
        }
    )


def _audit_tables(**replace: pd.DataFrame) -> technology.AuditTables:
    empty = pd.DataFrame()
    tables = {
        "device_bias": _ci_rows(
            ["Black", "White"], [1.5, 0.25], [1.2, 0.18], [1.8, 0.32], "mean_bias"
        ),
        "occult_hypoxaemia": _ci_rows(["Black", "White"], [12.4, 3.6], [10.5, 3.1], [14.5, 4.0]),
        "odds_ratios": pd.DataFrame(
            {
                "group": ["Black", "White"],
                "estimate": [3.8, 1.0],
                "lower_ci": [3.0, np.nan],
                "upper_ci": [4.8, np.nan],
                "confidence": 0.95,
                "is_reference": [False, True],
                "reference": "White",
            }
        ),
        "calibration": _ci_rows(["Black", "White"], [1.64, 1.0], [1.49, 0.95], [1.81, 1.05]).assign(
            measure="observed/expected"
        ),
        "sickle_cell_rate_ratios": _ci_rows(["Black"], [816.2], [753.4], [884.0]).assign(
            financial_year="2023/24"
        ),
        "error_rates": _ci_rows(
            ["Black", "White", "Black", "White"],
            [41.2, 51.3, 12.0, 10.0],
            [36.0, 49.0, 11.0, 9.5],
            [46.5, 53.6, 13.0, 10.5],
        ).assign(measure=["true positive rate"] * 2 + ["false positive rate"] * 2, threshold=0.2),
    }
    tables |= replace
    fields = {name: tables.get(name, empty) for name in technology.AuditTables._fields}
    return technology.AuditTables(**fields)


def _findings(tables=None, **options) -> str:
    oximetry = pd.DataFrame({"patient_id": ["a", "a", "b"]})
    risk = pd.DataFrame({"outcome": [0, 1]})
    arguments = {
        "reference": "White",
        "sao2_below": 88.0,
        "spo2_at_least": 92.0,
        "spo2_at_most": 100.0,
        "covariates": ["age_band", "sex", "setting"],
        "year": "2023/24",
    } | options
    return technology.findings(tables or _audit_tables(), oximetry=oximetry, risk=risk, **arguments)


def test_findings_words_every_result():
    lines = _findings().split("\n")
    assert lines[0] == (
        "**3 paired oximetry and blood gas readings from 2 patients; 2 admissions scored by the "
        "risk model; sickle cell admissions to 2023/24.** Comparisons are against White patients."
    )
    assert lines[1] == ""
    assert lines[2:] == [
        "- Mean bias of the pulse oximeter (SpO2 minus SaO2, percentage points; positive = "
        "over-reading): Black 1.50 (95% CI 1.20 to 1.80); White 0.25 (95% CI 0.18 to 0.32).",
        "- Occult hypoxaemia (SaO2 below 88% while SpO2 read 92% or more) was found in 3.6% "
        "(95% CI 3.1% to 4.0%) of readings from White patients; for the other groups: Black 12.4% "
        "(95% CI 10.5% to 14.5%).",
        "- Black patients had 3.8 times the odds of White patients of occult hypoxaemia on a "
        "reading, after adjusting for age band, sex and setting (95% CI 3.0 to 4.8).",
        "- The risk score under-predicted risk for Black patients: observed/expected 1.64 (95% CI "
        "1.49 to 1.81) (1 = calibrated).",
        "- Equal opportunity: of the patients who had the outcome, the risk score flagged "
        "(predicted risk of 0.2 or more) 51.3% (95% CI 49.0% to 53.6%) of White patients; for the "
        "other groups: Black 41.2% (95% CI 36.0% to 46.5%) (true positive rates; equal rates in "
        "every group is equal opportunity).",
        "- Sickle cell disease admissions (2023/24) are not compared between groups here: their "
        "rates are per head of each group's whole population, so a ratio between groups measures "
        "how common the condition is in each, not inequality in care; people living with the "
        "condition, the denominator that would, are not in this data.",
    ]


def test_findings_say_the_occult_hypoxaemia_definition_given():
    default = _findings()
    window = _findings(spo2_at_most=96.0)
    threshold = _findings(sao2_below=90.0, spo2_at_least=94.0)
    assert "SaO2 below 88% while SpO2 read 92% or more" in default
    assert "SaO2 below 88% while SpO2 read 92% to 96%" in window
    assert "SaO2 below 90% while SpO2 read 94% or more" in threshold
    assert "92% or more" not in window and "88%" not in threshold


def test_findings_name_the_covariates_given():
    assert "after adjusting for age band and sex (95% CI" in _findings(
        covariates=["age_band", "sex"]
    )
    assert "after adjusting for imd quintile (95% CI" in _findings(covariates="imd_quintile")
    assert "without adjustment (95% CI" in _findings(covariates=[])
    assert "setting" not in _findings(covariates=["age_band", "sex"])


def test_findings_say_a_suppressed_value_is_suppressed():
    bias = _ci_rows(["Black", "White"], [1.5, 0.25], [1.2, 0.18], [1.8, 0.32], "mean_bias")
    bias["n_pairs"] = [3, 400]
    safe = disclosure.suppress(
        bias, counts="n_pairs", derived=["mean_bias", "lower_ci", "upper_ci"], secondary=False
    )
    text = _findings(_audit_tables(device_bias=safe))
    assert "Black [c] (suppressed); White 0.25 (95% CI 0.18 to 0.32)." in text


def test_findings_leave_out_unknown_groups_and_intervals_including_one():
    occult = _ci_rows(["White", "Not known"], [3.6, 9.9], [3.1, 5.0], [4.0, 15.0])
    calibration = _ci_rows(["Black"], [1.1], [0.9], [1.3]).assign(measure="observed/expected")
    text = _findings(_audit_tables(occult_hypoxaemia=occult, calibration=calibration))
    assert "Not known" not in text
    assert "observed/expected" not in text.split("\n", 1)[1]


def test_covariates_and_window_text():
    assert technology.covariates_text(["a", "b_c", "d"]) == "a, b c and d"
    assert technology.covariates_text(["age_band"]) == "age band"
    assert technology.window_text(92, 96) == "92% to 96%"
    assert technology.window_text(90.5, 100) == "90.5% or more"


# --------------------------------------------------------------------------------------------------
# generator
# --------------------------------------------------------------------------------------------------


def test_make_oximetry_is_deterministic_with_repeated_readings():
    a, _ = demo_technology.make_oximetry(np.random.default_rng(1), patients=300)
    b, _ = demo_technology.make_oximetry(np.random.default_rng(1), patients=300)
    assert_frame_equal(a, b)
    per_patient = a.groupby("patient_id").size()
    assert per_patient.max() > 1
    assert a["spo2"].dropna().between(50, 100).all()
    report = ethnicity.harmonise_report(a["ethnic_category"])
    assert not (report["status"] == "unmapped").any(), report


def _sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_generate_same_seed_same_bytes(tmp_path, tech_demo):
    # a second run at the seed of the module's demonstration data (tech_demo, the first run)
    folder, first = tech_demo
    second = demo_technology.generate(tmp_path / "b", seed=first["seed"])
    assert first == json.loads(json.dumps(second))
    names = sorted(p.name for p in folder.iterdir())
    assert names == [
        "oximetry.csv",
        "population.csv",
        "risk_score.csv",
        "sickle_cell_admissions.csv",
        "sickle_cell_patients.csv",
        "truth.json",
    ]
    for name in names:
        assert _sha(folder / name) == _sha(tmp_path / "b" / name)


# --------------------------------------------------------------------------------------------------
# the analysis recovers the planted effects
# --------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tech_demo(tmp_path_factory):
    """The technology demonstration data exactly as ``make data`` writes it."""
    out = tmp_path_factory.mktemp("technology")
    truths = demo.generate_all(out, only=["technology"])
    folder = out / "technology"
    assert json.loads((folder / "truth.json").read_text()) == truths["technology"]
    return folder, truths["technology"]


@pytest.fixture(scope="module")
def oximetry(tech_demo):
    folder, _ = tech_demo
    return technology.prepare(technology.load_oximetry(folder / "oximetry.csv")).table


def test_prepare_counts_unknown_ethnicity_and_missing_age(tech_demo):
    folder, _ = tech_demo
    raw = technology.load_oximetry(folder / "oximetry.csv")
    table, excluded = technology.prepare(raw)
    assert len(table) == len(raw)
    counts = table["ethnic_group"].astype(str).value_counts()
    expected = exclusions_table(
        [
            (
                "ethnic group",
                "ethnicity not stated",
                counts["Not stated"],
                "comparisons between groups",
            ),
            (
                "ethnic group",
                "ethnicity not known",
                counts["Not known"],
                "comparisons between groups",
            ),
            ("age", "age missing", int(raw["age"].isna().sum()), "adjusted models"),
        ],
        applies_to=True,
    )
    assert_frame_equal(excluded, expected)


def test_truth_matches_published_calibration_targets(tech_demo):
    _, truth = tech_demo
    ox = truth["oximetry"]
    # Sjoding et al. 2020 (Michigan): 11.7% Black vs 3.6% White; mean bias ~ +1.5 vs ~ +0.3
    assert ox["Black"]["occult_hypoxaemia_percent"] == pytest.approx(11.7, abs=0.6)
    assert ox["White"]["occult_hypoxaemia_percent"] == pytest.approx(3.6, abs=0.4)
    assert ox["Black"]["mean_bias"] == pytest.approx(1.5, abs=0.1)
    assert ox["White"]["mean_bias"] == pytest.approx(0.3, abs=0.1)
    assert ox["Black"]["sd_difference"] > ox["White"]["sd_difference"]


def test_device_bias_intervals_cover_planted_bias(tech_demo, oximetry):
    _, truth = tech_demo
    res = technology.device_bias(oximetry, by="ethnic_group").table
    res = res.set_index(res["ethnic_group"].astype(str))
    for g in ("White", "Black", "Asian"):
        planted = truth["oximetry"][g]["mean_bias"]
        assert res.loc[g, "lower_ci"] <= planted <= res.loc[g, "upper_ci"], (g, planted)
    assert res.loc["Black", "mean_bias"] > res.loc["White", "mean_bias"]


def test_occult_hypoxaemia_percentages_cover_planted(tech_demo, oximetry):
    _, truth = tech_demo
    flagged = technology.flag_occult_hypoxaemia(oximetry).table
    res = technology.occult_hypoxaemia_rates(flagged, by="ethnic_group")
    res = res.set_index(res["ethnic_group"].astype(str))
    for g in ("White", "Black"):
        planted = truth["oximetry"][g]["occult_hypoxaemia_percent"]
        assert res.loc[g, "lower_ci"] <= planted <= res.loc[g, "upper_ci"], (g, planted)


def test_occult_hypoxaemia_odds_ratio_covers_planted(tech_demo, oximetry):
    _, truth = tech_demo
    flagged = technology.flag_occult_hypoxaemia(oximetry).table
    res = technology.occult_hypoxaemia_odds_ratios(
        flagged, group="ethnic_group", reference="White", cluster="patient_id"
    )
    assert (
        res["n_events"].sum()
        == flagged.loc[
            ~flagged["ethnic_group"].isin(["Not stated", "Not known"]), "occult_hypoxaemia"
        ].sum()
    )
    row = res[res["group"].astype(str) == "Black"].iloc[0]
    planted = truth["oximetry"]["Black"]["occult_hypoxaemia_odds_ratio"]
    assert row["lower_ci"] <= planted <= row["upper_ci"], (planted, row.to_dict())


def test_calibration_recovers_planted_miscalibration(tech_demo):
    folder, truth = tech_demo
    data = technology.load_risk_score(folder / "risk_score.csv")
    data["ethnic_group"] = ethnicity.harmonise(data["ethnic_category"])
    res = technology.calibration(data, by="ethnic_group").table
    slope = res[res["measure"] == "calibration slope"].set_index("ethnic_group")
    citl = res[res["measure"] == "calibration-in-the-large"].set_index("ethnic_group")
    for g in ("White", "Black"):
        planted_slope = truth["risk_score"][g]["calibration_slope"]
        planted_citl = truth["risk_score"][g]["calibration_in_the_large"]
        assert slope.loc[g, "lower_ci"] <= planted_slope <= slope.loc[g, "upper_ci"], g
        assert citl.loc[g, "lower_ci"] <= planted_citl <= citl.loc[g, "upper_ci"], g
    assert slope.loc["Black", "upper_ci"] < 1  # the planted miscalibration is detected


def test_sickle_cell_rate_ratio_covers_expected(tech_demo):
    folder, truth = tech_demo
    admissions, population = technology.load_sickle_cell(
        folder / "sickle_cell_admissions.csv", folder / "population.csv"
    )
    res = technology.sickle_cell_rates(admissions, population).table
    first = res[res["financial_year"] == "2018/19"].set_index("ethnic_group")
    expected = truth["sickle_cell"]["expected_rate_per_100000"]["2018/19"]
    for g in ("Black", "White", "Mixed"):
        assert first.loc[g, "lower_ci"] <= expected[g] <= first.loc[g, "upper_ci"], g


# --------------------------------------------------------------------------------------------------
# the report's tables: the data-quality table and disclosure control
# --------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def audit(tech_demo, oximetry):
    """The raw tables and exclusions of notebook 04 on the demonstration data."""
    folder, _ = tech_demo
    risk, risk_excluded = technology.prepare(technology.load_risk_score(folder / "risk_score.csv"))
    admissions, population = technology.load_sickle_cell(
        folder / "sickle_cell_admissions.csv", folder / "population.csv"
    )
    year_rows = admissions[admissions["financial_year"] == technology.choose_year(admissions)]
    oximetry_excluded = technology.prepare(
        technology.load_oximetry(folder / "oximetry.csv")
    ).exclusions
    flagged, flagged_excluded = technology.flag_occult_hypoxaemia(oximetry)
    sc_rates, sc_excluded = technology.sickle_cell_rates(admissions, population)
    exclusions = technology.exclusions_by_dataset(
        {
            "oximetry pairs": [oximetry_excluded, flagged_excluded],
            "risk score admissions": risk_excluded,
            "sickle cell admissions": sc_excluded,
        }
    )
    return {
        "device_bias": technology.device_bias(oximetry, by="ethnic_group").table,
        "occult_hypoxaemia": technology.occult_hypoxaemia_rates(flagged, by="ethnic_group"),
        "odds_ratios": technology.occult_hypoxaemia_odds_ratios(
            flagged, group="ethnic_group", reference="White"
        ),
        "calibration": technology.calibration(risk, by="ethnic_group").table,
        "error_rates": technology.classification_rates(
            risk, threshold=0.2, by="ethnic_group"
        ).table,
        "auc": technology.auc(risk, by="ethnic_group").table,
        "sickle_cell_rates": sc_rates,
        "sickle_cell_rate_ratios": technology.sickle_cell_rate_ratios(
            admissions, population, reference="White"
        ).table,
        "sickle_cell_detailed": technology.sickle_cell_rates(
            year_rows, population, by="ethnic_group", to="nhs_code"
        ).table,
        "sickle_cell_by_region": technology.sickle_cell_rates(
            year_rows, population, by=["region", "ethnic_group"], to="nhs_code"
        ).table,
        "exclusions": exclusions,
    }


def test_exclusions_by_dataset_is_the_published_data_quality_table(audit):
    exclusions = audit["exclusions"]
    assert list(exclusions.columns) == ["dataset", "step", "reason", "rows", "applies_to"]
    assert list(exclusions["dataset"].unique()) == [
        "oximetry pairs",
        "risk score admissions",
        "sickle cell admissions",
    ]
    oximetry_rows = exclusions[exclusions["dataset"] == "oximetry pairs"]
    assert list(oximetry_rows["reason"]) == [
        "ethnicity not stated",
        "ethnicity not known",
        "age missing",
        "a reading missing",
        "SpO2 outside 92-100% (not at risk)",
    ]


def test_suppress_tables_and_notes_follow_the_policy(audit):
    rules = disclosure.policy("opensafely")
    safe = technology.suppress_tables(**audit, reference="White", threshold=5, policy=rules)
    plain = technology.suppress_tables(**audit, reference="White", threshold=5)
    for field, counts in [
        ("occult_hypoxaemia", ["numerator", "n_patients"]),
        ("device_bias", ["n_pairs", "n_patients"]),
        ("exclusions", ["n"]),
    ]:
        values = pd.to_numeric(getattr(safe, field)[counts].stack(), errors="coerce").dropna()
        assert (values % 5 == 0).all(), field  # OpenSAFELY: every count to the nearest 5
        assert not ((values > 0) & (values < 8)).any(), field  # 1 to 7 redacted
    exact = pd.to_numeric(plain.device_bias["n_pairs"], errors="coerce").dropna()
    assert (exact % 5 != 0).any()  # the rounding is the policy's, not the data's
    notes = technology.suppression_notes(safe, threshold=5, policy=rules)
    assert notes.startswith("**What was suppressed** (counts from 1 to 7,")
    assert "rounded" in notes
    assert "rounded" not in technology.suppression_notes(plain, threshold=5)


def test_exclusions_by_dataset_refuses_a_frame_in_another_layout():
    with pytest.raises(InputError, match="rows"):
        technology.exclusions_by_dataset({"x": pd.DataFrame({"reason": ["r"], "n": [1]})})


def test_suppress_tables_keeps_the_published_columns(audit):
    safe = technology.suppress_tables(**audit, reference="White", threshold=5)
    shown = disclosure.render(safe.exclusions)
    assert list(shown.columns) == ["dataset", "step", "reason", "n", "applies_to"]
    assert list(disclosure.render(safe.odds_ratios).columns) == [
        *technology.ODDS_RATIO_COLUMNS,
        "n_pairs",
        "n_events",
        "n_patients",
    ]
    assert (safe.odds_ratios["reference"] == "White").all()


def test_odds_ratios_show_the_occult_hypoxaemia_counts_as_suppressed_there(audit):
    # a threshold above the Mixed group's 35 events suppresses them in the percentage table; the
    # odds-ratio table must hide the same cells and the ratio computed from them
    safe = technology.suppress_tables(**audit, reference="White", threshold=40)
    occult = safe.occult_hypoxaemia.set_index(safe.occult_hypoxaemia["ethnic_group"].astype(str))
    odds = safe.odds_ratios.set_index("group")
    assert disclosure.is_suppressed(occult.loc["Mixed"], "numerator")
    assert disclosure.is_suppressed(odds.loc["Mixed"], "n_events")
    assert disclosure.is_suppressed(odds.loc["Mixed"], "estimate")
    assert not disclosure.is_suppressed(odds.loc["Black"], "estimate")
    notes = technology.suppression_notes(safe, threshold=40)
    assert notes.startswith("**What was suppressed** (counts from 1 to 39")
    assert "- Occult hypoxaemia odds ratios: " in notes


def test_suppress_tables_refuses_a_bad_threshold(audit):
    with pytest.raises(InputError, match="threshold"):
        technology.suppress_tables(**audit, reference="White", threshold=0)


# --------------------------------------------------------------------------------------------------
# report level: the default report builds through the build API and its results pass disclosure
# --------------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_default_report_builds_and_passes_disclosure_scan(tech_demo, demo_report):
    from rhoresearch import config

    _, truth = tech_demo
    # the report reads the project's demo data: the generator's output, as make data wrote it
    demo_truth = config.demo_dir() / "technology" / "truth.json"
    assert json.loads(demo_truth.read_text(encoding="utf-8")) == truth
    report = demo_report("technology-bias")  # built once per test run (tests/conftest.py)
    manifest = json.loads((report / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["status"] == "success"
    assert (report / "report.html").exists()
    results = report / "results"
    assert {"device_bias.csv", "occult_hypoxaemia_odds_ratios.csv", "calibration.csv"} <= {
        p.name for p in results.iterdir()
    }
    unsafe = disclosure.scan(report)
    assert len(unsafe) == 0, unsafe
    # the saved tables recover the planted effects
    bias = pd.read_csv(results / "device_bias.csv").set_index("ethnic_group")
    planted = truth["oximetry"]["Black"]["mean_bias"]
    assert bias.loc["Black", "lower_ci"] <= planted <= bias.loc["Black", "upper_ci"]
    odds = pd.read_csv(results / "occult_hypoxaemia_odds_ratios.csv").set_index("group")
    planted_or = truth["oximetry"]["Black"]["occult_hypoxaemia_odds_ratio"]
    assert odds.loc["Black", "lower_ci"] <= planted_or <= odds.loc["Black", "upper_ci"]


def test_published_column_lists_follow_the_statistics_they_come_from():
    # the device-bias statistics come from stats.measurement's column list (renamed as the audit
    # names them); the odds-ratio columns are the model's per-group columns, shared with the
    # community-trust report
    assert technology.DEVICE_BIAS_DERIVED == [
        "mean_bias",
        "lower_ci",
        "upper_ci",
        "sd_between",
        "sd_within",
        "sd_difference",
        "loa_lower",
        "loa_upper",
        "arms",
    ]
    pairs = pd.DataFrame(
        {"patient_id": ["a", "a", "b", "b"], "spo2": [95.0, 96, 97, 92], "sao2": [93.0, 95, 96, 91]}
    )
    bias = technology.device_bias(pairs).table
    assert set(technology.DEVICE_BIAS_DERIVED) <= set(bias.columns)
    assert technology.ODDS_RATIO_COLUMNS == [
        "group",
        "estimate",
        "lower_ci",
        "upper_ci",
        "p_value",
        "confidence",
        "is_reference",
        "reference",
        "n_used",
        "n_excluded",
        "n_excluded_group",
    ]


def test_loader_docstrings_list_their_schema_columns():
    doc = technology.load_oximetry.__doc__
    assert doc.startswith("Load paired oximetry readings and validate them against")
    assert ", ".join(f"``{c}``" for c in technology.OXIMETRY_SCHEMA.columns) in doc
    assert "``predicted_risk``, ``outcome``" in technology.load_risk_score.__doc__


def test_findings_give_an_odds_ratio_sentence_for_every_group_and_no_population_ratio():
    # issue 19: odds ratios whose interval includes 1 were left out, and the sickle cell ratio per
    # head of population (prevalence, not care) was a finding
    odds = pd.DataFrame(
        {
            "group": ["Black", "Other", "White", "Not known"],
            "estimate": [3.8, 1.1, 1.0, 2.0],
            "lower_ci": [3.0, 0.8, np.nan, 1.5],
            "upper_ci": [4.8, 1.5, np.nan, 2.6],
            "confidence": 0.95,
            "is_reference": [False, False, True, False],
            "reference": "White",
        }
    )
    text = _findings(_audit_tables(odds_ratios=odds))
    assert "Black patients had 3.8 times the odds" in text
    assert (
        "Other patients had 1.1 times the odds of White patients of occult hypoxaemia on a reading, "
        "after adjusting for age band, sex and setting (95% CI 0.8 to 1.5; the interval includes 1)."
    ) in text
    assert "Not known" not in text
    assert "816" not in text and "times the rate" not in text


def test_findings_give_the_true_positive_rates():
    text = _findings()
    assert "51.3% (95% CI 49.0% to 53.6%) of White patients" in text
    assert "Black 41.2% (95% CI 36.0% to 46.5%)" in text
    assert "12.0%" not in text  # false positive rates are in the table, not this sentence


def test_occult_hypoxaemia_definition_compares_with_sjoding_only_on_their_window():
    # issue 19: a 92-100% window was set beside Sjoding's 11.7% vs 3.6% (which used 92-96%)
    theirs = technology.occult_hypoxaemia_definition(
        sao2_below=88.0, spo2_at_least=92.0, spo2_at_most=96.0
    )
    wider = technology.occult_hypoxaemia_definition(
        sao2_below=88.0, spo2_at_least=92.0, spo2_at_most=100.0
    )
    assert "SpO2) read 92% to 96%" in theirs and "11.7%" in theirs and "3.6%" in theirs
    assert "SpO2) read 92% or more" in wider
    assert "11.7" not in wider and "3.6" not in wider and "not comparable" in wider
    method = technology.occult_hypoxaemia_method(
        sao2_below=90.0, spo2_at_least=94.0, spo2_at_most=100.0, covariates=["sex"]
    )
    assert "SaO2 below 90% among readings with SpO2 94% or more" in method
    assert "Sjoding et al. (2020) used SpO2 92% to 96%" in method and "adjusted for sex" in method
    assert "the definition of Sjoding" in technology.occult_hypoxaemia_method(
        sao2_below=88, spo2_at_least=92, spo2_at_most=96, covariates=[]
    )


def test_sickle_cell_per_patient_divides_by_the_people_living_with_it():
    # issue 19: admissions per head of population measured prevalence; per person with the
    # condition they compare care
    admissions = pd.DataFrame(
        {
            "financial_year": ["2022/23", "2023/24", "2023/24", "2023/24"],
            "region": "London",
            "ethnic_category": ["N", "N", "A", "Z"],
            "admissions": [999, 900, 40, 7],
        }
    )
    patients = pd.DataFrame(
        {"financial_year": "2023/24", "ethnic_category": ["N", "A"], "people": [500, 20]}
    )
    result = technology.sickle_cell_per_patient(admissions, patients, reference="White")
    table = result.table.set_index("ethnic_group")
    assert table.loc["Black", ["count", "population"]].tolist() == [900, 500]
    assert table.loc["Black", "value"] == pytest.approx((900 / 500) / (40 / 20))
    assert table.loc["Black", "rate"] == pytest.approx(900 / 500)  # admissions per person
    assert set(result.table["financial_year"]) == {"2023/24"}
    assert result.exclusions["rows"].sum() == 7


def test_findings_compare_sickle_cell_admissions_per_person_with_the_condition():
    per_patient = pd.DataFrame(
        {
            "financial_year": "2023/24",
            "ethnic_group": ["Black", "White", "Not known"],
            "value": [0.9, 1.0, 3.0],
            "lower_ci": [0.8, np.nan, 1.0],
            "upper_ci": [1.05, np.nan, 9.0],
            "confidence": 0.95,
            "is_reference": [False, True, False],
        }
    )
    text = _findings(_audit_tables(sickle_cell_per_patient=per_patient))
    assert (
        "Black people living with sickle cell disease were 0.9 times as likely as White people "
        "living with sickle cell disease to be admitted to hospital with it (admissions per person, "
        "2023/24) (95% CI 0.8 to 1.1; the interval includes 1)."
    ) in text
    assert "Not known" not in text and "are not in this data" not in text
    assert "are not in this data" in _findings()


def test_demo_plants_equal_admissions_per_person_with_the_condition(tech_demo):
    folder, truth = tech_demo
    admissions, _population = technology.load_sickle_cell(
        folder / "sickle_cell_admissions.csv", folder / "population.csv"
    )
    patients = technology.load_sickle_cell_patients(folder / "sickle_cell_patients.csv")
    assert 15_000 < patients["people"].sum() < 20_000  # the size of the NHR's count for England
    ratios = technology.sickle_cell_per_patient(
        admissions, patients, reference="White", confidence=0.998
    ).table
    for _, row in ratios[~ratios["is_reference"].astype(bool)].iterrows():
        assert row["lower_ci"] <= 1 <= row["upper_ci"], row["ethnic_group"]
    assert truth["sickle_cell"]["admissions_per_patient"] == demo_technology.ADMISSIONS_PER_PATIENT
