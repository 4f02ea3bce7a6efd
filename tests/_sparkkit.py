"""The local Spark session of the tests: one set of settings for the data-layer fixture and the
Spark notebook kernels.

The tests start a one-core local Spark for a few seconds of small queries. A JVM's defaults are
made for long-running servers: the C2 optimising compiler and the parallel garbage collector
spend more CPU than the queries in a run this short (measured on the Spark data tests: 70 core-seconds
with the defaults, 38 with these settings, same results). Shuffles go to one partition and adaptive
query execution is off, since every table here fits in one. These are settings of the test JVMs
only; rhoresearch itself uses whatever session the user's environment (e.g. Databricks) provides.
"""

from __future__ import annotations

#: ``SparkSession.builder.config`` settings of every Spark session the tests start.
SPARK_CONF: dict[str, str] = {
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.driver.memory": "1g",
    "spark.default.parallelism": "1",
    "spark.sql.shuffle.partitions": "1",
    "spark.sql.adaptive.enabled": "false",
    # C1 compiler only and the serial collector: a short-lived JVM on two cores
    "spark.driver.extraJavaOptions": "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC",
}


def builder_source(app_name: str) -> str:
    """Python source that starts (or gets) the test session as ``spark`` (for a kernel start-up file)."""
    return (
        "from pyspark.sql import SparkSession\n"
        f"spark = SparkSession.builder.master('local[1]').appName({app_name!r}).config("
        f"map={SPARK_CONF!r}).getOrCreate()\n"
    )
