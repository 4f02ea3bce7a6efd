"""Tests for rhoresearch.stats.funnels: the ``outside_998`` flag and the explicit exclusions.

The funnel numbers themselves are backtested against PHEindicatormethods in
``test_indicators_backtest.py``; these tests cover what the package adds around them.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal, assert_series_equal

from rhoresearch.exceptions import InputError
from rhoresearch.results import exclusions_table
from rhoresearch.stats import dispersion, funnels

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "pheindicatormethods"


def test_outside_998_column_follows_the_labels():
    data = pd.DataFrame({"x": [50, 90, 10, 66, np.nan], "n": [100] * 5})
    got = funnels.funnel_significance(data, statistic="proportion", numerator="x", denominator="n")
    # overall proportion 216/400 = 0.54: the 95% and 99.8% upper limits at n = 100 are about 0.638
    # and 0.694 (Wilson funnel), so 66/100 lies above the 95% limit only
    labels = ["Not significant", "High (0.001)", "Low (0.001)", "High (0.025)", None]
    expected = data.assign(
        significance=pd.Categorical(labels, categories=funnels.SIGNIFICANCE_LEVELS),
        outside_998=[False, True, True, False, False],
    )
    assert_frame_equal(got, expected)


def test_outside_998_on_every_peer_ratio_row():
    data = pd.read_csv(FIXTURES / "funnel_ratio_significance.csv")
    got = funnels.funnel_significance(
        data, statistic="ratio", numerator="observed", denominator="expected"
    )
    assert got["outside_998"].dtype == bool
    # PHEindicatormethods' own labels decide which rows are outside the 99.8% limits
    truth = data["expected_significance"].isin(["High (0.001)", "Low (0.001)"])
    assert truth.any() and not truth.all()
    assert_series_equal(got["outside_998"], truth, check_names=False)


def test_outside_998_is_false_for_dsr_units_not_assessed():
    data = pd.DataFrame({"count": [5, 2400, 2300], "rate": [np.nan, 907.6, 948.6]})
    got = funnels.funnel_significance(
        data, statistic="rate", numerator="count", rate="rate", rate_type="dsr", multiplier=100_000
    )
    assert got["significance"].iloc[0] == funnels.SIGNIFICANCE_LEVELS[-1]
    assert not got["outside_998"].iloc[0]


def test_funnel_limits_leave_out_incomplete_rows_and_funnel_exclusions_counts_them():
    data = pd.DataFrame(
        {
            "obs": [5.0, 20.0, np.nan, 80.0, 12.0, 30.0],
            "exp": [6.0, 15.0, 10.0, 100.0, np.nan, np.nan],
        }
    )
    kw = {"statistic": "ratio", "numerator": "obs", "denominator": "exp"}
    got = funnels.funnel_limits(data, ratio_type="isr", **kw)
    complete = funnels.funnel_limits(data.dropna(), ratio_type="isr", **kw)
    assert_frame_equal(got, complete)
    assert got.attrs == {}  # no side channel
    assert_frame_equal(
        funnels.funnel_exclusions(data, **kw),
        exclusions_table([("missing obs", 1), ("missing exp", 2)], step="funnel limits"),
    )
    assert funnels.funnel_exclusions(data.dropna(), **kw).empty


def test_funnel_exclusions_for_rates_use_the_rate_column():
    data = pd.DataFrame({"ev": [10, 20, 30], "rate": [100.0, np.nan, 300.0], "pop": [1, 2, None]})
    got = funnels.funnel_exclusions(
        data, statistic="rate", numerator="ev", rate="rate", denominator="pop", step="providers"
    )
    assert_frame_equal(got, exclusions_table([("missing rate", 1)], step="providers"))


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"statistic": "mean", "numerator": "x"}, "statistic"),
        ({"statistic": "proportion", "numerator": "x"}, "needs a denominator"),
        ({"statistic": "rate", "numerator": "x"}, "needs rate"),
        ({"statistic": "ratio", "numerator": "x", "denominator": "e"}, r"\['e'\] not found"),
    ],
)
def test_funnel_exclusions_bad_arguments(kw, message):
    with pytest.raises(InputError, match=message):
        funnels.funnel_exclusions(pd.DataFrame({"x": [1]}), **kw)


# over-dispersion (issue 19: Spiegelhalter 2005, section 5), in rhoresearch.stats.dispersion


def _units(seed: int, spread: float, n_units: int = 60) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = rng.integers(200, 5000, n_units)
    p = np.clip(0.8 + rng.normal(0, spread, n_units), 0.01, 0.99)
    return pd.DataFrame({"x": rng.binomial(n, p), "n": n})


def test_dispersion_by_hand_without_winsorising():
    data = pd.DataFrame({"x": [50, 60, 70], "n": [100, 100, 100]})
    got = dispersion.funnel_dispersion(data, numerator="x", denominator="n", winsorise=0).iloc[0]
    # p0 = 0.6, s = sqrt(0.24 / 100) = 0.04899: z = -2.041, 0, 2.041; phi = 2 x 4.1667 / 3
    assert got["target"] == pytest.approx(0.6)
    assert got["phi"] == pytest.approx(2 * (0.1 / np.sqrt(0.0024)) ** 2 / 3)
    assert got["df"] == 2 and got["chi_squared"] == pytest.approx(3 * got["phi"])
    w = 100 / 0.24
    assert got["tau2"] == pytest.approx((3 * got["phi"] - 2) / (3 * w - 3 * w**2 / (3 * w)))
    assert list(got.index) == dispersion.DISPERSION_COLUMNS


def test_dispersion_test_tells_binomial_from_over_dispersed_units():
    calm = dispersion.funnel_dispersion(_units(1, 0.0), numerator="x", denominator="n").iloc[0]
    wild = dispersion.funnel_dispersion(_units(1, 0.05), numerator="x", denominator="n").iloc[0]
    assert not calm["over_dispersed"] and calm["phi"] < 1.5
    assert wild["over_dispersed"] and wild["phi"] > 3 and wild["tau2"] > 0


def test_adjusted_limits_widen_by_phi_or_tau2_and_change_the_labels():
    data = _units(2, 0.05)
    d = dispersion.funnel_dispersion(data, numerator="x", denominator="n").iloc[0]
    plain = dispersion.funnel_limits_adjusted(
        data, numerator="x", denominator="n", adjustment="none"
    )
    mult = dispersion.funnel_limits_adjusted(
        data, numerator="x", denominator="n", adjustment="multiplicative"
    )
    add = dispersion.funnel_limits_adjusted(
        data, numerator="x", denominator="n", adjustment="additive"
    )
    half = (plain["upper_2s_limit"] - plain["baseline"]).to_numpy()
    wide = (mult["upper_2s_limit"] - mult["baseline"]).to_numpy()
    inside = (mult["upper_2s_limit"] < 100).to_numpy() & (plain["upper_2s_limit"] < 100).to_numpy()
    np.testing.assert_allclose(wide[inside], half[inside] * np.sqrt(d["phi"]))
    se = np.sqrt(d["target"] * (1 - d["target"]) / add["population"])
    expected = 100 * (d["target"] + 1.959964 * np.sqrt(se**2 + d["tau2"]))
    keep = (add["upper_2s_limit"] < 100).to_numpy()
    np.testing.assert_allclose(add["upper_2s_limit"][keep], expected[keep], rtol=1e-5)
    assert "phi" in mult["method"].iloc[0] and "tau^2" in add["method"].iloc[0]
    before = dispersion.funnel_significance_adjusted(
        data, numerator="x", denominator="n", adjustment="none"
    )
    after = dispersion.funnel_significance_adjusted(
        data, numerator="x", denominator="n", adjustment="multiplicative"
    )
    assert after["outside_998"].sum() < before["outside_998"].sum()
    with pytest.raises(InputError, match="adjustment must be one of"):
        dispersion.funnel_limits_adjusted(data, numerator="x", denominator="n", adjustment="x")
