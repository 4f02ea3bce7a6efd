"""Tests for rhoresearch.stats.standardisation: the package's one ESP2013 against data/reference.

The DSR and ISR methods themselves are tested in ``test_indicators.py`` (hand-built frames) and
``test_indicators_backtest.py`` (PHEindicatormethods' published values).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
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
