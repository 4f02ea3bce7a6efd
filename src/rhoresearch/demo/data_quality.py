"""Demonstration data for workstream 3: ethnicity data quality and research representation.

Writes four kinds of file into ``out_dir`` (``data/demo/data_quality/``):

``providers.csv``
    ``provider_code, provider_name, dataset, sector (NHS | Independent), region``.
``records.csv``
    One row per person per dataset, provider and year, as extracted from hospital episodes,
    mental health services and primary care: ``record_id, dataset, provider_code, year,
    ethnic_category`` where ``ethnic_category`` is the code as recorded (NHS Data Dictionary letters
    A-S, ``Z`` not stated, ``99`` or ``X`` not known, the withdrawn ``9``, blanks, lower-case and
    padded variants, and a few invalid codes).
``linked_ethnicity.csv``
    The same people's ethnicity in two sources: ``person_id, census_code`` (self-reported, Census
    2021 mapped to NHS letters) and ``hes_code`` (as recorded in hospital episodes).
``research_participants.csv`` and ``research_reference.csv``
    Participants by high-level ethnic group for several studies (``study_id, study_title,
    condition, ethnic_group, participants``; includes a "Not stated" row), and the share of each group
    in the population or disease population the study should match (``study_id, ethnic_group,
    reference_share, reference_basis, reference_source``).

Planted effects (``truth.json``): provider valid-code percentages from 53% to almost 100% (a few
independent-sector providers with more than a third not known or not stated), "not stated" rising
over the years, about one record in ten without ethnicity in primary care; agreement between the
sources high for White British, Bangladeshi, Pakistani and Indian people and low for the "Other"
groups, following the ONS consistency figures; and participation-to-prevalence ratios with Black and
Asian participants under-represented (0.5 to 0.7) in most studies. All values are demonstration
data; provider names are fictional.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd

from rhoresearch import ethnicity
from rhoresearch.demo._ethnicity import CENSUS2021_ENGLAND, HIGH_LEVEL, REGIONS
from rhoresearch.demo._files import generator_docs, output_folder, write_csv, write_truth
from rhoresearch.exceptions import InputError

__all__ = [
    "YEARS",
    "DATASETS",
    "NHS_CODES",
    "PLANTED_AGREEMENT",
    "generate",
]

logger = logging.getLogger(__name__)

YEARS = (2019, 2020, 2021, 2022, 2023)
# dataset: (number of providers, records per provider-year (mean), mean share without a valid code)
DATASETS = {
    "Hospital episodes": (30, 1000, 0.12),
    "Mental health services": (15, 600, 0.14),
    "Primary care": (40, 400, 0.10),
}
#: The national ethnic category codes A-S, in NHS Data Dictionary order (not stated and not known
#: left out): the code list of :data:`rhoresearch.ethnicity.NHS_CODES`.
NHS_CODES = tuple(code for code in ethnicity.NHS_CODES if code not in {"Z", "99"})
# Census 2021, England, usual residents mapped to NHS letters (Gypsy, Roma, Other White -> C;
# Arab, Any other -> S; Chinese -> R), in the order of NHS_CODES
_ENGLAND_COUNTS = tuple(CENSUS2021_ENGLAND[code] for code in NHS_CODES)
# a "diverse urban" mix used to vary providers' populations (shares, same order)
_URBAN_SHARES = (
    0.42, 0.02, 0.12, 0.015, 0.01, 0.012, 0.015, 0.08, 0.05, 0.05, 0.04, 0.04, 0.08, 0.015,
    0.015, 0.05,
)  # fmt: skip

# agreement of the hospital record with the self-reported (Census) group, among valid codes:
# ONS Nov 2023 (White British >95%, Bangladeshi >92%, Pakistani >86%, Indian >82%, Chinese >79%,
# Other Mixed <35%, Any other <26%, Other Black <20%); the rest are illustrative.
PLANTED_AGREEMENT = {
    "A": 0.96, "B": 0.60, "C": 0.75, "D": 0.55, "E": 0.45, "F": 0.50, "G": 0.33, "H": 0.83,
    "J": 0.87, "K": 0.93, "L": 0.55, "M": 0.72, "N": 0.80, "P": 0.19, "R": 0.80, "S": 0.25,
}  # fmt: skip
# where disagreement goes (relative weights; the rest spread evenly)
_DISAGREE = {
    "A": {"C": 0.4, "B": 0.15, "S": 0.15, "G": 0.1},
    "B": {"A": 0.7, "C": 0.15},
    "C": {"A": 0.7, "S": 0.1},
    "D": {"A": 0.3, "M": 0.25, "G": 0.2},
    "E": {"A": 0.25, "N": 0.3, "G": 0.2},
    "F": {"A": 0.35, "G": 0.25, "L": 0.1},
    "G": {"A": 0.35, "S": 0.25, "D": 0.1},
    "H": {"L": 0.5, "S": 0.2, "A": 0.1},
    "J": {"L": 0.5, "S": 0.2, "H": 0.1},
    "K": {"L": 0.5, "S": 0.2},
    "L": {"H": 0.25, "S": 0.3, "K": 0.1, "J": 0.1},
    "M": {"P": 0.4, "N": 0.25, "S": 0.15},
    "N": {"P": 0.4, "M": 0.2, "S": 0.2},
    "P": {"N": 0.35, "M": 0.3, "S": 0.15, "G": 0.1},
    "R": {"L": 0.4, "S": 0.4},
    "S": {"A": 0.25, "L": 0.2, "C": 0.2, "N": 0.1},
}
_LINKED_PEOPLE = 80_000
_LINKED_UNKNOWN = 0.06

_ENGLAND_HIGH = (0.8105, 0.0296, 0.0961, 0.0422, 0.0218)  # Census 2021 England (TS021)

# study: (title, condition, basis, reference shares by HIGH_LEVEL, planted PPR for the minorities
# (Mixed, Asian, Black, Other; White solved so participant shares sum to one), participants)
_STUDIES = {
    "S01": (
        "Type 2 diabetes prevention trial",
        "Type 2 diabetes",
        "disease prevalence",
        (0.72, 0.02, 0.17, 0.07, 0.02),
        (0.9, 0.55, 0.6, 0.8),
        3200,
    ),
    "S02": (
        "Hypertension management trial",
        "Hypertension",
        "disease prevalence",
        (0.80, 0.02, 0.09, 0.07, 0.02),
        (0.9, 0.7, 0.5, 0.8),
        2600,
    ),
    "S03": (
        "COVID-19 vaccine trial",
        "COVID-19",
        "population",
        _ENGLAND_HIGH,
        (1.0, 0.75, 0.65, 0.9),
        5000,
    ),
    "S04": (
        "Depression therapy trial",
        "Depression",
        "population",
        _ENGLAND_HIGH,
        (1.1, 0.5, 0.55, 0.9),
        1800,
    ),
    "S05": (
        "Heart failure outcomes study",
        "Heart failure",
        "disease prevalence",
        (0.86, 0.015, 0.08, 0.035, 0.01),
        (0.9, 0.7, 0.7, 1.0),
        4000,
    ),
    "S06": (
        "Sickle cell disease study",
        "Sickle cell disease",
        "disease prevalence",
        (0.03, 0.06, 0.02, 0.85, 0.04),
        (1.0, 1.0, 1.0, 1.0),
        900,
    ),
}
_NOT_STATED_PARTICIPANTS = 0.04

_NAME_PARTS = (
    "Ashbury", "Bramley", "Crestwick", "Dunmore", "Elmfield", "Fairhaven", "Glenford", "Hartley",
    "Ivybridge", "Kingsmere", "Larkhill", "Millbrook", "Northgate", "Oakwood", "Pinecroft",
    "Queensway", "Redcliffe", "Stanmoor", "Thornbury", "Weyside", "Whitmore", "Woodlands",
    "Brookvale", "Coldharbour", "Fernhill", "Ashcombe", "Bridgeford", "Castleton", "Deepdale",
    "Eastleigh Park", "Foxley", "Greenacre", "Hollybank", "Kestrel", "Lindenhall", "Maplewood",
    "Netherby", "Orchard", "Parkside", "Riverside",
)  # fmt: skip
_REGIONS = tuple(sorted(REGIONS))


def _providers(rng: np.random.Generator) -> pd.DataFrame:
    rows = []
    used: set[str] = set()
    for dataset, (n, _size, _unknown) in DATASETS.items():
        names = rng.permutation(_NAME_PARTS)
        for i in range(n):
            while True:
                if dataset == "Primary care":
                    code = f"{'ABCDEFGHJKLMNPY'[rng.integers(15)]}{rng.integers(81000, 89999)}"
                elif dataset == "Hospital episodes" and i >= n - 3:
                    code = "N" + "".join(rng.choice(list("ABCDEFGHJKLMNPQRTVWXY0123456789"), 2))
                else:
                    code = "R" + "".join(rng.choice(list("ABCDEFGHJKLMNPQRTVWXY0123456789"), 2))
                if code not in used:
                    used.add(code)
                    break
            independent = dataset == "Hospital episodes" and i >= n - 3
            kind = {
                "Hospital episodes": "Independent Hospital"
                if independent
                else "Hospitals NHS Trust",
                "Mental health services": "Mental Health NHS Foundation Trust",
                "Primary care": "Medical Practice",
            }[dataset]
            rows.append(
                {
                    "provider_code": code,
                    "provider_name": f"{names[i % len(names)]} {kind}",
                    "dataset": dataset,
                    "sector": "Independent" if independent else "NHS",
                    "region": _REGIONS[int(rng.integers(len(_REGIONS)))],
                }
            )
    return pd.DataFrame(rows)


def _unknown_rates(rng: np.random.Generator, providers: pd.DataFrame) -> np.ndarray:
    """Each provider's share without a valid code (2019), 53% to almost 100% valid."""
    rates = np.empty(len(providers))
    for dataset, (_n, _size, mean) in DATASETS.items():
        idx = np.flatnonzero(providers["dataset"].to_numpy() == dataset)
        r = np.clip(rng.lognormal(np.log(mean * 0.8), 0.6, len(idx)), 0.004, 0.3)
        rates[idx] = r
    hosp = np.flatnonzero(providers["dataset"].to_numpy() == "Hospital episodes")
    independent = np.flatnonzero(providers["sector"].to_numpy() == "Independent")
    rates[independent] = (0.36, 0.40, 0.38)[: len(independent)]
    rates[hosp[0]] = 0.42  # the worst NHS provider: about 53% valid over the years
    rates[hosp[1]] = 0.005  # almost complete
    return rates


def _records(
    rng: np.random.Generator, providers: pd.DataFrame, unknown_rates: np.ndarray, scale: float
) -> tuple[pd.DataFrame, dict]:
    eng = np.array(_ENGLAND_COUNTS, dtype=float)
    eng /= eng.sum()
    urban = np.array(_URBAN_SHARES)
    urban /= urban.sum()
    frames = []
    truth: dict[str, dict] = {}
    next_id = 1
    for p, prov in enumerate(providers.itertuples(index=False)):
        _n, size, _mean = DATASETS[prov.dataset]
        mix_w = rng.uniform(0, 1)
        shares = (1 - mix_w) * eng + mix_w * urban
        truth[prov.provider_code] = {}
        for yi, year in enumerate(YEARS):
            n = int(rng.poisson(size * scale))
            # not stated rises over the years; total unknown rises slightly
            unknown = min(unknown_rates[p] * (1 + 0.04 * yi), 0.6)
            ns_frac = 0.30 + 0.08 * yi
            if prov.dataset == "Primary care":
                parts = {"not_stated": 0.2 + 0.05 * yi, "not_known": 0.1, "missing": 0.0}
            else:
                parts = {"not_stated": ns_frac, "not_known": 0.0, "missing": 0.0}
            rest = 1 - parts["not_stated"] - parts["not_known"]
            if prov.dataset == "Primary care":
                parts["missing"] = rest  # no ethnicity code in the record
            else:
                parts["not_known"] = rest * 0.75
                parts["missing"] = rest * 0.25
            invalid = 0.004
            probs = {
                "valid": 1 - unknown - invalid,
                "not_stated": unknown * parts["not_stated"],
                "not_known": unknown * parts["not_known"],
                "missing": unknown * parts["missing"],
                "invalid": invalid,
            }
            cats = list(probs)
            status = rng.choice(len(cats), size=n, p=np.array(list(probs.values())))
            codes = np.empty(n, dtype=object)
            valid = status == 0
            letters = np.array(NHS_CODES)[rng.choice(len(NHS_CODES), size=valid.sum(), p=shares)]
            # messy but valid renderings: lower case, padded, local two-character sub-codes
            messy = rng.random(valid.sum())
            letters = np.where(messy < 0.01, np.char.lower(letters.astype(str)), letters)
            letters = np.where(
                (messy >= 0.01) & (messy < 0.015), [f"{x} " for x in letters], letters
            )
            codes[valid] = letters
            nk = status == 2
            nk_choices = ("99", "X", "9") if prov.dataset == "Hospital episodes" else ("99", "X")
            codes[nk] = rng.choice(nk_choices, size=nk.sum())
            codes[status == 1] = np.where(rng.random((status == 1).sum()) < 0.97, "Z", "z")
            codes[status == 3] = ""
            codes[status == 4] = rng.choice(["0", "V", "7", "U", "Q"], size=(status == 4).sum())
            frames.append(
                pd.DataFrame(
                    {
                        "record_id": np.arange(next_id, next_id + n),
                        "dataset": prov.dataset,
                        "provider_code": prov.provider_code,
                        "year": year,
                        "ethnic_category": codes,
                    }
                )
            )
            next_id += n
            truth[prov.provider_code][str(year)] = {k: round(float(v), 6) for k, v in probs.items()}
    return pd.concat(frames, ignore_index=True), truth


def _transition() -> np.ndarray:
    k = len(NHS_CODES)
    m = np.zeros((k, k))
    for i, a in enumerate(NHS_CODES):
        agree = PLANTED_AGREEMENT[a]
        weights = np.full(k, 0.0)
        named = _DISAGREE[a]
        spare = 1 - sum(named.values())
        others = [j for j, b in enumerate(NHS_CODES) if b != a and b not in named]
        for j, b in enumerate(NHS_CODES):
            if b in named:
                weights[j] = named[b]
        weights[others] += spare / len(others)
        m[i] = (1 - agree) * weights
        m[i, i] = agree
    return m


def _kappa(joint: np.ndarray) -> float:
    po = np.trace(joint)
    pe = joint.sum(axis=1) @ joint.sum(axis=0)
    return float((po - pe) / (1 - pe))


def _linked(rng: np.random.Generator, scale: float) -> tuple[pd.DataFrame, dict]:
    eng = np.array(_ENGLAND_COUNTS, dtype=float)
    eng /= eng.sum()
    # oversample minority groups (as a linkage study of a diverse area would): half White British
    p_a = eng.copy()
    p_a[0] = 0.5
    p_a[1:] = eng[1:] / eng[1:].sum() * 0.5
    trans = _transition()
    people = max(int(_LINKED_PEOPLE * scale), 100)
    a = rng.choice(len(NHS_CODES), size=people, p=p_a)
    cum = trans.cumsum(axis=1)
    u = rng.random(people)
    b = (u[:, None] > cum[a]).sum(axis=1)
    b = np.minimum(b, len(NHS_CODES) - 1)
    codes = np.array(NHS_CODES)
    hes = codes[b].astype(object)
    unk = rng.random(people)
    hes[unk < _LINKED_UNKNOWN * 0.6] = "Z"
    hes[(unk >= _LINKED_UNKNOWN * 0.6) & (unk < _LINKED_UNKNOWN)] = "99"
    frame = pd.DataFrame(
        {
            "person_id": np.arange(1, people + 1),
            "census_code": codes[a],
            "hes_code": hes,
        }
    )
    # expected agreement and kappa given the realised census groups
    n_a = np.bincount(a, minlength=len(NHS_CODES)) / people
    joint = n_a[:, None] * trans
    per_group_kappa = {}
    for i, code in enumerate(NHS_CODES):
        both = joint[i, i]
        a_only = joint[i].sum() - both
        b_only = joint[:, i].sum() - both
        neither = 1 - both - a_only - b_only
        per_group_kappa[code] = round(_kappa(np.array([[both, a_only], [b_only, neither]])), 6)
    truth = {
        "people": people,
        "hes_not_stated_or_known_share": _LINKED_UNKNOWN,
        "planted_agreement_by_census_group": PLANTED_AGREEMENT,
        "expected_overall_agreement": round(float(np.trace(joint)), 6),
        "expected_kappa": round(_kappa(joint), 6),
        "expected_kappa_by_group": per_group_kappa,
        "census_group_sampling": "half White British, half the other groups in proportion to "
        "Census 2021 England",
    }
    return frame, truth


def _research(rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    part_rows, ref_rows, truth = [], [], {}
    for sid, (title, condition, basis, ref_shares, ppr_min, n) in _STUDIES.items():
        ref = np.array(ref_shares, dtype=float)
        ref = ref / ref.sum()
        ppr = np.array([np.nan, *ppr_min])
        ppr[0] = (1 - (ref[1:] * ppr[1:]).sum()) / ref[0]
        share = ref * ppr
        stated = rng.binomial(n, 1 - _NOT_STATED_PARTICIPANTS)
        counts = rng.multinomial(stated, share)
        for g, c in zip(HIGH_LEVEL, counts, strict=True):
            part_rows.append((sid, title, condition, g, int(c)))
        part_rows.append((sid, title, condition, "Not stated", int(n - stated)))
        source = (
            "Census 2021 England (TS021), usual residents"
            if basis == "population"
            else "Illustrative disease-population shares (demonstration)"
        )
        for g, r in zip(HIGH_LEVEL, ref, strict=True):
            ref_rows.append((sid, g, round(float(r), 6), basis, source))
        truth[sid] = {
            "title": title,
            "planted_ppr": {g: round(float(v), 6) for g, v in zip(HIGH_LEVEL, ppr, strict=True)},
        }
    participants = pd.DataFrame(
        part_rows, columns=["study_id", "study_title", "condition", "ethnic_group", "participants"]
    )
    reference = pd.DataFrame(
        ref_rows,
        columns=[
            "study_id",
            "ethnic_group",
            "reference_share",
            "reference_basis",
            "reference_source",
        ],
    )
    return participants, reference, truth


@generator_docs
def generate(out_dir: Path, *, seed: int, scale: float = 1.0) -> dict:
    """Write the ethnicity data-quality and research-representation demonstration data.

    The truth holds the planted recording-status probabilities of each provider by year, each
    provider's valid-code share in 2019, the independent providers, the planted agreement between
    the two linked sources and the planted participation-to-prevalence ratios of the studies (see
    the module docstring).

    {parameters}
    scale : float, default 1.0
        Multiplies the number of records and linked people (tests use a small scale).

    {returns}
    """
    out_dir = output_folder(out_dir)
    rng = np.random.default_rng(seed)
    providers = _providers(rng)
    unknown = _unknown_rates(rng, providers)
    if not scale > 0:
        raise InputError(f"generate: scale must be a positive number, got {scale!r}")
    records, completeness_truth = _records(rng, providers, unknown, scale)
    linked, linked_truth = _linked(rng, scale)
    participants, reference, research_truth = _research(rng)

    write_csv(providers, out_dir / "providers.csv")
    write_csv(records, out_dir / "records.csv")
    write_csv(linked, out_dir / "linked_ethnicity.csv")
    write_csv(participants, out_dir / "research_participants.csv")
    write_csv(reference, out_dir / "research_reference.csv")

    truth = {
        "description": (
            "Demonstration data: ethnicity recording in three datasets, the same people's "
            "ethnicity in two sources, and research participants against reference shares."
        ),
        "seed": seed,
        "years": list(YEARS),
        "records": int(len(records)),
        "completeness_status_probabilities": completeness_truth,
        "provider_valid_2019": {
            code: round(1 - float(u) - 0.004, 6)
            for code, u in zip(providers["provider_code"], unknown, strict=True)
        },
        "independent_providers": providers.loc[
            providers["sector"] == "Independent", "provider_code"
        ].tolist(),
        "agreement": linked_truth,
        "research": research_truth,
        "sources": {
            "completeness": "Nuffield Trust / NHS Race and Health Observatory 2021 (valid 53% to "
            "almost 100% by provider; not stated rising); primary care one in ten not recorded",
            "agreement": "ONS, Understanding consistency of ethnicity data, Nov 2023",
            "ppr": "Carcel et al. Neurology 2021; thresholds 0.8 and 1.2",
        },
    }
    write_truth(out_dir, truth, sort_keys=True)
    logger.info(
        "data quality demo: %d records, %d linked people, %d studies written to %s",
        len(records),
        len(linked),
        len(_STUDIES),
        out_dir,
    )
    return truth
