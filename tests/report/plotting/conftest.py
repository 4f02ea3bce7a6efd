"""Shared frames and figure probes for the tests of rhoresearch.report.plotting."""

from __future__ import annotations

import io
from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

GROUPS = ["Asian", "Black", "Mixed", "White", "Other"]


@pytest.fixture
def ratios() -> pd.DataFrame:
    """A rate-ratio table; Mixed (count 3) is unsafe, so suppress() also hides Asian (20)."""
    return pd.DataFrame(
        {
            "ethnic_group": GROUPS,
            "count": [20, 60, 3, 100, 40],
            "value": [1.21, 3.72, 0.8, 1.0, 0.61],
            "lower_ci": [0.9, 2.91, 0.3, np.nan, 0.41],
            "upper_ci": [1.5, 4.66, 2.0, np.nan, 0.92],
            "reference": "White",
            "is_reference": [False, False, False, True, False],
        }
    )


@pytest.fixture
def rates() -> pd.DataFrame:
    """A rate table; Mixed (count 2) is unsafe, so suppress() also hides Asian (25)."""
    return pd.DataFrame(
        {
            "ethnic_group": GROUPS,
            "count": [25, 60, 2, 100, 40],
            "value": [20.1, 34.3, 8.0, 10.0, 12.2],
            "lower_ci": [15.0, 24.0, 1.0, 9.0, 8.0],
            "upper_ci": [25.0, 47.5, 30.0, 11.0, 16.0],
        }
    )


def flagged(table: pd.DataFrame, rows: list[int], columns: list[str]) -> pd.DataFrame:
    """``table`` with ``rows`` of ``columns`` suppressed as suppress() does it: a missing value, and
    the reason in the flag column ``<column>_suppressed`` (missing where the cell is shown)."""
    out = table.copy()
    mask = out.index.isin(rows)
    for col in columns:
        out[col] = out[col].astype("float64").where(~mask)
        out[f"{col}_suppressed"] = pd.Series(np.where(mask, "primary", None), index=out.index)
    return out


def marked(table: pd.DataFrame, rows: list[int], columns: list[str]) -> pd.DataFrame:
    """``table`` with ``rows`` of ``columns`` holding ``"[c]"`` (a table read from a published CSV)."""
    out = table.copy()
    for col in columns:
        out[col] = out[col].astype(object)
        out.loc[rows, col] = "[c]"
    return out


@pytest.fixture(params=["flags", "marks"])
def suppress_rows(request) -> Callable[[pd.DataFrame, list[int], list[str]], pd.DataFrame]:
    """Suppress cells either way: flag columns (inside the package) or ``[c]`` (published CSV)."""
    return flagged if request.param == "flags" else marked


@pytest.fixture
def both_ways() -> tuple[Callable[..., pd.DataFrame], Callable[..., pd.DataFrame]]:
    """The two suppression builders, (flags, marks), for tests comparing the two."""
    return flagged, marked


@pytest.fixture
def texts() -> Callable[[Figure], list[str]]:
    """The texts drawn on a figure's axes."""
    return lambda fig: [t.get_text() for ax in fig.axes for t in ax.texts]


@pytest.fixture
def legend_texts() -> Callable[[Figure], list[str]]:
    """The entries of a figure's legends (figure-level and axes-level)."""

    def probe(fig: Figure) -> list[str]:
        legends = list(fig.legends) + [ax.get_legend() for ax in fig.axes if ax.get_legend()]
        return [t.get_text() for legend in legends for t in legend.get_texts()]

    return probe


@pytest.fixture
def check_labelled() -> Callable[[Figure, str], None]:
    """Assert a figure has the title, both axis labels and renders to PNG without pyplot."""

    def probe(fig: Figure, title: str) -> None:
        assert isinstance(fig, Figure)
        ax = fig.axes[0]
        assert ax.get_title() == title
        assert ax.get_xlabel().strip()
        assert ax.get_ylabel().strip()
        buf = io.BytesIO()
        fig.savefig(buf, format="png")  # renders under Agg without pyplot
        assert buf.getvalue()[:4] == b"\x89PNG"

    return probe
