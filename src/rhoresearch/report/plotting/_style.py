"""The house style of the figures: the palette, a fixed colour per ethnic group, the theme.

- *Theme*: importing the package changes nothing; :func:`set_theme` applies the house style.
- *Colours*: one colour-blind-safe palette (Okabe & Ito 2008), with a fixed colour per high-level
  ethnic group (:data:`GROUP_COLOURS`) so a group has the same colour in every figure of every
  report; :func:`group_colours` gives colours for any ordered list of groups (detailed groups get
  shades of their high-level group's colour). Labels that are not ethnic groups (indicators, pay
  bands) are drawn in one neutral grey (:func:`series_colours`) unless ``hue`` colours them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import numpy as np

from rhoresearch import lazy

# imported on first use (by set_theme and the detailed groups' shades), not with the package
sns = lazy.module("seaborn")
mcolors = lazy.module("matplotlib.colors")

__all__ = ["OKABE_ITO", "GROUP_COLOURS", "set_theme", "group_colours"]

#: The Okabe-Ito colour-blind-safe palette (black first, as published).
OKABE_ITO: list[str] = [
    "#000000",  # black
    "#E69F00",  # orange
    "#56B4E9",  # sky blue
    "#009E73",  # bluish green
    "#F0E442",  # yellow
    "#0072B2",  # blue
    "#D55E00",  # vermillion
    "#CC79A7",  # reddish purple
]

#: The fixed colour of each high-level ethnic group (and of the binary split's minority label).
GROUP_COLOURS: dict[str, str] = {
    "Asian": "#E69F00",
    "Black": "#0072B2",
    "Mixed": "#CC79A7",
    "White": "#009E73",
    "Other": "#D55E00",
    "Not stated": "#7F7F7F",
    "Not known": "#BDBDBD",
    "Ethnic minority": "#56B4E9",
}

# colours for labels that are not ethnic groups (e.g. "crude", "adjusted"), in order
_FALLBACK = ["#000000", "#56B4E9", "#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#F0E442"]

# keywords that place a detailed label in its high-level family (first match in the label wins)
_FAMILY_WORDS = {
    "not stated": "Not stated",
    "not known": "Not known",
    "unknown": "Not known",
    "not declared": "Not stated",
    "ethnic minorit": "Ethnic minority",
    "minority": "Ethnic minority",
    "bame": "Ethnic minority",
    "bme": "Ethnic minority",
    "mixed": "Mixed",
    "multiple": "Mixed",
    "asian": "Asian",
    "indian": "Asian",
    "pakistani": "Asian",
    "bangladeshi": "Asian",
    "chinese": "Asian",
    "black": "Black",
    "caribbean": "Black",
    "african": "Black",
    "white": "White",
    "british": "White",
    "irish": "White",
    "gypsy": "White",
    "roma": "White",
    "arab": "Other",
    "other": "Other",
}

NEUTRAL = "#4D4D4D"  # one series of labels that are not ethnic groups


def set_theme(*, context: str = "notebook", font_scale: float = 1.0) -> None:
    """Apply the house style to matplotlib (explicitly; importing the module changes nothing).

    Parameters
    ----------
    context : {"paper", "notebook", "talk", "poster"}, default "notebook"
        Seaborn's scaling context.
    font_scale : float, default 1.0
        Extra font scaling.

    Returns
    -------
    None

    Notes
    -----
    Seaborn's ``whitegrid`` style with the Okabe-Ito palette as the colour cycle, left-aligned bold
    titles, no top/right spines, 150 dpi saved figures with tight bounding boxes. Figures made
    before the call keep their style.

    References
    ----------
    Okabe M, Ito K (2008). *Color Universal Design (CUD): how to make figures and presentations
    that are friendly to colorblind people*. https://jfly.uni-koeln.de/color/

    Waskom ML (2021). seaborn: statistical data visualization. *Journal of Open Source Software*
    6(60):3021.
    """
    sns.set_theme(
        context=context,
        style="whitegrid",
        palette=OKABE_ITO,
        font_scale=font_scale,
        rc={
            "axes.titlelocation": "left",
            "axes.titleweight": "bold",
            "axes.spines.top": False,
            "axes.spines.right": False,
            "figure.dpi": 100,
            "savefig.dpi": 150,
            "savefig.bbox": "tight",
            "legend.frameon": False,
        },
    )


_HEAD_SPLIT = re.compile(r"\s*(?::|\s-\s|\(|\[)")


def _family(label: str) -> str | None:
    """The high-level group a label belongs to, or None when it is not an ethnic group label.

    Only the head of the label is read (the text before ``:``, `` - `` or a bracket, as in
    ``"Black or Black British - Caribbean"`` and ``"White: Irish"``) and only when it is at most
    six words long, so that labels such as ``"2. Appointment (White vs ethnic minority)"`` are not
    taken for groups. A leading "any other " or "other " is passed over, so that ``"Any other
    White background"`` and the short ``"Other White"`` are White; ``"Other"``, ``"Any other ethnic
    group"`` and ``"Other Ethnic Groups - Chinese"`` (no group named after it) are Other.
    """
    text = str(label).strip()
    if text in GROUP_COLOURS:
        return text
    head = _HEAD_SPLIT.split(text.lower(), maxsplit=1)[0].strip()
    if not head or len(head.split()) > 6:
        return None
    if "white and " in head:
        return "Mixed"  # "White and Black Caribbean", "White and Asian"
    # "Any other White background", and the short "Other White": the group named after "other"
    any_other = head.startswith(("any other ", "other "))
    if any_other:
        head = head.split("other ", maxsplit=1)[1]
    best, pos = None, len(head) + 1
    for word, family in _FAMILY_WORDS.items():
        i = head.find(word)
        if i != -1 and i < pos:
            best, pos = family, i
    if best is None and any_other:
        return "Other"
    return best


def series_colours(labels: Sequence[str]) -> dict[str, str]:
    """Colours by group when the labels are ethnic groups, else one neutral colour for all."""
    if any(_family(lab) is not None for lab in labels):
        return group_colours(labels)
    return {lab: NEUTRAL for lab in labels}


def _mix(colour: str, amount: float) -> str:
    """Lighten (amount > 0, toward white) or darken (amount < 0, toward black) a colour."""
    rgb = np.array(mcolors.to_rgb(colour))
    target = np.ones(3) if amount > 0 else np.zeros(3)
    return mcolors.to_hex(rgb + (target - rgb) * abs(amount))


def group_colours(groups: Iterable) -> dict[str, str]:
    """Colours for an ordered list of groups: fixed per ethnic group, colour-blind safe.

    Parameters
    ----------
    groups : iterable of str
        Group labels in display order (duplicates are ignored). High-level labels (``"Asian"``,
        ``"Black"``, ``"Mixed"``, ``"White"``, ``"Other"``, ``"Not stated"``, ``"Not known"``,
        ``"Ethnic minority"``) get :data:`GROUP_COLOURS`; detailed labels (``"Black or Black
        British - Caribbean"``, ``"White: English, Welsh, Scottish, Northern Irish or British"``)
        get shades of their high-level group's colour (darker to lighter in the order given); other
        labels (``"crude"``, ``"adjusted"``) get Okabe-Ito colours not already used.

    Returns
    -------
    dict
        ``{label: "#rrggbb"}`` in the order given.
    """
    labels = list(dict.fromkeys(str(g) for g in groups))
    families = {lab: _family(lab) for lab in labels}
    members: dict[str, list[str]] = {}
    for lab, fam in families.items():
        if fam is not None:
            members.setdefault(fam, []).append(lab)
    out: dict[str, str] = {}
    for fam, labs in members.items():
        base = GROUP_COLOURS[fam]
        if len(labs) == 1:
            out[labs[0]] = base
            continue
        for lab, amount in zip(labs, np.linspace(-0.35, 0.55, len(labs)), strict=True):
            out[lab] = base if abs(amount) < 1e-9 else _mix(base, float(amount))
    used = {c.lower() for c in out.values()}
    spare = [c for c in _FALLBACK if c.lower() not in used] or list(_FALLBACK)
    k = 0
    for lab in labels:
        if lab not in out:
            out[lab] = spare[k % len(spare)]
            k += 1
    return {lab: out[lab] for lab in labels}
