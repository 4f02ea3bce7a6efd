"""Workstream 5 counts: events and denominators by stratum, and the records left out, and why.

- :func:`maternal_counts`, :func:`perinatal_counts`: stratified events and denominators, from
  records (:func:`~rhoresearch.workstreams.maternity.prepare`) or from records counted in an
  engine (:func:`~rhoresearch.workstreams.maternity.counts_from_source`), with the same results;
- :func:`exclusions`: rows excluded from each analysis and why (a report's data-quality section);
- :func:`ethnicity_completeness`: how completely the mother's ethnic category is recorded.

References
----------
MBRRACE-UK. Saving Lives, Improving Mothers' Care (maternal deaths per 100,000 maternities).
MBRRACE-UK Perinatal Mortality Surveillance technical manual (stillbirths per 1,000 total births,
neonatal deaths per 1,000 live births).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np
import pandas as pd

from rhoresearch.docstrings import fill_docs
from rhoresearch.exceptions import InputError
from rhoresearch.validation import as_columns, require_columns
from rhoresearch.workstreams import _records

__all__ = [
    "ethnicity_completeness",
    "exclusions",
    "maternal_counts",
    "perinatal_counts",
]

logger = logging.getLogger(__name__)


def _weight(records: pd.DataFrame) -> pd.Series | None:
    """Records per row of counted records (``counts_from_source``), else None."""
    for col in ("maternities", "births"):
        if col in records.columns:
            return records[col].astype("int64")
    return None


@fill_docs(_records.COMPLETENESS_DOC, **_records.DOCS, by_default='"year"', count="")
def ethnicity_completeness(
    records: pd.DataFrame, *, by: str | Sequence[str] = "year", confidence: float = 0.95
) -> pd.DataFrame:
    return _records.recording_completeness(
        records, weight=_weight(records), by=by, confidence=confidence
    )


@fill_docs(**_records.DOCS, lost="a missing event flag", dataset_example='"births"')
def exclusions(
    records: pd.DataFrame,
    *,
    excluded: pd.DataFrame | None = None,
    covariates: Sequence[str] = ("age_band", "imd_quintile"),
    unknown: str = "exclude",
    dataset: str | None = None,
) -> pd.DataFrame:
    """Rows excluded from each analysis, and why (for a report's data-quality section).

    Parameters
    ----------
    {records}
    {excluded}
    covariates : sequence of str, default ("age_band", "imd_quintile")
        Covariates of the adjusted model: records missing any are excluded from the model only.
    unknown : {"exclude", "reference"}, default "exclude"
        As given to ``prepare`` (says whether unknown ethnicity was excluded).
    {dataset}

    Returns
    -------
    DataFrame
        One row per reason: (``dataset``,) ``step`` (``"records"``, ``"ethnicity"`` or
        ``"covariates"``), ``reason``, ``rows``, ``percent`` (of all records), ``applies_to``
        (which analyses lose the rows). The first row is the total number of records.

    Notes
    -----
    A record can miss several covariates: the covariate rows count each missing covariate, and
    a last row counts the records the model loses (missing any covariate, among records with a
    usable ethnic group).

    References
    ----------
    MBRRACE-UK. Saving Lives, Improving Mothers' Care (records with unknown ethnicity counted with
    White, "White (inc. not known)"; the ``unknown="reference"`` convention).
    """
    func = "maternity.exclusions"
    weight = _weight(records)
    steps = covariate_steps(records, weight, covariates, func=func)
    return _records.exclusions(
        records, weight=weight, excluded=excluded, unknown=unknown, later=steps, dataset=dataset
    )


def covariate_steps(
    records: pd.DataFrame,
    weight: pd.Series | None,
    covariates: Sequence[str],
    *,
    func: str,
    what: str = "records",
) -> list[_records.Step]:
    """Exclusion steps of the adjusted model: rows with a usable ethnic group missing a covariate.

    One step per covariate, then one for the rows missing any (``weight``: rows per row of counted
    records, None for records); each applies to the adjusted model only.
    """
    covariates = as_columns(covariates, func=func, name="covariates")
    require_columns(records, ["ethnic_group", "ethnicity_status", *covariates], func=func)
    w = _records.weights(records, weight)
    usable = records["ethnic_group"].notna().to_numpy()
    any_missing = np.zeros(len(records), dtype=bool)
    steps = []
    for cov in covariates:
        miss = records[cov].isna().to_numpy()
        any_missing |= miss
        steps.append(
            ("covariates", f"{cov} missing", int(w[miss & usable].sum()), "adjusted model")
        )
    steps.append(
        (
            "covariates",
            f"{what} with a usable ethnic group missing any model covariate",
            int(w[any_missing & usable].sum()),
            "adjusted model",
        )
    )
    return steps


def _check_by(records: pd.DataFrame, by: str | Sequence[str] | None, func: str) -> list[str]:
    cols = as_columns(by, func=func)
    require_columns(records, ["ethnic_group", *cols], func=func)
    return cols


def _grouped_sums(
    records: pd.DataFrame, by: list[str], sums: dict[str, pd.Series], func: str
) -> pd.DataFrame:
    keep = records["ethnic_group"].notna()
    for col in by:
        keep &= records[col].notna()
    frame = pd.DataFrame({col: records[col] for col in by}, index=records.index)
    for name, values in sums.items():
        frame[name] = values.astype("int64")
    frame = frame.loc[keep.to_numpy()]
    if not by:
        return frame.sum().to_frame().T.astype("int64")
    out = frame.groupby(by, observed=True, sort=True).sum().reset_index()
    dropped = int((~keep).sum())
    logger.info("%s: %d record(s) without a usable ethnic group or %s left out", func, dropped, by)
    return out


def maternal_counts(
    maternities: pd.DataFrame,
    *,
    by: str | Sequence[str] = ("ethnic_group", "year"),
    deaths: pd.DataFrame | None = None,
    strict: bool = True,
) -> pd.DataFrame:
    """Maternities and maternal deaths by stratum.

    Parameters
    ----------
    maternities : DataFrame
        Output of ``prepare`` on :data:`~rhoresearch.workstreams.maternity.MATERNITIES`, or the
        ``counts`` of ``counts_from_source`` (its ``maternities`` are summed), or maternities
        read from an aggregate table. Not modified.
    by : str or sequence of str, default ("ethnic_group", "year")
        Strata, e.g. ``["ethnic_group", "year", "age_band", "imd_quintile"]`` for a model.
    deaths : DataFrame, optional
        The maternal deaths: the ``counts`` of ``deaths_from_source`` (or deaths read from an
        aggregate table), with a ``maternal_deaths`` column. Given, the deaths are counted from
        it and the maternities are the denominator only (MBRRACE-UK); not given, the deaths are
        the ``maternal_death`` flags of the maternity records (which miss every death with no
        maternity record: early pregnancy, undelivered women, miscarriage, termination).
    strict : bool, default True
        With ``deaths``: whether maternal deaths in a stratum with no maternities are an error
        (True) or left out with a logged warning (False: the fine strata of a model, where a
        stratum of one death and no maternity can happen by chance).

    Returns
    -------
    DataFrame
        One row per observed stratum of the maternities: the ``by`` columns, ``maternities``
        (int), ``maternal_deaths`` (int). Strata with maternities but no death have
        ``maternal_deaths`` 0.

    Raises
    ------
    InputError
        If ``strict`` and ``deaths`` has maternal deaths in a stratum with no maternities (no
        rate can be formed: the denominator does not cover the deaths), naming the first.

    Notes
    -----
    Records without a usable ethnic group or with a missing ``by`` value are left out (they are
    counted by :func:`exclusions`; the number is logged).

    References
    ----------
    MBRRACE-UK: maternal mortality per 100,000 maternities.
    """
    func = "maternity.maternal_counts"
    cols = _check_by(maternities, by, func)
    if "maternities" in maternities.columns:  # counted records (counts_from_source)
        ones = maternities["maternities"]
    else:
        ones = pd.Series(1, index=maternities.index)
    if deaths is None:
        if "maternities" in maternities.columns:
            require_columns(maternities, ["maternal_deaths"], func=func)
            flags = maternities["maternal_deaths"]
        else:
            require_columns(maternities, ["maternal_death"], func=func)
            flags = maternities["maternal_death"].fillna(False).astype("int64")
        return _grouped_sums(
            maternities, cols, {"maternities": ones, "maternal_deaths": flags}, func
        )
    require_columns(deaths, ["ethnic_group", "maternal_deaths", *cols], func=func)
    denominators = _grouped_sums(maternities, cols, {"maternities": ones}, func)
    events = _grouped_sums(deaths, cols, {"maternal_deaths": deaths["maternal_deaths"]}, func)
    if not cols:
        return denominators.assign(maternal_deaths=events["maternal_deaths"].astype("int64"))
    keys = _records.plain_keys(denominators, cols)
    merged = keys.merge(
        _records.plain_keys(events, cols), on=cols, how="outer", indicator=True, sort=False
    )
    lost = merged[(merged["_merge"] == "right_only") & (merged["maternal_deaths"] > 0)]
    if len(lost):
        first = lost.iloc[0]
        where = ", ".join(f"{c}={first[c]!r}" for c in cols)
        message = (
            f"{func}: {int(lost['maternal_deaths'].sum())} maternal death(s) in "
            f"{len(lost)} stratum/strata with no maternities (first: {where})"
        )
        if strict:
            raise InputError(
                f"{message}; the maternities must cover every stratum of the deaths (same "
                "region, years and groups)"
            )
        logger.warning("%s: left out", message)
    out = merged[merged["_merge"] != "right_only"].drop(columns="_merge")
    out["maternal_deaths"] = out["maternal_deaths"].fillna(0).astype("int64")
    for c in cols:  # back to the maternities' own types (categorical groups, integer years)
        out[c] = out[c].astype(denominators[c].dtype)
    out = out.sort_values(cols, kind="stable").reset_index(drop=True)
    return out[[*cols, "maternities", "maternal_deaths"]]


def perinatal_counts(
    births: pd.DataFrame, *, by: str | Sequence[str] = ("ethnic_group", "year")
) -> pd.DataFrame:
    """Births, stillbirths, live births and neonatal deaths by stratum.

    Parameters
    ----------
    births : DataFrame
        Output of ``prepare`` on :data:`~rhoresearch.workstreams.maternity.BIRTHS`, or the
        ``counts`` of ``counts_from_source`` (its ``births``, ``stillbirths`` and
        ``neonatal_deaths`` are summed). Not modified.
    by : str or sequence of str, default ("ethnic_group", "year")
        Strata.

    Returns
    -------
    DataFrame
        One row per observed stratum: the ``by`` columns, ``births`` (total births, live and
        still), ``stillbirths``, ``live_births``, ``neonatal_deaths`` (all int).

    Raises
    ------
    InputError
        If a record is both a stillbirth and a neonatal death.

    Notes
    -----
    Stillbirth rate = stillbirths / births x 1,000; neonatal mortality = neonatal deaths / live
    births x 1,000 (MBRRACE-UK, ONS). Records without a usable ethnic group or with a missing
    ``by`` value are left out (counted by :func:`exclusions`).

    References
    ----------
    MBRRACE-UK Perinatal Mortality Surveillance technical manual (definitions and denominators).
    """
    func = "maternity.perinatal_counts"
    cols = _check_by(births, by, func)
    if "births" in births.columns:  # counted records (counts_from_source)
        require_columns(births, ["stillbirths", "neonatal_deaths"], func=func)
        n, still = births["births"], births["stillbirths"]
        sums = {"births": n, "stillbirths": still, "live_births": n - still}
        return _grouped_sums(
            births, cols, {**sums, "neonatal_deaths": births["neonatal_deaths"]}, func
        )
    require_columns(births, ["stillbirth", "neonatal_death"], func=func)
    still = births["stillbirth"].fillna(False).astype("int64")
    neo = births["neonatal_death"].fillna(False).astype("int64")
    both = (still == 1) & (neo == 1)
    if both.any():
        first = births.index[both.to_numpy()][:5].tolist()
        raise InputError(
            f"{func}: {int(both.sum())} record(s) are both a stillbirth and a neonatal death "
            f"(rows {first}); a neonatal death must be a live birth"
        )
    ones = pd.Series(1, index=births.index)
    return _grouped_sums(
        births,
        cols,
        {"births": ones, "stillbirths": still, "live_births": ones - still, "neonatal_deaths": neo},
        func,
    )
