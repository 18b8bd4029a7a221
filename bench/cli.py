"""`python -m bench COMMAND ...`: each command lives in its own module under bench.commands."""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import NoReturn

from bench.errors import BenchError, command_line_names

# Order is the order `bench --help` lists them in.
COMMANDS = ("run", "list", "report", "compare", "record", "check", "tables", "nightly")


class StrictParser(argparse.ArgumentParser):
    """An argument parser whose errors are one line and exit 2 through BenchError."""

    def error(self, message: str) -> NoReturn:
        raise BenchError(f"{self.prog}: {message}")


def build_parser() -> argparse.ArgumentParser:
    parser = StrictParser(prog="bench", description="Benchmark hyperparameter-search strategies.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=StrictParser)
    for name in COMMANDS:
        module = importlib.import_module(f"bench.commands.{name.replace('-', '_')}")
        command = sub.add_parser(name, help=module.HELP, description=module.HELP)
        module.add_arguments(command)
        command.set_defaults(handler=module.main)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    try:
        with command_line_names():  # messages name the flags the user typed
            args = build_parser().parse_args(argv)
            args.argv = ["bench", *argv]
            return int(args.handler(args) or 0)
    except BenchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `bench list | head`: the reader left; say nothing more
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
        return 141


if __name__ == "__main__":
    raise SystemExit(main())
