"""Tests for rhoresearch.stats.standardisation: the package's one ESP2013 against data/reference,
and the fast paths of ``dsr`` and ``isr`` against their general paths and a plain computation.

The DSR and ISR methods themselves are tested in ``test_indicators.py`` (hand-built frames) and
``test_indicators_backtest.py`` (PHEindicatormethods' published values).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from rhoresearch.stats import standardisation

REFERENCE = Path(__file__).resolve().parents[2] / "data" / "reference"


def reference_esp2013() -> pd.DataFrame:
    """The 2013 European Standard Population as committed in data/reference (read with pandas)."""
    catalogue = json.loads((REFERENCE / "catalogue.json").read_text(encoding="utf-8"))
    table = pd.read_csv(REFERENCE / catalogue["tables"]["esp2013"]["file"], dtype={"age_band": str})
    return table


def test_esp2013_equals_the_reference_file_19_bands():
    table = reference_esp2013()
    bands = table[table["scheme"] == "19_band"]
    expected = pd.DataFrame(
        {
            "age_band": bands["age_band"].tolist(),
            "population": bands["standard_population"].astype("float64").tolist(),
        }
    )
    assert_frame_equal(standardisation.esp2013(), expected)
    assert standardisation.ESP2013.index.name == "age_band"
    assert standardisation.ESP2013.sum() == 100_000


def test_esp2013_90_plus_is_the_reference_90_94_and_95_plus():
    table = reference_esp2013()
    fine = table[table["scheme"] == "21_band"].set_index("age_band")["standard_population"]
    assert standardisation.ESP2013["90+"] == fine["90-94"] + fine["95+"]
    assert standardisation.ESP2013["0-4"] == fine["0"] + fine["1-4"]
    rest = [b for b in standardisation.ESP2013.index if b not in ("0-4", "90+")]
    np.testing.assert_array_equal(standardisation.ESP2013[rest].to_numpy(), fine[rest].to_numpy())


def test_esp2013_returns_a_copy():
    table = standardisation.esp2013()
    table.loc[0, "population"] = 0
    assert standardisation.ESP2013.iloc[0] == 5000


def _areas(seed: int, *, zeros: bool, missing: bool) -> pd.DataFrame:
    """Random areas x ESP2013 bands (some areas lack bands; optional zero and missing values)."""
    rng = np.random.default_rng(seed)
    bands = list(standardisation.ESP2013.index)
    rows = [
        (f"A{a:02d}", b)
        for a in range(30)
        for b in (bands if a % 7 else bands[: 5 + a % 9])
        if rng.random() < 0.97 or a % 5
    ]
    data = pd.DataFrame(rows, columns=["area", "age_band"])
    m = len(data)
    data["pop"] = rng.integers(1, 4000, m).astype(float)
    data["count"] = np.minimum(rng.poisson(rng.uniform(1, 9, m)), data["pop"]).astype(float)
    data["ref_count"] = rng.integers(0, 5000, m).astype(float)
    data["ref_pop"] = rng.integers(1000, 90000, m).astype(float)
    if zeros:
        data.loc[rng.random(m) < 0.05, "pop"] = 0.0
        data.loc[data["pop"] == 0, "count"] = np.where(rng.random(m) < 0.5, 0.0, 1.0)[
            data["pop"].to_numpy() == 0
        ]
        data.loc[rng.random(m) < 0.03, "ref_pop"] = 0.0
    if missing:
        for col in ("pop", "ref_count", "ref_pop"):
            data.loc[rng.random(m) < 0.02, col] = np.nan
    return data.sample(frac=1.0, random_state=seed).reset_index(drop=True)


def _split(data: pd.DataFrame, seed: int) -> pd.DataFrame:
    """Each row as two rows whose counts and populations add up to it (dsr sums such rows)."""
    rng = np.random.default_rng(seed)
    share = rng.uniform(0.2, 0.8, len(data))
    first, second = data.copy(), data.copy()
    for col in ("count", "pop"):
        whole = data[col].to_numpy()
        part = np.where(np.isnan(whole), whole, np.floor(whole * share))
        first[col] = part
        second[col] = whole - np.nan_to_num(part) if col == "count" else whole - part
    second["pop"] = np.where(np.isnan(data["pop"]), np.nan, second["pop"])
    return pd.concat([first, second], ignore_index=True)


def _assert_close(got: pd.DataFrame, expected: pd.DataFrame) -> None:
    assert_frame_equal(got, expected, check_exact=False, rtol=1e-12, atol=0.0)


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize(("zeros", "missing"), [(False, False), (True, False), (True, True)])
def test_dsr_one_row_per_band_equals_the_summing_path(seed, zeros, missing):
    # one row per area and band takes the fast path; the same data as two rows per band takes the
    # path that sums rows first: same values, limits and notes to 1e-12
    data = _areas(seed, zeros=zeros, missing=missing)
    kw = {"count": "count", "population": "pop", "age": "age_band", "by": "area"}
    fast = standardisation.dsr(data, **kw, confidence=[0.95, 0.998])
    summed = standardisation.dsr(_split(data, seed), **kw, confidence=[0.95, 0.998])
    _assert_close(fast, summed)
    assert fast["value"].notna().sum() > 5  # the comparison covers reported rates


def _isr_by_hand(data: pd.DataFrame, kind: str, multiplier: float) -> pd.DataFrame:
    """Observed, expected and value of each area with pandas, as the isr Notes define them."""
    d = data.copy()
    d["e"] = np.where(d["pop"] == 0, 0.0, d["pop"] * d["ref_count"] / d["ref_pop"])
    d.loc[(d["ref_pop"] == 0) & (d["pop"] > 0), "e"] = np.nan
    g = d.groupby("area")
    out = pd.DataFrame(
        {
            "count": g["count"].sum(),
            "expected": g["e"].sum(min_count=1).where(g["e"].count() == g.size()),
        }
    )
    scale = multiplier
    if kind == "rate":
        rc = g["ref_count"].sum().where(g["ref_count"].count() == g.size())
        rp = g["ref_pop"].sum().where(g["ref_pop"].count() == g.size())
        scale = rc / rp * multiplier
    out["value"] = np.where(out["expected"] == 0, np.nan, out["count"] / out["expected"]) * scale
    return out.reset_index()


@pytest.mark.parametrize("kind", ["ratio", "rate"])
@pytest.mark.parametrize(("zeros", "missing"), [(False, False), (True, False), (True, True)])
def test_isr_equals_a_plain_computation_and_notes_missing_references(kind, zeros, missing):
    data = _areas(4, zeros=zeros, missing=missing)
    mult = 100.0 if kind == "ratio" else 100_000.0
    got = standardisation.isr(
        data,
        count="count",
        population="pop",
        ref_count="ref_count",
        ref_population="ref_pop",
        by="area",
        kind=kind,
        multiplier=mult,
    )
    expected = _isr_by_hand(data, kind, mult)
    _assert_close(got[["area", "count", "expected", "value"]], expected)
    notes = got["note"].fillna("")
    for col, label in (("ref_count", "reference count"), ("ref_pop", "reference population")):
        lacking = data.groupby("area")[col].apply(lambda s: int(s.isna().sum())).to_numpy()
        noted = notes.str.contains(f"missing {label} \\({col}\\) in", regex=True).to_numpy()
        assert (noted == (lacking > 0)).all(), col
    zero_ref = ((data["ref_pop"] == 0) & (data["pop"] > 0)).groupby(data["area"]).any()
    assert (notes.str.contains("reference population is 0").to_numpy() == zero_ref.to_numpy()).all()
