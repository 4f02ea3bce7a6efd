"""Tests of rhoresearch.stats.agreement: Cohen's kappa with its standard error and interval."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from rhoresearch.exceptions import InputError
from rhoresearch.stats.agreement import KAPPA_COLUMNS, kappa

Z95 = 1.959963984540054


def _fce_by_hand(table: list[list[int]]) -> tuple[Fraction, Fraction, Fraction, Fraction]:
    """p_o, p_e, kappa and var(kappa) in exact fractions: Cohen (1960) and the large-sample variance
    of Fleiss, Cohen & Everitt (1969), written out term by term (independent of statsmodels)."""
    k = len(table)
    n = sum(map(sum, table))
    p = [[Fraction(x, n) for x in row] for row in table]
    rows = [sum(r) for r in p]
    cols = [sum(p[i][j] for i in range(k)) for j in range(k)]
    po = sum(p[i][i] for i in range(k))
    pe = sum(rows[i] * cols[i] for i in range(k))
    kap = (po - pe) / (1 - pe)
    a = sum(p[i][i] * (1 - (rows[i] + cols[i]) * (1 - kap)) ** 2 for i in range(k))
    b = (1 - kap) ** 2 * sum(
        p[i][j] * (cols[i] + rows[j]) ** 2 for i in range(k) for j in range(k) if i != j
    )
    c = (kap - pe * (1 - kap)) ** 2
    return po, pe, kap, (a + b - c) / (n * (1 - pe) ** 2)


def _ratings(table: list[list[int]], cats: list[str]) -> pd.DataFrame:
    a, b = [], []
    for i, ca in enumerate(cats):
        for j, cb in enumerate(cats):
            a += [ca] * table[i][j]
            b += [cb] * table[i][j]
    return pd.DataFrame({"rater_1": a, "rater_2": b})


def test_two_by_two_hand_example():
    # [[20, 5], [10, 15]], n = 50: p_o = 0.7, p_e = 0.5*0.6 + 0.5*0.4 = 0.5, kappa = 0.2/0.5 = 0.4.
    # Variance: .4(1 - 1.1*.6)^2 + .3(1 - .9*.6)^2 = 0.10972; .36(.1*1.1^2 + .2*.9^2) = 0.10188;
    # minus (0.4 - 0.5*0.6)^2 = 0.01 -> 0.2016 / (50 * 0.25) = 0.016128.
    res = kappa(np.array([[20, 5], [10, 15]]))
    se = math.sqrt(0.016128)
    expected = pd.DataFrame(
        {
            "n": [50],
            "observed_agreement": [0.7],
            "expected_agreement": [0.5],
            "value": [0.4],
            "se": [se],
            "lower_ci": [0.4 - Z95 * se],
            "upper_ci": [0.4 + Z95 * se],
            "confidence": [0.95],
            "statistic": ["Cohen's kappa"],
            "method": ["Fleiss-Cohen-Everitt SE, normal interval"],
        }
    )
    assert_frame_equal(res, expected, check_exact=False, rtol=1e-9, check_dtype=False)
    assert list(res.columns) == KAPPA_COLUMNS


def test_three_categories_against_exact_fractions():
    # A three-category table of the kind worked in Fleiss, Levin & Paik (2003), chapter 18 (two
    # raters, 100 subjects): p_o = 89/100, p_e = 33/50, kappa = 23/34 = 0.676; the variance
    # 256971/33408400 (SE 0.0877) from the Fleiss-Cohen-Everitt formula in exact fractions.
    table = [[75, 1, 4], [5, 4, 1], [0, 0, 10]]
    po, pe, kap, var = _fce_by_hand(table)
    assert (po, pe, kap) == (Fraction(89, 100), Fraction(33, 50), Fraction(23, 34))
    assert var == Fraction(256971, 33408400)
    res = kappa(pd.DataFrame(table)).iloc[0]
    assert res["observed_agreement"] == pytest.approx(float(po), rel=1e-12)
    assert res["expected_agreement"] == pytest.approx(float(pe), rel=1e-12)
    assert res["value"] == pytest.approx(float(kap), rel=1e-12)
    assert res["se"] == pytest.approx(math.sqrt(float(var)), rel=1e-12)
    assert round(res["value"], 2) == 0.68 and round(res["se"], 4) == 0.0877


def test_paired_ratings_give_the_table_result_and_groups():
    table = [[20, 5], [10, 15]]
    ratings = _ratings(table, ["x", "y"])
    from_ratings = kappa(ratings, rater_a="rater_1", rater_b="rater_2")
    assert_frame_equal(from_ratings, kappa(np.array(table)))
    both = pd.concat(
        [ratings.assign(site="B"), _ratings([[10, 0], [0, 10]], ["x", "y"]).assign(site="A")],
        ignore_index=True,
    )
    before = both.copy()
    res = kappa(both, rater_a="rater_1", rater_b="rater_2", by="site", confidence=0.998)
    assert res["site"].tolist() == ["A", "B"]
    assert res["value"].tolist() == pytest.approx([1.0, 0.4])
    assert res["n"].tolist() == [20, 50]
    assert (res["confidence"] == 0.998).all()
    assert res.loc[1, "lower_ci"] < res.loc[1, "value"] < res.loc[1, "upper_ci"]
    assert list(res.columns) == ["site", *KAPPA_COLUMNS]
    assert_frame_equal(both, before)  # input untouched


def test_unused_categories_do_not_change_kappa_and_interval_is_clipped():
    base = kappa(np.array([[20, 5], [10, 15]]))
    padded = kappa(np.array([[20, 5, 0], [10, 15, 0], [0, 0, 0]]))
    assert padded["value"].iloc[0] == pytest.approx(base["value"].iloc[0], rel=1e-12)
    # perfect agreement on a small table: kappa 1 and the upper limit clipped to 1
    perfect = kappa(np.array([[3, 0], [0, 2]])).iloc[0]
    assert perfect["value"] == 1.0 and perfect["upper_ci"] == 1.0
    ratings = pd.DataFrame({"a": ["x", "y"], "b": ["x", "y"]})
    listed = kappa(ratings, rater_a="a", rater_b="b", categories=["x", "y", "z"])
    assert listed["value"].iloc[0] == 1.0


@pytest.mark.parametrize(
    "table",
    [np.zeros((2, 2)), np.array([[5, 0], [0, 0]]), np.array([[7]])],
    ids=["no subjects", "one category used", "one category"],
)
def test_undefined_kappa_is_missing(table):
    res = kappa(table).iloc[0]
    assert np.isnan(res["value"]) and np.isnan(res["se"]) and np.isnan(res["lower_ci"])
    assert res["n"] == table.sum()


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: kappa(np.array([[1, 2, 3], [4, 5, 6]])), "square"),
        (lambda: kappa(np.array([[1, -2], [3, 4]])), ">= 0"),
        (lambda: kappa(np.array([[1, 2], [3, 4]]), confidence=0.5), "confidence"),
        (lambda: kappa(np.array([[1, 2], [3, 4]]), confidence=95), "did you mean 0.95"),
        (lambda: kappa(np.array([[1, 2], [3, 4]]), by="site"), "paired ratings"),
        (lambda: kappa(pd.DataFrame({"a": ["x"]}), rater_a="a"), "both rater_a and rater_b"),
        (
            lambda: kappa(
                pd.DataFrame({"a": ["x", None], "b": ["x", "y"]}), rater_a="a", rater_b="b"
            ),
            "missing ratings in rows 1",
        ),
        (
            lambda: kappa(
                pd.DataFrame({"a": ["x", "q"], "b": ["x", "y"]}),
                rater_a="a",
                rater_b="b",
                categories=["x", "y"],
            ),
            r"\['q'\] are not among",
        ),
        (lambda: kappa(pd.DataFrame({"a": ["x"]}), rater_a="a", rater_b="b"), "not found"),
    ],
)
def test_bad_arguments_raise(call, match):
    with pytest.raises(InputError, match=match):
        call()
