"""Tests for rhoresearch.report.plotting.trend: lines over time."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pandas.testing as pdt
import pytest

from rhoresearch.report import plotting


@pytest.fixture
def by_year() -> pd.DataFrame:
    rows = []
    for g, base in (("Asian", 15.0), ("Black", 35.0)):
        for year in range(2019, 2023):
            rows.append(
                {
                    "year": year,
                    "ethnic_group": g,
                    "value": base,
                    "lower_ci": base - 3,
                    "upper_ci": base + 3,
                }
            )
    return pd.DataFrame(rows)


def test_trend_plot_gaps_for_suppressed_points(by_year, suppress_rows, check_labelled):
    data = suppress_rows(by_year, [1], ["value"])  # Asian 2020
    before = data.copy(deep=True)
    fig = plotting.trend_plot(
        data,
        x="year",
        hue="ethnic_group",
        title="Detention rate",
        xlabel="Year",
        ylabel="Detentions per 100,000",
    )
    check_labelled(fig, "Detention rate")
    ax = fig.axes[0]
    asian = ax.lines[0].get_ydata()
    assert np.isnan(asian[1]) and np.isfinite(asian[0])
    assert "[c] suppressed (small numbers): Asian 2020" in ax.get_xlabel()
    assert ax.get_ylabel() == "Detentions per 100,000"
    assert "Suppressed: Asian 2020." in plotting.alt_text(fig)
    assert ax.lines[0].get_color().lower() == plotting.GROUP_COLOURS["Asian"].lower()
    pdt.assert_frame_equal(data, before)


def test_trend_plot_missing_point_is_a_gap_but_not_suppressed(by_year):
    data = by_year.assign(value=by_year["value"].where(by_year.index != 1))
    fig = plotting.trend_plot(
        data, x="year", hue="ethnic_group", title="T", xlabel="Year", ylabel="Rate"
    )
    assert np.isnan(fig.axes[0].lines[0].get_ydata()[1])
    assert "suppressed" not in fig.axes[0].get_ylabel() + fig.axes[0].get_xlabel()


def test_trend_plot_categorical_periods():
    data = pd.DataFrame({"period": ["2021/22", "2022/23"], "value": [1.0, 2.0]})
    fig = plotting.trend_plot(
        data, x="period", title="T", xlabel="Financial year", ylabel="Rate (%)", lower=None
    )
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["2021/22", "2022/23"]
