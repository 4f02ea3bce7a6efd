"""Notebooks 01, 03 and 04 at grouping="detailed", built end to end through the real build.

One build (session-scoped, ``-j 2``) of a temporary ``reports.yml`` with the three reports on the
demonstration data, the reference group "White British" and 99.8% intervals; each page passes the
disclosure scan, shows the NHS 16 categories by their short labels, and recovers an effect planted
in the demonstration data at the detailed level:

- 01: discrimination reported by Black African, Black Caribbean and Other Black respondents (odds
  ratio 3.0 against White, planted by high-level group, so against White British too);
- 03: agreement between the Census and hospital records of each of the 16 categories (planted per
  category, e.g. 93% for Bangladeshi, 19% for Other Black);
- 04: the oximeter's mean bias in each detailed Black group (planted for Black patients).
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import yaml

from rhoresearch import build, config, disclosure, ethnicity
from rhoresearch.workstreams import _grouping

pytestmark = pytest.mark.slow

REPORTS = {
    "community-trust-detailed": ("01-community-trust.ipynb", "survey"),
    "data-quality-detailed": ("03-data-quality-representation.ipynb", "data_quality"),
    "technology-bias-detailed": ("04-technology-bias.ipynb", "technology"),
}
DETAILED = _grouping.group_order("nhs_code", short=True)
BLACK = ["Caribbean", "African", "Other Black"]


@pytest.fixture(scope="session")
def detailed_reports(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The three reports at the detailed grouping, built once (two at a time)."""
    for _, folder in REPORTS.values():
        if not (config.demo_dir() / folder / "truth.json").exists():
            pytest.skip("no demonstration data: run `make data`")
    root = tmp_path_factory.mktemp("detailed")
    readme = _readme_entry()  # the README's example is notebook 01's entry
    assert readme["id"] == "community-trust-detailed"
    entries = [
        {
            "id": report_id,
            "notebook": str(config.notebooks_dir() / notebook),
            "title": f"{report_id} (detailed ethnic groups)",
            "parameters": {**readme["parameters"], "confidence": 0.998},
        }
        for report_id, (notebook, _) in REPORTS.items()
    ]
    path = root / "reports.yml"
    path.write_text(yaml.safe_dump({"reports": entries}), encoding="utf-8")
    status = build.build(
        list(REPORTS), config_path=path, reports_dir=root / "reports", force=True, jobs=2
    )
    assert status == dict.fromkeys(REPORTS, "built"), status
    return root / "reports"


def _readme_entry() -> dict:
    """The reports.yml entry of the README section "Detailed ethnic groups"."""
    readme = (config.project_root() / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Detailed ethnic groups") :]
    block = section[section.index("```yaml\n") + 8 : section.index("```\n", 8)]
    (entry,) = yaml.safe_load(block)
    assert entry["parameters"] == {"grouping": "detailed", "reference_group": "White British"}
    return entry


def _truth(folder: str) -> dict:
    return json.loads((config.demo_dir() / folder / "truth.json").read_text(encoding="utf-8"))


def _results(reports: Path, report_id: str, name: str) -> pd.DataFrame:
    return pd.read_csv(reports / report_id / "results" / f"{name}.csv")


@pytest.mark.parametrize("report_id", list(REPORTS))
def test_each_detailed_page_passes_the_disclosure_scan(detailed_reports, report_id):
    found = disclosure.scan(detailed_reports / report_id)
    assert found.empty, found.head().to_dict("records")
    page = (detailed_reports / report_id / "report.html").read_text(encoding="utf-8")
    assert "White British" in page and "White - British" not in page


def test_survey_odds_ratios_are_by_detailed_group_against_white_british(detailed_reports):
    odds = _results(detailed_reports, "community-trust-detailed", "adjusted_odds_ratios")
    assert set(odds["reference_group"]) == {"White British"}
    assert set(odds["group"]) <= set(DETAILED) and set(BLACK) <= set(odds["group"])
    planted = _truth("survey")["odds_ratios"]["q_discrimination"]["Black"]
    black = odds[(odds["question"] == "q_discrimination") & odds["group"].isin(BLACK)]
    assert len(black) == 3
    for _, row in black.iterrows():
        assert row["lower_ci"] <= planted <= row["upper_ci"], row.to_dict()
        assert row["lower_ci"] > 1, row["group"]  # a difference the report shows
    respondents = _results(detailed_reports, "community-trust-detailed", "respondents_by_group")
    assert respondents["ethnic_group"].tolist()[:16] == DETAILED


def test_agreement_is_recovered_for_every_detailed_category(detailed_reports):
    by_group = _results(detailed_reports, "data-quality-detailed", "agreement_by_group")
    assert by_group["ethnic_group"].tolist() == DETAILED
    planted = _truth("data_quality")["agreement"]["planted_agreement_by_census_group"]
    short = ethnicity.short_labels("nhs_code")
    expected = {short[ethnicity.NHS_CODES[code]]: 100 * share for code, share in planted.items()}
    for _, row in by_group.iterrows():
        assert row["lower_ci"] <= expected[row["ethnic_group"]] <= row["upper_ci"], row.to_dict()
    page = (detailed_reports / "data-quality-detailed" / "report.html").read_text("utf-8")
    assert "representation is shown by high-level group" in page  # the studies are high level


def test_oximeter_bias_is_recovered_in_each_detailed_black_group(detailed_reports):
    bias = _results(detailed_reports, "technology-bias-detailed", "device_bias")
    assert bias["ethnic_group"].tolist()[:16] == DETAILED
    truth = _truth("technology")["oximetry"]
    rows = bias.set_index("ethnic_group")
    for group, family in [*((g, "Black") for g in BLACK), ("White British", "White")]:
        lo, hi = rows.loc[group, ["lower_ci", "upper_ci"]]
        assert lo <= truth[family]["mean_bias"] <= hi, (group, lo, hi)
    odds = _results(detailed_reports, "technology-bias-detailed", "occult_hypoxaemia_odds_ratios")
    assert set(odds["reference"]) == {"White British"}
    excluded = _results(detailed_reports, "technology-bias-detailed", "exclusions")
    left_out = excluded[excluded["reason"].str.endswith("too few for a model")]
    assert len(left_out) and set(odds["group"]).isdisjoint(
        left_out["reason"].str.removesuffix(": too few for a model")
    )
    assert odds["n_used"].isna().all()  # would give a left-out group's size away
