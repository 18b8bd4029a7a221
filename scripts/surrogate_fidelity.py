"""Nested cross-validated fidelity of the learning-curve surrogate, overall and where strategies compete.

    python scripts/surrogate_fidelity.py [--data PATH.parquet] [--models knn-5,neural-net]
                                         [--folds 5] [--inner-folds 3] [--seed 0] [--calls 2000]
                                         [--floor 0.85] [--write]

Without --data: the shipped digits dataset (every grid point and Sobol configuration); the ladder
of targets (bench.reporting.ladder.make_ladder) comes from the shipped reference.

1. Each candidate is fitted on the whole frame once for its CPU seconds: fit, one curve() call
   for an unrecorded configuration, and the model's forward pass inside it (the part the latency
   budget bounds; bench.surrogate.LATENCY_BUDGET_S). CPU time, so a busy machine does not inflate it.
2. Nested cross-validation (bench.surrogate.nested_cross_validate): --folds outer folds of
   configurations (all seeds of a configuration in one fold); in each, every candidate within the
   budget is cross-validated on the other outer folds (--inner-folds) and the one
   bench.surrogate.choose_competitive prefers is fitted there and predicts the held-out fold.
3. The held-out curves are scored overall (bench.surrogate.fidelity, reach target: the grid's best
   final accuracy minus 1 pp, the runs' default) and where strategies compete
   (bench.surrogate.competitive_fidelity): among configurations with recorded seed-mean final
   accuracy >= --floor, Spearman at epochs 1, 3, 9, 27 and precision/recall of "reaches the target"
   at every ladder target, each beside seed 1's recorded curve predicting seed 0's. Goals: Spearman
   >= 0.9 x that ceiling, precision and recall >= 0.8 x it.

--write stores the competitive figures in results/validation/fidelity.json (read by the report's caveats).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: Where --write stores the competitive figures (bench/reporting/caveats.py reads it).
FIDELITY_RECORD = ROOT / "results" / "validation" / "fidelity.json"
SCHEMA_VERSION = 1


def parse(argv: list[str]) -> argparse.Namespace:
    from bench.surrogate import CANDIDATES

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], allow_abbrev=False)
    parser.add_argument("--data", type=Path, default=None,
                        help="a dataset frame (Parquet; default: the shipped digits dataset)")
    parser.add_argument("--models", default=",".join(CANDIDATES), help="comma-separated candidate names")
    parser.add_argument("--folds", type=int, default=5, help="outer folds (reported)")
    parser.add_argument("--inner-folds", type=int, default=3, help="inner folds (select the model)")
    parser.add_argument("--seed", type=int, default=0, help="shuffles configurations into folds")
    parser.add_argument("--calls", type=int, default=2000, help="curve() calls timed per model")
    parser.add_argument("--floor", type=float, default=None,
                        help="seed-mean final accuracy of the configurations where strategies "
                             "compete (default 0.85)")
    parser.add_argument("--write", action="store_true",
                        help=f"store the competitive figures in {FIDELITY_RECORD}")
    args = parser.parse_args(argv)
    args.models = [m.strip() for m in args.models.split(",") if m.strip()]
    unknown = [m for m in args.models if m not in CANDIDATES]
    if unknown:
        parser.error(f"unknown models {unknown}; the models are {', '.join(CANDIDATES)}")
    if args.data is not None and not args.data.is_file():
        parser.error(f"{args.data}: no such file")
    if args.folds < 2 or args.inner_folds < 2:
        parser.error("--folds and --inner-folds take 2 or more")
    return args


def timings(frame, model: str, calls: int, seed: int) -> dict:
    """Full-frame fit CPU seconds, curve() CPU seconds per call and the model's forward pass's."""
    from bench.surrogate import fit_surrogate, forward_cpu_s, latency_cpu_s

    start = time.process_time()
    surrogate = fit_surrogate(frame, model=model)
    return {"fit_cpu_s": time.process_time() - start,
            "latency_s": latency_cpu_s(surrogate, calls=calls, seed=seed),
            "forward_s": forward_cpu_s(surrogate, calls=calls, seed=seed)}


def main(argv: list[str] | None = None) -> int:
    import numpy as np
    import pandas as pd

    from bench.reporting.ladder import make_ladder
    from bench.reporting.reference import DEFAULT_TOLERANCE_PP, load_reference
    from bench.surrogate import (
        LATENCY_BUDGET_S,
        SURROGATE_VERSION,
        choose_competitive,
        competitive_fidelity,
        competitive_table,
        fidelity,
        nested_cross_validate,
    )
    from bench.surrogate._competitive import COMPETITIVE_FLOOR, to_record

    args = parse(sys.argv[1:] if argv is None else argv)
    floor = COMPETITIVE_FLOOR if args.floor is None else args.floor
    if args.data is None:
        import workloads
        from bench.store.dataset import dataset_frame
        from bench.store.tables import default_table_path, load_table

        shipped = load_table(default_table_path("digits"))
        frame, args.data = dataset_frame(shipped, workloads.get("digits").space), shipped.path
        checksum = shipped.meta.get("curves_sha256")
    else:
        frame, checksum = pd.read_parquet(args.data), None
    reference = load_reference("digits")
    ladder = make_ladder(reference)
    run_target = reference.best_final_accuracy() - DEFAULT_TOLERANCE_PP / 100.0

    speed = {}
    for model in args.models:
        speed[model] = timings(frame, model, args.calls, args.seed)
        print(f"{model}: timed", file=sys.stderr, flush=True)
    fast = [m for m in args.models if speed[m]["forward_s"] <= LATENCY_BUDGET_S]
    if not fast:
        print(f"no model's forward pass is within {LATENCY_BUDGET_S * 1e6:.0f} us", file=sys.stderr)
        return 1

    inner_figures: dict[str, list] = {m: [] for m in fast}

    def choose(inner: dict) -> str:
        results = {}
        for model, held in inner.items():
            figures = fidelity(held.true_accuracy, held.predicted_accuracy, held.config_ids, held.seeds,
                               run_target)
            figures["forward_s"] = speed[model]["forward_s"]
            figures["competitive"] = competitive_fidelity(held.true_accuracy, held.predicted_accuracy,
                                                          held.config_ids, held.seeds, ladder.targets, floor)
            inner_figures[model].append(figures)
            results[model] = figures
        return choose_competitive(results)

    started = time.time()
    nested = nested_cross_validate(frame, fast, choose, outer_folds=args.folds, inner_folds=args.inner_folds,
                                   seed=args.seed,
                                   progress=lambda line: print(line, file=sys.stderr, flush=True))
    held = nested.held_out
    overall = fidelity(held.true_accuracy, held.predicted_accuracy, held.config_ids, held.seeds, run_target)
    competitive = competitive_fidelity(held.true_accuracy, held.predicted_accuracy, held.config_ids,
                                       held.seeds, ladder.targets, floor)

    sources = frame.groupby("source")["config_id"].nunique().to_dict() if "source" in frame.columns else {}
    print(f"{args.data}: {overall['configs']} configurations {sources}, {overall['curves']} curves, "
          f"{int(frame['epoch'].max())} epochs; nested CV grouped by configuration: {args.folds} outer folds "
          f"(reported), {args.inner_folds} inner folds (select), seed {args.seed}; "
          f"{time.time() - started:.0f} s wall")
    print(f"ladder: {ladder.rule}")
    print()
    print("| model | fit CPU s | curve() CPU us | forward pass CPU us | within budget | chosen "
          "in outer folds | inner competitive goals met (mean) | inner mean ratio to ceiling |")
    print("|---|---|---|---|---|---|---|---|")
    for model in args.models:
        s, figures = speed[model], inner_figures.get(model, [])
        goals = (f"{np.mean([f['competitive'].goals_met for f in figures]):.1f} of "
                 f"{len(competitive.comparisons)}" if figures else "-")
        ratio = f"{np.mean([f['competitive'].mean_ratio for f in figures]):.3f}" if figures else "-"
        print(f"| {model} | {s['fit_cpu_s']:.1f} | {s['latency_s'] * 1e6:.0f} | {s['forward_s'] * 1e6:.0f} "
              f"| {'yes' if model in fast else 'no'} | {nested.chosen.count(model)} | {goals} | {ratio} |")
    print()
    print(f"Overall (every held-out curve, reach target {run_target:.4f} = grid's best - 1 pp): "
          f"Spearman final {overall['spearman_final']:.3f}, epochs 1/3/9 {overall['spearman_epoch_1']:.3f}/"
          f"{overall['spearman_epoch_3']:.3f}/{overall['spearman_epoch_9']:.3f}; final MAE "
          f"{overall['final_mae']:.4f} ({overall['mae_over_seed_difference']:.2f} x mean |seed 0 - seed 1| "
          f"{overall['seed_difference']:.4f}); reach TP/FP/TN/FN "
          f"{overall['true_positive']}/{overall['false_positive']}/{overall['true_negative']}/{overall['false_negative']}")
    print()
    print(f"Where strategies compete: {competitive.configs} configurations with recorded seed-mean "
          f"final accuracy >= {floor:g}, recorded with seeds 0 and 1; seed 0's curve predicted by the model "
          f"(held out) and by seed 1's recorded curve (the ceiling). Goals met: {competitive.goals_met} of "
          f"{len(competitive.comparisons)}.")
    print()
    print(competitive_table(competitive, ladder.label))
    if args.write:
        data = Path(args.data).resolve()
        record = {"schema_version": SCHEMA_VERSION, "surrogate_version": SURROGATE_VERSION,
                  "data": str(data.relative_to(ROOT)) if data.is_relative_to(ROOT) else str(data),
                  "curves_sha256": checksum, "floor": floor,
                  "folds": args.folds, "inner_folds": args.inner_folds, "seed": args.seed,
                  "models": args.models, "chosen": nested.chosen, "configs": competitive.configs,
                  "targets": [{"target": r.target, "label": r.label} for r in ladder.rungs],
                  "comparisons": to_record(competitive)}
        FIDELITY_RECORD.parent.mkdir(parents=True, exist_ok=True)
        FIDELITY_RECORD.write_text(json.dumps(record, indent=1) + "\n")
        print(f"\nwrote {FIDELITY_RECORD.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
