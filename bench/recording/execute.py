"""Train a recording's plan as Ray tasks, append each training as it ends, and write the dataset.

Each (configuration, training seed) is one Ray task (one CPU, one torch thread; on a cluster with
GPUs also 1/trials-per-GPU of a GPU, packed as live trials are) through the workload's own trainer
(bench.live.epochs.train_curve, the one live trials use), locally or on a Ray cluster (`address`).
A packed training's epochs are charged as a live trial packed the same way is (measured seconds
times its GPU share), and each training records its device and share beside its rows. Tasks return
their rows and the driver writes them, so the cluster needs no shared file system. Progress goes to
OUT/recording/progress.jsonl, one line per training, flushed and synced as it ends: the same command
after a kill, a lost node or Ctrl-C trains only what is missing (at most the trainings in flight are
trained again), and a command with another plan is refused. When every training is recorded, the
dataset is written into OUT (bench.store.dataset_recording.write_dataset: grid table, space sample,
cost model, table.json).
"""

from __future__ import annotations

import functools
import json
import os
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench.errors import BenchError, option
from bench.recording.plan import RecordPlan, plan_jobs

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from bench.live.packing import Packing
    from bench.store.tables import Table
    from workloads.base import Workload

WORK = "recording"
PLAN = "plan.json"
PROGRESS = "progress.jsonl"


@dataclass
class RecordResult:
    """What a `record` call did: the folder, whether the dataset is complete, and the counts."""

    folder: Path
    complete: bool
    total: int
    recorded: int
    trained: int
    wall_s: float
    nodes: dict[str, int] = field(default_factory=dict)  # trainings this call ran, per node
    packing: str = ""  # how the trainings of this call shared the hardware (one line)


@functools.cache
def _node() -> tuple[str, str]:
    """This process's node (host name and Ray node id) and hardware fingerprint, read once per worker."""
    import ray

    from bench import environment

    info = environment.hardware()
    node = f"{info['hostname']} ({ray.get_runtime_context().get_node_id()[:8]})"
    return node, environment.hardware_fingerprint(info)


def train_job(workload: Workload, job: dict[str, Any], options: dict[str, Any]) -> dict[str, Any]:
    """One training, in a Ray worker: its rows, and the node and hardware that timed them.

    The workload travels as the object (its functions by reference), not its name: a worker of a
    Ray session started before a `module:attribute` workload was registered would not know it.
    """
    import ray

    from bench.live.epochs import train_curve, training_device

    os.environ["OMP_NUM_THREADS"] = "1"
    share = float(ray.get_runtime_context().get_assigned_resources().get("GPU", 0.0))
    device = training_device(options) if share > 0 else "cpu"
    rows = train_curve(workload, job["config"], job["seed"], options, device=device, device_share=share)
    host, fingerprint = _node()
    return {"config_id": job["config_id"], "seed": job["seed"], "rows": rows, "node": host,
            "hardware_fingerprint": fingerprint, "device": device, "gpu_share": share}


def read_progress(path: Path) -> dict[tuple[int, int], dict]:
    """Trainings already recorded; a line torn by a kill is dropped (that training runs again)."""
    from bench.store.jsonl import read_records

    records, _ = read_records(path, ("config_id", "seed", "rows"), damaged_line="skip")
    return {(int(record["config_id"]), int(record["seed"])): record for record in records}


def check_out(out: Path, plan: RecordPlan) -> None:
    """Refuse an output folder that holds another recording (another workload, or another plan)."""
    from bench.spec import PROBE_PREFIX
    from bench.store.tables import META

    plan_path = out / WORK / PLAN
    if plan_path.exists():
        try:
            recorded = json.loads(plan_path.read_text())
        except (OSError, ValueError) as exc:
            raise BenchError(f"{plan_path}: not a readable recording plan ({exc}); accepted: an --out of "
                             "this recording, or a new folder") from None
        wanted = plan.as_dict()
        if recorded != wanted:
            changed = sorted(k for k in {*recorded, *wanted} if recorded.get(k) != wanted.get(k))
            raise BenchError(f"{out} holds a recording of {recorded.get('workload')} with another plan "
                             f"({', '.join(changed)} differ); accepted: the same options to continue it, or "
                             f"another {option('out')}")
    elif (out / META).exists() or (out.exists() and any(not p.name.startswith(PROBE_PREFIX)
                                                        for p in out.iterdir())):
        raise BenchError(f"{out} already holds files that are not a recording of this plan; accepted: an "
                         f"empty or new folder for {option('out')}")


def record(plan: RecordPlan, workload: Workload, out: Path, *, workers: int | None = None,
           address: str | None = None, trials_per_gpu: int | None = None, limit: int | None = None,
           grid_table: Table | None = None, progress: bool = True,
           options: dict[str, Any] | None = None, command: Sequence[str] = (),
           log: Callable[[str], None] = print) -> RecordResult:
    """Train what `plan` lacks under `out`, then write the dataset when nothing is missing.

    `grid_table`: the grid table a plan without the grid (`--no-grid`) takes its grid from.
    """
    from bench.store.jsonl import cut_torn_tail

    started = time.perf_counter()
    out = Path(out)
    check_out(out, plan)
    jobs = plan_jobs(plan, workload)
    work = out / WORK
    progress_path = work / PROGRESS
    done = read_progress(progress_path) if progress_path.exists() else {}
    pending = [job for job in jobs if (job["config_id"], job["seed"]) not in done]
    if limit is not None:
        pending = pending[:limit]
    chosen = None
    if pending:  # Ray first: an unreachable cluster is refused before anything is written
        from bench.live import packing
        from bench.live.ray_session import ensure_ray

        resources = ensure_ray(address)
        # as live runs pack trials: trials per GPU from GPU memory unless given, GPUs x that at once
        chosen = packing.choose(resources, workers, trials_per_gpu, packing.local_gpu_memory_gib())
        check_nodes(workload, dict(options or {}))  # the data on every node, before anything is written
    work.mkdir(parents=True, exist_ok=True)
    if not (work / PLAN).exists():
        (work / PLAN).write_text(json.dumps(plan.as_dict(), indent=1) + "\n")
    cut_torn_tail(progress_path)
    nodes: Counter[str] = Counter()
    if chosen is not None:
        nodes = _train(pending, workload, progress_path, len(jobs), len(done), chosen=chosen,
                       options=dict(options or {}), progress=progress, log=log)
        done = read_progress(progress_path)
    complete = len(done) == len(jobs)
    if complete and not (out / "table.json").exists():
        from bench.store.dataset_recording import write_dataset

        write_dataset(out, workload, jobs, done, plan=plan.as_dict(), command=list(command),
                      wall_s=time.perf_counter() - started, grid_table=grid_table)
    return RecordResult(folder=out, complete=complete, total=len(jobs), recorded=len(done),
                        trained=sum(nodes.values()), wall_s=time.perf_counter() - started, nodes=dict(nodes),
                        packing="" if chosen is None else packing_line(chosen))


def packing_line(chosen: Packing) -> str:
    """How a recording's trainings share the hardware, in one line."""
    share = f" and 1/{chosen.trials_per_gpu} GPU ({chosen.trials_per_gpu} per GPU, {chosen.chosen})" \
        if chosen.gpus else " (no GPU)"
    return f"{chosen.workers} trainings at once, each 1 CPU{share}"


def _train(pending: list[dict], workload: Workload, progress_path: Path, total: int, already: int, *,
           chosen: Packing, options: dict[str, Any], progress: bool,
           log: Callable[[str], None]) -> Counter[str]:
    """Run `pending` as Ray tasks, `chosen.workers` at a time, appending each result as it arrives."""
    import ray

    gpu_share = 1.0 / chosen.trials_per_gpu if chosen.gpus else 0.0
    remote = ray.remote(num_cpus=1, num_gpus=gpu_share, max_retries=3)(train_job)
    slots = chosen.workers
    log(f"recording {workload.name}: {total} trainings, {already} recorded, {len(pending)} to train as Ray "
        f"tasks, {packing_line(chosen)}")
    queue = list(reversed(pending))
    in_flight: dict[Any, dict] = {}
    nodes: Counter[str] = Counter()
    bar = _bar(total, already, progress)
    epochs = 0
    try:
        with progress_path.open("a") as handle:
            while queue or in_flight:
                while queue and len(in_flight) < slots:
                    job = queue.pop()
                    in_flight[remote.remote(workload, job, options)] = job
                ready, _ = ray.wait(list(in_flight), num_returns=1)
                in_flight.pop(ready[0])
                result = ray.get(ready[0])
                handle.write(json.dumps(result) + "\n")
                handle.flush()
                os.fsync(handle.fileno())
                nodes[result["node"]] += 1
                epochs += len(result["rows"])
                if bar is not None:
                    bar.update(1)
                    bar.set_postfix_str(f"{epochs} epochs", refresh=False)
    finally:
        if bar is not None:
            bar.close()
    for node, count in sorted(nodes.items()):
        log(f"  node {node}: {count} trainings")
    return nodes


def check_node(workload: Workload, options: dict[str, Any]) -> str | None:
    """In a task on one node: why the workload cannot train there (its data missing), or None."""
    try:
        workload.check_ready(options)
    except BenchError as exc:
        return str(exc)
    except Exception as exc:  # any failure of the workload's own check is the answer
        return f"{type(exc).__name__}: {exc}"
    return None


def check_nodes(workload: Workload, options: dict[str, Any]) -> None:
    """Run the workload's check_ready on every alive node of the cluster; refuse naming the first
    node where it fails (a node without the data would fail every training it got)."""
    import ray
    from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

    nodes = [node for node in ray.nodes()
             if node.get("Alive") and node.get("Resources", {}).get("CPU", 0) >= 1]
    probe = ray.remote(num_cpus=1, max_retries=0)(check_node)
    answers = ray.get([probe.options(scheduling_strategy=NodeAffinitySchedulingStrategy(node["NodeID"],
                                                                                        soft=False))
                       .remote(workload, options) for node in nodes])
    for node, problem in zip(nodes, answers, strict=True):
        if problem:
            host = node.get("NodeManagerHostname")
            raise BenchError(f"workload {workload.name} cannot train on node {host} ({node['NodeID'][:8]}): "
                             f"{problem}; accepted: its data on every node of the cluster (or "
                             f"{option('data_dir')} where it is)")


def _bar(total: int, already: int, progress: bool) -> Any:
    if not progress:
        return None
    from tqdm import tqdm

    return tqdm(total=total, initial=already, unit="training", desc="record", file=sys.stderr,
                dynamic_ncols=True)


def estimate(plan: RecordPlan, workload: Workload, workers: int, timed: int = 2) -> dict[str, float]:
    """A rough cost of `plan` from `timed` epochs trained here (of the first Sobol configurations).

    Epochs differ by configuration (width, batch size), so this is an order of magnitude, said as such.
    """
    from bench.live.epochs import measure_epoch
    from bench.store.dataset_recording import sobol_configs
    from workloads import TrainerContext

    seconds = []
    for config in sobol_configs(workload.space, max(2, timed), plan.scramble_seed)[:timed]:
        trainer = workload.make_trainer(workload.space.normalise(config),
                                        TrainerContext(device="cpu", cpu_threads=1, seed=0))
        seconds.append(measure_epoch(trainer, "cpu")[1])
    per_epoch = sum(seconds) / len(seconds)
    epochs = plan.job_count * plan.max_epochs
    return {"epochs": float(epochs), "seconds_per_epoch": per_epoch,
            "wall_s": epochs * per_epoch / max(1, workers)}
