"""Live training against replay on digits: epochs-to-target of each strategy, side by side.

    python scripts/live_vs_replay.py [--strategies asha,random,hyperband,tpe] [--live-seeds 8]
                                     [--replay-seeds 20] [--seed 100] [--workers 2]
                                     [--out results/live-vs-replay]

Every run, live or replayed, uses the same strategy, workers, budget (the grid's) and target
(the shipped dataset's grid best final validation accuracy minus 1 percentage point, as
`bench run` uses by default) and stops at the target. Live runs train for real through Ray Tune
with seeds SEED..SEED+live-1; replays run seeds SEED..SEED+replay-1 on the shipped dataset's
surrogate. Epochs-to-target is bench.report.metrics.compute_to_target in epochs (a miss ranks
above every hit). Printed: per strategy the medians and interquartile ranges, their ratio and a
two-sided Mann-Whitney U p-value, then the ranking of the strategies by median, live and
replayed. The figures are goals of issue #15: medians within 25%, p > 0.05, the same ranking.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def epochs_to_target(run, target: float) -> float | None:
    """Epochs trained (all trials) when the best-so-far first reaches `target`; None for a miss."""
    from bench.report.metrics import compute_to_target, trajectory

    return compute_to_target(trajectory(run.epochs), target, "epochs", run.manifest.get("budget"))


def describe(values: list[float | None]) -> str:
    import numpy as np

    from bench.report.stats import median_with_misses

    hits = np.array([v for v in values if v is not None])
    median = median_with_misses(values)
    if not len(hits) or median == float("inf"):
        return f"not reached ({len(hits)}/{len(values)} hit)"
    q25, q75 = np.percentile(hits, [25, 75])
    return f"{median:.0f} [{q25:.0f}, {q75:.0f}] ({len(hits)}/{len(values)} hit)"


def main() -> int:
    import workloads
    from bench.replay import execute_replay
    from bench.report.reference import load_reference
    from bench.report.basis import resolve_target
    from bench.report.stats import mann_whitney_p, median_with_misses
    from bench.store.results import load_run
    from bench.live.runner import execute
    from bench.spec import make_specs
    from bench.store.tables import resolve_table

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--strategies", default="asha,random,hyperband,tpe")
    parser.add_argument("--live-seeds", type=int, default=8)
    parser.add_argument("--replay-seeds", type=int, default=20)
    parser.add_argument("--seed", type=int, default=100, help="the first seed, live and replayed")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "live-vs-replay")
    args = parser.parse_args()

    workload = workloads.get("digits")
    table = resolve_table("", workload.name)
    target, rule, _ = resolve_target(load_reference(workload.name))
    print(f"dataset {table.name}; target {target:.4f} ({rule}); {args.workers} workers; "
          f"live seeds {args.seed}..{args.seed + args.live_seeds - 1}, replay seeds {args.seed}.."
          f"{args.seed + args.replay_seeds - 1}", flush=True)

    def spec(name: str, seed: int):
        (one,) = make_specs([(name, {})], workload.name, seed=seed, seeds=1, out_dir=args.out,
                            workers=args.workers, target=target, progress=False, command=tuple(sys.argv))
        return one

    names = args.strategies.split(",")
    live, replayed = {}, {}
    for name in names:
        replayed[name] = [epochs_to_target(load_run(execute_replay(spec(name, seed), table).folder), target)
                          for seed in range(args.seed, args.seed + args.replay_seeds)]
        live[name] = []
        for seed in range(args.seed, args.seed + args.live_seeds):
            live[name].append(epochs_to_target(load_run(execute(spec(name, seed)).folder), target))
            print(f"  live {name} seed {seed}: {live[name][-1]}", flush=True)
    print("\n| strategy | live median [IQR], epochs | replay median [IQR], epochs | replay / live | "
          "Mann-Whitney p |")
    print("|---|---|---|---|---|")
    for name in names:
        live_median, replay_median = median_with_misses(live[name]), median_with_misses(replayed[name])
        ratio = replay_median / live_median if live_median not in (0, float("inf")) else float("nan")
        print(f"| {name} | {describe(live[name])} | {describe(replayed[name])} | {ratio:.2f} | "
              f"{mann_whitney_p(live[name], replayed[name]):.3f} |")
    for label, values in (("live", live), ("replay", replayed)):
        order = sorted(names, key=lambda n: median_with_misses(values[n]))
        print(f"ranking {label}: {' < '.join(order)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
