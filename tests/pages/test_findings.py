"""The main-findings rule and the things-to-know section (rhoresearch.report.findings)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rhoresearch import disclosure
from rhoresearch.exceptions import InputError
from rhoresearch.report import findings


def _candidates(rows):
    return pd.DataFrame(
        rows,
        columns=["finding", "measure", "group", "comparison", "estimate", "lower_ci", "upper_ci"],
    )


def test_rule_keeps_clear_differences_adjusted_first_largest_first():
    table = _candidates(
        [
            ["a crude", "death", "A", "crude", 3.0, 2.0, 4.0],
            ["a adjusted", "death", "A", "adjusted", 2.5, 1.5, 4.0],
            ["b crude", "death", "B", "crude", 1.2, 0.9, 1.6],  # interval includes 1
            ["c crude", "death", "C", "crude", 0.2, 0.1, 0.4],  # a large deficit
            ["d adjusted", "death", "D", "adjusted", 1.1, 0.8, 1.5],  # adjusted not clear
            ["d crude", "death", "D", "crude", 1.5, 1.2, 1.9],  # ... so the crude one
        ]
    )
    got = findings.select_main_findings(table)
    assert list(got["finding"]) == ["c crude", "a adjusted", "d crude"]
    assert list(got["rank"]) == [1, 2, 3]


def test_rule_never_picks_a_suppressed_or_missing_value_and_stops_at_five():
    rows = [[f"g{i}", "m", f"G{i}", "crude", 2.0 + i, 1.5, 9.0 + i] for i in range(8)]
    rows.append(["hidden", "m", "H", "crude", 50.0, 40.0, 60.0])
    rows.append(["missing", "m", "M", "crude", np.nan, 1.5, 2.0])
    table = _candidates(rows)
    table["suppressed"] = [False] * 8 + [True, False]
    got = findings.select_main_findings(table)
    assert len(got) == 5
    assert "hidden" not in set(got["finding"]) and "missing" not in set(got["finding"])
    assert list(got["finding"]) == ["g7", "g6", "g5", "g4", "g3"]
    with pytest.raises(InputError, match="from 1 to 5"):
        findings.select_main_findings(table, n=6)


def test_ratio_candidates_reads_a_suppressed_comparison_table():
    table = pd.DataFrame(
        {
            "outcome": ["Death"] * 4,
            "ethnic_group": ["White", "Black", "Mixed", "Asian"],
            "comparison": ["crude", "adjusted", "crude", "crude"],
            "reference": ["White"] * 4,
            "value": [1.0, 2.82, np.nan, 1.4],
            "value_suppressed": [None, None, "primary", None],
            "lower_ci": [np.nan, 1.91, np.nan, 0.9],
            "upper_ci": [np.nan, 4.16, np.nan, 2.1],
        }
    )
    got = findings.ratio_candidates(table, measure="outcome", context="England, 2020-22")
    assert list(got.columns) == list(findings.CANDIDATE_COLUMNS)
    assert list(got["group"]) == ["Black", "Mixed", "Asian"]  # the reference row is left out
    assert list(got["suppressed"]) == [False, True, False]
    assert got.loc[0, "finding"] == (
        "Death: Black compared with White, 2.82 times (adjusted rate ratio, 95% CI 1.91 to "
        "4.16); England, 2020-22"
    )
    assert disclosure.SUPPRESSED not in got.loc[1, "finding"]
    chosen = findings.select_main_findings(got)
    assert list(chosen["group"]) == ["Black"]


def test_things_to_know_is_built_from_the_numbers():
    exclusions = pd.DataFrame(
        {
            "dataset": ["births", "births"],
            "reason": ["not stated", "not known"],
            "rows": pd.array([1234, pd.NA], dtype="Int64"),
            "rows_suppressed": [None, "primary"],
        }
    )
    log = pd.DataFrame(
        {"assumption": ["Unknowns excluded"], "why": ["no group"], "likely_effect": ["small"]}
    )
    got = findings.things_to_know(
        coverage={"Period": "2020-22", "Records": 4267000, "Year": 2024},
        exclusions=exclusions,
        reason=["dataset", "reason"],
        threshold=10,
        caveats=["Ratios describe differences, not causes."],
        assumptions=log,
    )
    assert got["coverage"] == [("Period", "2020-22"), ("Records", "4,267,000"), ("Year", "2024")]
    assert got["quality"] == (
        "1,234 rows were left out of the analysis: 1,234 rows (births: not stated); "
        "a suppressed number of rows (births: not known)."
    )
    # the same words, split for a list: the lead, then one item per reason
    assert got["quality_lead"] == "1,234 rows were left out of the analysis:"
    assert got["quality_items"] == [
        "1,234 rows (births: not stated)",
        "a suppressed number of rows (births: not known)",
    ]
    assert got["quality"] == (got["quality_lead"] + " " + "; ".join(got["quality_items"]) + ".")
    assert "Counts from 1 to 9 are suppressed" in got["disclosure"]
    assert got["assumptions"] == [
        {"assumption": "Unknowns excluded", "why": "no group", "likely_effect": "small"}
    ]
    with pytest.raises(InputError):
        findings.things_to_know(coverage={}, assumptions=log.drop(columns="why"))


def test_a_ratio_with_no_adjusted_form_names_no_kind():
    table = pd.DataFrame(
        {
            "study": ["S1"],
            "group": ["Black"],
            "reference": ["population"],
            "ppr": [0.42],
            "lower_ci": [0.34],
            "upper_ci": [0.53],
        }
    )
    got = findings.ratio_candidates(
        table,
        measure="study",
        group="group",
        comparison=None,
        estimate="ppr",
        ratio_name="participation-to-prevalence ratio",
    )
    assert got.loc[0, "finding"] == (
        "S1: Black compared with population, 0.42 times (participation-to-prevalence ratio, "
        "95% CI 0.34 to 0.53)"
    )
    assert got.loc[0, "comparison"] == "crude"
