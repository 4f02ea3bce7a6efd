"""The assumptions logs of the six reports: tidy, built from the parameters, options checked."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rhoresearch import disclosure
from rhoresearch.exceptions import InputError
from rhoresearch.report.findings import ASSUMPTION_COLUMNS, things_to_know
from rhoresearch.workstreams import (
    community_trust,
    data_quality,
    maternity,
    mental_health,
    technology,
    workforce,
)
from rhoresearch.workstreams._assumptions import and_list, assumptions_log, records_covered

LOGS = {
    "community_trust": lambda: community_trust.assumptions(
        positive_answers=[4, 5], covariates=["age_band", "sex"]
    ),
    "workforce": workforce.assumptions,
    "data_quality": data_quality.assumptions,
    "technology": technology.assumptions,
    "maternity": maternity.assumptions,
    "mental_health": mental_health.assumptions,
}


def _text(log: pd.DataFrame) -> str:
    return " ".join(log.to_numpy().ravel())


@pytest.mark.parametrize("name", sorted(LOGS))
def test_every_log_is_tidy_and_shown_by_things_to_know(name):
    log = LOGS[name]()
    assert list(log.columns) == list(ASSUMPTION_COLUMNS)
    assert len(log) >= 3
    assert log.map(lambda v: isinstance(v, str) and v.strip() != "").all().all()
    shown = things_to_know(coverage={}, assumptions=log)
    assert [a["assumption"] for a in shown["assumptions"]] == list(log["assumption"])


def test_maternity_words_the_unknown_ethnicity_and_grouping_choices():
    excluded = maternity.assumptions(unknown_ethnicity="exclude", grouping="high_level")
    counted = maternity.assumptions(
        unknown_ethnicity="reference", grouping="detailed", reference_group="White British"
    )
    assert "left out" in excluded["assumption"].iloc[0]
    assert "counted with the White British group" in counted["assumption"].iloc[0]
    assert "five high-level groups" in excluded["assumption"].iloc[1]
    assert "detailed" in counted["assumption"].iloc[1]
    with pytest.raises(InputError, match="unknown_ethnicity"):
        maternity.assumptions(unknown_ethnicity="drop")
    with pytest.raises(InputError, match="grouping"):
        maternity.assumptions(grouping="fine")


def test_mental_health_words_the_standard_population():
    esp = _text(mental_health.assumptions(standard="esp2013"))
    england = _text(mental_health.assumptions(standard="population", grouping="detailed"))
    assert "European Standard Population" in esp and "European" not in england
    assert "detailed ethnic categories" in england
    with pytest.raises(InputError, match="standard"):
        mental_health.assumptions(standard="who")


def test_community_trust_words_positive_answers_and_covariates():
    usual = community_trust.assumptions(positive_answers=[5, 4], covariates=["age_band", "sex"])
    other = community_trust.assumptions(positive_answers=[3, 4, 5], covariates=[])
    assert usual["assumption"].iloc[0].startswith("Answers 4 and 5 ")
    assert "comparable with published" in usual["likely_effect"].iloc[0]
    assert other["assumption"].iloc[0].startswith("Answers 3, 4 and 5 ")
    assert "not comparable" in other["likely_effect"].iloc[0]
    assert "adjusted for age_band and sex" in _text(usual)
    assert "not adjusted" in _text(other)
    with pytest.raises(InputError, match="positive_answers"):
        community_trust.assumptions(positive_answers=[6])


def test_technology_names_the_sjoding_definition_only_when_it_is_used():
    sjoding = technology.assumptions(spo2_at_most=96.0)
    wider = technology.assumptions(spo2_at_most=100.0, covariates=["age_band"])
    assert sjoding["why"].iloc[0] == "The definition of Sjoding et al. (2020)."
    assert "SpO2 from 92% to 100%" in wider["assumption"].iloc[0]
    assert "Set by the report's parameters" in wider["why"].iloc[0]
    assert "adjusted for age_band" in _text(wider) and "unadjusted" in _text(sjoding)


def test_data_quality_names_the_sources_and_funnel_adjustment():
    log = data_quality.assumptions(
        source_a="gp_code", source_b="hes_code", funnel_adjustment="none"
    )
    assert "gp_code is taken as the person's ethnicity" in _text(log)
    assert "chance alone" in _text(log)
    with pytest.raises(InputError, match="funnel_adjustment"):
        data_quality.assumptions(funnel_adjustment="both")


def test_assumptions_log_checks_rows_and_joins_words():
    with pytest.raises(InputError, match="three|3"):
        assumptions_log([("a", "b")])
    with pytest.raises(InputError):
        assumptions_log([("a", "", "c")])
    assert and_list([]) == "" and and_list(["a"]) == "a"
    assert and_list(["a", "b", "c"]) == "a, b and c"


def test_records_covered_reads_the_records_rows():
    quality = pd.DataFrame(
        {
            "dataset": ["births", "births", "deaths"],
            "step": ["records", "ethnicity", "records"],
            "reason": ["records in the extract", "not stated", "records in the extract"],
            "rows": [1200, 30, 45],
        }
    )
    assert records_covered(quality) == {"Records (births)": 1200, "Records (deaths)": 45}
    assert records_covered(quality.iloc[0:0]) == {}


def test_things_to_know_leaves_out_reasons_that_left_nothing_out():
    exclusions = pd.DataFrame(
        {"reason": ["not stated", "invalid", "not known"], "rows": [12, 0, 3]}
    )
    quality = things_to_know(coverage={}, exclusions=exclusions, count="rows")["quality"]
    assert quality.startswith("15 rows were left out") and "invalid" not in quality
    nothing = things_to_know(coverage={}, exclusions=exclusions.assign(rows=0), count="rows")
    assert nothing["quality"] == "No rows were left out of the analysis."


def test_things_to_know_says_what_each_exclusion_applies_to_and_gives_no_total():
    exclusions = pd.DataFrame(
        {
            "reason": ["not stated", "age missing", "any covariate missing"],
            "rows": [12, 4, 5],
            "applies_to": ["every indicator", "adjusted model", "adjusted model"],
        }
    )
    quality = things_to_know(
        coverage={}, exclusions=exclusions, count="rows", applies_to="applies_to"
    )["quality"]
    assert quality == (
        "Rows left out, and why: 12 rows (not stated; affects every indicator); 4 rows (age "
        "missing; affects adjusted model); 5 rows (any covariate missing; affects adjusted "
        "model)."
    )
    assert "21" not in quality  # overlapping reasons are not added up


def test_mental_health_names_the_sections_a_reason_removes_once():
    prefix = "This section is not shown: "
    why = {
        "detentions": None,
        "rates": prefix + "no population table was given.",
        "providers": prefix + "no population table was given.",
        "adjusted": "Adjusted rate ratios are not shown: the data have no age or sex strata.",
    }
    assert mental_health.not_shown_caveats(why) == [
        "Rates and rate ratios and the provider comparison are not shown: no population table "
        "was given.",
        "Adjusted rate ratios are not shown: the data have no age or sex strata.",
    ]
    assert mental_health.not_shown_caveats({"rates": None}) == []


def _quality() -> pd.DataFrame:
    return disclosure.suppress(
        pd.DataFrame(
            {
                "dataset": ["births"] * 6 + ["deaths"] * 4,
                "step": ["records", "ethnicity", "ethnicity", "ethnicity", "covariates"]
                + ["covariates", "records", "ethnicity", "ethnicity", "covariates"],
                "reason": ["read", "not stated", "not known", "invalid", "age missing", "any"]
                + ["read", "not stated", "not known", "any"],
                "rows": [1000, 20, 30, 7, 9, 12, 50, 6, 2, 8],
                "applies_to": ["", "every", "every", "every", "model", "model"]
                + ["", "every", "every", "model"],
            }
        ),
        counts="rows",
        secondary=False,
        threshold=5,
    )


def test_maternity_quality_summary_adds_up_disjoint_reasons_and_never_a_suppressed_part():
    got = maternity.quality_summary(_quality())
    assert list(got["reason"]) == [
        "no usable ethnic category (not stated, not known or invalid)",
        "any",
        "no usable ethnic category (not stated, not known or invalid)",
        "any",
    ]
    assert got["rows"].iloc[0] == 57 and got["rows"].iloc[1] == 12
    hidden = list(disclosure.is_suppressed(got, "rows"))
    assert hidden == [False, False, True, False]  # 6 + [c]: the total would give the 2 away
    quality = things_to_know(
        coverage={}, exclusions=got, count="rows", reason=["dataset", "reason"]
    )["quality"]
    assert "a suppressed number of rows (deaths: no usable" in quality


def test_mental_health_quality_summary_keeps_other_steps_and_drops_the_used_rows():
    quality = _quality().copy()
    quality.loc[quality["step"] == "covariates", "step"] = "age and sex"
    used = quality.iloc[[0]].assign(step="used", reason="records used")
    got = mental_health.quality_summary(pd.concat([quality, used], ignore_index=True))
    assert list(got["step"]) == ["ethnicity", "age and sex", "age and sex", "ethnicity"] + [
        "age and sex"
    ]
    assert "records used" not in set(got["reason"])


def test_workforce_quality_summary_reads_the_year_and_keeps_suppression():
    unknown = pd.DataFrame(
        {
            "year": [2023, 2024, 2024],
            "measure": ["shortlisted", "shortlisted", "staff_headcount"],
            "numerator": [10.0, 12.0, np.nan],
            "numerator_suppressed": [None, None, "primary"],
            "denominator": [400, 400, 90],
            "value": [2.5, 3.0, np.nan],
        }
    )
    got = workforce.quality_summary(unknown, year=2024)
    assert list(got["reason"]) == [
        "shortlisted applicants whose ethnicity is not known, 3.0% of all shortlisted applicants",
        "staff whose ethnicity is not known",
    ]
    assert list(disclosure.is_suppressed(got, "rows")) == [False, True]
    quality = things_to_know(coverage={}, exclusions=got, count="rows", applies_to="applies_to")[
        "quality"
    ]
    assert quality.startswith("Rows left out, and why: 12 rows (shortlisted")
    assert "a suppressed number of rows (staff" in quality


def test_caveats_are_sentences_built_from_the_parameters():
    trust = community_trust.caveats(n_questions=3, confidence=0.9)
    assert any(
        c.startswith("3 questions and several groups") and "1 in 10 at 90%" in c for c in trust
    )
    assert any("1 in 20 at 95%" in c for c in technology.caveats(confidence=0.95))
    excluded = " ".join(maternity.caveats(unknown_ethnicity="exclude", reference_group="White"))
    counted = " ".join(maternity.caveats(unknown_ethnicity="reference", reference_group="White"))
    assert "not directly comparable" in excluded and "not directly comparable" not in counted
    for caveats in (workforce.caveats(), data_quality.caveats(), mental_health.caveats(), trust):
        assert caveats and all(isinstance(c, str) and c.endswith(".") for c in caveats)
    with pytest.raises(InputError, match="confidence"):
        community_trust.caveats(n_questions=4, confidence=95)
