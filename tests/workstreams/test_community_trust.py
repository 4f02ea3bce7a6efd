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

from rhoresearch import demo, disclosure, ethnicity
from rhoresearch.demo import community_trust as demo_survey
from rhoresearch.exceptions import InputError
from rhoresearch.workstreams import community_trust

# --------------------------------------------------------------------------------------------------
# binarisation, preparation, counts: tiny frames against hand computations
# --------------------------------------------------------------------------------------------------


def test_binarise_rules_and_exclusion_counts():
    data = pd.DataFrame(
        {
            "q_trust": pd.array([5, 4, 3, 1, 9, None], dtype="Int64"),
            "q_discrimination": ["Yes", "No", "Don't know", None, "No", "Yes"],
        }
    )
    before = data.copy()
    out, excluded = community_trust.binarise(data)
    expected = pd.DataFrame(
        {
            "q_trust": [1.0, 1.0, 0.0, 0.0, np.nan, np.nan],
            "q_discrimination": [1.0, 0.0, np.nan, np.nan, 0.0, 1.0],
        }
    )
    assert_frame_equal(out, expected)
    assert_frame_equal(data, before)  # input not modified
    assert out.attrs == {}  # nothing travels in attrs
    expected_excluded = pd.DataFrame(
        {
            "step": ["answer to q_trust"] * 3 + ["answer to q_discrimination"] * 3,
            "reason": ["not answered", "don't know", "invalid"] * 2,
            "rows": np.array([1, 1, 0, 1, 1, 0], dtype="int64"),
            "applies_to": ["q_trust only"] * 3 + ["q_discrimination only"] * 3,
        }
    )
    assert_frame_equal(excluded, expected_excluded, check_dtype=False)  # text: object or str
    assert excluded["rows"].dtype == "int64"


def test_binarise_positive_points_and_invalid_codes():
    data = pd.DataFrame({"q_trust": [5.0, 4.0, 3.0, 7.0]})
    out, excluded = community_trust.binarise(data, positive=[5])
    np.testing.assert_array_equal(out["q_trust"], [1.0, 0.0, 0.0, np.nan])
    assert excluded.set_index("reason").loc["invalid", "rows"] == 1


def test_binarise_rejects_missing_question():
    with pytest.raises(InputError, match="q_listened"):
        community_trust.binarise(pd.DataFrame({"q_trust": [1]}), questions=["q_listened"])


def _responses() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "respondent_id": ["r1", "r2", "r3", "r4", "r5"],
            "ethnic_category": ["A", "M", None, "Z", "A"],
            "region": ["London", "North West", "North West", "North West", "North West"],
            "weight": [1.0, 1.0, 1.0, 1.0, 1.0],
            "q_trust": [5, 2, 9, 4, None],
        }
    )


def test_prepare_returns_data_exclusions_and_region():
    data = _responses()
    before = data.copy()
    prepared = community_trust.prepare(data, region="north-west")
    assert prepared.region == "North West"  # as the data spells it
    assert list(prepared.data["respondent_id"]) == ["r2", "r3", "r4", "r5"]
    assert list(prepared.data["ethnic_group"].astype(str)) == [
        "Black",
        "Not known",  # blank
        "Not stated",  # NHS code Z
        "White",
    ]
    np.testing.assert_array_equal(prepared.data["q_trust"], [0.0, np.nan, 1.0, np.nan])
    assert prepared.data.attrs == {}
    expected = pd.DataFrame(
        {
            "step": ["region", "ethnic group", "ethnic group"] + ["answer to q_trust"] * 3,
            "reason": [
                "outside North West",
                "ethnicity not stated",
                "ethnicity not known",
                "not answered",
                "don't know",
                "invalid",
            ],
            "rows": np.array([1, 1, 1, 1, 1, 0], dtype="int64"),
            "applies_to": [
                "every table",
                "comparisons between groups",
                "comparisons between groups",
                "q_trust only",
                "q_trust only",
                "q_trust only",
            ],
        }
    )
    assert_frame_equal(prepared.exclusions, expected, check_dtype=False)  # text: object or str
    assert prepared.exclusions["rows"].dtype == "int64"
    assert_frame_equal(data, before)


def test_prepare_england_keeps_everyone_and_unknown_region_is_refused():
    prepared = community_trust.prepare(_responses(), region="England")
    assert prepared.region == "England"
    assert len(prepared.data) == 5
    assert "region" not in set(prepared.exclusions["step"])
    with pytest.raises(InputError, match="Midlands"):
        community_trust.prepare(_responses(), region="Midlands")


def test_respondents_by_group_counts_every_category():
    groups = pd.Categorical(["x", "x", "y"], categories=["x", "y", "z"])
    out = community_trust.respondents_by_group(pd.DataFrame({"g": groups}), by="g")
    assert list(out["g"].astype(str)) == ["x", "y", "z"]
    assert list(out["n_respondents"]) == [2, 1, 0]
    np.testing.assert_allclose(out["percentage"], [200 / 3, 100 / 3, 0.0])


def test_question_percentages_names_and_words_the_questions():
    data = pd.DataFrame(
        {
            "ethnic_group": ["a", "a", "b"],
            "q_trust": [1.0, 0.0, 1.0],
            "q_other": [0.0, 0.0, 1.0],
            "weight": [1.0, 3.0, 1.0],
        }
    )
    out = community_trust.question_percentages(data, questions=["q_trust", "q_other"])
    assert list(out.columns[:3]) == ["question", "question_text", "ethnic_group"]
    assert list(out["question"]) == ["q_trust", "q_trust", "q_other", "q_other"]
    assert (
        list(out["question_text"])
        == [community_trust.QUESTION_LABELS["q_trust"]] * 2 + ["q_other"] * 2
    )
    np.testing.assert_allclose(out["value"], [25.0, 100.0, 0.0, 100.0])  # a: 1 of weight 4


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
    assert set(a["age_band"]) <= set(community_trust.AGE_BANDS)
    assert (a["weight"] > 0).all()
    # messy ethnicity: every value harmonises (unknowns go to Not stated / Not known)
    assert ethnicity.unmapped(a["ethnic_category"]) == {}
    assert (ethnicity.harmonise(a["ethnic_category"]) == "Not stated").any()


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
    responses = community_trust.load_responses(folder / "responses.csv")
    out, _ = community_trust.binarise(responses)
    out["ethnic_group"] = ethnicity.harmonise(out["ethnic_category"])
    return out


def test_weighted_percentages_cover_population_values(survey_demo, prepared):
    _, truth = survey_demo
    # twelve intervals checked at once: 99.8% intervals (the PHE "3 SD" level) keep the family-wise
    # chance of a miss below 3% while still failing for any real bias in the estimator
    res = community_trust.question_percentages(prepared, by="ethnic_group", confidence=0.998)
    checked = 0
    for q in community_trust.QUESTIONS:
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
    res = community_trust.adjusted_odds_ratios(
        prepared,
        outcomes=community_trust.QUESTIONS,
        group="ethnic_group",
        reference="White",
        weight="weight",
        confidence=[0.95, 0.998],
    )
    groups = res["group"].astype(str)
    for q, g, level in [("q_trust", "Black", 0.95), ("q_discrimination", "Black", 0.95)] + [
        (q, g, 0.998)
        for q in community_trust.QUESTIONS
        for g in ("Asian", "Black", "Mixed", "Other")
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
    res = community_trust.adjusted_odds_ratios(
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
# disclosure control of the report's tables, and the findings written from them
# --------------------------------------------------------------------------------------------------


def _answers(n_black: int = 40) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A percentage table and an odds-ratio table for one question, White and Black."""
    percentages = pd.DataFrame(
        {
            "question": ["q_listened", "q_listened"],
            "question_text": ["Felt listened to"] * 2,
            "ethnic_group": ["White", "Black"],
            "n_respondents": [1000, n_black],
            "n_positive": [818, n_black - 8],
            "n_not_positive": [182, 8],
            "weighted_n": [1000.0, float(n_black)],
            "effective_n": [900.0, float(n_black)],
            "value": [81.84, 70.0],
            "lower_ci": [81.41, 60.0],
            "upper_ci": [82.23, 80.0],
            "confidence": [0.9, 0.9],
            "statistic": ["weighted percentage"] * 2,
            "method": ["Wilson on Kish effective sample size"] * 2,
        }
    )
    odds_ratios = pd.DataFrame(
        {
            "question": ["q_listened", "q_listened"],
            "question_text": ["Felt listened to"] * 2,
            "term": ["ethnic_group"] * 2,
            "group": ["White", "Black"],
            "estimate": [1.0, 0.744],
            "lower_ci": [np.nan, 0.641],
            "upper_ci": [np.nan, 0.866],
            "p_value": [np.nan, 0.001],
            "confidence": [0.9, 0.9],
            "is_reference": [True, False],
            "n_used": [1000 + n_black] * 2,
            "n_excluded": [0, 0],
            "reference_group": ["White"] * 2,
            "n_respondents": [999, 1],  # the model's own counts: replaced by the table's
            "n_positive": [0, 0],
            "n_not_positive": [0, 0],
            "n_excluded_group": [3, 3],
        }
    )
    return percentages, odds_ratios


def _tables(n_black: int = 40, threshold: int = 10) -> community_trust.Tables:
    percentages, odds_ratios = _answers(n_black)
    respondents = pd.DataFrame({"ethnic_group": ["White", "Black"], "n_respondents": [1003, 40]})
    weights = pd.DataFrame(
        {
            "ethnic_group": ["White", "Black"],
            "n_respondents": [1003, 40],
            "weighted_n": [1000.0, 40.0],
            "effective_n": [900.0, 40.0],
            "design_effect": [1.1, 1.0],
            "weight_min": [0.5, 1.0],
            "weight_median": [1.0, 1.0],
            "weight_max": [2.0, 1.0],
        }
    )
    exclusions = pd.DataFrame(
        {
            "step": ["ethnic group"],
            "reason": ["ethnicity not known"],
            "rows": [3],
            "applies_to": ["comparisons between groups"],
        }
    )
    return community_trust.suppress_tables(
        respondents=respondents,
        weights=weights,
        percentages=percentages,
        odds_ratios=odds_ratios,
        exclusions=exclusions,
        threshold=threshold,
    )


def test_suppress_tables_layout_and_counts_from_the_percentage_table():
    safe = _tables(threshold=2)  # nothing to suppress
    assert list(safe.odds_ratios.columns[:13]) == [
        "question",
        "question_text",
        "group",
        "estimate",
        "lower_ci",
        "upper_ci",
        "p_value",
        "confidence",
        "is_reference",
        "reference_group",
        "n_used",
        "n_excluded",
        "n_excluded_group",
    ]
    # the counts shown beside the odds ratios are the percentage table's, not the model's
    counts = ["n_respondents", "n_positive", "n_not_positive"]
    shown = safe.odds_ratios.set_index("group")[counts].astype("int64")
    assert shown.loc["Black"].tolist() == [40, 32, 8]
    assert shown.loc["White"].tolist() == [1000, 818, 182]
    assert list(safe.exclusions.columns[:4]) == ["step", "reason", "n", "applies_to"]
    assert safe.exclusions["n"].tolist() == [3]
    assert not disclosure.is_suppressed(safe.odds_ratios, "estimate").any()


def test_suppress_tables_suppresses_an_odds_ratio_whose_counts_are_small():
    safe = _tables(n_black=12)  # 4 "no" answers among 12 Black respondents, threshold 10
    black_pct = safe.percentages[safe.percentages["ethnic_group"] == "Black"].iloc[0]
    black_or = safe.odds_ratios[safe.odds_ratios["group"] == "Black"].iloc[0]
    assert disclosure.is_suppressed(black_pct, "n_not_positive")
    assert disclosure.is_suppressed(black_pct, "value")
    for column in ("n_not_positive", "estimate", "lower_ci", "upper_ci"):
        assert disclosure.is_suppressed(black_or, column), column
    assert disclosure.is_suppressed(safe.exclusions, "n").tolist() == [True]  # 3 < 10
    notes = community_trust.suppression_notes(safe, threshold=10)
    assert notes[0].startswith("**What was suppressed** (respondent counts from 1 to 9,")
    assert notes[1] == ""
    assert [line.split(":")[0] for line in notes[2:]] == [
        "- Respondents by group",
        "- Weights by group",
        "- Weighted percentages",
        "- Odds ratios",
        "- Exclusions",
    ]


def test_findings_words_numbers_and_parameters_from_the_inputs():
    percentages, odds_ratios = _answers()
    lines = community_trust.findings(
        percentages,
        odds_ratios,
        reference="White",
        region="London",
        n_respondents=6543,
        covariates=["age_band", "sex", "imd_quintile"],
    )
    assert lines == [
        "**London: 6,543 respondents.** Percentages are weighted for non-response; odds ratios "
        "compare each group with White respondents of the same age band, sex and deprivation "
        "quintile (above 1: more likely to say yes).",
        "",
        "- Felt listened to: 81.8% (90% CI 81.4% to 82.2%) of White respondents (weighted). "
        "Compared with White respondents of the same age band, sex and deprivation quintile, the "
        "odds were lower for Black (0.74, 90% CI 0.64 to 0.87) respondents.",
    ]


def test_findings_follow_the_covariates_and_reference_given():
    percentages, odds_ratios = _answers()
    percentages["ethnic_group"] = ["Black", "White"]  # Black as the reference this time
    odds_ratios["group"] = ["Black", "White"]
    odds_ratios[["lower_ci", "upper_ci"]] = [[np.nan, np.nan], [0.9, 1.2]]
    lines = community_trust.findings(
        percentages,
        odds_ratios,
        reference="Black",
        region="England",
        n_respondents=10,
        covariates=["age_band", "setting_type"],
        labels={"q_listened": "Listened to"},
    )
    assert "with Black respondents of the same age band and setting type (above 1" in lines[0]
    assert lines[2] == (
        "- Listened to: 81.8% (90% CI 81.4% to 82.2%) of Black respondents (weighted). "
        "No clear difference for White respondents."
    )
    unadjusted = community_trust.findings(
        percentages,
        odds_ratios,
        reference="Black",
        region="England",
        n_respondents=10,
        covariates=[],
    )
    assert "compare each group with Black respondents (above 1" in unadjusted[0]


def test_findings_never_print_a_suppressed_value():
    safe = _tables(n_black=12)
    lines = community_trust.findings(
        safe.percentages,
        safe.odds_ratios,
        reference="White",
        region="North West",
        n_respondents=1043,
    )
    assert lines[2].endswith(
        "The odds ratios for Black respondents are suppressed to protect confidentiality."
    )
    assert "0.74" not in lines[2]


# --------------------------------------------------------------------------------------------------
# report level: the default report builds through the build API and its results pass disclosure
# --------------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_default_report_builds_and_passes_disclosure_scan(survey_demo, demo_report):
    from rhoresearch import config, disclosure

    _, truth = survey_demo
    # the report reads the project's demo data: the generator's output, as make data wrote it
    demo_truth = config.demo_dir() / "survey" / "truth.json"
    assert json.loads(demo_truth.read_text(encoding="utf-8")) == truth
    report = demo_report("community-trust")  # built once per test run (tests/conftest.py)
    manifest = json.loads((report / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["status"] == "success"
    assert (report / "report.html").exists()
    unsafe = disclosure.scan(report)
    assert len(unsafe) == 0, unsafe
    odds = pd.read_csv(report / "results" / "adjusted_odds_ratios.csv")
    black = odds[(odds["group"] == "Black") & (odds["question"] == "q_discrimination")].iloc[0]
    planted = truth["odds_ratios"]["q_discrimination"]["Black"]
    assert float(black["lower_ci"]) <= planted <= float(black["upper_ci"])


def test_linked_tables_share_one_suppression_pattern():
    # issue 19: the odds-ratio table (known groups only) hid a Mixed count that the percentage
    # table, protected there by an unknown-ethnicity row, showed: one pattern across both tables
    groups = ["White", "Black", "Mixed", "Other", "Not known"]
    positive = [800, 60, 30, 4, 3]
    total = [1000, 100, 50, 20, 15]
    percentages = pd.DataFrame(
        {
            "question": "q_listened",
            "question_text": "Felt listened to",
            "ethnic_group": groups,
            "n_respondents": total,
            "n_positive": positive,
            "n_not_positive": [t - p for t, p in zip(total, positive, strict=True)],
            "weighted_n": [float(t) for t in total],
            "effective_n": [float(t) for t in total],
            "value": [100 * p / t for p, t in zip(positive, total, strict=True)],
            "lower_ci": 1.0,
            "upper_ci": 99.0,
            "confidence": 0.95,
            "statistic": "weighted percentage",
            "method": "Wilson on Kish effective sample size",
        }
    )
    known = groups[:4]
    odds_ratios = pd.DataFrame(
        {
            "question": "q_listened",
            "question_text": "Felt listened to",
            "term": "ethnic_group",
            "group": known,
            "estimate": [1.0, 0.4, 0.3, 0.1],
            "lower_ci": [np.nan, 0.3, 0.2, 0.05],
            "upper_ci": [np.nan, 0.6, 0.5, 0.3],
            "p_value": [np.nan, 0.001, 0.001, 0.001],
            "confidence": 0.95,
            "is_reference": [True, False, False, False],
            "n_used": 1170,
            "n_excluded": 15,
            "reference_group": "White",
            "n_respondents": 0,
            "n_positive": 0,
            "n_not_positive": 0,
            "n_excluded_group": 15,
        }
    )
    safe = community_trust.suppress_tables(
        respondents=pd.DataFrame({"ethnic_group": groups, "n_respondents": total}),
        weights=pd.DataFrame(
            {"ethnic_group": groups, "n_respondents": total, "weighted_n": 1.0, "effective_n": 1.0}
        ).assign(design_effect=1.0, weight_min=1.0, weight_median=1.0, weight_max=1.0),
        percentages=percentages,
        odds_ratios=odds_ratios,
        exclusions=pd.DataFrame(
            {"step": ["x"], "reason": ["y"], "rows": [15], "applies_to": ["z"]}
        ),
        threshold=10,
    )
    pct = safe.percentages.set_index("ethnic_group").loc[known]
    ors = safe.odds_ratios.set_index("group").loc[known]
    for column in ("n_positive", "n_not_positive"):
        in_pct = disclosure.is_suppressed(pct, column).tolist()
        assert in_pct == disclosure.is_suppressed(ors, column).tolist(), column
        assert sum(in_pct) >= 2  # the odds-ratio table alone protects its suppressed cell
    assert (
        disclosure.is_suppressed(ors, "estimate").tolist()
        == disclosure.is_suppressed(pct, "n_positive").tolist()
    )


def test_region_name_prints_regions_as_the_data_spells_them():
    # issue 19: regions were printed as typed ("london"); one shared helper words them
    from rhoresearch.workstreams import _wording

    assert _wording.region_name("london") == "London"
    assert _wording.region_name("north-west") == "North West"
    assert _wording.region_name("NORTH_EAST and yorkshire") == "North East And Yorkshire"
    assert _wording.region_name("north-east-and-yorkshire", ["North East and Yorkshire"]) == (
        "North East and Yorkshire"
    )
    assert _wording.region_name(None) == _wording.region_name("england") == "England"
    # a region given by its code is printed by the name the data give that code
    assert _wording.region_name("e40000003", codes={"E40000003": "London"}) == "London"
    prepared = community_trust.prepare(_responses(), region="LONDON")
    assert prepared.region == "London"
