"""Tests of rhoresearch.stats.discrimination: AUC, calibration and classification rates."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal
from scipy import stats

from rhoresearch.exceptions import InputError
from rhoresearch.results import exclusions_table
from rhoresearch.stats import discrimination


def _auc_pairs(pos, neg):
    """AUC and DeLong's SE from the definition (all pairs), independent of the rank formula."""
    psi = np.array([[1.0 if x > y else 0.5 if x == y else 0.0 for y in neg] for x in pos])
    a = psi.mean()
    v10 = psi.mean(axis=1)
    v01 = psi.mean(axis=0)
    return a, math.sqrt(v10.var(ddof=1) / len(pos) + v01.var(ddof=1) / len(neg))


# --------------------------------------------------------------------------------------------------
# AUC
# --------------------------------------------------------------------------------------------------


def test_auc_hand_example_with_tie():
    pos = [0.9, 0.8, 0.4]
    neg = [0.7, 0.4, 0.2, 0.1]
    data = pd.DataFrame({"score": pos + neg, "y": [1] * 3 + [0] * 4})
    out = discrimination.auc(data, predicted="score", observed="y")
    # pairs: 0.9 and 0.8 beat all four negatives; 0.4 beats 0.2 and 0.1 and ties 0.4: 10.5 / 12
    a, se = _auc_pairs(pos, neg)
    z = stats.norm.ppf(0.975)
    expected = pd.DataFrame(
        {
            "n_events": [3],
            "n_non_events": [4],
            "value": [10.5 / 12],
            "standard_error": [se],
            "lower_ci": [10.5 / 12 - z * se],
            "upper_ci": [1.0],  # clipped
            "confidence": [0.95],
            "method": ["DeLong"],
        }
    )
    assert a == pytest.approx(10.5 / 12)
    assert_frame_equal(out, expected)


def test_auc_delong_matches_pairwise_definition_on_random_data():
    rng = np.random.default_rng(5)
    pos = np.round(rng.normal(1, 1, 40), 1)
    neg = np.round(rng.normal(0, 1, 60), 1)
    data = pd.DataFrame({"s": np.concatenate([pos, neg]), "y": [1] * 40 + [0] * 60})
    out = discrimination.auc(data, predicted="s", observed="y")
    a, se = _auc_pairs(pos, neg)
    assert out.loc[0, "value"] == pytest.approx(a)
    assert out.loc[0, "standard_error"] == pytest.approx(se)
    assert out.loc[0, "lower_ci"] == pytest.approx(a - stats.norm.ppf(0.975) * se)


def test_hanley_mcneil_published_example():
    # Hanley & McNeil (1982), Radiology 143:29-36: A = 0.893 with 51 abnormal and 58 normal
    # images has standard error 0.032 (the formula gives 0.0325; the paper worked with rounded
    # intermediate values)
    se = discrimination.hanley_mcneil_se(0.893, n_events=51, n_non_events=58)
    assert se == pytest.approx(0.032, abs=0.001)


def test_auc_hanley_mcneil_method_uses_that_standard_error():
    data = pd.DataFrame({"s": [0.9, 0.8, 0.4, 0.7, 0.4, 0.2, 0.1], "y": [1, 1, 1, 0, 0, 0, 0]})
    out = discrimination.auc(data, predicted="s", observed="y", method="hanley_mcneil")
    se = discrimination.hanley_mcneil_se(10.5 / 12, n_events=3, n_non_events=4)
    assert out.loc[0, "standard_error"] == pytest.approx(se)
    assert out.loc[0, "method"] == "Hanley-McNeil"


@pytest.mark.parametrize(
    "kwargs", [{"value": 1.2}, {"n_events": 0}, {"n_non_events": 2.5}, {"value": True}]
)
def test_hanley_mcneil_se_refuses_impossible_inputs(kwargs):
    args = {"value": 0.8, "n_events": 10, "n_non_events": 10} | kwargs
    value = args.pop("value")
    with pytest.raises(InputError, match="hanley_mcneil_se"):
        discrimination.hanley_mcneil_se(value, **args)


def test_auc_by_group_missing_when_a_group_lacks_events():
    data = pd.DataFrame(
        {
            "g": ["a", "a", "a", "b", "b"],
            "s": [0.9, 0.1, 0.5, 0.3, 0.4],
            "y": [1, 0, 0, 0, 0],
        }
    )
    out = discrimination.auc(data, predicted="s", observed="y", by="g")
    assert list(out["g"]) == ["a", "b"]
    assert out.loc[0, "value"] == 1.0
    assert math.isnan(out.loc[1, "value"]) and math.isnan(out.loc[1, "lower_ci"])
    assert out.loc[1, "n_non_events"] == 2


def test_auc_rejects_unknown_method_and_outcomes_other_than_0_1():
    data = pd.DataFrame({"s": [0.1, 0.2], "y": [1, 0]})
    with pytest.raises(InputError, match="method"):
        discrimination.auc(data, predicted="s", observed="y", method="bootstrap")
    with pytest.raises(InputError, match="0 or 1"):
        discrimination.auc(data.assign(y=[1, 2]), predicted="s", observed="y")


# --------------------------------------------------------------------------------------------------
# calibration
# --------------------------------------------------------------------------------------------------


def test_calibration_exact_in_saturated_case():
    data = pd.DataFrame({"p": [0.2] * 5 + [0.5] * 5, "y": [1, 0, 0, 0, 0] + [1, 1, 1, 0, 0]})
    out = discrimination.calibration(data, predicted="p", observed="y").set_index("measure")
    assert list(out.index) == [
        "observed/expected",
        "calibration-in-the-large",
        "calibration slope",
    ]
    # O/E = 4 / (5 * 0.2 + 5 * 0.5) = 4 / 3.5, below 10 events: exact Poisson limits / 3.5
    oe = out.loc["observed/expected"]
    assert oe["value"] == pytest.approx(4 / 3.5)
    assert oe["lower_ci"] == pytest.approx(stats.chi2.ppf(0.025, 8) / 2 / 3.5)
    assert oe["upper_ci"] == pytest.approx(stats.chi2.ppf(0.975, 10) / 2 / 3.5)
    assert (oe["n_scored"], oe["n_events"], oe["expected_events"]) == (10, 4, 3.5)

    # logistic y ~ a + b logit(p) is saturated with two distinct p: it reproduces 0.2 and 0.6
    def logit(v):
        return math.log(v / (1 - v))

    def expit(v):
        return 1 / (1 + math.exp(-v))

    a = logit(0.6)  # logit(0.5) = 0
    b = (logit(0.2) - a) / logit(0.2)
    assert out.loc["calibration slope", "value"] == pytest.approx(b, rel=1e-6)
    # calibration-in-the-large solves sum(y - expit(c + logit p)) = 0
    c = out.loc["calibration-in-the-large", "value"]
    assert 5 * expit(c + logit(0.2)) + 5 * expit(c + logit(0.5)) == pytest.approx(4.0, rel=1e-6)


def test_calibration_models_missing_when_outcomes_do_not_vary():
    data = pd.DataFrame({"p": [0.2, 0.3, 0.4], "y": [0, 0, 0], "g": "a"})
    out = discrimination.calibration(data, predicted="p", observed="y", by="g")
    assert list(out.columns) == [
        "g",
        "measure",
        "n_scored",
        "n_events",
        "expected_events",
        "value",
        "lower_ci",
        "upper_ci",
        "confidence",
        "method",
    ]
    assert out.loc[0, "value"] == 0.0
    assert out.loc[1:, "value"].isna().all()


def test_calibration_rejects_probabilities_outside_unit_interval():
    with pytest.raises(InputError, match="strictly between 0 and 1"):
        discrimination.calibration(
            pd.DataFrame({"p": [0.0, 0.5], "y": [0, 1]}), predicted="p", observed="y"
        )


# --------------------------------------------------------------------------------------------------
# classification rates
# --------------------------------------------------------------------------------------------------


def test_classification_rates_by_hand():
    data = pd.DataFrame(
        {
            "score": [0.9, 0.3, 0.1, 0.25, 0.05, 0.6],
            "y": [1, 1, 1, 0, 0, 0],
            "g": ["a"] * 6,
        }
    )
    out = discrimination.classification_rates(
        data, predicted="score", observed="y", threshold=0.25, by="g"
    )
    # TPR: 0.9 and 0.3 of the three events at or above 0.25 -> 2/3; FPR: 0.25 and 0.6 -> 2/3
    z = stats.norm.ppf(0.975)
    centre, half = (2 + z**2 / 2) / (3 + z**2), z * math.sqrt(2 / 3 + z**2 / 4) / (3 + z**2)
    assert list(out["measure"]) == ["false positive rate", "true positive rate"]
    assert list(out["numerator"]) == [2, 2] and list(out["denominator"]) == [3, 3]
    assert out["value"].tolist() == pytest.approx([200 / 3, 200 / 3])
    assert out["lower_ci"].tolist() == pytest.approx([100 * (centre - half)] * 2)
    assert out["upper_ci"].tolist() == pytest.approx([100 * (centre + half)] * 2)
    assert (out["threshold"] == 0.25).all() and (out["method"] == "Wilson").all()


def test_classification_rates_refuses_a_threshold_that_is_not_a_number():
    data = pd.DataFrame({"s": [0.1, 0.9], "y": [0, 1]})
    with pytest.raises(InputError, match="threshold"):
        discrimination.classification_rates(data, predicted="s", observed="y", threshold="0.5")


# --------------------------------------------------------------------------------------------------
# exclusions and the shared checks
# --------------------------------------------------------------------------------------------------


def test_incomplete_rows_are_left_out_and_counted():
    data = pd.DataFrame(
        {
            "s": [0.9, 0.8, np.nan, 0.3, 0.2, 0.1],
            "y": [1, 1, 0, np.nan, 0, 0],
            "g": ["a", "a", "a", "a", None, "a"],
        }
    )
    before = data.copy()
    out = discrimination.auc(data, predicted="s", observed="y", by="g")
    assert_frame_equal(data, before)
    assert (out.loc[0, "n_events"], out.loc[0, "n_non_events"]) == (2, 1)
    excluded = discrimination.score_exclusions(
        data, predicted="s", observed="y", by="g", step="AUC"
    )
    expected = exclusions_table([("missing s", 1), ("missing y", 1), ("missing g", 1)], step="AUC")
    assert_frame_equal(excluded, expected)


@pytest.mark.parametrize(
    "func", [discrimination.auc, discrimination.calibration, discrimination.classification_rates]
)
def test_confidence_follows_the_one_rule(func):
    data = pd.DataFrame({"p": [0.2, 0.6], "y": [0, 1]})
    extra = {"threshold": 0.5} if func is discrimination.classification_rates else {}
    with pytest.raises(InputError, match=r"\[0.9, 1\)"):
        func(data, predicted="p", observed="y", confidence=0.8, **extra)
