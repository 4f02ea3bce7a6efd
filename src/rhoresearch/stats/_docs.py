"""Shared numpydoc text of the parameters that several statistics functions take (one copy each).

A docstring names a shared parameter with a field ``{name}`` on a line of its own; the
:func:`shared_docs` decorator (:func:`rhoresearch.docstrings.fill_docs` with :data:`PARAMS`) puts the
entry there, indented as the line was, so the rendered docstring (``help(f)``, ``f.__doc__``, Sphinx)
shows the complete Parameters section.

An entry belongs here only when the parameter means the same thing, with the same default, in every
function that uses it; a function whose parameter differs keeps its own text.

References
----------
Waskom ML. seaborn: statistical data visualization. J Open Source Softw 2021;6:3021
(``seaborn._docstrings``).
"""

from __future__ import annotations

from rhoresearch.docstrings import fill_docs

__all__ = ["PARAMS", "shared_docs"]

#: Parameter texts by placeholder name: the numpydoc entry (name line, then its description indented
#: by four spaces), as it reads at the docstring's own indentation.
PARAMS: dict[str, str] = {
    # --- the indicator functions (indicators, standardisation, comparisons, models) ---
    "tidy_data": """\
data : pandas.DataFrame
    Tidy table.""",
    "by": """\
by : str or list of str, optional
    Grouping column(s); ``None`` gives one row for the whole frame.""",
    "confidence": """\
confidence : float or sequence of float, default 0.95
    Level(s) in [0.9, 1); several give one row per group per level.""",
    "rate_multiplier": """\
multiplier : float, default 100_000
    Rate per ``multiplier`` population.""",
    "events": """\
count, population : str
    Columns with the number of events and the population (or person-time) at risk. A count above
    its population is allowed (events can repeat).""",
    "group": """\
group : str
    Column with the groups to compare (e.g. ethnic group).""",
    "reference": """\
reference : scalar
    The reference group, a value of ``group``: every group is compared with it (a ratio is the
    group's value over the reference group's).""",
    "strata": """\
by : str or list of str, optional
    Strata (e.g. year, region, organisation): the comparison is made within each stratum.""",
    # --- the regression models ---
    "covariates": """\
covariates : sequence of str, optional
    Adjustment columns by name. Non-numeric (and categorical, boolean) columns enter as
    categorical with their first level (category order, else sorted) as baseline; numeric columns
    enter as linear terms unless named in ``categorical``.""",
    "categorical": """\
categorical : sequence of str, optional
    Numeric covariates to treat as categorical (e.g. a deprivation quintile coded 1-5).""",
    "include_covariates": """\
include_covariates : bool, default False
    Also return the covariates' own rows (their rate ratios or odds ratios).""",
    # --- the funnel functions ---
    "unit_data": """\
data : pandas.DataFrame
    One row per unit (e.g. organisation).""",
    "funnel_statistic": """\
statistic : {"proportion", "rate", "ratio"}
    What the funnel is drawn for: a proportion, a rate, or a ratio of observed to expected
    events.""",
    "funnel_numerator": """\
numerator : str
    Column with each unit's numerator (proportion), observed events (ratio) or events (rate).""",
    "funnel_denominator": """\
denominator : str, optional
    Proportion: the denominator (required). Ratio: the expected events (required). Rate: the
    population (needed for crude rates when a count is 0; ignored for dsr).""",
    "funnel_rate": """\
rate : str, optional
    Rate: the column with each unit's rate (crude or directly standardised, per ``multiplier``).""",
    "funnel_rate_type": """\
rate_type : {"dsr", "crude"}, optional
    Rate: which kind of rate ``rate`` holds.""",
    # --- row-level functions (discrimination, measurement, survey): one row per person ---
    "row_groups": """\
by : str or sequence of str, optional
    Grouping columns; ``None`` takes all rows as one group. Groups are sorted; categorical columns
    keep their category order (categories without rows are left out); rows with a missing group
    value are left out.""",
    "level": """\
confidence : float, default 0.95
    Confidence level, a fraction in [0.9, 1).""",
    "scored_data": """\
data : pandas.DataFrame
    One row per scored person; not modified.""",
    "observed": """\
observed : str
    The observed outcome, 0 or 1.""",
}

#: Decorator filling the ``{name}`` fields of a statistics docstring from :data:`PARAMS`.
shared_docs = fill_docs(**PARAMS)
