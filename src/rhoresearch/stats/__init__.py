"""Statistics on tidy frames: indicators, standardisation, comparisons, funnels, models, agreement,
measurement, discrimination and survey estimators.

Pure computation: every function takes a DataFrame first and keyword-only options, never modifies its
input, and returns a new tidy frame (one row per group, documented snake_case columns). No I/O, no
plotting. The methods are those of the UK public health indicator methods (PHE/OHID *Technical
Guide: Confidence Intervals*; PHEindicatormethods), backtested against that implementation.

This is the public namespace (``from rhoresearch import stats; stats.rate(...)``). The modules:

- :mod:`~rhoresearch.stats.indicators`: :func:`proportion`, :func:`rate`, :func:`mean` (and, for
  existing code, every indicator function below re-exported);
- :mod:`~rhoresearch.stats.standardisation`: :func:`dsr`, :func:`isr`, :func:`isr_rate`,
  :data:`ESP2013`, :func:`esp2013`;
- :mod:`~rhoresearch.stats.comparisons`: :func:`rate_ratio`, :func:`proportion_ratio`,
  :func:`participation_ratio`;
- :mod:`~rhoresearch.stats.funnels`: :func:`funnel_limits`, :func:`funnel_significance`,
  :func:`funnel_points`, :func:`funnel_exclusions`;
- :mod:`~rhoresearch.stats.dispersion`: :func:`funnel_dispersion` (over-dispersion of funnel
  points, Spiegelhalter 2005), :func:`funnel_limits_adjusted`, :func:`funnel_significance_adjusted`;
- :mod:`~rhoresearch.stats.models`: :func:`poisson_model`, :func:`logistic_model`,
  :func:`model_exclusions`;
- :mod:`~rhoresearch.stats.agreement`: :func:`kappa` (Cohen's kappa between two sources);
- :mod:`~rhoresearch.stats.measurement`: :func:`bland_altman` (limits of agreement, repeated
  measures), :func:`bland_altman_exclusions`;
- :mod:`~rhoresearch.stats.discrimination`: :func:`auc` (DeLong or Hanley-McNeil intervals),
  :func:`hanley_mcneil_se`, :func:`calibration`, :func:`classification_rates`,
  :func:`score_exclusions`;
- :mod:`~rhoresearch.stats.survey`: :func:`weighted_percentages`, :func:`effective_sample_size`
  (Kish), :func:`weight_summary`;
- ``_core`` (private): the shared numerics (Wilson, Byar, exact Poisson limits, group sums, age band
  matching), the assembly of an indicator's output frame and of an exclusions table. Argument
  checks come from :mod:`rhoresearch.validation`;
- ``_docs`` (private): the text of the parameters several functions share (``by``, ``confidence``,
  the funnel inputs...), one copy each, substituted into the docstrings.
"""

from rhoresearch.stats.agreement import KAPPA_COLUMNS, kappa
from rhoresearch.stats.comparisons import participation_ratio, proportion_ratio, rate_ratio
from rhoresearch.stats.discrimination import (
    auc,
    calibration,
    classification_rates,
    hanley_mcneil_se,
    score_exclusions,
)
from rhoresearch.stats.dispersion import (
    DISPERSION_COLUMNS,
    funnel_dispersion,
    funnel_limits_adjusted,
    funnel_significance_adjusted,
)
from rhoresearch.stats.funnels import (
    OUTSIDE_998_LEVELS,
    SIGNIFICANCE_LEVELS,
    funnel_exclusions,
    funnel_limits,
    funnel_points,
    funnel_significance,
)
from rhoresearch.stats.indicators import mean, proportion, rate
from rhoresearch.stats.measurement import (
    BLAND_ALTMAN_COLUMNS,
    bland_altman,
    bland_altman_exclusions,
)
from rhoresearch.stats.models import (
    ESTIMATE_COLUMNS,
    logistic_model,
    model_exclusions,
    poisson_model,
)
from rhoresearch.stats.standardisation import ESP2013, dsr, esp2013, isr, isr_rate
from rhoresearch.stats.survey import (
    WEIGHT_SUMMARY_COLUMNS,
    effective_sample_size,
    weight_summary,
    weighted_percentages,
)

__all__ = [
    "BLAND_ALTMAN_COLUMNS",
    "DISPERSION_COLUMNS",
    "funnel_dispersion",
    "funnel_limits_adjusted",
    "funnel_significance_adjusted",
    "ESP2013",
    "ESTIMATE_COLUMNS",
    "WEIGHT_SUMMARY_COLUMNS",
    "KAPPA_COLUMNS",
    "auc",
    "bland_altman",
    "bland_altman_exclusions",
    "calibration",
    "classification_rates",
    "effective_sample_size",
    "hanley_mcneil_se",
    "kappa",
    "score_exclusions",
    "weight_summary",
    "weighted_percentages",
    "OUTSIDE_998_LEVELS",
    "SIGNIFICANCE_LEVELS",
    "dsr",
    "esp2013",
    "funnel_exclusions",
    "funnel_limits",
    "funnel_points",
    "funnel_significance",
    "isr",
    "isr_rate",
    "logistic_model",
    "mean",
    "model_exclusions",
    "participation_ratio",
    "poisson_model",
    "proportion",
    "proportion_ratio",
    "rate",
    "rate_ratio",
]
