"""Agreement between two sources of the same people's ethnicity, and where disagreement goes.

For people whose ethnic group is recorded in two sources (e.g. self-reported in the Census and as
recorded in hospital records): percent agreement and Cohen's kappa overall (:func:`agreement`) and
for each group of the reference source (:func:`agreement_by_group`), and the groups each one is
recorded as instead (:func:`disagreement_flows`). Pairs with "not stated" or "not known" in either
source are excluded and counted.

References
----------
ONS (2023). Understanding consistency of ethnicity data recorded in health-related administrative
datasets in England: 2011 to 2021. Cohen J (1960), Educ Psychol Meas 20:37-46. Fleiss JL, Cohen J,
Everitt BS (1969), Psychol Bull 72:323-327.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from rhoresearch import ethnicity
from rhoresearch.results import Result, exclusions_table
from rhoresearch.stats.agreement import kappa
from rhoresearch.validation import as_columns, check_confidence, require_columns
from rhoresearch.workstreams import _frames, _grouping

__all__ = ["agreement", "agreement_by_group", "disagreement_flows"]

logger = logging.getLogger(__name__)

_UNKNOWN = {ethnicity.NOT_STATED, ethnicity.NOT_KNOWN}
_KAPPA_COLUMNS = {
    "value": "kappa",
    "lower_ci": "kappa_lower_ci",
    "upper_ci": "kappa_upper_ci",
    "se": "kappa_se",
}


def _paired(
    linked: pd.DataFrame, source_a: str, source_b: str, scheme: str, func: str
) -> tuple[pd.Categorical, pd.Categorical, list[str], dict[str, int]]:
    """Both sources harmonised to ``scheme``, the pairs with a known group in both, and counts."""
    require_columns(linked, [source_a, source_b], func=func)
    a = _grouping.harmonise(linked[source_a], to=scheme, errors="not_known")
    b = _grouping.harmonise(linked[source_b], to=scheme, errors="not_known")
    a_unknown = a.astype(str).isin(_UNKNOWN)
    b_unknown = b.astype(str).isin(_UNKNOWN)
    known = ~a_unknown & ~b_unknown
    excluded = {
        "n_records": int(len(linked)),
        "n_excluded_a_unknown": int(a_unknown.sum()),
        "n_excluded_b_unknown": int((~a_unknown & b_unknown).sum()),
    }
    cats = [c for c in a.cat.categories if c not in _UNKNOWN]
    a_known = pd.Categorical(a[known].astype(str), categories=cats)
    b_known = pd.Categorical(b[known].astype(str), categories=cats)
    if excluded["n_excluded_a_unknown"] or excluded["n_excluded_b_unknown"]:
        logger.info(
            "%s: %d of %d pairs excluded (not stated or not known in %s: %d; in %s only: %d)",
            func,
            excluded["n_excluded_a_unknown"] + excluded["n_excluded_b_unknown"],
            excluded["n_records"],
            source_a,
            excluded["n_excluded_a_unknown"],
            source_b,
            excluded["n_excluded_b_unknown"],
        )
    return a_known, b_known, cats, excluded


def _kappa(table: np.ndarray, confidence: float) -> dict[str, float]:
    """``kappa``, ``kappa_lower_ci``, ``kappa_upper_ci``, ``kappa_se`` of one square table."""
    row = kappa(table, confidence=confidence).iloc[0]
    return {name: row[col] for col, name in _KAPPA_COLUMNS.items()}


def _no_kappa() -> dict[str, float]:
    return dict.fromkeys(_KAPPA_COLUMNS.values(), np.nan)


def agreement(
    linked: pd.DataFrame,
    *,
    source_a: str = "census_code",
    source_b: str = "hes_code",
    scheme: str = "nhs_code",
    by: str | Sequence[str] | None = None,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Percent agreement and Cohen's kappa between two sources of the same people's ethnicity.

    Parameters
    ----------
    linked : DataFrame
        One row per person, the group in each source (codes or labels); not modified.
    source_a, source_b : str
        The two columns; ``source_a`` is the reference (e.g. self-reported in the Census).
    scheme : {"nhs_code", "detailed", "census2021", "high_level"}, default "nhs_code"
        The classification both are harmonised to (:func:`rhoresearch.workstreams._grouping.
        harmonise`: ``"detailed"`` is the NHS 16 categories by their short labels).
    by : str or list of str, optional
        Grouping columns (e.g. ``"provider_code"``).
    confidence : float, default 0.95
        Confidence level, in [0.9, 1) (:func:`rhoresearch.validation.check_confidence`).

    Returns
    -------
    DataFrame
        One row per ``by`` group: the ``by`` columns, ``numerator`` (pairs that agree),
        ``denominator`` (pairs with a known group in both), ``value`` (% agreement), ``lower_ci``,
        ``upper_ci`` (Wilson), ``confidence``, ``statistic``, ``method``, ``note``, ``kappa``,
        ``kappa_lower_ci``, ``kappa_upper_ci``, ``kappa_se``, ``expected_agreement`` (% expected by
        chance), ``n_excluded`` (pairs with not stated / not known in either source).

    Notes
    -----
    Pairs with "not stated" or "not known" in either source are excluded and counted. Cohen's
    kappa, its standard error (Fleiss, Cohen and Everitt 1969) and interval come from
    :func:`rhoresearch.stats.agreement.kappa`. Percent agreement has a Wilson interval
    (``rhoresearch.stats.proportion``).

    References
    ----------
    Cohen J (1960). A coefficient of agreement for nominal scales. Educ Psychol Meas 20:37-46.
    Fleiss JL, Cohen J, Everitt BS (1969). Large sample standard errors of kappa and weighted
    kappa. Psychol Bull 72:323-327. ONS (2023), Understanding consistency of ethnicity data.
    """
    confidence = check_confidence(confidence, func="agreement")
    by = as_columns(by, func="agreement")
    require_columns(linked, by, func="agreement")
    groups = [((), linked)] if not by else list(linked.groupby(by, sort=True, observed=True))
    rows = []
    for key, frame in groups:
        a, b, cats, excl = _paired(frame, source_a, source_b, scheme, "agreement")
        table = pd.crosstab(a, b, dropna=False).reindex(index=cats, columns=cats, fill_value=0)
        t = table.to_numpy(dtype=float)
        n = t.sum()
        row: dict[str, Any] = dict(zip(by, key if isinstance(key, tuple) else (key,), strict=False))
        row.update({"_agree": int(np.trace(t)), "_pairs": int(n)})
        k = kappa(t, confidence=confidence).iloc[0]
        row.update({name: k[col] for col, name in _KAPPA_COLUMNS.items()})
        row["expected_agreement"] = float(k["expected_agreement"] * 100) if n else np.nan
        row["n_excluded"] = excl["n_excluded_a_unknown"] + excl["n_excluded_b_unknown"]
        rows.append(row)
    frame = pd.DataFrame(rows)
    prop = _frames.percentages(
        frame, numerator="_agree", denominator="_pairs", by=by or None, confidence=confidence
    )
    extra = frame[[*by, *_KAPPA_COLUMNS.values(), "expected_agreement", "n_excluded"]]
    if by:
        return prop.merge(extra, on=by, how="left")
    return pd.concat([prop.reset_index(drop=True), extra.reset_index(drop=True)], axis=1)


def agreement_by_group(
    linked: pd.DataFrame,
    *,
    source_a: str = "census_code",
    source_b: str = "hes_code",
    scheme: str = "nhs_code",
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Agreement for each group of the reference source: the ONS consistency measure, and kappa.

    Parameters
    ----------
    linked : DataFrame
        One row per person; not modified.
    source_a, source_b : str
        The reference source (e.g. Census self-report) and the compared source.
    scheme : str, default "nhs_code"
        The classification both are harmonised to.
    confidence : float, default 0.95
        Confidence level, in [0.9, 1).

    Returns
    -------
    DataFrame
        One row per group of ``scheme`` (display order): ``ethnic_group``, ``numerator`` (people
        in the group in ``source_a`` with the same group in ``source_b``), ``denominator``
        (people in the group in ``source_a``), ``value`` (% consistent), ``lower_ci``,
        ``upper_ci`` (Wilson), ``confidence``, ``statistic``, ``method``, ``note``,
        ``recorded_in_b`` (people in the group in ``source_b``), ``kappa``, ``kappa_lower_ci``,
        ``kappa_upper_ci``, ``kappa_se`` (kappa of the 2x2 table "this group or not" in both
        sources; NaN when nobody or everybody is in the group).

    Notes
    -----
    The percentage is the share of people of each self-reported group whom the other source
    records in the same group (as in ONS 2023). Pairs with an unknown group in either source are
    excluded (see :func:`agreement`'s ``n_excluded``). The per-group kappa treats the group as
    a yes/no rating (:func:`rhoresearch.stats.agreement.kappa`; Fleiss, Cohen and Everitt 1969
    standard error).

    References
    ----------
    ONS (2023). Understanding consistency of ethnicity data recorded in health-related
    administrative datasets in England: 2011 to 2021. Fleiss JL, Cohen J, Everitt BS (1969),
    Psychol Bull 72:323-327.
    """
    confidence = check_confidence(confidence, func="agreement_by_group")
    a, b, cats, _excl = _paired(linked, source_a, source_b, scheme, "agreement_by_group")
    table = pd.crosstab(a, b, dropna=False).reindex(index=cats, columns=cats, fill_value=0)
    t = table.to_numpy(dtype=float)
    n = t.sum()
    rows = []
    for i, cat in enumerate(cats):
        both = t[i, i]
        a_only = t[i].sum() - both
        b_only = t[:, i].sum() - both
        neither = n - both - a_only - b_only
        row: dict[str, Any] = {
            "ethnic_group": cat,
            "_same": int(both),
            "_in_a": int(t[i].sum()),
            "recorded_in_b": int(t[:, i].sum()),
        }
        two = np.array([[both, a_only], [b_only, neither]])
        informative = row["_in_a"] and row["recorded_in_b"] < n
        row.update(_kappa(two, confidence) if informative else _no_kappa())
        rows.append(row)
    frame = pd.DataFrame(rows)
    prop = _frames.percentages(
        frame, numerator="_same", denominator="_in_a", by="ethnic_group", confidence=confidence
    )
    out = prop.merge(
        frame[["ethnic_group", "recorded_in_b", *_KAPPA_COLUMNS.values()]],
        on="ethnic_group",
        how="left",
    )
    order = {c: i for i, c in enumerate(cats)}
    out = out.sort_values("ethnic_group", key=lambda s: s.astype(str).map(order), kind="stable")
    return out.reset_index(drop=True)


def disagreement_flows(
    linked: pd.DataFrame,
    *,
    source_a: str = "census_code",
    source_b: str = "hes_code",
    scheme: str = "nhs_code",
    include_unknown: bool = True,
) -> Result:
    """Where each group of the reference source is recorded in the other source (confusion table).

    Parameters
    ----------
    linked : DataFrame
        One row per person; not modified.
    source_a, source_b : str
        The reference source and the compared source.
    scheme : str, default "nhs_code"
        The classification both are harmonised to.
    include_unknown : bool, default True
        Keep "Not stated" / "Not known" in ``source_b`` as destinations (they are where some
        records go); rows with an unknown ``source_a`` are always excluded.

    Returns
    -------
    Result
        ``(table, exclusions)`` (:class:`rhoresearch.results.Result`). ``table`` is long, one row
        per (group in A, group in B) with at least one person, ordered by group in A then count:
        ``group_a``, ``group_b``, ``count``, ``denominator`` (people in ``group_a``), ``percent``
        (of ``group_a``), ``agrees`` (``group_a == group_b``). ``exclusions`` holds the pairs left
        out (``step``, ``reason``, ``rows``): not stated or not known in ``source_a`` (and, with
        ``include_unknown=False``, in ``source_b``); no row when none was.

    Notes
    -----
    The rows with ``agrees == False`` are the disagreement; sorted by ``count`` within each
    ``group_a`` they show where misrecording goes (e.g. Bangladeshi recorded as Any other Asian
    background). ``count`` is a count of people: suppress before showing.

    References
    ----------
    ONS (2023). Understanding consistency of ethnicity data. Scobie et al. (2021), Nuffield Trust.
    """
    require_columns(linked, [source_a, source_b], func="disagreement_flows")
    a_groups = _grouping.harmonise(linked[source_a], to=scheme, errors="not_known")
    a = a_groups.astype(str)
    b = _grouping.harmonise(linked[source_b], to=scheme, errors="not_known").astype(str)
    a_unknown = a.isin(_UNKNOWN)
    keep = ~a_unknown
    reasons = [(f"group not stated or not known in {source_a}", int(a_unknown.sum()))]
    if not include_unknown:
        b_only = keep & b.isin(_UNKNOWN)
        keep &= ~b_only
        reasons.append((f"group not stated or not known in {source_b}", int(b_only.sum())))
    n_out = int((~keep).sum())
    if n_out:
        logger.info("disagreement_flows: %d of %d pairs excluded (unknown group)", n_out, len(a))
    pairs = pd.DataFrame({"group_a": a[keep], "group_b": b[keep]})
    res = pairs.value_counts().rename("count").reset_index()
    res["denominator"] = res.groupby("group_a")["count"].transform("sum")
    res["percent"] = res["count"] / res["denominator"] * 100
    res["agrees"] = res["group_a"] == res["group_b"]
    order = {c: i for i, c in enumerate(a_groups.cat.categories)}
    res = res.sort_values(
        ["group_a", "count", "group_b"],
        ascending=[True, False, True],
        key=lambda s: s.map(order) if s.name == "group_a" else s,
        kind="stable",
    )
    exclusions = exclusions_table([r for r in reasons if r[1]], step="disagreement flows")
    return Result(res.reset_index(drop=True), exclusions)
