"""Tests of rhoresearch.stats.measurement: Bland-Altman bias and limits of agreement."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal
from scipy import stats

from rhoresearch.exceptions import InputError
from rhoresearch.results import exclusions_table
from rhoresearch.stats import measurement

# Bland & Altman (1986), Lancet i:307-10, table 1: peak expiratory flow rate (l/min) of 17 people,
# first reading with the Wright peak flow meter and with the mini Wright meter.
WRIGHT = [494, 395, 516, 434, 476, 557, 413, 442, 650, 433, 417, 656, 267, 478, 178, 423, 427]
MINI = [512, 430, 520, 428, 500, 600, 364, 380, 658, 445, 432, 626, 260, 477, 259, 350, 451]


def _pairs() -> pd.DataFrame:
    """Subject p1 has differences 1 and 3, subject p2 has 5 (measured - reference)."""
    return pd.DataFrame(
        {
            "subject": ["p1", "p1", "p2"],
            "device": [91.0, 93.0, 95.0],
            "gold": [90.0, 90.0, 90.0],
        }
    )


def test_bland_altman_published_example_1986():
    data = pd.DataFrame({"wright": WRIGHT, "mini": MINI})
    # z = 2 (0.9545 coverage), as the paper's "mean difference +/- 2 SD"
    row = measurement.bland_altman(data, measured="wright", reference="mini", agreement=0.9545)
    row = row.iloc[0]
    # published: mean difference -2.1 l/min, SD 38.8, limits of agreement -79.7 to 75.5
    assert row["n_pairs"] == 17 and row["n_subjects"] == 17
    assert row["mean_bias"] == pytest.approx(-2.1, abs=0.05)
    assert row["sd_difference"] == pytest.approx(38.8, abs=0.05)
    assert row["loa_lower"] == pytest.approx(-79.7, abs=0.15)
    assert row["loa_upper"] == pytest.approx(75.5, abs=0.15)
    assert row["sd_between"] == 0.0
    assert row["method"] == "Bland-Altman 1986; t interval for the mean"


def test_bland_altman_repeated_measures_by_hand():
    out = measurement.bland_altman(_pairs(), measured="device", reference="gold", subject="subject")
    # n = 3 pairs in k = 2 subjects, m = (2, 1); mean = 3
    # MSw = ((1-2)^2 + (3-2)^2) / (n - k) = 2; MSb = (2 (2-3)^2 + 1 (5-3)^2) / (k - 1) = 6
    # divisor = (n^2 - sum m^2) / ((k - 1) n) = (9 - 5) / 3 = 4/3; sd_between^2 = (6 - 2) / (4/3) = 3
    # clustered SE: residual sums (4 - 2*3, 5 - 1*3) = (-2, 2); se = sqrt(2/1 * 8) / 3 = 4/3
    t = stats.t.ppf(0.975, 1)
    z = stats.norm.ppf(0.975)
    expected = pd.DataFrame(
        {
            "n_pairs": [3],
            "n_subjects": [2],
            "mean_bias": [3.0],
            "lower_ci": [3 - t * 4 / 3],
            "upper_ci": [3 + t * 4 / 3],
            "sd_between": [math.sqrt(3)],
            "sd_within": [math.sqrt(2)],
            "sd_difference": [math.sqrt(5)],
            "loa_lower": [3 - z * math.sqrt(5)],
            "loa_upper": [3 + z * math.sqrt(5)],
            "rms_difference": [math.sqrt((1 + 9 + 25) / 3)],
            "confidence": [0.95],
            "agreement": [0.95],
            "method": ["Bland-Altman 2007 (repeated measures); subject-clustered CI for the mean"],
        }
    )
    assert_frame_equal(out, expected)


def test_bland_altman_one_pair_each_is_the_classic_t_interval():
    rng = np.random.default_rng(3)
    d = rng.normal(1.0, 2.0, 50)
    data = pd.DataFrame({"id": np.arange(50), "a": 90 + d, "b": 90.0})
    with_subject = measurement.bland_altman(data, measured="a", reference="b", subject="id")
    without = measurement.bland_altman(data, measured="a", reference="b")
    row = without.iloc[0]
    half = stats.t.ppf(0.975, 49) * d.std(ddof=1) / math.sqrt(50)
    assert row["upper_ci"] - row["mean_bias"] == pytest.approx(half)
    assert row["sd_difference"] == pytest.approx(d.std(ddof=1))
    numbers = [c for c in without.columns if c != "method"]
    assert_frame_equal(with_subject[numbers], without[numbers])


def test_bland_altman_by_group_keeps_category_order_and_leaves_out_incomplete_pairs():
    data = pd.DataFrame(
        {
            "subject": ["a", "a", "b", "b", "c", "d"],
            "group": pd.Categorical(["y", "y", "x", "x", None, "x"], categories=["y", "x"]),
            "m": [95.0, np.nan, 97.0, 93.0, 90.0, 91.0],
            "r": [94.0, 90.0, 95.0, 92.0, 88.0, np.nan],
        }
    )
    before = data.copy()
    out = measurement.bland_altman(data, measured="m", reference="r", subject="subject", by="group")
    assert_frame_equal(data, before)
    assert list(out["group"]) == ["y", "x"]
    assert list(out["n_pairs"]) == [1, 2]
    assert list(out["mean_bias"]) == [1.0, 1.5]
    excluded = measurement.bland_altman_exclusions(
        data, measured="m", reference="r", subject="subject", by="group", step="bias"
    )
    expected = exclusions_table(
        [("missing m", 1), ("missing r", 1), ("missing group", 1)], step="bias"
    )
    assert_frame_equal(excluded, expected)


def test_bland_altman_exclusions_empty_when_complete():
    out = measurement.bland_altman_exclusions(_pairs(), measured="device", reference="gold")
    assert list(out.columns) == ["step", "reason", "rows"]
    assert len(out) == 0


@pytest.mark.parametrize("level", [0.5, 95, 1.0])
def test_bland_altman_refuses_levels_outside_the_one_rule(level):
    with pytest.raises(InputError, match="confidence"):
        measurement.bland_altman(_pairs(), measured="device", reference="gold", confidence=level)
    with pytest.raises(InputError, match="confidence"):
        measurement.bland_altman(_pairs(), measured="device", reference="gold", agreement=level)


def test_bland_altman_names_a_missing_column_and_non_numeric_values():
    with pytest.raises(InputError, match="sao2"):
        measurement.bland_altman(_pairs(), measured="device", reference="sao2")
    bad = _pairs().assign(device=["91", "x", "95"])
    with pytest.raises(InputError, match="non-numeric"):
        measurement.bland_altman(bad, measured="device", reference="gold")
