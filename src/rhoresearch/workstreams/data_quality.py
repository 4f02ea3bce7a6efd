"""Ethnicity data quality and the representation of ethnic groups in research.

Three questions, each a small function returning a tidy table:

- **Completeness**: how many records carry a valid ethnic category code, and how many are "not
  stated" (``Z``), "not known" (``99``, HES ``X``, the withdrawn ``9``), blank, or invalid, by
  dataset, provider and year (:func:`classify_codes`, :func:`completeness`,
  :func:`valid_by_provider`).
- **Agreement** between two sources for the same people (e.g. Census 2021 self-report and hospital
  records): percent agreement and Cohen's kappa overall (:func:`agreement`) and by group
  (:func:`agreement_by_group`), and where disagreement goes (:func:`disagreement_flows`).
- **Representation in research**: each group's share of study participants against its share of
  the population or disease population, the participation-to-prevalence ratio (PPR), with
  under-representation below 0.8 flagged (:func:`representation`).

Proportions and their Wilson intervals come from :mod:`rhoresearch.stats.indicators`; ethnicity codes are
read by :mod:`rhoresearch.ethnicity`.

References
----------
NHS Data Dictionary, ETHNIC CATEGORY (national codes A-S, Z not stated, default 99 not known).
Scobie S, Spencer J, Raleigh V (2021). Ethnicity coding in English health service datasets. Nuffield
Trust / NHS Race and Health Observatory. ONS (2023). Understanding consistency of ethnicity data
recorded in health-related administrative datasets in England: 2011 to 2021. Carcel C et al.
(2021). Representation of women in stroke clinical trials. Neurology 97:e1768 (PPR thresholds).
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import pandera.pandas as pa
from scipy import stats
from statsmodels.stats.inter_rater import cohens_kappa

from rhoresearch import ethnicity
from rhoresearch.exceptions import InputError
from rhoresearch.stats import indicators
from rhoresearch.workstreams import _frames

__all__ = [
    "STATUSES",
    "STATUS_LABELS",
    "PPR_RANGE",
    "RECORDS_SCHEMA",
    "PROVIDERS_SCHEMA",
    "LINKED_SCHEMA",
    "PARTICIPANTS_SCHEMA",
    "REFERENCE_SCHEMA",
    "SCHEMAS",
    "select",
    "dataset_label",
    "classify_codes",
    "completeness",
    "valid_by_provider",
    "agreement",
    "agreement_by_group",
    "disagreement_flows",
    "representation",
]

logger = logging.getLogger(__name__)

#: Completeness statuses, in display order.
STATUSES = ("valid", "not_stated", "not_known", "missing", "invalid")
STATUS_LABELS = {
    "valid": "Valid code (A-S)",
    "not_stated": "Not stated (Z)",
    "not_known": "Not known (99, X, 9)",
    "missing": "Blank or missing",
    "invalid": "Invalid code",
}
#: Participation-to-prevalence ratios in this range are "similar representation".
PPR_RANGE = (0.8, 1.2)

RECORDS_SCHEMA = pa.DataFrameSchema(
    {
        "record_id": pa.Column(int, coerce=True, unique=True),
        "dataset": pa.Column(str),
        "provider_code": pa.Column(str),
        "year": pa.Column(int, coerce=True),
        "ethnic_category": pa.Column(str, nullable=True, coerce=True),
    },
    name="ethnicity records",
    strict=False,
)
PROVIDERS_SCHEMA = pa.DataFrameSchema(
    {
        "provider_code": pa.Column(str, unique=True),
        "provider_name": pa.Column(str),
        "dataset": pa.Column(str),
        "sector": pa.Column(str, pa.Check.isin(["NHS", "Independent"]), required=False),
        "region": pa.Column(str, required=False),
    },
    name="providers",
    strict=False,
)
LINKED_SCHEMA = pa.DataFrameSchema(
    {
        "person_id": pa.Column(int, coerce=True, unique=True),
        "census_code": pa.Column(str, nullable=True, coerce=True),
        "hes_code": pa.Column(str, nullable=True, coerce=True),
    },
    name="linked ethnicity",
    strict=False,
)
PARTICIPANTS_SCHEMA = pa.DataFrameSchema(
    {
        "study_id": pa.Column(str),
        "study_title": pa.Column(str, required=False),
        "condition": pa.Column(str, required=False),
        "ethnic_group": pa.Column(str),
        "participants": pa.Column(int, pa.Check.ge(0), coerce=True),
    },
    name="research participants",
    strict=False,
)
REFERENCE_SCHEMA = pa.DataFrameSchema(
    {
        "study_id": pa.Column(str),
        "ethnic_group": pa.Column(str),
        "reference_share": pa.Column(float, [pa.Check.ge(0), pa.Check.le(1)], coerce=True),
        "reference_basis": pa.Column(str, required=False),
        "reference_source": pa.Column(str, required=False),
    },
    name="research reference shares",
    strict=False,
)
#: File stem -> schema, for ``rhoresearch.data.load``.
SCHEMAS = {
    "records": RECORDS_SCHEMA,
    "providers": PROVIDERS_SCHEMA,
    "linked_ethnicity": LINKED_SCHEMA,
    "research_participants": PARTICIPANTS_SCHEMA,
    "research_reference": REFERENCE_SCHEMA,
}


def _check_confidence(confidence, func: str) -> float:
    if isinstance(confidence, bool) or not isinstance(confidence, (int, float)):
        raise InputError(f"{func}: confidence must be a fraction such as 0.95, got {confidence!r}")
    if not 0 < confidence < 1:
        raise InputError(
            f"{func}: confidence must be between 0 and 1 (e.g. 0.95), got {confidence!r}"
        )
    return float(confidence)


def select(
    records: pd.DataFrame,
    *,
    dataset: str = "all",
    years: list[int] | None = None,
) -> pd.DataFrame:
    """Keep the records of one dataset (or all) and, optionally, some years.

    Parameters
    ----------
    records : DataFrame
        Records with ``dataset`` (and ``year``); not modified.
    dataset : str, default "all"
        ``"all"`` or a dataset name, matched ignoring case, spaces and hyphens
        (``"hospital-episodes"`` selects "Hospital episodes").
    years : list of int, optional
        Keep these years only.

    Returns
    -------
    DataFrame
        The selected rows, same columns, index reset.

    Raises
    ------
    InputError
        The dataset or a year is not in the data.
    """
    _frames.require(records, ["dataset"], "select")
    out = records
    if _frames.alnum_slug(dataset) != "all":
        names = {_frames.alnum_slug(d): d for d in records["dataset"].astype(str).unique()}
        if _frames.alnum_slug(dataset) not in names:
            raise InputError(
                f"select: dataset {dataset!r} not in the data; datasets: {sorted(names.values())}"
            )
        out = out[out["dataset"].astype(str) == names[_frames.alnum_slug(dataset)]]
    if years is not None:
        _frames.require(out, ["year"], "select")
        absent = sorted(set(int(y) for y in years) - set(out["year"].astype(int)))
        if absent:
            raise InputError(f"select: year(s) {absent} not in the data")
        out = out[out["year"].astype(int).isin([int(y) for y in years])]
    return out.reset_index(drop=True)


def dataset_label(dataset: str, records: pd.DataFrame) -> str:
    """The dataset's name as written in the data for a selection value ("all datasets" for all)."""
    if _frames.alnum_slug(dataset) == "all":
        return "all datasets"
    names = {_frames.alnum_slug(d): d for d in records["dataset"].astype(str).unique()}
    return names.get(_frames.alnum_slug(dataset), str(dataset))


# --------------------------------------------------------------------------------------------------
# completeness
# --------------------------------------------------------------------------------------------------


def classify_codes(values) -> pd.Series:
    """Classify recorded ethnic category codes as valid, not stated, not known, missing or invalid.

    Parameters
    ----------
    values : Series or sequence
        Codes as recorded (``"A"``, ``"a "``, ``"Z"``, ``"99"``, ``"X"``, ``""``, ``"Q"`` ...).
        Not modified.

    Returns
    -------
    Series
        Ordered categorical with categories :data:`STATUSES`, same index as ``values``.

    Notes
    -----
    Each distinct value is read once by :func:`rhoresearch.ethnicity.harmonise_report` (to NHS
    codes): values it maps to a national code A-S are ``valid`` (case and padding are tolerated; a
    two-character local code counts by its first character), ``Z`` is ``not_stated``, ``99``,
    HES ``X`` and the withdrawn ``9`` are ``not_known``, blanks and nulls are ``missing``, anything
    else is ``invalid``. The statuses follow the NHS Digital ethnicity asset, which treats Z, X,
    99, 9, blank and NULL as unknown, keeping declined (Z) apart from not asked (99).

    References
    ----------
    NHS Data Dictionary, ETHNIC CATEGORY; Change Request 406 (2004). NHS Digital, GDPPR
    ethnicity asset (NHSDigital/GDPPR_Analytical_Code).
    """
    series = values if isinstance(values, pd.Series) else pd.Series(list(values))
    text = series.astype(object).where(series.notna(), None)
    report = ethnicity.harmonise_report(text, to="nhs_code")
    lookup: dict[object, str] = {}
    for r in report.itertuples(index=False):
        if r.status == "missing":
            status = "missing"
        elif r.status == "unmapped":
            status = "invalid"
        elif r.mapped_to == ethnicity.NOT_STATED:
            status = "not_stated"
        elif r.mapped_to == ethnicity.NOT_KNOWN:
            status = "not_known"
        else:
            status = "valid"
        lookup[r.input_value] = status
    codes, uniques = pd.factorize(text, use_na_sentinel=False)
    mapped = np.array(
        ["missing" if pd.isna(u) else lookup.get(u, "invalid") for u in uniques], dtype=object
    )
    out = pd.Series(mapped[codes] if len(codes) else [], index=series.index, dtype=object)
    return pd.Series(
        pd.Categorical(out, categories=list(STATUSES), ordered=True),
        index=series.index,
        name="status",
    )


def completeness(
    records: pd.DataFrame,
    *,
    code: str = "ethnic_category",
    by=None,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Percentage of records in each completeness status, by dataset, provider, year ...

    Parameters
    ----------
    records : DataFrame
        One row per record, with the ethnic category column ``code`` (plus ``by``); not modified.
    code : str, default "ethnic_category"
        The column of recorded codes.
    by : str or list of str, optional
        Grouping columns (e.g. ``["dataset", "year"]``).
    confidence : float, default 0.95
        Confidence level of the Wilson intervals.

    Returns
    -------
    DataFrame
        One row per ``by`` group and status (all five statuses, zeros included): the ``by``
        columns, ``status``, ``status_label``, ``numerator`` (records with the status),
        ``denominator`` (records), ``value`` (%), ``lower_ci``, ``upper_ci``, ``confidence``,
        ``statistic``, ``method``, ``note``.

    Notes
    -----
    Statuses from :func:`classify_codes`. Every record is counted once; none is excluded.
    Percentages and Wilson intervals from ``rhoresearch.stats.indicators.proportion``.

    References
    ----------
    Scobie S, Spencer J, Raleigh V (2021). Ethnicity coding in English health service datasets.
    Nuffield Trust. Wilson EB (1927), JASA 22:209-212.
    """
    by = _frames.as_list(by)
    _frames.require(records, [code, *by], "completeness")
    status = classify_codes(records[code])
    counts = (
        pd.crosstab(
            [records[c] for c in by] if by else pd.Series("all", index=records.index, name="_all"),
            status,
            dropna=False,
        )
        .reindex(columns=list(STATUSES), fill_value=0)
        .stack()
        .rename("_n")
        .reset_index()
    )
    if not by:
        counts = counts.drop(columns="_all")
    counts["status"] = counts["status"].astype(str)
    counts["_total"] = (
        counts.groupby(by, sort=False)["_n"].transform("sum") if by else counts["_n"].sum()
    )
    counts = counts[counts["_total"] > 0]  # combinations of the by columns with no records
    res = _frames.percentages(
        counts, numerator="_n", denominator="_total", by=[*by, "status"], confidence=confidence
    )
    res.insert(len(by) + 1, "status_label", res["status"].map(STATUS_LABELS))
    order = {s: i for i, s in enumerate(STATUSES)}
    res = res.sort_values(
        [*by, "status"], key=lambda s: s.map(order) if s.name == "status" else s, kind="stable"
    )
    return res.reset_index(drop=True)


def valid_by_provider(
    records: pd.DataFrame,
    *,
    code: str = "ethnic_category",
    provider: str = "provider_code",
    by=None,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Percentage of records with a valid code, one row per provider (for funnel plots, heat maps).

    Parameters
    ----------
    records : DataFrame
        One row per record; not modified.
    code, provider : str
        Column names of the recorded code and the provider.
    by : str or list of str, optional
        Further grouping (e.g. ``["dataset", "year"]``).
    confidence : float, default 0.95
        Confidence level of the Wilson intervals.

    Returns
    -------
    DataFrame
        The ``by`` columns, ``provider_code`` (or ``provider``), ``numerator`` (valid records),
        ``denominator`` (records), ``value`` (% valid), ``lower_ci``, ``upper_ci``,
        ``confidence``, ``statistic``, ``method``, ``note``.

    References
    ----------
    As for :func:`completeness`.
    """
    by = _frames.as_list(by)
    res = completeness(records, code=code, by=[*by, provider], confidence=confidence)
    res = res[res["status"] == "valid"].drop(columns=["status", "status_label"])
    return res.reset_index(drop=True)


# --------------------------------------------------------------------------------------------------
# agreement between sources
# --------------------------------------------------------------------------------------------------


def _paired(linked, source_a, source_b, scheme, func):
    _frames.require(linked, [source_a, source_b], func)
    a = ethnicity.harmonise(linked[source_a], to=scheme, errors="not_known")
    b = ethnicity.harmonise(linked[source_b], to=scheme, errors="not_known")
    unknown = {ethnicity.NOT_STATED, ethnicity.NOT_KNOWN}
    known = ~a.astype(str).isin(unknown) & ~b.astype(str).isin(unknown)
    excluded = {
        "n_records": int(len(linked)),
        "n_excluded_a_unknown": int(a.astype(str).isin(unknown).sum()),
        "n_excluded_b_unknown": int(
            (~a.astype(str).isin(unknown) & b.astype(str).isin(unknown)).sum()
        ),
    }
    cats = [c for c in a.cat.categories if c not in unknown]
    a = pd.Categorical(a[known].astype(str), categories=cats)
    b = pd.Categorical(b[known].astype(str), categories=cats)
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
    return a, b, cats, excluded


_NO_KAPPA = {
    "kappa": np.nan,
    "kappa_lower_ci": np.nan,
    "kappa_upper_ci": np.nan,
    "kappa_se": np.nan,
}


def _kappa_row(table: np.ndarray, confidence: float) -> dict:
    n = table.sum()
    if n == 0 or table.shape[0] < 2:
        return dict(_NO_KAPPA)
    res = cohens_kappa(table)
    z = stats.norm.ppf(0.5 + confidence / 2)
    k, se = float(res.kappa), float(res.std_kappa)
    return {
        "kappa": k,
        "kappa_lower_ci": max(k - z * se, -1.0),
        "kappa_upper_ci": min(k + z * se, 1.0),
        "kappa_se": se,
    }


def agreement(
    linked: pd.DataFrame,
    *,
    source_a: str = "census_code",
    source_b: str = "hes_code",
    scheme: str = "nhs_code",
    by=None,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Percent agreement and Cohen's kappa between two sources of the same people's ethnicity.

    Parameters
    ----------
    linked : DataFrame
        One row per person, the group in each source (codes or labels); not modified.
    source_a, source_b : str
        The two columns; ``source_a`` is the reference (e.g. self-reported in the Census).
    scheme : {"nhs_code", "census2021", "high_level"}, default "nhs_code"
        The classification both are harmonised to before comparison.
    by : str or list of str, optional
        Grouping columns (e.g. ``"provider_code"``).
    confidence : float, default 0.95
        Confidence level.

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
    kappa = (p_o - p_e) / (1 - p_e), with p_e from the two margins. Its standard error is the
    large-sample (non-null) formula of Fleiss, Cohen and Everitt (1969), as computed by
    ``statsmodels.stats.inter_rater.cohens_kappa``; the interval is kappa +/- z SE, clipped to
    [-1, 1]. Percent agreement has a Wilson interval (``indicators.proportion``).

    References
    ----------
    Cohen J (1960). A coefficient of agreement for nominal scales. Educ Psychol Meas 20:37-46.
    Fleiss JL, Cohen J, Everitt BS (1969). Large sample standard errors of kappa and weighted
    kappa. Psychol Bull 72:323-327. ONS (2023), Understanding consistency of ethnicity data.
    """
    confidence = _check_confidence(confidence, "agreement")
    by = _frames.as_list(by)
    _frames.require(linked, by, "agreement")
    groups = [((), linked)] if not by else list(linked.groupby(by, sort=True, observed=True))
    rows = []
    for key, frame in groups:
        a, b, cats, excl = _paired(frame, source_a, source_b, scheme, "agreement")
        table = pd.crosstab(a, b, dropna=False).reindex(index=cats, columns=cats, fill_value=0)
        t = table.to_numpy(dtype=float)
        n = t.sum()
        row = dict(zip(by, key if isinstance(key, tuple) else (key,), strict=False))
        row.update({"_agree": int(np.trace(t)), "_pairs": int(n)})
        row.update(_kappa_row(t, confidence))
        row["expected_agreement"] = (
            float(t.sum(axis=1) @ t.sum(axis=0) / n**2 * 100) if n else np.nan
        )
        row["n_excluded"] = excl["n_excluded_a_unknown"] + excl["n_excluded_b_unknown"]
        rows.append(row)
    frame = pd.DataFrame(rows)
    prop = _frames.percentages(
        frame, numerator="_agree", denominator="_pairs", by=by or None, confidence=confidence
    )
    extra = frame[
        [
            *by,
            "kappa",
            "kappa_lower_ci",
            "kappa_upper_ci",
            "kappa_se",
            "expected_agreement",
            "n_excluded",
        ]
    ]
    if by:
        out = prop.merge(extra, on=by, how="left")
    else:
        out = pd.concat([prop.reset_index(drop=True), extra.reset_index(drop=True)], axis=1)
    return out


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
        Confidence level.

    Returns
    -------
    DataFrame
        One row per group of ``scheme`` (display order): ``ethnic_group``, ``numerator`` (people
        in the group in ``source_a`` with the same group in ``source_b``), ``denominator``
        (people in the group in ``source_a``), ``value`` (% consistent), ``lower_ci``,
        ``upper_ci`` (Wilson), ``confidence``, ``statistic``, ``method``, ``note``, ``recorded_in_b`` (people
        in the group in ``source_b``), ``kappa``, ``kappa_lower_ci``, ``kappa_upper_ci``,
        ``kappa_se`` (kappa of the 2x2 table "this group or not" in both sources).

    Notes
    -----
    The percentage is the share of people of each self-reported group whom the other source
    records in the same group (as in ONS 2023). Pairs with an unknown group in either source are
    excluded (see :func:`agreement`'s ``n_excluded``). The per-group kappa treats the group as
    a yes/no rating (Fleiss, Cohen and Everitt 1969 standard error).

    References
    ----------
    ONS (2023). Understanding consistency of ethnicity data recorded in health-related
    administrative datasets in England: 2011 to 2021. Fleiss JL, Cohen J, Everitt BS (1969),
    Psychol Bull 72:323-327.
    """
    confidence = _check_confidence(confidence, "agreement_by_group")
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
        row = {
            "ethnic_group": cat,
            "_same": int(both),
            "_in_a": int(t[i].sum()),
            "recorded_in_b": int(t[:, i].sum()),
        }
        two = np.array([[both, a_only], [b_only, neither]])
        row.update(
            _kappa_row(two, confidence)
            if row["_in_a"] and row["recorded_in_b"] < n
            else dict(_NO_KAPPA)
        )
        rows.append(row)
    frame = pd.DataFrame(rows)
    prop = _frames.percentages(
        frame, numerator="_same", denominator="_in_a", by="ethnic_group", confidence=confidence
    )
    out = prop.merge(
        frame[
            [
                "ethnic_group",
                "recorded_in_b",
                "kappa",
                "kappa_lower_ci",
                "kappa_upper_ci",
                "kappa_se",
            ]
        ],
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
) -> pd.DataFrame:
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
        records go); rows with an unknown ``source_a`` are always excluded (and logged).

    Returns
    -------
    DataFrame
        Long table, one row per (group in A, group in B) with at least one person, ordered by
        group in A then count: ``group_a``, ``group_b``, ``count``, ``denominator`` (people in
        ``group_a``), ``percent`` (of ``group_a``), ``agrees`` (``group_a == group_b``).

    Notes
    -----
    The rows with ``agrees == False`` are the disagreement; sorted by ``count`` within each
    ``group_a`` they show where misrecording goes (e.g. Bangladeshi recorded as Any other Asian
    background). ``count`` is a count of people: suppress before showing.

    References
    ----------
    ONS (2023). Understanding consistency of ethnicity data. Scobie et al. (2021), Nuffield Trust.
    """
    _frames.require(linked, [source_a, source_b], "disagreement_flows")
    a = ethnicity.harmonise(linked[source_a], to=scheme, errors="not_known").astype(str)
    b = ethnicity.harmonise(linked[source_b], to=scheme, errors="not_known").astype(str)
    unknown = {ethnicity.NOT_STATED, ethnicity.NOT_KNOWN}
    keep = ~a.isin(unknown)
    if not include_unknown:
        keep &= ~b.isin(unknown)
    n_out = int((~keep).sum())
    if n_out:
        logger.info("disagreement_flows: %d of %d pairs excluded (unknown group)", n_out, len(a))
    pairs = pd.DataFrame({"group_a": a[keep], "group_b": b[keep]})
    res = pairs.value_counts().rename("count").reset_index()
    res["denominator"] = res.groupby("group_a")["count"].transform("sum")
    res["percent"] = res["count"] / res["denominator"] * 100
    res["agrees"] = res["group_a"] == res["group_b"]
    order = {c: i for i, c in enumerate(ethnicity.labels(scheme))}
    res = res.sort_values(
        ["group_a", "count", "group_b"],
        ascending=[True, False, True],
        key=lambda s: s.map(order) if s.name == "group_a" else s,
        kind="stable",
    )
    res.attrs["n_excluded"] = n_out
    return res.reset_index(drop=True)


# --------------------------------------------------------------------------------------------------
# representation in research
# --------------------------------------------------------------------------------------------------


def representation(
    participants: pd.DataFrame,
    reference: pd.DataFrame,
    *,
    count: str = "participants",
    share: str = "reference_share",
    group: str = "ethnic_group",
    by="study_id",
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
    confidence : float, default 0.95
        Confidence level.

    Returns
    -------
    DataFrame
        The columns of ``rhoresearch.stats.indicators.participation_ratio``: the ``by`` columns,
        ``group``, ``participants``, ``population`` (here the reference share),
        ``participant_share``, ``population_share``, ``value`` (PPR), ``lower_ci``, ``upper_ci``,
        ``confidence``, ``representation`` (``"under-represented"`` below 0.8, ``"similar"`` 0.8
        to 1.2, ``"over-represented"`` above 1.2), ``statistic``, ``method``, ``note``; plus
        ``significantly_under`` (upper limit below 0.8) and ``n_not_stated`` (participants of a
        group absent from ``reference``, per ``by`` group).

    Notes
    -----
    PPR = (group's share of participants with a stated group) / (group's share of the
    reference population). The interval is that of ``indicators.participation_ratio``; the
    reference shares are treated as known. A group under-represented "significantly" has an upper
    limit below 0.8.

    References
    ----------
    Carcel C, et al. (2021). Neurology 97:e1768. Scott PE, et al. (2018). Participation of women
    in clinical trials supporting FDA approval of cardiovascular drugs. J Am Coll Cardiol
    71:1960-1969 (thresholds 0.8 and 1.2).
    """
    by = _frames.as_list(by)
    _frames.require(participants, [*by, group, count], "representation")
    _frames.require(reference, [*by, group, share], "representation")
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
    res = indicators.participation_ratio(
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
