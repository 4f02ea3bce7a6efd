"""The grouping parameter in the workstreams of notebooks 01-04, on small hand-built frames."""

import numpy as np
import pandas as pd
import pytest

from rhoresearch.exceptions import InputError
from rhoresearch.workstreams import community_trust, data_quality, technology, workforce


def _survey(rng: np.random.Generator) -> pd.DataFrame:
    """Respondents of three detailed groups; Chinese respondents never answer yes."""
    rows = []
    for code, n, p in (("A", 400, 0.3), ("H", 300, 0.5), ("R", 40, 0.0)):
        for i in range(n):
            rows.append(
                {
                    "respondent_id": f"{code}{i}",
                    "ethnic_category": code,
                    "age_band": "25-34" if i % 2 else "45-54",
                    "sex": "Female" if i % 3 else "Male",
                    "imd_quintile": 1 + i % 5,
                    "weight": 1.0,
                    "q_discrimination": "Yes" if rng.random() < p else "No",
                }
            )
    return pd.DataFrame(rows)


def test_a_group_with_no_yes_answer_is_left_out_of_the_odds_ratios_not_estimated():
    prepared = community_trust.prepare(_survey(np.random.default_rng(3)), to="detailed")
    assert set(prepared.data["ethnic_group"].astype(str)) == {"White British", "Indian", "Chinese"}
    groups = community_trust.choose_grouping("detailed", reference="White British")
    few = community_trust.sparse_groups(
        prepared.data, group="ethnic_group", outcomes="q_discrimination", reference=groups.reference
    )
    assert few == ["Chinese"]
    options = {
        "outcomes": "q_discrimination",
        "group": "ethnic_group",
        "reference": groups.reference,
        "weight": "weight",
    }
    odds = community_trust.adjusted_odds_ratios(prepared.data, **options, left_out=few)
    assert odds["group"].astype(str).tolist() == ["White British", "Indian"]
    assert odds["estimate"].iloc[1] > 1 and odds["n_used"].isna().all()
    # without leaving it out, the model gives Chinese a degenerate odds ratio of about zero
    every = community_trust.adjusted_odds_ratios(prepared.data, **options)
    assert every.set_index("group").loc["Chinese", "estimate"] < 1e-3


def test_the_agreement_reference_is_a_detailed_category_at_either_grouping():
    high = data_quality.agreement_grouping("high_level", reference="White British")
    assert (high.to, high.reference) == ("nhs_code", "White - British")
    detailed = data_quality.agreement_grouping("detailed", reference="White - British")
    assert (detailed.to, detailed.reference) == ("detailed", "White British")
    with pytest.raises(InputError, match="reference_group 'White'"):
        data_quality.agreement_grouping("detailed", reference="White")
    linked = pd.DataFrame({"census_code": ["A", "A", "N", "M"], "hes_code": ["A", "C", "N", "N"]})
    by_group = data_quality.agreement_by_group(linked, scheme="detailed")
    assert by_group["ethnic_group"].tolist()[:2] == ["White British", "White Irish"]
    flows = data_quality.disagreement_flows(linked, scheme="detailed").table
    assert flows[~flows["agrees"]][["group_a", "group_b"]].values.tolist() == [
        ["White British", "Other White"],
        ["Caribbean", "African"],
    ]


def test_studies_by_high_level_group_are_said_to_be_shown_at_that_level():
    participants = pd.DataFrame({"study_id": ["S1"] * 3, "ethnic_group": ["White", "Black", "Z"]})
    assert data_quality.representation_note(participants, grouping="high_level") is None
    note = data_quality.representation_note(participants, grouping="detailed")
    assert note.startswith("The studies give their participants by high-level group only")
    detailed = participants.assign(ethnic_group=["White British", "African", "Indian"])
    assert data_quality.representation_note(detailed, grouping="detailed") is None


def test_the_workforce_report_names_its_two_groups_from_the_data():
    returns = workforce.harmonise_groups(pd.DataFrame({"ethnic_group": ["White", "BME", ""]}))
    note = workforce.groups_note(returns)
    assert note.startswith("The returns give their counts by 3 groups: White, Ethnic minority")
    assert "no grouping parameter" in note
    only = workforce.groups_note(returns.iloc[:2])
    assert "by 2 groups: White and Ethnic minority" in only


def test_sickle_cell_rates_by_detailed_group_use_the_short_labels():
    admissions = pd.DataFrame(
        {
            "financial_year": ["2023/24"] * 3,
            "region": ["London"] * 3,
            "ethnic_category": ["A", "N", "M"],
            "admissions": [10, 500, 300],
        }
    )
    population = pd.DataFrame(
        {
            "region": ["London"] * 3,
            "ethnic_category": ["A", "N", "M"],
            "population": [1e6, 5e4, 4e4],
        }
    )
    rates = technology.sickle_cell_rates(admissions, population, to="detailed").table
    assert rates["ethnic_group"].astype(str).tolist() == ["White British", "Caribbean", "African"]
    ratios = technology.sickle_cell_rate_ratios(
        admissions, population, reference="White British", to="detailed"
    ).table
    african = ratios.set_index(ratios["ethnic_group"].astype(str)).loc["African"]
    assert african["value"] == pytest.approx((500 / 5e4) / (10 / 1e6))
    assert technology.DETAIL_TO == {"high_level": "nhs_code", "detailed": "detailed"}
