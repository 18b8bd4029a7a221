"""Cross-validated fidelity of every candidate learning-curve surrogate, and the one chosen.

    python scripts/surrogate_fidelity.py [--data PATH.parquet] [--models knn-5,neural-net]
                                         [--folds 5] [--seed 0] [--calls 2000]

Without --data: the shipped digits dataset (every grid point and Sobol configuration).

For each candidate: 5-fold held-out configurations (all seeds of a configuration in one fold),
each predicted for each of its recorded seeds, scored by bench.surrogate.fidelity (Spearman
rank correlation of final accuracy and at epochs 1, 3, 9; final-accuracy MAE over the mean
|seed 0 - seed 1| difference; reaches-the-target agreement with TP/FP/TN/FN), then the CPU
seconds to fit on the whole frame and the CPU microseconds of one curve() call for an
unrecorded configuration. CPU time, not wall time, so a busy machine does not inflate them.
Prints a markdown table and the chosen model (bench.surrogate.choose_model).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def parse(argv: list[str]) -> argparse.Namespace:
    from bench.surrogate import CANDIDATES

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], allow_abbrev=False)
    parser.add_argument("--data", type=Path, default=None,
                        help="a dataset frame (Parquet; default: the shipped digits dataset)")
    parser.add_argument("--models", default=",".join(CANDIDATES), help="comma-separated candidate names")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0, help="shuffles configurations into folds")
    parser.add_argument("--calls", type=int, default=2000, help="curve() calls timed per model")
    args = parser.parse_args(argv)
    args.models = [m.strip() for m in args.models.split(",") if m.strip()]
    unknown = [m for m in args.models if m not in CANDIDATES]
    if unknown:
        parser.error(f"unknown models {unknown}; the models are {', '.join(CANDIDATES)}")
    if args.data is not None and not args.data.is_file():
        parser.error(f"{args.data}: no such file")
    return args


def evaluate(frame, model: str, folds: int, seed: int, calls: int, target: float) -> dict:
    """One candidate's fidelity figures, full-frame fit CPU seconds and per-call latency."""
    from bench.surrogate import cross_validate, fidelity, fit_surrogate, latency_cpu_s

    held = cross_validate(frame, model, folds=folds, seed=seed)
    figures = fidelity(held.true_accuracy, held.predicted_accuracy, held.config_ids, held.seeds, target)
    start = time.process_time()
    surrogate = fit_surrogate(frame, model=model)
    figures["fit_cpu_s"] = time.process_time() - start
    figures["latency_s"] = latency_cpu_s(surrogate, calls=calls, seed=seed)
    return figures


def table(results: dict[str, dict]) -> str:
    """The candidates' figures as a compact markdown table."""
    from bench.surrogate import GOALS, goals_met

    lines = [f"| model | rho final | rho e1 | rho e3 | rho e9 | MAE final | MAE / seed diff | reach acc "
             f"| TP/FP/TN/FN | goals (of {len(GOALS)}) | fit CPU s | call CPU us |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for name, f in results.items():
        lines.append(
            f"| {name} | {f['spearman_final']:.3f} | {f.get('spearman_epoch_1', float('nan')):.3f} "
            f"| {f.get('spearman_epoch_3', float('nan')):.3f} | {f.get('spearman_epoch_9', float('nan')):.3f} "
            f"| {f['final_mae']:.4f} | {f['mae_over_seed_difference']:.2f} | {f['reach_accuracy']:.3f} "
            f"| {f['true_positive']}/{f['false_positive']}/{f['true_negative']}/{f['false_negative']} "
            f"| {goals_met(f)} | {f['fit_cpu_s']:.2f} | {f['latency_s'] * 1e6:.0f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    import pandas as pd

    from bench.surrogate import LATENCY_BUDGET_S, best_ignoring_latency, choose_model, target_accuracy

    args = parse(sys.argv[1:] if argv is None else argv)
    if args.data is None:
        import workloads
        from bench.store.dataset import dataset_frame
        from bench.store.tables import default_table_path, load_table

        shipped = load_table(default_table_path("digits"))
        frame, args.data = dataset_frame(shipped, workloads.get("digits").space), shipped.path
    else:
        frame = pd.read_parquet(args.data)
    target = target_accuracy(frame)
    results = {}
    for model in args.models:
        results[model] = evaluate(frame, model, args.folds, args.seed, args.calls, target)
        print(f"{model}: done", file=sys.stderr, flush=True)
    first = next(iter(results.values()))
    sources = frame.groupby("source")["config_id"].nunique().to_dict() if "source" in frame.columns else {}
    print(f"{args.data}: {first['configs']} configurations {sources}, {first['curves']} curves, "
          f"{int(frame['epoch'].max())} epochs; {args.folds}-fold CV grouped by configuration, seed {args.seed}; "
          f"target accuracy {target:.4f}; mean |seed 0 - seed 1| final accuracy {first['seed_difference']:.4f}")
    print()
    print(table(results))
    print()
    chosen = choose_model(results)
    best = best_ignoring_latency(results)
    rule = f"within {LATENCY_BUDGET_S * 1e6:.0f} us per call, most goals met, then lowest final MAE"
    print(f"chosen: {chosen} ({rule})")
    if best != chosen:
        print(f"best ignoring speed: {best}, excluded: {results[best]['latency_s'] * 1e6:.0f} us per call")
    return 0


if __name__ == "__main__":
    sys.exit(main())
