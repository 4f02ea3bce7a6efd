"""Record-level preparation shared by the maternity and mental health workstreams (private).

Adds the harmonised ethnic group and a recording status to record-level extracts, and tabulates
rows excluded from an analysis, so that nothing is dropped silently.
"""

from __future__ import annotations

import logging
import warnings
from pathlib import Path

import pandas as pd

from rhoresearch import ethnicity
from rhoresearch.exceptions import DataQualityWarning, InputError
from rhoresearch.workstreams._frames import require  # used here and by maternity / mental_health

logger = logging.getLogger(__name__)

#: Recording status of the ethnic category of a record.
ETHNICITY_STATUSES = ("recorded", "not stated", "not known", "invalid code")
GROUPS = [
    g for g in ethnicity.HIGH_LEVEL_ORDER if g not in (ethnicity.NOT_STATED, ethnicity.NOT_KNOWN)
]

EXCLUSION_COLUMNS = ["step", "reason", "rows", "percent", "applies_to"]


def add_ethnic_group(
    records: pd.DataFrame,
    *,
    ethnicity_column: str,
    unknown: str,
    chinese: str,
    func: str,
) -> pd.DataFrame:
    """Return a copy with ``ethnic_group`` (high level) and ``ethnicity_status`` columns."""
    require(records, [ethnicity_column], func)
    if unknown not in ("exclude", "reference"):
        raise InputError(f"{func}: unknown must be 'exclude' or 'reference', got {unknown!r}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        group = ethnicity.harmonise(
            records[ethnicity_column], to="high_level", errors="not_known", chinese=chinese
        )
    unmapped = dict(group.attrs.get("unmapped", {}))
    if unmapped:
        logger.info(
            "%s: %d row(s) with %d invalid ethnic category value(s) counted as not known",
            func,
            sum(unmapped.values()),
            len(unmapped),
        )
    raw = records[ethnicity_column]
    invalid = raw.isin(list(unmapped)).to_numpy() if unmapped else False
    status = pd.Series("recorded", index=records.index, dtype="str")
    status = status.mask(group.eq(ethnicity.NOT_STATED).to_numpy(), "not stated")
    status = status.mask(group.eq(ethnicity.NOT_KNOWN).to_numpy(), "not known")
    if unmapped:
        status = status.mask(invalid, "invalid code")
    if unknown == "reference":
        # MBRRACE-UK convention: records with no usable ethnicity are counted with White
        values = group.astype("str").where(status.eq("recorded"), "White")
        group = pd.Series(
            pd.Categorical(values, categories=GROUPS, ordered=True), index=records.index
        )
    else:
        group = group.cat.set_categories(GROUPS, ordered=True)
    return records.assign(ethnic_group=group, ethnicity_status=status)


def exclusion_table(steps: list[tuple[str, str, int, str]], total: int) -> pd.DataFrame:
    """Tidy exclusions frame from ``(step, reason, rows, applies_to)`` tuples."""
    frame = pd.DataFrame(steps, columns=["step", "reason", "rows", "applies_to"])
    frame["rows"] = frame["rows"].astype("int64")
    frame["percent"] = (frame["rows"] / total * 100.0) if total else float("nan")
    return frame[EXCLUSION_COLUMNS].reset_index(drop=True)


def ethnicity_steps(
    data: pd.DataFrame, *, unknown: str, weight: pd.Series | None = None
) -> list[tuple[str, str, int, str]]:
    """Exclusion steps for the ethnicity recording status of prepared records.

    ``weight``: records per row, for counted rows (:func:`counted_records`); default 1 each.
    """
    if weight is None:
        counts = data["ethnicity_status"].value_counts()
    else:
        counts = weight.groupby(data["ethnicity_status"].to_numpy()).sum()
    applies = (
        "every indicator by ethnic group"
        if unknown == "exclude"
        else "none: counted with White (MBRRACE-UK convention)"
    )
    reasons = {
        "not stated": "ethnic category not stated (Z)",
        "not known": "ethnic category not known (99, X, blank or missing)",
        "invalid code": "ethnic category not a valid code",
    }
    return [
        ("ethnicity", reasons[s], int(counts.get(s, 0)), applies)
        for s in ("not stated", "not known", "invalid code")
    ]


def _slug(value) -> str:
    """Lower case, runs of other characters as one space: "North-West" == "north west"."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return " ".join("".join(c if c.isalnum() else " " for c in str(value).lower()).split())


def _slugs(column: pd.Series) -> pd.Series:
    """:func:`_slug` of every value, computed once per distinct value."""
    lookup = {v: _slug(v) for v in pd.unique(column.dropna())}
    return column.map(lookup)


def select_region(records: pd.DataFrame, *, region: str, func: str) -> pd.DataFrame:
    """Rows of ``records`` in ``region`` (``"England"``: all), by region name or code.

    Matching ignores case and punctuation, so ``"north-west"`` selects ``"North West"``.
    """
    if region is None or str(region).strip().lower() == "england":
        return records
    require(records, ["region_name", "region_code"], func)
    want = _slug(region)
    keep = _slugs(records["region_name"]).eq(want) | _slugs(records["region_code"]).eq(want)
    keep = keep.fillna(False).to_numpy(dtype=bool)
    if not keep.any():
        known = sorted(records["region_name"].dropna().unique().tolist())
        raise InputError(f"{func}: no record in region {region!r}; the regions are {known}")
    logger.info("%s: %d of %d records in region %s", func, keep.sum(), len(records), region)
    return records.loc[keep]


def crude_and_adjusted(crude: pd.DataFrame, adjusted: pd.DataFrame, *, group: str, keys=()):
    """Long table of crude ratios (``indicators.rate_ratio``) and adjusted ones (``models``).

    Adjusted rows take the event counts of the matching crude rows, so that both pass the same
    disclosure control. ``comparison`` says ``"crude"`` or ``"adjusted"``.
    """
    keys = list(keys)
    require(
        crude, [*keys, group, "count", "reference_count", "value", "lower_ci", "upper_ci"], "ratios"
    )
    require(adjusted, [*keys, "group", "estimate", "lower_ci", "upper_ci"], "ratios")
    if "term" in adjusted.columns:
        adjusted = adjusted[adjusted["term"] == group]
    order = (
        list(crude[group].cat.categories)
        if isinstance(crude[group].dtype, pd.CategoricalDtype)
        else list(dict.fromkeys(crude[group].astype("str")))
    )
    base = [*keys, group, "count", "reference_count", "reference"]
    value_cols = ["value", "lower_ci", "upper_ci", "p_value", "is_reference"]
    c = crude[[*base, *value_cols]].copy()
    c[group] = c[group].astype("str")
    a = adjusted.rename(columns={"group": group, "estimate": "value", "model": "fit"})
    a = a[[*keys, group, *value_cols, "fit"]].copy()
    a[group] = a[group].astype("str")
    a = a.merge(c[base], on=[*keys, group], how="left")
    out = pd.concat(
        [c.assign(comparison="crude", fit="rate ratio"), a.assign(comparison="adjusted")],
        ignore_index=True,
    )
    out[group] = pd.Categorical(out[group], categories=order, ordered=True)
    out["comparison"] = pd.Categorical(
        out["comparison"], categories=["crude", "adjusted"], ordered=True
    )
    for col in ("count", "reference_count"):
        out[col] = pd.to_numeric(out[col], errors="coerce").round().astype("Int64")
    out = out.sort_values([*keys, group, "comparison"], kind="stable").reset_index(drop=True)
    return out[
        [*keys, group, "comparison", "reference", "count", "reference_count", *value_cols, "fit"]
    ]


def findings(
    comparison: pd.DataFrame, *, specs, group: str, reference: str, qualifier: str, key="outcome"
):
    """Sentences for every non-reference group's crude and adjusted ratio (see callers)."""
    from rhoresearch.report import narrative

    lines = []
    for name, outcome, noun in specs:
        rows = comparison[(comparison[key] == name) & ~comparison["is_reference"].astype(bool)]
        suppressed = set()
        for _, row in rows.iterrows():
            hidden = str(row["value"]) == "[c]"
            if row["comparison"] == "adjusted" and hidden and row[group] in suppressed:
                continue  # one "suppressed" sentence per group is enough
            if hidden:
                suppressed.add(row[group])
            extra = qualifier if row["comparison"] == "adjusted" else ""
            lines.append(
                narrative.ratio_sentence(
                    row,
                    group_col=group,
                    outcome=outcome,
                    comparator=reference,
                    noun=noun,
                    qualifier=extra,
                )
            )
    return lines


# ---------------------------------------------------------------------------------------------
# Record-level sources too large for pandas: counted rows from rhoresearch.data.aggregate
# ---------------------------------------------------------------------------------------------

#: Key of ``DataFrame.attrs`` holding the rows the engine excluded, as (reason, rows) pairs.
ENGINE_EXCLUSIONS = "engine_exclusions"


def counted_records(
    source,
    *,
    strata: list[str],
    events: dict[str, str],
    weight: str,
    ethnicity_column: str,
    region: str,
    unknown: str,
    chinese: str,
    func: str,
    dtypes: dict | None = None,
    age_column: str | None = None,
    connection=None,
) -> pd.DataFrame:
    """One row per distinct combination of raw ethnicity and ``strata``, with record counts.

    The records are counted by :func:`rhoresearch.data.aggregate.stratified_counts` inside the engine
    (DuckDB for a file or frame, Spark for a Spark DataFrame or ``"spark:<table>"``), grouped by
    the ethnic category *as recorded* and the strata, missing values kept as strata of their own,
    so that the region selection, the harmonised group and the recording status are then added
    to the small result exactly as :func:`add_ethnic_group` adds them to records. ``weight`` is
    the column with the number of records of each row; ``events`` maps output names to the flag
    columns summed. Rows the engine had to exclude (a missing event flag, an age out of range)
    are in ``attrs[ENGINE_EXCLUSIONS]``.
    """
    from rhoresearch import config
    from rhoresearch.data import aggregate

    if isinstance(source, str | Path) and not str(source).startswith("spark:"):
        source = config.resolve_path(source)
    strata = list(dict.fromkeys([ethnicity_column, "region_name", "region_code", *strata]))
    keep_missing = list(strata)
    options = {}
    if age_column is not None:
        options = {"age_column": age_column, "age_bands": "esp2013"}
        keep_missing.append("age_band")
    counts, excluded = aggregate.stratified_counts(
        source,
        connection=connection,
        strata=strata,
        events=events,
        ethnicity_column=None,
        keep_missing=keep_missing,
        dtypes=dtypes,
        **options,
    )
    counts = counts.rename(columns={"n_rows": weight})
    for col in counts.columns:
        if col in (weight, *events):
            continue
        if col in (dtypes or {}):
            counts[col] = pd.to_numeric(counts[col]).astype("Int64")
        elif col != "age_band":
            counts[col] = counts[col].astype("str")
    selected = select_region(counts, region=region, func=func)
    out = add_ethnic_group(
        selected, ethnicity_column=ethnicity_column, unknown=unknown, chinese=chinese, func=func
    ).reset_index(drop=True)
    lost = [(r, int(n)) for r, n in zip(excluded["reason"], excluded["n_rows"], strict=True) if n]
    if lost:
        logger.warning("%s: rows excluded while counting: %s", func, lost)
    out.attrs[ENGINE_EXCLUSIONS] = lost
    return out


def engine_steps(records: pd.DataFrame) -> list[tuple[str, str, int, str]]:
    """Exclusion steps for the rows the engine excluded while counting (usually none)."""
    return [
        ("records", f"{reason} (not counted)", n, "every analysis")
        for reason, n in records.attrs.get(ENGINE_EXCLUSIONS, [])
    ]


def completeness(
    records: pd.DataFrame, *, code: str, by, weight: str | None, confidence: float
) -> pd.DataFrame:
    """:func:`rhoresearch.workstreams.data_quality.completeness` of records or of counted records.

    With ``weight``, each row stands for ``records[weight]`` records (:func:`counted_records`);
    the result is the same as on the records themselves.
    """
    from rhoresearch.workstreams import _frames, data_quality

    if weight is None:
        return data_quality.completeness(records, code=code, by=by, confidence=confidence)
    by = _frames.as_list(by)
    require(records, [code, weight, *by], "completeness")
    status = data_quality.classify_codes(
        records[code].astype(object).where(records[code].notna(), None)
    )
    counts = (
        pd.crosstab(
            [records[c] for c in by],
            status.to_numpy(),
            values=records[weight].to_numpy(),
            aggfunc="sum",
            dropna=False,
            colnames=["status"],
        )
        .fillna(0)
        .reindex(columns=list(data_quality.STATUSES), fill_value=0)
        .stack()
        .rename("_n")
        .reset_index()
    )
    counts["_n"] = counts["_n"].astype("int64")
    counts["status"] = counts["status"].astype(str)
    counts["_total"] = counts.groupby(by, sort=False)["_n"].transform("sum")
    counts = counts[counts["_total"] > 0]
    res = _frames.percentages(
        counts, numerator="_n", denominator="_total", by=[*by, "status"], confidence=confidence
    )
    res.insert(len(by) + 1, "status_label", res["status"].map(data_quality.STATUS_LABELS))
    order = {s: i for i, s in enumerate(data_quality.STATUSES)}
    res = res.sort_values(
        [*by, "status"], key=lambda s: s.map(order) if s.name == "status" else s, kind="stable"
    )
    return res.reset_index(drop=True)
