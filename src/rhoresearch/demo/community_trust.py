"""Demonstration data for workstream 1 (community participation and trust): a patient survey.

One row per respondent of a national patient-experience survey (``responses.csv``), shaped like the
GP Patient Survey or the NHS Adult Inpatient Survey: ethnic category as recorded (NHS codes in untidy
forms, some not stated), age band, sex, deprivation quintile (IMD, 1 = most deprived), NHS England
region, a non-response weight, and answers to four questions:

``q_trust``
    "I have trust and confidence in the health professionals I saw" (1 strongly disagree ... 5
    strongly agree, 9 don't know).
``q_involved``
    "I was involved as much as I wanted to be in decisions about my care" (same scale).
``q_listened``
    "The health professionals listened to me" (same scale).
``q_discrimination``
    "In the last 12 months, have you felt discriminated against by health services?" (Yes, No,
    Don't know).

How the data are made
---------------------
A population of adults is drawn with region-specific ethnic composition and ethnic minority groups
younger and living in more deprived areas than the White population (Census 2021 patterns). Each
person responds with a probability that is lower for younger people, men, people in deprived areas
and ethnic minority groups; respondents carry the weight ``1 / probability`` (times a little noise
for calibration, scaled to mean 1), as survey non-response weights do. Each answer is drawn from a
logistic model with the planted odds ratios of :data:`PLANTED_ODDS_RATIOS` for each high-level
ethnic group against White, adjusted for age band, sex and deprivation quintile, so a weighted
logistic model with those covariates recovers them. Binarisation (documented in ``truth.json``):
agree or strongly agree (4-5) is a positive answer, 1-3 is not; Yes to discrimination is 1, No is 0;
don't know and blanks are excluded and counted.

The direction of the planted differences follows published surveys (lower trust and more reported
discrimination among Black and Asian respondents; e.g. the NHS Race and Health Observatory's
community engagement reports and the GP Patient Survey); the sizes are illustrative.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd

from rhoresearch.demo._ethnicity import HIGH_LEVEL, REGIONS, draw_codes, messy
from rhoresearch.demo._files import generator_docs, output_folder, write_csv, write_truth
from rhoresearch.workstreams.community_trust import (  # the bands and questions the analysis reads
    AGE_BANDS,
    QUESTIONS,
)

__all__ = [
    "AGE_BANDS",
    "QUESTIONS",
    "PLANTED_ODDS_RATIOS",
    "generate",
    "make_responses",
]

logger = logging.getLogger(__name__)


#: Planted odds ratios against White, conditional on age band, sex and deprivation quintile.
PLANTED_ODDS_RATIOS: dict[str, dict[str, float]] = {
    "q_trust": {"Mixed": 0.70, "Asian": 0.80, "Black": 0.55, "Other": 0.75},
    "q_involved": {"Mixed": 0.80, "Asian": 0.75, "Black": 0.70, "Other": 0.80},
    "q_listened": {"Mixed": 0.80, "Asian": 0.80, "Black": 0.65, "Other": 0.80},
    "q_discrimination": {"Mixed": 2.20, "Asian": 1.90, "Black": 3.00, "Other": 2.00},
}

# intercept (White, 45-54, female, IMD 4) and log-odds effects of age band, male sex, IMD 1..5
_OUTCOME_MODELS = {
    "q_trust": (1.9, [-0.30, -0.25, -0.15, 0.0, 0.15, 0.30, 0.35], 0.05, [-0.35, -0.2, -0.1, 0, 0]),
    "q_involved": (
        1.4,
        [-0.20, -0.15, -0.10, 0.0, 0.10, 0.20, 0.10],
        0.10,
        [-0.25, -0.15, -0.05, 0, 0.05],
    ),
    "q_listened": (
        1.6,
        [-0.25, -0.20, -0.10, 0.0, 0.10, 0.20, 0.15],
        0.05,
        [-0.30, -0.15, -0.05, 0, 0],
    ),
    "q_discrimination": (
        -3.0,
        [0.40, 0.35, 0.25, 0.10, 0.0, -0.30, -0.50],
        -0.10,
        [0.35, 0.2, 0.1, 0, 0],
    ),
}

_REGION_SHARE = [0.16, 0.16, 0.10, 0.11, 0.19, 0.14, 0.14]
# White, Mixed, Asian, Black, Other by region (adults)
_GROUP_BY_REGION = {
    "London": [0.54, 0.06, 0.21, 0.13, 0.06],
    "South East": [0.88, 0.03, 0.06, 0.02, 0.01],
    "South West": [0.93, 0.02, 0.03, 0.01, 0.01],
    "East of England": [0.86, 0.03, 0.06, 0.03, 0.02],
    "Midlands": [0.79, 0.03, 0.12, 0.04, 0.02],
    "North East and Yorkshire": [0.87, 0.02, 0.08, 0.02, 0.01],
    "North West": [0.85, 0.02, 0.09, 0.02, 0.02],
}
_AGE_BY_GROUP = {
    "White": [0.12, 0.15, 0.14, 0.16, 0.17, 0.14, 0.12],
    "Mixed": [0.28, 0.24, 0.17, 0.13, 0.09, 0.05, 0.04],
    "Asian": [0.17, 0.23, 0.22, 0.16, 0.11, 0.07, 0.04],
    "Black": [0.17, 0.20, 0.21, 0.19, 0.12, 0.07, 0.04],
    "Other": [0.16, 0.24, 0.24, 0.17, 0.10, 0.06, 0.03],
}
_IMD_BY_GROUP = {
    "White": [0.17, 0.19, 0.20, 0.21, 0.23],
    "Mixed": [0.30, 0.25, 0.19, 0.14, 0.12],
    "Asian": [0.30, 0.24, 0.19, 0.15, 0.12],
    "Black": [0.35, 0.27, 0.18, 0.12, 0.08],
    "Other": [0.28, 0.24, 0.20, 0.15, 0.13],
}
# response propensity: intercept, age band, male, IMD 1..5, group
_RESPONSE = (
    -1.25,
    [-0.7, -0.5, -0.3, -0.1, 0.2, 0.5, 0.4],
    -0.25,
    [-0.4, -0.2, 0.0, 0.1, 0.2],
    {"White": 0.0, "Mixed": -0.3, "Asian": -0.35, "Black": -0.45, "Other": -0.35},
)

_NOT_STATED = 0.035
_NOT_KNOWN = 0.01
_ITEM_BLANK = 0.02
_DONT_KNOW = 0.03


def _expit(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _population(rng: np.random.Generator, n: int) -> pd.DataFrame:
    region = rng.choice(len(REGIONS), size=n, p=np.array(_REGION_SHARE) / sum(_REGION_SHARE))
    group = np.empty(n, dtype=object)
    for r, name in enumerate(REGIONS):
        idx = np.flatnonzero(region == r)
        group[idx] = rng.choice(HIGH_LEVEL, size=idx.size, p=_GROUP_BY_REGION[name])
    age = np.zeros(n, dtype=int)
    imd = np.zeros(n, dtype=int)
    for g in HIGH_LEVEL:
        idx = np.flatnonzero(group == g)
        age[idx] = rng.choice(len(AGE_BANDS), size=idx.size, p=_AGE_BY_GROUP[g])
        imd[idx] = rng.choice(5, size=idx.size, p=_IMD_BY_GROUP[g]) + 1
    male = (rng.random(n) < 0.49).astype(int)
    return pd.DataFrame({"region": region, "group": group, "age": age, "imd": imd, "male": male})


def _linear(pop: pd.DataFrame, model: tuple, group_effect: dict[str, float]) -> np.ndarray:
    intercept, age_eff, male_eff, imd_eff = model
    return (
        intercept
        + np.asarray(age_eff)[pop["age"].to_numpy()]
        + male_eff * pop["male"].to_numpy()
        + np.asarray(imd_eff)[pop["imd"].to_numpy() - 1]
        + pop["group"].map(group_effect).to_numpy(dtype=float)
    )


def make_responses(
    rng: np.random.Generator, *, population: int = 265_000
) -> tuple[pd.DataFrame, dict]:
    """Draw the survey responses (see the module docstring) and the facts behind them.

    Parameters
    ----------
    rng : numpy.random.Generator
        The random stream.
    population : int
        Size of the adult population drawn before non-response (about 21% respond).

    Returns
    -------
    (pandas.DataFrame, dict)
        The respondent table as written to ``responses.csv`` and a dictionary of facts for the
        truth file (counts of untidy ethnicity values, population percentages per group).
    """
    pop = _population(rng, population)
    intercept, age_eff, male_eff, imd_eff, group_eff = _RESPONSE
    p_resp = _expit(_linear(pop, (intercept, age_eff, male_eff, imd_eff), group_eff))
    responded = rng.random(population) < p_resp

    facts: dict = {"population_percent": {}}
    probs = {}
    for q in QUESTIONS:
        effects = {"White": 0.0} | {g: float(np.log(v)) for g, v in PLANTED_ODDS_RATIOS[q].items()}
        probs[q] = _expit(_linear(pop, _OUTCOME_MODELS[q], effects))
        facts["population_percent"][q] = {
            g: round(float(100 * probs[q][pop["group"].to_numpy() == g].mean()), 3)
            for g in HIGH_LEVEL
        }

    resp = pop.loc[responded].reset_index(drop=True)
    n = len(resp)
    weight = (1.0 / p_resp[responded]) * np.exp(rng.normal(0.0, 0.1, n))
    weight = weight / weight.mean()

    codes = draw_codes(rng, resp["group"].to_numpy())
    raw, eth_counts = messy(rng, codes, not_stated=_NOT_STATED, not_known=_NOT_KNOWN)
    facts["ethnicity_values"] = eth_counts

    out = pd.DataFrame(
        {
            "respondent_id": [f"R{i:06d}" for i in range(1, n + 1)],
            "ethnic_category": raw,
            "age_band": np.asarray(AGE_BANDS, dtype=object)[resp["age"].to_numpy()],
            "sex": np.where(resp["male"].to_numpy() == 1, "Male", "Female"),
            "imd_quintile": resp["imd"].to_numpy(),
            "region": np.asarray(REGIONS, dtype=object)[resp["region"].to_numpy()],
            "weight": np.round(weight, 4),
        }
    )
    facts["item_missing"] = {}
    for q in QUESTIONS:
        positive = rng.random(n) < probs[q][responded]
        u = rng.random(n)
        blank = u < _ITEM_BLANK
        dont_know = (u >= _ITEM_BLANK) & (u < _ITEM_BLANK + _DONT_KNOW)
        if q == "q_discrimination":
            answer = np.where(positive, "Yes", "No").astype(object)
            answer[dont_know] = "Don't know"
            answer[blank] = None
        else:
            strong = rng.random(n)
            answer = np.where(
                positive,
                np.where(strong < 0.45, 5, 4),
                np.where(strong < 0.5, 3, np.where(strong < 0.8, 2, 1)),
            ).astype(float)
            answer[dont_know] = 9
            answer[blank] = np.nan
            answer = pd.array(answer, dtype="Int64")
        out[q] = answer
        facts["item_missing"][q] = {"blank": int(blank.sum()), "dont_know": int(dont_know.sum())}
    return out, facts


@generator_docs
def generate(out_dir: Path, *, seed: int) -> dict:
    """Write ``responses.csv`` and ``truth.json`` into ``out_dir``; return the truth.

    The truth holds the planted effects: ``odds_ratios`` (per question, per high-level group against
    White, conditional on age band, sex and deprivation), ``population_percent`` (per question and
    group, in the population before non-response: the target of the weighted percentages), the
    binarisation rule, respondent and ethnicity counts.

    {parameters}

    {returns}
    """
    out_dir = output_folder(out_dir)
    rng = np.random.default_rng(seed)
    responses, facts = make_responses(rng)
    write_csv(responses, out_dir / "responses.csv")
    truth = {
        "dataset": "demonstration patient-experience survey (not real data)",
        "seed": seed,
        "files": {"responses.csv": "one row per respondent"},
        "respondents": int(len(responses)),
        "reference_group": "White",
        "grouping": "Census 2021 high-level groups of the NHS ethnic category codes (R Chinese under Asian)",
        "covariates": ["age_band", "sex", "imd_quintile"],
        "odds_ratios": PLANTED_ODDS_RATIOS,
        "odds_ratio_scale": "conditional on age band, sex and IMD quintile (logistic model)",
        "population_percent": facts["population_percent"],
        "binarisation": {
            "likert": "4 agree or 5 strongly agree = 1; 1-3 = 0; 9 don't know and blank excluded",
            "q_discrimination": "Yes = 1; No = 0; Don't know and blank excluded",
        },
        "weights": {
            "kind": "inverse response propensity with calibration noise, scaled to mean 1",
            "min": float(responses["weight"].min()),
            "max": float(responses["weight"].max()),
            "kish_effective_sample_size": float(
                responses["weight"].sum() ** 2 / (responses["weight"] ** 2).sum()
            ),
        },
        "ethnicity_values": facts["ethnicity_values"],
        "item_missing": facts["item_missing"],
    }
    write_truth(out_dir, truth)
    logger.info("survey demo: %d respondents written to %s", len(responses), out_dir)
    return truth
