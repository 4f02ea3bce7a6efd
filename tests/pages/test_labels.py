"""Column labels and cell formats for readers (rhoresearch.report.labels)."""

from __future__ import annotations

import csv
import re

import numpy as np
import pandas as pd
import pytest
from _buildkit import ONE_PER_NOTEBOOK

from rhoresearch import disclosure
from rhoresearch.report import labels

SNAKE = re.compile(r"^[a-z0-9]+(_[a-z0-9]+)+$")


def test_every_label_is_for_readers():
    for column, found in labels.LABELS.items():
        assert not SNAKE.match(found.text), column
        assert found.kind in {"text", "code", *labels.PRECISION}, column


@pytest.mark.slow
def test_every_result_column_of_every_report_has_a_label(demo_report):
    columns = set()
    for report_id in ONE_PER_NOTEBOOK:  # built once per test run (tests/conftest.py)
        for path in (demo_report(report_id) / "results").glob("*.csv"):
            with path.open(encoding="utf-8") as fh:
                columns.update(next(csv.reader(fh)))
    assert len(columns) > 50, "the demo reports saved (almost) no results columns"
    assert sorted(columns - set(labels.LABELS)) == []


@pytest.mark.parametrize(
    ("value", "kind", "expected"),
    [
        (45783405, "count", "45,783,405"),
        (45783405.0, "auto", "45,783,405"),
        (np.int64(2023), "code", "2023"),
        (2.8171999, "ratio", "2.82"),
        (12.345, "rate", "12.3"),
        (0.0004, "p_value", "<0.001"),
        (0.04258, "p_value", "0.043"),
        (np.nan, "decimal", ""),
        (pd.NA, "count", ""),
        (disclosure.SUPPRESSED, "count", disclosure.SUPPRESSED),
        (True, "text", "Yes"),
    ],
)
def test_format_value(value, kind, expected):
    assert labels.format_value(value, kind=kind) == expected


def test_float_format_overrides_the_precision_but_not_counts():
    assert labels.format_value(0.71234, kind="kappa", float_format="{:,.3f}") == "0.712"
    assert labels.format_value(1234.0, kind="count", float_format="{:,.3f}") == "1,234"


def test_headers_carry_units_and_unknown_columns_read_as_words():
    assert labels.header("agreement") == "Agreement (%)"
    assert labels.header("lower_ci") == "Lower limit"
    assert labels.header("brand_new_column") == "Brand new column"


def test_symbol_note_explains_only_the_symbols_used():
    note = labels.symbol_note(["a", disclosure.SUPPRESSED, 3, "[x]"])
    assert note.startswith(f"{disclosure.SUPPRESSED} = confidential")
    assert "[x] = not available." in note and "[z]" not in note
    assert labels.symbol_note(["a", 1]) == ""
