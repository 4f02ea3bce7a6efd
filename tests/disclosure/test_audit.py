"""Tests for the interval audit (issue 19): rhoresearch.disclosure.interval_audit, and suppress and
check using it."""

from __future__ import annotations

import io
import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from rhoresearch import disclosure
from rhoresearch.exceptions import DisclosureError

# workforce-rmd, indicator1_pay_bands.csv, as computed (before suppression). The published table
# (the baseline build) hid Band 8c and 8d of every staff group; the eight cells hidden there are
# filled in with the values the totals allow (Non-clinical 8c and 8d: 531 - 529 = 2, each at least
# 1, so both 1; the others consistent with the Clinical and All staff totals).
_BANDS = """staff_group,pay_band,numerator,denominator
All staff,Band 1,6,41
All staff,Band 2,263,1747
All staff,Band 3,200,1505
All staff,Band 4,110,963
All staff,Band 5,388,2079
All staff,Band 6,263,1894
All staff,Band 7,122,1152
All staff,Band 8a,42,501
All staff,Band 8b,14,183
All staff,Band 8c,6,84
All staff,Band 8d,4,35
All staff,Band 9,0,13
All staff,VSM,0,8
All staff,All staff,1418,10205
Clinical,Band 2,127,781
Clinical,Band 3,66,515
Clinical,Band 4,31,288
Clinical,Band 5,306,1701
Clinical,Band 6,220,1603
Clinical,Band 7,96,909
Clinical,Band 8a,24,337
Clinical,Band 8b,9,113
Clinical,Band 8c,5,55
Clinical,Band 8d,3,24
Clinical,Band 9,0,6
Clinical,All staff,887,6332
Non-clinical,Band 1,6,41
Non-clinical,Band 2,136,966
Non-clinical,Band 3,134,990
Non-clinical,Band 4,79,675
Non-clinical,Band 5,82,378
Non-clinical,Band 6,43,291
Non-clinical,Band 7,26,243
Non-clinical,Band 8a,18,164
Non-clinical,Band 8b,5,70
Non-clinical,Band 8c,1,29
Non-clinical,Band 8d,1,11
Non-clinical,Band 9,0,7
Non-clinical,VSM,0,8
Non-clinical,All staff,531,3873
"""
COUNTS = ["numerator", "n_white", "denominator"]
# how the workforce workstream publishes it (workforce.findings: _BAND_TABLE, BAND_TABLE_CHECK)
RULES = {
    "by": "staff_group",
    "margins": ["pay_band"],
    "row_total": "denominator",
    "total_label": "All staff",
}


def _bands() -> pd.DataFrame:
    t = pd.read_csv(io.StringIO(_BANDS))
    t.insert(3, "n_white", t["denominator"] - t["numerator"])
    t["value"] = t["numerator"] / t["denominator"] * 100
    return t


def _baseline_pattern(t: pd.DataFrame) -> pd.DataFrame:
    """The published (baseline) table: Band 8c and 8d hidden in every group, nothing else."""
    out = t.astype({"numerator": object, "n_white": object, "value": object})
    hidden = out["pay_band"].isin(["Band 8c", "Band 8d"])
    out.loc[hidden, ["numerator", "n_white", "value"]] = disclosure.SUPPRESSED
    return out


def _row(t, group, band):
    return t.index[(t["staff_group"] == group) & (t["pay_band"] == band)][0]


def test_workforce_rmd_leak_is_found_by_the_audit():
    t = _bands()
    published = _baseline_pattern(t)
    audit = disclosure.interval_audit(published, counts=COUNTS, **RULES)
    exposed = audit[audit["exposed"]]
    for band in ("Band 8c", "Band 8d"):
        row = exposed[(exposed["row"] == _row(t, "Non-clinical", band))]
        got = row.set_index("column").loc["numerator"]
        assert (got["lower"], got["upper"]) == (1.0, 1.0)


def test_workforce_rmd_baseline_pattern_is_refused_by_check():
    published = _baseline_pattern(_bands())
    with pytest.raises(DisclosureError, match="interval audit"):
        disclosure.check(published, counts=COUNTS, **RULES)


def test_workforce_rmd_suppress_leaves_no_cell_exposed():
    t = _bands()
    out = disclosure.suppress(t, counts=COUNTS, derived=["value"], **RULES)
    audit = disclosure.interval_audit(out, counts=COUNTS, original=t, **RULES)
    assert not audit["exposed"].any()
    # the old pattern (8c and 8d only) is no longer enough: Band 8b is hidden too
    hidden = out.loc[disclosure.is_suppressed(out, "numerator"), ["staff_group", "pay_band"]]
    assert ("Non-clinical", "Band 8b") in set(map(tuple, hidden.to_numpy()))
    disclosure.check(disclosure.render(out), counts=COUNTS, **RULES)


def test_audit_interval_of_a_one_way_table_with_total_row():
    t = pd.DataFrame({"group": ["A", "B", "C", "Total"], "count": [3, 2, 40, 45]})
    published = t.astype({"count": object})
    published.loc[[0, 1], "count"] = disclosure.SUPPRESSED
    audit = disclosure.interval_audit(published, counts="count")
    assert audit[["lower", "upper"]].to_numpy().tolist() == [[1.0, 4.0], [1.0, 4.0]]
    assert audit["exposed"].all()
    # with zeros suppressed too, a hidden cell may be 0: 0..5 is not inside 1..4
    audit0 = disclosure.interval_audit(published, counts="count", suppress_zero=True)
    assert not audit0["exposed"].any()


def test_protection_width():
    t = pd.DataFrame({"group": ["A", "B", "C", "Total"], "count": [3, 20, 40, 63]})
    published = t.astype({"count": object})
    published.loc[[0, 1], "count"] = disclosure.SUPPRESSED
    wide = disclosure.interval_audit(published, counts="count", protection_width=30)
    assert wide["exposed"].all()  # 1..22: narrower than 30
    assert not disclosure.interval_audit(published, counts="count")["exposed"].any()


def test_totals_published_elsewhere_need_the_original():
    t = pd.DataFrame({"group": ["A", "B", "C"], "count": [3, 2, 40]})
    published = t.astype({"count": object})
    published.loc[[0, 1], "count"] = disclosure.SUPPRESSED
    assert disclosure.interval_audit(published, counts="count").empty
    audit = disclosure.interval_audit(published, counts="count", original=t)
    assert audit["exposed"].all()


# -- property tests --------------------------------------------------------------------------------


def _two_way(values: np.ndarray) -> pd.DataFrame:
    r, c = values.shape
    return pd.DataFrame(
        {
            "row": np.repeat([f"r{i}" for i in range(r)], c),
            "col": np.tile([f"c{j}" for j in range(c)], r),
            "count": values.ravel().astype("int64"),
        }
    )


def _independent_ranges(values: np.ndarray, hidden: np.ndarray, lower: float) -> list:
    """Each hidden cell's interval from the row and column sums, written out from scratch."""
    r, c = values.shape
    cells = [(i, j) for i in range(r) for j in range(c) if hidden[i, j]]
    idx = {cell: n for n, cell in enumerate(cells)}
    a, b = [], []
    for i in range(r):
        row = np.zeros(len(cells))
        for j in range(c):
            if hidden[i, j]:
                row[idx[(i, j)]] = 1
        a.append(row)
        b.append(values[i, ~hidden[i]].sum() * -1 + values[i].sum())
    for j in range(c):
        col = np.zeros(len(cells))
        for i in range(r):
            if hidden[i, j]:
                col[idx[(i, j)]] = 1
        a.append(col)
        b.append(values[:, j].sum() - values[~hidden[:, j], j].sum())
    out = []
    for n, cell in enumerate(cells):
        ends = []
        for sign in (1, -1):
            cost = np.zeros(len(cells))
            cost[n] = sign
            res = linprog(cost, A_eq=np.array(a), b_eq=np.array(b), bounds=(lower, None))
            assert res.status == 0
            ends.append(res.x[n])
        out.append((cell, round(ends[0]), round(ends[1])))
    return out


tables = st.integers(2, 4).flatmap(
    lambda r: st.integers(2, 4).flatmap(
        lambda c: st.lists(
            st.one_of(st.integers(0, 6), st.integers(0, 60)), min_size=r * c, max_size=r * c
        ).map(lambda v: np.array(v, dtype=float).reshape(r, c))
    )
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(values=tables, threshold=st.sampled_from([3, 5]))
def test_property_no_suppressed_cell_of_a_two_way_table_is_exposed(values, threshold):
    # the margins are published, so they must be publishable themselves (a margin of 1 gives its
    # only cell away whatever is suppressed)
    margins = np.concatenate([values.sum(axis=0), values.sum(axis=1)])
    assume(bool((margins >= threshold).all()))
    table = _two_way(values)
    out = disclosure.suppress(table, counts="count", by="row", margins=["col"], threshold=threshold)
    hidden = disclosure.is_suppressed(out, "count").to_numpy().reshape(values.shape)
    if not hidden.any():
        return
    # an intruder's view: every hidden cell is at least 1 (zeros are shown), unless that is
    # impossible (a hidden zero), then at least 0
    lower = 1.0
    trial = linprog(
        np.zeros(int(hidden.sum())),
        A_eq=np.ones((1, int(hidden.sum()))),
        b_eq=[values[hidden].sum()],
        bounds=(1, None),
    )
    if trial.status != 0 or (values[hidden] == 0).any():
        lower = 0.0
    for (i, j), lo, hi in _independent_ranges(values, hidden, lower):
        exposed = (lo >= 1 and hi <= threshold - 1) or hi - lo < 1
        # exposed only when nothing is left to hide in its row and column (e.g. a table of small
        # counts only: [[2, 1], [1, 2]] at threshold 3 gives 1..2 however much is hidden)
        assert not exposed or (hidden[i].all() and hidden[:, j].all()), (values, hidden, lo, hi)


@settings(max_examples=40, deadline=None)
@given(values=tables)
def test_property_audit_intervals_match_enumeration(values):
    # a two-way table with its margins: the LP interval is the whole-number one (total
    # unimodularity), so enumerate small tables and compare
    values = np.minimum(values, 4)
    rng = np.random.default_rng(int(values.sum()))
    hidden = rng.random(values.shape) < 0.5
    if hidden.sum() == 0 or hidden.sum() > 5:
        return
    table = _two_way(values)
    published = table.astype({"count": object})
    published.loc[hidden.ravel(), "count"] = disclosure.SUPPRESSED
    audit = disclosure.interval_audit(
        published, counts="count", by="row", margins=["col"], original=table, suppress_zero=True
    )
    cells = [(i, j) for i, j in zip(*np.nonzero(hidden), strict=True)]
    seen: dict[tuple[int, int], list[int]] = {cell: [] for cell in cells}
    tops = [int(min(values[i].sum(), values[:, j].sum())) for i, j in cells]
    assume(np.prod([t + 1 for t in tops]) <= 50_000)
    for combo in itertools.product(*[range(t + 1) for t in tops]):
        trial = values.copy()
        for cell, v in zip(cells, combo, strict=True):
            trial[cell] = v
        if (trial.sum(axis=1) == values.sum(axis=1)).all() and (
            trial.sum(axis=0) == values.sum(axis=0)
        ).all():
            for cell, v in zip(cells, combo, strict=True):
                seen[cell].append(v)
    c = values.shape[1]
    for cell in cells:
        row = audit[audit["row"] == cell[0] * c + cell[1]]
        if row.empty:  # bound by no equation with a single hidden cell set: cannot happen here
            continue
        assert (row["lower"].iloc[0], row["upper"].iloc[0]) == (min(seen[cell]), max(seen[cell]))
