"""Tests for rhoresearch.report.plotting.bars: bars with intervals."""

from __future__ import annotations

import pandas as pd
import pandas.testing as pdt
import pytest

from rhoresearch import disclosure
from rhoresearch.exceptions import DisclosureError, InputError
from rhoresearch.report import plotting


def test_bar_ci_draws_unsuppressed_bars_and_marks_suppressed(rates, legend_texts, check_labelled):
    data = disclosure.suppress(rates, counts="count")  # Mixed primary, Asian secondary
    before = data.copy(deep=True)
    fig = plotting.bar_ci(
        data,
        label="ethnic_group",
        title="Maternal mortality",
        xlabel="Deaths per 100,000 maternities",
        reference_line=11.7,
        reference_label="England",
    )
    check_labelled(fig, "Maternal mortality")
    ax = fig.axes[0]
    assert len(ax.patches) == 3
    assert sorted(round(p.get_width(), 1) for p in ax.patches) == [10.0, 12.2, 34.3]
    assert "[c] suppressed (small numbers): Asian, Mixed" in ax.get_xlabel()
    assert "Deaths per 100,000 maternities" in ax.get_xlabel()
    assert "England" in legend_texts(fig)
    assert "Mixed: suppressed" in plotting.alt_text(fig)
    pdt.assert_frame_equal(data, before)


def test_bar_ci_marks_the_flagged_group(rates, suppress_rows, texts):
    data = suppress_rows(rates, [0, 2], ["count", "value", "lower_ci", "upper_ci"])
    before = data.copy(deep=True)
    fig = plotting.bar_ci(
        data, label="ethnic_group", title="T", xlabel="Rate per 100,000", counts="count"
    )
    ax = fig.axes[0]
    assert sorted(round(p.get_width(), 1) for p in ax.patches) == [10.0, 12.2, 34.3]
    assert texts(fig) == ["[c]", "[c]"]
    assert "[c] suppressed (small numbers): Asian, Mixed" in ax.get_xlabel()
    assert "[x] not available" not in ax.get_xlabel()
    alt = plotting.alt_text(fig)
    assert "Asian: suppressed" in alt and "Mixed: suppressed" in alt
    assert "Black: 34.3 (95% CI 24.0 to 47.5)" in alt
    pdt.assert_frame_equal(data, before)


def test_bar_ci_missing_value_without_flag_is_not_available(rates):
    data = rates.assign(value=rates["value"].where(rates.index != 4))
    fig = plotting.bar_ci(data, label="ethnic_group", title="T", xlabel="Rate per 100,000")
    assert "[x] not available: Other" in fig.axes[0].get_xlabel()
    assert "suppressed" not in fig.axes[0].get_xlabel()


def test_bar_ci_refuses_unsafe_frame_when_counts_given(rates):
    with pytest.raises(DisclosureError, match="figure 'T'"):
        plotting.bar_ci(rates, label="ethnic_group", title="T", xlabel="Rate", counts="count")


def test_bar_ci_with_hue_and_duplicate_rows(rates):
    data = pd.concat([rates.assign(year=2022), rates.assign(year=2023)], ignore_index=True)
    fig = plotting.bar_ci(
        data, label="ethnic_group", hue="year", title="By year", xlabel="Rate per 100,000"
    )
    assert len(fig.axes[0].patches) == 10
    with pytest.raises(InputError, match="2 rows for ethnic_group='Asian'"):
        plotting.bar_ci(data, label="ethnic_group", title="By year", xlabel="Rate per 100,000")
