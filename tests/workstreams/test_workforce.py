"""Tests of rhoresearch.workstreams.workforce (WRES indicators) and rhoresearch.demo.workforce."""

from __future__ import annotations

import inspect
import json
import math
import re

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from rhoresearch import data, disclosure
from rhoresearch.demo import workforce as demo_workforce
from rhoresearch.exceptions import InputError, SchemaError
from rhoresearch.workstreams import _wording, community_trust, data_quality, technology, workforce
from rhoresearch.workstreams.workforce.indicators import _flag

W, M, U = workforce.WHITE, workforce.MINORITY, workforce.NOT_KNOWN


def _returns(rows):
    return pd.DataFrame(
        rows,
        columns=[
            "year",
            "org_code",
            "ethnic_group",
            "staff_headcount",
            "shortlisted",
            "appointed",
            "entered_disciplinary",
            "accessed_training",
        ],
    )


# --------------------------------------------------------------------------------------------------
# published worked examples (methods-facts section 1)
# --------------------------------------------------------------------------------------------------


def test_indicator2_published_example_christie():
    # The Christie WRES action plan 2022-23: 46.99% of White vs 14.65% of BAME shortlisted applicants
    # appointed -> "3.2 times". Hand computation: 0.4699 / 0.1465 = 3.2075.
    ret = _returns(
        [
            (2022, "X", W, 100, 10_000, 4_699, 0, 0),
            (2022, "X", M, 100, 10_000, 1_465, 0, 0),
        ]
    )
    res = workforce.appointment_likelihood(ret)
    assert len(res) == 1
    assert res["ethnic_group"].iloc[0] == W and res["reference"].iloc[0] == M
    assert res["value"].iloc[0] == pytest.approx(0.4699 / 0.1465, rel=1e-12)
    assert round(res["value"].iloc[0], 1) == 3.2
    # Katz log interval by hand: se = sqrt(1/4699 - 1/10000 + 1/1465 - 1/10000)
    se = math.sqrt(1 / 4699 - 1 / 10_000 + 1 / 1465 - 1 / 10_000)
    z = 1.959963984540054
    assert res["lower_ci"].iloc[0] == pytest.approx(0.4699 / 0.1465 * math.exp(-z * se), rel=1e-9)
    assert res["upper_ci"].iloc[0] == pytest.approx(0.4699 / 0.1465 * math.exp(z * se), rel=1e-9)
    assert res["flag"].iloc[0] == "above 1.25"
    assert bool(res["significant"].iloc[0])


def test_indicator3_published_example_kmpt():
    # KMPT WRES indicator 3: 1.2% of BAME vs 0.7% of White staff entered the formal disciplinary
    # process -> 1.7. Hand computation: 0.012 / 0.007 = 1.714.
    ret = _returns(
        [
            (2021, "X", W, 10_000, 0, 0, 70, 0),
            (2021, "X", M, 5_000, 0, 0, 60, 0),
            (2021, "X", U, 300, 0, 0, 2, 0),
        ]
    )
    res = workforce.disciplinary_likelihood(ret)
    assert res["ethnic_group"].iloc[0] == M and res["reference"].iloc[0] == W
    assert res["value"].iloc[0] == pytest.approx(0.012 / 0.007, rel=1e-12)
    assert round(res["value"].iloc[0], 1) == 1.7
    # unknown ethnicity is not in the ratio
    assert res["numerator"].iloc[0] == 60 and res["reference_numerator"].iloc[0] == 70


def test_indicator4_below_one_reads_white_less_likely():
    ret = _returns(
        [
            (2022, "X", W, 1000, 0, 0, 0, 400),
            (2022, "X", M, 1000, 0, 0, 0, 500),
        ]
    )
    res = workforce.training_likelihood(ret)
    assert res["value"].iloc[0] == pytest.approx(0.8)
    assert res["flag"].iloc[0] == "within 0.80 to 1.25"


def test_flag_boundaries():
    s = pd.Series([0.79, 0.80, 1.0, 1.25, 1.26, np.nan])
    got = _flag(s).tolist()
    assert got == [
        "below 0.80",
        "within 0.80 to 1.25",
        "within 0.80 to 1.25",
        "within 0.80 to 1.25",
        "above 1.25",
        "not calculable",
    ]


def test_relative_likelihood_by_year_and_missing_group_error():
    ret = _returns(
        [
            (2022, "X", W, 0, 100, 30, 0, 0),
            (2022, "X", M, 0, 100, 20, 0, 0),
            (2023, "X", W, 0, 200, 40, 0, 0),
            (2023, "X", M, 0, 100, 20, 0, 0),
        ]
    )
    res = workforce.appointment_likelihood(ret, by="year")
    assert res["year"].tolist() == [2022, 2023]
    np.testing.assert_allclose(res["value"], [1.5, 1.0])
    with pytest.raises(InputError, match="not found in column"):
        workforce.relative_likelihood(
            ret, numerator="appointed", denominator="shortlisted", focus=W, reference="BME"
        )


def test_representation_by_band_hand_example():
    staff = pd.DataFrame(
        {
            "pay_band": ["Band 5", "Band 5", "Band 5", "VSM", "VSM"],
            "ethnic_group": [W, M, U, W, M],
            "headcount": [60, 40, 10, 9, 1],
        }
    )
    res = workforce.representation_by_band(staff)
    got = res[["pay_band", "numerator", "denominator", "value", "not_known"]]
    expected = pd.DataFrame(
        {
            "pay_band": ["Band 5", "VSM", "All staff"],
            "numerator": [40.0, 1.0, 41.0],
            "denominator": [100.0, 10.0, 110.0],
            "value": [40.0, 10.0, 41 / 110 * 100],
            "not_known": [10, 0, 10],
        }
    )
    assert_frame_equal(got, expected, check_dtype=False)
    np.testing.assert_allclose(res["difference"], [40 - 4100 / 110, 10 - 4100 / 110, 0.0])
    assert (res["method"] == "Wilson").all()


def test_survey_percentages_and_gap():
    survey = pd.DataFrame(
        {
            "measure": ["discrimination_from_manager"] * 2 + ["equal_opportunities"] * 2,
            "ethnic_group": [W, M, W, M],
            "respondents": [1000, 500, 1000, 500],
            "count": [60, 80, 600, 220],
        }
    )
    res = workforce.survey_percentages(survey)
    assert res["indicator"].tolist() == ["7", "7", "8", "8"]
    row = res[(res["measure"] == "discrimination_from_manager") & (res["ethnic_group"] == M)]
    assert row["value"].iloc[0] == pytest.approx(16.0)
    assert row["gap"].iloc[0] == pytest.approx(10.0)
    eq = res[res["measure"] == "equal_opportunities"]
    np.testing.assert_allclose(eq["gap"], [-16.0, -16.0])


def test_board_representation_difference():
    board = pd.DataFrame({"ethnic_group": [W, M, U], "voting_members": [9, 1, 2]})
    staff = pd.DataFrame({"ethnic_group": [W, M, U], "headcount": [700, 300, 50]})
    res = workforce.board_representation(board, staff)
    vals = res.set_index("body")["value"]
    assert vals["Board (voting)"] == pytest.approx(10.0)
    assert vals["Workforce"] == pytest.approx(30.0)
    np.testing.assert_allclose(res["difference"], [-20.0, np.nan])


def test_change_since_previous():
    t = pd.DataFrame(
        {"indicator": ["2", "2", "3"], "year": [2023, 2022, 2022], "value": [1.6, 1.5, 1.2]}
    )
    res = workforce.change_since_previous(t, keys="indicator")
    assert res["previous_value"].iloc[0] == pytest.approx(1.5)
    assert res["change"].iloc[0] == pytest.approx(0.1)
    assert res["previous_value"].iloc[1:].isna().all()
    assert list(t.columns) == ["indicator", "year", "value"]  # input untouched


def test_select_by_code_region_and_errors():
    ret = _returns(
        [
            (2022, "RA1", W, 1, 1, 1, 0, 0),
            (2022, "RB2", W, 1, 1, 1, 0, 0),
            (2023, "RB2", W, 1, 1, 1, 0, 0),
        ]
    )
    orgs = pd.DataFrame(
        {"org_code": ["RA1", "RB2"], "org_name": ["a", "b"], "region": ["London", "Midlands"]}
    )
    assert workforce.select(ret, organisation="RB2")["org_code"].unique().tolist() == ["RB2"]
    assert len(workforce.select(ret, organisation="Midlands", organisations=orgs, year=2023)) == 1
    assert len(workforce.select(ret)) == 3
    with pytest.raises(InputError, match="neither an org_code"):
        workforce.select(ret, organisation="Nowhere", organisations=orgs)
    with pytest.raises(InputError, match="year 2030"):
        workforce.select(ret, year=2030)


def test_harmonise_groups_reads_wres_labels():
    t = pd.DataFrame({"ethnic_group": ["White", "BME", "Unknown", "BAME"], "n": [1, 2, 3, 4]})
    res = workforce.harmonise_groups(t)
    assert res["ethnic_group"].astype(str).tolist() == [W, M, U, M]
    assert t["ethnic_group"].tolist() == ["White", "BME", "Unknown", "BAME"]


def test_unknown_summary_counts_the_excluded():
    ret = _returns(
        [
            (2022, "X", W, 90, 50, 5, 0, 0),
            (2022, "X", M, 0, 40, 4, 0, 0),
            (2022, "X", U, 10, 10, 1, 0, 0),
        ]
    )
    res = workforce.unknown_summary(ret, counts=["staff_headcount", "shortlisted"])
    got = res.set_index("measure")[["numerator", "denominator", "value"]]
    assert got.loc["staff_headcount"].tolist() == [10.0, 100.0, 10.0]
    assert got.loc["shortlisted"].tolist() == [10.0, 100.0, 10.0]


# --------------------------------------------------------------------------------------------------
# demonstration data: determinism, schema, planted effects recovered
# --------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("workforce")
    truth = demo_workforce.generate(out, seed=11)
    tables = {
        stem: data.load(out / f"{stem}.csv", schema=schema)
        for stem, schema in workforce.SCHEMAS.items()
    }
    return out, truth, tables


def test_demo_same_seed_same_bytes(demo, tmp_path):
    out, _truth, _tables = demo
    demo_workforce.generate(tmp_path, seed=11)
    for f in sorted(out.iterdir()):
        assert (tmp_path / f.name).read_bytes() == f.read_bytes(), f.name
    other = tmp_path / "other"
    demo_workforce.generate(other, seed=12)
    assert (other / "workforce_returns.csv").read_bytes() != (
        out / "workforce_returns.csv"
    ).read_bytes()


def test_demo_truth_file_matches_return(demo):
    out, truth, _tables = demo
    assert json.loads((out / "truth.json").read_text()) == truth
    assert truth["n_organisations"] == 200
    assert len(truth["years"]) == 3


def test_demo_shape(demo):
    _out, _truth, t = demo
    assert t["organisations"]["region"].nunique() == 7
    assert set(t["staff_in_post"]["pay_band"]) == set(workforce.PAY_BANDS)
    assert set(t["workforce_returns"]["ethnic_group"]) == {W, M, U}


@pytest.mark.parametrize("year", demo_workforce.YEARS)
def test_demo_planted_national_ratios_recovered(demo, year):
    _out, truth, t = demo
    ret = t["workforce_returns"][t["workforce_returns"]["year"] == year]
    planted = truth["by_year"][str(year)]
    for func, key in (
        (workforce.appointment_likelihood, "national_rl_appointed_white_vs_minority"),
        (workforce.disciplinary_likelihood, "national_rl_disciplinary_minority_vs_white"),
        (workforce.training_likelihood, "national_rl_training_white_vs_minority"),
    ):
        r = func(ret, confidence=0.998).iloc[0]
        assert r["lower_ci"] <= planted[key] <= r["upper_ci"], (key, r["value"], planted[key])
    # national indicator 2 near the published figure
    r2 = workforce.appointment_likelihood(ret).iloc[0]
    assert abs(r2["value"] - planted["national_rl_appointed_target"]) < 0.05


def test_demo_planted_survey_and_outliers(demo):
    _out, truth, t = demo
    survey = workforce.survey_percentages(t["staff_survey"], by="year", confidence=0.998)
    for r in survey.itertuples(index=False):
        planted = truth["by_year"][str(r.year)]["survey_percent"][r.measure][r.ethnic_group]
        assert r.lower_ci <= planted <= r.upper_ci, (r.year, r.measure, r.ethnic_group)
    orgs = workforce.likelihood_by_organisation(t["workforce_returns"], indicator="2", year=2024)
    high = orgs[orgs["org_code"].isin(truth["planted_outliers"]["high_rl_appointed"])]
    assert (high["value"] > high["national_value"]).all()
    assert high["differs_from_national"].sum() >= 3


def test_demo_snowy_white_peaks(demo):
    _out, _truth, t = demo
    rep = workforce.representation_by_band(t["staff_in_post"], by="year")
    r24 = rep[rep["year"] == 2024].set_index("pay_band")["value"]
    assert r24["Band 5"] > r24["All staff"] > r24["Band 8a"] > r24["Band 9"]
    board = workforce.board_representation(t["board"], t["staff_in_post"], by="year")
    assert (board["difference"].dropna() < 0).all()


def test_schema_rejects_bad_returns(tmp_path):
    bad = _returns([(2022, "X", W, 10, 5, 9, 0, 0)])
    path = tmp_path / "bad.csv"
    bad.to_csv(path, index=False)
    with pytest.raises(SchemaError, match="appointed"):
        data.load(path, schema=workforce.RETURNS_SCHEMA)


# --------------------------------------------------------------------------------------------------
# build configuration and report level (slow)
# --------------------------------------------------------------------------------------------------


def test_reports_yml_grid_selects_existing_organisations(tmp_path):
    from rhoresearch import build, demo

    demo.generate_all(tmp_path, only=["workforce"])
    returns = data.load(
        tmp_path / "workforce" / "workforce_returns.csv", schema=workforce.RETURNS_SCHEMA
    )
    orgs = data.load(
        tmp_path / "workforce" / "organisations.csv", schema=workforce.ORGANISATIONS_SCHEMA
    )
    specs = [s for s in build.load() if s.notebook.name == "02-workforce-race-equality.ipynb"]
    assert len(specs) >= 3
    for spec in specs:
        organisation = spec.parameters.get("organisation", "all")
        selected = workforce.select(returns, organisation=organisation, organisations=orgs)
        assert len(selected) > 0, spec.id


def _demo_ready(name: str) -> None:
    from rhoresearch import config

    if not (config.demo_dir() / name / "truth.json").exists():
        pytest.skip(f"demonstration data for {name} not generated (make data)")


@pytest.mark.slow
def test_default_report_builds_passes_disclosure_and_recovers_truth(demo_report):
    from rhoresearch import config, disclosure

    _demo_ready("workforce")
    folder = demo_report("workforce")  # built once per test run (tests/conftest.py)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["status"] == "success"
    assert (folder / "report.html").exists()
    unsafe = disclosure.scan(folder)
    assert unsafe.empty, unsafe
    truth = json.loads((config.demo_dir() / "workforce" / "truth.json").read_text())
    ratios = pd.read_csv(folder / "results" / "indicators2to4_relative_likelihoods.csv")
    keys = {
        2: "national_rl_appointed_white_vs_minority",
        3: "national_rl_disciplinary_minority_vs_white",
        4: "national_rl_training_white_vs_minority",
    }
    covered = []
    for row in ratios.itertuples(index=False):
        # indicator 3 pools two years (WRES): the planted ratios of both years bound its target
        years = [int(y) for y in str(row.years).split("-")]
        planted = [truth["by_year"][str(y)][keys[int(row.indicator)]] for y in years]
        covered.append(float(row.lower_ci) <= max(planted) and min(planted) <= float(row.upper_ci))
    # eight 95% intervals (indicator 3 from the second year): at least seven must cover
    assert len(covered) == 8 and sum(covered) >= 7, covered
    html = (folder / "report.html").read_text(encoding="utf-8")
    assert "emonstration data" in html
    assert html.count("<img") >= 6 and 'alt=""' not in html


def test_demo_calibration_matches_published_wres_figures():
    # the generator's regional and national indicator-2 targets are the published WRES figures
    # (data/reference/wres_indicator2_relative_likelihood_appointed_from_shortlisting.csv)
    ref = data.load_reference("wres_indicator2")
    ref = ref.assign(
        geography=ref["geography"].str.replace("&", "and", regex=False),
        year=ref["year"].astype(str),
    ).set_index(["geography", "year"])["published_relative_likelihood_white_vs_bme"]
    for region, values in demo_workforce._REGIONAL_RL2.items():
        for year, value in zip(demo_workforce.YEARS, values, strict=True):
            assert ref[(region, str(year))] == pytest.approx(value, abs=1e-9), (region, year)
    assert demo_workforce._NATIONAL_RL2[0] == pytest.approx(ref[("England", "2022")])
    assert demo_workforce._NATIONAL_RL2[1] == pytest.approx(ref[("England", "2023")])


@pytest.mark.parametrize(
    "table",
    [
        # numeric suppression: a missing value and its flag column
        pd.DataFrame(
            {
                "pay_band": ["Band 5", "VSM", "All staff"],
                "value": [40.0, np.nan, 37.0],
                "value_suppressed": [False, True, False],
            }
        ),
        # a table read back from a published CSV
        pd.DataFrame({"pay_band": ["Band 5", "VSM", "All staff"], "value": [40.0, "[c]", 37.0]}),
    ],
)
def test_band_shares_carries_suppression(table):
    res = workforce.band_shares(table)
    expected = pd.DataFrame(
        {
            "pay_band": ["Band 5", "Band 5", "VSM", "VSM"],
            "ethnic_group": [M, W, M, W],
            "share": [40.0, 60.0, np.nan, np.nan],
            "share_suppressed": [False, False, True, True],
        }
    )
    assert_frame_equal(res, expected)


def test_appointment_funnel_hand_example():
    ret = _returns(
        [
            (2024, "A", W, 0, 100, 20, 0, 0),
            (2024, "A", M, 0, 100, 10, 0, 0),
            (2024, "B", W, 0, 100, 30, 0, 0),
            (2024, "B", M, 0, 50, 15, 0, 0),
        ]
    )
    points, limits, excluded = workforce.appointment_funnel(ret, year=2024)
    # national relative likelihood (50/200) / (25/150) = 1.5; expected = minority shortlisted x
    # the organisation's White rate / 1.5
    np.testing.assert_allclose(points["national_value"], 1.5)
    np.testing.assert_allclose(points["expected"], [100 * 0.2 / 1.5, 50 * 0.3 / 1.5])
    np.testing.assert_allclose(points["value"], [10 / (20 / 1.5) * 100, 150.0])
    np.testing.assert_allclose(points["relative_likelihood"], [2.0, 1.0])
    assert "significance" in points and (limits["baseline"] == 100).all()
    assert limits["observed_events"].min() >= 5
    assert excluded.empty and list(excluded.columns) == ["step", "reason", "rows"]


# --------------------------------------------------------------------------------------------------
# organisations compared: exclusions returned, published table, outliers
# --------------------------------------------------------------------------------------------------


def test_appointment_funnel_returns_its_exclusions():
    ret = _returns(
        [
            (2024, "A", W, 0, 100, 20, 0, 0),
            (2024, "A", M, 0, 100, 10, 0, 0),
            (2024, "B", W, 0, 100, 30, 0, 0),
            (2024, "B", M, 0, 50, 15, 0, 0),
            (2024, "C", W, 0, 100, 30, 0, 0),  # no ethnic minority applicant shortlisted
            (2024, "C", M, 0, 0, 0, 0, 0),
            (2024, "D", W, 0, 10, 0, 0, 0),  # no White applicant appointed
            (2024, "D", M, 0, 10, 2, 0, 0),
        ]
    )
    res = workforce.appointment_funnel(ret, year=2024)
    assert isinstance(res, workforce.AppointmentFunnel)
    assert res.points["org_code"].tolist() == ["A", "B"]
    expected = pd.DataFrame(
        {
            "step": ["indicator 2 funnel", "indicator 2 funnel"],
            "reason": [
                "no White or no ethnic minority applicant shortlisted",
                "no White applicant appointed",
            ],
            "rows": [1, 1],
        }
    )
    assert_frame_equal(res.exclusions, expected, check_dtype=False)
    assert not res.points.attrs  # nothing travels in attrs


def _points():
    return pd.DataFrame(
        {
            "org_code": ["A", "B", "C", "D"],
            "org_name": ["a", "b", "c", "d"],
            "region": ["London"] * 4,
            "observed": [40.0, 3.0, 60.0, 50.0],
            "expected": [80.0, 6.0, 30.0, 50.0],
            "value": [50.0, 50.0, 200.0, 100.0],
            "relative_likelihood": [2.0, 2.0, 0.5, 1.0],
            "significance": ["Low (0.001)", "Low (0.001)", "High (0.001)", "Not significant"],
            "national_value": [1.0] * 4,
        }
    )


def test_organisation_table_suppresses_and_outliers_skip_suppressed_rows():
    safe = workforce.organisation_table(_points(), threshold=5)
    assert [c for c in safe.columns if not c.endswith("_suppressed")] == (
        workforce.ORGANISATION_COLUMNS
    )
    hidden = disclosure.is_suppressed(safe, "significance")
    assert hidden.tolist() == [False, True, False, False]
    outside = workforce.outside_limits(safe)
    # B is outside the limits but suppressed; A and C are shown, highest likelihood first
    assert outside["org_code"].tolist() == ["A", "C"]
    assert workforce.outside_limits(safe, top=1)["org_code"].tolist() == ["A"]
    excluded = pd.DataFrame(
        {"step": ["s"], "reason": ["no White applicant appointed"], "rows": [2]}
    )
    assert workforce.funnel_note(safe, excluded) == (
        "2 of 4 organisations lie outside the 99.8% limits (2 left out: no White applicant "
        "appointed: 2)."
    )
    assert workforce.funnel_note(safe, excluded.iloc[:0]) == (
        "2 of 4 organisations lie outside the 99.8% limits."
    )


def test_harmonise_groups_logs_unmapped_values(caplog):
    t = pd.DataFrame({"ethnic_group": ["White", "Martian", "Martian", "BME"]})
    with (
        caplog.at_level("WARNING", logger="rhoresearch.workstreams.workforce.datasets"),
        pytest.warns(UserWarning, match="Martian"),
    ):
        res = workforce.harmonise_groups(t)
    assert res["ethnic_group"].astype(str).tolist() == [W, U, U, M]
    assert "2 value(s) counted as not known" in caplog.text and "Martian" in caplog.text


def test_change_since_previous_treats_suppressed_values_as_missing():
    t = pd.DataFrame(
        {
            "indicator": ["2", "2", "2"],
            "year": [2022, 2023, 2024],
            "value": [1.5, np.nan, 1.2],
            "value_suppressed": [False, True, False],
        }
    )
    res = workforce.change_since_previous(t, keys="indicator")
    np.testing.assert_allclose(res["previous_value"], [np.nan, 1.5, np.nan])
    assert res["change"].isna().all()


# --------------------------------------------------------------------------------------------------
# the report's tables and key findings, built from the parameters
# --------------------------------------------------------------------------------------------------


def _small_workforce(board_minority: int = 2):
    returns = _returns(
        [
            (2023, "RA1", W, 1000, 400, 100, 10, 500),
            (2023, "RA1", M, 500, 400, 50, 10, 200),
            (2023, "RA1", U, 20, 10, 2, 0, 5),
            (2024, "RA1", W, 1000, 400, 120, 10, 500),
            (2024, "RA1", M, 600, 400, 60, 12, 300),
            (2024, "RA1", U, 20, 10, 2, 0, 5),
        ]
    )
    staff = pd.DataFrame(
        {
            "year": [2023, 2023, 2024, 2024, 2024, 2024],
            "org_code": ["RA1"] * 6,
            "staff_group": ["Clinical"] * 6,
            "pay_band": ["Band 5", "Band 5", "Band 5", "Band 5", "Band 8a", "Band 8a"],
            "ethnic_group": [W, M, W, M, W, M],
            "headcount": [300, 200, 300, 300, 90, 10],
        }
    )
    survey = pd.DataFrame(
        {
            "year": [2024] * 4,
            "org_code": ["RA1"] * 4,
            "measure": ["discrimination_from_manager"] * 2 + ["equal_opportunities"] * 2,
            "ethnic_group": [W, M, W, M],
            "respondents": [400, 200, 400, 200],
            "count": [24, 30, 240, 90],
        }
    )
    board = pd.DataFrame(
        {
            "year": [2024, 2024],
            "org_code": ["RA1", "RA1"],
            "ethnic_group": [W, M],
            "voting_members": [10, board_minority],
        }
    )
    orgs = pd.DataFrame({"org_code": ["RA1"], "org_name": ["Alpha Trust"], "region": ["London"]})
    return returns, staff, survey, board, orgs


def test_summary_tables_are_suppressed_and_keep_their_columns():
    returns, staff, survey, board, _orgs = _small_workforce()
    tables = workforce.summary_tables(returns, staff, survey, board, year=2024, threshold=5)
    assert tables.n_organisations == 1
    lik = tables.likelihoods
    # indicator 3 pools the reporting year with the one before (WRES technical guidance): one row,
    # for 2024, with the counts of 2023 and 2024 (ethnic minority 10 + 12 of 500 + 600 staff)
    assert lik["indicator"].tolist() == ["2", "2", "3", "4", "4"]
    three = lik[lik["indicator"] == "3"].iloc[0]
    assert (three["year"], three["years"]) == (2024, "2023-2024")
    assert (int(three["numerator"]), int(three["denominator"])) == (22, 1100)
    assert (int(three["reference_numerator"]), int(three["reference_denominator"])) == (20, 2000)
    assert three["label"].endswith(", two-year")
    assert lik[lik["indicator"] == "2"]["years"].tolist() == ["2023", "2024"]
    shown = [c for c in lik.columns if not c.endswith("_suppressed")]
    assert shown[-3:] == ["previous_value", "change", "label"]
    # 2 board members from an ethnic minority: suppressed, with the percentages and difference
    board_row = tables.board[tables.board["body"] == "Board (voting)"].iloc[0]
    assert disclosure.is_suppressed(board_row, "numerator")
    assert disclosure.is_suppressed(board_row, "difference")
    assert tables.bands["pay_band"].tolist() == ["Band 5", "Band 8a", "All staff"]
    assert workforce.workforce_share(tables.bands) == pytest.approx(310 / 700 * 100)
    with pytest.raises(InputError, match="year 2030"):
        workforce.summary_tables(returns, staff, survey, board, year=2030)


def test_findings_are_built_from_the_numbers_and_the_parameters():
    returns, staff, survey, board, orgs = _small_workforce(board_minority=6)
    tables = workforce.summary_tables(returns, staff, survey, board, year=2024, threshold=5)
    lines = workforce.findings(tables, year=2024, organisation="ra1", organisations=orgs)
    assert lines[0] == (
        "**Alpha Trust (RA1), 2024** (1 organisation; relative likelihoods outside 0.80 to 1.25 "
        "are flagged)."
    )
    assert lines[1] == ""
    bullets = lines[2:]
    assert all(line.startswith("- ") for line in bullets)
    assert len(bullets) == 3 + 4 + 1 + 1
    # indicator 2: White 120/400 = 0.30, ethnic minority 60/400 = 0.15 -> 2.00
    assert bullets[0].startswith("- White applicants were 2.00 times as likely as ethnic minority")
    assert "be appointed from shortlisting" in bullets[0]
    assert "reported discrimination from a manager or colleague" in bullets[3]
    # 2024 staff: 300 of 600 in Band 5, 10 of 100 in Band 8a, 310 of 700 in all; no VSM
    assert (
        "44.3% of staff of known ethnicity (44.3% of all staff, unknown ethnicity included, the "
        "WRES definition): 50.0% in Band 5, 10.0% in Band 8a and [x]%"
    ) in bullets[7]
    # board 6 of 16 = 37.5%; 37.5 - 44.29 = -6.8 percentage points
    assert bullets[8] == (
        "- Ethnic minority members were 37.5% of the board's voting membership against 44.3% of "
        "the workforce (difference -6.8 percentage points)."
    )
    region = workforce.findings(tables, year=2024, organisation="London", organisations=orgs)
    assert region[0].startswith("**London region, 2024**")
    assert workforce.findings(tables, year=2024)[0].startswith("**all organisations, 2024**")
    # another confidence level is named in the sentences
    at_90 = workforce.findings(tables, year=2024, confidence=0.9)
    assert "90% CI" in at_90[2] and "95% CI" in bullets[0]


def test_wres_workforce_share_counts_staff_of_unknown_ethnicity():
    # issue 19: the report's shares are of known ethnicity; WRES divides by all staff
    staff = _small_workforce()[1]
    unknown = pd.DataFrame(
        {
            "year": [2024],
            "org_code": ["RA1"],
            "staff_group": ["Clinical"],
            "pay_band": ["Band 5"],
            "ethnic_group": [U],
            "headcount": [75],
        }
    )
    with_unknown = pd.concat([staff, unknown], ignore_index=True)
    # 2024: 310 ethnic minority of 700 known and 75 not known
    share = workforce.wres_workforce_share(with_unknown, year=2024)
    assert share == pytest.approx(100 * 310 / 775)
    assert workforce.wres_workforce_share(staff, year=2024) == pytest.approx(100 * 310 / 700)
    small = with_unknown.assign(
        headcount=with_unknown["headcount"].where(with_unknown["ethnic_group"] != U, 3)
    )
    assert workforce.wres_workforce_share(small, year=2024, threshold=5) is None


def test_pool_years_sums_each_year_with_the_one_before():
    returns = _small_workforce()[0]
    pooled = workforce.pool_years(returns, counts=["entered_disciplinary", "staff_headcount"])
    assert pooled["year"].tolist() == [2024, 2024, 2024]
    assert set(pooled["years"]) == {"2023-2024"}
    by_group = pooled.set_index("ethnic_group")
    assert by_group.loc[M, ["entered_disciplinary", "staff_headcount"]].tolist() == [22, 1100]
    one = workforce.pool_years(returns, counts=["entered_disciplinary"], years=1)
    assert one["years"].tolist() == ["2023"] * 3 + ["2024"] * 3
    assert workforce.pool_years(returns, counts=["staff_headcount"], years=3).empty
    with pytest.raises(InputError, match="years must be 1 or more"):
        workforce.pool_years(returns, counts=["staff_headcount"], years=0)


def test_findings_name_the_pooled_years_of_indicator_3():
    returns, staff, survey, board, orgs = _small_workforce(board_minority=6)
    tables = workforce.summary_tables(returns, staff, survey, board, year=2024, threshold=5)
    lines = workforce.findings(tables, year=2024, organisation="RA1", organisations=orgs)
    assert (
        "to enter a formal disciplinary process in 2023-2024 (2 years pooled, as WRES measures it)"
    ) in lines[3]


def test_findings_say_a_suppressed_board_is_suppressed():
    returns, staff, survey, board, orgs = _small_workforce(board_minority=2)
    tables = workforce.summary_tables(returns, staff, survey, board, year=2024, threshold=5)
    lines = workforce.findings(tables, year=2024, organisation="RA1", organisations=orgs)
    assert lines[-1] == (
        "- The ethnic minority share of the board is suppressed to protect confidentiality ([c])."
    )


# --------------------------------------------------------------------------------------------------
# shared docstring text (rhoresearch.workstreams._wording)
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("package", [workforce, data_quality, technology, community_trust])
def test_public_docstrings_are_filled_and_name_every_parameter(package):
    # the docstrings that take shared text (_wording.document, the WRES and loader templates) show
    # it in full: no "{name}" line is left, and the Parameters section names every parameter
    checked = 0
    for name in package.__all__:
        func = getattr(package, name)
        if not inspect.isfunction(func):
            continue
        doc = inspect.getdoc(func)
        assert doc, name
        assert not re.search(r"^\s*(\{\w+\}|%\(\w+\)s)\s*$", doc, flags=re.MULTILINE), name
        if "Parameters\n----------" not in doc:
            continue
        entries = _wording.parameters(func)
        named = {part.strip().lstrip("*") for key in entries for part in key.split(",")}
        assert set(inspect.signature(func).parameters) <= named, name
        checked += 1
    assert checked >= 5


def test_wres_likelihoods_document_their_own_counts_and_reading():
    doc = workforce.disciplinary_likelihood.__doc__
    assert doc.startswith("WRES indicator 3: ethnic minority staff's likelihood")
    assert "``staff_headcount``, ``entered_disciplinary``" in doc
    assert 'focus="Ethnic minority"' in doc and 'reference="White"' in doc
    assert "Above 1: ethnic minority staff more likely to enter the process." in doc
    assert "Below 1: White staff less likely" in workforce.training_likelihood.__doc__
    assert "``shortlisted``, ``appointed``" in workforce.appointment_likelihood.__doc__


def test_wording_parameters_reads_entries_and_document_fills_them_indented():
    def wrapped(data, *, by=None, confidence=0.95):
        """Something.

        Parameters
        ----------
        data : DataFrame
            The data.
        by : str, optional
            Grouping,
            over two lines.
        confidence : float
            Level.

        Returns
        -------
        DataFrame
        """

    entries = _wording.parameters(wrapped)
    assert list(entries) == ["data", "by", "confidence"]
    assert entries["by"] == "by : str, optional\n    Grouping,\n    over two lines."

    @_wording.document(entries, data="data : DataFrame\n    Mine.")
    def wrapper(data, *, by=None, threshold=5):
        """Wrapper.

        Parameters
        ----------
        {data}
        {by}
        {threshold}
        """

    assert inspect.getdoc(wrapper).splitlines()[4:] == [
        "data : DataFrame",
        "    Mine.",
        "by : str, optional",
        "    Grouping,",
        "    over two lines.",
        "threshold : int, default 5",
        "    Counts from 1 to ``threshold - 1`` are suppressed.",
    ]
    with pytest.raises(KeyError, match="nothing"):

        @_wording.document()
        def broken():
            """Broken.

            Parameters
            ----------
            {nothing}
            """

    with pytest.raises(ValueError, match="no numpydoc Parameters"):
        _wording.parameters(workforce.all_staff_bands)
