"""Workstream 5 sentences built from the results and the parameters: models, captions, conventions.

- :func:`model_names`, :func:`forest_caption`, :func:`model_sentence`: the model actually fitted
  for each outcome's adjusted ratios (Poisson, or negative binomial when over-dispersed), read
  from the ``fit`` column of the comparison, never typed in;
- :func:`grouping_note` (shared, :mod:`rhoresearch.workstreams._grouping`): the ethnic grouping
  and where Chinese and Arab are counted, with ``convention="mbrrace"`` (Chinese under Other).

References
----------
McCullagh P, Nelder JA. Generalized linear models, 2nd edn. London: Chapman & Hall; 1989.
Knight M, et al. (eds.) on behalf of MBRRACE-UK. Saving Lives, Improving Mothers' Care ("Chinese
or other"). NHS Data Dictionary, ETHNIC CATEGORY. ONS Census 2021 dictionary: ethnic group.
"""

from __future__ import annotations

import pandas as pd

from rhoresearch.exceptions import InputError
from rhoresearch.validation import check_confidence, require_columns
from rhoresearch.workstreams._grouping import grouping_note
from rhoresearch.workstreams.maternity.summary import OUTCOMES

__all__ = [
    "MODEL_NAMES",
    "outcomes_in",
    "model_names",
    "forest_caption",
    "model_sentence",
    "grouping_note",
]

#: The ``fit`` values of adjusted rows (``stats.poisson_model``'s ``model``) in words.
MODEL_NAMES = {
    "poisson": "Poisson regression",
    "negative_binomial": "negative binomial regression",
}


def outcomes_in(table: pd.DataFrame) -> list[str]:
    """The outcomes of a table's ``outcome`` column, in the order of :data:`OUTCOMES`.

    Parameters
    ----------
    table : DataFrame
        A table with an ``outcome`` column (rates, comparisons). Not modified.

    Returns
    -------
    list of str
        E.g. ``["Maternal death", "Stillbirth", "Neonatal death"]``; outcomes absent from the
        table are left out.

    References
    ----------
    MBRRACE-UK, Saving Lives, Improving Mothers' Care (the order of the outcomes).
    """
    require_columns(table, ["outcome"], func="outcomes_in")
    present = set(table["outcome"].astype("str"))
    return [o.name for o in OUTCOMES if o.name in present]


def model_names(comparison: pd.DataFrame) -> dict[str, str]:
    """The model fitted for each outcome's adjusted ratios, in words.

    Parameters
    ----------
    comparison : DataFrame
        ``compare_crude_adjusted`` output (``outcome``, ``comparison``, ``fit``). Not modified.

    Returns
    -------
    dict
        Outcome -> ``"Poisson regression"`` or ``"negative binomial regression"`` (both joined
        by "and" if the rows of one outcome disagree), for the outcomes with adjusted rows.

    Raises
    ------
    InputError
        A ``fit`` value that is not a known model.

    References
    ----------
    McCullagh P, Nelder JA (1989), as above.
    """
    require_columns(comparison, ["outcome", "comparison", "fit"], func="model_names")
    adjusted = comparison[comparison["comparison"].astype("str") == "adjusted"]
    out: dict[str, str] = {}
    for outcome in outcomes_in(adjusted):
        rows = adjusted[adjusted["outcome"].astype("str") == outcome]
        fits = list(dict.fromkeys(rows["fit"].dropna().astype("str")))
        unknown = [f for f in fits if f not in MODEL_NAMES]
        if unknown:
            raise InputError(f"model_names: fit {unknown[0]!r} is not one of {list(MODEL_NAMES)}")
        if fits:
            out[outcome] = " and ".join(MODEL_NAMES[f] for f in fits)
    return out


def forest_caption(
    comparison: pd.DataFrame,
    outcome: str,
    *,
    adjusted_for: str = "age band and deprivation quintile",
    confidence: float = 0.95,
) -> str:
    """The caption of one outcome's forest plot, naming the model actually fitted.

    Parameters
    ----------
    comparison : DataFrame
        ``compare_crude_adjusted`` output. Not modified.
    outcome : str
        The outcome plotted (``"Stillbirth"``).
    adjusted_for : str, default "age band and deprivation quintile"
        The model's covariates in words.
    confidence : float, default 0.95
        The level of the intervals.

    Returns
    -------
    str
        ``"Crude: rate ratio (log method); adjusted: negative binomial regression on age band and
        deprivation quintile. Lines: 95% intervals."``; without adjusted rows, ``"Crude: rate
        ratio (log method); no adjusted ratio (...). Lines: ..."``.

    References
    ----------
    Katz D, et al. Biometrics 1978;34:469-74 (log method); McCullagh P, Nelder JA (1989).
    """
    confidence = check_confidence(confidence, func="forest_caption")
    model = model_names(comparison).get(outcome)
    adjusted = (
        f"adjusted: {model} on {adjusted_for}"
        if model
        else f"no adjusted ratio (the data have no counts by {adjusted_for})"
    )
    return f"Crude: rate ratio (log method); {adjusted}. Lines: {confidence:.0%} intervals."


def model_sentence(comparison: pd.DataFrame) -> str:
    """One sentence naming the model of each outcome's adjusted ratios (for the methods).

    Parameters
    ----------
    comparison : DataFrame
        ``compare_crude_adjusted`` output. Not modified.

    Returns
    -------
    str
        E.g. ``"Adjusted ratios come from a Poisson regression (Maternal death) and a negative
        binomial regression (Stillbirth, Neonatal death) of the counts by ethnic group, age band
        and deprivation quintile, with the denominator as exposure."``; without adjusted rows,
        ``"No adjusted ratios: ..."``.

    References
    ----------
    McCullagh P, Nelder JA (1989), as above.
    """
    names = model_names(comparison)
    if not names:
        return (
            "No adjusted ratios: the data have no counts by age band and deprivation quintile, "
            "so only crude ratios are shown."
        )
    by_model: dict[str, list[str]] = {}
    for outcome, model in names.items():
        by_model.setdefault(model, []).append(outcome)
    parts = [f"a {model} ({', '.join(outcomes)})" for model, outcomes in by_model.items()]
    return (
        f"Adjusted ratios come from {' and '.join(parts)} of the counts by ethnic group, age "
        "band and deprivation quintile (Index of Multiple Deprivation, 1 = most deprived), with "
        "the number of maternities (or births) as the exposure, so they compare women of the "
        "same age band and deprivation quintile; a negative binomial model is used where the "
        "counts are over-dispersed."
    )
