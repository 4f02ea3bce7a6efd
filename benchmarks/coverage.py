"""Simulation study: how often does each interval method of rhoresearch.stats cover the true value?

Every interval the reports use is simulated over a grid of realistic scenarios (small and large
counts and denominators, proportions near 0 and 1, skewed age structures for directly standardised
rates, ratios with small reference groups, small samples for the models), with a known true value.
Each scenario draws ``--replicates`` data sets (10,000 by default) from a seeded generator and calls
the package's public function once on all of them (``by="replicate"``), so the study measures the
code the reports run, not a re-implementation. Functions that fit a model per group (kappa,
calibration, the regression models) are called once per replicate.

For each scenario and statistic it reports the empirical coverage (the share of reported intervals
that contain the true value), its Monte Carlo standard error ``sqrt(c (1 - c) / n)``, how often the
truth fell below the lower or above the upper limit, the share of replicates with an interval at all
(the PHE rules leave some unreported, e.g. a DSR from fewer than 10 events) and the mean width.

Writes ``docs/methods/coverage/coverage.csv`` and one figure per method family
(``docs/methods/coverage/<method>.png``), which the methods pages include, and prints, as its last
line::

    coverage_min=<lowest coverage> coverage_median=<median> scenarios=<n> replicates=<r>

where ``scenarios`` counts the rows of the table: one per statistic and simulated scenario (a
scenario can give several statistics from the same data, e.g. a rate ratio and a rate difference).

Run from the project root (about five minutes on two cores)::

    .venv/bin/python benchmarks/coverage.py [--replicates 10000] [--workers 2] [--seed 20261201]
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats as sps

from rhoresearch import stats

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "methods" / "coverage"
SEED = 20261201
LEVEL = 0.95

#: One simulated interval per replicate: lower and upper limits (NaN: not reported) and the truth.
Outcome = tuple[np.ndarray, np.ndarray, float]


@dataclass(frozen=True)
class Scenario:
    """A family of methods (the methods page it belongs to), a description and its simulation."""

    method: str
    name: str
    simulate: Callable[..., dict[str, Outcome]]
    options: dict[str, Any] = field(default_factory=dict)
    nominal: dict[str, float] = field(default_factory=dict)  # statistic -> level (default 0.95)
    cost: int = 1  # relative run time: expensive ones start first


def _rep(n_rep: int, per: int) -> np.ndarray:
    return np.repeat(np.arange(n_rep), per)


def _limits(res: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    return res["lower_ci"].to_numpy(float), res["upper_ci"].to_numpy(float)


# ---------------------------------------------------------------------------------------------
# indicators: Wilson, exact Poisson / Byar, Student t
# ---------------------------------------------------------------------------------------------


def sim_proportion(rng: np.random.Generator, n_rep: int, *, n: int, p: float) -> dict[str, Outcome]:
    x = rng.binomial(n, p, n_rep)
    data = pd.DataFrame({"replicate": np.arange(n_rep), "x": x, "n": float(n)})
    res = stats.proportion(data, numerator="x", denominator="n", by="replicate")
    return {"proportion (Wilson)": (*_limits(res), p)}


def sim_rate(
    rng: np.random.Generator, n_rep: int, *, expected: float, population: float
) -> dict[str, Outcome]:
    x = rng.poisson(expected, n_rep)
    data = pd.DataFrame({"replicate": np.arange(n_rep), "x": x, "pop": population})
    res = stats.rate(data, count="x", population="pop", by="replicate")
    return {"rate (exact Poisson < 10, Byar >= 10)": (*_limits(res), expected / population * 1e5)}


def sim_mean(rng: np.random.Generator, n_rep: int, *, n: int, sigma: float) -> dict[str, Outcome]:
    """Log-normal values (sigma = 0: normal with mean 1 and SD 0.5)."""
    if sigma == 0:
        values, truth = rng.normal(1.0, 0.5, n_rep * n), 1.0
    else:
        values, truth = rng.lognormal(0.0, sigma, n_rep * n), float(np.exp(sigma**2 / 2))
    data = pd.DataFrame({"replicate": _rep(n_rep, n), "v": values})
    res = stats.mean(data, value="v", by="replicate")
    return {"mean (Student t)": (*_limits(res), truth)}


# ---------------------------------------------------------------------------------------------
# standardisation: Dobson DSR (and non-independent events), ISR
# ---------------------------------------------------------------------------------------------

ESP = stats.esp2013()
BAND_START = np.arange(0, 95, 5)[: len(ESP)]
#: Age-specific event rates rising ~9% a year of age (a mortality-like gradient), relative.
AGE_GRADIENT = np.exp(0.09 * (BAND_START - 90))


def _structure(kind: str) -> np.ndarray:
    """Population shares by ESP band: "young" (an ethnic minority population: few people over
    65), "old" (an ageing population), "standard" (the ESP itself)."""
    esp = ESP["population"].to_numpy(float)
    if kind == "young":
        shares = esp * np.exp(-0.06 * BAND_START)
    elif kind == "old":
        shares = esp * np.exp(0.02 * BAND_START)
    else:
        shares = esp.copy()
    return shares / shares.sum()


def _band_rates(kind: str, total_expected: float, population: float) -> np.ndarray:
    """Age-specific rates with the age gradient, scaled so the population expects that many events."""
    pops = _structure(kind) * population
    return AGE_GRADIENT * total_expected / float((AGE_GRADIENT * pops).sum())


def sim_dsr(
    rng: np.random.Generator, n_rep: int, *, structure: str, expected: float
) -> dict[str, Outcome]:
    population = 100_000.0
    pops = _structure(structure) * population
    lam = _band_rates(structure, expected, population)
    bands = len(ESP)
    counts = rng.poisson(np.tile(lam * pops, n_rep))
    data = pd.DataFrame(
        {
            "replicate": _rep(n_rep, bands),
            "age": np.tile(ESP["age_band"].to_numpy(), n_rep),
            "x": counts,
            "pop": np.tile(pops, n_rep),
        }
    )
    res = stats.dsr(data, count="x", population="pop", age="age", by="replicate")
    w = ESP["population"].to_numpy(float)
    truth = float((w * lam).sum() / w.sum() * 1e5)
    return {"DSR (Dobson)": (*_limits(res), truth)}


FREQUENCIES = np.array([1, 2, 3, 4])
FREQ_SHARES = np.array([0.55, 0.25, 0.12, 0.08])  # people with 1, 2, 3, 4 events


def sim_dsr_nonindependent(
    rng: np.random.Generator, n_rep: int, *, structure: str, people: float
) -> dict[str, Outcome]:
    """People with one or more events (e.g. repeated detentions): the events are not independent."""
    population = 100_000.0
    pops = _structure(structure) * population
    lam = _band_rates(structure, people, population)  # rate of people with >= 1 event
    bands, nf = len(ESP), len(FREQUENCIES)
    mu = (lam * pops)[:, None] * FREQ_SHARES[None, :]  # band x frequency
    persons = rng.poisson(np.tile(mu.ravel(), n_rep))
    rep = _rep(n_rep, bands * nf)
    age = np.tile(np.repeat(ESP["age_band"].to_numpy(), nf), n_rep)
    freq = np.tile(np.tile(FREQUENCIES, bands), n_rep)
    pop = np.tile(np.repeat(pops, nf), n_rep)
    data = pd.DataFrame({"replicate": rep, "age": age, "f": freq, "people": persons, "pop": pop})
    adjusted = stats.dsr(
        data, count="people", population="pop", age="age", by="replicate", event_frequency="f"
    )
    events = data.assign(events=data["people"] * data["f"])
    events = events.groupby(["replicate", "age"], sort=False, as_index=False).agg(
        events=("events", "sum"), pop=("pop", "first")
    )
    naive = stats.dsr(events, count="events", population="pop", age="age", by="replicate")
    w = ESP["population"].to_numpy(float)
    truth = float((w * lam).sum() / w.sum() * (FREQUENCIES * FREQ_SHARES).sum() * 1e5)
    return {
        "DSR, non-independent events option": (*_limits(adjusted), truth),
        "DSR, events treated as independent": (*_limits(naive), truth),
    }


def sim_isr(
    rng: np.random.Generator, n_rep: int, *, expected: float, ratio: float
) -> dict[str, Outcome]:
    """Observed ~ Poisson(ratio x expected) in a young population against national age rates."""
    population = 100_000.0
    pops = _structure("young") * population
    ref_rates = _band_rates("young", expected, population)
    ref_pop = _structure("standard") * 50_000_000
    bands = len(ESP)
    counts = rng.poisson(np.tile(ratio * ref_rates * pops, n_rep))
    data = pd.DataFrame(
        {
            "replicate": _rep(n_rep, bands),
            "x": counts,
            "pop": np.tile(pops, n_rep),
            "rx": np.tile(ref_rates * ref_pop, n_rep),
            "rn": np.tile(ref_pop, n_rep),
        }
    )
    res = stats.isr(
        data, count="x", population="pop", ref_count="rx", ref_population="rn", by="replicate"
    )
    return {"ISR (exact < 10, Byar >= 10)": (*_limits(res), ratio)}


# ---------------------------------------------------------------------------------------------
# comparisons: rate and proportion ratios and differences, participation-to-prevalence
# ---------------------------------------------------------------------------------------------


def _pairs(n_rep: int, focus: np.ndarray, ref: np.ndarray, **columns: Any) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "replicate": _rep(n_rep, 2),
            "group": np.tile(["focus", "reference"], n_rep),
            "x": np.column_stack([focus, ref]).ravel(),
            **{k: np.tile(v, n_rep) for k, v in columns.items()},
        }
    )


def _focus(res: pd.DataFrame, column: str = "group") -> pd.DataFrame:
    return res[res[column] == "focus"].sort_values("replicate")


def sim_rate_ratio(
    rng: np.random.Generator, n_rep: int, *, focus: float, reference: float, ratio: float
) -> dict[str, Outcome]:
    """Focus group expects ``focus`` events, the reference ``reference`` events, rates differ by
    ``ratio`` (the populations follow)."""
    pop_ref = 100_000.0
    rate_ref = reference / pop_ref
    pop_focus = focus / (rate_ref * ratio)
    data = _pairs(
        n_rep,
        rng.poisson(focus, n_rep),
        rng.poisson(reference, n_rep),
        pop=np.array([pop_focus, pop_ref]),
    )
    res = _focus(
        stats.rate_ratio(
            data, count="x", population="pop", group="group", reference="reference", by="replicate"
        )
    )
    diff = (ratio - 1) * rate_ref * 1e5
    return {
        "rate ratio (log, Katz)": (*_limits(res), ratio),
        "rate difference (normal)": (
            res["difference_lower_ci"].to_numpy(float),
            res["difference_upper_ci"].to_numpy(float),
            diff,
        ),
    }


def sim_proportion_ratio(
    rng: np.random.Generator, n_rep: int, *, n_focus: int, p_focus: float, n_ref: int, p_ref: float
) -> dict[str, Outcome]:
    data = _pairs(
        n_rep,
        rng.binomial(n_focus, p_focus, n_rep),
        rng.binomial(n_ref, p_ref, n_rep),
        n=np.array([float(n_focus), float(n_ref)]),
    )
    res = _focus(
        stats.proportion_ratio(
            data,
            numerator="x",
            denominator="n",
            group="group",
            reference="reference",
            by="replicate",
        )
    )
    return {
        "proportion ratio / relative likelihood (log, Katz)": (*_limits(res), p_focus / p_ref),
        "proportion difference (Newcombe)": (
            res["difference_lower_ci"].to_numpy(float),
            res["difference_upper_ci"].to_numpy(float),
            p_focus - p_ref,
        ),
    }


PPR_SHARES = np.array([0.80, 0.15, 0.05])  # population shares: majority, two minority groups
PPR_TRUE = np.array([1.05, 0.80, 0.50])  # participation relative to population share (unnormalised)


def sim_participation(
    rng: np.random.Generator, n_rep: int, *, participants: int, sampled: int
) -> dict[str, Outcome]:
    """Participants drawn from three groups; the population shares known (``sampled=0``) or
    themselves estimated from a sample of ``sampled`` people."""
    pi = PPR_SHARES * PPR_TRUE / (PPR_SHARES * PPR_TRUE).sum()
    truth = float(pi[2] / PPR_SHARES[2])
    part = rng.multinomial(participants, pi, n_rep)
    pop = (
        rng.multinomial(sampled, PPR_SHARES, n_rep)
        if sampled
        else np.tile(PPR_SHARES * 1_000_000, (n_rep, 1))
    )
    data = pd.DataFrame(
        {
            "replicate": _rep(n_rep, 3),
            "group": np.tile(["a", "b", "focus"], n_rep),
            "p": part.ravel(),
            "n": pop.ravel().astype(float),
        }
    )
    res = stats.participation_ratio(
        data, participants="p", population="n", group="group", by="replicate",
        population_sampled=bool(sampled),
    )  # fmt: skip
    label = "PPR, population sampled (log, Katz)" if sampled else "PPR, shares known (Wilson)"
    return {label: (*_limits(_focus(res)), truth)}


# ---------------------------------------------------------------------------------------------
# funnel limits: share of in-control units inside the limits
# ---------------------------------------------------------------------------------------------


def sim_funnel(rng: np.random.Generator, n_rep: int, *, statistic: str) -> dict[str, Outcome]:
    """``n_rep`` in-control units (denominators from 20 to 20,000), all in one call: the baseline is
    then the true value, and the share inside the limits is the limits' own coverage."""
    size = np.exp(rng.uniform(np.log(20), np.log(20_000), n_rep)).round()
    if statistic == "proportion":
        data = pd.DataFrame({"num": rng.binomial(size.astype(int), 0.1), "den": size})
    else:
        expected = size / 100
        data = pd.DataFrame({"num": rng.poisson(expected), "den": expected})
    res = stats.funnel_significance(data, statistic=statistic, numerator="num", denominator="den")
    inside95 = (res["significance"] == "Not significant").to_numpy()
    inside998 = ~res["outside_998"].to_numpy(bool)
    # coded as intervals: [0, 1] contains the truth 0.5 when the unit is inside the limits
    return {
        f"{statistic} funnel, 95% limits": (np.where(inside95, 0.0, 0.6), np.ones(n_rep), 0.5),
        f"{statistic} funnel, 99.8% limits": (np.where(inside998, 0.0, 0.6), np.ones(n_rep), 0.5),
    }


# ---------------------------------------------------------------------------------------------
# agreement and discrimination: kappa, AUC (DeLong, Hanley-McNeil), calibration
# ---------------------------------------------------------------------------------------------

#: Joint distribution of two raters' ethnicity codes (3 categories), kappa about 0.70.
KAPPA_TABLE = np.array([[0.55, 0.03, 0.02], [0.04, 0.16, 0.02], [0.04, 0.03, 0.11]])


def _true_kappa(p: np.ndarray) -> float:
    po = np.trace(p)
    pe = float(p.sum(axis=1) @ p.sum(axis=0))
    return float((po - pe) / (1 - pe))


def sim_kappa(rng: np.random.Generator, n_rep: int, *, n: int) -> dict[str, Outcome]:
    """Contingency tables drawn whole (multinomial), one call per replicate."""
    tables = rng.multinomial(n, KAPPA_TABLE.ravel(), n_rep).reshape(n_rep, 3, 3)
    rows = [stats.kappa(t) for t in tables]
    res = pd.concat(rows, ignore_index=True)
    return {"Cohen's kappa (Fleiss-Cohen-Everitt SE)": (*_limits(res), _true_kappa(KAPPA_TABLE))}


def sim_auc(
    rng: np.random.Generator, n_rep: int, *, events: int, non_events: int, auc: float
) -> dict[str, Outcome]:
    """Binormal scores: AUC = Phi(d / sqrt 2)."""
    d = float(sps.norm.ppf(auc) * np.sqrt(2))
    per = events + non_events
    y = np.tile(np.r_[np.ones(events), np.zeros(non_events)], n_rep)
    score = rng.normal(size=n_rep * per) + d * y
    data = pd.DataFrame({"replicate": _rep(n_rep, per), "y": y.astype(int), "s": score})
    delong = stats.auc(data, predicted="s", observed="y", by="replicate")
    hm = stats.auc(data, predicted="s", observed="y", by="replicate", method="hanley_mcneil")
    return {"AUC (DeLong)": (*_limits(delong), auc), "AUC (Hanley-McNeil)": (*_limits(hm), auc)}


def sim_calibration(rng: np.random.Generator, n_rep: int, *, n: int) -> dict[str, Outcome]:
    """Well-calibrated risks (outcomes drawn from the predictions): O/E 1, CITL 0, slope 1."""
    lp = rng.normal(-1.5, 1.0, (n_rep, n))
    p = 1 / (1 + np.exp(-lp))
    y = (rng.random((n_rep, n)) < p).astype(int)
    out: dict[str, list[np.ndarray]] = {}
    for i in range(n_rep):
        res = stats.calibration(pd.DataFrame({"p": p[i], "y": y[i]}), predicted="p", observed="y")
        for measure, lo, hi in res[["measure", "lower_ci", "upper_ci"]].itertuples(index=False):
            out.setdefault(measure, []).append(np.array([lo, hi]))
    truth = {"observed/expected": 1.0, "calibration-in-the-large": 0.0, "calibration slope": 1.0}
    result: dict[str, Outcome] = {}
    for measure, limits in out.items():
        arr = np.array(limits, dtype=float)
        result[f"calibration: {measure}"] = (arr[:, 0], arr[:, 1], truth[measure])
    return result


# ---------------------------------------------------------------------------------------------
# survey and measurement: weighted percentages (Kish), Bland-Altman
# ---------------------------------------------------------------------------------------------


def sim_weighted(rng: np.random.Generator, n_rep: int, *, n: int, p: float) -> dict[str, Outcome]:
    """Respondents from two strata sampled unequally (weights 1 and 4) with different prevalences."""
    stratum = rng.random((n_rep, n)) < 0.5
    weight = np.where(stratum, 4.0, 1.0)
    # population: stratum B is 4/5 of it; prevalences chosen so the population value is p
    p_a, p_b = p * 0.6, p * 1.1  # 0.2 p_a + 0.8 p_b = p
    y = rng.random((n_rep, n)) < np.where(stratum, p_b, p_a)
    data = pd.DataFrame(
        {"replicate": _rep(n_rep, n), "y": y.ravel().astype(int), "w": weight.ravel()}
    )
    res = stats.weighted_percentages(data, outcomes="y", weight="w", by="replicate")
    lower, upper = _limits(res)
    return {"weighted percentage (Wilson, Kish n)": (lower, upper, p * 100)}


def sim_bland_altman(rng: np.random.Generator, n_rep: int, *, n: int) -> dict[str, Outcome]:
    """Pulse oximeter against arterial saturation: bias 1.5 points, SD of differences 2."""
    ref = rng.normal(94, 3, n_rep * n)
    measured = ref + 1.5 + rng.normal(0, 2, n_rep * n)
    data = pd.DataFrame({"replicate": _rep(n_rep, n), "m": measured, "r": ref})
    res = stats.bland_altman(data, measured="m", reference="r", by="replicate")
    cols = res.columns
    out: dict[str, Outcome] = {"Bland-Altman mean bias (t)": (*_limits(res), 1.5)}
    if {"upper_loa_lower_ci", "upper_loa_upper_ci"} <= set(cols):
        out["Bland-Altman upper limit of agreement"] = (
            res["upper_loa_lower_ci"].to_numpy(float),
            res["upper_loa_upper_ci"].to_numpy(float),
            1.5 + float(sps.norm.ppf(0.975)) * 2,
        )
    return out


# ---------------------------------------------------------------------------------------------
# models: Poisson / negative binomial rate ratio, logistic odds ratio (adjusted for age)
# ---------------------------------------------------------------------------------------------


def sim_poisson_model(
    rng: np.random.Generator, n_rep: int, *, expected: float
) -> dict[str, Outcome]:
    """Two groups x 10 age bands x 2 sexes (40 cells), the focus group younger, rate ratio 2 within
    age and sex; ``family="auto"`` as the reports use it (negative binomial when over-dispersed)."""
    bands = 10
    age_rate = np.exp(0.3 * np.arange(bands))
    young = np.exp(-0.25 * np.arange(bands))
    old = np.exp(0.05 * np.arange(bands))
    pops = np.stack([young / young.sum(), old / old.sum()])  # focus young, reference old
    pops = np.repeat(pops, 2, axis=1)  # x 2 sexes
    sex_rate = np.tile([1.0, 1.3], bands)
    mu = np.array([2.0, 1.0])[:, None] * np.repeat(age_rate, 2)[None, :] * sex_rate * pops
    mu = mu * expected / mu.sum()
    cells = mu.size
    counts = rng.poisson(mu.ravel(), (n_rep, cells))
    frame = pd.DataFrame(
        {
            "group": np.repeat(["focus", "reference"], cells // 2),
            "age": np.tile(np.repeat([f"a{i:02d}" for i in range(bands)], 2), 2),
            "sex": np.tile(["f", "m"], cells // 2),
            "pop": pops.ravel() * 100_000,
        }
    )
    lower, upper = np.full(n_rep, np.nan), np.full(n_rep, np.nan)
    for i in range(n_rep):
        res = stats.poisson_model(
            frame.assign(x=counts[i]),
            count="x",
            population="pop",
            group="group",
            reference="reference",
            covariates=["age", "sex"],
            categorical=["age", "sex"],
        )
        row = res[res["group"] == "focus"].iloc[0]
        lower[i], upper[i] = row["lower_ci"], row["upper_ci"]
    return {"Poisson model rate ratio (adjusted)": (lower, upper, 2.0)}


def sim_logistic_model(rng: np.random.Generator, n_rep: int, *, n: int) -> dict[str, Outcome]:
    """Individuals in two groups and 3 age bands, odds ratio 1.8 within age."""
    group = rng.random((n_rep, n)) < 0.3
    age = rng.integers(0, 3, (n_rep, n)) + group  # the focus group is older
    lp = -2.0 + np.log(1.8) * group + 0.5 * age
    y = (rng.random((n_rep, n)) < 1 / (1 + np.exp(-lp))).astype(int)
    lower, upper = np.full(n_rep, np.nan), np.full(n_rep, np.nan)
    for i in range(n_rep):
        frame = pd.DataFrame(
            {"y": y[i], "group": np.where(group[i], "focus", "reference"), "age": age[i]}
        )
        res = stats.logistic_model(
            frame,
            outcome="y",
            group="group",
            reference="reference",
            covariates=["age"],
            categorical=["age"],
        )
        row = res[res["group"] == "focus"].iloc[0]
        lower[i], upper[i] = row["lower_ci"], row["upper_ci"]
    return {"logistic model odds ratio (adjusted)": (lower, upper, 1.8)}


# ---------------------------------------------------------------------------------------------
# the grid
# ---------------------------------------------------------------------------------------------


def scenarios() -> list[Scenario]:
    """Every scenario, in a fixed order (the order gives each its seed)."""
    out: list[Scenario] = []
    for n, p in [
        (20, 0.05), (20, 0.5), (50, 0.01), (100, 0.1), (100, 0.95), (200, 0.99),
        (1_000, 0.001), (1_000, 0.5), (10_000, 0.02),
    ]:  # fmt: skip
        out.append(Scenario("wilson", f"n={n:,}, p={p}", sim_proportion, {"n": n, "p": p}))
    for e in (0.5, 2, 5, 9, 15, 50, 500):
        out.append(
            Scenario("poisson", f"expected count {e}", sim_rate, {"expected": e, "population": 5e4})
        )
    for n, sigma in ((5, 0.0), (5, 1.0), (30, 1.0), (200, 1.0), (30, 0.0)):
        shape = "normal" if sigma == 0 else f"log-normal (sigma {sigma})"
        out.append(Scenario("student-t", f"n={n}, {shape}", sim_mean, {"n": n, "sigma": sigma}))
    for structure in ("young", "standard", "old"):
        for e in (12, 30, 100, 1_000):
            out.append(
                Scenario(
                    "dsr",
                    f"{structure} population, {e:,} expected events",
                    sim_dsr,
                    {"structure": structure, "expected": e},
                )
            )
    for structure, people in (("young", 20), ("standard", 100), ("old", 1_000)):
        out.append(
            Scenario(
                "dsr",
                f"{structure} population, {people:,} people with events (1-4 each)",
                sim_dsr_nonindependent,
                {"structure": structure, "people": people},
            )
        )
    for e, ratio in ((3, 1.5), (8, 1.5), (20, 1.5), (100, 1.5), (1_000, 0.8)):
        out.append(
            Scenario(
                "isr",
                f"{e:,} expected events, true ratio {ratio}",
                sim_isr,
                {"expected": e, "ratio": ratio},
            )
        )
    for focus, ref, ratio in (
        (10, 5, 2.0), (30, 10, 3.7), (40, 20, 2.0), (80, 200, 1.5), (5, 500, 1.0), (500, 500, 1.2),
    ):  # fmt: skip
        out.append(
            Scenario(
                "ratios",
                f"rates: {focus} vs {ref} expected events, ratio {ratio}",
                sim_rate_ratio,
                {"focus": focus, "reference": ref, "ratio": ratio},
            )
        )
    for nf, pf, nr, pr in (
        (400, 0.20, 150, 0.12), (200, 0.15, 30, 0.10), (500, 0.01, 500, 0.01),
        (60, 0.05, 25, 0.04), (5_000, 0.3, 1_000, 0.2), (100, 0.95, 100, 0.9),
    ):  # fmt: skip
        out.append(
            Scenario(
                "ratios",
                f"proportions: {pf} of {nf:,} vs {pr} of {nr:,}",
                sim_proportion_ratio,
                {"n_focus": nf, "p_focus": pf, "n_ref": nr, "p_ref": pr},
            )
        )
    for participants, sampled in ((200, 0), (2_000, 0), (200, 2_000), (2_000, 20_000)):
        where = f", population sample of {sampled:,}" if sampled else ", shares known"
        out.append(
            Scenario(
                "participation",
                f"{participants:,} participants{where}",
                sim_participation,
                {"participants": participants, "sampled": sampled},
            )
        )
    for statistic in ("proportion", "ratio"):
        out.append(
            Scenario(
                "funnels",
                f"in-control {statistic}s, denominators 20 to 20,000",
                sim_funnel,
                {"statistic": statistic},
                nominal={
                    f"{statistic} funnel, 95% limits": 0.95,
                    f"{statistic} funnel, 99.8% limits": 0.998,
                },
            )
        )
    out.append(Scenario("kappa", "100 subjects, kappa 0.70", sim_kappa, {"n": 100}, cost=3))
    for ev, ne, a in ((20, 80, 0.75), (20, 80, 0.95), (100, 400, 0.85)):
        out.append(
            Scenario(
                "auc",
                f"{ev} events, {ne:,} non-events, AUC {a}",
                sim_auc,
                {"events": ev, "non_events": ne, "auc": a},
            )
        )
    out.append(
        Scenario("calibration", "500 people, calibrated", sim_calibration, {"n": 500}, cost=9)
    )
    for n, p in ((100, 0.3), (1_000, 0.05)):
        out.append(Scenario("survey", f"{n:,} respondents, p={p}", sim_weighted, {"n": n, "p": p}))
    for n in (20, 100):
        out.append(Scenario("bland-altman", f"{n} pairs", sim_bland_altman, {"n": n}))
    out.append(
        Scenario(
            "models",
            "Poisson, 40 cells, 300 expected events",
            sim_poisson_model,
            {"expected": 300},
            cost=8,
        )
    )
    out.append(Scenario("models", "logistic, 400 people", sim_logistic_model, {"n": 400}, cost=10))
    return out


# ---------------------------------------------------------------------------------------------
# running and summarising
# ---------------------------------------------------------------------------------------------


def summarise(outcome: Outcome, nominal: float) -> dict[str, float]:
    """Coverage, its Monte Carlo error, misses on each side, share reported, mean width."""
    lower, upper, truth = outcome
    lower, upper = np.asarray(lower, float), np.asarray(upper, float)
    reported = np.isfinite(lower) & np.isfinite(upper)
    n = int(reported.sum())
    lo, hi = lower[reported], upper[reported]
    cov = float(np.mean((lo <= truth) & (truth <= hi))) if n else float("nan")
    return {
        "nominal": nominal,
        "replicates": len(lower),
        "reported": n / len(lower),
        "coverage": cov,
        "mc_error": float(np.sqrt(cov * (1 - cov) / n)) if n else float("nan"),
        "truth_below_lower": float(np.mean(truth < lo)) if n else float("nan"),
        "truth_above_upper": float(np.mean(truth > hi)) if n else float("nan"),
        "mean_width": float(np.mean(hi - lo)) if n else float("nan"),
        "truth": truth,
    }


def run_one(index: int, scenario: Scenario, replicates: int, seed: int) -> list[dict[str, Any]]:
    """Simulate one scenario with its own seed (``[seed, index]``) and summarise each statistic."""
    logging.getLogger("rhoresearch").setLevel(logging.ERROR)
    rng = np.random.default_rng([seed, index])
    started = time.perf_counter()
    results = scenario.simulate(rng, replicates, **scenario.options)
    seconds = time.perf_counter() - started
    rows = []
    for statistic, outcome in results.items():
        row = {"method": scenario.method, "statistic": statistic, "scenario": scenario.name}
        row.update(summarise(outcome, scenario.nominal.get(statistic, LEVEL)))
        row["seconds"] = seconds
        rows.append(row)
    return rows


#: The methods' names in the figures' titles.
TITLES = {
    "wilson": "the Wilson interval (proportions)",
    "poisson": "the exact Poisson / Byar interval (rates)",
    "student-t": "the Student t interval (means)",
    "dsr": "Dobson's interval (directly standardised rates)",
    "isr": "the ISR interval",
    "ratios": "the ratio and difference intervals",
    "participation": "the participation-to-prevalence ratio interval",
    "funnels": "the funnel limits (in-control units inside)",
    "kappa": "the kappa interval",
    "auc": "the AUC intervals",
    "calibration": "the calibration intervals",
    "survey": "the weighted percentage interval",
    "bland-altman": "the Bland-Altman mean bias interval",
    "models": "the model (Wald) intervals",
}


def figure(table: pd.DataFrame, method: str, path: Path) -> None:
    """Coverage +/- 2 Monte Carlo errors per scenario and statistic, against the nominal level."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sub = table[table["method"] == method].reset_index(drop=True)
    labels = [f"{s}\n{c}" if len(sub["statistic"].unique()) > 1 else c for s, c in
              zip(sub["statistic"], sub["scenario"], strict=True)]  # fmt: skip
    height = 0.8 + 0.42 * len(sub) * (1.6 if len(sub["statistic"].unique()) > 1 else 1)
    fig, ax = plt.subplots(figsize=(8, height))
    y = np.arange(len(sub))[::-1]
    under = sub["coverage"] + 2 * sub["mc_error"] < sub["nominal"]
    ax.errorbar(
        sub["coverage"],
        y,
        xerr=2 * sub["mc_error"],
        fmt="none",
        ecolor="#555555",
        capsize=2,
    )
    ax.scatter(sub["coverage"][~under], y[~under], color="#0072B2", zorder=3, label="covers")
    ax.scatter(
        sub["coverage"][under], y[under], color="#D55E00", marker="D", zorder=3,
        label="under-covers (by more than 2 MC errors)",
    )  # fmt: skip
    for nominal in sorted(sub["nominal"].unique()):
        ax.axvline(nominal, color="#333333", linestyle="--", linewidth=1)
    ax.set_yticks(y, labels, fontsize=8)
    low = float(np.nanmin(sub["coverage"] - 2 * sub["mc_error"]))
    ax.set_xlim(min(0.85, low - 0.01), 1.0)
    ax.set_xlabel("empirical coverage (dashed line: nominal level; bars: ± 2 Monte Carlo SEs)")
    reps = int(sub["replicates"].iloc[0])
    ax.set_title(f"Coverage of {TITLES.get(method, method)}, {reps:,} replicates", fontsize=10)
    ax.legend(loc="lower left", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=90, metadata={"Software": None})
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicates", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--out", type=Path, default=OUT, help="folder for coverage.csv and figures")
    parser.add_argument("--only", default=None, help="run only the scenarios of this method")
    parser.add_argument(
        "--figures-only", action="store_true", help="redraw the figures from the existing CSV"
    )
    args = parser.parse_args(argv)
    if args.figures_only:
        table = pd.read_csv(args.out / "coverage.csv")
        for method in table["method"].unique():
            figure(table, method, args.out / f"{method}.png")
        return 0

    grid = list(enumerate(scenarios()))
    if args.only:
        grid = [(i, s) for i, s in grid if s.method == args.only]
    order = sorted(grid, key=lambda item: -item[1].cost)  # the slow ones first
    started = time.perf_counter()
    run = partial(run_one, replicates=args.replicates, seed=args.seed)
    with ProcessPoolExecutor(max_workers=args.workers) as pool:
        futures = {i: pool.submit(run, i, s) for i, s in order}
        rows = [row for i, _ in grid for row in futures[i].result()]
    table = pd.DataFrame(rows)
    args.out.mkdir(parents=True, exist_ok=True)
    table.drop(columns="seconds").to_csv(
        args.out / "coverage.csv", index=False, float_format="%.6g"
    )
    for method in table["method"].unique():
        figure(table, method, args.out / f"{method}.png")
    for row in table.itertuples(index=False):
        flag = "  UNDER-COVERS" if row.coverage + 2 * row.mc_error < row.nominal else ""
        print(
            f"{row.method:<14} {row.statistic:<52} {row.scenario:<48} "
            f"coverage={row.coverage:.4f} (+/-{row.mc_error:.4f}) reported={row.reported:.3f}{flag}"
        )
    elapsed = time.perf_counter() - started
    print(f"elapsed_s={elapsed:.0f} workers={args.workers}", file=sys.stderr)
    print(
        f"coverage_min={table['coverage'].min():.4f} "
        f"coverage_median={table['coverage'].median():.4f} "
        f"scenarios={len(table)} replicates={args.replicates}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
