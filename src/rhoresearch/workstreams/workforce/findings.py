"""What a workforce report shows: the indicator tables after disclosure control, and key findings.

Each ``*_table`` function computes one WRES table for the report and applies
:func:`rhoresearch.disclosure.suppress` with the rules that table needs (which columns are counts,
which are derived from them, which totals are published), so that a notebook only shows and saves
the result. :func:`summary_tables` makes them all for one reporting year; :func:`findings` writes
the key-findings bullets from them.

References
----------
NHS England. Workforce Race Equality Standard (WRES) indicators and technical guidance; WRES data
reports. Office for National Statistics / GSS. Statistical disclosure control guidance ([c]).
"""

from __future__ import annotations

from typing import Any, NamedTuple

import pandas as pd

from rhoresearch import disclosure
from rhoresearch.report import narrative
from rhoresearch.validation import DEFAULT_THRESHOLD, check_threshold
from rhoresearch.workstreams import _tables, _wording
from rhoresearch.workstreams.workforce.datasets import (
    MINORITY,
    PARITY_RANGE,
    SHORT_LABELS,
    label,
    select,
    unknown_summary,
)
from rhoresearch.workstreams.workforce.indicators import (
    ROLLING_YEARS,
    appointment_likelihood,
    board_representation,
    change_since_previous,
    disciplinary_likelihood,
    pool_years,
    representation_by_band,
    survey_percentages,
    training_likelihood,
)

__all__ = [
    "BAND_TABLE_CHECK",
    "SummaryTables",
    "likelihood_table",
    "wres_workforce_share",
    "survey_table",
    "board_table",
    "band_table",
    "all_staff_bands",
    "workforce_share",
    "unknown_table",
    "summary_tables",
    "findings",
]

#: How the cells of the pay-band table add up (the staff groups within each band, the bands within
#: each staff group, White + ethnic minority = known): given to ``disclosure.suppress`` by
#: :func:`band_table` and to the report runtime's checks when the table is shown or saved.
BAND_TABLE_CHECK: dict[str, Any] = {
    "by": "staff_group",
    "margins": ["pay_band"],
    "row_total": "denominator",
}

_RATIO_COLUMNS = [
    "indicator",
    "year",
    "years",
    "ethnic_group",
    "reference",
    "numerator",
    "denominator",
    "reference_numerator",
    "reference_denominator",
    "value",
    "lower_ci",
    "upper_ci",
    "flag",
]
_SURVEY_COLUMNS = [
    "indicator",
    "label",
    "year",
    "ethnic_group",
    "numerator",
    "denominator",
    "value",
    "lower_ci",
    "upper_ci",
    "gap",
]
_BOARD_COLUMNS = [
    "year",
    "body",
    "numerator",
    "denominator",
    "value",
    "lower_ci",
    "upper_ci",
    "difference",
]
_BAND_COLUMNS = [
    "staff_group",
    "pay_band",
    "numerator",
    "n_white",
    "denominator",
    "value",
    "lower_ci",
    "upper_ci",
    "difference",
]
_UNKNOWN_COLUMNS = ["year", "measure", "numerator", "denominator", "value", "lower_ci", "upper_ci"]

#: How each table is published (:func:`rhoresearch.workstreams._tables.publish`): its columns and
#: the rules of :func:`rhoresearch.disclosure.suppress` (the counts, what is derived from them,
#: which totals are published).
_LIKELIHOOD_TABLE = _tables.publication(
    _RATIO_COLUMNS,
    counts=["numerator", "reference_numerator"],
    derived=["value", "lower_ci", "upper_ci", "flag"],
    secondary=False,
)
_SURVEY_TABLE = _tables.publication(
    _SURVEY_COLUMNS,
    counts=["numerator", "denominator"],
    derived=["value", "lower_ci", "upper_ci", "gap"],
    by=["year", "label"],
)
_BOARD_TABLE = _tables.publication(
    _BOARD_COLUMNS,
    counts=["numerator", "denominator"],
    derived=["value", "lower_ci", "upper_ci", "difference"],
    secondary=False,
)
_BAND_TABLE = _tables.publication(
    _BAND_COLUMNS,
    counts=["numerator", "n_white", "denominator"],
    derived=["value", "lower_ci", "upper_ci", "difference"],
    total_label="All staff",
    **BAND_TABLE_CHECK,
)
#: The denominator is hidden with a suppressed count: with the White and ethnic minority counts of
#: the other tables it would give the suppressed count back.
_UNKNOWN_TABLE = _tables.publication(
    _UNKNOWN_COLUMNS,
    counts="numerator",
    derived=["denominator", "value", "lower_ci", "upper_ci"],
    secondary=False,
)

#: (indicator, noun, outcome) of the relative-likelihood sentences.
_RATIO_PHRASES = (
    ("2", "applicants", "be appointed from shortlisting"),
    ("3", "staff", "enter a formal disciplinary process"),
    ("4", "staff", "access non-mandatory training"),
)
#: (survey measure, outcome) of the staff-survey sentences.
_SURVEY_PHRASES = (
    ("discrimination_from_manager", "reported discrimination from a manager or colleague"),
    ("equal_opportunities", "believed the organisation offers equal opportunities"),
)
#: The bands named in the representation sentence.
_NAMED_BANDS = ("Band 5", "Band 8a", "VSM")


class SummaryTables(NamedTuple):
    """The disclosure-controlled tables of a workforce report (see :func:`summary_tables`).

    Attributes
    ----------
    likelihoods : DataFrame
        :func:`likelihood_table`.
    survey : DataFrame
        :func:`survey_table`.
    board : DataFrame
        :func:`board_table`.
    bands_by_group : DataFrame
        :func:`band_table`: all staff, clinical and non-clinical staff.
    bands : DataFrame
        :func:`all_staff_bands` of ``bands_by_group``.
    unknown : DataFrame
        :func:`unknown_table`.
    n_organisations : int
        Organisations with returns in the reporting year.
    all_staff_share : float or None
        :func:`wres_workforce_share`: the ethnic minority percentage of all staff in post,
        unknown ethnicity included (the WRES definition); ``None`` when suppressed.
    """

    likelihoods: pd.DataFrame
    survey: pd.DataFrame
    board: pd.DataFrame
    bands_by_group: pd.DataFrame
    bands: pd.DataFrame
    unknown: pd.DataFrame
    n_organisations: int
    all_staff_share: float | None = None


@_wording.document(_tables.POLICY_DOC)
def likelihood_table(
    returns: pd.DataFrame,
    *,
    confidence: float = 0.95,
    threshold: int = DEFAULT_THRESHOLD,
    policy: disclosure.Policy | None = None,
) -> pd.DataFrame:
    """WRES indicators 2 to 4 by year, suppressed, with the change since the previous year.

    Parameters
    ----------
    returns : DataFrame
        Workforce returns (``year``, ``ethnic_group``, the counts); not modified.
    {confidence_intervals}
    {threshold}
    {policy}

    Returns
    -------
    DataFrame
        One row per indicator and year: ``indicator``, ``year``, ``years`` (the years whose counts
        are pooled: indicator 3 over two years, ``"2023-2024"``, as the WRES technical guidance
        has it (:data:`~rhoresearch.workstreams.workforce.ROLLING_YEARS`; the first year of the
        data has no indicator 3), the others the year itself), ``ethnic_group``, ``reference``,
        ``numerator``, ``denominator``, ``reference_numerator``, ``reference_denominator``,
        ``value`` (relative likelihood), ``lower_ci``, ``upper_ci``, ``flag`` (the counts
        suppressed by :func:`rhoresearch.disclosure.suppress`, with what is derived from them),
        then ``previous_value``, ``change``
        (:func:`~rhoresearch.workstreams.workforce.change_since_previous`) and ``label`` (the
        indicator's short label, for figures; not part of the published table).
    """
    threshold = check_threshold(threshold, func="likelihood_table")
    disciplinary = pool_years(
        returns,
        counts=["entered_disciplinary", "staff_headcount"],
        years=ROLLING_YEARS["3"],
    )
    likelihoods = pd.concat(
        [
            _one_year(appointment_likelihood(returns, by="year", confidence=confidence)),
            disciplinary_likelihood(disciplinary, by=["year", "years"], confidence=confidence),
            _one_year(training_likelihood(returns, by="year", confidence=confidence)),
        ],
        ignore_index=True,
    )
    safe = _tables.publish(likelihoods, _LIKELIHOOD_TABLE, threshold=threshold, policy=policy)
    safe = change_since_previous(safe, keys="indicator")
    safe["label"] = safe["indicator"].map(SHORT_LABELS)
    pooled = safe["indicator"].map(ROLLING_YEARS).notna()
    safe.loc[pooled, "label"] = safe.loc[pooled, "label"] + ", two-year"
    return safe


def _pooled_words(row: pd.Series, indicator: str) -> str:
    """``" in 2023-2024 (two years pooled, as WRES measures it)"`` for a pooled indicator, else ``""``."""
    if indicator not in ROLLING_YEARS or "years" not in row.index:
        return ""
    return f" in {row['years']} ({ROLLING_YEARS[indicator]} years pooled, as WRES measures it)"


def _one_year(likelihoods: pd.DataFrame) -> pd.DataFrame:
    """A likelihood table by year with ``years`` (the year itself, as text) after ``year``."""
    return likelihoods.assign(years=likelihoods["year"].astype(str))


@_wording.document(_tables.POLICY_DOC)
def survey_table(
    survey: pd.DataFrame,
    *,
    reference_group: str = "White",
    confidence: float = 0.95,
    threshold: int = DEFAULT_THRESHOLD,
    policy: disclosure.Policy | None = None,
) -> pd.DataFrame:
    """WRES indicators 5 to 8 by year, suppressed.

    Parameters
    ----------
    survey : DataFrame
        Staff-survey counts (``year``, ``measure``, ``ethnic_group``, ``respondents``, ``count``);
        not modified.
    reference_group : {"White", "Ethnic minority"}, default "White"
        The comparator of the ``gap``.
    {confidence_wilson}
    {threshold}
    {policy}

    Returns
    -------
    DataFrame
        ``indicator``, ``label`` (short label), ``year``, ``ethnic_group``, ``numerator``,
        ``denominator``, ``value`` (%), ``lower_ci``, ``upper_ci``, ``gap`` (percentage points),
        suppressed within each year and measure.
    """
    threshold = check_threshold(threshold, func="survey_table")
    pct = survey_percentages(survey, by="year", reference=reference_group, confidence=confidence)
    pct["label"] = pct["measure"].map(SHORT_LABELS)
    return _tables.publish(pct, _SURVEY_TABLE, threshold=threshold, policy=policy)


@_wording.document(_tables.POLICY_DOC)
def board_table(
    board: pd.DataFrame,
    staff: pd.DataFrame,
    *,
    confidence: float = 0.95,
    threshold: int = DEFAULT_THRESHOLD,
    policy: disclosure.Policy | None = None,
) -> pd.DataFrame:
    """WRES indicator 9 by year, suppressed.

    Parameters
    ----------
    board, staff : DataFrame
        Board voting members and staff in post by ``year`` and ``ethnic_group``; not modified.
    {confidence_wilson}
    {threshold}
    {policy}

    Returns
    -------
    DataFrame
        ``year``, ``body`` (``"Board (voting)"``, ``"Workforce"``), ``numerator``, ``denominator``,
        ``value`` (% ethnic minority), ``lower_ci``, ``upper_ci``, ``difference`` (board minus
        workforce, percentage points, on the board row).
    """
    threshold = check_threshold(threshold, func="board_table")
    rep = board_representation(board, staff, by="year", confidence=confidence)
    return _tables.publish(rep, _BOARD_TABLE, threshold=threshold, policy=policy)


@_wording.document(_tables.POLICY_DOC)
def band_table(
    staff: pd.DataFrame,
    *,
    year: int,
    confidence: float = 0.95,
    threshold: int = DEFAULT_THRESHOLD,
    policy: disclosure.Policy | None = None,
) -> pd.DataFrame:
    """WRES indicator 1 for one year: all staff, and each staff group, suppressed together.

    Parameters
    ----------
    staff : DataFrame
        Staff in post (``year``, ``staff_group``, ``pay_band``, ``ethnic_group``, ``headcount``);
        not modified.
    year : int
        The reporting year.
    {confidence_wilson}
    {threshold}
    {policy}

    Returns
    -------
    DataFrame
        ``staff_group`` (``"All staff"`` first, then each group, as WRES shows clinical and
        non-clinical staff), ``pay_band`` (the bands then ``"All staff"``), ``numerator``
        (ethnic minority), ``n_white``, ``denominator`` (known ethnicity), ``value`` (% ethnic
        minority), ``lower_ci``, ``upper_ci``, ``difference`` (from the staff group as a whole,
        percentage points). Suppressed together (:data:`BAND_TABLE_CHECK`), so that no cell can be
        worked out from the others.
    """
    threshold = check_threshold(threshold, func="band_table")
    staff_year = staff[staff["year"] == year]
    bands = pd.concat(
        [
            representation_by_band(
                staff_year.assign(staff_group="All staff"), by="staff_group", confidence=confidence
            ),
            representation_by_band(staff_year, by="staff_group", confidence=confidence),
        ],
        ignore_index=True,
    )
    return _tables.publish(bands, _BAND_TABLE, threshold=threshold, policy=policy)


def all_staff_bands(bands: pd.DataFrame) -> pd.DataFrame:
    """The ``"All staff"`` rows of :func:`band_table`, without the ``staff_group`` column."""
    return bands[bands["staff_group"] == "All staff"].drop(columns="staff_group")


def workforce_share(bands: pd.DataFrame) -> float | None:
    """The ethnic minority share of the whole workforce in :func:`all_staff_bands`.

    Returns
    -------
    float or None
        The ``"All staff"`` band's ``value`` (%), or None when it is suppressed or missing (no
        reference line to draw).
    """
    rows = bands[bands["pay_band"] == "All staff"]
    if rows.empty:
        return None
    row = rows.iloc[-1]
    value = pd.to_numeric(pd.Series([row["value"]]), errors="coerce").iloc[0]
    if disclosure.is_suppressed(row, "value") or pd.isna(value):
        return None
    return float(value)


@_wording.document(_tables.POLICY_DOC)
def unknown_table(
    returns: pd.DataFrame,
    *,
    confidence: float = 0.95,
    threshold: int = DEFAULT_THRESHOLD,
    policy: disclosure.Policy | None = None,
) -> pd.DataFrame:
    """Staff and applicants whose ethnicity is not known, by year, suppressed.

    Parameters
    ----------
    returns : DataFrame
        Workforce returns; not modified.
    {confidence_wilson}
    {threshold}
    {policy}

    Returns
    -------
    DataFrame
        ``year``, ``measure`` (``staff_headcount``, ``shortlisted``), ``numerator`` (not known),
        ``denominator`` (everyone), ``value`` (%), ``lower_ci``, ``upper_ci``. The denominator is
        hidden with a suppressed count: with the White and ethnic minority counts of the other
        tables it would give the suppressed count back.
    """
    threshold = check_threshold(threshold, func="unknown_table")
    unknown = unknown_summary(
        returns, counts=["staff_headcount", "shortlisted"], by="year", confidence=confidence
    )
    return _tables.publish(unknown, _UNKNOWN_TABLE, threshold=threshold, policy=policy)


@_wording.document(_tables.POLICY_DOC)
def summary_tables(
    returns: pd.DataFrame,
    staff: pd.DataFrame,
    survey: pd.DataFrame,
    board: pd.DataFrame,
    *,
    year: int,
    reference_group: str = "White",
    confidence: float = 0.95,
    threshold: int = DEFAULT_THRESHOLD,
    policy: disclosure.Policy | None = None,
) -> SummaryTables:
    """Every disclosure-controlled table of a workforce report for one reporting year.

    Parameters
    ----------
    returns, staff, survey, board : DataFrame
        The selected workforce tables (after
        :func:`~rhoresearch.workstreams.workforce.harmonise_groups` and
        :func:`~rhoresearch.workstreams.workforce.select`); not modified.
    year : int
        The reporting year (the pay-band table and the organisation count; the other tables hold
        every year).
    reference_group : str, default "White"
        The comparator of the staff-survey gaps.
    {confidence_intervals}
    {threshold}
    {policy}

    Returns
    -------
    SummaryTables

    Raises
    ------
    InputError
        ``year`` is not in the returns.
    """
    n_organisations = int(select(returns, year=year)["org_code"].nunique())
    c, t, p = confidence, threshold, policy
    bands_by_group = band_table(staff, year=year, confidence=c, threshold=t, policy=p)
    return SummaryTables(
        likelihoods=likelihood_table(returns, confidence=c, threshold=t, policy=p),
        survey=survey_table(
            survey, reference_group=reference_group, confidence=c, threshold=t, policy=p
        ),
        board=board_table(board, staff, confidence=c, threshold=t, policy=p),
        bands_by_group=bands_by_group,
        bands=all_staff_bands(bands_by_group),
        unknown=unknown_table(returns, confidence=c, threshold=t, policy=p),
        n_organisations=n_organisations,
        all_staff_share=wres_workforce_share(
            staff, year=year, threshold=t if p is None else max(t, p.threshold)
        ),
    )


def wres_workforce_share(
    staff: pd.DataFrame, *, year: int, threshold: int = DEFAULT_THRESHOLD
) -> float | None:
    """Ethnic minority staff as a percentage of all staff in post, unknown ethnicity included.

    The report's indicator 1 percentages are of staff of known ethnicity; the WRES publications
    divide by all staff, so the two differ by the share whose ethnicity is not known. This is the
    whole workforce's figure by the WRES definition, to print beside the report's.

    Parameters
    ----------
    staff : DataFrame
        Staff in post (``year``, ``pay_band``, ``ethnic_group``, ``headcount``); not modified.
    year : int
        The reporting year.
    threshold : int, default 5
        When the ethnic minority or the unknown-ethnicity headcount is from 1 to ``threshold - 1``
        the share is not given (it would reveal the small count).

    Returns
    -------
    float or None
        100 x ethnic minority / all staff; ``None`` when suppressed or there are no staff.

    References
    ----------
    NHS England. WRES technical guidance, indicator 1 (percentage of staff in each band compared
    with the percentage of staff in the overall workforce).
    """
    threshold = check_threshold(threshold, func="wres_workforce_share")
    rows = representation_by_band(staff[staff["year"] == year])
    whole = rows[rows["pay_band"] == "All staff"]
    if whole.empty:
        return None
    row = whole.iloc[0]
    minority, known, unknown = (int(row[c]) for c in ("numerator", "denominator", "not_known"))
    if any(0 < n < threshold for n in (minority, unknown)) or known + unknown == 0:
        return None
    return 100 * minority / (known + unknown)


@_wording.document()
def findings(
    tables: SummaryTables,
    *,
    year: int,
    organisation: str = "all",
    organisations: pd.DataFrame | None = None,
    confidence: float = 0.95,
) -> list[str]:
    """The key findings of a workforce report, as markdown lines.

    Parameters
    ----------
    {summary}
    year : int
        The reporting year.
    organisation : str, default "all"
        The notebook's selection ("all", a code or a region), named in the heading
        (:func:`~rhoresearch.workstreams.workforce.label`).
    organisations : DataFrame, optional
        The organisations table, to name the selection.
    {confidence_named}

    Returns
    -------
    list of str
        A bold heading (selection, year, number of organisations, the flagging range), a blank
        line, then one ``"- "`` bullet per finding: indicators 2 to 4 (relative likelihoods with
        intervals), indicators 8 and 7 for each group, representation in Bands 5 and 8a and
        among very senior managers, and the board against the workforce. Suppressed values are
        said to be suppressed ([c]); absent ones are shown as [x].
    """
    where = label(organisation, organisations)
    n = tables.n_organisations
    lo, hi = PARITY_RANGE
    heading = (
        f"**{where}, {year}** ({n} organisation{'s' if n != 1 else ''}; relative likelihoods "
        f"outside {lo:.2f} to {hi:.2f} are flagged)."
    )
    # sentences use lower case for the collective term ("ethnic minority staff")
    in_words = {MINORITY: "ethnic minority"}
    lik = tables.likelihoods
    now = lik[lik["year"] == year].replace(in_words).set_index("indicator")
    sentences = [
        narrative.ratio_sentence(
            now.loc[indicator],
            group_col="ethnic_group",
            noun=noun,
            outcome=outcome,
            digits=2,
            confidence=confidence,
            qualifier=_pooled_words(now.loc[indicator], indicator),
        )
        for indicator, noun, outcome in _RATIO_PHRASES
        if indicator in now.index
    ]
    survey = tables.survey
    survey_now = survey[survey["year"] == year].replace(in_words)
    for measure, outcome in _SURVEY_PHRASES:
        for _, row in survey_now[survey_now["label"] == SHORT_LABELS[measure]].iterrows():
            sentences.append(
                narrative.percentage_sentence(
                    row,
                    group_col="ethnic_group",
                    noun="staff",
                    outcome=outcome,
                    scale=1,
                    confidence=confidence,
                )
            )
    bands = tables.bands.set_index("pay_band")

    def band(name: str) -> str:
        return _wording.cell(bands.loc[name] if name in bands.index else None)

    b5, b8a, vsm = (band(b) for b in _NAMED_BANDS)
    wres = narrative.format_number(
        tables.all_staff_share, suppressed=tables.all_staff_share is None
    )
    sentences.append(
        f"Ethnic minority staff were {band('All staff')}% of staff of known ethnicity ({wres}% of "
        f"all staff, unknown ethnicity included, the WRES definition): {b5}% in Band 5, {b8a}% in "
        f"Band 8a and {vsm}% of very senior managers ([c]: suppressed; [x]: no staff)."
    )
    board = tables.board[tables.board["year"] == year].set_index("body")
    if "Board (voting)" in board.index and "Workforce" in board.index:
        members, staff = board.loc["Board (voting)"], board.loc["Workforce"]
        if disclosure.is_suppressed(members, "value"):
            sentences.append(
                "The ethnic minority share of the board is suppressed to protect "
                "confidentiality ([c])."
            )
        else:
            sentences.append(
                f"Ethnic minority members were {_wording.cell(members)}% of the board's voting "
                f"membership against {_wording.cell(staff)}% of the workforce (difference "
                f"{_wording.cell(members, 'difference')} percentage points)."
            )
    return [heading, "", *(f"- {s}" for s in sentences)]
