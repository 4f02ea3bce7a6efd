"""The specification of one aggregation: what to count, by what, and why a row is left out.

:func:`make_spec` checks the options of :func:`rhoresearch.data.aggregate.stratified_counts` and
returns a :class:`Spec`; the query (:mod:`rhoresearch.data._query`) and the checks
(:mod:`rhoresearch.data._checks`) are built from it. The names of the columns the query adds to a
table (all starting ``_rho_``) and the wording of the exclusion reasons are defined here, once.

References
----------
Eurostat (2013), Revision of the European Standard Population: report of Eurostat's task force
(the 19 age bands of :data:`ESP2013_AGE_BANDS`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from rhoresearch import ethnicity
from rhoresearch.exceptions import InputError
from rhoresearch.stats import ESP2013
from rhoresearch.validation import as_columns

__all__ = [
    "ESP2013_AGE_BANDS",
    "REASON_NOT_STATED",
    "REASON_NOT_KNOWN",
    "REASON_INVALID_CODE",
    "Spec",
    "age_labels",
    "make_spec",
    "null_flag",
]

#: Lower bounds of the 19 age bands of the 2013 European Standard Population (0-4 ... 85-89, 90+),
#: the bands :func:`rhoresearch.stats.dsr` standardises over: read from the package's one copy of
#: the standard, :data:`rhoresearch.stats.ESP2013` (labels ``"0-4"`` ... ``"90+"``).
ESP2013_AGE_BANDS: tuple[int, ...] = tuple(
    int(str(label).split("-")[0].rstrip("+")) for label in ESP2013.index
)

#: Exclusion reasons for the ethnic category (the wording of the workstream modules).
REASON_NOT_STATED = "ethnic category not stated (Z)"
REASON_NOT_KNOWN = "ethnic category not known (99, X, blank or missing)"
REASON_INVALID_CODE = "ethnic category not a valid code"
#: The three, in the order the exclusions table lists them.
ETHNICITY_REASONS = (REASON_NOT_STATED, REASON_NOT_KNOWN, REASON_INVALID_CODE)

#: Ages above this (in years) are out of range.
MAX_AGE = 130
#: The output columns the aggregation derives: the harmonised ethnic group and the age band.
ETH_OUT = "ethnic_group"
AGE_OUT = "age_band"
#: Columns the query adds: the exclusion reason of a row ("" if included), the raw ethnicity value
#: and its null flag (when the engine groups by the raw value), and the prefix of the reason of a
#: row whose checked column holds an invalid value.
REASON = "_rho_reason"
RAW = "_rho_eth_raw_value"
RAW_NULL = "_rho_eth_raw_null"
INVALID_PREFIX = "\x00invalid:"

_FUNC = "stratified_counts"


@dataclass
class Spec:
    """One aggregation, its options checked (:func:`make_spec`)."""

    strata: list[str]  # output stratum columns, in order
    raw_strata: list[str]  # source columns used as strata as they are
    event_columns: dict[str, str]  # output name -> source column
    person: str | None
    ethnicity_column: str | None
    harmonise_to: str | None
    errors: str
    unknown_ethnicity: str
    harmonise_options: dict
    age_column: str | None
    age_bands: tuple[int, ...] | None
    dtypes: dict[str, str]
    recode: dict[str, dict[str, str]]
    filters: list
    keep_missing: list[str] = field(default_factory=list)  # strata whose nulls are a stratum

    @property
    def null_flags(self) -> list[str]:
        """The flag columns telling apart the nulls of the ``keep_missing`` strata."""
        return [null_flag(s) for s in self.keep_missing]

    def source_columns(self) -> list[str]:
        """Every column of the source the aggregation reads, once each."""
        cols = [*self.raw_strata, *self.event_columns.values(), *self.dtypes]
        for c in (self.person, self.ethnicity_column, self.age_column):
            if c is not None:
                cols.append(c)
        for f in self.filters:
            if isinstance(f, tuple):
                cols.append(f[0])
        return list(dict.fromkeys(cols))


def null_flag(stratum: str) -> str:
    """The column flagging the null values of a ``keep_missing`` stratum."""
    return f"_rho_isnull_{stratum}"


def age_labels(bands: tuple[int, ...]) -> list[str]:
    """Band labels from lower bounds: ``(0, 5, ..., 90)`` -> ``["0-4", "5-9", ..., "90+"]``."""
    labels = [f"{lo}-{hi - 1}" for lo, hi in zip(bands[:-1], bands[1:], strict=True)]
    return [*labels, f"{bands[-1]}+"]


def make_spec(
    *,
    strata: str | Sequence[str] | None,
    events: str | Sequence[str] | Mapping[str, str] | None,
    person: str | None,
    filters: Any,
    ethnicity_column: str | None,
    harmonise_to: str | None,
    errors: str,
    unknown_ethnicity: str,
    harmonise_options: Mapping[str, Any] | None,
    age_column: str | None,
    age_bands: Sequence[int] | str | None,
    dtypes: Mapping[str, str] | None,
    recode: Mapping[str, Mapping[Any, str]] | None,
    keep_missing: str | Sequence[str] | None = None,
) -> Spec:
    """Check the options of ``stratified_counts`` and return its :class:`Spec`.

    Raises
    ------
    InputError
        An option is not one of those allowed, or options contradict each other (the message
        says which and what is allowed).
    """
    strata = as_columns(strata, func=_FUNC, name="strata")
    if len(set(strata)) != len(strata):
        raise InputError(f"stratified_counts: strata repeats a column: {strata}")
    if isinstance(events, Mapping):
        event_columns = {str(k): str(v) for k, v in events.items()}
    else:
        event_columns = {c: c for c in as_columns(events, func=_FUNC, name="events")}
    if errors not in ("raise", "not_known"):
        raise InputError(
            f"stratified_counts: errors must be 'raise' or 'not_known'; got {errors!r}"
        )
    if harmonise_to is not None and harmonise_to not in ethnicity.SCHEMES:
        raise InputError(
            f"stratified_counts: harmonise_to must be one of {ethnicity.SCHEMES} or None; "
            f"got {harmonise_to!r}"
        )
    if ethnicity_column is not None and ETH_OUT not in strata:
        strata = [ETH_OUT, *strata]
    if ethnicity_column is None and ETH_OUT in strata:
        raise InputError(
            f"stratified_counts: strata has {ETH_OUT!r} but ethnicity_column is None; name the "
            "column that holds the ethnic category"
        )
    if unknown_ethnicity not in ("exclude", "keep"):
        groups = ethnicity.labels(harmonise_to) if harmonise_to else None
        if groups is not None and unknown_ethnicity not in groups:
            raise InputError(
                "stratified_counts: unknown_ethnicity must be 'exclude', 'keep' or a group of the "
                f"{harmonise_to!r} scheme to count them with ({groups}); got {unknown_ethnicity!r}"
            )
    if age_bands is not None:
        if age_column is None:
            raise InputError("stratified_counts: age_bands needs age_column (ages in years)")
        if isinstance(age_bands, str):
            if age_bands.lower() != "esp2013":
                raise InputError(
                    f"stratified_counts: age_bands must be 'esp2013' or a list of lower bounds; "
                    f"got {age_bands!r}"
                )
            age_bands = ESP2013_AGE_BANDS
        age_bands = tuple(int(b) for b in age_bands)
        if not age_bands or age_bands[0] != 0 or list(age_bands) != sorted(set(age_bands)):
            raise InputError(
                "stratified_counts: age_bands must be increasing lower bounds starting at 0, e.g. "
                f"(0, 5, 10, ..., 90); got {age_bands}"
            )
        if AGE_OUT not in strata:
            strata = [*strata, AGE_OUT]
    elif age_column is not None:
        raise InputError(
            "stratified_counts: age_column is only used with age_bands; to stratify by an age band "
            "column that is already in the data, list it in strata"
        )
    derived = {ETH_OUT} if ethnicity_column is not None else set()
    if age_bands is not None:
        derived.add(AGE_OUT)
    raw_strata = [s for s in strata if s not in derived]
    out_names = [*strata, "n_rows", *event_columns, "n_people"]
    if len(set(out_names)) != len(out_names):
        raise InputError(
            f"stratified_counts: output column names collide: strata {strata}, events "
            f"{list(event_columns)} (n_rows and n_people are reserved)"
        )
    recode = dict(recode or {})
    for column, codes in recode.items():
        if column not in raw_strata or not isinstance(codes, Mapping) or not codes:
            raise InputError(
                f"stratified_counts: recode[{column!r}] must be a non-empty mapping "
                "{code: label} for a column listed in strata (not ethnic_group or age_band); "
                f"strata are {strata}"
            )
    labels_by_stratum = {
        str(c): {str(k).strip().lower(): str(v) for k, v in codes.items()}
        for c, codes in recode.items()
    }
    flist: list = []
    if filters is None:
        pass
    elif isinstance(filters, Mapping):
        flist = [(str(k), v) for k, v in filters.items()]
    elif callable(filters):
        flist = [filters]
    elif isinstance(filters, Sequence) and all(callable(f) for f in filters):
        flist = list(filters)
    else:
        raise InputError(
            "stratified_counts: filters must be a mapping {column: value or list of values} or "
            "a function (or list of functions) taking the table and returning a condition; "
            f"got {type(filters).__name__}"
        )
    keep_missing = as_columns(keep_missing, func=_FUNC, name="keep_missing")
    bad = [s for s in keep_missing if s not in strata or s == ETH_OUT or s in labels_by_stratum]
    if bad:
        raise InputError(
            f"stratified_counts: keep_missing {bad} must name strata (not ethnic_group, nor a "
            f"recoded stratum); strata are {strata}"
        )
    return Spec(
        keep_missing=keep_missing,
        strata=strata,
        raw_strata=raw_strata,
        event_columns=event_columns,
        person=person,
        ethnicity_column=ethnicity_column,
        harmonise_to=harmonise_to,
        errors=errors,
        unknown_ethnicity=unknown_ethnicity,
        harmonise_options=dict(harmonise_options or {}),
        age_column=age_column,
        age_bands=age_bands,
        dtypes={str(k): str(v) for k, v in (dtypes or {}).items()},
        recode=labels_by_stratum,
        filters=flist,
    )


# ---------------------------------------------------------------------------------------------
