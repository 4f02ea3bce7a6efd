"""Fixtures shared by the data-layer tests: one local Spark session for the whole test run (its
settings: ``tests/_sparkkit.py``)."""

from __future__ import annotations

import pytest
from _sparkkit import SPARK_CONF

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
        .config(map=SPARK_CONF)
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
