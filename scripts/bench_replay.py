"""Replay throughput: replayed results per second for every strategy, and the 13 x 20 matrix time.

    python scripts/bench_replay.py [--table PATH] [--workers 4] [--seeds 3] [--time-per-strategy 20]
                                   [--strategies asha,random] [--measure-matrix]
                                   [--versus-sklearn-checks pb2,bayesopt]

Each strategy replays the digits table (the shipped one by default) for up to --seeds seeds
(at least one, more while its time is under --time-per-strategy), after one untimed warm-up
run. "results/s" counts stored per-epoch results over the whole execute_replay call (building
the strategy, simulating, writing the run folder); "engine results/s" leaves out the time the
searcher spends suggesting configurations (Ray's sampling or the model's own suggestion).
The matrix time is estimated from the mean time per run x 20 seeds, or measured with
--measure-matrix (which can take an hour: Bayesian optimisation suggests slowly).

On a dataset (a table with a space sample, replayed through its surrogate), --versus-lookup
STRATEGIES (default asha,random) also replays those strategies against the same table read
as a grid lookup (nearest grid point), alternating run by run with the same seeds, and prints
both throughputs and their ratio (issue #15's goal: the surrogate at least 80% of the lookup).

--versus-sklearn-checks STRATEGIES (default pb2,bayesopt) replays each twice per seed, with
scikit-learn's parameter validation skipped (as bench's replays run) and on, alternating, and
prints the CPU per run each way and their ratio; it stops if the two tables differ.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path


class SuggestionTimer:
    """Time spent in the searcher (SimController.update_trial_queue), summed over runs."""

    def __init__(self) -> None:
        from bench.replay.controller import SimController

        self.seconds = 0.0
        original = SimController.update_trial_queue
        timer = self

        def timed(controller):
            start = time.perf_counter()
            try:
                return original(controller)
            finally:
                timer.seconds += time.perf_counter() - start

        SimController.update_trial_queue = timed


def replay(name: str, seed: int, workers: int, table, out: Path):
    from bench.replay import execute_replay
    from bench.spec import make_specs

    (spec,) = make_specs([(name, {})], table.workload, seed=seed, seeds=1, out_dir=out, workers=workers,
                         progress=False)
    return execute_replay(spec, table)


def versus_lookup(names: list[str], seeds: int, workers: int, table, out: Path) -> None:
    """Surrogate replay against the nearest-grid-point lookup of the same table, run by run alternately."""
    import dataclasses

    lookup = dataclasses.replace(table, meta={k: v for k, v in table.meta.items() if k != "space_sample"})
    replay("asha", 10_001, workers, lookup, out)  # warm-up of the lookup's curve book
    for name in names:
        results = {"surrogate": [0, 0.0], "lookup": [0, 0.0]}
        for seed in range(seeds):
            for label, source in (("surrogate", table), ("lookup", lookup)):
                start = time.perf_counter()
                summary = replay(name, seed, workers, source, out)
                results[label][1] += time.perf_counter() - start
                results[label][0] += summary.compute_epochs
        rate = {label: count / seconds for label, (count, seconds) in results.items()}
        print(f"{name}: surrogate {rate['surrogate']:.0f} results/s, grid lookup "
              f"{rate['lookup']:.0f} results/s ({seeds} seeds each, alternating): surrogate/lookup "
              f"{rate['surrogate'] / rate['lookup']:.2f}",
              flush=True)


def versus_sklearn_checks(names: list[str], seeds: int, workers: int, table, out: Path) -> None:
    """CPU per replay with scikit-learn's parameter validation skipped (as replays run) and on,
    alternating run by run with the same seeds, each setting first on every other seed (the first
    run of a strategy pays its imports); the stored tables must be identical."""
    import contextlib

    from bench.replay import engine
    from bench.store.results import load_run

    skipping = engine._sklearn_parameter_checks_off
    for name in names:
        cpu = {"skipped": 0.0, "on": 0.0}
        for seed in range(seeds):
            tables = {}
            settings = [("skipped", skipping), ("on", contextlib.nullcontext)]
            for label, context in settings if seed % 2 == 0 else settings[::-1]:  # each goes first once
                engine._sklearn_parameter_checks_off = context
                try:
                    start = time.process_time()
                    summary = replay(name, seed, workers, table, out)
                    cpu[label] += time.process_time() - start
                finally:
                    engine._sklearn_parameter_checks_off = skipping
                tables[label] = load_run(summary.folder).epochs.drop(columns=["run_id", "timestamp"])
            if not tables["skipped"].equals(tables["on"]):
                raise SystemExit(f"{name} seed {seed}: the replay differs with scikit-learn's checks on")
        print(f"{name}: {cpu['skipped'] / seeds:.2f} s CPU per run with scikit-learn's parameter checks "
              f"skipped, {cpu['on'] / seeds:.2f} s with them on ({seeds} seeds each, alternating, same "
              f"tables): {cpu['skipped'] / cpu['on']:.2f}", flush=True)


def main() -> int:
    import strategies
    from bench.store.tables import resolve_table

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--table", default="",
                        help="table folder or name (default: the shipped digits table)")
    parser.add_argument("--workload", default="digits")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--seeds", type=int, default=3, help="seeds per strategy at most (default: 3)")
    parser.add_argument("--time-per-strategy", type=float, default=20.0,
                        help="stop adding seeds once a strategy has run this long (default: 20 s)")
    parser.add_argument("--strategies", default="all", help="all, or a comma-separated list")
    parser.add_argument("--matrix-seeds", type=int, default=20)
    parser.add_argument("--measure-matrix", action="store_true",
                        help="run the whole matrix instead of estimating it")
    parser.add_argument("--versus-lookup", default="asha,random",
                        help="strategies to replay through the surrogate and the grid lookup side by "
                             "side ('' for none)")
    parser.add_argument("--versus-sklearn-checks", default="pb2,bayesopt",
                        help="strategies to replay with scikit-learn's parameter validation skipped and "
                             "on, side by side, 2 seeds each ('' for none)")
    args = parser.parse_args()

    table = resolve_table(args.table, args.workload)
    names = strategies.REGISTRY.names() if args.strategies == "all" else args.strategies.split(",")
    out = Path(tempfile.mkdtemp(prefix="bench-replay-"))
    timer = SuggestionTimer()
    try:
        replay("asha", 10_000, args.workers, table, out)  # warm-up: imports, environment info
        print(f"table {table.name} ({table.path}): {table.meta['grid_size']} grid points x "
              f"{table.meta['workload']['max_epochs']} epochs, {args.workers} simulated workers")
        print(f"{'strategy':<12} {'runs':>4} {'results/run':>11} {'s/run':>8} {'results/s':>10} "
              f"{'CPU results/s':>14} {'engine results/s':>17} {'best results/s':>15}")
        per_run_s = {}
        for name in names:
            runs, results, spent, cpu, best, suggest_before = 0, 0, 0.0, 0.0, 0.0, timer.seconds
            while runs < max(1, args.seeds) and (runs == 0 or spent < args.time_per_strategy):
                start, start_cpu = time.perf_counter(), time.process_time()
                summary = replay(name, runs, args.workers, table, out)
                elapsed = time.perf_counter() - start
                spent += elapsed
                cpu += time.process_time() - start_cpu
                best = max(best, summary.compute_epochs / elapsed)
                results += summary.compute_epochs
                runs += 1
            suggest_s = timer.seconds - suggest_before
            per_run_s[name] = spent / runs
            engine = results / max(spent - suggest_s, 1e-9)
            print(f"{name:<12} {runs:>4} {results / runs:>11.0f} {spent / runs:>8.3f} "
                  f"{results / spent:>10.0f} {results / cpu:>14.0f} {engine:>17.0f} {best:>15.0f}",
                  flush=True)
        if args.versus_lookup and "space_sample" in table.meta:
            versus_lookup(args.versus_lookup.split(","), max(args.seeds, 5), args.workers, table, out)
        if args.versus_sklearn_checks:
            versus_sklearn_checks(args.versus_sklearn_checks.split(","), 2, args.workers, table, out)
        estimate = sum(per_run_s.values()) * args.matrix_seeds
        print(f"matrix {len(names)} strategies x {args.matrix_seeds} seeds: estimated {estimate:.0f} s "
              f"({estimate / 60:.1f} min) from the time per run above")
        if args.measure_matrix:
            start = time.perf_counter()
            for name in names:
                for seed in range(args.matrix_seeds):
                    replay(name, seed, args.workers, table, out)
                shutil.rmtree(out, ignore_errors=True)
            measured = time.perf_counter() - start
            print(f"matrix {len(names)} strategies x {args.matrix_seeds} seeds: measured {measured:.0f} s "
                  f"({measured / 60:.1f} min)")
    finally:
        shutil.rmtree(out, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
