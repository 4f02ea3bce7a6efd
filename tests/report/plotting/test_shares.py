"""Tests for rhoresearch.report.plotting.shares: stacked 100% bars."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pandas.testing as pdt
import pytest

from rhoresearch import disclosure
from rhoresearch.exceptions import DisclosureError
from rhoresearch.report import plotting


@pytest.fixture
def bands() -> pd.DataFrame:
    rows = []
    for band, counts in (("Band 5", [30, 20, 50, 100]), ("VSM", [2, 0, 0, 10])):
        for g, c in zip(["Asian", "Black", "Mixed", "White"], counts, strict=True):
            rows.append({"band": band, "ethnic_group": g, "staff": c})
    return pd.DataFrame(rows)


def _heights(fig):
    return [round(p.get_height(), 1) for p in fig.axes[0].patches]


def test_stacked_share_normalises_and_blanks_suppressed_bands(bands, texts, check_labelled):
    with pytest.raises(DisclosureError):
        plotting.stacked_share(
            bands, category="band", group="ethnic_group", value="staff", title="T", xlabel="Band"
        )
    data = disclosure.suppress(bands, counts="staff", by="band")
    before = data.copy(deep=True)
    fig = plotting.stacked_share(
        data,
        category="band",
        group="ethnic_group",
        value="staff",
        title="Representation by band",
        xlabel="Agenda for Change band",
    )
    check_labelled(fig, "Representation by band")
    # Band 5 segments (15%, 10%, 25%, 50%) and empty VSM segments
    assert _heights(fig) == [15.0, 0.0, 10.0, 0.0, 25.0, 0.0, 50.0, 0.0]
    assert "[c]" in texts(fig)
    assert "VSM: suppressed" in plotting.alt_text(fig)
    pdt.assert_frame_equal(data, before)


def test_stacked_share_blocks_the_band_with_a_flagged_count(bands, suppress_rows, texts):
    data = suppress_rows(bands, [4, 7], ["staff"])  # VSM Asian and White
    fig = plotting.stacked_share(
        data, category="band", group="ethnic_group", value="staff", title="T", xlabel="Band"
    )
    assert _heights(fig) == [15.0, 0.0, 10.0, 0.0, 25.0, 0.0, 50.0, 0.0]
    assert texts(fig) == ["[c]"]
    assert "[c] suppressed (small numbers): VSM" in fig.axes[0].get_xlabel()
    assert "Band 5: Asian 15%, Black 10%, Mixed 25%, White 50%; VSM: suppressed" in (
        plotting.alt_text(fig)
    )


def test_stacked_share_percentages_with_a_suppressed_segment(suppress_rows):
    data = pd.DataFrame(
        {
            "band": ["B5", "B5", "VSM", "VSM"],
            "ethnic_group": ["Black", "White"] * 2,
            "pct": [40.0, 60.0, np.nan, 90.0],
        }
    )
    data = suppress_rows(data.fillna(0.0), [2], ["pct"])
    fig = plotting.stacked_share(
        data,
        category="band",
        group="ethnic_group",
        value="pct",
        title="T",
        xlabel="Band",
        normalise=False,
    )
    assert _heights(fig) == [40.0, 0.0, 60.0, 90.0]
    assert "VSM: White 90% ([c] suppressed)" in plotting.alt_text(fig)
