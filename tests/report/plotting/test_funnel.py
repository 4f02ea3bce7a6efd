"""Tests for rhoresearch.report.plotting.funnel: funnel plots."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pandas.testing as pdt
import pytest

from rhoresearch.exceptions import InputError
from rhoresearch.report import plotting


@pytest.fixture
def funnel_data() -> tuple[pd.DataFrame, pd.DataFrame]:
    x = np.linspace(50, 3000, 100)
    p = 0.2
    se = np.sqrt(p * (1 - p) / x) * 100
    limits = pd.DataFrame(
        {
            "population": x,
            "lower_2s_limit": 20 - 1.96 * se,
            "upper_2s_limit": 20 + 1.96 * se,
            "lower_3s_limit": 20 - 3.09 * se,
            "upper_3s_limit": 20 + 3.09 * se,
            "baseline": 20.0,
        }
    )
    points = pd.DataFrame(
        {
            "org": ["A", "B", "C", "D", "E"],
            "denominator": [200, 1000, 1500, 2500, 800],
            "value": [22.0, 35.0, 19.0, 12.0, "[c]"],
        }
    )
    return points, limits


def test_funnel_plot_with_funnel_limits_layout(funnel_data, texts, check_labelled):
    points, limits = funnel_data
    before = points.copy(deep=True)
    fig = plotting.funnel_plot(
        points,
        limits,
        label="org",
        title="Staff reporting discrimination",
        xlabel="Staff responding",
        ylabel="Staff reporting discrimination (%)",
    )
    check_labelled(fig, "Staff reporting discrimination")
    ax = fig.axes[0]
    alt = plotting.alt_text(fig)
    assert "1 above and 1 below the outer limits" in alt
    assert "Above: B." in alt and "Below: D." in alt
    assert "95% limits and 99.8% limits around 20.00" in alt
    assert "1 unit(s) not shown" in ax.get_xlabel()
    assert sorted(texts(fig)) == ["B", "D"]
    pdt.assert_frame_equal(points, before)


def test_funnel_plot_counts_flagged_units_as_suppressed_and_unflagged_as_missing(funnel_data):
    points, limits = funnel_data
    flagged = points.assign(
        value=[22.0, 35.0, np.nan, 12.0, np.nan], value_suppressed=[None] * 4 + ["primary"]
    )
    fig = plotting.funnel_plot(flagged, limits, title="T", xlabel="Staff", ylabel="Percentage")
    notes = fig.axes[0].get_xlabel()  # under the horizontal axis
    assert "[c] suppressed (small numbers): 1 unit(s) not shown" in notes
    assert "[x] not available: 1 unit(s) not shown" in notes
    assert fig.axes[0].get_ylabel() == "Percentage"
    assert "for 3 unit(s)" in plotting.alt_text(fig)
    assert "1 unit(s) suppressed." in plotting.alt_text(fig)


def test_funnel_plot_long_layout(funnel_data):
    points, limits = funnel_data
    long = pd.concat(
        [
            pd.DataFrame(
                {
                    "denominator": limits["population"],
                    "lower": limits[f"lower_{k}_limit"],
                    "upper": limits[f"upper_{k}_limit"],
                    "confidence": c,
                }
            )
            for k, c in (("2s", 0.95), ("3s", 0.998))
        ]
    )
    fig = plotting.funnel_plot(
        points, long, centre=20.0, title="T", xlabel="Staff", ylabel="Percentage (%)"
    )
    assert "95% limits and 99.8% limits" in plotting.alt_text(fig)
    with pytest.raises(InputError, match="could not find the limit columns"):
        plotting.funnel_plot(
            points, long[["denominator"]], title="T", xlabel="Staff", ylabel="Percentage (%)"
        )
