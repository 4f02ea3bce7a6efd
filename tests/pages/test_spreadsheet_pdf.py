"""The spreadsheet of a report's tables (gptables, GSS guidance) and printing to PDF (Chromium)."""

from __future__ import annotations

import re
import time
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from rhoresearch import disclosure
from rhoresearch.build import pdf, spreadsheet


def _report(folder: Path) -> Path:
    results = folder / "results"
    results.mkdir(parents=True)
    pd.DataFrame(
        {"ethnic_group": ["A", "B"], "count": [12, disclosure.SUPPRESSED], "value": [1.5, None]}
    ).to_csv(results / "rates_by_group.csv", index=False)
    pd.DataFrame({"reason": ["not known"], "rows": [40]}).to_csv(
        results / "exclusions.csv", index=False
    )
    return folder


def _xml(book: Path) -> dict[str, str]:
    with zipfile.ZipFile(book) as z:
        return {n: z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xml")}


def test_every_result_table_in_one_accessible_spreadsheet(tmp_path):
    folder = _report(tmp_path / "r")
    out = spreadsheet.write_spreadsheet(
        folder, title="A report", facts=[("Period", "2020-22")], demo=True
    )
    assert out == folder / spreadsheet.SPREADSHEET and out.exists()
    parts = _xml(out)
    sheets = re.findall(r'<sheet name="([^"]+)"', parts["xl/workbook.xml"])
    assert sheets == ["Cover", "Contents", "Notes", "Table_1", "Table_2"]  # one table per sheet
    assert not any("<mergeCell" in text for text in parts.values())
    strings = parts["xl/sharedStrings.xml"]
    assert f"{disclosure.SUPPRESSED} = confidential" in strings
    assert "Rates by group [note 1]" in strings and "Exclusions" in strings
    assert "Period: 2020-22" in strings and "demonstration data" in strings
    assert spreadsheet.write_spreadsheet(tmp_path / "empty", title="x") is None


def test_a_policy_symbol_of_punctuation_only_is_written_as_c(tmp_path):
    # NHS England's "*" in a CSV: in the spreadsheet the GSS shorthand [c], explained in Notes
    folder = tmp_path / "r"
    (folder / "results").mkdir(parents=True)
    pd.DataFrame({"ethnic_group": ["A", "B"], "count": ["*", 25]}).to_csv(
        folder / "results" / "counts.csv", index=False
    )
    out = spreadsheet.write_spreadsheet(folder, title="A report")
    strings = _xml(out)["xl/sharedStrings.xml"]
    assert "[c]" in strings and ">*<" not in strings
    assert f"{disclosure.SUPPRESSED} = confidential" in strings


def test_the_same_tables_give_the_same_bytes(tmp_path):
    # a rebuild must record the same sha256 in its manifest: no creation time in the workbook
    first = spreadsheet.write_spreadsheet(_report(tmp_path / "a"), title="A report")
    time.sleep(1.1)  # zip time stamps have a resolution of 2 s; xlsx properties of 1 s
    second = spreadsheet.write_spreadsheet(_report(tmp_path / "b"), title="A report")
    assert first.read_bytes() == second.read_bytes()


@pytest.mark.slow
@pytest.mark.browser
def test_a_page_prints_to_pdf(tmp_path):
    if not Path("/usr/bin/chromium").exists():
        pytest.skip("/usr/bin/chromium is missing")
    page = tmp_path / "r" / "report.html"
    page.parent.mkdir()
    page.write_text("<!DOCTYPE html><html lang='en'><title>t</title><h1>Hello</h1></html>")
    written = pdf.print_reports(reports_dir=tmp_path)
    assert written == [page.with_suffix(".pdf")]
    assert written[0].read_bytes().startswith(b"%PDF")
    with pytest.raises(Exception, match="not built"):
        pdf.print_reports(["missing"], reports_dir=tmp_path)
