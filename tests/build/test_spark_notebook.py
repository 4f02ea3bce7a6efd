"""The maternity and mental health notebooks run unchanged against Spark tables, same results as files.

This mimics a secure data environment (Databricks): the kernel already has a Spark session in which the
extracts are tables; the notebook's data parameters name them as ``"spark:<table>"``. Demonstration
Parquet files are registered as Spark views by an IPython start-up file, and the results tables of the
run are compared byte for byte with a run of the same notebook on the same files (DuckDB).

The data are the demo generators' output at a twentieth (maternity) and a fifth (mental health) of
the full size (the ``demo_data`` fixture, made once per test run): the same code paths and
columns, but a local one-core Spark counts them in seconds rather than minutes (the full maternity
demo has 4.3 million maternities and 4.3 million births).
"""

from __future__ import annotations

import filecmp
import os
from pathlib import Path

import papermill
import pytest
from _sparkkit import builder_source

from rhoresearch import config
from rhoresearch.data import aggregate

pytestmark = pytest.mark.slow

#: The demo data's size in these tests (``scale`` of the generators).
MATERNITY_SCALE = 0.05
MENTAL_HEALTH_SCALE = 0.2

NOTEBOOK = config.notebooks_dir() / "05-maternal-neonatal.ipynb"
NOTEBOOK_06 = config.notebooks_dir() / "06-mental-health.ipynb"

STARTUP = """
spark.read.parquet({maternities!r}).createOrReplaceTempView("maternities")
spark.read.parquet({births!r}).createOrReplaceTempView("births")
"""


STARTUP_06 = """
for name in ("detentions", "ctos", "population"):
    spark.read.parquet(f"{demo}/{{name}}.parquet").createOrReplaceTempView(f"mh_{{name}}")
spark.read.csv("{demo}/providers.csv", header=True).createOrReplaceTempView("mh_providers")
"""


def _run(tmp: Path, name: str, parameters: dict, env: dict, notebook: Path = NOTEBOOK) -> Path:
    run_dir = tmp / name
    run_dir.mkdir()
    old = dict(os.environ)
    os.environ.update(env, RHORESEARCH_RUN_DIR=str(run_dir))
    try:
        papermill.execute_notebook(
            str(notebook),
            str(run_dir / "executed.ipynb"),
            parameters=parameters,
            kernel_name="rhoresearch",
            progress_bar=False,
            cwd=str(config.notebooks_dir()),
            start_timeout=600,  # the kernel starts Spark first: slow on a busy machine
        )
    finally:
        os.environ.clear()
        os.environ.update(old)
    return run_dir / "results"


def test_notebook_05_on_spark_tables_matches_the_file_run(tmp_path, demo_data):
    if aggregate.java_runtime() is None:
        pytest.skip(aggregate.JAVA_HINT)
    pytest.importorskip("pyspark")
    demo, _ = demo_data("maternity", scale=MATERNITY_SCALE)
    startup = tmp_path / "ipython" / "profile_default" / "startup"
    startup.mkdir(parents=True)
    (startup / "00-spark.py").write_text(
        builder_source("rhoresearch-test")
        + STARTUP.format(
            maternities=str(demo / "maternities.parquet"), births=str(demo / "births.parquet")
        )
    )
    deaths = {"deaths_path": str(demo / "maternal_deaths.parquet")}
    files = {
        "maternities_path": str(demo / "maternities.parquet"),
        "births_path": str(demo / "births.parquet"),
    }
    on_files = _run(tmp_path, "files", {**files, **deaths}, {})
    on_spark = _run(
        tmp_path,
        "spark",
        {"maternities_path": "spark:maternities", "births_path": "spark:births", **deaths},
        {"IPYTHONDIR": str(tmp_path / "ipython")},
    )
    tables = sorted(p.name for p in on_files.glob("*.csv"))
    assert "rate_ratios_crude_adjusted.csv" in tables, "the notebook saved no results tables"
    assert sorted(p.name for p in on_spark.glob("*.csv")) == tables
    match, mismatch, errors = filecmp.cmpfiles(on_files, on_spark, tables, shallow=False)
    assert not mismatch and not errors, (
        f"results differ between DuckDB and Spark: {mismatch + errors}"
    )


def test_notebook_06_on_spark_tables_matches_the_file_run(tmp_path, demo_data):
    """Every data parameter of notebook 06, the small tables included, as a Spark table."""
    if aggregate.java_runtime() is None:
        pytest.skip(aggregate.JAVA_HINT)
    pytest.importorskip("pyspark")
    demo, _ = demo_data("mental_health", scale=MENTAL_HEALTH_SCALE)
    startup = tmp_path / "ipython" / "profile_default" / "startup"
    startup.mkdir(parents=True)
    (startup / "00-spark.py").write_text(
        builder_source("rhoresearch-test") + STARTUP_06.format(demo=str(demo))
    )
    files = {
        "detentions_path": str(demo / "detentions.parquet"),
        "ctos_path": str(demo / "ctos.parquet"),
        "population_path": str(demo / "population.parquet"),
        "providers_path": str(demo / "providers.csv"),
    }
    on_files = _run(tmp_path, "files", files, {}, NOTEBOOK_06)
    on_spark = _run(
        tmp_path,
        "spark",
        {
            "detentions_path": "spark:mh_detentions",
            "ctos_path": "spark:mh_ctos",
            "population_path": "spark:mh_population",
            "providers_path": "spark:mh_providers",
        },
        {"IPYTHONDIR": str(tmp_path / "ipython")},
        NOTEBOOK_06,
    )
    tables = sorted(p.name for p in on_files.glob("*.csv"))
    assert "rates_by_year.csv" in tables and "providers_isr.csv" in tables
    assert sorted(p.name for p in on_spark.glob("*.csv")) == tables
    match, mismatch, errors = filecmp.cmpfiles(on_files, on_spark, tables, shallow=False)
    assert not mismatch and not errors, (
        f"results differ between DuckDB and Spark: {mismatch + errors}"
    )
