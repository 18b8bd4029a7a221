"""`--parallel`, `--address` and `--verbose` for the commands that run a matrix (compare, nightly)."""

from __future__ import annotations

import argparse
from dataclasses import dataclass


def parallel_count(text: str) -> int:
    """argparse type of `--parallel`: a positive integer, or a one-line error naming what is accepted."""
    try:
        value = int(text)
    except (TypeError, ValueError):
        value = 0
    if value < 1 or str(text).strip() not in (str(value), f"+{value}"):
        raise argparse.ArgumentTypeError(
            "takes a positive integer, the runs executed at once (1 = one after another, "
            f"in order), not {text!r}")
    return value


def add_matrix_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--parallel", type=parallel_count, default=None, metavar="N",
                        help="runs executed at once (1 = one after another, in order, in this process). "
                             "Default: replay starts here and moves to one worker process per CPU once "
                             "the runs left pay for their start; the cluster's CPUs with --address; "
                             "1 for live runs")
    parser.add_argument("--verbose", action="store_true", help="one line per run under the progress bar")


@dataclass(frozen=True)
class MatrixOptions:
    """How a matrix executes; none of it changes a run's results."""

    parallel: int | None = 1  # None: the default for the mode
    address: str | None = None  # a Ray cluster: replays become Ray tasks, live runs join it
    verbose: bool = True
    bar: bool | None = None  # None: only when stderr is a terminal
