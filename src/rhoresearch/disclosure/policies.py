"""Named disclosure policies: the rules of a data provider, as data.

A :class:`Policy` says which counts may not be shown, how the others are rounded, the symbol of a
hidden cell, what happens to values derived from counts and to totals. :func:`policy` makes one
from a name and options; :func:`rhoresearch.disclosure.suppress`, :func:`~rhoresearch.disclosure.render`,
:func:`~rhoresearch.disclosure.check` and :func:`~rhoresearch.disclosure.scan` take it
(``policy=``), the report runtime holds the run's one (``runtime.set_policy``), and
:func:`describe` writes the sentence a report states it with.

The policies
------------
``threshold`` (the default; the project's own rule, unchanged)
    Counts from 1 to ``threshold - 1`` suppressed as ``[c]``, secondary suppression (with the
    interval audit), values derived from a suppressed count blanked. No rounding.
``nhs-england`` (NHS England's Mental Health Act Statistics, Annual Figures, and the Mental
Health Bulletin)
    Counts below 5 (zero included) shown as ``*``; every other count rounded to the nearest 5; rates and
    percentages computed from the unrounded counts, and suppressed where their count is. The
    national (England) totals are published unrounded (a total row, identified by ``total_label``,
    keeps its exact value; option ``round_totals=True`` rounds it too). Rounding protects the
    differences, so there is no secondary suppression.
``opensafely`` (OpenSAFELY's output-checking rules)
    Counts from 1 to 7 redacted (threshold 8; a zero describes nobody and is shown); every other
    count rounded to the nearest 5;
    totals recomputed from the rounded parts (redacted parts count as 0); ratios and rates
    computed from the rounded numerator and denominator. Option ``midpoint6=True``: instead of
    redaction and rounding, every count ``x > 0`` becomes ``ceiling(x / 6) * 6 - 3`` (0 stays 0),
    the column takes the suffix ``_midpoint6`` and a value derived from it ``_midpoint6_derived``.
``custom``
    Any combination of the options (``threshold``, ``rounding``, ``symbol``, ``derived``, ...).

A named policy's threshold is a minimum: ``policy("opensafely", threshold=10)`` redacts counts
below 10, ``threshold=5`` keeps OpenSAFELY's 8.

References
----------
NHS England (2024). *Mental Health Act Statistics, Annual Figures 2023-24: data quality and
methodology* (counts rounded to the nearest 5; counts below 5 shown as ``*``).

NHS Digital (2015). *Mental Health Bulletin, annual report 2013-14* ("numbers less than five ...
are replaced with a ``*`` symbol. All other numbers are rounded to the nearest 5").

OpenSAFELY. *Applying statistical disclosure control* (https://docs.opensafely.org/sdc/):
redact counts of 7 or fewer, round every count to the nearest 5, recalculate totals after
redaction, compute statistics from the rounded counts; *Midpoint 6 rounding*
(``ceiling(x/6)*6 - (floor(6/2))``; columns suffixed ``_midpoint6`` and ``_midpoint6_derived``).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np

from rhoresearch.disclosure.audit import DEFAULT_PROTECTION_WIDTH
from rhoresearch.disclosure.flags import SUPPRESSED
from rhoresearch.exceptions import InputError
from rhoresearch.validation import DEFAULT_THRESHOLD, check_threshold

__all__ = [
    "POLICY_NAMES",
    "DERIVED_RULES",
    "MIDPOINT6_SUFFIX",
    "MIDPOINT6_DERIVED_SUFFIX",
    "Policy",
    "policy",
    "describe",
    "midpoint6",
    "policy_from_dict",
]

#: The named policies :func:`policy` knows.
POLICY_NAMES = ("threshold", "nhs-england", "opensafely", "custom")
#: What happens to derived values: ``"blank"`` (blanked where a count is suppressed, computed from
#: the exact counts elsewhere) or ``"rounded"`` (also recomputed from the rounded counts).
DERIVED_RULES = ("blank", "rounded")
#: The suffix of a count column after midpoint-6 rounding, and of a value derived from one.
MIDPOINT6_SUFFIX = "_midpoint6"
MIDPOINT6_DERIVED_SUFFIX = "_midpoint6_derived"


@dataclass(frozen=True)
class Policy:
    """A disclosure policy (make one with :func:`policy`).

    Attributes
    ----------
    name : str
        One of :data:`POLICY_NAMES`.
    threshold : int
        Counts from 1 to ``threshold - 1`` are not shown.
    rounding : int or None
        Shown counts are rounded to the nearest multiple (halves up); ``None``: not rounded.
    symbol : str
        What a hidden cell shows (``"[c]"``, ``"*"``).
    derived : str
        :data:`DERIVED_RULES`.
    secondary : bool
        Secondary suppression (and the interval audit) applies.
    suppress_zero : bool
        Zeros are hidden too.
    round_totals : bool
        Total rows are rounded like the other counts (``False``: shown exactly).
    recompute_totals : bool
        Total rows are recomputed from the rounded (and redacted) parts.
    midpoint6 : bool
        Midpoint-6 rounding instead of redaction and rounding.
    protection_width : int
        The interval audit's protection width.
    """

    name: str = "threshold"
    threshold: int = DEFAULT_THRESHOLD
    rounding: int | None = None
    symbol: str = SUPPRESSED
    derived: str = "blank"
    secondary: bool = True
    suppress_zero: bool = False
    round_totals: bool = True
    recompute_totals: bool = False
    midpoint6: bool = False
    protection_width: int = DEFAULT_PROTECTION_WIDTH

    def as_dict(self) -> dict[str, Any]:
        """The policy as a JSON-ready dict (for sidecars, manifests and release notes)."""
        return dataclasses.asdict(self)

    def shows(self, value: float) -> bool:
        """Whether a count may be shown as ``value`` under this policy (its forbidden range)."""
        if np.isnan(value):
            return True
        if self.midpoint6:
            return value == 0 or (value > 0 and value % 6 == 3)
        if value == 0:
            return not self.suppress_zero
        if value < self.threshold:
            return False
        return self.rounding is None or value % self.rounding == 0


_NAMED: dict[str, dict[str, Any]] = {
    "threshold": {},
    "nhs-england": {
        "threshold": 5,
        "rounding": 5,
        "symbol": "*",
        "suppress_zero": True,
        "secondary": False,
        "round_totals": False,
    },
    "opensafely": {
        "threshold": 8,
        "rounding": 5,
        "derived": "rounded",
        "secondary": False,
        "recompute_totals": True,
    },
    "custom": {},
}


def policy(name: str | Policy = "threshold", **options: Any) -> Policy:
    """A disclosure policy by name, with options.

    Parameters
    ----------
    name : str or Policy, default "threshold"
        ``"threshold"``, ``"nhs-england"``, ``"opensafely"`` or ``"custom"`` (a :class:`Policy`
        is returned with ``options`` applied).
    **options
        Fields of :class:`Policy`: ``threshold`` (for a named policy other than ``threshold`` the
        larger of its own and this one), ``rounding``, ``symbol``, ``derived``, ``secondary``,
        ``suppress_zero``, ``round_totals``, ``recompute_totals``, ``midpoint6`` (OpenSAFELY's
        option), ``protection_width``. ``None`` values are ignored (a notebook may pass its
        parameters through).

    Returns
    -------
    Policy
        A frozen dataclass.

    Raises
    ------
    InputError
        An unknown name or option, or a value out of range.

    References
    ----------
    See the module documentation (NHS England, OpenSAFELY).
    """
    if isinstance(name, Policy):
        base = name
        name_s = base.name
    else:
        if name not in POLICY_NAMES:
            raise InputError(f"policy: unknown policy {name!r}; expected one of {POLICY_NAMES}")
        name_s = name
        base = Policy(name=name_s, **_NAMED[name_s])
    fields = {f.name for f in dataclasses.fields(Policy)} - {"name"}
    unknown = sorted(set(options) - fields)
    if unknown:
        raise InputError(
            f"policy {name_s!r}: unknown option(s) {unknown}; expected {sorted(fields)}"
        )
    given = {k: v for k, v in options.items() if v is not None}
    if "threshold" in given:
        t = check_threshold(given["threshold"], func=f"policy {name_s!r}")
        given["threshold"] = (
            max(t, base.threshold) if name_s in ("nhs-england", "opensafely") else t
        )
    if given.get("midpoint6") and name_s not in ("opensafely", "custom"):
        raise InputError(f"policy {name_s!r}: midpoint6 is an option of 'opensafely' (or custom)")
    out = dataclasses.replace(base, **given)
    _validate(out)
    return out


def _validate(p: Policy) -> None:
    where = f"policy {p.name!r}"
    check_threshold(p.threshold, func=where)
    if p.rounding is not None and (
        isinstance(p.rounding, bool) or not isinstance(p.rounding, int) or p.rounding < 1
    ):
        raise InputError(
            f"{where}: rounding must be None or a whole number >= 1; got {p.rounding!r}"
        )
    if not isinstance(p.symbol, str) or not p.symbol.strip():
        raise InputError(f"{where}: symbol must be non-empty text; got {p.symbol!r}")
    if p.derived not in DERIVED_RULES:
        raise InputError(f"{where}: derived must be one of {DERIVED_RULES}; got {p.derived!r}")
    for flag in ("secondary", "suppress_zero", "round_totals", "recompute_totals", "midpoint6"):
        if not isinstance(getattr(p, flag), bool):
            raise InputError(f"{where}: {flag} must be True or False; got {getattr(p, flag)!r}")


def policy_from_dict(doc: Any) -> Policy:
    """The :class:`Policy` written by :meth:`Policy.as_dict` (a sidecar's or a manifest's).

    Raises
    ------
    InputError
        ``doc`` is not such a mapping.
    """
    if not isinstance(doc, dict) or doc.get("name") not in POLICY_NAMES:
        raise InputError(f"not a disclosure policy: {doc!r}")
    fields = {f.name for f in dataclasses.fields(Policy)}
    unknown = sorted(set(doc) - fields)
    if unknown:
        raise InputError(f"disclosure policy {doc.get('name')!r}: unknown field(s) {unknown}")
    out = Policy(**doc)
    _validate(out)
    return out


def midpoint6(values: Any) -> np.ndarray:
    """Midpoint-6 rounding: ``ceiling(x / 6) * 6 - 3`` for ``x > 0``; 0 stays 0; NaN stays NaN.

    Parameters
    ----------
    values : array-like of numbers
        Non-negative counts.

    Returns
    -------
    numpy.ndarray of float64
        1 to 6 give 3, 7 to 12 give 9, 13 to 18 give 15 ...

    References
    ----------
    OpenSAFELY. *Midpoint 6 rounding* (documentation, with an R implementation
    ``roundmid_any``).
    """
    x = np.asarray(values, dtype="float64")
    return np.where(x > 0, np.ceil(x / 6) * 6 - 3, x)


def describe(p: Policy) -> str:
    """The sentence a report states its disclosure policy with, built from the policy.

    Parameters
    ----------
    p : Policy
        The policy.

    Returns
    -------
    str
        E.g. ``"Disclosure control (policy 'nhs-england'): counts below 5 are shown as *, every
        other count is rounded to the nearest 5, ..."``.
    """
    if not isinstance(p, Policy):
        raise InputError(f"describe: expected a Policy, got {type(p).__name__}")
    parts: list[str] = []
    if p.midpoint6:
        parts.append(
            "every count above 0 is rounded by midpoint-6 rounding "
            "(1 to 6 shown as 3, 7 to 12 as 9, and so on; 0 stays 0)"
        )
    else:
        zero = " (and zeros)" if p.suppress_zero else ""
        if p.threshold <= 1:
            parts.append("no count is hidden for being small")
        else:
            parts.append(f"counts from 1 to {p.threshold - 1}{zero} are shown as {p.symbol}")
        if p.secondary:
            parts.append(
                "further counts are hidden so that no hidden count can be worked out, or narrowed "
                "to a small number, from the totals"
            )
        if p.rounding:
            kept = "" if p.round_totals else " (national totals are shown unrounded)"
            parts.append(f"every other count is rounded to the nearest {p.rounding}{kept}")
        if p.recompute_totals:
            parts.append("totals are recomputed from the rounded counts")
    if p.derived == "rounded":
        parts.append(
            "rates and percentages are computed from the rounded counts and hidden where their "
            "count is"
        )
    elif p.rounding:
        parts.append(
            "rates and percentages are computed from the unrounded counts and hidden where "
            "their count is"
        )
    else:
        parts.append("rates, percentages and intervals of a hidden count are hidden too")
    return f"Disclosure control (policy '{p.name}'): {'; '.join(parts)}."
