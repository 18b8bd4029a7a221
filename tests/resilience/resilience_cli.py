"""Run `python -m bench run` in subprocesses, kill them, and compare what they stored."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from bench.live.resume import ROW_KEYS
from bench.store.jsonl import read_records

ROOT = Path(__file__).resolve().parents[2]

#: A deterministic run: grid order, one worker, FIFO, 30 epochs (trial 0 runs all 27, trial 1 runs 3).
GRID_ARGS = ("--strategy", "grid", "--budget-epochs", "45", "--workers", "1", "--until", "budget", "--quiet")
#: Two random configurations trained to the end (27 epochs each), one worker: a retried trial
#: finishes before the next one starts (Built.cap_generator).
TWO_TRIALS_ARGS = ("--strategy", "random", "--samples", "2", "--workers", "1", "--until", "budget", "--quiet")
HYPERPARAMETERS = ("learning_rate", "momentum", "weight_decay", "batch_size", "width")


#: Set in this process by in-process runs (bench.tune_compat.configure_tune); a subprocess that
#: inherited them would take them for the user's own settings (4 pending trials after a replay test).
BENCH_SET = ("RAY_ADDRESS", "TUNE_MAX_PENDING_TRIALS_PG", "TUNE_GLOBAL_CHECKPOINT_S")


def env(**extra: str) -> dict:
    """The subprocess environment: never the test session's Ray cluster or bench's Tune settings."""
    base = {k: v for k, v in os.environ.items() if k not in BENCH_SET}
    base.update(extra)
    return base


def start(out: Path, *args: str, extra_env: dict | None = None,
          launcher: tuple[str, ...] = ("-m", "bench")) -> subprocess.Popen:
    """Start `bench run` writing to `out`; its output goes to files beside `out`.

    `launcher`: what runs `bench` (a test's own launcher script that wraps `bench.cli.main`).
    """
    out.parent.mkdir(parents=True, exist_ok=True)
    count = len(list(out.parent.glob(f"{out.name}.*.stderr")))
    stdout = open(out.parent / f"{out.name}.{count}.stdout", "w")
    stderr = open(out.parent / f"{out.name}.{count}.stderr", "w")
    proc = subprocess.Popen([sys.executable, *launcher, "run", *args, "--out", str(out)], cwd=ROOT,
                            env=env(**(extra_env or {})), stdout=stdout, stderr=stderr)
    proc.stdout_path, proc.stderr_path = Path(stdout.name), Path(stderr.name)
    return proc


def finish(proc: subprocess.Popen, timeout: float = 240) -> tuple[int, str, str]:
    proc.wait(timeout=timeout)
    return proc.returncode, proc.stdout_path.read_text(), proc.stderr_path.read_text()


def run(out: Path, *args: str, timeout: float = 240, extra_env: dict | None = None) -> tuple[int, str, str]:
    return finish(start(out, *args, extra_env=extra_env), timeout)


def run_folders(out: Path) -> list[Path]:
    """The run folders in `out`, as bench.reporting.collect lists them: a starting `bench run` briefly
    makes and removes a hidden `.bench-probe-*` folder there (bench.spec), which a poll can see."""
    if not out.exists():
        return []
    return [p for p in out.iterdir() if p.is_dir() and not p.name.startswith(".")]


def run_folder(out: Path) -> Path:
    folders = run_folders(out)
    assert len(folders) == 1, folders
    return folders[0]


def rows(out: Path) -> list[dict]:
    """Rows recorded so far (a torn last line left out), read as strictly as a resume does."""
    if not run_folders(out):
        return []
    return read_records(run_folder(out) / "epochs.partial.jsonl", ROW_KEYS, damaged_line="refuse")[0]


def wait_for(predicate, proc: subprocess.Popen, timeout: float = 180, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert proc.poll() is None, (f"bench exited ({proc.returncode}) before {what}: "
                                     f"{proc.stderr_path.read_text()[-2000:]}")
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def wait_rows(proc: subprocess.Popen, out: Path, count: int, timeout: float = 180) -> None:
    wait_for(lambda: len(rows(out)) >= count, proc, timeout, f"{count} rows")


def snapshot_id(out: Path) -> tuple | None:
    """Identity of the run's atomically replaced copy of Tune's state (bench.live.experiment_snapshot): a new
    inode each time Tune saves; None before the first save."""
    from bench.live.experiment_snapshot import SNAPSHOT

    folders = run_folders(out)
    try:
        stat = (folders[0] / SNAPSHOT).stat() if len(folders) == 1 else None
    except FileNotFoundError:
        return None
    return None if stat is None else (stat.st_ino, stat.st_mtime_ns)


def wait_next_save(proc: subprocess.Popen, out: Path, timeout: float = 180) -> None:
    """Wait until Tune saves its state again (bench's snapshot file renamed into place)."""
    before = snapshot_id(out)
    wait_for(lambda: snapshot_id(out) not in (None, before), proc, timeout, "Tune's next state save")


def sigkill(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)


def descendants(pid: int) -> list[tuple[int, str]]:
    """(pid, command line) of every process below `pid`, read from /proc."""
    children: dict[int, list[int]] = {}
    commands: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            commands[int(entry.name)] = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry.name))
    found, stack = [], [pid]
    while stack:
        for child in children.get(stack.pop(), []):
            found.append((child, commands.get(child, "")))
            stack.append(child)
    return found


def key(row) -> tuple:
    """What must match between an interrupted and an uninterrupted run of a deterministic strategy."""
    return (row["trial_id"].rsplit("_", 1)[1], tuple(row[name] for name in HYPERPARAMETERS),
            int(row["epoch"]), row["outcome"])


def signature(folder: Path) -> list[tuple]:
    """The run's table in arrival order, as (trial index, configuration, epoch, outcome)."""
    from bench.store.results import load_run

    return [key(row) for row in load_run(folder).epochs.to_dict("records")]
