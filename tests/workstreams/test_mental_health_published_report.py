"""Notebook 06 on a published table, end to end through the build: the README's worked example.

The publication is shaped as NHS England's Mental Health Act tables are downloaded: long format,
a Measure column (only "All detentions" is used), ethnic groups without their upper group
("Indian", "Arab"), financial years written "2023/24", a Total row. The populations are the Census
2021 TS021 counts for England by the 19 detailed groups (``data/reference/``). Done when (issue
15): the crude rates per 100,000 are exactly count / population x 100,000 for every group, at both
groupings: the 19 Census groups (grouping="detailed": every table has Census-only groups) and the
five high-level groups (Chinese and Arab under Other, as NHS England publishes).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rhoresearch import build, config, disclosure, ethnicity

pytestmark = pytest.mark.slow

REFERENCE = config.project_root() / "data" / "reference"


def _census_england() -> pd.DataFrame:
    table = pd.read_csv(REFERENCE / "census2021_ts021_ethnic_group_england_wales.csv")
    rows = table[(table["geography"] == "England") & (table["category_level"] == "detail")]
    short = rows["category"].str.split(": ").str[1]
    short = short.replace({"English, Welsh, Scottish, Northern Irish or British": "White British"})
    return pd.DataFrame({"label": short.to_numpy(), "population": rows["count"].to_numpy()})


def _write_inputs(tmp_path) -> tuple[pd.DataFrame, pd.DataFrame]:
    census = _census_england()
    rng = np.random.default_rng(15)
    detentions = pd.DataFrame(
        {
            "Year": "2023/24",
            "Measure": "All detentions",
            "Ethnic group": [*census["label"], "Not stated", "Total"],
            "Value": [*rng.integers(20, 4000, len(census)), 700, 0],
        }
    )
    other = detentions.assign(Measure="Detentions under Part 3", Value=detentions["Value"] // 3)
    pd.concat([detentions, other]).to_csv(tmp_path / "mha_detentions.csv", index=False)
    census.rename(columns={"label": "Ethnic group", "population": "Usual residents"}).to_csv(
        tmp_path / "census2021_england.csv", index=False
    )
    return detentions.iloc[: len(census)], census


def _readme_example() -> str:
    """The reports.yml entry of the README section "Running a report on published statistics"."""
    readme = (config.project_root() / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Running a report on published statistics") :]
    return section[section.index("```yaml\n") + 8 : section.index("```\n", 8)]


def _config(tmp_path):
    """The README's entry, with its files in ``tmp_path``, at both groupings."""
    example = _readme_example().replace("data/raw/", f"{tmp_path}/")
    example = example.replace("notebooks/", f"{config.notebooks_dir()}/")
    assert "grouping: detailed" in example and "reference_group: White British" in example
    high = example.replace("grouping: detailed", "grouping: high_level")
    high = high.replace("reference_group: White British", "reference_group: White")
    high = high.replace("id: mental-health-published", "id: mental-health-published-high")
    path = tmp_path / "reports.yml"
    path.write_text("reports:\n" + example + high, encoding="utf-8")
    return path


def _crude(folder) -> pd.DataFrame:
    rates = pd.read_csv(folder / "results" / "rates_by_year.csv")
    assert rates.columns.tolist() == [
        "measure",
        "rate_type",
        "financial_year",
        "ethnic_group",
        "count",
        "population",
        "value",
        "lower_ci",
        "upper_ci",
        "method",
    ]
    assert set(rates["rate_type"]) == {"crude"}  # no age bands: no standardised rates
    assert set(rates["financial_year"]) == {"2023-24"}
    return rates.set_index("ethnic_group")


def test_a_publication_runs_end_to_end_and_gives_count_over_population(tmp_path):
    published, census = _write_inputs(tmp_path)
    specs = build.load(_config(tmp_path))
    build.validate(specs)
    built = {}
    for spec in specs:
        manifest = build.build_report(
            spec, reports_dir=tmp_path / "reports", force=True, update_index=False
        )
        assert manifest["status"] == "success", spec.id
        built[spec.parameters["grouping"]] = tmp_path / "reports" / spec.id
        assert disclosure.scan(built[spec.parameters["grouping"]]).empty
    counts = dict(zip(published["Ethnic group"], published["Value"], strict=True))
    population = dict(zip(census["label"], census["population"], strict=True))

    detailed = _crude(built["detailed"])
    assert len(detailed) == 19
    census_labels = ethnicity.harmonise(pd.Series(list(counts)), to="census2021")
    short = ethnicity.short_labels("census2021")  # detailed groups by their short labels
    for label, category in zip(counts, census_labels.map(short), strict=True):
        row = detailed.loc[category]
        assert (row["count"], row["population"]) == (counts[label], population[label])
        assert row["value"] == pytest.approx(counts[label] / population[label] * 100_000, rel=1e-9)

    high = _crude(built["high_level"])
    groups = ethnicity.harmonise(pd.Series(list(counts)), to="high_level", chinese="other")
    expected = (
        pd.DataFrame(
            {
                "group": groups.astype(str),
                "count": counts.values(),
                "population": population.values(),
            }
        )
        .groupby("group")[["count", "population"]]
        .sum()
    )
    assert expected.loc["Other", "population"] == sum(
        population[g] for g in ("Chinese", "Arab", "Any other ethnic group")
    )
    for group, row in expected.iterrows():
        assert (high.loc[group, "count"], high.loc[group, "population"]) == tuple(row)
        assert high.loc[group, "value"] == pytest.approx(
            row["count"] / row["population"] * 100_000, rel=1e-9
        )
    ratios = pd.read_csv(built["detailed"] / "results" / "rate_ratios_crude_adjusted.csv")
    assert set(ratios["reference"]) == {"White British"}
    assert set(ratios["comparison"]) == {"crude"}
    page = (built["high_level"] / "report.html").read_text()
    assert "Standardised rates are not shown" in page
    assert "ctos_path is empty" in page
