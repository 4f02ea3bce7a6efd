"""The mental-health demo report under each named disclosure policy (issue 16): it builds, says which
rules it applied, and its scan against its own policy is clean."""

import json

import pandas as pd
import pytest

from rhoresearch import disclosure

pytestmark = pytest.mark.slow


@pytest.mark.parametrize(
    ("report_id", "name"),
    [
        ("mental-health", "threshold"),
        ("mental-health-nhs-england", "nhs-england"),
        ("mental-health-opensafely", "opensafely"),
    ],
)
def test_report_builds_under_its_policy_with_a_clean_scan(demo_report, report_id, name):
    folder = demo_report(report_id)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["parameters"].get("disclosure_policy", "threshold") == name
    rules = disclosure.policy(name)
    assert disclosure.scan(folder / "results", policy=rules).empty
    page = (folder / "report.html").read_text(encoding="utf-8")
    # the page states the rules it applied, in the words describe() builds from the policy
    assert disclosure.describe(rules).split(":")[0].replace("'", "&#x27;") in page
    rates = pd.read_csv(folder / "results" / "detentions_rates_with_published.csv")
    shown = pd.to_numeric(rates["count"], errors="coerce").dropna()
    if rules.rounding:
        assert (shown % rules.rounding == 0).all()  # every count shown is rounded
    assert not shown.between(1, rules.threshold - 1).any()
