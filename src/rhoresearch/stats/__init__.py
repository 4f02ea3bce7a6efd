"""Statistics on tidy frames: indicators, standardisation, comparisons, funnels, models.

Pure computation: every function takes a DataFrame first and keyword-only options, never modifies its
input, and returns a new tidy frame (one row per group, documented snake_case columns). No I/O, no
plotting. The methods are those of the UK public health indicator methods (PHE/OHID *Technical
Guide: Confidence Intervals*; PHEindicatormethods), backtested against that implementation.
"""

from rhoresearch.stats.funnels import (
    SIGNIFICANCE_LEVELS,
    funnel_limits,
    funnel_points,
    funnel_significance,
)
from rhoresearch.stats.indicators import (
    ESP2013,
    dsr,
    esp2013,
    isr,
    isr_rate,
    mean,
    participation_ratio,
    proportion,
    proportion_ratio,
    rate,
    rate_ratio,
)
from rhoresearch.stats.models import logistic_model, poisson_model

__all__ = [
    "ESP2013",
    "SIGNIFICANCE_LEVELS",
    "dsr",
    "esp2013",
    "funnel_limits",
    "funnel_points",
    "funnel_significance",
    "isr",
    "isr_rate",
    "logistic_model",
    "mean",
    "participation_ratio",
    "poisson_model",
    "proportion",
    "proportion_ratio",
    "rate",
    "rate_ratio",
]
