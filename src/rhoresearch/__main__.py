"""Command line: ``python -m rhoresearch <command>``. It parses arguments and calls the library."""

from __future__ import annotations

import argparse
import logging
import sys

from rhoresearch import config
from rhoresearch.exceptions import RhoResearchError

logger = logging.getLogger("rhoresearch.cli")


def _cmd_data(args: argparse.Namespace) -> int:
    from rhoresearch import demo

    demo.generate_all(seed=args.seed, only=args.only or None)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m rhoresearch", description=__doc__)
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("data", help="generate the demonstration data into data/demo")
    p.add_argument(
        "--seed", type=int, default=None, help="seed (default: the project's fixed seed)"
    )
    p.add_argument("--only", nargs="*", help="generator names to run (default all)")
    p.set_defaults(func=_cmd_data)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    config.setup_logging(logging.DEBUG if args.verbose else logging.INFO)
    if getattr(args, "seed", "absent") is None:
        from rhoresearch.demo import DEFAULT_SEED

        args.seed = DEFAULT_SEED
    try:
        return args.func(args)
    except RhoResearchError as exc:
        logger.error("%s", exc)
        return 1


if __name__ == "__main__":
    sys.exit(main())
