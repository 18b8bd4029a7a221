"""`bench check DATASET`: whether a dataset's replay can be trusted, and at which targets."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bench.errors import path_option

if TYPE_CHECKING:
    import argparse

HELP = "cross-validate a dataset's surrogate and say at which targets its replay can be trusted"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("dataset", type=path_option, help="a dataset folder (what `bench record` wrote)")
    parser.add_argument("--workload", default=None, help="its workload (default: the one the dataset names)")
    parser.add_argument("--models", default=None,
                        help="candidate surrogates, comma-separated (default: every candidate)")
    parser.add_argument("--folds", type=int, default=5, help="outer cross-validation folds (default: 5)")
    parser.add_argument("--inner-folds", type=int, default=3, help="inner folds, to choose (default: 3)")
    parser.add_argument("--seed", type=int, default=0, help="shuffles configurations into folds")
    parser.add_argument("--floor", type=float, default=None,
                        help="seed-mean final accuracy where strategies compete (default: 5 points below "
                             "the ladder's lowest target)")
    parser.add_argument("--verbose", action="store_true", help="a line after each fit")


def main(args: argparse.Namespace) -> int:
    import sys

    from bench.api.check_call import check

    models = None if args.models is None else [m.strip() for m in args.models.split(",") if m.strip()]
    result = check(args.dataset, workload=args.workload, models=models, folds=args.folds,
                   inner_folds=args.inner_folds, seed=args.seed, floor=args.floor,
                   log=(lambda line: print(line, file=sys.stderr, flush=True)) if args.verbose else None)
    print(result.text)
    print()
    for line in result.verdict:
        print(f"verdict   {line}")
    print(f"wrote     {args.dataset}/fidelity.json (model {result.record['chosen']}; replay of this dataset "
          "now fits it, and reports warn at the targets not trusted)")
    return 0
