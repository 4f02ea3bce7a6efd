"""Methods review of workstream 6 (issue 19 item 5 and the minors): each fails on the old behaviour.

- ``standard="population"`` standardises by age AND sex to the all-ethnicity population, as NHS
  England does (NHSDigital/mental-health-act-annual-statistics, ``eth_detentions_sr.py``: the
  crude rate of each ethnicity x gender x age group times that stratum's share of the total
  population), and says "age- and sex-standardised";
- the key findings name the standard and print the region as a name;
- the published (crude) rates sit beside the crude rows only;
- forest captions name the model actually fitted;
- the notebook's wording is not causal and states its Chinese and Arab convention.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from rhoresearch import config
from rhoresearch.workstreams import mental_health as mh

KEYS = ["financial_year", "ethnic_group", "age_band", "sex_group"]


def _strata() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Strata where men and women differ in rates and in each group's sex mix."""
    index = pd.MultiIndex.from_product(
        [["2023-24"], ["White", "Black"], list(mh.AGE_BANDS), list(mh.SEXES)], names=KEYS
    )
    frame = index.to_frame(index=False)
    frame["ethnic_group"] = pd.Categorical(frame["ethnic_group"], categories=list(mh.GROUPS))
    frame["age_band"] = pd.Categorical(frame["age_band"], categories=list(mh.AGE_BANDS))
    frame["sex_group"] = pd.Categorical(frame["sex_group"], categories=list(mh.SEXES))
    male = frame["sex_group"].eq("Male").to_numpy()
    black = frame["ethnic_group"].eq("Black").to_numpy()
    # Black: mostly men; White: mostly women. Men are detained at 3 times the rate of women.
    frame["population"] = np.where(male == black, 30_000, 10_000)
    rate = np.where(male, 0.003, 0.001) * np.where(black, 3.0, 1.0)
    frame["detentions"] = np.round(frame["population"] * rate).astype("int64")
    frame["people"] = frame["detentions"]
    ctos = frame.drop(columns=["detentions", "people"]).assign(ctos=frame["detentions"] // 5)
    return frame, ctos


def _population(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[["ethnic_group", "age_band", "sex_group", "population"]]


def test_population_standard_is_by_age_and_sex():
    detentions, _ = _strata()
    standard = mh.standard_population("population", population=_population(detentions))
    assert isinstance(standard, pd.DataFrame)
    assert standard.columns.tolist() == ["age_band", "sex_group", "standard_population"]
    assert len(standard) == len(mh.AGE_BANDS) * 2
    assert set(standard["standard_population"]) == {40_000.0}


def test_age_and_sex_standardised_rates_follow_nhs_england():
    detentions, ctos = _strata()
    standard = mh.standard_population("population", population=_population(detentions))
    rates = mh.measure_rates(detentions, ctos, standard=standard)
    assert rates["rate_type"].unique().tolist() == ["crude", "age- and sex-standardised"]
    got = rates[(rates["rate_type"] != "crude") & (rates["measure"] == "Detentions")]
    # NHS England: sum over age x sex strata of the stratum's crude rate x its share of the total
    total = detentions["population"].sum()
    shares = detentions.groupby(["age_band", "sex_group"], observed=True)["population"].sum()
    expected = {}
    for group, rows in detentions.groupby("ethnic_group", observed=True):
        rate = rows.set_index(["age_band", "sex_group"])
        expected[group] = float(
            (rate["detentions"] / rate["population"] * shares / total).sum() * 100_000
        )
    values = dict(zip(got["ethnic_group"].astype(str), got["value"], strict=True))
    assert values == pytest.approx(expected)
    # standardising by age alone would not remove the sex mix: Black would be 6.5 times White
    assert values["Black"] / values["White"] == pytest.approx(3.0)


def test_key_findings_name_the_standard_and_the_region():
    detentions, ctos = _strata()
    standard = mh.standard_population("population", population=_population(detentions))
    rates = mh.measure_rates(detentions, ctos, standard=standard)
    crude = mh.measure_ratios(detentions, ctos, year="2023-24")
    comparison = mh.compare_crude_adjusted(
        crude, mh.adjusted_ratios(detentions, ctos, year="2023-24"), keys="measure"
    )
    lines = mh.findings(
        rates,
        comparison,
        year="2023-24",
        region="north-west",
        standard_name=mh.STANDARD_NAMES["population"],
    )
    assert lines[0].startswith("**North West, 2023-24.**")
    assert "by age and sex, NHS England's standard." in lines[0]
    assert sum("age- and sex-standardised detention rate" in line for line in lines) == 2
    esp = mh.measure_rates(detentions, ctos)
    lines = mh.findings(esp, comparison, year="2023-24", standard_name=mh.STANDARD_NAMES["esp2013"])
    assert "2013 European Standard Population" in lines[0]
    assert lines[0].startswith("**England, 2023-24.**")


def test_published_crude_rates_only_beside_crude_rows():
    detentions, ctos = _strata()
    rates = mh.measure_rates(detentions, ctos)
    published = pd.DataFrame(
        {
            "financial_year": ["2023-24"],
            "measure": ["detentions"],
            "ethnic_group": ["Black"],
            "published_group": ["Black or Black British"],
            "published_rate": [228.0],
            "source_note": [""],
        }
    )
    out = mh.rates_with_published(rates, published, measure="detentions", year="2023-24")
    black = out[out["ethnic_group"].astype(str) == "Black"].set_index("rate_type")
    assert black.loc["crude", "published_rate"] == 228.0
    assert black.loc["crude", "published_year"] == "2023-24"
    assert black.loc["age-standardised", ["published_rate", "published_year"]].isna().all()


def test_model_description_names_the_model_fitted():
    comparison = pd.DataFrame(
        {
            "measure": ["Detentions", "Detentions", "People detained", "CTOs"],
            "comparison": ["crude", "adjusted", "adjusted", "adjusted"],
            "fit": ["rate ratio", "negative_binomial", "poisson", "poisson"],
        }
    )
    assert mh.model_description(comparison) == (
        "negative binomial regression (Detentions) and Poisson regression (People detained, "
        "CTOs) on age band and sex"
    )
    poisson = comparison.assign(fit="poisson")
    assert mh.model_description(poisson) == "Poisson regression on age band and sex"
    negbin = comparison.assign(fit="negative_binomial")
    assert mh.model_description(negbin).startswith("negative binomial regression on age band")


def _notebook_text() -> str:
    notebook = json.loads((config.notebooks_dir() / "06-mental-health.ipynb").read_text())
    return "\n".join("".join(cell["source"]) for cell in notebook["cells"])


def test_notebook_wording_is_not_causal_and_states_the_chinese_and_arab_convention():
    text = _notebook_text()
    assert "explain" not in text.lower()
    assert "Poisson regression on age band and sex" not in text  # captions come from the fit
    assert "as NHS Digital)" not in text  # the population standard is by age and sex
    methods = text[text.index("## Methods") :]  # the last section (caveats: things to know)
    assert "mental_health.grouping_note(" in methods  # shown on the page
    assert 'convention="nhs_england"' in methods and "scheme=inputs.scheme" in methods
    for grouping, scheme in (
        ("high_level", "high_level"),
        ("detailed", "nhs_code"),
        ("detailed", "census2021"),
    ):
        note = mh.grouping_note(grouping, subject="x", convention="nhs_england", scheme=scheme)
        assert "Chinese" in note and "Arab" in note, scheme
    high = mh.grouping_note("high_level", subject="x", convention="nhs_england")
    assert "Chinese is counted under Other, as NHS England publishes" in high


def test_regional_rates_use_the_england_population_as_the_standard(tmp_path):
    rows = []
    for region, scale in (("London", 1), ("North West", 3)):
        for band in mh.AGE_BANDS:
            for sex in mh.SEXES:
                young = band in ("20-24", "25-29")
                population = (4000 if young else 1000) * scale if region == "London" else 1000
                rows.append((region, "White", band, sex, population, 5 if young else 2))
    table = pd.DataFrame(
        rows, columns=["region_name", "ethnic_group", "age_band", "sex", "population", "count"]
    )
    table.assign(financial_year="2023-24").drop(columns="population").to_csv(
        tmp_path / "counts.csv", index=False
    )
    table.drop(columns="count").to_csv(tmp_path / "population.csv", index=False)
    options = {
        "detentions": tmp_path / "counts.csv",
        "ctos": "",
        "population": tmp_path / "population.csv",
        "providers": "",
    }
    london = mh.read_inputs(**options, region="london")
    strata = mh.rate_strata(london, standard="population")
    england = table.groupby(["age_band", "sex"])["population"].sum()
    weights = strata.standard.set_index(["age_band", "sex_group"])["standard_population"]
    assert weights.to_numpy() == pytest.approx(england.loc[weights.index].to_numpy())
    assert "England population" in strata.standard_name
