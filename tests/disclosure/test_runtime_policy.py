"""The report runtime under a disclosure policy (issue 16): set_policy, and show_table/save_table
refusing a table that breaks the run's policy, writing its symbol and recording it in the sidecar."""

from __future__ import annotations

import pandas as pd
import pytest
from disclosure.test_audit import COUNTS, RULES, _bands, _baseline_pattern

from rhoresearch import disclosure
from rhoresearch.exceptions import DisclosureError, InputError
from rhoresearch.report import runtime


@pytest.fixture
def run(tmp_path, monkeypatch):
    monkeypatch.setenv(runtime.RUN_DIR_ENV, str(tmp_path))
    monkeypatch.setattr(runtime, "_display_html", lambda markup: None, raising=False)
    runtime.set_threshold(None)
    runtime.set_policy(None)
    yield tmp_path
    runtime.set_threshold(None)
    runtime.set_policy(None)


def _table():
    t = pd.DataFrame(
        {
            "ethnic_group": ["Asian", "Black", "White", "Total"],
            "count": [3, 12, 248, 263],
            "population": [1000, 2000, 10000, 13000],
        }
    )
    t["rate"] = t["count"] / t["population"] * 1e5
    return t


def test_default_policy_is_threshold_with_the_run_threshold(run):
    assert runtime.policy() == disclosure.policy("threshold")
    runtime.set_threshold(10)
    assert runtime.policy().threshold == 10
    runtime.set_policy("opensafely")
    assert runtime.policy().threshold == 10  # the stricter of 8 and 10
    runtime.set_threshold(None)
    assert runtime.policy().threshold == 8


def test_set_policy_checks_at_once(run):
    with pytest.raises(InputError, match="unknown policy"):
        runtime.set_policy("nhs")


def test_default_sidecar_has_no_policy_key(run):
    safe = disclosure.suppress(_table(), counts="count")
    path = runtime.save_table(safe, "rates", counts="count")
    assert "policy" not in disclosure.sidecar_path(path).read_text()


def test_save_table_under_nhs_england(run):
    runtime.set_policy("nhs-england")
    nhs = runtime.policy()
    with pytest.raises(DisclosureError):
        runtime.save_table(disclosure.suppress(_table(), counts="count"), "raw", counts="count")
    safe = disclosure.suppress(_table(), counts="count", policy=nhs)
    path = runtime.save_table(safe, "rates", counts="count")
    written = pd.read_csv(path, dtype=str)
    assert written["count"].tolist() == ["*", "10", "250", "263"]
    assert disclosure.read_sidecar(path)["policy"] == nhs
    assert disclosure.scan(run / "results").empty


def test_show_table_refuses_unrounded_counts_under_opensafely(run):
    runtime.set_policy("opensafely")
    t = _table().assign(count=[10, 12, 250, 272])
    with pytest.raises(DisclosureError, match="multiple of 5"):
        runtime.show_table(t, counts="count")


def test_midpoint6_columns_found_by_their_suffix(run):
    runtime.set_policy("opensafely", midpoint6=True)
    safe = disclosure.suppress(_table(), counts="count", policy=runtime.policy())
    path = runtime.save_table(safe, "rates", counts="count")
    assert disclosure.read_sidecar(path)["counts"] == ["count_midpoint6"]
    assert disclosure.scan(run / "results").empty


def test_save_table_refuses_the_workforce_rmd_pattern(run):
    # issue 19: the baseline pay-band table (Band 8c and 8d hidden) with its totals declared
    published = _baseline_pattern(_bands())
    with pytest.raises(DisclosureError, match="interval audit"):
        runtime.save_table(published, "indicator1_pay_bands", counts=COUNTS, **RULES)
    safe = disclosure.suppress(_bands(), counts=COUNTS, derived=["value"], **RULES)
    path = runtime.save_table(safe, "indicator1_pay_bands", counts=COUNTS, **RULES)
    assert disclosure.read_sidecar(path)["total_label"] == "All staff"
    assert disclosure.scan(run / "results").empty
