"""Live training against replay on digits, paired by seed: epochs-to-target at two fixed targets.

    python scripts/live_vs_replay.py [--strategies asha,random,hyperband,tpe] [--seeds 16] [--seed 100]
                                     [--workers 2] [--store results/validation/live-vs-replay]
    python scripts/live_vs_replay.py --from-stored [--store DIR]     # recompute from the stored live runs

A live run and a replayed run of the same strategy and seed draw the same configurations, so they
are compared seed by seed. Every run uses the same strategy, workers and budget, and stops at the
harder of the two TARGETS (or its budget), so both targets are measured. Live runs train for real
through Ray Tune; their tables (one Parquet file, a row per reported result) and a manifest
(seeds, targets, versions, hardware, commands) are stored after every live run, so `--from-stored`
recomputes the table without training: it replays the same seeds (cheap) against the stored live
results, over the seeds every strategy has. A later command with more seeds trains only the live runs
the store lacks, seed by seed (every strategy of a seed before the next seed): a measurement stopped
part way keeps what it finished and goes on where it stopped.

Printed per strategy and target: hits live and replayed, and the geometric mean of the per-seed
replay/live ratios of epochs-to-target with its 95% interval (Student t on the log ratios, scipy;
seeds where either missed are counted apart). Goal: every interval inside [0.75, 1.33]. Then the
verdict (bench.reporting.verdict) at each target, live and replayed, and the seeds a paired interval
that narrow would need (from these seeds' spread: a pilot's power calculation).

What would show replay does not track live: an interval outside [0.75, 1.33] (replay systematically
faster or slower), or a different best strategy / relation in the verdicts.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

#: The default target (the grid's best minus 1 point) and a harder one, fixed before any run.
TARGETS = (0.9062, 0.92)
GOAL = (0.75, 1.33)
TABLE = "live_runs.parquet"
MANIFEST = "manifest.json"
COLUMNS = ("strategy", "seed", "result_index", "trial_id", "epoch", "val_accuracy", "epoch_cost_s")


def epochs_to_target(epochs, target: float, budget: dict | None) -> float | None:
    """Epochs trained (all trials) when the best-so-far first reaches `target`; None for a miss."""
    from bench.reporting.metrics import compute_to_target, trajectory

    return compute_to_target(trajectory(epochs), target, "epochs", budget)


def paired_ratios(live: list[float | None], replay: list[float | None]) -> tuple[list[float], int]:
    """Per-seed replay/live ratios where both hit, and the count of seeds where one or both missed."""
    ratios = [replayed / lived for lived, replayed in zip(live, replay, strict=False) if lived and replayed]
    return ratios, len(live) - len(ratios)


def geometric_interval(ratios: list[float]) -> tuple[float, float, float]:
    """Geometric mean and 95% interval (Student t on the logs); NaN under 2 ratios."""
    import numpy as np
    from scipy.stats import ttest_1samp

    logs = np.log(ratios)
    if len(logs) < 2:
        return (math.exp(float(logs.mean())) if len(logs) else math.nan), math.nan, math.nan
    if np.ptp(logs) == 0:
        value = math.exp(float(logs[0]))
        return value, value, value
    interval = ttest_1samp(logs, 0.0).confidence_interval(0.95)
    return math.exp(float(logs.mean())), math.exp(interval.low), math.exp(interval.high)


def seeds_for_goal(ratios: list[float]) -> int | None:
    """Seeds whose expected 95% interval of the geometric mean fits inside GOAL, from these ratios' spread."""
    import numpy as np
    from scipy.stats import t as student

    logs = np.log(ratios)
    if len(logs) < 2:
        return None
    mean, sd = float(logs.mean()), float(logs.std(ddof=1))
    margin = min(math.log(GOAL[1]) - mean, mean - math.log(GOAL[0]))
    if margin <= 0:
        return None
    for n in range(3, 10_001):
        if student.ppf(0.975, n - 1) * sd / math.sqrt(n) <= margin:
            return n
    return None


def store_live(frames: dict, budgets: dict, folder: Path, args, command: list[str]) -> None:
    """The live runs' results as one Parquet table and a manifest, written after every live run.

    `frames` holds every stored run, keyed (strategy, seed): earlier commands' and this one's, so a
    long measurement is kept run by run and goes on where it stopped."""
    import pandas as pd

    from bench import environment

    folder.mkdir(parents=True, exist_ok=True)
    table = pd.concat([frame.assign(strategy=name, seed=seed)[list(COLUMNS)]
                       for (name, seed), frame in sorted(frames.items())], ignore_index=True)
    table["trial_id"] = table["trial_id"].astype(str)
    previous = json.loads((folder / MANIFEST).read_text()) if (folder / MANIFEST).exists() else {}
    commands = previous.get("commands", [previous["command"]] if "command" in previous else [])
    if command not in commands:
        commands.append(command)
    present = {name for name, _ in frames}
    order = [*previous.get("strategies", []), *args.strategies.split(",")]
    strategies = [name for name in dict.fromkeys(order) if name in present]
    manifest = {"targets": list(TARGETS), "strategies": strategies,
                "seeds": sorted({seed for _, seed in frames}), "workers": args.workers,
                "runs": [f"{name}:{seed}" for name, seed in sorted(frames)],
                "budgets": {f"{name}:{seed}": budgets[(name, seed)] for name, seed in sorted(frames)},
                "commands": commands,
                "versions": environment.library_versions(), "hardware": environment.hardware()}
    for name, text in ((TABLE, None), (MANIFEST, json.dumps(manifest, indent=1, default=str) + "\n")):
        partial = folder / (name + ".partial")
        if text is None:
            table.to_parquet(partial, index=False)
        else:
            partial.write_text(text)
        partial.replace(folder / name)


def load_live(folder: Path) -> tuple[dict, dict, dict]:
    """The stored live results and budgets, per (strategy, seed), and the manifest; empty if none."""
    import pandas as pd

    if not (folder / MANIFEST).exists():
        return {}, {}, {}
    manifest = json.loads((folder / MANIFEST).read_text())
    if tuple(manifest["targets"]) != TARGETS:
        raise SystemExit(f"{folder} holds live runs to targets {manifest['targets']}, not {list(TARGETS)}: "
                         "use another --store")
    table = pd.read_parquet(folder / TABLE)
    runs = {(name, int(seed)): group.drop(columns=["strategy", "seed"]).reset_index(drop=True)
            for (name, seed), group in table.groupby(["strategy", "seed"])}
    budgets = {(key.split(":")[0], int(key.split(":")[1])): value
               for key, value in manifest["budgets"].items()}
    return runs, budgets, manifest


def complete_seeds(runs: dict, names: list[str]) -> list[int]:
    """The stored seeds that every strategy has run."""
    return sorted(seed for seed in {seed for _, seed in runs} if all((name, seed) in runs for name in names))


def verdict_lines(figures: dict[str, dict[int, list[float | None]]], names: list[str]) -> list[str]:
    """bench's verdict at each target from per-seed epochs-to-target (misses count as in a report)."""
    import pandas as pd

    from bench.reporting.verdict import target_verdict

    lines = []
    for index, target in enumerate(TARGETS):
        rows = []
        spent = max((v for name in names for values in figures[name].values() for v in values if v),
                    default=1.0)
        for name in names:
            for seed, values in figures[name].items():
                value = values[index]
                rows.append({"strategy": name, "seed": seed, "target": target,
                             "status": "reached" if value else "missed", "normalised": value or math.nan,
                             "compute_used_normalised": spent})
        # The figures here are epochs-to-target, not a share of the grid's compute.
        lines.append(target_verdict(pd.DataFrame(rows), target, f"{target:g}").line.replace(", grid = 100)",
                                                                                            " epochs)"))
    return lines


def main(argv: list[str] | None = None) -> int:
    import workloads
    from bench.live.runner import execute
    from bench.replay import execute_replay
    from bench.spec import make_specs
    from bench.store.results import load_run
    from bench.store.tables import resolve_table

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], allow_abbrev=False)
    parser.add_argument("--strategies", default="asha,random,hyperband,tpe")
    parser.add_argument("--seeds", type=int, default=16,
                        help="live seeds (a pilot: fewer, then the printed count)")
    parser.add_argument("--seed", type=int, default=100, help="the first seed, live and replayed")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--store", type=Path, default=Path("results") / "validation" / "live-vs-replay")
    parser.add_argument("--out", type=Path, default=Path("results") / "live-vs-replay",
                        help="run folders (live and replayed)")
    parser.add_argument("--from-stored", action="store_true", help="recompute from the stored live runs")
    args = parser.parse_args(argv)

    workload = workloads.get("digits")
    table = resolve_table("", workload.name)
    stored, budgets, manifest = load_live(args.store)
    if args.from_stored:
        if not stored:
            raise SystemExit(f"no live runs stored in {args.store}")
        names, args.workers = manifest["strategies"], manifest["workers"]
        seeds = complete_seeds(stored, names)
    else:
        names = args.strategies.split(",")
        if stored and manifest["workers"] != args.workers:
            raise SystemExit(f"{args.store} holds live runs at {manifest['workers']} workers, not "
                             f"{args.workers}: use another --store")
        seeds = list(range(args.seed, args.seed + args.seeds))
    kept = sum((name, seed) in stored for name in names for seed in seeds)
    print(f"dataset {table.name}; targets {', '.join(f'{t:g}' for t in TARGETS)} (runs stop at "
          f"{max(TARGETS):g}); {args.workers} workers; seeds {', '.join(map(str, seeds))}; "
          f"{kept} of {len(names) * len(seeds)} live runs from {args.store}", flush=True)

    def spec(name: str, seed: int):
        (one,) = make_specs([(name, {})], workload.name, seed=seed, seeds=1, out_dir=args.out,
                            workers=args.workers, target=max(TARGETS), progress=False,
                            command=tuple(sys.argv))
        return one

    live: dict[str, dict[int, list]] = {name: {} for name in names}
    replayed: dict[str, dict[int, list]] = {name: {} for name in names}
    # Seed by seed, every strategy: a measurement stopped part way holds whole seeds.
    for seed in seeds:
        for name in names:
            run = load_run(execute_replay(spec(name, seed), table).folder)
            replayed[name][seed] = [epochs_to_target(run.epochs, t, run.manifest.get("budget"))
                                    for t in TARGETS]
            if (name, seed) not in stored:
                trained = load_run(execute(spec(name, seed)).folder)
                stored[(name, seed)] = trained.epochs
                budgets[(name, seed)] = trained.manifest.get("budget")
                store_live(stored, budgets, args.store, args, list(sys.argv))
            live[name][seed] = [epochs_to_target(stored[(name, seed)], t, budgets[(name, seed)])
                                for t in TARGETS]
            print(f"  {name} seed {seed}: live {live[name][seed]}, replay {replayed[name][seed]}", flush=True)
    print("\n| strategy | target | hits live | hits replay | replay / live, geometric mean [95% CI] | "
          "seeds apart (a miss) | seeds for the goal |")
    print("|---|---|---|---|---|---|---|")
    inside = True
    for name in names:
        for index, target in enumerate(TARGETS):
            live_values = [live[name][s][index] for s in seeds]
            replay_values = [replayed[name][s][index] for s in seeds]
            ratios, apart = paired_ratios(live_values, replay_values)
            mean, low, high = geometric_interval(ratios)
            inside &= GOAL[0] <= low and high <= GOAL[1]
            print(f"| {name} | {target:g} | {sum(v is not None for v in live_values)}/{len(seeds)} | "
                  f"{sum(v is not None for v in replay_values)}/{len(seeds)} | "
                  f"{mean:.2f} [{low:.2f}, {high:.2f}] | {apart} | {seeds_for_goal(ratios) or '-'} |")
    print(f"\nevery interval inside [{GOAL[0]}, {GOAL[1]}]: {'yes' if inside else 'no'}")
    for label, figures in (("live", live), ("replay", replayed)):
        for line in verdict_lines(figures, names):
            print(f"verdict {label}: {line}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
