"""Tests of rhoresearch.workstreams.technology and the technology demonstration data (workstream 4)."""

from __future__ import annotations

import hashlib
import json
import math

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal
from scipy import stats

from rhoresearch import demo, ethnicity
from rhoresearch.demo import technology as demo_technology
from rhoresearch.exceptions import InputError
from rhoresearch.workstreams import technology

# --------------------------------------------------------------------------------------------------
# device audit: Bland-Altman with repeated measures, hand computations
# --------------------------------------------------------------------------------------------------


def test_device_bias_repeated_measures_by_hand():
    # patient p1 has differences 1 and 3, patient p2 has 5 (spo2 - sao2)
    data = pd.DataFrame(
        {
            "patient_id": ["p1", "p1", "p2"],
            "spo2": [91.0, 93.0, 95.0],
            "sao2": [90.0, 90.0, 90.0],
        }
    )
    out = technology.device_bias(data)
    row = out.iloc[0]
    # n = 3 pairs in k = 2 patients, m = (2, 1); mean = 3
    # MSw = ((1-2)^2 + (3-2)^2) / (n - k) = 2
    # MSb = (2 (2-3)^2 + 1 (5-3)^2) / (k - 1) = 6
    # divisor = (n^2 - sum m^2) / ((k - 1) n) = (9 - 5) / 3 = 4/3
    # sd_between^2 = (6 - 2) / (4/3) = 3; total SD = sqrt(3 + 2) = sqrt(5)
    assert row["n_pairs"] == 3 and row["n_patients"] == 2
    assert row["mean_bias"] == pytest.approx(3.0)
    assert row["sd_within"] == pytest.approx(math.sqrt(2))
    assert row["sd_between"] == pytest.approx(math.sqrt(3))
    assert row["sd_difference"] == pytest.approx(math.sqrt(5))
    z = stats.norm.ppf(0.975)
    assert row["loa_lower"] == pytest.approx(3 - z * math.sqrt(5))
    assert row["loa_upper"] == pytest.approx(3 + z * math.sqrt(5))
    # clustered SE: residual sums (4 - 2*3, 5 - 1*3) = (-2, 2); se = sqrt(2/1 * 8) / 3 = 4/3
    t = stats.t.ppf(0.975, 1)
    assert row["lower_ci"] == pytest.approx(3 - t * 4 / 3)
    assert row["upper_ci"] == pytest.approx(3 + t * 4 / 3)
    assert row["arms"] == pytest.approx(math.sqrt((1 + 9 + 25) / 3))


def test_device_bias_one_reading_each_is_classic_bland_altman():
    rng = np.random.default_rng(3)
    d = rng.normal(1.0, 2.0, 50)
    data = pd.DataFrame({"patient_id": np.arange(50), "spo2": 90 + d, "sao2": 90.0})
    row = technology.device_bias(data).iloc[0]
    assert row["sd_difference"] == pytest.approx(d.std(ddof=1))
    # with one pair per patient the clustered SE is sqrt(n/(n-1)) times the ordinary SE / ...
    se = math.sqrt(50 / 49 * ((d - d.mean()) ** 2).sum()) / 50
    assert row["upper_ci"] - row["mean_bias"] == pytest.approx(stats.t.ppf(0.975, 49) * se)


def test_device_bias_excludes_and_counts_missing_pairs():
    data = pd.DataFrame(
        {
            "patient_id": ["a", "a", "b", "b"],
            "group": ["x", "x", "y", "y"],
            "spo2": [95.0, np.nan, 97.0, 93.0],
            "sao2": [94.0, 90.0, 95.0, 92.0],
        }
    )
    out = technology.device_bias(data, by="group")
    assert list(out["group"]) == ["x", "y"]
    assert list(out["n_pairs"]) == [1, 2]
    assert out.attrs["excluded"]["n_pairs"].sum() == 1


# --------------------------------------------------------------------------------------------------
# occult hypoxaemia
# --------------------------------------------------------------------------------------------------


def test_flag_occult_hypoxaemia_definition():
    data = pd.DataFrame(
        {
            "patient_id": list("abcdef"),
            "spo2": [92.0, 95.0, 91.0, 97.0, np.nan, 100.0],
            "sao2": [87.9, 88.0, 80.0, 85.0, 80.0, 99.0],
        }
    )
    out = technology.flag_occult_hypoxaemia(data)
    assert list(out["patient_id"]) == ["a", "b", "d", "f"]
    assert list(out["occult_hypoxaemia"]) == [1, 0, 1, 0]
    excluded = out.attrs["excluded"].set_index("reason")["n_pairs"]
    assert excluded["a reading missing"] == 1
    assert excluded.sum() == 2  # c is below 92%: not at risk


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
# algorithm audit
# --------------------------------------------------------------------------------------------------


def _auc_pairs(pos, neg):
    """AUC and DeLong variance from the definition (all pairs), independent of the rank formula."""
    psi = np.array([[1.0 if x > y else 0.5 if x == y else 0.0 for y in neg] for x in pos])
    a = psi.mean()
    v10 = psi.mean(axis=1)
    v01 = psi.mean(axis=0)
    return a, math.sqrt(v10.var(ddof=1) / len(pos) + v01.var(ddof=1) / len(neg))


def test_auc_hand_example_with_tie():
    pos = [0.9, 0.8, 0.4]
    neg = [0.7, 0.4, 0.2, 0.1]
    data = pd.DataFrame({"score": pos + neg, "y": [1] * 3 + [0] * 4})
    out = technology.auc(data, predicted="score", observed="y")
    # pairs: 0.9 and 0.8 beat all four negatives; 0.4 beats 0.2, 0.1, ties 0.4: 10.5 / 12
    assert out.loc[0, "value"] == pytest.approx(10.5 / 12)
    a, se = _auc_pairs(pos, neg)
    assert out.loc[0, "value"] == pytest.approx(a)
    assert out.loc[0, "standard_error"] == pytest.approx(se)
    assert (out.loc[0, "n_events"], out.loc[0, "n_non_events"]) == (3, 4)


def test_auc_delong_matches_pairwise_definition_on_random_data():
    rng = np.random.default_rng(5)
    pos = np.round(rng.normal(1, 1, 40), 1)
    neg = np.round(rng.normal(0, 1, 60), 1)
    data = pd.DataFrame({"s": np.concatenate([pos, neg]), "y": [1] * 40 + [0] * 60})
    out = technology.auc(data, predicted="s", observed="y")
    a, se = _auc_pairs(pos, neg)
    assert out.loc[0, "value"] == pytest.approx(a)
    assert out.loc[0, "standard_error"] == pytest.approx(se)
    z = stats.norm.ppf(0.975)
    assert out.loc[0, "lower_ci"] == pytest.approx(a - z * se)


def test_hanley_mcneil_published_example():
    # Hanley & McNeil (1982), Radiology 143:29-36, table/worked example: A = 0.893 with 51
    # abnormal and 58 normal images has SE 0.032
    assert technology._auc_hanley_mcneil(0.893, 51, 58) == pytest.approx(0.032, abs=0.001)


def test_auc_rejects_unknown_method():
    with pytest.raises(InputError, match="method"):
        technology.auc(pd.DataFrame({"predicted_risk": [0.1], "outcome": [1]}), method="bootstrap")


def test_calibration_exact_in_saturated_case():
    # ten people predicted 0.2 (observed 1 in 5 and 1 in 5 -> 2 of 10 ... see below)
    data = pd.DataFrame(
        {
            "p": [0.2] * 5 + [0.5] * 5,
            "y": [1, 0, 0, 0, 0] + [1, 1, 1, 0, 0],
        }
    )
    out = technology.calibration(data, predicted="p", observed="y").set_index("measure")
    # O/E = 4 / (5*0.2 + 5*0.5) = 4 / 3.5
    assert out.loc["observed/expected", "value"] == pytest.approx(4 / 3.5)
    assert out.loc["observed/expected", "n_events"] == 4
    # logistic y ~ a + b logit(p) is saturated with two distinct p: it reproduces 0.2 and 0.6
    logit = lambda v: math.log(v / (1 - v))  # noqa: E731
    a = logit(0.6)  # logit(0.5) = 0
    b = (logit(0.2) - a) / logit(0.2)
    assert out.loc["calibration slope", "value"] == pytest.approx(b, rel=1e-6)
    # calibration-in-the-large solves sum(y - expit(c + logit p)) = 0
    c = out.loc["calibration-in-the-large", "value"]
    expit = lambda v: 1 / (1 + math.exp(-v))  # noqa: E731
    fitted = 5 * expit(c + logit(0.2)) + 5 * expit(c + logit(0.5))
    assert fitted == pytest.approx(4.0, rel=1e-6)


def test_calibration_rejects_probabilities_outside_unit_interval():
    with pytest.raises(InputError, match="strictly between 0 and 1"):
        technology.calibration(pd.DataFrame({"predicted_risk": [0.0, 0.5], "outcome": [0, 1]}))


def test_classification_rates_by_hand():
    data = pd.DataFrame(
        {
            "predicted_risk": [0.9, 0.3, 0.1, 0.25, 0.05, 0.6],
            "outcome": [1, 1, 1, 0, 0, 0],
            "g": ["a"] * 6,
        }
    )
    out = technology.classification_rates(data, threshold=0.25, by="g").set_index("measure")
    # TPR: 0.9, 0.3 of the three events at or above 0.25 -> 2/3; FPR: 0.25, 0.6 of three -> 2/3
    assert out.loc["true positive rate", "numerator"] == 2
    assert out.loc["true positive rate", "denominator"] == 3
    assert out.loc["false positive rate", "numerator"] == 2
    assert out.loc["true positive rate", "value"] == pytest.approx(200 / 3)


# --------------------------------------------------------------------------------------------------
# sickle cell
# --------------------------------------------------------------------------------------------------


def test_sickle_cell_rates_exclude_unknown_ethnicity():
    admissions = pd.DataFrame(
        {
            "financial_year": ["2020/21"] * 4,
            "region": ["London"] * 4,
            "ethnic_category": ["A", "N", "M", "Z"],
            "admissions": [10, 300, 200, 7],
        }
    )
    population = pd.DataFrame(
        {
            "region": ["London"] * 3,
            "ethnic_category": ["A", "N", "M"],
            "population": [1_000_000, 50_000, 50_000],
        }
    )
    out = technology.sickle_cell_rates(
        admissions, population, by=["financial_year", "ethnic_group"]
    )
    out = out.set_index(out["ethnic_group"].astype(str))
    assert out.loc["Black", "count"] == 500
    assert out.loc["Black", "population"] == 100_000
    assert out.loc["Black", "value"] == pytest.approx(500.0)
    assert out.loc["White", "value"] == pytest.approx(1.0)
    assert out.attrs["excluded"]["admissions"].sum() == 7


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
    assert ethnicity.harmonise(a["ethnic_category"]).attrs["unmapped"] == {}


def _sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_generate_same_seed_same_bytes(tmp_path):
    first = demo_technology.generate(tmp_path / "a", seed=3)
    second = demo_technology.generate(tmp_path / "b", seed=3)
    assert first == second
    names = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert names == [
        "oximetry.csv",
        "population.csv",
        "risk_score.csv",
        "sickle_cell_admissions.csv",
        "truth.json",
    ]
    for name in names:
        assert _sha(tmp_path / "a" / name) == _sha(tmp_path / "b" / name)


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
    return technology.prepare(technology.load_oximetry(folder / "oximetry.csv"))


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
    res = technology.device_bias(oximetry, by="ethnic_group")
    res = res.set_index(res["ethnic_group"].astype(str))
    for g in ("White", "Black", "Asian"):
        planted = truth["oximetry"][g]["mean_bias"]
        assert res.loc[g, "lower_ci"] <= planted <= res.loc[g, "upper_ci"], (g, planted)
    assert res.loc["Black", "mean_bias"] > res.loc["White", "mean_bias"]


def test_occult_hypoxaemia_percentages_cover_planted(tech_demo, oximetry):
    _, truth = tech_demo
    flagged = technology.flag_occult_hypoxaemia(oximetry)
    res = technology.occult_hypoxaemia_rates(flagged, by="ethnic_group")
    res = res.set_index(res["ethnic_group"].astype(str))
    for g in ("White", "Black"):
        planted = truth["oximetry"][g]["occult_hypoxaemia_percent"]
        assert res.loc[g, "lower_ci"] <= planted <= res.loc[g, "upper_ci"], (g, planted)


def test_occult_hypoxaemia_odds_ratio_covers_planted(tech_demo, oximetry):
    _, truth = tech_demo
    flagged = technology.flag_occult_hypoxaemia(oximetry)
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
    res = technology.calibration(data, by="ethnic_group")
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
    res = technology.sickle_cell_rates(admissions, population)
    first = res[res["financial_year"] == "2018/19"].set_index("ethnic_group")
    expected = truth["sickle_cell"]["expected_rate_per_100000"]["2018/19"]
    for g in ("Black", "White", "Mixed"):
        assert first.loc[g, "lower_ci"] <= expected[g] <= first.loc[g, "upper_ci"], g


# --------------------------------------------------------------------------------------------------
# report level: the default report builds through the build API and its results pass disclosure
# --------------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_default_report_builds_and_passes_disclosure_scan(tech_demo, tmp_path):
    from rhoresearch import build, disclosure

    folder, truth = tech_demo
    spec = {s.id: s for s in build.load()}["technology-bias"]
    parameters = {
        **spec.parameters,
        "oximetry_path": str(folder / "oximetry.csv"),
        "risk_score_path": str(folder / "risk_score.csv"),
        "sickle_cell_path": str(folder / "sickle_cell_admissions.csv"),
        "population_path": str(folder / "population.csv"),
    }
    spec = type(spec)(**{**spec.__dict__, "parameters": parameters})
    build.validate([spec])
    manifest = build.build_report(spec, reports_dir=tmp_path, force=True, update_index=False)
    assert manifest["status"] == "success"
    report = tmp_path / "technology-bias"
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
