"""Bad inputs through the real build: every case stops its report with one line naming the problem.

Each case is one report entry of one temporary configuration, run by one
``python -m rhoresearch build --config <tmp>/reports.yml -j 2`` (so that the corpus costs one
build): a bad file (missing, empty, header only, wrong delimiter or encoding, a missing column,
text in a number column, a value outside its declared domain, a duplicated id or key, a row that
breaks a rule over several columns) or a bad parameter (a year, period, region, organisation or
reference group that is not in the data; a confidence or threshold out of range). For each case:
the build exits non-zero, no report folder is made (a previous good report is left as it was),
the terminal shows no traceback, and the report's error line names the problem (the fragments
of :data:`CASES`, e.g. the column, the rule, the row and the value).

The bad files are made from the demonstration data (``make data``), one change each (see
``tests/fixtures/bad_inputs/README.md``); the literal ones are in ``tests/fixtures/bad_inputs/``.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "bad_inputs"
DEMO = ROOT / "data" / "demo"

pytestmark = pytest.mark.slow  # one build of every case: each starts a kernel
NOTEBOOKS = {
    1: "notebooks/01-community-trust.ipynb",
    2: "notebooks/02-workforce-race-equality.ipynb",
    3: "notebooks/03-data-quality-representation.ipynb",
    4: "notebooks/04-technology-bias.ipynb",
    5: "notebooks/05-maternal-neonatal.ipynb",
    6: "notebooks/06-mental-health.ipynb",
}

# Bad files made from the demonstration data: name -> (demo file, change). Changes:
# ("set", column, row, value), ("drop", column), ("dup", row) (a copy of a row appended),
# ("keep",) (the first SUBSET rows unchanged: the parameter cases run on them, quickly).
SUBSET = 3000  # records kept of a record-level demo file (spread over the file)
MADE = {
    "responses_imd9.csv": ("survey/responses.csv", ("set", "imd_quintile", 2, "9")),
    "responses_weight_text.csv": ("survey/responses.csv", ("set", "weight", 4, "heavy")),
    "responses_dup.csv": ("survey/responses.csv", ("dup", 6)),
    "responses_no_q_trust.csv": ("survey/responses.csv", ("drop", "q_trust")),
    "returns_negative.csv": (
        "workforce/workforce_returns.csv",
        ("set", "staff_headcount", 3, "-7"),
    ),
    "returns_appointed.csv": ("workforce/workforce_returns.csv", ("set", "appointed", 2, "999999")),
    "staff_pay_band.csv": ("workforce/staff_in_post.csv", ("set", "pay_band", 5, "Band 12")),
    "records_year_text.csv": ("data_quality/records.csv", ("set", "year", 3, "twenty")),
    "records_dup.csv": ("data_quality/records.csv", ("dup", 4)),
    "providers_no_code.csv": ("data_quality/providers.csv", ("drop", "provider_code")),
    "oximetry_spo2.csv": ("technology/oximetry.csv", ("set", "spo2", 2, "180")),
    "oximetry_setting.csv": ("technology/oximetry.csv", ("set", "setting", 7, "Car park")),
    "risk_predicted.csv": ("technology/risk_score.csv", ("set", "predicted_risk", 3, "1.5")),
    "risk_outcome.csv": ("technology/risk_score.csv", ("set", "outcome", 5, "2")),
    "sickle_year.csv": (
        "technology/sickle_cell_admissions.csv",
        ("set", "financial_year", 1, "2018-19"),
    ),
    "maternities_imd9.csv": ("maternity/maternities.parquet", ("set", "imd_quintile", 9, "9")),
    "maternities_year3000.csv": ("maternity/maternities.parquet", ("set", "year", 11, "3000")),
    "maternities_dup.csv": ("maternity/maternities.parquet", ("dup", 13)),
    "maternities_babies0.csv": (
        "maternity/maternities.parquet",
        ("set", "number_of_babies", 15, "0"),
    ),
    "maternities_no_year.csv": ("maternity/maternities.parquet", ("drop", "year")),
    "maternities_death_text.csv": (
        "maternity/maternities.parquet",
        ("set", "maternal_death", 4, "maybe"),
    ),
    "maternities_ok.csv": ("maternity/maternities.parquet", ("keep",)),
    "births_ok.csv": ("maternity/births.parquet", ("keep",)),
    "births_both.csv": ("maternity/births.parquet", ("set", "neonatal_death", 0, "True")),
    "births_order0.csv": ("maternity/births.parquet", ("set", "birth_order", 6, "0")),
    "detentions_age150.csv": ("mental_health/detentions.parquet", ("set", "age", 8, "150")),
    "detentions_dup.csv": ("mental_health/detentions.parquet", ("dup", 10)),
    "detentions_no_sex.csv": ("mental_health/detentions.parquet", ("drop", "sex")),
    "population_sex.csv": ("mental_health/population.parquet", ("set", "sex", 3, "Unknown")),
    "mh_providers_dup.csv": ("mental_health/providers.csv", ("dup", 2)),
}

#: Notebook 05 on small good files (its parameter cases then fail fast).
OK05 = {"maternities_path": "{bad}/maternities_ok.csv", "births_path": "{bad}/births_ok.csv"}

# (case id, notebook, parameters, fragments the error line must contain). In parameters,
# "{bad}/x" is a made file, "{fix}/x" a literal fixture, "{missing}" a file that does not exist.
CASES: list[tuple[str, int, dict, list[str]]] = [
    # notebook 01: community participation and trust
    ("nb01-imd9", 1, {"responses_path": "{bad}/responses_imd9.csv"},
     ["column 'imd_quintile'", "one of [1, 2, 3, 4, 5]", "row 3 (line 4)", "9"]),
    ("nb01-weight-text", 1, {"responses_path": "{bad}/responses_weight_text.csv"},
     ["column 'weight'", "a number", "row 5 (line 6)", "'heavy'"]),
    ("nb01-duplicate-respondent", 1, {"responses_path": "{bad}/responses_dup.csv"},
     ["key ['respondent_id']", "one row per key", "row 7 (line 8)"]),
    ("nb01-missing-column", 1, {"responses_path": "{bad}/responses_no_q_trust.csv"},
     ["missing column(s) ['q_trust']"]),
    ("nb01-empty-file", 1, {"responses_path": "{fix}/empty.csv"}, ["empty.csv", "empty"]),
    ("nb01-missing-file", 1, {"responses_path": "{missing}"}, ["no such data file"]),
    ("nb01-region", 1, {"region": "Atlantis"}, ["Atlantis"]),
    ("nb01-reference", 1, {"reference_group": "Martian"}, ["Martian"]),
    ("nb01-confidence", 1, {"confidence": 1.5}, ["confidence", "1.5"]),
    ("nb01-grouping", 1, {"grouping": "fine"}, ["grouping must be one of", "'fine'"]),
    # notebook 02: workforce race equality
    ("nb02-negative-count", 2, {"returns_path": "{bad}/returns_negative.csv"},
     ["column 'staff_headcount'", ">= 0", "row 4 (line 5)", "-7"]),
    ("nb02-appointed-above-shortlisted", 2, {"returns_path": "{bad}/returns_appointed.csv"},
     ["columns ['shortlisted', 'appointed']", "appointed <= shortlisted", "row 3 (line 4)",
      "appointed=999999"]),
    ("nb02-pay-band", 2, {"staff_path": "{bad}/staff_pay_band.csv"},
     ["column 'pay_band'", "one of", "row 6 (line 7)", "'Band 12'"]),
    ("nb02-organisation", 2, {"organisation": "ZZZ"}, ["ZZZ"]),
    ("nb02-year", 2, {"year": 1990}, ["1990"]),
    # notebook 03: ethnicity data quality and representation in research
    ("nb03-year-text", 3, {"records_path": "{bad}/records_year_text.csv"},
     ["column 'year'", "row 4 (line 5)", "'twenty'"]),
    ("nb03-duplicate-record", 3, {"records_path": "{bad}/records_dup.csv"},
     ["column 'record_id'", "each value once only"]),
    ("nb03-missing-column", 3, {"providers_path": "{bad}/providers_no_code.csv"},
     ["missing column(s) ['provider_code']"]),
    ("nb03-dataset", 3, {"dataset": "nonsense"}, ["nonsense"]),
    ("nb03-year", 3, {"year": 1900}, ["1900"]),
    # notebook 04: technology and innovation
    ("nb04-spo2-180", 4, {"oximetry_path": "{bad}/oximetry_spo2.csv"},
     ["column 'spo2'", "between 0 and 100", "row 3 (line 4)", "180"]),
    ("nb04-setting", 4, {"oximetry_path": "{bad}/oximetry_setting.csv"},
     ["column 'setting'", "one of ['ICU', 'ED', 'Ward']", "row 8 (line 9)", "'Car park'"]),
    ("nb04-header-only", 4, {"oximetry_path": "{fix}/oximetry_header_only.csv"},
     ["oximetry_header_only.csv", "no data rows"]),
    ("nb04-semicolons", 4, {"oximetry_path": "{fix}/oximetry_semicolons.csv"},
     ["missing column(s)", "';'-separated"]),
    ("nb04-risk-above-1", 4, {"risk_score_path": "{bad}/risk_predicted.csv"},
     ["column 'predicted_risk'", "< 1", "row 4 (line 5)", "1.5"]),
    ("nb04-outcome-2", 4, {"risk_score_path": "{bad}/risk_outcome.csv"},
     ["column 'outcome'", "one of [0, 1]", "row 6 (line 7)", "2"]),
    ("nb04-financial-year-form", 4, {"sickle_cell_path": "{bad}/sickle_year.csv"},
     ["column 'financial_year'", "row 2 (line 3)", "'2018-19'"]),
    ("nb04-latin1", 4, {"sickle_cell_path": "{fix}/sickle_cell_latin1.csv"},
     ["not valid UTF-8", "line 3"]),
    ("nb04-financial-year", 4, {"financial_year": "1999/00"}, ["1999/00"]),
    ("nb04-reference", 4, {"reference_group": "Purple"}, ["Purple"]),
    ("nb04-reference-level", 4, {"grouping": "detailed", "reference_group": "White"},
     ["reference_group 'White'", "grouping='detailed'", "'White British'"]),
    # notebook 05: maternal and neonatal outcomes (the cases)
    ("nb05-imd9", 5, {"maternities_path": "{bad}/maternities_imd9.csv"},
     ["column 'imd_quintile'", "one of [1, 2, 3, 4, 5]", "row 10 (line 11)", "'9'"]),
    ("nb05-year3000", 5, {"maternities_path": "{bad}/maternities_year3000.csv"},
     ["column 'year'", "between 1990 and 2100", "row 12 (line 13)", "'3000'"]),
    ("nb05-duplicate-maternity", 5, {"maternities_path": "{bad}/maternities_dup.csv"},
     ["column 'maternity_id'", "each value once only", "2 failing rows", "row 14 (line 15)"]),
    ("nb05-babies0", 5, {"maternities_path": "{bad}/maternities_babies0.csv"},
     ["column 'number_of_babies'", "between 1 and 8", "row 16 (line 17)", "'0'"]),
    ("nb05-missing-column", 5, {"maternities_path": "{bad}/maternities_no_year.csv"},
     ["missing column(s) ['year']"]),
    ("nb05-flag-text", 5, {"maternities_path": "{bad}/maternities_death_text.csv"},
     ["column 'maternal_death'", "true/false", "row 5 (line 6)", "'maybe'"]),
    ("nb05-still-and-neonatal", 5, {"births_path": "{bad}/births_both.csv"},
     ["not both a stillbirth and a neonatal death", "row 1 (line 2)"]),
    ("nb05-birth-order0", 5, {"births_path": "{bad}/births_order0.csv"},
     ["column 'birth_order'", "between 1 and 8", "row 7 (line 8)", "'0'"]),
    ("nb05-missing-file", 5, {"births_path": "{missing}"}, ["no such", "no_such_file.csv"]),
    ("nb05-period", 5, {**OK05, "period": "1900-02"}, ["1900-02"]),
    ("nb05-region", 5, {**OK05, "region": "Atlantis"}, ["Atlantis"]),
    ("nb05-threshold", 5, {**OK05, "suppression_threshold": -3}, ["-3"]),
    # notebook 06: mental health
    ("nb06-age150", 6, {"detentions_path": "{bad}/detentions_age150.csv"},
     ["column 'age'", "between 0 and 120", "row 9 (line 10)", "'150"]),
    ("nb06-duplicate-detention", 6, {"detentions_path": "{bad}/detentions_dup.csv"},
     ["column 'detention_id'", "each value once only", "row 11 (line 12)"]),
    ("nb06-missing-column", 6, {"ctos_path": "{bad}/detentions_no_sex.csv"},
     ["missing column(s)", "'sex'"]),
    ("nb06-population-sex", 6, {"population_path": "{bad}/population_sex.csv"},
     ["column 'sex'", "one of ['Male', 'Female']", "row 4 (line 5)", "'Unknown'"]),
    ("nb06-duplicate-provider", 6, {"providers_path": "{bad}/mh_providers_dup.csv"},
     ["column 'provider_code'", "each value once only"]),
    ("nb06-year", 6, {"year": "1999-00"}, ["1999-00"]),
    ("nb06-region", 6, {"region": "Atlantis"}, ["Atlantis"]),
]  # fmt: skip

#: Cases given a previous good report (a stand-in folder) that the failed build must not touch.
WITH_PREVIOUS = {"nb04-spo2-180", "nb05-imd9"}


def _make(bad: Path) -> None:
    """Write the bad files of :data:`MADE` into ``bad``."""
    cache: dict[str, pd.DataFrame] = {}
    for name, (demo, change) in MADE.items():
        if demo not in cache:
            source = DEMO / demo
            if source.suffix == ".parquet":
                frame = pd.read_parquet(source)
                # every k-th record, so that the subset spans every year of the demo data
                frame = frame.iloc[:: max(1, len(frame) // SUBSET)].head(SUBSET)
                cache[demo] = frame.astype("string")
            else:
                cache[demo] = pd.read_csv(source, dtype=str, keep_default_na=False)
        frame = cache[demo].copy()
        if change[0] == "set":
            _, column, row, value = change
            frame[column] = frame[column].astype("object")
            frame.loc[frame.index[row], column] = value
        elif change[0] == "keep":
            pass
        elif change[0] == "drop":
            frame = frame.drop(columns=change[1])
        else:
            frame = pd.concat([frame, frame.iloc[[change[1]]]], ignore_index=True)
        frame.to_csv(bad / name, index=False)
    # the parameter cases' births: those whose maternity is in maternities_ok.csv, since notebook
    # 05 checks that every birth's maternity is among the maternities (a declared reference)
    kept = set(pd.read_csv(bad / "maternities_ok.csv", dtype=str)["maternity_id"])
    every_birth = pd.read_parquet(DEMO / "maternity" / "births.parquet").astype("string")
    every_birth[every_birth["maternity_id"].isin(kept)].to_csv(bad / "births_ok.csv", index=False)
    # births whose maternities are all in the subset: the other births cases change one value
    births = bad / "births_both.csv"
    frame = pd.read_csv(births, dtype=str, keep_default_na=False)
    frame.loc[0, "stillbirth"] = "True"
    frame.to_csv(births, index=False)


def _parameters(raw: dict, bad: Path) -> dict:
    out = {}
    for key, value in raw.items():
        if isinstance(value, str):
            value = value.format(bad=bad, fix=FIXTURES, missing=bad / "no_such_file.csv")
        out[key] = value
    return out


@pytest.fixture(scope="module")
def corpus_build(tmp_path_factory):
    if not (DEMO / "maternity" / "maternities.parquet").exists():
        pytest.skip("the demonstration data is needed (make data)")
    base = tmp_path_factory.mktemp("bad_inputs")
    bad = base / "bad"
    bad.mkdir()
    _make(bad)
    reports = base / "reports"
    entries = [
        {
            "id": case_id,
            "notebook": str(ROOT / NOTEBOOKS[nb]),
            "title": f"bad input {case_id}",
            "parameters": _parameters(params, bad),
        }
        for case_id, nb, params, _ in CASES
    ]
    config = base / "reports.yml"
    config.write_text(yaml.safe_dump({"reports": entries}, sort_keys=False))
    previous = {}
    for case_id in WITH_PREVIOUS:
        folder = reports / case_id
        (folder / "results").mkdir(parents=True)
        (folder / "results" / "table.csv").write_text("a,b\n1,2\n")
        (folder / "report.html").write_text("<p>the previous good report</p>")
        previous[case_id] = _snapshot(folder)
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    done = subprocess.run(
        [sys.executable, "-m", "rhoresearch", "build", "--config", str(config)]
        + ["--reports-dir", str(reports), "--force", "-j", "2"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=900,
        check=False,
    )
    return done, reports, previous


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def test_corpus_covers_every_notebook_with_at_least_forty_cases():
    assert len(CASES) >= 40
    assert {nb for _, nb, _, _ in CASES} == set(NOTEBOOKS)
    assert len({c[0] for c in CASES}) == len(CASES)


def test_the_build_fails_without_a_traceback(corpus_build):
    done, _, _ = corpus_build
    terminal = done.stdout + done.stderr
    assert done.returncode != 0
    assert "Traceback" not in terminal


@pytest.mark.parametrize(
    ("case_id", "fragments"), [(c[0], c[3]) for c in CASES], ids=[c[0] for c in CASES]
)
def test_each_case_stops_its_report_with_one_line_naming_the_problem(
    corpus_build, case_id, fragments
):
    done, reports, previous = corpus_build
    terminal = done.stdout + done.stderr
    lines = [
        line
        for line in terminal.splitlines()
        if re.search(rf"report '{re.escape(case_id)}' failed: ", line)
    ]
    assert len(lines) == 1, f"{case_id}: expected one error line, got {lines}\n{terminal[-3000:]}"
    line = lines[0]
    for fragment in fragments:
        assert fragment in line, f"{fragment!r} not in the error line:\n{line}"
    folder = reports / case_id
    if case_id in previous:
        assert _snapshot(folder) == previous[case_id]  # the previous good report is untouched
    else:
        assert not folder.exists()
    assert (reports / "_failed" / case_id / "report.ipynb").exists()
