"""Command line: ``python -m rhoresearch <command>``. It parses arguments and calls the library."""

from __future__ import annotations

import argparse
import logging
import signal
import sys

from rhoresearch import config
from rhoresearch.exceptions import RhoResearchError

logger = logging.getLogger("rhoresearch.cli")


def _cmd_data(args: argparse.Namespace) -> int:
    from rhoresearch import demo

    demo.generate_all(seed=args.seed, only=args.only or None)
    return 0


def _cmd_build(args: argparse.Namespace) -> int:
    from rhoresearch import build

    results = build.build(
        args.ids,
        config_path=args.config,
        reports_dir=args.reports_dir,
        force=args.force,
        jobs=args.jobs,
    )
    built = sum(v == "built" for v in results.values())
    logger.info("%d report(s) built, %d up to date", built, len(results) - built)
    return 0


def _cmd_verify(args: argparse.Namespace) -> int:
    from rhoresearch import build

    verdicts = build.verify(
        args.ids, config_path=args.config, reports_dir=args.reports_dir, rtol=args.rtol
    )
    for verdict in verdicts:
        sys.stdout.write(verdict.line() + "\n")
    bad = [v for v in verdicts if not v.ok]
    sys.stdout.write(
        f"verify: {len(verdicts) - len(bad)} of {len(verdicts)} report(s) reproduced "
        f"(results compared with rtol={args.rtol:g})\n"
    )
    return 1 if bad or not verdicts else 0


def _cmd_index(args: argparse.Namespace) -> int:
    from rhoresearch import build

    path = build.index(config_path=args.config, reports_dir=args.reports_dir)
    logger.info("index written: %s", path)
    return 0


def _cmd_makefile(args: argparse.Namespace) -> int:
    from rhoresearch import build

    build.write_makefile(args.output, config_path=args.config, reports_dir=args.reports_dir)
    return 0


def _cmd_list(args: argparse.Namespace) -> int:
    from rhoresearch import build

    specs = build.load(args.config)
    for spec in build.select(specs, args.ids):
        state = build.status(spec, reports_dir=args.reports_dir)
        params = " ".join(f"{k}={v}" for k, v in sorted(spec.parameters.items()))
        sys.stdout.write(f"{spec.id}\t{state}\t{spec.title}\t{params}\n")
    return 0


def _config_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", help="build configuration (default: reports.yml at the root)")
    p.add_argument("--reports-dir", help="output folder (default: reports/)")


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

    p = sub.add_parser("build", help="build reports (only those out of date unless --force)")
    p.add_argument("ids", nargs="*", help="report ids or shell patterns (default: all)")
    p.add_argument("--force", action="store_true", help="rebuild even if up to date")
    p.add_argument("-j", "--jobs", type=int, default=1, help="reports built at once")
    _config_options(p)
    p.set_defaults(func=_cmd_build)

    p = sub.add_parser("verify", help="rerun built reports and check they reproduce")
    p.add_argument("ids", nargs="*", help="report ids or shell patterns (default: all)")
    p.add_argument("--rtol", type=float, default=1e-9, help="relative tolerance for results (1e-9)")
    _config_options(p)
    p.set_defaults(func=_cmd_verify)

    p = sub.add_parser("index", help="rebuild reports/index.html from the manifests")
    _config_options(p)
    p.set_defaults(func=_cmd_index)

    p = sub.add_parser("makefile", help="write the make fragment for the reports")
    p.add_argument("--output", help="fragment path (default: reports/.build.mk)")
    _config_options(p)
    p.set_defaults(func=_cmd_makefile)

    p = sub.add_parser("list", help="list the reports and whether each is up to date")
    p.add_argument("ids", nargs="*", help="report ids or shell patterns (default: all)")
    _config_options(p)
    p.set_defaults(func=_cmd_list)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    config.setup_logging(logging.DEBUG if args.verbose else logging.INFO)
    if getattr(args, "seed", "absent") is None:
        from rhoresearch.demo import DEFAULT_SEED

        args.seed = DEFAULT_SEED
    signal.signal(signal.SIGTERM, _terminate)
    try:
        return args.func(args)
    except RhoResearchError as exc:
        logger.error("%s", exc)
        return 1
    except KeyboardInterrupt:
        logger.error("interrupted")
        return 130


def _terminate(signum, frame):
    # turn SIGTERM into an exception so that running kernels are shut down on the way out
    raise KeyboardInterrupt


if __name__ == "__main__":
    sys.exit(main())
