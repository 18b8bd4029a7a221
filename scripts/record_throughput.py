"""Recording throughput: `bench record`'s Ray tasks against local processes, on the same trainings.

    python scripts/record_throughput.py [--trainings 16] [--rounds 2]

Trains the same first `--trainings` of digits' recording plan (grid points, training seed 0; 27
epochs of about 0.1 s each) four ways per round, interleaved so that drift in the machine's speed
falls on all of them alike: Ray tasks (bench.recording.execute.record, what `bench record` runs)
at 1 and 2 workers, and a local process pool (spawned processes, one torch thread, the way
scripts/record_dataset.py trained before `bench record`) at 1 and 2 workers. Ray and the pool's
processes are started and warmed before the clock starts. Printed per way: wall seconds,
trainings per minute, and the seconds of training per training (wall x workers / trainings); then
the ratio Ray / local per worker count. Goal: Ray tasks at most 10% slower per training.
What would show they cost more: a ratio above 1.10.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path


def _train(job: dict) -> int:
    import workloads
    from bench.live.epochs import train_curve

    return len(train_curve(workloads.get("digits"), job["config"], job["seed"]))


def _init() -> None:
    os.environ["OMP_NUM_THREADS"] = "1"
    import torch

    torch.set_num_threads(1)


def local(jobs: list[dict], pool) -> float:
    start = time.perf_counter()
    for _ in pool.imap_unordered(_train, jobs, chunksize=1):
        pass
    return time.perf_counter() - start


def ray_tasks(jobs: list[dict], workers: int, limit: int) -> float:
    import workloads
    from bench.recording.execute import record
    from bench.recording.plan import make_plan

    digits = workloads.get("digits")
    with tempfile.TemporaryDirectory() as scratch:
        start = time.perf_counter()
        record(make_plan(digits), digits, Path(scratch) / "d", workers=workers, limit=limit,
               progress=False, log=lambda line: None)
        return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    import multiprocessing

    import workloads
    from bench.live.ray_session import ensure_ray
    from bench.recording.plan import make_plan, plan_jobs

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], allow_abbrev=False)
    parser.add_argument("--trainings", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args(argv)
    digits = workloads.get("digits")
    jobs = plan_jobs(make_plan(digits), digits)[: args.trainings]
    ensure_ray(None)
    ray_tasks(jobs, 2, 2)  # warm: Ray's workers import torch and the workload once
    context = multiprocessing.get_context("spawn")
    pools = {workers: context.Pool(workers, initializer=_init) for workers in (1, 2)}
    for workers, pool in pools.items():
        local(jobs[:workers], pool)  # warm
    walls: dict[tuple[str, int], list[float]] = {}
    for round_ in range(args.rounds):
        for workers in (1, 2):
            walls.setdefault(("ray", workers), []).append(ray_tasks(jobs, workers, len(jobs)))
            walls.setdefault(("local", workers), []).append(local(jobs, pools[workers]))
        print(f"round {round_ + 1} of {args.rounds} done", flush=True)
    for pool in pools.values():
        pool.close()
    print(f"\n{len(jobs)} trainings of digits (grid points, seed 0, 27 epochs each), {args.rounds} rounds, "
          f"interleaved; {os.cpu_count()} CPUs\n")
    print("| way | workers | wall s (median) | trainings per minute | s of training per training |")
    print("|---|---|---|---|---|")
    per_training = {}
    for (way, workers), values in sorted(walls.items()):
        wall = statistics.median(values)
        per_training[(way, workers)] = wall * workers / len(jobs)
        name = "Ray tasks (bench record)" if way == "ray" else "local processes"
        print(f"| {name} | {workers} | {wall:.1f} | {60 * len(jobs) / wall:.1f} | "
              f"{per_training[(way, workers)]:.2f} |")
    print()
    for workers in (1, 2):
        ratio = per_training[("ray", workers)] / per_training[("local", workers)]
        verdict = "within" if ratio <= 1.10 else "above"
        print(f"Ray / local at {workers} worker(s): {ratio:.3f} ({verdict} 1.10)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
