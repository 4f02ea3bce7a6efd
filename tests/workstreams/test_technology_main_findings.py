"""The technology report's main-finding candidates: odds ratios and per-patient ratios only."""

from __future__ import annotations

import numpy as np
import pandas as pd

from rhoresearch import disclosure
from rhoresearch.report.findings import CANDIDATE_COLUMNS, select_main_findings
from rhoresearch.workstreams import technology


def _odds() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "group": ["White", "Black", "Asian", "Other"],
            "reference": "White",
            "estimate": [1.0, 3.5, 2.0, 0.9],
            "lower_ci": [np.nan, 2.9, 1.5, 0.5],
            "upper_ci": [np.nan, 4.2, 2.7, 1.6],
        }
    )


def _per_patient() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "financial_year": ["2022/23", "2023/24", "2023/24"],
            "ethnic_group": ["Black", "Black", "Mixed"],
            "reference": "White",
            "value": [9.0, 0.6, 1.1],
            "lower_ci": [8.0, 0.5, 0.9],
            "upper_ci": [10.0, 0.7, 1.3],
        }
    )


def test_candidates_are_the_odds_ratios_and_the_year_s_per_patient_ratios():
    got = technology.main_finding_candidates(_odds(), _per_patient(), year="2023/24")
    assert list(got.columns) == list(CANDIDATE_COLUMNS)
    assert list(got["group"]) == ["Black", "Asian", "Other", "Black", "Mixed"]  # no reference row
    assert set(got["comparison"].iloc[:3]) == {"adjusted"}
    assert got["finding"].iloc[0].startswith("Occult hypoxaemia: Black compared with White, 3.50")
    assert "2023/24" in got["finding"].iloc[3] and 9.0 not in set(got["estimate"])
    chosen = select_main_findings(got)
    # the clear differences, largest first; the per-patient ratio of 0.6 is one of them
    assert list(chosen["estimate"]) == [3.5, 2.0, 0.6]


def test_unadjusted_odds_ratios_and_no_register_count():
    got = technology.main_finding_candidates(_odds(), None, year="2023/24", adjusted=False)
    assert len(got) == 3 and set(got["comparison"]) == {"crude"}
    assert "(crude odds ratio" in got["finding"].iloc[0]


def test_a_suppressed_odds_ratio_is_never_chosen():
    odds = _odds().assign(n_events=[40, 3, 50, 60])
    safe = disclosure.suppress(
        odds,
        counts="n_events",
        derived=["estimate", "lower_ci", "upper_ci"],
        secondary=False,
        threshold=5,
    )
    got = technology.main_finding_candidates(safe, None, year="2023/24")
    assert bool(got.loc[got["group"] == "Black", "suppressed"].iloc[0])
    assert "Black" not in set(select_main_findings(got)["group"])
