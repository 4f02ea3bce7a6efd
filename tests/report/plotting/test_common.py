"""Tests for rhoresearch.report.plotting._common: reading cells, alt text, no pyplot state."""

from __future__ import annotations

import io

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from PIL import Image

from rhoresearch.exceptions import InputError
from rhoresearch.report import plotting
from rhoresearch.report.plotting import _common


def test_cell_numbers_reads_flags_marks_missing_and_text_numbers():
    data = pd.DataFrame(
        {
            "value": [1.5, np.nan, np.nan, "[c]", "1,234.5", "[x]"],
            "value_suppressed": [None, "primary", None, None, None, None],
        }
    )
    values, suppressed, missing = _common.cell_numbers(data, "value")
    np.testing.assert_array_equal(values, [1.5, np.nan, np.nan, np.nan, 1234.5, np.nan])
    assert suppressed.tolist() == [False, True, False, True, False, False]
    assert missing.tolist() == [False, False, True, False, False, True]


def test_cell_numbers_flag_wins_over_a_number_left_in_the_cell():
    data = pd.DataFrame({"value": [2.0, 3.0], "value_suppressed": ["derived", None]})
    values, suppressed, _ = _common.cell_numbers(data, "value")
    assert np.isnan(values[0]) and values[1] == 3.0
    assert suppressed.tolist() == [True, False]


def test_text_value_that_is_not_a_number_is_an_input_error(ratios):
    data = ratios.astype({"value": object})
    data.loc[0, "value"] = "high"
    with pytest.raises(InputError, match="'high'"):
        plotting.forest_plot(data, label="ethnic_group", title="T", xlabel="Ratio")


def test_label_note_names_suppressed_and_missing_groups():
    assert _common.label_note("Rate", ["Asian", "Mixed"], ["Other"]) == (
        "Rate\n[c] suppressed (small numbers): Asian, Mixed\n[x] not available: Other"
    )
    assert _common.label_note("Rate", [], []) == "Rate"


def test_alt_text_override_and_missing(rates):
    fig = plotting.bar_ci(
        rates, label="ethnic_group", title="T", xlabel="Rate per 100,000", alt="My text"
    )
    assert plotting.alt_text(fig) == "My text"
    with pytest.raises(InputError, match="no alt text"):
        plotting.alt_text(Figure())


def test_alt_text_lists_at_most_twelve_items():
    items = [f"item {i}" for i in range(15)]
    assert _common.list_items(items).endswith("item 11; and 3 more")
    assert _common.list_items(items[:2]) == "item 0; item 1"


def test_no_pyplot_figures_left_open(rates):
    plt.close("all")
    plotting.bar_ci(rates, label="ethnic_group", title="T", xlabel="Rate per 100,000")
    assert plt.get_fignums() == []


def test_empty_frame_and_non_frame_are_refused(rates):
    with pytest.raises(InputError, match="no rows to plot"):
        plotting.bar_ci(rates.iloc[:0], label="ethnic_group", title="T", xlabel="Rate")
    with pytest.raises(InputError, match="must be a pandas DataFrame"):
        plotting.bar_ci(rates.to_dict(), label="ethnic_group", title="T", xlabel="Rate")


@pytest.mark.parametrize("location", ["left", "center"])  # the theme's, and matplotlib's default
def test_a_long_title_is_broken_into_lines_that_fit_the_figure(ratios, location):
    """A title wider than its figure would widen the saved image (tight box), shrinking the plot."""
    with matplotlib.rc_context({"axes.titlelocation": location}):
        _check_long_title(ratios)


def _check_long_title(ratios):
    long = (
        "Felt discriminated against by health services in the last year: odds compared with "
        "White respondents, England"
    )
    sizes = {}
    for title in (long, "Rate ratio"):
        fig = plotting.forest_plot(
            ratios, label="ethnic_group", title=title, xlabel="Rate ratio (log scale)"
        )
        shown = fig.axes[0].get_title(loc=matplotlib.rcParams["axes.titlelocation"])
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
        sizes[title] = Image.open(buffer).size[0]
        assert shown.replace("\n", " ") == title  # the same words, in order
        assert plotting.alt_text(fig).startswith(f"Forest plot: {title}.")  # alt text unbroken
        assert ("\n" in shown) == (title == long)  # a short title is left on one line
    # the saved image is no wider with the long title than with the short one
    assert sizes[long] <= sizes["Rate ratio"] + 2


def test_a_long_list_of_suppressed_points_goes_under_the_x_axis_in_lines_that_fit(by_year_wide):
    """A trend's note of suppressed points used to lengthen the vertical label past the figure."""
    fig = plotting.trend_plot(
        by_year_wide, x="year", hue="group", title="Rate", xlabel="Year", ylabel="Rate per 1,000"
    )
    ax = fig.axes[0]
    assert ax.get_ylabel() == "Rate per 1,000"
    notes = ax.get_xlabel().split("\n")
    assert notes[0] == "Year" and len(notes) > 2  # the note, broken into several lines
    assert " ".join(notes[1:]).startswith("[c] suppressed (small numbers): Group 0 2001")
    nothing_hidden = by_year_wide.assign(value=1.0, value_suppressed=None)
    plain = plotting.trend_plot(
        nothing_hidden, x="year", hue="group", title="Rate", xlabel="Year", ylabel="Rate per 1,000"
    )
    sizes = []
    for figure in (fig, plain):
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
        sizes.append(Image.open(buffer).size)
    # the saved image is no larger than the same chart with nothing suppressed
    assert sizes[0][0] <= sizes[1][0] + 2 and sizes[0][1] <= sizes[1][1] + 2


@pytest.fixture
def by_year_wide() -> pd.DataFrame:
    """Eight groups over ten years, every odd year suppressed (40 points in the note)."""
    rows = [
        {"group": f"Group {g}", "year": y, "value": float(g + y - 2000), "suppressed": y % 2 == 1}
        for g in range(8)
        for y in range(2000, 2010)
    ]
    frame = pd.DataFrame(rows)
    frame["value_suppressed"] = np.where(frame.pop("suppressed"), "primary", None)
    frame["value"] = frame["value"].where(frame["value_suppressed"].isna())
    return frame


def test_a_y_label_of_two_lines_is_kept_whole_when_points_are_suppressed(by_year_wide):
    """The suppression note is added under the x label; a y label's own lines stay where they are."""
    fig = plotting.trend_plot(
        by_year_wide, x="year", hue="group", title="Rate", xlabel="Year", ylabel="Rate\n(per 1,000)"
    )
    assert fig.axes[0].get_ylabel() == "Rate\n(per 1,000)"
    assert "(per 1,000)" not in fig.axes[0].get_xlabel()
