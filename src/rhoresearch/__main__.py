"""``python -m rhoresearch``: the command line (:mod:`rhoresearch.cli`)."""

from rhoresearch.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
