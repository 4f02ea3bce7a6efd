"""Tests for rhoresearch.report.plotting._style: palette, group colours, theme."""

from __future__ import annotations

import subprocess
import sys

from rhoresearch.report import plotting


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


def test_detailed_labels_are_placed_in_their_family():
    groups = plotting.group_colours(["Any other White background", "White and Black Caribbean"])
    assert list(groups.values()) == [
        plotting.GROUP_COLOURS["White"],
        plotting.GROUP_COLOURS["Mixed"],
    ]


def test_public_names_are_reexported_from_the_package():
    assert sorted(plotting.__all__) == sorted(
        [
            "OKABE_ITO",
            "GROUP_COLOURS",
            "set_theme",
            "group_colours",
            "alt_text",
            "forest_plot",
            "bar_ci",
            "funnel_plot",
            "trend_plot",
            "bland_altman",
            "stacked_share",
        ]
    )
    for name in plotting.__all__:
        assert getattr(plotting, name) is not None
    assert plotting.bar_ci.__module__ == "rhoresearch.report.plotting.bars"


def test_short_other_labels_take_their_own_groups_colour():
    # the short detailed labels (ethnicity.short_labels) "Other White" ... are not "Other"
    labels = ["Other White", "Other Mixed", "Other Asian", "Other Black"]
    colours = plotting.group_colours([*labels, "Any other ethnic group"])
    for label, family in zip(labels, ["White", "Mixed", "Asian", "Black"], strict=True):
        assert colours[label] == plotting.GROUP_COLOURS[family], label
    assert colours["Any other ethnic group"] == plotting.GROUP_COLOURS["Other"]
    for label in ("Other", "Other Ethnic Groups - Chinese", "Other ethnic group: Arab"):
        assert plotting.group_colours([label])[label] == plotting.GROUP_COLOURS["Other"], label
