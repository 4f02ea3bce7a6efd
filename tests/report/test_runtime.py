"""Tests of the notebook-side API: inputs recorded, tables and figures checked and written."""

from __future__ import annotations

import json

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from rhoresearch.exceptions import DisclosureError, InputError
from rhoresearch.report import runtime


@pytest.fixture
def run(tmp_path, monkeypatch):
    monkeypatch.setenv(runtime.RUN_DIR_ENV, str(tmp_path))
    shown: list[str] = []
    monkeypatch.setattr(runtime, "_display_html", shown.append)
    runtime.set_threshold(None)
    yield tmp_path, shown
    runtime.set_threshold(None)


def _table():
    return pd.DataFrame(
        {"group": ["A", "B"], "count": [12, 30], "population": [900, 2000], "rate": [1 / 3, 15.0]}
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
    runtime.save_table(table, "ok", counts="count")  # default 5
    runtime.set_threshold(10)
    assert runtime.threshold() == 10
    with pytest.raises(DisclosureError):
        runtime.save_table(table, "refused", counts="count")
    runtime.save_table(table, "explicit", counts="count", threshold=5)
    with pytest.raises(InputError):
        runtime.set_threshold(0)


def test_bad_names_and_columns_are_refused(run):
    with pytest.raises(InputError, match="file name"):
        runtime.save_table(_table(), "../escape", counts="count")
    with pytest.raises(InputError, match="'n' not in the table"):
        runtime.save_table(_table(), "x", counts="n")


def test_show_table_checks_then_displays_html(run):
    _, shown = run
    assert runtime.show_table(_table(), counts="count", caption="Rates") is None
    assert "<table" in shown[0] and "Rates" in shown[0] and "0.33" in shown[0]
    with pytest.raises(DisclosureError):
        runtime.show_table(_table().assign(count=[2, 30]), counts="count")
    assert len(shown) == 1


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
    assert "<td>72</td>" in html and "<td>126</td>" in html and "<td>7.10</td>" in html
    assert "td:nth-child(1)" in html and "text-align: left" in html
    assert "td:nth-child(2)" not in html
