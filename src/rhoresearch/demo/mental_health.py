"""Demonstration data for workstream 6: Mental Health Act detentions and community treatment orders.

Writes files shaped like a national Mental Health Act extract (record level) with population
denominators, England, financial years 2019-20 to 2023-24:

``detentions.parquet``
    One row per detention: ``detention_id``, ``person_id`` (pseudonymised; a person detained more
    than once in a year has several rows), ``financial_year`` (``"2023-24"``), ``provider_code``,
    ``region_code``, ``region_name``, ``ethnic_category`` (NHS codes as they arrive: lower case,
    padded, descriptions, ``Z``, ``99``, blanks, nulls, a few invalid codes), ``age`` (years at
    the start of the detention; null when not recorded), ``sex`` (NHS person stated gender code:
    ``"1"`` male, ``"2"`` female, ``"9"`` indeterminate, ``"X"`` not known, or null).
``ctos.parquet``
    One row per community treatment order, same columns with ``cto_id`` for ``detention_id``.
``population.parquet``
    Usual residents by provider catchment: ``provider_code``, ``region_code``, ``region_name``,
    ``ethnic_category`` (NHS code), ``age_band`` (the 19 five-year bands of the 2013 European
    Standard Population, ``0-4`` ... ``90+``), ``sex`` (``Male`` / ``Female``), ``population``.
    England totals by ethnic category equal the Census 2021 TS021 counts (Gypsy or Irish
    Traveller and Roma counted under C, Arab under S, as NHS Digital maps them) up to rounding;
    ethnic minority populations are younger than the White population.
``providers.csv``
    ``provider_code``, ``provider_name``, ``region_code``, ``region_name``, ``provider_type``:
    55 fictional providers (codes ``DM01`` ...), a few of them small.

Planted effects (``truth.json``): detention and CTO rates are multiplicative in age band, sex,
high-level ethnic group, provider and year. The ethnic effects are solved so that the crude
five-year average rates match the published ones (detentions about 64 per 100,000 for White and
228 for Black people, NHS Digital 2022-23 via the Race Disparity Unit; CTOs about 7 and 65, in
line with the 2016-17 and 2020-21 published rates of 6.8 to 7.8 and 60.1 to 78.9); the other
groups' crude targets are illustrative. Because the Black, Asian and Other populations are
concentrated at the working ages where detention is most common, and the Mixed population is
very young, crude and age-standardised ratios differ. Black people are planted more likely to
be detained repeatedly within a year, so ratios of detentions exceed ratios of people detained.
Three providers are planted as outliers (two high, one low) for the funnel plot. Records with unusable ethnicity, age or
sex are excluded from the numerators but the population denominators are complete, so observed
rates are ``expected_share_of_records_usable`` (about 94%) of the planted ones; ratios are not
affected (the masking is at random). Every value is demonstration data, not real; provider names
are invented.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from rhoresearch.demo._ethnicity import CENSUS2021_ENGLAND
from rhoresearch.demo._files import generator_docs, output_folder, write_truth
from rhoresearch.demo._record_level import (
    HIGH_LEVEL,
    NHS_CODES,
    REGIONS,
    ethnic_strings,
    six_figures,
    write_parquet,
)

__all__ = ["FINANCIAL_YEARS", "AGE_BANDS", "REGIONS", "generate"]

logger = logging.getLogger(__name__)

FINANCIAL_YEARS = ("2019-20", "2020-21", "2021-22", "2022-23", "2023-24")
#: The 19 five-year bands of the 2013 European Standard Population.
AGE_BANDS = tuple(f"{a}-{a + 4}" for a in range(0, 90, 5)) + ("90+",)

# Region totals (Census 2021 usual residents, NHS England regions, rounded to thousands).
_REGION_TOTALS = np.array([8_800, 9_280, 5_700, 6_330, 10_830, 8_130, 7_420]) * 1_000.0
# High-level ethnic shares by region (order HIGH_LEVEL), approximate Census 2021 values.
_REGION_SHARES = np.array(
    [
        [53.8, 5.7, 20.7, 13.5, 6.3],
        [86.3, 3.0, 7.0, 2.4, 1.3],
        [93.1, 2.2, 2.3, 1.1, 0.8],
        [86.5, 2.9, 5.5, 3.5, 1.6],
        [80.9, 2.8, 10.8, 3.4, 2.1],
        [88.0, 2.1, 6.5, 1.6, 1.8],
        [85.6, 2.3, 8.3, 2.1, 1.6],
    ]
)
# Age structure (share in each of the 19 bands) by high-level group: minorities younger.
_AGE_STRUCTURE = np.array(
    [
        [
            5.0,
            5.5,
            5.6,
            5.3,
            5.8,
            6.2,
            6.3,
            6.0,
            5.7,
            6.3,
            7.1,
            7.1,
            6.3,
            5.5,
            5.6,
            4.2,
            2.8,
            1.7,
            0.9,
        ],
        [12, 12, 11, 10, 9.5, 8.5, 7.5, 6.5, 5.5, 4.5, 3.8, 3.0, 2.2, 1.5, 1.0, 0.6, 0.4, 0.2, 0.1],
        [7.5, 8, 7.8, 7, 7.5, 8.5, 9.2, 8.8, 7.5, 6.2, 5.3, 4.2, 3.3, 2.6, 2.2, 1.6, 1.0, 0.5, 0.2],
        [7, 8, 8, 7.2, 7, 7, 7.8, 8.4, 8, 7.2, 6.5, 5.5, 4.2, 2.9, 2.2, 1.5, 0.9, 0.5, 0.2],
        [7, 7, 6.5, 6, 7.5, 10, 11, 10, 8.5, 7, 5.5, 4.2, 3.2, 2.3, 1.7, 1.2, 0.8, 0.4, 0.2],
    ]
)
# Female share by age band (same for every group, so sex does not confound ethnic comparisons).
_FEMALE_SHARE = np.array(
    [0.488, 0.488, 0.488, 0.487, 0.49, 0.5, 0.505, 0.508, 0.507, 0.507, 0.506, 0.505, 0.51]
    + [0.515, 0.52, 0.535, 0.56, 0.6, 0.68]
)
_PROVIDERS_PER_REGION = (9, 9, 6, 6, 10, 8, 7)
_SMALL_PROVIDERS = {"DM05": 0.12, "DM16": 0.15, "DM31": 0.12, "DM52": 0.18}
#: Planted outlier providers and their rate multipliers.
_OUTLIERS = {"DM22": 1.6, "DM49": 1.45, "DM14": 0.6}
_PROVIDER_SD = 0.08  # log-normal spread of the other providers' multipliers
_YEAR_FACTOR = np.array([0.97, 1.03, 1.02, 1.0, 0.98])

_MEASURES: dict[str, dict[str, Any]] = {
    "detentions": {
        # age-specific shape per 100,000 (19 bands) and sex rate ratios (male, female)
        "age_shape": [
            0.5,
            1,
            8,
            75,
            140,
            150,
            140,
            125,
            110,
            95,
            85,
            70,
            58,
            50,
            50,
            62,
            85,
            95,
            85,
        ],
        "sex_rr": (1.12, 0.89),
        "crude_target": {"White": 64, "Mixed": 115, "Asian": 75, "Black": 228, "Other": 160},
        # extra events per person per year (Poisson mean)
        "repeat_mean": {"White": 0.30, "Mixed": 0.35, "Asian": 0.30, "Black": 0.45, "Other": 0.35},
        "source": "NHS Digital Mental Health Act statistics 2022-23 via ethnicity-facts-figures "
        "(Black 228, White 64 per 100,000); Mixed, Asian and Other targets illustrative",
    },
    "ctos": {
        "age_shape": [0, 0, 0.2, 5, 12, 16, 17, 17, 16, 15, 13, 10, 7, 5, 3, 2, 1.5, 1, 0.5],
        "sex_rr": (1.35, 0.74),
        "crude_target": {"White": 7.0, "Mixed": 22, "Asian": 11, "Black": 65, "Other": 20},
        "repeat_mean": {"White": 0.03, "Mixed": 0.03, "Asian": 0.03, "Black": 0.03, "Other": 0.03},
        "source": "NHS Digital Mental Health Act statistics: CTO uses per 100,000, 2016-17 "
        "(Black 60.1, White 6.8) and 2020-21 (78.9, 7.8); other groups illustrative",
    },
}
_NOT_KNOWN_FORMS = {"Z": 0.02, "99": 0.015, "": 0.01, None: 0.005}
_INVALID_RATE = 0.003
_MISSING_AGE_RATE = 0.003
_SEX_OTHER = {"9": 0.001, "X": 0.001, None: 0.001}

_PLACE_A = (
    "Alder Beck Carrow Dunmere Elmsworth Fenwold Glenmoor Harrowby Ivelford Kestle Larkmoor "
    "Merrow Norbridge Oakhurst Penmarsh Quenby Rookwell Saltholm Thornvale Ullesby Wendlow "
    "Yarrowdale Ashcombe Brackwater Coldharbour Dewmere Eastwold Foxbourne Greywell Hollins "
    "Islemere Kingsreach Lowmoor Millbeck Netherby Oldcastle Pendle Ravensmoor Stowcross "
    "Tidewell Underhill Westmere Ambleford Bramwell Castlereach Denbury Fairholm Greenhythe "
    "Highmarsh Kettlewick Linwood Moorgate Northwold Overdale Ridgeway"
).split()


def _ipf(seed: np.ndarray, rows: np.ndarray, cols: np.ndarray, iterations: int = 200) -> np.ndarray:
    """Iterative proportional fitting of ``seed`` to row and column totals."""
    table = seed.astype(float).copy()
    for _ in range(iterations):
        table *= (rows / table.sum(axis=1))[:, None]
        table *= (cols / table.sum(axis=0))[None, :]
    return table


def _providers(rng: np.random.Generator) -> list[dict]:
    providers = []
    k = 0
    for r, count in enumerate(_PROVIDERS_PER_REGION):
        weights = rng.uniform(0.5, 1.6, size=count)
        for j in range(count):
            k += 1
            code = f"DM{k:02d}"
            w = _SMALL_PROVIDERS.get(code, weights[j])
            nhs = code not in _SMALL_PROVIDERS or code == "DM16"
            name = _PLACE_A[k - 1] + (
                " Mental Health NHS Foundation Trust" if nhs else " Independent Hospitals"
            )
            providers.append(
                {
                    "provider_code": code,
                    "provider_name": name,
                    "region": r,
                    "weight": float(w),
                    "provider_type": "NHS trust" if nhs else "Independent sector",
                }
            )
    return providers


def _population(providers: list[dict]) -> tuple[np.ndarray, list[str]]:
    """Population array [provider, code, age band, sex] with Census 2021 England code totals."""
    codes = list(NHS_CODES)
    group_of_code = np.array([HIGH_LEVEL.index(NHS_CODES[c][1]) for c in codes])
    code_totals = np.array([CENSUS2021_ENGLAND[c] for c in codes], dtype=float)
    group_totals = np.bincount(group_of_code, weights=code_totals)
    within = code_totals / group_totals[group_of_code]
    shares = _REGION_SHARES / _REGION_SHARES.sum(axis=1, keepdims=True)
    seed = _REGION_TOTALS[:, None] * shares[:, group_of_code] * within[None, :]
    region_totals = _REGION_TOTALS * code_totals.sum() / _REGION_TOTALS.sum()
    region_code = _ipf(seed, region_totals, code_totals)
    n_p = len(providers)
    pop = np.zeros((n_p, len(codes), len(AGE_BANDS), 2))
    age = _AGE_STRUCTURE / _AGE_STRUCTURE.sum(axis=1, keepdims=True)
    sex = np.stack([1 - _FEMALE_SHARE, _FEMALE_SHARE], axis=1)  # male, female
    for r in range(len(REGIONS)):
        members = [i for i, p in enumerate(providers) if p["region"] == r]
        w = np.array([providers[i]["weight"] for i in members])
        w = w / w.sum()
        for i, share in zip(members, w, strict=True):
            cell = region_code[r] * share  # by code
            pop[i] = cell[:, None, None] * age[group_of_code][:, :, None] * sex[None, :, :]
    return np.round(pop), codes


def _expected(pop, group_of_code, shape, sex_rr, rr, mult) -> np.ndarray:
    """Expected yearly events (before the year factor) per [provider, code, age, sex]."""
    return (
        pop
        * mult[:, None, None, None]
        * rr[group_of_code][None, :, None, None]
        * (np.asarray(shape) / 1e5)[None, None, :, None]
        * np.asarray(sex_rr)[None, None, None, :]
    )


def _draw_sex(rng: np.random.Generator, sex_idx: np.ndarray) -> pa.Array:
    n = sex_idx.size
    values = np.where(sex_idx == 0, 0, 1).astype(np.int32)  # "1", "2"
    vocab = ["1", "2", "9", "X"]
    u = rng.random(n)
    null = np.zeros(n, dtype=bool)
    cut = 0.0
    for value, rate in _SEX_OTHER.items():
        sel = (u >= cut) & (u < cut + rate)
        cut += rate
        if value is None:
            null |= sel
        else:
            values[sel] = vocab.index(value)
    return pa.array(vocab, type=pa.string()).take(pa.array(values, mask=null, type=pa.int32()))


def _events(rng, expected_people, repeat_mean, group_of_code, id_prefix, person_start):
    """Record-level events: people per stratum and year, each with 1 + Poisson extra events."""
    n_years = len(FINANCIAL_YEARS)
    shape = expected_people.shape
    cols = {k: [] for k in ("year", "provider", "code", "age", "sex", "person")}
    next_person = person_start
    for y in range(n_years):
        people = rng.poisson(expected_people * _YEAR_FACTOR[y])
        flat = people.ravel()
        idx = np.repeat(np.arange(flat.size), flat)
        p, c, a, s = np.unravel_index(idx, shape)
        extra = rng.poisson(np.asarray(repeat_mean)[group_of_code[c]])
        per_person = 1 + extra
        person = np.arange(next_person, next_person + idx.size)
        next_person += idx.size
        rep = np.repeat(np.arange(idx.size), per_person)
        cols["year"].append(np.full(rep.size, y, dtype=np.int8))
        cols["provider"].append(p[rep])
        cols["code"].append(c[rep])
        cols["age"].append(a[rep])
        cols["sex"].append(s[rep])
        cols["person"].append(person[rep])
    out = {k: np.concatenate(v) for k, v in cols.items()}
    # shuffle within the extract so rows of one person are not always adjacent
    order = rng.permutation(out["year"].size)
    order = order[np.argsort(out["year"][order], kind="stable")]
    return {k: v[order] for k, v in out.items()}, next_person


def _table(rng, ev, providers, id_name, id_prefix) -> tuple[pa.Table, dict]:
    n = ev["year"].size
    ethnic, counts = ethnic_strings(
        rng, ev["code"], not_known_forms=_NOT_KNOWN_FORMS, invalid_rate=_INVALID_RATE
    )
    lower = np.array([int(b.split("-")[0].rstrip("+")) for b in AGE_BANDS])
    width = np.where(lower == 90, 10, 5)
    age_years = lower[ev["age"]] + np.floor(rng.random(n) * width[ev["age"]]).astype(np.int64)
    age_missing = rng.random(n) < _MISSING_AGE_RATE
    prov_codes = np.array([p["provider_code"] for p in providers])
    region_of = np.array([p["region"] for p in providers])
    region = region_of[ev["provider"]]
    table = pa.table(
        {
            id_name: pa.array([f"{id_prefix}{i:07d}" for i in range(1, n + 1)], type=pa.string()),
            "person_id": pa.array([f"P{i:07d}" for i in ev["person"]], type=pa.string()),
            "financial_year": pa.array(FINANCIAL_YEARS, type=pa.string()).take(
                pa.array(ev["year"])
            ),
            "provider_code": pa.array(prov_codes, type=pa.string()).take(pa.array(ev["provider"])),
            "region_code": pa.array([c for c, _ in REGIONS], type=pa.string()).take(
                pa.array(region)
            ),
            "region_name": pa.array([r for _, r in REGIONS], type=pa.string()).take(
                pa.array(region)
            ),
            "ethnic_category": ethnic,
            "age": pa.array(age_years, mask=age_missing, type=pa.int16()),
            "sex": _draw_sex(rng, ev["sex"]),
        }
    )
    counts["missing_age"] = int(age_missing.sum())
    return table, counts


@generator_docs
def generate(out_dir: Path, *, seed: int, scale: float = 1.0) -> dict:
    """Write the mental health demonstration data and ``truth.json``; return the truth.

    The truth holds the planted rate ratios, the expected crude and standardised rates and
    ratios, the provider multipliers and the recording rates (see the module docstring).

    {parameters}
    scale : float, default 1.0
        Multiplier of the event rates (tests use a small value; populations are unchanged).

    {returns}

    Notes
    -----
    People detained in a stratum (provider catchment x ethnic category x age band x sex) and year
    are Poisson with mean ``population * shape[age] * sex_rr[sex] * rr[group] * provider_mult *
    year_factor / (1 + repeat_mean[group])``; each person then has ``1 + Poisson(repeat_mean)``
    detentions, so the expected detentions are ``population * shape * sex_rr * rr * mult *
    year_factor``. ``rr`` is solved so that the expected five-year crude rate of each group meets
    its target. CTOs are drawn the same way with their own shape, targets and a small repeat mean.
    """
    out_dir = output_folder(out_dir)
    rng = np.random.default_rng(seed)
    providers = _providers(rng)
    pop, codes = _population(providers)
    group_of_code = np.array([HIGH_LEVEL.index(NHS_CODES[c][1]) for c in codes])
    mult = np.exp(rng.normal(0.0, _PROVIDER_SD, size=len(providers)))
    for i, p in enumerate(providers):
        if p["provider_code"] in _OUTLIERS:
            mult[i] = _OUTLIERS[p["provider_code"]]

    pop_group = np.array(
        [pop[:, group_of_code == g].sum() for g in range(len(HIGH_LEVEL))], dtype=float
    )
    solved = {}
    tables = {}
    person_start = 1
    for measure, spec in _MEASURES.items():
        base = _expected(pop, group_of_code, spec["age_shape"], spec["sex_rr"], np.ones(5), mult)
        base_group = np.array([base[:, group_of_code == g].sum() for g in range(len(HIGH_LEVEL))])
        target = np.array([spec["crude_target"][g] for g in HIGH_LEVEL], dtype=float)
        rr = target * pop_group / 1e5 / (base_group * _YEAR_FACTOR.mean())
        expected = _expected(pop, group_of_code, spec["age_shape"], spec["sex_rr"], rr, mult)
        repeat = np.array([spec["repeat_mean"][g] for g in HIGH_LEVEL])
        people = expected * scale / (1 + repeat[group_of_code])[None, :, None, None]
        ev, person_start = _events(rng, people, repeat, group_of_code, measure, person_start)
        id_name, prefix = ("detention_id", "D") if measure == "detentions" else ("cto_id", "C")
        tables[measure], counts = _table(rng, ev, providers, id_name, prefix)
        solved[measure] = {
            "rr": rr,
            "expected": expected,
            "repeat": repeat,
            "recording": counts,
            "rows": int(ev["year"].size),
            "people": int(np.unique(ev["person"]).size),
        }

    write_parquet(tables["detentions"], out_dir / "detentions.parquet")
    write_parquet(tables["ctos"], out_dir / "ctos.parquet")
    write_parquet(_population_table(pop, codes, providers), out_dir / "population.parquet")
    _write_providers(providers, out_dir / "providers.csv")
    truth = _truth(seed, scale, providers, pop, codes, group_of_code, mult, solved)
    write_truth(out_dir, truth, sort_keys=True)
    logger.info(
        "mental health demo: %d detentions, %d CTOs written to %s",
        solved["detentions"]["rows"],
        solved["ctos"]["rows"],
        out_dir,
    )
    return truth


def _population_table(pop, codes, providers) -> pa.Table:
    n_p, n_c, n_a, n_s = pop.shape
    p, c, a, s = (x.ravel() for x in np.indices(pop.shape))
    region = np.array([pr["region"] for pr in providers])[p]
    return pa.table(
        {
            "provider_code": pa.array([pr["provider_code"] for pr in providers]).take(pa.array(p)),
            "region_code": pa.array([rc for rc, _ in REGIONS]).take(pa.array(region)),
            "region_name": pa.array([rn for _, rn in REGIONS]).take(pa.array(region)),
            "ethnic_category": pa.array(codes).take(pa.array(c)),
            "age_band": pa.array(list(AGE_BANDS)).take(pa.array(a)),
            "sex": pa.array(["Male", "Female"]).take(pa.array(s)),
            "population": pa.array(pop.ravel().astype(np.int64)),
        }
    )


def _write_providers(providers, path: Path) -> None:
    lines = ["provider_code,provider_name,region_code,region_name,provider_type"]
    for p in providers:
        rc, rn = REGIONS[p["region"]]
        lines.append(f"{p['provider_code']},{p['provider_name']},{rc},{rn},{p['provider_type']}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _usable_share() -> float:
    """Expected share of records with a usable ethnic group, age and sex (rates by group)."""
    not_known = sum(_NOT_KNOWN_FORMS.values())
    ethnic = (1 - not_known) * (1 - _INVALID_RATE)
    return ethnic * (1 - _MISSING_AGE_RATE) * (1 - sum(_SEX_OTHER.values()))


def _truth(seed, scale, providers, pop, codes, group_of_code, mult, solved) -> dict:
    esp = np.array([5000, 5500, 5500, 5500, 6000, 6000, 6500, 7000, 7000, 7000, 7000, 6500])
    esp = np.concatenate([esp, [6000, 5500, 5000, 4000, 2500, 1500, 1000]]).astype(float)
    white = HIGH_LEVEL.index("White")
    measures = {}
    for measure, s in solved.items():
        exp = s["expected"] * scale  # expected events per year (before year factor)
        pop_g = np.array([pop[:, group_of_code == g].sum() for g in range(5)])
        ev_g = np.array([exp[:, group_of_code == g].sum() for g in range(5)])
        crude = ev_g / pop_g * 1e5 * _YEAR_FACTOR.mean()
        # expected DSR (ESP2013, sexes combined within age band), per year average
        dsr = np.zeros(5)
        for g in range(5):
            e_age = exp[:, group_of_code == g].sum(axis=(0, 1, 3))
            p_age = pop[:, group_of_code == g].sum(axis=(0, 1, 3))
            dsr[g] = (esp * e_age / p_age).sum() / esp.sum() * 1e5 * _YEAR_FACTOR.mean()
        # expected age-sex-adjusted ratio marginal over providers (what a model of age, sex and
        # ethnic group estimates): observed / expected at White age-sex-specific rates
        white_rate = exp[:, group_of_code == white].sum(axis=(0, 1)) / pop[
            :, group_of_code == white
        ].sum(axis=(0, 1))
        adjusted = np.array(
            [
                exp[:, group_of_code == g].sum()
                / (pop[:, group_of_code == g].sum(axis=(0, 1)) * white_rate).sum()
                for g in range(5)
            ]
        )
        people_g = ev_g / (1 + s["repeat"])
        # expected indirectly standardised ratio per provider (vs national stratum rates)
        nat_rate = exp.sum(axis=0) / np.maximum(pop.sum(axis=0), 1)
        isr = exp.sum(axis=(1, 2, 3)) / (pop * nat_rate[None]).sum(axis=(1, 2, 3))
        spec = _MEASURES[measure]
        measures[measure] = {
            "rate_per": 100_000,
            "reference_group": "White",
            "planted_age_sex_rate_ratio": {
                g: six_figures(s["rr"][i] / s["rr"][white]) for i, g in enumerate(HIGH_LEVEL)
            },
            "expected_age_sex_rate_ratio": {
                g: six_figures(adjusted[i]) for i, g in enumerate(HIGH_LEVEL)
            },
            "expected_crude_rate": {g: six_figures(crude[i]) for i, g in enumerate(HIGH_LEVEL)},
            "expected_crude_rate_ratio": {
                g: six_figures(crude[i] / crude[white]) for i, g in enumerate(HIGH_LEVEL)
            },
            "expected_dsr_esp2013": {g: six_figures(dsr[i]) for i, g in enumerate(HIGH_LEVEL)},
            "expected_dsr_ratio_esp2013": {
                g: six_figures(dsr[i] / dsr[white]) for i, g in enumerate(HIGH_LEVEL)
            },
            "expected_people_rate_ratio": {
                g: six_figures(people_g[i] / pop_g[i] / (people_g[white] / pop_g[white]))
                for i, g in enumerate(HIGH_LEVEL)
            },
            "repeat_mean_extra_per_person": {
                g: six_figures(v) for g, v in zip(HIGH_LEVEL, s["repeat"], strict=True)
            },
            "age_shape_per_100000": dict(
                zip(AGE_BANDS, map(six_figures, spec["age_shape"]), strict=True)
            ),
            "sex_rate_ratio": {"Male": spec["sex_rr"][0], "Female": spec["sex_rr"][1]},
            "expected_provider_isr": {
                p["provider_code"]: six_figures(isr[i]) for i, p in enumerate(providers)
            },
            "calibration_source": spec["source"],
            "rows": s["rows"],
            "people": s["people"],
            "ethnic_category_recording": s["recording"],
        }
    return {
        "workstream": "mental health",
        "demonstration_data": True,
        "seed": int(seed),
        "scale": six_figures(scale),
        "files": ["detentions.parquet", "ctos.parquet", "population.parquet", "providers.csv"],
        "financial_years": list(FINANCIAL_YEARS),
        "year_factor": dict(zip(FINANCIAL_YEARS, map(six_figures, _YEAR_FACTOR), strict=True)),
        "population": {
            "total": int(pop.sum()),
            "by_group": {
                g: int(pop[:, group_of_code == i].sum()) for i, g in enumerate(HIGH_LEVEL)
            },
            "by_code": {c: int(pop[:, i].sum()) for i, c in enumerate(codes)},
            "source": "Census 2021 TS021 England (Nomis census2021-ts021), by NHS code; regional "
            "and age structures approximate",
        },
        "providers": {
            "count": len(providers),
            "outliers": {k: six_figures(v) for k, v in _OUTLIERS.items()},
            "multipliers": {
                p["provider_code"]: six_figures(mult[i]) for i, p in enumerate(providers)
            },
            "small": sorted(_SMALL_PROVIDERS),
        },
        "measures": measures,
        "expected_share_of_records_usable": six_figures(_usable_share()),
        "recording_rates": {
            "ethnic_not_known": {str(k): v for k, v in _NOT_KNOWN_FORMS.items()},
            "ethnic_invalid_code": _INVALID_RATE,
            "missing_age": _MISSING_AGE_RATE,
            "sex_other": {str(k): v for k, v in _SEX_OTHER.items()},
        },
        "notes": "person_id links detentions of one person within a financial year only",
    }
