"""The representation of ethnic groups in research: participation-to-prevalence ratios.

Each group's share of a study's participants against its share of the population (or disease
population) the study should match: the participation-to-prevalence ratio (PPR), with
under-representation below 0.8 flagged (:func:`representation`).

References
----------
Poon R, et al. (2013). Participation of women and sex analyses in late-phase clinical trials
of new molecular entity drugs and biologics approved by the FDA in 2007-2009. J Womens Health
22:604-616. Scott PE, et al. (2018). J Am Coll Cardiol 71:1960-1969. Carcel C, et al. (2021).
Neurology 97:e1768.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import pandas as pd

from rhoresearch.stats import participation_ratio
from rhoresearch.validation import as_columns, require_columns
from rhoresearch.workstreams import _frames
from rhoresearch.workstreams._wording import document

__all__ = ["PPR_RANGE", "representation"]

logger = logging.getLogger(__name__)

#: Participation-to-prevalence ratios in this range are "similar representation".
PPR_RANGE = (0.8, 1.2)


@document()
def representation(
    participants: pd.DataFrame,
    reference: pd.DataFrame,
    *,
    count: str = "participants",
    share: str = "reference_share",
    group: str = "ethnic_group",
    by: str | Sequence[str] | None = "study_id",
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Participation-to-prevalence ratio of each group in each study, with under-representation flagged.

    Parameters
    ----------
    participants : DataFrame
        Participants by ``by`` and ``group`` (``count`` column); not modified. Rows whose group
        is not in ``reference`` (e.g. "Not stated") are excluded and counted.
    reference : DataFrame
        The share of each group in the population the study should match (``share``, a
        fraction), by ``by`` and ``group``; not modified.
    count, share, group : str
        Column names.
    by : str or list of str, default "study_id"
        The study (or other grouping) columns present in both tables.
    {confidence}

    Returns
    -------
    DataFrame
        The columns of ``rhoresearch.stats.participation_ratio``: the ``by`` columns,
        ``group``, ``participants``, ``population`` (here the reference share),
        ``participant_share``, ``population_share``, ``value`` (PPR), ``lower_ci``, ``upper_ci``,
        ``confidence``, ``representation`` (``"under-represented"`` below 0.8, ``"similar"`` 0.8
        to 1.2, ``"over-represented"`` above 1.2), ``statistic``, ``method``, ``note``; plus
        ``significantly_under`` (upper limit below 0.8) and ``n_not_stated`` (participants of a
        group absent from ``reference``, per ``by`` group).

    Notes
    -----
    PPR = (group's share of participants with a stated group) / (group's share of the
    reference population). The interval is that of ``rhoresearch.stats.participation_ratio``; the
    reference shares are treated as known. A group under-represented "significantly" has an upper
    limit below 0.8.

    References
    ----------
    Carcel C, et al. (2021). Neurology 97:e1768. Scott PE, et al. (2018). Participation of women
    in clinical trials supporting FDA approval of cardiovascular drugs. J Am Coll Cardiol
    71:1960-1969 (thresholds 0.8 and 1.2).
    """
    by = as_columns(by, func="representation")
    require_columns(participants, [*by, group, count], func="representation")
    require_columns(reference, [*by, group, share], func="representation")
    merged = participants[[*by, group, count]].merge(
        reference[[*by, group, share]], on=[*by, group], how="left", validate="many_to_one"
    )
    unmatched = merged[share].isna()
    not_stated = (
        merged.loc[unmatched].groupby(by, sort=False)[count].sum()
        if by
        else pd.Series([merged.loc[unmatched, count].sum()])
    )
    if unmatched.any():
        logger.info(
            "representation: %d participants in groups without a reference share excluded (%s)",
            int(merged.loc[unmatched, count].sum()),
            sorted(set(merged.loc[unmatched, group].astype(str))),
        )
    data = merged.loc[~unmatched].reset_index(drop=True)
    res = participation_ratio(
        data,
        participants=count,
        population=share,
        group=group,
        by=by or None,
        confidence=confidence,
        thresholds=PPR_RANGE,
    )
    res["significantly_under"] = res["upper_ci"] < PPR_RANGE[0]
    res = _frames.whole_counts(res, ["participants"])
    if by:
        key = pd.MultiIndex.from_frame(res[by]) if len(by) > 1 else res[by[0]]
        res["n_not_stated"] = not_stated.reindex(key).fillna(0).astype(int).to_numpy()
    else:
        res["n_not_stated"] = int(not_stated.iloc[0])
    return res
