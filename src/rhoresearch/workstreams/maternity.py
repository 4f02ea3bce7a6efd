"""Workstream 5, maternal and neonatal outcomes: dataset schemas and workstream-specific steps.

The statistics themselves (rates, exact and Byar's intervals, rate ratios, adjusted models) come
from :mod:`rhoresearch.stats.indicators` and :mod:`rhoresearch.stats.models`; this module prepares record-level
maternity and birth extracts for them:

- :data:`MATERNITIES` and :data:`BIRTHS`: the schemas of the two record-level inputs (one row per
  maternity, one row per baby), for :func:`rhoresearch.data.load`;
- :func:`prepare`: harmonised ethnic group and recording status added to each record, an optional
  region selection, nothing dropped;
- :func:`counts_from_source`: the same, counted inside a database engine from a file of any size
  or a Spark table (one row per stratum instead of per record; every function below accepts it);
- :func:`exclusions`: rows excluded from each analysis and why (data-quality section);
- :func:`maternal_counts`, :func:`perinatal_counts`: stratified events and denominators;
- :func:`rolling_periods`, :func:`rolling_period_counts`: MBRRACE-UK rolling three-year periods;
- :func:`published_maternal_mortality`, :func:`published_neonatal_mortality`: the published
  national rates in the same groups, for context beside computed ones.

Definitions (MBRRACE-UK; ONS): a maternal death is a death during pregnancy or within 42 days of
its end from direct or indirect causes, per 100,000 maternities (women giving birth to a live or
stillborn baby from 24 weeks); stillbirths are per 1,000 total births and neonatal deaths (before
28 completed days) per 1,000 live births.

References
----------
Knight M, et al. (eds.) on behalf of MBRRACE-UK. Saving Lives, Improving Mothers' Care. Oxford:
National Perinatal Epidemiology Unit, University of Oxford (annual; rolling three-year periods).
Draper ES, et al. on behalf of MBRRACE-UK. MBRRACE-UK Perinatal Mortality Surveillance: technical
manual. Leicester: The Infant Mortality and Morbidity Studies, University of Leicester.
Office for National Statistics. Sustainable Development Goals indicators 3.1.1 and 3.2.2 (UK data).
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from rhoresearch import data
from rhoresearch.exceptions import InputError
from rhoresearch.workstreams import _records

__all__ = [
    "AGE_BANDS",
    "IMD_QUINTILES",
    "GROUPS",
    "MATERNITIES",
    "BIRTHS",
    "prepare",
    "counts_from_source",
    "ethnicity_completeness",
    "exclusions",
    "maternal_counts",
    "perinatal_counts",
    "rolling_periods",
    "rolling_period_counts",
    "choose_period",
    "records_in_period",
    "published_for_period",
    "compare_crude_adjusted",
    "findings",
    "published_maternal_mortality",
    "published_neonatal_mortality",
]

logger = logging.getLogger(__name__)

#: Mother's age bands, in display order.
AGE_BANDS = ("<20", "20-24", "25-29", "30-34", "35-39", "40+")
#: Index of Multiple Deprivation quintiles (1 = most deprived).
IMD_QUINTILES = (1, 2, 3, 4, 5)
#: High-level ethnic groups compared (NHS codes: Chinese under Other, as MBRRACE-UK does).
GROUPS = tuple(_records.GROUPS)

_COMMON = {
    "year": data.column("int", min=1990, max=2100, description="year of delivery"),
    "ethnic_category": data.column(
        "str", nullable=True, description="mother's ethnic category as recorded (NHS code)"
    ),
    "age_band": data.column("str", nullable=True, allowed=AGE_BANDS, description="mother's age"),
    "imd_quintile": data.column(
        "int", nullable=True, allowed=IMD_QUINTILES, description="IMD quintile, 1 most deprived"
    ),
    "region_code": data.column("str", nullable=True),
    "region_name": data.column("str", nullable=True),
}

#: One row per maternity (a woman giving birth to one or more babies from 24 weeks).
MATERNITIES = data.dataset_schema(
    "maternities",
    columns={
        "maternity_id": data.column("int", unique=True),
        **_COMMON,
        "number_of_babies": data.column("int", min=1, max=8),
        "maternal_death": data.column(
            "bool", description="died in pregnancy or within 42 days (direct/indirect causes)"
        ),
    },
    description="record-level maternities (MBRRACE-UK definition)",
)

#: One row per baby born from 24+0 weeks (live or stillborn), terminations excluded.
BIRTHS = data.dataset_schema(
    "births",
    columns={
        "birth_id": data.column("int", unique=True),
        "maternity_id": data.column("int"),
        "birth_order": data.column("int", min=1, max=8),
        **_COMMON,
        "stillbirth": data.column("bool", description="no signs of life, from 24+0 weeks"),
        "neonatal_death": data.column("bool", description="live born, died before 28 days"),
    },
    description="record-level births (MBRRACE-UK perinatal surveillance definitions)",
)


def prepare(
    records: pd.DataFrame,
    *,
    region: str = "England",
    ethnicity: str = "ethnic_category",
    unknown: str = "exclude",
    chinese: str = "other",
) -> pd.DataFrame:
    """Add the harmonised ethnic group and its recording status to maternity or birth records.

    Parameters
    ----------
    records : DataFrame
        Maternities or births (:data:`MATERNITIES`, :data:`BIRTHS`). Not modified.
    region : str, default "England"
        ``"England"`` keeps every record; otherwise the region name or code to keep (matched
        against ``region_name`` and ``region_code``, case-insensitive).
    ethnicity : str, default "ethnic_category"
        Column with the mother's ethnic category as recorded.
    unknown : {"exclude", "reference"}, default "exclude"
        Records whose ethnicity is not stated, not known or invalid: left without a group (and
        excluded from comparisons, counted by :func:`exclusions`), or counted with White as
        MBRRACE-UK and ONS SDG 3.1.1 do ("White (inc. not known)").
    chinese : {"other", "asian"}, default "other"
        Where Chinese goes: "other" as MBRRACE-UK ("Chinese or other") and NHS codes do.

    Returns
    -------
    DataFrame
        The records (same rows, same index) with two more columns: ``ethnic_group`` (ordered
        categorical: Asian, Black, Mixed, White, Other; missing when not usable) and
        ``ethnicity_status`` (``recorded``, ``not stated``, ``not known``, ``invalid code``).

    Raises
    ------
    InputError
        If a column is missing, an option is not allowed, or no record is in ``region``.

    Notes
    -----
    Harmonisation is :func:`rhoresearch.ethnicity.harmonise` (NHS codes in any case or padding,
    Data Dictionary descriptions; ``Z`` not stated; ``99``, ``X`` and blanks not known). Invalid
    codes are counted as not known and logged. Rows outside ``region`` are not returned; how many
    were outside is logged (a selection, not an exclusion).

    References
    ----------
    NHS Data Dictionary, ETHNIC CATEGORY. MBRRACE-UK, Saving Lives, Improving Mothers' Care
    (groups and the "White (inc. not known)" convention).
    """
    func = "maternity.prepare"
    selected = _records.select_region(records, region=region, func=func)
    return _records.add_ethnic_group(
        selected, ethnicity_column=ethnicity, unknown=unknown, chinese=chinese, func=func
    )


_SOURCES = {
    "maternities": ({"maternal_deaths": "maternal_death"}, "maternities"),
    "births": ({"stillbirths": "stillbirth", "neonatal_deaths": "neonatal_death"}, "births"),
}
_STRATA = ["year", "age_band", "imd_quintile"]


def counts_from_source(
    source,
    *,
    dataset: str = "maternities",
    region: str = "England",
    ethnicity: str = "ethnic_category",
    unknown: str = "exclude",
    chinese: str = "other",
    connection=None,
) -> pd.DataFrame:
    """Maternities or births counted by stratum inside a database engine, ready for the analyses.

    The record-level step of :func:`prepare` for extracts too large for pandas: the records are
    counted where they are, by :func:`rhoresearch.data.aggregate.stratified_counts` (DuckDB reads a
    Parquet or CSV file without loading it; a Spark DataFrame or ``"spark:<db.table>"`` is
    counted by Spark), and only one row per stratum comes back.

    Parameters
    ----------
    source : path, ``"spark:<db.table>"``, DataFrame, Ibis table or Spark DataFrame
        Records with the columns of :data:`MATERNITIES` or :data:`BIRTHS` (paths relative to the
        project root are resolved). Not modified.
    dataset : {"maternities", "births"}, default "maternities"
        Which records these are.
    region, ethnicity, unknown, chinese
        As for :func:`prepare`.
    connection : ibis backend, optional
        The engine, as for :func:`rhoresearch.data.aggregate.stratified_counts` (default: a new
        DuckDB connection for a file or frame, its memory capped at
        :data:`rhoresearch.data.aggregate.DEFAULT_MEMORY_LIMIT`, spilling to disk beyond; give
        ``aggregate.duckdb_connection(...)`` to change the limits).

    Returns
    -------
    DataFrame
        One row per combination of recorded ethnic category, ``region_name``, ``region_code``,
        ``year`` (Int64), ``age_band`` (str, missing kept), ``imd_quintile`` (Int64, missing
        kept) in ``region``, with ``ethnic_group`` and ``ethnicity_status`` as :func:`prepare`
        adds them, and the counts: ``maternities`` and ``maternal_deaths``, or ``births``,
        ``stillbirths`` and ``neonatal_deaths``. :func:`maternal_counts`,
        :func:`perinatal_counts`, :func:`records_in_period`, :func:`exclusions` and
        :func:`ethnicity_completeness` give the same results on it as on :func:`prepare`'s
        output.

    Raises
    ------
    InputError
        For an option not allowed, no record in ``region``, or a birth that is both a stillbirth
        and a neonatal death.
    SchemaError
        A column is missing or a value is not of its type (names the file, column, row).

    Notes
    -----
    Missing event flags: :func:`prepare`'s path counts them as no event; here such rows are not
    counted, and :func:`exclusions` reports them (the schemas do not allow missing flags).

    References
    ----------
    As :func:`prepare`; DuckDB, https://duckdb.org; Apache Spark, https://spark.apache.org.
    """
    func = "maternity.counts_from_source"
    if dataset not in _SOURCES:
        raise InputError(f"{func}: dataset must be 'maternities' or 'births', got {dataset!r}")
    events, weight = _SOURCES[dataset]
    out = _records.counted_records(
        source,
        strata=_STRATA,
        events=events,
        weight=weight,
        ethnicity_column=ethnicity,
        region=region,
        unknown=unknown,
        chinese=chinese,
        func=func,
        dtypes={"year": "int64", "imd_quintile": "int64"},
        connection=connection,
    )
    if dataset == "births":
        _check_still_and_neonatal(source, func, connection)
    return out


def _check_still_and_neonatal(source, func: str, connection) -> None:
    """Raise if a birth is both a stillbirth and a neonatal death (counted in the engine)."""
    from rhoresearch import config
    from rhoresearch.data import aggregate

    if isinstance(source, str) and not source.startswith("spark:"):
        source = config.resolve_path(source)
    counts, _ = aggregate.stratified_counts(
        source,
        connection=connection,
        ethnicity_column=None,
        # both flags are converted to 0/1 counts before the filter is applied
        events={"still": "stillbirth", "neonatal": "neonatal_death"},
        filters=lambda t: (t.stillbirth + t.neonatal_death) == 2,
    )
    both = int(counts["n_rows"].sum()) if len(counts) else 0
    if both:
        raise InputError(
            f"{func}: {both} record(s) are both a stillbirth and a neonatal death; a neonatal "
            "death must be a live birth"
        )


def _weight(records: pd.DataFrame) -> pd.Series | None:
    """Records per row of counted records (:func:`counts_from_source`), else None."""
    for col in ("maternities", "births"):
        if col in records.columns:
            return records[col].astype("int64")
    return None


def ethnicity_completeness(
    records: pd.DataFrame, *, by="year", confidence: float = 0.95
) -> pd.DataFrame:
    """Ethnic category recording status by ``by`` (records or :func:`counts_from_source` rows).

    Parameters
    ----------
    records : DataFrame
        Output of :func:`prepare` or :func:`counts_from_source`. Not modified.
    by : str or list of str, default "year"
        Grouping columns.
    confidence : float, default 0.95
        Level of the Wilson intervals.

    Returns
    -------
    DataFrame
        As :func:`rhoresearch.workstreams.data_quality.completeness` (``by``, ``status``, ``status_label``,
        ``numerator``, ``denominator``, ``value``, ``lower_ci``, ``upper_ci``, ``confidence``,
        ``statistic``, ``method``, ``note``), the same for records and for counted records.

    References
    ----------
    Scobie S, Spencer J, Raleigh V (2021). Ethnicity coding in English health service datasets.
    Nuffield Trust.
    """
    weight = _weight(records)
    return _records.completeness(
        records,
        code="ethnic_category",
        by=by,
        weight=None if weight is None else weight.name,
        confidence=confidence,
    )


def exclusions(
    records: pd.DataFrame,
    *,
    covariates=("age_band", "imd_quintile"),
    unknown: str = "exclude",
) -> pd.DataFrame:
    """Rows excluded from each analysis, and why (for a report's data-quality section).

    Parameters
    ----------
    records : DataFrame
        Output of :func:`prepare` or :func:`counts_from_source`. Not modified.
    covariates : sequence of str, default ("age_band", "imd_quintile")
        Covariates of the adjusted model: records missing any are excluded from the model only.
    unknown : {"exclude", "reference"}, default "exclude"
        As given to :func:`prepare` (says whether unknown ethnicity was excluded).

    Returns
    -------
    DataFrame
        One row per reason: ``step`` (``"records"``, ``"ethnicity"`` or ``"covariates"``),
        ``reason``, ``rows``, ``percent`` (of all records), ``applies_to`` (which analyses lose
        the rows). The first row is the total number of records.

    Notes
    -----
    A record can miss several covariates: the covariate rows count each missing covariate, and
    a last row counts the records the model loses (missing any covariate, among records with a
    usable ethnic group).
    """
    func = "maternity.exclusions"
    _records.require(records, ["ethnic_group", "ethnicity_status", *covariates], func)
    weight = _weight(records)
    w = np.ones(len(records), dtype="int64") if weight is None else weight.to_numpy()
    engine = _records.engine_steps(records)
    total = int(w.sum()) + sum(n for _, _, n, _ in engine)
    steps = [("records", "records in the extract (after region selection)", total, "")]
    steps += engine
    steps += _records.ethnicity_steps(records, unknown=unknown, weight=weight)
    usable = records["ethnic_group"].notna().to_numpy()
    any_missing = np.zeros(len(records), dtype=bool)
    for cov in covariates:
        miss = records[cov].isna().to_numpy()
        any_missing |= miss
        steps.append(
            ("covariates", f"{cov} missing", int(w[miss & usable].sum()), "adjusted model")
        )
    steps.append(
        (
            "covariates",
            "records with a usable ethnic group missing any model covariate",
            int(w[any_missing & usable].sum()),
            "adjusted model",
        )
    )
    return _records.exclusion_table(steps, total)


def _check_by(records: pd.DataFrame, by, func: str) -> list[str]:
    by = [by] if isinstance(by, str) else list(by or [])
    _records.require(records, ["ethnic_group", *by], func)
    return by


def _grouped_sums(records, by, sums: dict[str, pd.Series], func: str) -> pd.DataFrame:
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


def maternal_counts(maternities: pd.DataFrame, *, by=("ethnic_group", "year")) -> pd.DataFrame:
    """Maternities and maternal deaths by stratum.

    Parameters
    ----------
    maternities : DataFrame
        Output of :func:`prepare` on :data:`MATERNITIES`, or of :func:`counts_from_source`
        (its ``maternities`` and ``maternal_deaths`` counts are summed). Not modified.
    by : str or sequence of str, default ("ethnic_group", "year")
        Strata, e.g. ``["ethnic_group", "year", "age_band", "imd_quintile"]`` for a model.

    Returns
    -------
    DataFrame
        One row per observed stratum: the ``by`` columns, ``maternities`` (int), ``maternal_deaths``
        (int). Strata with maternities but no death have ``maternal_deaths`` 0.

    Notes
    -----
    Records without a usable ethnic group or with a missing ``by`` value are left out (they are
    counted by :func:`exclusions`; the number is logged).

    References
    ----------
    MBRRACE-UK: maternal mortality per 100,000 maternities.
    """
    func = "maternity.maternal_counts"
    by = _check_by(maternities, by, func)
    if "maternities" in maternities.columns:  # counted records (counts_from_source)
        _records.require(maternities, ["maternal_deaths"], func)
        ones, deaths = maternities["maternities"], maternities["maternal_deaths"]
        return _grouped_sums(
            maternities, by, {"maternities": ones, "maternal_deaths": deaths}, func
        )
    _records.require(maternities, ["maternal_death"], func)
    ones = pd.Series(1, index=maternities.index)
    deaths = maternities["maternal_death"].fillna(False).astype("int64")
    return _grouped_sums(maternities, by, {"maternities": ones, "maternal_deaths": deaths}, func)


def perinatal_counts(births: pd.DataFrame, *, by=("ethnic_group", "year")) -> pd.DataFrame:
    """Births, stillbirths, live births and neonatal deaths by stratum.

    Parameters
    ----------
    births : DataFrame
        Output of :func:`prepare` on :data:`BIRTHS`, or of :func:`counts_from_source` (its
        ``births``, ``stillbirths`` and ``neonatal_deaths`` counts are summed). Not modified.
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
    by = _check_by(births, by, func)
    if "births" in births.columns:  # counted records (counts_from_source)
        _records.require(births, ["stillbirths", "neonatal_deaths"], func)
        n, still = births["births"], births["stillbirths"]
        sums = {"births": n, "stillbirths": still, "live_births": n - still}
        return _grouped_sums(
            births, by, {**sums, "neonatal_deaths": births["neonatal_deaths"]}, func
        )
    _records.require(births, ["stillbirth", "neonatal_death"], func)
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
        by,
        {"births": ones, "stillbirths": still, "live_births": ones - still, "neonatal_deaths": neo},
        func,
    )


def _period_label(start: int, end: int) -> str:
    return f"{start}-{end % 100:02d}"


def rolling_periods(years, *, length: int = 3) -> pd.DataFrame:
    """The complete rolling periods of ``length`` consecutive years covered by ``years``.

    Parameters
    ----------
    years : iterable of int
        Years present in the data (duplicates allowed).
    length : int, default 3
        Years in each period (MBRRACE-UK reports maternal deaths over three years).

    Returns
    -------
    DataFrame
        One row per period, in order: ``period`` (label as published, e.g. ``"2018-20"``),
        ``start_year``, ``end_year``. A period is listed only when every one of its years is
        present.

    Raises
    ------
    InputError
        If ``length`` is not a positive integer or ``years`` holds a non-integer.

    Examples
    --------
    >>> rolling_periods([2016, 2017, 2018, 2019])["period"].tolist()
    ['2016-18', '2017-19']
    """
    if not isinstance(length, (int, np.integer)) or isinstance(length, bool) or length < 1:
        raise InputError(f"rolling_periods: length must be a positive integer, got {length!r}")
    values = pd.Series(list(years)).dropna()
    try:
        present = sorted({int(y) for y in values})
    except (TypeError, ValueError) as err:
        raise InputError(f"rolling_periods: years must be integers ({err})") from None
    rows = []
    have = set(present)
    for start in present:
        end = start + length - 1
        if all(y in have for y in range(start, end + 1)):
            rows.append((_period_label(start, end) if length > 1 else str(start), start, end))
    return pd.DataFrame(rows, columns=["period", "start_year", "end_year"]).astype(
        {"period": "str", "start_year": "int64", "end_year": "int64"}
    )


def rolling_period_counts(
    counts: pd.DataFrame, *, year: str = "year", by=None, length: int = 3
) -> pd.DataFrame:
    """Sum yearly counts over rolling periods (each year counts in every period containing it).

    Parameters
    ----------
    counts : DataFrame
        Yearly counts, e.g. from :func:`maternal_counts` with ``year`` among ``by``. Not modified.
    year : str, default "year"
        Column with the year.
    by : str or sequence of str, optional
        Other strata to keep (default: every non-numeric column other than ``year``).
    length : int, default 3
        Years per period.

    Returns
    -------
    DataFrame
        One row per period x stratum: ``period`` (ordered categorical, e.g. ``"2016-18"``), the
        ``by`` columns, then every numeric count column of ``counts`` summed over the period's
        years.

    Notes
    -----
    Only complete periods are formed (see :func:`rolling_periods`). Rolling periods overlap, so
    the periods' counts are not independent: compare non-overlapping periods for trend tests.

    References
    ----------
    MBRRACE-UK, Saving Lives, Improving Mothers' Care (three-year rolling rates).
    """
    func = "maternity.rolling_period_counts"
    _records.require(counts, [year], func)
    if by is None:
        by = [
            c for c in counts.columns if c != year and not pd.api.types.is_numeric_dtype(counts[c])
        ]
    by = [by] if isinstance(by, str) else list(by)
    _records.require(counts, by, func)
    value_cols = [
        c
        for c in counts.columns
        if c not in by and c != year and pd.api.types.is_numeric_dtype(counts[c])
    ]
    periods = rolling_periods(counts[year], length=length)
    if periods.empty:
        raise InputError(
            f"{func}: no complete {length}-year period in years "
            f"{sorted(counts[year].dropna().unique().tolist())}"
        )
    parts = []
    for period, start, end in periods.itertuples(index=False):
        sel = counts[counts[year].between(start, end)]
        summed = sel.groupby(by, observed=True, sort=True)[value_cols].sum().reset_index()
        parts.append(summed.assign(period=period))
    out = pd.concat(parts, ignore_index=True)
    out["period"] = pd.Categorical(out["period"], categories=periods["period"], ordered=True)
    return out[["period", *by, *value_cols]]


def choose_period(periods, period: str = "latest") -> str:
    """Check a requested period against those available and return its label.

    Parameters
    ----------
    periods : DataFrame or sequence of str
        :func:`rolling_period_counts` output (its ``period`` column) or period labels in order.
    period : str, default "latest"
        A label such as ``"2018-20"``, or ``"latest"`` for the last one.

    Returns
    -------
    str
        The period label.

    Raises
    ------
    InputError
        If the period is not available (the message lists those that are).
    """
    if isinstance(periods, pd.DataFrame):
        column = periods["period"]
        labels = (
            list(column.cat.categories)
            if isinstance(column.dtype, pd.CategoricalDtype)
            else list(dict.fromkeys(column.astype("str")))
        )
    else:
        labels = [str(p) for p in periods]
    if not labels:
        raise InputError("choose_period: no period is available")
    if str(period).strip().lower() == "latest":
        return labels[-1]
    if str(period) not in labels:
        raise InputError(f"choose_period: period {period!r} is not available; choose from {labels}")
    return str(period)


def records_in_period(records: pd.DataFrame, period: str, *, year: str = "year") -> pd.DataFrame:
    """Rows of ``records`` whose year falls in a period labelled like ``"2018-20"`` or ``"2019"``.

    Parameters
    ----------
    records : DataFrame
        Records or counts with a ``year`` column. Not modified.
    period : str
        Period label (``"2018-20"``: 2018 to 2020; ``"1998-00"``: 1998 to 2000; ``"2019"``).
    year : str, default "year"
        The year column.

    Returns
    -------
    DataFrame
        The rows in the period (same columns, index kept).

    Raises
    ------
    InputError
        If the label cannot be read or no row falls in the period.
    """
    _records.require(records, [year], "records_in_period")
    text = str(period).strip()
    try:
        if "-" in text:
            first, last = text.split("-", 1)
            start = int(first)
            end = start - start % 100 + int(last) if len(last) == 2 else int(last)
            if end < start:
                end += 100
        else:
            start = end = int(text)
    except ValueError:
        raise InputError(
            f"records_in_period: period {period!r} is not a year or a range like '2018-20'"
        ) from None
    out = records[records[year].between(start, end)]
    if out.empty:
        raise InputError(f"records_in_period: no row with {year} in {start}-{end}")
    return out


def published_for_period(published: pd.DataFrame, period: str) -> pd.DataFrame:
    """The published rates of ``period``, else of the latest published period (labelled).

    Parameters
    ----------
    published : DataFrame
        :func:`published_maternal_mortality` output. Not modified.
    period : str
        The period of the computed rates.

    Returns
    -------
    DataFrame
        ``ethnic_group``, ``published_period``, ``published_group``, ``published_rate``,
        ``source``: one row per group, for ``period`` when published, else for the latest
        published period (the column says which).
    """
    _records.require(published, ["period", "ethnic_group", "published_rate"], "published")
    chosen = period if (published["period"] == period).any() else published["period"].max()
    rows = published[published["period"] == chosen]
    return rows.rename(columns={"period": "published_period"})[
        ["ethnic_group", "published_period", "published_group", "published_rate", "source"]
    ].reset_index(drop=True)


#: Outcomes as named in the notebook's tables, with the phrases of the key findings.
OUTCOME_PHRASES = (
    ("Maternal death", "die in pregnancy or within 42 days of its end", "women"),
    ("Stillbirth", "have a stillbirth", "mothers"),
    ("Neonatal death", "have a baby die in the first 28 days of life", "mothers"),
)


def compare_crude_adjusted(crude: pd.DataFrame, adjusted: pd.DataFrame, *, keys=("outcome",)):
    """Crude and adjusted rate ratios by ethnic group in one long table (forest plots, findings).

    Parameters
    ----------
    crude : DataFrame
        :func:`rhoresearch.stats.indicators.rate_ratio` output (``group="ethnic_group"``) with the
        ``keys`` columns added. Not modified.
    adjusted : DataFrame
        :func:`rhoresearch.stats.models.poisson_model` output with the ``keys`` columns added. Not
        modified.
    keys : sequence of str, default ("outcome",)
        Columns identifying which comparison a row belongs to (present in both).

    Returns
    -------
    DataFrame
        ``keys``, ``ethnic_group``, ``comparison`` (``crude``/``adjusted``), ``reference``,
        ``count`` and ``reference_count`` (events in the group and in the reference group, from the
        crude table, so that both rows pass the same disclosure control), ``value`` (rate ratio),
        ``lower_ci``, ``upper_ci``, ``p_value``, ``is_reference``, ``fit`` (``rate ratio``,
        ``poisson`` or ``negative_binomial``).
    """
    return _records.crude_and_adjusted(crude, adjusted, group="ethnic_group", keys=keys)


def findings(
    comparison: pd.DataFrame, *, reference: str = "White", adjusted_for: str = "age and deprivation"
) -> list[str]:
    """Key-finding sentences from a (disclosure-controlled) :func:`compare_crude_adjusted` table.

    Parameters
    ----------
    comparison : DataFrame
        Output of :func:`compare_crude_adjusted` with ``outcome`` values of
        :data:`OUTCOME_PHRASES`, after :func:`rhoresearch.disclosure.suppress` (suppressed values
        give a "suppressed" sentence).
    reference : str, default "White"
        The reference group's name.
    adjusted_for : str
        Named in the sentences of adjusted ratios.

    Returns
    -------
    list of str
        One sentence per outcome, group and comparison, e.g. "Black women were 3.7 times as
        likely as White women to die in pregnancy or within 42 days of its end (95% CI 2.9 to
        4.7)." (from :func:`rhoresearch.report.narrative.ratio_sentence`).
    """
    return _records.findings(
        comparison,
        specs=OUTCOME_PHRASES,
        group="ethnic_group",
        reference=reference,
        qualifier=f", after adjusting for {adjusted_for}",
    )


_SDG311_GROUPS = {
    "White (inc. not known)": "White",
    "Mixed/multiple ethnic groups": "Mixed",
    "Asian": "Asian",
    "Black": "Black",
    "Chinese or other": "Other",
}
_SDG322_GROUPS = {
    "White British": "White",
    "White Other": "White",
    "Mixed/ multiple": "Mixed",
    "Indian": "Asian",
    "Pakistani": "Asian",
    "Bangladeshi": "Asian",
    "Any other Asian background": "Asian",
    "Black African": "Black",
    "Black Caribbean": "Black",
    "Any other Black background": "Black",
    "Any Other ethnic group": "Other",
}


def published_maternal_mortality(reference: pd.DataFrame | None = None) -> pd.DataFrame:
    """Published maternal mortality rates by ethnic group (ONS SDG 3.1.1, from MBRRACE-UK).

    Parameters
    ----------
    reference : DataFrame, optional
        The reference table ``sdg311_maternal_mortality_rate_by_ethnicity_england`` (default:
        loaded with :func:`rhoresearch.data.load_reference`). Not modified.

    Returns
    -------
    DataFrame
        ``period``, ``ethnic_group`` (high level), ``published_group`` (as published),
        ``published_rate`` (per 100,000 maternities), ``observation_status``, ``source``.

    Notes
    -----
    Rates only (no counts are published with them), so no interval can be recomputed. The
    published White group includes women whose ethnicity was not known.

    References
    ----------
    Office for National Statistics. SDG indicator 3.1.1, maternal mortality ratio (England, by
    ethnicity), from MBRRACE-UK. https://sdgdata.gov.uk/3-1-1/
    """
    if reference is None:
        reference = data.load_reference("sdg311_maternal_mortality_rate_by_ethnicity_england")
    _records.require(
        reference, ["period", "ethnic_group", "rate_per_100000_maternities"], "published"
    )
    out = pd.DataFrame(
        {
            "period": reference["period"].astype("str"),
            "ethnic_group": reference["ethnic_group"].map(_SDG311_GROUPS).astype("str"),
            "published_group": reference["ethnic_group"].astype("str"),
            "published_rate": reference["rate_per_100000_maternities"].astype("float64"),
            "observation_status": reference.get("observation_status", pd.Series(pd.NA)).astype(
                "str"
            ),
            "source": "ONS SDG 3.1.1 (MBRRACE-UK), England",
        }
    )
    return out.sort_values(["period", "ethnic_group"], kind="stable").reset_index(drop=True)


def published_neonatal_mortality(reference: pd.DataFrame | None = None) -> pd.DataFrame:
    """Published neonatal mortality by the baby's ethnic group (ONS SDG 3.2.2), detailed groups.

    Parameters
    ----------
    reference : DataFrame, optional
        The reference table ``sdg322_neonatal_mortality_rate_by_baby_ethnicity_england_wales``
        (default: loaded with :func:`rhoresearch.data.load_reference`). Not modified.

    Returns
    -------
    DataFrame
        ``year``, ``ethnic_group`` (high level; missing for "Not Stated"), ``published_group``,
        ``published_rate`` (per 1,000 live births), ``observation_status``, ``source``.

    Notes
    -----
    Rates only, for England and Wales, by the *baby's* ethnicity and for detailed groups: the
    high-level group is given for orientation; no high-level rate can be derived without counts.

    References
    ----------
    Office for National Statistics. SDG indicator 3.2.2, neonatal mortality rate by ethnicity of
    the baby, England and Wales. https://sdgdata.gov.uk/3-2-2/
    """
    if reference is None:
        reference = data.load_reference(
            "sdg322_neonatal_mortality_rate_by_baby_ethnicity_england_wales"
        )
    col = "neonatal_mortality_rate_per_1000_live_births"
    _records.require(reference, ["year", "baby_ethnic_group", col], "published")
    out = pd.DataFrame(
        {
            "year": reference["year"].astype("int64"),
            "ethnic_group": reference["baby_ethnic_group"].map(_SDG322_GROUPS).astype("str"),
            "published_group": reference["baby_ethnic_group"].astype("str"),
            "published_rate": pd.to_numeric(reference[col], errors="coerce").astype("float64"),
            "observation_status": reference.get("observation_status", pd.Series(pd.NA)).astype(
                "str"
            ),
            "source": "ONS SDG 3.2.2, England and Wales (baby's ethnicity)",
        }
    )
    return out.sort_values(["year", "published_group"], kind="stable").reset_index(drop=True)
