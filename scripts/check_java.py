"""Check for the Java runtime that Spark needs, and say how to get one if it is missing.

Run by ``make`` (target ``spark-check``). Spark is optional (the extra ``rhoresearch[spark]``):
without Java everything else works and the Spark tests are skipped with the same message. Exit
status 0 either way, unless ``--strict`` is given (then 1 when Java is missing).
"""

from __future__ import annotations

import sys

from rhoresearch.data.aggregate import JAVA_HINT, java_runtime


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    version = java_runtime()
    if version:
        try:
            import pyspark

            spark = f"pyspark {pyspark.__version__}"
        except ImportError:
            spark = "pyspark not installed (pip install -e '.[spark]')"
        print(f"spark-check: Java {version} found; {spark}")
        return 0
    print(f"spark-check: no usable Java runtime. {JAVA_HINT}")
    return 1 if "--strict" in args else 0


if __name__ == "__main__":
    sys.exit(main())
