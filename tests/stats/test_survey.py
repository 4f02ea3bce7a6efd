"""Tests of rhoresearch.stats.survey: Kish's effective sample size, weighted percentages with Wilson
intervals on the effective sample size, and the weight summary, on tiny frames worked by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from rhoresearch.exceptions import InputError
from rhoresearch.stats import survey

Z95 = 1.959963984540054  # scipy.stats.norm.ppf(0.975)


def _wilson_percent(x: float, n: float, z: float = Z95) -> tuple[float, float]:
    """Wilson (1927) score interval in %, written out independently of rhoresearch."""
    centre = (x + z**2 / 2) / (n + z**2)
    half = z * math.sqrt(x * (n - x) / n + z**2 / 4) / (n + z**2)
    return 100 * (centre - half), 100 * (centre + half)


# --------------------------------------------------------------------------------------------------
# effective_sample_size
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("weights", "expected"),
    [
        ([1, 1, 1, 1], 4.0),  # equal weights: n
        ([1, 2, 3], 36 / 14),  # (1 + 2 + 3)^2 / (1 + 4 + 9)
        ([2.0, np.nan, 2.0], 2.0),  # missing weights ignored
        (pd.Series([0.5, 0.5, 3.0]), 16 / 9.5),  # 4^2 / (0.25 + 0.25 + 9)
        ([], 0.0),
        ([0.0, 0.0], 0.0),
    ],
)
def test_effective_sample_size_by_hand(weights, expected):
    assert survey.effective_sample_size(weights) == pytest.approx(expected, rel=1e-12)


def test_effective_sample_size_refuses_negative_weights():
    with pytest.raises(InputError, match=">= 0"):
        survey.effective_sample_size([1, -1])


# --------------------------------------------------------------------------------------------------
# weighted_percentages
# --------------------------------------------------------------------------------------------------


def _two_groups() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "group": ["a", "a", "a", "b", "b", "b", "b"],
            "y": [1.0, 0.0, 1.0, 1.0, 1.0, 0.0, np.nan],
            "w": [1.0, 2.0, 1.0, 1.0, 1.0, 1.0, 5.0],
        }
    )


def test_weighted_percentages_by_hand():
    data = _two_groups()
    before = data.copy()
    out = survey.weighted_percentages(data, outcomes="y", weight="w", by="group")
    # group a: p = (1 + 1) / (1 + 2 + 1) = 50%; n_eff = 4^2 / (1 + 4 + 1) = 8/3; Wilson for
    # 4/3 successes out of 8/3: 11.5859% to 88.4141%
    # group b: the row with no answer is left out; p = 2/3; n_eff = 3; Wilson for 2 out of 3:
    # 20.7660% to 93.8508%
    expected = pd.DataFrame(
        {
            "outcome": ["y", "y"],
            "group": ["a", "b"],
            "n_respondents": np.array([3, 3], dtype="int64"),
            "n_positive": np.array([2, 2], dtype="int64"),
            "n_not_positive": np.array([1, 1], dtype="int64"),
            "weighted_n": [4.0, 3.0],
            "effective_n": [8 / 3, 3.0],
            "value": [50.0, 200 / 3],
            "lower_ci": [11.585946558754829, 20.765960080204778],
            "upper_ci": [88.41405344124517, 93.85080552796039],
            "confidence": [0.95, 0.95],
            "statistic": ["weighted percentage"] * 2,
            "method": ["Wilson on Kish effective sample size"] * 2,
        }
    )
    expected["group"] = expected["group"].astype(data["group"].dtype)
    assert_frame_equal(out, expected, rtol=1e-9)
    assert_frame_equal(data, before)  # input not modified
    # the same limits from the Wilson formula written out here
    assert out.loc[0, "lower_ci"] == pytest.approx(_wilson_percent(4 / 3, 8 / 3)[0], rel=1e-9)
    assert out.loc[1, "upper_ci"] == pytest.approx(_wilson_percent(2, 3)[1], rel=1e-9)


def test_weighted_percentages_equal_weights_match_unweighted_wilson():
    # 30 of 100 with equal weights: the plain Wilson interval, 21.8949% to 39.5849%
    data = pd.DataFrame({"y": [1.0] * 30 + [0.0] * 70, "w": 2.5})
    out = survey.weighted_percentages(data, outcomes=["y"], weight="w")
    assert list(out.columns[:2]) == ["outcome", "n_respondents"]
    assert out.loc[0, "value"] == pytest.approx(30.0)
    assert out.loc[0, "weighted_n"] == pytest.approx(250.0)
    assert out.loc[0, "effective_n"] == pytest.approx(100.0)
    assert out.loc[0, "lower_ci"] == pytest.approx(21.894885294932763, rel=1e-9)
    assert out.loc[0, "upper_ci"] == pytest.approx(39.584854633346666, rel=1e-9)


def test_weighted_percentages_confidence_level():
    # 99.8%: z = 3.090232306167813 (scipy.stats.norm.ppf(0.999)); 2 out of 3 as above
    out = survey.weighted_percentages(
        _two_groups(), outcomes="y", weight="w", by="group", confidence=0.998
    )
    lo, hi = _wilson_percent(2, 3, z=3.090232306167813)
    assert out.loc[1, "confidence"] == 0.998
    assert out.loc[1, "lower_ci"] == pytest.approx(lo, rel=1e-9)
    assert out.loc[1, "upper_ci"] == pytest.approx(hi, rel=1e-9)


def test_weighted_percentages_outcomes_in_order_and_categories_kept_in_order():
    data = pd.DataFrame(
        {
            "g": pd.Categorical(["y", "x", "y", "x"], categories=["y", "x", "empty"]),
            "a": [1.0, 0.0, 0.0, 0.0],
            "b": [1.0, 1.0, 1.0, 0.0],
            "w": [1.0, 1.0, 3.0, 1.0],
        }
    )
    out = survey.weighted_percentages(data, outcomes=["b", "a"], weight="w", by="g")
    assert list(out["outcome"]) == ["b", "b", "a", "a"]
    assert list(out["g"].astype(str)) == ["y", "x", "y", "x"]  # category order; empty one left out
    # b in group x: weights 1, 1, outcomes 1, 0 -> 50%; a in group y: weights 1, 3, outcomes 1, 0
    # -> 1/4 = 25%
    np.testing.assert_allclose(out["value"], [100.0, 50.0, 25.0, 0.0])


def test_weighted_percentages_leaves_out_rows_without_a_positive_weight():
    data = pd.DataFrame({"y": [1.0, 0.0, 1.0, 1.0], "w": [1.0, 1.0, 0.0, np.nan]})
    out = survey.weighted_percentages(data, outcomes="y", weight="w")
    assert out.loc[0, "n_respondents"] == 2
    assert out.loc[0, "value"] == pytest.approx(50.0)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"outcomes": "y", "weight": "w", "by": "missing"}, "missing"),
        ({"outcomes": "nope", "weight": "w"}, "nope"),
        ({"outcomes": "y", "weight": "w", "confidence": 95}, "did you mean 0.95"),
        ({"outcomes": [], "weight": "w"}, "at least one outcome"),
    ],
)
def test_weighted_percentages_refuses_bad_arguments(kwargs, message):
    with pytest.raises(InputError, match=message):
        survey.weighted_percentages(_two_groups(), **kwargs)


def test_weighted_percentages_refuses_non_binary_outcome():
    data = pd.DataFrame({"y": [1.0, 4.0], "w": [1.0, 1.0]})
    with pytest.raises(InputError, match="0, 1 or missing"):
        survey.weighted_percentages(data, outcomes="y", weight="w")


# --------------------------------------------------------------------------------------------------
# weight_summary
# --------------------------------------------------------------------------------------------------


def test_weight_summary_by_hand():
    data = pd.DataFrame({"g": ["a", "a", "a", "b", "b"], "w": [1.0, 2.0, 3.0, 2.0, 2.0]})
    before = data.copy()
    out = survey.weight_summary(data, weight="w", by="g")
    # a: sum 6, n_eff = 36 / 14, design effect 3 / (36 / 14) = 7 / 6; b: equal weights, deff 1
    expected = pd.DataFrame(
        {
            "g": ["a", "b"],
            "n_respondents": np.array([3, 2], dtype="int64"),
            "weighted_n": [6.0, 4.0],
            "effective_n": [36 / 14, 2.0],
            "design_effect": [7 / 6, 1.0],
            "weight_min": [1.0, 2.0],
            "weight_median": [2.0, 2.0],
            "weight_max": [3.0, 2.0],
        }
    )
    expected["g"] = expected["g"].astype(data["g"].dtype)
    assert_frame_equal(out, expected)
    assert_frame_equal(data, before)


def test_weight_summary_whole_frame_matches_effective_sample_size():
    data = pd.DataFrame({"w": [0.5, 0.5, 3.0, np.nan]})
    out = survey.weight_summary(data, weight="w")
    assert list(out.columns) == [
        "n_respondents",
        "weighted_n",
        "effective_n",
        "design_effect",
        "weight_min",
        "weight_median",
        "weight_max",
    ]
    assert out.loc[0, "n_respondents"] == 3  # the missing weight is not counted
    assert out.loc[0, "effective_n"] == pytest.approx(survey.effective_sample_size(data["w"]))
    assert out.loc[0, "design_effect"] == pytest.approx(3 / (16 / 9.5))


def test_weight_summary_refuses_missing_column():
    with pytest.raises(InputError, match="'v'"):
        survey.weight_summary(pd.DataFrame({"w": [1.0]}), weight="v")
