"""Figures for the reports: forest plots, bars with intervals, funnel plots, trends, agreement plots.

One module per family of figures: :mod:`~rhoresearch.report.plotting.forest` (forest plots),
:mod:`~rhoresearch.report.plotting.bars` (bars with intervals),
:mod:`~rhoresearch.report.plotting.funnel` (funnel plots), :mod:`~rhoresearch.report.plotting.trend`
(lines over time), :mod:`~rhoresearch.report.plotting.agreement` (Bland-Altman) and
:mod:`~rhoresearch.report.plotting.shares` (stacked shares); the palette and theme are in
``_style``, what they share in ``_common``. Every public name is importable from here
(``plotting.bar_ci(...)``).

Every function takes a tidy frame (the output of ``rhoresearch.stats`` after
``rhoresearch.disclosure.suppress``), returns a :class:`matplotlib.figure.Figure` and never calls
``plt.show()``. Figures are built with the object-oriented API (``matplotlib.figure.Figure``), not
through ``pyplot``: no global figure state, nothing opened on screen, safe under the Agg backend and
in worker processes, and a notebook shows a figure once (when it is displayed or passed to
``runtime.show_figure``).

Conventions
-----------
- *Theme*: importing this package changes nothing; call :func:`set_theme` once (notebooks do, just
  before their first figure) for the house style.
- *Imports*: matplotlib and seaborn are imported when first used (by :func:`set_theme` or the first
  figure; :mod:`rhoresearch.lazy`), not with this package, so a notebook that stops at an input
  check before its first figure never loads them.
- *Colours*: one colour-blind-safe palette (Okabe & Ito 2008), with a fixed colour per high-level
  ethnic group (:data:`GROUP_COLOURS`) so a group has the same colour in every figure of every
  report; :func:`group_colours` gives colours for any ordered list of groups (detailed groups get
  shades of their high-level group's colour). Labels that are not ethnic groups (indicators, pay
  bands) are drawn in one neutral grey unless ``hue`` colours them.
- *Text*: every figure has a title and labelled axes; the value axis label is a required argument
  and should carry the unit (``"Rate per 100,000 maternities"``, ``"Rate ratio (log scale)"``).
- *Suppressed values*: cells that :func:`rhoresearch.disclosure.is_suppressed` reports (a missing
  value with its flag column ``<column>_suppressed`` true, or ``"[c]"`` in a table read from a
  published CSV) are not plotted; the group keeps its place on the axis with a ``[c]`` marker
  (:data:`rhoresearch.disclosure.SUPPRESSED`), and a line under the horizontal axis's label says
  which groups were suppressed (under the x axis even where the values are on the y axis: a list
  of groups in a vertical label could run the figure's height). Missing values without a flag are
  treated the same way and marked ``[x]`` (not available).
- *Fit*: a title or x-axis label line wider than the figure is broken into lines that fit, so
  that it does not widen the saved image (and the page shrink the whole figure to fit).
- *Disclosure*: pass ``counts=`` (count column names) to run
  :func:`rhoresearch.disclosure.check` on the frame (as it would be shown) before drawing; it
  raises :class:`~rhoresearch.exceptions.DisclosureError` for an unsafe frame.
- *Alt text*: each function writes a suggested alternative text (the kind of chart, its title and
  the values it shows) which :func:`alt_text` returns; pass ``alt=`` to replace it. Use it with
  ``runtime.show_figure(fig, name=..., alt=plotting.alt_text(fig))``.
- Input frames are never modified.
"""

from __future__ import annotations

from rhoresearch.report.plotting import _common as _common
from rhoresearch.report.plotting import _style as _style
from rhoresearch.report.plotting import agreement as _agreement
from rhoresearch.report.plotting import bars as _bars
from rhoresearch.report.plotting import forest as _forest
from rhoresearch.report.plotting import funnel as _funnel
from rhoresearch.report.plotting import shares as _shares
from rhoresearch.report.plotting import trend as _trend
from rhoresearch.report.plotting._common import *
from rhoresearch.report.plotting._style import *
from rhoresearch.report.plotting.agreement import *
from rhoresearch.report.plotting.bars import *
from rhoresearch.report.plotting.forest import *
from rhoresearch.report.plotting.funnel import *
from rhoresearch.report.plotting.shares import *
from rhoresearch.report.plotting.trend import *

__all__ = [
    *_common.__all__,
    *_style.__all__,
    *_agreement.__all__,
    *_bars.__all__,
    *_forest.__all__,
    *_funnel.__all__,
    *_shares.__all__,
    *_trend.__all__,
]
