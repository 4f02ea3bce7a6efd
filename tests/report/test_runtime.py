"""Tests of the notebook-side API: tables and figures checked, rendered and written; the threshold."""

from __future__ import annotations

import json
import re
import types

import IPython
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from rhoresearch.exceptions import DisclosureError, InputError
from rhoresearch.report import runtime


@pytest.fixture
def run(tmp_path, monkeypatch):
    monkeypatch.setenv(runtime.RUN_DIR_ENV, str(tmp_path))
    shown: list[str] = []
    monkeypatch.setattr(runtime, "_display_html", shown.append)
    # a table never saved is displayed with a handle (issue 14: its CSV link is updated later)
    monkeypatch.setattr(
        runtime,
        "_display_updatable",
        lambda markup: shown.append(markup) or types.SimpleNamespace(),
    )
    monkeypatch.setattr(runtime, "_saved_tables", {})
    monkeypatch.setattr(runtime, "_pending_links", [])
    runtime.set_threshold(None)
    yield tmp_path, shown
    runtime.set_threshold(None)


def _table():
    return pd.DataFrame(
        {"group": ["A", "B"], "count": [12, 30], "population": [900, 2000], "rate": [1 / 3, 15.0]}
    )


def _published():
    """A suppressed table as it is published: ``[c]`` in the cells (the old in-package form)."""
    return pd.DataFrame(
        {
            "group": ["A", "B", "C"],
            "count": pd.Series(["[c]", 30, "[c]"], dtype=object),
            "population": [900, 2000, 1500],
            "rate": pd.Series(["[c]", 15.0, "[c]"], dtype=object),
            "lower_ci": [np.nan, 10.1, np.nan],
        }
    )


def _flagged():
    """The same table as suppress() returns it: missing values plus ``<column>_suppressed`` flags."""
    return pd.DataFrame(
        {
            "group": ["A", "B", "C"],
            "count": pd.array([pd.NA, 30, pd.NA], dtype="Int64"),
            "count_suppressed": ["primary", None, "secondary"],
            "population": [900, 2000, 1500],
            "rate": [np.nan, 15.0, np.nan],
            "rate_suppressed": ["derived", None, "derived"],
            "lower_ci": [np.nan, 10.1, np.nan],
        }
    )


PUBLISHED_CSV = (
    b"group,count,population,rate,lower_ci\nA,[c],900,[c],\nB,30,2000,15.0,10.1\nC,[c],1500,[c],\n"
)


def test_save_table_writes_deterministic_csv_and_sidecar(run):
    folder, _ = run
    table = _table()
    original = table.copy()
    path = runtime.save_table(table, "rates", counts="count")
    assert path == folder / "results" / "rates.csv"
    assert path.read_bytes() == (
        b"group,count,population,rate\nA,12,900,0.333333333333\nB,30,2000,15\n"
    )
    pd.testing.assert_frame_equal(table, original)  # input not modified
    sidecar = json.loads((folder / "results" / "rates.meta.json").read_text())
    assert sidecar["counts"] == ["count"] and sidecar["threshold"] == 5


def test_save_table_flagged_table_gives_the_bytes_of_the_published_table(run):
    folder, _ = run
    old = runtime.save_table(_published(), "old", counts="count")
    flagged = _flagged()
    before = flagged.copy()
    new = runtime.save_table(flagged, "new", counts="count")
    assert old.read_bytes() == PUBLISHED_CSV
    assert new.read_bytes() == PUBLISHED_CSV  # "[c]" in the cells, no flag columns
    pd.testing.assert_frame_equal(flagged, before)
    old_meta = json.loads((folder / "results" / "old.meta.json").read_text())
    new_meta = json.loads((folder / "results" / "new.meta.json").read_text())
    assert old_meta == new_meta


def test_boolean_flags_read_as_reasons_do(run):
    folder, _ = run
    flagged = _flagged()
    for col in ("count", "rate"):
        flagged[f"{col}_suppressed"] = flagged[f"{col}_suppressed"].notna()
    assert runtime.save_table(flagged, "bools", counts="count").read_bytes() == PUBLISHED_CSV


def test_show_table_flagged_table_shows_what_the_published_table_shows(run):
    _, shown = run
    runtime.show_table(_published(), counts="count", caption="Rates")
    runtime.show_table(_flagged(), counts="count", caption="Rates")
    old, new = (re.sub(r"(rho-table|table)-\d+", "rho-table-N", html) for html in shown)
    assert new == old
    assert '<td class="num">[c]</td>' in new and "_suppressed" not in new


def test_a_flagged_count_whose_rate_is_still_shown_is_refused(run):
    folder, shown = run
    leaky = _flagged().drop(columns="rate_suppressed").assign(rate=[0.5, 15.0, 0.7])
    with pytest.raises(DisclosureError, match="derived from the suppressed count"):
        runtime.save_table(leaky, "leaky", counts="count")
    with pytest.raises(DisclosureError):
        runtime.show_table(leaky, counts="count")
    assert not (folder / "results" / "leaky.csv").exists() and shown == []


def test_save_table_missing_values_are_empty_fields(run):
    table = pd.DataFrame({"group": ["A", "B"], "count": [10, 20], "value": [1.5, None]})
    path = runtime.save_table(table, "t", counts="count")
    assert path.read_text() == "group,count,value\nA,10,1.5\nB,20,\n"


def test_save_table_refuses_a_small_count_and_writes_nothing(run):
    folder, _ = run
    table = _table().assign(count=[3, 30])
    with pytest.raises(DisclosureError):
        runtime.save_table(table, "rates", counts="count")
    assert not (folder / "results" / "rates.csv").exists()


def test_threshold_comes_from_set_threshold_then_default(run):
    table = _table().assign(count=[8, 30])
    assert runtime.threshold() == 5
    runtime.save_table(table, "ok", counts="count")  # default 5
    runtime.set_threshold(10)
    assert runtime.threshold() == 10
    with pytest.raises(DisclosureError):
        runtime.save_table(table, "refused", counts="count")
    runtime.save_table(table, "explicit", counts="count", threshold=5)
    runtime.set_threshold(None)
    assert runtime.threshold() == 5


@pytest.mark.parametrize("bad", [0, -1, 2.5, True, "10"])
def test_set_threshold_refuses_what_is_not_a_whole_number_of_at_least_one(run, bad):
    runtime.set_threshold(7)
    with pytest.raises(InputError, match="set_threshold: threshold must be a whole number"):
        runtime.set_threshold(bad)
    assert runtime.threshold() == 7  # unchanged by the refused call


def test_threshold_ignores_the_notebooks_namespace(run, monkeypatch):
    shell = types.SimpleNamespace(user_ns={"suppression_threshold": 10})
    monkeypatch.setattr(IPython, "get_ipython", lambda: shell)
    assert runtime.threshold() == 5
    runtime.save_table(_table().assign(count=[8, 30]), "ok", counts="count")  # 8 >= 5
    runtime.set_threshold(shell.user_ns["suppression_threshold"])  # what notebooks do
    assert runtime.threshold() == 10


def test_bad_names_and_columns_are_refused(run):
    with pytest.raises(InputError, match="file name"):
        runtime.save_table(_table(), "../escape", counts="count")
    with pytest.raises(InputError, match=r"count column\(s\) \['n'\] not found"):
        runtime.save_table(_table(), "x", counts="n")
    with pytest.raises(InputError, match="must be a pandas DataFrame"):
        runtime.show_table(_table().to_dict(), counts="count")
    with pytest.raises(InputError, match="threshold must be a whole number"):
        runtime.save_table(_table(), "x", counts="count", threshold=0)


def test_show_table_checks_then_displays_html(run):
    _, shown = run
    assert runtime.show_table(_table(), counts="count", caption="Rates") is None
    assert "<table" in shown[0] and "<caption" in shown[0] and "Rates" in shown[0]
    assert '<td class="num">0.3</td>' in shown[0]  # a rate: one decimal place (labels.PRECISION)
    with pytest.raises(DisclosureError):
        runtime.show_table(_table().assign(count=[2, 30]), counts="count")
    assert len(shown) == 1


def test_show_table_notes_rows_left_out(run):
    _, shown = run
    runtime.show_table(_table(), counts="count", max_rows=1)
    assert "1 more rows are in the CSV file." in shown[0]
    assert '<td class="txt">B</td>' not in shown[0]


def test_show_figure_embeds_png_with_alt_and_caption_and_closes_it(run):
    folder, shown = run
    fig, ax = plt.subplots()
    ax.bar(["A", "B"], [1, 2])
    runtime.show_figure(fig, name="bars", alt="Bars for A and B", caption="Two bars")
    assert not plt.fignum_exists(fig.number)
    html = shown[0]
    assert html.startswith('<figure class="rho-figure"')
    assert 'alt="Bars for A and B"' in html and 'src="data:image/png;base64,' in html
    assert "<figcaption>Two bars</figcaption>" in html
    png = (folder / "figures" / "bars.png").read_bytes()
    assert png.startswith(b"\x89PNG")
    fig2, ax2 = plt.subplots()
    ax2.bar(["A", "B"], [1, 2])
    runtime.show_figure(fig2, name="bars2", alt="same")
    assert (folder / "figures" / "bars2.png").read_bytes() == png  # no timestamps in the PNG
    with pytest.raises(InputError, match="alt"):
        runtime.show_figure(plt.figure(), name="x", alt=" ")


def test_record_input_writes_the_ledger(run, tmp_path):
    folder, _ = run
    data = tmp_path / "in.csv"
    data.write_text("a\n1\n")
    record = runtime.record_input(data)
    assert record["bytes"] == 4 and len(record["sha256"]) == 64
    assert runtime.recorded_inputs(folder) == [record]


def test_show_table_prints_summed_counts_as_whole_numbers_and_left_aligns_text(run):
    _, shown = run
    table = pd.DataFrame({"group": ["A", "B"], "count": [72.0, 126.0], "value": [7.1, 12.375]})
    runtime.show_table(table, counts="count")
    html = shown[0]
    assert '<td class="num">72</td>' in html and '<td class="num">126</td>' in html
    assert '<td class="num">7.10</td>' in html  # "value": two decimal places
    assert '<th scope="col" class="txt">Group</th>' in html  # text left-aligned
    assert '<th scope="col" class="num">Count</th>' in html
