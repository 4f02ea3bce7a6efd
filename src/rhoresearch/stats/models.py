"""Adjusted comparisons between groups: statsmodels regressions returning tidy tables.

:func:`poisson_model` fits a rate model (Poisson, or negative binomial when the counts are
overdispersed) with a log-population offset; :func:`logistic_model` fits a logistic model for a binary
outcome, optionally weighted and with cluster-robust standard errors. Both take a tidy frame and column
names, never modify the frame, and return one row per group with the adjusted rate ratio or odds ratio
against the declared reference group (and, on request, the covariates' own rows).

Returned columns (both functions)
---------------------------------
``term`` (the column the row is about: the group column, or a covariate), ``group`` (the level; for a
numeric covariate, the covariate's name), ``estimate`` (exp(coefficient): rate ratio or odds ratio; 1
for the reference group), ``lower_ci``, ``upper_ci`` (Wald limits, exponentiated; missing for the
reference), ``p_value`` (Wald test of ratio = 1), ``confidence``, ``is_reference``, ``model``
(``"poisson"``, ``"negative_binomial"`` or ``"logistic"``), ``n_used`` (rows in the fit),
``n_excluded`` (rows left out), ``excluded`` (why, e.g. ``"missing age_band: 3; population <= 0: 1"``;
missing when none), ``dispersion`` (Pearson chi-squared / residual df of the fitted model).

The same exclusions as a table in the one exclusions layout (``step``, ``reason``, ``rows``; see
:mod:`rhoresearch.results`) come from :func:`model_exclusions`, called with the model's own column
arguments; a row missing several model columns is counted under each reason there, and once in
``n_excluded``. Exclusions are logged.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from rhoresearch import lazy
from rhoresearch.exceptions import InputError
from rhoresearch.stats import _core as S
from rhoresearch.stats._docs import shared_docs
from rhoresearch.validation import (
    as_columns,
    check_frame,
    confidence_levels,
    format_rows,
    require_columns,
)

# imported by the first model fitted, not with the package (rhoresearch.lazy)
sm = lazy.module("statsmodels.api")

__all__ = ["ESTIMATE_COLUMNS", "poisson_model", "logistic_model", "model_exclusions"]

logger = logging.getLogger(__name__)

#: The columns of each group's row in a model's output, after ``term``: the estimate (rate or odds
#: ratio), its interval and level, its p-value, and whether the group is the reference.
ESTIMATE_COLUMNS = [
    "group",
    "estimate",
    "lower_ci",
    "upper_ci",
    "p_value",
    "confidence",
    "is_reference",
]

_FAMILIES = ("auto", "poisson", "negbin")


def _levels_of(series: pd.Series) -> list[Any]:
    """Observed levels in display order: category order for categoricals, else sorted."""
    present = series.dropna()
    if isinstance(series.dtype, pd.CategoricalDtype):
        seen = set(present.unique())
        return [c for c in series.cat.categories if c in seen]
    values = pd.unique(present)
    try:
        return sorted(values)
    except TypeError:
        return sorted(values, key=str)


def _match(levels: list[Any], reference: object) -> Any:
    for level in levels:
        if level == reference or str(level) == str(reference):
            return level
    return None


class _Model(NamedTuple):
    """A model's complete rows, its design and what was left out (from :func:`_prepare`)."""

    frame: pd.DataFrame  # the complete rows, model columns only
    X: pd.DataFrame  # design matrix (:func:`_design`)
    terms: list[tuple[str, Any]]  # (term, level) of each design column after the intercept
    levels: list[Any]  # the group levels, in display order
    group: str
    ref_level: Any
    reasons: dict[str, int]  # rows left out, by reason
    n_excluded: int


def _prepare(
    data: pd.DataFrame,
    func: str,
    *,
    needed: list[str],
    group: str,
    reference: object,
    covariates: S.Columns,
    categorical: S.Columns,
    check: Callable[[], object],
    positive: str | None = None,
) -> _Model:
    """Validate, drop incomplete rows (counted), and return the model frame, design and exclusions.

    ``needed`` are the model's own columns (outcome, population, weights...); ``check()`` validates
    their values on every row before incomplete rows are dropped.
    """
    check_frame(data, func=func)
    require_columns(data, needed, func=func, distinct=True)
    check()
    cov_cols = as_columns(covariates or None, func=func, name="covariates")
    cat_cols = set(as_columns(categorical or None, func=func, name="categorical"))
    if group in cov_cols:
        raise InputError(f"{func}: group column {group!r} is also a covariate")
    unknown_cat = cat_cols - set(cov_cols)
    if unknown_cat:
        raise InputError(f"{func}: categorical names {sorted(unknown_cat)} are not covariates")
    columns = [*needed, group, *cov_cols]
    require_columns(data, columns, func=func, distinct=True)
    all_levels = _levels_of(data[group])
    if _match(all_levels, reference) is None:
        raise InputError(
            f"{func}: reference group {reference!r} is not in column {group!r}; groups present: "
            f"{[str(x) for x in all_levels[:20]]}"
        )
    reasons, drop = S.exclusion_reasons(data, columns, positive)
    frame = data.loc[~drop, columns]
    if drop.any():
        logger.info("%s: %d of %d rows excluded (%s)", func, drop.sum(), len(data), reasons)
    ref_level = _match(_levels_of(frame[group]), reference)
    if ref_level is None:
        raise InputError(
            f"{func}: no complete rows left for the reference group {reference!r} "
            f"(exclusions: {reasons})"
        )
    X, terms, levels = _design(frame, func, group, ref_level, cov_cols, cat_cols)
    return _Model(frame, X, terms, levels, group, ref_level, reasons, int(drop.sum()))


def _design(
    frame: pd.DataFrame,
    func: str,
    group: str,
    ref_level: Any,
    covariates: list[str],
    categorical: set[str],
) -> tuple[pd.DataFrame, list[tuple[str, Any]], list[Any]]:
    """Design matrix: intercept, group dummies (reference left out), covariates."""
    parts = [pd.Series(1.0, index=frame.index, name="__intercept")]
    index: list[tuple[str, Any]] = []  # (term, level) per column after the intercept
    levels = _levels_of(frame[group])
    for level in levels:
        if level == ref_level:
            continue
        parts.append((frame[group] == level).astype(float).rename(f"__g{len(index)}"))
        index.append((group, level))
    for cov in covariates:
        s = frame[cov]
        numeric = pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype)
        if numeric and cov not in categorical:
            parts.append(s.astype(float).rename(f"__c{len(index)}"))
            index.append((cov, cov))
        else:
            cov_levels = _levels_of(s)
            for level in cov_levels[1:]:
                parts.append((s == level).astype(float).rename(f"__c{len(index)}"))
                index.append((cov, level))
    X = pd.concat(parts, axis=1)
    if np.linalg.matrix_rank(X.to_numpy()) < X.shape[1]:
        raise InputError(
            f"{func}: the model cannot be fitted: the group and covariate columns are collinear "
            f"(e.g. a covariate that is constant within groups, or a level with no rows)"
        )
    return X, index, levels


def _coef_row(
    term: str,
    level: Any,
    j: int,
    params: np.ndarray,
    ci: np.ndarray,
    pvalues: np.ndarray,
    c: float,
) -> tuple[Any, ...]:
    """Row ``(term, group, estimate, lower_ci, upper_ci, p_value, confidence, False)`` of ``j``."""
    return (
        term,
        level,
        np.exp(params[j]),
        np.exp(ci[j, 0]),
        np.exp(ci[j, 1]),
        pvalues[j],
        c,
        False,
    )


def _tidy(
    result: Any,
    model: _Model,
    conf: tuple[float, ...],
    model_name: str,
    dispersion: float,
    include_covariates: bool,
) -> pd.DataFrame:
    """The returned table of a fitted model (the columns of the module docstring)."""
    index, levels, group, ref_level = model.terms, model.levels, model.group, model.ref_level
    params = np.asarray(result.params)[: len(index) + 1]
    pvalues = np.asarray(result.pvalues)[: len(index) + 1]
    rows: list[tuple[Any, ...]] = []
    for c in conf:
        ci = np.asarray(result.conf_int(alpha=1 - c))[: len(index) + 1]
        for level in levels:
            if level == ref_level:
                rows.append((group, level, 1.0, np.nan, np.nan, np.nan, c, True))
                continue
            j = 1 + index.index((group, level))
            rows.append(_coef_row(group, level, j, params, ci, pvalues, c))
        if include_covariates:
            for j, (term, level) in enumerate(index, start=1):
                if term == group:
                    continue
                rows.append(_coef_row(term, level, j, params, ci, pvalues, c))
    out = pd.DataFrame(rows, columns=["term", *ESTIMATE_COLUMNS])
    if len(conf) > 1:
        # group-major: each term/level's rows for every level together
        order = {
            key: i for i, key in enumerate(dict.fromkeys(zip(out.term, out.group, strict=True)))
        }
        out["__k"] = [order[k] for k in zip(out.term, out.group, strict=True)]
        out = out.sort_values(["__k", "confidence"], kind="stable").drop(columns="__k")
        out = out.reset_index(drop=True)
    out["model"] = model_name
    out["n_used"] = len(model.frame)
    out["n_excluded"] = model.n_excluded
    text = "; ".join(f"{k}: {v}" for k, v in model.reasons.items())
    out["excluded"] = pd.Series([text or None] * len(out), dtype="str")
    out["dispersion"] = dispersion
    return out


def _pearson_dispersion(
    y: np.ndarray, mu: np.ndarray, variance: np.ndarray, df_resid: float
) -> float:
    with np.errstate(divide="ignore", invalid="ignore"):
        chi2 = float(np.sum((y - mu) ** 2 / variance))
    return chi2 / df_resid if df_resid > 0 else np.nan


@shared_docs
def poisson_model(
    data: pd.DataFrame,
    *,
    count: str,
    population: str,
    group: str,
    reference: object,
    covariates: Sequence[str] = (),
    categorical: Sequence[str] = (),
    family: str = "auto",
    confidence: S.Confidence = 0.95,
    dispersion_threshold: float = 1.5,
    include_covariates: bool = False,
) -> pd.DataFrame:
    """Adjusted rate ratios of every group against a reference group (Poisson or negative binomial).

    Parameters
    ----------
    data : pandas.DataFrame
        Tidy table, one row per cell (e.g. group x age band x sex x area) with events and population.
    count : str
        Column with the number of events.
    population : str
        Column with the population or person-time; enters as a log offset.
    {group}
    {reference}
    {covariates}
    {categorical}
    family : {"auto", "poisson", "negbin"}, default "auto"
        ``"auto"`` fits a Poisson model and switches to a negative binomial (NB2, dispersion by
        maximum likelihood) when the Pearson chi-squared / residual df exceeds
        ``dispersion_threshold``.
    {confidence}
    dispersion_threshold : float, default 1.5
        Overdispersion cut-off for ``family="auto"``.
    {include_covariates}

    Returns
    -------
    pandas.DataFrame
        One row per group (per level), groups in the column's display order (category order, else
        sorted), the reference group with estimate 1:
        ``term``, ``group``, ``estimate`` (adjusted rate ratio), ``lower_ci``, ``upper_ci``,
        ``p_value``, ``confidence``, ``is_reference``, ``model`` (``"poisson"`` or
        ``"negative_binomial"``), ``n_used``, ``n_excluded``, ``excluded``, ``dispersion`` (Pearson
        chi-squared / residual df of the Poisson fit). The exclusions by reason as a table:
        :func:`model_exclusions` with the same ``count``, ``population``, ``group`` and
        ``covariates``.

    Notes
    -----
    log E[count] = log(population) + b0 + b_group + covariate terms; the estimates are exp(b) with
    Wald limits. Rows with a missing value in any model column, or a population <= 0, are excluded
    and counted (``n_excluded``, ``excluded``), never silently dropped. Negative or non-numeric counts
    raise :class:`InputError`, as do a reference group not in the data and collinear designs.

    References
    ----------
    McCullagh P, Nelder JA. Generalized linear models, 2nd edn. London: Chapman & Hall; 1989.
    Cameron AC, Trivedi PK. Regression analysis of count data, 2nd edn. Cambridge University Press;
    2013 (overdispersion, negative binomial NB2).
    Breslow NE, Day NE. Statistical methods in cancer research, volume II. Lyon: IARC; 1987
    (Poisson regression of rates with a log-person-time offset).
    Seabold S, Perktold J. statsmodels: econometric and statistical modeling with Python. Proc 9th
    Python in Science Conference; 2010.
    """
    func = "poisson_model"
    if family not in _FAMILIES:
        raise InputError(f"{func}: family must be one of {_FAMILIES}, got {family!r}")
    conf = confidence_levels(confidence, func=func)
    model = _prepare(
        data,
        func,
        needed=[count, population],
        group=group,
        reference=reference,
        covariates=covariates,
        categorical=categorical,
        check=lambda: [S.numeric(data, c, func) for c in (count, population)],
        positive=population,
    )
    frame = model.frame
    y = pd.to_numeric(frame[count]).astype(float).to_numpy()
    offset = np.log(pd.to_numeric(frame[population]).astype(float).to_numpy())
    Xa = model.X.to_numpy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=RuntimeWarning)
        pois = sm.GLM(y, Xa, family=sm.families.Poisson(), offset=offset).fit()
    dispersion = _pearson_dispersion(y, pois.mu, pois.mu, pois.df_resid)
    use_nb = family == "negbin" or (family == "auto" and dispersion > dispersion_threshold)
    if use_nb:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = sm.NegativeBinomial(y, Xa, loglike_method="nb2", offset=offset).fit(
                start_params=np.append(pois.params, 0.1), disp=0, maxiter=200
            )
        model_name = "negative_binomial"
        logger.info("%s: Pearson dispersion %.2f: negative binomial fitted", func, dispersion)
    else:
        result = pois
        model_name = "poisson"
    return _tidy(result, model, conf, model_name, dispersion, include_covariates)


def _check_binary(data: pd.DataFrame, outcome: str, weights: str | None, func: str) -> None:
    """InputError unless ``outcome`` holds 0/1 (or missing) and ``weights`` are numbers >= 0."""
    y_all = S.numeric(data, outcome, func, negative_ok=True)
    bad = ~np.isnan(y_all) & ~np.isin(y_all, (0.0, 1.0))
    if bad.any():
        raise InputError(
            f"{func}: outcome {outcome!r} must be 0/1 or boolean; rows {format_rows(data.index[bad])} "
            f"have values {sorted(set(y_all[bad].tolist()))[:5]}"
        )
    if weights is not None:
        S.numeric(data, weights, func)


@shared_docs
def logistic_model(
    data: pd.DataFrame,
    *,
    outcome: str,
    group: str,
    reference: object,
    covariates: Sequence[str] = (),
    categorical: Sequence[str] = (),
    weights: str | None = None,
    weight_type: str = "freq",
    cluster: str | None = None,
    confidence: S.Confidence = 0.95,
    include_covariates: bool = False,
) -> pd.DataFrame:
    """Adjusted odds ratios of every group against a reference group (logistic regression).

    Parameters
    ----------
    data : pandas.DataFrame
        Tidy table, one row per person (or reading).
    outcome : str
        Binary outcome column: 0/1 or boolean.
    {group}
    {reference}
    {covariates}
    {categorical}
    weights : str, optional
        Column of non-negative weights.
    weight_type : {"freq", "var"}, default "freq"
        ``"freq"``: frequency weights (a row stands for that many identical rows); ``"var"``: variance
        (analytic) weights.
    cluster : str, optional
        Column identifying clusters (e.g. patient, for repeated readings per patient): standard errors
        are then cluster-robust (sandwich, grouped by this column).
    {confidence}
    {include_covariates}

    Returns
    -------
    pandas.DataFrame
        One row per group (per level): ``term``, ``group``, ``estimate`` (adjusted odds ratio; 1 for
        the reference), ``lower_ci``, ``upper_ci``, ``p_value``, ``confidence``, ``is_reference``,
        ``model`` (``"logistic"``), ``n_used``, ``n_excluded``, ``excluded``, ``dispersion`` (Pearson
        chi-squared / residual df). The exclusions by reason as a table: :func:`model_exclusions`
        with the same ``outcome``, ``group``, ``covariates``, ``weights`` and ``cluster``.

    Notes
    -----
    logit P(outcome) = b0 + b_group + covariate terms, fitted by maximum likelihood (statsmodels GLM,
    binomial family); estimates exp(b) with Wald limits, using the cluster-robust covariance when
    ``cluster`` is given. Rows with a missing value in any model column (outcome, group, covariates,
    weights, cluster) are excluded and counted. Outcome values other than 0/1, negative weights and a
    reference group not in the data raise :class:`InputError`.

    References
    ----------
    Hosmer DW, Lemeshow S, Sturdivant RX. Applied logistic regression, 3rd edn. Wiley; 2013.
    Liang KY, Zeger SL. Longitudinal data analysis using generalized linear models. Biometrika
    1986;73:13-22 (cluster-robust standard errors).
    Seabold S, Perktold J. statsmodels: econometric and statistical modeling with Python. Proc 9th
    Python in Science Conference; 2010.
    """
    func = "logistic_model"
    if weight_type not in ("freq", "var"):
        raise InputError(f"{func}: weight_type must be 'freq' or 'var', got {weight_type!r}")
    conf = confidence_levels(confidence, func=func)
    model = _prepare(
        data,
        func,
        needed=[outcome, *(c for c in (weights, cluster) if c is not None)],
        group=group,
        reference=reference,
        covariates=covariates,
        categorical=categorical,
        check=lambda: _check_binary(data, outcome, weights, func),
    )
    frame = model.frame
    y = pd.to_numeric(frame[outcome].astype("float64")).to_numpy()
    kwargs: dict[str, Any] = {}
    if weights is not None:
        w = pd.to_numeric(frame[weights]).astype(float).to_numpy()
        kwargs["freq_weights" if weight_type == "freq" else "var_weights"] = w
    fit_kw: dict[str, Any] = {}
    if cluster is not None:
        codes = pd.factorize(frame[cluster])[0]
        fit_kw = {"cov_type": "cluster", "cov_kwds": {"groups": codes}}
    glm = sm.GLM(y, model.X.to_numpy(), family=sm.families.Binomial(), **kwargs)
    result = glm.fit(**fit_kw)
    dispersion = float(result.pearson_chi2 / result.df_resid) if result.df_resid > 0 else np.nan
    return _tidy(result, model, conf, "logistic", dispersion, include_covariates)


def model_exclusions(
    data: pd.DataFrame,
    *,
    group: str,
    count: str | None = None,
    population: str | None = None,
    outcome: str | None = None,
    covariates: Sequence[str] = (),
    weights: str | None = None,
    cluster: str | None = None,
    step: str = "adjusted model",
) -> pd.DataFrame:
    """The rows :func:`poisson_model` or :func:`logistic_model` leaves out, by reason.

    Call it with the model's own column arguments: ``count``, ``population``, ``group`` and
    ``covariates`` for :func:`poisson_model`; ``outcome``, ``group``, ``covariates``, ``weights``
    and ``cluster`` for :func:`logistic_model`. The reasons and counts are those the model reports in
    its ``excluded`` column (in the same order).

    Parameters
    ----------
    data : pandas.DataFrame
        The frame given to the model.
    group : str
        The model's group column.
    count, population : str, optional
        The Poisson model's columns (give both, and not ``outcome``).
    outcome : str, optional
        The logistic model's outcome column.
    covariates : sequence of str, optional
        The model's covariates.
    weights, cluster : str, optional
        The logistic model's weight and cluster columns.
    step : str, default "adjusted model"
        The ``step`` of every row.

    Returns
    -------
    pandas.DataFrame
        The exclusions layout of :func:`rhoresearch.results.exclusions_table`: ``step``, ``reason``
        (``"missing <column>"``, or ``"<population> <= 0"`` for the Poisson model), ``rows``; no rows
        when nothing is left out. A row missing several columns is counted under each reason (the
        model's ``n_excluded`` counts it once).

    Raises
    ------
    InputError
        Neither or both of (``count`` and ``population``) and ``outcome``; a column not in ``data``.

    References
    ----------
    McCullagh P, Nelder JA. Generalized linear models, 2nd edn. London: Chapman & Hall; 1989
    (complete-case analysis of the model's columns).
    """
    func = "model_exclusions"
    check_frame(data, func=func)
    poisson = count is not None or population is not None
    if poisson == (outcome is not None) or (poisson and (count is None or population is None)):
        raise InputError(
            f"{func}: give count and population (poisson_model) or outcome (logistic_model); "
            f"got count={count!r}, population={population!r}, outcome={outcome!r}"
        )
    if poisson:
        needed = [count, population]
    else:
        needed = [outcome, *(c for c in (weights, cluster) if c is not None)]
    covariate_cols = as_columns(covariates or None, func=func, name="covariates")
    columns = [c for c in (*needed, group, *covariate_cols) if c is not None]
    return S.column_exclusions(
        data,
        columns,
        func=func,
        step=step,
        distinct=True,
        positive=population if poisson else None,
    )
