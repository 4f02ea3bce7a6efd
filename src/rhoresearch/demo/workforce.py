"""Demonstration data for workstream 2: workforce race equality (WRES-style annual returns).

Writes aggregate returns shaped like the annual Workforce Race Equality Standard (WRES) data of NHS
organisations: about 200 fictional trusts in the seven NHS England regions, three reporting years,
with the nine WRES indicators' inputs:

``organisations.csv``
    ``org_code, org_name, region, trust_type``.
``staff_in_post.csv``
    ``year, org_code, staff_group (Clinical | Non-clinical), pay_band (Band 1 ... Band 9, VSM),
    ethnic_group (White | Ethnic minority | Not known), headcount`` (indicator 1).
``workforce_returns.csv``
    ``year, org_code, ethnic_group, staff_headcount, shortlisted, appointed, entered_disciplinary,
    accessed_training`` (indicators 2, 3 and 4).
``staff_survey.csv``
    ``year, org_code, indicator, measure, ethnic_group, respondents, count`` where ``count`` is the
    number of respondents answering "yes" (indicators 5 to 8; White and ethnic minority staff only,
    as published).
``board.csv``
    ``year, org_code, ethnic_group, voting_members`` (indicator 9).

Planted effects (written to ``truth.json``): national relative likelihood of White applicants being
appointed from shortlisting compared with ethnic minority applicants near the published WRES values
(1.54 in 2022, 1.59 in 2023; 2024 illustrative), regional differences taken from the published
regional figures, a handful of outlier organisations (very high and near-parity ratios), the
disciplinary ratio (ethnic minority vs White) near 1.1 to 1.2 falling over the years, the training
ratio near 1.1, staff-survey percentages near the published national magnitudes, the "snowy white
peaks" gradient of ethnic minority representation across pay bands, and boards less diverse than the
workforce. Organisation names and codes are fictional. Every value is demonstration data.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd

from rhoresearch.demo._files import generator_docs, output_folder, write_csv, write_truth
from rhoresearch.workstreams.workforce import (
    PAY_BANDS,  # the Agenda for Change bands the analysis expects
    SURVEY_MEASURES,  # the staff-survey measures it reads, with their WRES indicator numbers
)

__all__ = [
    "YEARS",
    "REGIONS",
    "PAY_BANDS",
    "ETHNIC_GROUPS",
    "SURVEY_MEASURES",
    "SURVEY_PERCENT",
    "generate",
]

logger = logging.getLogger(__name__)

YEARS = (2022, 2023, 2024)
ETHNIC_GROUPS = ("White", "Ethnic minority", "Not known")

# region: (number of organisations, ethnic minority share of the workforce in 2022)
REGIONS = {
    "East of England": (22, 0.26),
    "London": (36, 0.50),
    "Midlands": (34, 0.27),
    "North East and Yorkshire": (30, 0.15),
    "North West": (28, 0.17),
    "South East": (30, 0.21),
    "South West": (20, 0.12),
}

# published regional WRES indicator 2 (see data/reference / shared reference CSV), by year
_REGIONAL_RL2 = {
    "East of England": (1.96, 1.46, 1.80),
    "London": (1.43, 1.47, 1.16),
    "Midlands": (1.46, 1.50, 1.71),
    "North East and Yorkshire": (1.81, 2.01, 1.74),
    "North West": (1.62, 1.58, 2.01),
    "South East": (1.30, 1.63, 1.53),
    "South West": (1.82, 1.78, 1.93),
}
# national targets: 2022 and 2023 published (1.54, 1.59); 2024 illustrative
_NATIONAL_RL2 = (1.54, 1.59, 1.61)
_NATIONAL_RL3 = (1.20, 1.14, 1.10)  # disciplinary, ethnic minority vs White
_NATIONAL_RL4 = (1.12, 1.10, 1.08)  # training, White vs ethnic minority
_MINORITY_SHARE_GAIN = (0.0, 0.02, 0.04)  # workforce diversity rises over the years
_BOARD_SHARE = (0.12, 0.135, 0.15)

_TRUST_TYPES = {
    # type: (share of organisations, headcount range)
    "Acute": (0.6, (3_000, 15_000)),
    "Mental health": (0.25, (1_500, 6_000)),
    "Community": (0.08, (1_000, 5_000)),
    "Ambulance": (0.07, (2_000, 6_000)),
}

# band mix of each staff group and ethnic minority over/under-representation by band
_BAND_MIX = {
    "Clinical": (0.0, 0.12, 0.08, 0.04, 0.28, 0.25, 0.15, 0.05, 0.018, 0.008, 0.003, 0.001, 0.0),
    "Non-clinical": (
        0.01,
        0.25,
        0.25,
        0.18,
        0.10,
        0.08,
        0.06,
        0.04,
        0.015,
        0.008,
        0.004,
        0.002,
        0.002,
    ),
}
_CLINICAL_SHARE = 0.62
_BAND_MULTIPLIER = (1.1, 1.0, 0.85, 0.8, 1.45, 1.1, 0.8, 0.65, 0.55, 0.48, 0.42, 0.38, 0.35)
_UNKNOWN_SHARE = 0.03

#: Staff survey, national percentages (White, ethnic minority) by year, of each measure the
#: analysis reads (:data:`SURVEY_MEASURES`: WRES indicators 5 to 8): near published magnitudes.
SURVEY_PERCENT = {
    "harassment_from_patients": ((27.6, 29.3), (25.6, 28.2), (25.0, 27.9)),
    "harassment_from_staff": ((23.0, 27.9), (21.7, 26.5), (21.0, 25.8)),
    "equal_opportunities": ((58.8, 44.4), (59.7, 47.0), (59.0, 47.9)),
    "discrimination_from_manager": ((6.7, 17.0), (6.3, 16.4), (6.2, 16.0)),
}

_PREFIXES = (
    "Ash", "Bram", "Crest", "Dun", "Elm", "Fair", "Glen", "Hart", "Ivy", "King", "Lark", "Mill",
    "North", "Oak", "Pine", "Queens", "Red", "Stan", "Thorn", "Wey", "Whit", "Wood", "Brook",
    "Cold", "Fern",
)  # fmt: skip
_SUFFIXES = ("ford", "ley", "wick", "ham", "bury", "field", "ton", "mouth", "worth", "bridge")
_CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTVWXY"


def _organisations(rng: np.random.Generator) -> pd.DataFrame:
    names = [p + s for p in _PREFIXES for s in _SUFFIXES]
    n_total = sum(n for n, _ in REGIONS.values())
    picked = rng.choice(len(names), size=n_total, replace=False)
    codes: list[str] = []
    while len(codes) < n_total:
        code = "R" + "".join(rng.choice(list(_CODE_CHARS), size=2))
        if code not in codes:
            codes.append(code)
    types = list(_TRUST_TYPES)
    probs = np.array([v[0] for v in _TRUST_TYPES.values()])
    rows = []
    i = 0
    for region, (n, share) in REGIONS.items():
        for _ in range(n):
            ttype = types[rng.choice(len(types), p=probs / probs.sum())]
            suffix = {
                "Acute": "Hospitals NHS Foundation Trust",
                "Mental health": "Mental Health NHS Foundation Trust",
                "Community": "Community Health NHS Trust",
                "Ambulance": "Ambulance Service NHS Trust",
            }[ttype]
            lo, hi = _TRUST_TYPES[ttype][1]
            rows.append(
                {
                    "org_code": codes[i],
                    "org_name": f"{names[picked[i]]} {suffix}",
                    "region": region,
                    "trust_type": ttype,
                    "size": int(rng.integers(lo, hi)),
                    "minority": float(np.clip(share * np.exp(rng.normal(0, 0.3)), 0.04, 0.75)),
                }
            )
            i += 1
    orgs = pd.DataFrame(rows).sort_values("org_code", kind="stable").reset_index(drop=True)
    return orgs


def _staff_in_post(rng: np.random.Generator, orgs: pd.DataFrame, year_index: int) -> pd.DataFrame:
    mult = np.array(_BAND_MULTIPLIER)
    rows = []
    for org in orgs.itertuples():
        size = org.size * (1 + 0.02 * year_index)
        minority = min(org.minority + _MINORITY_SHARE_GAIN[year_index], 0.85)
        for group, share in (("Clinical", _CLINICAL_SHARE), ("Non-clinical", 1 - _CLINICAL_SHARE)):
            mix = np.array(_BAND_MIX[group])
            mix = mix / mix.sum()
            counts = rng.multinomial(int(size * share), mix)
            # band shares scaled so the staff group's overall share stays at the organisation's
            band_share = np.clip(minority * mult / (mix @ mult), 0.0, 0.95)
            for band, n, p in zip(PAY_BANDS, counts, band_share, strict=True):
                if n == 0:
                    continue
                unknown = rng.binomial(n, _UNKNOWN_SHARE)
                em = rng.binomial(n - unknown, p)
                for eg, value in zip(ETHNIC_GROUPS, (n - unknown - em, em, unknown), strict=True):
                    rows.append((org.org_code, group, band, eg, int(value)))
    out = pd.DataFrame(
        rows, columns=["org_code", "staff_group", "pay_band", "ethnic_group", "headcount"]
    )
    return out


def _lognormal(rng: np.random.Generator, sd: float, size: int | tuple[int, ...]) -> np.ndarray:
    return np.exp(rng.normal(0.0, sd, size))


@generator_docs
def generate(out_dir: Path, *, seed: int) -> dict:
    """Write the workforce race equality demonstration data and its truth file.

    The truth holds, by year, the planted national and regional relative likelihoods and staff
    survey percentages; the planted outlier organisations, each organisation's planted ratios and
    the pay-band multipliers (see the module docstring).

    {parameters}

    {returns}
    """
    out_dir = output_folder(out_dir)
    rng = np.random.default_rng(seed)
    orgs = _organisations(rng)
    n_org = len(orgs)
    region_index = {r: i for i, r in enumerate(REGIONS)}
    reg = orgs["region"].map(region_index).to_numpy()

    # persistent organisation effects and planted outliers
    org_rl2 = _lognormal(rng, 0.08, n_org)
    org_rl3 = _lognormal(rng, 0.15, n_org)
    order = rng.permutation(n_org)
    high_rl2 = sorted(orgs["org_code"].iloc[order[:4]])
    parity_rl2 = sorted(orgs["org_code"].iloc[order[4:6]])
    high_rl3 = sorted(orgs["org_code"].iloc[order[6:9]])
    high_disc = sorted(orgs["org_code"].iloc[order[9:12]])
    org_rl2[orgs["org_code"].isin(high_rl2).to_numpy()] *= 1.7
    org_rl2[orgs["org_code"].isin(parity_rl2).to_numpy()] *= 0.6
    org_rl3[orgs["org_code"].isin(high_rl3).to_numpy()] *= 2.2
    p_white_base = np.clip(rng.normal(0.20, 0.035, n_org), 0.1, 0.32)
    disc_base = np.clip(rng.normal(0.009, 0.0025, n_org), 0.003, 0.02)
    train_base = np.clip(rng.normal(0.55, 0.08, n_org), 0.3, 0.8)
    org_rl4 = _lognormal(rng, 0.06, n_org)
    survey_effect = {SURVEY_MEASURES[m]: rng.normal(0.0, 0.12, (n_org, 2)) for m in SURVEY_PERCENT}
    survey_effect["8"][orgs["org_code"].isin(high_disc).to_numpy(), 1] += 0.6
    board_effect = rng.normal(0.0, 0.3, n_org)

    staff_frames, returns_frames, survey_frames, board_frames = [], [], [], []
    truth_years: dict[str, dict] = {}
    org_truth: dict[str, dict] = {}
    for yi, year in enumerate(YEARS):
        staff = _staff_in_post(rng, orgs, yi)
        staff.insert(0, "year", year)
        staff_frames.append(staff)
        head = (
            staff.pivot_table(
                index="org_code", columns="ethnic_group", values="headcount", aggfunc="sum"
            )
            .reindex(index=orgs["org_code"], columns=list(ETHNIC_GROUPS))
            .fillna(0)
            .astype(int)
        )
        n_w, n_m, n_u = (head[g].to_numpy() for g in ETHNIC_GROUPS)
        minority_share = n_m / (n_w + n_m)

        # indicator 2: shortlisting -> appointment
        total_sl = (orgs["size"].to_numpy() * rng.uniform(0.8, 1.6, n_org)).astype(int)
        sl_m_share = np.clip(minority_share * 1.4, 0.05, 0.85)
        sl_u = rng.binomial(total_sl, 0.03)
        sl_m = rng.binomial(total_sl - sl_u, sl_m_share)
        sl_w = total_sl - sl_u - sl_m
        rl2 = np.array([_REGIONAL_RL2[r][yi] for r in orgs["region"]]) * org_rl2
        p_w = p_white_base * _lognormal(rng, 0.05, n_org)
        # scale organisation ratios so the expected national ratio equals the target
        lo_, hi_ = 0.2, 5.0
        for _ in range(60):
            k = (lo_ + hi_) / 2
            exp_nat = (
                (sl_w * p_w).sum() / sl_w.sum() / ((sl_m * p_w / (rl2 * k)).sum() / sl_m.sum())
            )
            lo_, hi_ = (k, hi_) if exp_nat < _NATIONAL_RL2[yi] else (lo_, k)
        rl2 = rl2 * k
        p_m = p_w / rl2
        app_w = rng.binomial(sl_w, p_w)
        app_m = rng.binomial(sl_m, p_m)
        app_u = rng.binomial(sl_u, p_w * 0.9)
        nat_rl2 = (sl_w * p_w).sum() / sl_w.sum() / ((sl_m * p_m).sum() / sl_m.sum())
        reg_rl2 = {
            r: float(
                (sl_w * p_w)[reg == i].sum()
                / sl_w[reg == i].sum()
                / ((sl_m * p_m)[reg == i].sum() / sl_m[reg == i].sum())
            )
            for r, i in region_index.items()
        }

        # indicator 3: disciplinary (ethnic minority vs White)
        d_w = disc_base * _lognormal(rng, 0.05, n_org)
        rl3 = _NATIONAL_RL3[yi] * org_rl3
        base = (n_m * d_w * rl3).sum() / n_m.sum() / ((n_w * d_w).sum() / n_w.sum())
        rl3 = rl3 * _NATIONAL_RL3[yi] / base
        d_m = np.clip(d_w * rl3, 0, 0.2)
        disc_w = rng.binomial(n_w, d_w)
        disc_m = rng.binomial(n_m, d_m)
        disc_u = rng.binomial(n_u, d_w)
        nat_rl3 = (n_m * d_m).sum() / n_m.sum() / ((n_w * d_w).sum() / n_w.sum())

        # indicator 4: non-mandatory training (White vs ethnic minority)
        t_w = train_base
        t_m = np.clip(t_w / (_NATIONAL_RL4[yi] * org_rl4), 0.05, 0.95)
        tr_w = rng.binomial(n_w, t_w)
        tr_m = rng.binomial(n_m, t_m)
        tr_u = rng.binomial(n_u, t_w * 0.9)
        nat_rl4 = (n_w * t_w).sum() / n_w.sum() / ((n_m * t_m).sum() / n_m.sum())

        returns = pd.DataFrame(
            {
                "year": year,
                "org_code": np.repeat(orgs["org_code"].to_numpy(), 3),
                "ethnic_group": np.tile(ETHNIC_GROUPS, n_org),
                "staff_headcount": np.column_stack([n_w, n_m, n_u]).ravel(),
                "shortlisted": np.column_stack([sl_w, sl_m, sl_u]).ravel(),
                "appointed": np.column_stack([app_w, app_m, app_u]).ravel(),
                "entered_disciplinary": np.column_stack([disc_w, disc_m, disc_u]).ravel(),
                "accessed_training": np.column_stack([tr_w, tr_m, tr_u]).ravel(),
            }
        )
        returns_frames.append(returns)

        # indicators 5-8: staff survey
        response = rng.uniform(0.3, 0.55, n_org)
        resp = np.column_stack([rng.binomial(n_w, response), rng.binomial(n_m, response)])
        survey_truth = {}
        for measure, pcts in SURVEY_PERCENT.items():
            ind = SURVEY_MEASURES[measure]
            base_p = np.array(pcts[yi]) / 100
            logit = np.log(base_p / (1 - base_p)) + survey_effect[ind]
            p = 1 / (1 + np.exp(-logit))
            yes = rng.binomial(resp, p)
            survey_frames.append(
                pd.DataFrame(
                    {
                        "year": year,
                        "org_code": np.repeat(orgs["org_code"].to_numpy(), 2),
                        "indicator": ind,
                        "measure": measure,
                        "ethnic_group": np.tile(ETHNIC_GROUPS[:2], n_org),
                        "respondents": resp.ravel(),
                        "count": yes.ravel(),
                    }
                )
            )
            survey_truth[measure] = {
                g: round(float((resp[:, j] * p[:, j]).sum() / resp[:, j].sum() * 100), 4)
                for j, g in enumerate(ETHNIC_GROUPS[:2])
            }

        # indicator 9: board voting membership
        members = rng.integers(10, 17, n_org)
        share_b = np.clip(
            _BOARD_SHARE[yi] * (minority_share / 0.25) ** 0.7 * np.exp(board_effect), 0, 0.7
        )
        b_u = rng.binomial(members, 0.02)
        b_m = rng.binomial(members - b_u, share_b)
        b_w = members - b_u - b_m
        board_frames.append(
            pd.DataFrame(
                {
                    "year": year,
                    "org_code": np.repeat(orgs["org_code"].to_numpy(), 3),
                    "ethnic_group": np.tile(ETHNIC_GROUPS, n_org),
                    "voting_members": np.column_stack([b_w, b_m, b_u]).ravel(),
                }
            )
        )

        # expected minority share by band, nationally (given the generated band headcounts)
        by_band = staff.groupby("pay_band", sort=False)["headcount"].sum()
        em_band = (
            staff[staff["ethnic_group"] == "Ethnic minority"]
            .groupby("pay_band", sort=False)["headcount"]
            .sum()
        )
        known = (
            staff[staff["ethnic_group"] != "Not known"]
            .groupby("pay_band", sort=False)["headcount"]
            .sum()
        )
        truth_years[str(year)] = {
            "national_rl_appointed_white_vs_minority": round(float(nat_rl2), 6),
            "national_rl_appointed_target": _NATIONAL_RL2[yi],
            "regional_rl_appointed_white_vs_minority": {r: round(v, 6) for r, v in reg_rl2.items()},
            "national_rl_disciplinary_minority_vs_white": round(float(nat_rl3), 6),
            "national_rl_training_white_vs_minority": round(float(nat_rl4), 6),
            "survey_percent": survey_truth,
            "board_minority_share_target": _BOARD_SHARE[yi],
            "workforce_minority_percent_known": round(
                float(n_m.sum() / (n_w.sum() + n_m.sum()) * 100), 4
            ),
            "observed_minority_percent_by_band": {
                b: round(float(em_band.get(b, 0) / known[b] * 100), 4)
                for b in PAY_BANDS
                if b in known.index and by_band[b] > 0
            },
        }
        for j, code in enumerate(orgs["org_code"]):
            org_truth.setdefault(code, {})[str(year)] = {
                "rl_appointed": round(float(rl2[j]), 4),
                "rl_disciplinary": round(float(rl3[j]), 4),
            }

    organisations = orgs[["org_code", "org_name", "region", "trust_type"]]
    files = {
        "organisations.csv": organisations,
        "staff_in_post.csv": pd.concat(staff_frames, ignore_index=True),
        "workforce_returns.csv": pd.concat(returns_frames, ignore_index=True),
        "staff_survey.csv": pd.concat(survey_frames, ignore_index=True),
        "board.csv": pd.concat(board_frames, ignore_index=True),
    }
    for name, frame in files.items():
        write_csv(frame, out_dir / name)

    truth = {
        "description": (
            "Demonstration data: WRES-style annual returns of fictional NHS organisations. "
            "Relative likelihoods are planted as expected values given the generated denominators."
        ),
        "seed": seed,
        "years": list(YEARS),
        "n_organisations": n_org,
        "ethnic_groups": list(ETHNIC_GROUPS),
        "sources": {
            "national_rl_appointed_target": "WRES indicator 2, England: 1.54 (2022), 1.59 (2023); "
            "2024 illustrative",
            "regional": "WRES indicator 2 by region 2022-2024 as quoted by HSJ (reference CSV)",
        },
        "planted_outliers": {
            "high_rl_appointed": high_rl2,
            "parity_rl_appointed": parity_rl2,
            "high_rl_disciplinary": high_rl3,
            "high_discrimination_minority": high_disc,
        },
        "by_year": truth_years,
        "organisations": org_truth,
        "band_multiplier_minority": dict(zip(PAY_BANDS, _BAND_MULTIPLIER, strict=True)),
    }
    write_truth(out_dir, truth, sort_keys=True)
    logger.info(
        "workforce demo: %d organisations, %d years written to %s", n_org, len(YEARS), out_dir
    )
    return truth
