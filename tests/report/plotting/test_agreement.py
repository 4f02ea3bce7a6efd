"""Tests for rhoresearch.report.plotting.agreement: Bland-Altman plots."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pandas.testing as pdt
import pytest

from rhoresearch.exceptions import InputError
from rhoresearch.report import plotting


@pytest.fixture
def pairs() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    n = 60
    data = pd.DataFrame(
        {
            "group": ["Black"] * 30 + ["White"] * 27 + ["Mixed"] * 3,
            "sao2": rng.normal(92, 3, n),
        }
    )
    data["spo2"] = data["sao2"] + np.where(data["group"] == "Black", 2.0, 0.0)
    data.loc[0, "spo2"] = np.nan
    return data


def test_bland_altman_bias_lines_and_small_groups_suppressed(pairs, check_labelled):
    before = pairs.copy(deep=True)
    fig = plotting.bland_altman(
        pairs,
        measured="spo2",
        reference="sao2",
        group="group",
        title="Pulse oximetry bias",
        xlabel="Mean of SpO2 and SaO2 (%)",
        ylabel="SpO2 - SaO2 (percentage points)",
    )
    check_labelled(fig, "Pulse oximetry bias")
    ax = fig.axes[0]
    alt = plotting.alt_text(fig)
    assert "Black: 29 pairs, bias 2.00" in alt
    assert "White: 27 pairs, bias 0.00" in alt
    assert "Mixed: suppressed (fewer than 5 pairs)" in alt
    # the notes go under the horizontal axis; the vertical label keeps one line
    assert "[c] suppressed (small numbers): Mixed" in ax.get_xlabel()
    assert "1 incomplete pair(s) left out" in ax.get_xlabel()
    assert "\n" not in ax.get_ylabel()
    pdt.assert_frame_equal(pairs, before)


def test_bland_altman_threshold_sets_the_smallest_group_drawn(pairs):
    fig = plotting.bland_altman(
        pairs,
        measured="spo2",
        reference="sao2",
        group="group",
        threshold=30,
        title="T",
        xlabel="Mean (%)",
        ylabel="Difference (percentage points)",
    )
    assert "[c] suppressed (small numbers): Black, White, Mixed" in fig.axes[0].get_xlabel()


def test_bland_altman_refuses_agreement_outside_the_confidence_range(pairs):
    with pytest.raises(InputError, match=r"bland_altman: .*\[0.9, 1\).*did you mean 0.95"):
        plotting.bland_altman(
            pairs,
            measured="spo2",
            reference="sao2",
            agreement=95,
            title="T",
            xlabel="M",
            ylabel="D",
        )
