"""Scale benchmark: record-level extracts of N rows through the aggregation layer.

Generates (once, cached under ``benchmarks/.data/`` keyed by rows and seed) a synthetic
record-level Parquet file shaped like a national extract (one row per record: person id, messy NHS
ethnic category, age, sex, year, region, an event flag and an event count), streamed to Parquet in
chunks so that generating 100 million rows needs little memory. Then, in one run, it times three
arms, each in its own process so that each has its own peak memory:

(a) ``layer``: :func:`rhoresearch.data.aggregate.stratified_counts` on the file (DuckDB, 2 threads,
    3 GB memory limit), plus the indicators on its result (crude rates by ethnic group and year,
    directly standardised rates, when :mod:`rhoresearch.stats` provides them);
(b) ``sql``: one hand-written DuckDB SQL query producing the same counts and exclusions (same
    engine settings): the comparator;
(c) ``pandas``: pyarrow reads the needed columns into pandas, which harmonises and groups; skipped
    above ``--pandas-max-rows`` (default 30 million) or when the estimated memory exceeds 8 GiB;
(d) ``validated``: arm (a) with the records' declared schema (:func:`schema`: types, nullability,
    allowed sexes and regions, age and year ranges, counts not negative) enforced in the same
    pass (:func:`rhoresearch.data.rules.declared`), after timing
    :func:`rhoresearch.data.rules.validate_source` on its own: ``validation_overhead`` is that
    validation time over (a)'s aggregation time, best runs (goal: under 0.25). The records have no
    unique id column (``person_id`` repeats), so no uniqueness check is timed here; on DuckDB an
    integer id is checked with a bitmap (one more scan of that column).

The arms' counts and exclusions must be identical. The last line printed is
``ratio_vs_duckdb_sql=<(a) time / (b) time> peak_rss_gib=<peak of arm (a)> rows=<N>
validation_overhead=<validation time / (a)'s aggregation time>``.
Goals: ratio within 1.3, peak memory under 4 GiB.

Each arm runs ``--repeat`` times (default 3), interleaved; the best time and the highest peak of
each arm are reported. ``--people`` also counts distinct people per stratum (the layer then joins
the ethnicity mapping in the engine; the SQL uses ``count(DISTINCT person_id)``).

Usage::

    .venv/bin/python benchmarks/scale.py --rows 10_000_000
    .venv/bin/python benchmarks/scale.py              # 100 million rows (about 0.6 GB of disk)
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / ".data"
CHUNK = 5_000_000
THREADS = 2
MEMORY_LIMIT = "3GB"

STRATA = ["ethnic_group", "sex", "year", "region", "age_band"]
YEARS = list(range(2016, 2023))
REGIONS = [
    "London",
    "South East",
    "South West",
    "East of England",
    "Midlands",
    "North East and Yorkshire",
    "North West",
]
# NHS ethnic category codes with the messy spellings a real extract carries, and their weights
# (about 80% tidy codes, the rest variants, not stated, not known and blanks).
ETHNIC_VALUES = {
    "A": 0.55,
    "B": 0.01,
    "C": 0.05,
    "D": 0.006,
    "E": 0.003,
    "F": 0.006,
    "G": 0.005,
    "H": 0.025,
    "J": 0.02,
    "K": 0.008,
    "L": 0.012,
    "M": 0.008,
    "N": 0.02,
    "P": 0.004,
    "R": 0.005,
    "S": 0.015,
    "a": 0.04,
    " A ": 0.02,
    "White - British": 0.03,
    "Black or Black British - African": 0.005,
    "Asian or Asian British - Indian": 0.005,
    "n": 0.003,
    "h ": 0.003,
    "Z": 0.05,
    "99": 0.04,
    "X": 0.005,
    "": 0.012,
    None: 0.03,
}


# ---------------------------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------------------------


def data_path(rows: int, seed: int) -> Path:
    return DATA / f"records_{rows}_seed{seed}.parquet"


def generate(rows: int, seed: int) -> Path:
    """Write the synthetic file (once) in chunks of 5 million rows; return its path."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = data_path(rows, seed)
    if path.exists():
        return path
    DATA.mkdir(parents=True, exist_ok=True)
    values = list(ETHNIC_VALUES)
    weights = np.array(list(ETHNIC_VALUES.values()))
    weights = weights / weights.sum()
    # the null spelling is a masked index (Parquet cannot store a null inside a dictionary)
    dictionary = pa.array(["" if v is None else v for v in values], type=pa.string())
    schema = pa.schema(
        [
            ("person_id", pa.int64()),
            ("ethnic_category", pa.dictionary(pa.int8(), pa.string())),
            ("age", pa.int16()),
            ("sex", pa.dictionary(pa.int8(), pa.string())),
            ("year", pa.int16()),
            ("region", pa.dictionary(pa.int8(), pa.string())),
            ("event", pa.bool_()),
            ("n_contacts", pa.int16()),
        ]
    )
    sexes = pa.array(["F", "M"], type=pa.string())
    regions = pa.array(REGIONS, type=pa.string())
    tmp = path.with_suffix(".partial")
    started = time.perf_counter()
    with pq.ParquetWriter(tmp, schema, compression="zstd") as writer:
        for i, start in enumerate(range(0, rows, CHUNK)):
            n = min(CHUNK, rows - start)
            rng = np.random.default_rng([seed, i])
            eth_idx = rng.choice(len(values), size=n, p=weights).astype(np.int8)
            eth_mask = np.array([v is None for v in values])[eth_idx]
            age = np.clip(rng.gamma(4.0, 10.0, n), 0, 104).astype(np.int16)
            age_missing = rng.random(n) < 0.004
            sex = rng.integers(0, 2, n).astype(np.int8)
            sex_missing = rng.random(n) < 0.002
            year = rng.choice(np.array(YEARS, dtype=np.int16), n)
            region = rng.integers(0, len(REGIONS), n).astype(np.int8)
            # the event is more common for Black and older people, and in later years
            black = np.isin(eth_idx, [values.index(v) for v in ("M", "N", "P", "n")])
            p = 0.02 * (1 + 2.5 * black) * (1 + age / 100) * (1 + (year - 2016) / 20)
            event = rng.random(n) < p
            contacts = rng.poisson(1.5, n).astype(np.int16)
            table = pa.table(
                {
                    "person_id": pa.array(rng.integers(1, max(rows // 3, 2), n, dtype=np.int64)),
                    "ethnic_category": pa.DictionaryArray.from_arrays(
                        pa.array(eth_idx, mask=eth_mask), dictionary
                    ),
                    "age": pa.array(age, mask=age_missing),
                    "sex": pa.DictionaryArray.from_arrays(pa.array(sex, mask=sex_missing), sexes),
                    "year": pa.array(year),
                    "region": pa.DictionaryArray.from_arrays(pa.array(region), regions),
                    "event": pa.array(event),
                    "n_contacts": pa.array(contacts),
                },
                schema=schema,
            )
            writer.write_table(table, row_group_size=1_000_000)
            print(
                f"generate: {start + n:,} / {rows:,} rows ({time.perf_counter() - started:.0f} s)",
                file=sys.stderr,
                flush=True,
            )
    tmp.rename(path)
    return path


# ---------------------------------------------------------------------------------------------
# Arms (each runs in a child process: python scale.py --arm NAME --data FILE --out FOLDER)
# ---------------------------------------------------------------------------------------------


def schema():
    """The records' declaration (the rules arm (d) enforces)."""
    from rhoresearch import data

    return data.dataset_schema(
        "scale_records",
        columns={
            "person_id": data.column("int", min=1),
            "ethnic_category": data.column("str", nullable=True),
            "age": data.column("int", nullable=True, min=0, max=130),
            "sex": data.column("str", nullable=True, allowed=["F", "M"]),
            "year": data.column("int", min=1990, max=2100),
            "region": data.column("str", allowed=REGIONS),
            "event": data.column("bool"),
            "n_contacts": data.column("int", min=0),
        },
    )


def arm_layer(path: Path, out: Path, people: bool, validated: bool = False) -> dict:
    from rhoresearch import stats  # imported before the clock starts, like duckdb in the SQL arm
    from rhoresearch.data import aggregate, rules

    declared = schema() if validated else None
    started = time.perf_counter()
    con = aggregate.duckdb_connection(threads=THREADS, memory_limit=MEMORY_LIMIT)
    source = path if declared is None else rules.declared(path, schema=declared)
    counts, exclusions = aggregate.stratified_counts(
        source,
        strata=["sex", "year", "region"],
        events=["event", "n_contacts"],
        age_column="age",
        age_bands="esp2013",
        person="person_id" if people else None,
        connection=con,
    )
    aggregated = time.perf_counter() - started
    done = _indicators(stats, counts)
    total = time.perf_counter() - started
    _save(counts, exclusions, out)
    return {"seconds": total, "aggregate_seconds": aggregated, "indicators": done}


def _indicators(stats, counts) -> str:
    """Crude rates and DSRs by ethnic group and year (the statistics the layer's counts feed)."""
    stats.rate(counts, count="event", population="n_rows", by=["ethnic_group", "year"])
    stats.dsr(
        counts, count="event", population="n_rows", age="age_band", by=["ethnic_group", "year"]
    )
    return "rate+dsr"


def _hand_written_sql(path: Path, people: bool = False) -> str:
    """The comparator: the query an analyst would write by hand for the same counts."""
    bands = "\n".join(
        f"            WHEN age < {lo + 5} THEN '{lo}-{lo + 4}'" for lo in range(0, 90, 5)
    )
    distinct = ",\n        count(DISTINCT person_id) AS n_people" if people else ""
    return f"""
    WITH records AS (
        SELECT
            CASE upper(trim(ethnic_category))
                WHEN 'A' THEN 'White' WHEN 'B' THEN 'White' WHEN 'C' THEN 'White'
                WHEN 'WHITE - BRITISH' THEN 'White'
                WHEN 'D' THEN 'Mixed' WHEN 'E' THEN 'Mixed' WHEN 'F' THEN 'Mixed'
                WHEN 'G' THEN 'Mixed'
                WHEN 'H' THEN 'Asian' WHEN 'J' THEN 'Asian' WHEN 'K' THEN 'Asian'
                WHEN 'L' THEN 'Asian' WHEN 'R' THEN 'Asian'
                WHEN 'ASIAN OR ASIAN BRITISH - INDIAN' THEN 'Asian'
                WHEN 'M' THEN 'Black' WHEN 'N' THEN 'Black' WHEN 'P' THEN 'Black'
                WHEN 'BLACK OR BLACK BRITISH - AFRICAN' THEN 'Black'
                WHEN 'S' THEN 'Other'
            END AS ethnic_group,
            CASE
                WHEN ethnic_category IS NULL THEN 'not known'
                WHEN upper(trim(ethnic_category)) = 'Z' THEN 'not stated'
                WHEN upper(trim(ethnic_category)) IN ('99', 'X', '') THEN 'not known'
            END AS ethnicity_reason,
            sex, year, region, age, event, n_contacts, person_id,
            CASE
{bands}
            ELSE '90+' END AS age_band
        FROM read_parquet('{path}')
    )
    SELECT
        ethnic_group, sex, year, region, age_band,
        CASE
            WHEN ethnicity_reason = 'not stated' THEN 'ethnic category not stated (Z)'
            WHEN ethnicity_reason = 'not known'
                THEN 'ethnic category not known (99, X, blank or missing)'
            WHEN age IS NULL THEN 'age missing'
            WHEN age < 0 OR age > 130 THEN 'age out of range (below 0 or above 130)'
            WHEN sex IS NULL THEN 'sex missing'
            WHEN year IS NULL THEN 'year missing'
            WHEN region IS NULL THEN 'region missing'
            WHEN event IS NULL THEN 'event missing'
            WHEN n_contacts IS NULL THEN 'n_contacts missing'
            ELSE ''
        END AS reason,
        count(*) AS n_rows,
        sum(event::BIGINT) AS event,
        sum(n_contacts) AS n_contacts{distinct}
    FROM records
    GROUP BY ALL
    """


def arm_sql(path: Path, out: Path, people: bool) -> dict:
    import duckdb

    started = time.perf_counter()
    con = duckdb.connect(config={"threads": THREADS, "memory_limit": MEMORY_LIMIT})
    result = con.execute(_hand_written_sql(path, people)).df()
    total = time.perf_counter() - started
    counts, exclusions = _split(result)
    _save(counts, exclusions, out)
    return {"seconds": total}


def arm_pandas(path: Path, out: Path, people: bool) -> dict:
    import numpy as np
    import pandas as pd
    import pyarrow.parquet as pq

    from rhoresearch import ethnicity

    started = time.perf_counter()
    columns = ["ethnic_category", "age", "sex", "year", "region", "event", "n_contacts"]
    if people:
        columns.append("person_id")
    frame = pq.read_table(path, columns=columns).to_pandas()
    raw = frame["ethnic_category"].astype("category")
    report = ethnicity.harmonise_report(pd.Series(raw.cat.categories))
    status = dict(zip(report["input_value"], report["status"], strict=True))
    group = ethnicity.harmonise(pd.Series(raw.cat.categories)).astype("str")
    mapping = dict(zip(raw.cat.categories, group, strict=True))
    ethnic_group = raw.map(mapping).astype("str")
    reason = pd.Series("", index=frame.index, dtype="str")
    age = frame["age"]
    checks = [
        (frame["region"].isna(), "region missing"),
        (frame["year"].isna(), "year missing"),
        (frame["sex"].isna(), "sex missing"),
        ((age < 0) | (age > 130), "age out of range (below 0 or above 130)"),
        (age.isna(), "age missing"),
        (
            raw.isna() | ethnic_group.eq("Not known").to_numpy(),
            "ethnic category not known (99, X, blank or missing)",
        ),
        (ethnic_group.eq("Not stated"), "ethnic category not stated (Z)"),
    ]
    for mask, text in checks:  # lowest priority first, so that the first reason wins
        reason = reason.mask(np.asarray(mask, dtype=bool), text)
    del status
    edges = [*range(0, 95, 5), np.inf]
    labels = [f"{lo}-{lo + 4}" for lo in range(0, 90, 5)] + ["90+"]
    age_band = pd.cut(age, bins=edges, right=False, labels=labels)
    work = pd.DataFrame(
        {
            "ethnic_group": ethnic_group,
            "sex": frame["sex"],
            "year": frame["year"],
            "region": frame["region"],
            "age_band": age_band.astype("str"),
            "reason": reason,
            "event": frame["event"].astype("int64"),
            "n_contacts": frame["n_contacts"].astype("int64"),
            **({"person_id": frame["person_id"]} if people else {}),
        }
    )
    del frame
    included = work[work["reason"].eq("")]
    counts = (
        included.groupby(STRATA, observed=True, dropna=False)
        .agg(
            n_rows=("event", "size"),
            event=("event", "sum"),
            n_contacts=("n_contacts", "sum"),
            **({"n_people": ("person_id", "nunique")} if people else {}),
        )
        .reset_index()
    )
    excluded = work.loc[work["reason"].ne(""), "reason"].value_counts()
    exclusions = excluded.rename_axis("reason").reset_index(name="n_rows")
    total = time.perf_counter() - started
    _save(counts, exclusions, out)
    return {"seconds": total}


def _split(result):
    """Split a (strata, reason, counts) result into counts and exclusions."""
    is_in = result["reason"].eq("")
    counts = result[is_in].drop(columns="reason")
    exclusions = result[~is_in].groupby("reason", as_index=False)["n_rows"].sum()
    return counts, exclusions


def _save(counts, exclusions, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    counts = counts.copy()
    for c in counts.columns:
        if c in ("n_rows", "event", "n_contacts", "n_people", "year"):
            counts[c] = counts[c].astype("int64")
        else:
            counts[c] = counts[c].astype("str")
    values = ["n_rows", "event", "n_contacts", *(["n_people"] if "n_people" in counts else [])]
    counts = counts[[*STRATA, *values]]
    counts.sort_values(STRATA).reset_index(drop=True).to_parquet(out / "counts.parquet")
    exclusions = exclusions[exclusions["n_rows"] > 0][["reason", "n_rows"]].astype(
        {"reason": "str", "n_rows": "int64"}
    )
    exclusions.sort_values("reason").reset_index(drop=True).to_parquet(out / "exclusions.parquet")


def arm_validated(path: Path, out: Path, people: bool) -> dict:
    from rhoresearch.data import aggregate, rules

    declared = schema()
    started = time.perf_counter()
    rules.validate_source(
        path,
        schema=declared,
        connection=aggregate.duckdb_connection(threads=THREADS, memory_limit=MEMORY_LIMIT),
    )
    validation = time.perf_counter() - started
    result = arm_layer(path, out, people, validated=True)
    return {**result, "validation_seconds": validation}


ARMS = {"layer": arm_layer, "sql": arm_sql, "pandas": arm_pandas, "validated": arm_validated}


# ---------------------------------------------------------------------------------------------
# Driver
# ---------------------------------------------------------------------------------------------


def run_arm(name: str, path: Path, out: Path, people: bool) -> dict:
    """Run one arm in a child process; return its report with its own peak RSS (GiB)."""
    report = out / "report.json"
    out.mkdir(parents=True, exist_ok=True)
    process = subprocess.Popen(
        [sys.executable, __file__, "--arm", name, "--data", str(path), "--out", str(out)]
        + (["--people"] if people else [])
    )
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"arm {name} failed with exit code {process.returncode}")
    result = json.loads(report.read_text())
    result["peak_rss_gib"] = usage.ru_maxrss * 1024 / 2**30  # ru_maxrss is in KiB on Linux
    return result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=lambda s: int(s.replace("_", "")), default=100_000_000)
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument("--pandas-max-rows", type=int, default=30_000_000)
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="runs of each arm, interleaved; the best time and the highest peak are kept",
    )
    parser.add_argument(
        "--people",
        action="store_true",
        help="also count distinct people per stratum (person_id): the layer joins the mapping",
    )
    parser.add_argument("--arm", choices=sorted(ARMS), help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.arm:  # child process
        result = ARMS[args.arm](args.data, args.out, args.people)
        (args.out / "report.json").write_text(json.dumps(result))
        return 0

    import pandas as pd

    rows = args.rows
    path = generate(rows, args.seed)
    size_gib = path.stat().st_size / 2**30
    print(f"data: {path} ({rows:,} rows, {size_gib:.2f} GiB on disk)")
    import duckdb
    import ibis

    print(
        f"versions: duckdb {duckdb.__version__}, ibis {ibis.__version__}, pandas {pd.__version__}; "
        f"DuckDB threads={THREADS} memory_limit={MEMORY_LIMIT}; os.cpu_count()={os.cpu_count()}"
    )
    # measured: the pandas arm peaks at about 200 bytes a row (1.9 GiB for 10 million rows; with
    # --people about 250): the columns, their string and category copies, and the groupby
    pandas_gib = rows * (250 if args.people else 200) / 2**30
    arms = ["layer", "sql", "validated"]
    if rows > args.pandas_max_rows or pandas_gib > 8:
        print(
            f"pandas: skipped ({rows:,} rows; estimated {pandas_gib:.1f} GiB in memory; the limit "
            f"is {args.pandas_max_rows:,} rows or 8 GiB)"
        )
    else:
        arms.append("pandas")
    results = {}
    validation_runs: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="rho-scale-") as tmp:
        for run in range(args.repeat):
            for name in arms:
                r = run_arm(name, path, Path(tmp) / name, args.people)
                if name == "validated":
                    validation_runs.append(r)
                extra = f", indicators: {r['indicators']}" if "indicators" in r else ""
                print(
                    f"run {run + 1} {name:>7}: {r['seconds']:7.2f} s, peak RSS "
                    f"{r['peak_rss_gib']:.2f} GiB{extra}",
                    flush=True,
                )
                best = results.setdefault(name, r)
                peak = max(best["peak_rss_gib"], r["peak_rss_gib"])
                if r["seconds"] < best["seconds"]:
                    results[name] = best = r
                best["peak_rss_gib"] = peak
        for name in arms:
            r = results[name]
            print(
                f"best of {args.repeat} {name:>7}: {r['seconds']:7.2f} s, peak {r['peak_rss_gib']:.2f} GiB"
            )
        reference = {
            part: pd.read_parquet(Path(tmp) / "sql" / f"{part}.parquet")
            for part in ("counts", "exclusions")
        }
        for name in arms:
            for part in ("counts", "exclusions"):
                got = pd.read_parquet(Path(tmp) / name / f"{part}.parquet")
                pd.testing.assert_frame_equal(got, reference[part], obj=f"{name} {part}")
        print(
            f"results identical across {', '.join(arms)}: "
            f"{len(reference['counts']):,} strata, {int(reference['counts'].n_rows.sum()):,} rows "
            f"counted, {int(reference['exclusions'].n_rows.sum()):,} excluded"
        )
    ratio = results["layer"]["seconds"] / results["sql"]["seconds"]
    print(
        f"layer aggregation alone: {results['layer']['aggregate_seconds']:.2f} s "
        f"({results['layer']['aggregate_seconds'] / results['sql']['seconds']:.2f}x the SQL)"
    )
    layer_agg = results["layer"]["aggregate_seconds"]
    validation = min(r["validation_seconds"] for r in validation_runs)
    overhead = validation / layer_agg
    print(
        f"validation alone (rules.validate_source, best of {len(validation_runs)}): "
        f"{validation:.2f} s; aggregation with the declared schema enforced: "
        f"{results['validated']['aggregate_seconds']:.2f} s against {layer_agg:.2f} s without"
    )
    print(
        f"ratio_vs_duckdb_sql={ratio:.3f} peak_rss_gib={results['layer']['peak_rss_gib']:.2f} "
        f"rows={rows} validation_overhead={overhead:.3f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
