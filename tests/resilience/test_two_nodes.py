"""A real two-node Ray cluster on this machine: `bench run --address` uses both nodes, `bench compare
--live --address` carries every run option to its runs, and `bench record --address` spreads its
trainings over both nodes into the dataset a single-node recording makes; and on a node that declares
a GPU, `bench record --trials-per-gpu` packs its trainings on GPU shares.

Which node Ray places a trial on, and whether the second node's first worker has started before
the first node has trained the whole budget, is timing (the README's own runs split 40/5 and
34/11 epochs). So the run trains the `barrier` test workload (tests/plugins): its first trials wait
for each other (a file each), and two trials of 1 CPU on nodes of 1 CPU must be on both nodes.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter

import pytest

from bench.live.cluster import free_ports

from .resilience_cli import GRID_ARGS, ROOT, descendants, env, rows, run, run_folder

NODE_CPUS = 1


#: `ray start` turns on token authentication (Ray 2.60); every node and driver shares this token.
AUTH = {"RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN": secrets.token_hex(32)}


#: The nodes' workers and the driver know the `barrier` workload; its trials meet in BARRIER_DIR.
WORKLOADS = {"BENCH_WORKLOADS": "bench_test_workloads:EXPLODING,bench_test_workloads:BARRIER,"
                                  "bench_test_workloads:TINY"}
BARRIER_DIR = os.path.join(tempfile.gettempdir(), f"bench-barrier-{os.getpid()}")  # made by the first trial


def ray_start(*args: str, log, cpus: int = NODE_CPUS) -> subprocess.Popen:
    """`ray start --block`: the node lives as long as this process, and stops with it (SIGTERM)."""
    ray = shutil.which("ray") or os.path.join(os.path.dirname(sys.executable), "ray")
    return subprocess.Popen([ray, "start", "--block", "--disable-usage-stats", f"--num-cpus={cpus}",
                             "--object-store-memory=100000000", *args],
                            cwd=ROOT, env=env(**AUTH, **WORKLOADS, BENCH_TEST_BARRIER_DIR=BARRIER_DIR),
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


class NodeExited(Exception):
    """A `ray start --block` of the cluster exited while the test waited for its nodes."""


#: What `ray start` prints when its raylet did not register within Ray's fixed 30 s
#: (ray/_private/node.py): it happened once in CI, with four test workers on 2 cores.
STARTUP_TIMEOUT = "timed out during startup"


def start_node(*args: str, address: str, nodes: list[subprocess.Popen], log, log_path, cpus: int = NODE_CPUS):
    """Start one node and wait until the cluster counts it. If this node's own `ray start` exited
    saying it timed out during startup (in the log it wrote on this try), it is started once more;
    any other exit, or an exit of another node, fails the test. `ray start` stops the processes it
    had started when it gives up (its exit hooks); stop() then finds none left to kill."""
    for attempt in (1, 2):
        log.flush()
        written_before = log_path.stat().st_size
        nodes.append(ray_start(*args, log=log, cpus=cpus))
        try:
            wait_for_nodes(address, len(nodes), nodes)
            return
        except NodeExited as exited:
            log.flush()
            with open(log_path, errors="replace") as text:
                text.seek(written_before)
                timed_out = STARTUP_TIMEOUT in text.read()
            if attempt == 2 or nodes[-1].poll() is None or not timed_out:
                pytest.fail(str(exited))
            stop([nodes.pop()])
            print("retrying that `ray start` once (Ray's startup timeout above)", file=log, flush=True)


def wait_for_nodes(address: str, count: int, nodes: list[subprocess.Popen], timeout_s: float = 120) -> None:
    """Poll the cluster from a separate process (this test session keeps its own Ray)."""
    probe = ("import ray,sys; ray.init(address=sys.argv[1], logging_level='ERROR', log_to_driver=False); "
             "print(sum(1 for n in ray.nodes() if n['Alive']))")
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if any(node.poll() is not None for node in nodes):
            raise NodeExited("a `ray start` of the two-node cluster exited; see ray-nodes.log")
        done = subprocess.run([sys.executable, "-c", probe, address], env=env(**AUTH), capture_output=True,
                              text=True, timeout=120)
        if done.returncode == 0 and done.stdout.strip() == str(count):
            return
        time.sleep(1)
    pytest.fail(f"the two-node cluster at {address} did not come up")


def stop(nodes: list[subprocess.Popen]) -> None:
    """Stop only this cluster's processes: SIGTERM to each `ray start --block`, then SIGKILL leftovers."""
    started = {pid for node in nodes for pid, _ in descendants(node.pid)}
    for node in reversed(nodes):
        if node.poll() is None:
            node.send_signal(signal.SIGTERM)
    for node in nodes:
        try:
            node.wait(timeout=30)
        except subprocess.TimeoutExpired:
            node.kill()
    for pid in started:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


@contextlib.contextmanager
def cluster(tmp_path, *, second_node: bool, head_args: tuple[str, ...] = (), head_cpus: int = NODE_CPUS):
    """A head node (and a second node) started with `ray start` on this machine; yields its address."""
    gcs, head_agent, worker_agent = free_ports(3)
    address = f"127.0.0.1:{gcs}"
    log_path = tmp_path / "ray-nodes.log"
    log = open(log_path, "w")
    temp_dir = tempfile.mkdtemp(prefix="rb", dir="/tmp")  # Ray's socket paths must stay under 108 bytes
    nodes: list[subprocess.Popen] = []
    try:
        start_node("--head", f"--port={gcs}", "--include-dashboard=false",
                   f"--dashboard-agent-listen-port={head_agent}", f"--temp-dir={temp_dir}", *head_args,
                   address=address, nodes=nodes, log=log, log_path=log_path, cpus=head_cpus)
        if second_node:
            start_node(f"--address={address}", f"--dashboard-agent-listen-port={worker_agent}",
                       address=address, nodes=nodes, log=log, log_path=log_path)
        yield address
    finally:
        stop(nodes)
        log.close()
        shutil.rmtree(temp_dir, ignore_errors=True)


@pytest.fixture
def two_nodes(tmp_path):
    with cluster(tmp_path, second_node=True) as address:
        yield address


@pytest.fixture
def gpu_node(tmp_path):
    """One node of 2 CPUs that declares 1 GPU to Ray (this machine has no CUDA: tasks are scheduled on
    GPU shares as on a GPU node, and train on the CPU)."""
    with cluster(tmp_path, second_node=False, head_args=("--num-gpus=1",), head_cpus=2) as address:
        yield address


def test_trials_run_on_both_nodes_and_results_come_back(tmp_path, two_nodes):
    out = tmp_path / "out"
    budget = 12
    args = [*GRID_ARGS]
    args[args.index("--workers") + 1] = "2"
    args[args.index("--budget-epochs") + 1] = str(budget)
    shutil.rmtree(BARRIER_DIR, ignore_errors=True)
    try:
        code, _, stderr = run(out, *args, "--workload", "barrier", "--address", two_nodes,
                              extra_env={**AUTH, **WORKLOADS, "BENCH_TEST_BARRIER_DIR": BARRIER_DIR})
        assert code == 0, stderr[-3000:]
        assert len(os.listdir(BARRIER_DIR)) >= 2  # the first two trials met
    finally:
        shutil.rmtree(BARRIER_DIR, ignore_errors=True)
    folder = run_folder(out)
    manifest = json.loads((folder / "manifest.json").read_text())
    from bench.store.results import load_run

    table = load_run(folder).epochs
    cluster_nodes = {node_id for node_id, node in manifest["nodes"].items() if node["cpus"] == NODE_CPUS}
    assert manifest["address"] == two_nodes and len(cluster_nodes) == 2
    assert set(table["node"]) == cluster_nodes  # every epoch names the node that ran it; both nodes worked
    assert budget <= len(table) <= budget + 2 and table["run_epochs"].tolist() == list(range(1,
                                                                                             len(table) + 1))
    assert len(rows(out)) == len(table)
    trials = table.groupby("node")["trial_id"].nunique()
    epochs = Counter(table["node"])
    print("\n" + "\n".join(f"node {node[:12]}: {int(trials[node])} trials, {epochs[node]} epochs"
                           for node in sorted(epochs)))


def _bench(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bench", *args], cwd=ROOT, env=env(**AUTH, **WORKLOADS),
                          capture_output=True, text=True, timeout=600)


def test_compare_live_on_the_cluster_carries_every_run_option_to_its_runs(tmp_path, two_nodes):
    out = tmp_path / "live"
    done = _bench("compare", "--live", "--strategies", "random,asha", "--seeds", "1", "--budget-epochs", "6",
                  "--workers", "1", "--parallel", "2", "--trials-per-gpu", "4", "--max-failures", "5",
                  "--address", two_nodes, "--out", str(out))
    assert done.returncode == 0, done.stderr[-3000:]
    manifests = [json.loads(path.read_text()) for path in sorted(out.glob("*/manifest.json"))]
    assert len(manifests) == 2
    for manifest in manifests:
        assert manifest["status"] == "complete" and manifest["address"] == two_nodes
        assert manifest["trials_per_gpu"] == 4 and manifest["max_failures"] == 5
        # the run's whole description, as the driver process that ran it received it
        assert {k: manifest["spec"][k] for k in ("address", "trials_per_gpu", "max_failures", "workers")} == {
            "address": two_nodes, "trials_per_gpu": 4, "max_failures": 5, "workers": 1}


def test_a_recording_spreads_over_both_nodes_and_matches_a_single_node_recording(tmp_path, two_nodes):
    import pandas as pd

    tiny = ("record", "--workload", "tiny", "--configs", "4", "--seeds", "1", "--workers", "2", "--quiet")
    cluster = _bench(*tiny, "--address", two_nodes, "--out", str(tmp_path / "cluster"))
    assert cluster.returncode == 0, cluster.stderr[-3000:]
    records = [json.loads(line) for line in
               (tmp_path / "cluster" / "recording" / "progress.jsonl").read_text().splitlines()]
    assert len(records) == 8 and len({record["node"] for record in records}) == 2  # both nodes trained
    assert cluster.stdout.count("  node ") == 2
    local = _bench(*tiny, "--address", "local", "--out", str(tmp_path / "local"))
    assert local.returncode == 0, local.stderr[-3000:]
    for name in ("curves.parquet", "space.parquet"):  # the same curves; only the timings differ
        frames = [pd.read_parquet(tmp_path / where / name).drop(columns="epoch_compute_s")
                  for where in ("cluster", "local")]
        pd.testing.assert_frame_equal(*frames)


def test_a_recording_on_a_gpu_node_packs_its_trainings_and_records_their_share(tmp_path, gpu_node):
    """`--trials-per-gpu 2`: each training's task holds half of the GPU, as a packed live trial does,
    and the share each training ran under is recorded beside its rows and in table.json."""
    out = tmp_path / "gpu"
    done = _bench("record", "--workload", "tiny", "--configs", "4", "--seeds", "1", "--trials-per-gpu", "2",
                  "--quiet", "--address", gpu_node, "--out", str(out))
    assert done.returncode == 0, done.stderr[-3000:]
    assert "2 trainings at once, each 1 CPU and 1/2 GPU (2 per GPU, given)" in done.stdout, done.stdout
    records = [json.loads(line) for line in (out / "recording" / "progress.jsonl").read_text().splitlines()]
    assert len(records) == 8
    assert {(record["device"], record["gpu_share"]) for record in records} == {("cpu", 0.5)}  # no CUDA here
    packing = json.loads((out / "table.json").read_text())["recording"]["packing"]
    assert packing == [{"device": "cpu", "gpu_share": 0.5, "trainings": 8}]
