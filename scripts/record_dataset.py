"""Record a workload's learning-curve dataset: the grid plus Sobol configurations over the space.

    python scripts/record_dataset.py --workload digits [--sobol 1024] [--workers 2]

Every grid point is trained with training seeds 0, 1, 2 and every Sobol configuration (a
scrambled Sobol sequence on the scales the searchers sample: log where the space is log) with
seeds 0 and 1, each to max_epochs (or until it diverges) through the workload's own trainer,
the one live trials use, one torch thread per process, with each epoch timed as a live trial
times it. Progress is appended job by job to `--work DIR/progress.jsonl`, so a killed
recording resumes where it stopped when run again with the same arguments. At the end the
dataset is written to results/reference/<workload>-v<version>/ (bench.store.dataset_recording).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

GRID_SEEDS = (0, 1, 2)
SOBOL_SEEDS = (0, 1)
SOBOL_SCRAMBLE_SEED = 20261130


def plan_jobs(workload, sobol: int) -> list[dict]:
    """Every (configuration, training seed) to train: grid first, then Sobol seed by seed."""
    from bench.store.dataset_recording import sobol_configs

    jobs = []
    grid = list(workload.space.grid_points())
    for seed in GRID_SEEDS:
        jobs += [{"config_id": i, "source": "grid", "seed": seed, "config": c} for i, c in enumerate(grid)]
    configs = sobol_configs(workload.space, sobol, SOBOL_SCRAMBLE_SEED)
    for seed in SOBOL_SEEDS:
        jobs += [{"config_id": len(grid) + i, "source": "sobol", "seed": seed, "config": c}
                 for i, c in enumerate(configs)]
    return jobs


def _train(job: dict) -> dict:
    """Train one job to the end in this worker process; its rows as plain lists."""
    import workloads
    from bench.live.epochs import train_curve

    workload = workloads.get(_train.workload_name)
    rows = train_curve(workload, job["config"], job["seed"])
    return {"config_id": job["config_id"], "seed": job["seed"], "rows": rows}


def _init_worker(workload_name: str) -> None:
    os.environ["OMP_NUM_THREADS"] = "1"
    _train.workload_name = workload_name


def read_progress(path: Path) -> dict[tuple[int, int], dict]:
    """Jobs already recorded; a line torn by a kill is dropped (it is trained again)."""
    from bench.store.jsonl import read_records

    records, _ = read_records(path, ("config_id", "seed"), damaged_line="skip")
    return {(record["config_id"], record["seed"]): record for record in records}


def main() -> int:
    import multiprocessing

    import workloads
    from bench.store.jsonl import cut_torn_tail
    from bench.store.tables import REFERENCE_DIR, table_name

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workload", default="digits")
    parser.add_argument("--sobol", type=int, default=1024, help="Sobol configurations (a power of 2)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--work", type=Path, default=ROOT / "results" / "recording")
    parser.add_argument("--out", type=Path, default=REFERENCE_DIR)
    parser.add_argument("--limit", type=int, default=None,
                        help="stop after this many jobs (a partial recording)")
    args = parser.parse_args()

    workload = workloads.get(args.workload)
    jobs = plan_jobs(workload, args.sobol)
    args.work.mkdir(parents=True, exist_ok=True)
    plan_path = args.work / "plan.json"
    plan = {"workload": workload.name, "version": workload.version, "max_epochs": workload.max_epochs,
            "sobol": args.sobol, "grid_seeds": GRID_SEEDS, "sobol_seeds": SOBOL_SEEDS,
            "scramble_seed": SOBOL_SCRAMBLE_SEED, "jobs": len(jobs)}
    if plan_path.exists() and json.loads(plan_path.read_text()) != json.loads(json.dumps(plan)):
        print(f"{args.work}: holds a recording with another plan; pass another --work", file=sys.stderr)
        return 2
    plan_path.write_text(json.dumps(plan, indent=2))
    progress_path = args.work / "progress.jsonl"
    cut_torn_tail(progress_path)
    done = read_progress(progress_path)
    pending = [j for j in jobs if (j["config_id"], j["seed"]) not in done]
    if args.limit is not None:
        pending = pending[: args.limit]
    print(f"{len(jobs)} jobs, {len(done)} recorded, {len(pending)} to train on {args.workers} processes",
          flush=True)
    start = time.perf_counter()
    if pending:
        context = multiprocessing.get_context("spawn")
        with context.Pool(args.workers, initializer=_init_worker, initargs=(workload.name,)) as pool, \
                progress_path.open("a") as log:
            for count, record in enumerate(pool.imap_unordered(_train, pending, chunksize=1), 1):
                log.write(json.dumps(record) + "\n")
                log.flush()
                if count % 25 == 0 or count == len(pending):
                    elapsed = time.perf_counter() - start
                    eta = elapsed / count * (len(pending) - count)
                    print(f"{count}/{len(pending)} jobs, {elapsed:.0f} s, eta {eta:.0f} s", flush=True)
        done = read_progress(progress_path)
    if len(done) < len(jobs):
        print(f"partial: {len(done)} of {len(jobs)} jobs recorded; run again to continue")
        return 0
    from bench.store.dataset_recording import write_dataset

    folder = write_dataset(args.out / table_name(workload.name, workload.version), workload, jobs, done,
                           plan=plan, command=["python", "scripts/record_dataset.py", *sys.argv[1:]],
                           wall_s=time.perf_counter() - start)
    print(f"dataset written to {folder}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
