"""Fixtures shared by the data-layer tests: one local Spark session for the whole test run."""

from __future__ import annotations

import pytest

from rhoresearch.data import aggregate


@pytest.fixture(scope="session")
def spark():
    pytest.importorskip("pyspark", reason="PySpark is the optional extra rhoresearch[spark]")
    if aggregate.java_runtime() is None:
        pytest.skip(aggregate.JAVA_HINT)
    from pyspark.sql import SparkSession  # the optional extra: imported once it is known present

    session = (
        SparkSession.builder.master("local[1]")
        .appName("rhoresearch-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.default.parallelism", "1")
        .config("spark.driver.memory", "1g")
        .config("spark.ui.showConsoleProgress", "false")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
