"""Tests for rhoresearch.report.plotting: figures from small tidy frames."""

from __future__ import annotations

import io
import subprocess
import sys

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pandas.testing as pdt
import pytest
from matplotlib.figure import Figure

from rhoresearch import disclosure
from rhoresearch.exceptions import DisclosureError, InputError
from rhoresearch.report import plotting

GROUPS = ["Asian", "Black", "Mixed", "White", "Other"]


def _ratios():
    return pd.DataFrame(
        {
            "ethnic_group": GROUPS,
            "count": [20, 60, 3, 100, 40],
            "value": [1.21, 3.72, 0.8, 1.0, 0.61],
            "lower_ci": [0.9, 2.91, 0.3, np.nan, 0.41],
            "upper_ci": [1.5, 4.66, 2.0, np.nan, 0.92],
            "reference": "White",
            "is_reference": [False, False, False, True, False],
        }
    )


def _rates():
    return pd.DataFrame(
        {
            "ethnic_group": GROUPS,
            "count": [25, 60, 2, 100, 40],
            "value": [20.1, 34.3, 8.0, 10.0, 12.2],
            "lower_ci": [15.0, 24.0, 1.0, 9.0, 8.0],
            "upper_ci": [25.0, 47.5, 30.0, 11.0, 16.0],
        }
    )


def _texts(fig: Figure) -> list[str]:
    return [t.get_text() for ax in fig.axes for t in ax.texts]


def _legend_texts(fig: Figure) -> list[str]:
    legends = list(fig.legends) + [ax.get_legend() for ax in fig.axes if ax.get_legend()]
    return [t.get_text() for legend in legends for t in legend.get_texts()]


def _check_labelled(fig: Figure, title: str) -> None:
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert ax.get_title() == title
    assert ax.get_xlabel().strip()
    assert ax.get_ylabel().strip()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")  # renders under Agg without pyplot
    assert buf.getvalue()[:4] == b"\x89PNG"


# -- theme and colours -----------------------------------------------------------------------------


def test_import_changes_nothing_and_set_theme_is_explicit():
    code = (
        "import matplotlib as m; before = dict(m.rcParams); "
        "import rhoresearch.report.plotting as p; assert dict(m.rcParams) == before, 'import changed rc'; "
        "p.set_theme(); assert m.rcParams['axes.titleweight'] == 'bold'; "
        "from matplotlib.colors import to_hex; "
        "assert to_hex(m.rcParams['axes.prop_cycle'].by_key()['color'][1]).upper() == '#E69F00'"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr


def test_group_colours_fixed_per_group_in_any_order():
    a = plotting.group_colours(["White", "Black", "Asian"])
    b = plotting.group_colours(["Asian", "Black", "White", "Mixed"])
    assert a["White"] == b["White"] == plotting.GROUP_COLOURS["White"]
    assert a["Black"] == b["Black"] == "#0072B2"
    assert list(a) == ["White", "Black", "Asian"]


def test_group_colours_detailed_groups_are_shades_of_their_family_and_distinct():
    labels = [
        "Black or Black British - Caribbean",
        "Black or Black British - African",
        "White: English, Welsh, Scottish, Northern Irish or British",
        "crude",
        "adjusted",
    ]
    colours = plotting.group_colours(labels)
    assert len(set(colours.values())) == len(labels)
    # the single White label gets White's own colour; the two Black labels differ from each other
    assert colours[labels[2]] == plotting.GROUP_COLOURS["White"]
    assert colours[labels[0]] != colours[labels[1]]
    # labels that are not ethnic groups get palette colours not used by the groups
    assert colours["crude"] not in (colours[labels[0]], colours[labels[1]], colours[labels[2]])


def test_palette_is_okabe_ito():
    assert plotting.OKABE_ITO[1:4] == ["#E69F00", "#56B4E9", "#009E73"]
    assert set(plotting.GROUP_COLOURS.values()) - {"#7F7F7F", "#BDBDBD"} <= set(plotting.OKABE_ITO)


# -- forest plot -----------------------------------------------------------------------------------


def test_forest_plot_labels_and_suppressed_rows():
    data = disclosure.suppress(_ratios(), counts="count")  # Mixed primary, Asian secondary
    before = data.copy(deep=True)
    fig = plotting.forest_plot(
        data,
        label="ethnic_group",
        title="Maternal mortality rate ratio",
        xlabel="Rate ratio (log scale)",
        counts="count",
    )
    _check_labelled(fig, "Maternal mortality rate ratio")
    ax = fig.axes[0]
    assert ax.get_xscale() == "log"
    assert "[c] suppressed (small numbers): Asian, Mixed" in ax.get_xlabel()
    assert "Reference group: White" in ax.get_xlabel()
    assert _texts(fig).count("[c]") == 2
    # three groups drawn (Black, White, Other): one square marker each
    markers = [line for line in ax.lines if line.get_marker() == "s"]
    assert len(markers) == 3
    ticklabels = [t.get_text() for t in ax.get_yticklabels()]
    assert ticklabels == ["Asian", "Black", "Mixed", "White (reference)", "Other"]
    alt = plotting.alt_text(fig)
    assert "Black: 3.72 (2.91 to 4.66)" in alt
    assert "Mixed: suppressed" in alt
    pdt.assert_frame_equal(data, before)


def test_forest_plot_hue_and_linear_scale():
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
    assert _legend_texts(fig) == ["crude", "adjusted"]
    assert len(ax.get_yticks()) == 4


def test_forest_plot_refuses_unsafe_frame_when_counts_given():
    with pytest.raises(DisclosureError, match="figure 'Ratios'"):
        plotting.forest_plot(
            _ratios(), label="ethnic_group", title="Ratios", xlabel="Ratio", counts="count"
        )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"title": "", "xlabel": "Ratio"}, "title must be a non-empty string"),
        ({"title": "T", "xlabel": "  "}, "xlabel must be a non-empty string"),
        ({"title": "T", "xlabel": "Ratio", "estimate": "rr"}, r"column\(s\) \['rr'\] not found"),
    ],
)
def test_forest_plot_bad_input(kwargs, message):
    with pytest.raises(InputError, match=message):
        plotting.forest_plot(_ratios(), label="ethnic_group", **kwargs)


def test_text_value_that_is_not_a_number_is_an_input_error():
    data = _ratios().astype({"value": object})
    data.loc[0, "value"] = "high"
    with pytest.raises(InputError, match="'high'"):
        plotting.forest_plot(data, label="ethnic_group", title="T", xlabel="Ratio")


# -- bars ------------------------------------------------------------------------------------------


def test_bar_ci_draws_unsuppressed_bars_and_marks_suppressed():
    data = disclosure.suppress(_rates(), counts="count")  # Mixed primary, Asian secondary
    before = data.copy(deep=True)
    fig = plotting.bar_ci(
        data,
        label="ethnic_group",
        title="Maternal mortality",
        xlabel="Deaths per 100,000 maternities",
        reference_line=11.7,
        reference_label="England",
    )
    _check_labelled(fig, "Maternal mortality")
    ax = fig.axes[0]
    assert len(ax.patches) == 3
    assert sorted(round(p.get_width(), 1) for p in ax.patches) == [10.0, 12.2, 34.3]
    assert "[c] suppressed (small numbers): Asian, Mixed" in ax.get_xlabel()
    assert "Deaths per 100,000 maternities" in ax.get_xlabel()
    assert "England" in _legend_texts(fig)
    assert "Mixed: suppressed" in plotting.alt_text(fig)
    pdt.assert_frame_equal(data, before)


def test_bar_ci_with_hue_and_duplicate_rows():
    data = pd.concat([_rates().assign(year=2022), _rates().assign(year=2023)], ignore_index=True)
    fig = plotting.bar_ci(
        data, label="ethnic_group", hue="year", title="By year", xlabel="Rate per 100,000"
    )
    assert len(fig.axes[0].patches) == 10
    with pytest.raises(InputError, match="2 rows for ethnic_group='Asian'"):
        plotting.bar_ci(data, label="ethnic_group", title="By year", xlabel="Rate per 100,000")


# -- funnel ----------------------------------------------------------------------------------------


def _funnel_data():
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


def test_funnel_plot_with_funnel_limits_layout():
    points, limits = _funnel_data()
    before = points.copy(deep=True)
    fig = plotting.funnel_plot(
        points,
        limits,
        label="org",
        title="Staff reporting discrimination",
        xlabel="Staff responding",
        ylabel="Staff reporting discrimination (%)",
    )
    _check_labelled(fig, "Staff reporting discrimination")
    ax = fig.axes[0]
    alt = plotting.alt_text(fig)
    assert "1 above and 1 below the outer limits" in alt
    assert "Above: B." in alt and "Below: D." in alt
    assert "95% limits and 99.8% limits around 20.00" in alt
    assert "1 unit(s) not shown" in ax.get_ylabel()
    assert sorted(_texts(fig)) == ["B", "D"]
    pdt.assert_frame_equal(points, before)


def test_funnel_plot_long_layout():
    points, limits = _funnel_data()
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


# -- trend -----------------------------------------------------------------------------------------


def test_trend_plot_gaps_for_suppressed_points():
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
    data = pd.DataFrame(rows).astype({"value": object})
    data.loc[1, "value"] = "[c]"
    before = data.copy(deep=True)
    fig = plotting.trend_plot(
        data,
        x="year",
        hue="ethnic_group",
        title="Detention rate",
        xlabel="Year",
        ylabel="Detentions per 100,000",
    )
    _check_labelled(fig, "Detention rate")
    ax = fig.axes[0]
    asian = ax.lines[0].get_ydata()
    assert np.isnan(asian[1]) and np.isfinite(asian[0])
    assert "[c] suppressed (small numbers): Asian 2020" in ax.get_ylabel()
    assert ax.lines[0].get_color().lower() == plotting.GROUP_COLOURS["Asian"].lower()
    pdt.assert_frame_equal(data, before)


def test_trend_plot_categorical_periods():
    data = pd.DataFrame({"period": ["2021/22", "2022/23"], "value": [1.0, 2.0]})
    fig = plotting.trend_plot(
        data, x="period", title="T", xlabel="Financial year", ylabel="Rate (%)", lower=None
    )
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["2021/22", "2022/23"]


# -- Bland-Altman ----------------------------------------------------------------------------------


def test_bland_altman_bias_lines_and_small_groups_suppressed():
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
    before = data.copy(deep=True)
    fig = plotting.bland_altman(
        data,
        measured="spo2",
        reference="sao2",
        group="group",
        title="Pulse oximetry bias",
        xlabel="Mean of SpO2 and SaO2 (%)",
        ylabel="SpO2 - SaO2 (percentage points)",
    )
    _check_labelled(fig, "Pulse oximetry bias")
    ax = fig.axes[0]
    alt = plotting.alt_text(fig)
    assert "Black: 29 pairs, bias 2.00" in alt
    assert "White: 27 pairs, bias 0.00" in alt
    assert "Mixed: suppressed (fewer than 5 pairs)" in alt
    assert "[c] suppressed (small numbers): Mixed" in ax.get_ylabel()
    assert "1 incomplete pair(s) left out" in ax.get_ylabel()
    pdt.assert_frame_equal(data, before)


# -- stacked shares --------------------------------------------------------------------------------


def test_stacked_share_normalises_and_blanks_suppressed_bands():
    rows = []
    for band, counts in (("Band 5", [30, 20, 50, 100]), ("VSM", [2, 0, 0, 10])):
        for g, c in zip(["Asian", "Black", "Mixed", "White"], counts, strict=True):
            rows.append({"band": band, "ethnic_group": g, "staff": c})
    raw = pd.DataFrame(rows)
    with pytest.raises(DisclosureError):
        plotting.stacked_share(
            raw, category="band", group="ethnic_group", value="staff", title="T", xlabel="Band"
        )
    data = disclosure.suppress(raw, counts="staff", by="band")
    before = data.copy(deep=True)
    fig = plotting.stacked_share(
        data,
        category="band",
        group="ethnic_group",
        value="staff",
        title="Representation by band",
        xlabel="Agenda for Change band",
    )
    _check_labelled(fig, "Representation by band")
    ax = fig.axes[0]
    heights = [round(p.get_height(), 1) for p in ax.patches]
    # Band 5 segments (15%, 10%, 25%, 50%) and empty VSM segments
    assert heights == [15.0, 0.0, 10.0, 0.0, 25.0, 0.0, 50.0, 0.0]
    assert "[c]" in _texts(fig)
    assert "VSM: suppressed" in plotting.alt_text(fig)
    pdt.assert_frame_equal(data, before)


# -- alt text --------------------------------------------------------------------------------------


def test_alt_text_override_and_missing():
    fig = plotting.bar_ci(
        _rates(), label="ethnic_group", title="T", xlabel="Rate per 100,000", alt="My text"
    )
    assert plotting.alt_text(fig) == "My text"
    with pytest.raises(InputError, match="no alt text"):
        plotting.alt_text(Figure())


def test_no_pyplot_figures_left_open():
    import matplotlib.pyplot as plt

    plt.close("all")
    plotting.bar_ci(_rates(), label="ethnic_group", title="T", xlabel="Rate per 100,000")
    assert plt.get_fignums() == []


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
    colours = {line.get_color() for line in fig.axes[0].lines if line.get_marker() == "s"}
    assert colours == {"#4D4D4D"}
    groups = plotting.group_colours(["Any other White background", "White and Black Caribbean"])
    assert list(groups.values()) == [
        plotting.GROUP_COLOURS["White"],
        plotting.GROUP_COLOURS["Mixed"],
    ]
