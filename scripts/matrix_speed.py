"""The replay matrix at --parallel 1 and 2, back to back; then the same matrix on a two-node Ray cluster.

    python scripts/matrix_speed.py [--strategies all] [--seeds 20] [--budget-epochs N]
                                   [--skip-speed] [--skip-two-node] [--keep DIR]

Speed (issue 11's goal: --parallel 2 in at most 0.55x the wall time of --parallel 1 on the idle
2-core machine): runs `python -m bench compare --replay` of the matrix (default: all 13
strategies x 20 seeds, the full grid budget, the shipped digits dataset) once with
`--parallel 1` and once with `--parallel 2`, each a fresh output folder, and prints both wall
times (the whole command: workers' start, the runs, the report), their ratio, each command's
peak resident memory (summed over the driver and its worker processes, sampled from /proc every
0.1 s) and the per-strategy time line `bench compare` prints. The two runs' epochs.parquet
(without the wall-clock `timestamp`) and reports must be identical.

Two nodes: starts a Ray head and a second node on this machine (`ray start`, 1 CPU each,
token authentication as Ray 2.60 needs), runs the matrix with `--address HEAD --parallel 2`
(one Ray task per run), and checks that the runs executed on both nodes (the node ids that the
manifests' `matrix` records name) and that every run's table equals the serial one.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def environment(**extra: str) -> dict:
    """This environment with the project first on PYTHONPATH, so children and Ray workers use this copy."""
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    return {**os.environ, "PYTHONPATH": path, **extra}


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            tree.setdefault(int(fields[1]), []).append(int(entry))
    return tree


def _rss_bytes(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, IndexError, ValueError):
        return 0


class PeakMemory(threading.Thread):
    """The peak, over time, of the resident memory summed over a process and its descendants."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak, self.largest, self.stopped = pid, 0, 0, threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(0.1):
            tree, pids, stack = _children(), [], [self.pid]
            while stack:
                pid = stack.pop()
                pids.append(pid)
                stack.extend(tree.get(pid, []))
            sizes = [_rss_bytes(pid) for pid in pids]
            self.peak, self.largest = max(self.peak, sum(sizes)), max(self.largest, max(sizes, default=0))


def compare(args, out: Path, *extra: str, env: dict | None = None) -> tuple[float, str, PeakMemory]:
    command = [sys.executable, "-m", "bench", "compare", "--replay", "--strategies", args.strategies,
               "--seeds", str(args.seeds), "--out", str(out), *extra]
    if args.budget_epochs:
        command += ["--budget-epochs", str(args.budget_epochs)]
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, env=env or environment(), stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    memory = PeakMemory(process.pid)
    memory.start()
    stdout, stderr = process.communicate()
    wall_s = time.perf_counter() - start
    memory.stopped.set()
    memory.join()
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} exited {process.returncode}:\n{stderr[-3000:]}")
    return wall_s, stdout, memory


def tables(out: Path) -> dict:
    import pandas as pd

    return {folder.name: pd.read_parquet(folder / "epochs.parquet").drop(columns=["timestamp"])
            for folder in sorted(out.glob("*-replay"))}


def identical(one: Path, two: Path) -> str:
    """'identical', or what differs between two matrices' tables."""
    first, second = tables(one), tables(two)
    if list(first) != list(second):
        return f"different runs: {sorted(set(first) ^ set(second))[:4]}"
    different = [name for name in first if not first[name].equals(second[name])]
    return f"{len(different)} of {len(first)} tables differ: {different[:4]}" if different else "identical"


def same_report(one: Path, two: Path) -> bool:
    def read(out: Path):
        doc = json.loads((out / "report" / "summary.json").read_text())
        return [{k: v for k, v in row.items() if k != "folder"} for row in doc["per_seed"]], doc["strategies"]

    return read(one) == read(two)


def by_strategy(stdout: str) -> str:
    return next((line for line in stdout.splitlines() if line.startswith("time by strategy")), "")


def speed(args, work: Path) -> Path:
    walls = {}
    for parallel in (1, 2):
        wall_s, stdout, memory = compare(args, work / f"parallel{parallel}", "--parallel", str(parallel))
        walls[parallel] = wall_s
        print(f"--parallel {parallel}: {wall_s:.1f} s wall; peak RSS {memory.peak / 2**20:.0f} "
              "MiB summed over the driver and its workers (largest process "
              f"{memory.largest / 2**20:.0f} MiB)", flush=True)
        print(f"  {by_strategy(stdout)}", flush=True)
    ratio = walls[2] / walls[1]
    print(f"ratio --parallel 2 / --parallel 1: {ratio:.3f} (goal: at most 0.55)")
    verdict = identical(work / "parallel1", work / "parallel2")
    print(f"tables --parallel 1 vs 2: {verdict}; reports: "
          f"{'identical' if same_report(work / 'parallel1', work / 'parallel2') else 'DIFFERENT'}")
    return work / "parallel1"


def two_nodes(args, work: Path, serial: Path) -> None:
    from bench.live.cluster import free_ports

    ray = shutil.which("ray") or os.path.join(os.path.dirname(sys.executable), "ray")
    auth = {"RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN": secrets.token_hex(32)}
    gcs, head_agent, worker_agent = free_ports(3)
    address = f"127.0.0.1:{gcs}"
    temp_dir = tempfile.mkdtemp(prefix="rb", dir="/tmp")  # Ray's socket paths must stay short
    log = open(work / "ray-nodes.log", "w")
    common = ["start", "--block", "--disable-usage-stats", "--num-cpus=1", "--object-store-memory=100000000"]
    nodes = [subprocess.Popen([ray, *common, "--head", f"--port={gcs}", "--include-dashboard=false",
                               f"--dashboard-agent-listen-port={head_agent}", f"--temp-dir={temp_dir}"],
                              env=environment(**auth), stdout=log, stderr=subprocess.STDOUT,
                              start_new_session=True)]
    try:
        _wait_for_nodes(address, 1, auth)
        nodes.append(subprocess.Popen([ray, *common, f"--address={address}",
                                       f"--dashboard-agent-listen-port={worker_agent}"],
                                      env=environment(**auth), stdout=log, stderr=subprocess.STDOUT,
                                      start_new_session=True))
        _wait_for_nodes(address, 2, auth)
        out = work / "two-nodes"
        wall_s, stdout, _ = compare(args, out, "--address", address, "--parallel", "2",
                                    env=environment(**auth))
        nodes_used = Counter(json.loads((folder / "manifest.json").read_text())["matrix"]["node_id"]
                             for folder in out.glob("*-replay"))
        print(f"two-node cluster {address}: {wall_s:.1f} s wall; runs per node: "
              + ", ".join(f"{node[:12]} {count}" for node, count in sorted(nodes_used.items()))
              + f" ({'both nodes' if len(nodes_used) == 2 else 'NOT both nodes'})")
        print(f"tables two nodes vs --parallel 1: {identical(serial, out)}; reports: "
              f"{'identical' if same_report(serial, out) else 'DIFFERENT'}")
    finally:
        for node in reversed(nodes):
            if node.poll() is None:
                os.killpg(node.pid, signal.SIGTERM)
        for node in nodes:
            try:
                node.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(node.pid, signal.SIGKILL)
        log.close()
        shutil.rmtree(temp_dir, ignore_errors=True)


def _wait_for_nodes(address: str, count: int, auth: dict, timeout_s: float = 120) -> None:
    probe = ("import ray,sys; ray.init(address=sys.argv[1], logging_level='ERROR', log_to_driver=False); "
             "print(sum(1 for n in ray.nodes() if n['Alive']))")
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        done = subprocess.run([sys.executable, "-c", probe, address], env=environment(**auth),
                              capture_output=True, text=True, timeout=120)
        if done.returncode == 0 and done.stdout.strip() == str(count):
            return
        time.sleep(1)
    raise SystemExit(f"the two-node cluster at {address} did not come up (see ray-nodes.log)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--strategies", default="all")
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--budget-epochs", type=float, default=None,
                        help="per run (default: the full grid's cost)")
    parser.add_argument("--skip-speed", action="store_true",
                        help="only the two-node check (after a serial matrix)")
    parser.add_argument("--skip-two-node", action="store_true")
    parser.add_argument("--keep", type=Path, default=None, help="keep the matrices' folders here")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="matrix-speed-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"matrix: strategies {args.strategies}, {args.seeds} seeds, "
          f"{args.budget_epochs or 'the full grid'} epochs budget; {os.cpu_count()} CPUs", flush=True)
    try:
        if args.skip_speed:
            compare(args, work / "parallel1", "--parallel", "1")
            serial = work / "parallel1"
        else:
            serial = speed(args, work)
        if not args.skip_two_node:
            two_nodes(args, work, serial)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
