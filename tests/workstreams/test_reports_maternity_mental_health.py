"""Report-level tests of workstreams 5 and 6: build the default reports through the build API.

Each test takes one report of ``reports.yml`` built on the demonstration data (the session's
``demo_report`` fixture: built once per test run, shared with the other report tests), then checks that the result tables exist, pass ``disclosure.scan``, and that the intervals
shown cover the effects planted in the demo's ``truth.json`` (the report's own 95% intervals for
the Black/White comparisons, the largest planted effect: with a fixed seed the outcome is
deterministic).
"""

from __future__ import annotations

import json

import pandas as pd
import pytest

from rhoresearch import config, disclosure

pytestmark = pytest.mark.slow


def _truth(name: str) -> dict:
    """The truth of the demonstration data the reports read (never written here: `make data`)."""
    path = config.demo_dir() / name / "truth.json"
    if not path.exists():
        pytest.skip(f"no demonstration data in {path.parent}: run `make data` first")
    return json.loads(path.read_text(encoding="utf-8"))


def _build(report_id: str, demo_report) -> tuple[dict, object]:
    folder = demo_report(report_id)  # built once per test run (tests/conftest.py)
    return json.loads((folder / "manifest.json").read_text(encoding="utf-8")), folder


def _covers(row: pd.Series, value: float) -> bool:
    return float(row["lower_ci"]) <= value <= float(row["upper_ci"])


def test_maternity_report_builds_safely_and_recovers_truth(demo_report):
    truth = _truth("maternity")
    manifest, folder = _build("maternity", demo_report)
    assert manifest["status"] == "success"
    results = folder / "results"
    expected = {
        "data_quality_exclusions.csv",
        "ethnicity_completeness_by_year.csv",
        "maternal_mortality_with_published.csv",
        "rates_by_period.csv",
        "rate_ratios_crude_adjusted.csv",
        "perinatal_rates_by_year.csv",
    }
    assert expected <= {p.name for p in results.glob("*.csv")}
    unsafe = disclosure.scan(folder)
    assert unsafe.empty, unsafe.to_string()
    assert (folder / "report.html").stat().st_size > 10_000
    ratios = pd.read_csv(results / "rate_ratios_crude_adjusted.csv")
    planted = truth["outcomes"]
    for outcome, key in [
        ("Maternal death", "maternal_death"),
        ("Stillbirth", "stillbirth"),
        ("Neonatal death", "neonatal_death"),
    ]:
        rows = ratios[(ratios["outcome"] == outcome) & (ratios["ethnic_group"] == "Black")]
        crude = rows[rows["comparison"] == "crude"].iloc[0]
        adjusted = rows[rows["comparison"] == "adjusted"].iloc[0]
        assert _covers(crude, planted[key]["expected_crude_rate_ratio"]["Black"]), outcome
        assert _covers(adjusted, planted[key]["adjusted_rate_ratio"]["Black"]), outcome


def test_mental_health_report_builds_safely_and_recovers_truth(demo_report):
    truth = _truth("mental_health")
    manifest, folder = _build("mental-health", demo_report)
    assert manifest["status"] == "success"
    results = folder / "results"
    expected = {
        "data_quality_exclusions.csv",
        "detentions_rates_with_published.csv",
        "ctos_rates_with_published.csv",
        "rates_by_year.csv",
        "rate_ratios_crude_adjusted.csv",
        "providers_isr.csv",
    }
    assert expected <= {p.name for p in results.glob("*.csv")}
    unsafe = disclosure.scan(folder)
    assert unsafe.empty, unsafe.to_string()
    ratios = pd.read_csv(results / "rate_ratios_crude_adjusted.csv")
    for measure, key in [("Detentions", "detentions"), ("Community treatment orders", "ctos")]:
        rows = ratios[(ratios["measure"] == measure) & (ratios["ethnic_group"] == "Black")]
        crude = rows[rows["comparison"] == "crude"].iloc[0]
        adjusted = rows[rows["comparison"] == "adjusted"].iloc[0]
        planted = truth["measures"][key]
        assert _covers(crude, planted["expected_crude_rate_ratio"]["Black"]), measure
        assert _covers(adjusted, planted["expected_age_sex_rate_ratio"]["Black"]), measure
    providers = pd.read_csv(results / "providers_isr.csv").set_index("provider_code")
    for code, multiplier in truth["providers"]["outliers"].items():
        label = providers.loc[code, "significance"]
        assert label == ("High (0.001)" if multiplier > 1 else "Low (0.001)"), code
