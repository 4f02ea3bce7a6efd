"""Tests of rhoresearch.workstreams.community_trust and the survey demonstration data (workstream 1)."""

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
from rhoresearch.demo import community_trust as demo_survey
from rhoresearch.exceptions import InputError
from rhoresearch.workstreams import community_trust as survey

# --------------------------------------------------------------------------------------------------
# effective sample size, binarisation, weighted percentages: tiny frames against hand computations
# --------------------------------------------------------------------------------------------------


def test_effective_sample_size_by_hand():
    assert survey.effective_sample_size([1, 1, 1, 1]) == pytest.approx(4.0)
    # (1 + 2 + 3)^2 / (1 + 4 + 9) = 36 / 14
    assert survey.effective_sample_size([1, 2, 3]) == pytest.approx(36 / 14)
    assert survey.effective_sample_size([2.0, np.nan, 2.0]) == pytest.approx(2.0)
    assert survey.effective_sample_size([]) == 0.0
    with pytest.raises(InputError):
        survey.effective_sample_size([1, -1])


def test_binarise_rules_and_exclusion_counts():
    data = pd.DataFrame(
        {
            "q_trust": pd.array([5, 4, 3, 1, 9, None], dtype="Int64"),
            "q_discrimination": ["Yes", "No", "Don't know", None, "No", "Yes"],
        }
    )
    before = data.copy()
    out = survey.binarise(data)
    expected = pd.DataFrame(
        {
            "q_trust": [1.0, 1.0, 0.0, 0.0, np.nan, np.nan],
            "q_discrimination": [1.0, 0.0, np.nan, np.nan, 0.0, 1.0],
        }
    )
    assert_frame_equal(out, expected)
    assert_frame_equal(data, before)  # input not modified
    excluded = out.attrs["excluded"].set_index(["question", "reason"])["n"]
    assert excluded[("q_trust", "don't know")] == 1
    assert excluded[("q_trust", "not answered")] == 1
    assert excluded[("q_discrimination", "don't know")] == 1
    assert excluded[("q_discrimination", "not answered")] == 1
    assert excluded.sum() == 4


def test_binarise_rejects_missing_question():
    with pytest.raises(InputError, match="q_listened"):
        survey.binarise(pd.DataFrame({"q_trust": [1]}), questions=["q_listened"])


def _wilson(x, n, z):
    # Wilson (1927) score interval, written out independently of rhoresearch
    centre = (x + z**2 / 2) / (n + z**2)
    half = z * math.sqrt(x * (n - x) / n + z**2 / 4) / (n + z**2)
    return centre - half, centre + half


def test_weighted_percentages_by_hand():
    data = pd.DataFrame(
        {
            "group": ["a", "a", "a", "b", "b", "b", "b"],
            "y": [1.0, 0.0, 1.0, 1.0, 1.0, 0.0, np.nan],
            "w": [1.0, 2.0, 1.0, 1.0, 1.0, 1.0, 5.0],
        }
    )
    out = survey.weighted_percentages(data, outcomes="y", weight="w", by="group")
    z = stats.norm.ppf(0.975)
    # group a: p = (1 + 1) / 4 = 0.5; n_eff = 4^2 / (1 + 4 + 1) = 16 / 6
    n_eff_a = 16 / 6
    lo_a, hi_a = _wilson(0.5 * n_eff_a, n_eff_a, z)
    # group b: the row with a missing answer is excluded; p = 2 / 3; n_eff = 3
    lo_b, hi_b = _wilson(2.0, 3.0, z)
    assert list(out["group"]) == ["a", "b"]
    assert list(out["n_respondents"]) == [3, 3]
    assert list(out["n_positive"]) == [2, 2]
    assert list(out["n_not_positive"]) == [1, 1]
    np.testing.assert_allclose(out["weighted_n"], [4.0, 3.0])
    np.testing.assert_allclose(out["effective_n"], [n_eff_a, 3.0])
    np.testing.assert_allclose(out["value"], [50.0, 200 / 3])
    np.testing.assert_allclose(out["lower_ci"], [100 * lo_a, 100 * lo_b], rtol=1e-9)
    np.testing.assert_allclose(out["upper_ci"], [100 * hi_a, 100 * hi_b], rtol=1e-9)
    assert set(out["question"]) == {"y"}


def test_weighted_percentages_equal_weights_match_unweighted_wilson():
    data = pd.DataFrame({"y": [1.0] * 30 + [0.0] * 70, "w": 2.5})
    out = survey.weighted_percentages(data, outcomes=["y"], weight="w")
    lo, hi = _wilson(30, 100, stats.norm.ppf(0.975))
    assert out.loc[0, "value"] == pytest.approx(30.0)
    assert out.loc[0, "effective_n"] == pytest.approx(100.0)
    assert out.loc[0, "lower_ci"] == pytest.approx(100 * lo, rel=1e-9)
    assert out.loc[0, "upper_ci"] == pytest.approx(100 * hi, rel=1e-9)


def test_weighted_percentages_rejects_non_binary_outcome():
    data = pd.DataFrame({"y": [1.0, 4.0], "w": [1.0, 1.0]})
    with pytest.raises(InputError, match="0, 1 or missing"):
        survey.weighted_percentages(data, outcomes="y", weight="w")


def test_respondents_by_group_counts_every_category():
    groups = pd.Categorical(["x", "x", "y"], categories=["x", "y", "z"])
    out = survey.respondents_by_group(pd.DataFrame({"g": groups}), by="g")
    assert list(out["g"].astype(str)) == ["x", "y", "z"]
    assert list(out["n_respondents"]) == [2, 1, 0]
    np.testing.assert_allclose(out["percentage"], [200 / 3, 100 / 3, 0.0])


# --------------------------------------------------------------------------------------------------
# generator
# --------------------------------------------------------------------------------------------------


def test_make_responses_is_deterministic_and_shaped():
    a, _ = demo_survey.make_responses(np.random.default_rng(7), population=4_000)
    b, _ = demo_survey.make_responses(np.random.default_rng(7), population=4_000)
    c, _ = demo_survey.make_responses(np.random.default_rng(8), population=4_000)
    assert_frame_equal(a, b)
    assert not a.equals(c)
    assert a["respondent_id"].is_unique
    assert set(a["age_band"]) <= set(survey.AGE_BANDS)
    assert (a["weight"] > 0).all()
    # messy ethnicity: every value harmonises (unknowns go to Not stated / Not known)
    harmonised = ethnicity.harmonise(a["ethnic_category"])
    assert harmonised.attrs["unmapped"] == {}
    assert (harmonised == "Not stated").any()


def _sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def survey_demo(tmp_path_factory):
    """The demonstration survey exactly as ``make data`` writes it (same derived seed)."""
    out = tmp_path_factory.mktemp("survey")
    truths = demo.generate_all(out, only=["survey"])
    return out / "survey", truths["survey"]


def test_generate_same_seed_same_bytes(tmp_path):
    first = demo_survey.generate(tmp_path / "a", seed=11)
    second = demo_survey.generate(tmp_path / "b", seed=11)
    assert first == second
    for name in ("responses.csv", "truth.json"):
        assert _sha(tmp_path / "a" / name) == _sha(tmp_path / "b" / name)
    assert 40_000 <= first["respondents"] <= 60_000


def test_truth_file_matches_returned_truth(survey_demo):
    folder, truth = survey_demo
    assert json.loads((folder / "truth.json").read_text()) == truth
    assert truth["odds_ratios"]["q_discrimination"]["Black"] > 1
    assert truth["odds_ratios"]["q_trust"]["Black"] < 1


# --------------------------------------------------------------------------------------------------
# the analysis recovers the planted effects
# --------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def prepared(survey_demo):
    folder, _ = survey_demo
    responses = survey.load_responses(folder / "responses.csv")
    out = survey.binarise(responses)
    out["ethnic_group"] = ethnicity.harmonise(out["ethnic_category"])
    return out


def test_weighted_percentages_cover_population_values(survey_demo, prepared):
    _, truth = survey_demo
    # twelve intervals checked at once: 99.8% intervals (the PHE "3 SD" level) keep the family-wise
    # chance of a miss below 3% while still failing for any real bias in the estimator
    res = survey.weighted_percentages(
        prepared, outcomes=survey.QUESTIONS, weight="weight", by="ethnic_group", confidence=0.998
    )
    checked = 0
    for q in survey.QUESTIONS:
        for g in ("White", "Black", "Asian"):
            row = res[(res["question"] == q) & (res["ethnic_group"] == g)].iloc[0]
            target = truth["population_percent"][q][g]
            assert row["lower_ci"] <= target <= row["upper_ci"], (q, g, target, row.to_dict())
            checked += 1
    assert checked == 12


def test_adjusted_odds_ratios_cover_planted(survey_demo, prepared):
    _, truth = survey_demo
    # the headline comparisons at the report's 95% level; all sixteen group-by-question odds
    # ratios at 99.8% (a Bonferroni-style level for sixteen intervals checked together)
    res = survey.adjusted_odds_ratios(
        prepared,
        outcomes=survey.QUESTIONS,
        group="ethnic_group",
        reference="White",
        weight="weight",
        confidence=[0.95, 0.998],
    )
    groups = res["group"].astype(str)
    for q, g, level in [("q_trust", "Black", 0.95), ("q_discrimination", "Black", 0.95)] + [
        (q, g, 0.998) for q in survey.QUESTIONS for g in ("Asian", "Black", "Mixed", "Other")
    ]:
        row = res[(res["question"] == q) & (groups == g) & (res["confidence"] == level)].iloc[0]
        planted = truth["odds_ratios"][q][g]
        assert row["lower_ci"] <= planted <= row["upper_ci"], (q, g, level, planted, row.to_dict())
    black = res[(groups == "Black") & (res["confidence"] == 0.95)].set_index("question")
    assert black.loc["q_discrimination", "lower_ci"] > 1  # more discrimination reported
    assert black.loc["q_trust", "upper_ci"] < 1  # less trust


def test_weighted_odds_ratio_uses_sandwich_variance():
    """The weighted model's interval is the linearisation (sandwich) one, computed here by hand."""
    rng = np.random.default_rng(2)
    n = 2_000
    g = rng.choice(["White", "Black"], size=n, p=[0.7, 0.3])
    sex = rng.choice(["Female", "Male"], size=n)
    w = np.exp(rng.normal(0, 0.5, n))
    lin = -0.5 + 0.6 * (g == "Black") + 0.3 * (sex == "Male")
    y = (rng.random(n) < 1 / (1 + np.exp(-lin))).astype(float)
    data = pd.DataFrame({"respondent_id": np.arange(n), "g": g, "sex": sex, "w": w, "y": y})
    res = survey.adjusted_odds_ratios(
        data, outcomes="y", group="g", reference="White", covariates=["sex"], weight="w"
    )
    row = res[res["group"] == "Black"].iloc[0]
    X = np.column_stack([np.ones(n), g == "Black", sex == "Male"]).astype(float)
    beta = np.zeros(3)
    for _ in range(25):  # weighted Newton-Raphson
        mu = 1 / (1 + np.exp(-X @ beta))
        A = (X * (w * mu * (1 - mu))[:, None]).T @ X
        beta = beta + np.linalg.solve(A, X.T @ (w * (y - mu)))
    mu = 1 / (1 + np.exp(-X @ beta))
    A = (X * (w * mu * (1 - mu))[:, None]).T @ X
    U = X * (w * (y - mu))[:, None]
    V = np.linalg.inv(A) @ (U.T @ U) @ np.linalg.inv(A) * n / (n - 1)
    se = math.sqrt(V[1, 1])
    z = stats.norm.ppf(0.975)
    assert row["estimate"] == pytest.approx(math.exp(beta[1]), rel=1e-6)
    assert row["lower_ci"] == pytest.approx(math.exp(beta[1] - z * se), rel=1e-3)
    assert row["upper_ci"] == pytest.approx(math.exp(beta[1] + z * se), rel=1e-3)


# --------------------------------------------------------------------------------------------------
# report level: the default report builds through the build API and its results pass disclosure
# --------------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_default_report_builds_and_passes_disclosure_scan(survey_demo, tmp_path):
    from rhoresearch import build, disclosure

    folder, truth = survey_demo
    spec = {s.id: s for s in build.load()}["community-trust"]
    parameters = {**spec.parameters, "responses_path": str(folder / "responses.csv")}
    spec = type(spec)(**{**spec.__dict__, "parameters": parameters})
    build.validate([spec])
    manifest = build.build_report(spec, reports_dir=tmp_path, force=True, update_index=False)
    assert manifest["status"] == "success"
    report = tmp_path / "community-trust"
    assert (report / "report.html").exists()
    unsafe = disclosure.scan(report)
    assert len(unsafe) == 0, unsafe
    odds = pd.read_csv(report / "results" / "adjusted_odds_ratios.csv")
    black = odds[(odds["group"] == "Black") & (odds["question"] == "q_discrimination")].iloc[0]
    planted = truth["odds_ratios"]["q_discrimination"]["Black"]
    assert float(black["lower_ci"]) <= planted <= float(black["upper_ci"])
