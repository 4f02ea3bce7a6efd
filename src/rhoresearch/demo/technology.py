"""Demonstration data for workstream 4 (technology and innovation): device and algorithm audits.

Four files are written to ``data/demo/technology/``:

``oximetry.csv``
    Paired readings, one row per arterial blood gas with a pulse oximetry reading taken alongside
    it (``patient_id``, ``reading_number``, ``ethnic_category`` as recorded, ``age``, ``sex``,
    ``setting`` ICU / ED / Ward, ``spo2`` whole %, ``sao2`` % to one decimal), several per patient.
    The arterial saturation (SaO2) is drawn from ``100 - Gamma(2.5, 3.6)`` (mean 91%, a sick
    population in whom blood gases are taken), independently of ethnic group, age, sex and setting.
    The oximeter reads ``SpO2 = SaO2 + bias``, rounded and capped at 100, where
    ``bias = mu_g + slope_g * (91 - SaO2) + u_patient + e_reading``: a group-specific mean bias
    ``mu_g``, a proportional part that grows as saturation falls (steeper for Black patients, as
    published studies describe), a patient random effect ``u ~ N(0, sd_between_g)`` and a
    reading error ``e ~ N(0, sd_within_g)``. The parameters (:data:`OXIMETRY_BIAS`) were tuned so
    that occult hypoxaemia (SaO2 < 88% while SpO2 >= 92%) occurs in about 11.7% of Black and 3.6%
    of White patients' pairs with SpO2 >= 92%, the Michigan figures of Sjoding et al. (NEJM 2020),
    with a mean bias near +1.5 points for Black and +0.3 for White patients. 0.5% of oximetry
    readings are missing (signal failure), to be excluded and counted.
``risk_score.csv``
    One row per admission scored by a clinical risk model (``admission_id``, ``ethnic_category``,
    ``age``, ``sex``, ``predicted_risk`` of deterioration within 30 days, ``outcome`` 0/1). The
    outcome follows ``logit P(y=1) = a_g + b_g * logit(predicted_risk)``: calibrated (a = 0, b = 1)
    for every group except Black patients, for whom the model under-predicts (a = 0.35, b = 0.85).
``sickle_cell_admissions.csv`` and ``population.csv``
    Hospital admissions with a primary diagnosis of sickle cell disease by financial year
    (2018/19 to 2023/24), NHS England region and ethnic category code (including Z not stated and 99
    not known, which have no population), and the population of each code and region (Census 2021,
    England, held fixed over the years; regional split approximate). Rates per 100,000 are planted
    per code (:data:`SICKLE_CELL_RATES`), growing 3% a year with a dip in 2020/21: sickle cell
    disease is mostly a condition of Black African, Black Caribbean and mixed White and Black
    people.
``sickle_cell_patients.csv``
    People living with sickle cell disease in England by ethnic category code in 2023/24 (a register
    snapshot, ``financial_year``, ``ethnic_category``, ``people``): the denominator for admissions
    per person with the condition. Planted: the same admissions per person in every group
    (:data:`ADMISSIONS_PER_PATIENT`), so the inequality per head of population is prevalence.

``truth.json`` holds the planted parameters and the population values they imply (computed by a
large simulation from the same generator with its own fixed stream): the expected mean bias, SD,
95% limits of agreement and occult hypoxaemia percentage per group, the odds ratio of occult
hypoxaemia against White, the risk model's calibration per group, and the expected sickle cell rates.

References
----------
Sjoding MW, Dickson RP, Iwashyna TJ, Gay SE, Valley TS. Racial bias in pulse oximetry measurement.
N Engl J Med 2020;383:2477-8.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd

from rhoresearch.demo._ethnicity import (
    CENSUS2021_ENGLAND,
    HIGH_LEVEL,
    NHS_CODES,
    REGIONS,
    codes_of,
    draw_codes,
    messy,
)
from rhoresearch.demo._files import generator_docs, output_folder, write_csv, write_truth

__all__ = [
    "OXIMETRY_BIAS",
    "RISK_MISCALIBRATION",
    "SICKLE_CELL_RATES",
    "ADMISSIONS_PER_PATIENT",
    "generate",
    "make_oximetry",
    "make_risk_score",
    "make_sickle_cell",
    "make_sickle_cell_patients",
]

logger = logging.getLogger(__name__)

#: (mean bias, proportional slope, SD between patients, SD within patient) per high-level group.
OXIMETRY_BIAS: dict[str, tuple[float, float, float, float]] = {
    "White": (0.30, 0.43, 1.3, 2.2),
    "Mixed": (0.90, 0.50, 1.5, 2.5),
    "Asian": (0.80, 0.50, 1.5, 2.5),
    "Black": (1.50, 0.62, 1.7, 2.8),
    "Other": (0.60, 0.47, 1.4, 2.4),
}
_SAO2_GAMMA = (2.5, 3.6)
_SAO2_CENTRE = 100 - _SAO2_GAMMA[0] * _SAO2_GAMMA[1]
_HOSPITAL_MIX = {"White": 0.74, "Mixed": 0.03, "Asian": 0.10, "Black": 0.09, "Other": 0.04}
_SETTINGS = {"ICU": (0.35, 3.0), "ED": (0.30, 0.6), "Ward": (0.35, 1.2)}  # share, extra readings

#: Recalibration model per group: logit P(y=1) = a + b * logit(predicted risk).
RISK_MISCALIBRATION: dict[str, tuple[float, float]] = {
    "White": (0.0, 1.0),
    "Mixed": (0.0, 1.0),
    "Asian": (0.0, 1.0),
    "Black": (0.30, 0.75),
    "Other": (0.0, 1.0),
}
_RISK_LP = (-2.3, 1.1)

#: Planted admissions per 100,000 population per year in 2018/19, by NHS ethnic category code.
SICKLE_CELL_RATES: dict[str, float] = {
    "A": 0.9,
    "B": 1.5,
    "C": 4.0,
    "D": 330.0,
    "E": 380.0,
    "F": 6.0,
    "G": 45.0,
    "H": 8.0,
    "J": 6.0,
    "K": 3.0,
    "L": 15.0,
    "M": 880.0,
    "N": 1050.0,
    "P": 620.0,
    "R": 2.0,
    "S": 35.0,
}
_YEARS = ["2018/19", "2019/20", "2020/21", "2021/22", "2022/23", "2023/24"]
_GROWTH = 1.03
_COVID_FACTOR = {"2020/21": 0.88}
_NOT_STATED_ADMISSIONS = 0.04
_NOT_KNOWN_ADMISSIONS = 0.01
#: Planted admissions per person living with sickle cell disease per year (the same in every
#: group: the demo's people with the condition are its expected admissions divided by this, so a
#: ratio per person is about 1 while the ratio per head of population is in the hundreds).
ADMISSIONS_PER_PATIENT = 1.8
#: The financial year of the register of people living with sickle cell disease.
_PATIENTS_YEAR = "2023/24"
# approximate regional split of each code's population (London, SE, SW, East, Midlands, NEY, NW)
_REGION_PROFILES = {
    "black": [0.55, 0.08, 0.03, 0.07, 0.14, 0.05, 0.08],
    "asian": [0.35, 0.08, 0.02, 0.06, 0.24, 0.12, 0.13],
    "white_british": [0.08, 0.18, 0.12, 0.12, 0.19, 0.16, 0.15],
    "other": [0.35, 0.15, 0.07, 0.10, 0.13, 0.09, 0.11],
}
_CODE_PROFILE = {
    "A": "white_british",
    "B": "other",
    "C": "other",
    "D": "black",
    "E": "black",
    "F": "asian",
    "G": "other",
    "H": "asian",
    "J": "asian",
    "K": "asian",
    "L": "asian",
    "M": "black",
    "N": "black",
    "P": "black",
    "R": "other",
    "S": "other",
}


def _expit(x):
    return 1.0 / (1.0 + np.exp(-x))


def _spo2(rng, sao2, groups, u):
    # each group's (mean bias, slope, sd between, sd within), looked up once per distinct group
    names, where = np.unique(groups, return_inverse=True)
    bias_of = np.array([OXIMETRY_BIAS[g] for g in names], dtype=float)[where]
    mu, slope, sd_w = bias_of[:, 0], bias_of[:, 1], bias_of[:, 3]
    bias = mu + slope * (_SAO2_CENTRE - sao2) + u + rng.normal(0.0, 1.0, len(sao2)) * sd_w
    return np.clip(np.round(sao2 + bias), 50, 100)


def _sao2(rng, n):
    return np.round(np.clip(100 - rng.gamma(_SAO2_GAMMA[0], _SAO2_GAMMA[1], n), 60, 100), 1)


def make_oximetry(rng: np.random.Generator, *, patients: int = 7_500) -> tuple[pd.DataFrame, dict]:
    """Draw the paired oximetry / blood gas readings (see the module docstring).

    Returns the table as written to ``oximetry.csv`` and counts for the truth file.
    """
    groups = rng.choice(list(_HOSPITAL_MIX), size=patients, p=list(_HOSPITAL_MIX.values()))
    setting = rng.choice(list(_SETTINGS), size=patients, p=[v[0] for v in _SETTINGS.values()])
    extra = np.array([_SETTINGS[s][1] for s in setting])
    n_readings = np.minimum(1 + rng.poisson(extra), 12)
    age = np.clip(
        np.round(np.where(groups == "White", 64.0, 55.0) + rng.normal(0, 16, patients)), 18, 99
    ).astype(int)
    sex = np.where(rng.random(patients) < 0.44, "Female", "Male")
    codes = draw_codes(rng, groups)
    raw, eth_counts = messy(rng, codes, not_stated=0.04, not_known=0.015)
    u = rng.normal(0.0, 1.0, patients) * np.array([OXIMETRY_BIAS[g][2] for g in groups])

    idx = np.repeat(np.arange(patients), n_readings)
    reading_number = np.concatenate([np.arange(1, k + 1) for k in n_readings])
    sao2 = _sao2(rng, len(idx))
    spo2 = _spo2(rng, sao2, groups[idx], u[idx])
    missing = rng.random(len(idx)) < 0.005
    spo2_col = pd.array(np.where(missing, np.nan, spo2), dtype="Int64")
    data = pd.DataFrame(
        {
            "patient_id": [f"P{i:06d}" for i in idx + 1],
            "reading_number": reading_number,
            "ethnic_category": raw[idx],
            "age": age[idx],
            "sex": sex[idx],
            "setting": setting[idx],
            "spo2": spo2_col,
            "sao2": sao2,
        }
    )
    facts = {
        "patients": int(patients),
        "pairs": int(len(data)),
        "missing_spo2": int(missing.sum()),
        "ethnicity_values_per_patient": eth_counts,
    }
    return data, facts


def _oximetry_expected(rng: np.random.Generator, n: int = 1_000_000) -> dict:
    """Population values of the oximetry generator per group, by simulation."""
    out = {}
    for g in HIGH_LEVEL:
        sao2 = _sao2(rng, n)
        u = rng.normal(0.0, OXIMETRY_BIAS[g][2], n)
        spo2 = _spo2(rng, sao2, np.full(n, g), u)
        d = spo2 - sao2
        at_risk = spo2 >= 92
        occult = float(np.mean(sao2[at_risk] < 88))
        sd = float(d.std(ddof=1))
        out[g] = {
            "mean_bias": round(float(d.mean()), 3),
            "sd_difference": round(sd, 3),
            "loa_lower": round(float(d.mean()) - 1.96 * sd, 3),
            "loa_upper": round(float(d.mean()) + 1.96 * sd, 3),
            "arms": round(float(np.sqrt(np.mean(d**2))), 3),
            "occult_hypoxaemia_percent": round(100 * occult, 3),
        }
    ref = out["White"]["occult_hypoxaemia_percent"] / 100
    for g in HIGH_LEVEL:
        p = out[g]["occult_hypoxaemia_percent"] / 100
        out[g]["occult_hypoxaemia_odds_ratio"] = round((p / (1 - p)) / (ref / (1 - ref)), 3)
    return out


def make_risk_score(
    rng: np.random.Generator, *, admissions: int = 24_000
) -> tuple[pd.DataFrame, dict]:
    """Draw the risk model's predictions and outcomes (see the module docstring)."""
    groups = rng.choice(list(_HOSPITAL_MIX), size=admissions, p=list(_HOSPITAL_MIX.values()))
    codes = draw_codes(rng, groups)
    raw, eth_counts = messy(rng, codes, not_stated=0.05, not_known=0.015)
    lp = rng.normal(_RISK_LP[0], _RISK_LP[1], admissions)
    predicted = np.round(_expit(lp), 4)
    predicted = np.clip(predicted, 0.0001, 0.9999)
    lp = np.log(predicted / (1 - predicted))
    a = np.array([RISK_MISCALIBRATION[g][0] for g in groups])
    b = np.array([RISK_MISCALIBRATION[g][1] for g in groups])
    outcome = (rng.random(admissions) < _expit(a + b * lp)).astype(int)
    age = np.clip(
        np.round(np.where(groups == "White", 66.0, 57.0) + rng.normal(0, 17, admissions)), 18, 99
    ).astype(int)
    data = pd.DataFrame(
        {
            "admission_id": [f"A{i:06d}" for i in range(1, admissions + 1)],
            "ethnic_category": raw,
            "age": age,
            "sex": np.where(rng.random(admissions) < 0.5, "Female", "Male"),
            "predicted_risk": predicted,
            "outcome": outcome,
        }
    )
    return data, {"admissions": int(admissions), "ethnicity_values": eth_counts}


def _risk_expected(rng: np.random.Generator, *, threshold: float = 0.2, n: int = 1_000_000) -> dict:
    """Population calibration, TPR/FPR at ``threshold`` and AUC per group, by simulation."""
    out = {}
    for g in HIGH_LEVEL:
        a, b = RISK_MISCALIBRATION[g]
        lp = rng.normal(_RISK_LP[0], _RISK_LP[1], n)
        p_true = _expit(a + b * lp)
        pred = _expit(lp)
        # calibration-in-the-large: c solving E[expit(c + lp)] = E[p_true] (Newton steps)
        c = 0.0
        target = p_true.mean()
        for _ in range(50):
            q = _expit(c + lp)
            c -= (q.mean() - target) / (q * (1 - q)).mean()
        y = rng.random(n) < p_true
        pos = pred >= threshold
        order = np.argsort(pred, kind="stable")
        ranks = np.empty(n)
        ranks[order] = np.arange(1, n + 1)
        n1 = y.sum()
        auc = (ranks[y].sum() - n1 * (n1 + 1) / 2) / (n1 * (n - n1))
        out[g] = {
            "calibration_intercept": a,
            "calibration_slope": b,
            "calibration_in_the_large": round(float(c), 3),
            "observed_expected_ratio": round(float(target / pred.mean()), 3),
            "tpr": round(float(pos[y].mean()), 3),
            "fpr": round(float(pos[~y].mean()), 3),
            "auc": round(float(auc), 3),
        }
    return out


def make_sickle_cell(rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """Draw sickle cell admissions by year, region and code, and the population table."""
    pop_rows = []
    for code in NHS_CODES:
        shares = np.asarray(_REGION_PROFILES[_CODE_PROFILE[code]])
        shares = shares / shares.sum()
        for region, share in zip(REGIONS, shares, strict=True):
            pop_rows.append((region, code, int(round(CENSUS2021_ENGLAND[code] * share))))
    population = pd.DataFrame(pop_rows, columns=["region", "ethnic_category", "population"])
    rows = []
    for y, year in enumerate(_YEARS):
        factor = _GROWTH**y * _COVID_FACTOR.get(year, 1.0)
        for region, code, pop in pop_rows:
            expected = SICKLE_CELL_RATES[code] / 100_000 * pop * factor
            rows.append((year, region, code, int(rng.poisson(expected))))
        for region in REGIONS:
            total = sum(r[3] for r in rows if r[0] == year and r[1] == region)
            rows.append((year, region, "Z", int(rng.poisson(total * _NOT_STATED_ADMISSIONS))))
            rows.append((year, region, "99", int(rng.poisson(total * _NOT_KNOWN_ADMISSIONS))))
    admissions = pd.DataFrame(
        rows, columns=["financial_year", "region", "ethnic_category", "admissions"]
    )
    expected_rates: dict[str, dict[str, float]] = {}
    for y, year in enumerate(_YEARS):
        factor = _GROWTH**y * _COVID_FACTOR.get(year, 1.0)
        expected_rates[year] = {}
        for g in HIGH_LEVEL:
            codes = codes_of(g)
            pop = sum(CENSUS2021_ENGLAND[c] for c in codes)
            count = sum(SICKLE_CELL_RATES[c] * CENSUS2021_ENGLAND[c] for c in codes) * factor
            expected_rates[year][g] = round(count / pop, 3)
    first = expected_rates[_YEARS[0]]
    ratio = {g: round(first[g] / first["White"], 2) for g in HIGH_LEVEL}
    return (
        admissions,
        population,
        {"expected_rate_per_100000": expected_rates, "rate_ratio_vs_white": ratio},
    )


def make_sickle_cell_patients() -> pd.DataFrame:
    """People living with sickle cell disease in England by ethnic code (a register snapshot).

    Deterministic: each code's expected admissions in :data:`_PATIENTS_YEAR` divided by
    :data:`ADMISSIONS_PER_PATIENT`, rounded (about 18,000 people, the size of the National
    Haemoglobinopathy Register's count for England). Columns ``financial_year``,
    ``ethnic_category``, ``people``.
    """
    y = _YEARS.index(_PATIENTS_YEAR)
    factor = _GROWTH**y * _COVID_FACTOR.get(_PATIENTS_YEAR, 1.0)
    rows = [
        (
            _PATIENTS_YEAR,
            code,
            max(
                1,
                round(
                    SICKLE_CELL_RATES[code]
                    / 100_000
                    * CENSUS2021_ENGLAND[code]
                    * factor
                    / ADMISSIONS_PER_PATIENT
                ),
            ),
        )
        for code in NHS_CODES
    ]
    return pd.DataFrame(rows, columns=["financial_year", "ethnic_category", "people"])


@generator_docs
def generate(out_dir: Path, *, seed: int) -> dict:
    """Write the five technology files and ``truth.json`` into ``out_dir``; return the truth.

    The truth holds the planted parameters and the population values they imply (see the module
    docstring): ``oximetry`` (per group: ``mean_bias``, ``sd_difference``, ``loa_lower``,
    ``loa_upper``, ``arms``, ``occult_hypoxaemia_percent``, ``occult_hypoxaemia_odds_ratio``
    against White), ``risk_score`` (per group: planted calibration intercept and slope,
    calibration-in-the-large, observed/expected ratio, TPR and FPR at 0.2, AUC), ``sickle_cell``
    (expected rates per 100,000 by year and high-level group; rate ratios against White; the
    planted admissions per person living with the condition, the same in every group).

    {parameters}

    {returns}
    """
    out_dir = output_folder(out_dir)
    streams = np.random.SeedSequence(seed).spawn(5)
    oximetry, ox_facts = make_oximetry(np.random.default_rng(streams[0]))
    risk, risk_facts = make_risk_score(np.random.default_rng(streams[1]))
    admissions, population, sc_facts = make_sickle_cell(np.random.default_rng(streams[2]))
    # population values come from their own fixed stream, so they do not depend on the seed
    ox_expected = _oximetry_expected(np.random.default_rng(20201217))
    risk_expected = _risk_expected(np.random.default_rng(19880901))

    write_csv(oximetry, out_dir / "oximetry.csv")
    write_csv(risk, out_dir / "risk_score.csv")
    write_csv(admissions, out_dir / "sickle_cell_admissions.csv")
    write_csv(population, out_dir / "population.csv")
    write_csv(make_sickle_cell_patients(), out_dir / "sickle_cell_patients.csv")
    truth = {
        "dataset": "demonstration device and algorithm audit data (not real data)",
        "seed": seed,
        "files": {
            "oximetry.csv": "one row per SpO2/SaO2 pair, several per patient",
            "risk_score.csv": "one row per scored admission",
            "sickle_cell_admissions.csv": "admissions by financial year, region and ethnic code",
            "population.csv": "population by region and ethnic code (Census 2021, England)",
            "sickle_cell_patients.csv": "people living with sickle cell disease by ethnic code, "
            f"{_PATIENTS_YEAR} (a register snapshot)",
        },
        "reference_group": "White",
        "grouping": "Census 2021 high-level groups of the NHS ethnic category codes (R Chinese under Asian)",
        "oximetry_parameters": {
            g: dict(zip(["mean_bias", "slope", "sd_between", "sd_within"], v, strict=True))
            for g, v in OXIMETRY_BIAS.items()
        },
        "oximetry_definition": "occult hypoxaemia: SaO2 < 88% among pairs with SpO2 >= 92%",
        "oximetry": ox_expected,
        "oximetry_counts": ox_facts,
        "risk_score_threshold": 0.2,
        "risk_score": risk_expected,
        "risk_score_counts": risk_facts,
        "sickle_cell": sc_facts
        | {
            "planted_rate_per_100000_2018_19": SICKLE_CELL_RATES,
            "annual_growth": _GROWTH,
            "year_factors": _COVID_FACTOR,
            "admissions_per_patient": ADMISSIONS_PER_PATIENT,
            "patients_year": _PATIENTS_YEAR,
        },
        "notes": "population values are computed by simulating 1,000,000 pairs / admissions per group",
    }
    write_truth(out_dir, truth)
    logger.info(
        "technology demo: %d oximetry pairs, %d scored admissions written to %s",
        len(oximetry),
        len(risk),
        out_dir,
    )
    return truth
