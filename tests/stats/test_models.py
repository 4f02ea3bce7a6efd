"""Tests for rhoresearch.stats.models: planted effects are recovered, and results equal direct statsmodels
calls (formula API, a separate code path from the wrappers' own design matrices)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
import statsmodels.formula.api as smf
from pandas.testing import assert_frame_equal

from rhoresearch.exceptions import InputError
from rhoresearch.results import exclusions_table
from rhoresearch.stats import models

RR_TRUE = {"Asian": 1.5, "Black": 3.0}
OR_TRUE = {"Asian": 0.8, "Black": 2.0}


def rate_data(seed=11, overdispersion=None, n=3000):
    rng = np.random.default_rng(seed)
    data = pd.DataFrame(
        {
            "eth": rng.choice(["White", "Black", "Asian"], n),
            "age": rng.choice(["0-39", "40-64", "65+"], n),
            "imd": rng.integers(1, 6, n),
        }
    )
    data["pop"] = rng.integers(200, 5000, n)
    log_mu = (
        np.log(data["pop"] * 2e-3)
        + np.log(data["eth"].map(RR_TRUE).fillna(1.0))
        + data["age"].map({"0-39": 0.0, "40-64": 0.4, "65+": 1.0})
        + 0.1 * data["imd"]
    )
    mu = np.exp(log_mu)
    if overdispersion:
        mu = mu * rng.gamma(1 / overdispersion, overdispersion, n)
    data["count"] = rng.poisson(mu)
    return data


def binary_data(seed=5, n=6000):
    rng = np.random.default_rng(seed)
    patients = n // 3
    pid = np.repeat(np.arange(patients), 3)
    eth = np.repeat(rng.choice(["White", "Black", "Asian"], patients), 3)
    sex = np.repeat(rng.choice(["F", "M"], patients), 3)
    frailty = np.repeat(rng.normal(0, 0.5, patients), 3)
    logit = -1.0 + np.log(pd.Series(eth).map(OR_TRUE).fillna(1.0)) + 0.3 * (sex == "M") + frailty
    y = rng.random(n) < 1 / (1 + np.exp(-logit))
    return pd.DataFrame({"pid": pid, "eth": eth, "sex": sex, "y": y.astype(int)})


def test_poisson_recovers_planted_rate_ratios_and_matches_statsmodels():
    data = rate_data()
    got = models.poisson_model(
        data,
        count="count",
        population="pop",
        group="eth",
        reference="White",
        covariates=["age", "imd"],
    )
    assert got.model.unique().tolist() == ["poisson"]
    assert got.group.tolist() == ["Asian", "Black", "White"]
    ref = got[got.is_reference].iloc[0]
    assert ref.group == "White" and ref.estimate == 1 and np.isnan(ref.lower_ci)
    for level, truth in RR_TRUE.items():
        row = got[got.group == level].iloc[0]
        assert row.lower_ci < truth < row.upper_ci
    direct = smf.glm(
        "count ~ C(eth, Treatment('White')) + C(age) + imd",
        data=data,
        family=sm.families.Poisson(),
        offset=np.log(data["pop"]),
    ).fit()
    for level in RR_TRUE:
        name = f"C(eth, Treatment('White'))[T.{level}]"
        row = got[got.group == level].iloc[0]
        assert row.estimate == pytest.approx(np.exp(direct.params[name]), rel=1e-8)
        lo, hi = np.exp(direct.conf_int().loc[name])
        assert (row.lower_ci, row.upper_ci) == pytest.approx((lo, hi), rel=1e-8)
        assert row.p_value == pytest.approx(direct.pvalues[name], rel=1e-6, abs=1e-300)
    assert got.n_used.iloc[0] == len(data) and got.n_excluded.iloc[0] == 0


def test_overdispersion_switches_to_negative_binomial():
    data = rate_data(overdispersion=0.5)
    auto = models.poisson_model(
        data, count="count", population="pop", group="eth", reference="White", covariates=["age"]
    )
    assert auto.model.iloc[0] == "negative_binomial"
    assert auto.dispersion.iloc[0] > 1.5
    direct = smf.negativebinomial(
        "count ~ C(eth, Treatment('White')) + C(age)", data=data, offset=np.log(data["pop"])
    ).fit(disp=0)
    for level, truth in RR_TRUE.items():
        row = auto[auto.group == level].iloc[0]
        name = f"C(eth, Treatment('White'))[T.{level}]"
        assert row.estimate == pytest.approx(np.exp(direct.params[name]), rel=1e-4)
        assert row.lower_ci < truth < row.upper_ci
    forced = models.poisson_model(
        data, count="count", population="pop", group="eth", reference="White", family="poisson"
    )
    assert forced.model.iloc[0] == "poisson"


def test_poisson_exclusions_are_counted():
    data = rate_data(n=500)
    data.loc[[0, 1, 2], "age"] = None
    data.loc[3, "pop"] = 0
    data.loc[[1, 4], "count"] = np.nan
    got = models.poisson_model(
        data, count="count", population="pop", group="eth", reference="White", covariates=["age"]
    )
    assert got.n_excluded.iloc[0] == 5
    assert got.n_used.iloc[0] == 495
    assert got.excluded.iloc[0] == "missing count: 2; missing age: 3; pop <= 0: 1"
    assert got.attrs == {}  # no side channel: the breakdown comes from model_exclusions
    table = models.model_exclusions(
        data, count="count", population="pop", group="eth", covariates=["age"]
    )
    expected = exclusions_table(
        [("missing count", 2), ("missing age", 3), ("pop <= 0", 1)], step="adjusted model"
    )
    assert_frame_equal(table, expected)


def test_logistic_exclusions_table_matches_the_models_excluded_column():
    data = binary_data(n=300).astype({"pid": "float64"})
    data.loc[[0, 1], "sex"] = None
    data.loc[[1, 2, 3], "pid"] = np.nan
    data.loc[4, "y"] = np.nan
    kw = {"outcome": "y", "group": "eth", "covariates": ["sex"], "cluster": "pid"}
    got = models.logistic_model(data, reference="White", **kw)
    assert got.n_excluded.iloc[0] == 5
    assert got.excluded.iloc[0] == "missing y: 1; missing pid: 3; missing sex: 2"
    table = models.model_exclusions(data, step="odds ratios", **kw)
    expected = exclusions_table(
        [("missing y", 1), ("missing pid", 3), ("missing sex", 2)], step="odds ratios"
    )
    assert_frame_equal(table, expected)


def test_model_exclusions_empty_and_bad_arguments():
    data = rate_data(n=50)
    none = models.model_exclusions(data, count="count", population="pop", group="eth")
    assert none.empty and none.columns.tolist() == ["step", "reason", "rows"]
    with pytest.raises(InputError, match="count and population"):
        models.model_exclusions(data, count="count", group="eth")
    with pytest.raises(InputError, match="count and population"):
        models.model_exclusions(data, count="count", population="pop", outcome="y", group="eth")
    with pytest.raises(InputError, match=r"\['zzz'\] not found"):
        models.model_exclusions(data, outcome="zzz", group="eth")


def test_logistic_recovers_odds_ratios_cluster_robust_and_matches_statsmodels():
    data = binary_data()
    got = models.logistic_model(
        data, outcome="y", group="eth", reference="White", covariates=["sex"], cluster="pid"
    )
    assert got.model.iloc[0] == "logistic"
    for level, truth in OR_TRUE.items():
        row = got[got.group == level].iloc[0]
        assert row.lower_ci < truth < row.upper_ci
    direct = smf.glm(
        "y ~ C(eth, Treatment('White')) + C(sex)", data=data, family=sm.families.Binomial()
    ).fit(cov_type="cluster", cov_kwds={"groups": data["pid"]})
    for level in OR_TRUE:
        name = f"C(eth, Treatment('White'))[T.{level}]"
        row = got[got.group == level].iloc[0]
        assert row.estimate == pytest.approx(np.exp(direct.params[name]), rel=1e-8)
        lo, hi = np.exp(direct.conf_int().loc[name])
        assert (row.lower_ci, row.upper_ci) == pytest.approx((lo, hi), rel=1e-8)
    naive = models.logistic_model(
        data, outcome="y", group="eth", reference="White", covariates=["sex"]
    )
    # repeated readings per patient: the cluster-robust interval is wider than the naive one
    width = (got.upper_ci - got.lower_ci).dropna()
    naive_width = (naive.upper_ci - naive.lower_ci).dropna()
    assert (width.to_numpy() > naive_width.to_numpy()).all()


def test_logistic_frequency_weights_equal_expanded_rows():
    rng = np.random.default_rng(3)
    agg = pd.DataFrame(
        {
            "eth": ["White", "White", "Black", "Black", "Asian", "Asian"],
            "y": [0, 1, 0, 1, 0, 1],
            "w": rng.integers(20, 200, 6),
        }
    )
    expanded = agg.loc[agg.index.repeat(agg["w"])].reset_index(drop=True)
    a = models.logistic_model(agg, outcome="y", group="eth", reference="White", weights="w")
    b = models.logistic_model(expanded, outcome="y", group="eth", reference="White")
    cols = ["group", "estimate", "lower_ci", "upper_ci"]
    assert_frame_equal(a[cols], b[cols], check_exact=False, rtol=1e-8)


def test_logistic_bad_outcome_and_reference():
    data = pd.DataFrame({"eth": ["a", "b", "a"], "y": [0, 2, 1]})
    with pytest.raises(InputError, match=r"outcome 'y' must be 0/1.*rows 1"):
        models.logistic_model(data, outcome="y", group="eth", reference="a")
    data["y"] = [0, 1, 1]
    with pytest.raises(InputError, match="reference group 'zzz'"):
        models.logistic_model(data, outcome="y", group="eth", reference="zzz")


def test_several_confidence_levels_and_covariate_rows():
    data = rate_data(n=800)
    got = models.poisson_model(
        data,
        count="count",
        population="pop",
        group="eth",
        reference="White",
        covariates=["age", "imd"],
        categorical=["imd"],
        confidence=(0.95, 0.998),
        include_covariates=True,
    )
    black = got[got.group == "Black"]
    assert black.confidence.tolist() == [0.95, 0.998]
    assert black.lower_ci.iloc[1] < black.lower_ci.iloc[0]
    assert set(got.term) == {"eth", "age", "imd"}
    assert sorted(got[got.term == "imd"].group.unique().tolist()) == [2, 3, 4, 5]


def test_models_do_not_modify_input():
    data = rate_data(n=300)
    data.loc[0, "age"] = None
    before = data.copy(deep=True)
    models.poisson_model(
        data, count="count", population="pop", group="eth", reference="White", covariates=["age"]
    )
    assert_frame_equal(data, before)
    binary = binary_data(n=300)
    before = binary.copy(deep=True)
    models.logistic_model(binary, outcome="y", group="eth", reference="White", cluster="pid")
    assert_frame_equal(binary, before)
