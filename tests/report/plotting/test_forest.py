"""Tests for rhoresearch.report.plotting.forest: forest plots."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pandas.testing as pdt
import pytest

from rhoresearch import disclosure
from rhoresearch.exceptions import DisclosureError, InputError
from rhoresearch.report import plotting


def _square_markers(fig):
    return [line for line in fig.axes[0].lines if line.get_marker() == "s"]


def test_forest_plot_labels_and_suppressed_rows(ratios, texts, check_labelled):
    data = disclosure.suppress(ratios, counts="count")  # Mixed primary, Asian secondary
    before = data.copy(deep=True)
    fig = plotting.forest_plot(
        data,
        label="ethnic_group",
        title="Maternal mortality rate ratio",
        xlabel="Rate ratio (log scale)",
        counts="count",
    )
    check_labelled(fig, "Maternal mortality rate ratio")
    ax = fig.axes[0]
    assert ax.get_xscale() == "log"
    assert "[c] suppressed (small numbers): Asian, Mixed" in ax.get_xlabel()
    assert "Reference group: White" in ax.get_xlabel()
    assert texts(fig).count("[c]") == 2
    # three groups drawn (Black, White, Other): one square marker each
    assert len(_square_markers(fig)) == 3
    ticklabels = [t.get_text() for t in ax.get_yticklabels()]
    assert ticklabels == ["Asian", "Black", "Mixed", "White (reference)", "Other"]
    alt = plotting.alt_text(fig)
    assert "Black: 3.72 (2.91 to 4.66)" in alt
    assert "Mixed: suppressed" in alt
    pdt.assert_frame_equal(data, before)


def test_forest_plot_marks_the_flagged_group_not_the_missing_one(ratios, suppress_rows, texts):
    data = suppress_rows(ratios, [2], ["count", "value", "lower_ci", "upper_ci"])
    data = data.astype({"value": object})
    data.loc[4, "value"] = float("nan")  # Other: missing, not suppressed
    before = data.copy(deep=True)
    fig = plotting.forest_plot(
        data, label="ethnic_group", title="T", xlabel="Rate ratio", counts="count"
    )
    xlabel = fig.axes[0].get_xlabel()
    assert "[c] suppressed (small numbers): Mixed" in xlabel
    assert "[x] not available: Other" in xlabel
    assert sorted(texts(fig)) == ["[c]", "[x]"]
    assert len(_square_markers(fig)) == 3  # Asian, Black, White
    alt = plotting.alt_text(fig)
    assert "Mixed: suppressed" in alt and "Other: not available" in alt
    pdt.assert_frame_equal(data, before)


def test_forest_plot_same_figure_from_flags_and_from_marks(ratios, both_ways):
    cols = ["count", "value", "lower_ci", "upper_ci"]
    figures = [
        plotting.forest_plot(
            make(ratios, [0, 2], cols), label="ethnic_group", title="T", xlabel="Rate ratio"
        )
        for make in both_ways
    ]
    flags, marks = (plotting.alt_text(fig) for fig in figures)
    assert flags == marks
    assert "Asian: suppressed; Black: 3.72 (2.91 to 4.66)" in flags
    assert figures[0].axes[0].get_xlabel() == figures[1].axes[0].get_xlabel()


def test_forest_plot_hue_and_linear_scale(legend_texts):
    data = pd.DataFrame(
        {
            "group": ["Black", "Black", "Asian", "Asian"],
            "model": ["crude", "adjusted", "crude", "adjusted"],
            "value": [0.5, 0.3, -0.1, 0.0],
            "lower_ci": [0.2, 0.1, -0.4, -0.2],
            "upper_ci": [0.8, 0.5, 0.2, 0.2],
        }
    )
    fig = plotting.forest_plot(
        data,
        label="group",
        hue="model",
        log_scale=False,
        reference_line=0,
        title="Difference",
        xlabel="Difference in percentage points",
    )
    ax = fig.axes[0]
    assert ax.get_xscale() == "linear"
    assert legend_texts(fig) == ["crude", "adjusted"]
    assert len(ax.get_yticks()) == 4
    assert fig.get_figwidth() == 7.0  # "Black: adjusted" is short: the default width


def test_forest_plot_is_as_wide_as_its_row_labels_need(ratios):
    """The width allows for the row labels drawn (group: hue level (reference)), not the groups."""
    measures = ratios.assign(measure="Community treatment orders")
    fig = plotting.forest_plot(
        measures, label="ethnic_group", hue="measure", title="Ratios", xlabel="Ratio"
    )
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert "White: Community treatment orders (reference)" in labels
    assert fig.get_figwidth() == pytest.approx(7.0 + (45 - 18) * 0.08)


def test_forest_plot_refuses_unsafe_frame_when_counts_given(ratios):
    with pytest.raises(DisclosureError, match="figure 'Ratios'"):
        plotting.forest_plot(
            ratios, label="ethnic_group", title="Ratios", xlabel="Ratio", counts="count"
        )


def test_forest_plot_refuses_a_flagged_count_whose_ratio_is_still_shown(ratios):
    data = ratios.assign(
        count=ratios["count"].astype(float).where(ratios.index != 2),
        count_suppressed=np.where(ratios.index == 2, "primary", None),
    )  # Mixed's count hidden, its ratio left in
    with pytest.raises(DisclosureError, match="derived from the suppressed count"):
        plotting.forest_plot(
            data, label="ethnic_group", title="Ratios", xlabel="Ratio", counts="count"
        )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"title": "", "xlabel": "Ratio"}, "title must be a non-empty string"),
        ({"title": "T", "xlabel": "  "}, "xlabel must be a non-empty string"),
        ({"title": "T", "xlabel": "Ratio", "estimate": "rr"}, r"column\(s\) \['rr'\] not found"),
    ],
)
def test_forest_plot_bad_input(ratios, kwargs, message):
    with pytest.raises(InputError, match=message):
        plotting.forest_plot(ratios, label="ethnic_group", **kwargs)


def test_labels_that_are_not_groups_share_one_neutral_colour():
    data = pd.DataFrame(
        {
            "indicator": [
                "2. Appointment from shortlisting (White vs ethnic minority)",
                "3. Formal disciplinary process (ethnic minority vs White)",
            ],
            "value": [1.6, 1.1],
            "lower_ci": [1.5, 1.0],
            "upper_ci": [1.7, 1.2],
        }
    )
    fig = plotting.forest_plot(data, label="indicator", title="T", xlabel="Relative likelihood")
    colours = {line.get_color() for line in _square_markers(fig)}
    assert colours == {"#4D4D4D"}
