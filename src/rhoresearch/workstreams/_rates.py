"""One statistic of several outcomes in one long table (private).

Shared by the maternity (workstream 5) and mental health (workstream 6) workstreams: each has
several outcomes or measures (maternal death, stillbirth, neonatal death; detentions, people
detained, community treatment orders), each counted in its own columns, and shows a rate, a rate
ratio or a model of every one in one long table with a column naming it. :func:`stacked` does that
for any statistic of :mod:`rhoresearch.stats` that takes a frame first and keyword options.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, NamedTuple

import pandas as pd

__all__ = ["Part", "stacked"]


class Part(NamedTuple):
    """One outcome's share of a :func:`stacked` table.

    Attributes
    ----------
    labels : mapping of str to str
        Columns added to its rows, in order (``{"outcome": "Stillbirth"}``).
    frame : pandas.DataFrame
        Its counts (not modified).
    columns : mapping of str to object
        Its own keyword arguments of the statistic (``{"count": "stillbirths", "population":
        "births", "multiplier": 1000}``).
    """

    labels: Mapping[str, str]
    frame: pd.DataFrame
    columns: Mapping[str, Any]


def stacked(
    statistic: Callable[..., pd.DataFrame], parts: Iterable[Part], **options: Any
) -> pd.DataFrame:
    """``statistic`` of each part's frame, with the part's labels, stacked in the order given.

    Parameters
    ----------
    statistic : callable
        A function of :mod:`rhoresearch.stats` taking a frame first (``rate``, ``dsr``,
        ``rate_ratio``, ``poisson_model`` ...).
    parts : iterable of Part
        The outcomes: each frame is given to ``statistic`` with its own ``columns``.
    **options
        The keyword arguments every part shares (``by``, ``reference``, ``confidence`` ...).

    Returns
    -------
    DataFrame
        The rows of every part's result, its columns followed by the ``labels`` columns, with a
        new index.

    References
    ----------
    Wickham H. Tidy data. J Stat Softw 2014;59(10) (one table, a column naming each outcome).
    """
    return pd.concat(
        [statistic(p.frame, **p.columns, **options).assign(**p.labels) for p in parts],
        ignore_index=True,
    )
