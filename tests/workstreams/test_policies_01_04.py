"""Disclosure policies (issue 16) threaded through the workstreams of notebooks 01-04."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from workstreams.test_community_trust import _answers
from workstreams.test_data_quality import _small_data_quality
from workstreams.test_workforce import _small_workforce

from rhoresearch import disclosure
from rhoresearch.workstreams import _tables, community_trust, data_quality, workforce

NHS = disclosure.policy("nhs-england")
OPENSAFELY = disclosure.policy("opensafely")
ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = [
    "01-community-trust.ipynb",
    "02-workforce-race-equality.ipynb",
    "03-data-quality-representation.ipynb",
    "04-technology-bias.ipynb",
]


@pytest.fixture
def policies_seen(monkeypatch):
    """The ``policy`` of every call of :func:`rhoresearch.disclosure.suppress` while a test runs."""
    seen: list[object] = []
    real = disclosure.suppress

    def spy(table, **options):
        seen.append(options.get("policy"))
        return real(table, **options)

    monkeypatch.setattr(disclosure, "suppress", spy)
    return seen


def _numbers(series: pd.Series) -> pd.Series:
    return pd.to_numeric(series, errors="coerce").dropna()


def test_publish_passes_the_policy_to_suppress():
    table = pd.DataFrame({"group": ["a", "b", "c"], "n": [12, 3, 40]})
    how = _tables.publication(["group", "n"], counts="n", secondary=False)
    got = _tables.publish(table, how, threshold=5, policy=NHS)
    # NHS England: below 5 shown as *, every other count to the nearest 5
    assert disclosure.render(got, policy=NHS)["n"].tolist() == [10, "*", 40]
    # without a policy: the threshold rule, unrounded
    plain = _tables.publish(table, how, threshold=5)
    assert disclosure.render(plain)["n"].tolist() == [12, "[c]", 40]


def test_workforce_summary_tables_pass_the_policy_to_every_table(policies_seen):
    returns, staff, survey, board, _orgs = _small_workforce()
    tables = workforce.summary_tables(returns, staff, survey, board, year=2024, policy=NHS)
    assert len(policies_seen) == 5
    assert all(p is NHS for p in policies_seen)
    # hand-worked: the survey counts 24, 30, 240, 90 are shown as 25, 30, 240, 90
    assert sorted(_numbers(tables.survey["numerator"])) == [25, 30, 90, 240]
    plain = workforce.summary_tables(returns, staff, survey, board, year=2024)
    assert sorted(_numbers(plain.survey["numerator"])) == [24, 30, 90, 240]


def test_workforce_band_table_rounds_under_a_rounding_policy():
    _returns, staff, *_ = _small_workforce()
    staff = staff.assign(headcount=[300, 200, 303, 298, 91, 12])
    rules = disclosure.policy("nhs-england", round_totals=True)
    bands = workforce.band_table(staff, year=2024, policy=rules)
    counts = _numbers(bands[["numerator", "n_white", "denominator"]].stack())
    assert (counts % 5 == 0).all()
    clinical = bands[(bands["staff_group"] == "Clinical") & (bands["pay_band"] == "Band 8a")]
    assert clinical[["numerator", "n_white", "denominator"]].iloc[0].tolist() == [10, 90, 105]
    # the percentage is computed from the unrounded counts (NHS England)
    assert clinical["value"].iloc[0] == pytest.approx(100 * 12 / 103)


def test_workforce_organisation_table_passes_the_policy(policies_seen):
    points = pd.DataFrame(
        {c: [np.nan, np.nan] for c in workforce.ORGANISATION_COLUMNS}
        | {"org_code": ["R1", "R2"], "observed": [12.0, 3.0], "expected": [10.0, 4.0]}
    )
    safe = workforce.organisation_table(points, policy=NHS)
    assert policies_seen == [NHS]
    assert disclosure.render(safe, policy=NHS)["observed"].tolist() == [10, "*"]


def test_data_quality_completeness_hand_worked_under_nhs_england():
    records = pd.DataFrame(
        {
            "provider_code": ["P1"] * 10,
            "ethnic_category": ["A"] * 7 + ["Z", "99", ""],
        }
    )
    got = data_quality.completeness_table(records, by="provider_code", policy=NHS)
    shown = disclosure.render(got, policy=NHS)
    # counts 7, 1, 1, 1, 0: 7 to the nearest 5, the ones and the zero shown as *
    assert shown["numerator"].tolist() == [5, "*", "*", "*", "*"]
    assert shown["value"].iloc[0] == 70.0  # from the unrounded count


def test_data_quality_summary_tables_pass_the_policy_to_every_table(policies_seen):
    records, providers, linked, participants, reference = _small_data_quality()
    data_quality.summary_tables(
        records, providers, linked, participants, reference, year=2023, policy=OPENSAFELY
    )
    assert len(policies_seen) == 7
    assert all(p is OPENSAFELY for p in policies_seen)


def _trust_tables(policy=None) -> community_trust.Tables:
    percentages, odds_ratios = _answers(40)
    respondents = pd.DataFrame({"ethnic_group": ["White", "Black"], "n_respondents": [1003, 40]})
    weights = pd.DataFrame(
        {
            "ethnic_group": ["White", "Black"],
            "n_respondents": [1003, 40],
            "weighted_n": [1000.0, 40.0],
            "effective_n": [900.0, 40.0],
            "design_effect": [1.1, 1.0],
            "weight_min": [0.5, 1.0],
            "weight_median": [1.0, 1.0],
            "weight_max": [2.0, 1.0],
        }
    )
    exclusions = pd.DataFrame(
        {"step": ["s"], "reason": ["r"], "rows": [3], "applies_to": ["comparisons"]}
    )
    return community_trust.suppress_tables(
        respondents=respondents,
        weights=weights,
        percentages=percentages,
        odds_ratios=odds_ratios,
        exclusions=exclusions,
        threshold=10,
        policy=policy,
    )


def test_community_trust_suppress_tables_pass_the_policy(policies_seen):
    safe = _trust_tables(NHS)
    assert policies_seen and all(p is NHS for p in policies_seen)
    # the respondent count 1003 to the nearest 5; the policy's threshold is raised to the run's 10
    assert _numbers(safe.respondents["n_respondents"]).tolist() == [1005, 40]
    assert disclosure.render(safe.exclusions, policy=NHS)["n"].tolist() == ["*"]
    notes = community_trust.suppression_notes(safe, threshold=10, policy=NHS)
    assert notes[0].startswith("**What was suppressed** (respondent counts from 1 to 9,")
    assert "rounded" in "\n".join(notes)
    assert "rounded" not in "\n".join(
        community_trust.suppression_notes(_trust_tables(), threshold=10)
    )


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_declares_and_applies_the_disclosure_policy(name):
    cells = json.loads((ROOT / "notebooks" / name).read_text(encoding="utf-8"))["cells"]
    code = ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
    parameters = next(c for c in cells if "parameters" in c["metadata"].get("tags", []))
    assert 'disclosure_policy = "threshold"' in "".join(parameters["source"])
    source = "\n".join(code)
    assert "runtime.set_policy(disclosure_policy" in source
    assert "rules = runtime.policy()" in source
    assert source.count("policy=rules") >= 2  # the tables, and the things to know
