"""Tables, figures, main findings and things-to-know as the notebook displays them (issue 14)."""

from __future__ import annotations

import re

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from rhoresearch import disclosure
from rhoresearch.exceptions import DisclosureError, InputError
from rhoresearch.report import findings, runtime


class Handle:
    def __init__(self, log):
        self.log = log

    def update(self, obj):
        self.log.append(("update", obj.data))


@pytest.fixture
def run(tmp_path, monkeypatch):
    monkeypatch.setenv(runtime.RUN_DIR_ENV, str(tmp_path))
    shown: list = []
    monkeypatch.setattr(runtime, "_display_html", shown.append)
    monkeypatch.setattr(
        runtime, "_display_updatable", lambda markup: shown.append(markup) or Handle(shown)
    )
    monkeypatch.setattr(runtime, "_saved_tables", {})
    monkeypatch.setattr(runtime, "_pending_links", [])
    runtime.set_threshold(None)
    yield tmp_path, shown
    runtime.set_threshold(None)


def _rates():
    return pd.DataFrame(
        {
            "ethnic_group": ["Asian", "Black", "White"],
            "count": [1234567, 30, 900],
            "population": [45783405, 2000, 3000],
            "lower_ci": [0.51234, 1.2, 2.0],
            "rate_type": ["crude", "crude", "crude"],
        }
    )


def test_a_table_for_readers(run):
    _, shown = run
    runtime.show_table(_rates(), counts="count", caption="Rates by group", name="rates")
    html = shown[0]
    assert "<caption" in html and ">Rates by group</caption>" in html
    heads = re.findall(r'<th scope="col"[^>]*>(.*?)</th>', html)
    assert heads == ["Ethnic group", "Count", "Population", "Lower limit", "Type of rate"]
    assert "45,783,405" in html and "1,234,567" in html and "0.51" in html
    assert '<a href="results/rates.csv" download>' in html
    assert 'class="rho-table-wrap" role="region" tabindex="0"' in html


def test_text_columns_get_room_by_the_length_of_their_longest_value(run):
    _, shown = run
    table = _rates().assign(
        source=["ONS SDG 3.1.1 (MBRRACE-UK), England"] * 3,
        note=["late deaths (43 days to one year after end of pregnancy)", "", ""],
    )
    runtime.show_table(table, counts="count", caption="x")
    first_row = re.search(r"<tbody><tr>(.*?)</tr>", shown[0]).group(1)
    classes = re.findall(r'<td class="([^"]*)">', first_row)
    # group (up to 24 characters), counts..., type of rate, source (25-40), note (over 40)
    assert classes[0] == "txt short" and classes[4] == "txt short"
    assert classes[5] == "txt mid" and classes[6] == "txt long"


def test_a_table_of_many_columns_is_marked_wide_for_print(run):
    """Paper cannot scroll: a table of more than WIDE_COLUMNS columns prints in a smaller type."""
    from rhoresearch.build import page
    from rhoresearch.report import _html

    _, shown = run
    narrow = _rates()
    wide = narrow.assign(**{f"extra_{i}": 1.0 for i in range(_html.WIDE_COLUMNS - 4)})
    assert len(wide.columns) == _html.WIDE_COLUMNS + 1
    runtime.show_table(narrow, counts="count", caption="narrow")
    runtime.show_table(wide, counts="count", caption="wide")
    assert '<table class="rho-table" ' in shown[0]
    assert '<table class="rho-table rho-wide" ' in shown[1]
    print_css = page.CSS.split("@media print")[1]
    assert ".rho-table.rho-wide { font-size:" in print_css


def test_suppressed_cells_are_explained_in_a_note(run):
    _, shown = run
    table = _rates().assign(count=pd.array([pd.NA, 30, 900], dtype="Int64"))
    table["count_suppressed"] = ["primary", None, None]
    table["lower_ci"] = [None, 1.2, 2.0]
    table["lower_ci_suppressed"] = ["derived", None, None]
    runtime.show_table(table, counts="count", caption="x")
    assert f"{disclosure.SUPPRESSED} = confidential" in shown[0]


def test_a_table_saved_before_it_is_shown_links_to_its_csv(run):
    folder, shown = run
    runtime.save_table(_rates(), "rates_by_group", counts="count")
    runtime.show_table(_rates().drop(columns="rate_type"), counts="count", caption="x")
    assert 'href="results/rates_by_group.csv"' in shown[0]
    assert not (folder / "tables").exists()


def test_a_table_shown_before_it_is_saved_gets_its_link_updated(run):
    folder, shown = run
    runtime.show_table(_rates(), counts="count", caption="x")
    assert 'href="tables/table-' in shown[0]
    written = list((folder / "tables").glob("*.csv"))
    assert len(written) == 1
    runtime.save_table(_rates(), "rates_by_group", counts="count")
    kind, markup = shown[1]
    assert kind == "update" and 'href="results/rates_by_group.csv"' in markup
    assert not written[0].exists()  # the stand-in CSV is removed
    assert not (folder / "tables").exists()  # and its folder with the last one


def test_a_table_never_saved_is_written_outside_results(run):
    folder, shown = run
    runtime.show_table(_rates(), counts="count")
    match = re.search(r'href="(tables/table-\d+\.csv)"', shown[0])
    assert match and (folder / match.group(1)).read_text().startswith("ethnic_group,count")
    assert ">Table " in shown[0]  # a caption even when none is given
    assert not (folder / "results").exists()


def test_a_figure_with_its_data(run):
    folder, shown = run
    fig, ax = plt.subplots()
    ax.bar(["A", "B"], [1, 2])
    ax.set_title("Two bars,\nbroken to fit")  # as plotting breaks a long title
    runtime.show_figure(
        fig, name="bars", alt="Bars", caption="Two bars", data=_rates(), counts="count"
    )
    html = shown[0]
    assert "Data behind the figure: Two bars, broken to fit</caption>" in html
    left, ax = plt.subplots()
    ax.set_title("A title on the left", loc="left")  # where the theme puts titles
    runtime.show_figure(left, name="left", alt="Left", data=_rates(), counts="count")
    assert "Data behind the figure: A title on the left</caption>" in shown[-1]
    png = (folder / "figures" / "bars.png").read_bytes()
    width = int.from_bytes(png[16:20], "big")
    assert f'width="{width // 2}"' in html  # drawn at twice the size it is shown
    assert "<details" in html and "Show the data behind this figure" in html
    assert 'href="figures/bars.csv"' in html
    assert (folder / "figures" / "bars.csv").read_text().startswith("ethnic_group,count")
    with pytest.raises(InputError, match="counts"):
        runtime.show_figure(plt.figure(), name="x", alt="x", data=_rates())
    with pytest.raises(DisclosureError):
        runtime.show_figure(
            plt.figure(), name="y", alt="y", data=_rates().assign(count=[1, 2, 3]), counts="count"
        )


def test_main_findings_and_things_to_know_are_marked_for_the_page(run):
    _, shown = run
    candidates = pd.DataFrame(
        {
            "finding": [f"finding {i}" for i in range(7)],
            "measure": ["m"] * 7,
            "group": list("ABCDEFG"),
            "comparison": ["crude"] * 7,
            "estimate": [2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 1.1],
            "lower_ci": [1.5, 2.0, 3.0, 4.0, 5.0, 6.0, 0.9],
            "upper_ci": [3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 1.3],
        }
    )
    runtime.show_main_findings(candidates)
    assert 'data-rho-section="main-findings"' in shown[0]
    assert shown[0].count("<li>") == 5 and "finding 6" not in shown[0]
    runtime.show_things_to_know(findings.things_to_know(coverage={"Period": "2020"}, threshold=5))
    assert 'data-rho-section="things-to-know"' in shown[1] and "Counts from 1 to 4" in shown[1]


def test_things_to_know_lists_each_reason_rows_were_left_out(run):
    _, shown = run
    exclusions = pd.DataFrame(
        {
            "reason": ["not stated", "age missing", "none"],
            "rows": [12, 4, 0],
            "affects": ["", "model", ""],
        }
    )
    for given, items, paragraph in (
        (exclusions, 2, None),
        (exclusions.iloc[2:], 0, "No rows were left out of the analysis."),
    ):
        runtime.show_things_to_know(
            findings.things_to_know(
                coverage={}, exclusions=given, count="rows", applies_to="affects", threshold=5
            )
        )
        page = shown[-1]
        quality = page.split("<h3>Data quality</h3>")[1].split("<h3>")[0]
        if items:
            assert quality.startswith("<p>Rows left out, and why:</p><ul>")
            assert quality.count("<li>") == items
            assert "<li>4 rows (age missing; affects model)</li>" in quality
            assert "none" not in quality  # a reason that left nothing out is not listed
        else:
            assert quality == f"<p>{paragraph}</p>"


def test_page_info_is_a_hidden_output(monkeypatch):
    seen = []
    monkeypatch.setattr(runtime, "display", lambda obj, raw: seen.append((obj, raw)))
    runtime.page_info(period="2020-22", geography="England")
    assert seen == [
        (
            {
                runtime.PAGE_INFO_MIME: {"period": "2020-22", "geography": "England"},
                "text/plain": "",
            },
            True,
        )
    ]
