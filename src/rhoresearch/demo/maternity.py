"""Demonstration data for workstream 5: maternal and neonatal outcomes (record level).

Writes three Parquet files shaped like a national maternity extract (one row per maternity, one
row per baby) and a surveillance register of deaths (one row per death of a woman during or up to a
year after pregnancy, as MBRRACE-UK collects them), England, calendar years 2016 to 2022, about
600,000 maternities a year as in reality:

``maternities.parquet``
    ``maternity_id`` (int64), ``year`` (int16, year of delivery), ``ethnic_category`` (the
    mother's ethnic category as it arrives: NHS Data Dictionary codes mostly, with lower-case,
    padded and description variants, ``Z``, ``99``, blanks, nulls and a few invalid codes),
    ``age_band`` (``<20``, ``20-24`` ... ``40+``; null when not recorded), ``imd_quintile``
    (int8, 1 = most deprived ... 5 = least deprived; null when the postcode was not valid),
    ``region_code``, ``region_name`` (NHS England region), ``number_of_babies`` (int8),
    ``maternal_death`` (bool: died during pregnancy or within 42 days of its end, direct or
    indirect causes, *as flagged on the maternity record*: deaths in early pregnancy, of
    undelivered women, after miscarriage or termination have no maternity record and are not
    flagged; use ``maternal_deaths.parquet``).
``births.parquet``
    ``birth_id`` (int64), ``maternity_id``, ``birth_order`` (int8), the mother's ``year``,
    ``ethnic_category``, ``age_band``, ``imd_quintile``, ``region_code``, ``region_name`` copied
    from the maternity, ``stillbirth`` (bool: born from 24+0 weeks with no signs of life) and
    ``neonatal_death`` (bool: live born, died before 28 completed days; False for stillbirths).
``maternal_deaths.parquet``
    ``death_id`` (int64), ``maternity_id`` (the maternity record of the pregnancy, null for
    deaths with none: early pregnancy, undelivered women, miscarriage, ectopic pregnancy,
    termination), the mother's ``year`` (year of death), ``ethnic_category``, ``age_band``,
    ``imd_quintile``, ``region_code``, ``region_name``, ``timing`` (``during pregnancy``, ``within
    42 days of end of pregnancy``, ``43 days to one year after end of pregnancy``) and
    ``cause_type`` (``direct``, ``indirect``, ``coincidental``). Maternal mortality (MBRRACE-UK)
    counts the direct and indirect deaths during pregnancy or within 42 days of its end; late and
    coincidental deaths are in the register but outside the rate.

Planted effects (``truth.json``): outcome probabilities are multiplicative in the mother's
high-level ethnic group, age band, deprivation quintile and year (and, for babies, plurality).
Ethnic minority mothers are planted younger and more deprived than White mothers, so crude and
adjusted comparisons differ. The ethnic effects are solved so that the *crude* rates match the
published ones: maternal mortality about 9.2 per 100,000 maternities for White women with crude
ratios Black 3.7, Asian 1.75, Mixed 1.3, Other 0.9 (MBRRACE-UK 2018-20 via ONS SDG 3.1.1), counted
from the deaths register (of which about three in four are flagged on a maternity record);
stillbirth about 3.2 per 1,000 total births for White mothers with Black 2.2 and Asian 1.55 times
(MBRRACE-UK perinatal surveillance); neonatal mortality about 1.35 per 1,000 live births for White
mothers with Black 1.9 and Asian 1.45 times (ONS SDG 3.2.2 orders of magnitude). ``truth.json``
records the planted conditional (adjusted) rate ratios, the expected crude rates and ratios, the
covariate effects, the volumes, the rates of messy and missing codes and the seed. Every value is
demonstration data, not real.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from rhoresearch.demo._ethnicity import CENSUS2021_ENGLAND
from rhoresearch.demo._files import generator_docs, output_folder, write_truth
from rhoresearch.demo._record_level import (
    HIGH_LEVEL,
    INVALID_CODES,
    INVALID_RATE,
    NHS_CODES,
    NOT_KNOWN_FORMS,
    RECORDED_FORMS,
    REGIONS,
    cat_draw,
    codes_of,
    ethnic_strings,
    six_figures,
    write_parquet,
)

__all__ = [
    "YEARS",
    "MATERNITIES_PER_YEAR",
    "TIMINGS",
    "CAUSE_TYPES",
    "AGE_BANDS",
    "IMD_QUINTILES",
    "REGIONS",
    "OUTCOMES",
    "generate",
]

logger = logging.getLogger(__name__)

YEARS = (2016, 2017, 2018, 2019, 2020, 2021, 2022)
#: Maternities in England by year of delivery (rounded, of the order of the published volumes).
MATERNITIES_PER_YEAR = (648_000, 636_000, 619_000, 605_000, 584_000, 597_000, 578_000)
AGE_BANDS = ("<20", "20-24", "25-29", "30-34", "35-39", "40+")
IMD_QUINTILES = (1, 2, 3, 4, 5)
OUTCOMES = ("maternal_death", "stillbirth", "neonatal_death")

# Share of maternities by the mother's high-level group (order of HIGH_LEVEL).
_GROUP_SHARES = np.array([0.735, 0.030, 0.130, 0.060, 0.045])
# P(age band | group): ethnic minority mothers planted younger.
_AGE_DIST = np.array(
    [
        [0.030, 0.120, 0.255, 0.330, 0.210, 0.055],  # White
        [0.070, 0.210, 0.280, 0.250, 0.150, 0.040],  # Mixed
        [0.025, 0.170, 0.340, 0.290, 0.140, 0.035],  # Asian
        [0.040, 0.170, 0.280, 0.280, 0.180, 0.050],  # Black
        [0.020, 0.150, 0.320, 0.310, 0.160, 0.040],  # Other
    ]
)
# P(IMD quintile | group), quintile 1 = most deprived: ethnic minority mothers planted more deprived.
_IMD_DIST = np.array(
    [
        [0.180, 0.190, 0.200, 0.210, 0.220],
        [0.300, 0.250, 0.190, 0.140, 0.120],
        [0.350, 0.260, 0.180, 0.120, 0.090],
        [0.400, 0.280, 0.160, 0.100, 0.060],
        [0.300, 0.250, 0.200, 0.140, 0.110],
    ]
)
# P(region | group), region order of REGIONS.
_REGION_DIST = np.array(
    [
        [0.09, 0.18, 0.11, 0.12, 0.19, 0.16, 0.15],
        [0.30, 0.15, 0.06, 0.10, 0.16, 0.10, 0.13],
        [0.28, 0.11, 0.02, 0.07, 0.24, 0.13, 0.15],
        [0.53, 0.09, 0.03, 0.08, 0.14, 0.05, 0.08],
        [0.38, 0.13, 0.05, 0.09, 0.14, 0.10, 0.11],
    ]
)
_TWIN_SHARE = 0.016  # maternities with two babies

# Planted calibration: White crude rate and crude ratios vs White by group (order HIGH_LEVEL).
_CALIBRATION: dict[str, dict[str, Any]] = {
    "maternal_death": {
        "per": 100_000,
        "white_crude_rate": 9.2,
        "crude_ratio": [1.0, 1.3, 1.75, 3.7, 0.9],
        "age_rr": [1.3, 1.0, 1.0, 1.15, 1.6, 2.8],
        "imd_rr": [2.3, 1.75, 1.4, 1.15, 1.0],
        "year_factor": [0.95, 0.9, 0.95, 1.0, 1.1, 1.2, 1.0],
        "twin_rr": 1.0,
        "source": "ONS SDG 3.1.1 (MBRRACE-UK), England 2018-20: White (inc. not known) 9.23, "
        "Black 33.99, Asian 16.12, Mixed 12.2, Chinese or other 8.22 per 100,000 maternities",
    },
    "stillbirth": {
        "per": 1_000,
        "white_crude_rate": 3.2,
        "crude_ratio": [1.0, 1.2, 1.55, 2.2, 1.3],
        "age_rr": [1.2, 1.05, 1.0, 1.0, 1.2, 1.6],
        "imd_rr": [1.7, 1.45, 1.25, 1.1, 1.0],
        "year_factor": [1.08, 1.05, 1.02, 0.99, 0.95, 0.96, 0.95],
        "twin_rr": 2.5,
        "source": "MBRRACE-UK perinatal mortality surveillance: about 3.3-3.9 stillbirths per "
        "1,000 total births in 2016-22, Black babies about twice and Asian about 1.5 times White",
    },
    "neonatal_death": {
        "per": 1_000,
        "white_crude_rate": 1.35,
        "crude_ratio": [1.0, 1.05, 1.45, 1.9, 1.15],
        "age_rr": [1.4, 1.1, 1.0, 1.0, 1.1, 1.4],
        "imd_rr": [1.6, 1.4, 1.2, 1.1, 1.0],
        "year_factor": [1.05, 1.04, 1.02, 0.99, 0.96, 0.97, 0.97],
        "twin_rr": 4.0,
        "source": "ONS SDG 3.2.2 (neonatal deaths per 1,000 live births by baby's ethnicity, "
        "England and Wales 2018-20: White British 2.1-2.3, Black African 4.0-4.7, Pakistani "
        "3.2-4.8) and MBRRACE-UK (about 1.5-1.7 overall)",
    },
}

_MISSING_AGE_RATE = 0.003
_MISSING_IMD_RATE = 0.006

#: The deaths register (``maternal_deaths.parquet``): timings and cause types as MBRRACE-UK
#: classifies them, and the planted shares. Of the maternal deaths (direct or indirect, during
#: pregnancy or within 42 days of its end) about three in four are on a maternity record (a birth
#: from 24 weeks); the rest died in early pregnancy, undelivered, or after a miscarriage, ectopic
#: pregnancy or termination (MBRRACE-UK 2019-21: 26% of the women were still pregnant when they
#: died). Late deaths (43 days to a year) and coincidental deaths are recorded but are outside the
#: maternal mortality rate.
TIMINGS = (
    "during pregnancy",
    "within 42 days of end of pregnancy",
    "43 days to one year after end of pregnancy",
)
CAUSE_TYPES = ("direct", "indirect", "coincidental")
_DEATHS: dict[str, float] = {
    "share_on_maternity_record": 0.77,
    "during_pregnancy_share_on_record": 0.10,
    "during_pregnancy_share_off_record": 0.75,
    "direct_share": 0.45,
    "late_per_maternal_death": 0.9,
    "coincidental_per_maternal_death": 0.2,
    "coincidental_during_pregnancy_share": 0.3,
}
#: Second stream of the generator (the deaths register), so that the other files do not depend on it.
_DEATHS_STREAM = 19


def _solve(outcome: str, volumes: np.ndarray) -> dict:
    """Planted baseline and conditional ethnic rate ratios that give the calibrated crude rates."""
    cal = _CALIBRATION[outcome]
    age_rr = np.array(cal["age_rr"])
    imd_rr = np.array(cal["imd_rr"])
    year = np.array(cal["year_factor"])
    year_mean = float((year * volumes).sum() / volumes.sum())
    # mean plurality factor per baby (births) or per maternity
    if outcome == "maternal_death":
        twin_mean = 1.0
    else:
        twin_mean = ((1 - _TWIN_SHARE) + 2 * _TWIN_SHARE * cal["twin_rr"]) / (1 + _TWIN_SHARE)
    mix = (_AGE_DIST @ age_rr) * (_IMD_DIST @ imd_rr)  # E[age rr] E[imd rr] per group
    white = HIGH_LEVEL.index("White")
    base = cal["white_crude_rate"] / cal["per"] / (mix[white] * year_mean * twin_mean)
    crude_ratio = np.array(cal["crude_ratio"])
    adjusted = crude_ratio * mix[white] / mix
    crude_rate = base * adjusted * mix * year_mean * twin_mean * cal["per"]
    return {
        "base": base,
        "adjusted_rr": adjusted,
        "crude_rate": crude_rate,
        "crude_ratio": crude_ratio,
        "age_rr": age_rr,
        "imd_rr": imd_rr,
        "year_factor": year,
    }


def _mask(rng: np.random.Generator, values: np.ndarray, rate: float) -> np.ndarray:
    """Boolean mask of values to blank out at ``rate``."""
    return rng.random(values.size) < rate


@generator_docs
def generate(out_dir: Path, *, seed: int, scale: float = 1.0) -> dict:
    """Write the maternities, births and maternal deaths files and ``truth.json``; return the truth.

    The truth holds the planted effects, the expected crude rates, the volumes, the rates of
    messy codes and the seed.

    {parameters}
    scale : float, default 1.0
        Multiplier of the yearly volumes (tests use a small value).

    {returns}

    Notes
    -----
    For each maternity the mother's high-level ethnic group is drawn with fixed shares, then the
    detailed NHS code (Census 2021 shares within the group), age band, deprivation quintile and
    region given the group; the maternal death probability is
    ``base * rr_group * rr_age * rr_imd * year_factor``; each baby's stillbirth and neonatal death
    probabilities multiply in a plurality factor too. The deaths register holds the flagged
    maternities' deaths and further deaths drawn per maternity in proportion to its maternal death
    probability (not on a maternity record; late; coincidental). Not-known and invalid ethnicity codes,
    missing age bands and deprivation quintiles are masked afterwards, at random.
    """
    out_dir = output_folder(out_dir)
    rng = np.random.default_rng(seed)
    volumes = np.array([max(1, round(v * scale)) for v in MATERNITIES_PER_YEAR])
    n = int(volumes.sum())
    year_idx = np.repeat(np.arange(len(YEARS), dtype=np.int8), volumes)
    group = cat_draw(rng, _GROUP_SHARES[None, :], np.zeros(n, dtype=np.int8))
    # detailed NHS code within group, in Census 2021 shares
    nhs = list(NHS_CODES)
    within = np.zeros((len(HIGH_LEVEL), 4))
    code_of = np.zeros((len(HIGH_LEVEL), 4), dtype=np.int32)
    for g, name in enumerate(HIGH_LEVEL):
        cs = codes_of(name)
        counts = np.array([CENSUS2021_ENGLAND[c] for c in cs], dtype=float)
        within[g, : len(cs)] = counts / counts.sum()
        code_of[g, : len(cs)] = [nhs.index(c) for c in cs]
    sub = cat_draw(rng, within, group)
    code = code_of[group, sub]
    age = cat_draw(rng, _AGE_DIST, group)
    imd = cat_draw(rng, _IMD_DIST, group)
    region = cat_draw(rng, _REGION_DIST, group)
    twins = rng.random(n) < _TWIN_SHARE

    solved = {o: _solve(o, volumes) for o in OUTCOMES}

    def prob(outcome: str, g, a, q, y, twin=None):
        s = solved[outcome]
        p = s["base"] * s["adjusted_rr"][g] * s["age_rr"][a] * s["imd_rr"][q] * s["year_factor"][y]
        if twin is not None:
            p = p * np.where(twin, _CALIBRATION[outcome]["twin_rr"], 1.0)
        return p

    p_maternal = prob("maternal_death", group, age, imd, year_idx)
    # the flag on the maternity record: the share of maternal deaths with a maternity record
    maternal_death = rng.random(n) < p_maternal * _DEATHS["share_on_maternity_record"]

    # babies
    n_babies = 1 + twins.astype(np.int8)
    mat_of_birth = np.repeat(np.arange(n), n_babies)
    nb = mat_of_birth.size
    birth_order = np.ones(nb, dtype=np.int8)
    birth_order[1:][mat_of_birth[1:] == mat_of_birth[:-1]] = 2
    bg, ba, bq, by = (
        group[mat_of_birth],
        age[mat_of_birth],
        imd[mat_of_birth],
        year_idx[mat_of_birth],
    )
    btwin = twins[mat_of_birth]
    stillbirth = rng.random(nb) < prob("stillbirth", bg, ba, bq, by, btwin)
    neonatal_death = ~stillbirth & (rng.random(nb) < prob("neonatal_death", bg, ba, bq, by, btwin))

    # recording as in a real extract
    ethnic, ethnic_counts = ethnic_strings(rng, code)
    age_missing = _mask(rng, age, _MISSING_AGE_RATE)
    imd_missing = _mask(rng, imd, _MISSING_IMD_RATE)
    age_arr = pa.array(np.array(AGE_BANDS)[age]).cast(pa.string())
    age_arr = pc.if_else(pa.array(age_missing), pa.scalar(None, pa.string()), age_arr)
    imd_arr = pa.array((imd + 1).astype(np.int8), mask=imd_missing, type=pa.int8())
    region_codes = pa.array([c for c, _ in REGIONS], type=pa.string()).take(pa.array(region))
    region_names = pa.array([r for _, r in REGIONS], type=pa.string()).take(pa.array(region))
    years = np.array(YEARS, dtype=np.int16)[year_idx]

    maternities = pa.table(
        {
            "maternity_id": pa.array(np.arange(1, n + 1, dtype=np.int64)),
            "year": pa.array(years),
            "ethnic_category": ethnic,
            "age_band": age_arr,
            "imd_quintile": imd_arr,
            "region_code": region_codes,
            "region_name": region_names,
            "number_of_babies": pa.array(n_babies),
            "maternal_death": pa.array(maternal_death),
        }
    )
    take = pa.array(mat_of_birth)
    births = pa.table(
        {
            "birth_id": pa.array(np.arange(1, nb + 1, dtype=np.int64)),
            "maternity_id": maternities["maternity_id"].take(take),
            "birth_order": pa.array(birth_order),
            "year": maternities["year"].take(take),
            "ethnic_category": maternities["ethnic_category"].take(take),
            "age_band": maternities["age_band"].take(take),
            "imd_quintile": maternities["imd_quintile"].take(take),
            "region_code": maternities["region_code"].take(take),
            "region_name": maternities["region_name"].take(take),
            "stillbirth": pa.array(stillbirth),
            "neonatal_death": pa.array(neonatal_death),
        }
    )
    deaths, death_counts = _deaths_register(
        np.random.default_rng([seed, _DEATHS_STREAM]), maternities, p_maternal, maternal_death
    )
    write_parquet(maternities, out_dir / "maternities.parquet")
    write_parquet(births, out_dir / "births.parquet")
    write_parquet(deaths, out_dir / "maternal_deaths.parquet")

    truth = _truth(
        seed=seed,
        scale=scale,
        volumes=volumes,
        n_births=nb,
        solved=solved,
        ethnic_counts=ethnic_counts,
        n=n,
        observed={
            **death_counts,
            "maternal_deaths_on_maternity_records": int(maternal_death.sum()),
            "stillbirths": int(stillbirth.sum()),
            "neonatal_deaths": int(neonatal_death.sum()),
            "twin_maternities": int(twins.sum()),
            "missing_age_band": int(age_missing.sum()),
            "missing_imd_quintile": int(imd_missing.sum()),
        },
    )
    write_truth(out_dir, truth, sort_keys=True)
    logger.info(
        "maternity demo: %d maternities, %d births, %d maternal deaths written to %s",
        n,
        nb,
        truth["observed"]["maternal_deaths"],
        out_dir,
    )
    return truth


def _deaths_register(
    rng: np.random.Generator, maternities: pa.Table, p_maternal: np.ndarray, flagged: np.ndarray
) -> tuple[pa.Table, dict[str, int]]:
    """One row per death in pregnancy or up to a year after (MBRRACE-UK surveillance).

    Deaths on a maternity record are the flagged maternities; the others are drawn per maternity
    with probabilities proportional to its maternal death probability ``p_maternal``, and take
    that mother's recorded characteristics (a woman of the same group, age, deprivation, region
    and year whose pregnancy has no maternity record, or a late or coincidental death).
    """
    n = len(p_maternal)
    d = _DEATHS
    off_record = rng.random(n) < p_maternal * (1 - d["share_on_maternity_record"])
    late = ~flagged & (rng.random(n) < p_maternal * d["late_per_maternal_death"])
    coincidental = ~flagged & ~late
    coincidental &= rng.random(n) < p_maternal * d["coincidental_per_maternal_death"]
    kinds = [  # (which maternities, share dying during pregnancy or None: late, maternal?, linked)
        (flagged, d["during_pregnancy_share_on_record"], True, True),
        (off_record, d["during_pregnancy_share_off_record"], True, False),
        (late, None, True, True),
        (coincidental, d["coincidental_during_pregnancy_share"], False, True),
    ]
    rows, timing, cause, linked = [], [], [], []
    for which, during, maternal_cause, link in kinds:
        idx = np.flatnonzero(which)
        u = rng.random(idx.size)
        rows.append(idx)
        timing.append(np.full(idx.size, 2) if during is None else np.where(u < during, 0, 1))
        if maternal_cause:
            cause.append(np.where(rng.random(idx.size) < d["direct_share"], 0, 1))
        else:
            cause.append(np.full(idx.size, 2))
        linked.append(np.full(idx.size, link))
    take = np.concatenate(rows)
    order = np.lexsort((take, maternities["year"].to_numpy()[take]))
    take = take[order]
    timing_i, cause_i = np.concatenate(timing)[order], np.concatenate(cause)[order]
    link_i = np.concatenate(linked)[order]
    idx = pa.array(take)
    table = pa.table(
        {
            "death_id": pa.array(np.arange(1, take.size + 1, dtype=np.int64)),
            "maternity_id": pa.array(
                maternities["maternity_id"].to_numpy()[take], mask=~link_i, type=pa.int64()
            ),
            **{
                col: maternities[col].take(idx)
                for col in (
                    "year",
                    "ethnic_category",
                    "age_band",
                    "imd_quintile",
                    "region_code",
                    "region_name",
                )
            },
            "timing": pa.array(np.array(TIMINGS)[timing_i]).cast(pa.string()),
            "cause_type": pa.array(np.array(CAUSE_TYPES)[cause_i]).cast(pa.string()),
        }
    )
    maternal = (timing_i < 2) & (cause_i < 2)
    counts = {
        "maternal_deaths": int(maternal.sum()),
        "maternal_deaths_not_on_a_maternity_record": int((maternal & ~link_i).sum()),
        "maternal_deaths_during_pregnancy": int((maternal & (timing_i == 0)).sum()),
        "maternal_deaths_direct": int((maternal & (cause_i == 0)).sum()),
        "late_deaths": int((timing_i == 2).sum()),
        "coincidental_deaths": int((cause_i == 2).sum()),
    }
    return table, counts


def _truth(*, seed, scale, volumes, n_births, solved, ethnic_counts, n, observed) -> dict:
    white = HIGH_LEVEL.index("White")
    outcomes = {}
    for outcome, s in solved.items():
        cal = _CALIBRATION[outcome]
        outcomes[outcome] = {
            "rate_per": cal["per"],
            "denominator": {
                "maternal_death": "maternities",
                "stillbirth": "total births (live and still)",
                "neonatal_death": "live births",
            }[outcome],
            "reference_group": "White",
            "adjusted_rate_ratio": {
                g: six_figures(s["adjusted_rr"][i] / s["adjusted_rr"][white])
                for i, g in enumerate(HIGH_LEVEL)
            },
            "expected_crude_rate": {
                g: six_figures(s["crude_rate"][i]) for i, g in enumerate(HIGH_LEVEL)
            },
            "expected_crude_rate_ratio": {
                g: six_figures(s["crude_ratio"][i]) for i, g in enumerate(HIGH_LEVEL)
            },
            "age_band_rate_ratio": {
                a: six_figures(v) for a, v in zip(AGE_BANDS, s["age_rr"], strict=True)
            },
            "age_band_reference": "25-29",
            "imd_quintile_rate_ratio": {
                str(q): six_figures(v) for q, v in zip(IMD_QUINTILES, s["imd_rr"], strict=True)
            },
            "imd_quintile_reference": "5",
            "year_factor": {
                str(y): six_figures(v) for y, v in zip(YEARS, s["year_factor"], strict=True)
            },
            "plurality_rate_ratio_twins": six_figures(cal["twin_rr"]),
            "baseline_probability": six_figures(s["base"]),
            "calibration_source": cal["source"],
        }
    return {
        "workstream": "maternal and neonatal outcomes",
        "demonstration_data": True,
        "seed": int(seed),
        "scale": six_figures(scale),
        "files": ["maternities.parquet", "births.parquet", "maternal_deaths.parquet"],
        "maternal_deaths_register": {
            "definition": "maternal death (MBRRACE-UK): a death from direct or indirect causes "
            "during pregnancy or within 42 days of its end, per 100,000 maternities; late (43 "
            "days to one year) and coincidental deaths are in the register, outside the rate",
            "timings": list(TIMINGS),
            "cause_types": list(CAUSE_TYPES),
            "planted": {k: six_figures(v) for k, v in _DEATHS.items()},
            "note": "expected_crude_rate of maternal_death counts the register's maternal "
            "deaths; the flags on maternity records carry share_on_maternity_record of them",
        },
        "years": list(YEARS),
        "volumes": {
            "maternities": n,
            "births": int(n_births),
            "maternities_by_year": {str(y): int(v) for y, v in zip(YEARS, volumes, strict=True)},
        },
        "group_shares": {g: six_figures(v) for g, v in zip(HIGH_LEVEL, _GROUP_SHARES, strict=True)},
        "age_band_distribution": {
            g: dict(zip(AGE_BANDS, map(six_figures, _AGE_DIST[i]), strict=True))
            for i, g in enumerate(HIGH_LEVEL)
        },
        "imd_quintile_distribution": {
            g: dict(zip(map(str, IMD_QUINTILES), map(six_figures, _IMD_DIST[i]), strict=True))
            for i, g in enumerate(HIGH_LEVEL)
        },
        "outcomes": outcomes,
        "ethnic_category_recording": {
            "counts": ethnic_counts,
            "planted_rates": {
                "Z": NOT_KNOWN_FORMS["Z"],
                "99": NOT_KNOWN_FORMS["99"],
                "blank": NOT_KNOWN_FORMS[""],
                "null": NOT_KNOWN_FORMS[None],
                "invalid_code": INVALID_RATE,
                "invalid_codes": list(INVALID_CODES),
                "recorded_forms": dict(
                    zip(
                        ("bare_code", "lower_case", "padded", "description"),
                        map(six_figures, RECORDED_FORMS),
                        strict=True,
                    )
                ),
            },
            "note": "masking is at random (independent of outcomes), so excluding not-known "
            "ethnicity does not bias the rates",
        },
        "missing_rates": {"age_band": _MISSING_AGE_RATE, "imd_quintile": _MISSING_IMD_RATE},
        "observed": observed,
    }
