"""The quick paths of rhoresearch.stats give the same frames, to the last bit, as the general ones.

An indicator groups Arrow-backed string keys by their runs (rows of one area together), sums groups
that are blocks of equal length column by column, matches age bands written as the standard writes
them by one lookup (per period when the bands repeat in one order), and builds its text columns as
Arrow arrays. Each test runs the same table down a quick path and down the general one (keys or bands
as Python objects, rows shuffled, pandas' ``str`` dtype backed by Python strings) and compares.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from rhoresearch import stats
from rhoresearch.exceptions import InputError
from rhoresearch.stats import _core as S

BANDS = list(stats.ESP2013.index)


def area_table(n_areas: int, *, seed: int = 7, ragged: bool = False) -> pd.DataFrame:
    """One row per area and age band (areas sorted, bands in the standard's order); weighted
    (non-integer) counts so that the order of additions shows in the last bits; a few counts and
    populations missing or 0. ``ragged`` drops some rows, so areas have different numbers of rows."""
    rng = np.random.default_rng(seed)
    area = np.repeat([f"E{i:05d}" for i in range(n_areas)], len(BANDS))
    band = np.tile(BANDS, n_areas)
    pop = rng.integers(50, 5000, len(area)) * rng.uniform(0.5, 1.5, len(area))
    count = np.minimum(rng.poisson(pop / 60) * rng.uniform(0.5, 1.5, len(area)), pop)
    count[rng.random(len(area)) < 0.01] = np.nan
    pop[rng.random(len(area)) < 0.005] = 0.0
    count[pop == 0] = 0.0
    table = pd.DataFrame({"area": area, "age": band, "count": count, "pop": pop})
    table["ref_count"] = table.groupby("age")["count"].transform("sum")
    table["ref_pop"] = table.groupby("age")["pop"].transform("sum")
    if ragged:
        table = table[rng.random(len(table)) > 0.1].reset_index(drop=True)
    return table


CALLS = {
    "proportion": lambda t, by: stats.proportion(
        t, numerator="count", denominator="pop", by=by, confidence=(0.95, 0.998)
    ),
    "rate": lambda t, by: stats.rate(t, count="count", population="pop", by=by),
    "mean": lambda t, by: stats.mean(t, value="count", by=by),
    "isr": lambda t, by: stats.isr(
        t, count="count", population="pop", ref_count="ref_count", ref_population="ref_pop", by=by
    ),
    "isr_rate": lambda t, by: stats.isr_rate(
        t, count="count", population="pop", ref_count="ref_count", ref_population="ref_pop", by=by
    ),
    "dsr": lambda t, by: stats.dsr(t, count="count", population="pop", age="age", by=by),
}


def assert_same_bits(quick: pd.DataFrame, general: pd.DataFrame) -> None:
    """Equal frames, and every float column equal bit for bit (NaN where NaN)."""
    assert_frame_equal(quick, general, check_exact=True)
    for column in quick.columns:
        if quick[column].dtype == "float64":
            bits = quick[column].to_numpy().view("int64")
            assert np.array_equal(bits, general[column].to_numpy().view("int64")), column


@pytest.mark.parametrize("name", list(CALLS))
@pytest.mark.parametrize("ragged", [False, True], ids=["blocks", "ragged"])
def test_string_keys_by_runs_match_keys_as_objects(name, ragged):
    table = area_table(300, ragged=ragged)
    as_objects = table.astype({"area": object, "age": object})
    quick = CALLS[name](table, "area")
    general = CALLS[name](as_objects, "area")
    general["area"] = general["area"].astype("str")
    assert_same_bits(quick, general)


@pytest.mark.parametrize("name", list(CALLS))
def test_two_key_columns_by_runs_match_keys_as_objects(name):
    table = area_table(60)
    table["sex"] = np.where(np.arange(len(table)) % 2 == 0, "F", "M")
    table["region"] = np.repeat(["North", "South"], len(table) // 2)
    as_objects = table.astype({"area": object, "age": object, "region": object})
    quick = CALLS[name](table, ["region", "area"])
    general = CALLS[name](as_objects, ["region", "area"])
    general[["region", "area"]] = general[["region", "area"]].astype("str")
    assert_same_bits(quick, general)


@pytest.mark.parametrize("name", ["proportion", "rate", "isr", "dsr"])
def test_unsorted_runs_and_missing_keys_match_keys_as_objects(name):
    """Runs not in sorted order (factorised by their first rows) and a missing key (a group of its
    own, placed last)."""
    table = area_table(300)
    order = np.random.default_rng(3).permutation(300)
    table = table.set_index(np.repeat(order, len(BANDS))).sort_index(kind="stable")
    table = table.reset_index(drop=True)
    table.loc[table["area"] == table["area"].iloc[0], "area"] = None
    as_objects = table.astype({"area": object, "age": object})
    quick = CALLS[name](table, "area")
    general = CALLS[name](as_objects, "area")
    general["area"] = general["area"].astype("str")
    assert_same_bits(quick, general)


def test_integer_keys_by_runs_match_float_keys():
    table = area_table(300)
    table["code"] = np.repeat(np.arange(300, 0, -1), len(BANDS))  # runs in descending order
    quick = stats.rate(table, count="count", population="pop", by="code")
    general = stats.rate(
        table.astype({"code": "float64"}), count="count", population="pop", by="code"
    )
    general["code"] = general["code"].astype("int64")
    assert_same_bits(quick, general)


def test_block_sums_are_bincount_sums_bit_for_bit():
    rng = np.random.default_rng(11)
    weights = rng.normal(size=300 * 19) * 10.0 ** rng.integers(-3, 4, 300 * 19)
    weights[::37] = np.nan
    weights[5::41] = -0.0
    table = pd.DataFrame({"g": np.repeat([f"g{i:03d}" for i in range(300)], 19)})
    grouped = S.groups(table, ["g"])
    assert grouped.block == 19
    expected = np.bincount(grouped.codes(), weights=weights, minlength=300)
    assert np.array_equal(grouped.sum(weights).view("int64"), expected.view("int64"))
    assert np.array_equal(grouped.sum(), np.bincount(grouped.codes(), minlength=300))


@pytest.mark.parametrize("layout", ["area-major", "band-major"])
def test_bands_written_as_the_standard_match_bands_as_objects(layout):
    table = area_table(40)
    if layout == "band-major":
        table = table.sort_values(["age", "area"], kind="stable").reset_index(drop=True)
    quick = CALLS["dsr"](table, "area")
    general = CALLS["dsr"](table.astype({"age": object}), "area")
    assert_same_bits(quick, general)


@pytest.mark.parametrize("label", ["95+", None, "00-04"])
def test_an_odd_band_label_takes_the_general_path(label):
    """A label not written as the standard writes it: the same result or the same error as for
    labels held as Python objects."""
    table = area_table(10)
    table.loc[20, "age"] = label
    outcomes = []
    for ages in (table, table.astype({"age": object})):
        try:
            outcomes.append(CALLS["dsr"](ages, "area"))
        except InputError as error:
            outcomes.append(str(error))
    if isinstance(outcomes[0], str):
        assert outcomes[0] == outcomes[1]
        assert "age" in outcomes[0]
    else:
        assert_same_bits(*outcomes)


@pytest.mark.parametrize("name", list(CALLS))
def test_text_columns_match_python_backed_strings(name):
    """Text columns built as Arrow arrays hold what pandas builds from Python strings."""
    quick = CALLS[name](area_table(30), "area")
    with pd.option_context("mode.string_storage", "python"):
        general = CALLS[name](area_table(30), "area")
    assert list(general.columns) == list(quick.columns)
    general.columns = quick.columns
    text = [c for c in quick.columns if quick[c].dtype == "str"]
    assert {"statistic", "method", "note"} <= set(text)
    assert quick["note"].notna().any() and quick["note"].isna().any()
    for column in text:
        assert general[column].dtype == "str"
        assert quick[column].tolist() == general[column].tolist(), column
    assert_same_bits(quick.drop(columns=text), general.drop(columns=text))
