"""The maternity minors of issue 19: each sentence follows the numbers, the fit and the parameters.

- stillbirth and neonatal rates are per baby, so sentences speak of babies, not of mothers;
- adjusted ratios are described "after adjusting for", never as "explained by";
- forest captions name the model actually fitted (Poisson or negative binomial), from the fit;
- the page states where Chinese and Arab are counted;
- regions are printed as the data name them ("london" -> "London").
"""

from __future__ import annotations

import json

import pandas as pd
import pytest

from rhoresearch import config
from rhoresearch.exceptions import InputError
from rhoresearch.report import narrative
from rhoresearch.workstreams import _grouping, maternity

NOTEBOOK = config.notebooks_dir() / "05-maternal-neonatal.ipynb"


def _cells(kind: str) -> str:
    cells = json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]
    return "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == kind)


def test_sentences_speak_of_babies_when_the_rate_is_per_baby():
    """Fails on the old wording "Black mothers were 2.2 times as likely ... to have a stillbirth"
    (rates per 1,000 births: a mother of twins counts twice)."""
    for outcome in maternity.OUTCOMES:
        per_baby = outcome.denominator in ("births", "live_births")
        assert ("babies" in outcome.noun) is per_baby, outcome.name
        assert "have a" not in outcome.outcome, outcome.name
    still = next(o for o in maternity.OUTCOMES if o.name == "Stillbirth")
    row = pd.Series(
        {
            "ethnic_group": "Black",
            "value": 2.2,
            "lower_ci": 2.0,
            "upper_ci": 2.4,
            "is_reference": False,
        }
    )
    sentence = narrative.ratio_sentence(
        row, group_col="ethnic_group", outcome=still.outcome, comparator="White", noun=still.noun
    )
    assert sentence.startswith(
        "Black mothers' babies were 2.2 times as likely as White mothers' babies to be stillborn"
    )


def test_adjusted_ratios_are_not_worded_as_causes():
    text = " ".join((_cells("markdown") + _cells("code")).split())
    assert "explained by" not in text
    assert "after adjusting for age and deprivation" in text


def _comparison(fit_maternal: str, fit_still: str) -> pd.DataFrame:
    rows = []
    for outcome, fit in (("Maternal death", fit_maternal), ("Stillbirth", fit_still)):
        rows.append({"outcome": outcome, "comparison": "crude", "fit": "rate ratio"})
        rows.append({"outcome": outcome, "comparison": "adjusted", "fit": fit})
    return pd.DataFrame(rows)


def test_forest_captions_name_the_model_fitted():
    comparison = _comparison("poisson", "negative_binomial")
    assert maternity.model_names(comparison) == {
        "Maternal death": "Poisson regression",
        "Stillbirth": "negative binomial regression",
    }
    caption = maternity.forest_caption(comparison, "Stillbirth", confidence=0.99)
    assert caption == (
        "Crude: rate ratio (log method); adjusted: negative binomial regression on age band and "
        "deprivation quintile. Lines: 99% intervals."
    )
    assert "adjusted: Poisson regression" in maternity.forest_caption(comparison, "Maternal death")
    sentence = maternity.model_sentence(comparison)
    assert "a Poisson regression (Maternal death)" in sentence
    assert "a negative binomial regression (Stillbirth)" in sentence
    crude_only = comparison[comparison["comparison"] == "crude"]
    assert "no adjusted ratio" in maternity.forest_caption(crude_only, "Stillbirth")
    with pytest.raises(InputError, match="fit"):
        maternity.model_names(_comparison("logistic", "poisson"))
    # the notebook takes its captions from the fit, and types no model name into them
    code = _cells("code")
    assert "maternity.forest_caption(" in code
    assert "Poisson regression" not in code


def test_the_page_states_where_chinese_and_arab_are_counted():
    # the shared wording (workstreams._grouping.grouping_note) with MBRRACE-UK's convention
    assert maternity.grouping_note is _grouping.grouping_note
    note = maternity.grouping_note(
        "high_level", subject="the mother's NHS ethnic category", convention="mbrrace"
    )
    assert "Chinese is counted under Other" in note and "MBRRACE-UK" in note
    assert "Arab" in note and "Any other ethnic group" in note
    detailed = maternity.grouping_note("detailed", subject="x", census_only="kept")
    assert "16 NHS ethnic categories" in detailed and "keeps Arab" in detailed
    code = _cells("code")
    assert "maternity.grouping_note(" in code and 'convention="mbrrace"' in code
    assert 'census_only="kept"' in code


def _records(region_names: list[str]) -> pd.DataFrame:
    n = len(region_names)
    return pd.DataFrame(
        {
            "maternity_id": range(1, n + 1),
            "year": [2018] * n,
            "ethnic_category": ["A"] * n,
            "age_band": ["25-29"] * n,
            "imd_quintile": [1] * n,
            "region_code": ["Y56" if r == "London" else "Y62" for r in region_names],
            "region_name": region_names,
            "number_of_babies": [1] * n,
            "maternal_death": [False] * n,
        }
    )


def test_regions_are_printed_as_the_data_name_them():
    """Fails on the old notebook, which printed the parameter as typed ("london")."""
    records = _records(["London", "London", "North West"])
    inputs = maternity.read_inputs(records, "", "", region="london")
    assert inputs.area == "London"
    assert maternity.read_inputs(records, "", "", region="Y62").area == "North West"
    assert maternity.read_inputs(records, "", "").area == "England"
    code = _cells("code")
    assert "{region}" not in code and "region=area" in code
