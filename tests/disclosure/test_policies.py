"""Tests for the named disclosure policies (issue 16): hand-worked tables from each published rule
where the rules interact (a total recomputed after rounding, a rate whose count is hidden, a zero),
and a property test that no policy lets a count in its forbidden range out."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pandas.testing as pdt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rhoresearch import disclosure
from rhoresearch.exceptions import DisclosureError, InputError

GROUPS = ["Asian", "Black", "Mixed", "White", "Other", "Arab"]


def _table(counts, populations):
    t = pd.DataFrame(
        {
            "ethnic_group": [*GROUPS[: len(counts)], "Total"],
            "count": [*counts, sum(counts)],
            "population": [*populations, sum(populations)],
        }
    )
    t["rate"] = t["count"] / t["population"] * 100_000
    return t


def test_threshold_policy_is_todays_behaviour():
    t = _table([3, 12, 0, 248, 57], [1000, 2000, 500, 10000, 3000])
    default = disclosure.suppress(t, counts="count")
    named = disclosure.suppress(t, counts="count", policy=disclosure.policy("threshold"))
    pdt.assert_frame_equal(named, default)
    assert disclosure.policy() == disclosure.Policy()


def test_nhs_england_hand_worked():
    # NHS England (Mental Health Act statistics, Mental Health Bulletin): below 5 (zero too) as *,
    # the rest rounded to 5, rates from the unrounded counts and hidden with their count, the
    # national total unrounded
    nhs = disclosure.policy("nhs-england")
    t = _table([3, 12, 0, 248, 57], [1000, 2000, 500, 10000, 3000])
    out = disclosure.render(disclosure.suppress(t, counts="count", policy=nhs), policy=nhs)
    assert out["count"].tolist() == ["*", 10, "*", 250, 55, 320]
    assert out["rate"].tolist() == [
        "*",
        600.0,
        "*",
        2480.0,
        1900.0,
        pytest.approx(320 / 16500 * 1e5),
    ]
    assert out["population"].tolist() == t["population"].tolist()


def test_nhs_england_check_refuses_an_unrounded_count_but_not_the_total():
    nhs = disclosure.policy("nhs-england")
    t = _table([12, 248, 57], [2000, 10000, 3000])
    with pytest.raises(DisclosureError, match="multiple of 5"):
        disclosure.check(t, counts="count", policy=nhs)
    safe = disclosure.render(disclosure.suppress(t, counts="count", policy=nhs))
    assert safe["count"].tolist() == [10, 250, 55, 317]  # 317: the total, exact
    disclosure.check(safe, counts="count", policy=nhs)


def test_opensafely_hand_worked():
    # OpenSAFELY: 1 to 7 redacted, the rest rounded to 5, totals recomputed from the rounded
    # parts, rates from the rounded numerator
    osf = disclosure.policy("opensafely")
    t = _table([3, 12, 7, 248, 57, 8], [1000, 2000, 500, 10000, 3000, 1000])
    out = disclosure.render(disclosure.suppress(t, counts="count", policy=osf))
    c = disclosure.SUPPRESSED
    assert out["count"].tolist() == [c, 10, c, 250, 55, 10, 325]  # 325 = 10 + 250 + 55 + 10
    assert out["rate"].tolist() == [
        c,
        pytest.approx(500.0),
        c,
        pytest.approx(2500.0),
        pytest.approx(55 / 3000 * 1e5),
        pytest.approx(1000.0),
        pytest.approx(325 / 17500 * 1e5),
    ]
    disclosure.check(out, counts="count", policy=osf)


def test_opensafely_zero_is_shown_and_threshold_is_a_minimum():
    t = _table([0, 30], [100, 100])
    out = disclosure.render(
        disclosure.suppress(t, counts="count", policy=disclosure.policy("opensafely"))
    )
    assert out["count"].tolist() == [0, 30, 30]
    assert disclosure.policy("opensafely", threshold=5).threshold == 8
    assert disclosure.policy("opensafely", threshold=11).threshold == 11


def test_opensafely_recompute_callable():
    t = _table([12, 248], [2000, 10000])

    def rates(frame):
        return frame.assign(rate=frame["count"].astype(float) / frame["population"] * 1e5)

    out = disclosure.suppress(
        t, counts="count", policy=disclosure.policy("opensafely"), recompute=rates
    )
    assert out["rate"].tolist() == [500.0, 2500.0, pytest.approx(260 / 12000 * 1e5)]


def test_midpoint6_hand_worked():
    assert disclosure.midpoint6([0, 1, 6, 7, 12, 13]).tolist() == [0, 3, 3, 9, 9, 15]
    m6 = disclosure.policy("opensafely", midpoint6=True)
    t = pd.DataFrame({"group": ["A", "B", "C"], "count": [0, 1, 7], "population": [10, 10, 10]})
    t["rate"] = t["count"] / t["population"]
    out = disclosure.suppress(t, counts="count", policy=m6)
    assert list(out.columns) == ["group", "count_midpoint6", "population", "rate_midpoint6_derived"]
    assert out["count_midpoint6"].tolist() == [0, 3, 9]
    assert out["rate_midpoint6_derived"].tolist() == pytest.approx([0, 0.3, 0.9])
    disclosure.check(out, counts="count_midpoint6", policy=m6)
    with pytest.raises(DisclosureError, match="midpoint-6"):
        disclosure.check(t, counts="count", policy=m6)


def test_custom_policy_from_parameters():
    p = disclosure.policy("custom", threshold=10, rounding=10, symbol="~")
    t = _table([4, 26, 140], [100, 100, 100])
    out = disclosure.render(disclosure.suppress(t, counts="count", policy=p), policy=p)
    assert out["count"].tolist() == ["~", "~", 140, 170]
    assert out["rate"].tolist()[:2] == ["~", "~"]


def test_policy_errors():
    with pytest.raises(InputError, match="unknown policy"):
        disclosure.policy("nhs")
    with pytest.raises(InputError, match="unknown option"):
        disclosure.policy("threshold", round=5)
    with pytest.raises(InputError, match="midpoint6"):
        disclosure.policy("nhs-england", midpoint6=True)
    with pytest.raises(InputError, match="derived"):
        disclosure.policy("custom", derived="sometimes")


def test_policy_round_trips_through_a_dict():
    for p in (disclosure.policy("nhs-england"), disclosure.policy("opensafely", midpoint6=True)):
        assert disclosure.policy_from_dict(p.as_dict()) == p


def test_describe_states_each_policy_from_its_fields():
    assert "shown as *" in disclosure.describe(disclosure.policy("nhs-england"))
    assert "nearest 5" in disclosure.describe(disclosure.policy("nhs-england"))
    assert "from 1 to 7" in disclosure.describe(disclosure.policy("opensafely"))
    assert "recomputed" in disclosure.describe(disclosure.policy("opensafely"))
    assert "midpoint-6" in disclosure.describe(disclosure.policy("opensafely", midpoint6=True))
    assert "from 1 to 9" in disclosure.describe(disclosure.policy("threshold", threshold=10))


def test_scan_reads_the_policy_symbol_from_the_sidecar(tmp_path):
    nhs = disclosure.policy("nhs-england")
    t = _table([3, 12, 248], [1000, 2000, 10000])
    out = disclosure.render(disclosure.suppress(t, counts="count", policy=nhs), policy=nhs)
    out.to_csv(tmp_path / "t.csv", index=False)
    disclosure.write_sidecar(tmp_path / "t.csv", counts=["count"], policy=nhs)
    assert disclosure.scan(tmp_path).empty
    # the same file with an unrounded count is refused
    bad = out.copy()
    bad.loc[1, "count"] = 12
    bad.to_csv(tmp_path / "t.csv", index=False)
    assert disclosure.scan(tmp_path)["reason"].str.contains("multiple of 5").any()


# -- property: no policy lets a count in its forbidden range out ------------------------------------

POLICIES = {
    "threshold": disclosure.policy("threshold"),
    "threshold-10": disclosure.policy("threshold", threshold=10),
    "nhs-england": disclosure.policy("nhs-england"),
    "opensafely": disclosure.policy("opensafely"),
    "midpoint6": disclosure.policy("opensafely", midpoint6=True),
    "custom": disclosure.policy("custom", threshold=7, rounding=3, symbol="x"),
}


def _forbidden(name: str, value: float, is_total: bool) -> bool:
    """The published rule, written out independently of Policy.shows."""
    if name == "threshold":
        return 1 <= value <= 4
    if name == "threshold-10":
        return 1 <= value <= 9
    if name == "nhs-england":
        return (not is_total and value % 5 != 0) or 0 <= value <= 4
    if name == "opensafely":
        return 1 <= value <= 7 or value % 5 != 0
    if name == "midpoint6":
        return value != 0 and value % 6 != 3
    return 1 <= value <= 6 or value % 3 != 0


@settings(max_examples=50, deadline=None)
@given(
    counts=st.lists(st.one_of(st.integers(0, 12), st.integers(0, 500)), min_size=2, max_size=6),
    name=st.sampled_from(sorted(POLICIES)),
)
def test_property_no_policy_shows_a_forbidden_count(counts, name):
    p = POLICIES[name]
    t = _table(counts, [1000] * len(counts))
    out = disclosure.suppress(t, counts="count", policy=p)
    column = "count_midpoint6" if p.midpoint6 else "count"
    shown = disclosure.render(out, policy=p)
    for i, value in enumerate(shown[column]):
        if value == p.symbol:
            rate_col = "rate_midpoint6_derived" if p.midpoint6 else "rate"
            assert shown[rate_col].iloc[i] == p.symbol  # a rate whose count is hidden is hidden
            continue
        is_total = shown["ethnic_group"].iloc[i] == "Total"
        assert not _forbidden(name, float(value), is_total), (name, counts, shown[column].tolist())
    # and the check agrees with the output
    disclosure.check(disclosure.render(out), counts=column, policy=p)
    assert np.isfinite(len(shown))


def test_opensafely_leaves_text_columns_that_look_derived_alone():
    # "rate_type" matches the derived naming rule (rate_*) but holds labels
    t = _table([12, 248], [2000, 10000]).assign(rate_type="crude")
    out = disclosure.suppress(t, counts="count", policy=disclosure.policy("opensafely"))
    assert out["rate_type"].tolist() == ["crude"] * 3


@pytest.mark.parametrize("name", ["nhs-england", "opensafely"])
def test_check_accepts_what_suppress_made_under_a_rounding_policy(name):
    # a rounding policy protects by rounding, not secondary suppression: a lone hidden cell in a
    # group is what its publication shows, and check must not refuse what suppress produced
    table = pd.DataFrame(
        {"r": ["a", "a", "b", "b"], "g": ["x", "y", "x", "y"], "count": [3, 50, 20, 40]}
    )
    rules = disclosure.policy(name)
    safe = disclosure.suppress(table, counts="count", by="r", margins=["g"], policy=rules)
    disclosure.check(safe, counts="count", by="r", margins=["g"], policy=rules)
    assert disclosure.is_suppressed(safe, "count").tolist() == [True, False, False, False]
